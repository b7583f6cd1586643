//! Answer metrics: overlap with reference answers, citations, key facts, abstention, and the
//! choice of a confidence threshold. Pure functions.

use std::collections::BTreeMap;

use super::report::{KindFigures, Metrics};
use crate::analysis::answer_words;

/// Token F1 between an answer and a reference (SQuAD's measure over [`answer_words`]: words
/// counted with multiplicity). A reference may give alternatives separated by ` | `; the best
/// one counts.
pub fn token_f1(answer: &str, reference: &str) -> f64 {
    best_alternative(reference, |r| {
        let (a, r) = (answer_words(answer), answer_words(r));
        let mut pool: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for w in &r {
            *pool.entry(w.as_str()).or_default() += 1;
        }
        let common = a
            .iter()
            .filter(|w| match pool.get_mut(w.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            })
            .count();
        f_measure(common, a.len(), r.len())
    })
}

/// ROUGE-L F1: the longest common subsequence of words, as a share of each side's length.
pub fn rouge_l(answer: &str, reference: &str) -> f64 {
    best_alternative(reference, |r| {
        let (a, r) = (answer_words(answer), answer_words(r));
        f_measure(longest_common_subsequence(&a, &r), a.len(), r.len())
    })
}

fn best_alternative(reference: &str, score: impl Fn(&str) -> f64) -> f64 {
    reference.split(" | ").map(score).fold(0.0, f64::max)
}

fn f_measure(common: usize, answer_len: usize, reference_len: usize) -> f64 {
    if common == 0 {
        return 0.0;
    }
    let precision = common as f64 / answer_len as f64;
    let recall = common as f64 / reference_len as f64;
    2.0 * precision * recall / (precision + recall)
}

fn longest_common_subsequence(a: &[String], b: &[String]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diagonal = 0;
        for (j, y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if x == y { diagonal + 1 } else { above.max(row[j]) };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// What the answerer did with one labelled question, with no confidence threshold applied.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerOutcome {
    /// Whether the question has an answer in the corpus.
    pub answerable: bool,
    /// The answerer's confidence.
    pub confidence: f32,
    /// Whether it wrote an answer when allowed to (some questions it never answers: requests
    /// for a person, no passage found, an LLM that said there is no answer).
    pub answers_when_allowed: bool,
    /// Documents it cited: how many, and how many of them are gold.
    pub cited: usize,
    /// Cited documents that are gold.
    pub cited_gold: usize,
    /// Its key facts found in the answer, when it is labelled with some.
    pub key_facts: Option<FactScore>,
    /// Each part of a multi-part message (empty for other questions).
    pub parts: Vec<PartOutcome>,
    /// Its `kinds` tags.
    pub kinds: Vec<String>,
}

/// How many of a question's key facts an answer states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactScore {
    /// Key facts found in the answer.
    pub found: usize,
    /// Key facts labelled (at least one).
    pub total: usize,
}

impl FactScore {
    /// The share found.
    pub fn recall(&self) -> f64 {
        self.found as f64 / self.total.max(1) as f64
    }
}

/// What the answer to a multi-part message did for one of its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartOutcome {
    /// Whether the part has an answer in the corpus (nothing is asked of the others).
    pub answerable: bool,
    /// Whether the answer cites a gold document of this part.
    pub cites_gold: bool,
    /// This part's key facts found in the (whole) answer, when it is labelled with some.
    pub key_facts: Option<FactScore>,
}

impl AnswerOutcome {
    /// Whether it answers at `threshold`.
    pub fn answered_at(&self, threshold: f32) -> bool {
        self.answers_when_allowed && self.confidence >= threshold
    }

    /// Whether the decision at `threshold` was right: an answerable question answered with a
    /// gold citation, or an unanswerable one refused.
    pub fn correct_at(&self, threshold: f32) -> bool {
        match (self.answerable, self.answered_at(threshold)) {
            (true, true) => self.cited_gold > 0,
            (false, answered) => !answered,
            (true, false) => false,
        }
    }
}

