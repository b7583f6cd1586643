//! YAML front matter: the input is the YAML between the `---` lines of a Markdown page.
#![no_main]

use kefu_ingest::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: kefu_fuzz::catch_stack_overflow(), |yaml: &[u8]| {
    let page = [b"---\n".as_slice(), yaml, b"\n---\n# Page\n\nSome text.\n"].concat();
    kefu_fuzz::load(Format::Markdown, &page);
});
