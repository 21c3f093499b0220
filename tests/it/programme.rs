//! The timetable on the example project (examples/nsbmr-2027): `check` catches
//! scheduling mistakes, naming program.toml's line and the sessions involved.

use std::fs;

use crate::common::{Link, example_copy, holds, links, text, word_boxes, words};
use confbook::check::{Diagnostic, Severity};
use confbook::output::build::{Builder, CheckTypeset, Paths};

struct Example {
    dir: tempfile::TempDir,
    paths: Paths,
}

fn example() -> Example {
    let (dir, paths) = example_copy();
    Example { dir, paths }
}

impl Example {
    fn program(&self) -> String {
        fs::read_to_string(self.dir.path().join("content/program.toml")).unwrap()
    }

    fn edit_program(&self, from: &str, to: &str) {
        let text = self.program();
        assert!(text.contains(from), "program.toml has no `{from}`");
        fs::write(
            self.dir.path().join("content/program.toml"),
            text.replacen(from, to, 1),
        )
        .unwrap();
    }

    fn check(&self) -> Vec<Diagnostic> {
        let mut builder = Builder::new(self.paths.clone(), false).unwrap();
        builder.check(CheckTypeset::Sample).unwrap()
    }

    /// The one diagnostic whose message contains `part`.
    fn find(&self, part: &str) -> Diagnostic {
        let all = self.check();
        let found: Vec<&Diagnostic> = all.iter().filter(|d| d.message.contains(part)).collect();
        assert_eq!(
            found.len(),
            1,
            "one diagnostic with `{part}` in:\n{}",
            confbook::check::human(&all)
        );
        found[0].clone()
    }

    /// The 1-based line of program.toml where `needle` first stands.
    fn line_of(&self, needle: &str) -> usize {
        self.program()
            .lines()
            .position(|l| l.contains(needle))
            .unwrap()
            + 1
    }
}

#[test]
fn the_example_timetable_is_clean() {
    let e = example();
    let all = e.check();
    assert!(all.is_empty(), "{}", confbook::check::human(&all));
}

#[test]
fn two_sessions_in_one_room_at_once() {
    let e = example();
    // oral-1b moves into the Aula, where oral-1a is at the same time.
    e.edit_program("room = \"Room Birch\"", "room = \"Aula\"");
    let d = e.find("at the same time");
    assert_eq!(d.severity, Severity::Error);
    assert!(
        d.message.contains("`oral-1b` (10:30–11:30)")
            && d.message.contains("`oral-1a` (10:30–11:30, program.toml:"),
        "{d}"
    );
    assert!(d.path.ends_with("program.toml"));
    let birch = e
        .program()
        .lines()
        .position(|l| l.contains("id = \"oral-1b\""))
        .unwrap();
    let aula_line = e
        .program()
        .lines()
        .enumerate()
        .skip(birch)
        .find(|(_, l)| l.contains("room = \"Aula\""))
        .unwrap()
        .0
        + 1;
    assert_eq!(d.line, Some(aula_line), "points at oral-1b's room: {d}");
}

#[test]
fn a_chair_in_two_rooms_at_once() {
    let e = example();
    // Tomas Berg chairs oral-1a (Aula, 10:30–11:30); now also oral-1c in Room Cedar.
    e.edit_program("chairs = [\"Jens Kjærgaard\"]", "chairs = [\"Tomas Berg\"]");
    let d = e.find("two rooms at once");
    assert!(
        d.message.starts_with(
            "Tomas Berg is in two rooms at once: chair of `oral-1a` (Aula, 10:30–11:30"
        ),
        "{d}"
    );
    assert!(
        d.message
            .contains("chair of `oral-1c` (Room Cedar, 10:30–11:30)"),
        "{d}"
    );
    // It points at oral-1c's chairs, the second line naming him.
    let program = e.program();
    let mut naming = program
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("\"Tomas Berg\""));
    let second = naming.nth(1).unwrap().0 + 1;
    assert_eq!(d.line, Some(second), "{d}");
}

