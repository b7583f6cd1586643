//! The evaluation report: what is written to `--out`, the `--json` summary, comparisons with an
//! earlier report, and floors. Pure functions; the CLI writes the files.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::facts::FactCheck;
use super::metrics::RETRIEVAL_METRICS;

/// Metric name -> value.
pub type Metrics = BTreeMap<String, f64>;

/// Everything one `kefu eval` run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Set name (folder or file name).
    pub set: String,
    /// `beir` or `kefu`.
    pub format: String,
    /// Where the set was read from.
    pub path: String,
    /// blake3 of the set's files (corpus included).
    pub fingerprint: String,
    /// Questions with relevance judgements (the retrieval metrics average over them).
    pub queries: usize,
    /// Questions in the set that were left out (no judgements, not marked unanswerable).
    pub unjudged: usize,
    /// kefu version and the commit it was built from.
    pub kefu: String,
    /// The embedding model the index was built with.
    pub model: String,
    /// The data folder searched.
    pub data_dir: String,
    /// The search and answer settings in effect.
    pub config: serde_json::Value,
    /// Documents retrieved per question (chunks are collapsed to their documents).
    pub depth: usize,
    /// When the run ended (seconds since the Unix epoch).
    pub created_at: u64,
    /// Retrieval metrics by mode, plus `latency_p50_ms` and `latency_p95_ms` of the searches.
    pub modes: BTreeMap<String, Metrics>,
    /// Answer metrics, when the set has reference answers or unanswerable questions.
    pub answers: Option<AnswerSection>,
    /// Each question's results.
    pub per_query: Vec<QueryResult>,
}

/// Answer metrics and how the threshold was chosen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerSection {
    /// Questions answered (answerable and unanswerable).
    pub questions: usize,
    /// Of which unanswerable.
    pub unanswerable: usize,
    /// The confidence threshold the metrics are computed at.
    pub threshold: f32,
    /// The threshold calibrated on the dev part (with `--calibrate`): the metrics are then
    /// computed at it, on the questions outside the dev part.
    pub calibration: Option<Calibration>,
    /// abstention_precision/recall, answer_rate, citation_precision, citation_hit_rate,
    /// decision_accuracy, token_f1, rouge_l, latency_p50_ms, latency_p95_ms; key_fact_recall
    /// and the parts.* figures when the set is labelled for them.
    pub metrics: Metrics,
    /// The figures of each `kinds` tag of the questions (empty when they have none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kinds: BTreeMap<String, KindFigures>,
}

/// The answer figures of the questions with one `kinds` tag; a figure with nothing to count is
/// `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindFigures {
    /// Questions with the tag.
    pub questions: usize,
    /// Of which unanswerable.
    pub unanswerable: usize,
    /// Of the answerable ones, the share answered.
    pub answer_rate: Option<f64>,
    /// Of those answers, the share citing a gold document.
    pub citation_hit_rate: Option<f64>,
    /// Mean key-fact recall of those answers that have key facts.
    pub key_fact_recall: Option<f64>,
    /// Of the unanswerable ones, the share refused.
    pub abstention_recall: Option<f64>,
}

impl KindFigures {
    /// The figures by name (those with something to count).
    pub fn to_metrics(&self) -> Metrics {
        let mut metrics = Metrics::from([
            ("questions".to_string(), self.questions as f64),
            ("unanswerable".to_string(), self.unanswerable as f64),
        ]);
        let rates = [
            ("answer_rate", self.answer_rate),
            ("citation_hit_rate", self.citation_hit_rate),
            ("key_fact_recall", self.key_fact_recall),
            ("abstention_recall", self.abstention_recall),
        ];
        metrics.extend(rates.into_iter().filter_map(|(n, v)| Some((n.to_string(), v?))));
        metrics
    }
}

/// The outcome of calibrating the confidence threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Calibration {
    /// Dev questions it was chosen on.
    pub dev_questions: usize,
    /// The configured threshold it replaces for this run.
    pub configured: f32,
    /// The chosen threshold.
    pub threshold: f32,
    /// Balanced accuracy on the dev part at the chosen threshold.
    pub dev_accuracy: f64,
}

/// One question's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryResult {
    /// Question id.
    pub id: String,
    /// The question.
    pub question: String,
    /// Relevant documents.
    pub gold: Vec<String>,
    /// Its `kinds` tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// Per mode: the first ten documents and the question's metrics.
    pub modes: BTreeMap<String, ModeResult>,
    /// The answer, when answers were evaluated.
    pub answer: Option<AnswerResult>,
}

