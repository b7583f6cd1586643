//! The console's sign-in: an agent or admin API key exchanged for a cookie, so that the key is
//! typed once and never kept by the page's scripts.
//!
//! `POST /console/api/session {"key", "agent"}` checks the key as any request's key is checked
//! (failures counted per address) and sets `kefu_console`: a token sealed like session tokens,
//! naming the key's id (never the key), the agent's name, a CSRF token and an expiry, with
//! `HttpOnly`, `SameSite=Strict` and, except on a loopback host, `Secure`. The `/v1` routes then
//! take the cookie in place of an API key, with the scope the key has now (a key removed from the
//! configuration signs its cookies out); a request that changes something must also send the CSRF
//! token in `X-CSRF-Token`, which a page of another origin cannot read. The cookie is sealed with
//! `server.session_secret` when set (replicas share sign-ins), else with a secret drawn at start.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::{Access, ClientAddr};
use super::routes::{JsonBody, RequestBody, validate_id};
use super::session::{Refusal, Signer};
use crate::config::Scope;
use crate::{Error, Result};

/// The cookie's name.
pub const COOKIE: &str = "kefu_console";
/// The header that carries the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// What every console cookie starts with.
const PREFIX: &str = "kefu_c1.";

/// What a console cookie grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleClaims {
    /// The id of the key signed in with ([`super::auth::key_id`]).
    #[serde(rename = "k")]
    pub key_id: String,
    /// The name the agent replies under.
    #[serde(rename = "a")]
    pub agent: String,
    /// The token a changing request must echo in `X-CSRF-Token`.
    #[serde(rename = "x")]
    pub csrf: String,
    /// Expiry, Unix seconds.
    #[serde(rename = "exp")]
    pub expires_at: i64,
}

/// Issues and checks console cookies.
#[derive(Debug)]
pub struct ConsoleSessions {
    signer: Signer,
    ttl_secs: i64,
}

impl ConsoleSessions {
    /// Cookies sealed with `secret` (a random one when `None`), valid for `ttl_hours`.
    pub fn new(secret: Option<&str>, ttl_hours: u32) -> ConsoleSessions {
        let signer = match secret {
            Some(secret) => Signer::new(secret.as_bytes()),
            None => Signer::new(&random_bytes()),
        };
        ConsoleSessions { signer, ttl_secs: i64::from(ttl_hours) * 3600 }
    }

    /// A new sign-in of key `key_id` as `agent` at `now` (Unix seconds): the cookie's value and
    /// its claims.
    pub fn issue(&self, key_id: &str, agent: &str, now: i64) -> (String, ConsoleClaims) {
        let csrf = crate::helpdesk::signature::hex(&random_bytes());
        let claims = ConsoleClaims {
            key_id: key_id.into(),
            agent: agent.into(),
            csrf,
            expires_at: now + self.ttl_secs,
        };
        (self.signer.seal(PREFIX, &claims), claims)
    }

    /// The claims of cookie value `token` if this server sealed it and it has not expired.
    pub fn verify(&self, token: &str, now: i64) -> Result<ConsoleClaims, Refusal> {
        let claims: ConsoleClaims = self.signer.open(PREFIX, token)?;
        if now >= claims.expires_at {
            return Err(Refusal::Expired);
        }
        Ok(claims)
    }
}

/// 32 random bytes (two v4 UUIDs: the operating system's generator).
fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes
}

/// The value of the console cookie among the request's cookies.
pub fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

/// Whether `method` changes something, so that it must carry the CSRF token.
pub fn changes(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request carries `claims`' CSRF token.
pub fn csrf_matches(headers: &HeaderMap, claims: &ConsoleClaims) -> bool {
    headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| super::auth::constant_time_eq(sent.as_bytes(), claims.csrf.as_bytes()))
}

/// `Set-Cookie` for `value`, kept `max_age` seconds (0 removes it). `Secure` unless the page
/// was reached over plain HTTP on a loopback host (local development); a reverse proxy that
/// reaches kefu on loopback says `X-Forwarded-Proto: https`, and the cookie is `Secure`.
fn set_cookie(headers: &HeaderMap, value: &str, max_age: i64) -> HeaderValue {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let name = host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()));
    let name = name.map_or(host, |(name, _)| name);
    let behind_tls = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let local = matches!(name, "localhost" | "127.0.0.1" | "[::1]") && !behind_tls;
    let secure = if local { "" } else { "; Secure" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("cookie values are base64url and ASCII")
}

/// `POST /console/api/session`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// An API key of the agent or admin scope.
    pub key: String,
    /// The name to reply under (1–128 ASCII letters, digits, `-`, `_`, `.`, `:`).
    pub agent: String,
}

impl RequestBody for SignIn {
    const REQUIRED: &'static str = "key";
}

/// Who is signed in to the console.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsoleSessionView {
    /// `agent` or `admin`.
    pub scope: String,
    /// The name replies go under.
    pub agent: String,
    /// Send it as `X-CSRF-Token` with every request that changes something.
    pub csrf: String,
    /// When the sign-in ends, Unix milliseconds.
    pub expires_at_ms: i64,
}

