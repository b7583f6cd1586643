//! Ingestion through the CLI: reports, incremental runs, bad input, model changes.

use std::fs;
use std::path::Path;

use kefu::index::{Catalog, DataDir, Index};
use serde_json::Value;

use crate::common::{config, copy_corpus_files, ingest, json_output, kefu, kefu_ingest};

const FILES: &[&str] = &["en/policies/refunds.md", "en/faq.csv", "zh/help/trade-in.html", "zh/faq.jsonl"];

fn catalog(data: &Path) -> Catalog {
    let data_dir = DataDir::new(data);
    let generation = data_dir.current().unwrap().expect("a live generation");
    Catalog::open_read_only(&data_dir.generation(generation).join("catalog.redb")).unwrap()
}

fn assert_consistent(data: &Path) {
    let index = Index::open(&DataDir::new(data), &config(data)).unwrap();
    let consistency = index.verify().unwrap();
    assert!(consistency.problems.is_empty(), "{:?}", consistency.problems);
}

#[test]
fn the_report_counts_documents_chunks_and_embeddings() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), FILES);
    let report = ingest(&[src.path()], data.path(), &[]);
    assert_eq!(report["documents"], 4);
    assert_eq!(report["added"], 4);
    let chunks = report["chunks"].as_u64().unwrap();
    assert!(chunks > 40, "{report}");
    assert_eq!(report["embedded"].as_u64().unwrap() + report["reused"].as_u64().unwrap(), chunks);
    assert_eq!(report["skipped"], Value::Array(vec![]));
    assert!(report["seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(report["deleted"], 0);
    assert_consistent(data.path());
}

#[test]
fn re_ingesting_an_unchanged_corpus_embeds_and_writes_nothing() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), FILES);
    let first = ingest(&[src.path()], data.path(), &[]);
    let again = ingest(&[src.path()], data.path(), &["--prune"]);
    assert_eq!(again["embedded"], 0);
    assert_eq!(again["unchanged"], 4);
    assert_eq!(again["generation"], first["generation"], "no new generation");
    assert_eq!(again["chunks"], first["chunks"]);
}

#[test]
fn a_changed_document_replaces_exactly_its_chunks_and_prune_removes_gone_ones() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), FILES);
    ingest(&[src.path()], data.path(), &[]);
    let before = catalog(data.path()).chunk_ids_by_document().unwrap();

    let refunds = src.path().join("en/policies/refunds.md");
    let text = fs::read_to_string(&refunds).unwrap().replacen("3–5 business days", "2 business days", 1);
    fs::write(&refunds, text).unwrap();
    fs::remove_file(src.path().join("zh/faq.jsonl")).unwrap();

    let report = ingest(&[src.path()], data.path(), &[]);
    assert_eq!((report["changed"].as_u64(), report["deleted"].as_u64()), (Some(1), Some(0)), "{report}");
    assert_eq!(report["documents"], 4, "without --prune the gone file stays indexed");
    let after = catalog(data.path()).chunk_ids_by_document().unwrap();
    for id in ["en/faq.csv", "zh/help/trade-in.html", "zh/faq.jsonl"] {
        assert_eq!(before[id], after[id], "{id} untouched");
    }
    let (old, new) = (&before["en/policies/refunds.md"], &after["en/policies/refunds.md"]);
    assert_eq!(old.len(), new.len());
    assert_eq!(old.iter().zip(new).filter(|(a, b)| a != b).count(), 1, "only the edited chunk changed");
    assert!(report["embedded"].as_u64().unwrap() <= 1, "unchanged chunks come from the cache: {report}");

    let pruned = ingest(&[src.path()], data.path(), &["--prune"]);
    assert_eq!((pruned["deleted"].as_u64(), pruned["documents"].as_u64()), (Some(1), Some(3)));
    assert!(!catalog(data.path()).chunk_ids_by_document().unwrap().contains_key("zh/faq.jsonl"));
    assert_consistent(data.path());
}

