//! Prometheus metrics: requests and latencies by route, abstentions, handoffs, and the time
//! spent embedding questions and retrieving.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::answer::Answer;

/// Labels of a request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route pattern (`/v1/ask`).
    pub route: String,
    /// HTTP method.
    pub method: String,
    /// HTTP status.
    pub status: u16,
}

/// Labels of a latency.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The route pattern.
    pub route: String,
}

/// Labels of a webhook delivery.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `delivered`, `failed` (tried again later) or `dead` (given up).
    pub outcome: String,
}

/// Labels of a handoff.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    /// `requested_human`, `complaint`, `low_confidence` or `conflicting_sources`.
    pub reason: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    /// Requests by route, method and status.
    pub requests: Family<RequestLabels, Counter>,
    /// Request latency by route.
    pub latency: HistogramFamily<RouteLabels>,
    /// Answers that abstained.
    pub abstentions: Counter,
    /// Handoffs by reason.
    pub handoffs: Family<ReasonLabels, Counter>,
    /// Time to embed a question.
    pub embedding: Histogram,
    /// Time to retrieve (embedding included).
    pub retrieval: Histogram,
    /// The index generation served.
    pub generation: Gauge<u64, AtomicU64>,
    /// Turns committed to the conversation store.
    pub turns_stored: Counter,
    /// Tickets opened for the shop's agents.
    pub tickets_opened: Counter,
    /// Webhook delivery attempts by outcome.
    pub webhooks: Family<OutcomeLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("kefu");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily<RouteLabels> = Family::new_with_constructor(latency_histogram);
        let abstentions = Counter::default();
        let handoffs = Family::<ReasonLabels, Counter>::default();
        let embedding = latency_histogram();
        let retrieval = latency_histogram();
        let generation = Gauge::<u64, AtomicU64>::default();
        registry.register("http_requests", "HTTP requests by route, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        registry.register("abstentions", "Answers withheld for low confidence", abstentions.clone());
        registry.register("handoffs", "Conversations handed to a human, by reason", handoffs.clone());
        registry.register("query_embedding_seconds", "Time to embed a question", embedding.clone());
        registry.register(
            "retrieval_seconds",
            "Time to retrieve passages, embedding included",
            retrieval.clone(),
        );
        registry.register("index_generation", "Index generation being served", generation.clone());
        let turns_stored = Counter::default();
        registry.register("turns_stored", "Turns committed to the conversation store", turns_stored.clone());
        let tickets_opened = Counter::default();
        registry.register("tickets_opened", "Tickets opened for the shop's agents", tickets_opened.clone());
        let webhooks = Family::<OutcomeLabels, Counter>::default();
        registry.register("webhook_deliveries", "Webhook delivery attempts by outcome", webhooks.clone());
        Metrics {
            registry,
            tickets_opened,
            webhooks,
            requests,
            latency,
            abstentions,
            handoffs,
            embedding,
            retrieval,
            generation,
            turns_stored,
        }
    }

    /// Counts what an answer did.
    pub fn record_answer(&self, answer: &Answer) {
        if answer.abstained_for_low_confidence() {
            self.abstentions.inc();
        }
        if let Some(reason) = answer.handoff.reason.filter(|_| answer.handoff.needed) {
            self.handoffs.get_or_create(&ReasonLabels { reason: reason.as_str().to_string() }).inc();
        }
        if answer.timings.embed_ms > 0.0 {
            self.embedding.observe(answer.timings.embed_ms / 1000.0);
        }
        self.retrieval.observe(answer.timings.retrieve_ms / 1000.0);
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
