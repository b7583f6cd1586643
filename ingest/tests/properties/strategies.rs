//! Generators of help-center sources: word soups in the scripts and punctuation help centers
//! use, and structured documents of each format whose expected structure is known.

use proptest::prelude::*;

/// One word or piece of punctuation, in Latin, Han, kana or Hangul script, digits, symbols,
/// any printable Unicode, or whitespace of an unusual kind.
pub fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z]{1,12}",
        3 => "[一-龥]{1,8}",
        1 => "[0-9]{1,6}",
        1 => "[ぁ-ヿ]{1,4}",
        1 => "[가-힣]{1,4}",
        1 => prop::sample::select(&[
            ".", ",", "!", "?", "。", "，", "、", "！", "？", "e.g.", "i.e.", "1.5", "£3.95", "15%",
            "USB-C", "–", "—", "…", "'", "\"", "(", ")", "*", "_", "`", "#", "|", "\\", "&", "<", ">",
            "[1]", "【2】", "http://help.example/a?b=c", "\u{3000}", "\u{a0}", "\t", "\u{200b}",
            "\u{feff}", "\u{202e}", "🙂", "👩‍👩‍👧", "e\u{301}", "a\u{301}\u{302}\u{303}\u{304}",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{1,6}",
    ]
}

/// A run of words joined by spaces (or by nothing, as Chinese is written).
pub fn sentence(max_words: usize) -> impl Strategy<Value = String> {
    (prop::collection::vec(word(), 1..=max_words), any::<bool>())
        .prop_map(|(words, spaced)| words.join(if spaced { " " } else { "" }))
}

/// Markdown: headings, paragraphs, nested lists, tables, code, quotes, inline HTML and stray
/// syntax, optionally under front matter.
pub fn markdown() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        3 => (1..=6usize, sentence(6)).prop_map(|(level, title)| format!("{} {title}", "#".repeat(level))),
        4 => sentence(30),
        2 => prop::collection::vec((0..3usize, any::<bool>(), sentence(8)), 1..6).prop_map(|items| {
            items
                .into_iter()
                .map(|(depth, ordered, text)| {
                    format!("{}{} {text}", "  ".repeat(depth), if ordered { "1." } else { "-" })
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
        1 => prop::collection::vec(prop::collection::vec(sentence(3), 2..4), 1..4).prop_map(|rows| {
            let header = format!("| {} |", vec!["h"; rows[0].len()].join(" | "));
            let rule = format!("|{}|", vec!["---"; rows[0].len()].join("|"));
            let body: Vec<String> = rows.iter().map(|r| format!("| {} |", r.join(" | "))).collect();
            format!("{header}\n{rule}\n{}", body.join("\n"))
        }),
        1 => sentence(10).prop_map(|code| format!("```\n{code}\n```")),
        1 => sentence(10).prop_map(|quote| format!("> {quote}")),
        1 => sentence(6).prop_map(|text| format!("<div class=\"note\">{text}</div>")),
        1 => prop::sample::select(&[
            "---", "***", "```", "<!-- c -->", "[link](http://x)", "![img](y.png)", "[^1]: note",
            "- [ ] task", "Setext\n===", "    indented code", "\\", "<", "&amp; &#x4E00; &nosuch;",
            "| a |\n|---|", "1)", "+", "\r\n", "\u{c}",
        ][..]).prop_map(str::to_string),
    ];
    let body = prop::collection::vec((block, any::<bool>()), 0..16).prop_map(|blocks| {
        blocks
            .into_iter()
            .map(|(b, blank)| if blank { format!("{b}\n\n") } else { format!("{b}\n") })
            .collect::<String>()
    });
    (prop::option::of(front_matter_yaml()), body).prop_map(|(yaml, body)| match yaml {
        Some(yaml) => format!("---\n{yaml}---\n{body}"),
        None => body,
    })
}

/// Front matter YAML: kefu's keys and others, with values of every YAML kind, including
/// anchors and aliases, tags and broken syntax.
pub fn front_matter_yaml() -> impl Strategy<Value = String> {
    let key = prop::sample::select(
        &[
            "id", "title", "url", "locale", "lang", "language", "product", "doc_type", "type", "tags",
            "author", "date",
        ][..],
    );
    let value = prop_oneof![
        4 => sentence(5).prop_map(|s| serde_json::to_string(&s).unwrap()),
        1 => "[a-z]{1,8}",
        1 => prop::collection::vec(sentence(2), 0..4)
            .prop_map(|list| serde_json::to_string(&list).unwrap()),
        1 => prop::sample::select(&[
            "~", "null", "true", "12", "1.5", "2024-01-01", "[1, 2]", "{a: b}", "&x [1, *x]", "*y",
            "!!binary aGk=", "'unterminated", "[", "|\n  literal\n  block", ">-\n  folded", "- a\n- b",
            "\"\\uD800\"", "zh-CN", "EN_us",
        ][..]).prop_map(str::to_string),
    ];
    prop::collection::vec((key, value), 0..6)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| format!("{k}: {v}\n")).collect())
}

/// Front matter of well-formed values for kefu's keys: (yaml, title, url, locale, id, tags).
#[derive(Debug, Clone)]
pub struct FrontMatter {
    pub yaml: String,
    pub title: String,
    pub url: String,
    pub locale: String,
    pub id: String,
    pub tags: Vec<String>,
}

