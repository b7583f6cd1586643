//! Labelled sets: reading them from disk and checking them.
//!
//! Two layouts (see docs/evaluation.md):
//! - **BEIR**: a folder with `corpus.jsonl` (`_id`, `title`, `text`, optional `url`),
//!   `queries.jsonl` (`_id`, `text`, optional `answer` and `answerable`) and `qrels.tsv`
//!   (`query-id`, `corpus-id`, `score`, with a header row). A train part, `queries_train.jsonl`
//!   with `qrels_train.tsv`, is read as the set's dev part.
//! - **kefu**: one JSONL file of questions about a help center that is already ingested (`id`,
//!   `question`, `locale`, `gold_doc_ids`, `answer`, `answerable`, optional `split`,
//!   `key_facts`, `kinds` and `parts`).
//!
//! Parsing works on strings; only [`load`] touches the disk.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use kefu_ingest::Document;
use serde::Deserialize;

use super::metrics::Judgements;
use crate::{Error, Result};

/// Share of a set's questions taken as its dev part when it has none of its own (for choosing
/// the confidence threshold).
const DERIVED_DEV_SHARE: u8 = 77; // of 256: 30%

/// Most key facts, kinds or parts one question may list, and the longest each may be (in
/// characters): labels are short, and each fact is searched for in the answer.
const MAX_LIST: usize = 32;
const MAX_LABEL_CHARS: usize = 200;

/// A labelled question.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledQuery {
    /// Identifier.
    pub id: String,
    /// The question.
    pub text: String,
    /// The customer's locale, when labelled.
    pub locale: Option<String>,
    /// Relevant documents and their grades (empty for unanswerable questions).
    pub relevant: Judgements,
    /// Reference answer, if any (alternatives separated by ` | `).
    pub answer: Option<String>,
    /// `false` for questions kefu must refuse.
    pub answerable: bool,
    /// Short facts a complete answer must state ("£4.99", "30 days", "7天"); see
    /// [`super::facts`].
    pub key_facts: Vec<String>,
    /// Tags for per-kind breakdowns (`typo`, `pinyin`, `multi_part`…).
    pub kinds: Vec<String>,
    /// The questions of a multi-part message, each labelled on its own (empty otherwise).
    pub parts: Vec<QueryPart>,
}

/// One question of a multi-part message.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryPart {
    /// That question, restated.
    pub question: String,
    /// Documents that answer it (none when unanswerable).
    #[serde(default)]
    pub gold_doc_ids: Vec<String>,
    /// Its reference answer.
    #[serde(default)]
    pub answer: String,
    /// Facts an answer to it must state.
    #[serde(default)]
    pub key_facts: Vec<String>,
    /// `false` when the help center does not answer it.
    #[serde(default = "yes")]
    pub answerable: bool,
}

fn yes() -> bool {
    true
}

/// Which layout a set is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetFormat {
    /// A BEIR-style folder, with its own corpus.
    Beir,
    /// kefu's JSONL questions about an ingested help center.
    Kefu,
}

impl SetFormat {
    /// Its name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SetFormat::Beir => "beir",
            SetFormat::Kefu => "kefu",
        }
    }
}

/// A labelled set.
#[derive(Debug, Clone)]
pub struct LabelledSet {
    /// The folder or file name.
    pub name: String,
    /// Its layout.
    pub format: SetFormat,
    /// The BEIR corpus, if the set brings its own.
    pub corpus: Option<Corpus>,
    /// The questions evaluated.
    pub test: Vec<LabelledQuery>,
    /// The set's own dev (or train) questions, if it has any.
    pub dev: Vec<LabelledQuery>,
    /// Questions with neither judgements nor an unanswerable mark, left out.
    pub unjudged: usize,
    /// blake3 of every file read, so reports say exactly what was evaluated.
    pub fingerprint: String,
}

impl LabelledSet {
    /// The dev part for calibration, and the questions to report on: the set's own dev part
    /// and all its test questions when it has one, else a fixed 30% of the test questions
    /// (chosen by a hash of the id, so the split never changes) and the other 70%.
    pub fn calibration_split(&self) -> (Vec<LabelledQuery>, Vec<LabelledQuery>) {
        if !self.dev.is_empty() {
            return (self.dev.clone(), self.test.clone());
        }
        self.test
            .iter()
            .cloned()
            .partition(|q| blake3::hash(q.id.as_bytes()).as_bytes()[0] < DERIVED_DEV_SHARE)
    }
}

