//! `confbook dump`: every record as JSON, the machine-readable view, or as the CSV
//! table `import` reads.
//!
//! In the JSON, text fields are plain (markup removed, sub/superscripts as Unicode
//! where possible); `marked` carries the same fields with their inline markup, so that
//! the dump can be read back into records without loss.

use serde::{Deserialize, Serialize};

use crate::import::{FIELDS, guard};
use crate::markdown::{self, Block, Kind, html, plain, unescape};
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

/// The records as a CSV table with the columns [`FIELDS`]: what `confbook import`
/// reads back into the same records.
pub fn to_csv(records: &[Record]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(FIELDS)?;
    // Text as import reads a cell: plain but for sub/superscripts where it is, else
    // HTML (import converts it back into the same Markdown).
    let cell = |text: &str| unescape(text).unwrap_or_else(|| html::to_html(text));
    for r in records {
        let cells = [
            r.id.clone(),
            r.section.clone(),
            cell(&r.title),
            r.title_en.as_deref().map(cell).unwrap_or_default(),
            authors_cell(r),
            r.affiliations.join("; "),
            r.keywords
                .iter()
                .flatten()
                .map(|k| cell(k))
                .collect::<Vec<_>>()
                .join("; "),
            abstract_cell(&r.paragraphs),
        ];
        // A cell that starts like a formula is guarded: Excel would run it.
        writer.write_record(cells.iter().map(|c| guard(c).into_owned()))?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"))
}

/// The `abstract` cell: plain paragraphs at blank lines; HTML, all of it, where any
/// paragraph is more than text (a list, a table, emphasis…).
fn abstract_cell(paragraphs: &[String]) -> String {
    let plain = |p: &String| {
        let single = matches!(
            markdown::blocks(p, Kind::Record).as_deref(),
            Ok([Block::Par { .. }])
        );
        single.then(|| unescape(p)).flatten()
    };
    match paragraphs.iter().map(plain).collect::<Option<Vec<_>>>() {
        Some(plain) => plain.join("\n\n"),
        None => html::to_html(&paragraphs.join("\n\n")),
    }
}

/// The `authors` cell: speakers as plain names, authors with their markers.
fn authors_cell(r: &Record) -> String {
    if r.short_form() {
        let names: Vec<&str> = r.authors.iter().map(|a| a.name.as_str()).collect();
        return names.join("; ");
    }
    let author = |a: &Author| {
        let star = if a.presenting { "*" } else { "" };
        let numbers: Vec<String> = a.affiliations.iter().map(usize::to_string).collect();
        match numbers.is_empty() {
            true => format!("{star}{}", a.name),
            false => format!("{star}{} [{}]", a.name, numbers.join(",")),
        }
    };
    r.authors.iter().map(author).collect::<Vec<_>>().join("; ")
}
