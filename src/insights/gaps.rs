//! Topics as an editor reads them, and the knowledge gaps: topics ranked by unmet demand
//! (pure). The closest documents of a gap are looked up by the caller and passed back in
//! ([`Gap::explain`]).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::digest::{Digest, Share};

/// Topics listed in a report, largest first.
pub const MAX_TOPICS: usize = 200;
/// Gaps listed in a report.
pub const MAX_GAPS: usize = 50;
/// Sample wordings shown per topic.
const SAMPLES: usize = 5;
/// Documents shown per topic.
const DOCUMENTS: usize = 3;

/// How many answers of a topic cited a document.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DocumentCount {
    /// The document.
    pub doc_id: String,
    /// Answers citing it.
    pub answers: u64,
}

/// A group of customer questions with the same meaning.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Topic {
    /// Its id (stable across runs).
    pub id: i64,
    /// Its most central question.
    pub label: String,
    /// Questions of the period in it.
    pub questions: u64,
    /// Questions of the period before.
    pub previous: u64,
    /// `(questions − previous) / previous`; `None` when there were none before.
    pub trend: Option<f64>,
    /// Questions kefu answered, out of those it was asked.
    pub answer_rate: Share,
    /// Answers rated down, out of answers rated.
    pub thumbs_down: Share,
    /// Questions not met (abstained, handed off for low confidence, rated down, asked again).
    pub unmet: Share,
    /// Questions asked again in other words in the same conversation (a follow-up, read with
    /// the question before it, is not one).
    pub rephrasings: u64,
    /// Questions by language.
    pub languages: BTreeMap<String, u64>,
    /// The documents its answers cited most.
    pub documents: Vec<DocumentCount>,
    /// Its most asked wordings.
    pub samples: Vec<String>,
    /// The latest conversations it was asked in (at most five, newest first): the drill-down.
    pub conversations: Vec<String>,
}

/// A document close to a gap's question.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ClosestDocument {
    /// The document.
    pub doc_id: String,
    /// Its title.
    pub title: String,
    /// Its locale.
    pub locale: String,
    /// Cosine similarity of its best passage to the question.
    pub similarity: Option<f32>,
}

/// Why the help center did not meet a gap's questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// No document comes close.
    NoDocument,
    /// The closest document is in another language than the questions.
    WrongLanguage,
    /// kefu found passages, but none it was confident in.
    LowScore,
    /// Answers were rated down as outdated.
    Outdated,
    /// Answers were rated down as wrong, unclear or off the question.
    RatedDown,
    /// Customers asked again in other words.
    AskedAgain,
}

impl Why {
    /// Its name in the API and the reports (`no_document`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Why::NoDocument => "no_document",
            Why::WrongLanguage => "wrong_language",
            Why::LowScore => "low_score",
            Why::Outdated => "outdated",
            Why::RatedDown => "rated_down",
            Why::AskedAgain => "asked_again",
        }
    }
}

/// A proposal for an editor: never published without a person.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Draft {
    /// An agent's reply in a resolved ticket about this topic (promote it with
    /// `POST /v1/admin/answers` and its conversation and turn).
    AgentReply {
        /// The reply.
        text: String,
        /// Its conversation.
        conversation_id: String,
        /// Its turn.
        seq: i64,
    },
    /// The closest passage of the help center, to be rewritten.
    Passage {
        /// The passage.
        text: String,
        /// Its document.
        doc_id: String,
    },
}

/// A topic ranked by unmet demand.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    /// The topic.
    pub topic: i64,
    /// Its label.
    pub label: String,
    /// The language most of its questions are in.
    pub language: String,
    /// Questions not met, out of its questions.
    pub unmet: Share,
    /// Abstentions for want of an answer (not those for a person asked for, a complaint, or an
    /// order of the customer's own).
    pub abstained: u64,
    /// Handoffs for low confidence.
    pub low_confidence_handoffs: u64,
    /// Answers rated down.
    pub thumbs_down: u64,
    /// Questions asked again in other words.
    pub rephrasings: u64,
    /// Sample questions.
    pub samples: Vec<String>,
    /// The latest conversations with its questions (at most five, newest first).
    pub conversations: Vec<String>,
    /// The documents closest to its label.
    pub closest: Vec<ClosestDocument>,
    /// Why they did not answer.
    pub why: Vec<Why>,
    /// What an editor could start from.
    pub draft: Option<Draft>,
    #[serde(skip)]
    outdated: u64,
    #[serde(skip)]
    latest_reply: Option<usize>,
}

