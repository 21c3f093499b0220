//! The whole book: parts in booklet.toml's order, own pages, inserted artwork and notes
//! pages, read back from the written PDF (the example project uses them all).

use std::fs;
use std::path::Path;
use std::process::Command;

use confbook::output::build::Builder;

use crate::common::{example_copy, page_texts, poppler, project_copy};

/// Appends a `[[part]]` with `fields` to booklet.toml; the line it starts on.
fn add_part(content: &Path, fields: &str) -> usize {
    let booklet = content.join("booklet.toml");
    let text = fs::read_to_string(&booklet).unwrap();
    fs::write(&booklet, format!("{text}\n[[part]]\n{fields}\n")).unwrap();
    text.lines().count() + 2
}

/// The top-level bookmarks: (title, physical page).
fn bookmarks(pdf: &Path) -> Vec<(String, usize)> {
    let out = Command::new("mutool")
        .args(["show", &pdf.to_string_lossy(), "outline"])
        .output()
        .expect("mutool runs (apt-get install mupdf-tools)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .filter(|l| !l.starts_with("|\t\t") && !l.starts_with("+\t\t"))
        .filter_map(|l| {
            let mut fields = l.split('\t').skip(1);
            let title = fields.next()?.trim_matches('"').to_string();
            let page = fields
                .next()?
                .strip_prefix("#page=")?
                .split('&')
                .next()?
                .parse()
                .ok()?;
            Some((title, page))
        })
        .collect()
}

/// The colour (r, g, b) of physical page `page` a sixth of the way in from its top
/// left corner.
fn corner_colour(pdf: &Path, page: usize) -> (u8, u8, u8) {
    let n = page.to_string();
    let out = Command::new("pdftoppm")
        .args(["-r", "10", "-f", &n, "-l", &n, &pdf.to_string_lossy()])
        .output()
        .expect("pdftoppm runs");
    // A binary PPM: "P6\n<w> <h>\n255\n" then RGB bytes.
    let bytes = out.stdout;
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let end = at
            + bytes[at..]
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap();
        fields.push(String::from_utf8_lossy(&bytes[at..end]).into_owned());
        at = end + 1;
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let i = at + ((h / 6) * w + w / 6) * 3;
    (bytes[i], bytes[i + 1], bytes[i + 2])
}

#[test]
fn the_example_prints_its_parts_in_order_with_contents_and_bookmarks() {
    let (_dir, paths) = example_copy();
    let built = Builder::new(paths.clone(), false).unwrap().build().unwrap();
    let pdf = paths.pdf();
    let pages = page_texts(&pdf);
    let marks = bookmarks(&pdf);
    let titles: Vec<&str> = marks.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Welcome",
            "Contents",
            "Committees",
            "Venue",
            "Programme",
            "Day 1 at a glance",
            "Nordbone Diagnostics",
            "Keynote Lectures",
            "Oral Presentations",
            "Posters",
            "Author Index",
            "Notes"
        ]
    );
    // Each own page's bookmark leads to the page that carries its title.
    for (title, page) in &marks {
        if ["Welcome", "Committees", "Venue"].contains(&title.as_str()) {
            assert!(
                pages[page - 1].contains(title.as_str()),
                "{title} on page {page}"
            );
        }
    }
    // The contents list the own pages with the printed number of their page: the
    // front matter counts from the page after the cover (i).
    let contents = &pages[marks[1].1 - 1];
    let roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"];
    for title in ["Welcome", "Committees", "Venue"] {
        let page = marks.iter().find(|(t, _)| t == title).unwrap().1;
        let entry = contents
            .lines()
            .find(|l| l.starts_with(title))
            .unwrap_or_else(|| panic!("{title} not in the contents: {contents}"));
        assert!(
            entry.trim_end().ends_with(roman[page - 2]),
            "{entry}: page {page}"
        );
    }
    // The Typst page reads the book's data: day 1's sessions, from the timetable.
    let glance = &pages[marks[5].1 - 1];
    assert!(
        glance.contains("Poster Session") && glance.contains("13:00–14:00"),
        "{glance}"
    );
    // The advertisement is its artwork, full page: no text, no folio, its blue.
    let ad = marks
        .iter()
        .find(|(t, _)| t == "Nordbone Diagnostics")
        .unwrap()
        .1;
    assert_eq!(
        pages[ad - 1].trim(),
        "",
        "the insert page holds only its artwork"
    );
    let (r, g, b) = corner_colour(&pdf, ad);
    assert!(
        b > 100 && r < 60,
        "the artwork's blue near the corner: {r},{g},{b}"
    );
    // The designed cover: its front is the first page, its back the last, both
    // artwork over the bleed (the front's beige, the back's navy).
    assert_eq!(pages[0].trim(), "", "the front cover is artwork");
    let last = built.manifest.pages;
    assert_eq!(pages[last - 1].trim(), "", "the back cover is artwork");
    let (r, g, b) = corner_colour(&pdf, 1);
    assert!(
        r > 200 && g > 200 && b > 180,
        "the front's beige: {r},{g},{b}"
    );
    let (r, _, b) = corner_colour(&pdf, last);
    assert!(b > 60 && r < 50, "the back's navy: {r},{b}");
    // Notes fill the book to its binding's multiple, at least the two asked for.
    let notes = marks.last().unwrap().1;
    assert_eq!(
        built.manifest.pages % 4,
        0,
        "perfect binding pads to a multiple of 4"
    );
    assert!(
        built.manifest.pages - notes >= 2,
        "{} pages, notes from {notes}",
        built.manifest.pages
    );
}

