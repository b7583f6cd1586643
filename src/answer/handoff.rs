//! When a conversation goes to a human: the customer asks for one, or complains, disputes or is
//! plainly angry. A small en/zh lexicon (documented in docs/answering.md), matched on words in
//! English and on substrings in Chinese; low confidence and conflicting sources are decided
//! elsewhere.

use serde::Serialize;

/// Why a conversation should go to a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person.
    RequestedHuman,
    /// A complaint, a dispute, or an angry message.
    Complaint,
    /// kefu found no answer it is confident in.
    LowConfidence,
    /// The passages the answer cites state conflicting numbers for the same rule.
    ConflictingSources,
    /// The customer asks where one order stands, which only the shop's order system knows.
    OrderLookup,
    /// The customer asks about their own account (points, balance, tier, what is left to pay),
    /// which only the shop's systems know.
    AccountLookup,
}

impl HandoffReason {
    /// The name in the API (`requested_human`, `complaint`, `low_confidence`,
    /// `conflicting_sources`, `order_lookup`, `account_lookup`).
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::RequestedHuman => "requested_human",
            HandoffReason::Complaint => "complaint",
            HandoffReason::LowConfidence => "low_confidence",
            HandoffReason::ConflictingSources => "conflicting_sources",
            HandoffReason::OrderLookup => "order_lookup",
            HandoffReason::AccountLookup => "account_lookup",
        }
    }
}

/// English phrases asking for a person, matched as whole words.
const HUMAN_EN: &[&str] = &[
    "talk to a human",
    "speak to a human",
    "talk to a person",
    "speak to a person",
    "talk to someone",
    "speak to someone",
    "real person",
    "human agent",
    "live agent",
    "live chat",
    "customer service representative",
    "talk to an agent",
    "speak to an agent",
    "talk to a representative",
    "speak with a human",
    "speak with someone",
    "connect me",
];

/// English words that ask for a person when the message is short ("agent please").
const HUMAN_EN_SHORT: &[&str] = &["agent", "human", "representative", "operator", "person"];

/// Chinese phrases asking for a person.
const HUMAN_ZH: &[&str] =
    &["转人工", "人工客服", "找客服", "人工服务", "找人工", "接人工", "真人客服", "联系客服", "客服人员"];

/// English complaint, dispute and anger words, matched as whole words.
const COMPLAINT_EN: &[&str] = &[
    "complaint",
    "complain",
    "dispute",
    "chargeback",
    "unacceptable",
    "ridiculous",
    "outrageous",
    "terrible",
    "worst",
    "scam",
    "fraud",
    "rip off",
    "ripoff",
    "lawyer",
    "sue you",
    "furious",
    "angry",
    "disgusted",
    "never again",
    "waste of money",
    "report you",
];

/// Chinese complaint, dispute and anger phrases.
const COMPLAINT_ZH: &[&str] = &[
    "投诉",
    "差评",
    "太差",
    "垃圾",
    "骗子",
    "欺诈",
    "纠纷",
    "维权",
    "消协",
    "12315",
    "律师",
    "起诉",
    "气死",
    "太过分",
    "坑人",
    "举报",
    "什么破",
    "退一赔三",
];

/// Words that carry no question of their own next to a request for a person.
const FILLER_EN: &[&str] = &[
    "i", "can", "could", "would", "may", "please", "pls", "want", "need", "like", "to", "a", "an", "the",
    "me", "let", "talk", "speak", "now", "get", "connect", "with", "someone", "person", "human", "agent",
    "hi", "hello", "you", "just", "real", "live", "right", "away",
];
const FILLER_ZH: &[&str] = &["我要", "我想", "请", "帮我", "给我", "马上", "你好", "要", "想", "我", "找"];

/// What the lexicon finds in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoffSignal {
    /// The reason.
    pub reason: HandoffReason,
    /// The message is only a request for a person: there is no question to answer.
    pub only_request: bool,
}

/// Looks for a request for a person first, then for a complaint.
pub fn detect(message: &str) -> Option<HandoffSignal> {
    let lower = message.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|w| !w.is_empty()).collect();
    let padded = format!(" {} ", words.join(" "));
    let has_phrase = |phrase: &&str| padded.contains(&format!(" {phrase} "));
    let latin_words = words.iter().filter(|w| w.is_ascii()).count();

    let mut rest = lower.clone();
    let mut requested = false;
    for phrase in
        HUMAN_EN.iter().filter(|p| has_phrase(p)).chain(HUMAN_ZH.iter().filter(|p| lower.contains(**p)))
    {
        requested = true;
        rest = rest.replace(phrase, " ");
    }
    if !requested && latin_words <= 4 && words.iter().any(|w| HUMAN_EN_SHORT.contains(w)) {
        requested = true;
    }
    if requested {
        let latin = rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '\'')).filter(|w| !w.is_empty());
        let han = crate::analysis::words(&rest).into_iter().filter(|t| !t.term.is_ascii()).map(|t| t.term);
        let substantive = latin.into_iter().any(|w| !FILLER_EN.contains(&w))
            || han.into_iter().any(|w| !FILLER_ZH.contains(&w.as_str()));
        return Some(HandoffSignal { reason: HandoffReason::RequestedHuman, only_request: !substantive });
    }
    let shouting = {
        let letters: Vec<char> = message.chars().filter(|c| c.is_ascii_alphabetic()).collect();
        letters.len() >= 12 && letters.iter().all(|c| c.is_ascii_uppercase())
    };
    let complaint = COMPLAINT_EN.iter().any(has_phrase)
        || COMPLAINT_ZH.iter().any(|p| lower.contains(p))
        || shouting
        || message.contains("!!!")
        || message.contains("！！");
    complaint.then_some(HandoffSignal { reason: HandoffReason::Complaint, only_request: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(message: &str) -> Option<(HandoffReason, bool)> {
        detect(message).map(|s| (s.reason, s.only_request))
    }

    #[test]
    fn requests_for_a_person() {
        use HandoffReason::RequestedHuman;
        assert_eq!(reason("转人工"), Some((RequestedHuman, true)));
        assert_eq!(reason("我要人工客服"), Some((RequestedHuman, true)));
        assert_eq!(reason("Can I talk to a human please?"), Some((RequestedHuman, true)));
        assert_eq!(reason("agent"), Some((RequestedHuman, true)));
        assert_eq!(reason("I want to return my blender, talk to a human"), Some((RequestedHuman, false)));
        assert_eq!(reason("我的订单还没发货，转人工"), Some((RequestedHuman, false)));
    }

    #[test]
    fn complaints_and_anger() {
        use HandoffReason::Complaint;
        assert_eq!(reason("This is unacceptable, the parcel is two weeks late"), Some((Complaint, false)));
        assert_eq!(reason("我要投诉你们的快递"), Some((Complaint, false)));
        assert_eq!(reason("WHERE IS MY ORDER I PAID A MONTH AGO"), Some((Complaint, false)));
    }

    #[test]
    fn ordinary_questions_stay_with_kefu() {
        for question in [
            "How long do I have to return an item?",
            "Does the travel agent booking include insurance?",
            "退货运费谁承担？",
            "Is the human hair wig returnable once opened? I asked the seller about it yesterday",
        ] {
            assert_eq!(reason(question), None, "{question}");
        }
    }
}
