//! The record file: TOML front matter between `+++` lines, then the body. Rendering
//! a record as its file and reading one back.

use std::path::{Path, PathBuf};

use super::error::{FileError, InvalidRecord, LoadError, io};
use super::schema::file_stem;
use super::validate::validate;
use crate::model::Record;
use crate::model::text::{column_of, line_of};

const FRONT: &str = "+++";

/// One record file as [`load_lenient`](super::load_lenient) found it.
#[derive(Debug)]
pub struct RecordFile {
    pub path: PathBuf,
    /// The file's text (empty if it could not be read).
    pub text: String,
    /// The record, or why the file has none (it cannot be read, or its front matter
    /// does not parse).
    pub record: Result<Record, FileError>,
    /// What keeps the record out of the book, in field order.
    pub invalid: Vec<InvalidRecord>,
}

impl RecordFile {
    /// Whether its record can go into the book.
    pub fn is_fit(&self) -> bool {
        self.record.is_ok() && self.invalid.is_empty()
    }
}

pub(super) fn read_record_file(path: PathBuf) -> RecordFile {
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let record = Err(io(&path)(e));
            return RecordFile {
                path,
                text: String::new(),
                record,
                invalid: Vec::new(),
            };
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = String::from_utf8_lossy(valid);
            let problem = FileError::Parse {
                path: path.clone(),
                line: line_of(&valid, valid.len()),
                column: Some(column_of(&valid, valid.len())),
                message: format!(
                    "the file is not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
                hint: Some("save the file as UTF-8".into()),
            };
            return RecordFile {
                path,
                text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                record: Err(problem),
                invalid: Vec::new(),
            };
        }
    };
    let (record, invalid) = match read_record(&path, &text) {
        Ok((record, invalid)) => (Ok(record), invalid),
        Err(problem) => (Err(problem), Vec::new()),
    };
    RecordFile {
        path,
        text,
        record,
        invalid,
    }
}

/// A record as its file: TOML front matter between `+++` lines, then the body, one
/// paragraph per line, paragraphs separated by a blank line.
pub fn render_record(record: &Record) -> String {
    let front = toml::to_string(record).unwrap_or_default();
    let mut out = format!("{FRONT}\n{front}{FRONT}\n");
    for p in &record.paragraphs {
        out.push('\n');
        out.push_str(p);
        out.push('\n');
    }
    out
}

/// Reads a record file. Hand-wrapped paragraphs are joined like wrapped source lines.
/// Fails on the first problem; [`read_record`] collects them.
pub fn parse_record(path: &Path, text: &str) -> Result<Record, LoadError> {
    let (record, invalid) = read_record(path, text)?;
    match invalid.into_iter().next() {
        Some(problem) => Err(problem.into()),
        None => Ok(record),
    }
}

/// Reads a record file: `Err` when there is no record to read (no front matter, bad
/// TOML), else the record and everything that keeps it out of the book.
pub fn read_record(path: &Path, text: &str) -> Result<(Record, Vec<InvalidRecord>), FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parse_err = |at: usize, message: String, hint: Option<String>| FileError::Parse {
        path: path.to_path_buf(),
        line: line_of(text, at),
        column: Some(column_of(text, at)),
        message,
        hint,
    };
    let rest = text
        .strip_prefix(FRONT)
        .and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
        .ok_or_else(|| {
            parse_err(
                0,
                format!("a record file starts with a `{FRONT}` line"),
                Some(format!("put the front matter between two `{FRONT}` lines")),
            )
        })?;
    let front_start = text.len() - rest.len();
    let end = rest.find(&format!("\n{FRONT}")).ok_or_else(|| {
        parse_err(
            0,
            format!("the front matter has no closing `{FRONT}` line"),
            Some(format!("end the front matter with a `{FRONT}` line")),
        )
    })?;
    let front = &rest[..=end];
    let mut record: Record = toml::from_str(front).map_err(|e| {
        let message = e.message().to_string();
        let hint = missing_field_hint(&message, path);
        match e.span() {
            // A missing field has no place of its own: point at the front matter.
            Some(span) if hint.is_none() => parse_err(front_start + span.start, message, None),
            _ => parse_err(front_start, message, hint),
        }
    })?;
    let body = rest[end + 1 + FRONT.len()..].trim_start_matches(['\r', '\n']);
    record.paragraphs = paragraphs(body);
    let problems = validate(path, &record);
    Ok((record, problems))
}

fn missing_field_hint(message: &str, path: &Path) -> Option<String> {
    let field = message.strip_prefix("missing field `")?.strip_suffix('`')?;
    Some(match field {
        "id" => format!("add `id = \"{}\"` to the front matter", file_stem(path)),
        "section" => "add `section = \"…\"`, the key of a [[section]] in booklet.toml".into(),
        other => format!("add `{other} = …` to the front matter"),
    })
}

/// The body's blocks, at blank lines. A block keeps its lines: Markdown reads a list
/// or a table from them, and joins a hand-wrapped paragraph's lines as `join` does.
fn paragraphs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in body.lines().map(str::trim_end) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
