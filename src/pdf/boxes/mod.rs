//! Page boxes of a written PDF: read them per page, and add the BleedBox that Typst 0.15
//! does not write (its `page(bleed:)` gives a larger MediaBox and a TrimBox only).

pub(crate) use boxes::{MAX_DEPTH, doc_page_boxes, inherited};
pub use boxes::{PageBoxes, PdfBoxError};
pub use rect::Rect;
pub(crate) use rect::grow;

/// PDF points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Every page's boxes, in page order.
pub fn page_boxes(pdf: &[u8]) -> Result<Vec<PageBoxes>, PdfBoxError> {
    doc_page_boxes(&read::open(pdf)?)
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
        None => update::append_bleed_boxes(pdf, bleed_pt),
    }
}

mod boxes;
mod patch;
pub(crate) mod read;
mod rect;
mod update;

/// PDFs for the tests of this module and of `preflight`.
#[cfg(test)]
pub(crate) mod testpdf {
    use std::path::Path;
    use std::sync::{Arc, OnceLock};

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

    pub(crate) fn rect(r: Rect) -> String {
        format!("[{} {} {} {}]", r[0], r[1], r[2], r[3])
    }

    /// A dictionary as the tests write it: keys and values in PDF syntax, in order.
    #[derive(Debug, Clone, Default)]
    pub(crate) struct Dict(Vec<(String, String)>);

    impl Dict {
        pub(crate) fn of(entries: &[(&str, &str)]) -> Dict {
            Dict(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        }

        pub(crate) fn set(&mut self, key: &str, value: impl ToString) {
            self.remove(key);
            self.0.push((key.into(), value.to_string()));
        }

        pub(crate) fn remove(&mut self, key: &str) {
            self.0.retain(|(k, _)| k != key);
        }
    }

    impl std::fmt::Display for Dict {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("<<")?;
            for (k, v) in &self.0 {
                write!(f, " /{k} {v}")?;
            }
            f.write_str(" >>")
        }
    }

    impl From<Dict> for Vec<u8> {
        fn from(dict: Dict) -> Vec<u8> {
            dict.to_string().into_bytes()
        }
    }

    /// A stream object's text: `dict` with its /Length, then `data`.
    pub(crate) fn stream(mut dict: Dict, data: &[u8]) -> Vec<u8> {
        dict.set("Length", data.len());
        let mut out = format!("{dict}\nstream\n").into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream");
        out
    }

    /// A reference's text.
    pub(crate) fn r(id: u32) -> String {
        format!("{id} 0 R")
    }

    /// One page as the tests want it; [`TestPage::clean`] has no fault at all.
    pub(crate) struct TestPage {
        pub page: Dict,
        pub resources: Dict,
        pub content: String,
        /// Extra objects the page's resources refer to by number, from 100 on.
        pub objects: Vec<(u32, Vec<u8>)>,
    }

    impl TestPage {
        /// Black text 20 mm inside the trim in an embedded subset font.
        pub(crate) fn clean() -> TestPage {
            let font = Dict::of(&[
                ("Type", "/Font"),
                ("Subtype", "/TrueType"),
                ("BaseFont", "/ABCDEF+Test"),
                ("FirstChar", "32"),
                ("LastChar", "126"),
                ("Widths", &format!("[{}]", ["500"; 95].join(" "))),
                ("FontDescriptor", &r(101)),
            ]);
            let descriptor = Dict::of(&[
                ("Type", "/FontDescriptor"),
                ("FontName", "/ABCDEF+Test"),
                ("Ascent", "800"),
                ("Descent", "-200"),
                ("FontFile2", &r(102)),
            ]);
            let page = Dict::of(&[
                ("Type", "/Page"),
                ("MediaBox", &rect(media())),
                ("TrimBox", &rect(trim())),
                ("BleedBox", &rect(media())),
            ]);
            let (x, y) = (trim()[0] + 20.0 * PT_PER_MM, trim()[1] + 20.0 * PT_PER_MM);
            TestPage {
                page,
                resources: Dict::of(&[("Font", &format!("<< /F1 {} >>", r(100)))]),
                content: format!("0 g BT /F1 10 Tf 1 0 0 1 {x:.3} {y:.3} Tm (Hi) Tj ET"),
                objects: vec![
                    (100, font.into()),
                    (101, descriptor.into()),
                    (102, stream(Dict::default(), b"not really a font")),
                ],
            }
        }

        /// Replaces resource object `id` (100 = the font).
        pub(crate) fn set_object(mut self, id: u32, object: impl Into<Vec<u8>>) -> TestPage {
            self.objects.retain(|(oid, _)| *oid != id);
            self.objects.push((id, object.into()));
            self
        }

