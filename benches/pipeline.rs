//! Embedding and search benchmarks over an ingested data folder (run by `scripts/bench.sh`).
//!
//! Measures, in this process with the model loaded and jieba warmed up:
//! - raw embedding throughput over the index's own chunks (the ceiling of ingestion speed);
//! - query embedding latency alone;
//! - search latency per mode over 200 customer questions (the labelled sets in `eval/sets`).
//!
//! Usage: `KEFU_BENCH_DATA=DIR cargo bench --bench pipeline` (prints one JSON object).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use kefu::Config;
use kefu::embed::Embedder;
use kefu::index::{DataDir, Index, SearchFilter};
use kefu::retrieve::{Mode, Retriever, SearchRequest};
use serde_json::{Value, json};

const QUERIES: usize = 200;

fn main() {
    let data = PathBuf::from(
        std::env::var("KEFU_BENCH_DATA").expect("set KEFU_BENCH_DATA to an ingested data folder"),
    );
    let mut config = Config::load(None).expect("configuration");
    config.data_dir = data.clone();
    let embedder = Arc::new(Embedder::load(&config).expect("model (run `make setup`)"));
    let index = Index::open(&DataDir::new(&data), &config).expect("index");

    let chunk_ids: Vec<String> = index.catalog().chunk_ids().expect("chunk ids");
    let texts: Vec<String> = index
        .catalog()
        .chunks(&chunk_ids)
        .expect("chunks")
        .into_iter()
        .flatten()
        .map(|r| r.chunk.indexed_text())
        .collect();
    let started = Instant::now();
    embedder.embed_passages(&texts, |_| {}).expect("embedding");
    let embed_seconds = started.elapsed().as_secs_f64();

    let questions = questions();
    let query_embedding: Vec<f64> = questions
        .iter()
        .map(|(_, q)| {
            let t = Instant::now();
            embedder.embed_query(q).expect("query embedding");
            ms(t)
        })
        .collect();

    kefu::analysis::warm_up();
    let retriever = Retriever::new(index, embedder, config.search.clone(), &data).expect("retriever");
    let mut modes = serde_json::Map::new();
    for (name, mode) in [("bm25", Mode::Bm25), ("dense", Mode::Dense), ("hybrid", Mode::Hybrid)] {
        let latencies: Vec<(String, f64)> = questions
            .iter()
            .map(|(locale, q)| {
                let request =
                    SearchRequest { query: q.clone(), k: 10, mode, filter: SearchFilter::default() };
                let t = Instant::now();
                retriever.search(&request).expect("search");
                (locale.clone(), ms(t))
            })
            .collect();
        let of = |locale: &str| latencies.iter().filter(|(l, _)| l == locale).map(|(_, t)| *t).collect();
        let mut entry = summary(latencies.iter().map(|(_, t)| *t).collect());
        entry["en"] = summary(of("en"));
        entry["zh"] = summary(of("zh"));
        modes.insert(name.into(), entry);
    }
    let report = json!({
        "chunks": texts.len(),
        "raw_embedding": {"seconds": embed_seconds, "chunks_per_second": texts.len() as f64 / embed_seconds},
        "query_embedding_ms": summary(query_embedding),
        "search_ms": Value::Object(modes),
        "queries": questions.len(),
    });
    println!("{report}");
}

/// 200 customer questions (locale, text): the labelled sets for the sample corpus, repeated as
/// needed.
fn questions() -> Vec<(String, String)> {
    let sets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("eval/sets");
    let mut questions = Vec::new();
    for file in ["corpus_en.jsonl", "corpus_zh.jsonl"] {
        let text = std::fs::read_to_string(sets.join(file)).expect("eval/sets");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let value: Value = serde_json::from_str(line).expect("JSON line");
            let text = value["question"].as_str().expect("question").to_string();
            questions.push((value["locale"].as_str().unwrap_or("en").to_string(), text));
        }
    }
    questions.iter().cycle().take(QUERIES).cloned().collect()
}

fn summary(mut values: Vec<f64>) -> Value {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    json!({"p50": at(0.5), "p99": at(0.99), "mean": values.iter().sum::<f64>() / values.len() as f64})
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
