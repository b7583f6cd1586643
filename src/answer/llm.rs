//! The client of an OpenAI-compatible chat-completions endpoint: streamed replies, timeouts,
//! and retries with exponential backoff before the first token.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::time::{Instant, timeout, timeout_at};

use super::prompt::Message;
use crate::config::LlmConfig;
use crate::{Error, Result};

/// First wait between attempts; doubled after each failure.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// A configured endpoint.
#[derive(Debug, Clone)]
pub struct LlmClient {
    http: reqwest::Client,
    url: String,
    api_key: Option<String>,
    config: LlmConfig,
}

/// A failed attempt, and whether another might succeed.
struct Failure {
    error: Error,
    retryable: bool,
}

impl LlmClient {
    /// The client `answer.llm` describes, or `None` when no `base_url` is set.
    pub fn from_config(config: &LlmConfig) -> Result<Option<LlmClient>> {
        let Some(base) = &config.base_url else { return Ok(None) };
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(config.first_token_timeout_secs))
            .build()
            .map_err(|e| Error::Config(format!("answer.llm: {e}")))?;
        let api_key = std::env::var(&config.api_key_env).ok().filter(|k| !k.is_empty());
        Ok(Some(LlmClient {
            http,
            url: format!("{}/chat/completions", base.trim_end_matches('/')),
            api_key,
            config: config.clone(),
        }))
    }

    /// Sends `messages` and passes each piece of the reply to `on_delta` as it arrives; returns
    /// the whole reply. Retries only while nothing has been passed on.
    pub async fn complete(
        &self,
        messages: &[Message],
        mut on_delta: impl FnMut(&str) + Send,
    ) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(self.config.timeout_secs);
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 0;
        loop {
            let mut reply = String::new();
            let result = self
                .attempt(messages, deadline, &mut |piece: &str| {
                    reply.push_str(piece);
                    on_delta(piece);
                })
                .await;
            match result {
                Ok(()) => return Ok(reply),
                Err(failure) if failure.retryable && reply.is_empty() && attempt < self.config.retries => {
                    tracing::warn!(error = %failure.error, attempt, "LLM request failed; retrying");
                    attempt += 1;
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                Err(failure) => return Err(failure.error),
            }
        }
    }

    async fn attempt(
        &self,
        messages: &[Message],
        deadline: Instant,
        on_delta: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(), Failure> {
        let body = json!({
            "model": self.config.model,
            "messages": messages,
            "stream": true,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        });
        let mut request = self.http.post(&self.url).json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let first_token = Duration::from_secs(self.config.first_token_timeout_secs);
        let response = timeout(first_token, request.send())
            .await
            .map_err(|_| retryable("no response within the first-token timeout"))?
            .map_err(|e| retryable(&format!("cannot reach {}: {e}", self.url)))?;
        let status = response.status();
        if !status.is_success() {
            let detail = response.text().await.unwrap_or_default();
            let detail: String = detail.chars().take(200).collect();
            let failure = Failure {
                error: Error::Llm(format!("{} answered {status}: {detail}", self.url)),
                retryable: status.as_u16() == 429 || status.is_server_error(),
            };
            return Err(failure);
        }
        let streamed = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !streamed {
            let json: Value = timeout_at(deadline, response.json())
                .await
                .map_err(|_| fatal("the reply took longer than answer.llm.timeout_secs"))?
                .map_err(|e| fatal(&format!("unreadable reply: {e}")))?;
            let content = json["choices"][0]["message"]["content"]
                .as_str()
                .ok_or_else(|| fatal("the reply has no choices[0].message.content"))?;
            on_delta(content);
            return Ok(());
        }

        let mut stream = response.bytes_stream();
        let mut buffer = Vec::new();
        let mut first = true;
        loop {
            let next = if first { Instant::now() + first_token } else { deadline }.min(deadline);
            let chunk = match timeout_at(next, stream.next()).await {
                Err(_) => return Err(fatal("the reply stalled past its timeout")),
                Ok(None) => return Ok(()),
                Ok(Some(chunk)) => chunk.map_err(|e| fatal(&format!("the reply broke off: {e}")))?,
            };
            first = false;
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = buffer.drain(..=end).collect();
                let line = String::from_utf8_lossy(&line);
                let Some(data) = line.trim().strip_prefix("data:") else { continue };
                let data = data.trim();
                if data == "[DONE]" {
                    return Ok(());
                }
                let event: Value =
                    serde_json::from_str(data).map_err(|e| fatal(&format!("bad stream event: {e}")))?;
                if let Some(piece) = event["choices"][0]["delta"]["content"].as_str() {
                    on_delta(piece);
                }
            }
        }
    }
}

fn retryable(message: &str) -> Failure {
    Failure { error: Error::Llm(message.to_string()), retryable: true }
}

fn fatal(message: &str) -> Failure {
    Failure { error: Error::Llm(message.to_string()), retryable: false }
}
