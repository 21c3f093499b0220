//! Abstracts as scientists write them, read back from the PDF: emphasis in the Latin
//! italic and in 楷体, a three-line table under its caption, a figure, a formula, and
//! the text layer; an HTML cell imports as the same abstract written in Markdown.
//! The Chinese record is a fixture written here, not the shipped seed's.

use std::fs;
use std::path::Path;

use confbook::output::build::Builder;

use crate::common::{
    confbook_in, example_copy, lines_of_chars, mutool_draw, page_texts, project_copy, text,
};

/// A Chinese record using the subset: emphasis on Han and Latin, strong text, a
/// 三线表 with its caption, a formula, a list.
const FIXTURE: &str = r#"+++
id = "S-900"
section = "special"
title = "*COL1A1*基因多态性与骨密度"
speakers = ["林晓"]
affiliations = ["示例医学院"]
+++

目的：探讨*骨密度*与*COL1A1*基因多态性的关系，**重点**观察绝经后女性。

表：两组骨密度比较

| 组别 | 例数 | 骨密度（g/cm^2^） |
|:--|--:|--:|
| 病例组 | 120 | 0.812 |
| 对照组 | 118 | 0.874 |

结果：两组差异有统计学意义（*P* < 0.05），效应量 $\beta = 0.31$。

- 病例组骨密度较低；
- 对照组未见骨折。
"#;

/// (font name, character) for every character of a page.
fn glyphs(pdf: &Path, page: usize) -> Vec<(String, char)> {
    crate::common::glyphs(pdf, page)
        .into_iter()
        .map(|g| (g.font, g.c))
        .collect()
}

/// The fonts the characters of `word` are set in, where the page holds it.
fn fonts_of(glyphs: &[(String, char)], word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let text: Vec<char> = glyphs.iter().map(|(_, c)| *c).collect();
    let at = text
        .windows(chars.len())
        .position(|w| w == chars.as_slice())
        .unwrap_or_else(|| panic!("`{word}` is not on the page"));
    glyphs[at..at + chars.len()]
        .iter()
        .map(|(f, _)| f.clone())
        .collect()
}

/// Where (y from the top) the first character of `word` stands on a page.
fn text_y(pdf: &Path, page: usize, word: &str) -> f64 {
    let first = word.chars().next().unwrap();
    let glyphs = crate::common::glyphs(pdf, page);
    glyphs
        .iter()
        .find(|g| g.c == first)
        .expect("the word is on the page")
        .y
}

/// The horizontal strokes of one page: (x, y, length), from `mutool draw -F trace`.
fn rules(pdf: &Path, page: usize) -> Vec<(f64, f64, f64)> {
    let xml = mutool_draw(pdf, page, "trace");
    let number = |s: &str, key: &str| -> Option<f64> {
        s.split(&format!("{key}=\""))
            .nth(1)?
            .split('"')
            .next()?
            .parse()
            .ok()
    };
    xml.split("<stroke_path")
        .skip(1)
        .filter_map(|path| {
            let transform = path.split("transform=\"").nth(1)?.split('"').next()?;
            let t: Vec<f64> = transform
                .split(' ')
                .filter_map(|n| n.parse().ok())
                .collect();
            let to = path.split("<lineto").nth(1)?;
            let (dx, dy) = (number(to, "x")?, number(to, "y")?);
            (dy.abs() < 0.01 && dx > 0.0).then(|| (t[4], t[5], dx))
        })
        .collect()
}

