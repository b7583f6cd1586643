//! The replay harness of the insights: a stream of conversations sent through `/v1/ask` of a
//! real `kefu serve` into a fresh SQLite store (answerable questions of eval/sets, unanswerable
//! ones with paraphrases from eval/sets/curated.jsonl, a follow-up, requests for a person,
//! thumbs and CSAT), then `GET /v1/admin/insights`: the counts equal what was sent, the
//! unanswerable questions are the top gaps with their paraphrases in one topic, a second run
//! places nothing again and finds the same topics, and deleting a conversation takes its
//! questions' placements with it.

use std::collections::{BTreeMap, HashSet};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{config, corpus};
use crate::serve::{ADMIN_KEY, QUERY_KEY, Server, copy_dir, corpus_data};

const AGENT_KEY: &str = "agent-key-0123456789";

fn ask(server: &Server, body: Value) -> Value {
    let response = server.post("/v1/ask", QUERY_KEY, &body);
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

fn lines(file: &str) -> Vec<Value> {
    let path = corpus().parent().unwrap().join("eval/sets").join(file);
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// What the harness sent, counted as the insights should count it.
#[derive(Default)]
struct Sent {
    conversations: HashSet<String>,
    questions: u64,
    answered: u64,
    tickets: BTreeMap<String, u64>,
    thumbs_up: u64,
    rated: u64,
}

impl Sent {
    fn ask(&mut self, server: &Server, question: &str, conversation: Option<&str>) -> Value {
        let mut body = json!({ "question": question });
        if let Some(id) = conversation {
            body["conversation_id"] = json!(id);
        }
        let reply = ask(server, body);
        self.conversations.insert(reply["conversation_id"].as_str().unwrap().to_string());
        self.questions += 1;
        self.answered += u64::from(reply["abstained"] == false);
        if !reply["ticket"].is_null() {
            let reason = reply["handoff"]["reason"].as_str().expect("a ticket opens for a reason");
            *self.tickets.entry(reason.to_string()).or_default() += 1;
        }
        reply
    }

    fn rate(&mut self, server: &Server, reply: &Value, up: bool) {
        let path = format!("/v1/conversations/{}/feedback", reply["conversation_id"].as_str().unwrap());
        // The answer of a new conversation is its second turn.
        let mut body = json!({ "turn": 2, "thumbs": if up { "up" } else { "down" } });
        if !up {
            body["reason"] = json!("outdated");
        }
        let response = server.post(&path, QUERY_KEY, &body);
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().unwrap());
        self.rated += 1;
        self.thumbs_up += u64::from(up);
    }
}

fn insights(server: &Server) -> Value {
    let response = server.get("/v1/admin/insights", Some(ADMIN_KEY));
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

/// The topic whose sample wordings include `question`.
fn topic_of<'a>(report: &'a Value, question: &str) -> Option<&'a Value> {
    report["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["samples"].as_array().unwrap().iter().any(|s| s == question))
}

#[test]
fn insights_count_what_was_sent_and_the_unanswered_questions_are_the_top_gaps() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let keys = format!("{QUERY_KEY}:query,{ADMIN_KEY}:admin,{AGENT_KEY}:agent");
    let server = Server::start(
        dir.path(),
        &[
            ("KEFU_API_KEYS", keys.as_str()),
            ("KEFU_HANDOFF__AGENT_CONSOLE", "true"),
            ("KEFU_SERVER__RATE_LIMIT_PER_MINUTE", "0"),
        ],
    );
    let mut sent = Sent::default();

    // Answerable questions, each its own conversation; some rated.
    let answerable: Vec<String> = ["corpus_en.jsonl", "corpus_zh.jsonl"]
        .iter()
        // Enough distinct questions (with those below) for topics centred on their mean.
        .flat_map(|f| lines(f).into_iter().filter(|q| q["answerable"] == true).take(16))
        .map(|q| q["question"].as_str().unwrap().to_string())
        .collect();
    let mut answered_replies = Vec::new();
    for question in &answerable {
        let reply = sent.ask(&server, question, None);
        if reply["abstained"] == false {
            answered_replies.push(reply);
        }
    }
    for (n, reply) in answered_replies.iter().take(4).enumerate() {
        sent.rate(&server, reply, n != 0);
    }
    // A follow-up in the same conversation, and a CSAT score.
    let first = &answered_replies[1];
    let id = first["conversation_id"].as_str().unwrap().to_string();
    sent.ask(&server, "and how long does that take?", Some(&id));
    let csat = server.post(&format!("/v1/conversations/{id}/feedback"), QUERY_KEY, &json!({ "csat": 4 }));
    assert_eq!(csat.status(), StatusCode::OK);

    // Questions the help center does not answer, each with three paraphrases (two cases per
    // language from the dev half of curated.jsonl, which kefu refuses in every wording), each its
    // own conversation. (cur-zh-007, "买了扫地机 能派人上门安装教学吗", is not one since the
    // catalogue grew: a paraphrase of it is answered from the Roamo S5's page.)
    const CASES: [&str; 4] = ["cur-en-001", "cur-en-009", "cur-zh-025", "cur-zh-038"];
    let cases: Vec<Value> =
        lines("curated.jsonl").into_iter().filter(|c| CASES.iter().any(|id| c["id"] == *id)).collect();
    assert_eq!(cases.len(), CASES.len());
    for case in &cases {
        for question in std::iter::once(&case["question"]).chain(case["paraphrases"].as_array().unwrap()) {
            sent.ask(&server, question.as_str().unwrap(), None);
        }
    }
    // Customers who ask for a person.
    for question in ["I want to talk to a human", "转人工"] {
        sent.ask(&server, question, None);
    }

    let report = insights(&server);
    let figures = &report["figures"];
    assert_eq!(figures["conversations"], sent.conversations.len() as u64, "{figures}");
    assert_eq!(figures["questions"], sent.questions);
    assert_eq!(figures["turns"]["customer"], sent.questions);
    assert_eq!(figures["answer_rate"]["count"], sent.answered);
    assert_eq!(figures["answer_rate"]["of"], sent.questions);
    assert_eq!(figures["thumbs_up"]["count"], sent.thumbs_up);
    assert_eq!(figures["thumbs_up"]["of"], sent.rated);
    assert_eq!(figures["thumbs_down_reasons"]["outdated"], sent.rated - sent.thumbs_up);
    assert_eq!(figures["csat"]["count"], 1);
    assert_eq!(figures["csat"]["mean"], 4.0);
    let tickets: BTreeMap<String, u64> = serde_json::from_value(figures["tickets_opened"].clone()).unwrap();
    assert_eq!(tickets, sent.tickets);
    assert!(tickets.get("requested_human").copied().unwrap_or(0) >= 2, "{tickets:?}");
    assert_eq!(
        figures["questions_by_language"]["en"].as_u64().unwrap()
            + figures["questions_by_language"]["zh"].as_u64().unwrap(),
        sent.questions
    );
    assert_eq!(figures["latency"]["count"], sent.questions, "every question got an answer, timed");
    assert!(figures["containment"]["of"].as_u64().unwrap() > 0);
    assert!(figures["containment_definition"].as_str().unwrap().contains("no handoff"));

    // Each unanswered case is one topic holding its question and most of its paraphrases,
    // and is among the top gaps.
    let gap_topics: Vec<i64> = report["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .take(cases.len() + 2)
        .map(|g| g["topic"].as_i64().unwrap())
        .collect();
    let mut paraphrases_together = 0;
    for case in &cases {
        let question = case["question"].as_str().unwrap();
        let topic = topic_of(&report, question).unwrap_or_else(|| panic!("no topic holds {question:?}"));
        let together = case["paraphrases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| topic_of(&report, p.as_str().unwrap()).is_some_and(|t| t["id"] == topic["id"]))
            .count();
        // Long messages with context before the question drift apart (docs/insights.md measures
        // the grouping); a short rewording joins.
        assert!(together >= 1, "{question:?}: no paraphrase shares its topic: {topic}");
        paraphrases_together += together;
        assert!(
            gap_topics.contains(&topic["id"].as_i64().unwrap()),
            "{question:?} is not a top gap: {}",
            report["gaps"]
        );
    }
    // Measured: 10 of 12 with topics centred on the questions' mean (8 of 12 without).
    eprintln!("{paraphrases_together} of {} paraphrases share their question's topic", 3 * cases.len());
    assert!(
        paraphrases_together >= 2 * cases.len(),
        "fewer than two thirds of the paraphrases join their question"
    );
    let top = &report["gaps"][0];
    assert!(top["unmet"]["count"].as_u64().unwrap() >= 3, "{top}");
    assert!(!top["why"].as_array().unwrap().is_empty());
    assert!(top["closest"].as_array().unwrap().len() <= 3);
    assert!(top["draft"]["kind"] == "passage" || top["draft"].is_null(), "no agent replied: {top}");
    // Content health names documents of the index.
    assert!(report["health"]["documents"].as_u64().unwrap() > 10);
    assert!(
        report["health"]["never_cited"].as_array().unwrap().len()
            < report["health"]["documents"].as_u64().unwrap() as usize
    );

    // Incremental and deterministic: a second run embeds nothing and finds the same topics.
    assert_eq!(report["run"]["newly_placed"], report["run"]["distinct_questions"]);
    let centre = report["run"]["centre_questions"].as_u64().expect("enough questions for a centre");
    assert!(centre >= 50 && centre <= sent.questions, "{}", report["run"]);
    assert_eq!(report["topic_threshold"].as_f64().unwrap() as f32, kefu::insights::topics::DEFAULT_THRESHOLD);
    let again = insights(&server);
    assert_eq!(again["run"]["newly_placed"], 0);
    assert_eq!(again["topics"], report["topics"]);
    assert_eq!(again["gaps"], report["gaps"]);

    // The HTML report; a bad date is a 400 naming the field; agents may not read insights.
    let page = server.get("/v1/admin/insights?format=html", Some(ADMIN_KEY));
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().unwrap().contains("<svg"));
    let bad = server.get("/v1/admin/insights?from=yesterday", Some(ADMIN_KEY));
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().unwrap().contains("from"));
    assert_eq!(server.get("/v1/admin/insights", Some(AGENT_KEY)).status(), StatusCode::FORBIDDEN);
    drop(server);

    // Deleting a conversation takes its question's placement with it.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = kefu::store::Store::open(&config(dir.path())).await.unwrap();
        let before = store.status().await.unwrap().placed_questions;
        let conversation = sent.conversations.iter().next().unwrap().clone();
        store.delete_conversation(&conversation).await.unwrap();
        let after = store.status().await.unwrap().placed_questions;
        assert!(after < before, "{before} placements before, {after} after");
    });
}

