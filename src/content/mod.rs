//! The project's `content/`: one file per record, the program and the book's facts.
//! Loads and validates them, and writes what ingest produced without ever
//! overwriting a file someone edited by hand.

pub mod dump;
pub mod schedule;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ingest::BookFacts;
use crate::model::text::join;
use crate::model::{Lang, Record, Section, id_number, id_prefix};

/// Where record files live, below the content directory.
pub const ABSTRACTS_DIR: &str = "abstracts";
/// Ingest's memory of what it wrote: path → SHA-256 of the bytes.
pub const STATE_FILE: &str = ".ingest-state.toml";
const FRONT: &str = "+++";

#[derive(Debug, Error)]
pub enum ContentError {
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
    /// The record parsed but cannot go into the book; `field` is the front-matter key
    /// or "paragraph N" the problem is in.
    #[error("{path}: record {id}: {message}{}", hint_suffix(hint))]
    Invalid {
        path: PathBuf,
        id: String,
        field: String,
        message: String,
        hint: Option<String>,
    },
}

fn column_suffix(column: Option<usize>) -> String {
    column.map(|c| format!(":{c}")).unwrap_or_default()
}

fn hint_suffix(hint: &Option<String>) -> String {
    hint.as_ref()
        .map(|h| format!("\n  hint: {h}"))
        .unwrap_or_default()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ContentError + '_ {
    move |source| ContentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `content/booklet.toml`: facts about the book itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booklet {
    /// The conference, as the source names it.
    pub conference: String,
    /// The book's own title (论文汇编).
    pub title: String,
    /// The language of the book's fixed strings, index and fonts: "zh" or "en".
    #[serde(default)]
    pub lang: Lang,
    /// Per-person pinyin for the speaker index where a surname's reading is disputed:
    /// full name → "zhai2 zhi4 min3".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub readings: BTreeMap<String, String>,
    /// Trim, bleed, marks, binding.
    #[serde(default)]
    pub print: crate::model::print::PrintProfile,
    /// The parts of the book in order. Where none are listed, each section key the
    /// records use is a part, titled with the key, in order of the first record.
    #[serde(rename = "section", default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

impl Booklet {
    /// The section `key` names, if the booklet lists it.
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }
}

/// `content/program.toml`: the sessions of the conference, for handouts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, from = "ProgramFile")]
pub struct Program {
    #[serde(rename = "session", default)]
    pub sessions: Vec<Session>,
}

/// program.toml as parsed, each session with where its table stands in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramFile {
    #[serde(rename = "session", default)]
    sessions: Vec<toml::Spanned<Session>>,
}

impl From<ProgramFile> for Program {
    fn from(file: ProgramFile) -> Program {
        let placed = |spanned: toml::Spanned<Session>| Session {
            span: Some(spanned.span()),
            ..spanned.into_inner()
        };
        Program {
            sessions: file.sessions.into_iter().map(placed).collect(),
        }
    }
}

/// A session of the programme. Its talks are `talks` (each with its own times) or
/// `records` (ids or ranges; the session's time is divided evenly among them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub id: String,
    pub title: String,
    /// "2026-11-24".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// "08:30".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// 主持人.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chairs: Vec<String>,
    /// Record ids or inclusive ranges "S-001..S-138".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub talks: Vec<Talk>,
    /// Where its table stands in program.toml (bytes, from its `[[session]]` line to
    /// its last value), for diagnostics.
    #[serde(skip)]
    pub span: Option<std::ops::Range<usize>>,
}

/// A talk with its own time slot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Talk {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// A loaded project: everything `build` needs from `content/`.
#[derive(Debug, Clone)]
pub struct Content {
    pub dir: PathBuf,
    pub booklet: Booklet,
    pub program: Program,
    /// In book order.
    pub records: Vec<Record>,
}

/// Loads `content/` (booklet.toml, program.toml, abstracts/*.md), failing on the
/// first problem; [`load_lenient`] collects them all.
pub fn load(dir: &Path) -> Result<Content, ContentError> {
    let mut loaded = load_lenient(dir)?;
    let first = loaded.problems.drain(..).next().or_else(|| {
        loaded
            .files
            .iter_mut()
            .find_map(|f| f.problems.drain(..).next())
    });
    match first {
        Some(problem) => Err(problem),
        None => Ok(loaded.content()),
    }
}

