//! The layout of `content/` and the shapes of its `booklet.toml` and `program.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::macros::format_description;
use time::{Date, Time};

use super::author_index::IndexOrder;
use crate::model::{Lang, Section};

/// Where record files live, below the content directory.
pub const ABSTRACTS_DIR: &str = "abstracts";

/// The file name of a record: `S-041.md`.
pub fn file_name(id: &str) -> String {
    format!("{id}.md")
}

/// The file name without `.md`: the id a record file must have.
pub fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `content/booklet.toml`: facts about the book itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booklet {
    /// The conference, as the source names it.
    pub conference: String,
    /// The book's own title (论文汇编).
    pub title: String,
    /// The language of the book, a BCP 47 tag ("zh", "zh-TW", "ja", "de"): its
    /// fixed strings, quotes, faces, line breaking and index.
    #[serde(default)]
    pub lang: Lang,
    /// Fixed strings of `layouts/lib/strings.typ` replaced for this book: key → text
    /// (the keys are checked against [`STRING_KEYS`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub strings: BTreeMap<String, String>,
    /// Where the fonts that are not in `fonts/` are found (the CJK faces of a
    /// Japanese, Korean or traditional-Chinese book).
    #[serde(default, skip_serializing_if = "Fonts::is_empty")]
    pub fonts: Fonts,
    /// The author index's order and headings: "pinyin", "stroke", "reading" or
    /// "alphabetical"; without it, the language's own ([`IndexOrder::default_for`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_order: Option<IndexOrder>,
    /// Per-person readings for the author index: pinyin where a surname's reading is
    /// disputed (full name → "zhai2 zhi4 min3"); in a Japanese book, the kana reading
    /// of each name in kanji (full name → "やまだ たろう").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub readings: BTreeMap<String, String>,
    /// Trim, bleed, marks, binding.
    #[serde(default)]
    pub print: crate::model::print::PrintProfile,
    /// The parts of the book in order. Where none are listed, each section key the
    /// records use is a part, titled with the key, in order of the first record.
    #[serde(rename = "section", default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// Designed cover artwork, or a logo on the generated cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<super::parts::CoverArt>,
    /// The book's parts in order (see [`super::parts`]); none: the default order.
    #[serde(rename = "part", default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<toml::Spanned<super::parts::Part>>,
}

/// The keys of the fixed strings booklet.toml's `[strings]` may replace: every text
/// of a table in `layouts/lib/strings.typ` (its functions and lists, such as `date`
/// and `weekdays`, are changed there).
pub const STRING_KEYS: [&str; 22] = [
    "contents",
    "programme",
    "index",
    "notes",
    "abstracts",
    "talks",
    "number",
    "title-speaker",
    "page",
    "time",
    "board",
    "chairs",
    "chair",
    "chair-sep",
    "continued",
    "page-sep",
    "keywords",
    "keyword-sep",
    "label-sep",
    "name-sep",
    "table",
    "figure",
];

/// booklet.toml's `[fonts]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fonts {
    /// Folders of font files read besides the project's `fonts/` (relative to
    /// `content/`, or absolute): `["/usr/share/fonts/opentype/noto"]`.
    #[serde(default)]
    pub dirs: Vec<String>,
}

impl Fonts {
    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

    /// The folders of [`Fonts::dirs`] of the project in `content` (its booklet.toml
    /// read for them alone: the fonts are loaded before the content is). A file that
    /// does not parse gives none; the content check reports it.
    pub fn of_project(content: &Path) -> Vec<std::path::PathBuf> {
        #[derive(Deserialize)]
        struct OnlyFonts {
            #[serde(default)]
            fonts: Fonts,
        }
        let text = std::fs::read_to_string(content.join("booklet.toml")).unwrap_or_default();
        let fonts =
            toml::from_str::<OnlyFonts>(&text).map_or_else(|_| Fonts::default(), |f| f.fonts);
        fonts.dirs.iter().map(|d| content.join(d)).collect()
    }
}

