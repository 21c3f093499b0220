//! Typewriter characters as a compositor sets them (typography.md §4, GB/T 15834):
//! straight quotes become the language's quotation marks, opening or closing by what
//! stands before them (`say "no"` → say “no”, „nein“, « non », 「いいえ」), an
//! apostrophe the typographic one (`O'Connor`, `patient's` → ’), and a hyphen-minus
//! before a number that is not a range's or a compound's becomes the minus sign
//! (`-0.041`, `T值<-3.0` → −). Applied to the text runs of the book's data, never to
//! formulas; the record files keep what was typed.

use crate::markdown::{Block, Inline};
use crate::model::Lang;
use crate::model::lang::Script;
use crate::model::text::{is_cjk, is_cjk_letter};

/// The quotation marks of a language: double and single, each (opening, closing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotes {
    double: (&'static str, &'static str),
    single: (&'static str, &'static str),
    /// CJK text has no space before a quotation: after a CJK character a quote opens
    /// unless one is open.
    cjk: bool,
}

impl Quotes {
    /// English's: “…” ‘…’.
    pub const ENGLISH: Quotes = Quotes {
        double: ("“", "”"),
        single: ("‘", "’"),
        cjk: false,
    };

    /// The marks `lang` prints: „…“ ‚…‘ in German, « … » (narrow no-break spaces
    /// inside) in French, «…» in Spanish, 「…」『…』 in Japanese and traditional
    /// Chinese, “…” ‘…’ in simplified Chinese, Korean, English and any other.
    pub fn of(lang: &Lang) -> Quotes {
        let (double, single) = match (lang.language(), lang.script()) {
            ("de", _) => (("„", "“"), ("‚", "‘")),
            ("fr", _) => (("«\u{202F}", "\u{202F}»"), ("“", "”")),
            ("es", _) => (("«", "»"), ("“", "”")),
            (_, Script::Jpan | Script::Hant) => (("「", "」"), ("『", "』")),
            _ => (Quotes::ENGLISH.double, Quotes::ENGLISH.single),
        };
        Quotes {
            double,
            single,
            cjk: lang.is_cjk(),
        }
    }
}

/// Where the setting stands in a field: the character before, and which quotations
/// are open.
struct Cursor {
    quotes: Quotes,
    before: Option<char>,
    double_open: bool,
    single_open: bool,
}

impl Cursor {
    fn new(quotes: Quotes) -> Cursor {
        Cursor {
            quotes,
            before: None,
            double_open: false,
            single_open: false,
        }
    }
}

/// The runs of a field with their quotes and minus signs set, in `quotes`.
pub fn typographic(runs: &mut [Inline], quotes: Quotes) {
    set_runs(runs, &mut Cursor::new(quotes));
}

fn set_runs(runs: &mut [Inline], at: &mut Cursor) {
    for run in runs {
        match run {
            Inline::Text(t) | Inline::Keep(t) => *t = substitute(t, at),
            Inline::Emph(rs) | Inline::Strong(rs) => set_runs(rs, at),
            Inline::Link(link) => set_runs(&mut link.body, at),
            Inline::Sub(t) | Inline::Sup(t) | Inline::SubBox(t) | Inline::SupBox(t) => {
                at.before = t.chars().last().or(at.before)
            }
            Inline::Math(_) => at.before = Some('x'),
            Inline::LineBreak(_) => at.before = None,
        }
    }
}

/// [`typographic`] for every run of `blocks`, each block from its start.
pub fn typographic_blocks(blocks: &mut [Block], quotes: Quotes) {
    for block in blocks {
        match block {
            Block::Par { runs, .. }
            | Block::Heading { runs, .. }
            | Block::Figure { caption: runs, .. } => typographic(runs, quotes),
            Block::Table {
                caption,
                header,
                rows,
                ..
            } => {
                let cells = std::iter::once(caption)
                    .chain(header.iter_mut())
                    .chain(rows.iter_mut().flatten());
                cells.for_each(|cell| typographic(cell, quotes));
            }
            Block::List { items, .. } => {
                items.iter_mut().for_each(|i| typographic_blocks(i, quotes))
            }
            Block::Quote { blocks } => typographic_blocks(blocks, quotes),
            Block::Equation { .. } | Block::Rule => {}
        }
    }
}

