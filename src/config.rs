//! Configuration, layered: built-in defaults < `kefu.toml` < `KEFU_…` environment variables <
//! command-line flags.
//!
//! Every key of the file can be set from the environment: `KEFU_` followed by the key path in
//! capitals, sections separated by a double underscore, e.g. `KEFU_DATA_DIR`,
//! `KEFU_EMBEDDING__MODEL`, `KEFU_SEARCH__RRF_K`. docs/configuration.md lists all keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The configuration file read when none is named and `./kefu.toml` exists.
pub const DEFAULT_CONFIG_FILE: &str = "kefu.toml";

/// All of kefu's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Folder of the indexes (`--data` overrides it).
    pub data_dir: PathBuf,
    /// Cache folder that `make setup` fills with ONNX Runtime and the local models
    /// (default `$XDG_CACHE_HOME/kefu`, else `~/.cache/kefu`).
    pub home: PathBuf,
    /// The embedding model.
    pub embedding: EmbeddingConfig,
    /// How documents are cut into chunks.
    pub chunking: ChunkingConfig,
    /// Ingestion limits.
    pub ingest: IngestConfig,
    /// Retrieval.
    pub search: SearchConfig,
    /// Where vectors are stored.
    pub vector_store: VectorStoreConfig,
    /// How answers are made.
    pub answer: AnswerConfig,
    /// The HTTP service.
    pub server: ServerConfig,
    /// Personal data redaction.
    pub privacy: PrivacyConfig,
    /// The conversation store.
    pub store: StoreConfig,
    /// Tickets, their delivery to the shop's agents, and what the customer is promised.
    pub handoff: HandoffConfig,
    /// What `kefu insights` and `GET /v1/admin/insights` compute.
    pub insights: InsightsConfig,
    /// The shop's order system, for shoppers' questions about their own orders.
    pub orders: OrdersConfig,
}

/// The connector to the shop's order system; see docs/orders.md. Off while `url` is unset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrdersConfig {
    /// The order lookup's URL, with `{order_no}` where the order number goes
    /// (`https://shop.example/api/orders/{order_no}`).
    pub url: Option<String>,
    /// `GET` or `POST`.
    pub method: String,
    /// Headers sent with each lookup; `${NAME}` in a value is read from the environment
    /// variable NAME at start-up, so that secrets stay out of the file.
    pub headers: BTreeMap<String, String>,
    /// The shape of the reply: `generic` or `shopify`.
    pub preset: String,
    /// JSON pointers that replace the preset's, by field (`carrier = "/order/courier"`).
    pub fields: BTreeMap<String, String>,
    /// Milliseconds a lookup may take before the shopper is handed to a person.
    pub timeout_ms: u64,
    /// Wrong proofs an order allows before it is locked for `lockout_minutes`.
    pub max_attempts: u32,
    /// Minutes an order stays locked after `max_attempts` wrong proofs.
    pub lockout_minutes: u32,
}

impl Default for OrdersConfig {
    fn default() -> Self {
        OrdersConfig {
            url: None,
            method: "GET".into(),
            headers: BTreeMap::new(),
            preset: "generic".into(),
            fields: BTreeMap::new(),
            timeout_ms: 3000,
            max_attempts: 3,
            lockout_minutes: 30,
        }
    }
}

/// Insights; see docs/insights.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InsightsConfig {
    /// The shop's UTC offset, which days and hours are told in (`+08:00`).
    pub utc_offset: String,
    /// Cosine similarity a question needs to join a topic (measured with `kefu eval-topics`).
    pub topic_threshold: f32,
}

impl Default for InsightsConfig {
    fn default() -> Self {
        InsightsConfig {
            utc_offset: "+00:00".into(),
            topic_threshold: crate::insights::topics::DEFAULT_THRESHOLD,
        }
    }
}

impl InsightsConfig {
    /// Minutes east of UTC of `utc_offset`.
    pub fn offset_minutes(&self) -> Result<i32> {
        crate::insights::calendar::parse_offset(&self.utc_offset).ok_or_else(|| {
            Error::Config(format!("insights.utc_offset: {:?} is not an offset like +08:00", self.utc_offset))
        })
    }
}

/// Personal data redaction; see docs/privacy.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyConfig {
    /// The kinds of personal data replaced by a placeholder in customers' messages before they
    /// are searched with, stored, logged or sent: `email`, `phone`, `id_number`, `bank_card`,
    /// `address` (default: all).
    pub redact: Vec<crate::privacy::Kind>,
    /// The shop's own e-mail addresses and phone numbers, never redacted (its agents and curated
    /// answers give them out), e.g. `["support@shop.example", "400-800-1234"]`.
    pub keep: Vec<String>,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig { redact: crate::privacy::Kind::ALL.to_vec(), keep: Vec::new() }
    }
}