/// One record file as [`load_lenient`] found it.
#[derive(Debug)]
pub struct RecordFile {
    pub path: PathBuf,
    /// The file's text (empty if it could not be read).
    pub text: String,
    /// The record, if its front matter parsed (it may still have problems).
    pub record: Option<Record>,
    /// Everything wrong with the file, in file order; empty when it is fit to print.
    pub problems: Vec<ContentError>,
}

/// Everything under `content/`, however broken it is.
#[derive(Debug)]
pub struct Loaded {
    pub dir: PathBuf,
    /// Defaults where booklet.toml is missing or broken.
    pub booklet: Booklet,
    /// `None` where program.toml is missing or broken.
    pub program: Option<Program>,
    /// Record files, in book order of their file names.
    pub files: Vec<RecordFile>,
    /// Problems with booklet.toml and program.toml.
    pub problems: Vec<ContentError>,
}

impl Loaded {
    /// The records fit to print, in book order.
    pub fn content(&self) -> Content {
        let mut records: Vec<Record> = self.printable().cloned().collect();
        let booklet = Booklet {
            sections: self.sections(),
            ..self.booklet.clone()
        };
        sort_in_book_order(&mut records, &booklet.sections);
        Content {
            dir: self.dir.clone(),
            booklet,
            program: self.program.clone().unwrap_or_default(),
            records,
        }
    }

    /// The parts of the book: booklet.toml's, or those the printable records imply.
    pub fn sections(&self) -> Vec<Section> {
        match self.booklet.sections.is_empty() {
            true => implied_sections(self.printable()),
            false => self.booklet.sections.clone(),
        }
    }

    /// The records of the files without problems.
    fn printable(&self) -> impl Iterator<Item = &Record> {
        let fit = self.files.iter().filter(|f| f.problems.is_empty());
        fit.filter_map(|f| f.record.as_ref())
    }
}

/// Sorts records as the book prints them: by their section's place in `sections`,
/// then by id.
pub fn sort_in_book_order(records: &mut [Record], sections: &[Section]) {
    let rank = |r: &Record| sections.iter().position(|s| s.key == r.section);
    records.sort_by_cached_key(|r| (rank(r), book_order(&r.id)));
}

/// One section per key the records use, titled with the key, in order of the first
/// record (the files are in id order).
fn implied_sections<'a>(records: impl Iterator<Item = &'a Record>) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for r in records {
        if !sections.iter().any(|s| s.key == r.section) {
            sections.push(Section {
                key: r.section.clone(),
                title: r.section.clone(),
                prefix: None,
            });
        }
    }
    sections
}

/// Loads `content/` without stopping at a broken file: each file's problems are kept
/// with it. Fails only when the directory or its `abstracts/` cannot be listed.
pub fn load_lenient(dir: &Path) -> Result<Loaded, ContentError> {
    let abstracts = dir.join(ABSTRACTS_DIR);
    let entries = std::fs::read_dir(&abstracts).map_err(io(&abstracts))?;
    let mut problems = Vec::new();
    let booklet = read_toml(&dir.join("booklet.toml"))
        .map_err(|e| problems.push(e))
        .unwrap_or_default();
    let program = read_toml(&dir.join("program.toml"))
        .map_err(|e| problems.push(e))
        .ok();
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(io(&abstracts))?.path();
        if path.extension().is_some_and(|e| e == "md") {
            paths.push(path);
        }
    }
    paths.sort_by_cached_key(|p| book_order(&file_stem(p)));
    // Reading and parsing the files is most of a rebuild's load; they are independent.
    let mut files: Vec<RecordFile> = paths.into_par_iter().map(read_record_file).collect();
    for file in &mut files {
        unknown_section(&booklet, file);
    }
    Ok(Loaded {
        dir: dir.to_path_buf(),
        booklet,
        program,
        files,
        problems,
    })
}

