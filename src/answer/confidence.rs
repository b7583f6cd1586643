//! How sure kefu is that the retrieved passages answer the question, from the retrieval
//! evidence alone: how much of the question the top passage covers (terms weighted by IDF, so
//! a rare word missing costs more than a common one), how similar its vector is to the
//! question's, and whether BM25 and dense retrieval agree on it. docs/answering.md shows the
//! formula; `answer.min_confidence` is the threshold.

/// What retrieval found about the top passage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Share (0–1) of the question's IDF weight found in the top passage (breadcrumb included).
    pub coverage: f32,
    /// Cosine similarity of the question and the top passage, when dense retrieval ran, scaled
    /// to 0–1 by the model's similarity range ([`crate::embed::ModelSpec::similarity_range`]).
    pub semantic: Option<f32>,
    /// The top passage is among the first few of both retrievers.
    pub agreement: bool,
    /// Share of the question's IDF weight that no indexed passage contains at all.
    pub unknown: f32,
}

/// Scales a cosine similarity to 0–1 between `range[0]`, where passages are unrelated, and
/// `range[1]`, where they are as related as passages get. Models spread cosines differently
/// (top-1 cosine of unanswerable questions, median: all-MiniLM 0.43, e5 0.86–0.89; see
/// docs/answering.md), so the range is per model.
pub fn semantic(similarity: f32, range: [f32; 2]) -> f32 {
    ((similarity - range[0]) / (range[1] - range[0]).max(f32::EPSILON)).clamp(0.0, 1.0)
}

/// Confidence from 0 to 1.
pub fn confidence(evidence: &Evidence) -> f32 {
    let lexical = evidence.coverage.clamp(0.0, 1.0);
    let score = match evidence.semantic {
        Some(semantic) => {
            0.5 * lexical + 0.4 * semantic.clamp(0.0, 1.0) + if evidence.agreement { 0.1 } else { 0.0 }
        }
        None => lexical,
    };
    // Words the help center never uses point at a question about something else.
    (score * (1.0 - 0.5 * evidence.unknown.clamp(0.0, 1.0))).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_raises_and_lowers_confidence() {
        let strong = Evidence { coverage: 0.9, semantic: Some(0.95), agreement: true, unknown: 0.0 };
        let weak = Evidence { coverage: 0.3, semantic: Some(0.0), agreement: false, unknown: 0.6 };
        assert!(confidence(&strong) > 0.85);
        assert!(confidence(&weak) < 0.2);
        let without_agreement = Evidence { agreement: false, ..strong };
        assert!(confidence(&without_agreement) < confidence(&strong));
        let lexical_only = Evidence { semantic: None, ..strong };
        assert!((confidence(&lexical_only) - 0.9).abs() < 1e-6);
        let unknown_words = Evidence { unknown: 1.0, ..lexical_only };
        assert!((confidence(&unknown_words) - 0.45).abs() < 1e-6);
    }

    #[test]
    fn similarity_is_scaled_by_the_models_range() {
        assert_eq!(semantic(0.25, [0.25, 0.70]), 0.0);
        assert!((semantic(0.475, [0.25, 0.70]) - 0.5).abs() < 1e-6);
        assert_eq!(semantic(0.9, [0.25, 0.70]), 1.0);
        // The same cosine means little to a model whose unrelated pairs score 0.8.
        assert_eq!(semantic(0.6, [0.80, 0.92]), 0.0);
        assert_eq!(semantic(0.5, [0.5, 0.5]), 0.0);
    }
}
