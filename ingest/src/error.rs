use std::path::PathBuf;

/// Errors of the ingestion front end. Each names the file (and field, row or line) at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A source file or folder could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file's content could not be parsed; `message` says where and why.
    #[error("{}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, e.g. "front matter: `tags` must be a list of strings".
        message: String,
    },
    /// The tokenizer used to measure chunks could not be loaded.
    #[error("tokenizer {}: {message}", path.display())]
    Tokenizer {
        /// The tokenizer.json file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// The message without the path, for reports that list the path separately.
    pub fn reason(&self) -> String {
        match self {
            Error::Io { source, .. } => source.to_string(),
            Error::Parse { message, .. } | Error::Tokenizer { message, .. } => message.clone(),
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
