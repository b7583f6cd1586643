//! English words typed wrong ("recieve", "warrenty", "refudn") read as the help center's word
//! one or two edits away. A word is left alone when the help center uses it or the language
//! model's vocabulary knows it (a real word the help center never uses, such as "weight", is not
//! "corrected" to "eight"). Pure functions over a [`Speller`].

use std::collections::{HashMap, HashSet};

use crate::analysis;

/// Shortest word corrected: shorter ones have too many neighbours.
const MIN_LETTERS: usize = 4;
/// Terms from this length on may have a letter changed; shorter ones only swapped, missing or
/// extra letters.
const SUBSTITUTIONS_FROM: usize = 6;
/// Terms from this length on may be two edits away; shorter ones one.
const TWO_EDITS_FROM: usize = 7;

/// The help center's English terms and the words that spell them.
#[derive(Debug, Default, Clone)]
pub struct Speller {
    /// Analysed terms (stems) by length in characters, with the chunks containing them.
    terms_by_length: HashMap<usize, Vec<(String, u32)>>,
    /// Every analysed term, for membership.
    terms: HashSet<String>,
    /// Real words (the embedding model's whole-word vocabulary).
    dictionary: HashSet<String>,
    /// Term → real words analysed to it, to write a correction as a word ("receiv" → "receive").
    spellings: HashMap<String, Vec<String>>,
}

impl Speller {
    /// A speller for the index `terms` (analysed term, chunks containing it) and the real words of
    /// `dictionary`.
    pub fn new<'a>(
        terms: impl IntoIterator<Item = (&'a str, u32)>,
        dictionary: impl IntoIterator<Item = String>,
    ) -> Speller {
        let mut speller = Speller::default();
        for (term, chunks) in terms {
            if term.len() >= MIN_LETTERS - 1 && term.bytes().all(|b| b.is_ascii_lowercase()) {
                speller.terms_by_length.entry(term.len()).or_default().push((term.to_string(), chunks));
                speller.terms.insert(term.to_string());
            }
        }
        for word in dictionary {
            // "Europe", "London": a capitalised word is a real word too.
            let word = word.to_ascii_lowercase();
            if word.len() >= 2 && word.bytes().all(|b| b.is_ascii_lowercase()) {
                if let Some(term) = term_of(&word).filter(|t| speller.terms.contains(t)) {
                    speller.spellings.entry(term).or_default().push(word.clone());
                }
                speller.dictionary.insert(word);
            }
        }
        speller
    }

    /// The help center's word meant by `word`, when `word` is a misspelling of one.
    pub fn correct(&self, word: &str) -> Option<String> {
        let lower = word.to_ascii_lowercase();
        if lower.len() < MIN_LETTERS || !lower.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        if self.dictionary.contains(&lower) || base_forms(&lower).iter().any(|b| self.dictionary.contains(b))
        {
            return None;
        }
        let term = term_of(&lower)?;
        if self.terms.contains(&term) {
            return None;
        }
        let most = if term.len() >= TWO_EDITS_FROM { 2 } else { 1 };
        let (best, _, _) = (term.len().saturating_sub(most)..=term.len() + most)
            .filter_map(|length| self.terms_by_length.get(&length))
            .flatten()
            .filter_map(|(candidate, chunks)| {
                let distance = edit_distance(&term, candidate, most)?;
                // In a short word a changed letter too often makes another real word ("stall",
                // "still"): there only swapped, missing or extra letters are typos.
                let substituted = candidate.len() == term.len() && !same_letters(candidate, &term);
                // A word is rarely mistyped at its first letter, and a letter added or dropped
                // there makes another word ("lose" is no "close", "ages" no "pages").
                let same_start = candidate.as_bytes().first() == term.as_bytes().first();
                (same_start && !(substituted && term.len() < SUBSTITUTIONS_FROM))
                    .then_some((candidate, distance, *chunks))
            })
            // Fewest edits, then the most common term, then the first alphabetically.
            .min_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)))?;
        let spelled = self
            .spellings
            .get(best)
            .and_then(|words| words.iter().min_by_key(|w| (edit_distance(&lower, w, usize::MAX), w.len())))
            .cloned();
        Some(spelled.unwrap_or_else(|| best.clone()))
    }

    /// `text` with its misspelt English words corrected.
    pub fn correct_text(&self, text: &str) -> String {
        if self.terms.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut word_start = None;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            if c.is_ascii_alphabetic() {
                word_start.get_or_insert(i);
                continue;
            }
            if let Some(start) = word_start.take() {
                let word = &text[start..i];
                // Words glued to digits are model numbers ("S7", "NW-AF550").
                let glued = text[..start].ends_with(|c: char| c.is_ascii_digit()) || c.is_ascii_digit();
                match self.correct(word).filter(|_| !glued) {
                    Some(corrected) => out.push_str(&corrected),
                    None => out.push_str(word),
                }
            }
            if i < text.len() {
                out.push(c);
            }
        }
        out
    }
}

