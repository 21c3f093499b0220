//! What confbook writes, and where it may (destination): the booklet (build,
//! manifest, change report), handouts, the ejected Typst project, the watch loop, and
//! the stamp that tells an unchanged project from a changed one.

pub mod build;
pub mod destination;
pub mod eject;
pub mod handouts;
pub mod manifest;
pub mod report;
pub mod stamp;
pub mod watch;
