//! What a record must have to go into the book, and its text fields named for
//! messages.

use std::path::Path;

use super::error::InvalidRecord;
use super::schema::{file_name, file_stem};
use crate::markdown;
use crate::model::Record;

/// What a record must have for the book: an id that is its file name, a title, a
/// speaker (or presenting author), affiliations for the authors' numbers, and markup
/// that parses. Every problem, in field order. (That the section exists is checked
/// against booklet.toml when the project is loaded.)
pub(super) fn validate(path: &Path, record: &Record) -> Vec<InvalidRecord> {
    let mut problems = Vec::new();
    let mut invalid = |field: &str, message: String, hint: Option<String>| {
        problems.push(InvalidRecord {
            path: path.to_path_buf(),
            id: record.id.clone(),
            field: field.to_string(),
            message,
            hint,
        })
    };
    let stem = file_stem(path);
    if !crate::files::is_file_stem(&record.id) {
        invalid(
            "id",
            format!("the id `{}` cannot name a file on every system", record.id),
            Some(
                "use letters, digits and `-`; not a Windows device name (CON, NUL, COM1 …)".into(),
            ),
        );
    } else if record.id != stem {
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
    // A talk may have no authors yet (an opening, a speaker announced later): `check`
    // warns. Authors of whom none presents, or blank names, are a mistake.
    if !record.authors.is_empty() && record.presenters().iter().all(|s| s.trim().is_empty()) {
        let hint = match record.short_form() {
            true => "write the speakers' names: `speakers = [\"王鸥\"]`",
            false => "mark who presents: `presenting = true`",
        };
        invalid(author_field(record), "no speaker".into(), Some(hint.into()));
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
        let converted = match field.starts_with("paragraph") {
            true => markdown::blocks(text, markdown::Kind::Record).map(drop),
            false => markdown::inlines(text).map(drop),
        };
        if let Err(e) = converted {
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
