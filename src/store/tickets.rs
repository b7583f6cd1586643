//! Tickets (a conversation handed over to the shop's agents) and the outbox of webhooks that
//! deliver them. A ticket changes state only as [`crate::helpdesk::ticket::transition`] allows,
//! and each change is a `system` turn of the conversation, written in the same transaction.

use serde::Serialize;

use sqlx::types::Json;

use super::{Backend, NewTurn, Store, failed, not_found, now_ms};
use crate::helpdesk::ticket::{Priority, TicketAction, TicketState, transition};
use crate::{Error, Result};

/// A handoff that opens a ticket (unless the conversation has an active one).
#[derive(Debug, Clone)]
pub struct TicketOpening {
    /// The handoff reason (`requested_human`, `complaint`, `low_confidence`, ...).
    pub reason: String,
    /// How soon an agent should take it.
    pub priority: Priority,
    /// Whether the customer was frustrated.
    pub frustrated: bool,
    /// Queue a `ticket.opened` webhook.
    pub notify: bool,
}

/// What recorded turns do to a ticket.
#[derive(Debug, Clone)]
pub enum TicketEvent {
    /// They hand the conversation over.
    Open(TicketOpening),
    /// A customer's message kept for the agent of ticket `ticket_id`; `notify` queues a
    /// `ticket.message` webhook.
    Forward {
        /// The active ticket.
        ticket_id: String,
        /// Queue a webhook.
        notify: bool,
    },
}

/// A stored ticket.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StoredTicket {
    /// Its id.
    pub id: String,
    /// The conversation handed over.
    pub conversation_id: String,
    /// `open`, `assigned`, `resolved` or `expired`.
    pub state: String,
    /// Why it was opened (the handoff reason).
    pub reason: String,
    /// `normal` or `high` (a frustrated or complaining customer).
    pub priority: String,
    /// Whether the customer was frustrated when it opened.
    pub frustrated: bool,
    /// The agent who took it.
    pub assignee: Option<String>,
    /// The turn that opened it.
    pub opened_seq: i64,
    /// When it opened (Unix milliseconds).
    pub created_at_ms: i64,
    /// When an agent first took it.
    pub assigned_at_ms: Option<i64>,
    /// When it was resolved or expired.
    pub closed_at_ms: Option<i64>,
    /// Its last change.
    pub updated_at_ms: i64,
}

/// A ticket in a list: the ticket, and the external user of its conversation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TicketRow {
    /// The ticket.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub ticket: StoredTicket,
    /// The shop's id of the customer, if it gave one.
    pub external_user_id: Option<String>,
}

/// A webhook to deliver, or delivered, or given up.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OutboxEntry {
    /// The event id (`X-Kefu-Event-Id`: the same on every attempt).
    pub id: String,
    /// The ticket it is about.
    pub ticket_id: String,
    /// `ticket.opened` or `ticket.message`.
    pub event: String,
    /// Its body carries the transcript up to this turn.
    pub upto_seq: i64,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    /// Deliveries tried.
    pub attempts: i64,
    /// When it is tried next (pending ones).
    pub next_attempt_at_ms: i64,
    /// Why the last delivery failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at_ms: i64,
}

/// `SELECT`s the columns [`StoredTicket`] reads (of `tickets t`), then `$rest`.
macro_rules! select_tickets {
    ($rest:literal) => {
        concat!(
            "SELECT t.id, t.conversation_id, t.state, t.reason, t.priority, t.frustrated, t.assignee, ",
            "t.opened_seq, t.created_at AS created_at_ms, t.assigned_at AS assigned_at_ms, ",
            "t.closed_at AS closed_at_ms, t.updated_at AS updated_at_ms FROM tickets t ",
            $rest
        )
    };
}

const SELECT_OUTBOX: &str = "SELECT id, ticket_id, event, upto_seq, state, attempts, \
     next_attempt_at AS next_attempt_at_ms, last_error, created_at AS created_at_ms FROM outbox";

/// Applies `event` in transaction `$tx` after the conversation's turn `$last`; evaluates to the
/// id of the ticket opened, if one was.
macro_rules! apply_event {
    ($tx:expr, $id:expr, $event:expr, $last:expr, $now:expr) => {{
        const OPEN: &str = "INSERT INTO tickets (id, conversation_id, state, reason, priority, frustrated, \
             opened_seq, created_at, updated_at) VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (conversation_id) WHERE state IN ('open', 'assigned') DO NOTHING";
        match $event {
            TicketEvent::Open(opening) => {
                let ticket_id = uuid::Uuid::new_v4().to_string();
                let opened = sqlx::query(OPEN)
                    .bind(&ticket_id)
                    .bind($id)
                    .bind(&opening.reason)
                    .bind(opening.priority.as_str())
                    .bind(opening.frustrated)
                    .bind($last)
                    .bind($now)
                    .execute(&mut *$tx)
                    .await
                    .map_err(failed)?;
                if opened.rows_affected() == 0 {
                    // Another request of the conversation opened one first.
                    None
                } else {
                    let event = [NewTurn::system("ticket_opened", None, &ticket_id)];
                    let seq = append_turns!($tx, $id, &event, $now);
                    if opening.notify {
                        $crate::store::tickets::queue!($tx, &ticket_id, "ticket.opened", seq, $now);
                    }
                    Some(ticket_id)
                }
            }
            TicketEvent::Forward { ticket_id, notify } => {
                if *notify {
                    $crate::store::tickets::queue!($tx, ticket_id, "ticket.message", $last, $now);
                }
                None
            }
        }
    }};
}

