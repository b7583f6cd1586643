//! Vector stores behind one interface: qdrant-edge embedded in the data folder (the default), or
//! a Qdrant server.
//!
//! Points are identified by the chunk id (a UUID) and carry the filter fields as payload
//! (`doc_id`, `locale`, `doc_type`, `product`, `tags`), each with a keyword payload index so that
//! filtered searches stay exact: Qdrant switches to a full scan of the matching points when a
//! filter is selective, instead of losing recall in the HNSW graph.

pub mod edge;

use super::catalog::ChunkRecord;
use super::filter::SearchFilter;
use crate::Result;

/// How vector indexes are built and searched.
#[derive(Debug, Clone, Copy)]
pub struct VectorSettings {
    /// HNSW search breadth.
    pub hnsw_ef: usize,
    /// Segment size (KiB of vectors) above which an HNSW graph is built.
    pub indexing_threshold_kb: usize,
}

impl VectorSettings {
    /// The settings of `config`.
    pub fn of(config: &crate::Config) -> Self {
        VectorSettings {
            hnsw_ef: config.search.hnsw_ef,
            indexing_threshold_kb: config.vector_store.indexing_threshold_kb,
        }
    }
}

/// Payload fields with a keyword index.
pub const PAYLOAD_FIELDS: [&str; 5] = ["doc_id", "locale", "doc_type", "product", "tags"];

/// A vector store of one index generation.
pub trait VectorIndex: Send + Sync {
    /// Inserts or replaces points, one per chunk with its vector.
    fn upsert(&mut self, points: &[(&ChunkRecord, &[f32])]) -> Result<()>;
    /// Deletes every point of these documents.
    fn delete_documents(&mut self, doc_ids: &[String]) -> Result<()>;
    /// The `limit` nearest chunks to `vector` under `filter`, as (chunk id, cosine similarity).
    fn search(&self, vector: &[f32], filter: &SearchFilter, limit: usize) -> Result<Vec<(String, f32)>>;
    /// Number of points.
    fn count(&self) -> Result<usize>;
    /// Every point's chunk id (for consistency checks).
    fn ids(&self) -> Result<Vec<String>>;
    /// Points searched through an HNSW graph rather than exactly.
    fn indexed_count(&self) -> usize;
    /// Makes every change durable (and builds indexes where the store does that explicitly).
    fn commit(&mut self) -> Result<()>;
}

/// The payload of a chunk's point.
pub(crate) fn payload(record: &ChunkRecord) -> serde_json::Value {
    serde_json::json!({
        "chunk_id": record.chunk.id,
        "doc_id": record.chunk.doc_id,
        "locale": record.locale,
        "doc_type": record.doc_type,
        "product": record.product,
        "tags": record.chunk.tags,
    })
}
