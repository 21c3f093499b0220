//! The body of a record: wrapped lines → paragraphs, and the keywords line.

use super::split::Line;
use crate::model::text::{LABELS, join, split_label, starts_with_label, width};

/// The body of one record as paragraphs of running text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    pub paragraphs: Vec<String>,
    pub keywords: Option<Vec<String>>,
}

/// A full line of the source is about 88 columns; a line well short of that which
/// ends a sentence ends its paragraph.
const SHORT_LINE: usize = 76;

/// Reflows body lines into paragraphs. A new paragraph starts after a line that ends a
/// sentence and is short or had trailing space, at an indented line, at a
/// structured-abstract label and at a numbered item after a sentence end.
pub fn parse_body(lines: &[Line]) -> Body {
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
        if previous.is_some_and(|p| starts_paragraph(p, line)) {
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

fn starts_paragraph(previous: &Line, line: &Line) -> bool {
    let prev = previous.text.trim_end();
    // A full stop ends a sentence in English only: in Chinese text "Tb." is an
    // abbreviation that the line happened to end on.
    let english = !prev.chars().any(crate::model::is_han);
    let ends_sentence = prev.ends_with(['。', '！', '？', '：', ':', '；', '!', '?'])
        || (english && prev.ends_with('.'));
    if is_bare_label(prev) {
        return false;
    }
    let short_end = ends_sentence && (previous.hard_end || width(prev) < SHORT_LINE);
    short_end
        || line.indent >= 2
        || starts_with_label(&line.text)
        || (ends_sentence && starts_enumerated(&line.text))
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
