//! Loaded content → the data file the Typst layout reads (`/data/book.json`).
//!
//! Text reaches Typst only as JSON strings split into runs, never as markup, so a
//! `#` or `$` in a title prints as itself. The shape is documented in
//! `layouts/README.md`.

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::content::author_index::{self, IndexGroup};

use crate::content::parts::{
    Builtin, Fit, Insert, Inspected, Part, figure_resolution, inspect_insert, read_page,
};
use crate::content::schedule::{self, Scheduled, format_time};
use crate::content::{Content, SessionKind, text_fields};
use crate::markdown::{self, Block, Inline, Kind, MarkdownError};
use crate::model::lang::Script as Writing;
use crate::model::print::Print;
use crate::model::text::line_of;
use crate::model::{Lang, Record};
use crate::typeset::fonts::FontSet;
use crate::typeset::keep::{Script, keep_blocks, keep_title_end, keep_together};
use crate::typeset::punctuation::{
    Quotes, typographic, typographic_blocks, typographic_names, typographic_text,
};
use crate::typeset::{artwork, world};

/// A record whose text cannot be set.
#[derive(Debug, Error)]
pub enum BookError {
    #[error("{path}: record {id}, {field}: {source}")]
    Markup {
        path: String,
        id: String,
        field: String,
        source: MarkdownError,
    },
    #[error("{path}: record {id}: {message}")]
    Figure {
        path: String,
        id: String,
        message: String,
    },
    #[error("{path}:{line}: {message}")]
    Part {
        path: String,
        line: usize,
        message: String,
    },
    #[error(
        "{path}: record {id}, {field}: no font in fonts/ has the character `{ch}` (U+{code:04X})\n  hint: replace it, or add a font that covers it to fonts/"
    )]
    Uncovered {
        path: String,
        id: String,
        field: String,
        ch: char,
        code: u32,
    },
}

#[derive(Debug, Serialize)]
pub struct BookData {
    pub booklet: BookletData,
    pub print: Print,
    pub sections: Vec<SectionData>,
    /// The timetable by day, when sessions have dates and times (else empty: no
    /// programme part).
    pub programme: Vec<DayData>,
    pub index: Vec<IndexGroup>,
    /// The book's parts in order.
    pub parts: Vec<PartData>,
    pub cover: CoverData,
    /// Files the layout reads besides this data, by their path in the compiler's
    /// world: inserted PDF pages as SVG, and the book's language ([`LANG_PATH`]).
    #[serde(skip)]
    pub artwork: Vec<(String, Vec<u8>)>,
}

/// One part of the book as the layout sets it (`part` names the kind). Own pages and
/// inserts carry `id`, the label of their first page.
#[derive(Debug, Serialize)]
#[serde(tag = "part", rename_all = "kebab-case")]
pub enum PartData {
    Cover,
    Contents,
    Programme,
    /// Every section (`key` none) or one.
    Sections {
        key: Option<String>,
    },
    Index,
    Notes {
        min: usize,
    },
    Page {
        id: String,
        title: Option<String>,
        recto: bool,
        blocks: Vec<Block>,
    },
    /// A Typst file, included where it stands (`path` in the compiler's world).
    TypstPage {
        id: String,
        recto: bool,
        path: String,
    },
    Insert {
        id: String,
        title: String,
        contents: bool,
        /// One image per page, by its path in the compiler's world.
        files: Vec<String>,
        fit: Fit,
    },
}

/// One day of the programme: the rooms of its parallel sessions (the columns) and
/// its blocks of sessions that overlap in time.
#[derive(Debug, Serialize)]
pub struct DayData {
    pub date: DateData,
    pub rooms: Vec<String>,
    pub blocks: Vec<BlockData>,
}

