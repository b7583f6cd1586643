use super::*;
use kefu_ingest::product::Listing;

fn product(model: &str, name: &str, category: &str, gbp: u64, tags: &[&str], fits: &[&str]) -> Product {
    Product {
        doc_id: format!("en/products/{model}.md"),
        locale: "en".into(),
        name: name.into(),
        url: None,
        listing: Listing {
            model: model.into(),
            category: Some(category.into()),
            prices: [("GBP".to_string(), gbp * 100)].into_iter().collect(),
            fits: fits.iter().map(|s| s.to_string()).collect(),
            ..Listing::default()
        },
        tags: tags.iter().map(|s| s.to_string()).collect(),
        specs: Vec::new(),
    }
}

fn catalogue() -> Catalogue {
    let products = vec![
        product("NW-BL1200", "Vortex Pro Blender", "blender", 115, &["blender", "smoothie"], &[]),
        product("NW-BL600", "Vortex Mini Blender", "blender", 59, &["blender", "smoothie"], &[]),
        product("NW-RV700", "Roamo S7 Robot Vacuum", "robot-vacuum", 299, &["robot vacuum", "mop"], &[]),
        product("NW-RV500", "Roamo S5 Robot Vacuum", "robot-vacuum", 199, &["robot vacuum"], &[]),
        product(
            "NW-RV7K",
            "Roamo S7 Replacement Kit",
            "robot-vacuum-parts",
            15,
            &["filter", "brush"],
            &["NW-RV700"],
        ),
        product("NW-CM400", "Brewa Coffee Maker", "coffee-maker", 79, &["coffee"], &[]),
    ];
    let pages: HashMap<String, String> = [
        ("NW-BL600", "Quiet personal blender, 600 ml cup. It can't crush ice."),
        ("NW-BL1200", "Crushes ice, 1.5 litre jar, 1,200 W."),
        ("NW-RV500", "Compact robot for small flats, 7.2 cm tall."),
        ("NW-RV700", "Mops and vacuums, pet hair, 9.7 cm tall."),
        ("NW-CM400", "Drip coffee maker, 10 cups, keeps coffee warm."),
    ]
    .into_iter()
    .map(|(m, text)| (format!("en/products/{m}.md"), text.to_string()))
    .collect();
    Catalogue::new(products, &pages)
}

fn decide(text: &str, shopper: &Shopper, relevance: &[(&str, f32)]) -> Decision {
    let catalogue = catalogue();
    let relevance = relevance.iter().map(|(m, s)| (format!("en/products/{m}.md"), *s)).collect();
    let request = Request {
        text,
        locale: "en",
        budget: crate::understand::advice::budget(text),
        parts: crate::understand::advice::asks_for_parts(text),
        shopper,
    };
    catalogue.decide(&request, &relevance)
}

fn models(decision: &Decision) -> Vec<String> {
    let catalogue = catalogue();
    let picks = match decision {
        Decision::Recommend(picks) | Decision::Clarify(picks) => picks.clone(),
        Decision::OverBudget(i) => vec![*i],
        Decision::NotSold => Vec::new(),
    };
    picks.into_iter().map(|i| catalogue.product(i).listing.model.clone()).collect()
}

#[test]
fn a_budget_keeps_what_the_shopper_can_afford() {
    let none = Shopper::default();
    let decision = decide("quiet blender under £100", &none, &[("NW-BL1200", 0.9), ("NW-BL600", 0.8)]);
    assert!(matches!(decision, Decision::Recommend(_)));
    assert_eq!(models(&decision), ["NW-BL600"]);
    let decision = decide("a blender under £40", &none, &[("NW-BL600", 0.8)]);
    assert_eq!(decision, Decision::OverBudget(1));
}

#[test]
fn parts_fit_what_the_shopper_owns_and_owned_products_are_never_recommended() {
    let none = Shopper::default();
    let decision = decide("what filter fits my Roamo S7", &none, &[]);
    assert_eq!(models(&decision), ["NW-RV7K"]);
    let owner = Shopper { owned: vec!["NW-RV700".into()], viewed: Vec::new() };
    assert_eq!(models(&decide("anything you'd suggest?", &owner, &[])), ["NW-RV7K"]);
    let decision = decide("which robot vacuum should i get", &owner, &[("NW-RV700", 0.9), ("NW-RV500", 0.5)]);
    assert_eq!(models(&decision), ["NW-RV500"]);
    // Parts for a kind of product fit one of that kind: the robot's kit is no blender part.
    assert_eq!(decide("do you sell a replacement jar for the blender", &none, &[]), Decision::NotSold);
    assert_eq!(models(&decide("replacement filter for the robot vacuum", &none, &[])), ["NW-RV7K"]);
}

