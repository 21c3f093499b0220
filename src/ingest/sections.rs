//! The body of a record: wrapped lines → paragraphs, and the keywords line.

use super::split::Line;
use crate::model::text::{LABELS, join, split_label, starts_with_label, width};

/// The body of one record as paragraphs of running text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    pub paragraphs: Vec<String>,
    pub keywords: Option<Vec<String>>,
}

/// How far short of the measure a line must stop to end its paragraph whatever its
/// last character, in parts of the measure: within a justified paragraph every line
/// fills the measure give or take the Latin glyphs (78–93 columns of 87 in the
/// source), so three quarters is never a wrapped line.
const SHORT: f64 = 0.75;

/// Short of the measure this much, a line that ends a sentence ends its paragraph.
const NEARLY_FULL: f64 = 0.9;

/// A record has too few lines to read its measure from below this many.
pub const MIN_LINES_FOR_MEASURE: usize = 5;

/// Reflows body lines into paragraphs. `measure` is the width of a full line of this
/// record's text (Chinese and English lines differ), in columns as
/// [`width`] counts them. A new paragraph starts after a line well short of the
/// measure where the next line's first word would have fitted (a hard line end: an
/// outline item, a heading); after a line that ends a sentence and is short or had
/// trailing space; before a numbered line after a sentence end, and before a short
/// numbered line (an outline item or a heading); at an indented line; and at a
/// structured-abstract label. A line that fills the measure continues, even when it
/// starts with a number: an enumeration inside a sentence.
pub fn parse_body(lines: &[Line], measure: usize) -> Body {
    let mut body = Body::default();
    let mut current = String::new();
    let mut previous: Option<&Line> = None;
    for line in lines {
        if let Some(words) = keywords(&line.text) {
            flush(&mut body, &mut current);
            body.keywords = Some(words);
            previous = None;
            continue;
        }
        if previous.is_some_and(|p| starts_paragraph(p, line, measure)) {
            flush(&mut body, &mut current);
        }
        join(&mut current, &line.text);
        previous = Some(line);
    }
    flush(&mut body, &mut current);
    body
}

fn flush(body: &mut Body, current: &mut String) {
    let text = std::mem::take(current);
    if !text.trim().is_empty() {
        body.paragraphs.push(normalise_label(text.trim()));
    }
}

fn starts_paragraph(previous: &Line, line: &Line, measure: usize) -> bool {
    let prev = previous.text.trim_end();
    // A full stop ends a sentence in English only: in Chinese text "Tb." is an
    // abbreviation that the line happened to end on.
    let english = !prev.chars().any(crate::model::is_han);
    let ends_sentence = prev.ends_with(['。', '！', '？', '：', ':', '；', '!', '?'])
        || (english && prev.ends_with('.'));
    if is_bare_label(prev) {
        return false;
    }
    let filled = width(prev) as f64 / measure.max(1) as f64;
    // Short, and not because the next line's first word (a long URL) did not fit.
    let short = filled < SHORT && width(prev) + 1 + width(first_word(&line.text)) <= measure;
    // A numbered line that is itself short is an outline item or a heading; a full one
    // may be an enumeration running on in its sentence.
    let item = starts_enumerated(&line.text) && (width(&line.text) as f64) < SHORT * measure as f64;
    short
        || (ends_sentence && (previous.hard_end || filled < NEARLY_FULL))
        || (starts_enumerated(&line.text) && ends_sentence)
        || item
        || line.indent >= 2
        || starts_with_label(&line.text)
}

/// What a line break cannot split: one Han character, or a run of other characters up
/// to a space or a Han character.
fn first_word(text: &str) -> &str {
    let text = text.trim_start();
    let Some(first) = text.chars().next() else {
        return text;
    };
    let end = match crate::model::text::is_cjk(first) {
        true => first.len_utf8(),
        false => text
            .find(|c: char| c.is_whitespace() || crate::model::text::is_cjk(c))
            .unwrap_or(text.len()),
    };
    &text[..end]
}

/// The measure of a record's text: its longest line, when it has enough lines to show
/// one (a line of the source is never longer than the measure).
pub fn own_measure(lines: &[Line]) -> Option<usize> {
    (lines.len() >= MIN_LINES_FOR_MEASURE)
        .then(|| lines.iter().map(|l| width(&l.text)).max())
        .flatten()
}

/// A line that is only a label ("目的：") continues on the next line.
fn is_bare_label(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['：', ':']);
    LABELS.contains(&t)
}

/// Writes every label the same way, "目的：…", whatever the source used.
fn normalise_label(text: &str) -> String {
    match split_label(text) {
        (Some(label), rest) => format!("{label}：{rest}"),
        (None, _) => text.to_string(),
    }
}

