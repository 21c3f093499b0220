//! Preflight tests: one small PDF made with each fault, and the real booklet.
use lopdf::{Dictionary, Object, Stream, dictionary};

use super::*;
use crate::output::pdfbox::testpdf::{self, TestPage, make_pdf, media, rect, trim};

/// The report on `page`, checking on the way that reading only the pages' objects
/// finds what parsing the whole file finds.
fn check(page: TestPage, opts: &PreflightOptions) -> Report {
    same_either_way(&make_pdf(page), opts)
}

fn same_either_way(pdf: &[u8], opts: &PreflightOptions) -> Report {
    assert!(
        pdfbox::load_pages(pdf).is_some(),
        "a classic xref table is read lazily"
    );
    let lazy = preflight(pdf, opts).unwrap();
    let full = check_doc(&Document::load_mem(pdf).unwrap(), opts).unwrap();
    assert_eq!(lazy, full);
    lazy
}

fn kinds(report: &Report) -> Vec<FaultKind> {
    report.faults.iter().map(|f| f.kind).collect()
}

/// `page` has exactly one fault, of `kind`, on page 1.
fn assert_only(page: TestPage, opts: &PreflightOptions, kind: FaultKind) -> Report {
    let report = check(page, opts);
    assert_eq!(kinds(&report), [kind], "{report}");
    assert_eq!(report.faults[0].page, Some(1));
    report
}

fn print() -> PreflightOptions {
    PreflightOptions::print(3.0)
}

/// Replaces the clean page's text with `content` (font /F1 still there).
fn with_content(content: &str) -> TestPage {
    TestPage {
        content: content.into(),
        ..TestPage::clean()
    }
}

#[test]
fn clean_page_has_no_fault() {
    let report = check(TestPage::clean(), &print());
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.pages, 1);
    assert_eq!(report.sizes, [("185 × 260 mm".to_string(), 1)]);
    assert!(report.to_string().ends_with("preflight: OK\n"));
    assert!(check(TestPage::clean(), &PreflightOptions::default()).is_ok());
}

#[test]
fn font_not_embedded() {
    let helvetica =
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
    let page = TestPage::clean().set_object(100, helvetica);
    let report = assert_only(page, &print(), FaultKind::FontNotEmbedded);
    assert_eq!(
        report.faults[0].to_string(),
        "page 1: font Helvetica is not embedded"
    );
}

#[test]
fn type0_font_whose_descendant_is_not_embedded() {
    let type0 = dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "ABCDEF+Song",
        "DescendantFonts" => vec![(103, 0).into()],
    };
    let cid = dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "ABCDEF+Song",
        "FontDescriptor" => dictionary! { "Type" => "FontDescriptor" }, // no FontFile2
    };
    let page = TestPage::clean()
        .set_object(100, type0)
        .set_object(103, cid);
    assert_only(page, &print(), FaultKind::FontNotEmbedded);
}

#[test]
fn type3_font() {
    let type3 = dictionary! {
        "Type" => "Font", "Subtype" => "Type3", "Name" => "Emoji",
        "FontBBox" => vec![0.into(), 0.into(), 1.into(), 1.into()],
        "FontMatrix" => [0.001, 0.0, 0.0, 0.001, 0.0, 0.0].map(Object::from).to_vec(),
        "CharProcs" => Dictionary::new(), "Encoding" => dictionary! {},
        "FirstChar" => 0, "LastChar" => 0, "Widths" => vec![0.into()],
    };
    assert_only(
        TestPage::clean().set_object(100, type3),
        &print(),
        FaultKind::Type3Font,
    );
}

#[test]
fn embedded_font_without_subset_prefix() {
    let whole = dictionary! {
        "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "NotoSansSC-Regular",
        "FontDescriptor" => (101, 0),
    };
    let page = TestPage::clean().set_object(100, whole);
    assert_only(page, &print(), FaultKind::FontNotSubset);
}

/// Fonts of a form XObject count too, even if its content shows no text.
#[test]
fn font_in_nested_form_xobject() {
    let helvetica =
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
    let inner_res = dictionary! { "Font" => dictionary! { "F9" => (104, 0) } };
    let form = form(b"", inner_res);
    let mut page = TestPage::clean()
        .set_object(103, form)
        .set_object(104, helvetica);
    page.resources()
        .set("XObject", dictionary! { "Fm1" => (103, 0) });
    assert_only(page, &print(), FaultKind::FontNotEmbedded);
}

