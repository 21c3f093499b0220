//! Books in any language (issue 32): small projects in German, French, Japanese,
//! Korean, traditional Chinese and Swedish, written here, each built and read back
//! from its PDF — the strings of each language, its quotation marks, the CJK faces
//! with their glyph forms, Korean lines broken only between words — and the errors
//! and warnings of booklet.toml's `lang`, `[strings]` and `[fonts]`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::{confbook_in, copy_dir, mutool_draw, page_texts, poppler, repo, text};

/// Where Debian's fonts-noto-cjk puts its collections (`.ci/run` installs it).
const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto";

/// A project written for a test, built into its `out/`.
struct Book {
    dir: tempfile::TempDir,
    /// Each page's text.
    pages: Vec<String>,
}

impl Book {
    fn pdf(&self) -> PathBuf {
        self.dir.path().join("out/booklet.pdf")
    }

    fn text(&self) -> String {
        self.pages.join("\n")
    }
}

/// One abstract: id, title, presenters, body.
type Abstract<'a> = (&'a str, &'a str, &'a [&'a str], &'a str);

/// Writes a project: booklet.toml with `lang` and `extra` settings, one section of
/// `records`, all in one session on Thursday 10 June 2027 (so the book has a
/// programme); the repository's layouts and fonts.
fn project(lang: &str, extra: &str, section: &str, records: &[Abstract]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    fs::create_dir_all(content.join("abstracts")).unwrap();
    let booklet = format!(
        "conference = \"Testkonferenz 2027\"\ntitle = \"{section}\"\nlang = \"{lang}\"\n{extra}\n\n\
         [[section]]\nkey = \"talks\"\ntitle = \"{section}\"\nprefix = \"T\"\n"
    );
    fs::write(content.join("booklet.toml"), booklet).unwrap();
    let ids: Vec<String> = records.iter().map(|r| format!("\"{}\"", r.0)).collect();
    let program = format!(
        "[[session]]\nid = \"s1\"\ntitle = \"{section}\"\ndate = \"2027-06-10\"\nstart = \"09:00\"\n\
         end = \"10:00\"\nroom = \"A\"\nchairs = [\"{}\"]\nrecords = [{}]\n",
        records[0].2[0],
        ids.join(", ")
    );
    fs::write(content.join("program.toml"), program).unwrap();
    for (id, title, speakers, body) in records {
        let speakers: Vec<String> = speakers.iter().map(|s| format!("\"{s}\"")).collect();
        let record = format!(
            "+++\nid = \"{id}\"\nsection = \"talks\"\ntitle = '''{title}'''\nspeakers = [{}]\naffiliations = [\"X\"]\n+++\n\n{body}\n",
            speakers.join(", ")
        );
        fs::write(content.join(format!("abstracts/{id}.md")), record).unwrap();
    }
    copy_dir(&repo().join("layouts"), &dir.path().join("layouts"));
    std::os::unix::fs::symlink(repo().join("fonts"), dir.path().join("fonts")).unwrap();
    dir
}

/// Builds a project written by [`project`]; the build must succeed.
fn build(dir: tempfile::TempDir) -> Book {
    let out = confbook_in(dir.path(), &["build", "--out", &out_dir(&dir)]);
    assert!(
        out.status.success(),
        "build failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let pages = page_texts(&dir.path().join("out/booklet.pdf"));
    Book { dir, pages }
}

/// Where a project's book is written.
fn out_dir(dir: &tempfile::TempDir) -> String {
    dir.path().join("out").to_string_lossy().into_owned()
}

/// The book of a project written by [`project`], built once for this module.
fn once(
    cell: &'static OnceLock<Book>,
    lang: &str,
    extra: &str,
    section: &str,
    records: &[Abstract],
) -> &'static Book {
    cell.get_or_init(|| build(project(lang, extra, section, records)))
}

/// `[fonts]` naming the CJK collections.
fn cjk_fonts() -> String {
    format!("\n[fonts]\ndirs = [\"{NOTO_CJK}\"]")
}

