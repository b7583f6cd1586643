//! Holidays a customer names, read as the dates help centers write their notices in: "is live
//! chat open on christmas eve?" asks about 24 December. Only holidays on a fixed day of the
//! calendar: those on a weekday (Easter, Black Friday) move from year to year, and a notice
//! names them as they are. English only: Chinese help centers name their holidays (双十一, 春节,
//! 国庆), and a Chinese date's words (月, 日, a number) are on every notice, so "元旦（1月1日）
//! 放假期间还发货吗" read the Spring Festival notice as an answer. Pure.

/// Holidays (lowercase names, matched as whole words) and their date as help centers write it.
/// Longer names first: "christmas eve" is not "christmas".
const HOLIDAYS: &[(&[&str], &str)] = &[
    (&["christmas eve", "xmas eve"], "24 December"),
    (&["christmas day", "christmas", "xmas"], "25 December"),
    (&["boxing day"], "26 December"),
    (&["new year's eve", "new years eve", "new year eve", "hogmanay"], "31 December"),
    (&["new year's day", "new years day"], "1 January"),
    (&["valentine's day", "valentines day", "valentine's", "valentines"], "14 February"),
    (&["halloween"], "31 October"),
];

/// `text` with the date of each holiday it names after the name, in brackets: "open on
/// christmas eve (24 December)?". Searched, weighed and quoted by as the customer's own words:
/// they are, in the help center's form.
pub fn with_dates(text: &str) -> String {
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    let mut lower = text.to_lowercase();
    if lower.len() != text.len() {
        // Lowercasing changed byte offsets (rare letters): leave the text as typed.
        return text.to_string();
    }
    for (names, date) in HOLIDAYS {
        for name in *names {
            while let Some(at) = find(&lower, name) {
                // Blanked out, so that "christmas" does not also read "christmas eve".
                lower.replace_range(at..at + name.len(), &" ".repeat(name.len()));
                found.push((at, at + name.len(), date));
            }
        }
    }
    found.sort_unstable();
    let mut out = String::with_capacity(text.len() + 16 * found.len());
    let mut from = 0;
    for (_, end, date) in found {
        out.push_str(&text[from..end]);
        out.push_str(&format!(" ({date})"));
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

/// Where `name` is in lowercase `text`, as whole words ("xmas" is not in "xmasters").
fn find(text: &str, name: &str) -> Option<usize> {
    text.match_indices(name).map(|(i, _)| i).find(|&i| {
        text[..i].chars().last().is_none_or(|c| !c.is_alphanumeric())
            && text[i + name.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holiday_is_followed_by_its_date() {
        assert_eq!(
            with_dates("is live chat open on Christmas Eve?"),
            "is live chat open on Christmas Eve (24 December)?"
        );
        assert_eq!(
            with_dates("will it arrive before xmas or new years eve"),
            "will it arrive before xmas (25 December) or new years eve (31 December)"
        );
    }

    #[test]
    fn only_whole_names_of_fixed_holidays() {
        for text in ["the xmasters brand kettle", "easter weekend delivery?", "双十一买的能价保吗"] {
            assert_eq!(with_dates(text), text, "whole words of fixed-day holidays, in English");
        }
        assert_eq!(
            with_dates("christmas eve, and christmas day too"),
            "christmas eve (24 December), and christmas day (25 December) too"
        );
    }
}