#[test]
fn a_presenter_chairing_elsewhere_during_their_talk() {
    let e = example();
    // O-06's presenter (Marta Dąbrowska, oral-1b, 10:45–11:00) chairs oral-1c meanwhile.
    e.edit_program(
        "chairs = [\"Jens Kjærgaard\"]",
        "chairs = [\"Marta Dąbrowska\"]",
    );
    let d = e.find("two rooms at once");
    assert!(
        d.message
            .contains("presenter of O-06 in `oral-1b` (Room Birch, 10:45–11:00"),
        "{d}"
    );
}

#[test]
fn a_talk_outside_its_session_and_an_unknown_talk() {
    let e = example();
    e.edit_program(
        "{ id = \"O-08\", start = \"11:15\", end = \"11:30\" }",
        "{ id = \"O-08\", start = \"11:25\", end = \"11:40\" }",
    );
    let d = e.find("not within the session's time");
    assert_eq!(
        d.message,
        "session `oral-1b`: talk O-08 (11:25–11:40) is not within the session's time (10:30–11:30)"
    );
    assert_eq!(d.line, Some(e.line_of("id = \"O-08\"")));
    assert_eq!(d.id.as_deref(), Some("O-08"));

    let e = example();
    e.edit_program("{ id = \"O-08\",", "{ id = \"O-99\",");
    let d = e.find("unknown id `O-99`");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.line, Some(e.line_of("O-99")));
    // O-08 is then in no session: a warning on its own file.
    let w = e.find("record O-08 is in no session");
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.path.ends_with("O-08.md"));
}

/// A poster session's boards: one given twice is an error at the poster that takes
/// it again, naming it, and so is a board in a session of talks.
#[test]
fn a_board_given_twice_or_in_a_session_of_talks_is_an_error_at_its_line() {
    let e = example();
    e.edit_program(
        "records = [\n  \"P-01\"",
        "talks = [{ id = \"K-2\", board = 3 }]\nrecords = [\n  \"P-01\"",
    );
    let d = e.find("board 3 is given twice");
    assert_eq!(d.message, "session `posters`: board 3 is given twice");
    assert_eq!(d.line, Some(e.line_of("board = 3")));
    assert_eq!((d.id.as_deref(), d.hint.as_deref()), (Some("K-2"), None));

    let e = example();
    e.edit_program("{ id = \"O-05\",", "{ id = \"O-05\", board = 1,");
    let d = e.find("has a `board`");
    assert_eq!(d.line, Some(e.line_of("board = 1")));
    let out = crate::common::confbook_in(e.dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

/// Lines are found from where the parser put each session, not by searching the text:
/// a comment after `[[session]]` (or a `[[session]]` inside one) moves nothing.
#[test]
fn a_session_header_with_a_comment_keeps_the_lines_right() {
    let e = example();
    let program = e.program();
    let commented = program.replace("[[session]]", "[[session]]  # see [[session]] below");
    fs::write(e.dir.path().join("content/program.toml"), commented).unwrap();
    e.edit_program("{ id = \"O-08\",", "{ id = \"O-99\",");
    let d = e.find("unknown id `O-99`");
    assert_eq!(d.line, Some(e.line_of("O-99")), "{d}");
    e.edit_program("room = \"Room Birch\"", "room = \"Aula\"");
    let d = e.find("at the same time");
    let header = e.line_of("id = \"oral-1a\"") - 1;
    assert!(
        d.message.contains(&format!("program.toml:{header})")),
        "{d}"
    );
}

#[test]
fn a_time_that_is_no_time() {
    let e = example();
    e.edit_program("start = \"10:30\"", "start = \"10.30\"");
    let d = e.find("is not a time");
    assert!(
        d.message.starts_with("`10.30` is not a time like 08:30"),
        "{d}"
    );
    assert_eq!(d.line, Some(e.line_of("10.30")));
    let out = crate::common::confbook_in(e.dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

/// The English example, with a programme part, settles from cold in the passes the
/// shipped book takes: nothing in its contents, programme or index changes size when
/// the page numbers become known (issue 14); only its notes pages wait a pass more.
#[test]
fn the_example_settles_in_three_passes() {
    let e = example();
    let built = confbook::output::build::Builder::new(e.paths.clone(), false)
        .and_then(|mut b| b.build())
        .unwrap();
    // Two to set the page numbers; a third, at most, settles its notes pages, which
    // fill the book to a multiple of 4 from the page count the second pass learns.
    assert!(built.passes <= 3, "{} passes", built.passes);
}

/// The example built and its handouts written, once: (project copy, page texts).
fn built() -> &'static (tempfile::TempDir, Vec<String>) {
    static BUILT: std::sync::OnceLock<(tempfile::TempDir, Vec<String>)> =
        std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let e = example();
        for command in ["build", "handouts"] {
            let out = crate::common::confbook_in(e.dir.path(), &[command]);
            assert!(out.status.success(), "{command}: {}", text(&out.stderr));
        }
        let pages = crate::common::page_texts(&e.paths.pdf());
        (e.dir, pages)
    })
}

/// Whitespace folded to single spaces: pdftotext breaks lines where the layout does.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn manifest(dir: &std::path::Path) -> confbook::output::manifest::Manifest {
    serde_json::from_slice(&fs::read(dir.join("out/booklet.json")).unwrap()).unwrap()
}

