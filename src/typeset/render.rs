//! Typesetting a [`BookWorld`]: compile to pages, export a reproducible PDF, read back
//! where each record landed.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use typst::World;
use typst::comemo::{Track, Tracked};
use typst::diag::{SourceDiagnostic, SourceResult};
use typst::ecow::eco_vec;
use typst::engine::{Engine, Route, Sink, Traced};
use typst::foundations::{Datetime, Label, Output, Selector, Smart, StyleChain, TargetElem, Value};
use typst::introspection::{EmptyIntrospector, Introspector, MAX_ITERS, MetadataElem, analyze};
use typst::model::Numbering;
use typst::syntax::Span;
use typst::utils::{PicoStr, Protected};
use typst_layout::{PagedDocument, PagedIntrospector};
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::typeset::world::BookWorld;

/// Seeds the PDF's document ID; fixed so that identical input gives identical bytes.
pub const PDF_IDENT: &str = "confbook";

/// What can go wrong between a world and a file on disk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Typst reported errors: `diagnostics`, each once, errors first, then the
    /// warnings (which often explain an error, e.g. an unknown font).
    #[error("typst compilation of {main} failed\n{}", plain_messages(.diagnostics, "\n"))]
    Compile {
        main: String,
        diagnostics: Vec<SourceDiagnostic>,
    },
    #[error("PDF export failed ({message})")]
    Pdf { message: String },
    #[error(transparent)]
    Write(#[from] crate::files::WriteError),
}

/// Where one record landed in the typeset document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPages {
    pub id: String,
    /// 1-based physical page of the record's start.
    pub first_page: usize,
    /// 1-based physical page of the record's end.
    pub last_page: usize,
    /// The page number printed on `first_page`, without the pattern's prefix and
    /// suffix (e.g. "45", "iv").
    pub page_label: String,
}

/// Compiles the world's main file into pages; warnings are dropped.
pub fn compile(world: &BookWorld) -> Result<PagedDocument, RenderError> {
    compile_warned(world, None).map(|compiled| compiled.doc)
}

/// A compiled document.
#[derive(Debug)]
pub struct Compiled {
    pub doc: PagedDocument,
    /// Each warning once.
    pub warnings: Vec<SourceDiagnostic>,
    /// How many times the document was laid out before its page numbers, counters and
    /// queries settled.
    pub passes: usize,
}

/// Compiles the world's main file and also returns each warning.
/// `previous`, the document of an earlier compile of the same layout, seeds the
/// first layout pass (see [`converge`]).
pub fn compile_warned(
    world: &BookWorld,
    previous: Option<&PagedDocument>,
) -> Result<Compiled, RenderError> {
    let mut sink = Sink::new();
    let output = converge(world, previous, &mut sink);
    // The sink keeps each warning once already.
    let warnings = sink.warnings();
    match output {
        Ok((doc, passes)) => Ok(Compiled {
            doc,
            warnings: warnings.to_vec(),
            passes,
        }),
        Err(errors) => Err(RenderError::Compile {
            main: world.main_name(),
            diagnostics: dedup(errors.to_vec()).into_iter().chain(warnings).collect(),
        }),
    }
}

/// Evaluates the world's main file without laying it out: the errors of the layouts'
/// code over all of their data (a formula that does not convert, a call with a bad
/// argument) in a fraction of a compile's time, but none of what only layout runs
/// (show rules, `context`).
pub fn evaluate(world: &BookWorld) -> Result<(), RenderError> {
    let mut sink = Sink::new();
    let tracked: Tracked<dyn World + '_> = (world as &dyn World).track();
    let evaluated = eval_main(tracked, &Traced::default(), &mut sink);
    match evaluated {
        Ok(_) => Ok(()),
        Err(errors) => Err(RenderError::Compile {
            main: world.main_name(),
            diagnostics: dedup(errors.to_vec())
                .into_iter()
                .chain(sink.warnings())
                .collect(),
        }),
    }
}

/// The main file evaluated into a module (its content not laid out yet).
fn eval_main(
    world: Tracked<dyn World + '_>,
    traced: &Traced,
    sink: &mut Sink,
) -> SourceResult<typst::foundations::Module> {
    let main = world
        .source(world.main())
        .map_err(|e| eco_vec![SourceDiagnostic::error(Span::detached(), e)])?;
    let route = Route::default();
    typst_eval::eval(
        world,
        world.library(),
        traced.track(),
        sink.track_mut(),
        route.track(),
        &main,
    )
}

