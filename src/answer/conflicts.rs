//! Passages that contradict each other: two sentences from different documents that state the
//! same rule with different numbers ("no restocking fee" and "a 15% restocking fee"; a return
//! window of 30 days and one of 14; 七天无理由 and 十五天无理由).
//!
//! A sentence with a quantity is a claim: a duration (days, weeks, months, hours; 天, 个工作日,
//! 周, 个月, 小时), a percentage, an amount of money in one currency, or "no fee". Its rule is
//! the sentence's other words, as analysed for search, without numbers, units and a few
//! pronouns. Two claims conflict when their quantities are of the same kind and cannot both be
//! true (disjoint values or ranges; "no fee" against any fee), and their rules match: at least
//! three shared words, making at least half of the words of both (Jaccard). Claims are only compared with
//! claims that share a word with them, through an inverted index whose overly common words are
//! skipped, so the cost grows with the number of claims, not with its square.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::analysis;
use crate::understand::numbers::{NUMERALS_ZH, number, skip};

/// Share of the two rules' words (Jaccard) they must share: a short sentence ("No restocking
/// fee applies.") often leaves its condition to the heading above it, so a rule is only the
/// same when the two sentences say nearly the same thing but the number.
const MIN_SIMILARITY: f32 = 0.5;
/// Words the two rules must share: a rule of two words ("日常价：¥199") leaves its subject (which
/// product?) to the page around it.
const MIN_SHARED: usize = 3;
/// Claims read from one text (a chunk is a few sentences; this bounds a hostile one).
const MAX_CLAIMS_PER_TEXT: usize = 64;
/// A word found in more claims than this says nothing about which rule a claim states; it is
/// not used to find candidates (it still counts when two candidates are compared).
const MAX_POSTINGS: usize = 256;

/// A text to look for conflicts in.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Texts of the same group (a document) are not compared with each other: a page that gives
    /// 30 days for one case and 14 for another is stating two rules.
    pub group: &'a str,
    /// The text.
    pub text: &'a str,
}

/// Two sentences of different sources that state conflicting numbers for the same rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Index of the first source.
    pub a: usize,
    /// Byte range of its sentence.
    pub a_sentence: Range<usize>,
    /// Index of the second source (after `a`).
    pub b: usize,
    /// Byte range of its sentence.
    pub b_sentence: Range<usize>,
}

/// A quantity stated by a sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quantity {
    /// A duration in days (hours are fractions of one), low and high end of a range.
    Days(f32, f32),
    /// A percentage.
    Percent(f32, f32),
    /// An amount of money in a currency.
    Money(Currency, f32, f32),
    /// The sentence says a fee or charge is not due.
    NoFee,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Currency {
    Dollar,
    Euro,
    Pound,
    Yuan,
}

/// A sentence with a quantity.
#[derive(Debug, Clone)]
struct Claim {
    sentence: Range<usize>,
    quantity: Quantity,
    /// The rule: sorted, distinct.
    terms: Vec<String>,
}

/// Conflicting sentences among `sources`, at most `max` of them, in source order.
pub fn find(sources: &[Source], max: usize) -> Vec<Conflict> {
    let claims: Vec<(usize, Claim)> = sources
        .iter()
        .enumerate()
        .flat_map(|(i, source)| {
            claims(source.text).into_iter().take(MAX_CLAIMS_PER_TEXT).map(move |c| (i, c))
        })
        .collect();
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, claim)) in claims.iter().enumerate() {
        for term in &claim.terms {
            postings.entry(term).or_default().push(i);
        }
    }
    let mut conflicts = Vec::new();
    for (i, (source, claim)) in claims.iter().enumerate() {
        // Later claims sharing a word with this one: the only ones it can conflict with.
        let mut candidates: BTreeMap<usize, ()> = BTreeMap::new();
        for term in &claim.terms {
            let list = &postings[term.as_str()];
            if list.len() <= MAX_POSTINGS {
                candidates.extend(list.iter().filter(|&&j| j > i).map(|&j| (j, ())));
            }
        }
        for &j in candidates.keys() {
            let (other_source, other) = &claims[j];
            if sources[*source].group == sources[*other_source].group
                || !contradicts(claim.quantity, other.quantity)
                || !same_rule(&claim.terms, &other.terms)
            {
                continue;
            }
            conflicts.push(Conflict {
                a: *source,
                a_sentence: claim.sentence.clone(),
                b: *other_source,
                b_sentence: other.sentence.clone(),
            });
            if conflicts.len() >= max {
                return conflicts;
            }
        }
    }
    conflicts
}

