//! Spans of body text that must not break across lines, marked in the data so that
//! the layout sets each in a box.
//!
//! Chinese (GB rules Typst's line breaker does not know): never break a code or
//! compound at its hyphen or slash (PLC-γ1, Lyz2-Cre, BV/TV), nor a number from its
//! unit (2019年, 53岁; Japanese text too, with 歳 and 週). Each span takes the Han or
//! kana character on either side, so that Typst's CJK–Latin space stays inside the
//! box. Latin-script text (typography.md §6):
//! a relation stays with its number (`p < 0.001`, `n = 12`), a number with its unit
//! (`7.0 pmol/L`), a range whole (`1.12–1.72`). Korean (as Korean books are set,
//! CSS's `word-break: keep-all`): a line breaks only at the spaces between words,
//! never inside one, which Typst's line breaker (UAX #14: between any two Hangul
//! syllables) does not know; each word is a span. (A word joiner, U+2060, would hold them together too,
//! but it stays in the PDF's text: searching "2019年" fails and pasted text carries
//! it.) The spans are found here rather than by `show regex: box` rules in the
//! layout: the same regular expressions, found once per build instead of on every
//! text element in every layout pass.

use std::sync::LazyLock;

use regex::Regex;

use crate::markdown::{Block, Inline};

/// Whose rules find the spans: Chinese (and Japanese) text's, Korean text's or
/// Latin-script text's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Han,
    Hangul,
    Latin,
}

impl Script {
    /// Hangul where the text has any Hangul, else Han where it has any Han
    /// character, else Latin.
    pub fn of(text: &str) -> Script {
        use crate::model::text::{is_han, is_hangul};
        if text.chars().any(is_hangul) {
            Script::Hangul
        } else if text.chars().any(is_han) {
            Script::Han
        } else {
            Script::Latin
        }
    }

    /// The rules; should two spans start at the same place, the first rule's wins.
    fn rules(self) -> &'static [Regex] {
        match self {
            Script::Han => &*HAN_RULES,
            Script::Hangul => &*HANGUL_RULES,
            Script::Latin => &*LATIN_RULES,
        }
    }
}

static HANGUL_RULES: LazyLock<[Regex; 1]> = LazyLock::new(|| {
    // A word with Hangul in it, with what clings to it (punctuation, digits, Latin).
    [Regex::new(r"[^\s]*\p{Hangul}[^\s]*").expect("valid")]
});

static LATIN_RULES: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    [
        // A relation with its number, and the symbol before it: p < 0.001, (≥ 2).
        Regex::new(r"(?:\b[A-Za-z]{1,3} ?)?[<>=≤≥±] ?[-−]?\d[\d.,]*").expect("valid"),
        // A number and its unit (a unit is followed by no letter: not "12 men").
        Regex::new(r"\d[\d.,]* ?(?:%|(?:[mµμnpk]?mol|[mµμnpk]?g|[mµμ]?L|[mc]?m|IU|kPa|mmHg|h|min|s)(?:/[A-Za-zµμ0-9.²³]+)*\b)")
            .expect("valid"),
        // A range of numbers.
        Regex::new(r"\d[\d.]* ?[–-] ?\d[\d.]*").expect("valid"),
    ]
});

static HAN_RULES: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    [
        // A number and its unit.
        Regex::new(r"[\p{Han}\p{Hiragana}\p{Katakana}]?[\d.]*\d[年月日岁歳例个次名周週天]")
            .expect("valid"),
        // A code or compound joined by hyphens or slashes.
        Regex::new(r"[\p{Han}\p{Hiragana}\p{Katakana}]?[\p{Latin}\p{Greek}\d.]+(?:[-/][\p{Latin}\p{Greek}\d.]+)+[\p{Han}\p{Hiragana}\p{Katakana}]?")
            .expect("valid"),
    ]
});

