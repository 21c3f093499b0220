//! Page boxes of a written PDF: read them per page, and add the BleedBox that Typst 0.15
//! does not write (its `page(bleed:)` gives a larger MediaBox and a TrimBox only).

use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;
use thiserror::Error;

pub use rect::Rect;
pub(crate) use rect::grow;
use rect::{intersect, rect_object};

/// PDF points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Deeper Pages trees or form nestings than this are taken as a reference cycle.
pub(crate) const MAX_DEPTH: usize = 32;

#[derive(Debug, Error)]
pub enum PdfBoxError {
    #[error("cannot read the PDF ({0})")]
    Read(#[source] lopdf::Error),
    #[error("cannot write the PDF ({0})")]
    Write(#[source] std::io::Error),
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

/// Every page's boxes, in page order.
pub fn page_boxes(pdf: &[u8]) -> Result<Vec<PageBoxes>, PdfBoxError> {
    doc_page_boxes(&load_for_pages(pdf).map_err(PdfBoxError::Read)?)
}

/// Sets each page's BleedBox to its TrimBox grown by `bleed_pt` on every side, clipped
/// to the MediaBox; everything else (XMP metadata, /ID, …) is kept. Same input, same
/// bytes.
pub fn set_bleed_box(pdf: &[u8], bleed_pt: f64) -> Result<Vec<u8>, PdfBoxError> {
    if !(bleed_pt.is_finite() && bleed_pt >= 0.0) {
        return Err(PdfBoxError::BadBleed(bleed_pt));
    }
    match patch::insert_bleed_boxes(pdf, bleed_pt) {
        Some(patched) => Ok(patched),
        None => rewrite_bleed_boxes(pdf, bleed_pt),
    }
}

/// The general way: parse the whole file, set the boxes, write it again.
fn rewrite_bleed_boxes(pdf: &[u8], bleed_pt: f64) -> Result<Vec<u8>, PdfBoxError> {
    let mut doc = load(pdf)?;
    let pages: Vec<ObjectId> = doc.page_iter().collect();
    for (i, &id) in pages.iter().enumerate() {
        let page = i + 1;
        let boxes = boxes_of(&doc, id, page)?;
        let trim = boxes.trim_box.ok_or(PdfBoxError::MissingTrimBox { page })?;
        let media = boxes
            .media_box
            .ok_or(PdfBoxError::MissingMediaBox { page })?;
        let bleed = intersect(grow(trim, bleed_pt), media);
        let dict = doc.get_dictionary_mut(id).map_err(PdfBoxError::Read)?;
        dict.set("BleedBox", rect_object(bleed));
    }
    save(&mut doc)
}

mod pages;
mod patch;
mod rect;

pub(crate) use pages::load_for_pages;
// Tests check which way a file was read.
#[cfg(test)]
pub(crate) use pages::load_pages;

pub(crate) fn load(pdf: &[u8]) -> Result<Document, PdfBoxError> {
    Document::load_mem(pdf).map_err(PdfBoxError::Read)
}

pub(crate) fn doc_page_boxes(doc: &Document) -> Result<Vec<PageBoxes>, PdfBoxError> {
    let pages = doc.page_iter().enumerate();
    pages.map(|(i, id)| boxes_of(doc, id, i + 1)).collect()
}

fn boxes_of(doc: &Document, id: ObjectId, page: usize) -> Result<PageBoxes, PdfBoxError> {
    let get = |key: &[u8]| page_box(doc, id, page, key);
    Ok(PageBoxes {
        media_box: get(b"MediaBox")?,
        crop_box: get(b"CropBox")?,
        bleed_box: get(b"BleedBox")?,
        trim_box: get(b"TrimBox")?,
    })
}

/// Only MediaBox and CropBox are inheritable (PDF 32000-1, table 31): a BleedBox or
/// TrimBox on a Pages node means nothing to a reader, so it is not looked for there.
fn page_box(
    doc: &Document,
    id: ObjectId,
    page: usize,
    key: &[u8],
) -> Result<Option<Rect>, PdfBoxError> {
    let inherit = key == b"MediaBox" || key == b"CropBox";
    let found = if inherit {
        inherited(doc, id, key)
    } else {
        doc.get_dictionary(id).ok().and_then(|d| d.get(key).ok())
    };
    let Some(object) = found else { return Ok(None) };
    let bad = || PdfBoxError::BadBox {
        page,
        key: String::from_utf8_lossy(key).into_owned(),
    };
    parse_rect(doc, object).map(Some).ok_or_else(bad)
}

/// `key` of the page or of its nearest Pages ancestor that has it.
pub(crate) fn inherited<'a>(doc: &'a Document, id: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut node: &Dictionary = doc.get_dictionary(id).ok()?;
    for _ in 0..MAX_DEPTH {
        if let Ok(object) = node.get(key) {
            return Some(object);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn parse_rect(doc: &Document, object: &Object) -> Option<Rect> {
    let items = deref(doc, object).as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let mut r = [0.0; 4];
    for (slot, item) in r.iter_mut().zip(items) {
        *slot = number(doc, item)?;
    }
    Some([
        r[0].min(r[2]),
        r[1].min(r[3]),
        r[0].max(r[2]),
        r[1].max(r[3]),
    ])
}

/// Follows a reference (a dangling one gives `null`, as the PDF spec says).
pub(crate) fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    static NULL: Object = Object::Null;
    doc.dereference(object).map_or(&NULL, |(_, o)| o)
}

pub(crate) fn number(doc: &Document, object: &Object) -> Option<f64> {
    match deref(doc, object) {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// lopdf writes only the `%PDF-x.y` line, but PDF/A (ISO 19005-2, 6.1.2) also wants
/// the binary comment line Typst put after it. It rides in the version string: the
/// writer counts the bytes it writes, so the xref offsets stay right.
fn save(doc: &mut Document) -> Result<Vec<u8>, PdfBoxError> {
    doc.version = format!("{}\n%\u{e2}\u{e3}\u{cf}\u{d3}", doc.version);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(PdfBoxError::Write)?;
    Ok(out)
}

/// PDFs for the tests of this module and of `preflight`.
#[cfg(test)]
pub(crate) mod testpdf {
    use std::path::Path;
    use std::sync::{Arc, OnceLock};

    use lopdf::xref::XrefType;
    use lopdf::{Dictionary, Document, Object, Stream, dictionary};

    use super::{PT_PER_MM, Rect};

    /// The shipped booklet, built once per test binary.
    pub(crate) fn booklet() -> &'static [u8] {
        static PDF: OnceLock<Vec<u8>> = OnceLock::new();
        PDF.get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let out = tempfile::tempdir().unwrap();
            let paths = crate::output::build::Paths::new(root, out.path());
            let mut builder = crate::output::build::Builder::new(paths, false).unwrap();
            builder.build().unwrap();
            std::fs::read(out.path().join("booklet.pdf")).unwrap()
        })
    }

    /// A small Typst document with `page(bleed:)`, exported like the booklet.
    pub(crate) fn typst_with_bleed(bleed_mm: f64) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let source = format!(
            "#set page(width: 100mm, height: 80mm, bleed: {bleed_mm}mm)\n\
             #set text(font: \"Libertinus Serif\")\nOne\n#pagebreak()\nTwo\n"
        );
        std::fs::write(dir.path().join("main.typ"), source).unwrap();
        let fonts_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let fonts = Arc::new(crate::typeset::fonts::FontSet::load(&fonts_dir, false).unwrap());
        let world = crate::typeset::world::BookWorld::new(dir.path(), "main.typ", fonts).unwrap();
        let doc = crate::typeset::render::compile(&world).unwrap();
        crate::typeset::render::pdf(&doc).unwrap()
    }

    /// 185 × 260 mm, the booklet's trim, placed 3 mm inside the MediaBox.
    pub(crate) fn trim() -> Rect {
        let b = 3.0 * PT_PER_MM;
        [b, b, b + 185.0 * PT_PER_MM, b + 260.0 * PT_PER_MM]
    }

    pub(crate) fn media() -> Rect {
        super::grow(trim(), 3.0 * PT_PER_MM)
    }

    pub(crate) fn rect(r: Rect) -> Object {
        Object::Array(r.iter().map(|&v| Object::Real(v as f32)).collect())
    }

    /// One page as the tests want it; [`TestPage::clean`] has no fault at all.
    pub(crate) struct TestPage {
        pub page: Dictionary,
        pub content: String,
        /// Extra objects the page's resources refer to as `(id, _)`, from 100 on.
        pub objects: Vec<((u32, u16), Object)>,
    }

    impl TestPage {
        /// Black text 20 mm inside the trim in an embedded subset font.
        pub(crate) fn clean() -> TestPage {
            let font = dictionary! {
                "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "ABCDEF+Test",
                "FontDescriptor" => (101, 0),
            };
            let descriptor = dictionary! {
                "Type" => "FontDescriptor", "FontName" => "ABCDEF+Test", "FontFile2" => (102, 0),
            };
            let file = Stream::new(Dictionary::new(), b"not really a font".to_vec());
            let page = dictionary! {
                "Type" => "Page", "MediaBox" => rect(media()), "TrimBox" => rect(trim()),
                "BleedBox" => rect(media()),
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => (100, 0) } },
            };
            let (x, y) = (trim()[0] + 20.0 * PT_PER_MM, trim()[1] + 20.0 * PT_PER_MM);
            TestPage {
                page,
                content: format!("0 g BT /F1 10 Tf 1 0 0 1 {x:.3} {y:.3} Tm (Hi) Tj ET"),
                objects: vec![
                    ((100, 0), font.into()),
                    ((101, 0), descriptor.into()),
                    ((102, 0), file.into()),
                ],
            }
        }

        /// Replaces resource object `id` (100 = the font).
        pub(crate) fn set_object(mut self, id: u32, object: impl Into<Object>) -> TestPage {
            self.objects.retain(|(oid, _)| oid.0 != id);
            self.objects.push(((id, 0), object.into()));
            self
        }

        pub(crate) fn resources(&mut self) -> &mut Dictionary {
            self.page
                .get_mut(b"Resources")
                .unwrap()
                .as_dict_mut()
                .unwrap()
        }
    }