/// `typst::compile`'s loop, except that the first pass may start from an earlier
/// document's introspector instead of an empty one. Typst lays the document out
/// again until what it asked of the introspector (page numbers, counters, queries)
/// no longer changes. Starting from empty, even an unchanged book takes two passes
/// and an edit that moves pages three; starting from the last build, one and two.
/// The result is checked against its own introspector either way: it is a layout
/// consistent with itself. Only a layout with two such states (none in this book)
/// could settle in another one than a fresh build; `tests/booklet.rs` compares.
fn converge(
    world: &BookWorld,
    previous: Option<&PagedDocument>,
    sink: &mut Sink,
) -> SourceResult<(PagedDocument, usize)> {
    let world: Tracked<dyn World + '_> = (world as &dyn World).track();
    let library = world.library();
    let traced = Traced::default();
    let target = TargetElem::target.set(PagedDocument::target()).wrap();
    let styles = StyleChain::new(&library.styles);
    let styles = styles.chain(&target);
    let content = eval_main(world, &traced, sink)?.content();

    let empty = EmptyIntrospector;
    let seed: &dyn Introspector = previous.map_or(&empty, |doc| Output::introspector(doc));
    // Only each earlier pass's introspector is kept, not its pages: a book's pages
    // are most of its memory, and the next pass asks only the introspector.
    let mut history: Vec<Arc<PagedIntrospector>> = Vec::with_capacity(MAX_ITERS);
    loop {
        let introspector = history
            .last()
            .map_or(seed, |last| last.as_ref() as &dyn Introspector);
        let constraint = comemo::Constraint::new();
        let mut subsink = Sink::new();
        let mut engine = Engine {
            library,
            world,
            introspector: Protected::new(introspector.track_with(&constraint)),
            traced: traced.track(),
            sink: subsink.track_mut(),
            route: Route::default(),
        };
        let document = PagedDocument::create(&mut engine, &content, styles)?;
        if constraint.validate(Output::introspector(&document)) {
            return settle(sink, subsink, document).map(|doc| (doc, history.len() + 1));
        }
        history.push(document.introspector().clone());
        if history.len() == MAX_ITERS {
            // As typst does: say which introspections kept changing, keep the last.
            let mut introspectors = [seed; MAX_ITERS + 1];
            for (slot, introspector) in introspectors[1..].iter_mut().zip(&history) {
                *slot = introspector.as_ref();
            }
            for warning in analyze(world, introspectors, subsink.introspections()) {
                sink.warn(warning);
            }
            return settle(sink, subsink, document).map(|doc| (doc, MAX_ITERS));
        }
        let pages = document.pages().len();
        drop(document);
        if previous.is_none() && pages >= RELEASE_FROM_PAGES {
            release_unused();
        }
    }
}

/// The pages from which a cold build gives memory back: between its passes, what the
/// last pass did not use (see [`release_unused`]), and, when no build follows, all
/// of Typst's caches once the pages are made (see [`release_cache`]). It costs time
/// (≈ 6 % of a 676-page book's build) for memory (≈ 12 % of its peak), a trade worth
/// making only where the memory runs to gigabytes.
const RELEASE_FROM_PAGES: usize = 1000;

/// Between the passes of a large cold build: what Typst cached for the pass before
/// the last and the last did not use (that pass's pages, the entries whose page
/// numbers changed) is dropped, and the memory freed is given back, so that a large
/// book's passes do not each add their pages to its peak. (A rebuild keeps its cache:
/// what the build before it made is what it reuses.)
fn release_unused() {
    give_back(1);
}

/// Once a large book's pages are made and no other build follows: everything Typst
/// cached is dropped and the memory given back, for the PDF export to reuse.
pub fn release_cache(doc: &PagedDocument) {
    if doc.pages().len() >= RELEASE_FROM_PAGES {
        give_back(0);
    }
}

/// Drops what Typst cached and has not used in the last `max_age` evictions, and
/// returns the freed heap to the system.
fn give_back(max_age: usize) {
    comemo::evict(max_age);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The last pass's warnings join the rest; errors typst delayed fail the compile.
fn settle(sink: &mut Sink, last: Sink, document: PagedDocument) -> SourceResult<PagedDocument> {
    sink.extend_from_sink(last);
    let delayed = sink.delayed();
    match delayed.is_empty() {
        true => Ok(document),
        false => Err(delayed),
    }
}

/// Each error once, as `typst::compile` gives them (some come once per layout pass).
fn dedup(mut diags: Vec<SourceDiagnostic>) -> Vec<SourceDiagnostic> {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert(typst::utils::hash128(&(&d.span, &d.message))));
    diags
}

