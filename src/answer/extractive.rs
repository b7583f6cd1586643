//! The extractive answerer: no model, only the retrieved text. A FAQ entry whose question
//! matches is answered with its answer; otherwise the few sentences of the top passages that
//! cover the question best, without repeating each other, in source order, marked with `[n]`.

use std::collections::HashSet;
use std::ops::Range;

use crate::understand::expect::{self, Expectation};
use kefu_ingest::Chunk;
use kefu_ingest::quotable::quotables_under;

/// A retrieved passage, in rank order.
#[derive(Debug, Clone, Copy)]
pub struct Passage<'a> {
    /// Its text.
    pub text: &'a str,
    /// For a FAQ entry, its question.
    pub question: Option<&'a str>,
    /// The headings it stands under (its breadcrumb: the page's title, then its sections).
    pub heading: &'a [String],
    /// The header line of the table its text begins inside, when that is in an earlier chunk.
    pub table_header: Option<&'a str>,
}

impl<'a> Passage<'a> {
    /// A retrieved chunk as a passage.
    pub fn of(chunk: &'a Chunk) -> Self {
        Passage {
            text: &chunk.text,
            question: chunk.question.as_deref(),
            heading: &chunk.breadcrumb,
            table_header: chunk.table_header.as_deref(),
        }
    }
}

/// How long an extractive answer may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most sentences.
    pub max_sentences: usize,
    /// Most characters (the first sentence is always taken whole).
    pub max_chars: usize,
}

/// An answer made of passages' sentences or table rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Extract {
    /// What is quoted, in answer order.
    pub pieces: Vec<Piece>,
    /// Indexes (into the passages given) of the passages cited; citation `i` is entry `i`.
    pub cited: Vec<usize>,
    /// Per citation, the byte range of the passage it quotes (the FAQ answer or the sentences).
    pub quoted: Vec<Range<usize>>,
}

/// A quoted sentence (or table row, read with its header).
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// The text as answered.
    pub text: String,
    /// Its citation (index into [`Extract::cited`]).
    pub citation: usize,
    /// The last piece of a run from one passage: its citation marker follows it.
    pub marked: bool,
}

impl Extract {
    /// The answer's text, each run of quotes followed by its marker `[n]`, `n` given by
    /// `number` from the citation's index (`|i| i + 1` when this extract is the whole answer).
    pub fn render(&self, number: impl Fn(usize) -> usize) -> String {
        let mut text = String::new();
        for piece in &self.pieces {
            if !text.is_empty() {
                text.push_str(between_pieces(&text));
            }
            text.push_str(&piece.text);
            if piece.marked {
                text.push_str(&format!("{}[{}]", separator(&piece.text), number(piece.citation)));
            }
        }
        text
    }

    /// Quotes passage `passage`, of text `text`, whole where any of it is quoted (a curated
    /// answer is given as its author wrote it, not a sentence of it).
    pub fn quote_whole(&mut self, passage: usize, text: &str) {
        let Some(citation) = self.cited.iter().position(|&p| p == passage) else { return };
        let Some(first) = self.pieces.iter().position(|p| p.citation == citation) else { return };
        self.pieces[first] = Piece { text: text.trim().to_string(), citation, marked: true };
        let mut index = 0;
        self.pieces.retain(|piece| {
            index += 1;
            index - 1 == first || piece.citation != citation
        });
        self.quoted[citation] = 0..text.len();
    }
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

pub use crate::analysis::terms;

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
        pieces: vec![Piece { text: body.to_string(), citation: 0, marked: true }],
        cited: vec![0],
        quoted: std::iter::once(start..start + body.len()).collect(),
    })
}

/// Something a passage says that an answer can quote: a sentence, or a table row.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The passage (index into the passages given).
    pub passage: usize,
    /// Its bytes in the passage.
    pub range: Range<usize>,
    /// Its text as answered and compared with the question: a sentence without its list bullet,
    /// or a table row with each cell named by its column ("Canada — Standard cost: $9.95; …").
    pub text: String,
    terms: HashSet<String>,
    /// The words of the headings its passage stands under.
    heading: HashSet<String>,
    /// Named by what it is about ([`Candidate::name`]): the price lines of two blenders share
    /// most of their words and are no repeat of each other.
    named: bool,
    /// What its score is multiplied by for whom it is written ([`Candidate::weigh`]).
    weight: f32,
    /// The first sentence or row of its passage.
    lead: bool,
    /// The passage that opens the section its passage is a later part of ([`Candidate::opened_by`]).
    opener: Option<usize>,
}

/// The sentences and table rows of `passages` (see [`kefu_ingest::quotable`]), in order.
pub fn candidates(passages: &[Passage]) -> Vec<Candidate> {
    passages
        .iter()
        .enumerate()
        .flat_map(|(p, passage)| {
            let heading = terms(&passage.heading.join(" "));
            quotables_under(passage.table_header, passage.text).into_iter().enumerate().map(move |(k, q)| {
                Candidate {
                    passage: p,
                    lead: k == 0,
                    range: q.range,
                    terms: terms(&q.text),
                    heading: heading.clone(),
                    text: q.text,
                    named: false,
                    weight: 1.0,
                    opener: None,
                }
            })
        })
        .collect()
}

