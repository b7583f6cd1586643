//! The loaded form of a source file: clean text plus its structure.

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The file formats kefu reads, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Markdown with optional YAML front matter (`.md`, `.markdown`).
    Markdown,
    /// An HTML page (`.html`, `.htm`).
    Html,
    /// A PDF; its text is extracted in a separate process (see `kefu`'s PDF sandbox).
    Pdf,
    /// Plain text (`.txt`, `.text`).
    Text,
    /// A FAQ list as CSV with `question` and `answer` columns.
    FaqCsv,
    /// A FAQ list as a JSON array, or an object with an `items` array.
    FaqJson,
    /// A FAQ list as JSON Lines, one object per line.
    FaqJsonl,
}

impl Format {
    /// The format of a path, from its extension (case-insensitive); `None` when kefu cannot read it.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "pdf" => Format::Pdf,
            "txt" | "text" => Format::Text,
            "csv" => Format::FaqCsv,
            "json" => Format::FaqJson,
            "jsonl" | "ndjson" => Format::FaqJsonl,
            _ => return None,
        })
    }

    /// Whether each entry of the format is a question/answer pair.
    pub fn is_faq(self) -> bool {
        matches!(self, Format::FaqCsv | Format::FaqJson | Format::FaqJsonl)
    }
}

/// Document-level metadata, from front matter, HTML `<head>`, FAQ headers, or inferred.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Human title; the first element of every chunk's breadcrumb.
    pub title: String,
    /// Public URL of the page, for citations.
    pub url: Option<String>,
    /// Language code, normalised by [`crate::locale::normalize`] (`en`, `zh`, ...).
    pub locale: String,
    /// Product the document is about, for filtering.
    pub product: Option<String>,
    /// Kind of document (`policy`, `guide`, `product`, `faq`, ...), for filtering.
    pub doc_type: Option<String>,
    /// Free tags, for filtering.
    pub tags: Vec<String>,
    /// On a product page, what makes it an entry of the shop's catalogue ([`crate::product`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<crate::product::Listing>,
}

/// A run of the document text under one heading path, or one FAQ answer.
///
/// Chunks never cross sections, so that each chunk's breadcrumb is exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Headings from the outermost down (the document title is not repeated here). For a FAQ
    /// pair this is the question.
    pub headings: Vec<String>,
    /// Byte range of the section body in [`Document::text`].
    pub body: Range<usize>,
    /// For a FAQ pair, its question: the answerer can then reply with the answer verbatim.
    pub question: Option<String>,
    /// Tags of this section only (FAQ rows may carry their own), added to the document's.
    pub tags: Vec<String>,
}

/// A source file after loading and cleaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Stable identifier: the path relative to the ingested folder, or `id` from front matter.
    pub id: String,
    /// Format it was read from.
    pub format: Format,
    /// Metadata.
    pub meta: Metadata,
    /// The clean text that citations' spans point into (headings, paragraphs, list items and
    /// table rows, one per line).
    pub text: String,
    /// The structure of `text`, in order and non-overlapping.
    pub sections: Vec<Section>,
}

impl Document {
    /// Checks that every section lies within the text on character boundaries, in order: a
    /// document deserialised from another process (the PDF sandbox) is not trusted blindly.
    pub fn validate(&self) -> Result<(), String> {
        let mut previous_end = 0;
        for s in &self.sections {
            let ok = previous_end <= s.body.start
                && s.body.start <= s.body.end
                && self.text.is_char_boundary(s.body.start)
                && self.text.is_char_boundary(s.body.end);
            if !ok {
                return Err(format!("section {:?} is not within the text", s.body));
            }
            previous_end = s.body.end;
        }
        Ok(())
    }
}

/// Builds a document's text and sections block by block; used by every loader so that they
/// agree on layout (one block per line, a blank line between paragraphs).
#[derive(Debug, Default)]
pub(crate) struct TextBuilder {
    text: String,
    sections: Vec<Section>,
    headings: Vec<(u8, String)>,
    open_section: Option<usize>,
    first_h1: Option<String>,
}

