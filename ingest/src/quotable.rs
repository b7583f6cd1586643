//! What an answer can quote from a chunk: its sentences and its table rows, each read so that it
//! stands alone (a sentence without its list bullet, a row with its column names). Pure, so that
//! ingestion (which embeds every quotable once per index generation) and answering (which picks
//! among them) cut a chunk the same way.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// A sentence or a table row of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotable {
    /// Its bytes in the text.
    pub range: Range<usize>,
    /// Its text as quoted: a sentence without its list bullet, or a table row with each cell
    /// named by its column ("Canada — Standard cost: $9.95; …").
    pub text: String,
}

/// The sentences and table rows of `text`, in order. A table is a run of lines of `|`-separated
/// cells; its first line is its header.
pub fn quotables(text: &str) -> Vec<Quotable> {
    quotables_under(None, text)
}

/// [`quotables`] of a text that starts inside a table whose header line (`table_header`) is not
/// in it: a chunk cut from the middle of a long table (its first lines are rows, read with that
/// header's column names, not a header of their own).
pub fn quotables_under(table_header: Option<&str>, text: &str) -> Vec<Quotable> {
    let mut out = Vec::new();
    let mut header: Option<Vec<&str>> = table_header.and_then(table_cells);
    let mut prose_start = 0;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let range = line_start..line_start + line.trim_end().len();
        line_start += line.len();
        let cells = table_cells(&text[range.clone()]);
        match (&header, cells) {
            (_, None) => {
                header = None;
                continue;
            }
            (None, Some(cells)) => {
                sentence_quotables(text, prose_start..range.start, &mut out);
                header = Some(cells);
            }
            (Some(names), Some(cells)) => {
                if !cells.iter().all(|c| c.chars().all(|c| matches!(c, '-' | ':' | ' '))) {
                    let text = row_text(names, &cells);
                    out.push(Quotable { range: range.clone(), text });
                }
            }
        }
        prose_start = line_start;
    }
    sentence_quotables(text, prose_start..text.len(), &mut out);
    out
}

fn sentence_quotables(text: &str, within: Range<usize>, out: &mut Vec<Quotable>) {
    if within.is_empty() {
        return;
    }
    for range in sentences(&text[within.clone()]) {
        let range = within.start + range.start..within.start + range.end;
        let sentence = clean(&text[range.clone()]).to_string();
        // A bullet alone ("-·") says nothing.
        if sentence.is_empty() {
            continue;
        }
        out.push(Quotable { range, text: sentence });
    }
}

/// The cells of a table line ("a | b | c", with or without outer pipes); `None` for other lines.
pub(crate) fn table_cells(line: &str) -> Option<Vec<&str>> {
    let line = line.trim();
    if line.matches('|').count() < 2 && !(line.contains(" | ")) {
        return None;
    }
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    (cells.len() >= 2).then_some(cells)
}

/// A table row read with its header: the first cell names the row, the others are named by their
/// column.
fn row_text(header: &[&str], cells: &[&str]) -> String {
    let mut text = cells[0].to_string();
    let named: Vec<String> = header
        .iter()
        .zip(cells)
        .skip(1)
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| if name.is_empty() { value.to_string() } else { format!("{name}: {value}") })
        .collect();
    if !named.is_empty() {
        text.push_str(" — ");
        text.push_str(&named.join("; "));
    }
    text
}

/// Byte ranges of the sentences of `text`: Unicode sentence boundaries (UAX #29: "e.g. this"
/// and "3.5" stay whole; line breaks and Chinese 。！？ end sentences), then Chinese semicolons,
/// whose clauses read alone; trimmed, empty ones left out.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for (start, sentence) in text.split_sentence_bound_indices() {
        let mut from = start;
        for (i, _) in sentence.match_indices('；') {
            let end = start + i + '；'.len_utf8();
            push_trimmed(text, from..end, &mut ranges);
            from = end;
        }
        push_trimmed(text, from..start + sentence.len(), &mut ranges);
    }
    ranges
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let leading = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if !trimmed.is_empty() {
        let start = range.start + leading;
        out.push(start..start + trimmed.len());
    }
}

/// A sentence without its list bullet or number ("2. buy it later": sentence boundaries keep
/// a number followed by a lowercase word with it).
fn clean(sentence: &str) -> &str {
    let sentence = sentence.trim_start_matches(['-', '*', '•', '·']).trim_start();
    let digits = sentence.len() - sentence.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match sentence[digits..].strip_prefix(['.', ')']) {
        Some(rest) if (1..=3).contains(&digits) && rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => sentence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_english_chinese_and_lists() {
        let text = "Returns are free. Fees apply to e.g. opened items, 3.5 kg or more!\n- Sealed boxes: no fee\n\
                    退货免费。七天内有效！运费自理；赠品需退回？是的";
        let parts: Vec<&str> = sentences(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            parts,
            [
                "Returns are free.",
                "Fees apply to e.g. opened items, 3.5 kg or more!",
                "- Sealed boxes: no fee",
                "退货免费。",
                "七天内有效！",
                "运费自理；",
                "赠品需退回？",
                "是的"
            ]
        );
    }

    #[test]
    fn list_bullets_and_numbers_are_not_quoted() {
        assert_eq!(clean("- Sealed boxes: no fee"), "Sealed boxes: no fee");
        assert_eq!(clean("2. buy it later in Account > Orders."), "buy it later in Account > Orders.");
        assert_eq!(clean("12) 在 APP 中申请"), "在 APP 中申请");
        assert_eq!(clean("3.5 kg is the most it takes."), "3.5 kg is the most it takes.");
        assert_eq!(clean("2025. A good year."), "2025. A good year.");
    }

    #[test]
    fn table_rows_are_read_with_their_header() {
        let text = "Delivery times are in business days.\n\
                    Zone | Standard delivery | Standard cost\n\
                    |---|---|---|\n\
                    Canada | 6–10 business days | $9.95\n\
                    Orders ship daily.";
        let all = quotables(text);
        let texts: Vec<&str> = all.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Delivery times are in business days.",
                "Canada — Standard delivery: 6–10 business days; Standard cost: $9.95",
                "Orders ship daily."
            ]
        );
        assert_eq!(&text[all[1].range.clone()], "Canada | 6–10 business days | $9.95");
    }

    #[test]
    fn rows_of_a_table_begun_before_the_text_are_read_with_its_header() {
        let text = "E7 | Can't find the dock | Carry it back\nE8 | Battery too hot | Let it cool\nDone.";
        let texts: Vec<String> =
            quotables_under(Some("Code | Meaning | What to do"), text).into_iter().map(|q| q.text).collect();
        assert_eq!(
            texts,
            [
                "E7 — Meaning: Can't find the dock; What to do: Carry it back",
                "E8 — Meaning: Battery too hot; What to do: Let it cool",
                "Done."
            ]
        );
        // Without it, the first row is taken for a header and names the others' cells.
        assert_eq!(
            quotables(text)[0].text,
            "E8 — Can't find the dock: Battery too hot; Carry it back: Let it cool"
        );
    }
}
