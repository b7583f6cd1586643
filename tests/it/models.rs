//! The local embedding models `make setup` installs, through `kefu embed`: the vectors ingestion
//! and search compute. scripts/modelkit/validate_e5.py checks the same vectors against the
//! reference engine of the package the weights come from.

use std::io::Write;
use std::process::Stdio;

use crate::common::kefu;

/// `kefu embed --model MODEL --kind KIND TEXTS...`: one vector per text.
fn embed(model: &str, kind: &str, texts: &[&str]) -> Vec<Vec<f32>> {
    let output = kefu().args(["embed", "--model", model, "--kind", kind]).args(texts).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON vector per line"))
        .collect()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn e5_puts_chinese_paraphrases_well_above_unrelated_questions() {
    let questions = ["退货运费谁承担？", "多久能收到退款？", "可以开发票吗？"];
    let paraphrases = ["退回商品的邮费由谁来付？", "退款一般几天到账？", "你们能提供发票吗？"];
    let unrelated = ["明天北京的天气怎么样？", "红烧肉怎么做才好吃？"];
    let q = embed("multilingual-e5-small", "query", &questions);
    let p = embed("multilingual-e5-small", "query", &paraphrases);
    let off = embed("multilingual-e5-small", "query", &unrelated);
    for (i, question) in q.iter().enumerate() {
        assert_eq!(question.len(), 384);
        assert!((dot(question, question) - 1.0).abs() < 1e-4, "vectors are unit length");
        let own = dot(question, &p[i]);
        for (j, other) in p.iter().enumerate().filter(|&(j, _)| j != i) {
            assert!(own > dot(question, other), "{}: {} beats its paraphrase", questions[i], paraphrases[j]);
        }
        for (text, vector) in unrelated.iter().zip(&off) {
            let margin = own - dot(question, vector);
            assert!(margin > 0.05, "{} vs {text}: margin {margin}", questions[i]);
        }
    }
    // all-MiniLM-L6-v2 has almost no Chinese vocabulary: to it, a recipe is nearer the
    // question than its paraphrase.
    let mini = embed("all-minilm-l6-v2", "query", &[questions[0], paraphrases[0], unrelated[1]]);
    assert!(dot(&mini[0], &mini[2]) > dot(&mini[0], &mini[1]));
}

#[test]
fn e5_prefixes_tell_questions_from_passages() {
    let text = "七天无理由退货";
    let (query, passage) = (
        embed("multilingual-e5-small", "query", &[text]),
        embed("multilingual-e5-small", "passage", &[text]),
    );
    let similarity = dot(&query[0], &passage[0]);
    assert!(
        similarity < 0.999 && similarity > 0.8,
        "query: and passage: give related, different vectors: {similarity}"
    );
    // MiniLM has no prefixes: both kinds are the same vector.
    let (query, passage) =
        (embed("all-minilm-l6-v2", "query", &[text]), embed("all-minilm-l6-v2", "passage", &[text]));
    assert!(dot(&query[0], &passage[0]) > 0.9999);
}

#[test]
fn texts_on_standard_input_are_json_strings() {
    let mut child = kefu()
        .args(["embed", "--model", "all-minilm-l6-v2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"\"a refund\"\nnot json\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2") && stderr.contains("JSON string"), "{stderr}");
}
