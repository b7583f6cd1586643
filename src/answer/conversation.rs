//! Multi-turn conversations: a follow-up ("what about electronics?", "那运费呢？") is read in
//! the light of the question before it. Conversations live in memory, bounded in turns, bytes
//! and number, and expire after a quiet period.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use lru::LruCache;

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

/// How much of a conversation a follow-up is read with.
#[derive(Debug, Clone, Copy)]
pub struct FollowUp {
    /// Earlier turns used: the question followed up on and the latest follow-ups since.
    pub turns: usize,
    /// Most characters in the resulting query.
    pub max_chars: usize,
}

/// The question to retrieve with: a follow-up joined to the earlier turns it builds on (the last
/// question that stood on its own, then the latest follow-ups since, `limits.turns` in all),
/// anything else as it is. The query is at most `limits.max_chars` characters (the message's own
/// characters beyond that are kept; it was checked against the limit by the caller): follow-ups
/// between the question and the latest ones are left out first, then the question is cut.
pub fn resolve<'a>(
    history: impl DoubleEndedIterator<Item = &'a str>,
    message: &str,
    limits: FollowUp,
) -> String {
    let message = message.trim();
    if !is_follow_up(message) || limits.turns == 0 {
        return message.to_string();
    }
    // Newest first: follow-ups back to the question they follow up on.
    let mut chain: Vec<&str> = Vec::new();
    let mut topic = None;
    for turn in history.rev() {
        if is_follow_up(turn) {
            chain.push(turn);
        } else {
            topic = Some(turn);
            break;
        }
    }
    let topic = topic.or_else(|| chain.pop());
    let Some(topic) = topic else {
        return message.to_string();
    };
    chain.truncate(limits.turns - 1);
    let chars = |text: &str| text.chars().count();
    // The message is always whole; the topic comes next, then the latest follow-ups, each after
    // a space.
    let mut budget = limits.max_chars.saturating_sub(chars(message));
    let topic_chars = chars(topic).min(budget.saturating_sub(1));
    budget = budget.saturating_sub(topic_chars + 1);
    let mut kept: Vec<&str> = Vec::new();
    for turn in chain {
        if chars(turn) + 1 > budget {
            break;
        }
        budget -= chars(turn) + 1;
        kept.push(turn);
    }
    let mut query: String = topic.chars().take(topic_chars).collect();
    for turn in kept.iter().rev().copied().chain([message]) {
        if !query.is_empty() {
            query.push(' ');
        }
        query.push_str(turn);
    }
    query
}

/// Limits of the conversation store.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Turns kept per conversation.
    pub turns: usize,
    /// Conversations kept.
    pub conversations: usize,
    /// Bytes kept per conversation (its id and questions).
    pub conversation_bytes: usize,
    /// Bytes kept for all conversations together.
    pub total_bytes: usize,
    /// Quiet time after which a conversation is forgotten.
    pub ttl: Duration,
    /// How a follow-up is read.
    pub follow_up: FollowUp,
}

#[derive(Debug)]
struct Conversation {
    /// The customer's questions, oldest first.
    turns: VecDeque<String>,
    /// Bytes of its id and turns.
    bytes: usize,
    last_seen: Instant,
}

/// Conversations by id, least recently used first out. Time is passed in, so that expiry is
/// testable. Every operation costs time in proportion to the turns it touches, not to the
/// number of conversations held.
#[derive(Debug)]
pub struct Conversations {
    limits: Limits,
    by_id: LruCache<String, Conversation>,
    bytes: usize,
}

impl Conversations {
    /// An empty store.
    pub fn new(limits: Limits) -> Conversations {
        Conversations { limits, by_id: LruCache::unbounded(), bytes: 0 }
    }

    /// The query to retrieve with for `message` in conversation `id` (see [`resolve`]).
    pub fn resolve(&self, id: &str, message: &str, now: Instant) -> String {
        let turns = self
            .by_id
            .peek(id)
            .filter(|c| now.saturating_duration_since(c.last_seen) <= self.limits.ttl)
            .map(|c| c.turns.iter().map(String::as_str));
        match turns {
            Some(turns) => resolve(turns, message, self.limits.follow_up),
            None => resolve(std::iter::empty(), message, self.limits.follow_up),
        }
    }

    /// Records the customer's question, forgetting expired conversations, then this
    /// conversation's oldest turns and the least recently used conversations until every limit
    /// holds.
    pub fn record(&mut self, id: &str, question: &str, now: Instant) {
        let ttl = self.limits.ttl;
        while let Some((_, oldest)) = self.by_id.peek_lru() {
            if now.saturating_duration_since(oldest.last_seen) <= ttl {
                break;
            }
            self.pop_lru();
        }
        let question = question.trim();
        if id.len() + question.len() > self.limits.conversation_bytes {
            // A turn that alone exceeds the limit is not kept: the conversation starts over.
            self.remove(id);
            return;
        }
        if !self.by_id.contains(id) {
            self.by_id.push(
                id.to_string(),
                Conversation { turns: VecDeque::new(), bytes: id.len(), last_seen: now },
            );
            self.bytes += id.len();
        }
        let limits = self.limits;
        let conversation = self.by_id.get_mut(id).expect("just inserted");
        let before = conversation.bytes;
        conversation.turns.push_back(question.to_string());
        conversation.bytes += question.len();
        while conversation.turns.len() > limits.turns || conversation.bytes > limits.conversation_bytes {
            let dropped = conversation.turns.pop_front().expect("a turn is over the limit");
            conversation.bytes -= dropped.len();
        }
        conversation.last_seen = now;
        self.bytes = self.bytes + conversation.bytes - before;
        while self.by_id.len() > limits.conversations || self.bytes > limits.total_bytes {
            if self.pop_lru().is_none() {
                break;
            }
        }
    }

