//! Per-session handouts and `eject`, read back from the PDFs with poppler's
//! `pdftotext -raw` (content-stream order: a talk's id, title, speakers and page come
//! out in that order, a wrapped title as consecutive lines).
//!
//! The shipped content's booklet and handouts are built once per test binary (see
//! [`shipped`]); tests that change content work on a copy of content/ and layouts/ in
//! a temp dir with the repo's fonts.

use crate::common::{confbook_in, page_texts, project_copy, repo as root};

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use confbook::content::schedule::Known;
use confbook::content::{self, Content};
use confbook::output::build::{Builder, Paths};
use confbook::output::handouts::{self, Handout, HandoutError};
use confbook::output::manifest::Manifest;
use confbook::typeset::fonts::FontSet;
use confbook::typeset::render;
use confbook::typeset::world::BookWorld;

fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whole-word occurrences of record ids: `S-001` but not the `C-1` inside `C-12` or
/// `ABC-1`.
fn ids_in(text: &str, known: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for id in known {
        let mut from = 0;
        while let Some(at) = text[from..].find(id.as_str()) {
            let start = from + at;
            let end = start + id.len();
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
            if !word(before) && !word(after) {
                found.insert(id.clone());
                break;
            }
            from = end;
        }
    }
    found
}

struct Shipped {
    _dir: tempfile::TempDir,
    paths: Paths,
    content: Content,
    /// The manifest `build` wrote (out/booklet.json).
    manifest: Manifest,
    handouts: Vec<Handout>,
}

/// The shipped content: booklet built to disk, then every session's handout.
fn shipped() -> &'static Shipped {
    static SHIPPED: OnceLock<Shipped> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let dir = temp_dir("handouts-");
        let paths = Paths::new(root(), dir.path());
        let mut builder = Builder::new(paths.clone(), false).unwrap();
        builder
            .build()
            .unwrap_or_else(|e| panic!("build failed: {e}"));
        let manifest: Manifest =
            serde_json::from_slice(&fs::read(paths.manifest()).unwrap()).unwrap();
        let content = content::load(&paths.content).unwrap();
        let planned = handouts::plan(&content, &[]).unwrap();
        let booklet = handouts::booklet_pages(&mut builder, &content).unwrap();
        assert_eq!(
            booklet, manifest,
            "the in-memory booklet differs from the built one"
        );
        let done = std::sync::Mutex::new(Vec::new());
        let written = handouts::write_all(
            &paths,
            builder.fonts(),
            &content,
            &booklet,
            &planned,
            &|h| done.lock().unwrap().push(h.session.clone()),
        )
        .unwrap_or_else(|e| panic!("handouts failed: {e}"));
        assert_eq!(
            done.into_inner().unwrap().len(),
            written.len(),
            "on_done once per handout"
        );
        Shipped {
            _dir: dir,
            paths,
            content,
            manifest,
            handouts: written,
        }
    })
}

fn all_ids(content: &Content) -> Vec<String> {
    content.records.iter().map(|r| r.id.clone()).collect()
}

/// Page texts with the running heads and folios taken out.
fn body_lines(pages: &[String]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| {
            let folio = l.split_once(" / ").is_some_and(|(a, b)| {
                a.chars().all(|c| c.is_ascii_digit()) && b.chars().all(|c| c.is_ascii_digit())
            });
            !folio
        })
        .map(str::to_string)
        .collect()
}

/// The talks list of a handout: id → the page label printed at the end of its entry.
/// The list runs from 报告一览 to the 摘要 heading; an entry is its id, title and
/// speakers, a (drawn) leader, and the label.
fn listed_pages(pdf: &Path, known: &[String], running_head: &str) -> Vec<(String, String)> {
    let lines = body_lines(&page_texts(pdf));
    let start = lines
        .iter()
        .position(|l| l == "报告一览")
        .expect("a 报告一览 heading")
        + 2;
    let end = lines
        .iter()
        .position(|l| l == "摘要")
        .expect("a 摘要 heading");
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in &lines[start..end] {
        if line == running_head {
            continue;
        }
        let first = line.split(' ').next().unwrap_or_default();
        if known.iter().any(|id| id == first) {
            entries.push((first.to_string(), String::new()));
        }
        let entry = entries
            .last_mut()
            .unwrap_or_else(|| panic!("text before the first entry: {line}"));
        entry.1.push(' ');
        entry.1.push_str(line);
    }
    entries
        .into_iter()
        .map(|(id, text)| {
            // The label is a cell of its own: the entry's last word.
            let label = text.split_whitespace().last().unwrap_or_default();
            assert!(
                label.chars().all(|c| c.is_ascii_alphanumeric()),
                "{id}: the entry does not end with a page label: {text}"
            );
            (id, label.to_string())
        })
        .collect()
}

