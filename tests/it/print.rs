//! Print production, read back from the written PDF with `pdfinfo -box`: boxes on
//! every page for each print profile and trim, the page-count rule of each binding,
//! PDF/A.

use std::path::{Path, PathBuf};

use crate::common::poppler;
use confbook::model::print::{Binding, Overrides};
use confbook::output::build::{Builder, Paths};
use confbook::output::manifest::Manifest;

const MM: f64 = 72.0 / 25.4;

fn build(overrides: Overrides) -> (tempfile::TempDir, PathBuf, Manifest) {
    let out = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut builder = Builder::new(Paths::new(root, out.path()), false).unwrap();
    builder.set_overrides(overrides);
    let built = builder.build().unwrap();
    let pdf = out.path().join("booklet.pdf");
    (out, pdf, built.manifest)
}

/// Per page: box name → [x0, y0, x1, y1] in pt.
fn boxes(pdf: &Path) -> Vec<std::collections::BTreeMap<String, [f64; 4]>> {
    let text = poppler(
        "pdfinfo",
        &["-box", "-f", "1", "-l", "100000", &pdf.to_string_lossy()],
    );
    let mut pages: Vec<std::collections::BTreeMap<String, [f64; 4]>> = Vec::new();
    for line in text
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("Box:"))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let page: usize = words[1].parse().unwrap();
        let name = words[2].trim_end_matches(':').to_string();
        let nums: Vec<f64> = words[3..7].iter().map(|w| w.parse().unwrap()).collect();
        if pages.len() < page {
            pages.resize(page, Default::default());
        }
        pages[page - 1].insert(name, [nums[0], nums[1], nums[2], nums[3]]);
    }
    pages
}

fn assert_box(page: usize, name: &str, got: [f64; 4], want: [f64; 4]) {
    let close = got.iter().zip(want).all(|(a, b)| (a - b).abs() < 0.05);
    assert!(close, "page {page} {name}: got {got:?}, want {want:?}");
}

/// The shipped trim, 185×260 mm (大16开).
const TRIM: (f64, f64) = (185.0, 260.0);

/// A trim of `trim` mm placed `outer` mm inside the MediaBox, bleed `bleed` mm around it.
fn check_boxes(pdf: &Path, trim: (f64, f64), bleed: f64, outer: f64, pages: usize) {
    let (w, h) = (trim.0 * MM, trim.1 * MM);
    let (b, o) = (bleed * MM, outer * MM);
    let all = boxes(pdf);
    assert_eq!(all.len(), pages);
    for (i, page) in all.iter().enumerate() {
        let n = i + 1;
        assert_box(
            n,
            "MediaBox",
            page["MediaBox"],
            [0.0, 0.0, w + 2.0 * o, h + 2.0 * o],
        );
        assert_box(n, "TrimBox", page["TrimBox"], [o, o, o + w, o + h]);
        assert_box(
            n,
            "BleedBox",
            page["BleedBox"],
            [o - b, o - b, o + w + b, o + h + b],
        );
    }
}

#[test]
fn default_profile_has_bleed_and_trim_boxes() {
    let (_dir, pdf, manifest) = build(Overrides::default());
    check_boxes(&pdf, TRIM, 3.0, 3.0, manifest.pages);
}

#[test]
fn crop_marks_add_a_slug_outside_the_bleed() {
    let (_dir, pdf, manifest) = build(Overrides {
        marks: true,
        ..Overrides::default()
    });
    check_boxes(&pdf, TRIM, 3.0, 13.0, manifest.pages);
}

#[test]
fn screen_pdf_is_the_trim_size() {
    let (_dir, pdf, manifest) = build(Overrides {
        screen: true,
        ..Overrides::default()
    });
    check_boxes(&pdf, TRIM, 0.0, 0.0, manifest.pages);
}

/// Every other trim the CLI offers, each with a binding (both bindings are covered):
/// the boxes of every page and the page count, read back from the PDF.
#[test]
fn every_offered_trim_builds_with_its_boxes() {
    for (name, trim, binding) in [
        ("A4", (210.0, 297.0), Binding::Saddle),
        ("B5", (176.0, 250.0), Binding::Perfect),
        ("A5", (148.0, 210.0), Binding::Saddle),
    ] {
        let (_dir, pdf, manifest) = build(Overrides {
            trim: Some(name.into()),
            binding: Some(binding),
            ..Overrides::default()
        });
        let multiple = binding.pages_multiple();
        assert_eq!(
            manifest.pages % multiple,
            0,
            "{name}: {} pages",
            manifest.pages
        );
        check_boxes(&pdf, trim, 3.0, 3.0, manifest.pages);
        text_within_trim(&pdf, name, trim, 3.0);
    }
    // The shipped trim too.
    let (_dir, pdf, _) = build(Overrides::default());
    text_within_trim(&pdf, "185x260mm", TRIM, 3.0);
}

