//! Preflight: reads a written PDF the way a printer's prepress check does and lists
//! what it would reject — page boxes, fonts, image resolution, non-black text and text
//! too close to the trim.

use std::collections::HashSet;

use hayro_syntax::Pdf;
use hayro_syntax::object::{Dict, Name, ObjRef, Stream};
use rayon::prelude::*;

use crate::pdf::boxes::{self, MAX_DEPTH, PT_PER_MM, PageBoxes, Rect};
use content::Found;
pub use report::{Fault, FaultKind, PreflightError, PreflightOptions, Report};
use report::{num, plural};
use resources::{category, descendant, is_name, name_of, page_resources};

mod content;
mod report;
mod resources;
mod text;

/// Box comparisons allow this much (PDF writers round to 1/10000 pt or keep f32).
const TOLERANCE_PT: f64 = 0.05;

/// Checks `pdf` against `opts`; faults go in the report, only an unreadable PDF is an
/// error.
pub fn preflight(pdf: &[u8], opts: &PreflightOptions) -> Result<Report, PreflightError> {
    // The xref is read lazily: most of a tagged PDF is structure no check reads.
    let doc = boxes::read::open(pdf)?;
    check_doc(&doc, opts)
}

fn check_doc(doc: &Pdf, opts: &PreflightOptions) -> Result<Report, PreflightError> {
    let boxes = boxes::doc_page_boxes(doc)?;
    let mut report = Report {
        pages: boxes.len(),
        sizes: group(boxes.iter().map(trim_size)),
        faults: Vec::new(),
        notes: Vec::new(),
    };
    for (i, b) in boxes.iter().enumerate() {
        check_boxes(i + 1, b, opts, &mut report);
    }
    let summaries = group(boxes.iter().map(box_summary));
    let notes = summaries
        .into_iter()
        .map(|(s, n)| format!("boxes ({n} {}): {s}", plural(n, "page")));
    report.notes.extend(notes);
    check_fonts(doc, &mut report);
    check_content(doc, &boxes, opts, &mut report)?;
    report.faults.sort_by_key(|f| f.page);
    Ok(report)
}

// ---- Boxes -----------------------------------------------------------------------

fn check_boxes(page: usize, b: &PageBoxes, opts: &PreflightOptions, report: &mut Report) {
    let Some(media) = b.media_box else {
        let message = "no MediaBox".to_string();
        return report.fault(page, FaultKind::MissingMediaBox, message);
    };
    let mut expected = None;
    if let Some(mm) = opts.expect_bleed_mm {
        match b.trim_box {
            None => report.fault(page, FaultKind::MissingTrimBox, "no TrimBox".into()),
            Some(trim) => expected = Some(check_bleed(page, trim, b.bleed_box, mm, report)),
        }
    }
    // The real BleedBox if there is one, else the one there should be.
    if let Some(bleed) = b.bleed_box.or(expected)
        && !inside(bleed, media)
    {
        let message = format!(
            "MediaBox {} is smaller than the BleedBox {}",
            rect_mm(media),
            rect_mm(bleed)
        );
        report.fault(page, FaultKind::MediaBoxTooSmall, message);
    }
}

/// Faults a missing or wrong BleedBox; returns the BleedBox there should be.
fn check_bleed(page: usize, trim: Rect, bleed: Option<Rect>, mm: f64, report: &mut Report) -> Rect {
    let want = boxes::grow(trim, mm * PT_PER_MM);
    match bleed {
        None => {
            let message = format!("no BleedBox (should be the TrimBox + {} mm)", num(mm));
            report.fault(page, FaultKind::MissingBleedBox, message);
        }
        Some(bleed) if !same(bleed, want) => {
            // Per side, in the order left, bottom, right, top.
            let sides = [
                trim[0] - bleed[0],
                trim[1] - bleed[1],
                bleed[2] - trim[2],
                bleed[3] - trim[3],
            ];
            let sides: Vec<String> = sides.iter().map(|s| num(s / PT_PER_MM)).collect();
            let message = format!(
                "BleedBox extends {} mm (left/bottom/right/top) beyond the TrimBox, not {} mm",
                sides.join("/"),
                num(mm)
            );
            report.fault(page, FaultKind::WrongBleedBox, message);
        }
        Some(_) => {}
    }
    want
}

fn same(a: Rect, b: Rect) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= TOLERANCE_PT)
}

fn inside(inner: Rect, outer: Rect) -> bool {
    inner[0] >= outer[0] - TOLERANCE_PT
        && inner[1] >= outer[1] - TOLERANCE_PT
        && inner[2] <= outer[2] + TOLERANCE_PT
        && inner[3] <= outer[3] + TOLERANCE_PT
}

fn trim_size(b: &PageBoxes) -> String {
    b.trim_or_default().map_or("unknown".into(), size_mm)
}

fn box_summary(b: &PageBoxes) -> String {
    let named = [
        ("MediaBox", b.media_box),
        ("CropBox", b.crop_box),
        ("BleedBox", b.bleed_box),
        ("TrimBox", b.trim_box),
    ];
    let parts: Vec<String> = named
        .iter()
        .filter_map(|(name, r)| r.map(|r| format!("{name} {}", rect_mm(r))))
        .collect();
    parts.join(", ")
}

/// "185 × 260 mm".
fn size_mm(r: Rect) -> String {
    let (w, h) = ((r[2] - r[0]) / PT_PER_MM, (r[3] - r[1]) / PT_PER_MM);
    format!("{} × {} mm", num(w), num(h))
}

/// "191 × 266 mm at (0, 0)".
fn rect_mm(r: Rect) -> String {
    let (x, y) = (r[0] / PT_PER_MM, r[1] / PT_PER_MM);
    format!("{} at ({}, {})", size_mm(r), num(x), num(y))
}