    /// A one-page PDF; object ids: 1 catalog, 2 pages, 3 page, 4 content.
    pub(crate) fn make_pdf(page: TestPage) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let TestPage {
            mut page,
            content,
            objects,
        } = page;
        page.set("Parent", (2, 0));
        page.set("Contents", (4, 0));
        doc.objects.insert(
            (1, 0),
            dictionary! { "Type" => "Catalog", "Pages" => (2, 0) }.into(),
        );
        let pages = dictionary! { "Type" => "Pages", "Kids" => vec![(3, 0).into()], "Count" => 1 };
        doc.objects.insert((2, 0), pages.into());
        doc.objects.insert((3, 0), page.into());
        let stream = Stream::new(Dictionary::new(), content.into_bytes());
        doc.objects.insert((4, 0), stream.into());
        doc.objects.extend(objects);
        doc.max_id = doc.objects.keys().map(|id| id.0).max().unwrap();
        doc.trailer.set("Root", (1, 0));
        // A classic xref table, as typst-pdf writes (lopdf's default is a stream).
        doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }
}

#[cfg(test)]
mod tests {
    use lopdf::{Document, Object};

    use super::testpdf::{self, TestPage, make_pdf, media, trim};
    use super::*;

    fn close(a: Rect, b: Rect) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
    }

    #[test]
    fn reads_boxes_and_inherits_media_and_crop_box() {
        let mut page = TestPage::clean();
        page.page.remove(b"MediaBox");
        let pdf = make_pdf(page);
        // Move the MediaBox and a CropBox up to the Pages node.
        let mut doc = Document::load_mem(&pdf).unwrap();
        let pages = doc.get_dictionary_mut((2, 0)).unwrap();
        pages.set("MediaBox", testpdf::rect(media()));
        pages.set("CropBox", testpdf::rect(trim()));
        pages.set("TrimBox", testpdf::rect(media())); // not inheritable: ignored
        let mut pdf = Vec::new();
        doc.save_to(&mut pdf).unwrap();

        let boxes = page_boxes(&pdf).unwrap();
        assert_eq!(boxes.len(), 1);
        assert!(close(boxes[0].media_box.unwrap(), media()));
        assert!(close(boxes[0].crop_box.unwrap(), trim()));
        assert!(close(boxes[0].trim_box.unwrap(), trim()));
        assert!(close(boxes[0].bleed_box.unwrap(), media()));
    }

    #[test]
    fn bleed_box_is_trim_grown_and_clipped_to_media() {
        let mut page = TestPage::clean();
        page.page.remove(b"BleedBox");
        let pdf = make_pdf(page);
        assert_eq!(page_boxes(&pdf).unwrap()[0].bleed_box, None);

        let two_mm = set_bleed_box(&pdf, 2.0 * PT_PER_MM).unwrap();
        let bleed = page_boxes(&two_mm).unwrap()[0].bleed_box.unwrap();
        assert!(close(bleed, grow(trim(), 2.0 * PT_PER_MM)));

        let five_mm = set_bleed_box(&pdf, 5.0 * PT_PER_MM).unwrap();
        let bleed = page_boxes(&five_mm).unwrap()[0].bleed_box.unwrap();
        assert!(
            close(bleed, media()),
            "clipped to the 3 mm MediaBox: {bleed:?}"
        );
    }

    #[test]
    fn set_bleed_box_needs_a_trim_box_and_a_sane_bleed() {
        let mut page = TestPage::clean();
        page.page.remove(b"TrimBox");
        let err = set_bleed_box(&make_pdf(page), 8.5).unwrap_err();
        assert!(
            matches!(err, PdfBoxError::MissingTrimBox { page: 1 }),
            "{err}"
        );
        let clean = make_pdf(TestPage::clean());
        assert!(matches!(
            set_bleed_box(&clean, -1.0),
            Err(PdfBoxError::BadBleed(_))
        ));
        assert!(matches!(
            set_bleed_box(b"not a pdf", 1.0),
            Err(PdfBoxError::Read(_))
        ));
    }

    #[test]
    fn malformed_box_is_an_error() {
        let mut page = TestPage::clean();
        page.page
            .set("TrimBox", vec![Object::Integer(0), "x".into()]);
        let err = page_boxes(&make_pdf(page)).unwrap_err();
        assert!(matches!(&err, PdfBoxError::BadBox { page: 1, key } if key == "TrimBox"));
    }

    /// Typst's own bleed output (MediaBox = trim + bleed, TrimBox, no BleedBox) gets a
    /// BleedBox equal to its MediaBox; PDF/A identification, /ID and the binary header
    /// comment survive, and the result is byte-for-byte reproducible.
    #[test]
    fn typst_bleed_pdf_gets_its_bleed_box() {
        let pdf = testpdf::typst_with_bleed(3.0);
        let before = page_boxes(&pdf).unwrap();
        assert_eq!(before.len(), 2);
        assert!(
            before
                .iter()
                .all(|b| b.bleed_box.is_none() && b.trim_box.is_some())
        );

        let out = set_bleed_box(&pdf, 3.0 * PT_PER_MM).unwrap();
        assert_eq!(
            out,
            set_bleed_box(&pdf, 3.0 * PT_PER_MM).unwrap(),
            "deterministic"
        );
        for (b, a) in before.iter().zip(page_boxes(&out).unwrap()) {
            let trim = b.trim_box.unwrap();
            let size = [trim[2] - trim[0], trim[3] - trim[1]];
            assert!(
                (size[0] - 100.0 * PT_PER_MM).abs() < 0.01
                    && (size[1] - 80.0 * PT_PER_MM).abs() < 0.01
            );
            assert_eq!((a.media_box, a.trim_box), (b.media_box, b.trim_box));
            assert!(close(a.bleed_box.unwrap(), grow(trim, 3.0 * PT_PER_MM)));
            assert!(close(a.bleed_box.unwrap(), a.media_box.unwrap()));
        }
        assert_pdfa_kept(&pdf, &out);
    }

    fn assert_pdfa_kept(before: &[u8], after: &[u8]) {
        assert!(after.starts_with(b"%PDF-1.7\n%"));
        assert!(
            after[10..14].iter().all(|&b| b > 127),
            "binary comment line"
        );
        let (b, a) = (load(before).unwrap(), load(after).unwrap());
        assert_eq!(a.trailer.get(b"ID").unwrap(), b.trailer.get(b"ID").unwrap());
        assert_eq!(a.objects.len(), b.objects.len());
        let xmp = |d: &Document| {
            let id = d
                .catalog()
                .unwrap()
                .get(b"Metadata")
                .unwrap()
                .as_reference()
                .unwrap();
            let s = d.get_object(id).unwrap().as_stream().unwrap();
            s.decompressed_content()
                .unwrap_or_else(|_| s.content.clone())
        };
        assert_eq!(xmp(&a), xmp(&b));
        let text = String::from_utf8_lossy(&xmp(&a)).into_owned();
        assert!(
            text.contains("pdfaid:part"),
            "PDF/A identification in the XMP"
        );
    }

    /// The real booklet (3 mm bleed): one entry per page, every page with a TrimBox,
    /// and a BleedBox of trim + bleed (clipped to the MediaBox) on every page.
    #[test]
    fn real_booklet_boxes() {
        let pdf = testpdf::booklet();
        let boxes = page_boxes(pdf).unwrap();
        // `/Type/Page` as a whole name (not `/Type/Pages`, `/Type/PageLabel`): page
        // dictionaries are not compressed by Typst, so this counts them independently.
        let is_page = |w: &[u8]| w.starts_with(b"/Type/Page") && !w[10].is_ascii_alphanumeric();
        let raw_pages = pdf.windows(11).filter(|w| is_page(w)).count();
        assert_eq!(boxes.len(), raw_pages);
        assert!(boxes.iter().all(|b| b.media_box.is_some()));
        let bleed = 3.0 * PT_PER_MM;
        let untrimmed: Vec<usize> = (1..=boxes.len())
            .filter(|&i| boxes[i - 1].trim_box.is_none())
            .collect();
        assert!(
            untrimmed.is_empty(),
            "pages without a TrimBox: {untrimmed:?}"
        );
        let out = set_bleed_box(pdf, bleed).unwrap();
        assert_eq!(out, set_bleed_box(pdf, bleed).unwrap());
        for (b, a) in boxes.iter().zip(page_boxes(&out).unwrap()) {
            let want = intersect(grow(b.trim_box.unwrap(), bleed), b.media_box.unwrap());
            assert!(close(a.bleed_box.unwrap(), want));
        }
        assert_pdfa_kept(pdf, &out);
    }
}
