//! Fusion: combining the results of several retrievers into one ranking. Pure functions.
//!
//! Two methods. Reciprocal rank fusion uses ranks only. The convex combination also uses how
//! far apart the scores are, so a retriever that is sure (one result far above the rest) is
//! not outvoted by one that is not — which is what rank fusion does to a dense retriever on
//! paraphrased FAQ questions (see docs/evaluation.md).

use std::collections::HashMap;

/// One retriever's ranking, best first, and its weight in the fusion.
#[derive(Debug, Clone, Copy)]
pub struct Ranking<'a> {
    /// Ids, best first.
    pub ids: &'a [String],
    /// Weight; 0 leaves the ranking out.
    pub weight: f32,
}

/// Weighted reciprocal rank fusion: `score(d) = Σ weight_i / (k + rank_i(d))`, ranks from 1.
///
/// Documents a ranking does not contain get nothing from it. Ties are broken by the best rank the
/// document reached in any ranking, then by id, so the output is deterministic.
pub fn reciprocal_rank_fusion(rankings: &[Ranking], k: f32) -> Vec<(String, f32)> {
    let mut fused: HashMap<&str, (f32, usize)> = HashMap::new();
    for ranking in rankings.iter().filter(|r| r.weight > 0.0) {
        for (i, id) in ranking.ids.iter().enumerate() {
            let entry = fused.entry(id.as_str()).or_insert((0.0, usize::MAX));
            entry.0 += ranking.weight / (k + (i + 1) as f32);
            entry.1 = entry.1.min(i);
        }
    }
    ranked(fused.into_iter().map(|(id, (score, best))| (id, score, best)).collect())
}

/// How a retriever's scores are put on a common scale before they are combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Divided by the list's best score: for BM25, whose scores are unbounded and depend on
    /// the query's words.
    ByBest,
    /// Mapped linearly from a fixed `[low, high]` to `[0, 1]` (values outside stay outside):
    /// for cosine similarity, which means the same across queries but not across models (see
    /// [`crate::embed::ModelSpec::similarity_range`]).
    Range([f32; 2]),
}

/// One retriever's results with their scores, best first (the first is the best score, the last
/// the lowest), and its weight in the combination.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    /// (id, score), best first.
    pub hits: &'a [(String, f32)],
    /// Weight; 0 leaves the list out.
    pub weight: f32,
    /// How its scores are scaled.
    pub scale: Scale,
    /// The list holds every document that scores at all (BM25 found fewer than it was asked
    /// for): one missing from it scored nothing, not the list's lowest score.
    pub complete: bool,
}

/// Convex combination of scaled scores: `score(d) = Σ weight_i · scaled_i(d)`.
///
/// A document missing from a list gets that list's lowest scaled score: it ranked below
/// everything the list returned, so that is the most it can have scored; from a
/// [complete](Scored::complete) list, the scale's zero ("spanish", a word one passage of the
/// help center holds, lifts that passage above those without it). Ties are broken by the
/// best rank the document reached in any list, then by id.
pub fn convex_combination(lists: &[Scored]) -> Vec<(String, f32)> {
    let mut fused: HashMap<&str, (f32, usize)> = HashMap::new();
    // Every document starts with each list's floor (as if missing from all of them) and gains
    // what a list scores it above that floor.
    let mut floor = 0.0;
    for list in lists.iter().filter(|l| l.weight > 0.0) {
        let (Some((offset, divisor)), Some(&(_, last))) = (scaling(list), list.hits.last()) else {
            continue;
        };
        let lowest = if list.complete { offset } else { last };
        floor += list.weight * (lowest - offset) / divisor;
        for (i, (id, score)) in list.hits.iter().enumerate() {
            let entry = fused.entry(id.as_str()).or_insert((0.0, usize::MAX));
            entry.0 += list.weight * (score - lowest) / divisor;
            entry.1 = entry.1.min(i);
        }
    }
    ranked(fused.into_iter().map(|(id, (gain, best))| (id, floor + gain, best)).collect())
}

