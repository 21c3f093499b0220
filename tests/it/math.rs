//! Formulas: LaTeX between `$` in a record's text is set as Typst math, in Libertinus
//! Math (src/markdown/math.rs, layouts/lib/style.typ's `formula`); a formula it
//! refuses fails the build, naming the record file and paragraph.

use crate::common::{example_copy, page_texts, poppler};

use std::fs;

use confbook::output::build::{Builder, Paths};
use unicode_normalization::UnicodeNormalization;

/// The example's record K-1, with paragraphs added after its three.
fn with_paragraphs(paragraphs: &[&str]) -> (tempfile::TempDir, Paths, String) {
    let (dir, paths) = example_copy();
    let file = paths.content.join("abstracts/K-1.md");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("{text}\n{}\n", paragraphs.join("\n\n"))).unwrap();
    (dir, paths, file.display().to_string())
}

#[test]
fn formulas_are_set_in_the_math_face() {
    // A display formula within a paragraph, between its text.
    let (_dir, paths, _) = with_paragraphs(&[
        "Serum $\\beta$-CTX rose, $P < 0.05$, as predicted by\n$$E = mc^2$$\nwhere c is light's speed.",
    ]);
    let built = Builder::new(paths.clone(), false)
        .and_then(|mut b| b.build())
        .unwrap_or_else(|e| panic!("a build with formulas failed: {e}"));
    let k1 = built
        .manifest
        .records
        .iter()
        .find(|r| r.id == "K-1")
        .unwrap();
    let pages = page_texts(&paths.pdf());
    // Math letters are italic ones (U+1D6FD 𝛽, U+1D443 𝑃): NFKC folds them.
    let text: String = pages[k1.first_page - 1..k1.last_page]
        .concat()
        .nfkc()
        .collect();
    let part = "Serum β-CTX rose, P < 0.05, as predicted by\nE = mc2\nwhere c is light’s speed.";
    assert!(text.contains(part), "K-1's pages lack {part:?}:\n{text}");
    let fonts = poppler("pdffonts", &[&paths.pdf().to_string_lossy()]);
    assert!(
        fonts.contains("LibertinusMath-Regular"),
        "no Libertinus Math in the PDF:\n{fonts}"
    );
}

#[test]
fn a_refused_formula_names_record_file_and_paragraph() {
    let (_dir, paths, file) = with_paragraphs(&[r#"Then $\iftypst #read("/etc/passwd")\fi$."#]);
    let err = match Builder::new(paths.clone(), false).and_then(|mut b| b.build()) {
        Ok(_) => panic!("a build with `\\iftypst` in K-1 succeeded"),
        Err(e) => e,
    };
    let message = err.to_string();
    for part in [&file, "K-1", "paragraph 4", r"`\iftypst` is not allowed"] {
        assert!(
            message.contains(part),
            "error does not name {part:?}: {message}"
        );
    }
    assert!(!paths.pdf().exists(), "a PDF was written despite the error");
}
