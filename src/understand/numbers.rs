//! Numbers as shoppers and help centers write them: digits ("1,500", "3.5"), Chinese numerals
//! ("两千五", "一百零五", "十五") and English number words ("six", "thirty"). Pure.

/// Characters of Chinese numerals.
pub const NUMERALS_ZH: &str = "零〇一二两三四五六七八九十百千万";

/// English number words.
const WORDS: &[(&str, f64)] = &[
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("twelve", 12.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("sixty", 60.0),
    ("ninety", 90.0),
];

/// The index after the run of characters from `i` that `what` accepts.
pub fn skip(chars: &[char], mut i: usize, what: impl Fn(char) -> bool) -> usize {
    while i < chars.len() && what(chars[i]) {
        i += 1;
    }
    i
}

/// A number starting at `chars[i]` (digits, Chinese numerals or an English number word) and the
/// index where it ends; `None` for the middle of a word or of a longer number (the "700" of
/// "RV700", the "5" of "3.5").
pub fn number(chars: &[char], i: usize) -> Option<(f64, usize)> {
    let c = *chars.get(i)?;
    if c.is_ascii_digit() {
        if i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '.') {
            return None;
        }
        let mut end = i;
        let mut text = String::new();
        while end < chars.len() {
            let c = chars[end];
            let next_digit = chars.get(end + 1).is_some_and(char::is_ascii_digit);
            if c.is_ascii_digit() || (c == '.' && next_digit) {
                text.push(c);
            } else if c != ',' || !next_digit {
                break;
            }
            end += 1;
        }
        return text.parse().ok().map(|v| (v, end));
    }
    if NUMERALS_ZH.contains(c) {
        if i > 0 && NUMERALS_ZH.contains(chars[i - 1]) {
            return None;
        }
        let end = skip(chars, i, |c| NUMERALS_ZH.contains(c));
        return chinese_number(&chars[i..end]).map(|v| (v, end));
    }
    if c.is_ascii_alphabetic() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
        let end = skip(chars, i, |c| c.is_ascii_alphabetic());
        let word: String = chars[i..end].iter().collect::<String>().to_lowercase();
        return WORDS.iter().find(|(w, _)| *w == word).map(|&(_, v)| (v, end));
    }
    None
}

/// 七 → 7, 十五 → 15, 三十 → 30, 一百零五 → 105, 两千五 → 2,500 (a last digit after a unit
/// counts in the unit below it), 一万二 → 12,000. `None` for a run too long to be a number
/// ("五万万万万万", twenty 九s): the arithmetic is checked.
pub fn chinese_number(chars: &[char]) -> Option<f64> {
    let digit = |c: char| "零一二三四五六七八九".find(c).map(|b| (b / 3) as u64).or((c == '两').then_some(2));
    let (mut total, mut current, mut last_unit, mut units) = (0u64, 0u64, 0u64, 0);
    let mut zero_after_unit = false;
    for &c in chars {
        let unit = match c {
            '十' => Some(10),
            '百' => Some(100),
            '千' => Some(1000),
            '万' => Some(10_000),
            _ => None,
        };
        match unit {
            Some(10_000) => {
                total = total.checked_add(current.max(u64::from(total == 0)))?.checked_mul(10_000)?;
                (current, last_unit, units) = (0, 10_000, units + 1);
            }
            Some(unit) => {
                total = total.checked_add(current.max(1).checked_mul(unit)?)?;
                (current, last_unit, units) = (0, unit, units + 1);
                zero_after_unit = false;
            }
            None if c == '〇' => current = current.checked_mul(10)?,
            None => {
                let d = digit(c)?;
                zero_after_unit |= d == 0 && last_unit > 0;
                current = current.checked_mul(10)?.checked_add(d)?;
            }
        }
    }
    if units > 0 && !zero_after_unit && last_unit >= 100 {
        current = current.checked_mul(last_unit / 10)?;
    }
    let value = total.checked_add(current)?;
    (value > 0).then_some(value as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<f64> {
        let chars: Vec<char> = text.chars().collect();
        number(&chars, 0).map(|(v, _)| v)
    }

    #[test]
    fn digits_numerals_and_words() {
        assert_eq!(read("1,500 元"), Some(1500.0));
        assert_eq!(read("3.5 L"), Some(3.5));
        assert_eq!(read("两千五以内"), Some(2500.0));
        assert_eq!(read("一百零五"), Some(105.0));
        assert_eq!(read("一百二十"), Some(120.0));
        assert_eq!(read("十五天"), Some(15.0));
        assert_eq!(read("三十"), Some(30.0));
        assert_eq!(read("一万二"), Some(12_000.0));
        assert_eq!(read("七口"), Some(7.0));
        assert_eq!(read("Six people"), Some(6.0));
        assert_eq!(read("五万万万万万以内"), None, "too long: no overflow");
        assert_eq!(read(&"九".repeat(25)), None);
        assert_eq!(read(&format!("一{}", "〇".repeat(25))), None);
        let chars: Vec<char> = "RV700 3.5".chars().collect();
        assert_eq!(number(&chars, 2), None, "the tail of a word");
        assert_eq!(number(&chars, 8), None, "the tail of a number");
    }
}