impl PrivacyConfig {
    /// The redactor of the configured kinds, keeping the configured values.
    pub fn redactor(&self) -> crate::privacy::Redactor {
        crate::privacy::Redactor::new(&self.redact).keeping(&self.keep)
    }
}

/// The conversation store; see docs/store.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// A PostgreSQL URL (`postgres://user:password@host:5432/kefu`); unset: SQLite, `kefu.db`
    /// in the data folder.
    pub url: Option<String>,
    /// Days a conversation is kept after its last turn (`kefu store purge`, and `kefu serve` at
    /// start-up and daily); 0 keeps conversations for good.
    pub retention_days: u32,
    /// Connections to the database.
    pub pool_size: u32,
    /// SQLite's `synchronous` setting: `full` (a commit is on disk before the reply: survives a
    /// power loss) or `normal` (a commit survives a crash of kefu, not of the machine; no disk
    /// flush per commit).
    pub sqlite_synchronous: SqliteSynchronous,
    /// Record conversations. `false`: no turn is kept (a shop that must keep no transcripts);
    /// each `/v1/ask` is answered on its own, and sessions, tickets and feedback are unavailable.
    pub record: bool,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            url: None,
            retention_days: 365,
            pool_size: 8,
            sqlite_synchronous: SqliteSynchronous::Full,
            record: true,
        }
    }
}

/// When a SQLite commit reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Before the reply that depends on it: a power loss loses nothing acknowledged.
    Full,
    /// When the write-ahead log is checkpointed: a crash of kefu loses nothing acknowledged, a
    /// power loss may lose the last commits.
    Normal,
}

/// Handoffs to the shop's agents; see docs/handoff.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HandoffConfig {
    /// Where each new ticket (and each customer message while one is open) is POSTed, signed;
    /// unset: no webhook.
    pub webhook_url: Option<String>,
    /// The key of the webhooks' HMAC-SHA256 signatures (at least 16 characters; required with
    /// `webhook_url`).
    pub webhook_secret: Option<String>,
    /// Agents answer tickets from the agent API (or the console) even without a webhook.
    pub agent_console: bool,
    /// Deliveries of one webhook before it is dead-lettered.
    pub max_attempts: u32,
    /// Milliseconds before the second delivery; each retry waits twice as long (up to an hour).
    pub retry_base_ms: u64,
    /// Hours an open or assigned ticket waits for an agent before it expires (the bot answers
    /// again).
    pub ticket_ttl_hours: u32,
    /// When agents are at work, e.g. `mon-fri 09:00-18:00 +08:00`; unset: always.
    pub business_hours: Option<String>,
    /// How customers reach the shop when no agent receives tickets, per language.
    pub contact: Contact,
}

/// How customers reach the shop, in each language kefu answers in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Contact {
    /// In English, e.g. `email support@shop.example or call +44 20 7946 0000`.
    pub en: Option<String>,
    /// In Chinese, e.g. `拨打 400-800-1234 或发邮件至 support@shop.example`.
    pub zh: Option<String>,
}

impl Default for HandoffConfig {
    fn default() -> Self {
        HandoffConfig {
            webhook_url: None,
            webhook_secret: None,
            agent_console: false,
            max_attempts: 8,
            retry_base_ms: 2000,
            ticket_ttl_hours: 72,
            business_hours: None,
            contact: Contact::default(),
        }
    }
}

impl HandoffConfig {
    /// Whether a handoff opens a ticket that a person receives (a webhook, or agents at the
    /// console): only then is the customer told that a colleague will reply.
    pub fn tickets(&self) -> bool {
        self.webhook_url.is_some() || self.agent_console
    }
}

/// How answers are made; see docs/answering.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnswerConfig {
    /// Passages retrieved for an answer (and numbered for an LLM).
    pub passages: usize,
    /// Confidence (0–1) below which kefu does not answer: it abstains and hands over to a human.
    pub min_confidence: f32,
    /// Most sentences in an extractive answer.
    pub max_sentences: usize,
    /// Most characters in an extractive answer (a single longer sentence is still taken whole).
    pub max_chars: usize,
    /// Least similarity (cosine, 0–1) of a question to a curated answer's example question for
    /// that answer to be given (docs/curated.md: chosen on the dev half of eval/sets/curated.jsonl).
    pub curated_threshold: f32,
    /// How much closer (cosine) to a question a curated answer, read as a passage, must be than
    /// the help center's closest passage for it to be given (docs/curated.md).
    pub curated_margin: f32,
    /// Least similarity (cosine, 0–1) of a question to a curated answer's example question for
    /// that answer, read as a passage, to take part in retrieval beside the help center's
    /// passages when no curated answer is given outright (docs/curated.md).
    pub curated_passage_threshold: f32,
    /// An OpenAI-compatible chat-completions endpoint; without `base_url`, answers are extractive.
    pub llm: LlmConfig,
}