/// Every run of `blocks` with its spans to keep together marked, by `script`'s rules.
pub fn keep_blocks(blocks: &mut [Block], script: Script) {
    for block in blocks {
        match block {
            Block::Par { runs, .. }
            | Block::Heading { runs, .. }
            | Block::Figure { caption: runs, .. } => keep_runs(runs, script),
            Block::Table { header, rows, .. } => header
                .iter_mut()
                .chain(rows.iter_mut().flatten())
                .for_each(|cell| keep_runs(cell, script)),
            Block::List { items, .. } => {
                items.iter_mut().for_each(|item| keep_blocks(item, script))
            }
            Block::Quote { blocks } => keep_blocks(blocks, script),
            Block::Equation { .. } | Block::Rule => {}
        }
    }
}

fn keep_runs(runs: &mut Vec<Inline>, script: Script) {
    *runs = keep_together(std::mem::take(runs), script);
}

/// `runs` with every span to keep together split off its text run (a text run as
/// `Keep`, a sub/superscript as its boxed form).
pub fn keep_together(runs: Vec<Inline>, script: Script) -> Vec<Inline> {
    let rules = script.rules();
    let mut out = Vec::with_capacity(runs.len());
    for run in runs {
        match run {
            Inline::Text(text) => split(&text, rules, &mut out),
            Inline::Sub(s) if leftmost(&s, rules).is_some() => out.push(Inline::SubBox(s)),
            Inline::Sup(s) if leftmost(&s, rules).is_some() => out.push(Inline::SupBox(s)),
            Inline::Emph(rs) => out.push(Inline::Emph(keep_together(rs, script))),
            Inline::Strong(rs) => out.push(Inline::Strong(keep_together(rs, script))),
            other => out.push(other),
        }
    }
    out
}

/// A Han title's last two characters, kept on one line: a title never leaves one
/// character alone on its last line (孤字), wherever it is set — in the contents a
/// presenter's name follows it on that line, so a cost on short last lines does not
/// see it.
pub fn keep_title_end(runs: &mut Vec<Inline>) {
    let Some(Inline::Text(text)) = runs.last_mut() else {
        return;
    };
    let Some((cut, _)) = text.char_indices().rev().nth(1) else {
        return;
    };
    let tail = &text[cut..];
    if tail.chars().any(char::is_whitespace) || !tail.chars().any(crate::model::text::is_han) {
        return;
    }
    let tail = text.split_off(cut);
    if text.is_empty() {
        runs.pop();
    }
    runs.push(Inline::Keep(tail));
}

/// Splits `text` into plain runs and spans: the leftmost span first, then the rest
/// of the text searched anew.
fn split(mut text: &str, rules: &[Regex], out: &mut Vec<Inline>) {
    while let Some(span) = leftmost(text, rules) {
        if span.start > 0 {
            out.push(Inline::Text(text[..span.start].to_string()));
        }
        out.push(Inline::Keep(text[span.clone()].to_string()));
        text = &text[span.end..];
    }
    if !text.is_empty() {
        out.push(Inline::Text(text.to_string()));
    }
}

