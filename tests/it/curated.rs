//! The learning loop end to end over HTTP: a question kefu cannot answer opens a ticket, an agent
//! answers and resolves it, an admin promotes the reply to a curated answer in one call, and the
//! same question and paraphrases of it (in English and in Chinese) are answered with it at once,
//! cited as a curated answer with its author; a question the help center answers is left alone;
//! removing the curated answer brings the abstention back, and its history keeps both versions.
//! Also: curated answers' versions in the store on SQLite and PostgreSQL.

use kefu::answer::curated::NewCurated;
use kefu::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::config;
use crate::postgres::TestDatabase;
use crate::serve::{ADMIN_KEY, QUERY_KEY, Server, copy_dir, corpus_data};

const AGENT_KEY: &str = "agent-key-0123456789";

/// A question the help center does not answer, paraphrases of it (from the dev half of
/// eval/sets/curated.jsonl), and what the agent replies.
struct Case {
    question: &'static str,
    paraphrases: [&'static str; 3],
    reply: &'static str,
}

const CASES: [Case; 2] = [
    Case {
        question: "how heavy is the roamo s7",
        paraphrases: [
            "What's the weight of the Roamo S7 robot vacuum?",
            "roamo s7 weight?? how many kg",
            "My mum has a bad back and would have to carry it upstairs. How much does the Roamo S7 weigh?",
        ],
        reply: "The Roamo S7 robot weighs about 3.8 kg; the charging dock adds roughly 0.5 kg.",
    },
    Case {
        question: "公司要批量采购一百台水壶 有折扣吗",
        paraphrases: [
            "企业大批量采购电热水壶，有没有团购价？",
            "公司要买100个水壶 能便宜点不",
            "我们公司年底要给员工发福利，打算订一百台温控水壶，量大的话能给折扣吗",
        ],
        reply: "企业批量采购可以享受专属报价，请发邮件至 b2b@nestwellhome.cn 说明商品和数量，商务同事会在 2 个工作日内联系您。",
    },
];

fn post(server: &Server, path: &str, key: &str, body: Value) -> Value {
    let response = server.post(path, key, &body);
    let status = response.status();
    let value: Value = response.json().unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {value}");
    value
}

fn ask(server: &Server, question: &str) -> Value {
    post(server, "/v1/ask", QUERY_KEY, json!({ "question": question }))
}

fn curated_citation(answer: &Value) -> Option<&Value> {
    answer["citations"].as_array().unwrap().iter().find(|c| c["doc_id"] == "curated")
}

#[test]
fn an_agents_reply_promoted_to_a_curated_answer_answers_the_next_customers_at_once() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let keys = format!("{QUERY_KEY}:query,{ADMIN_KEY}:admin,{AGENT_KEY}:agent");
    let server = Server::start(
        dir.path(),
        &[
            ("KEFU_API_KEYS", keys.as_str()),
            ("KEFU_HANDOFF__AGENT_CONSOLE", "true"),
            // The shop's own address in the agent's reply is not personal data.
            ("KEFU_PRIVACY__KEEP", "[\"b2b@nestwellhome.cn\"]"),
            ("KEFU_SERVER__RATE_LIMIT_PER_MINUTE", "0"),
        ],
    );
    let mut curated_ids = Vec::new();
    let mut as_passage = Vec::new();
    for case in &CASES {
        // kefu cannot answer: a ticket opens, an agent answers and resolves it.
        let first = ask(&server, case.question);
        assert_eq!(first["abstained"], true, "{first}");
        let ticket = first["ticket"]["id"].as_str().expect("a ticket").to_string();
        post(
            &server,
            &format!("/v1/tickets/{ticket}/reply"),
            AGENT_KEY,
            json!({ "agent": "alice", "text": case.reply }),
        );
        post(&server, &format!("/v1/tickets/{ticket}/resolve"), AGENT_KEY, json!({ "agent": "alice" }));

        // Promoted in one call: the question that opened the ticket and the agent's reply.
        let curated = post(
            &server,
            "/v1/admin/answers",
            ADMIN_KEY,
            json!({ "from_ticket": ticket, "author": "alice" }),
        );
        assert_eq!(curated["questions"], json!([case.question]));
        assert_eq!(curated["answer"], case.reply);
        assert_eq!(curated["version"], 1);
        assert_eq!(curated["source_conversation_id"], first["conversation_id"]);
        curated_ids.push(curated["id"].as_str().unwrap().to_string());

        // At once, with no re-ingest: the question gets the curated answer, and so do
        // paraphrases of it close enough (eval-curated measures the share: docs/curated.md);
        // none gets another answer's text.
        let mut answered_paraphrases = 0;
        for (n, question) in std::iter::once(case.question).chain(case.paraphrases).enumerate() {
            let answered = ask(&server, question);
            let Some(citation) = curated_citation(&answered) else {
                assert!(n > 0, "the promoted question itself: {answered}");
                continue;
            };
            answered_paraphrases += usize::from(n > 0);
            // Given outright (the part names the curated answer), or quoted as a passage among
            // the help center's (docs/curated.md).
            if answered["parts"].as_array().unwrap().iter().all(|p| p["curated"].is_null()) {
                as_passage.push(question);
            }
            assert_eq!(answered["abstained"], false, "{question}: {answered}");
            assert_eq!(citation["curated"]["author"], "alice");
            assert_eq!(citation["curated"]["id"], curated["id"]);
            assert!(answered["answer"].as_str().unwrap().contains(case.reply), "{answered}");
            assert!(answered["ticket"].is_null(), "answered: no ticket");
        }
        assert!(answered_paraphrases >= 1, "no paraphrase of {:?} answered", case.question);
    }
    // Measured: "企业大批量采购电热水壶，有没有团购价？" and the long message about staff gifts
    // miss the outright test but get the curated answer as the top passage.
    assert!(!as_passage.is_empty(), "no paraphrase answered through retrieval");
    eprintln!("answered with the curated answer as a passage: {as_passage:?}");