/// Share of its score a candidate keeps when it states no value of the kind the question asks
/// for ("how long…" against a sentence with no duration): 0.7 and 0.85 did the same on the dev
/// lines, 0.5 worse.
const WITHOUT_EXPECTED_VALUE: f32 = 0.7;

/// Share of the best candidate's score a candidate not yet quoted needs when the best one was
/// quoted for an earlier question of the message ([`select_new`]): on the dev lines it dropped
/// only sentences about other things (token F1 up, no key fact lost).
const AFTER_BEST_SAID: f32 = 0.5;

/// How candidates are weighed.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// Weight of the question–candidate similarity of the embedding model (0–1 scaled), when
    /// given; the rest goes to word coverage.
    pub semantic_weight: f32,
    /// A candidate is kept only if it scores at least this share of the best one.
    pub keep_ratio: f32,
}

impl Candidate {
    /// Names what the candidate is about before it, in its text and its words ("Roamo S5 Robot
    /// Vacuum — Price: €229").
    pub fn name(&mut self, name: &str) {
        self.text = format!("{name} — {}", self.text);
        self.terms.extend(terms(name));
        self.named = true;
    }

    /// Marks passage `opener` as the one that opens the section this candidate's passage is a
    /// later part of: its first sentence comes with this candidate as its own passage's would.
    pub fn opened_by(&mut self, opener: usize) {
        self.opener = Some(opener);
    }

    /// Multiplies its score by `factor` (a sentence written for another region's customers
    /// answers a customer less than others).
    pub fn weigh(&mut self, factor: f32) {
        self.weight *= factor;
    }

    /// Share of the question's term weight this candidate contains.
    pub fn coverage(&self, question: &WeightedTerms) -> f32 {
        coverage(question, &self.terms)
    }

    /// Share of the question's term weight this candidate and the headings it stands under
    /// contain: a sentence says what its section is about without repeating it ("Please keep all
    /// the packaging…" under "Item arrived damaged" answers what to do with a damaged item's box).
    pub fn coverage_under_heading(&self, question: &WeightedTerms) -> f32 {
        coverage(question, &self.terms.union(&self.heading).cloned().collect())
    }

    /// Whether every one of `words` (analysed terms) is in it or its headings.
    pub fn mentions(&self, words: &HashSet<String>) -> bool {
        words.iter().all(|w| self.terms.contains(w) || self.heading.contains(w))
    }
}

/// How well each candidate answers `question`: IDF-weighted coverage of the question's words by
/// the candidate and its headings and, when `similarity`
/// gives one per candidate, the embedding model's similarity; `None` for a candidate unrelated to
/// the question (no word in common and not similar).
pub fn scores(
    question: &WeightedTerms,
    candidates: &[Candidate],
    similarity: Option<&[f32]>,
    selection: Selection,
) -> Vec<Option<f32>> {
    candidates
        .iter()
        .enumerate()
        .map(|(i, candidate)| {
            let relevance = candidate.coverage_under_heading(question);
            let semantic = similarity.and_then(|s| s.get(i)).copied();
            if relevance <= 0.0 && semantic.is_none_or(|s| s < 0.5) {
                return None;
            }
            let base = match semantic {
                Some(s) => selection.semantic_weight * s + (1.0 - selection.semantic_weight) * relevance,
                None => relevance,
            };
            // Higher-ranked passages win ties; fragments too short to read alone lose.
            let rank_prior = 1.0 / (1.0 + candidate.passage as f32);
            let brevity = if reading_length(&candidate.text) < 12 { 0.5 } else { 1.0 };
            Some(base * brevity * candidate.weight + 0.1 * rank_prior)
        })
        .collect()
}

/// Picks the candidates that best answer `question` (by [`scores`]), without repeating each
/// other, in source order. `None` when nothing is related to the question.
pub fn select(
    question: &WeightedTerms,
    candidates: &[Candidate],
    similarity: Option<&[f32]>,
    selection: Selection,
    limits: Limits,
) -> Option<Extract> {
    select_new(question, candidates, similarity, selection, limits, &HashSet::new(), None)
}

