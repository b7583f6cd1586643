//! Offline evaluation on labelled question sets (`kefu eval`).
//!
//! 1. Read the set ([`sets`]). A BEIR set brings its corpus: it is ingested into a data folder
//!    of its own under `<home>/eval`, named by the corpus's content hash and the embedding
//!    settings, so a second run finds it indexed and embeds nothing.
//! 2. Search every judged question in every mode; chunks are collapsed to documents (a document
//!    ranks where its best chunk ranks) and scored with [`metrics`].
//! 3. Answer the questions (judged and unanswerable) with the answerer of `POST /v1/ask`, once,
//!    with no confidence threshold; the decision at any threshold follows from each answer's
//!    confidence ([`answers`]), which is how the threshold is calibrated. Each answer is also
//!    checked for the question's key facts ([`facts`]) and, for a multi-part message, for each
//!    part's gold documents and key facts.
//! 4. Assemble the [`report::Report`].
//!
//! `kefu eval-pii` measures personal data redaction on a labelled set of messages instead
//! ([`pii`], [`evaluate_pii`]); `kefu eval-curated` measures curated answers ([`curated`],
//! [`evaluate_curated`]).

pub mod answers;
pub mod chart;
pub mod curated;
pub mod facts;
pub mod metrics;
pub mod pii;
pub mod recommend;
pub mod report;
pub mod sets;
pub mod topics;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use indicatif::ProgressBar;

use crate::answer::{Answerer, Question};
use crate::config::Config;
use crate::embed::Embedder;
use crate::index::SearchFilter;
use crate::indexer::{self, IngestReport};
use crate::retrieve::{Mode, Retriever, SearchRequest};
use crate::{Error, Result};
use answers::{AnswerOutcome, FactScore, PartOutcome};
use report::{
    AnswerResult, AnswerSection, Calibration, Metrics, ModeResult, PartResult, QueryResult, Report,
};
use sets::LabelledQuery;

/// What to evaluate and how.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// A BEIR folder or a kefu JSONL file.
    pub set: PathBuf,
    /// Retrieval modes to measure.
    pub modes: Vec<Mode>,
    /// Documents retrieved per question (metrics go up to @100).
    pub depth: usize,
    /// Evaluate answers too (when the set has reference answers or unanswerable questions).
    pub answers: bool,
    /// Choose the confidence threshold on the set's dev part and report answers at it.
    pub calibrate: bool,
    /// The index to search for a kefu set, or where to put a BEIR set's index.
    pub data: Option<PathBuf>,
    /// Show progress bars.
    pub progress: bool,
}