    // A question the help center answers is not captured.
    let returns = ask(&server, "How long do I have to return an item?");
    assert!(curated_citation(&returns).is_none(), "{returns}");
    assert_eq!(returns["abstained"], false);

    // Listed; removed: the abstention is back, and the history keeps both versions.
    let listed: Value = server.get("/v1/admin/answers", Some(ADMIN_KEY)).json().unwrap();
    assert_eq!(listed["answers"].as_array().unwrap().len(), 2);
    assert_eq!(server.get("/v1/admin/answers", Some(AGENT_KEY)).status(), StatusCode::FORBIDDEN);
    let removed = server.delete(&format!("/v1/admin/answers/{}?author=bob", curated_ids[0]), ADMIN_KEY);
    assert_eq!(removed.status(), StatusCode::OK);
    let again = ask(&server, CASES[0].question);
    assert_eq!(again["abstained"], true, "{again}");
    assert!(curated_citation(&again).is_none());
    let history: Value =
        server.get(&format!("/v1/admin/answers/{}", curated_ids[0]), Some(ADMIN_KEY)).json().unwrap();
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        (versions[0]["removed"].as_bool(), versions[1]["removed"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(versions[1]["author"], "bob");
    // The other one still answers.
    assert!(curated_citation(&ask(&server, CASES[1].question)).is_some());

    // A promotion needs a resolved ticket with an agent's reply; a bad body names its field.
    let open = ask(&server, "What is the capital of France?");
    let open_ticket = open["ticket"]["id"].as_str().expect("a ticket").to_string();
    let refused = server.post(
        "/v1/admin/answers",
        ADMIN_KEY,
        &json!({ "from_ticket": open_ticket, "author": "alice" }),
    );
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let refused: Value = server
        .post("/v1/admin/answers", ADMIN_KEY, &json!({ "questions": [], "answer": "x", "author": "a" }))
        .json()
        .unwrap();
    assert_eq!(refused["error"]["code"], "invalid_curated_questions");
}

fn curated_versions_on(store_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path());
    config.store.url = store_url.map(String::from);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::open(&config).await.unwrap();
        let draft = NewCurated {
            questions: vec!["how heavy is the roamo s7".into()],
            answer: "About 3.8 kg.".into(),
            locale: "en".into(),
            tags: vec!["robot".into()],
            author: "alice".into(),
            ..NewCurated::default()
        };
        let first = store.add_curated(&draft).await.unwrap();
        let before = store.curated_stamp().await.unwrap();
        let revised = store
            .revise_curated(
                &first.id,
                &NewCurated { answer: "3.8 kg, dock 0.5 kg.".into(), author: "bob".into(), ..draft.clone() },
            )
            .await
            .unwrap();
        assert_eq!((revised.id.as_str(), revised.version), (first.id.as_str(), 2));
        assert_ne!(store.curated_stamp().await.unwrap(), before, "replicas see the change");
        let other =
            store.add_curated(&NewCurated { questions: vec!["q2".into()], ..draft.clone() }).await.unwrap();
        let mut live = store.curated_answers().await.unwrap();
        live.sort_by_key(|a| a.id != first.id);
        assert_eq!(
            live.iter().map(|a| (a.id.as_str(), a.version)).collect::<Vec<_>>(),
            [(first.id.as_str(), 2), (other.id.as_str(), 1)],
            "each id's latest version"
        );
        assert_eq!(live[0].answer, "3.8 kg, dock 0.5 kg.");
        assert_eq!(live[0].tags, ["robot"]);
        store.remove_curated(&first.id, "carol").await.unwrap();
        assert_eq!(store.curated_answers().await.unwrap().len(), 1);
        let history = store.curated_history(&first.id).await.unwrap();
        assert_eq!(
            history.iter().map(|v| (v.answer.version, v.removed)).collect::<Vec<_>>(),
            [(1, false), (2, false), (3, true)]
        );
        assert_eq!(history[2].answer.author, "carol");
        assert_eq!(store.remove_curated(&first.id, "carol").await.unwrap_err().code(), "not_found");
        assert_eq!(store.revise_curated("nope", &draft).await.unwrap_err().code(), "not_found");
        store.close().await;
    });
}

#[test]
fn curated_answers_keep_every_version_on_sqlite() {
    curated_versions_on(None);
}

#[test]
fn curated_answers_keep_every_version_on_postgres() {
    let database = TestDatabase::new();
    curated_versions_on(Some(&database.url));
}
