//! Product recommendations end to end over HTTP, over the sample catalogue in `corpus/`
//! (12 products per language): the catalogue at `GET /v1/products`; advice within a budget with
//! reasons quoted from the product's own page; a clarifying question for a vague request and a
//! plain no for what the shop does not sell; the parts of what a signed-in customer owns, never
//! the product they have; ordinary questions answered from the help center as before.

use serde_json::{Value, json};

use crate::serve::{QUERY_KEY, Server, copy_dir, corpus_data, error_of};

const PUBLISHABLE_KEY: &str = "pk-recommend-0123456789abcdef";
const USER_SECRET: &str = "the-shop-signs-customer-ids-for-recs-0123";

fn kefu() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(corpus_data(), dir.path());
    let keys = format!("{QUERY_KEY}:query,{PUBLISHABLE_KEY}:publishable");
    let server = Server::start(
        dir.path(),
        &[
            ("KEFU_API_KEYS", keys.as_str()),
            ("KEFU_SERVER__SESSION_SECRET", "session-secret-recommend-0123456789-01"),
            ("KEFU_SERVER__EXTERNAL_USER_SECRET", USER_SECRET),
        ],
    );
    (dir, server)
}

fn recommended(answer: &Value) -> Vec<&str> {
    answer["recommendation"]["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["model"].as_str().unwrap())
        .collect()
}

/// Every reason's citation is of its product's page, and every word of the reason is in the
/// passage cited (read back from `GET /v1/documents`).
fn assert_reasons_grounded(server: &Server, answer: &Value) {
    let citations = answer["citations"].as_array().unwrap();
    for product in answer["recommendation"]["products"].as_array().unwrap() {
        let reasons = product["reasons"].as_array().unwrap();
        assert!(!reasons.is_empty(), "{product}");
        for (reason, n) in reasons.iter().zip(product["cited"].as_array().unwrap()) {
            let citation = citations.iter().find(|c| c["n"] == *n).expect("the reason's citation");
            assert_eq!(citation["doc_id"], product["doc_id"], "{reason} cites another page");
            let doc_id = citation["doc_id"].as_str().unwrap();
            let page: Value = server.get(&format!("/v1/documents/{doc_id}"), Some(QUERY_KEY)).json().unwrap();
            let text: Vec<char> = page["text"].as_str().unwrap().chars().collect();
            let [start, end] = [citation["span"][0].as_u64().unwrap(), citation["span"][1].as_u64().unwrap()];
            let cited: String = text[start as usize..end as usize].iter().collect();
            for word in
                reason.as_str().unwrap().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
            {
                assert!(cited.contains(word), "`{word}` of {reason} is not in the cited `{cited}`");
            }
        }
    }
}

#[test]
fn the_catalogue_lists_the_products_of_the_product_pages() {
    let (_dir, server) = kefu();
    let all: Value = server.get("/v1/products?locale=en", Some(QUERY_KEY)).json().unwrap();
    assert_eq!(all["total"], 12, "{all}");
    let blenders: Value =
        server.get("/v1/products?locale=en&category=blender", Some(QUERY_KEY)).json().unwrap();
    let models: Vec<&str> =
        blenders["products"].as_array().unwrap().iter().map(|p| p["model"].as_str().unwrap()).collect();
    assert_eq!(models, ["NW-BL1200", "NW-BL600"]);
    let pro = &blenders["products"][0];
    assert_eq!(pro["prices"]["GBP"]["shown"], "£115");
    assert!(pro["specs"].as_array().unwrap().iter().any(|s| s["name"] == "Motor"), "{pro}");
    let zh: Value = server.get("/v1/products?locale=zh&limit=5", Some(QUERY_KEY)).json().unwrap();
    assert_eq!((zh["total"].as_u64(), zh["products"].as_array().unwrap().len()), (Some(12), 5));
    let (status, _, message) = error_of(server.get("/v1/products?limit=0", Some(QUERY_KEY)));
    assert_eq!(status, 400);
    assert!(message.contains("limit"), "{message}");
}

#[test]
fn advice_fits_the_budget_and_quotes_its_reasons_from_the_products_page() {
    let (_dir, server) = kefu();
    let quiet = server.ask(json!({ "question": "can you recommend a quiet blender under £100?" }));
    assert_eq!(quiet["recommendation"]["outcome"], "recommended", "{quiet}");
    assert_eq!(recommended(&quiet), ["NW-BL600"], "the Vortex Pro costs £115");
    assert!(quiet["answer"].as_str().unwrap().contains("£59"), "{quiet}");
    assert_reasons_grounded(&server, &quiet);

    let zh = server.ask(json!({ "question": "想买个扫地机器人，预算1500以内，家里40平的小户型" }));
    assert_eq!(recommended(&zh), ["NW-RV500"], "{zh}");
    assert_reasons_grounded(&server, &zh);

    // A size the page says is too much for the smaller robot.
    let big = server.ask(json!({ "question": "which robot vacuum should we get? the flat is about 90m2" }));
    assert_eq!(recommended(&big).first(), Some(&"NW-RV700"), "{big}");

    let vague = server.ask(json!({ "question": "can you recommend something?" }));
    assert_eq!(vague["recommendation"]["outcome"], "clarify", "{vague}");
    assert!(vague["answer"].as_str().unwrap().contains("budget"), "{vague}");
    let unsold = server.ask(json!({ "question": "推荐一台洗衣机" }));
    assert_eq!(unsold["recommendation"]["outcome"], "not_sold", "{unsold}");
    assert!(recommended(&unsold).is_empty());

    // A question about a policy is answered from the help center.
    let policy = server.ask(json!({ "question": "how long do I have to return a blender?" }));
    assert!(policy.get("recommendation").is_none(), "{policy}");
    // So is one about a service of the shop, not a product it might sell.
    for question in ["do you have a loyalty programme?", "有没有优惠券"] {
        let service = server.ask(json!({ "question": question }));
        assert!(service.get("recommendation").is_none(), "{service}");
    }
    // Nor one about delivery that says what the shopper wants to buy, or what a part does.
    for question in
        ["想买个空气炸锅，能送到新疆吗", "S7上地毯的时候拖布会自动抬起来吗？客厅铺了块大地毯怕弄湿"]
    {
        let asked = server.ask(json!({ "question": question }));
        assert!(asked.get("recommendation").is_none(), "{asked}");
    }
    // Nor whether a product's part has something ("有没有" after the product's name).
    for question in ["漫游S7的尘盒里有没有滤网", "KT170水壶的壶嘴有没有过滤网啊"] {
        let asked = server.ask(json!({ "question": question }));
        assert!(asked.get("recommendation").is_none(), "{asked}");
    }
    // A request for a part is still advice.
    for question in ["what filter fits my roamo s7?", "漫游S7有没有备用滤网卖"] {
        let filter = server.ask(json!({ "question": question }));
        assert!(filter.get("recommendation").is_some(), "{filter}");
    }
}

/// The shop's signature of its customer's id.
fn signed(user: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(USER_SECRET.as_bytes()).unwrap();
    mac.update(user.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_signed_in_customer_hears_of_parts_for_what_they_own_and_never_of_what_they_have() {
    let (_dir, server) = kefu();
    // Products come from the shop about a customer it signed in, not from the browser.
    let unsigned = json!({ "external_user_id": "cust-7", "owned_products": ["NW-RV700"] });
    let (status, code, _) = error_of(server.post("/v1/sessions", PUBLISHABLE_KEY, &unsigned));
    assert_eq!((status, code.as_str()), (400, "invalid_session_owned_products"));
    let session = json!({
        "external_user_id": "cust-7",
        "external_user_signature": signed("cust-7"),
        "owned_products": ["NW-RV700", "NW-KT170"],
    });
    let started: Value = server.post("/v1/sessions", PUBLISHABLE_KEY, &session).json().unwrap();
    let token = started["token"].as_str().unwrap();
    let ask = |question: &str| -> Value {
        server.post("/v1/ask", token, &json!({ "question": question })).json().unwrap()
    };

    let parts = ask("what should i stock up on for the things i already have from you?");
    let models = recommended(&parts);
    assert!(models.contains(&"NW-RV7K") && models.contains(&"NW-DS25"), "{parts}");
    assert!(!models.contains(&"NW-RV700") && !models.contains(&"NW-KT170"), "{parts}");
    let robots = ask("which robot vacuum would you recommend?");
    assert_eq!(recommended(&robots), ["NW-RV500"], "they have the S7: {robots}");

    // A session's products are its token's: an ask may not add some.
    let added = json!({ "question": "recommend a kettle", "owned_products": ["NW-KT170"] });
    let (status, code, _) = error_of(server.post("/v1/ask", token, &added));
    assert_eq!((status, code.as_str()), (400, "invalid_ask_owned_products"));
}
