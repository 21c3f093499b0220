//! Robustness: the ingest parser and the record loader never panic, whatever they are
//! fed (property tests over arbitrary and mutated real input), and large or hostile
//! input — 50 MB, a 100 kB title, control characters, invalid UTF-8 — ends in a result
//! or a clear error. Case counts are fixed in the config so that `cargo test` stays
//! quick and CI runs for a bounded time.

use crate::alloc::allocated_by;
use crate::common::repo as root;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use confbook::content::{self, LoadError};
use confbook::ingest::{self, IngestError};
use proptest::prelude::*;
use proptest::sample::Index;

fn raw() -> &'static str {
    static RAW: OnceLock<String> = OnceLock::new();
    RAW.get_or_init(|| std::fs::read_to_string(root().join("content/source/raw.txt")).unwrap())
}

/// Every shipped record file: (path, text).
fn records() -> &'static [(PathBuf, String)] {
    static RECORDS: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        let mut files: Vec<_> = std::fs::read_dir(root().join("content/abstracts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect();
        files.sort();
        files
    })
}

/// One edit of a byte string: delete, insert or replace a byte.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Insert(Index, u8),
    Replace(Index, u8),
    /// Duplicates a short run (lines, markers, quotes appear twice).
    Repeat(Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter to the parsers more often than chance would pick them.
    let byte = prop_oneof![
        any::<u8>(),
        proptest::sample::select(b"\n\r +=\"'[],~^\\()-.:;#S0123456789".to_vec()),
    ];
    prop_oneof![
        any::<Index>().prop_map(Mutation::Delete),
        (any::<Index>(), byte.clone()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), byte).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<Index>(), 1u8..40).prop_map(|(i, n)| Mutation::Repeat(i, n)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            bytes.push(b'\n');
        }
        match *m {
            Mutation::Delete(i) => {
                bytes.remove(i.index(bytes.len()));
            }
            Mutation::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), b),
            Mutation::Replace(i, b) => {
                let at = i.index(bytes.len());
                bytes[at] = b;
            }
            Mutation::Repeat(i, n) => {
                let at = i.index(bytes.len());
                let end = (at + n as usize).min(bytes.len());
                let run = bytes[at..end].to_vec();
                bytes.splice(at..at, run);
            }
        }
    }
    bytes
}

/// A window of the real raw text, from one record id line to a later line, so that a
/// case parses a few records rather than the whole book.
fn raw_window(start: Index, len: Index) -> &'static str {
    let raw = raw();
    let starts: Vec<usize> = std::iter::once(0)
        .chain(raw.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < raw.len())
        .collect();
    let from = starts[start.index(starts.len())];
    let to = starts
        .iter()
        .copied()
        .filter(|&i| i > from)
        .nth(len.index(120))
        .unwrap_or(raw.len());
    &raw[from..to]
}

fn parse(path: &Path, text: &str) -> Result<confbook::model::Record, LoadError> {
    content::parse_record(path, text)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ingest_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = ingest::ingest_bytes(&bytes);
    }

    #[test]
    fn ingest_never_panics_on_record_like_text(
        text in "((PL-0[1-3]|S-00[1-5]|C-[1-3])\n|[ \n、，,;；:：()（）~^\\\\.·a-zA-Z0-9]|[骨质疏松王鸥北京医院目的关键词])*"
    ) {
        let _ = ingest::ingest(&text);
    }

    #[test]
    fn ingest_never_panics_on_mutated_raw_text(
        start in any::<Index>(),
        len in any::<Index>(),
        mutations in proptest::collection::vec(mutation(), 0..12),
    ) {
        let window = raw_window(start, len);
        let bytes = mutate(window.as_bytes().to_vec(), &mutations);
        let _ = ingest::ingest_bytes(&bytes);
    }

    #[test]
    fn parse_record_never_panics_on_arbitrary_text(text in "\\PC*|(\\+\\+\\+\n[^\n]*\n\\+\\+\\+\n.*)") {
        let _ = parse(Path::new("content/abstracts/S-001.md"), &text);
    }

    #[test]
    fn parse_record_never_panics_on_mutated_records(
        which in any::<Index>(),
        mutations in proptest::collection::vec(mutation(), 1..12),
    ) {
        let (path, text) = &records()[which.index(records().len())];
        let bytes = mutate(text.clone().into_bytes(), &mutations);
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = parse(path, &text) {
            // Every error names the file it is about.
            prop_assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        }
    }
}