fn contradicts(a: Quantity, b: Quantity) -> bool {
    let disjoint = |(a0, a1): (f32, f32), (b0, b1): (f32, f32)| a1 < b0 || b1 < a0;
    match (a, b) {
        (Quantity::Days(a0, a1), Quantity::Days(b0, b1))
        | (Quantity::Percent(a0, a1), Quantity::Percent(b0, b1)) => disjoint((a0, a1), (b0, b1)),
        (Quantity::Money(ca, a0, a1), Quantity::Money(cb, b0, b1)) => {
            ca == cb && disjoint((a0, a1), (b0, b1))
        }
        (Quantity::NoFee, Quantity::Percent(_, high) | Quantity::Money(_, _, high))
        | (Quantity::Percent(_, high) | Quantity::Money(_, _, high), Quantity::NoFee) => high > 0.0,
        _ => false,
    }
}

fn same_rule(a: &[String], b: &[String]) -> bool {
    let shared = a.iter().filter(|t| b.binary_search(t).is_ok()).count();
    let union = a.len() + b.len() - shared;
    shared >= MIN_SHARED && shared as f32 >= MIN_SIMILARITY * union as f32
}

/// The claims of a text, sentence by sentence.
fn claims(text: &str) -> Vec<Claim> {
    let mut claims = Vec::new();
    for sentence in kefu_ingest::quotable::sentences(text) {
        let quantities = quantities(&text[sentence.clone()]);
        if quantities.is_empty() {
            continue;
        }
        let terms = rule_terms(&text[sentence.clone()]);
        if terms.len() < MIN_SHARED {
            continue;
        }
        for (i, &quantity) in quantities.iter().enumerate() {
            let kind = std::mem::discriminant(&quantity);
            let same_kind = |q: &&Quantity| std::mem::discriminant(*q) == kind;
            // Two different durations (or fees) in one sentence are two rules ("card refunds
            // take 5-10 days, PayPal 3-5"): which words go with which is unknown, so neither is
            // a claim. The same number said twice is one claim.
            let first = quantities.iter().position(|q| same_kind(&q)) == Some(i);
            if first && quantities.iter().filter(same_kind).all(|&q| q == quantity) {
                claims.push(Claim { sentence: sentence.clone(), quantity, terms: terms.clone() });
            }
        }
    }
    claims
}

