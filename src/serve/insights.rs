//! `GET /v1/admin/insights` (admin scope): what `kefu insights` computes, as JSON or as the
//! HTML report. One run at a time on a replica: a run reads every turn of the period.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::error::ErrorBody;
use crate::insights::report::Language;
use crate::insights::{self, Insights, Period};
use crate::{Error, Result};

/// The period and the form of the insights.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InsightsQuery {
    /// First day (`YYYY-MM-DD` in `insights.utc_offset`); default six days before `to`.
    pub from: Option<String>,
    /// Last day, included; default today.
    pub to: Option<String>,
    /// `json` (default) or `html` (the self-contained report).
    pub format: Option<String>,
    /// The report's own words: `en` (default) or `zh`.
    pub lang: Option<String>,
}

/// Figures, topics, knowledge gaps and content health of a period (admin scope).
#[utoipa::path(get, path = "/v1/admin/insights", params(InsightsQuery),
    responses((status = 200, body = Insights), (status = 400, body = ErrorBody)), security(("api_key" = [])))]
pub async fn insights(
    State(state): State<AppState>,
    query: std::result::Result<Query<InsightsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let Query(query) = query.map_err(|e| Error::InvalidRequest(e.body_text()))?;
    let html = match query.format.as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(other) => return Err(Error::InvalidRequest(format!("format: {other:?} is not json or html"))),
    };
    let language = query.lang.as_deref().map(Language::parse).transpose()?.unwrap_or_default();
    let offset = state.config.insights.offset_minutes()?;
    let period =
        Period::from_dates(query.from.as_deref(), query.to.as_deref(), offset, crate::store::now_ms())?;
    let _one_at_a_time = state.insights_running.lock().await;
    let found = insights::gather(&state.config, &state.store, state.retriever(), period).await?;
    Ok(if html {
        Html(insights::report::html(&found, language)).into_response()
    } else {
        Json(found).into_response()
    })
}
