//! Typesetting: the layouts and fonts built in (`builtin`), the compiler world, the
//! fonts, the book's data as the layouts read it, and the compile from layouts to
//! pages and PDF.

pub mod artwork;
pub mod book;
pub mod builtin;
pub mod fonts;
pub mod keep;
pub mod punctuation;
pub mod render;
pub mod world;
