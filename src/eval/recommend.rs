//! Product recommendations measured on a labelled set of shoppers' requests (`kefu
//! eval-recommend`, eval/sets/recommend_*.jsonl): whether the right product comes first or among
//! the three, whether each stated reason is what the cited product page says, whether vague
//! requests get a clarifying question and requests for what the shop does not sell get a no,
//! whether anything the shopper owns is recommended, and how many ordinary questions (policy,
//! orders) are taken for requests for advice. Pure but for reading the set.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::report::Metrics;
use super::sets::{dataset, dataset_line, lines, parse_line};
use crate::Result;
use crate::answer::{Answer, Outcome};

/// Most earlier messages or model codes on one line.
const MAX_LIST: usize = 20;

/// What kefu should do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Recommend one of `acceptable`.
    Recommend,
    /// Ask what the shopper needs.
    Clarify,
    /// Say the shop does not sell it.
    None,
}

/// One labelled request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Id.
    pub id: String,
    /// The shopper's message.
    pub question: String,
    /// Its language.
    pub locale: String,
    /// What kefu should do.
    pub expect: Expect,
    /// Model codes that are right answers.
    #[serde(default)]
    pub acceptable: Vec<String>,
    /// Model codes the shopper owns (passed by the shop).
    #[serde(default)]
    pub owned: Vec<String>,
    /// The shopper's earlier messages, oldest first.
    #[serde(default)]
    pub history: Vec<String>,
    /// `dev` or `test`.
    pub split: String,
    /// Labels.
    #[serde(default)]
    pub kinds: Vec<String>,
}

/// The cases of a recommendation set, checked: unique ids, a known split, `acceptable` given
/// exactly when a recommendation is expected, bounded lists.
pub fn parse_set(path: &Path, text: &str) -> Result<Vec<Case>> {
    let mut cases: Vec<Case> = Vec::new();
    let mut ids = HashSet::new();
    for (n, line) in lines(text) {
        let case: Case = parse_line(path, n, line)?;
        let fail = |message: &str| dataset_line(path, n, message);
        if !ids.insert(case.id.clone()) {
            return Err(fail(&format!("id `{}` appears twice", case.id)));
        }
        if case.question.trim().is_empty() {
            return Err(fail("`question` is empty"));
        }
        if !matches!(case.split.as_str(), "dev" | "test") {
            return Err(fail(&format!("`split` is {:?}; use \"dev\" or \"test\"", case.split)));
        }
        if (case.expect == Expect::Recommend) == case.acceptable.is_empty() {
            return Err(fail("`acceptable` lists the right products exactly when `expect` is \"recommend\""));
        }
        for (field, list) in
            [("acceptable", &case.acceptable), ("owned", &case.owned), ("history", &case.history)]
        {
            if list.len() > MAX_LIST {
                return Err(fail(&format!("`{field}` has {} entries; at most {MAX_LIST}", list.len())));
            }
        }
        cases.push(case);
    }
    if cases.is_empty() {
        return Err(dataset(path, "no requests"));
    }
    Ok(cases)
}

/// What kefu answered to one case.
#[derive(Debug, Clone, Serialize)]
pub struct Outcomes {
    /// The case's id.
    pub id: String,
    /// What was expected.
    pub expect: Expect,
    /// What kefu did (`None`: the message was not taken for a request for advice).
    pub outcome: Option<Outcome>,
    /// The models recommended, best first.
    pub recommended: Vec<String>,
    /// The models that are right answers.
    pub acceptable: Vec<String>,
    /// Reasons stated.
    pub reasons: usize,
    /// Reasons grounded in their product's page.
    pub grounded: usize,
    /// Recommended models the shopper owns.
    pub owned_recommended: usize,
    /// The shopper owns products.
    pub owns: bool,
    /// The answer's text.
    pub answer: String,
}

