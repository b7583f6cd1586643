//! Key facts: whether an answer states the short facts a complete answer must contain ("£4.99",
//! "30 days", "7天", "Account > Orders"). Pure functions.
//!
//! Both sides are normalised ([`normalize`]) and the fact must then be a substring of the
//! answer that does not continue a number or a word: "30 days" is not found in "130 days", nor
//! "¥99" in "¥99.50", nor "5 m" in "5 min". A fact that is a number with a unit also matches the
//! unit's other forms: "30 days" ~ "30-day" ~ "30 day", "7天" ~ "7 天", "15%" ~ "15 %". Nothing
//! else is equated ("£4.99" is not "4.99 GBP", "7天" is not "七天"), so a wrong number never
//! counts.

use serde::{Deserialize, Serialize};

/// A labelled question's key facts checked against one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactCheck {
    /// The key facts the answer states, as labelled.
    pub found: Vec<String>,
    /// The key facts it does not state.
    pub missing: Vec<String>,
}

impl FactCheck {
    /// How many facts were checked.
    pub fn total(&self) -> usize {
        self.found.len() + self.missing.len()
    }

    /// The share of the facts found; `None` when there were none to find.
    pub fn recall(&self) -> Option<f64> {
        (self.total() > 0).then(|| self.found.len() as f64 / self.total() as f64)
    }
}

/// Checks each of `facts` against `answer` (see the module documentation).
pub fn check(answer: &str, facts: &[String]) -> FactCheck {
    let answer = normalize(answer);
    let (found, missing) = facts.iter().cloned().partition(|fact| states(&answer, fact));
    FactCheck { found, missing }
}

/// Whether the normalised answer `answer` states `fact` (not yet normalised).
fn states(answer: &str, fact: &str) -> bool {
    let fact = normalize(fact);
    !fact.is_empty() && unit_forms(&fact).iter().any(|form| occurs_whole(answer, form))
}