impl TextBuilder {
    /// Starts a section under a heading of `level` (1 = top); deeper headings nest under it.
    pub(crate) fn heading(&mut self, level: u8, title: &str) {
        let title = collapse_whitespace(title);
        if title.is_empty() {
            return;
        }
        self.close_section();
        if level == 1 && self.first_h1.is_none() {
            self.first_h1 = Some(title.clone());
        }
        self.headings.retain(|(l, _)| *l < level);
        self.push_block(&title);
        self.headings.push((level, title));
    }

    /// Appends one block (paragraph, list item, table row) of text to the current section.
    /// Leading spaces are kept (nested list items, code); surrounding line breaks are not.
    pub(crate) fn block(&mut self, block: &str) {
        let block = block.trim_end().trim_start_matches(['\n', '\r']);
        if block.trim().is_empty() {
            return;
        }
        if self.open_section.is_none() {
            self.open_section = Some(self.sections.len());
            let headings = self.headings.iter().map(|(_, h)| h.clone()).collect();
            let start = self.text.len() + usize::from(!self.text.is_empty());
            self.sections.push(Section { headings, body: start..start, question: None, tags: Vec::new() });
        }
        self.push_block(block);
        let end = self.text.len();
        if let Some(i) = self.open_section {
            self.sections[i].body.end = end;
        }
    }

    /// Appends a FAQ pair: the question as a line of text, the answer as its own section.
    pub(crate) fn faq_pair(&mut self, question: &str, answer: &str, tags: Vec<String>) {
        let question = collapse_whitespace(question);
        self.close_section();
        self.push_block(&question);
        let start = self.text.len() + 1;
        self.push_block(answer.trim());
        self.sections.push(Section {
            headings: vec![question.clone()],
            body: start..self.text.len(),
            question: Some(question),
            tags,
        });
    }

    /// The text of the document so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The first heading of level 1, if any: the title when nothing else names one.
    pub(crate) fn first_h1(&self) -> Option<&str> {
        self.first_h1.as_deref()
    }

    /// The text and its sections.
    pub(crate) fn finish(self) -> (String, Vec<Section>) {
        (self.text, self.sections)
    }

    fn close_section(&mut self) {
        self.open_section = None;
    }

    fn push_block(&mut self, block: &str) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        push_capping_words(&mut self.text, block);
    }
}

/// Gathers inline text into blocks for the Markdown and HTML renderers: list items get their
/// marker (`- `, `3. `, two spaces of indent per nesting level), whitespace is collapsed.
#[derive(Debug, Default)]
pub(crate) struct InlineWriter {
    pub(crate) builder: TextBuilder,
    buffer: String,
    item_marker: Option<String>,
    lists: Vec<Option<u64>>,
}

impl InlineWriter {
    /// Appends inline text to the block being read.
    pub(crate) fn push(&mut self, text: &str) {
        self.buffer.push_str(text);
    }

    /// The inline text read so far, collapsed, leaving the buffer empty (headings, table cells).
    pub(crate) fn take_inline(&mut self) -> String {
        collapse_whitespace(&std::mem::take(&mut self.buffer))
    }

    /// The text read so far exactly as it came (code blocks).
    pub(crate) fn take_raw(&mut self) -> String {
        std::mem::take(&mut self.buffer)
    }

    /// Writes the inline text read so far as one block, with the pending list marker.
    pub(crate) fn flush(&mut self) {
        let text = self.take_inline();
        if text.is_empty() {
            return;
        }
        match self.item_marker.take() {
            Some(marker) => self.builder.block(&format!("{marker}{text}")),
            None => self.builder.block(&text),
        }
    }

    /// Opens a list: numbered from `ordered_from`, or bulleted.
    pub(crate) fn open_list(&mut self, ordered_from: Option<u64>) {
        self.flush();
        self.lists.push(ordered_from);
    }

    /// Closes the innermost list.
    pub(crate) fn close_list(&mut self) {
        self.flush();
        self.lists.pop();
    }

    /// Starts an item of the innermost list.
    pub(crate) fn start_item(&mut self) {
        self.flush();
        let depth = self.lists.len().saturating_sub(1);
        let marker = match self.lists.last_mut() {
            Some(Some(n)) => {
                *n += 1;
                format!("{}. ", *n - 1)
            }
            _ => "- ".to_string(),
        };
        self.item_marker = Some(format!("{}{marker}", "  ".repeat(depth)));
    }
}

