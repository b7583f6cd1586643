//! A product page read as an entry of the shop's catalogue: what its front matter declares (model,
//! category, prices per currency, colours, the accessories sold for it, what it fits) and the
//! specifications its two-column tables state, each with its bytes in the page so that a
//! recommendation can quote and cite it. Pure.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::document::Metadata;
use crate::quotable::table_cells;

/// The `doc_type` of product pages: a page whose front matter names a `model` has it unless it
/// says otherwise, and recommendations search the pages of this type.
pub const DOC_TYPE: &str = "product";
/// Most entries in one of a listing's lists (colours, accessories, fits).
pub const MAX_LISTED: usize = 50;
/// Longest model code, category or list entry, in bytes.
pub const MAX_LABEL_BYTES: usize = 80;
/// Highest price accepted, in major units (a typo such as `1e12` is an error, not a price).
pub const MAX_PRICE: f64 = 10_000_000.0;

/// What a product page's front matter declares about the product (`model` and the keys beside it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// The model code ("NW-BL1200"), the product's identity across languages.
    pub model: String,
    /// A slug naming the kind of product (`blender`, `robot-vacuum-parts`), the same in every language.
    pub category: Option<String>,
    /// Price by ISO 4217 currency code, in minor units (pence, cents, fen).
    pub prices: BTreeMap<String, u64>,
    /// Colours sold, as the page names them.
    pub colours: Vec<String>,
    /// Model codes of the accessories and consumables sold for this product.
    pub accessories: Vec<String>,
    /// For an accessory or consumable: the model codes of the products it fits.
    pub fits: Vec<String>,
}

/// A row of a specification table: "Noise | 62 dB".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    /// What is specified ("Noise", "尘盒容量").
    pub name: String,
    /// Its value as written ("62 dB").
    pub value: String,
    /// The row's bytes in the document text.
    pub range: Range<usize>,
}

/// One product of the catalogue, read from its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The page's document id.
    pub doc_id: String,
    /// The page's language.
    pub locale: String,
    /// The product's name (front matter `product`, else the page title).
    pub name: String,
    /// The page's public URL.
    pub url: Option<String>,
    /// What the front matter declares.
    #[serde(flatten)]
    pub listing: Listing,
    /// The page's tags, which name the product in the shop's own words.
    pub tags: Vec<String>,
    /// The rows of the page's two-column tables.
    pub specs: Vec<Spec>,
}

/// Front-matter keys of a listing, before they are checked: read as any YAML, so that a page
/// that is no product page may use these common words (`category: shipping`) as it likes.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawListing {
    model: Option<serde_yaml_ng::Value>,
    category: Option<serde_yaml_ng::Value>,
    prices: Option<serde_yaml_ng::Value>,
    #[serde(alias = "colors")]
    colours: Option<serde_yaml_ng::Value>,
    accessories: Option<serde_yaml_ng::Value>,
    fits: Option<serde_yaml_ng::Value>,
}

impl RawListing {
    /// The listing these keys declare when `model` names the product (the other keys are then
    /// checked, and an error names the one that is wrong: a bad currency code or price, an
    /// overlong list); `None` without `model`, whatever the other keys say.
    pub(crate) fn check(self) -> Result<Option<Listing>, String> {
        let Some(model) = self.model else {
            return Ok(None);
        };
        let model = label("model", text("model", model)?)?;
        let category =
            self.category.map(|c| text("category", c).and_then(|c| label("category", c))).transpose()?;
        let mut prices = BTreeMap::new();
        let listed = match self.prices {
            None => serde_yaml_ng::Mapping::new(),
            Some(serde_yaml_ng::Value::Mapping(map)) => map,
            Some(_) => {
                return Err("front matter: `prices` must map currency codes to prices, e.g. {GBP: 69}".into());
            }
        };
        if listed.len() > MAX_LISTED {
            return Err(format!(
                "front matter: `prices` has {} currencies; at most {MAX_LISTED}",
                listed.len()
            ));
        }
        for (currency, amount) in listed {
            let code = currency.as_str().unwrap_or_default().trim().to_string();
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                let key = currency.as_str().map_or_else(|| format!("{currency:?}"), |s| format!("{s:?}"));
                return Err(format!(
                    "front matter: `prices` key {key} is not a currency code such as GBP, EUR, USD or CNY"
                ));
            }
            let amount = amount.as_f64().filter(|a| (0.0..=MAX_PRICE).contains(a));
            let Some(amount) = amount else {
                return Err(format!("front matter: `prices.{code}` must be a price from 0 to {MAX_PRICE}"));
            };
            prices.insert(code, (amount * 100.0).round() as u64);
        }
        Ok(Some(Listing {
            model,
            category,
            prices,
            colours: list("colours", self.colours)?,
            accessories: list("accessories", self.accessories)?,
            fits: list("fits", self.fits)?,
        }))
    }
}

