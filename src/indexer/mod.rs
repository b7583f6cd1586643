//! Ingestion: source files to a new index generation.
//!
//! 1. Scan the sources and hash each file together with the pipeline's fingerprint (loader and
//!    chunker version, chunk size, model), and compare with the manifest of the live generation.
//! 2. Load and chunk the added and changed documents (PDFs in a sandboxed child process). A file
//!    that fails keeps its previously indexed version and is reported as skipped.
//! 3. Embed the chunks, then the sentences and table rows answers may quote from them
//!    (`kefu_ingest::quotable`), taking every vector the embedding cache already has; new vectors
//!    are cached as they are computed, so an interrupted run loses no embedding work.
//! 4. Copy the live generation, apply removals and additions to every store, commit them, and
//!    publish the new generation (see [`crate::index::data_dir`]).
//!
//! An unchanged corpus stops after step 1.

pub mod sandbox;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kefu_ingest::{
    Chunk, Chunker, ChunkerConfig, Document, ReadError, SourceFile, content_hash, discover, plan_changes,
    read_source,
};
use serde::Serialize;

use crate::config::Config;
use crate::embed::{Embedder, EmbeddingCache, ModelSpec};
use crate::index::{
    Catalog, ChunkRecord, DataDir, DocumentRecord, GenerationBuilder, IndexInfo, IndexedSource, QuoteVectors,
    VectorLocation, catalog, vectors,
};
use crate::progress::bar as progress;
use crate::{Error, Result};

/// Bump when loaders, the chunker or what is stored per chunk change: every document is
/// re-indexed (its chunks' vectors come from the embedding cache). 4: each chunk's quotables are
/// embedded and stored with it, which an index written before lacks. 5: product pages' catalogue
/// keys are read. 6: quotables are also embedded read under their chunk's headings. 7: a chunk
/// begun inside a table keeps the table's header line. 8: a text file's tables laid out with
/// spaces are read as table rows.
const PIPELINE_VERSION: &str = "kefu-pipeline-8";

/// Chunks embedded per cache commit.
const EMBED_COMMIT_EVERY: usize = 64;

/// What to ingest and how.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Remove indexed documents whose source is no longer found.
    pub prune: bool,
    /// Start from an empty index and embed everything with the configured model (needed after
    /// changing models; vectors of the cache are reused where the model matches).
    pub reembed: bool,
    /// Show progress bars (on a terminal).
    pub progress: bool,
    /// The kefu executable, which loads documents in a child process (see [`sandbox`]).
    pub loader_exe: PathBuf,
}

/// A file that was not (re)indexed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SkippedFile {
    /// The file, or file and row.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The outcome of an ingest (`kefu ingest --json` prints it).
#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    /// Documents in the index after the run.
    pub documents: usize,
    /// Chunks in the index after the run.
    pub chunks: usize,
    /// Documents indexed for the first time.
    pub added: usize,
    /// Documents re-indexed because they changed.
    pub changed: usize,
    /// Documents left as they were.
    pub unchanged: usize,
    /// Documents removed (`--prune`).
    pub deleted: usize,
    /// Chunk texts run through the model.
    pub embedded: usize,
    /// Chunks whose vector came from the embedding cache.
    pub reused: usize,
    /// Sentences and table rows of the new chunks run through the model (answers quote them;
    /// the others came from the embedding cache).
    pub quotes_embedded: usize,
    /// Files not indexed, and FAQ rows left out.
    pub skipped: Vec<SkippedFile>,
    /// The generation live after the run.
    pub generation: Option<u64>,
    /// Wall time.
    pub seconds: f64,
}

/// A document loaded and chunked in this run.
struct Prepared {
    record: DocumentRecord,
    chunks: Vec<ChunkRecord>,
}

