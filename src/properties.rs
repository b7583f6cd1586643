//! Property tests of kefu's pure pieces: text analysis, fusion, citation checks, the handoff
//! lexicon and personal data redaction. Case counts keep them to seconds in the debug build; `PROPTEST_CASES=N`
//! runs each N times instead.

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::analysis::{answer_words, han_bigrams, words};
use crate::answer::citations::{CitationFilter, check};
use crate::answer::handoff::{HandoffReason, detect};
use crate::privacy::{Kind, Redactor, without_placeholders};
use crate::retrieve::fusion::{Ranking, Scale, Scored, convex_combination, reciprocal_rank_fusion};
use kefu_ingest::locale::is_han;

/// `cases` cases, unless `PROPTEST_CASES` says otherwise.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    Config { cases, ..Config::default() }
}

/// Text as customers and help centers write it: English, Chinese, digits, full-width forms,
/// punctuation, and any printable Unicode.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z]{1,10}",
        3 => "[一-龥]{1,8}",
        1 => "[0-9０-９Ａ-Ｚａ-ｚ]{1,6}",
        1 => prop::sample::select(&[
            " ", " ", "\n", "，", "。", "?", "!", "'", "-", "İ", "ΣΑΣ", "ß", "e\u{301}", "🙂", "\u{3000}",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{1,8}",
        1 => "[a-z]{60,80}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn word_tokens_point_into_the_text_in_order(text in text()) {
        let tokens = words(&text);
        for t in &tokens {
            prop_assert!(t.start < t.end && t.end <= text.len(), "{t:?}");
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end), "{t:?}");
            prop_assert!(!t.term.is_empty() && !t.term.chars().any(char::is_whitespace), "{t:?}");
            prop_assert!(!t.term.chars().any(|c| c.is_ascii_uppercase()), "lowercased: {t:?}");
        }
        prop_assert!(tokens.windows(2).all(|w| (w[0].start, w[0].end) <= (w[1].start, w[1].end)));
    }

    #[test]
    fn words_of_text_joined_by_a_space_are_the_words_of_each(a in text(), b in text()) {
        // Index time and query time tokenise the same way whatever surrounds a passage.
        let terms = |s: &str| words(s).into_iter().map(|t| t.term).collect::<Vec<_>>();
        let mut both = terms(&a);
        both.extend(terms(&b));
        prop_assert_eq!(terms(&format!("{a} {b}")), both);
    }

    #[test]
    fn han_bigrams_are_the_overlapping_pairs_of_each_han_run(text in text()) {
        let bigrams = han_bigrams(&text);
        let mut expected = 0;
        let mut run = 0usize;
        for c in text.chars().chain([' ']) {
            if is_han(c) {
                run += 1;
            } else {
                expected += run.saturating_sub(1).max(usize::from(run == 1));
                run = 0;
            }
        }
        prop_assert_eq!(bigrams.len(), expected);
        for t in &bigrams {
            prop_assert_eq!(&text[t.start..t.end], t.term.as_str());
            prop_assert!((1..=2).contains(&t.term.chars().count()) && t.term.chars().all(is_han));
        }
    }

    #[test]
    fn answer_words_keep_every_han_character_once(text in text()) {
        let found = answer_words(&text);
        prop_assert!(found.iter().all(|w| !w.is_empty()));
        let han_in_words: String = found.concat().chars().filter(|c| is_han(*c)).collect();
        let han_in_text: String = text.chars().filter(|c| is_han(*c)).collect();
        prop_assert_eq!(han_in_words, han_in_text);
    }
}

