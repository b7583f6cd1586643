//! Whether a customer is frustrated: angry words, shouting, runs of "?!", the same question asked
//! again, "no"/"没用" said again after kefu's answers. A frustrated turn is answered with an
//! apology first and its handoff is urgent. Each signal has a weight; one strong signal or two
//! weak ones make a frustrated turn, so that "love it!!!" or a calm "the lid arrived cracked"
//! are not. Pure functions.

use std::collections::HashSet;

use serde::Serialize;

use crate::analysis;

/// Something in a turn that says the customer is frustrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Angry or exasperated words ("useless", "ridiculous", "垃圾", "无语").
    Words,
    /// Words in capitals ("WHERE IS MY ORDER").
    Shouting,
    /// Runs of question and exclamation marks ("??!", "！！！"): two of a kind are a weak sign,
    /// four or both kinds a strong one.
    Punctuation,
    /// The question of an earlier turn asked again.
    Repeated,
    /// "no", "not helpful", "没用" after an answer.
    Rejection,
}

/// The frustration signals of a turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Frustration {
    /// What was seen, each once.
    pub signals: Vec<Signal>,
    /// Their weights summed: 1 or more is a frustrated customer.
    pub score: f32,
}

impl Frustration {
    /// Whether the customer is frustrated.
    pub fn frustrated(&self) -> bool {
        self.score >= 1.0
    }
}

/// Words only a frustrated customer uses (lowercase; English ones as whole words).
const STRONG_EN: &[&str] = &[
    "ridiculous",
    "useless",
    "worst",
    "unacceptable",
    "fed up",
    "sick of",
    "scam",
    "scammers",
    "rip off",
    "ripoff",
    "wtf",
    "wth",
    "joke",
    "pathetic",
    "disgrace",
    "disgusting",
    "terrible service",
    "awful",
    "furious",
    "angry",
    "pissed",
    "waste of time",
    "waste of money",
    "never again",
    "chargeback",
    "how many times",
    "ugh",
    "even bother",
    "means nothing",
    "just great",
    "thanks for nothing",
    "are you kidding",
    "seriously?",
    "not good enough",
    "absolutely nothing",
    "still nothing",
    "still waiting",
    "still haven't",
    "still havent",
    "still not",
    "nobody",
    "no one",
    "bad review",
    "trading standards",
];

/// Words a frustrated customer often uses, but others too.
const WEAK_EN: &[&str] = &[
    "still",
    "again",
    "already told",
    "already asked",
    "third time",
    "fourth time",
    "days now",
    "weeks now",
    "months now",
    "bot",
    "real person",
    "human",
];

/// Chinese words only a frustrated customer uses.
const STRONG_ZH: &[&str] = &[
    "垃圾",
    "太差",
    "差劲",
    "无语",
    "气死",
    "坑人",
    "坑爹",
    "骗子",
    "骗人",
    "什么破",
    "破玩意",
    "到底",
    "搞什么",
    "怎么回事啊",
    "受不了",
    "恶心",
    "离谱",
    "过分",
    "忍无可忍",
    "再也不",
    "差评",
    "12315",
    "消协",
    "说了多少遍",
    "人呢",
    "又来",
    "呵呵",
    "摆设",
    "我要投诉",
    "正式投诉",
    "还能信",
    "多少次了",
    "没人管",
    "没人理",
    "敷衍",
    "浪费时间",
];

/// Chinese words a frustrated customer often uses.
const WEAK_ZH: &[&str] = &[
    "还没",
    "还是没",
    "怎么还",
    "一直",
    "已经说了",
    "又是",
    "没用",
    "没看懂",
    "第三次",
    "第四次",
    "人工",
    "行吧",
];

/// A turn that only rejects the answer before it.
const REJECTIONS: &[&str] = &[
    "no",
    "nope",
    "not helpful",
    "that's not what i asked",
    "thats not what i asked",
    "not what i asked",
    "doesn't help",
    "doesnt help",
    "that doesn't answer my question",
    "wrong",
    "没用",
    "不是这个",
    "不对",
    "答非所问",
    "没帮助",
    "不是",
];

/// Words of a satisfied customer: weak signs count for nothing beside them ("第三次在你们家买了
/// 一直很满意").
const CONTENT: &[&str] =
    &["满意", "喜欢", "好用", "love it", "love the", "happy with", "great product", "works great"];

/// Laughter: beside it an angry word is said in jest ("useless before his first coffee lol") and
/// counts as a weak sign.
const LAUGHTER: &[&str] = &["lol", "lmao", "haha", "hahaha", "😂", "🤣", "😆", "😅", "哈哈"];

/// Capitalised words that are codes, not shouting.
const ACRONYMS: &[&str] = &[
    "UK", "EU", "US", "USA", "AU", "NZ", "CA", "DHL", "UPS", "DPD", "USB", "LED", "VAT", "PDF", "FAQ", "OK",
    "APP", "ID", "SMS", "TV", "AM", "PM", "CET", "GMT", "EMS", "SF", "WIFI", "IOS", "ASAP", "PIN", "CVV",
    "PAYPAL", "AMEX", "VISA", "RMA", "NW", "AC", "DC", "UV", "HEPA", "BPA", "XL", "I",
];

