//! End-to-end tests on the real components: the all-MiniLM-L6-v2 and multilingual-e5-small
//! models on ONNX Runtime (installed by `make setup`), qdrant-edge, tantivy, and the sample help
//! center in `corpus/`.
//! One test binary, so that the corpus is embedded and indexed once for all search tests.

mod chunking;
mod common;
mod console;
mod conversations;
mod crash;
mod crash_loop;
mod curated;
mod eval;
mod frustration;
mod handoff;
mod hostile;
mod ingest;
mod insights;
mod loading;
mod messages;
mod models;
mod orders;
mod postgres;
mod privacy;
#[cfg(feature = "qdrant-server")]
mod qdrant_server;
mod recommend;
mod safety;
mod search;
mod serve;
mod store;
mod store_crash;
