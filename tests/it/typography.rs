//! Both books measured from their PDFs as a compositor would (issue 31): character
//! positions (MuPDF's structured text) and the text layer, over every page.

use std::path::Path;
use std::sync::OnceLock;

use confbook::markdown::Inline;
use confbook::output::build::{Builder, Paths};
use confbook::output::manifest::Manifest;

use crate::common::{EXAMPLE, Glyph, glyphs, lines_of_chars, page_texts, repo};

/// A book built once for this module: its PDF and manifest.
struct Built {
    _dir: tempfile::TempDir,
    paths: Paths,
    manifest: Manifest,
}

fn build(project: &Path) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::new(project, dir.path());
    let built = Builder::new(paths.clone(), false).unwrap().build().unwrap();
    Built {
        _dir: dir,
        paths,
        manifest: built.manifest,
    }
}

/// The pages the book's abstracts stand on: from the first record's first page to
/// the last record's last.
fn abstract_pages(book: &Built) -> std::ops::RangeInclusive<usize> {
    let records = &book.manifest.records;
    let first = records.iter().map(|r| r.first_page).min().unwrap();
    let last = records.iter().map(|r| r.last_page).max().unwrap();
    first..=last
}

fn shipped() -> &'static Built {
    static BOOK: OnceLock<Built> = OnceLock::new();
    BOOK.get_or_init(|| build(repo()))
}

fn example() -> &'static Built {
    static BOOK: OnceLock<Built> = OnceLock::new();
    BOOK.get_or_init(|| build(&repo().join(EXAMPLE)))
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn han_and_latin_never_touch() {
    let book = shipped();
    let mut touching = Vec::new();
    let mut boundaries = 0;
    for page in 1..=book.manifest.pages {
        for line in lines_of_chars(&book.paths.pdf(), page) {
            for pair in line.windows(2) {
                let ((a, _, a_end), (b, b_start, _)) = (pair[0], pair[1]);
                if (is_han(a) && b.is_ascii_alphanumeric())
                    || (a.is_ascii_alphanumeric() && is_han(b))
                {
                    boundaries += 1;
                    if b_start - a_end < 1.0 {
                        touching.push(format!("p.{page} {a}{b}"));
                    }
                }
            }
        }
    }
    assert!(boundaries > 1000, "{boundaries} Han–Latin boundaries");
    assert!(
        touching.is_empty(),
        "no gap at {} of {boundaries}: {touching:?}",
        touching.len()
    );
}

#[test]
fn english_text_has_typographic_quotes_and_minus_signs() {
    let book = example();
    for (i, text) in page_texts(&book.paths.pdf()).iter().enumerate() {
        for (n, line) in text.lines().enumerate() {
            assert!(
                !line.contains(['"', '\'']),
                "p.{} line {}: a straight quote: {line}",
                i + 1,
                n + 1
            );
            let minus = line
                .split(' ')
                .any(|w| w.starts_with('-') && w[1..].starts_with(|c: char| c.is_ascii_digit()));
            assert!(
                !minus,
                "p.{} line {}: a hyphen for a minus: {line}",
                i + 1,
                n + 1
            );
        }
    }
}