#[test]
fn a_low_resolution_advertisement_is_refused_with_its_ppi_and_the_booklet_line() {
    let (_dir, paths) = example_copy();
    let mut builder = Builder::new(paths.clone(), false).unwrap();
    builder.build().unwrap();
    let before = fs::read(paths.pdf()).unwrap();
    // A4 with bleed is 216 × 303 mm: 1240 × 1754 pixels are about 146 ppi there.
    let jpeg = paths.content.join("inserts/ad-b.jpg");
    image::RgbImage::from_pixel(1240, 1754, image::Rgb([200, 30, 30]))
        .save(&jpeg)
        .unwrap();
    let line = add_part(&paths.content, "insert = \"inserts/ad-b.jpg\"");
    let err = builder.build().unwrap_err().to_string();
    assert!(err.contains(&format!("booklet.toml:{line}")), "{err}");
    assert!(err.contains("inserts/ad-b.jpg: 146 ppi"), "{err}");
    assert_eq!(
        fs::read(paths.pdf()).unwrap(),
        before,
        "the previous PDF stays"
    );
    // At 300 ppi it goes in, as a page of its own.
    image::RgbImage::from_pixel(2552, 3579, image::Rgb([200, 30, 30]))
        .save(&jpeg)
        .unwrap();
    let built = builder.build().unwrap();
    assert!(built.manifest.pages > 0);
}

#[test]
fn a_missing_insert_is_refused_at_its_part() {
    let (_dir, paths) = example_copy();
    let booklet = paths.content.join("booklet.toml");
    let text = fs::read_to_string(&booklet).unwrap();
    fs::write(
        &booklet,
        text.replace("sponsor-nordbone.pdf", "missing.pdf"),
    )
    .unwrap();
    let err = Builder::new(paths.clone(), false)
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
    let line = text
        .lines()
        .position(|l| l.contains("sponsor-nordbone.pdf"))
        .unwrap();
    // The part's table starts on the line above its `insert`.
    assert!(err.contains(&format!("booklet.toml:{line}")), "{err}");
    assert!(err.contains("inserts/missing.pdf: no such file"), "{err}");
    assert!(!paths.pdf().exists());
}

#[test]
fn markdown_pages_print_typst_and_markdown_syntax_they_do_not_use_as_text() {
    let (_dir, paths) = project_copy();
    // The shipped book's 会议须知 (pages/information.md), rewritten.
    let file = paths.content.join("pages/information.md");
    let page = "+++\ntitle = \"会议须知\"\n+++\n\n报到时间：#read(\"/etc/passwd\") 与 $x 以及 <b>加粗</b> @ref\n";
    fs::write(&file, page).unwrap();
    // `$x` without its closing `$` is refused: it would be a formula.
    let err = Builder::new(paths.clone(), false)
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("pages/information.md:5") && err.contains("`$` is never closed"),
        "{err}"
    );
    fs::write(&file, page.replace("$x", "\\$x")).unwrap();
    Builder::new(paths.clone(), false).unwrap().build().unwrap();
    let pages = page_texts(&paths.pdf());
    let info = pages
        .iter()
        .find(|p| p.contains("会议须知"))
        .expect("the page is printed")
        // Straight quotes print curly (typeset::punctuation).
        .replace(['“', '”'], "\"");
    for literal in ["#read(\"/etc/passwd\")", "$x", "<b>加粗</b>", "@ref"] {
        assert!(
            info.contains(literal),
            "{literal} not printed as text: {info}"
        );
    }
    assert!(!info.contains("root:"), "a file was read");
    // Its fonts are the book's: no other face is in the PDF.
    let fonts = poppler("pdffonts", &[&paths.pdf().to_string_lossy()]);
    assert!(!fonts.contains("DejaVu"), "{fonts}");
}

