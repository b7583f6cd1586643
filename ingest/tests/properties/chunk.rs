//! Chunking, measured with the default model's real tokenizer: spans are exact, chunks cover
//! every section's text, stay inside their section and within the token budget.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kefu_ingest::chunk::BREADCRUMB_SEPARATOR;
use kefu_ingest::{Chunker, ChunkerConfig, Document, Format, load};

use proptest::prelude::*;

use crate::config;
use crate::strategies::*;

/// Token budgets tried: tiny (every paragraph splits), small, and the default model's window.
const MAX_TOKENS: [usize; 3] = [40, 96, 254];

/// A body always gets this many tokens, however long its breadcrumb (`chunk::MIN_BODY_TOKENS`).
const MIN_BODY_TOKENS: usize = 32;

/// The slack the chunker leaves for tokenizers that are not additive across the breadcrumb/body
/// boundary (`chunk::BOUNDARY_SLACK`).
const BOUNDARY_SLACK: usize = 2;

/// The default model's tokenizer, as `make setup` installs it (`KEFU_HOME`, else
/// `$XDG_CACHE_HOME/kefu`, else `~/.cache/kefu`, as in kefu's configuration).
fn tokenizer_path() -> PathBuf {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let home = var("KEFU_HOME")
        .or_else(|| var("XDG_CACHE_HOME").map(|c| c.join("kefu")))
        .or_else(|| var("HOME").map(|h| h.join(".cache/kefu")))
        .expect("KEFU_HOME or HOME is set");
    home.join("models/multilingual-e5-small/tokenizer.json")
}

/// One chunker per budget, loaded once.
fn chunkers() -> &'static [Chunker] {
    static CHUNKERS: OnceLock<Vec<Chunker>> = OnceLock::new();
    CHUNKERS.get_or_init(|| {
        let path = tokenizer_path();
        assert!(path.is_file(), "{} is missing: run `make setup` first", path.display());
        let tokenizer = tokenizers::Tokenizer::from_file(&path).unwrap();
        MAX_TOKENS
            .iter()
            .map(|&max_tokens| Chunker::new(tokenizer.clone(), ChunkerConfig { max_tokens }))
            .collect()
    })
}

/// Chunks `doc` with every budget and checks each chunking.
fn check_chunks(doc: &Document) {
    let char_starts: Vec<usize> = doc.text.char_indices().map(|(i, _)| i).collect();
    let total_chars = char_starts.len();
    // Byte offset of a character offset (the text's length at its end).
    let byte_at = |chars: usize| char_starts.get(chars).copied().unwrap_or(doc.text.len());
    for chunker in chunkers() {
        let max_tokens = chunker.config().max_tokens;
        let chunks = chunker.chunk(doc);
        let mut covered = vec![false; doc.text.len()];
        let mut previous_end = 0;
        for (ordinal, chunk) in chunks.iter().enumerate() {
            assert_eq!(chunk.ordinal as usize, ordinal);
            let (start, end) = chunk.span;
            assert!(previous_end <= start && start < end && end <= total_chars, "span {:?}", chunk.span);
            previous_end = end;
            let (start, end) = (byte_at(start), byte_at(end));
            assert_eq!(&doc.text[start..end], chunk.text, "the span is the chunk's text");
            let section = doc
                .sections
                .iter()
                .find(|s| s.body.start <= start && end <= s.body.end)
                .unwrap_or_else(|| panic!("chunk {ordinal} crosses a section: {chunk:?} in {doc:?}"));
            assert_eq!(chunk.breadcrumb[0], doc.meta.title);
            assert_eq!(chunk.breadcrumb[1..], section.headings);
            assert_eq!(chunk.question, section.question);
            covered[start..end].fill(true);

            let header = chunker.count_tokens(&chunk.breadcrumb.join(BREADCRUMB_SEPARATOR)) + 1;
            let budget = max_tokens.saturating_sub(header + BOUNDARY_SLACK).max(MIN_BODY_TOKENS);
            let body_tokens = chunker.count_tokens(&chunk.text);
            assert!(body_tokens <= budget, "{body_tokens} tokens over a budget of {budget}: {chunk:?}");
            if header + BOUNDARY_SLACK + MIN_BODY_TOKENS <= max_tokens {
                let tokens = chunker.count_tokens(&chunk.indexed_text());
                assert!(tokens <= max_tokens, "{tokens} tokens over {max_tokens}: {chunk:?}");
            }
        }
        for section in &doc.sections {
            for (i, c) in doc.text[section.body.clone()].char_indices() {
                let at = section.body.start + i;
                assert!(
                    c.is_whitespace() || covered[at],
                    "{c:?} at byte {at} is in no chunk (max_tokens {max_tokens}): {doc:?}"
                );
            }
        }
        let ids: std::collections::HashSet<_> = chunks.iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), chunks.len(), "chunk ids are unique");
    }
}

fn loaded(format: Format, file: &str, source: &str) -> Option<Document> {
    load(file, Path::new(file), format, source.as_bytes()).ok().map(|l| l.document)
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn markdown_chunks_are_exact_complete_and_within_budget(source in markdown()) {
        if let Some(doc) = loaded(Format::Markdown, "page.md", &source) {
            check_chunks(&doc);
        }
    }

    #[test]
    fn text_chunks_are_exact_complete_and_within_budget(source in text()) {
        if let Some(doc) = loaded(Format::Text, "page.txt", &source) {
            check_chunks(&doc);
        }
    }

    #[test]
    fn faq_chunks_are_exact_complete_and_within_budget(pairs in faq_pairs()) {
        let items: Vec<_> =
            pairs.iter().map(|(q, a, _)| serde_json::json!({"question": q, "answer": a})).collect();
        if let Some(doc) = loaded(Format::FaqJson, "faq.json", &serde_json::Value::Array(items).to_string()) {
            check_chunks(&doc);
        }
    }

}

proptest! {
    // Chunking a long unbroken run is slow (issue #12): few cases.
    #![proptest_config(config(12))]

    #[test]
    fn long_unbroken_runs_are_cut_within_budget(
        run in prop_oneof!["[a-z]{300,2000}", "[一-龥]{300,1500}", "[0-9a-f]{300,2000}", "\\PC{300,1000}"],
        heading in sentence(4),
    ) {
        let source = format!("# {heading}\n\n{run}\n");
        if let Some(doc) = loaded(Format::Markdown, "run.md", &source) {
            check_chunks(&doc);
        }
    }
}