#[test]
fn english_titles_are_not_hyphenated_and_expressions_not_broken() {
    let book = example();
    let pages = page_texts(&book.paths.pdf());
    for record in &book.manifest.records {
        let text = pages[record.first_page - 1..record.last_page].concat();
        // Lines of running text: a display formula's lines are short (`FE_P =`).
        for line in text.lines().filter(|l| l.split_whitespace().count() >= 4) {
            let line = line.trim_end();
            // A line ends inside an expression: at a relation, or a range's dash.
            assert!(
                !line.ends_with(['=', '<', '>', '≤', '≥']),
                "{}: a line ends `{line}`",
                record.id
            );
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [.., last] = words.as_slice() {
                assert!(
                    !(last.ends_with('–') && last.starts_with(|c: char| c.is_ascii_digit())),
                    "{}: a range broken at `{line}`",
                    record.id
                );
            }
        }
    }
    // Titles: the bookmarks hold them whole; the pages must too, without a hyphen
    // pdftotext would keep.
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let content = confbook::content::load(&book.paths.content).unwrap();
    for record in &book.manifest.records {
        let page = squash(&pages[record.first_page - 1]);
        let title = &content
            .records
            .iter()
            .find(|r| r.id == record.id)
            .unwrap()
            .title;
        // Sub/superscripts print as small letters: their letters, in the text layer.
        let runs = confbook::markdown::inlines(title).unwrap();
        let letters: String = runs
            .iter()
            .map(|r| match r {
                Inline::Sub(s) | Inline::Sup(s) => s.clone(),
                other => confbook::markdown::plain_runs(std::slice::from_ref(other)),
            })
            .collect();
        // Quotes print curly (typeset::punctuation).
        let plain = squash(&letters)
            .replace('\'', "’")
            .replacen('"', "“", 1)
            .replacen('"', "”", 1);
        assert!(
            page.contains(&plain),
            "{}: the title `{title}` is not whole on its page",
            record.id
        );
    }
}

