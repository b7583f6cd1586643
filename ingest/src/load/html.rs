//! HTML help-center pages: the main content only, with headings, lists and tables kept as text.
//!
//! Site chrome is dropped: `<script>`, `<style>`, `<nav>`, forms, elements hidden from readers,
//! and elements whose role, id or class marks them as navigation, cookie banners, breadcrumbs or
//! sidebars. The content root is `<main>`, else `<article>`, else `[role=main]`, else `<body>`
//! (and then page-level `<header>` and `<footer>` are dropped too).

use scraper::{ElementRef, Html, Node, Selector};

use super::Draft;
use crate::document::{InlineWriter, Metadata, collapse_whitespace};

pub(super) fn load(source: &str) -> Draft {
    let page = Html::parse_document(source);
    let root =
        ["main", "article", "[role=main]", "body"].iter().find_map(|css| page.select(&selector(css)).next());
    let mut walker = Walker {
        writer: InlineWriter::default(),
        drop_page_chrome: root.is_none_or(|r| r.value().name() == "body"),
    };
    if let Some(root) = root {
        walker.children(root);
    }
    walker.writer.flush();
    let body_title = walker.writer.builder.first_h1().map(str::to_string).or_else(|| {
        let title = text_of(page.select(&selector("title")).next()?);
        let site_suffix = [" | ", " - ", " – ", " — ", "_"];
        let main = site_suffix.iter().fold(title.as_str(), |t, sep| t.split(sep).next().unwrap_or(t));
        Some(main.trim().to_string()).filter(|t| !t.is_empty())
    });
    let (text, sections) = walker.writer.builder.finish();
    Draft { meta: head_metadata(&page), id: None, body_title, text, sections }
}