#[test]
fn the_programme_has_a_page_per_day_with_rooms_side_by_side_and_abstract_pages() {
    let (dir, pages) = built();
    // A day's pages: the one it opens on, and those that continue it.
    let day = |title: &str| {
        let continues = |p: &String| squash(p).contains(&format!("· {title}"));
        let first = day_opens(pages, title);
        let rest = pages[first + 1..].iter().take_while(|p| continues(p));
        squash(&pages[first]) + " " + &rest.map(|p| squash(p)).collect::<Vec<_>>().join(" ")
    };
    let thursday = day("Thursday 10 June 2027");
    assert!(
        thursday.starts_with("Programme") || thursday.contains("Programme Thursday"),
        "{thursday}"
    );
    assert!(
        thursday.contains("Aula Room Birch Room Cedar"),
        "room columns in order: {thursday}"
    );
    assert!(thursday.contains("Poster Session"), "{thursday}");
    let friday = day("Friday 11 June 2027");
    assert!(friday.contains("Closing Keynote"), "{friday}");
    // Each talk with its time, id and the page its abstract starts on.
    let m = manifest(dir.path());
    let label = |id: &str| {
        m.records
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .page_label
            .clone()
    };
    assert!(
        thursday.contains(&format!("O-06 {}", label("O-06"))),
        "{thursday}"
    );
    assert!(
        friday.contains(&format!("10:35 P-03 {}", label("P-03"))),
        "a poster's oral: {friday}"
    );
    assert!(
        thursday.contains("Chairs: Ragnhild Sæther, Henrik Dahlgren"),
        "{thursday}"
    );
}

/// The page (0-based) a programme day opens on: the one page with its title that
/// does not continue it (a continued page names the day in its running head).
fn day_opens(pages: &[String], title: &str) -> usize {
    let found: Vec<usize> = (0..pages.len())
        .filter(|&i| {
            let page = squash(&pages[i]);
            page.contains(title) && !page.contains(&format!("· {title}"))
        })
        .collect();
    assert_eq!(found.len(), 1, "one page opens `{title}`");
    found[0]
}