/// Reads the set at `path`: a BEIR folder or a kefu JSONL file.
pub fn load(path: &Path) -> Result<LabelledSet> {
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("set").to_string();
    let mut fingerprint = blake3::Hasher::new();
    let mut read = |file: &Path| -> Result<String> {
        let text = std::fs::read_to_string(file).map_err(Error::io(file))?;
        fingerprint.update(text.as_bytes());
        Ok(text)
    };
    if path.is_dir() {
        let corpus = path.join("corpus.jsonl");
        if !corpus.is_file() {
            return Err(dataset(path, "a BEIR folder needs corpus.jsonl, queries.jsonl and qrels.tsv"));
        }
        let corpus_text = std::fs::read_to_string(&corpus).map_err(Error::io(&corpus))?;
        let corpus_hash = blake3::hash(corpus_text.as_bytes());
        let mut part = |queries: &str, qrels: &str| -> Result<(Vec<LabelledQuery>, usize)> {
            let (q, r) = (path.join(queries), path.join(qrels));
            parse_beir(&read(&q)?, &q, &read(&r)?, &r)
        };
        let (test, unjudged) = part("queries.jsonl", "qrels.tsv")?;
        let dev = if path.join("queries_train.jsonl").is_file() {
            part("queries_train.jsonl", "qrels_train.tsv")?.0
        } else {
            Vec::new()
        };
        fingerprint.update(corpus_hash.as_bytes());
        let fingerprint = fingerprint.finalize().to_hex()[..16].to_string();
        return Ok(LabelledSet {
            name,
            format: SetFormat::Beir,
            corpus: Some(Corpus { path: corpus, hash: corpus_hash.to_hex().to_string(), text: corpus_text }),
            test,
            dev,
            unjudged,
            fingerprint,
        });
    }
    let (test, dev) = parse_kefu(&read(path)?, path)?;
    let fingerprint = fingerprint.finalize().to_hex()[..16].to_string();
    Ok(LabelledSet { name, format: SetFormat::Kefu, corpus: None, test, dev, unjudged: 0, fingerprint })
}

/// A BEIR `corpus.jsonl`, read once.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The file.
    pub path: PathBuf,
    /// blake3 of its bytes.
    pub hash: String,
    /// Its content.
    pub text: String,
}

impl Corpus {
    /// Its documents. A record without text cannot be retrieved: it is left out with a warning
    /// (malformed lines are errors).
    pub fn documents(&self) -> Result<Vec<Document>> {
        #[derive(Deserialize)]
        struct Line {
            #[serde(rename = "_id")]
            id: String,
            #[serde(default)]
            title: String,
            text: String,
            url: Option<String>,
        }
        let mut documents = Vec::new();
        for (n, line) in lines(&self.text) {
            let line: Line = parse_line(&self.path, n, line)?;
            match kefu_ingest::load_record(&line.id, &line.title, &line.text, line.url.as_deref()) {
                Ok(document) => documents.push(document),
                Err(e) => tracing::warn!("{}:{n}: left out: {}", self.path.display(), e),
            }
        }
        Ok(documents)
    }
}

fn parse_beir(
    queries: &str,
    queries_path: &Path,
    qrels: &str,
    qrels_path: &Path,
) -> Result<(Vec<LabelledQuery>, usize)> {
    #[derive(Deserialize)]
    struct Line {
        #[serde(rename = "_id")]
        id: String,
        text: String,
        answer: Option<String>,
        answerable: Option<bool>,
    }
    let judgements = parse_qrels(qrels, qrels_path)?;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut unjudged = 0;
    for (n, line) in lines(queries) {
        let line: Line = parse_line(queries_path, n, line)?;
        if !seen.insert(line.id.clone()) {
            return Err(dataset_line(queries_path, n, &format!("query id {:?} appears twice", line.id)));
        }
        let relevant = judgements.get(&line.id).cloned().unwrap_or_default();
        let answerable = line.answerable.unwrap_or(true);
        if answerable && relevant.values().all(|&g| g == 0) {
            unjudged += 1;
            continue;
        }
        if !answerable && !relevant.is_empty() {
            return Err(dataset_line(queries_path, n, "an unanswerable query has relevance judgements"));
        }
        out.push(LabelledQuery {
            id: line.id,
            text: line.text,
            locale: None,
            relevant,
            answer: line.answer.filter(|a| !a.trim().is_empty()),
            answerable,
            key_facts: Vec::new(),
            kinds: Vec::new(),
            parts: Vec::new(),
        });
    }
    Ok((out, unjudged))
}

