//! Requests for advice on what to buy, answered from the shop's catalogue ([`crate::recommend`]):
//! up to three products, each with the specifications and sentences of its page closest to the
//! request, quoted and cited, and what the page says it cannot do; or one clarifying question;
//! or that the shop sells nothing of the kind. Nothing is said about a product that its page does
//! not state, and nothing is recommended that the catalogue does not hold.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::curated::CuratedSet;
use super::extractive::{self, Candidate};
use super::{
    Answer, AnswerPart, Citation, Generator, Question, SELECTION, cite, similarities, weighted_terms,
};
use crate::index::SearchFilter;
use crate::recommend::reply::{self, Pick, Quote};
use crate::recommend::{Catalogue, Decision, Request};
use crate::retrieve::{Mode, Retriever, SearchHit, SearchRequest};
use crate::understand::advice;
use crate::{Error, Result};

/// Product-page passages retrieved for a request: every page of a small catalogue.
const PRODUCT_PASSAGES: usize = 64;
/// Reasons quoted per product.
const REASONS: usize = 2;
/// Earlier messages of the conversation read with a request (a budget or room size said before).
const EARLIER_READ: usize = 3;
/// A message that follows a request for advice is read as its answer ("under £100, for
/// smoothies") when it is this short (in characters), or states a budget or a kind of product.
const SHORT_FOLLOW_UP_CHARS: usize = 60;
/// How much of a product's relevance comes from retrieval's ranking of its page's passages; the
/// rest from its best sentence or specification for the request.
const PASSAGE_WEIGHT: f32 = 0.5;
/// Words that say a sentence of a product page is a limit of the product.
const CAVEAT_EN: &[&str] = &["not ", "n't", "no ", "without", "only "];
const CAVEAT_ZH: &[&str] = &["不", "无", "没有", "仅"];

/// How a request for advice was answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    /// What kefu did.
    pub outcome: Outcome,
    /// The products named, best first.
    pub products: Vec<RecommendedProduct>,
}

/// What kefu did with a request for advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Recommended `products`.
    Recommended,
    /// Asked what the shopper needs (`products`: those of the kind they named).
    Clarify,
    /// Nothing of the kind fits the budget; `products` holds the cheapest.
    OverBudget,
    /// The shop sells nothing of the kind asked for.
    NotSold,
}

/// A product named in a recommendation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecommendedProduct {
    /// Model code.
    pub model: String,
    /// Name.
    pub name: String,
    /// Price as shown ("£59", or every currency's).
    pub price: String,
    /// Its page.
    pub doc_id: String,
    /// Its page's URL.
    pub url: Option<String>,
    /// Why it fits, as quoted.
    pub reasons: Vec<String>,
    /// The citation numbers of `reasons`, in the same order.
    pub cited: Vec<usize>,
}

impl super::Answerer {
    /// The answer to a request for advice on what to buy (or to its follow-up), from the
    /// catalogue; `None` when `text` asks no such thing or the catalogue has nothing in `language`.
    pub(super) async fn advise(
        &self,
        retriever: Arc<Retriever>,
        question: &Question,
        text: &str,
        language: &str,
    ) -> Result<Option<Answer>> {
        let catalogue = retriever.catalogue()?;
        if !catalogue.sells_in(language) || !asks_advice(&catalogue, question, text, language) {
            return Ok(None);
        }
        let (question, text, language) = (question.clone(), text.to_string(), language.to_string());
        let curated = self.curated();
        crate::error::blocking(move || {
            let shop = Shop { retriever: &retriever, catalogue: &catalogue, curated: &curated };
            advise(shop, &question, &text, &language)
        })
        .await
    }
}

