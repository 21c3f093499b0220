//! `check`: every problem of a project at once, without writing anything — record
//! files that do not parse, ids, sessions, characters no font has, layouts that do
//! not compile, and leftovers of extraction — as diagnostics in the style of rustc.
//!
//! [`check_content`] reads `content/` only; the whole check
//! (`output::build::Builder::check`) also typesets, and turns layout errors into
//! diagnostics with Typst's own spans through [`from_typst`]. `build` runs
//! [`load_checked`] (the content checks) first and refuses to write on an error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use thiserror::Error;
use typst::World;
use typst::WorldExt;
use typst::diag::SourceDiagnostic;
use typst::syntax::Lines;
use typst_kit::diagnostics::DiagnosticWorld;

mod diagnostic;
mod lang;
mod lint;
mod overlap;
mod place;
mod readings;
mod timetable;

pub use diagnostic::{Diagnostic, Severity, human, summary};
pub use lang::unknown_lang;
pub use lint::{RecordWarning, record_lint};
pub use overlap::Corpus;
use place::locate;

use crate::content::parts::{Part, insert_warnings};
use crate::content::{self, Booklet, Content, FileError, InvalidRecord, Loaded, RecordFile};
use crate::model::print::Print;
use crate::model::text::{column_of, find_url, line_of, split_label};
use crate::model::{Author, Record, is_han};
use crate::typeset::book;
use crate::typeset::fonts::FontSet;
use crate::typeset::world::BookWorld;

/// `build` found errors in the content or the layouts and wrote nothing; `errors` may
/// also hold the warnings that explain them.
#[derive(Debug, Error)]
#[error("{}: nothing was written\n\n{}", summary(.errors), human(.errors))]
pub struct Refused {
    pub errors: Vec<Diagnostic>,
}

/// Why [`load_checked`] gives no content to typeset.
#[derive(Debug, Error)]
pub enum Unfit {
    /// `content/` cannot be read at all.
    #[error(transparent)]
    Unreadable(#[from] FileError),
    #[error(transparent)]
    Refused(#[from] Refused),
}

/// The content checks and what is fit to print.
#[derive(Debug)]
pub struct Checked {
    /// The records without errors, in book order.
    pub content: Content,
    pub diagnostics: Vec<Diagnostic>,
}

/// What `build` runs before typesetting: the content checks that can find errors,
/// without the font check (typesetting does that one itself) and without those that
/// only warn (the title/body comparison alone was 4.5 ms of every rebuild; `check`
/// shows warnings, `build` does not). Errors refuse the build.
pub fn load_checked(dir: &Path) -> Result<Content, Unfit> {
    let checked = run_checks(dir, None, Findings::Errors)?;
    let errors: Vec<Diagnostic> = checked
        .diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    match errors.is_empty() {
        true => Ok(checked.content),
        false => Err(Unfit::Refused(Refused { errors })),
    }
}

/// What a run of the checks looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Findings {
    /// Only what refuses a build: the checks that can only warn are not run.
    Errors,
    All,
}

/// Every check that needs no typesetting; with `fonts`, also that each character can
/// be printed.
pub fn check_content(dir: &Path, fonts: Option<&FontSet>) -> Result<Checked, FileError> {
    run_checks(dir, fonts, Findings::All)
}

fn run_checks(
    dir: &Path,
    fonts: Option<&FontSet>,
    findings: Findings,
) -> Result<Checked, FileError> {
    let warnings = findings == Findings::All;
    let loaded = content::load_lenient(dir)?;
    let mut out: Vec<Diagnostic> = loaded
        .problems
        .iter()
        .map(|p| from_file_error(p, None))
        .collect();
    // What is common in this book, to judge whether a body fits its title.
    let corpus =
        warnings.then(|| Corpus::new(loaded.files.iter().filter_map(|f| f.record.as_ref().ok())));
    for file in &loaded.files {
        if let Err(e) = &file.record {
            out.push(from_file_error(e, Some(file)));
        }
        out.extend(file.invalid.iter().map(|p| from_invalid(p, file)));
        if let Ok(record) = &file.record {
            if let Some(fonts) = fonts {
                coverage(file, record, fonts, &mut out);
            }
            if let Some(corpus) = &corpus {
                record_warnings(file, record, corpus, &mut out);
                section_prefix(&loaded.booklet, file, record, &mut out);
            }
        }
    }
    if warnings {
        unlisted_sections(&loaded, &mut out);
    }
    section_keys(&loaded, &mut out);
    lang::check(&loaded, &mut out);
    duplicates(&loaded, &mut out);
    timetable::check(&loaded, &mut out);
    if warnings {
        speaker_spellings(&loaded, &mut out);
        readings::missing(&loaded, &mut out);
        artwork_warnings(&loaded, &mut out);
    }

    let broken: BTreeSet<&Path> = out
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.path.as_path())
        .collect();
    let mut content = loaded.content();
    let fit: BTreeSet<&str> = loaded
        .files
        .iter()
        .filter(|f| !broken.contains(f.path.as_path()))
        .filter_map(|f| f.record.as_ref().ok().map(|r| r.id.as_str()))
        .collect();
    content.records.retain(|r| fit.contains(r.id.as_str()));
    Ok(Checked {
        content,
        diagnostics: out,
    })
}