/// Handouts take the booklet's trim: an A5 handout keeps its margins too.
#[test]
fn an_a5_handout_keeps_its_margins() {
    let (dir, paths) = crate::common::project_copy();
    let booklet = dir.path().join("content/booklet.toml");
    let text = std::fs::read_to_string(&booklet).unwrap();
    std::fs::write(
        &booklet,
        text.replace("trim = \"185x260mm\"", "trim = \"A5\""),
    )
    .unwrap();
    let out = crate::common::confbook_in(dir.path(), &["handouts", "case"]);
    assert!(out.status.success(), "{}", crate::common::text(&out.stderr));
    let pdf = paths.out.join("handouts/case.pdf");
    text_within_trim(&pdf, "A5 handout", (148.0, 210.0), 0.0);
}

/// The least room any text may leave to the trim's edge, on every side (running heads
/// and folios included).
const MIN_MARGIN_MM: f64 = 8.0;

/// Every word of every page (`pdftotext -bbox`, in MediaBox coordinates) lies inside
/// the trim with at least [`MIN_MARGIN_MM`] to each edge, and the inside and outside
/// margins stay in proportion (the narrower at least half the wider).
fn text_within_trim(pdf: &Path, name: &str, (w, h): (f64, f64), bleed: f64) {
    let html = poppler("pdftotext", &["-bbox", &pdf.to_string_lossy(), "-"]);
    let attr = |tag: &str, key: &str| -> f64 {
        let start = tag.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    let (mut inside, mut outside, mut words) = (f64::MAX, f64::MAX, 0);
    for (page, text) in html.split("<page ").skip(1).enumerate() {
        for word in text.split("<word ").skip(1) {
            words += 1;
            let x0 = attr(word, "xMin") / MM - bleed;
            let x1 = attr(word, "xMax") / MM - bleed;
            let y0 = attr(word, "yMin") / MM - bleed;
            let y1 = attr(word, "yMax") / MM - bleed;
            let room = [x0, w - x1, y0, h - y1];
            assert!(
                room.iter().all(|r| *r >= MIN_MARGIN_MM),
                "{name}, page {}: a word {room:?} mm from the trim's left, right, top, bottom",
                page + 1
            );
            // Page 1 is a recto: its outside margin is on the right.
            let (i, o) = if page % 2 == 0 {
                (x0, w - x1)
            } else {
                (w - x1, x0)
            };
            inside = inside.min(i);
            outside = outside.min(o);
        }
    }
    assert!(words > 100, "{name}: the text was read ({words} words)");
    assert!(
        inside.min(outside) >= 0.5 * inside.max(outside),
        "{name}: inside {inside:.1} mm, outside {outside:.1} mm"
    );
}

#[test]
fn page_count_follows_the_binding_with_blank_pages_at_the_end() {
    let (_a, perfect_pdf, perfect) = build(Overrides {
        binding: Some(Binding::Perfect),
        ..Overrides::default()
    });
    let (_b, saddle_pdf, saddle) = build(Overrides {
        binding: Some(Binding::Saddle),
        ..Overrides::default()
    });
    assert_eq!(
        perfect.pages % 4,
        0,
        "perfect binding: {} pages",
        perfect.pages
    );
    assert_eq!(saddle.pages % 4, 0, "saddle stitch: {} pages", saddle.pages);
    // Padding pages come after the index and are empty: no running head, no folio.
    let last_record = saddle.records.iter().map(|r| r.last_page).max().unwrap();
    for pdf in [&perfect_pdf, &saddle_pdf] {
        let pages = boxes(pdf).len();
        let index_end = (last_record + 1..=pages)
            .rev()
            .find(|&p| !page_text(pdf, p).trim().is_empty())
            .unwrap();
        for p in index_end + 1..=pages {
            assert!(
                page_text(pdf, p).trim().is_empty(),
                "padding page {p} is not blank"
            );
        }
    }
}

#[test]
fn pdf_a_2b_is_declared_in_the_xmp_metadata() {
    let (_dir, pdf, _) = build(Overrides::default());
    let bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("<pdfaid:part>2</pdfaid:part>"),
        "no PDF/A part in the XMP"
    );
    assert!(
        text.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "no PDF/A conformance in the XMP"
    );
}

fn page_text(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    poppler(
        "pdftotext",
        &["-f", &p, "-l", &p, &pdf.to_string_lossy(), "-"],
    )
}
