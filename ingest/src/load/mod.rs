//! Loaders: the bytes of one source file to a [`Document`].
//!
//! Every loader produces the same layout through one text builder, so that spans, sections and
//! breadcrumbs mean the same thing whatever the format. PDF parsing is known to blow up on
//! malformed files (unbounded allocation, panics): `kefu` runs [`load`] for PDFs in a child
//! process with memory and time limits; nothing here guards against that.

mod faq;
mod front_matter;
mod html;
mod markdown;
mod pdf;
mod text;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::document::{Document, Format, Metadata, Section};
use crate::{Error, Result, locale};

/// A loaded document, plus problems that did not stop it from loading (for example a FAQ row
/// without an answer, which is left out).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Loaded {
    /// The document.
    pub document: Document,
    /// One message per skipped part, naming the row or line.
    pub warnings: Vec<String>,
}

/// Loads one file's bytes as a document with id `doc_id`. `path` is used for messages and for a
/// fallback title (the file name).
pub fn load(doc_id: &str, path: &Path, format: Format, bytes: &[u8]) -> Result<Loaded> {
    let parse_error = |message: String| Error::Parse { path: path.to_path_buf(), message };
    let utf8 = || {
        std::str::from_utf8(bytes)
            .map(|s| s.strip_prefix('\u{feff}').unwrap_or(s))
            .map_err(|e| parse_error(format!("not valid UTF-8 (at byte {})", e.valid_up_to())))
    };
    let mut warnings = Vec::new();
    let draft = match format {
        Format::Markdown => markdown::load(utf8()?).map_err(parse_error)?,
        Format::Html => html::load(utf8()?).map_err(parse_error)?,
        Format::Text => text::load(utf8()?),
        Format::Pdf => text::load_extracted(&pdf::extract_text(bytes).map_err(parse_error)?),
        Format::FaqCsv => faq::load_csv(utf8()?, &mut warnings).map_err(parse_error)?,
        Format::FaqJson => faq::load_json(utf8()?, &mut warnings).map_err(parse_error)?,
        Format::FaqJsonl => faq::load_jsonl(utf8()?, &mut warnings).map_err(parse_error)?,
    };
    if draft.sections.is_empty() {
        return Err(parse_error("no text found".to_string()));
    }
    if let Some(id) = &draft.id {
        crate::check_id(id).map_err(|reason| parse_error(format!("front matter: `id`: {reason}")))?;
    }
    let document = draft.finish(doc_id, path, format);
    Ok(Loaded { document, warnings })
}

/// A document given as a record rather than a file (a line of a BEIR-style `corpus.jsonl`):
/// `title` and plain `text`, read as paragraphs without guessing headings. Errors when there is
/// no text.
pub fn load_record(id: &str, title: &str, text: &str, url: Option<&str>) -> Result<Document> {
    let mut draft = text::load_body(text);
    if draft.sections.is_empty() {
        return Err(Error::Parse { path: id.into(), message: "no text found".to_string() });
    }
    // An untitled record stays untitled: a title made from its id would be indexed as words.
    draft.body_title = Some(title.to_string());
    draft.meta.url = url.map(str::to_string);
    Ok(draft.finish(id, Path::new(id), Format::Text))
}

/// What a format loader produces: text, sections and whatever metadata the file declares.
#[derive(Debug, Default)]
struct Draft {
    /// Declared metadata; empty fields are filled in by [`Draft::finish`].
    meta: Metadata,
    /// An explicit document id (front matter `id`), replacing the path-derived one.
    id: Option<String>,
    /// A title candidate found in the body (first `# heading`, first line).
    body_title: Option<String>,
    text: String,
    sections: Vec<Section>,
}

impl Draft {
    /// Fills in what the file did not declare: title (body title, else the file name), locale
    /// (detected from the text), doc type `faq` for FAQ lists.
    fn finish(self, doc_id: &str, path: &Path, format: Format) -> Document {
        let Draft { mut meta, id, body_title, text, mut sections } = self;
        if meta.title.trim().is_empty() {
            meta.title = body_title.unwrap_or_else(|| title_from_file_name(path));
        }
        meta.title = crate::document::collapse_whitespace(&meta.title);
        meta.locale = locale::normalize(&meta.locale).unwrap_or_else(|| locale::detect(&text));
        if meta.doc_type.is_none() && format.is_faq() {
            meta.doc_type = Some("faq".to_string());
        }
        for section in &mut sections {
            if section.question.is_none() && section.headings.first() == Some(&meta.title) {
                section.headings.remove(0);
            }
        }
        Document { id: id.unwrap_or_else(|| doc_id.to_string()), format, meta, text, sections }
    }
}

/// `shipping-and-delivery.md` -> `Shipping and delivery`; short stems like `faq` -> `FAQ`.
fn title_from_file_name(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("untitled");
    let words = stem.replace(['-', '_'], " ");
    if words.len() <= 3 {
        return words.to_uppercase();
    }
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_titles() {
        assert_eq!(title_from_file_name(Path::new("a/shipping-and_delivery.md")), "Shipping and delivery");
        assert_eq!(title_from_file_name(Path::new("faq.csv")), "FAQ");
    }

    #[test]
    fn invalid_utf8_is_an_error_naming_the_file() {
        let err = load("x.md", Path::new("x.md"), Format::Markdown, b"ok \xff\xfe").unwrap_err();
        assert_eq!(err.to_string(), "x.md: not valid UTF-8 (at byte 3)");
    }

    #[test]
    fn empty_files_are_errors() {
        let err = load("e.txt", Path::new("e.txt"), Format::Text, b"  \n\n ").unwrap_err();
        assert!(err.to_string().contains("no text found"), "{err}");
    }

    #[test]
    fn records_keep_their_id_and_title_and_need_text() {
        let doc = load_record("d1", "Refunds", "Paid back in 5 days.\n\nBy card.", None).unwrap();
        assert_eq!((doc.id.as_str(), doc.meta.title.as_str()), ("d1", "Refunds"));
        assert_eq!(doc.text, "Paid back in 5 days.\nBy card.");
        assert_eq!(doc.sections.len(), 1);
        let untitled = load_record("d2", "", "没有标题的问题", None).unwrap();
        assert_eq!((untitled.meta.title.as_str(), untitled.meta.locale.as_str()), ("", "zh"));
        assert!(load_record("d3", "T", "  ", None).unwrap_err().to_string().contains("d3: no text"));
    }

    #[test]
    fn documents_survive_the_json_round_trip() {
        let loaded = load("a.md", Path::new("a.md"), Format::Markdown, "# A\n\nText.".as_bytes()).unwrap();
        let json = serde_json::to_string(&loaded).unwrap();
        let back: Loaded = serde_json::from_str(&json).unwrap();
        let doc = back.document;
        doc.validate().unwrap();
        assert_eq!(&doc.text[doc.sections[0].body.clone()], "Text.");
    }
}
