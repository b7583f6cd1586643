//! Splitting documents into chunks measured in the embedding model's own tokens.
//!
//! Chunks never cross a section, and each carries its breadcrumb (document title, then the
//! section's headings). The breadcrumb is part of the text that is embedded and indexed, so the
//! token budget of a chunk's body is what the breadcrumb leaves of the model's window.

use std::path::Path;

use serde::{Deserialize, Serialize};
use text_splitter::{ChunkConfig, TextSplitter};
use tokenizers::Tokenizer;

use crate::document::Document;
use crate::quotable::{self, Quotable};
use crate::{Error, Result};

/// Separator between breadcrumb elements.
pub const BREADCRUMB_SEPARATOR: &str = " › ";

/// A body gets at least this many tokens however long its breadcrumb is (the embedder then
/// truncates the end of an over-long chunk rather than the chunker producing slivers).
const MIN_BODY_TOKENS: usize = 32;

/// The chunker hands text-splitter at most this many bytes at a time. text-splitter's time grows
/// with the square of its longest unit at any level (a paragraph with no sentence end, a
/// sentence with no space: 1 MB took 99 s and 270 s here), so a section is first cut into windows
/// of this size at the best boundary near the window's end, which makes chunking linear.
/// A window holds a dozen chunks or more, so cutting there moves few chunk boundaries, and the
/// sections of ordinary help-center pages are shorter than one window.
pub const WINDOW_BYTES: usize = 16 * 1024;

/// Slack for tokenizers that are not exactly additive across the breadcrumb/body boundary.
const BOUNDARY_SLACK: usize = 2;

/// How to cut chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkerConfig {
    /// Tokens of a chunk's embedded text (breadcrumb line plus body), special tokens and model
    /// prefixes excluded: a 256-token model with `[CLS]`/`[SEP]` allows 254.
    pub max_tokens: usize,
}

/// One retrievable piece of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    /// Stable id derived from the document id and the chunk's content: a UUID, since that is
    /// what vector stores accept as point ids.
    pub id: String,
    /// The document it comes from.
    pub doc_id: String,
    /// Position among the document's chunks, from 0.
    pub ordinal: u32,
    /// Document title, then headings (for a FAQ pair: title, then the question).
    pub breadcrumb: Vec<String>,
    /// The chunk's body: exactly `document.text` at `span`.
    pub text: String,
    /// Character (Unicode scalar value) offsets of `text` in the document text, end exclusive.
    pub span: (usize, usize),
    /// For a FAQ pair, its question.
    pub question: Option<String>,
    /// The document's tags plus the section's own.
    pub tags: Vec<String>,
    /// For a chunk that starts inside a table (a long table cut in two), the table's header line,
    /// which is in an earlier chunk: its rows are read with it ([`Chunk::quotables`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_header: Option<String>,
}

impl Chunk {
    /// The breadcrumb as one line, `Title › Section › Subsection`.
    pub fn breadcrumb_line(&self) -> String {
        self.breadcrumb.join(BREADCRUMB_SEPARATOR)
    }

    /// What is embedded and indexed: the breadcrumb line, then the body.
    pub fn indexed_text(&self) -> String {
        format!("{}\n{}", self.breadcrumb_line(), self.text)
    }

    /// Its sentences and table rows ([`crate::quotable`]), the rows of a table begun in an earlier
    /// chunk read with that table's header.
    pub fn quotables(&self) -> Vec<Quotable> {
        quotable::quotables_under(self.table_header.as_deref(), &self.text)
    }

    /// One of its quotables (a sentence or table row, [`crate::quotable`]) read under the
    /// chunk's headings, as it is embedded besides itself: "PayPal authorisations are released
    /// immediately." says when money is back only under "Cancelling an order › When do I get my
    /// money back?". The quotable as it is when the chunk has no headings.
    pub fn quotable_in_context(&self, quotable: &str) -> String {
        if self.breadcrumb.is_empty() {
            quotable.to_string()
        } else {
            format!("{}: {quotable}", self.breadcrumb_line())
        }
    }
}

/// Cuts documents into chunks with a Hugging Face tokenizer as the measure.
pub struct Chunker {
    tokenizer: Tokenizer,
    config: ChunkerConfig,
}

