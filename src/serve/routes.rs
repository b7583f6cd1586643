//! Routes, request and response types, and the OpenAPI document generated from them.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use futures_util::{Stream, StreamExt, stream};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::{OpenApi, ToSchema};

use super::auth::Caller;
use super::error::{ErrorBody, from_json_rejection, from_path_rejection};
use super::events::{self, Live};
use super::insights;
use super::metrics::{RequestLabels, RouteLabels};
use super::tickets::{self, TicketRef};
use super::{AppState, auth};
use super::{admin, console, curated, orders, products, web};
use crate::answer::conversation;
use crate::answer::{Answer, AnswerEvent, Question, messages};
use crate::helpdesk::ticket::{Priority, TicketState};
use crate::index::SearchFilter;
use crate::recommend::Shopper;
use crate::retrieve::{Mode, SearchRequest, SearchResults};
use crate::store::{
    Deleted, FeedbackKind, FeedbackReason, NewConversation, NewFeedback, NewTurn, StoredConversation,
    StoredFeedback, TicketEvent, TicketOpening,
};
use crate::{Error, Result};
use kefu_ingest::product::{MAX_LABEL_BYTES, MAX_LISTED};

/// Longest conversation id or external user id a request may name.
pub const MAX_ID_CHARS: usize = 128;
/// Where the routes of one external user's data start.
const USERS_PATH: &str = "/v1/users/";
/// The channel of conversations started over this API.
const CHANNEL: &str = "api";
/// Earlier customer messages of a conversation an answer reads (frustration, the LLM prompt).
const EARLIER_MESSAGES: usize = 3;
/// Most tags in a filter.
pub const MAX_FILTER_TAGS: usize = 32;
/// Longest value of a filter (locale, doc_type, product, a tag).
pub const MAX_FILTER_CHARS: usize = 200;
/// Seconds a shed request is asked to wait.
const OVERLOADED_RETRY_SECS: u64 = 1;

/// `POST /v1/ask`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    /// The customer's question.
    pub question: String,
    /// Continue this conversation: an id the server returned to this API key (follow-ups are
    /// read with the turn before). Absent: a new conversation starts and its id is returned
    /// (with a session token: the session's conversation).
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// The shop's id of its customer, recorded when a conversation starts (so that its data can
    /// be deleted on request: `DELETE /v1/users/{external_user_id}`).
    #[serde(default)]
    pub external_user_id: Option<String>,
    /// The customer's locale (`en`, `zh`); detected from the question when absent.
    #[serde(default)]
    pub locale: Option<String>,
    /// Metadata filters.
    #[serde(default)]
    pub filters: SearchFilter,
    /// Stream the answer as Server-Sent Events (also chosen by `Accept: text/event-stream`).
    #[serde(default)]
    pub stream: bool,
    /// Model codes of the products the customer owns, for recommendations (a session's come from
    /// its token instead).
    #[serde(default)]
    pub owned_products: Vec<String>,
    /// Model codes of the products the customer looked at recently.
    #[serde(default)]
    pub viewed_products: Vec<String>,
}

/// The reply to `POST /v1/ask`: kefu's answer, and the conversation's ticket with the shop's
/// agents when it has one. While a ticket is open kefu does not answer (`answer` is empty): the
/// message is kept for the agent, whose reply comes on the conversation's event stream.
#[derive(Debug, Serialize, ToSchema)]
pub struct AskResponse {
    /// The answer.
    #[serde(flatten)]
    pub answer: Answer,
    /// The conversation's active ticket.
    pub ticket: Option<TicketRef>,
    /// The number (`seq`) of kefu's answer in the conversation, which feedback names; `null`
    /// when nothing was recorded or kefu kept quiet for an agent.
    pub turn: Option<i64>,
}

