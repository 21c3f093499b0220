//! The files confbook carries inside its binary: the default layouts (the repository's
//! `layouts/`) and fonts (`fonts/`), each `(path below its folder, bytes)`, sorted by
//! path. The bytes are `include_bytes!` data (`build.rs` writes the tables): they sit
//! in the binary's read-only memory and are borrowed from there, never copied.
//!
//! A crate of its own, as typst-assets is for Typst's fonts: the 65 MB go through the
//! compiler once, not again with every change to confbook's code, nor a second time
//! for its unit tests (which compile the library anew).

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
