//! The head of a record: title (and English title), speakers, affiliations.

use super::split::Line;
use crate::model::is_han;
use crate::model::text::{find_url, join};

/// The parsed head of a record and where its body starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub title: String,
    pub title_en: Option<String>,
    pub speakers: Vec<String>,
    pub affiliations: Vec<String>,
    /// Index into the block's lines of the first body line.
    pub body_start: usize,
}

/// Why a head could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadProblem {
    NoTitle,
    NoSpeaker,
}

/// Reads title lines up to the speaker line, then the affiliation lines.
pub fn parse_head(lines: &[Line]) -> Result<Head, HeadProblem> {
    // A title may itself look like a name list ("肌多脂少、共筑健康"), so the speaker
    // line is looked for after the first line; a name line followed by an
    // institution means the title is missing.
    let first = lines.first().ok_or(HeadProblem::NoTitle)?;
    if is_speaker_line(&first.text) && lines.get(1).is_none_or(|l| is_institution(&l.text)) {
        return Err(HeadProblem::NoTitle);
    }
    let speaker_at = 1 + lines[1..]
        .iter()
        .position(|l| is_speaker_line(&l.text))
        .ok_or(HeadProblem::NoSpeaker)?;
    let (title, title_en) = title(&lines[..speaker_at]);
    if title.is_empty() {
        return Err(HeadProblem::NoTitle);
    }
    let (affiliations, used) = affiliations(&lines[speaker_at + 1..]);
    Ok(Head {
        title,
        title_en,
        speakers: split_names(&lines[speaker_at].text),
        affiliations,
        body_start: speaker_at + 1 + used,
    })
}

/// Title lines joined; Latin-only lines after a Han line form the English title.
/// URLs pasted into a title by the extraction are dropped.
fn title(lines: &[Line]) -> (String, Option<String>) {
    let mut zh = String::new();
    let mut en = String::new();
    // Whether `zh` has Han yet, kept rather than rescanned: a head of many lines
    // would otherwise take quadratic time.
    let mut zh_has_han = false;
    for line in lines {
        let text = strip_urls(&line.text);
        let has_han = text.chars().any(is_han);
        if !has_han && zh_has_han {
            join(&mut en, &text);
        } else {
            join(&mut zh, &text);
            zh_has_han |= has_han;
        }
    }
    (zh, (!en.is_empty()).then_some(en))
}

/// `text` without the URLs [`find_url`] finds, and the spaces before them.
fn strip_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(url) = find_url(rest) {
        out.push_str(rest[..url.start].trim_end_matches(' '));
        rest = &rest[url.end..];
    }
    out + rest
}

/// A speaker line is a list of Chinese names (2–5 Han, or with a middle dot),
/// separated by 、 or commas.
fn is_speaker_line(text: &str) -> bool {
    let names = split_names(text);
    !names.is_empty()
        && names.len()
            == text
                .split(NAME_SEPARATORS)
                .filter(|s| !s.trim().is_empty())
                .count()
        && names.iter().all(|n| {
            let count = n.chars().count();
            (2..=5).contains(&count) && n.chars().all(|c| is_han(c) || c == '·')
        })
}

const NAME_SEPARATORS: &[char] = &['、', '，', ',', '；', ';'];

fn split_names(text: &str) -> Vec<String> {
    text.split(NAME_SEPARATORS)
        .map(|s| s.split_whitespace().collect::<String>())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Affiliation lines follow the speakers until the body starts. A line without
/// trailing space was broken mid-name and continues on the next line.
fn affiliations(lines: &[Line]) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let mut current = String::new();
    // Lines taken for complete affiliations, and for the one still being joined.
    let (mut used, mut pending) = (0, 0);
    for line in lines.iter().take(6) {
        if !looks_like_affiliation(&line.text) || line.indent >= 2 {
            break;
        }
        join(&mut current, &line.text);
        pending += 1;
        if line.hard_end || is_institution(&current) {
            found.extend(split_institutions(&current));
            current.clear();
            used += pending;
            pending = 0;
        }
    }
    // A broken name that never completed was body text after all: its lines are not used.
    (found, used)
}

fn looks_like_affiliation(text: &str) -> bool {
    const SENTENCE: &[char] = &['。', '：', ':', '；', ';', '？', '!', '！'];
    let starts_enumerated =
        text.starts_with(|c: char| c.is_ascii_digit()) || super::sections::starts_enumerated(text);
    text.chars().count() <= 40
        && !text.contains(SENTENCE)
        && !starts_enumerated
        && !crate::model::text::starts_with_label(text)
}

const INSTITUTION_ENDINGS: &[&str] = &[
    "院",
    "大学",
    "学院",
    "所",
    "中心",
    "公司",
    "处",
    "科",
    "部",
    "室",
    "会",
    "站",
    "局",
    "）",
    ")",
    "University",
    "Univeristy",
    "Hospital",
    "Institute",
];

fn is_institution(text: &str) -> bool {
    let text = text.trim();
    INSTITUTION_ENDINGS.iter().any(|e| text.ends_with(e))
}

/// "甲医院，乙医院" on one line is two affiliations; a comma inside one name is not.
fn split_institutions(text: &str) -> Vec<String> {
    let parts: Vec<String> = text
        .split(['，', ',', '；', ';'])
        .map(|p| p.trim().to_string())
        .collect();
    if parts.len() > 1 && parts.iter().all(|p| is_institution(p)) {
        parts
    } else {
        vec![text.trim().to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line> {
        crate::ingest::split::test_lines(texts)
    }

    #[test]
    fn speaker_lines() {
        assert!(is_speaker_line("张伟滨、姜艳、王鸥、李梅、邢小平、夏维波"));
        assert!(is_speaker_line("欧阳晓俊"));
        assert!(!is_speaker_line("类器官与骨衰老"));
        assert!(!is_speaker_line("CKD-MBD 再认识"));
    }

    #[test]
    fn urls_are_stripped() {
        assert_eq!(strip_urls("a http://x.org/y b"), "a b");
        assert_eq!(strip_urls("https://www.cdc.gov/falls"), "");
        assert_eq!(strip_urls("药物之外www.x.org 决策"), "药物之外 决策");
        assert_eq!(strip_urls("no url here"), "no url here");
    }

    #[test]
    fn broken_affiliation_needs_its_last_line() {
        let head = parse_head(&lines(&[
            "标题",
            "王鸥 ",
            "中国医学科学院北",
            "京协和医院 ",
            "免疫细胞（包括巨噬细胞）以及成/破骨细胞共享骨髓微环境，免疫",
        ]))
        .unwrap();
        assert_eq!(head.affiliations, ["中国医学科学院北京协和医院"]);
        assert_eq!(head.body_start, 4);
    }

    #[test]
    fn an_unfinished_latin_name_goes_back_to_the_body() {
        let head = parse_head(&lines(&[
            "Title",
            "王鸥 ",
            "Johns Hopkins University ",
            "Department of",
            "Some sentence of the body without an end",
        ]))
        .unwrap();
        assert_eq!(head.affiliations, ["Johns Hopkins University"]);
        assert_eq!(head.body_start, 3, "the unfinished line is body text");
    }

    #[test]
    fn no_title_and_no_speaker() {
        assert_eq!(
            parse_head(&lines(&["王鸥 ", "北京医院 "])),
            Err(HeadProblem::NoTitle)
        );
        assert_eq!(
            parse_head(&lines(&["只有标题没有讲者的记录"])),
            Err(HeadProblem::NoSpeaker)
        );
        assert_eq!(parse_head(&[]), Err(HeadProblem::NoTitle));
    }
}