/// `POST /v1/search`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    /// The query.
    pub query: String,
    /// Results wanted, from 1 to `search.max_k` (default `search.k`). Kept as JSON until
    /// validated, so that a negative, fractional or huge `k` gets `invalid_search_k` too.
    #[serde(default)]
    #[schema(value_type = Option<u64>, minimum = 1)]
    pub k: Option<serde_json::Value>,
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
    /// Indexes open, model loaded, and the data folder's live generation served.
    pub ready: bool,
    /// Why not, when not ready (a newly published generation fails to open, say).
    pub reason: Option<String>,
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
    paths(ask, search, document, get_conversation, delete_conversation, post_feedback, events::events,
        tickets::request_handoff, tickets::start_session, tickets::list_tickets, tickets::get_ticket,
        tickets::assign_ticket, tickets::reply_to_ticket, tickets::resolve_ticket, tickets::list_webhooks,
        tickets::retry_webhook, curated::add, curated::list, curated::history, curated::revise, curated::remove, insights::insights,
        admin::index, admin::conversations, products::products, console::sign_in, console::session, console::sign_out,
        delete_user, healthz, readyz, metrics, openapi),
    components(schemas(ErrorBody, AskResponse, Answer, SearchResults, StoredConversation, DeletedView, FeedbackRequest,
        FeedbackView, tickets::HandoffView, tickets::SessionView, tickets::TicketsView, tickets::TicketView,
        tickets::WebhooksView, curated::CuratedList, curated::CuratedHistory, admin::IndexView,
        admin::ConversationsView, products::ProductsView, console::SignIn, console::ConsoleSessionView)),
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
    // Authentication runs first (the last layer added), so a bad key never holds a place in flight.
    let customer = Router::new()
        .route("/v1/ask", post(ask))
        .route("/v1/conversations/{id}", get(get_conversation).delete(delete_conversation))
        .route("/v1/conversations/{id}/feedback", post(post_feedback))
        .route("/v1/conversations/{id}/handoff", post(tickets::request_handoff))
        .route_layer(middleware::from_fn_with_state(state.clone(), shed_load))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_customer));
    // Long-lived: bounded by `server.max_event_streams`, not by the places for requests.
    let streams = Router::new()
        .route("/v1/conversations/{id}/events", get(events::events))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_customer));
    let sessions = Router::new()
        .route("/v1/sessions", post(tickets::start_session))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_publishable));
    let query = Router::new()
        .route("/v1/search", post(search))
        .route("/v1/products", get(products::products))
        .route_layer(middleware::from_fn_with_state(state.clone(), shed_load))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_query));
    // A session may open the documents its conversation cites (the widget's source view).
    let documents = Router::new()
        .route("/v1/documents/{*id}", get(document))
        .route_layer(middleware::from_fn_with_state(state.clone(), shed_load))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_customer));
    let agent = Router::new()
        .route("/v1/tickets", get(tickets::list_tickets))
        .route("/v1/tickets/{id}", get(tickets::get_ticket))
        .route("/v1/tickets/{id}/assign", post(tickets::assign_ticket))
        .route("/v1/tickets/{id}/reply", post(tickets::reply_to_ticket))
        .route("/v1/tickets/{id}/resolve", post(tickets::resolve_ticket))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_agent));
    let admin = Router::new()
        .route("/metrics", get(metrics))
        .route("/v1/users/{external_user_id}", delete(delete_user))
        .route("/v1/webhooks", get(tickets::list_webhooks))
        .route("/v1/webhooks/{id}/retry", post(tickets::retry_webhook))
        .route("/v1/admin/answers", post(curated::add).get(curated::list))
        .route("/v1/admin/insights", get(insights::insights))
        .route("/v1/admin/answers/{id}", get(curated::history).put(curated::revise).delete(curated::remove))
        .route("/v1/admin/index", get(admin::index))
        .route("/v1/admin/conversations", get(admin::conversations))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_admin));
    // The console's sign-in checks the key it is given itself.
    let console = Router::new().route(
        "/console/api/session",
        get(console::session).post(console::sign_in).delete(console::sign_out),
    );
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi))
        .merge(customer)
        .merge(streams)
        .merge(sessions)
        .merge(query)
        .merge(documents)
        .merge(agent)
        .merge(admin)
        .merge(console)
        .merge(web::routes(&state))
        .fallback(|| async { Error::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|method: Method| async move {
            Error::MethodNotAllowed(format!("{method} is not allowed on this route"))
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
                // The path only: a query string may carry personal data, which must not reach
                // logs; nor may the customer named by an erasure request.
                .make_span_with(|request: &Request| {
                    let path = request.uri().path();
                    let path =
                        if path.starts_with(USERS_PATH) { "/v1/users/{external_user_id}" } else { path };
                    tracing::info_span!("request", method = %request.method(), path)
                })
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
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            // Listed: the `*` wildcard does not cover `Authorization` (Fetch standard).
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                HeaderName::from_static("x-api-key"),
                // A browser resuming a conversation's event stream.
                HeaderName::from_static("last-event-id"),
            ])
            .expose_headers([header::RETRY_AFTER])
            .max_age(Duration::from_secs(3600)),
    )
}

/// Fails a request that takes longer than `server.request_timeout_secs`; dropping the handler
/// cancels its work. (A stream's body has the same bound: see [`bounded`].)
async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Result<Response> {
    let limit = Duration::from_secs(state.server().request_timeout_secs);
    tokio::time::timeout(limit, next.run(request))
        .await
        .map_err(|_| Error::Timeout(format!("the request took longer than {} s", limit.as_secs())))
}

