//! Curated answers measured (`kefu eval-curated`, docs/curated.md): curate the answers of one
//! half of a set of questions the help center does not answer, then ask paraphrases of them (each
//! should get its own curated answer) and questions no curated answer is for (the other half,
//! near misses, every answerable question of the same eval sets: none should be captured). The
//! caller answers every probe once with the threshold at 0 and records each one's best curated
//! match; the figures at any threshold follow from those scores. Pure.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::report::Metrics;
use super::sets::{dataset, dataset_line, lines, parse_line};
use crate::Result;

/// Thresholds the report sweeps, in hundredths.
const SWEEP: std::ops::RangeInclusive<u32> = 80..=98;

/// One question the help center does not answer, with what a curated answer would say.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CuratedCase {
    /// Stable identifier.
    pub id: String,
    /// The eval question it comes from.
    pub source_id: String,
    /// The eval set file it comes from (beside this one), whose answerable questions are probes.
    pub source_set: String,
    /// `en` or `zh`.
    pub locale: String,
    /// The question, as in its eval set.
    pub question: String,
    /// Other customers asking the same thing.
    pub paraphrases: Vec<String>,
    /// What the curated answer says.
    pub answer: String,
    /// `dev` or `test`.
    pub split: String,
    /// Questions sharing words with it that ask something else.
    pub negatives: Vec<String>,
}

/// Reads a set: one JSON object per line, ids unique, each case with paraphrases.
pub fn parse_set(path: &Path, text: &str) -> Result<Vec<CuratedCase>> {
    let mut cases = Vec::new();
    let mut ids = HashSet::new();
    for (n, line) in lines(text) {
        let case: CuratedCase = parse_line(path, n, line)?;
        if !ids.insert(case.id.clone()) {
            return Err(dataset_line(path, n, &format!("duplicate id {:?}", case.id)));
        }
        if case.paraphrases.is_empty() || case.answer.trim().is_empty() {
            return Err(dataset_line(path, n, "a case needs paraphrases and an answer"));
        }
        cases.push(case);
    }
    if cases.is_empty() {
        return Err(dataset(path, "no cases"));
    }
    Ok(cases)
}

/// What a probe is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// A paraphrase of a curated question: its curated answer should answer it.
    Paraphrase,
    /// A question (or paraphrase) of the half not curated: nothing should.
    Uncurated,
    /// A near miss of any case: nothing should.
    Negative,
    /// A question the help center answers: nothing should.
    Answerable,
}

/// A question asked, and the best curated match it got.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// What it is.
    pub kind: ProbeKind,
    /// The message.
    pub text: String,
    /// The curated answer that should answer it (paraphrases).
    pub target: Option<String>,
    /// The curated answer it matched best, and how closely (none: nothing in its language).
    pub matched: Option<(String, f32)>,
    /// Its similarity to that answer read as a passage.
    pub passage_score: f32,
    /// Its similarity to the help center's closest passage.
    pub help_center_score: f32,
    /// The curated answer the configured answerer's answer cites (outright or as a passage
    /// among the help center's).
    pub cited: Option<String>,
    /// Whether it cites it as a passage among the help center's (not outright).
    pub cited_as_passage: bool,
    /// Whether that answer also cites the help center.
    pub cited_help_center: bool,
}

/// The two tests a curated answer must pass (`answer.curated_threshold`, `answer.curated_margin`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Gate {
    /// Least similarity to an example question.
    pub threshold: f32,
    /// Least lead of the curated answer's passage similarity over the help center's.
    pub margin: f32,
}

impl Probe {
    /// Whether a curated answer answers it through `gate`.
    fn captured(&self, gate: Gate) -> bool {
        self.matched.as_ref().is_some_and(|(_, score)| *score >= gate.threshold)
            && self.passage_score - self.help_center_score >= gate.margin
    }

    /// Whether its own curated answer answers it through `gate`.
    fn answered_right(&self, gate: Gate) -> bool {
        self.captured(gate) && self.matched.as_ref().map(|(id, _)| id) == self.target.as_ref()
    }
}

/// The figures at one threshold.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ThresholdRow {
    /// The threshold (at the configured margin).
    pub threshold: f32,
    /// Share of paraphrases answered by their own curated answer.
    pub paraphrase_recall: f64,
    /// Paraphrases answered by another curated answer.
    pub wrong_answer: usize,
    /// Uncurated questions, near misses and answerable questions captured.
    pub uncurated_captured: usize,
    /// Near misses captured.
    pub negatives_captured: usize,
    /// Answerable questions captured.
    pub answerable_captured: usize,
}

