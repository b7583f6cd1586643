//! Answers: from a question to a grounded answer with citations, or an honest "I don't know"
//! and a handoff to a human.
//!
//! ```text
//! question -> personal data redacted (placeholders, left out of what is searched)
//!          -> handoff lexicon -> retrieval (locale first, then all)
//!          -> passages asking for secrets or speaking to the assistant dropped -> confidence
//!          -> below threshold: abstain + handoff
//!          -> LLM (if configured; citations checked as they stream) or extractive answer
//!          -> cited passages that state conflicting numbers: said, and handed off
//! ```
//!
//! Everything here but [`llm`] and [`Answerer::answer`] is pure logic.

mod advice;
pub mod citations;
pub mod confidence;
pub mod conflicts;
pub mod conversation;
pub mod curated;
pub mod extractive;
pub mod handoff;
pub mod llm;
pub mod messages;
pub mod prompt;
pub mod safety;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use crate::config::AnswerConfig;
use crate::embed::vector::cosine;
use crate::index::text::QueryTerm;
use crate::index::{ChunkRecord, SearchFilter};
use crate::privacy::{self, Redactor};
use crate::recommend::Catalogue;
use crate::retrieve::{Mode, Retriever, SearchHit, SearchRequest};
use crate::understand::frustration::Frustration;
use crate::understand::{self, Part};
use crate::{Error, Result};
pub use advice::{Outcome, Recommendation, RecommendedProduct};
use citations::CitationFilter;
use confidence::Evidence;
use curated::{CuratedAnswer, CuratedMatch, CuratedPassage, CuratedSet};
use extractive::{Candidate, Extract, Passage};
pub use handoff::HandoffReason;
use llm::LlmClient;

/// Coverage of the customer's question by a FAQ entry's question above which the entry's answer
/// is given whole.
const FAQ_MATCH: f32 = 0.6;
/// Characters of a citation's snippet.
const SNIPPET_CHARS: usize = 300;
/// The document id and title of a curated answer's citation.
const CURATED_DOC: &str = "curated";
const CURATED_TITLE: &str = "Curated answer";
/// The most confidence a question asking for something the help center never names may have
/// ([`understand::Vocabulary::never_names`]): under the threshold by more than any margin to be answered beside
/// another question.
const UNNAMED_CONFIDENCE: f32 = 0.2;
/// How far under the threshold a question may be and still be answered beside another question
/// of its message answered from the same document ([`answered_beside`]).
const SAME_DOCUMENT_MARGIN: f32 = 0.1;
/// Top passages of an answered question whose documents a question close to the threshold may be
/// answered beside it from: one answered from the FAQ's entry on damaged items stands for the
/// damaged-items guide second in its list ([`answered_beside`]).
const BESIDE_PASSAGES: usize = 2;
/// How far under the threshold a question may be and still be answered beside another question
/// of its message answered from any document, when its evidence stands on the help center's
/// words ([`answered_beside`]).
const BESIDE_MARGIN: f32 = 0.15;
/// Most of a question's weight (IDF) that may be in words the help center never uses for it to be
/// answered beside another from any document: "do you do any student discount" is not.
const BESIDE_MAX_UNKNOWN: f32 = 0.3;
/// Least of a question's weight its top passage must hold for it to be answered beside another
/// from any document.
const BESIDE_MIN_COVERAGE: f32 = 0.15;
/// Ranks within which both retrievers must place the top passage to agree on it.
const AGREEMENT_RANK: usize = 3;
/// Share of their IDF the words of the context a customer gives count for in confidence and
/// sentence choice (the question's own words count fully).
const CONTEXT_WEIGHT: f32 = 0.3;
/// Sentences most about the question searched for the kind of value it asks for.
const EXPECTATION_CANDIDATES: usize = 2;
/// Most candidates scored by similarity per question (embedded at answer time when the generation
/// has no stored vectors for them).
const MAX_EMBEDDED_CANDIDATES: usize = 32;
/// Top passages whose sentences and table rows may be quoted.
const QUOTED_PASSAGES: usize = 4;
/// Most products whose price passage a question about prices puts first ([`price_passages`]).
const MAX_PRICED: usize = 3;
/// Passages the question's own words find in the documents quoted from that may be quoted too
/// ([`own_words_passages`]; 2 did no better on the dev lines).
const OWN_WORDS_PASSAGES: usize = 1;
/// How many of the passages a question told with context finds alone may be quoted from
/// ([`question_passages`]; 1 found nothing more on the dev lines, 4 no more than 2).
const QUESTION_PASSAGES: usize = 2;
/// Passages the regions' names find (BM25) among which [`region_passage`] looks for a table row
/// of the customer's region.
const REGION_CANDIDATES: usize = 10;
/// Top documents whose other passages may be quoted when one holds a sentence closer in meaning
/// to the question than any of the quoted passages' ([`closest_sentence_passage`]; 2 did no
/// better on the dev lines).
const SENTENCE_DOCUMENTS: usize = 1;
/// Most chunks of such a document compared, those nearest its quoted passage: a bound on the
/// work one question causes in a long document.
const SENTENCE_CHUNKS: usize = 32;
/// How close in meaning (0–1, scaled by the model's range) a customer's question must be to the
/// question a bare verdict ("Yes.", "不能。") answers for the verdict to be quoted
/// ([`retain_verdicts_answering`]).
const VERDICT_MIN_CLOSENESS: f32 = 0.5;
/// How sentences are chosen: the embedding model's similarity at 0.7, the IDF-weighted word
/// coverage at 0.3; sentences scoring at least 30% of the best one may join it (chosen on the dev
/// questions, docs/answering.md).
const SELECTION: extractive::Selection = extractive::Selection { semantic_weight: 0.7, keep_ratio: 0.3 };

/// A question to answer.
#[derive(Debug, Clone, Default)]
pub struct Question {
    /// The customer's words.
    pub text: String,
    /// What to retrieve with (the question, or a follow-up joined to the question before it).
    pub retrieval_query: String,
    /// The customer's locale, if the client knows it.
    pub locale: Option<String>,
    /// The customer's earlier messages in this conversation, oldest first (a question asked
    /// again, or a second "no", is a sign of frustration).
    pub earlier: Vec<String>,
    /// Metadata filters (doc_type, product, tags; `locale` is set from the question).
    pub filter: SearchFilter,
    /// What a handoff can promise the customer (a reply here, or how to reach the shop).
    pub promise: messages::Promise,
    /// The products the shop says the customer owns or looked at (for recommendations).
    pub shopper: crate::recommend::Shopper,
}

/// A grounded answer, or an abstention.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Answer {
    /// The answer, with `[n]` markers naming `citations`; or kefu's abstention or handoff message.
    pub answer: String,
    /// The passages the answer cites.
    pub citations: Vec<Citation>,
    /// How sure kefu is that the retrieved passages answer the question (0–1).
    pub confidence: f32,
    /// No answer was given: confidence was too low, or the passages did not answer.
    pub abstained: bool,
    /// Whether a person should take over, and why.
    pub handoff: Handoff,
    /// The conversation this turn belongs to (the HTTP service sets it).
    pub conversation_id: Option<String>,
    /// The language answered in (`en` or `zh`).
    pub language: String,
    /// What wrote the answer.
    pub generator: Generator,
    /// Set when the LLM's answer could not be used: `llm_unavailable`, `llm_uncited` or
    /// `llm_unsafe` (it asked for a secret or read as instructions).
    pub fallback: Option<String>,
    /// A note for the customer about how the answer was made (e.g. the LLM was unavailable).
    pub notice: Option<String>,
    /// The questions kefu read in the message, in order (several when the customer asked several
    /// things at once), and which of them it answered.
    pub parts: Vec<AnswerPart>,
    /// What says the customer is frustrated (then the answer opens with an apology).
    pub frustration: Frustration,
    /// Where the time went.
    pub timings: AnswerTimings,
    /// Set when the message asked what to buy: the products recommended, or the clarifying
    /// question asked (docs/recommendations.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
}

impl Answer {
    /// One of kefu's own messages, `text` (empty when kefu stays silent: a message kept for an
    /// agent), handing over for `reason` when there is one.
    pub fn message(text: String, language: &str, reason: Option<HandoffReason>) -> Answer {
        Answer {
            answer: text,
            citations: Vec::new(),
            confidence: 0.0,
            abstained: false,
            handoff: Handoff { needed: reason.is_some(), reason },
            conversation_id: None,
            language: language.to_string(),
            generator: Generator::None,
            fallback: None,
            notice: None,
            parts: Vec::new(),
            frustration: Frustration::default(),
            timings: AnswerTimings::default(),
            recommendation: None,
        }
    }

    /// Withheld because no question of the message was answered with enough confidence (not a
    /// greeting, a request for a person or a question only the order system can answer).
    pub fn abstained_for_low_confidence(&self) -> bool {
        self.abstained && self.parts.iter().any(|p| p.evidence.is_some())
    }
}

/// One question of a message.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AnswerPart {
    /// The question as kefu read it (normalised: typos, pinyin and traditional characters read).
    pub question: String,
    /// Whether the answer answers it (otherwise it says so and a person is offered).
    pub answered: bool,
    /// How sure kefu is that the passages answer it (0–1).
    pub confidence: f32,
    /// What the confidence was made from (absent when nothing was retrieved).
    pub evidence: Option<Evidence>,
    /// The curated answer that answers it, when one is close enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curated: Option<CuratedPart>,
}

/// The curated answer a question matched.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CuratedPart {
    /// Its id.
    pub id: String,
    /// The question's similarity to its closest example question (cosine).
    pub score: f32,
    /// Its similarity to the curated answer read as a passage.
    pub passage_score: f32,
    /// Its similarity to the help center's closest passage.
    pub help_center_score: f32,
}

/// A cited passage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Citation {
    /// The number of its `[n]` marker in the answer.
    pub n: usize,
    /// The chunk.
    pub chunk_id: String,
    /// The document (see `GET /v1/documents/{id}`).
    pub doc_id: String,
    /// Document title.
    pub title: String,
    /// Document URL.
    pub url: Option<String>,
    /// `Title › Section`.
    pub breadcrumb: String,
    /// Character offsets (start, end exclusive) of the quoted text in the document's text.
    pub span: [usize; 2],
    /// The quoted text (at most 300 characters).
    pub snippet: String,
    /// Set when the passage is a curated answer (`doc_id` `curated`): who wrote it and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curated: Option<CuratedSource>,
}

/// Who wrote a curated answer, and when (as its citation shows it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CuratedSource {
    /// The curated answer's id.
    pub id: String,
    /// Its version.
    pub version: i64,
    /// Who wrote it.
    pub author: String,
    /// When (Unix milliseconds).
    pub created_at_ms: i64,
}

/// The handoff verdict.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Handoff {
    /// A person should take over.
    pub needed: bool,
    /// Why.
    pub reason: Option<HandoffReason>,
}

/// What wrote an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Generator {
    /// Sentences quoted from the passages.
    Extractive,
    /// The configured LLM.
    Llm,
    /// Products recommended from the shop's catalogue, with reasons quoted from their pages.
    Catalogue,
    /// Nothing: kefu abstained or handed over.
    None,
}

/// Where the time of an answer went, in milliseconds.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AnswerTimings {
    /// Embedding the question.
    pub embed_ms: f64,
    /// Retrieval, embedding included.
    pub retrieve_ms: f64,
    /// Writing the answer.
    pub generate_ms: f64,
    /// Everything.
    pub total_ms: f64,
}

/// A piece of a streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerEvent {
    /// More answer text.
    Delta(String),
    /// Forget the text streamed so far: the answer is being written again (the LLM failed or
    /// cited nothing valid, and the extractive answer replaces it).
    Reset,
}

/// Makes answers.
#[derive(Debug, Clone)]
pub struct Answerer {
    config: AnswerConfig,
    llm: Option<LlmClient>,
    redactor: Redactor,
    /// The live curated answers, replaced as a whole when they change.
    curated: Arc<std::sync::RwLock<Arc<CuratedSet>>>,
}

