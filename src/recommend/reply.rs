//! What the shopper is told about products, in English or Chinese: the picks with the quoted
//! reasons each fits and what to know before buying, a clarifying question, an over-budget
//! note, or that the shop does not sell something. Pure.

use kefu_ingest::product::{Product, format_price};

/// A sentence or specification quoted from a product's page, with the number of its citation.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// The text as quoted ("Noise: 62 dB").
    pub text: String,
    /// Its `[n]`.
    pub n: usize,
}

/// A recommended product and what its page says for it.
#[derive(Debug, Clone)]
pub struct Pick<'a> {
    /// The product.
    pub product: &'a Product,
    /// Why it fits: its page's specifications and sentences closest to the request.
    pub reasons: Vec<Quote>,
    /// What the page says it does not do or does not include, when that bears on the request.
    pub caveat: Option<Quote>,
}

/// The product's price in `currency`, else every price it has ("€79 / £69 / $89").
pub fn price(product: &Product, currency: Option<&str>) -> String {
    let prices = &product.listing.prices;
    match currency.and_then(|c| prices.get(c).map(|p| (c, *p))) {
        Some((code, minor)) => format_price(code, minor),
        None => product.listing.written_prices().join(" / "),
    }
}

/// The products recommended, one line each: name, model, price, reasons, what to know.
pub fn recommend(picks: &[Pick], language: &str, currency: Option<&str>) -> String {
    let zh = language == "zh";
    let mut text = String::from(match (zh, picks.len()) {
        (true, 1) => "为您推荐这一款：",
        (true, _) => "为您推荐以下几款：",
        (false, 1) => "Here's the one I'd suggest:",
        (false, _) => "Here's what I'd suggest:",
    });
    for (i, pick) in picks.iter().enumerate() {
        text.push('\n');
        text.push_str(&line(i + 1, pick, zh, currency));
    }
    text
}

fn line(number: usize, pick: &Pick, zh: bool, currency: Option<&str>) -> String {
    let product = pick.product;
    let price = price(product, currency);
    let mut line = if zh {
        format!("{number}. {}（{}），{price}", product.name, product.listing.model)
    } else {
        format!("{number}. {} ({}), {price}", product.name, product.listing.model)
    };
    let reasons: Vec<String> = pick
        .reasons
        .iter()
        .map(|q| cited(q.text.trim_end_matches(['.', '。', '；', ';']), q.n, zh))
        .collect();
    if !reasons.is_empty() {
        line.push_str(if zh { "：" } else { ": " });
        line.push_str(&reasons.join(if zh { "；" } else { "; " }));
    }
    line.push_str(if zh { "。" } else { "." });
    if let Some(caveat) = &pick.caveat {
        line.push_str(if zh { "需要注意：" } else { " Good to know: " });
        line.push_str(&cited(&caveat.text, caveat.n, zh));
    }
    line
}

fn cited(text: &str, n: usize, zh: bool) -> String {
    if zh { format!("{text}[{n}]") } else { format!("{text} [{n}]") }
}

/// One short question about what the shopper needs, with the products of the kind they named.
pub fn clarify(options: &[&Product], language: &str, currency: Option<&str>) -> String {
    let zh = language == "zh";
    let listed: Vec<String> = options
        .iter()
        .map(|p| {
            if zh {
                format!("{}（{}）", p.name, price(p, currency))
            } else {
                format!("{} ({})", p.name, price(p, currency))
            }
        })
        .collect();
    match (zh, listed.is_empty()) {
        (true, true) => "很乐意帮您挑选！请问主要想买来做什么用、预算大概多少？".into(),
        (true, false) => format!(
            "我们有{}。请问您的预算大概多少、最看重什么（比如户型大小、安静、容量）？",
            listed.join("、")
        ),
        (false, true) => {
            "Happy to help you choose! What will you mainly use it for, and what's your budget?".into()
        }
        (false, false) => format!(
            "We have {}. What's your budget, and what matters most to you (for example size, noise or capacity)?",
            join_en(&listed)
        ),
    }
}

/// Nothing of the kind asked for fits the budget: the cheapest, with its price.
pub fn over_budget(pick: &Pick, budget: &str, language: &str, currency: Option<&str>) -> String {
    let zh = language == "zh";
    let intro = if zh {
        format!("这类商品里没有 {budget} 以内的，最实惠的是：")
    } else {
        format!("None of these come in under {budget}; the most affordable is:")
    };
    format!("{intro}\n{}", line(1, pick, zh, currency))
}

/// The shop sells nothing of the kind asked for; what it does sell.
pub fn not_sold(sold: &[&Product], language: &str) -> String {
    let names: Vec<String> = sold.iter().map(|p| p.name.clone()).collect();
    if language == "zh" {
        format!("抱歉，我们暂时没有这类商品。目前在售的有：{}。", names.join("、"))
    } else {
        format!("Sorry, we don't sell that. What we do sell: {}.", join_en(&names))
    }
}

fn join_en(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_ingest::product::Listing;

    fn product(name: &str, model: &str, prices: &[(&str, u64)]) -> Product {
        Product {
            doc_id: format!("{model}.md"),
            locale: "en".into(),
            name: name.into(),
            url: None,
            listing: Listing {
                model: model.into(),
                prices: prices.iter().map(|(c, p)| (c.to_string(), *p)).collect(),
                ..Listing::default()
            },
            tags: Vec::new(),
            specs: Vec::new(),
        }
    }

    #[test]
    fn a_pick_reads_with_price_reasons_and_caveat() {
        let mini = product("Vortex Mini", "NW-BL600", &[("GBP", 5900), ("EUR", 6900)]);
        let pick = Pick {
            product: &mini,
            reasons: vec![
                Quote { text: "Noise: 72 dB".into(), n: 1 },
                Quote { text: "600 ml cup.".into(), n: 1 },
            ],
            caveat: Some(Quote { text: "It can't crush ice.".into(), n: 2 }),
        };
        assert_eq!(
            recommend(std::slice::from_ref(&pick), "en", Some("GBP")),
            "Here's the one I'd suggest:\n1. Vortex Mini (NW-BL600), £59: Noise: 72 dB [1]; 600 ml cup [1]. Good to know: It can't crush ice. [2]"
        );
        assert!(
            recommend(&[pick], "zh", None)
                .starts_with("为您推荐这一款：\n1. Vortex Mini（NW-BL600），€69 / £59：")
        );
    }

    #[test]
    fn clarifying_and_not_sold_messages_list_what_is_sold() {
        let (a, b) = (
            product("Roamo S5", "NW-RV500", &[("GBP", 19900)]),
            product("Roamo S7", "NW-RV700", &[("GBP", 29900)]),
        );
        assert_eq!(
            clarify(&[&a, &b], "en", Some("GBP")),
            "We have Roamo S5 (£199) and Roamo S7 (£299). What's your budget, and what matters most to you (for example size, noise or capacity)?"
        );
        assert!(clarify(&[], "zh", None).contains("预算"));
        assert_eq!(
            not_sold(&[&a, &b], "en"),
            "Sorry, we don't sell that. What we do sell: Roamo S5 and Roamo S7."
        );
    }
}
