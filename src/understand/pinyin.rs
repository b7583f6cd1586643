//! Chinese typed as pinyin ("wo xiang tuihuo", "这个kongqizhaguo能退吗") and characters a pinyin
//! input method put in by mistake (推货 for 退货): both are read back as the help center's own
//! words with the same sound. Only words the help center uses are produced, so a Latin word
//! that is not pinyin for one of them stays as it was. Pure functions over a [`PinyinIndex`].

use std::collections::HashMap;
use std::sync::LazyLock;

use kefu_ingest::locale::is_han;
use pinyin::ToPinyinMulti;

/// Readings tried per word for heteronyms (还款 is huankuan, not haikuan).
const MAX_READINGS: usize = 8;
/// Longest word looked up, in syllables.
const MAX_WORD_SYLLABLES: usize = 6;
/// Longest pinyin syllable, in letters ("zhuang").
const MAX_SYLLABLE_LETTERS: usize = 6;

/// Every toneless syllable a CJK character is read with (ü written `v`, as keyboards type it).
static SYLLABLES: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    (0x4E00u32..=0x9FFF)
        .filter_map(char::from_u32)
        .filter_map(|c| c.to_pinyin_multi())
        .flat_map(|multi| multi.into_iter().map(|p| plain(p.plain())))
        .collect()
});

/// The help center's Chinese words by their toneless pinyin.
#[derive(Debug, Default, Clone)]
pub struct PinyinIndex {
    /// Pinyin key ("tuihuo") → the most common word read so, and the chunks containing it; every
    /// reading of a heteronym is a key.
    words: HashMap<String, (String, u32)>,
    /// The same by each word's usual reading only (every character's first reading).
    usual: HashMap<String, (String, u32)>,
}

impl PinyinIndex {
    /// Indexes the words of two or more Han characters among `words` (word, chunks containing it).
    pub fn new<'a>(words: impl IntoIterator<Item = (&'a str, u32)>) -> PinyinIndex {
        let mut index = PinyinIndex::default();
        for (word, chunks) in words {
            if word.chars().count() < 2 || !word.chars().all(is_han) {
                continue;
            }
            for key in readings(word) {
                keep_most_common(&mut index.words, key, word, chunks);
            }
            if let Some(key) = usual_reading(word) {
                keep_most_common(&mut index.usual, key, word, chunks);
            }
        }
        index
    }

    /// The word read as `key`, if the help center has one.
    pub fn word(&self, key: &str) -> Option<&str> {
        self.words.get(key).map(|(word, _)| word.as_str())
    }

    /// The word whose usual reading is `key`, if the help center has one.
    pub fn word_usually_read(&self, key: &str) -> Option<&str> {
        self.usual.get(key).map(|(word, _)| word.as_str())
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The toneless readings of a Han word, syllables joined ("还款" → "haikuan", "huankuan", …),
/// at most [`MAX_READINGS`].
pub fn readings(word: &str) -> Vec<String> {
    let mut keys = vec![String::new()];
    for c in word.chars() {
        let Some(multi) = c.to_pinyin_multi() else {
            return Vec::new();
        };
        let syllables: Vec<String> = multi.into_iter().map(|p| plain(p.plain())).collect();
        keys = keys
            .iter()
            .flat_map(|key| syllables.iter().map(move |s| format!("{key}{s}")))
            .take(MAX_READINGS)
            .collect();
    }
    keys.sort();
    keys.dedup();
    keys
}

fn keep_most_common(index: &mut HashMap<String, (String, u32)>, key: String, word: &str, chunks: u32) {
    let entry = index.entry(key).or_insert_with(|| (word.to_string(), chunks));
    if chunks > entry.1 || (chunks == entry.1 && word < entry.0.as_str()) {
        *entry = (word.to_string(), chunks);
    }
}

/// A Han word read with every character's usual (first) reading ("还款" → "haikuan").
pub fn usual_reading(word: &str) -> Option<String> {
    word.chars()
        .map(|c| c.to_pinyin_multi().and_then(|m| m.into_iter().next()).map(|p| plain(p.plain())))
        .collect()
}

/// `word` (lowercase ASCII letters) as pinyin syllables, fewest syllables first ("xian" is one
/// syllable, not xi'an); `None` when it is not pinyin.
pub fn syllables(word: &str) -> Option<Vec<&str>> {
    let n = word.len();
    if n == 0 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    // best[i]: fewest syllables spelling word[..i], and where the last one starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(MAX_SYLLABLE_LETTERS)..end {
            let Some((count, _)) = best[start] else { continue };
            if SYLLABLES.contains(&word[start..end]) && best[end].is_none_or(|(c, _)| count + 1 < c) {
                best[end] = Some((count + 1, start));
            }
        }
    }
    best[n]?;
    let mut parts = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        parts.push(&word[start..end]);
        end = start;
    }
    parts.reverse();
    Some(parts)
}

