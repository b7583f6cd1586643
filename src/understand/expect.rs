//! What kind of answer a question asks for ("how much" wants an amount, "多久" a duration), and
//! whether a sentence gives one. A passage about the right thing that states no such value does
//! not answer the question ("how much is a spare basket?" against a page that only says spare
//! baskets exist). Pure functions.

/// The kind of value a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// A price, fee or percentage.
    Amount,
    /// A length of time.
    Duration,
    /// A time of day, a day or a date.
    Time,
    /// A number of things.
    Count,
    /// A weight.
    Weight,
    /// A length, height, distance or other size.
    Size,
    /// A loudness.
    Loudness,
    /// An electrical power.
    Power,
    /// A volume held.
    Capacity,
    /// A temperature.
    Temperature,
    /// A company, bank, insurer or carrier.
    Organisation,
    /// Where a product is made.
    Origin,
}

/// Units of each measure (lowercase), after a number.
const UNITS: &[(Expectation, &[&str])] = &[
    (
        Expectation::Weight,
        &["kg", "g ", "g,", "g.", "grams", "gram", "kilo", "lb", "pound", "oz", "公斤", "千克", "克", "斤"],
    ),
    (
        Expectation::Size,
        &["cm", "mm", "m ", "m,", "m.", "m²", "metre", "meter", "inch", "厘米", "毫米", "米", "寸"],
    ),
    (Expectation::Loudness, &["db", "decibel", "分贝"]),
    (Expectation::Power, &["w ", "w,", "w.", "w)", "watt", "kw", "瓦"]),
    (Expectation::Capacity, &["l ", "l,", "l.", "l)", "litre", "liter", "ml", "升", "毫升"]),
    (Expectation::Temperature, &["℃", "°c", "°f", "° c", "° f", "degree", "度"]),
];

/// English phrases asking for each kind, checked in this order (first match wins).
const EN: &[(Expectation, &[&str])] = &[
    (
        Expectation::Organisation,
        &[
            "which company",
            "what company",
            "which bank",
            "what bank",
            "which insurer",
            "which insurance company",
            "which courier",
            "what courier",
            "which carrier",
            "what carrier",
            "who provides",
            "who underwrites",
            "who is the lender",
            "who's the lender",
        ],
    ),
    (Expectation::Temperature, &["what temperature", "what temp", "how hot", "how many degrees", "how warm"]),
    (Expectation::Weight, &["how heavy", "weigh", "weight"]),
    (Expectation::Loudness, &["how loud", "how quiet", "how noisy", "decibel", "in db", "noise level"]),
    (Expectation::Power, &["wattage", "how many watts", "how powerful", "power rating"]),
    (
        Expectation::Capacity,
        &["capacity", "how many litres", "how many liters", "how much water", "how much does it hold"],
    ),
    (
        Expectation::Size,
        &[
            "how big",
            "how tall",
            "how high",
            "how wide",
            "how long is the cable",
            "how long is the cord",
            "how long is the power cord",
            "how long is the power cable",
            "how long is the power lead",
            "how long is the lead",
            // "whats the cable length on the brewa?" ("how long" is a duration, below).
            "length",
            "dimensions",
            "what size",
            "how far",
            "how many metres",
            "how many meters",
            "how many feet",
            "how many cm",
            "how many inches",
            "how deep",
            // How much of a place something takes is a size, not an amount of money.
            "how much space",
            "how much room",
            "how much clearance",
            "how much counter",
            "how much width",
            "how much height",
            "how much depth",
            "width-wise",
            "widthwise",
        ],
    ),
    // How much of something that lasts is a duration, not an amount of money.
    (
        Expectation::Duration,
        &[
            "how much time",
            "how much music",
            "how much playback",
            "how much listening",
            "how much battery",
            "how much charge",
            "how much use",
        ],
    ),
    (
        Expectation::Amount,
        &[
            "how much",
            "what's the price",
            "what is the price",
            "what does it cost",
            "how expensive",
            "what's the fee",
            "what is the fee",
        ],
    ),
    (
        Expectation::Duration,
        &[
            "how long",
            "how many days",
            "how many weeks",
            "how many months",
            "how many hours",
            "how many years",
            "how quickly",
            "how soon",
        ],
    ),
    (
        Expectation::Time,
        &["what time", "what hours", "which hours", "opening hours", "which day", "what day", "what date"],
    ),
    (Expectation::Count, &["how many"]),
];

