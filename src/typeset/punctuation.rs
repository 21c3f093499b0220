//! Typewriter characters as a compositor sets them (typography.md §4, GB/T 15834):
//! straight quotes become curly ones, opening or closing by what stands before them
//! (`say "no"` → say “no”, `O'Connor`, `patient's` → ’), and a hyphen-minus before a
//! number that is not a range's or a compound's becomes the minus sign (`-0.041`,
//! `T值<-3.0` → −). Applied to the text runs of the book's data, never to formulas.

use crate::markdown::{Block, Inline};

/// The runs with their quotes and minus signs set, `before` the character standing
/// before them (none at a field's start).
pub fn typographic(runs: &mut [Inline], before: &mut Option<char>) {
    for run in runs {
        match run {
            Inline::Text(t) | Inline::Keep(t) => *t = substitute(t, before),
            Inline::Emph(rs) | Inline::Strong(rs) => typographic(rs, before),
            Inline::Link(link) => typographic(&mut link.body, before),
            Inline::Sub(t) | Inline::Sup(t) | Inline::SubBox(t) | Inline::SupBox(t) => {
                *before = t.chars().last().or(*before)
            }
            Inline::Math(_) => *before = Some('x'),
            Inline::LineBreak(_) => *before = None,
        }
    }
}

/// [`typographic`] for every run of `blocks`, each block from its start.
pub fn typographic_blocks(blocks: &mut [Block]) {
    for block in blocks {
        match block {
            Block::Par { runs, .. }
            | Block::Heading { runs, .. }
            | Block::Figure { caption: runs, .. } => typographic(runs, &mut None),
            Block::Table {
                caption,
                header,
                rows,
                ..
            } => {
                let cells = std::iter::once(caption)
                    .chain(header.iter_mut())
                    .chain(rows.iter_mut().flatten());
                cells.for_each(|cell| typographic(cell, &mut None));
            }
            Block::List { items, .. } => items.iter_mut().for_each(|i| typographic_blocks(i)),
            Block::Quote { blocks } => typographic_blocks(blocks),
            Block::Equation { .. } | Block::Rule => {}
        }
    }
}

/// A plain string (a name: O'Connor → O’Connor) with its quotes and minus signs set.
pub fn typographic_text(text: &str) -> String {
    substitute(text, &mut None)
}

/// Names as the book prints them.
pub fn typographic_names(names: &[String]) -> Vec<String> {
    names.iter().map(|n| typographic_text(n)).collect()
}

fn substitute(text: &str, before: &mut Option<char>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let opens = before.is_none_or(|b| b.is_whitespace() || "([{<“‘—–/".contains(b));
        let set = match c {
            '"' if opens => '“',
            '"' => '”',
            '\'' if opens && next.is_some_and(char::is_alphanumeric) => '‘',
            '\'' => '’',
            '-' if next.is_some_and(|n| n.is_ascii_digit()) && is_minus_after(*before) => '−',
            c => c,
        };
        out.push(set);
        *before = Some(set);
    }
    out
}

/// A hyphen before a digit is a minus where nothing, a space, an opening bracket, a
/// relation or a Han character stands before it (T值-3.98: Chinese writes no space
/// before a number); after a Latin letter or digit it joins (T-score, 1-2).
fn is_minus_after(before: Option<char>) -> bool {
    before.is_none_or(|b| {
        b.is_whitespace() || "([{<>=≤≥±:,;（：，；".contains(b) || crate::model::text::is_han(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> String {
        substitute(text, &mut None)
    }

    #[test]
    fn quotes_open_and_close() {
        assert_eq!(
            set(r#"residents say "no" to it"#),
            "residents say “no” to it"
        );
        assert_eq!(
            set("O'Connor's patients' 'best' care"),
            "O’Connor’s patients’ ‘best’ care"
        );
        assert_eq!(set(r#"("quoted")"#), "(“quoted”)");
    }

    #[test]
    fn a_hyphen_before_a_number_is_a_minus_where_it_is_one() {
        assert_eq!(
            set("-0.041 (95% CI -0.066 to -0.016)"),
            "−0.041 (95% CI −0.066 to −0.016)"
        );
        assert_eq!(
            set("T-score -2.5, T值<-3.0, r=-0.225"),
            "T-score −2.5, T值<−3.0, r=−0.225"
        );
        assert_eq!(set("1-2, PTH1-84, COVID-19"), "1-2, PTH1-84, COVID-19");
        assert_eq!(set("T值平均值-3.98SD"), "T值平均值−3.98SD");
    }

    #[test]
    fn runs_carry_what_stands_before_them() {
        let mut runs = vec![
            Inline::Text("the ".into()),
            Inline::Emph(vec![Inline::Text("\"Sost".into())]),
            Inline::Text("\" gene".into()),
        ];
        typographic(&mut runs, &mut None);
        assert_eq!(
            runs,
            [
                Inline::Text("the ".into()),
                Inline::Emph(vec![Inline::Text("“Sost".into())]),
                Inline::Text("” gene".into()),
            ]
        );
    }
}