/// Distinct ids, as a retriever returns them.
fn ids(max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set("[a-h]{1,2}", 0..max)
        .prop_map(|set| set.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
}

/// Hits with finite scores, best first.
fn hits(max: usize, low: f32, high: f32) -> impl Strategy<Value = Vec<(String, f32)>> {
    ids(max).prop_flat_map(move |ids| {
        let n = ids.len();
        prop::collection::vec(low..=high, n).prop_map(move |mut scores| {
            scores.sort_by(|a, b| b.total_cmp(a));
            ids.iter().cloned().zip(scores).collect()
        })
    })
}

/// The ids of a fused list, checked to be each id of the inputs exactly once, sorted by score.
fn check_fused(fused: &[(String, f32)], inputs: &[&[String]]) -> Result<(), TestCaseError> {
    let mut expected: Vec<&String> = inputs.iter().flat_map(|ids| ids.iter()).collect();
    expected.sort();
    expected.dedup();
    let mut got: Vec<&String> = fused.iter().map(|(id, _)| id).collect();
    got.sort();
    prop_assert_eq!(got, expected, "every id once");
    prop_assert!(fused.windows(2).all(|w| w[0].1 >= w[1].1), "sorted by score: {fused:?}");
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn rank_fusion_sums_the_weighted_reciprocal_ranks(
        a in ids(12), b in ids(12), wa in 0.0f32..2.0, wb in 0.0f32..2.0, k in 1.0f32..100.0,
    ) {
        let fused = reciprocal_rank_fusion(&[Ranking { ids: &a, weight: wa }, Ranking { ids: &b, weight: wb }], k);
        let included: Vec<&[String]> =
            [(&a, wa), (&b, wb)].into_iter().filter(|(_, w)| *w > 0.0).map(|(ids, _)| ids.as_slice()).collect();
        check_fused(&fused, &included)?;
        for (id, score) in &fused {
            let part = |ids: &[String], w: f32| {
                ids.iter().position(|x| x == id).map_or(0.0, |r| w / (k + (r + 1) as f32))
            };
            let expected = part(&a, wa) + part(&b, wb);
            prop_assert!((score - expected).abs() <= 1e-5 * expected.max(1.0), "{id}: {score} != {expected}");
        }
        // The order of the rankings does not matter.
        let swapped = reciprocal_rank_fusion(&[Ranking { ids: &b, weight: wb }, Ranking { ids: &a, weight: wa }], k);
        prop_assert_eq!(swapped, fused);
    }

    #[test]
    fn convex_combination_of_one_list_keeps_its_order(
        list in hits(12, 0.0, 30.0), weight in 0.01f32..2.0, by_best in any::<bool>(),
    ) {
        let scale = if by_best { Scale::ByBest } else { Scale::Range([0.2, 0.95]) };
        let fused = convex_combination(&[Scored { hits: &list, weight, scale, complete: false }]);
        let order: Vec<&String> = fused.iter().map(|(id, _)| id).collect();
        let input: Vec<&String> = list.iter().map(|(id, _)| id).collect();
        prop_assert_eq!(order, input);
        if by_best {
            // BM25 scores divided by the best lie in [0, weight].
            prop_assert!(fused.iter().all(|(_, s)| (-1e-6..=weight + 1e-5).contains(s)), "{fused:?}");
        }
    }

    #[test]
    fn convex_combination_scores_lie_between_the_floors_and_the_weights(
        bm25 in hits(12, 0.0, 40.0), dense in hits(12, 0.0, 1.0), w in 0.0f32..=1.0,
    ) {
        let lists = [
            Scored { hits: &bm25, weight: 1.0 - w, scale: Scale::ByBest, complete: false },
            Scored { hits: &dense, weight: w, scale: Scale::Range([0.0, 1.0]), complete: false },
        ];
        let fused = convex_combination(&lists);
        let included: Vec<Vec<String>> = lists
            .iter()
            .filter(|l| l.weight > 0.0)
            .map(|l| l.hits.iter().map(|(id, _)| id.clone()).collect())
            .collect();
        check_fused(&fused, &included.iter().map(Vec::as_slice).collect::<Vec<_>>())?;
        prop_assert!(fused.iter().all(|(_, s)| (-1e-5..=1.0 + 1e-5).contains(s)), "{fused:?}");
        // A document both lists put first is first.
        if let (Some((top_b, _)), Some((top_d, _))) = (bm25.first(), dense.first())
            && top_b == top_d
            && w > 0.0
            && w < 1.0
        {
            prop_assert_eq!(&fused[0].0, top_b);
        }
    }

    #[test]
    fn fusion_survives_any_float(
        list in ids(8).prop_flat_map(|ids| {
            let n = ids.len();
            (Just(ids), prop::collection::vec(any::<f32>(), n))
        }),
        weight in any::<f32>(),
        range in any::<[f32; 2]>(),
    ) {
        let (ids, scores) = list;
        let hits: Vec<(String, f32)> = ids.iter().cloned().zip(scores).collect();
        for scale in [Scale::ByBest, Scale::Range(range)] {
            let fused = convex_combination(&[Scored { hits: &hits, weight, scale, complete: false }]);
            prop_assert!(fused.len() <= ids.len());
        }
        let fused = reciprocal_rank_fusion(&[Ranking { ids: &ids, weight }], range[0]);
        prop_assert!(fused.len() <= ids.len());
    }
}

/// Answer text with citation markers of every shape, valid or not.
fn cited_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z一-龥 .,。]{1,12}",
        3 => (prop::sample::select(&["[", "【"][..]), prop::collection::vec(0usize..12, 1..9),
              prop::sample::select(&[",", ", ", "，", "、", " "][..]), prop::sample::select(&["]", "】"][..]))
            .prop_map(|(open, ns, sep, close)| {
                let ns: Vec<String> = ns.iter().map(usize::to_string).collect();
                format!("{open}{}{close}", ns.join(sep))
            }),
        1 => prop::sample::select(&[
            "[", "]", "【", "】", "[x]", "[]", "[ ]", "[1", "1]", "[[2]]", "[99999999999999999999999]",
            "[0]", "[007]", "[-1]", "[1.5]",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{1,4}",
    ];
    prop::collection::vec(piece, 0..16).prop_map(|p| p.concat())
}

