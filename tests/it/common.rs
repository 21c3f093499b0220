//! Helpers shared by the integration tests: the repository, copies of the project,
//! the text of a PDF.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use confbook::output::build::Paths;
use hayro_syntax::Pdf;
use hayro_syntax::object::{Array, Dict, Name, Object, ObjectIdentifier};

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

/// One character as MuPDF's structured text gives it.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub c: char,
    pub font: String,
    pub size: f64,
    /// Left and right edges.
    pub x0: f64,
    pub x1: f64,
    /// The baseline, from the top of the page.
    pub y: f64,
    /// The line it stands in, counted down the page's text.
    pub line: usize,
}

/// Every character of a page (`mutool draw -F stext`), spaces included, in text order.
pub fn glyphs(pdf: &Path, page: usize) -> Vec<Glyph> {
    let xml = mutool_draw(pdf, page, "stext");
    let attr = |tag: &str, key: &str| -> Option<String> {
        Some(
            tag.split(&format!(" {key}=\""))
                .nth(1)?
                .split('"')
                .next()?
                .to_string(),
        )
    };
    let (mut font, mut size, mut line) = (String::new(), 0.0, 0);
    let mut out = Vec::new();
    for tag in xml.split('<') {
        if tag.starts_with("font ") {
            font = attr(tag, "name").unwrap_or_default();
            size = attr(tag, "size")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0.0);
        } else if tag.starts_with("line ") {
            line += 1;
        } else if tag.starts_with("char ") {
            let number = |key| attr(tag, key).and_then(|v| v.parse::<f64>().ok());
            let quad: Vec<f64> = attr(tag, "quad")
                .unwrap_or_default()
                .split(' ')
                .filter_map(|n| n.parse().ok())
                .collect();
            let (Some(c), Some(y), &[x0, _, x1, ..]) = (attr(tag, "c"), number("y"), &quad[..])
            else {
                continue;
            };
            out.push(Glyph {
                c: entity(&c),
                font: font.clone(),
                size,
                x0,
                x1,
                y,
                line,
            });
        }
    }
    out
}

/// The character MuPDF writes as `c`: itself, or an entity (all non-ASCII, markup).
fn entity(c: &str) -> char {
    let hex = c.strip_prefix("&#x").and_then(|h| h.strip_suffix(';'));
    match (c, hex.and_then(|h| u32::from_str_radix(h, 16).ok())) {
        (_, Some(code)) => char::from_u32(code).unwrap_or(' '),
        ("&lt;", _) => '<',
        ("&gt;", _) => '>',
        ("&amp;", _) => '&',
        ("&quot;", _) => '"',
        ("&apos;", _) => '\'',
        (other, _) => other.chars().next().unwrap_or(' '),
    }
}

/// Each line's characters on a page: (character, left x, right x), spaces left out.
pub fn lines_of_chars(pdf: &Path, page: usize) -> Vec<Vec<(char, f64, f64)>> {
    let mut lines: Vec<Vec<(char, f64, f64)>> = Vec::new();
    let mut last = None;
    for g in glyphs(pdf, page).into_iter().filter(|g| g.c != ' ') {
        if last != Some(g.line) {
            lines.push(Vec::new());
            last = Some(g.line);
        }
        lines.last_mut().unwrap().push((g.c, g.x0, g.x1));
    }
    lines
}

/// The words of a page (runs of characters of one line without a space or a gap
/// between them), each with the left edge and baseline of its first character.
pub fn words(pdf: &Path, page: usize) -> Vec<(String, f64, f64)> {
    let mut out: Vec<(String, f64, f64)> = Vec::new();
    let mut prev: Option<Glyph> = None;
    for g in glyphs(pdf, page) {
        let joins = prev
            .as_ref()
            .is_some_and(|p| p.line == g.line && p.c != ' ' && g.x0 - p.x1 < 0.5);
        if g.c != ' ' {
            if joins {
                out.last_mut().unwrap().0.push(g.c);
            } else {
                out.push((g.c.to_string(), g.x0, g.y));
            }
        }
        prev = Some(g);
    }
    out
}

