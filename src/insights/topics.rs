//! Customer questions grouped by meaning, with no preset number of groups (pure).
//!
//! A topic is a centroid: the sum of its members' unit vectors. A question joins the topic whose
//! centroid is most similar to it (cosine) when that similarity reaches the threshold, and
//! otherwise starts a new topic (leader clustering, the online form of DP-means). Questions are
//! taken most asked first, so a topic's seed is its most common wording and later variants join
//! it, and ties go by text: the same questions in the same store give the same topics.
//!
//! It is incremental: a question seen before keeps its topic, and a run only places the
//! questions new since the last one, against the centroids as they stand. The threshold was
//! measured on labelled questions (`kefu eval-topics`, docs/insights.md).

use std::collections::HashMap;

use crate::embed::vector::{dot, unit};

/// Cosine similarity a question needs to join a topic (measured: docs/insights.md).
pub const DEFAULT_THRESHOLD: f32 = 0.93;

/// A topic's centroid.
#[derive(Debug, Clone, PartialEq)]
pub struct Centroid {
    /// The topic's id.
    pub id: i64,
    /// The sum of its members' unit vectors.
    pub sum: Vec<f32>,
    /// Questions in it.
    pub members: i64,
}

/// A question to place: its key, its vector, and how often it was asked (the order of seeding).
#[derive(Debug, Clone)]
pub struct Unplaced<'a> {
    /// The question's key (`store::question_key`).
    pub key: &'a str,
    /// Its text (ties in the order are broken by it).
    pub text: &'a str,
    /// Its embedding.
    pub vector: &'a [f32],
    /// How many times it was asked.
    pub asked: usize,
}

/// Where a question was placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// The question's key.
    pub key: String,
    /// Its topic.
    pub topic: i64,
    /// Its similarity to the topic's centroid when it joined (1 for a seed).
    pub similarity: f32,
}

/// Places new questions into `centroids` (updated in place; new topics get ids from one above
/// the highest). Returns each question's placement, in the order they were placed.
pub fn place(centroids: &mut Vec<Centroid>, questions: &[Unplaced], threshold: f32) -> Vec<Placement> {
    let mut order: Vec<&Unplaced> = questions.iter().collect();
    order.sort_by(|a, b| {
        b.asked.cmp(&a.asked).then_with(|| a.text.cmp(b.text)).then_with(|| a.key.cmp(b.key))
    });
    let mut units: Vec<Vec<f32>> = centroids.iter().map(|c| unit(c.sum.clone())).collect();
    let mut next_id = centroids.iter().map(|c| c.id).max().unwrap_or(0) + 1;
    let mut placements = Vec::with_capacity(order.len());
    for question in order {
        let vector = unit(question.vector.to_vec());
        let best = units
            .iter()
            .enumerate()
            .map(|(i, u)| (i, dot(u, &vector)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some((i, similarity)) if similarity >= threshold => {
                let centroid = &mut centroids[i];
                centroid.sum.iter_mut().zip(&vector).for_each(|(s, v)| *s += v);
                centroid.members += 1;
                units[i] = unit(centroid.sum.clone());
                placements.push(Placement { key: question.key.to_string(), topic: centroid.id, similarity });
            }
            _ => {
                centroids.push(Centroid { id: next_id, sum: vector.clone(), members: 1 });
                units.push(vector);
                placements.push(Placement { key: question.key.to_string(), topic: next_id, similarity: 1.0 });
                next_id += 1;
            }
        }
    }
    placements
}

/// Groups vectors from scratch: the topic of each, in the order given (for measuring the
/// grouping on labelled questions: every question asked once, ties by text).
pub fn group(texts: &[String], vectors: &[Vec<f32>], threshold: f32) -> Vec<i64> {
    let keys: Vec<String> = (0..texts.len()).map(|i| i.to_string()).collect();
    let questions: Vec<Unplaced> = texts
        .iter()
        .zip(vectors)
        .zip(&keys)
        .map(|((text, vector), key)| Unplaced { key, text, vector, asked: 1 })
        .collect();
    let placements = place(&mut Vec::new(), &questions, threshold);
    let by_key: HashMap<&str, i64> = placements.iter().map(|p| (p.key.as_str(), p.topic)).collect();
    keys.iter().map(|k| by_key[k.as_str()]).collect()
}

/// How well a grouping matches gold labels: purity (the share of items in their group's
/// majority label) and the adjusted Rand index (1 identical, about 0 for chance).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct GroupingQuality {
    /// Share of items whose group's most common gold label is theirs.
    pub purity: f64,
    /// Adjusted Rand index (Hubert and Arabie).
    pub adjusted_rand_index: f64,
    /// Groups made.
    pub groups: usize,
    /// Gold labels.
    pub labels: usize,
}

