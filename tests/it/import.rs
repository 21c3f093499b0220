//! `import`: records from exported tables (CSV, Excel, JSON) — the round trip through
//! `dump --format csv`, the example project's CSV, the cell formats, and bad input
//! that imports nothing.

use std::fs;
use std::path::Path;

use crate::common::{EXAMPLE, confbook_in, copy_dir, repo, text};

/// A project without records, with `booklet.toml` from `from` (so its sections are
/// known) and the own pages and artwork its parts name.
fn empty_project(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("content")).unwrap();
    for file in ["booklet.toml", "program.toml"] {
        fs::copy(
            from.join("content").join(file),
            dir.path().join("content").join(file),
        )
        .unwrap();
    }
    for folder in ["pages", "inserts", "figures", "cover"] {
        let source = from.join("content").join(folder);
        if source.is_dir() {
            copy_dir(&source, &dir.path().join("content").join(folder));
        }
    }
    dir
}

fn import(root: &Path, file: &Path, args: &[&str]) -> std::process::Output {
    let file = file.to_string_lossy();
    confbook_in(root, &[&["import", file.as_ref()], args].concat())
}

fn dump(root: &Path, format: &str) -> String {
    let out = confbook_in(root, &["dump", "--format", format]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// `dump --format csv` → `import` into an empty project → `dump --format json` gives
/// back the same records, and the same files.
fn round_trip(project: &Path) {
    let csv = dump(project, "csv");
    let target = empty_project(project);
    let file = target.path().join("records.csv");
    fs::write(&file, &csv).unwrap();
    let out = import(target.path(), &file, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(dump(target.path(), "json"), dump(project, "json"));
    let again = import(target.path(), &file, &[]);
    assert!(
        text(&again.stderr).contains("0 new, 0 changed"),
        "re-importing changes nothing: {}",
        text(&again.stderr)
    );
}

/// Written files take the umask's mode, and a file written again keeps its own.
#[cfg(unix)]
#[test]
fn written_files_take_the_umask_and_rewritten_ones_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let (target, _) = crate::common::example_copy();
    let csv = repo().join(EXAMPLE).join("abstracts.csv");
    fs::remove_dir_all(target.path().join("content/abstracts")).unwrap();
    let under_umask = |umask: &str, args: &[&str]| {
        let run = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_confbook"))
            .arg("--root")
            .arg(target.path())
            .args(args)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", text(&run.stderr));
    };
    under_umask("022", &["import", &csv.to_string_lossy()]);
    let record = target.path().join("content/abstracts/K-1.md");
    assert_eq!(mode(&record), 0o644);
    under_umask("027", &["build"]);
    assert_eq!(mode(&target.path().join("out/booklet.pdf")), 0o640);
    fs::set_permissions(&record, fs::Permissions::from_mode(0o664)).unwrap();
    fs::write(
        &record,
        fs::read_to_string(&record)
            .unwrap()
            .replace("title = \"", "title = \"X"),
    )
    .unwrap();
    under_umask("077", &["import", &csv.to_string_lossy(), "--force"]);
    assert!(
        !fs::read_to_string(&record).unwrap().contains("title = \"X"),
        "rewritten"
    );
    assert_eq!(mode(&record), 0o664);
}

#[test]
fn the_shipped_project_round_trips_through_csv() {
    round_trip(repo());
}

#[test]
fn the_example_project_round_trips_through_csv() {
    round_trip(&repo().join(EXAMPLE));
}

#[test]
fn the_example_records_are_its_csv_imported() {
    let example = repo().join(EXAMPLE);
    let target = empty_project(&example);
    let out = import(target.path(), &example.join("abstracts.csv"), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (made, shipped) = (
        target.path().join("content/abstracts"),
        example.join("content/abstracts"),
    );
    let names = |dir: &Path| {
        let mut n: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&made), names(&shipped));
    for name in names(&shipped) {
        assert_eq!(
            fs::read_to_string(made.join(&name)).unwrap(),
            fs::read_to_string(shipped.join(&name)).unwrap(),
            "{name} differs from what import writes"
        );
    }
    // Ids missing from the CSV are made from the section's prefix and row order.
    assert!(made.join("P-15.md").exists() && made.join("P-16.md").exists());
    let o08 = fs::read_to_string(made.join("O-08.md")).unwrap();
    assert!(
        o08.contains("name = \"Łukasz Wróbel\"\naffiliations = [2]"),
        "{o08}"
    );
}

/// A project whose booklet.toml lists `keynote` (prefix K) and `poster` (prefix P).
fn small_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    fs::create_dir_all(&content).unwrap();
    fs::write(
        content.join("booklet.toml"),
        "conference = \"C\"\ntitle = \"T\"\nlang = \"en\"\n\n[[section]]\nkey = \"keynote\"\ntitle = \"Keynotes\"\nprefix = \"K\"\n\n[[section]]\nkey = \"poster\"\ntitle = \"Posters\"\nprefix = \"P\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn a_csv_with_other_headers_gbk_text_and_made_ids() {
    let p = small_project();
    // GB18030, as Chinese Excel saves CSV; other column names, mapped.
    let csv = "编号,类别,题目,作者,单位,摘要\n,poster,骨密度研究,\"*王鸥 [1]；李华 [1,2]\",北京医院；协和医院,\"第一段。\n\n第二段。\"\nK-7,keynote,Bone,*Ann Lee,Uni,Text.\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(csv);
    let file = p.path().join("gbk.csv");
    fs::write(&file, &bytes).unwrap();
    let maps = [
        "--map",
        "id=编号",
        "--map",
        "section=类别",
        "--map",
        "title=题目",
        "--map",
        "authors=作者",
        "--map",
        "affiliations=单位",
        "--map",
        "abstract=摘要",
    ];
    let out = import(p.path(), &file, &maps);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("2 new"), "{}", text(&out.stderr));
    let poster = fs::read_to_string(p.path().join("content/abstracts/P-01.md")).unwrap();
    assert!(poster.contains("title = \"骨密度研究\""), "{poster}");
    assert!(
        poster.contains("affiliations = [\"北京医院\", \"协和医院\"]"),
        "{poster}"
    );
    assert!(
        poster.contains("name = \"李华\"\naffiliations = [1, 2]"),
        "{poster}"
    );
    assert!(poster.ends_with("\n第一段。\n\n第二段。\n"), "{poster}");
    // Edited by hand: kept on the next import, unless --force.
    let path = p.path().join("content/abstracts/K-7.md");
    fs::write(
        &path,
        fs::read_to_string(&path)
            .unwrap()
            .replace("Text.", "Edited."),
    )
    .unwrap();
    let again = import(p.path(), &file, &maps);
    assert!(
        text(&again.stderr).contains("1 kept because edited"),
        "{}",
        text(&again.stderr)
    );
    assert!(fs::read_to_string(&path).unwrap().contains("Edited."));
    let forced = import(p.path(), &file, &[&maps[..], &["--force"]].concat());
    assert!(
        text(&forced.stderr).contains("1 changed"),
        "{}",
        text(&forced.stderr)
    );
    assert!(fs::read_to_string(&path).unwrap().contains("Text."));
}

/// A CSV from Western Excel (Windows-1252) is read as such and says so; one that
/// does not decode in the encoding given is refused, and a bare CR inside a cell is a
/// line break, not a character that glues two words.
#[test]
fn a_legacy_csv_is_read_in_the_encoding_its_bytes_show() {
    let p = small_project();
    let csv = "id,section,title,authors,affiliations,abstract\n\
               K-1,keynote,Café society and bone,\"*Renée Börk [1]; François Lefèvre [1]\",Université de Lyon,\"Line one\rline two.\"\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(csv);
    let file = p.path().join("western.csv");
    fs::write(&file, &bytes).unwrap();
    let out = import(p.path(), &file, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("as windows-1252"),
        "{}",
        text(&out.stderr)
    );
    let record = fs::read_to_string(p.path().join("content/abstracts/K-1.md")).unwrap();
    for part in [
        "Café society",
        "Renée Börk",
        "François Lefèvre",
        "Université de Lyon",
    ] {
        assert!(record.contains(part), "{part} in {record}");
    }
    assert!(
        record.contains("Line one") && !record.contains("oneline"),
        "{record}"
    );

    let wrong = import(p.path(), &file, &["--encoding", "utf-8", "--force"]);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong.stderr));
    assert!(
        text(&wrong.stderr).contains("western.csv: the text is not valid UTF-8"),
        "{}",
        text(&wrong.stderr)
    );
    let unknown = import(p.path(), &file, &["--encoding", "klingon"]);
    assert!(
        text(&unknown.stderr).contains("unknown encoding `klingon`"),
        "{}",
        text(&unknown.stderr)
    );
}