/// "1、", "2.", "（3）", "一、", "一," at the start of a line.
pub fn starts_enumerated(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    if chars.peek().is_some_and(|c| matches!(c, '（' | '(')) {
        chars.next();
        return chars.next().is_some_and(|c| c.is_ascii_digit());
    }
    let mut digits = 0;
    while chars
        .peek()
        .is_some_and(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
    {
        chars.next();
        digits += 1;
    }
    digits > 0
        && chars
            .next()
            .is_some_and(|c| matches!(c, '、' | '，' | ',' | '.' | '．'))
}

/// "关键词：a，b，c" or "关键字：a b c" → the terms.
fn keywords(text: &str) -> Option<Vec<String>> {
    let rest = ["关键词", "关键字"]
        .iter()
        .find_map(|k| text.strip_prefix(k))?;
    let rest = rest.trim_start_matches(['：', ':', ' ']);
    let separated = rest.contains(['，', ',', '；', ';', '、']);
    let terms: Vec<String> = if separated {
        rest.split(['，', ',', '；', ';', '、'])
            .map(|t| t.trim().to_string())
            .collect()
    } else {
        rest.split_whitespace().map(str::to_string).collect()
    };
    Some(
        terms
            .into_iter()
            .filter(|t| !t.is_empty())
            .map(|t| t.trim_end_matches(['。', '.']).to_string())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line> {
        crate::ingest::split::test_lines(texts)
    }

    /// A Chinese line of `n` columns (Han characters count two).
    fn han(n: usize) -> String {
        "骨".repeat(n / 2)
    }

    #[test]
    fn outline_lines_are_paragraphs_and_full_lines_run_on() {
        let (full, full2) = (han(80), han(78));
        let text = [
            "一，总则",
            "1.1 高风险患者",
            "过去一年内骨折",
            full.as_str(),
            "本段最后一行",
            full2.as_str(),
            "（2）短的编号行是一项",
            "二，随访",
        ];
        let body = parse_body(&lines(&text), 80);
        assert_eq!(
            body.paragraphs,
            [
                "一，总则".to_string(),
                "1.1 高风险患者".to_string(),
                "过去一年内骨折".to_string(),
                format!("{full}本段最后一行"),
                full2.clone(),
                "（2）短的编号行是一项".to_string(),
                "二，随访".to_string(),
            ],
            "a short line ends its paragraph, whatever its last character; a full line \
             runs on; a short numbered line is an item of its own"
        );
    }

    #[test]
    fn a_full_line_before_a_full_numbered_line_runs_on() {
        let (a, b) = (han(80), format!("（2012—2030年）{}", han(60)));
        let body = parse_body(&lines(&[&a, &b]), 80);
        assert_eq!(body.paragraphs.len(), 1, "an enumeration inside a sentence");
    }

    #[test]
    fn a_short_line_before_a_word_that_did_not_fit_runs_on() {
        // English: a measure of about 95; the URL could not go on the short line.
        let text = [
            "Falls are recommended against by the Centres for Disease Control and Prevention as an",
            "effective intervention for fall prevention in older",
            "(https://www.example.org/falls/programs/compendium/2026/index.html).",
            "Short again",
        ];
        let body = parse_body(&lines(&text), 95);
        assert_eq!(body.paragraphs.len(), 2, "{:?}", body.paragraphs);
        assert!(body.paragraphs[0].ends_with("index.html)."));
    }

    #[test]
    fn the_measure_is_the_records_own_when_it_has_enough_lines() {
        assert_eq!(own_measure(&lines(&["a", "bb", "ccc", "dd"])), None);
        assert_eq!(
            own_measure(&lines(&["a", "bb", "ccc", "dd", "骨骨"])),
            Some(4)
        );
    }

    #[test]
    fn enumerations() {
        assert!(starts_enumerated("1、建立骨质疏松诊断"));
        assert!(starts_enumerated("一,抗骨质疏松药物"));
        assert!(starts_enumerated("（1）骨折"));
        assert!(!starts_enumerated("2 型糖尿病"));
        assert!(!starts_enumerated("2016 年"));
    }

    #[test]
    fn labels() {
        assert!(starts_with_label("目的 与正常体重人群相比"));
        assert!(starts_with_label("结论：AFF"));
        assert!(!starts_with_label("结果表明，维生素"));
        assert_eq!(normalise_label("目的: 骨质疏松"), "目的：骨质疏松");
        assert_eq!(normalise_label("结果表明"), "结果表明");
        assert_eq!(split_label("目的：研究"), (Some("目的"), "研究"));
        assert_eq!(split_label("方法: 随机"), (Some("方法"), "随机"));
        assert_eq!(split_label("结论\u{3000}有效"), (Some("结论"), "有效"));
        assert_eq!(split_label("结果："), (Some("结果"), ""));
        assert_eq!(split_label("结果表明，维生素"), (None, "结果表明，维生素"));
    }

    #[test]
    fn keyword_lines() {
        assert_eq!(
            keywords("关键字：股骨非典型骨折 双膦酸盐类").unwrap(),
            ["股骨非典型骨折", "双膦酸盐类"]
        );
        assert_eq!(
            keywords("关键词：运动，lncRNA H19，骨代谢").unwrap(),
            ["运动", "lncRNA H19", "骨代谢"]
        );
        assert!(keywords("关键在于骨密度").is_none());
    }
}
