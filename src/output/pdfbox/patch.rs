//! The fast way to add BleedBoxes to a PDF as typst-pdf writes it: insert
//! `/BleedBox[…]` after each page's `/TrimBox[…]` and shift the offsets of the one
//! classic xref table. This costs a copy, where re-serialising the whole file cost as
//! much as a warm rebuild's typesetting. Anything it does not
//! recognise (xref streams, incremental updates, a page without its own MediaBox, a
//! BleedBox already there) gives `None`, and the caller takes the general way.

use super::rect::{Rect, grow, intersect, write_rect};

/// The PDF with a BleedBox = TrimBox grown by `bleed_pt`, clipped to the MediaBox, on
/// every page that has a TrimBox; `None` if the file is not of the simple shape.
pub fn insert_bleed_boxes(pdf: &[u8], bleed_pt: f64) -> Option<Vec<u8>> {
    let xref_at = startxref(pdf)?;
    if !pdf[xref_at..].starts_with(b"xref") || contains(&pdf[xref_at..], b"/Prev") {
        return None;
    }
    let inserts = bleed_inserts(&pdf[..xref_at], bleed_pt)?;
    let mut out =
        Vec::with_capacity(pdf.len() + inserts.iter().map(|(_, t)| t.len()).sum::<usize>());
    let mut from = 0;
    for (at, text) in &inserts {
        out.extend_from_slice(&pdf[from..*at]);
        out.extend_from_slice(text.as_bytes());
        from = *at;
    }
    let shift = |offset: usize| {
        offset
            + inserts
                .iter()
                .take_while(|(at, _)| *at <= offset)
                .map(|(_, t)| t.len())
                .sum::<usize>()
    };
    let new_xref_at = out.len() + (xref_at - from);
    out.extend_from_slice(&pdf[from..xref_at]);
    let (table, trailer) = shifted_xref(&pdf[xref_at..], &shift)?;
    out.extend_from_slice(&table);
    out.extend_from_slice(&replace_startxref(trailer, new_xref_at)?);
    Some(out)
}

/// Where each BleedBox goes (right after the page's TrimBox array) and its text.
fn bleed_inserts(body: &[u8], bleed_pt: f64) -> Option<Vec<(usize, String)>> {
    let mut inserts = Vec::new();
    let mut search = 0;
    while let Some(found) = find(&body[search..], b"/TrimBox[") {
        let start = search + found;
        let dict = object_around(body, start)?;
        if contains(&body[dict.clone()], b"/BleedBox") {
            return None;
        }
        let trim_end = start + find(&body[start..], b"]")? + 1;
        let trim = parse_rect(&body[start + b"/TrimBox".len()..trim_end])?;
        let media_at = dict.start + find(&body[dict.clone()], b"/MediaBox[")?;
        let media_end = media_at + find(&body[media_at..], b"]")? + 1;
        let media = parse_rect(&body[media_at + b"/MediaBox".len()..media_end])?;
        let bleed = intersect(grow(trim, bleed_pt), media);
        inserts.push((trim_end, format!("/BleedBox{}", write_rect(bleed))));
        search = trim_end;
    }
    (!inserts.is_empty()).then_some(inserts)
}

/// The byte range of the indirect object containing `at` (from its `obj` keyword to
/// its `endobj`).
fn object_around(body: &[u8], at: usize) -> Option<std::ops::Range<usize>> {
    let start = rfind(&body[..at], b" obj")?;
    let end = at + find(&body[at..], b"endobj")?;
    // The TrimBox must not belong to an earlier object than the one that ends here.
    (!contains(&body[start..at], b"endobj")).then_some(start..end)
}

fn parse_rect(text: &[u8]) -> Option<Rect> {
    let text = std::str::from_utf8(text).ok()?;
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?;
    let numbers: Vec<f64> = inner
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c, d] = numbers[..] else {
        return None;
    };
    Some([a.min(c), b.min(d), a.max(c), b.max(d)])
}

pub(super) fn startxref(pdf: &[u8]) -> Option<usize> {
    let at = rfind(pdf, b"startxref")?;
    let rest = std::str::from_utf8(&pdf[at + b"startxref".len()..]).ok()?;
    let offset: usize = rest.split_whitespace().next()?.parse().ok()?;
    (offset < at).then_some(offset)
}

