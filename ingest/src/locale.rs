//! Language of documents and questions: normalising declared tags and detecting the rest.

/// Whether `c` is a CJK ideograph (Han), the script that decides "this is Chinese" here.
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2A6DF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{2A700}'..='\u{2EBEF}')
}

/// Whether `c` belongs to a script written without spaces between words (Han, kana) or is CJK
/// punctuation or a full-width form: no space is needed next to such a character. Not Hangul:
/// Korean puts spaces between its words, and a line break between two of them is one.
pub fn is_cjk(c: char) -> bool {
    is_han(c) || matches!(c, '\u{3000}'..='\u{303F}' | '\u{3040}'..='\u{30FF}' | '\u{FF00}'..='\u{FFEF}')
}

/// Whether `c` is a Hangul syllable.
pub fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7AF}').contains(&c)
}

/// Normalises a declared language tag (`zh-CN`, `zh_Hans`, `EN-us`) to kefu's locale codes: the
/// lowercase primary subtag (`zh`, `en`). Returns `None` for an empty or malformed tag.
pub fn normalize(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    let valid = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    valid.then_some(primary)
}

/// Detects the locale of a text: `zh` when Han characters make up at least a fifth of its
/// letters (Chinese pages quote English product names and numbers freely), else the language
/// `whatlang` finds among Latin-script languages, else `en`.
pub fn detect(text: &str) -> String {
    let (mut han, mut kana, mut hangul, mut letters) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if is_han(c) {
            han += 1;
        } else if ('\u{3040}'..='\u{30FF}').contains(&c) {
            kana += 1;
        } else if is_hangul(c) {
            hangul += 1;
        }
    }
    if letters == 0 {
        return "en".to_string();
    }
    if kana * 10 >= letters {
        return "ja".to_string();
    }
    if hangul * 5 >= letters {
        return "ko".to_string();
    }
    if han * 5 >= letters {
        return "zh".to_string();
    }
    whatlang::detect(text)
        .filter(|info| info.is_reliable())
        .and_then(|info| iso_639_1(info.lang()))
        .unwrap_or("en")
        .to_string()
}

/// Two-letter codes of the Latin-script languages help centers are commonly written in.
fn iso_639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Eng => "en",
        Fra => "fr",
        Deu => "de",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Swe => "sv",
        Dan => "da",
        Nob => "no",
        Fin => "fi",
        Pol => "pl",
        Ces => "cs",
        Tur => "tr",
        Ind => "id",
        Vie => "vi",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_tags_normalise_to_primary_subtag() {
        assert_eq!(normalize("zh-CN").as_deref(), Some("zh"));
        assert_eq!(normalize("EN_us").as_deref(), Some("en"));
        assert_eq!(normalize(""), None);
        assert_eq!(normalize("english"), None);
    }

    #[test]
    fn detects_chinese_with_embedded_english() {
        assert_eq!(detect("七天无理由退货，适用于 iPhone 配件和 USB-C 数据线"), "zh");
        assert_eq!(detect("我想退货"), "zh");
    }

    #[test]
    fn detects_english_and_defaults_to_english() {
        assert_eq!(detect("How long do refunds take after I return an item?"), "en");
        assert_eq!(detect("12345 !!"), "en");
    }
}