/// An OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, llama.cpp, DeepSeek,
/// Qwen...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LlmConfig {
    /// Base URL of the API, up to and including the version, e.g. `https://api.openai.com/v1` or
    /// `http://localhost:11434/v1`. Unset: no LLM.
    pub base_url: Option<String>,
    /// Model name sent with each request.
    pub model: String,
    /// Name of the environment variable holding the API key (sent as a bearer token if set).
    pub api_key_env: String,
    /// Seconds allowed to connect and receive the first token.
    pub first_token_timeout_secs: u64,
    /// Seconds allowed for the whole reply.
    pub timeout_secs: u64,
    /// Retries after a failed attempt (connection error, 429 or 5xx), with exponential backoff,
    /// before any token has arrived.
    pub retries: u32,
    /// Sampling temperature.
    pub temperature: f32,
    /// Most tokens in a reply.
    pub max_tokens: u32,
}

/// The HTTP service (`kefu serve`); see docs/http-api.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on (`--addr` overrides it).
    pub addr: String,
    /// API keys and their scopes. `KEFU_API_KEYS="key1:query,key2:admin"` replaces them.
    pub api_keys: Vec<ApiKey>,
    /// Requests per minute allowed to each API key (0: unlimited).
    pub rate_limit_per_minute: u32,
    /// Requests an idle key may send at once before the rate applies.
    pub rate_limit_burst: u32,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Longest question, in characters.
    pub max_question_chars: usize,
    /// Seconds a request may take before it fails with `timeout`.
    pub request_timeout_secs: u64,
    /// Seconds a client has to send a request's headers once it connects (or between two
    /// requests on one connection) before the connection is closed.
    pub header_timeout_secs: u64,
    /// Origins allowed to call the API from a browser (`["*"]`: any); empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// How often (milliseconds) the service checks whether an ingest published a new index.
    pub reload_interval_ms: u64,
    /// Requests on the `/v1` routes handled at once; more are refused at once with
    /// `503 overloaded` and `Retry-After`. A streamed answer counts until its stream ends.
    pub max_in_flight: usize,
    /// Failed authentications (no key, unknown key) allowed per client address and minute;
    /// past them the address gets `429 rate_limited` whatever key it sends (0: unlimited).
    pub auth_failures_per_minute: u32,
    /// Failed authentications an address may make at once before that rate applies.
    pub auth_failure_burst: u32,
    /// Requests per minute from one client address with a public credential (a publishable key
    /// or a session token), whatever the credential (0: unlimited).
    pub public_rate_limit_per_minute: u32,
    /// Requests such an address may send at once before that rate applies.
    pub public_rate_limit_burst: u32,
    /// The key that signs session tokens (at least 32 characters; required with a publishable
    /// key). Replicas share it.
    pub session_secret: Option<String>,
    /// Seconds a session token is valid.
    pub session_ttl_secs: u64,
    /// Days after its expiry that a session token may still be renewed for its conversation.
    pub session_renew_days: u32,
    /// Hours a console sign-in lasts.
    pub console_session_hours: u32,
    /// The key the shop signs its customers' ids with (HMAC-SHA256, at least 32 characters): a
    /// session started with a matching `external_user_signature` knows its customer, who then
    /// sees their own orders without another proof (docs/orders.md).
    pub external_user_secret: Option<String>,
    /// Event streams (`/v1/conversations/{id}/events`) open at once.
    pub max_event_streams: usize,
    /// Seconds an event stream stays open; the client then reconnects with `Last-Event-ID`.
    pub event_stream_secs: u64,
}

/// Shortest API key accepted: a key must not be guessable.
pub const MIN_API_KEY_CHARS: usize = 16;

/// An API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// The secret, as sent in `Authorization: Bearer KEY` or `X-API-Key: KEY`.
    pub key: String,
    /// What it may do.
    pub scope: Scope,
}

/// What an API key may do; each scope may do what the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Start browser sessions (`POST /v1/sessions`) and nothing else: the key a web page holds.
    Publishable,
    /// Ask, search, read documents, and the conversations this key started.
    Query,
    /// Read every conversation, and take and answer tickets (the shop's agents).
    Agent,
    /// Everything, including what shows internals (`/metrics`) and erasure requests.
    Admin,
}

impl Scope {
    /// The scope's name in configuration (`publishable`, `query`, `agent`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Publishable => "publishable",
            Scope::Query => "query",
            Scope::Agent => "agent",
            Scope::Admin => "admin",
        }
    }
}

/// Shortest session secret accepted.
pub const MIN_SESSION_SECRET_CHARS: usize = 32;

/// The embedding model and how to run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmbeddingConfig {
    /// A local model: the name of a folder under `<home>/models` (as `make setup` makes them) or
    /// a path to such a folder; or a fastembed catalog name such as `BAAI/bge-small-en-v1.5`
    /// (downloaded from the Hugging Face hub, which needs internet access).
    pub model: String,
    /// The ONNX Runtime shared library. Default: `ORT_DYLIB_PATH` if set, else the one `make
    /// setup` installs under `<home>/onnxruntime`.
    pub onnxruntime: Option<PathBuf>,
    /// Texts per inference batch when ingesting (inputs are sorted by length first).
    pub batch_size: usize,
    /// ONNX Runtime intra-op threads; 0 uses every core.
    pub threads: usize,
}

