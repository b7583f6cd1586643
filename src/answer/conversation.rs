//! Multi-turn conversations: a follow-up ("what about electronics?", "那运费呢？") is read in
//! the light of the question before it. Conversations live in memory, bounded in turns and in
//! number, and expire after a quiet period.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

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

/// The question to retrieve with: a follow-up joined to the (resolved) question before it,
/// anything else as it is.
pub fn resolve(previous: Option<&str>, message: &str) -> String {
    match previous {
        Some(previous) if is_follow_up(message) => format!("{previous} {}", message.trim()),
        _ => message.trim().to_string(),
    }
}

/// Limits of the conversation store.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Turns kept per conversation.
    pub turns: usize,
    /// Conversations kept.
    pub conversations: usize,
    /// Quiet time after which a conversation is forgotten.
    pub ttl: Duration,
}

#[derive(Debug)]
struct Conversation {
    /// Resolved questions, oldest first.
    turns: VecDeque<String>,
    last_seen: Instant,
}

/// Conversations by id. Time is passed in, so that expiry is testable.
#[derive(Debug)]
pub struct Conversations {
    limits: Limits,
    by_id: HashMap<String, Conversation>,
}

impl Conversations {
    /// An empty store.
    pub fn new(limits: Limits) -> Conversations {
        Conversations { limits, by_id: HashMap::new() }
    }

    /// The last resolved question of a live conversation.
    pub fn last_question(&self, id: &str, now: Instant) -> Option<&str> {
        let conversation = self.by_id.get(id)?;
        if now.duration_since(conversation.last_seen) > self.limits.ttl {
            return None;
        }
        conversation.turns.back().map(String::as_str)
    }

    /// Records a resolved question, forgetting expired conversations and, when full, the least
    /// recently used one.
    pub fn record(&mut self, id: &str, resolved: String, now: Instant) {
        let ttl = self.limits.ttl;
        if !self.by_id.contains_key(id) {
            self.by_id.retain(|_, c| now.duration_since(c.last_seen) <= ttl);
            if self.by_id.len() >= self.limits.conversations {
                let oldest = self.by_id.iter().min_by_key(|(_, c)| c.last_seen).map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    self.by_id.remove(&oldest);
                }
            }
        }
        let conversation = self
            .by_id
            .entry(id.to_string())
            .or_insert_with(|| Conversation { turns: VecDeque::new(), last_seen: now });
        if now.duration_since(conversation.last_seen) > ttl {
            conversation.turns.clear();
        }
        conversation.turns.push_back(resolved);
        while conversation.turns.len() > self.limits.turns {
            conversation.turns.pop_front();
        }
        conversation.last_seen = now;
    }

    /// Conversations held.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_are_resolved_against_the_previous_question() {
        assert!(is_follow_up("what about electronics?"));
        assert!(is_follow_up("那运费呢？"));
        assert!(is_follow_up("does it come in red?"));
        assert!(!is_follow_up("How long do I have to return an item?"));
        assert!(!is_follow_up("退货需要多长时间？"));
        assert_eq!(
            resolve(Some("Can I return opened clothing?"), "what about electronics?"),
            "Can I return opened clothing? what about electronics?"
        );
        assert_eq!(resolve(Some("退货要多久"), "发票怎么开？"), "发票怎么开？");
        assert_eq!(resolve(None, "那运费呢？"), "那运费呢？");
    }

    #[test]
    fn conversations_are_bounded_and_expire() {
        let limits = Limits { turns: 2, conversations: 2, ttl: Duration::from_secs(60) };
        let mut store = Conversations::new(limits);
        let t0 = Instant::now();
        store.record("a", "q1".into(), t0);
        store.record("a", "q2".into(), t0);
        store.record("a", "q3".into(), t0);
        assert_eq!(store.by_id["a"].turns.len(), 2, "turns bounded");
        assert_eq!(store.last_question("a", t0), Some("q3"));
        store.record("b", "x".into(), t0 + Duration::from_secs(1));
        store.record("c", "y".into(), t0 + Duration::from_secs(2));
        assert_eq!(store.len(), 2, "the least recently used conversation went");
        assert_eq!(store.last_question("a", t0 + Duration::from_secs(2)), None);
        assert_eq!(store.last_question("c", t0 + Duration::from_secs(200)), None, "expired");
    }
}