/// Sessions running at the same time (parallel rooms), earliest first.
#[derive(Debug, Serialize)]
pub struct BlockData {
    pub start: String,
    pub end: String,
    pub sessions: Vec<SessionData>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateData {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    /// 0 Monday … 6 Sunday.
    pub weekday: u8,
}

/// A session as the programme and the handouts print it.
#[derive(Debug, Serialize)]
pub struct SessionData {
    pub id: String,
    pub title: String,
    pub date: Option<DateData>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub room: Option<String>,
    pub chairs: Vec<String>,
    /// A poster session: its entries have boards, not times.
    pub posters: bool,
    /// In time order where they have times, posters by board, else program order.
    pub talks: Vec<TalkData>,
}

#[derive(Debug, Serialize)]
pub struct TalkData {
    pub id: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub board: Option<u32>,
    pub title: Vec<Inline>,
    pub presenters: Vec<String>,
}

/// Where the layouts read the book's language ([`BookLang`]): `lib/lang.typ`.
pub const LANG_PATH: &str = "/data/lang.json";

/// A language as the layouts set text in it: the book's (in [`LANG_PATH`]) and each
/// record's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LangData {
    /// The BCP 47 tag: "zh-Hant-TW".
    pub tag: String,
    /// Typst's `text(lang:)`: "zh".
    pub lang: String,
    /// Typst's `text(region:)`: "tw", or none.
    pub region: Option<String>,
    /// "hans", "hant", "jpan", "kore" or "latn": the faces and the paragraph rules.
    pub script: Writing,
    /// Its table in `lib/strings.typ`: "en" for a language without one.
    pub strings: &'static str,
}

impl From<&Lang> for LangData {
    fn from(lang: &Lang) -> LangData {
        LangData {
            tag: lang.tag().to_string(),
            lang: lang.language().to_string(),
            region: lang.region(),
            script: lang.script(),
            strings: lang.strings().unwrap_or("en"),
        }
    }
}

/// The book's language and booklet.toml's `[strings]`, as [`LANG_PATH`] holds them.
#[derive(Debug, Serialize)]
pub struct BookLang {
    #[serde(flatten)]
    pub lang: LangData,
    pub overrides: std::collections::BTreeMap<String, String>,
}

impl BookLang {
    /// The file the layouts read, to serve at [`LANG_PATH`] beside the book's data.
    pub fn file(content: &Content) -> (String, Vec<u8>) {
        let lang = BookLang {
            lang: LangData::from(&content.booklet.lang),
            overrides: content.booklet.strings.clone(),
        };
        let json = serde_json::to_vec(&lang).expect("plain data serialises");
        (LANG_PATH.to_string(), json)
    }
}

#[derive(Debug, Serialize)]
pub struct BookletData {
    pub conference: String,
    pub title: String,
    pub lang: Lang,
}

#[derive(Debug, Serialize)]
pub struct SectionData {
    pub key: String,
    pub title: String,
    pub records: Vec<RecordData>,
}

#[derive(Debug, Serialize)]
pub struct RecordData {
    pub id: String,
    /// The book's language, or English in a CJK book for a record without CJK text
    /// (see [`Lang::of_record`]).
    pub lang: LangData,
    pub title: Vec<Inline>,
    pub title_en: Option<Vec<Inline>>,
    /// Who presents (the names a list of talks shows).
    pub presenters: Vec<String>,
    pub authors: Vec<AuthorData>,
    /// Authors carry affiliation numbers and the affiliations are numbered: the record
    /// lists its authors with more than one affiliation.
    pub numbered: bool,
    /// The presenting authors are marked (underlined): some author does not present.
    pub marked: bool,
    pub affiliations: Vec<String>,
    pub keywords: Option<Vec<Vec<Inline>>>,
    /// The abstract's text.
    pub body: Vec<Block>,
}

#[derive(Debug, Serialize)]
pub struct AuthorData {
    pub name: String,
    pub affiliations: Vec<usize>,
    pub presenting: bool,
}

