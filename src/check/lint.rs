//! The lint of a record's content that needs no record file: what both `check` and
//! the summary of `confbook ingest` warn about.

use super::overlap::Corpus;
use crate::model::Record;

/// Something about a record's content a person should look at. `check` gives it
/// with where in the record file it is; `confbook ingest` lists it in its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordWarning {
    /// The front-matter key the warning is about.
    pub field: &'static str,
    pub message: &'static str,
    pub hint: &'static str,
}

/// The lint of one record's content: keywords without a body,
/// and a body that shares no telling word with its title (`corpus`: the book's
/// records, which tell what is common).
pub fn record_lint(record: &Record, corpus: &Corpus) -> Vec<RecordWarning> {
    let mut out = Vec::new();
    if record.keywords.is_some() && record.paragraphs.is_empty() {
        out.push(RecordWarning {
            field: "keywords",
            message: "keywords but no body",
            hint: "add the body below the `+++` line, or remove the keywords",
        });
    }
    if corpus.title_body_overlap(record) == Some(0.0) {
        out.push(RecordWarning {
            field: "title",
            message: "the body does not mention any word of the title",
            hint: "check that they belong together (the source book has bodies under the wrong title)",
        });
    }
    out
}
