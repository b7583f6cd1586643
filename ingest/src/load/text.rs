//! Plain text, and the text extracted from PDFs.
//!
//! Plain text: paragraphs are separated by blank lines, soft line wraps are joined, and short
//! stand-alone lines are taken as headings. Extracted PDF text has no reliable paragraph breaks
//! (`pdf-extract` puts a blank line after every line), so it is read line by line: the first line
//! is the title, numbered section lines ("2. Warranty period", "2.1 …", "第三条 …", "三、…") are
//! headings, and wrapped lines are joined.

use super::Draft;
use crate::document::{TextBuilder, collapse_whitespace};

/// A stand-alone line this short, without closing punctuation, reads as a heading.
const MAX_HEADING_CHARS: usize = 80;

/// A cell of a table laid out with spaces is at most this long: prose that happens to have two
/// spaces in a row on each line is not a table.
const MAX_CELL_CHARS: usize = 40;

pub(super) fn load(source: &str) -> Draft {
    let source = source.replace("\r\n", "\n").replace('\u{c}', "\n\n");
    let draft = load_paragraphs(&source, true);
    // A text of short lines only would be all headings and no body: read it as body instead.
    if draft.sections.is_empty() { load_paragraphs(&source, false) } else { draft }
}

fn load_paragraphs(source: &str, detect_headings: bool) -> Draft {
    let mut builder = TextBuilder::default();
    for paragraph in source.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let lines: Vec<&str> = paragraph.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if let [line] = lines.as_slice()
            && detect_headings
            && is_heading(line)
        {
            let level = if builder.first_h1().is_none() && builder.text().is_empty() { 1 } else { 2 };
            builder.heading(level, line);
            continue;
        }
        let blocks = aligned_table(&lines).unwrap_or_else(|| join_soft_wraps(&lines));
        for block in blocks {
            builder.block(&block);
        }
    }
    let body_title = builder.first_h1().map(str::to_string);
    let (text, sections) = builder.finish();
    Draft { body_title, text, sections, ..Draft::default() }
}

/// A table laid out in columns with spaces (three lines or more, each cut by runs of two spaces or
/// more, a tab or an ideographic space into the same number of short cells, two or more), as
/// table rows `a | b | c`, as the Markdown and HTML loaders write theirs: its rows are then read
/// with its header ("European Union — Standard delivery: Tuesday 16 Dec; …"), not as one
/// sentence of the whole table.
fn aligned_table(lines: &[&str]) -> Option<Vec<String>> {
    if lines.len() < 3 {
        return None;
    }
    let rows: Vec<Vec<&str>> = lines.iter().map(|line| columns(line)).collect();
    let width = rows[0].len();
    let table = width >= 2
        && rows
            .iter()
            .all(|cells| cells.len() == width && cells.iter().all(|c| c.chars().count() <= MAX_CELL_CHARS));
    table.then(|| rows.iter().map(|cells| cells.join(" | ")).collect())
}

/// The cells of a line laid out in columns: its parts between runs of two spaces or more, tabs
/// or ideographic spaces.
fn columns(line: &str) -> Vec<&str> {
    let mut cells = Vec::new();
    let mut start = 0;
    let mut gap: Option<(usize, usize)> = None;
    for (i, c) in line.char_indices() {
        let wide = c == '\t' || c == '\u{3000}';
        if c == ' ' || wide {
            let (from, count) = gap.unwrap_or((i, 0));
            gap = Some((from, count + if wide { 2 } else { 1 }));
            continue;
        }
        if let Some((from, count)) = gap.take()
            && count >= 2
        {
            cells.push(line[start..from].trim());
            start = i;
        }
    }
    cells.push(line[start..].trim());
    cells.retain(|c| !c.is_empty());
    cells
}

/// Reads text as paragraphs only, with no heading detection (records whose title is given).
pub(super) fn load_body(source: &str) -> Draft {
    load_paragraphs(&source.replace("\r\n", "\n"), false)
}