fn german() -> &'static Book {
    static BOOK: OnceLock<Book> = OnceLock::new();
    once(
        &BOOK,
        "de",
        "\n[strings]\nindex = \"Verzeichnis der Autorinnen und Autoren\"",
        "Vorträge",
        &[
            (
                "T-1",
                "Knochendichte im Alter",
                &["Jana Müller"],
                "Wir maßen die \"Knochendichte\" von 120 Frauen; die Werte waren 'deutlich' niedriger.",
            ),
            (
                "T-2",
                "Bewegung und Bruchrisiko",
                &["Lukas Muller"],
                "Regelmäßige Bewegung senkte das Risiko um ein Drittel.",
            ),
        ],
    )
}

fn french() -> &'static Book {
    static BOOK: OnceLock<Book> = OnceLock::new();
    once(
        &BOOK,
        "fr",
        "",
        "Communications",
        &[
            (
                "T-1",
                "La densité osseuse après soixante ans",
                &["Claire Dubois"],
                "Les patientes décrivent une \"fatigue\" durable après la fracture.",
            ),
            (
                "T-2",
                "Activité physique et fractures",
                &["Marc Lefèvre"],
                "Une marche quotidienne réduit le risque de chute.",
            ),
        ],
    )
}

fn japanese() -> &'static Book {
    static BOOK: OnceLock<Book> = OnceLock::new();
    once(
        &BOOK,
        "ja",
        &cjk_fonts(),
        "一般演題",
        &[
            (
                "T-1",
                "骨粗鬆症の直接的な評価",
                &["山田花子"],
                "患者の多くは\"痛みが少ない\"と答えた。骨密度は直ちに測定した。",
            ),
            (
                "T-2",
                "高齢者の転倒予防",
                &["佐藤一郎"],
                &japanese_paragraph(),
            ),
        ],
    )
}

/// A paragraph thick with what Japanese lines may not start with (small kana, the
/// long-vowel mark, closing brackets and stops) or end with (opening brackets).
fn japanese_paragraph() -> String {
    let phrases = [
        "ちょっとした段差でも転倒が起きる。",
        "「キャッシュレス」の買い物ではショッピングカートを使った。",
        "ミュージックに合わせたエクササイズ（ウォーキングとストレッチ）を続けた。",
        "ジョギングやヨーガ、シャッフルダンスを選んだ人もいた。",
    ];
    (0..24).map(|i| phrases[(i * 3) % 4]).collect()
}

/// What a Japanese line does not start with, and what it does not end with (JIS X
/// 4051 / jlreq line-breaking rules).
const NOT_AT_START: &str = "、。，．・：；？！ー」』）ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ";
const NOT_AT_END: &str = "「『（";

/// Korean words of which none is a part of another: a line that ends or starts
/// with a piece of a word shows as a piece that is not on this list.
const KOREAN_WORDS: [&str; 16] = [
    "골다공증은",
    "뼈의",
    "강도가",
    "약해져서",
    "골절의",
    "위험이",
    "높아지는",
    "질환이다.",
    "우리는",
    "환자들의",
    "골밀도를",
    "측정하고",
    "생활",
    "습관을",
    "조사하였다.",
    "그결과",
];

fn korean_paragraph() -> String {
    let words: Vec<&str> = (0..200).map(|i| KOREAN_WORDS[(i * 7) % 16]).collect();
    words.join(" ")
}

fn korean() -> &'static Book {
    static BOOK: OnceLock<Book> = OnceLock::new();
    let body = korean_paragraph();
    once(
        &BOOK,
        "ko",
        &cjk_fonts(),
        "일반 발표",
        &[
            ("T-1", "노년기 뼈 건강 연구", &["김민준"], &body),
            (
                "T-2",
                "노인의 낙상 예방",
                &["이서연"],
                "매일 걷기가 \"낙상\"을 줄였다.",
            ),
        ],
    )
}

fn traditional() -> &'static Book {
    static BOOK: OnceLock<Book> = OnceLock::new();
    once(
        &BOOK,
        "zh-TW",
        &cjk_fonts(),
        "專題報告",
        &[
            (
                "T-1",
                "骨質疏鬆症的長期追蹤",
                &["陳美玲"],
                "多數患者表示\"疼痛減輕\"，骨密度明顯上升。",
            ),
            (
                "T-2",
                "高齡者跌倒的預防",
                &["林志明"],
                "每日散步使跌倒次數減少。",
            ),
        ],
    )
}