#[test]
fn a_chinese_record_sets_emphasis_tables_and_formulas_as_typography_says() {
    let (_dir, paths) = project_copy();
    fs::write(paths.content.join("abstracts/S-900.md"), FIXTURE).unwrap();
    let built = Builder::new(paths.clone(), false).unwrap().build().unwrap();
    let record = built
        .manifest
        .records
        .iter()
        .find(|r| r.id == "S-900")
        .unwrap();
    let page = record.first_page;
    let pdf = paths.pdf();
    let glyphs = glyphs(&pdf, page);
    // Han emphasis in 楷体, never a slanted Han face; Latin emphasis in the italic.
    assert!(
        fonts_of(&glyphs, "骨密度与")
            .iter()
            .take(3)
            .all(|f| f.contains("WenKai")),
        "{:?}",
        fonts_of(&glyphs, "骨密度与")
    );
    assert!(
        fonts_of(&glyphs, "COL1A1")
            .iter()
            .all(|f| f.contains("Ital"))
    );
    assert!(
        fonts_of(&glyphs, "重点")
            .iter()
            .all(|f| f.contains("NotoSansSC-Bold")),
        "{:?}",
        fonts_of(&glyphs, "重点")
    );
    assert!(fonts_of(&glyphs, "P").iter().all(|f| f.contains("Ital")));
    // The formula's glyphs come from the math face.
    assert!(
        glyphs.iter().any(|(f, _)| f.contains("LibertinusMath")),
        "no math glyph"
    );
    // The table: exactly three rules of one length (top, under the header, bottom),
    // numbered 表 1, its caption above the first.
    let texts = page_texts(&pdf);
    let text = &texts[page - 1];
    assert!(text.contains("表 1") || text.contains("表1"), "{text}");
    // (A rule's stroke caps lengthen it by its width: the 0.8 pt rules are 0.4 pt
    // longer than the 0.4 pt one.)
    let all = rules(&pdf, page);
    let widest = all.iter().map(|r| r.2).fold(0.0, f64::max);
    let table: Vec<_> = all.iter().filter(|r| widest - r.2 < 1.0).collect();
    assert_eq!(table.len(), 3, "three rules across the table: {all:?}");
    let caption_y = text_y(&pdf, page, "两组骨密度比较");
    let top = table.iter().map(|r| r.1).fold(f64::MAX, f64::min);
    assert!(
        caption_y < top,
        "the caption ({caption_y}) stands above the table ({top})"
    );
    // The text layer reads as written.
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains("P<0.05"), "{text}");
}