/// One question in one mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModeResult {
    /// The first ten documents retrieved.
    pub top: Vec<String>,
    /// The question's retrieval metrics.
    pub metrics: Metrics,
}

/// One question's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerResult {
    /// Whether the question has an answer in the corpus.
    pub answerable: bool,
    /// Whether kefu answered at the report's threshold.
    pub answered: bool,
    /// Its confidence.
    pub confidence: f32,
    /// The answer (or what it would have been, when refused at the threshold).
    pub text: String,
    /// Documents cited.
    pub cited: Vec<String>,
    /// Token F1 and ROUGE-L against the reference, when there is one.
    pub token_f1: Option<f64>,
    /// See `token_f1`.
    pub rouge_l: Option<f64>,
    /// The question's key facts found and missing in the answer, when it has some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_facts: Option<FactCheck>,
    /// Each part of a multi-part message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartResult>,
    /// The questions kefu read in the message, with their confidence and its evidence (for
    /// calibrating the confidence: scripts/calibrate_confidence.py).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read: Vec<crate::answer::AnswerPart>,
    /// Time to answer.
    pub ms: f64,
}

/// How an answer did for one part of a multi-part message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartResult {
    /// The part's question.
    pub question: String,
    /// Whether the corpus answers it.
    pub answerable: bool,
    /// Whether the answer cites a gold document of the part (`None` for an unanswerable part:
    /// nothing is required of the citations).
    pub citation_hit: Option<bool>,
    /// The part's key facts found and missing in the answer, when it has some.
    pub key_facts: Option<FactCheck>,
}

/// The `--json` summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary<'a> {
    /// Set name.
    pub set: &'a str,
    /// Questions with judgements.
    pub queries: usize,
    /// Metrics by mode.
    pub modes: &'a BTreeMap<String, Metrics>,
    /// Answer metrics and threshold.
    pub answers: Option<Metrics>,
}

impl Report {
    /// The `--json` summary.
    pub fn summary(&self) -> Summary<'_> {
        Summary {
            set: &self.set,
            queries: self.queries,
            modes: &self.modes,
            answers: self.answers.as_ref().map(|a| {
                let mut metrics = a.metrics.clone();
                metrics.insert("threshold".into(), f64::from(a.threshold));
                metrics
            }),
        }
    }

    /// Every metric as `mode.metric`, `answers.metric` or `answers.kinds.KIND.metric`.
    pub fn flatten(&self) -> Metrics {
        let mut out = Metrics::new();
        for (mode, metrics) in &self.modes {
            out.extend(metrics.iter().map(|(name, v)| (format!("{mode}.{name}"), *v)));
        }
        if let Some(answers) = &self.answers {
            out.extend(answers.metrics.iter().map(|(name, v)| (format!("answers.{name}"), *v)));
            for (kind, figures) in &answers.kinds {
                let metrics = figures.to_metrics();
                out.extend(metrics.into_iter().map(|(name, v)| (format!("answers.kinds.{kind}.{name}"), v)));
            }
        }
        out
    }

    /// The Markdown summary.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# kefu eval: {}\n", self.set);
        let _ = writeln!(
            md,
            "{} questions with judgements ({} format, fingerprint `{}`), model `{}`, kefu {}, top {} documents.\n",
            self.queries, self.format, self.fingerprint, self.model, self.kefu, self.depth
        );
        if !self.modes.is_empty() {
            let names: Vec<&str> =
                RETRIEVAL_METRICS.iter().copied().chain(["latency_p50_ms", "latency_p95_ms"]).collect();
            let _ = writeln!(md, "| mode | {} |", names.join(" | "));
            let _ = writeln!(md, "|---|{}", "---:|".repeat(names.len()));
            for (mode, metrics) in &self.modes {
                let cells: Vec<String> = names.iter().map(|n| format_value(n, metrics.get(*n))).collect();
                let _ = writeln!(md, "| {mode} | {} |", cells.join(" | "));
            }
        }
        if let Some(answers) = &self.answers {
            let _ = writeln!(
                md,
                "\n## Answers\n\n{} questions ({} unanswerable), confidence threshold {:.3}.",
                answers.questions, answers.unanswerable, answers.threshold
            );
            if let Some(c) = &answers.calibration {
                let _ = writeln!(
                    md,
                    "Threshold calibrated on {} dev questions (balanced accuracy {:.3}; configured {:.3}); \
                     the figures below are on the other questions.",
                    c.dev_questions, c.dev_accuracy, c.configured
                );
            }
            let _ = writeln!(md, "\n| metric | value |\n|---|---:|");
            for (name, value) in &answers.metrics {
                let _ = writeln!(md, "| {name} | {} |", format_value(name, Some(value)));
            }
            if !answers.kinds.is_empty() {
                let _ = writeln!(
                    md,
                    "\n### By kind\n\n| kind | questions | unanswerable | answer_rate | citation_hit_rate | \
                     key_fact_recall | abstention_recall |\n|---|---:|---:|---:|---:|---:|---:|"
                );
                for (kind, f) in &answers.kinds {
                    let rates = [f.answer_rate, f.citation_hit_rate, f.key_fact_recall, f.abstention_recall];
                    let cells: Vec<String> = rates.iter().map(|v| format_value("", v.as_ref())).collect();
                    let _ = writeln!(
                        md,
                        "| {kind} | {} | {} | {} |",
                        f.questions,
                        f.unanswerable,
                        cells.join(" | ")
                    );
                }
            }
        }
        md
    }
}