/// Runs an evaluation. Also returns the ingest report when a BEIR corpus was (re)indexed.
pub fn evaluate(config: &Config, options: &EvalOptions) -> Result<(Report, Option<IngestReport>)> {
    let set = sets::load(&options.set)?;
    let mut config = config.clone();
    let mut ingested = None;
    match (&set.corpus, &options.data) {
        (Some(corpus), data) => {
            config.data_dir = data.clone().unwrap_or_else(|| beir_data_dir(&config, &set.name, &corpus.hash));
            let source = corpus.path.display().to_string();
            let report = indexer::ingest_documents(&config, corpus.documents()?, &source, options.progress)?;
            ingested = Some(report);
        }
        (None, Some(data)) => config.data_dir = data.clone(),
        (None, None) => {}
    }
    let retriever = Arc::new(Retriever::open(&config, Arc::new(Embedder::load(&config)?))?);

    let judged: Vec<&LabelledQuery> = set.test.iter().filter(|q| q.answerable).collect();
    let with_answers = options.answers
        && set.test.iter().any(|q| q.answer.is_some() || !q.answerable || !q.key_facts.is_empty());
    let (dev, answered): (Vec<LabelledQuery>, Vec<LabelledQuery>) = match (with_answers, options.calibrate) {
        (true, true) => set.calibration_split(),
        (true, false) => (Vec::new(), set.test.clone()),
        (false, _) => (Vec::new(), Vec::new()),
    };
    let steps = options.modes.len() * judged.len() + dev.len() + answered.len();
    let bar = crate::progress::bar(options.progress, steps, "eval");

    let mut per_query: Vec<QueryResult> = judged
        .iter()
        .map(|q| QueryResult {
            id: q.id.clone(),
            question: q.text.clone(),
            gold: sorted_gold(q),
            kinds: q.kinds.clone(),
            modes: BTreeMap::new(),
            answer: None,
        })
        .collect();
    let mut modes = BTreeMap::new();
    for &mode in &options.modes {
        bar.set_message(format!("{} search", mode_name(mode)));
        let mut sums = vec![0.0; metrics::RETRIEVAL_METRICS.len()];
        let mut latencies = Vec::with_capacity(judged.len());
        for (query, result) in judged.iter().zip(&mut per_query) {
            let request = SearchRequest {
                query: query.text.clone(),
                k: options.depth,
                mode,
                filter: SearchFilter::default(),
            };
            let hits = retriever.search(&request).map_err(|e| in_query(&query.id, e))?;
            latencies.push(hits.took_ms);
            let ranked = sets::documents_in_order(hits.results.iter().map(|h| h.doc_id.as_str()));
            let values = metrics::all(&ranked, &query.relevant);
            for (sum, v) in sums.iter_mut().zip(values) {
                *sum += v;
            }
            let figures: Metrics =
                metrics::RETRIEVAL_METRICS.iter().map(|n| n.to_string()).zip(values).collect();
            let top = ranked.into_iter().take(10).collect();
            result.modes.insert(mode_name(mode).to_string(), ModeResult { top, metrics: figures });
            bar.inc(1);
        }
        let n = judged.len().max(1) as f64;
        let mut averages: Metrics = metrics::RETRIEVAL_METRICS
            .iter()
            .map(|m| m.to_string())
            .zip(sums.into_iter().map(|s| s / n))
            .collect();
        add_latency(&mut averages, &latencies);
        modes.insert(mode_name(mode).to_string(), averages);
    }

    let answers = if with_answers {
        bar.set_message("answers");
        Some(evaluate_answers(&config, &retriever, &dev, &answered, &mut per_query, &bar)?)
    } else {
        None
    };
    bar.finish_and_clear();

    let report = Report {
        set: set.name.clone(),
        format: set.format.as_str().to_string(),
        path: options.set.display().to_string(),
        fingerprint: set.fingerprint.clone(),
        queries: judged.len(),
        unjudged: set.unjudged,
        kefu: format!("{} ({})", env!("CARGO_PKG_VERSION"), env!("KEFU_COMMIT")),
        model: retriever.index().info().model.clone(),
        data_dir: config.data_dir.display().to_string(),
        config: serde_json::json!({
            "search": config.search,
            "answer": config.answer,
            "chunking": config.chunking,
            "embedding": config.embedding.model,
        }),
        depth: options.depth,
        created_at: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        modes,
        answers,
        per_query,
    };
    Ok((report, ingested))
}

/// Where a BEIR corpus is indexed: one folder per corpus content and embedding settings.
pub fn beir_data_dir(config: &Config, name: &str, corpus_hash: &str) -> PathBuf {
    let key = format!("{corpus_hash}|{}|{}", config.embedding.model, config.chunking.max_tokens);
    let key = &blake3::hash(key.as_bytes()).to_hex()[..12];
    config.home.join("eval").join(format!("{name}-{key}"))
}

