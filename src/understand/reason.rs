//! Why a customer sends something back: they changed their mind, or it is faulty or damaged.
//! Help centers write each case its own rules (a restocking fee for an opened box; a free label
//! and no fee for a fault), often side by side, and a sentence written for the other case
//! misleads: "there's a dent in the side panel … is there another option?" was answered with the
//! 15% restocking fee of change-of-mind returns. Pure functions.

use super::intent::contains_words;

/// A reason for a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The customer does not want it any more.
    ChangeOfMind,
    /// It is faulty or arrived damaged.
    Fault,
}

/// What a customer says of a fault or damage (English words are matched whole).
const FAULT_TOLD_EN: &[&str] = &[
    "damaged",
    "damage",
    "dent",
    "dented",
    "cracked",
    "crack",
    "smashed",
    "shattered",
    "scratched",
    "broken",
    "broke",
    "faulty",
    "defective",
    "leaking",
    "leaks",
    "stopped working",
    "not working",
    "doesn't work",
    "doesnt work",
    "won't turn on",
    "wont turn on",
    "won't charge",
    "won't heat",
];
const FAULT_TOLD_ZH: &[&str] = &[
    "坏了",
    "故障",
    "损坏",
    "破损",
    "破了",
    "碎了",
    "裂",
    "质量问题",
    "不工作",
    "开不了机",
    "不加热",
    "漏水",
    "凹",
    "瘪",
    "压扁",
    "变形",
    "磕",
    "摔",
];

/// What a customer says of changing their mind.
const MIND_TOLD_EN: &[&str] = &[
    "changed my mind",
    "change my mind",
    "change of mind",
    "don't like",
    "dont like",
    "didn't like",
    "didnt like",
    "don't need",
    "dont need",
    "no longer need",
    "don't want",
    "dont want",
    "not for me",
    "than i expected",
    "than expected",
];
const MIND_TOLD_ZH: &[&str] =
    &["不想要", "不喜欢", "不需要", "用不上", "无理由", "买错", "不合适", "后悔", "不太合适"];

/// Words of a sentence written for one case.
const MIND_WRITTEN: &[&str] = &["change-of-mind", "change of mind", "changed your mind", "无理由"];
const FAULT_WRITTEN: &[&str] = &["faulty", "damaged", "defect", "质量问题", "故障", "破损", "损坏"];

/// The reason the customer's `message` gives, when it gives one and only one.
pub fn told(message: &str) -> Option<Reason> {
    let lower = message.to_lowercase();
    let says = |en: &[&str], zh: &[&str]| {
        en.iter().any(|w| contains_words(&lower, w)) || zh.iter().any(|w| lower.contains(w))
    };
    only_one(says(MIND_TOLD_EN, MIND_TOLD_ZH), says(FAULT_TOLD_EN, FAULT_TOLD_ZH))
}

/// The case `sentence` is written for, when it names one and only one ("a 15% restocking fee
/// applies to change-of-mind returns"; "Faulty items are always returned free of charge").
pub fn written_for(sentence: &str) -> Option<Reason> {
    let lower = sentence.to_lowercase();
    let names = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    only_one(names(MIND_WRITTEN), names(FAULT_WRITTEN))
}

/// The reason when exactly one of them is named.
fn only_one(change_of_mind: bool, fault: bool) -> Option<Reason> {
    match (change_of_mind, fault) {
        (true, false) => Some(Reason::ChangeOfMind),
        (false, true) => Some(Reason::Fault),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_a_customer_gives() {
        let dent = "Air fryer arrived and there's a dent in the side panel. Do I have to send it back?";
        assert_eq!(told(dent), Some(Reason::Fault));
        assert_eq!(told("it's smaller than I expected so I'd like to return it"), Some(Reason::ChangeOfMind));
        assert_eq!(told("用了5天觉得太吵，不想要了"), Some(Reason::ChangeOfMind));
        assert_eq!(told("水壶用了两周就不加热了"), Some(Reason::Fault));
        assert_eq!(told("how long do I have to return something?"), None);
        // Both, or a word inside another: none.
        assert_eq!(told("I don't like it and it's broken"), None);
        assert_eq!(told("can the student discount be used?"), None, "\"dent\" inside a word");
    }

    #[test]
    fn the_case_a_sentence_is_written_for() {
        let fee = "Once the box has been opened, a 15% restocking fee applies to change-of-mind returns.";
        assert_eq!(written_for(fee), Some(Reason::ChangeOfMind));
        assert_eq!(written_for("Faulty items are always returned free of charge."), Some(Reason::Fault));
        assert_eq!(written_for("商品出现质量问题的，运费由我们承担。"), Some(Reason::Fault));
        assert_eq!(written_for("You can return the CrispAir within 30 days of delivery."), None);
        assert_eq!(
            written_for("Change-of-mind returns pay for the label; damaged items are returned free."),
            None
        );
    }
}
