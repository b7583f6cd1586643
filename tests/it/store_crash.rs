//! `kill -9` of `kefu serve` on SQLite: at the moment a turn is about to be committed, no reply
//! has been sent; under concurrent /v1/ask load, every turn whose reply a client received is in
//! the store after the restart, each question with its answer, and the database passes
//! `PRAGMA integrity_check`.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kefu::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;

use crate::common::config;
use crate::serve::{QUERY_KEY, Server, copy_dir, corpus_data};

/// Clients asking at once.
const CLIENTS: usize = 6;
/// Replies received before the kill, at least, in each round.
const REPLIES_BEFORE_KILL: usize = 12;
/// Kill rounds; `KEFU_CRASH_ROUNDS` sets more for the figures in docs/benchmarks.md.
const ROUNDS: usize = 2;
const QUESTIONS: &[&str] = &[
    "How long do I have to return an item?",
    "what about opened electronics?",
    "How long does a refund take with PayPal?",
    "and a bank card?",
    "退货需要多长时间？",
    "那运费呢？",
];

/// `PRAGMA integrity_check` and `foreign_key_check` of the store in `data`.
async fn assert_intact(data: &Path) {
    let path = data.join("kefu.db");
    let mut connection =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let check: String =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut connection).await.unwrap();
    assert_eq!(check, "ok");
    let check: Vec<(String, i64, String, i64)> =
        sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&mut connection).await.unwrap();
    assert!(check.is_empty(), "turns without their conversation: {check:?}");
    connection.close().await.unwrap();
}

#[test]
fn a_reply_is_sent_only_after_its_turns_are_committed() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    // Killed just before the commit: the client gets no answer, neither as JSON nor as the
    // stream's `done` event, and the store holds nothing of the turn.
    for stream in [false, true] {
        let server = Server::start(dir.path(), &[("KEFU_FAILPOINT", "store-before-commit")]);
        let body = json!({ "question": "How long do I have to return an item?", "stream": stream });
        let http = reqwest::blocking::Client::new();
        let reply = http
            .post(format!("{}/v1/ask", server.base))
            .bearer_auth(QUERY_KEY)
            .json(&body)
            .send()
            .and_then(|response| response.text());
        if let Ok(text) = reply {
            assert!(!stream && text.is_empty() || stream && !text.contains("event: done"), "{text}");
        }
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        assert_intact(dir.path()).await;
        let status = Store::open(&config(dir.path())).await.unwrap().status().await.unwrap();
        assert_eq!((status.conversations, status.turns), (0, 0));
    });
}

#[test]
fn a_kill_9_under_load_loses_no_acknowledged_turn_and_corrupts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let env = [("KEFU_SERVER__RATE_LIMIT_PER_MINUTE", "0")];
    // (conversation id, question) of every reply received.
    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let rounds = std::env::var("KEFU_CRASH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(ROUNDS);
    for round in 0..rounds {
        let mut server = Server::start(dir.path(), &env);
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (base, stop, acknowledged) = (server.base.clone(), stop.clone(), acknowledged.clone());
                std::thread::spawn(move || {
                    ask_until_stopped(&base, round * CLIENTS + c, &stop, &acknowledged)
                })
            })
            .collect();
        while acknowledged.lock().unwrap().len() < (round + 1) * REPLIES_BEFORE_KILL {
            std::thread::sleep(Duration::from_millis(20));
        }
        // SIGKILL while the clients are still asking.
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        for client in clients {
            client.join().unwrap();
        }
    }

    let acknowledged = acknowledged.lock().unwrap().clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        assert_intact(dir.path()).await;

        let store = Store::open(&config(dir.path())).await.unwrap();
        for (id, question) in &acknowledged {
            let conversation = store.conversation(id).await.unwrap().unwrap_or_else(|| panic!("{id} lost"));
            let turns = &conversation.turns;
            let asked = turns.iter().position(|t| t.role == "customer" && t.text == *question);
            let asked = asked.unwrap_or_else(|| panic!("{question:?} lost from {id}"));
            assert_eq!(
                turns.get(asked + 1).map(|t| t.role.as_str()),
                Some("bot"),
                "its answer is kept with it"
            );
        }
        // Committed turns come in pairs, numbered without gaps.
        let mut all = 0;
        store
            .export(None, |conversation| {
                let seqs: Vec<i64> = conversation.turns.iter().map(|t| t.seq).collect();
                assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
                assert_eq!(seqs.len() % 2, 0);
                all += seqs.len();
                Ok(())
            })
            .await
            .unwrap();
        assert!(all >= 2 * acknowledged.len(), "{all} turns for {} replies", acknowledged.len());
        eprintln!(
            "kill -9 loop: {rounds} rounds, {} replies acknowledged, all kept with their answers; \
             {all} turns stored, numbered without gaps; integrity and foreign-key checks ok",
            acknowledged.len()
        );
    });
}

/// Asks question after question (a new conversation every third), recording each reply
/// received, until stopped or the server is gone.
fn ask_until_stopped(
    base: &str,
    client: usize,
    stop: &AtomicBool,
    acknowledged: &Mutex<Vec<(String, String)>>,
) {
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let mut conversation: Option<String> = None;
    for i in 0.. {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        // Each question once, so that the store shows which one was kept.
        let question = format!("{} (ref {client}-{i})", QUESTIONS[(client + i) % QUESTIONS.len()]);
        let mut body = json!({ "question": question, "stream": i % 2 == 1 });
        if let Some(id) = &conversation {
            body["conversation_id"] = json!(id);
        }
        let Ok(response) = http.post(format!("{base}/v1/ask")).bearer_auth(QUERY_KEY).json(&body).send()
        else {
            return;
        };
        assert_eq!(response.status(), StatusCode::OK);
        let Ok(text) = response.text() else { return };
        // A stream's reply is its `done` event; a stream cut by the kill has none.
        let answer: Option<Value> = if i % 2 == 1 {
            text.split("\n\n")
                .find(|block| block.starts_with("event: done"))
                .and_then(|block| block.lines().find_map(|l| l.strip_prefix("data: ")))
                .and_then(|data| serde_json::from_str(data).ok())
        } else {
            serde_json::from_str(&text).ok()
        };
        let Some(answer) = answer else { return };
        let id = answer["conversation_id"].as_str().unwrap().to_string();
        acknowledged.lock().unwrap().push((id.clone(), question));
        conversation = (i % 3 != 2).then_some(id);
    }
}