fn from_file_error(error: &FileError, file: Option<&RecordFile>) -> Diagnostic {
    let stem = file.map(|f| content::file_stem(&f.path));
    match error {
        // Loading writes nothing; a write error can only come from ingest.
        FileError::Write(e) => Diagnostic::error(&e.path, e.to_string()),
        FileError::Io { path, source } => {
            let d = Diagnostic::error(path, format!("cannot read the file ({source})"));
            match stem {
                Some(id) => d.record(id),
                None => d,
            }
        }
        FileError::Parse {
            path,
            line,
            column,
            message,
            hint,
        } => {
            // toml puts its expectation on a line of its own; diagnostics are one line.
            let message = message
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(": ");
            let mut d = Diagnostic::error(path, message).at((Some(*line), *column));
            d.hint = hint.clone();
            match stem {
                Some(id) => d.record(id),
                None => d,
            }
        }
    }
}

fn from_invalid(invalid: &InvalidRecord, file: &RecordFile) -> Diagnostic {
    let place = locate(&file.text, &invalid.field, None);
    let mut d = Diagnostic::error(&invalid.path, invalid.message.clone())
        .at(place)
        .record(invalid.id.clone());
    d.hint = invalid.hint.clone();
    d
}

/// Each character no loaded font has, once per field.
fn coverage(file: &RecordFile, record: &Record, fonts: &FontSet, out: &mut Vec<Diagnostic>) {
    for (field, ch) in book::uncovered(record, fonts) {
        let code = ch as u32;
        out.push(
            Diagnostic::error(
                &file.path,
                format!("{field}: no font in fonts/ has the character `{ch}` (U+{code:04X})"),
            )
            .at(locate(&file.text, &field, Some(&ch.to_string())))
            .record(&record.id)
            .hint("replace it, or add a font that covers it to fonts/ (or name its folder in booklet.toml's [fonts] dirs: Korean, Japanese and traditional Chinese are in Debian's fonts-noto-cjk)"),
        );
    }
}

/// Leftovers of extraction and other things a person should look at.
/// An id without the prefix of its section's ids: a record filed in the wrong
/// section, or an id mistyped.
fn section_prefix(
    booklet: &Booklet,
    file: &RecordFile,
    record: &Record,
    out: &mut Vec<Diagnostic>,
) {
    let Some(section) = booklet.section(&record.section) else {
        return;
    };
    if let Some(prefix) = section
        .prefix
        .as_deref()
        .filter(|_| !section.owns_id(&record.id))
    {
        let owner = booklet
            .sections
            .iter()
            .find(|s| s.owns_id(&record.id) && s.prefix.is_some());
        let hint = match owner {
            Some(o) => format!("is it `section = \"{}\"`? Or rename it `{prefix}-…`", o.key),
            None => format!("rename it `{prefix}-…`, or move it to its section"),
        };
        out.push(
            Diagnostic::warning(
                &file.path,
                format!(
                    "record {} is in section `{}`, whose ids start with `{prefix}-`",
                    record.id, record.section
                ),
            )
            .at(locate(&file.text, "section", None))
            .record(&record.id)
            .hint(&hint),
        );
    }
}

