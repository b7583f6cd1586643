//! Follow-ups: a message such as "what about electronics?" or "那运费呢？" is read in the light
//! of the turn before it. Pure; conversations themselves are kept by [`crate::store`].

/// English openings of a follow-up.
const FOLLOW_UP_EN: &[&str] =
    &["what about", "how about", "and ", "and what", "what if", "same for", "also", "then ", "so "];
/// Pronouns that point back at an earlier question.
const BACK_REFERENCES_EN: &[&str] = &["it", "its", "that", "this", "them", "those", "they", "one"];
/// Chinese openings of a follow-up.
const FOLLOW_UP_ZH: &[&str] = &["那", "那么", "还有", "另外", "如果是", "那如果", "换成"];
/// Chinese pronouns that point back.
const BACK_REFERENCES_ZH: &[&str] = &["它", "这个", "那个", "这些", "那些", "这款", "那款"];

/// Whether `message` only makes sense together with the previous question.
pub fn is_follow_up(message: &str) -> bool {
    let lower = message.trim().to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let han = lower.chars().filter(|&c| kefu_ingest::locale::is_han(c)).count();
    if han > 0 {
        let short = han <= 10;
        return FOLLOW_UP_ZH.iter().any(|p| lower.starts_with(p))
            || lower.trim_end_matches(['?', '？', '。']).ends_with('呢')
            || (short && BACK_REFERENCES_ZH.iter().any(|p| lower.contains(p)));
    }
    let short = words.len() <= 6;
    FOLLOW_UP_EN.iter().any(|p| lower.starts_with(p))
        || (short && words.iter().any(|w| BACK_REFERENCES_EN.contains(w)))
}

/// Whether `question` may be about something named before it and not said again: Chinese
/// leaves it out ("一次最多能打多少"), English says it with a pronoun ("how long does it last?").
/// "If I refuse the parcel, do I get my money back?" is not about the blender named before it.
pub fn may_point_back(question: &str) -> bool {
    let lower = question.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    // "one of the payments" counts the payments named after it.
    let points_back = |(i, w): (usize, &&str)| {
        BACK_REFERENCES_EN.contains(w) && !(*w == "one" && words.get(i + 1) == Some(&"of"))
    };
    lower.chars().any(kefu_ingest::locale::is_han) || words.iter().enumerate().any(points_back)
}

/// The question to retrieve with: a follow-up joined to the query the previous turn was
/// answered with (which carries that turn's own topic when it was a follow-up too), anything
/// else as it is. Only the previous turn is read, and the query is at most `max_chars`
/// characters: the message is kept whole (the caller checked it against the limit) and the
/// previous query is cut to fit before it.
pub fn resolve(previous: Option<&str>, message: &str, max_chars: usize) -> String {
    let message = message.trim();
    let previous = previous.map(str::trim).filter(|p| !p.is_empty());
    let Some(previous) = previous.filter(|_| is_follow_up(message)) else {
        return message.to_string();
    };
    // The previous query, then a space, then the message.
    let budget = max_chars.saturating_sub(message.chars().count() + 1);
    let kept: String = previous.chars().take(budget).collect();
    let kept = kept.trim_end();
    if kept.is_empty() {
        return message.to_string();
    }
    format!("{kept} {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_are_resolved_against_the_previous_turn() {
        assert!(is_follow_up("what about electronics?"));
        assert!(is_follow_up("那运费呢？"));
        assert!(is_follow_up("does it come in red?"));
        assert!(!is_follow_up("How long do I have to return an item?"));
        assert!(!is_follow_up("退货需要多长时间？"));
        assert_eq!(
            resolve(Some("Can I return opened clothing?"), "what about electronics?", 1000),
            "Can I return opened clothing? what about electronics?"
        );
        assert_eq!(resolve(Some("退货要多久"), "发票怎么开？", 1000), "发票怎么开？");
        assert_eq!(resolve(None, "那运费呢？", 1000), "那运费呢？");
    }

    #[test]
    fn a_question_points_back_by_a_pronoun_in_english_and_by_leaving_it_out_in_chinese() {
        assert!(may_point_back("一次最多能打多少"));
        assert!(may_point_back("and how long does it take to charge?"));
        assert!(!may_point_back("If I refuse the parcel, do I get all my money back?"));
        assert!(!may_point_back("I'd like to upgrade the dock"));
        assert!(!may_point_back("what happens if i miss one of the payments"));
        assert!(may_point_back("can I put £500 on one?"));
    }

    #[test]
    fn a_chain_of_follow_ups_carries_its_topic_and_stays_within_the_limit() {
        // Each turn is read with the previous turn's query only, which already holds the topic.
        let mut query = "How long does a refund take?".to_string();
        for i in 0..300 {
            query = resolve(Some(&query), &format!("and what about card number {i}?"), 100);
            assert!(query.chars().count() <= 100, "{query}");
            assert!(query.starts_with("How long does a refund take?"), "{query}");
            assert!(query.ends_with(&format!("and what about card number {i}?")), "{query}");
        }
        // The message is whole even when nothing of the previous query fits before it.
        assert_eq!(resolve(Some(&query), "and paypal?", 11), "and paypal?");
        assert_eq!(resolve(Some(&query), "and paypal?", 20), "How long and paypal?");
    }
}
