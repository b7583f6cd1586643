//! Questions about one order's progress ("where is my order NW-58213", "订单尾号4417 退款到账了吗",
//! "快递单号SF1402938812 修到哪一步了"): only the shop's order system can answer them, so kefu
//! does not answer them from the help center; it hands them to a person with the order number.
//! A question that names an order but asks about a rule ("my order NW-1234 arrived damaged, what
//! do I do?") is not one of them. Pure functions.

/// Words that name an order or parcel number just before it.
const ORDER_WORDS: &[&str] = &[
    "order",
    "order number",
    "order no",
    "order #",
    "order nr",
    "return on order",
    "tracking number",
    "tracking no",
    "parcel",
    "ref",
    "reference",
    "ends in",
    "ending in",
    "订单",
    "订单号",
    "单号",
    "订单尾号",
    "尾号",
    "快递单号",
    "运单号",
    "物流单号",
    "退货单号",
    "售后单号",
];

/// Words that ask where an order stands.
const STATUS_EN: &[&str] = &[
    "where is",
    "where's",
    "wheres",
    "shipped",
    "dispatched",
    "status",
    "processed",
    "yet",
    "track",
    "tracking",
    "update",
    "progress",
    "still nothing",
    "not arrived",
    "hasn't arrived",
    "has it",
    "did you",
    "have you",
    "when will",
    "checked",
    // "…what day is it actually going to arrive": when this order comes.
    "arrive",
    "arriving",
    "get here",
];

/// Chinese words that ask where an order stands.
const STATUS_ZH: &[&str] = &[
    "到哪",
    "发货了",
    "发了吗",
    "到账",
    "处理了",
    "处理到",
    "进度",
    "审核",
    "收到了",
    "收到没",
    "上门",
    "联系我",
    "到了吗",
    "什么时候到",
    "怎么还没",
    "还没",
    "哪一步",
    "通过了",
    "状态",
    "查一下",
    "查下",
    "查查",
    "帮我查",
    "帮我看看",
    "了没",
    "修好",
    "寄回来了",
    "寄回来没",
    "寄出了",
];

/// Words that ask what the rules allow or what to do ("my order NW-1234 arrived damaged, can I
/// get a replacement?"): a question naming its order in such words is about a rule, not about
/// where that order stands.
const RULE_EN: &[&str] = &[
    "what do i do",
    "what should i do",
    "what can i do",
    "what are my options",
    "how do i",
    "how can i",
    "can i",
    "could i",
    "do i need",
    "do i have to",
    "should i",
    "am i able",
    "is it possible",
    "am i allowed",
    "how long do i have",
];

/// Chinese words that ask what the rules allow or what to do.
const RULE_ZH: &[&str] = &[
    "怎么办",
    "咋办",
    "怎么处理",
    "如何",
    "能不能",
    "可不可以",
    "可以",
    "能否",
    "需要",
    "要怎么",
    "怎么申请",
    "应该",
];

/// Shortest run of digits read as an order or parcel number without a word naming it.
const BARE_NUMBER_DIGITS: usize = 8;
/// Fewest digits after the hyphen of a reference read as an order's without a word naming it
/// ("NW-52096").
const REFERENCE_DIGITS: usize = 5;
/// Fewest digits in a number named as an order's ("order NW-58213", "尾号4417").
const NAMED_NUMBER_DIGITS: usize = 4;

/// Words with which a question points at the order its message names ("帮我查一下 NW-71209
/// 这单的发票开出来没", "…NW-58213. has the refund for this order gone through?").
const THIS_ORDER: &[&str] = &[
    "这单",
    "这个订单",
    "这笔订单",
    "该订单",
    "此订单",
    "这一单",
    "this order",
    "that order",
    "the same order",
];

/// Pronouns by which an English question points at what its message named ("Can you tell me
/// where my order NW-48213 is and what day it'll actually arrive?").
const POINTING_EN: &[&str] = &["it", "it'll", "itll", "they", "they'll", "theyll", "them"];