/// Takes a place among the `server.max_in_flight` requests, or refuses the request at once: under
/// overload, a fast `503 overloaded` with `Retry-After` is better than a queue that makes every
/// request late. A streamed body holds its place until the stream ends.
async fn shed_load(State(state): State<AppState>, request: Request, next: Next) -> Result<Response> {
    let permit = state
        .in_flight
        .clone()
        .try_acquire_owned()
        .map_err(|_| Error::Overloaded { retry_after_secs: OVERLOADED_RETRY_SECS })?;
    let response = next.run(request).await;
    let streamed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !streamed {
        return Ok(response);
    }
    Ok(response.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _held = &permit;
            chunk
        }))
    }))
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

/// A request body that must be a JSON object: serde would otherwise read an array as the
/// struct's fields in order.
pub trait RequestBody: DeserializeOwned {
    /// The field every body needs, named when the body is not an object.
    const REQUIRED: &'static str;
}

impl RequestBody for AskRequest {
    const REQUIRED: &'static str = "question";
}

impl RequestBody for SearchBody {
    const REQUIRED: &'static str = "query";
}

impl RequestBody for FeedbackRequest {
    const REQUIRED: &'static str = "thumbs";
}

/// The JSON object body of a request, every failure as kefu's error (naming the field at fault).
pub struct JsonBody<T>(pub T);

impl<T: RequestBody, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let Json(value) =
            Json::<serde_json::Value>::from_request(request, state).await.map_err(from_json_rejection)?;
        let kind = match &value {
            serde_json::Value::Object(_) => None,
            serde_json::Value::Array(_) => Some("an array"),
            serde_json::Value::String(_) => Some("a string"),
            serde_json::Value::Number(_) => Some("a number"),
            serde_json::Value::Bool(_) => Some("a boolean"),
            serde_json::Value::Null => Some("null"),
        };
        if let Some(kind) = kind {
            return Err(Error::InvalidRequest(format!(
                "the body must be a JSON object with a `{}` field, not {kind}",
                T::REQUIRED
            )));
        }
        serde_path_to_error::deserialize(value).map(JsonBody).map_err(|e| {
            let path = e.path().to_string();
            match path.as_str() {
                "." => Error::InvalidRequest(e.into_inner().to_string()),
                _ => Error::InvalidRequest(format!("`{path}`: {}", e.into_inner())),
            }
        })
    }
}

/// Answer a question, with citations; or abstain and hand over.
#[utoipa::path(post, path = "/v1/ask", request_body = AskRequest,
    responses(
        (status = 200, description = "The answer (JSON, or Server-Sent Events: `delta`, `reset`, `citations`, `done`)", body = AskResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("api_key" = [])))]