/// Weights: a strong signal alone makes a frustrated turn, a weak one needs another.
const STRONG: f32 = 1.0;
const WEAK: f32 = 0.5;
/// Share of an earlier question's words asked again for it to count as repeated.
const REPEATED_OVERLAP: f32 = 0.6;

/// The frustration signals of `message`, given the customer's `earlier` messages in the same
/// conversation (oldest first).
pub fn frustration(message: &str, earlier: &[&str]) -> Frustration {
    let lower = message.to_lowercase();
    let mut seen: Vec<(Signal, f32)> = Vec::new();
    let mut add = |signal: Signal, weight: f32| match seen.iter_mut().find(|(s, _)| *s == signal) {
        Some(entry) => entry.1 = entry.1.max(weight),
        None => seen.push((signal, weight)),
    };

    let strong =
        STRONG_EN.iter().any(|w| has_words(&lower, w)) || STRONG_ZH.iter().any(|w| lower.contains(w));
    // Two different weak words say as much as a strong one ("机器人客服没用 给我转人工").
    let weak = WEAK_EN.iter().filter(|w| has_words(&lower, w)).count()
        + WEAK_ZH.iter().filter(|w| lower.contains(*w)).count()
        + usize::from(waited_long_zh(&lower))
        + usize::from(speaks_of_the_bot_zh(&lower));
    let content = CONTENT.iter().any(|w| lower.contains(w));
    let laughing =
        LAUGHTER.iter().any(|w| if w.is_ascii() { has_words(&lower, w) } else { lower.contains(w) });
    if (strong && !laughing) || (weak >= 2 && !content) {
        add(Signal::Words, STRONG);
    } else if (strong || weak == 1) && !content {
        add(Signal::Words, WEAK);
    }
    if shouting(message) {
        add(Signal::Shouting, STRONG);
    }
    if let Some(run) = longest_mark_run(message) {
        add(Signal::Punctuation, if run.mixed || run.len >= 4 { STRONG } else { WEAK });
    }
    if let Some(weight) = repeated(message, earlier) {
        add(Signal::Repeated, weight);
    }
    if rejects(&lower) {
        let again = earlier.iter().any(|e| rejects(&e.to_lowercase()));
        add(Signal::Rejection, if again { STRONG } else { WEAK });
    }
    Frustration {
        score: seen.iter().map(|(_, w)| w).sum(),
        signals: seen.into_iter().map(|(s, _)| s).collect(),
    }
}

/// 机器人 said of the bot ("机器人客服没用", "结果机器人连个简单问题都答不了"), not of the
/// product: a shop selling robot vacuums hears "S7扫拖机器人" and "s7机器人一直亮红灯" in
/// calm questions.
fn speaks_of_the_bot_zh(text: &str) -> bool {
    const PRODUCT_BEFORE: &[&str] = &["扫地", "扫拖", "拖地", "一体", "吸尘", "擦窗", "扫"];
    text.match_indices("机器人").any(|(i, _)| {
        let before = text[..i].trim_end();
        let model = before.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
        !model && !PRODUCT_BEFORE.iter().any(|p| before.ends_with(p))
    })
}

/// "都三周了", "都一个月了": how long the customer has been waiting, said with 都.
fn waited_long_zh(text: &str) -> bool {
    text.match_indices('都').any(|(i, _)| {
        let after: String = text[i + '都'.len_utf8()..].chars().take(6).collect();
        ["天了", "周了", "星期了", "个月了"].iter().any(|unit| after.find(unit).is_some_and(|at| at <= 9))
    })
}

