//! kefu (客服): a retrieval-augmented FAQ engine for help centers.
//!
//! The data flow, one module per stage:
//!
//! ```text
//! files --kefu_ingest--> documents -> chunks --embed--> vectors
//!                                         \                \
//!                                          index: catalog + BM25 (tantivy) + vectors (qdrant)
//!                                                          |
//!        message --understand--> questions --retrieve--> hybrid results (BM25 + dense, fused)
//!                                                          |
//!                                     --answer--> grounded answer with citations, or abstain
//!                                                          |
//!                                     --store--> conversation and turns (SQLite or PostgreSQL)
//!                                                          |
//!                                  --helpdesk--> ticket for a person, webhook, agent's reply
//!                                                          |
//!                                  --insights--> figures, topics, knowledge gaps, content health
//!                                                          |
//!                                                  serve: HTTP API (axum)
//! ```
//!
//! - [`kefu_ingest`] (its own crate): loaders, cleaning, chunking, change detection; no I/O
//!   beyond reading the sources.
//! - [`embed`]: the embedding model (fastembed on ONNX Runtime) and the embedding cache.
//! - [`index`]: the stores of one index generation, and the data folder that makes ingestion
//!   atomic.
//! - [`indexer`]: an ingest run, from paths to a published generation.
//! - [`retrieve`]: search and rank fusion.
//! - [`understand`]: a shopper's message read into questions: normalised, pinyin and typos
//!   read as the help center's words, chatter dropped, multi-part messages split.
//! - [`answer`]: confidence, abstention, handoff, extractive and LLM answers, citation checks,
//!   follow-up questions.
//! - [`privacy`]: personal data (e-mail, phone, ID and card numbers, addresses) replaced by
//!   placeholders before a message is searched, stored, logged or sent anywhere.
//! - [`store`]: conversations and their turns, tickets and the webhook outbox, in SQLite or
//!   PostgreSQL.
//! - [`orders`]: a shopper's own order from the shop's system, after they proved it theirs.
//! - [`helpdesk`]: handoffs that reach a person: the ticket's states, business hours, webhook
//!   signatures, what the customer may be promised.
//! - [`insights`]: what customers ask and where the help center fails them: figures, topics
//!   (questions grouped by meaning), knowledge gaps, content health, the HTML report.
//! - [`serve`]: the HTTP service: routes, API keys, rate limits, metrics, live index reloads.
//! - [`analysis`]: the tokenizer of the BM25 index, for English and Chinese.
//! - [`config`], [`error`]: layered configuration; the one error type. [`stats`]: percentiles.
#![warn(missing_docs)]

pub mod analysis;
pub mod answer;
pub mod cli;
pub mod config;
pub mod embed;
pub mod error;
pub mod eval;
pub mod failpoint;
pub mod helpdesk;
pub mod index;
pub mod indexer;
pub mod insights;
pub mod orders;
pub mod privacy;
pub mod progress;
pub mod recommend;
pub mod retrieve;
pub mod serve;
pub mod stats;
pub mod store;
pub mod understand;

#[cfg(test)]
mod properties;

pub use config::Config;
pub use error::{Error, Result};
