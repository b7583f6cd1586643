//! What kefu tells a shopper about their order, in their language. Pure: the lookup's time is
//! passed in. Nothing here says whether an order exists until the shopper proved it is theirs:
//! a wrong proof and an unknown order get the same words.

use super::{OrderStatus, OrderView};

/// The order system's name, as a source.
pub fn source_title(language: &str) -> &'static str {
    match language {
        "zh" => "订单系统",
        _ => "Order system",
    }
}

/// kefu needs proof that order `number` is the shopper's before it says anything about it.
pub fn ask_proof(language: &str, number: &str) -> String {
    match language {
        "zh" => format!(
            "为了保护您的信息，查询订单 {number} 前需要先核实身份：请发送下单时填写的邮箱，或手机号的后四位。"
        ),
        _ => format!(
            "To look up order {number}, I first need to check it's yours: please send the e-mail address on the order, or the last 4 digits of its phone number."
        ),
    }
}

/// The proof did not match (or there is no such order: the shopper is not told which).
pub fn wrong_proof(language: &str, number: &str, attempts_left: u32) -> String {
    match language {
        "zh" => format!("这与订单 {number} 的信息不符，请核对后再试（还可尝试 {attempts_left} 次）。"),
        _ => format!(
            "That doesn't match the details of order {number}. Please check and try again ({attempts_left} {} left).",
            if attempts_left == 1 { "attempt" } else { "attempts" }
        ),
    }
}

/// Too many wrong proofs: a person takes over.
pub fn locked(language: &str, number: &str) -> String {
    match language {
        "zh" => format!(
            "我无法核实订单 {number} 属于您，所以不能在这里提供详情。已为您转接人工客服，同事会帮您处理。"
        ),
        _ => format!(
            "I couldn't confirm that order {number} is yours, so I can't share its details here. I've passed it to a colleague, who will help you."
        ),
    }
}

/// The shop's order system did not answer in time, or failed.
pub fn unavailable(language: &str, number: &str) -> String {
    match language {
        "zh" => {
            format!("订单系统暂时无法连接，我现在查不到订单 {number}。已为您转接人工客服，同事会尽快跟进。")
        }
        _ => format!(
            "I can't reach our order system right now, so I can't check order {number}. I've passed it to a colleague, who will follow up."
        ),
    }
}

/// What the shopper is told of their order, ending with the citation `[n]`; `None` when its
/// status is one kefu cannot explain (a person takes it, see [`unexplained`]).
pub fn status(language: &str, view: &OrderView, n: usize) -> Option<String> {
    let zh = language == "zh";
    let number = &view.number;
    let items = if view.items.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = view.items.iter().map(|i| format!("{} × {}", i.name, i.quantity)).collect();
        if zh { format!("（{}）", list.join("、")) } else { format!(" ({})", list.join(", ")) }
    };
    let mut text = match &view.status {
        OrderStatus::Processing => {
            if zh {
                format!("订单 {number}{items}正在备货，尚未发货。")
            } else {
                format!("Order {number}{items} is being prepared and hasn't shipped yet.")
            }
        }
        OrderStatus::Shipped => {
            let carrier = view.carrier.as_deref();
            match (zh, carrier) {
                (true, Some(carrier)) => format!("订单 {number}{items}已由{carrier}发出。"),
                (true, None) => format!("订单 {number}{items}已发货。"),
                (false, Some(carrier)) => format!("Order {number}{items} has shipped with {carrier}."),
                (false, None) => format!("Order {number}{items} has shipped."),
            }
        }
        OrderStatus::Delivered => {
            if zh {
                format!("订单 {number}{items}已签收。")
            } else {
                format!("Order {number}{items} has been delivered.")
            }
        }
        OrderStatus::Cancelled => {
            if zh {
                format!("订单 {number}{items}已取消。")
            } else {
                format!("Order {number}{items} was cancelled.")
            }
        }
        OrderStatus::RefundPending | OrderStatus::Refunded => {
            let done = view.status == OrderStatus::Refunded;
            let amount = view.refund_amount.as_deref().map(|a| match view.currency.as_deref() {
                Some(currency) => format!("{a} {currency}"),
                None => a.to_string(),
            });
            match (zh, done, amount) {
                (true, true, Some(a)) => format!("订单 {number} 的退款 {a} 已退回原支付方式。"),
                (true, true, None) => format!("订单 {number} 已退款。"),
                (true, false, Some(a)) => format!("订单 {number} 的退款 {a} 正在处理中。"),
                (true, false, None) => format!("订单 {number} 的退款正在处理中。"),
                (false, true, Some(a)) => format!("The refund of {a} for order {number} has been paid back."),
                (false, true, None) => format!("Order {number} has been refunded."),
                (false, false, Some(a)) => {
                    format!("The refund of {a} for order {number} is being processed.")
                }
                (false, false, None) => format!("The refund for order {number} is being processed."),
            }
        }
        OrderStatus::Other(_) => return None,
    };
    if let (OrderStatus::RefundPending | OrderStatus::Refunded, Some(state)) =
        (&view.status, &view.refund_status)
    {
        text.push_str(&if zh {
            format!("退款状态：{state}。")
        } else {
            format!(" Refund status: {state}.")
        });
    }
    if let Some(tracking) = &view.tracking_number {
        text.push_str(&if zh {
            format!("运单号：{tracking}。")
        } else {
            format!(" Tracking number: {tracking}.")
        });
    }
    if let Some(link) = &view.tracking_url {
        // A space after the link: the next sentence must not read as part of it.
        text.push_str(&if zh { format!("物流查询：{link} ") } else { format!(" Follow it at {link}") });
    }
    if let Some(eta) = &view.estimated_delivery
        && matches!(view.status, OrderStatus::Shipped | OrderStatus::Processing)
    {
        text.push_str(&if zh {
            format!("预计送达：{eta}。")
        } else {
            format!(" Estimated delivery: {eta}.")
        });
    }
    Some(format!("{} [{n}]", text.trim_end()))
}

