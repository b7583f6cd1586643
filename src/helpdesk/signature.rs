//! The signature of a webhook: `X-Kefu-Signature: v1=HEX`, the HMAC-SHA256 of
//! `"{timestamp}.{body}"` under `handoff.webhook_secret`, with `X-Kefu-Timestamp: UNIX_SECONDS`.
//! Signing the timestamp with the body lets a receiver refuse a replayed request: it checks the
//! signature and that the timestamp is recent ([`verify`] is what a receiver does).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-kefu-signature";
/// The header carrying the signing time (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-kefu-timestamp";
/// The header carrying the event's id: the same on every retry, so a receiver can drop repeats.
pub const EVENT_ID_HEADER: &str = "x-kefu-event-id";
/// How old a signed request a receiver should accept, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// The `X-Kefu-Signature` value of `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("v1={}", hex(&mac(secret.as_bytes(), timestamp, body)))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Whether `signature` is `body`'s at `timestamp` and `timestamp` is within [`TOLERANCE_SECS`]
/// of `now` (Unix seconds). Compared in constant time.
pub fn verify(secret: &str, timestamp: i64, body: &[u8], signature: &str, now: i64) -> bool {
    let Some(given) = signature.strip_prefix("v1=").and_then(unhex) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    (now - timestamp).abs() <= TOLERANCE_SECS && mac.verify_slice(&given).is_ok()
}

/// `bytes` as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of hex `text` (either case), if it is hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// Milliseconds to wait before delivery attempt `attempt + 1` after `attempt` failed ones:
/// `base_ms` doubled each time, at most an hour.
pub fn backoff_ms(base_ms: u64, attempt: u32) -> u64 {
    const HOUR_MS: u64 = 3_600_000;
    base_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(32)).min(HOUR_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_what_a_receiver_verifies() {
        let body = br#"{"event":"ticket.opened"}"#;
        let signature = sign("0123456789abcdef", 1_700_000_000, body);
        assert!(signature.starts_with("v1=") && signature.len() == 3 + 64);
        assert!(verify("0123456789abcdef", 1_700_000_000, body, &signature, 1_700_000_100));
        assert!(!verify("0123456789abcdeX", 1_700_000_000, body, &signature, 1_700_000_100), "other secret");
        assert!(!verify("0123456789abcdef", 1_700_000_001, body, &signature, 1_700_000_100), "other time");
        assert!(!verify("0123456789abcdef", 1_700_000_000, b"{}", &signature, 1_700_000_100), "other body");
        assert!(!verify("0123456789abcdef", 1_700_000_000, body, &signature, 1_700_000_301), "replayed late");
        assert!(!verify("0123456789abcdef", 1_700_000_000, body, "v1=zz", 1_700_000_000));
        assert!(!verify("0123456789abcdef", 1_700_000_000, body, &signature[3..], 1_700_000_000));
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(2000, 1), 2000);
        assert_eq!(backoff_ms(2000, 2), 4000);
        assert_eq!(backoff_ms(2000, 5), 32_000);
        assert_eq!(backoff_ms(2000, 40), 3_600_000);
        assert_eq!(backoff_ms(u64::MAX, 3), 3_600_000);
    }
}