impl Chunker {
    /// A chunker measuring with the tokenizer in `tokenizer.json`. Its padding and truncation are
    /// switched off: left on, every text would count as the padded/truncated length.
    pub fn from_file(tokenizer_json: &Path, config: ChunkerConfig) -> Result<Self> {
        let tokenizer = Tokenizer::from_file(tokenizer_json)
            .map_err(|e| Error::Tokenizer { path: tokenizer_json.into(), message: e.to_string() })?;
        Ok(Chunker::new(tokenizer, config))
    }

    /// A chunker measuring with `tokenizer` (padding and truncation switched off).
    pub fn new(mut tokenizer: Tokenizer, config: ChunkerConfig) -> Self {
        tokenizer.with_padding(None);
        // Removing truncation cannot fail; only setting invalid parameters can.
        let _ = tokenizer.with_truncation(None);
        Chunker { tokenizer, config }
    }

    /// Number of tokens of `text`, special tokens excluded.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer.encode_fast(text, false).map(|e| e.len()).unwrap_or(usize::MAX)
    }

    /// The configuration.
    pub fn config(&self) -> ChunkerConfig {
        self.config
    }

    /// Cuts a document into chunks, in document order.
    pub fn chunk(&self, doc: &Document) -> Vec<Chunk> {
        let mut chunks = Vec::new();
        let mut seen = std::collections::HashMap::new();
        let mut cursor = CharCursor::default();
        for section in &doc.sections {
            let mut breadcrumb = vec![doc.meta.title.clone()];
            breadcrumb.extend(section.headings.iter().cloned());
            let header_tokens = self.count_tokens(&breadcrumb.join(BREADCRUMB_SEPARATOR)) + 1;
            let budget =
                self.config.max_tokens.saturating_sub(header_tokens + BOUNDARY_SLACK).max(MIN_BODY_TOKENS);
            let mut tags = doc.meta.tags.clone();
            for tag in &section.tags {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
            let splitter = TextSplitter::new(ChunkConfig::new(budget).with_sizer(&self.tokenizer));
            let body = &doc.text[section.body.clone()];
            let pieces = windows(body, WINDOW_BYTES).flat_map(|(window_start, window)| {
                splitter.chunk_indices(window).map(move |(offset, text)| (window_start + offset, text))
            });
            for (offset, text) in pieces {
                let start = section.body.start + offset;
                let span =
                    (cursor.chars_at(&doc.text, start), cursor.chars_at(&doc.text, start + text.len()));
                let occurrence = seen.entry((breadcrumb.clone(), text)).or_insert(0u32);
                let id = chunk_id(&doc.id, &breadcrumb, text, *occurrence);
                *occurrence += 1;
                chunks.push(Chunk {
                    id,
                    doc_id: doc.id.clone(),
                    ordinal: chunks.len() as u32,
                    breadcrumb: breadcrumb.clone(),
                    text: text.to_string(),
                    span,
                    question: section.question.clone(),
                    tags: tags.clone(),
                    table_header: table_header_before(body, offset, text),
                });
            }
        }
        chunks
    }
}

/// The header line of the table `text` (at byte `start` of `body`) begins inside, when its first
/// line is a table row and the lines just before it are the table's first ones.
fn table_header_before(body: &str, start: usize, text: &str) -> Option<String> {
    quotable::table_cells(text.lines().next()?)?;
    body[..start]
        .trim_end()
        .lines()
        .rev()
        .take_while(|line| quotable::table_cells(line).is_some())
        .last()
        .map(|header| header.trim().to_string())
}

/// Cuts `text` into consecutive windows of at most `max_bytes` bytes (with their byte offsets)
/// that cover it exactly. A window ends at the last line break in its second half, else the last
/// sentence end (`. `, `。`, `！`, `？`...), else the last whitespace, else the last character
/// boundary.
pub fn windows(text: &str, max_bytes: usize) -> impl Iterator<Item = (usize, &str)> {
    let max_bytes = max_bytes.max(8);
    let mut start = 0;
    std::iter::from_fn(move || {
        let rest = &text[start..];
        if rest.is_empty() {
            return None;
        }
        let len = if rest.len() <= max_bytes { rest.len() } else { window_end(rest, max_bytes) };
        let window = (start, &rest[..len]);
        start += len;
        Some(window)
    })
}