/// Queues webhook `$event` of ticket `$ticket` in transaction `$tx`.
macro_rules! queue {
    ($tx:expr, $ticket:expr, $event:expr, $upto:expr, $now:expr) => {{
        const QUEUE: &str = "INSERT INTO outbox (id, ticket_id, event, upto_seq, state, attempts, next_attempt_at, \
             created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)";
        sqlx::query(QUEUE)
            .bind(uuid::Uuid::new_v4().to_string())
            .bind($ticket)
            .bind($event)
            .bind($upto)
            .bind($now)
            .execute(&mut *$tx)
            .await
            .map_err(failed)?;
    }};
}

pub(super) use apply_event;
pub(super) use queue;

impl Store {
    /// The active (open or assigned) ticket of conversation `id` that changed after
    /// `changed_after_ms` (older ones are expiring).
    pub async fn active_ticket(&self, id: &str, changed_after_ms: i64) -> Result<Option<StoredTicket>> {
        const SQL: &str = select_tickets!(
            "WHERE t.conversation_id = $1 AND t.state IN ('open', 'assigned') AND t.updated_at >= $2"
        );
        on_backend!(self, pool => sqlx::query_as(SQL).bind(id).bind(changed_after_ms).fetch_optional(pool).await)
            .map_err(failed)
    }

