//! One pass over the stored turns of a period, a conversation at a time, into the figures and
//! the list of customer questions that topics and gaps are made from (pure).
//!
//! The turns come ordered by conversation and sequence number, and cover the period and the
//! one before it (of the same length), so that a topic's trend can be told; the figures count
//! the period only.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::calendar::{Period, day_of, hour_of};
use crate::store::Role;

/// A stored turn as the insights read it.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnRow {
    /// Its conversation.
    pub conversation_id: String,
    /// Its number in the conversation.
    pub seq: i64,
    /// Who wrote it.
    pub role: Role,
    /// Customer turns: the question retrieved with (a follow-up joined to the turn before it);
    /// agent turns: the reply. Both redacted when stored.
    pub text: Option<String>,
    /// The language answered in.
    pub language: Option<String>,
    /// Where the conversation takes place.
    pub channel: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Customer turns: frustration signals were seen.
    pub frustrated: bool,
    /// Bot turns: kefu abstained.
    pub abstained: Option<bool>,
    /// Bot turns: why a person should take over.
    pub handoff_reason: Option<String>,
    /// Bot turns: the answer's confidence.
    pub confidence: Option<f64>,
    /// Bot turns: the documents cited.
    pub cited_docs: Vec<String>,
    /// Bot turns: the answer's time in milliseconds.
    pub total_ms: Option<f64>,
    /// The ticket the turn belongs to.
    pub ticket_id: Option<String>,
}

/// A rating as the insights read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    /// 1 or −1 for thumbs; 1 to 5 for CSAT (then `turn_seq` is 0).
    pub score: i64,
    /// Whether it is a CSAT score.
    pub csat: bool,
    /// Why an answer was rated down (`wrong`, `outdated`, ...).
    pub reason: Option<String>,
}

/// A ticket as the insights read it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFact {
    /// Its id.
    pub id: String,
    /// The handoff reason that opened it.
    pub reason: String,
    /// Whether an agent resolved it.
    pub resolved: bool,
    /// When it was opened (Unix milliseconds).
    pub created_at: i64,
}

/// A figure that is a share, with the counts it was computed from, so that a small sample shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Share {
    /// `count / of`; `None` when `of` is 0.
    pub value: Option<f64>,
    /// The items counted.
    pub count: u64,
    /// Out of.
    pub of: u64,
}

impl Share {
    /// `count` out of `of`.
    pub fn new(count: u64, of: u64) -> Share {
        Share { value: (of > 0).then(|| count as f64 / of as f64), count, of }
    }
}

/// Customer satisfaction scores (1 to 5) of the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Csat {
    /// The mean score.
    pub mean: Option<f64>,
    /// Scores given.
    pub count: u64,
    /// How many gave 1, 2, 3, 4, 5.
    pub distribution: [u64; 5],
}

/// Answer times of the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Latency {
    /// Median, milliseconds.
    pub p50_ms: Option<f64>,
    /// 95th percentile, milliseconds.
    pub p95_ms: Option<f64>,
    /// Answers timed.
    pub count: u64,
}

/// What `containment` counts.
pub const CONTAINMENT_DEFINITION: &str = "conversations of the period in which kefu answered at least one question, \
     with no handoff (no handoff suggested in an answer, no ticket), no thumbs-down and no CSAT score of 1 or 2, \
     out of the conversations of the period in which kefu answered at least one question";

/// The figures of a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Conversations with at least one turn in the period.
    pub conversations: u64,
    /// Turns of the period by role (customer, bot, agent, system).
    pub turns: BTreeMap<String, u64>,
    /// Customer questions of the period.
    pub questions: u64,
    /// Questions per day (`YYYY-MM-DD` in the insights' UTC offset), every day of the period.
    pub questions_by_day: BTreeMap<String, u64>,
    /// Questions per hour of the day (0–23, in the insights' UTC offset).
    pub questions_by_hour: Vec<u64>,
    /// Questions by language answered in.
    pub questions_by_language: BTreeMap<String, u64>,
    /// Questions by channel.
    pub questions_by_channel: BTreeMap<String, u64>,
    /// Questions kefu answered, out of those it was asked (not those kept for an agent).
    pub answer_rate: Share,
    /// See `containment_definition`.
    pub containment: Share,
    /// The definition of containment.
    pub containment_definition: String,
    /// Answers that suggested a person, by reason.
    pub handoffs_suggested: BTreeMap<String, u64>,
    /// Tickets opened in the period, by reason.
    pub tickets_opened: BTreeMap<String, u64>,
    /// Thumbs up out of answers rated.
    pub thumbs_up: Share,
    /// Thumbs-down reasons.
    pub thumbs_down_reasons: BTreeMap<String, u64>,
    /// Customer satisfaction.
    pub csat: Csat,
    /// Answer times.
    pub latency: Latency,
    /// Customer turns with frustration signals, out of customer turns.
    pub frustration_rate: Share,
}

