//! Markdown: front matter for metadata, headings for sections, one line per paragraph, list item
//! and table row.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{Draft, front_matter};
use crate::document::{InlineWriter, Metadata};

pub(super) fn load(source: &str) -> Result<Draft, String> {
    let (meta, id, body) = match front_matter::split(source)? {
        Some((yaml, body)) => {
            let (meta, id) = front_matter::parse(yaml)?;
            (meta, id, body)
        }
        None => (Metadata::default(), None, source),
    };
    let mut out = Renderer::default();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(body, options) {
        out.event(event);
    }
    out.writer.flush();
    let body_title = out.writer.builder.first_h1().map(str::to_string);
    let (text, sections) = out.writer.builder.finish();
    Ok(Draft { meta, id, body_title, text, sections })
}

/// Renders parser events into blocks of plain text.
#[derive(Default)]
struct Renderer {
    writer: InlineWriter,
    /// Cells of the table row being read.
    row: Vec<String>,
    in_code_block: bool,
}

impl Renderer {
    fn event(&mut self, event: Event) {
        let w = &mut self.writer;
        match event {
            Event::Start(Tag::Heading { .. }) | Event::Start(Tag::Paragraph) => w.flush(),
            Event::End(TagEnd::Heading(level)) => {
                let title = w.take_inline();
                w.builder.heading(level as u8, &title);
            }
            Event::Start(Tag::List(first)) => w.open_list(first),
            Event::End(TagEnd::List(_)) => w.close_list(),
            Event::Start(Tag::Item) => w.start_item(),
            Event::Start(Tag::CodeBlock(_)) => {
                w.flush();
                self.in_code_block = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                let code = w.take_raw();
                self.in_code_block = false;
                w.builder.block(code.trim_end());
            }
            Event::End(TagEnd::TableCell) => self.row.push(w.take_inline()),
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                let row = std::mem::take(&mut self.row);
                w.builder.block(&row.join(" | "));
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_)) | Event::Rule => w.flush(),
            Event::Text(text) | Event::Code(text) => w.push(&text),
            Event::InlineHtml(html) | Event::Html(html) => w.push(&strip_tags(&html)),
            Event::SoftBreak | Event::HardBreak => w.push(if self.in_code_block { "\n" } else { " " }),
            _ => {}
        }
    }
}

/// Drops `<tags>` from raw HTML embedded in Markdown, keeping the text between them.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\ntitle: Returns policy\nlocale: en\ntags: [returns]\n---\n\
# Returns policy\n\nYou can return most items\nwithin **30 days**.\n\n\
## Exceptions\n\n- Gift cards\n- Opened earbuds, see [hygiene](x.md)\n\n\
### Fees\n\n| Item | Fee |\n|---|---|\n| Opened electronics | 15% |\n\n\
## Refunds\n\n1. Ship it back\n2. Wait 5 days\n";

    fn sections(draft: &Draft) -> Vec<(String, &str)> {
        draft.sections.iter().map(|s| (s.headings.join(" > "), &draft.text[s.body.clone()])).collect()
    }

    #[test]
    fn renders_blocks_under_their_heading_paths() {
        let draft = load(PAGE).unwrap();
        assert_eq!(draft.meta.title, "Returns policy");
        assert_eq!(draft.meta.tags, ["returns"]);
        assert_eq!(
            sections(&draft),
            [
                ("Returns policy".to_string(), "You can return most items within 30 days."),
                ("Returns policy > Exceptions".to_string(), "- Gift cards\n- Opened earbuds, see hygiene"),
                ("Returns policy > Exceptions > Fees".to_string(), "Item | Fee\nOpened electronics | 15%"),
                ("Returns policy > Refunds".to_string(), "1. Ship it back\n2. Wait 5 days"),
            ]
        );
    }

    #[test]
    fn text_keeps_headings_as_lines() {
        let draft = load(PAGE).unwrap();
        assert!(draft.text.starts_with("Returns policy\nYou can return"), "{}", draft.text);
        assert!(draft.text.contains("\nExceptions\n- Gift cards"));
    }

    #[test]
    fn title_falls_back_to_first_h1_and_chinese_lines_join_without_spaces() {
        let draft = load("# 退货政策\n\n七天无理由\n退货。\n").unwrap();
        assert_eq!(draft.body_title.as_deref(), Some("退货政策"));
        assert_eq!(sections(&draft)[0].1, "七天无理由退货。");
    }

    #[test]
    fn nested_lists_and_loose_items_keep_markers() {
        let draft = load("- a\n\n  more a\n- b\n  1. b1\n  2. b2\n").unwrap();
        assert_eq!(sections(&draft)[0].1, "- a\nmore a\n- b\n  1. b1\n  2. b2");
    }

    #[test]
    fn malformed_front_matter_is_an_error() {
        assert!(load("---\ntitle: [\n---\nbody").unwrap_err().starts_with("front matter:"));
    }
}
