//! Embeddings: chunks and questions to vectors with fastembed on ONNX Runtime.
//!
//! ONNX Runtime is a shared library loaded at run time (fastembed's `ort-load-dynamic`), so that
//! kefu builds without downloading anything; `make setup` provides the library and the model.

pub mod cache;
pub mod model;
pub mod vector;

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};

use fastembed::{InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel};

pub use cache::EmbeddingCache;
pub use model::{ModelSource, ModelSpec};

use crate::config::Config;
use crate::{Error, Result};

/// The ONNX Runtime release `make setup` installs.
pub const ORT_LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";

/// Most questions embedded in one inference call.
const MAX_QUERY_BATCH: usize = 16;

/// A loaded embedding model.
pub struct Embedder {
    spec: ModelSpec,
    model: Arc<Mutex<TextEmbedding>>,
    batch_size: usize,
    /// The queue of the question batcher, started on the first question.
    queries: OnceLock<Sender<QueryJob>>,
}

/// A question waiting to be embedded, and where its vector goes.
struct QueryJob {
    text: String,
    reply: SyncSender<Result<Vec<f32>, String>>,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder").field("spec", &self.spec).finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads ONNX Runtime (once per process) and the configured model.
    pub fn load(config: &Config) -> Result<Embedder> {
        load_onnxruntime(config)?;
        let threads = config.embedding.threads;
        match model::resolve(config)? {
            ModelSource::Local(dir) => {
                let spec = model::read_local(&dir)?;
                let read = |file: &str| {
                    let path = dir.join(file);
                    std::fs::read(&path).map_err(Error::io(path))
                };
                let files = TokenizerFiles {
                    tokenizer_file: read("tokenizer.json")?,
                    config_file: read("config.json")?,
                    special_tokens_map_file: read("special_tokens_map.json")?,
                    tokenizer_config_file: read("tokenizer_config.json")?,
                };
                let pooling = match spec.pooling {
                    model::PoolingKind::Mean => Pooling::Mean,
                    model::PoolingKind::Cls => Pooling::Cls,
                };
                let user_model =
                    UserDefinedEmbeddingModel::new(read("model.onnx")?, files).with_pooling(pooling);
                let mut options = InitOptionsUserDefined::new().with_max_length(spec.max_length);
                if threads > 0 {
                    options = options.with_intra_threads(threads);
                }
                let model = TextEmbedding::try_new_from_user_defined(user_model, options)
                    .map_err(|e| Error::Embedding(format!("loading {}: {e}", dir.display())))?;
                Ok(Embedder::new(spec, model, config.embedding.batch_size))
            }
            ModelSource::Catalog(code) => load_catalog(config, &code),
        }
    }

    fn new(spec: ModelSpec, model: TextEmbedding, batch_size: usize) -> Embedder {
        Embedder { spec, model: Arc::new(Mutex::new(model)), batch_size, queries: OnceLock::new() }
    }

    /// The model's settings.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The model's tokenizer, which the chunker measures chunks with.
    pub fn tokenizer(&self) -> Result<tokenizers::Tokenizer> {
        Ok(lock(&self.model)?.tokenizer.clone())
    }

    /// Embeds a question (with the model's query prefix). Questions asked at the same time
    /// from several threads are embedded together, in one inference call: under load, one call
    /// for a few short inputs costs little more than a call for one, so latency stops growing
    /// with the number of requests waiting.
    pub fn embed_query(&self, question: &str) -> Result<Vec<f32>> {
        let queue = self.queries.get_or_init(|| {
            let (sender, receiver) = std::sync::mpsc::channel();
            let (model, dimension) = (self.model.clone(), self.spec.dimension);
            std::thread::Builder::new()
                .name("kefu-query-embedder".into())
                .spawn(move || embed_queued_questions(&model, dimension, &receiver))
                .expect("the query embedding thread starts");
            sender
        });
        let (reply, vector) = std::sync::mpsc::sync_channel(1);
        let text = format!("{}{question}", self.spec.query_prefix);
        queue
            .send(QueryJob { text, reply })
            .map_err(|_| Error::Embedding("the query embedder stopped".into()))?;
        vector
            .recv()
            .map_err(|_| Error::Embedding("the query embedder stopped".into()))?
            .map_err(Error::Embedding)
    }

    /// Embeds chunk texts (with the model's passage prefix), batching inputs of similar length
    /// together so that little of each batch is padding. `progress` is called with the number of
    /// texts done after each batch. Vectors come back in the order of `texts`.
    pub fn embed_passages(&self, texts: &[String], progress: impl FnMut(usize)) -> Result<Vec<Vec<f32>>> {
        self.embed_batches(&self.spec.passage_prefix, texts, progress)
    }

    /// Embeds many questions at once (with the model's query prefix), as
    /// [`Embedder::embed_passages`] does chunks: for grouping stored questions, not for
    /// answering one.
    pub fn embed_questions(&self, texts: &[String], progress: impl FnMut(usize)) -> Result<Vec<Vec<f32>>> {
        self.embed_batches(&self.spec.query_prefix, texts, progress)
    }