/// A record whose section booklet.toml does not list cannot be placed in the book.
fn unknown_section(booklet: &Booklet, file: &mut RecordFile) {
    let Some(record) = &file.record else { return };
    if booklet.sections.is_empty() || booklet.section(&record.section).is_some() {
        return;
    }
    let keys: Vec<String> = booklet
        .sections
        .iter()
        .map(|s| format!("`{}`", s.key))
        .collect();
    file.problems.push(ContentError::Invalid {
        path: file.path.clone(),
        id: record.id.clone(),
        field: "section".into(),
        message: format!("section `{}` is not in booklet.toml", record.section),
        hint: Some(format!(
            "use one of {}, or add a [[section]] with key = \"{}\" to booklet.toml",
            keys.join(", "),
            record.section
        )),
    });
}

fn read_record_file(path: PathBuf) -> RecordFile {
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let problems = vec![io(&path)(e)];
            return RecordFile {
                path,
                text: String::new(),
                record: None,
                problems,
            };
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = String::from_utf8_lossy(valid);
            let problem = ContentError::Parse {
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
                record: None,
                problems: vec![problem],
            };
        }
    };
    let (record, problems) = match read_record(&path, &text) {
        Ok((record, problems)) => (Some(record), problems),
        Err(problem) => (None, vec![problem]),
    };
    RecordFile {
        path,
        text,
        record,
        problems,
    }
}

/// The file name without `.md`: the id a record file must have.
pub fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `dir/booklet.toml`, or `None` where there is none yet.
pub fn read_booklet(dir: &Path) -> Result<Option<Booklet>, ContentError> {
    let path = dir.join("booklet.toml");
    match path.exists() {
        true => read_toml(&path).map(Some),
        false => Ok(None),
    }
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ContentError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        ContentError::Parse {
            path: path.to_path_buf(),
            line: line_of(&text, at),
            column: e.span().map(|_| column_of(&text, at)),
            message: e.message().to_string(),
            hint: None,
        }
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// 1-based column, in characters, of a byte offset.
fn column_of(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[start..offset].chars().count() + 1
}

/// Sort key putting the ids of one section in book order: by prefix, then number
/// ("S-2" before "S-10"), then as written.
pub fn book_order(id: &str) -> (String, u32, String) {
    let prefix = id_prefix(id).unwrap_or(id).to_string();
    (prefix, id_number(id).unwrap_or(u32::MAX), id.to_string())
}

/// The file name of a record: `S-041.md`.
pub fn file_name(id: &str) -> String {
    format!("{id}.md")
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
pub fn parse_record(path: &Path, text: &str) -> Result<Record, ContentError> {
    let (record, problems) = read_record(path, text)?;
    match problems.into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(record),
    }
}

/// Reads a record file: `Err` when there is no record to read (no front matter, bad
/// TOML), else the record and everything that keeps it out of the book.
pub fn read_record(path: &Path, text: &str) -> Result<(Record, Vec<ContentError>), ContentError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parse_err = |at: usize, message: String, hint: Option<String>| ContentError::Parse {
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

fn paragraphs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in body.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            join(&mut current, line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// What a record must have for the book: an id that is its file name, a title, a
/// speaker (or presenting author), affiliations for the authors' numbers, and markup
/// that parses. Every problem, in field order. (That the section exists is checked
/// against booklet.toml when the project is loaded.)
fn validate(path: &Path, record: &Record) -> Vec<ContentError> {
    let mut problems = Vec::new();
    let mut invalid = |field: &str, message: String, hint: Option<String>| {
        problems.push(ContentError::Invalid {
            path: path.to_path_buf(),
            id: record.id.clone(),
            field: field.to_string(),
            message,
            hint,
        })
    };
    let stem = file_stem(path);
    if record.id != stem {
        invalid(
            "id",
            format!("the id does not match the file name `{stem}`"),
            Some(format!(
                "write `id = \"{stem}\"`, or rename the file to `{}`",
                file_name(&record.id)
            )),
        );
    }
    if record.title.trim().is_empty() {
        invalid("title", "the title is empty".into(), None);
    }
    if record.presenters().iter().all(|s| s.trim().is_empty()) {
        let (field, hint) = match record.authors.is_empty() {
            true => ("speakers", "list the speakers: `speakers = [\"王鸥\"]`"),
            false => (author_field(record), "mark who presents: `presenting = true`"),
        };
        invalid(field, "no speaker".into(), Some(hint.into()));
    }
    for (i, author, n) in record.misnumbered_affiliations() {
        invalid(
            &format!("authors[{i}]"),
            format!(
                "{} is given affiliation {n}, but the record lists {}",
                author.name,
                record.affiliations.len()
            ),
            Some("affiliations are numbered 1, 2, … in the order of `affiliations`".into()),
        );
    }
    for (field, text) in marked_fields(record) {
        if let Err(e) = crate::model::markup::parse(text) {
            invalid(&field, format!("{field}: {e}"), None);
        }
    }
    problems
}

/// The fields that may carry inline markup, named for messages.
pub fn marked_fields(record: &Record) -> impl Iterator<Item = (String, &str)> {
    let title = std::iter::once(("title".to_string(), record.title.as_str()));
    let title_en = record
        .title_en
        .iter()
        .map(|t| ("title_en".to_string(), t.as_str()));
    let keywords = indexed("keywords", record.keywords.iter().flatten());
    let paragraphs = record
        .paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("paragraph {}", i + 1), p.as_str()));
    title.chain(title_en).chain(keywords).chain(paragraphs)
}

/// Every text field of a record, named for messages: the markup fields, then
/// `speakers[i]` or `authors[i]` (as the file gives them) and `affiliations[i]`.
pub fn text_fields(record: &Record) -> impl Iterator<Item = (String, &str)> {
    let field = author_field(record);
    let authors = record.authors.iter().enumerate();
    marked_fields(record)
        .chain(authors.map(move |(i, a)| (format!("{field}[{i}]"), a.name.as_str())))
        .chain(indexed("affiliations", &record.affiliations))
}

/// The front-matter key a record's file gives its authors under.
pub fn author_field(record: &Record) -> &'static str {
    match record.short_form() {
        true => "speakers",
        false => "authors",
    }
}