/// Reads text extracted from a PDF (see the module documentation).
pub(super) fn load_extracted(source: &str) -> Draft {
    let mut builder = TextBuilder::default();
    let mut pending: Vec<&str> = Vec::new();
    let flush = |builder: &mut TextBuilder, pending: &mut Vec<&str>| {
        for block in join_soft_wraps(pending) {
            builder.block(&block);
        }
        pending.clear();
    };
    for line in source.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if builder.text().is_empty() && pending.is_empty() && is_heading(line) {
            builder.heading(1, line);
        } else if let Some(level) = section_level(line) {
            flush(&mut builder, &mut pending);
            builder.heading(level, line);
        } else {
            pending.push(line);
        }
    }
    flush(&mut builder, &mut pending);
    let body_title = builder.first_h1().map(str::to_string);
    let (text, sections) = builder.finish();
    Draft { body_title, text, sections, ..Draft::default() }
}

/// A short line without closing punctuation that is not a bullet.
fn is_heading(line: &str) -> bool {
    line.chars().count() <= MAX_HEADING_CHARS
        && !line.ends_with(CLOSING)
        && line.chars().any(char::is_alphabetic)
        && (!starts_list_item(line) || section_level(line).is_some())
}

const CLOSING: [char; 14] = ['.', ',', ';', ':', '!', '?', '。', '，', '；', '：', '！', '？', '）', ')'];

/// The heading level of a numbered section line: "2 Title" or "2. Title" -> 2, "2.1 Title" -> 3,
/// "第三条 …" and "三、…" -> 2; `None` for anything else.
fn section_level(line: &str) -> Option<u8> {
    if line.chars().count() > MAX_HEADING_CHARS || line.ends_with(CLOSING) {
        return None;
    }
    let numerals = |c: char| "一二三四五六七八九十百零〇".contains(c);
    if let Some(rest) = line.strip_prefix('第') {
        let n = rest.chars().take_while(|&c| numerals(c) || c.is_ascii_digit()).count();
        let after: String = rest.chars().skip(n).take(1).collect();
        return (n > 0 && ["条", "章", "节"].contains(&after.as_str())).then_some(2);
    }
    let n = line.chars().take_while(|&c| numerals(c)).count();
    if n > 0 {
        return line.chars().nth(n).is_some_and(|c| c == '、').then_some(2);
    }
    let number: String = line.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let separated = line[number.len()..].starts_with(char::is_whitespace);
    let title = line[number.len()..].trim_start();
    let depth = number.trim_end_matches('.').split('.').count() as u8;
    let valid_number = number.starts_with(|c: char| c.is_ascii_digit())
        && number.trim_end_matches('.').split('.').all(|p| (1..=2).contains(&p.len()));
    let title_like = title
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || crate::locale::is_cjk(c) || crate::locale::is_hangul(c));
    (valid_number && separated && title_like && depth <= 3).then_some(depth + 1)
}

fn starts_list_item(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    line.starts_with(['-', '*', '•', '·']) || (digits > 0 && line[digits..].starts_with(['.', ')', '、']))
}