/// Analysed words that are not part of a quantity and not pronouns or auxiliaries.
fn rule_terms(sentence: &str) -> Vec<String> {
    const SKIP: &[&str] = &[
        // Units and values, as stemmed by the analyser.
        "day",
        "busi",
        "work",
        "calendar",
        "week",
        "month",
        "hour",
        "hr",
        "year",
        "percent",
        "per",
        "cent",
        "no",
        "not",
        "zero",
        "free",
        "without",
        "waiv",
        "charg",
        "usd",
        "eur",
        "gbp",
        "rmb",
        "dollar",
        "euro",
        "pound",
        "元",
        "块",
        "天",
        "日",
        "周",
        "月",
        "年",
        "小时",
        "工作日",
        "个",
        "免费",
        "不",
        "无",
        // Pronouns and auxiliaries, which every sentence shares.
        "you",
        "your",
        "we",
        "our",
        "us",
        "i",
        "can",
        "have",
        "has",
        "do",
        "may",
        "must",
        "should",
        "would",
        "within",
        "after",
        "befor",
        "from",
        "up",
        "onli",
        "also",
        "ani",
        "all",
        "most",
        "yes",
        "we'r",
        "you'r",
        "it'",
        "there'",
        "内",
        "起",
        "后",
        "前",
        "自",
    ];
    let is_quantity = |t: &str| {
        t.chars().all(|c| c.is_ascii_digit() || NUMERALS_ZH.contains(c) || "天日周月年个.%".contains(c))
    };
    let mut terms: Vec<String> = analysis::words(sentence)
        .into_iter()
        .map(|t| t.term)
        .filter(|t| !is_quantity(t) && !t.chars().any(|c| c.is_ascii_digit()) && !SKIP.contains(&t.as_str()))
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

/// The quantities stated in a sentence, in order.
fn quantities(sentence: &str) -> Vec<Quantity> {
    let lower: String = sentence
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}'
            | '\u{FF21}'..='\u{FF3A}'
            | '\u{FF41}'..='\u{FF5A}'
            | '\u{FF05}'
            | '\u{FFE5}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    let chars: Vec<char> = lower.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some((low, mut end)) = number(&chars, i).map(|(v, end)| (v as f32, end)) else {
            i += 1;
            continue;
        };
        let start = i;
        let mut high = low;
        // A range: "5–10", "3 to 5", "7至15".
        let after_dash = skip(&chars, end, |c| c == ' ');
        let range_word = ["-", "–", "—", "~", "～", "至", "到", "to "].iter().find_map(|w| {
            let w: Vec<char> = w.chars().collect();
            chars[after_dash..].starts_with(&w).then_some(after_dash + w.len())
        });
        if let Some(next) = range_word
            && let Some((value, next_end)) =
                number(&chars, skip(&chars, next, |c| c == ' ')).map(|(v, end)| (v as f32, end))
            && value >= low
        {
            high = value;
            end = next_end;
        }
        i = end.max(start + 1);
        let before: String = chars[start.saturating_sub(4)..start].iter().collect();
        if let Some(currency) = currency_before(before.trim_end()) {
            found.push(Quantity::Money(currency, low, high));
            continue;
        }
        if before.ends_with("百分之") {
            found.push(Quantity::Percent(low, high));
            continue;
        }
        let rest: String = chars[skip(&chars, end, |c| c == ' ' || c == '-')..].iter().take(16).collect();
        if let Some(quantity) = unit(&rest, &before, low, high) {
            found.push(quantity);
        }
    }
    if says_no_fee(&lower) {
        found.push(Quantity::NoFee);
    }
    found
}

fn currency_before(before: &str) -> Option<Currency> {
    match before.chars().last()? {
        '$' => Some(Currency::Dollar),
        '€' => Some(Currency::Euro),
        '£' => Some(Currency::Pound),
        '¥' => Some(Currency::Yuan),
        _ => None,
    }
}