/// An all-Latin message is read as pinyin when at most one word in this many is not pinyin.
const MOSTLY_PINYIN: usize = 5;

/// One-syllable words every Chinese sentence is held together with, none of them an English
/// word: no help center indexes them (only words of two characters are), yet in "dai le liang
/// tian juede bu shufu, hai neng tui ma" they are what shows the message is Chinese.
const FUNCTION_WORDS: &[&str] = &[
    "wo", "ni", "ta", "le", "ma", "ne", "ba", "bu", "mei", "hai", "neng", "hui", "yao", "xiang", "shi",
    "zai", "de", "dou", "ye", "jiu", "gei", "hen", "zhe", "shei", "zenme", "shenme", "keyi",
];

/// Everyday words of two characters or more that questions are worded with: help centers'
/// indexes drop them as stop words, yet "pobiji you mei you suixing bei" asks whether there is
/// one ("有没有"), not "没有", and "E7 zenme ban a" asks what to do.
pub const EVERYDAY_WORDS: &[&str] = &[
    "怎么办",
    "怎么",
    "怎么样",
    "有没有",
    "可以",
    "可不可以",
    "什么",
    "多少",
    "多久",
    "为什么",
    "时候",
    "现在",
    "已经",
    "还是",
    "能不能",
    "是不是",
    "会不会",
    "一下",
    "一直",
    "这个",
    "那个",
    "我们",
    "你们",
    "知道",
];

/// Runs of Latin words in `text` that spell the help center's Chinese words in pinyin, replaced
/// by those words. In a message with Chinese characters any such run is read; in one without,
/// only a message that is pinyin throughout (all but one word in [`MOSTLY_PINYIN`] a pinyin
/// spelling, most syllables forming known words), so that English stays English.
pub fn replace_pinyin(text: &str, index: &PinyinIndex) -> String {
    if index.is_empty() {
        return text.to_string();
    }
    let has_han = text.chars().any(is_han);
    let runs: Vec<(std::ops::Range<usize>, Option<Reading>)> =
        latin_runs(text).into_iter().map(|run| (run.clone(), convert(&text[run], index))).collect();
    if !has_han {
        // All-pinyin message: nearly every word a pinyin spelling (a loanword or a model name in
        // five may be English: "xiang dai qu gym", "S7 pei wang … wifi"), most syllables forming
        // known words.
        let words: Vec<&str> =
            text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).collect();
        let foreign = words.iter().filter(|w| syllables(&w.to_ascii_lowercase()).is_none()).count();
        let nearly_all_pinyin = foreign * MOSTLY_PINYIN <= words.len();
        let (covered, total) = runs.iter().filter_map(|(_, c)| c.as_ref()).fold((0, 0), |(c, t), reading| {
            (c + reading.covered + reading.function_words, t + reading.syllables)
        });
        if !nearly_all_pinyin || covered * 2 < total || total < 3 {
            return text.to_string();
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (run, converted) in runs {
        if let Some(reading) = converted.filter(|r| r.covered > 0) {
            out.push_str(&text[done..run.start]);
            out.push_str(&reading.hanzi);
            done = run.end;
        }
    }
    out.push_str(&text[done..]);
    out
}

/// Byte ranges of runs of ASCII-letter words separated by single spaces.
fn latin_runs(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        // Where the run's last word starts, and where the word before it ends.
        let (mut last_word, mut before_last) = (i, i);
        while i < bytes.len() {
            if bytes[i].is_ascii_alphabetic() {
                i += 1;
                end = i;
            } else if bytes[i] == b' ' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                before_last = end;
                i += 1;
                last_word = i;
            } else {
                break;
            }
        }
        // A word glued to digits ("E7", "s7") is a model name, not pinyin; the words before it
        // may be ("baojing E7").
        if bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end = if last_word > start { before_last } else { start };
        }
        if end > start {
            runs.push(start..end);
        }
    }
    runs
}

