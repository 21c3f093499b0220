//! Raw extracted text → one block of lines per record, with the page debris removed.

use super::error::IngestError;
use crate::model::{Section, id_prefix, is_han};

/// One line of extracted text, with what its whitespace says about the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the raw file, for messages.
    pub number: usize,
    pub text: String,
    /// Leading spaces: one is a page-break artefact, two or more an indented paragraph.
    pub indent: usize,
    /// The extractor left trailing space: the source line ended here on purpose.
    pub hard_end: bool,
}

/// Lines as the raw text would give them, for tests: leading spaces are the indent,
/// a trailing space a hard end.
#[cfg(test)]
pub(crate) fn test_lines(texts: &[&str]) -> Vec<Line> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Line {
            number: i + 1,
            text: t.trim().to_string(),
            indent: t.len() - t.trim_start().len(),
            hard_end: t.ends_with(' '),
        })
        .collect()
}

/// The lines of one record, after its id line.
#[derive(Debug, Clone)]
pub struct Block {
    pub id: String,
    /// The key of its section (see [`BookFacts::sections`]).
    pub section: String,
    pub number: usize,
    pub lines: Vec<Line>,
}

/// What the raw text says about the book itself (from its running footer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookFacts {
    pub conference: Option<String>,
    pub title: Option<String>,
    /// One section per id prefix, in order of its first record: key the prefix in
    /// lower case, title the letter-spaced heading before that record (else the
    /// prefix).
    pub sections: Vec<Section>,
}

/// Splits the raw text into record blocks, dropping blank lines, running footers,
/// page numbers and letter-spaced section headings.
pub fn split(raw: &str) -> Result<(Vec<Block>, BookFacts), IngestError> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut facts = BookFacts::default();
    let mut heading: Option<String> = None;
    for (i, raw_line) in raw.lines().enumerate() {
        let number = i + 1;
        let text = raw_line.trim();
        if is_spaced_heading(text) {
            heading = Some(text.split(' ').collect());
            continue;
        }
        if text.is_empty() || is_page_number(text) {
            continue;
        }
        if let Some((conference, title)) = footer(text) {
            facts.conference.get_or_insert(conference);
            facts.title.get_or_insert(title);
            continue;
        }
        if let Some(prefix) = record_id(text) {
            let key = prefix.to_lowercase();
            let heading = heading.take();
            if !facts.sections.iter().any(|s| s.key == key) {
                facts.sections.push(Section {
                    key: key.clone(),
                    title: heading.unwrap_or_else(|| prefix.to_string()),
                    prefix: Some(prefix.to_string()),
                });
            }
            blocks.push(Block {
                id: text.to_string(),
                section: key,
                number,
                lines: Vec::new(),
            });
            continue;
        }
        let line = Line {
            number,
            text: text.to_string(),
            indent: raw_line.len() - raw_line.trim_start().len(),
            hard_end: raw_line.len() > raw_line.trim_end().len(),
        };
        match blocks.last_mut() {
            Some(block) => block.lines.push(line),
            None => {
                return Err(IngestError::BeforeFirstRecord {
                    line: number,
                    text: line.text,
                });
            }
        }
    }
    Ok((blocks, facts))
}

/// A line that is only a record id — one to three capital letters, a hyphen and up to
/// four digits ("PL-01", "S-001", "C-1") — starts a record; its prefix.
fn record_id(text: &str) -> Option<&str> {
    let prefix = id_prefix(text)?;
    let number = &text[prefix.len() + 1..];
    let letters = (1..=3).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_uppercase());
    (letters && number.len() <= 4).then_some(prefix)
}

fn is_page_number(text: &str) -> bool {
    text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit())
}

/// "专 题 报 告": Han characters each followed by one space.
fn is_spaced_heading(text: &str) -> bool {
    let parts: Vec<&str> = text.split(' ').collect();
    parts.len() >= 3
        && parts
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(is_han))
}

/// The running footer: "<conference>  论文汇编" (two or more spaces between).
fn footer(text: &str) -> Option<(String, String)> {
    let (conference, title) = text.split_once("  ")?;
    let title = title.trim();
    let is_book_title = title.ends_with("汇编") || title.ends_with("摘要集");
    (is_book_title && conference.ends_with("会议"))
        .then(|| (conference.trim().to_string(), title.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debris_is_dropped() {
        let raw = "PL-01 \n\nCKD-MBD 再认识\n\n专 题 报 告 \n 中华医学会第十二次全国骨质疏松和骨矿盐疾病学术会议  论文汇编  \n48 \nS-001 \n标题\n";
        let (blocks, facts) = split(raw).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].lines.len(), 1);
        assert_eq!(blocks[0].lines[0].text, "CKD-MBD 再认识");
        assert_eq!(facts.title.as_deref(), Some("论文汇编"));
        assert_eq!(
            facts.conference.as_deref(),
            Some("中华医学会第十二次全国骨质疏松和骨矿盐疾病学术会议")
        );
    }

    #[test]
    fn text_before_first_record_is_an_error() {
        let err = split("hello\nPL-01\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