/// Placements saved and read back, a stale run refused, and a purge taking old placements, on
/// one backend.
fn topics_in_the_store_on(store_url: Option<&str>) {
    use kefu::insights::topics::{Centre, Centroid};
    use kefu::store::{PlacedQuestion, Store};

    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.store.url = store_url.map(String::from);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::open(&config).await.unwrap();
        assert!(store.topic_state("m").await.unwrap().centroids.is_empty());
        let centroid = Centroid { id: 1, sum: vec![0.6, 0.8], members: 2 };
        let placed = |key: &str, last_seen_at: i64| PlacedQuestion {
            key: key.into(),
            topic: 1,
            vector: vec![0.6, 0.8],
            last_seen_at,
        };
        store
            .save_topics("m", 0, None, &[&centroid], &[placed("a", 1), placed("b", i64::MAX / 2)])
            .await
            .unwrap();
        let state = store.topic_state("m").await.unwrap();
        assert_eq!(state.centroids, std::slice::from_ref(&centroid));
        assert_eq!(state.questions.len(), 2);
        assert_eq!(state.centre, None);
        let a = &state.questions["a"];
        assert_eq!((a.topic, a.last_seen_at), (1, 1));
        assert!((a.vector[0] - 0.6).abs() < 1e-3, "{:?}", a.vector);
        assert!(store.topic_state("another model").await.unwrap().questions.is_empty());
        // A run that read the state before these were saved places nothing.
        let stale = store.save_topics("m", 0, None, &[&centroid], &[placed("c", 1)]).await.unwrap_err();
        assert_eq!(stale.code(), "topics_changed");
        assert_eq!(store.status().await.unwrap().placed_questions, 2);
        // A rebuild around a new centre replaces the model's topics.
        let centre = Centre { mean: vec![0.5, 0.5], questions: 3 };
        let rebuilt = Centroid { id: 1, sum: vec![1.0, 0.0], members: 3 };
        let all = [placed("a", 1), placed("b", i64::MAX / 2), placed("c", i64::MAX / 2)];
        store.save_topics("m", 2, Some(&centre), &[&rebuilt], &all).await.unwrap();
        let state = store.topic_state("m").await.unwrap();
        assert_eq!(state.centre, Some(centre));
        assert_eq!(state.centroids, [rebuilt]);
        assert_eq!(state.questions.len(), 3);
        // A purge by age takes the placements last seen before it.
        store.purge(1).await.unwrap();
        assert_eq!(store.status().await.unwrap().placed_questions, 2);
        store.close().await;
    });
}

#[test]
fn topics_in_the_store_on_sqlite() {
    topics_in_the_store_on(None);
}

#[test]
fn topics_in_the_store_on_postgres() {
    let database = crate::postgres::TestDatabase::new();
    topics_in_the_store_on(Some(&database.url));
}