async fn ask(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<AskRequest>,
) -> Result<Response> {
    let raw = validate_text(&state, "question", "invalid_ask_question", &request.question)?;
    // Nothing past this line sees the customer's personal data: not the store, the logs, the
    // answerer or the LLM. (An order lookup reads its proof from the raw message, and forgets it.)
    let text = state.config.privacy.redactor().redact(&raw).text;
    let raw = state.orders.as_ref().map(|_| raw);
    if let Some(id) = &request.conversation_id {
        validate_id(id, "invalid_ask_conversation_id", "conversation_id")?;
    }
    if let Some(id) = &request.external_user_id {
        validate_id(id, "invalid_ask_external_user_id", "external_user_id")?;
    }
    if let Some(locale) = &request.locale {
        validate_locale(locale)?;
    }
    validate_filters(&request.filters)?;
    validate_models(&request.owned_products, "invalid_ask_owned_products", "owned_products")?;
    validate_models(&request.viewed_products, "invalid_ask_viewed_products", "viewed_products")?;
    let shopper = match &caller.session {
        Some(_) if !request.owned_products.is_empty() || !request.viewed_products.is_empty() => {
            return Err(Error::InvalidField {
                code: "invalid_ask_owned_products",
                field: "owned_products",
                message: "a session's products come from its token (POST /v1/sessions)".into(),
            });
        }
        Some(session) => {
            Shopper { owned: session.owned_products.clone(), viewed: session.viewed_products.clone() }
        }
        None => Shopper { owned: request.owned_products.clone(), viewed: request.viewed_products.clone() },
    };
    // A session continues its own conversation only, for the customer it was started for.
    // The shop vouched for this customer's id: their own orders need no other proof.
    let customer =
        caller.session.as_ref().filter(|s| s.verified_user).and_then(|s| s.external_user_id.clone());
    let (conversation_id, external_user_id) = match &caller.session {
        Some(session) => {
            if request.conversation_id.as_ref().is_some_and(|id| *id != session.conversation_id) {
                return Err(Error::ConversationNotFound(
                    "a session token continues its own conversation only".into(),
                ));
            }
            (Some(session.conversation_id.clone()), session.external_user_id.clone())
        }
        None => (request.conversation_id, request.external_user_id.clone()),
    };
    let (conversation_id, start, previous_query, earlier) = match conversation_id {
        Some(id) => {
            let head = state.store.head(&id).await?;
            // Someone else's conversation is not told apart from one that does not exist.
            let head = head.filter(|h| h.owner_key == caller.key_id).ok_or_else(|| {
                Error::ConversationNotFound(format!(
                    "no conversation `{id}` of this API key: send an id the server returned, or none to start one"
                ))
            })?;
            if request.external_user_id.is_some() && request.external_user_id != head.external_user_id {
                return Err(Error::InvalidField {
                    code: "invalid_ask_external_user_id",
                    field: "external_user_id",
                    message: "the conversation was started for another external user".into(),
                });
            }
            let earlier = state.store.customer_messages(&id, EARLIER_MESSAGES).await?;
            (id, None, head.previous_query, earlier)
        }
        None => {
            let start = NewConversation {
                owner_key: caller.key_id.clone(),
                external_user_id,
                channel: CHANNEL.into(),
            };
            (uuid::Uuid::new_v4().to_string(), Some(start), None, Vec::new())
        }
    };
    let retrieval_query =
        conversation::resolve(previous_query.as_deref(), &text, state.server().max_question_chars);
    let turn = Turn {
        question: Question {
            text,
            retrieval_query,
            locale: request.locale.clone(),
            earlier,
            filter: request.filters.clone(),
            promise: state.promise(),
            shopper,
        },
        conversation_id,
        start,
        actor: caller.key_id,
        raw,
        customer,
    };
    let streaming = request.stream
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/event-stream"));
    if !streaming {
        // Awaited here, not in a task of its own: when the client goes away or the time limit
        // passes, dropping this future cancels the answer.
        let reply = turn.answer(&state, None).await?;
        return Ok(Json(reply).into_response());
    }
    let (events, receiver) = tokio::sync::mpsc::unbounded_channel();
    let task_state = state.clone();
    let task = tokio::spawn(async move { turn.answer(&task_state, Some(&events)).await });
    let limit = Duration::from_secs(state.server().request_timeout_secs);
    let stream = answer_events(UnboundedReceiverStream::new(receiver), task);
    Ok(Sse::new(bounded(stream, limit)).keep_alive(KeepAlive::default()).into_response())
}

/// One turn of a conversation.
struct Turn {
    question: Question,
    conversation_id: String,
    /// The conversation to start with this turn; `None` when it continues one.
    start: Option<NewConversation>,
    /// The caller's key id.
    actor: String,
    /// The message before redaction, kept only while an order system is configured: an order
    /// lookup reads the shopper's proof in it (never stored or logged).
    raw: Option<String>,
    /// The customer the shop signed into the session, if it did.
    customer: Option<String>,
}