/// How documents are cut into chunks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChunkingConfig {
    /// Most tokens in a chunk's embedded text (breadcrumb and body), in the model's own
    /// tokens, special tokens and prefixes excluded. Capped by the model's window.
    pub max_tokens: usize,
}

/// Ingestion limits: what one file may cost. A file over a limit is skipped with a reason
/// naming the setting; the rest of the run goes on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Memory (address space) of the child process that parses documents, in MiB.
    #[serde(alias = "pdf_memory_mib")]
    pub loader_memory_mib: u64,
    /// Time allowed to load one file, in seconds.
    #[serde(alias = "pdf_timeout_secs")]
    pub file_timeout_secs: u64,
    /// Largest file read, in MiB.
    pub max_file_mib: u64,
    /// Most characters of text one document may have once loaded.
    pub max_document_chars: usize,
}

/// Retrieval settings; see docs/retrieval.md for what each does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// Results returned when a request does not say.
    pub k: usize,
    /// Most results a `POST /v1/search` request may ask for (`k`); more is refused with
    /// `invalid_search_k`. (The command line is trusted and not capped.)
    pub max_k: usize,
    /// Candidates taken from each retriever before fusion.
    pub candidates: usize,
    /// How hybrid search combines the two retrievers.
    pub fusion: Fusion,
    /// The `k` of reciprocal rank fusion: larger flattens the rank weighting.
    pub rrf_k: f32,
    /// Weight of BM25 in the fusion.
    pub bm25_weight: f32,
    /// Weight of the dense retriever in the fusion (applied only to query languages the model
    /// was trained on; otherwise hybrid search is BM25 alone).
    pub dense_weight: f32,
    /// How much the fusion weights follow each retriever's sureness for the question (convex
    /// fusion): each weight is multiplied by `exp(adaptive_fusion · sureness)`, sureness being
    /// how far the retriever's first result stands above its next ten (0–1). 0 keeps the
    /// weights fixed.
    pub adaptive_fusion: f32,
    /// Hybrid search: the score of a fused candidate among the first 30 that contains none of
    /// the question's years and codes ("2018", "NW-RV700", "E8") is multiplied by this (1 keeps
    /// it). An exact identifier is what the question turns on, and the dense retriever cannot
    /// tell 2018 from 2019. So is a product page of another product than those the question
    /// names ("the Vortex Pro").
    pub identifier_penalty: f32,
    /// Boost of matches in the breadcrumb (title and headings, or a FAQ question) over the body.
    pub title_boost: f32,
    /// Weight of the Chinese character-bigram field relative to the word fields.
    pub bigram_weight: f32,
    /// HNSW search breadth (`ef`) of the vector store.
    pub hnsw_ef: usize,
    /// Characters of a result snippet.
    pub snippet_chars: usize,
}

/// Fusion methods of hybrid search (see `retrieve::fusion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fusion {
    /// `bm25_weight · bm25 / best bm25 + dense_weight · cosine`.
    Convex,
    /// `Σ weight / (rrf_k + rank)`.
    Rrf,
}

/// Where vectors are stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VectorStoreConfig {
    /// `edge`: Qdrant's embedded engine, on disk in the data folder (no server). `qdrant`: a
    /// Qdrant server or cluster at `url`.
    pub backend: VectorBackend,
    /// URL of the Qdrant server's gRPC endpoint (backend `qdrant`), e.g. `http://localhost:6334`.
    pub url: Option<String>,
    /// Name of the environment variable holding the Qdrant API key, if the server needs one.
    pub api_key_env: String,
    /// Prefix of the collections kefu creates on the server.
    pub collection_prefix: String,
    /// Vector data size (KiB) of a segment above which Qdrant builds an HNSW graph; smaller
    /// segments are searched exactly. Qdrant's default is 10000 (about 6,600 vectors of 384
    /// dimensions). Recorded when an index is created.
    pub indexing_threshold_kb: usize,
}

/// The vector store implementations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VectorBackend {
    /// qdrant-edge, embedded.
    Edge,
    /// A Qdrant server, through qdrant-client.
    Qdrant,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("kefu-data"),
            home: default_home(),
            embedding: EmbeddingConfig::default(),
            chunking: ChunkingConfig::default(),
            ingest: IngestConfig::default(),
            search: SearchConfig::default(),
            vector_store: VectorStoreConfig::default(),
            answer: AnswerConfig::default(),
            server: ServerConfig::default(),
            privacy: PrivacyConfig::default(),
            store: StoreConfig::default(),
            handoff: HandoffConfig::default(),
            insights: InsightsConfig::default(),
            orders: OrdersConfig::default(),
        }
    }
}

