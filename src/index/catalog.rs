//! The catalog of a generation: the manifest of documents (source, content hash, chunk ids),
//! the chunks' text and display fields, and what the generation was built with.
//!
//! The catalog is the source of truth; the BM25 and vector indexes are derived from it and store
//! only ids and filter fields. One redb file per generation; readers in other processes open it
//! read-only.

use std::collections::BTreeMap;
use std::path::Path;

use kefu_ingest::product::Product;
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
/// The vectors of each chunk's quotables, by chunk id (catalogs written before it have none).
const QUOTES: TableDefinition<&str, &[u8]> = TableDefinition::new("quotes");
/// The catalogue entries of product pages, by document id (catalogs written before it have none).
const PRODUCTS: TableDefinition<&str, &[u8]> = TableDefinition::new("products");
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

/// A document without its text or chunks: one line of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentEntry {
    /// Document id.
    pub id: String,
    /// Source format.
    pub format: Format,
    /// Its number of chunks.
    pub chunks: usize,
    /// Metadata.
    pub meta: Metadata,
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

/// The vectors of a chunk's quotables (its sentences and table rows, `kefu_ingest::quotable`),
/// embedded at ingestion so that choosing what to quote embeds nothing at answer time. Each is
/// kept with a hash of its text, so a quotable cut differently at answer time is simply not found.
/// Stored as 16-bit floats: half the space, cosine similarities change in the third decimal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuoteVectors {
    entries: Vec<(u64, Vec<f32>)>,
}

impl QuoteVectors {
    /// The vectors of `texts` (in the same order).
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>, vectors: &[Vec<f32>]) -> QuoteVectors {
        QuoteVectors { entries: texts.into_iter().map(text_hash).zip(vectors.iter().cloned()).collect() }
    }

    /// The vector of the quotable with this text.
    pub fn get(&self, text: &str) -> Option<&[f32]> {
        let hash = text_hash(text);
        self.entries.iter().find(|(h, _)| *h == hash).map(|(_, v)| v.as_slice())
    }

    /// Number of quotables.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `dimension` (u32), then per quotable its hash (u64) and its vector (f16), little-endian.
    fn encode(&self) -> Vec<u8> {
        let dimension = self.entries.first().map_or(0, |(_, v)| v.len());
        let mut bytes = Vec::with_capacity(4 + self.entries.len() * (8 + 2 * dimension));
        bytes.extend_from_slice(&(dimension as u32).to_le_bytes());
        for (hash, vector) in &self.entries {
            bytes.extend_from_slice(&hash.to_le_bytes());
            for &x in vector {
                bytes.extend_from_slice(&half::f16::from_f32(x).to_le_bytes());
            }
        }
        bytes
    }

    fn decode(bytes: &[u8]) -> Result<QuoteVectors> {
        let corrupt = || Error::Catalog("corrupt quote vectors".into());
        let (dimension, rest) = bytes.split_first_chunk::<4>().ok_or_else(corrupt)?;
        let dimension = u32::from_le_bytes(*dimension) as usize;
        let stride = 8 + 2 * dimension;
        if rest.len() % stride != 0 {
            return Err(corrupt());
        }
        let entries = rest
            .chunks_exact(stride)
            .map(|entry| {
                let (hash, vector) = entry.split_at(8);
                let hash = u64::from_le_bytes(hash.try_into().expect("8 bytes"));
                let vector =
                    vector.chunks_exact(2).map(|x| half::f16::from_le_bytes([x[0], x[1]]).to_f32()).collect();
                (hash, vector)
            })
            .collect();
        Ok(QuoteVectors { entries })
    }
}

