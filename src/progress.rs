//! Progress bars on stderr for the long commands (ingest, eval).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps labelled `label`, drawn only on a terminal and when asked for.
pub fn bar(show: bool, len: usize, label: &'static str) -> ProgressBar {
    if !show || len == 0 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {per_sec} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(label);
    bar
}
