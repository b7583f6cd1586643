//! Words shoppers use, glossed with the words help centers write, so that search, evidence
//! and the choice of sentences find them: a holiday on a fixed day with its date ("is live chat
//! open on christmas eve?" asks about 24 December; those on a weekday, such as Easter, move from
//! year to year), "send it back" with "return", "the least amount" with "minimum", 退钱 with 退款,
//! 充满电能用多久 with 续航, 几瓦 with 功率. English only for the holidays: Chinese help centers name theirs (双十一, 春节), and a Chinese date's words (月, 日,
//! a number) are on every notice, so "元旦（1月1日）放假期间还发货吗" read the Spring Festival
//! notice as an answer. Pure.

/// Shoppers' words (lowercase; English ones matched as whole words) and the help center's word
/// for them. Longer names first: "christmas eve" is not "christmas".
const GLOSSES: &[(&[&str], &str)] = &[
    (&["christmas eve", "xmas eve"], "24 December"),
    (&["christmas day", "christmas", "xmas"], "25 December"),
    (&["boxing day"], "26 December"),
    (&["new year's eve", "new years eve", "new year eve", "hogmanay"], "31 December"),
    (&["new year's day", "new years day"], "1 January"),
    (&["valentine's day", "valentines day", "valentine's", "valentines"], "14 February"),
    (&["halloween"], "31 October"),
    // Everyday words for what help centers name otherwise.
    (
        &["send it back", "send them back", "send back", "sent it back", "take it back", "take them back"],
        "return",
    ),
    (&["wattage"], "power"),
    (&["power cable", "cable", "power lead"], "cord"),
    (&["least amount", "smallest amount", "least i can", "least you can"], "minimum"),
    (&["most i can", "most you can", "biggest amount", "largest amount", "max amount"], "maximum"),
    (&["amex"], "American Express"),
    // Not a bare "jug": a blender's is its jar.
    (&["glass jug", "coffee jug", "coffee pot"], "carafe"),
    (
        &[
            "split the payment",
            "split the payments",
            "split my payment",
            "split payment",
            "split payments",
            "split the cost",
            "payment plan",
            "pay monthly",
            "installments",
            "installment",
        ],
        "instalments",
    ),
    (&["退钱", "钱退"], "退款"),
    (&["快递费", "邮费", "寄费"], "运费"),
    // Something missing from the box, in shoppers' words ("拆开发现少了一块拖布").
    (
        &[
            "少了一块",
            "少了一个",
            "少了一件",
            "少了一只",
            "少了一根",
            "少了个",
            "少一块",
            "少一个",
            "少一件",
            "缺了一",
            "没发全",
            "少发了",
            "漏发了",
        ],
        "少件",
    ),
    (
        &[
            "supposed to come with",
            "meant to come with",
            "didn't come with",
            "not in the box",
            "wasn't in the box",
            "weren't in the box",
        ],
        "missing",
    ),
    (
        &[
            "充满电能用多久",
            "充满电能用多长时间",
            "充满电能用几个小时",
            "充满电用多久",
            "充一次电能用多久",
            "充一次电用多久",
            "一次充电能用多久",
            "电池能用多久",
            "电池能撑多久",
            "待机多久",
            "充满电能扫多久",
            "充一次电能扫多久",
            "一次能扫多久",
        ],
        "续航",
    ),
    (&["几瓦", "多少瓦"], "功率"),
    // Repairs in shoppers' words: "能派师傅上门修吗", "只能寄回去修".
    (&["上门修", "上门来修", "上门修理", "来家里修"], "上门维修"),
    // Not "换新的": "以旧换新的旧机" is a trade-in.
    (&["换台新的", "换个新的", "换一台新的", "换一个新的"], "换新"),
    (&["过年"], "春节"),
    (&["寄回去修", "寄回来修", "寄过去修", "寄回修"], "寄修"),
    // How loud a product is: its specification's "噪音" / "Noise" row ("9L双篮的炸锅 工作起来吵不吵").
    (&["吵不吵", "吵吗", "会不会吵", "有多吵", "声音大不大", "声音大吗", "声音多大", "动静大不大"], "噪音"),
    (&["how loud", "how noisy", "noisy", "loud"], "noise"),
    // British words for what help centers write in American or general English, and a warranty's
    // "transfer" in shoppers' words ("does the guarantee carry over to whoever buys it").
    (&["worktop", "worktops", "work top", "work surface", "countertop", "counter top"], "counter"),
    (&["guarantee"], "warranty"),
    // Water in shoppers' words: the warranty's "swimming or showering".
    (&["in the pool", "in the shower", "swimming pool", "went swimming", "swim", "swam"], "swimming"),
    (
        &[
            "swap them out",
            "swap it out",
            "swap out",
            "swapping them out",
            "switch them out",
            "change them out",
        ],
        "replace",
    ),
    (
        &[
            "normal postage",
            "regular postage",
            "normal delivery",
            "regular delivery",
            "normal shipping",
            "regular shipping",
        ],
        "standard delivery",
    ),
    (&["postage", "p&p"], "shipping"),
    (
        &["carry over", "carries over", "pass on", "passes on", "transferable", "transferrable", "new owner"],
        "transfer",
    ),
];

