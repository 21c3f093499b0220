//! The project's `content/`: one file per record, the program and the book's facts.
//! Loads and validates them, and writes what ingest produced without ever
//! overwriting a file someone edited by hand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::ingest::{BookFacts, text::join};
use crate::model::{Record, Section};

/// Where record files live, below the content directory.
pub const ABSTRACTS_DIR: &str = "abstracts";
/// Ingest's memory of what it wrote: path → SHA-256 of the bytes.
pub const STATE_FILE: &str = ".ingest-state.toml";
const FRONT: &str = "+++";

#[derive(Debug, Error)]
pub enum ContentError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: record {id}: {message}")]
    Invalid {
        path: PathBuf,
        id: String,
        message: String,
    },
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
    /// Per-person pinyin for the speaker index where a surname's reading is disputed:
    /// full name → "zhai2 zhi4 min3".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub readings: BTreeMap<String, String>,
    /// Trim, bleed, marks, binding.
    #[serde(default)]
    pub print: crate::print::PrintProfile,
}

/// `content/program.toml`: the sessions of the conference, for handouts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    #[serde(rename = "session", default)]
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub id: String,
    pub title: String,
    /// Record ids or inclusive ranges "S-001..S-138".
    pub records: Vec<String>,
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

/// Loads `content/` (booklet.toml, program.toml, abstracts/*.md).
pub fn load(dir: &Path) -> Result<Content, ContentError> {
    let booklet = read_toml(&dir.join("booklet.toml"))?;
    let program = read_toml(&dir.join("program.toml"))?;
    let abstracts = dir.join(ABSTRACTS_DIR);
    let mut records = Vec::new();
    let entries = std::fs::read_dir(&abstracts).map_err(io(&abstracts))?;
    for entry in entries {
        let path = entry.map_err(io(&abstracts))?.path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            records.push(parse_record(&path, &text)?);
        }
    }
    records.sort_by_key(|r| book_order(&r.id));
    Ok(Content {
        dir: dir.to_path_buf(),
        booklet,
        program,
        records,
    })
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ContentError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    toml::from_str(&text).map_err(|e| ContentError::Parse {
        path: path.to_path_buf(),
        line: e.span().map_or(0, |s| line_of(&text, s.start)),
        message: e.message().to_string(),
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Sort key putting ids in book order: section, then number.
pub fn book_order(id: &str) -> (Option<Section>, u32, String) {
    let number = id
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX);
    (Section::of_id(id), number, id.to_string())
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
pub fn parse_record(path: &Path, text: &str) -> Result<Record, ContentError> {
    let parse_err = |line: usize, message: String| ContentError::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    let rest = text
        .strip_prefix(FRONT)
        .and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
        .ok_or_else(|| parse_err(1, format!("a record file starts with a `{FRONT}` line")))?;
    let end = rest
        .find(&format!("\n{FRONT}"))
        .ok_or_else(|| parse_err(1, format!("the front matter has no closing `{FRONT}` line")))?;
    let front = &rest[..=end];
    let mut record: Record = toml::from_str(front).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(front, s.start) + 1);
        parse_err(line, e.message().to_string())
    })?;
    let body = rest[end + 1 + FRONT.len()..].trim_start_matches(['\r', '\n']);
    record.paragraphs = paragraphs(body);
    validate(path, &record)?;
    Ok(record)
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

/// What a record must have for the book: an id that is its file name and matches its
/// section, a title, a speaker, and markup that parses.
fn validate(path: &Path, record: &Record) -> Result<(), ContentError> {
    let invalid = |message: String| ContentError::Invalid {
        path: path.to_path_buf(),
        id: record.id.clone(),
        message,
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if record.id != stem {
        return Err(invalid(format!(
            "the id does not match the file name `{stem}`"
        )));
    }
    if Section::of_id(&record.id) != Some(record.section) {
        return Err(invalid(
            format!("the id does not belong to section `{:?}`", record.section).to_lowercase(),
        ));
    }
    if record.title.trim().is_empty() {
        return Err(invalid("the title is empty".into()));
    }
    if record.speakers.iter().all(|s| s.trim().is_empty()) {
        return Err(invalid("no speaker".into()));
    }
    for (field, text) in marked_fields(record) {
        crate::markup::parse(text).map_err(|e| invalid(format!("{field}: {e}")))?;
    }
    Ok(())
}

/// The fields that may carry inline markup, named for messages.
pub fn marked_fields(record: &Record) -> impl Iterator<Item = (String, &str)> {
    let title = std::iter::once(("title".to_string(), record.title.as_str()));
    let title_en = record
        .title_en
        .iter()
        .map(|t| ("title_en".to_string(), t.as_str()));
    let keywords = record
        .keywords
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, k)| (format!("keywords[{i}]"), k.as_str()));
    let paragraphs = record
        .paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("paragraph {}", i + 1), p.as_str()));
    title.chain(title_en).chain(keywords).chain(paragraphs)
}

/// The files ingest would write for one source, path relative to `content/` → bytes.
pub fn ingest_files(records: &[Record], facts: &BookFacts) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for record in records {
        files.insert(
            format!("{ABSTRACTS_DIR}/{}", file_name(&record.id)),
            render_record(record),
        );
    }
    let booklet = Booklet {
        conference: facts.conference.clone().unwrap_or_default(),
        title: facts.title.clone().unwrap_or_default(),
        readings: BTreeMap::new(),
        print: Default::default(),
    };
    files.insert(
        "booklet.toml".into(),
        toml::to_string(&booklet).unwrap_or_default(),
    );
    files.insert("program.toml".into(), program_file(records));
    files
}

/// One session per section, listing its records as a range.
fn program_file(records: &[Record]) -> String {
    let sessions = Section::ALL
        .iter()
        .filter_map(|&section| {
            let ids: Vec<&str> = records
                .iter()
                .filter(|r| r.section == section)
                .map(|r| r.id.as_str())
                .collect();
            let range = match ids.as_slice() {
                [] => return None,
                [one] => one.to_string(),
                [first, .., last] => format!("{first}..{last}"),
            };
            Some(Session {
                id: format!("{section:?}").to_lowercase(),
                title: section.title().into(),
                records: vec![range],
            })
        })
        .collect();
    toml::to_string(&Program { sessions }).unwrap_or_default()
}

/// What happened to each file on a write.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
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
        let new_hash = hash(text.as_bytes());
        match std::fs::read(&path) {
            Ok(bytes) if bytes == text.as_bytes() => report.unchanged.push(rel.clone()),
            Ok(bytes) if !force && old_state.get(rel) != Some(&hash(&bytes)) => {
                report.kept.push(rel.clone());
                state.insert(rel.clone(), old_state.get(rel).cloned().unwrap_or_default());
                continue;
            }
            Ok(_) => write(&path, text, &mut report.written, rel)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write(&path, text, &mut report.written, rel)?
            }
            Err(e) => return Err(io(&path)(e)),
        }
        state.insert(rel.clone(), new_hash);
    }
    report.orphans = orphans(dir, files)?;
    let state_text = toml::to_string(&state).unwrap_or_default();
    if std::fs::read_to_string(&state_path).ok().as_deref() != Some(state_text.as_str()) {
        std::fs::write(&state_path, state_text).map_err(io(&state_path))?;
    }
    Ok(report)
}

fn write(
    path: &Path,
    text: &str,
    written: &mut Vec<String>,
    rel: &str,
) -> Result<(), ContentError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::write(path, text).map_err(io(path))?;
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

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
