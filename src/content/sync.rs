//! Writing generated files into `content/` without clobbering hand edits: ingest
//! remembers the hash of each file it wrote (`.ingest-state.toml`), and a file whose
//! bytes no longer match was edited and is kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::{FileError, io};
use super::load::read_toml;
use super::schema::ABSTRACTS_DIR;

/// Ingest's memory of what it wrote: path → SHA-256 of the bytes.
pub const STATE_FILE: &str = ".ingest-state.toml";

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
) -> Result<WriteReport, FileError> {
    let state_path = dir.join(STATE_FILE);
    let old_state: BTreeMap<String, String> = match std::fs::read_to_string(&state_path) {
        Ok(_) => read_toml(&state_path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
        Err(e) => return Err(io(&state_path)(e)),
    };
    let mut state = BTreeMap::new();
    let mut report = WriteReport::default();
    // (file, text, whether it is new): what is to be written.
    let mut changes: Vec<(&String, &String, bool)> = Vec::new();
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
            Ok(_) => changes.push((rel, text, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => changes.push((rel, text, true)),
            // A folder in a record's place, say: an error before anything is written.
            Err(e) => return Err(io(&path)(e)),
        }
        state.insert(rel.clone(), new_hash);
    }
    // Every file is written in full beside its place before any takes it, the state
    // last: a failure (a name too long, a full disk) leaves none of them written, and
    // the edits and the state of what was imported as they were.
    let state_text = toml::to_string(&state).unwrap_or_default();
    let mut writes: Vec<(PathBuf, &[u8])> = changes
        .iter()
        .map(|(rel, text, _)| (dir.join(rel), text.as_bytes()))
        .collect();
    if std::fs::read_to_string(&state_path).ok().as_deref() != Some(state_text.as_str()) {
        writes.push((state_path.clone(), state_text.as_bytes()));
    }
    crate::files::stage_all(writes.iter().map(|(path, bytes)| (path.as_path(), *bytes)))?
        .commit()?;
    for (rel, _, new) in changes {
        match new {
            true => report.new.push(rel.clone()),
            false => report.written.push(rel.clone()),
        }
    }
    report.orphans = orphans(dir, files)?;
    Ok(report)
}

fn orphans(dir: &Path, files: &BTreeMap<String, String>) -> Result<Vec<String>, FileError> {
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