/// A section key listed twice: its records would be set twice, under both headings.
/// Placed by the TOML parser's span of the second `key`.
fn section_keys(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    #[derive(serde::Deserialize)]
    struct Keys {
        #[serde(rename = "section", default)]
        sections: Vec<Key>,
    }
    #[derive(serde::Deserialize)]
    struct Key {
        key: toml::Spanned<String>,
    }
    let path = loaded.dir.join("booklet.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let Ok(Keys { sections }) = toml::from_str::<Keys>(&text) else {
        return; // its parse error is reported already
    };
    for (i, section) in sections.iter().enumerate() {
        let key = section.key.get_ref();
        if sections[..i].iter().any(|s| s.key.get_ref() == key) {
            let at = section.key.span().start;
            out.push(
                Diagnostic::error(&path, format!("the section key `{key}` is there twice"))
                    .at((Some(line_of(&text, at)), Some(column_of(&text, at))))
                    .hint("give each [[section]] its own key"),
            );
        }
    }
}

/// Without `[[section]]` in booklet.toml the book still builds, titled with the keys.
/// What a printer would query about the inserts' artwork, at each `[[part]]`.
fn artwork_warnings(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let path = loaded.dir.join("booklet.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let Ok(print) = Print::resolve(&loaded.booklet.print, &Default::default()) else {
        return;
    };
    for part in &loaded.booklet.parts {
        let Part::Insert(insert) = part.get_ref() else {
            continue;
        };
        let at = part.span().start;
        for warning in insert_warnings(&loaded.dir, insert, &print) {
            out.push(
                Diagnostic::warning(&path, warning)
                    .at((Some(line_of(&text, at)), Some(column_of(&text, at)))),
            );
        }
    }
}

fn unlisted_sections(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    if loaded.booklet.sections.is_empty() && !loaded.files.is_empty() {
        out.push(
            Diagnostic::warning(
                &loaded.dir.join("booklet.toml"),
                "no [[section]]: each section key of the records is a part of the book, titled with the key".to_string(),
            )
            .hint("list the sections in book order: [[section]] key = \"…\" title = \"…\" prefix = \"…\""),
        );
    }
}

fn record_warnings(file: &RecordFile, record: &Record, corpus: &Corpus, out: &mut Vec<Diagnostic>) {
    let warn = |field: &str, needle: Option<&str>, message: String, hint: &str| {
        Diagnostic::warning(&file.path, message)
            .at(locate(&file.text, field, needle))
            .record(&record.id)
            .hint(hint)
    };
    if record.authors.is_empty() {
        let field = ["speakers", "authors"]
            .into_iter()
            .find(|f| locate(&file.text, f, None).0.is_some())
            .unwrap_or("id");
        out.push(warn(
            field,
            None,
            "no authors: the book prints the title and abstract without names, the programme no presenter".into(),
            "add `speakers = [\"…\"]` or [[authors]] when they are known",
        ));
    }
    let titles = std::iter::once(("title", record.title.as_str()))
        .chain(record.title_en.as_deref().map(|t| ("title_en", t)));
    for (field, title) in titles {
        if let Some(url) = find_url(title).map(|at| &title[at]) {
            out.push(warn(
                field,
                Some(url),
                format!("{field}: a URL (`{url}`), left over from extraction"),
                "remove it: a title prints as written",
            ));
        }
    }
    for (field, text) in content::text_fields(record) {
        if text.contains("  ") {
            out.push(warn(
                &field,
                Some("  "),
                format!("{field}: a doubled space"),
                "write one space",
            ));
        }
        // A paragraph's lines (a list's items, a table's rows) are Markdown's.
        let line_break = |c: &char| *c == '\n' && field.starts_with("paragraph");
        if let Some(c) = text.chars().find(|c| c.is_control() && !line_break(c)) {
            out.push(warn(
                &field,
                None,
                format!("{field}: a control character (U+{:04X})", c as u32),
                "remove it: it does not print",
            ));
        }
        if let Some(snippet) = latin_between_han(text) {
            out.push(warn(
                &field,
                Some(&snippet),
                format!(
                    "{field}: a Latin `{}` between Han characters (`{snippet}`)",
                    {
                        snippet
                            .chars()
                            .find(|c| matches!(c, ',' | '(' | ')'))
                            .unwrap_or(',')
                    }
                ),
                "use the full-width form (，（）) in Chinese text",
            ));
        }
    }
    for (i, paragraph) in record.paragraphs.iter().enumerate() {
        if is_empty_paragraph(paragraph) {
            let field = format!("paragraph {}", i + 1);
            out.push(warn(
                &field,
                None,
                format!("{field} is empty (`{paragraph}`)"),
                "remove it, or write what belongs there",
            ));
        }
    }
    for w in record_lint(record, corpus) {
        out.push(warn(w.field, None, w.message.into(), w.hint));
    }
}

