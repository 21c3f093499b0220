//! `confbook new`: a project that builds with nothing copied by hand (the layouts and
//! fonts built in), one started from an exported table, a project's own layout file
//! overriding the built-in one of its path and nothing else, and the errors that lead
//! a user who is not in a project yet.

use std::fs;
use std::path::Path;
use std::process::Output;

use confbook::output::build::Paths;

use crate::common::{EXAMPLE, confbook, confbook_in, page_texts, poppler, repo, text};
use crate::theme::{Run, runs};

fn ok(out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// `confbook new DIR ARGS…` in a fresh temporary folder; the project is `DIR`.
fn new_project(args: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("book");
    let dir_arg = dir.to_string_lossy();
    let stderr = ok(&confbook(&[&["new", dir_arg.as_ref()], args].concat()));
    // It says what to run next.
    let cd = format!("cd {}", dir.display());
    assert!(
        stderr.contains(&cd) && stderr.contains("confbook build"),
        "{stderr}"
    );
    (tmp, dir)
}

fn build(dir: &Path) -> String {
    ok(&confbook_in(dir, &["build"]))
}

#[test]
fn a_new_project_builds_with_the_built_in_layouts_and_fonts() {
    for (lang, conference, id) in [
        ("en", "Example Conference 2027", "K-1"),
        ("zh", "第一届示例学术会议", "PL-01"),
    ] {
        let (_tmp, dir) = new_project(&["--lang", lang]);
        let booklet = fs::read_to_string(dir.join("content/booklet.toml")).unwrap();
        assert!(booklet.contains(&format!("lang = \"{lang}\"")), "{booklet}");
        assert!(dir.join(format!("content/abstracts/{id}.md")).is_file());
        assert!(!dir.join("layouts").exists() && !dir.join("fonts").exists());

        let stderr = build(&dir);
        assert!(
            stderr.contains("layouts: built-in; fonts: built-in"),
            "{stderr}"
        );
        let pdf = dir.join("out/booklet.pdf");
        poppler("pdfinfo", &[&pdf.to_string_lossy()]);
        let all = page_texts(&pdf).concat();
        assert!(all.contains(conference), "{lang}: {all}");
        assert!(all.contains(id), "{lang}: {id} not in the book");
        // Nothing changed: the stamp (which counts the binary for the built-in files)
        // says so without typesetting.
        assert!(build(&dir).contains("is up to date"));
    }
}

#[test]
fn a_project_from_the_examples_table_holds_its_records() {
    let csv = repo().join(EXAMPLE).join("abstracts.csv");
    let figures = repo().join(EXAMPLE).join("content/figures");
    let (_tmp, dir) = new_project(&[
        "--lang",
        "en",
        "--from",
        &csv.to_string_lossy(),
        "--figures",
        &figures.to_string_lossy(),
    ]);
    assert!(dir.join("content/figures/O-05-1.png").is_file());
    // Clean: a timetable not written yet is no warning per record.
    let checked = ok(&confbook_in(&dir, &["check"]));
    assert!(checked.contains("0 errors, 0 warnings"), "{checked}");
    let booklet = fs::read_to_string(dir.join("content/booklet.toml")).unwrap();
    for section in ["key = \"keynote\"", "key = \"oral\"", "key = \"poster\""] {
        assert!(booklet.contains(section), "{booklet}");
    }
    build(&dir);

    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("out/booklet.json")).unwrap()).unwrap();
    let ids: Vec<&str> = manifest["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 44, "{ids:?}");
    for id in ["K-1", "O-01", "P-01"] {
        assert!(ids.contains(&id), "{id} missing: {ids:?}");
    }
    // The table's last row has no id: it gets one from its section's prefix.
    assert!(!ids.contains(&""), "{ids:?}");
    let all: String = page_texts(&dir.join("out/booklet.pdf")).concat();
    let flat: String = all.split_whitespace().collect::<Vec<_>>().join(" ");
    for title in [
        "Bone remodelling across the life course",
        "professional cyclists during a three-week stage race",
    ] {
        assert!(flat.contains(title), "`{title}` not in the book");
    }
}

