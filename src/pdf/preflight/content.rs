//! One page's content, walked with hayro-syntax's typed operators and the little
//! graphics state the checks need: the CTM, the fill colour, the text state (for the
//! extent of each text run) and the forms drawn, within a depth and an operation
//! budget.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hayro_syntax::content::TypedIter;
use hayro_syntax::content::ops::TypedInstruction as Op;
use hayro_syntax::object::{Array, Dict, Number, ObjRef, Object, Stream};
use hayro_syntax::page::Page;

use super::report::{FaultKind, PreflightError, PreflightOptions, Report, num};
use super::resources::{category, is_name, page_resources};
use super::text::{Metrics, Piece, TextState};
use crate::pdf::boxes::{self, MAX_DEPTH, PT_PER_MM, Rect};

/// Fonts' metrics by object, read once for all pages (the booklet's CJK fonts have
/// width tables of thousands of glyphs, and every page uses them).
pub(super) type FontCache = Mutex<HashMap<ObjRef, Arc<Metrics>>>;

/// What page number `number` draws.
pub(super) fn walk_page(
    page: &Page<'_>,
    number: usize,
    fonts: &FontCache,
    opts: &PreflightOptions,
) -> Result<Found, PreflightError> {
    let bytes = match page.raw().contains_key(b"Contents") {
        true => page.page_stream().ok_or_else(|| PreflightError::Content {
            page: number,
            what: "the content stream does not decode".into(),
        })?,
        false => &[],
    };
    let res = page_resources(page).unwrap_or_default();
    let mut walk = Walk {
        page: number,
        found: Found::default(),
        budget: opts.max_operations,
        fonts,
    };
    walk.run(bytes, &res, State::initial(), 0)?;
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

    fn from_numbers(v: [Number; 6]) -> Matrix {
        Matrix(v.map(|n| n.as_f64()))
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

    fn apply(self, (x, y): (f64, f64)) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (x * a + y * c + e, x * b + y * d + f)
    }

    /// The bounding box of `r` mapped by the matrix.
    fn map_rect(self, r: Rect) -> Rect {
        let corners =
            [(r[0], r[1]), (r[2], r[1]), (r[0], r[3]), (r[2], r[3])].map(|p| self.apply(p));
        let xs = corners.map(|p| p.0);
        let ys = corners.map(|p| p.1);
        let min = |v: [f64; 4]| v.into_iter().fold(f64::INFINITY, f64::min);
        let max = |v: [f64; 4]| v.into_iter().fold(f64::NEG_INFINITY, f64::max);
        [min(xs), min(ys), max(xs), max(ys)]
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
    fn of(space: Space, values: &[Number]) -> Fill {
        let values = values.iter().map(Number::as_f64).collect();
        Fill { space, values }
    }

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
fn color_space(res: &Dict<'_>, name: &[u8]) -> Space {
    if let Some(space) = device_space(name) {
        return space;
    }
    let other = || Space::Other(String::from_utf8_lossy(name).into_owned());
    match category(res, b"ColorSpace").get::<Object<'_>>(name) {
        Some(Object::Name(n)) => device_space(&n).unwrap_or_else(other),
        Some(Object::Array(array)) => array_space(&array).unwrap_or_else(other),
        _ => other(),
    }
}

fn device_space(name: &[u8]) -> Option<Space> {
    match name {
        b"DeviceGray" | b"G" | b"CalGray" => Some(Space::Gray),
        b"DeviceRGB" | b"RGB" | b"CalRGB" => Some(Space::Rgb),
        b"DeviceCMYK" | b"CMYK" => Some(Space::Cmyk),
        _ => None,
    }
}

/// `[/ICCBased stream]`, `[/Separation /Name …]`, `[/CalRGB …]`, …
fn array_space(array: &Array<'_>) -> Option<Space> {
    let mut items = array.iter::<Object<'_>>();
    let Some(Object::Name(family)) = items.next() else {
        return None;
    };
    Some(match (&*family, items.next()) {
        // An ICC profile's component count says gray, RGB or CMYK.
        (b"ICCBased", Some(Object::Stream(s))) => match s.dict().get::<i64>(b"N")? {
            1 => Space::Gray,
            3 => Space::Rgb,
            4 => Space::Cmyk,
            _ => return None,
        },
        (b"Separation", spot) => {
            let spot = match spot {
                Some(Object::Name(n)) => String::from_utf8_lossy(&n).into_owned(),
                _ => "?".into(),
            };
            Space::Separation(spot)
        }
        (family, _) => device_space(family)
            .unwrap_or_else(|| Space::Other(String::from_utf8_lossy(family).into_owned())),
    })
}

/// The graphics state this check follows (saved and restored by `q`/`Q`).
#[derive(Debug, Clone)]
struct State {
    ctm: Matrix,
    fill: Fill,
    render: i64,
    text: TextState,
}

impl State {
    fn initial() -> State {
        State {
            ctm: Matrix::IDENTITY,
            fill: Fill::initial(Space::Gray),
            render: 0,
            text: TextState::default(),
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

pub(super) struct Image {
    name: String,
    px: (i64, i64),
    placed_mm: (f64, f64),
    pub(super) dpi: f64,
}

/// What one page's content showed.
#[derive(Default)]
pub(super) struct Found {
    /// Non-black text colours, each once, in order of appearance.
    colours: Vec<String>,
    /// The extent of each shown text run, in default user space.
    text: Vec<Rect>,
    pub(super) images: Vec<Image>,
}

impl Found {
    pub(super) fn report(
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

    /// The text extent nearest the trim edge, if it is inside the safe margin.
    fn safe_area_fault(&self, trim: Rect, safe_mm: f64) -> Option<String> {
        let margin = |r: &Rect| {
            let d = (r[0] - trim[0])
                .min(trim[2] - r[2])
                .min(r[1] - trim[1])
                .min(trim[3] - r[3]);
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

/// `name`'s entry of `map`, read on first use: Typst sets the font and the colour space
/// again for every text run, and each lookup would parse the resource's objects again.
fn cached<T: Clone>(map: &mut HashMap<Vec<u8>, T>, name: &[u8], read: impl FnOnce() -> T) -> T {
    if let Some(value) = map.get(name) {
        return value.clone();
    }
    let value = read();
    map.insert(name.to_vec(), value.clone());
    value
}

/// Follows one page's content, and the forms it draws.
struct Walk<'c> {
    /// The page walked, for errors.
    page: usize,
    found: Found,
    /// Operations left to read ([`PreflightOptions::max_operations`]).
    budget: usize,
    fonts: &'c FontCache,
}

impl Walk<'_> {
    /// Runs the content stream `bytes` from graphics state `gs`: a form starts from its
    /// caller's state.
    fn run(
        &mut self,
        bytes: &[u8],
        res: &Dict<'_>,
        mut gs: State,
        depth: usize,
    ) -> Result<(), PreflightError> {
        boxes::read::check_nesting(bytes).map_err(|e| PreflightError::Content {
            page: self.page,
            what: e.to_string(),
        })?;
        let mut saved = Vec::new();
        let mut text = TextPos::START;
        let (mut fonts, mut spaces) = (HashMap::new(), HashMap::new());
        let mut ops = TypedIter::new(bytes);
        while let Some(op) = ops.next() {
            self.budget = self
                .budget
                .checked_sub(1)
                .ok_or(PreflightError::TooComplex)?;
            let t = &mut gs.text;
            match op {
                Op::SaveState(_) => saved.push(gs.clone()),
                Op::RestoreState(_) => gs = saved.pop().unwrap_or(gs),
                Op::Transform(m) => {
                    let m = [m.0, m.1, m.2, m.3, m.4, m.5];
                    gs.ctm = Matrix::from_numbers(m).then(gs.ctm);
                }
                Op::BeginText(_) => text = TextPos::START,
                Op::SetTextMatrix(m) => {
                    let m = Matrix::from_numbers([m.0, m.1, m.2, m.3, m.4, m.5]);
                    text = TextPos { tm: m, tlm: m };
                }
                Op::NextLine(d) => text.next_line(d.0.as_f64(), d.1.as_f64()),
                Op::NextLineAndSetLeading(d) => {
                    t.leading = -d.1.as_f64();
                    text.next_line(d.0.as_f64(), d.1.as_f64());
                }
                Op::TextLeading(l) => t.leading = l.0.as_f64(),
                Op::NextLineUsingLeading(_) => text.next_line(0.0, -t.leading),
                Op::TextFont(f) => {
                    t.size = f.1.as_f64();
                    t.font = cached(&mut fonts, &f.0, || self.font(res, &f.0));
                }
                Op::CharacterSpacing(c) => t.char_spacing = c.0.as_f64(),
                Op::WordSpacing(w) => t.word_spacing = w.0.as_f64(),
                Op::HorizontalScaling(h) => t.scale = h.0.as_f64() / 100.0,
                Op::TextRise(r) => t.rise = r.0.as_f64(),
                Op::TextRenderingMode(r) => gs.render = r.0.as_i64(),
                Op::ShowText(s) => self.show(&gs, &mut text, [Piece::Text(s.0.clone())]),
                Op::ShowTexts(a) => self.show(&gs, &mut text, pieces(a.0)),
                Op::NextLineAndShowText(s) => {
                    text.next_line(0.0, -t.leading);
                    self.show(&gs, &mut text, [Piece::Text(s.0.clone())]);
                }
                Op::ShowTextWithParameters(p) => {
                    (t.word_spacing, t.char_spacing) = (p.0.as_f64(), p.1.as_f64());
                    text.next_line(0.0, -t.leading);
                    self.show(&gs, &mut text, [Piece::Text(p.2.clone())]);
                }
                Op::NonStrokeColorDeviceGray(g) => gs.fill = Fill::of(Space::Gray, &[g.0]),
                Op::NonStrokeColorDeviceRgb(c) => gs.fill = Fill::of(Space::Rgb, &[c.0, c.1, c.2]),
                Op::NonStrokeColorCmyk(c) => {
                    gs.fill = Fill::of(Space::Cmyk, &[c.0, c.1, c.2, c.3]);
                }
                Op::ColorSpaceNonStroke(name) => {
                    let space = cached(&mut spaces, &name.0, || color_space(res, &name.0));
                    gs.fill = Fill::initial(space);
                }
                Op::NonStrokeColor(c) => gs.fill.values = c.0.iter().map(Number::as_f64).collect(),
                // A pattern's name operand is not a colour value and drops out.
                Op::NonStrokeColorNamed(c) => {
                    gs.fill.values = c.0.iter().map(Number::as_f64).collect();
                }
                Op::XObject(name) => self.draw(&name.0, res, &gs, depth)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// The metrics of font `name` of `res`, from the cache all pages share.
    fn font(&self, res: &Dict<'_>, name: &[u8]) -> Option<Arc<Metrics>> {
        let fonts = category(res, b"Font");
        let id = fonts.get_ref(name);
        let cached = |cache: &FontCache| cache.lock().ok()?.get(&id?).cloned();
        if let Some(metrics) = cached(self.fonts) {
            return Some(metrics);
        }
        // Read outside the lock; two pages reading the same font at once is harmless.
        let metrics = Arc::new(Metrics::read(&fonts.get::<Dict<'_>>(name)?));
        if let (Some(id), Ok(mut cache)) = (id, self.fonts.lock()) {
            cache.insert(id, metrics.clone());
        }
        Some(metrics)
    }

    /// Text rendering modes 3 (invisible) and 7 (clip only) paint nothing; modes 1
    /// and 5 (stroke only) use the stroke colour, which is not followed. The text
    /// position moves on either way.
    fn show<'a>(
        &mut self,
        gs: &State,
        text: &mut TextPos,
        pieces: impl IntoIterator<Item = Piece<'a>>,
    ) {
        let (extent, advance) = gs.text.extent(pieces);
        let placed = text.tm.then(gs.ctm);
        text.tm = Matrix::translate(advance, 0.0).then(text.tm);
        if matches!(gs.render, 3 | 7) {
            return;
        }
        self.found.text.push(placed.map_rect(extent));
        if !matches!(gs.render, 1 | 5) && !gs.fill.is_black() {
            let colour = gs.fill.describe();
            if !self.found.colours.contains(&colour) {
                self.found.colours.push(colour);
            }
        }
    }

    fn draw(
        &mut self,
        name: &[u8],
        res: &Dict<'_>,
        gs: &State,
        depth: usize,
    ) -> Result<(), PreflightError> {
        let Some(stream) = category(res, b"XObject").get::<Stream<'_>>(name) else {
            return Ok(());
        };
        let dict = stream.dict();
        if is_name(dict, b"Subtype", b"Image") {
            self.image(String::from_utf8_lossy(name).into_owned(), dict, gs.ctm);
        } else if is_name(dict, b"Subtype", b"Form") && depth < MAX_DEPTH {
            let bytes = stream.decoded().map_err(|e| PreflightError::Content {
                page: self.page,
                what: format!(
                    "form /{} does not decode ({e:?})",
                    String::from_utf8_lossy(name)
                ),
            })?;
            let matrix = dict
                .get::<[f64; 6]>(b"Matrix")
                .map_or(Matrix::IDENTITY, Matrix);
            let inner = dict.get::<Dict<'_>>(b"Resources");
            let ctm = matrix.then(gs.ctm);
            let state = State { ctm, ..gs.clone() };
            self.run(&bytes, inner.as_ref().unwrap_or(res), state, depth + 1)?;
        }
        Ok(())
    }

    /// An image fills the unit square mapped by the CTM, so its placed width is the
    /// length of the CTM's first row and its height that of the second.
    fn image(&mut self, name: String, dict: &Dict<'_>, ctm: Matrix) {
        let px = |key: &[u8]| dict.get::<i64>(key).unwrap_or(0);
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

/// A `TJ` array's strings and position adjustments.
fn pieces<'a>(array: &Array<'a>) -> impl Iterator<Item = Piece<'a>> {
    array.iter::<Object<'_>>().filter_map(|item| match item {
        Object::String(s) => Some(Piece::Text(s)),
        Object::Number(n) => Some(Piece::Adjust(n.as_f64())),
        _ => None,
    })
}
