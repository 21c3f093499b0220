//! The general way to add BleedBoxes, for files the byte patch does not recognise (xref
//! streams, incremental updates, inherited boxes): an incremental update (PDF 32000-1,
//! 7.5.6) that rewrites each page dictionary with its BleedBox, the original bytes
//! kept in front of it.

use std::fmt::Write;

use hayro_syntax::object::{Dict, MaybeRef, Object, ObjectIdentifier};

use super::boxes::{PdfBoxError, bleed_for, boxes_of};
use super::patch::{find, startxref};
use super::read;
use super::rect::write_rect;

pub(super) fn append_bleed_boxes(pdf: &[u8], bleed_pt: f64) -> Result<Vec<u8>, PdfBoxError> {
    let doc = read::open(pdf)?;
    let unreadable = |what: &str| PdfBoxError::Read(what.to_string());
    let prev = startxref(pdf).ok_or_else(|| unreadable("no startxref"))?;
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        let dict = page.raw();
        let bleed = bleed_for(&boxes_of(page, i + 1)?, i + 1, bleed_pt)?;
        let id = dict
            .obj_id()
            .ok_or_else(|| unreadable("a page is not an indirect object"))?;
        offsets.push((id, out.len()));
        let text = format!(
            "{} {} obj\n{}\nendobj\n",
            id.obj_number,
            id.gen_number,
            with_bleed_box(dict, &write_rect(bleed))
        );
        out.extend_from_slice(text.as_bytes());
    }
    let section = xref_section(pdf, prev, doc.xref().root_id(), &offsets, out.len())?;
    out.extend_from_slice(section.as_bytes());
    Ok(out)
}

/// The update's xref section for the rewritten objects at `offsets` and its trailer,
/// which carries /Size and /ID over from the previous one at `prev`.
fn xref_section(
    pdf: &[u8],
    prev: usize,
    root: ObjectIdentifier,
    offsets: &[(ObjectIdentifier, usize)],
    xref_at: usize,
) -> Result<String, PdfBoxError> {
    let mut xref = String::from("xref\n");
    for (id, offset) in offsets {
        let _ = write!(
            xref,
            "{} 1\n{offset:010} {:05} n \n",
            id.obj_number, id.gen_number
        );
    }
    let size = trailer_number(&pdf[prev..], b"/Size")
        .ok_or_else(|| PdfBoxError::Read("no /Size in the trailer".into()))?;
    let id = trailer_id(&pdf[prev..]).unwrap_or_default();
    let _ = write!(
        xref,
        "trailer\n<</Size {size}/Root {} {} R/Prev {prev}{id}>>\nstartxref\n{xref_at}\n%%EOF\n",
        root.obj_number, root.gen_number
    );
    Ok(xref)
}

/// The page dictionary written again with `/BleedBox` set to `rect`.
fn with_bleed_box(dict: &Dict<'_>, rect: &str) -> String {
    let mut out = String::from("<<");
    for (key, value) in dict.entries() {
        if &*key == b"BleedBox" {
            continue;
        }
        let _ = write!(out, "/{} ", name_text(&key));
        match value {
            MaybeRef::Ref(r) => {
                let id = ObjectIdentifier::from(r);
                let _ = write!(out, "{} {} R", id.obj_number, id.gen_number);
            }
            MaybeRef::NotRef(object) => out.push_str(&object_text(&object)),
        }
    }
    let _ = write!(out, "/BleedBox{rect}>>");
    out
}

/// A direct object in PDF syntax: arrays and dictionaries as they were written.
fn object_text(object: &Object<'_>) -> String {
    match object {
        Object::Null(_) | Object::Stream(_) => "null".into(),
        Object::Boolean(b) => b.to_string(),
        Object::Number(n) => match n.as_f64() {
            v if v.fract() == 0.0 => (v as i64).to_string(),
            v => v.to_string(),
        },
        Object::String(s) => {
            let hex: String = s.as_bytes().iter().map(|b| format!("{b:02X}")).collect();
            format!("<{hex}>")
        }
        Object::Name(n) => format!("/{}", name_text(n)),
        Object::Dict(d) => match String::from_utf8_lossy(d.data()) {
            text if text.starts_with("<<") => text.into_owned(),
            text => format!("<<{text}>>"),
        },
        // The array's data is what is between its brackets.
        Object::Array(a) => format!("[{}]", String::from_utf8_lossy(a.data())),
    }
}

/// A name's bytes, those outside `!`–`~` and the delimiters as `#xx`.
fn name_text(name: &[u8]) -> String {
    let plain = |b: u8| b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b);
    name.iter()
        .map(|&b| match plain(b) {
            true => char::from(b).to_string(),
            false => format!("#{b:02X}"),
        })
        .collect()
}

/// The number after `key` in the trailer (or xref-stream dictionary) at `tail`.
fn trailer_number(tail: &[u8], key: &[u8]) -> Option<u64> {
    let rest = &tail[find(tail, key)? + key.len()..];
    let digits: Vec<u8> = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// `/ID[…]` from the trailer at `tail`, to carry over (PDF/A wants it in the last one).
fn trailer_id(tail: &[u8]) -> Option<String> {
    let start = find(tail, b"/ID")?;
    let end = start + find(&tail[start..], b"]")? + 1;
    Some(String::from_utf8_lossy(&tail[start..end]).into_owned())
}
