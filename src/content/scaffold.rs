//! The `content/` that `confbook new` starts a project with: `booklet.toml` (the
//! conference, title, language, sections, print profile and parts, each commented),
//! `program.toml` (one example day), a welcome page, and an example record per
//! section — or, for a project started from an exported table, its sections and no
//! example records (the table's are imported into it). The layouts and fonts are
//! built into confbook, so nothing else is needed to build.

use std::collections::BTreeMap;
use std::path::Path;

use thiserror::Error;

use super::error::FileError;
use super::generate::record_files;
use super::schema::{ABSTRACTS_DIR, Booklet};
use super::sync::write_files;
use crate::model::print::{Overrides, Print};
use crate::model::{Author, Record, Section};

/// What a new project is made of.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// booklet.toml's `lang`, as given (zh, en, …); the starter's texts are Chinese
    /// for a `zh` tag, English for any other.
    pub lang: String,
    /// booklet.toml's `[print] trim` (185x260mm, A4, B5, A5) [default: 185x260mm].
    pub trim: Option<String>,
    /// The sections of a table to import; `None`: the starter's own sections, each
    /// with an example record and a session in program.toml.
    pub sections: Option<Vec<Section>>,
}

#[derive(Debug, Error)]
pub enum NewError {
    #[error(transparent)]
    InUse(#[from] crate::files::InUse),
    /// The options make a booklet.toml that does not read back (a bad --trim).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Write(#[from] FileError),
}

/// The files written, relative to the project folder, sorted.
pub type Written = Vec<String>;

/// Writes the project's `content/` below `dir`, which must be empty or missing unless
/// `force` (then files of the same name are replaced, as `import --force` replaces
/// them). Nothing is written when the options are bad.
pub fn write_new(dir: &Path, project: &NewProject, force: bool) -> Result<Written, NewError> {
    crate::files::refuse_in_use(dir, force)?;
    let starter = Starter::for_lang(&project.lang);
    let (sections, records) = match &project.sections {
        Some(sections) => (sections.clone(), Vec::new()),
        None => (starter.sections(), starter.records()),
    };
    let booklet = booklet_toml(starter, project, &sections);
    check_booklet(&booklet)?;
    let mut files: BTreeMap<String, String> = record_files(&records);
    files.insert("booklet.toml".into(), booklet);
    files.insert("program.toml".into(), program_toml(starter, &records));
    files.insert(WELCOME.into(), starter.welcome.into());
    let content = dir.join("content");
    write_files(&content, &files, force)?;
    // The records' folder, even without records: a project loads only with one.
    let abstracts = content.join(ABSTRACTS_DIR);
    std::fs::create_dir_all(&abstracts).map_err(|source| FileError::Io {
        path: abstracts,
        source,
    })?;
    Ok(files.keys().map(|rel| format!("content/{rel}")).collect())
}

/// The welcome page, below `content/`.
const WELCOME: &str = "pages/welcome.md";

/// The booklet.toml made must read back and its print profile resolve: a bad
/// `--trim` is refused before anything is written.
fn check_booklet(text: &str) -> Result<(), NewError> {
    let booklet: Booklet =
        toml::from_str(text).map_err(|e| NewError::Invalid(format!("booklet.toml: {e}")))?;
    Print::resolve(&booklet.print, &Overrides::default())
        .map(|_| ())
        .map_err(|e| NewError::Invalid(format!("--trim: {e}")))
}

/// A TOML string literal.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn booklet_toml(starter: &Starter, project: &NewProject, sections: &[Section]) -> String {
    let trim = project.trim.as_deref().unwrap_or("185x260mm");
    let mut text = format!(
        "\
# The book: the conference, its title and language, its sections in book order and
# how it is printed. `confbook check` names any mistake here with its line.

# The conference, as the cover and the running heads print it.
conference = {conference}
# The book's own title.
title = {title}
# The language of the fixed strings (contents, keywords…), of the index's order and
# of the faces.
lang = {lang}

# The sections in book order: `key` is what a record's `section` says, `title` the
# heading the book prints, `prefix` the start of its records' ids ({example}).
",
        conference = quoted(starter.conference),
        title = quoted(starter.title),
        lang = quoted(&project.lang),
        example = starter.id_example,
    );
    for section in sections {
        text.push_str(&format!(
            "[[section]]\nkey = {}\ntitle = {}\n",
            quoted(&section.key),
            quoted(&section.title)
        ));
        if let Some(prefix) = &section.prefix {
            text.push_str(&format!("prefix = {}\n", quoted(prefix)));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "\
# How it is printed: the trim (185x260mm, A4, B5 or A5), the bleed around it, crop
# marks, and the binding (perfect or saddle; both pad to a multiple of 4 pages).
# `confbook build --screen` makes a screen PDF from the same book.
[print]
trim = {trim}
bleed = \"3mm\"
marks = false
binding = \"perfect\"

# The book's parts in order. An own page is Markdown or Typst under content/; a
# designer's PDF is `insert = \"inserts/ad.pdf\"`; `builtin = \"notes\"` adds pages
# for notes.
[[part]]
builtin = \"cover\"

[[part]]
page = \"{WELCOME}\"

[[part]]
builtin = \"contents\"

[[part]]
builtin = \"programme\"

[[part]]
builtin = \"sections\"

[[part]]
builtin = \"index\"
",
        trim = quoted(trim),
    ));
    text
}

