//! One customer's own order, from the shop's order system: read-only lookups, given only to a
//! shopper who proved the order is theirs (docs/orders.md).
//!
//! The data flow: a question about an order's progress (`understand::intent`) → the shopper's
//! proof ([`verify`], pure) → the shop's API ([`connector`], the one place with I/O) → its JSON
//! read into kefu's [`OrderView`] ([`mapping`], pure, by JSON pointers) → the answer in the
//! shopper's language ([`reply`], pure). The conversation's state (which order is being
//! checked, whether it was proven) and the wrong attempts per order live in the store.

pub mod connector;
pub mod mapping;
pub mod reply;
pub mod verify;

use serde::Serialize;

/// Order number `number` as its system knows it, however a shopper writes it: letters and
/// digits, upper case ("#1001" → "1001", "nw-58213" → "NW58213").
pub fn canonical(number: &str) -> String {
    number.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// Where an order stands, in kefu's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Paid, being prepared.
    Processing,
    /// Handed to the carrier.
    Shipped,
    /// Delivered.
    Delivered,
    /// Cancelled.
    Cancelled,
    /// A refund is under way.
    RefundPending,
    /// Refunded.
    Refunded,
    /// A status kefu cannot explain (the shop's own word): a person takes it.
    Other(String),
}

impl OrderStatus {
    /// The status named `raw` by the shop's system (`shipped`, `fulfilled`, `in_transit`, …).
    pub fn parse(raw: &str) -> OrderStatus {
        match raw.trim().to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
            "processing" | "paid" | "pending" | "unfulfilled" | "awaiting_shipment" | "confirmed" => {
                OrderStatus::Processing
            }
            "shipped" | "fulfilled" | "in_transit" | "dispatched" | "partially_fulfilled" => {
                OrderStatus::Shipped
            }
            "delivered" | "completed" => OrderStatus::Delivered,
            "cancelled" | "canceled" | "voided" => OrderStatus::Cancelled,
            "refund_pending" | "refund_requested" | "return_in_progress" | "partially_refunded" => {
                OrderStatus::RefundPending
            }
            "refunded" => OrderStatus::Refunded,
            _ => OrderStatus::Other(raw.chars().take(64).collect()),
        }
    }
}

/// A line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderItem {
    /// The product's name.
    pub name: String,
    /// How many.
    pub quantity: u32,
}

/// What kefu knows of one order: what the shop's system said, mapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderView {
    /// The order number.
    pub number: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// Its lines.
    pub items: Vec<OrderItem>,
    /// The carrier.
    pub carrier: Option<String>,
    /// The carrier's tracking number.
    pub tracking_number: Option<String>,
    /// Where to follow the parcel (an `https` or `http` link only).
    pub tracking_url: Option<String>,
    /// Estimated delivery, as the shop's system writes it (a date).
    pub estimated_delivery: Option<String>,
    /// Where a refund stands, in the shop's words.
    pub refund_status: Option<String>,
    /// The refund's amount, as the shop's system writes it.
    pub refund_amount: Option<String>,
    /// Its currency.
    pub currency: Option<String>,
    /// Who may see it: never shown, only compared with the shopper's proof.
    #[serde(skip)]
    pub owner: Owner,
}

/// What proves an order is the shopper's: the contact details on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    /// The e-mail address on the order.
    pub email: Option<String>,
    /// The phone number on the order.
    pub phone: Option<String>,
    /// The shop's id of the customer.
    pub customer_id: Option<String>,
}
