//! Curated answers over HTTP (admin scope): add, list, history, revise, remove, and promote an
//! agent's reply from a resolved ticket in one call. Each change takes effect at once on this
//! replica and within `server.reload_interval_ms` on the others: every replica reloads its set
//! when the store's curated answers change, embedding only example questions it has not seen.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;
use super::error::{ErrorBody, from_path_rejection};
use super::routes::{JsonBody, RequestBody, is_valid_id, validate_id};
use crate::answer::curated::{CuratedAnswer, CuratedSet, Embedded, NewCurated};
use crate::helpdesk::ticket::TicketState;
use crate::store::{CuratedVersion, Role, StoredTurn};
use crate::{Error, Result};

/// What this replica knows of the store's curated answers.
#[derive(Debug, Default)]
pub struct CuratedCache {
    /// One rebuild at a time: a slow one started before an edit must not replace the set the
    /// edit's own rebuild made.
    rebuilding: tokio::sync::Mutex<()>,
    /// The store's stamp when the set was last built.
    stamp: Mutex<Option<(i64, i64)>>,
    /// Example questions' vectors, by text.
    vectors: Mutex<HashMap<String, Vec<f32>>>,
}

/// Rebuilds the answerer's curated set if the store's curated answers changed since the last
/// time.
pub async fn refresh(state: &AppState) -> Result<()> {
    let _rebuilding = state.curated.rebuilding.lock().await;
    let stamp = state.store.curated_stamp().await?;
    if *state.curated.stamp.lock().unwrap_or_else(|p| p.into_inner()) == Some(stamp) {
        return Ok(());
    }
    let answers = state.store.curated_answers().await?;
    let task = state.clone();
    let set = crate::error::blocking(move || {
        let mut cache = task.curated.vectors.lock().unwrap_or_else(|p| p.into_inner());
        let mut vectors = HashMap::with_capacity(cache.len());
        let mut built = Vec::with_capacity(answers.len());
        for answer in answers {
            let mut own = Vec::with_capacity(answer.questions.len());
            for question in &answer.questions {
                let vector = match cache.remove(question).or_else(|| vectors.get(question).cloned()) {
                    Some(vector) => vector,
                    None => task.embedder.embed_query(question)?,
                };
                vectors.insert(question.clone(), vector.clone());
                own.push(vector);
            }
            let passage = task.embedder.embed_passages(&[answer.text()], |_| {})?.pop().unwrap_or_default();
            built.push(Embedded { answer, questions: own, passage });
        }
        // Only the questions still in use are kept.
        *cache = vectors;
        Ok(CuratedSet::new(built, task.config.answer.curated_threshold))
    })
    .await?;
    let count = set.len();
    state.answerer.set_curated(set);
    *state.curated.stamp.lock().unwrap_or_else(|p| p.into_inner()) = Some(stamp);
    tracing::info!(curated_answers = count, "curated answers loaded");
    Ok(())
}

/// Reloads the curated answers when they change (another replica's edit, `kefu answers`).
pub async fn keep_current(state: AppState) {
    let mut ticker = tokio::time::interval(Duration::from_millis(state.server().reload_interval_ms));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(e) = refresh(&state).await {
            tracing::warn!(code = e.code(), error = %e, "cannot reload the curated answers; will retry");
        }
    }
}

/// `POST /v1/admin/answers` and `PUT /v1/admin/answers/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CuratedRequest {
    /// Example questions, as customers ask them (1 to 20). With `from_ticket`, the customer's
    /// message that opened the ticket when absent.
    #[serde(default)]
    pub questions: Option<Vec<String>>,
    /// The answer. With `from_ticket`, the agent's last reply when absent.
    #[serde(default)]
    pub answer: Option<String>,
    /// `en` or `zh`; detected from the questions when absent.
    #[serde(default)]
    pub locale: Option<String>,
    /// The product it is about.
    #[serde(default)]
    pub product: Option<String>,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Who makes it (an agent's or an editor's name).
    pub author: String,
    /// Promote an agent's reply: the id of a resolved ticket.
    #[serde(default)]
    pub from_ticket: Option<String>,
}

impl RequestBody for CuratedRequest {
    const REQUIRED: &'static str = "author";
}

/// Curated answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CuratedList {
    /// The live ones, oldest first.
    pub answers: Vec<CuratedAnswer>,
}

/// A curated answer's versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct CuratedHistory {
    /// Oldest first; the last one is live unless it removed the answer.
    pub versions: Vec<CuratedVersion>,
}

/// The curated answer `request` describes, checked; `source` when promoted.
async fn curated_of(state: &AppState, request: CuratedRequest) -> Result<NewCurated> {
    validate_id(&request.author, "invalid_curated_author", "author")?;
    let (mut questions, mut answer, mut source) = (request.questions, request.answer, None);
    if let Some(ticket_id) = &request.from_ticket {
        let promoted = promotion(state, ticket_id).await?;
        questions = questions.or(Some(vec![promoted.question]));
        answer = answer.or(Some(promoted.reply));
        source = Some((promoted.conversation_id, promoted.reply_seq));
    }
    NewCurated {
        questions: questions.unwrap_or_default(),
        answer: answer.unwrap_or_default(),
        locale: request.locale.unwrap_or_default(),
        product: request.product,
        tags: request.tags,
        author: request.author,
        source,
    }
    .checked(state.server().max_question_chars)
}

