//! A diagnostic — what is wrong, where, in which record, what to do — and how people
//! read a list of them (rustc's layout).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as Level};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::NoColor;
use codespan_reporting::term::{self, Chars, Config};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The project cannot be built as it is.
    Error,
    /// Builds, but a person should look.
    Warning,
}

/// One problem: where it is (1-based line and column, in characters), which record,
/// why, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// How many characters from `column` the problem spans (one where unknown).
    #[serde(skip)]
    pub length: Option<usize>,
    /// The record (or, for a session, the id it names).
    pub id: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(severity: Severity, path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            path: path.to_path_buf(),
            line: None,
            column: None,
            length: None,
            id: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn error(path: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, message)
    }

    pub(crate) fn warning(path: &Path, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, message)
    }

    pub(crate) fn at(mut self, (line, column): (Option<usize>, Option<usize>)) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub(crate) fn record(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// rustc's layout: `error: …`, ` --> path:line:col`, the source line with the place
/// marked (where the file can be read), then `= record:` and `= hint:`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let source = self
            .line
            .and_then(|_| std::fs::read_to_string(&self.path).ok());
        match source.and_then(|text| self.with_source(&text)) {
            Some(shown) => f.write_str(shown.trim_end()),
            None => self.fmt_plain(f),
        }
    }
}

impl Diagnostic {
    /// The diagnostic with its source line, by codespan-reporting, uncoloured.
    fn with_source(&self, text: &str) -> Option<String> {
        let level = match self.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let notes = [("record", &self.id), ("hint", &self.hint)]
            .into_iter()
            .filter_map(|(name, value)| Some(format!("{name}: {}", value.as_ref()?)));
        let report = Report::new(level)
            .with_message(&self.message)
            .with_labels(vec![Label::primary((), self.range_in(text)?)])
            .with_notes(notes.collect());
        let file = SimpleFile::new(self.path.display().to_string(), text);
        let config = Config {
            chars: Chars::ascii(),
            ..Config::default()
        };
        let mut out = NoColor::new(Vec::new());
        term::emit(&mut out, &config, &file, &report).ok()?;
        String::from_utf8(out.into_inner()).ok()
    }

    /// The bytes of `text` the diagnostic points at: `length` characters (at least
    /// one) from its column, or its line's text where it has no column.
    fn range_in(&self, text: &str) -> Option<Range<usize>> {
        let line = text.split_inclusive('\n').nth(self.line?.checked_sub(1)?)?;
        let line_start = line.as_ptr() as usize - text.as_ptr() as usize;
        let line = line.trim_end_matches(['\n', '\r']);
        let Some(column) = self.column else {
            let indent = line.len() - line.trim_start().len();
            return Some(line_start + indent..line_start + line.len());
        };
        let byte_at =
            |s: &str, chars: usize| s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i);
        let start = line_start + byte_at(line, column.checked_sub(1)?);
        let end = start + byte_at(&text[start..], self.length.unwrap_or(1).max(1));
        Some(start..end)
    }

    /// Without the source: `error: …`, ` --> path:line:col`, the notes.
    fn fmt_plain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{severity}: {}", self.message)?;
        write!(f, "  --> {}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(id) = &self.id {
            write!(f, "\n  = record: {id}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Diagnostics as people read them: one block each, a blank line between.
pub fn human(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{d}\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// "2 errors, 1 warning".
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
