//! kefu's one error type. Every variant has a stable code (see [`Error::code`]) that the CLI
//! prints and the HTTP layer maps to a status in one place.

use std::path::PathBuf;

/// Everything that can go wrong in kefu.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file or environment variable is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// Something `make setup` provides (ONNX Runtime, a model) is missing or broken.
    #[error("{0}\nhint: run `make setup` (it downloads ONNX Runtime and the model into the cache)")]
    Setup(String),
    /// A source file or the ingestion front end failed.
    #[error(transparent)]
    Ingest(#[from] kefu_ingest::Error),
    /// The embedding model failed.
    #[error("embedding: {0}")]
    Embedding(String),
    /// The vector store failed.
    #[error("vector store: {0}")]
    VectorStore(String),
    /// The text (BM25) index failed.
    #[error("text index: {0}")]
    TextIndex(String),
    /// The catalog of documents and chunks failed.
    #[error("catalog: {0}")]
    Catalog(String),
    /// The index was built with another embedding model than the configured one.
    #[error(
        "the index in {data_dir} was built with the embedding model `{indexed}`, but `{configured}` is configured; \
         re-embed with `kefu ingest --reembed ...`, or configure `{indexed}` again"
    )]
    ModelMismatch {
        /// The data folder.
        data_dir: PathBuf,
        /// Model the index was built with.
        indexed: String,
        /// Model configured now.
        configured: String,
    },
    /// There is no index yet in the data folder.
    #[error("no index in {0}: run `kefu ingest PATH --data {0}` first")]
    NoIndex(PathBuf),
    /// Another process holds what this one needs (an ingest already running, say).
    #[error("busy: {0}")]
    Busy(String),
    /// A request is invalid (empty query, unknown mode...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A request field is invalid; `code` names the field (`invalid_search_k`), so that a client
    /// can tell which one without parsing the message.
    #[error("invalid `{field}`: {message}")]
    InvalidField {
        /// The stable code, `invalid_` followed by the field's name.
        code: &'static str,
        /// The field, as the request spells it.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The route exists, but not with this HTTP method.
    #[error("method not allowed: {0}")]
    MethodNotAllowed(String),
    /// The service has as many requests in flight as it allows: try again shortly.
    #[error("overloaded: too many requests in flight, retry in {retry_after_secs} s")]
    Overloaded {
        /// Seconds to wait before retrying.
        retry_after_secs: u64,
    },
    /// A request carries no API key, or an unknown one.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// A session token past its expiry: the client renews it.
    #[error("unauthorized: {0}")]
    SessionExpired(String),
    /// The API key's scope does not allow this request.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The API key sent more requests than its rate limit allows.
    #[error("rate limited: retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a request will be accepted again.
        retry_after_secs: u64,
    },
    /// A request body is larger than the configured limit.
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// What the request names does not exist (a document id, a route).
    #[error("not found: {0}")]
    NotFound(String),
    /// No conversation with this id, or one another API key started (the two are not told
    /// apart, so that ids cannot be probed).
    #[error("not found: {0}")]
    ConversationNotFound(String),
    /// No such ticket.
    #[error("not found: {0}")]
    TicketNotFound(String),
    /// What was asked conflicts with the state of what it changes (a resolved ticket, a record
    /// changed meanwhile).
    #[error("conflict: {message}")]
    Conflict {
        /// Stable code (`ticket_state_conflict`, `curated_answer_conflict`).
        code: &'static str,
        /// What conflicts.
        message: String,
    },
    /// The conversation store (SQLite or PostgreSQL) failed.
    #[error("conversation store: {0}")]
    Store(String),
    /// The request took longer than the configured timeout.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The LLM endpoint failed (callers fall back to the extractive answer).
    #[error("LLM endpoint: {0}")]
    Llm(String),
    /// A labelled evaluation set is malformed.
    #[error("{}: {message}", path.display())]
    Dataset {
        /// The file, with the line when one is at fault (`queries.jsonl:12`).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A bug: a task panicked.
    #[error("internal error: {0}")]
    Internal(String),
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// A stable, machine-readable code for the error kind.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Config(_) => "config_invalid",
            Error::Setup(_) => "setup_missing",
            Error::Ingest(_) => "source_invalid",
            Error::Embedding(_) => "embedding_failed",
            Error::VectorStore(_) => "vector_store_failed",
            Error::TextIndex(_) => "text_index_failed",
            Error::Catalog(_) => "catalog_failed",
            Error::ModelMismatch { .. } => "model_mismatch",
            Error::NoIndex(_) => "index_missing",
            Error::Busy(_) => "busy",
            Error::InvalidRequest(_) => "invalid_request",
            Error::InvalidField { code, .. } => code,
            Error::MethodNotAllowed(_) => "method_not_allowed",
            Error::Overloaded { .. } => "overloaded",
            Error::Unauthorized(_) => "unauthorized",
            Error::SessionExpired(_) => "session_expired",
            Error::Forbidden(_) => "forbidden",
            Error::RateLimited { .. } => "rate_limited",
            Error::PayloadTooLarge(_) => "payload_too_large",
            Error::NotFound(_) => "not_found",
            Error::ConversationNotFound(_) => "conversation_not_found",
            Error::TicketNotFound(_) => "ticket_not_found",
            Error::Conflict { code, .. } => code,
            Error::Store(_) => "store_failed",
            Error::Timeout(_) => "timeout",
            Error::Llm(_) => "llm_failed",
            Error::Dataset { .. } => "dataset_invalid",
            Error::Internal(_) => "internal",
            Error::Io { .. } => "io_failed",
        }
    }

    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

/// Runs blocking work (retrieval, index I/O) on tokio's blocking pool; a panic in it becomes
/// [`Error::Internal`].
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::Internal(format!("a task failed: {e}")))?
}

/// Result with kefu's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