impl Turn {
    /// Answers, then records the question and the answer in the store (opening a ticket when
    /// the answer hands over and someone receives tickets) and the answer in the metrics. While
    /// the conversation has an active ticket, the message is kept for the agent instead. Returns
    /// once the turns are committed: the reply (or the stream's `done` event) is sent only then,
    /// so a reply the customer saw is never lost.
    async fn answer(
        self,
        state: &AppState,
        events: Option<&UnboundedSender<AnswerEvent>>,
    ) -> Result<AskResponse> {
        let record = state.config.store.record;
        if record
            && self.start.is_none()
            && let Some(ticket) =
                state.store.active_ticket(&self.conversation_id, state.ticket_cutoff_ms()).await?
        {
            return self.keep_for_agent(state, ticket.id, ticket.state).await;
        }
        let Turn { question, conversation_id, start, actor, raw, customer } = self;
        let (mut message, mut resolved_query) = (question.text.clone(), question.retrieval_query.clone());
        let retriever = state.retriever();
        let generation = retriever.index().generation();
        // Someone watches the conversation's event stream: kefu's answer reaches it as it is written.
        let relay =
            state.hub.watched(&conversation_id).then(|| relay(state, &conversation_id, events.cloned()));
        let sink = relay.as_ref().or(events);
        let about_order = match (&state.orders, &raw) {
            (Some(connector), Some(raw)) if record => {
                let asking = orders::Asking {
                    conversation_id: &conversation_id,
                    continues: start.is_none(),
                    question: &question,
                    raw,
                    customer: customer.as_deref(),
                };
                orders::answer(state, connector, asking).await?
            }
            _ => None,
        };
        let (mut answer, order_check) = match about_order {
            Some(reply) => {
                if let Some(sink) = sink {
                    let _ = sink.send(AnswerEvent::Delta(reply.answer.answer.clone()));
                }
                // A proof is compared and forgotten: not stored.
                if let Some(digits) = &reply.proof_digits {
                    message = message.replace(digits.as_str(), "[phone]");
                    resolved_query = resolved_query.replace(digits.as_str(), "[phone]");
                }
                (reply.answer, Some(reply.check))
            }
            None => (state.answerer.answer(retriever, question, sink).await?, None),
        };
        drop(relay);
        answer.conversation_id = Some(conversation_id.clone());
        if !record {
            state.metrics.record_answer(&answer);
            return Ok(AskResponse { answer, ticket: None, turn: None });
        }
        let mut customer = NewTurn::customer(&message, &resolved_query, &actor, &answer.language);
        customer.frustration = frustration_record(&answer.frustration);
        let turns = [customer, NewTurn::bot(&answer, generation)];
        let handoff = &state.config.handoff;
        let opening = match answer.handoff.reason.filter(|_| answer.handoff.needed && handoff.tickets()) {
            Some(reason) => Some(TicketEvent::Open(TicketOpening {
                reason: reason.as_str().into(),
                priority: Priority::of(reason, answer.frustration.frustrated()),
                frustrated: answer.frustration.frustrated(),
                notify: handoff.webhook_url.is_some(),
            })),
            None => None,
        };
        let recorded = state.store.record(&conversation_id, start.as_ref(), &turns, opening.as_ref()).await?;
        if let Some(check) = &order_check {
            state.store.set_order_check(&conversation_id, check).await?;
        }
        let opened = recorded.ticket.is_some();
        state.metrics.turns_stored.inc_by(turns.len() as u64 + u64::from(opened));
        state.metrics.record_answer(&answer);
        state.after_record(&conversation_id, opened);
        let ticket = recorded.ticket.map(|id| TicketRef { id, state: TicketState::Open.as_str().into() });
        Ok(AskResponse { answer, ticket, turn: Some(recorded.last_seq) })
    }

    /// Records the customer's message for the agent of the conversation's active ticket (and
    /// tells the helpdesk); kefu says nothing.
    async fn keep_for_agent(
        self,
        state: &AppState,
        ticket_id: String,
        ticket_state: String,
    ) -> Result<AskResponse> {
        let Turn { question, conversation_id, actor, .. } = self;
        let language = messages::language_of(&question.text, question.locale.as_deref());
        let earlier: Vec<&str> = question.earlier.iter().map(String::as_str).collect();
        let mut turn = NewTurn::forwarded(&question.text, &actor, &ticket_id);
        turn.language = Some(language.to_string());
        turn.frustration =
            frustration_record(&crate::understand::frustration::frustration(&question.text, &earlier));
        let notify = state.config.handoff.webhook_url.is_some();
        let event = TicketEvent::Forward { ticket_id: ticket_id.clone(), notify };
        state.store.record(&conversation_id, None, &[turn], Some(&event)).await?;
        state.metrics.turns_stored.inc();
        state.after_record(&conversation_id, false);
        let mut answer = Answer::message(String::new(), language, None);
        answer.conversation_id = Some(conversation_id);
        Ok(AskResponse { answer, ticket: Some(TicketRef { id: ticket_id, state: ticket_state }), turn: None })
    }
}

/// The frustration of a customer turn as stored: its signals, when there are any.
fn frustration_record(
    frustration: &crate::understand::frustration::Frustration,
) -> Option<serde_json::Value> {
    (!frustration.signals.is_empty()).then(|| serde_json::to_value(frustration).ok()).flatten()
}

/// A sender of kefu's answer events that tells conversation `id`'s event streams and passes
/// each event on to `onward` (the asking client's stream).
fn relay(
    state: &AppState,
    id: &str,
    onward: Option<UnboundedSender<AnswerEvent>>,
) -> UnboundedSender<AnswerEvent> {
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<AnswerEvent>();
    let (state, id) = (state.clone(), id.to_string());
    tokio::spawn(async move {
        while let Some(event) = receiver.recv().await {
            state.hub.publish(&id, Live::Answer(event.clone()));
            if let Some(onward) = &onward {
                let _ = onward.send(event);
            }
        }
    });
    sender
}