/// What happened to one customer question.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// kefu answered or abstained (rather than keeping it for an agent).
    pub handled: bool,
    /// kefu abstained.
    pub abstained: bool,
    /// The answer suggested a person, for this reason.
    pub handoff: Option<String>,
    /// The answer's thumbs: 1, −1 or 0 (not rated).
    pub thumbs: i8,
    /// Why it was rated down.
    pub down_reason: Option<String>,
    /// The answer's confidence.
    pub confidence: Option<f64>,
    /// Documents the answer cited (indexes into [`Digest::documents`]).
    pub documents: Vec<u32>,
}

impl Outcome {
    /// The question was not met: kefu abstained, handed off for low confidence, or the answer
    /// was rated down.
    pub fn unmet(&self) -> bool {
        self.abstained || self.handoff.as_deref() == Some("low_confidence") || self.thumbs < 0
    }
}

/// A customer question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Its text (index into [`Digest::texts`]).
    pub text: u32,
    /// Asked in the period (else in the one before).
    pub current: bool,
    /// Unix milliseconds.
    pub at: i64,
    /// The language answered in.
    pub language: Option<String>,
    /// What happened to it.
    pub outcome: Outcome,
    /// The question asked before it in the same conversation.
    pub previous: Option<u32>,
}

/// An agent's reply in a resolved ticket, after a customer question.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentReply {
    /// The question it follows (index into [`Digest::questions`]).
    pub question: u32,
    /// Its conversation and turn, to promote it.
    pub conversation_id: String,
    /// Its turn.
    pub seq: i64,
    /// The reply.
    pub text: String,
}

/// What one pass over the turns gives.
#[derive(Debug, Default)]
pub struct Digest {
    /// The figures of the period.
    pub figures: Figures,
    /// Customer questions of both periods, in the order read.
    pub questions: Vec<Question>,
    /// Distinct question texts (the first wording seen of each).
    pub texts: Vec<String>,
    /// Documents cited.
    pub documents: Vec<String>,
    /// Agents' replies in resolved tickets.
    pub agent_replies: Vec<AgentReply>,
    /// Thumbs-down answers citing each document, by reason (period only).
    pub downs_by_document: BTreeMap<String, BTreeMap<String, u64>>,
    /// Answers citing each document (period only).
    pub citations_by_document: BTreeMap<String, u64>,
}

/// Reads turns into a [`Digest`]; feed it every turn in order, then [`Digester::finish`].
pub struct Digester<'a> {
    period: Period,
    ratings: &'a HashMap<(String, i64), Vec<Rating>>,
    resolved_tickets: HashSet<&'a str>,
    digest: Digest,
    text_ids: HashMap<String, u32>,
    document_ids: HashMap<String, u32>,
    conversation: Vec<TurnRow>,
    latencies: Vec<f64>,
    contained: u64,
    with_answers: u64,
    answered: u64,
    handled: u64,
    frustrated: u64,
    thumbs_up: u64,
    rated: u64,
    csat_sum: i64,
}

