//! `kefu eval` end to end on a small BEIR-style set written by the test.

use std::path::Path;

use serde_json::Value;

use crate::common::{json_output, kefu};

/// A shop's help articles, questions with judgements and reference answers, and a question the
/// articles do not answer.
fn write_set(dir: &Path) {
    let corpus = [
        ("returns", "Returns", "You can return any item within 30 days of delivery for a full refund."),
        (
            "shipping",
            "Shipping",
            "Standard shipping takes 3 to 5 business days. Express shipping arrives next day.",
        ),
        ("warranty", "Warranty", "Every blender has a two-year warranty covering the motor."),
        ("payment", "Payment", "We accept Visa, Mastercard and PayPal at checkout."),
        ("giftwrap", "Gift wrapping", "Gift wrapping costs 3 euros per parcel and includes a card."),
    ];
    let lines: Vec<String> = corpus
        .iter()
        .map(|(id, title, text)| serde_json::json!({"_id": id, "title": title, "text": text}).to_string())
        .collect();
    std::fs::write(dir.join("corpus.jsonl"), lines.join("\n")).unwrap();
    let queries = [
        serde_json::json!({"_id": "q1", "text": "how many days do I have to return an item", "answer": "30 days"}),
        serde_json::json!({"_id": "q2", "text": "how long does express shipping take", "answer": "next day"}),
        serde_json::json!({"_id": "q3", "text": "does the blender warranty cover the motor", "answer": "two-year warranty covering the motor"}),
        serde_json::json!({"_id": "q4", "text": "can I pay with paypal", "answer": "Visa, Mastercard and PayPal"}),
        serde_json::json!({"_id": "q5", "text": "what is the phone number of your Berlin store", "answerable": false}),
        serde_json::json!({"_id": "q6", "text": "a question nobody judged"}),
    ];
    let lines: Vec<String> = queries.iter().map(Value::to_string).collect();
    std::fs::write(dir.join("queries.jsonl"), lines.join("\n")).unwrap();
    std::fs::write(
        dir.join("qrels.tsv"),
        "query-id\tcorpus-id\tscore\nq1\treturns\t1\nq2\tshipping\t1\nq3\twarranty\t1\nq4\tpayment\t1\n",
    )
    .unwrap();
}

fn eval(set: &Path, data: &Path, args: &[&str]) -> std::process::Output {
    kefu().arg("eval").arg("--set").arg(set).arg("--data").arg(data).args(args).output().unwrap()
}

#[test]
fn beir_set_is_indexed_once_measured_in_every_mode_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (set, data, out) = (dir.path().join("shop"), dir.path().join("data"), dir.path().join("out"));
    std::fs::create_dir(&set).unwrap();
    write_set(&set);

    let first = eval(&set, &data, &["--json", "--out", out.to_str().unwrap()]);
    let summary = json_output(&first);
    assert!(String::from_utf8_lossy(&first.stderr).contains("indexed 5 documents"), "{first:?}");
    assert_eq!(summary["set"], "shop");
    assert_eq!(summary["queries"], 4, "judged questions only: {summary}");
    for mode in ["bm25", "dense", "hybrid"] {
        let hit = summary["modes"][mode]["hit@3"].as_f64().unwrap();
        assert_eq!(hit, 1.0, "{mode}: every question shares its words with its article: {summary}");
        let ndcg = summary["modes"][mode]["ndcg@10"].as_f64().unwrap();
        assert!(ndcg > 0.7 && ndcg <= 1.0, "{mode}: {ndcg}");
    }
    let answers = &summary["answers"];
    assert_eq!(answers["abstention_recall"], 1.0, "the Berlin store question is refused: {answers}");
    assert_eq!(answers["citation_hit_rate"], 1.0, "{answers}");
    assert!(answers["token_f1"].as_f64().unwrap() > 0.2, "{answers}");

    let report: Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["per_query"].as_array().unwrap().len(), 5, "four judged and one unanswerable");
    let q1 = report["per_query"].as_array().unwrap().iter().find(|q| q["id"] == "q1").unwrap();
    assert_eq!(q1["modes"]["bm25"]["top"][0], "returns");
    assert!(report["model"].as_str().unwrap().starts_with("multilingual-e5-small@"));
    assert_eq!(report["unjudged"], 1);
    let markdown = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(markdown.contains("| hybrid |"), "{markdown}");
    let svg = std::fs::read_to_string(out.join("retrieval.svg")).unwrap();
    assert_eq!(svg.matches("<title>").count(), 3 * 8);

    // Second run: nothing re-indexed, same figures; floors and comparison.
    let report_path = out.join("report.json");
    let second = eval(
        &set,
        &data,
        &["--json", "--compare", report_path.to_str().unwrap(), "--fail-below", "hybrid.hit@3=1.0"],
    );
    assert!(!String::from_utf8_lossy(&second.stderr).contains("indexed"), "{second:?}");
    let again = json_output(&second);
    assert_eq!(again["modes"]["hybrid"]["ndcg@10"], summary["modes"]["hybrid"]["ndcg@10"]);
    assert!(String::from_utf8_lossy(&second.stderr).contains("hybrid.ndcg@10"), "comparison table on stderr");

    let below = eval(&set, &data, &["--modes", "bm25", "--no-answers", "--fail-below", "bm25.ndcg@10=1.01"]);
    assert_eq!(below.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&below.stderr).contains("below floor: bm25.ndcg@10 ="), "{below:?}");
    let unknown =
        eval(&set, &data, &["--modes", "bm25", "--no-answers", "--fail-below", "hybrid.ndcg@10=0.5"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no metric \"hybrid.ndcg@10\""), "{unknown:?}");
}

#[test]
fn a_malformed_set_is_refused_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path());
    std::fs::write(dir.path().join("qrels.tsv"), "query-id\tcorpus-id\tscore\nq1\treturns\n").unwrap();
    let output = eval(dir.path(), &dir.path().join("data"), &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("qrels.tsv:2: expected `query-id<TAB>corpus-id<TAB>score`"), "{stderr}");
    assert!(!dir.path().join("data").exists(), "nothing is indexed for a set that does not load");
}