/// How one question of a message is answered.
enum Written {
    /// Sentences quoted from the help center.
    Quoted(Extract),
    /// A curated answer, as written.
    Curated(CuratedMatch),
}

/// What retrieval found for one question of a message.
struct Retrieved {
    /// The question answered.
    part: Part,
    /// What only the shop's systems know, when the question asks it (nothing is retrieved).
    lookup: Option<Lookup>,
    hits: Vec<SearchHit>,
    /// The question's words weighted by their IDF in the index, and the context's words at
    /// [`CONTEXT_WEIGHT`] of theirs.
    weights: Vec<(String, f32)>,
    /// [`Retrieved::weights`] and the words of the regions of the places the customer names, at
    /// [`CONTEXT_WEIGHT`] of their IDF: what sentences and rows are chosen by.
    quote_weights: Vec<(String, f32)>,
    /// The question's own words weighted by their IDF (without its context's).
    question_weights: Vec<(String, f32)>,
    /// Share of the question's weight carried by words no chunk contains.
    unknown: f32,
    /// The question's most specific word that the help center uses (the highest IDF).
    specific: Option<String>,
    /// Sentences and table rows of the top passages, and their similarity to the question (0–1,
    /// when the dense retriever ran).
    candidates: Vec<Candidate>,
    similarity: Option<Similarities>,
    /// The passages (from the first) whose candidates are evidence that the question is
    /// answered; those after them were added only to be quoted from.
    evidence_passages: usize,
    /// How sure kefu is that the passages answer the question, and from what.
    confidence: f32,
    evidence: Option<Evidence>,
    /// The curated answer that answers the question, if one is close enough.
    curated: Option<CuratedMatch>,
    /// The curated answer among `hits` as a passage, if one ranked there.
    curated_passage: Option<Arc<CuratedAnswer>>,
    /// Answered under the threshold, beside another question of the message answered
    /// ([`answered_beside`]); `confidence` stays what the evidence gave.
    beside: bool,
    embed_ms: f64,
}

/// A question only the shop's systems can answer.
#[derive(Debug, Clone, PartialEq)]
enum Lookup {
    /// Where the order of this number stands.
    Order(String),
    /// The customer's own account: points, balance, tier, what is left to pay.
    Account,
}

impl Lookup {
    /// What kefu says instead of an answer.
    fn message(&self, language: &str) -> String {
        match self {
            Lookup::Order(number) => messages::order_lookup(language, number),
            Lookup::Account => messages::account_lookup(language).to_string(),
        }
    }

    /// Why a person takes the question.
    fn reason(&self) -> HandoffReason {
        match self {
            Lookup::Order(_) => HandoffReason::OrderLookup,
            Lookup::Account => HandoffReason::AccountLookup,
        }
    }
}

impl Retrieved {
    /// A question only the shop's systems can answer: nothing to retrieve.
    fn lookup(part: Part, lookup: Lookup) -> Retrieved {
        Retrieved {
            part,
            lookup: Some(lookup),
            hits: Vec::new(),
            weights: Vec::new(),
            quote_weights: Vec::new(),
            question_weights: Vec::new(),
            unknown: 0.0,
            specific: None,
            candidates: Vec::new(),
            similarity: None,
            evidence_passages: 0,
            confidence: 0.0,
            evidence: None,
            curated: None,
            curated_passage: None,
            beside: false,
            embed_ms: 0.0,
        }
    }

    /// Whether this question is answered at `threshold`.
    fn answers(&self, threshold: f32) -> bool {
        self.confidence >= threshold || self.beside
    }

    /// What [`answered_beside`] reads of this question.
    fn reading(&self) -> Reading<'_> {
        Reading {
            confidence: self.confidence,
            documents: self.hits.iter().take(BESIDE_PASSAGES).map(|h| h.doc_id.as_str()).collect(),
            grounded: self
                .evidence
                .as_ref()
                .is_some_and(|e| e.unknown < BESIDE_MAX_UNKNOWN && e.coverage >= BESIDE_MIN_COVERAGE),
        }
    }

    /// What the answer reports of this question.
    fn summary(&self, answered: bool) -> AnswerPart {
        AnswerPart {
            question: self.part.question.clone(),
            answered,
            confidence: self.confidence,
            evidence: self.evidence,
            curated: self.curated.as_ref().map(|m| CuratedPart {
                id: m.answer.id.clone(),
                score: m.score,
                passage_score: m.passage_score,
                help_center_score: m.help_center_score,
            }),
        }
    }

    /// Passages as the extractive answerer reads them.
    fn passages(&self) -> Vec<Passage<'_>> {
        self.hits.iter().map(|hit| Passage::of(&hit.record.chunk)).collect()
    }
}

/// The question's terms at their IDF, then the context's other terms at a share of theirs: the
/// context helps find the passage, but the passage must answer the question.
fn weighted_terms(question: &[QueryTerm], context: &[QueryTerm]) -> Vec<(String, f32)> {
    with_context_words(question.iter().map(|t| (t.term.clone(), t.idf)).collect(), context)
}

/// `weights` and the words of `context` not among them, at [`CONTEXT_WEIGHT`] of their IDF.
fn with_context_words(mut weights: Vec<(String, f32)>, context: &[QueryTerm]) -> Vec<(String, f32)> {
    for term in context {
        if !weights.iter().any(|(t, _)| *t == term.term) {
            weights.push((term.term.clone(), CONTEXT_WEIGHT * term.idf));
        }
    }
    weights
}

/// The question's word of highest IDF among those some chunk contains.
fn most_specific(question: &[QueryTerm]) -> Option<String> {
    question.iter().filter(|t| t.chunks > 0).max_by(|a, b| a.idf.total_cmp(&b.idf)).map(|t| t.term.clone())
}

/// Share of the question's IDF weight carried by words no chunk contains.
fn unknown_share(question: &[QueryTerm]) -> f32 {
    let total: f32 = question.iter().map(|t| t.idf).sum();
    let unknown: f32 = question.iter().filter(|t| t.chunks == 0).map(|t| t.idf).sum();
    if total > 0.0 { unknown / total } else { 0.0 }
}

impl Answerer {
    /// An answerer with `answer`'s settings (and its LLM, if one is configured), redacting
    /// every kind of personal data.
    pub fn new(config: &AnswerConfig) -> Result<Answerer> {
        Ok(Answerer {
            config: config.clone(),
            llm: LlmClient::from_config(&config.llm)?,
            redactor: Redactor::default(),
            curated: Arc::default(),
        })
    }

    /// Answers from `set` from now on (the curated answers changed).
    pub fn set_curated(&self, set: CuratedSet) {
        *self.curated.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(set);
    }

