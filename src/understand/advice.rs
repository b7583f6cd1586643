//! Requests for advice on what to buy ("quiet blender under £100", "推荐一款适合小户型的扫地机",
//! "what filter fits my Roamo S7"): recognised by their wording, with the budget and whether
//! they ask for parts or consumables of something the shopper has. Pure functions over the
//! normalised message (`crate::understand::understand`'s text).

use super::expect;
use super::intent::contains_words;
use super::numbers;
use super::segment::{Role, Segment, segments};

/// English phrases that ask what to buy.
const ADVICE_EN: &[&str] = &[
    "recommend",
    "recommendation",
    "recommendations",
    "recomend",
    "reccomend",
    "suggest",
    "suggestion",
    "suggestions",
    "which one should",
    "which should i",
    "which one to",
    "which one would",
    "which would you",
    "which model",
    "which is better",
    "which one is better",
    "what should i buy",
    "what should i get",
    "what would you get",
    "what do you suggest",
    "should i buy",
    "should i get",
    "help me choose",
    "help me pick",
    "help me decide",
    "what can i buy",
    "what can i get",
    "gift",
    "gifts",
    "present for",
    "birthday present",
    "christmas present",
    "best seller",
    "bestseller",
    "best sellers",
    "best one",
    "looking for a new",
    "looking for something",
    "in the market for",
    "what fits",
    "which fits",
    "fits my",
    "fit my",
    "compatible with my",
    "work with my",
    "works with my",
    "go with my",
    "worth buying",
    "what do you have for",
    "what have you got for",
    "any ideas",
    "looking for a present",
    "looking for a gift",
    "stock up",
];

/// Explicit requests for a recommendation: they hold even beside words about a policy ("can you
/// recommend a blender with a longer warranty").
const STRONG: &[&str] = &["recommend", "recomend", "reccomend", "suggest", "推荐", "建议买"];

/// English phrases of a shopper looking for something to buy; with a kind of product or a budget
/// they ask for advice ("looking for a blender that won't wake the house", "is there a robot
/// vacuum under $300?").
const SHOPPING_EN: &[&str] = &[
    "looking for",
    "look for",
    "want a",
    "want an",
    "want to buy",
    "want something",
    // Only a shopper's "after": "cracked after a week" is a fault.
    "i'm after a",
    "we're after a",
    "i am after a",
    "we are after a",
    "need a new",
    "need something",
    "do you have",
    "do u have",
    "do you sell",
    "do u sell",
    "do you do a",
    "have you got",
    "got anything",
    "is there a",
    "is there an",
    "are there any",
    "which",
    "cheapest",
    "cheaper",
    "that can",
    "that won't",
    "that wont",
    "thinking of buying",
    "thinking of getting",
    "planning to buy",
    "buy",
    "buying",
    "purchase",
    "should i get",
    "should we get",
    "worth it",
    "best",
    "what about",
    "any good for",
    "in the market",
    "shopping for",
    "need one",
    "need a",
    "need an",
];

/// Chinese phrases of a shopper looking for something to buy.
const SHOPPING_ZH: &[&str] = &[
    "想买",
    "想要",
    "想入",
    "有没有",
    "有吗",
    "有卖",
    "卖不卖",
    "哪个",
    "哪款",
    "哪种",
    "求",
    "最便宜",
    "便宜点",
    "要买",
    "需要买",
    "打算买",
    "准备买",
    "入手",
    "补",
    "值得",
    "预算",
    "换个",
    "换一台",
    "求购",
    "什么样的",
    "怎么选",
];

