//! Customer questions grouped by meaning, with no preset number of groups (pure).
//!
//! A topic is a centroid: the sum of its members' unit vectors. A question joins the topic whose
//! centroid is most similar to it (cosine) when that similarity reaches the threshold, and
//! otherwise starts a new topic (leader clustering, the online form of DP-means). Questions are
//! taken most asked first, so a topic's seed is its most common wording and later variants join
//! it, and ties go by text: the same questions in the same store give the same topics.
//!
//! Vectors are compared **centred**: minus the mean question of the shop, then scaled to unit
//! length. The embedding model puts every question in a narrow cone (most pairs score above
//! 0.8), and what they all share says nothing about which one is asked; taking it away spreads
//! them out. Measured with `kefu eval-topics`, it lifts the mean adjusted Rand index on the dev
//! halves from 0.56 to 0.67 (docs/insights.md). The mean must be the shop's own: one taken from
//! another set of questions made the grouping worse than none. So it is computed from the store's distinct
//! questions once there are [`MIN_CENTRE`] of them, and again (every topic rebuilt) each time
//! their number doubles, until it rests on [`SETTLED_CENTRE`]. Below [`MIN_CENTRE`], raw vectors
//! are compared with [`RAW_THRESHOLD`].
//!
//! It is incremental: a question seen before keeps its topic, and a run only places the
//! questions new since the last one, against the centroids as they stand.

use std::collections::HashMap;

use crate::embed::vector::{dot, unit};

/// Cosine similarity of centred vectors a question needs to join a topic (measured on the dev
/// halves: docs/insights.md).
pub const DEFAULT_THRESHOLD: f32 = 0.55;
/// The same for raw vectors, while a store has too few questions for a centre.
pub const RAW_THRESHOLD: f32 = 0.93;
/// Distinct questions a centre is taken from, at least.
pub const MIN_CENTRE: usize = 50;
/// A centre taken from this many distinct questions is kept for good.
pub const SETTLED_CENTRE: usize = 2_000;

/// The mean of a store's distinct questions' unit vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Centre {
    /// The mean vector.
    pub mean: Vec<f32>,
    /// Distinct questions it was taken from.
    pub questions: i64,
}

impl Centre {
    /// The centre of `vectors` (unit vectors); `None` below [`MIN_CENTRE`] of them.
    pub fn of<'a>(vectors: impl ExactSizeIterator<Item = &'a [f32]>) -> Option<Centre> {
        let n = vectors.len();
        if n < MIN_CENTRE {
            return None;
        }
        let mut sum: Vec<f64> = Vec::new();
        for vector in vectors {
            sum.resize(vector.len(), 0.0);
            sum.iter_mut().zip(vector).for_each(|(s, v)| *s += f64::from(*v));
        }
        Some(Centre { mean: sum.iter().map(|s| (s / n as f64) as f32).collect(), questions: n as i64 })
    }

    /// Whether a store with `total` distinct questions needs a new centre (and its topics
    /// rebuilt): it has enough for one and has none, or twice as many as the current one was
    /// taken from, until that one is settled.
    pub fn stale(current: Option<&Centre>, total: usize) -> bool {
        total >= MIN_CENTRE
            && current
                .is_none_or(|c| (c.questions as usize) < SETTLED_CENTRE && total >= 2 * c.questions as usize)
    }
}

/// `vector` as topics compare it: minus the centre (when there is one), scaled to length 1.
pub fn centred(vector: &[f32], centre: Option<&Centre>) -> Vec<f32> {
    match centre {
        Some(centre) => unit(vector.iter().zip(&centre.mean).map(|(v, m)| v - m).collect()),
        None => unit(vector.to_vec()),
    }
}

/// The threshold to compare with: `configured` for centred vectors, [`RAW_THRESHOLD`] without a
/// centre.
pub fn threshold(centre: Option<&Centre>, configured: f32) -> f32 {
    if centre.is_some() { configured } else { RAW_THRESHOLD }
}

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

/// Groups questions from scratch as a store holding just them would (centred on their own mean
/// when there are enough): the topic of each (for measuring the grouping on labelled questions:
/// every question asked once, ties by text). `threshold` is for centred vectors.
pub fn group(texts: &[String], vectors: &[Vec<f32>], threshold: f32) -> Vec<i64> {
    let units: Vec<Vec<f32>> = vectors.iter().map(|v| unit(v.clone())).collect();
    let centre = Centre::of(units.iter().map(Vec::as_slice));
    let centred: Vec<Vec<f32>> = units.iter().map(|v| centred(v, centre.as_ref())).collect();
    let keys: Vec<String> = (0..texts.len()).map(|i| i.to_string()).collect();
    let questions: Vec<Unplaced> = texts
        .iter()
        .zip(&centred)
        .zip(&keys)
        .map(|((text, vector), key)| Unplaced { key, text, vector, asked: 1 })
        .collect();
    let placements = place(&mut Vec::new(), &questions, self::threshold(centre.as_ref(), threshold));
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
        let questions: Vec<Unplaced> = texts
            .iter()
            .zip(&vectors)
            .map(|(text, vector)| Unplaced { key: text, text, vector, asked: 1 })
            .collect();
        assert_eq!(place(&mut Vec::new(), &questions, 0.999_9).len(), 4);
        assert_eq!(place(&mut Vec::new(), &questions, 0.999_9).iter().map(|p| p.topic).max(), Some(4));
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
    fn a_centre_needs_enough_questions_and_is_renewed_as_they_double_until_it_settles() {
        let few = vec![vec![1.0, 0.0]; MIN_CENTRE - 1];
        assert_eq!(Centre::of(few.iter().map(Vec::as_slice)), None);
        let mut many = vec![vec![1.0, 0.0]; MIN_CENTRE / 2];
        many.extend(vec![vec![0.0, 1.0]; MIN_CENTRE / 2]);
        let centre = Centre::of(many.iter().map(Vec::as_slice)).unwrap();
        assert_eq!((centre.mean.clone(), centre.questions), (vec![0.5, 0.5], MIN_CENTRE as i64));
        assert!(!Centre::stale(None, MIN_CENTRE - 1));
        assert!(Centre::stale(None, MIN_CENTRE));
        assert!(!Centre::stale(Some(&centre), 2 * MIN_CENTRE - 1));
        assert!(Centre::stale(Some(&centre), 2 * MIN_CENTRE));
        let settled = Centre { questions: SETTLED_CENTRE as i64, ..centre.clone() };
        assert!(!Centre::stale(Some(&settled), 10 * SETTLED_CENTRE));
        // Centring takes away what all questions share.
        let spread = centred(&[0.7, 0.4], Some(&centre));
        assert!(dot(&spread, &centred(&[0.4, 0.7], Some(&centre))) < 0.0);
        assert!(dot(&unit(vec![0.7, 0.4]), &unit(vec![0.4, 0.7])) > 0.8);
        assert_eq!(threshold(None, DEFAULT_THRESHOLD), RAW_THRESHOLD);
        assert_eq!(threshold(Some(&centre), 0.5), 0.5);
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
