//! Where something is in a file's text, as 1-based line and column (in characters),
//! for diagnostics.

use std::ops::Range;

/// Where a field (a front-matter key, `keywords[1]`, `paragraph 2`) is in a record
/// file: the line, and the column of `needle` in it if given and found.
pub(super) fn locate(
    text: &str,
    field: &str,
    needle: Option<&str>,
) -> (Option<usize>, Option<usize>) {
    let lines: Vec<&str> = text.lines().collect();
    let close = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == "+++")
        .map_or(lines.len(), |i| i + 1);
    let range = match field.strip_prefix("paragraph ") {
        Some(n) => {
            let n: usize = n.parse().unwrap_or(1);
            paragraph_lines(&lines, close, n)
        }
        None => {
            let key = field.split('[').next().unwrap_or(field);
            let is_key = |l: &str, k: &str| {
                l.trim_start()
                    .strip_prefix(k)
                    .is_some_and(|r| r.trim_start().starts_with('='))
            };
            let Some(start) = (1..close).find(|&i| is_key(lines[i], key)) else {
                return (None, None);
            };
            let end = (start + 1..close)
                .find(|&i| {
                    let l = lines[i].trim_start();
                    l.split('=').next().is_some_and(|k| {
                        let k = k.trim();
                        !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_')
                    }) && l.contains('=')
                })
                .unwrap_or(close);
            start..end
        }
    };
    match needle {
        Some(needle) => find_lines(&lines, range, needle),
        None => (Some(range.start + 1), None),
    }
}

/// The line indices of body paragraph `n` (1-based).
fn paragraph_lines(lines: &[&str], close: usize, n: usize) -> Range<usize> {
    let mut count = 0;
    let mut i = close + 1;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        count += 1;
        if count == n {
            return start..i;
        }
    }
    close.min(lines.len().saturating_sub(1))..close + 1
}

fn find_lines(lines: &[&str], range: Range<usize>, needle: &str) -> (Option<usize>, Option<usize>) {
    let end = range.end.min(lines.len());
    let found = lines
        .get(range.start..end)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .find_map(|(i, line)| {
            let at = line.find(needle)?;
            Some((range.start + i + 1, line[..at].chars().count() + 1))
        });
    match found {
        Some((line, column)) => (Some(line), Some(column)),
        None => (Some(range.start + 1), None),
    }
}

/// `needle` in a whole file (program.toml).
pub(super) fn find_in(text: &str, needle: &str) -> (Option<usize>, Option<usize>) {
    let lines: Vec<&str> = text.lines().collect();
    match find_lines(&lines, 0..lines.len(), needle) {
        (_, None) => (None, None),
        found => found,
    }
}