/// Words about the shop's policies or an order: a message with them asks about those, not what
/// to buy ("can I pay for the kettle with a gift card", "扫地机坏了保修吗").
const POLICY_EN: &[&str] = &[
    "warranty",
    "guarantee",
    "return",
    "returns",
    "returned",
    "refund",
    "refunds",
    "deliver",
    "delivered",
    "delivery",
    "shipping",
    "ship",
    "shipped",
    "order",
    "tracking",
    "parcel",
    "invoice",
    "price match",
    "cancel",
    "broken",
    "faulty",
    "repair",
    "exchange",
    "receipt",
    "trade-in",
    "trade in",
    "discount",
    "voucher",
    "gift card",
    "e-gift",
    "pay in 3",
    "instalments",
    "payment",
    "payments",
    "account",
    "password",
    "care+",
    "tax",
    "taxes",
    "import",
    "customs",
    "duties",
    "vat",
    "gift wrap",
    "gift wrapping",
    "wrapping",
    "installation",
    "install",
    "showroom",
    "stores",
    "in store",
    "ordering",
    "ordered",
    "carrier",
    "refer a friend",
    "courier",
    "membership",
    "student discount",
    // Returning, in the words shoppers use: "I bought it as a gift … can I send it back and get
    // my money back?" asks about a return, not for another gift.
    "send it back",
    "send them back",
    "send back",
    "sent it back",
    "take it back",
    "money back",
    // Paying for an order, not a battery's charge: "when do u actually charge me for the blender".
    "charge me",
    "charge my",
    "charged",
    "billed",
    "pre-order",
    "pre-ordered",
    "preorder",
    "preordered",
    "fee",
    "fees",
];
const POLICY_ZH: &[&str] = &[
    "保修",
    "赠品",
    "安装",
    "上门",
    "退货",
    "退款",
    "能退",
    "可以退",
    "只退",
    "退不退",
    "退吗",
    "退掉",
    "退换",
    "换货",
    "发货",
    "快递",
    "物流",
    // Where and how it is delivered: "想买个空气炸锅，能送到新疆吗" asks about delivery.
    "寄到",
    "寄去",
    "寄往",
    "能寄",
    "邮寄",
    "送到",
    "送货",
    "配送",
    "包邮",
    "发票",
    "专票",
    "普票",
    "开票",
    "价保",
    "订单",
    "维修",
    "坏了",
    "以旧换新",
    "分期",
    "运费",
    "售后",
    "三包",
    "礼品卡",
    "积分",
    "会员",
    "账号",
    "签收",
    "延保",
    "成长值",
    "注册",
    "黑钻",
    "金卡",
];

/// The shop's own services and offers: "do you have a loyalty programme?", "有没有优惠券" ask
/// about one, not for a product called that. Unlike [`POLICY_EN`], not a sign that a product
/// page's sentence is no reason to buy ("control it from the app" is one).
const SERVICES_EN: &[&str] = &[
    "loyalty",
    "rewards",
    "points",
    "sale",
    "sales",
    "promo",
    "promotion",
    "promotions",
    "coupon",
    "coupons",
    "discount code",
    "discount codes",
    "black friday",
    "cyber monday",
    "store",
    "shop in",
    // A shop to visit: "is there an actual nestwell shop anywhere … where i can see it in person".
    "physical shop",
    "actual shop",
    "shop anywhere",
    "showroom",
    "in person",
    "app",
    "newsletter",
    "phone number",
    "helpline",
    "hotline",
    "live chat",
    "whatsapp",
    "payment",
    "payments",
    // What the shop does with a parcel, and where products come from: asked about, not for.
    "gift wrap",
    "gift wrapping",
    "gift message",
    "gift note",
    "handwritten",
    "greeting card",
    "birthday card",
    "made in",
    "manufactured",
    "country of origin",
];
const SERVICES_ZH: &[&str] = &[
    "优惠券",
    "优惠码",
    "优惠活动",
    "满减",
    "促销",
    "打折",
    "折扣",
    "红包",
    "包邮",
    "秒杀",
    "拼团",
    "实体店",
    "门店",
    "线下店",
    "客服",
    "电话",
    "小程序",
    "公众号",
    "贺卡",
    "手写",
    "礼品包装",
    "留言卡",
    "产地",
    "哪里生产",
    "哪生产",
    "哪里产",
    "哪儿产",
];

/// Words of a fault or damage: "the blender lid is cracked after a week, what do i do" reports a
/// problem with something bought, not a wish to buy another.
const PROBLEM_EN: &[&str] = &[
    "cracked",
    "damaged",
    "defective",
    "smashed",
    "dented",
    "leaking",
    "leaks",
    "stopped working",
    "not working",
    "doesn't work",
    "does not work",
    "won't turn on",
    "won't start",
    "won't charge",
    "keeps cutting out",
    "error code",
    "broken",
    "broke",
    "faulty",
    "isn't working",
    "not charging",
    "won't connect",
    "won't heat",
    "not heating",
    "keeps flashing",
    "keeps blinking",
    "keeps beeping",
    "keeps showing",
    "flashing light",
    "light keeps",
    "grinding noise",
    "burning smell",
    "what's going on",
    "whats going on",
    "what's wrong with",
    "whats wrong with",
    // Something missing from the box is a problem with an order, not a wish for more.
    "missing",
    "only one",
    "only 1",
    "should be two",
    "supposed to be",
    "meant to be in",
    "not in the box",
    "wasn't in the box",
    "isn't in the box",
    "weren't in the box",
    "aren't in the box",
    "supposed to come with",
    "meant to come with",
    "didn't come with",
    "wasn't included",
    "weren't included",
];
const PROBLEM_ZH: &[&str] = &[
    "裂了",
    "裂开",
    "破了",
    "损坏",
    "故障",
    "不工作",
    "没反应",
    "开不了机",
    "不开机",
    "漏水",
    "报错",
    "不转了",
    "坏了",
    "一直闪",
    "闪个不停",
    "亮红灯",
    "充不进电",
    "不充电",
    "连不上",
    "不加热",
    "异响",
    "怎么回事",
    "少了",
    "少件",
    "少发",
    "漏发",
    "缺件",
    "只有一",
    "不是应该",
];