fn form(content: &[u8], resources: Dictionary) -> Stream {
    let dict = dictionary! {
        "Type" => "XObject", "Subtype" => "Form",
        "BBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
        "Resources" => resources,
    };
    Stream::new(dict, content.to_vec())
}

fn image(w: i64, h: i64) -> Stream {
    let dict = dictionary! {
        "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
    };
    Stream::new(dict, vec![0; (w * h) as usize])
}

/// 100 × 100 px placed 2 inches (144 pt) wide: 50 dpi.
#[test]
fn low_resolution_image() {
    let content = "q 144 0 0 144 100 100 cm /Im1 Do Q";
    let mut page = with_content(content).set_object(103, image(100, 100));
    page.resources()
        .set("XObject", dictionary! { "Im1" => (103, 0) });
    let report = assert_only(page, &print(), FaultKind::LowResolution);
    let message = &report.faults[0].message;
    assert!(
        message.contains("(100 × 100 px)") && message.contains(": 50 dpi"),
        "{message}"
    );
    assert!(
        report
            .notes
            .contains(&"images: 1 placed, lowest 50 dpi".to_string())
    );
}

/// The same image at 0.25 inch is 400 dpi; a form's /Matrix and the CTM compose.
#[test]
fn image_resolution_follows_ctm_and_form_matrix() {
    let ok = "q 18 0 0 18 100 100 cm /Im1 Do Q";
    let mut page = with_content(ok).set_object(103, image(100, 100));
    page.resources()
        .set("XObject", dictionary! { "Im1" => (103, 0) });
    assert!(check(page, &print()).is_ok());

    // A form scaled ×8 draws the 18 pt image at 144 pt: 50 dpi again.
    let mut inner = form(
        b"q 18 0 0 18 0 0 cm /Im1 Do Q",
        dictionary! {
            "XObject" => dictionary! { "Im1" => (103, 0) },
        },
    );
    inner.dict.set(
        "Matrix",
        vec![8.into(), 0.into(), 0.into(), 8.into(), 0.into(), 0.into()],
    );
    let mut page = with_content("q 1 0 0 1 50 50 cm /Fm1 Do Q")
        .set_object(103, image(100, 100))
        .set_object(104, inner);
    page.resources()
        .set("XObject", dictionary! { "Fm1" => (104, 0) });
    assert_only(page, &print(), FaultKind::LowResolution);
}

#[test]
fn red_text() {
    let page = with_content("BT /F1 10 Tf 1 0 0 rg 1 0 0 1 100 100 Tm (Hi) Tj ET");
    let report = assert_only(page, &print(), FaultKind::NonBlackText);
    let line = "page 1: text in RGB colour 1 0 0 (not pure black)";
    assert!(report.to_string().contains(line), "{report}");
}

/// Typst's way: an ICC-based gray (N 1) at 0 is black; an ICC RGB red is not, and
/// is found inside a form XObject too. q/Q restore the colour.
#[test]
fn icc_colour_spaces_and_forms() {
    let icc = |n: i64| Stream::new(dictionary! { "N" => n }, Vec::new());
    let spaces = dictionary! {
        "c0" => vec!["ICCBased".into(), (105, 0).into()],
        "c1" => vec!["ICCBased".into(), (106, 0).into()],
    };
    let black = "q /c0 cs 0 scn BT /F1 10 Tf 1 0 0 1 100 100 Tm (Hi) Tj ET Q";
    let mut page = with_content(black)
        .set_object(105, icc(1))
        .set_object(106, icc(3));
    page.resources().set("ColorSpace", spaces.clone());
    assert!(check(page, &print()).is_ok());

    let red = b"BT /F1 10 Tf 1 0 0 1 0 0 Tm (Hi) Tj ET";
    let form_res =
        dictionary! { "Font" => dictionary! { "F1" => (100, 0) }, "ColorSpace" => spaces };
    let content = "q /c1 cs 1 0 0 scn q 1 0 0 1 100 100 cm /Fm1 Do Q Q \
                   BT /F1 10 Tf 1 0 0 1 100 200 Tm (ok) Tj ET";
    let mut page = with_content(content)
        .set_object(105, icc(1))
        .set_object(106, icc(3))
        .set_object(107, form(red, form_res));
    page.resources()
        .set("XObject", dictionary! { "Fm1" => (107, 0) });
    assert_only(page, &print(), FaultKind::NonBlackText);
}