/// Whether `text` asks what to buy, or answers kefu's clarifying question about it. A message
/// about a policy, a service of the shop, a fault, how to do something, an order or a part it names is not, unless it asks for a recommendation in so many words; nor
/// is a question about a product it names ("is the Roamo S7 good with dog hair"), unless it asks
/// for that product's parts (not whether a part does something).
fn asks_advice(catalogue: &Catalogue, question: &Question, text: &str, language: &str) -> bool {
    if advice::asks_recommendation(text) {
        return true;
    }
    // "Can I just buy the NW-RV7K replacement kit for it?" asks whether the part it names fits.
    if catalogue.names_part(text, language)
        || advice::about_policy(text)
        || advice::about_service(text)
        || advice::reports_problem(text)
        || advice::asks_how(text)
        || crate::understand::intent::order_number(text).is_some()
    {
        return false;
    }
    let mentioned = !catalogue.mentioned(text, language).is_empty();
    let parts = advice::asks_for_parts(text);
    // "how many of those descaler packs do i need to buy to last a year for my brewa" asks
    // about what it names.
    if (mentioned || parts) && advice::asks_only_values(text) {
        return false;
    }
    // "炸锅有没有白色的", "KT170水壶的壶嘴有没有过滤网": whether a kind or a product named before
    // it has something, not a request for one.
    let lower = text.to_lowercase();
    let has_named = advice::have_one_at(&lower).is_some_and(|at| {
        let before = &lower[..at];
        catalogue.names_kind(before, language) || !catalogue.mentioned(before, language).is_empty()
    });
    // "what filter fits my roamo s7?", "滤网在哪买？有配件包吗" ask for parts; "S7上地毯的时候拖布
    // 会自动抬起来吗" and "how long does a replacement kit last? will it fit my S5" ask about them.
    let about_parts = parts && (has_named || !advice::shopping(text)) && advice::asks_only_about(text);
    if parts && (mentioned || !question.shopper.owned.is_empty()) && !about_parts {
        return true;
    }
    if mentioned {
        // "S5 or S7, which suits a home with a dog?" asks; "is the S7 good with dog hair" does not.
        return advice::asks_advice(text) && !about_parts;
    }
    let kind = catalogue.names_kind(text, language);
    let budget = advice::budget(text).is_some();
    // "炸锅有没有白色的", "电热水壶有童锁吗": a question about a kind named before it.
    let about_a_kind =
        advice::have_one_at(&lower).is_some_and(|at| catalogue.names_kind(&lower[..at], language));
    let shopping = advice::shopping(text) && !about_a_kind;
    if advice::asks_advice(text)
        || (shopping && (kind || budget || parts || crate::recommend::requested_kind(text).is_some()))
        || (kind && budget)
    {
        return true;
    }
    // The answer to kefu's clarifying question, or more about what they are shopping for
    // ("under £100, for smoothies").
    let recent = &question.earlier[question.earlier.len().saturating_sub(EARLIER_READ)..];
    recent.iter().any(|m| advice::asks_advice(m) || advice::shopping(m))
        && (budget || kind || text.chars().count() <= SHORT_FOLLOW_UP_CHARS)
}

/// What a recommendation is made from.
struct Shop<'a> {
    retriever: &'a Retriever,
    catalogue: &'a Catalogue,
    curated: &'a CuratedSet,
}

