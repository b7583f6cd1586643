//! The routes of handoffs: a customer asking for a person, the agents' API (list, take, reply,
//! resolve), the webhook dead letters, and browser sessions.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;
use super::error::{ErrorBody, from_path_rejection};
use super::events::Live;
use super::routes::{JsonBody, RequestBody, is_valid_id, validate_id, validate_models, visible_conversation};
use super::session::Claims;
use crate::answer::{Answer, HandoffReason, messages};
use crate::helpdesk::ticket::{Priority, TicketAction, TicketState};
use crate::store::{
    NewConversation, NewTurn, OutboxEntry, StoredConversation, StoredTicket, TicketEvent, TicketOpening,
    TicketRow,
};
use crate::{Error, Result};

/// Longest agent reply, in characters.
const MAX_REPLY_CHARS: usize = 4000;
/// Most tickets or webhooks listed at once.
const MAX_LIST: i64 = 200;
/// The channel of conversations started by a browser session.
const WEB_CHANNEL: &str = "web";

/// A ticket, as a reply names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketRef {
    /// Its id.
    pub id: String,
    /// `open`, `assigned`, `resolved` or `expired`.
    pub state: String,
}

/// `POST /v1/conversations/{id}/handoff`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffRequest {
    /// The customer's locale (`en`, `zh`), for what they are told; when absent, the language the
    /// conversation was answered in (English for a conversation without answers).
    #[serde(default)]
    pub locale: Option<String>,
}

impl RequestBody for HandoffRequest {
    const REQUIRED: &'static str = "locale";
}

/// What a customer asking for a person is told, and the ticket opened (none when nobody
/// receives tickets: then `message` says how to reach the shop).
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoffView {
    /// What kefu told the customer (also a turn of the conversation).
    pub message: String,
    /// The conversation's active ticket.
    pub ticket: Option<TicketRef>,
}

/// The customer presses "talk to a person": kefu says what will happen, and a ticket opens
/// (unless one is already open, or nobody receives tickets).
#[utoipa::path(post, path = "/v1/conversations/{id}/handoff", params(("id" = String, Path, description = "Conversation id")),
    request_body = HandoffRequest,
    responses((status = 200, body = HandoffView), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn request_handoff(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: std::result::Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<HandoffRequest>,
) -> Result<Json<HandoffView>> {
    let Path(id) = path.map_err(from_path_rejection)?;
    let conversation = visible_conversation(&state, &caller, &id).await?;
    // The customer's language: as asked, else the one the conversation was answered in.
    let spoken = conversation.turns.iter().rev().find_map(|t| t.language.as_deref());
    let language = messages::language_of("", request.locale.as_deref().or(spoken));
    let handoff = &state.config.handoff;
    if let Some(ticket) = state.store.active_ticket(&id, state.ticket_cutoff_ms()).await? {
        return Ok(Json(HandoffView {
            message: messages::promise(language, &state.promise()),
            ticket: Some(TicketRef { id: ticket.id, state: ticket.state }),
        }));
    }
    let text = messages::with_promise(
        language,
        messages::handing_over(language),
        &messages::promise(language, &state.promise()),
        true,
    );
    let answer = Answer::message(text.clone(), language, Some(HandoffReason::RequestedHuman));
    let turns = [NewTurn::bot(&answer, state.retriever().index().generation())];
    let opening = handoff.tickets().then(|| {
        TicketEvent::Open(TicketOpening {
            reason: HandoffReason::RequestedHuman.as_str().into(),
            priority: Priority::Normal,
            frustrated: false,
            notify: handoff.webhook_url.is_some(),
        })
    });
    let opened = state.store.record(&id, None, &turns, opening.as_ref()).await?.ticket;
    state.after_record(&id, opened.is_some());
    Ok(Json(HandoffView {
        message: text,
        ticket: opened.map(|id| TicketRef { id, state: TicketState::Open.as_str().into() }),
    }))
}

/// `GET /v1/tickets` parameters.
#[derive(Debug, Deserialize)]
pub struct TicketsQuery {
    state: Option<String>,
    limit: Option<i64>,
}

/// Tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketsView {
    /// High priority first, then the oldest.
    pub tickets: Vec<TicketRow>,
}

