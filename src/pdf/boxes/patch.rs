//! The fast way to add BleedBoxes to a PDF as typst-pdf writes it: insert
//! `/BleedBox[…]` after each page's `/TrimBox[…]` and shift the offsets of the one
//! classic xref table. This costs a copy, where re-serialising the whole file cost as
//! much as a warm rebuild's typesetting. The pages are found through hayro-syntax and
//! their bytes through the xref table. Anything it does not recognise (xref streams,
//! incremental updates, a page without its own MediaBox or TrimBox, a BleedBox already
//! there) gives `None`, and the caller takes the general way.

use std::collections::HashMap;

use super::read;
use super::rect::{Rect, grow, intersect, write_rect};

/// The PDF with a BleedBox = TrimBox grown by `bleed_pt`, clipped to the MediaBox, on
/// every page that has a TrimBox; `None` if the file is not of the simple shape.
pub fn insert_bleed_boxes(pdf: &[u8], bleed_pt: f64) -> Option<Vec<u8>> {
    let xref_at = startxref(pdf)?;
    if !pdf[xref_at..].starts_with(b"xref") || contains(&pdf[xref_at..], b"/Prev") {
        return None;
    }
    let xref = std::str::from_utf8(&pdf[xref_at..]).ok()?;
    let inserts = bleed_inserts(pdf, xref, bleed_pt)?;
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
    let (table, trailer) = shifted_xref(xref, &shift)?;
    out.extend_from_slice(&table);
    out.extend_from_slice(&replace_startxref(trailer, new_xref_at)?);
    Some(out)
}

/// Where each BleedBox goes (right after the page's TrimBox array) and its text, in
/// file order.
fn bleed_inserts(pdf: &[u8], xref: &str, bleed_pt: f64) -> Option<Vec<(usize, String)>> {
    let doc = read::open(pdf).ok()?;
    let (entries, _) = xref_entries(xref)?;
    let offsets: HashMap<u32, usize> = entries
        .iter()
        .filter(|(_, _, entry)| in_use(entry))
        .map(|&(id, _, entry)| Some((id, offset(entry)?)))
        .collect::<Option<_>>()?;
    let mut inserts = Vec::new();
    for page in doc.pages().iter() {
        let id = u32::try_from(page.raw().obj_id()?.obj_number).ok()?;
        let start = *offsets.get(&id)?;
        let object = &pdf[start..start + find(&pdf[start..], b"endobj")?];
        let (at, text) = bleed_insert(object, bleed_pt)?;
        inserts.push((start + at, text));
    }
    inserts.sort_by_key(|(at, _)| *at);
    Some(inserts)
}

/// Where in a page `object` its BleedBox goes, and its text.
fn bleed_insert(object: &[u8], bleed_pt: f64) -> Option<(usize, String)> {
    if contains(object, b"/BleedBox") {
        return None;
    }
    let (trim_end, trim) = array_after(object, b"/TrimBox")?;
    let (_, media) = array_after(object, b"/MediaBox")?;
    let bleed = intersect(grow(trim, bleed_pt), media);
    Some((trim_end, format!("/BleedBox{}", write_rect(bleed))))
}

/// The rectangle written right after `key` (`/TrimBox[…]`) and where it ends.
fn array_after(object: &[u8], key: &[u8]) -> Option<(usize, Rect)> {
    let start = find(object, &[key, b"["].concat())? + key.len();
    let end = start + find(&object[start..], b"]")? + 1;
    Some((end, parse_rect(&object[start..end])?))
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

/// The entries of a classic xref table as (object number, where the line starts, the
/// line), and the table's length (the trailer follows).
fn xref_entries(xref: &str) -> Option<(Vec<(u32, usize, &str)>, usize)> {
    let mut lines = xref.split_inclusive('\n');
    let mut consumed = lines.next()?.len(); // "xref"
    let mut entries = Vec::new();
    while let Some(header) = lines.next() {
        let mut words = header.split_whitespace();
        let (Some(first), Some(count), None) = (words.next(), words.next(), words.next()) else {
            break; // the trailer
        };
        let (first, count): (u32, u32) = (first.parse().ok()?, count.parse().ok()?);
        consumed += header.len();
        for id in first..first.checked_add(count)? {
            let entry = lines.next()?;
            entries.push((id, consumed, entry));
            consumed += entry.len();
        }
    }
    Some((entries, consumed))
}

/// Whether an entry, "0000012345 00000 n \n", is in use (not free).
fn in_use(entry: &str) -> bool {
    entry.get(17..18) == Some("n")
}

fn offset(entry: &str) -> Option<usize> {
    entry.get(..10)?.parse().ok()
}

/// The xref table with every in-use offset shifted, and the rest of the file after it.
fn shifted_xref<'a>(xref: &'a str, shift: &dyn Fn(usize) -> usize) -> Option<(Vec<u8>, &'a [u8])> {
    let (entries, end) = xref_entries(xref)?;
    let mut out = String::with_capacity(end);
    let mut from = 0;
    for (_, at, entry) in entries {
        out.push_str(&xref[from..at]);
        match in_use(entry) {
            true => out.push_str(&format!("{:010}{}", shift(offset(entry)?), &entry[10..])),
            false => out.push_str(entry),
        }
        from = at + entry.len();
    }
    out.push_str(&xref[from..end]);
    Some((out.into_bytes(), xref[end..].as_bytes()))
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

fn contains(hay: &[u8], needle: &[u8]) -> bool {
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
