//! How far a text run reaches: the advance widths of its glyphs (from the font's
//! `Widths` or a CIDFont's `W`) and the font's ascent and descent, with the text state
//! of PDF 32000-1, 9.3 (size, character and word spacing, scaling, rise) and the
//! position adjustments of `TJ`.

use std::sync::Arc;

use hayro_syntax::object::{Array, Dict, Number, Object};

use super::resources::descendant;
use crate::pdf::boxes::Rect;

/// A piece of a text-showing operation: a string, or a `TJ` adjustment in thousandths
/// of the font size.
pub(super) enum Piece<'a> {
    Text(hayro_syntax::object::String<'a>),
    Adjust(f64),
}

/// The text state (saved with the graphics state).
#[derive(Debug, Clone)]
pub(super) struct TextState {
    pub font: Option<Arc<Metrics>>,
    pub size: f64,
    pub char_spacing: f64,
    pub word_spacing: f64,
    /// Horizontal scaling as a factor (`Tz` / 100).
    pub scale: f64,
    pub leading: f64,
    pub rise: f64,
}

impl Default for TextState {
    fn default() -> Self {
        TextState {
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

impl TextState {
    /// The rectangle the run covers in text space (from the origin, along its advances,
    /// between descent and ascent) and how far it moves the text position.
    pub(super) fn extent<'a>(&self, pieces: impl IntoIterator<Item = Piece<'a>>) -> (Rect, f64) {
        let (size, scale) = (self.size, self.scale);
        let (mut x, mut lo, mut hi) = (0.0f64, 0.0f64, 0.0f64);
        let font = self.font.as_deref();
        for piece in pieces {
            match piece {
                Piece::Adjust(n) => x -= n / 1000.0 * size * scale,
                Piece::Text(text) => {
                    for (code, width) in font.map(|f| f.glyphs(&text)).into_iter().flatten() {
                        let glyph = width * size * scale;
                        (lo, hi) = (lo.min(x.min(x + glyph)), hi.max(x.max(x + glyph)));
                        let space = if code == Some(32) {
                            self.word_spacing
                        } else {
                            0.0
                        };
                        x += glyph + (self.char_spacing + space) * scale;
                    }
                }
            }
        }
        let (descent, ascent) = font.map_or((0.0, 0.0), |f| (f.descent, f.ascent));
        let rect = [
            lo,
            descent * size + self.rise,
            hi,
            ascent * size + self.rise,
        ];
        (rect, x)
    }
}

/// What a font says about its glyphs' size, in text-space units per unit of font size.
#[derive(Debug)]
pub(super) struct Metrics {
    /// A Type0 font's codes are two bytes (Identity-H, as Typst writes them).
    two_byte: bool,
    /// Advances by code, from code 0 (codes are at most two bytes: 64 Ki entries).
    widths: Vec<f64>,
    default_width: f64,
    ascent: f64,
    descent: f64,
}

impl Metrics {
    pub(super) fn read(font: &Dict<'_>) -> Metrics {
        // Type 3 glyph space is the font's own (FontMatrix); the others' is 1/1000.
        let matrix = font.get::<[f64; 6]>(b"FontMatrix");
        let (sx, sy) = matrix.map_or((0.001, 0.001), |m| (m[0], m[3]));
        let cid = descendant(font);
        let glyphs = cid.clone().unwrap_or_else(|| font.clone());
        let descriptor = glyphs
            .get::<Dict<'_>>(b"FontDescriptor")
            .unwrap_or_default();
        let mut table = Table::new(sx);
        let default = match &cid {
            Some(cid) => {
                cid_widths(cid, &mut table);
                cid.get::<f64>(b"DW").unwrap_or(1000.0)
            }
            None => {
                simple_widths(font, &mut table);
                descriptor.get::<f64>(b"MissingWidth").unwrap_or(0.0)
            }
        };
        let bbox = glyphs
            .get::<[f64; 4]>(b"FontBBox")
            .or(descriptor.get::<[f64; 4]>(b"FontBBox"));
        let ascent = descriptor.get::<f64>(b"Ascent").or(bbox.map(|b| b[3]));
        let descent = descriptor.get::<f64>(b"Descent").or(bbox.map(|b| b[1]));
        Metrics {
            two_byte: cid.is_some(),
            widths: table.widths,
            default_width: default * sx,
            ascent: ascent.unwrap_or(0.0) * sy,
            descent: descent.unwrap_or(0.0) * sy,
        }
    }

    /// Each glyph's code (for word spacing: single-byte codes only) and advance.
    fn glyphs<'a>(&'a self, bytes: &'a [u8]) -> impl Iterator<Item = (Option<u32>, f64)> + 'a {
        let step = if self.two_byte { 2 } else { 1 };
        bytes.chunks(step).map(move |c| {
            let code = c.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
            let width = match self.widths.get(code as usize) {
                Some(&w) if !w.is_nan() => w,
                _ => self.default_width,
            };
            ((!self.two_byte).then_some(code), width)
        })
    }
}

/// The highest code a width is kept for: codes are one or two bytes.
const MAX_CODE: u32 = 0xFFFF;

/// Advances by code as they are read, scaled to text space.
struct Table {
    widths: Vec<f64>,
    scale: f64,
    /// Widths still to be taken: a hostile `W` could repeat a 64 Ki range endlessly.
    left: usize,
}

impl Table {
    fn new(scale: f64) -> Table {
        let left = 16 * (MAX_CODE as usize + 1);
        Table {
            widths: Vec::new(),
            scale,
            left,
        }
    }

    /// Sets the widths of the codes from `first` on; false once the table is full.
    fn set(&mut self, first: u32, widths: impl Iterator<Item = f64>) -> bool {
        for (code, width) in (first..=MAX_CODE).zip(widths) {
            let Some(left) = self.left.checked_sub(1) else {
                return false;
            };
            self.left = left;
            let at = code as usize;
            if at >= self.widths.len() {
                self.widths.resize(at + 1, f64::NAN);
            }
            self.widths[at] = width * self.scale;
        }
        true
    }
}

/// A simple font's `Widths` from `FirstChar` on.
fn simple_widths(font: &Dict<'_>, table: &mut Table) {
    let first = font.get::<u32>(b"FirstChar").unwrap_or(0);
    let widths = font.get::<Array<'_>>(b"Widths").unwrap_or_default();
    table.set(first, widths.iter::<f64>());
}

/// A CIDFont's `W`: `c [w1 w2 …]` gives widths from `c` on, `c1 c2 w` one width for a
/// range (PDF 32000-1, 9.7.4.3).
fn cid_widths(cid: &Dict<'_>, table: &mut Table) {
    let items: Vec<Object<'_>> = cid
        .get::<Array<'_>>(b"W")
        .map(|w| w.iter::<Object<'_>>().collect())
        .unwrap_or_default();
    let mut i = 0;
    while let Some(Object::Number(first)) = items.get(i) {
        let first = first.as_i64().clamp(0, MAX_CODE.into()) as u32;
        let room = match (items.get(i + 1), items.get(i + 2)) {
            (Some(Object::Array(list)), _) => {
                i += 2;
                table.set(first, list.iter::<Number>().map(|n| n.as_f64()))
            }
            (Some(Object::Number(last)), Some(Object::Number(w))) => {
                i += 3;
                let count = (last.as_i64() - i64::from(first) + 1).max(0) as usize;
                table.set(first, std::iter::repeat_n(w.as_f64(), count))
            }
            _ => break,
        };
        if !room {
            break;
        }
    }
}
