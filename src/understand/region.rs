//! Where a customer says they are, read as the regions help centers write their tables by: "I
//! live in Dublin" is the European Union's row of a shipping or warranty table, "we're in
//! Auckland" New Zealand's, "住乌鲁木齐" the row that lists 新疆. Only places whose region is a fact (a country's, a city's or a
//! state's), never a shop's own grouping ("rest of world" differs from shop to shop). Pure.

use unicode_segmentation::UnicodeSegmentation;

/// Words that make a place another one: "Northern Ireland" is not Ireland, "New South Wales"
/// not Wales, "New York" not York.
const OTHER_PLACE: &[&str] = &["new", "north", "northern", "south", "southern", "east", "west"];

/// Places (lowercase, whole words) and the words of the region they are in. Names that are
/// also common words or other places are left out ("nice", "reading", "york", "georgia",
/// "washington", "phoenix", "portland", "hamilton").
const PLACES: &[(&[&str], &str)] = &[
    (
        &[
            "austria",
            "belgium",
            "bulgaria",
            "croatia",
            "cyprus",
            "czechia",
            "czech republic",
            "denmark",
            "estonia",
            "finland",
            "france",
            "germany",
            "greece",
            "hungary",
            "ireland",
            "italy",
            "latvia",
            "lithuania",
            "luxembourg",
            "malta",
            "netherlands",
            "holland",
            "poland",
            "portugal",
            "romania",
            "slovakia",
            "slovenia",
            "spain",
            "sweden",
            "vienna",
            "brussels",
            "antwerp",
            "sofia",
            "zagreb",
            "nicosia",
            "prague",
            "copenhagen",
            "tallinn",
            "helsinki",
            "paris",
            "lyon",
            "marseille",
            "toulouse",
            "bordeaux",
            "berlin",
            "munich",
            "hamburg",
            "cologne",
            "frankfurt",
            "stuttgart",
            "düsseldorf",
            "dusseldorf",
            "leipzig",
            "athens",
            "budapest",
            "dublin",
            "cork",
            "galway",
            "limerick",
            "rome",
            "milan",
            "naples",
            "turin",
            "florence",
            "bologna",
            "riga",
            "vilnius",
            "amsterdam",
            "rotterdam",
            "the hague",
            "utrecht",
            "eindhoven",
            "warsaw",
            "krakow",
            "kraków",
            "lisbon",
            "porto",
            "bucharest",
            "bratislava",
            "ljubljana",
            "madrid",
            "barcelona",
            "valencia",
            "seville",
            "bilbao",
            "malaga",
            "málaga",
            "stockholm",
            "gothenburg",
            "malmö",
            "malmo",
            // More of the EU's larger cities: a customer says where they live, not their country.
            "graz",
            "linz",
            "salzburg",
            "innsbruck",
            "ghent",
            "bruges",
            "liège",
            "liege",
            "leuven",
            "charleroi",
            "plovdiv",
            "varna",
            "dubrovnik",
            "limassol",
            "larnaca",
            "brno",
            "ostrava",
            "aarhus",
            "odense",
            "aalborg",
            "tartu",
            "tampere",
            "turku",
            "espoo",
            "oulu",
            "lille",
            "nantes",
            "strasbourg",
            "montpellier",
            "rennes",
            "grenoble",
            "dijon",
            "dresden",
            "hanover",
            "hannover",
            "nuremberg",
            "nürnberg",
            "bremen",
            "essen",
            "dortmund",
            "bonn",
            "mannheim",
            "heidelberg",
            "freiburg",
            "münster",
            "thessaloniki",
            "debrecen",
            "genoa",
            "venice",
            "verona",
            "palermo",
            "pisa",
            "bari",
            "kaunas",
            "valletta",
            "haarlem",
            "leiden",
            "groningen",
            "maastricht",
            "delft",
            "nijmegen",
            "gdansk",
            "gdańsk",
            "wroclaw",
            "wrocław",
            "poznan",
            "poznań",
            "lodz",
            "łódź",
            "coimbra",
            "faro",
            "braga",
            "cluj",
            "timisoara",
            "kosice",
            "košice",
            "maribor",
            "zaragoza",
            "granada",
            "palma",
            "alicante",
            "murcia",
            "uppsala",
            "waterford",
        ],
        "European Union EU",
    ),
    (
        &[
            "england",
            "scotland",
            "wales",
            "north wales",
            "south wales",
            "northern ireland",
            "london",
            "manchester",
            "birmingham",
            "liverpool",
            "leeds",
            "sheffield",
            "bristol",
            "newcastle",
            "nottingham",
            "leicester",
            "southampton",
            "brighton",
            "oxford",
            "cambridge",
            "glasgow",
            "edinburgh",
            "aberdeen",
            "dundee",
            "cardiff",
            "swansea",
            "belfast",
        ],
        "United Kingdom UK",
    ),
    (
        &[
            "alabama",
            "alaska",
            "arizona",
            "arkansas",
            "california",
            "colorado",
            "connecticut",
            "delaware",
            "florida",
            "hawaii",
            "idaho",
            "illinois",
            "indiana",
            "iowa",
            "kansas",
            "kentucky",
            "louisiana",
            "maine",
            "maryland",
            "massachusetts",
            "michigan",
            "minnesota",
            "mississippi",
            "missouri",
            "montana",
            "nebraska",
            "nevada",
            "new hampshire",
            "new jersey",
            "new mexico",
            "new york",
            "north carolina",
            "north dakota",
            "ohio",
            "oklahoma",
            "oregon",
            "pennsylvania",
            "rhode island",
            "south carolina",
            "south dakota",
            "tennessee",
            "texas",
            "utah",
            "vermont",
            "virginia",
            "west virginia",
            "wisconsin",
            "wyoming",
            "usa",
            "los angeles",
            "san francisco",
            "chicago",
            "houston",
            "austin",
            "dallas",
            "seattle",
            "boston",
            "miami",
            "atlanta",
            "denver",
            "philadelphia",
            "san diego",
        ],
        "United States US",
    ),
    (
        &[
            "ontario",
            "quebec",
            "québec",
            "british columbia",
            "alberta",
            "manitoba",
            "saskatchewan",
            "nova scotia",
            "new brunswick",
            "toronto",
            "montreal",
            "montréal",
            "vancouver",
            "calgary",
            "edmonton",
            "ottawa",
            "winnipeg",
            "halifax",
        ],
        "Canada",
    ),
    (
        &[
            "sydney",
            "melbourne",
            "brisbane",
            "perth",
            "adelaide",
            "canberra",
            "hobart",
            "new south wales",
            "queensland",
            "victoria",
            "tasmania",
        ],
        "Australia",
    ),
    (&["auckland", "wellington", "christchurch", "dunedin"], "New Zealand"),
];

