//! Text helpers every stage shares: character classes, the line-joining rule, URLs
//! and structured-abstract labels.

use std::ops::Range;

/// A CJK ideograph (the ranges the source uses: URO, extension A, compatibility).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Hiragana or katakana (with the half-width and phonetic-extension forms).
pub fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9D}')
}

/// A Hangul syllable or jamo.
pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// A letter of Chinese, Japanese or Korean text: Han, kana or Hangul.
pub fn is_cjk_letter(c: char) -> bool {
    is_han(c) || is_kana(c) || is_hangul(c)
}

/// CJK punctuation and full-width forms: they take no space next to Latin text.
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// Han or CJK punctuation: the side of a Han–Latin boundary where no space belongs.
pub fn is_cjk(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

/// Latin-script material: ASCII graphics, Latin letters with accents, Greek, and the
/// symbols that sit inside Latin runs (®, ±, µ).
pub fn is_latinish(c: char) -> bool {
    c.is_ascii_graphic() || matches!(c, '\u{00A1}'..='\u{024F}' | '\u{0370}'..='\u{03FF}')
}

/// Display width in columns (Han and full-width forms count two), used to tell a
/// short, paragraph-ending line from a full one.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum()
}

/// Joins two wrapped pieces of one line of text: Latin + Latin with one space, a
/// hyphenated compound without one, anything touching Han with none (the typesetter
/// makes Han–Latin spacing).
pub fn join(out: &mut String, next: &str) {
    let next = next.trim();
    if next.is_empty() {
        return;
    }
    let last = out.trim_end().chars().last();
    let first = next.chars().next();
    let before_hyphen = out.trim_end().chars().rev().nth(1);
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    if let (Some(a), Some(b)) = (last, first) {
        let compound = a == '-' && before_hyphen.is_some_and(|p| p.is_ascii_alphanumeric());
        if is_latinish(a) && is_latinish(b) && !compound {
            out.push(' ');
        }
    }
    out.push_str(next);
}

/// The first URL in `text`, as its byte range: from `http://`, `https://` or `www.`
/// wherever it starts, up to a space, a Han character or CJK punctuation. Ingest
/// strips what this finds from titles; `check` warns about what is left.
pub fn find_url(text: &str) -> Option<Range<usize>> {
    let start = ["http://", "https://", "www."]
        .iter()
        .filter_map(|p| text.find(p))
        .min()?;
    let len = text[start..]
        .find(|c: char| c.is_whitespace() || is_cjk(c))
        .unwrap_or(text.len() - start);
    Some(start..start + len)
}

/// Labels of a structured abstract, run in at the start of a paragraph.
pub const LABELS: &[&str] = &["目的", "方法", "结果", "结论", "背景", "讨论"];

/// What may follow a label: ingest writes '：'; the source and hand edits also use
/// ':' and spaces.
const LABEL_ENDS: [char; 4] = ['：', ':', ' ', '\u{3000}'];

/// The same labels in English abstracts. Only with a colon: "Results were …" is
/// text, "Results: …" a label.
pub const ENGLISH_LABELS: &[&str] = &[
    "Background",
    "Introduction",
    "Objective",
    "Objectives",
    "Aim",
    "Aims",
    "Purpose",
    "Methods",
    "Results",
    "Discussion",
    "Conclusion",
    "Conclusions",
];

/// "目的：…", "目的: …", "目的 …" or a bare "目的" → (Some("目的"), "…"); "Methods: …" →
/// (Some("Methods"), "…"); any other text → (None, text). The one reading of a
/// structured-abstract label: ingest writes it as "目的：", the book sets it in 黑体,
/// `check` looks past it.
pub fn split_label(paragraph: &str) -> (Option<&'static str>, &str) {
    for label in LABELS {
        if let Some(rest) = paragraph.strip_prefix(label)
            && (rest.is_empty() || rest.starts_with(LABEL_ENDS))
        {
            return (Some(label), rest.trim_start_matches(LABEL_ENDS));
        }
    }
    for label in ENGLISH_LABELS {
        if let Some(rest) = paragraph
            .strip_prefix(label)
            .and_then(|r| r.strip_prefix(':'))
        {
            return (Some(label), rest.trim_start());
        }
    }
    (None, paragraph)
}

/// "目的", "目的：", "目的 " or "目的:" at the start of a line.
pub fn starts_with_label(text: &str) -> bool {
    split_label(text).0.is_some()
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// 1-based column, in characters, of a byte offset.
pub fn column_of(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[start..offset].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(a: &str, b: &str) -> String {
        let mut s = a.to_string();
        join(&mut s, b);
        s
    }

    #[test]
    fn join_rules() {
        assert_eq!(joined("漏诊", "漏治率高。"), "漏诊漏治率高。");
        assert_eq!(
            joined("mineral density ", "(BMD) and"),
            "mineral density (BMD) and"
        );
        assert_eq!(joined("FFAT-", "like"), "FFAT-like");
        assert_eq!(joined("支架蛋白 IRS-1", "是 IGF"), "支架蛋白 IRS-1是 IGF");
        assert_eq!(joined("", "abc"), "abc");
    }

    #[test]
    fn english_labels_need_their_colon() {
        assert_eq!(split_label("Methods: We"), (Some("Methods"), "We"));
        assert_eq!(
            split_label("Conclusions: Yes"),
            (Some("Conclusions"), "Yes")
        );
        assert_eq!(
            split_label("Results were mixed"),
            (None, "Results were mixed")
        );
        assert_eq!(split_label("Methodsology: x"), (None, "Methodsology: x"));
    }

    #[test]
    fn urls() {
        let url = |t: &'static str| find_url(t).map(|r| &t[r]);
        assert_eq!(
            url("见 https://www.cdc.gov/x 等"),
            Some("https://www.cdc.gov/x")
        );
        assert_eq!(url("标题www.example.org，后文"), Some("www.example.org"));
        assert_eq!(url("(http://a.b/c)."), Some("http://a.b/c)."));
        assert_eq!(url("没有网址"), None);
    }
}
