//! Loading a Markdown page and chunking it with the default model's tokenizer.
#![no_main]

use kefu_ingest::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: kefu_fuzz::catch_stack_overflow(), |data: &[u8]| {
    if let Some(doc) = kefu_fuzz::load(Format::Markdown, data) {
        kefu_fuzz::chunk(&doc);
    }
});