/// Phrases of a question about how to do something: "what's the best way to clean the crispair
/// basket?" and "有没有教程教怎么连WiFi" ask how, not what to buy, unless they ask how to
/// choose ([`CHOOSING`]).
const HOW_TO_EN: &[&str] = &[
    "best way",
    "how to",
    "how do i",
    "how do you",
    "how can i",
    "how should i",
    "how often",
    // Care: "can the carafe and the mesh filter go in the dishwasher?" asks how to clean them.
    "dishwasher",
    "dishwasher-safe",
    "washable",
    "wash",
];
const HOW_TO_ZH: &[&str] = &["怎么", "如何", "教程", "步骤", "洗碗机", "水洗", "能洗", "清洗"];
/// Words of choosing or buying, which keep a "how" question one about what to buy ("how do I
/// choose", "怎么选").
const CHOOSING: &[&str] = &["choose", "pick", "decide", "选", "挑", "买"];

/// Chinese phrases that ask what to buy.
const ADVICE_ZH: &[&str] = &[
    "推荐",
    "建议买",
    "买哪",
    "选哪",
    "哪款",
    "哪一款",
    "哪个好",
    "哪个更好",
    "哪种好",
    "送礼",
    "礼物",
    "帮我挑",
    "帮我选",
    "值得买",
    "入哪",
    "入手哪",
    "该买",
    "配什么",
    "适合我",
    "有什么好",
    "买什么",
    "能用哪",
    "用哪个",
    "配哪",
    "哪个适合",
    "哪款适合",
    "卖得最好",
    "最好卖",
    "有啥好",
    "送什么",
];

/// Words that ask for parts, accessories or consumables of a product.
const PARTS_EN: &[&str] = &[
    "filter",
    "filters",
    "brush",
    "brushes",
    "spare",
    "spares",
    "replacement",
    "replacements",
    "refill",
    "refills",
    "part",
    "parts",
    "accessory",
    "accessories",
    "consumable",
    "consumables",
    "ear tips",
    "descaler",
    "sachets",
    "mop pads",
    "stock up",
    "run out",
    "running out",
];

/// Chinese words that ask for parts, accessories or consumables.
const PARTS_ZH: &[&str] = &[
    "囤",
    "单独买",
    "单买",
    "需要补",
    "配件",
    "耗材",
    "滤网",
    "滤芯",
    "边刷",
    "主刷",
    "替换",
    "备用",
    "耳塞",
    "耳帽",
    "除垢",
    "清洁剂",
    "拖布",
    "尘袋",
];

/// Words that bound a price from above ("under £100", "1500以内").
const BOUND_BEFORE_EN: &[&str] = &[
    "under",
    "below",
    "less than",
    "max",
    "maximum",
    "up to",
    "upto",
    "within",
    "no more than",
    "not more than",
    "budget",
    "budget is",
    "budget of",
    "at most",
    "cheaper than",
];
/// Words after an amount that bound it ("£100 max", "100 or less").
const BOUND_AFTER_EN: &[&str] = &["max", "maximum", "or less", "or under", "tops", "budget", "at most"];
/// Words that make an amount approximate ("around £100", "2000左右").
const ABOUT: &[&str] = &["around", "about", "roughly", "approx", "approximately", "~", "左右", "上下"];
/// Chinese words before an amount that bound it ("预算1500", "不超过2000").
const BOUND_BEFORE_ZH: &[&str] = &["预算", "不超过", "最多", "不到", "低于", "控制在", "以内的", "价位"];
/// Chinese words after an amount that bound it ("1500以内").
const BOUND_AFTER_ZH: &[&str] = &["以内", "以下", "之内", "内", "左右", "上下", "封顶", "不到"];
/// Words just before an amount that say it was paid, not a budget ("I paid £115").
const PAID: &[&str] = &["paid", "bought", "cost", "costs", "spent", "买的", "花了", "付了"];
/// A budget stated as "about X" may go this far over X.
const ABOUT_MARGIN: f64 = 1.1;

