//! Locale normalisation and detection, and whitespace collapsing, on arbitrary text.

use kefu_ingest::document::collapse_whitespace;
use kefu_ingest::locale::{detect, is_cjk, is_han, normalize};
use proptest::prelude::*;

use crate::config;
use crate::strategies::*;

/// Codes `detect` can return.
const DETECTED: &[&str] = &[
    "en", "zh", "ja", "ko", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "tr",
    "id", "vi",
];

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn normalized_tags_are_primary_subtags_in_lowercase(tag in prop_oneof!["\\PC{0,12}", "[a-zA-Z]{1,4}([-_][a-zA-Z0-9]{1,8}){0,2}"]) {
        if let Some(code) = normalize(&tag) {
            prop_assert!((2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase()), "{code}");
            prop_assert_eq!(normalize(&code), Some(code.clone()), "idempotent");
            prop_assert_eq!(normalize(&tag.to_ascii_uppercase()), Some(code), "case-insensitive");
        }
    }

    #[test]
    fn detection_returns_a_known_code_for_any_text(text in prop_oneof!["\\PC{0,200}", sentence(30)]) {
        let code = detect(&text);
        prop_assert!(DETECTED.contains(&code.as_str()), "{code}");
    }

    #[test]
    fn text_without_letters_is_english(text in "[0-9 .,!?%£$()\\-+*/:;#@&\n\t。，！？、]{0,80}") {
        prop_assert_eq!(detect(&text), "en");
    }

    #[test]
    fn han_text_quoting_some_english_is_chinese(
        han in "[一-龥]{1,40}",
        latin in prop::collection::vec("[a-zA-Z]{1,8}", 0..6),
        digits in "[0-9 ]{0,12}",
    ) {
        // Chinese pages quote English product names: a fifth of the letters in Han is Chinese.
        let han_chars = han.chars().count();
        let latin_chars: usize = latin.iter().map(String::len).sum();
        prop_assume!(han_chars * 5 >= han_chars + latin_chars);
        let text = format!("{han} {} {digits}", latin.join(" "));
        prop_assert_eq!(detect(&text), "zh");
    }

    #[test]
    fn han_is_cjk(c in any::<char>()) {
        prop_assert!(!is_han(c) || is_cjk(c));
    }

    #[test]
    fn collapsed_whitespace_is_single_spaces_between_the_same_characters(text in prop_oneof!["\\PC{0,80}", "[ \t\n\u{3000}a一]{0,40}", sentence(12)]) {
        let collapsed = collapse_whitespace(&text);
        prop_assert_eq!(collapse_whitespace(&collapsed), collapsed.clone(), "idempotent");
        prop_assert_eq!(collapsed.trim(), collapsed.as_str());
        prop_assert!(!collapsed.contains("  "));
        prop_assert!(collapsed.chars().all(|c| c == ' ' || !c.is_whitespace()));
        let visible = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        prop_assert_eq!(visible(&collapsed), visible(&text));
    }
}