/// Abstention and citation figures of a set of outcomes at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionMetrics {
    /// Of the questions kefu refused, the share that had no answer.
    pub abstention_precision: f64,
    /// Of the questions with no answer, the share kefu refused (`None` without any: recall of
    /// abstentions means nothing when there is nothing to refuse).
    pub abstention_recall: Option<f64>,
    /// Of the answerable questions, the share kefu answered.
    pub answer_rate: f64,
    /// Of the documents cited in answers to answerable questions, the share that are gold.
    pub citation_precision: f64,
    /// Of the answers to answerable questions, the share citing at least one gold document.
    pub citation_hit_rate: f64,
    /// Share of questions where the decision was right (see [`AnswerOutcome::correct_at`]).
    pub decision_accuracy: f64,
    /// The mean of the decision accuracy on answerable and on unanswerable questions: refusing
    /// what has no answer counts as much as answering what has one, however few unanswerable
    /// questions a set has.
    pub balanced_accuracy: f64,
}

impl DecisionMetrics {
    /// The figures by name, as reports list them.
    pub fn to_metrics(&self) -> Metrics {
        let mut metrics = Metrics::from([
            ("abstention_precision".to_string(), self.abstention_precision),
            ("answer_rate".to_string(), self.answer_rate),
            ("citation_precision".to_string(), self.citation_precision),
            ("citation_hit_rate".to_string(), self.citation_hit_rate),
            ("decision_accuracy".to_string(), self.decision_accuracy),
            ("balanced_accuracy".to_string(), self.balanced_accuracy),
        ]);
        if let Some(recall) = self.abstention_recall {
            metrics.insert("abstention_recall".to_string(), recall);
        }
        metrics
    }
}

/// The figures of `outcomes` at `threshold`. Ratios with nothing to count are 0, except
/// abstention recall (`None`).
pub fn decisions(outcomes: &[AnswerOutcome], threshold: f32) -> DecisionMetrics {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let count = |keep: &dyn Fn(&AnswerOutcome) -> bool| outcomes.iter().filter(|o| keep(o)).count();
    let refused = count(&|o| !o.answered_at(threshold));
    let refused_unanswerable = count(&|o| !o.answerable && !o.answered_at(threshold));
    let unanswerable = count(&|o| !o.answerable);
    let answerable = outcomes.len() - unanswerable;
    let answered: Vec<&AnswerOutcome> =
        outcomes.iter().filter(|o| o.answerable && o.answered_at(threshold)).collect();
    // Accuracy on answerable and on unanswerable questions, averaged over the parts present.
    let right_answerable = ratio(count(&|o| o.answerable && o.correct_at(threshold)), answerable);
    let right_unanswerable = ratio(refused_unanswerable, unanswerable);
    let parts = usize::from(answerable > 0) + usize::from(unanswerable > 0);
    DecisionMetrics {
        abstention_precision: ratio(refused_unanswerable, refused),
        abstention_recall: (unanswerable > 0).then(|| ratio(refused_unanswerable, unanswerable)),
        answer_rate: ratio(answered.len(), answerable),
        citation_precision: ratio(
            answered.iter().map(|o| o.cited_gold).sum(),
            answered.iter().map(|o| o.cited).sum(),
        ),
        citation_hit_rate: ratio(answered.iter().filter(|o| o.cited_gold > 0).count(), answered.len()),
        decision_accuracy: ratio(count(&|o| o.correct_at(threshold)), outcomes.len()),
        balanced_accuracy: (right_answerable + right_unanswerable) / parts.max(1) as f64,
    }
}

/// Key-fact and per-part figures of a set of outcomes at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactMetrics {
    /// Whether any answerable question is labelled with key facts (else the key-fact figures
    /// are left out of reports).
    pub labelled_facts: bool,
    /// Mean key-fact recall over the answered answerable questions with key facts (`None`
    /// without any).
    pub key_fact_recall: Option<f64>,
    /// How many questions that mean is over.
    pub key_fact_questions: usize,
    /// Whether any answerable question has parts (else the part figures are left out).
    pub labelled_parts: bool,
    /// Of the answerable parts of answered multi-part messages, the share whose gold documents
    /// the answer cites (`None` without any).
    pub part_citation_hit_rate: Option<f64>,
    /// How many parts that share is over.
    pub scored_parts: usize,
    /// Mean key-fact recall over those parts that have key facts (`None` without any).
    pub part_key_fact_recall: Option<f64>,
    /// How many parts that mean is over.
    pub key_fact_parts: usize,
}

