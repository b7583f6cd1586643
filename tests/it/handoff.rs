//! Handoffs that reach a person, end to end over HTTP on SQLite and on PostgreSQL: a customer in
//! a browser session asks for a person; the ticket's webhook reaches a receiver running here
//! (after it refused the first tries), signed; the customer's next message goes to the agent,
//! not the bot; the agent's reply arrives on the customer's event stream (resumable with
//! `Last-Event-ID`); once resolved, kefu answers again. Personal data reaches neither the
//! database, the log nor a webhook. Also: session tokens' scope, expiry and renewal, and the
//! per-address limit on public credentials.

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kefu::helpdesk::signature;
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use crate::postgres::TestDatabase;
use crate::serve::{ADMIN_KEY, QUERY_KEY, Server, copy_dir, corpus_data, error_of, eventually, metric};

const PUBLISHABLE_KEY: &str = "pk-live-0123456789abcdef";
const AGENT_KEY: &str = "agent-key-0123456789";
const SESSION_SECRET: &str = "session-secret-0123456789-0123456789";
const WEBHOOK_SECRET: &str = "webhook-secret-0123456789";
/// Refused by the receiver until it accepted this many requests.
const REFUSED_FIRST: usize = 2;
/// A customer message with this word is never accepted by the receiver: it is dead-lettered.
const POISON: &str = "Zebrafish";

fn keys() -> String {
    format!("{QUERY_KEY}:query,{ADMIN_KEY}:admin,{PUBLISHABLE_KEY}:publishable,{AGENT_KEY}:agent")
}

/// A helpdesk's webhook endpoint: refuses the first [`REFUSED_FIRST`] requests (503) and any
/// with [`POISON`] in them (500), records the ones it accepts with their signature headers.
struct Helpdesk {
    url: String,
    accepted: Arc<Mutex<Vec<(reqwest::header::HeaderMap, String)>>>,
    refused: Arc<AtomicUsize>,
}

impl Helpdesk {
    fn start() -> Helpdesk {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/hooks/kefu", listener.local_addr().unwrap());
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(AtomicUsize::new(0));
        let (kept, count) = (accepted.clone(), refused.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let app = axum::Router::new().route(
                    "/hooks/kefu",
                    axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                        let (kept, count) = (kept.clone(), count.clone());
                        async move {
                            if body.contains(POISON) {
                                return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                            }
                            if count.fetch_add(1, Ordering::SeqCst) < REFUSED_FIRST {
                                return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                            }
                            let mut copied = reqwest::header::HeaderMap::new();
                            for (name, value) in &headers {
                                copied.insert(
                                    reqwest::header::HeaderName::from_bytes(name.as_str().as_bytes())
                                        .unwrap(),
                                    reqwest::header::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
                                );
                            }
                            kept.lock().unwrap().push((copied, body));
                            axum::http::StatusCode::OK
                        }
                    }),
                );
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        Helpdesk { url, accepted, refused }
    }

    /// The accepted webhooks' bodies, each checked against its signature.
    fn verified(&self) -> Vec<Value> {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .map(|(headers, body)| {
                let header = |name: &str| headers[name].to_str().unwrap().to_string();
                let timestamp: i64 = header(signature::TIMESTAMP_HEADER).parse().unwrap();
                let signed = header(signature::SIGNATURE_HEADER);
                assert!(
                    signature::verify(WEBHOOK_SECRET, timestamp, body.as_bytes(), &signed, now),
                    "a valid, recent signature: {signed}"
                );
                assert!(!signature::verify(
                    "another-secret-0123456789",
                    timestamp,
                    body.as_bytes(),
                    &signed,
                    now
                ));
                let body: Value = serde_json::from_str(body).unwrap();
                assert_eq!(body["id"].as_str().unwrap(), header(signature::EVENT_ID_HEADER));
                body
            })
            .collect()
    }
}

/// A conversation's event stream, read on a thread of its own.
struct Events {
    events: Receiver<(String, Value, Option<String>)>,
}

