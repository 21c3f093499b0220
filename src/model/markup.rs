//! The inline markup of record text: `H~2~O` for a subscript, `Ca^2+^` for a
//! superscript, a backslash before `~`, `^` or `\` for the character itself.
//! Everything else is literal text: Typst never sees it as markup.

use serde::Serialize;
use thiserror::Error;

/// A piece of running text as the layout receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Run {
    #[serde(rename = "t")]
    Text(String),
    #[serde(rename = "sub")]
    Sub(String),
    #[serde(rename = "sup")]
    Sup(String),
}

/// A marker without its closing partner, or an empty one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MarkupError {
    #[error(
        "`{marker}` at character {at} is never closed (write `\\{marker}` for the character itself)"
    )]
    Unclosed { marker: char, at: usize },
    #[error("empty `{marker}{marker}` at character {at}")]
    Empty { marker: char, at: usize },
}

/// Splits marked-up text into runs.
pub fn parse(text: &str) -> Result<Vec<Run>, MarkupError> {
    let mut runs = Vec::new();
    let mut buf = String::new();
    let mut open: Option<(char, usize)> = None;
    let mut chars = text.chars().enumerate();
    while let Some((i, c)) = chars.next() {
        match c {
            // Only the three special characters are escaped; any other backslash is text.
            '\\' => match chars.clone().next() {
                Some((_, n @ ('~' | '^' | '\\'))) => {
                    chars.next();
                    buf.push(n);
                }
                _ => buf.push('\\'),
            },
            '~' | '^' if open.is_none() => {
                push_text(&mut runs, &mut buf);
                open = Some((c, i));
            }
            '~' | '^' if open.is_some_and(|(m, _)| m == c) => {
                let (marker, at) = open.take().unwrap_or((c, i));
                if buf.is_empty() {
                    return Err(MarkupError::Empty { marker, at });
                }
                let content = std::mem::take(&mut buf);
                runs.push(if marker == '~' {
                    Run::Sub(content)
                } else {
                    Run::Sup(content)
                });
            }
            c => buf.push(c),
        }
    }
    if let Some((marker, at)) = open {
        return Err(MarkupError::Unclosed { marker, at });
    }
    push_text(&mut runs, &mut buf);
    Ok(runs)
}

fn push_text(runs: &mut Vec<Run>, buf: &mut String) {
    if !buf.is_empty() {
        runs.push(Run::Text(std::mem::take(buf)));
    }
}

/// The text with markup removed, sub/superscripts as Unicode characters where all of
/// their characters have one (1,25(OH)₂D₃, Ca²⁺), else as plain letters (H19fl/fl).
/// Text that does not parse is returned as written.
pub fn plain(text: &str) -> String {
    let Ok(runs) = parse(text) else {
        return text.to_string();
    };
    runs.iter()
        .map(|run| match run {
            Run::Text(t) => t.clone(),
            Run::Sub(t) => unicode_form(t, SUBSCRIPTS).unwrap_or_else(|| t.clone()),
            Run::Sup(t) => unicode_form(t, SUPERSCRIPTS).unwrap_or_else(|| t.clone()),
        })
        .collect()
}

const SUBSCRIPTS: &[(char, char)] = &[
    ('0', '₀'),
    ('1', '₁'),
    ('2', '₂'),
    ('3', '₃'),
    ('4', '₄'),
    ('5', '₅'),
    ('6', '₆'),
    ('7', '₇'),
    ('8', '₈'),
    ('9', '₉'),
    ('+', '₊'),
    ('-', '₋'),
];
const SUPERSCRIPTS: &[(char, char)] = &[
    ('0', '⁰'),
    ('1', '¹'),
    ('2', '²'),
    ('3', '³'),
    ('4', '⁴'),
    ('5', '⁵'),
    ('6', '⁶'),
    ('7', '⁷'),
    ('8', '⁸'),
    ('9', '⁹'),
    ('+', '⁺'),
    ('-', '⁻'),
];

fn unicode_form(text: &str, table: &[(char, char)]) -> Option<String> {
    text.chars()
        .map(|c| table.iter().find(|(a, _)| *a == c).map(|(_, u)| *u))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs() {
        let runs = parse("1,25(OH)~2~D~3~ 与 Ca^2+^").unwrap();
        assert_eq!(
            runs,
            [
                Run::Text("1,25(OH)".into()),
                Run::Sub("2".into()),
                Run::Text("D".into()),
                Run::Sub("3".into()),
                Run::Text(" 与 Ca".into()),
                Run::Sup("2+".into()),
            ]
        );
    }

    #[test]
    fn plain_text() {
        assert_eq!(plain("1,25(OH)~2~D~3~"), "1,25(OH)₂D₃");
        assert_eq!(plain("Ca^2+^"), "Ca²⁺");
        assert_eq!(plain("H19^fl/fl^"), "H19fl/fl");
        assert_eq!(plain(r"40\~45"), "40~45");
    }

    #[test]
    fn backslash_escapes_only_the_markers() {
        assert_eq!(
            parse(r"a\~b\^c\\d").unwrap(),
            [Run::Text(r"a~b^c\d".into())]
        );
        assert_eq!(
            parse(r"C:\dir #$*_@<`").unwrap(),
            [Run::Text(r"C:\dir #$*_@<`".into())]
        );
    }

    #[test]
    fn errors_name_the_place() {
        assert_eq!(
            parse("Ca^2+"),
            Err(MarkupError::Unclosed { marker: '^', at: 2 })
        );
        assert_eq!(
            parse("a~~b"),
            Err(MarkupError::Empty { marker: '~', at: 1 })
        );
    }
}