#[test]
fn chinese_lines_never_break_a_code_at_its_hyphen() {
    // GB practice: PLC-γ1, FLS-KS, Lyz2-Cre stay whole, in titles and the contents too.
    let book = shipped();
    let mut broken = Vec::new();
    for (i, text) in page_texts(&book.paths.pdf()).iter().enumerate() {
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        for pair in lines.windows(2) {
            let (line, next) = (pair[0], pair[1].trim_start());
            let chinese = line.chars().any(is_han);
            let at_hyphen = line.ends_with('-')
                && line[..line.len() - 1].ends_with(|c: char| c.is_ascii_alphanumeric());
            if chinese && at_hyphen && next.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                broken.push(format!("p.{} `{line}` / `{next}`", i + 1));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "codes broken at their hyphen: {broken:?}"
    );
}

/// The characters (spaces included) of every full line of body text set at `size`
/// on the pages of `book`'s abstracts: lines at least nine tenths of the longest on
/// their page, so that a paragraph's last line does not count.
fn full_line_lengths(book: &Built, size: f64) -> Vec<usize> {
    let mut lengths = Vec::new();
    for page in abstract_pages(book) {
        let mut lines: Vec<Vec<Glyph>> = Vec::new();
        for g in glyphs(&book.paths.pdf(), page) {
            match lines.last_mut() {
                Some(line) if line[0].line == g.line => line.push(g),
                _ => lines.push(vec![g]),
            }
        }
        lines.retain(|l| l.iter().all(|g| (g.size - size).abs() < 0.01));
        let width = |l: &[Glyph]| l.last().unwrap().x1 - l[0].x0;
        let widest = lines.iter().map(|l| width(l)).fold(0.0, f64::max);
        lengths.extend(
            lines
                .iter()
                .filter(|l| width(l) > 0.9 * widest)
                .map(|l| l.len()),
        );
    }
    lengths.sort();
    lengths
}

/// English abstracts are set at a readable measure on every trim (issue 31: A4 had
/// 92–113 characters a line): 45–75 characters in one column, 40–50 in two
/// (Bringhurst 2.1.2), none over 90. A wide page takes two columns.
#[test]
fn english_lines_hold_a_readable_number_of_characters_on_every_trim() {
    for trim in ["A4", "185x260mm", "B5", "A5"] {
        let (dir, _) = crate::common::example_copy();
        let toml = dir.path().join("content/booklet.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(
            &toml,
            text.replace("trim = \"A4\"", &format!("trim = \"{trim}\"")),
        )
        .unwrap();
        let book = build(dir.path());
        let lengths = full_line_lengths(&book, 10.5);
        let median = lengths[lengths.len() / 2];
        let longest = *lengths.last().unwrap();
        assert!(lengths.len() > 300, "{trim}: {} full lines", lengths.len());
        assert!(
            (40..=75).contains(&median),
            "{trim}: median {median} characters"
        );
        assert!(longest <= 90, "{trim}: a line of {longest} characters");
    }
}

/// How far (pt) above the deepest body line of the book each page of abstracts ends
/// (its body text: 9.5 pt and larger, not the folio), leaving out the last page of
/// each section, which ends where its text does.
fn shortfalls(book: &Built) -> Vec<(usize, f64)> {
    let content = confbook::content::load(&book.paths.content).unwrap();
    let section_of = |id: &str| &content.records.iter().find(|r| r.id == id).unwrap().section;
    let records = &book.manifest.records;
    // A section's last page: where its last record (in book order) ends.
    let ends: Vec<usize> = records
        .windows(2)
        .filter(|w| section_of(&w[0].id) != section_of(&w[1].id))
        .map(|w| w[0].last_page)
        .chain(records.last().map(|r| r.last_page))
        .collect();
    let bottoms: Vec<(usize, f64)> = abstract_pages(book)
        .filter(|p| !ends.contains(p))
        .filter_map(|p| {
            let ys = glyphs(&book.paths.pdf(), p)
                .into_iter()
                .filter(|g| g.size >= 9.5);
            ys.map(|g| g.y).reduce(f64::max).map(|y| (p, y))
        })
        .collect();
    let deepest = bottoms.iter().map(|b| b.1).fold(0.0, f64::max);
    bottoms.into_iter().map(|(p, y)| (p, deepest - y)).collect()
}

/// Full pages end on the type area's last line, so facing pages align (issue 31: 22
/// of 60 pages ended four lines or more short): the space between abstracts takes
/// what a page leaves. Only a page the next abstract's head and first two lines
/// cannot fit under may end short, and that is rare.
#[test]
fn pages_of_abstracts_end_on_the_last_line() {
    for book in [shipped(), example()] {
        let pages = shortfalls(book);
        let line = 10.5 * 1.6;
        let short: Vec<_> = pages
            .iter()
            .filter(|(_, s)| *s > 4.0 * line - 1.0)
            .collect();
        assert!(pages.len() > 20, "{} pages", pages.len());
        assert!(
            short.len() * 10 <= pages.len(),
            "{} of {} pages end four lines short or more: {short:?}",
            short.len(),
            pages.len()
        );
    }
}

/// No line of the contents holds a single character of a title (孤字): a Han title's
/// last two characters stay together, though the presenter's name follows them on
/// the line (issue 31: five entries did, `…介│绍`).
#[test]
fn contents_lines_never_hold_one_character_alone() {
    let book = shipped();
    let first_record = *abstract_pages(book).start();
    let texts = page_texts(&book.paths.pdf());
    let squash = |t: &str| t.split_whitespace().collect::<String>();
    // From the contents' heading to the programme's (blank versos hold no line).
    let opens = |p: usize, title: &str| squash(&texts[p - 1]).starts_with(title);
    let first = (1..first_record).find(|&p| opens(p, "目录")).unwrap();
    let contents = (first..first_record).take_while(|&p| !opens(p, "日程"));
    let mut lone = Vec::new();
    let mut pages = 0;
    for page in contents {
        pages += 1;
        for line in lines_of_chars(&book.paths.pdf(), page) {
            let han: Vec<char> = line.iter().map(|c| c.0).filter(|&c| is_han(c)).collect();
            if han.len() == 1 && line.len() == 1 {
                lone.push(format!("p.{page} {}", han[0]));
            }
        }
    }
    assert!(pages >= 4, "{pages} contents pages");
    assert!(lone.is_empty(), "{lone:?}");
}

/// The index's pages: from the one its heading opens to the last before the notes.
fn index_pages(book: &Built, title: &str, notes: &str) -> Vec<usize> {
    let texts = page_texts(&book.paths.pdf());
    let squash = |t: &str| t.split_whitespace().collect::<String>();
    let first = texts
        .iter()
        .position(|t| squash(t).starts_with(title))
        .unwrap();
    let rest = texts[first..].iter().take_while(|t| {
        let t = squash(t);
        !t.is_empty() && !t.starts_with(notes) && !t.contains(&format!("{notes}{notes}"))
    });
    (first + 1..).take(rest.count()).collect()
}

/// The index's columns, each as its lines' (first character's left edge, baseline,
/// text), on one page.
fn index_columns(book: &Built, page: usize) -> Vec<Vec<(f64, f64, String)>> {
    let mut lines: Vec<(f64, f64, String)> = Vec::new();
    let mut last = None;
    for g in glyphs(&book.paths.pdf(), page) {
        // The running head and folio are 9 pt too: only lines inside the type area.
        if last == Some(g.line) {
            lines.last_mut().unwrap().2.push(g.c);
        } else if g.c != ' ' {
            lines.push((g.x0, g.y, g.c.to_string()));
            last = Some(g.line);
        }
    }
    let top = lines.iter().map(|l| l.1).fold(f64::MAX, f64::min);
    let bottom = lines.iter().map(|l| l.1).fold(0.0, f64::max);
    lines.retain(|l| l.1 > top + 1.0 && l.1 < bottom - 1.0);
    let mut starts: Vec<f64> = lines.iter().map(|l| l.0).collect();
    starts.sort_by(f64::total_cmp);
    let edges: Vec<f64> = starts
        .iter()
        .enumerate()
        .filter(|&(i, &x)| i == 0 || x - starts[i - 1] > 60.0)
        .map(|(_, &x)| x)
        .collect();
    let mut columns = vec![Vec::new(); edges.len()];
    for line in lines {
        let c = edges.iter().rposition(|&e| line.0 >= e - 1.0).unwrap();
        columns[c].push(line);
    }
    columns
}

/// The index's columns: one that opens inside a letter group repeats the letter,
/// continued; the last page's columns are balanced: their feet within four lines of
/// each other (entries are not split, and a letter goes with its first entry), where
/// they were filled one after the other (issue 31; nor had a continued group a
/// heading).
#[test]
fn index_columns_continue_their_letter_and_balance_on_the_last_page() {
    for (book, title, notes, continued) in [
        (shipped(), "作者索引", "笔记", "（续）"),
        (example(), "AuthorIndex", "Notes", " (continued)"),
    ] {
        let pages = index_pages(book, title, notes);
        assert!(!pages.is_empty(), "{title}");
        let mut opened = 0;
        for &page in &pages {
            for column in index_columns(book, page) {
                let first = &column[0].2;
                let letter = first.chars().count() == 1 || first.ends_with(continued);
                opened += usize::from(first.ends_with(continued));
                assert!(letter, "p.{page}: a column opens with `{first}`");
            }
        }
        assert!(opened > 0, "{title}: no group goes on in a new column");
        let last = index_columns(book, *pages.last().unwrap());
        let feet: Vec<f64> = last.iter().map(|c| c.last().unwrap().1).collect();
        let spread = feet.iter().fold(0.0, |a: f64, &b| a.max(b))
            - feet.iter().fold(f64::MAX, |a, &b| a.min(b));
        assert!(
            last.len() == 3 && spread <= 4.0 * 9.0 * 1.5,
            "{title}: feet {feet:?}"
        );
    }
}

/// In Chinese text a relation sign (< > ≤ ≥) takes the Chinese face's full-height
/// form, not Libertinus's small, low one (issue 31: `年≥2`); a hyphen between a Han
/// character and a number is printed as the minus it is (`T值平均值−3.98`).
#[test]
fn signs_in_chinese_lines_are_the_chinese_face_s_and_minus_signs() {
    let book = shipped();
    let first = *abstract_pages(book).start();
    let last = book.manifest.pages;
    let mut signs = 0;
    for page in first..=last {
        let glyphs = glyphs(&book.paths.pdf(), page);
        for w in glyphs.windows(3) {
            let hyphen = is_han(w[0].c) && w[1].c == '-' && w[2].c.is_ascii_digit();
            assert!(!hyphen, "p.{page}: {}{}{}", w[0].c, w[1].c, w[2].c);
        }
        for g in glyphs.iter().filter(|g| "<>≤≥".contains(g.c)) {
            let han_line = glyphs.iter().any(|o| o.line == g.line && is_han(o.c));
            if han_line {
                signs += 1;
                assert!(
                    !g.font.contains("Libertinus"),
                    "p.{page}: `{}` in {}",
                    g.c,
                    g.font
                );
            }
        }
    }
    assert!(signs > 10, "{signs} relation signs in Chinese lines");
}

/// A body line of a page, as its column sees it: left and right edges, baseline.
struct BodyLine {
    x0: f64,
    x1: f64,
    y: f64,
}

/// The lines of body text (10.5 pt) on a page, a visual line once (MuPDF may split
/// one at a raised script), by column: starting left of the page's middle, or right.
fn body_lines(pdf: &Path, page: usize) -> [Vec<BodyLine>; 2] {
    let glyphs = glyphs(pdf, page);
    let body: Vec<&Glyph> = glyphs
        .iter()
        .filter(|g| g.c != ' ' && (g.size - 10.5).abs() < 0.01)
        .collect();
    let left = body.iter().map(|g| g.x0).fold(f64::MAX, f64::min);
    let right = body.iter().map(|g| g.x1).fold(0.0, f64::max);
    let mut lines: Vec<(usize, BodyLine)> = Vec::new();
    for g in body {
        match lines.iter_mut().find(|(n, _)| *n == g.line) {
            Some((_, line)) => line.x1 = line.x1.max(g.x1),
            None => lines.push((
                g.line,
                BodyLine {
                    x0: g.x0,
                    x1: g.x1,
                    y: g.y,
                },
            )),
        }
    }
    let mut columns: [Vec<BodyLine>; 2] = [Vec::new(), Vec::new()];
    for (_, l) in lines {
        let column = &mut columns[usize::from(l.x0 > (left + right) / 2.0)];
        match column.iter_mut().find(|o| (o.y - l.y).abs() < 1.0) {
            Some(o) => (o.x0, o.x1) = (o.x0.min(l.x0), o.x1.max(l.x1)),
            None => column.push(l),
        }
    }
    for column in &mut columns {
        column.sort_by(|a, b| a.y.total_cmp(&b.y));
    }
    columns
}

/// Every line of body text after a full (justified) line stands one pitch below it,
/// 1.6 × 10.5 pt, on every page of both books: nothing in a line (a superscript, a
/// formula, a kept span) pushes the next one down (issue 31: 20.5 pt under
/// `H19^fl/fl^`). Ragged lines (headings, names, table rows) are not followed.
#[test]
fn body_lines_keep_one_pitch_on_every_page() {
    let pitch = 10.5 * 1.6;
    for book in [shipped(), example()] {
        let mut pairs = 0;
        let mut apart = Vec::new();
        for page in abstract_pages(book) {
            for column in body_lines(&book.paths.pdf(), page) {
                // The column's right edge: where most lines end (a line ending
                // on hanging punctuation ends a little beyond it).
                let ends: Vec<i64> = column.iter().map(|l| (l.x1 * 2.0).round() as i64).collect();
                let mode = ends
                    .iter()
                    .max_by_key(|e| ends.iter().filter(|o| o == e).count());
                let edge = mode.map_or(0.0, |&e| e as f64 / 2.0);
                for pair in column.windows(2) {
                    let (a, b) = (&pair[0], &pair[1]);
                    let gap = b.y - a.y;
                    if a.x1 < edge - 1.0 || a.x0 > b.x0 + 30.0 || gap > 1.5 * pitch {
                        continue;
                    }
                    pairs += 1;
                    if (gap - pitch).abs() > 0.5 {
                        apart.push(format!("p.{page} y {:.1}: {gap:.1} pt", a.y));
                    }
                }
            }
        }
        assert!(pairs > 500, "{pairs} pairs of lines");
        assert!(apart.is_empty(), "{} of {pairs}: {apart:?}", apart.len());
    }
}