/// Builds the layout's data, checking that every character can be printed.
pub fn book_data(content: &Content, print: Print, fonts: &FontSet) -> Result<BookData, BookError> {
    // Records are checked and converted on every core, while the artwork's PDF pages
    // are converted beside them; the first problem in book order is the one reported.
    let (checked, ()): (Vec<_>, ()) = rayon::join(
        || {
            let records = content.records.par_iter();
            records.map(|r| check_coverage(content, r, fonts)).collect()
        },
        || convert_artwork(content, &print),
    );
    checked.into_iter().collect::<Result<(), _>>()?;
    let sections = content
        .booklet
        .sections
        .iter()
        .map(|section| {
            let records: Vec<_> = content
                .records
                .par_iter()
                .filter(|r| r.section == section.key)
                .map(|r| record_data(content, r))
                .collect();
            let records = records.into_iter().collect::<Result<_, _>>()?;
            Ok(SectionData {
                key: section.key.clone(),
                title: section.title.clone(),
                records,
            })
        })
        .collect::<Result<Vec<_>, BookError>>()?;
    let programme = programme(content)?;
    let chairs = programme_chairs(&programme);
    let (parts, mut artwork) = parts(content, &print, !programme.is_empty())?;
    let mut index = author_index::build(
        &content.records,
        &chairs,
        &content.booklet.readings,
        content.booklet.lang.tag(),
        content.booklet.index_order(),
    );
    for entry in index.iter_mut().flat_map(|g| &mut g.entries) {
        entry.name = typographic_text(&entry.name);
    }
    let cover = cover(content, &print, &mut artwork)?;
    artwork.push(BookLang::file(content));
    Ok(BookData {
        booklet: BookletData {
            conference: content.booklet.conference.clone(),
            title: content.booklet.title.clone(),
            lang: content.booklet.lang.clone(),
        },
        print,
        programme,
        sections: sections
            .into_iter()
            .filter(|s| !s.records.is_empty())
            .collect(),
        index,
        parts,
        cover,
        artwork,
    })
}

/// The parts in order, own pages converted, inserts checked against their files; the
/// programme only where sessions have times (`timed`).
fn parts(content: &Content, print: &Print, timed: bool) -> Result<Parts, BookError> {
    let parts = content.parts();
    let mut out = Vec::with_capacity(parts.len());
    let mut artwork = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        let id = format!("part-{}", i + 1);
        if part == Part::Builtin(Builtin::Programme) && !timed {
            continue;
        }
        let place = |message| part_error(content, i, message);
        out.push(part_data(content, part, id, print, &mut artwork, &place)?);
    }
    Ok((out, artwork))
}

/// One part's data: own pages converted, inserts checked against their files (a PDF's
/// pages added to `artwork` as SVG). `place` puts a problem with the part's file
/// where the part is named.
pub fn part_data(
    content: &Content,
    part: Part,
    id: String,
    print: &Print,
    artwork: &mut Vec<(String, Vec<u8>)>,
    place: &dyn Fn(String) -> BookError,
) -> Result<PartData, BookError> {
    Ok(match part {
        Part::Builtin(b) => match b {
            Builtin::Cover => PartData::Cover,
            Builtin::Contents => PartData::Contents,
            Builtin::Programme => PartData::Programme,
            Builtin::Sections(key) => PartData::Sections { key },
            Builtin::Index => PartData::Index,
            Builtin::Notes { min } => PartData::Notes { min },
        },
        Part::Page { path, recto } if path.ends_with(".typ") => PartData::TypstPage {
            id,
            recto,
            path: format!("/{}/{path}", world::CONTENT_ROOT),
        },
        Part::Page { path, recto } => own_page(content, &path, id, recto, place)?,
        Part::Insert(insert) => {
            let files = insert_files(content, &insert, print, &id, artwork).map_err(place)?;
            let stem = insert.path.rsplit('/').next().unwrap_or_default();
            PartData::Insert {
                id,
                title: insert.title.clone().unwrap_or_else(|| stem.to_string()),
                contents: insert.contents,
                files,
                fit: insert.fit,
            }
        }
    })
}

