//! One pass over the exchanges of a period (a customer's question and kefu's answer to it), a
//! conversation at a time, into the figures and the list of customer questions that topics and
//! gaps are made from (pure).
//!
//! The exchanges come ordered by conversation and sequence number, and cover the period and the
//! one before it (of the same length), so that a topic's trend can be told; the figures count
//! the period only. Reading one row per exchange rather than one per turn halves what the store
//! sends (docs/insights.md measures it).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::calendar::{Period, hour_of};

/// A customer's question and what kefu did with it, as the insights read them.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, Serialize)]
pub struct Exchange {
    /// Its conversation.
    pub conversation_id: String,
    /// The customer turn's number in the conversation (kefu's answer is the next one).
    pub seq: i64,
    /// The question retrieved with (a follow-up joined to the turn before it), redacted.
    pub question: String,
    /// A follow-up, read joined to the question before it.
    pub followup: bool,
    /// The language of the question.
    pub language: Option<String>,
    /// Where the conversation takes place.
    pub channel: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Frustration signals were seen.
    pub frustrated: bool,
    /// kefu's answer; `None` when the message was kept for an agent.
    pub answer: Option<AnswerFacts>,
}

/// What the insights read of one of kefu's answers.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, Serialize)]
pub struct AnswerFacts {
    /// kefu abstained.
    pub abstained: bool,
    /// Why a person should take over.
    pub handoff_reason: Option<String>,
    /// The documents cited.
    pub cited_docs: Vec<String>,
    /// The answer's time in milliseconds.
    pub total_ms: Option<f64>,
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
    /// Its conversation.
    pub conversation_id: String,
    /// The handoff reason that opened it.
    pub reason: String,
    /// When it was opened (Unix milliseconds).
    pub created_at: i64,
}

/// An agent's reply in a ticket an agent resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow {
    /// Its conversation.
    pub conversation_id: String,
    /// Its turn.
    pub seq: i64,
    /// The reply (redacted when stored).
    pub text: String,
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
    /// Documents the answer cited (indexes into [`Digest::documents`]).
    pub documents: Vec<u32>,
}

impl Outcome {
    /// The help center did not meet the question: kefu abstained for want of an answer (not
    /// because the customer asked for a person, complained, or asked about their own order,
    /// which no page can answer), handed off for low confidence, or the answer was rated down.
    pub fn unmet(&self) -> bool {
        self.found_no_answer() || self.handoff.as_deref() == Some("low_confidence") || self.thumbs < 0
    }

