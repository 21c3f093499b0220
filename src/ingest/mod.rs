//! Ingest: the raw text extracted from the old PDF → clean [`Record`]s.
//!
//! Steps, each its own module: [`split`] cuts the text into record blocks and drops
//! page debris; [`fields`] reads the head (title, speakers, affiliations);
//! [`sections`] reflows the body into paragraphs and finds keywords; [`normalise`]
//! applies the editorial rules (spacing, punctuation, chemistry).

mod error;
pub mod fields;
pub mod normalise;
pub mod sections;
pub mod split;

use crate::markdown::escape;
use crate::model::{Author, Record};
pub use error::{IngestError, MAX_INPUT};
pub use split::BookFacts;

/// Something a person should look at; the record is still written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub id: String,
    pub message: String,
}

/// Everything ingest learnt from one raw file.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub records: Vec<Record>,
    pub facts: BookFacts,
    pub warnings: Vec<Warning>,
}

/// Parses raw bytes (checked to be UTF-8 text) into records in book order.
pub fn ingest_bytes(bytes: &[u8]) -> Result<Ingested, IngestError> {
    if bytes.len() > MAX_INPUT {
        return Err(IngestError::TooLarge { size: bytes.len() });
    }
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(IngestError::Binary { offset });
    }
    let raw = std::str::from_utf8(bytes).map_err(|e| IngestError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    ingest(raw)
}

/// Parses raw text into records in book order.
pub fn ingest(raw: &str) -> Result<Ingested, IngestError> {
    if raw.len() > MAX_INPUT {
        return Err(IngestError::TooLarge { size: raw.len() });
    }
    let raw = without_controls(raw);
    if raw.trim().is_empty() {
        return Err(IngestError::Empty);
    }
    let (blocks, facts) = split::split(&raw)?;
    if blocks.is_empty() {
        return Err(IngestError::NoRecords);
    }
    check_unique(&blocks)?;
    let measures = BookMeasures::of(&blocks);
    let records = blocks
        .iter()
        .map(|b| record(b, &measures))
        .collect::<Result<Vec<_>, IngestError>>()?;
    let warnings = records.iter().filter_map(no_affiliation).collect();
    Ok(Ingested {
        records,
        facts,
        warnings,
    })
}

/// `raw` without control characters, which extracted text carries as debris (a form
/// feed between pages, a carriage return of CRLF) and no record means: tabs become
/// spaces, line feeds stay, the rest goes, so lines keep their numbers.
fn without_controls(raw: &str) -> std::borrow::Cow<'_, str> {
    let debris = |c: char| c.is_control() && c != '\n';
    if !raw.contains(debris) {
        return raw.into();
    }
    let kept = raw.chars().filter_map(|c| match c {
        '\t' => Some(' '),
        c if debris(c) => None,
        c => Some(c),
    });
    kept.collect::<String>().into()
}

fn check_unique(blocks: &[split::Block]) -> Result<(), IngestError> {
    let mut first_line = std::collections::HashMap::new();
    for b in blocks {
        if let Some(&first) = first_line.get(b.id.as_str()) {
            return Err(IngestError::Duplicate {
                id: b.id.clone(),
                line: b.number,
                first,
            });
        }
        first_line.insert(b.id.as_str(), b.number);
    }
    Ok(())
}

/// The usual measure of the book's Chinese and of its English text: the median of the
/// measures of the records long enough to show theirs. A short record is reflowed
/// with these.
#[derive(Debug, Clone, Copy, Default)]
struct BookMeasures {
    han: Option<usize>,
    latin: Option<usize>,
}

impl BookMeasures {
    fn of(blocks: &[split::Block]) -> BookMeasures {
        let (mut han, mut latin): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        for block in blocks {
            if let Some(m) = sections::own_measure(&block.lines) {
                match is_chinese(&block.lines) {
                    true => han.push(m),
                    false => latin.push(m),
                }
            }
        }
        BookMeasures {
            han: median(han),
            latin: median(latin),
        }
    }

    /// A record's measure: its own, else the book's for its script, else its longest
    /// line.
    fn for_lines(&self, lines: &[split::Line]) -> usize {
        let book = match is_chinese(lines) {
            true => self.han,
            false => self.latin,
        };
        let longest = lines
            .iter()
            .map(|l| crate::model::text::width(&l.text))
            .max();
        sections::own_measure(lines)
            .or(book)
            .or(longest)
            .unwrap_or(1)
    }
}

fn is_chinese(lines: &[split::Line]) -> bool {
    lines
        .iter()
        .any(|l| l.text.chars().any(crate::model::is_han))
}

fn median(mut values: Vec<usize>) -> Option<usize> {
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

fn record(block: &split::Block, measures: &BookMeasures) -> Result<Record, IngestError> {
    let (id, line) = (block.id.clone(), block.number);
    let head = fields::parse_head(&block.lines).map_err(|p| match p {
        fields::HeadProblem::NoTitle => IngestError::NoTitle {
            id: id.clone(),
            line,
        },
        fields::HeadProblem::NoSpeaker => IngestError::NoSpeaker {
            id: id.clone(),
            line,
        },
    })?;
    let body_lines = &block.lines[head.body_start..];
    let body = sections::parse_body(body_lines, measures.for_lines(body_lines));
    let clean = |s: &str| normalise::normalise(s);
    // Text the book reads as Markdown prints as extracted.
    let marked = |s: &str| escape(&clean(s));
    Ok(Record {
        id,
        section: block.section.clone(),
        title: marked(&head.title),
        title_en: head.title_en.as_deref().map(marked),
        authors: Author::speakers(head.speakers, head.affiliations.len()),
        affiliations: head.affiliations.iter().map(|a| clean(a)).collect(),
        keywords: body.keywords.map(|k| k.iter().map(|w| marked(w)).collect()),
        paragraphs: body.paragraphs.iter().map(|p| marked(p)).collect(),
    })
}

/// What only ingest can tell: the head had no affiliation line. (What `check` would
/// warn about a record is its lint: `confbook ingest` runs that on the records too.)
fn no_affiliation(record: &Record) -> Option<Warning> {
    record.affiliations.is_empty().then(|| Warning {
        id: record.id.clone(),
        message: "no affiliation found after the speakers".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(matches!(ingest_bytes(b""), Err(IngestError::Empty)));
        assert!(matches!(
            ingest_bytes(b"\x00\x01\x02garbage"),
            Err(IngestError::Binary { offset: 0 })
        ));
        assert!(matches!(
            ingest_bytes(b"PL-01\n\xff\xfe"),
            Err(IngestError::NotUtf8 { offset: 6 })
        ));
        assert!(matches!(
            ingest("just some words\n"),
            Err(IngestError::BeforeFirstRecord { line: 1, .. })
        ));
        let err = ingest("PL-01\n王鸥 \n北京医院 \n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "record PL-01 (line 1): no title before the speaker line"
        );
    }
}
