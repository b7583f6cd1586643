//! YAML front matter at the top of a Markdown file, between `---` lines.

use serde::Deserialize;

use crate::document::Metadata;
use crate::product::RawListing;

/// The keys kefu reads; other keys (dates, authors...) are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FrontMatter {
    id: Option<String>,
    title: Option<String>,
    url: Option<String>,
    #[serde(alias = "lang", alias = "language")]
    locale: Option<String>,
    product: Option<String>,
    #[serde(alias = "type")]
    doc_type: Option<String>,
    tags: Option<Tags>,
    /// A product page's catalogue keys.
    #[serde(flatten)]
    listing: RawListing,
}

/// Tags as a YAML list, or as one comma-separated string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Tags {
    List(Vec<String>),
    Csv(String),
}

/// Splits `---\n<yaml>\n---\n<body>` into the YAML and the body; `None` when the text has no
/// front matter. An opening `---` without a closing one is an error.
pub(super) fn split(text: &str) -> Result<Option<(&str, &str)>, String> {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return Ok(None);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Ok(Some((&rest[..offset], &rest[offset + line.len()..])));
        }
        offset += line.len();
    }
    Err("front matter: no closing `---` line".to_string())
}

/// Parses front matter YAML into metadata and an optional explicit document id.
pub(super) fn parse(yaml: &str) -> Result<(Metadata, Option<String>), String> {
    let fm: FrontMatter = if yaml.trim().is_empty() {
        FrontMatter::default()
    } else {
        serde_yaml_ng::from_str(yaml).map_err(|e| format!("front matter: {e}"))?
    };
    let tags = match fm.tags {
        None => Vec::new(),
        Some(Tags::List(list)) => list,
        Some(Tags::Csv(csv)) => csv.split(',').map(str::to_string).collect(),
    };
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let listing = fm.listing.check()?;
    let doc_type =
        non_empty(fm.doc_type).or_else(|| listing.as_ref().map(|_| crate::product::DOC_TYPE.to_string()));
    let meta = Metadata {
        title: fm.title.unwrap_or_default(),
        url: non_empty(fm.url),
        locale: fm.locale.unwrap_or_default(),
        product: non_empty(fm.product),
        doc_type,
        tags: tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
        listing,
    };
    Ok((meta, non_empty(fm.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body() {
        let (yaml, body) = split("---\ntitle: A\n---\n# Body\n").unwrap().unwrap();
        assert_eq!(yaml, "title: A\n");
        assert_eq!(body, "# Body\n");
        assert_eq!(split("# No front matter").unwrap(), None);
        assert!(split("---\ntitle: A\n# never closed").is_err());
    }

    #[test]
    fn parses_known_keys_and_both_tag_forms() {
        let (meta, id) =
            parse("title: Returns\nlang: zh-CN\ntype: policy\ntags: [a, b]\nid: r1\nauthor: x").unwrap();
        assert_eq!(meta.title, "Returns");
        assert_eq!(meta.locale, "zh-CN");
        assert_eq!(meta.doc_type.as_deref(), Some("policy"));
        assert_eq!(meta.tags, ["a", "b"]);
        assert_eq!(id.as_deref(), Some("r1"));
        assert_eq!(parse("tags: a, b").unwrap().0.tags, ["a", "b"]);
    }

    #[test]
    fn wrong_types_name_the_front_matter() {
        let err = parse("title: [1, 2]").unwrap_err();
        assert!(err.starts_with("front matter: "), "{err}");
        assert!(err.contains("title"), "{err}");
    }
}
