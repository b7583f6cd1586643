//! Delivering tickets to the shop's helpdesk, and expiring the tickets nobody took up.
//!
//! Webhooks wait in the store's outbox, written in the same transaction as the ticket or the
//! message they announce: a restart, a crash or a dead receiver loses none. One loop per replica
//! takes the next one due (a lease keeps other replicas off it), POSTs it signed
//! ([`crate::helpdesk::signature`]), and on failure tries again after a doubling delay, until
//! `handoff.max_attempts` have failed: then it is dead-lettered (`GET /v1/webhooks?state=dead`,
//! retried with `POST /v1/webhooks/{id}/retry`). Delivery is at least once: receivers drop
//! repeats by `X-Kefu-Event-Id`.

use std::time::Duration;

use serde_json::{Value, json};

use super::AppState;
use super::metrics::OutcomeLabels;
use crate::helpdesk::signature::{self, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::helpdesk::ticket::TicketAction;
use crate::store::{OutboxEntry, StoredConversation, StoredTicket};
use crate::{Error, Result};

/// How long a replica holds a webhook it is sending before another may take it.
const LEASE_MS: i64 = 60_000;
/// How long a receiver has to answer.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the loop looks for due webhooks when nothing wakes it.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Characters of a receiver's error reply kept with the webhook.
const ERROR_CHARS: usize = 300;

/// Sends due webhooks until the process ends.
pub async fn deliver(state: AppState) {
    let Some(url) = state.config.handoff.webhook_url.clone() else { return };
    let client = match reqwest::Client::builder().timeout(DELIVERY_TIMEOUT).build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook client: no webhook will be sent");
            return;
        }
    };
    loop {
        match state.store.claim_webhook(LEASE_MS).await {
            Ok(Some(entry)) => send(&state, &client, &url, entry).await,
            Ok(None) => {
                tokio::select! {
                    () = state.webhooks_due.notified() => {}
                    () = tokio::time::sleep(IDLE_POLL) => {}
                }
            }
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "cannot read the webhook outbox");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

/// One attempt at `entry`; records the outcome.
async fn send(state: &AppState, client: &reqwest::Client, url: &str, entry: OutboxEntry) {
    let handoff = &state.config.handoff;
    let outcome = match attempt(state, client, url, &entry).await {
        Ok(()) => state.store.webhook_delivered(&entry.id).await.map(|()| "delivered"),
        Err(error) => {
            let attempts = u32::try_from(entry.attempts).unwrap_or(u32::MAX);
            let retry_at = (attempts < handoff.max_attempts).then(|| {
                crate::store::now_ms() + signature::backoff_ms(handoff.retry_base_ms, attempts) as i64
            });
            tracing::warn!(event = entry.id, attempts, error = %error, dead = retry_at.is_none(), "webhook not delivered");
            let message: String = error.to_string().chars().take(ERROR_CHARS).collect();
            let outcome = if retry_at.is_some() { "failed" } else { "dead" };
            state.store.webhook_failed(&entry.id, &message, retry_at).await.map(|()| outcome)
        }
    };
    match outcome {
        Ok(outcome) => {
            state.metrics.webhooks.get_or_create(&OutcomeLabels { outcome: outcome.into() }).inc();
        }
        // The lease runs out and the webhook is tried again: at least once.
        Err(e) => tracing::warn!(code = e.code(), error = %e, "cannot record a webhook's delivery"),
    }
}

async fn attempt(state: &AppState, client: &reqwest::Client, url: &str, entry: &OutboxEntry) -> Result<()> {
    let ticket = state.store.ticket(&entry.ticket_id).await?;
    let conversation = match &ticket {
        Some(ticket) => state.store.conversation(&ticket.conversation_id).await?,
        None => None,
    };
    let (Some(ticket), Some(conversation)) = (ticket, conversation) else {
        // Deleted meanwhile (an erasure request): there is nothing to send, and the outbox row
        // went with the ticket.
        return Ok(());
    };
    let body = serde_json::to_vec(&body(entry, &ticket, &conversation))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let timestamp = super::unix_secs();
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(EVENT_ID_HEADER, &entry.id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            SIGNATURE_HEADER,
            signature::sign(
                state.config.handoff.webhook_secret.as_deref().unwrap_or_default(),
                timestamp,
                &body,
            ),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| Error::Internal(format!("POST failed: {e}")))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let reply = response.text().await.unwrap_or_default();
    Err(Error::Internal(format!("the receiver answered {status}: {reply}")))
}

/// What a webhook says: the event, the ticket, and the transcript up to the event (redacted, as
/// stored), with where an agent's reply goes.
pub fn body(entry: &OutboxEntry, ticket: &StoredTicket, conversation: &StoredConversation) -> Value {
    let transcript: Vec<Value> = conversation
        .turns
        .iter()
        .filter(|t| t.seq <= entry.upto_seq)
        .map(|t| json!({ "seq": t.seq, "role": t.role, "text": t.text, "created_at_ms": t.created_at_ms }))
        .collect();
    json!({
        "id": entry.id,
        "event": entry.event,
        "created_at_ms": entry.created_at_ms,
        "ticket": ticket,
        "conversation": {
            "id": conversation.id,
            "external_user_id": conversation.external_user_id,
            "channel": conversation.channel,
        },
        "transcript": transcript,
        "reply": { "method": "POST", "path": format!("/v1/tickets/{}/reply", ticket.id) },
    })
}

/// Expires the tickets no agent touched for `handoff.ticket_ttl_hours`, every minute.
pub async fn expire_tickets(state: AppState) {
    let ttl_ms = i64::from(state.config.handoff.ticket_ttl_hours) * 3_600_000;
    let mut ticker = tokio::time::interval(Duration::from_secs(60));
    loop {
        ticker.tick().await;
        let stale = match state.store.stale_tickets(crate::store::now_ms() - ttl_ms).await {
            Ok(stale) => stale,
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "cannot look for expired tickets");
                continue;
            }
        };
        for id in stale {
            match state.store.act_on_ticket(&id, TicketAction::Expire, "kefu", None).await {
                Ok(ticket) => state.hub.publish(&ticket.conversation_id, super::events::Live::Stored),
                // Taken or resolved meanwhile, or deleted.
                Err(Error::Conflict { .. } | Error::TicketNotFound(_)) => {}
                Err(e) => tracing::warn!(code = e.code(), error = %e, "cannot expire a ticket"),
            }
        }
    }
}