/// The quantity a number makes with the words after it (`rest`), if they are a unit.
fn unit(rest: &str, before: &str, low: f32, high: f32) -> Option<Quantity> {
    let days = |factor: f32| Some(Quantity::Days(low * factor, high * factor));
    let word = rest.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or_default();
    let second =
        rest.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).nth(1).unwrap_or_default();
    match word {
        "day" | "days" => return days(1.0),
        "business" | "working" | "calendar" if matches!(second, "day" | "days") => return days(1.0),
        "week" | "weeks" => return days(7.0),
        "month" | "months" => return days(30.0),
        "hour" | "hours" | "hrs" => return days(1.0 / 24.0),
        "year" | "years" if low < 100.0 => return days(365.0),
        "percent" => return Some(Quantity::Percent(low, high)),
        "per" if second == "cent" => return Some(Quantity::Percent(low, high)),
        "usd" | "dollars" => return Some(Quantity::Money(Currency::Dollar, low, high)),
        "eur" | "euros" => return Some(Quantity::Money(Currency::Euro, low, high)),
        "gbp" | "pounds" => return Some(Quantity::Money(Currency::Pound, low, high)),
        "rmb" | "cny" => return Some(Quantity::Money(Currency::Yuan, low, high)),
        _ => {}
    }
    let date = before.trim_end().ends_with('月');
    let starts = |units: &[&str]| units.iter().any(|u| rest.starts_with(u));
    if rest.starts_with('%') {
        Some(Quantity::Percent(low, high))
    } else if starts(&["个工作日", "工作日", "个自然日", "自然日", "天"]) || (rest.starts_with('日') && !date)
    {
        days(1.0)
    } else if starts(&["周", "个星期", "星期"]) {
        days(7.0)
    } else if starts(&["个月"]) {
        days(30.0)
    } else if starts(&["小时", "个小时"]) {
        days(1.0 / 24.0)
    } else if rest.starts_with('年') && low < 100.0 && !rest[3..].starts_with(|c: char| c.is_ascii_digit()) {
        days(365.0)
    } else if starts(&["元", "块"]) {
        Some(Quantity::Money(Currency::Yuan, low, high))
    } else {
        None
    }
}

