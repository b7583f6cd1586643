//! What the insights read from the store (turns, ratings, tickets of a period) and the topics
//! of customer questions they keep there between runs (docs/insights.md).

use std::collections::{BTreeMap, HashMap};

use half::f16;

use super::{Backend, Store, failed, now_ms};
use crate::insights::digest::{AgentRow, Rating, TicketFact};
use crate::insights::topics::{Centre, Centroid};
use crate::{Error, Result};

/// Rows written by one `INSERT` of placed questions.
const INSERT_BATCH: usize = 500;

/// The key of a question's text in `topic_questions`: the same question typed with other case,
/// spacing or closing punctuation is one question.
pub fn question_key(text: &str) -> String {
    let spaced = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let folded =
        spaced.trim_end_matches(|c: char| c.is_ascii_punctuation() || "？！。～…".contains(c) || c == ' ');
    blake3::hash(folded.as_bytes()).to_hex()[..32].to_string()
}

/// The topics of one embedding model as stored.
#[derive(Debug, Default)]
pub struct TopicState {
    /// Every topic's centroid.
    pub centroids: Vec<Centroid>,
    /// Placed questions by key.
    pub questions: HashMap<String, PlacedQuestion>,
    /// The mean question the topics compare against, once there is one.
    pub centre: Option<Centre>,
}

/// A placed question.
#[derive(Debug, Clone)]
pub struct PlacedQuestion {
    /// Its key ([`question_key`]).
    pub key: String,
    /// Its topic.
    pub topic: i64,
    /// Its unit vector.
    pub vector: Vec<f32>,
    /// The latest turn asking it when it was placed (Unix milliseconds).
    pub last_seen_at: i64,
}

impl Store {
    /// Conversations with a turn in `[from_ms, to_ms)`, and the turns by role.
    pub async fn insight_counts(&self, from_ms: i64, to_ms: i64) -> Result<(u64, BTreeMap<String, u64>)> {
        const CONVERSATIONS: &str =
            "SELECT COUNT(DISTINCT conversation_id) FROM turns WHERE created_at >= $1 AND created_at < $2";
        const ROLES: &str =
            "SELECT role, COUNT(*) FROM turns WHERE created_at >= $1 AND created_at < $2 GROUP BY role";
        let (conversations, roles): (i64, Vec<(String, i64)>) = on_backend!(self, pool => {
            let conversations =
                sqlx::query_scalar(CONVERSATIONS).bind(from_ms).bind(to_ms).fetch_one(pool).await.map_err(failed)?;
            let roles = sqlx::query_as(ROLES).bind(from_ms).bind(to_ms).fetch_all(pool).await.map_err(failed)?;
            (conversations, roles)
        });
        Ok((conversations as u64, roles.into_iter().map(|(role, n)| (role, n as u64)).collect()))
    }

