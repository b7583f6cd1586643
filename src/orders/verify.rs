//! The shopper's proof that an order is theirs: the e-mail address on it, or the last four
//! digits of its phone number, read from their message; or the shop's own id of its customer,
//! when the shop signed it into the session. Pure. The proof is compared and forgotten: it is
//! never stored or logged (the stored message is redacted as any other).

use super::Owner;

/// What a shopper offered as proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// An e-mail address (lower-cased).
    Email(String),
    /// The last four digits of a phone number.
    PhoneLast4(String),
}

/// The proof in `message`, if it holds one: an e-mail address, else a lone group of four digits
/// that is not part of the order number `order` ("1234", "尾号 1234", "last 4 digits are 1234").
pub fn proof_in(message: &str, order: &str) -> Option<Proof> {
    if let Some(email) = message
        .split(|c: char| c.is_whitespace() || "，,;；:：()（）<>\"'".contains(c))
        .map(|word| word.trim_matches(|c: char| ".。!！?？".contains(c)))
        .find(|word| is_email(word))
    {
        return Some(Proof::Email(email.to_lowercase()));
    }
    let order_digits: String = order.chars().filter(char::is_ascii_digit).collect();
    // Maximal runs of digits, with what stands just before each.
    let mut runs: Vec<(Option<char>, String)> = Vec::new();
    let mut before = None;
    let mut run = String::new();
    for c in message.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            runs.push((before, std::mem::take(&mut run)));
        }
        before = Some(c);
    }
    // A code like NW-58213 is the order, not a proof; nor is the order's own tail ("尾号4417").
    runs.into_iter()
        .rev()
        .find(|(before, digits)| {
            digits.len() == 4
                && *digits != order_digits
                && !before.is_some_and(|c| c.is_ascii_alphabetic() || c == '-')
        })
        .map(|(_, digits)| Proof::PhoneLast4(digits))
}

fn is_email(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 64
        && domain.len() <= 255
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "@._%+-".contains(c))
}

/// Whether `proof` matches the order's `owner`.
pub fn matches(proof: &Proof, owner: &Owner) -> bool {
    match proof {
        Proof::Email(email) => {
            owner.email.as_deref().is_some_and(|own| own.trim().eq_ignore_ascii_case(email))
        }
        Proof::PhoneLast4(last4) => owner.phone.as_deref().is_some_and(|phone| {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            digits.len() >= 4 && digits.ends_with(last4.as_str())
        }),
    }
}

/// Whether the session's customer (the shop's id, signed into the session) owns the order.
pub fn owned_by(customer_id: Option<&str>, owner: &Owner) -> bool {
    match (customer_id, owner.customer_id.as_deref()) {
        (Some(session), Some(own)) => !session.is_empty() && session == own,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner {
            email: Some("Alex.Doe@Example.com".into()),
            phone: Some("+44 7700 900123".into()),
            customer_id: Some("cust-42".into()),
        }
    }

    #[test]
    fn proofs_are_read_from_messages_in_both_languages() {
        let cases = [
            ("it's alex.doe@example.com", Some(Proof::Email("alex.doe@example.com".into()))),
            ("邮箱是 Alex.Doe@Example.com。", Some(Proof::Email("alex.doe@example.com".into()))),
            ("last 4 digits: 0123", Some(Proof::PhoneLast4("0123".into()))),
            ("手机尾号0123", Some(Proof::PhoneLast4("0123".into()))),
            ("0123", Some(Proof::PhoneLast4("0123".into()))),
            ("my order NW-58213", None),
            ("the order was 2025111207781", None),
            ("12345", None),
            ("it cost 1299 pounds", Some(Proof::PhoneLast4("1299".into()))),
            ("hello", None),
        ];
        for (message, proof) in cases {
            assert_eq!(proof_in(message, "NW-58213"), proof, "{message}");
        }
        // The order's own tail is not a proof; four digits that also occur inside a long order
        // number still are.
        assert_eq!(proof_in("订单尾号4417", "4417"), None);
        assert_eq!(proof_in("2025111207781 1120", "2025111207781"), Some(Proof::PhoneLast4("1120".into())));
        assert_eq!(proof_in("NW-1234 then 1234", "NW-5555"), Some(Proof::PhoneLast4("1234".into())));
        assert_eq!(proof_in("is a@b", "x"), None, "no domain");
    }

    #[test]
    fn a_proof_matches_only_the_orders_own_details() {
        assert!(matches(&Proof::Email("alex.doe@example.com".into()), &owner()));
        assert!(!matches(&Proof::Email("alex@example.com".into()), &owner()));
        assert!(matches(&Proof::PhoneLast4("0123".into()), &owner()));
        assert!(!matches(&Proof::PhoneLast4("7700".into()), &owner()));
        assert!(!matches(&Proof::PhoneLast4("0123".into()), &Owner::default()), "no phone on the order");
        assert!(owned_by(Some("cust-42"), &owner()));
        assert!(!owned_by(Some("cust-4"), &owner()) && !owned_by(None, &owner()));
        assert!(!owned_by(Some(""), &Owner { customer_id: Some(String::new()), ..owner() }));
    }
}
