//! Finding the files to ingest under the paths a user gives, and their document ids.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::document::Format;

/// A file kefu can read, with the id its document will have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Its path relative to the folder given on the command line, with `/` separators (the file
    /// name when a file is given directly). Ingesting the same folder again gives the same ids.
    pub doc_id: String,
    /// How to read it.
    pub format: Format,
}

/// A path that will not be ingested, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file or folder.
    pub path: PathBuf,
    /// Why, in words.
    pub reason: String,
}

/// A path given to ingest that cannot be read. The whole run stops: ingesting the other paths
/// would make this one's documents look deleted (and `--prune` would remove them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct UnreadableRoot {
    /// The path as given.
    pub path: PathBuf,
    /// Why, in words.
    pub reason: String,
}

/// Walks `roots` (files or folders), in sorted order. Hidden files and folders (`.name`) are
/// ignored; unknown formats, unreadable folders inside a root and duplicate ids are reported as
/// skipped; a root that cannot be read at all is an error.
pub fn discover(roots: &[PathBuf]) -> Result<(Vec<SourceFile>, Vec<Skipped>), UnreadableRoot> {
    let mut files: BTreeMap<String, SourceFile> = BTreeMap::new();
    let mut skipped = Vec::new();
    for root in roots {
        let mut found = Vec::new();
        match fs::metadata(root) {
            Ok(meta) if meta.is_dir() => walk(root, root, &mut found, &mut skipped),
            Ok(_) => {
                let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                found.push((root.clone(), name));
            }
            Err(e) => {
                let reason = match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
                    _ => e.to_string(),
                };
                return Err(UnreadableRoot { path: root.clone(), reason });
            }
        }
        for (path, doc_id) in found {
            let Some(format) = Format::from_path(&path) else {
                let ext =
                    path.extension().map(|e| format!(" (.{})", e.to_string_lossy())).unwrap_or_default();
                skipped.push(Skipped { path, reason: format!("unsupported file type{ext}") });
                continue;
            };
            if let Some(first) = files.get(&doc_id) {
                let reason = format!("same document id `{doc_id}` as {}", first.path.display());
                skipped.push(Skipped { path, reason });
                continue;
            }
            files.insert(doc_id.clone(), SourceFile { path, doc_id, format });
        }
    }
    Ok((files.into_values().collect(), skipped))
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<(PathBuf, String)>, skipped: &mut Vec<Skipped>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return skipped.push(Skipped { path: dir.to_path_buf(), reason: e.to_string() }),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            walk(root, &path, found, skipped);
        } else if meta.is_symlink() && path.is_dir() {
            skipped.push(Skipped { path, reason: "symbolic link to a folder, not followed".into() });
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let id =
                relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            found.push((path, id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_relative_paths_and_odd_files_are_skipped() {
        let dir = std::env::temp_dir().join(format!("kefu-discover-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("en/policies")).unwrap();
        fs::create_dir_all(dir.join(".git")).unwrap();
        for f in ["en/policies/returns.md", "en/faq.csv", "notes.docx", ".hidden.md", ".git/x.md"] {
            fs::write(dir.join(f), "x").unwrap();
        }
        let (files, skipped) = discover(&[dir.clone(), dir.join("en/faq.csv"), dir.join("en")]).unwrap();
        let ids: Vec<_> = files.iter().map(|f| f.doc_id.as_str()).collect();
        assert_eq!(ids, ["en/faq.csv", "en/policies/returns.md", "faq.csv", "policies/returns.md"]);
        let reasons: Vec<_> = skipped.iter().map(|s| s.reason.as_str()).collect();
        let duplicate = format!("same document id `faq.csv` as {}", dir.join("en/faq.csv").display());
        assert_eq!(reasons, ["unsupported file type (.docx)", duplicate.as_str()]);
        let missing = discover(&[dir.clone(), dir.join("nope")]).unwrap_err();
        assert_eq!(missing.to_string(), format!("{}: no such file or folder", dir.join("nope").display()));
        fs::remove_dir_all(&dir).unwrap();
    }
}