/// Metadata from `<html lang>`, the canonical link and `<meta>` tags (`keywords` for tags, and
/// `kefu:product`, `kefu:doc_type` for what HTML has no standard tag for).
fn head_metadata(page: &Html) -> Metadata {
    let attr = |css: &str, name: &str| {
        page.select(&selector(css))
            .find_map(|e| e.value().attr(name))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Metadata {
        title: String::new(),
        url: attr("link[rel=canonical]", "href").or_else(|| attr("meta[property='og:url']", "content")),
        locale: attr("html", "lang").unwrap_or_default(),
        product: attr("meta[name='kefu:product']", "content"),
        doc_type: attr("meta[name='kefu:doc_type']", "content"),
        tags: attr("meta[name=keywords]", "content")
            .map(|k| k.split([',', '，']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect())
            .unwrap_or_default(),
    }
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

fn text_of(element: ElementRef) -> String {
    collapse_whitespace(&element.text().collect::<String>())
}

struct Walker {
    writer: InlineWriter,
    drop_page_chrome: bool,
}

impl Walker {
    fn children(&mut self, element: ElementRef) {
        for child in element.children() {
            match child.value() {
                Node::Text(text) => self.writer.push(text),
                Node::Element(_) => {
                    if let Some(element) = ElementRef::wrap(child) {
                        self.element(element);
                    }
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, element: ElementRef) {
        let name = element.value().name();
        if self.is_chrome(element) {
            return;
        }
        let w = &mut self.writer;
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                w.flush();
                w.builder.heading(name.as_bytes()[1] - b'0', &text_of(element));
            }
            "ul" | "ol" => {
                let start = element.value().attr("start").and_then(|s| s.parse().ok()).unwrap_or(1);
                w.open_list((name == "ol").then_some(start));
                self.children(element);
                self.writer.close_list();
            }
            "li" => {
                w.start_item();
                self.children(element);
                self.writer.flush();
            }
            "table" => {
                w.flush();
                for row in element.select(&selector("tr")) {
                    let cells: Vec<String> = row
                        .children()
                        .filter_map(ElementRef::wrap)
                        .filter(|c| matches!(c.value().name(), "td" | "th"))
                        .map(text_of)
                        .collect();
                    w.builder.block(&cells.join(" | "));
                }
            }
            "br" => w.push(" "),
            "p" | "div" | "section" | "article" | "main" | "header" | "footer" | "blockquote" | "pre"
            | "dl" | "dt" | "dd" | "figure" | "figcaption" | "address" | "details" | "summary" | "hr"
            | "caption" => {
                w.flush();
                self.children(element);
                self.writer.flush();
            }
            _ => self.children(element),
        }
    }

    /// Site chrome and hidden elements, which must not reach the index.
    fn is_chrome(&self, element: ElementRef) -> bool {
        let e = element.value();
        let always = [
            "script", "style", "noscript", "template", "svg", "nav", "form", "button", "iframe", "select",
            "aside",
        ];
        if always.contains(&e.name())
            || (self.drop_page_chrome && matches!(e.name(), "header" | "footer"))
            || e.attr("hidden").is_some()
            || e.attr("aria-hidden") == Some("true")
            || matches!(e.attr("role"), Some("navigation" | "banner" | "contentinfo" | "complementary"))
        {
            return true;
        }
        let chrome_words = [
            "nav",
            "navbar",
            "navigation",
            "menu",
            "breadcrumb",
            "breadcrumbs",
            "sidebar",
            "site-header",
            "site-footer",
            "footer",
            "skip-link",
            "advert",
            "ads",
        ];
        let marks = |token: &str| {
            let token = token.to_ascii_lowercase();
            token.contains("cookie") || chrome_words.contains(&token.as_str())
        };
        e.classes().any(marks) || e.id().is_some_and(marks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="zh-CN"><head>
<title>发票说明 | 商城帮助中心</title><meta name="keywords" content="发票, 税号">
<link rel="canonical" href="https://help.example.cn/invoice"><style>p{color:red}</style>
<script>var x = "do not index";</script></head><body>
<header class="site-header">Logo 登录</header>
<nav><a href="/">首页</a></nav>
<div class="cookie-banner">我们使用 Cookie</div>
<main>
 <nav class="breadcrumb">帮助中心 &gt; 发票</nav>
 <h1>发票说明</h1>
 <p>订单完成后可申请<strong>电子普通发票</strong>。</p>
 <h2>开票时限</h2>
 <ul><li>普通发票：收货后 <b>90</b> 天内</li><li hidden>内部备注</li><li>专用发票：30 天内</li></ul>
 <table><tr><th>类型</th><th>时限</th></tr><tr><td>普票</td><td>90天</td></tr></table>
</main>
<footer>版权所有</footer></body></html>"#;

    #[test]
    fn keeps_main_content_and_drops_chrome() {
        let draft = load(PAGE);
        assert_eq!(
            draft.text,
            "发票说明\n订单完成后可申请电子普通发票。\n开票时限\n- 普通发票：收货后 90 天内\n- 专用发票：30 天内\n类型 | 时限\n普票 | 90天"
        );
        let trails: Vec<_> = draft.sections.iter().map(|s| s.headings.join(">")).collect();
        assert_eq!(trails, ["发票说明", "发票说明>开票时限"]);
    }

    #[test]
    fn reads_head_metadata() {
        let draft = load(PAGE);
        assert_eq!(draft.meta.locale, "zh-CN");
        assert_eq!(draft.meta.url.as_deref(), Some("https://help.example.cn/invoice"));
        assert_eq!(draft.meta.tags, ["发票", "税号"]);
        assert_eq!(draft.body_title.as_deref(), Some("发票说明"));
    }

    #[test]
    fn without_main_the_body_is_used_and_page_chrome_dropped() {
        let draft = load(
            "<html><head><title>Shipping - Help</title></head><body><header>Shop</header><p>We ship in 2 days.</p><footer>(c)</footer></body></html>",
        );
        assert_eq!(draft.text, "We ship in 2 days.");
        assert_eq!(draft.body_title.as_deref(), Some("Shipping"));
    }
}