/// The programme is a timetable: talks that start together in parallel rooms stand
/// on one baseline, the row of their time, each in its room's column; a poster
/// session lists its posters by board, with no minutes made up for them.
#[test]
fn parallel_talks_that_start_together_share_the_row_of_their_time() {
    let (dir, pages) = built();
    let page = day_opens(pages, "Thursday 10 June 2027") + 1;
    let row = words(&dir.path().join("out/booklet.pdf"), page);
    let at = |word: &str| {
        let found = row.iter().find(|(w, ..)| w == word);
        let (_, x, y) = found.unwrap_or_else(|| panic!("`{word}` on page {page}"));
        (*x, *y)
    };
    // oral-1a divides its hour among O-01…O-04; oral-1b and oral-1c time theirs.
    let rows = [
        ("10:30", ["O-01", "O-05", "O-09"]),
        ("10:45", ["O-02", "O-06", "O-10"]),
        ("11:00", ["O-03", "O-07", "O-11"]),
        ("11:15", ["O-04", "O-08", "O-12"]),
    ];
    let columns: Vec<f64> = rows[0].1.iter().map(|id| at(id).0).collect();
    assert!(
        columns.is_sorted() && columns[0] > at("10:30").0,
        "{columns:?}"
    );
    for (time, ids) in rows {
        let (_, y) = at(time);
        for (id, column) in ids.iter().zip(&columns) {
            let (x, id_y) = at(id);
            assert!(
                (id_y - y).abs() <= 1.0,
                "{id} at y {id_y}, its time {time} at {y}"
            );
            assert!((x - column).abs() <= 1.0, "{id} in its room's column");
        }
    }
    // Posters: board 1 beside P-01, and no minute of the hour given to one poster.
    let posters = (page..pages.len())
        .find(|&p| pages[p].contains("P-01"))
        .unwrap()
        + 1;
    let board = words(&dir.path().join("out/booklet.pdf"), posters);
    let y = |word: &str| board.iter().find(|(w, ..)| w == word).map(|w| w.2);
    assert!((y("1").unwrap() - y("P-01").unwrap()).abs() <= 1.0);
    assert!(
        !pages
            .iter()
            .any(|p| p.contains("13:03") || p.contains("13:56"))
    );
}

/// A session that goes on to the next page repeats its heading there, under the
/// repeated room names, and the running head names its day.
#[test]
fn a_continued_session_repeats_its_heading_and_day() {
    let (dir, pages) = built();
    let continued: Vec<String> = pages
        .iter()
        .map(|p| squash(p))
        .filter(|p| p.starts_with("Programme · "))
        .collect();
    assert!(
        !continued.is_empty(),
        "the example's programme runs over pages"
    );
    let program = fs::read_to_string(dir.path().join("content/program.toml")).unwrap();
    let sessions: Vec<&str> = program
        .lines()
        .filter_map(|l| l.strip_prefix("title = \""))
        .map(|t| t.trim_end_matches('"'))
        .collect();
    for page in continued {
        let rest = page
            .split_once(" 2027 ")
            .map(|(_, r)| r)
            .unwrap_or_default();
        assert!(rest.starts_with("Aula Room Birch Room Cedar"), "{page}");
        let after_rooms = &rest["Aula Room Birch Room Cedar ".len()..];
        assert!(
            sessions.iter().any(|s| after_rooms.starts_with(&squash(s))),
            "a session's heading comes first: {page}"
        );
    }
}

