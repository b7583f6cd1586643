//! The data folder and its index generations.
//!
//! ```text
//! DATA/
//!   CURRENT            name of the live generation, replaced atomically (the commit point)
//!   ingest.lock        held by the one ingesting process
//!   embeddings.redb    embedding cache (ingesting process only)
//!   generations/
//!     00000007/        a complete, immutable index: catalog.redb, text/, vectors/
//!     00000008/        being built by an ingest; invisible until CURRENT names it
//! ```
//!
//! An ingest copies the live generation (tantivy's immutable segment files are hard-linked),
//! applies its changes to the copy, commits every store, and only then points `CURRENT` at it.
//! A crash at any moment leaves `CURRENT` on a complete generation; the next ingest deletes
//! the partial one. Readers (`kefu search`, `kefu serve`) open the generation `CURRENT` names and
//! hold a shared lock on it, so that garbage collection never deletes one in use.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

const CURRENT: &str = "CURRENT";
const GENERATIONS: &str = "generations";
const INGEST_LOCK: &str = "ingest.lock";
const READER_LOCK: &str = "readers.lock";

/// The data folder.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// Held while ingesting: one writer per data folder.
#[derive(Debug)]
pub struct IngestLock {
    _file: File,
}

/// Held while a generation is open for reading; released on drop.
#[derive(Debug)]
pub struct ReaderLock {
    _file: File,
}

impl DataDir {
    /// The data folder at `root` (nothing is created yet).
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// Its path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A random identifier of this data folder, made on first use: it tells this folder's
    /// collections apart on a shared Qdrant server.
    pub fn id(&self) -> Result<String> {
        let path = self.root.join("id");
        if let Ok(id) = fs::read_to_string(&path) {
            return Ok(id.trim().to_string());
        }
        fs::create_dir_all(&self.root).map_err(Error::io(&self.root))?;
        let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        let tmp = self.root.join("id.tmp");
        fs::write(&tmp, format!("{id}\n")).map_err(Error::io(&tmp))?;
        fs::rename(&tmp, &path).map_err(Error::io(&path))?;
        Ok(id)
    }

    /// The embedding cache file.
    pub fn embedding_cache(&self) -> PathBuf {
        self.root.join("embeddings.redb")
    }

    /// The folder of generation `id`.
    pub fn generation(&self, id: u64) -> PathBuf {
        self.root.join(GENERATIONS).join(format!("{id:08}"))
    }

