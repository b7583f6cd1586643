//! API keys, their scopes, session tokens, the console's cookie, the per-key rate limit, the
//! per-address limit on public credentials (publishable keys and session tokens, which any web
//! page shows), and the limit on failed authentications per client address.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use super::console::{self, ConsoleClaims, ConsoleSessions};
use super::rate_limit::RateLimiter;
use super::session::{self, Claims, Refusal, Sessions};
use crate::config::{ApiKey, Scope, ServerConfig};
use crate::{Error, Result};

/// Who made a request: what conversations are bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// A digest of the API key (`key-` and 16 hex digits; `open` without keys): stored as a
    /// conversation's owner, so the key itself is never written anywhere.
    pub key_id: String,
    /// What the key may do (`publishable` for a session).
    pub scope: Scope,
    /// A browser's session: it may read and continue this one conversation only.
    pub session: Option<Claims>,
}

impl Caller {
    /// Whether this caller may read conversation `id` that `owner_key` started: a session its
    /// own conversation, a key the conversations it started, an agent or admin key any.
    pub fn may_see(&self, id: &str, owner_key: &str) -> bool {
        match &self.session {
            Some(session) => session.conversation_id == id,
            None => self.key_id == owner_key || self.scope >= Scope::Agent,
        }
    }
}

/// What a route needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An API key of this scope or above.
    Key(Scope),
    /// A customer's conversation: a key of the query scope or above, or a session token (for
    /// its own conversation; the handler checks which).
    Customer,
}

/// The id a key's conversations are stored under.
pub fn key_id(key: &str) -> String {
    let digest = blake3::hash(key.as_bytes()).to_hex();
    format!("key-{}", &digest[..16])
}

/// Who may call what.
#[derive(Debug)]
pub struct Auth {
    keys: Vec<ApiKey>,
    /// No keys configured and `--open` given: every request is allowed, without a rate limit.
    open: bool,
    limiter: Mutex<RateLimiter>,
    /// Failed authentications by client address.
    failures: Mutex<RateLimiter>,
    /// Requests with a public credential by client address.
    public: Mutex<RateLimiter>,
    /// Session tokens, when a secret is configured.
    sessions: Option<Sessions>,
    /// The console's sign-ins.
    console: ConsoleSessions,
    /// The scope of each configured key, by key id (what a console cookie names).
    scopes: HashMap<String, Scope>,
}

impl Auth {
    /// The keys of `config`; with none, only `open` (local development) lets the server run.
    pub fn new(config: &ServerConfig, open: bool) -> Result<Auth> {
        if config.api_keys.is_empty() && !open {
            return Err(Error::Config(
                "no API key is configured: set `server.api_keys` or KEFU_API_KEYS=\"key:query,key2:admin\", \
                 or run `kefu serve --open` for local development (no authentication)"
                    .into(),
            ));
        }
        Ok(Auth {
            keys: config.api_keys.clone(),
            open: config.api_keys.is_empty(),
            limiter: Mutex::new(RateLimiter::new(config.rate_limit_per_minute, config.rate_limit_burst)),
            failures: Mutex::new(RateLimiter::new(
                config.auth_failures_per_minute,
                config.auth_failure_burst,
            )),
            public: Mutex::new(RateLimiter::new(
                config.public_rate_limit_per_minute,
                config.public_rate_limit_burst,
            )),
            sessions: config.session_secret.as_deref().map(Sessions::new),
            console: ConsoleSessions::new(config.session_secret.as_deref(), config.console_session_hours),
            scopes: config.api_keys.iter().fold(HashMap::new(), |mut scopes, k| {
                let scope = scopes.entry(key_id(&k.key)).or_insert(k.scope);
                *scope = (*scope).max(k.scope);
                scopes
            }),
        })
    }

    /// The console's sign-ins.
    pub fn console(&self) -> &ConsoleSessions {
        &self.console
    }