#[test]
fn every_session_has_a_handout_with_exactly_its_records() {
    let s = shipped();
    let known = all_ids(&s.content);
    assert_eq!(s.handouts.len(), s.content.program.sessions.len());
    for session in &s.content.program.sessions {
        let path = handouts::handout_path(&s.paths.out, &session.id);
        assert!(path.is_file(), "{} missing", path.display());
        let expected =
            content::schedule::expand(&session.records, &Known::new(&s.content.records)).unwrap();
        let handout = s.handouts.iter().find(|h| h.session == session.id).unwrap();
        assert_eq!(
            (handout.path.as_path(), handout.records),
            (path.as_path(), expected.len())
        );
        let text = page_texts(&path).join("\n");
        assert_eq!(
            ids_in(&text, &known),
            expected.iter().cloned().collect::<BTreeSet<_>>(),
            "{}: ids printed in the handout",
            session.id
        );
        let head = squash(&text[..text.find("报告一览").unwrap()]);
        assert!(
            head.contains(&squash(&s.content.booklet.conference)),
            "{}: no conference name",
            session.id
        );
        assert!(
            head.contains(&squash(&session.title)),
            "{}: no session title",
            session.id
        );
        // Each abstract once, in program order: its heading is the id on a line of its own.
        let lines = body_lines(&page_texts(&path));
        let abstracts = lines.iter().position(|l| l == "摘要").unwrap();
        let headings: Vec<&String> = lines[abstracts..]
            .iter()
            .filter(|l| known.contains(l))
            .collect();
        assert_eq!(
            headings,
            expected.iter().collect::<Vec<_>>(),
            "{}: abstracts",
            session.id
        );
    }
}

#[test]
fn the_page_shown_for_a_talk_is_the_booklet_page_label() {
    let s = shipped();
    let known = all_ids(&s.content);
    let labels: BTreeMap<&str, &str> = s
        .manifest
        .records
        .iter()
        .map(|r| (r.id.as_str(), r.page_label.as_str()))
        .collect();
    for session in &s.content.program.sessions {
        let path = handouts::handout_path(&s.paths.out, &session.id);
        let head = format!("{} {}", s.content.booklet.conference, session.title);
        let listed = listed_pages(&path, &known, &head);
        let expected: Vec<(String, String)> =
            content::schedule::expand(&session.records, &Known::new(&s.content.records))
                .unwrap()
                .into_iter()
                .map(|id| {
                    let label = labels[id.as_str()].to_string();
                    (id, label)
                })
                .collect();
        let ids = |v: &[(String, String)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&listed), ids(&expected), "{}: listed talks", session.id);
        let wrong: Vec<String> = listed
            .iter()
            .zip(&expected)
            .filter(|(got, want)| got != want)
            .map(|((id, got), (_, want))| format!("{id}: shows {got}, booklet has {want}"))
            .collect();
        assert!(wrong.is_empty(), "{}: {wrong:?}", session.id);
    }
    // The labels are the booklet's printed ones, not physical pages.
    let first = &s.manifest.records[0];
    assert_ne!(
        first.page_label,
        first.first_page.to_string(),
        "test needs front matter"
    );
}

