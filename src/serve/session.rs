//! Session tokens: what a browser holds instead of an API key. `POST /v1/sessions` with a
//! publishable key returns one, bound to one conversation (and the shop's id of its customer,
//! when given), valid for `server.session_ttl_secs`. A token is `kefu_s1.PAYLOAD.MAC`: the
//! payload in base64url JSON, the MAC its HMAC-SHA256 under `server.session_secret`, so that any
//! replica can check it without a lookup. An expired token can be renewed (for the same
//! conversation) within `server.session_renew_days`. Pure: the time is passed in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// What every session token starts with (an API key cannot be mistaken for one).
pub const PREFIX: &str = "kefu_s1.";

/// What a session token grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The one conversation it may read and continue.
    #[serde(rename = "c")]
    pub conversation_id: String,
    /// The shop's id of its customer, if it gave one.
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    /// The id of the publishable key that started it (the conversation's owner).
    #[serde(rename = "k")]
    pub owner_key: String,
    /// The shop signed `external_user_id` (`server.external_user_secret`): kefu trusts it.
    #[serde(rename = "v", default, skip_serializing_if = "std::ops::Not::not")]
    pub verified_user: bool,
    /// Model codes of the products the shop says its (verified) customer owns.
    #[serde(rename = "o", default, skip_serializing_if = "Vec::is_empty")]
    pub owned_products: Vec<String>,
    /// Model codes of the products the customer looked at recently.
    #[serde(rename = "w", default, skip_serializing_if = "Vec::is_empty")]
    pub viewed_products: Vec<String>,
    /// Expiry, Unix seconds.
    #[serde(rename = "exp")]
    pub expires_at: i64,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a token this server signed.
    Invalid,
    /// Signed, but past its expiry.
    Expired,
}

/// Whether `signature` (hex) is the HMAC-SHA256 of `user` under `secret`: the shop vouches
/// for its customer's id.
pub fn user_signed(secret: &str, user: &str, signature: &str) -> bool {
    let Some(bytes) = crate::helpdesk::signature::unhex(signature).filter(|b| b.len() == 32) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(user.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

/// Seals claims into tokens (`PREFIX` + base64url JSON + `.` + base64url HMAC-SHA256 of that
/// payload) and opens them again: session tokens and the console's cookie share it.
#[derive(Clone)]
pub struct Signer {
    secret: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer { secret: *** }")
    }
}

impl Signer {
    /// Tokens signed with `secret`.
    pub fn new(secret: &[u8]) -> Signer {
        Signer { secret: secret.to_vec() }
    }

    /// The MAC covers the prefix too: a token of one kind cannot be relabelled as another.
    fn mac(&self, prefix: &str, payload: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(prefix.as_bytes());
        mac.update(payload.as_bytes());
        mac
    }

    /// The token of `claims`, starting with `prefix`.
    pub fn seal<T: Serialize>(&self, prefix: &str, claims: &T) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
        let mac = URL_SAFE_NO_PAD.encode(self.mac(prefix, &payload).finalize().into_bytes());
        format!("{prefix}{payload}.{mac}")
    }

    /// The claims of `token` if it starts with `prefix` and this signer sealed it.
    pub fn open<T: DeserializeOwned>(&self, prefix: &str, token: &str) -> Result<T, Refusal> {
        let (payload, mac) =
            token.strip_prefix(prefix).and_then(|rest| rest.split_once('.')).ok_or(Refusal::Invalid)?;
        let mac = URL_SAFE_NO_PAD.decode(mac).map_err(|_| Refusal::Invalid)?;
        self.mac(prefix, payload).verify_slice(&mac).map_err(|_| Refusal::Invalid)?;
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| Refusal::Invalid)?;
        serde_json::from_slice(&json).map_err(|_| Refusal::Invalid)
    }
}

/// Issues and checks session tokens under one secret.
#[derive(Debug, Clone)]
pub struct Sessions {
    signer: Signer,
}

impl Sessions {
    /// Tokens signed with `secret`.
    pub fn new(secret: &str) -> Sessions {
        Sessions { signer: Signer::new(secret.as_bytes()) }
    }

    /// The token of `claims`.
    pub fn issue(&self, claims: &Claims) -> String {
        self.signer.seal(PREFIX, claims)
    }

    /// The claims of `token` if this server signed it, whatever its expiry.
    pub fn signed(&self, token: &str) -> Result<Claims, Refusal> {
        self.signer.open(PREFIX, token)
    }

    /// The claims of `token` if this server signed it and it has not expired at `now` (Unix
    /// seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, Refusal> {
        let claims = self.signed(token)?;
        if now >= claims.expires_at {
            return Err(Refusal::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            conversation_id: "c1".into(),
            external_user_id: Some("u1".into()),
            owner_key: "key-0123".into(),
            verified_user: false,
            owned_products: vec!["NW-RV700".into()],
            viewed_products: Vec::new(),
            expires_at: 1000,
        }
    }

    #[test]
    fn a_token_carries_its_claims_until_it_expires() {
        let sessions = Sessions::new("a secret of at least thirty-two chars");
        let token = sessions.issue(&claims());
        assert!(token.starts_with(PREFIX));
        assert_eq!(sessions.verify(&token, 999), Ok(claims()));
        assert_eq!(sessions.verify(&token, 1000), Err(Refusal::Expired));
        assert_eq!(sessions.signed(&token), Ok(claims()), "renewable after expiry");
    }

    #[test]
    fn forged_and_altered_tokens_are_refused() {
        let sessions = Sessions::new("a secret of at least thirty-two chars");
        let token = sessions.issue(&claims());
        let other = Sessions::new("another secret of thirty-two chars!");
        assert_eq!(other.verify(&token, 0), Err(Refusal::Invalid), "another server's secret");
        // Another conversation in the payload, with the original MAC.
        let (payload, mac) = token.strip_prefix(PREFIX).unwrap().split_once('.').unwrap();
        let mut altered = claims();
        altered.conversation_id = "c2".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&altered).unwrap());
        assert_ne!(forged_payload, payload);
        assert_eq!(sessions.verify(&format!("{PREFIX}{forged_payload}.{mac}"), 0), Err(Refusal::Invalid));
        for garbage in ["", "kefu_s1.", "kefu_s1.x.y", "kefu_s1.abc", "Bearer x", &token[..token.len() - 2]] {
            assert_eq!(sessions.verify(garbage, 0), Err(Refusal::Invalid), "{garbage:?}");
        }
    }

    #[test]
    fn a_users_signature_is_checked_against_the_shops_secret() {
        let secret = "the shop's secret of thirty-two chars";
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(b"cust-1001");
        let signature: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert!(user_signed(secret, "cust-1001", &signature));
        assert!(user_signed(secret, "cust-1001", &signature.to_uppercase()));
        assert!(!user_signed(secret, "cust-1002", &signature), "another customer");
        assert!(!user_signed("another secret of thirty-two chars!", "cust-1001", &signature));
        for bad in ["", "zz", &signature[..62], &format!("{}é", &signature[..62])] {
            assert!(!user_signed(secret, "cust-1001", bad), "{bad:?}");
        }
    }
}