/// The tickets waiting for an agent (or in another state): high priority first, then the
/// oldest (agent scope).
#[utoipa::path(get, path = "/v1/tickets",
    params(("state" = Option<String>, Query, description = "`open` (default), `assigned`, `resolved`, `expired` or `all`"),
        ("limit" = Option<i64>, Query, description = "At most this many (default and maximum 200)")),
    responses((status = 200, body = TicketsView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn list_tickets(
    State(state): State<AppState>,
    Query(query): Query<TicketsQuery>,
) -> Result<Json<TicketsView>> {
    let filter = match query.state.as_deref().unwrap_or("open") {
        "all" => None,
        name => Some(TicketState::parse(name).ok_or_else(|| Error::InvalidField {
            code: "invalid_ticket_state",
            field: "state",
            message: "one of `open`, `assigned`, `resolved`, `expired`, `all`".into(),
        })?),
    };
    let limit = query.limit.unwrap_or(MAX_LIST).clamp(1, MAX_LIST);
    Ok(Json(TicketsView { tickets: state.store.tickets(filter, limit).await? }))
}

/// A ticket and its conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    /// The ticket.
    pub ticket: StoredTicket,
    /// The conversation handed over, with every turn.
    pub conversation: StoredConversation,
}

async fn ticket_view(state: &AppState, ticket: StoredTicket) -> Result<TicketView> {
    let conversation = state
        .store
        .conversation(&ticket.conversation_id)
        .await?
        .ok_or_else(|| Error::TicketNotFound(format!("no ticket `{}`", ticket.id)))?;
    Ok(TicketView { ticket, conversation })
}

fn ticket_id(path: std::result::Result<Path<String>, PathRejection>) -> Result<String> {
    let Path(id) = path.map_err(from_path_rejection)?;
    if !is_valid_id(&id) {
        return Err(Error::TicketNotFound(format!("no ticket `{id}`")));
    }
    Ok(id)
}

/// A ticket with the whole conversation (agent scope).
#[utoipa::path(get, path = "/v1/tickets/{id}", params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn get_ticket(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<TicketView>> {
    let id = ticket_id(path)?;
    let ticket =
        state.store.ticket(&id).await?.ok_or_else(|| Error::TicketNotFound(format!("no ticket `{id}`")))?;
    Ok(Json(ticket_view(&state, ticket).await?))
}

/// `POST /v1/tickets/{id}/assign|resolve`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentRequest {
    /// The agent's name or id in the shop's helpdesk (as recorded on the turns).
    pub agent: String,
}

impl RequestBody for AgentRequest {
    const REQUIRED: &'static str = "agent";
}

/// `POST /v1/tickets/{id}/reply`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// The agent's name or id.
    pub agent: String,
    /// What the customer reads (personal data is redacted before it is stored).
    pub text: String,
}

impl RequestBody for ReplyRequest {
    const REQUIRED: &'static str = "text";
}

async fn act(
    state: &AppState,
    id: &str,
    action: TicketAction,
    agent: &str,
    reply: Option<&str>,
) -> Result<TicketView> {
    validate_id(agent, "invalid_agent", "agent")?;
    let ticket = state.store.act_on_ticket(id, action, agent, reply).await?;
    state.after_record(&ticket.conversation_id, false);
    ticket_view(state, ticket).await
}

/// An agent takes the ticket (or takes it over): the customer's stream hears of it.
#[utoipa::path(post, path = "/v1/tickets/{id}/assign", params(("id" = String, Path, description = "Ticket id")),
    request_body = AgentRequest,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn assign_ticket(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<AgentRequest>,
) -> Result<Json<TicketView>> {
    let id = ticket_id(path)?;
    Ok(Json(act(&state, &id, TicketAction::Assign, &request.agent, None).await?))
}