#[test]
fn a_part_named_that_no_part_sold_is_not_sold() {
    let none = Shopper::default();
    // The kit is no water tank, nor a case; the words of what it fits name no part.
    assert_eq!(decide("can i buy a replacement water tank for my roamo s7?", &none, &[]), Decision::NotSold);
    assert_eq!(decide("lost it, can i get a spare case for the roamo s7", &none, &[]), Decision::NotSold);
    assert_eq!(models(&decide("spare brushes for my roamo s7?", &none, &[])), ["NW-RV7K"]);
    assert_eq!(models(&decide("a replacement roamo s7 filter please", &none, &[])), ["NW-RV7K"]);
    // A piece of a product on its own is no whole product.
    let decision = decide("my blender's cup broke, can i buy one separately?", &none, &[("NW-BL600", 0.8)]);
    assert_eq!(decision, Decision::NotSold);
    // Naming none, any part that fits.
    assert_eq!(models(&decide("do you sell spare parts for the roamo s7", &none, &[])), ["NW-RV7K"]);
}

#[test]
fn vague_requests_get_a_question_and_unsold_kinds_a_no() {
    let none = Shopper::default();
    assert_eq!(
        decide("can you recommend something?", &none, &[("NW-CM400", 0.2)]),
        Decision::Clarify(Vec::new())
    );
    let decision = decide("recommend a blender", &none, &[("NW-BL1200", 0.9), ("NW-BL600", 0.8)]);
    assert!(matches!(decision, Decision::Clarify(_)));
    assert_eq!(models(&decision), ["NW-BL1200", "NW-BL600"]);
    assert_eq!(decide("recommend a washing machine", &none, &[("NW-CM400", 0.3)]), Decision::NotSold);
    assert_eq!(
        decide("do you have a stick vacuum? dont want a robot", &none, &[("NW-RV500", 0.3)]),
        Decision::NotSold
    );
}

#[test]
fn needs_alone_rank_by_the_pages_relevance() {
    let none = Shopper::default();
    let decision =
        decide("gift for someone who loves coffee", &none, &[("NW-CM400", 0.9), ("NW-BL600", 0.3)]);
    assert_eq!(models(&decision), ["NW-CM400"]);
    let decision = decide("robot for a small flat", &none, &[("NW-RV500", 0.9), ("NW-RV700", 0.7)]);
    assert_eq!(models(&decision), ["NW-RV500", "NW-RV700"]);
}

#[test]
fn products_are_found_by_model_and_name_and_ownership_by_the_words_before() {
    let catalogue = catalogue();
    let found = catalogue.mentioned("my roamo s7 and the nw-bl600", "en");
    let named: Vec<(&str, bool)> =
        found.iter().map(|&(i, own)| (catalogue.product(i).listing.model.as_str(), own)).collect();
    assert!(named.contains(&("NW-RV700", true)), "{named:?}");
    assert!(named.contains(&("NW-BL600", false)), "{named:?}");
    assert!(catalogue.mentioned("roamo s70", "en").is_empty());
    // A short name inside a sentence, and ownership from the words before it.
    let found = catalogue.mentioned("what filter fits my S7? and is the nw-bl1200 loud", "en");
    let named: Vec<(&str, bool)> =
        found.iter().map(|&(i, own)| (catalogue.product(i).listing.model.as_str(), own)).collect();
    assert!(named.contains(&("NW-RV700", true)) && named.contains(&("NW-BL1200", false)), "{named:?}");
}

#[test]
fn a_question_s_subject_is_the_products_or_kind_it_names() {
    let catalogue = catalogue();
    assert_eq!(catalogue.subject("does the S5 mop?", "en").as_deref(), Some("Roamo S5 Robot Vacuum"));
    assert_eq!(catalogue.subject("can a blender crush ice?", "en").as_deref(), Some("blender"));
    assert_eq!(catalogue.subject("how much does it weigh?", "en"), None);
    assert_eq!(catalogue.subject("does the S5 mop?", "zh"), None, "products of the question's locale");
}

