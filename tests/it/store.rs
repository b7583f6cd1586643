//! The conversation store on SQLite and on PostgreSQL, through the library and `kefu store`:
//! what a turn keeps, numbering under concurrent writers, deletion by conversation and by user,
//! purge by age, export, status.

use std::path::Path;

use kefu::Config;
use kefu::store::{NewConversation, NewTurn, Role, Store};
use serde_json::{Value, json};

use crate::common::{json_output, kefu};
use crate::postgres::TestDatabase;

/// One backend under test: its configuration, and the environment that gives `kefu` the same.
struct Backend {
    config: Config,
    env: Vec<(&'static str, String)>,
    _dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
}

fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    Backend { config, env: Vec::new(), _dir: dir, _database: None }
}

fn postgres() -> Backend {
    let database = TestDatabase::new();
    let mut backend = sqlite();
    backend.config.store.url = Some(database.url.clone());
    backend.env.push(("KEFU_STORE__URL", database.url.clone()));
    backend._database = Some(database);
    backend
}

fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn start(owner: &str, user: Option<&str>) -> NewConversation {
    NewConversation {
        owner_key: owner.into(),
        external_user_id: user.map(String::from),
        channel: "api".into(),
    }
}

fn customer(text: &str) -> NewTurn {
    NewTurn::customer(text, &format!("resolved {text}"), "key-test", "en")
}

fn bot(text: &str) -> NewTurn {
    NewTurn {
        role: Role::Bot,
        actor: None,
        text: text.into(),
        resolved_query: None,
        citations: Some(json!([{ "n": 1, "chunk_id": "c-1", "doc_id": "en/faq.csv", "span": [3, 40] }])),
        confidence: Some(0.75),
        abstained: Some(false),
        handoff_reason: Some("complaint".into()),
        generator: Some("extractive".into()),
        language: Some("en".into()),
        index_generation: Some(7),
        total_ms: Some(12.5),
        timings: Some(json!({ "embed_ms": 1.0, "retrieve_ms": 5.0, "generate_ms": 6.5, "total_ms": 12.5 })),
        frustration: None,
        ticket_id: None,
    }
}

