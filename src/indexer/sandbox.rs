//! Loading untrusted PDFs in a child process with memory and time limits.
//!
//! `pdf-extract` can allocate tens of gigabytes on a malformed file (the kernel then kills
//! whatever is largest, possibly the whole ingest) or spin for minutes. The child is the kefu
//! binary itself (hidden subcommand `__load-document`) under `RLIMIT_AS` and `RLIMIT_CPU`, with a
//! wall-clock deadline enforced here; it prints the loaded document as JSON.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kefu_ingest::{Loaded, SourceFile};

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "__load-document";

/// Limits of one child.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Address space, in MiB.
    pub memory_mib: u64,
    /// Wall-clock (and CPU) time.
    pub timeout: Duration,
}

/// Loads `file` in a child process running `exe SUBCOMMAND`. The error says in words what went
/// wrong (limit exceeded, parser error).
pub fn load(exe: &Path, file: &SourceFile, limits: Limits) -> Result<Loaded, String> {
    let mut command = Command::new(exe);
    command
        .arg(SUBCOMMAND)
        .arg("--doc-id")
        .arg(&file.doc_id)
        .arg(&file.path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let memory = limits.memory_mib.saturating_mul(1024 * 1024);
    let cpu_seconds = limits.timeout.as_secs().max(1) + 1;
    // SAFETY: the closure runs between fork and exec and only calls setrlimit(2), which is
    // async-signal-safe, on stack data.
    unsafe {
        command.pre_exec(move || {
            set_limit(libc::RLIMIT_AS, memory)?;
            set_limit(libc::RLIMIT_CPU, cpu_seconds)
        });
    }
    let mut child =
        command.spawn().map_err(|e| format!("cannot start the PDF loader {}: {e}", exe.display()))?;
    // Drain both pipes in threads so that a large document cannot block the child on a full pipe.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).map(|_| buf)
    });
    let err = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = stderr.read_to_string(&mut buf);
        buf
    });

    let deadline = Instant::now() + limits.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("PDF parsing took longer than {} s", limits.timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for the PDF loader: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_else(|_| Ok(Vec::new())).unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        return Err(match status.signal() {
            Some(libc::SIGXCPU) | Some(libc::SIGKILL) => {
                format!("PDF parsing took longer than {} s", limits.timeout.as_secs())
            }
            Some(_) | None if stderr.contains("memory allocation") => {
                format!("PDF parsing exceeded its memory limit ({} MiB)", limits.memory_mib)
            }
            Some(signal) => format!("the PDF parser crashed (signal {signal})"),
            None => last_line(&stderr).unwrap_or("the PDF parser failed").to_string(),
        });
    }
    let loaded: Loaded = serde_json::from_slice(&stdout)
        .map_err(|e| format!("the PDF loader returned invalid output: {e}"))?;
    loaded.document.validate()?;
    Ok(loaded)
}

fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let limit = libc::rlimit { rlim_cur: value, rlim_max: value };
    // SAFETY: setrlimit reads the struct we pass and nothing else.
    if unsafe { libc::setrlimit(resource, &limit) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn last_line(text: &str) -> Option<&str> {
    text.lines().rev().map(str::trim).find(|l| !l.is_empty())
}