impl Events {
    fn open(server: &Server, conversation: &str, token: &str, last_event_id: Option<i64>) -> Events {
        let client = Client::builder().timeout(None::<Duration>).build().unwrap();
        let mut request =
            client.get(format!("{}/v1/conversations/{conversation}/events", server.base)).bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let (sender, events) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (mut name, mut data, mut id) = (String::new(), String::new(), None);
            for line in BufReader::new(response).lines() {
                let Ok(line) = line else { return };
                if let Some(value) = line.strip_prefix("event: ") {
                    name = value.to_string();
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data.push_str(value);
                } else if let Some(value) = line.strip_prefix("id: ") {
                    id = Some(value.to_string());
                } else if line.is_empty() && !data.is_empty() {
                    let event = (std::mem::take(&mut name), serde_json::from_str(&data).unwrap(), id.take());
                    data.clear();
                    if sender.send(event).is_err() {
                        return;
                    }
                }
            }
        });
        Events { events }
    }

    /// The next `turn` event (skipping answer deltas), with its event id.
    fn next_turn(&self) -> (Value, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok((name, data, id)) if name == "turn" => return (data, id.expect("a turn has an id")),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("no turn event within 20 s"),
                Err(RecvTimeoutError::Disconnected) => panic!("the event stream ended"),
            }
        }
    }

    /// The next turn event whose role is `role`.
    fn next_of(&self, role: &str) -> (Value, String) {
        loop {
            let (turn, id) = self.next_turn();
            if turn["role"] == role {
                return (turn, id);
            }
        }
    }
}

fn post(server: &Server, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let response = server.post(path, token, &body);
    let status = response.status();
    (status, response.json().unwrap())
}

fn session(server: &Server, body: Value) -> (String, String) {
    let (status, session) = post(server, "/v1/sessions", PUBLISHABLE_KEY, body);
    assert_eq!(status, StatusCode::OK, "{session}");
    (session["token"].as_str().unwrap().to_string(), session["conversation_id"].as_str().unwrap().to_string())
}