/// The xref table with every in-use offset shifted, and the rest of the file after it.
fn shifted_xref<'a>(xref: &'a [u8], shift: &dyn Fn(usize) -> usize) -> Option<(Vec<u8>, &'a [u8])> {
    let text = std::str::from_utf8(xref).ok()?;
    let mut out = String::new();
    let mut lines = text.split_inclusive('\n');
    out.push_str(lines.next()?); // "xref"
    let mut consumed = out.len();
    while let Some(header) = lines.next() {
        let mut words = header.split_whitespace();
        let (Some(first), Some(count), None) = (words.next(), words.next(), words.next()) else {
            break; // the trailer
        };
        let (_, count): (usize, usize) = (first.parse().ok()?, count.parse().ok()?);
        out.push_str(header);
        consumed += header.len();
        for _ in 0..count {
            let entry = lines.next()?;
            consumed += entry.len();
            out.push_str(&shift_entry(entry, shift)?);
        }
    }
    Some((out.into_bytes(), &xref[consumed..]))
}

/// "0000012345 00000 n \n" with its offset shifted; free entries stay as they are.
fn shift_entry(entry: &str, shift: &dyn Fn(usize) -> usize) -> Option<String> {
    if entry.len() < 18 || &entry[17..18] != "n" {
        return Some(entry.to_string());
    }
    let offset: usize = entry[..10].parse().ok()?;
    Some(format!("{:010}{}", shift(offset), &entry[10..]))
}

fn replace_startxref(trailer: &[u8], offset: usize) -> Option<Vec<u8>> {
    let at = rfind(trailer, b"startxref")?;
    let mut out = trailer[..at].to_vec();
    out.extend_from_slice(format!("startxref\n{offset}\n%%EOF\n").as_bytes());
    Some(out)
}

// memchr's searchers: the PDF is megabytes, and a window-by-window comparison of it
// was most of the patch's time.
pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::super::update::append_bleed_boxes;
    use super::super::{page_boxes, testpdf};
    use super::*;

    /// The patch gives the pages the same boxes as the general way, and a file
    /// hayro and poppler read: it is taken for what typst-pdf writes.
    #[test]
    fn patch_agrees_with_the_general_way() {
        let bleed = 3.0 * super::super::PT_PER_MM;
        for pdf in [testpdf::typst_with_bleed(3.0), raw_booklet()] {
            let patched =
                insert_bleed_boxes(&pdf, bleed).expect("typst-pdf output is patched in place");
            let general = append_bleed_boxes(&pdf, bleed).unwrap();
            let (fast, slow) = (page_boxes(&patched).unwrap(), page_boxes(&general).unwrap());
            assert_eq!(fast.len(), slow.len());
            for (page, (a, b)) in fast.iter().zip(&slow).enumerate() {
                // The general way reads the numbers as f32 first: equal to 0.01 pt.
                let near = |x: Option<Rect>, y: Option<Rect>| match (x, y) {
                    (Some(x), Some(y)) => x.iter().zip(y).all(|(p, q)| (p - q).abs() < 0.01),
                    _ => false,
                };
                assert!(
                    near(a.bleed_box, b.bleed_box),
                    "page {}: {:?} vs {:?}",
                    page + 1,
                    a.bleed_box,
                    b.bleed_box
                );
                assert!(
                    near(a.trim_box, b.trim_box) && near(a.media_box, b.media_box),
                    "page {}",
                    page + 1
                );
            }
            assert_eq!(
                insert_bleed_boxes(&pdf, bleed),
                Some(patched),
                "deterministic"
            );
        }
    }

    /// The shipped booklet as typst-pdf writes it, before any BleedBox.
    fn raw_booklet() -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = tempfile::tempdir().unwrap();
        let mut builder = crate::output::build::Builder::new(
            crate::output::build::Paths::new(root, out.path()),
            false,
        )
        .unwrap();
        let content = crate::content::load(&root.join("content")).unwrap();
        let print = builder.print(&content).unwrap();
        let doc = builder.typeset(&content, print).unwrap().doc;
        crate::typeset::render::pdf(&doc).unwrap()
    }

    #[test]
    fn other_shapes_are_left_to_the_general_way() {
        let pdf = testpdf::typst_with_bleed(3.0);
        let patched = insert_bleed_boxes(&pdf, 1.0).unwrap();
        assert_eq!(
            insert_bleed_boxes(&patched, 1.0),
            None,
            "a BleedBox is already there"
        );
        let rewritten = append_bleed_boxes(&pdf, 1.0).unwrap();
        let no_trim = String::from_utf8_lossy(&rewritten).replace("/TrimBox", "/ArtBox");
        assert_eq!(
            insert_bleed_boxes(no_trim.as_bytes(), 1.0),
            None,
            "no TrimBox"
        );
    }
}