/// A link annotation: its rectangle (PDF user space, y up) and the physical page it
/// goes to.
pub struct Link {
    pub rect: [f64; 4],
    pub to: usize,
}

/// The page object an explicit destination `[page /XYZ …]` goes to.
fn dest_page(dest: &Array<'_>) -> Option<ObjectIdentifier> {
    Some(dest.raw_iter().next()?.as_obj_ref()?.into())
}

/// The document's named destinations (the catalog's `/Names /Dests` tree): each name
/// with the page its explicit destination goes to.
fn named_destinations(doc: &Pdf) -> HashMap<Vec<u8>, ObjectIdentifier> {
    fn walk(node: &Dict<'_>, out: &mut HashMap<Vec<u8>, ObjectIdentifier>) {
        if let Some(pairs) = node.get::<Array<'_>>(b"Names") {
            let items: Vec<Object<'_>> = pairs.iter::<Object<'_>>().collect();
            for pair in items.chunks(2) {
                if let [Object::String(name), Object::Array(dest)] = pair
                    && let Some(page) = dest_page(dest)
                {
                    out.insert(name.as_bytes().to_vec(), page);
                }
            }
        }
        for kid in node
            .get::<Array<'_>>(b"Kids")
            .unwrap_or_default()
            .iter::<Dict<'_>>()
        {
            walk(&kid, out);
        }
    }
    let mut out = HashMap::new();
    let catalog = doc.xref().get::<Dict<'_>>(doc.xref().root_id()).unwrap();
    if let Some(dests) = catalog
        .get::<Dict<'_>>(b"Names")
        .and_then(|n| n.get::<Dict<'_>>(b"Dests"))
    {
        walk(&dests, &mut out);
    }
    out
}

/// The `/Link` annotations of physical page `page` that go to a page of the document,
/// by an explicit or a named destination.
pub fn links(doc: &Pdf, page: usize) -> Vec<Link> {
    let pages = doc.pages();
    let named = named_destinations(doc);
    let number_of = |id: ObjectIdentifier| {
        (1..)
            .zip(pages.iter())
            .find(|(_, p)| p.raw().obj_id() == Some(id))
            .map(|(n, _)| n)
    };
    let annots = pages[page - 1]
        .raw()
        .get::<Array<'_>>(b"Annots")
        .unwrap_or_default();
    annots
        .iter::<Dict<'_>>()
        .filter(|a| {
            a.get::<Name<'_>>(b"Subtype")
                .is_some_and(|s| &*s == b"Link")
        })
        .filter_map(|a| {
            let dest = match a.get::<Object<'_>>(b"Dest")? {
                Object::String(name) => *named.get(name.as_bytes())?,
                Object::Array(explicit) => dest_page(&explicit)?,
                _ => return None,
            };
            let to = number_of(dest)?;
            let rect = a.get::<[f64; 4]>(b"Rect")?;
            Some(Link { rect, to })
        })
        .collect()
}

/// Each page's words from `pdftotext -bbox`: text and [x0, y0, x1, y1] in PDF user
/// space (y up, from the page's height that pdftotext gives).
pub fn word_boxes(pdf: &Path, page: usize) -> Vec<(String, [f64; 4])> {
    let n = page.to_string();
    let html = poppler(
        "pdftotext",
        &["-bbox", "-f", &n, "-l", &n, &pdf.to_string_lossy(), "-"],
    );
    let attr = |tag: &str, key: &str| -> f64 {
        let start = tag.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    let height = attr(html.split("<page ").nth(1).expect("a page"), "height");
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let text = w
                .split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string();
            let r = [
                attr(w, "xMin"),
                height - attr(w, "yMax"),
                attr(w, "xMax"),
                height - attr(w, "yMin"),
            ];
            (text, r)
        })
        .collect()
}

/// Whether the word box `word` stands inside `rect`. A word's box runs from the
/// font's ascent to its descent, so its middle is taken for the line.
pub fn holds(rect: &[f64; 4], word: &[f64; 4]) -> bool {
    let middle = (word[1] + word[3]) / 2.0;
    word[0] >= rect[0] - 0.5 && word[2] <= rect[2] + 0.5 && (rect[1]..=rect[3]).contains(&middle)
}