/// `query-id corpus-id score` rows after a header.
fn parse_qrels(text: &str, path: &Path) -> Result<HashMap<String, Judgements>> {
    let mut out: HashMap<String, Judgements> = HashMap::new();
    for (n, line) in lines(text).skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [query, doc, score] = fields[..] else {
            return Err(dataset_line(path, n, "expected `query-id<TAB>corpus-id<TAB>score`"));
        };
        let score: u32 = score
            .trim()
            .parse()
            .map_err(|_| dataset_line(path, n, &format!("score {score:?} is not a whole number")))?;
        out.entry(query.to_string()).or_default().insert(doc.to_string(), score);
    }
    Ok(out)
}

/// kefu's format: (test, dev) questions.
fn parse_kefu(text: &str, path: &Path) -> Result<(Vec<LabelledQuery>, Vec<LabelledQuery>)> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Line {
        id: String,
        question: String,
        locale: Option<String>,
        #[serde(default)]
        gold_doc_ids: Vec<String>,
        #[serde(default)]
        answer: String,
        #[serde(default = "yes")]
        answerable: bool,
        #[serde(default)]
        split: Option<String>,
        #[serde(default)]
        key_facts: Vec<String>,
        #[serde(default)]
        kinds: Vec<String>,
        #[serde(default)]
        parts: Vec<QueryPart>,
    }
    let (mut test, mut dev) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for (n, line) in lines(text) {
        let line: Line = parse_line(path, n, line)?;
        let fail = |message: &str| dataset_line(path, n, message);
        if !seen.insert(line.id.clone()) {
            return Err(fail(&format!("id {:?} appears twice", line.id)));
        }
        if line.question.trim().is_empty() {
            return Err(fail("`question` is empty"));
        }
        match (line.answerable, line.gold_doc_ids.is_empty()) {
            (true, true) => return Err(fail("an answerable question needs `gold_doc_ids`")),
            (false, false) => return Err(fail("an unanswerable question cannot have `gold_doc_ids`")),
            _ => {}
        }
        check_labels("key_facts", &line.key_facts).map_err(|m| fail(&m))?;
        check_labels("kinds", &line.kinds).map_err(|m| fail(&m))?;
        if !line.answerable && !line.key_facts.is_empty() {
            return Err(fail("an unanswerable question cannot have `key_facts`"));
        }
        check_parts(&line.parts, line.answerable).map_err(|m| fail(&m))?;
        let query = LabelledQuery {
            id: line.id,
            text: line.question,
            locale: line.locale,
            relevant: line.gold_doc_ids.into_iter().map(|d| (d, 1)).collect(),
            answer: Some(line.answer).filter(|a| !a.trim().is_empty()),
            answerable: line.answerable,
            key_facts: line.key_facts,
            kinds: line.kinds,
            parts: line.parts,
        };
        match line.split.as_deref() {
            None | Some("test") => test.push(query),
            Some("dev") => dev.push(query),
            Some(other) => return Err(fail(&format!("`split` is {other:?}; use \"dev\" or \"test\""))),
        }
    }
    if test.is_empty() {
        return Err(dataset(path, "no test questions"));
    }
    Ok((test, dev))
}

/// A list of short labels (`key_facts`, `kinds`): bounded, no empty entry.
fn check_labels(field: &str, labels: &[String]) -> std::result::Result<(), String> {
    if labels.len() > MAX_LIST {
        return Err(format!("`{field}` has {} entries; at most {MAX_LIST}", labels.len()));
    }
    if let Some(i) = labels.iter().position(|l| l.trim().is_empty()) {
        return Err(format!("`{field}[{i}]` is empty"));
    }
    if let Some(i) = labels.iter().position(|l| l.chars().count() > MAX_LABEL_CHARS) {
        return Err(format!("`{field}[{i}]` is longer than {MAX_LABEL_CHARS} characters"));
    }
    Ok(())
}

/// The parts of a multi-part message: each labelled like a question, and the message answerable
/// exactly when one of its parts is.
fn check_parts(parts: &[QueryPart], answerable: bool) -> std::result::Result<(), String> {
    if parts.is_empty() {
        return Ok(());
    }
    if parts.len() > MAX_LIST {
        return Err(format!("`parts` has {} entries; at most {MAX_LIST}", parts.len()));
    }
    for (i, part) in parts.iter().enumerate() {
        if part.question.trim().is_empty() {
            return Err(format!("`parts[{i}].question` is empty"));
        }
        match (part.answerable, part.gold_doc_ids.is_empty()) {
            (true, true) => return Err(format!("`parts[{i}]`: an answerable part needs `gold_doc_ids`")),
            (false, false) => {
                return Err(format!("`parts[{i}]`: an unanswerable part cannot have `gold_doc_ids`"));
            }
            _ => {}
        }
        check_labels(&format!("parts[{i}].key_facts"), &part.key_facts)?;
        if !part.answerable && !part.key_facts.is_empty() {
            return Err(format!("`parts[{i}]`: an unanswerable part cannot have `key_facts`"));
        }
    }
    if parts.iter().any(|p| p.answerable) != answerable {
        return Err(format!(
            "`answerable` is {answerable} but {} of its `parts` is answerable",
            if answerable { "none" } else { "one" }
        ));
    }
    Ok(())
}

