//! The theme: `layouts/lib/theme.typ` alone restyles both books. A heading face and
//! heading sizes changed there reach the headings of the shipped Chinese book and of
//! the English example, read back from the PDF: MuPDF's structured text gives each
//! character's font and size.

use std::fs;
use std::process::Command;

use crate::common::{example_copy, project_copy};
use confbook::output::build::{Builder, Paths};

/// The edits to theme.typ, each `(as shipped, instead)`: headings in 宋 rather than 黑,
/// the part headings 20 pt rather than 18, a record's title 15 pt rather than 14.
const EDITS: [(&str, &str); 3] = [
    ("heading: (face.hei,),", "heading: (face.song,),"),
    ("heading: 18pt,", "heading: 20pt,"),
    ("title: 14pt,", "title: 15pt,"),
];

/// Runs of text as MuPDF reads them: the font's name, its size in pt, the text.
pub(crate) struct Run {
    pub(crate) font: String,
    pub(crate) size: f64,
    pub(crate) text: String,
}

/// The value of `attr="…"` in one line of MuPDF's XML.
fn attribute<'a>(line: &'a str, attr: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {attr}=\""))? + attr.len() + 3;
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

/// A character as MuPDF writes it in an attribute: itself, `&#xHEX;` or an entity.
fn xml_char(c: &str) -> char {
    let code = |hex: &str| char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap();
    match c {
        "&amp;" => '&',
        "&lt;" => '<',
        "&gt;" => '>',
        "&quot;" => '"',
        "&apos;" => '\'',
        c => match c.strip_prefix("&#x").and_then(|c| c.strip_suffix(';')) {
            Some(hex) => code(hex),
            None => c.chars().next().unwrap(),
        },
    }
}

/// Every run of text in the PDF (`mutool draw -F stext`: a `<font>` element per run,
/// a `<char>` per character).
pub(crate) fn runs(paths: &Paths) -> Vec<Run> {
    let out = Command::new("mutool")
        .args(["draw", "-F", "stext", "-o", "-"])
        .arg(paths.pdf())
        .output()
        .expect("mutool runs (apt-get install mupdf-tools; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = String::from_utf8(out.stdout).unwrap();
    let mut runs: Vec<Run> = Vec::new();
    for line in xml.lines().map(str::trim_start) {
        if line.starts_with("<font ") {
            runs.push(Run {
                font: attribute(line, "name").unwrap().to_string(),
                size: attribute(line, "size").unwrap().parse().unwrap(),
                text: String::new(),
            });
        } else if line.starts_with("<char ") {
            let c = xml_char(attribute(line, "c").unwrap());
            runs.last_mut().expect("a char inside a font").text.push(c);
        }
    }
    runs
}

/// Builds the project at `paths` with theme.typ edited as [`EDITS`] says.
fn build_restyled(paths: &Paths) -> Vec<Run> {
    let theme = paths.layouts.join("lib/theme.typ");
    let mut text = fs::read_to_string(&theme).unwrap();
    for (shipped, instead) in EDITS {
        assert_eq!(
            text.matches(shipped).count(),
            1,
            "theme.typ has one `{shipped}`"
        );
        text = text.replace(shipped, instead);
    }
    fs::write(&theme, text).unwrap();
    Builder::new(paths.clone(), false)
        .and_then(|mut b| b.build())
        .unwrap_or_else(|e| panic!("building the restyled book failed: {e}"));
    runs(paths)
}

/// The part heading `heading` (目录, 作者索引) and the records' titles are set in the
/// new face at the new sizes, and nothing is left in the old heading face at the old
/// sizes.
fn assert_restyled(runs: &[Run], heading: &str) {
    let at = |run: &Run, size: f64| (run.size - size).abs() < 0.01;
    assert!(
        runs.iter().any(|r| r.text.trim() == heading
            && r.font.contains("NotoSerifSC-Bold")
            && at(r, 20.0)),
        "`{heading}` is not set in Noto Serif SC Bold at 20 pt"
    );
    let titles = runs
        .iter()
        .filter(|r| r.font.contains("NotoSerifSC") && at(r, 15.0))
        .count();
    assert!(
        titles > 10,
        "{titles} runs in Noto Serif SC at 15 pt: no titles"
    );
    let old: Vec<&str> = runs
        .iter()
        .filter(|r| r.font.contains("NotoSansSC") && (at(r, 18.0) || at(r, 14.0)))
        .map(|r| r.text.as_str())
        .collect();
    assert!(
        old.is_empty(),
        "still in the old heading face and sizes: {old:?}"
    );
}

#[test]
fn the_theme_restyles_the_headings_of_both_books() {
    let (_dir, paths) = project_copy();
    assert_restyled(&build_restyled(&paths), "作者索引");
    let (_dir, paths) = example_copy();
    assert_restyled(&build_restyled(&paths), "Author Index");
}
