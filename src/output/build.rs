//! `build`: content/ → `/data/book.json` → Typst → `out/booklet.pdf` and the
//! manifest `out/booklet.json` (where every record and speaker landed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;
use typst_layout::PagedDocument;

use crate::check::{self, Diagnostic, Unfit};
use crate::content::{Content, FileError, Fonts};
use crate::files;
use crate::model::print::{Overrides, Print, PrintError};
use crate::output::destination::{DestinationError, Inputs};
use crate::output::manifest::{self, Manifest};
use crate::output::report::{self, ChangeReport};
use crate::parallel;
use crate::pdf::{boxes, preflight};
use crate::typeset::book::{self, BookError};
use crate::typeset::fonts::{FontError, FontSet, Residence};
use crate::typeset::render::{self, Compiled, RenderError};
use crate::typeset::world::{BookWorld, WorldError};

/// The layout compiled for the booklet, below `layouts/`.
pub const MAIN: &str = "booklet.typ";
/// Where the layout finds the book's data.
pub const DATA_PATH: &str = "/data/book.json";

#[derive(Debug, Error)]
pub enum BuildError {
    #[error(transparent)]
    Content(#[from] FileError),
    #[error(transparent)]
    Book(#[from] BookError),
    #[error(transparent)]
    Fonts(#[from] FontError),
    #[error(transparent)]
    World(#[from] WorldError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{path}: [print] {source}")]
    Print { path: PathBuf, source: PrintError },
    #[error("--trim/--bleed: {0}")]
    PrintFlag(PrintError),
    #[error(transparent)]
    PdfBox(#[from] boxes::PdfBoxError),
    #[error(transparent)]
    Write(#[from] files::WriteError),
    // Not transparent: the error stays in the chain, where the exit code looks for it.
    #[error("{0}")]
    Destination(#[from] DestinationError),
    #[error("cannot encode the book data ({0})")]
    Json(#[from] serde_json::Error),
    /// The content checks found errors (see [`crate::check`]).
    #[error(transparent)]
    Check(#[from] check::Refused),
}

impl From<Unfit> for BuildError {
    fn from(unfit: Unfit) -> Self {
        match unfit {
            Unfit::Unreadable(e) => BuildError::Content(e),
            Unfit::Refused(refused) => BuildError::Check(refused),
        }
    }
}

/// Where a project's parts are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub content: PathBuf,
    pub layouts: PathBuf,
    pub fonts: PathBuf,
    pub out: PathBuf,
}

impl Paths {
    /// The conventional layout of a project below `root`, writing to `out`.
    pub fn new(root: &Path, out: &Path) -> Self {
        Paths {
            content: root.join("content"),
            layouts: root.join("layouts"),
            fonts: root.join("fonts"),
            out: out.to_path_buf(),
        }
    }

    pub fn pdf(&self) -> PathBuf {
        self.out.join("booklet.pdf")
    }

    pub fn manifest(&self) -> PathBuf {
        self.out.join("booklet.json")
    }

    /// The project's inputs, which no output may go into.
    pub fn inputs(&self) -> Inputs<'_> {
        Inputs {
            content: &self.content,
            layouts: &self.layouts,
            fonts: &self.fonts,
        }
    }

    /// The late-change report of the last build (see [`crate::output::report`]).
    pub fn changes(&self) -> PathBuf {
        self.out.join("changes.json")
    }
}

/// A finished build.
#[derive(Debug)]
pub struct Built {
    pub manifest: Manifest,
    /// The geometry it was made with (what preflight should expect of it).
    pub print: Print,
    /// Typst's warnings, placed in the layouts.
    pub warnings: Vec<Diagnostic>,
    /// How many times the book was laid out (see [`render::Compiled::passes`]).
    pub passes: usize,
    /// What changed since the previous build (also in `out/changes.json`).
    pub changes: ChangeReport,
    /// The content as it was typeset (handouts built after it quote the same).
    pub content: Content,
}

/// What the layout reads besides layouts/ and content/: the book's data, and the
/// artwork converted for it.
pub struct BookFiles {
    pub json: Vec<u8>,
    pub artwork: Vec<(String, Vec<u8>)>,
}

/// Keeps one compiler world alive so that rebuilds reuse Typst's caches.
pub struct Builder {
    paths: Paths,
    world: BookWorld,
    overrides: Overrides,
    /// The last document typeset, where the next layout starts from.
    previous: Option<PagedDocument>,
    /// The font folders booklet.toml's `[fonts]` named when the world was made.
    font_dirs: Vec<PathBuf>,
    /// Whether another build may follow, reusing what this one leaves (see
    /// [`Builder::last_build`]).
    rebuilds: bool,
}

impl Builder {
    /// A builder for one command: its fonts are mapped from their files.
    pub fn new(paths: Paths, system_fonts: bool) -> Result<Self, BuildError> {
        Self::with_fonts(paths, system_fonts, Residence::Mapped)
    }

    /// A builder whose fonts are brought into memory as `residence` says (`watch`
    /// copies them: it lives on while font files are replaced).
    pub fn with_fonts(
        paths: Paths,
        system_fonts: bool,
        residence: Residence,
    ) -> Result<Self, BuildError> {
        paths.inputs().refuse(&paths.out, false)?;
        let font_dirs = Fonts::of_project(&paths.content);
        let fonts = FontSet::load_as(&paths.fonts, &font_dirs, system_fonts, residence)?;
        let fonts = Arc::new(fonts);
        fonts.warm();
        let mut world = BookWorld::new(&paths.layouts, MAIN, fonts)?;
        world.set_content(&paths.content);
        Ok(Builder {
            paths,
            world,
            overrides: Overrides::default(),
            previous: None,
            font_dirs,
            rebuilds: true,
        })
    }

    /// Whether booklet.toml's `[fonts]` still names the folders this builder's fonts
    /// were loaded from (`watch` makes a new builder when it does not).
    pub fn fonts_current(&self) -> bool {
        Fonts::of_project(&self.paths.content) == self.font_dirs
    }

    /// No build follows this builder's next (`confbook build`): it keeps neither the
    /// document nor Typst's caches for a next one, and a large book gives the caches
    /// back before its PDF is made, so that the PDF and the printer's check take the
    /// memory the layout no longer needs rather than more.
    pub fn last_build(&mut self) {
        self.rebuilds = false;
    }

    /// Command-line overrides of the print profile in booklet.toml.
    pub fn set_overrides(&mut self, overrides: Overrides) {
        self.overrides = overrides;
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// The compiler world, holding the data of the last `typeset` (for `check`).
    pub fn world(&self) -> &BookWorld {
        &self.world
    }

    /// The fonts of this builder's world, to share with other worlds.
    pub fn fonts(&self) -> Arc<FontSet> {
        self.world.shared_fonts()
    }

    /// The exact bytes `typeset` serves at [`DATA_PATH`] (also what `eject` writes),
    /// and the artwork files the data names, by their path in the world.
    pub fn data(&self, content: &Content, print: Print) -> Result<BookFiles, BuildError> {
        let data = book::book_data(content, print, self.world.fonts())?;
        Ok(BookFiles {
            json: serde_json::to_vec(&data)?,
            artwork: data.artwork,
        })
    }

    /// Loads content, typesets it, and writes the PDF and manifest atomically; on any
    /// error nothing is written and the previous output stays.
    pub fn build(&mut self) -> Result<Built, BuildError> {
        let content = crate::check::load_checked(&self.paths.content)?;
        let (built, ()) = self.build_content(content, |_, _| ())?;
        Ok(built)
    }

    /// [`Builder::build`] of content already loaded and checked. `inspect` gets the
    /// PDF's bytes and geometry while they are written, on another thread (`confbook
    /// build` preflights them there), and its result comes back with the build.
    pub fn build_content<R: Send>(
        &mut self,
        content: Content,
        inspect: impl FnOnce(&[u8], Print) -> R + Send,
    ) -> Result<(Built, R), BuildError> {
        let print = self.print(&content)?;
        let Compiled {
            doc,
            warnings,
            passes,
        } = self.typeset(&content, print)?;
        let mut warnings = check::from_typst(&self.world, &warnings);
        warnings.extend(check::unknown_lang(&content.dir, &content.booklet.lang));
        let (pdf, manifest, changes) = export_and_compare(&doc, &content, print, &self.paths);
        let pdf = pdf?;
        let json = serde_json::to_vec_pretty(&manifest)?;
        let changes_json = serde_json::to_vec_pretty(&changes)?;
        let (inspected, written) = parallel::beside(
            || inspect(&pdf, print),
            || {
                files::write_atomic(&self.paths.pdf(), &pdf)
                    .and_then(|()| files::write_atomic(&self.paths.manifest(), &json))
                    .and_then(|()| files::write_atomic(&self.paths.changes(), &changes_json))
            },
        );
        written?;
        let built = Built {
            manifest,
            warnings,
            passes,
            changes,
            print,
            content,
        };
        Ok((built, inspected))
    }

    /// The print geometry: booklet.toml's `[print]` with the overrides applied.
    pub fn print(&self, content: &Content) -> Result<Print, BuildError> {
        let from_file = Print::resolve(&content.booklet.print, &Overrides::default());
        Print::resolve(&content.booklet.print, &self.overrides).map_err(|source| match from_file {
            // booklet.toml alone is fine: the command line's value is the bad one.
            Ok(_) => BuildError::PrintFlag(source),
            Err(_) => BuildError::Print {
                path: content.dir.join("booklet.toml"),
                source,
            },
        })
    }

    /// Compiles the loaded content into pages. Typst's errors refuse the build as
    /// the content checks' do, placed in the layouts.
    pub fn typeset(&mut self, content: &Content, print: Print) -> Result<Compiled, BuildError> {
        self.load_data(content, print)?;
        let compiled = render::compile_warned(&self.world, self.previous.as_ref())
            .map_err(|e| self.refused(e))?;
        match self.rebuilds {
            true => self.previous = Some(compiled.doc.clone()),
            false => render::release_cache(&compiled.doc),
        }
        Ok(compiled)
    }

    /// Serves `content`'s data and artwork to the world, in place of the last.
    fn load_data(&mut self, content: &Content, print: Print) -> Result<(), BuildError> {
        let data = self.data(content, print)?;
        self.world.reset();
        self.world.set_file(DATA_PATH, data.json)?;
        for (path, bytes) in data.artwork {
            self.world.set_file(&path, bytes)?;
        }
        Ok(())
    }

    /// Typst's errors refuse the build, placed in the layouts.
    fn refused(&self, error: RenderError) -> BuildError {
        match error {
            RenderError::Compile { diagnostics, .. } => {
                let errors = check::from_typst(&self.world, &diagnostics);
                BuildError::Check(check::Refused { errors })
            }
            other => other.into(),
        }
    }

    /// The check: the content checks, then the layouts over the records without errors
    /// as `typeset` says (nothing is written). `Err` only when `content/` cannot be
    /// read at all.
    pub fn check(&mut self, typeset: CheckTypeset) -> Result<Vec<Diagnostic>, FileError> {
        let checked = check::check_content(&self.paths.content, Some(self.world.fonts()))?;
        let mut diagnostics = checked.diagnostics;
        // Nothing to typeset would only add layout errors that follow from the content's.
        if !checked.content.records.is_empty() {
            diagnostics.extend(self.check_layouts(&checked.content, typeset));
        }
        Ok(diagnostics)
    }

    /// Compiles the layouts over `content` (see [`CheckTypeset`]) and returns Typst's
    /// errors and warnings.
    fn check_layouts(&mut self, content: &Content, typeset: CheckTypeset) -> Vec<Diagnostic> {
        let result = self.print(content).and_then(|print| match typeset {
            CheckTypeset::Whole => self.typeset(content, print),
            CheckTypeset::Sample => {
                self.load_data(content, print)?;
                render::evaluate(&self.world).map_err(|e| self.refused(e))?;
                self.typeset(&sample(content), print)
            }
        });
        match result {
            Ok(compiled) => check::from_typst(&self.world, &compiled.warnings),
            Err(BuildError::Check(refused)) => refused.errors,
            Err(BuildError::Print { path, source }) => {
                vec![Diagnostic::error(&path, format!("[print]: {source}"))]
            }
            // A part's file (an insert under 300 ppi, a missing page) at its place.
            Err(BuildError::Book(BookError::Part {
                path,
                line,
                message,
            })) => {
                let mut d = Diagnostic::error(Path::new(&path), message);
                d.line = Some(line);
                vec![d]
            }
            // A figure that is missing or too coarse, at its record.
            Err(BuildError::Book(BookError::Figure { path, id, message })) => {
                let mut d = Diagnostic::error(Path::new(&path), message);
                d.id = Some(id);
                vec![d]
            }
            Err(other) => {
                let main = self.paths.layouts.join(MAIN);
                vec![Diagnostic::error(&main, other.to_string())]
            }
        }
    }
}

/// How much of the book `check` typesets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckTypeset {
    /// The layouts' code evaluated over every record (see [`render::evaluate`]), then
    /// the book laid out with the first [`SAMPLE`] records of each section: every
    /// part, page furniture and show rule at work, in a fraction of a build's time.
    Sample,
    /// The whole book laid out as `build` lays it out, every pass.
    Whole,
}

/// How many records of each section a sample typeset sets.
pub const SAMPLE: usize = 20;

/// `content` with only the first [`SAMPLE`] records of each section.
fn sample(content: &Content) -> Content {
    let mut taken: BTreeMap<&str, usize> = BTreeMap::new();
    let records = content
        .records
        .iter()
        .filter(|r| {
            let n = taken.entry(r.section.as_str()).or_default();
            *n += 1;
            *n <= SAMPLE
        })
        .cloned()
        .collect();
    Content {
        dir: content.dir.clone(),
        booklet: content.booklet.clone(),
        program: content.program.clone(),
        records,
        pages: content.pages.clone(),
    }
}

/// The PDF, and the manifest with its change report against the last build's. The
/// export is the longest step of a rebuild, so the rest is done on another core.
fn export_and_compare(
    doc: &PagedDocument,
    content: &Content,
    print: Print,
    paths: &Paths,
) -> (Result<Vec<u8>, BuildError>, Manifest, ChangeReport) {
    let ((manifest, changes), pdf) = parallel::beside(
        || {
            let manifest = manifest::of_document(doc, content);
            // Read before it is overwritten: the report compares with the last build.
            let previous = manifest::read(&paths.manifest());
            let changes = report::compare(previous.as_ref(), &manifest);
            (manifest, changes)
        },
        || finish_pdf(doc, print),
    );
    (pdf, manifest, changes)
}

/// The PDF as the printer gets it.
fn finish_pdf(doc: &PagedDocument, print: Print) -> Result<Vec<u8>, BuildError> {
    add_bleed_boxes(render::pdf(doc)?, print)
}

/// Typst writes the TrimBox of a bleed page but no BleedBox, so it is added here.
pub fn add_bleed_boxes(pdf: Vec<u8>, print: Print) -> Result<Vec<u8>, BuildError> {
    match print.bleed > 0.0 {
        true => Ok(boxes::set_bleed_box(&pdf, print.bleed * boxes::PT_PER_MM)?),
        false => Ok(pdf),
    }
}

/// What preflight expects of a PDF made with this geometry.
pub fn preflight_options(print: Print) -> preflight::PreflightOptions {
    match print.bleed > 0.0 {
        true => preflight::PreflightOptions::print(print.bleed),
        false => preflight::PreflightOptions::default(),
    }
}