/// [`select`] among the candidates whose text is not in `quoted` (what an earlier question of
/// the message was answered with), so that each question adds what answers it; as [`select`]
/// when nothing new is related to the question (new candidates need [`AFTER_BEST_SAID`] of the
/// best score when the best is quoted already). When the question asks for a kind of value
/// (`expected`), candidates that state none score [`WITHOUT_EXPECTED_VALUE`] of theirs.
pub fn select_new(
    question: &WeightedTerms,
    candidates: &[Candidate],
    similarity: Option<&[f32]>,
    selection: Selection,
    limits: Limits,
    quoted: &HashSet<String>,
    expected: Option<Expectation>,
) -> Option<Extract> {
    let all: Vec<(usize, f32)> = scores(question, candidates, similarity, selection)
        .into_iter()
        .enumerate()
        .filter_map(|(i, score)| {
            let score = score?;
            let states = expected.is_none_or(|kind| expect::satisfies(kind, &candidates[i].text));
            Some((i, if states { score } else { score * WITHOUT_EXPECTED_VALUE }))
        })
        .collect();
    let best = all.iter().map(|(_, s)| *s).fold(0.0f32, f32::max);
    if best <= 0.0 {
        return None;
    }
    // What is new must answer as well as any candidate would be kept for; when the best one is
    // said already, what is left scores lower and must reach a higher share of the best
    // ("…有沒有40度的檔位？" after "可以保溫多久？" had added the account-deletion rule
    // "没有未完成的订单…" to the 40 ℃ row).
    let best_new = all
        .iter()
        .filter(|&&(i, _)| !quoted.contains(&candidates[i].text))
        .map(|&(_, score)| score)
        .fold(0.0f32, f32::max);
    let new_ratio =
        if best_new < best { selection.keep_ratio.max(AFTER_BEST_SAID) } else { selection.keep_ratio };
    let fresh: Vec<(usize, f32)> = all
        .iter()
        .copied()
        .filter(|&(i, score)| !quoted.contains(&candidates[i].text) && score >= new_ratio * best)
        .collect();
    let related: HashSet<usize> = all.iter().map(|&(i, _)| i).collect();
    let chosen_on_merit: HashSet<usize> =
        all.iter().filter(|&&(_, score)| score >= selection.keep_ratio * best).map(|&(i, _)| i).collect();
    let mut scored = if fresh.is_empty() { all } else { fresh };

    // Maximal marginal relevance: relevant to the question, not redundant with what is chosen.
    let mut chosen: Vec<usize> = Vec::new();
    let mut chars = 0;
    let mut sentences = 0.0;
    while sentences < limits.max_sentences as f32 {
        let next = scored
            .iter()
            .enumerate()
            .filter_map(|(k, &(i, score))| {
                let candidate = &candidates[i];
                let redundancy = chosen
                    .iter()
                    .filter(|&&c| !(candidate.named && candidates[c].named))
                    .map(|&c| redundancy(&candidates[c].terms, &candidate.terms))
                    .fold(0.0f32, f32::max);
                // Near-repeats are never taken; partial overlap costs relevance. The sentence after
                // a chosen one shares its words because it goes on with it ("The gift card part is
                // refunded first."): it may share more, at no cost.
                let follows =
                    chosen.iter().any(|&c| c + 1 == i && candidates[c].passage == candidate.passage);
                let (most, penalty) = if follows { (0.6, 0.0) } else { (0.4, 0.5 * redundancy) };
                (redundancy < most).then_some((k, score - penalty))
            })
            .filter(|(_, score)| *score >= selection.keep_ratio * best)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((k, _)) = next else { break };
        let (i, _) = scored.swap_remove(k);
        let length = candidates[i].text.chars().count();
        if !chosen.is_empty() && chars + length > limits.max_chars {
            continue;
        }
        chars += length;
        sentences += sentence_share(&candidates[i].text);
        chosen.push(i);
    }
    // The first sentence of a passage quoted from says what the rest goes on with ("Please tell
    // us within 48 hours … through Report a problem" before "Send us: a photo of the outer
    // box…"): taken too, when related to the question, new and no repeat, and there is room;
    // the top passage's may go one sentence over the limit, unless the limit asks for one.
    // So does the first sentence of the passage that opens the section ("Please tell us within 48
    // hours…" before "What we offer"), related to the question by its section and over the
    // limits: the section's later part is read with it.
    let openings: Vec<(usize, usize, bool)> = chosen
        .iter()
        .flat_map(|&c| {
            let from = candidates[c].passage;
            std::iter::once((from, from, false)).chain(candidates[c].opener.map(|o| (from, o, true)))
        })
        .collect();
    for (from, passage, opens_section) in openings {
        let Some(lead) = candidates.iter().position(|c| c.passage == passage && c.lead) else { continue };
        let candidate = &candidates[lead];
        let length = candidate.text.chars().count();
        let share = sentence_share(&candidate.text);
        let over = if from == 0 && limits.max_sentences > 1 { 1.0 } else { 0.0 };
        let repeats = chosen.iter().any(|&c| redundancy(&candidates[c].terms, &candidate.terms) >= 0.4);
        // A bare verdict ("No.", "可以。") answers its FAQ entry's own question: it comes only when
        // it would be chosen for the customer's ("Can two accounts be linked to one robot?" had
        // been answered "No. You can check out as a guest." from "Do I need an account?").
        let verdict_kept = !is_verdict(&candidate.text) || chosen_on_merit.contains(&lead);
        if !chosen.contains(&lead)
            && verdict_kept
            && (opens_section || related.contains(&lead))
            && !quoted.contains(&candidate.text)
            && !repeats
            && (opens_section
                || sentences + share <= limits.max_sentences as f32 + over
                    && chars + length <= limits.max_chars)
        {
            chars += length;
            sentences += share;
            chosen.push(lead);
        }
    }
    // A list item or clause that goes on into the next ("A replacement, sent by express delivery
    // free of charge, or" before "a full refund, …") says nothing whole alone: the next
    // candidate of its passage comes with it, over the limits, as the first sentence does.
    // So does what to do instead after a "can't" ("We can't … change the colour, after the
    // order is placed." before "Cancel the order (if it's still Received or Processing) and place
    // a new one.").
    // A sentence that names its subject by a pronoun ("It doesn't limit them.") says nothing
    // without the one before it, which comes with it the same way.
    let mut k = 0;
    while k < chosen.len() {
        let next = chosen[k] + 1;
        let continues = candidates.get(next).is_some_and(|c| c.passage == candidates[chosen[k]].passage);
        let goes_on = goes_on(&candidates[chosen[k]].text)
            || refuses(&candidates[chosen[k]].text)
                && candidates.get(next).is_some_and(|c| offers_instead(&c.text));
        if goes_on && continues && !chosen.contains(&next) {
            chosen.push(next);
        }
        let before = chosen[k].checked_sub(1);
        if let Some(before) = before.filter(|&b| {
            candidates[b].passage == candidates[chosen[k]].passage
                && leans_back(&candidates[chosen[k]].text)
                && !chosen.contains(&b)
        }) {
            chosen.push(before);
        }
        k += 1;
    }
    let mut chosen: Vec<&Candidate> = chosen.into_iter().map(|i| &candidates[i]).collect();

    // Source order: passages by rank, a section's opening before its later part, sentences by
    // position; one marker per run of a passage.
    let opens: Vec<(usize, usize)> = chosen.iter().filter_map(|c| c.opener.map(|o| (o, c.passage))).collect();
    chosen.sort_by_key(|c| {
        let opened = opens.iter().find(|(o, _)| *o == c.passage).map(|&(_, p)| p);
        (opened.map_or((c.passage, 1), |p| (p, 0)), c.range.start)
    });
    let mut pieces = Vec::new();
    let mut cited: Vec<usize> = Vec::new();
    let mut quoted: Vec<Range<usize>> = Vec::new();
    for (i, candidate) in chosen.iter().enumerate() {
        let citation = match cited.iter().position(|&p| p == candidate.passage) {
            Some(n) => {
                quoted[n].end = candidate.range.end;
                n
            }
            None => {
                cited.push(candidate.passage);
                quoted.push(candidate.range.clone());
                cited.len() - 1
            }
        };
        let marked = chosen.get(i + 1).is_none_or(|next| next.passage != candidate.passage);
        pieces.push(Piece { text: candidate.text.clone(), citation, marked });
    }
    Some(Extract { pieces, cited, quoted })
}