/// Bracketed groups of digits and separators in `text` (what a reader takes for citations).
fn marker_groups(text: &str) -> Vec<String> {
    let mut groups = Vec::new();
    let mut current: Option<String> = None;
    for c in text.chars() {
        match (&mut current, c) {
            (_, '[' | '【') => current = Some(String::new()),
            (Some(inner), ']' | '】') => {
                if inner.chars().any(|c| c.is_ascii_digit()) {
                    groups.push(std::mem::take(inner));
                }
                current = None;
            }
            (Some(inner), c) if c.is_ascii_digit() || matches!(c, ',' | '，' | ' ' | '、') => inner.push(c),
            _ => current = None,
        }
    }
    groups
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn only_markers_of_existing_passages_remain(text in cited_text(), passages in 0usize..8) {
        let (checked, cited) = check(&text, passages);
        for group in marker_groups(&checked) {
            let n: usize = group.parse().map_err(|_| TestCaseError::fail(format!("group {group:?} in {checked:?}")))?;
            prop_assert!((1..=passages).contains(&n), "[{n}] with {passages} passages: {checked:?}");
            prop_assert!(cited.contains(&n));
        }
        prop_assert!(cited.iter().all(|n| (1..=passages).contains(n)));
        let mut unique = cited.clone();
        unique.dedup();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), cited.len(), "each passage cited once in the list");
    }

    #[test]
    fn streaming_gives_the_whole_texts_result_whatever_the_split(
        text in cited_text(),
        passages in 0usize..8,
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let (whole, cited) = check(&text, passages);
        let chars: Vec<char> = text.chars().collect();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(chars.len() + 1)).collect();
        points.extend([0, chars.len()]);
        points.sort();
        let mut filter = CitationFilter::new(passages);
        let mut streamed = String::new();
        for w in points.windows(2) {
            streamed.push_str(&filter.push(&chars[w[0]..w[1]].iter().collect::<String>()));
        }
        streamed.push_str(&filter.finish());
        prop_assert_eq!(crate::answer::citations::tidy(&streamed), whole);
        prop_assert_eq!(filter.cited(), cited.as_slice());
    }

    #[test]
    fn text_without_brackets_is_only_tidied(text in "[^\\[\\]【】]{0,60}", passages in 0usize..5) {
        let (checked, cited) = check(&text, passages);
        prop_assert_eq!(checked, crate::answer::citations::tidy(&text));
        prop_assert!(cited.is_empty());
    }
}

/// Words of ordinary questions: none is in the handoff lexicon, none is a filler word, and no
/// two of them make a lexicon phrase.
const NEUTRAL_EN: &[&str] = &[
    "how", "long", "does", "refund", "take", "return", "order", "parcel", "delivery", "size", "colour",
    "warranty", "blender", "invoice", "address", "shipping", "when", "where", "which", "is", "my", "of",
    "arrive", "opened", "earbuds", "days",
];
const NEUTRAL_ZH: &[&str] = &[
    "退货",
    "运费",
    "多久",
    "发票",
    "订单",
    "包裹",
    "尺码",
    "颜色",
    "保修",
    "退款",
    "配送",
    "地址",
    "能不能",
];

