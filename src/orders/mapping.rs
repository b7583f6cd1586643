//! The shop's order JSON read into an [`OrderView`] by JSON pointers, so that a shop connects
//! its system with configuration, not code. Two shapes ship: `generic` (kefu's reference shop)
//! and `shopify` (the Admin REST API's order with its fulfillments and refunds). Pure: the reply
//! is hostile until read, so every field is bounded and a missing or mistyped one is `None`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{OrderItem, OrderStatus, OrderView, Owner, canonical};

/// Longest text kept of any field.
const MAX_FIELD_CHARS: usize = 200;
/// Most lines of an order kept.
const MAX_ITEMS: usize = 50;

/// Where each field of the view is in the shop's JSON (RFC 6901 pointers; `items` is an array
/// whose elements are read with `item_name` and `item_quantity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    fields: BTreeMap<&'static str, String>,
}

/// The fields a mapping names.
pub const FIELDS: &[&str] = &[
    "number",
    "status",
    "items",
    "item_name",
    "item_quantity",
    "carrier",
    "tracking_number",
    "tracking_url",
    "estimated_delivery",
    "refund_status",
    "refund_amount",
    "currency",
    "email",
    "phone",
    "customer_id",
];

impl Mapping {
    /// The shape named `preset` (`generic` or `shopify`) with `overrides` (field → pointer);
    /// an unknown preset or field, or a pointer that does not start with `/`, is an error naming it.
    pub fn new(preset: &str, overrides: &BTreeMap<String, String>) -> Result<Mapping, String> {
        let base: &[(&str, &str)] = match preset {
            "generic" => &[
                ("number", "/order/number"),
                ("status", "/order/status"),
                ("items", "/order/items"),
                ("item_name", "/name"),
                ("item_quantity", "/quantity"),
                ("carrier", "/order/shipment/carrier"),
                ("tracking_number", "/order/shipment/tracking_number"),
                ("tracking_url", "/order/shipment/tracking_url"),
                ("estimated_delivery", "/order/shipment/estimated_delivery"),
                ("refund_status", "/order/refund/status"),
                ("refund_amount", "/order/refund/amount"),
                ("currency", "/order/currency"),
                ("email", "/order/customer/email"),
                ("phone", "/order/customer/phone"),
                ("customer_id", "/order/customer/id"),
            ],
            "shopify" => &[
                ("number", "/order/name"),
                ("status", "/order/fulfillment_status"),
                ("items", "/order/line_items"),
                ("item_name", "/title"),
                ("item_quantity", "/quantity"),
                ("carrier", "/order/fulfillments/0/tracking_company"),
                ("tracking_number", "/order/fulfillments/0/tracking_number"),
                ("tracking_url", "/order/fulfillments/0/tracking_url"),
                ("estimated_delivery", "/order/fulfillments/0/estimated_delivery_at"),
                ("refund_status", "/order/financial_status"),
                ("refund_amount", "/order/refunds/0/transactions/0/amount"),
                ("currency", "/order/currency"),
                ("email", "/order/email"),
                ("phone", "/order/phone"),
                ("customer_id", "/order/customer/id"),
            ],
            other => return Err(format!("unknown preset {other:?} (generic or shopify)")),
        };
        let mut fields: BTreeMap<&'static str, String> =
            base.iter().map(|(field, pointer)| (*field, (*pointer).to_string())).collect();
        for (field, pointer) in overrides {
            let Some(known) = FIELDS.iter().find(|f| **f == field) else {
                return Err(format!("unknown field {field:?} (one of {})", FIELDS.join(", ")));
            };
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                return Err(format!("{field}: {pointer:?} is not a JSON pointer (it starts with /)"));
            }
            fields.insert(known, pointer.clone());
        }
        Ok(Mapping { fields })
    }

    fn text(&self, json: &Value, field: &str) -> Option<String> {
        let pointer = self.fields.get(field)?;
        let text = match json.pointer(pointer)? {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let text: String = text.chars().filter(|c| !c.is_control()).take(MAX_FIELD_CHARS).collect();
        (!text.is_empty()).then_some(text)
    }

    /// The view of `json`, the order `asked` for; `None` when it names no order or another one
    /// (a shop that answers a lookup with the wrong order must not show it).
    pub fn read(&self, json: &Value, asked: &str) -> Option<OrderView> {
        let number = self.text(json, "number")?;
        if !same_number(&number, asked) {
            return None;
        }
        let items = self
            .fields
            .get("items")
            .and_then(|p| json.pointer(p))
            .and_then(Value::as_array)
            .map(|lines| {
                lines
                    .iter()
                    .take(MAX_ITEMS)
                    .filter_map(|line| {
                        let name = self.text(line, "item_name")?;
                        let quantity = self
                            .fields
                            .get("item_quantity")
                            .and_then(|p| line.pointer(p))
                            .and_then(Value::as_u64)
                            .map_or(1, |q| q.min(u64::from(u32::MAX)) as u32);
                        Some(OrderItem { name, quantity })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let link = self.text(json, "tracking_url").filter(|url| {
            let lower = url.to_ascii_lowercase();
            lower.starts_with("https://") || lower.starts_with("http://")
        });
        Some(OrderView {
            number,
            // No status is no status: a person looks (never "being prepared" by default).
            status: self
                .text(json, "status")
                .map_or(OrderStatus::Other(String::new()), |s| OrderStatus::parse(&s)),
            items,
            carrier: self.text(json, "carrier"),
            tracking_number: self.text(json, "tracking_number"),
            tracking_url: link,
            estimated_delivery: self.text(json, "estimated_delivery"),
            refund_status: self.text(json, "refund_status"),
            refund_amount: self.text(json, "refund_amount"),
            currency: self.text(json, "currency"),
            owner: Owner {
                email: self.text(json, "email"),
                phone: self.text(json, "phone"),
                customer_id: self.text(json, "customer_id"),
            },
        })
    }
}

/// Whether two order numbers are the same, as shoppers write them ("#1001" and "1001",
/// "nw-58213" and "NW-58213").
pub fn same_number(a: &str, b: &str) -> bool {
    let (a, b) = (canonical(a), canonical(b));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_generic_shape_is_read_field_by_field() {
        let mapping = Mapping::new("generic", &BTreeMap::new()).unwrap();
        let json = json!({"order": {
            "number": "NW-58213", "status": "shipped", "currency": "GBP",
            "items": [{"name": "Roamo S7", "quantity": 1}, {"name": "Filter pack"}, {"quantity": 3}],
            "shipment": {"carrier": "DPD", "tracking_number": "15501234567890", "tracking_url": "javascript:alert(1)",
                         "estimated_delivery": "2026-12-04"},
            "customer": {"email": "alex@example.com", "phone": "+44 7700 900123", "id": 42}
        }});
        let view = mapping.read(&json, "nw58213").unwrap();
        assert_eq!(view.status, OrderStatus::Shipped);
        assert_eq!(
            view.items,
            [
                OrderItem { name: "Roamo S7".into(), quantity: 1 },
                OrderItem { name: "Filter pack".into(), quantity: 1 }
            ]
        );
        assert_eq!(view.carrier.as_deref(), Some("DPD"));
        assert_eq!(view.tracking_url, None, "only http(s) links");
        assert_eq!(view.owner.customer_id.as_deref(), Some("42"));
        assert_eq!(view.refund_amount, None);
        assert!(mapping.read(&json, "NW-58214").is_none(), "another order is never shown");
        assert!(mapping.read(&json!({"error": "x"}), "NW-58213").is_none());
    }

    #[test]
    fn shopify_orders_and_overrides_are_read_and_bad_settings_named() {
        let mapping = Mapping::new("shopify", &BTreeMap::new()).unwrap();
        let json = json!({"order": {"name": "#1001", "fulfillment_status": "fulfilled", "email": "a@b.co",
            "line_items": [{"title": "Kettle", "quantity": 2}],
            "fulfillments": [{"tracking_company": "UPS", "tracking_number": "1Z999", "tracking_url": "https://ups.example/1Z999"}]}});
        let view = mapping.read(&json, "1001").unwrap();
        assert_eq!((view.status, view.carrier.as_deref()), (OrderStatus::Shipped, Some("UPS")));
        assert_eq!(view.tracking_url.as_deref(), Some("https://ups.example/1Z999"));
        let overrides =
            BTreeMap::from([("carrier".to_string(), "/order/shipping_lines/0/source".to_string())]);
        let custom = Mapping::new("shopify", &overrides).unwrap();
        assert_eq!(custom.read(&json, "1001").unwrap().carrier, None);
        assert!(Mapping::new("magento", &BTreeMap::new()).unwrap_err().contains("magento"));
        let bad = BTreeMap::from([("colour".to_string(), "/x".to_string())]);
        assert!(Mapping::new("generic", &bad).unwrap_err().contains("colour"));
        let bad = BTreeMap::from([("status".to_string(), "order.status".to_string())]);
        assert!(Mapping::new("generic", &bad).unwrap_err().contains("JSON pointer"));
    }

    #[test]
    fn hostile_values_are_bounded() {
        let mapping = Mapping::new("generic", &BTreeMap::new()).unwrap();
        let long = "x".repeat(10_000);
        let items: Vec<Value> = (0..1000).map(|i| json!({"name": format!("item {i}")})).collect();
        let json = json!({"order": {"number": "NW-1", "status": long, "items": items,
            "shipment": {"carrier": "D\u{0}P\u{7}D"}}});
        let view = mapping.read(&json, "NW-1").unwrap();
        assert_eq!(view.items.len(), MAX_ITEMS);
        assert_eq!(view.carrier.as_deref(), Some("DPD"), "control characters dropped");
        match view.status {
            OrderStatus::Other(raw) => assert_eq!(raw.chars().count(), 64),
            other => panic!("{other:?}"),
        }
    }
}