#[test]
fn pure_black_in_gray_rgb_and_cmyk_passes() {
    for colour in ["0 g", "0 0 0 rg", "0 0 0 1 k", "/DeviceCMYK cs 0 0 0 1 sc"] {
        let page = with_content(&format!(
            "BT /F1 10 Tf {colour} 1 0 0 1 100 100 Tm (Hi) Tj ET"
        ));
        assert!(check(page, &print()).is_ok(), "{colour}");
    }
    let rich_black = with_content("BT /F1 10 Tf 0.6 0.4 0.4 1 k 1 0 0 1 100 100 Tm (Hi) Tj ET");
    assert_only(rich_black, &print(), FaultKind::NonBlackText);
}

/// Text 2 mm from the left trim edge, placed through the CTM and `Td`.
#[test]
fn text_outside_safe_area() {
    let x = trim()[0] + 2.0 * PT_PER_MM;
    let content = format!("q 1 0 0 1 {x:.3} 0 cm BT /F1 10 Tf 0 300 Td (Hi) Tj ET Q");
    let report = assert_only(with_content(&content), &print(), FaultKind::OutsideSafeArea);
    assert!(
        report.faults[0]
            .message
            .starts_with("text 2 mm from the trim edge"),
        "{report}"
    );
}

/// `T*` and `'` move down by the leading: the third line lands 2 mm above the
/// bottom trim edge.
#[test]
fn text_lines_follow_leading() {
    let y = trim()[1] + 2.0 * PT_PER_MM + 2.0 * 12.0;
    let ok = format!("BT /F1 10 Tf 12 TL 1 0 0 1 100 {y:.3} Tm (a) Tj T* (b) Tj ET");
    assert!(check(with_content(&ok), &print()).is_ok());
    let bad = format!("BT /F1 10 Tf 12 TL 1 0 0 1 100 {y:.3} Tm (a) Tj T* (b) Tj (c) ' ET");
    assert_only(with_content(&bad), &print(), FaultKind::OutsideSafeArea);
}

#[test]
fn missing_trim_box_when_bleed_expected() {
    let mut page = TestPage::clean();
    page.page.remove(b"TrimBox");
    let pdf = make_pdf(page);
    let report = preflight(&pdf, &print()).unwrap();
    assert_eq!(kinds(&report), [FaultKind::MissingTrimBox], "{report}");
    // A screen PDF needs none: the trim is the MediaBox, whose edge the text keeps clear of.
    assert!(
        preflight(&pdf, &PreflightOptions::default())
            .unwrap()
            .is_ok()
    );
}

#[test]
fn missing_bleed_box() {
    let mut page = TestPage::clean();
    page.page.remove(b"BleedBox");
    assert_only(page, &print(), FaultKind::MissingBleedBox);
}

#[test]
fn wrong_bleed_box() {
    let mut page = TestPage::clean();
    page.page
        .set("BleedBox", rect(pdfbox::grow(trim(), 1.0 * PT_PER_MM)));
    let report = assert_only(page, &print(), FaultKind::WrongBleedBox);
    assert!(report.faults[0].message.contains("1/1/1/1 mm"), "{report}");
}

#[test]
fn media_box_smaller_than_bleed_box() {
    let mut page = TestPage::clean();
    page.page
        .set("MediaBox", rect(pdfbox::grow(trim(), 1.0 * PT_PER_MM)));
    page.page.set("BleedBox", rect(media()));
    assert_only(page, &print(), FaultKind::MediaBoxTooSmall);
}

#[test]
fn report_serialises_to_json() {
    let page = with_content("BT /F1 10 Tf 1 0 0 rg 1 0 0 1 100 100 Tm (Hi) Tj ET");
    let json = serde_json::to_value(check(page, &print())).unwrap();
    assert_eq!(json["faults"][0]["kind"], "non-black-text");
    assert_eq!(json["faults"][0]["page"], 1);
    assert_eq!(json["sizes"][0], serde_json::json!(["185 × 260 mm", 1]));
}

#[test]
fn unreadable_pdf_is_an_error() {
    assert!(matches!(
        preflight(b"%PDF-1.7 junk", &print()),
        Err(PreflightError::Read(_))
    ));
}

