//! `build`: content/ → `/data/book.json` → Typst → `out/booklet.pdf` and the
//! manifest `out/booklet.json` (where every record and speaker landed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use typst_layout::PagedDocument;

use crate::book::{self, BookError};
use crate::content::{self, Content, ContentError};
use crate::fonts::{FontError, FontSet};
use crate::print::{Overrides, Print, PrintError};
use crate::render::{self, RecordPages, RenderError};
use crate::world::{BookWorld, WorldError};

/// The layout compiled for the booklet, below `layouts/`.
pub const MAIN: &str = "booklet.typ";
/// Where the layout finds the book's data.
pub const DATA_PATH: &str = "/data/book.json";

#[derive(Debug, Error)]
pub enum BuildError {
    #[error(transparent)]
    Content(#[from] ContentError),
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
    #[error("cannot encode the book data ({0})")]
    Json(#[from] serde_json::Error),
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
}

/// `out/booklet.json`: pages are 1-based physical PDF pages, labels as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub pages: usize,
    pub records: Vec<RecordPages>,
    pub speakers: Vec<SpeakerPages>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakerPages {
    pub name: String,
    pub pages: Vec<usize>,
    pub page_labels: Vec<String>,
}

/// A finished build.
#[derive(Debug)]
pub struct Built {
    pub manifest: Manifest,
    pub warnings: Vec<String>,
}

/// Keeps one compiler world alive so that rebuilds reuse Typst's caches.
pub struct Builder {
    paths: Paths,
    world: BookWorld,
    overrides: Overrides,
}

impl Builder {
    pub fn new(paths: Paths, system_fonts: bool) -> Result<Self, BuildError> {
        let fonts = Arc::new(FontSet::load(&paths.fonts, system_fonts)?);
        let mut world = BookWorld::new(&paths.layouts, MAIN, fonts)?;
        if let Some(date) = crate::world::source_date_epoch() {
            world.set_today(date);
        }
        Ok(Builder { paths, world, overrides: Overrides::default() })
    }

    /// Command-line overrides of the print profile in booklet.toml.
    pub fn set_overrides(&mut self, overrides: Overrides) {
        self.overrides = overrides;
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Loads content, typesets it, and writes the PDF and manifest atomically; on any
    /// error nothing is written and the previous output stays.
    pub fn build(&mut self) -> Result<Built, BuildError> {
        let content = content::load(&self.paths.content)?;
        let print = self.print(&content)?;
        let (doc, warnings) = self.typeset(&content, print)?;
        let pdf = render::pdf(&doc)?;
        let manifest = manifest(&doc, &content);
        let json = serde_json::to_vec_pretty(&manifest)?;
        render::write_atomic(&self.paths.pdf(), &pdf)?;
        render::write_atomic(&self.paths.manifest(), &json)?;
        Ok(Built { manifest, warnings })
    }

    /// The print geometry: booklet.toml's `[print]` with the overrides applied.
    pub fn print(&self, content: &Content) -> Result<Print, BuildError> {
        Print::resolve(&content.booklet.print, &self.overrides).map_err(|source| BuildError::Print {
            path: content.dir.join("booklet.toml"),
            source,
        })
    }

    /// Compiles the loaded content into pages.
    pub fn typeset(&mut self, content: &Content, print: Print) -> Result<(PagedDocument, Vec<String>), BuildError> {
        let data = book::book_data(content, print, self.world.fonts())?;
        self.world.reset();
        self.world.set_file(DATA_PATH, serde_json::to_vec(&data)?)?;
        Ok(render::compile_warned(&self.world)?)
    }
}

/// Where every record and speaker landed.
pub fn manifest(doc: &PagedDocument, content: &Content) -> Manifest {
    let records = render::record_pages(doc);
    let by_id: BTreeMap<&str, &RecordPages> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut speakers: Vec<SpeakerPages> = Vec::new();
    for record in &content.records {
        let Some(pages) = by_id.get(record.id.as_str()) else {
            continue;
        };
        for name in &record.speakers {
            let entry = match speakers.iter_mut().position(|s| &s.name == name) {
                Some(i) => &mut speakers[i],
                None => {
                    speakers.push(SpeakerPages {
                        name: name.clone(),
                        pages: Vec::new(),
                        page_labels: Vec::new(),
                    });
                    speakers.last_mut().expect("just pushed")
                }
            };
            if !entry.pages.contains(&pages.first_page) {
                entry.pages.push(pages.first_page);
                entry.page_labels.push(pages.page_label.clone());
            }
        }
    }
    Manifest {
        pages: doc.pages().len(),
        records,
        speakers,
    }
}
