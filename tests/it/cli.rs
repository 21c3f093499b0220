//! The confbook binary as people run it: summaries, exit codes, messages that name
//! the file.

use std::path::Path;

use crate::common::{confbook, repo, text};

fn raw() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("content/source/raw.txt")
        .display()
        .to_string()
}

#[test]
fn ingest_prints_a_summary_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let content = content.to_str().unwrap();
    let first = confbook(&["ingest", &raw(), "--content", content]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let summary = text(&first.stdout);
    // Without a booklet.toml, sections are the ids' prefixes, titled by the
    // letter-spaced headings the source has (none before the first).
    assert!(
        summary.contains("166 records: PL 20, 专题报告 138, 病例讨论 8"),
        "{summary}"
    );
    assert!(summary.contains("168 written"), "{summary}");
    assert!(summary.contains("warning: S-023"), "{summary}");
    assert!(
        summary.lines().count() < 25,
        "more than a screen:\n{summary}"
    );

    let second = confbook(&["ingest", &raw(), "--content", content]);
    assert!(
        text(&second.stdout).contains("0 written, 168 unchanged, 0 kept"),
        "{}",
        text(&second.stdout)
    );

    // The sections a booklet.toml lists give the records their keys and titles; the
    // booklet.toml itself is the user's, and kept.
    let listed = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("content/booklet.toml"),
        listed.path().join("booklet.toml"),
    )
    .unwrap();
    let dir = listed.path().to_str().unwrap();
    let out = confbook(&["ingest", &raw(), "--content", dir]);
    let summary = text(&out.stdout);
    assert!(
        summary.contains("166 records: 大会报告 20, 专题报告 138, 病例讨论 8"),
        "{summary}"
    );
    assert!(
        summary.contains("167 written, 0 unchanged, 1 kept"),
        "{summary}"
    );
    let s001 = std::fs::read_to_string(listed.path().join("abstracts/S-001.md")).unwrap();
    assert!(s001.contains("section = \"special\""), "{s001}");
}

