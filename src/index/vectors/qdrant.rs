//! A Qdrant server or cluster, through qdrant-client (backend `qdrant`).
//!
//! Each index generation gets its own collection, named `{prefix}_{data folder id}_{generation}`:
//! a new generation copies the live collection's points server-side (scroll and upsert) before
//! applying its changes, readers keep using the live collection until `CURRENT` moves, and the
//! collections of deleted generations are dropped by garbage collection. Ingestion therefore has
//! the same all-or-nothing behaviour as with the embedded store.
//!
//! qdrant-client is asynchronous; this store owns a small Tokio runtime and blocks on it, so it
//! must be called from blocking code (the server does so in `spawn_blocking`).

use qdrant_client::Qdrant;
use qdrant_client::qdrant::point_id::PointIdOptions;
use qdrant_client::qdrant::vector_output::Vector as VectorData;
use qdrant_client::qdrant::vectors_output::VectorsOptions;
use qdrant_client::qdrant::{
    Condition, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder, DeletePointsBuilder, Distance,
    FieldType, Filter, OptimizersConfigDiffBuilder, PointId, PointStruct, QueryPointsBuilder, RetrievedPoint,
    ScrollPointsBuilder, SearchParamsBuilder, UpsertPointsBuilder, VectorParamsBuilder,
};

use super::{PAYLOAD_FIELDS, VectorIndex, VectorSettings, payload};
use crate::config::VectorStoreConfig;
use crate::index::catalog::ChunkRecord;
use crate::index::filter::SearchFilter;
use crate::{Error, Result};

/// Points per request when copying or listing.
const PAGE: u32 = 512;

/// One collection of a Qdrant server.
pub struct QdrantVectors {
    client: Qdrant,
    runtime: tokio::runtime::Runtime,
    collection: String,
    hnsw_ef: usize,
}

