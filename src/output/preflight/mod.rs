//! Preflight: reads a written PDF the way a printer's prepress check does and lists
//! what it would reject — page boxes, fonts, image resolution, non-black text and text
//! too close to the trim.

use std::collections::HashSet;
use std::fmt;

use lopdf::{Dictionary, Document, Object, ObjectId};
use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::output::pdfbox::{self, MAX_DEPTH, PT_PER_MM, PageBoxes, PdfBoxError, Rect, deref};
use ops::ContentError;

mod ops;

/// Box comparisons allow this much (PDF writers round to 1/10000 pt or keep f32).
const TOLERANCE_PT: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PreflightOptions {
    /// `Some(bleed)` for a print PDF: every page needs a TrimBox and a BleedBox of
    /// trim + bleed. `None` for a screen PDF, where page = trim.
    pub expect_bleed_mm: Option<f64>,
    /// Lowest effective image resolution at placed size.
    pub min_dpi: f64,
    /// Text must stay this far inside the trim.
    pub safe_mm: f64,
    /// Content-stream operations read at most on one page: forms that draw each
    /// other can multiply the work without any cycle, so the walk has a budget.
    pub max_operations: usize,
}

impl Default for PreflightOptions {
    /// A screen PDF: no bleed expected, 300 dpi, 5 mm safe margin (layouts/typography.md
    /// §8).
    fn default() -> Self {
        PreflightOptions {
            expect_bleed_mm: None,
            min_dpi: 300.0,
            safe_mm: 5.0,
            // Far more than any real book (the booklet has about 100,000).
            max_operations: 20_000_000,
        }
    }
}

impl PreflightOptions {
    /// A print PDF with `bleed_mm` of bleed.
    pub fn print(bleed_mm: f64) -> Self {
        PreflightOptions {
            expect_bleed_mm: Some(bleed_mm),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    MissingMediaBox,
    MissingTrimBox,
    MissingBleedBox,
    WrongBleedBox,
    MediaBoxTooSmall,
    FontNotEmbedded,
    FontNotSubset,
    Type3Font,
    LowResolution,
    NonBlackText,
    OutsideSafeArea,
}

/// Something a printer would reject; `page` is 1-based, `None` for the whole file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fault {
    pub page: Option<usize>,
    pub kind: FaultKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub pages: usize,
    /// Trim sizes ("185 × 260 mm") with their page counts, in order of appearance.
    pub sizes: Vec<(String, usize)>,
    pub faults: Vec<Fault>,
    /// What was checked and found fine: boxes, fonts, images.
    pub notes: Vec<String>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.faults.is_empty()
    }

