//! qdrant-edge: Qdrant's embedded engine, one shard on disk inside the generation folder.
//!
//! qdrant-edge 0.7 never truncates its write-ahead log and does not replay it on load: changes
//! are durable only after [`VectorIndex::commit`] flushes the segments. The generation scheme
//! of the data folder makes that safe (an uncommitted generation is never published), and the
//! WAL's segments are kept small because each generation copies them.

use std::num::NonZeroUsize;
use std::path::Path;

use qdrant_edge::{
    AnyVariants, Condition, CreateIndex, Distance, EdgeConfig, EdgeOptimizersConfig, EdgeShard,
    EdgeVectorParamsBuilder, FieldCondition, FieldIndexOperations, Filter, JsonPath, Match, MatchAny,
    MatchValue, NamedQuery, PayloadFieldSchema, PayloadSchemaType, PointId, PointInsertOperations,
    PointOperations, PointStruct, QueryEnum, ScrollRequest, SearchParams, SearchRequest, UpdateOperation,
    ValueVariants, VectorInternal, WalOptions, WithVector,
};

use super::{PAYLOAD_FIELDS, VectorIndex, VectorSettings, payload};
use crate::index::catalog::ChunkRecord;
use crate::index::filter::SearchFilter;
use crate::{Error, Result};

/// WAL segment size: small, since a new generation copies the WAL.
const WAL_SEGMENT_BYTES: usize = 4 * 1024 * 1024;

/// A qdrant-edge shard.
pub struct EdgeVectors {
    shard: EdgeShard,
    hnsw_ef: usize,
}

impl EdgeVectors {
    /// Creates an empty shard for vectors of `dimension` (cosine similarity) with keyword
    /// indexes on the payload fields.
    pub fn create(dir: &Path, dimension: usize, settings: &VectorSettings) -> Result<EdgeVectors> {
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let optimizers = EdgeOptimizersConfig {
            indexing_threshold: Some(settings.indexing_threshold_kb),
            ..Default::default()
        };
        let config = EdgeConfig::builder()
            .vector("", EdgeVectorParamsBuilder::new(dimension, Distance::Cosine).build())
            .optimizers(optimizers)
            .wal_options(WalOptions {
                segment_capacity: WAL_SEGMENT_BYTES,
                segment_queue_len: 0,
                retain_closed: NonZeroUsize::MIN,
            })
            .build();
        let shard = EdgeShard::new(dir, config).map_err(store_error)?;
        for field in PAYLOAD_FIELDS {
            shard
                .update(UpdateOperation::FieldIndexOperation(FieldIndexOperations::CreateIndex(
                    CreateIndex {
                        field_name: payload_path(field),
                        field_schema: Some(PayloadFieldSchema::FieldType(PayloadSchemaType::Keyword)),
                    },
                )))
                .map_err(store_error)?;
        }
        Ok(EdgeVectors { shard, hnsw_ef: settings.hnsw_ef })
    }

    /// Opens an existing shard.
    pub fn open(dir: &Path, settings: &VectorSettings) -> Result<EdgeVectors> {
        let shard = EdgeShard::load(dir, None).map_err(|e| {
            let message = e.to_string();
            if message.contains("lock") || message.contains("WouldBlock") {
                Error::Busy(format!(
                    "the vector index {} is open in another process (e.g. `kefu serve`)",
                    dir.display()
                ))
            } else {
                store_error(e)
            }
        })?;
        Ok(EdgeVectors { shard, hnsw_ef: settings.hnsw_ef })
    }
}

impl VectorIndex for EdgeVectors {
    fn upsert(&mut self, points: &[(&ChunkRecord, &[f32])]) -> Result<()> {
        let points = points
            .iter()
            .map(|(record, vector)| {
                let id = uuid(&record.chunk.id)?;
                Ok(PointStruct::new(PointId::Uuid(id), vector.to_vec(), payload(record)).into())
            })
            .collect::<Result<Vec<_>>>()?;
        let operation = PointOperations::UpsertPoints(PointInsertOperations::PointsList(points));
        self.shard.update(UpdateOperation::PointOperation(operation)).map_err(store_error)
    }

    fn delete_documents(&mut self, doc_ids: &[String]) -> Result<()> {
        let any = AnyVariants::Strings(doc_ids.iter().cloned().collect());
        let condition = FieldCondition::new_match(payload_path("doc_id"), Match::Any(MatchAny { any }));
        let filter = Filter { must: Some(vec![Condition::Field(condition)]), ..Filter::default() };
        let operation = PointOperations::DeletePointsByFilter(filter);
        self.shard.update(UpdateOperation::PointOperation(operation)).map_err(store_error)
    }

    fn search(&self, vector: &[f32], filter: &SearchFilter, limit: usize) -> Result<Vec<(String, f32)>> {
        let request = SearchRequest {
            query: QueryEnum::Nearest(NamedQuery {
                query: VectorInternal::Dense(vector.to_vec()),
                using: None,
            }),
            filter: to_qdrant_filter(filter),
            params: Some(SearchParams { hnsw_ef: Some(self.hnsw_ef), ..SearchParams::default() }),
            limit,
            offset: 0,
            with_payload: None,
            with_vector: None,
            score_threshold: None,
        };
        let points = self.shard.search(request).map_err(store_error)?;
        Ok(points.into_iter().map(|p| (chunk_id(p.id), p.score)).collect())
    }

    fn ids(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        let mut offset = None;
        loop {
            let request = ScrollRequest {
                offset,
                limit: Some(1024),
                filter: None,
                with_payload: None,
                with_vector: WithVector::Bool(false),
                order_by: None,
            };
            let (records, next) = self.shard.scroll(request).map_err(store_error)?;
            ids.extend(records.into_iter().map(|r| chunk_id(r.id)));
            match next {
                Some(next) => offset = Some(next),
                None => return Ok(ids),
            }
        }
    }

    fn indexed_count(&self) -> usize {
        self.shard.info().indexed_vectors_count
    }

    fn commit(&mut self) -> Result<()> {
        self.shard.optimize().map_err(store_error)?;
        self.shard.flush();
        Ok(())
    }
}

/// The filter as Qdrant conditions, all required.
fn to_qdrant_filter(filter: &SearchFilter) -> Option<Filter> {
    let must: Vec<Condition> = filter
        .conditions()
        .into_iter()
        .map(|(field, value)| {
            let value = Match::Value(MatchValue { value: ValueVariants::String(value.to_string()) });
            Condition::Field(FieldCondition::new_match(payload_path(field), value))
        })
        .collect();
    (!must.is_empty()).then(|| Filter { must: Some(must), ..Filter::default() })
}

fn chunk_id(id: PointId) -> String {
    match id {
        PointId::Uuid(uuid) => uuid.to_string(),
        PointId::NumId(n) => n.to_string(),
    }
}

/// The JSON path of one of kefu's own top-level payload fields.
fn payload_path(field: &str) -> JsonPath {
    JsonPath::try_from(field).expect("payload field names are plain keys")
}

fn uuid(chunk_id: &str) -> Result<uuid::Uuid> {
    chunk_id.parse().map_err(|_| Error::VectorStore(format!("chunk id `{chunk_id}` is not a UUID")))
}

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::VectorStore(e.to_string())
}