fn advise(shop: Shop, question: &Question, text: &str, language: &str) -> Result<Option<Answer>> {
    let Shop { retriever, catalogue, curated } = shop;
    let earlier = &question.earlier[question.earlier.len().saturating_sub(EARLIER_READ)..];
    let request_text = earlier.iter().map(String::as_str).chain([text]).collect::<Vec<_>>().join("\n");
    let budget = advice::budget(text).or_else(|| earlier.iter().rev().find_map(|m| advice::budget(m)));
    let search = SearchRequest {
        query: request_text.clone(),
        k: PRODUCT_PASSAGES,
        mode: Mode::Hybrid,
        filter: SearchFilter {
            locale: Some(language.to_string()),
            doc_type: Some(kefu_ingest::product::DOC_TYPE.to_string()),
            ..SearchFilter::default()
        },
    };
    let results = retriever.search(&search)?;
    // An agent answered this question before ("a hundred kettles for the office, any discount?"):
    // their curated answer is the shop's word, not a recommendation.
    if results.query_vector.as_deref().is_some_and(|query| curated.best(query, language).is_some()) {
        return Ok(None);
    }
    let weights = weighted_terms(&retriever.query_terms(&request_text)?, &[]);
    let quoting = Quoting {
        retriever,
        catalogue,
        language,
        hits: &results.results,
        query: results.query_vector.as_deref(),
        weights: &weights,
    };
    // How well each retrieved product fits: its page's passages as retrieval ranked them, and
    // its own best sentence or specification for the request (a page that only mentions
    // another product is not about it).
    let mut retrieved: HashMap<&str, f32> = HashMap::new();
    for hit in &results.results {
        let best = retrieved.entry(hit.doc_id.as_str()).or_insert(0.0);
        *best = best.max(hit.score);
    }
    let mut relevance: HashMap<String, f32> = HashMap::new();
    for product in catalogue.products().filter(|p| retrieved.contains_key(p.doc_id.as_str())) {
        let fit = quoting.scored(product)?.best();
        let score = PASSAGE_WEIGHT * retrieved[product.doc_id.as_str()] + (1.0 - PASSAGE_WEIGHT) * fit;
        relevance.insert(product.doc_id.clone(), score);
    }
    let request = Request {
        text: &request_text,
        locale: language,
        budget: budget.clone(),
        parts: advice::asks_for_parts(text),
        shopper: &question.shopper,
    };
    let decision = catalogue.decide(&request, &relevance);
    // A part, a piece on its own or a product the catalogue does not hold ("a spare jar for the
    // Vortex Pro") may still be in the help center: it answers, or hands over.
    if decision == Decision::NotSold
        && (request.parts || advice::asks_separately(text) || !catalogue.mentioned(text, language).is_empty())
    {
        return Ok(None);
    }
    let currency =
        budget.as_ref().and_then(|b| b.currency).or(if language == "zh" { Some("CNY") } else { None });

    let mut citations = Vec::new();
    let (outcome, shown, text) = match &decision {
        Decision::Recommend(picks) => {
            let picks = quoting.picks(catalogue, picks, &mut citations)?;
            (Outcome::Recommended, picks.clone(), reply::recommend(&picks, language, currency))
        }
        Decision::OverBudget(cheapest) => {
            let picks = quoting.picks(catalogue, &[*cheapest], &mut citations)?;
            // A budget without a currency is told as the shopper gave it: a bare amount.
            let limit = budget.as_ref().map(|b| match b.currency.or(currency) {
                Some(code) => kefu_ingest::product::format_price(code, b.stated_minor),
                None => format!("{}", b.stated_minor as f64 / 100.0),
            });
            let text = reply::over_budget(&picks[0], &limit.unwrap_or_default(), language, currency);
            (Outcome::OverBudget, picks, text)
        }
        Decision::Clarify(options) => {
            let products: Vec<_> = options.iter().map(|&i| catalogue.product(i)).collect();
            let picks =
                products.iter().map(|p| Pick { product: p, reasons: Vec::new(), caveat: None }).collect();
            (Outcome::Clarify, picks, reply::clarify(&products, language, currency))
        }
        Decision::NotSold => {
            let sold: Vec<_> =
                catalogue.products().filter(|p| p.locale == language && p.listing.fits.is_empty()).collect();
            (Outcome::NotSold, Vec::new(), reply::not_sold(&sold, language))
        }
    };
    let products = shown
        .iter()
        .map(|pick| RecommendedProduct {
            model: pick.product.listing.model.clone(),
            name: pick.product.name.clone(),
            price: reply::price(pick.product, currency),
            doc_id: pick.product.doc_id.clone(),
            url: pick.product.url.clone(),
            reasons: pick.reasons.iter().map(|q| q.text.clone()).collect(),
            cited: pick.reasons.iter().map(|q| q.n).collect(),
        })
        .collect();
    let mut answer = Answer::message(text, language, None);
    answer.citations = citations;
    // Decided from the catalogue, not from how well passages match a question.
    answer.confidence = 1.0;
    answer.generator = Generator::Catalogue;
    answer.recommendation = Some(Recommendation { outcome, products });
    answer.parts = vec![AnswerPart {
        question: question.text.clone(),
        answered: true,
        confidence: 1.0,
        evidence: None,
        curated: None,
    }];
    answer.timings.embed_ms = results.timings.embed_ms;
    Ok(Some(answer))
}

/// What quoting reasons from product pages needs.
struct Quoting<'a> {
    retriever: &'a Retriever,
    catalogue: &'a Catalogue,
    language: &'a str,
    hits: &'a [SearchHit],
    query: Option<&'a [f32]>,
    weights: &'a [(String, f32)],
}