/// `(offset, divisor)` that put a list's scores on its scale: `(score - offset) / divisor`.
fn scaling(list: &Scored) -> Option<(f32, f32)> {
    let (_, best) = list.hits.first()?;
    Some(match list.scale {
        Scale::ByBest if *best > 0.0 => (0.0, *best),
        Scale::ByBest => (0.0, 1.0),
        Scale::Range([low, high]) => (low, (high - low).max(f32::EPSILON)),
    })
}

/// Results after the first that [`sureness`] compares it with.
const SURENESS_DEPTH: usize = 10;

/// How sure a retriever is of its first result for this question: how far its scaled score
/// stands above the mean of the next [`SURENESS_DEPTH`], from 0 (level) to 1.
pub fn sureness(list: &Scored) -> f32 {
    let Some((offset, divisor)) = scaling(list) else { return 0.0 };
    let scaled = |score: f32| ((score - offset) / divisor).clamp(0.0, 1.0);
    let next: Vec<f32> = list.hits.iter().skip(1).take(SURENESS_DEPTH).map(|(_, s)| scaled(*s)).collect();
    if next.is_empty() {
        return 0.0;
    }
    (scaled(list.hits[0].1) - next.iter().sum::<f32>() / next.len() as f32).clamp(0.0, 1.0)
}

/// Adapts the lists' weights to the question: each is multiplied by `exp(strength · sureness)`,
/// so that for this question the retriever that sets its first result apart counts more than one
/// whose scores are level (a multilingual model's cosines on a question about years and names;
/// BM25 on a paraphrase). `strength` 0 leaves the weights as configured.
pub fn adapt_weights(lists: &mut [Scored], strength: f32) {
    if strength == 0.0 {
        return;
    }
    for list in lists.iter_mut() {
        list.weight *= (strength * sureness(list)).exp();
    }
}

/// (id, score, best rank) sorted by score, then best rank, then id.
fn ranked(mut fused: Vec<(&str, f32, usize)>) -> Vec<(String, f32)> {
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(b.0)));
    fused.into_iter().map(|(id, score, _)| (id.to_string(), score)).collect()
}

