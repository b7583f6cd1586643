//! Privacy: personal data in customers' messages replaced by placeholders before anything is
//! stored, logged, searched with or put in an LLM prompt (docs/privacy.md).
//!
//! ```text
//! message -> redact (e-mail, phone, ID number, bank card, address) -> "[email]", "[phone]", …
//!         -> without_placeholders -> what understanding and retrieval read
//! ```
//!
//! Pure functions, linear in the text (the `regex` crate's automata, no backtracking).

pub mod redact;

pub use redact::{Found, Kind, Redacted, Redactor, without_placeholders};