#[test]
fn bad_files_are_skipped_with_a_reason_and_keep_their_indexed_version() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), &["en/faq.csv"]);
    fs::write(src.path().join("good.md"), "# Good\n\nFine text about gift cards.\n").unwrap();
    ingest(&[src.path()], data.path(), &[]);

    // Now break the Markdown file, and add files kefu cannot read.
    fs::write(src.path().join("good.md"), b"# Good\n\n\xff\xfe broken").unwrap();
    fs::write(src.path().join("notes.docx"), "binary").unwrap();
    fs::write(src.path().join("broken.pdf"), "%PDF-1.4 not really").unwrap();
    fs::write(src.path().join("faq2.csv"), "title,body\na,b\n").unwrap();
    fs::write(
        src.path().join("rows.jsonl"),
        "{\"question\": \"Q?\", \"answer\": \"A.\"}\n{\"question\": \"No answer?\"}\n",
    )
    .unwrap();
    let report = ingest(&[src.path()], data.path(), &["--prune"]);

    let reason = |file: &str| -> String {
        let skipped = report["skipped"].as_array().unwrap();
        let entry = skipped.iter().find(|s| s["path"].as_str().unwrap().ends_with(file));
        entry.unwrap_or_else(|| panic!("{file} not reported: {report}"))["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(reason("good.md"), "not valid UTF-8 (at byte 8)");
    assert_eq!(reason("notes.docx"), "unsupported file type (.docx)");
    assert!(reason("broken.pdf").starts_with("unreadable PDF"), "{}", reason("broken.pdf"));
    assert!(reason("faq2.csv").contains("`question` and `answer` columns"));
    assert_eq!(reason("rows.jsonl"), "line 2: empty answer, skipped");

    let docs = catalog(data.path()).chunk_ids_by_document().unwrap();
    assert!(docs.contains_key("good.md"), "the broken file keeps its previous version, even with --prune");
    assert!(docs.contains_key("rows.jsonl"), "its valid row is indexed");
    assert!(!docs.contains_key("broken.pdf"));
    assert_consistent(data.path());
}

#[test]
fn a_mistyped_path_is_an_error_and_prunes_nothing() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), &["en/policies/refunds.md"]);
    ingest(&[src.path()], data.path(), &[]);
    let output = kefu_ingest(&src.path().join("nope"), data.path()).arg("--prune").output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nope: no such file or folder"), "{stderr}");
    assert_eq!(catalog(data.path()).chunk_ids_by_document().unwrap().len(), 1);
}

#[test]
fn identical_texts_are_embedded_once() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), &["en/policies/refunds.md"]);
    fs::copy(src.path().join("en/policies/refunds.md"), src.path().join("copy.md")).unwrap();
    let report = ingest(&[src.path()], data.path(), &[]);
    let chunks = report["chunks"].as_u64().unwrap();
    assert_eq!(report["embedded"].as_u64().unwrap() * 2, chunks, "{report}");
}

#[test]
fn only_one_ingest_runs_at_a_time() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), &["en/policies/refunds.md"]);
    let _lock = DataDir::new(data.path()).lock_for_ingest().unwrap();
    let output = kefu_ingest(src.path(), data.path()).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("another `kefu ingest`"));
}

#[test]
fn changing_the_model_is_refused_unless_re_embedding() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let files = ["zh/policies/returns.md", "zh/policies/delivery.md", "zh/policies/shipping-insurance.md"];
    copy_corpus_files(src.path(), &files);
    let run = |model: &str, extra: &[&str]| {
        kefu_ingest(src.path(), data.path())
            .env("KEFU_EMBEDDING__MODEL", model)
            .arg("--json")
            .args(extra)
            .output()
            .unwrap()
    };
    let first = json_output(&run("all-minilm-l6-v2", &[]));
    let minilm = catalog(data.path()).info().unwrap().unwrap().model;
    assert!(minilm.starts_with("all-minilm-l6-v2@"), "{minilm}");
    let refused = run("multilingual-e5-small", &[]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("model_mismatch") && stderr.contains("--reembed"), "{stderr}");
    let dense_search = |model: &str| {
        kefu()
            .env("KEFU_EMBEDDING__MODEL", model)
            .args([
                "search",
                "七天无理由退货需要满足什么条件",
                "--mode",
                "dense",
                "--k",
                "1",
                "--json",
                "--data",
            ])
            .arg(data.path())
            .output()
            .unwrap()
    };
    assert!(
        String::from_utf8_lossy(&dense_search("multilingual-e5-small").stderr).contains("model_mismatch")
    );
    // Refused means untouched: the MiniLM index still serves.
    assert_eq!(catalog(data.path()).info().unwrap().unwrap().model, minilm);

    let e5 = json_output(&run("multilingual-e5-small", &["--reembed"]));
    assert_eq!((e5["added"].as_u64(), e5["reused"].as_u64()), (Some(3), Some(0)), "{e5}");
    // Every chunk embedded again; e5's tokenizer counts differently, so the chunks differ too.
    assert_eq!(e5["embedded"], e5["chunks"], "{e5}");
    assert!(catalog(data.path()).info().unwrap().unwrap().model.starts_with("multilingual-e5-small@"));
    let found = json_output(&dense_search("multilingual-e5-small"));
    assert_eq!(found["results"][0]["doc_id"], "zh/policies/returns.md", "{found}");

    // Back to MiniLM: its vectors are still in the per-model embedding cache.
    let back = json_output(&run("all-minilm-l6-v2", &["--reembed"]));
    assert_eq!((back["embedded"].as_u64(), &back["reused"]), (Some(0), &first["chunks"]), "{back}");
    assert_eq!(catalog(data.path()).info().unwrap().unwrap().model, minilm);
}

#[test]
fn a_generation_is_searched_by_one_process_at_a_time() {
    // qdrant-edge locks its shard: a second process gets a clear error, not a crash.
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), &["en/policies/refunds.md"]);
    ingest(&[src.path()], data.path(), &[]);
    let _held = Index::open(&DataDir::new(data.path()), &config(data.path())).unwrap();
    let output = kefu().args(["search", "refund", "--data"]).arg(data.path()).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[busy]") && stderr.contains("another process"), "{stderr}");
}