#[test]
fn a_session_handout_ends_with_the_pages_it_names() {
    let (dir, paths) = example_copy();
    let out = crate::common::confbook_in(dir.path(), &["handouts"]);
    assert!(out.status.success(), "{}", crate::common::text(&out.stderr));
    let posters = paths.out.join("handouts/posters.pdf");
    let pages = page_texts(&posters);
    let last = pages.last().unwrap();
    assert!(last.contains("Venue") && last.contains("Wi-Fi"), "{last}");
    // Another session's handout has no such page.
    let oral = page_texts(&paths.out.join("handouts/oral-1a.pdf"));
    assert!(!oral.iter().any(|p| p.contains("Wi-Fi")));
    // A page the session names that is not there is refused at its session.
    let program = paths.content.join("program.toml");
    let text = fs::read_to_string(&program).unwrap();
    fs::write(&program, text.replace("pages/venue.md", "pages/missing.md")).unwrap();
    let out = crate::common::confbook_in(dir.path(), &["handouts"]);
    let err = crate::common::text(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("program.toml")
            && err.contains("posters")
            && err.contains("pages/missing.md"),
        "{err}"
    );
}

#[test]
fn the_change_report_names_an_edited_page_and_a_replaced_insert() {
    let (_dir, paths) = example_copy();
    let mut builder = Builder::new(paths.clone(), false).unwrap();
    let before = builder.build().unwrap().manifest;
    let page_of = |path: &str| {
        before
            .files
            .iter()
            .find(|f| f.path == path)
            .unwrap()
            .first_page
    };
    let ad_page = page_of("inserts/sponsor-nordbone.pdf");
    let welcome = paths.content.join("pages/welcome.md");
    let text = fs::read_to_string(&welcome).unwrap();
    fs::write(&welcome, text.replace("Dear colleagues", "Dear friends")).unwrap();
    let ad = paths.content.join("inserts/sponsor-nordbone.pdf");
    let cover = fs::read(paths.content.join("cover/back.pdf")).unwrap();
    fs::write(&ad, cover).unwrap();
    let changes = builder.build().unwrap().changes;
    let named: Vec<(&str, usize)> = changes
        .files_changed
        .iter()
        .map(|f| (f.path.as_str(), f.first_page))
        .collect();
    assert_eq!(
        named,
        [
            ("pages/welcome.md", page_of("pages/welcome.md")),
            ("inserts/sponsor-nordbone.pdf", ad_page)
        ]
    );
    assert!(changes.pages_differing.contains(&2) && changes.pages_differing.contains(&ad_page));
    assert!(
        changes
            .to_string()
            .contains("changed: pages/welcome.md (p.2)"),
        "{changes}"
    );
}

#[test]
fn a_project_without_parts_prints_todays_parts_in_todays_order() {
    let (_dir, paths) = project_copy();
    let booklet = paths.content.join("booklet.toml");
    let text = fs::read_to_string(&booklet).unwrap();
    // The shipped booklet.toml less its [cover] and [[part]] tables (they come last).
    let cut = text.find("# The generated cover").unwrap();
    let print = text.find("[print]").unwrap();
    let parts = text.find("# The book's parts in order").unwrap();
    fs::write(&booklet, format!("{}{}", &text[..cut], &text[print..parts])).unwrap();
    let with_parts = Builder::new(project_copy().1, false)
        .unwrap()
        .build()
        .unwrap()
        .manifest;
    let built = Builder::new(paths.clone(), false)
        .unwrap()
        .build()
        .unwrap()
        .manifest;
    let titles: Vec<String> = bookmarks(&paths.pdf())
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(
        titles,
        ["目　录", "大会报告", "专题报告", "病例讨论", "作者索引"]
    );
    // The abstracts print as in the book with parts, page for page.
    let first = |m: &confbook::output::manifest::Manifest| {
        m.records.iter().map(|r| r.first_page).min().unwrap()
    };
    let last = |m: &confbook::output::manifest::Manifest| {
        m.records.iter().map(|r| r.last_page).max().unwrap()
    };
    assert_eq!(
        built.page_hashes[first(&built) - 1..last(&built)],
        with_parts.page_hashes[first(&with_parts) - 1..last(&with_parts)]
    );
    assert_eq!(
        built.pages % 4,
        0,
        "perfect binding pads to a multiple of 4: {}",
        built.pages
    );
}

#[test]
fn check_warns_about_rgb_artwork_and_artwork_made_without_bleed() {
    let (dir, paths) = example_copy();
    // A4 at 300 ppi exactly: the trim's shape, not the trim with its bleed.
    image::RgbImage::from_pixel(2480, 3508, image::Rgb([200, 30, 30]))
        .save(paths.content.join("inserts/a4.png"))
        .unwrap();
    let line = add_part(&paths.content, "insert = \"inserts/a4.png\"");
    let out = crate::common::confbook_in(dir.path(), &["check"]);
    let err = crate::common::text(&[out.stdout, out.stderr].concat());
    assert!(err.contains("inserts/a4.png: an RGB image"), "{err}");
    assert!(
        err.contains("made without bleed, its edges are cut off by 3 mm"),
        "{err}"
    );
    assert!(err.contains(&format!("booklet.toml:{line}")), "{err}");
    // The error beside them: 2480 pixels over the 216 mm of trim and bleed are 292 ppi.
    let built = Builder::new(paths.clone(), false).unwrap().build();
    assert!(built.unwrap_err().to_string().contains("292 ppi"));
}
