//! What stops ingest: input that cannot be read as an abstract book at all.

use thiserror::Error;

/// The most text ingest reads. The source this tool was made for is 130 kB; a limit
/// far above any abstract book keeps time and memory bounded on the wrong file.
pub const MAX_INPUT: usize = 16 << 20;

/// Input that cannot be ingested at all.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("the input is empty")]
    Empty,
    #[error(
        "the input is {:.1} MB; ingest reads at most {} MB (the text of one abstract book is far smaller: is this the right file?)",
        *size as f64 / 1048576.0,
        MAX_INPUT >> 20
    )]
    TooLarge { size: usize },
    #[error("the input is not text (a NUL byte at offset {offset})")]
    Binary { offset: usize },
    #[error("the input is not UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("line {line}: text before the first record id (`{text}`)")]
    BeforeFirstRecord { line: usize, text: String },
    #[error(
        "no record ids found (a line of one to three capital letters, a hyphen and digits, such as AB-12)"
    )]
    NoRecords,
    #[error("record {id} (line {line}): no title before the speaker line")]
    NoTitle { id: String, line: usize },
    #[error(
        "record {id} (line {line}): no speaker line (Chinese names separated by 、) after the title"
    )]
    NoSpeaker { id: String, line: usize },
    #[error("record {id} (line {line}) appears twice (first at line {first})")]
    Duplicate {
        id: String,
        line: usize,
        first: usize,
    },
}
