//! FAQ lists as CSV, JSON or JSON Lines: each question/answer pair becomes its own section, the
//! question serving as its heading, so a pair is never split from its question.
//!
//! Field names are case-insensitive, with aliases: `question` (`q`), `answer` (`a`, `response`),
//! `tags` (a list, or a string split on `;` or `,`). A pair with an empty question or answer is
//! skipped with a warning naming its row or line; a file with no valid pair is an error.

use serde_json::{Map, Value};

use super::Draft;
use crate::document::{Metadata, TextBuilder};

/// One question/answer pair as read from a row, an item or a line.
struct Pair {
    question: String,
    answer: String,
    tags: Vec<String>,
}

const QUESTION: &[&str] = &["question", "q"];
const ANSWER: &[&str] = &["answer", "a", "response"];
const TAGS: &[&str] = &["tags", "tag", "labels"];

pub(super) fn load_csv(source: &str, warnings: &mut Vec<String>) -> Result<Draft, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(source.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("CSV header: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let (Some(q), Some(a)) = (column(QUESTION), column(ANSWER)) else {
        return Err(format!("CSV needs `question` and `answer` columns (found: {})", headers.join(", ")));
    };
    let t = column(TAGS);
    let mut pairs = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2; // 1-based, after the header
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                warnings.push(format!("row {row}: {e}"));
                continue;
            }
        };
        let field = |index: Option<usize>| index.and_then(|i| record.get(i)).unwrap_or("").to_string();
        let pair = Pair { question: field(Some(q)), answer: field(Some(a)), tags: split_tags(&field(t)) };
        pairs.extend(check(pair, &format!("row {row}"), warnings));
    }
    finish(Metadata::default(), pairs)
}

pub(super) fn load_json(source: &str, warnings: &mut Vec<String>) -> Result<Draft, String> {
    let value: Value = serde_json::from_str(source).map_err(|e| format!("invalid JSON: {e}"))?;
    let (meta, items) = match value {
        Value::Array(items) => (Metadata::default(), items),
        Value::Object(mut object) => {
            let list = ["items", "faq", "faqs", "questions"]
                .iter()
                .find_map(|k| object.remove(*k))
                .ok_or("JSON object needs an `items` array of {question, answer}")?;
            let Value::Array(items) = list else {
                return Err("`items` must be an array".to_string());
            };
            (header_metadata(&object), items)
        }
        _ => return Err("JSON must be an array of {question, answer} or an object with `items`".into()),
    };
    let mut pairs = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let place = format!("item {}", i + 1);
        pairs.extend(pair_from_json(item, &place, warnings));
    }
    finish(meta, pairs)
}

pub(super) fn load_jsonl(source: &str, warnings: &mut Vec<String>) -> Result<Draft, String> {
    let mut pairs = Vec::new();
    for (i, line) in source.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("line {}", i + 1);
        match serde_json::from_str(line) {
            Ok(value) => pairs.extend(pair_from_json(value, &place, warnings)),
            Err(e) => warnings.push(format!("{place}: invalid JSON: {e}")),
        }
    }
    finish(Metadata::default(), pairs)
}

fn pair_from_json(value: Value, place: &str, warnings: &mut Vec<String>) -> Option<Pair> {
    let Value::Object(object) = value else {
        warnings.push(format!("{place}: not an object"));
        return None;
    };
    let get = |names: &[&str]| {
        object.iter().find(|(k, _)| names.contains(&k.to_lowercase().as_str())).map(|(_, v)| v)
    };
    let text = |names: &[&str]| match get(names) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let tags = match get(TAGS) {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(s)) => split_tags(s),
        _ => Vec::new(),
    };
    check(Pair { question: text(QUESTION), answer: text(ANSWER), tags }, place, warnings)
}

