//! Records the commit kefu is built from (`KEFU_COMMIT`, `-dirty` with uncommitted changes to
//! tracked files), for evaluation reports; and embeds the web pages built into `web/dist` (the
//! widget and the console, `src/serve/web.rs`).

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => {
            let dirty =
                git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            format!("{commit}{}", if dirty { "-dirty" } else { "" })
        }
        None => "unknown".to_string(),
    };
    println!("cargo:rustc-env=KEFU_COMMIT={commit}");
    for path in [".git/HEAD", ".git/refs/heads", ".git/packed-refs", "src", "ingest/src", "Cargo.toml"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    embed_web_pages();
}

/// Writes `$OUT_DIR/web_assets.rs`: the slice of `Asset`s of every file under `web/dist`, each
/// with its `.gz` twin when the web build wrote one.
fn embed_web_pages() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("web/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    if dist.is_dir() {
        collect(&dist, &mut files);
    } else {
        println!(
            "cargo:warning=web/dist is missing: kefu is built without its widget and console. \
             Run `make setup` (it needs Node.js 20.19 or later and npm), then build again."
        );
    }
    files.sort();
    let mut table = String::from("&[\n");
    for file in files.iter().filter(|f| f.extension().is_none_or(|e| e != "gz")) {
        let relative = file.strip_prefix(&dist).expect("under dist").to_string_lossy().replace('\\', "/");
        let body = std::fs::read(file).expect("read a built web file");
        let mut hasher = DefaultHasher::new();
        hasher.write(&body);
        let gzip = PathBuf::from(format!("{}.gz", file.display()));
        let gzip = if gzip.is_file() {
            format!("Some(include_bytes!({:?}))", gzip.display().to_string())
        } else {
            "None".into()
        };
        writeln!(
            table,
            "    Asset {{ path: {relative:?}, body: include_bytes!({:?}), gzip: {gzip}, etag: \"\\\"{:016x}\\\"\" }},",
            file.display().to_string(),
            hasher.finish()
        )
        .expect("write to a string");
    }
    table.push(']');
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("web_assets.rs");
    std::fs::write(out, table).expect("write web_assets.rs");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read web/dist").flatten() {
        let path = entry.path();
        // Dotfiles are the web build's own bookkeeping (`.kefu-source-hash`), not pages.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
