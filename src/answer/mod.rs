//! Answers: from a question to a grounded answer with citations, or an honest "I don't know"
//! and a handoff to a human.
//!
//! ```text
//! question -> handoff lexicon -> retrieval (locale first, then all)
//!          -> passages asking for secrets or speaking to the assistant dropped -> confidence
//!          -> below threshold: abstain + handoff
//!          -> LLM (if configured; citations checked as they stream) or extractive answer
//!          -> cited passages that state conflicting numbers: said, and handed off
//! ```
//!
//! Everything here but [`llm`] and [`Answerer::answer`] is pure logic.

pub mod citations;
pub mod confidence;
pub mod conflicts;
pub mod conversation;
pub mod extractive;
pub mod handoff;
pub mod llm;
pub mod messages;
pub mod prompt;
pub mod safety;

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use crate::config::AnswerConfig;
use crate::index::SearchFilter;
use crate::index::text::QueryTerm;
use crate::retrieve::{Mode, Retriever, SearchHit, SearchRequest};
use crate::{Error, Result};
use citations::CitationFilter;
use confidence::Evidence;
use extractive::{Extract, Passage};
pub use handoff::HandoffReason;
use llm::LlmClient;

/// Coverage of the customer's question by a FAQ entry's question above which the entry's answer
/// is given whole.
const FAQ_MATCH: f32 = 0.6;
/// Characters of a citation's snippet.
const SNIPPET_CHARS: usize = 300;
/// Ranks within which both retrievers must place the top passage to agree on it.
const AGREEMENT_RANK: usize = 3;

/// A question to answer.
#[derive(Debug, Clone, Default)]
pub struct Question {
    /// The customer's words.
    pub text: String,
    /// What to retrieve with (the question, or a follow-up joined to the question before it).
    pub retrieval_query: String,
    /// The customer's locale, if the client knows it.
    pub locale: Option<String>,
    /// Metadata filters (doc_type, product, tags; `locale` is set from the question).
    pub filter: SearchFilter,
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
    /// Where the time went.
    pub timings: AnswerTimings,
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
}

/// What retrieval hands to generation.
struct Retrieved {
    hits: Vec<SearchHit>,
    /// The question's words weighted by their IDF in the index.
    weights: Vec<(String, f32)>,
    /// Share of that weight carried by words no chunk contains.
    unknown: f32,
    embed_ms: f64,
}

impl Retrieved {
    fn new(hits: Vec<SearchHit>, terms: &[QueryTerm], embed_ms: f64) -> Retrieved {
        let total: f32 = terms.iter().map(|t| t.idf).sum();
        let unknown: f32 = terms.iter().filter(|t| t.chunks == 0).map(|t| t.idf).sum();
        Retrieved {
            hits,
            weights: terms.iter().map(|t| (t.term.clone(), t.idf)).collect(),
            unknown: if total > 0.0 { unknown / total } else { 0.0 },
            embed_ms,
        }
    }
}

impl Answerer {
    /// An answerer with `answer`'s settings (and its LLM, if one is configured).
    pub fn new(config: &AnswerConfig) -> Result<Answerer> {
        Ok(Answerer { config: config.clone(), llm: LlmClient::from_config(&config.llm)? })
    }

    /// Answers `question` from `retriever`'s index, sending the answer's text to `events` as it
    /// is written.
    pub async fn answer(
        &self,
        retriever: Arc<Retriever>,
        question: Question,
        events: Option<&UnboundedSender<AnswerEvent>>,
    ) -> Result<Answer> {
        let started = Instant::now();
        let emit = |event: AnswerEvent| {
            if let Some(events) = events {
                // A client that went away stops listening; the answer is still completed.
                let _ = events.send(event);
            }
        };
        let language = messages::language_of(&question.text, question.locale.as_deref());
        let signal = handoff::detect(&question.text);
        let mut answer = Answer {
            answer: String::new(),
            citations: Vec::new(),
            confidence: 0.0,
            abstained: true,
            handoff: Handoff { needed: signal.is_some(), reason: signal.map(|s| s.reason) },
            conversation_id: None,
            language: language.to_string(),
            generator: Generator::None,
            fallback: None,
            notice: None,
            timings: AnswerTimings::default(),
        };
        if signal.is_some_and(|s| s.only_request) {
            answer.answer = messages::handing_over(language).to_string();
            emit(AnswerEvent::Delta(answer.answer.clone()));
            answer.timings.total_ms = ms(started);
            return Ok(answer);
        }

        let clock = Instant::now();
        let similarity_range = retriever.model().similarity_range;
        let mut retrieved = self.retrieve(retriever, &question, language).await?;
        retrieved.hits.retain(is_safe);
        answer.timings.embed_ms = retrieved.embed_ms;
        answer.timings.retrieve_ms = ms(clock);
        answer.confidence =
            evidence(&retrieved, similarity_range).map_or(0.0, |e| confidence::confidence(&e));

        let clock = Instant::now();
        if answer.confidence >= self.config.min_confidence {
            self.generate(&question.text, &retrieved, language, &mut answer, &emit).await;
        }
        if answer.generator != Generator::None {
            flag_conflicts(&retrieved.hits, language, &mut answer, &emit);
        }
        if answer.generator == Generator::None {
            answer.abstained = true;
            answer.answer = messages::abstain(language).to_string();
            answer.citations.clear();
            answer.handoff = Handoff {
                needed: true,
                reason: Some(signal.map_or(HandoffReason::LowConfidence, |s| s.reason)),
            };
            emit(AnswerEvent::Delta(answer.answer.clone()));
        }
        answer.timings.generate_ms = ms(clock);
        answer.timings.total_ms = ms(started);
        Ok(answer)
    }

