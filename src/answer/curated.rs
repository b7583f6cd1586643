//! Curated answers: what the shop's people wrote for questions the help center does not answer
//! (often an agent's reply, promoted from a resolved ticket). A question close enough in meaning
//! to one of a curated answer's example questions gets that answer, cited as a curated answer
//! with its author and date. Matching is pure: the example questions' vectors are computed by
//! whoever builds the [`CuratedSet`] (the HTTP service, from the store), with the same model as
//! the questions it is matched against.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::embed::vector::{dot, unit};

/// A curated answer, as stored (one version of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CuratedAnswer {
    /// Its id, the same across versions.
    pub id: String,
    /// 1 for the first version, then 2, 3, …
    pub version: i64,
    /// Questions it answers, as customers ask them (at least one).
    pub questions: Vec<String>,
    /// The answer.
    pub answer: String,
    /// The language of the questions and the answer (`en`, `zh`).
    pub locale: String,
    /// The product it is about, if one.
    pub product: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Who wrote it (an agent's or an editor's name).
    pub author: String,
    /// The conversation it was promoted from, if it was.
    pub source_conversation_id: Option<String>,
    /// The turn (an agent's reply) it was promoted from.
    pub source_turn_seq: Option<i64>,
    /// When this version was made (Unix milliseconds).
    pub created_at_ms: i64,
}

/// A curated answer to add, or a new version of one.
#[derive(Debug, Clone, Default)]
pub struct NewCurated {
    /// Example questions (at least one).
    pub questions: Vec<String>,
    /// The answer.
    pub answer: String,
    /// `en` or `zh`; empty: detected from the questions.
    pub locale: String,
    /// The product it is about.
    pub product: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Who makes this version.
    pub author: String,
    /// The conversation and turn (an agent's reply) it is promoted from.
    pub source: Option<(String, i64)>,
}

/// Most example questions of one curated answer.
pub const MAX_QUESTIONS: usize = 20;
/// Longest curated answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 4000;
/// Most tags, and the longest tag, product or author.
const MAX_TAGS: usize = 32;
const MAX_LABEL_CHARS: usize = 200;

impl NewCurated {
    /// The same, trimmed and checked: 1 to [`MAX_QUESTIONS`] questions of at most
    /// `max_question_chars`, an answer of at most [`MAX_ANSWER_CHARS`], `en` or `zh` (detected
    /// when empty), at most 32 tags; the error names the field.
    pub fn checked(mut self, max_question_chars: usize) -> crate::Result<NewCurated> {
        let invalid = |code: &'static str, field: &'static str, message: String| crate::Error::InvalidField {
            code,
            field,
            message,
        };
        self.questions =
            self.questions.iter().map(|q| q.trim().to_string()).filter(|q| !q.is_empty()).collect();
        if self.questions.is_empty()
            || self.questions.len() > MAX_QUESTIONS
            || self.questions.iter().any(|q| q.chars().count() > max_question_chars)
        {
            return Err(invalid(
                "invalid_curated_questions",
                "questions",
                format!("1 to {MAX_QUESTIONS} questions of at most {max_question_chars} characters"),
            ));
        }
        self.answer = self.answer.trim().to_string();
        if self.answer.is_empty() || self.answer.chars().count() > MAX_ANSWER_CHARS {
            return Err(invalid(
                "invalid_curated_answer",
                "answer",
                format!("1 to {MAX_ANSWER_CHARS} characters"),
            ));
        }
        self.locale = match self.locale.as_str() {
            "" => super::messages::language_of(&self.questions.join(" "), None).to_string(),
            "en" | "zh" => self.locale,
            _ => return Err(invalid("invalid_curated_locale", "locale", "`en` or `zh`".into())),
        };
        let label =
            |text: &str| text.chars().count() <= MAX_LABEL_CHARS && !text.chars().any(char::is_control);
        if self.tags.len() > MAX_TAGS || !self.tags.iter().all(|t| label(t)) {
            return Err(invalid(
                "invalid_curated_tags",
                "tags",
                format!("at most {MAX_TAGS} tags of {MAX_LABEL_CHARS} characters"),
            ));
        }
        if !self.product.as_deref().is_none_or(label) {
            return Err(invalid(
                "invalid_curated_product",
                "product",
                format!("at most {MAX_LABEL_CHARS} characters"),
            ));
        }
        if self.author.trim().is_empty() || !label(&self.author) {
            return Err(invalid(
                "invalid_curated_author",
                "author",
                format!("1 to {MAX_LABEL_CHARS} characters"),
            ));
        }
        Ok(self)
    }
}