    fn embed_batches(
        &self,
        prefix: &str,
        texts: &[String],
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<Vec<f32>>> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut vectors = vec![Vec::new(); texts.len()];
        for batch in order.chunks(self.batch_size) {
            let inputs: Vec<String> = batch.iter().map(|&i| format!("{prefix}{}", texts[i])).collect();
            for (&i, vector) in batch.iter().zip(run(&self.model, self.spec.dimension, &inputs)?) {
                vectors[i] = vector;
            }
            progress(batch.len());
        }
        Ok(vectors)
    }
}

/// The question batcher: takes the first question waiting and every other one already queued
/// behind it (no waiting for more), embeds them in one call, and answers each. Ends when the
/// [`Embedder`] is dropped.
fn embed_queued_questions(model: &Mutex<TextEmbedding>, dimension: usize, queue: &Receiver<QueryJob>) {
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_QUERY_BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let texts: Vec<String> = jobs.iter().map(|job| job.text.clone()).collect();
        match run(model, dimension, &texts) {
            Ok(vectors) => {
                for (job, vector) in jobs.into_iter().zip(vectors) {
                    // The asker may have given up (a timed-out request): nothing to do.
                    let _ = job.reply.send(Ok(vector));
                }
            }
            Err(e) => {
                let message = match e {
                    Error::Embedding(message) => message,
                    other => other.to_string(),
                };
                for job in jobs {
                    let _ = job.reply.send(Err(message.clone()));
                }
            }
        }
    }
}

/// One inference call, with the dimension checked against the manifest.
fn run(model: &Mutex<TextEmbedding>, dimension: usize, inputs: &[String]) -> Result<Vec<Vec<f32>>> {
    let vectors =
        lock(model)?.embed(inputs, Some(inputs.len())).map_err(|e| Error::Embedding(e.to_string()))?;
    if let Some(v) = vectors.iter().find(|v| v.len() != dimension) {
        return Err(Error::Embedding(format!(
            "model returned {} dimensions, its manifest says {dimension}",
            v.len()
        )));
    }
    Ok(vectors)
}

fn lock(model: &Mutex<TextEmbedding>) -> Result<std::sync::MutexGuard<'_, TextEmbedding>> {
    model.lock().map_err(|_| Error::Embedding("model lock poisoned by a panic".into()))
}

/// Loads the ONNX Runtime shared library once per process, with a clear error when it is missing
/// (ort would otherwise panic on first use).
fn load_onnxruntime(config: &Config) -> Result<()> {
    static LOADED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    let path = onnxruntime_path(config);
    LOADED
        .get_or_init(|| {
            if !path.is_file() {
                return Err(format!("ONNX Runtime library not found at {}", path.display()));
            }
            ort::init_from(&path)
                .map(drop)
                .map_err(|e| format!("cannot load ONNX Runtime from {}: {e}", path.display()))
        })
        .clone()
        .map_err(Error::Setup)
}

/// `embedding.onnxruntime`, else `ORT_DYLIB_PATH`, else the library `make setup` installs.
pub fn onnxruntime_path(config: &Config) -> PathBuf {
    config
        .embedding
        .onnxruntime
        .clone()
        .or_else(|| std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from))
        .unwrap_or_else(|| config.home.join("onnxruntime").join(ORT_LIBRARY_FILE))
}

#[cfg(feature = "hub")]
fn load_catalog(config: &Config, code: &str) -> Result<Embedder> {
    use fastembed::TextInitOptions;
    let catalog = TextEmbedding::list_supported_models();
    let codes: Vec<&str> = catalog.iter().map(|m| m.model_code.as_str()).collect();
    let found = model::find_catalog_model(code, &codes)
        .map_err(|candidates| {
            Error::Config(format!(
                "`{code}` is ambiguous in fastembed's catalog: one of {}",
                candidates.join(", ")
            ))
        })?
        .ok_or_else(|| {
            Error::Config(format!("`{code}` is neither a local model nor in fastembed's catalog"))
        })?;
    let info = &catalog[found];
    let spec = model::catalog_spec(&info.model_code, info.dim);
    let mut options = TextInitOptions::new(info.model.clone())
        .with_max_length(spec.max_length)
        .with_cache_dir(config.home.join("fastembed"))
        .with_show_download_progress(false);
    if config.embedding.threads > 0 {
        options = options.with_intra_threads(config.embedding.threads);
    }
    let model = TextEmbedding::try_new(options).map_err(|e| {
        Error::Embedding(format!(
            "loading catalog model `{code}` (needs internet access the first time): {e}"
        ))
    })?;
    Ok(Embedder::new(spec, model, config.embedding.batch_size))
}

#[cfg(not(feature = "hub"))]
fn load_catalog(_config: &Config, code: &str) -> Result<Embedder> {
    Err(Error::Config(format!(
        "`{code}` is a catalog model, but this kefu was built without the `hub` feature"
    )))
}
