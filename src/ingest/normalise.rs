//! Editorial normalisation of cleaned text: spacing, punctuation, chemistry.
//!
//! Every rule here is one the style spec asks for and that can be applied without
//! reading the sentence; anything that needs judgement is left as the author wrote it.

use super::text::{is_cjk, is_latinish};
use crate::model::is_han;

/// Applies every rule to one field of running text.
pub fn normalise(text: &str) -> String {
    let text = fix_characters(text);
    let text = cjk_punctuation(&text);
    let text = remove_cjk_latin_spaces(&text);
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
            '^' => '＾',
            c => c,
        })
        .collect()
}

/// ASCII , ; : between Han become full-width, as do ( ) that enclose Han text or follow
/// Han; formula parentheses such as 1,25(OH)2D3 stay ASCII.
fn cjk_punctuation(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = chars[..i].iter().rev().find(|c| **c != ' ').copied();
        let next = chars[i + 1..].iter().find(|c| **c != ' ').copied();
        let han_before = prev.is_some_and(is_cjk);
        let han_after = next.is_some_and(is_han);
        let replaced = match c {
            ',' if han_before && han_after => '，',
            ';' if han_before && han_after => '；',
            ':' if han_before => '：',
            '(' if han_before || paren_content_has_han(&chars[i + 1..]) => match closing(&chars, i)
            {
                Some(_) => '（',
                None => c,
            },
            ')' if opening(&chars, i).is_some_and(|o| o != '(') => '）',
            c => c,
        };
        out.push(replaced);
    }
    out
}

fn paren_content_has_han(rest: &[char]) -> bool {
    rest.iter().take_while(|c| **c != ')').any(|c| is_han(*c))
}

/// Index of the `)` closing the `(` at `at`, if the pair is flat (no nesting).
fn closing(chars: &[char], at: usize) -> Option<usize> {
    let end = chars[at + 1..]
        .iter()
        .position(|c| matches!(c, '(' | ')'))?;
    (chars[at + 1 + end] == ')').then_some(at + 1 + end)
}

/// The opening parenthesis this `)` closes, as it will be written: '（' when the
/// `(` was converted. Recomputes the decision made for the opening one.
fn opening(chars: &[char], at: usize) -> Option<char> {
    let start = chars[..at].iter().rposition(|c| matches!(c, '(' | ')'))?;
    if chars[start] != '(' {
        return None;
    }
    let prev = chars[..start].iter().rev().find(|c| **c != ' ').copied();
    let converted = prev.is_some_and(is_cjk) || paren_content_has_han(&chars[start + 1..]);
    Some(if converted { '（' } else { '(' })
}

/// Removes literal spaces between Han/CJK punctuation and Latin text (the old layout
/// engine typed them; the typesetter now makes the Han–Latin gap itself) and spaces
/// next to CJK punctuation.
fn remove_cjk_latin_spaces(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = chars[..i].iter().rev().find(|c| **c != ' ').copied();
            let next = chars[i + 1..].iter().find(|c| **c != ' ').copied();
            let (Some(a), Some(b)) = (prev, next) else {
                continue;
            };
            let cjk_latin = (is_cjk(a) && is_latinish(b)) || (is_latinish(a) && is_cjk(b));
            let at_punct = super::text::is_cjk_punct(a) || super::text::is_cjk_punct(b);
            if cjk_latin || at_punct || out.ends_with(' ') {
                continue;
            }
        }
        out.push(c);
    }
    out
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
];

/// Applies [`CHEMISTRY`] where the pattern stands alone: not inside a longer word
/// ("K+" in "CK+", "CO2" in "CO2R"). A genotype's space before fl/fl goes.
fn chemistry(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for (from, to) in CHEMISTRY {
            if rest.starts_with(from) && stands_alone(&out, &rest[from.len()..], from) {
                if *from == "fl/fl" && out.ends_with(' ') {
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
        assert_eq!(chemistry("1.10 g/cm2。"), "1.10 g/cm^2^。");
        // Not in the table, or not standing alone: left as written.
        assert_eq!(chemistry("HER2+）"), "HER2+）");
        assert_eq!(chemistry("CK+ 细胞"), "CK+ 细胞");
        assert_eq!(chemistry("维生素 K2 在"), "维生素 K2 在");
        assert_eq!(chemistry("25(OH)D 等"), "25(OH)D 等");
    }
}