/// The leftmost span of any rule; on a tie, the earlier rule's.
fn leftmost(text: &str, rules: &[Regex]) -> Option<std::ops::Range<usize>> {
    rules
        .iter()
        .filter_map(|rule| rule.find(text))
        .filter(|m| !m.range().is_empty())
        .min_by_key(|m| m.start())
        .map(|m| m.range())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text`'s runs by `script`'s rules, a kept span in brackets.
    fn kept(text: &str, script: Script) -> Vec<String> {
        keep_together(vec![Inline::Text(text.into())], script)
            .into_iter()
            .map(|r| match r {
                Inline::Keep(keep) => format!("[{keep}]"),
                Inline::Text(t) => t,
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn kept_han(text: &str) -> Vec<String> {
        kept(text, Script::Han)
    }

    fn kept_latin(text: &str) -> Vec<String> {
        kept(text, Script::Latin)
    }

    #[test]
    fn a_han_title_keeps_its_last_two_characters_together() {
        let title = |text: &str| {
            let mut runs = vec![Inline::Text(text.into())];
            keep_title_end(&mut runs);
            runs
        };
        let keep = |t: &str| Inline::Keep(t.into());
        let text = |t: &str| Inline::Text(t.into());
        assert_eq!(title("骨代谢研究"), [text("骨代谢"), keep("研究")]);
        assert_eq!(title("研究"), [keep("研究")]);
        assert_eq!(title("骨"), [text("骨")]);
        // Latin ends, and a space, are the Latin rules' to handle.
        assert_eq!(title("骨代谢 study"), [text("骨代谢 study")]);
        assert_eq!(title("骨 X"), [text("骨 X")]);
    }

    #[test]
    fn latin_relations_units_and_ranges_stay_whole() {
        assert_eq!(
            kept_latin("lower (p < 0.001) in 12 men"),
            ["lower (", "[p < 0.001]", ") in 12 men"]
        );
        assert_eq!(
            kept_latin("PTH 7.0 pmol/L and 25 mg/kg"),
            ["PTH ", "[7.0 pmol/L]", " and ", "[25 mg/kg]"]
        );
        assert_eq!(
            kept_latin("HR 1.48 (95% CI 1.12–1.72)"),
            ["HR 1.48 (", "[95%]", " CI ", "[1.12–1.72]", ")"]
        );
        assert_eq!(
            kept_latin("n = 12 per group, 12 groups"),
            ["[n = 12]", " per group, 12 groups"]
        );
    }

    #[test]
    fn numbers_keep_their_units_and_the_han_before_them() {
        assert_eq!(
            kept_han("患者53岁，于2019年就诊"),
            ["患", "[者53岁]", "，", "[于2019年]", "就诊"]
        );
    }

    #[test]
    fn japanese_numbers_keep_their_units_and_the_kana_before_them() {
        assert_eq!(
            kept_han("2019年から2023年まで65歳以上"),
            ["[2019年]", "か", "[ら2023年]", "ま", "[で65歳]", "以上"]
        );
    }

    #[test]
    fn korean_words_are_kept_whole_and_break_at_their_spaces() {
        assert_eq!(
            kept("우리는 IL-6의 값을 측정하였다.", Script::Hangul),
            [
                "[우리는]",
                " ",
                "[IL-6의]",
                " ",
                "[값을]",
                " ",
                "[측정하였다.]"
            ]
        );
    }

    #[test]
    fn compounds_keep_their_joins_and_the_han_on_either_side() {
        assert_eq!(
            kept_han("检测PLC-γ1和BV/TV。"),
            ["检", "[测PLC-γ1和]", "[BV/TV]", "。"]
        );
        // Latin text: nothing Han to take.
        assert_eq!(
            kept_han("the Lyz2-Cre mice"),
            ["the ", "[Lyz2-Cre]", " mice"]
        );
    }

    #[test]
    fn the_leftmost_span_wins_and_the_rest_is_searched_again() {
        // A range with its unit is one compound.
        assert_eq!(kept_han("期间2019-2020年"), ["期", "[间2019-2020年]"]);
        assert_eq!(kept_han("间2019年-2020年"), ["[间2019年]", "-", "[2020年]"]);
    }

    #[test]
    fn a_script_holding_a_span_is_boxed_whole() {
        let runs = vec![Inline::Sup("fl/fl".into()), Inline::Sup("fl/+".into())];
        let json = serde_json::to_string(&keep_together(runs, Script::Han)).unwrap();
        assert_eq!(json, r#"[{"sup-box":"fl/fl"},{"sup":"fl/+"}]"#);
    }

    #[test]
    fn text_without_spans_and_other_runs_pass_unchanged() {
        let runs = vec![
            Inline::Text("骨密度".into()),
            Inline::Sub("2".into()),
            Inline::Text("D".into()),
        ];
        assert_eq!(keep_together(runs.clone(), Script::Han), runs);
    }
}