/// The words `word` may be an inflection of ("sorted" → "sort", "tried" → "try", "stopped" →
/// "stop"): the model's vocabulary holds many words only in their base form.
fn base_forms(word: &str) -> Vec<String> {
    let mut forms = Vec::new();
    for (suffix, replacement) in [
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
        ("es", ""),
        ("s", ""),
        ("ly", ""),
        ("er", ""),
        ("iest", "y"),
        ("est", ""),
        ("est", "e"),
    ] {
        if let Some(stem) = word.strip_suffix(suffix).filter(|stem| stem.len() >= 3) {
            // "swiming" is no inflection of "swim": a short word ending in one vowel and one
            // consonant doubles it ("swimming").
            if replacement.is_empty() && matches!(suffix, "ing" | "ed") && doubles_last(stem) {
                continue;
            }
            forms.push(format!("{stem}{replacement}"));
            // "stopped" → "stop": a doubled last consonant.
            let bytes = stem.as_bytes();
            if replacement.is_empty() && bytes.len() >= 4 && bytes[bytes.len() - 1] == bytes[bytes.len() - 2]
            {
                forms.push(stem[..stem.len() - 1].to_string());
            }
        }
    }
    forms
}

/// Whether a short `stem` ends in a consonant after a single vowel ("swim", "stop"), which
/// doubles before "-ing" and "-ed".
fn doubles_last(stem: &str) -> bool {
    let vowel = |c: u8| b"aeiou".contains(&c);
    match stem.as_bytes() {
        [.., a, b, c] if stem.len() <= 4 => !vowel(*a) && vowel(*b) && !vowel(*c) && !b"wxy".contains(c),
        _ => false,
    }
}

/// Whether two words are made of the same letters (one is the other with letters swapped).
fn same_letters(a: &str, b: &str) -> bool {
    let sorted = |w: &str| {
        let mut letters: Vec<char> = w.chars().collect();
        letters.sort_unstable();
        letters
    };
    sorted(a) == sorted(b)
}

/// The analysed term of one English word (its stem); `None` for stop words.
fn term_of(word: &str) -> Option<String> {
    analysis::words(word).into_iter().next().map(|t| t.term)
}

/// Optimal string alignment distance (insertions, deletions, substitutions and swaps of adjacent
/// letters), or `None` when it is above `most`.
pub fn edit_distance(a: &str, b: &str, most: usize) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > most {
        return None;
    }
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; a.len() + 1];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i][0] = i;
        let mut row_min = rows[i][0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
            row_min = row_min.min(d);
        }
        if row_min > most {
            return None;
        }
    }
    Some(rows[a.len()][b.len()]).filter(|&d| d <= most)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speller() -> Speller {
        let corpus = "receive received warranty refund refunds delivery address kettle descale shipping \
                      cancellation eight ship close pages euro short cheaper";
        let mut counts: HashMap<String, u32> = HashMap::new();
        for token in analysis::words(corpus) {
            *counts.entry(token.term).or_default() += 1;
        }
        let terms: Vec<(String, u32)> = counts.into_iter().collect();
        let dictionary = [
            "receive", "received", "weight", "refund", "delivery", "address", "descale", "the", "Europe",
            "sort", "ship", "cheap",
        ];
        Speller::new(terms.iter().map(|(t, c)| (t.as_str(), *c)), dictionary.iter().map(|w| w.to_string()))
    }

    #[test]
    fn edit_distance_counts_swaps_as_one_edit() {
        assert_eq!(edit_distance("recieve", "receive", 2), Some(1));
        assert_eq!(edit_distance("refudn", "refund", 1), Some(1));
        assert_eq!(edit_distance("kettle", "kettle", 0), Some(0));
        assert_eq!(edit_distance("warranty", "address", 2), None);
        assert_eq!(edit_distance("abc", "abcdef", 2), None);
    }

    #[test]
    fn misspelt_words_become_the_help_centers_words() {
        let speller = speller();
        assert_eq!(speller.correct("recieve").as_deref(), Some("receive"));
        assert_eq!(speller.correct("refudn").as_deref(), Some("refund"));
        assert_eq!(speller.correct("delivry").as_deref(), Some("delivery"));
        assert_eq!(speller.correct("adress").as_deref(), Some("address"));
        // No real word spells the term: the term itself is used.
        assert_eq!(speller.correct("warrenty").as_deref(), Some("warranti"));
        assert_eq!(speller.correct("kettel").as_deref(), Some("kettl"));
    }

    #[test]
    fn real_and_known_words_are_left_alone() {
        let speller = speller();
        assert_eq!(speller.correct("weight"), None, "a real word, even if the help center never uses it");
        assert_eq!(speller.correct("refunds"), None, "the help center uses it");
        assert_eq!(speller.correct("cat"), None, "too short");
        assert_eq!(speller.correct("xylophone"), None, "nothing close");
        assert_eq!(speller.correct("shop"), None, "a changed letter in a short word is not a typo (ship)");
        assert_eq!(speller.correct("lose"), None, "a letter added before a word makes another word (close)");
        assert_eq!(speller.correct("ages"), None, "nor is it a typo (pages)");
        assert_eq!(speller.correct("europe"), None, "a capitalised real word (Europe)");
        assert_eq!(speller.correct("sorted"), None, "an inflected real word (sort), not short");
        assert_eq!(speller.correct("cheapest"), None, "a superlative of a real word (cheap), not cheaper");
        assert_eq!(speller.correct("shorrt").as_deref(), Some("short"));
        assert_eq!(speller.correct("shiping").as_deref(), Some("ship"), "a typo, not an inflection of ship");
    }

    #[test]
    fn text_is_corrected_word_by_word_and_model_numbers_kept() {
        let speller = speller();
        assert_eq!(
            speller.correct_text("when will i recieve my refudn for the kettel?"),
            "when will i receive my refund for the kettl?"
        );
        assert_eq!(speller.correct_text("Roamo S7 adress"), "Roamo S7 address");
        assert_eq!(speller.correct_text("NW-AFx550 recieve"), "NW-AFx550 receive");
    }
}