/// Chinese phrases asking for each kind, checked in this order.
const ZH: &[(Expectation, &[&str])] = &[
    (
        Expectation::Organisation,
        &[
            "哪家",
            "哪个公司",
            "什么公司",
            "哪个银行",
            "什么银行",
            "什么快递",
            "哪个快递",
            "哪个机构",
            "什么机构",
        ],
    ),
    (
        Expectation::Origin,
        &["产地", "哪里生产", "哪生产", "哪里产", "哪儿产", "哪里制造", "哪国产", "国产还是进口", "进口的吗"],
    ),
    (
        Expectation::Temperature,
        &["多少度", "几度", "温度多少", "温度是多少", "多高温度", "最高温度", "最低温度"],
    ),
    (Expectation::Weight, &["多重", "重量", "几斤", "几公斤", "多少克"]),
    (Expectation::Loudness, &["分贝", "噪音多大", "声音多大", "多吵"]),
    (Expectation::Power, &["功率", "多少瓦", "几瓦"]),
    (Expectation::Capacity, &["容量", "多少升", "几升", "多少毫升", "能装多少"]),
    (
        Expectation::Size,
        &[
            "多大",
            "多高",
            "多宽",
            "尺寸",
            "多长",
            "多厚",
            "多远",
            "几米",
            "多少米",
            "多少厘米",
            "多少空间",
            "多少地方",
        ],
    ),
    (
        Expectation::Amount,
        &[
            "多少钱",
            "价格",
            "什么价",
            "几块",
            "多少元",
            "费用多少",
            "收多少",
            "扣多少",
            "退多少",
            "赔多少",
            "贵不贵",
        ],
    ),
    (
        Expectation::Duration,
        &[
            "多久",
            "几天",
            "多长时间",
            "多少天",
            "几个工作日",
            "多长",
            "几个月",
            "几年",
            "多少小时",
            "几小时",
            "几分钟",
            "多少分钟",
        ],
    ),
    (Expectation::Time, &["什么时候", "几点", "哪天", "几号", "哪一天", "何时"]),
    (Expectation::Count, &["多少", "几个", "几次", "几台"]),
];

/// Words that name a company, bank, insurer or carrier (lowercase): a legal form or a known
/// name. "合作的保险公司" (a partner insurer) or "持牌金融机构" names none: it does not say which.
const ORGANISATIONS: &[&str] = &[
    "有限公司",
    "股份",
    "顺丰",
    "中通",
    "圆通",
    "申通",
    "韵达",
    "京东物流",
    "邮政",
    "ems",
    "德邦",
    "极兔",
    "工商银行",
    "建设银行",
    "招商银行",
    "中国银行",
    "农业银行",
    "交通银行",
    "平安",
    "人保",
    "众安",
    "太平洋保险",
    "支付宝",
    "蚂蚁",
    " ltd",
    "limited",
    " inc.",
    " plc",
    " gmbh",
    " b.v.",
    "dpd",
    "dhl",
    "ups",
    "fedex",
    "royal mail",
    "evri",
    "an post",
    "usps",
    "canada post",
    "postnl",
    "gls",
    "klarna",
    "paypal",
    "clearpay",
    "affirm",
];

/// Units of time after a number.
const TIME_UNITS: &[&str] = &[
    "second",
    "minute",
    "min",
    "hour",
    "hr",
    "day",
    "week",
    "month",
    "year",
    "business day",
    "working day",
    "秒",
    "分钟",
    "小时",
    "天",
    "日",
    "周",
    "星期",
    "个月",
    "月",
    "年",
    "工作日",
];

/// Words naming days.
const DAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "weekday",
    "weekend",
    "today",
    "tomorrow",
    "周一",
    "周二",
    "周三",
    "周四",
    "周五",
    "周六",
    "周日",
    "周末",
    "工作日",
    "节假日",
    "当天",
    "次日",
    "星期",
];

