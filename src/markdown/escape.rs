//! Plain text → the record subset: what Markdown would read as markup gets a
//! backslash, so that the text prints as it was. Ingest and import write records this
//! way; `~sub~` and `^sup^` (the records' markup before Markdown) stay markup.

use std::sync::LazyLock;

use regex::Regex;

/// `text` (lines of plain text with `~sub~`/`^sup^`) as record Markdown that prints
/// the same characters.
pub fn escape(text: &str) -> String {
    text.lines()
        .map(|line| {
            let inline = escape_inline(line);
            guard_block_start(&inline).0
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Backslashes before the characters that open inline markup.
pub fn escape_inline(line: &str) -> String {
    let link = line.contains("](");
    let mut out = String::with_capacity(line.len());
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let escape = match c {
            // The markers' own escapes (`\~`, `\^`, `\\`) are Markdown's too; a
            // backslash before other punctuation was text, and stays text.
            '\\' => match next {
                Some('~' | '^' | '\\') => {
                    out.push(c);
                    if let Some((_, n)) = chars.next() {
                        out.push(n);
                    }
                    continue;
                }
                Some(n) => n.is_ascii_punctuation(),
                None => false,
            },
            '*' | '_' | '`' | '$' => true,
            '[' | ']' => link,
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            '&' => ENTITY.is_match(&line[i..]),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `&amp;`, `&#36;`, `&#x24;` at the start of the text.
static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});").expect("valid")
});

/// What opens a block at a line's start: a heading, quote, list item, code fence,
/// display math or thematic break.
static BLOCK_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|>|[-+*](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)|```|~~~|\$\$|=+[ \t]*$|(?:-[ \t]*){3,}$|(?:_[ \t]*){3,}$|(?:\*[ \t]*){3,}$)")
        .expect("valid")
});

/// A line that Markdown would open a block with, its marker escaped, and how many
/// bytes were added before the rest of the line.
pub fn guard_block_start(line: &str) -> (String, usize) {
    let line = line.trim_start();
    if !BLOCK_START.is_match(line) {
        return (line.to_string(), 0);
    }
    // Before the marker's last character for a number (`2\.`), else its first.
    let at = line
        .find(|c: char| !c.is_ascii_digit())
        .filter(|_| line.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(0);
    (format!("{}\\{}", &line[..at], &line[at..]), 1)
}

#[cfg(test)]
mod tests {
    use super::super::{Inline, inlines, unescape};
    use super::*;

    fn text(s: &str) -> Vec<Inline> {
        vec![Inline::Text(s.into())]
    }

    #[test]
    fn escaped_text_prints_as_written() {
        for s in [
            "a*b*c and _x_ and `code` and $5 and $x$",
            "P<0.05, <b>bold</b>, a < b",
            "[1](http://x) and [2013]",
            "&amp; &#36; & plain",
            r"C:\dir\*.txt and a\*",
            "# not a heading",
            "2. 100例 and more",
            "- a dash",
            "* a star",
            "> quote",
            "$$",
            "```",
            "---",
            "1) one",
        ] {
            let escaped = escape(s);
            assert_eq!(inlines(&escaped).unwrap(), text(s), "{s} → {escaped}");
        }
    }

    #[test]
    fn unescaped_text_escapes_back() {
        for s in ["2\\. 100例 H~2~O 40\\~45", "a\\*b\\* \\$5 C:\\dir"] {
            assert_eq!(escape(&unescape(s).unwrap()), s, "{s}");
        }
        assert_eq!(unescape("2\\. 100例 a\\*").unwrap(), "2. 100例 a*");
        assert_eq!(unescape("*em* stays"), None, "rich text is not plain");
    }

    #[test]
    fn markers_and_plain_text_stay() {
        assert_eq!(
            escape("H~2~O and Ca^2+^ 40\\~45"),
            "H~2~O and Ca^2+^ 40\\~45"
        );
        assert_eq!(escape("P<0.05，国发[2013]8号"), "P<0.05，国发[2013]8号");
        assert_eq!(escape("2 + 2 = 4 - 1"), "2 + 2 = 4 - 1");
    }
}
