//! Insights: what customers ask, how well kefu answers, which topics it fails, and the health
//! of the help center's content (docs/insights.md). `kefu insights` and
//! `GET /v1/admin/insights` both call [`gather`].
//!
//! - [`calendar`]: periods and days in the shop's UTC offset.
//! - [`digest`]: one pass over the stored turns into the figures and the questions.
//! - [`topics`]: questions grouped by meaning, incrementally (leader clustering on the
//!   embedding model kefu already runs), and how well a grouping matches gold labels.
//! - [`gaps`]: topics as an editor reads them, and knowledge gaps ranked by unmet demand.
//! - [`health`]: documents never cited or rated down, near-duplicates, contradictions.
//! - [`report`]: the self-contained HTML report.
//!
//! All of these are pure; [`gather`] reads the store and the index and embeds new questions.

pub mod calendar;
pub mod digest;
pub mod gaps;
pub mod health;
pub mod report;
mod run;
pub mod topics;

use serde::Serialize;

pub use calendar::Period;
pub use run::gather;

/// What one insights run found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Insights {
    /// First day of the period (`YYYY-MM-DD`).
    pub from: String,
    /// Last day of the period (`YYYY-MM-DD`, included).
    pub to: String,
    /// The UTC offset its days and hours are told in (`+08:00`).
    pub utc_offset: String,
    /// When it was computed (Unix milliseconds).
    pub generated_at_ms: i64,
    /// Volume, rates, feedback, latency.
    pub figures: digest::Figures,
    /// Topics with questions in the period, largest first.
    pub topics: Vec<gaps::Topic>,
    /// Topics with questions in the period (all, not only those listed).
    pub topic_count: usize,
    /// The similarity a question needed to join a topic (`insights.topic_threshold` for centred
    /// vectors, `topics::RAW_THRESHOLD` before there is a centre).
    pub topic_threshold: f32,
    /// Knowledge gaps, most unmet demand first.
    pub gaps: Vec<gaps::Gap>,
    /// The health of the help center's content.
    pub health: health::ContentHealth,
    /// What the run did and how long it took.
    pub run: RunStats,
}

/// What an insights run did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RunStats {
    /// Customer questions read (the period and the one before), each with its answer.
    pub questions_read: u64,
    /// Distinct questions of both periods.
    pub distinct_questions: usize,
    /// Questions embedded and placed into topics by this run (the others were placed before).
    pub newly_placed: usize,
    /// Distinct questions the topics' centre was taken from; `None` while there are too few
    /// for one (raw vectors are compared then).
    pub centre_questions: Option<i64>,
    /// Milliseconds reading the store.
    pub read_ms: f64,
    /// Milliseconds embedding and placing new questions.
    pub topics_ms: f64,
    /// Milliseconds looking up the gaps' documents and assessing content health.
    pub content_ms: f64,
    /// Milliseconds in all.
    pub total_ms: f64,
}
