//! Change detection: which documents to (re)index and which to remove, from content hashes.

use std::collections::BTreeMap;

/// What an ingest run has to do, by document id, each list sorted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChangePlan {
    /// In the sources, not in the index.
    pub added: Vec<String>,
    /// In both, with a different hash: their chunks are replaced.
    pub changed: Vec<String>,
    /// In both with the same hash: nothing to do.
    pub unchanged: Vec<String>,
    /// In the index, no longer in the sources: removed only when pruning.
    pub gone: Vec<String>,
}

impl ChangePlan {
    /// Whether the run changes the index at all (given whether gone documents are pruned).
    pub fn is_noop(&self, prune: bool) -> bool {
        self.added.is_empty() && self.changed.is_empty() && (!prune || self.gone.is_empty())
    }
}

/// Compares the hashes recorded in the index (`indexed`: doc id -> hash) with those of the
/// sources scanned now (`current`).
pub fn plan_changes(indexed: &BTreeMap<String, String>, current: &BTreeMap<String, String>) -> ChangePlan {
    let mut plan = ChangePlan::default();
    for (id, hash) in current {
        match indexed.get(id) {
            None => plan.added.push(id.clone()),
            Some(old) if old != hash => plan.changed.push(id.clone()),
            Some(_) => plan.unchanged.push(id.clone()),
        }
    }
    plan.gone = indexed.keys().filter(|id| !current.contains_key(*id)).cloned().collect();
    plan
}

/// The hash that decides whether a document must be re-indexed: its bytes, and the fingerprint of
/// everything that turns bytes into indexed chunks (loader and chunker versions and settings,
/// model), so that changing any of those re-indexes every document.
pub fn content_hash(pipeline_fingerprint: &str, bytes: &[u8]) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(pipeline_fingerprint.as_bytes()).update(&[0]).update(bytes);
    hasher.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn classifies_every_document() {
        let indexed = map(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let current = map(&[("a", "1"), ("b", "9"), ("d", "4")]);
        let plan = plan_changes(&indexed, &current);
        assert_eq!(plan.added, ["d"]);
        assert_eq!(plan.changed, ["b"]);
        assert_eq!(plan.unchanged, ["a"]);
        assert_eq!(plan.gone, ["c"]);
        assert!(!plan.is_noop(false));
    }

    #[test]
    fn gone_documents_only_matter_when_pruning() {
        let plan = plan_changes(&map(&[("a", "1"), ("c", "3")]), &map(&[("a", "1")]));
        assert!(plan.is_noop(false));
        assert!(!plan.is_noop(true));
    }

    #[test]
    fn the_pipeline_fingerprint_is_part_of_the_hash() {
        assert_ne!(content_hash("v1", b"x"), content_hash("v2", b"x"));
        assert_eq!(content_hash("v1", b"x"), content_hash("v1", b"x"));
    }
}