    /// Hybrid search in the question's language, then in every language if that finds nothing.
    async fn retrieve(
        &self,
        retriever: Arc<Retriever>,
        question: &Question,
        language: &str,
    ) -> Result<Retrieved> {
        let mut request = SearchRequest {
            query: question.retrieval_query.clone(),
            k: self.config.passages,
            mode: Mode::Hybrid,
            filter: question.filter.clone(),
        };
        if request.filter.locale.is_none() {
            request.filter.locale = Some(question.locale.clone().unwrap_or_else(|| language.to_string()));
        }
        crate::error::blocking(move || {
            let mut results = retriever.search(&request)?;
            if results.results.is_empty() {
                request.filter.locale = None;
                results = retriever.search(&request)?;
            }
            let terms = retriever.query_terms(&request.query)?;
            Ok(Retrieved::new(results.results, &terms, results.timings.embed_ms))
        })
        .await
    }

    /// Writes the answer with the LLM, falling back to the extractive answerer.
    async fn generate(
        &self,
        question: &str,
        retrieved: &Retrieved,
        language: &str,
        answer: &mut Answer,
        emit: &(impl Fn(AnswerEvent) + Sync),
    ) {
        if let Some(llm) = &self.llm {
            match self.generate_with_llm(llm, question, retrieved, language, emit).await {
                Ok(LlmOutcome::Answered(text, cited)) => {
                    answer.answer = text;
                    answer.citations =
                        cited.into_iter().map(|n| whole_chunk_citation(n, &retrieved.hits[n - 1])).collect();
                    answer.generator = Generator::Llm;
                    answer.abstained = false;
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
        let weights = &retrieved.weights;
        let passages: Vec<Passage> = retrieved
            .hits
            .iter()
            .map(|hit| Passage {
                text: &hit.record.chunk.text,
                question: hit.record.chunk.question.as_deref(),
            })
            .collect();
        let limits =
            extractive::Limits { max_sentences: self.config.max_sentences, max_chars: self.config.max_chars };
        let extract = extractive::faq_answer(weights, &passages, FAQ_MATCH)
            .or_else(|| extractive::extract(weights, &passages, limits));
        if let Some(extract) = extract {
            emit(AnswerEvent::Delta(extract.text.clone()));
            answer.citations = quoted_citations(&extract, &retrieved.hits);
            answer.answer = extract.text;
            answer.generator = Generator::Extractive;
            answer.abstained = false;
        }
    }

    async fn generate_with_llm(
        &self,
        llm: &LlmClient,
        question: &str,
        retrieved: &Retrieved,
        language: &str,
        emit: &(impl Fn(AnswerEvent) + Sync),
    ) -> Result<LlmOutcome, (Error, bool)> {
        let breadcrumbs: Vec<String> =
            retrieved.hits.iter().map(|h| h.record.chunk.breadcrumb_line()).collect();
        let passages: Vec<prompt::PromptPassage> = retrieved
            .hits
            .iter()
            .zip(&breadcrumbs)
            .map(|(hit, breadcrumb)| prompt::PromptPassage { breadcrumb, text: &hit.record.chunk.text })
            .collect();
        let messages = prompt::messages(question, &passages, language);
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

/// The evidence about the top passage, if any.
fn evidence(retrieved: &Retrieved, similarity_range: [f32; 2]) -> Option<Evidence> {
    let top = retrieved.hits.first()?;
    let text = format!("{}\n{}", top.record.chunk.breadcrumb_line(), top.record.chunk.text);
    let within = |rank: Option<usize>| rank.is_some_and(|r| r <= AGREEMENT_RANK);
    Some(Evidence {
        coverage: extractive::coverage(&retrieved.weights, &extractive::terms(&text)),
        semantic: top.dense_score.map(|cosine| confidence::semantic(cosine, similarity_range)),
        agreement: within(top.bm25_rank) && within(top.dense_rank),
        unknown: retrieved.unknown,
    })
}

/// Citations of an extractive answer: each the quoted sentences of its passage.
fn quoted_citations(extract: &Extract, hits: &[SearchHit]) -> Vec<Citation> {
    extract
        .cited
        .iter()
        .zip(&extract.quoted)
        .enumerate()
        .map(|(i, (&passage, quoted))| sentence_citation(i + 1, &hits[passage], quoted))
        .collect()
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
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