    /// Agents' replies since `from_ms` in tickets they resolved, by conversation, in order.
    pub async fn insight_agent_replies(&self, from_ms: i64) -> Result<HashMap<String, Vec<AgentRow>>> {
        const SQL: &str = "SELECT conversation_id, seq, text FROM turns WHERE role = 'agent' AND created_at >= $1 \
             AND ticket_id IN (SELECT id FROM tickets WHERE state = 'resolved') ORDER BY conversation_id, seq";
        let rows: Vec<(String, i64, String)> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(from_ms).fetch_all(pool).await)
                .map_err(failed)?;
        let mut replies: HashMap<String, Vec<AgentRow>> = HashMap::new();
        for (conversation_id, seq, text) in rows {
            replies.entry(conversation_id.clone()).or_default().push(AgentRow { conversation_id, seq, text });
        }
        Ok(replies)
    }

    /// Ratings given since `from_ms`, by conversation and turn (CSAT on turn 0).
    pub async fn insight_ratings(&self, from_ms: i64) -> Result<HashMap<(String, i64), Vec<Rating>>> {
        const SQL: &str =
            "SELECT conversation_id, turn_seq, kind, score, reason FROM feedback WHERE created_at >= $1";
        let rows: Vec<(String, i64, String, i64, Option<String>)> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(from_ms).fetch_all(pool).await)
                .map_err(failed)?;
        let mut ratings: HashMap<(String, i64), Vec<Rating>> = HashMap::new();
        for (conversation, seq, kind, score, reason) in rows {
            ratings.entry((conversation, seq)).or_default().push(Rating {
                score,
                csat: kind == "csat",
                reason,
            });
        }
        Ok(ratings)
    }

    /// Tickets opened since `from_ms`.
    pub async fn insight_tickets(&self, from_ms: i64) -> Result<Vec<TicketFact>> {
        const SQL: &str = "SELECT conversation_id, reason, created_at FROM tickets WHERE created_at >= $1";
        let rows: Vec<(String, String, i64)> =
            on_backend!(self, pool => sqlx::query_as(SQL).bind(from_ms).fetch_all(pool).await)
                .map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|(conversation_id, reason, created_at)| TicketFact { conversation_id, reason, created_at })
            .collect())
    }

    /// The topics of embedding model `model`.
    pub async fn topic_state(&self, model: &str) -> Result<TopicState> {
        const TOPICS: &str = "SELECT id, centroid, members FROM topics WHERE model = $1 ORDER BY id";
        const QUESTIONS: &str =
            "SELECT question_key, topic_id, vector, last_seen_at FROM topic_questions WHERE model = $1";
        const CENTRE: &str = "SELECT centre, questions FROM topic_centres WHERE model = $1";
        type Topic = (i64, Vec<u8>, i64);
        type Question = (String, i64, Vec<u8>, i64);
        type Mean = (Vec<u8>, i64);
        let (topics, questions, centre): (Vec<Topic>, Vec<Question>, Option<Mean>) = on_backend!(self, pool => {
            let topics = sqlx::query_as(TOPICS).bind(model).fetch_all(pool).await.map_err(failed)?;
            let questions = sqlx::query_as(QUESTIONS).bind(model).fetch_all(pool).await.map_err(failed)?;
            let centre = sqlx::query_as(CENTRE).bind(model).fetch_optional(pool).await.map_err(failed)?;
            (topics, questions, centre)
        });
        Ok(TopicState {
            centroids: topics
                .into_iter()
                .map(|(id, bytes, members)| Centroid { id, sum: decode_f32(&bytes), members })
                .collect(),
            questions: questions
                .into_iter()
                .map(|(key, topic, bytes, last_seen_at)| {
                    let vector = decode_f16(&bytes);
                    (key.clone(), PlacedQuestion { key, topic, vector, last_seen_at })
                })
                .collect(),
            centre: centre.map(|(bytes, questions)| Centre { mean: decode_f32(&bytes), questions }),
        })
    }

    /// Saves the questions placed by a run and the centroids it changed, in one transaction.
    /// With a new `centre`, the run rebuilt every topic: the model's topics are replaced by these.
    /// `known` is how many questions the state read had: when another run placed questions
    /// meanwhile, nothing is written and the error says to run again.
    pub async fn save_topics(
        &self,
        model: &str,
        known: usize,
        centre: Option<&Centre>,
        centroids: &[&Centroid],
        placed: &[PlacedQuestion],
    ) -> Result<()> {
        const CENTRE: &str = "INSERT INTO topic_centres (model, centre, questions, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (model) DO UPDATE SET centre = excluded.centre, questions = excluded.questions, \
             updated_at = excluded.updated_at";
        const COUNT: &str = "SELECT COUNT(*) FROM topic_questions WHERE model = $1";
        const UPSERT: &str = "INSERT INTO topics (model, id, centroid, members, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (model, id) DO UPDATE SET centroid = excluded.centroid, members = excluded.members, \
             updated_at = excluded.updated_at";
        let now = now_ms();
        let changed = || Error::Conflict {
            code: "topics_changed",
            message: "another insights run placed questions meanwhile: run again".into(),
        };
        on_backend!(self, pool => {
            let mut tx = pool.begin().await.map_err(failed)?;
            if matches!(self.backend, Backend::Postgres(_)) {
                // Runs on several replicas take turns (SQLite serialises its writers itself).
                sqlx::query("LOCK TABLE topics IN EXCLUSIVE MODE").execute(&mut *tx).await.map_err(failed)?;
            }
            let (count,): (i64,) = sqlx::query_as(COUNT).bind(model).fetch_one(&mut *tx).await.map_err(failed)?;
            if count != known as i64 {
                return Err(changed());
            }
            if let Some(centre) = centre {
                for table in ["topics", "topic_questions"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE model = $1"))
                        .bind(model)
                        .execute(&mut *tx)
                        .await
                        .map_err(failed)?;
                }
                sqlx::query(CENTRE)
                    .bind(model)
                    .bind(encode_f32(&centre.mean))
                    .bind(centre.questions)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed)?;
            }
            for centroid in centroids {
                sqlx::query(UPSERT)
                    .bind(model)
                    .bind(centroid.id)
                    .bind(encode_f32(&centroid.sum))
                    .bind(centroid.members)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed)?;
            }
            for batch in placed.chunks(INSERT_BATCH) {
                let values: Vec<String> = (0..batch.len())
                    .map(|r| format!("(${}, ${}, ${}, ${}, ${})", 5 * r + 1, 5 * r + 2, 5 * r + 3, 5 * r + 4, 5 * r + 5))
                    .collect();
                let sql = format!(
                    "INSERT INTO topic_questions (model, question_key, topic_id, vector, last_seen_at) VALUES {}",
                    values.join(", ")
                );
                let mut insert = sqlx::query(&sql);
                for question in batch {
                    insert = insert
                        .bind(model)
                        .bind(&question.key)
                        .bind(question.topic)
                        .bind(encode_f16(&question.vector))
                        .bind(question.last_seen_at);
                }
                match insert.execute(&mut *tx).await {
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(changed()),
                    other => other.map_err(failed)?,
                };
            }
            tx.commit().await.map_err(failed)
        })
    }
}

fn encode_f32(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn decode_f32(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn encode_f16(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| f16::from_f32(*v).to_le_bytes()).collect()
}

fn decode_f16(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_question_typed_differently_has_one_key() {
        assert_eq!(question_key("Where is my parcel?"), question_key("  where is   my parcel ?? "));
        assert_eq!(question_key("退货要多久？"), question_key("退货要多久"));
        assert_ne!(question_key("where is my parcel"), question_key("where is my refund"));
    }

    #[test]
    fn vectors_survive_their_encodings() {
        let v = vec![0.25, -1.5, 3.0e-3];
        assert_eq!(decode_f32(&encode_f32(&v)), v);
        let back = decode_f16(&encode_f16(&v));
        assert!(back.iter().zip(&v).all(|(a, b)| (a - b).abs() < 1e-3), "{back:?}");
    }
}