    /// The live generation, if any.
    pub fn current(&self) -> Result<Option<u64>> {
        let path = self.root.join(CURRENT);
        match fs::read_to_string(&path) {
            Ok(text) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| Error::Catalog(format!("{} is corrupt: {text:?}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path)(e)),
        }
    }

    /// Takes the ingest lock (creating the folder), or fails at once if another process has it.
    pub fn lock_for_ingest(&self) -> Result<IngestLock> {
        fs::create_dir_all(self.root.join(GENERATIONS)).map_err(Error::io(&self.root))?;
        let path = self.root.join(INGEST_LOCK);
        let file = File::create(&path).map_err(Error::io(&path))?;
        file.try_lock().map_err(|_| {
            Error::Busy(format!("another `kefu ingest` is writing to {}", self.root.display()))
        })?;
        Ok(IngestLock { _file: file })
    }

    /// Takes a shared lock on generation `id`, which keeps garbage collection away from it.
    pub fn lock_for_reading(&self, id: u64) -> Result<ReaderLock> {
        let path = self.generation(id).join(READER_LOCK);
        let file = File::open(&path).map_err(Error::io(&path))?;
        file.lock_shared().map_err(Error::io(&path))?;
        Ok(ReaderLock { _file: file })
    }

    /// Starts generation `max + 1` as a copy of `base` (or empty) and returns its id and path.
    pub fn begin(&self, _lock: &IngestLock, base: Option<u64>) -> Result<(u64, PathBuf)> {
        let id = self.generation_ids()?.into_iter().max().unwrap_or(0).max(self.current()?.unwrap_or(0)) + 1;
        let path = self.generation(id);
        fs::create_dir_all(&path).map_err(Error::io(&path))?;
        if let Some(base) = base {
            copy_generation(&self.generation(base), &path)?;
        }
        let lock = path.join(READER_LOCK);
        File::create(&lock).map_err(Error::io(&lock))?;
        Ok((id, path))
    }

    /// Makes generation `id` the live one: the commit point of an ingest. Everything in it must
    /// already be durable.
    pub fn publish(&self, _lock: &IngestLock, id: u64) -> Result<()> {
        sync_tree(&self.generation(id))?;
        let path = self.root.join(CURRENT);
        let tmp = self.root.join("CURRENT.tmp");
        let mut file = File::create(&tmp).map_err(Error::io(&tmp))?;
        writeln!(file, "{id}").and_then(|_| file.sync_all()).map_err(Error::io(&tmp))?;
        fs::rename(&tmp, &path).map_err(Error::io(&path))?;
        sync_dir(&self.root)
    }

    /// Deletes every generation but the live one, except those a reader holds. Returns how many
    /// were deleted. Partial generations of crashed ingests go this way.
    pub fn collect_garbage(&self, _lock: &IngestLock) -> Result<usize> {
        let current = self.current()?;
        let mut deleted = 0;
        for id in self.generation_ids()? {
            if Some(id) == current {
                continue;
            }
            let path = self.generation(id);
            let in_use = File::open(path.join(READER_LOCK)).is_ok_and(|f| f.try_lock().is_err());
            if !in_use {
                fs::remove_dir_all(&path).map_err(Error::io(&path))?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// Numbers of the generation folders present (live, held by readers, or partial).
    pub fn generation_ids(&self) -> Result<Vec<u64>> {
        let dir = self.root.join(GENERATIONS);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(dir)(e)),
        };
        Ok(entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
    }
}

/// Copies a generation: files that their store never rewrites in place (tantivy segments, whose
/// names include ".") are hard-linked, everything else is copied sparsely (see [`copy_sparse`]).
/// Lock files are left behind.
fn copy_generation(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from).map_err(Error::io(from))? {
        let entry = entry.map_err(Error::io(from))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let name = entry.file_name().to_string_lossy().into_owned();
        let file_type = entry.file_type().map_err(Error::io(&source))?;
        if file_type.is_dir() {
            fs::create_dir_all(&target).map_err(Error::io(&target))?;
            copy_generation(&source, &target)?;
        } else if name.ends_with(".lock") || name == READER_LOCK {
            continue;
        } else if is_immutable_segment_file(&source) {
            fs::hard_link(&source, &target).map_err(Error::io(&target))?;
        } else {
            copy_sparse(&source, &target)?;
        }
    }
    Ok(())
}

/// Copies a file, leaving holes where the source has blocks of zeros. qdrant-edge preallocates
/// its segment and WAL files (tens of MiB of zeros each); a plain copy wrote ~100 MB per
/// generation however few chunks changed.
fn copy_sparse(from: &Path, to: &Path) -> Result<()> {
    const BLOCK: usize = 64 * 1024;
    let mut source = File::open(from).map_err(Error::io(from))?;
    let mut target = File::create(to).map_err(Error::io(to))?;
    let mut block = vec![0u8; BLOCK];
    let mut length = 0u64;
    loop {
        let n = read_block(&mut source, &mut block).map_err(Error::io(from))?;
        if n == 0 {
            break;
        }
        if block[..n].iter().all(|&b| b == 0) {
            target.seek(SeekFrom::Current(n as i64)).map_err(Error::io(to))?;
        } else {
            target.write_all(&block[..n]).map_err(Error::io(to))?;
        }
        length += n as u64;
    }
    // A trailing hole is only a seek: the length makes it part of the file.
    target.set_len(length).map_err(Error::io(to))?;
    let permissions = source.metadata().map_err(Error::io(from))?.permissions();
    fs::set_permissions(to, permissions).map_err(Error::io(to))?;
    Ok(())
}

/// Fills `block` as far as the file allows; returns the bytes read (0 at the end).
fn read_block(file: &mut File, block: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < block.len() {
        match file.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Tantivy never modifies a segment file after writing it (only `meta.json` and
/// `.managed.json` change), so those can be shared between generations.
fn is_immutable_segment_file(path: &Path) -> bool {
    let in_text_index = path.parent().and_then(Path::file_name).is_some_and(|n| n == super::TEXT_DIR);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    in_text_index && !name.ends_with(".json")
}

/// fsyncs every file and folder under `dir`.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(Error::io(dir))? {
        let path = entry.map_err(Error::io(dir))?.path();
        if path.is_dir() {
            sync_tree(&path)?;
        } else {
            File::open(&path).and_then(|f| f.sync_all()).map_err(Error::io(&path))?;
        }
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|f| f.sync_all()).map_err(Error::io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_copies_are_exact_and_leave_zeros_unwritten() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("segment"), dir.path().join("copy"));
        let mut content = vec![0u8; 8 << 20];
        content[100_000..100_010].copy_from_slice(b"0123456789");
        content[(8 << 20) - 5..].copy_from_slice(b"tail!");
        fs::write(&from, &content).unwrap();
        copy_sparse(&from, &to).unwrap();
        assert_eq!(fs::read(&to).unwrap(), content);
        let allocated = fs::metadata(&to).unwrap().blocks() * 512;
        assert!(allocated <= 256 * 1024, "{allocated} bytes allocated for 8 MiB of mostly zeros");
        let zeros = vec![0u8; 3 << 20];
        fs::write(&from, &zeros).unwrap();
        copy_sparse(&from, &to).unwrap();
        assert_eq!(fs::read(&to).unwrap(), zeros, "a file of zeros keeps its length");
    }

    #[test]
    fn generations_publish_and_collect() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        assert_eq!(data.current().unwrap(), None);
        let lock = data.lock_for_ingest().unwrap();
        assert!(data.lock_for_ingest().is_err(), "one ingest at a time");

        let (first, path) = data.begin(&lock, None).unwrap();
        fs::write(path.join("catalog.redb"), "v1").unwrap();
        data.publish(&lock, first).unwrap();
        assert_eq!(data.current().unwrap(), Some(first));

        let (second, path) = data.begin(&lock, Some(first)).unwrap();
        assert_eq!(fs::read_to_string(path.join("catalog.redb")).unwrap(), "v1", "copied");
        // Not published: a crashed ingest. Garbage collection removes it, keeps the live one.
        assert_eq!(data.collect_garbage(&lock).unwrap(), 1);
        assert!(!data.generation(second).exists() && data.generation(first).exists());

        let (third, _) = data.begin(&lock, Some(first)).unwrap();
        data.publish(&lock, third).unwrap();
        let reader = data.lock_for_reading(first).unwrap();
        assert_eq!(data.collect_garbage(&lock).unwrap(), 0, "a reader holds the old one");
        drop(reader);
        assert_eq!(data.collect_garbage(&lock).unwrap(), 1);
    }
}