    /// The curated answers answered from now.
    pub fn curated(&self) -> Arc<CuratedSet> {
        self.curated.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The same answerer redacting what `redactor` redacts (`privacy.redact`).
    pub fn with_redactor(self, redactor: Redactor) -> Answerer {
        Answerer { redactor, ..self }
    }

    /// `question` with its personal data replaced by placeholders: the message and the earlier
    /// turns it is read with, each on its own (a card word in one turn is no reason to take a
    /// number in the next for a card).
    fn redacted(&self, question: Question) -> Question {
        let text = self.redactor.redact(&question.text).text;
        let retrieval_query = match earlier_turns(&question) {
            "" => text.clone(),
            earlier => format!("{} {text}", self.redactor.redact(earlier).text),
        };
        let earlier = question.earlier.iter().map(|message| self.redactor.redact(message).text).collect();
        Question { text, retrieval_query, earlier, ..question }
    }

    /// Answers `question` from `retriever`'s index, sending the answer's text to `events` as it
    /// is written. Nothing past the first line reads the customer's personal data: the LLM gets
    /// the placeholders, understanding and retrieval the message without them.
    pub async fn answer(
        &self,
        retriever: Arc<Retriever>,
        question: Question,
        events: Option<&UnboundedSender<AnswerEvent>>,
    ) -> Result<Answer> {
        let started = Instant::now();
        let send = |event: AnswerEvent| {
            if let Some(events) = events {
                // A client that went away stops listening; the answer is still completed.
                let _ = events.send(event);
            }
        };
        let question = self.redacted(question);
        let understood = {
            let (retriever, text) = (retriever.clone(), privacy::without_placeholders(&question.text));
            crate::error::blocking(move || Ok(understand::understand(&text, &*retriever.vocabulary()?)))
                .await?
        };
        let language = messages::language_of(&understood.text, question.locale.as_deref());
        let earlier: Vec<&str> = question.earlier.iter().map(String::as_str).collect();
        let frustration = understand::frustration::frustration(&question.text, &earlier);
        // A frustrated customer hears an apology first, however the answer is written (and again
        // after a reset, which makes the client forget what it was sent).
        let apology = frustration.frustrated().then(|| messages::apology(language));
        let opened = std::sync::atomic::AtomicBool::new(apology.is_none());
        let emit = |event: AnswerEvent| match event {
            AnswerEvent::Delta(text) if !opened.swap(true, std::sync::atomic::Ordering::Relaxed) => {
                send(AnswerEvent::Delta(messages::opening(apology, &text)))
            }
            AnswerEvent::Reset => {
                opened.store(apology.is_none(), std::sync::atomic::Ordering::Relaxed);
                send(AnswerEvent::Reset)
            }
            event => send(event),
        };
        let finish = |mut answer: Answer| {
            if answer.handoff.needed {
                // Said once, whatever made the handoff, and only what will really happen.
                let promise = messages::promise(language, &question.promise);
                let own_message = answer.generator == Generator::None;
                let text = messages::with_promise(language, &answer.answer, &promise, own_message);
                emit(AnswerEvent::Delta(text[answer.answer.len()..].to_string()));
                answer.answer = text;
            }
            answer.answer = messages::opening(apology, &answer.answer);
            answer.frustration = frustration.clone();
            answer.timings.total_ms = ms(started);
            answer
        };
        let signal = handoff::detect(&understood.text).or_else(|| handoff::detect(&question.text));
        // Abstained until something answers.
        let mut answer =
            Answer { abstained: true, ..Answer::message(String::new(), language, signal.map(|s| s.reason)) };
        if signal.is_some_and(|s| s.only_request) {
            answer.answer = messages::handing_over(language).to_string();
            emit(AnswerEvent::Delta(answer.answer.clone()));
            return Ok(finish(answer));
        }
        if understood.only_chatter() {
            let reply =
                if understood.thanks() { messages::welcome(language) } else { messages::greeting(language) };
            answer.answer = reply.to_string();
            emit(AnswerEvent::Delta(answer.answer.clone()));
            return Ok(finish(answer));
        }
        // A message of several questions is answered question by question from the help center,
        // unless every one of them is about what to buy ("where do I buy S7 filters? is there a kit?").
        let shopping_only = understood.parts.iter().all(|p| {
            let q = p.question.as_str();
            understand::advice::asks_advice(q)
                || understand::advice::asks_for_parts(q)
                || understand::advice::shopping(q)
        });
        if (understood.parts.len() == 1 || shopping_only)
            && let Some(mut advice) =
                self.advise(retriever.clone(), &question, &understood.text, language).await?
        {
            advice.timings.retrieve_ms = ms(started);
            emit(AnswerEvent::Delta(advice.answer.clone()));
            return Ok(finish(advice));
        }

        let clock = Instant::now();
        let earlier = privacy::without_placeholders(earlier_turns(&question));
        let earlier = earlier.trim();
        let single = understood.parts.len() == 1;
        // A message asking kefu to look at the customer's own records ("帮我查一下我这单"): its
        // questions whether something has happened yet are about them too ("refund到账了没有啊？").
        let own_records =
            understood.parts.iter().any(|p| understand::intent::account_lookup_request(&p.question));
        let catalogue = {
            let retriever = retriever.clone();
            crate::error::blocking(move || retriever.catalogue()).await?
        };
        // What the last question to name a product or kind was about: a later question that
        // names none is about it too ("破壁机能打冰沙吗？一次最多能打多少"), unless an order came
        // between ("订单…的咖啡机怎么还是待出库 今天到底能不能发" asks about the order).
        let mut subject: Option<String> = None;
        let mut parts = Vec::with_capacity(understood.parts.len());
        for mut part in understood.parts {
            // A message with one question is about the order it names anywhere ("订单尾号4417，
            // 仓库说早就收到了，……麻烦帮我看看处理了没有"); one of several questions, about the
            // order its own words name or point at ("这单的发票开出来没").
            let order = part.order_asked(&understood.text, single);
            match catalogue.subject(&part.query(), language) {
                _ if order.is_some() => subject = None,
                Some(named) => subject = Some(named),
                None if conversation::may_point_back(&part.question) => {
                    if let Some(named) = &subject {
                        part.context =
                            format!("{named}{}{}", understand::segment::separator(named), part.context);
                    }
                }
                None => {}
            }
            if !earlier.is_empty() {
                part.context =
                    format!("{earlier}{}{}", understand::segment::separator(earlier), part.context);
            }
            let retrieved = match order {
                Some(order) => Retrieved::lookup(part, Lookup::Order(order)),
                None if own_records && understand::intent::asks_whether_done(&part.question) => {
                    Retrieved::lookup(part, Lookup::Account)
                }
                None => {
                    let retrieved = self.retrieve(retriever.clone(), &question, part, language).await?;
                    // About the customer's own account: a person looks, unless a curated answer
                    // of the shop's, close to the question, says what to do ("在我的 → 积分中查看").
                    if retrieved.curated.is_none()
                        && retrieved.curated_passage.is_none()
                        && understand::intent::account_lookup_request(&retrieved.part.question)
                    {
                        Retrieved::lookup(retrieved.part, Lookup::Account)
                    } else {
                        retrieved
                    }
                }
            };
            answer.timings.embed_ms += retrieved.embed_ms;
            parts.push(retrieved);
        }
        answer.timings.retrieve_ms = ms(clock);
        // A message is answered when one of its questions is; each question is judged on its own,
        // or beside another of the message answered ([`answered_beside`]).
        let threshold = self.config.min_confidence;
        let read: Vec<Reading> = parts.iter().map(Retrieved::reading).collect();
        for i in answered_beside(&read, threshold) {
            parts[i].beside = true;
        }
        answer.confidence = parts.iter().map(|p| p.confidence).fold(0.0, f32::max);
        answer.parts = parts.iter().map(|p| p.summary(false)).collect();

        let clock = Instant::now();
        if answer.confidence >= self.config.min_confidence {
            // The LLM reads the customer's own words: it needs no help with typos.
            let asked = prompt::Asked {
                question: &question.text,
                resolved: &question.retrieval_query,
                earlier: &question.earlier,
            };
            self.generate(asked, &parts, language, &mut answer, &emit).await;
            mark_curated(&mut answer.citations, &parts);
        }
        if answer.generator != Generator::None {
            let hits: Vec<SearchHit> = distinct_hits(&parts);
            flag_conflicts(&hits, language, &mut answer, &emit);
        }
        if answer.generator == Generator::None {
            answer.abstained = true;
            answer.citations.clear();
            // A question about an order or the customer's account: say so (with the order's
            // number), and name the others not found ("订单NW…怎么还是待出库 今天到底能不能发").
            let reason = match parts.iter().find_map(|p| p.lookup.as_ref()) {
                Some(lookup) => {
                    let others = parts.iter().filter(|p| p.lookup.is_none()).map(|p| {
                        messages::part_unanswered(language, &understand::gloss::unglossed(&p.part.question))
                    });
                    answer.answer = std::iter::once(lookup.message(language))
                        .chain(others)
                        .collect::<Vec<_>>()
                        .join("\n\n");
                    lookup.reason()
                }
                None => {
                    answer.answer = messages::abstain(language).to_string();
                    HandoffReason::LowConfidence
                }
            };
            answer.handoff = Handoff { needed: true, reason: Some(signal.map_or(reason, |s| s.reason)) };
            emit(AnswerEvent::Delta(answer.answer.clone()));
        }
        answer.timings.generate_ms = ms(clock);
        Ok(finish(answer))
    }

    /// Hybrid search for one question of the message in its language, then in every language if
    /// that finds nothing; then the evidence that the passages answer it.
    async fn retrieve(
        &self,
        retriever: Arc<Retriever>,
        question: &Question,
        part: Part,
        language: &str,
    ) -> Result<Retrieved> {
        // The regions of the places the customer names choose table rows ("im in germany": the
        // European Union's row). The province of a Chinese city is searched for too ("我爸妈住
        // 乌鲁木齐，寄过去要几天" finds the row of 新疆); "EU" or "UK", on most pages of an English
        // help center, are not.
        let query = part.query();
        let provinces = understand::region::provinces(&query);
        let named_regions = [understand::region::regions(&query), provinces.clone()].concat();
        let regions = named_regions.join(" ");
        let mut request = SearchRequest {
            query: [query]
                .into_iter()
                .chain(provinces.iter().map(|p| p.to_string()))
                .collect::<Vec<_>>()
                .join(" "),
            k: self.config.passages,
            mode: Mode::Hybrid,
            filter: question.filter.clone(),
        };
        if request.filter.locale.is_none() {
            request.filter.locale = Some(question.locale.clone().unwrap_or_else(|| language.to_string()));
        }
        let language = language.to_string();
        let curated = self.curated();
        let margin = self.config.curated_margin;
        let passage_threshold = self.config.curated_passage_threshold;
        crate::error::blocking(move || {
            let language = language.as_str();
            let mut results = retriever.search(&request)?;
            if results.results.is_empty() {
                request.filter.locale = None;
                results = retriever.search(&request)?;
            }
            let about = |terms: Vec<QueryTerm>| -> Vec<QueryTerm> {
                terms.into_iter().filter(|t| !crate::analysis::is_question_filler(&t.term)).collect()
            };
            let question_terms = about(retriever.query_terms(&part.question)?);
            let context_terms = about(retriever.query_terms(&part.context)?);
            let mut hits = results.results;
            hits.retain(is_safe);
            // A curated answer close enough in meaning answers the question, whatever the
            // help center says. Otherwise the closest one, read as a passage, takes part where
            // its similarity ranks it among the help center's, when the question is close to
            // one of its example questions: free, it captured answerable questions (docs/curated.md).
            let query = results.query_vector.as_deref();
            let help_center_score = hits.iter().filter_map(|h| h.dense_score).fold(0.0, f32::max);
            let direct = query
                .and_then(|query| curated.best(query, language))
                .map(|matched| CuratedMatch { help_center_score, ..matched })
                .filter(|matched| matched.beats_help_center(margin));
            let mut curated_passage = None;
            let mut curated_question_score = None;
            if direct.is_none()
                && let Some(passage) = query.and_then(|query| curated.closest_passage(query, language))
            {
                let rank =
                    hits.iter().take_while(|h| h.dense_score.is_some_and(|s| s > passage.score)).count();
                if passage.question_score >= passage_threshold && rank < QUOTED_PASSAGES {
                    let hit = curated_hit(&passage, rank + 1);
                    if is_safe(&hit) {
                        hits.insert(rank, hit);
                        curated_passage = Some(passage.answer);
                        curated_question_score = Some(passage.question_score);
                    }
                }
            }
            let catalogue = retriever.catalogue()?;
            let own = own_words_passages(&retriever, &request, &part, &mut hits)?;
            let (priced, prices) = price_passages(&retriever, &catalogue, &part, language, &mut hits)?;
            let evidence_passages = hits.len().min(QUOTED_PASSAGES + priced + own);
            let policy = policy_passage(
                &retriever,
                &catalogue,
                &request,
                &part,
                language,
                &mut hits,
                evidence_passages,
            )?;
            let question_only =
                question_passages(&retriever, &request, &part, &mut hits, evidence_passages + policy)?;
            let region = region_passage(
                &retriever,
                &request,
                &named_regions,
                &mut hits,
                evidence_passages + policy + question_only,
            )?;
            let coded_row = coded_row_passage(
                &retriever,
                &request,
                &part.query(),
                &mut hits,
                evidence_passages + policy + question_only + region,
            )?;
            // Their own evidence is weighed below; later insertions move them.
            let added_for_question: Vec<String> = hits
                [evidence_passages..evidence_passages + policy + question_only]
                .iter()
                .map(|h| h.chunk_id.clone())
                .collect();
            let closest = match results.query_vector.as_deref() {
                Some(query) => closest_sentence_passage(
                    &retriever,
                    query,
                    &mut hits,
                    evidence_passages,
                    &question_terms,
                )?,
                None => 0,
            };
            let opened = evidence_passages + policy + question_only + region + coded_row + closest;
            let opener = section_opener_passage(&retriever, &mut hits, opened)?;
            let range = retriever.model().similarity_range;
            let passages: Vec<Passage> = hits
                .iter()
                .take(if opener == Some(opened) { opened + 1 } else { opened })
                .map(|hit| Passage::of(&hit.record.chunk))
                .collect();
            let mut candidates = extractive::candidates(&passages);
            if let Some(opener) = opener {
                candidates.iter_mut().filter(|c| c.passage == 0).for_each(|c| c.opened_by(opener));
            }
            // A sentence about another model of the product asked about does not answer.
            // Nor does one from the page of another kind of product; the price lines of the
            // products whose prices are asked do ("破壁机和迷你随行料理机差多少钱"). The products
            // the question names are those asked about, whatever its context names ("how long
            // does the roamo s5 take to charge from flat? the S7 page says 4.5 hours").
            let named = catalogue.named_in_part(&part.question, &part.query(), language);
            let focus = catalogue.focus_on(named.clone(), language);
            candidates.retain(|c| {
                let doc_id = &hits[c.passage].doc_id;
                let product = hits[c.passage].record.product.as_deref();
                priced_product(&prices, c).is_some()
                    || !(focus
                        .as_ref()
                        .is_some_and(|f| catalogue.about_sibling(f, &c.text, doc_id, product, language))
                        || catalogue.about_another_product(&named, &c.text, doc_id, product, language))
            });
            retain_verdicts_answering(&retriever, &part.question, &hits, &mut candidates)?;
            retain_rows_of_regions(&mut candidates, &hits, &named_regions);
            retain_rows_of_products(&mut candidates, &hits, &catalogue, &named, language);
            retain_rows_of_codes(&mut candidates, &hits, &part.query());
            weigh_by_region(&mut candidates, &named_regions);
            weigh_by_reason(&mut candidates, &part.query());
            candidates.retain(|c| !understand::offers::unasked_offer(&part.query(), &c.text));
            // A question about what products sell for is answered by their price lines, alone
            // unless it asks more ("迷你随行料理机多少钱？能打冰吗" joined as one question).
            let price_lines = candidates.iter().any(|c| priced_product(&prices, c).is_some());
            let asks_more = understand::segment::segments(&part.question)
                .iter()
                .filter(|s| s.role == understand::segment::Role::Question)
                .count()
                > 1;
            if price_lines && !asks_more {
                candidates.retain(|c| priced_product(&prices, c).is_some());
            }
            let weights = weighted_terms(&question_terms, &context_terms);
            // The regions' words are no evidence: the customer did not say them.
            let quote_weights = with_context_words(weights.clone(), &retriever.query_terms(&regions)?);
            let mut similarity = match &results.query_vector {
                Some(query) if !candidates.is_empty() => Some(similarities(
                    &retriever,
                    query,
                    &hits,
                    &candidates,
                    &quote_weights,
                    range,
                    evidence_passages,
                )?),
                _ => None,
            };
            // A policy question drawn to a product's page (see `policy_passage`): the policy's
            // sentences are as close to it as to the question without the products' names, which
            // pull the model to the product's own lines ("…sold my Roamo S7 to a friend … Can she
            // make a warranty claim even though I'm the one who bought it?" had been answered with
            // the robot's warranty period, not "they can make a claim with the original proof of
            // purchase").
            if let Some(similarity) = similarity.as_mut().filter(|_| policy > 0) {
                let unnamed = catalogue.without_names(&part.query(), language);
                let vector = retriever.embedder().embed_query(&unnamed)?;
                let without_names = similarities(
                    &retriever,
                    &vector,
                    &hits,
                    &candidates,
                    &quote_weights,
                    range,
                    evidence_passages,
                )?;
                for (i, candidate) in candidates.iter().enumerate() {
                    if hits[candidate.passage].record.product.is_none() {
                        similarity.chosen_by[i] = similarity.chosen_by[i].max(without_names.chosen_by[i]);
                    }
                }
            }
            // Price lines answer, whatever their similarity to the question, each named by its
            // product ("Roamo S5 Robot Vacuum — Price: €229 / £199 / $249").
            for (i, candidate) in candidates.iter_mut().enumerate() {
                if let Some(name) = priced_product(&prices, candidate) {
                    if let Some(similarity) = similarity.as_mut() {
                        similarity.chosen_by[i] = 1.0;
                        similarity.alone[i] = 1.0;
                    }
                    candidate.name(name);
                }
            }
            // A curated answer read as a passage is as close to the question as its example
            // question is (it took part for that): its reply is worded as an answer, not as the
            // question ("企业批量采购可以享受专属报价…" for "有没有团购价？"), and its cosine to the
            // question understated it beside sentences of the help center that merely share the
            // product's name.
            if let (Some(answer), Some(score), Some(similarity)) =
                (&curated_passage, curated_question_score, similarity.as_mut())
            {
                let id = answer.passage_id();
                let passage = hits.iter().position(|h| h.chunk_id == id);
                let close = confidence::semantic(score, range);
                for (i, _) in candidates.iter().enumerate().filter(|(_, c)| Some(c.passage) == passage) {
                    similarity.alone[i] = similarity.alone[i].max(close);
                    similarity.chosen_by[i] = similarity.chosen_by[i].max(close);
                }
            }
            let mut retrieved = Retrieved {
                part,
                hits,
                weights,
                quote_weights,
                question_weights: weighted_terms(&question_terms, &[]),
                unknown: unknown_share(&question_terms),
                specific: most_specific(&question_terms),
                lookup: None,
                candidates,
                similarity,
                evidence_passages,
                confidence: 0.0,
                evidence: None,
                curated: direct,
                curated_passage,
                beside: false,
                embed_ms: results.timings.embed_ms,
            };
            let question_weights = retrieved.question_weights.clone();
            retrieved.evidence =
                evidence(&retrieved, 0..retrieved.evidence_passages, &question_weights, range);
            // The price lines state the amount a question about prices asks for.
            if let Some(evidence) = retrieved.evidence.as_mut().filter(|_| price_lines) {
                evidence.expected_found = evidence.expected_found.map(|_| true);
            }
            let calibration = confidence::calibration(&retriever.model().name, language);
            retrieved.confidence =
                retrieved.evidence.map_or(0.0, |e| confidence::confidence(&e, &calibration));
            // A passage found for what the question itself asks (the policy without the product's
            // name, the question without its story) answers it as well as the main search's
            // passages do when its own evidence is stronger: "sent the kettle back … i paid with
            // paypal so how long till the money shows up" is answered from the refund times the
            // question alone finds.
            for id in &added_for_question {
                let Some(at) = retrieved.hits.iter().position(|h| &h.chunk_id == id) else { continue };
                let Some(alone) = evidence(&retrieved, at..at + 1, &question_weights, range) else {
                    continue;
                };
                let confidence = confidence::confidence(&alone, &calibration);
                if confidence > retrieved.confidence {
                    retrieved.confidence = confidence;
                    retrieved.evidence = Some(alone);
                }
            }
            // What the question asks the shop to offer or a product to support ("do you do a
            // student discount?", "有没有团购价？"), when the help center never names it and no
            // curated answer took part: the passages about the product or the shop's other
            // offers are close in meaning, but none says yes or no to it.
            let asked_for = understand::asked_for::asked_for(&retrieved.part.question);
            if let Some(thing) = asked_for.filter(|_| retrieved.curated_passage.is_none())
                && retriever.vocabulary()?.never_names(thing)
            {
                retrieved.confidence = retrieved.confidence.min(UNNAMED_CONFIDENCE);
            }
            if let Some(matched) = &retrieved.curated {
                retrieved.confidence = retrieved.confidence.max(matched.score);
            }
            Ok(retrieved)
        })
        .await
    }

    /// Writes the answer with the LLM (the whole message, from the passages of every question
    /// kefu is confident about), falling back to the extractive answerer (question by question).
    async fn generate(
        &self,
        asked: prompt::Asked<'_>,
        parts: &[Retrieved],
        language: &str,
        answer: &mut Answer,
        emit: &(impl Fn(AnswerEvent) + Sync),
    ) {
        let confident: Vec<&Retrieved> =
            parts.iter().filter(|p| p.answers(self.config.min_confidence)).collect();
        // A curated answer is given as written: the LLM does not rephrase the shop's own words.
        let curated = parts.iter().any(|p| p.curated.is_some());
        if let Some(llm) = self.llm.as_ref().filter(|_| !curated) {
            let hits = interleaved_hits(&confident, self.config.passages);
            match self.generate_with_llm(llm, asked, &hits, language, emit).await {
                Ok(LlmOutcome::Answered(text, cited)) => {
                    answer.answer = text;
                    answer.citations =
                        cited.into_iter().map(|n| whole_chunk_citation(n, &hits[n - 1])).collect();
                    answer.generator = Generator::Llm;
                    answer.abstained = false;
                    answer.parts =
                        parts.iter().map(|p| p.summary(p.answers(self.config.min_confidence))).collect();
                    return;
                }
                Ok(LlmOutcome::NoAnswer) => return,
                Ok(LlmOutcome::Unusable(streamed, fallback)) => {
                    tracing::warn!(fallback, "the LLM's answer cannot be used; answering extractively");
                    if streamed {
                        emit(AnswerEvent::Reset);
                    }
                    answer.fallback = Some(fallback.into());
                }
                Err((error, streamed)) => {
                    tracing::warn!(%error, "LLM unavailable; answering extractively");
                    if streamed {
                        emit(AnswerEvent::Reset);
                    }
                    answer.fallback = Some("llm_unavailable".into());
                    answer.notice = Some(messages::llm_unavailable(language).to_string());
                }
            }
        }
        let limits =
            extractive::Limits { max_sentences: self.config.max_sentences, max_chars: self.config.max_chars };
        let mut quoted = std::collections::HashSet::new();
        let answering: Vec<&Retrieved> =
            parts.iter().filter(|p| p.curated.is_none() && p.answers(self.config.min_confidence)).collect();
        let extracts: Vec<Option<Written>> = parts
            .iter()
            .map(|p| {
                if let Some(matched) = &p.curated {
                    return Some(Written::Curated(matched.clone()));
                }
                if !p.answers(self.config.min_confidence) {
                    return None;
                }
                let mut left_out = quoted.clone();
                left_out.extend(answered_by_another(p, &answering));
                let limits = room_for(&p.part, limits);
                let mut extract =
                    extractive::faq_answer(&p.weights, &p.passages(), FAQ_MATCH).or_else(|| {
                        extractive::select_new(
                            &p.quote_weights,
                            &p.candidates,
                            p.similarity.as_ref().map(|s| &s.chosen_by[..]),
                            SELECTION,
                            limits,
                            &left_out,
                            understand::expect::expectation(&p.part.question),
                        )
                    })?;
                quoted.extend(extract.pieces.iter().map(|piece| piece.text.clone()));
                if let Some(answer) = &p.curated_passage {
                    let id = answer.passage_id();
                    if let Some(passage) = p.hits.iter().position(|h| h.chunk_id == id) {
                        extract.quote_whole(passage, &answer.answer);
                    }
                }
                Some(Written::Quoted(extract))
            })
            .collect();
        if extracts.iter().all(Option::is_none) {
            return;
        }
        let mut paragraphs = Vec::new();
        let mut said = std::collections::HashSet::new();
        for (part, extract) in parts.iter().zip(&extracts) {
            match extract {
                // Answered by what an earlier question's paragraph already says: not said twice.
                Some(Written::Quoted(extract)) if extract.pieces.iter().all(|p| said.contains(&p.text)) => {}
                Some(Written::Quoted(extract)) => {
                    said.extend(extract.pieces.iter().map(|p| p.text.clone()));
                    let numbers: Vec<usize> = extract
                        .cited
                        .iter()
                        .zip(&extract.quoted)
                        .map(|(&passage, quoted)| cite(&mut answer.citations, &part.hits[passage], quoted))
                        .collect();
                    paragraphs.push(extract.render(|i| numbers[i]));
                }
                Some(Written::Curated(matched)) => {
                    let citation = curated_citation(answer.citations.len() + 1, matched);
                    paragraphs.push(format!("{} [{}]", matched.answer.answer.trim(), citation.n));
                    answer.citations.push(citation);
                }
                None => paragraphs.push(match &part.lookup {
                    Some(lookup) => lookup.message(language),
                    None => messages::part_unanswered(
                        language,
                        &understand::gloss::unglossed(&part.part.question),
                    ),
                }),
            }
        }
        answer.answer = paragraphs.join("\n\n");
        emit(AnswerEvent::Delta(answer.answer.clone()));
        answer.generator = Generator::Extractive;
        answer.abstained = false;
        answer.parts = parts.iter().zip(&extracts).map(|(p, e)| p.summary(e.is_some())).collect();
        if let Some(unanswered) = parts.iter().zip(&extracts).find(|(_, e)| e.is_none()) {
            // One question is answered, another is not: a person takes that one.
            answer.handoff.needed = true;
            let reason = unanswered.0.lookup.as_ref().map_or(HandoffReason::LowConfidence, Lookup::reason);
            answer.handoff.reason.get_or_insert(reason);
        }
    }

    async fn generate_with_llm(
        &self,
        llm: &LlmClient,
        asked: prompt::Asked<'_>,
        hits: &[SearchHit],
        language: &str,
        emit: &(impl Fn(AnswerEvent) + Sync),
    ) -> Result<LlmOutcome, (Error, bool)> {
        let breadcrumbs: Vec<String> = hits.iter().map(|h| h.record.chunk.breadcrumb_line()).collect();
        let passages: Vec<prompt::PromptPassage> = hits
            .iter()
            .zip(&breadcrumbs)
            .map(|(hit, breadcrumb)| prompt::PromptPassage { breadcrumb, text: &hit.record.chunk.text })
            .collect();
        let messages = prompt::messages(asked, &passages, language);
        let mut stream = ReplyStream::new(passages.len());
        let reply = llm
            .complete(&messages, |piece| {
                if let Some(shown) = stream.push(piece) {
                    emit(AnswerEvent::Delta(shown));
                }
            })
            .await
            .map_err(|e| (e, stream.streamed))?;
        if reply.trim().starts_with(prompt::NO_ANSWER) {
            return Ok(LlmOutcome::NoAnswer);
        }
        if let Some(rest) = stream.finish() {
            emit(AnswerEvent::Delta(rest));
        }
        let (text, cited) = citations::check(&reply, passages.len());
        if cited.is_empty() {
            return Ok(LlmOutcome::Unusable(stream.streamed, "llm_uncited"));
        }
        // The passages it saw were safe; a model can still be talked into asking for a secret.
        if stream.gate.blocked() || safety::hazard(&text).is_some() {
            return Ok(LlmOutcome::Unusable(stream.streamed, "llm_unsafe"));
        }
        Ok(LlmOutcome::Answered(text, cited))
    }
}

/// What the LLM did.
enum LlmOutcome {
    /// An answer and the passage numbers it validly cites.
    Answered(String, Vec<usize>),
    /// It said the passages do not answer the question.
    NoAnswer,
    /// Its answer cannot be shown (whether text was already streamed, and the `fallback` name):
    /// it cited no passage that exists, or it asks for a secret or reads as instructions.
    Unusable(bool, &'static str),
}

/// The LLM's reply on its way to the client: invalid citations filtered out, nothing shown
/// while the reply could still be [`prompt::NO_ANSWER`], and shown a sentence at a time, up to
/// any sentence asking for a secret ([`safety::SentenceGate`]).
struct ReplyStream {
    filter: CitationFilter,
    gate: safety::SentenceGate,
    held: String,
    deciding: bool,
    streamed: bool,
}

impl ReplyStream {
    fn new(passages: usize) -> ReplyStream {
        ReplyStream {
            filter: CitationFilter::new(passages),
            gate: safety::SentenceGate::default(),
            held: String::new(),
            deciding: true,
            streamed: false,
        }
    }

