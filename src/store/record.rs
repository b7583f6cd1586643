//! What the store writes and reads, and how a question and its answer become turns (pure).

use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;

use crate::answer::Answer;

/// Who wrote a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The shop's customer.
    Customer,
    /// kefu's answer.
    Bot,
    /// A person of the shop's support team.
    Agent,
    /// An event of the conversation (a handoff opened, assigned, resolved).
    System,
}

impl Role {
    /// The name stored and shown (`customer`, `bot`, `agent`, `system`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Bot => "bot",
            Role::Agent => "agent",
            Role::System => "system",
        }
    }
}

/// A conversation to start.
#[derive(Debug, Clone)]
pub struct NewConversation {
    /// Id of the API key (or session) starting it: the only one that may continue or read it.
    pub owner_key: String,
    /// The shop's id of its customer, if it gave one.
    pub external_user_id: Option<String>,
    /// Where it takes place (`api`).
    pub channel: String,
}

/// A turn to record. Fields that do not apply to a role are `None`.
#[derive(Debug, Clone)]
pub struct NewTurn {
    /// Who wrote it.
    pub role: Role,
    /// Who sent it: the API key id of a customer turn, an agent; none for the bot.
    pub actor: Option<String>,
    /// The message (with its personal data already replaced, `crate::privacy`) or the answer.
    pub text: String,
    /// Customer turns: the query retrieved with (a follow-up joined to the turn before it).
    pub resolved_query: Option<String>,
    /// Bot turns: `[{n, chunk_id, doc_id, span}]`.
    pub citations: Option<Value>,
    /// Bot turns: the answer's confidence.
    pub confidence: Option<f64>,
    /// Bot turns: whether kefu abstained.
    pub abstained: Option<bool>,
    /// Bot turns: why a person should take over, if one should.
    pub handoff_reason: Option<String>,
    /// Bot turns: `extractive`, `llm` or `none`.
    pub generator: Option<String>,
    /// The language answered in.
    pub language: Option<String>,
    /// Bot turns: the index generation that answered.
    pub index_generation: Option<i64>,
    /// Bot turns: the answer's time in milliseconds.
    pub total_ms: Option<f64>,
    /// Bot turns: where the time went.
    pub timings: Option<Value>,
    /// Customer turns: the frustration signals seen, when any.
    pub frustration: Option<Value>,
    /// The ticket the turn belongs to: an agent's reply, a ticket's event, a customer message
    /// kept for the agent.
    pub ticket_id: Option<String>,
}

impl NewTurn {
    /// The customer's message and the query it was answered with, both as they may be stored.
    pub fn customer(message: &str, resolved_query: &str, actor: &str, language: &str) -> NewTurn {
        NewTurn {
            actor: Some(actor.to_string()),
            resolved_query: Some(resolved_query.to_string()),
            language: Some(language.to_string()),
            ..NewTurn::empty(Role::Customer, message.to_string())
        }
    }

    /// A customer's message kept for the agent of ticket `ticket_id` (kefu does not answer it).
    pub fn forwarded(message: &str, actor: &str, ticket_id: &str) -> NewTurn {
        NewTurn {
            actor: Some(actor.to_string()),
            ticket_id: Some(ticket_id.to_string()),
            ..NewTurn::empty(Role::Customer, message.to_string())
        }
    }

    /// An agent's reply on ticket `ticket_id`.
    pub fn agent(text: &str, agent: &str, ticket_id: &str) -> NewTurn {
        NewTurn {
            actor: Some(agent.to_string()),
            ticket_id: Some(ticket_id.to_string()),
            ..NewTurn::empty(Role::Agent, text.to_string())
        }
    }

    /// An event of ticket `ticket_id` (`ticket_opened`, `ticket_assigned`, ...), by `actor`.
    pub fn system(event: &str, actor: Option<&str>, ticket_id: &str) -> NewTurn {
        NewTurn {
            actor: actor.map(str::to_string),
            ticket_id: Some(ticket_id.to_string()),
            ..NewTurn::empty(Role::System, event.to_string())
        }
    }

    /// kefu's answer, from index generation `generation`.
    pub fn bot(answer: &Answer, generation: u64) -> NewTurn {
        // Whole, as the answer showed them: a transcript read later (the widget after a reload)
        // shows the same sources even when the index has changed since.
        let citations = serde_json::to_value(&answer.citations).ok();
        NewTurn {
            citations,
            // The decimal the reply shows (0.7441967), not the f32's binary expansion.
            confidence: answer.confidence.to_string().parse().ok(),
            abstained: Some(answer.abstained),
            handoff_reason: answer.handoff.reason.map(|r| r.as_str().to_string()),
            generator: serde_json::to_value(answer.generator).ok().and_then(|g| g.as_str().map(String::from)),
            language: Some(answer.language.clone()),
            index_generation: i64::try_from(generation).ok(),
            total_ms: Some(answer.timings.total_ms),
            timings: serde_json::to_value(&answer.timings).ok(),
            ..NewTurn::empty(Role::Bot, answer.answer.clone())
        }
    }

    fn empty(role: Role, text: String) -> NewTurn {
        NewTurn {
            role,
            actor: None,
            text,
            resolved_query: None,
            citations: None,
            confidence: None,
            abstained: None,
            handoff_reason: None,
            generator: None,
            language: None,
            index_generation: None,
            total_ms: None,
            timings: None,
            frustration: None,
            ticket_id: None,
        }
    }
}