/// Whether a (lowercased) sentence says a fee or charge is not due.
fn says_no_fee(sentence: &str) -> bool {
    const FEES: &[&str] = &["fee", "fees", "charge", "charges", "surcharge", "surcharges"];
    let words: Vec<&str> =
        sentence.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let english = words.iter().enumerate().any(|(i, w)| {
        let fee = FEES.contains(w);
        let negated_before =
            words[i.saturating_sub(3)..i].iter().any(|b| matches!(*b, "no" | "zero" | "without" | "free"));
        let waived_after = words[i + 1..].iter().take(3).any(|a| matches!(*a, "waived" | "free"));
        (fee && (negated_before || waived_after))
            || (*w == "free" && words.get(i + 1..i + 3) == Some(&["of", "charge"]))
            || (*w == "free" && words.get(i + 1).is_some_and(|n| n.starts_with("return")))
    });
    const NEGATORS_ZH: &[&str] =
        &["不收取", "不收", "免收", "免除", "无需支付", "无需缴纳", "无需承担", "不产生", "无任何", "不另收"];
    let han: String = sentence.chars().filter(|c| !c.is_whitespace()).collect();
    let chinese = NEGATORS_ZH
        .iter()
        .any(|n| han.match_indices(n).any(|(i, _)| han[i + n.len()..].chars().take(5).any(|c| c == '费')))
        || han.contains("免费退")
        || han.contains("退货免费");
    english || chinese
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflicts(texts: &[(&str, &str)]) -> Vec<(String, String)> {
        let sources: Vec<Source> = texts.iter().map(|&(group, text)| Source { group, text }).collect();
        find(&sources, 10)
            .into_iter()
            .map(|c| (texts[c.a].1[c.a_sentence].to_string(), texts[c.b].1[c.b_sentence].to_string()))
            .collect()
    }

    #[test]
    fn quantities_are_read_in_english_and_chinese() {
        assert_eq!(quantities("Returns within 30 days of delivery."), [Quantity::Days(30.0, 30.0)]);
        assert_eq!(quantities("A 14-day window."), [Quantity::Days(14.0, 14.0)]);
        assert_eq!(quantities("Card refunds take 5–10 business days."), [Quantity::Days(5.0, 10.0)]);
        assert_eq!(quantities("Within two weeks."), [Quantity::Days(14.0, 14.0)]);
        assert_eq!(quantities("A restocking fee of 15% applies."), [Quantity::Percent(15.0, 15.0)]);
        assert_eq!(quantities("The label costs €5.95."), [Quantity::Money(Currency::Euro, 5.95, 5.95)]);
        assert_eq!(quantities("There is no restocking fee."), [Quantity::NoFee]);
        assert_eq!(quantities("Model NW-BL1200, updated 3 September 2025."), []);
        assert_eq!(quantities("七天无理由退货"), [Quantity::Days(7.0, 7.0)]);
        assert_eq!(quantities("支持十五天无理由退货"), [Quantity::Days(15.0, 15.0)]);
        assert_eq!(quantities("自签收次日起 7 天内"), [Quantity::Days(7.0, 7.0)]);
        assert_eq!(quantities("退款 1-3 个工作日到账"), [Quantity::Days(1.0, 3.0)]);
        assert_eq!(quantities("收取 10 元运费"), [Quantity::Money(Currency::Yuan, 10.0, 10.0)]);
        assert_eq!(quantities("更新日期：2025 年 9 月 1 日"), []);
        assert_eq!(quantities("退货不收取任何手续费"), [Quantity::NoFee]);
        assert_eq!(quantities("百分之十五的折旧费"), [Quantity::Percent(15.0, 15.0)]);
    }

    #[test]
    fn conflicting_fees_and_windows_are_found() {
        let found = conflicts(&[
            (
                "policies/returns.md",
                "A restocking fee of 15% of the item price applies when you return opened electronics.",
            ),
            ("notices/offer.md", "Good news! Return opened electronics with no restocking fee."),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "Return opened electronics with no restocking fee.");

        let found = conflicts(&[
            ("a", "Most items can be returned within 30 days of delivery."),
            ("b", "Most items can be returned within 14 days of delivery."),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");

        let found = conflicts(&[
            ("zh/policies/returns.md", "巢好生活为所购商品提供七天无理由退货服务。"),
            ("zh/notices/promo.txt", "巢好生活所有商品支持十五天无理由退货服务。"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn different_rules_and_agreeing_numbers_are_not_conflicts() {
        let texts = [
            ("returns", "Most items can be returned within 30 days of delivery."),
            ("faq", "You can return most items within 30 days of delivery."),
            ("statutory", "You also have a legal right to withdraw from a distance purchase within 14 days."),
            ("labels", "After you create the return, you have 14 days to hand the parcel to the carrier."),
            ("homegoods", "Home goods without a plug or battery have no restocking fee, opened or not."),
            ("refunds", "Card refunds take 5–10 business days; PayPal refunds take 3–5 business days."),
            ("refunds-faq", "PayPal refunds take 3 business days."),
            ("zh-a", "七天无理由退货期限为自签收次日起 7 天。"),
            ("zh-b", "提交申请后，请在 7 天内寄出商品。"),
        ];
        assert_eq!(conflicts(&texts), Vec::<(String, String)>::new());
        // Within one document two numbers are two rules.
        assert!(
            conflicts(&[("same", "Returns within 30 days."), ("same", "Returns within 14 days.")]).is_empty()
        );
    }

    #[test]
    fn candidates_come_through_rare_shared_words_when_common_ones_are_skipped() {
        // 2,000 claims share "returns", "kettle" and "accepted" (too common to look up); each
        // pair also shares its own model name, through which it is found.
        let letter = |n: usize| (b'a' + (n % 26) as u8) as char;
        // Made-up model names the stemmer leaves alone ("zaabk", "zaack", ...).
        let name = |k: usize| format!("z{}{}{}k", letter(k / 676), letter(k / 26), letter(k));
        let texts: Vec<String> = (0..2000)
            .map(|i| format!("Returns of the {} kettle are accepted within {} days.", name(i / 2), i % 2 + 1))
            .collect();
        let sources: Vec<Source> = texts.iter().map(|t| Source { group: t, text: t }).collect();
        let found = find(&sources, usize::MAX);
        assert_eq!(found.len(), 1000);
        assert!(found.iter().all(|c| c.b == c.a + 1 && c.a % 2 == 0));
        assert_eq!(find(&sources, 5).len(), 5, "stops at the maximum");
    }
}
