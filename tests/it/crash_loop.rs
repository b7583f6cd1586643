//! Crash loops: `kefu ingest` SIGKILLed at random moments over rounds of documents being added,
//! edited and deleted, and `kefu serve` SIGKILLed while requests flow. After every round the
//! index must be consistent (`kefu status --verify`), deleted documents and replaced text must
//! never come back, and changed documents must show their new text (`kefu search --json`).
//!
//! `KEFU_CRASH_ROUNDS` sets the rounds (default 5; `make crashloop` runs 50), `KEFU_CRASH_SEED`
//! replays the moments of an earlier run (each run prints its seed).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kefu::index::{DataDir, Index};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use crate::common::{config, copy_corpus_files, ingest, json_output, kefu, kefu_ingest};
use crate::crash::{consistent_documents, crash_rng};

/// Corpus files every round starts from; they are never changed.
const BASE: &[&str] = &["en/policies/refunds.md", "en/faq.csv", "zh/policies/price-protection.md"];

/// Rounds to run: `KEFU_CRASH_ROUNDS`, else 5.
fn rounds() -> usize {
    std::env::var("KEFU_CRASH_ROUNDS").map_or(5, |n| n.parse().expect("KEFU_CRASH_ROUNDS is a number"))
}

/// The generated documents of a help center and the words they were ever written with. Each
/// version of a document carries a word of its own (`zq<doc>x<version>`), so a search for it
/// finds exactly that version.
#[derive(Default)]
struct Documents {
    next_id: usize,
    /// Document id (path under the source folder) -> its current marker word.
    current: BTreeMap<String, String>,
    /// Marker words of deleted documents and of replaced versions.
    retired: Vec<String>,
}

impl Documents {
    fn write(&self, src: &Path, id: &str, marker: &str) {
        let path = src.join(id);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, format!("# Notice {id}\n\nThe code word of this notice is {marker}.\n")).unwrap();
    }

    fn add(&mut self, src: &Path) {
        let id = format!("gen/notice-{}.md", self.next_id);
        let marker = format!("zq{}x0", self.next_id);
        self.next_id += 1;
        self.write(src, &id, &marker);
        self.current.insert(id, marker);
    }

    fn edit(&mut self, src: &Path, rng: &mut StdRng) {
        let Some(id) = self.pick(rng) else { return };
        let old = self.current[&id].clone();
        let (stem, version) = old.rsplit_once('x').unwrap();
        let marker = format!("{stem}x{}", version.parse::<u32>().unwrap() + 1);
        self.write(src, &id, &marker);
        self.retired.push(old);
        self.current.insert(id, marker);
    }

    fn delete(&mut self, src: &Path, rng: &mut StdRng) {
        let Some(id) = self.pick(rng) else { return };
        fs::remove_file(src.join(&id)).unwrap();
        self.retired.push(self.current.remove(&id).unwrap());
    }

    fn pick(&self, rng: &mut StdRng) -> Option<String> {
        let n = self.current.len();
        (n > 0).then(|| self.current.keys().nth(rng.random_range(0..n)).unwrap().clone())
    }

    /// Every document id the index should hold.
    fn ids(&self) -> BTreeSet<String> {
        BASE.iter().map(|s| s.to_string()).chain(self.current.keys().cloned()).collect()
    }

    /// A few random changes: documents added, edited and deleted.
    fn change(&mut self, src: &Path, rng: &mut StdRng) {
        for _ in 0..rng.random_range(1..=3) {
            match rng.random_range(0..4) {
                0 | 1 => self.add(src),
                2 => self.edit(src, rng),
                _ => self.delete(src, rng),
            }
        }
    }
}

/// `kefu status --verify --json` passes and reports no problem.
fn status_verifies(data: &Path, context: &str) {
    let output = kefu().args(["status", "--verify", "--json", "--data"]).arg(data).output().unwrap();
    let status = json_output(&output);
    assert_eq!(status["consistency"]["problems"], json!([]), "{context}: {status}");
}

