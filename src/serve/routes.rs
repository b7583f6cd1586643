//! Routes, request and response types, and the OpenAPI document generated from them.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::rejection::JsonRejection;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{Stream, StreamExt, stream};
use serde::{Deserialize, Serialize};
use tokio_stream::wrappers::UnboundedReceiverStream;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::{OpenApi, ToSchema};

use super::error::{ErrorBody, from_json_rejection};
use super::metrics::{RequestLabels, RouteLabels};
use super::{AppState, auth};
use crate::answer::{Answer, AnswerEvent, Question, conversation};
use crate::index::SearchFilter;
use crate::retrieve::{Mode, SearchRequest, SearchResults};
use crate::{Error, Result};

/// `POST /v1/ask`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    /// The customer's question.
    pub question: String,
    /// Continue this conversation (follow-ups are read with its earlier questions); a new id is
    /// returned when absent.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// The customer's locale (`en`, `zh`); detected from the question when absent.
    #[serde(default)]
    pub locale: Option<String>,
    /// Metadata filters.
    #[serde(default)]
    pub filters: SearchFilter,
    /// Stream the answer as Server-Sent Events (also chosen by `Accept: text/event-stream`).
    #[serde(default)]
    pub stream: bool,
}

/// `POST /v1/search`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    /// The query.
    pub query: String,
    /// Results wanted (default `search.k`).
    #[serde(default)]
    pub k: Option<usize>,
    /// Retrievers (default hybrid).
    #[serde(default)]
    pub mode: Mode,
    /// Metadata filters.
    #[serde(default)]
    pub filters: SearchFilter,
}

/// `GET /v1/documents/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    /// Document id.
    pub id: String,
    /// Title.
    pub title: String,
    /// URL.
    pub url: Option<String>,
    /// Locale.
    pub locale: String,
    /// Type.
    pub doc_type: Option<String>,
    /// Product.
    pub product: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The clean text that citations' spans point into.
    pub text: String,
    /// Its chunks.
    pub chunks: Vec<ChunkView>,
}

/// A chunk of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChunkView {
    /// Chunk id.
    pub chunk_id: String,
    /// `Title › Section`.
    pub breadcrumb: String,
    /// Character offsets in the document's text.
    pub span: [usize; 2],
}

/// `GET /readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// Indexes open and model loaded.
    pub ready: bool,
    /// Index generation served.
    pub generation: u64,
    /// Documents indexed.
    pub documents: usize,
    /// Chunks indexed.
    pub chunks: usize,
    /// Embedding model.
    pub model: String,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "kefu", description = "Grounded answers and search over a help center."),
    paths(ask, search, document, healthz, readyz, metrics, openapi),
    components(schemas(ErrorBody, Answer, SearchResults)),
    modifiers(&BearerKeys)
)]
struct ApiDoc;

/// Declares the `api_key` security scheme the paths refer to.
struct BearerKeys;

impl utoipa::Modify for BearerKeys {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route with its middleware.
pub fn router(state: AppState) -> Router {
    let server = state.server().clone();
    let query = Router::new()
        .route("/v1/ask", post(ask))
        .route("/v1/search", post(search))
        .route("/v1/documents/{*id}", get(document))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_query));
    let admin = Router::new()
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_admin));
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi))
        .merge(query)
        .merge(admin)
        .fallback(|| async { Error::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|| async {
            Error::InvalidRequest("method not allowed on this route".into())
        })
        .layer(axum::extract::DefaultBodyLimit::max(server.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit));
    if let Some(cors) = cors(&server.cors_origins) {
        router = router.layer(cors);
    }
    router
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(Any)
            .max_age(Duration::from_secs(3600)),
    )
}

/// Fails a request that takes longer than `server.request_timeout_secs` (a stream's body is
/// bounded by the answerer's own timeouts).
async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Result<Response> {
    let limit = Duration::from_secs(state.server().request_timeout_secs);
    tokio::time::timeout(limit, next.run(request))
        .await
        .map_err(|_| Error::Timeout(format!("the request took longer than {} s", limit.as_secs())))
}

async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = RequestLabels { route: route.clone(), method, status: response.status().as_u16() };
    state.metrics.requests.get_or_create(&labels).inc();
    state.metrics.latency.get_or_create(&RouteLabels { route }).observe(started.elapsed().as_secs_f64());
    response
}

/// Answer a question, with citations; or abstain and hand over.
#[utoipa::path(post, path = "/v1/ask", request_body = AskRequest,
    responses(
        (status = 200, description = "The answer (JSON, or Server-Sent Events: `delta`, `reset`, `citations`, `done`)", body = Answer),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 429, body = ErrorBody)),
    security(("api_key" = [])))]