impl Quoting<'_> {
    /// Products `chosen` with the reasons and caveat quoted from each one's page, cited.
    fn picks<'c>(
        &self,
        catalogue: &'c Catalogue,
        chosen: &[usize],
        citations: &mut Vec<Citation>,
    ) -> Result<Vec<Pick<'c>>> {
        chosen.iter().map(|&i| self.pick(catalogue.product(i), citations)).collect()
    }

    /// A product page's sentences and specification rows, scored against the request. Left
    /// out: a line that only repeats the price (stated from the catalogue) or the product's name,
    /// and a sentence naming another product ("for mopping, look at the Roamo S7"), which is
    /// about that one.
    fn scored(&self, product: &kefu_ingest::product::Product) -> Result<Scored> {
        let hits = self.page_hits(&product.doc_id)?;
        let passages: Vec<extractive::Passage> =
            hits.iter().map(|h| extractive::Passage::of(&h.record.chunk)).collect();
        let prices = product.listing.written_prices();
        let this = self.catalogue.by_model(&product.locale, &product.listing.model);
        // A line that only names the product ("Brewa coffee maker" in the box list) says nothing.
        let name = extractive::terms(&format!("{} {}", product.name, product.listing.model));
        let candidates: Vec<Candidate> = extractive::candidates(&passages)
            .into_iter()
            .filter(|c| !prices.iter().any(|p| c.text.contains(p.as_str())))
            .filter(|c| !extractive::terms(&c.text).is_subset(&name))
            .filter(|c| {
                self.catalogue.mentioned(&c.text, self.language).iter().all(|&(i, _)| Some(i) == this)
            })
            .collect();
        let similarity = match self.query {
            Some(query) if !candidates.is_empty() => Some(
                similarities(
                    self.retriever,
                    query,
                    &hits,
                    &candidates,
                    self.weights,
                    self.retriever.model().similarity_range,
                    hits.len(),
                )?
                .chosen_by,
            ),
            _ => None,
        };
        let scores = extractive::scores(self.weights, &candidates, similarity.as_deref(), SELECTION);
        let mut ranked: Vec<(usize, f32)> =
            scores.iter().enumerate().filter_map(|(i, s)| Some((i, (*s)?))).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(Scored { hits, candidates, ranked })
    }

    fn pick<'c>(
        &self,
        product: &'c kefu_ingest::product::Product,
        citations: &mut Vec<Citation>,
    ) -> Result<Pick<'c>> {
        let Scored { hits, candidates, ranked } = self.scored(product)?;
        let mut quote = |i: usize| {
            let candidate = &candidates[i];
            let hit = &hits[candidate.passage];
            Quote {
                text: shown(candidate, &hit.record.chunk.text),
                n: cite(citations, hit, &candidate.range),
            }
        };
        let mut reasons: Vec<usize> =
            ranked.iter().map(|&(i, _)| i).filter(|&i| is_reason(&candidates[i])).take(REASONS).collect();
        if reasons.is_empty() {
            // Nothing on the page speaks to the request: the first thing it says that can be a reason.
            reasons.extend((0..candidates.len()).find(|&i| is_reason(&candidates[i])));
        }
        let caveat =
            ranked.iter().map(|&(i, _)| i).find(|&i| is_caveat(&candidates[i]) && !reasons.contains(&i));
        let reasons = reasons.into_iter().map(&mut quote).collect();
        let caveat = caveat.map(quote);
        Ok(Pick { product, reasons, caveat })
    }

    /// The chunks of a product's page: those retrieved, in rank order, else every chunk of the page.
    fn page_hits(&self, doc_id: &str) -> Result<Vec<SearchHit>> {
        let retrieved: Vec<SearchHit> = self.hits.iter().filter(|h| h.doc_id == doc_id).cloned().collect();
        if !retrieved.is_empty() {
            return Ok(retrieved);
        }
        let catalog = self.retriever.index().catalog();
        let document = catalog
            .document(doc_id)?
            .ok_or_else(|| Error::Catalog(format!("product page `{doc_id}` is not in the catalog")))?;
        let records = catalog.chunks(&document.chunk_ids)?;
        Ok(records.into_iter().flatten().map(SearchHit::unranked).collect())
    }
}

/// A product page's candidates, scored against the request.
struct Scored {
    hits: Vec<SearchHit>,
    candidates: Vec<Candidate>,
    /// Candidates related to the request (index, score), best first.
    ranked: Vec<(usize, f32)>,
}

impl Scored {
    /// The score of the page's best sentence or specification that can be a reason.
    fn best(&self) -> f32 {
        self.ranked.iter().find(|&&(i, _)| is_reason(&self.candidates[i])).map_or(0.0, |&(_, s)| s)
    }
}

/// Whether a sentence of a product page can be a reason to buy: not a limit of the product, and
/// not a rule of the shop ("Change-of-mind returns of an opened blender have a 15% restocking
/// fee"), which product pages restate and which holds for every product alike.
fn is_reason(candidate: &Candidate) -> bool {
    !is_caveat(candidate) && !advice::about_policy(&candidate.text)
}

/// Whether a sentence of a product page states a limit of the product ("it can't crush ice").
fn is_caveat(candidate: &Candidate) -> bool {
    let lower = candidate.text.to_lowercase();
    CAVEAT_EN.iter().any(|w| lower.contains(w)) || CAVEAT_ZH.iter().any(|w| lower.contains(w))
}

/// A candidate as a reason reads: a two-column specification row as "Noise: 76 dB", anything
/// else as the answerer quotes it.
fn shown(candidate: &Candidate, chunk_text: &str) -> String {
    let raw = &chunk_text[candidate.range.clone()];
    let cells: Vec<&str> = raw.trim().trim_matches('|').split('|').map(str::trim).collect();
    match cells.as_slice() {
        [name, value] if !name.is_empty() && !value.is_empty() => format!("{name}: {value}"),
        _ => candidate.text.clone(),
    }
}