/// What an ask needs to know of the conversation it continues.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationHead {
    /// Id of the API key (or session) that started it.
    pub owner_key: String,
    /// The shop's id of its customer, if it gave one.
    pub external_user_id: Option<String>,
    /// The query the last customer turn was answered with.
    pub previous_query: Option<String>,
}

/// A stored conversation and its turns (`GET /v1/conversations/{id}`, one line of `kefu store
/// export`).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StoredConversation {
    /// Its id, issued by the server.
    pub id: String,
    /// Id of the API key (or session) that started it (a digest, never the key).
    pub owner_key: String,
    /// The shop's id of its customer, if it gave one.
    pub external_user_id: Option<String>,
    /// Where it took place (`api`).
    pub channel: String,
    /// When it started (Unix milliseconds).
    pub created_at_ms: i64,
    /// Its last turn (Unix milliseconds).
    pub updated_at_ms: i64,
    /// Its turns, in order.
    #[sqlx(skip)]
    pub turns: Vec<StoredTurn>,
    /// What the customer said of its answers and of the conversation.
    #[sqlx(skip)]
    pub feedback: Vec<StoredFeedback>,
}

/// A stored turn.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StoredTurn {
    /// 1, 2, … within the conversation.
    pub seq: i64,
    /// `customer`, `bot`, `agent` or `system`.
    pub role: String,
    /// Who sent it: the API key id of a customer turn, an agent; none for the bot.
    pub actor: Option<String>,
    /// The message or the answer (redacted).
    pub text: String,
    /// Customer turns: the query retrieved with.
    pub resolved_query: Option<String>,
    /// Bot turns: `[{n, chunk_id, doc_id, span}]`.
    #[schema(value_type = Option<Object>)]
    pub citations: Option<Json<Value>>,
    /// Bot turns: confidence (0–1).
    pub confidence: Option<f64>,
    /// Bot turns: whether kefu abstained.
    pub abstained: Option<bool>,
    /// Bot turns: why a person should take over.
    pub handoff_reason: Option<String>,
    /// Bot turns: `extractive`, `llm` or `none`.
    pub generator: Option<String>,
    /// The language answered in.
    pub language: Option<String>,
    /// Bot turns: the index generation that answered.
    pub index_generation: Option<i64>,
    /// Bot turns: the answer's time in milliseconds.
    pub total_ms: Option<f64>,
    /// Bot turns: `{embed_ms, retrieve_ms, generate_ms, total_ms}`.
    #[schema(value_type = Option<Object>)]
    pub timings: Option<Json<Value>>,
    /// Customer turns: the frustration signals seen (`{signals, score}`), when any.
    #[schema(value_type = Option<Object>)]
    pub frustration: Option<Json<Value>>,
    /// The ticket it belongs to: an agent's reply, a ticket's event (`ticket_opened`,
    /// `ticket_assigned`, `ticket_resolved`, `ticket_expired`), a message kept for the agent.
    pub ticket_id: Option<String>,
    /// Where it was written (`api`).
    pub channel: String,
    /// When (Unix milliseconds).
    pub created_at_ms: i64,
}

/// What a customer's rating is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// Thumbs up or down on one answer.
    Thumbs,
    /// Satisfaction with the whole conversation, 1 to 5.
    Csat,
}

impl FeedbackKind {
    /// Its name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Thumbs => "thumbs",
            FeedbackKind::Csat => "csat",
        }
    }
}

/// Why an answer did not help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackReason {
    /// It is not true.
    Wrong,
    /// It was true once.
    Outdated,
    /// It could not be understood.
    Unclear,
    /// It answers another question.
    NotWhatIAsked,
}

impl FeedbackReason {
    /// Its name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackReason::Wrong => "wrong",
            FeedbackReason::Outdated => "outdated",
            FeedbackReason::Unclear => "unclear",
            FeedbackReason::NotWhatIAsked => "not_what_i_asked",
        }
    }
}

/// A rating to record: thumbs on a bot turn, or the conversation's CSAT (turn 0).
#[derive(Debug, Clone, PartialEq)]
pub struct NewFeedback {
    /// The bot turn rated; 0 for the conversation's CSAT.
    pub turn_seq: i64,
    /// Thumbs or CSAT.
    pub kind: FeedbackKind,
    /// Thumbs: 1 up, −1 down; CSAT: 1 to 5.
    pub score: i64,
    /// Why an answer did not help (thumbs down only).
    pub reason: Option<FeedbackReason>,
    /// The customer's words, redacted.
    pub comment: Option<String>,
    /// The API key id (or session) that sent it.
    pub actor: String,
}

/// A stored rating.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StoredFeedback {
    /// The bot turn rated; 0 for the conversation's CSAT.
    pub turn_seq: i64,
    /// `thumbs` or `csat`.
    pub kind: String,
    /// Thumbs: 1 up, −1 down; CSAT: 1 to 5.
    pub score: i64,
    /// `wrong`, `outdated`, `unclear` or `not_what_i_asked`.
    pub reason: Option<String>,
    /// The customer's words, redacted.
    pub comment: Option<String>,
    /// When it was given (Unix milliseconds).
    pub created_at_ms: i64,
}

/// What [`Store::record`](super::Store::record) committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The number (`seq`) of the last turn recorded: kefu's answer, when it was the last.
    pub last_seq: i64,
    /// The ticket opened, if one was.
    pub ticket: Option<String>,
}
