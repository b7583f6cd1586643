//! The catalog of a generation: the manifest of documents (source, content hash, chunk ids),
//! the chunks' text and display fields, and what the generation was built with.
//!
//! The catalog is the source of truth; the BM25 and vector indexes are derived from it and store
//! only ids and filter fields. One redb file per generation; readers in other processes open it
//! read-only.

use std::collections::BTreeMap;
use std::path::Path;

use kefu_ingest::{Chunk, Format, Metadata};
use redb::{
    Database, ReadOnlyDatabase, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

const DOCUMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("documents");
const CHUNKS: TableDefinition<&str, &[u8]> = TableDefinition::new("chunks");
const INFO: TableDefinition<&str, &[u8]> = TableDefinition::new("info");
const INFO_KEY: &str = "index";

/// Version of the on-disk layout; a data folder of another version is refused.
pub const FORMAT_VERSION: u32 = 1;

/// A document as indexed: the manifest entry plus what `/v1/documents/{id}` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// Document id.
    pub id: String,
    /// The id of the file it was read from (its path relative to the folder ingested), which
    /// change detection keys on. It differs from `id` when front matter declares an id; empty in
    /// catalogs written before it was recorded, where it was `id`.
    #[serde(default)]
    pub source_id: String,
    /// The file it was read from, as given to `kefu ingest`.
    pub source: String,
    /// Hash of the file and the pipeline that indexed it (see `kefu_ingest::content_hash`).
    pub content_hash: String,
    /// Source format.
    pub format: Format,
    /// Metadata.
    pub meta: Metadata,
    /// The clean text that chunk spans point into.
    pub text: String,
    /// Its chunks, in order.
    pub chunk_ids: Vec<String>,
}

/// What the manifest records of one source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedSource {
    /// The id of the document read from it.
    pub doc_id: String,
    /// Hash of the file and the pipeline that indexed it.
    pub content_hash: String,
    /// The file, as given to `kefu ingest`.
    pub source: String,
}

/// A chunk with the document fields a search result shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkRecord {
    /// The chunk.
    #[serde(flatten)]
    pub chunk: Chunk,
    /// Document title.
    pub title: String,
    /// Document URL.
    pub url: Option<String>,
    /// Document locale.
    pub locale: String,
    /// Document type.
    pub doc_type: Option<String>,
    /// Product.
    pub product: Option<String>,
}

/// What a generation was built with and holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexInfo {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// Fingerprint of the embedding model (`ModelSpec::fingerprint`).
    pub model: String,
    /// Vector dimension.
    pub dimension: usize,
    /// Where the vectors are.
    pub vectors: super::vectors::VectorLocation,
    /// Documents.
    pub documents: usize,
    /// Chunks.
    pub chunks: usize,
    /// Unix time of the commit.
    pub committed_at: u64,
}

enum Db {
    Writable(Database),
    ReadOnly(ReadOnlyDatabase),
}

/// A generation's catalog.
pub struct Catalog {
    db: Db,
}

impl Catalog {
    /// Opens (creating if needed) for writing: only the ingesting process does this.
    pub fn open_writable(path: &Path) -> Result<Catalog> {
        let db = Database::create(path).map_err(|e| open_error(path, e))?;
        Ok(Catalog { db: Db::Writable(db) })
    }

    /// Opens read-only; several processes may do so at once.
    pub fn open_read_only(path: &Path) -> Result<Catalog> {
        let db = ReadOnlyDatabase::open(path).map_err(|e| open_error(path, e))?;
        Ok(Catalog { db: Db::ReadOnly(db) })
    }

    /// What the generation was built with; `None` for a new, empty one.
    pub fn info(&self) -> Result<Option<IndexInfo>> {
        self.read(INFO, None, |table| get_json(table, INFO_KEY))
    }

    /// Every indexed document by the id of its source: the manifest that change detection
    /// compares with.
    pub fn sources(&self) -> Result<BTreeMap<String, IndexedSource>> {
        let by_id = self.map_documents(|record| record)?;
        Ok(by_id
            .into_values()
            .map(|record| {
                let source_id =
                    if record.source_id.is_empty() { record.id.clone() } else { record.source_id };
                let indexed = IndexedSource {
                    doc_id: record.id,
                    content_hash: record.content_hash,
                    source: record.source,
                };
                (source_id, indexed)
            })
            .collect())
    }

    /// Chunk ids of every document, by document id, as the manifest lists them.
    pub fn chunk_ids_by_document(&self) -> Result<BTreeMap<String, Vec<String>>> {
        self.map_documents(|record| record.chunk_ids)
    }

    fn map_documents<T>(&self, field: impl Fn(DocumentRecord) -> T) -> Result<BTreeMap<String, T>> {
        self.read(DOCUMENTS, BTreeMap::new(), |table| {
            let mut map = BTreeMap::new();
            for entry in table.iter().map_err(db_error)? {
                let (id, bytes) = entry.map_err(db_error)?;
                map.insert(id.value().to_string(), field(decode(bytes.value())?));
            }
            Ok(map)
        })
    }