/// The runs of a book that are not part of the example records' titles: their font
/// and size.
fn not_the_titles(runs: &[Run]) -> Vec<(String, String)> {
    let titles = [
        "An example keynote: what a record holds",
        "An example talk: authors and their affiliations",
    ];
    let in_a_title = |r: &&Run| titles.iter().any(|t| t.contains(r.text.trim()));
    runs.iter()
        .filter(|r| !in_a_title(r))
        .map(|r| (r.font.clone(), format!("{:.2}", r.size)))
        .collect()
}

/// The size of the example keynote's title above its abstract (the largest of its
/// appearances: the contents and the programme set it smaller). A word of it, not
/// the whole: in a column the title takes several lines.
fn title_size(runs: &[Run]) -> f64 {
    let sizes = runs.iter().filter(|r| r.text.contains("keynote"));
    let size = sizes.map(|r| r.size).reduce(f64::max);
    size.expect("the example keynote's title is in the book")
}

#[test]
fn a_projects_own_theme_overrides_only_that_file() {
    let (tmp, dir) = new_project(&["--lang", "en"]);
    let paths = Paths::new(&dir, &dir.join("out"));
    build(&dir);
    let before = runs(&paths);

    // The built-in layouts, written out to edit; the project keeps only theme.typ.
    let exported = tmp.path().join("exported");
    ok(&confbook(&[
        "layouts",
        "export",
        &exported.to_string_lossy(),
    ]));
    let shipped = fs::read(repo().join("layouts/lib/mitex/mod.typ")).unwrap();
    assert_eq!(
        fs::read(exported.join("lib/mitex/mod.typ")).unwrap(),
        shipped
    );
    let theme = fs::read_to_string(exported.join("lib/theme.typ")).unwrap();
    assert_eq!(theme.matches("title: 14pt,").count(), 1);
    fs::create_dir_all(dir.join("layouts/lib")).unwrap();
    let own = dir.join("layouts/lib/theme.typ");
    fs::write(&own, theme.replace("title: 14pt,", "title: 20pt,")).unwrap();

    let stderr = build(&dir);
    let says = format!(
        "layouts: {} (1 file overridden, the rest built-in); fonts: built-in",
        dir.join("layouts").display()
    );
    assert!(stderr.contains(&says), "{stderr}");
    let after = runs(&paths);
    assert!((title_size(&before) - 14.0).abs() < 0.01);
    assert!((title_size(&after) - 20.0).abs() < 0.01);
    assert_eq!(not_the_titles(&before), not_the_titles(&after));

    // The override is an input: a change to it builds again.
    assert!(build(&dir).contains("is up to date"));
    fs::write(&own, theme.replace("title: 14pt,", "title: 16pt,")).unwrap();
    assert!(!build(&dir).contains("is up to date"));
    assert!((title_size(&runs(&paths)) - 16.0).abs() < 0.01);
}

#[test]
fn new_refuses_a_folder_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let dir = tmp.path().to_string_lossy();
    let out = confbook(&["new", dir.as_ref()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("is not empty"));
    assert!(!tmp.path().join("content").exists());
    ok(&confbook(&["new", dir.as_ref(), "--force"]));
    assert_eq!(
        fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(tmp.path().join("content/booklet.toml").is_file());
}

#[test]
fn outside_a_project_the_commands_say_how_to_start_one() {
    let empty = tempfile::tempdir().unwrap();
    for command in ["build", "check", "watch"] {
        let out = confbook_in(empty.path(), &[command]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("is not a confbook project") && stderr.contains("confbook new"),
            "{command}: {stderr}"
        );
    }
    let csv = repo().join(EXAMPLE).join("abstracts.csv");
    let out = confbook_in(empty.path(), &["import", &csv.to_string_lossy()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let missing = empty.path().join("content/booklet.toml");
    assert!(
        stderr.contains(&format!("{} not found", missing.display()))
            && stderr.contains("confbook new"),
        "{stderr}"
    );
    // One message, not one per row.
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
}

#[test]
fn a_table_that_cannot_be_imported_makes_no_project() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("bad.csv");
    fs::write(
        &csv,
        "id,section,title,authors\nK-1,keynote,A keynote,*Ann Berg\nK-2,keynote,,*Bo Lind\n",
    )
    .unwrap();
    let dir = tmp.path().join("book");
    let out = confbook(&[
        "new",
        &dir.to_string_lossy(),
        "--from",
        &csv.to_string_lossy(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("row 3") && stderr.contains("title"),
        "{stderr}"
    );
    assert!(!dir.exists(), "nothing is written");
}
