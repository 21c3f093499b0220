//! Reading a page's boxes, MediaBox and CropBox inherited through the page tree.

use hayro_syntax::Pdf;
use hayro_syntax::object::{Array, Dict, Object};
use hayro_syntax::page::Page;
use hayro_syntax::xref::XRef;
use serde::Serialize;
use thiserror::Error;

use super::rect::{Rect, grow, intersect};

/// Deeper Pages trees or form nestings than this are taken as a reference cycle.
pub(crate) const MAX_DEPTH: usize = 32;

#[derive(Debug, Error)]
pub enum PdfBoxError {
    #[error("cannot read the PDF ({0})")]
    Read(String),
    #[error("page {page} has no TrimBox (build with bleed so that Typst writes one)")]
    MissingTrimBox { page: usize },
    #[error("page {page} has no MediaBox")]
    MissingMediaBox { page: usize },
    #[error("page {page}: /{key} is not a rectangle of four numbers")]
    BadBox { page: usize, key: String },
    #[error("the bleed must be a finite number of points ≥ 0, not {0}")]
    BadBleed(f64),
}

/// The boxes a page declares, `None` where absent. MediaBox and CropBox include what
/// the page inherits from its Pages nodes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageBoxes {
    pub media_box: Option<Rect>,
    pub crop_box: Option<Rect>,
    pub bleed_box: Option<Rect>,
    pub trim_box: Option<Rect>,
}

impl PageBoxes {
    /// The trim as a reader takes it: an absent TrimBox defaults to the CropBox, and
    /// that to the MediaBox (PDF 32000-1, 14.11.2).
    pub fn trim_or_default(&self) -> Option<Rect> {
        self.trim_box.or(self.crop_box).or(self.media_box)
    }
}

/// The BleedBox a page gets: its TrimBox grown by `bleed_pt`, clipped to the MediaBox.
pub(super) fn bleed_for(
    boxes: &PageBoxes,
    page: usize,
    bleed_pt: f64,
) -> Result<Rect, PdfBoxError> {
    let trim = boxes.trim_box.ok_or(PdfBoxError::MissingTrimBox { page })?;
    let media = boxes
        .media_box
        .ok_or(PdfBoxError::MissingMediaBox { page })?;
    Ok(intersect(grow(trim, bleed_pt), media))
}

pub(crate) fn doc_page_boxes(doc: &Pdf) -> Result<Vec<PageBoxes>, PdfBoxError> {
    let pages = doc.pages().iter().enumerate();
    pages.map(|(i, p)| boxes_of(p, i + 1)).collect()
}

pub(super) fn boxes_of(dict: &Page<'_>, page: usize) -> Result<PageBoxes, PdfBoxError> {
    let get = |key: &[u8]| page_box(dict, page, key);
    Ok(PageBoxes {
        media_box: get(b"MediaBox")?,
        crop_box: get(b"CropBox")?,
        bleed_box: get(b"BleedBox")?,
        trim_box: get(b"TrimBox")?,
    })
}

/// Only MediaBox and CropBox are inheritable (PDF 32000-1, table 31): a BleedBox or
/// TrimBox on a Pages node means nothing to a reader, so it is not looked for there.
fn page_box(p: &Page<'_>, page: usize, key: &[u8]) -> Result<Option<Rect>, PdfBoxError> {
    let inherit = key == b"MediaBox" || key == b"CropBox";
    let found = match inherit {
        true => inherited(p, key),
        false => p.raw().contains_key(key).then(|| p.raw().clone()),
    };
    let Some(holder) = found else { return Ok(None) };
    let bad = || PdfBoxError::BadBox {
        page,
        key: String::from_utf8_lossy(key).into_owned(),
    };
    let rect = holder.get::<Array<'_>>(key).and_then(|a| parse_rect(&a));
    rect.map(Some).ok_or_else(bad)
}

/// The page's dictionary or that of its nearest Pages ancestor that has `key`.
pub(crate) fn inherited<'a>(page: &Page<'a>, key: &[u8]) -> Option<Dict<'a>> {
    let xref: &'a XRef = page.xref();
    let mut node = page.raw().clone();
    for _ in 0..MAX_DEPTH {
        if node.contains_key(key) {
            return Some(node);
        }
        // Through the xref: the page's own context refuses to resolve the nodes it
        // was reached through (hayro's guard against reference cycles).
        node = xref.get::<Dict<'_>>(node.get_ref(b"Parent")?.into())?;
    }
    None
}

fn parse_rect(items: &Array<'_>) -> Option<Rect> {
    let numbers: Vec<f64> = items
        .iter::<Object<'_>>()
        .map(number)
        .collect::<Option<_>>()?;
    let [a, b, c, d] = numbers[..] else {
        return None;
    };
    Some([a.min(c), b.min(d), a.max(c), b.max(d)])
}

/// A number object as `f64`; anything else is `None`.
fn number(object: Object<'_>) -> Option<f64> {
    match object {
        Object::Number(n) => Some(n.as_f64()),
        _ => None,
    }
}
