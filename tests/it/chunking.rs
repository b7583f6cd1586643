//! Chunk boundaries and spans, measured with the model's real tokenizer.

use std::collections::HashSet;
use std::path::Path;

use kefu_ingest::{Chunker, ChunkerConfig, Document, Format, discover, load};

use crate::common::{corpus, embedder};

fn chunker(max_tokens: usize) -> Chunker {
    Chunker::new(embedder().tokenizer().unwrap(), ChunkerConfig { max_tokens })
}

fn corpus_documents() -> Vec<Document> {
    let (files, skipped) = discover(&[corpus()]).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    files
        .iter()
        .map(|f| load(&f.doc_id, &f.path, f.format, &std::fs::read(&f.path).unwrap()).unwrap().document)
        .collect()
}

/// The characters `start..end` of `text`.
fn chars(text: &str, (start, end): (usize, usize)) -> String {
    text.chars().skip(start).take(end - start).collect()
}

#[test]
fn every_corpus_chunk_fits_the_model_and_its_span_is_exact() {
    let chunker = chunker(254);
    let mut ids = HashSet::new();
    for doc in corpus_documents() {
        let chunks = chunker.chunk(&doc);
        assert!(!chunks.is_empty(), "{}", doc.id);
        for chunk in &chunks {
            let tokens = chunker.count_tokens(&chunk.indexed_text());
            assert!(tokens <= 254, "{} chunk {} has {tokens} tokens", doc.id, chunk.ordinal);
            assert_eq!(chars(&doc.text, chunk.span), chunk.text, "{} chunk {}", doc.id, chunk.ordinal);
            assert_eq!(chunk.breadcrumb[0], doc.meta.title);
            assert!(ids.insert(chunk.id.clone()), "duplicate chunk id in {}", doc.id);
        }
        let spans: Vec<_> = chunks.iter().map(|c| c.span).collect();
        assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "{}: chunks overlap or are out of order", doc.id);
    }
}

#[test]
fn long_sections_split_at_sentences_within_the_budget() {
    let sentence = "Opened electronics returned for a change of mind carry a 15% restocking fee. ";
    let source = format!(
        "# Returns\n\n## Fees\n\n{}\n\n## Labels\n\nPrepaid labels cost £3.95.\n",
        sentence.repeat(40)
    );
    let doc =
        load("returns.md", Path::new("returns.md"), Format::Markdown, source.as_bytes()).unwrap().document;
    let chunker = chunker(64);
    let chunks = chunker.chunk(&doc);
    let fees: Vec<_> = chunks.iter().filter(|c| c.breadcrumb == ["Returns", "Fees"]).collect();
    assert!(fees.len() > 5, "{} chunks", fees.len());
    for chunk in &fees {
        assert!(chunker.count_tokens(&chunk.indexed_text()) <= 64);
        assert!(chunk.text.ends_with("fee."), "split inside a sentence: {:?}", chunk.text);
    }
    // Together the chunks cover the section, in order, whitespace aside.
    let joined: String = fees.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" ");
    assert_eq!(joined.split_whitespace().count(), sentence.repeat(40).split_whitespace().count());
    let labels = chunks.last().unwrap();
    assert_eq!(
        (labels.breadcrumb.join(" › "), labels.text.as_str()),
        ("Returns › Labels".into(), "Prepaid labels cost £3.95.")
    );
}

#[test]
fn faq_pairs_are_one_chunk_each_with_their_question_in_the_breadcrumb() {
    let csv = "question,answer\nHow long is the return window?,30 days from delivery.\n能开发票吗？,可以，订单完成后在“我的订单”申请。\n";
    let doc = load("faq.csv", Path::new("faq.csv"), Format::FaqCsv, csv.as_bytes()).unwrap().document;
    let chunks = chunker(254).chunk(&doc);
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[0].breadcrumb, ["FAQ", "How long is the return window?"]);
    assert_eq!(chunks[0].text, "30 days from delivery.");
    assert_eq!(chunks[1].question.as_deref(), Some("能开发票吗？"));
    assert_eq!(chars(&doc.text, chunks[1].span), "可以，订单完成后在“我的订单”申请。");
}

#[test]
fn chunk_ids_are_stable_and_depend_on_content() {
    let chunker = chunker(254);
    let load_md =
        |text: &str| load("a.md", Path::new("a.md"), Format::Markdown, text.as_bytes()).unwrap().document;
    let first = chunker.chunk(&load_md("# A\n\n## One\n\nSame text.\n\n## Two\n\nOther text.\n"));
    let again = chunker.chunk(&load_md("# A\n\n## One\n\nSame text.\n\n## Two\n\nOther text.\n"));
    let edited = chunker.chunk(&load_md("# A\n\n## One\n\nSame text.\n\n## Two\n\nEdited text.\n"));
    assert_eq!(first, again);
    assert_eq!(first[0].id, edited[0].id, "an unchanged chunk keeps its id");
    assert_ne!(first[1].id, edited[1].id);
}

#[test]
fn rows_of_a_long_table_cut_into_chunks_are_read_with_its_header() {
    let rows: String = (1..=40)
        .map(|n| format!("| E{n} | Fault number {n} | Restart the robot and wait {n} minutes |\n"))
        .collect();
    let source = format!(
        "# Error codes\n\n| Code | Meaning | What to do |\n|---|---|---|\n{rows}\nStill stuck? Contact us.\n"
    );
    let doc = load("codes.md", Path::new("codes.md"), Format::Markdown, source.as_bytes()).unwrap().document;
    let chunks = chunker(64).chunk(&doc);
    assert!(chunks.len() > 3, "{} chunks", chunks.len());
    let begun_inside = chunks.iter().filter(|c| c.table_header.is_some()).count();
    assert!(begun_inside >= chunks.len() - 2, "{begun_inside} of {} chunks", chunks.len());
    let mut read = 0;
    for chunk in &chunks {
        for quotable in chunk.quotables().iter().filter(|q| q.text.starts_with('E')) {
            let n = quotable.text[1..].split(' ').next().unwrap();
            assert_eq!(
                quotable.text,
                format!(
                    "E{n} — Meaning: Fault number {n}; What to do: Restart the robot and wait {n} minutes"
                ),
                "chunk {}",
                chunk.ordinal
            );
            read += 1;
        }
    }
    assert_eq!(read, 40, "every row is quoted once, none taken for a header");
}
