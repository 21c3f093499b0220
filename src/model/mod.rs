//! The records of the booklet: what ingest writes, content loads and render typesets,
//! with what every stage shares about them (inline markup, text helpers, the print
//! profile). The bottom layer: it imports no other module of the crate.

pub mod markup;
pub mod print;
pub mod text;

use serde::{Deserialize, Serialize};

pub use text::is_han;

/// The three parts of the book, in book order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// 大会报告, ids PL-01…
    Plenary,
    /// 专题报告, ids S-001…
    Special,
    /// 病例讨论, ids C-1…
    Case,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Plenary, Section::Special, Section::Case];

    /// The heading the book prints for this section.
    pub fn title(self) -> &'static str {
        match self {
            Section::Plenary => "大会报告",
            Section::Special => "专题报告",
            Section::Case => "病例讨论",
        }
    }

    /// The id prefix that marks a record of this section ("PL-01", "S-001", "C-1").
    pub fn prefix(self) -> &'static str {
        match self {
            Section::Plenary => "PL",
            Section::Special => "S",
            Section::Case => "C",
        }
    }

    /// The section an id belongs to, from its prefix.
    pub fn of_id(id: &str) -> Option<Section> {
        let (prefix, number) = id.split_once('-')?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Section::ALL.into_iter().find(|s| s.prefix() == prefix)
    }
}

/// One abstract. Text fields may carry the inline markup of [`crate::model::markup`]
/// (`~sub~`, `^sup^`); names and affiliations are plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub id: String,
    pub section: Section,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    #[serde(default)]
    pub speakers: Vec<String>,
    #[serde(default)]
    pub affiliations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<String>>,
    /// Body paragraphs, each one line of text; not stored in the front matter.
    #[serde(skip)]
    pub paragraphs: Vec<String>,
}

impl Record {
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
