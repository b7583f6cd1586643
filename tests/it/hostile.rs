//! Ingesting a help-center folder as an attacker or a careless merchant would fill it: every
//! file costs bounded work, a bad one is skipped with a reason, and nothing outside the folder is
//! read. Each case is a regression of a file that once crashed or stalled a whole ingest.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

use kefu::index::{Catalog, DataDir};
use serde_json::Value;

use crate::common::{copy_corpus_files, json_output, kefu};

/// `kefu ingest SRC --data DATA --json` with tight limits, so that a regression shows up as a
/// skipped file ("took longer than 20 s") rather than a test that hangs.
fn ingest_with_limits(src: &Path, data: &Path, args: &[&str]) -> Value {
    let output = kefu()
        .arg("ingest")
        .arg(src)
        .arg("--data")
        .arg(data)
        .arg("--json")
        .args(args)
        .env("KEFU_INGEST__FILE_TIMEOUT_SECS", "20")
        .env("KEFU_INGEST__MAX_FILE_MIB", "8")
        .env("KEFU_INGEST__MAX_DOCUMENT_CHARS", "1000000")
        .output()
        .unwrap();
    json_output(&output)
}

fn reasons(report: &Value) -> Vec<(String, String)> {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let name = Path::new(path).file_name().unwrap().to_string_lossy().into_owned();
            (name, s["reason"].as_str().unwrap().to_string())
        })
        .collect()
}

fn reason_of(report: &Value, name: &str) -> String {
    let all = reasons(report);
    all.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is not reported as skipped: {all:?}"))
        .1
        .clone()
}

fn catalog(data: &Path) -> Catalog {
    let data_dir = DataDir::new(data);
    let generation = data_dir.current().unwrap().expect("a live generation");
    Catalog::open_read_only(&data_dir.generation(generation).join("catalog.redb")).unwrap()
}

fn mkfifo(path: &Path) {
    let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0, "mkfifo");
}

#[test]
fn one_bad_file_never_stalls_or_aborts_the_run() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = src.path();
    let nested =
        |n| format!("<html><body>{}<p>deep</p>{}</body></html>", "<div>".repeat(n), "</div>".repeat(n));
    fs::write(dir.join("nested-3000.html"), nested(3_000)).unwrap();
    fs::write(dir.join("nested-100000.html"), nested(100_000)).unwrap();
    let entities = "&amp;&lt;&eacute;&nbsp;&notin;&hellip; ".repeat(50_000);
    fs::write(dir.join("entities.html"), format!("<html><body><p>Entities {entities}</p></body></html>"))
        .unwrap();
    fs::write(dir.join("one-word.txt"), format!("A word: {}", "a".repeat(800_000))).unwrap();
    fs::write(dir.join("big-cell.csv"), format!("question,answer\nBig?,{}\n", "b ".repeat(1_500_000)))
        .unwrap();
    fs::write(dir.join("too-big.txt"), "x ".repeat(5 << 20)).unwrap();
    fs::write(dir.join("bomb.md"), format!("---\n{}\n---\n# Bomb\n\nText.\n", yaml_bomb())).unwrap();
    mkfifo(&dir.join("pipe.md"));
    fs::write(dir.join("zz-good.md"), "# Gift cards\n\nGift cards never expire.\n").unwrap();

    let report = ingest_with_limits(dir, data.path(), &[]);

    assert_eq!(reason_of(&report, "nested-100000.html"), "elements nested deeper than 512: not read");
    assert_eq!(reason_of(&report, "nested-3000.html"), "elements nested deeper than 512: not read");
    assert_eq!(reason_of(&report, "too-big.txt"), "the file is larger than ingest.max_file_mib (8 MiB)");
    let big_cell = reason_of(&report, "big-cell.csv");
    assert!(
        big_cell.ends_with("characters long, more than ingest.max_document_chars (1000000)"),
        "{big_cell}"
    );
    assert_eq!(reason_of(&report, "pipe.md"), "not a regular file (a FIFO)");
    assert!(reason_of(&report, "bomb.md").starts_with("front matter: "), "{}", reason_of(&report, "bomb.md"));
    let docs = catalog(data.path()).chunk_ids_by_document().unwrap();
    assert_eq!(
        docs.keys().map(String::as_str).collect::<Vec<_>>(),
        ["entities.html", "one-word.txt", "zz-good.md"],
        "{report}"
    );
    assert!(docs["one-word.txt"].len() <= 2, "an 800,000-letter word is cut, not chunked: {report}");
    let one_word = catalog(data.path()).document("one-word.txt").unwrap().unwrap();
    assert!(one_word.text.len() < 100, "{}", &one_word.text[..200.min(one_word.text.len())]);
}