impl Default for AnswerConfig {
    fn default() -> Self {
        AnswerConfig {
            passages: 5,
            min_confidence: 0.5,
            curated_threshold: 0.92,
            curated_margin: 0.03,
            curated_passage_threshold: 0.94,
            max_sentences: 4,
            max_chars: 600,
            llm: LlmConfig::default(),
        }
    }
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            base_url: None,
            model: "gpt-4o-mini".into(),
            api_key_env: "KEFU_LLM_API_KEY".into(),
            first_token_timeout_secs: 10,
            timeout_secs: 60,
            retries: 2,
            temperature: 0.1,
            max_tokens: 512,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: "127.0.0.1:8080".into(),
            api_keys: Vec::new(),
            rate_limit_per_minute: 600,
            rate_limit_burst: 60,
            max_body_bytes: 64 * 1024,
            max_question_chars: 1000,
            request_timeout_secs: 60,
            header_timeout_secs: 10,
            cors_origins: Vec::new(),
            reload_interval_ms: 1000,
            max_in_flight: 64,
            auth_failures_per_minute: 30,
            auth_failure_burst: 10,
            public_rate_limit_per_minute: 60,
            public_rate_limit_burst: 20,
            session_secret: None,
            session_ttl_secs: 3600,
            session_renew_days: 30,
            console_session_hours: 12,
            external_user_secret: None,
            max_event_streams: 1000,
            event_stream_secs: 3600,
        }
    }
}

impl Default for EmbeddingConfig {
    fn default() -> Self {
        EmbeddingConfig {
            model: "multilingual-e5-small".into(),
            onnxruntime: None,
            batch_size: 32,
            threads: 0,
        }
    }
}

impl Default for ChunkingConfig {
    fn default() -> Self {
        ChunkingConfig { max_tokens: 254 }
    }
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            loader_memory_mib: 2048,
            file_timeout_secs: 120,
            max_file_mib: 100,
            max_document_chars: 2_000_000,
        }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            k: 10,
            max_k: 100,
            candidates: 100,
            fusion: Fusion::Convex,
            rrf_k: 60.0,
            bm25_weight: 0.45,
            dense_weight: 0.8,
            adaptive_fusion: 0.0,
            identifier_penalty: 0.8,
            title_boost: 0.25,
            bigram_weight: 0.5,
            hnsw_ef: 128,
            snippet_chars: 200,
        }
    }
}

impl Default for VectorStoreConfig {
    fn default() -> Self {
        VectorStoreConfig {
            backend: VectorBackend::Edge,
            url: None,
            api_key_env: "QDRANT_API_KEY".into(),
            collection_prefix: "kefu".into(),
            indexing_threshold_kb: 10_000,
        }
    }
}