/// `kefu search QUERY --mode bm25 --json`: (document id, snippet) of each hit.
fn search(data: &Path, query: &str) -> Vec<(String, String)> {
    let output =
        kefu().args(["search", query, "--mode", "bm25", "--k", "100", "--json", "--data"]).arg(data).output();
    let results = json_output(&output.unwrap());
    hits(&results)
}

fn hits(results: &Value) -> Vec<(String, String)> {
    let hits = results["results"].as_array().expect("results");
    hits.iter()
        .map(|h| (h["doc_id"].as_str().unwrap().into(), h["snippet"].as_str().unwrap().into()))
        .collect()
}

/// Checks one search for every current word and some retired ones: each current document is
/// found once, with its current word; no retired word is found anywhere. (Snippets show query
/// words in `<b>`.)
fn check_texts(documents: &Documents, found: &[(String, String)], context: &str) {
    let found_ids: BTreeSet<&String> = found.iter().map(|(id, _)| id).collect();
    let expected: BTreeSet<&String> = documents.current.keys().collect();
    assert_eq!(found_ids, expected, "{context}: documents found by their words");
    assert_eq!(found.len(), expected.len(), "{context}: one chunk per document: {found:?}");
    for (id, snippet) in found {
        let marker = &documents.current[id];
        assert!(snippet.contains(&format!(">{marker}<")), "{context}: {id} shows {snippet:?}, not {marker}");
    }
    for word in &documents.retired {
        assert!(
            found.iter().all(|(_, snippet)| !snippet.contains(&format!(">{word}<"))),
            "{context}: the retired word {word} came back: {found:?}"
        );
    }
}

/// The search that checks a state: current words, and the latest 30 retired ones (BM25 finds a
/// retired word anywhere in the index, so a few suffice to catch a resurrected version).
fn check_query(documents: &Documents) -> String {
    let retired = documents.retired.iter().rev().take(30);
    documents.current.values().chain(retired).cloned().collect::<Vec<_>>().join(" ")
}

/// The documents of the live generation, by id, with their content hashes.
fn live_manifest(data: &Path) -> BTreeMap<String, String> {
    consistent_documents(data);
    let index = Index::open(&DataDir::new(data), &config(data)).unwrap();
    index.catalog().sources().unwrap().into_values().map(|s| (s.doc_id, s.content_hash)).collect()
}

