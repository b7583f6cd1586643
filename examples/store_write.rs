//! Turns written per second into the conversation store, and its size per 10,000 turns.
//!
//! ```sh
//! cargo run --example store_write [-- EXCHANGES [WRITERS]]   # SQLite in a temporary folder
//! KEFU_STORE__URL=postgres://… cargo run --example store_write
//! ```
//!
//! Each exchange is what one `POST /v1/ask` writes: a customer turn and a bot turn (a 440-character
//! answer with two citations and its timings) in one transaction, as `kefu serve` commits them,
//! with SQLite's `synchronous = FULL`. WRITERS tasks write at once, each to conversations of its
//! own, a new conversation every 5 exchanges.

use std::time::Instant;

use kefu::Config;
use kefu::store::{NewConversation, NewTurn, Role, Store};
use serde_json::json;
use sqlx::Connection;

const ANSWER: &str = "We inspect your return within 3 business days of it arriving at our warehouse and then \
    issue the refund. [1] Card refunds (including Apple Pay and Google Pay) take 5–10 business days to show, \
    PayPal 3–5 business days, and store credit is immediate. [2] If you paid with a gift card, the refund goes \
    back to a new gift card. Bank transfers can take up to 10 business days depending on your bank, and we \
    email you as soon as the refund is issued.";

fn bot_turn() -> NewTurn {
    NewTurn {
        role: Role::Bot,
        actor: None,
        text: ANSWER.into(),
        resolved_query: None,
        citations: Some(json!([
            { "n": 1, "chunk_id": "ecacd59d-e315-52a5-26ff-834c4c811229", "doc_id": "en/faq.csv", "span": [351, 542] },
            { "n": 2, "chunk_id": "f1648cc5-2f1a-5b9e-8c1d-0a1b2c3d4e5f", "doc_id": "en/policies/refunds.md", "span": [2508, 2623] }
        ])),
        confidence: Some(0.782),
        abstained: Some(false),
        handoff_reason: None,
        generator: Some("extractive".into()),
        language: Some("en".into()),
        index_generation: Some(7),
        total_ms: Some(38.25),
        timings: Some(
            json!({ "embed_ms": 10.96, "retrieve_ms": 24.03, "generate_ms": 12.36, "total_ms": 38.25 }),
        ),
        frustration: None,
        ticket_id: None,
    }
}

#[tokio::main]
async fn main() -> kefu::Result<()> {
    let mut args = std::env::args().skip(1);
    let exchanges: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let writers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let dir = tempfile::tempdir().map_err(kefu::Error::io("temporary folder"))?;
    let mut config = Config::load(None)?;
    config.data_dir = dir.path().to_path_buf();
    let store = Store::open(&config).await?;
    let started = Instant::now();
    let tasks: Vec<tokio::task::JoinHandle<kefu::Result<()>>> = (0..writers)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut id = String::new();
                for i in (w..exchanges).step_by(writers) {
                    let start = (i / writers).is_multiple_of(5).then(|| NewConversation {
                        owner_key: "key-0123456789abcdef".into(),
                        external_user_id: Some(format!("cust-{}", i % 997)),
                        channel: "api".into(),
                    });
                    if start.is_some() {
                        id = uuid::Uuid::new_v4().to_string();
                    }
                    let question = format!("How long does a refund take with PayPal? (order NW-{i:05})");
                    let turns =
                        [NewTurn::customer(&question, &question, "key-0123456789abcdef", "en"), bot_turn()];
                    store.record(&id, start.as_ref(), &turns, None).await?;
                }
                Ok(())
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| kefu::Error::Internal(e.to_string()))??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let turns = 2 * exchanges;
    let status = store.status().await?;
    store.close().await;
    println!(
        "{} backend, {writers} writer(s): {turns} turns in {seconds:.2} s = {:.0} turns/s ({:.0} exchanges/s)",
        status.backend,
        turns as f64 / seconds,
        exchanges as f64 / seconds
    );
    if config.store.url.is_none() {
        // The write-ahead log checkpointed into the file and truncated: the file is everything.
        let path = dir.path().join(kefu::store::DATABASE_FILE);
        let mut connection = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .map_err(|e| kefu::Error::Store(e.to_string()))?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut connection)
            .await
            .map_err(|e| kefu::Error::Store(e.to_string()))?;
        connection.close().await.map_err(|e| kefu::Error::Store(e.to_string()))?;
        let bytes = std::fs::metadata(&path).map_err(kefu::Error::io(&path))?.len() as f64;
        println!(
            "{}: {:.2} MiB for {} turns = {:.2} MiB per 10,000 turns",
            path.display(),
            bytes / 1048576.0,
            status.turns,
            bytes / 1048576.0 * 10_000.0 / status.turns as f64
        );
    }
    Ok(())
}
