//! Rank fusion: combining the rankings of several retrievers into one. Pure functions.

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
    let mut out: Vec<(&str, f32, usize)> =
        fused.into_iter().map(|(id, (score, best))| (id, score, best)).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(b.0)));
    out.into_iter().map(|(id, score, _)| (id.to_string(), score)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