fn neutral_question() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(NEUTRAL_EN), 0..8),
        prop::collection::vec(prop::sample::select(NEUTRAL_ZH), 0..5),
        prop::sample::select(&["", "?", "？", "."][..]),
    )
        .prop_map(|(en, zh, end)| format!("{} {}{end}", en.join(" "), zh.concat()))
}

/// Capitalises some letters of `phrase` (the lexicon matches any case).
fn some_capitals(phrase: &str, mask: u64) -> String {
    phrase
        .chars()
        .enumerate()
        .map(|(i, c)| if mask >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c })
        .collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn handoff_detection_never_panics(message in prop_oneof!["\\PC{0,200}", text()]) {
        let _ = detect(&message);
    }

    #[test]
    fn ordinary_questions_stay_with_kefu(question in neutral_question()) {
        prop_assert_eq!(detect(&question), None);
    }

    #[test]
    fn a_request_for_a_person_is_found_anywhere_in_any_case(
        before in neutral_question(),
        after in neutral_question(),
        phrase in prop::sample::select(&["talk to a human", "speak to someone", "real person", "live agent", "转人工", "人工客服", "找人工"][..]),
        mask in any::<u64>(),
        complaint in prop::sample::select(&["", " this is unacceptable", " 我要投诉", "!!!"][..]),
    ) {
        let message = format!("{before} {} {after}{complaint}", some_capitals(phrase, mask));
        let signal = detect(&message).expect("a request is found");
        prop_assert_eq!(signal.reason, HandoffReason::RequestedHuman, "{}", message);
        // A question beside the request is answered too; the request alone is only a request.
        let has_question = format!("{before}{after}{complaint}").chars().any(char::is_alphanumeric);
        prop_assert_eq!(signal.only_request, !has_question, "{}", message);
    }

    #[test]
    fn a_complaint_is_found_anywhere(
        before in neutral_question(),
        after in neutral_question(),
        phrase in prop::sample::select(&["unacceptable", "chargeback", "rip off", "waste of money", "投诉", "差评", "退一赔三", "!!!"][..]),
        mask in any::<u64>(),
    ) {
        let message = format!("{before} {} {after}", some_capitals(phrase, mask));
        let signal = detect(&message).expect("a complaint is found");
        prop_assert_eq!(signal.reason, HandoffReason::Complaint, "{}", message);
    }
}

/// A vocabulary of a few help-center words in both languages.
fn vocabulary() -> &'static crate::understand::Vocabulary {
    static VOCABULARY: std::sync::OnceLock<crate::understand::Vocabulary> = std::sync::OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let text = "退货 运费 空气炸锅 发票 保修 receive refund delivery warranty customs blender";
        let terms: Vec<(String, u32)> = words(text).into_iter().map(|t| (t.term, 2)).collect();
        crate::understand::Vocabulary::new(&terms, ["receive", "refund"].map(String::from))
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_message_is_read_into_at_most_max_parts_questions(message in prop_oneof!["\\PC{0,200}", text()]) {
        let understood = crate::understand::understand(&message, vocabulary());
        prop_assert!(understood.parts.len() <= crate::understand::MAX_PARTS);
        for part in &understood.parts {
            prop_assert!(!part.question.trim().is_empty());
        }
    }

    // Without Han: OpenCC's traditional → simplified chain is not idempotent on rare characters
    // (薴 → 苧 → 苎), and need not be.
    #[test]
    fn normalising_twice_changes_nothing_more(message in "[a-zA-Z0-9０-９ａ-ｚ ?!？！.。,，~～\n🙂😡]{0,80}") {
        let once = crate::understand::normalize::normalize(&message);
        prop_assert_eq!(crate::understand::normalize::normalize(&once), once);
    }

    #[test]
    fn quotable_candidates_point_into_their_passage(text in prop_oneof!["\\PC{0,300}", text()]) {
        let passages = [crate::answer::extractive::Passage { text: &text, question: None, heading: &[], table_header: None }];
        for candidate in crate::answer::extractive::candidates(&passages) {
            prop_assert!(text.get(candidate.range.clone()).is_some(), "{:?}", candidate.range);
            prop_assert!(!candidate.text.is_empty());
        }
    }
}

