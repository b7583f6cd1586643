//! Order lookups in the store (docs/orders.md): the order each conversation is checking and
//! whether its shopper proved it theirs, and the attempts at proving an order across
//! conversations, which lock it for a while after too many wrong ones.

use super::{Backend, Store, failed, now_ms};
use crate::Result;
use crate::orders::canonical;

/// The order a conversation is checking.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderCheck {
    /// The order number.
    pub order_no: String,
    /// The shopper proved it theirs.
    pub verified: bool,
}

impl Store {
    /// The order conversation `id` is checking, if any.
    pub async fn order_check(&self, id: &str) -> Result<Option<OrderCheck>> {
        const SQL: &str = "SELECT order_no, verified FROM order_checks WHERE conversation_id = $1";
        on_backend!(self, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await).map_err(failed)
    }

    /// Conversation `id` now checks `check`.
    pub async fn set_order_check(&self, id: &str, check: &OrderCheck) -> Result<()> {
        const SQL: &str = "INSERT INTO order_checks (conversation_id, order_no, verified, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id) DO UPDATE SET order_no = $2, verified = $3, \
             updated_at = $4";
        on_backend!(self, pool => sqlx::query(SQL)
            .bind(id)
            .bind(&check.order_no)
            .bind(check.verified)
            .bind(now_ms())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(failed)
    }

    /// Attempts at proving order `order_no`, each within `window_ms` of the one before, the
    /// latest within `window_ms` of now.
    pub async fn order_failures(&self, order_no: &str, window_ms: i64) -> Result<u32> {
        const SQL: &str = "SELECT failures FROM order_failures WHERE order_key = $1 AND last_at >= $2";
        let found: Option<(i64,)> = on_backend!(self, pool => sqlx::query_as(SQL)
            .bind(canonical(order_no))
            .bind(now_ms() - window_ms)
            .fetch_optional(pool)
            .await)
        .map_err(failed)?;
        Ok(found.map_or(0, |(n,)| n.clamp(0, i64::from(u32::MAX)) as u32))
    }

    /// Counts an attempt at proving order `order_no`, before it is checked (so that attempts
    /// sent at once are each counted): the attempts now, this one included. An attempt more
    /// than `window_ms` after the one before starts the count again; a right proof clears it.
    pub async fn record_order_failure(&self, order_no: &str, window_ms: i64) -> Result<u32> {
        const SQL: &str = "INSERT INTO order_failures (order_key, failures, last_at) VALUES ($1, 1, $2) \
             ON CONFLICT (order_key) DO UPDATE SET \
             failures = CASE WHEN order_failures.last_at < $3 THEN 1 ELSE order_failures.failures + 1 END, \
             last_at = $2 \
             RETURNING failures";
        let now = now_ms();
        let (failures,): (i64,) = on_backend!(self, pool => sqlx::query_as(SQL)
            .bind(canonical(order_no))
            .bind(now)
            .bind(now - window_ms)
            .fetch_one(pool)
            .await)
        .map_err(failed)?;
        Ok(failures.clamp(0, i64::from(u32::MAX)) as u32)
    }

    /// Forgets the attempts at order `order_no` (its shopper proved it).
    pub async fn clear_order_failures(&self, order_no: &str) -> Result<()> {
        on_backend!(self, pool => sqlx::query("DELETE FROM order_failures WHERE order_key = $1")
            .bind(canonical(order_no))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(failed)
    }
}