/// The messages and hints alone, for where there is no world to place them in
/// (`check::from_typst` places them, with the source).
fn plain_messages(diags: &[SourceDiagnostic], separator: &str) -> String {
    let plain = |diag: &SourceDiagnostic| {
        let hints = diag.hints.iter().map(|h| format!("\nhint: {}", h.v));
        format!("{}{}", diag.message, hints.collect::<String>())
    };
    diags.iter().map(plain).collect::<Vec<_>>().join(separator)
}

/// Exports the whole document as PDF, stamped with [`PDF_IDENT`] and the default
/// date unless the layout sets `document(date:)`.
pub fn pdf(doc: &PagedDocument) -> Result<Vec<u8>, RenderError> {
    pdf_with(doc, PDF_IDENT, crate::typeset::world::build_date())
}

/// Exports the whole document as PDF with a fixed ID seed and creation date, so the
/// same document always gives the same bytes. Page ranges are not offered: in
/// 0.15.1 they drop all bookmarks.
pub fn pdf_with(doc: &PagedDocument, ident: &str, date: Datetime) -> Result<Vec<u8>, RenderError> {
    // PDF/A-2b: what printers accept from Typst (it cannot write PDF/X).
    let standards = PdfStandards::new(&[PdfStandard::A_2b]).map_err(|e| RenderError::Pdf {
        message: e.message().to_string(),
    })?;
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        timestamp: Some(Timestamp::new_utc(date)),
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|errors| RenderError::Pdf {
        message: plain_messages(&errors, "; "),
    })
}

/// The pages of every record, in document order, from the layout's
/// `metadata(id) <record-start>` / `<record-end>` marks. A record without an end
/// mark (or one before its start) is taken to end on its first page.
pub fn record_pages(doc: &PagedDocument) -> Vec<RecordPages> {
    let ends: HashMap<String, usize> = marks(doc, "record-end").collect();
    marks(doc, "record-start")
        .map(|(id, first_page)| RecordPages {
            last_page: ends
                .get(&id)
                .copied()
                .filter(|&l| l >= first_page)
                .unwrap_or(first_page),
            page_label: page_label(doc, first_page),
            first_page,
            id,
        })
        .collect()
}

/// `(record id, 1-based physical page)` of each string metadata labelled `label`.
/// The physical page each own page or insert starts on, by its part's id (`part-3`),
/// from the layout's `metadata(id) <part-start>` marks.
pub fn part_pages(doc: &PagedDocument) -> impl Iterator<Item = (String, usize)> + '_ {
    marks(doc, "part-start")
}

fn marks<'a>(doc: &'a PagedDocument, label: &str) -> impl Iterator<Item = (String, usize)> + 'a {
    let introspector = doc.introspector();
    let found = Label::new(PicoStr::intern(label))
        .map(|label| introspector.query(&Selector::Label(label)))
        .unwrap_or_default();
    found.into_iter().filter_map(move |content| {
        let Value::Str(id) = &content.to_packed::<MetadataElem>()?.value else {
            return None;
        };
        let page = introspector.page(content.location()?)?;
        Some((id.to_string(), page.get()))
    })
}

/// The number printed on a physical page (1-based). Pages without a numbering
/// pattern (none, or a function Rust cannot call) get the arabic logical number.
fn page_label(doc: &PagedDocument, page: usize) -> String {
    let Some(page) = page.checked_sub(1).and_then(|i| doc.pages().get(i)) else {
        return String::new();
    };
    let pattern = match &page.numbering {
        Some(Numbering::Pattern(pattern)) => Numbering::Pattern(pattern.clone()).trimmed(),
        _ => return page.number.to_string(),
    };
    match pattern {
        Numbering::Pattern(p) => p
            .apply(None, &[page.number])
            .map(|s| s.to_string())
            .unwrap_or_else(|_| page.number.to_string()),
        Numbering::Func(_) => page.number.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use std::sync::{Arc, OnceLock};

    use typst::layout::{Frame, FrameItem};

    use super::*;
    use crate::typeset::fonts::FontSet;

    /// Loaded once: scanning the CJK fonts' cmaps is the slow part of a test world.
    fn fonts() -> Arc<FontSet> {
        static FONTS: OnceLock<Arc<FontSet>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
                Arc::new(FontSet::load(&dir, false).expect("repo fonts/ must load"))
            })
            .clone()
    }

    /// Three pages: record S-001 on i–ii (roman), then S-002 on page 1 (arabic).
    const BOOK: &str = r#"#let book = json("/data/book.json")
