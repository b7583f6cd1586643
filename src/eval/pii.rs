//! Redaction measured on a labelled set of messages (`kefu eval-pii`, docs/privacy.md): per
//! kind, the share of labelled values redacted whole as that kind (recall) and the share of
//! redactions that are labelled values of their kind (precision); how many labelled values any
//! redaction covers (leaks are the rest); and whether the strings that must survive (order
//! numbers, product codes, prices) do. Pure: the caller reads the file and times the run.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::report::Metrics;
use super::sets::{dataset, dataset_line, lines, parse_line};
use crate::Result;
use crate::privacy::{Found, Kind, Redactor};

/// Most errors listed in a report.
const LISTED_ERRORS: usize = 40;

/// One labelled message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiiCase {
    /// Stable identifier.
    pub id: String,
    /// `en` or `zh`.
    pub locale: String,
    /// The message as a customer typed it.
    pub text: String,
    /// The personal data in it: each value redacted wherever it occurs in the text.
    #[serde(default)]
    pub pii: Vec<Labelled>,
    /// Strings that must survive redaction (order numbers, product codes, prices, dates).
    #[serde(default)]
    pub keep: Vec<String>,
    /// `dev` (written while the rules were) or `test` (written after them, never tuned on).
    #[serde(default)]
    pub split: Option<String>,
}

/// A labelled value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    /// What it is.
    pub kind: Kind,
    /// Exactly as it appears in the text.
    pub value: String,
}

/// One kind's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct KindFigures {
    /// Labelled values (each occurrence counts).
    pub labelled: usize,
    /// Labelled values redacted whole, as their kind.
    pub caught: usize,
    /// Redactions made.
    pub redactions: usize,
    /// Redactions that overlap a labelled value of their kind.
    pub correct: usize,
}

impl KindFigures {
    /// Share of redactions that are right (1 when there are none).
    pub fn precision(&self) -> f64 {
        if self.redactions == 0 { 1.0 } else { self.correct as f64 / self.redactions as f64 }
    }

    /// Share of labelled values redacted whole (1 when there are none).
    pub fn recall(&self) -> f64 {
        if self.labelled == 0 { 1.0 } else { self.caught as f64 / self.labelled as f64 }
    }

    fn add(&mut self, other: &KindFigures) {
        self.labelled += other.labelled;
        self.caught += other.caught;
        self.redactions += other.redactions;
        self.correct += other.correct;
    }
}

/// What went wrong on one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PiiError {
    /// The message.
    pub id: String,
    /// `missed`, `partly redacted`, `redacted as another kind`, `false positive` or `not kept`.
    pub problem: &'static str,
    /// The kind labelled or found (none for `not kept`).
    pub kind: Option<Kind>,
    /// The text concerned.
    pub value: String,
}

/// The figures of a set.
#[derive(Debug, Clone, Serialize)]
pub struct PiiReport {
    /// Messages in the set.
    pub messages: usize,
    /// Messages with no labelled value.
    pub messages_without_pii: usize,
    /// Figures per kind redacted (by name), and `all` of them.
    pub kinds: BTreeMap<String, KindFigures>,
    /// Labelled values no redaction covers whole.
    pub leaked: usize,
    /// Strings that must survive, and how many did.
    pub keep: usize,
    /// How many of them are still in the redacted text.
    pub kept: usize,
    /// Time to redact one message, in microseconds (set by the caller that timed it).
    pub micros_per_message: Option<f64>,
    /// The first errors, for reading.
    pub errors: Vec<PiiError>,
}

/// Reads a set: one JSON object per line. Every labelled value and every string to keep must
/// occur in its message; ids are unique.
pub fn parse_set(path: &Path, text: &str) -> Result<Vec<PiiCase>> {
    let mut cases = Vec::new();
    let mut ids = HashSet::new();
    for (n, line) in lines(text) {
        let case: PiiCase = parse_line(path, n, line)?;
        if !ids.insert(case.id.clone()) {
            return Err(dataset_line(path, n, &format!("duplicate id {:?}", case.id)));
        }
        let absent = case
            .pii
            .iter()
            .map(|l| &l.value)
            .chain(&case.keep)
            .find(|v| v.is_empty() || !case.text.contains(*v));
        if let Some(value) = absent {
            return Err(dataset_line(path, n, &format!("{:?} is not in the text", value)));
        }
        cases.push(case);
    }
    if cases.is_empty() {
        return Err(dataset(path, "no messages"));
    }
    Ok(cases)
}

