//! Loading a Markdown page and chunking it with the default model's tokenizer.
#![no_main]

use kefu_ingest::Format;
use libfuzzer_sys::fuzz_target;

// The tokenizer is loaded before fuzzing starts, so that its loading never counts as a slow input.
fuzz_target!(init: { kefu_fuzz::catch_stack_overflow(); kefu_fuzz::chunker(); }, |data: &[u8]| {
    if let Some(doc) = kefu_fuzz::load(Format::Markdown, data) {
        kefu_fuzz::chunk(&doc);
    }
});