/// Text in the form facts are compared in: NFKC (full-width letters, digits, `％`, `￥` folded),
/// lowercased, citation markers (`[1]`, `[1, 3]`, `【2】`) removed, thousands separators dropped
/// ("1,299" → "1299"), a hyphen or space between a number and the word after it dropped ("30-day"
/// → "30day"), and whitespace removed except a single space between two letters or digits
/// (which keeps "order 1 30 days" from reading as "130days").
pub fn normalize(text: &str) -> String {
    let mut folded = tokenizers::NormalizedString::from(text);
    folded.nfkc();
    let chars: Vec<char> = strip_markers(&folded.get().to_lowercase()).chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = out.last().copied();
        let after_digit = before.is_some_and(|b| b.is_ascii_digit());
        if c == '-' {
            // A hyphen stays, except between a number and its unit ("30-day").
            let next = chars[i + 1..].iter().find(|a| !a.is_whitespace());
            if !(after_digit && next.is_some_and(|a| a.is_alphabetic())) {
                out.push('-');
            }
            i += 1;
        } else if c.is_whitespace() {
            let run_end = (i..chars.len()).find(|&j| !chars[j].is_whitespace()).unwrap_or(chars.len());
            let after = chars.get(run_end).copied();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !is_han(c));
            let unit = after_digit && after.is_some_and(|a| a.is_alphabetic() || a == '-');
            if word(before) && word(after) && !unit {
                out.push(' ');
            }
            i = run_end;
        } else {
            if !(c == ',' && is_thousands_separator(&out, &chars[i + 1..])) {
                out.push(c);
            }
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// A comma after a digit and before exactly three digits.
fn is_thousands_separator(before: &[char], after: &[char]) -> bool {
    before.last().is_some_and(char::is_ascii_digit)
        && after.len() >= 3
        && after[..3].iter().all(char::is_ascii_digit)
        && !after.get(3).is_some_and(char::is_ascii_digit)
}

/// `text` without bracketed runs of citation numbers.
fn strip_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(['[', '【']) {
        out.push_str(&rest[..start]);
        let open = &rest[start..];
        let close = open.char_indices().skip(1).find(|&(_, c)| !(c.is_ascii_digit() || c == ',' || c == ' '));
        match close {
            Some((end, c @ (']' | '】'))) if open[..end].chars().any(|c| c.is_ascii_digit()) => {
                rest = &open[end + c.len_utf8()..];
            }
            _ => {
                let first = open.chars().next().map_or(1, char::len_utf8);
                out.push_str(&open[..first]);
                rest = &open[first..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The forms of a normalised fact that count: itself, and for a number followed by a word, the
/// word with and without a plural `s` ("30days", "30day").
fn unit_forms(fact: &str) -> Vec<String> {
    let word_start = fact.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    let number_then_word =
        word_start < fact.len() && fact[..word_start].ends_with(|c: char| c.is_ascii_digit());
    if !number_then_word {
        return vec![fact.to_string()];
    }
    let other = match fact.strip_suffix('s') {
        Some(singular) if singular.len() > word_start => singular.to_string(),
        _ => format!("{fact}s"),
    };
    vec![fact.to_string(), other]
}

/// Whether `needle` occurs in `haystack` without continuing a number or an ASCII word on
/// either side.
fn occurs_whole(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        let mut before = haystack[..at].chars().rev();
        let mut after = haystack[at + needle.len()..].chars();
        let (first, last) = (needle.chars().next(), needle.chars().next_back());
        let (b1, b2) = (before.next(), before.next());
        let (a1, a2) = (after.next(), after.next());
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        let letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
        let decimal_point = |c: Option<char>| c.is_some_and(|c| c == '.' || c == ',');
        let starts_inside = (digit(first) && (digit(b1) || (decimal_point(b1) && digit(b2))))
            || (letter(first) && letter(b1));
        let ends_inside =
            (digit(last) && (digit(a1) || (decimal_point(a1) && digit(a2)))) || (letter(last) && letter(a1));
        !starts_inside && !ends_inside
    })
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn states_fact(answer: &str, fact: &str) -> bool {
        check(answer, &facts(&[fact])).recall() == Some(1.0)
    }

    #[test]
    fn normalisation_folds_width_case_markers_separators_and_spaces() {
        assert_eq!(normalize("Refund of £1,299 [1] within 30 Days【2】"), "refund of£1299within 30days");
        assert_eq!(normalize("ＮＷ－ＡＦ５５０ costs ￥９９，１５％"), "nw-af550costs¥99,15%");
        assert_eq!(normalize("7 天 内 退货"), "7天内退货");
        assert_eq!(normalize("a 30-day window, 1 30 days"), "a 30day window,1 30days");
        assert_eq!(normalize("see [the policy] [12, 3]"), "see[the policy]");
        assert_eq!(normalize("1,2345 and 12,345,678"), "1,2345and 12345678");
    }

    #[test]
    fn english_facts_on_hand_computed_cases() {
        let result = check(
            "You can return it within a 30-day window [1]; the fee is £4.99 and members save 15 %.",
            &facts(&["30 days", "£4.99", "15%", "Account > Orders"]),
        );
        assert_eq!(result.found, facts(&["30 days", "£4.99", "15%"]));
        assert_eq!(result.missing, facts(&["Account > Orders"]));
        assert_eq!(result.recall(), Some(0.75));
        assert!(states_fact("Go to account > orders and pick it.", "Account > Orders"));
        assert!(states_fact("within 30 day", "30 days"));
        assert!(states_fact("a 1-year warranty", "1 year"));
        assert!(states_fact("Orders over £1,000 ship free", "£1000"));
    }

    #[test]
    fn a_wrong_number_never_counts() {
        assert!(!states_fact("within 130 days", "30 days"));
        assert!(!states_fact("within 300 days", "30 days"));
        assert!(!states_fact("the fee is £14.99", "£4.99"));
        assert!(!states_fact("the fee is £4.995", "£4.99"));
        assert!(!states_fact("only ¥99.50", "¥99"));
        assert!(!states_fact("1.5%", "15%"));
        assert!(!states_fact("order 1 30 days ago", "130 days"));
        assert!(!states_fact("takes 5 min", "5 m"));
        assert!(!states_fact("within 30 days", "30 hours"));
        assert!(!states_fact("£4.99", "4.99 GBP"), "other ways of writing a currency are not equated");
        // A number at the end of a sentence is still whole.
        assert!(states_fact("The fee is ¥99.", "¥99"));
    }

    #[test]
    fn chinese_facts_on_hand_computed_cases() {
        let result = check(
            "亲，签收后7 天内可以无理由退货[1]，运费￥１２，满¥99包邮。",
            &facts(&["7天", "¥12", "¥99", "原包装"]),
        );
        assert_eq!(result.found, facts(&["7天", "¥12", "¥99"]));
        assert_eq!(result.missing, facts(&["原包装"]));
        assert_eq!(result.recall(), Some(0.75));
        assert!(!states_fact("签收后17天内", "7天"));
        assert!(!states_fact("七天无理由", "7天"), "numerals are not equated");
        assert!(states_fact("请保留原 包装", "原包装"));
        assert!(states_fact("享受１５％折扣", "15%"));
        assert_eq!(check("anything", &[]).recall(), None);
    }
}