/// A scalar key's text (a number reads as written: `model: 1200`).
fn text(key: &str, value: serde_yaml_ng::Value) -> Result<String, String> {
    match value {
        serde_yaml_ng::Value::String(s) => Ok(s.trim().to_string()),
        serde_yaml_ng::Value::Number(n) => Ok(n.to_string()),
        _ => Err(format!("front matter: `{key}` must be text")),
    }
}

fn label(key: &str, value: String) -> Result<String, String> {
    if value.is_empty() || value.len() > MAX_LABEL_BYTES || value.chars().any(char::is_control) {
        return Err(format!("front matter: `{key}` must be 1 to {MAX_LABEL_BYTES} bytes of text"));
    }
    Ok(value)
}

fn list(key: &str, values: Option<serde_yaml_ng::Value>) -> Result<Vec<String>, String> {
    let values = match values {
        None => Vec::new(),
        Some(serde_yaml_ng::Value::Sequence(items)) => items,
        Some(_) => return Err(format!("front matter: `{key}` must be a list, e.g. [Black, White]")),
    };
    if values.len() > MAX_LISTED {
        return Err(format!("front matter: `{key}` has {} entries; at most {MAX_LISTED}", values.len()));
    }
    values.into_iter().map(|v| text(key, v).and_then(|v| label(key, v))).collect()
}

/// The catalogue entry of a document whose metadata carries a listing; `None` for other documents.
pub fn product(doc_id: &str, meta: &Metadata, text: &str) -> Option<Product> {
    let listing = meta.listing.clone()?;
    Some(Product {
        doc_id: doc_id.to_string(),
        locale: meta.locale.clone(),
        name: meta.product.clone().unwrap_or_else(|| meta.title.clone()),
        url: meta.url.clone(),
        listing,
        tags: meta.tags.clone(),
        specs: specs(text),
    })
}

/// The rows of the tables of `text` (a table is a run of `cell | cell` lines, its first line the
/// header), header and separator rows left out: the first cell names the specification; with
/// one more cell it is the value, with several each is named by its column ("UK/EU: 5.5 L; US: 5.5 L").
pub fn specs(text: &str) -> Vec<Spec> {
    let mut out = Vec::new();
    let mut header: Option<Vec<&str>> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let range = start..start + line.trim_end().len();
        start += line.len();
        let Some(cells) = table_cells(&text[range.clone()]) else {
            header = None;
            continue;
        };
        let Some(names) = &header else {
            header = Some(cells);
            continue;
        };
        let separator = cells.iter().all(|c| c.chars().all(|c| matches!(c, '-' | ':' | ' ')));
        if separator || cells[0].is_empty() || cells[1..].iter().all(|c| c.is_empty()) {
            continue;
        }
        let value = if cells.len() == 2 {
            cells[1].to_string()
        } else {
            let named = names.iter().skip(1).zip(&cells[1..]).filter(|(_, v)| !v.is_empty());
            named
                .map(|(n, v)| if n.is_empty() { v.to_string() } else { format!("{n}: {v}") })
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push(Spec { name: cells[0].to_string(), value, range });
    }
    out
}