/// Answers `dev` with no threshold and calibrates on it when given, then answers `questions` at
/// the chosen (or configured) threshold, as the service would (a question of a multi-part
/// message below it is left to a person), and computes their answer metrics.
fn evaluate_answers(
    config: &Config,
    retriever: &Arc<Retriever>,
    dev: &[LabelledQuery],
    questions: &[LabelledQuery],
    per_query: &mut Vec<QueryResult>,
    bar: &ProgressBar,
) -> Result<AnswerSection> {
    let answerer_at = |threshold: f32| {
        let mut settings = config.answer.clone();
        settings.min_confidence = threshold;
        Answerer::new(&settings).map(|a| a.with_redactor(config.privacy.redactor()))
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("tokio runtime"))?;
    let answer_all =
        |answerer: &Answerer, queries: &[LabelledQuery]| -> Result<Vec<(AnswerOutcome, AnswerResult)>> {
            queries
                .iter()
                .map(|q| {
                    let question = Question {
                        text: q.text.clone(),
                        retrieval_query: q.text.clone(),
                        locale: q.locale.clone(),
                        ..Question::default()
                    };
                    let answer = runtime
                        .block_on(answerer.answer(Arc::clone(retriever), question, None))
                        .map_err(|e| in_query(&q.id, e))?;
                    bar.inc(1);
                    Ok(score_answer(q, &answer))
                })
                .collect()
        };
    let dev_outcomes: Vec<AnswerOutcome> =
        answer_all(&answerer_at(0.0)?, dev)?.into_iter().map(|(o, _)| o).collect();
    let calibration = answers::calibrate(&dev_outcomes).map(|(threshold, dev_accuracy)| Calibration {
        dev_questions: dev.len(),
        configured: config.answer.min_confidence,
        threshold,
        dev_accuracy,
    });
    let threshold = calibration.as_ref().map_or(config.answer.min_confidence, |c| c.threshold);

    let results = answer_all(&answerer_at(threshold)?, questions)?;
    let outcomes: Vec<AnswerOutcome> = results.iter().map(|(o, _)| o.clone()).collect();
    let mut figures = answers::decisions(&outcomes, threshold).to_metrics();
    figures.extend(answers::facts(&outcomes, threshold).to_metrics());
    // Routed as the service routes: the message understood, then each question's order.
    let vocabulary = retriever.vocabulary()?;
    let routed: Vec<(bool, bool)> = questions
        .iter()
        .map(|q| {
            let tagged = q.kinds.iter().any(|k| k == answers::ORDER_SPECIFIC);
            let understood = crate::understand::understand(&q.text, &vocabulary);
            (tagged, understood.order_asked().is_some())
        })
        .collect();
    figures.extend(answers::order_intent(&routed));
    let kinds = answers::by_kind(&outcomes, threshold);
    let (mut f1, mut rouge, mut latencies) = (Vec::new(), Vec::new(), Vec::new());
    let mut position: HashMap<String, usize> =
        per_query.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
    for (query, (outcome, mut result)) in questions.iter().zip(results) {
        result.answered = outcome.answered_at(threshold);
        latencies.push(result.ms);
        if result.answered {
            f1.extend(result.token_f1);
            rouge.extend(result.rouge_l);
        }
        let i = *position.entry(query.id.clone()).or_insert_with(|| {
            per_query.push(QueryResult {
                id: query.id.clone(),
                question: query.text.clone(),
                gold: sorted_gold(query),
                kinds: query.kinds.clone(),
                modes: BTreeMap::new(),
                answer: None,
            });
            per_query.len() - 1
        });
        per_query[i].answer = Some(result);
    }
    let unanswerable = questions.iter().filter(|q| !q.answerable).count();
    figures.insert("token_f1".into(), crate::stats::mean(f1));
    figures.insert("rouge_l".into(), crate::stats::mean(rouge));
    add_latency(&mut figures, &latencies);
    Ok(AnswerSection {
        questions: questions.len(),
        unanswerable,
        threshold,
        calibration,
        metrics: figures,
        kinds,
    })
}