/// The figures of the configured answerer, end to end: a curated answer given outright or
/// quoted as a passage among the help center's.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct EndToEnd {
    /// Share of paraphrases whose answer cites their own curated answer.
    pub paraphrase_recall: f64,
    /// Of those, cited as a passage among the help center's (not outright).
    pub as_passage: usize,
    /// Paraphrases whose answer cites another curated answer.
    pub wrong_answer: usize,
    /// Questions of the other half whose answer cites a curated answer.
    pub uncurated_captured: usize,
    /// Near misses whose answer cites one.
    pub negatives_captured: usize,
    /// Answerable questions answered by a curated answer alone (the help center displaced).
    pub answerable_captured: usize,
    /// Answerable questions whose answer quotes a curated answer beside the help center.
    pub answerable_beside: usize,
}

impl EndToEnd {
    /// The end-to-end figures of `probes`.
    pub fn of(probes: &[Probe]) -> EndToEnd {
        let of = |kind: ProbeKind| probes.iter().filter(move |p| p.kind == kind);
        let right: Vec<&Probe> =
            of(ProbeKind::Paraphrase).filter(|p| p.cited.is_some() && p.cited == p.target).collect();
        let paraphrases = of(ProbeKind::Paraphrase).count();
        let captured = |kind: ProbeKind| of(kind).filter(|p| p.cited.is_some()).count();
        EndToEnd {
            paraphrase_recall: if paraphrases == 0 { 0.0 } else { right.len() as f64 / paraphrases as f64 },
            as_passage: right.iter().filter(|p| p.cited_as_passage).count(),
            wrong_answer: of(ProbeKind::Paraphrase)
                .filter(|p| p.cited.is_some() && p.cited != p.target)
                .count(),
            uncurated_captured: captured(ProbeKind::Uncurated),
            negatives_captured: captured(ProbeKind::Negative),
            answerable_captured: of(ProbeKind::Answerable)
                .filter(|p| p.cited.is_some() && !p.cited_help_center)
                .count(),
            answerable_beside: of(ProbeKind::Answerable)
                .filter(|p| p.cited.is_some() && p.cited_help_center)
                .count(),
        }
    }
}

/// What `kefu eval-curated` reports.
#[derive(Debug, Clone, Serialize)]
pub struct CuratedReport {
    /// The half curated.
    pub split: String,
    /// The gate configured (`answer.curated_threshold`, `answer.curated_margin`).
    pub gate: Gate,
    /// Probes of each kind.
    pub paraphrases: usize,
    /// Questions of the other half.
    pub uncurated: usize,
    /// Near misses.
    pub negatives: usize,
    /// Answerable questions.
    pub answerable: usize,
    /// The figures through the configured gate.
    pub at_threshold: ThresholdRow,
    /// The configured answerer's figures, curated answers as passages included.
    pub end_to_end: EndToEnd,
    /// The figures at each threshold of the sweep, at the configured margin.
    pub sweep: Vec<ThresholdRow>,
    /// The lowest threshold of the sweep at which no answerable question and no near miss is
    /// captured (none when every one captures some).
    pub safe_threshold: Option<f32>,
    /// Probes answered wrongly at the configured threshold, for reading.
    pub errors: Vec<Probe>,
    /// Every probe (in the JSON report), for fitting.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<Probe>,
}

/// The figures of `probes` through `gate`.
pub fn at(probes: &[Probe], gate: Gate) -> ThresholdRow {
    let of = |kind: ProbeKind| probes.iter().filter(move |p| p.kind == kind);
    let paraphrases = of(ProbeKind::Paraphrase).count();
    let right = of(ProbeKind::Paraphrase).filter(|p| p.answered_right(gate)).count();
    let captured = |kind: ProbeKind| of(kind).filter(|p| p.captured(gate)).count();
    ThresholdRow {
        threshold: gate.threshold,
        paraphrase_recall: if paraphrases == 0 { 0.0 } else { right as f64 / paraphrases as f64 },
        wrong_answer: of(ProbeKind::Paraphrase)
            .filter(|p| p.captured(gate) && !p.answered_right(gate))
            .count(),
        uncurated_captured: captured(ProbeKind::Uncurated),
        negatives_captured: captured(ProbeKind::Negative),
        answerable_captured: captured(ProbeKind::Answerable),
    }
}

