//! confbook: a conference's abstracts → clean records → Typst → print-ready PDF.
//!
//! Data flows one way: [`ingest`] turns raw text into [`model::Record`]s, [`content`]
//! loads and saves them under `content/`, [`render`] typesets them through the
//! embedded Typst compiler hosted by [`world`].

pub mod book;
pub mod build;
pub mod check;
pub mod content;
pub mod dump;
pub mod eject;
pub mod files;
pub mod fonts;
pub mod handouts;
pub mod index;
pub mod ingest;
pub mod markup;
pub mod model;
pub mod pdfbox;
pub mod preflight;
pub mod print;
pub mod render;
pub mod report;
pub mod watch;
pub mod world;