/// Chinese cities and the province (or autonomous region, or municipality) they are in, as
/// Chinese help centers list provinces in their shipping tables ("偏远地区：新疆、西藏、青海…",
/// "华南：广东、广西、福建、海南").
const ZH_PLACES: &[(&[&str], &str)] = &[
    (&["乌鲁木齐", "喀什", "伊犁", "伊宁", "克拉玛依", "库尔勒", "阿克苏", "哈密", "石河子"], "新疆"),
    (&["拉萨", "日喀则", "林芝", "昌都"], "西藏"),
    (&["西宁", "格尔木"], "青海"),
    (&["银川", "石嘴山", "吴忠"], "宁夏"),
    (&["呼和浩特", "包头", "鄂尔多斯", "赤峰", "呼伦贝尔"], "内蒙古"),
    (&["兰州", "天水", "酒泉", "嘉峪关", "张掖"], "甘肃"),
    (&["广州", "深圳", "东莞", "佛山", "珠海", "汕头", "惠州", "中山"], "广东"),
    (&["南宁", "桂林", "柳州", "北海"], "广西"),
    (&["福州", "厦门", "泉州", "漳州"], "福建"),
    (&["海口", "三亚"], "海南"),
    (&["杭州", "宁波", "温州", "绍兴", "嘉兴", "金华", "义乌", "台州"], "浙江"),
    (&["南京", "苏州", "无锡", "常州", "南通", "徐州", "扬州"], "江苏"),
    (&["合肥", "芜湖"], "安徽"),
    (&["济南", "青岛", "烟台", "潍坊"], "山东"),
    (&["南昌", "赣州"], "江西"),
    (&["武汉", "宜昌", "襄阳"], "湖北"),
    (&["长沙", "株洲", "岳阳"], "湖南"),
    (&["郑州", "洛阳", "开封"], "河南"),
    (&["石家庄", "保定", "唐山", "廊坊"], "河北"),
    (&["太原", "大同"], "山西"),
    (&["西安", "咸阳", "宝鸡"], "陕西"),
    (&["成都", "绵阳"], "四川"),
    (&["贵阳", "遵义"], "贵州"),
    (&["昆明", "大理", "丽江"], "云南"),
    (&["沈阳", "大连"], "辽宁"),
    (&["长春", "吉林市"], "吉林"),
    (&["哈尔滨", "大庆"], "黑龙江"),
];

/// The words of the regions the places `text` names in English are in, each region once ("Kia
/// ora, we're in Auckland" → ["New Zealand"]); Chinese cities are [`provinces`].
pub fn regions(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    PLACES
        .iter()
        .filter(|(places, _)| places.iter().any(|place| names(&lower, place)))
        .map(|(_, r)| *r)
        .collect()
}

