//! Product recommendations from the shop's catalogue: which products answer a request for advice
//! ("quiet blender under £100", "推荐一款适合小户型的扫地机", "what filter fits my Roamo S7"), or
//! whether to ask the shopper one clarifying question first, or to say the shop sells nothing of
//! the kind. Pure: the catalogue comes from the index generation
//! ([`crate::index::Index::products`]), how well each product page matches the request from
//! retrieval, and the answer pipeline (`crate::answer`) quotes the reasons from the pages.
//!
//! ```text
//! request -> products it names (owned: "my Roamo S7"), kinds it names (category words),
//!            budget, parts asked for, needs (words the product pages use)
//!         -> parts of what the shopper owns | products of the kinds named | products matching the needs
//!         -> without what the shopper owns, within the budget, ranked by the pages' relevance
//!         -> up to three, a clarifying question, "over budget" with the cheapest, or "not sold"
//! ```

pub mod quantities;
pub mod reply;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use kefu_ingest::product::Product;

use crate::analysis::{self, terms};
use crate::understand::advice::{self, Budget};
use quantities::Measure;

/// Most products recommended at once.
pub const MAX_PICKS: usize = 3;
/// Products matched by needs alone are kept when their page is at least this relevant compared
/// with the best one's.
const NEED_KEEP_RATIO: f32 = 0.7;
/// A word names a need when at most one in this many product pages use it.
const NEED_PAGE_SHARE: usize = 3;
/// A product the shopper looked at recently is preferred by this much relevance.
const VIEWED_BOOST: f32 = 0.05;

/// Words of a request that say nothing about which product fits: asking, people, politeness.
const GENERIC: &str = concat!(
    "recommend recommendation suggest suggestion which what one ones should would could can buy ",
    "get getting need want looking look something anything thing things product products item ",
    "items best good great nice decent cheap cheapest price budget under max gift gifts present ",
    "birthday christmas someone somebody person people friend mum mom dad mother father wife ",
    "husband girlfriend boyfriend partner sister brother parents love loves like likes please ",
    "thanks thank hi hello hey help choose pick decide seller sellers bestseller popular new ",
    "shop store sell you your me my first place start stuff idea ideas kind sort type any some ",
    "there have got go lol tops just really honestly keys ",
    "推荐 一款 一个 一台 什么 东西 产品 商品 好物 礼物 送礼 哪款 哪个 买 ",
    "买个 想买 预算 价格 便宜 帮我 挑 选 一下 好用 值得 热销 爆款 朋友 ",
    "家人 爸妈 父母 老婆 老公 女朋友 男朋友 妈妈 爸爸 送 适合 喜欢 您好 ",
    "你好 谢谢 请问 有没有 哪些 好 得 最好 你们 你们家 家 卖 卖得 是 的 ",
    "吗 呢 啊 吧 啥 哪 新 刚 ",
);

/// The shopper's products, passed by the shop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shopper {
    /// Model codes of products they own.
    pub owned: Vec<String>,
    /// Model codes of products they looked at recently.
    pub viewed: Vec<String>,
}

/// Whether lowercase `text` asks the price of what `name` names, right next to it ("how much
/// is the …", "… price", "…XL的价格", "what does the … cost").
fn asks_price_of(text: &str, name: &str) -> bool {
    let costs = text.split(|c: char| !c.is_alphanumeric()).any(|w| w == "cost" || w == "costs");
    text.match_indices(name).any(|(at, _)| {
        // "s7" is not in "s70", nor "it" in "item".
        let whole = !name.is_ascii()
            || (text[..at].chars().last().is_none_or(|c| !c.is_ascii_alphanumeric())
                && text[at + name.len()..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric()));
        if !whole {
            return false;
        }
        let before = text[..at].trim_end().trim_end_matches('的');
        let before = ["the", "a", "an", "your", "this"]
            .iter()
            .find_map(|w| before.strip_suffix(w).filter(|b| b.is_empty() || b.ends_with(' ')))
            .unwrap_or(before)
            .trim_end();
        // A model letter after a tag ("空气炸锅XL的价格") still names it.
        let after = text[at + name.len()..]
            .trim_start_matches(|c: char| c.is_ascii_alphanumeric() && !name.is_ascii());
        let after = after.trim_start().trim_start_matches('的');
        PRICE_BEFORE.iter().any(|p| before.ends_with(p))
            || (costs && COST_BEFORE.iter().any(|p| before.ends_with(p)))
            || PRICE_AFTER.iter().any(|p| after.starts_with(p))
    })
}

/// Whether `question` asks the price of something named before it: "how much is it?", "what
/// do they cost", "它多少钱", or a short Chinese question that names nothing ("那多少钱？").
pub fn asks_price_of_earlier(question: &str) -> bool {
    let lower = question.to_lowercase();
    let han = lower.chars().filter(|&c| kefu_ingest::locale::is_han(c)).count();
    [
        "it", "they", "them", "this", "that", "these", "those", "this one", "that one", "它", "这个", "这款",
        "那个", "那款",
    ]
    .iter()
    .any(|p| asks_price_of(&lower, p))
        || (han > 0 && han <= 8 && PRICE_AFTER.iter().any(|p| lower.contains(p)))
}

/// Units a product's name gives its size in ("Pour 1.7 L Kettle").
const MEASURE_UNITS: &[&str] = &["L", "l", "ml", "W", "cm", "mm", "kg", "g"];

/// Words that ask a price just before what is priced ("how much is the …").
const PRICE_BEFORE: &[&str] =
    &["how much is", "how much are", "how much for", "price of", "price for", "cost of"];
/// Words that ask a price before what is priced when "cost" follows ("what does the … cost").
const COST_BEFORE: &[&str] =
    &["how much does", "how much do", "how much would", "what does", "what do", "what would"];