/// Whether `question`, which names no order number itself, asks where the order its message
/// names stands: it points at it ([`THIS_ORDER`]; in English by a pronoun, in Chinese by asking
/// kefu to look, its subject left out: "订单号…到哪了 帮我查查是不是丢件了") and asks about
/// progress, or, in Chinese, whether something has happened yet ("…开出来没", "…退了没有"), and
/// asks nothing about the rules (nor, by a pronoun, how long things take).
pub fn asks_about_that_order(question: &str) -> bool {
    let lower = question.to_lowercase().replace('’', "'");
    let named =
        THIS_ORDER.iter().any(|w| if w.is_ascii() { contains_words(&lower, w) } else { lower.contains(w) });
    let pointed = if lower.chars().any(kefu_ingest::locale::is_han) {
        LOOKUP_ZH.iter().any(|w| lower.contains(w))
    } else {
        POINTING_EN.iter().any(|w| contains_words(&lower, w))
            && super::expect::expectation(&lower) != Some(super::expect::Expectation::Duration)
    };
    let happened_yet = bare(&lower).ends_with('没') || bare(&lower).ends_with("没有");
    (named || pointed)
        && (asks_status(&lower) || happened_yet)
        && !asks_rule(&lower)
        && order_reference(question).is_none()
}

/// Whether `question` asks whether something of the customer's own has happened yet ("refund到账了
/// 没有啊？", "has it been dispatched yet?"): in a message that asks kefu to look at their own
/// records ("帮我查一下我这单"), only the shop's systems know.
pub fn asks_whether_done(question: &str) -> bool {
    let lower = question.to_lowercase();
    let happened_yet = ["没", "没有", "了吗"].iter().any(|end| bare(&lower).ends_with(end));
    asks_status(&lower) && !asks_rule(&lower) && (happened_yet || contains_words(&lower, "yet"))
}

/// `lower` without what ends a question ("？", "啊", "呢").
fn bare(lower: &str) -> &str {
    lower.trim_end_matches(|c: char| c.is_whitespace() || "?？!！。.~～啊呀呢".contains(c))
}

/// Whether lowercase `lower` asks where something stands ([`STATUS_ZH`], [`STATUS_EN`]).
fn asks_status(lower: &str) -> bool {
    STATUS_ZH.iter().any(|w| lower.contains(w)) || STATUS_EN.iter().any(|w| contains_words(lower, w))
}

/// Whether lowercase `lower` asks what the rules allow ([`RULE_ZH`], [`RULE_EN`]).
fn asks_rule(lower: &str) -> bool {
    RULE_ZH.iter().any(|w| lower.contains(w)) || RULE_EN.iter().any(|w| contains_words(lower, w))
}

/// The order or parcel number `question` asks about the progress of, if it asks about one: it
/// names the number and asks where things stand, or names it as an order's ("订单尾号4208") and
/// asks nothing about the rules ("到底检出啥了？" is about that order).
pub fn order_status_request(question: &str) -> Option<String> {
    let (number, named) = order_reference(question)?;
    let lower = question.to_lowercase();
    (asks_status(&lower) || (named && !asks_rule(&lower))).then_some(number)
}

/// An order or parcel number in `text`: a code with at least 4 digits right after a word naming
/// an order ("order NW-58213", "订单尾号4417"), any code with at least 8 digits
/// ("2025111207781", "SF1402938812"), or a prefix and at least 5 digits alone after a hyphen
/// ("NW-52096"). Product model numbers ("NW-BL1200") are none of these.
pub fn order_number(text: &str) -> Option<String> {
    order_reference(text).map(|(number, _)| number)
}

/// The order or parcel number in `text`, and whether a word names it as one.
fn order_reference(text: &str) -> Option<(String, bool)> {
    let mut bare = None;
    for (start, code) in codes(text) {
        let digits = code.chars().filter(char::is_ascii_digit).count();
        // Lowercased after slicing: lowercasing can change lengths ("İ" takes 3 bytes).
        let before = text[..start].to_lowercase();
        let before = before.trim_end_matches([' ', ':', '：', '#', '-', '为', '是']);
        if digits >= NAMED_NUMBER_DIGITS && ORDER_WORDS.iter().any(|w| before.ends_with(w)) {
            return Some((code.to_string(), true));
        }
        // "NW-52096": a prefix and a run of digits alone is a shop's reference, not a model
        // ("NW-BL1200" has letters after its hyphen).
        let reference = code.rsplit_once('-').is_some_and(|(prefix, number)| {
            prefix.bytes().any(|b| b.is_ascii_alphabetic())
                && number.len() >= REFERENCE_DIGITS
                && number.bytes().all(|b| b.is_ascii_digit())
        });
        if (digits >= BARE_NUMBER_DIGITS || reference) && bare.is_none() {
            bare = Some((code.to_string(), false));
        }
    }
    bare
}