/// Words after "there" that make it say that something exists ("is there", "there are"), not where.
const THERE_EXISTS: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "s", "isn", "aren", "wasn", "weren", "will", "would", "won",
    "any", "anything", "anyone", "a", "an", "no", "some", "might", "may", "must", "should", "could", "can",
];

/// `question` with the place its "there" or "here" points at named: the one region `message`
/// names ("Ordered a Brewa for my dad in Toronto, can you ship it there" → "can you ship it to
/// Canada"). The help center writes the region, not "there"; a question that only points at it
/// finds nothing about it. Unchanged when the message names no region or several, and for the
/// "there" of being ("is there a fee", "hi there").
pub fn with_place_named(question: &str, message: &str) -> String {
    let named = regions(message);
    let [region] = named.as_slice() else { return question.to_string() };
    let (name, _) = split_short(region);
    let words: Vec<(usize, &str)> = question.unicode_word_indices().collect();
    for (k, &(at, word)) in words.iter().enumerate() {
        let lower = word.to_lowercase();
        if lower != "there" && lower != "here" {
            continue;
        }
        let before = k.checked_sub(1).map(|b| words[b].1.to_lowercase());
        let after = words.get(k + 1).map(|(_, w)| w.to_lowercase());
        // "here in Switzerland" names its place itself.
        let exists = after
            .as_deref()
            .is_some_and(|w| THERE_EXISTS.contains(&w) || ["in", "at", "on"].contains(&w))
            || before.as_deref().is_some_and(|w| {
                ["is", "are", "was", "were", "hi", "hey", "hello", "hiya", "out", "over", "from"].contains(&w)
            });
        if exists {
            continue;
        }
        let lead = match (lower.as_str(), before.as_deref()) {
            (_, Some("to" | "in" | "at" | "into")) => "",
            ("here", _) => "in ",
            _ => "to ",
        };
        return format!("{}{lead}{name}{}", &question[..at], &question[at + word.len()..]);
    }
    question.to_string()
}

/// Whether a table row whose first cell is `label` is the row of one of the regions `named` (as
/// [`regions`] and [`provinces`] give them): "United Kingdom" and "UK" are the row of "United
/// Kingdom UK", "Germany" of "European Union EU", "新疆、西藏" of "新疆".
pub fn is_row_of(label: &str, named: &[&str]) -> bool {
    let lower = label.to_lowercase();
    let by_place = regions(label);
    named.iter().any(|region| {
        let (name, short) = split_short(region);
        by_place.contains(region)
            || names(&lower, &name.to_lowercase())
            || short.is_some_and(|short| names(&lower, &short.to_lowercase()))
    })
}

/// Whether `label` (a table row's first cell) names any region [`regions`] gives: a table two of
/// whose rows do is a table by region.
pub fn names_a_region(label: &str) -> bool {
    PLACES.iter().any(|(_, region)| is_row_of(label, &[region]))
}

/// Whom a sentence is written for, against the regions the customer named (`named`, as
/// [`regions`] and [`provinces`] give them): `Some(true)` when it names one of them ("US and
/// Canadian customers: live chat is also open…" to a customer in Ohio), `Some(false)` when it
/// names regions, none of theirs ("…ask for a callback in live chat (UK and Ireland
/// customers)"), `None` when it names none. A region's short name counts only in capitals:
/// "contact us" is no word about the United States.
pub fn written_for(sentence: &str, named: &[&str]) -> Option<bool> {
    let lower = sentence.to_lowercase();
    let by_place = regions(sentence);
    let names_region = |region: &str| {
        let (name, short) = split_short(region);
        by_place.contains(&region)
            || names(&lower, &name.to_lowercase())
            || short.is_some_and(|short| names(sentence, short))
    };
    let mut mentioned = PLACES
        .iter()
        .map(|(_, region)| *region)
        .filter(|region| names_region(region))
        // A Chinese sentence names a province, or one of its cities, anywhere.
        .chain(ZH_PLACES.iter().map(|(_, province)| *province).filter(|province| sentence.contains(province)))
        .chain(provinces(sentence))
        .peekable();
    mentioned.peek()?;
    Some(mentioned.any(|region| named.contains(&region)))
}

/// A region's words as its name and its short name, when it has one ("United Kingdom UK").
fn split_short(region: &str) -> (&str, Option<&str>) {
    match region.rsplit_once(' ') {
        Some((name, short)) if short.len() <= 3 && short.chars().all(|c| c.is_ascii_uppercase()) => {
            (name, Some(short))
        }
        _ => (region, None),
    }
}