impl FactMetrics {
    /// The figures by name, as reports list them: `key_fact_recall` and `key_fact_questions`
    /// when the questions are labelled with key facts, `parts.citation_hit_rate`,
    /// `parts.scored_parts`, `parts.key_fact_recall` and `parts.key_fact_parts` when they have
    /// parts. A figure with nothing to count is 0 there.
    pub fn to_metrics(&self) -> Metrics {
        let mut metrics = Metrics::new();
        let count = |n: usize| n as f64;
        if self.labelled_facts {
            metrics.insert("key_fact_recall".into(), self.key_fact_recall.unwrap_or(0.0));
            metrics.insert("key_fact_questions".into(), count(self.key_fact_questions));
        }
        if self.labelled_parts {
            metrics.insert("parts.citation_hit_rate".into(), self.part_citation_hit_rate.unwrap_or(0.0));
            metrics.insert("parts.scored_parts".into(), count(self.scored_parts));
            if self.key_fact_parts > 0 || self.labelled_facts {
                metrics.insert("parts.key_fact_recall".into(), self.part_key_fact_recall.unwrap_or(0.0));
                metrics.insert("parts.key_fact_parts".into(), count(self.key_fact_parts));
            }
        }
        metrics
    }
}

/// The key-fact and per-part figures of `outcomes` at `threshold`: only answers count (a
/// refusal is measured by the answer rate), and only answerable questions and parts.
pub fn facts(outcomes: &[AnswerOutcome], threshold: f32) -> FactMetrics {
    let answerable = || outcomes.iter().filter(|o| o.answerable);
    let answered: Vec<&AnswerOutcome> = answerable().filter(|o| o.answered_at(threshold)).collect();
    let recalls: Vec<f64> = answered.iter().filter_map(|o| o.key_facts).map(|f| f.recall()).collect();
    let parts: Vec<&PartOutcome> = answered.iter().flat_map(|o| &o.parts).filter(|p| p.answerable).collect();
    let part_recalls: Vec<f64> = parts.iter().filter_map(|p| p.key_facts).map(|f| f.recall()).collect();
    let hits = parts.iter().filter(|p| p.cites_gold).count();
    let mean = |v: &[f64]| (!v.is_empty()).then(|| crate::stats::mean(v.iter().copied()));
    FactMetrics {
        labelled_facts: answerable().any(|o| o.key_facts.is_some()),
        key_fact_recall: mean(&recalls),
        key_fact_questions: recalls.len(),
        labelled_parts: answerable().any(|o| !o.parts.is_empty()),
        part_citation_hit_rate: (!parts.is_empty()).then(|| hits as f64 / parts.len() as f64),
        scored_parts: parts.len(),
        part_key_fact_recall: mean(&part_recalls),
        key_fact_parts: part_recalls.len(),
    }
}

/// The `kinds` tag of a message that only the shop's order system can answer.
pub const ORDER_SPECIFIC: &str = "order_specific";

/// How well questions about one's own order are told from the rest (docs/orders.md): of the
/// messages `routed` to the order system, the share tagged [`ORDER_SPECIFIC`] (precision: a
/// policy question sent to the order system is the costly mistake), and of those tagged, the
/// share routed (recall); with both counts. Empty when no question is tagged.
pub fn order_intent(questions: &[(bool, bool)]) -> BTreeMap<String, f64> {
    let gold = questions.iter().filter(|(tagged, _)| *tagged).count();
    if gold == 0 {
        return BTreeMap::new();
    }
    let routed = questions.iter().filter(|(_, routed)| *routed).count();
    let both = questions.iter().filter(|(tagged, routed)| *tagged && *routed).count();
    let mut metrics = BTreeMap::from([
        ("order_intent_questions".to_string(), gold as f64),
        ("order_intent_routed".to_string(), routed as f64),
        ("order_intent_recall".to_string(), both as f64 / gold as f64),
    ]);
    if routed > 0 {
        metrics.insert("order_intent_precision".into(), both as f64 / routed as f64);
    }
    metrics
}

