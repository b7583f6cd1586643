//! Finding the files to ingest under the paths a user gives, and their document ids.

use std::collections::BTreeMap;
use std::fs;
use std::io::ErrorKind;
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
/// ignored. Only regular files are taken: FIFOs, sockets and devices are skipped, and so is a
/// symbolic link that leads out of the roots (a link to `/etc/passwd` must never be indexed and
/// served), to a folder, nowhere, or round in a loop. Unknown formats, unreadable folders inside
/// a root, ids that [`check_id`] refuses and duplicate ids are reported as skipped; a root that
/// cannot be read at all is an error.
pub fn discover(roots: &[PathBuf]) -> Result<(Vec<SourceFile>, Vec<Skipped>), UnreadableRoot> {
    let mut files: BTreeMap<String, SourceFile> = BTreeMap::new();
    let mut skipped = Vec::new();
    let unreadable = |root: &PathBuf, reason: String| UnreadableRoot { path: root.clone(), reason };
    // Every root resolved first: a link inside one root may point into another.
    let mut resolved = Vec::with_capacity(roots.len());
    for root in roots {
        let real = fs::canonicalize(root).map_err(|e| {
            unreadable(
                root,
                if e.kind() == ErrorKind::NotFound { "no such file or folder".into() } else { e.to_string() },
            )
        })?;
        resolved.push(real);
    }
    let walker = Walker { roots: &resolved };
    for (root, real) in roots.iter().zip(&resolved) {
        let mut found = Vec::new();
        let meta = fs::metadata(real).map_err(|e| unreadable(root, e.to_string()))?;
        if meta.is_dir() {
            walker.walk(root, root, &mut found, &mut skipped);
        } else if meta.is_file() {
            let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            found.push((root.clone(), name));
        } else {
            return Err(unreadable(root, format!("not a regular file or folder ({})", file_kind(&meta))));
        }
        for (path, doc_id) in found {
            let Some(format) = Format::from_path(&path) else {
                let ext =
                    path.extension().map(|e| format!(" (.{})", e.to_string_lossy())).unwrap_or_default();
                skipped.push(Skipped { path, reason: format!("unsupported file type{ext}") });
                continue;
            };
            if let Err(reason) = check_id(&doc_id) {
                skipped.push(Skipped { path, reason: format!("its path cannot be a document id: {reason}") });
                continue;
            }
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

/// The longest document id, in bytes. Ids are index keys (tantivy terms, redb keys) and appear
/// in citations: a 70,000-character id is an attack, not a name.
pub const MAX_ID_BYTES: usize = 256;

/// Checks a document id (from a path or from front matter): 1 to [`MAX_ID_BYTES`] bytes, no
/// control or invisible formatting characters (NUL, bidi overrides that make an id display as
/// another), no surrounding whitespace, no `..` segment, not absolute. The error says why.
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("the id is empty".into());
    }
    if id.len() > MAX_ID_BYTES {
        return Err(format!("the id is {} bytes long (at most {MAX_ID_BYTES})", id.len()));
    }
    if let Some(c) = id.chars().find(|&c| c.is_control() || is_invisible_format(c)) {
        return Err(format!("the id contains the control character U+{:04X}", c as u32));
    }
    if id.trim() != id {
        return Err("the id starts or ends with whitespace".into());
    }
    if id.starts_with('/') || id.split(['/', '\\']).any(|segment| segment == "..") {
        return Err("the id is an absolute path or has a `..` segment".into());
    }
    Ok(())
}

/// Characters that change how text around them is displayed without showing themselves: bidi
/// embeddings, overrides and isolates, zero-width characters, the BOM.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

/// Why a source file could not be read by [`read_source`].
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Larger than the limit given.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A FIFO, socket or device: reading it could block forever or never end.
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    /// The operating system refused.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads a source file, at most `max_bytes` of it. The file is opened without blocking and
/// checked to be a regular file on the open descriptor, so that a FIFO, or a file swapped for a
/// device after [`discover`] saw it, cannot block or flood the reader.
pub fn read_source(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    let file = fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(file_kind(&meta)));
    }
    if meta.len() > max_bytes {
        return Err(ReadError::TooLarge { limit: max_bytes });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow after the check: never read more than the limit.
    file.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::TooLarge { limit: max_bytes });
    }
    Ok(bytes)
}

fn file_kind(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

struct Walker<'a> {
    /// The roots, resolved: where symbolic links may lead.
    roots: &'a [PathBuf],
}

impl Walker<'_> {
    fn walk(&self, root: &Path, dir: &Path, found: &mut Vec<(PathBuf, String)>, skipped: &mut Vec<Skipped>) {
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
                self.walk(root, &path, found, skipped);
                continue;
            }
            if meta.is_symlink() {
                if let Err(reason) = self.check_link(&path) {
                    skipped.push(Skipped { path, reason });
                    continue;
                }
            } else if !meta.is_file() {
                skipped.push(Skipped { path, reason: format!("not a regular file ({})", file_kind(&meta)) });
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let id =
                relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            found.push((path, id));
        }
    }

    /// A symbolic link is followed only to a regular file inside one of the roots.
    fn check_link(&self, link: &Path) -> Result<(), String> {
        let target = fs::canonicalize(link).map_err(|e| match e.kind() {
            ErrorKind::NotFound => "symbolic link to nothing (dangling)".to_string(),
            _ => format!("symbolic link that cannot be followed: {e}"),
        })?;
        if !self.roots.iter().any(|root| target.starts_with(root)) {
            return Err(format!(
                "symbolic link to {}, outside the folders being ingested, not followed",
                target.display()
            ));
        }
        let meta = fs::metadata(&target).map_err(|e| e.to_string())?;
        if meta.is_dir() {
            return Err("symbolic link to a folder, not followed".into());
        }
        if !meta.is_file() {
            return Err(format!("symbolic link to {}, not a regular file", file_kind(&meta)));
        }
        Ok(())
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
