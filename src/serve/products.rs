//! The shop's product catalogue as the live index generation holds it: `GET /v1/products`
//! (query scope). docs/recommendations.md.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use kefu_ingest::product::{Product, format_price};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::error::ErrorBody;
use crate::{Error, Result};

/// Products a page lists at most.
const MAX_PAGE: usize = 500;

/// Which products `GET /v1/products` lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProductsQuery {
    /// Only products of this locale (`en`, `zh`).
    pub locale: Option<String>,
    /// Only products of this category (`blender`, `robot-vacuum`).
    pub category: Option<String>,
    /// At most this many (1–500, default 100).
    pub limit: Option<usize>,
    /// Skip this many (for the next page).
    pub offset: Option<usize>,
}

/// A page of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductsView {
    /// The index generation the catalogue belongs to.
    pub generation: u64,
    /// Products matching the query, all pages together.
    pub total: usize,
    /// This page, by locale and model.
    pub products: Vec<ProductView>,
}

/// One product.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductView {
    /// Model code.
    pub model: String,
    /// Name.
    pub name: String,
    /// Locale of its page.
    pub locale: String,
    /// Category slug.
    pub category: Option<String>,
    /// Price by currency code.
    pub prices: BTreeMap<String, PriceView>,
    /// Colours sold.
    pub colours: Vec<String>,
    /// Model codes of its accessories and consumables.
    pub accessories: Vec<String>,
    /// For an accessory or consumable: the models it fits.
    pub fits: Vec<String>,
    /// Its page (`GET /v1/documents/{id}`).
    pub doc_id: String,
    /// Its page's URL.
    pub url: Option<String>,
    /// Its specification rows.
    pub specs: Vec<SpecView>,
}

/// A price.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceView {
    /// In minor units (pence, cents, fen).
    pub minor: u64,
    /// As shown ("£69").
    pub shown: String,
}

/// A specification row.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpecView {
    /// What is specified.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl From<&Product> for ProductView {
    fn from(product: &Product) -> ProductView {
        let listing = &product.listing;
        ProductView {
            model: listing.model.clone(),
            name: product.name.clone(),
            locale: product.locale.clone(),
            category: listing.category.clone(),
            prices: listing
                .prices
                .iter()
                .map(|(code, &minor)| (code.clone(), PriceView { minor, shown: format_price(code, minor) }))
                .collect(),
            colours: listing.colours.clone(),
            accessories: listing.accessories.clone(),
            fits: listing.fits.clone(),
            doc_id: product.doc_id.clone(),
            url: product.url.clone(),
            specs: product
                .specs
                .iter()
                .map(|s| SpecView { name: s.name.clone(), value: s.value.clone() })
                .collect(),
        }
    }
}

/// The catalogue the live index generation holds, read from product pages at ingest (query scope).
#[utoipa::path(get, path = "/v1/products", params(ProductsQuery),
    responses((status = 200, body = ProductsView), (status = 400, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn products(
    State(state): State<AppState>,
    query: std::result::Result<Query<ProductsQuery>, QueryRejection>,
) -> Result<Json<ProductsView>> {
    let Query(query) = query.map_err(|e| Error::InvalidRequest(e.body_text()))?;
    let invalid = |field: &'static str, message: String| Error::InvalidField {
        code: "invalid_request",
        field,
        message,
    };
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(invalid("limit", format!("an integer from 1 to {MAX_PAGE}")));
    }
    for (field, value) in [("locale", &query.locale), ("category", &query.category)] {
        if value.as_ref().is_some_and(|v| v.is_empty() || v.len() > kefu_ingest::product::MAX_LABEL_BYTES) {
            return Err(invalid(field, format!("1 to {} bytes", kefu_ingest::product::MAX_LABEL_BYTES)));
        }
    }
    let retriever = state.retriever();
    let index = retriever.index();
    let mut matching: Vec<&Product> = index
        .products()
        .iter()
        .filter(|p| query.locale.as_ref().is_none_or(|l| p.locale == *l))
        .filter(|p| query.category.as_ref().is_none_or(|c| p.listing.category.as_ref() == Some(c)))
        .collect();
    matching.sort_by(|a, b| (&a.locale, &a.listing.model).cmp(&(&b.locale, &b.listing.model)));
    let products =
        matching.iter().skip(query.offset.unwrap_or(0)).take(limit).map(|p| ProductView::from(*p)).collect();
    Ok(Json(ProductsView { generation: index.generation(), total: matching.len(), products }))
}
