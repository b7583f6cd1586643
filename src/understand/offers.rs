//! Offers a help center states beside its answers: trade-in subsidies, the points shop,
//! extended protection for sale. A product page's trade-in line shares the product's name with
//! every question about it, and the embedding model finds it close to all of them ("家里5口人
//! 5.5L的炸锅够吃吗" was answered with the fryer's trade-in subsidy too); it answers only a
//! customer asking about that offer. Pure functions.

/// An offer: words of a sentence that presents it, and words of a message that asks about it
/// (lowercase; matched as substrings).
struct Offer {
    stated_by: &'static [&'static str],
    asked_by: &'static [&'static str],
}

const OFFERS: &[Offer] = &[
    Offer {
        // An FAQ's answer or a table's row says the offer without naming it ("可以，任意品牌的
        // 旧空气炸锅都可以：能正常使用补贴 ¥60", "可回收的旧机: 破壁机").
        stated_by: &["以旧换新", "旧机", "补贴", "回收", "trade-in", "trade in"],
        asked_by: &["旧", "回收", "补贴", "trade", "old one", "old machine", "recycl"],
    },
    Offer {
        stated_by: &["积分商城", "积分兑换", "points shop", "redeem points"],
        asked_by: &["积分", "兑换", "points", "redeem"],
    },
    Offer {
        stated_by: &["加购巢好延保", "可加购", "买延保", "buy care+", "add care+"],
        asked_by: &["延保", "延长", "保修", "care+", "extend", "protection", "warrant"],
    },
];

/// Whether `sentence` presents an offer that `message` does not ask about.
pub fn unasked_offer(message: &str, sentence: &str) -> bool {
    let (message, sentence) = (message.to_lowercase(), sentence.to_lowercase());
    OFFERS.iter().any(|offer| {
        offer.stated_by.iter().any(|w| sentence.contains(w))
            && !offer.asked_by.iter().any(|w| message.contains(w))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_answers_only_who_asks_about_it() {
        let trade_in = "购买时可用旧空气炸锅或电烤箱（任意品牌）参加以旧换新：旧机能正常使用补贴 ¥60。";
        assert!(unasked_offer("家里5口人 5.5L的炸锅够吃吗", trade_in));
        assert!(!unasked_offer("旧炸锅能抵多少钱", trade_in));
        assert!(!unasked_offer("以旧换新的旧机可以约周末上门吗", trade_in));
        let faq_answer = "可以，任意品牌的旧空气炸锅或电烤箱都可以：能正常使用补贴 ¥60，无法开机补贴 ¥30。";
        assert!(unasked_offer("鼠尾草绿的空气炸锅想换成曜石黑的，可以换吗", faq_answer));
        assert!(unasked_offer("破壁机能打冰沙吗", "破壁料理机 — 可回收的旧机: 破壁机、榨汁机"));
        let points = "积分商城也可以用积分兑换漫游 S7 滤网 2 只装。";
        assert!(unasked_offer("S7的耗材套装一套大概能用多久", points));
        assert!(!unasked_offer("滤网能用积分换吗", points));
        assert!(!unasked_offer("can I trade in my old kettle", "Descale every 3 months."));
        assert!(unasked_offer("how do I clean the jar", "Trade in your old blender and save £20."));
    }
}
