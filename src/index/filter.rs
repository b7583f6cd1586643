//! Metadata filters, applied identically by the BM25 and the vector index.

use serde::{Deserialize, Serialize};

/// Conditions on chunk metadata; all given conditions must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SearchFilter {
    /// Locale (`en`, `zh`).
    pub locale: Option<String>,
    /// Document type (`policy`, `faq`, ...).
    pub doc_type: Option<String>,
    /// Product.
    pub product: Option<String>,
    /// Tags: a chunk must carry every one.
    pub tags: Vec<String>,
}

impl SearchFilter {
    /// The conditions as (field, value) pairs, in a fixed order.
    pub fn conditions(&self) -> Vec<(&'static str, &str)> {
        let single = [("locale", &self.locale), ("doc_type", &self.doc_type), ("product", &self.product)];
        let mut conditions: Vec<_> =
            single.into_iter().filter_map(|(field, value)| Some((field, value.as_deref()?))).collect();
        conditions.extend(self.tags.iter().map(|t| ("tags", t.as_str())));
        conditions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_only_given_conditions() {
        let filter = SearchFilter {
            locale: Some("zh".into()),
            tags: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        assert_eq!(filter.conditions(), [("locale", "zh"), ("tags", "a"), ("tags", "b")]);
        assert!(SearchFilter::default().conditions().is_empty());
    }
}
