//! The author index's order and headings per `index_order` (issue 32), read back from
//! the PDFs of small invented projects: strokes, kana readings (with `check`'s warning
//! for a name without one), an alphabetical index with umlauts and ñ, and a bad value
//! refused at its booklet.toml line.

use std::fs;

use confbook::check::{Diagnostic, Severity};
use confbook::output::build::{Builder, Paths};

use crate::common::{copy_dir, page_texts, repo};

/// A project of one section, one record per name (each presenting one talk), with
/// `booklet` lines added to booklet.toml (`lang`, `index_order`, `[readings]` …).
fn project(booklet: &str, names: &[&str]) -> (tempfile::TempDir, Paths) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    fs::create_dir_all(content.join("abstracts")).unwrap();
    let head = "conference = \"Index Order Meeting\"\ntitle = \"Abstracts\"\n";
    let section = "\n[[section]]\nkey = \"talk\"\ntitle = \"Talks\"\nprefix = \"T\"\n";
    fs::write(
        content.join("booklet.toml"),
        format!("{head}{booklet}\n{section}"),
    )
    .unwrap();
    fs::write(content.join("program.toml"), "").unwrap();
    for (i, name) in names.iter().enumerate() {
        let id = format!("T-{:02}", i + 1);
        let record = format!(
            "+++\nid = \"{id}\"\nsection = \"talk\"\ntitle = \"Talk {n}\"\nspeakers = [\"{name}\"]\n+++\n\nThe index lists its speaker.\n",
            n = i + 1
        );
        fs::write(content.join(format!("abstracts/{id}.md")), record).unwrap();
    }
    copy_dir(&repo().join("layouts"), &dir.path().join("layouts"));
    let mut paths = Paths::new(dir.path(), &dir.path().join("out"));
    paths.fonts = repo().join("fonts");
    (dir, paths)
}

/// The lines of the book's index: its last page that has the index's heading (the
/// contents page lists it too), the heading's line and the folio left out.
fn index_lines(paths: &Paths, heading: &str) -> Vec<String> {
    Builder::new(paths.clone(), false).unwrap().build().unwrap();
    let pages = page_texts(&paths.pdf());
    let page = pages
        .iter()
        .rfind(|p| p.contains(heading))
        .unwrap_or_else(|| panic!("no page with {heading:?}: {pages:?}"));
    let lines = page.lines().map(str::trim).filter(|l| !l.is_empty());
    lines.map(str::to_string).collect()
}

/// Asserts that `expected` appear in this order, each a whole line (a heading; "2畫"
/// is set "2 畫", with the space between digits and Han) or the start of one (a name,
/// then its pages).
fn assert_in_order(lines: &[String], expected: &[&str]) {
    let bare = |s: &str| s.replace(' ', "");
    let mut from = 0;
    for want in expected {
        let at = lines[from..]
            .iter()
            .position(|l| bare(l) == bare(want) || l.starts_with(&format!("{want} ")))
            .unwrap_or_else(|| panic!("{want:?} not after line {from} of the index:\n{lines:#?}"));
        from += at + 1;
    }
}

fn check(paths: &Paths) -> Vec<Diagnostic> {
    Builder::new(paths.clone(), false)
        .unwrap()
        .check(confbook::output::build::CheckTypeset::Sample)
        .unwrap()
}

#[test]
fn a_stroke_index_heads_han_names_by_their_first_characters_strokes() {
    let names = [
        "謝文",
        "葉明",
        "陳志明",
        "林芳",
        "王大同",
        "吳英",
        "張文",
        "丁山",
    ];
    let (_dir, paths) = project("lang = \"zh\"\nindex_order = \"stroke\"", &names);
    let expected = [
        "2畫",
        "丁山",
        "4畫",
        "王大同",
        "7畫",
        "吳英",
        "8畫",
        "林芳",
        "10畫",
        "陳志明",
        "11畫",
        "張文",
        "12畫",
        "葉明",
        "17畫",
        "謝文",
    ];
    assert_in_order(&index_lines(&paths, "作者索引"), &expected);
}

#[test]
fn an_alphabetical_index_sorts_umlauts_and_n_tilde_with_their_letters() {
    // English collation: ü with u (Müller between Mahler and Munz, by given name with
    // Muller), ñ with n.
    let names = [
        "Katrin Muller",
        "Otto Munz",
        "Jon Müller",
        "Paul Mahler",
        "Eva Nuno",
        "Ana Ñúñez",
        "Luis Nuñez",
    ];
    let (_dir, paths) = project("lang = \"en\"", &names);
    let expected = [
        "M",
        "Mahler, Paul",
        "Müller, Jon",
        "Muller, Katrin",
        "Munz, Otto",
        "N",
        "Ñúñez, Ana",
        "Nuñez, Luis",
        "Nuno, Eva",
    ];
    assert_in_order(&index_lines(&paths, "Author Index"), &expected);
}

