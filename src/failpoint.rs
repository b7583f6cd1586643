//! Named crash points for the crash-recovery tests.
//!
//! When the environment variable `KEFU_FAILPOINT` names a point, the process sends itself
//! SIGKILL there: no destructor runs and nothing is flushed, exactly as with `kill -9` at that
//! instant. Points are placed between the writes of an ingest (see `index::GenerationBuilder`).

/// Kills the process if `KEFU_FAILPOINT` is `name`.
pub fn hit(name: &str) {
    if std::env::var_os("KEFU_FAILPOINT").is_some_and(|v| v == name) {
        // SAFETY: kill(2) on our own pid has no memory-safety preconditions.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}

/// Blocks the thread for good if `KEFU_FAILPOINT` is `name`: a parser stuck on a file, for the
/// tests of per-file time limits and of what a killed ingest leaves running.
pub fn stall(name: &str) {
    if std::env::var_os("KEFU_FAILPOINT").is_some_and(|v| v == name) {
        loop {
            std::thread::park();
        }
    }
}