async fn ask(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: std::result::Result<Json<AskRequest>, JsonRejection>,
) -> Result<Response> {
    let Json(request) = body.map_err(from_json_rejection)?;
    let question = validate_question(&state, &request.question)?;
    let conversation_id = request.conversation_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let previous = state
        .conversations
        .lock()
        .map_err(|_| Error::Busy("conversation store poisoned".into()))?
        .last_question(&conversation_id, Instant::now())
        .map(str::to_string);
    let retrieval_query = conversation::resolve(previous.as_deref(), &question);
    let question = Question {
        text: question,
        retrieval_query: retrieval_query.clone(),
        locale: request.locale.clone(),
        filter: request.filters.clone(),
    };
    let streaming = request.stream
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/event-stream"));

    let (events, receiver) = tokio::sync::mpsc::unbounded_channel();
    let task_state = state.clone();
    let task = tokio::spawn(async move {
        let answer =
            task_state.answerer.answer(task_state.retriever(), question, streaming.then_some(&events)).await;
        drop(events);
        let mut answer = answer?;
        answer.conversation_id = Some(conversation_id.clone());
        if let Ok(mut conversations) = task_state.conversations.lock() {
            conversations.record(&conversation_id, retrieval_query, Instant::now());
        }
        task_state.metrics.record_answer(&answer);
        Ok::<Answer, Error>(answer)
    });
    if !streaming {
        let answer = task.await.map_err(|e| Error::Internal(format!("answer task failed: {e}")))??;
        return Ok(Json(answer).into_response());
    }
    Ok(Sse::new(answer_events(UnboundedReceiverStream::new(receiver), task))
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// The SSE stream of an answer: its text as `delta` events (a `reset` event discards what came
/// before), then `citations`, then `done` with the whole answer; or `error`.
fn answer_events(
    deltas: UnboundedReceiverStream<AnswerEvent>,
    task: tokio::task::JoinHandle<Result<Answer>>,
) -> impl Stream<Item = std::result::Result<Event, Infallible>> {
    let text = deltas.map(|event| match event {
        AnswerEvent::Delta(text) => json_event("delta", &serde_json::json!({ "text": text })),
        AnswerEvent::Reset => json_event("reset", &serde_json::json!({})),
    });
    let verdict = stream::once(async move {
        let events = match task.await {
            Ok(Ok(answer)) => vec![
                json_event("citations", &serde_json::json!({ "citations": answer.citations })),
                json_event("done", &answer),
            ],
            Ok(Err(error)) => vec![json_event("error", &super::error::body(&error))],
            Err(e) => vec![json_event(
                "error",
                &super::error::body(&Error::Internal(format!("answer task failed: {e}"))),
            )],
        };
        stream::iter(events)
    })
    .flatten();
    text.chain(verdict).map(Ok)
}

fn json_event(name: &str, data: &impl Serialize) -> Event {
    Event::default().event(name).data(serde_json::to_string(data).unwrap_or_else(|_| "{}".into()))
}

fn validate_question(state: &AppState, text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::InvalidRequest("`question` is empty".into()));
    }
    let limit = state.server().max_question_chars;
    if text.chars().count() > limit {
        return Err(Error::InvalidRequest(format!(
            "`question` is longer than {limit} characters (server.max_question_chars)"
        )));
    }
    Ok(text.to_string())
}

/// Hybrid (or BM25, or dense) search, as `kefu search --json`.
#[utoipa::path(post, path = "/v1/search", request_body = SearchBody,
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("api_key" = [])))]
async fn search(
    State(state): State<AppState>,
    body: std::result::Result<Json<SearchBody>, JsonRejection>,
) -> Result<Json<SearchResults>> {
    let Json(body) = body.map_err(from_json_rejection)?;
    let query = validate_question(&state, &body.query)?;
    let request = SearchRequest {
        query,
        k: body.k.unwrap_or(state.config.search.k),
        mode: body.mode,
        filter: body.filters,
    };
    let retriever = state.retriever();
    let results = crate::error::blocking(move || retriever.search(&request)).await?;
    if results.timings.embed_ms > 0.0 {
        state.metrics.embedding.observe(results.timings.embed_ms / 1000.0);
    }
    state.metrics.retrieval.observe(results.took_ms / 1000.0);
    Ok(Json(results))
}

/// A source document's metadata and text, so that a UI can show a cited span.
#[utoipa::path(get, path = "/v1/documents/{id}", params(("id" = String, Path, description = "Document id, e.g. `en/faq.csv`")),
    responses((status = 200, body = DocumentView), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn document(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<DocumentView>> {
    // The document and its chunks from the same generation, even if a reload happens meanwhile.
    let retriever = state.retriever();
    let (record, chunks) = crate::error::blocking(move || {
        let catalog = retriever.index().catalog();
        let Some(record) = catalog.document(&id)? else {
            return Err(Error::NotFound(format!("no document `{id}`")));
        };
        let chunks = catalog.chunks(&record.chunk_ids)?;
        Ok((record, chunks))
    })
    .await?;
    Ok(Json(DocumentView {
        id: record.id,
        title: record.meta.title,
        url: record.meta.url,
        locale: record.meta.locale,
        doc_type: record.meta.doc_type,
        product: record.meta.product,
        tags: record.meta.tags,
        text: record.text,
        chunks: chunks
            .into_iter()
            .flatten()
            .map(|c| ChunkView {
                breadcrumb: c.chunk.breadcrumb_line(),
                span: [c.chunk.span.0, c.chunk.span.1],
                chunk_id: c.chunk.id,
            })
            .collect(),
    }))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "`{\"status\":\"ok\"}`")))]
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: indexes open and model loaded.
#[utoipa::path(get, path = "/readyz", responses((status = 200, body = Readiness)))]
async fn readyz(State(state): State<AppState>) -> Json<Readiness> {
    let retriever = state.retriever();
    let info = retriever.index().info();
    Json(Readiness {
        ready: true,
        generation: retriever.index().generation(),
        documents: info.documents,
        chunks: info.chunks,
        model: info.model.clone(),
    })
}

/// Prometheus metrics (admin scope).
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format"), (status = 403, body = ErrorBody)),
    security(("api_key" = [])))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.encode())
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "OpenAPI 3 document")))]
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