    /// Ids of the chunk records.
    pub fn chunk_ids(&self) -> Result<Vec<String>> {
        self.read(CHUNKS, Vec::new(), |table| {
            table.iter().map_err(db_error)?.map(|e| Ok(e.map_err(db_error)?.0.value().to_string())).collect()
        })
    }

    /// Chunks by id, in the order asked; `None` for unknown ids.
    pub fn chunks(&self, ids: &[String]) -> Result<Vec<Option<ChunkRecord>>> {
        self.read(CHUNKS, vec![None; ids.len()], |table| ids.iter().map(|id| get_json(table, id)).collect())
    }

    /// A document by id.
    pub fn document(&self, id: &str) -> Result<Option<DocumentRecord>> {
        self.read(DOCUMENTS, None, |table| get_json(table, id))
    }

    /// Applies removals and additions in one transaction, durable on return.
    pub fn write(&self, apply: impl FnOnce(&mut CatalogWriter) -> Result<()>) -> Result<()> {
        let Db::Writable(db) = &self.db else {
            return Err(Error::Catalog("opened read-only".into()));
        };
        let txn = db.begin_write().map_err(db_error)?;
        {
            let mut writer = CatalogWriter {
                documents: txn.open_table(DOCUMENTS).map_err(db_error)?,
                chunks: txn.open_table(CHUNKS).map_err(db_error)?,
                info: txn.open_table(INFO).map_err(db_error)?,
            };
            apply(&mut writer)?;
        }
        txn.commit().map_err(db_error)
    }

    /// Runs `read` on a table, or returns `missing` when the table was never written.
    fn read<T>(
        &self,
        definition: TableDefinition<&str, &[u8]>,
        missing: T,
        read: impl FnOnce(&redb::ReadOnlyTable<&str, &[u8]>) -> Result<T>,
    ) -> Result<T> {
        let txn = match &self.db {
            Db::Writable(db) => db.begin_read(),
            Db::ReadOnly(db) => db.begin_read(),
        }
        .map_err(db_error)?;
        match txn.open_table(definition) {
            Ok(table) => read(&table),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(missing),
            Err(e) => Err(db_error(e)),
        }
    }
}

/// Changes to a catalog within one transaction.
pub struct CatalogWriter<'txn> {
    documents: redb::Table<'txn, &'static str, &'static [u8]>,
    chunks: redb::Table<'txn, &'static str, &'static [u8]>,
    info: redb::Table<'txn, &'static str, &'static [u8]>,
}

impl CatalogWriter<'_> {
    /// Removes a document and its chunks; returns whether it was there.
    pub fn remove_document(&mut self, id: &str) -> Result<bool> {
        let Some(bytes) = self.documents.remove(id).map_err(db_error)? else {
            return Ok(false);
        };
        let record: DocumentRecord = decode(bytes.value())?;
        drop(bytes);
        for chunk_id in &record.chunk_ids {
            self.chunks.remove(chunk_id.as_str()).map_err(db_error)?;
        }
        Ok(true)
    }

    /// Adds a document with its chunks (its `chunk_ids` must be theirs).
    pub fn put_document(&mut self, record: &DocumentRecord, chunks: &[ChunkRecord]) -> Result<()> {
        self.documents.insert(record.id.as_str(), encode(record)?.as_slice()).map_err(db_error)?;
        for chunk in chunks {
            self.chunks.insert(chunk.chunk.id.as_str(), encode(chunk)?.as_slice()).map_err(db_error)?;
        }
        Ok(())
    }

    /// Number of documents and chunks now in the catalog.
    pub fn counts(&self) -> Result<(usize, usize)> {
        let documents = self.documents.len().map_err(db_error)?;
        let chunks = self.chunks.len().map_err(db_error)?;
        Ok((documents as usize, chunks as usize))
    }

    /// Records what the generation was built with.
    pub fn set_info(&mut self, info: &IndexInfo) -> Result<()> {
        self.info.insert(INFO_KEY, encode(info)?.as_slice()).map_err(db_error)?;
        Ok(())
    }
}

fn get_json<T: DeserializeOwned>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Option<T>> {
    match table.get(key).map_err(db_error)? {
        Some(bytes) => decode(bytes.value()).map(Some),
        None => Ok(None),
    }
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Catalog(e.to_string()))
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Catalog(format!("corrupt record: {e}")))
}

fn db_error(e: impl Into<redb::Error>) -> Error {
    Error::Catalog(e.into().to_string())
}

fn open_error(path: &Path, e: impl Into<redb::Error>) -> Error {
    match e.into() {
        redb::Error::DatabaseAlreadyOpen => {
            Error::Busy(format!("{} is open in another process", path.display()))
        }
        e => Error::Catalog(format!("{}: {e}", path.display())),
    }
}
