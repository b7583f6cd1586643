//! What kefu says in its own words, in the customer's language (Chinese or English).

/// The language kefu answers in: `zh` for Chinese questions, else `en`.
pub fn language_of(question: &str, requested: Option<&str>) -> &'static str {
    let locale = requested.map(str::to_string).unwrap_or_else(|| kefu_ingest::locale::detect(question));
    if locale.starts_with("zh") { "zh" } else { "en" }
}

/// What kefu can promise a customer it hands over: it must match what really happens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Promise {
    /// A ticket reaches the shop's agents, who reply in this conversation.
    Reply {
        /// The agents are at work now.
        open_now: bool,
        /// When they are (`mon-fri 09:00-18:00 +08:00`), said when they are not.
        hours: Option<String>,
    },
    /// Nobody receives the conversation: say how to reach the shop (when configured).
    #[default]
    Elsewhere,
    /// As [`Promise::Elsewhere`], with the shop's contact details.
    Contact(crate::config::Contact),
}

/// What the customer is told will happen now that a person should take over.
pub fn promise(language: &str, promise: &Promise) -> String {
    let zh = language == "zh";
    match promise {
        Promise::Reply { open_now: true, .. } if zh => "已为您转接人工客服，同事会尽快在这里回复您。".into(),
        Promise::Reply { open_now: true, .. } => {
            "I've passed this to our support team; a colleague will reply here shortly.".into()
        }
        Promise::Reply { open_now: false, hours } => match (zh, hours) {
            (true, Some(hours)) => {
                format!("现在不是人工客服的服务时间（{hours}），同事上班后会在这里回复您。")
            }
            (true, None) => "现在不是人工客服的服务时间，同事上班后会在这里回复您。".into(),
            (false, Some(hours)) => format!(
                "Our support team is away right now (hours: {hours}); a colleague will reply here when they are back."
            ),
            (false, None) => {
                "Our support team is away right now; a colleague will reply here when they are back.".into()
            }
        },
        Promise::Contact(contact) => match (zh, contact.zh.as_deref(), contact.en.as_deref()) {
            (true, Some(how), _) => format!("您可以这样联系人工客服：{how}。"),
            (false, _, Some(how)) => format!("You can reach our support team: {how}."),
            _ => self::promise(language, &Promise::Elsewhere),
        },
        Promise::Elsewhere if zh => "如需进一步帮助，请联系人工客服。".into(),
        Promise::Elsewhere => "Please contact our support team for help with this.".into(),
    }
}

/// `text` followed by `promise`: in the same paragraph after one of kefu's own messages, in a
/// paragraph of its own after an answer.
pub fn with_promise(language: &str, text: &str, promise: &str, own_message: bool) -> String {
    let separator = match (own_message, language) {
        (false, _) => "\n\n",
        (true, "zh") => "",
        (true, _) => " ",
    };
    format!("{text}{separator}{promise}")
}

/// No confident answer: kefu does not guess.
pub fn abstain(language: &str) -> &'static str {
    match language {
        "zh" => "抱歉，我在帮助中心里没有找到这个问题的可靠答案，不想误导您。",
        _ => {
            "Sorry, I couldn't find a reliable answer to that in our help center, and I don't want to guess."
        }
    }
}

/// The message only greets or thanks.
pub fn greeting(language: &str) -> &'static str {
    match language {
        "zh" => "您好！请问有什么可以帮您？",
        _ => "Hi! What can I help you with?",
    }
}

/// The message only thanks.
pub fn welcome(language: &str) -> &'static str {
    match language {
        "zh" => "不客气！还有其他问题随时问我。",
        _ => "You're welcome! Is there anything else I can help with?",
    }
}

/// One question of a message that kefu could not answer, said in the answer to the others.
pub fn part_unanswered(language: &str, question: &str) -> String {
    match language {
        "zh" => format!("关于“{question}”，我在帮助中心里没有找到可靠的答案。"),
        _ => format!("About \"{question}\": I couldn't find a reliable answer in our help center."),
    }
}

/// The customer asks where order `number` stands: kefu cannot see orders.
pub fn order_lookup(language: &str, number: &str) -> String {
    match language {
        "zh" => format!("我这里查不到订单 {number} 的具体进度。"),
        _ => format!("I can't see the details of order {number} here."),
    }
}

/// The customer asks about their own account (points, balance, tier, a refund of theirs): kefu
/// cannot see it.
pub fn account_lookup(language: &str) -> &'static str {
    match language {
        "zh" => "我这里看不到您账户的具体情况（积分、余额、会员等级、分期还款、退款进度）。",
        _ => {
            "I can't see your account's details (points, balance, membership tier, payments or refunds) here."
        }
    }
}

/// The customer asked for a person.
pub fn handing_over(language: &str) -> &'static str {
    match language {
        "zh" => "好的。",
        _ => "Of course.",
    }
}

/// Passages `a` and `b` of the answer disagree: kefu says so (and a person is offered).
pub fn conflicting_sources(language: &str, a: usize, b: usize) -> String {
    match language {
        "zh" => format!("请注意：帮助中心的 [{a}] 和 [{b}] 对此给出的数字不一致，需要人工确认以哪个为准。"),
        _ => format!(
            "Please note: [{a}] and [{b}] in our help center give different figures for this, so a person \
             should confirm which applies."
        ),
    }
}

/// The LLM endpoint failed and the answer is quoted from the help center instead.
pub fn llm_unavailable(language: &str) -> &'static str {
    match language {
        "zh" => "智能助手暂时不可用，以下内容直接摘自帮助中心。",
        _ => "Our assistant is unavailable right now; this answer is quoted directly from our help center.",
    }
}

/// The customer is frustrated: said before anything else.
pub fn apology(language: &str) -> &'static str {
    match language {
        "zh" => "非常抱歉给您带来不好的体验。",
        _ => "I'm sorry about the trouble.",
    }
}

/// `text` opened with `apology`, if there is one.
pub fn opening(apology: Option<&str>, text: &str) -> String {
    match apology {
        Some(apology) if !text.starts_with(apology) => {
            let separator = if apology.ends_with('。') { "" } else { " " };
            format!("{apology}{separator}{text}")
        }
        _ => text.to_string(),
    }
}
