//! What the browser pages stand on, over HTTP against a real `kefu serve --demo`: the embedded
//! widget, console and demo page (gzip, ETag, security headers); the console's sign-in cookie and
//! its CSRF token; a session reading the documents its answers cite; the admin views of the
//! index and of the conversations. The pages themselves are driven in Chromium by `web/e2e`.

use reqwest::StatusCode;
use reqwest::blocking::Response;
use serde_json::{Value, json};

use crate::serve::{ADMIN_KEY, QUERY_KEY, Server, copy_dir, corpus_data, error_of};

const PUBLISHABLE_KEY: &str = "pk-console-0123456789abcdef";
const AGENT_KEY: &str = "agent-console-0123456789";
const SESSION_SECRET: &str = "session-secret-console-0123456789-0123";

fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let keys = format!("{QUERY_KEY}:query,{ADMIN_KEY}:admin,{PUBLISHABLE_KEY}:publishable,{AGENT_KEY}:agent");
    let server = Server::start_with(
        dir.path(),
        &["--demo"],
        &[
            ("KEFU_API_KEYS", keys.as_str()),
            ("KEFU_SERVER__SESSION_SECRET", SESSION_SECRET),
            ("KEFU_HANDOFF__AGENT_CONSOLE", "true"),
        ],
    );
    (dir, server)
}

