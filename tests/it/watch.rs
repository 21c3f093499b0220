//! The late-change report after a real edit, and `confbook watch` end to end: the
//! binary runs as a child process on a copy of the project while the test edits,
//! breaks and fixes a record and reads the PDF back with `pdftotext`.
//!
//! The timeouts are generous (a slow machine must pass): nothing here measures speed.

use crate::common::project_copy;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use confbook::content;
use confbook::output::build::Builder;
use confbook::output::report::ChangeReport;

const TIMEOUT: Duration = Duration::from_secs(60);

fn record_path(root: &Path, id: &str) -> PathBuf {
    root.join("content")
        .join(content::ABSTRACTS_DIR)
        .join(content::file_name(id))
}

/// A paragraph long enough to push everything after its record at least a page on.
fn long_paragraph() -> String {
    "为检验改动报告而加入的一段较长的文字，它会把其后的摘要推到后面的页上。".repeat(40)
}

#[test]
fn change_report_names_the_edited_record_and_the_moved_pages() {
    let (dir, paths) = project_copy();
    let mut builder = Builder::new(paths.clone(), false).unwrap();
    let first = builder.build().unwrap();
    assert!(first.changes.first_build, "{:?}", first.changes);
    assert!(
        first.changes.to_string().starts_with("first build"),
        "{}",
        first.changes
    );

    let again = builder.build().unwrap();
    assert!(
        again.changes.is_unchanged(),
        "a rebuild without an edit: {:?}",
        again.changes
    );

    let edited_id = "S-041";
    let path = record_path(dir.path(), edited_id);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(&format!("\n{}\n", long_paragraph()));
    fs::write(&path, text).unwrap();
    let before = &again.manifest;
    let built = builder.build().unwrap();
    let changes = &built.changes;
    assert_eq!(changes.edited, [edited_id], "{changes:?}");
    assert!(
        changes.added.is_empty() && changes.removed.is_empty(),
        "{changes:?}"
    );

    // Every record after the edited one moved on; none before it did (book order is
    // the manifest's: sections in booklet.toml's order, then ids).
    let order = |id: &str| before.records.iter().position(|r| r.id == id);
    let next = "S-042";
    let moved = changes
        .moved
        .iter()
        .find(|m| m.id == next)
        .unwrap_or_else(|| panic!("{next} did not move: {changes:?}"));
    assert!(moved.to_page > moved.from_page, "{moved:?}");
    let old = before.records.iter().find(|r| r.id == next).unwrap();
    let new = built
        .manifest
        .records
        .iter()
        .find(|r| r.id == next)
        .unwrap();
    assert_eq!(
        (moved.from_page, moved.from_label.as_str()),
        (old.first_page, old.page_label.as_str())
    );
    assert_eq!(
        (moved.to_page, moved.to_label.as_str()),
        (new.first_page, new.page_label.as_str())
    );
    for m in &changes.moved {
        assert!(
            order(&m.id) > order(edited_id),
            "{} moved though it is before {edited_id}",
            m.id
        );
    }

    // The pages that differ: where the new paragraph is, every page a moved record now
    // starts on, but not the title page.
    let edited = built
        .manifest
        .records
        .iter()
        .find(|r| r.id == edited_id)
        .unwrap();
    let differing = &changes.pages_differing;
    assert!(
        differing.contains(&edited.last_page),
        "page {} with {edited_id}'s new paragraph not in {differing:?}",
        edited.last_page
    );
    for m in &changes.moved {
        assert!(
            differing.contains(&m.to_page),
            "page {} of {} not in {differing:?}",
            m.to_page,
            m.id
        );
    }
    assert!(
        !differing.contains(&1),
        "the title page changed: {differing:?}"
    );

    let human = changes.to_string();
    assert!(
        human.contains(&format!("1 record edited: {edited_id}")),
        "{human}"
    );
    assert!(
        human.contains(&format!(
            "{next} p.{} → p.{}",
            moved.from_label, moved.to_label
        )),
        "{human}"
    );
    assert!(human.contains("PDF pages differing: "), "{human}");

    // The JSON beside the PDF is the same report.
    let json = fs::read(paths.changes()).unwrap();
    let on_disk: ChangeReport = serde_json::from_slice(&json).unwrap();
    assert_eq!(&on_disk, changes);

    // Page hashes do not depend on the world or the process: a new builder that
    // rebuilds the same content finds nothing changed.
    let mut fresh = Builder::new(paths, false).unwrap();
    let same = fresh.build().unwrap();
    assert!(same.changes.is_unchanged(), "{:?}", same.changes);
}

