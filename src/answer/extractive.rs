//! The extractive answerer: no model, only the retrieved text. A FAQ entry whose question
//! matches is answered with its answer; otherwise the few sentences of the top passages that
//! cover the question best, without repeating each other, in source order, marked with `[n]`.

use std::collections::HashSet;
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::analysis;

/// A retrieved passage, in rank order.
#[derive(Debug, Clone, Copy)]
pub struct Passage<'a> {
    /// Its text.
    pub text: &'a str,
    /// For a FAQ entry, its question.
    pub question: Option<&'a str>,
}

/// How long an extractive answer may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most sentences.
    pub max_sentences: usize,
    /// Most characters (the first sentence is always taken whole).
    pub max_chars: usize,
}

/// An answer made of passages' sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct Extract {
    /// The answer, with `[n]` markers.
    pub text: String,
    /// Indexes (into the passages given) of the passages cited; marker `[n]` is entry `n - 1`.
    pub cited: Vec<usize>,
    /// Per citation, the byte range of the passage it quotes (the FAQ answer or the sentences).
    pub quoted: Vec<Range<usize>>,
}

/// The question's terms with their weights (IDF in the index).
pub type WeightedTerms = [(String, f32)];

/// Share of the question's term weight found among `terms`, from 0 to 1.
pub fn coverage(question: &WeightedTerms, terms: &HashSet<String>) -> f32 {
    let total: f32 = question.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return 0.0;
    }
    question.iter().filter(|(t, _)| terms.contains(t)).map(|(_, w)| w).sum::<f32>() / total
}

/// The distinct analysed terms of a text.
pub fn terms(text: &str) -> HashSet<String> {
    analysis::words(text).into_iter().map(|t| t.term).collect()
}

/// When the top passage is a FAQ entry whose question covers the customer's (at least
/// `min_coverage` of its weight), its answer, whole.
pub fn faq_answer(question: &WeightedTerms, passages: &[Passage], min_coverage: f32) -> Option<Extract> {
    let top = passages.first()?;
    let faq_question = top.question?;
    if coverage(question, &terms(faq_question)) < min_coverage {
        return None;
    }
    let body = top.text.trim();
    let start = top.text.find(body).unwrap_or(0);
    Some(Extract {
        text: format!("{}{}[1]", body, separator(body)),
        cited: vec![0],
        quoted: std::iter::once(start..start + body.len()).collect(),
    })
}

/// A sentence of a passage.
#[derive(Debug, Clone)]
struct Candidate {
    passage: usize,
    range: Range<usize>,
    terms: HashSet<String>,
    score: f32,
}

/// Picks the sentences of `passages` that best answer `question`. `None` when no sentence shares
/// a term with the question.
pub fn extract(question: &WeightedTerms, passages: &[Passage], limits: Limits) -> Option<Extract> {
    let mut candidates = Vec::new();
    for (p, passage) in passages.iter().enumerate() {
        for range in sentences(passage.text) {
            let text = &passage.text[range.clone()];
            let terms = terms(text);
            let relevance = coverage(question, &terms);
            if relevance <= 0.0 {
                continue;
            }
            // Higher-ranked passages win ties; fragments too short to read alone lose.
            let rank_prior = 1.0 / (1.0 + p as f32);
            let brevity = if text.chars().count() < 12 { 0.5 } else { 1.0 };
            let score = relevance * brevity + 0.1 * rank_prior;
            candidates.push(Candidate { passage: p, range, terms, score });
        }
    }
    let best = candidates.iter().map(|c| c.score).fold(0.0f32, f32::max);
    if best <= 0.0 {
        return None;
    }

    // Maximal marginal relevance: relevant to the question, not redundant with what is chosen.
    let mut chosen: Vec<Candidate> = Vec::new();
    let mut chars = 0;
    while chosen.len() < limits.max_sentences {
        let next = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let redundancy = chosen.iter().map(|s| jaccard(&s.terms, &c.terms)).fold(0.0f32, f32::max);
                // Near-repeats are never taken; partial overlap costs relevance.
                (redundancy < 0.4).then_some((i, c.score - 0.5 * redundancy))
            })
            .filter(|(_, score)| *score >= 0.5 * best)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((i, _)) = next else { break };
        let candidate = candidates.swap_remove(i);
        let length = passages[candidate.passage].text[candidate.range.clone()].chars().count();
        if !chosen.is_empty() && chars + length > limits.max_chars {
            continue;
        }
        chars += length;
        chosen.push(candidate);
    }

    // Source order: passages by rank, sentences by position; one marker per run of a passage.
    chosen.sort_by_key(|c| (c.passage, c.range.start));
    let mut text = String::new();
    let mut cited: Vec<usize> = Vec::new();
    let mut quoted: Vec<Range<usize>> = Vec::new();
    for (i, candidate) in chosen.iter().enumerate() {
        let sentence = clean(&passages[candidate.passage].text[candidate.range.clone()]);
        if !text.is_empty() {
            text.push_str(separator(&text));
        }
        text.push_str(sentence);
        let last_of_run = chosen.get(i + 1).is_none_or(|next| next.passage != candidate.passage);
        match cited.iter().position(|&p| p == candidate.passage) {
            Some(n) => quoted[n].end = candidate.range.end,
            None => {
                cited.push(candidate.passage);
                quoted.push(candidate.range.clone());
            }
        }
        if last_of_run {
            let n = cited.iter().position(|&p| p == candidate.passage).unwrap_or(0) + 1;
            text.push_str(&format!("{}[{n}]", separator(sentence)));
        }
    }
    Some(Extract { text, cited, quoted })
}

