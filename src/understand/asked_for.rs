//! What a question asks the shop to offer or a product to support: "do you do a student
//! discount?", "does the Roamo S7 work with Alexa?", "有没有团购价？", "能接入米家吗". When the help
//! center never names that thing, no passage can say yes or no to it, however close the
//! passages about the product or the shop's discounts are in meaning (the embedding model found
//! "do you do gift wrapping?" close to the gift-card pages). The caller checks the words of what
//! is returned against the index. Pure functions.

use std::sync::LazyLock;

use regex::Regex;

/// English: an offer asked for ("do you do / have / sell …", "is there a …") or a
/// product's support of something ("does it work with …", "does it support …"). The thing
/// asked for is group `thing`.
static ASKED_EN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:
            \b(?:do|does|can|will)\ (?:you|u|ya|you\ guys|nestwell)
              \ (?:do|have|offer|sell|stock|run|give|provide|accept|take|make|allow)\b
          | \b(?:is|are)\ there\ (?:a|an|any|some)\b
          | \b(?:does|do|will|can|would|could)\ [\w'\ -]{1,30}?
              \ (?:work|connect|pair|sync|integrate|talk)\ (?:with|to)\b
          | \b(?:does|do|will|can|would)\ [\w'\ -]{1,30}?\ support\b
        )
        \ (?P<thing>[^?.!,;:\n]{2,60})",
    )
    .expect("valid regex")
});

/// Words that end the thing asked for in English: what follows them is the customer's reason or
/// a new clause ("gift wrapping for my mum", "a student discount I could use").
const THING_ENDS_EN: &[&str] = &[
    "for", "to", "that", "which", "so", "because", "cause", "if", "when", "where", "i", "i'm", "im", "we",
    "my", "on", "in", "at", "from", "like", "as", "or", "and", "with", "please", "pls", "though", "tho",
];

/// Chinese: 有没有…, 有无…, 支持…吗, 能(否)接入 / 连接 / 兼容…吗, 可以接入…吗, 能不能接….
/// The thing asked for is group `thing`.
static ASKED_ZH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:
            有没有
          | 有无
          | (?:能|可以|可不可以|能不能|能否)?(?:支持|接入|连接|兼容|绑定|对接)
          | (?:能不能|可不可以|能否)接
        )
        (?P<thing>[^?？。！!，,；;：:\s]{1,20}?)
        (?:吗|么|嘛|不|没|呢|啊|呀|$|[?？。！!，,；;\s])",
    )
    .expect("valid regex")
});

/// The thing `question` asks the shop to offer or a product to support, as written in it; `None`
/// when it asks something else.
pub fn asked_for(question: &str) -> Option<&str> {
    if let Some(found) = ASKED_ZH.captures(question).and_then(|c| c.name("thing")) {
        let thing = found.as_str().trim();
        return (!thing.is_empty()).then_some(thing);
    }
    let lower = question.to_lowercase();
    // Lowercasing keeps byte offsets for the ASCII the pattern matches; anything else is read
    // from the lowercased text itself.
    if lower.len() != question.len() {
        return None;
    }
    let found = ASKED_EN.captures(&lower)?.name("thing")?;
    let mut end = found.start();
    for word in found.as_str().split_inclusive(' ') {
        let bare = word.trim().trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        if THING_ENDS_EN.contains(&bare) && end > found.start() {
            break;
        }
        end += word.len();
    }
    let thing = question[found.start()..end].trim();
    (!thing.is_empty()).then_some(thing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_an_english_question_asks_for() {
        assert_eq!(asked_for("Do you do a student discount? I'm at uni"), Some("a student discount"));
        assert_eq!(asked_for("and do u do gift wrapping for my mum"), Some("gift wrapping"));
        assert_eq!(asked_for("does the roamo s7 work with alexa? i just want"), Some("alexa"));
        assert_eq!(asked_for("Is there a physical shop in London?"), Some("physical shop"));
        assert_eq!(asked_for("Does it support Google Home"), Some("Google Home"));
        assert_eq!(asked_for("How long does the battery last?"), None);
        assert_eq!(asked_for("Can I return it after 30 days?"), None);
    }

    #[test]
    fn finds_what_a_chinese_question_asks_for() {
        assert_eq!(asked_for("你们有没有企业团购价？量大能便宜多少"), Some("企业团购价"));
        assert_eq!(asked_for("漫游S7能接入米家或者小爱同学吗？"), Some("米家或者小爱同学"));
        assert_eq!(asked_for("邀请好友注册有没有奖励啊"), Some("奖励"));
        assert_eq!(asked_for("有没有通透模式 想听报站"), Some("通透模式"));
        assert_eq!(asked_for("破壁机有几档可以调"), None);
        assert_eq!(asked_for("支持花呗吗"), Some("花呗"));
        assert_eq!(asked_for("漫游S7能不能接小爱同学或者天猫精灵？"), Some("小爱同学或者天猫精灵"));
        // "能不能" alone asks whether kefu can do something, mostly a thing the help center names
        // in other words ("能不能派师傅上门来修").
        assert_eq!(asked_for("能不能派师傅上门来修"), None);
        assert_eq!(asked_for("退货要几天到账"), None);
    }
}