/// The figures of each `kinds` tag at `threshold`, with the definitions of [`decisions`] and
/// [`facts`] applied to the questions with that tag.
pub fn by_kind(outcomes: &[AnswerOutcome], threshold: f32) -> BTreeMap<String, KindFigures> {
    let mut tagged: BTreeMap<&str, Vec<AnswerOutcome>> = BTreeMap::new();
    for outcome in outcomes {
        let mut kinds: Vec<&str> = outcome.kinds.iter().map(String::as_str).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            tagged.entry(kind).or_default().push(outcome.clone());
        }
    }
    tagged
        .into_iter()
        .map(|(kind, outcomes)| {
            let decided = decisions(&outcomes, threshold);
            let answerable = outcomes.iter().filter(|o| o.answerable).count();
            let answered = outcomes.iter().filter(|o| o.answerable && o.answered_at(threshold)).count();
            let figures = KindFigures {
                questions: outcomes.len(),
                unanswerable: outcomes.len() - answerable,
                answer_rate: (answerable > 0).then_some(decided.answer_rate),
                citation_hit_rate: (answered > 0).then_some(decided.citation_hit_rate),
                key_fact_recall: facts(&outcomes, threshold).key_fact_recall,
                abstention_recall: decided.abstention_recall,
            };
            (kind.to_string(), figures)
        })
        .collect()
}