/// The most a shopper will spend.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// The most a product may cost, in minor units of `currency` (pence, cents, fen): the amount
    /// stated, with a margin when it was "about" it.
    pub max_minor: u64,
    /// The amount as the shopper stated it, in minor units.
    pub stated_minor: u64,
    /// ISO 4217 code, when the shopper named a currency (£, 元, "euros").
    pub currency: Option<&'static str>,
}

/// Whether `text` asks what to buy.
pub fn asks_advice(text: &str) -> bool {
    let lower = text.to_lowercase();
    ADVICE_ZH.iter().any(|w| lower.contains(w)) || ADVICE_EN.iter().any(|w| contains_words(&lower, w))
}

/// Whether `text` explicitly asks for a recommendation ("recommend", "推荐").
pub fn asks_recommendation(text: &str) -> bool {
    let lower = text.to_lowercase();
    STRONG.iter().any(|w| lower.contains(w))
}

/// Whether `text` reads as a shopper looking for something to buy ("looking for", "do you
/// have", "which", "想买", "有没有").
pub fn shopping(text: &str) -> bool {
    let lower = text.to_lowercase();
    SHOPPING_ZH.iter().any(|w| lower.contains(w))
        || SHOPPING_EN.iter().any(|w| contains_words(&lower, w))
        || have_one_at(&lower).is_some()
}

/// Where a Chinese "do you have one" question starts: "有没有…", or "有…吗" at the end
/// ("有能调温度的水壶吗"). What comes before it is its topic: "炸锅有没有白色的" asks about
/// a fryer's colours, "有没有手持吸尘器" for a vacuum.
pub fn have_one_at(lower: &str) -> Option<usize> {
    if let Some(at) = lower.find("有没有") {
        return Some(at);
    }
    let asks = lower.trim_end_matches(['?', '？', ' ', '!', '！']).ends_with(['吗', '么', '嘛']);
    lower.rfind('有').filter(|_| asks)
}

/// Whether `text` is about the shop's policies or an order (warranty, returns, delivery, 保修, 发票).
pub fn about_policy(text: &str) -> bool {
    let lower = text.to_lowercase();
    POLICY_ZH.iter().any(|w| lower.contains(w)) || POLICY_EN.iter().any(|w| contains_words(&lower, w))
}

/// Whether `text` is about one of the shop's services or offers (a loyalty programme, coupons,
/// a store, the app, 优惠券, 实体店).
pub fn about_service(text: &str) -> bool {
    let lower = text.to_lowercase();
    SERVICES_ZH.iter().any(|w| lower.contains(w)) || SERVICES_EN.iter().any(|w| contains_words(&lower, w))
}

/// Whether `text` reports a fault or damage ("cracked", "stopped working", "裂了", "开不了机").
pub fn reports_problem(text: &str) -> bool {
    let lower = text.to_lowercase();
    PROBLEM_ZH.iter().any(|w| lower.contains(w)) || PROBLEM_EN.iter().any(|w| contains_words(&lower, w))
}

/// Whether `text` asks how to do something, not how to choose what to buy.
pub fn asks_how(text: &str) -> bool {
    let lower = text.to_lowercase();
    let how =
        HOW_TO_ZH.iter().any(|w| lower.contains(w)) || HOW_TO_EN.iter().any(|w| contains_words(&lower, w));
    how && !CHOOSING.iter().any(|w| if w.is_ascii() { contains_words(&lower, w) } else { lower.contains(w) })
}

/// Verbs of getting something: "耳塞套丢了一个 能单买吗" asks whether one can buy it.
const GETTING_ZH: &[&str] = &["买", "换", "补", "卖", "囤", "订"];
/// English ones, matched as words.
const GETTING_EN: &[&str] = &["buy", "get", "order", "replace", "stock"];

/// Whether every question of `text` asks about something, not for it: whether it is so ("S7上地毯
/// 的时候拖布会自动抬起来吗？客厅铺了块大地毯怕弄湿") or what value it has other than its price ("how
/// long does one replacement kit last?"); not what or which, and not whether one can get
/// something ("能单买吗").
pub fn asks_only_about(text: &str) -> bool {
    let questions: Vec<Segment> = segments(text).into_iter().filter(|s| s.role == Role::Question).collect();
    !questions.is_empty() && questions.iter().all(|q| asks_about(&q.text))
}