/// The outcome and report line of one answer.
fn score_answer(query: &LabelledQuery, answer: &crate::answer::Answer) -> (AnswerOutcome, AnswerResult) {
    let cited = sets::documents_in_order(answer.citations.iter().map(|c| c.doc_id.as_str()));
    let cited_gold = cited.iter().filter(|d| query.relevant.get(*d).is_some_and(|&g| g > 0)).count();
    // No passage number is valid with 0 passages: every marker goes.
    let (text, _) = crate::answer::citations::check(&answer.answer, 0);
    let reference = query.answer.as_deref().filter(|_| query.answerable && !answer.abstained);
    let key_facts = (!query.key_facts.is_empty()).then(|| facts::check(&text, &query.key_facts));
    let parts: Vec<PartResult> = query
        .parts
        .iter()
        .map(|part| PartResult {
            question: part.question.clone(),
            answerable: part.answerable,
            citation_hit: part.answerable.then(|| cited.iter().any(|d| part.gold_doc_ids.contains(d))),
            key_facts: (!part.key_facts.is_empty()).then(|| facts::check(&text, &part.key_facts)),
        })
        .collect();
    let score = |check: &Option<facts::FactCheck>| {
        check.as_ref().map(|c| FactScore { found: c.found.len(), total: c.total() })
    };
    let outcome = AnswerOutcome {
        answerable: query.answerable,
        confidence: answer.confidence,
        answers_when_allowed: !answer.abstained,
        cited: cited.len(),
        cited_gold,
        key_facts: score(&key_facts),
        parts: parts
            .iter()
            .map(|p| PartOutcome {
                answerable: p.answerable,
                cites_gold: p.citation_hit == Some(true),
                key_facts: score(&p.key_facts),
            })
            .collect(),
        kinds: query.kinds.clone(),
    };
    let result = AnswerResult {
        answerable: query.answerable,
        answered: !answer.abstained,
        confidence: answer.confidence,
        token_f1: reference.map(|r| answers::token_f1(&text, r)),
        rouge_l: reference.map(|r| answers::rouge_l(&text, r)),
        key_facts,
        parts,
        read: answer.parts.clone(),
        text,
        cited,
        ms: answer.timings.total_ms,
    };
    (outcome, result)
}

fn add_latency(metrics: &mut Metrics, latencies: &[f64]) {
    if let Some(p50) = crate::stats::percentile(latencies, 0.5) {
        metrics.insert("latency_p50_ms".into(), p50);
    }
    if let Some(p95) = crate::stats::percentile(latencies, 0.95) {
        metrics.insert("latency_p95_ms".into(), p95);
    }
}

fn sorted_gold(query: &LabelledQuery) -> Vec<String> {
    let mut gold: Vec<String> =
        query.relevant.iter().filter(|(_, g)| **g > 0).map(|(d, _)| d.clone()).collect();
    gold.sort();
    gold
}

/// The name of a mode in reports and metric names.
pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Hybrid => "hybrid",
        Mode::Bm25 => "bm25",
        Mode::Dense => "dense",
    }
}

fn in_query(id: &str, error: Error) -> Error {
    match error {
        Error::InvalidRequest(message) => Error::InvalidRequest(format!("question {id}: {message}")),
        other => other,
    }
}

/// Writes `report.json`, `summary.md` and `retrieval.svg` into `dir`.
pub fn write_outputs(report: &Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let write = |name: &str, content: &str| {
        let path = dir.join(name);
        std::fs::write(&path, content).map_err(Error::io(path))
    };
    let json = serde_json::to_string_pretty(report).map_err(|e| Error::Internal(e.to_string()))?;
    write("report.json", &json)?;
    write("summary.md", &report.markdown())?;
    write("retrieval.svg", &chart::retrieval_svg(&format!("kefu eval: {}", report.set), &report.modes))
}

/// Reads a report written by [`write_outputs`].
pub fn read_report(path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    serde_json::from_str(&text).map_err(|e| Error::Dataset {
        path: path.to_path_buf(),
        message: format!("not a kefu eval report: {e}"),
    })
}

/// Smallest time spent redacting the set again and again to measure the cost per message.
const PII_TIMING: std::time::Duration = std::time::Duration::from_millis(500);

/// `kefu eval-pii`: redacts every message of the labelled set at `path` (those of `split`
/// only, if given) with the configured kinds (`privacy.redact`) and scores it; the cost per
/// message is measured by redacting them again until at least half a second has passed.
pub fn evaluate_pii(config: &Config, path: &Path, split: Option<&str>) -> Result<pii::PiiReport> {
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    let mut cases = pii::parse_set(path, &text)?;
    if let Some(split) = split {
        cases.retain(|c| c.split.as_deref() == Some(split));
        if cases.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "--split {split}: no message of {} is in it",
                path.display()
            )));
        }
    }
    let redactor = config.privacy.redactor();
    let mut report = pii::evaluate(&cases, &redactor);
    let started = std::time::Instant::now();
    let mut redacted = 0usize;
    while started.elapsed() < PII_TIMING {
        for case in &cases {
            std::hint::black_box(redactor.redact(std::hint::black_box(&case.text)));
        }
        redacted += cases.len();
    }
    report.micros_per_message = Some(started.elapsed().as_secs_f64() * 1e6 / redacted as f64);
    Ok(report)
}