impl<'a> Digester<'a> {
    /// A digester of `period`, with the ratings of the turns (keyed by conversation and turn;
    /// CSAT on turn 0) and the tickets.
    pub fn new(
        period: Period,
        ratings: &'a HashMap<(String, i64), Vec<Rating>>,
        tickets: &'a [TicketFact],
    ) -> Self {
        let mut digest = Digest::default();
        digest.figures.questions_by_hour = vec![0; 24];
        digest.figures.containment_definition = CONTAINMENT_DEFINITION.to_string();
        for day in period.days() {
            digest.figures.questions_by_day.insert(day, 0);
        }
        for ticket in tickets.iter().filter(|t| period.contains(t.created_at)) {
            *digest.figures.tickets_opened.entry(ticket.reason.clone()).or_default() += 1;
        }
        Digester {
            period,
            ratings,
            resolved_tickets: tickets.iter().filter(|t| t.resolved).map(|t| t.id.as_str()).collect(),
            digest,
            text_ids: HashMap::new(),
            document_ids: HashMap::new(),
            conversation: Vec::new(),
            latencies: Vec::new(),
            contained: 0,
            with_answers: 0,
            answered: 0,
            handled: 0,
            frustrated: 0,
            thumbs_up: 0,
            rated: 0,
            csat_sum: 0,
        }
    }

    /// Takes the next turn (ordered by conversation, then sequence number).
    pub fn push(&mut self, turn: TurnRow) {
        if self.conversation.first().is_some_and(|first| first.conversation_id != turn.conversation_id) {
            self.flush();
        }
        self.conversation.push(turn);
    }

    /// The digest.
    pub fn finish(mut self) -> Digest {
        self.flush();
        let figures = &mut self.digest.figures;
        figures.answer_rate = Share::new(self.answered, self.handled);
        figures.containment = Share::new(self.contained, self.with_answers);
        figures.thumbs_up = Share::new(self.thumbs_up, self.rated);
        figures.frustration_rate = Share::new(self.frustrated, figures.questions);
        let csat = &mut figures.csat;
        csat.mean = (csat.count > 0).then(|| self.csat_sum as f64 / csat.count as f64);
        figures.latency = Latency {
            p50_ms: crate::stats::percentile(&self.latencies, 0.5),
            p95_ms: crate::stats::percentile(&self.latencies, 0.95),
            count: self.latencies.len() as u64,
        };
        self.digest
    }