/// Converts every PDF page the parts and the cover place, in parallel, into
/// `artwork`'s cache: the parts then find them converted. Problems are left for the
/// parts to report where they are named.
fn convert_artwork(content: &Content, print: &Print) {
    let parts = content.parts();
    let inserts = parts.iter().filter_map(|p| match p {
        Part::Insert(i) => Some(i.clone()),
        _ => None,
    });
    let cover = content
        .booklet
        .cover
        .iter()
        .flat_map(|c| c.pages())
        .map(|(_, i)| i);
    let pdf = |i: &Insert| i.path.to_ascii_lowercase().ends_with(".pdf");
    let pdfs: Vec<Insert> = inserts.chain(cover).filter(pdf).collect();
    pdfs.par_iter().for_each(|insert| {
        if let Ok(file) = inspect_insert(&content.dir, insert, print)
            && !file.pages.is_empty()
        {
            let _ = artwork::pdf_pages_as_svg(&file.bytes, &file.pages);
        }
    });
}

/// The files that place `insert`'s pages, by their path in the compiler's world: an
/// image as it is, a PDF's pages converted to SVG (added to `artwork`, named after
/// `id`). The error says what is wrong with the file.
fn insert_files(
    content: &Content,
    insert: &Insert,
    print: &Print,
    id: &str,
    artwork: &mut Vec<(String, Vec<u8>)>,
) -> Result<Vec<String>, String> {
    let Inspected { pages, bytes } = inspect_insert(&content.dir, insert, print)?;
    if pages.is_empty() {
        return Ok(vec![format!("/{}/{}", world::CONTENT_ROOT, insert.path)]);
    }
    let path = &insert.path;
    let svgs = artwork::pdf_pages_as_svg(&bytes, &pages).map_err(|e| format!("{path}: {e}"))?;
    let mut files = Vec::new();
    for (page, svg) in pages.iter().zip(svgs) {
        let file = format!("/artwork/{id}-page-{page}.svg");
        artwork.push((file.clone(), svg.as_bytes().to_vec()));
        files.push(file);
    }
    Ok(files)
}

/// The cover as the layout sets it: artwork pages (front, inside front, inside
/// back, back), each a page's file, or the generated cover with an optional logo.
#[derive(Debug, Default, Serialize)]
pub struct CoverData {
    pub front: Option<String>,
    pub inside_front: Option<String>,
    pub inside_back: Option<String>,
    pub back: Option<String>,
    pub logo: Option<String>,
}

/// booklet.toml's `[cover]`: each artwork's first page, placed over the trim and
/// the bleed.
fn cover(
    content: &Content,
    print: &Print,
    artwork: &mut Vec<(String, Vec<u8>)>,
) -> Result<CoverData, BookError> {
    let Some(art) = &content.booklet.cover else {
        return Ok(CoverData::default());
    };
    let mut cover = CoverData {
        logo: art
            .logo
            .as_ref()
            .map(|l| format!("/{}/{l}", world::CONTENT_ROOT)),
        ..CoverData::default()
    };
    for (key, insert) in art.pages() {
        let files = insert_files(content, &insert, print, &format!("cover-{key}"), artwork)
            .map_err(|message| cover_error(content, key, message))?;
        let page = files.into_iter().next();
        match key {
            "front" => cover.front = page,
            "inside_front" => cover.inside_front = page,
            "inside_back" => cover.inside_back = page,
            _ => cover.back = page,
        }
    }
    Ok(cover)
}

/// An error at `key` of `[cover]` in booklet.toml.
fn cover_error(content: &Content, key: &str, message: String) -> BookError {
    let at = |text: &str| {
        let found = text
            .find(&format!("{key} ="))
            .or_else(|| text.find("[cover]"));
        found.unwrap_or(0)
    };
    error_at(&content.dir.join("booklet.toml"), at, message)
}

/// An error at the line of `file` where `at` finds the place (a byte offset in its
/// text; the file is read again only for an error).
pub fn error_at(file: &Path, at: impl FnOnce(&str) -> usize, message: String) -> BookError {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    BookError::Part {
        path: file.display().to_string(),
        line: line_of(&text, at(&text)),
        message,
    }
}