/// Words that ask a price just after what is priced ("破壁机多少钱", "S7 price").
const PRICE_AFTER: &[&str] = &[
    "多少钱",
    "价格",
    "什么价",
    "怎么卖",
    "贵不贵",
    "几块钱",
    "售价",
    "差多少",
    "price",
    "cost",
    "'s price",
];

/// The catalogue of one index generation, read for recommending.
#[derive(Debug)]
pub struct Catalogue {
    products: Vec<Entry>,
    /// The terms of [`GENERIC`].
    generic: HashSet<String>,
}

#[derive(Debug)]
struct Entry {
    product: Product,
    /// Lowercased names a shopper calls it by: the model code, its number without the `NW-`
    /// prefix, its name, the name's first two words ("roamo s7") and its model-like word ("s7")
    /// unless it is a part.
    aliases: Vec<String>,
    /// The names of `aliases` that hold a space, without it ("roamos7"), matched in the message
    /// without its spaces ("漫游S7", "roamo  s7").
    squeezed: Vec<String>,
    /// Terms of the words naming its kind: name, tags, category.
    kind_terms: HashSet<String>,
    /// Those words as written, lowercased ("料理机", "robot vacuum"), for phrases the analyser
    /// cuts differently ("料理机做奶昔").
    kind_names: Vec<String>,
    /// Terms of its whole page.
    page_terms: HashSet<String>,
    /// The most it serves, as its page states ("up to 70 m²", "3–5 people").
    limits: Vec<(Measure, f64)>,
}

/// What a request for advice asks, as read from its words and the shopper's context.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The request, with the earlier messages about it.
    pub text: &'a str,
    /// The catalogue's locale to recommend from (`en`, `zh`).
    pub locale: &'a str,
    /// The most the shopper will spend.
    pub budget: Option<Budget>,
    /// The request asks for parts, accessories or consumables.
    pub parts: bool,
    /// The shopper's products.
    pub shopper: &'a Shopper,
}

/// The products a question names and their siblings ([`Catalogue::focus`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Focus {
    named: Vec<usize>,
    siblings: Vec<usize>,
}

/// What to answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// These products (indexes into [`Catalogue::products`]), best first.
    Recommend(Vec<usize>),
    /// Ask what the shopper needs; the products of the kind they named, if they named one.
    Clarify(Vec<usize>),
    /// Every product of the kinds named costs more than the budget: the cheapest of them.
    OverBudget(usize),
    /// The shop sells nothing of the kind asked for.
    NotSold,
}

