//! The index: per generation, a catalog (documents and chunks), a BM25 index and a vector index.
//!
//! [`Index`] opens the live generation for reading; [`GenerationBuilder`] makes the next one.
//! See [`data_dir`] for how generations make ingestion atomic and crash-safe.

pub mod catalog;
pub mod data_dir;
pub mod filter;
pub mod text;
pub mod vectors;

use std::collections::BTreeSet;
use std::path::PathBuf;

pub use catalog::{Catalog, ChunkRecord, DocumentRecord, IndexInfo, IndexedSource, QuoteVectors};
pub use data_dir::{DataDir, IngestLock};
pub use filter::SearchFilter;
use text::{TextIndex, TextWriter};
use vectors::VectorIndex;
pub use vectors::VectorLocation;

use kefu_ingest::product::Product;

use crate::config::Config;
use crate::{Error, Result};

pub(crate) const TEXT_DIR: &str = "text";
const CATALOG_FILE: &str = "catalog.redb";

/// The live generation, open for reading.
pub struct Index {
    generation: u64,
    info: IndexInfo,
    catalog: Catalog,
    text: TextIndex,
    vectors: Box<dyn VectorIndex>,
    products: Vec<Product>,
    _reader_lock: data_dir::ReaderLock,
}

impl Index {
    /// Opens the generation `CURRENT` names.
    pub fn open(data: &DataDir, config: &Config) -> Result<Index> {
        let generation = data.current()?.ok_or_else(|| Error::NoIndex(data.root().to_path_buf()))?;
        let reader_lock = data.lock_for_reading(generation)?;
        let path = data.generation(generation);
        let catalog = Catalog::open_read_only(&path.join(CATALOG_FILE))?;
        let info =
            catalog.info()?.ok_or_else(|| Error::Catalog(format!("{} has no index info", path.display())))?;
        if info.format_version != catalog::FORMAT_VERSION {
            return Err(Error::Catalog(format!(
                "{} was written by an incompatible kefu (format {}, expected {}): re-ingest into a new data folder",
                path.display(),
                info.format_version,
                catalog::FORMAT_VERSION
            )));
        }
        let text = TextIndex::open(&path.join(TEXT_DIR))?;
        let vectors = vectors::open(&info.vectors, &path, config)?;
        let products = catalog.products()?;
        Ok(Index { generation, info, catalog, text, vectors, products, _reader_lock: reader_lock })
    }

    /// The generation number.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// What it was built with.
    pub fn info(&self) -> &IndexInfo {
        &self.info
    }

    /// Documents and chunks.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The shop's catalogue: the products of this generation's product pages.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The BM25 index.
    pub fn text(&self) -> &TextIndex {
        &self.text
    }

    /// The vector index.
    pub fn vectors(&self) -> &dyn VectorIndex {
        self.vectors.as_ref()
    }

    /// Checks that the manifest, the chunk records, the BM25 index and the vector index hold
    /// exactly the same chunks, each once (`kefu status --verify`; the crash tests rely on it).
    pub fn verify(&self) -> Result<Consistency> {
        let manifest = self.catalog.chunk_ids_by_document()?;
        let listed: Vec<String> = manifest.values().flatten().cloned().collect();
        let records = self.catalog.chunk_ids()?;
        let text = self.text.chunk_ids()?;
        let vectors = self.vectors.ids()?;
        let mut problems = Vec::new();
        let expected: BTreeSet<&String> = listed.iter().collect();
        if expected.len() != listed.len() {
            problems.push(format!("the manifest lists {} chunk ids twice", listed.len() - expected.len()));
        }
        for (store, ids) in [("chunk records", &records), ("BM25 index", &text), ("vector index", &vectors)] {
            let found: BTreeSet<&String> = ids.iter().collect();
            if found.len() != ids.len() {
                problems.push(format!("{store}: {} duplicate chunks", ids.len() - found.len()));
            }
            let orphans = found.difference(&expected).count();
            let missing = expected.difference(&found).count();
            if orphans > 0 {
                problems.push(format!("{store}: {orphans} chunks of no indexed document"));
            }
            if missing > 0 {
                problems.push(format!("{store}: {missing} chunks missing"));
            }
        }
        Ok(Consistency {
            documents: manifest.len(),
            chunks: listed.len(),
            text_chunks: text.len(),
            vector_points: vectors.len(),
            problems,
        })
    }
}

