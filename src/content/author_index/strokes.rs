//! Stroke order for traditional Chinese (`index_order = "stroke"`): Han names by the
//! total strokes of each character in turn, the surname's first; equal counts by the
//! Kangxi radical, then by code point. The counts and radicals are Unihan's
//! (kTotalStrokes, the traditional-Chinese count where it gives two; kRSUnicode),
//! for U+3400–U+9FFF, in strokes.bin, which `scripts/unihan-strokes` writes.

use unicode_normalization::UnicodeNormalization;

/// Two bytes per code point from [`FIRST`]: total strokes, radical (0 0: none known).
const TABLE: &[u8] = include_bytes!("strokes.bin");
const FIRST: u32 = 0x3400;

/// Characters without a count sort after every counted one.
const UNCOUNTED: u8 = u8::MAX;

/// How one character sorts: strokes, radical, code point.
pub(super) type CharKey = (u8, u8, u32);

/// The strokes and radical of a Han character, a compatibility ideograph counted as
/// its unified one; `None` outside the table or where Unihan has no count.
pub(super) fn strokes(c: char) -> Option<(u8, u8)> {
    let unified = c.nfd().next().unwrap_or(c);
    let at = 2 * (unified as u32).checked_sub(FIRST)? as usize;
    match TABLE.get(at..at + 2)? {
        [0, _] => None,
        [count, radical] => Some((*count, *radical)),
        _ => None,
    }
}

/// A name's key: each letter's strokes, radical and code point, in order.
pub(super) fn key(name: &str) -> Vec<CharKey> {
    let letters = name.chars().filter(|c| c.is_alphanumeric());
    letters
        .map(|c| {
            let (count, radical) = strokes(c).unwrap_or((UNCOUNTED, UNCOUNTED));
            (count, radical, c as u32)
        })
        .collect()
}

/// The heading of `count` strokes: "3畫".
pub(super) fn label(count: u8) -> String {
    format!("{count}畫")
}