fn header(response: &Response, name: &str) -> String {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

/// Signs in to the console with `key`: the cookie (`name=value`) and the session's JSON.
fn sign_in(server: &Server, key: &str, agent: &str) -> (String, Value) {
    let response = server
        .client
        .post(format!("{}/console/api/session", server.base))
        .json(&json!({ "key": key, "agent": agent }))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = header(&response, "set-cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    // Reached on a loopback address: the browser keeps it without TLS.
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    assert!(cookie.starts_with("kefu_console=kefu_c1."), "{cookie}");
    assert!(!set_cookie.contains(key), "the key itself is never in the cookie");
    (cookie, response.json().unwrap())
}

/// A request with the console's cookie (and its CSRF token, when given), no API key.
fn with_cookie(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    cookie: &str,
    csrf: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut request =
        server.client.request(method, format!("{}{path}", server.base)).header("Cookie", cookie);
    if let Some(csrf) = csrf {
        request = request.header("X-CSRF-Token", csrf);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().unwrap()
}

#[test]
fn the_pages_are_embedded_and_served_with_gzip_etags_and_security_headers() {
    let (_dir, server) = server();
    let widget = server.client.get(format!("{}/widget.js", server.base)).send().unwrap();
    assert_eq!(widget.status(), StatusCode::OK);
    assert!(header(&widget, "content-type").starts_with("text/javascript"));
    assert_eq!(header(&widget, "x-content-type-options"), "nosniff");
    let etag = header(&widget, "etag");
    let plain = widget.bytes().unwrap();
    assert!(plain.len() > 1000, "the built widget");
    let gzipped = server
        .client
        .get(format!("{}/widget.js", server.base))
        .header("Accept-Encoding", "gzip")
        .send()
        .unwrap();
    assert_eq!(header(&gzipped, "content-encoding"), "gzip");
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&gzipped.bytes().unwrap()[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, plain, "the gzipped twin is the same file");
    let again = server
        .client
        .get(format!("{}/widget.js", server.base))
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let console = server.client.get(format!("{}/console/", server.base)).send().unwrap();
    assert_eq!(console.status(), StatusCode::OK);
    let policy = header(&console, "content-security-policy");
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(header(&console, "x-frame-options"), "DENY");
    let html = console.text().unwrap();
    let script = html.split("src=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a script tag");
    assert!(script.starts_with("/console/assets/"), "{script}");
    let asset = server.client.get(format!("{}{script}", server.base)).send().unwrap();
    assert_eq!(asset.status(), StatusCode::OK);
    assert!(header(&asset, "cache-control").contains("immutable"));
    let (status, code, _) =
        error_of(server.client.get(format!("{}/console/assets/nope.js", server.base)).send().unwrap());
    assert_eq!((status, code.as_str()), (404, "not_found"));

    // The demo page carries the widget with the publishable key, and only that key.
    let demo = server.client.get(format!("{}/demo", server.base)).send().unwrap().text().unwrap();
    assert!(demo.contains(PUBLISHABLE_KEY) && demo.contains("/widget.js"));
    assert!(
        !demo.contains("%KEFU_PUBLISHABLE_KEY%") && !demo.contains(ADMIN_KEY) && !demo.contains(AGENT_KEY)
    );
}

#[test]
fn the_console_signs_in_with_a_cookie_whose_changes_need_the_csrf_token() {
    let (_dir, server) = server();
    let attempt = |key: &str, agent: &str| {
        error_of(
            server
                .client
                .post(format!("{}/console/api/session", server.base))
                .json(&json!({ "key": key, "agent": agent }))
                .send()
                .unwrap(),
        )
    };
    assert_eq!(attempt(QUERY_KEY, "alice").0, 403, "a query key cannot sign in");
    assert_eq!(attempt(PUBLISHABLE_KEY, "alice").0, 403);
    assert_eq!(attempt("not-a-key-0123456789", "alice").0, 401);
    let (status, code, _) = attempt(AGENT_KEY, "alice smith");
    assert_eq!((status, code.as_str()), (400, "invalid_agent"));
    let no_cookie = server.client.get(format!("{}/console/api/session", server.base)).send().unwrap();
    assert_eq!(error_of(no_cookie).0, 401);

    let (cookie, session) = sign_in(&server, ADMIN_KEY, "alice");
    assert_eq!((session["scope"].as_str(), session["agent"].as_str()), (Some("admin"), Some("alice")));
    let csrf = session["csrf"].as_str().unwrap().to_string();
    let current: Value =
        with_cookie(&server, reqwest::Method::GET, "/console/api/session", &cookie, None, None)
            .json()
            .unwrap();
    assert_eq!(current["csrf"], csrf.as_str());

    // Reads need the cookie only; changes need its CSRF token too.
    let index = with_cookie(&server, reqwest::Method::GET, "/v1/admin/index", &cookie, None, None);
    assert_eq!(index.status(), StatusCode::OK);
    let index: Value = index.json().unwrap();
    let documents = index["documents"].as_array().unwrap();
    assert_eq!(documents.len() as u64, index["documents_count"].as_u64().unwrap());
    assert!(
        documents
            .iter()
            .any(|d| d["id"] == "en/faq.csv" && d["format"] == "faqcsv" && d["chunks"].as_u64().unwrap() > 0),
        "{index}"
    );
    let chunks: u64 = documents.iter().map(|d| d["chunks"].as_u64().unwrap()).sum();
    assert_eq!(chunks, index["chunks_count"].as_u64().unwrap());
    let curated = json!({ "questions": ["do you gift wrap"], "answer": "Yes, for £3.", "locale": "en", "author": "alice" });
    for sent in [None, Some("wrong-token")] {
        let refused = with_cookie(
            &server,
            reqwest::Method::POST,
            "/v1/admin/answers",
            &cookie,
            sent,
            Some(curated.clone()),
        );
        let (status, code, message) = error_of(refused);
        assert_eq!((status, code.as_str()), (403, "forbidden"));
        assert!(message.contains("X-CSRF-Token") || message.contains("x-csrf-token"), "{message}");
    }
    let added =
        with_cookie(&server, reqwest::Method::POST, "/v1/admin/answers", &cookie, Some(&csrf), Some(curated));
    assert_eq!(added.status(), StatusCode::OK);

    // An agent's cookie has the agent's scope; a forged one is nobody's.
    let (agent_cookie, agent) = sign_in(&server, AGENT_KEY, "bob");
    assert_eq!(agent["scope"], "agent");
    assert_eq!(
        with_cookie(&server, reqwest::Method::GET, "/v1/tickets", &agent_cookie, None, None).status(),
        StatusCode::OK
    );
    let (status, _, _) =
        error_of(with_cookie(&server, reqwest::Method::GET, "/v1/admin/index", &agent_cookie, None, None));
    assert_eq!(status, 403);
    let forged = format!("{}x", &cookie[..cookie.len() - 1]);
    let (status, code, _) =
        error_of(with_cookie(&server, reqwest::Method::GET, "/v1/tickets", &forged, None, None));
    assert_eq!((status, code.as_str()), (401, "unauthorized"));

    // Signing out needs the token, and removes the cookie.
    let (status, _, _) =
        error_of(with_cookie(&server, reqwest::Method::DELETE, "/console/api/session", &cookie, None, None));
    assert_eq!(status, 403);
    let out =
        with_cookie(&server, reqwest::Method::DELETE, "/console/api/session", &cookie, Some(&csrf), None);
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(header(&out, "set-cookie").contains("Max-Age=0"));
}

#[test]
fn a_session_reads_what_its_answers_cite_and_admins_browse_conversations() {
    let (_dir, server) = server();
    let started: Value = server.post("/v1/sessions", PUBLISHABLE_KEY, &json!({})).json().unwrap();
    let (token, conversation) =
        (started["token"].as_str().unwrap(), started["conversation_id"].as_str().unwrap());
    let answer: Value = server
        .post("/v1/ask", token, &json!({ "question": "Can I return opened electronics?" }))
        .json()
        .unwrap();
    assert_eq!(answer["turn"], 2, "the customer's message is turn 1, kefu's answer turn 2: {answer}");
    let cited = answer["citations"][0]["doc_id"].as_str().expect("a cited document").to_string();
    let document = server.get(&format!("/v1/documents/{cited}"), Some(token));
    assert_eq!(document.status(), StatusCode::OK);
    let document: Value = document.json().unwrap();
    let span = &answer["citations"][0]["span"];
    let text: Vec<char> = document["text"].as_str().unwrap().chars().collect();
    let quoted: String =
        text[span[0].as_u64().unwrap() as usize..span[1].as_u64().unwrap() as usize].iter().collect();
    assert!(!quoted.trim().is_empty());
    let uncited = ["en/legal/warranty-terms.pdf", "zh/faq.jsonl", "en/products/pour-kettle-nw-kt170.md"]
        .into_iter()
        .find(|id| *id != cited)
        .unwrap();
    let (status, code, _) = error_of(server.get(&format!("/v1/documents/{uncited}"), Some(token)));
    assert_eq!((status, code.as_str()), (404, "not_found"), "a session reads only what its answers cite");
    assert_eq!(server.get(&format!("/v1/documents/{uncited}"), Some(QUERY_KEY)).status(), StatusCode::OK);

    // The answer's `turn` is what feedback names.
    let rated = server.post(
        &format!("/v1/conversations/{conversation}/feedback"),
        token,
        &json!({ "turn": answer["turn"], "thumbs": "down", "reason": "unclear" }),
    );
    assert_eq!(rated.status(), StatusCode::OK);
    let off_topic = server.ask(json!({ "question": "What is the capital of France?" }));
    assert_eq!(off_topic["abstained"], true, "{off_topic}");
    let other = off_topic["conversation_id"].as_str().unwrap();

    let list = |query: &str| -> Vec<String> {
        let response = server.get(&format!("/v1/admin/conversations{query}"), Some(ADMIN_KEY));
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let body: Value = response.json().unwrap();
        body["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(list("?filter=thumbs_down"), vec![conversation.to_string()]);
    assert_eq!(list("?filter=abstained"), vec![other.to_string()]);
    assert_eq!(list("?filter=answered&language=en"), vec![conversation.to_string()]);
    assert!(list("?language=zh").is_empty());
    let page: Value = server.get("/v1/admin/conversations?limit=1", Some(ADMIN_KEY)).json().unwrap();
    let first = page["conversations"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(first, other, "newest first");
    let next = format!(
        "?limit=1&before_ms={}&before_id={}",
        page["next_before_ms"],
        page["next_before_id"].as_str().unwrap()
    );
    assert_eq!(list(&next), vec![conversation.to_string()]);
    let web = &server
        .get("/v1/admin/conversations?filter=thumbs_down", Some(ADMIN_KEY))
        .json::<Value>()
        .unwrap()["conversations"][0];
    assert_eq!(
        (web["channel"].as_str(), web["thumbs_down"].as_i64(), web["answered"].as_i64()),
        (Some("web"), Some(1), Some(1))
    );
    assert_eq!(web["preview"], "Can I return opened electronics?");
    for (query, field) in
        [("?filter=everything", "filter"), ("?limit=0", "limit"), ("?language=%3Cb%3E", "language")]
    {
        let (status, code, message) =
            error_of(server.get(&format!("/v1/admin/conversations{query}"), Some(ADMIN_KEY)));
        assert_eq!((status, code.as_str()), (400, "invalid_request"), "{query}");
        assert!(message.contains(field), "{message}");
    }
    let (status, _, _) = error_of(server.get("/v1/admin/conversations", Some(QUERY_KEY)));
    assert_eq!(status, 403);
}
