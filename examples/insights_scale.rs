//! Insights over a large store: generates TURNS turns (default 1,000,000) into a fresh SQLite
//! store beside a copy of an ingested index, then times `insights::gather` over all of them
//! five times: the first run embeds and places every distinct question and keeps the settled
//! days' exchanges, the others find them all placed and kept (what a daily run costs), and
//! prints the peak memory.
//!
//! ```sh
//! kefu ingest corpus --data /tmp/kefu-corpus
//! cargo run --release --example insights_scale -- /tmp/kefu-corpus [TURNS]
//! ```
//!
//! Questions are drawn from eval/sets (questions and paraphrases), each in four wordings; half
//! the conversations ask two questions. One answer in five abstains, one in ten is rated.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use kefu::Config;
use kefu::embed::Embedder;
use kefu::insights::{self, Period};
use kefu::retrieve::Retriever;
use kefu::store::Store;
use sqlx::Connection;

const DAY_MS: i64 = 86_400_000;
/// Days the turns are spread over (the period covers them all).
const DAYS: i64 = 28;
/// Turns per `INSERT`.
const BATCH: usize = 1_000;

fn questions() -> Vec<String> {
    let sets = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/sets");
    let mut texts = Vec::new();
    for file in
        ["corpus_en.jsonl", "corpus_zh.jsonl", "curated.jsonl", "messages_en.jsonl", "messages_zh.jsonl"]
    {
        let text = std::fs::read_to_string(sets.join(file)).expect("eval/sets is readable");
        for line in text.lines() {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            texts.extend(value["question"].as_str().map(String::from));
            if let Some(paraphrases) = value["paraphrases"].as_array() {
                texts.extend(paraphrases.iter().filter_map(|p| p.as_str().map(String::from)));
            }
        }
    }
    let wordings = ["", " thanks", " pls help", " 谢谢"];
    texts.iter().flat_map(|t| wordings.iter().map(move |w| format!("{t}{w}"))).collect()
}

/// `rows` groups of `columns` placeholders, each group starting with the constant SQL `fixed`.
fn values(rows: usize, columns: usize, fixed: &str) -> String {
    let group = |r: usize| {
        let marks: Vec<String> = (1..=columns).map(|c| format!("${}", r * columns + c)).collect();
        format!("({fixed}{})", marks.join(", "))
    };
    (0..rows).map(group).collect::<Vec<_>>().join(", ")
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("the data folder is readable") {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

#[tokio::main]
async fn main() -> kefu::Result<()> {
    let mut args = std::env::args().skip(1);
    let data = args.next().expect("usage: insights_scale DATA [TURNS]");
    let turns: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().map_err(kefu::Error::io("temporary folder"))?;
    copy_dir(Path::new(&data), dir.path());
    let mut config = Config::load(None)?;
    config.data_dir = dir.path().to_path_buf();
    Store::open(&config).await?.close().await;

    let pool = questions();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let started = Instant::now();
    let url = format!("sqlite://{}", dir.path().join("kefu.db").display());
    let mut db =
        sqlx::SqliteConnection::connect(&url).await.map_err(|e| kefu::Error::Store(e.to_string()))?;
    let mut written = 0;
    let mut conversation = 0usize;
    let failed = |e: sqlx::Error| kefu::Error::Store(e.to_string());
    let mut tx = db.begin().await.map_err(failed)?;
    while written < turns {
        let mut rows: Vec<(String, i64, &str, String, bool, i64)> = Vec::with_capacity(BATCH);
        let mut conversations = Vec::new();
        while rows.len() < BATCH && written + rows.len() < turns {
            let id = format!("c{conversation:09}");
            let at = now - 1 - (conversation as i64 * 7_919 % (DAYS * DAY_MS));
            let asks = 1 + conversation % 2;
            for n in 0..asks {
                let question = &pool[(conversation * 31 + n * 7) % pool.len()];
                let abstained = (conversation + n).is_multiple_of(5);
                rows.push((id.clone(), 2 * n as i64 + 1, "customer", question.clone(), false, at));
                rows.push((id.clone(), 2 * n as i64 + 2, "bot", "An answer. [1]".into(), abstained, at));
            }
            conversations.push((id, 2 * asks as i64, at));
            conversation += 1;
        }
        let sql = format!(
            "INSERT INTO conversations (owner_key, channel, id, last_seq, created_at, updated_at) VALUES {}",
            values(conversations.len(), 4, "'k', 'web', ")
        );
        let mut insert = sqlx::query(&sql);
        for (id, last_seq, at) in &conversations {
            insert = insert.bind(id).bind(last_seq).bind(at).bind(at);
        }
        insert.execute(&mut *tx).await.map_err(failed)?;
        let sql = format!(
            "INSERT INTO turns (channel, conversation_id, seq, role, text, citations, abstained, language, total_ms, \
             created_at) VALUES {}",
            values(rows.len(), 9, "'web', ")
        );
        let mut insert = sqlx::query(&sql);
        for (id, seq, role, text, abstained, at) in &rows {
            let bot = *role == "bot";
            let citations = r#"[{"n":1,"chunk_id":"x","doc_id":"en/policies/returns.md","span":[0,10]}]"#;
            insert = insert
                .bind(id)
                .bind(seq)
                .bind(*role)
                .bind(text)
                .bind(bot.then_some(citations))
                .bind(bot.then_some(*abstained))
                .bind(if text.is_ascii() { "en" } else { "zh" })
                .bind(bot.then_some(40.0))
                .bind(at);
        }
        insert.execute(&mut *tx).await.map_err(failed)?;
        written += rows.len();
        if conversation % (100 * BATCH) < conversations.len() {
            tx.commit().await.map_err(failed)?;
            tx = db.begin().await.map_err(failed)?;
        }
    }
    tx.commit().await.map_err(failed)?;
    db.close().await.map_err(|e| kefu::Error::Store(e.to_string()))?;
    println!(
        "{written} turns in {conversation} conversations written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let store = Store::open(&config).await?;
    let retriever = Arc::new(Retriever::open(&config, Arc::new(Embedder::load(&config)?))?);
    println!("peak RSS with the model and the index loaded, before any run: {:.0} MiB", peak_rss_mib());
    let period = Period::new(now - DAYS * DAY_MS - DAY_MS, now + 1, 0)?;
    for run in ["first run", "second run", "third run", "fourth run", "fifth run"] {
        let started = Instant::now();
        let found = insights::gather(&config, &store, retriever.clone(), period).await?;
        let r = &found.run;
        println!(
            "{run}: {:.2} s — {} questions read, {} questions, {} distinct, {} placed now, {} topics; read {:.0} ms, topics {:.0} ms, content {:.0} ms; peak RSS {:.0} MiB",
            started.elapsed().as_secs_f64(),
            r.questions_read,
            found.figures.questions,
            r.distinct_questions,
            r.newly_placed,
            found.topic_count,
            r.read_ms,
            r.topics_ms,
            r.content_ms,
            peak_rss_mib()
        );
    }
    let kept: (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(LENGTH(exchanges)), 0) AS INTEGER) FROM insight_days",
    )
    .fetch_one(&mut sqlx::SqliteConnection::connect(&url).await.map_err(failed)?)
    .await
    .map_err(failed)?;
    let file = std::fs::metadata(dir.path().join("kefu.db")).map(|m| m.len()).unwrap_or(0);
    println!(
        "kept days: {} of {:.1} MiB in all; the store file: {:.1} MiB",
        kept.0,
        kept.1 as f64 / 1048576.0,
        file as f64 / 1048576.0
    );
    Ok(())
}
