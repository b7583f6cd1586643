//! The text loader on arbitrary bytes.
#![no_main]

use kefu_ingest::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: kefu_fuzz::catch_stack_overflow(), |data: &[u8]| {
    kefu_fuzz::load(Format::Text, data);
});