/// `phrase` in `text` as whole words.
fn has_words(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().last().is_none_or(|c| !c.is_alphanumeric());
        let after = text[i + phrase.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

/// Three or more words of three or more letters in capitals that are not codes (no digits, not
/// an acronym), or a message of mostly capital letters.
fn shouting(message: &str) -> bool {
    let words: Vec<&str> =
        message.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    let is_code = |w: &str| w.chars().any(|c| c.is_ascii_digit()) || ACRONYMS.contains(&w);
    let loud = words
        .iter()
        .filter(|w| w.chars().count() >= 3 && w.chars().all(|c| c.is_uppercase() || c == '\'') && !is_code(w))
        .count();
    let letters: Vec<char> = message.chars().filter(|c| c.is_alphabetic() && c.is_ascii()).collect();
    let capitals = letters.iter().filter(|c| c.is_uppercase()).count();
    loud >= 3 || (letters.len() >= 12 && capitals * 10 >= letters.len() * 8 && loud >= 2)
}

/// The longest run of question and exclamation marks.
struct MarkRun {
    len: usize,
    /// Both kinds in the run ("?!").
    mixed: bool,
}

fn longest_mark_run(message: &str) -> Option<MarkRun> {
    let mut best: Option<MarkRun> = None;
    let mut len = 0;
    let mut kinds = (false, false);
    for c in message.chars().chain(std::iter::once(' ')) {
        let question = matches!(c, '?' | '？');
        let exclamation = matches!(c, '!' | '！');
        if question || exclamation {
            len += 1;
            kinds = (kinds.0 || question, kinds.1 || exclamation);
            continue;
        }
        if len >= 2 {
            let run = MarkRun { len, mixed: kinds.0 && kinds.1 };
            if best.as_ref().is_none_or(|b| (run.mixed, run.len) > (b.mixed, b.len)) {
                best = Some(run);
            }
        }
        len = 0;
        kinds = (false, false);
    }
    best
}

/// When `message` asks what an earlier message asked: most of the shorter one's words in the
/// other. Strong right after it, weak further back.
fn repeated(message: &str, earlier: &[&str]) -> Option<f32> {
    let terms = words(message);
    if terms.len() < 2 {
        return None;
    }
    earlier.iter().rev().enumerate().find_map(|(distance, before)| {
        let before = words(before);
        let shorter = terms.len().min(before.len());
        if shorter < 2 {
            return None;
        }
        let shared = terms.intersection(&before).count() as f32 / shorter as f32;
        (shared >= REPEATED_OVERLAP).then_some(if distance == 0 { STRONG } else { WEAK })
    })
}

/// Content words, as the index reads them.
fn words(text: &str) -> HashSet<String> {
    analysis::words(text)
        .into_iter()
        .map(|w| w.term)
        .filter(|t| t.chars().count() > 1 || !t.is_ascii())
        .collect()
}

/// A turn that is mostly a rejection of the answer before it.
fn rejects(lower: &str) -> bool {
    let trimmed =
        lower.trim().trim_matches(|c: char| !c.is_alphanumeric() && !kefu_ingest::locale::is_han(c));
    REJECTIONS.iter().any(|r| {
        trimmed == *r
            || (trimmed.starts_with(r)
                && trimmed.chars().count() <= r.chars().count() + 24
                && trimmed[r.len()..]
                    .starts_with(|c: char| !c.is_alphanumeric() || kefu_ingest::locale::is_han(c)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(message: &str, earlier: &[&str]) -> (bool, Vec<Signal>) {
        let f = frustration(message, earlier);
        (f.frustrated(), f.signals)
    }

    #[test]
    fn angry_words_shouting_and_marks_are_frustration() {
        assert_eq!(signals("this is ridiculous, where is my refund", &[]), (true, vec![Signal::Words]));
        assert!(signals("WHERE IS MY PARCEL I PAID FOR EXPRESS", &[]).0);
        assert_eq!(signals("where is my parcel??!", &[]), (true, vec![Signal::Punctuation]));
        assert_eq!(signals("退款到底什么时候到", &[]), (true, vec![Signal::Words]));
        assert!(signals("什么破服务！！！", &[]).0);
    }

    #[test]
    fn calm_complaints_excitement_and_codes_are_not() {
        assert!(!frustration("the lid arrived cracked, could you help?", &[]).frustrated());
        assert!(!frustration("love it!!! does it come in white?", &[]).frustrated());
        // An angry word in jest.
        let joking =
            frustration("my husband is useless before his first coffee lol. can I set a timer?", &[]);
        assert!(!joking.frustrated() && joking.signals == [Signal::Words], "{joking:?}");
        assert!(frustration("useless lol!!", &[]).frustrated());
        assert!(!frustration("Does the NW-BL1200 ship to the UK with DHL or UPS?", &[]).frustrated());
        assert!(!frustration("no rush, just wondering about the warranty", &[]).frustrated());
        assert!(!frustration("投诉渠道是什么", &[]).frustrated());
        assert!(!frustration("不着急，想问下保修多久", &[]).frustrated());
        // The robot vacuum is no bot.
        assert!(!frustration("S7扫拖机器人1999，想分12期，手续费多少啊？？？", &[]).frustrated());
        assert!(!frustration("漫游s7机器人亮红灯了，咋办？？", &[]).frustrated());
        assert!(frustration("机器人客服没用 给我转人工", &[]).frustrated());
    }

    #[test]
    fn the_same_question_again_and_a_second_no_are_frustration() {
        let earlier = ["how long does a refund to paypal take"];
        assert_eq!(signals("how long does the paypal refund take", &earlier), (true, vec![Signal::Repeated]));
        assert!(!frustration("and can I return opened earbuds?", &earlier).frustrated());
        assert_eq!(signals("no", &[]), (false, vec![Signal::Rejection]));
        assert_eq!(signals("不对", &["不是这个"]), (true, vec![Signal::Rejection]));
        assert_eq!(
            signals("this is the THIRD time im asking. where is my refund for NW-40218??", &[]),
            (true, vec![Signal::Words, Signal::Punctuation])
        );
    }
}