/// A run of pinyin read as the known words it spells.
struct Reading {
    /// The words, in order.
    hanzi: String,
    /// Syllables those words cover.
    covered: usize,
    /// Syllables outside them that are [`FUNCTION_WORDS`].
    function_words: usize,
    /// Syllables of the run.
    syllables: usize,
}

/// A run of pinyin as the known words it spells; `None` if a word of the run is not pinyin.
fn convert(run: &str, index: &PinyinIndex) -> Option<Reading> {
    let lower = run.to_ascii_lowercase();
    let mut all: Vec<&str> = Vec::new();
    let mut function_words = 0;
    for word in lower.split(' ') {
        let spelled = syllables(word)?;
        if FUNCTION_WORDS.contains(&word) {
            function_words += spelled.len();
        }
        all.extend(spelled);
    }
    let n = all.len();
    // best[i]: most syllables covered by known words in all[..i], and the word ending at i.
    let mut best: Vec<(usize, Option<(usize, &str)>)> = vec![(0, None); n + 1];
    for end in 1..=n {
        best[end] = (best[end - 1].0, None);
        for start in end.saturating_sub(MAX_WORD_SYLLABLES)..end.saturating_sub(1) {
            let key: String = all[start..end].concat();
            if let Some(word) = index.word(&key) {
                let covered = best[start].0 + (end - start);
                if covered > best[end].0 {
                    best[end] = (covered, Some((start, word)));
                }
            }
        }
    }
    let covered = best[n].0;
    // A function word read as part of a known word ("hai neng" as 海能) is counted once.
    let function_words = function_words.min(n - covered);
    let mut words = Vec::new();
    let mut end = n;
    while end > 0 {
        match best[end].1 {
            Some((start, word)) => {
                words.push(word);
                end = start;
            }
            None => end -= 1,
        }
    }
    words.reverse();
    Some(Reading { hanzi: words.concat(), covered, function_words, syllables: n })
}

/// Characters that modify the verb after them ("才用了", "刚买了"): with a verb and its aspect
/// particle after them, no mistyped word [`correct_homophones`] reads as another.
const ADVERBS: &str = "才刚就都也还又再不没很太最更先只已曾";
/// Particles after a verb ("用了", "买过").
const ASPECT_PARTICLES: &str = "了过着";
/// Modal verbs and particles that join two words ("菜能同时出锅", "机器会响"): a window whose
/// characters in common with the word it sounds like are all of these is two words, not a typo
/// ("菜能" is no 才能; "就机" is 旧机, sharing 机).
const JOINING: &str = "能会要可是的了在有和就都也还";