/// A question's closest curated answer, when it is close enough.
///
/// Close enough is two tests, chosen on the dev half of eval/sets/curated.jsonl (docs/curated.md):
/// the question is close to one of its example questions (`answer.curated_threshold`), and the
/// curated answer, read as a passage, is closer to the question than the help center's closest
/// passage by `answer.curated_margin`. The second keeps "how loud is the Roamo S7" (which the
/// help center answers) from a curated "how heavy is the Roamo S7": the questions are close,
/// but the help center's passage on noise is closer than the curated text on weight.
#[derive(Debug, Clone)]
pub struct CuratedMatch {
    /// The answer.
    pub answer: Arc<CuratedAnswer>,
    /// Cosine similarity of the question to the closest example question.
    pub score: f32,
    /// Cosine similarity of the question to the curated answer read as a passage (its
    /// questions and text), comparable with the help center's passages' dense scores.
    pub passage_score: f32,
    /// Cosine similarity of the question to the help center's closest passage (0 until the
    /// caller measures it).
    pub help_center_score: f32,
}

impl CuratedAnswer {
    /// Its example questions and its answer, as one text (for the words it holds).
    pub fn text(&self) -> String {
        format!("{}\n{}", self.questions.join("\n"), self.answer)
    }
}

/// The live curated answers with their example questions' vectors.
#[derive(Debug, Default)]
pub struct CuratedSet {
    entries: Vec<Entry>,
    /// The least similarity at which a question is answered by a curated answer.
    threshold: f32,
}

#[derive(Debug)]
struct Entry {
    answer: Arc<CuratedAnswer>,
    /// One unit vector per example question.
    vectors: Vec<Vec<f32>>,
    /// The answer read as a passage ([`CuratedAnswer::text`]), a unit vector.
    passage: Vec<f32>,
}

/// A curated answer with its vectors: one per example question (embedded as questions), and
/// its [`CuratedAnswer::text`] embedded as a passage.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// The answer.
    pub answer: CuratedAnswer,
    /// Its example questions' vectors, in order.
    pub questions: Vec<Vec<f32>>,
    /// Its text's vector.
    pub passage: Vec<f32>,
}

/// A curated answer read as a passage, as retrieval sees it.
#[derive(Debug, Clone)]
pub struct CuratedPassage {
    /// The answer.
    pub answer: Arc<CuratedAnswer>,
    /// Its example question closest to the question (index into its `questions`).
    pub question: usize,
    /// Cosine similarity of the question to that example question.
    pub question_score: f32,
    /// Cosine similarity of the question to the answer read as a passage.
    pub score: f32,
}

impl CuratedAnswer {
    /// The id of its passage among retrieved passages: `curated:{id}@{version}`.
    pub fn passage_id(&self) -> String {
        format!("curated:{}@{}", self.id, self.version)
    }
}

impl CuratedMatch {
    /// Whether the curated answer is closer to the question than the help center, by `margin`.
    pub fn beats_help_center(&self, margin: f32) -> bool {
        self.passage_score - self.help_center_score >= margin
    }
}

impl CuratedSet {
    /// The set of `answers` with their vectors, matched at `threshold`.
    pub fn new(answers: Vec<Embedded>, threshold: f32) -> CuratedSet {
        let entries = answers
            .into_iter()
            .map(|e| Entry {
                answer: Arc::new(e.answer),
                vectors: e.questions.into_iter().map(unit).collect(),
                passage: unit(e.passage),
            })
            .collect();
        CuratedSet { entries, threshold }
    }