/// The outcome of [`Index::verify`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct Consistency {
    /// Documents in the manifest.
    pub documents: usize,
    /// Chunks the manifest lists.
    pub chunks: usize,
    /// Documents in the BM25 index.
    pub text_chunks: usize,
    /// Points in the vector index.
    pub vector_points: usize,
    /// Every disagreement found; empty when consistent.
    pub problems: Vec<String>,
}

/// A new generation being built from a copy of the live one. Nothing is visible to readers
/// until [`GenerationBuilder::commit`] returns.
pub struct GenerationBuilder {
    id: u64,
    path: PathBuf,
    text: TextWriter,
    vectors: Box<dyn VectorIndex>,
    location: VectorLocation,
    removed: Vec<String>,
    added: Vec<(DocumentRecord, Vec<ChunkRecord>, Vec<QuoteVectors>)>,
}

impl GenerationBuilder {
    /// Starts the next generation: a copy of the live generation `base` (its number and where
    /// its vectors are), or empty (with vectors of `dimension`).
    pub fn begin(
        data: &DataDir,
        lock: &IngestLock,
        base: Option<(u64, &VectorLocation)>,
        dimension: usize,
        config: &Config,
    ) -> Result<GenerationBuilder> {
        let (id, path) = data.begin(lock, base.map(|(generation, _)| generation))?;
        let text = TextIndex::open_or_create(&path.join(TEXT_DIR))?.writer()?;
        let (vectors, location) =
            vectors::create(config, data, id, dimension, base.map(|(_, location)| location))?;
        Ok(GenerationBuilder { id, path, text, vectors, location, removed: Vec::new(), added: Vec::new() })
    }

    /// Removes documents (all their chunks) from every store.
    pub fn remove_documents(&mut self, doc_ids: &[String]) -> Result<()> {
        for id in doc_ids {
            self.text.delete_document(id);
        }
        if !doc_ids.is_empty() {
            self.vectors.delete_documents(doc_ids)?;
        }
        self.removed.extend_from_slice(doc_ids);
        Ok(())
    }

    /// Adds a document's chunks with their vectors and their quotables' vectors (in the same
    /// order).
    pub fn add_document(
        &mut self,
        document: DocumentRecord,
        chunks: Vec<ChunkRecord>,
        vectors: &[Vec<f32>],
        quotes: Vec<QuoteVectors>,
    ) -> Result<()> {
        for chunk in &chunks {
            self.text.add(chunk)?;
        }
        let points: Vec<(&ChunkRecord, &[f32])> =
            chunks.iter().zip(vectors.iter().map(Vec::as_slice)).collect();
        if !points.is_empty() {
            self.vectors.upsert(&points)?;
        }
        self.added.push((document, chunks, quotes));
        Ok(())
    }

    /// Commits every store of the generation, then publishes it: the single point at which the
    /// change becomes visible. Returns (documents, chunks) now indexed.
    pub fn commit(
        mut self,
        data: &DataDir,
        lock: &IngestLock,
        mut info: IndexInfo,
    ) -> Result<(usize, usize)> {
        crate::failpoint::hit("commit.before_text");
        self.text.commit()?;
        crate::failpoint::hit("commit.before_vectors");
        self.vectors.commit()?;
        drop(self.vectors);
        crate::failpoint::hit("commit.before_catalog");
        let catalog = Catalog::open_writable(&self.path.join(CATALOG_FILE))?;
        let mut counts = (0, 0);
        catalog.write(|writer| {
            for id in &self.removed {
                writer.remove_document(id)?;
            }
            for (document, chunks, quotes) in &self.added {
                writer.put_document(document, chunks, quotes)?;
            }
            counts = writer.counts()?;
            (info.documents, info.chunks) = counts;
            info.vectors = self.location.clone();
            writer.set_info(&info)
        })?;
        drop(catalog);
        crate::failpoint::hit("commit.before_publish");
        data.publish(lock, self.id)?;
        Ok(counts)
    }
}