#[test]
fn a_reading_index_heads_gojuon_rows_and_check_names_a_name_without_one() {
    let readings = "[readings]\n\"山田太郎\" = \"やまだ たろう\"\n\"後藤健\" = \"ごとう けん\"\n\"加藤明\" = \"かとう あきら\"\n\"佐藤花子\" = \"さとう はなこ\"";
    let names = ["鈴木一郎", "山田太郎", "後藤健", "佐藤花子", "加藤明"];
    let booklet = format!("lang = \"zh\"\nindex_order = \"reading\"\n\n{readings}");
    let (dir, paths) = project(&booklet, &names);
    // A chair of a printed session without a reading: after the headings, and warned.
    let program = "[[session]]\nid = \"s1\"\ntitle = \"Talks\"\ndate = \"2027-06-10\"\nstart = \"09:00\"\nend = \"10:00\"\nchairs = [\"高橋進\"]\nrecords = [\"T-01..T-05\"]\n";
    fs::write(dir.path().join("content/program.toml"), program).unwrap();
    let expected = [
        "か",
        "加藤明",
        "後藤健",
        "さ",
        "佐藤花子",
        "や",
        "山田太郎",
        "#",
        "鈴木一郎",
        "高橋進",
    ];
    assert_in_order(&index_lines(&paths, "作者索引"), &expected);

    let diagnostics = check(&paths);
    let missing: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.message.contains("has no reading"))
        .collect();
    assert_eq!(missing.len(), 2, "{diagnostics:#?}");
    let about = |file: &str| {
        let path = dir.path().join(file);
        *missing.iter().find(|d| d.path == path).expect(file)
    };
    let (speaker, chair) = (
        about("content/abstracts/T-01.md"),
        about("content/program.toml"),
    );
    assert_eq!(speaker.severity, Severity::Warning);
    assert_eq!(speaker.id.as_deref(), Some("T-01"));
    assert!(speaker.message.contains("鈴木一郎"), "{}", speaker.message);
    assert_eq!(speaker.line, Some(5), "the speakers line");
    assert_eq!(chair.severity, Severity::Warning);
    assert_eq!(chair.id.as_deref(), Some("s1"));
    assert!(chair.message.contains("高橋進"), "{}", chair.message);
    assert_eq!(chair.line, Some(7), "the chairs line");
}

#[test]
fn a_bad_index_order_is_refused_at_its_line() {
    let (dir, paths) = project("lang = \"en\"\nindex_order = \"by-height\"", &["Ann Lee"]);
    let diagnostics = check(&paths);
    let booklet = dir.path().join("content/booklet.toml");
    let d = diagnostics
        .iter()
        .find(|d| d.path == booklet && d.severity == Severity::Error)
        .unwrap_or_else(|| panic!("no error for booklet.toml: {diagnostics:#?}"));
    assert_eq!(d.line, Some(4), "{d:?}");
    assert!(d.message.contains("by-height"), "{}", d.message);
    assert!(
        d.message.contains("stroke"),
        "names the orders: {}",
        d.message
    );
    assert!(Builder::new(paths.clone(), false).unwrap().build().is_err());
    assert!(!paths.pdf().exists());
}

/// Each language orders and heads its index its own way, from `lang` alone: German
/// ü with u, Swedish Å Ä Ö after Z (English strings: Swedish has no table), Spanish
/// Ñ after N, traditional Chinese by strokes, Korean by Hangul initials, Japanese by
/// the readings' gojūon rows.
#[test]
fn each_language_orders_and_heads_its_index_its_own_way() {
    let cjk = "\n[fonts]\ndirs = [\"/usr/share/fonts/opentype/noto\"]";
    let ja = format!(
        "lang = \"ja\"{cjk}\n\n[readings]\n\"山田太郎\" = \"やまだ たろう\"\n\"加藤明\" = \"かとう あきら\"\n\"佐藤花子\" = \"さとう はなこ\""
    );
    let cases: [(String, &str, &[&str], &[&str]); 6] = [
        (
            "lang = \"de\"".into(),
            "Autorenverzeichnis",
            &["Otto Munz", "Jon Müller", "Katrin Muller", "Paul Mahler"],
            &[
                "M",
                "Mahler, Paul",
                "Müller, Jon",
                "Muller, Katrin",
                "Munz, Otto",
            ],
        ),
        (
            "lang = \"sv\"".into(),
            "Author Index",
            &[
                "Åsa Åkesson",
                "Per Zetterberg",
                "Eva Andersson",
                "Olle Östlund",
            ],
            &[
                "A",
                "Andersson, Eva",
                "Z",
                "Zetterberg, Per",
                "Å",
                "Åkesson, Åsa",
                "Ö",
                "Östlund, Olle",
            ],
        ),
        (
            "lang = \"es\"".into(),
            "Índice de autores",
            &["Luis Nuñez", "Ana Ñúñez", "Eva Nuno"],
            &["N", "Nuno, Eva", "Nuñez, Luis", "Ñ", "Ñúñez, Ana"],
        ),
        (
            format!("lang = \"zh-Hant\"{cjk}"),
            "作者索引",
            &["謝文", "丁山", "王大同"],
            &["2畫", "丁山", "4畫", "王大同", "17畫", "謝文"],
        ),
        (
            format!("lang = \"ko\"{cjk}"),
            "저자 색인",
            &["최유진", "김민수", "이서연", "강하늘", "박지훈"],
            &[
                "ㄱ",
                "강하늘",
                "김민수",
                "ㅂ",
                "박지훈",
                "ㅇ",
                "이서연",
                "ㅊ",
                "최유진",
            ],
        ),
        (
            ja,
            "著者索引",
            &["山田太郎", "佐藤花子", "加藤明"],
            &["か", "加藤明", "さ", "佐藤花子", "や", "山田太郎"],
        ),
    ];
    for (booklet, heading, names, expected) in cases {
        let (_dir, paths) = project(&booklet, names);
        assert_in_order(&index_lines(&paths, heading), expected);
    }
}
