//! Turning a help center's files into chunks, with no embedding and no index I/O.
//!
//! The data flow of this crate:
//!
//! ```text
//! discover (paths -> SourceFile) -> load (bytes -> Document) -> chunk (Document -> Chunk)
//!                                                   changes (manifest diff: what to redo)
//! ```
//!
//! Everything here is deterministic and free of side effects apart from reading the source files
//! in [`discover`], so that loaders and the chunker can be tested and fuzzed directly. The `kefu`
//! crate embeds the chunks and writes the indexes.
#![warn(missing_docs)]

pub mod changes;
pub mod chunk;
pub mod discover;
pub mod document;
mod error;
pub mod load;
pub mod locale;
pub mod product;
pub mod quotable;

pub use changes::{ChangePlan, content_hash, plan_changes};
pub use chunk::{Chunk, Chunker, ChunkerConfig};
pub use discover::{
    MAX_ID_BYTES, ReadError, Skipped, SourceFile, UnreadableRoot, check_id, discover, read_source,
};
pub use document::{Document, Format, Metadata, Section};
pub use error::{Error, Result};
pub use load::{Loaded, load, load_record};
