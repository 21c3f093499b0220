//! What stops an import: a file that cannot be read as a table, or rows with problems.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot read {} ({source})", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not a table this can read, or lacks a column.
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    /// Rows with problems: nothing is imported.
    #[error("{} in {}: nothing was imported\n{}", plural(.problems.len()), .path.display(), list(.problems))]
    Rows {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// "row 7" (as the spreadsheet shows it) or "object 3" (JSON).
    pub row: String,
    /// The column as the file names it.
    pub column: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, row, column) = (self.path.display(), &self.row, &self.column);
        write!(f, "{path}: {row}, column `{column}`: {}", self.message)
    }
}

fn plural(n: usize) -> String {
    match n {
        1 => "1 problem".into(),
        n => format!("{n} problems"),
    }
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}\n")).collect()
}