/// A chair of two sessions that start on one page of the programme is listed in the
/// index with that page once (it was "chair viii, viii").
#[test]
fn a_chair_of_two_sessions_on_one_page_has_the_page_once_in_the_index() {
    let e = example();
    // Tomas Berg chairs oral-1a at 10:30; now also the opening keynote at 09:00.
    e.edit_program(
        "chairs = [\"Ragnhild Sæther\", \"Henrik Dahlgren\"]",
        "chairs = [\"Tomas Berg\"]",
    );
    Builder::new(e.paths.clone(), false)
        .unwrap()
        .build()
        .unwrap();
    let pages = crate::common::page_texts(&e.paths.pdf());
    let thursday = pages
        .iter()
        .position(|p| p.contains("Thursday 10 June 2027"))
        .unwrap();
    let index = squash(pages.iter().rfind(|p| p.contains("Berg, Tomas")).unwrap());
    let entry = index.split("Berg, Tomas").nth(1).unwrap();
    let chair = entry
        .split("chair ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let folio = squash(&pages[thursday])
        .split(' ')
        .next_back()
        .unwrap()
        .to_string();
    assert_eq!(chair, folio, "{entry}");
}

/// A talk without authors (an opening, a speaker announced later) imports, builds and
/// stands in the programme, with a warning.
#[test]
fn a_talk_without_authors_imports_builds_and_is_in_the_programme() {
    let e = example();
    let csv = e.dir.path().join("opening.csv");
    let row = "K-9,keynote,Opening of the symposium,,,,Welcome.";
    fs::write(
        &csv,
        format!("id,section,title,authors,affiliations,keywords,abstract\n{row}\n"),
    )
    .unwrap();
    let csv = csv.to_string_lossy();
    let out = crate::common::confbook_in(e.dir.path(), &["import", csv.as_ref()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let record = fs::read_to_string(e.dir.path().join("content/abstracts/K-9.md")).unwrap();
    assert!(
        !record.contains("speakers") && !record.contains("[[authors]]"),
        "{record}"
    );
    e.edit_program("{ id = \"O-08\",", "{ id = \"K-9\" },\n  { id = \"O-08\",");
    let warning = e.find("no authors");
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.id.as_deref(), Some("K-9"));
    let out = crate::common::confbook_in(e.dir.path(), &["build"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pages = crate::common::page_texts(&e.paths.pdf());
    // The programme's pages, not the contents: those that name the rooms.
    let programme: Vec<String> = pages
        .iter()
        .filter(|p| p.contains("Room Birch"))
        .map(|p| squash(p))
        .collect();
    let listed = |p: &String| p.contains(" K-9 ") && p.contains("Opening of the symposium");
    assert!(programme.iter().any(listed), "{programme:?}");
}

#[test]
fn the_manifest_lists_every_author_with_their_records_first_pages() {
    let (dir, _) = built();
    let manifest = manifest(dir.path());
    let content = confbook::content::load(&dir.path().join("content")).unwrap();
    for record in &content.records {
        let page = manifest.records.iter().find(|r| r.id == record.id).unwrap();
        for author in &record.authors {
            let listed = manifest.authors.iter().find(|a| a.name == author.name);
            let listed = listed.unwrap_or_else(|| panic!("{} not in the manifest", author.name));
            assert!(
                listed.pages.contains(&page.first_page),
                "{}: {:?} lacks page {} of {}",
                author.name,
                listed.pages,
                page.first_page,
                record.id
            );
        }
    }
    let non_presenting = content
        .records
        .iter()
        .flat_map(|r| &r.authors)
        .filter(|a| !a.presenting);
    assert!(
        non_presenting.count() > 0,
        "the example has authors who do not present"
    );
}

#[test]
fn the_index_lists_every_author_and_every_chair_surname_first() {
    let (dir, pages) = built();
    let start = pages
        .iter()
        .rposition(|p| p.contains("Author Index"))
        .unwrap();
    let index = squash(&pages[start..].join(" "));
    let content = confbook::content::load(&dir.path().join("content")).unwrap();
    let mut missing = Vec::new();
    for record in &content.records {
        for author in &record.authors {
            let (given, surname) = author.name.rsplit_once(' ').unwrap();
            // Apostrophes print curly (O’Connor).
            let entry = format!("{surname}, {given}").replace('\'', "’");
            if !index.contains(&entry) {
                missing.push(entry);
            }
        }
    }
    assert!(missing.is_empty(), "not in the index: {missing:?}");
    // Ragnhild Sæther only chairs: her entry points at the programme.
    assert!(index.contains("Sæther, Ragnhild chair"), "{index}");
    // Diacritics folded: Øystein Haugland files under H, between Hartley and Jansson.
    let (hartley, haugland) = (
        index.find("Hartley, Zoë").unwrap(),
        index.find("Haugland, Øystein").unwrap(),
    );
    assert!(hartley < haugland, "Hartley before Haugland");
}

#[test]
fn a_handout_has_the_sessions_time_room_and_chairs_and_its_talks_in_time_order() {
    let (dir, _) = built();
    let pdf = dir.path().join("out/handouts/oral-2b.pdf");
    let first = squash(&crate::common::page_texts(&pdf)[0]);
    assert!(
        first.contains("Imaging, Biomarkers and Biomaterials"),
        "{first}"
    );
    assert!(
        first.contains("Friday 11 June 2027 · 09:45–10:45 · Room Birch"),
        "{first}"
    );
    assert!(first.contains("Chairs: Katrin Müller"), "{first}");
    let order: Vec<usize> = ["09:45–09:57 O-17", "09:57–10:09 O-18", "10:35–10:43 P-03"]
        .iter()
        .map(|t| {
            first
                .find(t)
                .unwrap_or_else(|| panic!("no `{t}` in {first}"))
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "talks in time order: {first}"
    );
}

/// Each talk's page number in the programme is a link to its abstract's first page,
/// and a chair's page in the index a link to the page their session starts on.
#[test]
fn programme_and_chair_pages_link_to_the_pages_they_name() {
    let (dir, pages) = built();
    let pdf = dir.path().join("out/booklet.pdf");
    let doc = hayro_syntax::Pdf::new(fs::read(&pdf).unwrap()).unwrap();
    let m = manifest(dir.path());
    let record = |id: &str| m.records.iter().find(|r| r.id == id);
    // The link nearest to the right of a word, on its line.
    let link_after = |links: &[Link], word: &[f64; 4]| {
        let middle = (word[1] + word[3]) / 2.0;
        links
            .iter()
            .filter(|l| l.rect[0] >= word[2] && (l.rect[1]..=l.rect[3]).contains(&middle))
            .min_by(|a, b| a.rect[0].total_cmp(&b.rect[0]))
            .map(|l| (l.rect, l.to))
    };
    let mut talks = 0;
    for page in (1..=pages.len()).filter(|&p| pages[p - 1].contains("Room Birch")) {
        let (words, links) = (word_boxes(&pdf, page), links(&doc, page));
        for (word, rect) in &words {
            let Some(r) = record(word) else { continue };
            let (link, to) = link_after(&links, rect)
                .unwrap_or_else(|| panic!("page {page}: no link after {word}"));
            assert_eq!(to, r.first_page, "page {page}: the link after {word}");
            let shown = words.iter().filter(|(_, w)| holds(&link, w));
            assert_eq!(
                shown.map(|(w, _)| w.as_str()).collect::<Vec<_>>(),
                [r.page_label.as_str()],
                "page {page}: the number after {word}"
            );
            talks += 1;
        }
    }
    assert!(talks >= 30, "only {talks} talks with their pages");
    // Tomas Berg chairs oral-1a, "Fracture Risk and Epidemiology".
    let session = 1 + pages
        .iter()
        .position(|p| p.contains("Fracture Risk"))
        .unwrap();
    let index = 1 + pages
        .iter()
        .rposition(|p| p.contains("Berg, Tomas"))
        .unwrap();
    let words = word_boxes(&pdf, index);
    let from = words.iter().position(|(w, _)| w == "Berg,").unwrap();
    let chair = 1
        + from
        + words[from..]
            .iter()
            .position(|(w, _)| w == "chair")
            .unwrap();
    let (number, rect) = &words[chair];
    let link = links(&doc, index)
        .into_iter()
        .find(|l| holds(&l.rect, rect))
        .unwrap_or_else(|| panic!("the chair's page {number} is not a link"));
    assert_eq!(link.to, session, "the link over the chair's page {number}");
}
