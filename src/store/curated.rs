//! Curated answers in the store: every add, edit and removal is a new version of the answer's
//! row, so the history stays auditable; the live set is each id's latest version that does not
//! remove it.

use serde::Serialize;
use sqlx::types::Json;

use super::{Backend, Store, failed, now_ms};
use crate::answer::curated::{CuratedAnswer, NewCurated};
use crate::{Error, Result};

/// One version of a curated answer, as the history shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CuratedVersion {
    /// The answer as this version left it.
    #[serde(flatten)]
    pub answer: CuratedAnswer,
    /// This version withdrew the answer.
    pub removed: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    version: i64,
    questions: Json<Vec<String>>,
    answer: String,
    locale: String,
    product: Option<String>,
    tags: Json<Vec<String>>,
    author: String,
    source_conversation_id: Option<String>,
    source_turn_seq: Option<i64>,
    removed: bool,
    created_at: i64,
}

impl From<Row> for CuratedVersion {
    fn from(row: Row) -> CuratedVersion {
        CuratedVersion {
            answer: CuratedAnswer {
                id: row.id,
                version: row.version,
                questions: row.questions.0,
                answer: row.answer,
                locale: row.locale,
                product: row.product,
                tags: row.tags.0,
                author: row.author,
                source_conversation_id: row.source_conversation_id,
                source_turn_seq: row.source_turn_seq,
                created_at_ms: row.created_at,
            },
            removed: row.removed,
        }
    }
}

const COLUMNS: &str = "id, version, questions, answer, locale, product, tags, author, source_conversation_id, \
     source_turn_seq, removed, created_at";
/// Each id's latest version.
const LATEST: &str = "version = (SELECT MAX(l.version) FROM curated_answers l WHERE l.id = c.id)";

impl Store {
    /// Adds a curated answer (its version 1).
    pub async fn add_curated(&self, new: &NewCurated) -> Result<CuratedAnswer> {
        self.write_curated(&uuid::Uuid::new_v4().to_string(), 1, new, false).await
    }

    /// Replaces live curated answer `id` with a new version.
    pub async fn revise_curated(&self, id: &str, new: &NewCurated) -> Result<CuratedAnswer> {
        let latest = self.live_curated(id).await?;
        self.write_curated(id, latest.version + 1, new, false).await
    }

    /// Withdraws live curated answer `id` (a version that removes it, by `author`).
    pub async fn remove_curated(&self, id: &str, author: &str) -> Result<CuratedAnswer> {
        let latest = self.live_curated(id).await?;
        let new = NewCurated {
            questions: latest.questions.clone(),
            answer: latest.answer.clone(),
            locale: latest.locale.clone(),
            product: latest.product.clone(),
            tags: latest.tags.clone(),
            author: author.to_string(),
            source: latest.source_conversation_id.clone().zip(latest.source_turn_seq),
        };
        self.write_curated(id, latest.version + 1, &new, true).await
    }

    async fn live_curated(&self, id: &str) -> Result<CuratedAnswer> {
        self.curated_history(id)
            .await?
            .pop()
            .filter(|v| !v.removed)
            .map(|v| v.answer)
            .ok_or_else(|| Error::NotFound(format!("no curated answer `{id}`")))
    }

    /// Inserts version `version` of `id`. Two writers racing for one version: the second fails
    /// on the primary key and is told to read again.
    async fn write_curated(
        &self,
        id: &str,
        version: i64,
        new: &NewCurated,
        removed: bool,
    ) -> Result<CuratedAnswer> {
        let sql = format!(
            "INSERT INTO curated_answers ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        let now = now_ms();
        let (conversation, turn) = new.source.clone().unzip();
        let written = on_backend!(self, pool => {
            sqlx::query(&sql)
                .bind(id)
                .bind(version)
                .bind(Json(&new.questions))
                .bind(&new.answer)
                .bind(&new.locale)
                .bind(&new.product)
                .bind(Json(&new.tags))
                .bind(&new.author)
                .bind(&conversation)
                .bind(turn)
                .bind(removed)
                .bind(now)
                .execute(pool)
                .await
                .map(drop)
        });
        match written {
            Ok(()) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(Error::Conflict {
                    code: "curated_answer_conflict",
                    message: format!("curated answer `{id}` changed meanwhile: read it again"),
                });
            }
            Err(e) => return Err(failed(e)),
        }
        Ok(CuratedAnswer {
            id: id.to_string(),
            version,
            questions: new.questions.clone(),
            answer: new.answer.clone(),
            locale: new.locale.clone(),
            product: new.product.clone(),
            tags: new.tags.clone(),
            author: new.author.clone(),
            source_conversation_id: conversation,
            source_turn_seq: turn,
            created_at_ms: now,
        })
    }

    /// The live curated answers, oldest first.
    pub async fn curated_answers(&self) -> Result<Vec<CuratedAnswer>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM curated_answers c WHERE {LATEST} AND NOT removed ORDER BY created_at, id"
        );
        let rows: Vec<Row> =
            on_backend!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await).map_err(failed)?;
        Ok(rows.into_iter().map(|row| CuratedVersion::from(row).answer).collect())
    }

    /// Every version of curated answer `id`, oldest first (empty when there is none).
    pub async fn curated_history(&self, id: &str) -> Result<Vec<CuratedVersion>> {
        let sql = format!("SELECT {COLUMNS} FROM curated_answers WHERE id = $1 ORDER BY version");
        let rows: Vec<Row> =
            on_backend!(self, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await).map_err(failed)?;
        Ok(rows.into_iter().map(CuratedVersion::from).collect())
    }

    /// What changes with every add, edit and removal: replicas reload their curated answers
    /// when it does.
    pub async fn curated_stamp(&self) -> Result<(i64, i64)> {
        const SQL: &str = "SELECT COUNT(*), COALESCE(MAX(created_at), 0) FROM curated_answers";
        on_backend!(self, pool => sqlx::query_as(SQL).fetch_one(pool).await).map_err(failed)
    }
}
