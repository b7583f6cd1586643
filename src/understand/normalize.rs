//! What shoppers type, in the form the help center is written in: compatibility forms folded
//! (full-width `ＮＷ－ＡＦ５５０` → `NW-AF550`, `１５天` → `15天`), traditional characters made
//! simplified, emoji dropped, runs of punctuation collapsed (`???`, `！！！`), chat shorthand
//! spelled out (`u`, `pls`, `thx`), whitespace tidied. Pure functions.

use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use kefu_ingest::locale::is_han;
use unicode_normalization::UnicodeNormalization;

/// OpenCC's traditional → simplified conversion (phrases first, then characters); `None` if its
/// built-in dictionaries cannot be read, in which case text stays as typed.
static T2S: LazyLock<Option<OpenCC>> = LazyLock::new(|| {
    OpenCC::from_config(BuiltinConfig::T2s)
        .inspect_err(|e| tracing::warn!(error = %e, "traditional Chinese will not be converted"))
        .ok()
});

/// English chat shorthand and the words it stands for (matched as whole words, any case).
const SHORTHAND: &[(&str, &str)] = &[
    ("u", "you"),
    ("ur", "your"),
    ("r", "are"),
    ("pls", "please"),
    ("plz", "please"),
    ("thx", "thanks"),
    ("thanx", "thanks"),
    ("ty", "thank you"),
    ("wanna", "want to"),
    ("gonna", "going to"),
    ("dont", "don't"),
    ("cant", "can't"),
    ("wont", "won't"),
    ("doesnt", "doesn't"),
    ("didnt", "didn't"),
    ("isnt", "isn't"),
    ("arent", "aren't"),
    ("havent", "haven't"),
    ("hasnt", "hasn't"),
    ("im", "I'm"),
    ("ive", "I've"),
    ("whats", "what's"),
    ("hv", "have"),
    ("abt", "about"),
    ("bc", "because"),
    ("cuz", "because"),
    ("coz", "because"),
    ("b4", "before"),
    ("tmrw", "tomorrow"),
    ("tmr", "tomorrow"),
    ("msg", "message"),
    ("w/o", "without"),
    ("w/", "with"),
    ("wk", "week"),
    ("wks", "weeks"),
    ("yr", "year"),
    ("yrs", "years"),
    ("hr", "hour"),
    ("hrs", "hours"),
    ("temp", "temperature"),
    ("temps", "temperatures"),
    ("info", "information"),
    ("approx", "approximately"),
    ("tho", "though"),
    ("thru", "through"),
    ("ppl", "people"),
];

/// The message in the help center's forms: see the module documentation.
pub fn normalize(text: &str) -> String {
    // An emoji often ends what it follows ("45 days ago 😊 is it too late"): a line break.
    let folded: String = text.nfkc().map(|c| if is_decoration(c) { '\n' } else { c }).collect();
    let folded = if folded.chars().any(is_han) {
        question_particles(&simplified(&folded))
    } else {
        expand_shorthand(&folded)
    };
    tidy(&folded)
}

/// Characters before 马 that make it a word of its own (斑马, 骑马, 宝马), not the question
/// particle 吗 typed by its sound.
const HORSE_WORDS: &str = "斑骑木河宝赛黑牛出人兵车驸铁战天罗野海老小白";

/// 马 ending a clause after a Han character, typed for the question particle 吗 (same sound,
/// first in the input method's list when typed fast): "买个399的空气炸锅能全部抵扣马" asks,
/// and a question ending in 吗 is read as one; words ending in 马 stay (斑马, 骑马).
fn question_particles(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let ends_clause = |i: usize| chars.get(i + 1).is_none_or(|c| !is_han(*c) && !c.is_alphanumeric());
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let particle = c == '马'
                && i > 0
                && is_han(chars[i - 1])
                && !HORSE_WORDS.contains(chars[i - 1])
                && ends_clause(i);
            if particle { '吗' } else { c }
        })
        .collect()
}

/// Traditional Chinese characters and phrases in their simplified form.
pub fn simplified(text: &str) -> String {
    match T2S.as_ref() {
        Some(opencc) => opencc.convert(text),
        None => text.to_string(),
    }
}

/// Emoji, their modifiers and joiners, and other pictographs: they carry mood, not content.
fn is_decoration(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF // emoji, pictographs, skin tones, playing cards
        | 0x2600..=0x27BF // symbols and dingbats (☺ ✨ ❤)
        | 0x2B00..=0x2BFF // arrows and stars (⭐)
        | 0xFE00..=0xFE0F // variation selectors
        | 0x200D // zero-width joiner
        | 0xE0020..=0xE007F // tag characters
    )
}