/// Whether `text` is only a yes or a no ("Yes.", "No", "可以。", "不能").
pub fn is_verdict(text: &str) -> bool {
    let word = text.trim().trim_end_matches(['.', '!', '。', '！', ',', '，']).to_lowercase();
    ["yes", "no", "是的", "是", "可以", "不可以", "能", "不能", "会", "不会", "支持", "不支持"]
        .contains(&word.as_str())
}

/// Whether `text` breaks off to go on in what follows it: it ends with a comma or an enumeration
/// comma, or with "or"/"and" (或, 和, 及). Not a colon: what follows one is a list or table of
/// which the first item is no more the answer than the others ("…can't be returned: Gift cards").
fn goes_on(text: &str) -> bool {
    let text = text.trim_end();
    if text.ends_with([',', '，', '、']) {
        return true;
    }
    let last = text.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("").to_lowercase();
    matches!(last.as_str(), "or" | "and") || ["或", "和", "及", "或者"].iter().any(|w| text.ends_with(w))
}

/// Whether `text` says the shop can't or won't do something ("We can't add or remove items…",
/// "不支持修改颜色").
fn refuses(text: &str) -> bool {
    let lower = text.to_lowercase().replace('’', "'");
    ["can't", "cannot", "can not", "unable to", "not possible", "no longer", "don't offer", "do not offer"]
        .iter()
        .any(|w| lower.contains(w))
        || ["不能", "无法", "不支持", "不可以"].iter().any(|w| lower.contains(w))
}

/// Whether `text` opens by telling the customer what to do ("Cancel the order…", "Please return
/// it…", "请联系客服…"): after a refusal, what they can do instead.
fn offers_instead(text: &str) -> bool {
    const DO_EN: &[&str] = &[
        "please", "cancel", "return", "contact", "place", "use", "choose", "go", "ask", "send", "email",
        "start", "call", "check", "try", "order", "select", "tap", "visit", "write", "reply", "request",
        "instead", "you can", "you may",
    ];
    let lower = text.trim().to_lowercase();
    // Not another rule ("请勿加入 60℃ 以上的热液体"), nor a list's lead-in without its list ("您可以：").
    if lower.starts_with("请勿") || lower.starts_with("请不要") || lower.ends_with([':', '：']) {
        return false;
    }
    DO_EN.iter().any(|w| lower.starts_with(w) && lower[w.len()..].starts_with(|c: char| !c.is_alphanumeric()))
        || ["请", "您可以", "可以", "建议", "可先"].iter().any(|w| lower.starts_with(w))
}

/// Whether `text` names its subject by a pronoun standing for something said before it ("It
/// doesn't limit them.", "They are refunded first.", "This deletes all maps.", "它不影响…"); not
/// "This warranty is…", whose subject is named.
fn leans_back(text: &str) -> bool {
    let mut words = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_lowercase());
    let first = words.next().unwrap_or_default();
    let second = words.next().unwrap_or_default();
    match first.as_str() {
        "it" | "they" => true,
        "this" | "that" | "these" | "those" => PRONOUN_VERBS.contains(&second.as_str()),
        // A condition on what was just named: "If you give or sell it to someone else, they can
        // make a claim…" goes on from "The warranty stays with the product.".
        "if" | "when" | "once" | "until" | "unless" => {
            let clause = text.split([',', ';']).next().unwrap_or_default();
            clause.split_whitespace().any(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_lowercase();
                matches!(w.as_str(), "it" | "it's" | "them")
            })
        }
        _ => text.starts_with('它'),
    }
}

