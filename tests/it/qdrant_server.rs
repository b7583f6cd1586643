//! The `qdrant` vector-store backend against a real Qdrant server, named by `QDRANT_URL` (its gRPC
//! endpoint, e.g. `http://localhost:6334`). No server can be installed from the package
//! registries, so the test is ignored in the default run rather than passing untested:
//! `make test-qdrant QDRANT_URL=...` runs it, and fails when the variable is missing.

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Command;

use kefu::config::VectorBackend;
use kefu::index::{DataDir, Index, VectorLocation};
use kefu::retrieve::Mode;

use crate::common::{config, copy_corpus_files, embedder, json_output, kefu_ingest, top_docs};

fn server() -> String {
    std::env::var("QDRANT_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .expect("set QDRANT_URL to a Qdrant server's gRPC URL to test the `qdrant` backend")
}

fn with_server<'a>(command: &'a mut Command, url: &str) -> &'a mut Command {
    command
        .env("KEFU_VECTOR_STORE__BACKEND", "qdrant")
        .env("KEFU_VECTOR_STORE__URL", url)
        .env("KEFU_VECTOR_STORE__COLLECTION_PREFIX", "kefutest")
}

fn index(data: &Path, url: &str) -> Index {
    let mut config = config(data);
    config.vector_store.backend = VectorBackend::Qdrant;
    config.vector_store.url = Some(url.to_string());
    Index::open(&DataDir::new(data), &config).unwrap()
}

#[test]
#[ignore = "needs a Qdrant server: run `make test-qdrant QDRANT_URL=http://HOST:6334`"]
fn ingest_search_update_and_recover_through_a_qdrant_server() {
    let url = server();
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_corpus_files(src.path(), &["en/policies/refunds.md", "en/faq.csv", "zh/help/trade-in.html"]);
    let ingest = |extra: &[&str]| {
        let mut command = kefu_ingest(src.path(), data.path());
        with_server(&mut command, &url).arg("--json").args(extra).output().unwrap()
    };
    let first = json_output(&ingest(&[]));
    assert_eq!(first["documents"], 3);

    let index_now = index(data.path(), &url);
    let VectorLocation::Qdrant { collection } = index_now.info().vectors.clone() else {
        panic!("edge store used")
    };
    assert!(collection.starts_with("kefutest_"), "{collection}");
    assert!(index_now.verify().unwrap().problems.is_empty());
    let retriever =
        kefu::retrieve::Retriever::new(index_now, embedder(), config(data.path()).search, data.path())
            .unwrap();
    let top = top_docs(&retriever, "how long does a paypal refund take", 3, Mode::Dense, Default::default());
    assert!(top.contains(&"en/policies/refunds.md".to_string()), "{top:?}");
    drop(retriever);

    // An interrupted ingest leaves a collection behind; the next run removes it.
    let refunds = src.path().join("en/policies/refunds.md");
    fs::write(&refunds, fs::read_to_string(&refunds).unwrap() + "\n## Extra\n\nQuokka refunds.\n").unwrap();
    let mut killed = kefu_ingest(src.path(), data.path());
    with_server(&mut killed, &url).env("KEFU_FAILPOINT", "commit.before_publish");
    let killed = killed.output().unwrap();
    assert_eq!(killed.status.signal(), Some(9));
    let report = json_output(&ingest(&["--prune"]));
    assert_eq!(report["changed"], 1);

    let index_after = index(data.path(), &url);
    let VectorLocation::Qdrant { collection: after } = &index_after.info().vectors else { panic!() };
    assert_ne!(*after, collection);
    let consistency = index_after.verify().unwrap();
    assert!(consistency.problems.is_empty(), "{:?}", consistency.problems);
    assert_eq!(consistency.vector_points, consistency.chunks);

    // Only the live generation's collection is left on the server.
    let prefix = &after[..after.len() - 8];
    let client = qdrant_client::Qdrant::from_url(&url).skip_compatibility_check().build().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let collections = runtime.block_on(client.list_collections()).unwrap().collections;
    let ours: Vec<String> =
        collections.into_iter().map(|c| c.name).filter(|n| n.starts_with(prefix)).collect();
    assert_eq!(ours, std::slice::from_ref(after));
}