/// Whether every question of `text` asks for a value other than a price ("how many of those
/// descaler packs do i need to buy to last a year", "主刷多久换一次"): about what the shopper
/// names, whatever words of buying it uses.
pub fn asks_only_values(text: &str) -> bool {
    let questions: Vec<Segment> = segments(text).into_iter().filter(|s| s.role == Role::Question).collect();
    !questions.is_empty()
        && questions
            .iter()
            .all(|q| expect::expectation(&q.text).is_some_and(|kind| kind != expect::Expectation::Amount))
}

/// Whether one question asks about something ([`asks_only_about`]).
fn asks_about(text: &str) -> bool {
    // "主刷多久换一次" asks how often, whatever verb it asks it with.
    if expect::expectation(text).is_some_and(|kind| kind != expect::Expectation::Amount) {
        return true;
    }
    let lower = text.to_lowercase();
    if GETTING_ZH.iter().any(|w| lower.contains(w)) || GETTING_EN.iter().any(|w| contains_words(&lower, w)) {
        return false;
    }
    let trimmed = lower.trim_end_matches(|c: char| c.is_whitespace() || "?？!！。.~～".contains(c));
    if trimmed.chars().any(kefu_ingest::locale::is_han) {
        return trimmed.ends_with(['吗', '么', '嘛'])
            || ["会不会", "能不能", "是不是", "可不可以", "有没有"].iter().any(|w| trimmed.contains(w));
    }
    // "…? and will it fit my S5": the conjunction that joins it to the question before asks nothing.
    let first =
        trimmed.split_whitespace().find(|w| !["and", "or", "but", "also", "so"].contains(w)).unwrap_or("");
    ["is", "are", "does", "do", "did", "can", "could", "will", "would", "should", "has", "have"]
        .contains(&first)
}

/// Whether `text` asks for parts, accessories or consumables.
pub fn asks_for_parts(text: &str) -> bool {
    let lower = text.to_lowercase();
    PARTS_ZH.iter().any(|w| lower.contains(w)) || PARTS_EN.iter().any(|w| contains_words(&lower, w))
}

/// Words after which an English shopper names the part they want ("a replacement case").
const PART_NAMED_AFTER_EN: &[&str] = &["replacement ", "spare ", "extra ", "another ", "second "];
/// Chinese ones ("能单独买一个水箱吗").
const PART_NAMED_AFTER_ZH: &[&str] = &["单独买", "单独补", "单买", "单独卖"];
/// Words that end the name of a part in English.
const PART_NAME_ENDS_EN: &[&str] =
    &[" for ", " from ", " to ", " that ", " which ", " and ", " or ", " on ", " in ", " with "];

/// The part a shopper asks to buy, as they name it: "can i buy just a replacement case from you?"
/// → "case", "能单独买一个水箱吗" → "水箱". None when they name none ("能单独补一只吗", "spare ones"
/// names "ones").
pub fn part_named(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    // The first named: "a second battery on its own as a spare part" asks for a battery.
    let mut cues: Vec<(usize, &str)> = PART_NAMED_AFTER_EN
        .iter()
        .filter_map(|cue| {
            let at = lower
                .match_indices(cue)
                .map(|(at, _)| at)
                .find(|&at| at == 0 || !lower[..at].ends_with(char::is_alphanumeric))?;
            Some((at, *cue))
        })
        .collect();
    cues.sort_unstable();
    for (at, cue) in cues {
        let rest = &lower[at + cue.len()..];
        let end = PART_NAME_ENDS_EN
            .iter()
            .filter_map(|s| rest.find(s))
            .chain(rest.find(['?', '.', ',', '!', ';', '\n']))
            .min()
            .unwrap_or(rest.len());
        let name = rest[..end].trim();
        if !name.is_empty() {
            return Some(name.to_string());
        }
    }
    for cue in PART_NAMED_AFTER_ZH {
        let Some(at) = lower.find(cue) else { continue };
        let rest = &lower[at + cue.len()..];
        let end = rest
            .find(['？', '?', '，', ',', '。', '！', '!', ' ', '\n', '吗', '么', '呀', '啊'])
            .unwrap_or(rest.len());
        let name = rest[..end].trim_start_matches(['一', '个', '只', '块', '套', '副', '两']).trim();
        if !name.is_empty() {
            return Some(name.to_string());
        }
    }
    None
}

/// Words that ask to buy a piece of something on its own.
const SEPARATELY: &[&str] = &["单独", "单买", "单卖", "separately", "on its own", "on their own"];

/// Whether `text` asks to buy a piece of something on its own ("耳机左耳丢了一只 能单独补一只吗").
pub fn asks_separately(text: &str) -> bool {
    let lower = text.to_lowercase();
    SEPARATELY.iter().any(|w| if w.is_ascii() { contains_words(&lower, w) } else { lower.contains(w) })
}

