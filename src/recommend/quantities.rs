//! Sizes a shopper states ("flat is about 90m2", "we're a family of 6", "一家七口") and the limits
//! a product page states for them ("Up to 70 m² per charge", "3–5 people", "适合 4–8 口之家"): a
//! product whose limit is below what the shopper needs does not fit. Pure.

use crate::understand::numbers;

/// What a size measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Floor area, in square metres.
    Area,
    /// People served.
    People,
}

/// Units after a number, by what they measure (longest first where one starts another).
const UNITS: &[(&str, Measure)] = &[
    ("square metres", Measure::Area),
    ("square meters", Measure::Area),
    ("sq m", Measure::Area),
    ("sqm", Measure::Area),
    ("m²", Measure::Area),
    ("m2", Measure::Area),
    ("平方米", Measure::Area),
    ("平米", Measure::Area),
    ("平方", Measure::Area),
    ("平", Measure::Area),
    ("㎡", Measure::Area),
    ("people", Measure::People),
    ("persons", Measure::People),
    ("person", Measure::People),
    ("of us", Measure::People),
    ("口之家", Measure::People),
    ("口人", Measure::People),
    ("口", Measure::People),
    ("个人", Measure::People),
    ("人", Measure::People),
];

/// Words before a number that count people ("family of 6", "we're 7 now").
const PEOPLE_BEFORE: &[&str] = &["family of", "we're", "we are", "there are", "一家"];

/// The unit at the start of `text` (after optional spaces), and the bytes up to its end.
fn leading_unit(text: &str) -> Option<(Measure, usize)> {
    let spaces = text.len() - text.trim_start().len();
    UNITS.iter().find(|(unit, _)| text[spaces..].starts_with(unit)).map(|(unit, m)| (*m, spaces + unit.len()))
}

/// The numbers of a lowercased text with the bytes each spans.
fn numbers_of(lower: &str) -> Vec<(f64, std::ops::Range<usize>)> {
    let chars: Vec<char> = lower.chars().collect();
    let offsets: Vec<usize> = lower.char_indices().map(|(b, _)| b).chain([lower.len()]).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match numbers::number(&chars, i) {
            Some((value, end)) => {
                out.push((value, offsets[i]..offsets[end]));
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// The sizes `text` states, lowercased: each number followed by a unit, or after words that
/// count people.
pub fn stated(text: &str) -> Vec<(Measure, f64)> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for (value, range) in numbers_of(&lower) {
        if let Some((measure, _)) = leading_unit(&lower[range.end..]) {
            out.push((measure, value));
        } else if PEOPLE_BEFORE.iter().any(|w| lower[..range.start].trim_end().ends_with(w)) {
            out.push((Measure::People, value));
        }
    }
    out
}

/// The most a product serves, as its page states it: "up to N unit", "最多 N unit", "N unit以内",
/// or the top of a range "a–b unit".
pub fn limits(text: &str) -> Vec<(Measure, f64)> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for (value, range) in numbers_of(&lower) {
        let rest = &lower[range.end..];
        let Some((measure, unit_end)) = leading_unit(rest) else {
            continue;
        };
        let before = lower[..range.start].trim_end();
        let bounded =
            before.ends_with(['–', '-', '~', '至']) || before.ends_with("up to") || before.ends_with("最多");
        if bounded || rest[unit_end..].starts_with("以内") || rest[unit_end..].starts_with("以下") {
            out.push((measure, value));
        }
    }
    out
}

/// Whether a product with `limits` is too small for what the shopper `needs`.
pub fn too_small(limits: &[(Measure, f64)], needs: &[(Measure, f64)]) -> bool {
    needs.iter().any(|&(measure, need)| limits.iter().any(|&(m, most)| m == measure && most < need))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shoppers_sizes_in_both_languages() {
        assert_eq!(stated("flat is about 90m2. which roamo"), [(Measure::Area, 90.0)]);
        assert_eq!(stated("we're a family of six"), [(Measure::People, 6.0)]);
        assert_eq!(stated("家里90平 养了两只猫"), [(Measure::Area, 90.0)]);
        assert_eq!(stated("一家七口 想要大一点的"), [(Measure::People, 7.0)]);
        assert!(stated("budget £200, 2 cats").is_empty());
    }

    #[test]
    fn pages_limits_and_what_is_too_small() {
        let s5 = limits("Recommended home size | Up to 70 m² per charge");
        assert_eq!(s5, [(Measure::Area, 70.0)]);
        assert_eq!(limits("cooks for 3–5 people"), [(Measure::People, 5.0)]);
        assert_eq!(limits("适合 4–8 口之家"), [(Measure::People, 8.0)]);
        assert_eq!(limits("适用面积 | 单次充电约 70 平方米以内"), [(Measure::Area, 70.0)]);
        assert!(limits("it takes about 15 minutes for a 60 m² home").is_empty());
        assert!(too_small(&s5, &[(Measure::Area, 90.0)]));
        assert!(!too_small(&s5, &[(Measure::Area, 40.0), (Measure::People, 9.0)]));
    }
}