/// `$XDG_CACHE_HOME/kefu`, else `$HOME/.cache/kefu`: the same rule as scripts/setup.sh.
fn default_home() -> PathBuf {
    let non_empty = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    non_empty("XDG_CACHE_HOME")
        .or_else(|| non_empty("HOME").map(|h| h.join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("kefu")
}

impl Config {
    /// Loads defaults, then the configuration file, then the environment. `file` names the file
    /// explicitly (it must then exist); otherwise `KEFU_CONFIG` does, else `./kefu.toml` is read
    /// when present.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let named =
            file.map(Path::to_path_buf).or_else(|| std::env::var_os("KEFU_CONFIG").map(PathBuf::from));
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match named {
            Some(path) if !path.is_file() => {
                return Err(Error::Config(format!("{}: no such configuration file", path.display())));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE))
            }
            None => {}
        }
        let mut config: Config =
            figment.merge(environment()).extract().map_err(|e| Error::Config(e.to_string()))?;
        if let Some(keys) = std::env::var_os("KEFU_API_KEYS") {
            config.server.api_keys = parse_api_keys(&keys.to_string_lossy())?;
        }
        config.validate()?;
        Ok(config)
    }

    /// The effective configuration as TOML (`kefu config`), API keys masked.
    pub fn to_toml(&self) -> String {
        let mut shown = self.clone();
        for key in &mut shown.server.api_keys {
            key.key = "***".into();
        }
        for url in [&mut shown.store.url, &mut shown.orders.url].into_iter().flatten() {
            *url = mask_password(url);
        }
        for secret in [
            &mut shown.server.session_secret,
            &mut shown.server.external_user_secret,
            &mut shown.handoff.webhook_secret,
        ]
        .into_iter()
        .flatten()
        {
            *secret = "***".into();
        }
        // A header written with its secret rather than `${NAME}`.
        for value in shown.orders.headers.values_mut().filter(|v| !v.contains("${")) {
            *value = "***".into();
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot print: {e}"))
    }

    fn validate(&self) -> Result<()> {
        self.insights.offset_minutes()?;
        if !(0.0..=1.0).contains(&self.insights.topic_threshold) {
            return Err(Error::Config("insights.topic_threshold must be between 0 and 1".into()));
        }
        let positive = [
            ("embedding.batch_size", self.embedding.batch_size),
            ("chunking.max_tokens", self.chunking.max_tokens),
            ("ingest.loader_memory_mib", self.ingest.loader_memory_mib as usize),
            ("ingest.file_timeout_secs", self.ingest.file_timeout_secs as usize),
            ("ingest.max_file_mib", self.ingest.max_file_mib as usize),
            ("ingest.max_document_chars", self.ingest.max_document_chars),
            ("search.k", self.search.k),
            ("search.max_k", self.search.max_k),
            ("search.candidates", self.search.candidates),
            ("search.hnsw_ef", self.search.hnsw_ef),
            ("vector_store.indexing_threshold_kb", self.vector_store.indexing_threshold_kb),
            ("answer.passages", self.answer.passages),
            ("answer.max_sentences", self.answer.max_sentences),
            ("answer.max_chars", self.answer.max_chars),
            ("server.max_body_bytes", self.server.max_body_bytes),
            ("server.max_question_chars", self.server.max_question_chars),
            ("server.request_timeout_secs", self.server.request_timeout_secs as usize),
            ("server.header_timeout_secs", self.server.header_timeout_secs as usize),
            ("server.reload_interval_ms", self.server.reload_interval_ms as usize),
            ("store.pool_size", self.store.pool_size as usize),
            ("server.max_in_flight", self.server.max_in_flight),
            ("server.session_ttl_secs", self.server.session_ttl_secs as usize),
            ("server.console_session_hours", self.server.console_session_hours as usize),
            ("server.max_event_streams", self.server.max_event_streams),
            ("server.event_stream_secs", self.server.event_stream_secs as usize),
            ("handoff.max_attempts", self.handoff.max_attempts as usize),
            ("handoff.retry_base_ms", self.handoff.retry_base_ms as usize),
            ("handoff.ticket_ttl_hours", self.handoff.ticket_ttl_hours as usize),
            ("answer.llm.timeout_secs", self.answer.llm.timeout_secs as usize),
            ("answer.llm.first_token_timeout_secs", self.answer.llm.first_token_timeout_secs as usize),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(Error::Config(format!("`{key}` must be greater than 0")));
        }
        let weights = [
            ("search.rrf_k", self.search.rrf_k),
            ("search.bm25_weight", self.search.bm25_weight),
            ("search.dense_weight", self.search.dense_weight),
            ("search.adaptive_fusion", self.search.adaptive_fusion),
            ("search.title_boost", self.search.title_boost),
            ("search.bigram_weight", self.search.bigram_weight),
        ];
        if let Some((key, _)) = weights.iter().find(|(_, v)| !v.is_finite() || *v < 0.0) {
            return Err(Error::Config(format!("`{key}` must be a non-negative number")));
        }
        if !(0.0..=1.0).contains(&self.search.identifier_penalty) {
            return Err(Error::Config("`search.identifier_penalty` must be between 0 and 1".into()));
        }
        if !(0.0..=1.0).contains(&self.answer.curated_threshold) {
            return Err(Error::Config("`answer.curated_threshold` must be between 0 and 1".into()));
        }
        if !(0.0..=1.0).contains(&self.answer.curated_passage_threshold) {
            return Err(Error::Config("`answer.curated_passage_threshold` must be between 0 and 1".into()));
        }
        if !(0.0..=1.0).contains(&self.answer.min_confidence) {
            return Err(Error::Config("`answer.min_confidence` must be between 0 and 1".into()));
        }
        if self.search.k > self.search.max_k {
            return Err(Error::Config("`search.k` must not be greater than `search.max_k`".into()));
        }
        if let Some(n) =
            self.server.api_keys.iter().position(|k| k.key.trim().chars().count() < MIN_API_KEY_CHARS)
        {
            return Err(Error::Config(format!(
                "`server.api_keys`: key {} (scope {:?}) is shorter than {MIN_API_KEY_CHARS} characters; \
                 use long random keys (e.g. `openssl rand -hex 24`)",
                n + 1,
                self.server.api_keys[n].scope
            )));
        }
        if self
            .server
            .external_user_secret
            .as_ref()
            .is_some_and(|s| s.chars().count() < MIN_SESSION_SECRET_CHARS)
        {
            return Err(Error::Config(format!(
                "`server.external_user_secret` is shorter than {MIN_SESSION_SECRET_CHARS} characters"
            )));
        }
        let publishable = self.server.api_keys.iter().any(|k| k.scope == Scope::Publishable);
        match &self.server.session_secret {
            Some(secret) if secret.chars().count() < MIN_SESSION_SECRET_CHARS => {
                return Err(Error::Config(format!(
                    "`server.session_secret` is shorter than {MIN_SESSION_SECRET_CHARS} characters"
                )));
            }
            None if publishable => {
                return Err(Error::Config(
                    "a publishable key needs `server.session_secret` (KEFU_SERVER__SESSION_SECRET), \
                     which signs the session tokens it starts"
                        .into(),
                ));
            }
            _ => {}
        }
        if !self.store.record && (publishable || self.handoff.tickets()) {
            return Err(Error::Config(
                "`store.record = false` keeps no conversation: browser sessions and tickets \
                 (`handoff.webhook_url`, `handoff.agent_console`) need recorded ones"
                    .into(),
            ));
        }
        self.validate_handoff()?;
        if let Some(url) = &self.store.url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(Error::Config(
                "`store.url` must be a `postgres://` URL (leave it unset for SQLite in the data folder)"
                    .into(),
            ));
        }
        if self.vector_store.backend == VectorBackend::Qdrant && self.vector_store.url.is_none() {
            return Err(Error::Config("`vector_store.url` is required with backend `qdrant`".into()));
        }
        Ok(())
    }
}