/// Redacts every message of `cases` with `redactor` and scores it. Kinds the redactor does not
/// redact are left out of the figures.
pub fn evaluate(cases: &[PiiCase], redactor: &Redactor) -> PiiReport {
    let mut kinds: BTreeMap<Kind, KindFigures> =
        Kind::ALL.into_iter().filter(|&k| redactor.redacts(k)).map(|k| (k, KindFigures::default())).collect();
    let mut report = PiiReport {
        messages: cases.len(),
        messages_without_pii: cases.iter().filter(|c| c.pii.is_empty()).count(),
        kinds: BTreeMap::new(),
        leaked: 0,
        keep: 0,
        kept: 0,
        micros_per_message: None,
        errors: Vec::new(),
    };
    let mut errors = Vec::new();
    for case in cases {
        let redacted = redactor.redact(&case.text);
        let labelled: Vec<(Kind, Range<usize>)> = case
            .pii
            .iter()
            .filter(|l| redactor.redacts(l.kind))
            .flat_map(|l| case.text.match_indices(&l.value).map(move |(i, v)| (l.kind, i..i + v.len())))
            .collect();
        let error = |problem, kind, span: &Range<usize>| PiiError {
            id: case.id.clone(),
            problem,
            kind,
            value: case.text[span.clone()].to_string(),
        };
        for (kind, span) in &labelled {
            let figures = kinds.entry(*kind).or_default();
            figures.labelled += 1;
            let covering = redacted.found.iter().find(|f| covers(f, span));
            match covering {
                Some(f) if f.kind == *kind => figures.caught += 1,
                Some(_) => errors.push(error("redacted as another kind", Some(*kind), span)),
                None => {
                    report.leaked += 1;
                    let partly = redacted.found.iter().any(|f| overlaps(&f.span, span));
                    errors.push(error(if partly { "partly redacted" } else { "missed" }, Some(*kind), span));
                }
            }
        }
        for found in &redacted.found {
            let figures = kinds.entry(found.kind).or_default();
            figures.redactions += 1;
            if labelled.iter().any(|(k, s)| *k == found.kind && overlaps(s, &found.span)) {
                figures.correct += 1;
            } else if !labelled.iter().any(|(_, s)| overlaps(s, &found.span)) {
                errors.push(error("false positive", Some(found.kind), &found.span));
            }
        }
        for keep in &case.keep {
            report.keep += 1;
            if redacted.text.contains(keep.as_str()) {
                report.kept += 1;
            } else {
                errors.push(PiiError {
                    id: case.id.clone(),
                    problem: "not kept",
                    kind: None,
                    value: keep.clone(),
                });
            }
        }
    }
    let mut all = KindFigures::default();
    for (kind, figures) in &kinds {
        all.add(figures);
        report.kinds.insert(kind.name().to_string(), *figures);
    }
    report.kinds.insert("all".to_string(), all);
    errors.truncate(LISTED_ERRORS);
    report.errors = errors;
    report
}

