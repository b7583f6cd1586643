//! Loaders on arbitrary and structured input: they never panic, a loaded document's sections
//! lie within its text, and structured input keeps its known structure.

use std::path::Path;

use kefu_ingest::document::{MAX_WORD_CHARS, collapse_whitespace};
use kefu_ingest::{Document, Format, load};
use proptest::prelude::*;

use crate::config;
use crate::strategies::*;

/// Every format `load` reads itself (PDF text extraction runs in kefu's sandboxed child and is
/// fuzzed there).
const FORMATS: [(Format, &str); 6] = [
    (Format::Markdown, "page.md"),
    (Format::Html, "page.html"),
    (Format::Text, "page.txt"),
    (Format::FaqCsv, "faq.csv"),
    (Format::FaqJson, "faq.json"),
    (Format::FaqJsonl, "faq.jsonl"),
];

/// Loads `source`; when it loads, checks what holds for every document of every format.
fn load_checked(format: Format, file: &str, source: &[u8]) -> Option<Document> {
    let loaded = load(file, Path::new(file), format, source).ok()?;
    let doc = loaded.document;
    check_document(&doc);
    let again = load(file, Path::new(file), format, source).expect("loads again").document;
    assert_eq!(again, doc, "loading is deterministic");
    Some(doc)
}

/// What the loaders keep of a text's words: each, but those longer than `MAX_WORD_CHARS` are
/// cut there and marked with `…`.
fn capped(text: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    text.split_word_bounds()
        .map(|word| match word.char_indices().nth(MAX_WORD_CHARS) {
            Some((cut, _)) => format!("{}…", &word[..cut]),
            None => word.to_string(),
        })
        .collect()
}

