//! Text analysis for lexical (BM25) retrieval, the same at index and at query time.
//!
//! One analyzer serves English and Chinese in the same field: runs of Han characters are
//! segmented into words with jieba (search mode, which also emits the shorter words inside long
//! ones), everything else is split into alphanumeric words. Words are lowercased, full-width
//! ASCII is folded, English words are stemmed and stop words of both languages dropped. A second
//! analyzer emits overlapping character bigrams of Han runs, which recovers matches where jieba
//! segments a question and a document differently.
//!
//! Pure functions: no I/O, no index. `crate::index::text` adapts them to tantivy.

use std::sync::LazyLock;

use jieba_rs::{Jieba, TokenizeMode};
use kefu_ingest::locale::is_han;
use rust_stemmers::{Algorithm, Stemmer};

/// Words longer than this (in bytes) are dropped: they are hashes, URLs or garbage.
const MAX_WORD_BYTES: usize = 64;

/// English stop words (Lucene's list without "no" and "not", which change meanings).
const EN_STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
    "will", "with",
];

/// English words a customer's question is worded with but not about: question words,
/// auxiliaries, pronouns, the pieces of contractions ("doesn" and "t" of "doesn't"; they are
/// rare in help-center prose, so their IDF is high) and chat fillers. "us" and "may" are not
/// among them: they are the United States and a month as often. BM25 keeps them (a FAQ entry's
/// question shares them); the evidence that a passage answers leaves them out
/// ([`is_question_filler`]), or "once it's done how long does it keep the pot hot" is judged
/// by "done" and "does", the rarest words of its message in the help center.
const EN_QUESTION_FILLER: &[&str] = &[
    "i", "me", "my", "mine", "myself", "we", "our", "ours", "you", "your", "yours", "he", "him", "his",
    "she", "her", "hers", "them", "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
    "do", "does", "did", "done", "doing", "can", "could", "would", "should", "shall", "might", "must",
    "have", "has", "had", "am", "been", "being", "were", "s", "t", "d", "ll", "m", "re", "ve", "so", "just",
    "also", "still", "really", "actually", "pls", "plz", "please", "thanks", "thank", "thx", "hi", "hello",
    "hey", "lol", "ok", "okay", "yeah", "u", "ur", "don", "doesn", "didn", "isn", "aren", "wasn", "won",
    "wouldn", "couldn", "haven", "hasn",
    // How a chat addresses and hedges: "do you guys have a phone number", "kinda", "your pay in 3
    // thing".
    "guys", "guy", "folks", "mate", "hiya", "cheers", "btw", "tbh", "idk", "omg", "haha", "kinda", "sorta",
    "gonna", "wanna", "gotta", "thing", "things", "stuff",
];

/// Chinese words that ask which or whether and name nothing ("有哪几个颜色": only 颜色 says what is
/// asked about); 哪, 哪些, 什么 are stop words already.
const ZH_QUESTION_FILLER: &[&str] = &[
    "哪几",
    "哪几个",
    "几个",
    "哪个",
    "哪种",
    "哪款",
    "哪一个",
    "哪一款",
    "哪一种",
    "有没有",
    "是不是",
    "能不能",
    "可不可以",
    "会不会",
    "要不要",
];

static QUESTION_FILLER: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    EN_QUESTION_FILLER
        .iter()
        .map(|w| STEMMER.stem(w).into_owned())
        .chain(ZH_QUESTION_FILLER.iter().map(|w| w.to_string()))
        .collect()
});

/// Whether `term` (an analysed term, as [`words`] gives it) is a word questions are worded with
/// rather than about (see `EN_QUESTION_FILLER`, `ZH_QUESTION_FILLER`).
pub fn is_question_filler(term: &str) -> bool {
    QUESTION_FILLER.contains(term)
}

/// Chinese function words and question words: frequent in customers' questions, uninformative
/// for matching ("没有" is kept: "没有收到" is not "收到").
const ZH_STOP: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "哦",
    "嗯",
    "么",
    "是",
    "在",
    "和",
    "与",
    "及",
    "或",
    "也",
    "都",
    "就",
    "还",
    "又",
    "把",
    "被",
    "这",
    "那",
    "这个",
    "那个",
    "我",
    "你",
    "您",
    "他",
    "她",
    "它",
    "我们",
    "你们",
    "请问",
    "怎么",
    "怎么办",
    // Their everyday forms: "这种咋整啊" asks what "怎么办" asks.
    "咋",
    "咋整",
    "咋办",
    "啥",
    "为啥",
    "这种",
    "怎样",
    "如何",
    "什么",
    "为什么",
    "哪",
    "哪里",
    "哪些",
    "可以",
    "能",
    "能否",
    "是否",
    "会",
    "要",
    "想",
    "一下",
    "一个",
    "吗？",
];

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);
static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// A token and where it came from in the analysed text (byte offsets, end exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised term.
    pub term: String,
    /// Start byte in the original text.
    pub start: usize,
    /// End byte in the original text.
    pub end: usize,
}