    fn push(&mut self, piece: &str) -> Option<String> {
        let text = if self.deciding {
            self.held.push_str(piece);
            let start = self.held.trim_start();
            if prompt::NO_ANSWER.starts_with(start) || start.starts_with(prompt::NO_ANSWER) {
                return None;
            }
            self.deciding = false;
            std::mem::take(&mut self.held)
        } else {
            piece.to_string()
        };
        let shown = self.gate.push(&self.filter.push(&text));
        self.streamed |= !shown.is_empty();
        (!shown.is_empty()).then_some(shown)
    }

    fn finish(&mut self) -> Option<String> {
        let mut rest =
            if self.deciding { self.filter.push(&std::mem::take(&mut self.held)) } else { String::new() };
        rest.push_str(&self.filter.finish());
        let mut rest = self.gate.push(&rest);
        rest.push_str(&self.gate.finish());
        self.streamed |= !rest.is_empty();
        (!rest.is_empty()).then_some(rest)
    }
}

/// Whether a retrieved passage may be quoted and count as evidence: not if it asks the customer
/// for a secret or speaks to the assistant ([`safety`]). Dropped passages are logged, so that
/// the help center can be fixed (`kefu status` lists them too).
fn is_safe(hit: &SearchHit) -> bool {
    let Some(hazard) = safety::chunk_hazard(&hit.record.chunk) else {
        return true;
    };
    tracing::warn!(chunk_id = %hit.chunk_id, doc_id = %hit.doc_id, hazard = hazard.as_str(), "passage not quoted");
    false
}

/// When a passage the answer cites and another retrieved passage, of another document, state
/// conflicting numbers for the same rule ([`conflicts`]), the answer says so, cites both (the
/// extractive answer leaves the other out as a near-repeat) and a person is offered.
fn flag_conflicts(hits: &[SearchHit], language: &str, answer: &mut Answer, emit: &impl Fn(AnswerEvent)) {
    let marker = |answer: &Answer, hit: &SearchHit| {
        answer.citations.iter().find(|c| c.chunk_id == hit.chunk_id).map(|c| c.n)
    };
    let sources: Vec<conflicts::Source> = hits
        .iter()
        .map(|hit| conflicts::Source { group: &hit.doc_id, text: &hit.record.chunk.text })
        .collect();
    let Some(conflict) = conflicts::find(&sources, usize::MAX)
        .into_iter()
        .find(|c| marker(answer, &hits[c.a]).is_some() || marker(answer, &hits[c.b]).is_some())
    else {
        return;
    };
    let mut cite = |passage: usize, sentence: &std::ops::Range<usize>| {
        let hit = &hits[passage];
        if let Some(n) = marker(answer, hit) {
            return n;
        }
        let citation = match answer.generator {
            // The LLM's markers are passage numbers.
            Generator::Llm => whole_chunk_citation(passage + 1, hit),
            _ => sentence_citation(answer.citations.len() + 1, hit, sentence),
        };
        let n = citation.n;
        answer.citations.push(citation);
        n
    };
    let a = cite(conflict.a, &conflict.a_sentence);
    let b = cite(conflict.b, &conflict.b_sentence);
    let note = format!("\n\n{}", messages::conflicting_sources(language, a, b));
    emit(AnswerEvent::Delta(note.clone()));
    answer.answer.push_str(&note);
    answer.handoff.needed = true;
    answer.handoff.reason.get_or_insert(HandoffReason::ConflictingSources);
}

/// What [`answered_beside`] reads of one question of a message.
struct Reading<'a> {
    /// Its confidence.
    confidence: f32,
    /// The documents of its first [`BESIDE_PASSAGES`] passages.
    documents: Vec<&'a str>,
    /// Its evidence stands on words the help center uses: at most [`BESIDE_MAX_UNKNOWN`] of its
    /// weight unknown, at least [`BESIDE_MIN_COVERAGE`] in its top passage.
    grounded: bool,
}

/// The questions of a message to answer beside another answered, the threshold counting less
/// for a question asked with one the help center answers: those within [`SAME_DOCUMENT_MARGIN`]
/// under the threshold whose top passage is in a document of the first [`BESIDE_PASSAGES`] of a
/// question answered, the two being about one topic the help center covers ("Can I get rid of
/// the massive box now? … will the replacement come standard or express": 0.44 from the
/// damaged-items guide, 0.60 from the FAQ with the guide second); and those within
/// [`BESIDE_MARGIN`] whose evidence is grounded ("…do i have to pay customs on top" at 0.35
/// beside the shipping costs to Norway), not "do you do any student discount" (most of its weight
/// in words the help center never uses) or "do they auto pause when i take one out" (little of
/// it in its top passage). On the dev lines, docs/answering.md.
fn answered_beside(parts: &[Reading], threshold: f32) -> Vec<usize> {
    let answered: Vec<&str> = parts
        .iter()
        .filter(|p| p.confidence >= threshold)
        .flat_map(|p| p.documents.iter().copied())
        .collect();
    if answered.is_empty() {
        return Vec::new();
    }
    (0..parts.len())
        .filter(|&i| {
            let part = &parts[i];
            let same_document = part.confidence >= threshold - SAME_DOCUMENT_MARGIN
                && part.documents.first().is_some_and(|doc| answered.contains(doc));
            let grounded = part.grounded && part.confidence >= threshold - BESIDE_MARGIN;
            part.confidence < threshold && (same_document || grounded)
        })
        .collect()
}

/// Keeps a bare verdict ("Yes.", "No.", "不能。") among the `candidates` only when the
/// `question` alone is close in meaning to the question its passage answers (a FAQ entry's
/// question, else the heading it stands under): the verdict answers that entry's question.
/// "Does the Roamo S7 work with Alexa?" had been answered "Yes." from "Can I use the robot
/// without Wi-Fi or the app?", and "will I lose the maps?" likewise; "Can you match that?" still
/// opens with "Do you price match?"'s "Yes.". Questions are compared as questions (both with the
/// model's query prefix: as question and passage they separated worse on the dev lines).
fn retain_verdicts_answering(
    retriever: &Retriever,
    question: &str,
    hits: &[SearchHit],
    candidates: &mut Vec<Candidate>,
) -> Result<()> {
    let answered = |hit: &SearchHit| -> Option<String> {
        let chunk = &hit.record.chunk;
        chunk.question.clone().or_else(|| chunk.breadcrumb.last().cloned())
    };
    let mut passages: Vec<usize> =
        candidates.iter().filter(|c| extractive::is_verdict(&c.text)).map(|c| c.passage).collect();
    passages.sort_unstable();
    passages.dedup();
    if passages.is_empty() {
        return Ok(());
    }
    let embedder = retriever.embedder();
    let range = retriever.model().similarity_range;
    let asked = embedder.embed_query(question)?;
    let mut close = HashSet::new();
    for passage in passages {
        let Some(entry) = answered(&hits[passage]) else { continue };
        let closeness = confidence::semantic(cosine(&asked, &embedder.embed_query(&entry)?), range);
        if closeness >= VERDICT_MIN_CLOSENESS {
            close.insert(passage);
        }
    }
    candidates.retain(|c| !extractive::is_verdict(&c.text) || close.contains(&c.passage));
    Ok(())
}

/// Keeps, of a table by region (two rows or more named by a region) with a row of a region the
/// customer named, only the rows of those regions: "next day delivery to Manchester" is answered
/// by the United Kingdom's row, not by "Rest of world", which ranks next once the UK's row
/// repeats what a FAQ answer says. Other tables ("Callback (UK and Ireland only)" among the ways
/// to contact the shop) and sentences are kept.
fn retain_rows_of_regions(candidates: &mut Vec<Candidate>, hits: &[SearchHit], named: &[&str]) {
    if named.is_empty() {
        return;
    }
    let of_kind = |row: &str| understand::region::names_a_region(row_label(row));
    retain_asked_rows(candidates, hits, of_kind, false, |row| {
        understand::region::is_row_of(row_label(row), named)
    });
}

/// Keeps, of a table whose rows are named by codes or numbers (two rows or more: error codes
/// "E1"…"E8", instalment plans "3 期"…"24 期") with a row the message names by all its words,
/// only the rows it names: "the app says E4?? what does that mean" is answered by E4's row, not
/// by the seven others.
fn retain_rows_of_codes(candidates: &mut Vec<Candidate>, hits: &[SearchHit], message: &str) {
    let words = extractive::terms(message);
    let of_kind = |row: &str| is_coded(row_label(row));
    retain_asked_rows(candidates, hits, of_kind, true, |row| names_coded_row(row_label(row), &words));
}

/// Keeps, of a table of a policy (not a product's page) with a row that names a product the
/// question is about, only the rows naming it: "how much is Care+ for the robot" after "I just had
/// the Roamo S7 delivered" is answered by the row whose example is the Roamo S7, not by the two
/// others.
fn retain_rows_of_products(
    candidates: &mut Vec<Candidate>,
    hits: &[SearchHit],
    catalogue: &Catalogue,
    named: &[usize],
    language: &str,
) {
    if named.is_empty() {
        return;
    }
    let policy: Vec<bool> = hits.iter().map(|h| !catalogue.is_page(&h.doc_id)).collect();
    let mut kept: Vec<Candidate> = candidates.iter().filter(|c| policy[c.passage]).cloned().collect();
    retain_asked_rows(
        &mut kept,
        hits,
        |_| true,
        false,
        |row| catalogue.mentioned(row, language).iter().any(|(i, _)| named.contains(i)),
    );
    let kept: HashSet<(usize, usize)> = kept.iter().map(|c| (c.passage, c.range.start)).collect();
    candidates.retain(|c| !policy[c.passage] || kept.contains(&(c.passage, c.range.start)));
}

/// Whether a table row's label is a code or number ("E4", "12 期").
fn is_coded(label: &str) -> bool {
    label.chars().any(|c| c.is_ascii_digit())
}

/// Whether the message (its `words`) names the row labelled `label` by a code or number: every
/// word of the label is among the message's.
fn names_coded_row(label: &str, words: &HashSet<String>) -> bool {
    let terms = extractive::terms(label);
    is_coded(label) && !terms.is_empty() && terms.iter().all(|t| words.contains(t))
}

/// A table row's label: its first cell, as a row's text is written ("E7 — Meaning: …").
fn row_label(row: &str) -> &str {
    row.split_once(" — ").map_or(row, |(label, _)| label)
}

/// Drops, from each passage with two table rows or more of a kind (`of_kind`, read from a row's
/// text) and a row the customer asked about (`asked`), the table rows not asked about;
/// `across_passages`, from every such passage once one has a row asked about (a table of error
/// codes cut in two chunks: E7's row answers, E3's does not). Sentences are kept.
fn retain_asked_rows(
    candidates: &mut Vec<Candidate>,
    hits: &[SearchHit],
    of_kind: impl Fn(&str) -> bool,
    across_passages: bool,
    asked: impl Fn(&str) -> bool,
) {
    // Per candidate, for a table row: whether its first cell is of the kind, and asked about.
    let rows: Vec<Option<(bool, bool)>> = candidates
        .iter()
        .map(|c| {
            let row = hits[c.passage].record.chunk.text[c.range.clone()].contains('|');
            row.then(|| (of_kind(&c.text), asked(&c.text)))
        })
        .collect();
    let mut of_kind_rows: HashMap<usize, usize> = HashMap::new();
    let mut answered: HashSet<usize> = HashSet::new();
    for (candidate, row) in candidates.iter().zip(&rows) {
        if let Some((kind_row, asked_row)) = *row {
            *of_kind_rows.entry(candidate.passage).or_default() += usize::from(kind_row);
            if asked_row {
                answered.insert(candidate.passage);
            }
        }
    }
    if across_passages && !answered.is_empty() {
        answered = of_kind_rows.keys().copied().collect();
    }
    answered.retain(|p| of_kind_rows.get(p).is_some_and(|&rows| rows >= 2));
    let mut rows = rows.into_iter();
    candidates.retain(|c| {
        let row = rows.next().flatten();
        !answered.contains(&c.passage) || row.is_none_or(|(_, asked_row)| asked_row)
    });
}

/// Share of its score a sentence written for other regions' customers keeps when the customer
/// named where they are: 0.5 did the same on the dev lines, 0.85 worse; raising the score of
/// one written for their region as well cost a fact (the sentence for their region pushed out
/// the one asked about).
const OTHER_REGIONS: f32 = 0.7;

/// Weighs down each candidate written for other regions' customers than the ones the customer
/// named ([`understand::region::written_for`]): a customer in Texas asking where their data is
/// stored is answered by the sentence for US customers before the one for the UK's and EU's.
fn weigh_by_region(candidates: &mut [Candidate], named: &[&str]) {
    if named.is_empty() {
        return;
    }
    for candidate in candidates {
        if understand::region::written_for(&candidate.text, named) == Some(false) {
            candidate.weigh(OTHER_REGIONS);
        }
    }
}

/// Share of its score a sentence written for another reason for a return than the customer's
/// keeps: 0.7 left the restocking fee of a change of mind in the answer to a dented fryer; the
/// dev lines' figures were the same at both.
const OTHER_REASON: f32 = 0.4;

/// Weighs down the candidates written for another reason for a return than the one `message`
/// gives (the restocking fee of a change of mind, to a customer whose fryer arrived dented).
fn weigh_by_reason(candidates: &mut [Candidate], message: &str) {
    let Some(told) = understand::reason::told(message) else { return };
    for candidate in candidates {
        if understand::reason::written_for(&candidate.text).is_some_and(|written| written != told) {
            candidate.weigh(OTHER_REASON);
        }
    }
}

/// A product's name and its prices as its page writes them ("£199").
type Priced = (String, Vec<String>);

/// Puts near the top, for a question about what products sell for ("how much is the Roamo S5?",
/// "破壁机多少钱"), the passage of each product's page that states its price ([`MAX_PRICED`] at
/// most), next to the first: the price line shares no word with the question, and the page's other passages
/// (the trade-in subsidy, the restocking fee) outrank it. Returns how many were moved and each
/// product's name with its prices as pages write them ("£199").
fn price_passages(
    retriever: &Retriever,
    catalogue: &Catalogue,
    part: &Part,
    language: &str,
    hits: &mut Vec<SearchHit>,
) -> Result<(usize, Vec<Priced>)> {
    if !understand::expect::asks_price(&part.question) {
        return Ok((0, Vec::new()));
    }
    let catalog = retriever.index().catalog();
    let mut found: Vec<SearchHit> = Vec::new();
    let mut stated = Vec::new();
    let mut asked = catalogue.price_asked(&part.question, language);
    // "I want the brewa. how much is it?", "the roamo s5 or the s7? how much are they": the
    // products it and its context name ("买双篮的还是5.5L的？两个差多少钱": 双篮 tells the XL apart).
    // Not when the message asks for a part ("能单独买一个备用的吗 多少钱": the part's price), nor
    // when its context says the amount is of something else ("想加个2年的延保，多少钱？": the
    // extended warranty's).
    if asked.is_empty()
        && crate::recommend::asks_price_of_earlier(&part.question)
        && !understand::advice::asks_for_parts(&part.query())
        && understand::expect::asks_price(&part.query())
    {
        asked = catalogue
            .named_in_part(&part.question, &part.query(), language)
            .into_iter()
            .map(|i| catalogue.product(i))
            .collect();
    }
    for product in asked.into_iter().take(MAX_PRICED) {
        let Some(document) = catalog.document(&product.doc_id)? else { continue };
        let prices = product.listing.written_prices();
        let priced = catalog
            .chunks(&document.chunk_ids)?
            .into_iter()
            .flatten()
            .find(|record| prices.iter().any(|price| record.chunk.text.contains(price.as_str())));
        if let Some(hit) = priced.map(SearchHit::unranked).filter(is_safe) {
            found.push(hit);
            stated.push((product.name.clone(), prices));
        }
    }
    // After the first passage, which the confidence reads as the search's answer.
    Ok((place_at(hits, found, 1), stated))
}

/// The product whose price `candidate` states, of those [`price_passages`] found.
fn priced_product<'a>(prices: &'a [Priced], candidate: &Candidate) -> Option<&'a str> {
    prices
        .iter()
        .find(|(_, prices)| prices.iter().any(|p| candidate.text.contains(p.as_str())))
        .map(|(name, _)| name.as_str())
}