#[test]
fn ingest_killed_at_random_moments_never_brings_back_deleted_or_replaced_text() {
    let mut rng = crash_rng("ingest crash loop");
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (src, data) = (src.path(), data.path());
    copy_corpus_files(src, BASE);
    let mut documents = Documents::default();
    for _ in 0..4 {
        documents.add(src);
    }
    // Kill moments are drawn from the start of an ingest to a little past how long the last
    // complete one took, so that some kills land after the commit.
    let timed_ingest = || {
        let started = Instant::now();
        let report = ingest(&[src], data, &["--prune"]);
        (report, started.elapsed())
    };
    let (_, mut typical) = timed_ingest();
    let mut committed = live_manifest(data);
    let (mut killed_before_commit, mut killed_after_commit) = (0, 0);
    let rounds = rounds();
    for round in 0..rounds {
        documents.change(src, &mut rng);
        let delay = Duration::from_millis(rng.random_range(0..=typical.as_millis() as u64 * 6 / 5));
        let context = format!("round {round}, killed after {delay:?}");
        eprintln!("{context}");
        let mut child = kefu_ingest(src, data).arg("--prune").stdout(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();

        status_verifies(data, &context);
        let live = live_manifest(data);
        if live == committed {
            killed_before_commit += 1;
        } else {
            // Not the previous index: then all of the new one, never a mix.
            killed_after_commit += 1;
            assert_eq!(live.keys().cloned().collect::<BTreeSet<_>>(), documents.ids(), "{context}");
            check_texts(&documents, &search(data, &check_query(&documents)), &context);
            committed = live;
        }
        // Every other round or so the next round's changes pile up on the interrupted run.
        if rng.random_bool(0.5) || round + 1 == rounds {
            let report;
            (report, typical) = timed_ingest();
            let context = format!("{context}, then ingested: {report}");
            status_verifies(data, &context);
            committed = live_manifest(data);
            assert_eq!(committed.keys().cloned().collect::<BTreeSet<_>>(), documents.ids(), "{context}");
            check_texts(&documents, &search(data, &check_query(&documents)), &context);
        }
    }
    eprintln!(
        "{rounds} rounds: {killed_before_commit} kills left the previous index, {killed_after_commit} \
         came after the commit; {} documents, {} retired words",
        documents.current.len(),
        documents.retired.len()
    );
}

/// A `kefu serve --open` process on a free port; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(data: &Path) -> Server {
        let mut child = kefu()
            .args(["serve", "--open", "--addr", "127.0.0.1:0", "--data"])
            .arg(data)
            .env("KEFU_SERVER__RELOAD_INTERVAL_MS", "100")
            .env("KEFU_SERVER__RATE_LIMIT_BURST", "100000")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let base =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{line:?}")).to_string();
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `POST /v1/search` in BM25 mode: the status and the hits.
fn search_http(client: &reqwest::blocking::Client, base: &str, query: &str) -> reqwest::Result<(u16, Value)> {
    let response = client
        .post(format!("{base}/v1/search"))
        .json(&json!({"query": query, "k": 100, "mode": "bm25"}))
        .send()?;
    let status = response.status().as_u16();
    Ok((status, response.json()?))
}

#[test]
fn serve_killed_under_load_restarts_and_serves_the_latest_index() {
    let mut rng = crash_rng("serve crash loop");
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (src, data) = (src.path(), data.path());
    copy_corpus_files(src, BASE);
    let mut documents = Documents::default();
    documents.add(src);
    ingest(&[src], data, &["--prune"]);
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let rounds = rounds();
    let mut served = 0;
    for round in 0..rounds {
        let server = Server::start(data);
        // Requests flow from three clients: searches and answers.
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..3)
            .map(|i| {
                let (stop, base, client) = (stop.clone(), server.base.clone(), client.clone());
                std::thread::spawn(move || {
                    let (path, body) = if i == 0 {
                        ("/v1/ask", json!({"question": "How long do refunds take?"}))
                    } else {
                        ("/v1/search", json!({"query": "refund 价格保护", "k": 5}))
                    };
                    let mut statuses = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        match client.post(format!("{base}{path}")).json(&body).send() {
                            Ok(response) => statuses.push(response.status().as_u16()),
                            // The server was killed.
                            Err(_) => break,
                        }
                    }
                    statuses
                })
            })
            .collect();
        // Meanwhile the help center changes and is ingested: the server reloads under load.
        documents.change(src, &mut rng);
        ingest(&[src], data, &["--prune"]);
        let delay = Duration::from_millis(rng.random_range(0..=1_500));
        let context = format!("round {round}, serve killed {delay:?} after the ingest");
        eprintln!("{context}");
        std::thread::sleep(delay);
        drop(server);
        stop.store(true, Ordering::Relaxed);
        for client in clients {
            let statuses = client.join().unwrap();
            served += statuses.len();
            assert!(statuses.iter().all(|s| *s == 200), "{context}: statuses {statuses:?}");
        }

        status_verifies(data, &context);
        let server = Server::start(data);
        let (status, results) = search_http(&client, &server.base, &check_query(&documents)).unwrap();
        assert_eq!(status, 200, "{context}: {results}");
        check_texts(&documents, &hits(&results), &format!("{context}, restarted"));
    }
    eprintln!("{rounds} rounds, {served} requests answered before the kills");
}
