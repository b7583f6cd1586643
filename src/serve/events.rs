//! `GET /v1/conversations/{id}/events`: a conversation live, as Server-Sent Events. Each stored
//! turn (the customer's, kefu's, an agent's, a ticket's state change) is a `turn` event whose
//! id is its `seq`, so that a client that reconnects with `Last-Event-ID` misses nothing; kefu's
//! answer is also streamed as it is written (`delta`, `reset`; not replayed). A replica learns of
//! turns it wrote itself at once (the [`Hub`]) and, on PostgreSQL, of turns other replicas wrote
//! by reading the store every [`POLL`].

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration;

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::AppState;
use super::auth::Caller;
use super::error::from_path_rejection;
use super::routes::{json_event, visible_conversation};
use crate::answer::AnswerEvent;
use crate::{Error, Result};

/// How often a stream reads the store for turns another replica wrote (PostgreSQL, shared by
/// replicas).
const POLL: Duration = Duration::from_secs(1);
/// How often it reads it anyway when one process writes the store (SQLite), where the [`Hub`]
/// tells it of every turn: a safety net, not a per-second query per open stream.
const SINGLE_PROCESS_POLL: Duration = Duration::from_secs(30);
/// Live events a slow stream may fall behind by before it re-reads the store.
const BACKLOG: usize = 64;

/// What happens in a conversation, told to its open streams on this replica.
#[derive(Debug, Clone)]
pub enum Live {
    /// Text of kefu's answer as it is written.
    Answer(AnswerEvent),
    /// New turns were committed.
    Stored,
}

/// The open streams' channels, by conversation.
#[derive(Debug, Default)]
pub struct Hub {
    channels: Mutex<HashMap<String, broadcast::Sender<Live>>>,
}

impl Hub {
    fn subscribe(&self, id: &str) -> broadcast::Receiver<Live> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.retain(|_, sender| sender.receiver_count() > 0);
        channels.entry(id.to_string()).or_insert_with(|| broadcast::channel(BACKLOG).0).subscribe()
    }

    /// Whether conversation `id` has an open stream here.
    pub fn watched(&self, id: &str) -> bool {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.get(id).is_some_and(|sender| sender.receiver_count() > 0)
    }

    /// Tells conversation `id`'s streams of `event`.
    pub fn publish(&self, id: &str, event: Live) {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = channels.get(id) {
            // No receiver left: nothing to tell.
            let _ = sender.send(event);
        }
    }
}

/// `?after=SEQ`: the turns after this one (as `Last-Event-ID`, for clients that cannot set it).
#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    after: Option<i64>,
}

/// What a stream holds between two events.
struct Reader {
    state: AppState,
    id: String,
    after: i64,
    live: broadcast::Receiver<Live>,
    queue: VecDeque<Event>,
    poll: tokio::time::Interval,
    deadline: tokio::time::Instant,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Reader {
    /// Queues the turns committed since the last one sent.
    async fn read_store(&mut self) -> Result<()> {
        for turn in self.state.store.turns_after(&self.id, self.after).await? {
            self.after = turn.seq;
            self.queue.push_back(json_event("turn", &turn).id(turn.seq.to_string()));
        }
        Ok(())
    }

    /// The next event, or `None` when the stream ends (its time is up, or the store failed).
    async fn next(mut self) -> Option<(Event, Reader)> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some((event, self));
            }
            let read = tokio::select! {
                live = self.live.recv() => match live {
                    Ok(Live::Answer(AnswerEvent::Delta(text))) => {
                        self.queue.push_back(json_event("delta", &serde_json::json!({ "text": text })));
                        false
                    }
                    Ok(Live::Answer(AnswerEvent::Reset)) => {
                        self.queue.push_back(json_event("reset", &serde_json::json!({})));
                        false
                    }
                    Ok(Live::Stored) | Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return None,
                },
                _ = self.poll.tick() => true,
                () = tokio::time::sleep_until(self.deadline) => return None,
            };
            if read && let Err(e) = self.read_store().await {
                tracing::warn!(code = e.code(), "an event stream cannot read the store");
                return None;
            }
        }
    }
}

/// A conversation's turns after `Last-Event-ID` (or `?after=`), then each new one as it is
/// written, and kefu's answers as they are written.
#[utoipa::path(get, path = "/v1/conversations/{id}/events",
    params(("id" = String, Path, description = "Conversation id"),
        ("after" = Option<i64>, Query, description = "Send the turns after this seq (as `Last-Event-ID`)")),
    responses((status = 200, description = "Server-Sent Events: `turn` (id: its seq), `delta`, `reset`"),
        (status = 404, body = super::error::ErrorBody), (status = 503, body = super::error::ErrorBody)),
    security(("api_key" = [])))]
pub async fn events(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    path: std::result::Result<Path<String>, PathRejection>,
    Query(query): Query<EventsQuery>,
) -> Result<Response> {
    let Path(id) = path.map_err(from_path_rejection)?;
    visible_conversation(&state, &caller, &id).await?;
    let last_event_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::trim);
    let after = match last_event_id {
        Some(text) => text.parse::<i64>().map_err(|_| Error::InvalidField {
            code: "invalid_last_event_id",
            field: "Last-Event-ID",
            message: "the seq of the last turn received".into(),
        })?,
        None => query.after.unwrap_or(0),
    };
    let permit = state
        .event_streams
        .clone()
        .try_acquire_owned()
        .map_err(|_| Error::Overloaded { retry_after_secs: 5 })?;
    let every = if state.store.backend() == "postgres" { POLL } else { SINGLE_PROCESS_POLL };
    let mut poll = tokio::time::interval(every);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let reader = Reader {
        live: state.hub.subscribe(&id),
        deadline: tokio::time::Instant::now() + Duration::from_secs(state.server().event_stream_secs),
        state: state.clone(),
        id,
        after: after.max(0),
        queue: VecDeque::new(),
        poll,
        _permit: permit,
    };
    let events = stream::unfold(reader, Reader::next);
    let events = futures_util::StreamExt::map(events, Ok::<Event, Infallible>);
    Ok(Sse::new(events).keep_alive(KeepAlive::default()).into_response())
}
