//! Conversations over HTTP, on SQLite and on PostgreSQL: recorded turn by turn before the reply,
//! kept across a restart, bound to the API key that started them, readable and deletable by it
//! (and by an admin key), deletable by external user; follow-ups bounded.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::postgres::TestDatabase;
use crate::serve::{
    ADMIN_KEY, FLOOD_KEY, QUERY_KEY, Server, copy_dir, corpus_data, error_of, eventually, metric, read_events,
};
use crate::store::age;

/// A key of the query scope other than the one that starts the conversations.
const OTHER_KEY: &str = FLOOD_KEY;

fn transcript(server: &Server, id: &str, key: &str) -> Value {
    let response = server.get(&format!("/v1/conversations/{id}"), Some(key));
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

fn roles(transcript: &Value) -> Vec<&str> {
    transcript["turns"].as_array().unwrap().iter().map(|t| t["role"].as_str().unwrap()).collect()
}

fn assert_not_found(response: reqwest::blocking::Response) {
    let (status, code, _) = error_of(response);
    assert_eq!((status, code.as_str()), (404, "conversation_not_found"));
}

/// The scenario on a server with `env`; the server, still running, and its data folder.
fn conversations_over_http(env: &[(&str, &str)]) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let server = Server::start(dir.path(), env);

    let first = server
        .ask(json!({ "question": "How long do I have to return an item?", "external_user_id": "cust-1" }));
    let id = first["conversation_id"].as_str().unwrap().to_string();
    let uuid = uuid::Uuid::parse_str(&id).expect("a UUID");
    assert_eq!(uuid.get_version_num(), 4, "random, not guessable");
    let follow_up =
        server.ask(json!({ "question": "what about opened electronics?", "conversation_id": id }));
    assert_eq!(follow_up["conversation_id"], id.as_str());
    let metrics = server.get("/metrics", Some(ADMIN_KEY)).text().unwrap();
    assert_eq!(metric(&metrics, "kefu_turns_stored_total"), 4.0);

    // The transcript: every turn, with what the answer was made from.
    let stored = transcript(&server, &id, QUERY_KEY);
    assert_eq!(roles(&stored), ["customer", "bot", "customer", "bot"]);
    assert_eq!(stored["feedback"], json!([]));
    assert_eq!(stored["external_user_id"], "cust-1");
    assert_eq!(stored["channel"], "api");
    assert!(!stored["owner_key"].as_str().unwrap().contains(QUERY_KEY), "never the key itself");
    let turns = stored["turns"].as_array().unwrap();
    assert_eq!(turns.iter().map(|t| t["seq"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(turns[0]["text"], "How long do I have to return an item?");
    assert_eq!(turns[0]["actor"], stored["owner_key"]);
    assert_eq!(
        turns[2]["resolved_query"], "How long do I have to return an item? what about opened electronics?",
        "a follow-up is read with the turn before"
    );
    let answer = &turns[3];
    assert_eq!(answer["text"], follow_up["answer"]);
    assert_eq!(answer["confidence"].as_f64().unwrap(), follow_up["confidence"].as_f64().unwrap());
    assert_eq!(answer["abstained"], follow_up["abstained"]);
    assert_eq!(answer["generator"], follow_up["generator"]);
    assert_eq!(answer["language"], "en");
    assert!(answer["index_generation"].as_i64().unwrap() >= 1);
    assert!(answer["timings"]["total_ms"].as_f64().unwrap() > 0.0);
    let cited: Vec<&Value> =
        follow_up["citations"].as_array().unwrap().iter().map(|c| &c["chunk_id"]).collect();
    let stored_citations: Vec<&Value> =
        answer["citations"].as_array().unwrap().iter().map(|c| &c["chunk_id"]).collect();
    assert!(!cited.is_empty());
    assert_eq!(cited, stored_citations);
    assert_eq!(answer["citations"][0]["span"], follow_up["citations"][0]["span"]);

    // Feedback: thumbs on one of kefu's answers (a new rating replaces the old), CSAT for the
    // whole conversation; a customer turn cannot be rated, nor can another key's conversation.
    let feedback =
        |key: &str, body: Value| server.post(&format!("/v1/conversations/{id}/feedback"), key, &body);
    let rated = feedback(QUERY_KEY, json!({ "turn": 2, "thumbs": "up" }));
    assert_eq!(rated.status(), StatusCode::OK);
    let comment = format!("wrong fee, mail me at {EMAIL}");
    let rated: Value =
        feedback(QUERY_KEY, json!({ "turn": 2, "thumbs": "down", "reason": "outdated", "comment": comment }))
            .json()
            .unwrap();
    assert_eq!(rated["feedback"].as_array().unwrap().len(), 1, "{rated}");
    assert_eq!(rated["feedback"][0]["score"], -1);
    assert_eq!(rated["feedback"][0]["reason"], "outdated");
    assert_eq!(rated["feedback"][0]["comment"], "wrong fee, mail me at [email]");
    assert_eq!(feedback(QUERY_KEY, json!({ "csat": 4 })).status(), StatusCode::OK);
    for (body, code) in [
        (json!({ "turn": 1, "thumbs": "down" }), "invalid_feedback_turn"),
        (json!({ "turn": 99, "thumbs": "up" }), "invalid_feedback_turn"),
        (json!({ "thumbs": "up" }), "invalid_feedback_turn"),
        (json!({ "csat": 6 }), "invalid_feedback_csat"),
        (json!({ "turn": 2, "thumbs": "up", "reason": "wrong" }), "invalid_feedback_reason"),
        (json!({ "turn": 2, "thumbs": "sideways" }), "invalid_request"),
        (json!({ "csat": 3, "comment": "x".repeat(1001) }), "invalid_feedback_comment"),
    ] {
        let (status, got, _) = error_of(feedback(QUERY_KEY, body.clone()));
        assert_eq!((status, got.as_str()), (400, code), "{body}");
    }
    assert_not_found(feedback(OTHER_KEY, json!({ "csat": 1 })));

    // Bound to the key that started it: another key gets 404, as for an id that does not exist;
    // an admin key may read it.
    assert_not_found(server.get(&format!("/v1/conversations/{id}"), Some(OTHER_KEY)));
    assert_not_found(server.delete(&format!("/v1/conversations/{id}"), OTHER_KEY));
    assert_not_found(server.post(
        "/v1/ask",
        OTHER_KEY,
        &json!({ "question": "and shoes?", "conversation_id": id }),
    ));
    assert_eq!(roles(&transcript(&server, &id, ADMIN_KEY)).len(), 4);
    // A conversation keeps the external user it was started for.
    let body = json!({ "question": "and shoes?", "conversation_id": id, "external_user_id": "cust-9" });
    let (status, code, _) = error_of(server.post("/v1/ask", QUERY_KEY, &body));
    assert_eq!((status, code.as_str()), (400, "invalid_ask_external_user_id"));
    // A conversation id the client made up is refused, and starts nothing.
    assert_not_found(server.post(
        "/v1/ask",
        QUERY_KEY,
        &json!({ "question": "refund?", "conversation_id": "my-own-id-1" }),
    ));
    assert_not_found(server.get("/v1/conversations/my-own-id-1", Some(ADMIN_KEY)));

    // Streamed: the turns are committed before the `done` event.
    let response = server
        .client
        .post(format!("{}/v1/ask", server.base))
        .bearer_auth(QUERY_KEY)
        .json(&json!({ "question": "and how do I start a return?", "conversation_id": id, "stream": true }))
        .send()
        .unwrap();
    let events = read_events(response);
    assert_eq!(events.last().unwrap().0, "done");
    assert_eq!(roles(&transcript(&server, &id, QUERY_KEY)).len(), 6);

    // A long chain of long follow-ups: each read with the turn before only, within
    // server.max_question_chars (1000).
    let chain = server.ask(json!({ "question": "How long does a refund take?" }));
    let chain_id = chain["conversation_id"].as_str().unwrap();
    for i in 0..6 {
        let question = format!("and what about item number {i} {}?", "and that one too ".repeat(20));
        server.ask(json!({ "question": question, "conversation_id": chain_id }));
    }
    let chain = transcript(&server, chain_id, QUERY_KEY);
    for turn in chain["turns"].as_array().unwrap().iter().filter(|t| t["role"] == "customer") {
        let query = turn["resolved_query"].as_str().unwrap();
        assert!(query.chars().count() <= 1000, "{} characters", query.chars().count());
        assert!(query.starts_with("How long does a refund take?"), "{query}");
    }

    // A restart loses nothing, and the conversation goes on; but a conversation idle for longer
    // than store.retention_days (365) is purged at start-up.
    drop(server);
    let mut config = crate::common::config(dir.path());
    config.store.url = env.iter().find(|(key, _)| *key == "KEFU_STORE__URL").map(|(_, url)| url.to_string());
    tokio::runtime::Runtime::new().unwrap().block_on(age(&config, chain_id, 400));
    let log = dir.path().join("serve.log");
    let server = Server::start_logged(dir.path(), env, &log);
    eventually("the idle conversation is purged", || {
        let response = server.get(&format!("/v1/conversations/{chain_id}"), Some(QUERY_KEY));
        (response.status() == StatusCode::NOT_FOUND).then_some(())
    });
    assert_eq!(roles(&transcript(&server, &id, QUERY_KEY)).len(), 6);
    let after = server.ask(json!({ "question": "what about opened clothing?", "conversation_id": id }));
    assert_eq!(after["conversation_id"], id.as_str());
    let stored = transcript(&server, &id, QUERY_KEY);
    assert_eq!(stored["turns"][6]["seq"], 7);
    assert_eq!(
        stored["turns"][6]["resolved_query"].as_str().unwrap(),
        format!("{} what about opened clothing?", stored["turns"][4]["resolved_query"].as_str().unwrap())
    );

    // Deletion by its key.
    let deleted: Value = server.delete(&format!("/v1/conversations/{id}"), QUERY_KEY).json().unwrap();
    assert_eq!(deleted, json!({ "deleted": { "conversations": 1, "turns": 8 } }));
    assert_not_found(server.get(&format!("/v1/conversations/{id}"), Some(QUERY_KEY)));

    // Deletion of one external user's data, whichever key started it: admin only.
    let start = |key: &str, user: &str| {
        let response = server.post(
            "/v1/ask",
            key,
            &json!({ "question": "Do you ship abroad?", "external_user_id": user }),
        );
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().unwrap()["conversation_id"].as_str().unwrap().to_string()
    };
    let (mine, theirs, other_user) =
        (start(QUERY_KEY, "cust-2"), start(OTHER_KEY, "cust-2"), start(QUERY_KEY, "cust-3"));
    let (status, code, _) = error_of(server.delete("/v1/users/cust-2", QUERY_KEY));
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let deleted: Value = server.delete("/v1/users/cust-2", ADMIN_KEY).json().unwrap();
    assert_eq!(deleted, json!({ "deleted": { "conversations": 2, "turns": 4 } }));
    assert_not_found(server.get(&format!("/v1/conversations/{mine}"), Some(ADMIN_KEY)));
    assert_not_found(server.get(&format!("/v1/conversations/{theirs}"), Some(ADMIN_KEY)));
    assert_eq!(roles(&transcript(&server, &other_user, QUERY_KEY)).len(), 2);
    let (status, code, _) = error_of(server.delete("/v1/users/a%20b", ADMIN_KEY));
    assert_eq!((status, code.as_str()), (400, "invalid_external_user_id"));
    // The request log names the route of an erasure request, not the customer.
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("/v1/users/{external_user_id}") && !log.contains("cust-2"), "{log}");

    // Abstentions count answers withheld for low confidence; handoffs count every reason.
    let counts = || {
        let metrics = server.get("/metrics", Some(ADMIN_KEY)).text().unwrap();
        (metric(&metrics, "kefu_abstentions_total"), metrics.matches("kefu_handoffs_total{").count())
    };
    let (abstentions, _) = counts();
    server.ask(json!({ "question": "hi there!" }));
    server.ask(json!({ "question": "talk to a human please" }));
    assert_eq!(counts().0, abstentions, "a greeting and a request for a person are not abstentions");
    server.ask(json!({ "question": "What is the capital of France?" }));
    let (after, reasons) = counts();
    assert_eq!(after, abstentions + 1.0);
    assert!(reasons >= 2, "requested_human and low_confidence handoffs are counted apart");

    // Personal data is replaced before anything is stored; the same question asked again in
    // other words is read as a frustrated customer's, from the stored turns.
    let first = server
        .ask(json!({ "question": format!("hi, {EMAIL} here. how long does a refund to paypal take?") }));
    let pii_id = first["conversation_id"].as_str().unwrap();
    let again = server.ask(json!({
        "question": format!("how long does the paypal refund take?? call me on {PHONE}"),
        "conversation_id": pii_id,
    }));
    assert!(again["frustration"]["signals"].as_array().unwrap().contains(&json!("repeated")), "{again:#}");
    let stored = transcript(&server, pii_id, QUERY_KEY);
    let texts = stored["turns"].to_string();
    assert!(texts.contains("[email]") && texts.contains("[phone]"), "{texts}");
    assert!(!texts.contains(EMAIL) && !texts.contains(PHONE), "{texts}");
    (dir, server)
}

/// Personal data a customer types.
const EMAIL: &str = "jane.doe@example.com";
const PHONE: &str = "+44 7700 900123";

#[test]
fn conversations_are_recorded_kept_across_restarts_private_to_their_key_and_deletable_on_sqlite() {
    let (dir, server) = conversations_over_http(&[("KEFU_SERVER__RATE_LIMIT_PER_MINUTE", "0")]);
    drop(server);
    // Not in the database file, its write-ahead log, or the server's log, in any form.
    for file in ["kefu.db", "kefu.db-wal", "serve.log"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(EMAIL) && !text.contains(PHONE), "personal data in {file}");
    }
}

/// `POST /v1/ask` of a new conversation, JSON or streamed; the error it ends with.
fn ask_error(server: &Server, stream: bool) -> (u16, String) {
    let body = json!({ "question": "How long do I have to return an item?", "stream": stream });
    let response = server.post("/v1/ask", QUERY_KEY, &body);
    if !stream {
        let (status, code, _) = error_of(response);
        return (status, code);
    }
    let (event, data) = read_events(response).pop().unwrap();
    assert_eq!(event, "error", "{data}");
    (200, data["error"]["code"].as_str().unwrap().to_string())
}

#[test]
fn conversations_are_recorded_kept_across_restarts_private_to_their_key_and_deletable_on_postgres() {
    let database = TestDatabase::new();
    let url = database.url.clone();
    let (_dir, server) =
        conversations_over_http(&[("KEFU_SERVER__RATE_LIMIT_PER_MINUTE", "0"), ("KEFU_STORE__URL", &url)]);
    // The database gone: an answer that cannot be recorded is not sent; the client is told why
    // (a stream ends with an `error` event instead of `done`), and the server stays up.
    drop(database);
    assert_eq!(ask_error(&server, false), (503, "store_failed".into()));
    assert_eq!(ask_error(&server, true), (200, "store_failed".into()));
    assert_eq!(server.get("/healthz", None).status(), StatusCode::OK);
}

/// `store.record = false`: answers are given, nothing is kept, and a conversation cannot be
/// continued (its id was never stored).
#[test]
fn with_recording_off_answers_keep_no_turn() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let server = Server::start(dir.path(), &[("KEFU_STORE__RECORD", "false")]);
    let answer = server.ask(json!({ "question": "How long do I have to return an item?" }));
    assert_eq!(answer["abstained"], false, "{answer}");
    let id = answer["conversation_id"].as_str().unwrap();
    assert_not_found(server.post(
        "/v1/ask",
        QUERY_KEY,
        &json!({ "question": "and electronics?", "conversation_id": id }),
    ));
    assert_not_found(server.get(&format!("/v1/conversations/{id}"), Some(QUERY_KEY)));
    let metrics = server.get("/metrics", Some(ADMIN_KEY)).text().unwrap();
    assert_eq!(metric(&metrics, "kefu_turns_stored_total"), 0.0);
}