/// A plain string (a name: O'Connor → O’Connor) with its quotes and minus signs set.
pub fn typographic_text(text: &str) -> String {
    substitute(text, &mut Cursor::new(Quotes::ENGLISH))
}

/// Names as the book prints them.
pub fn typographic_names(names: &[String]) -> Vec<String> {
    names.iter().map(|n| typographic_text(n)).collect()
}

fn substitute(text: &str, at: &mut Cursor) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let q = at.quotes;
        let after_space = at
            .before
            .is_none_or(|b| b.is_whitespace() || "([{<“‘—–/«„‚「『（".contains(b));
        // In CJK text a quotation opens right after a letter or a mark.
        let after_cjk = q.cjk && at.before.is_some_and(|b| is_cjk_letter(b) || is_cjk(b));
        // An open quotation closes before a space, a stop or the end, even after a
        // space (French typists put one inside: `" non "`).
        let at_end = next.is_none_or(|n| n.is_whitespace() || ".,;:!?)]}".contains(n));
        let opens = !(at.double_open && at_end) && (after_space || (after_cjk && !at.double_open));
        match c {
            '"' if opens => {
                out.push_str(q.double.0);
                at.double_open = true;
            }
            '"' => {
                trim_inner_space(&mut out, q.double.1);
                out.push_str(q.double.1);
                at.double_open = false;
            }
            '\'' if (after_space || (after_cjk && !at.single_open))
                && next.is_some_and(char::is_alphanumeric) =>
            {
                out.push_str(q.single.0);
                at.single_open = true;
            }
            // A closing single quote where one is open; else an apostrophe.
            '\'' if at.single_open => {
                out.push_str(q.single.1);
                at.single_open = false;
            }
            '\'' => out.push('’'),
            '-' if next.is_some_and(|n| n.is_ascii_digit()) && is_minus_after(at.before) => {
                out.push('−')
            }
            // The space typed inside French quotation marks is theirs already.
            ' ' if out.ends_with('\u{202F}') && at.double_open => {}
            c => out.push(c),
        }
        at.before = out.chars().last();
    }
    out
}

/// Before a closing mark that brings its own space (French), drops the one typed.
fn trim_inner_space(out: &mut String, close: &str) {
    if close.starts_with('\u{202F}') {
        let kept = out.trim_end_matches(' ').len();
        out.truncate(kept);
    }
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
        typographic_text(text)
    }

    fn set_in(tag: &str, text: &str) -> String {
        let lang = Lang::parse(tag).unwrap();
        substitute(text, &mut Cursor::new(Quotes::of(&lang)))
    }

    #[test]
    fn each_language_takes_its_own_quotation_marks() {
        let cases = [
            (
                "en",
                r#"he said "it's 'fine'" then"#,
                "he said “it’s ‘fine’” then",
            ),
            (
                "de",
                r#"er sagte "geht's 'gut'" dann"#,
                "er sagte „geht’s ‚gut‘“ dann",
            ),
            (
                "fr",
                r#"il dit "oui" puis " non ""#,
                "il dit «\u{202F}oui\u{202F}» puis «\u{202F}non\u{202F}»",
            ),
            ("es", r#"dijo "sí""#, "dijo «sí»"),
            (
                "ja",
                r#"彼は"はい"と言い、'本'を"#,
                "彼は「はい」と言い、『本』を",
            ),
            ("zh-TW", r#"他說"好"。"#, "他說「好」。"),
            ("zh", r#"他说"好"。"#, "他说“好”。"),
            ("ko", r#"그는 "네"라고"#, "그는 “네”라고"),
        ];
        for (tag, typed, printed) in cases {
            assert_eq!(set_in(tag, typed), printed, "{tag}");
        }
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
        typographic(&mut runs, Quotes::ENGLISH);
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