impl Gap {
    /// Fills in the closest documents and the passage to start from, and tells why.
    pub fn explain(
        &mut self,
        closest: Vec<ClosestDocument>,
        passage: Option<(String, String)>,
        digest: &Digest,
    ) {
        let mut why = Vec::new();
        match closest.first() {
            None => why.push(Why::NoDocument),
            Some(doc) if !same_language(&doc.locale, &self.language) => why.push(Why::WrongLanguage),
            Some(_) => {}
        }
        if self.abstained + self.low_confidence_handoffs > 0 && !why.contains(&Why::NoDocument) {
            why.push(Why::LowScore);
        }
        if self.outdated > 0 {
            why.push(Why::Outdated);
        }
        if self.thumbs_down > self.outdated {
            why.push(Why::RatedDown);
        }
        if self.rephrasings > 0 {
            why.push(Why::AskedAgain);
        }
        self.why = why;
        self.closest = closest;
        self.draft = match self.latest_reply.map(|i| &digest.agent_replies[i]) {
            Some(reply) => Some(Draft::AgentReply {
                text: reply.text.clone(),
                conversation_id: reply.conversation_id.clone(),
                seq: reply.seq,
            }),
            None => passage.map(|(doc_id, text)| Draft::Passage { text, doc_id }),
        };
    }
}

fn same_language(locale: &str, language: &str) -> bool {
    let base = |s: &str| s.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    language == "unknown" || base(locale) == base(language)
}

/// Topics and gaps of a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Topics {
    /// Topics with questions in the period, largest first (at most [`MAX_TOPICS`]).
    pub topics: Vec<Topic>,
    /// Topics with unmet questions, most unmet first (at most [`MAX_GAPS`]).
    pub gaps: Vec<Gap>,
    /// Distinct topics with questions in the period (all of them, not only those listed).
    pub count: usize,
}

#[derive(Default)]
struct Tally {
    questions: u64,
    previous: u64,
    handled: u64,
    answered: u64,
    rated: u64,
    down: u64,
    outdated: u64,
    unmet: u64,
    abstained: u64,
    low_confidence: u64,
    rephrasings: u64,
    languages: BTreeMap<String, u64>,
    documents: HashMap<u32, u64>,
    wordings: HashMap<u32, u64>,
    /// The latest questions' conversations: (when, conversation).
    latest: Vec<(i64, u32)>,
    latest_reply: Option<usize>,
}

/// Keeps the [`SAMPLES`] latest distinct conversations of `latest`, newest first.
fn keep_latest(latest: &mut Vec<(i64, u32)>) {
    latest.sort_by(|a, b| b.cmp(a));
    let mut seen = Vec::with_capacity(SAMPLES);
    latest.retain(|&(_, c)| {
        let keep = seen.len() < SAMPLES && !seen.contains(&c);
        if keep {
            seen.push(c);
        }
        keep
    });
}