/// English verbs asking kefu to look into the customer's own records ("can you check my points").
const LOOKUP_EN: &[&str] = &["check", "look up", "look at", "look into", "see", "tell me"];

/// What of the customer's own only the shop's systems know ("my points", "my balance").
const OWN_RECORDS_EN: &[&str] = &[
    "my account",
    "my points",
    "my balance",
    "my membership",
    "my tier",
    "my level",
    "my status",
    "my instalments",
    "my installments",
    "my payments",
    "my credit",
    "my store credit",
];

/// English questions about the customer's own numbers ("how many points do I have").
const OWN_STATE_EN: &[&str] = &[
    "how many points do i have",
    "how many points have i got",
    "how many points i have",
    "how much credit do i have",
    "how much do i have left",
    "how much have i got left",
    "how many instalments do i have left",
    "how many installments do i have left",
    "what's my balance",
    "what is my balance",
    "whats my balance",
    "what's my points balance",
    "what tier am i",
    "what level am i",
];

/// Chinese words asking kefu to look something up.
const LOOKUP_ZH: &[&str] =
    &["帮我看看", "帮我看下", "帮我看一下", "帮我查", "帮忙查", "帮查", "查一下", "查下", "查查", "看看我"];

/// Chinese words about the customer's own records or state, after a request to look or alone
/// ("我现在有多少积分", "我那单巢好分期还剩几期", "我还差多少成长值").
const OWN_STATE_ZH: &[&str] = &[
    "我现在有多少",
    "我有多少",
    "我还有多少",
    "我还剩",
    "我还差多少",
    "现在还差多少",
    "我那单",
    "我这单",
    "我账户",
    "我的账户",
    "我账号",
    "我的账号里",
    "我下个月",
];

/// Whether `question` asks about the customer's own account — their points, balance, tier or
/// what is left to pay ("帮我看看我下个月会不会掉到金卡", "can you check my points balance"): only the
/// shop's systems know, so kefu hands it to a person rather than answering with the rules.
pub fn account_lookup_request(question: &str) -> bool {
    let lower = question.to_lowercase();
    if lower.chars().any(kefu_ingest::locale::is_han) {
        let looked_up = LOOKUP_ZH.iter().find_map(|w| lower.find(w).map(|at| &lower[at + w.len()..]));
        return OWN_STATE_ZH.iter().any(|w| lower.contains(w))
            || looked_up.is_some_and(|rest| rest.contains('我'));
    }
    let lower = lower.replace('’', "'");
    OWN_STATE_EN.iter().any(|p| contains_words(&lower, p))
        || LOOKUP_EN.iter().any(|verb| {
            lower.match_indices(verb).any(|(at, _)| {
                // Asked of kefu ("can you check my…", "please look up my…"), not how-to ("can I
                // see my points in the app?").
                let before = lower[..at].trim_end();
                let asked =
                    before.is_empty() || ["you", "please", "pls", "plz"].iter().any(|w| before.ends_with(w));
                asked && contains_words(&lower[at..], verb) && {
                    let rest = &lower[at + verb.len()..];
                    OWN_RECORDS_EN.iter().any(|r| rest.trim_start().starts_with(r))
                }
            })
        })
}

/// English verbs asking to change what was ordered, and what they change.
const CHANGE_EN: &[&str] = &["change", "swap", "switch", "add", "remove"];
const CHANGED_EN: &[&str] = &["colour", "color", "size", "item", "items", "address", "quantity", "model"];
/// English words telling that the customer has ordered; and that the order has come.
const ORDERED_EN: &[&str] = &["ordered", "placed an order", "put in an order", "just bought", "order"];
const ARRIVED_EN: &[&str] =
    &["arrived", "delivered", "came", "received", "got it", "got them", "unboxed", "opened"];
