//! Personal data redaction on real text: nothing in the sample help center or in the labelled
//! question sets is taken for personal data (the shop's own published e-mail addresses aside),
//! and personal data added to a question changes neither what kefu answers nor how sure it is,
//! and never comes back in the answer.

use std::path::Path;

use kefu::answer::{Answer, Answerer, Question};
use kefu::privacy::{Kind, Redactor};
use kefu_ingest::Format;

use crate::common::{config, corpus, shared_corpus_retriever};

/// The shop's contact addresses, published in its privacy policy and contact page: e-mail
/// addresses rightly found, and the only thing the corpus may have redacted.
const SHOP_ADDRESSES: &[&str] = &[
    "privacy@nestwellhome.com",
    "support@nestwellhome.com",
    "privacy@nestwellhome.cn",
    // The business-sales address agents give out in eval/sets/curated.jsonl.
    "b2b@nestwellhome.cn",
];

/// Every file of the corpus as indexed (the loaded document's text) and, for the text formats,
/// as written (front matter, markup and all), named by its path.
fn corpus_texts() -> Vec<(String, String)> {
    let mut texts = Vec::new();
    let mut dirs = vec![corpus()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.strip_prefix(corpus()).unwrap().display().to_string();
            let format = Format::from_path(&path).unwrap_or_else(|| panic!("{name}: not a corpus format"));
            let bytes = std::fs::read(&path).unwrap();
            let loaded = kefu_ingest::load(&name, &path, format, &bytes).unwrap();
            texts.push((name.clone(), loaded.document.text));
            if let Ok(raw) = String::from_utf8(bytes) {
                texts.push((format!("{name} (file)"), raw));
            }
        }
    }
    texts
}

/// Every question of the labelled sets in eval/sets (the PII set aside), with its parts and
/// reference answers.
fn eval_texts() -> Vec<(String, String)> {
    let sets = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/sets");
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&sets).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".jsonl") || name == "pii.jsonl" {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let id = format!("{name} {}", value["id"].as_str().unwrap());
            let parts = value["parts"].as_array().cloned().unwrap_or_default();
            for item in std::iter::once(&value).chain(&parts) {
                for field in ["question", "answer"] {
                    if let Some(text) = item[field].as_str() {
                        texts.push((format!("{id} {field}"), text.to_string()));
                    }
                }
            }
        }
    }
    texts
}

#[test]
fn nothing_in_the_corpus_or_the_labelled_questions_is_taken_for_personal_data() {
    let redactor = Redactor::default();
    let corpus = corpus_texts();
    let questions = eval_texts();
    assert!(
        corpus.len() >= 90 && questions.len() >= 800,
        "{} corpus texts, {} eval texts",
        corpus.len(),
        questions.len()
    );
    let mut shop_addresses = 0;
    let mut false_positives = Vec::new();
    for (name, text) in corpus.iter().chain(&questions) {
        for found in redactor.find(text) {
            let value = &text[found.span.clone()];
            if found.kind == Kind::Email && SHOP_ADDRESSES.contains(&value) {
                shop_addresses += 1;
            } else {
                false_positives.push(format!("{name}: {} {value:?}", found.kind.name()));
            }
        }
    }
    assert!(
        false_positives.is_empty(),
        "{} false positives:\n{}",
        false_positives.len(),
        false_positives.join("\n")
    );
    assert!(shop_addresses >= SHOP_ADDRESSES.len(), "the shop's addresses are found ({shop_addresses})");
}

fn ask(message: &str) -> Answer {
    let answerer = Answerer::new(&config(Path::new("unused")).answer).unwrap();
    let question =
        Question { text: message.to_string(), retrieval_query: message.to_string(), ..Question::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(answerer.answer(shared_corpus_retriever().clone(), question, None)).unwrap()
}

#[test]
fn personal_data_in_a_question_changes_neither_the_answer_nor_the_confidence() {
    let cases = [
        (
            "how long does a refund take with paypal",
            "jane.doe@gmail.com how long does a refund take with paypal",
        ),
        (
            "how long does a refund take with paypal",
            "how long does a refund take with paypal, 4111 1111 1111 1111",
        ),
        ("退货运费谁承担？", "退货运费谁承担？ 13812345678"),
    ];
    for (plain, with_pii) in cases {
        let (plain_answer, answer) = (ask(plain), ask(with_pii));
        assert!(!answer.abstained, "{with_pii}: {answer:#?}");
        assert!(
            (answer.confidence - plain_answer.confidence).abs() < 0.02,
            "{with_pii}: confidence {} against {} without the personal data",
            answer.confidence,
            plain_answer.confidence
        );
        let cited = |a: &Answer| a.citations.iter().map(|c| c.chunk_id.clone()).collect::<Vec<_>>();
        assert_eq!(cited(&answer), cited(&plain_answer), "{with_pii}");
        let shown = serde_json::to_string(&answer).unwrap();
        for value in
            ["jane.doe@gmail.com", "4111 1111 1111 1111", "13812345678", "[email]", "[card]", "[phone]"]
        {
            assert!(!shown.contains(value), "{value} in {shown}");
        }
    }
}
