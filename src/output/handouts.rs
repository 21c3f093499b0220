//! `handouts`: one PDF per session of `content/program.toml` — a header, the session's
//! talks with the page of the full booklet where each abstract stands, then the
//! abstracts in the booklet's typography. Layout: `layouts/handout.typ`; data: the
//! virtual file `/data/handout.json` (see `layouts/README.md`).
//!
//! The booklet pages come from typesetting the booklet first ([`booklet_pages`]), so a
//! handout always quotes the page labels of the content it was built from.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use thiserror::Error;

use crate::check::{self, Diagnostic, Refused};
use crate::content::Content;
use crate::content::parts::Part;
use crate::content::schedule::{self, Scheduled};
use crate::model::print::{Print, PrintError};
use crate::output::build::{BuildError, Builder, Paths};
use crate::output::manifest::{self, Manifest};
use crate::typeset::book::{self, BookletData, PartData, RecordData, SessionData};
use crate::typeset::fonts::FontSet;
use crate::typeset::render::{self, RenderError};
use crate::typeset::world::{self, BookWorld, WorldError};

/// The layout compiled for a handout, below `layouts/`.
pub const MAIN: &str = "handout.typ";
/// Where the handout layout finds its data.
pub const DATA_PATH: &str = "/data/handout.json";
/// Where handouts are written, below the output directory.
pub const DIR: &str = "handouts";

#[derive(Debug, Error)]
pub enum HandoutError {
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("{path}: no session `{name}` (known sessions: {known})")]
    UnknownSession {
        path: PathBuf,
        name: String,
        known: String,
    },
    #[error("{path}: session `{session}`: {message}")]
    Session {
        path: PathBuf,
        session: String,
        message: String,
    },
    #[error("{path}: [print] {source}")]
    Print { path: PathBuf, source: PrintError },
    #[error("handout `{session}`: {source}")]
    Render {
        session: String,
        source: RenderError,
    },
    /// Typst's errors in the handout layout, placed there.
    #[error("handout `{session}`: {refused}")]
    Layouts { session: String, refused: Refused },
    #[error(transparent)]
    World(#[from] WorldError),
    #[error("cannot encode the handout data ({0})")]
    Json(#[from] serde_json::Error),
}

/// A session to print, with its times read and its talks' ids in the order the
/// handout lists them (time order where they have times, else program order).
#[derive(Debug, Clone)]
pub struct Planned {
    pub session: Scheduled,
    pub ids: Vec<String>,
}

/// A handout written to disk.
#[derive(Debug, Clone)]
pub struct Handout {
    pub session: String,
    pub path: PathBuf,
    pub pages: usize,
    pub records: usize,
    /// Typst's warnings, placed in the layouts.
    pub warnings: Vec<Diagnostic>,
}

/// `/data/handout.json`.
#[derive(Debug, Serialize)]
pub struct HandoutData {
    pub booklet: BookletData,
    /// Its date, times, room, chairs and talks, as the booklet's programme has them.
    pub session: SessionData,
    /// In program order, shaped like `/data/book.json`'s records.
    pub records: Vec<RecordData>,
    /// Record id → the page label printed in the booklet where its abstract starts.
    pub pages: BTreeMap<String, String>,
    pub print: Print,
    /// The session's own pages and artwork (program.toml `pages`), after the abstracts.
    pub extras: Vec<PartData>,
    /// PDF pages converted for `extras`, by their path in the compiler's world.
    #[serde(skip)]
    pub artwork: Vec<(String, Vec<u8>)>,
}

/// `out/handouts/<session>.pdf`.
pub fn handout_path(out: &Path, session: &str) -> PathBuf {
    out.join(DIR).join(format!("{session}.pdf"))
}

/// The sessions named in `names` (all of program.toml's when empty), in program order,
/// each with its entries expanded. An unknown session name, a session id that cannot
/// be a file name, or an entry naming a record that does not exist is an error.
pub fn plan(content: &Content, names: &[String]) -> Result<Vec<Planned>, HandoutError> {
    let path = content.dir.join("program.toml");
    let sessions = &content.program.sessions;
    for name in names {
        if !sessions.iter().any(|s| &s.id == name) {
            let known: Vec<&str> = sessions.iter().map(|s| s.id.as_str()).collect();
            return Err(HandoutError::UnknownSession {
                path,
                name: name.clone(),
                known: if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                },
            });
        }
    }
    let (scheduled, problems) = schedule::schedule(&content.program, &content.records);
    scheduled
        .into_iter()
        .filter(|s| names.is_empty() || names.contains(&s.session.id))
        .map(|s| {
            let id = s.session.id.clone();
            let session_error = |message: String| HandoutError::Session {
                path: path.clone(),
                session: id.clone(),
                message,
            };
            if !crate::files::is_file_stem(&id) {
                return Err(session_error(
                    "the id names the handout file: use letters, digits, `-`, `_` and `.` (not first)".into(),
                ));
            }
            // Only entries naming no record stop a handout; a bad time is `check`'s.
            if let Some(p) = problems.iter().find(|p| p.session == id && p.entry.is_some()) {
                return Err(session_error(p.message.clone()));
            }
            let ids = s.talks_in_order().iter().map(|t| t.id.clone()).collect();
            Ok(Planned { session: s, ids })
        })
        .collect()
}

/// Typesets the booklet in memory (with the builder's print profile, so its page
/// labels are those `build` prints) and reads where each record landed.
pub fn booklet_pages(builder: &mut Builder, content: &Content) -> Result<Manifest, BuildError> {
    let print = builder.print(content)?;
    let doc = builder.typeset(content, print)?.doc;
    Ok(manifest::of_document(&doc, content))
}