/// What a resolved ticket offers to curate.
struct Promotion {
    conversation_id: String,
    /// The customer's message that opened the ticket.
    question: String,
    /// The agent's last reply, and its seq.
    reply: String,
    reply_seq: i64,
}

async fn promotion(state: &AppState, ticket_id: &str) -> Result<Promotion> {
    let invalid = |message: &str| Error::InvalidField {
        code: "invalid_curated_ticket",
        field: "from_ticket",
        message: message.into(),
    };
    let ticket = if is_valid_id(ticket_id) { state.store.ticket(ticket_id).await? } else { None };
    let ticket = ticket.ok_or_else(|| Error::TicketNotFound(format!("no ticket `{ticket_id}`")))?;
    if ticket.state != TicketState::Resolved.as_str() {
        return Err(invalid("only a resolved ticket's reply is promoted"));
    }
    let conversation = state
        .store
        .conversation(&ticket.conversation_id)
        .await?
        .ok_or_else(|| Error::TicketNotFound(format!("no ticket `{ticket_id}`")))?;
    let is = |turn: &StoredTurn, role: Role| turn.role == role.as_str();
    let reply = conversation
        .turns
        .iter()
        .rev()
        .find(|t| is(t, Role::Agent) && t.ticket_id.as_deref() == Some(ticket_id))
        .ok_or_else(|| invalid("the ticket has no agent reply"))?;
    let question = conversation
        .turns
        .iter()
        .rev()
        .find(|t| is(t, Role::Customer) && t.seq < ticket.opened_seq)
        .ok_or_else(|| invalid("the ticket has no customer message before it"))?;
    Ok(Promotion {
        conversation_id: ticket.conversation_id,
        question: question.text.clone(),
        reply: reply.text.clone(),
        reply_seq: reply.seq,
    })
}

/// Adds a curated answer, or promotes an agent's reply from a resolved ticket (`from_ticket`);
/// it answers at once (admin scope).
#[utoipa::path(post, path = "/v1/admin/answers", request_body = CuratedRequest,
    responses((status = 200, body = CuratedAnswer), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn add(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<CuratedRequest>,
) -> Result<Json<CuratedAnswer>> {
    let new = curated_of(&state, request).await?;
    let added = state.store.add_curated(&new).await?;
    refresh(&state).await?;
    Ok(Json(added))
}

/// The live curated answers (admin scope).
#[utoipa::path(get, path = "/v1/admin/answers", responses((status = 200, body = CuratedList)), security(("api_key" = [])))]
pub async fn list(State(state): State<AppState>) -> Result<Json<CuratedList>> {
    Ok(Json(CuratedList { answers: state.store.curated_answers().await? }))
}

fn curated_id(path: std::result::Result<Path<String>, PathRejection>) -> Result<String> {
    let Path(id) = path.map_err(from_path_rejection)?;
    if !is_valid_id(&id) {
        return Err(Error::NotFound(format!("no curated answer `{id}`")));
    }
    Ok(id)
}

/// Every version of a curated answer: who changed what, when (admin scope).
#[utoipa::path(get, path = "/v1/admin/answers/{id}", params(("id" = String, Path, description = "Curated answer id")),
    responses((status = 200, body = CuratedHistory), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn history(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<CuratedHistory>> {
    let id = curated_id(path)?;
    let versions = state.store.curated_history(&id).await?;
    if versions.is_empty() {
        return Err(Error::NotFound(format!("no curated answer `{id}`")));
    }
    Ok(Json(CuratedHistory { versions }))
}

/// Replaces a curated answer with a new version (admin scope).
#[utoipa::path(put, path = "/v1/admin/answers/{id}", params(("id" = String, Path, description = "Curated answer id")),
    request_body = CuratedRequest,
    responses((status = 200, body = CuratedAnswer), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn revise(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<CuratedRequest>,
) -> Result<Json<CuratedAnswer>> {
    let id = curated_id(path)?;
    let new = curated_of(&state, request).await?;
    let revised = state.store.revise_curated(&id, &new).await?;
    refresh(&state).await?;
    Ok(Json(revised))
}

/// `DELETE /v1/admin/answers/{id}` parameters.
#[derive(Debug, Deserialize)]
pub struct RemoveQuery {
    author: Option<String>,
}

/// Withdraws a curated answer (a version that removes it; the history stays) (admin scope).
#[utoipa::path(delete, path = "/v1/admin/answers/{id}",
    params(("id" = String, Path, description = "Curated answer id"), ("author" = Option<String>, Query, description = "Who removes it")),
    responses((status = 200, body = CuratedAnswer), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: std::result::Result<Path<String>, PathRejection>,
    Query(query): Query<RemoveQuery>,
) -> Result<Json<CuratedAnswer>> {
    let id = curated_id(path)?;
    let author = query.author.unwrap_or(caller.key_id);
    validate_id(&author, "invalid_curated_author", "author")?;
    let removed = state.store.remove_curated(&id, &author).await?;
    refresh(&state).await?;
    Ok(Json(removed))
}