impl Catalogue {
    /// The catalogue of `products`, with the terms of each product's page (`page_text` by
    /// document id).
    pub fn new(products: Vec<Product>, page_text: &HashMap<String, String>) -> Catalogue {
        let mut products: Vec<Entry> = products
            .into_iter()
            .map(|product| {
                let mut aliases = vec![product.listing.model.to_lowercase()];
                if let Some(number) = aliases[0].strip_prefix("nw-") {
                    aliases.push(number.to_string());
                }
                aliases.push(product.name.to_lowercase());
                // A part is named in full: "Roamo S7" is the robot, not its replacement kit.
                let words: Vec<&str> = product.name.split_whitespace().take(2).collect();
                if words.len() == 2 && product.listing.fits.is_empty() {
                    aliases.push(words.join(" ").to_lowercase());
                }
                // "S7", "T3": the name's model-like word.
                if product.listing.fits.is_empty() {
                    let coded = product
                        .name
                        .split_whitespace()
                        .filter(|w| w.len() >= 2 && w.is_ascii() && w.chars().any(|c| c.is_ascii_digit()));
                    aliases.extend(coded.map(str::to_lowercase));
                }
                // "Pour kettle" for "Pour 1.7 L Kettle": the name without its measures.
                if product.listing.fits.is_empty() {
                    let words: Vec<&str> = product
                        .name
                        .split_whitespace()
                        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()) && !MEASURE_UNITS.contains(w))
                        .collect();
                    if words.len() >= 2 && words.len() < product.name.split_whitespace().count() {
                        aliases.push(words.join(" ").to_lowercase());
                    }
                }
                let squeezed: Vec<String> =
                    aliases.iter().filter(|a| a.contains(' ')).map(|a| a.replace(' ', "")).collect();
                let kind_text = format!(
                    "{} {} {}",
                    product.name,
                    product.tags.join(" "),
                    product.listing.category.as_deref().unwrap_or_default().replace('-', " ")
                );
                let kind_terms = terms(&kind_text).into_iter().filter(|t| !is_code(t)).collect();
                let page = page_text.get(&product.doc_id).map(String::as_str).unwrap_or_default();
                let category = product.listing.category.as_deref().unwrap_or_default().replace('-', " ");
                let kind_names = product
                    .tags
                    .iter()
                    .map(|t| t.to_lowercase())
                    .chain([category, product.name.to_lowercase()])
                    .filter(|t| t.chars().count() >= 2 && !t.chars().any(|c| c.is_ascii_digit()))
                    .collect();
                Entry {
                    product,
                    aliases,
                    squeezed,
                    kind_terms,
                    kind_names,
                    page_terms: terms(page),
                    limits: quantities::limits(page),
                }
            })
            .collect();
        // A part is named by its own words ("descaler", "filter"), not those of what it fits.
        let whole: HashSet<String> = products
            .iter()
            .filter(|e| e.product.listing.fits.is_empty())
            .flat_map(|e| e.kind_terms.iter().cloned())
            .collect();
        for entry in products.iter_mut().filter(|e| !e.product.listing.fits.is_empty()) {
            entry.kind_terms.retain(|t| !whole.contains(t));
        }
        // "the brewa": a name's first word alone, when no other product's name starts with it and
        // the pages never write it as an ordinary word ("Pour" is also "pour away").
        let first_word = |e: &Entry| e.product.name.split_whitespace().next().unwrap_or_default().to_string();
        let firsts: Vec<(String, String)> =
            products.iter().map(|e| (e.product.locale.clone(), first_word(e))).collect();
        for (i, entry) in products.iter_mut().enumerate() {
            let (locale, word) = &firsts[i];
            let lower = word.to_lowercase();
            let unique = firsts.iter().enumerate().all(|(j, (l, w))| j == i || l != locale || w != word);
            let named_only = word.chars().next().is_some_and(char::is_uppercase)
                && word.is_ascii()
                && word.len() >= 4
                && page_text.values().all(|text| {
                    text.match_indices(lower.as_str()).all(|(at, _)| {
                        text[..at].chars().last().is_some_and(char::is_alphanumeric)
                            || text[at + lower.len()..].chars().next().is_some_and(char::is_alphanumeric)
                    })
                });
            if unique
                && named_only
                && entry.product.listing.fits.is_empty()
                && !entry.aliases.contains(&lower)
            {
                entry.aliases.push(lower);
            }
        }
        Catalogue { products, generic: GENERIC.split_whitespace().flat_map(terms).collect() }
    }

    /// The products, in catalogue order.
    pub fn products(&self) -> impl Iterator<Item = &Product> {
        self.products.iter().map(|e| &e.product)
    }

    /// Product `i`.
    pub fn product(&self, i: usize) -> &Product {
        &self.products[i].product
    }

    /// The pages of the products `text` names, in any locale.
    pub fn pages_named(&self, text: &str) -> HashSet<&str> {
        let locales: BTreeSet<&str> = self.products.iter().map(|e| e.product.locale.as_str()).collect();
        locales
            .into_iter()
            .flat_map(|locale| self.mentioned(text, locale))
            .map(|(i, _)| self.products[i].product.doc_id.as_str())
            .collect()
    }

    /// Whether document `doc_id` is a product's page.
    pub fn is_page(&self, doc_id: &str) -> bool {
        self.products.iter().any(|e| e.product.doc_id == doc_id)
    }

    /// Whether the catalogue has products in `locale`.
    pub fn sells_in(&self, locale: &str) -> bool {
        self.products.iter().any(|e| e.product.locale == locale)
    }

    /// The product of `locale` with model `model`.
    pub fn by_model(&self, locale: &str, model: &str) -> Option<usize> {
        self.products
            .iter()
            .position(|e| e.product.locale == locale && e.product.listing.model.eq_ignore_ascii_case(model))
    }

    /// Products of `locale` that `text` names, each with whether the shopper says it is theirs
    /// ("my Roamo S7", "我的漫游S7", "I have the Vortex Pro").
    pub fn mentioned(&self, text: &str, locale: &str) -> Vec<(usize, bool)> {
        let lower = text.to_lowercase();
        let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
        let mut found = Vec::new();
        for (i, entry) in self.products.iter().enumerate().filter(|(_, e)| e.product.locale == locale) {
            let in_text = entry.aliases.iter().map(|a| (a, lower.as_str()));
            let at = in_text.chain(entry.squeezed.iter().map(|a| (a, squeezed.as_str()))).find_map(
                |(alias, haystack)| {
                    haystack
                        .match_indices(alias.as_str())
                        .find(|&(at, _)| whole_name_end(haystack, at, alias).is_some())
                        .map(|(at, _)| haystack[..at].to_string())
                },
            );
            if let Some(before) = at {
                found.push((i, owned_before(&before)));
            }
        }
        found
    }

    /// `text` lowercased, without the names of the products of `locale` it names (longer names
    /// first, whole words): "can i split the payment for the crispair xl with pay in 3?" reads
    /// "can i split the payment for the   with pay in 3?", what a policy page answers.
    pub fn without_names(&self, text: &str, locale: &str) -> String {
        let mut lower = text.to_lowercase();
        let mut aliases: Vec<&str> = self
            .products
            .iter()
            .filter(|e| e.product.locale == locale)
            .flat_map(|e| e.aliases.iter().map(String::as_str))
            .collect();
        aliases.sort_by_key(|a| std::cmp::Reverse(a.len()));
        for alias in aliases {
            while let Some((at, end)) =
                lower.match_indices(alias).find_map(|(at, _)| Some((at, whole_name_end(&lower, at, alias)?)))
            {
                lower.replace_range(at..end, &" ".repeat(end - at));
            }
        }
        lower
    }

    /// The products of `locale` that `question` names and their siblings (the other products of
    /// their categories), when it names some but not all of a category: "how long does the
    /// Roamo S5 take to charge" is not answered by the Roamo S7's charging time.
    pub fn focus(&self, question: &str, locale: &str) -> Option<Focus> {
        self.focus_on(self.named(question, locale), locale)
    }

    /// [`Catalogue::focus`] on the `named` products.
    pub fn focus_on(&self, named: Vec<usize>, locale: &str) -> Option<Focus> {
        let categories: HashSet<&str> =
            named.iter().filter_map(|&i| self.products[i].product.listing.category.as_deref()).collect();
        let siblings: Vec<usize> = (0..self.products.len())
            .filter(|i| !named.contains(i))
            .filter(|&i| {
                let product = &self.products[i].product;
                product.locale == locale
                    && product.listing.category.as_deref().is_some_and(|c| categories.contains(c))
            })
            .collect();
        (!siblings.is_empty()).then_some(Focus { named, siblings })
    }

    /// Whether `text`, a sentence of document `doc_id` (about `product`, when the document says
    /// so), is about a sibling of the products in `focus` rather than about them: it names a
    /// sibling, or stands on a sibling's page or a document about a sibling (its FAQ, its
    /// troubleshooting guide), and names none of them. A sentence on their own page is about them
    /// ("If you want mopping too, look at the Roamo S7" on the S5's).
    pub fn about_sibling(
        &self,
        focus: &Focus,
        text: &str,
        doc_id: &str,
        product: Option<&str>,
        locale: &str,
    ) -> bool {
        let is_about = |i: usize| {
            let entry = &self.products[i].product;
            entry.doc_id == doc_id || product.is_some_and(|p| p.eq_ignore_ascii_case(&entry.name))
        };
        if focus.named.iter().any(|&i| is_about(i)) {
            return false;
        }
        let named = self.mentioned(text, locale);
        if named.iter().any(|(i, _)| focus.named.contains(i)) {
            return false;
        }
        named.iter().any(|(i, _)| focus.siblings.contains(i)) || focus.siblings.iter().any(|&i| is_about(i))
    }

    /// The words of `text` naming what it is about, as the help center names it: the names of
    /// the products it names ("S5" → "漫游 S5 扫地机器人"), else its words naming a kind the
    /// catalogue sells ("破壁机"); `None` when it names neither.
    pub fn subject(&self, text: &str, locale: &str) -> Option<String> {
        let named: Vec<&str> = self
            .mentioned(text, locale)
            .into_iter()
            .map(|(i, _)| self.products[i].product.name.as_str())
            .collect();
        if !named.is_empty() {
            return Some(named.join(" "));
        }
        let in_locale: Vec<usize> =
            (0..self.products.len()).filter(|&i| self.products[i].product.locale == locale).collect();
        // A single Chinese character of a kind's name ("扫" of 扫拖机器人) is a verb as often: "想知道
        // 它能不能钻进去扫" names no kind.
        let single_han = |w: &String| w.chars().count() == 1 && w.chars().all(kefu_ingest::locale::is_han);
        let words: BTreeSet<String> = self
            .kinds_named(&terms(text), &in_locale)
            .into_values()
            .flatten()
            .filter(|w| !single_han(w))
            .collect();
        (!words.is_empty()).then(|| words.into_iter().collect::<Vec<_>>().join(" "))
    }

    /// The products of `locale` whose price `question` asks: one named or tagged right next to
    /// the words asking it ("how much is the Roamo S5?", "price of the vortex pro", "what does
    /// the brewa coffee maker cost", "破壁机多少钱", "空气炸锅XL的价格"), and then every product
    /// the question names ("破壁机和迷你随行料理机差多少钱"). Not "how much is Care+ for the Roamo
    /// S7" (Care+'s price) nor "搅拌杯能单独买吗 多少钱" (the jar's).
    pub fn price_asked(&self, question: &str, locale: &str) -> Vec<&Product> {
        let lower = question.to_lowercase();
        // Named by a name, then by a tag where no name was found ("vortex mini blender price"
        // is not every blender's).
        let mut masked = lower.clone();
        let mut found: Vec<(usize, Vec<String>)> = Vec::new();
        for (i, e) in self.products.iter().enumerate().filter(|(_, e)| e.product.locale == locale) {
            let names: Vec<String> =
                e.aliases.iter().filter(|a| lower.contains(a.as_str())).cloned().collect();
            for name in &names {
                for (at, _) in lower.match_indices(name.as_str()) {
                    masked.replace_range(at..at + name.len(), &" ".repeat(name.len()));
                }
            }
            if !names.is_empty() {
                found.push((i, names));
            }
        }
        let whole_tags: HashSet<String> = self
            .products
            .iter()
            .filter(|e| e.product.listing.fits.is_empty())
            .flat_map(|e| e.product.tags.iter().map(|t| t.to_lowercase()))
            .collect();
        for (i, e) in self.products.iter().enumerate().filter(|(_, e)| e.product.locale == locale) {
            let part = !e.product.listing.fits.is_empty();
            let tags: Vec<String> = e
                .product
                .tags
                .iter()
                .map(|t| t.to_lowercase())
                .filter(|t| t.chars().count() >= 2 && !t.chars().any(|c| c.is_ascii_digit()))
                .filter(|t| !part || !whole_tags.contains(t))
                .filter(|t| masked.contains(t.as_str()))
                .collect();
            if !tags.is_empty() && !found.iter().any(|(j, _)| *j == i) {
                found.push((i, tags));
            }
        }
        let asked = found.iter().any(|(_, names)| names.iter().any(|name| asks_price_of(&lower, name)));
        if !asked {
            return Vec::new();
        }
        found.into_iter().map(|(i, _)| &self.products[i].product).collect()
    }

    /// Whether `text` names a part or accessory of the catalogue by its own name or model
    /// ("the NW-RV7K replacement kit"): the customer knows which one, and asks about it.
    pub fn names_part(&self, text: &str, locale: &str) -> bool {
        self.mentioned(text, locale).iter().any(|&(i, _)| !self.products[i].product.listing.fits.is_empty())
    }

    /// The products of `locale` that `text` names.
    pub fn named(&self, text: &str, locale: &str) -> Vec<usize> {
        self.mentioned(text, locale).into_iter().map(|(i, _)| i).collect()
    }

    /// The products of `locale` a question of a message is about: those `question` names, else
    /// those of the products `text` (the question with its context) names and their siblings
    /// that the question tells apart by a word of its name ("…the CrispAir 5.5 L and the XL. How
    /// much worktop space does the XL need?": the CrispAir XL), else all of those `text` names,
    /// "the XL" beside "the CrispAir 5.5 L" included.
    pub fn named_in_part(&self, question: &str, text: &str, locale: &str) -> Vec<usize> {
        let in_question = self.named(question, locale);
        if !in_question.is_empty() {
            return in_question;
        }
        let mut named = self.named(text, locale);
        let mut family = named.clone();
        family.extend(self.focus_on(named.clone(), locale).map(|f| f.siblings).unwrap_or_default());
        let told_apart = self.named_among(question, &family);
        if !told_apart.is_empty() {
            return told_apart;
        }
        for i in self.named_among(text, &family) {
            if !named.contains(&i) {
                named.push(i);
            }
        }
        named
    }

    /// The products of `among` that `text` names by a word of its name none of the others has
    /// ("the XL" among the CrispAir air fryers, "双篮" among the 脆享 air fryers). Latin words of
    /// two characters or more with a letter ("XL", "S5", "Pro"); measures alone ("5.5", "9")
    /// name nothing. Chinese words of two characters or more, found anywhere in `text`.
    fn named_among(&self, text: &str, among: &[usize]) -> Vec<usize> {
        let latin = |text: &str| -> HashSet<String> {
            text.to_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| w.len() >= 2 && w.chars().any(|c| c.is_ascii_alphabetic()))
                .map(str::to_string)
                .collect()
        };
        let han = |name: &str| -> HashSet<String> {
            crate::analysis::answer_words(name)
                .into_iter()
                .filter(|w| w.chars().count() >= 2 && w.chars().all(kefu_ingest::locale::is_han))
                .collect()
        };
        let asked = latin(text);
        let lower = text.to_lowercase();
        let names: Vec<HashSet<String>> = among
            .iter()
            .map(|&i| {
                let name = &self.products[i].product.name;
                latin(name).into_iter().chain(han(name)).collect()
            })
            .collect();
        among
            .iter()
            .enumerate()
            .filter(|&(k, _)| {
                names[k].iter().any(|w| {
                    let said = if w.is_ascii() { asked.contains(w) } else { lower.contains(w.as_str()) };
                    said && names.iter().enumerate().all(|(j, other)| j == k || !other.contains(w))
                })
            })
            .map(|(_, &i)| i)
            .collect()
    }

    /// Whether `text`, a sentence of document `doc_id` (about `product`, when the document says
    /// so), is about a product other than the `named` ones ([`Catalogue::named`]): it stands on
    /// another product's page or a document about another product (its FAQ), one that is no
    /// part or accessory of theirs, and names none of them. "The basket and crisper plate are
    /// dishwasher-safe." on the CrispAir's page does not say whether the Brewa is, nor does the
    /// air fryer FAQ's "首次使用前请空机运行 10 分钟" how long the Roamo S7 first charges.
    pub fn about_another_product(
        &self,
        named: &[usize],
        text: &str,
        doc_id: &str,
        product: Option<&str>,
        locale: &str,
    ) -> bool {
        if named.is_empty() {
            return false;
        }
        let Some(page) = self.products.iter().position(|e| {
            e.product.locale == locale
                && (e.product.doc_id == doc_id
                    || product.is_some_and(|p| p.eq_ignore_ascii_case(&e.product.name)))
        }) else {
            return false;
        };
        let goes_with = |a: usize, b: usize| {
            let (a, b) = (&self.products[a].product.listing, &self.products[b].product.listing);
            a.fits.iter().chain(&a.accessories).any(|m| m.eq_ignore_ascii_case(&b.model))
        };
        if named.iter().any(|&n| n == page || goes_with(page, n) || goes_with(n, page)) {
            return false;
        }
        !self.mentioned(text, locale).iter().any(|(i, _)| named.contains(i))
    }

    /// Whether `text` names a kind of product the catalogue sells in `locale` ("blender", "扫地机").
    pub fn names_kind(&self, text: &str, locale: &str) -> bool {
        let in_locale: Vec<usize> =
            (0..self.products.len()).filter(|&i| self.products[i].product.locale == locale).collect();
        !self.kinds_named(&terms(text), &in_locale).is_empty()
    }

    /// What to recommend for `request`, from the relevance of each product page to it (by
    /// document id; pages retrieval did not find count 0).
    pub fn decide(&self, request: &Request, relevance: &HashMap<String, f32>) -> Decision {
        let locale = request.locale;
        let in_locale: Vec<usize> =
            (0..self.products.len()).filter(|&i| self.products[i].product.locale == locale).collect();
        let request_terms = terms(request.text);
        let mentioned = self.mentioned(request.text, locale);
        let owned: BTreeSet<String> = request
            .shopper
            .owned
            .iter()
            .map(|m| m.to_uppercase())
            .chain(mentioned.iter().filter(|(_, own)| *own).map(|&(i, _)| self.model(i).to_uppercase()))
            .collect();
        let is_owned = |i: usize| owned.contains(&self.model(i).to_uppercase());
        let is_part = |i: usize| !self.products[i].product.listing.fits.is_empty();
        let score = |i: usize| {
            let p = &self.products[i].product;
            let viewed = request.shopper.viewed.iter().any(|m| m.eq_ignore_ascii_case(&p.listing.model));
            relevance.get(&p.doc_id).copied().unwrap_or(0.0) + if viewed { VIEWED_BOOST } else { 0.0 }
        };

        let mut kinds = self.kinds_named(&request_terms, &in_locale);
        // "a dog who tips his water bowl": a word of a part's kind names it only when parts are asked for.
        if !request.parts {
            kinds.retain(|category, _| {
                !in_locale.iter().any(|&i| {
                    is_part(i)
                        && self.products[i].product.listing.category.as_deref() == Some(category.as_str())
                })
            });
        }
        let sizes = quantities::stated(request.text);
        let generic = &self.generic;
        let kind_words: HashSet<&String> = kinds.values().flatten().collect();
        // A need is a word some product pages use and most do not ("quiet", "dog", "小户型"):
        // one every page uses ("first", "use") tells them apart no better than silence.
        let most_pages = (in_locale.len() / NEED_PAGE_SHARE).max(1);
        let needs: Vec<&String> = request_terms
            .iter()
            .filter(|t| !generic.contains(*t) && !kind_words.contains(t) && !is_code(t))
            .filter(|t| {
                let pages = in_locale.iter().filter(|&&i| self.products[i].page_terms.contains(*t)).count();
                (1..=most_pages).contains(&pages)
            })
            .collect();

        // Parts and consumables: for what the shopper has or names, or any when they name nothing.
        let targets: BTreeSet<String> = owned
            .iter()
            .cloned()
            .chain(mentioned.iter().map(|&(i, _)| self.model(i).to_uppercase()))
            .collect();
        let generic_ask = kinds.is_empty() && needs.is_empty() && request.budget.is_none();
        // "My coffee maker's CLEAN light is on, what do I buy?": the kind named is one they own.
        let owns_kind = !kinds.is_empty()
            && in_locale.iter().any(|&i| is_owned(i) && self.category_named(i, &kinds))
            && !in_locale.iter().any(|&i| !is_owned(i) && !is_part(i) && self.category_named(i, &kinds));
        // A word of parts ("filter") asks for parts of something named, owned, or a kind of part
        // ("descaler"); otherwise it is a need ("filter coffee").
        let part_kind_named = in_locale.iter().any(|&i| is_part(i) && self.category_named(i, &kinds));
        let parts_asked = request.parts && (!targets.is_empty() || part_kind_named);
        if parts_asked || owns_kind || (generic_ask && !owned.is_empty()) {
            // Parts asked for a kind of product fit one of that kind: "替换炸篮" for an air fryer
            // is no ear tip.
            let targets: BTreeSet<String> = targets
                .iter()
                .cloned()
                .chain(
                    in_locale
                        .iter()
                        .filter(|&&i| parts_asked && !is_part(i) && self.category_named(i, &kinds))
                        .map(|&i| self.model(i).to_uppercase()),
                )
                .collect();
            let fitting: Vec<usize> = in_locale
                .iter()
                .copied()
                .filter(|&i| is_part(i) && !is_owned(i))
                .filter(|&i| {
                    targets.is_empty()
                        || self.products[i]
                            .product
                            .listing
                            .fits
                            .iter()
                            .any(|f| targets.contains(&f.to_uppercase()))
                })
                .collect();
            let fitting =
                if parts_asked { self.named_part(request.text, &targets, fitting) } else { fitting };
            if !fitting.is_empty() {
                return self.within_budget_or_cheapest(fitting, &score, request.budget.as_ref(), &sizes);
            }
            if parts_asked {
                return Decision::NotSold;
            }
        }

        // "耳机左耳丢了一只 能单独补一只吗": a piece of a product, on its own, is no whole product.
        if advice::asks_separately(request.text) {
            return Decision::NotSold;
        }
        if self.asks_for_unsold_kind(request.text, &in_locale, &kinds) {
            return Decision::NotSold;
        }
        // "S5 or S7, which suits a home with a dog?": one of those named.
        let compared: Vec<usize> =
            mentioned.iter().map(|&(i, _)| i).filter(|&i| !is_owned(i) && !is_part(i)).collect();
        if compared.len() >= 2 {
            return self.within_budget_or_cheapest(compared, &score, request.budget.as_ref(), &sizes);
        }
        let named: Vec<usize> = in_locale
            .iter()
            .copied()
            .filter(|&i| self.category_named(i, &kinds))
            .filter(|&i| !is_owned(i) && (!is_part(i) || request.parts))
            .collect();
        if kinds.is_empty() {
            if needs.is_empty() && request.budget.is_none() {
                return Decision::Clarify(Vec::new());
            }
            let candidates: Vec<usize> = in_locale
                .iter()
                .copied()
                .filter(|&i| !is_owned(i) && !is_part(i) && score(i) > 0.0)
                .collect();
            let affordable = self.big_enough(within(&candidates, self, request.budget.as_ref()), &sizes);
            if affordable.is_empty() {
                return Decision::NotSold;
            }
            return Decision::Recommend(self.ranked(affordable, &score, None, NEED_KEEP_RATIO));
        }
        if named.is_empty() {
            return Decision::NotSold;
        }
        let affordable = self.big_enough(within(&named, self, request.budget.as_ref()), &sizes);
        if affordable.is_empty() {
            let cheapest =
                named.iter().copied().min_by_key(|&i| self.lowest_price(i, request.budget.as_ref()));
            return cheapest.map_or(Decision::NotSold, Decision::OverBudget);
        }
        if affordable.len() > 1 && needs.is_empty() && request.budget.is_none() {
            return Decision::Clarify(self.ranked(affordable, &score, None, 0.0));
        }
        Decision::Recommend(self.ranked(affordable, &score, None, 0.0))
    }

    /// Of the parts `fitting` what the shopper has (`targets`, models), those named by the part the
    /// request names: "a replacement case for my AirTune T3" is no ear tip, and a case is not sold.
    /// All of them when it names none ("spare parts", "a replacement").
    fn named_part(&self, text: &str, targets: &BTreeSet<String>, fitting: Vec<usize>) -> Vec<usize> {
        let Some(name) = advice::part_named(text) else { return fitting };
        let asking: HashSet<String> = advice::part_words().flat_map(terms).collect();
        // The words of what it fits ("airtune") name no part.
        let whole: HashSet<String> = self
            .products
            .iter()
            .filter(|e| targets.contains(&e.product.listing.model.to_uppercase()))
            .flat_map(|e| terms(&format!("{} {}", e.product.name, e.product.tags.join(" "))))
            .collect();
        let named: Vec<String> = terms(&name)
            .into_iter()
            .filter(|t| !self.generic.contains(t) && !asking.contains(t) && !whole.contains(t) && !is_code(t))
            .collect();
        if named.is_empty() {
            return fitting;
        }
        fitting
            .into_iter()
            .filter(|&i| {
                let part = &self.products[i].product;
                let own = terms(&format!("{} {}", part.name, part.tags.join(" ")));
                named.iter().any(|t| own.contains(t))
            })
            .collect()
    }

    /// `candidates` within the budget and big enough, ranked; the cheapest when none is within it.
    fn within_budget_or_cheapest(
        &self,
        candidates: Vec<usize>,
        score: &impl Fn(usize) -> f32,
        budget: Option<&Budget>,
        sizes: &[(Measure, f64)],
    ) -> Decision {
        let affordable = self.big_enough(within(&candidates, self, budget), sizes);
        match candidates.iter().copied().min_by_key(|&i| self.lowest_price(i, budget)) {
            Some(cheapest) if affordable.is_empty() => Decision::OverBudget(cheapest),
            _ => Decision::Recommend(self.ranked(affordable, score, None, 0.0)),
        }
    }

    /// `candidates` without those too small for the sizes the shopper stated (all of them when
    /// every one is: then the shopper hears about the biggest rather than nothing).
    fn big_enough(&self, candidates: Vec<usize>, sizes: &[(Measure, f64)]) -> Vec<usize> {
        let fitting: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| !quantities::too_small(&self.products[i].limits, sizes))
            .collect();
        if fitting.is_empty() { candidates } else { fitting }
    }

    fn category_named(&self, i: usize, kinds: &BTreeMap<String, Vec<String>>) -> bool {
        self.products[i].product.listing.category.as_ref().is_some_and(|c| kinds.contains_key(c))
    }

    fn model(&self, i: usize) -> &str {
        &self.products[i].product.listing.model
    }

    /// Categories whose kind words the request uses, with the words; a word every second
    /// category shares ("home", "nestwell") names none.
    fn kinds_named(
        &self,
        request_terms: &HashSet<String>,
        in_locale: &[usize],
    ) -> BTreeMap<String, Vec<String>> {
        let mut by_category: BTreeMap<&str, HashSet<&String>> = BTreeMap::new();
        for &i in in_locale {
            if let Some(category) = &self.products[i].product.listing.category {
                by_category.entry(category).or_default().extend(&self.products[i].kind_terms);
            }
        }
        let mut spread: HashMap<&String, usize> = HashMap::new();
        for terms in by_category.values() {
            for t in terms {
                *spread.entry(t).or_default() += 1;
            }
        }
        let most = (by_category.len() / 2).max(1);
        let generic = &self.generic;
        by_category
            .into_iter()
            .filter_map(|(category, kind)| {
                let words: Vec<String> = kind
                    .into_iter()
                    .filter(|t| request_terms.contains(*t) && spread[t] <= most && !generic.contains(*t))
                    .cloned()
                    .collect();
                (!words.is_empty()).then(|| (category.to_string(), words))
            })
            .collect()
    }

    /// Whether the request names a kind of product ("recommend a washing machine", "推荐一台洗衣机")
    /// none of whose words name a kind the catalogue sells, besides the kinds the shopper says
    /// they do not want ("a stick vacuum, not a robot").
    fn asks_for_unsold_kind(
        &self,
        text: &str,
        in_locale: &[usize],
        kinds: &BTreeMap<String, Vec<String>>,
    ) -> bool {
        let Some(kind) = requested_kind(text) else {
            return false;
        };
        // The head of the phrase is its last word ("cordless stick vacuum", "手持无线吸尘器"), before
        // what it is for ("料理机做奶昔").
        let head = analysis::words(&kind)
            .into_iter()
            .map(|t| t.term)
            .take_while(|t| !ZH_PURPOSE.contains(&t.as_str()))
            .filter(|t| !self.generic.contains(t) && !is_code(t))
            .last();
        let Some(head) = head else {
            return false;
        };
        let unwanted = unwanted_kinds(text).map(|u| terms(&u)).unwrap_or_default();
        let sold = in_locale.iter().filter(|&&i| {
            let entry = &self.products[i];
            let rejected = entry.kind_terms.iter().any(|t| unwanted.contains(t));
            !rejected || !self.category_named(i, kinds)
        });
        let sold: Vec<&Entry> = sold.map(|&i| &self.products[i]).collect();
        let phrase = kind.to_lowercase();
        !sold
            .iter()
            .any(|e| e.kind_terms.contains(&head) || e.kind_names.iter().any(|n| phrase.contains(n.as_str())))
    }

    /// `candidates` by relevance (cheapest first on ties), those at least `keep_ratio` of the
    /// best, at most [`MAX_PICKS`]; within `budget` when one is given.
    fn ranked(
        &self,
        candidates: Vec<usize>,
        score: &impl Fn(usize) -> f32,
        budget: Option<&Budget>,
        keep_ratio: f32,
    ) -> Vec<usize> {
        let mut ranked = match budget {
            Some(budget) => within(&candidates, self, Some(budget)),
            None => candidates,
        };
        ranked.sort_by(|&a, &b| {
            score(b)
                .total_cmp(&score(a))
                .then(self.lowest_price(a, budget).cmp(&self.lowest_price(b, budget)))
        });
        let best = ranked.first().map_or(0.0, |&i| score(i));
        ranked.retain(|&i| score(i) >= keep_ratio * best);
        ranked.truncate(MAX_PICKS);
        ranked
    }

    /// Product `i`'s price in the budget's currency, else its lowest (for ordering), in minor units.
    fn lowest_price(&self, i: usize, budget: Option<&Budget>) -> u64 {
        let prices = &self.products[i].product.listing.prices;
        budget
            .and_then(|b| b.currency)
            .and_then(|c| prices.get(c).copied())
            .or_else(|| prices.values().min().copied())
            .unwrap_or(u64::MAX)
    }
}