/// The help center's word on where an order stands: the question kefu asks it, and what
/// introduces the answer beside the status.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyQuestion {
    /// Asked of the help center.
    pub question: &'static str,
    /// Said before its answer ("It is 3 days late. What we do about late parcels:").
    pub intro: String,
}

/// The policy to quote beside the status of `view` on day `today` (days since 1970-01-01): a
/// parcel past its estimated delivery, or a refund under way; `None` when the status needs none.
pub fn policy_question(language: &str, view: &OrderView, today: i64) -> Option<PolicyQuestion> {
    let zh = language == "zh";
    match view.status {
        OrderStatus::Shipped => {
            let due = crate::insights::calendar::parse_date(view.estimated_delivery.as_deref()?.get(..10)?)?;
            let late = today - due;
            (late > 0).then(|| PolicyQuestion {
                question: if zh {
                    "快递超过预计送达时间还没到怎么办"
                } else {
                    "the tracking of my late parcel has no update, when do you open an investigation with the carrier"
                },
                intro: match (zh, late) {
                    (true, _) => format!("比预计送达已晚 {late} 天。关于延误："),
                    (false, 1) => "It is 1 day late. What we do about late parcels:".into(),
                    (false, _) => format!("It is {late} days late. What we do about late parcels:"),
                },
            })
        }
        OrderStatus::RefundPending => Some(PolicyQuestion {
            question: if zh {
                "退款多久到账"
            } else {
                "how long does a refund take to reach my account"
            },
            intro: if zh { "退款到账时间：" } else { "How long refunds take:" }.into(),
        }),
        _ => None,
    }
}

/// The order's status is one kefu cannot explain: it says so, and a person takes it.
pub fn unexplained(language: &str, number: &str) -> String {
    match language {
        "zh" => format!("订单 {number} 目前的状态需要人工核实，已为您转接人工客服，同事会尽快回复。"),
        _ => format!(
            "Order {number} is in a state I can't explain here, so I've passed it to a colleague, who will get back to you."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{OrderItem, Owner};
    use super::*;

    #[test]
    fn a_late_parcel_and_a_refund_under_way_bring_their_policy() {
        let due = crate::insights::calendar::parse_date("2026-12-04").unwrap();
        let shipped = view(OrderStatus::Shipped);
        assert_eq!(policy_question("en", &shipped, due), None, "due today is not late");
        let late = policy_question("en", &shipped, due + 3).unwrap();
        assert!(late.intro.starts_with("It is 3 days late"), "{}", late.intro);
        assert!(policy_question("zh", &shipped, due + 1).unwrap().intro.contains("已晚 1 天"));
        assert!(policy_question("en", &view(OrderStatus::RefundPending), due).is_some());
        assert_eq!(policy_question("en", &view(OrderStatus::Delivered), due + 9), None);
    }

    fn view(status: OrderStatus) -> OrderView {
        OrderView {
            number: "NW-58213".into(),
            status,
            items: vec![OrderItem { name: "Roamo S7".into(), quantity: 1 }],
            carrier: Some("DPD".into()),
            tracking_number: Some("15501234567890".into()),
            tracking_url: Some("https://track.example/15501234567890".into()),
            estimated_delivery: Some("2026-12-04".into()),
            refund_status: None,
            refund_amount: Some("89.00".into()),
            currency: Some("GBP".into()),
            owner: Owner::default(),
        }
    }

    #[test]
    fn a_shipped_order_is_told_with_its_carrier_tracking_and_date_in_both_languages() {
        let en = status("en", &view(OrderStatus::Shipped), 1).unwrap();
        assert_eq!(
            en,
            "Order NW-58213 (Roamo S7 × 1) has shipped with DPD. Tracking number: 15501234567890. \
             Follow it at https://track.example/15501234567890 Estimated delivery: 2026-12-04. [1]"
        );
        let zh = status("zh", &view(OrderStatus::Shipped), 1).unwrap();
        assert!(zh.starts_with("订单 NW-58213（Roamo S7 × 1）已由DPD发出。运单号：15501234567890。"), "{zh}");
        assert!(zh.contains("预计送达：2026-12-04") && zh.ends_with("[1]"), "{zh}");
    }

    #[test]
    fn refunds_say_their_amount_and_unknown_states_go_to_a_person() {
        let mut approved = view(OrderStatus::RefundPending);
        approved.refund_status = Some("approved".into());
        assert!(status("en", &approved, 1).unwrap().contains("Refund status: approved."));
        let refund = status("en", &view(OrderStatus::RefundPending), 2).unwrap();
        assert!(
            refund.starts_with("The refund of 89.00 GBP for order NW-58213 is being processed."),
            "{refund}"
        );
        assert!(!refund.contains("Estimated delivery"));
        assert!(status("zh", &view(OrderStatus::Refunded), 1).unwrap().contains("89.00 GBP 已退回"));
        assert_eq!(status("en", &view(OrderStatus::Other("on_hold_review".into())), 1), None);
        assert!(unexplained("zh", "NW-1").contains("人工"));
    }

    #[test]
    fn a_wrong_proof_says_nothing_of_the_order() {
        let told = wrong_proof("en", "NW-58213", 1);
        assert_eq!(
            told,
            "That doesn't match the details of order NW-58213. Please check and try again (1 attempt left)."
        );
        assert!(wrong_proof("zh", "NW-58213", 2).contains("还可尝试 2 次"));
        assert!(ask_proof("zh", "NW-1").contains("手机号的后四位"));
    }
}