fn covers(found: &Found, span: &Range<usize>) -> bool {
    found.span.start <= span.start && span.end <= found.span.end
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

impl PiiReport {
    /// The figures floors are checked against: `KIND.precision`, `KIND.recall` (and `all.…`),
    /// `leak_free` (share of labelled values some redaction covers) and `kept`.
    pub fn metrics(&self) -> Metrics {
        let mut metrics = Metrics::new();
        for (kind, figures) in &self.kinds {
            metrics.insert(format!("{kind}.precision"), figures.precision());
            metrics.insert(format!("{kind}.recall"), figures.recall());
        }
        let labelled = self.kinds.get("all").map_or(0, |f| f.labelled);
        let leak_free = if labelled == 0 { 1.0 } else { 1.0 - self.leaked as f64 / labelled as f64 };
        metrics.insert("leak_free".into(), leak_free);
        metrics.insert("kept".into(), if self.keep == 0 { 1.0 } else { self.kept as f64 / self.keep as f64 });
        metrics
    }

    /// The report as Markdown: the table, then the errors.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "{} messages ({} without personal data)\n\n| kind | labelled | caught | recall | redactions | correct | precision |\n|---|---:|---:|---:|---:|---:|---:|\n",
            self.messages, self.messages_without_pii
        );
        for (kind, f) in &self.kinds {
            out.push_str(&format!(
                "| {kind} | {} | {} | {:.3} | {} | {} | {:.3} |\n",
                f.labelled,
                f.caught,
                f.recall(),
                f.redactions,
                f.correct,
                f.precision()
            ));
        }
        out.push_str(&format!(
            "\nleaked (no redaction covers the value whole): {}\nkept (order numbers, codes, prices that must survive): {}/{}\n",
            self.leaked, self.kept, self.keep
        ));
        if let Some(micros) = self.micros_per_message {
            out.push_str(&format!("cost: {micros:.1} µs per message\n"));
        }
        if !self.errors.is_empty() {
            out.push_str("\nerrors:\n");
            for e in &self.errors {
                let kind = e.kind.map_or(String::new(), |k| format!(" {}", k.name()));
                out.push_str(&format!("- {}: {}{kind}: {}\n", e.id, e.problem, e.value));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, text: &str, pii: &[(Kind, &str)], keep: &[&str]) -> PiiCase {
        PiiCase {
            id: id.into(),
            locale: "en".into(),
            text: text.into(),
            pii: pii.iter().map(|(kind, value)| Labelled { kind: *kind, value: value.to_string() }).collect(),
            keep: keep.iter().map(|s| s.to_string()).collect(),
            split: None,
        }
    }

    #[test]
    fn recall_precision_leaks_and_kept_strings_are_counted() {
        let cases = [
            // Caught.
            case(
                "a",
                "mail a.b@example.com, order 2025111207781",
                &[(Kind::Email, "a.b@example.com")],
                &["2025111207781"],
            ),
            // Missed: an e-mail written out in words.
            case("b", "jane at gmail dot com", &[(Kind::Email, "jane at gmail dot com")], &[]),
            // A redaction nobody labelled.
            case("c", "call 07700 900123", &[], &[]),
        ];
        let report = evaluate(&cases, &Redactor::default());
        assert_eq!(report.kinds["email"], KindFigures { labelled: 2, caught: 1, redactions: 1, correct: 1 });
        assert_eq!(report.kinds["phone"], KindFigures { labelled: 0, caught: 0, redactions: 1, correct: 0 });
        assert_eq!(report.kinds["all"].precision(), 0.5);
        assert_eq!(report.leaked, 1);
        assert_eq!((report.kept, report.keep), (1, 1));
        let metrics = report.metrics();
        assert_eq!(metrics["email.recall"], 0.5);
        assert_eq!(metrics["leak_free"], 0.5);
        let problems: Vec<(&str, &str)> = report.errors.iter().map(|e| (e.id.as_str(), e.problem)).collect();
        assert_eq!(problems, [("b", "missed"), ("c", "false positive")]);
        // A kind switched off is left out.
        let report = evaluate(&cases, &Redactor::new(&[Kind::Email]));
        assert!(!report.kinds.contains_key("phone") && report.errors.len() == 1);
    }

    #[test]
    fn a_labelled_value_must_be_in_its_message() {
        let path = Path::new("pii.jsonl");
        let good = r#"{"id": "x", "locale": "en", "text": "mail a@b.com", "pii": [{"kind": "email", "value": "a@b.com"}]}"#;
        assert_eq!(parse_set(path, good).unwrap().len(), 1);
        let bad = good.replace("\"value\": \"a@b.com\"", "\"value\": \"c@d.com\"");
        assert!(parse_set(path, &bad).unwrap_err().to_string().contains("c@d.com"));
        let twice = format!("{good}\n{good}\n");
        assert!(parse_set(path, &twice).unwrap_err().to_string().contains("duplicate id"));
        let unknown = good.replace("email", "passport");
        assert!(parse_set(path, &unknown).unwrap_err().to_string().contains("passport"));
    }
}
