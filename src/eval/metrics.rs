//! Retrieval metrics over one ranked list of document ids, with the standard (TREC / BEIR)
//! definitions. Pure functions.
//!
//! `relevant` maps document ids to graded relevance; a grade of 0 counts as not relevant. Ranks
//! start at 1. A query with no relevant document scores 0 everywhere (callers leave such queries
//! out of retrieval averages).

use std::collections::HashMap;

/// Graded relevance judgements of one query.
pub type Judgements = HashMap<String, u32>;

/// The retrieval metrics kefu reports, in report order.
pub const RETRIEVAL_METRICS: [&str; 8] =
    ["ndcg@10", "recall@1", "recall@5", "recall@10", "recall@100", "mrr@10", "p@1", "hit@3"];

/// Every metric of [`RETRIEVAL_METRICS`] for one ranking, in the same order.
pub fn all(ranked: &[String], relevant: &Judgements) -> [f64; 8] {
    [
        ndcg_at(ranked, relevant, 10),
        recall_at(ranked, relevant, 1),
        recall_at(ranked, relevant, 5),
        recall_at(ranked, relevant, 10),
        recall_at(ranked, relevant, 100),
        mrr_at(ranked, relevant, 10),
        precision_at(ranked, relevant, 1),
        hit_at(ranked, relevant, 3),
    ]
}

fn grade(relevant: &Judgements, id: &str) -> u32 {
    relevant.get(id).copied().unwrap_or(0)
}

/// Normalised discounted cumulative gain at `k`: `Σ gain_i / log2(i + 1)` over the first `k`
/// ranks, divided by the same sum for the ideal ordering. The gain is the grade itself (as
/// `trec_eval` and BEIR's pytrec_eval compute it).
pub fn ndcg_at(ranked: &[String], relevant: &Judgements, k: usize) -> f64 {
    let dcg: f64 = ranked.iter().take(k).enumerate().map(|(i, id)| discounted(grade(relevant, id), i)).sum();
    let mut ideal: Vec<u32> = relevant.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal.iter().take(k).enumerate().map(|(i, &g)| discounted(g, i)).sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

fn discounted(gain: u32, index: usize) -> f64 {
    f64::from(gain) / ((index + 2) as f64).log2()
}

/// Share of the relevant documents found in the first `k` ranks.
pub fn recall_at(ranked: &[String], relevant: &Judgements, k: usize) -> f64 {
    let total = relevant.values().filter(|&&g| g > 0).count();
    if total == 0 {
        return 0.0;
    }
    let found = ranked.iter().take(k).filter(|id| grade(relevant, id) > 0).count();
    found as f64 / total as f64
}

/// Reciprocal rank of the first relevant document within `k` ranks, 0 if none.
pub fn mrr_at(ranked: &[String], relevant: &Judgements, k: usize) -> f64 {
    ranked.iter().take(k).position(|id| grade(relevant, id) > 0).map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// Share of the first `k` ranks that hold relevant documents (out of `k`, as trec_eval counts).
pub fn precision_at(ranked: &[String], relevant: &Judgements, k: usize) -> f64 {
    ranked.iter().take(k).filter(|id| grade(relevant, id) > 0).count() as f64 / k as f64
}

/// 1 if a relevant document is in the first `k` ranks, else 0.
pub fn hit_at(ranked: &[String], relevant: &Judgements, k: usize) -> f64 {
    f64::from(u8::from(ranked.iter().take(k).any(|id| grade(relevant, id) > 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn judged(pairs: &[(&str, u32)]) -> Judgements {
        pairs.iter().map(|(id, g)| (id.to_string(), *g)).collect()
    }

    #[test]
    fn ndcg_matches_a_hand_computed_case() {
        // Relevant a (2) and c (1); ranking x, a, c.
        // DCG = 2/log2(3) + 1/log2(4) = 1.26186 + 0.5; IDCG = 2/log2(2) + 1/log2(3) = 2.63093.
        let value = ndcg_at(&ranked(&["x", "a", "c"]), &judged(&[("a", 2), ("c", 1)]), 10);
        assert!((value - 1.761859 / 2.630930).abs() < 1e-6, "{value}");
        assert_eq!(ndcg_at(&ranked(&["a", "c"]), &judged(&[("a", 2), ("c", 1)]), 10), 1.0);
        // Cut-off: the only relevant document at rank 3 of a top-2.
        assert_eq!(ndcg_at(&ranked(&["x", "y", "a"]), &judged(&[("a", 1)]), 2), 0.0);
        // Grade 0 is not relevant, and no relevant documents gives 0 rather than NaN.
        assert_eq!(ndcg_at(&ranked(&["a"]), &judged(&[("a", 0)]), 10), 0.0);
    }

    #[test]
    fn ideal_ordering_is_cut_at_k_too() {
        // Three relevant, k = 2: IDCG counts only two of them, so a perfect top-2 scores 1.
        let value = ndcg_at(&ranked(&["a", "b"]), &judged(&[("a", 1), ("b", 1), ("c", 1)]), 2);
        assert!((value - 1.0).abs() < 1e-12);
    }

    #[test]
    fn recall_precision_mrr_and_hit_on_a_hand_computed_case() {
        let list = ranked(&["x", "a", "y", "b", "z"]);
        let rel = judged(&[("a", 1), ("b", 1), ("c", 1), ("d", 0)]);
        assert_eq!(recall_at(&list, &rel, 1), 0.0);
        assert!((recall_at(&list, &rel, 2) - 1.0 / 3.0).abs() < 1e-12);
        assert!((recall_at(&list, &rel, 5) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(mrr_at(&list, &rel, 10), 0.5);
        assert_eq!(mrr_at(&list, &rel, 1), 0.0);
        assert_eq!(precision_at(&list, &rel, 1), 0.0);
        assert_eq!(precision_at(&list, &rel, 2), 0.5);
        assert_eq!(hit_at(&list, &rel, 1), 0.0);
        assert_eq!(hit_at(&list, &rel, 3), 1.0);
        // Fewer results than k: precision still divides by k.
        assert_eq!(precision_at(&ranked(&["a"]), &rel, 2), 0.5);
    }

    #[test]
    fn all_lists_metrics_in_the_published_order() {
        let values = all(&ranked(&["a"]), &judged(&[("a", 1)]));
        assert_eq!(values, [1.0; 8]);
        let values = all(&ranked(&["x", "a"]), &judged(&[("a", 1)]));
        assert_eq!(RETRIEVAL_METRICS[1], "recall@1");
        assert_eq!((values[1], values[2], values[5], values[6]), (0.0, 1.0, 0.5, 0.0));
    }
}
