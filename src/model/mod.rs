//! The records of the booklet: what ingest writes, content loads and render typesets,
//! with what every stage shares about them (text helpers, the print
//! profile). The bottom layer: it imports no other module of the crate.

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

impl Lang {
    /// Its BCP 47 tag: "zh", "en".
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
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

impl Author {
    /// The authors of the short form `speakers = […]`: each presents and has every one
    /// of the record's `affiliations` affiliations.
    pub fn speakers(names: impl IntoIterator<Item = String>, affiliations: usize) -> Vec<Author> {
        let every: Vec<usize> = (1..=affiliations).collect();
        let speaker = |name| Author {
            name,
            affiliations: every.clone(),
            presenting: true,
        };
        names.into_iter().map(speaker).collect()
    }
}

/// One abstract. Titles, keywords and paragraphs are record Markdown (the `markdown` stage reads it:
/// `*em*`, `~sub~`, `$x$` …); names and affiliations are plain text.
///
/// Its file gives the authors one of two ways (see [`RecordFront`]); the record has
/// one list of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RecordFront", into = "RecordFront")]
pub struct Record {
    pub id: String,
    /// The key of its section in booklet.toml.
    pub section: String,
    pub title: String,
    pub title_en: Option<String>,
    /// Numbered in order (1, 2, …) for the authors' `affiliations`.
    pub affiliations: Vec<String>,
    pub keywords: Option<Vec<String>>,
    /// Body paragraphs, each one line of text; not stored in the front matter.
    pub paragraphs: Vec<String>,
    /// Every author in order, with numbered affiliations.
    pub authors: Vec<Author>,
}

/// A record's front matter as written: the authors either as `speakers = […]` (the
/// short form: each presents and shares every affiliation) or as `[[authors]]`
/// tables. Records are written in the short form whenever it says all there is.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordFront {
    id: String,
    section: String,
    title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title_en: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    speakers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    affiliations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keywords: Option<Vec<String>>,
    /// Tables, so written last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author>,
}

impl TryFrom<RecordFront> for Record {
    type Error = String;

    fn try_from(front: RecordFront) -> Result<Record, String> {
        if !front.speakers.is_empty() && !front.authors.is_empty() {
            return Err(
                "give the authors as `speakers = […]` or as `[[authors]]` tables, not both".into(),
            );
        }
        let speakers = Author::speakers(front.speakers, front.affiliations.len());
        Ok(Record {
            authors: speakers.into_iter().chain(front.authors).collect(),
            id: front.id,
            section: front.section,
            title: front.title,
            title_en: front.title_en,
            affiliations: front.affiliations,
            keywords: front.keywords,
            paragraphs: Vec::new(),
        })
    }
}

impl From<Record> for RecordFront {
    fn from(record: Record) -> RecordFront {
        let short = record.short_form();
        let (speakers, authors) = match short {
            true => (
                record.authors.into_iter().map(|a| a.name).collect(),
                Vec::new(),
            ),
            false => (Vec::new(), record.authors),
        };
        RecordFront {
            id: record.id,
            section: record.section,
            title: record.title,
            title_en: record.title_en,
            speakers,
            affiliations: record.affiliations,
            keywords: record.keywords,
            authors,
        }
    }
}

impl Record {
    /// A record with only its id, section and title: the rest empty.
    pub fn new(id: &str, section: &str, title: &str) -> Record {
        Record {
            id: id.into(),
            section: section.into(),
            title: title.into(),
            title_en: None,
            affiliations: Vec::new(),
            keywords: None,
            paragraphs: Vec::new(),
            authors: Vec::new(),
        }
    }

    /// A record whose authors the short form `speakers = […]` gives exactly: each
    /// presents and has every affiliation.
    pub fn short_form(&self) -> bool {
        let every = 1..=self.affiliations.len();
        !self.authors.is_empty()
            && self
                .authors
                .iter()
                .all(|a| a.presenting && a.affiliations.iter().copied().eq(every.clone()))
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
        self.authors
            .iter()
            .filter(|a| a.presenting)
            .map(|a| a.name.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn front(authors: &str) -> String {
        format!(
            "id = \"K-1\"\nsection = \"k\"\ntitle = \"T\"\naffiliations = [\"A\", \"B\"]\n{authors}"
        )
    }

    #[test]
    fn both_author_forms_read_into_one_list_and_write_back_as_given() {
        let short: Record = toml::from_str(&front("speakers = [\"王鸥\", \"李华\"]\n")).unwrap();
        assert_eq!(short.presenters(), ["王鸥", "李华"]);
        assert!(short.authors.iter().all(|a| a.affiliations == [1, 2]));
        assert!(
            toml::to_string(&short)
                .unwrap()
                .contains("speakers = [\"王鸥\", \"李华\"]")
        );

        let long = "[[authors]]\nname = \"Li Wei\"\naffiliations = [1]\npresenting = true\n\n\
                    [[authors]]\nname = \"Zhang San\"\naffiliations = [2]\n";
        let long: Record = toml::from_str(&front(long)).unwrap();
        assert_eq!(long.presenters(), ["Li Wei"]);
        assert_eq!(long.authors.len(), 2);
        let written = toml::to_string(&long).unwrap();
        assert!(
            !written.contains("speakers") && written.contains("[[authors]]"),
            "{written}"
        );
        assert_eq!(toml::from_str::<Record>(&written).unwrap(), long);
    }

    #[test]
    fn speakers_and_authors_together_are_refused() {
        let both =
            front("speakers = [\"王鸥\"]\n[[authors]]\nname = \"Li Wei\"\npresenting = true\n");
        let err = toml::from_str::<Record>(&both).unwrap_err();
        assert!(err.message().contains("not both"), "{err}");
    }
}