/// The parts' data, and the artwork files they place.
pub type Parts = (Vec<PartData>, Vec<(String, Vec<u8>)>);

/// A Markdown page: its title (the front matter's, else its first level-1 heading,
/// taken out of the text) and its blocks.
fn own_page(
    content: &Content,
    path: &str,
    id: String,
    recto: bool,
    place: &dyn Fn(String) -> BookError,
) -> Result<PartData, BookError> {
    // The book's parts' pages are loaded with the content; a handout's are read here.
    let read;
    let page = match content.pages.iter().find(|p| p.path == path) {
        Some(page) => page,
        None => {
            read = read_page(&content.dir, path).map_err(|e| place(e.to_string()))?;
            &read
        }
    };
    let mut blocks = markdown::blocks(&page.body, Kind::Page).map_err(|e| BookError::Part {
        path: content.dir.join(path).display().to_string(),
        line: page.body_line + page.body[..e.at].matches('\n').count(),
        message: e.to_string(),
    })?;
    typographic_blocks(&mut blocks, Quotes::of(&content.booklet.lang));
    let mut title = page.title.clone();
    if title.is_none()
        && let Some(Block::Heading { level: 1, runs }) = blocks.first()
    {
        title = Some(markdown::plain_runs(runs));
        blocks.remove(0);
    }
    Ok(PartData::Page {
        id,
        title,
        recto,
        blocks,
    })
}

/// An error at the `i`th `[[part]]` of booklet.toml.
fn part_error(content: &Content, i: usize, message: String) -> BookError {
    let at = content.booklet.parts.get(i).map_or(0, |p| p.span().start);
    error_at(&content.dir.join("booklet.toml"), |_| at, message)
}

/// The dated sessions by day, each day's sessions grouped into blocks of
/// overlapping time.
fn programme(content: &Content) -> Result<Vec<DayData>, BookError> {
    let (sessions, _problems) = schedule::schedule(&content.program, &content.records);
    let mut timed: Vec<&Scheduled> = sessions.iter().filter(|s| s.when().is_some()).collect();
    timed.sort_by_key(|s| (s.when(), s.index));
    let mut days: Vec<DayData> = Vec::new();
    for s in timed {
        let (date, start, end) = s.when().expect("filtered to timed sessions");
        let data = session_data(content, s)?;
        if days.last().is_none_or(|d| d.date != date_data(date)) {
            days.push(DayData {
                date: date_data(date),
                rooms: Vec::new(),
                blocks: Vec::new(),
            });
        }
        let day = days.last_mut().expect("pushed above");
        let (start, end) = (format_time(start), format_time(end));
        match day.blocks.last_mut() {
            // Sessions are in start order: one that starts before the block ends runs
            // beside it.
            Some(block) if start < block.end => {
                if end > block.end {
                    block.end = end;
                }
                block.sessions.push(data);
            }
            _ => day.blocks.push(BlockData {
                start,
                end,
                sessions: vec![data],
            }),
        }
    }
    for day in &mut days {
        day.rooms = parallel_rooms(&day.blocks);
        for block in &mut day.blocks {
            let column = |s: &SessionData| {
                let room = s.room.clone().unwrap_or_default();
                day.rooms.iter().position(|x| *x == room)
            };
            block.sessions.sort_by_key(|s| column(s));
        }
    }
    Ok(days)
}

/// The rooms of a day's parallel sessions, in order of first use: the programme's
/// columns (a session alone in its block spans them all).
fn parallel_rooms(blocks: &[BlockData]) -> Vec<String> {
    let mut rooms: Vec<String> = Vec::new();
    let parallel = blocks.iter().filter(|b| b.sessions.len() > 1);
    // A parallel session without a room gets a column of its own, headed by nothing.
    let named = |s: &SessionData| s.room.clone().unwrap_or_default();
    for room in parallel.flat_map(|b| b.sessions.iter().map(named)) {
        if !rooms.contains(&room) {
            rooms.push(room);
        }
    }
    rooms
}

