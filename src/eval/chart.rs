//! A grouped bar chart of the retrieval metrics by mode, as SVG. Pure function: hand-written
//! SVG needs no plotting library for a handful of bars in [0, 1].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::metrics::RETRIEVAL_METRICS;
use super::report::Metrics;

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 48.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;
/// Colours of the modes (colour-blind safe: Okabe–Ito).
const COLOURS: [&str; 4] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"];

/// The chart: one group of bars per metric of [`RETRIEVAL_METRICS`], one bar per mode.
pub fn retrieval_svg(title: &str, modes: &BTreeMap<String, Metrics>) -> String {
    let plot_h = HEIGHT - TOP - BOTTOM;
    let group_w = (WIDTH - LEFT - 16.0) / RETRIEVAL_METRICS.len() as f64;
    let bar_w = (group_w - 12.0) / modes.len().max(1) as f64;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(svg, r#"<text x="{LEFT}" y="22" font-size="15">{}</text>"#, escape(title));
    for tick in 0..=5 {
        let value = f64::from(tick) / 5.0;
        let y = TOP + plot_h * (1.0 - value);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{value:.1}</text>"##,
            WIDTH - 16.0,
            LEFT - 6.0,
            y + 4.0
        );
    }
    for (g, metric) in RETRIEVAL_METRICS.iter().enumerate() {
        let x0 = LEFT + g as f64 * group_w + 6.0;
        for (m, (mode, metrics)) in modes.iter().enumerate() {
            let value = metrics.get(*metric).copied().unwrap_or(0.0).clamp(0.0, 1.0);
            let (x, h) = (x0 + m as f64 * bar_w, plot_h * value);
            let _ = writeln!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{} {metric}: {value:.4}</title></rect>"#,
                TOP + plot_h - h,
                (bar_w - 2.0).max(1.0),
                COLOURS[m % COLOURS.len()],
                escape(mode)
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{metric}</text>"#,
            x0 + (group_w - 12.0) / 2.0,
            TOP + plot_h + 18.0
        );
    }
    for (m, mode) in modes.keys().enumerate() {
        let x = LEFT + m as f64 * 110.0;
        let y = HEIGHT - 18.0;
        let _ = writeln!(
            svg,
            r#"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{y}">{}</text>"#,
            y - 10.0,
            COLOURS[m % COLOURS.len()],
            x + 16.0,
            escape(mode)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_mode_and_metric_with_heights_proportional_to_values() {
        let mut modes = BTreeMap::new();
        modes.insert("bm25".to_string(), Metrics::from([("ndcg@10".to_string(), 0.5)]));
        modes.insert("dense".to_string(), Metrics::from([("ndcg@10".to_string(), 1.0)]));
        let svg = retrieval_svg("set <x>", &modes);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("set &lt;x&gt;"));
        let bars = svg.matches("<title>").count();
        assert_eq!(bars, 2 * RETRIEVAL_METRICS.len());
        let plot_h = HEIGHT - TOP - BOTTOM;
        assert!(
            svg.contains(&format!("height=\"{:.1}\" fill=\"#0072B2\"><title>bm25 ndcg@10", plot_h / 2.0))
        );
        assert!(svg.contains(&format!("height=\"{plot_h:.1}\" fill=\"#E69F00\"><title>dense ndcg@10")));
    }
}
