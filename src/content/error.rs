//! What goes wrong with `content/`: a file that cannot be read, parsed or written
//! ([`FileError`]), a record that parsed but cannot go into the book
//! ([`InvalidRecord`]), and the first of either when a load must be clean
//! ([`LoadError`]).

use std::path::{Path, PathBuf};

use thiserror::Error;

/// A file of `content/` that cannot be read, parsed or written.
#[derive(Debug, Error)]
pub enum FileError {
    #[error(transparent)]
    Write(#[from] crate::files::WriteError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file's text is not what a record or TOML file must be; 1-based position.
    #[error("{path}:{line}{}: {message}{}", column_suffix(*column), hint_suffix(hint))]
    Parse {
        path: PathBuf,
        line: usize,
        column: Option<usize>,
        message: String,
        hint: Option<String>,
    },
}

/// A record that parsed but cannot go into the book; `field` is the front-matter key
/// or "paragraph N" the problem is in.
#[derive(Debug, Error)]
#[error("{path}: record {id}: {message}{}", hint_suffix(hint))]
pub struct InvalidRecord {
    pub path: PathBuf,
    pub id: String,
    pub field: String,
    pub message: String,
    pub hint: Option<String>,
}

/// Why a strict load or parse gave no record: the first problem it met.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Invalid(#[from] InvalidRecord),
}

fn column_suffix(column: Option<usize>) -> String {
    column.map(|c| format!(":{c}")).unwrap_or_default()
}

fn hint_suffix(hint: &Option<String>) -> String {
    hint.as_ref()
        .map(|h| format!("\n  hint: {h}"))
        .unwrap_or_default()
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    }
}