/// Where the first window of `text` (longer than `max_bytes`) ends: see [`windows`].
fn window_end(text: &str, max_bytes: usize) -> usize {
    let mut limit = max_bytes;
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let head = &text[..limit];
    let half = limit / 2;
    let after = |i: usize, c: char| i + c.len_utf8();
    let last = |found: Option<(usize, char)>| found.map(|(i, c)| after(i, c)).filter(|&end| end > half);
    let sentence_end = |(i, c): &(usize, char)| {
        matches!(c, '。' | '！' | '？' | '；' | '!' | '?')
            || (*c == '.' && head[i + 1..].starts_with(char::is_whitespace))
    };
    last(head.char_indices().rev().find(|&(_, c)| c == '\n'))
        .or_else(|| last(head.char_indices().rev().find(sentence_end)))
        .or_else(|| last(head.char_indices().rev().find(|&(_, c)| c.is_whitespace())))
        .unwrap_or(limit)
}

/// Converts increasing byte offsets to character offsets in one pass over the text.
#[derive(Default)]
struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    fn chars_at(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            *self = CharCursor::default();
        }
        self.chars += text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// A UUID from the document id, breadcrumb, text and the occurrence number of identical
/// (breadcrumb, text) pairs within the document.
pub fn chunk_id(doc_id: &str, breadcrumb: &[String], text: &str, occurrence: u32) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(doc_id.as_bytes()).update(&[0]);
    for part in breadcrumb {
        hasher.update(part.as_bytes()).update(&[0]);
    }
    hasher.update(&[1]).update(text.as_bytes()).update(&occurrence.to_le_bytes());
    let bytes: [u8; 16] = hasher.finalize().as_bytes()[..16].try_into().expect("16 bytes");
    uuid::Uuid::from_bytes(bytes).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str, max: usize) -> Vec<&str> {
        let pieces: Vec<(usize, &str)> = windows(text, max).collect();
        let mut expected_start = 0;
        for &(start, piece) in &pieces {
            assert_eq!(start, expected_start, "windows are consecutive");
            assert!(piece.len() <= max && !piece.is_empty(), "{piece:?}");
            expected_start += piece.len();
        }
        assert_eq!(expected_start, text.len(), "windows cover the text");
        pieces.into_iter().map(|(_, p)| p).collect()
    }

    #[test]
    fn a_quotable_is_read_under_the_chunk_s_headings() {
        let mut chunk = Chunk {
            id: "c".into(),
            doc_id: "d".into(),
            ordinal: 0,
            breadcrumb: vec!["Cancelling an order".into(), "When do I get my money back?".into()],
            text: "PayPal authorisations are released immediately.".into(),
            span: (0, 48),
            question: None,
            tags: vec![],
            table_header: None,
        };
        assert_eq!(
            chunk.quotable_in_context("PayPal authorisations are released immediately."),
            "Cancelling an order › When do I get my money back?: PayPal authorisations are released immediately."
        );
        chunk.breadcrumb.clear();
        assert_eq!(chunk.quotable_in_context("Alone."), "Alone.", "no headings, nothing added");
    }

    #[test]
    fn windows_end_at_the_best_boundary_in_their_second_half() {
        assert_eq!(cut("short", 16), ["short"]);
        assert_eq!(cut("aaaa bbbb\ncc. dddd eeee", 16), ["aaaa bbbb\n", "cc. dddd eeee"]);
        assert_eq!(cut("aaaaa bb. cccc dddd", 16), ["aaaaa bb.", " cccc dddd"]);
        assert_eq!(cut("aaaaaaaaa bbbbbbbbbbbbbbbb", 16), ["aaaaaaaaa ", "bbbbbbbbbbbbbbbb"]);
        assert_eq!(
            cut("aaaaaa bbbbbbbbbbbbbbbb", 16),
            ["aaaaaa bbbbbbbbb", "bbbbbbb"],
            "no boundary in the second half"
        );
        assert_eq!(
            cut("退货需在签收后七天内申请。退款原路退回", 24),
            ["退货需在签收后七", "天内申请。", "退款原路退回"]
        );
        assert_eq!(cut(&"x".repeat(40), 16), ["x".repeat(16), "x".repeat(16), "x".repeat(8)]);
    }
}
