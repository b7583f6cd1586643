//! Browsing conversations, newest first, by what happened in them: the console's list.

use serde::Serialize;

use super::{Backend, Store, failed};
use crate::Result;

/// Which conversations to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConversationFilter {
    /// Every conversation.
    #[default]
    All,
    /// Those where kefu answered at least once.
    Answered,
    /// Those where kefu withheld an answer at least once.
    Abstained,
    /// Those with an answer rated down.
    ThumbsDown,
    /// Those handed over to a person (or offered to be).
    Handoff,
}

impl ConversationFilter {
    /// The filter named `name` (`all`, `answered`, `abstained`, `thumbs_down`, `handoff`).
    pub fn parse(name: &str) -> Option<ConversationFilter> {
        Some(match name {
            "all" => ConversationFilter::All,
            "answered" => ConversationFilter::Answered,
            "abstained" => ConversationFilter::Abstained,
            "thumbs_down" => ConversationFilter::ThumbsDown,
            "handoff" => ConversationFilter::Handoff,
            _ => return None,
        })
    }

    /// The SQL condition on conversation `c`.
    fn condition(self) -> &'static str {
        match self {
            ConversationFilter::All => "TRUE",
            ConversationFilter::Answered => {
                "EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = c.id AND t.role = 'bot' \
                 AND t.abstained = FALSE AND t.text <> '')"
            }
            ConversationFilter::Abstained => {
                "EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = c.id AND t.role = 'bot' \
                 AND t.abstained = TRUE)"
            }
            ConversationFilter::ThumbsDown => {
                "EXISTS (SELECT 1 FROM feedback f WHERE f.conversation_id = c.id AND f.kind = 'thumbs' \
                 AND f.score < 0)"
            }
            ConversationFilter::Handoff => {
                "EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = c.id AND t.role = 'bot' \
                 AND t.handoff_reason IS NOT NULL)"
            }
        }
    }
}

/// Where a page of the list starts: after the conversation updated at `updated_at_ms` with id
/// `id` (the list is ordered by both, newest first, so that no conversation is skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last listed conversation's `updated_at_ms`.
    pub updated_at_ms: i64,
    /// Its id.
    pub id: String,
}

/// One conversation in the list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ConversationSummary {
    /// Its id.
    pub id: String,
    /// The shop's id of the customer, when given.
    pub external_user_id: Option<String>,
    /// Where it came from (`api`, `web`).
    pub channel: String,
    /// Started, Unix milliseconds.
    pub created_at_ms: i64,
    /// Last turn, Unix milliseconds.
    pub updated_at_ms: i64,
    /// Its number of turns.
    pub turns: i64,
    /// The customer's first message (as stored: redacted).
    pub preview: Option<String>,
    /// The language of the customer's first message.
    pub language: Option<String>,
    /// kefu's answers.
    pub answered: i64,
    /// Answers withheld.
    pub abstained: i64,
    /// Answers rated down.
    pub thumbs_down: i64,
    /// The state of its latest ticket, if it has one.
    pub ticket_state: Option<String>,
}

impl Store {
    /// Up to `limit` conversations matching `filter` (and, when given, with a customer message
    /// in `language`), newest first, after `after`.
    pub async fn list_conversations(
        &self,
        filter: ConversationFilter,
        language: Option<&str>,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Vec<ConversationSummary>> {
        let sql = format!(
            "SELECT c.id, c.external_user_id, c.channel, c.created_at AS created_at_ms, \
             c.updated_at AS updated_at_ms, c.last_seq AS turns, \
             (SELECT t.text FROM turns t WHERE t.conversation_id = c.id AND t.role = 'customer' \
              ORDER BY t.seq LIMIT 1) AS preview, \
             (SELECT t.language FROM turns t WHERE t.conversation_id = c.id AND t.role = 'customer' \
              AND t.language IS NOT NULL ORDER BY t.seq LIMIT 1) AS language, \
             (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id AND t.role = 'bot' \
              AND t.abstained = FALSE AND t.text <> '') AS answered, \
             (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id AND t.role = 'bot' \
              AND t.abstained = TRUE) AS abstained, \
             (SELECT COUNT(*) FROM feedback f WHERE f.conversation_id = c.id AND f.kind = 'thumbs' \
              AND f.score < 0) AS thumbs_down, \
             (SELECT k.state FROM tickets k WHERE k.conversation_id = c.id \
              ORDER BY k.created_at DESC LIMIT 1) AS ticket_state \
             FROM conversations c \
             WHERE {} \
             AND ($1 = '' OR EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = c.id \
                  AND t.role = 'customer' AND t.language = $1)) \
             AND (c.updated_at < $2 OR (c.updated_at = $2 AND c.id < $3)) \
             ORDER BY c.updated_at DESC, c.id DESC LIMIT $4",
            filter.condition()
        );
        let (before_ms, before_id) = match after {
            Some(cursor) => (cursor.updated_at_ms, cursor.id.as_str()),
            // Every conversation was updated before the end of time.
            None => (i64::MAX, ""),
        };
        on_backend!(self, pool => sqlx::query_as(&sql)
            .bind(language.unwrap_or(""))
            .bind(before_ms)
            .bind(before_id)
            .bind(limit as i64)
            .fetch_all(pool)
            .await)
        .map_err(failed)
    }
}
