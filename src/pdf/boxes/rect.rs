//! Page-box rectangles: growing, clipping, and writing them as PDF arrays.

/// A rectangle `[llx, lly, urx, ury]` in PDF points, normalised so llx ≤ urx, lly ≤ ury.
pub type Rect = [f64; 4];

pub(crate) fn grow(r: Rect, by: f64) -> Rect {
    [r[0] - by, r[1] - by, r[2] + by, r[3] + by]
}

pub(crate) fn intersect(a: Rect, b: Rect) -> Rect {
    let (x0, y0) = (a[0].max(b[0]), a[1].max(b[1]));
    [x0, y0, a[2].min(b[2]).max(x0), a[3].min(b[3]).max(y0)]
}

/// `[a b c d]`, to 1/10000 pt like Typst's own boxes, whole numbers as integers and
/// the rest as the shortest `f32` text (what the booklet's pinned bytes were written
/// with).
pub(crate) fn write_rect(r: Rect) -> String {
    let num = |v: f64| {
        let v = (v * 1e4).round() / 1e4;
        match v.fract() == 0.0 {
            true => (v as i64).to_string(),
            false => (v as f32).to_string(),
        }
    };
    let parts: Vec<String> = r.iter().map(|&v| num(v)).collect();
    format!("[{}]", parts.join(" "))
}
