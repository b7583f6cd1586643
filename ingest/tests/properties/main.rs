//! Property tests of kefu-ingest's pure pieces: loaders, chunking, locale, whitespace.
//!
//! Case counts keep the suite to seconds in the debug build; `PROPTEST_CASES=N` runs every
//! property N times instead (for example before a release: `PROPTEST_CASES=5000`).

mod chunk;
mod load;
mod locale;
mod strategies;

use proptest::test_runner::Config;

/// `cases` cases, unless `PROPTEST_CASES` says otherwise.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    Config { cases, ..Config::default() }
}