/// The longest word kept whole, in characters. Longer "words" (an 800,000-letter run, a base64
/// blob) carry no meaning a shopper could ask about, and the chunker's cost grows with the square
/// of the longest word; they are cut to this length and marked with `…`. (UAX #29 words: a URL
/// or a path is many words, and every Chinese character is one.)
pub const MAX_WORD_CHARS: usize = 64;

/// Appends `block` to `text`, cutting words longer than [`MAX_WORD_CHARS`].
fn push_capping_words(text: &mut String, block: &str) {
    use unicode_segmentation::UnicodeSegmentation;
    // Most blocks have no long word: check cheaply before segmenting.
    let longest_run = block.split(char::is_whitespace).map(str::len).max().unwrap_or(0);
    if longest_run <= MAX_WORD_CHARS {
        return text.push_str(block);
    }
    for word in block.split_word_bounds() {
        match word.char_indices().nth(MAX_WORD_CHARS) {
            Some((cut, _)) => {
                text.push_str(&word[..cut]);
                text.push('…');
            }
            None => text.push_str(word),
        }
    }
}

/// Collapses runs of whitespace to one space, and drops spaces between two CJK characters (where
/// a line break in the source must not become a space).
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let prev_cjk = out.chars().next_back().is_some_and(crate::locale::is_cjk);
            if !(prev_cjk && crate::locale::is_cjk(c)) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_cover_bodies_under_their_headings() {
        let mut b = TextBuilder::default();
        b.heading(1, "Returns");
        b.block("Intro.");
        b.heading(2, "Window");
        b.block("30 days.");
        b.heading(3, "Exceptions");
        b.block("Gift cards.");
        b.heading(2, "Refunds");
        b.block("5 days.");
        let (text, sections) = b.finish();
        let bodies: Vec<_> = sections.iter().map(|s| &text[s.body.clone()]).collect();
        assert_eq!(bodies, ["Intro.", "30 days.", "Gift cards.", "5 days."]);
        let trails: Vec<_> = sections.iter().map(|s| s.headings.join("/")).collect();
        assert_eq!(trails, ["Returns", "Returns/Window", "Returns/Window/Exceptions", "Returns/Refunds"]);
    }

    #[test]
    fn faq_pairs_are_sections_keyed_by_question() {
        let mut b = TextBuilder::default();
        b.faq_pair("How long?", " Thirty days. ", vec!["returns".into()]);
        b.faq_pair("Who pays?", "We do.", vec![]);
        let (text, sections) = b.finish();
        assert_eq!(text, "How long?\nThirty days.\nWho pays?\nWe do.");
        assert_eq!(&text[sections[1].body.clone()], "We do.");
        assert_eq!(sections[0].question.as_deref(), Some("How long?"));
        assert_eq!(sections[0].tags, ["returns"]);
    }

    #[test]
    fn absurdly_long_words_are_cut() {
        let mut b = TextBuilder::default();
        let long = "x".repeat(100_000);
        b.block(&format!("see {long} and https://example.com/a/b?c=d 七天无理由退货"));
        let (text, _) = b.finish();
        assert_eq!(
            text,
            format!("see {}… and https://example.com/a/b?c=d 七天无理由退货", "x".repeat(MAX_WORD_CHARS))
        );
        let mut b = TextBuilder::default();
        let chinese = "退".repeat(1000);
        b.block(&chinese);
        assert_eq!(b.finish().0, chinese, "Chinese characters are words of their own");
    }

    #[test]
    fn whitespace_collapses_but_not_between_cjk() {
        assert_eq!(collapse_whitespace("  a \n b  "), "a b");
        assert_eq!(collapse_whitespace("七天\n无理由 退货 30 days"), "七天无理由退货 30 days");
        // Korean puts spaces between its words: a line break between two is one.
        assert_eq!(collapse_whitespace("반품 정책\n환불 안내"), "반품 정책 환불 안내");
    }
}