/// `question` with the order it asks to change named, when it asks to change what was ordered
/// (its colour, size, items, address) without naming the order and `message` tells that the
/// customer ordered and nothing that it has come: "ordered the Pour kettle in brushed steel 20
/// mins ago … can u just change the colour?" asks to change the order ("…on my order"), which
/// the help center's page on changing orders answers, not the product's page or the exchanges
/// of delivered items.
pub fn with_order_named(question: &str, message: &str) -> String {
    let lower = question.to_lowercase();
    let message = message.to_lowercase();
    // Chinese is left as it is: no Chinese dev message gained from naming the order, and the
    // question is shown back as read when kefu hands it over.
    if lower.chars().any(kefu_ingest::locale::is_han) {
        return question.to_string();
    }
    let asks = CHANGE_EN.iter().any(|w| contains_words(&lower, w))
        && CHANGED_EN.iter().any(|w| contains_words(&lower, w));
    let ordered = ORDERED_EN.iter().any(|w| contains_words(&message, w))
        && !ARRIVED_EN.iter().any(|w| contains_words(&message, w));
    if !(asks && ordered) || contains_words(&lower, "order") {
        return question.to_string();
    }
    match question.trim_end().strip_suffix('?') {
        Some(asked) => format!("{} on my order?", asked.trim_end()),
        None => format!("{} on my order", question.trim_end()),
    }
}

/// The Chinese words kefu itself reads in a question about an order, to be recognised when typed
/// in pinyin ("dingdan weihao 7731", "tuikuan dao na le").
pub fn chinese_words() -> impl Iterator<Item = &'static str> {
    ORDER_WORDS.iter().chain(STATUS_ZH).copied().filter(|w| !w.is_ascii())
}

