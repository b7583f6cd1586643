//! Handoffs that reach a person: what a ticket's life allows ([`ticket`]), when agents are at
//! work ([`hours`]), how webhooks are signed ([`signature`]), and what the customer may be
//! promised. Pure: the store keeps tickets and their outbox, and the HTTP service delivers the
//! webhooks (`crate::serve::webhooks`). docs/handoff.md describes the whole flow.

pub mod hours;
pub mod signature;
pub mod ticket;

pub use hours::BusinessHours;

use crate::answer::messages::Promise;
use crate::config::HandoffConfig;

/// What a customer handed over at `now_ms` may be promised: a reply in the conversation when a
/// ticket reaches a person (told when agents are away), otherwise how to reach the shop.
pub fn promise(config: &HandoffConfig, now_ms: i64) -> Promise {
    if !config.tickets() {
        return match (&config.contact.en, &config.contact.zh) {
            (None, None) => Promise::Elsewhere,
            _ => Promise::Contact(config.contact.clone()),
        };
    }
    // Checked at start-up: a text that does not parse was refused there.
    let hours = config.business_hours.as_deref().and_then(|text| BusinessHours::parse(text).ok());
    Promise::Reply {
        open_now: hours.as_ref().is_none_or(|h| h.is_open(now_ms)),
        hours: hours.map(|h| h.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Contact;

    #[test]
    fn promises_only_what_happens() {
        let mut config = HandoffConfig::default();
        assert_eq!(promise(&config, 0), Promise::Elsewhere, "nobody receives tickets");
        config.contact = Contact { en: Some("support@shop.example".into()), zh: None };
        assert_eq!(promise(&config, 0), Promise::Contact(config.contact.clone()));
        config.agent_console = true;
        assert_eq!(promise(&config, 0), Promise::Reply { open_now: true, hours: None });
        // 1970-01-01 00:00 UTC was a Thursday: 08:00 in UTC+8, before opening.
        config.business_hours = Some("mon-fri 09:00-18:00 +08:00".into());
        let hours = Some("mon-fri 09:00-18:00 +08:00".to_string());
        assert_eq!(promise(&config, 0), Promise::Reply { open_now: false, hours: hours.clone() });
        assert_eq!(promise(&config, 3_600_000), Promise::Reply { open_now: true, hours });
    }
}
