//! Markdown → book data: the one converter of a record's text and of the book's own
//! pages. A CommonMark parser (pulldown-cmark) reads the text; this module keeps what
//! the book's subset knows and turns it into blocks and runs the layouts set
//! (`layouts/lib/blocks.typ`). Text reaches Typst only as JSON strings, never as
//! markup: a `#`, `$` or `<` prints as itself.
//!
//! The subset: paragraphs, `*em*`, `**strong**`, `~sub~`, `^sup^`, `$math$`, links,
//! bulleted and numbered lists, pipe tables, `$$display math$$` and figures
//! (`![caption](figures/x.png)` alone in its paragraph). Pages add headings, block
//! quotes and rules. Anything else prints as the text it was written as.

pub mod escape;
pub mod html;
mod math;

use std::iter::Peekable;
use std::ops::Range;

use pulldown_cmark::{
    Alignment, CodeBlockKind, Event, LinkType, OffsetIter, Options, Parser, Tag, TagEnd,
};
use serde::Serialize;
use thiserror::Error;

use crate::model::text::{is_latinish, split_label};

pub use escape::escape;
pub use math::MathError;

/// A piece of running text as the layout receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Inline {
    #[serde(rename = "t")]
    Text(String),
    /// Text to keep on one line (set in a box): see `typeset::keep`.
    #[serde(rename = "keep")]
    Keep(String),
    #[serde(rename = "sub")]
    Sub(String),
    #[serde(rename = "sup")]
    Sup(String),
    /// A sub/superscript kept on one line ("fl/fl" never breaks at its slash).
    #[serde(rename = "sub-box")]
    SubBox(String),
    #[serde(rename = "sup-box")]
    SupBox(String),
    #[serde(rename = "em")]
    Emph(Vec<Inline>),
    #[serde(rename = "strong")]
    Strong(Vec<Inline>),
    /// Typst math, converted from the LaTeX the text holds.
    #[serde(rename = "math")]
    Math(String),
    #[serde(rename = "link")]
    Link(Link),
    #[serde(rename = "br")]
    LineBreak(bool),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub url: String,
    pub body: Vec<Inline>,
}

/// A block as the layout receives it (`kind` names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Block {
    /// A paragraph; in a record, with the structured abstract's label it opens with
    /// (目的, Methods).
    Par {
        label: Option<&'static str>,
        runs: Vec<Inline>,
    },
    Heading {
        level: u8,
        runs: Vec<Inline>,
    },
    List {
        /// The first item's number; none for a bulleted list.
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    /// A table with a header row; `align` per column: "left", "center", "right" or
    /// none.
    /// Its caption: a paragraph next to it that starts `Table:` or `表：`.
    Table {
        caption: Vec<Inline>,
        align: Vec<Option<&'static str>>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Equation {
        math: String,
    },
    /// An image alone in its paragraph; `src` relative to `content/`.
    Figure {
        src: String,
        caption: Vec<Inline>,
        /// The width the image's title gives (`"width=60%"`), else the image's own.
        width: Option<String>,
    },
    Quote {
        blocks: Vec<Block>,
    },
    Rule,
}

/// What the text is: a record's body (labels, no headings), or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Record,
    Page,
}

/// Text the book cannot set, at byte `at` of the text (its `character`, counted
/// from 1, for messages).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{problem} (at character {character})")]
pub struct MarkdownError {
    pub at: usize,
    pub character: usize,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    #[error("`{0}` is never closed: write `\\{0}` for the character itself")]
    Unclosed(char),
    #[error("empty `{0}{0}`")]
    Empty(char),
    #[error("a figure stands alone in its paragraph: `{0}`")]
    FigureInText(String),
    #[error(
        "the figure `{0}` is not a file under content/ (a relative path such as figures/x.png)"
    )]
    FigurePath(String),
    #[error("a figure's width is a percentage of the measure up to 100% (`width=60%`), not `{0}`")]
    FigureWidth(String),
    #[error("{0}")]
    Math(#[from] MathError),
}

/// A record's body or a page as blocks.
pub fn blocks(text: &str, kind: Kind) -> Result<Vec<Block>, MarkdownError> {
    let mut c = Converter::new(text, kind);
    c.blocks()
}

