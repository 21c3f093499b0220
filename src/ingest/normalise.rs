//! Editorial normalisation of cleaned text: spacing, punctuation, chemistry.
//!
//! Every rule here is one layouts/typography.md (§9) asks for and that can be applied
//! without reading the sentence; anything that needs judgement is left as the author
//! wrote it.

use crate::model::is_han;
use crate::model::text::{is_cjk, is_latinish};

/// Applies every rule to one field of running text.
pub fn normalise(text: &str) -> String {
    let text = fix_characters(text);
    let text = cjk_punctuation(&text);
    let text = remove_cjk_latin_spaces(&text);
    let text = dashes_and_ranges(&text);
    chemistry(&text)
}

/// Extraction look-alikes and full-width ASCII (Ａ１ → A1).
fn fix_characters(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{0138}' => 'κ', // kra, mistaken for Greek kappa in "NF-ĸB"
            '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' | '\u{FF10}'..='\u{FF19}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '~' => '～', // a range between numbers; ASCII ~ is also markup
            '＜' => '<', // statistics: P<0.05 with ASCII signs
            '＞' => '>',
            '^' => '＾',
            c => c,
        })
        .collect()
}

/// ASCII , ; : between Han become full-width, as do ( ) that enclose Han text or follow
/// Han; formula parentheses such as 1,25(OH)2D3 stay ASCII.
///
/// One pass: what lies ahead (the next non-space character, `)`, Han, parenthesis) is
/// found by forward scans that never go back, so a long text full of `(` or spaces
/// takes linear time.
fn cjk_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut next_non_space = Ahead::new(|c| c != ' ');
    let mut next_close = Ahead::new(|c| c == ')');
    let mut next_han = Ahead::new(is_han);
    let mut next_paren = Ahead::new(|c| matches!(c, '(' | ')'));
    // The last non-space character before this one.
    let mut prev: Option<char> = None;
    // The last parenthesis before this one: `Some(converts)` for a `(`, whether it
    // follows Han or encloses Han; `None` for a `)` or none yet.
    let mut open: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let after = i + c.len_utf8();
        let han_before = prev.is_some_and(is_cjk);
        let mut han_after = || next_non_space.find(text, after).is_some_and(is_han);
        let replaced = match c {
            ',' if han_before && han_after() => '，',
            ';' if han_before && han_after() => '；',
            ':' if han_before => '：',
            '(' => {
                let close = next_close.find_at(text, after).unwrap_or(text.len());
                let encloses_han = next_han.find_at(text, after).is_some_and(|h| h < close);
                let converts = han_before || encloses_han;
                open = Some(converts);
                // Only a flat pair converts: the next parenthesis must close this one.
                match converts && next_paren.find(text, after) == Some(')') {
                    true => '（',
                    false => c,
                }
            }
            ')' => match open.take() {
                Some(true) => '）',
                _ => c,
            },
            c => c,
        };
        out.push(replaced);
        if c != ' ' {
            prev = Some(c);
        }
    }
    out
}

/// The next character at or after a byte offset that satisfies a predicate. Offsets
/// asked for must not decrease; then every character is scanned at most once.
struct Ahead<P> {
    pred: P,
    /// `(from, found)`: the answer for the last offset asked.
    last: Option<(usize, Option<usize>)>,
}

impl<P: Fn(char) -> bool> Ahead<P> {
    fn new(pred: P) -> Self {
        Ahead { pred, last: None }
    }

    /// Byte offset of the next match at or after `from`.
    fn find_at(&mut self, text: &str, from: usize) -> Option<usize> {
        if let Some((last_from, found)) = self.last {
            // Nothing matched between `last_from` and `found`, so it still answers.
            if last_from <= from && found.is_none_or(|f| f >= from) {
                return found;
            }
        }
        let found = text[from..]
            .char_indices()
            .find(|&(_, c)| (self.pred)(c))
            .map(|(j, _)| from + j);
        self.last = Some((from, found));
        found
    }

    /// The next matching character at or after `from`.
    fn find(&mut self, text: &str, from: usize) -> Option<char> {
        let at = self.find_at(text, from)?;
        text[at..].chars().next()
    }
}

/// Removes literal spaces between Han/CJK punctuation and Latin text (the old layout
/// engine typed them; the typesetter now makes the Han–Latin gap itself) and spaces
/// next to CJK punctuation.
fn remove_cjk_latin_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut next_non_space = Ahead::new(|c| c != ' ');
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            let next = next_non_space.find(text, i + 1);
            let (Some(a), Some(b)) = (prev, next) else {
                continue;
            };
            let cjk_latin = (is_cjk(a) && is_latinish(b)) || (is_latinish(a) && is_cjk(b));
            let at_punct =
                crate::model::text::is_cjk_punct(a) || crate::model::text::is_cjk_punct(b);
            if cjk_latin || at_punct || out.ends_with(' ') {
                continue;
            }
        } else {
            prev = Some(c);
        }
        out.push(c);
    }
    out
}

