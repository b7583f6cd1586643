//! Citation markers in generated answers: `[1]`, `[1, 3]`, `[2][3]`, and the full-width `【1】`
//! Chinese models often write. Markers naming a passage that does not exist are removed, as the
//! text streams: a client never sees a citation kefu would later withdraw.

/// `text` with the number of each of kefu's own markers (`[2]`) raised by `by`: an answer
/// quoted after another's citations.
pub fn renumber(text: &str, by: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match after[digits..].strip_prefix(']') {
            Some(tail) if digits > 0 => {
                let n: usize = after[..digits].parse().unwrap_or(0);
                out.push_str(&format!("[{}]", n + by));
                rest = tail;
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Longest bracketed group held back as a possible marker (room for a list of some twenty
/// passage numbers). A longer run of numbers in brackets is dropped: shown as text, its numbers
/// would reach the client unchecked.
const MAX_MARKER_CHARS: usize = 64;

/// Filters citation markers out of streamed text, keeping only numbers of existing passages.
#[derive(Debug)]
pub struct CitationFilter {
    passages: usize,
    /// Opened brackets not yet closed, outermost first, each with what followed it: held back
    /// until we know what they are. A group dropped inside another ("【[0]1]") leaves the outer
    /// one going on, and checked in turn.
    pending: Vec<String>,
    /// Inside a bracketed run of numbers too long to be a marker: dropped up to its end.
    dropping: bool,
    cited: Vec<usize>,
}

impl CitationFilter {
    /// A filter for an answer written from passages numbered 1 to `passages`.
    pub fn new(passages: usize) -> CitationFilter {
        CitationFilter { passages, pending: Vec::new(), dropping: false, cited: Vec::new() }
    }

    /// Takes the next piece of the answer; returns what can be shown now.
    pub fn push(&mut self, delta: &str) -> String {
        let mut out = String::new();
        for c in delta.chars() {
            if self.dropping {
                if is_marker_char(c) {
                    continue;
                }
                self.dropping = false;
                if is_close(c) {
                    continue;
                }
            }
            if is_open(c) {
                self.pending.push(c.to_string());
            } else if self.pending.is_empty() {
                out.push(c);
                continue;
            } else if is_close(c) {
                let mut group = self.pending.pop().unwrap_or_default();
                group.push(c);
                let resolved = self.resolve(&group);
                if !resolved.is_empty() {
                    // The groups around a kept marker are text.
                    out.push_str(&self.pending.concat());
                    self.pending.clear();
                    out.push_str(&resolved);
                }
                continue;
            } else if is_marker_char(c) {
                if let Some(group) = self.pending.last_mut() {
                    group.push(c);
                }
            } else {
                // Not a citation: plain text in brackets.
                out.push_str(&self.pending.concat());
                self.pending.clear();
                out.push(c);
                continue;
            }
            if self.pending.iter().map(|g| g.chars().count()).sum::<usize>() > MAX_MARKER_CHARS {
                self.pending.clear();
                self.dropping = true;
            }
        }
        out
    }

    /// Ends the text; returns whatever was held back.
    pub fn finish(&mut self) -> String {
        self.dropping = false;
        std::mem::take(&mut self.pending).concat()
    }

    /// Valid passage numbers cited so far, in order of first citation.
    pub fn cited(&self) -> &[usize] {
        &self.cited
    }

    /// A complete bracketed group: its valid numbers as `[n]` markers, or nothing.
    fn resolve(&mut self, marker: &str) -> String {
        let inner: String = marker.chars().skip(1).take(marker.chars().count().saturating_sub(2)).collect();
        let numbers: Vec<&str> =
            inner.split([',', '，', '、', ' ']).map(str::trim).filter(|s| !s.is_empty()).collect();
        if numbers.is_empty() {
            return marker.to_string();
        }
        let mut out = String::new();
        for n in numbers.iter().filter_map(|s| s.parse::<usize>().ok()) {
            if (1..=self.passages).contains(&n) {
                if !self.cited.contains(&n) {
                    self.cited.push(n);
                }
                out.push_str(&format!("[{n}]"));
            }
        }
        out
    }
}

fn is_open(c: char) -> bool {
    matches!(c, '[' | '【')
}

fn is_close(c: char) -> bool {
    matches!(c, ']' | '】')
}

/// What a marker holds between its brackets: passage numbers and separators.
fn is_marker_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, ',' | '，' | ' ' | '、')
}

/// Filters a whole answer at once: (text with only valid markers, passages cited).
pub fn check(text: &str, passages: usize) -> (String, Vec<usize>) {
    let mut filter = CitationFilter::new(passages);
    let mut out = filter.push(text);
    out.push_str(&filter.finish());
    (tidy(&out), filter.cited)
}

/// Removes the spaces a dropped marker leaves before punctuation or at the end.
pub fn tidy(text: &str) -> String {
    let mut out = text.trim_end().to_string();
    for punctuation in [".", ",", "。", "，", "!", "?"] {
        out = out.replace(&format!(" {punctuation}"), punctuation);
    }
    while out.contains("  ") {
        out = out.replace("  ", " ");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_renumbered_and_other_brackets_kept() {
        assert_eq!(renumber("A. [1] B [2][3] [x] [] [12]", 1), "A. [2] B [3][4] [x] [] [13]");
        assert_eq!(renumber("no markers", 4), "no markers");
    }

    #[test]
    fn keeps_valid_markers_and_drops_invalid_ones() {
        let (text, cited) = check("Returns take 30 days [2]. Fees apply [7][1].", 3);
        assert_eq!(text, "Returns take 30 days [2]. Fees apply [1].");
        assert_eq!(cited, vec![2, 1]);
        let (text, cited) = check("可以退货【1，9】。", 2);
        assert_eq!(text, "可以退货[1]。");
        assert_eq!(cited, vec![1]);
        let (text, cited) = check("See [this page] and [0] or [12] [3, 4]", 2);
        assert_eq!(text, "See [this page] and or");
        assert!(cited.is_empty());
    }

    #[test]
    fn long_marker_lists_are_checked_and_overlong_ones_dropped() {
        // Found by the property tests: groups over 16 characters were shown unchecked.
        assert_eq!(check("Yes [0, 0, 0, 0, 0, 0].", 0).0, "Yes.");
        let (text, cited) = check("See [1, 2, 3, 4, 5, 6, 7, 8].", 3);
        assert_eq!((text.as_str(), cited), ("See [1][2][3].", vec![1, 2, 3]));
        let run = format!("Call [{}] now [2]", "1".repeat(100));
        assert_eq!(check(&run, 3).0, "Call now [2]");
    }

    #[test]
    fn streaming_gives_the_same_text_whatever_the_split() {
        let text = "A [1] b [9] c [x] d 【2】 e [1, 2, 5] f [";
        let (whole, cited) = check(text, 2);
        for size in 1..6 {
            let mut filter = CitationFilter::new(2);
            let mut out = String::new();
            let chars: Vec<char> = text.chars().collect();
            for piece in chars.chunks(size) {
                out.push_str(&filter.push(&piece.iter().collect::<String>()));
            }
            out.push_str(&filter.finish());
            assert_eq!(tidy(&out), whole, "pieces of {size}");
            assert_eq!(filter.cited(), cited.as_slice());
        }
    }
}
