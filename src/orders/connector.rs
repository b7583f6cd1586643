//! The lookup in the shop's order system: one HTTP request per order, configured in
//! `[orders]` (URL template, method, headers with secrets from the environment, timeout), its
//! reply bounded in size and read by the [`Mapping`]. The shop's reply is hostile until read: a
//! body over [`MAX_REPLY_BYTES`], a reply that is not JSON or names another order, is no order.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::OrderView;
use super::mapping::Mapping;
use crate::config::OrdersConfig;
use crate::{Error, Result};

/// Largest reply read from the shop's system.
pub const MAX_REPLY_BYTES: usize = 1 << 20;

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The order.
    Found(Box<OrderView>),
    /// No such order (or a reply that shows none).
    NotFound,
    /// The system did not answer in time, or failed: why, for the server's log only.
    Unavailable(String),
}

/// The configured order system.
#[derive(Debug, Clone)]
pub struct Connector {
    client: reqwest::Client,
    url: String,
    post: bool,
    headers: HeaderMap,
    mapping: Mapping,
}

impl Connector {
    /// The connector of `config`, or `None` when no `orders.url` is set; a setting that cannot
    /// work is an error naming it. `env` reads the environment (`${NAME}` in headers).
    pub fn new(config: &OrdersConfig, env: impl Fn(&str) -> Option<String>) -> Result<Option<Connector>> {
        let Some(url) = &config.url else { return Ok(None) };
        let invalid = |message: String| Error::Config(format!("orders.{message}"));
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) || !url.contains("{order_no}") {
            return Err(invalid(format!("url: {url:?} must be an http(s) URL with {{order_no}} in it")));
        }
        let post = match config.method.to_ascii_uppercase().as_str() {
            "GET" => false,
            "POST" => true,
            other => return Err(invalid(format!("method: {other:?} is not GET or POST"))),
        };
        if config.timeout_ms == 0 || config.max_attempts == 0 || config.lockout_minutes == 0 {
            return Err(invalid(
                "timeout_ms, max_attempts and lockout_minutes must be greater than 0".into(),
            ));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let value = expand(value, &env).map_err(|missing| {
                invalid(format!("headers.{name}: the environment variable {missing} is not set"))
            })?;
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(format!("headers: {name:?} is not a header name")))?;
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| invalid(format!("headers.{name}: not a header value")))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let mapping = Mapping::new(&config.preset, &config.fields)
            .map_err(|e| invalid(format!("preset/fields: {e}")))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("orders: HTTP client: {e}")))?;
        Ok(Some(Connector { client, url: url.clone(), post, headers, mapping }))
    }

    /// Order `number` from the shop's system.
    pub async fn lookup(&self, number: &str) -> Lookup {
        let url = self.url.replace("{order_no}", &encode(number));
        let request = if self.post { self.client.post(&url) } else { self.client.get(&url) };
        let mut response = match request.headers(self.headers.clone()).send().await {
            Ok(response) => response,
            Err(e) if e.is_timeout() => return Lookup::Unavailable("timed out".into()),
            Err(e) => return Lookup::Unavailable(format!("request failed: {}", e.without_url())),
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Lookup::NotFound;
        }
        if !status.is_success() {
            return Lookup::Unavailable(format!("status {status}"));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_REPLY_BYTES {
                        return Lookup::Unavailable(format!("reply over {MAX_REPLY_BYTES} bytes"));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => return Lookup::Unavailable("timed out".into()),
                Err(e) => return Lookup::Unavailable(format!("reading the reply: {}", e.without_url())),
            }
        }
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return Lookup::Unavailable("the reply is not JSON".into());
        };
        match self.mapping.read(&json, number) {
            Some(view) => Lookup::Found(Box::new(view)),
            None => Lookup::NotFound,
        }
    }
}

/// `value` with each `${NAME}` replaced by the variable's value; the name of one that is unset.
fn expand(value: &str, env: &impl Fn(&str) -> Option<String>) -> std::result::Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else { break };
        let name = &rest[start + 2..start + end];
        out.push_str(&rest[..start]);
        out.push_str(&env(name).ok_or_else(|| name.to_string())?);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `number` safe in a URL path: letters, digits, `-` and `_` as they are, anything else
/// percent-encoded.
fn encode(number: &str) -> String {
    number
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_come_from_the_environment_and_numbers_are_encoded() {
        let env = |name: &str| (name == "SHOP_TOKEN").then(|| "s3cret".to_string());
        assert_eq!(expand("Bearer ${SHOP_TOKEN}", &env).unwrap(), "Bearer s3cret");
        assert_eq!(expand("${NOPE}", &env).unwrap_err(), "NOPE");
        assert_eq!(expand("plain", &env).unwrap(), "plain");
        assert_eq!(encode("NW-58213"), "NW-58213");
        assert_eq!(encode("1/../x"), "1%2F%2E%2E%2Fx");
    }

    #[test]
    fn settings_that_cannot_work_are_named() {
        let env = |_: &str| None;
        let mut config = OrdersConfig::default();
        assert!(Connector::new(&config, env).unwrap().is_none(), "off without a URL");
        for (url, method, fault) in [
            ("ftp://shop/{order_no}", "GET", "url"),
            ("https://shop/orders", "GET", "url"),
            ("https://shop/{order_no}", "PATCH", "method"),
        ] {
            config.url = Some(url.into());
            config.method = method.into();
            let error = Connector::new(&config, env).unwrap_err().to_string();
            assert!(error.contains(&format!("orders.{fault}")), "{error}");
        }
        config.method = "GET".into();
        config.headers.insert("Authorization".into(), "Bearer ${SHOP_TOKEN}".into());
        let error = Connector::new(&config, env).unwrap_err().to_string();
        assert!(error.contains("SHOP_TOKEN"), "{error}");
    }
}