/// Hyphens that the old layout used for what GB/T 15834 writes otherwise: a span of
/// years takes 一字线 (2015—2019年), a range of numbers with a unit or % the wave
/// dash (53～77岁, 20%～30%), a run of hyphens between Han the dash ——. Codes keep
/// their hyphen (L1-3, PTH1-84, IRS-1), as does any range whose meaning is unclear.
fn dashes_and_ranges(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '-' {
            let run = chars[i..].iter().take_while(|c| **c == '-').count();
            let between_han =
                i > 0 && is_han(chars[i - 1]) && chars.get(i + run).is_some_and(|c| is_han(*c));
            if run >= 3 && between_han {
                out.push_str("——");
                i += run;
                continue;
            }
            if run == 1
                && let Some(dash) = range_dash(&chars, i)
            {
                out.push(dash);
                i += 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The dash for the hyphen at `at` if it joins two numbers as a range.
fn range_dash(chars: &[char], at: usize) -> Option<char> {
    let numeric = |c: &char| c.is_ascii_digit() || *c == '.' || *c == '%';
    let left_len = chars[..at].iter().rev().take_while(|c| numeric(c)).count();
    let right_len = chars[at + 1..].iter().take_while(|c| numeric(c)).count();
    let (left, right) = (
        &chars[at - left_len..at],
        &chars[at + 1..at + 1 + right_len],
    );
    let starts_digit = |s: &[char]| s.first().is_some_and(|c| c.is_ascii_digit());
    if !starts_digit(left) || !starts_digit(right) {
        return None;
    }
    let before = (at > left_len).then(|| chars[at - left_len - 1]);
    let code_before =
        before.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/'));
    let after = chars.get(at + 1 + right_len).copied();
    if code_before || after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let year =
        |s: &[char]| s.len() == 4 && (s.starts_with(&['1', '9']) || s.starts_with(&['2', '0']));
    if year(left) && year(right) {
        return Some('—');
    }
    let unit = after.is_some_and(|c| "岁例个次周天月年名人".contains(c));
    (unit || right.ends_with(&['%'])).then_some('～')
}

/// The chemistry rule table: flattened sub/superscripts that are unambiguous,
/// rewritten in confbook's inline markup (`~sub~`, `^sup^`). Each pattern is literal
/// text; anything not in the table (HER2+, K2, PTH1-84) is left alone.
pub const CHEMISTRY: &[(&str, &str)] = &[
    ("(OH)2D3", "(OH)~2~D~3~"),
    ("(OH)2D2", "(OH)~2~D~2~"),
    ("(OH)2D", "(OH)~2~D"),
    ("（OH）2D3", "(OH)~2~D~3~"),
    ("（OH）2D", "(OH)~2~D"),
    ("(OH)D3", "(OH)D~3~"),
    ("(OH)D2", "(OH)D~2~"),
    ("Ca2+", "Ca^2+^"),
    ("Mg2+", "Mg^2+^"),
    ("Zn2+", "Zn^2+^"),
    ("Fe3+", "Fe^3+^"),
    ("Fe2+", "Fe^2+^"),
    ("Na+", "Na^+^"),
    ("K+", "K^+^"),
    ("HPO42-", "HPO~4~^2-^"),
    ("PO43-", "PO~4~^3-^"),
    ("CO2", "CO~2~"),
    ("H2O", "H~2~O"),
    ("g/cm2", "g/cm^2^"),
    ("kg/m2", "kg/m^2^"),
    ("g/cm3", "g/cm^3^"),
    ("mg/cm3", "mg/cm^3^"),
    ("fl/fl", "^fl/fl^"),
    ("fl/+", "^fl/+^"),
];

/// The bytes a pattern of [`CHEMISTRY`] starts with.
static PATTERN_STARTS: std::sync::LazyLock<[bool; 256]> = std::sync::LazyLock::new(|| {
    let mut starts = [false; 256];
    for (from, _) in CHEMISTRY {
        starts[from.as_bytes()[0] as usize] = true;
    }
    starts
});

/// Applies [`CHEMISTRY`] where the pattern stands alone: not inside a longer word
/// ("K+" in "CK+", "CO2" in "CO2R"). A genotype's space before fl/fl goes.
fn chemistry(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        // Most characters start no pattern: tried against all of them, they made this
        // the slowest step of importing 10,000 abstracts.
        let candidates = match PATTERN_STARTS[rest.as_bytes()[0] as usize] {
            true => CHEMISTRY,
            false => &[],
        };
        for (from, to) in candidates {
            if rest.starts_with(from) && stands_alone(&out, &rest[from.len()..], from) {
                if from.starts_with("fl/") && out.ends_with(' ') {
                    out.pop();
                }
                out.push_str(to);
                rest = &rest[from.len()..];
                continue 'scan;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn stands_alone(before: &str, after: &str, pattern: &str) -> bool {
    let prev = before.chars().last();
    let next = after.chars().next();
    let glued_before = pattern.starts_with(|c: char| c.is_ascii_alphabetic())
        && prev.is_some_and(|c| c.is_ascii_alphanumeric())
        && !pattern.starts_with("fl/");
    let glued_after = next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-');
    !glued_before && !glued_after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_latin_spaces_go() {
        assert_eq!(
            normalise("维生素 D 对骨骼和肌肉的直接作用"),
            "维生素D对骨骼和肌肉的直接作用"
        );
        assert_eq!(normalise("自从 1987 年椎体成形术"), "自从1987年椎体成形术");
        assert_eq!(normalise("其中的 3/4。 临床上"), "其中的3/4。临床上");
        assert_eq!(
            normalise("bone mineral density (BMD)"),
            "bone mineral density (BMD)"
        );
        assert_eq!(normalise("骨松科普 永无止境"), "骨松科普 永无止境");
    }

    #[test]
    fn chinese_punctuation() {
        assert_eq!(
            normalise("慢性疾病,其发病机制尚不清楚,在其"),
            "慢性疾病，其发病机制尚不清楚，在其"
        );
        assert_eq!(
            normalise("双能 x 射线吸收仪(DXA)系统"),
            "双能x射线吸收仪（DXA）系统"
        );
        assert_eq!(normalise("1,25(OH)2D3 促进"), "1,25(OH)~2~D~3~促进");
        assert_eq!(
            normalise("(Mesenchymal stem cells, MSC)"),
            "(Mesenchymal stem cells, MSC)"
        );
        assert_eq!(normalise("40~45%为蛋白"), "40～45%为蛋白");
        assert_eq!(normalise("细胞核因子-ĸB"), "细胞核因子-κB");
    }

    #[test]
    fn dashes_and_ranges_follow_gb_15834() {
        assert_eq!(
            normalise("方法 本研究选取了 2015-2019 年"),
            "方法 本研究选取了2015—2019年"
        );
        assert_eq!(normalise("（2012-2030 年）"), "（2012—2030年）");
        assert_eq!(normalise("年龄 53-77 岁"), "年龄53～77岁");
        assert_eq!(normalise("儿童 3-17 岁儿童骨密度"), "儿童3～17岁儿童骨密度");
        assert_eq!(normalise("占 20%-30%，"), "占20%～30%，");
        assert_eq!(normalise("钙化悖论-----血管钙化"), "钙化悖论——血管钙化");
        assert_eq!(normalise("p＜0.01"), "p<0.01");
        // Codes and unclear ranges keep their hyphen.
        for code in [
            "L1-3 BMD",
            "PTH1-84",
            "IRS-1是",
            "腰椎1-4的",
            "HR-pQCT",
            "CD4-8",
            "1-羟基酶",
        ] {
            assert_eq!(dashes_and_ranges(code), code);
        }
    }

    #[test]
    fn chemistry_table() {
        assert_eq!(chemistry("1,25-(OH)2D3 等"), "1,25-(OH)~2~D~3~ 等");
        assert_eq!(chemistry("25(OH)D3 及"), "25(OH)D~3~ 及");
        assert_eq!(
            chemistry("活性1,25（OH）2D的合成"),
            "活性1,25(OH)~2~D的合成"
        );
        assert_eq!(chemistry("血 Ca2+ 浓度"), "血 Ca^2+^ 浓度");
        assert_eq!(chemistry("lncRNA H19fl/fl"), "lncRNA H19^fl/fl^");
        assert_eq!(chemistry("Arid1a fl/fl; Lyz2"), "Arid1a^fl/fl^; Lyz2");
        assert_eq!(chemistry("H19fl/+小鼠"), "H19^fl/+^小鼠");
        assert_eq!(chemistry("1.10 g/cm2。"), "1.10 g/cm^2^。");
        // Not in the table, or not standing alone: left as written.
        assert_eq!(chemistry("HER2+）"), "HER2+）");
        assert_eq!(chemistry("CK+ 细胞"), "CK+ 细胞");
        assert_eq!(chemistry("维生素 K2 在"), "维生素 K2 在");
        assert_eq!(chemistry("25(OH)D 等"), "25(OH)D 等");
    }
}