/// Whether lowercase `text` names `place`: as whole words, not as part of another place's name.
fn names(text: &str, place: &str) -> bool {
    text.match_indices(place).any(|(i, _)| {
        let before = &text[..i];
        let after = text[i + place.len()..].chars().next();
        let word_before = before.split(|c: char| !c.is_alphanumeric()).nth_back(1).unwrap_or("");
        before.chars().last().is_none_or(|c| !c.is_alphanumeric())
            && after.is_none_or(|c| !c.is_alphanumeric())
            && !(before.ends_with(' ') && OTHER_PLACE.contains(&word_before))
    })
}

/// The Chinese provinces of the cities `text` names, each once ("深圳发货到杭州" → ["广东",
/// "浙江"]). Unlike "EU" or "UK", words an English help center uses on every other page, a
/// province's name is what a Chinese help center's region rows are found by: these are worth
/// searching with.
pub fn provinces(text: &str) -> Vec<&'static str> {
    // Chinese is written without spaces: a city's name is found anywhere.
    ZH_PLACES
        .iter()
        .filter(|(places, _)| places.iter().any(|place| text.contains(place)))
        .map(|(_, p)| *p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_row_is_told_by_its_region() {
        let uk = ["United Kingdom UK"];
        assert!(is_row_of("United Kingdom", &uk) && is_row_of("UK mainland", &uk));
        assert!(!is_row_of("Rest of world", &uk) && !is_row_of("Ukraine", &uk));
        assert!(is_row_of("Germany", &["European Union EU"]));
        assert!(is_row_of("新疆、西藏", &["新疆"]) && !is_row_of("江浙沪", &["新疆"]));
        assert!(names_a_region("Canada") && names_a_region("European Union") && !names_a_region("Live chat"));
    }

    #[test]
    fn a_sentence_is_written_for_the_customers_of_the_regions_it_names() {
        let us = regions("I'm in Ohio");
        assert_eq!(
            written_for("US and Canadian customers: live chat is also open 09:00–17:00.", &us),
            Some(true)
        );
        assert_eq!(
            written_for("Ask for a callback in live chat (UK and Ireland customers).", &us),
            Some(false)
        );
        assert_eq!(written_for("Data is stored in Frankfurt, Germany.", &us), Some(false));
        // "us" is a pronoun, "Rest of world" a shop's grouping: neither names a region.
        assert_eq!(written_for("Contact us within 7 days; rest of world takes longer.", &us), None);
        assert_eq!(written_for("新疆、西藏：5–7 天送达。", &provinces("住乌鲁木齐")), Some(true));
        assert_eq!(written_for("广东省内次日达。", &provinces("住乌鲁木齐")), Some(false));
    }

    #[test]
    fn a_place_is_read_as_its_region() {
        assert_eq!(regions("covered by warranty or nah, im in Germany btw"), ["European Union EU"]);
        assert_eq!(
            regions("Kia ora, I'm ordering 3 Roamo S7s for the family here in Auckland"),
            ["New Zealand"]
        );
        assert_eq!(regions("I'm in Austin, Texas"), ["United States US"]);
        // What "there" and "here" point at.
        let told = "Ordered a Brewa as a gift for my dad in Toronto";
        assert_eq!(with_place_named("can you ship it there", told), "can you ship it to Canada");
        assert_eq!(
            with_place_named("how long to get here?", "we live in Leeds"),
            "how long to get in United Kingdom?"
        );
        assert_eq!(with_place_named("is there a fee?", told), "is there a fee?");
        assert_eq!(
            with_place_named("any charges when it's delivered here in Switzerland?", "moved from Amsterdam"),
            "any charges when it's delivered here in Switzerland?"
        );
        assert_eq!(
            with_place_named("can you deliver there", "hi there, just a question"),
            "can you deliver there"
        );
        assert_eq!(
            with_place_named("can you send it there", "moved from glasgow to amsterdam"),
            "can you send it there",
            "two regions: which one?"
        );
        assert_eq!(regions("moved from glasgow to amsterdam"), ["European Union EU", "United Kingdom UK"]);
        assert_eq!(provinces("我爸妈住乌鲁木齐，直接寄过去要几天能到"), ["新疆"]);
        assert_eq!(provinces("深圳发货到杭州"), ["广东", "浙江"]);
        assert!(provinces("I'm in Austin, Texas").is_empty());
        // A place inside another's name is that other place.
        assert_eq!(regions("we live in Northern Ireland"), ["United Kingdom UK"]);
        assert_eq!(regions("shipping to New South Wales?"), ["Australia"]);
        assert_eq!(regions("I'm in south Wales"), ["United Kingdom UK"]);
        assert_eq!(regions("new york"), ["United States US"]);
        // Whole words only, and no shop's own grouping.
        assert!(regions("my order ships to Norway").is_empty());
        assert!(regions("the corkscrew and the newcastlebrown").is_empty());
    }
}
