//! Content health (pure): documents never cited, documents cited in answers rated down,
//! near-duplicate passages, and passages (or curated answers) that state different numbers for
//! the same rule.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::analysis;
use crate::answer::conflicts::{self, Source};

/// Share of two passages' words (Jaccard) that makes them near-duplicates.
pub const NEAR_DUPLICATE: f64 = 0.8;
/// Passages shorter than this many distinct words are not compared (a heading, a price line).
const MIN_WORDS: usize = 8;
/// A word in more passages than this does not propose candidates (it still counts).
const MAX_POSTINGS: usize = 64;
/// Pairs and contradictions listed, at most.
const MAX_PAIRS: usize = 100;
/// Characters of a passage shown.
const EXCERPT_CHARS: usize = 240;

/// A passage of the index, or a curated answer (its `doc_id` is `curated:ID`).
#[derive(Debug, Clone)]
pub struct Passage {
    /// Its document (`curated:ID` for a curated answer).
    pub doc_id: String,
    /// Its chunk id (the curated answer's id).
    pub chunk_id: String,
    /// Its text.
    pub text: String,
}

/// Where a passage is, with an excerpt of it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PassageRef {
    /// Its document.
    pub doc_id: String,
    /// Its chunk.
    pub chunk_id: String,
    /// The sentence at stake, or the passage's start.
    pub excerpt: String,
}

/// Two passages of different documents that are nearly the same text.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NearDuplicate {
    /// One.
    pub a: PassageRef,
    /// The other.
    pub b: PassageRef,
    /// Share of their words in common (Jaccard).
    pub similarity: f64,
}

/// Two passages that state different numbers for the same rule.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Contradiction {
    /// One.
    pub a: PassageRef,
    /// The other.
    pub b: PassageRef,
}

/// A document cited in answers rated down.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RatedDown {
    /// The document.
    pub doc_id: String,
    /// Answers citing it that were rated down.
    pub thumbs_down: u64,
    /// By reason.
    pub reasons: BTreeMap<String, u64>,
    /// Answers citing it in the period.
    pub citations: u64,
}

/// The health of the help center's content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ContentHealth {
    /// Documents in the index.
    pub documents: usize,
    /// Documents no answer of the period cited.
    pub never_cited: Vec<String>,
    /// Documents cited in answers rated down, most first.
    pub rated_down: Vec<RatedDown>,
    /// Near-duplicate passages of different documents.
    pub near_duplicates: Vec<NearDuplicate>,
    /// Passages of different documents that contradict each other.
    pub contradictions: Vec<Contradiction>,
    /// Curated answers that contradict a passage (the shop should fix one of them).
    pub curated_contradictions: Vec<Contradiction>,
}

/// The content health of `documents` and their `passages` (curated answers among them) given
/// the period's citations and thumbs-down per document.
pub fn assess(
    documents: &[String],
    passages: &[Passage],
    citations: &BTreeMap<String, u64>,
    downs: &BTreeMap<String, BTreeMap<String, u64>>,
) -> ContentHealth {
    let never_cited = documents.iter().filter(|d| !citations.contains_key(*d)).cloned().collect();
    let mut rated_down: Vec<RatedDown> = downs
        .iter()
        .map(|(doc_id, reasons)| RatedDown {
            doc_id: doc_id.clone(),
            thumbs_down: reasons.values().sum(),
            reasons: reasons.clone(),
            citations: citations.get(doc_id).copied().unwrap_or(0),
        })
        .collect();
    rated_down.sort_by(|a, b| b.thumbs_down.cmp(&a.thumbs_down).then_with(|| a.doc_id.cmp(&b.doc_id)));
    let sources: Vec<Source> = passages.iter().map(|p| Source { group: &p.doc_id, text: &p.text }).collect();
    let (mut contradictions, mut curated_contradictions) = (Vec::new(), Vec::new());
    for conflict in conflicts::find(&sources, 2 * MAX_PAIRS) {
        let (a, b) = (&passages[conflict.a], &passages[conflict.b]);
        let pair = Contradiction {
            a: reference(a, &a.text[conflict.a_sentence.clone()]),
            b: reference(b, &b.text[conflict.b_sentence.clone()]),
        };
        match (is_curated(a), is_curated(b)) {
            (false, false) => contradictions.push(pair),
            (true, true) => {}
            _ => curated_contradictions.push(pair),
        }
    }
    contradictions.truncate(MAX_PAIRS);
    curated_contradictions.truncate(MAX_PAIRS);
    let index_passages: Vec<&Passage> = passages.iter().filter(|p| !is_curated(p)).collect();
    ContentHealth {
        documents: documents.len(),
        never_cited,
        rated_down,
        near_duplicates: near_duplicates(&index_passages),
        contradictions,
        curated_contradictions,
    }
}