/// The scenario on a server with `env` (the store's URL for PostgreSQL).
fn handoff_over_http(env: &[(&str, &str)]) {
    let receiver = Helpdesk::start();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let log = dir.path().join("serve.log");
    let keys = keys();
    let mut env = env.to_vec();
    env.extend([
        ("KEFU_API_KEYS", keys.as_str()),
        ("KEFU_SERVER__SESSION_SECRET", SESSION_SECRET),
        ("KEFU_HANDOFF__WEBHOOK_URL", receiver.url.as_str()),
        ("KEFU_HANDOFF__WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("KEFU_HANDOFF__RETRY_BASE_MS", "200"),
        ("KEFU_HANDOFF__MAX_ATTEMPTS", "3"),
        ("KEFU_SERVER__RATE_LIMIT_PER_MINUTE", "0"),
        ("KEFU_SERVER__PUBLIC_RATE_LIMIT_PER_MINUTE", "0"),
    ]);
    let server = Server::start_logged(dir.path(), &env, &log);

    // A browser session for customer cust-9, watching its conversation.
    let (token, conversation) = session(&server, json!({ "external_user_id": "cust-9" }));
    let stream = Events::open(&server, &conversation, &token, None);

    // The customer asks for a person, with personal data in the message.
    let (status, asked) = post(
        &server,
        "/v1/ask",
        &token,
        json!({ "question": "This is useless, I want to talk to a human! My email is jane.doe@example.com" }),
    );
    assert_eq!(status, StatusCode::OK, "{asked}");
    assert_eq!(asked["conversation_id"], conversation.as_str(), "the session's conversation");
    assert_eq!(asked["handoff"]["needed"], true);
    let ticket = asked["ticket"]["id"].as_str().expect("a ticket opened").to_string();
    assert_eq!(asked["ticket"]["state"], "open");
    assert!(
        asked["answer"].as_str().unwrap().contains("a colleague will reply here"),
        "told what really happens: {}",
        asked["answer"]
    );
    let (customer, _) = stream.next_of("customer");
    assert!(customer["text"].as_str().unwrap().contains("[email]"), "{customer}");
    assert!(customer["frustration"]["score"].as_f64().unwrap() >= 1.0, "frustration stored: {customer}");
    let (opened, _) = stream.next_of("system");
    assert_eq!(
        (opened["text"].as_str(), opened["ticket_id"].as_str()),
        (Some("ticket_opened"), Some(ticket.as_str()))
    );

    // The webhook arrives after the receiver refused the first tries, signed.
    let delivered = eventually("the ticket's webhook is delivered", || {
        receiver.verified().into_iter().find(|body| body["event"] == "ticket.opened")
    });
    assert!(receiver.refused.load(Ordering::SeqCst) > REFUSED_FIRST);
    assert_eq!(delivered["ticket"]["id"], ticket.as_str());
    assert_eq!(delivered["ticket"]["priority"], "high", "a frustrated customer first");
    assert_eq!(delivered["ticket"]["reason"], "requested_human");
    assert_eq!(delivered["conversation"]["external_user_id"], "cust-9");
    let transcript = delivered["transcript"].as_array().unwrap();
    assert_eq!(
        transcript.iter().map(|t| t["role"].as_str().unwrap()).collect::<Vec<_>>(),
        ["customer", "bot", "system"]
    );
    assert_eq!(delivered["reply"]["path"], format!("/v1/tickets/{ticket}/reply"));

    // While the ticket is open, the customer's messages go to the agent, not the bot.
    let (status, kept) = post(
        &server,
        "/v1/ask",
        &token,
        json!({ "question": "How long do I have to return an item? Call me on 13812345678" }),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept["answer"], "", "the bot does not answer: {kept}");
    assert_eq!(kept["ticket"]["id"], ticket.as_str());
    assert!(kept["citations"].as_array().unwrap().is_empty());
    let (forwarded, _) = stream.next_of("customer");
    assert_eq!(forwarded["ticket_id"], ticket.as_str());
    assert!(!forwarded["text"].as_str().unwrap().contains("13812345678"), "{forwarded}");
    let message = eventually("the customer's message reaches the helpdesk", || {
        receiver.verified().into_iter().find(|body| body["event"] == "ticket.message")
    });
    assert_eq!(message["transcript"].as_array().unwrap().last().unwrap()["seq"], forwarded["seq"]);

    // The agents' queue: agent scope only.
    assert_eq!(server.get("/v1/tickets", Some(QUERY_KEY)).status(), StatusCode::FORBIDDEN);
    let queue: Value = server.get("/v1/tickets", Some(AGENT_KEY)).json().unwrap();
    let listed = queue["tickets"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{queue}");
    assert_eq!(
        (listed[0]["id"].as_str(), listed[0]["state"].as_str()),
        (Some(ticket.as_str()), Some("open"))
    );
    assert_eq!(listed[0]["external_user_id"], "cust-9");

    // The agent replies: the reply reaches the customer's stream at once.
    let (status, replied) = post(
        &server,
        &format!("/v1/tickets/{ticket}/reply"),
        AGENT_KEY,
        json!({ "agent": "alice", "text": "Hi, Alice here. You have 30 days; I've emailed you at jane.doe@example.com." }),
    );
    assert_eq!(status, StatusCode::OK, "{replied}");
    assert_eq!(
        (replied["ticket"]["state"].as_str(), replied["ticket"]["assignee"].as_str()),
        (Some("assigned"), Some("alice"))
    );
    let (reply, reply_id) = stream.next_of("agent");
    assert_eq!(reply["actor"], "alice");
    assert!(reply["text"].as_str().unwrap().starts_with("Hi, Alice here."));
    assert!(
        !reply["text"].as_str().unwrap().contains("jane.doe@example.com"),
        "agents' words are redacted too"
    );
    let (assigned, _) = stream.next_of("system");
    assert_eq!(assigned["text"], "ticket_assigned");

    // A client that reconnects with Last-Event-ID gets what came after, nothing before.
    let seq: i64 = reply_id.parse().unwrap();
    let resumed = Events::open(&server, &conversation, &token, Some(seq - 1));
    let (first, first_id) = resumed.next_turn();
    assert_eq!((first["role"].as_str(), first_id), (Some("agent"), reply_id.clone()));

    // Resolved: kefu answers again.
    let (status, resolved) =
        post(&server, &format!("/v1/tickets/{ticket}/resolve"), AGENT_KEY, json!({ "agent": "alice" }));
    assert_eq!((status, resolved["ticket"]["state"].as_str()), (StatusCode::OK, Some("resolved")));
    let (status, again) = post(
        &server,
        &format!("/v1/tickets/{ticket}/reply"),
        AGENT_KEY,
        json!({ "agent": "bob", "text": "hi" }),
    );
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("ticket_state_conflict"))
    );
    let (_, answered) =
        post(&server, "/v1/ask", &token, json!({ "question": "How long do I have to return an item?" }));
    assert!(answered["ticket"].is_null() && !answered["answer"].as_str().unwrap().is_empty(), "{answered}");
    assert!(!answered["citations"].as_array().unwrap().is_empty());

    // A webhook the receiver never accepts is dead-lettered after `max_attempts`, visible to
    // admins, and can be sent again.
    let (_, other) = {
        let (token, conversation) = session(&server, json!({}));
        let (_, asked) = post(
            &server,
            "/v1/ask",
            &token,
            json!({ "question": format!("I want to talk to a human please. {POISON}") }),
        );
        assert!(asked["ticket"]["id"].is_string(), "{asked}");
        (token, conversation)
    };
    let dead = eventually("the webhook is dead-lettered", || {
        let listed: Value = server.get("/v1/webhooks?state=dead", Some(ADMIN_KEY)).json().unwrap();
        let dead = listed["webhooks"].as_array().unwrap().clone();
        (!dead.is_empty()).then_some(dead)
    });
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["attempts"], 3);
    assert!(dead[0]["last_error"].as_str().unwrap().contains("500"), "{}", dead[0]);
    assert_eq!(server.get("/v1/webhooks?state=dead", Some(AGENT_KEY)).status(), StatusCode::FORBIDDEN);
    let retry = server.post(
        &format!("/v1/webhooks/{}/retry", dead[0]["id"].as_str().unwrap()),
        ADMIN_KEY,
        &json!({}),
    );
    assert_eq!(retry.status(), StatusCode::OK);
    let pending: Value = server.get("/v1/webhooks?state=pending", Some(ADMIN_KEY)).json().unwrap();
    let dead_now: Value = server.get("/v1/webhooks?state=dead", Some(ADMIN_KEY)).json().unwrap();
    assert!(
        pending["webhooks"].as_array().unwrap().len() + dead_now["webhooks"].as_array().unwrap().len() == 1,
        "retried: {pending} {dead_now}"
    );
    drop(other);

    let metrics = server.get("/metrics", Some(ADMIN_KEY)).text().unwrap();
    assert_eq!(metric(&metrics, "kefu_tickets_opened_total"), 2.0);
    assert!(metric(&metrics, "kefu_webhook_deliveries_total{outcome=\"failed\"}") >= REFUSED_FIRST as f64);
    assert_eq!(metric(&metrics, "kefu_webhook_deliveries_total{outcome=\"delivered\"}"), 2.0);

    // Personal data reached neither the webhooks, the log nor the database.
    let bodies: Vec<String> =
        receiver.accepted.lock().unwrap().iter().map(|(_, body)| body.clone()).collect();
    let log_text = std::fs::read_to_string(&log).unwrap();
    for secret in ["jane.doe@example.com", "13812345678"] {
        assert!(!bodies.iter().any(|b| b.contains(secret)), "{secret} in a webhook");
        assert!(!log_text.contains(secret), "{secret} in the log");
        for file in ["kefu.db", "kefu.db-wal"] {
            if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
                assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} in {file}");
            }
        }
    }
}

