//! The insights as one self-contained HTML page, with SVG bar charts, in English or Chinese
//! (pure). Every text from customers, agents and documents is escaped: a question may carry
//! markup.

use std::fmt::Write as _;

use html_escape::encode_text;

use super::Insights;
use super::digest::Share;

/// Bars drawn in the topics chart.
const CHART_TOPICS: usize = 15;

/// The language of the report's own words (what customers and documents say stays as written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Language {
    /// `en` or `zh` (the `lang` of the CLI and the API).
    pub fn parse(value: &str) -> crate::Result<Language> {
        match value {
            "en" => Ok(Language::En),
            "zh" => Ok(Language::Zh),
            other => Err(crate::Error::InvalidField {
                code: "invalid_lang",
                field: "lang",
                message: format!("{other:?} is not en or zh"),
            }),
        }
    }

    /// The English or the Chinese words.
    fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Language::En => en,
            Language::Zh => zh,
        }
    }
}

/// A short summary for a terminal (Markdown).
pub fn summary(insights: &Insights) -> String {
    let f = &insights.figures;
    let mut out = format!("# Insights {} – {} (UTC{})\n\n", insights.from, insights.to, insights.utc_offset);
    let _ = writeln!(out, "- conversations {}, questions {}", f.conversations, f.questions);
    let _ = writeln!(out, "- answer rate {}", plain(&f.answer_rate));
    let _ = writeln!(out, "- containment {}", plain(&f.containment));
    let _ = writeln!(
        out,
        "- thumbs up {}; CSAT {}",
        plain(&f.thumbs_up),
        f.csat.mean.map_or("–".into(), |m| format!("{m:.2} ({} scores)", f.csat.count))
    );
    let _ = writeln!(out, "- latency p50 {} ms, p95 {} ms", ms(f.latency.p50_ms), ms(f.latency.p95_ms));
    let _ = writeln!(out, "- frustration {}\n", plain(&f.frustration_rate));
    let _ = writeln!(out, "## Top topics ({} in all)\n", insights.topic_count);
    for topic in insights.topics.iter().take(10) {
        let _ = writeln!(
            out,
            "- {} — {} questions ({} before), answered {}",
            topic.label,
            topic.questions,
            topic.previous,
            plain(&topic.answer_rate)
        );
    }
    let _ = writeln!(out, "\n## Knowledge gaps\n");
    for gap in insights.gaps.iter().take(10) {
        let why: Vec<&str> = gap.why.iter().map(|w| w.as_str()).collect();
        let _ = writeln!(out, "- {} — unmet {} ({})", gap.label, plain(&gap.unmet), why.join(", "));
    }
    let h = &insights.health;
    let _ = writeln!(
        out,
        "\n## Content health\n\n- {} documents, {} never cited, {} rated down\n- {} contradictions, {} with curated answers, {} near-duplicates",
        h.documents,
        h.never_cited.len(),
        h.rated_down.len(),
        h.contradictions.len(),
        h.curated_contradictions.len(),
        h.near_duplicates.len()
    );
    let r = &insights.run;
    let _ = writeln!(
        out,
        "\n{} questions read, {} distinct questions ({} placed now) in {:.0} ms.",
        r.questions_read, r.distinct_questions, r.newly_placed, r.total_ms
    );
    out
}

fn plain(share: &Share) -> String {
    share_in(share, Language::En)
}

/// A share with its counts, in `language`.
fn share_in(share: &Share, language: Language) -> String {
    match (share.value, language) {
        (Some(value), Language::En) => format!("{:.1}% ({} of {})", value * 100.0, share.count, share.of),
        (Some(value), Language::Zh) => {
            format!("{:.1}%（{} 个中 {} 个）", value * 100.0, share.of, share.count)
        }
        (None, language) => language.pick("– (none)", "–（无）").into(),
    }
}