/// Aliases that expand to billions of nodes if followed naively.
fn yaml_bomb() -> String {
    let mut yaml = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
        let prev =
            if i == 0 { "a".to_string() } else { ["b", "c", "d", "e", "f", "g", "h"][i - 1].to_string() };
        yaml.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(",")));
    }
    yaml.push_str("title: *i\n");
    yaml
}

#[test]
fn symbolic_links_never_lead_out_of_the_folder() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = src.path();
    fs::create_dir(dir.join("docs")).unwrap();
    fs::write(dir.join("docs/returns.md"), "# Returns\n\nReturns are free within 30 days.\n").unwrap();
    symlink("/etc/passwd", dir.join("passwd.txt")).unwrap();
    symlink("/dev/zero", dir.join("zero.txt")).unwrap();
    symlink(dir.join("nowhere.md"), dir.join("dangling.md")).unwrap();
    symlink(dir.join("loop-b.md"), dir.join("loop-a.md")).unwrap();
    symlink(dir.join("loop-a.md"), dir.join("loop-b.md")).unwrap();
    symlink(dir.join("docs/returns.md"), dir.join("alias.md")).unwrap();

    let report = ingest_with_limits(dir, data.path(), &[]);
    assert!(reason_of(&report, "passwd.txt").contains("outside the folders being ingested"), "{report}");
    assert!(reason_of(&report, "zero.txt").contains("outside the folders being ingested"), "{report}");
    assert_eq!(reason_of(&report, "dangling.md"), "symbolic link to nothing (dangling)");
    assert!(reason_of(&report, "loop-a.md").starts_with("symbolic link that cannot be followed"), "{report}");
    let docs = catalog(data.path()).chunk_ids_by_document().unwrap();
    assert_eq!(docs.keys().map(String::as_str).collect::<Vec<_>>(), ["alias.md", "docs/returns.md"]);
}