/// Compares `groups` with `gold` (same length).
pub fn grouping_quality<G: Eq + std::hash::Hash, L: Eq + std::hash::Hash>(
    groups: &[G],
    gold: &[L],
) -> GroupingQuality {
    assert_eq!(groups.len(), gold.len(), "one group and one label per item");
    let n = groups.len();
    let mut table: HashMap<(&G, &L), u64> = HashMap::new();
    let mut by_group: HashMap<&G, u64> = HashMap::new();
    let mut by_label: HashMap<&L, u64> = HashMap::new();
    for (g, l) in groups.iter().zip(gold) {
        *table.entry((g, l)).or_default() += 1;
        *by_group.entry(g).or_default() += 1;
        *by_label.entry(l).or_default() += 1;
    }
    let mut majority: HashMap<&G, u64> = HashMap::new();
    for (&(g, _), &count) in &table {
        let best = majority.entry(g).or_default();
        *best = (*best).max(count);
    }
    let purity = if n == 0 { 0.0 } else { majority.values().sum::<u64>() as f64 / n as f64 };
    let pairs = |x: u64| (x * x.saturating_sub(1) / 2) as f64;
    let index: f64 = table.values().map(|&c| pairs(c)).sum();
    let rows: f64 = by_group.values().map(|&c| pairs(c)).sum();
    let columns: f64 = by_label.values().map(|&c| pairs(c)).sum();
    let total = pairs(n as u64);
    let expected = if total == 0.0 { 0.0 } else { rows * columns / total };
    let maximum = (rows + columns) / 2.0;
    let adjusted_rand_index = if (maximum - expected).abs() < f64::EPSILON {
        1.0
    } else {
        (index - expected) / (maximum - expected)
    };
    GroupingQuality { purity, adjusted_rand_index, groups: by_group.len(), labels: by_label.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: f32, y: f32) -> Vec<f32> {
        vec![x, y]
    }

    #[test]
    fn close_questions_share_a_topic_and_far_ones_start_their_own() {
        let vectors = [v(1.0, 0.0), v(0.99, 0.1), v(0.0, 1.0), v(0.1, 0.99)];
        let texts: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let topics = group(&texts, &vectors, 0.9);
        assert_eq!(topics[0], topics[1]);
        assert_eq!(topics[2], topics[3]);
        assert_ne!(topics[0], topics[2]);
        // A threshold no pair reaches gives every question its own topic.
        let alone = group(&texts, &vectors, 0.999_9);
        assert_eq!(alone.iter().collect::<std::collections::HashSet<_>>().len(), 4);
    }

    #[test]
    fn the_most_asked_wording_seeds_the_topic_and_order_of_input_does_not_matter() {
        let (a, b) = (v(1.0, 0.0), v(0.95, 0.31));
        let first = [
            Unplaced { key: "k1", text: "rare wording", vector: &b, asked: 1 },
            Unplaced { key: "k2", text: "common wording", vector: &a, asked: 9 },
        ];
        let mut centroids = Vec::new();
        let placements = place(&mut centroids, &first, 0.9);
        assert_eq!(placements[0].key, "k2", "the most asked is placed first");
        assert_eq!(placements[0].similarity, 1.0);
        let mut reversed = first.clone();
        reversed.reverse();
        let mut again = Vec::new();
        assert_eq!(place(&mut again, &reversed, 0.9), placements);
        assert_eq!(centroids, again);
    }

    #[test]
    fn later_runs_place_new_questions_against_the_existing_topics() {
        let mut centroids = vec![Centroid { id: 7, sum: v(2.0, 0.0), members: 2 }];
        let (near, far) = (v(0.98, 0.2), v(0.0, 1.0));
        let placements = place(
            &mut centroids,
            &[
                Unplaced { key: "n", text: "near", vector: &near, asked: 1 },
                Unplaced { key: "f", text: "far", vector: &far, asked: 1 },
            ],
            0.9,
        );
        assert_eq!(placements.iter().find(|p| p.key == "n").unwrap().topic, 7);
        assert_eq!(placements.iter().find(|p| p.key == "f").unwrap().topic, 8, "a new id above the highest");
        assert_eq!(centroids[0].members, 3);
    }

    #[test]
    fn grouping_quality_of_known_partitions() {
        let perfect = grouping_quality(&[1, 1, 2, 2], &["a", "a", "b", "b"]);
        assert_eq!((perfect.purity, perfect.adjusted_rand_index), (1.0, 1.0));
        let one_group = grouping_quality(&[1, 1, 1, 1], &["a", "a", "b", "b"]);
        assert_eq!(one_group.purity, 0.5);
        assert!(one_group.adjusted_rand_index.abs() < 1e-9);
        // scikit-learn: adjusted_rand_score([0,0,1,1,2,2],[0,0,1,2,2,2]) = 0.4444…
        let partial = grouping_quality(&[0, 0, 1, 2, 2, 2], &[0, 0, 1, 1, 2, 2]);
        assert!((partial.adjusted_rand_index - 0.444_444).abs() < 1e-5, "{partial:?}");
        assert!((partial.purity - 5.0 / 6.0).abs() < 1e-9);
    }
}