    fn pop_lru(&mut self) -> Option<Conversation> {
        let (_, conversation) = self.by_id.pop_lru()?;
        self.bytes -= conversation.bytes;
        Some(conversation)
    }

    fn remove(&mut self, id: &str) {
        if let Some(conversation) = self.by_id.pop(id) {
            self.bytes -= conversation.bytes;
        }
    }

    /// Conversations held.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Bytes of ids and questions held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: FollowUp = FollowUp { turns: 2, max_chars: 1000 };

    fn limits(turns: usize, conversations: usize, conversation_bytes: usize, total_bytes: usize) -> Limits {
        Limits {
            turns,
            conversations,
            conversation_bytes,
            total_bytes,
            ttl: Duration::from_secs(60),
            follow_up: READ,
        }
    }

    #[test]
    fn follow_ups_are_resolved_against_the_previous_question() {
        assert!(is_follow_up("what about electronics?"));
        assert!(is_follow_up("那运费呢？"));
        assert!(is_follow_up("does it come in red?"));
        assert!(!is_follow_up("How long do I have to return an item?"));
        assert!(!is_follow_up("退货需要多长时间？"));
        assert_eq!(
            resolve(["Can I return opened clothing?"].into_iter(), "what about electronics?", READ),
            "Can I return opened clothing? what about electronics?"
        );
        assert_eq!(resolve(["退货要多久"].into_iter(), "发票怎么开？", READ), "发票怎么开？");
        assert_eq!(resolve(std::iter::empty(), "那运费呢？", READ), "那运费呢？");
    }

    #[test]
    fn a_chain_of_follow_ups_is_read_with_its_question_and_the_latest_follow_ups_only() {
        let history =
            ["Where is my order?", "How long does a refund take?", "what about paypal?", "and a bank card?"];
        assert_eq!(
            resolve(history.into_iter(), "and gift cards?", READ),
            "How long does a refund take? and a bank card? and gift cards?"
        );
        // 300 follow-ups: still the question and the latest one, never the whole chain.
        let chain: Vec<String> = std::iter::once("How long does a refund take?".to_string())
            .chain((0..300).map(|i| format!("and what about card number {i}?")))
            .collect();
        let query = resolve(chain.iter().map(String::as_str), "and paypal?", READ);
        assert_eq!(query, "How long does a refund take? and what about card number 299? and paypal?");
        // The query never exceeds max_chars: middle follow-ups go first, then the question is cut.
        let tight = FollowUp { turns: 2, max_chars: 40 };
        let query = resolve(chain.iter().map(String::as_str), "and paypal?", tight);
        assert_eq!(query, "How long does a refund take? and paypal?");
        let tighter = FollowUp { turns: 2, max_chars: 20 };
        let query = resolve(chain.iter().map(String::as_str), "and paypal?", tighter);
        assert!(query.chars().count() <= 20 && query.ends_with("and paypal?"), "{query}");
    }

    #[test]
    fn conversations_are_bounded_and_expire() {
        let mut store = Conversations::new(limits(2, 2, 1000, 10_000));
        let t0 = Instant::now();
        store.record("a", "q1", t0);
        store.record("a", "q2", t0);
        store.record("a", "q3", t0);
        assert_eq!(store.by_id.peek("a").unwrap().turns, ["q2", "q3"], "turns bounded");
        assert_eq!(store.resolve("a", "and q4?", t0), "q3 and q4?");
        store.record("b", "x", t0 + Duration::from_secs(1));
        store.record("c", "y", t0 + Duration::from_secs(2));
        assert_eq!(store.len(), 2, "the least recently used conversation went");
        assert_eq!(store.resolve("a", "and q4?", t0 + Duration::from_secs(2)), "and q4?");
        assert_eq!(store.resolve("c", "and z?", t0 + Duration::from_secs(200)), "and z?", "expired");
        store.record("d", "w", t0 + Duration::from_secs(200));
        assert_eq!(store.len(), 1, "expired conversations are dropped");
        assert_eq!(store.bytes(), 2);
    }

    #[test]
    fn conversations_are_bounded_in_bytes_each_and_in_total() {
        let mut store = Conversations::new(limits(100, 1_000_000, 100, 1000));
        let t0 = Instant::now();
        for i in 0..10 {
            store.record("a", &"x".repeat(30), t0 + Duration::from_millis(i));
        }
        let a = store.by_id.peek("a").unwrap();
        assert_eq!((a.turns.len(), a.bytes), (3, 91), "the oldest turns went");
        // 10,000 new conversations of 60 bytes: at most 1000 bytes are held.
        for i in 0..10_000 {
            store.record(&format!("id-{i:05}"), &"y".repeat(52), t0 + Duration::from_secs(1));
            assert!(store.bytes() <= 1000);
        }
        assert_eq!(store.len(), 1000 / 60);
        assert!(store.by_id.contains("id-09999") && !store.by_id.contains("a"));
        // A turn larger than a conversation may hold is not kept at all.
        store.record("big", &"z".repeat(200), t0 + Duration::from_secs(2));
        assert!(!store.by_id.contains("big"));
        let total: usize = store.by_id.iter().map(|(_, c)| c.bytes).sum();
        assert_eq!(total, store.bytes(), "the running total matches");
    }
}