/// The first ASCII `,` `(` or `)` with a Han character on each side (spaces between
/// are allowed), as the snippet from one Han character to the other.
fn latin_between_han(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    // Nearest non-space character before each position, found in one pass.
    let mut before = Vec::with_capacity(chars.len());
    let mut last: Option<usize> = None;
    for (i, &c) in chars.iter().enumerate() {
        before.push(last);
        if c != ' ' {
            last = Some(i);
        }
    }
    let mut after: Option<usize> = None;
    let mut found = None;
    for i in (0..chars.len()).rev() {
        let c = chars[i];
        if matches!(c, ',' | '(' | ')')
            && let (Some(a), Some(b)) = (before[i], after)
            && is_han(chars[a])
            && is_han(chars[b])
        {
            found = Some(chars[a..=b].iter().collect());
        }
        if c != ' ' {
            after = Some(i);
        }
    }
    found
}

/// A paragraph with nothing to read: no letter, digit or Han once a label
/// ("目的：") is taken off.
fn is_empty_paragraph(paragraph: &str) -> bool {
    let (_, text) = split_label(paragraph);
    !text.chars().any(char::is_alphanumeric)
}

/// An id claimed by more than one file, or by two that differ only in case (one file
/// on macOS and Windows): reported on the files not named after the first's id.
fn duplicates(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let mut by_id: BTreeMap<String, Vec<(&str, &RecordFile)>> = BTreeMap::new();
    for file in &loaded.files {
        if let Ok(record) = &file.record {
            let key = record.id.to_lowercase();
            by_id
                .entry(key)
                .or_default()
                .push((record.id.as_str(), file));
        }
    }
    for files in by_id.values().filter(|f| f.len() > 1) {
        let owner = files
            .iter()
            .position(|(id, f)| content::file_stem(&f.path) == *id)
            .unwrap_or(0);
        let first = files[owner].0;
        for (i, (id, file)) in files.iter().enumerate().filter(|(i, _)| *i != owner) {
            let others: Vec<String> = files
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, (_, f))| f.path.display().to_string())
                .collect();
            let message = match *id == first {
                true => format!(
                    "the id `{id}` appears twice (also in {})",
                    others.join(", ")
                ),
                false => format!(
                    "the id `{id}` is `{first}` but for its case (in {}): on macOS and Windows the two are one file",
                    others.join(", ")
                ),
            };
            out.push(
                Diagnostic::error(&file.path, message)
                    .at(locate(&file.text, "id", None))
                    .record(*id)
                    .hint("each record has its own id, the same as its file name"),
            );
        }
    }
}

