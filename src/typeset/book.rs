//! Loaded content → the data file the Typst layout reads (`/data/book.json`).
//!
//! Text reaches Typst only as JSON strings split into runs, never as markup, so a
//! `#` or `$` in a title prints as itself. The shape is documented in
//! `layouts/README.md`.

use std::collections::BTreeSet;

use serde::Serialize;
use thiserror::Error;

use crate::content::{Content, text_fields};
use crate::model::markup::{self, MarkupError, Run};
use crate::model::print::Print;
use crate::model::text::split_label;
use crate::model::{Lang, Record};
use crate::typeset::fonts::FontSet;
use crate::typeset::index::{self, IndexGroup};

/// A record whose text cannot be set.
#[derive(Debug, Error)]
pub enum BookError {
    #[error("{path}: record {id}, {field}: {source}")]
    Markup {
        path: String,
        id: String,
        field: String,
        source: MarkupError,
    },
    #[error(
        "{path}: record {id}, {field}: no font in fonts/ has the character `{ch}` (U+{code:04X})\n  hint: replace it, or add a font that covers it to fonts/"
    )]
    Uncovered {
        path: String,
        id: String,
        field: String,
        ch: char,
        code: u32,
    },
}

#[derive(Debug, Serialize)]
pub struct BookData {
    pub booklet: BookletData,
    pub print: Print,
    pub sections: Vec<SectionData>,
    pub index: Vec<IndexGroup>,
}

#[derive(Debug, Serialize)]
pub struct BookletData {
    pub conference: String,
    pub title: String,
    pub lang: Lang,
}

#[derive(Debug, Serialize)]
pub struct SectionData {
    pub key: String,
    pub title: String,
    pub records: Vec<RecordData>,
}

#[derive(Debug, Serialize)]
pub struct RecordData {
    pub id: String,
    pub lang: &'static str,
    pub title: Vec<Run>,
    pub title_en: Option<Vec<Run>>,
    /// Who presents (the names a list of talks shows).
    pub speakers: Vec<String>,
    pub authors: Vec<AuthorData>,
    /// Authors carry affiliation numbers and the affiliations are numbered: the record
    /// lists its authors with more than one affiliation.
    pub numbered: bool,
    /// The presenting authors are marked (underlined): some author does not present.
    pub marked: bool,
    pub affiliations: Vec<String>,
    pub keywords: Option<Vec<Vec<Run>>>,
    pub paragraphs: Vec<Paragraph>,
}

#[derive(Debug, Serialize)]
pub struct AuthorData {
    pub name: String,
    pub affiliations: Vec<usize>,
    pub presenting: bool,
}

#[derive(Debug, Serialize)]
pub struct Paragraph {
    pub label: Option<&'static str>,
    pub runs: Vec<Run>,
}

/// Builds the layout's data, checking that every character can be printed.
pub fn book_data(content: &Content, print: Print, fonts: &FontSet) -> Result<BookData, BookError> {
    for record in &content.records {
        check_coverage(content, record, fonts)?;
    }
    let sections = content
        .booklet
        .sections
        .iter()
        .map(|section| {
            let records = content
                .records
                .iter()
                .filter(|r| r.section == section.key)
                .map(|r| record_data(content, r))
                .collect::<Result<_, _>>()?;
            Ok(SectionData {
                key: section.key.clone(),
                title: section.title.clone(),
                records,
            })
        })
        .collect::<Result<Vec<_>, BookError>>()?;
    Ok(BookData {
        booklet: BookletData {
            conference: content.booklet.conference.clone(),
            title: content.booklet.title.clone(),
            lang: content.booklet.lang,
        },
        print,
        sections: sections
            .into_iter()
            .filter(|s| !s.records.is_empty())
            .collect(),
        index: index::build(
            &content.records,
            &content.booklet.readings,
            content.booklet.lang,
        ),
    })
}

fn record_path(content: &Content, record: &Record) -> String {
    content
        .dir
        .join(crate::content::ABSTRACTS_DIR)
        .join(crate::content::file_name(&record.id))
        .display()
        .to_string()
}

/// One record as the layout receives it (also the shape of `/data/handout.json`'s
/// records).
pub fn record_data(content: &Content, r: &Record) -> Result<RecordData, BookError> {
    let runs = |field: &str, text: &str| {
        markup::parse(text).map_err(|source| BookError::Markup {
            path: record_path(content, r),
            id: r.id.clone(),
            field: field.to_string(),
            source,
        })
    };
    Ok(RecordData {
        id: r.id.clone(),
        lang: if r.is_english() { "en" } else { "zh" },
        title: runs("title", &r.title)?,
        title_en: r
            .title_en
            .as_deref()
            .map(|t| runs("title_en", t))
            .transpose()?,
        speakers: r.presenters(),
        authors: r
            .authors()
            .into_iter()
            .map(|a| AuthorData {
                name: a.name,
                affiliations: a.affiliations,
                presenting: a.presenting,
            })
            .collect(),
        numbered: !r.authors.is_empty() && r.affiliations.len() > 1,
        marked: r.marks_presenters(),
        affiliations: r.affiliations.clone(),
        keywords: r
            .keywords
            .as_ref()
            .map(|k| k.iter().map(|w| runs("keywords", w)).collect())
            .transpose()?,
        paragraphs: r
            .paragraphs
            .iter()
            .map(|p| {
                let (label, text) = split_label(p);
                Ok(Paragraph {
                    label,
                    runs: runs("paragraph", text)?,
                })
            })
            .collect::<Result<_, BookError>>()?,
    })
}

/// Every character of a record that no font in `fonts` has, with the field it is
/// in (`title`, `paragraph 2`, `speakers[0]` …): each once per field, in field order.
/// The book refuses the first; `check` reports them all.
pub fn uncovered<'a>(
    record: &'a Record,
    fonts: &'a FontSet,
) -> impl Iterator<Item = (String, char)> + 'a {
    text_fields(record).flat_map(move |(field, text)| {
        let mut seen = BTreeSet::new();
        text.chars()
            .filter(move |&c| {
                !c.is_whitespace() && !c.is_control() && !fonts.covers(c) && seen.insert(c)
            })
            .map(move |c| (field.clone(), c))
    })
}

/// Every printable character of a record must be in some shipped font.
fn check_coverage(content: &Content, r: &Record, fonts: &FontSet) -> Result<(), BookError> {
    match uncovered(r, fonts).next() {
        Some((field, ch)) => Err(BookError::Uncovered {
            path: record_path(content, r),
            id: r.id.clone(),
            field,
            ch,
            code: ch as u32,
        }),
        None => Ok(()),
    }
}
