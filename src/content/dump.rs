//! `confbook dump --json`: every record as JSON, the machine-readable view.
//!
//! Text fields are plain (markup removed, sub/superscripts as Unicode where possible);
//! `marked` carries the same fields with their inline markup, so that the dump can be
//! read back into records without loss.

use serde::{Deserialize, Serialize};

use crate::model::markup::plain;
use crate::model::{Author, Record};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DumpRecord {
    pub id: String,
    pub section: String,
    pub title: String,
    pub title_en: Option<String>,
    pub authors: Vec<Author>,
    pub affiliations: Vec<String>,
    pub keywords: Option<Vec<String>>,
    pub paragraphs: Vec<String>,
    pub marked: Marked,
}

/// The text fields as written in the record files, markup included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marked {
    pub title: String,
    pub title_en: Option<String>,
    pub keywords: Option<Vec<String>>,
    pub paragraphs: Vec<String>,
}

impl From<&Record> for DumpRecord {
    fn from(r: &Record) -> Self {
        DumpRecord {
            id: r.id.clone(),
            section: r.section.clone(),
            title: plain(&r.title),
            title_en: r.title_en.as_deref().map(plain),
            authors: r.authors.clone(),
            affiliations: r.affiliations.clone(),
            keywords: r
                .keywords
                .as_ref()
                .map(|k| k.iter().map(|w| plain(w)).collect()),
            paragraphs: r.paragraphs.iter().map(|p| plain(p)).collect(),
            marked: Marked {
                title: r.title.clone(),
                title_en: r.title_en.clone(),
                keywords: r.keywords.clone(),
                paragraphs: r.paragraphs.clone(),
            },
        }
    }
}

impl From<DumpRecord> for Record {
    fn from(d: DumpRecord) -> Self {
        Record {
            id: d.id,
            section: d.section,
            title: d.marked.title,
            title_en: d.marked.title_en,
            affiliations: d.affiliations,
            keywords: d.marked.keywords,
            paragraphs: d.marked.paragraphs,
            authors: d.authors,
        }
    }
}

/// The records as a pretty-printed JSON array.
pub fn to_json(records: &[Record]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&records.iter().map(DumpRecord::from).collect::<Vec<_>>())
}

/// Reads a dump back into records.
pub fn from_json(json: &str) -> serde_json::Result<Vec<Record>> {
    let dumped: Vec<DumpRecord> = serde_json::from_str(json)?;
    Ok(dumped.into_iter().map(Record::from).collect())
}