/// Verbs after which "this", "that", "these" or "those" stands alone as a subject.
const PRONOUN_VERBS: &[&str] = &[
    "is", "are", "was", "were", "means", "mean", "applies", "apply", "includes", "include", "deletes",
    "covers", "cover", "does", "doesn't", "do", "don't", "can", "can't", "will", "won't", "has", "have",
    "may", "must", "also", "only", "takes", "counts",
];

/// How long `text` reads, in English letters: a Chinese character says about as much as three
/// ("不能打冰块。", can't crush ice, is a whole answer; "Send us:" is not).
fn reading_length(text: &str) -> usize {
    text.chars().map(|c| if kefu_ingest::locale::is_han(c) { 3 } else { 1 }).sum()
}

/// How much of a sentence a candidate is, for the limit on sentences: a clause of a sentence cut
/// at a semicolon ("…旧机能正常使用补贴 ¥60；") counts half, as Chinese help centers write a rule's
/// cases as clauses of one sentence.
fn sentence_share(text: &str) -> f32 {
    if text.trim_end().ends_with(['；', ';']) { 0.5 } else { 1.0 }
}

/// What goes between two pieces of an answer: nothing after Chinese text, a space otherwise.
/// What goes between two quoted pieces: a Chinese table row ends without punctuation, and the
/// next piece would run on from it ("…前方需留出 1.5 米空间按以上方法处理后…").
fn between_pieces(before: &str) -> &'static str {
    match before.chars().last() {
        Some(c) if kefu_ingest::locale::is_cjk(c) && !c.is_alphanumeric() => "",
        Some(c) if kefu_ingest::locale::is_cjk(c) => "。",
        _ => separator(before),
    }
}

fn separator(before: &str) -> &'static str {
    match before.chars().last() {
        Some(c) if kefu_ingest::locale::is_cjk(c) || "。！？；：，）】".contains(c) => "",
        _ => " ",
    }
}

