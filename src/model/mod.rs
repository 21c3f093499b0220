//! The records of the booklet: what ingest writes, content loads and render typesets,
//! with what every stage shares about them (inline markup, text helpers, the print
//! profile). The bottom layer: it imports no other module of the crate.

pub mod markup;
pub mod print;
pub mod text;

use serde::{Deserialize, Serialize};

pub use text::is_han;

/// A part of the book, as `[[section]]` in `content/booklet.toml` lists them (in book
/// order): what a record's `section` names, and the heading the book prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// What records give as their `section`, e.g. "plenary".
    pub key: String,
    /// The heading the book prints, e.g. "大会报告" or "Keynote Lectures".
    pub title: String,
    /// The id prefix of its records ("PL" for "PL-01"), when its ids carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

impl Section {
    /// False when the section has a prefix and `id` does not carry it.
    pub fn owns_id(&self, id: &str) -> bool {
        self.prefix
            .as_deref()
            .is_none_or(|p| id_prefix(id) == Some(p))
    }
}

/// The part of an id before its number: "PL" of "PL-01", "S" of "S-001". `None` for an
/// id that is not letters (or anything), a hyphen and digits.
pub fn id_prefix(id: &str) -> Option<&str> {
    let (prefix, number) = id.rsplit_once('-')?;
    let digits = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    (digits && !prefix.is_empty()).then_some(prefix)
}

/// The number at the end of an id ("S-041" → 41), for ordering.
pub fn id_number(id: &str) -> Option<u32> {
    id_prefix(id)?;
    id.rsplit('-').next()?.parse().ok()
}

/// The language of the book: its fixed strings, its index order and its fonts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// One author of a record, with the 1-based numbers of their affiliations in the
/// record's `affiliations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affiliations: Vec<usize>,
    /// Gives the talk or poster (marked in the book; bold pages in the index).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub presenting: bool,
}

/// One abstract. Text fields may carry the inline markup of [`crate::model::markup`]
/// (`~sub~`, `^sup^`); names and affiliations are plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub id: String,
    /// The key of its section in booklet.toml.
    pub section: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// The speakers where the record has no `authors`: each presents, and each shares
    /// every affiliation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speakers: Vec<String>,
    /// Numbered in order (1, 2, …) for `authors`' `affiliations`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affiliations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<String>>,
    /// Body paragraphs, each one line of text; not stored in the front matter.
    #[serde(skip)]
    pub paragraphs: Vec<String>,
    /// Every author in order, with numbered affiliations; tables, so written last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Author>,
}

impl Record {
    /// A record with only its id, section and title: the rest empty.
    pub fn new(id: &str, section: &str, title: &str) -> Record {
        Record {
            id: id.into(),
            section: section.into(),
            title: title.into(),
            title_en: None,
            speakers: Vec::new(),
            affiliations: Vec::new(),
            keywords: None,
            paragraphs: Vec::new(),
            authors: Vec::new(),
        }
    }

    /// The authors: as given, or made from `speakers` (each presenting, with every
    /// affiliation).
    pub fn authors(&self) -> Vec<Author> {
        if !self.authors.is_empty() {
            return self.authors.clone();
        }
        let all: Vec<usize> = (1..=self.affiliations.len()).collect();
        self.speakers
            .iter()
            .map(|name| Author {
                name: name.clone(),
                affiliations: all.clone(),
                presenting: true,
            })
            .collect()
    }

    /// Every affiliation number an author gives that `affiliations` does not have:
    /// (the author's place in `authors`, the author, the number).
    pub fn misnumbered_affiliations(&self) -> Vec<(usize, &Author, usize)> {
        let count = self.affiliations.len();
        let mut bad = Vec::new();
        for (i, author) in self.authors.iter().enumerate() {
            for &n in &author.affiliations {
                if n == 0 || n > count {
                    bad.push((i, author, n));
                }
            }
        }
        bad
    }

    /// The names of those who present it, in order.
    pub fn presenters(&self) -> Vec<String> {
        self.authors()
            .into_iter()
            .filter(|a| a.presenting)
            .map(|a| a.name)
            .collect()
    }

    /// True when the record tells presenting authors from the others (an `authors`
    /// list with someone who does not present): only then is presenting marked.
    pub fn marks_presenters(&self) -> bool {
        self.authors.iter().any(|a| !a.presenting)
    }

    /// True when the record's text is English (no Han in the body, or in the title
    /// when there is no body): it is set with English rules.
    pub fn is_english(&self) -> bool {
        let han = |s: &str| s.chars().any(is_han);
        match self.paragraphs.is_empty() {
            true => !han(&self.title),
            false => !self.paragraphs.iter().any(|p| han(p)),
        }
    }
}