    /// Ticket `id`.
    pub async fn ticket(&self, id: &str) -> Result<Option<StoredTicket>> {
        const SQL: &str = select_tickets!("WHERE t.id = $1");
        on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await).map_err(failed)
    }

    /// Tickets in `state` (all when `None`): high priority first, then the oldest; at most
    /// `limit`.
    pub async fn tickets(&self, state: Option<TicketState>, limit: i64) -> Result<Vec<TicketRow>> {
        const SQL: &str = concat!(
            select_tickets!(""),
            "JOIN conversations c ON c.id = t.conversation_id ",
            "WHERE ($1 IS NULL OR t.state = $1) ",
            "ORDER BY CASE t.priority WHEN 'high' THEN 0 ELSE 1 END, t.created_at, t.id LIMIT $2"
        );
        let sql = SQL.replacen(" FROM tickets t ", ", c.external_user_id FROM tickets t ", 1);
        let state = state.map(TicketState::as_str);
        on_backend!(self, pool => sqlx::query_as(&sql).bind(state).bind(limit).fetch_all(pool).await)
            .map_err(failed)
    }

    /// Does `action` to ticket `id` as `actor` (an agent, or kefu for an expiry), with the
    /// agent's `reply` when it is one: the state change and the turns in one transaction.
    /// A ticket whose state does not allow it is `ticket_state_conflict`.
    pub async fn act_on_ticket(
        &self,
        id: &str,
        action: TicketAction,
        actor: &str,
        reply: Option<&str>,
    ) -> Result<StoredTicket> {
        const TAKE: &str = "UPDATE tickets SET state = 'assigned', assignee = $2, \
             assigned_at = COALESCE(assigned_at, $3), updated_at = $3 WHERE id = $1 AND state = $4";
        const REPLY: &str = "UPDATE tickets SET state = 'assigned', assignee = COALESCE(assignee, $2), \
             assigned_at = COALESCE(assigned_at, $3), updated_at = $3 WHERE id = $1 AND state = $4";
        const CLOSE: &str =
            "UPDATE tickets SET state = $2, closed_at = $3, updated_at = $3 WHERE id = $1 AND state = $4";
        let ticket = self.ticket(id).await?.ok_or_else(|| ticket_not_found(id))?;
        let from = TicketState::parse(&ticket.state)
            .ok_or_else(|| Error::Store(format!("ticket state `{}`", ticket.state)))?;
        let done = match action {
            TicketAction::Assign => "assigned",
            TicketAction::Reply => "replied to",
            TicketAction::Resolve => "resolved",
            TicketAction::Expire => "expired",
        };
        let to = transition(from, action).ok_or_else(|| Error::Conflict {
            code: "ticket_state_conflict",
            message: format!("ticket `{id}` is {}: it cannot be {done}", from.as_str()),
        })?;
        let mut turns = Vec::new();
        if let Some(text) = reply {
            turns.push(NewTurn::agent(text, actor, id));
        }
        let reassigned = action == TicketAction::Assign && ticket.assignee.as_deref() != Some(actor);
        if to != from || reassigned {
            turns.push(NewTurn::system(action.event(), Some(actor), id));
        }
        let now = now_ms();
        on_backend!(self, pool => {
            let mut tx = pool.begin().await.map_err(failed)?;
            let (sql, value) = match action {
                TicketAction::Assign => (TAKE, actor),
                TicketAction::Reply => (REPLY, actor),
                TicketAction::Resolve | TicketAction::Expire => (CLOSE, to.as_str()),
            };
            let changed = sqlx::query(sql)
                .bind(id)
                .bind(value)
                .bind(now)
                .bind(from.as_str())
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            if changed.rows_affected() == 0 {
                return Err(Error::Conflict {
                    code: "ticket_state_conflict",
                    message: format!("ticket `{id}` changed meanwhile: read it again"),
                });
            }
            if !turns.is_empty() {
                append_turns!(tx, ticket.conversation_id.as_str(), &turns, now);
            }
            tx.commit().await.map_err(failed)?;
            Ok::<(), Error>(())
        })?;
        self.ticket(id).await?.ok_or_else(|| ticket_not_found(id))
    }

    /// Ids of the active tickets unchanged since `before_ms`.
    pub async fn stale_tickets(&self, before_ms: i64) -> Result<Vec<String>> {
        const SQL: &str = "SELECT id FROM tickets WHERE state IN ('open', 'assigned') AND updated_at < $1";
        let rows: Vec<(String,)> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(before_ms).fetch_all(pool).await)
                .map_err(failed)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Takes the next webhook due for delivery, if any: its next attempt is pushed `lease_ms`
    /// ahead (so that another replica does not send it meanwhile) and counted.
    pub async fn claim_webhook(&self, lease_ms: i64) -> Result<Option<OutboxEntry>> {
        const SQL: &str = "UPDATE outbox SET next_attempt_at = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1 \
                         ORDER BY next_attempt_at LIMIT 1) \
             AND state = 'pending' AND next_attempt_at <= $1 \
             RETURNING id, ticket_id, event, upto_seq, state, attempts, next_attempt_at AS next_attempt_at_ms, \
             last_error, created_at AS created_at_ms";
        let now = now_ms();
        on_backend!(self, pool => sqlx::query_as(SQL).bind(now).bind(now + lease_ms).fetch_optional(pool).await)
            .map_err(failed)
    }

    /// Webhook `id` was delivered.
    pub async fn webhook_delivered(&self, id: &str) -> Result<()> {
        const SQL: &str =
            "UPDATE outbox SET state = 'delivered', delivered_at = $2, last_error = NULL WHERE id = $1";
        on_backend!(self, pool => sqlx::query(SQL).bind(id).bind(now_ms()).execute(pool).await.map(drop))
            .map_err(failed)
    }

    /// Webhook `id` failed with `error`: tried again at `retry_at_ms`, or dead-lettered when
    /// `None`.
    pub async fn webhook_failed(&self, id: &str, error: &str, retry_at_ms: Option<i64>) -> Result<()> {
        const RETRY: &str = "UPDATE outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1";
        const DEAD: &str =
            "UPDATE outbox SET state = 'dead', last_error = $3, next_attempt_at = $2 WHERE id = $1";
        let (sql, at) = match retry_at_ms {
            Some(at) => (RETRY, at),
            None => (DEAD, now_ms()),
        };
        on_backend!(self, pool => sqlx::query(sql).bind(id).bind(at).bind(error).execute(pool).await.map(drop))
            .map_err(failed)
    }

    /// Webhooks in `state` (`pending`, `delivered`, `dead`), oldest first, at most `limit`.
    pub async fn webhooks(&self, state: &str, limit: i64) -> Result<Vec<OutboxEntry>> {
        let sql = format!("{SELECT_OUTBOX} WHERE state = $1 ORDER BY created_at, id LIMIT $2");
        on_backend!(self, pool => sqlx::query_as(&sql).bind(state).bind(limit).fetch_all(pool).await)
            .map_err(failed)
    }

    /// Puts dead-lettered webhook `id` back in the queue; whether there was one.
    pub async fn retry_webhook(&self, id: &str) -> Result<bool> {
        const SQL: &str = "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2 \
             WHERE id = $1 AND state = 'dead'";
        let done = on_backend!(self, pool => {
            sqlx::query(SQL).bind(id).bind(now_ms()).execute(pool).await.map(|r| r.rows_affected())
        })
        .map_err(failed)?;
        Ok(done == 1)
    }
}

fn ticket_not_found(id: &str) -> Error {
    Error::TicketNotFound(format!("no ticket `{id}`"))
}