/// The items of a list field, named `name[0]`, `name[1]` ….
fn indexed<'a>(
    name: &'static str,
    items: impl IntoIterator<Item = &'a String>,
) -> impl Iterator<Item = (String, &'a str)> {
    items
        .into_iter()
        .enumerate()
        .map(move |(i, item)| (format!("{name}[{i}]"), item.as_str()))
}

/// The files ingest would write for one source, path relative to `content/` → bytes.
pub fn ingest_files(
    records: &[Record],
    sections: &[Section],
    facts: &BookFacts,
) -> BTreeMap<String, String> {
    let mut files = record_files(records);
    let booklet = Booklet {
        conference: facts.conference.clone().unwrap_or_default(),
        title: facts.title.clone().unwrap_or_default(),
        sections: sections.to_vec(),
        ..Booklet::default()
    };
    files.insert(
        "booklet.toml".into(),
        toml::to_string(&booklet).unwrap_or_default(),
    );
    files.insert("program.toml".into(), program_file(records, sections));
    files
}

/// The sections of ingested records: where booklet.toml (`listed`) already has a
/// section of the same id prefix, its key and title win and the records take its key;
/// the other sections are added as ingest `found` them. Listed sections come first,
/// in their order.
pub fn adopt_sections(
    records: &mut [Record],
    found: &[Section],
    listed: &[Section],
) -> Vec<Section> {
    let mut sections = listed.to_vec();
    for section in found {
        let same = listed
            .iter()
            .find(|l| l.prefix.is_some() && l.prefix == section.prefix);
        match same {
            Some(l) => records
                .iter_mut()
                .filter(|r| r.section == section.key)
                .for_each(|r| r.section = l.key.clone()),
            None => sections.push(section.clone()),
        }
    }
    sections
}

/// One session per section, listing its records as a range.
fn program_file(records: &[Record], sections: &[Section]) -> String {
    let sessions = sections
        .iter()
        .filter_map(|section| {
            let ids: Vec<&str> = records
                .iter()
                .filter(|r| r.section == section.key)
                .map(|r| r.id.as_str())
                .collect();
            let range = match ids.as_slice() {
                [] => return None,
                [one] => one.to_string(),
                [first, .., last] => format!("{first}..{last}"),
            };
            Some(Session {
                id: section.key.clone(),
                title: section.title.clone(),
                records: vec![range],
                ..Session::default()
            })
        })
        .collect();
    toml::to_string(&Program { sessions }).unwrap_or_default()
}

