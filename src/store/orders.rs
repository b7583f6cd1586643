//! Order lookups in the store (docs/orders.md): the order each conversation is checking and
//! whether its shopper proved it theirs, and the wrong proofs per order across conversations,
//! which lock an order for a while. An order's failures are kept under a digest of its number.

use super::{Backend, Store, failed, now_ms};
use crate::Result;

/// The order a conversation is checking.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderCheck {
    /// The order number.
    pub order_no: String,
    /// The shopper proved it theirs.
    pub verified: bool,
}

/// The key an order's failures are kept under.
fn order_key(order_no: &str) -> String {
    let canonical: String =
        order_no.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    blake3::hash(canonical.as_bytes()).to_hex()[..32].to_string()
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

    /// Wrong proofs of order `order_no` in the last `window_ms`.
    pub async fn order_failures(&self, order_no: &str, window_ms: i64) -> Result<u32> {
        const SQL: &str = "SELECT failures FROM order_failures WHERE order_key = $1 AND first_at >= $2";
        let found: Option<(i64,)> = on_backend!(self, pool => sqlx::query_as(SQL)
            .bind(order_key(order_no))
            .bind(now_ms() - window_ms)
            .fetch_optional(pool)
            .await)
        .map_err(failed)?;
        Ok(found.map_or(0, |(n,)| n.clamp(0, i64::from(u32::MAX)) as u32))
    }

    /// Counts a wrong proof of order `order_no`: the wrong proofs in the window now (a window
    /// older than `window_ms` starts again).
    pub async fn record_order_failure(&self, order_no: &str, window_ms: i64) -> Result<u32> {
        const SQL: &str = "INSERT INTO order_failures (order_key, failures, first_at) VALUES ($1, 1, $2) \
             ON CONFLICT (order_key) DO UPDATE SET \
             failures = CASE WHEN order_failures.first_at < $3 THEN 1 ELSE order_failures.failures + 1 END, \
             first_at = CASE WHEN order_failures.first_at < $3 THEN $2 ELSE order_failures.first_at END \
             RETURNING failures";
        let now = now_ms();
        let (failures,): (i64,) = on_backend!(self, pool => sqlx::query_as(SQL)
            .bind(order_key(order_no))
            .bind(now)
            .bind(now - window_ms)
            .fetch_one(pool)
            .await)
        .map_err(failed)?;
        Ok(failures.clamp(0, i64::from(u32::MAX)) as u32)
    }

    /// Forgets the wrong proofs of order `order_no` (its shopper proved it).
    pub async fn clear_order_failures(&self, order_no: &str) -> Result<()> {
        on_backend!(self, pool => sqlx::query("DELETE FROM order_failures WHERE order_key = $1")
            .bind(order_key(order_no))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(failed)
    }
}