/// Byte ranges of the sentences of `text`: Unicode sentence boundaries (UAX #29: "e.g. this"
/// and "3.5" stay whole; line breaks and Chinese 。！？ end sentences), then Chinese semicolons,
/// whose clauses read alone; trimmed, empty ones left out.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for (start, sentence) in text.split_sentence_bound_indices() {
        let mut from = start;
        for (i, _) in sentence.match_indices('；') {
            let end = start + i + '；'.len_utf8();
            push_trimmed(text, from..end, &mut ranges);
            from = end;
        }
        push_trimmed(text, from..start + sentence.len(), &mut ranges);
    }
    ranges
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let leading = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if !trimmed.is_empty() {
        let start = range.start + leading;
        out.push(start..start + trimmed.len());
    }
}

/// A sentence without its list bullet or number ("2. buy it later": sentence boundaries keep
/// a number followed by a lowercase word with it).
fn clean(sentence: &str) -> &str {
    let sentence = sentence.trim_start_matches(['-', '*', '•', '·']).trim_start();
    let digits = sentence.len() - sentence.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match sentence[digits..].strip_prefix(['.', ')']) {
        Some(rest) if (1..=3).contains(&digits) && rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => sentence,
    }
}

/// What goes between two pieces of an answer: nothing after Chinese text, a space otherwise.
fn separator(before: &str) -> &'static str {
    match before.chars().last() {
        Some(c) if kefu_ingest::locale::is_cjk(c) || "。！？；：，）】".contains(c) => "",
        _ => " ",
    }
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    let union = a.union(b).count();
    if union == 0 { 0.0 } else { a.intersection(b).count() as f32 / union as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weighted(question: &str) -> Vec<(String, f32)> {
        terms(question).into_iter().map(|t| (t, 1.0)).collect()
    }

    const LIMITS: Limits = Limits { max_sentences: 3, max_chars: 600 };

    #[test]
    fn sentences_split_english_chinese_and_lists() {
        let text = "Returns are free. Fees apply to e.g. opened items, 3.5 kg or more!\n- Sealed boxes: no fee\n\
                    退货免费。七天内有效！运费自理；赠品需退回？是的";
        let parts: Vec<&str> = sentences(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            parts,
            [
                "Returns are free.",
                "Fees apply to e.g. opened items, 3.5 kg or more!",
                "- Sealed boxes: no fee",
                "退货免费。",
                "七天内有效！",
                "运费自理；",
                "赠品需退回？",
                "是的"
            ]
        );
    }

    #[test]
    fn list_bullets_and_numbers_are_not_quoted() {
        assert_eq!(clean("- Sealed boxes: no fee"), "Sealed boxes: no fee");
        assert_eq!(clean("2. buy it later in Account > Orders."), "buy it later in Account > Orders.");
        assert_eq!(clean("12) 在 APP 中申请"), "在 APP 中申请");
        assert_eq!(clean("3.5 kg is the most it takes."), "3.5 kg is the most it takes.");
        assert_eq!(clean("2025. A good year."), "2025. A good year.");
    }

    #[test]
    fn picks_relevant_sentences_in_source_order_with_markers() {
        let passages = [
            Passage {
                text: "Shipping is free over $50. Opened electronics carry a 15% restocking fee. We ship daily.",
                question: None,
            },
            Passage { text: "The restocking fee is waived for faulty electronics.", question: None },
            Passage { text: "Our stores open at nine.", question: None },
        ];
        let answer = extract(&weighted("restocking fee for opened electronics"), &passages, LIMITS).unwrap();
        assert_eq!(
            answer.text,
            "Opened electronics carry a 15% restocking fee. [1] The restocking fee is waived for faulty electronics. [2]"
        );
        assert_eq!(answer.cited, vec![0, 1]);
        assert_eq!(
            &passages[0].text[answer.quoted[0].clone()],
            "Opened electronics carry a 15% restocking fee."
        );
        assert!(extract(&weighted("gift wrapping"), &passages, LIMITS).is_none());
    }

    #[test]
    fn redundant_sentences_are_left_out() {
        let passages = [
            Passage { text: "Refunds take 5 days. Refunds take 5 days to arrive.", question: None },
            Passage { text: "Refunds take 5 business days.", question: None },
        ];
        let answer = extract(&weighted("how many days do refunds take"), &passages, LIMITS).unwrap();
        assert_eq!(answer.text.matches("Refunds").count(), 1, "{}", answer.text);
    }

    #[test]
    fn a_matching_faq_entry_is_answered_whole() {
        let passages =
            [Passage { text: "可以，签收后七天内申请。", question: Some("可以退货吗？") }];
        let answer = faq_answer(&weighted("我可以退货吗"), &passages, 0.6).unwrap();
        assert_eq!(answer.text, "可以，签收后七天内申请。[1]");
        assert!(faq_answer(&weighted("发票怎么开"), &passages, 0.6).is_none());
    }
}