/// Candidates whose price fits `budget`: in its currency when it names one (a product without a
/// price in it is not sold there), else in any of the product's currencies.
fn within(candidates: &[usize], catalogue: &Catalogue, budget: Option<&Budget>) -> Vec<usize> {
    let Some(budget) = budget else {
        return candidates.to_vec();
    };
    candidates
        .iter()
        .copied()
        .filter(|&i| {
            let prices = &catalogue.products[i].product.listing.prices;
            match budget.currency {
                Some(currency) => prices.get(currency).is_some_and(|&p| p <= budget.max_minor),
                None => prices.values().any(|&p| p <= budget.max_minor),
            }
        })
        .collect()
}

/// Whether the words before a product's name say the shopper has it.
fn owned_before(before: &str) -> bool {
    let before = before.trim_end();
    let tail: String = before.chars().rev().take(24).collect::<Vec<_>>().into_iter().rev().collect();
    ["my ", "our ", "i have a", "i have the", "i own", "bought a", "bought the", "got a", "own the"]
        .iter()
        .any(|w| tail.ends_with(w.trim_end()) || tail.ends_with(w))
        || ["我的", "我家", "家里的", "我买的", "买了", "已经有"].iter().any(|w| tail.ends_with(w))
}

/// Words that end the name of a kind in Chinese: what it is for follows ("料理机做奶昔",
/// "吸尘器用来吸猫毛").
const ZH_PURPOSE: &[&str] =
    &["做", "用", "用来", "来", "给", "打", "放", "带", "送", "可以", "能", "煮", "泡"];