/// Loads jieba's dictionary now rather than on the first query.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// Whether jieba's dictionary has `word` (a word a Chinese reader knows, not a typo).
pub fn is_dictionary_word(word: &str) -> bool {
    JIEBA.has_word(word)
}

/// Word tokens of `text`, for the main BM25 fields.
pub fn words(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (start, run, han) in script_runs(text) {
        if han {
            // Search mode emits a long word after the shorter words inside it; tokens must come
            // in offset order (snippet highlighting relies on it).
            let mut words = JIEBA.tokenize(run, TokenizeMode::Search, true);
            words.sort_by_key(|t| (t.start, t.end));
            for t in words.into_iter().filter(|t| !ZH_STOP.contains(&t.word)) {
                let (s, e) = (char_to_byte(run, t.start), char_to_byte(run, t.end));
                tokens.push(Token { term: t.word.to_string(), start: start + s, end: start + e });
            }
        } else {
            latin_words(run, start, &mut tokens);
        }
    }
    tokens
}

/// `tokens` (of [`words`], in offset order) with two adjacent one-character Han words joined
/// where one of them is unknown and their join is `known`: jieba cuts "你们可以寄到台湾" into 寄 and
/// 到 but the help center's "能寄到香港吗" into 寄到, so the question's words are read as the
/// help center's.
pub fn joined_where_known(tokens: Vec<Token>, known: impl Fn(&str) -> bool) -> Vec<Token> {
    let single_han =
        |t: &Token| t.term.chars().count() == 1 && t.term.chars().all(kefu_ingest::locale::is_han);
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        if let Some(next) = tokens.peek()
            && single_han(&token)
            && single_han(next)
            && token.end == next.start
            && (!known(&token.term) || !known(&next.term))
        {
            let joined = format!("{}{}", token.term, next.term);
            if known(&joined) {
                let end = next.end;
                tokens.next();
                out.push(Token { term: joined, start: token.start, end });
                continue;
            }
        }
        out.push(token);
    }
    out
}

/// The distinct analysed terms of a text: what BM25 indexes it by, as a set.
pub fn terms(text: &str) -> std::collections::HashSet<String> {
    words(text).into_iter().map(|t| t.term).collect()
}

/// Words of `text` for comparing answers (token F1, ROUGE-L): Han runs segmented by jieba
/// (default mode: each character in exactly one word), other text split into lowercased
/// alphanumeric words. Nothing is stemmed or dropped, so the measures stay the usual ones.
pub fn answer_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for (_, run, han) in script_runs(text) {
        if han {
            words.extend(JIEBA.cut(run, true).into_iter().map(str::to_string));
        } else {
            let folded: String = run.chars().map(fold_full_width).collect();
            words.extend(
                folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase),
            );
        }
    }
    words
}

/// Overlapping character bigrams of the Han runs of `text` (a lone character is its own token).
pub fn han_bigrams(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (start, run, han) in script_runs(text) {
        if !han {
            continue;
        }
        let chars: Vec<(usize, char)> = run.char_indices().collect();
        if chars.len() == 1 {
            tokens.push(Token { term: run.to_string(), start, end: start + run.len() });
            continue;
        }
        for pair in chars.windows(2) {
            let (s, _) = pair[0];
            let e = pair[1].0 + pair[1].1.len_utf8();
            tokens.push(Token { term: run[s..e].to_string(), start: start + s, end: start + e });
        }
    }
    tokens
}

/// Splits text into maximal runs that are either all Han or all non-Han: (byte offset, run, is_han).
fn script_runs(text: &str) -> impl Iterator<Item = (usize, &str, bool)> {
    let mut runs = Vec::new();
    let mut run_start = 0;
    let mut run_han = None;
    for (i, c) in text.char_indices() {
        let han = is_han(c);
        if run_han.is_some_and(|h| h != han) {
            runs.push((run_start, &text[run_start..i], run_han.unwrap_or(false)));
            run_start = i;
        }
        run_han = Some(han);
    }
    if let Some(han) = run_han {
        runs.push((run_start, &text[run_start..], han));
    }
    runs.into_iter()
}