/// The kind of value `question` asks for, if it asks for one.
pub fn expectation(question: &str) -> Option<Expectation> {
    cue(question).map(|(kind, _, _)| kind)
}

/// What a question asks a value of: the kind of value, and the words naming the thing it is a
/// value of, when the question names one next to its cue ("额度" in "一般给多少额度", "电池" in
/// "电池单独卖多少钱", "quiet mode" in "how quiet is quiet mode").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The kind of value.
    pub kind: Expectation,
    /// The words of the thing, in order (the last is the head: "cord" of "power cord").
    pub focus: Vec<String>,
}

/// What `question` asks a value of, if it asks for one. A count asked of a sum of money
/// ("运费多少", "多少额度") asks for an amount.
pub fn asked(question: &str) -> Option<Asked> {
    let (mut kind, lower, at) = cue(question)?;
    let focus = if lower.chars().any(kefu_ingest::locale::is_han) {
        chinese_focus(&lower, at).into_iter().collect()
    } else {
        // "how long is the power cord" names its thing inside the cue: read on from "how long".
        let from = match lower[at.clone()].strip_prefix("how ").and_then(|rest| rest.find(' ')) {
            Some(space) => at.start + "how ".len() + space,
            None => at.end,
        };
        english_focus(&lower[from..])
    };
    if kind == Expectation::Count && focus.last().is_some_and(|word| is_money(word)) {
        kind = Expectation::Amount;
    }
    Some(Asked { kind, focus })
}

/// The kind asked for, the lowercased question its cue was found in, and the cue's bytes there.
fn cue(question: &str) -> Option<(Expectation, String, std::ops::Range<usize>)> {
    let mut lower = question.to_lowercase();
    let table = if lower.chars().any(kefu_ingest::locale::is_han) {
        // "有哪几个颜色" asks which, not how many: "石墨灰、薄荷绿" answers it without a number.
        lower = lower.replace("哪几", "哪");
        // "都有哪几个尺寸" asks which sizes there are ("S、M、L"), not how big.
        for which in ["哪个尺寸", "哪些尺寸", "哪种尺寸", "几个尺寸", "几种尺寸"] {
            lower = lower.replace(which, "哪种");
        }
        ZH
    } else {
        EN
    };
    let (kind, at) = table
        .iter()
        .find_map(|(kind, cues)| {
            cues.iter().filter_map(|cue| cue_at(&lower, cue)).min_by_key(|at| at.start).map(|at| (*kind, at))
        })
        .or_else(|| origin_asked(&lower).map(|at| (Expectation::Origin, at)))?;
    Some((kind, lower, at))
}

/// Where English `lower` asks where something is made ("where are your earbuds actually
/// made?"): its "where", when a word of making follows.
fn origin_asked(lower: &str) -> Option<std::ops::Range<usize>> {
    let at = cue_at(lower, "where")?;
    let after = &lower[at.end..];
    ["made", "manufactured", "produced", "built"].iter().any(|w| cue_at(after, w).is_some()).then_some(at)
}

/// Chinese words around a cue that name nothing asked about: verbs of asking, modals, measures,
/// pronouns and particles.
const ZH_NOT_FOCUS: &[&str] = &[
    "大概",
    "分别",
    "各自",
    "具体",
    "分开",
    "一起",
    "以后",
    "之后",
    "以前",
    "之前",
    "时候",
    "然后",
    "家里",
    "平时",
    "一般",
    "大约",
    "需要",
    "单独",
    "可以",
    "差不多",
    "总共",
    "一共",
    "到底",
    "请问",
    "问下",
    "问一下",
    "你们",
    "我们",
    "能够",
    "大致",
    "平均",
    "最多",
    "最少",
    "至少",
    "左右",
    "一下",
    "想知道",
    "知道",
    "得要",
    "还要",
    "通常",
    "正常",
    "大家",
    "现在",
    "目前",
];

/// Chinese words that name a sum of money, by their last character or whole.
fn is_money(word: &str) -> bool {
    word == "额度" || word.ends_with(['费', '价', '钱', '额', '金', '税', '息', '款', '贴'])
}

