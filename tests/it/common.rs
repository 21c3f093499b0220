//! Helpers shared by the integration tests: the repository, copies of the project,
//! the text of a PDF.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use confbook::output::build::Paths;

/// The repository: the shipped content/, layouts/ and fonts/.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The example project: an English two-day conference (examples/nsbmr-2027).
pub const EXAMPLE: &str = "examples/nsbmr-2027";

/// A copy of the shipped content/ and layouts/ in a temp dir; fonts/ (65 MB) is a
/// link to the repository's. Output goes to its out/.
pub fn project_copy() -> (tempfile::TempDir, Paths) {
    copy_of(repo())
}

/// The same for the example project.
pub fn example_copy() -> (tempfile::TempDir, Paths) {
    copy_of(&repo().join(EXAMPLE))
}

fn copy_of(project: &Path) -> (tempfile::TempDir, Paths) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&project.join("content"), &dir.path().join("content"));
    copy_dir(&repo().join("layouts"), &dir.path().join("layouts"));
    std::os::unix::fs::symlink(repo().join("fonts"), dir.path().join("fonts")).unwrap();
    let mut paths = Paths::new(dir.path(), &dir.path().join("out"));
    paths.fonts = repo().join("fonts");
    (dir, paths)
}

/// Runs a poppler tool; a missing tool fails the test (CI installs it in `.ci/run`).
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `{tool}` ({e}): install poppler-utils (apt-get install poppler-utils)")
    });
    assert!(
        out.status.success(),
        "`{tool} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{tool} printed non-UTF-8: {e}"))
}

/// The text of every page in content order (`pdftotext -raw`), `pages[0]` being
/// physical page 1 (pdftotext ends each page with a form feed).
pub fn page_texts(pdf: &Path) -> Vec<String> {
    let text = poppler(
        "pdftotext",
        &["-raw", "-enc", "UTF-8", &pdf.to_string_lossy(), "-"],
    );
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Runs the confbook binary with `args`.
pub fn confbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_confbook"))
        .args(args)
        .output()
        .expect("confbook runs")
}

/// Runs the confbook binary on the project at `root`.
pub fn confbook_in(root: &Path, args: &[&str]) -> Output {
    let root = root.to_string_lossy();
    confbook(&[&["--root", root.as_ref()], args].concat())
}

/// Output bytes as text, for messages and comparisons.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `mutool draw -F <format>` of one page, as XML.
pub fn mutool_draw(pdf: &Path, page: usize, format: &str) -> String {
    let out = Command::new("mutool")
        .args([
            "draw",
            "-F",
            format,
            "-o",
            "-",
            &pdf.to_string_lossy(),
            &page.to_string(),
        ])
        .output()
        .expect("mutool runs (apt-get install mupdf-tools)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Each line's characters on a page: (character, left x, right x), spaces left out.
pub fn lines_of_chars(pdf: &Path, page: usize) -> Vec<Vec<(char, f64, f64)>> {
    let xml = mutool_draw(pdf, page, "stext");
    xml.split("<line ")
        .skip(1)
        .map(|line| {
            line.split("<char ")
                .skip(1)
                .filter_map(|c| {
                    let quad: Vec<f64> = c
                        .split("quad=\"")
                        .nth(1)?
                        .split('"')
                        .next()?
                        .split(' ')
                        .filter_map(|n| n.parse().ok())
                        .collect();
                    let code = c.split(" c=\"&#x").nth(1).and_then(|r| r.split(';').next());
                    let ch = match code {
                        Some(hex) => char::from_u32(u32::from_str_radix(hex, 16).ok()?)?,
                        None => c.split(" c=\"").nth(1)?.chars().next()?,
                    };
                    (ch != ' ').then_some((ch, quad[0], quad[2]))
                })
                .collect()
        })
        .collect()
}