/// Runs of ASCII letters, digits and inner hyphens that hold a digit, with their byte offsets.
fn codes(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    let bytes = text.as_bytes();
    for i in 0..=bytes.len() {
        let inside = bytes.get(i).is_some_and(|&b| {
            b.is_ascii_alphanumeric()
                || (b == b'-' && start.is_some() && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric))
        });
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let code = &text[s..i];
                if code.bytes().any(|b| b.is_ascii_digit()) {
                    out.push((s, code));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Whether `phrase` occurs in `text` as whole words.
pub(super) fn contains_words(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().last().is_none_or(|c| !c.is_alphanumeric());
        let after = text[i + phrase.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_asked_of_what_was_just_ordered_names_the_order() {
        let message =
            "ordered the kettle in brushed steel 20 mins ago but wanted white. can u just change the colour?";
        assert_eq!(
            with_order_named("can you just change the colour?", message),
            "can you just change the colour on my order?"
        );
        // Delivered: a change of what came is an exchange; asked of an order already: unchanged.
        let came = "ordered the kettle in steel, it arrived today. can you change the colour?";
        assert_eq!(with_order_named("can you change the colour?", came), "can you change the colour?");
        assert_eq!(
            with_order_named("can I change the colour of my order?", message),
            "can I change the colour of my order?"
        );
        assert_eq!(
            with_order_named("刚下单想换个颜色可以吗", "刚下单想换个颜色可以吗"),
            "刚下单想换个颜色可以吗"
        );
    }

    #[test]
    fn questions_about_the_customers_own_account_are_recognised() {
        for asked in [
            "帮我看看我下个月会不会掉到金卡？",
            "现在还差多少成长值能保住？",
            "我那单巢好分期还剩几期没还？",
            "能帮我看看我现在有多少积分吗？",
            "帮查下我账号里的积分余额",
            "can you check my points balance?",
            "how many points do I have?",
            "could you look up my account and tell me what tier I'm on",
            "what's my balance on store credit",
        ] {
            assert!(account_lookup_request(asked), "{asked}");
        }
        for rule in [
            "帮我看看这个能不能退",
            "积分多少可以抵一块钱",
            "金卡会员有什么权益",
            "how many points do I get for £100?",
            "how do I check my order status",
            "can I see my points in the app?",
            "what tier do I need for free returns",
        ] {
            assert!(!account_lookup_request(rule), "{rule}");
        }
    }

    #[test]
    fn questions_about_one_orders_progress_are_recognised() {
        let cases = [
            ("where is my order NW-58213, its been a week", "NW-58213"),
            ("order NW-70031 - has it shipped yet?", "NW-70031"),
            ("Has my refund actually been processed yet? (return on order NW-77104)", "NW-77104"),
            ("以旧换新的回收师傅到底哪天上门啊 订单NW2025112001", "NW2025112001"),
            ("订单尾号4417，到现在钱还没到账，帮我看看处理了没有", "4417"),
            ("快递单号SF1402938812，现在修到哪一步了", "SF1402938812"),
            ("寄修的水壶 SN码 KT170-2511-08873 修好了吗 寄回来没有", "KT170-2511-08873"),
            ("售后申请审核通过了吗 订单号 2025111207781", "2025111207781"),
            ("NW202511240931 这个订单的退款退了没有？", "NW202511240931"),
            ("whats left on my gift card? code ends in 4471", "4471"),
            (
                "deleted the dispatch email for NW-52096 🙈 can you paste the tracking number here?",
                "NW-52096",
            ),
            ("NW-52096 - what day is it actually going to arrive?", "NW-52096"),
            // Named as an order's, and asking nothing about the rules.
            ("退回去的扫地机 仓库质检说有问题要扣钱 到底检出啥了？？订单尾号4208", "4208"),
            (
                "sent back 2 of the 4 things from order NW-85502 last week, how much am i getting back",
                "NW-85502",
            ),
        ];
        for (question, number) in cases {
            assert_eq!(order_status_request(question).as_deref(), Some(number), "{question}");
        }
    }

    #[test]
    fn rules_model_numbers_and_prices_are_not_orders() {
        for question in [
            "how long does a refund take",
            "where is the serial number on the NW-BL1200?",
            "my order arrived damaged, what do I do",
            "my order NW-12345 arrived with a cracked jar, can I get a replacement",
            "订单尾号4417的商品坏了，怎么办",
            "order NW-55555 came without the plug adapter, what should I do?",
            "my card ending in 1234 was charged twice, can I get the money back?",
            "空气炸锅NW-AF550多少钱",
            "I paid £1299.00, is shipping free",
            "退款多久到账",
        ] {
            assert_eq!(order_status_request(question), None, "{question}");
        }
        assert_eq!(order_number("my order NW-12345 arrived with a cracked jar").as_deref(), Some("NW-12345"));
        assert_eq!(order_number("the NW-BL1200 blender"), None);
        assert_eq!(order_number("the NW-AF550 air fryer"), None);
        assert_eq!(order_number("deleted the email for NW-52096").as_deref(), Some("NW-52096"));
        // Text whose lowercase is longer than itself.
        assert_eq!(order_number("İİ订单1234到哪了").as_deref(), Some("1234"));
    }

    #[test]
    fn questions_whether_something_has_happened_yet_are_recognised() {
        for asked in ["refund到账了没有啊？", "退款到账没", "has it been dispatched yet?"] {
            assert!(asks_whether_done(asked), "{asked}");
        }
        for question in
            ["退款多久到账", "能不能退了吗", "can I still cancel it yet?", "how long does a refund take"]
        {
            assert!(!asks_whether_done(question), "{question}");
        }
    }

    #[test]
    fn a_question_pointing_at_the_order_its_message_names_asks_where_it_stands() {
        for asked in [
            "这单的发票开出来没",
            "这个订单的退款到账了吗",
            "has the refund for this order gone through yet?",
            "what day it'll actually arrive?",
            "has it shipped yet?",
            "帮我查查是不是丢件了",
            "帮我查下物流",
        ] {
            assert!(asks_about_that_order(asked), "{asked}");
        }
        for question in [
            "这单还能退吗",
            "发票开出来没",
            "can I still cancel this order?",
            "这单NW-71209的发票开出来没",
            "what's the order of the steps?",
            // Rules, and how long things take, whatever they point at.
            "can I return it?",
            "how long will it take to arrive?",
            "帮我查一下能不能退",
            "will it fit under my sofa?",
        ] {
            assert!(!asks_about_that_order(question), "{question}");
        }
    }
}