/// `kefu store ARGS` with `--data` and the backend's environment; its stdout, which must be a
/// success.
fn kefu_store(backend: &Backend, args: &[&str]) -> std::process::Output {
    let mut command = kefu();
    command.arg("store").args(args).arg("--data").arg(&backend.config.data_dir);
    for (key, value) in &backend.env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "kefu store {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Records a conversation of `pairs` question/answer pairs; its id.
async fn conversation(store: &Store, owner: &str, user: Option<&str>, pairs: usize) -> String {
    // Conversations started in distinct milliseconds: exports list them in this order.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let id = uuid::Uuid::new_v4().to_string();
    for i in 0..pairs {
        let new = start(owner, user);
        let first = (i == 0).then_some(&new);
        store.record(&id, first, &[customer(&format!("q{i}")), bot(&format!("a{i}"))], None).await.unwrap();
    }
    id
}

fn turns_and_numbering(backend: &Backend) {
    block_on(async {
        let store = Store::open(&backend.config).await.unwrap();
        let id = conversation(&store, "key-a", Some("user-1"), 1).await;
        // 8 writers append to the same conversation at once: every turn gets its own number.
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let (store, id) = (store.clone(), id.clone());
                tokio::spawn(async move {
                    for i in 0..5 {
                        let text = format!("w{w} q{i}");
                        store
                            .record(&id, None, &[customer(&text), bot(&format!("w{w} a{i}"))], None)
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap();
        }
        let stored = store.conversation(&id).await.unwrap().expect("stored");
        assert_eq!(
            (stored.owner_key.as_str(), stored.external_user_id.as_deref()),
            ("key-a", Some("user-1"))
        );
        let seqs: Vec<i64> = stored.turns.iter().map(|t| t.seq).collect();
        assert_eq!(seqs, (1..=82).collect::<Vec<_>>());
        for pair in stored.turns.chunks(2) {
            assert_eq!((pair[0].role.as_str(), pair[1].role.as_str()), ("customer", "bot"));
            assert_eq!(
                pair[0].text.replace('q', "a"),
                pair[1].text,
                "a question and its answer stay together"
            );
        }
        let question = serde_json::to_value(&stored.turns[0]).unwrap();
        assert_eq!(question["text"], "q0");
        assert_eq!(question["resolved_query"], "resolved q0");
        assert_eq!(question["actor"], "key-test");
        assert_eq!(question["citations"], Value::Null);
        let answer = serde_json::to_value(&stored.turns[1]).unwrap();
        let expected = json!({
            "seq": 2, "role": "bot", "actor": null, "text": "a0", "resolved_query": null,
            "citations": [{ "n": 1, "chunk_id": "c-1", "doc_id": "en/faq.csv", "span": [3, 40] }],
            "confidence": 0.75, "abstained": false, "handoff_reason": "complaint", "generator": "extractive",
            "language": "en", "index_generation": 7, "total_ms": 12.5,
            "timings": { "embed_ms": 1.0, "retrieve_ms": 5.0, "generate_ms": 6.5, "total_ms": 12.5 },
            "frustration": null, "ticket_id": null, "channel": "api", "created_at_ms": answer["created_at_ms"],
        });
        assert_eq!(answer, expected);
        // Appending to a conversation that does not exist starts nothing.
        let missing = store.record("no-such-id", None, &[customer("q")], None).await.unwrap_err();
        assert_eq!(missing.code(), "conversation_not_found");
        assert!(store.conversation("no-such-id").await.unwrap().is_none());
    });
}

#[test]
fn turns_keep_every_field_and_concurrent_writers_number_them_in_order_on_sqlite() {
    turns_and_numbering(&sqlite());
}

#[test]
fn turns_keep_every_field_and_concurrent_writers_number_them_in_order_on_postgres() {
    turns_and_numbering(&postgres());
}

/// Makes conversation `id`'s last activity `days` older.
pub(crate) async fn age(config: &Config, id: &str, days: i64) {
    let sql = "UPDATE conversations SET updated_at = updated_at - $1 WHERE id = $2";
    execute(config, sql, days * 86_400_000, Some(id)).await;
}

/// Runs `sql` on the store's own database, with `number` as `$1` and `text`, when given, as `$2`.
async fn execute(config: &Config, sql: &str, number: i64, text: Option<&str>) {
    match &config.store.url {
        Some(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let query = sqlx::query(sql).bind(number);
            let query = if let Some(text) = text { query.bind(text) } else { query };
            query.execute(&pool).await.unwrap();
        }
        None => {
            let url = format!("sqlite://{}", config.data_dir.join("kefu.db").display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let query = sqlx::query(sql).bind(number);
            let query = if let Some(text) = text { query.bind(text) } else { query };
            query.execute(&pool).await.unwrap();
        }
    }
}

/// A number the store's own database answers `sql` with.
async fn scalar(config: &Config, sql: &str) -> i64 {
    match &config.store.url {
        Some(url) => {
            sqlx::query_scalar(sql).fetch_one(&sqlx::PgPool::connect(url).await.unwrap()).await.unwrap()
        }
        None => {
            let url = format!("sqlite://{}", config.data_dir.join("kefu.db").display());
            sqlx::query_scalar(sql).fetch_one(&sqlx::SqlitePool::connect(&url).await.unwrap()).await.unwrap()
        }
    }
}

/// The exchanges the insights read of the last ten days.
async fn exchanges(store: &Store) -> Vec<kefu::insights::digest::Exchange> {
    let now = kefu::store::now_ms();
    let mut read = Vec::new();
    let count = store.insight_exchanges(now - 10 * 86_400_000, now + 1, |e| read.push(e)).await.unwrap();
    assert_eq!(count as usize, read.len());
    read
}

/// Settled days are kept digested and read back as the turns would be; a day whose turns
/// changed is read again, and a deletion takes the kept days of its turns with it.
fn kept_insight_days(backend: &Backend) {
    block_on(async {
        let config = &backend.config;
        let store = Store::open(config).await.unwrap();
        let three_days_ago = conversation(&store, "key-a", Some("cust-a"), 2).await;
        let five_days_ago = conversation(&store, "key-a", None, 1).await;
        let today = conversation(&store, "key-a", None, 1).await;
        let shift = "UPDATE turns SET created_at = created_at - $1 WHERE conversation_id = $2";
        execute(config, shift, 3 * 86_400_000, Some(&three_days_ago)).await;
        execute(config, shift, 5 * 86_400_000, Some(&five_days_ago)).await;

        let read = exchanges(&store).await;
        let mut expected: Vec<(&str, i64)> =
            vec![(&three_days_ago, 1), (&three_days_ago, 3), (&five_days_ago, 1), (&today, 1)];
        expected.sort();
        let got: Vec<(&str, i64)> = read.iter().map(|e| (e.conversation_id.as_str(), e.seq)).collect();
        assert_eq!(got, expected, "every exchange once, by conversation and turn");
        let answered = read.iter().find(|e| e.conversation_id == five_days_ago).unwrap();
        assert_eq!(answered.question, "resolved q0");
        assert_eq!(answered.answer.as_ref().unwrap().cited_docs, ["en/faq.csv"]);
        let kept_turns = "SELECT CAST(COALESCE(SUM(turns), 0) AS BIGINT) FROM insight_days";
        assert_eq!(scalar(config, kept_turns).await, 6, "the two settled days are kept, today is not");
        assert_eq!(exchanges(&store).await, read, "read back from the kept days");

        // A kept day that no longer matches its turns is read again from them.
        execute(config, "UPDATE insight_days SET turns = turns + $1", 1, None).await;
        assert_eq!(exchanges(&store).await, read);
        assert_eq!(scalar(config, kept_turns).await, 6, "kept anew");

        store.delete_user("cust-a").await.unwrap();
        assert_eq!(scalar(config, kept_turns).await, 2, "the deleted conversation's day went with it");
        let after = exchanges(&store).await;
        assert!(after.iter().all(|e| e.conversation_id != three_days_ago), "{after:?}");
        assert_eq!(after.len(), 2);
    });
}

#[test]
fn insights_keep_settled_days_and_drop_them_with_their_turns_on_sqlite() {
    kept_insight_days(&sqlite());
}

#[test]
fn insights_keep_settled_days_and_drop_them_with_their_turns_on_postgres() {
    kept_insight_days(&postgres());
}

fn deletion_purge_export(backend: &Backend) {
    let (old, kept, user_a, user_b) = block_on(async {
        let store = Store::open(&backend.config).await.unwrap();
        let old = conversation(&store, "key-a", None, 2).await;
        let kept = conversation(&store, "key-a", None, 1).await;
        let user_a = [
            conversation(&store, "key-a", Some("cust-a"), 1).await,
            conversation(&store, "key-b", Some("cust-a"), 3).await,
        ];
        let user_b = conversation(&store, "key-b", Some("cust-b"), 1).await;
        age(&backend.config, &old, 40).await;
        store.close().await;
        (old, kept, user_a, user_b)
    });
    let status: Value = json_output(&kefu_store(backend, &["status", "--json"]));
    assert_eq!((status["conversations"].as_i64(), status["turns"].as_i64()), (Some(5), Some(16)), "{status}");
    assert_eq!(status["schema_version"], status["latest_schema_version"]);
    assert_eq!(
        status["schema_version"], 8,
        "conversations, feedback, tickets, curated answers, topics, their centres, order checks, insight days"
    );
    assert_eq!((status["active_tickets"].as_i64(), status["webhooks_dead"].as_i64()), (Some(0), Some(0)));

    // Purge by age: 30 days keeps everything but the conversation 40 days old.
    let purged: Value = json_output(&kefu_store(backend, &["purge", "--older-than-days", "30", "--json"]));
    assert_eq!(purged, json!({ "conversations": 1, "turns": 4 }));

    // Export: every conversation with its turns, one JSON line each, oldest first.
    let export = kefu_store(backend, &["export"]);
    let lines: Vec<Value> =
        String::from_utf8(export.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [kept.as_str(), &user_a[0], &user_a[1], &user_b]);
    assert_eq!(lines[2]["turns"].as_array().unwrap().len(), 6);
    assert_eq!(lines[2]["turns"][5]["text"], "a2");
    let file = backend.config.data_dir.join("cust-a.jsonl");
    kefu_store(backend, &["export", "--user", "cust-a", "--out", file.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&file).unwrap();
    assert_eq!(exported.lines().count(), 2, "{exported}");
    assert!(!exported.contains(&user_b) && !exported.contains(&kept));

    // Delete one user's conversations (whichever key started them), then one conversation.
    let deleted: Value = json_output(&kefu_store(backend, &["delete", "--user", "cust-a", "--json"]));
    assert_eq!(deleted, json!({ "conversations": 2, "turns": 8 }));
    let deleted: Value = json_output(&kefu_store(backend, &["delete", "--conversation", &kept, "--json"]));
    assert_eq!(deleted, json!({ "conversations": 1, "turns": 2 }));
    block_on(async {
        let store = Store::open(&backend.config).await.unwrap();
        for gone in [&old, &kept, &user_a[0], &user_a[1]] {
            assert!(store.conversation(gone).await.unwrap().is_none(), "{gone} is gone");
        }
        assert_eq!(
            store.conversation(&user_b).await.unwrap().unwrap().turns.len(),
            2,
            "the other user's stays"
        );
        let status = store.status().await.unwrap();
        assert_eq!((status.conversations, status.turns), (1, 2), "no turn is left without its conversation");
    });
}

#[test]
fn deletion_by_conversation_and_by_user_purge_by_age_and_export_on_sqlite() {
    let backend = sqlite();
    // A mistyped data folder is an error, not an empty store.
    let output =
        kefu().args(["store", "status", "--data"]).arg(Path::new("/nonexistent/kefu")).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("store_failed"));
    deletion_purge_export(&backend);
}

#[test]
fn deletion_by_conversation_and_by_user_purge_by_age_and_export_on_postgres() {
    deletion_purge_export(&postgres());
}

/// The console's list: filters by what happened, the customer's language, and pages that
/// neither skip nor repeat a conversation updated in the same millisecond as another.
fn browsing(backend: &Backend) {
    use kefu::store::{ConversationFilter, Cursor, FeedbackKind, FeedbackReason, NewFeedback};
    block_on(async {
        let store = Store::open(&backend.config).await.unwrap();
        let answer = |abstained: bool, handoff: Option<&str>| NewTurn {
            abstained: Some(abstained),
            handoff_reason: handoff.map(String::from),
            ..bot("an answer")
        };
        let record = |turns: Vec<NewTurn>| {
            let store = store.clone();
            async move {
                let id = uuid::Uuid::new_v4().to_string();
                store.record(&id, Some(&start("key-b", None)), &turns, None).await.unwrap();
                id
            }
        };
        let answered = record(vec![customer("where is the kettle manual"), answer(false, None)]).await;
        let abstained =
            record(vec![customer("what is the capital of France"), answer(true, Some("low_confidence"))])
                .await;
        let mut chinese = customer("退货运费谁承担");
        chinese.language = Some("zh".into());
        let rated_down = record(vec![chinese, answer(false, None)]).await;
        let down = NewFeedback {
            turn_seq: 2,
            kind: FeedbackKind::Thumbs,
            score: -1,
            reason: Some(FeedbackReason::Outdated),
            comment: None,
            actor: "key-b".into(),
        };
        store.record_feedback(&rated_down, &down).await.unwrap();
        let ids =
            |list: Vec<kefu::store::ConversationSummary>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
        let list = |filter, language| {
            let store = store.clone();
            async move { ids(store.list_conversations(filter, language, None, 50).await.unwrap()) }
        };
        let all = list(ConversationFilter::All, None).await;
        assert_eq!(all.len(), 3);
        let mut expected = vec![answered.clone(), rated_down.clone()];
        let mut got = list(ConversationFilter::Answered, None).await;
        expected.sort();
        got.sort();
        assert_eq!(got, expected);
        assert_eq!(list(ConversationFilter::Abstained, None).await, vec![abstained.clone()]);
        assert_eq!(list(ConversationFilter::Handoff, None).await, vec![abstained.clone()]);
        assert_eq!(list(ConversationFilter::ThumbsDown, None).await, vec![rated_down.clone()]);
        assert_eq!(list(ConversationFilter::All, Some("zh")).await, vec![rated_down.clone()]);
        let summary = store.list_conversations(ConversationFilter::ThumbsDown, None, None, 1).await.unwrap();
        let summary = &summary[0];
        assert_eq!(
            (summary.turns, summary.answered, summary.abstained, summary.thumbs_down),
            (2, 1, 0, 1),
            "{summary:?}"
        );
        assert_eq!(
            (summary.preview.as_deref(), summary.language.as_deref()),
            (Some("退货运费谁承担"), Some("zh"))
        );

        // Pages of one, all three conversations made to share one update time.
        execute(&backend.config, "UPDATE conversations SET updated_at = $1", 1_700_000_000_000, None).await;
        let mut seen = Vec::new();
        let mut cursor: Option<Cursor> = None;
        loop {
            let page =
                store.list_conversations(ConversationFilter::All, None, cursor.as_ref(), 1).await.unwrap();
            let Some(last) = page.last() else { break };
            cursor = Some(Cursor { updated_at_ms: last.updated_at_ms, id: last.id.clone() });
            seen.extend(ids(page));
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (3, 3), "{seen:?}");
    });
}

#[test]
fn conversations_are_browsed_by_filter_language_and_pages_on_sqlite() {
    browsing(&sqlite());
}

#[test]
fn conversations_are_browsed_by_filter_language_and_pages_on_postgres() {
    browsing(&postgres());
}

/// The order a conversation checks, and wrong proofs per order within their window.
fn order_checks(backend: &Backend) {
    use kefu::store::OrderCheck;
    block_on(async {
        let store = Store::open(&backend.config).await.unwrap();
        let id = conversation(&store, "key-o", None, 1).await;
        assert_eq!(store.order_check(&id).await.unwrap(), None);
        let pending = OrderCheck { order_no: "NW-58213".into(), verified: false };
        store.set_order_check(&id, &pending).await.unwrap();
        assert_eq!(store.order_check(&id).await.unwrap(), Some(pending));
        let proven = OrderCheck { order_no: "NW-58213".into(), verified: true };
        store.set_order_check(&id, &proven).await.unwrap();
        assert_eq!(store.order_check(&id).await.unwrap(), Some(proven));
        let hour = 3_600_000;
        assert_eq!(store.order_failures("NW-70031", hour).await.unwrap(), 0);
        for expected in 1..=3 {
            assert_eq!(store.record_order_failure("NW-70031", hour).await.unwrap(), expected);
        }
        // The same order however it is written; another order apart.
        assert_eq!(store.order_failures("nw70031", hour).await.unwrap(), 3);
        assert_eq!(store.order_failures("NW-70032", hour).await.unwrap(), 0);
        // A window that has passed starts again.
        execute(&backend.config, "UPDATE order_failures SET last_at = last_at - $1", 2 * hour, None).await;
        assert_eq!(store.order_failures("NW-70031", hour).await.unwrap(), 0);
        assert_eq!(store.record_order_failure("NW-70031", hour).await.unwrap(), 1);
        store.clear_order_failures("NW-70031").await.unwrap();
        assert_eq!(store.order_failures("NW-70031", hour).await.unwrap(), 0);
        // Deleting the conversation deletes its check.
        store.delete_conversation(&id).await.unwrap();
        assert_eq!(store.order_check(&id).await.unwrap(), None);
    });
}

#[test]
fn order_checks_and_wrong_proofs_are_kept_per_conversation_and_order_on_sqlite() {
    order_checks(&sqlite());
}

#[test]
fn order_checks_and_wrong_proofs_are_kept_per_conversation_and_order_on_postgres() {
    order_checks(&postgres());
}