/// Sections in order within the text, each with text of its own; metadata in normal form.
pub fn check_document(doc: &Document) {
    doc.validate().unwrap_or_else(|e| panic!("{e}: {doc:?}"));
    assert!(!doc.sections.is_empty(), "a loaded document has a section");
    for section in &doc.sections {
        let body = &doc.text[section.body.clone()];
        assert!(!body.trim().is_empty(), "section {:?} has no text: {doc:?}", section.body);
        assert_eq!(body, body.trim_end(), "a section body ends with its text");
        for heading in &section.headings {
            assert_eq!(heading, &collapse_whitespace(heading), "headings are collapsed");
            assert!(!heading.is_empty(), "empty heading in {doc:?}");
        }
    }
    assert_eq!(doc.meta.title, collapse_whitespace(&doc.meta.title), "the title is collapsed");
    let locale = &doc.meta.locale;
    assert!(
        (2..=3).contains(&locale.len()) && locale.bytes().all(|b| b.is_ascii_lowercase()),
        "locale {locale:?}"
    );
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_never_panic_any_loader(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for (format, file) in FORMATS {
            load_checked(format, file, &bytes);
        }
    }

    #[test]
    fn arbitrary_text_never_panics_any_loader(text in "\\PC{0,200}") {
        for (format, file) in FORMATS {
            load_checked(format, file, text.as_bytes());
        }
    }

    #[test]
    fn markdown_loads_within_its_text(source in markdown()) {
        load_checked(Format::Markdown, "page.md", source.as_bytes());
    }

    #[test]
    fn html_loads_within_its_text(source in html()) {
        load_checked(Format::Html, "page.html", source.as_bytes());
    }

    #[test]
    fn text_loads_within_its_text_and_keeps_every_word(source in text()) {
        let doc = load_checked(Format::Text, "page.txt", source.as_bytes());
        // Plain text drops nothing but whitespace: its words are all in the document.
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let words = squeeze(&capped(source.strip_prefix('\u{feff}').unwrap_or(&source)));
        match doc {
            Some(doc) => prop_assert_eq!(squeeze(&doc.text), words),
            None => prop_assert!(words.is_empty(), "text with words must load"),
        }
    }

    #[test]
    fn front_matter_of_any_shape_never_panics(yaml in front_matter_yaml(), body in sentence(10)) {
        load_checked(Format::Markdown, "page.md", format!("---\n{yaml}---\n# T\n\n{body}\n").as_bytes());
    }

    #[test]
    fn front_matter_values_become_metadata(fm in known_front_matter(), body in "[a-z]{1,9}( [a-z]{1,9}){0,8}") {
        let source = format!("---\n{}---\n{body}\n", fm.yaml);
        let id = fm.id.trim();
        if !id.is_empty() && kefu_ingest::check_id(id).is_err() {
            let err = load("page.md", Path::new("page.md"), Format::Markdown, source.as_bytes()).unwrap_err();
            prop_assert!(err.to_string().starts_with("page.md: front matter: `id`: "), "{}", err);
            return Ok(());
        }
        let doc = load_checked(Format::Markdown, "page.md", source.as_bytes());
        let doc = doc.expect("a page with front matter and a body loads");
        if !fm.title.trim().is_empty() {
            prop_assert_eq!(&doc.meta.title, &collapse_whitespace(&fm.title));
        }
        prop_assert_eq!(doc.meta.url.as_deref(), Some(fm.url.trim()).filter(|u| !u.is_empty()));
        let declared = kefu_ingest::locale::normalize(&fm.locale);
        if let Some(declared) = declared {
            prop_assert_eq!(&doc.meta.locale, &declared);
        }
        let id = fm.id.trim();
        prop_assert_eq!(doc.id.as_str(), if id.is_empty() { "page.md" } else { id });
        prop_assert_eq!(&doc.meta.tags, &fm.tags);
    }

    #[test]
    fn csv_keeps_every_pair_with_text(
        (question, answer, extra_first) in csv_header(),
        pairs in faq_pairs(),
    ) {
        let mut csv = if extra_first { format!("notes,{question},{answer},tags\n") } else {
            format!("{question},{answer},tags\n")
        };
        for (q, a, tags) in &pairs {
            let row = [csv_quote(q), csv_quote(a), csv_quote(&tags.join(";"))].join(",");
            csv.push_str(&if extra_first { format!("x,{row}\n") } else { format!("{row}\n") });
        }
        check_pairs(load_checked(Format::FaqCsv, "faq.csv", csv.as_bytes()), &pairs);
    }

    #[test]
    fn json_keeps_every_pair_with_text(pairs in faq_pairs(), wrapped in any::<bool>()) {
        let items: Vec<serde_json::Value> = pairs
            .iter()
            .map(|(q, a, tags)| serde_json::json!({"question": q, "Answer": a, "tags": tags, "extra": 1}))
            .collect();
        let json = if wrapped {
            serde_json::json!({"title": "FAQ", "locale": "zh-CN", "faq": items})
        } else {
            serde_json::Value::Array(items)
        };
        let doc = load_checked(Format::FaqJson, "faq.json", json.to_string().as_bytes());
        if wrapped && let Some(doc) = &doc {
            prop_assert_eq!(doc.meta.locale.as_str(), "zh");
        }
        check_pairs(doc, &pairs);
    }

    #[test]
    fn jsonl_keeps_every_pair_with_text(pairs in faq_pairs(), junk in "[^\n]{0,20}") {
        let mut jsonl = String::new();
        for (q, a, tags) in &pairs {
            jsonl.push_str(&serde_json::json!({"q": q, "response": a, "labels": tags.join(",")}).to_string());
            jsonl.push('\n');
        }
        // A line that is not a JSON object is skipped with a warning, never fatal to the others.
        if serde_json::from_str::<serde_json::Value>(&junk).is_err() {
            jsonl.push_str(&junk);
        }
        check_pairs(load_checked(Format::FaqJsonl, "faq.jsonl", jsonl.as_bytes()), &pairs);
    }

    #[test]
    fn arbitrary_json_never_panics_the_faq_loaders(value in json_value()) {
        load_checked(Format::FaqJson, "faq.json", value.to_string().as_bytes());
        load_checked(Format::FaqJsonl, "faq.jsonl", value.to_string().as_bytes());
    }
}

/// The document has one section per pair with text, in order, question as heading and answer
/// as body; with no such pair it does not load.
fn check_pairs(doc: Option<Document>, pairs: &[(String, String, Vec<String>)]) {
    let valid: Vec<_> = pairs.iter().filter(|(q, a, _)| is_valid_pair(q, a)).collect();
    let Some(doc) = doc else {
        assert!(valid.is_empty(), "a FAQ with {} valid pairs failed to load", valid.len());
        return;
    };
    assert_eq!(doc.sections.len(), valid.len(), "{doc:?}");
    for (section, (q, a, tags)) in doc.sections.iter().zip(valid) {
        assert_eq!(section.question.as_deref(), Some(collapse_whitespace(q).as_str()));
        assert_eq!(&doc.text[section.body.clone()], capped(a.trim()));
        assert_eq!(&section.tags, tags);
    }
    assert_eq!(doc.meta.doc_type.as_deref(), Some("faq"));
}