impl Booklet {
    /// The author index's order: booklet.toml's, or the language's own.
    pub fn index_order(&self) -> IndexOrder {
        let default = || IndexOrder::default_for(self.lang.tag());
        self.index_order.unwrap_or_else(default)
    }

    /// The section `key` names, if the booklet lists it.
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }
}

/// `content/program.toml`: the sessions of the conference, for handouts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, from = "ProgramFile")]
pub struct Program {
    #[serde(rename = "session", default)]
    pub sessions: Vec<Session>,
}

/// program.toml as parsed, each session with where its table stands in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramFile {
    #[serde(rename = "session", default)]
    sessions: Vec<toml::Spanned<Session>>,
}

impl From<ProgramFile> for Program {
    fn from(file: ProgramFile) -> Program {
        let placed = |spanned: toml::Spanned<Session>| Session {
            span: Some(spanned.span()),
            ..spanned.into_inner()
        };
        Program {
            sessions: file.sessions.into_iter().map(placed).collect(),
        }
    }
}

/// A session of the programme. Its talks are `talks` (each with its own times) or
/// `records` (ids or ranges; the session's time is divided evenly among them). A
/// poster session's entries get no times: they are listed by board number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "SessionKind::is_talks")]
    pub kind: SessionKind,
    /// "2026-11-24".
    #[serde(
        default,
        serialize_with = "date_text",
        deserialize_with = "read_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<Date>,
    /// "08:30".
    #[serde(
        default,
        serialize_with = "clock_text",
        deserialize_with = "read_clock",
        skip_serializing_if = "Option::is_none"
    )]
    pub start: Option<Time>,
    #[serde(
        default,
        serialize_with = "clock_text",
        deserialize_with = "read_clock",
        skip_serializing_if = "Option::is_none"
    )]
    pub end: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// 主持人.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chairs: Vec<String>,
    /// Own pages or artwork its handout adds after the abstracts (a floor map), as
    /// booklet.toml's parts name them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<String>,
    /// Record ids or inclusive ranges "S-001..S-138".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub talks: Vec<Talk>,
    /// Where its table stands in program.toml (bytes, from its `[[session]]` line to
    /// its last value), for diagnostics.
    #[serde(skip)]
    pub span: Option<std::ops::Range<usize>>,
}

/// What a session holds: talks at their times, or posters on numbered boards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    #[default]
    Talks,
    Posters,
}

impl SessionKind {
    fn is_talks(&self) -> bool {
        *self == SessionKind::Talks
    }
}

/// A talk with its own time slot, or a poster on its board.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Talk {
    pub id: String,
    /// A poster's board number (poster sessions only; by default its place in the list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<u32>,
    #[serde(
        default,
        serialize_with = "clock_text",
        deserialize_with = "read_clock",
        skip_serializing_if = "Option::is_none"
    )]
    pub start: Option<Time>,
    #[serde(
        default,
        serialize_with = "clock_text",
        deserialize_with = "read_clock",
        skip_serializing_if = "Option::is_none"
    )]
    pub end: Option<Time>,
}

/// "2026-11-24".
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// "08:30" (or "8:30").
pub fn parse_time(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    if m.len() != 2 || h.is_empty() || h.len() > 2 {
        return None;
    }
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// "08:30".
pub fn format_time(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// A date as program.toml writes it.
fn date_text<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    let text = date.map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()));
    text.serialize(s)
}

/// A date of program.toml; one that is no date is an error at its place.
fn read_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    let text = String::deserialize(d)?;
    match parse_date(&text) {
        Some(date) => Ok(Some(date)),
        None => Err(D::Error::custom(format!(
            "`{text}` is not a date like 2026-11-24"
        ))),
    }
}

/// A time of day as program.toml writes it.
fn clock_text<S: Serializer>(time: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
    time.map(format_time).serialize(s)
}

/// A time of day of program.toml; one that is no time is an error at its place.
fn read_clock<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
    let text = String::deserialize(d)?;
    match parse_time(&text) {
        Some(time) => Ok(Some(time)),
        None => Err(D::Error::custom(format!(
            "`{text}` is not a time like 08:30"
        ))),
    }
}