#[test]
fn a_product_is_named_by_its_name_without_measures_or_its_own_first_word() {
    let mut products = vec![
        product("NW-KT170", "Pour 1.7 L Kettle", "kettle", 49, &["kettle"], &[]),
        product("NW-CM400", "Brewa Coffee Maker", "coffee-maker", 79, &["coffee"], &[]),
        product("NW-DS25", "Descaler Sachets", "descaler", 6, &["descaler"], &["NW-KT170", "NW-CM400"]),
    ];
    products[0].listing.accessories = vec!["NW-DS25".into()];
    let pages: HashMap<String, String> = [
        ("NW-KT170", "Boil, pour away, then boil fresh water twice."),
        ("NW-CM400", "The Brewa keeps coffee warm for 40 minutes."),
    ]
    .into_iter()
    .map(|(m, text)| (format!("en/products/{m}.md"), text.to_string()))
    .collect();
    let catalogue = Catalogue::new(products, &pages);
    let named = |q: &str| -> Vec<String> {
        catalogue.named(q, "en").into_iter().map(|i| catalogue.product(i).listing.model.clone()).collect()
    };
    assert_eq!(named("how heavy is the pour kettle?"), ["NW-KT170"]);
    assert_eq!(named("is the brewa dishwasher safe"), ["NW-CM400"]);
    assert!(
        named("can i pour hot water into it").is_empty(),
        "\"pour\" is also an ordinary word on the pages"
    );
    // Sentences of another product's page do not answer for the one named; its parts' do.
    let brewa = catalogue.named("is the brewa dishwasher safe", "en");
    let page = |model: &str| format!("en/products/{model}.md");
    assert!(catalogue.about_another_product(
        &brewa,
        "The lid is dishwasher-safe.",
        &page("NW-KT170"),
        None,
        "en"
    ));
    assert!(!catalogue.about_another_product(&brewa, "One sachet per litre.", &page("NW-DS25"), None, "en"));
    assert!(!catalogue.about_another_product(&brewa, "The jug is glass.", &page("NW-CM400"), None, "en"));
    assert!(!catalogue.about_another_product(
        &[],
        "The lid is dishwasher-safe.",
        &page("NW-KT170"),
        None,
        "en"
    ));
    // A document about another product (its FAQ) is that product's.
    let faq = "en/products/pour-kettle-faq.json";
    assert!(catalogue.about_another_product(
        &brewa,
        "Descale monthly.",
        faq,
        Some("Pour 1.7 L Kettle"),
        "en"
    ));
    assert!(!catalogue.about_another_product(
        &brewa,
        "Descale monthly.",
        faq,
        Some("Brewa Coffee Maker"),
        "en"
    ));
}

#[test]
fn a_price_is_asked_of_the_product_named_next_to_the_asking_words() {
    let catalogue = catalogue();
    let asked = |q: &str| -> Vec<String> {
        catalogue.price_asked(q, "en").into_iter().map(|p| p.listing.model.clone()).collect()
    };
    assert_eq!(asked("How much is the Roamo S5?"), ["NW-RV500"]);
    assert_eq!(asked("what does the brewa coffee maker cost in the US"), ["NW-CM400"]);
    assert_eq!(asked("vortex mini blender price?"), ["NW-BL600"]);
    assert!(asked("how much is care+ for the roamo s7").is_empty(), "Care+'s price");
    assert!(asked("what does the roamo s7 do when it's stuck").is_empty());
    assert!(asked("how much can the vortex pro blend in one go").is_empty());
    // Every product a price question names; a tag only where no name was found.
    let mut both = asked("how much are the vortex pro and the vortex mini blender?");
    both.sort();
    assert_eq!(both, ["NW-BL1200", "NW-BL600"]);
    assert!(asks_price_of_earlier("ok and how much is it?") && asks_price_of_earlier("那它多少钱"));
    assert!(!asks_price_of_earlier("how much is an item's shipping?"));
}