/// Searches with the question's own words (BM25) when it has context, and moves the passages found of
/// the documents quoted from (at most [`OWN_WORDS_PASSAGES`]) to just after the quoted ones, so
/// that they may be quoted too: the story around a question pulls the search to what it tells
/// ("昨天下午签收的扫拖机器人，打开发现包装清单上写的备用边刷没有。怎么申请补发？": the package
/// list), the question's own words to what it asks (the after-sales table's row for missing
/// items). Only documents already quoted from: alone, the question may not name its product.
/// Returns how many passages were moved.
fn own_words_passages(
    retriever: &Retriever,
    request: &SearchRequest,
    part: &Part,
    hits: &mut Vec<SearchHit>,
) -> Result<usize> {
    if part.context.is_empty() || !understand::stands_alone(&part.question) {
        return Ok(0);
    }
    let quoted = &hits[..hits.len().min(QUOTED_PASSAGES)];
    let documents: std::collections::HashSet<String> = quoted.iter().map(|h| h.doc_id.clone()).collect();
    let chunks: std::collections::HashSet<String> = quoted.iter().map(|h| h.chunk_id.clone()).collect();
    // BM25 alone: these passages are evidence, and those found hybrid made unanswerable
    // questions look answered (docs/evaluation.md); `question_passages` searches hybrid to quote.
    let own = SearchRequest { query: part.question.clone(), mode: Mode::Bm25, ..request.clone() };
    let found: Vec<SearchHit> = retriever
        .search(&own)?
        .results
        .into_iter()
        .take(QUOTED_PASSAGES)
        .filter(|h| documents.contains(&h.doc_id) && !chunks.contains(&h.chunk_id) && is_safe(h))
        .take(OWN_WORDS_PASSAGES)
        .collect();
    Ok(place_at(hits, found, QUOTED_PASSAGES))
}