/// Counts equal items, keeping the order they first appear in.
fn group(items: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for item in items {
        match groups.iter_mut().find(|(g, _)| *g == item) {
            Some((_, n)) => *n += 1,
            None => groups.push((item, 1)),
        }
    }
    groups
}

// ---- Fonts -----------------------------------------------------------------------

/// Every font in every page's resources and in the resources of the forms they use;
/// a font shared by several pages is reported once, at its first page.
fn check_fonts(doc: &Pdf, report: &mut Report) {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        let mut fonts = Vec::new();
        if let Some(res) = page_resources(page) {
            collect_fonts(&res, &mut fonts, &mut HashSet::new(), 0);
        }
        for (id, font) in fonts {
            if id.is_some_and(|id| !seen.insert(id)) {
                continue;
            }
            let (name, faults) = font_faults(&font);
            names.push(name);
            for (kind, message) in faults {
                report.fault(i + 1, kind, message);
            }
        }
    }
    let list = if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    };
    report
        .notes
        .push(format!("fonts ({}): {list}", names.len()));
}

type FontRef<'a> = (Option<ObjRef>, Dict<'a>);

fn collect_fonts<'a>(
    res: &Dict<'a>,
    out: &mut Vec<FontRef<'a>>,
    forms: &mut HashSet<ObjRef>,
    depth: usize,
) {
    let fonts = category(res, b"Font");
    for key in sorted_keys(&fonts) {
        if let Some(dict) = fonts.get::<Dict<'_>>(&*key) {
            out.push((fonts.get_ref(&*key), dict));
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    let xobjects = category(res, b"XObject");
    for key in sorted_keys(&xobjects) {
        let Some(stream) = xobjects.get::<Stream<'_>>(&*key) else {
            continue;
        };
        let id = xobjects.get_ref(&*key);
        if is_name(stream.dict(), b"Subtype", b"Form") && id.is_none_or(|id| forms.insert(id)) {
            if let Some(inner) = stream.dict().get::<Dict<'_>>(b"Resources") {
                collect_fonts(&inner, out, forms, depth + 1);
            }
        }
    }
}

/// A dictionary's keys in order (hayro-syntax keeps them hashed), so that fonts are
/// listed the same way every time: `/f0`, `/f1`, … as Typst writes them.
fn sorted_keys<'a>(dict: &Dict<'a>) -> Vec<Name<'a>> {
    let mut keys: Vec<Name<'a>> = dict.keys().collect();
    keys.sort();
    keys
}

/// The font's name and what is wrong with it. Subsetting only matters for an
/// embedded font, so a font that is not embedded gets just that fault.
fn font_faults(font: &Dict<'_>) -> (String, Vec<(FaultKind, String)>) {
    let subtype = name_of(font, b"Subtype").unwrap_or_else(|| "?".into());
    if subtype == "Type3" {
        let name = name_of(font, b"Name").unwrap_or_else(|| "(unnamed)".into());
        let message = format!("font {name} is Type 3 (glyphs drawn as procedures, e.g. emoji)");
        return (
            format!("{name} (Type3)"),
            vec![(FaultKind::Type3Font, message)],
        );
    }
    // A Type0 font's glyphs and descriptor are in its descendant CIDFont.
    let glyphs = descendant(font).unwrap_or_else(|| font.clone());
    let base = name_of(&glyphs, b"BaseFont")
        .or_else(|| name_of(font, b"BaseFont"))
        .unwrap_or_else(|| "(unnamed)".into());
    let name = format!("{base} ({subtype})");
    let fault = if !is_embedded(&glyphs) {
        (
            FaultKind::FontNotEmbedded,
            format!("font {base} is not embedded"),
        )
    } else if !is_subset(&base) {
        let message = format!("font {base} is embedded whole, not subset (no ABCDEF+ prefix)");
        (FaultKind::FontNotSubset, message)
    } else {
        return (name, Vec::new());
    };
    (name, vec![fault])
}

fn is_embedded(font: &Dict<'_>) -> bool {
    let Some(descriptor) = font.get::<Dict<'_>>(b"FontDescriptor") else {
        return false;
    };
    [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
        .iter()
        .any(|key| descriptor.contains_key(key))
}

/// A subset's name starts with six capital letters and a plus: `AOKYIU+NotoSansSC`.
fn is_subset(base: &str) -> bool {
    let b = base.as_bytes();
    b.len() > 7 && b[..6].iter().all(u8::is_ascii_uppercase) && b[6] == b'+'
}

// ---- Content: colour, safe area, images ------------------------------------------

fn check_content(
    doc: &Pdf,
    boxes: &[PageBoxes],
    opts: &PreflightOptions,
    report: &mut Report,
) -> Result<(), PreflightError> {
    // Pages are independent: decode and walk them on every core, report in order.
    let fonts = content::FontCache::default();
    let found = doc
        .pages()
        .par_iter()
        .enumerate()
        .map(|(i, page)| content::walk_page(page, i + 1, &fonts, opts))
        .collect::<Result<Vec<Found>, PreflightError>>()?;
    let mut lowest_dpi: Option<f64> = None;
    let mut images = 0;
    for ((page, found), b) in (1..).zip(&found).zip(boxes) {
        images += found.images.len();
        for dpi in found.images.iter().map(|i| i.dpi) {
            lowest_dpi = Some(lowest_dpi.map_or(dpi, |l| l.min(dpi)));
        }
        found.report(page, b.trim_or_default(), opts, report);
    }
    report.notes.push(match lowest_dpi {
        Some(dpi) => format!("images: {images} placed, lowest {dpi:.0} dpi"),
        None => "images: none".into(),
    });
    Ok(())
}

#[cfg(test)]
mod tests;