impl Config {
    fn validate_handoff(&self) -> Result<()> {
        let handoff = &self.handoff;
        if let Some(url) = &handoff.webhook_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Error::Config("`handoff.webhook_url` must be an http:// or https:// URL".into()));
            }
            if handoff.webhook_secret.as_ref().is_none_or(|s| s.chars().count() < MIN_API_KEY_CHARS) {
                return Err(Error::Config(format!(
                    "`handoff.webhook_secret` (at least {MIN_API_KEY_CHARS} characters) is required with \
                     `handoff.webhook_url`: receivers check the signature it makes"
                )));
            }
        }
        if let Some(hours) = &handoff.business_hours {
            crate::helpdesk::BusinessHours::parse(hours)
                .map_err(|e| Error::Config(format!("`handoff.business_hours`: {e}")))?;
        }
        Ok(())
    }
}

/// `url` with the password of its user information replaced by `***`.
fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..])
        }
        _ => url.to_string(),
    }
}

/// Parses `KEFU_API_KEYS`: comma-separated `key:scope` pairs.
fn parse_api_keys(text: &str) -> Result<Vec<ApiKey>> {
    text.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, scope) = pair.rsplit_once(':').ok_or_else(|| {
                Error::Config("KEFU_API_KEYS: expected `key:scope` pairs separated by commas".into())
            })?;
            let scope = [Scope::Publishable, Scope::Query, Scope::Agent, Scope::Admin]
                .into_iter()
                .find(|s| s.as_str() == scope)
                .ok_or_else(|| {
                    Error::Config(format!(
                        "KEFU_API_KEYS: unknown scope `{scope}` (expected `publishable`, `query`, `agent` or `admin`)"
                    ))
                })?;
            Ok(ApiKey { key: key.to_string(), scope })
        })
        .collect()
}

/// `KEFU_SECTION__KEY` variables for the keys kefu knows (others, like `KEFU_CONFIG` or
/// `KEFU_LOG`, are not configuration keys).
fn environment() -> Env {
    const TOP_LEVEL: &[&str] = &[
        "data_dir",
        "home",
        "embedding",
        "chunking",
        "ingest",
        "search",
        "vector_store",
        "answer",
        "server",
        "privacy",
        "store",
        "handoff",
        "insights",
        "orders",
    ];
    Env::prefixed("KEFU_").split("__").filter(|key| {
        let top = key.as_str().split('.').next().unwrap_or_default();
        TOP_LEVEL.iter().any(|k| k.eq_ignore_ascii_case(top))
    })
}