/// `kefu eval-recommend`: every request of the recommendation set at `path` (those of `split`,
/// or all) asked of the answerer of `POST /v1/ask` over the index in `config.data_dir`, with the
/// shopper's earlier messages and owned products; and the test questions of the kefu question
/// sets `negatives`, to count those taken for requests for advice.
pub fn evaluate_recommend(
    config: &Config,
    path: &Path,
    split: Option<&str>,
    negatives: &[PathBuf],
) -> Result<(recommend::RecommendReport, report::Metrics)> {
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    let mut cases = recommend::parse_set(path, &text)?;
    if let Some(split) = split {
        cases.retain(|c| c.split == split);
        if cases.is_empty() {
            return Err(Error::InvalidRequest(format!(
                "--split {split}: no request of {} is in it",
                path.display()
            )));
        }
    }
    let embedder = Arc::new(Embedder::load(config)?);
    let retriever = Arc::new(Retriever::open(config, embedder)?);
    let answerer = Answerer::new(&config.answer)?.with_redactor(config.privacy.redactor());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("tokio runtime"))?;
    let catalog = retriever.index().catalog();
    let cited_text = |doc_id: &str, span: [usize; 2]| {
        let document = catalog.document(doc_id).ok()??;
        Some(document.text.chars().skip(span[0]).take(span[1].saturating_sub(span[0])).collect())
    };
    let bar = crate::progress::bar(true, cases.len(), "asking");
    let mut outcomes = Vec::new();
    let mut latencies = Vec::new();
    for case in &cases {
        let question = Question {
            text: case.question.clone(),
            retrieval_query: case.question.clone(),
            locale: Some(case.locale.clone()),
            earlier: case.history.clone(),
            shopper: crate::recommend::Shopper { owned: case.owned.clone(), viewed: Vec::new() },
            ..Question::default()
        };
        let answer = runtime.block_on(answerer.answer(retriever.clone(), question, None))?;
        latencies.push(answer.timings.total_ms);
        outcomes.push(recommend::outcomes(case, &answer, cited_text));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let (mut asked, mut routed) = (0, Vec::new());
    for negatives in negatives {
        let set = sets::load(negatives)?;
        for query in &set.test {
            let question = Question {
                text: query.text.clone(),
                retrieval_query: query.text.clone(),
                locale: query.locale.clone(),
                ..Question::default()
            };
            let answer = runtime.block_on(answerer.answer(retriever.clone(), question, None))?;
            asked += 1;
            if answer.recommendation.is_some() {
                routed.push(query.text.clone());
            }
        }
    }
    let p50 = crate::stats::percentile(&latencies, 0.5).unwrap_or(0.0);
    let report = recommend::RecommendReport::new(split.unwrap_or("all"), outcomes, asked, routed, p50);
    let metrics = report.metrics();
    Ok((report, metrics))
}