/// A speaker written two ways: equal once spaces and middle dots are removed.
fn speaker_spellings(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let key = |name: &str| -> String {
        name.chars()
            .filter(|c| !c.is_whitespace() && !MIDDLE_DOTS.contains(c))
            .collect()
    };
    // key → spelling → files using it, in book order.
    let mut spellings: BTreeMap<String, BTreeMap<&str, Vec<&RecordFile>>> = BTreeMap::new();
    for file in &loaded.files {
        let Ok(record) = &file.record else { continue };
        for Author { name, .. } in &record.authors {
            let users = spellings
                .entry(key(name))
                .or_default()
                .entry(name.as_str())
                .or_default();
            if !users.iter().any(|f| f.path == file.path) {
                users.push(file);
            }
        }
    }
    for forms in spellings.values().filter(|f| f.len() > 1) {
        // The usual spelling: most records, then first in book order.
        let first_use =
            |files: &Vec<&RecordFile>| loaded.files.iter().position(|f| f.path == files[0].path);
        let Some((usual, _)) = forms
            .iter()
            .min_by_key(|(_, files)| (std::cmp::Reverse(files.len()), first_use(files)))
        else {
            continue;
        };
        let ids = |files: &Vec<&RecordFile>| {
            files
                .iter()
                .filter_map(|f| f.record.as_ref().ok().map(|r| r.id.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (form, files) in forms.iter().filter(|(f, _)| *f != usual) {
            for file in files {
                let Ok(record) = &file.record else { continue };
                out.push(
                    Diagnostic::warning(
                        &file.path,
                        format!(
                            "speaker `{form}` is written `{usual}` in {}",
                            ids(&forms[usual])
                        ),
                    )
                    .at(locate(&file.text, "speakers", Some(form)))
                    .record(&record.id)
                    .hint("write a name one way: the index lists each spelling on its own"),
                );
            }
        }
    }
}

const MIDDLE_DOTS: &[char] = &['·', '・', '･', '‧', '•', '∙', '⋅', '●'];

/// Typst's errors and warnings as diagnostics at their places in the layouts.
pub fn from_typst(world: &BookWorld, diags: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    let mut missing = BTreeSet::new();
    diags
        .iter()
        // A missing family is said once, where it is first named, not at every
        // text set in it.
        .filter(|d| !d.message.starts_with("unknown font family") || missing.insert(&d.message))
        .map(|d| placed(world, d))
        .collect()
}

/// One Typst error or warning at its place in the layouts.
fn placed(world: &BookWorld, diag: &SourceDiagnostic) -> Diagnostic {
    let severity = match diag.severity {
        typst::diag::Severity::Error => Severity::Error,
        typst::diag::Severity::Warning => Severity::Warning,
    };
    // `main_name` is the main file's path already (`layouts/booklet.typ`).
    let main = PathBuf::from(world.main_name());
    let mut d = Diagnostic::new(severity, &main, diag.message.to_string());
    if let Some(id) = diag.span.id() {
        d.path = PathBuf::from(world.name(id));
        let text = match world.source(id) {
            Ok(source) => Some(source.text().to_string()),
            Err(_) => world
                .file(id)
                .ok()
                .map(|b| String::from_utf8_lossy(b.as_slice()).into_owned()),
        };
        if let (Some(text), Some(range)) = (text, world.range(diag.span)) {
            d.length = text.get(range.clone()).map(|s| s.chars().count());
            if let Some((line, column)) = Lines::new(text).byte_to_line_column(range.start) {
                d.line = Some(line + 1);
                d.column = Some(column + 1);
            }
        }
    }
    let mut hints: Vec<String> = diag.hints.iter().map(|h| h.v.to_string()).collect();
    if let Some(family) = diag.message.strip_prefix("unknown font family: ") {
        hints.push(font_hint(family));
    }
    if !hints.is_empty() {
        d.hint = Some(hints.join("; "));
    }
    d
}

/// Where a family the layouts name comes from: the CJK faces of Japanese, Korean and
/// traditional-Chinese books from Debian's fonts-noto-cjk, any other from fonts/.
fn font_hint(family: &str) -> String {
    match family.contains("cjk") {
        true => format!(
            "`{family}` is in Debian's package fonts-noto-cjk (`apt-get install fonts-noto-cjk`); name its folder in booklet.toml: [fonts] dirs = [\"/usr/share/fonts/opentype/noto\"]"
        ),
        false => format!(
            "put the files of `{family}` in fonts/, or name their folder in booklet.toml's [fonts] dirs"
        ),
    }
}
