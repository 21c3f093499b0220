//! Preflight tests: one small PDF made with each fault, and the real booklet.
use super::*;
use crate::pdf::boxes::PdfBoxError;
use crate::pdf::boxes::testpdf::{self, Dict, TestPage, make_pdf, media, rect, stream, trim};

/// The report on `page`.
fn check(page: TestPage, opts: &PreflightOptions) -> Report {
    preflight(&make_pdf(page), opts).unwrap()
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

fn helvetica() -> Dict {
    Dict::of(&[
        ("Type", "/Font"),
        ("Subtype", "/Type1"),
        ("BaseFont", "/Helvetica"),
    ])
}

#[test]
fn font_not_embedded() {
    let page = TestPage::clean().set_object(100, helvetica());
    let report = assert_only(page, &print(), FaultKind::FontNotEmbedded);
    assert_eq!(
        report.faults[0].to_string(),
        "page 1: font Helvetica is not embedded"
    );
}

#[test]
fn type0_font_whose_descendant_is_not_embedded() {
    let type0 = Dict::of(&[
        ("Type", "/Font"),
        ("Subtype", "/Type0"),
        ("BaseFont", "/ABCDEF+Song"),
        ("DescendantFonts", "[103 0 R]"),
    ]);
    let cid = Dict::of(&[
        ("Type", "/Font"),
        ("Subtype", "/CIDFontType2"),
        ("BaseFont", "/ABCDEF+Song"),
        ("FontDescriptor", "<< /Type /FontDescriptor >>"), // no FontFile2
    ]);
    let page = TestPage::clean()
        .set_object(100, type0)
        .set_object(103, cid);
    assert_only(page, &print(), FaultKind::FontNotEmbedded);
}

#[test]
fn type3_font() {
    let type3 = Dict::of(&[
        ("Type", "/Font"),
        ("Subtype", "/Type3"),
        ("Name", "/Emoji"),
        ("FontBBox", "[0 0 1 1]"),
        ("FontMatrix", "[0.001 0 0 0.001 0 0]"),
        ("CharProcs", "<< >>"),
        ("Encoding", "<< >>"),
        ("FirstChar", "0"),
        ("LastChar", "0"),
        ("Widths", "[0]"),
    ]);
    assert_only(
        TestPage::clean().set_object(100, type3),
        &print(),
        FaultKind::Type3Font,
    );
}

#[test]
fn embedded_font_without_subset_prefix() {
    let whole = Dict::of(&[
        ("Type", "/Font"),
        ("Subtype", "/TrueType"),
        ("BaseFont", "/NotoSansSC-Regular"),
        ("FontDescriptor", "101 0 R"),
    ]);
    let page = TestPage::clean().set_object(100, whole);
    assert_only(page, &print(), FaultKind::FontNotSubset);
}

/// Fonts of a form XObject count too, even if its content shows no text.
#[test]
fn font_in_nested_form_xobject() {
    let inner_res = Dict::of(&[("Font", "<< /F9 104 0 R >>")]);
    let mut page = TestPage::clean()
        .set_object(103, form(b"", inner_res))
        .set_object(104, helvetica());
    page.resources.set("XObject", "<< /Fm1 103 0 R >>");
    assert_only(page, &print(), FaultKind::FontNotEmbedded);
}

fn form(content: &[u8], resources: Dict) -> Vec<u8> {
    form_with(content, resources, None)
}

fn form_with(content: &[u8], resources: Dict, matrix: Option<&str>) -> Vec<u8> {
    let mut dict = Dict::of(&[
        ("Type", "/XObject"),
        ("Subtype", "/Form"),
        ("BBox", "[0 0 600 800]"),
    ]);
    dict.set("Resources", resources);
    if let Some(m) = matrix {
        dict.set("Matrix", m);
    }
    stream(dict, content)
}

fn image(w: usize, h: usize) -> Vec<u8> {
    let dict = Dict::of(&[
        ("Type", "/XObject"),
        ("Subtype", "/Image"),
        ("Width", &w.to_string()),
        ("Height", &h.to_string()),
        ("ColorSpace", "/DeviceGray"),
        ("BitsPerComponent", "8"),
    ]);
    stream(dict, &vec![0; w * h])
}

/// 100 × 100 px placed 2 inches (144 pt) wide: 50 dpi.
#[test]
fn low_resolution_image() {
    let content = "q 144 0 0 144 100 100 cm /Im1 Do Q";
    let mut page = with_content(content).set_object(103, image(100, 100));
    page.resources.set("XObject", "<< /Im1 103 0 R >>");
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
    page.resources.set("XObject", "<< /Im1 103 0 R >>");
    assert!(check(page, &print()).is_ok());

    // A form scaled ×8 draws the 18 pt image at 144 pt: 50 dpi again.
    let inner = form_with(
        b"q 18 0 0 18 0 0 cm /Im1 Do Q",
        Dict::of(&[("XObject", "<< /Im1 103 0 R >>")]),
        Some("[8 0 0 8 0 0]"),
    );
    let mut page = with_content("q 1 0 0 1 50 50 cm /Fm1 Do Q")
        .set_object(103, image(100, 100))
        .set_object(104, inner);
    page.resources.set("XObject", "<< /Fm1 104 0 R >>");
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
    let icc = |n: &str| stream(Dict::of(&[("N", n)]), b"");
    let spaces = "<< /c0 [/ICCBased 105 0 R] /c1 [/ICCBased 106 0 R] >>";
    let black = "q /c0 cs 0 scn BT /F1 10 Tf 1 0 0 1 100 100 Tm (Hi) Tj ET Q";
    let mut page = with_content(black)
        .set_object(105, icc("1"))
        .set_object(106, icc("3"));
    page.resources.set("ColorSpace", spaces);
    assert!(check(page, &print()).is_ok());

    let red = b"BT /F1 10 Tf 1 0 0 1 0 0 Tm (Hi) Tj ET";
    let form_res = Dict::of(&[("Font", "<< /F1 100 0 R >>"), ("ColorSpace", spaces)]);
    let content = "q /c1 cs 1 0 0 scn q 1 0 0 1 100 100 cm /Fm1 Do Q Q \
                   BT /F1 10 Tf 1 0 0 1 100 200 Tm (ok) Tj ET";
    let mut page = with_content(content)
        .set_object(105, icc("1"))
        .set_object(106, icc("3"))
        .set_object(107, form(red, form_res));
    page.resources.set("XObject", "<< /Fm1 107 0 R >>");
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

/// `page`'s only fault is text in the margin, told by a message that starts `start`.
fn assert_safe_area_fault(page: TestPage, start: &str) {
    let report = assert_only(page, &print(), FaultKind::OutsideSafeArea);
    let message = &report.faults[0].message;
    assert!(message.starts_with(start), "{message}");
}

/// Text 2 mm from the left trim edge, placed through the CTM and `Td`.
#[test]
fn text_outside_safe_area() {
    let x = trim()[0] + 2.0 * PT_PER_MM;
    let content = format!("q 1 0 0 1 {x:.3} 0 cm BT /F1 10 Tf 0 300 Td (Hi) Tj ET Q");
    assert_safe_area_fault(with_content(&content), "text 2 mm from the trim edge");
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
    page.page.remove("TrimBox");
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
    page.page.remove("BleedBox");
    assert_only(page, &print(), FaultKind::MissingBleedBox);
}

#[test]
fn wrong_bleed_box() {
    let mut page = TestPage::clean();
    page.page
        .set("BleedBox", rect(boxes::grow(trim(), 1.0 * PT_PER_MM)));
    let report = assert_only(page, &print(), FaultKind::WrongBleedBox);
    assert!(report.faults[0].message.contains("1/1/1/1 mm"), "{report}");
}

#[test]
fn media_box_smaller_than_bleed_box() {
    let mut page = TestPage::clean();
    page.page
        .set("MediaBox", rect(boxes::grow(trim(), 1.0 * PT_PER_MM)));
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
    let report = preflight(pdf, &PreflightOptions::default()).unwrap();
    println!("{report}");
    assert_eq!(boxes::page_boxes(pdf).unwrap().len(), report.pages);
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

/// Forms that each draw the next twice, 40 deep: no cycle, but 2^32 walks before the
/// depth limit, so the operation budget ends it with an error, not a hang. (A form
/// that draws itself is not even resolved: hayro-syntax refuses a reference back to an
/// object it was reached through.)
#[test]
fn forms_drawing_forms_end_in_an_error() {
    let mut page = with_content("/Fm Do");
    page.resources.set("XObject", "<< /Fm 103 0 R >>");
    for id in 103..143 {
        let next = Dict::of(&[("XObject", &format!("<< /Fm {} 0 R >>", id + 1))]);
        page = page.set_object(id, form(b"/Fm Do /Fm Do", next));
    }
    let pdf = make_pdf(page);
    let opts = PreflightOptions {
        max_operations: 10_000,
        ..print()
    };
    let err = preflight(&pdf, &opts).unwrap_err();
    assert!(matches!(err, PreflightError::TooComplex), "{err}");
}

/// An incremental update (a second xref section with /Prev) that turns the text red:
/// the update is what is read.
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
    let report = preflight(&pdf, &print()).unwrap();
    assert_eq!(kinds(&report), [FaultKind::NonBlackText], "{report}");
}

/// A line that starts well inside the safe area and runs out past the right trim
/// edge: its glyphs' advances (500/1000 em at 10 pt: 5 pt each) carry it there.
#[test]
fn line_running_out_of_the_safe_area() {
    let x = trim()[2] - 30.0 * PT_PER_MM;
    let y = trim()[1] + 100.0 * PT_PER_MM;
    // 15 glyphs: 75 pt = 26.5 mm, ending 3.5 mm from the edge.
    let line = format!("BT /F1 10 Tf 1 0 0 1 {x:.3} {y:.3} Tm (ABCDEFGHIJKLMNO) Tj ET");
    assert_safe_area_fault(with_content(&line), "text 3.5 mm from the trim edge");
    // The run in pieces with a kern: each piece starts where the one before ended, so
    // 40 glyphs (200 pt less a 0.2 pt kern) end 40.5 mm outside the trim.
    let pieces = format!(
        "BT /F1 10 Tf 1 0 0 1 {x:.3} {y:.3} Tm (ABCDEFGHIJ) Tj [(ABCDEFGHIJ) 20 (ABCDEFGHIJABCDEFGHIJ)] TJ ET"
    );
    assert_safe_area_fault(with_content(&pieces), "text 40.5 mm outside the trim");
    // Ten glyphs (50 pt) end 12.4 mm inside: fine.
    let short = format!("BT /F1 10 Tf 1 0 0 1 {x:.3} {y:.3} Tm (ABCDEFGHIJ) Tj ET");
    assert!(check(with_content(&short), &print()).is_ok());
}

/// Character spacing and horizontal scaling widen a run; the spacing after its last
/// glyph paints nothing.
#[test]
fn character_spacing_and_scaling_widen_a_run() {
    let start = format!(
        "BT /F1 10 Tf 1 0 0 1 {:.3} 300 Tm",
        trim()[2] - 30.0 * PT_PER_MM
    );
    // 9 × (5 + 3) + 5 = 77 pt: 2.8 mm from the edge.
    let spaced = format!("{start} 3 Tc (ABCDEFGHIJ) Tj ET");
    assert_safe_area_fault(with_content(&spaced), "text 2.8 mm from the trim edge");
    // 10 × 5 pt × 2 = 100 pt: 5.3 mm beyond it.
    let wide = format!("{start} 200 Tz (ABCDEFGHIJ) Tj ET");
    assert_safe_area_fault(with_content(&wide), "text 5.3 mm outside the trim");
}

/// A Type0 font's two-byte codes take their widths from the CIDFont's `W` array.
#[test]
fn cid_font_widths_reach_the_margin() {
    let type0 = Dict::of(&[
        ("Type", "/Font"),
        ("Subtype", "/Type0"),
        ("BaseFont", "/ABCDEF+Song"),
        ("Encoding", "/Identity-H"),
        ("DescendantFonts", "[103 0 R]"),
    ]);
    let cid = Dict::of(&[
        ("Type", "/Font"),
        ("Subtype", "/CIDFontType2"),
        ("BaseFont", "/ABCDEF+Song"),
        ("FontDescriptor", "101 0 R"),
        ("DW", "0"),
        ("W", "[1 [1000] 2 9 1000]"),
    ]);
    let x = trim()[2] - 30.0 * PT_PER_MM;
    // Eight 10 pt glyphs: 80 pt = 28.2 mm, ending 1.8 mm from the edge.
    let line =
        format!("BT /F1 10 Tf 1 0 0 1 {x:.3} 300 Tm <00010002000300040005000600070008> Tj ET");
    let page = with_content(&line)
        .set_object(100, type0)
        .set_object(103, cid);
    assert_safe_area_fault(page, "text 1.8 mm");
}

/// Content nested 100,000 arrays deep is an error, not a stack overflow; so is a page
/// tree that loops.
#[test]
fn deep_content_and_looping_page_tree_are_errors() {
    let deep = format!("{}{} TJ", "[".repeat(100_000), "]".repeat(100_000));
    let err = preflight(&make_pdf(with_content(&deep)), &print()).unwrap_err();
    assert!(
        matches!(err, PreflightError::Content { page: 1, .. }),
        "{err}"
    );

    let mut pdf = make_pdf(TestPage::clean());
    let kids = memchr::memmem::find(&pdf, b"[3 0 R]").unwrap();
    pdf[kids..kids + 7].copy_from_slice(b"[2 0 R]");
    assert!(matches!(
        preflight(&pdf, &print()),
        Err(PreflightError::Read(PdfBoxError::Read(_)))
    ));
}

/// A file with an xref stream is read as well as Typst's classic table.
#[test]
fn xref_stream_file_is_read() {
    let mut red = TestPage::clean();
    red.content = red.content.replace("0 g", "1 0 0 rg");
    let pdf = testpdf::write_pdf_with_xref_stream(red.into_objects());
    let report = preflight(&pdf, &print()).unwrap();
    assert_eq!(kinds(&report), [FaultKind::NonBlackText], "{report}");
}