/// Aborts a task when dropped: the answer of a stream nobody reads any more is not finished.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `events`, ended with an `error` event (`timeout`) once `limit` has passed. The end drops the
/// stream and with it the answer task.
fn bounded(
    events: impl Stream<Item = Event> + Send + 'static,
    limit: Duration,
) -> impl Stream<Item = std::result::Result<Event, Infallible>> {
    let deadline = tokio::time::Instant::now() + limit;
    stream::unfold(Some(Box::pin(events)), move |events| async move {
        let mut events = events?;
        tokio::select! {
            next = events.next() => next.map(|event| (event, Some(events))),
            () = tokio::time::sleep_until(deadline) => {
                let error = Error::Timeout(format!("the answer took longer than {} s", limit.as_secs()));
                Some((json_event("error", &super::error::body(&error)), None))
            }
        }
    })
    .map(Ok)
}

/// The SSE stream of an answer: its text as `delta` events (a `reset` event discards what came
/// before), then `citations`, then `done` with the whole answer; or `error`. Dropping it aborts
/// `task`.
fn answer_events(
    deltas: UnboundedReceiverStream<AnswerEvent>,
    task: tokio::task::JoinHandle<Result<AskResponse>>,
) -> impl Stream<Item = Event> {
    let abort = AbortOnDrop(task.abort_handle());
    let text = deltas.map(|event| match event {
        AnswerEvent::Delta(text) => json_event("delta", &serde_json::json!({ "text": text })),
        AnswerEvent::Reset => json_event("reset", &serde_json::json!({})),
    });
    let verdict = stream::once(async move {
        let _abort = abort;
        let events = match task.await {
            Ok(Ok(reply)) => vec![
                json_event("citations", &serde_json::json!({ "citations": reply.answer.citations })),
                json_event("done", &reply),
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
    text.chain(verdict)
}

pub(super) fn json_event(name: &str, data: &impl Serialize) -> Event {
    Event::default().event(name).data(serde_json::to_string(data).unwrap_or_else(|_| "{}".into()))
}

/// The question or query, trimmed: not empty, at most `server.max_question_chars`.
fn validate_text(state: &AppState, field: &'static str, code: &'static str, text: &str) -> Result<String> {
    let text = text.trim();
    let invalid = |message: String| Error::InvalidField { code, field, message };
    if text.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    let limit = state.server().max_question_chars;
    if text.chars().count() > limit {
        return Err(invalid(format!("it is longer than {limit} characters (server.max_question_chars)")));
    }
    Ok(text.to_string())
}

/// Whether `id` is short, and of characters that are safe in logs and URLs.
pub(super) fn is_valid_id(id: &str) -> bool {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
    !id.is_empty() && id.len() <= MAX_ID_CHARS && id.chars().all(safe)
}

/// An id a request names (a conversation, an external user), checked by [`is_valid_id`].
pub(super) fn validate_id(id: &str, code: &'static str, field: &'static str) -> Result<()> {
    if !is_valid_id(id) {
        return Err(Error::InvalidField {
            code,
            field,
            message: format!(
                "1 to {MAX_ID_CHARS} characters among ASCII letters, digits, `-`, `_`, `.` and `:`"
            ),
        });
    }
    Ok(())
}

/// A list of product model codes a request names: at most [`MAX_LISTED`] codes of 1 to
/// [`MAX_LABEL_BYTES`] printable characters.
pub(super) fn validate_models(models: &[String], code: &'static str, field: &'static str) -> Result<()> {
    let bad = |message: String| Err(Error::InvalidField { code, field, message });
    if models.len() > MAX_LISTED {
        return bad(format!("{} model codes; at most {MAX_LISTED}", models.len()));
    }
    if let Some(i) = models
        .iter()
        .position(|m| m.trim().is_empty() || m.len() > MAX_LABEL_BYTES || m.chars().any(char::is_control))
    {
        return bad(format!("`{field}[{i}]` must be a model code of 1 to {MAX_LABEL_BYTES} printable bytes"));
    }
    Ok(())
}

fn validate_locale(locale: &str) -> Result<()> {
    let tag = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if locale.is_empty() || locale.len() > 16 || !locale.chars().all(tag) {
        return Err(Error::InvalidField {
            code: "invalid_ask_locale",
            field: "locale",
            message: "a language tag such as `en` or `zh-CN`".into(),
        });
    }
    Ok(())
}

fn validate_filters(filters: &SearchFilter) -> Result<()> {
    let invalid =
        |message: String| Error::InvalidField { code: "invalid_filters", field: "filters", message };
    if filters.tags.len() > MAX_FILTER_TAGS {
        return Err(invalid(format!("at most {MAX_FILTER_TAGS} tags")));
    }
    if filters.conditions().iter().any(|(_, value)| value.chars().count() > MAX_FILTER_CHARS) {
        return Err(invalid(format!("a value is longer than {MAX_FILTER_CHARS} characters")));
    }
    Ok(())
}

/// `k`: an integer from 1 to `search.max_k`.
fn validate_k(state: &AppState, k: Option<&serde_json::Value>) -> Result<usize> {
    let max = state.config.search.max_k;
    let Some(k) = k else {
        return Ok(state.config.search.k);
    };
    k.as_u64().and_then(|k| usize::try_from(k).ok()).filter(|k| (1..=max).contains(k)).ok_or_else(|| {
        Error::InvalidField {
            code: "invalid_search_k",
            field: "k",
            message: format!("`{k}` is not an integer from 1 to {max} (search.max_k)"),
        }
    })
}

/// Hybrid (or BM25, or dense) search, as `kefu search --json`.
#[utoipa::path(post, path = "/v1/search", request_body = SearchBody,
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("api_key" = [])))]
async fn search(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<SearchResults>> {
    let query = validate_text(&state, "query", "invalid_search_query", &body.query)?;
    let k = validate_k(&state, body.k.as_ref())?;
    validate_filters(&body.filters)?;
    let request = SearchRequest { query, k, mode: body.mode, filter: body.filters };
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
async fn document(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<DocumentView>> {
    let Path(id) = path.map_err(from_path_rejection)?;
    if let Some(session) = &caller.session
        && !cites(&state, &session.conversation_id, &id).await?
    {
        // Told apart from a missing document by nobody: a session learns nothing of the index.
        return Err(Error::NotFound(format!("no document `{id}`")));
    }
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

/// Whether one of kefu's answers in conversation `conversation_id` cites document `doc_id`.
async fn cites(state: &AppState, conversation_id: &str, doc_id: &str) -> Result<bool> {
    let turns = state.store.turns_after(conversation_id, 0).await?;
    Ok(turns.iter().filter_map(|turn| turn.citations.as_ref()).any(|citations| {
        citations.0.as_array().is_some_and(|list| list.iter().any(|c| c["doc_id"].as_str() == Some(doc_id)))
    }))
}

/// What a deletion removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedView {
    /// Conversations and turns deleted.
    pub deleted: Deleted,
}

/// Conversation `id` if `caller` may see it; otherwise, and when there is none, 404.
pub(super) async fn visible_conversation(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<StoredConversation> {
    // An id the server cannot have issued is looked up nowhere.
    let conversation = if is_valid_id(id) { state.store.conversation(id).await? } else { None };
    conversation
        .filter(|c| caller.may_see(&c.id, &c.owner_key))
        .ok_or_else(|| Error::ConversationNotFound(format!("no conversation `{id}` of this API key")))
}

/// A conversation's transcript: its turns in order, with what each answer cited (the key that
/// started it, or an admin key).
#[utoipa::path(get, path = "/v1/conversations/{id}", params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = StoredConversation), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn get_conversation(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<StoredConversation>> {
    let Path(id) = path.map_err(from_path_rejection)?;
    Ok(Json(visible_conversation(&state, &caller, &id).await?))
}

/// Deletes a conversation and its turns (the key that started it, or an admin key).
#[utoipa::path(delete, path = "/v1/conversations/{id}", params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = DeletedView), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn delete_conversation(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<DeletedView>> {
    let Path(id) = path.map_err(from_path_rejection)?;
    if caller.session.is_some() {
        return Err(Error::Forbidden(
            "a session token cannot delete its conversation: the shop's server can".into(),
        ));
    }
    visible_conversation(&state, &caller, &id).await?;
    let deleted = state.store.delete_conversation(&id).await?;
    Ok(Json(DeletedView { deleted }))
}

/// `POST /v1/conversations/{id}/feedback`: thumbs on one of kefu's answers, or the
/// conversation's CSAT. A new rating of the same answer (or a new CSAT) replaces the old one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The answer rated: its `seq` in the transcript (with `thumbs`).
    pub turn: Option<i64>,
    /// `up` or `down`.
    pub thumbs: Option<Thumbs>,
    /// Why the answer did not help (with `thumbs: "down"`).
    pub reason: Option<FeedbackReason>,
    /// Satisfaction with the whole conversation, 1 to 5 (instead of `thumbs`).
    pub csat: Option<i64>,
    /// The customer's words, at most 1,000 characters; personal data is redacted.
    pub comment: Option<String>,
}

/// Thumbs up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Thumbs {
    /// The answer helped.
    Up,
    /// It did not.
    Down,
}

/// A conversation's ratings after a new one.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackView {
    /// Its answers' thumbs, then its CSAT.
    pub feedback: Vec<StoredFeedback>,
}

