//! How well the insights group questions into topics (`kefu eval-topics`): questions answered
//! by the same document, or paraphrases of one curated case, should share a topic, and others
//! should not. Reports purity and the adjusted Rand index for each threshold swept, so the
//! threshold is chosen by measurement (on the dev half) rather than guessed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::curated::parse_set;
use super::sets::{self, LabelledQuery};
use crate::config::Config;
use crate::embed::Embedder;
use crate::insights::topics::{self, GroupingQuality};
use crate::{Error, Result};

/// The grouping of one set at one threshold.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdRow {
    /// Cosine similarity a question needs to join a topic.
    pub threshold: f32,
    /// Purity, adjusted Rand index, groups made.
    #[serde(flatten)]
    pub quality: GroupingQuality,
}

/// One set's grouping across thresholds.
#[derive(Debug, Clone, Serialize)]
pub struct SetGrouping {
    /// The set's name.
    pub name: String,
    /// The part measured (`dev`, `test`, `all`).
    pub split: String,
    /// Questions grouped.
    pub questions: usize,
    /// One row per threshold.
    pub rows: Vec<ThresholdRow>,
}

/// What `kefu eval-topics` reports.
#[derive(Debug, Clone, Serialize)]
pub struct TopicsReport {
    /// The embedding model.
    pub model: String,
    /// The sets.
    pub sets: Vec<SetGrouping>,
    /// The threshold with the best mean adjusted Rand index over the sets.
    pub best_threshold: f32,
}

impl TopicsReport {
    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# Topic grouping ({})\n\n", self.model);
        for set in &self.sets {
            let _ = writeln!(out, "## {} ({}, {} questions)\n", set.name, set.split, set.questions);
            let _ =
                writeln!(out, "| threshold | purity | ARI | groups | gold groups |\n|---|---|---|---|---|");
            for row in &set.rows {
                let q = &row.quality;
                let _ = writeln!(
                    out,
                    "| {:.2} | {:.3} | {:.3} | {} | {} |",
                    row.threshold, q.purity, q.adjusted_rand_index, q.groups, q.labels
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "Best mean ARI at threshold {:.2}.", self.best_threshold);
        out
    }
}

/// Groups the questions of each set at each threshold and compares with their gold groups.
/// `split` is `dev`, `test` or `all`; `limit` keeps the first questions of a large set.
pub fn evaluate_topics(
    config: &Config,
    paths: &[PathBuf],
    thresholds: &[f32],
    split: &str,
    limit: usize,
) -> Result<TopicsReport> {
    if !matches!(split, "dev" | "test" | "all") {
        return Err(Error::InvalidRequest(format!("--split: {split:?} is not dev, test or all")));
    }
    let embedder = Embedder::load(config)?;
    let mut sets = Vec::new();
    for path in paths {
        let mut items = labelled_questions(path, split)?;
        items.truncate(limit);
        let (texts, labels): (Vec<String>, Vec<String>) = items.into_iter().unzip();
        let vectors = embedder.embed_questions(&texts, |_| {})?;
        let rows = thresholds
            .iter()
            .map(|&threshold| ThresholdRow {
                threshold,
                quality: topics::grouping_quality(&topics::group(&texts, &vectors, threshold), &labels),
            })
            .collect();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("set").to_string();
        sets.push(SetGrouping { name, split: split.to_string(), questions: texts.len(), rows });
    }
    let mean_ari =
        |i: usize| sets.iter().map(|s: &SetGrouping| s.rows[i].quality.adjusted_rand_index).sum::<f64>();
    let best = (0..thresholds.len()).max_by(|&a, &b| mean_ari(a).total_cmp(&mean_ari(b))).unwrap_or(0);
    Ok(TopicsReport {
        model: embedder.spec().name.clone(),
        best_threshold: thresholds.get(best).copied().unwrap_or(topics::DEFAULT_THRESHOLD),
        sets,
    })
}

/// The questions of a set with their gold group: the paraphrases of one case (a curated set),
/// or the document that answers them (a kefu or BEIR set; unanswerable questions left out).
fn labelled_questions(path: &Path, split: &str) -> Result<Vec<(String, String)>> {
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
        if text.lines().next().is_some_and(|line| line.contains("\"paraphrases\"")) {
            return Ok(parse_set(path, &text)?
                .into_iter()
                .filter(|case| split == "all" || case.split == split)
                .flat_map(|case| {
                    let id = case.id.clone();
                    std::iter::once(case.question).chain(case.paraphrases).map(move |q| (q, id.clone()))
                })
                .collect());
        }
    }
    let set = sets::load(path)?;
    let (dev, test) = set.calibration_split();
    let queries: Vec<LabelledQuery> = match split {
        "dev" => dev,
        "test" => test,
        _ => dev.into_iter().chain(test).collect(),
    };
    Ok(queries
        .into_iter()
        .filter_map(|q| {
            let gold =
                q.relevant.iter().filter(|(_, g)| **g > 0).max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
            Some((q.text.clone(), gold.0.clone()))
        })
        .collect())
}