/// Glosses for a question asking how long something takes: help centers say how long
/// "delivery" takes and what "shipping" costs ("how long does shipping to germany take" was read
/// as the shipping-cost FAQ).
const DURATION_GLOSSES: &[(&[&str], &str)] = &[(&["shipping", "postage"], "delivery")];

/// `text` with the help center's word after each of [`GLOSSES`] it uses, in brackets: "open on
/// christmas eve (24 December)?", "能退钱（退款）吗". Searched, weighed and quoted by as the
/// customer's own words: they are, in the help center's form. `uses` says whether the help
/// center uses a phrase's words: a gloss it doesn't use is left out (it would only be a word no
/// passage has), and a customer's word it doesn't use is replaced by the gloss ("do you take
/// amex" reads "do you take American Express"), as a misspelling is by its correction.
pub fn glossed(text: &str, uses: impl Fn(&str) -> bool) -> String {
    let mut found: Vec<(usize, usize, &str, bool)> = Vec::new();
    let mut lower = text.to_lowercase();
    if lower.len() != text.len() {
        // Lowercasing changed byte offsets (rare letters): leave the text as typed.
        return text.to_string();
    }
    let duration = super::expect::expectation(text) == Some(super::expect::Expectation::Duration);
    // A duration's gloss first: "how long does postage take" asks about delivery.
    let glosses = DURATION_GLOSSES.iter().filter(|_| duration).chain(GLOSSES.iter());
    for (names, gloss) in glosses {
        for name in *names {
            while let Some(at) = find(&lower, name) {
                // Blanked out, so that "christmas" does not also read "christmas eve".
                lower.replace_range(at..at + name.len(), &" ".repeat(name.len()));
                if uses(gloss) {
                    // A date stands beside its holiday: "xmas money" is no "25 December money".
                    let date = gloss.chars().any(|c| c.is_ascii_digit());
                    let replaced = !date && !uses(&text[at..at + name.len()]);
                    found.push((at, at + name.len(), gloss, replaced));
                }
            }
        }
    }
    found.sort_unstable();
    let mut out = String::with_capacity(text.len() + 16 * found.len());
    let mut from = 0;
    for (start, end, gloss, replaced) in found {
        if replaced {
            out.push_str(&text[from..start]);
            out.push_str(gloss);
        } else {
            out.push_str(&text[from..end]);
            if gloss.is_ascii() {
                out.push_str(&format!(" ({gloss})"));
            } else {
                out.push_str(&format!("（{gloss}）"));
            }
        }
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

/// `text` without the glosses [`glossed`] added: the customer's words as they wrote them, for
/// saying back to them ("About \"is live chat open on christmas eve?\": …"); a word the gloss
/// replaced stays replaced.
pub fn unglossed(text: &str) -> String {
    let mut out = text.to_string();
    for (_, gloss) in GLOSSES.iter().chain(DURATION_GLOSSES) {
        for added in [format!(" ({gloss})"), format!("（{gloss}）")] {
            out = out.replace(&added, "");
        }
    }
    out
}

/// Where `name` is in lowercase `text`: as whole words ("xmas" is not in "xmasters"), anywhere
/// for a Chinese name.
fn find(text: &str, name: &str) -> Option<usize> {
    if !name.is_ascii() {
        return text.find(name);
    }
    text.match_indices(name).map(|(i, _)| i).find(|&i| {
        text[..i].chars().last().is_none_or(|c| !c.is_alphanumeric())
            && text[i + name.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As glossed for a help center that uses every word.
    fn glossed_by_all(text: &str) -> String {
        glossed(text, |_| true)
    }

    #[test]
    fn a_gloss_the_help_center_lacks_is_left_out_a_word_it_lacks_replaced() {
        let help_center = ["minimum", "american", "express", "instal", "pay", "payment", "split", "caraf"];
        let uses = |phrase: &str| {
            crate::analysis::words(phrase).iter().all(|w| help_center.contains(&w.term.as_str()))
        };
        assert_eq!(glossed("the most i can spend?", uses), "the most i can spend?");
        assert_eq!(glossed("do you take amex", uses), "do you take American Express");
        assert_eq!(glossed("can I split the payment?", uses), "can I split the payment (instalments)?");
        assert_eq!(glossed("the least i can pay", uses), "the minimum pay");
        assert_eq!(glossed("knocked the glass jug off", uses), "knocked the carafe off");
        assert_eq!(glossed("spare jug for the vortex pro?", uses), "spare jug for the vortex pro?");
        let uses = |phrase: &str| ["counter", "warranti", "transfer"].contains(&phrase_term(phrase).as_str());
        assert_eq!(glossed("how much worktop does it need?", uses), "how much counter does it need?");
        assert_eq!(
            glossed("does the guarantee carry over to whoever buys it", uses),
            "does the warranty transfer to whoever buys it"
        );
        assert_eq!(
            glossed_by_all("does the guarantee carry over"),
            "does the guarantee (warranty) carry over (transfer)"
        );
        assert_eq!(
            glossed_by_all("how often am i meant to swap them out"),
            "how often am i meant to swap them out (replace)"
        );
        assert_eq!(glossed_by_all("能直接换台新的吗"), "能直接换台新的（换新）吗");
        assert_eq!(glossed_by_all("以旧换新的旧机回收"), "以旧换新的旧机回收");
        // Postage is what shipping costs, and how long it takes is delivery's.
        assert_eq!(glossed_by_all("do i have to pay postage"), "do i have to pay postage (shipping)");
        assert_eq!(glossed_by_all("how long does postage take"), "how long does postage (delivery) take");
        assert_eq!(
            glossed_by_all("when will it get here with the normal postage"),
            "when will it get here with the normal postage (standard delivery)"
        );
    }

    /// The analysed term of a one-word phrase (empty for several words).
    fn phrase_term(phrase: &str) -> String {
        let words = crate::analysis::words(phrase);
        if words.len() == 1 { words[0].term.clone() } else { String::new() }
    }

    #[test]
    fn a_holiday_is_followed_by_its_date_and_a_phrase_by_the_help_center_s_word() {
        assert_eq!(
            glossed_by_all("is live chat open on Christmas Eve?"),
            "is live chat open on Christmas Eve (24 December)?"
        );
        assert_eq!(
            glossed_by_all("will it arrive before xmas or new years eve"),
            "will it arrive before xmas (25 December) or new years eve (31 December)"
        );
        assert_eq!(glossed_by_all("拆开发现少了一块拖布"), "拆开发现少了一块（少件）拖布");
        assert_eq!(glossed_by_all("wore them in the pool once"), "wore them in the pool (swimming) once");
    }

    #[test]
    fn only_whole_names_of_fixed_holidays() {
        for text in
            ["the xmasters brand kettle", "easter weekend delivery?", "双十一买的能价保吗", "feedback"]
        {
            assert_eq!(glossed_by_all(text), text, "whole words of fixed-day holidays, in English");
        }
        assert_eq!(
            glossed_by_all("Can I send it back and get my money back?"),
            "Can I send it back (return) and get my money back?"
        );
        assert_eq!(glossed_by_all("还没拆封能退钱吗"), "还没拆封能退钱（退款）吗");
        assert_eq!(glossed_by_all("问下充满电能用多久"), "问下充满电能用多久（续航）");
        assert_eq!(glossed_by_all("空气炸锅几瓦的"), "空气炸锅几瓦（功率）的");
        assert_eq!(glossed_by_all("9L的炸锅工作起来吵不吵"), "9L的炸锅工作起来吵不吵（噪音）");
        assert_eq!(glossed_by_all("how loud is the vortex mini?"), "how loud (noise) is the vortex mini?");
        assert_eq!(glossed_by_all("do you take amex"), "do you take amex (American Express)");
        assert_eq!(
            glossed_by_all("whats the least amount of water i can put in"),
            "whats the least amount (minimum) of water i can put in"
        );
        assert_eq!(glossed_by_all("the most i can spend?"), "the most i can (maximum) spend?");
        assert_eq!(glossed_by_all("which is the most popular?"), "which is the most popular?");
        assert_eq!(
            glossed_by_all("how long does shipping to germany take"),
            "how long does shipping (delivery) to germany take"
        );
        assert_eq!(glossed_by_all("how much is shipping to germany"), "how much is shipping to germany");
        for text in
            ["is live chat open on christmas eve?", "can i send them back", "能退钱吗", "a (return) label"]
        {
            assert_eq!(unglossed(&glossed_by_all(text)), text.replace(" (return)", ""));
        }
        assert_eq!(
            glossed_by_all("christmas eve, and christmas day too"),
            "christmas eve (24 December), and christmas day (25 December) too"
        );
    }
}
