//! Vector stores behind one interface: qdrant-edge embedded in the data folder (the default), or
//! a Qdrant server.
//!
//! Points are identified by the chunk id (a UUID) and carry the filter fields as payload
//! (`doc_id`, `locale`, `doc_type`, `product`, `tags`), each with a keyword payload index so that
//! filtered searches stay exact: Qdrant switches to a full scan of the matching points when a
//! filter is selective, instead of losing recall in the HNSW graph.

pub mod edge;
#[cfg(feature = "qdrant-server")]
pub mod qdrant;

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::catalog::ChunkRecord;
use super::data_dir::DataDir;
use super::filter::SearchFilter;
use crate::config::{Config, VectorBackend};
use crate::{Error, Result};
use edge::EdgeVectors;

/// The folder of the embedded store inside a generation.
const EDGE_DIR: &str = "vectors";

/// Where a generation's vectors are; recorded in its catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "backend", rename_all = "lowercase")]
pub enum VectorLocation {
    /// qdrant-edge, in the generation's `vectors/` folder.
    Edge,
    /// A collection of the configured Qdrant server.
    Qdrant {
        /// Collection name.
        collection: String,
    },
}

/// Opens the vector index of a generation for reading.
pub fn open(
    location: &VectorLocation,
    generation_dir: &Path,
    config: &Config,
) -> Result<Box<dyn VectorIndex>> {
    let settings = VectorSettings::of(config);
    match location {
        VectorLocation::Edge => Ok(Box::new(EdgeVectors::open(&generation_dir.join(EDGE_DIR), &settings)?)),
        VectorLocation::Qdrant { collection } => open_server(config, collection, &settings),
    }
}

/// Creates the vector index of a new generation with the configured backend, holding `base`'s
/// points (the live generation's) to start with.
pub fn create(
    config: &Config,
    data: &DataDir,
    generation: u64,
    dimension: usize,
    base: Option<&VectorLocation>,
) -> Result<(Box<dyn VectorIndex>, VectorLocation)> {
    let settings = VectorSettings::of(config);
    let dir = data.generation(generation).join(EDGE_DIR);
    match (config.vector_store.backend, base) {
        // The generation folder was copied with the shard inside.
        (VectorBackend::Edge, Some(VectorLocation::Edge)) => {
            Ok((Box::new(EdgeVectors::open(&dir, &settings)?), VectorLocation::Edge))
        }
        (VectorBackend::Edge, None) => {
            Ok((Box::new(EdgeVectors::create(&dir, dimension, &settings)?), VectorLocation::Edge))
        }
        (VectorBackend::Qdrant, base @ (None | Some(VectorLocation::Qdrant { .. }))) => {
            let collection = collection_name(&collection_prefix(config, data)?, generation);
            let base = match base {
                Some(VectorLocation::Qdrant { collection }) => Some(collection.as_str()),
                _ => None,
            };
            let store = create_server(config, &collection, dimension, &settings, base)?;
            Ok((store, VectorLocation::Qdrant { collection }))
        }
        (backend, Some(location)) => Err(Error::Config(format!(
            "the index in {} keeps its vectors in {location:?}, but the `{backend:?}` backend is configured; \
             move it with `kefu ingest --reembed ...`",
            data.root().display()
        ))),
    }
}

/// Drops the server collections of generations that no longer exist (no-op for the embedded
/// store, whose shards are deleted with their generation folders).
pub fn collect_garbage(config: &Config, data: &DataDir, live_generations: &[u64]) -> Result<usize> {
    if config.vector_store.backend != VectorBackend::Qdrant {
        return Ok(0);
    }
    let prefix = collection_prefix(config, data)?;
    let keep: Vec<String> = live_generations.iter().map(|&g| collection_name(&prefix, g)).collect();
    collect_server_garbage(config, &prefix, &keep)
}

/// `{prefix}_{data folder id}_`: every collection of this data folder starts with it.
fn collection_prefix(config: &Config, data: &DataDir) -> Result<String> {
    Ok(format!("{}_{}_", config.vector_store.collection_prefix, data.id()?))
}

fn collection_name(prefix: &str, generation: u64) -> String {
    format!("{prefix}{generation:08}")
}

#[cfg(feature = "qdrant-server")]
fn open_server(config: &Config, collection: &str, settings: &VectorSettings) -> Result<Box<dyn VectorIndex>> {
    Ok(Box::new(qdrant::QdrantVectors::open(&config.vector_store, collection, settings)?))
}

#[cfg(feature = "qdrant-server")]
fn create_server(
    config: &Config,
    collection: &str,
    dimension: usize,
    settings: &VectorSettings,
    base: Option<&str>,
) -> Result<Box<dyn VectorIndex>> {
    Ok(Box::new(qdrant::QdrantVectors::create(&config.vector_store, collection, dimension, settings, base)?))
}

#[cfg(feature = "qdrant-server")]
fn collect_server_garbage(config: &Config, prefix: &str, keep: &[String]) -> Result<usize> {
    qdrant::QdrantVectors::collect_garbage(&config.vector_store, prefix, keep, &VectorSettings::of(config))
}

#[cfg(not(feature = "qdrant-server"))]
fn open_server(_: &Config, _: &str, _: &VectorSettings) -> Result<Box<dyn VectorIndex>> {
    Err(without_server_feature())
}

#[cfg(not(feature = "qdrant-server"))]
fn create_server(
    _: &Config,
    _: &str,
    _: usize,
    _: &VectorSettings,
    _: Option<&str>,
) -> Result<Box<dyn VectorIndex>> {
    Err(without_server_feature())
}

#[cfg(not(feature = "qdrant-server"))]
fn collect_server_garbage(_: &Config, _: &str, _: &[String]) -> Result<usize> {
    Err(without_server_feature())
}

#[cfg(not(feature = "qdrant-server"))]
fn without_server_feature() -> Error {
    Error::Config("this kefu was built without the `qdrant-server` feature".into())
}

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
    pub fn of(config: &Config) -> Self {
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
    /// Inserts or replaces points, one per chunk with its vector (never called with none).
    fn upsert(&mut self, points: &[(&ChunkRecord, &[f32])]) -> Result<()>;
    /// Deletes every point of these documents (never called with none).
    fn delete_documents(&mut self, doc_ids: &[String]) -> Result<()>;
    /// The `limit` nearest chunks to `vector` under `filter`, as (chunk id, cosine similarity).
    fn search(&self, vector: &[f32], filter: &SearchFilter, limit: usize) -> Result<Vec<(String, f32)>>;
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