/// What kefu did with `case` in `answer`: its outcome, the products it named, and how many of
/// their reasons are grounded (cited from the product's own page, every word of the reason in
/// the cited text, which `cited_text(doc_id, span)` reads).
pub fn outcomes(
    case: &Case,
    answer: &Answer,
    cited_text: impl Fn(&str, [usize; 2]) -> Option<String>,
) -> Outcomes {
    let recommendation = answer.recommendation.as_ref();
    let products = recommendation
        .filter(|r| matches!(r.outcome, Outcome::Recommended | Outcome::OverBudget))
        .map(|r| r.products.as_slice())
        .unwrap_or_default();
    let (mut reasons, mut grounded) = (0, 0);
    for product in products {
        for (reason, n) in product.reasons.iter().zip(&product.cited) {
            reasons += 1;
            let citation = answer.citations.iter().find(|c| c.n == *n);
            let page =
                citation.filter(|c| c.doc_id == product.doc_id).and_then(|c| cited_text(&c.doc_id, c.span));
            if page.is_some_and(|page| words_within(reason, &page)) {
                grounded += 1;
            }
        }
    }
    let recommended: Vec<String> = products.iter().map(|p| p.model.clone()).collect();
    let owned_recommended =
        recommended.iter().filter(|m| case.owned.iter().any(|o| o.eq_ignore_ascii_case(m))).count();
    Outcomes {
        id: case.id.clone(),
        expect: case.expect,
        outcome: recommendation.map(|r| r.outcome),
        recommended,
        acceptable: case.acceptable.clone(),
        reasons,
        grounded,
        owned_recommended,
        owns: !case.owned.is_empty(),
        answer: answer.answer.clone(),
    }
}

/// Whether every analysed word of `reason` occurs in `page` (a specification "Noise: 76 dB" is
/// the row "Noise | 76 dB").
fn words_within(reason: &str, page: &str) -> bool {
    crate::analysis::terms(reason).is_subset(&crate::analysis::terms(page))
}

/// The figures of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RecommendReport {
    /// The split measured (`all` for both).
    pub split: String,
    /// Cases measured, by what was expected.
    pub recommend: usize,
    /// Vague requests.
    pub clarify: usize,
    /// Requests for what the shop does not sell.
    pub none: usize,
    /// Ordinary questions checked for being taken as requests for advice.
    pub negatives: usize,
    /// Of those, the ones taken as requests for advice.
    pub negatives_routed: Vec<String>,
    /// Latency of the answers, p50 in milliseconds.
    pub latency_p50_ms: f64,
    /// Per case.
    pub cases: Vec<Outcomes>,
}

impl Outcomes {
    /// Whether a right product is among the first `k` recommended.
    pub fn hit(&self, k: usize) -> bool {
        self.recommended.iter().take(k).any(|m| self.acceptable.iter().any(|r| r.eq_ignore_ascii_case(m)))
    }
}

impl RecommendReport {
    /// The report of `cases` and the negatives' routing.
    pub fn new(
        split: &str,
        cases: Vec<Outcomes>,
        negatives: usize,
        negatives_routed: Vec<String>,
        latency_p50_ms: f64,
    ) -> Self {
        let count = |e: Expect| cases.iter().filter(|c| c.expect == e).count();
        RecommendReport {
            split: split.to_string(),
            recommend: count(Expect::Recommend),
            clarify: count(Expect::Clarify),
            none: count(Expect::None),
            negatives,
            negatives_routed,
            latency_p50_ms,
            cases,
        }
    }

    /// The figures, each a share (0–1) but `owned_recommended` (a count) and the latency.
    pub fn metrics(&self) -> Metrics {
        let share = |hits: usize, of: usize| if of == 0 { 0.0 } else { hits as f64 / of as f64 };
        let recommend: Vec<&Outcomes> = self.cases.iter().filter(|c| c.expect == Expect::Recommend).collect();
        let hit = |c: &Outcomes, k: usize| c.hit(k);
        let outcome_share = |expect: Expect, outcome: Outcome| {
            let of: Vec<&Outcomes> = self.cases.iter().filter(|c| c.expect == expect).collect();
            share(of.iter().filter(|c| c.outcome == Some(outcome)).count(), of.len())
        };
        let reasons: usize = self.cases.iter().map(|c| c.reasons).sum();
        let grounded: usize = self.cases.iter().map(|c| c.grounded).sum();
        Metrics::from([
            ("hit@1".to_string(), share(recommend.iter().filter(|c| hit(c, 1)).count(), recommend.len())),
            ("hit@3".to_string(), share(recommend.iter().filter(|c| hit(c, 3)).count(), recommend.len())),
            ("reason_grounding".to_string(), if reasons == 0 { 0.0 } else { share(grounded, reasons) }),
            ("reasons".to_string(), reasons as f64),
            ("clarify_rate".to_string(), outcome_share(Expect::Clarify, Outcome::Clarify)),
            ("false_clarify_rate".to_string(), outcome_share(Expect::Recommend, Outcome::Clarify)),
            ("not_sold_rate".to_string(), outcome_share(Expect::None, Outcome::NotSold)),
            (
                "routed".to_string(),
                share(self.cases.iter().filter(|c| c.outcome.is_some()).count(), self.cases.len()),
            ),
            (
                "owned_recommended".to_string(),
                self.cases.iter().map(|c| c.owned_recommended).sum::<usize>() as f64,
            ),
            ("negatives_routed_rate".to_string(), share(self.negatives_routed.len(), self.negatives)),
            ("negatives_kept".to_string(), 1.0 - share(self.negatives_routed.len(), self.negatives)),
            ("owned_respected".to_string(), {
                let with_owned: Vec<&Outcomes> = self.cases.iter().filter(|c| c.owns).collect();
                share(with_owned.iter().filter(|c| c.owned_recommended == 0).count(), with_owned.len())
            }),
            ("latency_p50_ms".to_string(), self.latency_p50_ms),
        ])
    }