impl Listing {
    /// Its prices as pages and shoppers write them ("€229", "£199", "$249").
    pub fn written_prices(&self) -> Vec<String> {
        self.prices.iter().map(|(currency, minor)| format_price(currency, *minor)).collect()
    }
}

/// A price in minor units as shoppers read it: "£69", "€12.50", "¥1,999", "CHF 99".
pub fn format_price(currency: &str, minor: u64) -> String {
    let (major, cents) = (minor / 100, minor % 100);
    let mut digits = major.to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    let mut amount = format!("{digits}{grouped}");
    if cents > 0 {
        amount.push_str(&format!(".{cents:02}"));
    }
    match currency {
        "GBP" => format!("£{amount}"),
        "EUR" => format!("€{amount}"),
        "USD" => format!("${amount}"),
        "CNY" | "JPY" => format!("¥{amount}"),
        other => format!("{other} {amount}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(yaml: &str) -> Result<Option<Listing>, String> {
        serde_yaml_ng::from_str::<RawListing>(yaml).unwrap().check()
    }

    #[test]
    fn reads_a_listing_in_minor_units() {
        let listing = raw("model: NW-BL600\ncategory: blender\nprices: {GBP: 69, EUR: 79.5}\ncolours: [Black]\nfits: [NW-BL1200]")
            .unwrap()
            .unwrap();
        assert_eq!(listing.model, "NW-BL600");
        assert_eq!(listing.prices["GBP"], 6900);
        assert_eq!(listing.prices["EUR"], 7950);
        assert_eq!(listing.fits, ["NW-BL1200"]);
        assert_eq!(raw("title: x").unwrap(), None);
    }

    #[test]
    fn wrong_listings_name_the_key() {
        // Without `model` the words are some other page's own: ignored.
        assert_eq!(raw("category: shipping\ncolors: red\nprices: 3").unwrap(), None);
        assert_eq!(raw("model: 1200").unwrap().unwrap().model, "1200");
        assert!(raw("model: A\ncolours: red").unwrap_err().contains("`colours` must be a list"));
        assert!(raw("model: A\nprices: 3").unwrap_err().contains("`prices` must map"));
        assert!(raw("model: A\nprices: {pounds: 1}").unwrap_err().contains("`prices` key \"pounds\""));
        assert!(raw("model: A\nprices: {GBP: -1}").unwrap_err().contains("prices.GBP"));
        assert!(raw("model: A\nprices: {GBP: 1e12}").unwrap_err().contains("prices.GBP"));
        assert!(raw("model: ''").unwrap_err().contains("`model`"));
        let many = format!("model: A\ncolours: [{}]", vec!["red"; MAX_LISTED + 1].join(","));
        assert!(raw(&many).unwrap_err().contains("`colours` has 51 entries"));
    }

    #[test]
    fn specs_are_the_rows_of_tables_named_by_their_first_cell() {
        let text = "Intro.\nFeature | Vortex Mini\nNoise | 72 dB\nCup | 600 ml\nAfter.\nSpec | UK | US\nPower | 1,400 W | 1,200 W\n";
        let specs = specs(text);
        assert_eq!(specs.len(), 3);
        assert_eq!((specs[0].name.as_str(), specs[0].value.as_str()), ("Noise", "72 dB"));
        assert_eq!(&text[specs[1].range.clone()], "Cup | 600 ml");
        assert_eq!(specs[2].value, "UK: 1,400 W; US: 1,200 W");
    }

    #[test]
    fn formats_prices_as_shoppers_read_them() {
        assert_eq!(format_price("GBP", 6900), "£69");
        assert_eq!(format_price("CNY", 199_900), "¥1,999");
        assert_eq!(format_price("EUR", 1250), "€12.50");
        assert_eq!(format_price("CHF", 9900), "CHF 99");
    }
}
