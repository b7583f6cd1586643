//! Loading untrusted files in a child process with memory and time limits.
//!
//! Every loader gets hostile input: `pdf-extract` can allocate tens of gigabytes on a malformed
//! file or spin for minutes, and a bug in any parser (a stack overflow, an endless loop) must
//! cost one file, not the run. So no document is parsed in the ingesting process: a worker child
//! (the kefu binary itself, hidden subcommand `__load-documents`) runs under `RLIMIT_AS`, reads
//! one request at a time from its stdin (a JSON header line, then the file's bytes) and answers
//! with one JSON line. The parent waits for each answer until the per-file deadline; a worker
//! that overruns it, crashes or runs out of memory is killed, the file is skipped with the
//! reason, and the next file gets a fresh worker. The worker dies with the ingesting process
//! (`PR_SET_PDEATHSIG`), so killing `kefu ingest` leaves no parser running.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use kefu_ingest::{Format, Loaded, SourceFile};
use serde::{Deserialize, Serialize};

/// The hidden subcommand the worker runs.
pub const SUBCOMMAND: &str = "__load-documents";

/// Lines of the worker's stderr kept to explain a crash.
const STDERR_LINES: usize = 20;

/// Limits of the worker, per file.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Address space of the worker, in MiB (`ingest.loader_memory_mib`).
    pub memory_mib: u64,
    /// Wall-clock time to load one file (`ingest.file_timeout_secs`).
    pub timeout: Duration,
    /// Most characters of a loaded document's text (`ingest.max_document_chars`).
    pub max_document_chars: usize,
}

/// What the parent sends before a file's bytes.
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    doc_id: String,
    path: PathBuf,
    format: Format,
    bytes: usize,
    max_document_chars: usize,
}

/// The worker's answer: the document, or why it could not be loaded.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Reply {
    Loaded(Box<Loaded>),
    Failed(String),
}

/// Loads files in worker processes, one file at a time.
pub struct Sandbox {
    exe: PathBuf,
    limits: Limits,
    worker: Option<Worker>,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<std::io::Result<String>>,
    /// Reads the worker's stderr until it closes; returns its last lines.
    stderr: JoinHandle<VecDeque<String>>,
}

impl Sandbox {
    /// A sandbox whose workers run `exe __load-documents`; none is started until a file comes.
    pub fn new(exe: &Path, limits: Limits) -> Sandbox {
        Sandbox { exe: exe.to_path_buf(), limits, worker: None }
    }

    /// Loads `file`, whose content is `bytes`. The error says in words what went wrong (a limit
    /// exceeded and which setting sets it, the parser's own message, a crash).
    pub fn load(&mut self, file: &SourceFile, bytes: &[u8]) -> Result<Loaded, String> {
        let limits = self.limits;
        let worker = match &mut self.worker {
            Some(worker) => worker,
            None => self.worker.insert(Worker::start(&self.exe, limits)?),
        };
        let request = Request {
            doc_id: file.doc_id.clone(),
            path: file.path.clone(),
            format: file.format,
            bytes: bytes.len(),
            max_document_chars: limits.max_document_chars,
        };
        let mut header = serde_json::to_vec(&request).map_err(|e| e.to_string())?;
        header.push(b'\n');
        let sent = worker.stdin.write_all(&header).and_then(|()| worker.stdin.write_all(bytes));
        let reply = match sent {
            Ok(()) => worker.replies.recv_timeout(limits.timeout),
            Err(_) => Err(RecvTimeoutError::Disconnected),
        };
        match reply {
            Ok(Ok(line)) => match serde_json::from_str(&line) {
                Ok(Reply::Loaded(loaded)) => {
                    let loaded = *loaded;
                    loaded.document.validate()?;
                    Ok(loaded)
                }
                Ok(Reply::Failed(reason)) => Err(reason),
                Err(e) => Err(self.fail(format!("the loader returned invalid output: {e}"))),
            },
            Err(RecvTimeoutError::Timeout) => Err(self.fail(format!(
                "loading took longer than {} s (ingest.file_timeout_secs)",
                limits.timeout.as_secs()
            ))),
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                let reason = self.worker.take().map(|w| w.crash_reason(limits)).unwrap_or_default();
                Err(reason)
            }
        }
    }

    /// Kills the worker (the next file gets a new one) and returns `reason`.
    fn fail(&mut self, reason: String) -> String {
        if let Some(mut worker) = self.worker.take() {
            worker.kill();
        }
        reason
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(mut worker) = self.worker.take() {
            worker.kill();
        }
    }
}