#[cfg(test)]
// figment's Jail closures return figment's large error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn layers_defaults_file_and_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("kefu.toml", "data_dir = \"from-file\"\n[search]\nk = 7\nrrf_k = 20.0\n")?;
            jail.set_env("KEFU_SEARCH__K", "3");
            jail.set_env("KEFU_LOG", "debug");
            let config = Config::load(None).expect("config loads");
            assert_eq!(config.data_dir, PathBuf::from("from-file"));
            assert_eq!(config.search.k, 3, "environment beats file");
            assert_eq!(config.search.rrf_k, 20.0, "file beats defaults");
            assert_eq!(config.search.candidates, 100, "defaults fill the rest");
            // Every section is reachable from the environment, tables included.
            jail.set_env("KEFU_INSIGHTS__UTC_OFFSET", "+08:00");
            jail.set_env("KEFU_ORDERS__URL", "https://shop.example/api/orders/{order_no}");
            jail.set_env("KEFU_ORDERS__HEADERS", "{Authorization=\"Bearer ${SHOP_TOKEN}\"}");
            let config = Config::load(None).expect("config loads");
            assert_eq!(config.insights.utc_offset, "+08:00");
            assert_eq!(config.orders.url.as_deref(), Some("https://shop.example/api/orders/{order_no}"));
            assert_eq!(config.orders.headers["Authorization"], "Bearer ${SHOP_TOKEN}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("kefu.toml", "[search]\nkk = 1\n")?;
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("kk"), "{err}");
            jail.create_file("kefu.toml", "[search]\nk = 0\n")?;
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("search.k"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn api_keys_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("KEFU_API_KEYS", "k1-0123456789abcdef:query, k2-0123456789abcdef:admin");
            let config = Config::load(None).expect("config loads");
            assert_eq!(
                config.server.api_keys,
                vec![
                    ApiKey { key: "k1-0123456789abcdef".into(), scope: Scope::Query },
                    ApiKey { key: "k2-0123456789abcdef".into(), scope: Scope::Admin }
                ]
            );
            assert!(!config.to_toml().contains("k2-0123456789abcdef"), "keys are masked");
            jail.set_env("KEFU_API_KEYS", "k1-0123456789abcdef:root");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("KEFU_API_KEYS") && err.contains("root"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn short_api_keys_and_a_default_k_above_the_cap_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("KEFU_API_KEYS", "0123456789abcdef:query,short-key:admin");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("key 2") && err.contains("shorter than 16 characters"), "{err}");
            jail.set_env("KEFU_API_KEYS", "0123456789abcdef:query");
            jail.set_env("KEFU_SEARCH__K", "50");
            jail.set_env("KEFU_SEARCH__MAX_K", "20");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("search.max_k"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn sessions_and_handoffs_need_their_secrets_and_a_recording_store() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("KEFU_API_KEYS", "0123456789abcdef:query,pk-0123456789abcdef:publishable");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("server.session_secret"), "{err}");
            jail.set_env("KEFU_SERVER__SESSION_SECRET", "too short");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("shorter than 32"), "{err}");
            jail.set_env("KEFU_SERVER__SESSION_SECRET", "0123456789abcdef0123456789abcdef");
            let config = Config::load(None).expect("config loads");
            assert_eq!(config.server.api_keys[1].scope, Scope::Publishable);
            assert!(!config.to_toml().contains("0123456789abcdef0123456789abcdef"), "the secret is masked");

            jail.set_env("KEFU_HANDOFF__WEBHOOK_URL", "https://helpdesk.example/kefu");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("handoff.webhook_secret"), "{err}");
            jail.set_env("KEFU_HANDOFF__WEBHOOK_SECRET", "0123456789abcdef");
            jail.set_env("KEFU_HANDOFF__BUSINESS_HOURS", "mon-fri 9-18");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("handoff.business_hours") && err.contains("`9` is not a time"), "{err}");
            jail.set_env("KEFU_HANDOFF__BUSINESS_HOURS", "mon-fri 09:00-18:00 +08:00");
            assert!(Config::load(None).expect("config loads").handoff.tickets());
            jail.set_env("KEFU_STORE__RECORD", "false");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("store.record"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn privacy_redacts_every_kind_unless_told_otherwise() {
        use crate::privacy::Kind;
        figment::Jail::expect_with(|jail| {
            assert_eq!(Config::load(None).expect("config loads").privacy.redact, Kind::ALL);
            jail.create_file("kefu.toml", "[privacy]\nredact = [\"email\", \"bank_card\"]\n")?;
            let redactor = Config::load(None).expect("config loads").privacy.redactor();
            assert!(redactor.redacts(Kind::Email) && redactor.redacts(Kind::BankCard));
            assert!(!redactor.redacts(Kind::Phone) && !redactor.redacts(Kind::Address));
            jail.create_file("kefu.toml", "[privacy]\nredact = [\"passport\"]\n")?;
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("passport") && err.contains("id_number"), "{err}");
            jail.set_env("KEFU_PRIVACY__REDACT", "[phone, address]");
            let redactor = Config::load(None).expect("config loads").privacy.redactor();
            assert!(redactor.redacts(Kind::Phone) && !redactor.redacts(Kind::Email));
            jail.set_env("KEFU_PRIVACY__REDACT", "[]");
            assert!(Config::load(None).expect("config loads").privacy.redact.is_empty());
            Ok(())
        });
    }

    #[test]
    fn store_urls_must_be_postgres_and_their_passwords_are_masked() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("KEFU_STORE__URL", "mysql://u:p@h/db");
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("store.url"), "{err}");
            jail.set_env("KEFU_STORE__URL", "postgres://kefu:s3cret@db.example:5432/kefu?sslmode=require");
            jail.set_env("KEFU_STORE__RETENTION_DAYS", "30");
            let config = Config::load(None).expect("config loads");
            assert_eq!(config.store.retention_days, 30);
            let shown = config.to_toml();
            assert!(shown.contains("postgres://kefu:***@db.example:5432/kefu?sslmode=require"), "{shown}");
            assert!(!shown.contains("s3cret"), "{shown}");
            Ok(())
        });
    }

    #[test]
    fn a_named_file_must_exist() {
        let err = Config::load(Some(Path::new("/nonexistent/kefu.toml"))).unwrap_err();
        assert!(err.to_string().contains("no such configuration file"));
    }
}