fn text_hash(text: &str) -> u64 {
    let hash = blake3::hash(text.as_bytes());
    u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"))
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

    /// Every document's id, metadata and number of chunks, by id (no text): what the console
    /// lists.
    pub fn document_entries(&self) -> Result<Vec<DocumentEntry>> {
        let entries = self.map_documents(|record| DocumentEntry {
            id: record.id,
            format: record.format,
            chunks: record.chunk_ids.len(),
            meta: record.meta,
        })?;
        Ok(entries.into_values().collect())
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

    /// The shop's catalogue: the products of this generation's product pages, by document id.
    pub fn products(&self) -> Result<Vec<Product>> {
        self.read(PRODUCTS, Vec::new(), |table| {
            let mut products = Vec::new();
            for entry in table.iter().map_err(db_error)? {
                products.push(decode(entry.map_err(db_error)?.1.value())?);
            }
            Ok(products)
        })
    }

    /// The vectors of a chunk's quotables; `None` when the catalog has none for it.
    pub fn quotes(&self, chunk_id: &str) -> Result<Option<QuoteVectors>> {
        self.read(QUOTES, None, |table| match table.get(chunk_id).map_err(db_error)? {
            Some(bytes) => QuoteVectors::decode(bytes.value()).map(Some),
            None => Ok(None),
        })
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
                quotes: txn.open_table(QUOTES).map_err(db_error)?,
                products: txn.open_table(PRODUCTS).map_err(db_error)?,
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
    quotes: redb::Table<'txn, &'static str, &'static [u8]>,
    products: redb::Table<'txn, &'static str, &'static [u8]>,
}

impl CatalogWriter<'_> {
    /// Removes a document and its chunks; returns whether it was there.
    pub fn remove_document(&mut self, id: &str) -> Result<bool> {
        let Some(bytes) = self.documents.remove(id).map_err(db_error)? else {
            return Ok(false);
        };
        let record: DocumentRecord = decode(bytes.value())?;
        drop(bytes);
        self.products.remove(id).map_err(db_error)?;
        for chunk_id in &record.chunk_ids {
            self.chunks.remove(chunk_id.as_str()).map_err(db_error)?;
            self.quotes.remove(chunk_id.as_str()).map_err(db_error)?;
        }
        Ok(true)
    }

    /// Adds a document with its chunks (its `chunk_ids` must be theirs) and their quotables'
    /// vectors (in the same order as the chunks), and its catalogue entry when it is a product page.
    pub fn put_document(
        &mut self,
        record: &DocumentRecord,
        chunks: &[ChunkRecord],
        quotes: &[QuoteVectors],
    ) -> Result<()> {
        self.documents.insert(record.id.as_str(), encode(record)?.as_slice()).map_err(db_error)?;
        match kefu_ingest::product::product(&record.id, &record.meta, &record.text) {
            Some(product) => {
                self.products.insert(record.id.as_str(), encode(&product)?.as_slice()).map_err(db_error)?;
            }
            None => {
                self.products.remove(record.id.as_str()).map_err(db_error)?;
            }
        }
        for (i, chunk) in chunks.iter().enumerate() {
            let id = chunk.chunk.id.as_str();
            self.chunks.insert(id, encode(chunk)?.as_slice()).map_err(db_error)?;
            match quotes.get(i) {
                Some(quotes) if !quotes.is_empty() => {
                    self.quotes.insert(id, quotes.encode().as_slice()).map_err(db_error)?;
                }
                _ => {
                    self.quotes.remove(id).map_err(db_error)?;
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, chunk_ids: &[&str]) -> DocumentRecord {
        DocumentRecord {
            id: id.into(),
            source_id: id.into(),
            source: id.into(),
            content_hash: "h".into(),
            format: Format::Markdown,
            meta: Metadata::default(),
            text: String::new(),
            chunk_ids: chunk_ids.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn chunk(id: &str, doc_id: &str) -> ChunkRecord {
        ChunkRecord {
            chunk: Chunk {
                id: id.into(),
                doc_id: doc_id.into(),
                ordinal: 0,
                breadcrumb: Vec::new(),
                text: "A sentence.".into(),
                span: (0, 11),
                question: None,
                tags: Vec::new(),
                table_header: None,
            },
            title: String::new(),
            url: None,
            locale: "en".into(),
            doc_type: None,
            product: None,
        }
    }

    #[test]
    fn quote_vectors_are_found_by_text_and_survive_their_encoding() {
        let vectors = vec![vec![0.25, -0.5, 0.125], vec![0.1, 0.2, 0.3]];
        let quotes = QuoteVectors::new(["Returns are free.", "Canada — cost: $9.95"], &vectors);
        let decoded = QuoteVectors::decode(&quotes.encode()).unwrap();
        assert_eq!(decoded.get("Returns are free."), Some(&[0.25, -0.5, 0.125][..]), "exact in f16");
        let second = decoded.get("Canada — cost: $9.95").unwrap();
        assert!(second.iter().zip(&vectors[1]).all(|(a, b)| (a - b).abs() < 1e-3), "{second:?}");
        assert_eq!(decoded.get("Returns are free"), None, "another text is another quotable");
        assert!(QuoteVectors::decode(&quotes.encode()[..9]).is_err(), "a cut record is refused");
    }

    #[test]
    fn a_removed_document_takes_its_quote_vectors_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open_writable(&dir.path().join("catalog.redb")).unwrap();
        let quotes = vec![QuoteVectors::new(["A sentence."], &[vec![1.0, 0.0]])];
        catalog.write(|w| w.put_document(&record("d", &["d#0"]), &[chunk("d#0", "d")], &quotes)).unwrap();
        assert_eq!(catalog.quotes("d#0").unwrap().unwrap().get("A sentence."), Some(&[1.0, 0.0][..]));
        catalog.write(|w| w.remove_document("d").map(drop)).unwrap();
        assert_eq!(catalog.quotes("d#0").unwrap(), None);
    }
}