impl Worker {
    fn start(exe: &Path, limits: Limits) -> Result<Worker, String> {
        let mut command = Command::new(exe);
        command.arg(SUBCOMMAND).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let memory = limits.memory_mib.saturating_mul(1024 * 1024);
        // SAFETY: getpid is async-signal-safe and called before the fork.
        let parent = unsafe { libc::getpid() };
        // SAFETY: the closure runs between fork and exec and only calls prctl(2), getppid(2) and
        // setrlimit(2), which are async-signal-safe, on stack data.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died before the prctl: then nobody would kill us.
                if libc::getppid() != parent {
                    return Err(std::io::Error::other("the ingesting process is gone"));
                }
                set_limit(libc::RLIMIT_AS, memory)
            });
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start the document loader {}: {e}", exe.display()))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        // Replies and stderr are read by threads, so that neither pipe can fill and block the
        // worker, and the parent can wait for a reply with a deadline.
        let (sender, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let end = line.is_err();
                if sender.send(line).is_err() || end {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            // Bounded lines: a worker printing one endless line cannot exhaust memory here.
            let mut reader = BufReader::new(stderr);
            let (mut kept, mut line) = (VecDeque::new(), Vec::new());
            while reader.by_ref().take(4096).read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                if kept.len() == STDERR_LINES {
                    kept.pop_front();
                }
                kept.push_back(String::from_utf8_lossy(&line).trim().to_string());
                line.clear();
            }
            kept
        });
        Ok(Worker { child, stdin, replies, stderr })
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Why a worker stopped answering, from its exit status and last words.
    fn crash_reason(mut self, limits: Limits) -> String {
        self.kill();
        let status = self.child.wait().ok();
        // The worker is gone, so its stderr is closed and the reader ends.
        let stderr = self.stderr.join().map(|lines| Vec::from(lines).join("\n")).unwrap_or_default();
        if stderr.contains("memory allocation") {
            format!(
                "loading exceeded the memory limit of {} MiB (ingest.loader_memory_mib)",
                limits.memory_mib
            )
        } else if stderr.contains("overflowed its stack") {
            "the loader overflowed its stack (the file nests too deeply)".to_string()
        } else {
            match status.and_then(|s| s.signal()) {
                Some(signal) => format!("the loader crashed (signal {signal})"),
                None => last_line(&stderr).unwrap_or("the loader stopped").to_string(),
            }
        }
    }
}

/// The worker's side: answers requests from `input` on `output` until `input` ends.
pub fn serve(input: impl Read, mut output: impl Write) -> std::io::Result<()> {
    let mut input = BufReader::new(input);
    let mut header = String::new();
    loop {
        header.clear();
        if input.read_line(&mut header)? == 0 {
            return Ok(());
        }
        let request: Request = serde_json::from_str(&header).map_err(std::io::Error::other)?;
        let mut bytes = vec![0; request.bytes];
        input.read_exact(&mut bytes)?;
        let reply = load(&request, &bytes);
        serde_json::to_writer(&mut output, &reply).map_err(std::io::Error::other)?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
}

fn load(request: &Request, bytes: &[u8]) -> Reply {
    crate::failpoint::stall("loader.stall");
    let loaded =
        std::panic::catch_unwind(|| kefu_ingest::load(&request.doc_id, &request.path, request.format, bytes));
    match loaded {
        Ok(Ok(loaded)) => {
            let chars = loaded.document.text.chars().count();
            if chars > request.max_document_chars {
                return Reply::Failed(format!(
                    "the text is {chars} characters long, more than ingest.max_document_chars ({})",
                    request.max_document_chars
                ));
            }
            Reply::Loaded(Box::new(loaded))
        }
        Ok(Err(e)) => Reply::Failed(e.reason()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Reply::Failed(format!("the loader failed: {message}"))
        }
    }
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