/// Han words of `text` that are not words and touch none (neither the help center's nor the
/// dictionary's, per `known`) but sound like one of the help center's words and share a character with it
/// at the same place: the input method's homophone, replaced by the word meant. Both are read
/// with their usual readings only: a window across two words ("的座" in "扫地机的座子") matches
/// some word through a rare reading of one of its characters (的 as dí: 底座) far more often than
/// a shopper's input method picks a character by its rare reading.
pub fn correct_homophones(text: &str, index: &PinyinIndex, known: impl Fn(&str) -> bool) -> String {
    if index.is_empty() || !text.chars().any(is_han) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let window = |i: usize, len: usize| chars.get(i..i + len).filter(|w| w.iter().copied().all(is_han));
    // Characters that are part of a known word: a window touching one is a word boundary being
    // crossed ("单尾" in "订单尾号"), not a typo.
    let mut in_word = vec![false; chars.len()];
    for i in 0..chars.len() {
        for len in 2..=4 {
            if window(i, len).is_some_and(|w| known(&w.iter().collect::<String>())) {
                in_word[i..i + len].iter_mut().for_each(|x| *x = true);
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    'outer: while i < chars.len() {
        for len in (2..=4).rev() {
            let Some(typed) = window(i, len) else { continue };
            // An adverb before a verb and its aspect particle is two words, not a typo: "才用了十天"
            // is no "采用" ("就机还没人来收" is "旧机": no particle follows).
            let verb_phrase = ADVERBS.contains(typed[0])
                && chars.get(i + len).is_some_and(|c| ASPECT_PARTICLES.contains(*c));
            if in_word[i..i + len].iter().any(|&x| x) || verb_phrase {
                continue;
            }
            let replacement = usual_reading(&typed.iter().collect::<String>()).and_then(|key| {
                let meant = index.word_usually_read(&key)?;
                let differing = meant.chars().zip(typed).filter(|(a, b)| a != *b).count();
                let shares_a_word = meant.chars().zip(typed).any(|(a, b)| a == *b && !JOINING.contains(a));
                (meant.chars().count() == len && differing >= 1 && differing <= len / 2 && shares_a_word)
                    .then_some(meant)
            });
            if let Some(meant) = replacement {
                out.push_str(meant);
                i += len;
                continue 'outer;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn plain(syllable: &str) -> String {
    syllable.replace('ü', "v")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> PinyinIndex {
        PinyinIndex::new([
            ("退货", 12),
            ("运费", 9),
            ("空气炸锅", 5),
            ("发票", 7),
            ("开发票", 2),
            ("还款", 3),
            ("保修", 8),
            ("退款", 10),
            ("地址", 4),
        ])
    }

    #[test]
    fn words_are_split_into_syllables() {
        assert_eq!(syllables("tuihuo"), Some(vec!["tui", "huo"]));
        assert_eq!(syllables("kongqizhaguo"), Some(vec!["kong", "qi", "zha", "guo"]));
        assert_eq!(syllables("xian"), Some(vec!["xian"]));
        assert_eq!(syllables("lvse"), Some(vec!["lv", "se"]));
        assert_eq!(syllables("wifi"), None);
        assert_eq!(syllables("refund"), None);
        assert_eq!(syllables("Tuihuo"), None, "callers lowercase");
    }

    #[test]
    fn heteronyms_give_every_reading() {
        let keys = readings("还款");
        assert!(keys.contains(&"huankuan".to_string()) && keys.contains(&"haikuan".to_string()), "{keys:?}");
    }

    #[test]
    fn pinyin_in_a_chinese_message_becomes_the_words_meant() {
        let index = index();
        assert_eq!(replace_pinyin("这个kongqizhaguo能退吗", &index), "这个空气炸锅能退吗");
        assert_eq!(replace_pinyin("我想tuihuo，yunfei谁出", &index), "我想退货，运费谁出");
        assert_eq!(replace_pinyin("怎么kai fapiao", &index), "怎么开发票");
        assert_eq!(replace_pinyin("huankuan 失败", &index), "还款 失败");
        // English words and model names stay.
        assert_eq!(replace_pinyin("wifi连不上 E7报错", &index), "wifi连不上 E7报错");
        assert_eq!(replace_pinyin("baoxiu E7 tuihuo", &index), "保修 E7 退货", "the words before a model");
        assert_eq!(replace_pinyin("APP里怎么改dizhi", &index), "APP里怎么改地址");
    }

    #[test]
    fn an_all_pinyin_message_is_read_only_when_it_is_nearly_all_pinyin() {
        let index = index();
        assert_eq!(replace_pinyin("wo xiang tuihuo yunfei shei chu", &index), "退货运费");
        assert_eq!(replace_pinyin("wo xiang tuihuo, yunfei shei chu?", &index), "退货, 运费?");
        // English that happens to contain syllables stays English.
        assert_eq!(replace_pinyin("can I return my fan", &index), "can I return my fan");
        assert_eq!(replace_pinyin("tuihuo", &index), "tuihuo", "too short to be sure");
        // One English word in five may be a loanword.
        assert_eq!(replace_pinyin("wo xiang tuihuo, yunfei shei chu? gym", &index), "退货, 运费? gym");
        assert_eq!(replace_pinyin("my tuihuo yunfei gym", &index), "my tuihuo yunfei gym", "two in four");
        // Chatty pinyin, held together by one-syllable words no help center indexes.
        assert_eq!(
            replace_pinyin("wo xiang tuihuo, dai le liang tian juede bu shufu, hai neng tui ma?", &index),
            "退货, dai le liang tian juede bu shufu, hai neng tui ma?"
        );
        assert_eq!(replace_pinyin("he can ban me", &index), "he can ban me");
    }

    #[test]
    fn homophones_typed_by_mistake_are_corrected() {
        let index = index();
        let known = |w: &str| ["我想", "想退", "退货", "保修", "运费"].contains(&w);
        assert_eq!(correct_homophones("我想推货", &index, known), "我想退货");
        assert_eq!(correct_homophones("保休多久", &index, known), "保修多久");
        // Known words and words of another sound are left alone.
        assert_eq!(correct_homophones("运费多少", &index, known), "运费多少");
        assert_eq!(correct_homophones("我想买", &index, known), "我想买");
    }

    #[test]
    fn a_rare_reading_makes_no_homophone() {
        // 的 is also read dí, 数 also shuò, 能 and 大 both also tài.
        let index = PinyinIndex::new([("底座", 5), ("数电", 3), ("多大", 4)]);
        let known = |w: &str| ["扫地机", "座子", "电池", "最多", "多少"].contains(&w);
        assert_eq!(correct_homophones("扫地机的座子", &index, known), "扫地机的座子");
        assert_eq!(correct_homophones("说电池温度", &index, known), "说电池温度");
        assert_eq!(correct_homophones("最多能打多少", &index, known), "最多能打多少");
    }

    #[test]
    fn an_adverb_before_its_verb_is_no_homophone() {
        // 才用 (cáiyòng) sounds like 采用, but it is "only used": "才用了十天".
        let index = PinyinIndex::new([("采用", 6), ("退货", 12)]);
        assert_eq!(correct_homophones("才用了十天", &index, |_: &str| false), "才用了十天");
        assert_eq!(correct_homophones("想推货", &index, |_: &str| false), "想退货");
        // 就 typed for 旧 before a noun is a typo.
        let index = PinyinIndex::new([("旧机", 6)]);
        assert_eq!(correct_homophones("就机还没人来收", &index, |_: &str| false), "旧机还没人来收");
    }

    #[test]
    fn a_modal_verb_shared_makes_no_homophone() {
        // 菜能 (càinéng) sounds like 才能, sharing only the modal 能: "做不同的菜能同时出锅吗".
        let index = PinyinIndex::new([("才能", 9), ("保修", 8)]);
        assert_eq!(
            correct_homophones("不同的菜能同时出锅吗", &index, |_: &str| false),
            "不同的菜能同时出锅吗"
        );
        assert_eq!(correct_homophones("保休多久", &index, |_: &str| false), "保修多久");
    }

    #[test]
    fn a_window_across_two_words_is_no_homophone() {
        // 单尾 (dānwěi) sounds like 单位, but it is the end of 订单 and the start of 尾号.
        let index = PinyinIndex::new([("单位", 5)]);
        let known = |w: &str| ["订单", "尾号"].contains(&w);
        assert_eq!(correct_homophones("订单尾号4417", &index, known), "订单尾号4417");
    }
}