#[test]
fn front_matter_ids_are_checked_and_never_take_another_files_document() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = src.path();
    copy_corpus_files(dir, &["en/faq.csv"]);
    let with_id = |id: &str, text: &str| format!("---\nid: {id}\n---\n# Page\n\n{text}\n");
    fs::write(dir.join("thief.md"), with_id("en/faq.csv", "Replace the FAQ.")).unwrap();
    fs::write(dir.join("a-custom.md"), with_id("shipping-policy", "We ship in 2 days.")).unwrap();
    fs::write(dir.join("b-custom.md"), with_id("shipping-policy", "We ship in 5 days.")).unwrap();
    fs::write(dir.join("long-id.md"), with_id(&"x".repeat(70_000), "Long id.")).unwrap();
    fs::write(dir.join("bidi.md"), with_id("\"refunds\u{202E}fdp.exe\"", "Bidi.")).unwrap();
    fs::write(dir.join("dotdot.md"), with_id("../../etc/passwd", "Dots.")).unwrap();

    let first = ingest_with_limits(dir, data.path(), &[]);
    assert_eq!(
        reason_of(&first, "thief.md"),
        format!("document id `en/faq.csv` is already used by {}", dir.join("en/faq.csv").display())
    );
    assert_eq!(
        reason_of(&first, "b-custom.md"),
        format!("document id `shipping-policy` is already used by {}", dir.join("a-custom.md").display())
    );
    assert!(reason_of(&first, "long-id.md").starts_with("front matter: `id`: the id is 70000 bytes long"));
    assert!(reason_of(&first, "bidi.md").contains("U+202E"), "{}", reason_of(&first, "bidi.md"));
    assert!(reason_of(&first, "dotdot.md").contains("`..`"), "{}", reason_of(&first, "dotdot.md"));
    let faq_chunks = catalog(data.path()).chunk_ids_by_document().unwrap()["en/faq.csv"].clone();
    let shipping = catalog(data.path()).document("shipping-policy").unwrap().unwrap();
    assert!(shipping.text.contains("2 days"), "the first file keeps the id");

    // The same folder again: nothing flips, nothing is re-indexed, the index stays consistent.
    let again = ingest_with_limits(dir, data.path(), &["--prune"]);
    assert_eq!(
        (again["embedded"].as_u64(), again["generation"].clone()),
        (Some(0), first["generation"].clone()),
        "{again}"
    );
    assert_eq!(again["unchanged"], 2, "the FAQ and the custom id: {again}");
    assert_eq!(catalog(data.path()).chunk_ids_by_document().unwrap()["en/faq.csv"], faq_chunks);
    let status = json_output(
        &kefu().arg("status").arg("--verify").arg("--json").arg("--data").arg(data.path()).output().unwrap(),
    );
    assert_eq!(status["consistency"]["problems"], Value::Array(vec![]), "{status}");

    // A file whose id changes releases the old one: another file may take it on the next run.
    fs::write(dir.join("a-custom.md"), with_id("shipping-old", "We ship in 2 days.")).unwrap();
    let moved = ingest_with_limits(dir, data.path(), &["--prune"]);
    assert!(
        reason_of(&moved, "b-custom.md").contains("already used by"),
        "still held while a-custom.md was indexed with it"
    );
    let taken = ingest_with_limits(dir, data.path(), &["--prune"]);
    assert!(!reasons(&taken).iter().any(|(n, _)| n == "b-custom.md"), "{taken}");
    assert!(catalog(data.path()).document("shipping-policy").unwrap().unwrap().text.contains("5 days"));
}

/// The children of process `pid` that are alive (not zombies).
fn live_children(pid: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
        let Some(rest) = stat.rsplit_once(") ").map(|(_, rest)| rest) else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(1) == Some(&pid.to_string().as_str()) && fields[0] != "Z" {
            children.push(entry.file_name().to_string_lossy().parse().unwrap());
        }
    }
    children
}

fn alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
}

#[test]
fn a_stalled_loader_costs_its_file_only() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fs::write(src.path().join("a.md"), "# A\n\nText a.\n").unwrap();
    fs::write(src.path().join("b.md"), "# B\n\nText b.\n").unwrap();
    let output = kefu()
        .args(["ingest", "--json", "--data"])
        .arg(data.path())
        .arg(src.path())
        .env("KEFU_FAILPOINT", "loader.stall")
        .env("KEFU_INGEST__FILE_TIMEOUT_SECS", "1")
        .output()
        .unwrap();
    let report = json_output(&output);
    for file in ["a.md", "b.md"] {
        assert_eq!(reason_of(&report, file), "loading took longer than 1 s (ingest.file_timeout_secs)");
    }
    assert_eq!(report["documents"], 0);
}

#[test]
fn killing_ingest_leaves_no_loader_running() {
    let (src, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fs::write(src.path().join("a.md"), "# A\n\nText.\n").unwrap();
    let mut ingest = kefu()
        .args(["ingest", "--data"])
        .arg(data.path())
        .arg(src.path())
        .env("KEFU_FAILPOINT", "loader.stall")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let worker = loop {
        if let Some(&worker) = live_children(ingest.id()).first() {
            break worker;
        }
        assert!(Instant::now() < deadline, "no loader process was started");
        std::thread::sleep(Duration::from_millis(20));
    };
    ingest.kill().unwrap();
    ingest.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(worker) {
        assert!(Instant::now() < deadline, "the loader {worker} outlived the ingest");
        std::thread::sleep(Duration::from_millis(20));
    }
}