    /// The claims of the request's console cookie and the scope its key has now; `401` when
    /// there is no valid cookie or its key is no longer configured.
    pub fn console_claims(&self, headers: &HeaderMap) -> Result<(ConsoleClaims, Scope)> {
        let signed_out = || Error::Unauthorized("not signed in to the console (or the sign-in ended)".into());
        let value = console::cookie(headers).ok_or_else(signed_out)?;
        let claims = self.console.verify(value, super::unix_secs()).map_err(|_| signed_out())?;
        // `--open` (no keys): whoever signed in is the admin, as every request is.
        let scope =
            if self.open { Scope::Admin } else { *self.scopes.get(&claims.key_id).ok_or_else(signed_out)? };
        Ok((claims, scope))
    }

    /// Checks `key` as if a request to a route that needs `needed` sent it (the console's
    /// sign-in).
    pub fn authorize_key(&self, key: &str, client: IpAddr, needed: Access) -> Result<Caller> {
        let mut headers = HeaderMap::new();
        let bearer = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| Error::Unauthorized("unknown API key".into()))?;
        headers.insert(header::AUTHORIZATION, bearer);
        self.authorize(&headers, &Method::POST, client, needed)
    }

    /// The session tokens, when `server.session_secret` is set.
    pub fn sessions(&self) -> Option<&Sessions> {
        self.sessions.as_ref()
    }

    /// Takes a token of `client`'s public-credential bucket.
    fn limit_public(&self, client: &str) -> Result<()> {
        let mut public = self.public.lock().map_err(|_| Error::Busy("rate limiter poisoned".into()))?;
        public
            .check(client, Instant::now())
            .map_err(|wait| Error::RateLimited { retry_after_secs: wait.as_secs().max(1) })
    }

    /// Checks the request's credential against what the route needs and the rate limits. A
    /// client address that failed to authenticate too often is refused whatever it sends, so
    /// that a right guess cannot be told from a wrong one.
    pub fn authorize(
        &self,
        headers: &HeaderMap,
        method: &Method,
        client: IpAddr,
        needed: Access,
    ) -> Result<Caller> {
        if self.open {
            return Ok(Caller { key_id: "open".into(), scope: Scope::Admin, session: None });
        }
        let now = Instant::now();
        let client = client.to_string();
        let mut failures = self.failures.lock().map_err(|_| Error::Busy("rate limiter poisoned".into()))?;
        if let Some(wait) = failures.exhausted(&client, now) {
            return Err(Error::RateLimited { retry_after_secs: wait.as_secs().max(1) });
        }
        let presented = presented_key(headers);
        if presented.is_none() && console::cookie(headers).is_some() {
            let (claims, scope) = match self.console_claims(headers) {
                Ok(signed_in) => signed_in,
                Err(error) => {
                    if let Err(wait) = failures.check(&client, now) {
                        return Err(Error::RateLimited { retry_after_secs: wait.as_secs().max(1) });
                    }
                    return Err(error);
                }
            };
            drop(failures);
            if console::changes(method) && !console::csrf_matches(headers, &claims) {
                return Err(Error::Forbidden(format!(
                    "send the console's CSRF token in `{}`",
                    console::CSRF_HEADER
                )));
            }
            return self.admit(claims.key_id, scope, needed, &client);
        }
        if let Some(token) = presented.filter(|p| p.starts_with(session::PREFIX)) {
            let unix_now = super::unix_secs();
            let verified =
                self.sessions.as_ref().map_or(Err(Refusal::Invalid), |s| s.verify(token, unix_now));
            let claims = match verified {
                Ok(claims) => claims,
                Err(Refusal::Expired) => {
                    return Err(Error::SessionExpired(
                        "the session token has expired: renew it with `POST /v1/sessions` and `renew`".into(),
                    ));
                }
                Err(Refusal::Invalid) => {
                    if let Err(wait) = failures.check(&client, now) {
                        return Err(Error::RateLimited { retry_after_secs: wait.as_secs().max(1) });
                    }
                    return Err(Error::Unauthorized("invalid session token".into()));
                }
            };
            drop(failures);
            if needed != Access::Customer {
                return Err(Error::Forbidden(
                    "a session token may only ask and read its own conversation".into(),
                ));
            }
            self.limit_public(&client)?;
            return Ok(Caller {
                key_id: claims.owner_key.clone(),
                scope: Scope::Publishable,
                session: Some(claims),
            });
        }
        // Compare with every key in constant time, so timing does not reveal a prefix.
        let found = presented.and_then(|presented| {
            self.keys
                .iter()
                .filter(|k| constant_time_eq(k.key.as_bytes(), presented.as_bytes()))
                .map(|k| k.scope)
                .max()
        });
        let (Some(presented), Some(scope)) = (presented, found) else {
            if let Err(wait) = failures.check(&client, now) {
                return Err(Error::RateLimited { retry_after_secs: wait.as_secs().max(1) });
            }
            return Err(Error::Unauthorized(match presented {
                None => "send an API key as `Authorization: Bearer KEY` or `X-API-Key: KEY`".into(),
                Some(_) => "unknown API key".into(),
            }));
        };
        drop(failures);
        self.admit(key_id(presented), scope, needed, &client)
    }

    /// Admits key `key_id` of `scope`, used from `client`, to a route that needs `needed`:
    /// within the key's rate and, for a publishable key, the address's.
    fn admit(&self, key_id: String, scope: Scope, needed: Access, client: &str) -> Result<Caller> {
        let least = match needed {
            Access::Key(scope) => scope,
            Access::Customer => Scope::Query,
        };
        if scope < least {
            return Err(Error::Forbidden(format!(
                "this API key's scope ({}) does not allow this request (it needs {})",
                scope.as_str(),
                least.as_str()
            )));
        }
        if scope == Scope::Publishable {
            self.limit_public(client)?;
        }
        let mut limiter = self.limiter.lock().map_err(|_| Error::Busy("rate limiter poisoned".into()))?;
        limiter
            .check(&key_id, Instant::now())
            .map_err(|wait| Error::RateLimited { retry_after_secs: wait.as_secs().max(1) })?;
        Ok(Caller { key_id, scope, session: None })
    }
}

fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok())).map(str::trim)
}

/// Whether `a` equals `b`, in a time that does not depend on where they differ.
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The peer address of the connection (unspecified when the service runs without one, as in
/// a test harness).
fn client(extensions: &axum::http::Extensions) -> IpAddr {
    extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// Extractor: the peer address of the connection, as the rate limits count it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> std::result::Result<ClientAddr, Infallible> {
        Ok(ClientAddr(client(&parts.extensions)))
    }
}

/// Middleware: a customer's conversation (a query key or a session token).
pub async fn require_customer(state: State<AppState>, request: Request, next: Next) -> Result<Response> {
    require(state, request, next, Access::Customer).await
}

/// Middleware: the publishable scope (starting sessions).
pub async fn require_publishable(state: State<AppState>, request: Request, next: Next) -> Result<Response> {
    require(state, request, next, Access::Key(Scope::Publishable)).await
}

/// Middleware: the query scope. The handler finds the [`Caller`] in the request's extensions.
pub async fn require_query(state: State<AppState>, request: Request, next: Next) -> Result<Response> {
    require(state, request, next, Access::Key(Scope::Query)).await
}

/// Middleware: the agent scope.
pub async fn require_agent(state: State<AppState>, request: Request, next: Next) -> Result<Response> {
    require(state, request, next, Access::Key(Scope::Agent)).await
}

/// Middleware: the admin scope.
pub async fn require_admin(state: State<AppState>, request: Request, next: Next) -> Result<Response> {
    require(state, request, next, Access::Key(Scope::Admin)).await
}

async fn require(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
    needed: Access,
) -> Result<Response> {
    let caller =
        state.auth.authorize(request.headers(), request.method(), client(request.extensions()), needed)?;
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}