    /// How many curated answers there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The curated answer in `language` whose example question is closest to `query` (a
    /// question's vector), if at least the threshold; ties go to the newest.
    pub fn best(&self, query: &[f32], language: &str) -> Option<CuratedMatch> {
        let query = unit(query.to_vec());
        self.scores(&query, language)
            .filter(|(_, score)| *score >= self.threshold)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(a.0.answer.created_at_ms.cmp(&b.0.answer.created_at_ms)))
            .map(|(entry, score)| CuratedMatch {
                answer: entry.answer.clone(),
                score,
                passage_score: dot(&entry.passage, &query),
                help_center_score: 0.0,
            })
    }

    /// The curated answer in `language` whose text, read as a passage, is closest to `query` (a
    /// question's vector): it takes part in retrieval as a FAQ entry would when none answers the
    /// question outright (docs/curated.md).
    pub fn closest_passage(&self, query: &[f32], language: &str) -> Option<CuratedPassage> {
        let query = unit(query.to_vec());
        self.entries
            .iter()
            .filter(|e| e.answer.locale.starts_with(language))
            .map(|entry| (entry, dot(&entry.passage, &query)))
            .filter(|(_, score)| score.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1).then(a.0.answer.created_at_ms.cmp(&b.0.answer.created_at_ms)))
            .map(|(entry, score)| {
                let (question, question_score) = entry
                    .vectors
                    .iter()
                    .map(|v| dot(v, &query))
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap_or((0, 0.0));
                CuratedPassage { answer: entry.answer.clone(), question, question_score, score }
            })
    }

    /// Every curated answer in `language` with its best similarity to `query` (a unit vector).
    fn scores<'a>(&'a self, query: &'a [f32], language: &'a str) -> impl Iterator<Item = (&'a Entry, f32)> {
        self.entries.iter().filter(move |e| e.answer.locale.starts_with(language)).filter_map(move |entry| {
            let best = entry.vectors.iter().map(|v| dot(v, query)).fold(f32::NEG_INFINITY, f32::max);
            best.is_finite().then_some((entry, best))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: &str, locale: &str, created_at_ms: i64) -> CuratedAnswer {
        CuratedAnswer {
            id: id.into(),
            version: 1,
            questions: vec!["q".into()],
            answer: format!("answer {id}"),
            locale: locale.into(),
            product: None,
            tags: Vec::new(),
            author: "alice".into(),
            source_conversation_id: None,
            source_turn_seq: None,
            created_at_ms,
        }
    }

    #[test]
    fn a_curated_answer_is_checked_field_by_field() {
        let draft = || NewCurated {
            questions: vec!["  how heavy is the Roamo S7? ".into(), " ".into()],
            answer: " 3.6 kg with the bin. ".into(),
            author: "alice".into(),
            ..NewCurated::default()
        };
        let checked = draft().checked(1000).unwrap();
        assert_eq!(checked.questions, ["how heavy is the Roamo S7?"]);
        assert_eq!((checked.answer.as_str(), checked.locale.as_str()), ("3.6 kg with the bin.", "en"));
        let zh = NewCurated { questions: vec!["扫地机多重？".into()], ..draft() }.checked(1000).unwrap();
        assert_eq!(zh.locale, "zh");
        for (broken, code) in [
            (NewCurated { questions: vec![" ".into()], ..draft() }, "invalid_curated_questions"),
            (NewCurated { questions: vec!["x".repeat(101)], ..draft() }, "invalid_curated_questions"),
            (NewCurated { answer: String::new(), ..draft() }, "invalid_curated_answer"),
            (NewCurated { locale: "fr".into(), ..draft() }, "invalid_curated_locale"),
            (NewCurated { tags: vec!["a\nb".into()], ..draft() }, "invalid_curated_tags"),
            (NewCurated { author: String::new(), ..draft() }, "invalid_curated_author"),
        ] {
            assert_eq!(broken.checked(100).unwrap_err().code(), code);
        }
    }

    #[test]
    fn the_closest_example_above_the_threshold_in_the_question_language_answers() {
        let embedded = |answer, questions| Embedded { answer, questions, passage: vec![0.0, 1.0, 0.0] };
        let set = CuratedSet::new(
            vec![
                embedded(answer("a", "en", 1), vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]]),
                embedded(answer("b", "en", 2), vec![vec![0.6, 0.8, 0.0]]),
                embedded(answer("c", "zh", 3), vec![vec![0.0, 0.0, 2.0]]),
            ],
            0.9,
        );
        assert_eq!(set.len(), 3);
        // Any of an answer's example questions counts; vectors need not be unit length.
        let hit = set.best(&[0.0, 3.0, 0.1], "en").unwrap();
        assert_eq!(hit.answer.id, "a");
        assert!(hit.score > 0.99 && hit.passage_score > 0.99);
        assert_eq!(set.best(&[0.62, 0.78, 0.0], "en").unwrap().answer.id, "b");
        // Below the threshold: nothing.
        assert!(set.best(&[0.7, 0.7, 0.7], "en").is_none());
        // Another language's answer is not offered, however close.
        assert!(set.best(&[0.0, 0.0, 1.0], "en").is_none());
        assert_eq!(set.best(&[0.0, 0.0, 1.0], "zh").unwrap().answer.id, "c");
        // Equal scores: the newest.
        let twins = CuratedSet::new(
            vec![
                Embedded {
                    answer: answer("old", "en", 1),
                    questions: vec![vec![1.0, 0.0]],
                    passage: vec![1.0, 0.0],
                },
                Embedded {
                    answer: answer("new", "en", 2),
                    questions: vec![vec![1.0, 0.0]],
                    passage: vec![1.0, 0.0],
                },
            ],
            0.5,
        );
        assert_eq!(twins.best(&[1.0, 0.0], "en").unwrap().answer.id, "new");
        assert!(CuratedSet::default().best(&[1.0], "en").is_none());
    }
}