/// The Chinese word the value asked at `at` is of: the noun a bare count asks of ("多少额度"),
/// else the last word before the cue in its clause, passing over one-character words and
/// words that name nothing ("电池单独卖多少钱" → 电池). A number before it ends the search:
/// "一壶1.7L的水要几分钟" names no one thing.
fn chinese_focus(lower: &str, at: std::ops::Range<usize>) -> Option<String> {
    let is_break = |c: char| {
        c.is_whitespace() || (c.is_ascii_punctuation() && c != '+') || "，。？！；：、…～~（）".contains(c)
    };
    // Counts and pointers ("两个", "这款", "每次") name nothing.
    let named = |word: &str| {
        word.chars().count() >= 2
            && !word.starts_with(|c: char| "一二两三四五六七八九十几这那哪每各".contains(c))
            && !ZH_NOT_FOCUS.contains(&word)
            && !word.chars().any(|c| c.is_ascii_digit())
    };
    let cue = &lower[at.clone()];
    if cue.ends_with("多少") || cue.ends_with('几') {
        let after = &lower[at.end..];
        let clause = &after[..after.find(is_break).unwrap_or(after.len())];
        if let Some(first) = crate::analysis::answer_words(clause).into_iter().next()
            && named(&first)
            && first.chars().all(kefu_ingest::locale::is_han)
        {
            return Some(first);
        }
    }
    let before = &lower[..at.start];
    let start =
        before.rfind(is_break).map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    // The modal or verb right before the cue ("充满要多久", "单独卖多少钱") is not jieba's to join.
    let clause =
        before[start..].trim_end_matches(|c: char| "要能是有得的会需卖给用了都还最才就再又也".contains(c));
    for word in crate::analysis::answer_words(clause).into_iter().rev() {
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        if named(&word) || (word.chars().any(|c| c.is_ascii_alphabetic()) && word.chars().count() >= 2) {
            return Some(word);
        }
    }
    None
}

/// English words that may stand between a cue and what it asks about ("how long is the …",
/// "how many days is the …"): verbs, determiners and units.
const EN_BEFORE_FOCUS: &[&str] = &[
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "hour",
    "hours",
    "minute",
    "minutes",
    "times",
    "business",
    "working",
    "metres",
    "meters",
    "feet",
    "inches",
    "litres",
    "liters",
    "watts",
    "degrees",
    "numbers",
    "digits",
    "characters",
    "letters",
    "pieces",
    "is",
    "are",
    "was",
    "were",
    "s",
    "does",
    "do",
    "did",
    "will",
    "would",
    "can",
    "could",
    "should",
    "the",
    "a",
    "an",
    "my",
    "your",
    "our",
    "this",
    "that",
    "these",
    "those",
    "its",
    "their",
];

/// English words that end the naming of what a value is asked of: pronouns, prepositions,
/// conjunctions and the verbs such questions ask with ("how long does delivery take").
const EN_NOT_FOCUS: &[&str] = &[
    "about",
    "actually",
    "after",
    "also",
    "and",
    "are",
    "at",
    "be",
    "before",
    "but",
    "by",
    "can",
    "come",
    "cost",
    "costs",
    "could",
    "do",
    "does",
    "for",
    "from",
    "generally",
    "get",
    "go",
    "going",
    "got",
    "had",
    "has",
    "have",
    "he",
    "here",
    "how",
    "i",
    "if",
    "in",
    "is",
    "it",
    "just",
    "keep",
    "last",
    "lasts",
    "left",
    "me",
    "need",
    "needs",
    "normally",
    "now",
    "of",
    "on",
    "or",
    "please",
    "really",
    "roughly",
    "she",
    "should",
    "so",
    "stay",
    "still",
    "take",
    "takes",
    "than",
    "them",
    "then",
    "there",
    "they",
    "to",
    "typically",
    "until",
    "us",
    "usually",
    "we",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
];