/// The words that ask for parts ([`asks_for_parts`]), English and Chinese.
pub fn part_words() -> impl Iterator<Item = &'static str> {
    PARTS_EN.iter().chain(PARTS_ZH).copied()
}

/// The budget `text` states: an amount with a currency ("£100", "1500元", "两千块") that is not
/// said to be paid, or any amount with a word that bounds it ("under 100", "预算1500"); the
/// first one.
pub fn budget(text: &str) -> Option<Budget> {
    let lower = text.to_lowercase();
    for amount in amounts(&lower) {
        let before = lower[..amount.range.start].trim_end();
        let after = lower[amount.range.end..].trim_start();
        let bounded_before = BOUND_BEFORE_EN.iter().any(|w| ends_with_word(before, w))
            || BOUND_BEFORE_ZH.iter().any(|w| before.ends_with(w));
        let bounded_after = BOUND_AFTER_EN.iter().any(|w| starts_with_word(after, w))
            || BOUND_AFTER_ZH.iter().any(|w| after.starts_with(w));
        let about = ABOUT.iter().any(|w| ends_with_word(before, w) || after.starts_with(w));
        let paid = PAID.iter().any(|w| {
            let window: String =
                before.chars().rev().take(24).collect::<Vec<_>>().into_iter().rev().collect();
            window.contains(w)
        });
        if paid && !bounded_before {
            continue;
        }
        if amount.currency.is_none()
            && (!(bounded_before || bounded_after || about) || clock_time(&lower, &amount))
        {
            continue;
        }
        let major = if about { amount.value * ABOUT_MARGIN } else { amount.value };
        return Some(Budget {
            max_minor: (major * 100.0).round() as u64,
            stated_minor: (amount.value * 100.0).round() as u64,
            currency: amount.currency,
        });
    }
    None
}

/// Whether a number without a currency is written as a time of day ("until about 8.30", "at
/// 7:45"): hours and two-digit minutes.
fn clock_time(lower: &str, amount: &Amount) -> bool {
    let written = &lower[amount.range.clone()];
    let Some((hours, minutes)) = written.split_once(['.', ':']) else { return false };
    minutes.len() == 2
        && hours.parse::<u32>().is_ok_and(|h| h <= 23)
        && minutes.parse::<u32>().is_ok_and(|m| m <= 59)
}

/// An amount of money or a plain number in a lowercased text.
#[derive(Debug)]
struct Amount {
    value: f64,
    currency: Option<&'static str>,
    range: std::ops::Range<usize>,
}

/// Words after a number that make it a quantity ("90 square metres", "7 people", "40平").
const UNITS: &[&str] = &[
    "sq", "square", "m2", "m²", "cm", "mm", "kg", "g", "l", "ml", "litre", "litres", "liter", "liters", "w",
    "watts", "db", "degrees", "minutes", "mins", "hours", "hrs", "days", "weeks", "months", "years",
    "people", "persons", "kids", "children", "cats", "dogs", "rooms", "bed", "bedroom", "bedrooms", "floors",
    "cups", "平", "平米", "平方", "寸", "度", "分钟", "小时", "天", "口", "人", "岁", "只", "个", "室", "层",
    "杯",
];

/// Currency words after an amount.
const CURRENCY_AFTER: &[(&str, &str)] = &[
    ("pounds", "GBP"),
    ("pound", "GBP"),
    ("quid", "GBP"),
    ("gbp", "GBP"),
    ("euros", "EUR"),
    ("euro", "EUR"),
    ("eur", "EUR"),
    ("dollars", "USD"),
    ("dollar", "USD"),
    ("bucks", "USD"),
    ("usd", "USD"),
    ("元", "CNY"),
    ("块", "CNY"),
    ("rmb", "CNY"),
    ("cny", "CNY"),
];