/// A title, keyword or name: the inline subset; a line that Markdown would read as a
/// block (`# x`, `1. x`, `- x`) prints as written.
pub fn inlines(text: &str) -> Result<Vec<Inline>, MarkdownError> {
    let one_line: String = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let (guarded, shift) = escape::guard_block_start(&one_line);
    let mut c = Converter::new(&guarded, Kind::Record);
    c.labels = false;
    let blocks = c.blocks().map_err(|e| MarkdownError {
        at: e.at.saturating_sub(shift),
        character: e.character.saturating_sub(shift).max(1),
        ..e
    })?;
    Ok(blocks
        .into_iter()
        .flat_map(|b| match b {
            Block::Par { runs, .. } => runs,
            // Nothing else can come of one guarded line.
            _ => Vec::new(),
        })
        .collect())
}

/// The text as plain characters: markup removed, sub/superscripts as Unicode where
/// all their characters have a form (1,25(OH)₂D₃, Ca²⁺), math as its source. Text that
/// does not convert is returned as written.
pub fn plain(text: &str) -> String {
    match inlines(text) {
        Ok(runs) => plain_runs(&runs),
        Err(_) => text.to_string(),
    }
}

/// The reverse of [`escape()`] for text that is plain but for its sub/superscripts:
/// that text with only `~`, `^` and `\\` escaped, as a table's cell holds it (import
/// escapes it again); none for richer text.
pub fn unescape(text: &str) -> Option<String> {
    let runs = inlines(text).ok()?;
    let mut out = String::with_capacity(text.len());
    for run in &runs {
        match run {
            Inline::Text(t) => {
                // A backslash is text but before a marker or a backslash.
                let mut chars = t.chars().peekable();
                while let Some(c) = chars.next() {
                    let next = chars.peek().copied();
                    if matches!(c, '~' | '^')
                        || (c == '\\' && matches!(next, Some('~' | '^' | '\\')))
                    {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Inline::Sub(s) => out.push_str(&format!("~{s}~")),
            Inline::Sup(s) => out.push_str(&format!("^{s}^")),
            _ => return None,
        }
    }
    Some(out)
}

/// The plain text of runs (see [`plain`]).
pub fn plain_runs(runs: &[Inline]) -> String {
    let mut out = String::new();
    for run in runs {
        match run {
            Inline::Text(t) | Inline::Keep(t) | Inline::Math(t) => out.push_str(t),
            Inline::Sub(t) | Inline::SubBox(t) => out.push_str(&scripted(t, SUBSCRIPTS)),
            Inline::Sup(t) | Inline::SupBox(t) => out.push_str(&scripted(t, SUPERSCRIPTS)),
            Inline::Emph(rs) | Inline::Strong(rs) => out.push_str(&plain_runs(rs)),
            Inline::Link(l) => out.push_str(&plain_runs(&l.body)),
            Inline::LineBreak(_) => out.push(' '),
        }
    }
    out
}

const SUBSCRIPTS: [char; 12] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉', '₊', '₋'];
const SUPERSCRIPTS: [char; 12] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹', '⁺', '⁻'];

fn scripted(text: &str, forms: [char; 12]) -> String {
    let form = |c: char| match c {
        '0'..='9' => Some(forms[c as usize - '0' as usize]),
        '+' => Some(forms[10]),
        '-' => Some(forms[11]),
        _ => None,
    };
    text.chars()
        .map(form)
        .collect::<Option<String>>()
        .unwrap_or_else(|| text.to_string())
}

fn options() -> Options {
    // Sub- and superscripts are read here, not by the parser: its rules for `~` and
    // `^` (those of `_`) refuse them inside words, as in `Arid1a^fl/fl^小鼠`.
    Options::ENABLE_TABLES | Options::ENABLE_MATH
}

/// An inline piece before sub/superscripts are paired: a run, or a `~`/`^` marker at
/// a byte of the text.
enum Piece {
    Run(Inline),
    Marker(char, usize),
}

/// Walks the parser's events, one block or inline container per call.
struct Converter<'a> {
    text: &'a str,
    kind: Kind,
    /// Paragraphs open with a structured abstract's label (a record's body).
    labels: bool,
    events: Peekable<OffsetIter<'a>>,
    /// The last two characters set, and a soft line break waiting for the next text:
    /// wrapped lines join as `model::text::join` joins them.
    last: (Option<char>, Option<char>),
    pending_break: bool,
}

type Result<T, E = MarkdownError> = std::result::Result<T, E>;

impl<'a> Converter<'a> {
    fn new(text: &'a str, kind: Kind) -> Self {
        Self {
            text,
            kind,
            labels: kind == Kind::Record,
            events: Parser::new_ext(text, options())
                .into_offset_iter()
                .peekable(),
            last: (None, None),
            pending_break: false,
        }
    }

    /// Blocks up to the end of the enclosing container (consumed) or of the text.
    fn blocks(&mut self) -> Result<Vec<Block>> {
        let mut out = Vec::new();
        while let Some((event, range)) = self.events.peek().cloned() {
            if is_inline(&event) {
                // A tight list's item: its text without a paragraph.
                let runs = self.inlines()?;
                push_par(&mut out, runs, None);
                continue;
            }
            self.events.next();
            match event {
                Event::End(_) => break,
                Event::Start(tag) => self.block(tag, range, &mut out)?,
                Event::Rule if self.kind == Kind::Page => out.push(Block::Rule),
                Event::DisplayMath(tex) => out.push(self.equation(&tex, range)?),
                _ => push_par(&mut out, vec![self.literal(range)], None),
            }
        }
        attach_captions(&mut out);
        Ok(out)
    }

    fn block(&mut self, tag: Tag<'a>, range: Range<usize>, out: &mut Vec<Block>) -> Result<()> {
        let page = self.kind == Kind::Page;
        match tag {
            Tag::Paragraph => {
                if let Some(figure) = self.figure()? {
                    out.push(figure);
                    return Ok(());
                }
                self.paragraph(out)?;
            }
            Tag::Heading { level, .. } if page => {
                let runs = self.inlines()?;
                self.events.next();
                out.push(Block::Heading {
                    level: level as u8,
                    runs,
                });
            }
            Tag::BlockQuote(_) if page => {
                let blocks = self.blocks()?;
                out.push(Block::Quote { blocks });
            }
            Tag::List(start) => {
                let mut items = Vec::new();
                while let Some((Event::Start(Tag::Item), _)) = self.events.peek() {
                    self.events.next();
                    self.last = (None, None);
                    items.push(self.blocks()?);
                }
                self.events.next(); // End(List)
                out.push(Block::List { start, items });
            }
            Tag::Table(align) => out.push(self.table(&align)?),
            Tag::CodeBlock(CodeBlockKind::Indented) => {
                // Indented lines (a hand-wrapped paragraph's, most likely): their text.
                let text = self.skip_to_end();
                let text = self.joined(&text);
                push_par(out, vec![Inline::Text(text)], None);
            }
            _ => {
                // Not in the subset: the source as written.
                self.skip_to_end();
                push_par(out, vec![self.literal(range)], None);
            }
        }
        Ok(())
    }

    /// A paragraph's text (its Start read, its End read): its runs, and the display
    /// formulas (`$$…$$`) that stand within it as blocks between them.
    fn paragraph(&mut self, out: &mut Vec<Block>) -> Result<()> {
        let first = out.len();
        loop {
            let runs = self.inlines()?;
            push_par(out, runs, None);
            match self.events.next() {
                Some((Event::DisplayMath(tex), range)) => {
                    out.push(self.equation(&tex, range)?);
                    // The text after a display formula starts a line of its own.
                    self.pending_break = false;
                    self.last = (None, None);
                }
                _ => break, // End(Paragraph)
            }
        }
        if self.labels && out.len() > first {
            label_paragraph(&mut out[..=first]);
        }
        Ok(())
    }

    /// A display formula (`$$…$$`) at byte `range.start`.
    fn equation(&self, tex: &str, range: Range<usize>) -> Result<Block> {
        let math = math::to_typst(tex).map_err(|e| self.error(range.start, e.into()))?;
        Ok(Block::Equation { math })
    }

    /// A paragraph holding only an image (its Start(Paragraph) read): the figure,
    /// with End(Paragraph) read; else nothing read.
    fn figure(&mut self) -> Result<Option<Block>> {
        let Some((
            Event::Start(Tag::Image {
                dest_url, title, ..
            }),
            range,
        )) = self.events.peek().cloned()
        else {
            return Ok(None);
        };
        self.events.next();
        let caption = self.inlines()?;
        self.events.next(); // End(Image)
        match self.events.peek() {
            Some((Event::End(TagEnd::Paragraph), _)) => {
                self.events.next();
            }
            _ => {
                return Err(self.error(
                    range.start,
                    Problem::FigureInText(self.text[range].to_string()),
                ));
            }
        }
        if !crate::files::is_inner_path(&dest_url) {
            return Err(self.error(range.start, Problem::FigurePath(dest_url.to_string())));
        }
        let width = title
            .split_whitespace()
            .find_map(|w| w.strip_prefix("width="))
            .map(str::to_string);
        if let Some(w) = &width
            && !is_percentage(w)
        {
            return Err(self.error(range.start, Problem::FigureWidth(w.clone())));
        }
        Ok(Some(Block::Figure {
            src: dest_url.to_string(),
            caption,
            width,
        }))
    }

    fn table(&mut self, align: &[Alignment]) -> Result<Block> {
        let align = align
            .iter()
            .map(|a| match a {
                Alignment::None => None,
                Alignment::Left => Some("left"),
                Alignment::Center => Some("center"),
                Alignment::Right => Some("right"),
            })
            .collect();
        let mut header = Vec::new();
        let mut rows = Vec::new();
        while let Some((event, _)) = self.events.next() {
            match event {
                Event::Start(Tag::TableHead) => header = self.cells()?,
                Event::Start(Tag::TableRow) => rows.push(self.cells()?),
                _ => break, // End(Table)
            }
        }
        Ok(Block::Table {
            caption: Vec::new(),
            align,
            header,
            rows,
        })
    }

    /// A row's cells, up to the row's end (consumed).
    fn cells(&mut self) -> Result<Vec<Vec<Inline>>> {
        let mut cells = Vec::new();
        while let Some((Event::Start(Tag::TableCell), _)) = self.events.peek() {
            self.events.next();
            self.last = (None, None);
            cells.push(self.inlines()?);
            self.events.next(); // End(TableCell)
        }
        self.events.next(); // End(TableHead) or End(TableRow)
        Ok(cells)
    }

    /// Inline events up to the first that is not one (left unread), sub/superscripts
    /// paired, adjacent text merged.
    fn inlines(&mut self) -> Result<Vec<Inline>> {
        let mut out = Vec::new();
        while let Some((event, range)) = self.events.peek().cloned() {
            if !is_inline(&event) {
                break;
            }
            self.events.next();
            match event {
                Event::Text(text) => {
                    self.check_closed(&range)?;
                    self.text_pieces(&text, range, &mut out);
                }
                Event::SoftBreak => self.pending_break = true,
                Event::HardBreak => out.push(Piece::Run(Inline::LineBreak(true))),
                Event::InlineMath(tex) => {
                    let math =
                        math::to_typst(&tex).map_err(|e| self.error(range.start, e.into()))?;
                    self.note_set(&tex);
                    out.push(Piece::Run(Inline::Math(math)));
                }
                Event::Start(tag) => out.push(Piece::Run(self.inline(tag, range)?)),
                // Code spans, inline HTML, anything else: as written.
                _ => {
                    let text = self.joined(&self.text[range].to_string());
                    out.push(Piece::Run(Inline::Text(text)));
                }
            }
        }
        Ok(merge_text(self.pair_scripts(out)?))
    }

    /// A text event as pieces: its `~` and `^` as markers, unless the parser made the
    /// text of an entity, or the marker is escaped (`\~`: the character itself; the
    /// parser starts a text event at an escaped character, without its backslash).
    fn text_pieces(&mut self, text: &str, range: Range<usize>, out: &mut Vec<Piece>) {
        let as_written = self.text[range.clone()] == *text;
        let joined = self.joined(text);
        if !as_written {
            out.push(Piece::Run(Inline::Text(joined)));
            return;
        }
        // The joined text may start with a space the source does not have.
        let shift = joined.len() - text.len();
        let mut start = 0;
        let markers = joined
            .match_indices(['~', '^'])
            .filter(|(i, _)| *i >= shift && !self.escaped(range.start + i - shift));
        for (i, c) in markers {
            if i > start {
                out.push(Piece::Run(Inline::Text(joined[start..i].to_string())));
            }
            let marker = c.chars().next().expect("one character");
            out.push(Piece::Marker(marker, range.start + i - shift));
            start = i + c.len();
        }
        if start < joined.len() {
            out.push(Piece::Run(Inline::Text(joined[start..].to_string())));
        }
    }

    /// `~sub~` and `^sup^`: a marker opens, the next of the same kind closes, and
    /// what stands between is the script's text.
    fn pair_scripts(&self, pieces: Vec<Piece>) -> Result<Vec<Inline>> {
        let mut out = Vec::new();
        let mut open: Option<(char, usize, String)> = None;
        for piece in pieces {
            match (piece, &mut open) {
                (Piece::Marker(c, at), None) => open = Some((c, at, String::new())),
                (Piece::Marker(c, _), Some((m, at, content))) if c == *m => {
                    if content.is_empty() {
                        return Err(self.error(*at, Problem::Empty(c)));
                    }
                    let content = std::mem::take(content);
                    out.push(if c == '~' {
                        Inline::Sub(content)
                    } else {
                        Inline::Sup(content)
                    });
                    open = None;
                }
                (Piece::Marker(c, _), Some((_, _, content))) => content.push(c),
                (Piece::Run(run), Some((_, _, content))) => {
                    content.push_str(&plain_runs(std::slice::from_ref(&run)))
                }
                (Piece::Run(run), None) => out.push(run),
            }
        }
        match open {
            Some((m, at, _)) => Err(self.error(at, Problem::Unclosed(m))),
            None => Ok(out),
        }
    }

    fn inline(&mut self, tag: Tag<'a>, range: Range<usize>) -> Result<Inline> {
        let inner = |c: &mut Self| -> Result<Vec<Inline>> {
            let runs = c.inlines()?;
            c.events.next(); // the container's end
            Ok(runs)
        };
        Ok(match tag {
            Tag::Emphasis => Inline::Emph(inner(self)?),
            Tag::Strong => Inline::Strong(inner(self)?),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let mut body = inner(self)?;
                let url = dest_url.to_string();
                let printed_url =
                    matches!(link_type, LinkType::Autolink) || plain_runs(&body) == url;
                if let Some(doi) = url.strip_prefix("https://doi.org/").filter(|_| printed_url) {
                    body = vec![Inline::Text(format!("doi:{doi}"))];
                }
                match is_web_link(&url) {
                    true => Inline::Link(Link { url, body }),
                    // Not a link a reader can follow: its text only.
                    false => Inline::Text(plain_runs(&body)),
                }
            }
            Tag::Image { .. } => {
                return Err(self.error(
                    range.start,
                    Problem::FigureInText(self.text[range].to_string()),
                ));
            }
            _ => {
                self.skip_to_end();
                Inline::Text(self.text[range].to_string())
            }
        })
    }

    /// Text with a waiting soft break resolved against it.
    fn joined(&mut self, text: &str) -> String {
        let mut out = String::new();
        if std::mem::take(&mut self.pending_break) {
            let first = text.chars().next();
            let (before, last) = self.last;
            let compound = last == Some('-') && before.is_some_and(|c| c.is_ascii_alphanumeric());
            if last.is_some_and(is_latinish) && first.is_some_and(is_latinish) && !compound {
                out.push(' ');
            }
        }
        out.push_str(text);
        self.note_set(text);
        out
    }

    fn note_set(&mut self, text: &str) {
        let mut chars = text.chars().rev();
        match (chars.next(), chars.next()) {
            (Some(a), Some(b)) => self.last = (Some(b), Some(a)),
            (Some(a), None) => self.last = (self.last.1, Some(a)),
            _ => {}
        }
    }

    /// A `$` the parser left as text opened a formula never closed.
    fn check_closed(&self, range: &Range<usize>) -> Result<()> {
        let source = &self.text[range.clone()];
        let mut chars = source.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '$' if !self.escaped(range.start + i) => {
                    return Err(self.error(range.start + i, Problem::Unclosed(c)));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads past the end of the container just opened; the text of its text events.
    fn skip_to_end(&mut self) -> String {
        let mut depth = 1;
        let mut text = String::new();
        for (event, _) in self.events.by_ref() {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Text(t) => text.push_str(&t),
                _ => {}
            }
            if depth == 0 {
                break;
            }
        }
        text.trim_end().to_string()
    }

    fn literal(&mut self, range: Range<usize>) -> Inline {
        let text = self.text[range].trim_end().to_string();
        self.note_set(&text);
        Inline::Text(text)
    }

    /// Whether the character at byte `at` follows a backslash that is not itself
    /// escaped (the parser hands an escaped character over without its backslash).
    fn escaped(&self, at: usize) -> bool {
        let backslashes = self.text.as_bytes()[..at]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        backslashes % 2 == 1
    }

    fn error(&self, at: usize, problem: Problem) -> MarkdownError {
        let character = self.text[..at].chars().count() + 1;
        MarkdownError {
            at,
            character,
            problem,
        }
    }
}

fn is_inline(event: &Event) -> bool {
    match event {
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(_) => false,
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::InlineHtml(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::FootnoteReference(_)
        | Event::TaskListMarker(_) => true,
        Event::Html(_) | Event::DisplayMath(_) | Event::Rule => false,
    }
}

fn push_par(out: &mut Vec<Block>, runs: Vec<Inline>, label: Option<&'static str>) {
    if !runs.is_empty() {
        out.push(Block::Par { label, runs });
    }
}

/// The structured abstract's label a record's paragraph opens with, split off its
/// first run.
fn label_paragraph(out: &mut [Block]) {
    let Some(Block::Par { label, runs }) = out.last_mut() else {
        return;
    };
    let Some(Inline::Text(first)) = runs.first_mut() else {
        return;
    };
    let (found, rest) = split_label(first);
    if found.is_some() {
        *label = found;
        *first = rest.to_string();
        if first.is_empty() {
            runs.remove(0);
        }
    }
}

/// What opens a table's caption paragraph.
const CAPTION_MARKS: [&str; 4] = ["Table:", "表：", "表:", ":"];

/// Each table's caption: the paragraph just before it, or else just after it, that
/// opens with a caption mark (the mark dropped, the paragraph taken out).
fn attach_captions(blocks: &mut Vec<Block>) {
    let mut i = 0;
    while i < blocks.len() {
        if matches!(blocks[i], Block::Table { .. }) {
            let before = i
                .checked_sub(1)
                .filter(|&j| caption_text(&blocks[j]).is_some());
            let after = Some(i + 1).filter(|&j| blocks.get(j).and_then(caption_text).is_some());
            if let Some(j) = before.or(after) {
                let Block::Par { runs, .. } = blocks.remove(j) else {
                    unreachable!("caption_text found a paragraph")
                };
                let table = if j < i { i - 1 } else { i };
                if let Block::Table { caption, .. } = &mut blocks[table] {
                    *caption = without_mark(runs);
                }
                i = table;
            }
        }
        i += 1;
    }
}

fn caption_text(block: &Block) -> Option<&str> {
    match block {
        Block::Par { runs, .. } => match runs.first() {
            Some(Inline::Text(t)) => CAPTION_MARKS
                .iter()
                .find(|m| t.starts_with(**m))
                .map(|_| t.as_str()),
            _ => None,
        },
        _ => None,
    }
}

fn without_mark(mut runs: Vec<Inline>) -> Vec<Inline> {
    if let Some(Inline::Text(t)) = runs.first_mut() {
        let mark = CAPTION_MARKS
            .iter()
            .find(|m| t.starts_with(**m))
            .map_or(0, |m| m.len());
        *t = t[mark..].trim_start().to_string();
        if t.is_empty() {
            runs.remove(0);
        }
    }
    runs
}

/// Adjacent text runs as one (the parser splits text at escapes and entities).
fn merge_text(runs: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(runs.len());
    for run in runs {
        match (out.last_mut(), run) {
            (Some(Inline::Text(a)), Inline::Text(b)) => a.push_str(&b),
            (_, run) => out.push(run),
        }
    }
    out
}

/// `60%`, `12.5%`: more than 0, at most 100.
fn is_percentage(text: &str) -> bool {
    text.strip_suffix('%')
        .and_then(|n| n.parse::<f64>().ok())
        .is_some_and(|n| n > 0.0 && n <= 100.0)
}

fn is_web_link(url: &str) -> bool {
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_formula_within_a_paragraph_stands_between_its_text() {
        let text = "目的：as predicted by\n$$E = mc^2$$\nwhere c is light's speed.\n\nNext.";
        let blocks = blocks(text, Kind::Record).unwrap();
        let text = |s: &str| vec![Inline::Text(s.into())];
        assert_eq!(
            blocks,
            [
                Block::Par {
                    label: Some("目的"),
                    runs: text("as predicted by"),
                },
                Block::Equation {
                    math: "E  =  m c ^(2 )".into(),
                },
                Block::Par {
                    label: None,
                    runs: text("where c is light's speed."),
                },
                Block::Par {
                    label: None,
                    runs: text("Next."),
                },
            ]
        );
    }
}