/// The printed text has each of `wanted`, spaces and line breaks aside (pdftotext
/// puts spaces between CJK characters; a two-character heading is spaced out: 目　次).
fn assert_prints(book: &Book, wanted: &[&str]) {
    let text = book.text();
    let bare = |s: &str| s.replace(['\u{3000}', ' ', '\n'], "");
    for w in wanted {
        assert!(
            bare(&text).contains(&bare(w)),
            "`{w}` not printed in:\n{text}"
        );
    }
}

#[test]
fn a_german_book_prints_german_strings_dates_and_quotes() {
    let book = german();
    assert_prints(
        book,
        &[
            "Inhalt",
            "Programm",
            "Donnerstag, 10. Juni 2027",
            "„Knochendichte“",
            "‚deutlich‘",
        ],
    );
    // booklet.toml's [strings] replaces the table's text.
    assert_prints(book, &["Verzeichnis der Autorinnen und Autoren"]);
    assert!(!book.text().contains("Autorenverzeichnis"));
}

/// A handout is in the book's language too: its date, its chairs' label, its count.
#[test]
fn a_german_handout_prints_german_strings() {
    let book = german();
    let out = book.dir.path().join("handout-out");
    let run = confbook_in(
        book.dir.path(),
        &["handouts", "--out", &out.to_string_lossy()],
    );
    assert!(
        run.status.success(),
        "{}{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    let handout = page_texts(&out.join("handouts/s1.pdf")).join("\n");
    for wanted in [
        "Donnerstag, 10. Juni 2027",
        "Vorsitz",
        "2 Abstracts",
        "„Knochendichte“",
    ] {
        assert!(handout.contains(wanted), "`{wanted}` not in:\n{handout}");
    }
}

#[test]
fn a_french_book_prints_guillemets_with_narrow_spaces() {
    let book = french();
    // pdftotext leaves the narrow spaces out; MuPDF gives them, as spaces.
    assert_prints(
        book,
        &[
            "Sommaire",
            "Programme",
            "Index des auteurs",
            "jeudi 10 juin 2027",
            "«fatigue»",
        ],
    );
    let page = book
        .pages
        .iter()
        .position(|p| p.contains("«fatigue»"))
        .unwrap();
    let glyphs = glyphs(&book.pdf(), page + 1);
    let text: String = glyphs.iter().map(|g| g.c).collect();
    let at = text
        .find("« fatigue »")
        .expect("the guillemets and their spaces");
    let at = text[..at].chars().count();
    // The spaces inside are narrow: less than a fifth of the 10.5 pt body's em.
    for space in [&glyphs[at + 1], &glyphs[at + 9]] {
        let width = space.right - space.left;
        assert!(
            space.c == ' ' && width > 0.5 && width < 2.1,
            "a space of {width} pt"
        );
    }
}

#[test]
fn a_japanese_book_prints_japanese_strings_corner_brackets_and_jp_glyphs() {
    let book = japanese();
    assert_prints(
        book,
        &[
            "目次",
            "プログラム",
            "著者索引",
            "2027年6月10日（木）",
            "「痛みが少ない」",
        ],
    );
    // 直 and 骨 differ between the Japanese and the Chinese forms: drawn from the JP face.
    for c in ['直', '骨'] {
        let font = font_of(&book.pdf(), c).unwrap_or_else(|| panic!("{c} not found"));
        assert!(font.to_lowercase().contains("jp"), "{c} drawn from {font}");
    }
    let fonts = poppler("pdffonts", &[&book.pdf().to_string_lossy()]);
    assert!(!fonts.contains("NotoSerifSC"), "{fonts}");
    // Line breaking: no line of the long paragraph starts or ends with what it may not.
    let page = book
        .pages
        .iter()
        .position(|p| p.contains("シャッフルダンス"))
        .unwrap();
    let lines = crate::common::lines_of_chars(&book.pdf(), page + 1);
    let body: Vec<String> = lines
        .iter()
        .map(|l| l.iter().map(|c| c.0).collect::<String>())
        .filter(|l| l.chars().count() > 20)
        .collect();
    assert!(body.len() >= 10, "the paragraph takes many lines: {body:?}");
    for line in &body {
        let (first, last) = (line.chars().next().unwrap(), line.chars().last().unwrap());
        assert!(
            !NOT_AT_START.contains(first),
            "a line starts with {first}: {line}"
        );
        assert!(
            !NOT_AT_END.contains(last),
            "a line ends with {last}: {line}"
        );
    }
}

#[test]
fn a_traditional_chinese_book_prints_its_strings_brackets_and_tc_glyphs() {
    let book = traditional();
    assert_prints(
        book,
        &[
            "目錄",
            "議程",
            "作者索引",
            "2027年6月10日（星期四）",
            "「疼痛減輕」",
        ],
    );
    let font = font_of(&book.pdf(), '骨').expect("骨 printed");
    assert!(font.to_lowercase().contains("tc"), "骨 drawn from {font}");
}

#[test]
fn a_korean_book_prints_korean_strings_and_breaks_lines_only_between_words() {
    let book = korean();
    assert_prints(
        book,
        &[
            "차례",
            "프로그램",
            "저자 색인",
            "2027년 6월 10일 (목)",
            "“낙상”",
        ],
    );
    // 차례 as a word: a Hangul heading is not spaced out as 目　录 is.
    // (pdftotext gives the ideographic space as a space.)
    let text = book.text().replace('\u{3000}', " ");
    assert!(!text.contains("차 례"), "{text}");
    let font = font_of(&book.pdf(), '뼈').expect("뼈 printed");
    assert!(font.to_lowercase().contains("kr"), "뼈 drawn from {font}");
    // The 200-word paragraph: every line holds whole words only. Words are told
    // apart by the gaps between characters on a line (MuPDF's positions), so a word
    // broken at a line's end shows as a piece that is no word of the list.
    let page = book
        .pages
        .iter()
        .position(|p| p.contains("골다공증은"))
        .expect("the paragraph is printed");
    let lines: Vec<Vec<String>> = crate::common::lines_of_chars(&book.pdf(), page + 1)
        .iter()
        .map(|line| words_of(line))
        .filter(|words| words.iter().any(|w| KOREAN_WORDS.contains(&w.as_str())))
        .collect();
    assert!(
        lines.len() >= 8,
        "the paragraph takes many lines: {lines:?}"
    );
    for words in &lines {
        for word in words {
            assert!(
                KOREAN_WORDS.contains(&word.as_str()),
                "`{word}` is a broken word, in {words:?}"
            );
        }
    }
}

/// A line's characters grouped into words: a gap of more than 1.5 pt between two
/// characters is a space.
fn words_of(line: &[(char, f64, f64)]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut right = f64::NEG_INFINITY;
    for &(c, left, end) in line {
        match words.last_mut() {
            Some(word) if left - right <= 1.5 => word.push(c),
            _ => words.push(c.to_string()),
        }
        right = end;
    }
    words
}

/// An unknown language builds with the English strings, and `check` warns at its
/// line.
#[test]
fn an_unknown_language_warns_and_builds_in_english() {
    let records: &[Abstract] = &[
        (
            "T-1",
            "Benhälsa hos äldre",
            &["Åsa Åkesson"],
            "Vi mätte \"bentätheten\" hos 80 kvinnor.",
        ),
        (
            "T-2",
            "Fallprevention",
            &["Erik Zetterberg"],
            "Dagliga promenader minskade fallen.",
        ),
    ];
    let dir = project("sv", "", "Föredrag", records);
    let check = confbook_in(dir.path(), &["check"]);
    let said = text(&check.stdout) + &text(&check.stderr);
    assert!(check.status.success(), "{said}");
    assert!(said.contains("no strings for `sv`"), "{said}");
    assert!(said.contains("booklet.toml:3"), "{said}");
    let out = confbook_in(dir.path(), &["build", "--out", &out_dir(&dir)]);
    let said = text(&out.stdout) + &text(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("no strings for `sv`"),
        "build warns too: {said}"
    );
    let pages = page_texts(&dir.path().join("out/booklet.pdf"));
    let book = Book { dir, pages };
    assert_prints(
        &book,
        &[
            "Contents",
            "Programme",
            "Author Index",
            "Thursday 10 June 2027",
        ],
    );
}

#[test]
fn bad_tags_unknown_strings_and_missing_font_folders_are_errors_at_their_lines() {
    let records: &[Abstract] = &[("T-1", "Titel", &["A B"], "Text.")];
    let cases = [
        ("de_DE!", "", "booklet.toml:3", "not a BCP 47 language tag"),
        (
            "de",
            "\n[strings]\ncontnts = \"Inhalt\"",
            "booklet.toml:6",
            "no string `contnts`",
        ),
        (
            "ja",
            "\n[fonts]\ndirs = [\"/nonexistent/fonts\"]",
            "booklet.toml:6",
            "no folder /nonexistent/fonts",
        ),
    ];
    for (lang, extra, place, message) in cases {
        let dir = project(lang, extra, "Talks", records);
        let out = confbook_in(dir.path(), &["check"]);
        let said = text(&out.stdout) + &text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{lang}: {said}");
        assert!(
            said.contains(place) && said.contains(message),
            "{lang}: {said}"
        );
    }
}

/// Without its faces, a Japanese book's check names each family once, and the package.
#[test]
fn a_missing_cjk_family_is_named_with_its_package() {
    let records: &[Abstract] = &[("T-1", "骨の話", &["山田花子"], "本文。")];
    let dir = project("ja", "", "演題", records);
    let out = confbook_in(dir.path(), &["check"]);
    let said = text(&out.stdout) + &text(&out.stderr);
    assert_eq!(
        said.matches("unknown font family: noto serif cjk jp")
            .count(),
        1,
        "{said}"
    );
    assert!(said.contains("fonts-noto-cjk"), "{said}");
}

/// A character of a page as MuPDF's structured text gives it, spaces included.
struct Glyph {
    c: char,
    left: f64,
    right: f64,
    font: String,
}

/// Every character of page `page` (1-based) in content order.
fn glyphs(pdf: &Path, page: usize) -> Vec<Glyph> {
    let xml = mutool_draw(pdf, page, "stext");
    let mut out = Vec::new();
    for run in xml.split("<font name=\"").skip(1) {
        let font = run[..run.find('"').unwrap_or(0)].to_string();
        for c in run.split("<char ").skip(1) {
            let quad: Vec<f64> = c
                .split("quad=\"")
                .nth(1)
                .and_then(|q| q.split('"').next())
                .map(|q| q.split(' ').filter_map(|n| n.parse().ok()).collect())
                .unwrap_or_default();
            let Some(code) = c.split(" c=\"").nth(1).and_then(|r| r.split('"').next()) else {
                continue;
            };
            let ch = match code.strip_prefix("&#x").and_then(|h| h.strip_suffix(';')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                None => match code {
                    "&amp;" => Some('&'),
                    "&lt;" => Some('<'),
                    "&gt;" => Some('>'),
                    "&quot;" => Some('"'),
                    _ => code.chars().next(),
                },
            };
            if let (Some(c), [left, _, right, ..]) = (ch, quad.as_slice()) {
                out.push(Glyph {
                    c,
                    left: *left,
                    right: *right,
                    font: font.clone(),
                });
            }
        }
    }
    out
}

/// The name of the font that draws the first `c` of the book, if it is printed.
fn font_of(pdf: &Path, c: char) -> Option<String> {
    let pages = page_texts(pdf).len();
    (1..=pages).find_map(|page| {
        glyphs(pdf, page)
            .into_iter()
            .find(|g| g.c == c)
            .map(|g| g.font)
    })
}

/// The tables of layouts/lib/strings.typ are the ones Rust names (`STRINGS_TABLES`),
/// each with the same keys, and booklet.toml's `[strings]` may replace exactly
/// their texts (`STRING_KEYS`): the lists, functions and dates are the layouts'.
#[test]
fn the_strings_tables_and_their_keys_match_what_booklet_toml_may_name() {
    let typ = fs::read_to_string(repo().join("layouts/lib/strings.typ")).unwrap();
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for line in typ.lines() {
        if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(": (")) {
            tables.push((name.trim_matches('"').to_string(), Vec::new()));
        } else if let Some((key, _)) = line.strip_prefix("    ").and_then(|l| l.split_once(": ")) {
            tables
                .last_mut()
                .expect("a key inside a table")
                .1
                .push(key.to_string());
        }
    }
    let names: Vec<&str> = tables.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(names, confbook::model::lang::STRINGS_TABLES);
    let not_text = ["count", "pages-of", "weekdays", "date", "day"];
    for (name, keys) in &tables {
        let texts: Vec<&str> = keys
            .iter()
            .map(String::as_str)
            .filter(|k| !not_text.contains(k))
            .collect();
        assert_eq!(texts, confbook::content::STRING_KEYS, "{name}");
        assert_eq!(keys.len(), texts.len() + not_text.len(), "{name}: {keys:?}");
    }
}