/// How much of `candidate` repeats `chosen`: their Jaccard similarity, or 1 when every word of
/// `candidate` (three at least) is in `chosen` ("使用 10A 插座即可" after "额定功率 1500W，…，使用普通
/// 10A 插座即可" from another passage says nothing new, however much shorter it is).
fn redundancy(chosen: &HashSet<String>, candidate: &HashSet<String>) -> f32 {
    if candidate.len() >= 3 && candidate.is_subset(chosen) {
        return 1.0;
    }
    jaccard(chosen, candidate)
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
    const SELECTION: Selection = Selection { semantic_weight: 0.5, keep_ratio: 0.5 };

    fn extract(question: &WeightedTerms, passages: &[Passage], limits: Limits) -> Option<Extract> {
        select(question, &candidates(passages), None, SELECTION, limits)
    }

    #[test]
    fn a_weighed_down_candidate_loses_to_an_equal_one() {
        let passages = [Passage {
            text: "UK customers can ask for a callback. US customers can chat until 17:00.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let question = weighted("customers callback chat");
        let limits = Limits { max_sentences: 1, max_chars: 600 };
        let first_after_weighing = |down: usize| {
            let mut all = candidates(&passages);
            all[down].weigh(0.7);
            select(&question, &all, None, SELECTION, limits).unwrap().pieces[0].text.clone()
        };
        assert_eq!(first_after_weighing(0), "US customers can chat until 17:00.");
        assert_eq!(first_after_weighing(1), "UK customers can ask for a callback.");
    }

    #[test]
    fn a_later_part_of_a_section_comes_after_its_opening() {
        let offer =
            ["Damaged items".to_string(), "Item arrived damaged".to_string(), "What we offer".to_string()];
        let report =
            ["Damaged items".to_string(), "Item arrived damaged".to_string(), "Report it".to_string()];
        let passage = |text, heading| Passage { text, question: None, heading, table_header: None };
        let passages = [
            passage("If the dent is only cosmetic, keep it with a 20% partial refund.", &offer),
            passage("Please tell us within 48 hours of delivery. Send us a photo.", &report),
        ];
        let question = weighted("dent options");
        let one = Limits { max_sentences: 1, max_chars: 80 };
        let alone = select(&question, &candidates(&passages), None, SELECTION, one).unwrap();
        assert_eq!(alone.pieces.len(), 1, "unrelated by its words, the opening stays out");
        let mut opened = candidates(&passages);
        opened.iter_mut().filter(|c| c.passage == 0).for_each(|c| c.opened_by(1));
        let answer = select(&question, &opened, None, SELECTION, one).unwrap();
        let quoted: Vec<&str> = answer.pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            quoted,
            [
                "Please tell us within 48 hours of delivery.",
                "If the dent is only cosmetic, keep it with a 20% partial refund."
            ],
            "the opening first, over the limits, not the rest of its passage"
        );
        assert_eq!(answer.cited, [1, 0]);
    }

    #[test]
    fn a_sentence_is_read_under_its_headings() {
        let damaged = ["Damaged items".to_string(), "Item arrived damaged".to_string()];
        let recycling = ["Recycling".to_string()];
        let passages = [
            Passage {
                text: "Packaging can be recycled.",
                question: None,
                heading: &recycling,
                table_header: None,
            },
            Passage {
                text: "Keep all the packaging until we reply.",
                question: None,
                heading: &damaged,
                table_header: None,
            },
        ];
        let answer = extract(&weighted("damaged item packaging"), &passages, LIMITS).unwrap();
        let quoted: Vec<&str> = answer.pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(quoted, ["Keep all the packaging until we reply."]);
    }

    #[test]
    fn a_short_chinese_sentence_is_a_whole_answer_an_english_fragment_is_not() {
        let passages = [Passage {
            text: "不能打冰块。冰块请先稍微解冻再加入。",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let scored = scores(&weighted("打冰块"), &all, Some(&[0.9, 0.9]), SELECTION);
        assert!(scored[0] > scored[1], "{scored:?}");
        let passages = [Passage {
            text: "Send us. Send us the photos.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let scored = scores(&weighted("send"), &all, Some(&[0.9, 0.9]), SELECTION);
        assert!(scored[0] < scored[1], "{scored:?}");
    }

    #[test]
    fn the_first_sentence_of_a_passage_quoted_from_comes_with_it() {
        let passages = [Passage {
            text: "Tell us within 48 hours of delivery. Send a photo of the outer box. Send a photo of the label.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let quoted = |lead_similarity: f32| {
            let similarity = [lead_similarity, 0.9, 0.8];
            let answer =
                select(&weighted("photo outer box label"), &all, Some(&similarity), SELECTION, LIMITS)
                    .unwrap();
            answer.pieces.iter().map(|p| p.text.clone()).collect::<Vec<_>>()
        };
        assert_eq!(quoted(0.5)[0], "Tell us within 48 hours of delivery.");
        assert_eq!(quoted(0.5).len(), 3);
        // Unrelated to the question, it is not.
        assert_eq!(quoted(0.2), ["Send a photo of the outer box.", "Send a photo of the label."]);
    }

    #[test]
    fn a_passage_whose_first_sentence_was_left_out_brings_no_other_as_its_lead() {
        let passages = [Passage {
            text: "No. You can check out as a guest. Save up to 5 addresses in your account.",
            question: Some("Do I need an account?"),
            heading: &[],
            table_header: None,
        }];
        let mut all = candidates(&passages);
        all.retain(|c| !is_verdict(&c.text));
        let similarity = [0.5, 0.9];
        let answer =
            select(&weighted("limit saved addresses"), &all, Some(&similarity), SELECTION, LIMITS).unwrap();
        let quoted: Vec<&str> = answer.pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(quoted, ["Save up to 5 addresses in your account."]);
        // With the verdict in place, the guest sentence was never the lead either.
        let all = candidates(&passages);
        assert!(all[0].lead && !all[1].lead);
    }

    #[test]
    fn a_list_item_that_goes_on_comes_with_the_next() {
        let passages = [Passage {
            text: "We offer:\n\n- A replacement, sent by express delivery free of charge, or\n- a full refund.\n\nNo restocking fee applies to damaged items.\n\nReturn labels are free for damaged items.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let texts: Vec<&str> = all.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts[1], "A replacement, sent by express delivery free of charge, or");
        let similarity = [0.0, 0.9, 0.0, 0.7, 0.6];
        let answer =
            select(&weighted("replacement express damaged"), &all, Some(&similarity), SELECTION, LIMITS)
                .unwrap();
        let quoted: Vec<&str> = answer.pieces.iter().map(|p| p.text.as_str()).collect();
        let at = quoted.iter().position(|t| t.starts_with("A replacement")).unwrap();
        assert_eq!(quoted[at + 1], "a full refund.");
        assert!(goes_on("地址、"));
        assert!(goes_on("您可以选择换货或"));
        assert!(!goes_on("Choose any amount from 10 to 500."));
        assert!(!goes_on("Visit our store in Oxford"));
        assert!(!goes_on("These items can't be returned:"));
    }

    #[test]
    fn a_sentence_that_names_its_subject_by_a_pronoun_comes_with_the_one_before() {
        let passages = [Passage {
            text: "Returns are free in the UK. Gift cards are sent by email. The warranty follows the product. It doesn't end when you sell it.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let similarity = [0.0, 0.0, 0.1, 0.9];
        let answer = select(&weighted("sell end"), &all, Some(&similarity), SELECTION, LIMITS).unwrap();
        let quoted: Vec<&str> = answer.pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(quoted, ["The warranty follows the product.", "It doesn't end when you sell it."]);
        assert!(refuses("We can't add or remove items, or change the colour, after the order is placed."));
        assert!(offers_instead(
            "Cancel the order (if it's still Received or Processing) and place a new one."
        ));
        assert!(
            !offers_instead("Cancellation is free.")
                && !offers_instead("您可以：")
                && !offers_instead("请勿加入热液体。")
        );
        assert!(leans_back("They are refunded first.") && leans_back("This deletes all maps."));
        assert!(leans_back("它不影响您的法定权利。"));
        assert!(!leans_back("This warranty is in addition to your statutory rights."));
        assert!(!leans_back("Items can't be returned."));
        assert!(leans_back("If you give or sell it to someone else, they can make a claim."));
        assert!(!leans_back("If your parcel is damaged, tell us within 48 hours."));
    }

    #[test]
    fn a_bare_verdict_comes_first_only_when_it_answers_the_question() {
        let heading = ["FAQ".to_string(), "Do I need an account to order?".to_string()];
        let passages = [Passage {
            text: "No. You can check out as a guest. You can save up to 10 delivery addresses.",
            question: Some("Do I need an account to order?"),
            heading: &heading,
            table_header: None,
        }];
        let all = candidates(&passages);
        let texts: Vec<&str> = all.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            ["No.", "You can check out as a guest.", "You can save up to 10 delivery addresses."]
        );
        let question = weighted("limit saved delivery addresses");
        let selection = Selection { semantic_weight: 0.7, keep_ratio: 0.3 };
        // "No." answers whether an account is needed: related, far below the addresses.
        let answer = select(&question, &all, Some(&[0.5, 0.3, 0.9]), selection, LIMITS).unwrap();
        let quoted: Vec<&str> = answer.pieces.iter().map(|p| p.text.as_str()).collect();
        assert!(quoted.contains(&"You can save up to 10 delivery addresses."), "{quoted:?}");
        assert!(!quoted.contains(&"No."), "{quoted:?}");
        // As close to the question as the answer, it comes first.
        let answer = select(&question, &all, Some(&[1.0, 0.3, 0.6]), selection, LIMITS).unwrap();
        assert_eq!(answer.pieces[0].text, "No.");
        assert!(is_verdict("可以。") && is_verdict("Yes") && !is_verdict("No restocking fee applies."));
    }

    #[test]
    fn a_sentence_whose_words_another_holds_is_a_repeat() {
        let passages = [
            Passage {
                text: "The rated power is 1500 W at 220 V with a 1.2 m cord and a fuse, so a normal 10 A socket is enough.",
                question: None,
                heading: &[],
                table_header: None,
            },
            Passage {
                text: "A normal 10 A socket is enough. Keep it away from water.",
                question: None,
                heading: &[],
                table_header: None,
            },
        ];
        let all = candidates(&passages);
        let similarity = [0.9, 0.8, 0.5];
        let answer =
            select(&weighted("socket power enough"), &all, Some(&similarity), SELECTION, LIMITS).unwrap();
        let quoted: Vec<&str> = answer.pieces.iter().map(|p| p.text.as_str()).collect();
        assert!(quoted[0].starts_with("The rated power"));
        assert!(!quoted.contains(&"A normal 10 A socket is enough."), "{quoted:?}");
    }

    #[test]
    fn a_later_question_adds_what_an_earlier_one_did_not_quote() {
        let passages = [Passage {
            text: "Gift cards are valid for 36 months. Gift cards hold £10 to £500. Gift cards are sent by email.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let one = Limits { max_sentences: 1, max_chars: 600 };
        let question = weighted("valid months");
        let first = select(&question, &all, None, SELECTION, one).unwrap();
        assert_eq!(first.pieces[0].text, "Gift cards are valid for 36 months.");
        let quoted: HashSet<String> = first.pieces.iter().map(|p| p.text.clone()).collect();
        let second =
            select_new(&weighted("gift cards most £500"), &all, None, SELECTION, one, &quoted, None).unwrap();
        assert_eq!(second.pieces[0].text, "Gift cards hold £10 to £500.");
        // Nothing new that answers as well: the same quote again rather than none.
        let again = select_new(&question, &all, None, SELECTION, one, &quoted, None).unwrap();
        assert_eq!(again.pieces[0].text, "Gift cards are valid for 36 months.");
    }

    #[test]
    fn once_the_best_is_said_a_new_sentence_must_answer_half_as_well() {
        let passages = [Passage {
            text: "Descale the kettle every 4 weeks. The kettle holds 1.7 litres.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let similarity = [0.9, 0.2];
        let selection = Selection { semantic_weight: 0.7, keep_ratio: 0.3 };
        let one = Limits { max_sentences: 1, max_chars: 600 };
        let question = weighted("descale kettle");
        let scores = scores(&question, &all, Some(&similarity), selection);
        let (best, other) = (scores[0].unwrap(), scores[1].unwrap());
        assert!(other > selection.keep_ratio * best && other < AFTER_BEST_SAID * best, "{scores:?}");
        let quoted: HashSet<String> = [all[0].text.clone()].into();
        let again = select_new(&question, &all, Some(&similarity), selection, one, &quoted, None).unwrap();
        assert_eq!(again.pieces[0].text, "Descale the kettle every 4 weeks.");
    }

    #[test]
    fn clauses_cut_at_semicolons_count_half_a_sentence() {
        let passages = [Passage {
            text: "扫地机器人旧机补贴 ¥200；空气炸锅旧机补贴 ¥60；电热水壶旧机补贴 ¥30。",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let one = Limits { max_sentences: 1, max_chars: 600 };
        let answer = extract(&weighted("扫地机器人 空气炸锅"), &passages, one).unwrap();
        assert_eq!(answer.pieces.len(), 2, "two clauses make one sentence: {:?}", answer.pieces);
    }

    #[test]
    fn a_chinese_row_does_not_run_on_into_the_next_piece() {
        let piece = |text: &str, marked| Piece { text: text.into(), citation: 0, marked };
        let extract = Extract {
            pieces: vec![
                piece("E7 — 含义: 找不到充电座; 处理方法: 充电座前方需留出 1.5 米空间", false),
                piece("仍反复出现同一故障的，请申请维修。", false),
                piece("可以退货", true),
            ],
            cited: vec![0],
            quoted: vec![Range { start: 0, end: 10 }],
        };
        assert_eq!(
            extract.render(|i| i + 1),
            "E7 — 含义: 找不到充电座; 处理方法: 充电座前方需留出 1.5 米空间。仍反复出现同一故障的，请申请维修。可以退货[1]"
        );
    }

    #[test]
    fn a_passage_quoted_in_part_is_quoted_whole_once() {
        let piece = |text: &str, citation, marked| Piece { text: text.into(), citation, marked };
        let mut extract = Extract {
            pieces: vec![piece("One.", 0, false), piece("Three.", 0, true), piece("Other.", 1, true)],
            cited: vec![2, 0],
            quoted: vec![0..4, 10..16],
        };
        let whole = "One. Two. Three.";
        extract.quote_whole(2, whole);
        assert_eq!(extract.render(|i| i + 1), "One. Two. Three. [1] Other. [2]");
        assert_eq!(extract.quoted, [0..whole.len(), 10..16]);
        // A passage not quoted changes nothing.
        let before = extract.clone();
        extract.quote_whole(5, "Five.");
        assert_eq!(extract.pieces, before.pieces);
    }

    #[test]
    fn picks_relevant_sentences_in_source_order_with_markers() {
        let passages = [
            Passage {
                text: "Shipping is free over $50. Opened electronics carry a 15% restocking fee. We ship daily.",
                question: None,
                heading: &[],
                table_header: None,
            },
            Passage {
                text: "The restocking fee is waived for faulty electronics.",
                question: None,
                heading: &[],
                table_header: None,
            },
            Passage { text: "Our stores open at nine.", question: None, heading: &[], table_header: None },
        ];
        let answer = extract(&weighted("restocking fee for opened electronics"), &passages, LIMITS).unwrap();
        assert_eq!(
            answer.render(|i| i + 1),
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
            Passage {
                text: "Refunds take 5 days. Refunds take 5 days to arrive.",
                question: None,
                heading: &[],
                table_header: None,
            },
            Passage {
                text: "Refunds take 5 business days.",
                question: None,
                heading: &[],
                table_header: None,
            },
        ];
        let answer = extract(&weighted("how many days do refunds take"), &passages, LIMITS).unwrap();
        let text = answer.render(|i| i + 1);
        assert_eq!(text.matches("Refunds").count(), 1, "{text}");
    }

    #[test]
    fn a_matching_faq_entry_is_answered_whole() {
        let passages = [Passage {
            text: "可以，签收后七天内申请。",
            question: Some("可以退货吗？"),
            heading: &[],
            table_header: None,
        }];
        let answer = faq_answer(&weighted("我可以退货吗"), &passages, 0.6).unwrap();
        assert_eq!(answer.render(|i| i + 1), "可以，签收后七天内申请。[1]");
        assert_eq!(answer.render(|i| i + 4), "可以，签收后七天内申请。[4]", "numbered as the caller says");
        assert!(faq_answer(&weighted("发票怎么开"), &passages, 0.6).is_none());
    }

    #[test]
    fn table_rows_are_read_with_their_header_and_the_matching_row_wins() {
        let passages = [Passage {
            text: "Delivery times are in business days.\n\
                   Zone | Standard delivery | Standard cost\n\
                   |---|---|---|\n\
                   United Kingdom | 2–4 business days | £3.95\n\
                   Canada | 6–10 business days | $9.95\n\
                   Orders ship daily.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let texts: Vec<&str> = all.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Delivery times are in business days.",
                "United Kingdom — Standard delivery: 2–4 business days; Standard cost: £3.95",
                "Canada — Standard delivery: 6–10 business days; Standard cost: $9.95",
                "Orders ship daily."
            ]
        );
        assert_eq!(&passages[0].text[all[2].range.clone()], "Canada | 6–10 business days | $9.95");
        let limits = Limits { max_sentences: 1, max_chars: 600 };
        let answer = extract(&weighted("standard delivery cost to canada"), &passages, limits).unwrap();
        assert_eq!(
            answer.render(|i| i + 1),
            "Canada — Standard delivery: 6–10 business days; Standard cost: $9.95 [1]"
        );
    }

    #[test]
    fn similarity_finds_the_sentence_that_shares_no_word() {
        let passages = [Passage {
            text: "Parcels are insured. You can send it back within 30 days.",
            question: None,
            heading: &[],
            table_header: None,
        }];
        let all = candidates(&passages);
        let question = weighted("how long do i have to return parcels");
        let lexical =
            select(&question, &all, None, SELECTION, Limits { max_sentences: 1, max_chars: 600 }).unwrap();
        assert_eq!(lexical.pieces[0].text, "Parcels are insured.");
        let semantic = select(
            &question,
            &all,
            Some(&[0.1, 0.9]),
            SELECTION,
            Limits { max_sentences: 1, max_chars: 600 },
        )
        .unwrap();
        assert_eq!(semantic.pieces[0].text, "You can send it back within 30 days.");
    }
}