/// Longest feedback comment, in characters.
const MAX_FEEDBACK_COMMENT_CHARS: usize = 1000;

/// The rating `request` asks to record, checked.
fn feedback_of(
    request: FeedbackRequest,
    actor: String,
    redactor: crate::privacy::Redactor,
) -> Result<NewFeedback> {
    let invalid = |code: &'static str, field: &'static str, message: &str| Error::InvalidField {
        code,
        field,
        message: message.to_string(),
    };
    let comment = match request.comment.as_deref().map(str::trim) {
        Some(text) if text.chars().count() > MAX_FEEDBACK_COMMENT_CHARS => {
            return Err(invalid("invalid_feedback_comment", "comment", "at most 1000 characters"));
        }
        Some(text) if text.chars().any(|c| c.is_control() && c != '\n') => {
            return Err(invalid("invalid_feedback_comment", "comment", "no control characters"));
        }
        Some("") | None => None,
        Some(text) => Some(redactor.redact(text).text),
    };
    match (request.thumbs, request.csat) {
        (Some(thumbs), None) => {
            let turn = request.turn.filter(|&t| t > 0).ok_or_else(|| {
                invalid("invalid_feedback_turn", "turn", "thumbs rate one answer: give its `turn`")
            })?;
            if request.reason.is_some() && thumbs == Thumbs::Up {
                return Err(invalid("invalid_feedback_reason", "reason", "a reason goes with thumbs down"));
            }
            Ok(NewFeedback {
                turn_seq: turn,
                kind: FeedbackKind::Thumbs,
                score: if thumbs == Thumbs::Up { 1 } else { -1 },
                reason: request.reason,
                comment,
                actor,
            })
        }
        (None, Some(csat)) => {
            if !(1..=5).contains(&csat) {
                return Err(invalid("invalid_feedback_csat", "csat", "a score from 1 to 5"));
            }
            if request.turn.is_some() || request.reason.is_some() {
                return Err(invalid(
                    "invalid_feedback",
                    "turn",
                    "CSAT rates the whole conversation: no `turn` or `reason`",
                ));
            }
            Ok(NewFeedback {
                turn_seq: 0,
                kind: FeedbackKind::Csat,
                score: csat,
                reason: None,
                comment,
                actor,
            })
        }
        _ => Err(invalid("invalid_feedback", "thumbs", "give either `thumbs` (with `turn`) or `csat`")),
    }
}

