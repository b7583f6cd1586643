//! A reference shop's order API: what kefu's order connector is tested and demonstrated
//! against (docs/orders.md). Orders live in SQLite (created and filled with demo orders in both
//! languages' formats on first start); `GET /api/orders/{order_no}` returns one in kefu's
//! `generic` shape, with `Authorization: Bearer $SHOP_API_TOKEN`.
//!
//! ```sh
//! SHOP_API_TOKEN=… cargo run --example reference_shop -- --addr 127.0.0.1:8090 --db target/shop.db
//! KEFU_ORDERS__URL='http://127.0.0.1:8090/api/orders/{order_no}' \
//!   KEFU_ORDERS__HEADERS='{Authorization="Bearer ${SHOP_API_TOKEN}"}' kefu serve …
//! ```
//!
//! `--delay-ms N` answers every lookup N milliseconds late (a shop system that hangs). Prints
//! `listening on http://ADDR` once it listens.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use sqlx::SqlitePool;
use sqlx::sqlite::SqliteConnectOptions;

/// Demo orders: number, status, items, carrier, tracking number, estimated delivery (days from
/// the day the database is made: the demo stays as current as the day it runs), refund status
/// and amount, currency, e-mail, phone, customer id.
type DemoOrder = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const DEMO_ORDERS: &[DemoOrder] = &[
    (
        "NW-61007",
        "shipped",
        r#"[{"name":"CrispAir 5.5 L Air Fryer","quantity":1}]"#,
        Some("Royal Mail"),
        Some("RM204518337GB"),
        Some("-3"),
        None,
        None,
        "GBP",
        "jo.park@example.com",
        "+44 7700 900321",
        "cust-1006",
    ),
    (
        "NW-58213",
        "shipped",
        r#"[{"name":"Roamo S7 Robot Vacuum","quantity":1}]"#,
        Some("DPD"),
        Some("15501234567890"),
        Some("+2"),
        None,
        None,
        "GBP",
        "alex.doe@example.com",
        "+44 7700 900123",
        "cust-1001",
    ),
    (
        "NW-70031",
        "processing",
        r#"[{"name":"Pour 1.7 L Kettle","quantity":2}]"#,
        None,
        None,
        Some("+4"),
        None,
        None,
        "GBP",
        "sam.lee@example.com",
        "+44 7700 900456",
        "cust-1002",
    ),
    (
        "NW-77104",
        "refund_pending",
        r#"[{"name":"AirTune T3 Earbuds","quantity":1}]"#,
        Some("Royal Mail"),
        None,
        None,
        Some("approved"),
        Some("69.00"),
        "GBP",
        "jo.smith@example.com",
        "+44 7700 900789",
        "cust-1003",
    ),
    (
        "NW-66502",
        "delivered",
        r#"[{"name":"CrispAir 5.5 L Air Fryer","quantity":1}]"#,
        Some("DPD"),
        Some("15509876543210"),
        None,
        None,
        None,
        "GBP",
        "pat.k@example.com",
        "+44 7700 900321",
        "cust-1004",
    ),
    (
        "NW-99999",
        "on_hold_review",
        r#"[{"name":"Vortex Pro Blender","quantity":1}]"#,
        None,
        None,
        None,
        None,
        None,
        "GBP",
        "chris@example.com",
        "+44 7700 900999",
        "cust-1005",
    ),
    (
        "2025111207781",
        "shipped",
        r#"[{"name":"巢好生活扫地机器人 NW-RV700","quantity":1}]"#,
        Some("顺丰速运"),
        Some("SF1402938812"),
        Some("+1"),
        None,
        None,
        "CNY",
        "wang.fang@example.cn",
        "13800138000",
        "cust-2001",
    ),
    (
        "2025112099881",
        "refunded",
        r#"[{"name":"空气炸锅 NW-AF550","quantity":1}]"#,
        Some("中通快递"),
        None,
        None,
        Some("已退款"),
        Some("399.00"),
        "CNY",
        "li.lei@example.cn",
        "13912345678",
        "cust-2002",
    ),
    (
        "NW2025112001",
        "processing",
        r#"[{"name":"破壁料理机 NW-BL1200","quantity":1}]"#,
        None,
        None,
        Some("+6"),
        None,
        None,
        "CNY",
        "zhao.min@example.cn",
        "13600001111",
        "cust-2003",
    ),
];

struct Shop {
    pool: SqlitePool,
    token: Option<String>,
    delay: Duration,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut addr, mut db, mut delay_ms) = ("127.0.0.1:8090".to_string(), "shop.db".to_string(), 0u64);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--addr" => addr = value,
            "--db" => db = value,
            "--delay-ms" => delay_ms = value.parse()?,
            other => return Err(format!("unknown argument {other} (--addr, --db, --delay-ms)").into()),
        }
    }
    let options = SqliteConnectOptions::new().filename(&db).create_if_missing(true);
    let pool = SqlitePool::connect_with(options).await?;
    seed(&pool).await?;
    let shop = Arc::new(Shop {
        pool,
        token: std::env::var("SHOP_API_TOKEN").ok().filter(|t| !t.is_empty()),
        delay: Duration::from_millis(delay_ms),
    });
    let app = Router::new().route("/api/orders/{order_no}", get(order)).with_state(shop);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn seed(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS orders (number TEXT PRIMARY KEY, status TEXT NOT NULL, items TEXT NOT NULL, \
         carrier TEXT, tracking_number TEXT, estimated_delivery TEXT, refund_status TEXT, refund_amount TEXT, \
         currency TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL, customer_id TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    for order in DEMO_ORDERS {
        sqlx::query(
            "INSERT OR IGNORE INTO orders VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(order.0)
        .bind(order.1)
        .bind(order.2)
        .bind(order.3)
        .bind(order.4)
        .bind(order.5.map(due_date))
        .bind(order.6)
        .bind(order.7)
        .bind(order.8)
        .bind(order.9)
        .bind(order.10)
        .bind(order.11)
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// The date `offset` days ("+2", "-3") from today, `YYYY-MM-DD`.
fn due_date(offset: &str) -> String {
    let days: i64 = offset.parse().expect("a demo order's offset in days");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    kefu::insights::calendar::day_of(now_ms + days * 86_400_000)
}

type Row = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
);

async fn order(State(shop): State<Arc<Shop>>, Path(number): Path<String>, headers: HeaderMap) -> Response {
    let authorized = match &shop.token {
        None => true,
        Some(token) => headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.strip_prefix("Bearer ") == Some(token.as_str())),
    };
    if !authorized {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "unauthorized"}))).into_response();
    }
    tokio::time::sleep(shop.delay).await;
    let found: Result<Option<Row>, _> = sqlx::query_as("SELECT * FROM orders WHERE number = $1")
        .bind(&number)
        .fetch_optional(&shop.pool)
        .await;
    match found {
        Ok(Some(row)) => {
            let items: Value = serde_json::from_str(&row.2).unwrap_or(Value::Array(Vec::new()));
            let tracking_url = row.4.as_ref().map(|n| format!("https://track.example/{n}"));
            axum::Json(json!({"order": {
                "number": row.0, "status": row.1, "items": items, "currency": row.8,
                "shipment": {"carrier": row.3, "tracking_number": row.4, "tracking_url": tracking_url,
                             "estimated_delivery": row.5},
                "refund": {"status": row.6, "amount": row.7},
                "customer": {"email": row.9, "phone": row.10, "id": row.11},
            }}))
            .into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, axum::Json(json!({"error": "no such order"}))).into_response(),
        Err(e) => {
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"error": e.to_string()}))).into_response()
        }
    }
}