/// Why a gap's questions went unmet, in words.
fn why_in(why: super::gaps::Why, language: Language) -> &'static str {
    use super::gaps::Why;
    match why {
        Why::NoDocument => language.pick("no document about it", "没有相关文档"),
        Why::WrongLanguage => {
            language.pick("closest document in another language", "最接近的文档是另一种语言")
        }
        Why::LowScore => language.pick("documents only loosely related", "文档相关度低"),
        Why::Outdated => language.pick("answers rated outdated", "回答被评为过时"),
        Why::RatedDown => language.pick("answers rated down", "回答被点踩"),
        Why::AskedAgain => language.pick("asked again", "客户重复提问"),
    }
}

/// What containment counts, in Chinese (the figures carry the English definition).
const CONTAINMENT_DEFINITION_ZH: &str = "本期内 kefu 至少回答了一个问题、且没有转人工（回答未建议转人工、未开工单）、\
     没有点踩、也没有 1 或 2 分满意度评分的会话，占本期内 kefu 至少回答了一个问题的会话的比例";

/// The report page, its own words in `language`.
pub fn html(insights: &Insights, language: Language) -> String {
    let l = language;
    let f = &insights.figures;
    let share = |s: &Share| share_in(s, l);
    let mut page = String::new();
    let title = format!("{} {} – {}", l.pick("kefu insights", "kefu 洞察"), insights.from, insights.to);
    let _ = write!(
        page,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        l.pick("en", "zh-CN"),
        encode_text(&title)
    );
    let note = match l {
        Language::En => {
            format!("Days and hours in UTC{}. Each figure shows its counts.", insights.utc_offset)
        }
        Language::Zh => format!("日期与小时按 UTC{} 计。每个比例都附有计数。", insights.utc_offset),
    };
    let _ = write!(page, "<h1>{}</h1><p class=\"muted\">{}</p>", encode_text(&title), encode_text(&note));
    let _ = write!(page, "<h2>{}</h2><table>", l.pick("Figures", "概览"));
    let definition = match l {
        Language::En => f.containment_definition.as_str(),
        Language::Zh => CONTAINMENT_DEFINITION_ZH,
    };
    let csat = f.csat.mean.map_or("–".into(), |m| match l {
        Language::En => format!("{m:.2} of 5 ({} scores)", f.csat.count),
        Language::Zh => format!("{m:.2} / 5（{} 个评分）", f.csat.count),
    });
    let latency = match l {
        Language::En => {
            format!("{} / {} ms ({} answers)", ms(f.latency.p50_ms), ms(f.latency.p95_ms), f.latency.count)
        }
        Language::Zh => {
            format!("{} / {} 毫秒（{} 个回答）", ms(f.latency.p50_ms), ms(f.latency.p95_ms), f.latency.count)
        }
    };
    let rows: [(&str, String); 12] = [
        (l.pick("Conversations", "会话"), f.conversations.to_string()),
        (l.pick("Questions", "提问"), f.questions.to_string()),
        (l.pick("Answer rate", "回答率"), share(&f.answer_rate)),
        (
            l.pick("Containment", "自助解决率"),
            format!("{} <span class=\"muted\">({})</span>", share(&f.containment), encode_text(definition)),
        ),
        (l.pick("Thumbs up", "点赞率"), share(&f.thumbs_up)),
        (l.pick("CSAT", "满意度（CSAT）"), csat),
        (l.pick("Latency p50 / p95", "响应时间 p50 / p95"), latency),
        (l.pick("Frustration rate", "不满情绪比例"), share(&f.frustration_rate)),
        (l.pick("Tickets opened", "新建工单"), counts(&f.tickets_opened)),
        (l.pick("Handoffs suggested", "建议转人工"), counts(&f.handoffs_suggested)),
        (l.pick("By language", "按语言"), counts(&f.questions_by_language)),
        (l.pick("By channel", "按渠道"), counts(&f.questions_by_channel)),
    ];
    for (name, value) in rows {
        let _ = write!(page, "<tr><th>{name}</th><td>{value}</td></tr>");
    }
    page.push_str("</table>");
    // `MM-DD` under the bars: the year is in the title.
    let days: Vec<(String, f64)> =
        f.questions_by_day.iter().map(|(d, n)| (d.get(5..).unwrap_or(d).to_string(), *n as f64)).collect();
    page.push_str(&bars(l.pick("Questions per day", "每日提问"), &days));
    let hours: Vec<(String, f64)> =
        f.questions_by_hour.iter().enumerate().map(|(h, n)| (format!("{h:02}"), *n as f64)).collect();
    page.push_str(&bars(l.pick("Questions per hour of the day", "各小时提问"), &hours));

    let compared = match (l, insights.run.centre_questions) {
        (Language::En, Some(n)) => format!("centred on the mean of {n} distinct questions"),
        (Language::En, None) => "raw: too few questions yet for a centre".into(),
        (Language::Zh, Some(n)) => format!("以 {n} 个不同问题的均值为中心"),
        (Language::Zh, None) => "问题还太少，未中心化".into(),
    };
    let (count, threshold) = (insights.topic_count, insights.topic_threshold);
    let topics_note = match l {
        Language::En => {
            format!("{count} topics; a question joins a topic at cosine ≥ {threshold:.2} ({compared}).")
        }
        Language::Zh => {
            format!("共 {count} 个话题；与话题的余弦相似度 ≥ {threshold:.2} 的问题归入该话题（{compared}）。")
        }
    };
    let _ = write!(page, "<h2>{}</h2><p class=\"muted\">{topics_note}</p>", l.pick("Topics", "话题"));
    let sizes: Vec<(String, f64)> =
        insights.topics.iter().take(CHART_TOPICS).map(|t| (t.label.clone(), t.questions as f64)).collect();
    page.push_str(&horizontal_bars(l.pick("Largest topics", "最大的话题"), &sizes));
    page.push_str(l.pick(
        "<table><tr><th>Topic</th><th>Questions</th><th>Before</th><th>Answered</th><th>Thumbs down</th><th>Documents</th></tr>",
        "<table><tr><th>话题</th><th>提问</th><th>上期</th><th>已回答</th><th>点踩</th><th>文档</th></tr>",
    ));
    for topic in &insights.topics {
        let documents: Vec<String> =
            topic.documents.iter().map(|d| format!("{} ({})", encode_text(&d.doc_id), d.answers)).collect();
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            encode_text(&topic.label),
            topic.questions,
            topic.previous,
            share(&topic.answer_rate),
            share(&topic.thumbs_down),
            documents.join(", ")
        );
    }
    page.push_str(l.pick(
        "</table><h2>Knowledge gaps</h2><table><tr><th>Topic</th><th>Unmet</th><th>Why</th><th>Closest documents</th><th>Samples</th><th>Draft</th></tr>",
        "</table><h2>知识缺口</h2><table><tr><th>话题</th><th>未满足</th><th>原因</th><th>最接近的文档</th><th>示例</th><th>草稿</th></tr>",
    ));
    for gap in &insights.gaps {
        let why: Vec<&str> = gap.why.iter().map(|w| why_in(*w, l)).collect();
        let closest: Vec<String> = gap
            .closest
            .iter()
            .map(|c| {
                format!(
                    "{} ({})",
                    encode_text(&c.doc_id),
                    c.similarity.map_or("–".into(), |s| format!("{s:.2}"))
                )
            })
            .collect();
        let samples: Vec<String> = gap.samples.iter().map(|s| encode_text(s).into_owned()).collect();
        let draft = match &gap.draft {
            Some(super::gaps::Draft::AgentReply { text, .. }) => {
                format!("<b>{}</b> {}", l.pick("agent's reply:", "客服回复："), encode_text(text))
            }
            Some(super::gaps::Draft::Passage { text, doc_id }) => {
                format!("<b>{}:</b> {}", encode_text(doc_id), encode_text(text))
            }
            None => String::new(),
        };
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"draft\">{draft}</td></tr>",
            encode_text(&gap.label),
            share(&gap.unmet),
            why.join(l.pick(", ", "；")),
            closest.join("<br>"),
            samples.join("<br>")
        );
    }
    let h = &insights.health;
    let health_note = match l {
        Language::En => {
            format!("{} documents; {} never cited in the period.", h.documents, h.never_cited.len())
        }
        Language::Zh => format!("共 {} 篇文档；本期有 {} 篇从未被引用。", h.documents, h.never_cited.len()),
    };
    let _ = write!(page, "</table><h2>{}</h2><p>{health_note}</p>", l.pick("Content health", "内容健康"));
    let list = |items: Vec<String>| {
        if items.is_empty() {
            format!("<p class=\"muted\">{}</p>", l.pick("None.", "无。"))
        } else {
            format!("<ul><li>{}</li></ul>", items.join("</li><li>"))
        }
    };
    let _ = write!(
        page,
        "<h3>{}</h3>{}",
        l.pick("Never cited", "从未被引用"),
        list(h.never_cited.iter().map(|d| encode_text(d).into_owned()).collect())
    );
    let rated_down = h.rated_down.iter().map(|d| {
        let (doc, down, of, reasons) =
            (encode_text(&d.doc_id), d.thumbs_down, d.citations, counts(&d.reasons));
        match l {
            Language::En => format!("{doc}: {down} of {of} answers ({reasons})"),
            Language::Zh => format!("{doc}：{of} 个回答中 {down} 个被点踩（{reasons}）"),
        }
    });
    let _ = write!(
        page,
        "<h3>{}</h3>{}",
        l.pick("Cited in answers rated down", "被点踩的回答所引用的文档"),
        list(rated_down.collect())
    );
    let pair = |a: &super::health::PassageRef, b: &super::health::PassageRef| {
        format!(
            "<b>{}</b>: {}<br><b>{}</b>: {}",
            encode_text(&a.doc_id),
            encode_text(&a.excerpt),
            encode_text(&b.doc_id),
            encode_text(&b.excerpt)
        )
    };
    let _ = write!(
        page,
        "<h3>{}</h3>{}",
        l.pick("Contradictions", "相互矛盾的段落"),
        list(h.contradictions.iter().map(|c| pair(&c.a, &c.b)).collect())
    );
    let _ = write!(
        page,
        "<h3>{}</h3>{}",
        l.pick("Curated answers that contradict a document", "与文档矛盾的精选回答"),
        list(h.curated_contradictions.iter().map(|c| pair(&c.a, &c.b)).collect())
    );
    let _ = write!(
        page,
        "<h3>{}</h3>{}",
        l.pick("Near-duplicates", "近似重复"),
        list(
            h.near_duplicates.iter().map(|d| format!("{} ({:.2})", pair(&d.a, &d.b), d.similarity)).collect()
        )
    );
    let r = &insights.run;
    let footer = match l {
        Language::En => format!(
            "{} questions read, {} distinct questions, {} placed by this run; {:.0} ms.",
            r.questions_read, r.distinct_questions, r.newly_placed, r.total_ms
        ),
        Language::Zh => format!(
            "读取 {} 个提问，其中 {} 个不同问题，本次新归类 {} 个；耗时 {:.0} 毫秒。",
            r.questions_read, r.distinct_questions, r.newly_placed, r.total_ms
        ),
    };
    let _ = write!(page, "<p class=\"muted\">{footer}</p></body></html>");
    page
}