fn format_value(name: &str, value: Option<&f64>) -> String {
    match value {
        Some(v) if name.ends_with("_ms") => format!("{v:.1}"),
        Some(v) if name.ends_with("_questions") || name.ends_with("_parts") => format!("{v:.0}"),
        Some(v) => format!("{v:.4}"),
        None => "–".to_string(),
    }
}

/// One metric before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// `mode.metric` or `answers.metric`.
    pub metric: String,
    /// In the earlier report, if there.
    pub before: Option<f64>,
    /// In this report, if there.
    pub after: Option<f64>,
}

/// The metrics of `before` and `after`, side by side, in name order.
pub fn compare(before: &Metrics, after: &Metrics) -> Vec<Change> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|n| Change { metric: n.clone(), before: before.get(n).copied(), after: after.get(n).copied() })
        .collect()
}

/// A comparison as a text table; changes beyond 0.005 (or 5% for times) are marked.
pub fn render_changes(changes: &[Change]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<32} {:>10} {:>10} {:>10}", "metric", "before", "after", "change");
    for c in changes {
        let show = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.4}"));
        let (delta, mark) = match (c.before, c.after) {
            (Some(b), Some(a)) => {
                let notable = if c.metric.ends_with("_ms") {
                    (a - b).abs() > 0.05 * b.abs()
                } else {
                    (a - b).abs() > 0.005
                };
                (format!("{:+.4}", a - b), if notable { if a > b { " ▲" } else { " ▼" } } else { "" })
            }
            _ => (String::new(), ""),
        };
        let _ = writeln!(
            out,
            "{:<32} {:>10} {:>10} {:>10}{mark}",
            c.metric,
            show(c.before),
            show(c.after),
            delta
        );
    }
    out
}

/// A `--fail-below` floor: `METRIC=VALUE`, the metric named as in [`Report::flatten`].
#[derive(Debug, Clone, PartialEq)]
pub struct Floor {
    /// `mode.metric` or `answers.metric`.
    pub metric: String,
    /// The lowest acceptable value.
    pub min: f64,
}

impl std::str::FromStr for Floor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (metric, min) = s.split_once('=').ok_or_else(|| format!("{s:?}: expected METRIC=VALUE"))?;
        let min = min.trim().parse().map_err(|_| format!("{s:?}: {min:?} is not a number"))?;
        Ok(Floor { metric: metric.trim().to_string(), min })
    }
}

