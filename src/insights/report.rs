//! The insights as one self-contained HTML page, with SVG bar charts (pure). Every text from
//! customers, agents and documents is escaped: a question may carry markup.

use std::fmt::Write as _;

use html_escape::encode_text;

use super::Insights;
use super::digest::Share;

/// Bars drawn in the topics chart.
const CHART_TOPICS: usize = 15;

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
    match share.value {
        Some(value) => format!("{:.1}% ({} of {})", value * 100.0, share.count, share.of),
        None => "– (none)".into(),
    }
}

/// The report page.
pub fn html(insights: &Insights) -> String {
    let f = &insights.figures;
    let mut page = String::new();
    let title = format!("kefu insights {} – {}", insights.from, insights.to);
    let _ = write!(
        page,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        encode_text(&title)
    );
    let _ = write!(
        page,
        "<h1>{}</h1><p class=\"muted\">Days and hours in UTC{}. Each figure shows its counts.</p>",
        encode_text(&title),
        encode_text(&insights.utc_offset)
    );
    page.push_str("<h2>Figures</h2><table>");
    let rows: [(&str, String); 9] = [
        ("Conversations", f.conversations.to_string()),
        ("Questions", f.questions.to_string()),
        ("Answer rate", plain(&f.answer_rate)),
        (
            "Containment",
            format!(
                "{} <span class=\"muted\">({})</span>",
                plain(&f.containment),
                encode_text(&f.containment_definition)
            ),
        ),
        ("Thumbs up", plain(&f.thumbs_up)),
        ("CSAT", f.csat.mean.map_or("–".into(), |m| format!("{m:.2} of 5 ({} scores)", f.csat.count))),
        (
            "Latency p50 / p95",
            format!("{} / {} ms ({} answers)", ms(f.latency.p50_ms), ms(f.latency.p95_ms), f.latency.count),
        ),
        ("Frustration rate", plain(&f.frustration_rate)),
        ("Tickets opened", counts(&f.tickets_opened)),
    ];
    for (name, value) in rows {
        let _ = write!(page, "<tr><th>{name}</th><td>{value}</td></tr>");
    }
    let _ = write!(page, "<tr><th>Handoffs suggested</th><td>{}</td></tr>", counts(&f.handoffs_suggested));
    let _ = write!(page, "<tr><th>By language</th><td>{}</td></tr>", counts(&f.questions_by_language));
    let _ = write!(page, "<tr><th>By channel</th><td>{}</td></tr></table>", counts(&f.questions_by_channel));
    // `MM-DD` under the bars: the year is in the title.
    let days: Vec<(String, f64)> =
        f.questions_by_day.iter().map(|(d, n)| (d.get(5..).unwrap_or(d).to_string(), *n as f64)).collect();
    page.push_str(&bars("Questions per day", &days));
    let hours: Vec<(String, f64)> =
        f.questions_by_hour.iter().enumerate().map(|(h, n)| (format!("{h:02}"), *n as f64)).collect();
    page.push_str(&bars("Questions per hour of the day", &hours));

    let compared = match insights.run.centre_questions {
        Some(n) => format!("centred on the mean of {n} distinct questions"),
        None => "raw: too few questions yet for a centre".into(),
    };
    let _ = write!(
        page,
        "<h2>Topics</h2><p class=\"muted\">{} topics; a question joins a topic at cosine ≥ {:.2} ({compared}).</p>",
        insights.topic_count, insights.topic_threshold
    );
    let sizes: Vec<(String, f64)> =
        insights.topics.iter().take(CHART_TOPICS).map(|t| (t.label.clone(), t.questions as f64)).collect();
    page.push_str(&horizontal_bars("Largest topics", &sizes));
    page.push_str("<table><tr><th>Topic</th><th>Questions</th><th>Before</th><th>Answered</th><th>Thumbs down</th><th>Documents</th></tr>");
    for topic in &insights.topics {
        let documents: Vec<String> =
            topic.documents.iter().map(|d| format!("{} ({})", encode_text(&d.doc_id), d.answers)).collect();
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            encode_text(&topic.label),
            topic.questions,
            topic.previous,
            plain(&topic.answer_rate),
            plain(&topic.thumbs_down),
            documents.join(", ")
        );
    }
    page.push_str("</table><h2>Knowledge gaps</h2><table><tr><th>Topic</th><th>Unmet</th><th>Why</th><th>Closest documents</th><th>Samples</th><th>Draft</th></tr>");
    for gap in &insights.gaps {
        let why: Vec<&str> = gap.why.iter().map(|w| w.as_str()).collect();
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
                format!("<b>agent's reply:</b> {}", encode_text(text))
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
            plain(&gap.unmet),
            why.join(", "),
            closest.join("<br>"),
            samples.join("<br>")
        );
    }
    let h = &insights.health;
    let _ = write!(
        page,
        "</table><h2>Content health</h2><p>{} documents; {} never cited in the period.</p>",
        h.documents,
        h.never_cited.len()
    );
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "<p class=\"muted\">None.</p>".to_string()
        } else {
            format!("<ul><li>{}</li></ul>", items.join("</li><li>"))
        }
    };
    let _ = write!(
        page,
        "<h3>Never cited</h3>{}",
        list(h.never_cited.iter().map(|d| encode_text(d).into_owned()).collect())
    );
    let _ = write!(
        page,
        "<h3>Cited in answers rated down</h3>{}",
        list(
            h.rated_down
                .iter()
                .map(|d| format!(
                    "{}: {} of {} answers ({})",
                    encode_text(&d.doc_id),
                    d.thumbs_down,
                    d.citations,
                    counts(&d.reasons)
                ))
                .collect()
        )
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
        "<h3>Contradictions</h3>{}",
        list(h.contradictions.iter().map(|c| pair(&c.a, &c.b)).collect())
    );
    let _ = write!(
        page,
        "<h3>Curated answers that contradict a document</h3>{}",
        list(h.curated_contradictions.iter().map(|c| pair(&c.a, &c.b)).collect())
    );
    let _ = write!(
        page,
        "<h3>Near-duplicates</h3>{}",
        list(
            h.near_duplicates.iter().map(|d| format!("{} ({:.2})", pair(&d.a, &d.b), d.similarity)).collect()
        )
    );
    let _ = write!(
        page,
        "<p class=\"muted\">{} questions read, {} distinct questions, {} placed by this run; {:.0} ms.</p></body></html>",
        insights.run.questions_read,
        insights.run.distinct_questions,
        insights.run.newly_placed,
        insights.run.total_ms
    );
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
        let page = html(&insights);
        assert!(!page.contains("<script>"), "markup from a question must not reach the page");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; refund?"));
        assert!(page.contains("<svg"), "charts are drawn");
        assert!(page.contains("33.3% (1 of 3)"));
    }
}