/// Runs an ingest of files into `config.data_dir`.
pub fn ingest(config: &Config, options: &IngestOptions) -> Result<IngestReport> {
    let run = Run::start(config, options.reembed)?;
    let limits = &config.ingest;
    let max_bytes = limits.max_file_mib.saturating_mul(1024 * 1024);

    // 1. Scan and compare, by source id (the path-derived id: a front-matter id is only known
    //    once the file is loaded).
    let (files, not_ingested) = discover(&options.paths).map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let mut skipped: Vec<SkippedFile> = not_ingested
        .into_iter()
        .map(|s| SkippedFile { path: s.path.display().to_string(), reason: s.reason })
        .collect();
    let mut hashes = BTreeMap::new();
    let mut unreadable = HashSet::new();
    for file in &files {
        match read_file(&file.path, max_bytes, limits.max_file_mib) {
            Ok(bytes) => {
                hashes.insert(file.doc_id.clone(), content_hash(&run.pipeline, &bytes));
            }
            Err(reason) => {
                unreadable.insert(file.doc_id.clone());
                skipped.push(SkippedFile { path: file.path.display().to_string(), reason });
            }
        }
    }
    let indexed_hashes = run.indexed.iter().map(|(id, s)| (id.clone(), s.content_hash.clone())).collect();
    let plan = plan_changes(&indexed_hashes, &hashes);
    // An unreadable file is not gone: keep what is indexed.
    let gone: Vec<String> = if options.prune {
        plan.gone.iter().filter(|id| !unreadable.contains(*id)).cloned().collect()
    } else {
        Vec::new()
    };
    let mut report = run.report(plan.unchanged.len(), skipped);

    // 2. Load (in the sandbox) and chunk.
    let by_id: HashMap<&str, &SourceFile> = files.iter().map(|f| (f.doc_id.as_str(), f)).collect();
    let to_load: Vec<&SourceFile> =
        plan.added.iter().chain(&plan.changed).map(|id| by_id[id.as_str()]).collect();
    let mut sandbox = sandbox::Sandbox::new(
        &options.loader_exe,
        sandbox::Limits {
            memory_mib: limits.loader_memory_mib,
            timeout: Duration::from_secs(limits.file_timeout_secs),
            max_document_chars: limits.max_document_chars,
        },
    );
    let bar = progress(options.progress, to_load.len(), "loading");
    let mut prepared = Vec::new();
    for file in to_load {
        bar.set_message(file.doc_id.clone());
        let source = file.path.display().to_string();
        // Read again, and hash what is loaded: the file may have changed since the scan.
        let loaded = read_file(&file.path, max_bytes, limits.max_file_mib).and_then(|bytes| {
            let hash = content_hash(&run.pipeline, &bytes);
            let loaded = sandbox.load(file, &bytes)?;
            Ok((prepare(loaded.document, &file.doc_id, &hash, &source, &run.chunker)?, loaded.warnings))
        });
        match loaded {
            Ok((doc, warnings)) => {
                report
                    .skipped
                    .extend(warnings.into_iter().map(|w| SkippedFile { path: source.clone(), reason: w }));
                prepared.push(doc);
            }
            Err(reason) => report.skipped.push(SkippedFile { path: source, reason }),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    drop(sandbox);
    let prepared = run.claim_ids(prepared, &gone, &mut report.skipped);
    run.publish(prepared, gone, report, options.progress)
}

/// Reads a source file, at most `max_bytes` of it; the error names the limit's setting.
fn read_file(path: &Path, max_bytes: u64, max_mib: u64) -> std::result::Result<Vec<u8>, String> {
    read_source(path, max_bytes).map_err(|e| match e {
        ReadError::TooLarge { .. } => format!("the file is larger than ingest.max_file_mib ({max_mib} MiB)"),
        e => e.to_string(),
    })
}

/// Makes the index of `config.data_dir` hold exactly `documents` (records such as the lines of
/// an evaluation corpus, rather than files): adds and re-indexes what changed, removes the rest.
/// `source` names where the documents came from, in the catalog and in messages.
pub fn ingest_documents(
    config: &Config,
    documents: Vec<Document>,
    source: &str,
    show_progress: bool,
) -> Result<IngestReport> {
    let run = Run::start(config, false)?;
    let mut hashes = BTreeMap::new();
    let mut by_id = HashMap::new();
    for document in documents {
        let json = serde_json::to_vec(&document).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        if hashes.insert(document.id.clone(), content_hash(&run.pipeline, &json)).is_some() {
            return Err(Error::InvalidRequest(format!(
                "{source}: document id {:?} appears twice",
                document.id
            )));
        }
        by_id.insert(document.id.clone(), document);
    }
    let indexed_hashes = run.indexed.iter().map(|(id, s)| (id.clone(), s.content_hash.clone())).collect();
    let plan = plan_changes(&indexed_hashes, &hashes);
    let mut report = run.report(plan.unchanged.len(), Vec::new());
    let to_chunk: Vec<&String> = plan.added.iter().chain(&plan.changed).collect();
    let bar = progress(show_progress, to_chunk.len(), "chunking");
    let mut prepared = Vec::with_capacity(to_chunk.len());
    for id in to_chunk {
        let document = by_id.remove(id.as_str()).expect("planned ids come from the documents");
        match prepare(document, id, &hashes[id.as_str()], source, &run.chunker) {
            Ok(doc) => prepared.push(doc),
            Err(reason) => report.skipped.push(SkippedFile { path: format!("{source}: {id}"), reason }),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    run.publish(prepared, plan.gone, report, show_progress)
}

/// What every ingest starts from: the locked data folder, the model and chunker, and the live
/// generation's manifest.
struct Run<'a> {
    config: &'a Config,
    started: Instant,
    data: DataDir,
    lock: crate::index::IngestLock,
    embedder: Embedder,
    chunker: Chunker,
    pipeline: String,
    live: Option<u64>,
    /// The live generation's manifest, by source id.
    indexed: BTreeMap<String, IndexedSource>,
    live_vectors: Option<VectorLocation>,
}

impl<'a> Run<'a> {
    /// Locks the data folder, removes what interrupted runs left, loads the model. With
    /// `reembed`, starts from an empty index.
    fn start(config: &'a Config, reembed: bool) -> Result<Run<'a>> {
        let started = Instant::now();
        let data = DataDir::new(&config.data_dir);
        let lock = data.lock_for_ingest()?;
        let removed_partial = data.collect_garbage(&lock)?;
        if removed_partial > 0 {
            tracing::info!(removed_partial, "removed generations left by interrupted runs");
        }
        let embedder = Embedder::load(config)?;
        let chunker = chunker_for(config, &embedder)?;
        let pipeline = pipeline_fingerprint(embedder.spec(), chunker.config());
        let live = if reembed { None } else { data.current()? };
        let (indexed, live_vectors) = match live {
            Some(generation) => live_manifest(&data, generation, embedder.spec())?,
            None => (BTreeMap::new(), None),
        };
        Ok(Run { config, started, data, lock, embedder, chunker, pipeline, live, indexed, live_vectors })
    }

    /// Drops the prepared documents whose id another source's document holds, with a reason
    /// naming both files. An id stays with the source that holds it in the live index (unless
    /// that source is pruned now), so a file cannot replace another's document by declaring its
    /// id, and the outcome does not flip between runs; among new claims, path-derived ids go
    /// first, then sources in order. An id that a source gives up in this run is free from the
    /// next run on.
    fn claim_ids(
        &self,
        mut prepared: Vec<Prepared>,
        pruned: &[String],
        skipped: &mut Vec<SkippedFile>,
    ) -> Vec<Prepared> {
        let mut owners: HashMap<String, (String, String)> = self
            .indexed
            .iter()
            .filter(|(source_id, _)| !pruned.contains(source_id))
            .map(|(source_id, s)| (s.doc_id.clone(), (source_id.clone(), s.source.clone())))
            .collect();
        prepared.sort_by(|a, b| {
            let custom = |d: &Prepared| d.record.id != d.record.source_id;
            (custom(a), &a.record.source_id).cmp(&(custom(b), &b.record.source_id))
        });
        prepared.retain(|doc| {
            let record = &doc.record;
            match owners.get(&record.id) {
                Some((source_id, path)) if *source_id != record.source_id => {
                    let reason = format!("document id `{}` is already used by {path}", record.id);
                    skipped.push(SkippedFile { path: record.source.clone(), reason });
                    false
                }
                _ => {
                    owners.insert(record.id.clone(), (record.source_id.clone(), record.source.clone()));
                    true
                }
            }
        });
        prepared
    }

    /// An empty report of this run.
    fn report(&self, unchanged: usize, skipped: Vec<SkippedFile>) -> IngestReport {
        IngestReport {
            documents: self.indexed.len(),
            chunks: 0,
            added: 0,
            changed: 0,
            unchanged,
            deleted: 0,
            embedded: 0,
            quotes_embedded: 0,
            reused: 0,
            skipped,
            generation: self.live,
            seconds: 0.0,
        }
    }

    /// Steps 3 and 4: embeds the prepared documents, writes a generation without the documents
    /// of the `gone` sources and the old versions of the prepared ones, and publishes it.
    fn publish(
        self,
        prepared: Vec<Prepared>,
        gone: Vec<String>,
        mut report: IngestReport,
        show_progress: bool,
    ) -> Result<IngestReport> {
        let Run { config, started, data, lock, embedder, live, indexed, live_vectors, .. } = self;
        if prepared.is_empty() && gone.is_empty() && live.is_some() {
            report.chunks = current_chunk_count(&data, live)?;
            report.seconds = started.elapsed().as_secs_f64();
            return Ok(report);
        }

        // 3. Embed.
        let texts: Vec<String> =
            prepared.iter().flat_map(|d| d.chunks.iter().map(|c| c.chunk.indexed_text())).collect();
        let cache = EmbeddingCache::open(&data.embedding_cache())?;
        let (vectors, embedded) = embed_with_cache(&embedder, &cache, &texts, "embedding", show_progress)?;
        report.embedded = embedded;
        report.reused = texts.len() - embedded.min(texts.len());
        // Each quotable is embedded alone and read under its chunk's headings (answering takes
        // the closer of the two to the question).
        let quotables: Vec<Vec<String>> = prepared
            .iter()
            .flat_map(|d| {
                d.chunks.iter().map(|c| {
                    let alone: Vec<String> = c.chunk.quotables().into_iter().map(|q| q.text).collect();
                    let in_context: Vec<String> = alone
                        .iter()
                        .map(|text| c.chunk.quotable_in_context(text))
                        .filter(|text| !alone.contains(text))
                        .collect();
                    alone.into_iter().chain(in_context).collect()
                })
            })
            .collect();
        let quote_texts: Vec<String> = quotables.iter().flatten().cloned().collect();
        let (quote_vectors, quotes_embedded) =
            embed_with_cache(&embedder, &cache, &quote_texts, "embedding sentences", show_progress)?;
        report.quotes_embedded = quotes_embedded;
        let mut quote_vectors = quote_vectors.into_iter();
        let mut quotes = quotables.iter().map(|texts| {
            let vectors: Vec<Vec<f32>> = quote_vectors.by_ref().take(texts.len()).collect();
            QuoteVectors::new(texts.iter().map(String::as_str), &vectors)
        });
        crate::failpoint::hit("ingest.after_embedding");

        // 4. Write a new generation and publish it.
        let spec = embedder.spec();
        let base = live.zip(live_vectors.as_ref());
        let mut builder = GenerationBuilder::begin(&data, &lock, base, spec.dimension, config)?;
        let indexed_id = |source_id: &String| indexed.get(source_id).map(|s| s.doc_id.clone());
        let replaced: Vec<String> = prepared.iter().filter_map(|d| indexed_id(&d.record.source_id)).collect();
        builder.remove_documents(&replaced)?;
        builder.remove_documents(&gone.iter().filter_map(indexed_id).collect::<Vec<_>>())?;
        crate::failpoint::hit("ingest.after_removals");
        let bar = progress(show_progress, texts.len(), "indexing");
        let mut offset = 0;
        for doc in prepared {
            let n = doc.chunks.len();
            report.added += usize::from(!indexed.contains_key(&doc.record.source_id));
            report.changed += usize::from(indexed.contains_key(&doc.record.source_id));
            let doc_quotes = quotes.by_ref().take(n).collect();
            builder.add_document(doc.record, doc.chunks, &vectors[offset..offset + n], doc_quotes)?;
            offset += n;
            bar.inc(n as u64);
        }
        bar.finish_and_clear();
        crate::failpoint::hit("ingest.after_additions");
        let info = IndexInfo {
            format_version: catalog::FORMAT_VERSION,
            model: spec.fingerprint(),
            dimension: spec.dimension,
            vectors: VectorLocation::Edge,
            documents: 0,
            chunks: 0,
            committed_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        let (documents, chunks) = builder.commit(&data, &lock, info)?;
        data.collect_garbage(&lock)?;
        vectors::collect_garbage(config, &data, &data.generation_ids()?)?;
        report.documents = documents;
        report.chunks = chunks;
        report.deleted = gone.len();
        report.generation = data.current()?;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}

/// The chunker for the configured model: chunks fit the model's window together with the
/// passage prefix and the two special tokens.
fn chunker_for(config: &Config, embedder: &Embedder) -> Result<Chunker> {
    let spec = embedder.spec();
    let mut chunker =
        Chunker::new(embedder.tokenizer()?, ChunkerConfig { max_tokens: config.chunking.max_tokens });
    let prefix_tokens =
        if spec.passage_prefix.is_empty() { 0 } else { chunker.count_tokens(&spec.passage_prefix) };
    let window = spec.max_length.saturating_sub(2 + prefix_tokens);
    if window < config.chunking.max_tokens {
        chunker = Chunker::new(embedder.tokenizer()?, ChunkerConfig { max_tokens: window });
    }
    Ok(chunker)
}

fn pipeline_fingerprint(spec: &ModelSpec, chunking: ChunkerConfig) -> String {
    format!("{PIPELINE_VERSION}|{}|max_tokens={}", spec.fingerprint(), chunking.max_tokens)
}

/// The live generation's manifest (by source id) and where its vectors are, refusing another
/// model's index.
fn live_manifest(
    data: &DataDir,
    generation: u64,
    spec: &ModelSpec,
) -> Result<(BTreeMap<String, IndexedSource>, Option<VectorLocation>)> {
    let catalog = Catalog::open_read_only(&data.generation(generation).join("catalog.redb"))?;
    let info = catalog.info()?;
    if let Some(info) = &info
        && info.model != spec.fingerprint()
    {
        return Err(Error::ModelMismatch {
            data_dir: data.root().to_path_buf(),
            indexed: info.model.clone(),
            configured: spec.fingerprint(),
        });
    }
    Ok((catalog.sources()?, info.map(|i| i.vectors)))
}

fn current_chunk_count(data: &DataDir, live: Option<u64>) -> Result<usize> {
    let Some(generation) = live else { return Ok(0) };
    let catalog = Catalog::open_read_only(&data.generation(generation).join("catalog.redb"))?;
    Ok(catalog.info()?.map_or(0, |i| i.chunks))
}

/// Cuts a loaded document into chunks and makes the catalog records of both.
fn prepare(
    document: Document,
    source_id: &str,
    hash: &str,
    source: &str,
    chunker: &Chunker,
) -> std::result::Result<Prepared, String> {
    let chunks: Vec<Chunk> = chunker.chunk(&document);
    if chunks.is_empty() {
        return Err("no text to index".to_string());
    }
    let meta = &document.meta;
    let records = chunks
        .into_iter()
        .map(|chunk| ChunkRecord {
            chunk,
            title: meta.title.clone(),
            url: meta.url.clone(),
            locale: meta.locale.clone(),
            doc_type: meta.doc_type.clone(),
            product: meta.product.clone(),
        })
        .collect::<Vec<_>>();
    let record = DocumentRecord {
        id: document.id.clone(),
        source_id: source_id.to_string(),
        source: source.to_string(),
        content_hash: hash.to_string(),
        format: document.format,
        chunk_ids: records.iter().map(|r| r.chunk.id.clone()).collect(),
        meta: document.meta,
        text: document.text,
    };
    Ok(Prepared { record, chunks: records })
}

/// Vectors for `texts`, from the cache where possible; each distinct missing text is embedded
/// once, and cached as soon as its batch is done. Returns the vectors and how many texts were
/// embedded.
fn embed_with_cache(
    embedder: &Embedder,
    cache: &EmbeddingCache,
    texts: &[String],
    label: &'static str,
    show_progress: bool,
) -> Result<(Vec<Vec<f32>>, usize)> {
    let spec = embedder.spec();
    let fingerprint = spec.fingerprint();
    let keys: Vec<_> = texts
        .iter()
        .map(|t| EmbeddingCache::key(&fingerprint, &format!("{}{t}", spec.passage_prefix)))
        .collect();
    let mut vectors = cache.get_many(&keys)?;
    let mut missing: Vec<usize> = Vec::new();
    let mut first_of_key = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        if vectors[i].is_none() && !first_of_key.contains_key(key) {
            first_of_key.insert(*key, i);
            missing.push(i);
        }
    }
    // Longest first across the whole run, so that every inference batch holds texts of similar
    // length (little padding) and the estimate on the progress bar only improves.
    missing.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
    let bar = progress(show_progress, missing.len(), label);
    for batch in missing.chunks(EMBED_COMMIT_EVERY) {
        let inputs: Vec<String> = batch.iter().map(|&i| texts[i].clone()).collect();
        let computed = embedder.embed_passages(&inputs, |n| bar.inc(n as u64))?;
        let entries: Vec<_> = batch.iter().zip(&computed).map(|(&i, v)| (keys[i], v.as_slice())).collect();
        cache.put_many(&entries)?;
        crate::failpoint::hit("ingest.after_embedding_batch");
        for (&i, vector) in batch.iter().zip(computed) {
            vectors[i] = Some(vector);
        }
    }
    bar.finish_and_clear();
    let vectors = keys
        .iter()
        .enumerate()
        .map(|(i, key)| vectors[i].clone().or_else(|| vectors[first_of_key[key]].clone()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Error::Embedding("a chunk was left without a vector".into()))?;
    Ok((vectors, missing.len()))
}
