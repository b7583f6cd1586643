//! Shared fixtures: the kefu binary, configuration, and a corpus index built once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

use kefu::Config;
use kefu::embed::Embedder;
use kefu::index::{DataDir, Index, SearchFilter};
use kefu::retrieve::{Mode, Retriever, SearchRequest};
use serde_json::Value;

/// The repository's sample help center.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The configuration the tests run with: defaults and the environment (`KEFU_HOME` locates
/// the model installed by `make setup`), with the given data folder.
pub fn config(data: &Path) -> Config {
    let mut config = Config::load(None).expect("configuration loads");
    config.data_dir = data.to_path_buf();
    config
}

/// The kefu binary, quiet.
pub fn kefu() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kefu"));
    command.env("KEFU_LOG", "error").env_remove("KEFU_FAILPOINT");
    command
}

/// `kefu ingest PATH --data DATA`, ready for more arguments.
pub fn kefu_ingest(path: &Path, data: &Path) -> Command {
    let mut command = kefu();
    command.arg("ingest").arg(path).arg("--data").arg(data);
    command
}

/// Runs `kefu ingest PATHS --data DATA --json ARGS`; panics with stderr unless it succeeds.
pub fn ingest(paths: &[&Path], data: &Path, args: &[&str]) -> Value {
    let output =
        kefu().arg("ingest").args(paths).arg("--data").arg(data).arg("--json").args(args).output().unwrap();
    json_output(&output)
}

/// The JSON a successful command printed.
pub fn json_output(output: &Output) -> Value {
    assert!(output.status.success(), "kefu failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// The embedding model, loaded once.
pub fn embedder() -> Arc<Embedder> {
    static EMBEDDER: OnceLock<Arc<Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            Arc::new(Embedder::load(&config(Path::new("unused"))).expect("run `make setup` first"))
        })
        .clone()
}

/// The whole corpus, ingested once into a temporary folder, with a retriever over it. The
/// vector index is built as for a large corpus: an HNSW graph (searched with a small `ef`),
/// not the exact scan a corpus this small would get by default.
pub fn corpus_retriever() -> &'static Retriever {
    shared_corpus_retriever()
}

/// [`corpus_retriever`], shared (the answerer takes an `Arc`).
pub fn shared_corpus_retriever() -> &'static Arc<Retriever> {
    static RETRIEVER: OnceLock<(tempfile::TempDir, Arc<Retriever>)> = OnceLock::new();
    let (_, retriever) = RETRIEVER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let output = kefu_ingest(&corpus(), dir.path())
            .env("KEFU_VECTOR_STORE__INDEXING_THRESHOLD_KB", "64")
            .arg("--json")
            .output()
            .unwrap();
        let report = json_output(&output);
        assert_eq!(report["skipped"], serde_json::json!([]), "the corpus loads cleanly");
        let mut config = config(dir.path());
        config.search.hnsw_ef = 8;
        let index = Index::open(&DataDir::new(dir.path()), &config).expect("index opens");
        assert!(index.vectors().indexed_count() > 0, "an HNSW graph was built");
        let retriever = Retriever::new(index, embedder(), config.search.clone(), dir.path()).unwrap();
        (dir, Arc::new(retriever))
    });
    retriever
}

/// A retriever over the live generation in `data`.
pub fn open_retriever(data: &Path) -> Retriever {
    Retriever::open(&config(data), embedder()).expect("retriever opens")
}

/// Document ids of the top `k` results.
pub fn top_docs(
    retriever: &Retriever,
    query: &str,
    k: usize,
    mode: Mode,
    filter: SearchFilter,
) -> Vec<String> {
    let request = SearchRequest { query: query.to_string(), k, mode, filter };
    retriever.search(&request).expect("search").results.into_iter().map(|h| h.doc_id).collect()
}

/// Copies some corpus files (paths relative to `corpus/`) into `dir`, keeping their paths.
pub fn copy_corpus_files(dir: &Path, files: &[&str]) {
    for file in files {
        let target = dir.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(corpus().join(file), target).unwrap();
    }
}