    fn fault(&mut self, page: usize, kind: FaultKind, message: String) {
        let page = Some(page);
        self.faults.push(Fault {
            page,
            kind,
            message,
        });
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.page {
            Some(page) => write!(f, "page {page}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pages: {}", self.pages)?;
        for (size, count) in &self.sizes {
            writeln!(f, "trim size: {size} ({count} {})", plural(*count, "page"))?;
        }
        for note in &self.notes {
            writeln!(f, "{note}")?;
        }
        for fault in &self.faults {
            writeln!(f, "{fault}")?;
        }
        match self.faults.len() {
            0 => writeln!(f, "preflight: OK"),
            n => writeln!(f, "preflight: {n} {}", plural(n, "fault")),
        }
    }
}

#[derive(Debug, Error)]
pub enum PreflightError {
    #[error("cannot read the PDF ({0})")]
    Read(#[source] lopdf::Error),
    #[error(transparent)]
    Boxes(#[from] PdfBoxError),
    #[error("page {page}: cannot read a content stream ({source})")]
    Content { page: usize, source: ContentError },
    #[error("the pages draw more content-stream operations than the limit (forms drawing forms?)")]
    TooComplex,
}

/// Checks `pdf` against `opts`; faults go in the report, only an unreadable PDF is an
/// error.
pub fn preflight(pdf: &[u8], opts: &PreflightOptions) -> Result<Report, PreflightError> {
    // Most of a tagged PDF is structure no check reads.
    let doc = pdfbox::load_for_pages(pdf).map_err(PreflightError::Read)?;
    check_doc(&doc, opts)
}

fn check_doc(doc: &Document, opts: &PreflightOptions) -> Result<Report, PreflightError> {
    let boxes = pdfbox::doc_page_boxes(doc)?;
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
    let want = pdfbox::grow(trim, mm * PT_PER_MM);
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

/// A value rounded to 0.1, without a trailing ".0".
fn num(v: f64) -> String {
    let v = (v * 10.0).round() / 10.0;
    if v == 0.0 { "0".into() } else { format!("{v}") }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.into()
    } else {
        format!("{word}s")
    }
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
fn check_fonts(doc: &Document, report: &mut Report) {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    for (i, page_id) in doc.page_iter().enumerate() {
        let mut fonts = Vec::new();
        if let Some(res) = page_resources(doc, page_id) {
            collect_fonts(doc, res, &mut fonts, &mut HashSet::new(), 0);
        }
        for (id, font) in fonts {
            if id.is_some_and(|id| !seen.insert(id)) {
                continue;
            }
            let (name, faults) = font_faults(doc, font);
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

type FontRef<'a> = (Option<ObjectId>, &'a Dictionary);

fn collect_fonts<'a>(
    doc: &'a Document,
    res: &'a Dictionary,
    out: &mut Vec<FontRef<'a>>,
    forms: &mut HashSet<ObjectId>,
    depth: usize,
) {
    for (_, font) in entries(doc, res, b"Font") {
        if let Ok(dict) = deref(doc, font).as_dict() {
            out.push((font.as_reference().ok(), dict));
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    for (_, xobject) in entries(doc, res, b"XObject") {
        let Ok(stream) = deref(doc, xobject).as_stream() else {
            continue;
        };
        let id = xobject.as_reference().ok();
        if is_name(&stream.dict, b"Subtype", "Form") && id.is_none_or(|id| forms.insert(id)) {
            let inner = stream.dict.get(b"Resources").map(|r| deref(doc, r));
            if let Ok(inner) = inner.and_then(Object::as_dict) {
                collect_fonts(doc, inner, out, forms, depth + 1);
            }
        }
    }
}

/// The font's name and what is wrong with it. Subsetting only matters for an
/// embedded font, so a font that is not embedded gets just that fault.
fn font_faults(doc: &Document, font: &Dictionary) -> (String, Vec<(FaultKind, String)>) {
    let subtype = name_of(font, b"Subtype").unwrap_or("?").to_string();
    if subtype == "Type3" {
        let name = name_of(font, b"Name").unwrap_or("(unnamed)").to_string();
        let message = format!("font {name} is Type 3 (glyphs drawn as procedures, e.g. emoji)");
        return (
            format!("{name} (Type3)"),
            vec![(FaultKind::Type3Font, message)],
        );
    }
    // A Type0 font's glyphs and descriptor are in its descendant CIDFont.
    let descendant = font
        .get(b"DescendantFonts")
        .map(|d| deref(doc, d))
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| a.first())
        .and_then(|d| deref(doc, d).as_dict().ok());
    let glyphs = descendant.unwrap_or(font);
    let base = name_of(glyphs, b"BaseFont")
        .or(name_of(font, b"BaseFont"))
        .unwrap_or("(unnamed)");
    let name = format!("{base} ({subtype})");
    let fault = if !is_embedded(doc, glyphs) {
        (
            FaultKind::FontNotEmbedded,
            format!("font {base} is not embedded"),
        )
    } else if !is_subset(base) {
        let message = format!("font {base} is embedded whole, not subset (no ABCDEF+ prefix)");
        (FaultKind::FontNotSubset, message)
    } else {
        return (name, Vec::new());
    };
    (name, vec![fault])
}

fn is_embedded(doc: &Document, font: &Dictionary) -> bool {
    let descriptor = font.get(b"FontDescriptor").map(|d| deref(doc, d));
    let Ok(descriptor) = descriptor.and_then(Object::as_dict) else {
        return false;
    };
    [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
        .iter()
        .any(|key| descriptor.has(key))
}

/// A subset's name starts with six capital letters and a plus: `AOKYIU+NotoSansSC`.
fn is_subset(base: &str) -> bool {
    let b = base.as_bytes();
    b.len() > 7 && b[..6].iter().all(u8::is_ascii_uppercase) && b[6] == b'+'
}

// ---- Resources -------------------------------------------------------------------

/// The page's resources, which may be inherited from a Pages node.
fn page_resources(doc: &Document, page: ObjectId) -> Option<&Dictionary> {
    let res = pdfbox::inherited(doc, page, b"Resources")?;
    deref(doc, res).as_dict().ok()
}

/// The entries of a resource category (`Font`, `XObject`, …).
fn entries<'a>(
    doc: &'a Document,
    res: &'a Dictionary,
    category: &[u8],
) -> impl Iterator<Item = (&'a [u8], &'a Object)> {
    let dict = res.get(category).map(|d| deref(doc, d));
    let dict = dict.and_then(Object::as_dict).ok();
    dict.into_iter()
        .flat_map(|d| d.iter().map(|(k, v)| (k.as_slice(), v)))
}

fn lookup<'a>(
    doc: &'a Document,
    res: &'a Dictionary,
    category: &[u8],
    key: &[u8],
) -> Option<&'a Object> {
    entries(doc, res, category)
        .find(|(k, _)| *k == key)
        .map(|(_, v)| deref(doc, v))
}

fn name_of<'a>(dict: &'a Dictionary, key: &[u8]) -> Option<&'a str> {
    dict.get(key).and_then(Object::as_name_str).ok()
}

fn is_name(dict: &Dictionary, key: &[u8], value: &str) -> bool {
    name_of(dict, key) == Some(value)
}

// ---- Content: colour, safe area, images ------------------------------------------

fn check_content(
    doc: &Document,
    boxes: &[PageBoxes],
    opts: &PreflightOptions,
    report: &mut Report,
) -> Result<(), PreflightError> {
    // Pages are independent: decode and walk them on every core, report in order.
    let pages: Vec<(usize, ObjectId)> = doc
        .page_iter()
        .enumerate()
        .map(|(i, id)| (i + 1, id))
        .collect();
    let found = pages
        .par_iter()
        .map(|&(page, page_id)| walk_page(doc, page, page_id, opts))
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

/// What page number `page` (object `page_id`) draws.
fn walk_page(
    doc: &Document,
    page: usize,
    page_id: ObjectId,
    opts: &PreflightOptions,
) -> Result<Found, PreflightError> {
    let bytes = doc
        .get_page_content(page_id)
        .map_err(PreflightError::Read)?;
    let empty = Dictionary::new();
    let res = page_resources(doc, page_id).unwrap_or(&empty);
    let mut walk = Walk::new(doc, page, opts.max_operations);
    walk.run(&bytes, res, State::initial(), 0)?;
    Ok(walk.found)
}

/// An affine matrix `[a b c d e f]`; points are row vectors, `p' = p × M`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn from_numbers(v: &[f64]) -> Option<Matrix> {
        Some(Matrix(v.try_into().ok()?))
    }

