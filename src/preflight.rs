//! Preflight: reads a written PDF the way a printer's prepress check does and lists
//! what it would reject — page boxes, fonts, image resolution, non-black text and text
//! too close to the trim.

use std::collections::HashSet;
use std::fmt;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;
use thiserror::Error;

use crate::pdfbox::{self, MAX_DEPTH, PT_PER_MM, PageBoxes, PdfBoxError, Rect, deref};

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
}

impl Default for PreflightOptions {
    /// A screen PDF: no bleed expected, 300 dpi, 5 mm safe margin (typography.md §9).
    fn default() -> Self {
        PreflightOptions {
            expect_bleed_mm: None,
            min_dpi: 300.0,
            safe_mm: 5.0,
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
    #[error("page {page}: cannot parse the content stream ({source})")]
    Content { page: usize, source: lopdf::Error },
}

/// Checks `pdf` against `opts`; faults go in the report, only an unreadable PDF is an
/// error.
pub fn preflight(pdf: &[u8], opts: &PreflightOptions) -> Result<Report, PreflightError> {
    let doc = Document::load_mem(pdf).map_err(PreflightError::Read)?;
    let boxes = pdfbox::doc_page_boxes(&doc)?;
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
    check_fonts(&doc, &mut report);
    check_content(&doc, &boxes, opts, &mut report)?;
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
    let empty = Dictionary::new();
    let mut lowest_dpi: Option<f64> = None;
    let mut images = 0;
    for ((i, page_id), b) in doc.page_iter().enumerate().zip(boxes) {
        let page = i + 1;
        let bytes = doc
            .get_page_content(page_id)
            .map_err(PreflightError::Read)?;
        let content =
            Content::decode(&bytes).map_err(|source| PreflightError::Content { page, source })?;
        let res = page_resources(doc, page_id).unwrap_or(&empty);
        let mut walk = Walk::new(doc);
        walk.run(&content.operations, res, State::initial(), 0)?;
        images += walk.found.images.len();
        for dpi in walk.found.images.iter().map(|i| i.dpi) {
            lowest_dpi = Some(lowest_dpi.map_or(dpi, |l| l.min(dpi)));
        }
        walk.found.report(page, b.trim_or_default(), opts, report);
    }
    report.notes.push(match lowest_dpi {
        Some(dpi) => format!("images: {images} placed, lowest {dpi:.0} dpi"),
        None => "images: none".into(),
    });
    Ok(())
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
    found: Found,
}

impl<'a> Walk<'a> {
    fn new(doc: &'a Document) -> Self {
        Walk {
            doc,
            found: Found::default(),
        }
    }

    /// Runs `ops` from graphics state `gs`: a form starts from its caller's state.
    fn run(
        &mut self,
        ops: &[Operation],
        res: &Dictionary,
        mut gs: State,
        depth: usize,
    ) -> Result<(), PreflightError> {
        let mut saved = Vec::new();
        let mut text = TextPos::START;
        for op in ops {
            let n = numbers(&op.operands);
            match op.operator.as_str() {
                "q" => saved.push(gs.clone()),
                "Q" => gs = saved.pop().unwrap_or(gs),
                "cm" => gs.ctm = Matrix::from_numbers(&n).map_or(gs.ctm, |m| m.then(gs.ctm)),
                "BT" => text = TextPos::START,
                "Tm" => {
                    let m = Matrix::from_numbers(&n).unwrap_or(text.tm);
                    text = TextPos { tm: m, tlm: m };
                }
                "Td" | "TD" if n.len() == 2 => {
                    if op.operator == "TD" {
                        gs.leading = -n[1];
                    }
                    text.next_line(n[0], n[1]);
                }
                "TL" => gs.leading = n.first().copied().unwrap_or(gs.leading),
                "T*" => text.next_line(0.0, -gs.leading),
                "Tr" => gs.render = n.first().map_or(gs.render, |&r| r as i64),
                "Tj" | "TJ" => self.show(&gs, text),
                "'" | "\"" => {
                    text.next_line(0.0, -gs.leading);
                    self.show(&gs, text);
                }
                "g" => {
                    gs.fill = Fill {
                        space: Space::Gray,
                        values: n,
                    }
                }
                "rg" => {
                    gs.fill = Fill {
                        space: Space::Rgb,
                        values: n,
                    }
                }
                "k" => {
                    gs.fill = Fill {
                        space: Space::Cmyk,
                        values: n,
                    }
                }
                "cs" => {
                    let name = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .unwrap_or(b"");
                    gs.fill = Fill::initial(color_space(self.doc, res, name));
                }
                // A pattern's name operand is not a number and drops out.
                "sc" | "scn" => gs.fill.values = n,
                "Do" => self.draw(op, res, &gs, depth)?,
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
        op: &Operation,
        res: &Dictionary,
        gs: &State,
        depth: usize,
    ) -> Result<(), PreflightError> {
        let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else {
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
            let content = Content::decode(&bytes).map_err(PreflightError::Read)?;
            let matrix = dict.get(b"Matrix").ok().map(|m| deref(doc, m));
            let matrix = matrix.and_then(|m| m.as_array().ok()).map(|a| numbers(a));
            let matrix = matrix
                .and_then(|m| Matrix::from_numbers(&m))
                .unwrap_or(Matrix::IDENTITY);
            let inner = dict.get(b"Resources").ok().map(|r| deref(doc, r));
            let inner = inner.and_then(|r| r.as_dict().ok()).unwrap_or(res);
            let ctm = matrix.then(gs.ctm);
            self.run(
                &content.operations,
                inner,
                State { ctm, ..gs.clone() },
                depth + 1,
            )?;
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

/// The numeric operands (others, such as a pattern name, are left out).
fn numbers(operands: &[Object]) -> Vec<f64> {
    operands
        .iter()
        .filter_map(|o| match o {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(f64::from(*r)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use lopdf::{Dictionary, Object, Stream, dictionary};

    use super::*;
    use crate::pdfbox::testpdf::{self, TestPage, make_pdf, media, rect, trim};

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
        let report = preflight(pdf, &PreflightOptions::default()).unwrap();
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
}