        /// The objects of a one-page PDF with this page; see [`make_pdf`].
        pub(crate) fn into_objects(self) -> Vec<(u32, Vec<u8>)> {
            let TestPage {
                mut page,
                resources,
                content,
                objects,
            } = self;
            page.set("Parent", r(2));
            page.set("Contents", r(4));
            page.set("Resources", resources);
            let mut all = vec![
                (
                    1,
                    Dict::of(&[("Type", "/Catalog"), ("Pages", &r(2))]).into(),
                ),
                (
                    2,
                    Dict::of(&[("Type", "/Pages"), ("Kids", "[3 0 R]"), ("Count", "1")]).into(),
                ),
                (3, page.into()),
                (4, stream(Dict::default(), content.as_bytes())),
            ];
            all.extend(objects);
            all
        }
    }

    /// A one-page PDF; object ids: 1 catalog, 2 pages, 3 page, 4 content.
    pub(crate) fn make_pdf(page: TestPage) -> Vec<u8> {
        write_pdf(page.into_objects())
    }

    /// A PDF of `objects` (number, text) with a classic xref table, as typst-pdf
    /// writes; object 1 is the catalog.
    pub(crate) fn write_pdf(objects: Vec<(u32, Vec<u8>)>) -> Vec<u8> {
        let (mut out, offsets) = body(objects);
        let (xref_at, size) = (out.len(), offsets.len());
        let mut xref = format!("xref\n0 {size}\n");
        for offset in offsets {
            xref.push_str(&match offset {
                Some(at) => format!("{at:010} 00000 n \n"),
                None => "0000000000 65535 f \n".into(),
            });
        }
        xref.push_str(&format!(
            "trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"
        ));
        out.extend_from_slice(xref.as_bytes());
        out
    }

    /// The same with an xref stream (PDF 1.5), as many other writers make.
    pub(crate) fn write_pdf_with_xref_stream(objects: Vec<(u32, Vec<u8>)>) -> Vec<u8> {
        let (mut out, mut offsets) = body(objects);
        let (xref_at, id) = (out.len(), offsets.len());
        offsets.push(Some(xref_at));
        // Each entry: type (1 byte), offset (4), generation (2); free ones are zero.
        let mut entries = Vec::new();
        for offset in &offsets {
            let (kind, at) = offset.map_or((0u8, 0u32), |at| (1, at as u32));
            entries.push(kind);
            entries.extend_from_slice(&at.to_be_bytes());
            entries.extend_from_slice(&[0, 0]);
        }
        let dict = format!(
            "<< /Type /XRef /Size {} /W [1 4 2] /Root 1 0 R /Length {} >>",
            offsets.len(),
            entries.len()
        );
        out.extend_from_slice(format!("{id} 0 obj\n{dict}\nstream\n").as_bytes());
        out.extend_from_slice(&entries);
        let tail = format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n");
        out.extend_from_slice(tail.as_bytes());
        out
    }

    /// The header and `objects`, with each object number's offset (`None` if unused).
    fn body(mut objects: Vec<(u32, Vec<u8>)>) -> (Vec<u8>, Vec<Option<usize>>) {
        objects.sort_by_key(|(id, _)| *id);
        let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let size = objects.last().map_or(0, |(id, _)| id + 1);
        let mut offsets = vec![None; size as usize];
        for (id, text) in &objects {
            offsets[*id as usize] = Some(out.len());
            out.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
            out.extend_from_slice(text);
            out.extend_from_slice(b"\nendobj\n");
        }
        (out, offsets)
    }
}

#[cfg(test)]
mod tests {
    use hayro_syntax::Pdf;
    use hayro_syntax::object::Stream;

    use super::rect::intersect;
    use super::testpdf::{
        self, Dict, TestPage, make_pdf, media, r, trim, write_pdf, write_pdf_with_xref_stream,
    };
    use super::*;