    /// `self`, then `next`: `p × self × next`.
    fn then(self, next: Matrix) -> Matrix {
        let ([a, b, c, d, e, f], [a2, b2, c2, d2, e2, f2]) = (self.0, next.0);
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn origin(self) -> (f64, f64) {
        (self.0[4], self.0[5])
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Space {
    Gray,
    Rgb,
    Cmyk,
    /// A spot colour by name; `Black` is the black plate.
    Separation(String),
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Fill {
    space: Space,
    values: Vec<f64>,
}

impl Fill {
    /// The initial colour of a space (PDF 32000-1, 8.6.5): black, or tint 1.
    fn initial(space: Space) -> Fill {
        let values = match space {
            Space::Gray => vec![0.0],
            Space::Rgb => vec![0.0; 3],
            Space::Cmyk => vec![0.0, 0.0, 0.0, 1.0],
            Space::Separation(_) => vec![1.0],
            Space::Other(_) => vec![],
        };
        Fill { space, values }
    }

    /// Pure K: gray 0, RGB 0 0 0 (which a RIP makes K only), CMYK 0 0 0 1, or the
    /// Black separation at full tint.
    fn is_black(&self) -> bool {
        let want: &[f64] = match &self.space {
            Space::Gray => &[0.0],
            Space::Rgb => &[0.0; 3],
            Space::Cmyk => &[0.0, 0.0, 0.0, 1.0],
            Space::Separation(name) if name == "Black" => &[1.0],
            _ => return false,
        };
        want.len() == self.values.len()
            && want
                .iter()
                .zip(&self.values)
                .all(|(w, v)| (w - v).abs() < 1e-6)
    }

    fn describe(&self) -> String {
        let values: Vec<String> = self
            .values
            .iter()
            .map(|v| format!("{}", (v * 1000.0).round() / 1000.0))
            .collect();
        let space = match &self.space {
            Space::Gray => "gray".to_string(),
            Space::Rgb => "RGB colour".into(),
            Space::Cmyk => "CMYK colour".into(),
            Space::Separation(name) => format!("spot colour {name}, tint"),
            Space::Other(name) => format!("{name} colour"),
        };
        format!("{space} {}", values.join(" "))
            .trim_end()
            .to_string()
    }
}

/// A colour-space operand of `cs`: a device name or a `ColorSpace` resource.
fn color_space(doc: &Document, res: &Dictionary, name: &[u8]) -> Space {
    let device = |n: &[u8]| match n {
        b"DeviceGray" | b"G" | b"CalGray" => Some(Space::Gray),
        b"DeviceRGB" | b"RGB" | b"CalRGB" => Some(Space::Rgb),
        b"DeviceCMYK" | b"CMYK" => Some(Space::Cmyk),
        _ => None,
    };
    if let Some(space) = device(name) {
        return space;
    }
    let other = || Space::Other(String::from_utf8_lossy(name).into_owned());
    let Some(object) = lookup(doc, res, b"ColorSpace", name) else {
        return other();
    };
    if let Ok(n) = object.as_name() {
        return device(n).unwrap_or_else(other);
    }
    let Ok(array) = object.as_array() else {
        return other();
    };
    let family = array.first().and_then(|f| f.as_name().ok()).unwrap_or(b"");
    let arg = array.get(1).map(|a| deref(doc, a));
    match family {
        // An ICC profile's component count says gray, RGB or CMYK.
        b"ICCBased" => match arg
            .and_then(|s| s.as_stream().ok())
            .and_then(|s| s.dict.get(b"N").ok())
        {
            Some(Object::Integer(1)) => Space::Gray,
            Some(Object::Integer(3)) => Space::Rgb,
            Some(Object::Integer(4)) => Space::Cmyk,
            _ => other(),
        },
        b"Separation" => {
            let spot = arg.and_then(|a| a.as_name_str().ok()).unwrap_or("?");
            Space::Separation(spot.to_string())
        }
        _ => device(family)
            .unwrap_or_else(|| Space::Other(String::from_utf8_lossy(family).into_owned())),
    }
}

/// The graphics state this check follows (saved and restored by `q`/`Q`).
#[derive(Debug, Clone)]
struct State {
    ctm: Matrix,
    fill: Fill,
    leading: f64,
    render: i64,
}

impl State {
    fn initial() -> State {
        State {
            ctm: Matrix::IDENTITY,
            fill: Fill::initial(Space::Gray),
            leading: 0.0,
            render: 0,
        }
    }
}

/// The text matrix and the start of the current line (`Tm`, `Tlm`).
#[derive(Debug, Clone, Copy)]
struct TextPos {
    tm: Matrix,
    tlm: Matrix,
}

impl TextPos {
    const START: TextPos = TextPos {
        tm: Matrix::IDENTITY,
        tlm: Matrix::IDENTITY,
    };

    fn next_line(&mut self, x: f64, y: f64) {
        self.tlm = Matrix::translate(x, y).then(self.tlm);
        self.tm = self.tlm;
    }
}

struct Image {
    name: String,
    px: (i64, i64),
    placed_mm: (f64, f64),
    dpi: f64,
}

/// What one page's content showed.
#[derive(Default)]
struct Found {
    /// Non-black text colours, each once, in order of appearance.
    colours: Vec<String>,
    /// Origins of shown text, in default user space.
    text: Vec<(f64, f64)>,
    images: Vec<Image>,
}

impl Found {
    fn report(
        &self,
        page: usize,
        trim: Option<Rect>,
        opts: &PreflightOptions,
        report: &mut Report,
    ) {
        for colour in &self.colours {
            let message = format!("text in {colour} (not pure black)");
            report.fault(page, FaultKind::NonBlackText, message);
        }
        if let Some(message) = trim.and_then(|t| self.safe_area_fault(t, opts.safe_mm)) {
            report.fault(page, FaultKind::OutsideSafeArea, message);
        }
        let mut low: Vec<String> = Vec::new();
        for image in self.images.iter().filter(|i| i.dpi < opts.min_dpi - 0.5) {
            let message = format!(
                "image /{} ({} × {} px) placed at {} × {} mm: {:.0} dpi (below {:.0})",
                image.name,
                image.px.0,
                image.px.1,
                num(image.placed_mm.0),
                num(image.placed_mm.1),
                image.dpi,
                opts.min_dpi
            );
            if !low.contains(&message) {
                low.push(message.clone());
                report.fault(page, FaultKind::LowResolution, message);
            }
        }
    }

    /// The text origin nearest the trim edge, if it is inside the safe margin. Only
    /// origins are known (glyph widths are not looked up), so a line running into the
    /// margin from its start is not caught.
    fn safe_area_fault(&self, trim: Rect, safe_mm: f64) -> Option<String> {
        let margin = |&(x, y): &(f64, f64)| {
            let d = (x - trim[0])
                .min(trim[2] - x)
                .min(y - trim[1])
                .min(trim[3] - y);
            d / PT_PER_MM
        };
        let worst = self.text.iter().map(margin).min_by(f64::total_cmp)?;
        if worst >= safe_mm - 0.01 {
            return None;
        }
        Some(if worst < 0.0 {
            format!("text {} mm outside the trim", num(-worst))
        } else {
            format!(
                "text {} mm from the trim edge (safe area: {} mm inside)",
                num(worst),
                num(safe_mm)
            )
        })
    }
}

/// Follows one page's content, and the forms it draws.
struct Walk<'a> {
    doc: &'a Document,
    /// The page walked, for errors.
    page: usize,
    found: Found,
    /// Operations left to read ([`PreflightOptions::max_operations`]).
    budget: usize,
}

impl<'a> Walk<'a> {
    fn new(doc: &'a Document, page: usize, budget: usize) -> Self {
        Walk {
            doc,
            page,
            found: Found::default(),
            budget,
        }
    }

    /// Runs the content stream `bytes` from graphics state `gs`: a form starts from its
    /// caller's state.
    fn run(
        &mut self,
        bytes: &[u8],
        res: &Dictionary,
        mut gs: State,
        depth: usize,
    ) -> Result<(), PreflightError> {
        let mut saved = Vec::new();
        let mut text = TextPos::START;
        for op in ops::operations(bytes) {
            let op = op.map_err(|source| PreflightError::Content {
                page: self.page,
                source,
            })?;
            self.budget = self
                .budget
                .checked_sub(1)
                .ok_or(PreflightError::TooComplex)?;
            let n = op.numbers;
            match op.operator {
                b"q" => saved.push(gs.clone()),
                b"Q" => gs = saved.pop().unwrap_or(gs),
                b"cm" => gs.ctm = Matrix::from_numbers(&n).map_or(gs.ctm, |m| m.then(gs.ctm)),
                b"BT" => text = TextPos::START,
                b"Tm" => {
                    let m = Matrix::from_numbers(&n).unwrap_or(text.tm);
                    text = TextPos { tm: m, tlm: m };
                }
                b"Td" | b"TD" if n.len() == 2 => {
                    if op.operator == b"TD" {
                        gs.leading = -n[1];
                    }
                    text.next_line(n[0], n[1]);
                }
                b"TL" => gs.leading = n.first().copied().unwrap_or(gs.leading),
                b"T*" => text.next_line(0.0, -gs.leading),
                b"Tr" => gs.render = n.first().map_or(gs.render, |&r| r as i64),
                b"Tj" | b"TJ" => self.show(&gs, text),
                b"'" | b"\"" => {
                    text.next_line(0.0, -gs.leading);
                    self.show(&gs, text);
                }
                b"g" => {
                    gs.fill = Fill {
                        space: Space::Gray,
                        values: n,
                    }
                }
                b"rg" => {
                    gs.fill = Fill {
                        space: Space::Rgb,
                        values: n,
                    }
                }
                b"k" => {
                    gs.fill = Fill {
                        space: Space::Cmyk,
                        values: n,
                    }
                }
                b"cs" => {
                    let name = op.name.as_deref().unwrap_or(b"");
                    gs.fill = Fill::initial(color_space(self.doc, res, name));
                }
                // A pattern's name operand is not a number and drops out.
                b"sc" | b"scn" => gs.fill.values = n,
                b"Do" => self.draw(op.name.as_deref(), res, &gs, depth)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Text rendering modes 3 (invisible) and 7 (clip only) paint nothing; modes 1
    /// and 5 (stroke only) use the stroke colour, which is not followed.
    fn show(&mut self, gs: &State, text: TextPos) {
        if matches!(gs.render, 3 | 7) {
            return;
        }
        self.found.text.push(text.tm.then(gs.ctm).origin());
        if !matches!(gs.render, 1 | 5) && !gs.fill.is_black() {
            let colour = gs.fill.describe();
            if !self.found.colours.contains(&colour) {
                self.found.colours.push(colour);
            }
        }
    }

    fn draw(
        &mut self,
        name: Option<&[u8]>,
        res: &Dictionary,
        gs: &State,
        depth: usize,
    ) -> Result<(), PreflightError> {
        let Some(name) = name else {
            return Ok(());
        };
        let doc = self.doc;
        let Some(Ok(stream)) = lookup(doc, res, b"XObject", name).map(Object::as_stream) else {
            return Ok(());
        };
        let dict = &stream.dict;
        if is_name(dict, b"Subtype", "Image") {
            self.image(String::from_utf8_lossy(name).into_owned(), dict, gs.ctm);
        } else if is_name(dict, b"Subtype", "Form") && depth < MAX_DEPTH {
            // An unfiltered stream has no `Filter`, which lopdf treats as an error.
            let bytes = match dict.has(b"Filter") {
                true => stream
                    .decompressed_content()
                    .map_err(PreflightError::Read)?,
                false => stream.content.clone(),
            };
            let matrix = dict.get(b"Matrix").ok().map(|m| deref(doc, m));
            let matrix = matrix.and_then(|m| m.as_array().ok()).map(|a| numbers(a));
            let matrix = matrix
                .and_then(|m| Matrix::from_numbers(&m))
                .unwrap_or(Matrix::IDENTITY);
            let inner = dict.get(b"Resources").ok().map(|r| deref(doc, r));
            let inner = inner.and_then(|r| r.as_dict().ok()).unwrap_or(res);
            let ctm = matrix.then(gs.ctm);
            self.run(&bytes, inner, State { ctm, ..gs.clone() }, depth + 1)?;
        }
        Ok(())
    }

    /// An image fills the unit square mapped by the CTM, so its placed width is the
    /// length of the CTM's first row and its height that of the second.
    fn image(&mut self, name: String, dict: &Dictionary, ctm: Matrix) {
        let px = |key: &[u8]| dict.get(key).and_then(Object::as_i64).unwrap_or(0);
        let [a, b, c, d, ..] = ctm.0;
        let (w_pt, h_pt) = (a.hypot(b), c.hypot(d));
        if w_pt <= 0.0 || h_pt <= 0.0 {
            return;
        }
        let (w, h) = (px(b"Width"), px(b"Height"));
        let dpi = (w as f64 * 72.0 / w_pt).min(h as f64 * 72.0 / h_pt);
        let placed_mm = (w_pt / PT_PER_MM, h_pt / PT_PER_MM);
        self.found.images.push(Image {
            name,
            px: (w, h),
            placed_mm,
            dpi,
        });
    }
}

/// The numbers in a PDF array (anything else is left out).
fn numbers(items: &[Object]) -> Vec<f64> {
    items
        .iter()
        .filter_map(|o| match o {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(f64::from(*r)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