/// `kefu eval-curated`: the `split` half of `path`'s cases curated, every probe answered by the
/// answerer of `POST /v1/ask` over the index in `config.data_dir` (curated answers matched at
/// any score, so that each probe's best score is seen), then scored at every threshold.
pub fn evaluate_curated(config: &Config, path: &Path, split: &str) -> Result<curated::CuratedReport> {
    use crate::answer::curated::{CuratedAnswer, CuratedSet, Embedded};
    use curated::{Probe, ProbeKind};

    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    let cases = curated::parse_set(path, &text)?;
    if !cases.iter().any(|c| c.split == split) {
        return Err(Error::InvalidRequest(format!(
            "--split {split}: no case of {} is in it",
            path.display()
        )));
    }
    let embedder = Arc::new(Embedder::load(config)?);
    let retriever = Arc::new(Retriever::open(config, embedder.clone())?);
    // Every probe gets its best match, whatever its words: the figures are computed below.
    let mut settings = config.answer.clone();
    settings.curated_margin = -1.0;
    let answerer = Answerer::new(&settings)?.with_redactor(config.privacy.redactor());
    let mut set = Vec::new();
    for case in cases.iter().filter(|c| c.split == split) {
        let answer = CuratedAnswer {
            id: case.id.clone(),
            version: 1,
            questions: vec![case.question.clone()],
            answer: case.answer.clone(),
            locale: case.locale.clone(),
            product: None,
            tags: Vec::new(),
            author: "eval".into(),
            source_conversation_id: None,
            source_turn_seq: None,
            created_at_ms: 0,
        };
        let questions = vec![embedder.embed_query(&case.question)?];
        let passage = embedder.embed_passages(&[answer.text()], |_| {})?.pop().unwrap_or_default();
        set.push(Embedded { answer, questions, passage });
    }
    // Scores at any threshold, and the configured answerer end to end, over the same answers.
    let configured = Answerer::new(&config.answer)?.with_redactor(config.privacy.redactor());
    answerer.set_curated(CuratedSet::new(set.clone(), 0.0));
    configured.set_curated(CuratedSet::new(set, config.answer.curated_threshold));

    let probe = |kind: ProbeKind, text: &str, target: Option<&str>| Probe {
        kind,
        text: text.to_string(),
        target: target.map(String::from),
        matched: None,
        passage_score: 0.0,
        help_center_score: 0.0,
        cited: None,
        cited_as_passage: false,
        cited_help_center: false,
    };
    let mut probes = Vec::new();
    for case in &cases {
        if case.split == split {
            probes.extend(case.paraphrases.iter().map(|p| probe(ProbeKind::Paraphrase, p, Some(&case.id))));
        } else {
            let asked = std::iter::once(&case.question).chain(&case.paraphrases);
            probes.extend(asked.map(|q| probe(ProbeKind::Uncurated, q, None)));
        }
        probes.extend(case.negatives.iter().map(|n| probe(ProbeKind::Negative, n, None)));
    }
    let directory = path.parent().unwrap_or(Path::new("."));
    let mut sources: Vec<&str> = cases.iter().map(|c| c.source_set.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    for source in sources {
        let source_path = directory.join(source);
        let text = std::fs::read_to_string(&source_path).map_err(Error::io(&source_path))?;
        for (n, line) in sets::lines(&text) {
            let row: serde_json::Value = sets::parse_line(&source_path, n, line)?;
            if row["answerable"] != false
                && let Some(question) = row["question"].as_str()
            {
                probes.push(probe(ProbeKind::Answerable, question, None));
            }
        }
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("tokio runtime"))?;
    let bar = crate::progress::bar(true, probes.len(), "asking");
    for probe in &mut probes {
        let question =
            Question { text: probe.text.clone(), retrieval_query: probe.text.clone(), ..Question::default() };
        let answer = runtime.block_on(answerer.answer(retriever.clone(), question.clone(), None))?;
        let best =
            answer.parts.iter().filter_map(|p| p.curated.as_ref()).max_by(|a, b| a.score.total_cmp(&b.score));
        probe.matched = best.map(|m| (m.id.clone(), m.score));
        probe.passage_score = best.map_or(0.0, |m| m.passage_score);
        probe.help_center_score = best.map_or(0.0, |m| m.help_center_score);
        let answer = runtime.block_on(configured.answer(retriever.clone(), question, None))?;
        let cited = answer.citations.iter().find_map(|c| c.curated.as_ref());
        probe.cited = cited.map(|c| c.id.clone());
        probe.cited_as_passage = cited.is_some() && answer.parts.iter().all(|p| p.curated.is_none());
        probe.cited_help_center = answer.citations.iter().any(|c| c.curated.is_none());
        bar.inc(1);
    }
    bar.finish_and_clear();
    let gate =
        curated::Gate { threshold: config.answer.curated_threshold, margin: config.answer.curated_margin };
    Ok(curated::report(split, &probes, gate))
}