/// Joins lines that a wrap broke in the middle of a sentence; keeps list items and lines after a
/// sentence end on their own.
fn join_soft_wraps(lines: &[&str]) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in lines {
        let continues = blocks.last().is_some_and(|prev| {
            let ends_sentence = prev.ends_with(['.', '!', '?', ':', ';', '。', '！', '？', '：', '；']);
            !ends_sentence && !starts_list_item(line)
        });
        match blocks.last_mut() {
            Some(prev) if continues => *prev = collapse_whitespace(&format!("{prev}\n{line}")),
            _ => blocks.push(collapse_whitespace(line)),
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_standalone_lines_become_headings() {
        let draft =
            load("Warranty Terms\n\nCoverage\n\nWe cover defects\nfor two years.\n\n- Parts\n- Labour\n");
        assert_eq!(draft.body_title.as_deref(), Some("Warranty Terms"));
        let s = &draft.sections[0];
        assert_eq!(s.headings, ["Warranty Terms", "Coverage"]);
        assert_eq!(&draft.text[s.body.clone()], "We cover defects for two years.\n- Parts\n- Labour");
    }

    #[test]
    fn a_table_laid_out_with_spaces_is_read_as_rows() {
        let draft = load(
            "Last order dates\n\nOrder by the date below.\n\n  Zone            Standard delivery   Express\n  \
             United Kingdom  Thursday 18 Dec     Monday 22 Dec\n  European Union  Tuesday 16 Dec      Friday 19 Dec\n\n\
             Carriers are busy.  Order early.\nGifts go by email.\n",
        );
        let s = &draft.sections[0];
        assert_eq!(
            &draft.text[s.body.clone()],
            "Order by the date below.\nZone | Standard delivery | Express\nUnited Kingdom | Thursday 18 Dec | \
             Monday 22 Dec\nEuropean Union | Tuesday 16 Dec | Friday 19 Dec\nCarriers are busy. Order early.\nGifts go by email."
        );
        // Two lines, or cells of unequal number, are no table.
        assert_eq!(aligned_table(&["a  b", "c  d"]), None);
        assert_eq!(aligned_table(&["a  b", "c  d", "e f"]), None);
        assert_eq!(columns("Zone\tStandard  delivery 2–4 days"), ["Zone", "Standard", "delivery 2–4 days"]);
    }

    #[test]
    fn chinese_soft_wraps_join_without_spaces() {
        let draft = load("保修说明\n\n本店商品自签收之日起享受\n一年保修。\n");
        assert_eq!(&draft.text[draft.sections[0].body.clone()], "本店商品自签收之日起享受一年保修。");
    }

    #[test]
    fn numbered_single_line_paragraphs_are_headings() {
        let draft =
            load("Notice\n\n1. LAST ORDER DATES\n\nOrder by the 18th.\n\n- just a bullet\n\nMore text.");
        assert_eq!(draft.sections[0].headings, ["Notice", "1. LAST ORDER DATES"]);
        assert_eq!(
            &draft.text[draft.sections[0].body.clone()],
            "Order by the 18th.\n- just a bullet\nMore text."
        );
    }

    #[test]
    fn extracted_pdf_text_is_read_line_by_line() {
        let pdf = "\n\nWarranty Terms\n\n1. Who gives this warranty\n\nThis warranty is given by\n\nNestwell Ltd.\n\n2.1 Period\n\nTwo years.\n\n第三条 保修期限\n\n本店商品享受\n\n一年保修。\n\n四、争议处理\n\n协商解决。";
        let draft = load_extracted(pdf);
        assert_eq!(draft.body_title.as_deref(), Some("Warranty Terms"));
        let sections: Vec<(String, &str)> =
            draft.sections.iter().map(|s| (s.headings.join(">"), &draft.text[s.body.clone()])).collect();
        assert_eq!(
            sections,
            [
                (
                    "Warranty Terms>1. Who gives this warranty".to_string(),
                    "This warranty is given by Nestwell Ltd."
                ),
                ("Warranty Terms>1. Who gives this warranty>2.1 Period".to_string(), "Two years."),
                ("Warranty Terms>第三条保修期限".to_string(), "本店商品享受一年保修。"),
                ("Warranty Terms>四、争议处理".to_string(), "协商解决。"),
            ]
        );
    }

    #[test]
    fn section_levels() {
        assert_eq!(section_level("2. Warranty period"), Some(2));
        assert_eq!(section_level("2.1 Period"), Some(3));
        assert_eq!(section_level("2 years of cover"), None, "lowercase after the number: prose");
        assert_eq!(section_level("1. Ship it back."), None, "closing punctuation: a list item");
        assert_eq!(section_level("第十二条 附则"), Some(2));
        assert_eq!(section_level("三、七天无理由退货期限顺延"), Some(2));
        assert_eq!(section_level("三天内发货"), None);
    }

    #[test]
    fn a_text_of_short_lines_only_is_body() {
        let draft = load("Mon-Fri 9-18\n\nSat 10-16");
        assert_eq!(draft.text, "Mon-Fri 9-18\nSat 10-16");
        assert_eq!(draft.sections.len(), 1);
    }

    #[test]
    fn sentences_ending_a_line_stay_separate_lines() {
        let draft = load("First sentence.\nSecond line.");
        assert_eq!(draft.text, "First sentence.\nSecond line.");
    }
}
