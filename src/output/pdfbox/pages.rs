//! Loads only what page-level checks read: the page tree and everything the pages
//! draw with (resources, fonts, forms, images, colour spaces, content streams). A
//! tagged PDF is mostly structure — the booklet has 2,600 StructElems, 350 link
//! annotations and an outline against 74 pages — and parsing all of it was most of
//! preflight's reading time.
//!
//! Objects are parsed one by one through the xref table, so only a file with one
//! classic xref table (what typst-pdf writes) takes this way; anything else (xref
//! streams, incremental updates, encryption) gives `None` and the caller parses the
//! whole file.

use std::collections::{HashSet, VecDeque};

use lopdf::xref::{Xref, XrefEntry, XrefType};
use lopdf::{Dictionary, Document, Object, ObjectId, Reader};

use super::patch::{contains, find, startxref};

/// Keys whose objects no page-level check reads: annotations, font programs (only
/// their presence is checked), metadata, thumbnails and structure back-links.
const SKIPPED: [&[u8]; 10] = [
    b"Annots",
    b"FontFile",
    b"FontFile2",
    b"FontFile3",
    b"ToUnicode",
    b"CIDToGIDMap",
    b"Metadata",
    b"Thumb",
    b"B",
    b"PieceInfo",
];

/// The objects page-level checks read: only those where the file's shape allows,
/// else the whole file.
pub(crate) fn load_for_pages(pdf: &[u8]) -> lopdf::Result<Document> {
    load_pages(pdf).map_or_else(|| Document::load_mem(pdf), Ok)
}

/// The catalog and the objects reachable from its page tree, or `None` if the file is
/// not of the simple shape or an object does not parse (the caller's full parse then
/// reports the problem).
pub(crate) fn load_pages(pdf: &[u8]) -> Option<Document> {
    let xref_at = startxref(pdf)?;
    let tail = &pdf[xref_at..];
    if !tail.starts_with(b"xref")
        || [&b"/Prev"[..], b"/XRefStm", b"/Encrypt"]
            .iter()
            .any(|k| contains(tail, k))
    {
        return None;
    }
    let (xref, trailer) = classic_xref(tail)?;
    let root = reference_after(trailer, b"/Root")?;
    let mut reader = Reader {
        buffer: pdf,
        document: Document::new(),
    };
    reader.document.reference_table = xref;
    let catalog = reader.get_object(root, &mut HashSet::new()).ok()?;
    let pages = catalog
        .as_dict()
        .ok()?
        .get(b"Pages")
        .ok()?
        .as_reference()
        .ok()?;

    let mut objects = std::collections::BTreeMap::from([(root, catalog)]);
    let mut queue = VecDeque::from([pages]);
    while let Some(id) = queue.pop_front() {
        if objects.contains_key(&id) {
            continue;
        }
        let object = reader.get_object(id, &mut HashSet::new()).ok()?;
        references(&object, &mut |r| {
            if !objects.contains_key(&r) {
                queue.push_back(r);
            }
        });
        objects.insert(id, object);
    }
    let mut doc = reader.document;
    doc.objects = objects;
    doc.trailer = Dictionary::from_iter([("Root", Object::Reference(root))]);
    Some(doc)
}

/// Calls `found` with every reference in `object`, outside the [`SKIPPED`] keys.
fn references(object: &Object, found: &mut dyn FnMut(ObjectId)) {
    let dict = |d: &Dictionary, found: &mut dyn FnMut(ObjectId)| {
        for (key, value) in d.iter() {
            if !SKIPPED.contains(&key.as_slice()) {
                references(value, found);
            }
        }
    };
    match object {
        Object::Reference(id) => found(*id),
        Object::Array(items) => items.iter().for_each(|i| references(i, found)),
        Object::Dictionary(d) => dict(d, found),
        Object::Stream(s) => dict(&s.dict, found),
        _ => {}
    }
}

/// The in-use entries of a classic xref table and the trailer after it.
fn classic_xref(xref: &[u8]) -> Option<(Xref, &[u8])> {
    let text = std::str::from_utf8(&xref[..find(xref, b"trailer")?]).ok()?;
    let mut table = Xref::new(0, XrefType::CrossReferenceTable);
    let mut lines = text.lines().skip(1).filter(|l| !l.trim().is_empty());
    while let Some(header) = lines.next() {
        let mut words = header.split_whitespace();
        let first: u32 = words.next()?.parse().ok()?;
        let count: u32 = words.next()?.parse().ok()?;
        for id in first..first + count {
            let entry = lines.next()?;
            let mut fields = entry.split_whitespace();
            let (offset, generation, kind) = (fields.next()?, fields.next()?, fields.next()?);
            if kind == "n" {
                let offset = offset.parse().ok()?;
                let generation = generation.parse().ok()?;
                table.insert(id, XrefEntry::Normal { offset, generation });
            }
        }
    }
    table.size = table.max_id() + 1;
    Some((table, &xref[text.len()..]))
}

/// The reference `N G R` after `key` in `dict`'s text.
fn reference_after(dict: &[u8], key: &[u8]) -> Option<ObjectId> {
    let rest = &dict[find(dict, key)? + key.len()..];
    let text = std::str::from_utf8(&rest[..rest.len().min(40)]).ok()?;
    let mut words = text.split_whitespace();
    let id = words.next()?.parse().ok()?;
    let generation = words.next()?.parse().ok()?;
    (words.next()?.starts_with('R')).then_some((id, generation))
}