/// Document metadata from the keys of a JSON FAQ object besides its items.
fn header_metadata(object: &Map<String, Value>) -> Metadata {
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(|s| s.trim().to_string());
    Metadata {
        title: text("title").unwrap_or_default(),
        url: text("url"),
        locale: text("locale").or_else(|| text("lang")).unwrap_or_default(),
        product: text("product"),
        doc_type: text("doc_type"),
        tags: match object.get("tags") {
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            Some(Value::String(s)) => split_tags(s),
            _ => Vec::new(),
        },
        listing: None,
    }
}

fn split_tags(tags: &str) -> Vec<String> {
    tags.split([';', ',', '；', '，']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// Keeps a pair with both a question and an answer; warns about any other.
fn check(pair: Pair, place: &str, warnings: &mut Vec<String>) -> Option<Pair> {
    let missing = match (pair.question.trim().is_empty(), pair.answer.trim().is_empty()) {
        (false, false) => return Some(pair),
        (true, true) => "question and answer",
        (true, false) => "question",
        (false, true) => "answer",
    };
    warnings.push(format!("{place}: empty {missing}, skipped"));
    None
}

fn finish(meta: Metadata, pairs: Vec<Pair>) -> Result<Draft, String> {
    if pairs.is_empty() {
        return Err("no question/answer pairs found".to_string());
    }
    let mut builder = TextBuilder::default();
    for pair in pairs {
        builder.faq_pair(&pair.question, &pair.answer, pair.tags);
    }
    let (text, sections) = builder.finish();
    Ok(Draft { meta, text, sections, ..Draft::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions(draft: &Draft) -> Vec<&str> {
        draft.sections.iter().filter_map(|s| s.question.as_deref()).collect()
    }

    #[test]
    fn csv_pairs_with_tags_and_quoted_commas() {
        let mut warnings = Vec::new();
        let csv =
            "Question,Answer,Tags\n\"Can I return, exchange?\",\"Yes, within 30 days.\",returns;exchange\n";
        let draft = load_csv(csv, &mut warnings).unwrap();
        assert_eq!(questions(&draft), ["Can I return, exchange?"]);
        assert_eq!(&draft.text[draft.sections[0].body.clone()], "Yes, within 30 days.");
        assert_eq!(draft.sections[0].tags, ["returns", "exchange"]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn csv_rows_without_answer_are_skipped_with_their_row_number() {
        let mut warnings = Vec::new();
        let draft = load_csv("question,answer\nA?,Yes\nB?,\n", &mut warnings).unwrap();
        assert_eq!(questions(&draft), ["A?"]);
        assert_eq!(warnings, ["row 3: empty answer, skipped"]);
    }

    #[test]
    fn csv_without_question_column_is_an_error() {
        let err = load_csv("title,body\nA,B\n", &mut Vec::new()).err().unwrap();
        assert_eq!(err, "CSV needs `question` and `answer` columns (found: title, body)");
    }

    #[test]
    fn json_object_with_items_and_header() {
        let json = r#"{"title": "Kettle FAQ", "locale": "en", "items": [
            {"question": "Capacity?", "answer": "1.7 L", "tags": ["kettle"]}, 42]}"#;
        let mut warnings = Vec::new();
        let draft = load_json(json, &mut warnings).unwrap();
        assert_eq!(draft.meta.title, "Kettle FAQ");
        assert_eq!(questions(&draft), ["Capacity?"]);
        assert_eq!(warnings, ["item 2: not an object"]);
    }

    #[test]
    fn jsonl_bad_lines_are_named() {
        let mut warnings = Vec::new();
        let draft = load_jsonl("{\"q\": \"能开发票吗\", \"a\": \"可以\"}\n\n{oops\n", &mut warnings).unwrap();
        assert_eq!(questions(&draft), ["能开发票吗"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("line 3: invalid JSON"), "{warnings:?}");
    }

    #[test]
    fn no_valid_pair_is_an_error() {
        assert!(load_jsonl("{\"question\": \"Q\"}\n", &mut Vec::new()).is_err());
        assert!(load_json("[]", &mut Vec::new()).is_err());
    }
}