/// Well-formed front matter whose values are known.
pub fn known_front_matter() -> impl Strategy<Value = FrontMatter> {
    let locale = prop::sample::select(&["", "en", "zh-CN", "zh_Hans", "FR", "english", "x"][..]);
    (sentence(5), "[a-z:/.]{0,20}", locale, "[a-z0-9/._-]{0,12}", prop::collection::vec("[a-z]{1,6}", 0..4))
        .prop_map(|(title, url, locale, id, tags)| {
            let json = |s: &str| serde_json::to_string(s).unwrap();
            let yaml = format!(
                "title: {}\nurl: {}\nlang: {}\nid: {}\ntags: {}\n",
                json(&title),
                json(&url),
                json(locale),
                json(&id),
                serde_json::to_string(&tags).unwrap()
            );
            FrontMatter { yaml, title, url, locale: locale.to_string(), id, tags }
        })
}

/// An HTML element tree: content, chrome and hidden elements, attributes, entities.
pub fn html_tree() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => sentence(12),
        1 => prop::sample::select(&[
            "&amp;", "&lt;", "&nbsp;", "&#x4E00;", "&#0;", "&#xD800;", "&#99999999;", "&nosuch;",
            "&ampamp", "<br>", "<hr>", "<img src=x>", "<!-- comment -->", "<![CDATA[x]]>", "<",
        ][..]).prop_map(str::to_string),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        let tag = prop::sample::select(
            &[
                "div", "p", "span", "main", "article", "section", "h1", "h2", "h3", "h4", "h5", "h6", "ul",
                "ol", "li", "table", "tr", "td", "th", "script", "style", "nav", "header", "footer", "aside",
                "a", "pre", "code", "b", "template", "noscript", "form", "button", "details", "summary",
            ][..],
        );
        let attr = prop::sample::select(
            &[
                "",
                " lang=\"zh\"",
                " class=\"cookie-banner\"",
                " style=\"display:none\"",
                " hidden",
                " aria-hidden=\"true\"",
                " role=\"main\"",
                " role=\"navigation\"",
                " id=\"breadcrumbs\"",
                " start=\"7\"",
                " start=\"-3\"",
                " start=\"99999999999999999999\"",
            ][..],
        );
        (tag, attr, prop::collection::vec(inner, 0..6))
            .prop_map(|(tag, attr, children)| format!("<{tag}{attr}>{}</{tag}>", children.concat()))
    })
}

/// An HTML page, well formed or not: a tree under a `<head>` with metadata, or tag soup.
pub fn html() -> impl Strategy<Value = String> {
    let page = (html_tree(), sentence(4), prop::sample::select(&["", "en", "zh-CN", "??"][..])).prop_map(
        |(body, title, lang)| {
            format!(
                "<!doctype html><html lang=\"{lang}\"><head><title>{title} | Shop</title>\
                 <link rel=\"canonical\" href=\"https://help.example/p\">\
                 <meta name=\"keywords\" content=\"a, b，c\"></head><body>{body}</body></html>"
            )
        },
    );
    let soup = prop::collection::vec(
        prop_oneof![
            sentence(4),
            prop::sample::select(
                &[
                    "<div>",
                    "</div>",
                    "<p>",
                    "</p>",
                    "<li>",
                    "<ul>",
                    "</ul>",
                    "<h2>",
                    "</h2>",
                    "<main>",
                    "<table>",
                    "<td>",
                    "<script>",
                    "</script>",
                    "<style>",
                    "<!--",
                    "-->",
                    "<title>",
                    "<",
                    ">",
                    "&",
                    "\"",
                    "<body>",
                    "</html>",
                    "<svg><foreignObject><p>",
                    "<math><mi>",
                ][..]
            )
            .prop_map(str::to_string),
        ],
        0..40,
    )
    .prop_map(|pieces| pieces.concat());
    prop_oneof![page, soup]
}

/// Plain text: heading-like short lines, paragraphs, blank lines, form feeds, CRLF.
pub fn text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        2 => sentence(5),
        4 => sentence(40),
        1 => prop::sample::select(&["", " ", "\r", "\u{c}", "\u{3000}", "-----"][..]).prop_map(str::to_string),
    ];
    prop::collection::vec((line, prop::sample::select(&["\n", "\n\n", "\r\n", "\r\n\r\n"][..])), 0..24)
        .prop_map(|lines| lines.into_iter().map(|(l, sep)| format!("{l}{sep}")).collect())
}

/// A FAQ field value: text, empty, only whitespace, or text with CSV/JSON syntax in it.
pub fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => sentence(12),
        1 => Just(String::new()),
        1 => prop::sample::select(&[" ", "\t", "\u{3000}", "\n"][..]).prop_map(str::to_string),
        1 => sentence(4).prop_map(|s| format!("\"{s}\", {s}\n{s};{s}")),
    ]
}

/// A FAQ list: pairs of (question, answer, tags) as generated, before any skipping.
pub fn faq_pairs() -> impl Strategy<Value = Vec<(String, String, Vec<String>)>> {
    prop::collection::vec((field(), field(), prop::collection::vec("[a-z]{1,6}", 0..3)), 0..12)
}

/// Whether a pair is kept (both question and answer have text).
pub fn is_valid_pair(question: &str, answer: &str) -> bool {
    !question.trim().is_empty() && !answer.trim().is_empty()
}

/// Column names, in the spellings the CSV loader accepts.
pub fn csv_header() -> impl Strategy<Value = (String, String, bool)> {
    (
        prop::sample::select(&["question", "Question", " Q ", "QUESTION"][..]),
        prop::sample::select(&["answer", "A", "Response", " answer"][..]),
        any::<bool>(),
    )
        .prop_map(|(q, a, extra_first)| (q.to_string(), a.to_string(), extra_first))
}

/// Quotes a CSV field (always quoted, inner quotes doubled).
pub fn csv_quote(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

/// An arbitrary JSON value, nested a few levels.
pub fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        field().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            prop::sample::select(
                &[
                    "question", "Q", "answer", "A", "response", "tags", "labels", "items", "faq", "title",
                    "locale", "lang", "url", "product", "doc_type",
                ][..]
            )
            .prop_map(str::to_string),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}