#[test]
fn unmutated_records_parse() {
    for (path, text) in records() {
        parse(path, text).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// A head and `body` as one record of raw text.
fn raw_record(title: &str, body: &str) -> String {
    format!("S-001\n{title}\n王鸥\n北京医院\n{body}\n")
}

#[test]
fn a_50_mb_input_is_refused_at_once() {
    let text = "S-001\n标题\n王鸥\n北京医院\n正文。\n".repeat((50 << 20) / 40);
    assert!(text.len() >= 50 << 20);
    let err = ingest::ingest_bytes(text.as_bytes()).unwrap_err();
    assert!(matches!(err, IngestError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("at most 16 MB"), "{err}");
    assert!(matches!(
        ingest::ingest(&text),
        Err(IngestError::TooLarge { .. })
    ));
}

/// Input far larger than a real book (4 MB, 30 times the source) goes through every
/// step, and nothing is quadratic: four times the input allocates at most five times
/// as much (a quadratic step would make it sixteen), whether it is four times the
/// records or one paragraph four times as long.
#[test]
fn large_input_scales_linearly() {
    const SIZE: usize = 4 << 20;
    // Many records, each with a body of mixed Han, Latin, parentheses and spaces.
    let records = |size: usize| {
        let body = "骨质疏松(osteoporosis) 是一种 ( 以骨量低下 , 骨微结构损坏为特征的疾病 (  a ( b ) 维生素 D。\n";
        let mut text = String::with_capacity(size);
        for n in 1.. {
            let record = format!("S-{n:03}\n标题{n}\n王鸥\n北京医院\n{}", body.repeat(50));
            if text.len() + record.len() > size {
                return (text, n - 1);
            }
            text.push_str(&record);
        }
        unreachable!()
    };
    let ingest_records = |size: usize| {
        let (text, n) = records(size);
        let ingested = ingest::ingest_bytes(text.as_bytes()).expect("well-formed records ingest");
        assert_eq!(ingested.records.len(), n);
    };
    // One line of body text: one huge paragraph.
    let ingest_paragraph = |size: usize| {
        let text = format!("S-001\n标题\n王鸥\n北京医院\n{}", "( 骨 ".repeat(size / 8));
        let ingested = ingest::ingest(&text).expect("one long paragraph ingests");
        assert_eq!(ingested.records[0].paragraphs.len(), 1);
    };
    for (what, run) in [
        ("records", &ingest_records as &dyn Fn(usize)),
        ("one paragraph", &ingest_paragraph),
    ] {
        let small = allocated_by(|| run(SIZE / 4));
        let large = allocated_by(|| run(SIZE));
        for (unit, s, l) in [
            ("allocations", small.0, large.0),
            ("bytes", small.1, large.1),
        ] {
            assert!(
                l <= 5 * s,
                "{what}: 4× the input took {:.1}× the {unit} ({s} → {l})",
                l as f64 / s as f64
            );
        }
    }
}

#[test]
fn a_100_kb_title_returns() {
    for title in [
        "骨(".repeat(25_000),
        "( ".repeat(50_000),
        format!("{}中", " ".repeat(100_000)),
        "中 , ".repeat(25_000),
        "a(".repeat(50_000) + "中",
    ] {
        let ingested = ingest::ingest(&raw_record(&title, "正文。"));
        // Either the record comes out whole, or ingest says which record it cannot
        // read and where; never a panic, never a record without its title.
        match &ingested {
            Ok(ingested) => {
                let record = &ingested.records[0];
                assert_eq!(record.id, "S-001");
                assert!(!record.title.is_empty(), "the title is kept");
                assert_eq!(
                    record.presenters(),
                    ["王鸥"],
                    "the speaker line is still found"
                );
            }
            Err(err) => assert!(
                matches!(
                    err,
                    IngestError::NoTitle { .. } | IngestError::NoSpeaker { .. }
                ) && err.to_string().contains("S-001 (line 1)"),
                "{err}"
            ),
        }
        // The same title in a record file.
        let file = format!(
            "+++\nid = \"S-001\"\nsection = \"special\"\ntitle = {:?}\nspeakers = [\"王鸥\"]\n+++\n\n正文。\n",
            title
        );
        let record = parse(Path::new("S-001.md"), &file).expect("a long title is still a title");
        assert_eq!(record.title, title);
    }
}

#[test]
fn control_characters_are_dropped_and_the_lines_kept() {
    // Every control character but the line feed, inside the lines.
    let controls: String = (1u8..32).filter(|&b| b != b'\n').map(char::from).collect();
    let text = raw_record(&format!("标题{controls}"), &format!("正文{controls}。"));
    let ingested = ingest::ingest(&text).expect("control characters are debris, not errors");
    let record = &ingested.records[0];
    assert_eq!(ingested.records.len(), 1);
    assert_eq!(record.title, "标题");
    assert_eq!(record.presenters(), ["王鸥"]);
    assert_eq!(record.affiliations, ["北京医院"]);
    assert_eq!(record.paragraphs, ["正文。"]);
    assert!(matches!(
        ingest::ingest_bytes(b"S-001\n\x00title"),
        Err(IngestError::Binary { offset: 6 })
    ));
    // In a record file: a raw control character is a TOML error with its line.
    let file = "+++\nid = \"S-001\"\nsection = \"special\"\ntitle = \"a\x07b\"\nspeakers = [\"王鸥\"]\n+++\n";
    let err = parse(Path::new("S-001.md"), file).unwrap_err().to_string();
    assert!(err.starts_with("S-001.md:4:"), "{err}");
}

#[test]
fn invalid_utf8_is_a_clear_error() {
    let mut bytes = raw_record("标题", "正文。").into_bytes();
    bytes.splice(6..6, [0xff, 0xfe]);
    let err = ingest::ingest_bytes(&bytes).unwrap_err();
    assert!(matches!(err, IngestError::NotUtf8 { offset: 6 }), "{err}");
    assert!(err.to_string().contains("not UTF-8"), "{err}");

    // A record file that is not UTF-8: the loader names the file and the line.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("abstracts")).unwrap();
    let file = dir.path().join("abstracts/S-001.md");
    std::fs::write(&file, b"+++\nid = \"S-001\"\ntitle = \"\xff\"\n+++\n").unwrap();
    let loaded = content::load_lenient(dir.path()).unwrap();
    let err = loaded.files[0].record.as_ref().unwrap_err().to_string();
    assert!(
        err.contains(&format!("{}:3:", file.display())) && err.contains("not UTF-8"),
        "{err}"
    );
}