/// Kills the watching child however the test ends.
struct Watcher {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Watcher {
    fn start(root: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_confbook"))
            .arg("--root")
            .arg(root)
            .arg("watch")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start confbook watch");
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Watcher { child, stderr }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until `done(stderr)` holds; fails with the output so far.
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) {
        let started = Instant::now();
        while !done(&self.stderr()) {
            assert!(
                started.elapsed() < TIMEOUT,
                "timed out waiting for {what}; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The PDF's text without whitespace; empty while it cannot be read.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("cannot run pdftotext: install poppler-utils");
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn wait_for_text(watcher: &Watcher, pdf: &Path, needle: &str) {
    let started = Instant::now();
    while !pdf_text(pdf).contains(needle) {
        assert!(
            started.elapsed() < TIMEOUT,
            "timed out waiting for {needle:?} in {}; stderr:\n{}",
            pdf.display(),
            watcher.stderr()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn builds(stderr: &str) -> usize {
    stderr.matches("] built booklet.pdf (").count()
}

/// The record file with another title.
fn retitled(text: &str, title: &str) -> String {
    text.lines()
        .map(|line| match line.starts_with("title = ") {
            true => format!("title = \"{title}\""),
            false => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn watch_rebuilds_on_edits_survives_a_broken_record_and_stops_on_ctrl_c() {
    let (dir, _) = project_copy();
    let root = dir.path();
    let pdf = root.join("out/booklet.pdf");
    let watcher = Watcher::start(root);
    watcher.wait_for("the first build", |s| builds(s) >= 1);
    assert!(
        watcher.stderr().contains("first build"),
        "{}",
        watcher.stderr()
    );
    assert!(pdf.is_file());

    // An edit is picked up and printed.
    let id = "S-041";
    let path = record_path(root, id);
    let original = fs::read_to_string(&path).unwrap();
    let title = "看守模式改过的标题甲";
    fs::write(&path, retitled(&original, title)).unwrap();
    wait_for_text(&watcher, &pdf, title);
    watcher.wait_for("the report of the edit", |s| {
        builds(s) >= 2 && s.contains(&format!("1 record edited: {id}"))
    });
    let good = fs::read(&pdf).unwrap();

    // A broken record: the error is printed, the PDF stays as it was.
    let seen = watcher.stderr().len();
    let broken =
        retitled(&original, "x").replace("title = \"x\"", "title = \"an unterminated string");
    fs::write(&path, broken).unwrap();
    watcher.wait_for("the error of the broken record", |s| {
        let new = &s[seen..];
        new.contains("error:") && new.contains(&format!("{id}.md"))
    });
    assert!(
        fs::read(&pdf).unwrap() == good,
        "the PDF changed after a failed build"
    );
    assert_eq!(builds(&watcher.stderr()), 2, "{}", watcher.stderr());

    // Fixing it rebuilds with the fixed text.
    let fixed = "修好以后的标题乙";
    fs::write(&path, retitled(&original, fixed)).unwrap();
    wait_for_text(&watcher, &pdf, fixed);
    watcher.wait_for("the rebuild after the fix", |s| builds(s) >= 3);

    // Ctrl-C ends it with exit code 0.
    let mut watcher = watcher;
    let pid = watcher.child.id().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    assert!(kill.unwrap().success(), "SIGINT sent");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = watcher.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < TIMEOUT, "watch did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "exit status {status:?}; stderr:\n{}",
        watcher.stderr()
    );
}

/// A project `confbook new` makes in `dir`/book, its text in `lang`.
fn new_project(dir: &Path, lang: &str) -> PathBuf {
    let root = dir.join("book");
    let new = crate::common::confbook(&["new", &root.to_string_lossy(), "--lang", lang]);
    assert!(
        new.status.success(),
        "{}",
        String::from_utf8_lossy(&new.stderr)
    );
    root
}

/// A project without layouts/ (the built-in ones) that gets one while watched: the
/// override is watched from then on, and the book takes it at once.
#[test]
fn a_layouts_folder_made_while_watching_overrides_the_built_in_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "en");
    let pdf = root.join("out/booklet.pdf");
    let watcher = Watcher::start(&root);
    watcher.wait_for("the first build", |s| builds(s) >= 1);
    assert!(pdf_text(&pdf).contains("Contents"));

    let strings = confbook::typeset::builtin::Kind::Layouts
        .find("lib/strings.typ")
        .unwrap();
    let strings = String::from_utf8(strings.to_vec()).unwrap();
    assert_eq!(strings.matches("contents: \"Contents\",").count(), 1);
    let own = root.join("layouts/lib/strings.typ");
    fs::create_dir_all(own.parent().unwrap()).unwrap();
    let renamed = strings.replace("contents: \"Contents\",", "contents: \"Overview\",");
    fs::write(&own, &renamed).unwrap();
    wait_for_text(&watcher, &pdf, "Overview");
    // Watched from then on: an edit of the override rebuilds too.
    let seen = builds(&watcher.stderr());
    let again = renamed.replace("\"Overview\"", "\"At a glance\"");
    fs::write(&own, again).unwrap();
    wait_for_text(&watcher, &pdf, "Ataglance");
    assert!(builds(&watcher.stderr()) > seen);
}

/// Font folders named in booklet.toml while watching are loaded at the next build: a
/// Japanese book's text moves from the fallback face to the Japanese one.
#[test]
fn font_folders_named_while_watching_are_loaded() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "ja");
    let pdf = root.join("out/booklet.pdf");
    let fonts = || crate::common::poppler("pdffonts", &[&pdf.to_string_lossy()]);
    let watcher = Watcher::start(&root);
    watcher.wait_for("the first build", |s| builds(s) >= 1);
    assert!(!fonts().contains("CJKjp"), "{}", fonts());

    let booklet = root.join("content/booklet.toml");
    let mut text = fs::read_to_string(&booklet).unwrap();
    text.push_str("\n[fonts]\ndirs = [\"/usr/share/fonts/opentype/noto\"]\n");
    fs::write(&booklet, text).unwrap();
    watcher.wait_for("a second build", |s| builds(s) >= 2);
    assert!(
        fonts().contains("CJKjp"),
        "{}\n{}",
        fonts(),
        watcher.stderr()
    );
}
