//! Reading `content/` into a project: strictly ([`load`]) or keeping every file's
//! problems with it ([`load_lenient`]), and the book order of records.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::error::{FileError, InvalidRecord, LoadError, io};
use super::parts::{
    PageFile, Part, check_cover_files, check_part_list, default_parts, read_part_files,
};
use super::record_file::{RecordFile, read_record_file};
use super::schema::{ABSTRACTS_DIR, Booklet, Program, file_stem};
use crate::model::text::{column_of, line_of};
use crate::model::{Record, Section, id_number, id_prefix};

/// A loaded project: everything `build` needs from `content/`.
#[derive(Debug, Clone)]
pub struct Content {
    pub dir: PathBuf,
    pub booklet: Booklet,
    pub program: Program,
    /// In book order.
    pub records: Vec<Record>,
    /// The own pages written in Markdown that the parts name.
    pub pages: Vec<PageFile>,
}

impl Content {
    /// The parts of the book in order: booklet.toml's, or the default ones.
    pub fn parts(&self) -> Vec<Part> {
        match self.booklet.parts.is_empty() {
            true => default_parts(),
            false => self
                .booklet
                .parts
                .iter()
                .map(|p| p.get_ref().clone())
                .collect(),
        }
    }
}

/// Loads `content/` (booklet.toml, program.toml, abstracts/*.md), failing on the
/// first problem; [`load_lenient`] collects them all.
pub fn load(dir: &Path) -> Result<Content, LoadError> {
    let loaded = load_lenient(dir)?;
    let content = loaded.content();
    let in_files = loaded.files.into_iter().flat_map(|f| {
        let unreadable = f.record.err().map(LoadError::from);
        unreadable
            .into_iter()
            .chain(f.invalid.into_iter().map(LoadError::from))
    });
    match loaded
        .problems
        .into_iter()
        .map(LoadError::from)
        .chain(in_files)
        .next()
    {
        Some(problem) => Err(problem),
        None => Ok(content),
    }
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
    /// The own pages in Markdown the parts name.
    pub pages: Vec<PageFile>,
    /// Problems with booklet.toml and program.toml.
    pub problems: Vec<FileError>,
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
            pages: self.pages.clone(),
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
        let fit = self.files.iter().filter(|f| f.is_fit());
        fit.filter_map(|f| f.record.as_ref().ok())
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
pub fn load_lenient(dir: &Path) -> Result<Loaded, FileError> {
    let abstracts = dir.join(ABSTRACTS_DIR);
    let entries = std::fs::read_dir(&abstracts).map_err(io(&abstracts))?;
    let mut problems = Vec::new();
    let booklet: Booklet = read_toml(&dir.join("booklet.toml"))
        .map_err(|e| problems.push(e))
        .unwrap_or_default();
    let booklet_text = std::fs::read_to_string(dir.join("booklet.toml")).unwrap_or_default();
    let (pages, missing) = read_part_files(dir, &booklet.parts, &booklet_text);
    problems.extend(missing);
    let keys: Vec<String> = booklet.sections.iter().map(|s| s.key.clone()).collect();
    problems.extend(check_part_list(dir, &booklet.parts, &keys, &booklet_text));
    if let Some(cover) = &booklet.cover {
        problems.extend(check_cover_files(dir, cover, &booklet_text));
    }
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
        pages,
        problems,
    })
}

/// `dir/booklet.toml`, or `None` where there is none yet.
pub fn read_booklet(dir: &Path) -> Result<Option<Booklet>, FileError> {
    let path = dir.join("booklet.toml");
    match path.exists() {
        true => read_toml(&path).map(Some),
        false => Ok(None),
    }
}

pub(super) fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, FileError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        FileError::Parse {
            path: path.to_path_buf(),
            line: line_of(&text, at),
            column: e.span().map(|_| column_of(&text, at)),
            message: e.message().to_string(),
            hint: None,
        }
    })
}

/// Sort key putting the ids of one section in book order: by prefix, then number
/// ("S-2" before "S-10"), then as written.
pub fn book_order(id: &str) -> (String, u32, String) {
    let prefix = id_prefix(id).unwrap_or(id).to_string();
    (prefix, id_number(id).unwrap_or(u32::MAX), id.to_string())
}

/// A record whose section booklet.toml does not list cannot be placed in the book.
fn unknown_section(booklet: &Booklet, file: &mut RecordFile) {
    let Ok(record) = &file.record else { return };
    if booklet.sections.is_empty() || booklet.section(&record.section).is_some() {
        return;
    }
    let keys: Vec<String> = booklet
        .sections
        .iter()
        .map(|s| format!("`{}`", s.key))
        .collect();
    file.invalid.push(InvalidRecord {
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