/// For a question about a policy that names a product and whose first passage is about a product
/// (a return's cost asked after a story of an opened Vortex Pro bought in Belgium: the blender's
/// page comes first), adds after the first `quoted` of `hits` the first passage about no product
/// that the question and its context find without the products' names (the returns policy's
/// table of label costs): the product's page and FAQ share the message's words and outrank the
/// policy. It is there to be quoted, not evidence. Returns 0 or 1.
fn policy_passage(
    retriever: &Retriever,
    catalogue: &Catalogue,
    request: &SearchRequest,
    part: &Part,
    language: &str,
    hits: &mut Vec<SearchHit>,
    quoted: usize,
) -> Result<usize> {
    let drawn = hits.first().is_some_and(|top| top.record.product.is_some());
    if !drawn
        || !understand::advice::about_policy(&part.query())
        || catalogue.mentioned(&part.query(), language).is_empty()
    {
        return Ok(0);
    }
    let unnamed =
        SearchRequest { query: catalogue.without_names(&request.query, language), ..request.clone() };
    let found = retriever.search(&unnamed)?.results.into_iter().find(|hit| {
        hit.record.product.is_none()
            && is_safe(hit)
            && !hits[..quoted].iter().any(|h| h.chunk_id == hit.chunk_id)
    });
    Ok(found.map_or(0, |hit| place_at(hits, vec![hit], quoted)))
}

/// For a question told with context (a story, the product, the place), adds after the first
/// `quoted` of `hits` the first [`QUESTION_PASSAGES`] passages that the question finds alone,
/// hybrid, when not quoted already: the story's words draw the product's own pages ("My AirTune
/// T3 batery barely lasts an hour now, I bought them 14 months ago… Is a worn-out battery covered
/// or is that just normal wear?" finds the earbuds' page) while the question alone finds the
/// warranty terms' "a battery that holds less than 60% of its original capacity … is considered
/// defective". They are there to be quoted, not evidence: the sentences are still chosen by
/// their closeness to the whole message (the question alone chose worse).
/// Returns how many were added.
fn question_passages(
    retriever: &Retriever,
    request: &SearchRequest,
    part: &Part,
    hits: &mut Vec<SearchHit>,
    quoted: usize,
) -> Result<usize> {
    if part.context.is_empty() || !understand::stands_alone(&part.question) {
        return Ok(0);
    }
    let own = SearchRequest { query: part.question.clone(), ..request.clone() };
    let quoted = quoted.min(hits.len());
    let found: Vec<SearchHit> = retriever
        .search(&own)?
        .results
        .into_iter()
        .take(QUESTION_PASSAGES)
        .filter(|h| !hits[..quoted].iter().any(|q| q.chunk_id == h.chunk_id) && is_safe(h))
        .collect();
    Ok(place_at(hits, found, quoted))
}

/// For a message naming a place, adds after the first `quoted` of `hits` the passage of a
/// document quoted from that holds a table row for the place's region, when no quoted passage
/// does: "我在黑龙江哈尔滨 你们发货后一般几天能到？" finds the FAQ entry on remote regions and
/// the delivery policy's sections on dispatch, not that policy's table of delivery times, whose
/// row "东北 — 辽宁、吉林、黑龙江 — 2–4 天" answers (a long table sharing one word with the
/// message). Found by BM25 on the regions' names (`named`, as [`understand::region`] reads them)
/// among its first [`REGION_CANDIDATES`]. It is there to be quoted, not evidence. Returns 0 or 1.
fn region_passage(
    retriever: &Retriever,
    request: &SearchRequest,
    named: &[&str],
    hits: &mut Vec<SearchHit>,
    quoted: usize,
) -> Result<usize> {
    let has_row = |hit: &SearchHit| {
        hit.record
            .chunk
            .text
            .lines()
            .any(|line| line.contains('|') && understand::region::written_for(line, named) == Some(true))
    };
    if named.is_empty() {
        return Ok(0);
    }
    row_passage(retriever, request, named.join(" "), has_row, hits, quoted)
}

/// For a message naming a row of a table by its code or number ("亮红灯报E7", "分12期"; see
/// [`names_coded_row`]), adds after the first `quoted` of `hits` the passage of a document quoted
/// from that holds that row, when no quoted passage does: a long table of error codes is cut in
/// two chunks, and "E1"…"E6" rank above "E7"…"E9" for the message that says the robot's lights
/// and its model. Found by BM25 on the message's words with a digit among its first
/// [`REGION_CANDIDATES`]. Returns 0 or 1.
fn coded_row_passage(
    retriever: &Retriever,
    request: &SearchRequest,
    message: &str,
    hits: &mut Vec<SearchHit>,
    quoted: usize,
) -> Result<usize> {
    let words = extractive::terms(message);
    let coded: Vec<&str> =
        words.iter().map(String::as_str).filter(|w| w.chars().any(|c| c.is_ascii_digit())).collect();
    if coded.is_empty() {
        return Ok(0);
    }
    let has_row = |hit: &SearchHit| {
        let chunk = &hit.record.chunk;
        chunk
            .quotables()
            .iter()
            .any(|q| chunk.text[q.range.clone()].contains('|') && names_coded_row(row_label(&q.text), &words))
    };
    row_passage(retriever, request, coded.join(" "), has_row, hits, quoted)
}

