//! SIGKILL during ingestion, at every point between writes and at random moments: the live
//! index must stay complete and consistent, and the next run must reach the intended state with
//! no duplicate and no orphan chunk in any store.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kefu::index::{DataDir, Index};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::{config, copy_corpus_files, corpus, ingest, kefu_ingest};

/// Every failpoint of an ingest, in the order they are passed.
const FAILPOINTS: &[&str] = &[
    "ingest.after_embedding_batch",
    "ingest.after_embedding",
    "ingest.after_removals",
    "ingest.after_additions",
    "commit.before_text",
    "commit.before_vectors",
    "commit.before_catalog",
    "commit.before_publish",
];

/// A random number generator for choosing crash moments, seeded from `KEFU_CRASH_SEED` or the
/// clock, so that each run explores new moments and a failing one can be replayed. The seed is
/// printed (shown with the output of a failing test).
pub fn crash_rng(test: &str) -> StdRng {
    let seed = match std::env::var("KEFU_CRASH_SEED") {
        Ok(seed) => seed.parse().expect("KEFU_CRASH_SEED is a number"),
        Err(_) => SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64,
    };
    eprintln!("{test}: crash seed {seed} (replay with KEFU_CRASH_SEED={seed})");
    StdRng::seed_from_u64(seed)
}

/// Indexed documents, after checking that every store agrees with the manifest.
pub fn consistent_documents(data: &Path) -> BTreeSet<String> {
    let index = Index::open(&DataDir::new(data), &config(data)).unwrap();
    let consistency = index.verify().unwrap();
    assert!(consistency.problems.is_empty(), "{:?}", consistency.problems);
    index.catalog().chunk_ids_by_document().unwrap().into_keys().collect()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn sigkill_at_every_write_point_leaves_a_repairable_index() {
    let (template_src, template_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(
        template_src.path(),
        &["en/policies/refunds.md", "en/faq.csv", "zh/policies/price-protection.md"],
    );
    ingest(&[template_src.path()], template_data.path(), &[]);
    let before = consistent_documents(template_data.path());

    for failpoint in FAILPOINTS {
        let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        copy_dir(template_src.path(), src.path());
        copy_dir(template_data.path(), data.path());
        // One document changed, one added, one removed.
        let refunds = src.path().join("en/policies/refunds.md");
        fs::write(
            &refunds,
            fs::read_to_string(&refunds).unwrap() + "\n## Crash test\n\nZanzibar refunds take nine days.\n",
        )
        .unwrap();
        copy_corpus_files(src.path(), &["zh/help/trade-in.html"]);
        fs::remove_file(src.path().join("en/faq.csv")).unwrap();

        let killed = kefu_ingest(src.path(), data.path())
            .env("KEFU_FAILPOINT", failpoint)
            .arg("--prune")
            .output()
            .unwrap();
        assert_eq!(
            killed.status.signal(),
            Some(9),
            "{failpoint}: {}",
            String::from_utf8_lossy(&killed.stderr)
        );
        assert_eq!(
            consistent_documents(data.path()),
            before,
            "{failpoint}: the live index is the previous one"
        );

        let report = ingest(&[src.path()], data.path(), &["--prune"]);
        assert_eq!(report["deleted"], 1, "{failpoint}: {report}");
        let after = consistent_documents(data.path());
        let expected: BTreeSet<String> =
            ["en/policies/refunds.md", "zh/help/trade-in.html", "zh/policies/price-protection.md"]
                .map(String::from)
                .into();
        assert_eq!(after, expected, "{failpoint}");
        let hits = crate::common::top_docs(
            &crate::common::open_retriever(data.path()),
            "Zanzibar nine days",
            1,
            kefu::retrieve::Mode::Bm25,
            Default::default(),
        );
        assert_eq!(hits, ["en/policies/refunds.md"], "{failpoint}: the change is indexed");
        let generations = fs::read_dir(data.path().join("generations")).unwrap().count();
        assert_eq!(generations, 1, "{failpoint}: partial generations are cleaned up");
    }
}

#[test]
fn sigkill_at_random_moments_of_a_full_ingest_leaves_a_repairable_index() {
    let data = tempfile::tempdir().unwrap();
    // Killed once the first batch of embeddings is cached: the next run must reuse them.
    let killed = kefu_ingest(&corpus(), data.path())
        .env("KEFU_FAILPOINT", "ingest.after_embedding_batch")
        .output()
        .unwrap();
    assert_eq!(killed.status.signal(), Some(9), "{}", String::from_utf8_lossy(&killed.stderr));
    // Moments from the start (loading the model) to well into embedding and committing.
    let mut rng = crash_rng("sigkill_at_random_moments_of_a_full_ingest");
    for _ in 0..3 {
        let delay_ms = rng.random_range(0..8_000);
        eprintln!("killing `kefu ingest` after {delay_ms} ms");
        let mut child = kefu_ingest(&corpus(), data.path()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        if DataDir::new(data.path()).current().unwrap().is_some() {
            consistent_documents(data.path());
        }
    }
    let report = ingest(&[&corpus()], data.path(), &[]);
    let documents = consistent_documents(data.path());
    assert_eq!(documents.len() as u64, report["documents"].as_u64().unwrap());
    assert!(documents.len() >= 44);
    assert!(
        report["embedded"].as_u64().unwrap() < report["chunks"].as_u64().unwrap(),
        "embeddings computed before a kill are reused: {report}"
    );
}