/// The amounts of `lower`: numbers ("100", "1,500", "1.5k", "两千五"), with the currency named
/// by a symbol before them or a word after them.
fn amounts(lower: &str) -> Vec<Amount> {
    let mut out = Vec::new();
    let chars: Vec<char> = lower.chars().collect();
    let offsets: Vec<usize> = lower.char_indices().map(|(b, _)| b).chain([lower.len()]).collect();
    let mut i = 0;
    while i < chars.len() {
        // Digits and Chinese numerals; a word ("one or two people") is no price.
        let number = if chars[i].is_ascii_alphabetic() { None } else { numbers::number(&chars, i) };
        let Some((mut value, mut end_index)) = number else {
            i += 1;
            continue;
        };
        let start = offsets[i];
        // "1.5k", "2千", "1万".
        match chars.get(end_index) {
            Some('k') if chars.get(end_index + 1).is_none_or(|c| !c.is_alphanumeric()) => {
                value *= 1000.0;
                end_index += 1;
            }
            Some('千') if chars[i].is_ascii_digit() => {
                value *= 1000.0;
                end_index += 1;
            }
            Some('万') if chars[i].is_ascii_digit() => {
                value *= 10_000.0;
                end_index += 1;
            }
            _ => {}
        }
        let end = offsets[end_index];
        let symbol = lower[..start].trim_end_matches(' ').chars().last().and_then(|c| match c {
            '£' => Some("GBP"),
            '€' => Some("EUR"),
            '$' => Some("USD"),
            '¥' | '￥' => Some("CNY"),
            _ => None,
        });
        let after = lower[end..].trim_start();
        // "100元以内": a Chinese currency word runs on into the next word.
        let word = CURRENCY_AFTER
            .iter()
            .find(|(w, _)| if w.is_ascii() { starts_with_word(after, w) } else { after.starts_with(w) })
            .map(|(_, code)| *code);
        // "拖布只有一块": under ten, 块 counts pieces unless money is said ("两块钱").
        let pieces = value < 10.0 && after.starts_with('块') && !after['块'.len_utf8()..].starts_with('钱');
        let word = word.filter(|_| !pieces);
        // "90m2", "20 mm", "40平", "7 people": a quantity, not money.
        let attached = lower[end..].chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        let unit = UNITS
            .iter()
            .any(|u| if u.is_ascii() { starts_with_word(after, u) } else { after.starts_with(u) });
        if word.is_none() && symbol.is_none() && (attached || unit || pieces) {
            i = end_index.max(i + 1);
            continue;
        }
        let range_start = match symbol {
            Some(_) => {
                let trimmed = lower[..start].trim_end_matches(' ');
                trimmed.len() - trimmed.chars().last().map_or(0, char::len_utf8)
            }
            None => start,
        };
        out.push(Amount { value, currency: symbol.or(word), range: range_start..end });
        i = end_index.max(i + 1);
    }
    out
}

fn ends_with_word(text: &str, word: &str) -> bool {
    text.strip_suffix(word).is_some_and(|rest| rest.chars().last().is_none_or(|c| !c.is_alphanumeric()))
}