/// Adds after the first `quoted` of `hits` the passage of a document quoted from that holds a
/// row the customer asked about (`has_row`), when no quoted passage does, found by BM25 on
/// `query` among its first [`REGION_CANDIDATES`]. It is there to be quoted, not evidence.
fn row_passage(
    retriever: &Retriever,
    request: &SearchRequest,
    query: String,
    has_row: impl Fn(&SearchHit) -> bool,
    hits: &mut Vec<SearchHit>,
    quoted: usize,
) -> Result<usize> {
    let quoted = quoted.min(hits.len());
    if hits[..quoted].iter().any(&has_row) {
        return Ok(0);
    }
    let documents: HashSet<String> = hits[..quoted].iter().map(|h| h.doc_id.clone()).collect();
    let search = SearchRequest { query, mode: Mode::Bm25, ..request.clone() };
    let found = retriever.search(&search)?.results.into_iter().take(REGION_CANDIDATES).find(|hit| {
        documents.contains(&hit.doc_id)
            && !hits[..quoted].iter().any(|q| q.chunk_id == hit.chunk_id)
            && is_safe(hit)
            && has_row(hit)
    });
    Ok(found.map_or(0, |hit| place_at(hits, vec![hit], quoted)))
}

/// Adds the passage of the top [`SENTENCE_DOCUMENTS`] documents among the first `quoted` of
/// `hits` whose best sentence or table row holding one of the `question`'s own words is closer
/// in meaning to the question (its vector `query`) than any such sentence of the quoted
/// passages: a product's specification table ranks low for "does it mop or is it vacuum only?"
/// (few words in common with the whole table) while its row "Mopping — Roamo S5: No: vacuum
/// only" is the question's closest sentence. Only vectors stored at ingestion are compared
/// (nothing is embedded), of at most [`SENTENCE_CHUNKS`] chunks nearest the quoted one. Returns
/// how many were added (0 or 1).
fn closest_sentence_passage(
    retriever: &Retriever,
    query: &[f32],
    hits: &mut Vec<SearchHit>,
    quoted: usize,
    question: &[QueryTerm],
) -> Result<usize> {
    let catalog = retriever.index().catalog();
    // The closest of a chunk's sentences and rows that hold one of the question's own words.
    let closest = |chunk: &kefu_ingest::Chunk| -> Result<f32> {
        let Some(vectors) = catalog.quotes(&chunk.id)? else { return Ok(f32::MIN) };
        Ok(chunk
            .quotables()
            .iter()
            .filter(|q| {
                let words = extractive::terms(&q.text);
                question.iter().any(|t| words.contains(&t.term))
            })
            .filter_map(|q| vectors.get(&q.text).map(|v| cosine(query, v)))
            .fold(f32::MIN, f32::max))
    };
    let mut bar = f32::MIN;
    for hit in &hits[..quoted] {
        bar = bar.max(closest(&hit.record.chunk)?);
    }
    let mut documents: Vec<&SearchHit> = Vec::new();
    for hit in &hits[..quoted] {
        if !documents.iter().any(|d| d.doc_id == hit.doc_id) {
            documents.push(hit);
        }
    }
    let mut best: Option<(f32, ChunkRecord)> = None;
    for first in documents.into_iter().take(SENTENCE_DOCUMENTS) {
        // A curated answer's passage has no document in the catalog.
        let Some(document) = catalog.document(&first.doc_id)? else { continue };
        let at = document.chunk_ids.iter().position(|id| *id == first.chunk_id).unwrap_or(0);
        let mut others: Vec<(usize, String)> = document
            .chunk_ids
            .into_iter()
            .enumerate()
            .filter(|(_, id)| !hits[..quoted].iter().any(|h| &h.chunk_id == id))
            .collect();
        others.sort_by_key(|(i, _)| i.abs_diff(at));
        let others: Vec<String> = others.into_iter().take(SENTENCE_CHUNKS).map(|(_, id)| id).collect();
        for record in catalog.chunks(&others)?.into_iter().flatten() {
            let similarity = closest(&record.chunk)?;
            if similarity > bar && best.as_ref().is_none_or(|(b, _)| similarity > *b) {
                best = Some((similarity, record));
            }
        }
    }
    let found = best.map(|(_, record)| SearchHit::unranked(record)).filter(is_safe);
    Ok(found.map_or(0, |hit| place_at(hits, vec![hit], quoted)))
}

/// Adds, at position `at` of `hits`, the passage that opens the section the top passage is a
/// later subsection of: "Item arrived damaged › What we offer" is opened by "Item arrived damaged
/// › Report it within 48 hours", and what a section says first (by when and where to report)
/// holds for all of it. Not in a section of questions, whose entries stand alone ("常见问题 ›
/// 赠品可以不退吗？"). Returns where in `hits` the opener is: among the first `at` already, or
/// added at `at`.
fn section_opener_passage(
    retriever: &Retriever,
    hits: &mut Vec<SearchHit>,
    at: usize,
) -> Result<Option<usize>> {
    let Some(top) = hits.first() else { return Ok(None) };
    let heading = &top.record.chunk.breadcrumb;
    let asks = |h: &[String]| h.last().is_some_and(|last| last.trim_end().ends_with(['?', '？']));
    if heading.len() < 3 || asks(heading) {
        return Ok(None);
    }
    let catalog = retriever.index().catalog();
    let Some(document) = catalog.document(&top.doc_id)? else { return Ok(None) };
    let section = &heading[..2];
    let at_top = document.chunk_ids.iter().position(|id| *id == top.chunk_id).unwrap_or(0);
    let opener = catalog
        .chunks(&document.chunk_ids[..at_top])?
        .into_iter()
        .flatten()
        .find(|record| record.chunk.breadcrumb.starts_with(section) && !asks(&record.chunk.breadcrumb));
    let Some(opener) = opener else { return Ok(None) };
    if let Some(quoted) = hits[..at.min(hits.len())].iter().position(|h| h.chunk_id == opener.chunk.id) {
        return Ok(Some(quoted));
    }
    let hit = SearchHit::unranked(opener);
    Ok((is_safe(&hit) && place_at(hits, vec![hit], at) > 0).then_some(at.min(hits.len() - 1)))
}

/// Puts `found` at position `at` of `hits` (at its end when shorter), in order, taking them out
/// of wherever else `hits` holds them. Returns how many were placed.
fn place_at(hits: &mut Vec<SearchHit>, found: Vec<SearchHit>, at: usize) -> usize {
    hits.retain(|h| !found.iter().any(|f| f.chunk_id == h.chunk_id));
    let count = found.len();
    let at = at.min(hits.len());
    hits.splice(at..at, found);
    count
}

/// The evidence that the `passages` (a range of the hits, the first one read as the top)
/// answer the question, if they hold any.
fn evidence(
    retrieved: &Retrieved,
    passages: std::ops::Range<usize>,
    question_weights: &[(String, f32)],
    similarity_range: [f32; 2],
) -> Option<Evidence> {
    let top = retrieved.hits.get(passages.start)?;
    let text = format!("{}\n{}", top.record.chunk.breadcrumb_line(), top.record.chunk.text);
    let within = |rank: Option<usize>| rank.is_some_and(|r| r <= AGREEMENT_RANK);
    // The sentences most about what the question asks (most of its own words, with the headings
    // they stand under, then best scored) must state the kind of value it asks for: "Spare
    // baskets are available." says no price; "Price: €229" under "Roamo S5" states the S5's.
    // Candidates are in the order of their passages.
    let first = retrieved.candidates.iter().take_while(|c| c.passage < passages.start).count();
    let end = retrieved.candidates.iter().take_while(|c| c.passage < passages.end).count();
    let candidates = &retrieved.candidates[first..end];
    let similarity = retrieved.similarity.as_ref().map(|s| &s.alone[first..end]);
    let scores = extractive::scores(&retrieved.weights, candidates, similarity, SELECTION);
    let mut about: Vec<(usize, f32, f32)> = scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, candidates[i].coverage_under_heading(question_weights), (*s)?)))
        .collect();
    about.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.total_cmp(&a.2)));
    // Each question a part asks has sentences of its own: the price asked second in "Is it too
    // late to add Care+ now, and how much would it be?" is not among the two most about both.
    let searched = EXPECTATION_CANDIDATES * questions_asked(&retrieved.part).max(1);
    let expected_found = understand::expect::asked(&retrieved.part.question).map(|asked| {
        let states = |c: &extractive::Candidate| understand::expect::satisfies(asked.kind, &c.text);
        // Stated among the sentences most about the question and, when the question names what
        // the value is of, by a sentence of the retrieved passages naming it.
        about.iter().take(searched).any(|&(i, _, _)| states(&candidates[i]))
            && on_focus(&retrieved.candidates, &asked.focus).is_none_or(|named| named.into_iter().any(states))
    });
    let top_terms = extractive::terms(&text);
    Some(Evidence {
        coverage: extractive::coverage(&retrieved.weights, &top_terms),
        specific_missing: retrieved.specific.as_ref().is_some_and(|term| !top_terms.contains(term)),
        semantic: top.dense_score.map(|cosine| confidence::semantic(cosine, similarity_range)),
        sentence: similarity.and_then(|s| s.iter().copied().reduce(f32::max)),
        sentence_coverage: candidates.iter().map(|c| c.coverage(question_weights)).fold(0.0, f32::max),
        expected_found,
        agreement: within(top.bm25_rank) && within(top.dense_rank),
        unknown: retrieved.unknown,
        context: {
            let all: f32 = retrieved.weights.iter().map(|(_, w)| w).sum();
            let own: f32 = question_weights.iter().map(|(_, w)| w).sum();
            if all > 0.0 { (1.0 - own / all).max(0.0) } else { 0.0 }
        },
    })
}

/// The candidates about what a value is asked of (`focus`, see [`understand::expect::Asked`]):
/// those naming all its words, else its head word; `None` when none does, or it names nothing.
/// "巢好分期开通后一般给多少额度" is not answered by "单笔满 ¥300 可用" beside "审核通过后获得分期额度",
/// nor "how quiet is quiet mode in dB" by "About 62 dB in standard mode".
fn on_focus<'a>(
    candidates: &'a [extractive::Candidate],
    focus: &[String],
) -> Option<Vec<&'a extractive::Candidate>> {
    let head = focus.last()?;
    let mentioning = |words: HashSet<String>| -> Vec<&extractive::Candidate> {
        if words.is_empty() {
            return Vec::new();
        }
        candidates.iter().filter(|c| c.mentions(&words)).collect()
    };
    let all = mentioning(extractive::terms(&focus.join(" ")));
    let found = if all.is_empty() { mentioning(extractive::terms(head)) } else { all };
    (!found.is_empty()).then_some(found)
}

/// How many questions a part's question asks at once ("Is it too late to add Care+ now, and how
/// much would it be?" asks two).
fn questions_asked(part: &Part) -> usize {
    understand::segment::segments(&part.question)
        .iter()
        .filter(|s| s.role == understand::segment::Role::Question)
        .count()
}

/// The limits of a part's answer: one sentence more, and its characters, for a part that asks
/// several questions at once ("Is it too late to add Care+ to it? And how much would it cost
/// me?", one part about Care+: its price table had filled the answer and left out "up to 60 days
/// after delivery").
fn room_for(part: &Part, limits: extractive::Limits) -> extractive::Limits {
    let asked = questions_asked(part);
    if asked < 2 {
        return limits;
    }
    let per_sentence = limits.max_chars / limits.max_sentences.max(1);
    extractive::Limits { max_sentences: limits.max_sentences + 1, max_chars: limits.max_chars + per_sentence }
}