/// What the shopper says they do not want ("don't want a robot", "不要扫地机器人那种").
fn unwanted_kinds(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    for cue in ["don't want a ", "dont want a ", "do not want a ", "not a ", "no robot", "不要", "不想要"]
    {
        if let Some(at) = lower.find(cue) {
            let rest = &lower[at + cue.len()..];
            let end = rest.find(['?', '.', ',', '!', '\n', '，', '。', '？', '！']).unwrap_or(rest.len());
            let phrase = if cue == "no robot" { "robot" } else { &rest[..end] };
            return Some(phrase.to_string());
        }
    }
    None
}

/// The kind of product a request names after its verb and article ("recommend a washing machine"
/// → "washing machine", "推荐一台适合小户型的洗衣机" → "洗衣机").
pub fn requested_kind(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    const EN: &[&str] = &[
        "recommend a ",
        "recommend an ",
        "suggest a ",
        "suggest an ",
        "looking for a ",
        "looking for an ",
        "want a ",
        "want an ",
        "need a ",
        "need an ",
        "buy a ",
        "buy an ",
        "get a ",
        "get an ",
        "do you sell ",
        "do you have a ",
        "do you have an ",
        "do you do ",
    ];
    const STOP: &[&str] = &[
        " for ", " that ", " which ", " under ", " below ", " with ", " to ", " in ", " around ", " about ",
        " and ", " or ",
    ];
    for cue in EN {
        if let Some(at) = lower.find(cue) {
            let rest = &lower[at + cue.len()..];
            let end =
                STOP.iter().filter_map(|s| rest.find(s)).chain(rest.find(['?', '.', ',', '!', '\n'])).min();
            let kind = rest[..end.unwrap_or(rest.len())].trim();
            if !kind.is_empty() {
                return Some(kind.to_string());
            }
        }
    }
    const ZH: &[&str] = &[
        "推荐一款",
        "推荐一台",
        "推荐一个",
        "推荐个",
        "推荐款",
        "买一台",
        "买一个",
        "买台",
        "买个",
        "买一款",
        "有没有",
        "有卖",
        "想要个",
        "想要一台",
        "想要一个",
    ];
    for cue in ZH {
        if let Some(at) = text.find(cue) {
            let rest = &text[at + cue.len()..];
            let end = rest.find(['？', '?', '，', ',', '。', '！', '!', ' ', '\n']).unwrap_or(rest.len());
            let phrase = &rest[..end];
            // "适合小户型的扫地机": the kind is after the last 的.
            let kind = phrase.rsplit('的').next().unwrap_or(phrase).trim();
            if !kind.is_empty() {
                return Some(kind.to_string());
            }
        }
    }
    None
}

/// A term that is a model code or number ("nw", "rv700", "1200"), not a word.
fn is_code(term: &str) -> bool {
    term == "nw" || term.chars().any(|c| c.is_ascii_digit())
}

/// Where the product name `alias`, found at byte `at` of `text`, ends when it stands there as a
/// name: not inside a longer word or model number ("s7" inside "s70"), though a model number may
/// take a plural "s" ("got the airtune t3s today"). Letters of other scripts may touch it ("漫游S7的").
fn whole_name_end(text: &str, at: usize, alias: &str) -> Option<usize> {
    let mut end = at + alias.len();
    let plural = alias.ends_with(|c: char| c.is_ascii_digit())
        && text[end..].starts_with('s')
        && text[end + 1..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric());
    if plural {
        end += 1;
    }
    let apart = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
    (apart(text[..at].chars().last()) && apart(text[end..].chars().next())).then_some(end)
}

#[cfg(test)]
mod tests;
