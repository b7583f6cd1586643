//! Order lookups end to end over HTTP: `kefu serve` with `[orders]` pointed at the reference
//! shop server (`examples/reference_shop.rs`, a real HTTP API over SQLite): a shopper proves the
//! order is theirs before hearing anything of it; wrong proofs lock the order; an unknown order
//! is told like a wrong proof; an unexplained status, a locked order and a shop that does not
//! answer in time go to a person; in English and Chinese; the proof never reaches the store or
//! the log.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::serve::{ADMIN_KEY, QUERY_KEY, Server, copy_dir, corpus_data, error_of};

const SHOP_TOKEN: &str = "shop-token-0123456789";
const PUBLISHABLE_KEY: &str = "pk-orders-0123456789abcdef";
/// What the shop signs its customers' ids with.
const USER_SECRET: &str = "the-shop-signs-customer-ids-0123456789";

/// The reference shop, killed when dropped.
struct Shop {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Shop {
    fn start(delay_ms: u64) -> Shop {
        // Examples are built beside the test binaries (target/debug/examples).
        let exe = std::env::current_exe().unwrap();
        let binary: PathBuf = exe.parent().unwrap().parent().unwrap().join("examples/reference_shop");
        assert!(binary.exists(), "{} is built by `cargo test`", binary.display());
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0", "--delay-ms", &delay_ms.to_string(), "--db"])
            .arg(dir.path().join("shop.db"))
            .env("SHOP_API_TOKEN", SHOP_TOKEN)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let base = line.trim().strip_prefix("listening on ").expect("the shop says where").to_string();
        Shop { child, base, _dir: dir }
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kefu_for(shop: &Shop, timeout_ms: &str, log: &std::path::Path) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let url = format!("{}/api/orders/{{order_no}}", shop.base);
    let keys = format!("{QUERY_KEY}:query,{ADMIN_KEY}:admin,{PUBLISHABLE_KEY}:publishable");
    let server = Server::start_logged(
        dir.path(),
        &[
            ("KEFU_API_KEYS", keys.as_str()),
            ("KEFU_SERVER__SESSION_SECRET", "session-secret-orders-0123456789-0123"),
            ("KEFU_SERVER__EXTERNAL_USER_SECRET", USER_SECRET),
            ("KEFU_ORDERS__URL", url.as_str()),
            ("KEFU_ORDERS__HEADERS", "{Authorization=\"Bearer ${SHOP_API_TOKEN}\"}"),
            ("SHOP_API_TOKEN", SHOP_TOKEN),
            ("KEFU_ORDERS__TIMEOUT_MS", timeout_ms),
            ("KEFU_HANDOFF__AGENT_CONSOLE", "true"),
        ],
        log,
    );
    (dir, server)
}

/// Sends `messages` in one new conversation; kefu's answers.
fn conversation(server: &Server, messages: &[&str]) -> Vec<Value> {
    let mut id: Option<String> = None;
    messages
        .iter()
        .map(|message| {
            let mut body = json!({ "question": message });
            if let Some(id) = &id {
                body["conversation_id"] = json!(id);
            }
            let answer = server.ask(body);
            id = answer["conversation_id"].as_str().map(String::from);
            answer
        })
        .collect()
}

fn text(answer: &Value) -> &str {
    answer["answer"].as_str().unwrap()
}

fn handed_over(answer: &Value) -> bool {
    answer["handoff"]["needed"] == true && answer["handoff"]["reason"] == "order_lookup"
}

#[test]
fn a_shopper_proves_the_order_is_theirs_before_hearing_of_it_in_both_languages() {
    let shop = Shop::start(0);
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("kefu.log");
    let (_dir, server) = kefu_for(&shop, "3000", &log);

    // Asked without proof: nothing of the order, a request for proof.
    let en =
        conversation(&server, &["where is my order NW-58213? it's been a week", "it's alex.doe@example.com"]);
    assert!(text(&en[0]).contains("e-mail address on the order"), "{}", en[0]);
    assert!(!text(&en[0]).contains("DPD") && en[0]["citations"].as_array().unwrap().is_empty());
    assert!(!handed_over(&en[0]));
    // Proven: where it stands, cited as the order system.
    let told = text(&en[1]);
    assert!(told.contains("has shipped with DPD") && told.contains("15501234567890"), "{told}");
    // Due in two days (the shop's demo dates move with the day it runs): no policy beside it.
    let due = kefu::insights::calendar::day_of(kefu::store::now_ms() + 2 * 86_400_000);
    assert!(told.contains(&format!("Estimated delivery: {due}")) && told.ends_with("[1]"), "{told}");
    assert_eq!(en[1]["citations"][0]["doc_id"], "order-system");
    assert!(en[1]["citations"][0]["breadcrumb"].as_str().unwrap().contains("UTC"));

    // Chinese, the proof given in the same message.
    let zh = conversation(&server, &["我的订单2025111207781到哪了，手机尾号8000"]);
    let told = text(&zh[0]);
    assert!(told.contains("顺丰速运") && told.contains("SF1402938812"), "{told}");

    // A wrong proof, then the right one: told, and the count starts again.
    let retried = conversation(&server, &["where is order NW-66502?", "0000", "0321"]);
    assert!(text(&retried[1]).contains("2 attempts left"), "{}", retried[1]);
    assert!(text(&retried[2]).contains("has been delivered"), "{}", retried[2]);

    // Wrong proofs: told how many are left, then a person takes over; the order stays locked
    // for another conversation, even with the right proof.
    let wrong = conversation(&server, &["order NW-70031 has it shipped yet?", "1111", "2222", "3333"]);
    assert!(text(&wrong[1]).contains("2 attempts left"), "{}", wrong[1]);
    assert!(text(&wrong[2]).contains("1 attempt left"));
    assert!(handed_over(&wrong[3]) && wrong[3]["ticket"]["state"] == "open", "{}", wrong[3]);
    assert!(!text(&wrong[3]).contains("Kettle"));
    let locked = conversation(&server, &["where is order NW-70031? sam.lee@example.com"]);
    assert!(handed_over(&locked[0]) && text(&locked[0]).contains("couldn't confirm"), "{}", locked[0]);
    assert!(!text(&locked[0]).contains("Kettle"));

    // An order that does not exist is told like a wrong proof: nothing says it does not exist.
    let unknown = conversation(&server, &["where is my order NW-12345?", "nobody@example.com"]);
    assert_eq!(
        text(&unknown[1]),
        "That doesn't match the details of order NW-12345. Please check and try again (2 attempts left)."
    );

    // A status kefu cannot explain goes to a person; so does a refund question in Chinese.
    let hold = conversation(&server, &["order NW-99999 status?", "chris@example.com"]);
    assert!(handed_over(&hold[1]) && text(&hold[1]).contains("can't explain"), "{}", hold[1]);
    let refund = conversation(&server, &["订单2025112099881退款到账了吗", "li.lei@example.cn"]);
    assert!(text(&refund[1]).contains("399.00 CNY"), "{}", refund[1]);
    // Typed in pinyin: read as the answerer reads it, and looked up.
    let pinyin = conversation(
        &server,
        &["wo de dingdan 2025112099881 tuikuan dao na le? cangku qianshou san tian le", "li.lei@example.cn"],
    );
    assert!(text(&pinyin[1]).contains("399.00 CNY"), "{}", pinyin[1]);

    // A policy question that names no order is the help center's.
    let policy = server.ask(json!({ "question": "How long does a refund take with PayPal?" }));
    let cited = policy["citations"].as_array().unwrap();
    assert!(!cited.is_empty() && cited.iter().all(|c| c["doc_id"] != "order-system"), "{policy}");
    assert!(!text(&policy).contains("last 4 digits"));

    // The proof is in no stored turn and no log line; the order's details in no log line.
    let transcript: Value = server
        .get(&format!("/v1/conversations/{}", en[1]["conversation_id"].as_str().unwrap()), Some(ADMIN_KEY))
        .json()
        .unwrap();
    let stored = transcript.to_string();
    assert!(!stored.contains("alex.doe@example.com") && stored.contains("[email]"), "{stored}");
    let transcript: Value = server
        .get(&format!("/v1/conversations/{}", zh[0]["conversation_id"].as_str().unwrap()), Some(ADMIN_KEY))
        .json()
        .unwrap();
    let stored = transcript["turns"][0]["text"].as_str().unwrap();
    assert!(
        !stored.contains("8000") && stored.contains("[phone]"),
        "the phone digits given as proof: {stored}"
    );
    drop(server);
    let logged = std::fs::read_to_string(&log).unwrap();
    for secret in ["alex.doe@example.com", "15501234567890", SHOP_TOKEN, "sam.lee"] {
        assert!(!logged.contains(secret), "{secret} in the log");
    }
}

#[test]
fn a_late_parcel_is_told_with_what_the_help_center_says_about_late_parcels() {
    let shop = Shop::start(0);
    let logs = tempfile::tempdir().unwrap();
    let (_dir, server) = kefu_for(&shop, "3000", &logs.path().join("kefu.log"));
    // NW-61007 was due three days ago.
    let answers =
        conversation(&server, &["where's my order NW-61007?? still not here", "jo.park@example.com"]);
    let told = &answers[1];
    let text = text(told);
    assert!(text.contains("has shipped with Royal Mail") && text.contains("It is 3 days late"), "{told}");
    let citations = told["citations"].as_array().unwrap();
    assert_eq!(citations[0]["doc_id"], "order-system");
    assert!(citations.len() >= 2, "the policy is cited: {told}");
    for (i, citation) in citations.iter().enumerate() {
        assert_eq!(citation["n"], i + 1);
        assert!(text.contains(&format!("[{}]", i + 1)), "marker [{}] in {text}", i + 1);
    }
    assert!(citations[1..].iter().all(|c| c["doc_id"].as_str().unwrap().starts_with("en/")), "{told}");
    assert!(!handed_over(told), "{told}");
}

/// The shop's signature of its customer's id, as its pages would compute it.
fn signed(user: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(USER_SECRET.as_bytes()).unwrap();
    mac.update(user.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// A browser session of `user`, signed by the shop; its token.
fn session_of(server: &Server, user: &str, signature: &str) -> String {
    let started = server.post(
        "/v1/sessions",
        PUBLISHABLE_KEY,
        &json!({ "external_user_id": user, "external_user_signature": signature }),
    );
    assert_eq!(started.status(), reqwest::StatusCode::OK);
    started.json::<Value>().unwrap()["token"].as_str().unwrap().to_string()
}

#[test]
fn a_customer_the_shop_signed_in_sees_their_own_orders_and_no_one_elses() {
    let shop = Shop::start(0);
    let logs = tempfile::tempdir().unwrap();
    let (_dir, server) = kefu_for(&shop, "3000", &logs.path().join("kefu.log"));
    let ask = |token: &str, question: &str| -> Value {
        let response = server.post("/v1/ask", token, &json!({ "question": question }));
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        response.json().unwrap()
    };
    // Their own order: told at once.
    let owner = session_of(&server, "cust-1001", &signed("cust-1001"));
    let told = ask(&owner, "where is my order NW-58213?");
    assert!(text(&told).contains("has shipped with DPD"), "{told}");
    // A renewed session keeps knowing its customer only when the shop signs again.
    let renew = |token: &str, signature: Option<String>| {
        let mut body = json!({ "renew": token, "external_user_id": "cust-1001" });
        if let Some(signature) = signature {
            body["external_user_signature"] = json!(signature);
        }
        let renewed = server.post("/v1/sessions", PUBLISHABLE_KEY, &body).json::<Value>().unwrap();
        renewed["token"].as_str().unwrap().to_string()
    };
    let fresh = session_of(&server, "cust-1001", &signed("cust-1001"));
    let unsigned = renew(&fresh, None);
    assert!(text(&ask(&unsigned, "where is my order NW-58213?")).contains("e-mail address on the order"));
    let resigned = renew(&unsigned, Some(signed("cust-1001")));
    assert!(text(&ask(&resigned, "where is my order NW-58213?")).contains("has shipped with DPD"));
    // Someone else's: the usual proof first.
    let other = session_of(&server, "cust-1002", &signed("cust-1002"));
    let asked = ask(&other, "where is my order NW-58213?");
    assert!(text(&asked).contains("e-mail address on the order") && !text(&asked).contains("DPD"), "{asked}");
    // An id the shop did not sign is no proof, and a wrong signature starts no session.
    let claimed = server.post("/v1/sessions", PUBLISHABLE_KEY, &json!({ "external_user_id": "cust-1001" }));
    let claimed = claimed.json::<Value>().unwrap()["token"].as_str().unwrap().to_string();
    assert!(text(&ask(&claimed, "where is my order NW-58213?")).contains("e-mail address on the order"));
    let forged = json!({ "external_user_id": "cust-1001", "external_user_signature": signed("cust-1002") });
    let (status, code, _) = error_of(server.post("/v1/sessions", PUBLISHABLE_KEY, &forged));
    assert_eq!((status, code.as_str()), (400, "invalid_session_external_user_signature"));
}

#[test]
fn a_shop_that_does_not_answer_in_time_hands_the_shopper_to_a_person() {
    let shop = Shop::start(3000);
    let logs = tempfile::tempdir().unwrap();
    let (_dir, server) = kefu_for(&shop, "500", &logs.path().join("kefu.log"));
    let started = std::time::Instant::now();
    let answers = conversation(&server, &["where is my order NW-58213?", "alex.doe@example.com"]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(handed_over(&answers[1]), "{}", answers[1]);
    assert!(text(&answers[1]).contains("can't reach our order system"), "{}", answers[1]);
    assert_eq!(answers[1]["ticket"]["state"], "open", "a ticket, with the order number in its conversation");
    let zh = conversation(&server, &["我的订单2025111207781到哪了，手机尾号8000"]);
    assert!(handed_over(&zh[0]) && text(&zh[0]).contains("订单系统暂时无法连接"), "{}", zh[0]);
}
