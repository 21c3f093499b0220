//! Inserted PDF pages as SVG: Typst 0.15 cannot place a PDF page in a PDF/A file, and
//! PDF/A is what printers take from it. hayro (Typst's own PDF renderer) converts each
//! page, its text as outlines, so the artwork stays vector and needs no font of ours.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use hayro_interpret::InterpreterSettings;
use hayro_interpret::font::FontQuery;
use hayro_svg::{RenderCache, SvgRenderSettings};
use hayro_syntax::Pdf;

/// Pages converted already, by the PDF's content and the page: a rebuild (watch, a
/// late change elsewhere) converts an unchanged insert again in no time.
static CONVERTED: LazyLock<Mutex<HashMap<(u128, usize), Arc<str>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The given pages (1-based) of a PDF as SVG documents. Fails on a PDF that does not
/// open and on one whose text needs a font it does not embed (printers refuse those:
/// the text would be set in whatever font the printer has).
pub fn pdf_pages_as_svg(bytes: &[u8], pages: &[usize]) -> Result<Vec<Arc<str>>, String> {
    let key = typst::utils::hash128(bytes);
    let cached = |cache: &HashMap<(u128, usize), Arc<str>>| {
        pages
            .iter()
            .map(|p| cache.get(&(key, *p)).cloned())
            .collect::<Option<Vec<_>>>()
    };
    if let Some(svgs) = CONVERTED.lock().ok().and_then(|c| cached(&c)) {
        return Ok(svgs);
    }
    let svgs: Vec<Arc<str>> = convert(bytes, pages)?.into_iter().map(Arc::from).collect();
    if let Ok(mut cache) = CONVERTED.lock() {
        for (page, svg) in pages.iter().zip(&svgs) {
            cache.insert((key, *page), Arc::clone(svg));
        }
    }
    Ok(svgs)
}

fn convert(bytes: &[u8], pages: &[usize]) -> Result<Vec<String>, String> {
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| format!("cannot read the PDF ({e:?})"))?;
    let missing = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&missing);
    let settings = InterpreterSettings {
        // Asked only for a font the PDF does not embed: note it, lend none.
        font_resolver: Arc::new(move |query: &FontQuery| {
            let name = match query {
                FontQuery::Standard(font) => format!("{font:?}"),
                FontQuery::Fallback(font) => format!("{:?}", font.pick_standard_font()),
            };
            seen.lock().map(|mut s| s.push(name)).ok();
            None
        }),
        ..InterpreterSettings::default()
    };
    let cache = RenderCache::new();
    let render = SvgRenderSettings {
        bg_color: [0, 0, 0, 0],
    };
    let all = pdf.pages();
    let svgs = pages
        .iter()
        .map(|&n| {
            let page = all.get(n - 1).ok_or(format!("the PDF has no page {n}"))?;
            Ok(hayro_svg::convert(page, &cache, &settings, &render))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let missing = missing.lock().map(|m| m.clone()).unwrap_or_default();
    match missing.first() {
        Some(font) => Err(format!(
            "the PDF uses a font it does not embed ({font}); ask for the artwork with its fonts embedded or outlined"
        )),
        None => Ok(svgs),
    }
}