    /// kefu abstained for want of an answer in the help center.
    pub fn found_no_answer(&self) -> bool {
        let beyond_pages = matches!(
            self.handoff.as_deref(),
            Some("requested_human" | "complaint" | "order_lookup" | "account_lookup")
        );
        self.abstained && !beyond_pages
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
    /// A follow-up, read joined to the question before it (so it is no rephrasing of it).
    pub followup: bool,
    /// Its conversation (index into [`Digest::conversations`]).
    pub conversation: u32,
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
    /// The conversations the questions were asked in, in the order read.
    pub conversations: Vec<String>,
    /// Documents cited.
    pub documents: Vec<String>,
    /// Agents' replies in resolved tickets.
    pub agent_replies: Vec<AgentReply>,
    /// Thumbs-down answers citing each document, by reason (period only).
    pub downs_by_document: BTreeMap<String, BTreeMap<String, u64>>,
    /// Answers citing each document (period only).
    pub citations_by_document: BTreeMap<String, u64>,
}

/// What the digester reads beside the exchanges.
#[derive(Debug, Default)]
pub struct Context {
    /// Ratings by conversation and turn (CSAT on turn 0).
    pub ratings: HashMap<(String, i64), Vec<Rating>>,
    /// Tickets opened in both periods.
    pub tickets: Vec<TicketFact>,
    /// Agents' replies in resolved tickets, by conversation, in order.
    pub agent_replies: HashMap<String, Vec<AgentRow>>,
}

/// Reads exchanges into a [`Digest`]; feed it every exchange in order, then
/// [`Digester::finish`].
pub struct Digester<'a> {
    period: Period,
    context: &'a Context,
    /// Conversations that had a ticket opened in the period.
    handed_off: std::collections::HashSet<&'a str>,
    /// The first local day of the period, as days since 1970.
    first_day: i64,
    by_day: Vec<u64>,
    digest: Digest,
    text_ids: HashMap<String, u32>,
    document_ids: HashMap<String, u32>,
    conversation: Vec<Exchange>,
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

const DAY_MS: i64 = 86_400_000;

impl<'a> Digester<'a> {
    /// A digester of `period`.
    pub fn new(period: Period, context: &'a Context) -> Self {
        let mut digest = Digest::default();
        digest.figures.questions_by_hour = vec![0; 24];
        digest.figures.containment_definition = CONTAINMENT_DEFINITION.to_string();
        let mut handed_off = std::collections::HashSet::new();
        for ticket in context.tickets.iter().filter(|t| period.contains(t.created_at)) {
            *digest.figures.tickets_opened.entry(ticket.reason.clone()).or_default() += 1;
            handed_off.insert(ticket.conversation_id.as_str());
        }
        Digester {
            period,
            context,
            handed_off,
            first_day: period.local(period.from_ms).div_euclid(DAY_MS),
            by_day: vec![0; period.days().len()],
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

    /// Takes the next exchange (ordered by conversation, then sequence number).
    pub fn push(&mut self, exchange: Exchange) {
        if self.conversation.first().is_some_and(|first| first.conversation_id != exchange.conversation_id) {
            self.flush();
        }
        self.conversation.push(exchange);
    }

    /// The digest.
    pub fn finish(mut self) -> Digest {
        self.flush();
        let figures = &mut self.digest.figures;
        figures.questions_by_day = self.period.days().into_iter().zip(self.by_day).collect();
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
        let exchanges = std::mem::take(&mut self.conversation);
        let Some(first) = exchanges.first() else { return };
        let id = first.conversation_id.clone();
        let context = self.context;
        let ratings =
            |seq: i64| context.ratings.get(&(id.clone(), seq)).map(Vec::as_slice).unwrap_or_default();
        let (mut in_period, mut answered_any, mut rated_down) = (false, false, false);
        let mut handed_off = self.handed_off.contains(id.as_str());
        let mut replies =
            context.agent_replies.get(&id).map(Vec::as_slice).unwrap_or_default().iter().peekable();
        let mut last_question: Option<u32> = None;
        let conversation = self.digest.conversations.len() as u32;
        self.digest.conversations.push(id.clone());
        for exchange in exchanges {
            // Agents' replies before this question answered the one before it.
            while let Some(reply) = replies.next_if(|r| r.seq < exchange.seq) {
                self.agent_reply(last_question, reply);
            }
            let current = self.period.contains(exchange.created_at);
            in_period |= current;
            let mut outcome = Outcome { handled: exchange.answer.is_some(), ..Outcome::default() };
            let thumbs = ratings(exchange.seq + 1).iter().find(|r| !r.csat);
            if let Some(answer) = &exchange.answer {
                outcome.abstained = answer.abstained;
                outcome.handoff = answer.handoff_reason.clone();
                outcome.documents = answer
                    .cited_docs
                    .iter()
                    .map(|d| intern(&mut self.document_ids, &mut self.digest.documents, d))
                    .collect();
                if let Some(thumbs) = thumbs {
                    outcome.thumbs = thumbs.score.signum() as i8;
                    outcome.down_reason = thumbs.reason.clone();
                }
            }
            if current {
                let figures = &mut self.digest.figures;
                figures.questions += 1;
                let at = self.period.local(exchange.created_at);
                let day = (at.div_euclid(DAY_MS) - self.first_day) as usize;
                if let Some(count) = self.by_day.get_mut(day) {
                    *count += 1;
                }
                figures.questions_by_hour[hour_of(at)] += 1;
                let language = exchange.language.as_deref().unwrap_or("unknown");
                *figures.questions_by_language.entry(language.to_string()).or_default() += 1;
                *figures.questions_by_channel.entry(exchange.channel.clone()).or_default() += 1;
                self.frustrated += u64::from(exchange.frustrated);
                if let Some(answer) = &exchange.answer {
                    self.handled += 1;
                    self.answered += u64::from(!answer.abstained);
                    answered_any = true;
                    self.latencies.extend(answer.total_ms);
                    if let Some(reason) = &answer.handoff_reason {
                        *figures.handoffs_suggested.entry(reason.clone()).or_default() += 1;
                        handed_off = true;
                    }
                    for doc in &answer.cited_docs {
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
                            for doc in &answer.cited_docs {
                                let by_reason = self.digest.downs_by_document.entry(doc.clone()).or_default();
                                *by_reason.entry(reason.clone()).or_default() += 1;
                            }
                        }
                    }
                }
            }
            let text = intern(&mut self.text_ids, &mut self.digest.texts, &exchange.question);
            self.digest.questions.push(Question {
                text,
                current,
                at: exchange.created_at,
                language: exchange.language,
                outcome,
                previous: last_question,
                followup: exchange.followup,
                conversation,
            });
            last_question = Some(self.digest.questions.len() as u32 - 1);
        }
        for reply in replies {
            self.agent_reply(last_question, reply);
        }
        if !in_period {
            return;
        }
        let figures = &mut self.digest.figures;
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

    /// Keeps an agent's reply as the answer to the question before it.
    fn agent_reply(&mut self, question: Option<u32>, reply: &AgentRow) {
        if let Some(question) = question {
            self.digest.agent_replies.push(AgentReply {
                question,
                conversation_id: reply.conversation_id.clone(),
                seq: reply.seq,
                text: reply.text.clone(),
            });
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

    fn exchange(
        conversation: &str,
        seq: i64,
        question: &str,
        at: i64,
        answer: Option<AnswerFacts>,
    ) -> Exchange {
        Exchange {
            conversation_id: conversation.into(),
            seq,
            question: question.into(),
            followup: false,
            language: Some("en".into()),
            channel: "api".into(),
            created_at: at,
            frustrated: false,
            answer,
        }
    }

    fn answer(abstained: bool, ms: f64) -> Option<AnswerFacts> {
        Some(AnswerFacts {
            abstained,
            handoff_reason: abstained.then(|| "low_confidence".into()),
            cited_docs: if abstained { vec![] } else { vec!["returns.md".into()] },
            total_ms: Some(ms),
        })
    }

    #[test]
    fn figures_count_the_period_and_keep_the_earlier_questions_for_trends() {
        let period = Period::new(10 * DAY_MS, 12 * DAY_MS, 0).unwrap();
        let mut context = Context::default();
        context.ratings.insert(
            ("b".into(), 4),
            vec![Rating { score: -1, csat: false, reason: Some("outdated".into()) }],
        );
        context.ratings.insert(("b".into(), 2), vec![Rating { score: 1, csat: false, reason: None }]);
        context.ratings.insert(("a".into(), 0), vec![Rating { score: 5, csat: true, reason: None }]);
        context.tickets.push(TicketFact {
            conversation_id: "b".into(),
            reason: "low_confidence".into(),
            created_at: 11 * DAY_MS,
        });
        context.agent_replies.insert(
            "b".into(),
            vec![AgentRow { conversation_id: "b".into(), seq: 6, text: "We pay it.".into() }],
        );
        let mut digester = Digester::new(period, &context);
        // Before the period: counted for trends only.
        digester.push(exchange("0", 1, "old", 9 * DAY_MS, answer(false, 5.0)));
        // a: answered, rated 5: contained.
        digester.push(exchange("a", 1, "how do returns work", 10 * DAY_MS + 3_600_000, answer(false, 10.0)));
        // b: answered and rated up, then an abstention rated down, a ticket and an agent's reply.
        digester.push(exchange("b", 1, "How do returns work?", 11 * DAY_MS, answer(false, 20.0)));
        let postage = Exchange {
            frustrated: true,
            ..exchange("b", 3, "warranty postage", 11 * DAY_MS, answer(true, 30.0))
        };
        digester.push(postage);
        let digest = digester.finish();
        let f = &digest.figures;
        assert_eq!(f.questions, 3);
        assert_eq!(f.answer_rate, Share::new(2, 3));
        assert_eq!(f.containment, Share::new(1, 2), "b was handed off and rated down");
        assert_eq!(f.thumbs_up, Share::new(1, 2));
        assert_eq!(f.thumbs_down_reasons["outdated"], 1);
        assert_eq!(f.csat.mean, Some(5.0));
        assert_eq!(f.csat.distribution, [0, 0, 0, 0, 1]);
        assert_eq!(f.latency.p50_ms, Some(20.0));
        assert_eq!(f.latency.count, 3);
        assert_eq!(f.frustration_rate, Share::new(1, 3));
        assert_eq!(f.handoffs_suggested["low_confidence"], 1);
        assert_eq!(f.tickets_opened["low_confidence"], 1);
        assert_eq!(f.questions_by_day.len(), 2, "every day of the period, even empty ones");
        assert_eq!(f.questions_by_day["1970-01-11"], 1);
        assert_eq!(f.questions_by_day["1970-01-12"], 2);
        assert_eq!(f.questions_by_hour[1], 1);
        assert_eq!(digest.questions.len(), 4);
        assert!(!digest.questions[0].current);
        assert_eq!(digest.questions[3].previous, Some(2));
        assert!(digest.questions[3].outcome.unmet());
        assert_eq!(digest.questions[2].outcome.thumbs, 1);
        assert_eq!(digest.agent_replies.len(), 1, "after the last question");
        assert_eq!(digest.agent_replies[0].question, 3);
        assert_eq!(digest.downs_by_document.len(), 0, "the rated-down answer cited nothing");
        assert_eq!(digest.citations_by_document["returns.md"], 2);
        assert_eq!(digest.texts.len(), 4);
    }

    #[test]
    fn a_question_kept_for_an_agent_is_not_counted_in_the_answer_rate() {
        let period = Period::new(0, DAY_MS, 0).unwrap();
        let context = Context::default();
        let mut digester = Digester::new(period, &context);
        digester.push(exchange("c", 3, "still there?", 10, None));
        let digest = digester.finish();
        assert_eq!(digest.figures.answer_rate, Share::new(0, 0));
        assert_eq!(digest.figures.answer_rate.value, None);
        assert_eq!(digest.figures.containment.of, 0);
        assert!(!digest.questions[0].outcome.handled);
    }

    #[test]
    fn a_request_for_a_person_is_no_gap_in_the_help_center() {
        let wants_a_person = Outcome {
            handled: true,
            abstained: true,
            handoff: Some("requested_human".into()),
            ..Outcome::default()
        };
        assert!(!wants_a_person.unmet());
        let no_answer = Outcome { handoff: Some("low_confidence".into()), ..wants_a_person.clone() };
        assert!(no_answer.unmet());
        assert!(Outcome { handoff: None, ..wants_a_person.clone() }.unmet(), "abstained without a handoff");
        assert!(Outcome { thumbs: -1, ..wants_a_person }.unmet(), "rated down");
    }
}