/// The record files of `records`, path relative to `content/` → text.
pub fn record_files(records: &[Record]) -> BTreeMap<String, String> {
    records
        .iter()
        .map(|r| {
            (
                format!("{ABSTRACTS_DIR}/{}", file_name(&r.id)),
                render_record(r),
            )
        })
        .collect()
}

/// What happened to each file on a write.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Files that did not exist.
    pub new: Vec<String>,
    /// Files that existed and changed.
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    /// Edited by hand since ingest wrote them: left as they are.
    pub kept: Vec<String>,
    /// On disk but no longer produced by the source: left as they are.
    pub orphans: Vec<String>,
}

/// Writes `files` under `dir`: new files and files unchanged since ingest wrote them
/// are (re)written; a file whose bytes differ from what ingest last wrote was edited by
/// hand and is kept unless `force`. Identical content is never rewritten.
pub fn write_files(
    dir: &Path,
    files: &BTreeMap<String, String>,
    force: bool,
) -> Result<WriteReport, ContentError> {
    let state_path = dir.join(STATE_FILE);
    let old_state: BTreeMap<String, String> = match std::fs::read_to_string(&state_path) {
        Ok(_) => read_toml(&state_path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
        Err(e) => return Err(io(&state_path)(e)),
    };
    let mut state = BTreeMap::new();
    let mut report = WriteReport::default();
    for (rel, text) in files {
        let path = dir.join(rel);
        let new_hash = crate::files::sha256_hex(text.as_bytes());
        match std::fs::read(&path) {
            Ok(bytes) if bytes == text.as_bytes() => report.unchanged.push(rel.clone()),
            Ok(bytes)
                if !force && old_state.get(rel) != Some(&crate::files::sha256_hex(&bytes)) =>
            {
                report.kept.push(rel.clone());
                state.insert(rel.clone(), old_state.get(rel).cloned().unwrap_or_default());
                continue;
            }
            Ok(_) => write(&path, text, &mut report.written, rel)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write(&path, text, &mut report.new, rel)?
            }
            Err(e) => return Err(io(&path)(e)),
        }
        state.insert(rel.clone(), new_hash);
    }
    report.orphans = orphans(dir, files)?;
    let state_text = toml::to_string(&state).unwrap_or_default();
    if std::fs::read_to_string(&state_path).ok().as_deref() != Some(state_text.as_str()) {
        crate::files::write_atomic(&state_path, state_text.as_bytes())?;
    }
    Ok(report)
}

fn write(
    path: &Path,
    text: &str,
    written: &mut Vec<String>,
    rel: &str,
) -> Result<(), ContentError> {
    crate::files::write_atomic(path, text.as_bytes())?;
    written.push(rel.to_string());
    Ok(())
}

fn orphans(dir: &Path, files: &BTreeMap<String, String>) -> Result<Vec<String>, ContentError> {
    let abstracts = dir.join(ABSTRACTS_DIR);
    let Ok(entries) = std::fs::read_dir(&abstracts) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries {
        let name = entry
            .map_err(io(&abstracts))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        let rel = format!("{ABSTRACTS_DIR}/{name}");
        if name.ends_with(".md") && !files.contains_key(&rel) {
            out.push(rel);
        }
    }
    out.sort();
    Ok(out)
}

/// Expands a session's entries ("S-001..S-003", "C-1") into ids, in order.
pub fn expand(entries: &[String], known: &[Record]) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for entry in entries {
        match entry.split_once("..") {
            Some((from, to)) => {
                let start = known
                    .iter()
                    .position(|r| r.id == from.trim())
                    .ok_or_else(|| format!("unknown id `{}`", from.trim()))?;
                let end = known
                    .iter()
                    .position(|r| r.id == to.trim())
                    .ok_or_else(|| format!("unknown id `{}`", to.trim()))?;
                if end < start {
                    return Err(format!("range `{entry}` runs backwards"));
                }
                ids.extend(known[start..=end].iter().map(|r| r.id.clone()));
            }
            None => {
                let id = entry.trim();
                known
                    .iter()
                    .find(|r| r.id == id)
                    .ok_or_else(|| format!("unknown id `{id}`"))?;
                ids.push(id.to_string());
            }
        }
    }
    Ok(ids)
}