#[test]
fn an_unknown_id_in_the_program_is_an_error_naming_the_session() {
    let (dir, paths) = project_copy();
    let program = paths.content.join("program.toml");
    let text = fs::read_to_string(&program).unwrap();
    fs::write(
        &program,
        text.replace(
            "records = [\"C-1..C-8\"]",
            "records = [\"C-1..C-8\", \"S-999\"]",
        ),
    )
    .unwrap();
    let content = content::load(&paths.content).unwrap();
    let err = handouts::plan(&content, &[]).unwrap_err();
    assert!(matches!(err, HandoutError::Session { .. }), "{err:?}");
    let msg = err.to_string();
    for part in ["program.toml", "session `case`", "S-999"] {
        assert!(msg.contains(part), "{part:?} not in: {msg}");
    }
    // A range with an unknown end, and the command line: exit 1, the message, no files.
    fs::write(&program, text.replace("PL-01..PL-20", "PL-01..PL-21")).unwrap();
    let out = confbook_in(dir.path(), &["handouts"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("session `plenary`") && stderr.contains("PL-21"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("out/handouts").exists(),
        "handouts written despite the error"
    );
}

#[test]
fn an_unknown_session_name_lists_the_known_ones() {
    let (dir, _paths) = project_copy();
    let out = confbook_in(dir.path(), &["handouts", "case", "nope"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("`nope`") && stderr.contains("plenary, special, case"),
        "{stderr}"
    );
}

/// The shipped project with one more session, `id`, whose other fields are `fields`
/// (TOML lines), its content loaded, and the plan of that session's handout.
fn planned_with_session(
    id: &str,
    fields: &str,
) -> (tempfile::TempDir, Paths, Content, Vec<handouts::Planned>) {
    let (dir, paths) = project_copy();
    let program = paths.content.join("program.toml");
    let mut text = fs::read_to_string(&program).unwrap();
    text.push_str(&format!("\n[[session]]\nid = \"{id}\"\n{fields}\n"));
    fs::write(&program, text).unwrap();
    let content = content::load(&paths.content).unwrap();
    let planned = handouts::plan(&content, &[id.to_string()]).unwrap();
    (dir, paths, content, planned)
}

#[test]
fn named_sessions_with_mixed_entries_get_exactly_their_records() {
    let (dir, paths, content, planned) = planned_with_session(
        "mixed",
        "title = \"综合\"\nrecords = [\"C-8\", \"PL-02..PL-03\", \"S-005\"]",
    );
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].ids, ["C-8", "PL-02", "PL-03", "S-005"]);
    let mut builder = Builder::new(paths.clone(), false).unwrap();
    let booklet = handouts::booklet_pages(&mut builder, &content).unwrap();
    let written = handouts::write_all(
        &paths,
        builder.fonts(),
        &content,
        &booklet,
        &planned,
        &|_| {},
    )
    .unwrap();
    assert_eq!(written.len(), 1);
    let files: Vec<_> = fs::read_dir(paths.out.join("handouts"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, ["mixed.pdf"], "only the named session is written");
    let known = all_ids(&content);
    let text = page_texts(&written[0].path).join("\n");
    let expected: BTreeSet<String> = planned[0].ids.iter().cloned().collect();
    assert_eq!(ids_in(&text, &known), expected);
    let listed = listed_pages(
        &written[0].path,
        &known,
        &format!("{} 综合", content.booklet.conference),
    );
    let order: Vec<&str> = listed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        order,
        ["C-8", "PL-02", "PL-03", "S-005"],
        "program order, not book order"
    );
    drop(dir);
}

/// A session that times some of its talks and not others: its handout lists them in
/// the programme's order, the timed ones first by time, then the others as written.
#[test]
fn a_handout_lists_a_sessions_talks_in_the_programmes_order() {
    let (dir, _, content, planned) = planned_with_session(
        "partly",
        "title = \"部分定时\"\nrecords = [\"C-8\", \"PL-02\"]\ntalks = [{ id = \"S-005\", start = \"09:00\", end = \"09:10\" }]",
    );
    let programme = confbook::typeset::book::session_data(&content, &planned[0].session).unwrap();
    let listed: Vec<&str> = programme.talks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(listed, ["S-005", "C-8", "PL-02"], "the programme's order");
    assert_eq!(
        planned[0].ids, listed,
        "the handout's order is the programme's"
    );
    drop(dir);
}

#[test]
fn eject_writes_a_project_that_compiles_to_the_booklet() {
    let s = shipped();
    let dir = temp_dir("eject-");
    let project = dir.path().join("booklet-src");
    let builder = Builder::new(s.paths.clone(), false).unwrap();
    let ejected = confbook::output::eject::eject(&builder, &project, false).unwrap();
    let files: BTreeSet<PathBuf> = ejected.files.iter().cloned().collect();
    for needed in [
        "booklet.typ",
        "lib/style.typ",
        "lib/record.typ",
        "lib/theme.typ",
        "lib/cover.typ",
        "typography.md",
        "data/book.json",
        "README.md",
    ] {
        assert!(
            files.contains(Path::new(needed)),
            "{needed} not ejected: {files:?}"
        );
    }
    for file in &files {
        assert!(
            project.join(file).is_file(),
            "{} listed but missing",
            file.display()
        );
    }
    assert!(
        !files.contains(Path::new("handout.typ")),
        "handout.typ needs data eject does not write"
    );
    for font in fs::read_dir(root().join("fonts")).unwrap() {
        let name = font.unwrap().file_name();
        let name = Path::new(&name);
        if name
            .extension()
            .is_some_and(|e| e == "ttf" || e == "otf" || e == "txt")
        {
            assert!(
                files.contains(&Path::new("fonts").join(name)),
                "{} not ejected",
                name.display()
            );
        }
    }
    let readme = fs::read_to_string(project.join("README.md")).unwrap();
    assert!(
        readme.contains("typst compile --font-path fonts --ignore-system-fonts"),
        "{readme}"
    );

    // The stock CLI's view: the project folder is the root, no virtual files, only its fonts.
    let fonts = Arc::new(FontSet::load(&project.join("fonts"), false).unwrap());
    let world = BookWorld::new(&project, "booklet.typ", fonts).unwrap();
    let doc = render::compile(&world)
        .unwrap_or_else(|e| panic!("the ejected project does not compile: {e}"));
    assert_eq!(doc.pages().len(), s.manifest.pages, "page count");
    assert_eq!(
        render::record_pages(&doc),
        s.manifest.records,
        "record pages"
    );
    // Typst's own PDF of both is byte for byte the same. (`build` then adds a BleedBox,
    // which the stock CLI does not write.)
    let mut builder = builder;
    let content = content::load(&s.paths.content).unwrap();
    let print = builder.print(&content).unwrap();
    let booklet = builder.typeset(&content, print).unwrap().doc;
    assert!(
        render::pdf(&doc).unwrap() == render::pdf(&booklet).unwrap(),
        "the ejected project's PDF differs from the booklet's"
    );

    // A non-empty folder is refused unless forced.
    let err = confbook::output::eject::eject(&builder, &project, false).unwrap_err();
    assert!(err.to_string().contains("--force"), "{err}");
    confbook::output::eject::eject(&builder, &project, true).unwrap();
}