const STYLE: &str = "body{font-family:system-ui,\"Noto Sans CJK SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;margin:2rem auto;max-width:72rem;color:#222}\
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f6f6}.muted{color:#666}.draft{max-width:24rem;font-size:.9em}svg{display:block;margin:1rem 0}";

fn ms(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{v:.0}"))
}

fn counts(map: &std::collections::BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "–".into();
    }
    map.iter().map(|(k, v)| format!("{} {v}", encode_text(k))).collect::<Vec<_>>().join(", ")
}

/// A vertical bar chart of labelled values.
fn bars(title: &str, values: &[(String, f64)]) -> String {
    let (width, height, left, top, bottom) = (860.0, 230.0, 40.0, 30.0, 60.0);
    let max = values.iter().map(|v| v.1).fold(0.0, f64::max).max(1.0);
    let slot = (width - left - 10.0) / values.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="11" role="img" aria-label="{0}"><text x="{left}" y="18" font-size="14">{0}</text>"#,
        encode_text(title)
    );
    let plot = height - top - bottom;
    for (i, (label, value)) in values.iter().enumerate() {
        let h = plot * value / max;
        let x = left + i as f64 * slot;
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="#0072B2"><title>{}: {value}</title></rect>"##,
            x + 1.0,
            top + plot - h,
            (slot - 2.0).max(1.0),
            encode_text(label)
        );
        if values.len() <= 31 || i % (values.len() / 31 + 1) == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" transform="rotate(45 {:.1} {:.1})">{}</text>"#,
                x + 2.0,
                top + plot + 12.0,
                x + 2.0,
                top + plot + 12.0,
                encode_text(label)
            );
        }
    }
    let _ = write!(svg, r#"<text x="4" y="{:.1}">{max}</text></svg>"#, top + 8.0);
    svg
}