impl ConsoleSessionView {
    fn new(claims: ConsoleClaims, scope: Scope) -> ConsoleSessionView {
        ConsoleSessionView {
            scope: scope.as_str().into(),
            agent: claims.agent,
            csrf: claims.csrf,
            expires_at_ms: claims.expires_at * 1000,
        }
    }
}

/// Signs in to the console with an agent or admin key: sets the session cookie.
#[utoipa::path(post, path = "/console/api/session", request_body = SignIn,
    responses((status = 200, body = ConsoleSessionView), (status = 401, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignIn>,
) -> Result<Response> {
    let caller = state.auth.authorize_key(&request.key, client, Access::Key(Scope::Agent))?;
    validate_id(&request.agent, "invalid_agent", "agent")?;
    let (value, claims) = state.auth.console().issue(&caller.key_id, &request.agent, super::unix_secs());
    let max_age = claims.expires_at - super::unix_secs();
    let cookie = set_cookie(&headers, &value, max_age);
    Ok(([(header::SET_COOKIE, cookie)], Json(ConsoleSessionView::new(claims, caller.scope))).into_response())
}

/// Who is signed in (401 when nobody is).
#[utoipa::path(get, path = "/console/api/session",
    responses((status = 200, body = ConsoleSessionView), (status = 401, body = super::error::ErrorBody)))]
pub async fn session(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<ConsoleSessionView>> {
    let (claims, scope) = state.auth.console_claims(&headers)?;
    Ok(Json(ConsoleSessionView::new(claims, scope)))
}

/// Signs out: removes the cookie (with the CSRF token, when signed in).
#[utoipa::path(delete, path = "/console/api/session",
    responses((status = 204, description = "Signed out"), (status = 403, body = super::error::ErrorBody)))]
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Ok((claims, _)) = state.auth.console_claims(&headers)
        && !csrf_matches(&headers, &claims)
    {
        return Err(Error::Forbidden(format!("send the console's CSRF token in `{CSRF_HEADER}`")));
    }
    let cookie = set_cookie(&headers, "", 0);
    Ok(([(header::SET_COOKIE, cookie)], axum::http::StatusCode::NO_CONTENT).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_carries_its_claims_until_it_expires_and_only_under_its_secret() {
        let sessions = ConsoleSessions::new(Some("a secret of at least thirty-two chars"), 1);
        let (value, claims) = sessions.issue("key-0123", "alice", 1000);
        assert!(value.starts_with(PREFIX));
        assert_eq!(claims.expires_at, 1000 + 3600);
        assert_eq!(claims.csrf.len(), 64);
        assert_eq!(sessions.verify(&value, 4599), Ok(claims.clone()));
        assert_eq!(sessions.verify(&value, 4600), Err(Refusal::Expired));
        let other = ConsoleSessions::new(None, 1);
        assert_eq!(other.verify(&value, 1000), Err(Refusal::Invalid));
        // A session token is not a console cookie, even under the same secret and relabelled.
        let session = Signer::new(b"a secret of at least thirty-two chars").seal("kefu_s1.", &claims);
        assert_eq!(sessions.verify(&session, 1000), Err(Refusal::Invalid));
        let relabelled = session.replacen("kefu_s1.", PREFIX, 1);
        assert_eq!(sessions.verify(&relabelled, 1000), Err(Refusal::Invalid), "the MAC covers the prefix");
        let (_, again) = sessions.issue("key-0123", "alice", 1000);
        assert_ne!(again.csrf, claims.csrf, "a CSRF token per sign-in");
    }

    #[test]
    fn the_cookie_is_found_among_others_and_the_csrf_token_is_checked() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; kefu_console=v.x; b=2"));
        assert_eq!(cookie(&headers), Some("v.x"));
        let claims =
            ConsoleClaims { key_id: "k".into(), agent: "a".into(), csrf: "t0k".into(), expires_at: 9 };
        assert!(!csrf_matches(&headers, &claims));
        headers.insert(CSRF_HEADER, HeaderValue::from_static("t0K"));
        assert!(!csrf_matches(&headers, &claims));
        headers.insert(CSRF_HEADER, HeaderValue::from_static("t0k"));
        assert!(csrf_matches(&headers, &claims));
        assert!(changes(&Method::POST) && changes(&Method::DELETE) && !changes(&Method::GET));
    }

    #[test]
    fn the_cookie_is_secure_except_on_a_loopback_host() {
        let mut headers = HeaderMap::new();
        for (host, secure) in [
            ("127.0.0.1:8080", false),
            ("localhost", false),
            ("[::1]:80", false),
            ("shop.example:443", true),
            ("", true),
        ] {
            headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
            let value = set_cookie(&headers, "v", 60);
            let value = value.to_str().unwrap();
            assert!(value.contains("HttpOnly") && value.contains("SameSite=Strict"), "{value}");
            assert_eq!(value.ends_with("; Secure"), secure, "{host}: {value}");
        }
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(set_cookie(&headers, "v", 60).to_str().unwrap().ends_with("; Secure"), "behind a TLS proxy");
    }
}