/// Pieces that look like personal data, or like the numbers that must survive, and the words
/// around them that decide which it is.
fn personal_looking() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._+-]{1,12}@[a-z0-9-]{1,8}(\\.[a-z]{2,4}){1,2}",
        "(\\+86 ?|0086-)?1[3-9][0-9]([ -]?[0-9]{4}){2}",
        "\\+[1-9][0-9]{1,2}( [0-9]{2,4}){2,4}",
        "\\(?0[1-9][0-9]{1,2}\\)?-?[0-9]{7,8}",
        "[1-9][0-9]{5} ?(19|20)[0-9]{2}[01][0-9][0-3][0-9] ?[0-9]{3}[0-9Xx]",
        "[2-6][0-9]{3}([ -][0-9]{4}){3}([ -][0-9]{3})?",
        "[0-9]{10,20}",
        "[一-龥]{2,3}(省|市|区)[一-龥]{1,3}(路|街|弄)[0-9一二三]{1,4}号([0-9]{1,4}(室|栋))?",
        "[一-龥]{2,4}(小区|花园)[0-9]{1,2}栋([0-9]单元)?[0-9]{3}",
        "(Flat [0-9], )?[0-9]{1,4}[A-Z]? ([A-Z][a-z]{2,8} ){1,2}(Street|Rd|Road|Lane|Way)(, [A-Z][a-z]+ [A-Z]{2}[0-9] [0-9][A-Z]{2})?",
        "(卡号|card|visa|订单号|order no\\.|tracking|电话|call me on|身份证|地址|寄到|NW-|#|SF) ?",
        "[＠．－（）０-９ａ-ｚ。]{1,8}",
    ]
}

/// Messages mixing ordinary text with personal-looking pieces.
fn message_with_personal_data() -> impl Strategy<Value = String> {
    let piece = prop_oneof![2 => text(), 3 => personal_looking()];
    let separator = prop::sample::select(&["", " ", "，", "\n", ": ", "-"][..]);
    prop::collection::vec((piece, separator), 0..10)
        .prop_map(|pieces| pieces.into_iter().map(|(p, s)| format!("{p}{s}")).collect())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn redaction_replaces_exactly_what_it_finds_and_leaves_none_of_it(
        message in prop_oneof![3 => message_with_personal_data(), 1 => "\\PC{0,200}", 1 => text()],
    ) {
        let redacted = Redactor::default().redact(&message);
        let mut rebuilt = String::new();
        let mut at = 0;
        for found in &redacted.found {
            let span = found.span.clone();
            prop_assert!(at <= span.start && span.start < span.end && span.end <= message.len(), "{span:?}");
            prop_assert!(message.is_char_boundary(span.start) && message.is_char_boundary(span.end), "{span:?}");
            rebuilt.push_str(&message[at..span.start]);
            rebuilt.push_str(found.kind.placeholder());
            at = span.end;
        }
        rebuilt.push_str(&message[at..]);
        prop_assert_eq!(&rebuilt, &redacted.text);
        for found in &redacted.found {
            let value = &message[found.span.clone()];
            prop_assert!(!redacted.text.contains(value), "{value:?} is still in {:?}", redacted.text);
        }
        let read = without_placeholders(&redacted.text);
        prop_assert!(!Kind::ALL.iter().any(|k| read.contains(k.placeholder())), "{read:?}");
    }

    #[test]
    fn a_mobile_or_an_email_between_words_is_always_redacted(
        before in neutral_question(),
        after in neutral_question(),
        value in prop_oneof![
            "1[3-9][0-9]([ -]?[0-9]{4}){2}",
            "[a-z][a-z0-9._]{0,10}@[a-z0-9]{1,8}\\.(com|cn|co\\.uk|net)",
        ],
    ) {
        // A number right after "order", "发票"… is that order's or invoice's.
        let names_a_reference = ["order", "tracking", "parcel", "invoice", "订单", "发票", "快递", "单号", "编号"];
        prop_assume!(!names_a_reference.iter().any(|w| before.to_lowercase().contains(w)));
        let message = format!("{before} {value} {after}");
        let redacted = Redactor::default().redact(&message);
        prop_assert!(!redacted.text.contains(&value), "{:?}", redacted.text);
        prop_assert_eq!(redacted.found.len(), 1, "{:?}", redacted.found);
    }
}