/// The report of `probes` for the `split` half, through `gate` and across the sweep.
pub fn report(split: &str, probes: &[Probe], gate: Gate) -> CuratedReport {
    let sweep: Vec<ThresholdRow> =
        SWEEP.map(|t| at(probes, Gate { threshold: t as f32 / 100.0, ..gate })).collect();
    let safe_threshold = sweep
        .iter()
        .find(|row| row.answerable_captured == 0 && row.negatives_captured == 0)
        .map(|row| row.threshold);
    let count = |kind: ProbeKind| probes.iter().filter(|p| p.kind == kind).count();
    let errors = probes
        .iter()
        .filter(|p| match p.kind {
            ProbeKind::Paraphrase => !p.answered_right(gate),
            _ => p.captured(gate),
        })
        .cloned()
        .collect();
    CuratedReport {
        split: split.to_string(),
        gate,
        paraphrases: count(ProbeKind::Paraphrase),
        uncurated: count(ProbeKind::Uncurated),
        negatives: count(ProbeKind::Negative),
        answerable: count(ProbeKind::Answerable),
        at_threshold: at(probes, gate),
        end_to_end: EndToEnd::of(probes),
        sweep,
        safe_threshold,
        errors,
        probes: probes.to_vec(),
    }
}

impl CuratedReport {
    /// Metrics for `--fail-below`: `paraphrase_recall`, and `answerable_kept`, `negatives_kept`,
    /// `uncurated_kept` (the share of those not captured).
    pub fn metrics(&self) -> Metrics {
        let row = &self.at_threshold;
        let kept = |captured: usize, of: usize| if of == 0 { 1.0 } else { 1.0 - captured as f64 / of as f64 };
        Metrics::from([
            ("paraphrase_recall".to_string(), row.paraphrase_recall),
            ("answerable_kept".to_string(), kept(row.answerable_captured, self.answerable)),
            ("negatives_kept".to_string(), kept(row.negatives_captured, self.negatives)),
            ("uncurated_kept".to_string(), kept(row.uncurated_captured, self.uncurated)),
            ("end_to_end.paraphrase_recall".to_string(), self.end_to_end.paraphrase_recall),
            (
                "end_to_end.answerable_kept".to_string(),
                kept(self.end_to_end.answerable_captured, self.answerable),
            ),
            (
                "end_to_end.negatives_kept".to_string(),
                kept(self.end_to_end.negatives_captured, self.negatives),
            ),
            (
                "end_to_end.uncurated_kept".to_string(),
                kept(self.end_to_end.uncurated_captured, self.uncurated),
            ),
        ])
    }

