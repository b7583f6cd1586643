//! What the console shows of the index and of the conversations (admin scope):
//! `GET /v1/admin/index` and `GET /v1/admin/conversations`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::error::ErrorBody;
use crate::store::{ConversationFilter, ConversationSummary, Cursor};
use crate::{Error, Result};

/// Conversations a page lists at most.
const MAX_PAGE: usize = 200;

/// The live index generation and its documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndexView {
    /// The generation served.
    pub generation: u64,
    /// The embedding model's fingerprint.
    pub model: String,
    /// Documents in the generation.
    pub documents_count: usize,
    /// Chunks in the generation.
    pub chunks_count: usize,
    /// When the ingest that built it committed, Unix milliseconds.
    pub last_ingest_ms: u64,
    /// Every document, by id.
    pub documents: Vec<DocumentLine>,
}

/// One document of the index.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentLine {
    /// Its id (`GET /v1/documents/{id}` shows it).
    pub id: String,
    /// Title.
    pub title: String,
    /// Locale.
    pub locale: String,
    /// Document type.
    pub doc_type: Option<String>,
    /// Product.
    pub product: Option<String>,
    /// Source format.
    pub format: String,
    /// Its number of chunks.
    pub chunks: usize,
}

/// The live index: generation, model, counts and documents (admin scope).
#[utoipa::path(get, path = "/v1/admin/index", responses((status = 200, body = IndexView)),
    security(("api_key" = [])))]
pub async fn index(State(state): State<AppState>) -> Result<Json<IndexView>> {
    let retriever = state.retriever();
    let (generation, info) = (retriever.index().generation(), retriever.index().info().clone());
    let entries = crate::error::blocking(move || retriever.index().catalog().document_entries()).await?;
    Ok(Json(IndexView {
        generation,
        model: info.model,
        documents_count: info.documents,
        chunks_count: info.chunks,
        last_ingest_ms: info.committed_at * 1000,
        documents: entries
            .into_iter()
            .map(|entry| DocumentLine {
                id: entry.id,
                title: entry.meta.title,
                locale: entry.meta.locale,
                doc_type: entry.meta.doc_type,
                product: entry.meta.product,
                // As the catalog writes it (`markdown`, `csv`, …).
                format: serde_json::to_value(entry.format)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                chunks: entry.chunks,
            })
            .collect(),
    }))
}

/// Which conversations `GET /v1/admin/conversations` lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConversationsQuery {
    /// `all` (default), `answered`, `abstained`, `thumbs_down` or `handoff`.
    pub filter: Option<String>,
    /// Only conversations with a customer message in this language (`en`, `zh`).
    pub language: Option<String>,
    /// At most this many (1–200, default 50).
    pub limit: Option<usize>,
    /// The next page: `next_before_ms` of the previous one…
    pub before_ms: Option<i64>,
    /// …and its `next_before_id`.
    pub before_id: Option<String>,
}

/// A page of conversations.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationsView {
    /// Newest first.
    pub conversations: Vec<ConversationSummary>,
    /// Send as `before_ms` (with `before_id`) for the next page; `null` on the last.
    pub next_before_ms: Option<i64>,
    /// Send as `before_id` for the next page.
    pub next_before_id: Option<String>,
}

/// Conversations, newest first, filtered by what happened in them (admin scope).
#[utoipa::path(get, path = "/v1/admin/conversations", params(ConversationsQuery),
    responses((status = 200, body = ConversationsView), (status = 400, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn conversations(
    State(state): State<AppState>,
    query: std::result::Result<Query<ConversationsQuery>, QueryRejection>,
) -> Result<Json<ConversationsView>> {
    let Query(query) = query.map_err(|e| Error::InvalidRequest(e.body_text()))?;
    let invalid = |field: &'static str, message: String| Error::InvalidField {
        code: "invalid_request",
        field,
        message,
    };
    let filter = match query.filter.as_deref() {
        None => ConversationFilter::All,
        Some(name) => ConversationFilter::parse(name).ok_or_else(|| {
            invalid("filter", "one of all, answered, abstained, thumbs_down, handoff".into())
        })?,
    };
    if let Some(language) = &query.language
        && (language.is_empty()
            || language.len() > 16
            || !language.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err(invalid("language", "a language tag such as en or zh".into()));
    }
    let limit = query.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(invalid("limit", format!("an integer from 1 to {MAX_PAGE}")));
    }
    let cursor = match (query.before_ms, query.before_id) {
        (Some(updated_at_ms), Some(id)) => Some(Cursor { updated_at_ms, id }),
        // Before that time only (no id sorts below the empty one).
        (Some(updated_at_ms), None) => Some(Cursor { updated_at_ms, id: String::new() }),
        (None, None) => None,
        (None, Some(_)) => return Err(invalid("before_id", "comes with before_ms".into())),
    };
    let conversations =
        state.store.list_conversations(filter, query.language.as_deref(), cursor.as_ref(), limit).await?;
    let last = conversations.last().filter(|_| conversations.len() == limit);
    Ok(Json(ConversationsView {
        next_before_ms: last.map(|c| c.updated_at_ms),
        next_before_id: last.map(|c| c.id.clone()),
        conversations,
    }))
}