#set page(width: 120mm, height: 80mm, numbering: "i")
#set text(font: "Noto Serif SC", size: 10pt)
#let (a, b) = book.records
#metadata(a.id) <record-start>
#heading(a.title)
First page of A.
#pagebreak()
Second page of A.
#metadata(a.id) <record-end>
#set page(numbering: "1")
#counter(page).update(1)
#metadata(b.id) <record-start>
#heading(b.title)
#metadata(b.id) <record-end>
"#;

    const TRICKY: &str = "a#b $x$ *y* _z_ @ref <lbl> `c`";

    fn book_json() -> Vec<u8> {
        let json = serde_json::json!({ "records": [
            { "id": "S-001", "title": "Plain title" },
            { "id": "S-002", "title": TRICKY },
        ]});
        serde_json::to_vec(&json).unwrap()
    }

    fn test_world(source: &str) -> (tempfile::TempDir, BookWorld) {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("booklet.typ"), source).unwrap();
        let mut world = BookWorld::new(dir.path(), "booklet.typ", fonts()).unwrap();
        world.set_file("/data/book.json", book_json()).unwrap();
        (dir, world)
    }

    fn frame_text(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => frame_text(&group.frame, out),
                FrameItem::Text(text) => out.push_str(&text.text),
                _ => {}
            }
        }
    }

    #[test]
    fn pdf_is_reproducible() {
        let (_dir, mut world) = test_world(BOOK);
        let first = pdf(&compile(&world).unwrap()).unwrap();
        assert!(first.starts_with(b"%PDF"));
        world.reset();
        let second = pdf(&compile(&world).unwrap()).unwrap();
        assert!(
            first == second,
            "recompiling the same world changed the PDF"
        );
        let (_other_dir, other) = test_world(BOOK);
        let third = pdf(&compile(&other).unwrap()).unwrap();
        assert!(
            first == third,
            "a world in another directory gave a different PDF"
        );
    }

    #[test]
    fn record_pages_and_labels() {
        let (_dir, world) = test_world(BOOK);
        let doc = compile(&world).unwrap();
        assert_eq!(doc.pages().len(), 3);
        let pages = record_pages(&doc);
        let expected = [("S-001", 1, 2, "i"), ("S-002", 3, 3, "1")];
        let got: Vec<_> = pages
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.first_page,
                    r.last_page,
                    r.page_label.as_str(),
                )
            })
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn markup_characters_in_data_print_literally() {
        let (_dir, world) = test_world(BOOK);
        let doc = compile(&world).unwrap();
        let mut text = String::new();
        frame_text(&doc.pages()[2].frame, &mut text);
        assert!(
            text.contains(TRICKY),
            "title not printed literally: {text:?}"
        );
    }

    #[test]
    fn typst_errors_come_back_once_with_their_place() {
        let text = "#let x = 1\nText.\n#undefined-thing\n";
        let (_dir, world) = test_world(text);
        let Err(RenderError::Compile { diagnostics, .. }) = compile(&world) else {
            panic!("must fail to compile");
        };
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].message.contains("unknown variable"));
        let range = typst::WorldExt::range(&world, diagnostics[0].span).unwrap();
        assert_eq!(&text[range], "undefined-thing");
    }

    #[test]
    fn a_layout_that_never_settles_warns_and_still_gives_pages() {
        // Each pass sets the counter one higher than the last pass's final value.
        let source =
            "#let c = counter(\"x\")\n#context c.update(c.final().first() + 1)\n#context c.get()";
        let (_dir, world) = test_world(source);
        let Compiled {
            doc,
            warnings,
            passes,
        } = compile_warned(&world, None).unwrap();
        assert_eq!(doc.pages().len(), 1);
        assert_eq!(passes, MAX_ITERS);
        assert!(
            warnings
                .iter()
                .any(|w| w.message.contains("did not converge")),
            "{warnings:?}"
        );
        // Seeded with that document, the loop starts where it stopped and warns again.
        let warnings = compile_warned(&world, Some(&doc)).unwrap().warnings;
        assert!(
            warnings
                .iter()
                .any(|w| w.message.contains("did not converge")),
            "{warnings:?}"
        );
    }

    #[test]
    fn warnings_are_returned() {
        let (_dir, world) = test_world("#set text(font: \"No Such Font\")\nHello");
        let warnings = compile_warned(&world, None).unwrap().warnings;
        assert!(
            warnings
                .iter()
                .any(|w| w.message.to_lowercase().contains("no such font")),
            "{warnings:?}"
        );
    }
}