fn starts_with_word(text: &str, word: &str) -> bool {
    text.strip_prefix(word).is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_requests_are_recognised_in_both_languages() {
        for text in [
            "can u recommend a quiet blender under £100",
            "gift for someone who loves coffee?",
            "what filter fits my Roamo S7",
            "which one should i get for a small flat",
            "推荐一款适合小户型的扫地机",
            "想买个破壁机 哪款好",
            "送礼送什么好",
        ] {
            assert!(asks_advice(text), "{text}");
        }
        for text in [
            "how do i return my blender",
            "my parcel is late, where is it",
            "is the Roamo S7 any good with dog hair",
            "退货运费谁出",
            "the suggested retail price was wrong on my invoice?",
        ] {
            assert!(!asks_advice(text), "{text}");
        }
        for text in [
            "do you have a loyalty programme?",
            "is there a store in london",
            "is there an actual nestwell shop anywhere in london where i can see the xl air fryer in person??",
            "有没有优惠券",
            "你们有实体店吗",
            "where are your earbuds actually made? trying to avoid buying stuff made in certain countries",
            "送我妈的生日礼物，能不能帮我手写一张生日贺卡放包裹里一起寄过去呀",
        ] {
            assert!(about_service(text), "{text}");
        }
        assert!(!about_service("do you have a quiet blender?") && !about_service("有没有静音的破壁机"));
        assert!(reports_problem("the blender lid is cracked after a week, what do i do"));
        assert!(reports_problem("破壁机盖子裂了怎么办") && !reports_problem("有没有静音的破壁机"));
        assert!(reports_problem("my brewa keeps showing a flashing descale light, using your sachets"));
        assert!(reports_problem("扫地机一直闪红灯，滤网也换了，怎么回事"));
        assert!(!reports_problem("which descaler works for the brewa?"));
        // Something missing from what was delivered.
        assert!(reports_problem("just opened the S7 replacement kit and there's only ONE hepa filter in it"));
        assert!(reports_problem("拆开发现拖布只有一块，不是应该两块吗？"));
        assert!(!shopping("the lid cracked after a week") && shopping("I'm after a quiet blender"));
        for text in [
            "what's the best way to clean the crispair basket?",
            "有没有教程教怎么连WiFi",
            "can the brewa's glass carafe and the mesh filter go in the dishwasher?",
            "耗材套装的滤网能水洗吗",
        ] {
            assert!(asks_how(text), "{text}");
        }
        assert!(
            !asks_how("how do i choose a blender")
                && !asks_how("扫地机怎么选")
                && !asks_how("quiet blender?")
        );
        // A return in shoppers' words is about a policy, whatever gift it mentions.
        for text in [
            "I bought it as a gift but he has one. Can I send it back and get my money back?",
            "礼物还没拆封 能退吗",
            "想买个空气炸锅，能送到新疆吗",
            "想买你们那个温控电热水壶，可以直接寄到香港吗？",
        ] {
            assert!(about_policy(text), "{text}");
        }
        assert!(
            asks_only_about("S7上地毯的时候拖布会自动抬起来吗？客厅铺了块大地毯怕弄湿")
                && asks_about("can the mop pads go in the wash?")
        );
        assert!(!asks_about("what filter fits my roamo") && !asks_about("滤网在哪买"));
        assert!(!asks_about("耳塞套丢了一个 能单买吗") && !asks_about("can I buy spare filters?"));
        assert!(
            asks_only_about("how long does one roamo replacement kit last? and will it fit my S5")
                && !asks_about("how much is a spare filter?")
        );
        assert!(asks_only_about("漫游S7的主刷多久换一次啊？拖布脏了能直接扔洗衣机洗吗"));
        assert!(asks_only_values(
            "how many of those descaler packs do i need to buy to last a year for my brewa?"
        ));
        assert!(!asks_only_values("how many filters come in a kit? and which one should I buy"));
        assert!(!asks_only_values("how much is a spare filter?"), "a price asks what to buy");
        assert!(reports_problem("theres no mop thing anywhere?? is that supposed to come with it"));
        assert!(asks_for_parts("what filter fits my roamo"));
        assert!(asks_for_parts("扫地机的滤网在哪买"));
        assert!(!asks_for_parts("quiet blender please"));
    }

    #[test]
    fn the_part_a_shopper_names() {
        assert_eq!(part_named("can i buy just a replacement case from you?").as_deref(), Some("case"));
        assert_eq!(part_named("any spare mop pads for the s7").as_deref(), Some("mop pads"));
        assert_eq!(part_named("能单独买一个水箱吗").as_deref(), Some("水箱"));
        assert_eq!(part_named("能单独补一只吗"), None);
        assert_eq!(
            part_named("do you sell a second battery on its own as a spare part").as_deref(),
            Some("battery")
        );
        assert_eq!(part_named("is there a warranty on replacements"), None, "not a word's inside");
        assert_eq!(part_named("what filter fits my roamo s7?"), None);
        assert!(asks_separately("耳机左耳丢了一只 能单独补一只吗") && asks_separately("sold separately?"));
        assert!(!asks_separately("the sepárate parts") && !asks_separately("炸锅多少钱"));
    }

    #[test]
    fn budgets_in_currencies_words_and_chinese_numerals() {
        type MaxAndCurrency = Option<(u64, Option<&'static str>)>;
        let cases: &[(&str, MaxAndCurrency)] = &[
            ("quiet blender under £100", Some((10_000, Some("GBP")))),
            ("something below 80 quid", Some((8_000, Some("GBP")))),
            ("budget is around €200", Some((22_000, Some("EUR")))),
            ("max $1.5k", Some((150_000, Some("USD")))),
            ("预算1500左右的扫地机", Some((165_000, None))),
            ("两千块以内", Some((200_000, Some("CNY")))),
            ("两千五以内的扫地机", Some((250_000, None))),
            ("1,500元以内", Some((150_000, Some("CNY")))),
            ("under 100", Some((10_000, None))),
            ("for a family of 5", None),
            ("I paid £115 last week, anything cheaper?", None),
            ("it's 20mm high", None),
            ("flat is about 90m2, which one", None),
            ("about 90 square metres", None),
            ("40平的小户型 1500以内", Some((150_000, None))),
            // Times of day are no budget; a price in a currency still is.
            ("I sip coffee until about 8.30", None),
            ("the dock beeps at 7:45, about 6.30 too", None),
            ("under £8.30", Some((830, Some("GBP")))),
            // 块 also counts pieces: under ten, only money when 钱 follows.
            ("拖布只有一块", None),
            ("两块钱以内的", Some((200, Some("CNY")))),
            ("三十块以内", Some((3_000, Some("CNY")))),
        ];
        for (text, expected) in cases {
            let got = budget(text).map(|b| (b.max_minor, b.currency));
            assert_eq!(got, *expected, "{text}");
        }
    }
}