/// Groups the digest's questions by topic. `topic_of[text]` is the topic of each distinct
/// text, and `centrality[text]` its similarity to its topic's centroid (the label is the most
/// central question).
pub fn summarize(digest: &Digest, topic_of: &[i64], centrality: &[f32]) -> Topics {
    let questions = &digest.questions;
    let topic = |q: usize| topic_of[questions[q].text as usize];
    let mut rephrased = vec![false; questions.len()];
    for (i, question) in questions.iter().enumerate() {
        if let Some(previous) = question.previous.map(|p| p as usize)
            && !question.followup
            && topic(previous) == topic(i)
        {
            rephrased[previous] = true;
        }
    }
    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    for (i, question) in questions.iter().enumerate() {
        let tally = tallies.entry(topic(i)).or_default();
        if !question.current {
            tally.previous += 1;
            continue;
        }
        let outcome = &question.outcome;
        tally.questions += 1;
        tally.handled += u64::from(outcome.handled);
        tally.answered += u64::from(outcome.handled && !outcome.abstained);
        tally.rated += u64::from(outcome.thumbs != 0);
        tally.down += u64::from(outcome.thumbs < 0);
        tally.outdated += u64::from(outcome.thumbs < 0 && outcome.down_reason.as_deref() == Some("outdated"));
        tally.abstained += u64::from(outcome.found_no_answer());
        tally.low_confidence += u64::from(outcome.handoff.as_deref() == Some("low_confidence"));
        tally.rephrasings += u64::from(rephrased[i]);
        tally.unmet += u64::from(outcome.unmet() || rephrased[i]);
        let language = question.language.clone().unwrap_or_else(|| "unknown".into());
        *tally.languages.entry(language).or_default() += 1;
        for &doc in &outcome.documents {
            *tally.documents.entry(doc).or_default() += 1;
        }
        *tally.wordings.entry(question.text).or_default() += 1;
        tally.latest.push((question.at, question.conversation));
        if tally.latest.len() > 4 * SAMPLES {
            keep_latest(&mut tally.latest);
        }
    }
    for (index, reply) in digest.agent_replies.iter().enumerate() {
        if let Some(tally) = tallies.get_mut(&topic(reply.question as usize)) {
            tally.latest_reply = Some(index);
        }
    }
    let mut topics = Vec::new();
    let mut gaps = Vec::new();
    for (id, tally) in tallies.into_iter().filter(|(_, t)| t.questions > 0) {
        let mut wordings: Vec<(u32, u64)> = tally.wordings.into_iter().collect();
        wordings.sort_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| digest.texts[a.0 as usize].cmp(&digest.texts[b.0 as usize]))
        });
        let label_text = wordings
            .iter()
            .max_by(|a, b| {
                centrality[a.0 as usize]
                    .total_cmp(&centrality[b.0 as usize])
                    .then(a.1.cmp(&b.1))
                    .then_with(|| digest.texts[b.0 as usize].cmp(&digest.texts[a.0 as usize]))
            })
            .map(|w| w.0)
            .unwrap_or(wordings[0].0);
        let label = digest.texts[label_text as usize].clone();
        let samples: Vec<String> =
            wordings.iter().take(SAMPLES).map(|w| digest.texts[w.0 as usize].clone()).collect();
        let mut documents: Vec<(u32, u64)> = tally.documents.into_iter().collect();
        documents.sort_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| digest.documents[a.0 as usize].cmp(&digest.documents[b.0 as usize]))
        });
        let language =
            tally.languages.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|l| l.0.clone());
        let unmet = Share::new(tally.unmet, tally.questions);
        let mut latest = tally.latest;
        keep_latest(&mut latest);
        let conversations: Vec<String> =
            latest.iter().map(|&(_, c)| digest.conversations[c as usize].clone()).collect();
        if tally.unmet > 0 {
            gaps.push(Gap {
                topic: id,
                label: label.clone(),
                language: language.unwrap_or_else(|| "unknown".into()),
                unmet,
                abstained: tally.abstained,
                low_confidence_handoffs: tally.low_confidence,
                thumbs_down: tally.down,
                rephrasings: tally.rephrasings,
                samples: samples.clone(),
                conversations: conversations.clone(),
                closest: Vec::new(),
                why: Vec::new(),
                draft: None,
                outdated: tally.outdated,
                latest_reply: tally.latest_reply,
            });
        }
        topics.push(Topic {
            id,
            label,
            questions: tally.questions,
            previous: tally.previous,
            trend: (tally.previous > 0)
                .then(|| (tally.questions as f64 - tally.previous as f64) / tally.previous as f64),
            answer_rate: Share::new(tally.answered, tally.handled),
            thumbs_down: Share::new(tally.down, tally.rated),
            unmet,
            rephrasings: tally.rephrasings,
            languages: tally.languages,
            documents: documents
                .into_iter()
                .take(DOCUMENTS)
                .map(|(doc, answers)| DocumentCount {
                    doc_id: digest.documents[doc as usize].clone(),
                    answers,
                })
                .collect(),
            samples,
            conversations,
        });
    }
    let count = topics.len();
    topics.sort_by(|a, b| b.questions.cmp(&a.questions).then(a.id.cmp(&b.id)));
    topics.truncate(MAX_TOPICS);
    gaps.sort_by(|a, b| {
        b.unmet
            .count
            .cmp(&a.unmet.count)
            .then_with(|| b.unmet.value.unwrap_or(0.0).total_cmp(&a.unmet.value.unwrap_or(0.0)))
            .then(a.topic.cmp(&b.topic))
    });
    gaps.truncate(MAX_GAPS);
    Topics { topics, gaps, count }
}

#[cfg(test)]
mod tests {
    use super::super::digest::{AgentReply, Outcome, Question};
    use super::*;

    fn question(text: u32, current: bool, outcome: Outcome, previous: Option<u32>) -> Question {
        Question {
            text,
            current,
            at: 0,
            language: Some("en".into()),
            outcome,
            previous,
            followup: false,
            conversation: 0,
        }
    }

    fn answered(doc: u32) -> Outcome {
        Outcome { handled: true, documents: vec![doc], ..Outcome::default() }
    }

    fn abstained() -> Outcome {
        Outcome {
            handled: true,
            abstained: true,
            handoff: Some("low_confidence".into()),
            ..Outcome::default()
        }
    }

