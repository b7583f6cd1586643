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
