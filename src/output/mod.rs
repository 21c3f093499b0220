//! What confbook writes: the booklet (build, manifest, change report), handouts,
//! the ejected Typst project, the watch loop, and the PDF's print boxes and preflight.

pub mod build;
pub mod eject;
pub mod handouts;
pub mod manifest;
pub mod pdfbox;
pub mod preflight;
pub mod report;
pub mod watch;