/// Records a customer's rating of an answer, or of the whole conversation (the key that started
/// it).
#[utoipa::path(post, path = "/v1/conversations/{id}/feedback", params(("id" = String, Path, description = "Conversation id")),
    request_body = FeedbackRequest,
    responses((status = 200, body = FeedbackView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
async fn post_feedback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: std::result::Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<FeedbackRequest>,
) -> Result<Json<FeedbackView>> {
    let Path(id) = path.map_err(from_path_rejection)?;
    visible_conversation(&state, &caller, &id).await?;
    let feedback = feedback_of(request, caller.key_id.clone(), state.config.privacy.redactor())?;
    state.store.record_feedback(&id, &feedback).await?;
    Ok(Json(FeedbackView { feedback: state.store.feedback(&id).await? }))
}

/// Deletes every conversation of one external user, whichever key started it (admin scope; a
/// PIPL/GDPR erasure request). Deleting a user with no conversations deletes nothing.
#[utoipa::path(delete, path = "/v1/users/{external_user_id}",
    params(("external_user_id" = String, Path, description = "The shop's id of its customer")),
    responses((status = 200, body = DeletedView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("api_key" = [])))]
async fn delete_user(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<DeletedView>> {
    let Path(id) = path.map_err(from_path_rejection)?;
    validate_id(&id, "invalid_external_user_id", "external_user_id")?;
    let deleted = state.store.delete_user(&id).await?;
    Ok(Json(DeletedView { deleted }))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "`{\"status\":\"ok\"}`")))]
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: indexes open, model loaded, and the live generation served; 503 while a newly
/// published generation fails to open (the previous one is still served meanwhile).
#[utoipa::path(get, path = "/readyz", responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let retriever = state.retriever();
    let info = retriever.index().info();
    let reason = state.not_ready();
    let status = if reason.is_none() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let readiness = Readiness {
        ready: reason.is_none(),
        reason,
        generation: retriever.index().generation(),
        documents: info.documents,
        chunks: info.chunks,
        model: info.model.clone(),
    };
    (status, Json(readiness))
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