/// The English words after a cue naming what it asks about ("how long is the power cord on …"
/// → power, cord): at most three, none when a pronoun or verb comes first ("how much does it
/// cost").
fn english_focus(after: &str) -> Vec<String> {
    let mut words = after.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).peekable();
    while words.next_if(|w| EN_BEFORE_FOCUS.contains(w)).is_some() {}
    words
        .take_while(|w| {
            !EN_NOT_FOCUS.contains(w) && w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic())
        })
        .take(3)
        .map(str::to_string)
        .collect()
}

/// Where `cue` first stands in `text` as a cue: anywhere for a Chinese one, as whole words for
/// an English one.
fn cue_at(text: &str, cue: &str) -> Option<std::ops::Range<usize>> {
    if cue.chars().any(kefu_ingest::locale::is_han) {
        return text.find(cue).map(|i| i..i + cue.len());
    }
    text.match_indices(cue)
        .find(|(i, _)| {
            let before = text[..*i].chars().last().is_none_or(|c| !c.is_alphanumeric());
            let after = text[i + cue.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            before && after
        })
        .map(|(i, _)| i..i + cue.len())
}

/// Whether `sentence` states a value of the kind `expectation`.
pub fn satisfies(expectation: Expectation, sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    match expectation {
        Expectation::Amount => {
            numbers(&lower).iter().any(|&(start, end)| {
                let before = lower[..start].trim_end();
                let after = lower[end..].trim_start();
                before.ends_with(['£', '€', '$', '¥', '￥'])
                    || after.starts_with(['%', '元', '块'])
                    || ["eur", "gbp", "usd", "percent", "pence", "p "].iter().any(|u| after.starts_with(u))
            }) || ["free", "no charge", "免费", "包邮", "不收"].iter().any(|w| lower.contains(w))
        }
        Expectation::Duration => {
            followed_by(&lower, TIME_UNITS) || lower.contains("same day") || lower.contains("当天")
        }
        // "什么时候发货" is answered by "48 小时内": a duration says when, too.
        Expectation::Time => {
            satisfies(Expectation::Duration, sentence)
                || lower.contains(':') && !numbers(&lower).is_empty()
                || DAYS.iter().any(|d| lower.contains(d))
                || followed_by(&lower, &["am", "pm", "点", "号", "月", "日"])
                || [
                    "january",
                    "february",
                    "march",
                    "april",
                    "may",
                    "june",
                    "july",
                    "august",
                    "september",
                    "october",
                    "november",
                    "december",
                ]
                .iter()
                .any(|m| lower.contains(m))
        }
        Expectation::Count => {
            !numbers(&lower).is_empty() || lower.chars().any(|c| "一二两三四五六七八九十百".contains(c))
        }
        Expectation::Organisation => ORGANISATIONS.iter().any(|w| lower.contains(w)),
        Expectation::Origin => [
            "made in",
            "manufactured in",
            "produced in",
            "assembled in",
            "country of origin",
            "产地",
            "产自",
            "生产于",
            "原产",
            "制造于",
            "进口",
        ]
        .iter()
        .any(|w| lower.contains(w)),
        // Sizes told as letters answer "which sizes" ("S、M、L 各 1 对", "3 pairs: S, M, L").
        Expectation::Size if size_letters(&lower) => true,
        measure => {
            let units = UNITS.iter().find(|(kind, _)| *kind == measure).map_or(&[][..], |(_, u)| *u);
            // A unit at the very end of the sentence has no character after it.
            followed_by(&format!("{lower} "), units)
        }
    }
}

/// Whether lowercase `text` lists sizes as letters: two of xs, s, m, l, xl in a row, joined by
/// a comma, "、" or "/" ("s, m, l"; not the "s" of "it's").
fn size_letters(text: &str) -> bool {
    const SIZES: &[&str] = &["xs", "s", "m", "l", "xl", "xxl"];
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut previous: Option<(&str, char)> = None;
    for token in compact.split_inclusive(|c: char| !c.is_ascii_alphanumeric()) {
        let (word, end) = match token.chars().last() {
            Some(c) if !c.is_ascii_alphanumeric() => (&token[..token.len() - c.len_utf8()], c),
            _ => (token, ' '),
        };
        if SIZES.contains(&word)
            && previous.is_some_and(|(w, sep)| SIZES.contains(&w) && ",、/".contains(sep))
        {
            return true;
        }
        previous = Some((word, end));
    }
    false
}

/// Whether a number in `text` is followed by one of `units`.
fn followed_by(text: &str, units: &[&str]) -> bool {
    numbers(text).iter().any(|&(_, end)| {
        let after = text[end..].trim_start_matches([' ', '-', '–', '个']);
        units.iter().any(|u| after.starts_with(u))
    }) || chinese_numbers_followed_by(text, units)
}

fn chinese_numbers_followed_by(text: &str, units: &[&str]) -> bool {
    text.char_indices().any(|(i, c)| {
        "一二两三四五六七八九十".contains(c) && {
            let after = text[i + c.len_utf8()..].trim_start_matches(['个']);
            units.iter().any(|u| after.starts_with(u))
        }
    })
}

/// Byte ranges of the runs of digits (with decimal points and separators inside) in `text`.
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let inside = b.is_ascii_digit()
            || (matches!(b, b'.' | b',')
                && start.is_some()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, bytes.len()));
    }
    out
}