    fn flush(&mut self) {
        let turns = std::mem::take(&mut self.conversation);
        let Some(first) = turns.first() else { return };
        let id = first.conversation_id.clone();
        let ratings = |seq: i64| self.ratings.get(&(id.clone(), seq)).map(Vec::as_slice).unwrap_or_default();
        let in_period: Vec<bool> = turns.iter().map(|t| self.period.contains(t.created_at)).collect();
        let (mut answered_any, mut handed_off, mut rated_down) = (false, false, false);
        let mut last_question: Option<u32> = None;
        let figures = &mut self.digest.figures;
        for (i, turn) in turns.iter().enumerate() {
            let current = in_period[i];
            if current {
                *figures.turns.entry(turn.role.as_str().to_string()).or_default() += 1;
                handed_off |= turn.ticket_id.is_some();
            }
            match turn.role {
                Role::Customer => {
                    let bot = turns.get(i + 1).filter(|next| next.role == Role::Bot);
                    let mut outcome = Outcome { handled: bot.is_some(), ..Outcome::default() };
                    if let Some(bot) = bot {
                        outcome.abstained = bot.abstained.unwrap_or(false);
                        outcome.handoff = bot.handoff_reason.clone();
                        outcome.confidence = bot.confidence;
                        outcome.documents = bot
                            .cited_docs
                            .iter()
                            .map(|d| intern(&mut self.document_ids, &mut self.digest.documents, d))
                            .collect();
                        if let Some(thumbs) = ratings(bot.seq).iter().find(|r| !r.csat) {
                            outcome.thumbs = thumbs.score.signum() as i8;
                            outcome.down_reason = thumbs.reason.clone();
                        }
                    }
                    if current {
                        figures.questions += 1;
                        let at = self.period.local(turn.created_at);
                        *figures.questions_by_day.entry(day_of(at)).or_default() += 1;
                        figures.questions_by_hour[hour_of(at)] += 1;
                        let language = turn.language.as_deref().or(bot.and_then(|b| b.language.as_deref()));
                        *figures
                            .questions_by_language
                            .entry(language.unwrap_or("unknown").to_string())
                            .or_default() += 1;
                        *figures.questions_by_channel.entry(turn.channel.clone()).or_default() += 1;
                        self.frustrated += u64::from(turn.frustrated);
                        if outcome.handled {
                            self.handled += 1;
                            self.answered += u64::from(!outcome.abstained);
                            answered_any = true;
                        }
                    }
                    let Some(text) = turn.text.as_deref() else { continue };
                    let text = intern(&mut self.text_ids, &mut self.digest.texts, text);
                    let language = turn.language.clone().or_else(|| bot.and_then(|b| b.language.clone()));
                    self.digest.questions.push(Question {
                        text,
                        current,
                        at: turn.created_at,
                        language,
                        outcome,
                        previous: last_question,
                    });
                    last_question = Some(self.digest.questions.len() as u32 - 1);
                }
                Role::Bot if current => {
                    if let Some(ms) = turn.total_ms {
                        self.latencies.push(ms);
                    }
                    if let Some(reason) = &turn.handoff_reason {
                        *figures.handoffs_suggested.entry(reason.clone()).or_default() += 1;
                        handed_off = true;
                    }
                    let thumbs = ratings(turn.seq).iter().find(|r| !r.csat);
                    for doc in &turn.cited_docs {
                        *self.digest.citations_by_document.entry(doc.clone()).or_default() += 1;
                    }
                    if let Some(thumbs) = thumbs {
                        self.rated += 1;
                        if thumbs.score > 0 {
                            self.thumbs_up += 1;
                        } else {
                            rated_down = true;
                            let reason = thumbs.reason.clone().unwrap_or_else(|| "none".into());
                            *figures.thumbs_down_reasons.entry(reason.clone()).or_default() += 1;
                            for doc in &turn.cited_docs {
                                *self
                                    .digest
                                    .downs_by_document
                                    .entry(doc.clone())
                                    .or_default()
                                    .entry(reason.clone())
                                    .or_default() += 1;
                            }
                        }
                    }
                }
                Role::Agent => {
                    let in_resolved =
                        turn.ticket_id.as_deref().is_some_and(|t| self.resolved_tickets.contains(t));
                    if let (true, Some(question), Some(text)) = (in_resolved, last_question, &turn.text) {
                        self.digest.agent_replies.push(AgentReply {
                            question,
                            conversation_id: id.clone(),
                            seq: turn.seq,
                            text: text.clone(),
                        });
                    }
                }
                Role::Bot | Role::System => {}
            }
        }
        if !in_period.contains(&true) {
            return;
        }
        figures.conversations += 1;
        let mut low_csat = false;
        if let Some(csat) = ratings(0).iter().find(|r| r.csat) {
            let score = csat.score.clamp(1, 5);
            figures.csat.count += 1;
            figures.csat.distribution[(score - 1) as usize] += 1;
            self.csat_sum += score;
            low_csat = score <= 2;
        }
        if answered_any {
            self.with_answers += 1;
            self.contained += u64::from(!handed_off && !rated_down && !low_csat);
        }
    }
}