    /// The report as Markdown: the figures, then every case that missed.
    pub fn markdown(&self, metrics: &Metrics) -> String {
        let mut out = format!(
            "# Recommendations ({} split): {} requests to recommend for, {} vague, {} for what is not sold; \
             {} ordinary questions\n\n| metric | value |\n|---|---:|\n",
            self.split, self.recommend, self.clarify, self.none, self.negatives
        );
        for (name, value) in metrics {
            out.push_str(&format!("| {name} | {value:.3} |\n"));
        }
        out.push_str("\n## Ordinary questions taken for requests for advice\n\n");
        for question in &self.negatives_routed {
            out.push_str(&format!("- {}\n", question.replace('\n', " ")));
        }
        out.push_str("\n## Misses\n\n");
        for case in &self.cases {
            let right = match (case.expect, case.outcome) {
                (Expect::Clarify, Some(Outcome::Clarify)) | (Expect::None, Some(Outcome::NotSold)) => true,
                (Expect::Recommend, Some(Outcome::Recommended | Outcome::OverBudget)) => case.hit(1),
                _ => false,
            };
            if !right || case.owned_recommended > 0 || case.grounded < case.reasons {
                out.push_str(&format!(
                    "- `{}` expected {:?} {:?}, got {:?} {:?}: {}\n",
                    case.id,
                    case.expect,
                    case.acceptable,
                    case.outcome,
                    case.recommended,
                    case.answer.replace('\n', " / ")
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_checked_line_by_line() {
        let path = Path::new("r.jsonl");
        let good = r#"{"id":"a","question":"quiet blender","locale":"en","expect":"recommend","acceptable":["NW-BL600"],"split":"dev"}"#;
        assert_eq!(parse_set(path, good).unwrap().len(), 1);
        let no_acceptable = r#"{"id":"a","question":"q","locale":"en","expect":"recommend","split":"dev"}"#;
        assert!(parse_set(path, no_acceptable).unwrap_err().to_string().contains("acceptable"));
        let twice = format!("{good}\n{good}");
        assert!(parse_set(path, &twice).unwrap_err().to_string().contains("twice"));
        let split = good.replace("\"dev\"", "\"train\"");
        assert!(parse_set(path, &split).unwrap_err().to_string().contains("split"));
    }

    #[test]
    fn a_reason_is_grounded_only_in_its_own_page() {
        assert!(words_within("Noise: 76 dB", "Feature | Vortex Mini\nNoise | 76 dB"));
        assert!(!words_within("Noise: 60 dB", "Noise | 76 dB"));
    }

    #[test]
    fn hits_count_the_first_or_the_first_three() {
        let case = |id: &str, recommended: &[&str]| Outcomes {
            id: id.into(),
            expect: Expect::Recommend,
            outcome: Some(Outcome::Recommended),
            recommended: recommended.iter().map(|s| s.to_string()).collect(),
            acceptable: vec!["Y".to_string()],
            reasons: 2,
            grounded: 1,
            owned_recommended: 0,
            owns: false,
            answer: String::new(),
        };
        let report = RecommendReport::new(
            "dev",
            vec![case("a", &["X", "Y"]), case("b", &["Z", "W", "Y"])],
            10,
            vec!["q".into()],
            5.0,
        );
        let metrics = report.metrics();
        assert_eq!(metrics["hit@1"], 0.0);
        assert_eq!(metrics["hit@3"], 1.0);
        assert_eq!(metrics["reason_grounding"], 0.5);
        assert_eq!(metrics["negatives_routed_rate"], 0.1);
    }
}
