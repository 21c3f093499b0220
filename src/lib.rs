//! confbook: a conference's abstracts → clean records → Typst → print-ready PDF.
//!
//! The stages, bottom to top; a module imports only from the ones above it in this
//! list (`tests/it/layers.rs` checks):
//! - [`model`], [`files`], [`parallel`], [`pdf`] and [`markdown`]: records, text
//!   helpers, the print profile; atomic writes and hashes; two jobs at once; reading
//!   PDFs (page boxes, preflight); Markdown → the blocks and runs the layouts set.
//! - [`ingest`]: raw extracted text → records; [`import`]: exported tables (CSV,
//!   Excel, JSON) → records, cleaned the same way.
//! - [`content`]: load, validate and save `content/` (records, programme, booklet);
//!   the timetable and the author index they imply.
//! - [`typeset`]: the embedded Typst compiler ([`typeset::world`]), fonts, the book's
//!   data for the layouts, rendering to pages and PDF.
//! - [`check`]: diagnostics over a project, rustc-style.
//! - [`output`]: what is written — the booklet build, its manifest and change report,
//!   handouts, eject, watch.

pub mod check;
pub mod content;
pub mod files;
pub mod import;
pub mod ingest;
pub mod markdown;
pub mod model;
pub mod output;
pub mod parallel;
pub mod pdf;
pub mod typeset;