fn is_curated(passage: &Passage) -> bool {
    passage.doc_id.starts_with("curated:")
}

fn reference(passage: &Passage, excerpt: &str) -> PassageRef {
    PassageRef {
        doc_id: passage.doc_id.clone(),
        chunk_id: passage.chunk_id.clone(),
        excerpt: excerpt.trim().chars().take(EXCERPT_CHARS).collect(),
    }
}

/// Pairs of passages of different documents whose word sets overlap by [`NEAR_DUPLICATE`] or
/// more. Candidates come from an inverted index of their less common words, so the cost grows
/// with the passages, not their square.
fn near_duplicates(passages: &[&Passage]) -> Vec<NearDuplicate> {
    let words: Vec<BTreeSet<String>> =
        passages.iter().map(|p| analysis::answer_words(&p.text).into_iter().collect()).collect();
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, set) in words.iter().enumerate().filter(|(_, s)| s.len() >= MIN_WORDS) {
        for word in set {
            postings.entry(word).or_default().push(i);
        }
    }
    let mut pairs = Vec::new();
    for (i, set) in words.iter().enumerate().filter(|(_, s)| s.len() >= MIN_WORDS) {
        let mut seen = HashSet::new();
        for word in set {
            let list = &postings[word.as_str()];
            if list.len() > MAX_POSTINGS {
                continue;
            }
            for &j in list.iter().filter(|&&j| j > i) {
                if !seen.insert(j) || passages[i].doc_id == passages[j].doc_id {
                    continue;
                }
                let shared = set.intersection(&words[j]).count();
                let similarity = shared as f64 / (set.len() + words[j].len() - shared) as f64;
                if similarity >= NEAR_DUPLICATE {
                    pairs.push(NearDuplicate {
                        a: reference(passages[i], &passages[i].text),
                        b: reference(passages[j], &passages[j].text),
                        similarity,
                    });
                }
            }
        }
        if pairs.len() >= MAX_PAIRS {
            break;
        }
    }
    pairs.truncate(MAX_PAIRS);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(doc: &str, text: &str) -> Passage {
        Passage { doc_id: doc.into(), chunk_id: format!("{doc}#0"), text: text.into() }
    }

    #[test]
    fn health_lists_uncited_and_rated_down_documents_duplicates_and_contradictions() {
        let returns = "You can return any item within 30 days of delivery for a full refund to your original payment method.";
        let passages = [
            passage("returns.md", returns),
            passage(
                "faq.md",
                "You can return any item within 30 days of delivery for a full refund to the original payment method.",
            ),
            passage(
                "policy.md",
                "Items can be returned within 14 days of delivery for a full refund to your original payment method.",
            ),
            passage("shipping.md", "Parcels ship within two working days from our warehouse in Leeds."),
            passage(
                "curated:abc",
                "You can return any item within 60 days of delivery for a full refund to your original payment method.",
            ),
        ];
        let documents: Vec<String> =
            ["returns.md", "faq.md", "policy.md", "shipping.md"].map(String::from).to_vec();
        let citations = BTreeMap::from([("returns.md".to_string(), 4), ("policy.md".to_string(), 1)]);
        let downs =
            BTreeMap::from([("policy.md".to_string(), BTreeMap::from([("outdated".to_string(), 1)]))]);
        let health = assess(&documents, &passages, &citations, &downs);
        assert_eq!(health.documents, 4);
        assert_eq!(health.never_cited, ["faq.md", "shipping.md"]);
        assert_eq!(health.rated_down.len(), 1);
        assert_eq!((health.rated_down[0].doc_id.as_str(), health.rated_down[0].citations), ("policy.md", 1));
        assert_eq!(health.near_duplicates.len(), 1, "{:?}", health.near_duplicates);
        let pair = &health.near_duplicates[0];
        assert_eq!((pair.a.doc_id.as_str(), pair.b.doc_id.as_str()), ("returns.md", "faq.md"));
        assert!(pair.similarity >= NEAR_DUPLICATE);
        let docs = |c: &Contradiction| (c.a.doc_id.clone(), c.b.doc_id.clone());
        assert!(
            health.contradictions.iter().any(|c| docs(c) == ("returns.md".into(), "policy.md".into())),
            "{:?}",
            health.contradictions
        );
        assert!(
            health
                .contradictions
                .iter()
                .all(|c| !c.a.doc_id.starts_with("curated:") && !c.b.doc_id.starts_with("curated:"))
        );
        assert!(
            health
                .curated_contradictions
                .iter()
                .any(|c| c.b.doc_id == "curated:abc" && c.b.excerpt.contains("60 days")),
            "{:?}",
            health.curated_contradictions
        );
    }
}