#[test]
fn sentences_about_another_model_of_the_product_asked_about_are_told_apart() {
    let catalogue = catalogue();
    let page = |model: &str| format!("en/products/{model}.md");
    let focus = catalogue.focus("how long does the roamo s5 take to charge", "en").unwrap();
    let about = |text: &str, doc: &str| catalogue.about_sibling(&focus, text, &page(doc), None, "en");
    assert!(about("Charging time — Roamo S7 (NW-RV700): About 4.5 hours", "NW-RV700"));
    // On the S7's page, a sentence that names no model is the S7's.
    assert!(about("It charges in about 4.5 hours.", "NW-RV700"));
    assert!(!about("Charging time — Roamo S5 (NW-RV500): About 5 hours", "NW-RV500"));
    assert!(!about("The S7 charges faster than the S5.", "NW-RV700"));
    assert!(!about("Free delivery on orders over £50.", "NW-CM400"));
    assert!(!about("For mopping too, look at the Roamo S7 (NW-RV700).", "NW-RV500"));
    // A document about the S7 (its FAQ) is the S7's too.
    let faq = |text: &str, product: &str| {
        catalogue.about_sibling(&focus, text, "en/products/roamo-s7-faq.json", Some(product), "en")
    };
    assert!(faq("A full charge takes about 4.5 hours.", "Roamo S7 Robot Vacuum"));
    assert!(!faq("A full charge takes about 4.5 hours.", "Roamo S5 Robot Vacuum"));
    // A question naming both models, or only a product with no sibling, or none, has no focus.
    assert!(catalogue.focus("is the roamo s7 quieter than the s5?", "en").is_none());
    assert!(catalogue.focus("does the brewa keep coffee warm", "en").is_none());
    assert!(catalogue.focus("how long does a refund take", "en").is_none());
    assert!(catalogue.focus("does the Roamo S7 Replacement Kit fit the s5", "en").is_none());
}

#[test]
fn a_question_is_read_without_the_products_it_names() {
    let catalogue = catalogue();
    let unnamed = catalogue.without_names("Is the warranty on my Roamo S7 and the NW-BL600 the same?", "en");
    assert!(!unnamed.contains("roamo") && !unnamed.contains("s7") && !unnamed.contains("bl600"), "{unnamed}");
    assert!(unnamed.starts_with("is the warranty on my ") && unnamed.ends_with(" the same?"), "{unnamed}");
    // Only whole names: "s70" is no S7.
    assert_eq!(catalogue.without_names("is the s70 covered?", "en"), "is the s70 covered?");
    // A model's plural is that model; "s7x" is none.
    assert!(!catalogue.without_names("can the s7s mop?", "en").contains("s7s"));
    assert!(!catalogue.mentioned("got the roamo s7s today", "en").is_empty());
    assert!(catalogue.mentioned("got the roamo s7x today", "en").is_empty());
}

#[test]
fn a_single_chinese_character_of_a_kind_names_no_subject() {
    let mut products = vec![
        product("NW-RV700", "漫游 S7 扫拖机器人", "robot-vacuum", 1999, &["扫地机器人", "扫拖一体"], &[]),
        product("NW-RV500", "漫游 S5 扫地机器人", "robot-vacuum", 1299, &["扫地机器人"], &[]),
        product("NW-KT170", "温控电热水壶", "kettle", 199, &["电热水壶"], &[]),
    ];
    for p in &mut products {
        p.locale = "zh".into();
    }
    let catalogue = Catalogue::new(products, &HashMap::new());
    // "扫" is how the question says what it does, not what it is about.
    assert_eq!(catalogue.subject("想知道它能不能钻进去扫", "zh"), None);
    assert!(catalogue.subject("扫地机器人能钻进餐椅下面吗", "zh").is_some_and(|s| s.contains("扫地")));
}

#[test]
fn a_question_tells_apart_a_product_its_context_names_by_a_word_of_its_name() {
    let catalogue = catalogue();
    let named = |question: &str, context: &str| -> Vec<String> {
        let text = format!("{context} {question}");
        catalogue
            .named_in_part(question, &text, "en")
            .into_iter()
            .map(|i| catalogue.model(i).to_string())
            .collect()
    };
    let story = "I'm torn between the Vortex Pro and the Mini.";
    assert_eq!(named("can the mini crush ice?", story), ["NW-BL600"]);
    assert_eq!(named("and the pro?", story), ["NW-BL1200"]);
    // Neither told apart: both, "the Mini" beside "the Vortex Pro" included.
    assert_eq!(named("which one is quieter?", story), ["NW-BL1200", "NW-BL600"]);
    // A product the question names itself wins over the context.
    assert_eq!(named("is the roamo s5 quiet?", story), ["NW-RV500"]);
    assert!(named("how long does a refund take?", "I bought a blender.").is_empty());
}

#[test]
fn a_part_named_by_its_own_name_is_told() {
    let catalogue = catalogue();
    assert!(catalogue.names_part("Can I just buy the NW-RV7K replacement kit for my S5?", "en"));
    assert!(catalogue.names_part("does the Roamo S7 Replacement Kit fit the s5", "en"));
    assert!(!catalogue.names_part("what filter fits my roamo s7?", "en"));
    assert!(!catalogue.names_part("is the roamo s7 good with dog hair", "en"));
}