/// The confidence threshold with the best balanced accuracy on `outcomes`, and that accuracy.
///
/// Candidates are the midpoints between consecutive distinct confidences (and the ends), so
/// the choice does not sit on one question's exact score; ties go to the lower threshold (fewer
/// needless handoffs). `None` without outcomes.
pub fn calibrate(outcomes: &[AnswerOutcome]) -> Option<(f32, f64)> {
    if outcomes.is_empty() {
        return None;
    }
    let mut levels: Vec<f32> = outcomes.iter().map(|o| o.confidence).collect();
    levels.sort_by(f32::total_cmp);
    levels.dedup();
    let mut candidates = vec![0.0];
    candidates.extend(levels.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    candidates.push(levels[levels.len() - 1] + 0.01);
    candidates.into_iter().map(|t| (t, decisions(outcomes, t).balanced_accuracy)).fold(
        None,
        |best: Option<(f32, f64)>, (t, acc)| match best {
            Some((_, best_acc)) if best_acc >= acc => best,
            _ => Some((t, acc)),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(answerable: bool, confidence: f32, cited: usize, cited_gold: usize) -> AnswerOutcome {
        AnswerOutcome {
            answerable,
            confidence,
            answers_when_allowed: true,
            cited,
            cited_gold,
            key_facts: None,
            parts: Vec::new(),
            kinds: Vec::new(),
        }
    }

    fn score(found: usize, total: usize) -> Option<FactScore> {
        Some(FactScore { found, total })
    }

    fn part(answerable: bool, cites_gold: bool, key_facts: Option<FactScore>) -> PartOutcome {
        PartOutcome { answerable, cites_gold, key_facts }
    }

    #[test]
    fn key_fact_recall_on_a_hand_computed_case() {
        let tagged = |mut o: AnswerOutcome, facts: Option<FactScore>, kinds: &[&str]| {
            o.key_facts = facts;
            o.kinds = kinds.iter().map(|k| k.to_string()).collect();
            o
        };
        let outcomes = [
            tagged(outcome(true, 0.9, 1, 1), score(1, 2), &["typo"]), // 0.5
            tagged(outcome(true, 0.8, 1, 0), score(3, 3), &["pinyin", "typo"]), // 1.0
            tagged(outcome(true, 0.7, 1, 1), None, &["pinyin"]),      // no key facts: not counted
            tagged(outcome(true, 0.2, 1, 1), score(0, 1), &["pinyin"]), // refused at 0.5
            tagged(outcome(false, 0.9, 1, 0), None, &["pinyin"]),     // unanswerable
        ];
        let m = facts(&outcomes, 0.5);
        assert_eq!(m.key_fact_recall, Some(0.75), "(0.5 + 1.0) / 2");
        assert_eq!(m.key_fact_questions, 2);
        assert!(m.labelled_facts && !m.labelled_parts);
        let named = m.to_metrics();
        assert_eq!(named.get("key_fact_recall"), Some(&0.75));
        assert_eq!(named.get("key_fact_questions"), Some(&2.0));
        assert!(!named.contains_key("parts.citation_hit_rate"));
        // At 0.1 the refused one counts too: (0.5 + 1 + 0) / 3.
        assert!((facts(&outcomes, 0.1).key_fact_recall.unwrap() - 0.5).abs() < 1e-12);
        // Nothing answered: labelled, so reported as 0 over 0 questions.
        let none = facts(&outcomes, 0.95);
        assert_eq!((none.key_fact_recall, none.key_fact_questions), (None, 0));
        assert_eq!(none.to_metrics().get("key_fact_recall"), Some(&0.0));
        // A set with no key facts reports none.
        assert!(facts(&[outcome(true, 0.9, 1, 1)], 0.5).to_metrics().is_empty());

        let kinds = by_kind(&outcomes, 0.5);
        assert_eq!(kinds.keys().collect::<Vec<_>>(), ["pinyin", "typo"]);
        // (tagged order-specific, routed to the order system)
        let intent =
            order_intent(&[(true, true), (true, false), (false, true), (false, false), (false, false)]);
        assert_eq!(intent["order_intent_precision"], 0.5);
        assert_eq!(intent["order_intent_recall"], 0.5);
        assert_eq!((intent["order_intent_questions"], intent["order_intent_routed"]), (2.0, 2.0));
        assert!(order_intent(&[(false, true)]).is_empty(), "nothing tagged: nothing measured");
        let typo = &kinds["typo"];
        assert_eq!((typo.questions, typo.unanswerable), (2, 0));
        assert_eq!((typo.answer_rate, typo.citation_hit_rate), (Some(1.0), Some(0.5)));
        assert_eq!((typo.key_fact_recall, typo.abstention_recall), (Some(0.75), None));
        let pinyin = &kinds["pinyin"];
        assert_eq!((pinyin.questions, pinyin.unanswerable), (4, 1));
        // Answerable 3, answered 2 (0.8 and 0.7), one citing gold; key facts only on the 0.8.
        assert!((pinyin.answer_rate.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!((pinyin.citation_hit_rate, pinyin.key_fact_recall), (Some(0.5), Some(1.0)));
        assert_eq!(pinyin.abstention_recall, Some(0.0));
    }

    #[test]
    fn parts_are_scored_on_answered_multi_part_messages() {
        let with_parts = |mut o: AnswerOutcome, parts: Vec<PartOutcome>| {
            o.parts = parts;
            o
        };
        let outcomes = [
            // Both parts cited; facts 1/2 and 1/1.
            with_parts(
                outcome(true, 0.9, 2, 2),
                vec![part(true, true, score(1, 2)), part(true, true, score(1, 1))],
            ),
            // Partial: the unanswerable part asks nothing; the answerable one is not cited.
            with_parts(
                outcome(true, 0.8, 1, 0),
                vec![part(true, false, score(0, 1)), part(false, false, None)],
            ),
            // Refused at 0.5: its parts are not scored.
            with_parts(outcome(true, 0.1, 1, 1), vec![part(true, true, score(1, 1))]),
            outcome(true, 0.9, 1, 1),
        ];
        let m = facts(&outcomes, 0.5);
        assert_eq!(m.scored_parts, 3);
        assert!((m.part_citation_hit_rate.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(m.key_fact_parts, 3);
        assert!((m.part_key_fact_recall.unwrap() - 0.5).abs() < 1e-12, "(0.5 + 1 + 0) / 3");
        assert!(!m.labelled_facts && m.labelled_parts);
        let named = m.to_metrics();
        assert_eq!(named.get("parts.scored_parts"), Some(&3.0));
        assert_eq!(named.get("parts.key_fact_parts"), Some(&3.0));
        assert!(named.contains_key("parts.citation_hit_rate") && !named.contains_key("key_fact_recall"));
    }

    #[test]
    fn token_f1_on_hand_computed_cases() {
        // answer: refund in 5 days (4 words); reference: refund within 5 business days (5 words).
        // common: refund, 5, days = 3 -> P 3/4, R 3/5, F1 = 2*0.75*0.6/1.35 = 0.6667.
        let f1 = token_f1("Refund in 5 days.", "refund within 5 business days");
        assert!((f1 - 2.0 / 3.0).abs() < 1e-9, "{f1}");
        assert_eq!(token_f1("yes", "no"), 0.0);
        // Repeated words count once per occurrence in the reference.
        let f1 = token_f1("days days days", "days");
        assert!((f1 - 0.5).abs() < 1e-9, "P 1/3, R 1: {f1}");
        // The best of several alternatives.
        assert_eq!(token_f1("2010", "2011 | 2010"), 1.0);
    }

    #[test]
    fn chinese_answers_are_compared_by_words() {
        assert_eq!(token_f1("七天无理由退货", "七天无理由退货"), 1.0);
        let partial = token_f1("支持七天无理由退货", "七天无理由退货");
        assert!(partial > 0.5 && partial < 1.0, "{partial}");
    }

    #[test]
    fn rouge_l_counts_the_longest_common_subsequence() {
        // LCS of "a b c d" and "a c x d" is "a c d" (3): P 3/4, R 3/4.
        assert!((rouge_l("a b c d", "a c x d") - 0.75).abs() < 1e-9);
        // Order matters for ROUGE-L but not for token F1.
        assert_eq!(token_f1("d c b a", "a b c d"), 1.0);
        assert!((rouge_l("d c b a", "a b c d") - 0.25).abs() < 1e-9);
        assert_eq!(rouge_l("", "a"), 0.0);
    }

    #[test]
    fn decision_metrics_on_a_hand_computed_case() {
        let outcomes = [
            outcome(true, 0.9, 2, 1),  // answered, one of two citations gold
            outcome(true, 0.3, 1, 1),  // refused at 0.5
            outcome(false, 0.7, 1, 0), // wrongly answered
            outcome(false, 0.2, 0, 0), // rightly refused
        ];
        let m = decisions(&outcomes, 0.5);
        assert_eq!(m.abstention_precision, 0.5, "refused: 2, of which 1 unanswerable");
        assert_eq!(m.abstention_recall, Some(0.5));
        assert_eq!(m.answer_rate, 0.5);
        assert_eq!(m.citation_precision, 0.5);
        assert_eq!(m.citation_hit_rate, 1.0);
        assert_eq!(m.decision_accuracy, 0.5);
        assert_eq!(m.balanced_accuracy, 0.5, "answerable 1/2 right, unanswerable 1/2 right");
        let only_answerable = decisions(&outcomes[..2], 0.5);
        assert_eq!(only_answerable.abstention_recall, None);
        assert!(!only_answerable.to_metrics().contains_key("abstention_recall"));
        assert_eq!(only_answerable.balanced_accuracy, 0.5, "one part: its own accuracy");
    }

    #[test]
    fn calibration_picks_the_most_accurate_threshold() {
        let outcomes = [
            outcome(true, 0.9, 1, 1),
            outcome(true, 0.6, 1, 1),
            outcome(false, 0.5, 1, 0),
            outcome(false, 0.1, 0, 0),
            outcome(true, 0.05, 1, 0), // wrong either way: refused, or answered citing no gold
        ];
        // 0.55 gets the first four right: answerable 2/3, unanswerable 2/2. Lower thresholds
        // answer the unanswerable ones, higher ones refuse the 0.6 answer.
        let (threshold, accuracy) = calibrate(&outcomes).unwrap();
        assert!((threshold - 0.55).abs() < 1e-6, "{threshold}");
        assert!((accuracy - (2.0 / 3.0 + 1.0) / 2.0).abs() < 1e-9, "{accuracy}");
        assert_eq!(calibrate(&[]), None);
        // Never answering cannot be beaten when every answer would be wrong.
        let (t, _) = calibrate(&[outcome(false, 0.8, 1, 0)]).unwrap();
        assert!(t > 0.8);
    }
}