    fn digest() -> Digest {
        let mut digest = Digest {
            texts: ["return window", "how long to return", "roamo s7 weight", "how heavy is roamo s7", "old"]
                .map(String::from)
                .to_vec(),
            documents: vec!["returns.md".into()],
            questions: vec![
                question(0, true, answered(0), None),
                question(1, true, answered(0), None),
                question(1, false, answered(0), None),
                question(2, true, abstained(), None),
                question(3, true, abstained(), Some(3)),
                question(
                    3,
                    true,
                    Outcome { thumbs: -1, down_reason: Some("outdated".into()), ..answered(0) },
                    None,
                ),
            ],
            agent_replies: vec![AgentReply {
                question: 4,
                conversation_id: "c".into(),
                seq: 5,
                text: "3.8 kg".into(),
            }],
            conversations: (0..6).map(|i| format!("c{i}")).collect(),
            ..Digest::default()
        };
        // Question i is asked at i seconds, in conversation `c{i}` or the one of the question
        // it follows.
        for (i, question) in digest.questions.iter_mut().enumerate() {
            question.at = i as i64 * 1000;
            question.conversation = question.previous.unwrap_or(i as u32);
        }
        digest
    }

    #[test]
    fn topics_count_their_questions_and_gaps_rank_unmet_demand() {
        let digest = digest();
        // Texts 0 and 1 are topic 1, texts 2 and 3 topic 2; "how long to return" is the most
        // central of topic 1, "how heavy is roamo s7" of topic 2.
        let topics = summarize(&digest, &[1, 1, 2, 2, 3], &[0.9, 0.95, 0.8, 0.97, 1.0]);
        assert_eq!(topics.count, 2);
        let returns = topics.topics.iter().find(|t| t.id == 1).unwrap();
        assert_eq!((returns.questions, returns.previous, returns.trend), (2, 1, Some(1.0)));
        assert_eq!(returns.label, "how long to return");
        assert_eq!(returns.answer_rate, Share::new(2, 2));
        assert_eq!(returns.documents, [DocumentCount { doc_id: "returns.md".into(), answers: 2 }]);
        let weight = topics.topics.iter().find(|t| t.id == 2).unwrap();
        assert_eq!(weight.label, "how heavy is roamo s7");
        assert_eq!(weight.rephrasings, 1, "asked again in the same conversation");
        assert_eq!(weight.unmet, Share::new(3, 3));
        assert_eq!(weight.conversations, ["c5", "c3"], "the latest conversations, each once");
        assert_eq!(returns.conversations, ["c1", "c0"], "of the period only");
        assert_eq!(topics.gaps.len(), 1);
        let mut gap = topics.gaps[0].clone();
        assert_eq!((gap.topic, gap.abstained, gap.low_confidence_handoffs, gap.thumbs_down), (2, 2, 2, 1));
        gap.explain(Vec::new(), None, &digest);
        assert_eq!(gap.why, [Why::NoDocument, Why::Outdated, Why::AskedAgain]);
        assert_eq!(
            gap.draft,
            Some(Draft::AgentReply { text: "3.8 kg".into(), conversation_id: "c".into(), seq: 5 })
        );
    }

    #[test]
    fn a_follow_up_is_no_rephrasing() {
        let mut digest = digest();
        let rephrasings = |digest: &Digest| {
            summarize(digest, &[1, 1, 2, 2, 3], &[0.0; 5])
                .topics
                .iter()
                .find(|t| t.id == 2)
                .unwrap()
                .rephrasings
        };
        assert_eq!(rephrasings(&digest), 1);
        digest.questions[4].followup = true;
        assert_eq!(rephrasings(&digest), 0, "read with the question before it, it asks something further");
    }

    #[test]
    fn a_gap_tells_a_document_in_another_language_and_offers_the_passage_when_no_agent_replied() {
        let mut digest = digest();
        digest.agent_replies.clear();
        let mut gap = summarize(&digest, &[1, 1, 2, 2, 3], &[0.0; 5]).gaps.remove(0);
        let closest = vec![ClosestDocument {
            doc_id: "zh/weight.md".into(),
            title: "重量".into(),
            locale: "zh-CN".into(),
            similarity: Some(0.7),
        }];
        gap.explain(closest, Some(("zh/weight.md".into(), "重 3.8 公斤".into())), &digest);
        assert_eq!(gap.why[..2], [Why::WrongLanguage, Why::LowScore]);
        assert_eq!(
            gap.draft,
            Some(Draft::Passage { text: "重 3.8 公斤".into(), doc_id: "zh/weight.md".into() })
        );
    }
}