/// An agent replies to the customer (taking the ticket if nobody had): the reply is a turn of
/// the conversation and reaches the customer's event stream at once.
#[utoipa::path(post, path = "/v1/tickets/{id}/reply", params(("id" = String, Path, description = "Ticket id")),
    request_body = ReplyRequest,
    responses((status = 200, body = TicketView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn reply_to_ticket(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<ReplyRequest>,
) -> Result<Json<TicketView>> {
    let id = ticket_id(path)?;
    let text = request.text.trim();
    let invalid = |message: &str| Error::InvalidField {
        code: "invalid_reply_text",
        field: "text",
        message: message.into(),
    };
    if text.is_empty() {
        return Err(invalid("it is empty"));
    }
    if text.chars().count() > MAX_REPLY_CHARS {
        return Err(invalid("at most 4000 characters"));
    }
    let text = state.config.privacy.redactor().redact(text).text;
    Ok(Json(act(&state, &id, TicketAction::Reply, &request.agent, Some(&text)).await?))
}

/// An agent closes the ticket: kefu answers the customer again.
#[utoipa::path(post, path = "/v1/tickets/{id}/resolve", params(("id" = String, Path, description = "Ticket id")),
    request_body = AgentRequest,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn resolve_ticket(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<AgentRequest>,
) -> Result<Json<TicketView>> {
    let id = ticket_id(path)?;
    Ok(Json(act(&state, &id, TicketAction::Resolve, &request.agent, None).await?))
}

/// `GET /v1/webhooks` parameters.
#[derive(Debug, Deserialize)]
pub struct WebhooksQuery {
    state: Option<String>,
}

/// Webhooks.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhooksView {
    /// Oldest first.
    pub webhooks: Vec<OutboxEntry>,
}

/// The webhooks given up on (`state=dead`, the default), waiting (`pending`) or delivered
/// (admin scope).
#[utoipa::path(get, path = "/v1/webhooks",
    params(("state" = Option<String>, Query, description = "`dead` (default), `pending` or `delivered`")),
    responses((status = 200, body = WebhooksView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    Query(query): Query<WebhooksQuery>,
) -> Result<Json<WebhooksView>> {
    let wanted = query.state.as_deref().unwrap_or("dead");
    if !["dead", "pending", "delivered"].contains(&wanted) {
        return Err(Error::InvalidField {
            code: "invalid_webhook_state",
            field: "state",
            message: "one of `dead`, `pending`, `delivered`".into(),
        });
    }
    Ok(Json(WebhooksView { webhooks: state.store.webhooks(wanted, MAX_LIST).await? }))
}

/// Sends a dead-lettered webhook again, from its first attempt (admin scope).
#[utoipa::path(post, path = "/v1/webhooks/{id}/retry", params(("id" = String, Path, description = "Event id")),
    responses((status = 200, description = "`{\"retried\": true}`"), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn retry_webhook(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>> {
    let Path(id) = path.map_err(from_path_rejection)?;
    if !is_valid_id(&id) || !state.store.retry_webhook(&id).await? {
        return Err(Error::NotFound(format!("no dead-lettered webhook `{id}`")));
    }
    state.webhooks_due.notify_one();
    Ok(Json(serde_json::json!({ "retried": true })))
}

/// `POST /v1/sessions`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// The shop's id of its customer, bound to the new conversation (for erasure requests).
    #[serde(default)]
    pub external_user_id: Option<String>,
    /// An earlier token of this key (expired or not, within `server.session_renew_days`): the
    /// new token continues its conversation.
    #[serde(default)]
    pub renew: Option<String>,
    /// The shop's HMAC-SHA256 of `external_user_id` under `server.external_user_secret` (hex):
    /// kefu then trusts the id, and the customer sees their own orders without another proof.
    #[serde(default)]
    pub external_user_signature: Option<String>,
    /// Model codes of the products the signed-in customer owns (with `external_user_signature`):
    /// recommendations suggest their parts and consumables and never what they have.
    #[serde(default)]
    pub owned_products: Vec<String>,
    /// Model codes of the products the signed-in customer looked at recently (with
    /// `external_user_signature`): preferred when they fit as well.
    #[serde(default)]
    pub viewed_products: Vec<String>,
}

impl RequestBody for SessionRequest {
    const REQUIRED: &'static str = "external_user_id";
}

/// A session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// What the browser sends as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// The one conversation it may read and continue.
    pub conversation_id: String,
    /// When it expires (Unix milliseconds); renew it before or after with `renew`.
    pub expires_at_ms: i64,
}

/// Starts a browser session (publishable scope): a new conversation and a short-lived token
/// bound to it, or a new token for the conversation of an earlier one (`renew`).
#[utoipa::path(post, path = "/v1/sessions", request_body = SessionRequest,
    responses((status = 200, body = SessionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn start_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(request): JsonBody<SessionRequest>,
) -> Result<Json<SessionView>> {
    let Some(sessions) = state.auth.sessions() else {
        return Err(Error::Forbidden("sessions need `server.session_secret`".into()));
    };
    let server = state.server();
    let now = super::unix_secs();
    let expires_at = now + server.session_ttl_secs as i64;
    validate_models(&request.owned_products, "invalid_session_owned_products", "owned_products")?;
    validate_models(&request.viewed_products, "invalid_session_viewed_products", "viewed_products")?;
    let mut claims = match request.renew.as_deref() {
        Some(token) => {
            let invalid = |message: &str| Error::InvalidField {
                code: "invalid_session_renew",
                field: "renew",
                message: message.into(),
            };
            let old = sessions.signed(token).map_err(|_| invalid("not a session token of this server"))?;
            let renewable_until = old.expires_at + i64::from(server.session_renew_days) * 86_400;
            if old.owner_key != caller.key_id || now > renewable_until {
                return Err(invalid("the token is of another key, or too old to renew: start a new session"));
            }
            if state.store.head(&old.conversation_id).await?.is_none() {
                return Err(invalid("its conversation no longer exists: start a new session"));
            }
            // The shop vouches again on each renewal, or the renewed session no longer knows its
            // customer: a browser passed to someone else must not keep the first one's orders.
            let verified_user = request.external_user_id == old.external_user_id
                && match (
                    &server.external_user_secret,
                    &old.external_user_id,
                    &request.external_user_signature,
                ) {
                    (Some(secret), Some(user), Some(signature)) => {
                        super::session::user_signed(secret, user, signature)
                    }
                    _ => false,
                };
            Claims { expires_at, verified_user, ..old }
        }
        None => {
            if let Some(user) = &request.external_user_id {
                validate_id(user, "invalid_session_external_user_id", "external_user_id")?;
            }
            let verified_user = match &request.external_user_signature {
                None => false,
                Some(signature) => {
                    let invalid = |message: &str| Error::InvalidField {
                        code: "invalid_session_external_user_signature",
                        field: "external_user_signature",
                        message: message.into(),
                    };
                    let (Some(secret), Some(user)) =
                        (&server.external_user_secret, &request.external_user_id)
                    else {
                        return Err(invalid(
                            "needs external_user_id, and server.external_user_secret on the server",
                        ));
                    };
                    if !super::session::user_signed(secret, user, signature) {
                        return Err(invalid(
                            "not the HMAC-SHA256 of external_user_id under the shop's secret",
                        ));
                    }
                    true
                }
            };
            let conversation_id = uuid::Uuid::new_v4().to_string();
            let start = NewConversation {
                owner_key: caller.key_id.clone(),
                external_user_id: request.external_user_id.clone(),
                channel: WEB_CHANNEL.into(),
            };
            state.store.record(&conversation_id, Some(&start), &[], None).await?;
            Claims {
                conversation_id,
                external_user_id: request.external_user_id,
                owner_key: caller.key_id,
                verified_user,
                owned_products: Vec::new(),
                viewed_products: Vec::new(),
                expires_at,
            }
        }
    };
    // What a customer has is the shop's word about a customer it signed in; a renewal without the
    // signature forgets it, and one with new lists replaces it.
    let given = !request.owned_products.is_empty() || !request.viewed_products.is_empty();
    if given && !claims.verified_user {
        return Err(Error::InvalidField {
            code: "invalid_session_owned_products",
            field: "owned_products",
            message: "products come from the shop about its signed-in customer: send external_user_id and external_user_signature with them".into(),
        });
    }
    if !claims.verified_user || given {
        claims.owned_products = request.owned_products;
        claims.viewed_products = request.viewed_products;
    }
    Ok(Json(SessionView {
        token: sessions.issue(&claims),
        conversation_id: claims.conversation_id,
        expires_at_ms: expires_at * 1000,
    }))
}

impl AppState {
    /// What a handoff can promise the customer now.
    pub fn promise(&self) -> messages::Promise {
        crate::helpdesk::promise(&self.config.handoff, crate::store::now_ms())
    }

    /// Tickets unchanged since before this are expiring: kefu answers their customers again.
    pub fn ticket_cutoff_ms(&self) -> i64 {
        crate::store::now_ms() - i64::from(self.config.handoff.ticket_ttl_hours) * 3_600_000
    }

    /// After turns of conversation `id` were committed: its streams read them, and a new
    /// ticket's webhook is sent.
    pub fn after_record(&self, id: &str, ticket_opened: bool) {
        self.hub.publish(id, Live::Stored);
        if ticket_opened {
            self.metrics.tickets_opened.inc();
        }
        self.webhooks_due.notify_one();
    }
}
