//! A persistent embedding cache: no text is embedded twice by the same model, across runs,
//! documents and index generations.
//!
//! Keys are BLAKE3 hashes of (model fingerprint, exact input text); values are little-endian
//! `f32` vectors. The cache lives in the data folder, outside the index generations, and is only
//! opened by the ingesting process.

use std::path::Path;

use redb::{Database, ReadableDatabase, TableDefinition};

use crate::{Error, Result};

const VECTORS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("vectors");

/// Key of one (model, text) pair.
pub type CacheKey = [u8; 32];

/// The cache, backed by one redb file.
pub struct EmbeddingCache {
    db: Database,
}

impl EmbeddingCache {
    /// Opens or creates the cache file.
    pub fn open(path: &Path) -> Result<EmbeddingCache> {
        let db = Database::create(path).map_err(|e| cache_error(path, e))?;
        Ok(EmbeddingCache { db })
    }

    /// The key of `text` embedded by the model with `fingerprint`.
    pub fn key(fingerprint: &str, text: &str) -> CacheKey {
        let mut hasher = blake3::Hasher::new();
        hasher.update(fingerprint.as_bytes()).update(&[0]).update(text.as_bytes());
        *hasher.finalize().as_bytes()
    }

    /// Looks keys up; `None` where the text was never embedded.
    pub fn get_many(&self, keys: &[CacheKey]) -> Result<Vec<Option<Vec<f32>>>> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = match txn.open_table(VECTORS) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(vec![None; keys.len()]),
            Err(e) => return Err(db_error(e)),
        };
        keys.iter()
            .map(|key| Ok(table.get(key.as_slice()).map_err(db_error)?.map(|v| decode(v.value()))))
            .collect()
    }

    /// Stores vectors, durably, in one transaction.
    pub fn put_many(&self, entries: &[(CacheKey, &[f32])]) -> Result<()> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut table = txn.open_table(VECTORS).map_err(db_error)?;
            for (key, vector) in entries {
                table.insert(key.as_slice(), encode(vector).as_slice()).map_err(db_error)?;
            }
        }
        txn.commit().map_err(db_error)
    }
}

fn encode(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn decode(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn db_error(e: impl Into<redb::Error>) -> Error {
    Error::Catalog(format!("embedding cache: {}", e.into()))
}

fn cache_error(path: &Path, e: impl Into<redb::Error>) -> Error {
    Error::Catalog(format!("embedding cache {}: {}", path.display(), e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_vectors_per_model() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EmbeddingCache::open(&dir.path().join("e.redb")).unwrap();
        let (a, b) = (EmbeddingCache::key("m1", "text"), EmbeddingCache::key("m2", "text"));
        assert_ne!(a, b, "the model is part of the key");
        assert_eq!(cache.get_many(&[a]).unwrap(), [None]);
        cache.put_many(&[(a, &[1.5, -2.0][..])]).unwrap();
        drop(cache);
        let cache = EmbeddingCache::open(&dir.path().join("e.redb")).unwrap();
        assert_eq!(cache.get_many(&[a, b]).unwrap(), [Some(vec![1.5, -2.0]), None]);
    }
}