/// (chair, session id) of every session the programme prints.
fn programme_chairs(days: &[DayData]) -> Vec<(String, String)> {
    let sessions = days
        .iter()
        .flat_map(|d| &d.blocks)
        .flat_map(|b| &b.sessions);
    sessions
        .flat_map(|s| s.chairs.iter().map(|c| (c.clone(), s.id.clone())))
        .collect()
}

fn date_data(date: time::Date) -> DateData {
    DateData {
        year: date.year(),
        month: date.month().into(),
        day: date.day(),
        weekday: date.weekday().number_days_from_monday(),
    }
}

/// A session's data: its times as text, its talks with their titles and presenters,
/// in time order.
pub fn session_data(content: &Content, s: &Scheduled) -> Result<SessionData, BookError> {
    let slots = s.talks_in_order();
    let mut talks = Vec::with_capacity(slots.len());
    for slot in slots {
        let Some(record) = content.records.iter().find(|r| r.id == slot.id) else {
            continue;
        };
        talks.push(TalkData {
            id: slot.id.clone(),
            start: slot.start.map(format_time),
            end: slot.end.map(format_time),
            board: slot.board,
            title: {
                let quotes = Quotes::of(&record.lang(&content.booklet.lang));
                field_runs(content, record, "title", &record.title, quotes)?
            },
            presenters: typographic_names(&record.presenters()),
        });
    }
    Ok(SessionData {
        id: s.session.id.clone(),
        title: s.session.title.clone(),
        date: s.session.date.map(date_data),
        start: s.session.start.map(format_time),
        end: s.session.end.map(format_time),
        room: s.session.room.clone(),
        chairs: typographic_names(&s.session.chairs),
        posters: s.session.kind == SessionKind::Posters,
        talks,
    })
}

/// A field of `record` as runs, its quotes set in `quotes`; markup that does not
/// parse names the record file.
fn field_runs(
    content: &Content,
    record: &Record,
    field: &str,
    text: &str,
    quotes: Quotes,
) -> Result<Vec<Inline>, BookError> {
    let mut runs = markdown::inlines(text).map_err(|source| BookError::Markup {
        path: record_path(content, record),
        id: record.id.clone(),
        field: field.to_string(),
        source,
    })?;
    typographic(&mut runs, quotes);
    // A title keeps its codes whole too (`FLS-KS`), by its own script's rules.
    let script = Script::of(text);
    let mut runs = keep_together(runs, script);
    if field == "title" && script == Script::Han {
        keep_title_end(&mut runs);
    }
    Ok(runs)
}

fn record_path(content: &Content, record: &Record) -> String {
    content
        .dir
        .join(crate::content::ABSTRACTS_DIR)
        .join(crate::content::file_name(&record.id))
        .display()
        .to_string()
}

/// One record as the layout receives it (also the shape of `/data/handout.json`'s
/// records).
pub fn record_data(content: &Content, r: &Record) -> Result<RecordData, BookError> {
    let lang = r.lang(&content.booklet.lang);
    let quotes = Quotes::of(&lang);
    let runs = |field: &str, text: &str| field_runs(content, r, field, text, quotes);
    Ok(RecordData {
        id: r.id.clone(),
        lang: LangData::from(&lang),
        title: runs("title", &r.title)?,
        title_en: r
            .title_en
            .as_deref()
            .map(|t| field_runs(content, r, "title_en", t, Quotes::ENGLISH))
            .transpose()?,
        presenters: typographic_names(&r.presenters()),
        authors: r
            .authors
            .iter()
            .map(|a| AuthorData {
                name: typographic_text(&a.name),
                affiliations: a.affiliations.clone(),
                presenting: a.presenting,
            })
            .collect(),
        numbered: !r.short_form() && r.affiliations.len() > 1,
        marked: r.marks_presenters(),
        affiliations: r.affiliations.clone(),
        keywords: r
            .keywords
            .as_ref()
            .map(|k| k.iter().map(|w| runs("keywords", w)).collect())
            .transpose()?,
        body: body(content, r, &lang)?,
    })
}