impl QdrantVectors {
    /// Connects to the configured server for `collection` (which need not exist yet).
    pub fn connect(config: &VectorStoreConfig, collection: &str, settings: &VectorSettings) -> Result<Self> {
        let url =
            config.url.as_deref().ok_or_else(|| Error::Config("`vector_store.url` is not set".into()))?;
        let api_key = std::env::var(&config.api_key_env).ok().filter(|k| !k.is_empty());
        let client =
            Qdrant::from_url(url).api_key(api_key).skip_compatibility_check().build().map_err(store_error)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| Error::VectorStore(format!("cannot start the Qdrant client runtime: {e}")))?;
        Ok(QdrantVectors { client, runtime, collection: collection.to_string(), hnsw_ef: settings.hnsw_ef })
    }

    /// Connects to an existing collection, failing clearly if the server or the collection is
    /// not there.
    pub fn open(config: &VectorStoreConfig, collection: &str, settings: &VectorSettings) -> Result<Self> {
        let store = Self::connect(config, collection, settings)?;
        let exists =
            store.runtime.block_on(store.client.collection_exists(collection)).map_err(store_error)?;
        if !exists {
            return Err(Error::VectorStore(format!(
                "collection `{collection}` does not exist on the server"
            )));
        }
        Ok(store)
    }

    /// Creates the collection (cosine, keyword indexes on the payload fields); with `base`,
    /// copies every point of that collection into it.
    pub fn create(
        config: &VectorStoreConfig,
        collection: &str,
        dimension: usize,
        settings: &VectorSettings,
        base: Option<&str>,
    ) -> Result<Self> {
        let store = Self::connect(config, collection, settings)?;
        store.runtime.block_on(async {
            let client = &store.client;
            if client.collection_exists(collection).await.map_err(store_error)? {
                // Left by an interrupted ingest of the same generation number.
                client.delete_collection(collection).await.map_err(store_error)?;
            }
            let optimizers = OptimizersConfigDiffBuilder::default()
                .indexing_threshold(settings.indexing_threshold_kb as u64);
            client
                .create_collection(
                    CreateCollectionBuilder::new(collection)
                        .vectors_config(VectorParamsBuilder::new(dimension as u64, Distance::Cosine))
                        .optimizers_config(optimizers),
                )
                .await
                .map_err(store_error)?;
            for field in PAYLOAD_FIELDS {
                client
                    .create_field_index(
                        CreateFieldIndexCollectionBuilder::new(collection, field, FieldType::Keyword)
                            .wait(true),
                    )
                    .await
                    .map_err(store_error)?;
            }
            if let Some(base) = base {
                store.copy_points(base).await?;
            }
            Ok::<_, Error>(())
        })?;
        Ok(store)
    }

    /// Deletes the collections of this data folder (`{prefix}_{data id}_…`) that are not in
    /// `keep`. Returns how many were deleted.
    pub fn collect_garbage(
        config: &VectorStoreConfig,
        collection_prefix: &str,
        keep: &[String],
        settings: &VectorSettings,
    ) -> Result<usize> {
        let store = Self::connect(config, "", settings)?;
        store.runtime.block_on(async {
            let collections = store.client.list_collections().await.map_err(store_error)?.collections;
            let mut deleted = 0;
            for name in collections.into_iter().map(|c| c.name) {
                if name.starts_with(collection_prefix) && !keep.contains(&name) {
                    store.client.delete_collection(name).await.map_err(store_error)?;
                    deleted += 1;
                }
            }
            Ok(deleted)
        })
    }

    async fn copy_points(&self, from: &str) -> Result<()> {
        let mut offset = None;
        loop {
            let (points, next) = self.scroll_page(from, offset, true).await?;
            let points = points.into_iter().map(to_point_struct).collect::<Result<Vec<_>>>()?;
            if !points.is_empty() {
                self.client
                    .upsert_points(UpsertPointsBuilder::new(&self.collection, points).wait(true))
                    .await
                    .map_err(store_error)?;
            }
            match next {
                Some(next) => offset = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// One page of `collection`'s points from `offset` (with payloads and vectors when `full`),
    /// and the offset of the next page.
    async fn scroll_page(
        &self,
        collection: &str,
        offset: Option<PointId>,
        full: bool,
    ) -> Result<(Vec<RetrievedPoint>, Option<PointId>)> {
        let mut request =
            ScrollPointsBuilder::new(collection).limit(PAGE).with_payload(full).with_vectors(full);
        if let Some(offset) = offset {
            request = request.offset(offset);
        }
        let page = self.client.scroll(request).await.map_err(store_error)?;
        Ok((page.result, page.next_page_offset))
    }
}

impl VectorIndex for QdrantVectors {
    fn upsert(&mut self, points: &[(&ChunkRecord, &[f32])]) -> Result<()> {
        let points = points
            .iter()
            .map(|(record, vector)| {
                let payload = qdrant_client::Payload::try_from(payload(record)).map_err(store_error)?;
                Ok(PointStruct::new(record.chunk.id.clone(), vector.to_vec(), payload))
            })
            .collect::<Result<Vec<_>>>()?;
        let request = UpsertPointsBuilder::new(&self.collection, points).wait(true);
        self.runtime
            .block_on(self.client.upsert_points_chunked(request, PAGE as usize))
            .map_err(store_error)?;
        Ok(())
    }

    fn delete_documents(&mut self, doc_ids: &[String]) -> Result<()> {
        let filter = Filter::must([Condition::matches("doc_id", doc_ids.to_vec())]);
        let request = DeletePointsBuilder::new(&self.collection).points(filter).wait(true);
        self.runtime.block_on(self.client.delete_points(request)).map_err(store_error)?;
        Ok(())
    }

    fn search(&self, vector: &[f32], filter: &SearchFilter, limit: usize) -> Result<Vec<(String, f32)>> {
        let mut request = QueryPointsBuilder::new(&self.collection)
            .query(vector.to_vec())
            .limit(limit as u64)
            .params(SearchParamsBuilder::default().hnsw_ef(self.hnsw_ef as u64));
        let conditions: Vec<Condition> = filter
            .conditions()
            .into_iter()
            .map(|(field, value)| Condition::matches(field, value.to_string()))
            .collect();
        if !conditions.is_empty() {
            request = request.filter(Filter::must(conditions));
        }
        let response = self.runtime.block_on(self.client.query(request)).map_err(store_error)?;
        response.result.into_iter().map(|p| Ok((chunk_id(p.id)?, p.score))).collect()
    }

    fn ids(&self) -> Result<Vec<String>> {
        self.runtime.block_on(async {
            let (mut ids, mut offset) = (Vec::new(), None);
            loop {
                let (points, next) = self.scroll_page(&self.collection, offset, false).await?;
                for point in points {
                    ids.push(chunk_id(point.id)?);
                }
                match next {
                    Some(next) => offset = Some(next),
                    None => return Ok(ids),
                }
            }
        })
    }

    fn indexed_count(&self) -> usize {
        self.runtime
            .block_on(self.client.collection_info(&self.collection))
            .ok()
            .and_then(|info| info.result)
            .and_then(|info| info.indexed_vectors_count)
            .unwrap_or(0) as usize
    }

    fn commit(&mut self) -> Result<()> {
        // Every write above waited for the server to apply it.
        Ok(())
    }
}

fn to_point_struct(point: RetrievedPoint) -> Result<PointStruct> {
    let id = point.id.ok_or_else(|| Error::VectorStore("point without id".into()))?;
    let vector = match point.vectors.and_then(|v| v.vectors_options) {
        Some(VectorsOptions::Vector(output)) => match output.into_vector() {
            VectorData::Dense(dense) => dense.data,
            _ => return Err(Error::VectorStore("not a dense vector".into())),
        },
        _ => return Err(Error::VectorStore("point without its vector".into())),
    };
    Ok(PointStruct::new(id, vector, point.payload))
}

fn chunk_id(id: Option<PointId>) -> Result<String> {
    match id.and_then(|id| id.point_id_options) {
        Some(PointIdOptions::Uuid(uuid)) => Ok(uuid),
        Some(PointIdOptions::Num(n)) => Ok(n.to_string()),
        None => Err(Error::VectorStore("point without id".into())),
    }
}

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::VectorStore(format!("Qdrant server: {e}"))
}