/// The sentences among `part`'s candidates that share no word with it (nor with its context)
/// but some with the question of another of the message's parts being answered (`answering`):
/// theirs to quote. "…is a worn out battery covered by the warranty? and where do i find the serial number
/// for the claim form" had answered its first question with where the serial number is printed.
fn answered_by_another(part: &Retrieved, answering: &[&Retrieved]) -> Vec<String> {
    let others: Vec<&Retrieved> =
        answering.iter().copied().filter(|other| !std::ptr::eq(*other, part)).collect();
    part.candidates
        .iter()
        .filter(|c| {
            c.coverage(&part.quote_weights) == 0.0
                && others.iter().any(|o| c.coverage(&o.question_weights) > 0.0)
        })
        .map(|c| c.text.clone())
        .collect()
}

/// The conversation a follow-up builds on: what the retrieval query adds before the message.
fn earlier_turns(question: &Question) -> &str {
    let message = question.text.trim();
    question.retrieval_query.trim().strip_suffix(message).map_or("", str::trim)
}

/// The hits of every question, each chunk once.
fn distinct_hits(parts: &[Retrieved]) -> Vec<SearchHit> {
    let mut seen = std::collections::HashSet::new();
    parts.iter().flat_map(|p| &p.hits).filter(|h| seen.insert(h.chunk_id.clone())).cloned().collect()
}

/// The hits of several questions taken in turn (each question's best first), each chunk once,
/// at most `limit`.
fn interleaved_hits(parts: &[&Retrieved], limit: usize) -> Vec<SearchHit> {
    let mut seen = std::collections::HashSet::new();
    let deepest = parts.iter().map(|p| p.hits.len()).max().unwrap_or(0);
    (0..deepest)
        .flat_map(|rank| parts.iter().filter_map(move |p| p.hits.get(rank)))
        .filter(|h| seen.insert(h.chunk_id.clone()))
        .take(limit)
        .cloned()
        .collect()
}

/// The number of the citation of `range` of `hit`'s chunk, adding it unless the answer already
/// cites exactly that.
fn cite(citations: &mut Vec<Citation>, hit: &SearchHit, range: &std::ops::Range<usize>) -> usize {
    let citation = sentence_citation(citations.len() + 1, hit, range);
    if let Some(same) = citations.iter().find(|c| c.chunk_id == citation.chunk_id && c.span == citation.span)
    {
        return same.n;
    }
    let n = citation.n;
    citations.push(citation);
    n
}

/// Each candidate's similarity to the question, two ways (0–1, scaled by the model's range).
#[derive(Debug, Clone)]
struct Similarities {
    /// The closer of the candidate alone and read under its chunk's headings: sentences are chosen
    /// by it ("PayPal authorisations are released immediately." answers when the money is back
    /// only under "When do I get my money back?").
    chosen_by: Vec<f32>,
    /// The candidate alone: the evidence's measure, as the confidence was calibrated on it.
    alone: Vec<f32>,
}

/// Each candidate's similarity to the question (the query's vector), scaled by the model's
/// `range`. Only the candidates of the top passage and of those after the first
/// `evidence_passages` (added for their closest sentence), and those sharing a word with the
/// question are scored, at most [`MAX_EMBEDDED_CANDIDATES`] (the others score 0): a sentence of a
/// lower passage with no word of the question in common rarely answers it. Their vectors were
/// stored at ingestion; the bound keeps the cost of a generation written without them bounded
/// (docs/answering.md has how 16 and 32 did).
fn similarities(
    retriever: &Retriever,
    query: &[f32],
    hits: &[SearchHit],
    candidates: &[Candidate],
    weights: &[(String, f32)],
    range: [f32; 2],
    evidence_passages: usize,
) -> Result<Similarities> {
    let first = |i: usize| candidates[i].passage == 0 || candidates[i].passage >= evidence_passages;
    // Those candidates first, then by the share of the question's words they hold.
    let mut worth: Vec<(usize, f32)> = (0..candidates.len())
        .map(|i| (i, candidates[i].coverage(weights)))
        .filter(|&(i, coverage)| first(i) || coverage > 0.0)
        .collect();
    worth.sort_by(|a, b| (!first(a.0)).cmp(&!first(b.0)).then(b.1.total_cmp(&a.1)));
    let worth: Vec<usize> = worth.into_iter().take(MAX_EMBEDDED_CANDIDATES).map(|(i, _)| i).collect();
    let chunk = |i: usize| &hits[candidates[i].passage].record.chunk;
    let in_context: Vec<String> =
        worth.iter().map(|&i| chunk(i).quotable_in_context(&candidates[i].text)).collect();
    let quotes: Vec<(&str, &str)> = worth
        .iter()
        .map(|&i| (chunk(i).id.as_str(), candidates[i].text.as_str()))
        .chain(worth.iter().zip(&in_context).map(|(&i, text)| (chunk(i).id.as_str(), text.as_str())))
        .collect();
    let vectors = retriever.quote_vectors(&quotes)?;
    let (alone_vectors, context_vectors) = vectors.split_at(worth.len());
    let mut alone = vec![0.0; candidates.len()];
    let mut chosen_by = vec![0.0; candidates.len()];
    for (k, &i) in worth.iter().enumerate() {
        alone[i] = confidence::semantic(cosine(query, &alone_vectors[k]), range);
        chosen_by[i] = alone[i].max(confidence::semantic(cosine(query, &context_vectors[k]), range));
    }
    Ok(Similarities { chosen_by, alone })
}

/// A citation of the text at `range` (bytes) of a retrieved chunk.
fn sentence_citation(n: usize, hit: &SearchHit, range: &std::ops::Range<usize>) -> Citation {
    let text = &hit.record.chunk.text;
    let start = hit.record.chunk.span.0 + text[..range.start].chars().count();
    let quote = &text[range.clone()];
    citation(n, hit, [start, start + quote.chars().count()], quote)
}

/// A citation of a whole retrieved chunk (the LLM may use any of it).
fn whole_chunk_citation(n: usize, hit: &SearchHit) -> Citation {
    let (start, end) = hit.record.chunk.span;
    citation(n, hit, [start, end], &hit.record.chunk.text)
}

fn citation(n: usize, hit: &SearchHit, span: [usize; 2], quote: &str) -> Citation {
    let mut snippet: String = quote.chars().take(SNIPPET_CHARS).collect();
    if snippet.len() < quote.len() {
        snippet.push('…');
    }
    Citation {
        n,
        chunk_id: hit.chunk_id.clone(),
        doc_id: hit.doc_id.clone(),
        title: hit.title.clone(),
        url: hit.url.clone(),
        breadcrumb: hit.breadcrumb.clone(),
        span,
        snippet,
        curated: None,
    }
}

/// The citation of curated answer `matched`: the whole answer, with its author and date.
fn curated_citation(n: usize, matched: &CuratedMatch) -> Citation {
    let answer = &matched.answer;
    let question = answer.questions.first().map_or("", String::as_str);
    Citation {
        n,
        chunk_id: answer.passage_id(),
        doc_id: CURATED_DOC.into(),
        title: CURATED_TITLE.into(),
        url: None,
        breadcrumb: format!("{CURATED_TITLE} › {question}"),
        span: [0, answer.answer.chars().count()],
        snippet: answer.answer.chars().take(SNIPPET_CHARS).collect(),
        curated: Some(curated_source(answer)),
    }
}

/// Who wrote curated answer `answer`, and when.
fn curated_source(answer: &CuratedAnswer) -> CuratedSource {
    CuratedSource {
        id: answer.id.clone(),
        version: answer.version,
        author: answer.author.clone(),
        created_at_ms: answer.created_at_ms,
    }
}

/// A curated answer as a retrieved passage at `rank` of the dense candidates: a FAQ entry whose
/// question is its example question closest to the customer's.
fn curated_hit(passage: &CuratedPassage, rank: usize) -> SearchHit {
    let answer = &passage.answer;
    let question = answer.questions.get(passage.question).cloned();
    let breadcrumb: Vec<String> =
        std::iter::once(CURATED_TITLE.to_string()).chain(question.clone()).collect();
    let chunk = kefu_ingest::Chunk {
        id: answer.passage_id(),
        doc_id: CURATED_DOC.into(),
        ordinal: 0,
        breadcrumb,
        text: answer.answer.clone(),
        span: (0, answer.answer.chars().count()),
        question,
        tags: answer.tags.clone(),
        table_header: None,
    };
    SearchHit {
        chunk_id: chunk.id.clone(),
        doc_id: chunk.doc_id.clone(),
        title: CURATED_TITLE.into(),
        breadcrumb: chunk.breadcrumb_line(),
        url: None,
        score: passage.score,
        snippet: String::new(),
        locale: answer.locale.clone(),
        bm25_rank: None,
        dense_rank: Some(rank),
        dense_score: Some(passage.score),
        record: ChunkRecord {
            chunk,
            title: CURATED_TITLE.into(),
            url: None,
            locale: answer.locale.clone(),
            doc_type: Some("faq".into()),
            product: answer.product.clone(),
        },
    }
}

/// Marks the citations of curated passages among `parts`' hits with who wrote them.
fn mark_curated(citations: &mut [Citation], parts: &[Retrieved]) {
    for citation in citations.iter_mut().filter(|c| c.doc_id == CURATED_DOC && c.curated.is_none()) {
        citation.curated = parts
            .iter()
            .filter_map(|p| p.curated_passage.as_deref())
            .find(|answer| answer.passage_id() == citation.chunk_id)
            .map(curated_source);
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_asking_several_questions_has_room_for_one_more_sentence() {
        let limits = extractive::Limits { max_sentences: 4, max_chars: 600 };
        let part = |question: &str| Part { question: question.into(), context: String::new() };
        let two =
            room_for(&part("Is it too late to add Care+ to it? And how much would it cost me?"), limits);
        assert_eq!((two.max_sentences, two.max_chars), (5, 750));
        let one = room_for(&part("How much would Care+ cost me for the robot?"), limits);
        assert_eq!((one.max_sentences, one.max_chars), (4, 600));
    }

    #[test]
    fn a_question_close_to_the_threshold_is_answered_beside_one_from_its_document_or_on_grounded_evidence() {
        let reading = |confidence, documents: &[&'static str], grounded| Reading {
            confidence,
            documents: documents.to_vec(),
            grounded,
        };
        let parts = [
            reading(0.66, &["en/faq.csv", "en/guides/gift-cards.md"], false),
            reading(0.44, &["en/guides/gift-cards.md", "en/faq.csv"], false),
            reading(0.44, &["en/policies/returns.md", "en/guides/gift-cards.md"], false),
            reading(0.35, &["en/guides/gift-cards.md"], false),
            reading(0.45, &[], false),
            reading(0.36, &["en/policies/customs-and-duties.md"], true),
            reading(0.34, &["en/policies/customs-and-duties.md"], true),
        ];
        assert_eq!(answered_beside(&parts, 0.5), [1, 5]);
        // Nothing answered: nothing to stand beside.
        assert!(answered_beside(&parts[1..], 0.5).is_empty());
    }

    #[test]
    fn a_follow_up_and_its_earlier_turns_are_redacted_each_on_its_own() {
        let answerer = Answerer::new(&AnswerConfig::default()).unwrap();
        let question = Question {
            text: "and to 4111 1111 1111 1111?".into(),
            retrieval_query: "refund to my card, mail jo@example.com and to 4111 1111 1111 1111?".into(),
            ..Question::default()
        };
        let redacted = answerer.redacted(question);
        assert_eq!(redacted.text, "and to [card]?");
        assert_eq!(redacted.retrieval_query, "refund to my card, mail [email] and to [card]?");
        assert_eq!(earlier_turns(&redacted), "refund to my card, mail [email]");
        let off = Answerer::new(&AnswerConfig::default()).unwrap().with_redactor(Redactor::new(&[]));
        let question = Question { text: "jo@example.com".into(), ..Question::default() };
        assert_eq!(off.redacted(question).text, "jo@example.com");
    }
}