/// A record's paragraphs as one Markdown text, converted; Chinese body text keeps its
/// codes and numbers with units on one line, Korean its words, as its language
/// (`lang`) sets them.
fn body(content: &Content, r: &Record, lang: &Lang) -> Result<Vec<Block>, BookError> {
    let text = r.paragraphs.join("\n\n");
    let mut blocks = markdown::blocks(&text, Kind::Record).map_err(|source| {
        // Paragraphs hold no blank line: the separators before the problem count them.
        let paragraph = text[..source.at].matches("\n\n").count() + 1;
        BookError::Markup {
            path: record_path(content, r),
            id: r.id.clone(),
            field: format!("paragraph {paragraph}"),
            source,
        }
    })?;
    for (src, width) in figures(&blocks) {
        check_figure(content, src, width).map_err(|message| BookError::Figure {
            path: record_path(content, r),
            id: r.id.clone(),
            message,
        })?;
    }
    let script = match lang.script() {
        Writing::Latn => Script::Latin,
        Writing::Kore => Script::Hangul,
        Writing::Hans | Writing::Hant | Writing::Jpan => Script::Han,
    };
    typographic_blocks(&mut blocks, Quotes::of(lang));
    keep_blocks(&mut blocks, script);
    Ok(blocks)
}

/// The figures of `blocks` (in lists and quotes too): each file and its width.
fn figures(blocks: &[Block]) -> Vec<(&str, Option<&str>)> {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Figure { src, width, .. } => out.push((src.as_str(), width.as_deref())),
            Block::List { items, .. } => items.iter().for_each(|i| out.extend(figures(i))),
            Block::Quote { blocks } => out.extend(figures(blocks)),
            _ => {}
        }
    }
    out
}

/// A figure's file is under content/ and, a raster image, holds 300 ppi at its
/// printed width (its share of the measure; the measure taken as the trim less the
/// margins' proportions in lib/style.typ's `type-area`, before it is rounded to
/// whole characters).
fn check_figure(content: &Content, src: &str, width: Option<&str>) -> Result<(), String> {
    let bytes = std::fs::read(content.dir.join(src))
        .map_err(|_| format!("the figure {src} is not a file under content/"))?;
    let print =
        Print::resolve(&content.booklet.print, &Default::default()).map_err(|e| e.to_string())?;
    let share = width
        .and_then(|w| w.trim_end_matches('%').parse::<f64>().ok())
        .map_or(1.0, |p| p / 100.0);
    let measure = print.width * (1.0 - (24.0 + 20.2) / 185.0);
    figure_resolution(src, &bytes, measure * share)
}

/// Every character of a record that no font in `fonts` has, with the field it is
/// in (`title`, `paragraph 2`, `speakers[0]` …): each once per field, in field order.
/// The book refuses the first; `check` reports them all.
pub fn uncovered<'a>(
    record: &'a Record,
    fonts: &'a FontSet,
) -> impl Iterator<Item = (String, char)> + 'a {
    text_fields(record).flat_map(move |(field, text)| {
        let mut seen = BTreeSet::new();
        text.chars()
            .filter(move |&c| {
                !c.is_whitespace() && !c.is_control() && !fonts.covers(c) && seen.insert(c)
            })
            .map(move |c| (field.clone(), c))
    })
}

/// Every printable character of a record must be in some shipped font.
fn check_coverage(content: &Content, r: &Record, fonts: &FontSet) -> Result<(), BookError> {
    match uncovered(r, fonts).next() {
        Some((field, ch)) => Err(BookError::Uncovered {
            path: record_path(content, r),
            id: r.id.clone(),
            field,
            ch,
            code: ch as u32,
        }),
        None => Ok(()),
    }
}