#[test]
fn an_html_cell_imports_as_the_same_abstract_written_in_markdown() {
    let (dir, paths) = example_copy();
    let csv = "id,section,title,authors,affiliations,abstract\n\
        P-90,poster,The <i>Sost</i> gene,*Ann Berg [1],Uni,\"<p>Background: In <i>Sost</i> mice (<i>n</i> = 12) CO<sub>2</sub> rose.</p><ul><li>one</li><li>two</li></ul><p>Table: Counts</p><table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table><p>$\\beta$ &amp; 5 &lt; 6</p>\"\n";
    let file = dir.path().join("cells.csv");
    fs::write(&file, csv).unwrap();
    let out = confbook_in(dir.path(), &["import", &file.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = fs::read_to_string(paths.content.join("abstracts/P-90.md")).unwrap();
    let body = written.split("+++").nth(2).unwrap().trim();
    assert_eq!(
        body,
        "Background: In *Sost* mice (*n* = 12) CO~2~ rose.\n\n- one\n- two\n\nTable: Counts\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n$\\beta$ & 5 < 6"
    );
    assert!(written.contains("title = \"The *Sost* gene\""), "{written}");
    // And it builds: the record's page holds its text as written.
    let built = Builder::new(paths.clone(), false).unwrap().build().unwrap();
    let record = built
        .manifest
        .records
        .iter()
        .find(|r| r.id == "P-90")
        .unwrap();
    let pages = page_texts(&paths.pdf());
    let page: String = pages[record.first_page - 1..record.last_page]
        .concat()
        .split_whitespace()
        .collect();
    assert!(
        page.contains("InSostmice(n=12)") && page.contains("&5<6"),
        "{page}"
    );
}

/// The baselines (y) of the lines of characters set at `size` on a page, top to
/// bottom.
fn baselines(pdf: &Path, page: usize, size: f64) -> Vec<f64> {
    let mut ys: Vec<f64> = Vec::new();
    for g in crate::common::glyphs(pdf, page) {
        if (g.size - size).abs() < 0.01 && !ys.iter().any(|&o| (o - g.y).abs() < 0.5) {
            ys.push(g.y);
        }
    }
    ys.sort_by(f64::total_cmp);
    // A script's characters stand a little above their line's: not a line of their own.
    let lines: Vec<f64> = ys
        .iter()
        .copied()
        .filter(|&y| !ys.iter().any(|&o| o > y && o - y < 5.0))
        .collect();
    lines
}

#[test]
fn a_line_with_superscripts_keeps_the_leading() {
    // S-038's text holds H19^fl/fl^ and H19^fl/+^ (boxed: they never break at the
    // slash); its lines stand 16.8 pt apart (10.5 pt type, 0.6 em leading).
    let (_dir, paths) = project_copy();
    let built = Builder::new(paths.clone(), false).unwrap().build().unwrap();
    let record = built
        .manifest
        .records
        .iter()
        .find(|r| r.id == "S-038")
        .unwrap();
    let mut checked = 0;
    for page in record.first_page..=record.last_page {
        let ys = baselines(&paths.pdf(), page, 10.5);
        for gap in ys.windows(2).map(|w| w[1] - w[0]).filter(|g| *g < 30.0) {
            assert!(
                (gap - 16.8).abs() < 0.2,
                "page {page}: lines {gap:.1} pt apart"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} line gaps");
}

#[test]
fn han_and_latin_stand_a_quarter_em_apart_at_the_edges_of_kept_spans() {
    // A single Han character between two spans kept whole (a compound, a number and
    // its unit): the gap on both sides, as Typst makes it between plain runs.
    let record = "+++\nid = \"S-901\"\nsection = \"special\"\ntitle = \"间隙\"\nspeakers = [\"林晓\"]\n+++\n\n\
        研究认为骨代谢的关键是IGF-1/IGFBP-3轴，2016年AACE指南与2020年ACE共识均提及16例AFF患者。\n";
    let (_dir, paths) = project_copy();
    fs::write(paths.content.join("abstracts/S-901.md"), record).unwrap();
    let built = Builder::new(paths.clone(), false).unwrap().build().unwrap();
    let page = built
        .manifest
        .records
        .iter()
        .find(|r| r.id == "S-901")
        .unwrap()
        .first_page;
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let latin = |c: char| c.is_ascii_alphanumeric();
    let mut boundaries = 0;
    for line in lines_of_chars(&paths.pdf(), page) {
        for pair in line.windows(2) {
            let ((a, _, a_end), (b, b_start, _)) = (pair[0], pair[1]);
            if (han(a) && latin(b)) || (latin(a) && han(b)) {
                boundaries += 1;
                // A justified line may shrink the quarter em a little, never to nothing.
                let gap = b_start - a_end;
                assert!(gap > 1.0, "{gap:.1} pt between {a} and {b} on page {page}");
            }
        }
    }
    assert!(boundaries >= 8, "{boundaries} boundaries");
}

#[test]
fn a_figure_stands_in_its_record_with_its_caption_and_a_missing_one_is_refused() {
    let (_dir, paths) = example_copy();
    let mut builder = Builder::new(paths.clone(), false).unwrap();
    let built = builder.build().unwrap();
    let o05 = built
        .manifest
        .records
        .iter()
        .find(|r| r.id == "O-05")
        .unwrap();
    let pdf = paths.pdf();
    // The graphical abstract is an image on one of O-05's pages, its caption there.
    let with_image: Vec<usize> = (o05.first_page..=o05.last_page)
        .filter(|p| {
            let list = crate::common::poppler(
                "pdfimages",
                &[
                    "-list",
                    "-f",
                    &p.to_string(),
                    "-l",
                    &p.to_string(),
                    &pdf.to_string_lossy(),
                ],
            );
            list.lines().count() > 2
        })
        .collect();
    assert_eq!(
        with_image.len(),
        1,
        "O-05's pages {}–{}",
        o05.first_page,
        o05.last_page
    );
    let page = &page_texts(&pdf)[with_image[0] - 1];
    assert!(
        page.contains("Figure 1") && page.contains("Cortical thickness after unloading"),
        "{page}"
    );
    // Its file gone, the build names the record and keeps the previous PDF.
    let before = fs::read(&pdf).unwrap();
    fs::remove_file(paths.content.join("figures/O-05-1.png")).unwrap();
    let err = builder.build().unwrap_err().to_string();
    assert!(
        err.contains("O-05") && err.contains("figures/O-05-1.png is not a file"),
        "{err}"
    );
    assert_eq!(fs::read(&pdf).unwrap(), before);
}