/// A cell far larger than any abstract is refused with its row and column, and a
/// device is no table (it would be read without end).
#[test]
fn a_huge_cell_and_a_device_are_refused() {
    let p = small_project();
    let body = "words ".repeat(25_000);
    let csv = format!("id,section,title,authors,abstract\nK-1,keynote,T,*A,{body}\n");
    let file = p.path().join("huge.csv");
    fs::write(&file, csv).unwrap();
    let out = import(p.path(), &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(
            "row 2, column `abstract`: the cell holds 149 KB; a cell holds at most 100 KB"
        ),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !p.path().join("content/abstracts").exists(),
        "nothing written"
    );
    #[cfg(unix)]
    {
        let device = confbook_in(p.path(), &["preflight", "/dev/zero"]);
        assert_eq!(device.status.code(), Some(2), "{}", text(&device.stderr));
        assert!(
            text(&device.stderr).contains("not a regular file"),
            "{}",
            text(&device.stderr)
        );
    }
}

/// A cell that starts like a formula (`=`, `+`, `-`, `@`) is written with a leading
/// `'`, so a spreadsheet shows it rather than runs it (OWASP's advice for CSV), and
/// import takes the `'` away again: the round trip stays exact.
#[test]
fn formulas_are_guarded_in_the_csv_and_unguarded_on_import() {
    let p = small_project();
    fs::write(p.path().join("content/program.toml"), "").unwrap();
    let csv = "id,section,title,authors,keywords,abstract\n\
               K-1,keynote,'=HYPERLINK(\"http://x\"),*Ann Lee,'-omics; @home,'+1 mmol/L.\n";
    let file = p.path().join("guarded.csv");
    fs::write(&file, csv).unwrap();
    let out = import(p.path(), &file, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let record = fs::read_to_string(p.path().join("content/abstracts/K-1.md")).unwrap();
    assert!(
        record.contains("title = '=HYPERLINK(\"http://x\")'"),
        "{record}"
    );
    assert!(
        record.contains("keywords = [\"-omics\", \"@home\"]"),
        "{record}"
    );
    let dumped = dump(p.path(), "csv");
    assert!(dumped.contains("'=HYPERLINK"), "{dumped}");
    assert!(
        !dumped.contains(",=") && !dumped.contains(",\"="),
        "{dumped}"
    );
    round_trip(p.path());
}

/// An import writes all its records or none: an id too long to name a file is a
/// problem of its row, and a folder where a record goes stops the import before
/// any record is written (K-7 was written, and remembered as edited, before).
#[test]
fn an_import_writes_all_its_records_or_none() {
    let p = small_project();
    let long = format!("K-{}", "7".repeat(300));
    let rows = |ids: &[&str]| {
        let rows: Vec<String> = ids
            .iter()
            .map(|id| format!("{id},keynote,T,*Ann Lee,Body."))
            .collect();
        format!("id,section,title,authors,abstract\n{}\n", rows.join("\n"))
    };
    let file = p.path().join("rows.csv");
    fs::write(&file, rows(&["K-7", &long, "K-8"])).unwrap();
    let out = import(p.path(), &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("row 3, column `id`"),
        "{}",
        text(&out.stderr)
    );
    let abstracts = p.path().join("content/abstracts");
    assert!(!abstracts.join("K-7.md").exists() && !abstracts.join("K-8.md").exists());

    fs::create_dir_all(abstracts.join("K-8.md")).unwrap();
    fs::write(&file, rows(&["K-7", "K-8"])).unwrap();
    let out = import(p.path(), &file, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("K-8.md"),
        "{}",
        text(&out.stderr)
    );
    assert!(!abstracts.join("K-7.md").exists(), "nothing written");
    assert!(!p.path().join("content/.ingest-state.toml").exists());
    fs::remove_dir(abstracts.join("K-8.md")).unwrap();
    let out = import(p.path(), &file, &[]);
    assert!(text(&out.stderr).contains("2 new"), "{}", text(&out.stderr));
}

/// A rename that fails once others are done (a disk gone read-only, say) puts back
/// what the import had renamed: the record it changed holds its old text, the new
/// ones are gone, and the state of what was imported is the old one.
#[test]
fn a_rename_failing_halfway_puts_back_the_renamed_records() {
    let p = small_project();
    let file = p.path().join("rows.csv");
    let csv = |title: &str| {
        format!(
            "id,section,title,authors,abstract\nK-1,keynote,{title},*Ann Lee,Body.\nK-2,keynote,Two,*Bo Chen,Body.\nK-3,keynote,Three,*Cy Doe,Body.\n"
        )
    };
    fs::write(
        &file,
        "id,section,title,authors,abstract\nK-1,keynote,Old,*Ann Lee,Body.\n",
    )
    .unwrap();
    assert!(import(p.path(), &file, &[]).status.success());
    let content = p.path().join("content");
    let k1 = content.join("abstracts/K-1.md");
    let (old_k1, old_state) = (
        fs::read(&k1).unwrap(),
        fs::read(content.join(".ingest-state.toml")).unwrap(),
    );

    fs::write(&file, csv("New")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confbook"))
        .arg("--root")
        .arg(p.path())
        .arg("import")
        .arg(&file)
        .env(confbook::files::FAULT_AT_RENAME, ".ingest-state.toml")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the fault failed the import");
    assert!(
        text(&out.stderr).contains(".ingest-state.toml"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read(&k1).unwrap(), old_k1, "K-1 holds its old text");
    for new in ["K-2.md", "K-3.md"] {
        assert!(
            !content.join("abstracts").join(new).exists(),
            "{new} is gone"
        );
    }
    assert_eq!(
        fs::read(content.join(".ingest-state.toml")).unwrap(),
        old_state
    );
    let left: Vec<_> = fs::read_dir(content.join("abstracts"))
        .unwrap()
        .chain(fs::read_dir(&content).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "no temporary file left: {left:?}");

    let out = import(p.path(), &file, &[]);
    assert!(
        text(&out.stderr).contains("2 new, 1 changed"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_rows_are_all_reported_and_nothing_is_written() {
    let p = small_project();
    let csv = "id,section,title,authors,affiliations\n\
               K-1,keynote,,*A [1],U\n\
               K-2,workshop,Title,*B,U\n\
               K-3,keynote,Title,*C [2],U\n\
               K-3,keynote,Again,*D,U\n\
               K-4,keynote,Fine,*E,U\n";
    let file = p.path().join("bad.csv");
    fs::write(&file, csv).unwrap();
    let out = import(p.path(), &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let path = file.display().to_string();
    for expected in [
        format!("{path}: row 2, column `title`: the title is empty"),
        format!("{path}: row 3, column `section`: unknown section `workshop`"),
        format!("{path}: row 4, column `authors`: C has affiliation 2, but there is 1 affiliation"),
        format!("{path}: row 5, column `id`: id K-3 is also the id of row 4"),
    ] {
        assert!(err.contains(&expected), "missing `{expected}` in:\n{err}");
    }
    assert!(err.contains("4 problems"), "{err}");
    assert!(
        !p.path().join("content/abstracts").exists(),
        "nothing was written"
    );
}

#[test]
fn json_and_excel_tables() {
    let p = small_project();
    let json = r#"[{"id": "K-1", "section": "keynote", "title": "On bone",
        "authors": "*Ann Lee [1]; Bo Chen [1]", "affiliations": ["Uni A"],
        "keywords": "bone; BMD", "abstract": ["One.", "Two."]}]"#;
    let file = p.path().join("records.json");
    fs::write(&file, json).unwrap();
    let out = import(p.path(), &file, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let k1 = fs::read_to_string(p.path().join("content/abstracts/K-1.md")).unwrap();
    assert!(
        k1.contains("keywords = [\"bone\", \"BMD\"]") && k1.ends_with("\nOne.\n\nTwo.\n"),
        "{k1}"
    );

    // A workbook whose records are on its second sheet (tests/it/fixtures/records.xlsx:
    // a "Notes" sheet, then "Abstracts" with a numeric id and a row without one).
    let workbook = repo().join("tests/it/fixtures/records.xlsx");
    let first = import(p.path(), &workbook, &[]);
    assert!(
        text(&first.stderr).contains("no column `section`"),
        "{}",
        text(&first.stderr)
    );
    let out = import(p.path(), &workbook, &["--sheet", "Abstracts"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let one = fs::read_to_string(p.path().join("content/abstracts/1.md")).unwrap();
    assert!(
        one.contains("affiliations = [\"Uni A\", \"Uni B\"]"),
        "{one}"
    );
    assert!(one.ends_with("\nFirst.\n\nSecond.\n"), "{one}");
    assert!(p.path().join("content/abstracts/P-01.md").exists());
    let wrong = import(p.path(), &workbook, &["--sheet", "Sheet9"]);
    assert!(
        text(&wrong.stderr).contains("no sheet `Sheet9` (the sheets are: Notes, Abstracts)"),
        "{}",
        text(&wrong.stderr)
    );

    let bad = p.path().join("records.xlsx");
    fs::write(&bad, "not a workbook").unwrap();
    let out = import(p.path(), &bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("records.xlsx"),
        "{}",
        text(&out.stderr)
    );
    let missing = import(p.path(), &p.path().join("none.csv"), &[]);
    assert_eq!(
        missing.status.code(),
        Some(2),
        "an unreadable file: could not run"
    );
}

#[test]
fn a_missing_column_names_the_columns_there_are() {
    let p = small_project();
    let file = p.path().join("t.csv");
    fs::write(&file, "id,section,Title,authors\nK-1,keynote,X,*A\n").unwrap();
    let out = import(p.path(), &file, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("no column `title` (the columns are id, section, Title, authors)"),
        "{}",
        text(&out.stderr)
    );
    let out = import(p.path(), &file, &["--map", "title=Titel"]);
    assert!(
        text(&out.stderr).contains("--map title=Titel: no column `Titel`"),
        "{}",
        text(&out.stderr)
    );
}

/// `rows` rows of the keynote section, K-0001 onwards, in a CSV.
fn many_rows(rows: usize) -> String {
    let lines: Vec<String> = (1..=rows)
        .map(|n| format!("K-{n:04},keynote,Talk {n},*Ann Lee; Bo Chen,Body of talk {n}."))
        .collect();
    format!("id,section,title,authors,abstract\n{}\n", lines.join("\n"))
}

/// The record files in `abstracts`, and whether any temporary file is left there.
fn written(abstracts: &Path) -> (usize, bool) {
    let names: Vec<String> = fs::read_dir(abstracts)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let records = names.iter().filter(|n| n.ends_with(".md")).count();
    (records, names.iter().any(|n| n.ends_with(".tmp")))
}

/// A large table: where stderr is not a terminal, a line every 1,000 rows tells how
/// far the import got; every record is written, and remembered. When one file
/// cannot be written (a folder in its place), none is, and nothing is remembered.
#[test]
fn a_large_import_tells_its_progress_and_writes_every_record_or_none() {
    let p = small_project();
    let file = p.path().join("rows.csv");
    fs::write(&file, many_rows(2500)).unwrap();
    let abstracts = p.path().join("content/abstracts");
    fs::create_dir_all(abstracts.join("K-2400.md")).unwrap();
    let out = import(p.path(), &file, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("K-2400.md"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(written(&abstracts), (1, false), "only the folder is there");
    assert!(!p.path().join("content/.ingest-state.toml").exists());

    fs::remove_dir(abstracts.join("K-2400.md")).unwrap();
    let out = import(p.path(), &file, &[]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    let progress: Vec<&str> = err.lines().filter(|l| l.starts_with("read ")).collect();
    assert_eq!(
        progress,
        ["read 1000 of 2500 rows", "read 2000 of 2500 rows"],
        "{err}"
    );
    assert!(err.contains("2500 new"), "{err}");
    assert_eq!(written(&abstracts), (2500, false));
    let state = fs::read_to_string(p.path().join("content/.ingest-state.toml")).unwrap();
    assert_eq!(state.matches("abstracts/K-").count(), 2500, "{state}");
    let last = fs::read_to_string(abstracts.join("K-2500.md")).unwrap();
    assert!(last.contains("Body of talk 2500."), "{last}");
}