    fn close(a: Rect, b: Rect) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
    }

    /// A page under a Pages node that holds `pages_entries`, the page without a MediaBox.
    fn inheriting(pages_entries: &[(&str, &str)]) -> Vec<u8> {
        let mut pages = Dict::of(&[("Type", "/Pages"), ("Kids", "[3 0 R]"), ("Count", "1")]);
        for (k, v) in pages_entries {
            pages.set(k, v);
        }
        let mut page = TestPage::clean().page;
        page.remove("MediaBox");
        page.set("Parent", r(2));
        write_pdf(vec![
            (
                1,
                Dict::of(&[("Type", "/Catalog"), ("Pages", &r(2))]).into(),
            ),
            (2, pages.into()),
            (3, page.into()),
        ])
    }

    #[test]
    fn reads_boxes_and_inherits_media_and_crop_box() {
        let pdf = inheriting(&[
            ("MediaBox", &testpdf::rect(media())),
            ("CropBox", &testpdf::rect(trim())),
            ("TrimBox", &testpdf::rect(media())), // not inheritable: ignored
        ]);
        let boxes = page_boxes(&pdf).unwrap();
        assert_eq!(boxes.len(), 1);
        assert!(close(boxes[0].media_box.unwrap(), media()));
        assert!(close(boxes[0].crop_box.unwrap(), trim()));
        assert!(close(boxes[0].trim_box.unwrap(), trim()));
        assert!(close(boxes[0].bleed_box.unwrap(), media()));
    }

    /// A file the byte patch does not take (an inherited MediaBox) gets its BleedBox in
    /// an incremental update, the original bytes kept in front.
    #[test]
    fn general_way_appends_an_update() {
        let pdf = inheriting(&[("MediaBox", &testpdf::rect(media()))]);
        assert_eq!(patch::insert_bleed_boxes(&pdf, 1.0), None);
        let out = set_bleed_box(&pdf, 2.0 * PT_PER_MM).unwrap();
        assert!(out.starts_with(&pdf));
        let boxes = page_boxes(&out).unwrap();
        assert!(close(
            boxes[0].bleed_box.unwrap(),
            grow(trim(), 2.0 * PT_PER_MM)
        ));
        assert!(close(boxes[0].media_box.unwrap(), media()));
        // Once more: the update's page replaces the BleedBox it had.
        let again = set_bleed_box(&out, 1.0 * PT_PER_MM).unwrap();
        let boxes = page_boxes(&again).unwrap();
        assert!(close(
            boxes[0].bleed_box.unwrap(),
            grow(trim(), 1.0 * PT_PER_MM)
        ));
    }

    /// A file with an xref stream (as most writers but Typst make) is read, and gets
    /// its BleedBox the general way: a classic update section after the stream.
    #[test]
    fn xref_stream_file_gets_its_bleed_box() {
        let mut page = TestPage::clean();
        page.page.remove("BleedBox");
        let pdf = write_pdf_with_xref_stream(page.into_objects());
        assert_eq!(page_boxes(&pdf).unwrap()[0].bleed_box, None);
        assert_eq!(patch::insert_bleed_boxes(&pdf, 1.0), None);
        let out = set_bleed_box(&pdf, 2.0 * PT_PER_MM).unwrap();
        let bleed = page_boxes(&out).unwrap()[0].bleed_box.unwrap();
        assert!(close(bleed, grow(trim(), 2.0 * PT_PER_MM)), "{bleed:?}");
    }

    /// A page tree that loops is not read as a book with fewer pages; a very deep one
    /// and arrays nested 100,000 deep are errors, not stack overflows.
    #[test]
    fn looping_or_deep_page_trees_and_deep_nesting_are_errors() {
        let pages = Dict::of(&[
            ("Type", "/Pages"),
            ("Kids", "[3 0 R 2 0 R]"),
            ("Count", "2"),
        ]);
        let page = Dict::of(&[
            ("Type", "/Page"),
            ("Parent", &r(2)),
            ("MediaBox", "[0 0 9 9]"),
        ]);
        let looping = write_pdf(vec![
            (
                1,
                Dict::of(&[("Type", "/Catalog"), ("Pages", &r(2))]).into(),
            ),
            (2, pages.into()),
            (3, page.into()),
        ]);
        assert!(matches!(page_boxes(&looping), Err(PdfBoxError::Read(_))));

        // A page tree 10,000 levels deep, which hayro-syntax would read recursively.
        let mut objects = vec![(
            1,
            Dict::of(&[("Type", "/Catalog"), ("Pages", &r(2))]).into(),
        )];
        for id in 2..10_002 {
            let kids = format!("[{} 0 R]", id + 1);
            let node = Dict::of(&[("Type", "/Pages"), ("Kids", &kids), ("Count", "1")]);
            objects.push((id, node.into()));
        }
        objects.push((
            10_002,
            Dict::of(&[("Type", "/Page"), ("MediaBox", "[0 0 9 9]")]).into(),
        ));
        let err = page_boxes(&write_pdf(objects)).unwrap_err();
        assert!(err.to_string().contains("page tree of"), "{err}");

        let mut deep = TestPage::clean();
        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        deep.page.set("Deep", nested);
        let err = page_boxes(&make_pdf(deep)).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }

    #[test]
    fn bleed_box_is_trim_grown_and_clipped_to_media() {
        let mut page = TestPage::clean();
        page.page.remove("BleedBox");
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
        page.page.remove("TrimBox");
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
        page.page.set("TrimBox", "[0 /x]");
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
        let id = |pdf: &[u8]| {
            let trailer = &pdf[patch::startxref(pdf).unwrap()..];
            let at = patch::find(trailer, b"/ID").expect("an /ID");
            trailer[at..at + patch::find(&trailer[at..], b"]").unwrap()].to_vec()
        };
        assert_eq!(id(after), id(before));
        let (b, a) = (read::open(before).unwrap(), read::open(after).unwrap());
        assert_eq!(a.len(), b.len());
        let xmp = |d: &Pdf| {
            let catalog = d
                .xref()
                .get::<hayro_syntax::object::Dict<'_>>(d.xref().root_id())
                .unwrap();
            let s = catalog.get::<Stream<'_>>(b"Metadata").unwrap();
            s.decoded().unwrap().into_owned()
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