#[test]
fn bad_input_names_the_file_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 0, 1]).unwrap();
    let untitled = dir.path().join("untitled.txt");
    std::fs::write(&untitled, "PL-01\n\n王鸥 \n北京医院 \n").unwrap();
    for (file, reason) in [
        (&empty, "the input is empty"),
        (&garbage, "not text"),
        (&untitled, "record PL-01 (line 1): no title"),
    ] {
        let out = confbook(&[
            "ingest",
            file.to_str().unwrap(),
            "--content",
            dir.path().join("c").to_str().unwrap(),
        ]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(file.to_str().unwrap()) && err.contains(reason),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(
        !dir.path().join("c").exists(),
        "nothing is written on error"
    );
}

#[test]
fn dump_prints_the_records_as_json() {
    let out = confbook(&["--root", env!("CARGO_MANIFEST_DIR"), "dump", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let records: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 166);
    let s126 = records.iter().find(|r| r["id"] == "S-126").unwrap();
    assert_eq!(s126["section"], "special");
    assert!(
        s126["title_en"]
            .as_str()
            .unwrap()
            .starts_with("The Westlake biobank")
    );
    for key in ["title", "authors", "affiliations", "keywords", "paragraphs"] {
        assert!(s126.get(key).is_some(), "no {key}");
    }
}

#[test]
fn a_broken_record_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    assert!(
        confbook(&["ingest", &raw(), "--content", content.to_str().unwrap()])
            .status
            .success()
    );
    let file = content.join("abstracts/S-041.md");
    let broken = std::fs::read_to_string(&file)
        .unwrap()
        .replace("title = \"", "title = ");
    std::fs::write(&file, broken).unwrap();
    let out = confbook(&["--root", dir.path().to_str().unwrap(), "dump", "--json"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("S-041.md:4:"), "{err}");
}

#[test]
fn build_runs_preflight_and_preflight_exits_1_on_a_fault() {
    let out = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let built = confbook(&[
        "--root",
        root,
        "build",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let pdf = out.path().join("booklet.pdf");
    let ok = confbook(&["preflight", pdf.to_str().unwrap(), "--bleed", "3mm"]);
    assert!(
        ok.status.success() && text(&ok.stdout).contains("preflight: OK"),
        "{}",
        text(&ok.stdout)
    );
    // The PDF has a 3 mm bleed: a printer asking for 5 mm gets a fault and exit 1.
    let wrong = confbook(&["preflight", pdf.to_str().unwrap(), "--bleed", "5mm"]);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong.stdout));
    assert!(
        text(&wrong.stdout).contains("BleedBox"),
        "{}",
        text(&wrong.stdout)
    );
}

/// Runs confbook with `args`, which must exit 2 (could not run); its stderr.
fn could_not_run(args: &[&str]) -> String {
    let out = confbook(args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    stderr
}

/// An output that cannot be written (here, below a file) is exit 2 for every command
/// that writes, as the README says.
#[test]
fn an_unwritable_output_is_exit_2_for_every_command() {
    let (dir, _) = crate::common::example_copy();
    let root = dir.path().to_str().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let below = file.join("out");
    let below = below.to_str().unwrap();
    let csv = dir.path().join("one.csv");
    let row = "K-1,keynote,A title,*Åsa Lindqvist [1],Lindmark Institute,,Body.";
    std::fs::write(
        &csv,
        format!("id,section,title,authors,affiliations,keywords,abstract\n{row}\n"),
    )
    .unwrap();
    let raw = dir.path().join("raw.txt");
    std::fs::write(&raw, "S-001\n标题\n王鸥\n北京医院\n正文。\n").unwrap();
    for args in [
        vec!["--root", root, "build", "--out", below],
        vec!["--root", root, "handouts", "--out", below],
        vec!["--root", root, "eject", below],
        vec![
            "--root",
            root,
            "import",
            csv.to_str().unwrap(),
            "--content",
            below,
        ],
        vec![
            "--root",
            root,
            "ingest",
            raw.to_str().unwrap(),
            "--content",
            below,
        ],
    ] {
        could_not_run(&args);
    }
}

/// No command writes into the project's inputs, eject never writes over the project
/// itself or through a link out of its folder; each is refused (exit 2) before
/// anything is written.
#[test]
fn output_into_the_projects_own_files_is_refused() {
    let (dir, _) = crate::common::example_copy();
    let root = dir.path();
    let at = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    let r = root.to_str().unwrap();
    let readme_before = std::fs::read(root.join("content/booklet.toml")).unwrap();
    for (args, says) in [
        (
            vec!["--root", r, "build", "--out", &at("content/build")],
            "inside the project's",
        ),
        (
            vec!["--root", r, "handouts", "--out", &at("layouts/x")],
            "inside the project's",
        ),
        (
            vec!["--root", r, "watch", "--out", &at("content/build")],
            "inside the project's",
        ),
        (
            vec!["--root", r, "eject", &at("content/abstracts"), "--force"],
            "inside the project's",
        ),
        (
            vec!["--root", r, "eject", r, "--force"],
            "holds the project's",
        ),
    ] {
        let stderr = could_not_run(&args);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert!(!root.join("content/build").exists() && !root.join("layouts/x").exists());
    assert!(
        !root.join("booklet.typ").exists(),
        "nothing ejected into the project"
    );
    assert_eq!(
        std::fs::read(root.join("content/booklet.toml")).unwrap(),
        readme_before
    );

    // A destination whose fonts/ is a link out of it.
    #[cfg(unix)]
    {
        let (dest, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::os::unix::fs::symlink(outside.path(), dest.path().join("fonts")).unwrap();
        let dest = dest.path().to_str().unwrap();
        let stderr = could_not_run(&["--root", r, "eject", dest, "--force"]);
        assert!(stderr.contains("through a symbolic link"), "{stderr}");
        assert_eq!(
            std::fs::read_dir(outside.path()).unwrap().count(),
            0,
            "nothing written outside"
        );
    }
}

#[test]
fn could_not_run_is_exit_2_and_problems_found_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pdf");
    std::fs::write(&junk, b"not a pdf").unwrap();
    for args in [
        vec!["preflight", junk.to_str().unwrap()],
        vec!["preflight", "/nonexistent/booklet.pdf"],
        vec!["--root", dir.path().to_str().unwrap(), "build"],
        vec![
            "ingest",
            "/nonexistent/raw.txt",
            "--content",
            dir.path().to_str().unwrap(),
        ],
    ] {
        let stderr = could_not_run(&args);
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
    let bad_flag = confbook(&[
        "--root",
        env!("CARGO_MANIFEST_DIR"),
        "build",
        "--out",
        dir.path().to_str().unwrap(),
        "--trim",
        "letter",
    ]);
    assert_eq!(bad_flag.status.code(), Some(1));
    assert!(
        text(&bad_flag.stderr).contains("--trim/--bleed: unknown trim size `letter`"),
        "{}",
        text(&bad_flag.stderr)
    );
}

#[test]
fn dump_without_json_is_one_line_per_record() {
    let out = confbook(&["--root", env!("CARGO_MANIFEST_DIR"), "dump"]);
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 166);
    assert_eq!(lines[0], "PL-01\tCKD-MBD再认识\t廖二元");
    assert!(lines.iter().any(
        |l| l.starts_with("S-023\t") && l.ends_with("张伟滨、姜艳、王鸥、李梅、邢小平、夏维波")
    ));
}

/// `build` with no input changed says so and writes nothing; any change of content,
/// layouts or options, a PDF changed by hand, or `--force` typesets again.
#[test]
fn an_unchanged_project_is_not_typeset_again() {
    let (dir, paths) = crate::common::project_copy();
    let root = dir.path();
    let build = |args: &[&str]| {
        let out = crate::common::confbook_in(root, &[&["build"], args].concat());
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    let current = |stderr: &str| stderr.contains("is up to date");
    assert!(!current(&build(&[])), "the first build typesets");
    let written = std::fs::metadata(paths.pdf()).unwrap().modified().unwrap();
    assert!(current(&build(&[])), "nothing changed");
    assert_eq!(
        std::fs::metadata(paths.pdf()).unwrap().modified().unwrap(),
        written
    );
    assert!(!current(&build(&["--force"])), "--force typesets");
    assert!(current(&build(&[])));

    let record = root.join("content/abstracts/S-041.md");
    let text_before = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, text_before.replace("薛鹏", "薛 鹏")).unwrap();
    assert!(!current(&build(&[])), "an edited record");
    assert!(current(&build(&[])));
    let layout = root.join("layouts/lib/style.typ");
    let style = std::fs::read_to_string(&layout).unwrap();
    std::fs::write(&layout, format!("{style}\n// a comment\n")).unwrap();
    assert!(!current(&build(&[])), "a changed layout");
    assert!(!current(&build(&["--trim", "A4"])), "other options");
    assert!(!current(&build(&[])), "and back");
    std::fs::write(paths.pdf(), b"%PDF-1.7 edited").unwrap();
    assert!(!current(&build(&[])), "a PDF that is not the one built");
}