/// Non-empty lines with their 1-based numbers.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
}

pub(crate) fn parse_line<T: serde::de::DeserializeOwned>(path: &Path, n: usize, line: &str) -> Result<T> {
    serde_json::from_str(line).map_err(|e| dataset_line(path, n, &e.to_string()))
}

pub(crate) fn dataset(path: &Path, message: &str) -> Error {
    Error::Dataset { path: path.to_path_buf(), message: message.to_string() }
}

pub(crate) fn dataset_line(path: &Path, n: usize, message: &str) -> Error {
    Error::Dataset { path: PathBuf::from(format!("{}:{n}", path.display())), message: message.to_string() }
}

/// Documents ranked by their best chunk: chunk hits' document ids, first occurrences only.
pub fn documents_in_order<'a>(doc_ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    doc_ids.into_iter().filter(|id| seen.insert(*id)).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const QRELS: &str = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\nq3\td9\t0\n";

    #[test]
    fn beir_queries_join_their_judgements() {
        let queries = "{\"_id\":\"q1\",\"text\":\"refunds?\",\"answer\":\"5 days\"}\n\n\
                       {\"_id\":\"q2\",\"text\":\"gift cards?\",\"answerable\":false}\n\
                       {\"_id\":\"q3\",\"text\":\"judged irrelevant only\"}\n";
        let (queries, unjudged) =
            parse_beir(queries, Path::new("q.jsonl"), QRELS, Path::new("r.tsv")).unwrap();
        assert_eq!(queries.len(), 2);
        assert_eq!(queries[0].relevant.get("d2"), Some(&2));
        assert_eq!(queries[0].answer.as_deref(), Some("5 days"));
        assert!(!queries[1].answerable && queries[1].relevant.is_empty());
        assert_eq!(unjudged, 1, "q3 has only a grade-0 judgement");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err =
            parse_beir("{\"_id\":\"q1\"}\n", Path::new("queries.jsonl"), QRELS, Path::new("r")).unwrap_err();
        assert!(err.to_string().starts_with("queries.jsonl:1: missing field `text`"), "{err}");
        let err = parse_qrels("h\nq1 d1 1\n", Path::new("qrels.tsv")).unwrap_err();
        assert!(err.to_string().starts_with("qrels.tsv:2: expected"), "{err}");
        let err = parse_qrels("h\nq1\td1\thigh\n", Path::new("qrels.tsv")).unwrap_err();
        assert!(err.to_string().contains("\"high\" is not a whole number"), "{err}");
        let line = |json: &str| parse_kefu(json, Path::new("set.jsonl")).unwrap_err().to_string();
        assert!(
            line("{\"id\":\"a\",\"question\":\"q\"}").contains("set.jsonl:1: an answerable question needs")
        );
        assert!(
            line("{\"id\":\"a\",\"question\":\"q\",\"answerable\":false,\"gold_doc_ids\":[\"x\"]}")
                .contains("cannot have `gold_doc_ids`")
        );
        assert!(line("{\"id\":\"a\",\"question\":\"q\",\"gold\":[]}").contains("unknown field `gold`"));
        let twice = "{\"id\":\"a\",\"question\":\"q\",\"gold_doc_ids\":[\"x\"]}\n".repeat(2);
        assert!(line(&twice).contains("set.jsonl:2: id \"a\" appears twice"));
    }

    #[test]
    fn kefu_questions_split_into_test_and_dev() {
        let text = "{\"id\":\"a\",\"question\":\"q\",\"locale\":\"en\",\"gold_doc_ids\":[\"x.md\"],\"answer\":\"r\"}\n\
                    {\"id\":\"b\",\"question\":\"q\",\"answerable\":false,\"split\":\"dev\"}\n";
        let (test, dev) = parse_kefu(text, Path::new("s.jsonl")).unwrap();
        assert_eq!((test.len(), dev.len()), (1, 1));
        assert_eq!(test[0].relevant.get("x.md"), Some(&1));
        assert_eq!(test[0].locale.as_deref(), Some("en"));
        assert!(!dev[0].answerable && dev[0].answer.is_none());
    }

    #[test]
    fn kefu_messages_keep_key_facts_kinds_and_parts() {
        let text = r#"{"id":"m1","question":"return fee? and do u sell gift cards","gold_doc_ids":["r.md"],"key_facts":["£4.99"],"kinds":["multi_part","partial"],"parts":[{"question":"return fee?","gold_doc_ids":["r.md"],"answer":"£4.99","key_facts":["£4.99"]},{"question":"gift cards?","answerable":false}]}"#;
        let (test, _) = parse_kefu(text, Path::new("m.jsonl")).unwrap();
        let q = &test[0];
        assert_eq!(q.key_facts, ["£4.99"]);
        assert_eq!(q.kinds, ["multi_part", "partial"]);
        assert_eq!(q.parts.len(), 2);
        assert_eq!(q.parts[0].gold_doc_ids, ["r.md"]);
        assert!(!q.parts[1].answerable && q.parts[1].key_facts.is_empty());
        // Old lines still read, with nothing new.
        let (old, _) =
            parse_kefu(r#"{"id":"a","question":"q","gold_doc_ids":["x"]}"#, Path::new("s")).unwrap();
        assert!(old[0].key_facts.is_empty() && old[0].kinds.is_empty() && old[0].parts.is_empty());
    }

    #[test]
    fn bad_key_facts_kinds_and_parts_name_the_line_and_field() {
        let line = |json: &str| parse_kefu(json, Path::new("m.jsonl")).unwrap_err().to_string();
        let head = r#"{"id":"a","question":"q","gold_doc_ids":["x"],"#;
        let err = line(&format!(
            r#"{head}"parts":[{{"question":"p1","gold_doc_ids":["x"]}},{{"question":"p2"}}]}}"#
        ));
        assert!(err.contains("m.jsonl:1: `parts[1]`: an answerable part needs `gold_doc_ids`"), "{err}");
        let err =
            line(&format!(r#"{head}"parts":[{{"question":"p","answerable":false,"gold_doc_ids":["x"]}}]}}"#));
        assert!(err.contains("`parts[0]`: an unanswerable part cannot have `gold_doc_ids`"), "{err}");
        let err = line(&format!(r#"{head}"parts":[{{"question":"p","answerable":false}}]}}"#));
        assert!(err.contains("`answerable` is true but none of its `parts` is answerable"), "{err}");
        let err = line(&format!(r#"{head}"parts":[{{"question":"p","gold":["x"]}}]}}"#));
        assert!(err.contains("m.jsonl:1:") && err.contains("unknown field `gold`"), "{err}");
        let err = line(&format!(r#"{head}"key_facts":["30 days", " "]}}"#));
        assert!(err.contains("m.jsonl:1: `key_facts[1]` is empty"), "{err}");
        let err = line(&format!(r#"{head}"kinds":["{}"]}}"#, "x".repeat(201)));
        assert!(err.contains("`kinds[0]` is longer than 200 characters"), "{err}");
        let err = line(r#"{"id":"a","question":"q","answerable":false,"key_facts":["£1"]}"#);
        assert!(err.contains("an unanswerable question cannot have `key_facts`"), "{err}");
        let err = line(&format!(r#"{head}"key_facts":"£1"}}"#));
        assert!(err.contains("m.jsonl:1: invalid type"), "{err}");
    }

    #[test]
    fn derived_dev_part_is_stable_and_about_thirty_percent() {
        let query = |i: usize| LabelledQuery {
            id: format!("q{i}"),
            text: String::new(),
            locale: None,
            relevant: Judgements::new(),
            answer: None,
            answerable: true,
            key_facts: Vec::new(),
            kinds: Vec::new(),
            parts: Vec::new(),
        };
        let set = LabelledSet {
            name: "s".into(),
            format: SetFormat::Kefu,
            corpus: None,
            test: (0..1000).map(query).collect(),
            dev: Vec::new(),
            unjudged: 0,
            fingerprint: String::new(),
        };
        let (dev, rest) = set.calibration_split();
        assert_eq!(dev.len() + rest.len(), 1000);
        assert!((250..350).contains(&dev.len()), "{}", dev.len());
        assert_eq!(set.calibration_split().0, dev);
    }

    #[test]
    fn documents_are_ranked_by_their_best_chunk() {
        assert_eq!(documents_in_order(["a", "b", "a", "c", "b"]), ["a", "b", "c"]);
    }
}