/// The years ("2018") and codes ("nw-rv700", "e8", "il-6") of a query, lowercase: ASCII words
/// that mix letters and digits, or four digits starting 19 or 20.
pub fn identifiers(query: &str) -> Vec<String> {
    let lower = query.to_lowercase();
    let mut out = Vec::new();
    let mut current = String::new();
    for c in lower.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || (c == '-' && !current.is_empty()) {
            current.push(c);
            continue;
        }
        let word = current.trim_end_matches('-').to_string();
        current.clear();
        let digits = word.chars().filter(char::is_ascii_digit).count();
        let letters = word.chars().filter(char::is_ascii_alphabetic).count();
        let year = word.len() == 4 && digits == 4 && (word.starts_with("19") || word.starts_with("20"));
        if year || (digits > 0 && letters > 0 && word.len() >= 2) {
            out.push(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_codes_are_identifiers() {
        assert_eq!(identifiers("中国人民大学2018年高水平艺术团"), ["2018"]);
        assert_eq!(identifiers("does the NW-RV700 show error E8?"), ["nw-rv700", "e8"]);
        assert!(identifiers("can I return 2 kettles within 30 days for £3500").is_empty());
    }

    fn scored(list: &[(&str, f32)]) -> Vec<(String, f32)> {
        list.iter().map(|(id, s)| (id.to_string(), *s)).collect()
    }

    #[test]
    fn a_complete_list_gives_nothing_to_what_it_lacks() {
        // BM25 found one passage ("spanish" is in one); dense ranks another first.
        let bm25 = scored(&[("x", 4.0)]);
        let dense = scored(&[("y", 0.9), ("x", 0.85), ("z", 0.85)]);
        let fuse = |complete| {
            convex_combination(&[
                Scored { hits: &bm25, weight: 0.45, scale: Scale::ByBest, complete },
                Scored { hits: &dense, weight: 0.8, scale: Scale::Range([0.8, 0.9]), complete: false },
            ])
        };
        // Read as cut short, the one hit is BM25's lowest: it gains nothing over z.
        let cut = fuse(false);
        assert_eq!(cut[0].0, "y");
        assert!((cut[1].1 - cut[2].1).abs() < 1e-6, "{cut:?}");
        // Read as complete, z scored nothing: x is first (0.45 + 0.4 against y's 0.8).
        let complete = fuse(true);
        assert_eq!(complete.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["x", "y", "z"]);
    }

    #[test]
    fn convex_combination_matches_a_hand_computed_case() {
        // BM25 scaled by its best (10): x 1.0, y 0.5, lowest 0.5. Cosine over [0, 1]: as is.
        let bm25 = scored(&[("x", 10.0), ("y", 5.0)]);
        let dense = scored(&[("y", 0.9), ("z", 0.3)]);
        let fused = convex_combination(&[
            Scored { hits: &bm25, weight: 0.2, scale: Scale::ByBest, complete: false },
            Scored { hits: &dense, weight: 0.8, scale: Scale::Range([0.0, 1.0]), complete: false },
        ]);
        // x: 0.2·1.0 + 0.8·0.3 (missing: dense lowest) = 0.44
        // y: 0.2·0.5 + 0.8·0.9 = 0.82; z: 0.2·0.5 (missing: BM25 lowest) + 0.8·0.3 = 0.34
        let expected = [("y", 0.82), ("x", 0.44), ("z", 0.34)];
        assert_eq!(fused.len(), 3);
        for ((id, score), (want_id, want)) in fused.iter().zip(expected) {
            assert_eq!(id, want_id);
            assert!((score - want).abs() < 1e-6, "{id}: {score}");
        }
    }

    #[test]
    fn sureness_measures_how_far_the_first_result_stands_out() {
        let peaked = scored(&[("a", 10.0), ("b", 2.0), ("c", 2.0)]);
        let level = scored(&[("a", 10.0), ("b", 9.8), ("c", 9.9)]);
        let list = |hits| Scored { hits, weight: 1.0, scale: Scale::ByBest, complete: false };
        assert!((sureness(&list(&peaked)) - 0.8).abs() < 1e-6);
        assert!(sureness(&list(&level)) < 0.02);
        assert_eq!(sureness(&list(&scored(&[("a", 1.0)]))), 0.0, "nothing to compare with");
        let cosines = scored(&[("a", 0.90), ("b", 0.85)]);
        let on_range =
            Scored { hits: &cosines, weight: 1.0, scale: Scale::Range([0.80, 0.90]), complete: false };
        assert!((sureness(&on_range) - 0.5).abs() < 1e-5);
    }

    #[test]
    fn adapted_weights_favour_the_sure_retriever_for_the_question() {
        // BM25 is sure of "year" (a rare number matched); dense is less sure of "x".
        let bm25 = scored(&[("year", 10.0), ("x", 3.0), ("y", 2.0)]);
        let dense = scored(&[("x", 0.93), ("y", 0.925), ("year", 0.87)]);
        let mut lists = [
            Scored { hits: &bm25, weight: 0.45, scale: Scale::ByBest, complete: false },
            Scored { hits: &dense, weight: 0.8, scale: Scale::Range([0.83, 0.93]), complete: false },
        ];
        assert_eq!(convex_combination(&lists)[0].0, "x");
        adapt_weights(&mut lists, 2.0);
        assert!(lists[0].weight / 0.45 > lists[1].weight / 0.8, "{lists:?}");
        assert_eq!(convex_combination(&lists)[0].0, "year");
        let mut unchanged = lists;
        adapt_weights(&mut unchanged, 0.0);
        assert_eq!(unchanged[0].weight, lists[0].weight);
    }

    #[test]
    fn a_confident_retriever_is_not_outvoted() {
        // Dense is sure of "faq" (0.92 against 0.40); BM25 ranks it third with scores close
        // together. Rank fusion with equal weights puts BM25's first result on top.
        let bm25 = scored(&[("a", 8.0), ("b", 7.9), ("faq", 7.8)]);
        let dense = scored(&[("faq", 0.92), ("a", 0.40), ("c", 0.38)]);
        let (bm25_ids, dense_ids) = (ids(&["a", "b", "faq"]), ids(&["faq", "a", "c"]));
        let rrf = reciprocal_rank_fusion(
            &[Ranking { ids: &bm25_ids, weight: 1.0 }, Ranking { ids: &dense_ids, weight: 1.0 }],
            60.0,
        );
        assert_eq!(rrf[0].0, "a");
        let fused = convex_combination(&[
            Scored { hits: &bm25, weight: 0.2, scale: Scale::ByBest, complete: false },
            Scored { hits: &dense, weight: 0.8, scale: Scale::Range([0.0, 1.0]), complete: false },
        ]);
        assert_eq!(fused[0].0, "faq");
        // One list alone keeps its order; an empty or zero-weight list changes nothing.
        let alone = convex_combination(&[
            Scored { hits: &bm25, weight: 0.2, scale: Scale::ByBest, complete: false },
            Scored { hits: &[], weight: 0.8, scale: Scale::Range([0.0, 1.0]), complete: false },
        ]);
        let order: Vec<&str> = alone.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(order, ["a", "b", "faq"]);
        assert!(convex_combination(&[]).is_empty());
    }

    #[test]
    fn a_models_similarity_range_sets_how_far_apart_its_scores_are() {
        // BM25 prefers x clearly; dense prefers y by 0.03 of cosine. Over [0, 1], 0.03 is
        // little and BM25 wins; over a model's narrow range [0.80, 0.92], it is a quarter.
        let bm25 = scored(&[("x", 10.0), ("y", 6.0)]);
        let dense = scored(&[("y", 0.88), ("x", 0.85)]);
        let top = |range| {
            convex_combination(&[
                Scored { hits: &bm25, weight: 0.2, scale: Scale::ByBest, complete: false },
                Scored { hits: &dense, weight: 0.8, scale: Scale::Range(range), complete: false },
            ])[0]
                .0
                .clone()
        };
        assert_eq!(top([0.0, 1.0]), "x");
        assert_eq!(top([0.80, 0.92]), "y");
        // Scores are the scaled values themselves: (0.88 - 0.5) / 0.5 and (0.85 - 0.5) / 0.5.
        let alone = convex_combination(&[Scored {
            hits: &dense,
            weight: 1.0,
            scale: Scale::Range([0.5, 1.0]),
            complete: false,
        }]);
        assert!((alone[0].1 - 0.76).abs() < 1e-6 && (alone[1].1 - 0.70).abs() < 1e-6, "{alone:?}");
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matches_the_formula_on_a_hand_computed_case() {
        let (a, b) = (ids(&["x", "y", "z"]), ids(&["y", "w"]));
        let fused = reciprocal_rank_fusion(
            &[Ranking { ids: &a, weight: 1.0 }, Ranking { ids: &b, weight: 1.0 }],
            60.0,
        );
        let order: Vec<_> = fused.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(order, ["y", "x", "w", "z"]);
        let y = 1.0 / 62.0 + 1.0 / 61.0;
        assert!((fused[0].1 - y).abs() < 1e-7);
        assert!((fused[2].1 - 1.0 / 62.0).abs() < 1e-7, "w: rank 2 in b only");
    }

    #[test]
    fn weights_scale_and_zero_weight_drops_a_ranking() {
        let (a, b) = (ids(&["x"]), ids(&["y"]));
        let fused = reciprocal_rank_fusion(
            &[Ranking { ids: &a, weight: 1.0 }, Ranking { ids: &b, weight: 2.0 }],
            60.0,
        );
        assert_eq!(fused[0].0, "y");
        let only_a = reciprocal_rank_fusion(
            &[Ranking { ids: &a, weight: 1.0 }, Ranking { ids: &b, weight: 0.0 }],
            60.0,
        );
        assert_eq!(only_a.len(), 1);
    }

    #[test]
    fn ties_break_on_best_rank_then_id() {
        let (a, b) = (ids(&["p", "q"]), ids(&["q", "p"]));
        let fused = reciprocal_rank_fusion(
            &[Ranking { ids: &a, weight: 1.0 }, Ranking { ids: &b, weight: 1.0 }],
            60.0,
        );
        assert_eq!(fused[0].0, "p");
        assert!(reciprocal_rank_fusion(&[], 60.0).is_empty());
    }
}