/// The floors `metrics` does not meet, as messages; an unknown metric is an error listing the
/// known ones.
pub fn check_floors(metrics: &Metrics, floors: &[Floor]) -> Result<Vec<String>, String> {
    let mut failures = Vec::new();
    for floor in floors {
        let Some(&value) = metrics.get(&floor.metric) else {
            let known: Vec<&str> = metrics.keys().map(String::as_str).collect();
            return Err(format!(
                "--fail-below: no metric {:?}; this run has {}",
                floor.metric,
                known.join(", ")
            ));
        };
        if value < floor.min {
            failures.push(format!("{} = {value:.4} is below the floor {}", floor.metric, floor.min));
        }
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(pairs: &[(&str, f64)]) -> Metrics {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn floors_parse_and_fail_below_their_value() {
        let floor: Floor = "hybrid.ndcg@10=0.7".parse().unwrap();
        assert_eq!(floor, Floor { metric: "hybrid.ndcg@10".into(), min: 0.7 });
        assert!("hybrid.ndcg@10".parse::<Floor>().is_err());
        assert!("x=high".parse::<Floor>().unwrap_err().contains("not a number"));
        let have = metrics(&[("hybrid.ndcg@10", 0.69), ("answers.token_f1", 0.5)]);
        let failures = check_floors(&have, &["hybrid.ndcg@10=0.7".parse().unwrap()]).unwrap();
        assert_eq!(failures, ["hybrid.ndcg@10 = 0.6900 is below the floor 0.7"]);
        assert!(check_floors(&have, &["answers.token_f1=0.5".parse().unwrap()]).unwrap().is_empty());
        let err = check_floors(&have, &["bm25.ndcg@10=0.1".parse().unwrap()]).unwrap_err();
        assert!(err.contains("no metric \"bm25.ndcg@10\"") && err.contains("hybrid.ndcg@10"), "{err}");
    }

    fn report_with_answers() -> Report {
        let kind = KindFigures {
            questions: 3,
            unanswerable: 1,
            answer_rate: Some(0.5),
            citation_hit_rate: Some(1.0),
            key_fact_recall: None,
            abstention_recall: Some(1.0),
        };
        Report {
            set: "messages_en".into(),
            format: "kefu".into(),
            path: "m.jsonl".into(),
            fingerprint: "f".into(),
            queries: 2,
            unjudged: 0,
            kefu: "0".into(),
            model: "m".into(),
            data_dir: "d".into(),
            config: serde_json::Value::Null,
            depth: 100,
            created_at: 0,
            modes: BTreeMap::new(),
            answers: Some(AnswerSection {
                questions: 3,
                unanswerable: 1,
                threshold: 0.3,
                calibration: None,
                metrics: metrics(&[
                    ("answer_rate", 0.5),
                    ("key_fact_recall", 0.75),
                    ("key_fact_questions", 4.0),
                ]),
                kinds: BTreeMap::from([("pinyin".to_string(), kind)]),
            }),
            per_query: Vec::new(),
        }
    }

    #[test]
    fn key_facts_and_kinds_reach_the_summary_the_floors_and_the_json() {
        let report = report_with_answers();
        let md = report.markdown();
        assert!(md.contains("| key_fact_recall | 0.7500 |"), "{md}");
        assert!(md.contains("| key_fact_questions | 4 |"), "{md}");
        assert!(md.contains("| pinyin | 3 | 1 | 0.5000 | 1.0000 | – | 1.0000 |"), "{md}");
        let flat = report.flatten();
        assert_eq!(flat.get("answers.kinds.pinyin.answer_rate"), Some(&0.5));
        assert!(!flat.contains_key("answers.kinds.pinyin.key_fact_recall"));
        let floor = ["answers.key_fact_recall=0.8".parse().unwrap()];
        assert_eq!(
            check_floors(&flat, &floor).unwrap(),
            ["answers.key_fact_recall = 0.7500 is below the floor 0.8"]
        );
        // A report written before key facts existed still reads.
        let mut json = serde_json::to_value(&report).unwrap();
        json["answers"].as_object_mut().unwrap().remove("kinds");
        let old: Report = serde_json::from_value(json).unwrap();
        assert!(old.answers.unwrap().kinds.is_empty());
    }

    #[test]
    fn comparisons_pair_metrics_by_name_and_mark_real_changes() {
        let before = metrics(&[("a.x", 0.5), ("a.gone", 1.0), ("a.latency_p50_ms", 10.0)]);
        let after = metrics(&[("a.x", 0.6), ("a.new", 0.2), ("a.latency_p50_ms", 10.2)]);
        let changes = compare(&before, &after);
        let names: Vec<&str> = changes.iter().map(|c| c.metric.as_str()).collect();
        assert_eq!(names, ["a.gone", "a.latency_p50_ms", "a.new", "a.x"]);
        assert_eq!(changes[0].after, None);
        let text = render_changes(&changes);
        assert!(
            text.lines().any(|l| l.starts_with("a.x") && l.contains("+0.1000") && l.ends_with('▲')),
            "{text}"
        );
        assert!(text.lines().any(|l| l.starts_with("a.latency_p50_ms") && !l.contains('▲')), "{text}");
    }
}
