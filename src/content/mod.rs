//! The project's `content/`: one file per record, the program and the book's facts.
//! Loads and validates them, and writes what ingest produced without ever
//! overwriting a file someone edited by hand. One file per job: `schema` (the
//! layout and the TOML files' shapes), `record_file` (a record as its file),
//! `validate`, `load`, `generate` and `sync` (the files ingest writes, and
//! writing them), [`schedule`] and [`author_index`] (what the records and programme
//! imply), [`dump`], and the `scaffold` that `confbook new` writes.

pub mod author_index;
pub mod dump;
mod error;
mod generate;
mod load;
pub mod parts;
mod record_file;
pub mod scaffold;
pub mod schedule;
mod schema;
mod sync;
mod validate;

pub use error::{FileError, InvalidRecord, LoadError};
pub use generate::{adopt_sections, ingest_files, record_files};
pub use load::{Content, Loaded, book_order, load, load_lenient, read_booklet, sort_in_book_order};
pub use record_file::{RecordFile, parse_record, read_record, render_record};
pub use schema::{
    ABSTRACTS_DIR, Booklet, Fonts, Program, STRING_KEYS, Session, SessionKind, Talk, file_name,
    file_stem,
};
pub use sync::{STATE_FILE, WriteReport, write_files};
pub use validate::{author_field, marked_fields, text_fields};