/// The shipped booklet: one box set per page, every font embedded and subset.
#[test]
fn real_booklet_fonts_are_embedded_and_subset() {
    let pdf = testpdf::booklet();
    let report = same_either_way(pdf, &PreflightOptions::default());
    println!("{report}");
    assert_eq!(pdfbox::page_boxes(pdf).unwrap().len(), report.pages);
    let font_kinds = [
        FaultKind::FontNotEmbedded,
        FaultKind::FontNotSubset,
        FaultKind::Type3Font,
    ];
    let font_faults: Vec<&Fault> = report
        .faults
        .iter()
        .filter(|f| font_kinds.contains(&f.kind))
        .collect();
    assert!(font_faults.is_empty(), "{font_faults:?}");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("fonts (") && n.contains("+"))
    );
}

/// A form that draws itself twice: no cycle is broken by the depth limit in time
/// (2^32 walks), so the operation budget ends it with an error, not a hang.
#[test]
fn forms_drawing_themselves_end_in_an_error() {
    let inner_res = dictionary! { "XObject" => dictionary! { "Fm1" => (103, 0) } };
    let twice = form(b"/Fm1 Do /Fm1 Do", inner_res);
    let mut page = with_content("/Fm1 Do").set_object(103, twice);
    page.resources()
        .set("XObject", dictionary! { "Fm1" => (103, 0) });
    let pdf = make_pdf(page);
    let opts = PreflightOptions {
        max_operations: 10_000,
        ..print()
    };
    let err = preflight(&pdf, &opts).unwrap_err();
    assert!(matches!(err, PreflightError::TooComplex), "{err}");
}

/// An incremental update (a second xref section with /Prev) that turns the text red:
/// the lazy reader leaves such a file to the full parse, which sees the update.
#[test]
fn incremental_update_is_read_whole() {
    let mut pdf = make_pdf(TestPage::clean());
    let previous = String::from_utf8_lossy(&pdf[pdf.len() - 30..]).into_owned();
    let previous: usize = previous
        .split_whitespace()
        .rev()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let (x, y) = (trim()[0] + 20.0 * PT_PER_MM, trim()[1] + 20.0 * PT_PER_MM);
    let content = format!("1 0 0 rg BT /F1 10 Tf 1 0 0 1 {x:.3} {y:.3} Tm (Hi) Tj ET");
    let object_at = pdf.len();
    let object = format!(
        "4 0 obj\n<< /Length {} >>\nstream\n{content}\nendstream\nendobj\n",
        content.len()
    );
    pdf.extend_from_slice(object.as_bytes());
    let xref_at = pdf.len();
    let update = format!(
        "xref\n4 1\n{object_at:010} 00000 n \ntrailer\n<< /Size 103 /Root 1 0 R /Prev {previous} >>\nstartxref\n{xref_at}\n%%EOF\n"
    );
    pdf.extend_from_slice(update.as_bytes());
    assert!(pdfbox::load_pages(&pdf).is_none());
    let report = preflight(&pdf, &print()).unwrap();
    assert_eq!(kinds(&report), [FaultKind::NonBlackText], "{report}");
}

/// The booklet's tagged-PDF structure, links and outline are not read: only the page
/// tree and what the pages draw with.
#[test]
fn only_the_pages_objects_are_read() {
    let pdf = testpdf::booklet();
    let lazy = pdfbox::load_pages(pdf).unwrap();
    let full = Document::load_mem(pdf).unwrap();
    let of_type = |doc: &Document, kind: &str| {
        doc.objects
            .values()
            .filter(|o| o.as_dict().is_ok_and(|d| is_name(d, b"Type", kind)))
            .count()
    };
    assert!(of_type(&full, "StructElem") > 1000 && of_type(&full, "Annot") > 100);
    assert_eq!(
        (of_type(&lazy, "StructElem"), of_type(&lazy, "Annot")),
        (0, 0)
    );
    assert_eq!(of_type(&lazy, "Page"), of_type(&full, "Page"));
    assert!(
        lazy.objects.len() * 5 < full.objects.len(),
        "{}",
        lazy.objects.len()
    );
}

/// A file with an xref stream (as lopdf writes by default) is parsed whole, with the
/// same findings.
#[test]
fn xref_stream_file_is_read_whole() {
    let mut red = TestPage::clean();
    red.content = red.content.replace("0 g", "1 0 0 rg");
    let mut doc = Document::load_mem(&make_pdf(red)).unwrap();
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceStream;
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    assert!(pdfbox::load_pages(&pdf).is_none());
    let report = preflight(&pdf, &print()).unwrap();
    assert_eq!(kinds(&report), [FaultKind::NonBlackText], "{report}");
}