    /// The report as Markdown: the configured threshold, the sweep, the errors.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# Curated answers: the {} half curated (margin {:.3})\n\n{} paraphrases of curated questions, {} questions of the other half, \
             {} near misses, {} answerable questions.\n\n| threshold | paraphrases answered | by another curated answer | \
             uncurated captured | near misses captured | answerable captured |\n|---:|---:|---:|---:|---:|---:|\n",
            self.split, self.gate.margin, self.paraphrases, self.uncurated, self.negatives, self.answerable
        );
        for row in std::iter::once(&self.at_threshold).chain(&self.sweep) {
            let marker = if std::ptr::eq(row, &self.at_threshold) { " (configured)" } else { "" };
            out.push_str(&format!(
                "| {:.2}{marker} | {:.3} | {} | {} | {} | {} |\n",
                row.threshold,
                row.paraphrase_recall,
                row.wrong_answer,
                row.uncurated_captured,
                row.negatives_captured,
                row.answerable_captured
            ));
        }
        let e = &self.end_to_end;
        out.push_str(&format!(
            "\nEnd to end (the configured answerer, curated answers also taking part as passages): paraphrases answered \
             {:.3} ({} of them quoting it as a passage), by another curated answer {}, uncurated captured {}, near misses \
             captured {}, answerable captured {} (and {} quoting a curated answer beside the help center)\n",
            e.paraphrase_recall,
            e.as_passage,
            e.wrong_answer,
            e.uncurated_captured,
            e.negatives_captured,
            e.answerable_captured,
            e.answerable_beside
        ));
        match self.safe_threshold {
            Some(t) => out.push_str(&format!(
                "\nLowest threshold capturing no near miss or answerable question: {t:.2}\n"
            )),
            None => out
                .push_str("\nEvery threshold of the sweep captures a near miss or an answerable question.\n"),
        }
        if !self.errors.is_empty() {
            out.push_str(&format!("\n## At {:.2}\n\n", self.gate.threshold));
            for probe in &self.errors {
                let matched = probe.matched.as_ref().map_or("nothing".into(), |(id, s)| {
                    let lead = probe.passage_score - probe.help_center_score;
                    format!("{id} (question {s:.3}, lead over the help center {lead:+.3})")
                });
                out.push_str(&format!("- {:?}: {:?} → {matched}\n", probe.kind, probe.text));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(kind: ProbeKind, target: Option<&str>, matched: Option<(&str, f32)>) -> Probe {
        Probe {
            kind,
            text: String::new(),
            target: target.map(String::from),
            matched: matched.map(|(id, s)| (id.to_string(), s)),
            passage_score: 0.0,
            help_center_score: 0.0,
            cited: None,
            cited_as_passage: false,
            cited_help_center: false,
        }
    }

    #[test]
    fn figures_follow_the_threshold() {
        let probes = [
            probe(ProbeKind::Paraphrase, Some("a"), Some(("a", 0.95))),
            probe(ProbeKind::Paraphrase, Some("a"), Some(("a", 0.85))),
            probe(ProbeKind::Paraphrase, Some("b"), Some(("a", 0.93))),
            probe(ProbeKind::Answerable, None, Some(("a", 0.88))),
            probe(ProbeKind::Negative, None, Some(("b", 0.82))),
            probe(ProbeKind::Uncurated, None, None),
        ];
        let gate = |threshold| Gate { threshold, margin: 0.0 };
        let low = at(&probes, gate(0.80));
        assert!((low.paraphrase_recall - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!((low.wrong_answer, low.answerable_captured, low.negatives_captured), (1, 1, 1));
        let high = at(&probes, gate(0.90));
        assert!((high.paraphrase_recall - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!((high.wrong_answer, high.answerable_captured, high.negatives_captured), (1, 0, 0));
        let report = report("dev", &probes, gate(0.9));
        assert_eq!(report.safe_threshold, Some(0.89));
        assert_eq!(report.metrics()["answerable_kept"], 1.0);
        assert_eq!(report.errors.len(), 2, "the paraphrase below it and the one answered wrongly");
        assert!(report.markdown().contains("| 0.90 (configured) | 0.333 | 1 | 0 | 0 | 0 |"));
    }

    #[test]
    fn end_to_end_counts_what_the_answers_cite() {
        let cited = |kind, target: Option<&str>, cited: Option<&str>, as_passage| Probe {
            cited: cited.map(String::from),
            cited_as_passage: as_passage,
            cited_help_center: as_passage,
            ..probe(kind, target, None)
        };
        let probes = [
            cited(ProbeKind::Paraphrase, Some("a"), Some("a"), false),
            cited(ProbeKind::Paraphrase, Some("a"), Some("a"), true),
            cited(ProbeKind::Paraphrase, Some("b"), Some("a"), true),
            cited(ProbeKind::Paraphrase, Some("b"), None, false),
            cited(ProbeKind::Answerable, None, Some("b"), true),
            cited(ProbeKind::Answerable, None, Some("b"), false),
            cited(ProbeKind::Answerable, None, None, false),
            cited(ProbeKind::Negative, None, None, false),
        ];
        let e = EndToEnd::of(&probes);
        assert!((e.paraphrase_recall - 0.5).abs() < 1e-9);
        assert_eq!((e.as_passage, e.wrong_answer, e.negatives_captured), (1, 1, 0));
        // One answer is the curated answer alone, one quotes it beside the help center.
        assert_eq!((e.answerable_captured, e.answerable_beside), (1, 1));
        let report = report("dev", &probes, Gate { threshold: 0.9, margin: 0.0 });
        assert!((report.metrics()["end_to_end.answerable_kept"] - 2.0 / 3.0).abs() < 1e-9);
        assert!(report.markdown().contains("paraphrases answered 0.500 (1 of them quoting it as a passage)"));
    }
}