/// Runs of sentence punctuation collapsed to one mark (a question mark wins: "?!?" asks),
/// tildes and runs of dots of chat style dropped or made one full stop, spaces collapsed,
/// line breaks kept (they separate what the customer wrote as separate lines).
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '?' | '!' | '？' | '！' => {
                let mut question = matches!(c, '?' | '？');
                while let Some(&next) = chars.peek() {
                    if !matches!(next, '?' | '!' | '？' | '！') {
                        break;
                    }
                    question |= matches!(next, '?' | '？');
                    chars.next();
                }
                out.push(match (question, is_han_before(&out)) {
                    (true, true) => '？',
                    (true, false) => '?',
                    (false, true) => '！',
                    (false, false) => '!',
                });
            }
            '.' | '。' | '…' if chars.peek().is_some_and(|&n| matches!(n, '.' | '。' | '…')) => {
                while chars.peek().is_some_and(|&n| matches!(n, '.' | '。' | '…')) {
                    chars.next();
                }
                if is_han_before(&out) {
                    out.push('。');
                } else {
                    out.push_str(". ");
                }
            }
            '…' => out.push_str(if is_han_before(&out) { "。" } else { ". " }),
            '\n' | '\r' => {
                let trimmed = out.trim_end_matches([' ', '\t']).len();
                out.truncate(trimmed);
                if !out.ends_with('\n') && !out.is_empty() {
                    out.push('\n');
                }
            }
            c if c.is_whitespace() || c == '~' => {
                if !out.is_empty() && !out.ends_with([' ', '\n']) {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

fn is_han_before(text: &str) -> bool {
    text.trim_end().chars().last().is_some_and(is_han)
}

/// Chat shorthand spelled out, whole words only (`ur` in "your" is left alone).
fn expand_shorthand(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let lower = word.to_ascii_lowercase();
        match SHORTHAND.iter().find(|(short, _)| *short == lower) {
            Some((_, long)) => out.push_str(long),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || (c == '/' && word.eq_ignore_ascii_case("w")) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_fold_to_ascii() {
        assert_eq!(normalize("ＮＷ－ＡＦ５５０ 用了１５天"), "NW-AF550 用了15天");
        assert_eq!(normalize("ｃａｎ Ｉ ｒｅｔｕｒｎ ｉｔ？"), "can I return it?");
    }

    #[test]
    fn traditional_chinese_becomes_simplified() {
        assert_eq!(normalize("退貨運費誰出？"), "退货运费谁出？");
        assert_eq!(normalize("發票怎麼開"), "发票怎么开");
        // Simplified text and English are left as they are.
        assert_eq!(normalize("退货运费谁出"), "退货运费谁出");
    }

    #[test]
    fn emoji_and_repeated_punctuation_go() {
        assert_eq!(normalize("where is my refund???? 😡😡"), "where is my refund?");
        assert_eq!(normalize("能退吗！！！🙏🏻"), "能退吗！");
        assert_eq!(normalize("45 days ago 😊 is it late"), "45 days ago\nis it late");
        assert_eq!(normalize("what?!?! seriously!!"), "what? seriously!");
        assert_eq!(normalize("我等了好久。。。到底什么时候发货"), "我等了好久。到底什么时候发货");
        assert_eq!(normalize("hmm... ok so how long"), "hmm. ok so how long");
        assert_eq!(normalize("谢谢~~"), "谢谢");
        assert_eq!(normalize("❤️ love it ✨ but"), "love it\nbut");
    }

    #[test]
    fn chat_shorthand_is_spelled_out() {
        assert_eq!(normalize("can u tell me ur hours pls thx"), "can you tell me your hours please thanks");
        assert_eq!(normalize("I dont know if im eligible"), "I don't know if I'm eligible");
        assert_eq!(normalize("whats the max temp, approx"), "what's the max temperature, approximately");
        // Whole words only; Chinese messages keep their Latin letters (U盘 is a thing).
        assert_eq!(normalize("your turn"), "your turn");
        assert_eq!(normalize("U盘能用吗"), "U盘能用吗");
    }

    #[test]
    fn a_question_particle_typed_by_its_sound_asks() {
        assert_eq!(normalize("能全部抵扣马 谢谢"), "能全部抵扣吗 谢谢");
        assert_eq!(normalize("可以退马"), "可以退吗");
        assert_eq!(normalize("儿子想要斑马 骑马玩具有吗"), "儿子想要斑马 骑马玩具有吗");
        assert_eq!(normalize("马上发货吗"), "马上发货吗");
    }

    #[test]
    fn whitespace_is_tidied_and_lines_kept() {
        assert_eq!(normalize("  hi   there \n\n\n how are\tyou  "), "hi there\nhow are you");
    }
}