/// The id of `value` in `table`, added when new.
fn intern(ids: &mut HashMap<String, u32>, table: &mut Vec<String>, value: &str) -> u32 {
    if let Some(&id) = ids.get(value) {
        return id;
    }
    let id = table.len() as u32;
    table.push(value.to_string());
    ids.insert(value.to_string(), id);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn turn(conversation: &str, seq: i64, role: Role, at: i64) -> TurnRow {
        TurnRow {
            conversation_id: conversation.into(),
            seq,
            role,
            text: None,
            language: Some("en".into()),
            channel: "api".into(),
            created_at: at,
            frustrated: false,
            abstained: None,
            handoff_reason: None,
            confidence: None,
            cited_docs: Vec::new(),
            total_ms: None,
            ticket_id: None,
        }
    }

    fn question(conversation: &str, seq: i64, text: &str, at: i64) -> TurnRow {
        TurnRow { text: Some(text.into()), ..turn(conversation, seq, Role::Customer, at) }
    }

    fn answer(conversation: &str, seq: i64, at: i64, abstained: bool, ms: f64) -> TurnRow {
        TurnRow {
            abstained: Some(abstained),
            total_ms: Some(ms),
            cited_docs: if abstained { vec![] } else { vec!["returns.md".into()] },
            handoff_reason: abstained.then(|| "low_confidence".into()),
            ..turn(conversation, seq, Role::Bot, at)
        }
    }

    #[test]
    fn figures_count_the_period_and_keep_the_earlier_questions_for_trends() {
        let period = Period::new(10 * DAY, 12 * DAY, 0).unwrap();
        let mut ratings = HashMap::new();
        ratings.insert(
            ("b".to_string(), 4),
            vec![Rating { score: -1, csat: false, reason: Some("outdated".into()) }],
        );
        ratings.insert(("a".to_string(), 0), vec![Rating { score: 5, csat: true, reason: None }]);
        let tickets = [TicketFact {
            id: "t".into(),
            reason: "requested_human".into(),
            resolved: true,
            created_at: 11 * DAY,
        }];
        let mut digester = Digester::new(period, &ratings, &tickets);
        // Before the period: counted for trends only.
        digester.push(question("0", 1, "old", 9 * DAY));
        digester.push(answer("0", 2, 9 * DAY, false, 5.0));
        // a: answered, rated 5: contained.
        digester.push(question("a", 1, "how do returns work", 10 * DAY + 3_600_000));
        digester.push(answer("a", 2, 10 * DAY + 3_600_000, false, 10.0));
        // b: answered, then a thumbs-down on an abstention, and an agent's reply in a resolved ticket.
        digester.push(question("b", 1, "How do returns work?", 11 * DAY));
        digester.push(answer("b", 2, 11 * DAY, false, 20.0));
        digester
            .push(TurnRow { frustrated: true, ..question("b", 3, "what is the warranty postage", 11 * DAY) });
        digester.push(answer("b", 4, 11 * DAY, true, 30.0));
        digester.push(TurnRow {
            text: Some("We pay it.".into()),
            ticket_id: Some("t".into()),
            ..turn("b", 5, Role::Agent, 11 * DAY)
        });
        let digest = digester.finish();
        let f = &digest.figures;
        assert_eq!(f.conversations, 2);
        assert_eq!(f.questions, 3);
        assert_eq!(f.turns["customer"], 3);
        assert_eq!(f.turns["agent"], 1);
        assert_eq!(f.answer_rate, Share::new(2, 3));
        assert_eq!(f.containment, Share::new(1, 2), "b was handed off and rated down");
        assert_eq!(f.thumbs_up, Share::new(0, 1));
        assert_eq!(f.thumbs_down_reasons["outdated"], 1);
        assert_eq!(f.csat.mean, Some(5.0));
        assert_eq!(f.csat.distribution, [0, 0, 0, 0, 1]);
        assert_eq!(f.latency.p50_ms, Some(20.0));
        assert_eq!(f.latency.count, 3);
        assert_eq!(f.frustration_rate, Share::new(1, 3));
        assert_eq!(f.handoffs_suggested["low_confidence"], 1);
        assert_eq!(f.tickets_opened["requested_human"], 1);
        assert_eq!(f.questions_by_day.len(), 2, "every day of the period, even empty ones");
        assert_eq!(f.questions_by_day["1970-01-11"], 1);
        assert_eq!(f.questions_by_hour[1], 1);
        assert_eq!(digest.questions.len(), 4);
        assert!(!digest.questions[0].current);
        assert_eq!(digest.questions[3].previous, Some(2));
        assert!(digest.questions[3].outcome.unmet());
        assert_eq!(digest.agent_replies.len(), 1);
        assert_eq!(digest.agent_replies[0].question, 3);
        assert_eq!(digest.downs_by_document.len(), 0, "the rated-down answer cited nothing");
        assert_eq!(digest.citations_by_document["returns.md"], 2);
    }

    #[test]
    fn a_question_kept_for_an_agent_is_not_counted_in_the_answer_rate() {
        let period = Period::new(0, DAY, 0).unwrap();
        let ratings = HashMap::new();
        let mut digester = Digester::new(period, &ratings, &[]);
        digester.push(TurnRow { ticket_id: Some("t".into()), ..question("c", 3, "still there?", 10) });
        let digest = digester.finish();
        assert_eq!(digest.figures.answer_rate, Share::new(0, 0));
        assert_eq!(digest.figures.answer_rate.value, None);
        assert_eq!(digest.figures.containment.of, 0);
        assert!(!digest.questions[0].outcome.handled);
    }
}
