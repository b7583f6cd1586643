//! A small adapter from kefu's handoff webhooks to a team chat's incoming hook (Slack, or a WeCom
//! group robot): it checks each webhook's signature and freshness, drops repeats, and posts one
//! line per event with the customer's last message and the command that replies. docs/handoff.md
//! walks through it.
//!
//! ```sh
//! KEFU_HANDOFF__WEBHOOK_URL=http://127.0.0.1:9000/kefu KEFU_HANDOFF__WEBHOOK_SECRET=… kefu serve …
//! WEBHOOK_SECRET=… CHAT_HOOK_URL=https://hooks.slack.com/services/… CHAT_KIND=slack \
//!   cargo run --example helpdesk_adapter -- 127.0.0.1:9000
//! ```
//!
//! `CHAT_KIND=wecom` posts WeCom's `{"msgtype": "text", "text": {"content": …}}` instead of
//! Slack's `{"text": …}`. Without `CHAT_HOOK_URL` it prints the lines (a dry run).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use kefu::helpdesk::signature;
use serde_json::{Value, json};

/// What the adapter needs.
struct Adapter {
    secret: String,
    hook: Option<String>,
    wecom: bool,
    client: reqwest::Client,
    /// Event ids already posted: kefu delivers at least once.
    seen: Mutex<HashSet<String>>,
}

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:9000".into());
    let adapter = Arc::new(Adapter {
        secret: std::env::var("WEBHOOK_SECRET").expect("WEBHOOK_SECRET: kefu's handoff.webhook_secret"),
        hook: std::env::var("CHAT_HOOK_URL").ok(),
        wecom: std::env::var("CHAT_KIND").is_ok_and(|kind| kind == "wecom"),
        client: reqwest::Client::new(),
        seen: Mutex::new(HashSet::new()),
    });
    let app = Router::new().route(
        "/kefu",
        post(move |headers: HeaderMap, body: String| {
            let adapter = adapter.clone();
            async move { adapter.receive(&headers, &body).await }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("the address is free");
    println!("listening on http://{addr}/kefu");
    axum::serve(listener, app).await.expect("serves");
}

impl Adapter {
    /// One webhook: 401 when unsigned or stale (kefu does not retry what it cannot fix: it
    /// retries, and dead-letters after `handoff.max_attempts`, visible to kefu's admins), 502 when
    /// the chat refused the message (kefu tries again later), 200 otherwise.
    async fn receive(&self, headers: &HeaderMap, body: &str) -> StatusCode {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let timestamp: i64 = header(signature::TIMESTAMP_HEADER).parse().unwrap_or_default();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        if !signature::verify(
            &self.secret,
            timestamp,
            body.as_bytes(),
            header(signature::SIGNATURE_HEADER),
            now,
        ) {
            return StatusCode::UNAUTHORIZED;
        }
        let event_id = header(signature::EVENT_ID_HEADER).to_string();
        if self.seen.lock().unwrap().contains(&event_id) {
            return StatusCode::OK;
        }
        let Ok(event) = serde_json::from_str::<Value>(body) else { return StatusCode::BAD_REQUEST };
        let line = describe(&event);
        let delivered = match &self.hook {
            None => {
                println!("{line}");
                true
            }
            Some(url) => {
                let payload = if self.wecom {
                    json!({ "msgtype": "text", "text": { "content": line } })
                } else {
                    json!({ "text": line })
                };
                self.client.post(url).json(&payload).send().await.is_ok_and(|r| r.status().is_success())
            }
        };
        if !delivered {
            return StatusCode::BAD_GATEWAY;
        }
        self.seen.lock().unwrap().insert(event_id);
        StatusCode::OK
    }
}

/// One chat line: what happened, the customer's last message, and how to reply.
fn describe(event: &Value) -> String {
    let ticket = &event["ticket"];
    let last_customer = event["transcript"]
        .as_array()
        .and_then(|turns| turns.iter().rev().find(|t| t["role"] == "customer"))
        .and_then(|t| t["text"].as_str())
        .unwrap_or("");
    let headline = match event["event"].as_str() {
        Some("ticket.opened") => format!(
            "New ticket ({} priority, {}){}",
            ticket["priority"].as_str().unwrap_or("normal"),
            ticket["reason"].as_str().unwrap_or("handoff"),
            if ticket["frustrated"] == true { ", customer frustrated" } else { "" }
        ),
        _ => "The customer wrote again".to_string(),
    };
    format!(
        "{headline}: \"{last_customer}\"\nReply: curl -X POST $KEFU{} -H \"Authorization: Bearer $AGENT_KEY\" \
         -H 'Content-Type: application/json' -d '{{\"agent\": \"you\", \"text\": \"…\"}}'",
        event["reply"]["path"].as_str().unwrap_or_default()
    )
}
