//! What every fuzz target checks: a loader either refuses the input with an error or returns a
//! document whose sections lie within its text; chunks are exactly the text at their spans.
//! A panic, an abort (stack overflow) or a time-out is a finding.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kefu_ingest::{Chunker, ChunkerConfig, Document, Format};

/// Makes a stack overflow a finding whose input is saved. The fault on the stack's guard page
/// is a SIGSEGV, and libFuzzer's handler for it would run on the exhausted stack and die
/// without a word; Rust's own handler is not installed, since libFuzzer's C++ `main` starts the
/// process. So: an alternate signal stack, and a SIGSEGV handler on it that aborts, which
/// libFuzzer reports as a crash and saves. Called from each target's `init`, before libFuzzer
/// installs its handlers (it keeps `SA_ONSTACK` and calls this handler).
pub fn catch_stack_overflow() {
    const SIZE: usize = 1 << 20;
    extern "C" fn on_segv(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
        const MESSAGE: &[u8] = b"==kefu-fuzz== SIGSEGV: stack overflow or invalid access\n";
        // SAFETY: write(2) and abort(3) are async-signal-safe.
        unsafe {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::abort();
        }
    }
    // SAFETY: a fresh anonymous mapping becomes this thread's signal stack for the life of the
    // process; the handler only calls async-signal-safe functions.
    unsafe {
        let stack = libc::mmap(
            std::ptr::null_mut(),
            SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(stack, libc::MAP_FAILED, "signal stack");
        let alternate = libc::stack_t { ss_sp: stack, ss_flags: 0, ss_size: SIZE };
        assert_eq!(libc::sigaltstack(&alternate, std::ptr::null_mut()), 0, "sigaltstack");
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_segv as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        assert_eq!(libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut()), 0, "sigaction");
    }
}

/// Loads `data` as `format`; panics when a loaded document breaks its invariants.
pub fn load(format: Format, data: &[u8]) -> Option<Document> {
    let name = match format {
        Format::Markdown => "fuzz.md",
        Format::Html => "fuzz.html",
        Format::Pdf => "fuzz.pdf",
        Format::Text => "fuzz.txt",
        Format::FaqCsv => "fuzz.csv",
        Format::FaqJson => "fuzz.json",
        Format::FaqJsonl => "fuzz.jsonl",
    };
    let doc = kefu_ingest::load(name, Path::new(name), format, data).ok()?.document;
    if let Err(e) = doc.validate() {
        panic!("{e}");
    }
    assert!(!doc.sections.is_empty(), "a loaded document has sections");
    for section in &doc.sections {
        assert!(!doc.text[section.body.clone()].trim().is_empty(), "section {:?} is empty", section.body);
    }
    Some(doc)
}

/// The default model's tokenizer (`KEFU_HOME`, else `$XDG_CACHE_HOME/kefu`, else
/// `~/.cache/kefu`, as kefu's configuration finds it), chunking to 64 tokens so that small
/// inputs split.
pub fn chunker() -> &'static Chunker {
    static CHUNKER: OnceLock<Chunker> = OnceLock::new();
    CHUNKER.get_or_init(|| {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = var("KEFU_HOME")
            .or_else(|| var("XDG_CACHE_HOME").map(|c| c.join("kefu")))
            .or_else(|| var("HOME").map(|h| h.join(".cache/kefu")))
            .expect("KEFU_HOME or HOME is set");
        let path = home.join("models/multilingual-e5-small/tokenizer.json");
        Chunker::from_file(&path, ChunkerConfig { max_tokens: 64 })
            .unwrap_or_else(|e| panic!("{e}: run `make setup` first"))
    })
}

/// Chunks `doc`; panics unless every chunk is the text at its span, spans in order.
pub fn chunk(doc: &Document) {
    let starts: Vec<usize> = doc.text.char_indices().map(|(i, _)| i).chain([doc.text.len()]).collect();
    let mut previous_end = 0;
    for chunk in chunker().chunk(doc) {
        let (start, end) = chunk.span;
        assert!(previous_end <= start && start < end && end < starts.len(), "span {:?}", chunk.span);
        assert_eq!(doc.text[starts[start]..starts[end]], chunk.text, "a chunk is the text at its span");
        previous_end = end;
    }
}