/// The data of one handout. `booklet` gives the page labels.
pub fn handout_data(
    content: &Content,
    planned: &Planned,
    booklet: &Manifest,
    print: Print,
) -> Result<HandoutData, HandoutError> {
    let labels: HashMap<&str, &str> = booklet
        .records
        .iter()
        .map(|r| (r.id.as_str(), r.page_label.as_str()))
        .collect();
    let mut records = Vec::with_capacity(planned.ids.len());
    let mut pages = BTreeMap::new();
    for id in &planned.ids {
        let record = content
            .records
            .iter()
            .find(|r| &r.id == id)
            .expect("plan() expanded only known ids");
        let label = labels
            .get(id.as_str())
            .ok_or_else(|| HandoutError::Session {
                path: content.dir.join("program.toml"),
                session: planned.session.session.id.clone(),
                message: format!("record `{id}` has no page in the booklet"),
            })?;
        records.push(book::record_data(content, record).map_err(BuildError::from)?);
        pages.insert(id.clone(), label.to_string());
    }
    let (extras, mut artwork) = extras(content, planned, &print)?;
    artwork.push(book::BookLang::file(content));
    Ok(HandoutData {
        booklet: BookletData {
            conference: content.booklet.conference.clone(),
            title: content.booklet.title.clone(),
            lang: content.booklet.lang.clone(),
        },
        session: book::session_data(content, &planned.session).map_err(BuildError::from)?,
        records,
        pages,
        print,
        extras,
        artwork,
    })
}

/// A session's own pages and artwork, each checked as the booklet's parts are; a
/// problem names the session in program.toml.
fn extras(
    content: &Content,
    planned: &Planned,
    print: &Print,
) -> Result<book::Parts, HandoutError> {
    let session = &planned.session.session;
    let program = content.dir.join("program.toml");
    let at = session.span.as_ref().map_or(0, |s| s.start);
    let place = |message: String| {
        book::error_at(
            &program,
            |_| at,
            format!("session `{}`: {message}", session.id),
        )
    };
    let mut artwork = Vec::new();
    let mut extras = Vec::new();
    for (i, path) in session.pages.iter().enumerate() {
        let part =
            Part::from_path(path).map_err(|m| HandoutError::from(BuildError::from(place(m))))?;
        let id = format!("extra-{}", i + 1);
        let data = book::part_data(content, part, id, print, &mut artwork, &place)
            .map_err(BuildError::from)?;
        extras.push(data);
    }
    Ok((extras, artwork))
}

/// Writes the planned handouts to `<paths.out>/handouts/`, in parallel (one world per
/// thread, all sharing `fonts`). Handouts are screen PDFs of the booklet's trim.
/// `on_done` is called from the worker threads as each file is written. On errors,
/// the first one in program order is returned (handouts that succeeded stay written).
pub fn write_all(
    paths: &Paths,
    fonts: Arc<FontSet>,
    content: &Content,
    booklet: &Manifest,
    planned: &[Planned],
    on_done: &(dyn Fn(&Handout) + Sync),
) -> Result<Vec<Handout>, HandoutError> {
    let print = Print::screen(&content.booklet.print).map_err(|source| HandoutError::Print {
        path: content.dir.join("booklet.toml"),
        source,
    })?;
    let jobs: Vec<Job> = planned
        .iter()
        .map(|p| {
            let data = handout_data(content, p, booklet, print)?;
            Ok(Job {
                session: p.session.session.id.clone(),
                records: p.ids.len(),
                json: serde_json::to_vec(&data)?,
                artwork: data.artwork,
            })
        })
        .collect::<Result<_, HandoutError>>()?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Handout, HandoutError>>>> =
        Mutex::new(jobs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else {
                        break;
                    };
                    let result = write_one(paths, Arc::clone(&fonts), job);
                    if let Ok(handout) = &result {
                        on_done(handout);
                    }
                    results.lock().expect("no worker panics holding the lock")[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("workers finished")
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// One handout to write: its data for the layout, and the artwork that names.
struct Job {
    session: String,
    records: usize,
    json: Vec<u8>,
    artwork: Vec<(String, Vec<u8>)>,
}

fn write_one(paths: &Paths, fonts: Arc<FontSet>, job: &Job) -> Result<Handout, HandoutError> {
    let (session, records) = (job.session.as_str(), job.records);
    let render_err = |source| HandoutError::Render {
        session: session.to_string(),
        source,
    };
    let mut world = BookWorld::new(&paths.layouts, MAIN, fonts)?;
    world.set_content(&paths.content);
    world.set_file(DATA_PATH, job.json.clone())?;
    for (path, bytes) in &job.artwork {
        world.set_file(path, bytes.clone())?;
    }
    let render::Compiled { doc, warnings, .. } = match render::compile_warned(&world, None) {
        Err(RenderError::Compile { diagnostics, .. }) => {
            let errors = check::from_typst(&world, &diagnostics);
            let (session, refused) = (session.to_string(), Refused { errors });
            return Err(HandoutError::Layouts { session, refused });
        }
        compiled => compiled.map_err(render_err)?,
    };
    let warnings = check::from_typst(&world, &warnings);
    // Each handout gets its own document ID.
    let pdf = render::pdf_with(
        &doc,
        &format!("{}-handout-{session}", render::PDF_IDENT),
        world::build_date(),
    )
    .map_err(render_err)?;
    let path = handout_path(&paths.out, session);
    crate::files::write_atomic(&path, &pdf).map_err(|e| render_err(e.into()))?;
    Ok(Handout {
        session: session.to_string(),
        path,
        pages: doc.pages().len(),
        records,
        warnings,
    })
}