/// A horizontal bar chart: long labels (questions) read best beside their bars.
fn horizontal_bars(title: &str, values: &[(String, f64)]) -> String {
    let (width, row, left, top) = (860.0, 20.0, 380.0, 30.0);
    let height = top + row * values.len() as f64 + 10.0;
    let max = values.iter().map(|v| v.1).fold(0.0, f64::max).max(1.0);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="12" role="img" aria-label="{0}"><text x="0" y="18" font-size="14">{0}</text>"#,
        encode_text(title)
    );
    for (i, (label, value)) in values.iter().enumerate() {
        let y = top + i as f64 * row;
        let short: String = label.chars().take(48).collect();
        let w = (width - left - 60.0) * value / max;
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{left}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="#E69F00"/><text x="{:.1}" y="{:.1}">{value}</text>"##,
            left - 6.0,
            y + 13.0,
            encode_text(&short),
            row - 4.0,
            left + w + 4.0,
            y + 13.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::super::gaps::Topic;
    use super::super::{Insights, RunStats};
    use super::*;

    #[test]
    fn the_page_escapes_what_customers_wrote() {
        let topic = Topic {
            id: 1,
            label: "<script>alert(1)</script> refund?".into(),
            questions: 3,
            previous: 1,
            trend: Some(2.0),
            answer_rate: Share::new(1, 3),
            thumbs_down: Share::default(),
            unmet: Share::new(2, 3),
            rephrasings: 0,
            languages: Default::default(),
            documents: Vec::new(),
            samples: vec!["<img src=x onerror=alert(1)>".into()],
            conversations: vec!["c1".into()],
        };
        let insights = Insights {
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            utc_offset: "+08:00".into(),
            generated_at_ms: 0,
            figures: Default::default(),
            topics: vec![topic],
            topic_count: 1,
            topic_threshold: 0.86,
            gaps: Vec::new(),
            health: Default::default(),
            run: RunStats::default(),
        };
        let page = html(&insights, Language::En);
        assert!(!page.contains("<script>"), "markup from a question must not reach the page");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; refund?"));
        assert!(page.contains("<svg"), "charts are drawn");
        assert!(page.contains("33.3% (1 of 3)"));

        // In Chinese: the report's own words change, what customers wrote does not.
        let page = html(&insights, Language::Zh);
        assert!(page.contains("<html lang=\"zh-CN\">") && page.contains("<h2>知识缺口</h2>"));
        assert!(page.contains("33.3%（3 个中 1 个）"));
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt; refund?"));
        for english in ["Knowledge gaps", "Content health", "Thumbs up", " of 3)"] {
            assert!(!page.contains(english), "{english:?} left in English");
        }
        assert_eq!(Language::parse("zh").unwrap(), Language::Zh);
        assert_eq!(Language::parse("fr").unwrap_err().code(), "invalid_lang");
    }
}