/// English words of an amount that is not what a product sells for.
const NOT_PRICE_EN: &[&str] = &[
    "ship",
    "shipping",
    "deliver",
    "delivery",
    "postage",
    "fee",
    "fees",
    "customs",
    "duty",
    "duties",
    "tax",
    "vat",
    "restocking",
    "refund",
    "refunded",
    "deposit",
    "trade",
    "credit",
    "points",
    "repair",
    "insurance",
    "instalment",
    "installment",
    "interest",
    "discount",
    "voucher",
    "coupon",
    "off",
    "back",
    "subsidy",
];
/// Chinese words of an amount that is not what a product sells for.
const NOT_PRICE_ZH: &[&str] = &[
    "运费", "邮费", "费", "补贴", "抵", "退", "积分", "税", "押金", "维修", "保险", "分期", "优惠", "折",
    "券", "赔", "换新", "降价", "价保", "补", "延保", "保修",
];

/// Whether `question` asks what a product sells for ("how much is the Roamo S5?", "破壁机多少钱"),
/// not a fee, refund or subsidy ("how much is shipping", "旧机能抵多少钱").
pub fn asks_price(question: &str) -> bool {
    if expectation(question) != Some(Expectation::Amount) {
        return false;
    }
    // "浪费" (a waste) and "消费" (spending) name no fee.
    let lower = question.to_lowercase().replace("浪费", "").replace("消费", "");
    if lower.chars().any(kefu_ingest::locale::is_han) && NOT_PRICE_ZH.iter().any(|w| lower.contains(w)) {
        return false;
    }
    !lower.split(|c: char| !c.is_alphanumeric()).any(|w| NOT_PRICE_EN.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_s_price_is_told_from_fees_and_refunds() {
        for asked in [
            "how much is the Roamo S5?",
            "what's the price of the vortex pro",
            "破壁机多少钱",
            "两个差多少钱",
        ] {
            assert!(asks_price(asked), "{asked}");
        }
        for other in [
            "how much is shipping to norway",
            "旧机能抵多少钱",
            "退货运费多少钱",
            "how long is the warranty",
            "空气炸锅想加个2年的延保，多少钱？",
        ] {
            assert!(!asks_price(other), "{other}");
        }
    }

    #[test]
    fn questions_say_what_kind_of_value_they_want() {
        assert_eq!(expectation("how much is a spare basket?"), Some(Expectation::Amount));
        assert_eq!(expectation("how long does a refund take"), Some(Expectation::Duration));
        assert_eq!(expectation("how much music do I get from 10 minutes"), Some(Expectation::Duration));
        assert_eq!(expectation("what time does live chat open on saturdays"), Some(Expectation::Time));
        assert_eq!(expectation("how many rooms can I name"), Some(Expectation::Count));
        assert_eq!(
            expectation("bluetooth range, like how many metres from my phone"),
            Some(Expectation::Size)
        );
        assert_eq!(expectation("蓝牙能连多远"), Some(Expectation::Size));
        assert_eq!(expectation("how much counter does it need width-wise?"), Some(Expectation::Size));
        assert_eq!(expectation("how much room do I need behind it"), Some(Expectation::Size));
        assert_eq!(expectation("炸锅要留多少空间"), Some(Expectation::Size));
        assert_eq!(expectation("whats the cable (cord) length on the brewa?"), Some(Expectation::Size));
        assert_eq!(expectation("烧开一壶水要几分钟"), Some(Expectation::Duration));
        assert_eq!(expectation("can I return opened earbuds?"), None);
        assert_eq!(expectation("空气炸锅多少钱"), Some(Expectation::Amount));
        assert_eq!(expectation("退款多久到账"), Some(Expectation::Duration));
        assert_eq!(expectation("客服几点上班"), Some(Expectation::Time));
        assert_eq!(expectation("金卡能拿多少积分"), Some(Expectation::Count));
        assert_eq!(expectation("能开专票吗"), None);
        assert_eq!(expectation("巢好分期是哪家金融机构提供的"), Some(Expectation::Organisation));
        assert_eq!(expectation("which courier do you use for Ireland"), Some(Expectation::Organisation));
        assert_eq!(expectation("where are your earbuds actually made?"), Some(Expectation::Origin));
        assert_eq!(expectation("这个耳机产地是哪里"), Some(Expectation::Origin));
        assert_eq!(expectation("where is my order"), None);
        assert!(satisfies(Expectation::Origin, "Designed in Amsterdam, made in Portugal."));
        assert!(!satisfies(Expectation::Origin, "The serial number is printed inside the lid."));
        assert!(satisfies(Expectation::Organisation, "默认使用顺丰速运发货。"));
        assert!(satisfies(Expectation::Organisation, "Parcels to Ireland go with DPD."));
        assert!(!satisfies(Expectation::Organisation, "巢好分期单笔满 ¥300 可用，3 期免息。"));
        assert!(
            !satisfies(Expectation::Organisation, "由巢好生活合作的保险公司承保。"),
            "which, it does not say"
        );
        // Which ones, not how many.
        assert_eq!(expectation("有哪几个颜色"), None);
        assert_eq!(expectation("单独卖的那个NW-ET3里面都有哪几个尺寸呀？"), None);
        assert_eq!(expectation("尺寸多大"), Some(Expectation::Size));
        assert_eq!(expectation("有几个颜色"), Some(Expectation::Count));
        assert_eq!(expectation("how heavy is the roamo s7"), Some(Expectation::Weight));
        assert_eq!(expectation("how loud is the blender in dB"), Some(Expectation::Loudness));
        assert_eq!(expectation("扫地机器人有多重"), Some(Expectation::Weight));
        assert_eq!(expectation("水壶容量多少"), Some(Expectation::Capacity));
        assert_eq!(expectation("保温盘是多少度的"), Some(Expectation::Temperature));
        assert_eq!(
            expectation("what temperature does the hot plate keep it at"),
            Some(Expectation::Temperature)
        );
        // Whole words: "whenever" is not "when".
        assert_eq!(expectation("can I return it whenever I like"), None);
    }

    #[test]
    fn questions_name_what_they_ask_a_value_of() {
        let focus = |q: &str| asked(q).map(|a| a.focus.join(" "));
        assert_eq!(focus("巢好分期开通后一般给多少额度？").as_deref(), Some("额度"));
        assert_eq!(focus("S7的电池单独卖多少钱").as_deref(), Some("电池"));
        assert_eq!(focus("充电盒从没电到充满要多久").as_deref(), Some("充满"));
        assert_eq!(focus("你们运费是多少").as_deref(), Some("运费"));
        assert_eq!(focus("S7多少钱").as_deref(), Some("s7"));
        assert_eq!(focus("烧开满满一壶1.7L的水要几分钟").as_deref(), Some(""), "a number names no one thing");
        assert_eq!(focus("这个大概多少钱").as_deref(), Some(""));
        assert_eq!(focus("两个差多少钱").as_deref(), Some(""));
        assert_eq!(focus("how quiet is quiet mode in dB").as_deref(), Some("quiet mode"));
        assert_eq!(focus("How long is the power cord on the CrispAir XL?").as_deref(), Some("power cord"));
        assert_eq!(
            focus("how much is a replacement carafe and can i order just that").as_deref(),
            Some("replacement carafe")
        );
        assert_eq!(focus("how long does delivery take to ireland").as_deref(), Some("delivery"));
        assert_eq!(focus("how much does it cost").as_deref(), Some(""));
        assert_eq!(focus("how many days do I have to return it").as_deref(), Some(""));
        assert_eq!(focus("can I return opened earbuds?"), None);
        // A count of money is an amount.
        assert_eq!(asked("一般给多少额度").map(|a| a.kind), Some(Expectation::Amount));
        assert_eq!(asked("运费多少").map(|a| a.kind), Some(Expectation::Amount));
        assert_eq!(asked("金卡能拿多少积分").map(|a| a.kind), Some(Expectation::Count));
        assert_eq!(asked("how quiet is it").map(|a| a.kind), Some(Expectation::Loudness));
        assert_eq!(asked("How long is the power cord?").map(|a| a.kind), Some(Expectation::Size));
    }

    #[test]
    fn sentences_give_values_of_a_kind() {
        assert!(satisfies(Expectation::Amount, "Standard delivery costs £3.95."));
        assert!(satisfies(Expectation::Amount, "A 15% restocking fee applies."));
        assert!(satisfies(Expectation::Amount, "运费 8 元，满 99 元包邮。"));
        assert!(satisfies(Expectation::Amount, "Returns are free in the UK."));
        assert!(!satisfies(Expectation::Amount, "Spare baskets are available for the CrispAir."));
        assert!(satisfies(Expectation::Duration, "Refunds take 5–10 business days."));
        assert!(satisfies(Expectation::Duration, "签收后七天内可申请。"));
        assert!(satisfies(Expectation::Duration, "退款 3 个工作日内到账。"));
        assert!(!satisfies(Expectation::Duration, "Refunds go to the original payment method."));
        assert!(satisfies(Expectation::Time, "Live chat is open 08:00–20:00 CET."));
        assert!(satisfies(Expectation::Time, "We answer on Saturdays too."));
        assert!(!satisfies(Expectation::Time, "Chat with us in the app."));
        assert!(satisfies(Expectation::Count, "It saves maps of up to 4 floors."));
        assert!(!satisfies(Expectation::Count, "Name your rooms in the app."));
        assert!(satisfies(Expectation::Weight, "It weighs 3.2 kg with the battery."));
        assert!(!satisfies(Expectation::Weight, "Height: 9.7 cm"), "a size is not a weight");
        assert!(satisfies(Expectation::Size, "Height: 9.7 cm"));
        // Sizes told as letters.
        assert!(satisfies(Expectation::Size, "硅胶耳塞套 — S、M、L 各 1 对"));
        assert!(satisfies(Expectation::Size, "Silicone tips: 3 pairs: S, M, L"));
        assert!(!satisfies(Expectation::Size, "It's what I'm after, isn't it's"));
        assert!(!satisfies(Expectation::Size, "Bluetooth 5.3, multipoint (2 devices at the same time)"));
        assert!(!satisfies(Expectation::Loudness, "Motor: 1,200 W, up to 30,000 rpm"));
        assert!(satisfies(Expectation::Loudness, "It runs at 65 dB on the lowest speed."));
        assert!(satisfies(Expectation::Power, "Motor: 1,200 W, up to 30,000 rpm"));
        assert!(satisfies(Expectation::Capacity, "Jar: 1.8 L Tritan"));
        assert!(satisfies(Expectation::Weight, "整机重约 3.2 公斤。"));
        assert!(satisfies(Expectation::Temperature, "温度范围为 80–200℃，定时 1–60 分钟。"));
        assert!(satisfies(Expectation::Temperature, "Not suitable for hot liquids above 60 °C."));
        assert!(!satisfies(Expectation::Temperature, "保温盘保温 40 分钟（可调，最长 2 小时）"));
    }
}
