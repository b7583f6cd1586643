//! What kefu says in its own words, in the customer's language (Chinese or English).

/// The language kefu answers in: `zh` for Chinese questions, else `en`.
pub fn language_of(question: &str, requested: Option<&str>) -> &'static str {
    let locale = requested.map(str::to_string).unwrap_or_else(|| kefu_ingest::locale::detect(question));
    if locale.starts_with("zh") { "zh" } else { "en" }
}

/// No confident answer: kefu does not guess and passes the question on.
pub fn abstain(language: &str) -> &'static str {
    match language {
        "zh" => "抱歉，我在帮助中心里没有找到这个问题的可靠答案，不想误导您。已为您转接人工客服，请稍候。",
        _ => {
            "Sorry, I couldn't find a reliable answer to that in our help center, and I don't want to \
             guess. I'm passing your question to a member of our support team."
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

/// One question of a message that kefu could not answer, said in the answer to the others.
pub fn part_unanswered(language: &str, question: &str) -> String {
    match language {
        "zh" => format!("关于“{question}”，我在帮助中心里没有找到可靠的答案，这部分已为您转交人工客服。"),
        _ => format!(
            "About \"{question}\": I couldn't find a reliable answer in our help center, so I'm passing that \
             part to a member of our support team."
        ),
    }
}

/// The customer asks where order `number` stands: kefu cannot see orders and passes it on.
pub fn order_lookup(language: &str, number: &str) -> String {
    match language {
        "zh" => format!("我这里查不到订单 {number} 的具体进度，已为您转接人工客服，他们会帮您查询。"),
        _ => format!(
            "I can't see the details of order {number} here, so I'm passing your question to a member of our \
             support team, who can look it up."
        ),
    }
}

/// The customer asked for a person.
pub fn handing_over(language: &str) -> &'static str {
    match language {
        "zh" => "好的，正在为您转接人工客服，请稍候。",
        _ => "Of course. I'm connecting you with a member of our support team now.",
    }
}

/// Passages `a` and `b` of the answer disagree: kefu says so and offers a person.
pub fn conflicting_sources(language: &str, a: usize, b: usize) -> String {
    match language {
        "zh" => format!(
            "请注意：帮助中心的 [{a}] 和 [{b}] 对此给出的数字不一致。已为您转接人工客服，确认以哪个为准。"
        ),
        _ => format!(
            "Please note: [{a}] and [{b}] in our help center give different figures for this. I'm passing \
             your question to a member of our support team to confirm which applies."
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
