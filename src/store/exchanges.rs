//! The exchanges the insights read (a customer's question and kefu's answer to it), and the
//! settled days of them kept in `insight_days`, so that a run reads a few blobs rather than
//! every turn of the period again (docs/insights.md).
//!
//! A kept day is derived data: a deletion drops the days its turns were in, in its own
//! transaction, and a day whose turn count is not the one it was built from is read again from
//! the turns and kept anew. A damaged blob is read again too.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::ops::Range;

use bincode::Options;
use futures_util::TryStreamExt;
use sqlx::types::Json;

use super::{Backend, Store, failed, now_ms};
use crate::insights::digest::{AnswerFacts, Exchange};
use crate::{Error, Result};

/// The version of a kept day's encoding; a day kept in another one is read again.
const FORMAT: i64 = 1;
const DAY_MS: i64 = 86_400_000;
/// A day is kept once it ended this long ago, when the answers to its last questions are written.
const SETTLED_MS: i64 = 3_600_000;
/// The most bytes a kept day decodes to (a million exchanges of a few hundred bytes).
const MAX_DAY_BYTES: u64 = 1 << 30;

/// The UTC days (days since 1970) wholly inside `[from_ms, to_ms)` that had ended
/// [`SETTLED_MS`] before `now_ms`.
pub fn settled_days(from_ms: i64, to_ms: i64, now_ms: i64) -> Range<i64> {
    let first = (from_ms + DAY_MS - 1).div_euclid(DAY_MS);
    let end = to_ms.div_euclid(DAY_MS).min((now_ms - SETTLED_MS).div_euclid(DAY_MS));
    first..end.max(first)
}

/// A day's exchanges as kept.
pub fn encode(exchanges: &[Exchange]) -> Result<Vec<u8>> {
    let bytes = bincode::options()
        .with_limit(MAX_DAY_BYTES)
        .serialize(exchanges)
        .map_err(|e| Error::Store(format!("cannot encode a day of exchanges: {e}")))?;
    let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    deflated.write_all(&bytes).and_then(|()| deflated.finish()).map_err(Error::io("a day of exchanges"))
}

/// A kept day's exchanges; `None` when the blob is damaged.
pub fn decode(blob: &[u8]) -> Option<Vec<Exchange>> {
    let mut bytes = Vec::new();
    flate2::read::DeflateDecoder::new(blob).take(MAX_DAY_BYTES).read_to_end(&mut bytes).ok()?;
    bincode::options().with_limit(MAX_DAY_BYTES).deserialize(&bytes).ok()
}

#[derive(sqlx::FromRow)]
struct ExchangeFields {
    conversation_id: String,
    seq: i64,
    question: String,
    followup: bool,
    language: Option<String>,
    channel: String,
    created_at: i64,
    frustrated: bool,
    abstained: Option<bool>,
    handoff_reason: Option<String>,
    citations: Option<Json<Vec<CitedDocument>>>,
    total_ms: Option<f64>,
}

#[derive(serde::Deserialize)]
struct CitedDocument {
    doc_id: String,
}

impl From<ExchangeFields> for Exchange {
    fn from(row: ExchangeFields) -> Exchange {
        let answer = row.abstained.map(|abstained| AnswerFacts {
            abstained,
            handoff_reason: row.handoff_reason,
            cited_docs: row
                .citations
                .map(|c| c.0.into_iter().map(|d| d.doc_id).collect())
                .unwrap_or_default(),
            total_ms: row.total_ms,
        });
        Exchange {
            conversation_id: row.conversation_id,
            seq: row.seq,
            question: row.question,
            followup: row.followup,
            language: row.language,
            channel: row.channel,
            created_at: row.created_at,
            frustrated: row.frustrated,
            answer,
        }
    }
}

impl Store {
    /// Calls `each` with every customer question asked in `[from_ms, to_ms)` and kefu's answer
    /// to it (the turn after it), ordered by conversation and sequence number; returns how many.
    /// Settled days come from `insight_days` while their turn count is unchanged and are kept
    /// there otherwise; the rest of the period is read from the turns.
    pub async fn insight_exchanges(
        &self,
        from_ms: i64,
        to_ms: i64,
        each: impl FnMut(Exchange),
    ) -> Result<u64> {
        let days = settled_days(from_ms, to_ms, now_ms());
        let mut exchanges = Vec::new();
        if days.is_empty() {
            self.read_exchanges(from_ms, to_ms, &mut exchanges).await?;
        } else {
            self.read_exchanges(from_ms, days.start * DAY_MS, &mut exchanges).await?;
            let mut kept = self.kept_days(&days).await?;
            for (day, turns) in self.turns_per_day(&days).await? {
                let found = kept.remove(&day).filter(|(kept_turns, _)| *kept_turns == turns);
                match found.and_then(|(_, blob)| decode(&blob)) {
                    Some(mut found) => exchanges.append(&mut found),
                    None => {
                        let mut found = Vec::new();
                        self.read_exchanges(day * DAY_MS, (day + 1) * DAY_MS, &mut found).await?;
                        self.keep_day(day, turns, &encode(&found)?).await?;
                        exchanges.append(&mut found);
                    }
                }
            }
            self.read_exchanges(days.end * DAY_MS, to_ms, &mut exchanges).await?;
        }
        exchanges.sort_unstable_by(|a, b| (&a.conversation_id, a.seq).cmp(&(&b.conversation_id, b.seq)));
        let count = exchanges.len() as u64;
        exchanges.into_iter().for_each(each);
        Ok(count)
    }