#[test]
fn a_handoff_reaches_a_webhook_and_an_agent_whose_reply_reaches_the_customer_on_sqlite() {
    handoff_over_http(&[]);
}

#[test]
fn a_handoff_reaches_a_webhook_and_an_agent_whose_reply_reaches_the_customer_on_postgres() {
    let database = TestDatabase::new();
    handoff_over_http(&[("KEFU_STORE__URL", &database.url)]);
}

#[test]
fn session_tokens_are_scoped_to_their_conversation_expire_and_renew() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let keys = keys();
    let server = Server::start(
        dir.path(),
        &[
            ("KEFU_API_KEYS", keys.as_str()),
            ("KEFU_SERVER__SESSION_SECRET", SESSION_SECRET),
            ("KEFU_SERVER__SESSION_TTL_SECS", "5"),
            ("KEFU_SERVER__PUBLIC_RATE_LIMIT_PER_MINUTE", "6"),
            ("KEFU_SERVER__PUBLIC_RATE_LIMIT_BURST", "20"),
            // Nobody receives tickets: the customer is told how to reach the shop instead.
            ("KEFU_HANDOFF__CONTACT__EN", "email help@shop.example"),
        ],
    );
    // A publishable key starts sessions and does nothing else.
    for (path, body) in
        [("/v1/search", json!({ "query": "refund" })), ("/v1/ask", json!({ "question": "refund?" }))]
    {
        let (status, code, _) = error_of(server.post(path, PUBLISHABLE_KEY, &body));
        assert_eq!((status, code.as_str()), (403, "forbidden"), "{path}");
    }
    let started = Instant::now();
    let (token, conversation) = session(&server, json!({ "external_user_id": "cust-7" }));
    assert!(token.starts_with("kefu_s1."));
    // A session token asks and reads its own conversation, and nothing else.
    let (status, code, _) = error_of(server.post("/v1/search", &token, &json!({ "query": "refund" })));
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let (status, answer) =
        post(&server, "/v1/ask", &token, json!({ "question": "I want to speak to a person" }));
    assert_eq!((status, answer["conversation_id"].as_str()), (StatusCode::OK, Some(conversation.as_str())));
    assert!(answer["ticket"].is_null(), "nobody receives tickets: none is opened");
    let told = answer["answer"].as_str().unwrap();
    assert!(told.contains("email help@shop.example") && !told.contains("colleague"), "{told}");
    // The "talk to a person" button says the same, in the conversation's language when the
    // page gives none.
    let (status, pressed) =
        post(&server, &format!("/v1/conversations/{conversation}/handoff"), &token, json!({}));
    assert_eq!(status, StatusCode::OK, "{pressed}");
    assert!(
        pressed["ticket"].is_null() && pressed["message"].as_str().unwrap().contains("help@shop.example")
    );
    let (zh_token, zh_conversation) = session(&server, json!({}));
    let (_, zh_answer) = post(&server, "/v1/ask", &zh_token, json!({ "question": "退货运费谁承担？" }));
    assert_eq!(zh_answer["language"], "zh", "{zh_answer}");
    let (_, zh_pressed) =
        post(&server, &format!("/v1/conversations/{zh_conversation}/handoff"), &zh_token, json!({}));
    let told = zh_pressed["message"].as_str().unwrap();
    assert!(told.contains("人工客服") && !told.contains("support team"), "{told}");
    let own = server.get(&format!("/v1/conversations/{conversation}"), Some(&token));
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(own.json::<Value>().unwrap()["channel"], "web");
    let theirs = server.ask(json!({ "question": "How long do I have to return an item?" }));
    let theirs = theirs["conversation_id"].as_str().unwrap();
    let (status, code, _) = error_of(server.get(&format!("/v1/conversations/{theirs}"), Some(&token)));
    assert_eq!((status, code.as_str()), (404, "conversation_not_found"));
    let (status, code, _) =
        error_of(server.post("/v1/ask", &token, &json!({ "question": "hi", "conversation_id": theirs })));
    assert_eq!((status, code.as_str()), (404, "conversation_not_found"));
    let (status, code, _) = error_of(server.delete(&format!("/v1/conversations/{conversation}"), &token));
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let forged = format!("{}x", &token[..token.len() - 1]);
    let (status, code, _) = error_of(server.post("/v1/ask", &forged, &json!({ "question": "hi" })));
    assert_eq!((status, code.as_str()), (401, "unauthorized"));

    // Expired: refused as such, and renewed for the same conversation.
    std::thread::sleep(Duration::from_secs(5).saturating_sub(started.elapsed()) + Duration::from_millis(200));
    let (status, code, _) = error_of(server.post("/v1/ask", &token, &json!({ "question": "hello?" })));
    assert_eq!((status, code.as_str()), (401, "session_expired"));
    let (renewed, same) = session(&server, json!({ "renew": token }));
    assert_eq!(same, conversation);
    assert_ne!(renewed, token);
    let (status, _) =
        post(&server, "/v1/ask", &renewed, json!({ "question": "How long do I have to return an item?" }));
    assert_eq!(status, StatusCode::OK);
    let transcript: Value =
        server.get(&format!("/v1/conversations/{conversation}"), Some(&renewed)).json().unwrap();
    // Two asks before the renewal, the button's reply, one ask after.
    assert_eq!(transcript["turns"].as_array().unwrap().len(), 5, "one conversation across the renewal");
    assert_eq!(transcript["external_user_id"], "cust-7");
    let (status, code, _) =
        error_of(server.post("/v1/sessions", PUBLISHABLE_KEY, &json!({ "renew": "kefu_s1.abc.def" })));
    assert_eq!((status, code.as_str()), (400, "invalid_session_renew"));

    // Public credentials are limited per client address, whichever token or key is used;
    // secret keys are not.
    let statuses: Vec<u16> =
        (0..16).map(|_| server.post("/v1/sessions", PUBLISHABLE_KEY, &json!({})).status().as_u16()).collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    assert_eq!(
        server.post("/v1/ask", &renewed, &json!({ "question": "hi" })).status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(server.get(&format!("/v1/conversations/{theirs}"), Some(QUERY_KEY)).status(), StatusCode::OK);
}