/// Alphanumeric words of a non-Han run: lowercased, full-width folded, stemmed, stop words out.
fn latin_words(run: &str, offset: usize, out: &mut Vec<Token>) {
    let mut word = String::new();
    let mut word_start = 0;
    let flush = |word: &mut String, start: usize, end: usize, out: &mut Vec<Token>| {
        if !word.is_empty() && word.len() <= MAX_WORD_BYTES && !EN_STOP.contains(&word.as_str()) {
            let term = STEMMER.stem(word).into_owned();
            out.push(Token { term, start: offset + start, end: offset + end });
        }
        word.clear();
    };
    for (i, c) in run.char_indices() {
        let c = fold_full_width(c);
        if c.is_alphanumeric() {
            if word.is_empty() {
                word_start = i;
            }
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, word_start, i, out);
        }
    }
    flush(&mut word, word_start, run.len(), out);
}

/// Full-width ASCII letters and digits (common in Chinese text) to their ASCII forms.
fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

fn char_to_byte(text: &str, char_index: usize) -> usize {
    text.char_indices().nth(char_index).map_or(text.len(), |(b, _)| b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(tokens: Vec<Token>) -> Vec<String> {
        tokens.into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn answer_words_segment_chinese_and_keep_every_word() {
        assert_eq!(answer_words("The refund, in 5 DAYS."), ["the", "refund", "in", "5", "days"]);
        let words = answer_words("退款会在7个工作日内原路退回");
        assert_eq!(words.concat(), "退款会在7个工作日内原路退回", "every character once: {words:?}");
        assert!(words.contains(&"退款".to_string()) && words.contains(&"退回".to_string()), "{words:?}");
        assert!(words.contains(&"7".to_string()), "{words:?}");
    }

    #[test]
    fn lone_characters_are_joined_into_the_help_center_s_word() {
        let known = |t: &str| ["寄到", "台湾", "能寄到"].contains(&t);
        assert_eq!(terms(joined_where_known(words("你们可以寄到台湾吗？"), known)), ["寄到", "台湾"]);
        // Known characters stay as they are, and so do unknown ones whose join is unknown too.
        let all = |_: &str| true;
        assert_eq!(terms(joined_where_known(words("你们可以寄到台湾吗？"), all)), ["寄", "到", "台湾"]);
        let none = |_: &str| false;
        assert_eq!(terms(joined_where_known(words("你们可以寄到台湾吗？"), none)), ["寄", "到", "台湾"]);
    }

    #[test]
    fn english_is_lowercased_stemmed_and_stopped() {
        assert_eq!(terms(words("Returning the Earbuds, for REFUNDS")), ["return", "earbud", "refund"]);
    }

    #[test]
    fn a_question_is_about_its_words_not_its_wording() {
        let about: Vec<String> = terms(words("once it's done how long does it keep the pot hot, lol"))
            .into_iter()
            .filter(|t| !is_question_filler(t))
            .collect();
        assert_eq!(about, ["onc", "long", "keep", "pot", "hot"]);
        let about: Vec<String> = terms(words("do you guys have a phone number i can call tbh"))
            .into_iter()
            .filter(|t| !is_question_filler(t))
            .collect();
        assert_eq!(about, ["phone", "number", "call"]);
        // Negations change what is asked: they stay.
        assert!(!is_question_filler("not") && !is_question_filler("no"));
        let about: Vec<String> = terms(words("有哪几个颜色"))
            .into_iter()
            .filter(|t| !is_question_filler(t) && t != "有")
            .collect();
        assert_eq!(about, ["颜色"]);
    }

    #[test]
    fn chinese_is_segmented_and_question_words_dropped() {
        let t = terms(words("怎么申请退货"));
        assert!(t.contains(&"申请".to_string()) && t.contains(&"退货".to_string()), "{t:?}");
        assert!(!t.contains(&"怎么".to_string()));
    }

    #[test]
    fn mixed_text_keeps_offsets_into_the_original() {
        let text = "七天无理由退货 for NW-AF550";
        let tokens = words(text);
        let original = |term: &str| {
            let t = tokens.iter().find(|t| t.term == term).expect(term);
            &text[t.start..t.end]
        };
        assert_eq!(original("af550"), "AF550");
        assert_eq!(original("退货"), "退货");
    }

    #[test]
    fn tokens_come_in_offset_order() {
        let tokens = words("中华人民共和国成立，有效期的不再退回 valid until 2026");
        assert!(tokens.len() > 6);
        assert!(tokens.windows(2).all(|w| (w[0].start, w[0].end) <= (w[1].start, w[1].end)), "{tokens:?}");
    }

    #[test]
    fn full_width_digits_match_ascii() {
        assert_eq!(terms(words("３０天")), terms(words("30天")));
    }

    #[test]
    fn bigrams_cover_han_runs_only() {
        assert_eq!(terms(han_bigrams("运费险 ok 退")), ["运费", "费险", "退"]);
    }
}