    /// Appends the exchanges of `[from_ms, to_ms)` read from the turns, in no order. One row per
    /// exchange: the store sends half the rows it would turn by turn.
    async fn read_exchanges(&self, from_ms: i64, to_ms: i64, exchanges: &mut Vec<Exchange>) -> Result<()> {
        const SQL: &str = "SELECT c.conversation_id, c.seq, COALESCE(c.resolved_query, c.text) AS question, \
             COALESCE(c.resolved_query <> c.text, FALSE) AS followup, c.language, c.channel, c.created_at, \
             c.frustration IS NOT NULL AS frustrated, b.abstained, b.handoff_reason, b.citations, b.total_ms \
             FROM turns c LEFT JOIN turns b ON b.conversation_id = c.conversation_id AND b.seq = c.seq + 1 \
             AND b.role = 'bot' \
             WHERE c.role = 'customer' AND c.created_at >= $1 AND c.created_at < $2";
        if from_ms >= to_ms {
            return Ok(());
        }
        on_backend!(self, pool => {
            let mut rows = sqlx::query_as::<_, ExchangeFields>(SQL).bind(from_ms).bind(to_ms).fetch(pool);
            while let Some(row) = rows.try_next().await.map_err(failed)? {
                exchanges.push(row.into());
            }
            Ok::<_, Error>(())
        })
    }

    /// The turns created on each of `days` that has any.
    async fn turns_per_day(&self, days: &Range<i64>) -> Result<BTreeMap<i64, i64>> {
        const SQL: &str = "SELECT created_at / 86400000, COUNT(*) FROM turns \
             WHERE created_at >= $1 AND created_at < $2 GROUP BY created_at / 86400000";
        let rows: Vec<(i64, i64)> = on_backend!(self, pool => {
            sqlx::query_as(SQL).bind(days.start * DAY_MS).bind(days.end * DAY_MS).fetch_all(pool).await
        })
        .map_err(failed)?;
        Ok(rows.into_iter().collect())
    }

    /// The kept days among `days`, in this encoding: their turn count and blob.
    async fn kept_days(&self, days: &Range<i64>) -> Result<HashMap<i64, (i64, Vec<u8>)>> {
        const SQL: &str =
            "SELECT day, turns, exchanges FROM insight_days WHERE format = $1 AND day >= $2 AND day < $3";
        let rows: Vec<(i64, i64, Vec<u8>)> = on_backend!(self, pool => {
            sqlx::query_as(SQL).bind(FORMAT).bind(days.start).bind(days.end).fetch_all(pool).await
        })
        .map_err(failed)?;
        Ok(rows.into_iter().map(|(day, turns, blob)| (day, (turns, blob))).collect())
    }

    /// Keeps `day`'s exchanges, read when it had `turns` turns, unless its count changed since
    /// (a deletion meanwhile: what it took must not come back).
    async fn keep_day(&self, day: i64, turns: i64, blob: &[u8]) -> Result<()> {
        const COUNT: &str = "SELECT COUNT(*) FROM turns WHERE created_at >= $1 AND created_at < $2";
        const UPSERT: &str = "INSERT INTO insight_days (day, format, turns, exchanges, built_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day) DO UPDATE SET format = excluded.format, \
             turns = excluded.turns, exchanges = excluded.exchanges, built_at = excluded.built_at";
        on_backend!(self, pool => {
            let mut tx = pool.begin().await.map_err(failed)?;
            let now: i64 = sqlx::query_scalar(COUNT)
                .bind(day * DAY_MS)
                .bind((day + 1) * DAY_MS)
                .fetch_one(&mut *tx)
                .await
                .map_err(failed)?;
            if now == turns {
                sqlx::query(UPSERT)
                    .bind(day)
                    .bind(FORMAT)
                    .bind(turns)
                    .bind(blob)
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await
                    .map_err(failed)?;
            }
            tx.commit().await.map_err(failed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;

    #[test]
    fn settled_days_are_whole_ended_an_hour_ago_and_inside_the_period() {
        let day = |d: i64| d * DAY_MS;
        // A period from 08:00 on day 10 to 08:00 on day 20 (a UTC+8 calendar): days 11 to 19.
        assert_eq!(settled_days(day(10) + 8 * HOUR_MS, day(20) + 8 * HOUR_MS, day(30)), 11..20);
        // Day 19 ended 30 minutes ago: not settled yet.
        assert_eq!(settled_days(day(10), day(25), day(19) + DAY_MS + HOUR_MS / 2), 10..19);
        assert_eq!(settled_days(day(10), day(25), day(20) + HOUR_MS), 10..20);
        // Less than a whole day, or nothing ended yet: none.
        assert!(settled_days(day(10) + 1, day(11) + 5, day(30)).is_empty());
        assert!(settled_days(day(10), day(12), day(10)).is_empty());
    }

    #[test]
    fn a_day_decodes_to_what_was_kept_and_a_damaged_one_to_nothing() {
        let exchange = |seq: i64, answer: Option<AnswerFacts>| Exchange {
            conversation_id: "c1".into(),
            seq,
            question: "退货运费谁出？".into(),
            followup: seq > 1,
            language: Some("zh".into()),
            channel: "web".into(),
            created_at: 1_764_000_000_000 + seq,
            frustrated: false,
            answer,
        };
        let answer = AnswerFacts {
            abstained: false,
            handoff_reason: Some("low_confidence".into()),
            cited_docs: vec!["zh/policies/returns.md".into()],
            total_ms: Some(41.5),
        };
        let day = vec![exchange(1, Some(answer)), exchange(3, None)];
        let blob = encode(&day).unwrap();
        assert_eq!(decode(&blob), Some(day));
        assert_eq!(decode(&blob[..blob.len() / 2]), None);
        assert_eq!(decode(b"not a kept day"), None);
        assert_eq!(decode(&encode(&[]).unwrap()), Some(vec![]));
    }
}