/// One example day: a session per example record; commented out when the records
/// come from a table (their times are not known yet).
fn program_toml(starter: &Starter, records: &[Record]) -> String {
    let mut sessions = String::new();
    let examples: Vec<(String, &str)> = match records.is_empty() {
        true => vec![("K-1".to_string(), starter.session_titles[0])],
        false => records
            .iter()
            .zip(starter.session_titles)
            .map(|(r, t)| (r.id.clone(), t))
            .collect(),
    };
    for (n, (id, title)) in examples.iter().enumerate() {
        let (start, end) = [("09:00", "09:45"), ("10:15", "10:30")][n % 2];
        sessions.push_str(&format!(
            "\
[[session]]
id = \"session-{}\"
title = {}
date = \"2027-05-20\"
start = \"{start}\"
end = \"{end}\"
room = {}
chairs = [{}]
talks = [{{ id = {}, start = \"{start}\", end = \"{end}\" }}]

",
            n + 1,
            quoted(title),
            quoted(starter.room),
            quoted(starter.chairs[n % 2]),
            quoted(id),
        ));
    }
    let intro = "\
# The timetable: a session per [[session]], with its date, times, room and chairs,
# and its talks — each with its own times (`talks`), or `records = [\"O-01\", \"O-02\"]`
# (or a range \"O-01..O-08\") sharing the session's time evenly. The book prints a page
# per day; `confbook handouts` makes a handout per session. Sessions in the same
# room at the same time, or a chair in two rooms at once, are errors.

";
    match records.is_empty() {
        false => format!("{intro}{sessions}"),
        true => {
            let commented: String = sessions
                .lines()
                .map(|l| match l.is_empty() {
                    true => "\n".to_string(),
                    false => format!("# {l}\n"),
                })
                .collect();
            format!(
                "{intro}# An example day: remove the #s and put your sessions' ids.\n{commented}"
            )
        }
    }
}

/// The starter's texts in one language.
struct Starter {
    conference: &'static str,
    title: &'static str,
    id_example: &'static str,
    /// (key, title, prefix, id of its example record)
    sections: [(&'static str, &'static str, &'static str, &'static str); 2],
    /// Each example record: title, author, affiliation, keywords, body.
    records: [[&'static str; 5]; 2],
    session_titles: [&'static str; 2],
    room: &'static str,
    /// A chair per session (one chair for both would be listed twice on one page of
    /// the index).
    chairs: [&'static str; 2],
    welcome: &'static str,
}

impl Starter {
    fn for_lang(lang: &str) -> &'static Starter {
        let primary = lang.split(['-', '_']).next().unwrap_or_default();
        match primary.eq_ignore_ascii_case("zh") {
            true => &ZH,
            false => &EN,
        }
    }

    fn sections(&self) -> Vec<Section> {
        let section = |(key, title, prefix, _): &(&str, &str, &str, &str)| Section {
            key: key.to_string(),
            title: title.to_string(),
            prefix: Some(prefix.to_string()),
        };
        self.sections.iter().map(section).collect()
    }

    fn records(&self) -> Vec<Record> {
        let record = |((key, _, _, id), [title, author, affiliation, keywords, body]): (
            &(&str, &str, &str, &str),
            &[&str; 5],
        )| Record {
            id: id.to_string(),
            section: key.to_string(),
            title: title.to_string(),
            title_en: None,
            affiliations: vec![affiliation.to_string()],
            keywords: Some(keywords.split(';').map(|k| k.trim().to_string()).collect()),
            paragraphs: body.split("\n\n").map(str::to_string).collect(),
            authors: Author::speakers([author.to_string()], 1),
        };
        self.sections
            .iter()
            .zip(&self.records)
            .map(record)
            .collect()
    }
}

static EN: Starter = Starter {
    conference: "Example Conference 2027",
    title: "Programme and Abstracts",
    id_example: "K-1, O-01",
    sections: [
        ("keynote", "Keynote Lectures", "K", "K-1"),
        ("oral", "Oral Presentations", "O", "O-01"),
    ],
    records: [
        [
            "An example keynote: what a record holds",
            "Alex Example",
            "Department of Examples, Sample University, Sampletown",
            "example; record; keynote",
            "This is an example abstract. Each abstract is one file in content/abstracts/, \
             named by its id: the front matter between the +++ lines holds its id, section, \
             title, authors, affiliations and keywords, and the text below it is the \
             abstract, in Markdown: *emphasis*, **strong**, H~2~O, x^2^ and $E = m c^2$.\n\n\
             Replace this record with your own, or import a submission system's export with \
             confbook import abstracts.csv; then delete this file.",
        ],
        [
            "An example talk: authors and their affiliations",
            "Sam Sample",
            "Institute of Illustration, Example City",
            "example; oral presentation",
            "Background: a structured abstract starts its paragraphs with a label and a \
             colon.\n\nMethods: the presenting author is marked in the book and set in \
             bold in the author index.\n\nResults: each record appears in the contents, \
             the programme and the index.\n\nConclusion: edit, then run confbook build.",
        ],
    ],
    session_titles: ["Opening Keynote", "Oral Session 1"],
    room: "Main Hall",
    chairs: ["Jo Chair", "Kim Moderator"],
    welcome: "\
+++
title = \"Welcome\"
+++

Dear colleagues,

welcome to the **Example Conference 2027**. This page is content/pages/welcome.md:
an own page of the book, written in Markdown. Change it, or list other pages as
parts in content/booklet.toml.

*The organising committee*
",
};

static ZH: Starter = Starter {
    conference: "第一届示例学术会议",
    title: "论文汇编",
    id_example: "PL-01、S-001",
    sections: [
        ("plenary", "大会报告", "PL", "PL-01"),
        ("oral", "专题报告", "S", "S-001"),
    ],
    records: [
        [
            "示例大会报告：一篇摘要由哪些部分组成",
            "王示例",
            "示例大学医学院，北京 100000",
            "示例；摘要；大会报告",
            "这是一篇示例摘要。每篇摘要是 content/abstracts/ 下以编号命名的一个文件：\
             +++ 之间的前置信息写编号、栏目、标题、作者、单位和关键词，其后是正文，\
             可用 Markdown 标记 *强调*、**加粗**、H~2~O、x^2^ 和公式 $E = m c^2$。\n\n\
             请换成自己的摘要，或用 confbook import abstracts.csv 导入投稿系统导出的表格，\
             然后删除本文件。",
        ],
        [
            "示例专题报告：作者与单位",
            "李样例",
            "示例研究所，上海 200000",
            "示例；专题报告",
            "目的：结构式摘要的段落以标签和冒号开头。\n\n\
             方法：报告人在书中标出，在作者索引中以粗体页码列出。\n\n\
             结果：每篇摘要都列入目录、日程和索引。\n\n\
             结论：修改后运行 confbook build。",
        ],
    ],
    session_titles: ["大会报告", "专题报告（一）"],
    room: "主会场",
    chairs: ["张主持", "赵主持"],
    welcome: "\
+++
title = \"欢迎辞\"
+++

各位同道：

欢迎参加**第一届示例学术会议**。

本页是书中用 Markdown 写的自有页面，文件在 content/pages/welcome.md。请修改本页，
或在 booklet.toml 的 parts 中列出其他页面。

会议组委会
",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn new_in(lang: &str, sections: Option<Vec<Section>>) -> (tempfile::TempDir, Written) {
        let dir = tempfile::tempdir().unwrap();
        let project = NewProject {
            lang: lang.into(),
            trim: None,
            sections,
        };
        let written = write_new(dir.path(), &project, false).unwrap();
        (dir, written)
    }

    #[test]
    fn a_new_project_loads_clean_in_either_language() {
        for (lang, id) in [("zh", "PL-01"), ("en", "K-1")] {
            let (dir, written) = new_in(lang, None);
            assert!(
                written.contains(&format!("content/abstracts/{id}.md")),
                "{written:?}"
            );
            let content = crate::content::load(&dir.path().join("content")).unwrap();
            assert_eq!(content.records.len(), 2, "{lang}");
            assert_eq!(content.booklet.sections.len(), 2);
            assert_eq!(content.program.sessions.len(), 2);
            assert_eq!(content.pages.len(), 1, "the welcome page");
        }
    }

    #[test]
    fn a_project_for_a_table_has_its_sections_and_no_sessions() {
        let sections = vec![Section {
            key: "poster".into(),
            title: "Poster".into(),
            prefix: Some("P".into()),
        }];
        let (dir, written) = new_in("en", Some(sections.clone()));
        assert!(
            !written.iter().any(|w| w.contains("abstracts/")),
            "{written:?}"
        );
        let content = crate::content::load(&dir.path().join("content")).unwrap();
        assert_eq!(content.booklet.sections, sections);
        assert!(content.program.sessions.is_empty());
    }

    #[test]
    fn a_folder_in_use_or_a_bad_trim_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let project = NewProject {
            lang: "en".into(),
            trim: None,
            sections: None,
        };
        let err = write_new(dir.path(), &project, false).unwrap_err();
        assert!(err.to_string().contains("is not empty"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        let bad = NewProject {
            trim: Some("Letterish".into()),
            ..project
        };
        let err = write_new(empty.path(), &bad, false).unwrap_err();
        assert!(err.to_string().contains("--trim"), "{err}");
        assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
    }
}
