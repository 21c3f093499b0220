//! The book's parts in order (`[[part]]` in booklet.toml): the built-in parts, the
//! conference's own pages (`content/pages/*.md` or `*.typ`) and inserted artwork
//! (`content/inserts/*.pdf`, PNG, JPEG, SVG).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{FileError, io};
use crate::model::print::Print;
use crate::model::text::{column_of, line_of};
use crate::pdf::boxes::page_boxes;

/// One `[[part]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PartEntry", into = "PartEntry")]
pub enum Part {
    Builtin(Builtin),
    /// Own pages: a Markdown or Typst file under `content/`.
    Page {
        path: String,
        recto: bool,
    },
    Insert(Insert),
}

/// The parts confbook makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Builtin {
    Cover,
    Contents,
    Programme,
    /// Every section, or the one with this key.
    Sections(Option<String>),
    Index,
    /// Ruled pages for notes, at least `min`, filling the book to its binding's
    /// multiple.
    Notes {
        min: usize,
    },
}

/// Full pages of artwork: every page of a PDF or those of `pages`, or one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    /// Relative to `content/`.
    pub path: String,
    /// The first and last page of a PDF to insert (1-based).
    pub pages: Option<(usize, usize)>,
    pub fit: Fit,
    /// For the bookmarks and, with `contents`, the contents.
    pub title: Option<String>,
    pub contents: bool,
}

/// Where artwork is placed: over the trim and the bleed (made with bleed), or the
/// trim only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    Bleed,
    Trim,
}

/// `[cover]`: a designer's artwork for the cover's four pages (PDF, PNG, JPEG or
/// SVG under content/, made with bleed), each optional; or, without `front`, a logo
/// on the generated cover.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverArt {
    pub front: Option<String>,
    pub inside_front: Option<String>,
    pub inside_back: Option<String>,
    pub back: Option<String>,
    pub logo: Option<String>,
}

impl CoverArt {
    /// Its artwork pages as inserts (a PDF's first page, over the trim and the
    /// bleed), with their keys; the logo is not one.
    pub fn pages(&self) -> impl Iterator<Item = (&'static str, Insert)> + '_ {
        self.files()
            .filter(|(key, _)| *key != "logo")
            .map(|(key, path)| {
                let pdf = path.to_ascii_lowercase().ends_with(".pdf");
                let insert = Insert {
                    path: path.clone(),
                    pages: pdf.then_some((1, 1)),
                    fit: Fit::Bleed,
                    title: None,
                    contents: false,
                };
                (key, insert)
            })
    }

    /// Each file it names, with its key.
    pub fn files(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            ("front", &self.front),
            ("inside_front", &self.inside_front),
            ("inside_back", &self.inside_back),
            ("back", &self.back),
            ("logo", &self.logo),
        ]
        .into_iter()
        .filter_map(|(key, path)| path.as_ref().map(|p| (key, p)))
    }
}

/// A part as booklet.toml writes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    builtin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    recto: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    insert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pages: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fit: Option<Fit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    contents: bool,
}

/// What each kind of part takes besides its own key.
const BUILTINS: &str = "cover, contents, programme, sections, index, notes";

impl TryFrom<PartEntry> for Part {
    type Error = String;

    fn try_from(e: PartEntry) -> Result<Part, String> {
        let kinds = [e.builtin.is_some(), e.page.is_some(), e.insert.is_some()];
        if kinds.iter().filter(|&&k| k).count() != 1 {
            return Err("a part is one of `builtin = …`, `page = …` or `insert = …`".into());
        }
        if let Some(name) = e.builtin {
            refuse_keys(&[("recto", e.recto), ("contents", e.contents)], &name)?;
            refuse_keys(
                &[("pages", e.pages.is_some()), ("fit", e.fit.is_some())],
                &name,
            )?;
            refuse_keys(&[("title", e.title.is_some())], &name)?;
            return builtin(&name, e.section, e.min).map(Part::Builtin);
        }
        refuse_keys(
            &[("section", e.section.is_some()), ("min", e.min.is_some())],
            "a page or insert",
        )?;
        if let Some(path) = e.page {
            refuse_keys(
                &[("pages", e.pages.is_some()), ("fit", e.fit.is_some())],
                "a page",
            )?;
            refuse_keys(
                &[("title", e.title.is_some()), ("contents", e.contents)],
                "a page (its front matter has the title)",
            )?;
            content_path(&path, &["md", "typ"])?;
            return Ok(Part::Page {
                path,
                recto: e.recto,
            });
        }
        let path = e.insert.unwrap_or_default();
        content_path(&path, &["pdf", "png", "jpg", "jpeg", "svg"])?;
        let pages = e.pages.as_deref().map(page_range).transpose()?;
        if pages.is_some() && !path.to_ascii_lowercase().ends_with(".pdf") {
            return Err(format!(
                "`pages` selects pages of a PDF; {path} is an image"
            ));
        }
        Ok(Part::Insert(Insert {
            path,
            pages,
            fit: e.fit.unwrap_or(Fit::Bleed),
            title: e.title,
            contents: e.contents,
        }))
    }
}

impl From<Part> for PartEntry {
    fn from(part: Part) -> PartEntry {
        match part {
            Part::Builtin(b) => {
                let (name, section, min) = match b {
                    Builtin::Cover => ("cover", None, None),
                    Builtin::Contents => ("contents", None, None),
                    Builtin::Programme => ("programme", None, None),
                    Builtin::Sections(key) => ("sections", key, None),
                    Builtin::Index => ("index", None, None),
                    Builtin::Notes { min } => ("notes", None, Some(min).filter(|&m| m > 0)),
                };
                PartEntry {
                    builtin: Some(name.into()),
                    section,
                    min,
                    ..PartEntry::default()
                }
            }
            Part::Page { path, recto } => PartEntry {
                page: Some(path),
                recto,
                ..PartEntry::default()
            },
            Part::Insert(i) => PartEntry {
                insert: Some(i.path),
                pages: i.pages.map(|(a, b)| format!("{a}-{b}")),
                fit: Some(i.fit),
                title: i.title,
                contents: i.contents,
                ..PartEntry::default()
            },
        }
    }
}

impl Part {
    /// A session's page (program.toml `pages`): an own page (.md, .typ) or an insert.
    pub fn from_path(path: &str) -> Result<Part, String> {
        content_path(path, &["md", "typ", "pdf", "png", "jpg", "jpeg", "svg"])?;
        Ok(match path.ends_with(".md") || path.ends_with(".typ") {
            true => Part::Page {
                path: path.to_string(),
                recto: false,
            },
            false => Part::Insert(Insert {
                path: path.to_string(),
                pages: None,
                fit: Fit::Bleed,
                title: None,
                contents: false,
            }),
        })
    }
}

fn builtin(name: &str, section: Option<String>, min: Option<usize>) -> Result<Builtin, String> {
    if section.is_some() && name != "sections" {
        return Err(format!(
            "`section` belongs to `builtin = \"sections\"`, not `{name}`"
        ));
    }
    if min.is_some() && name != "notes" {
        return Err(format!(
            "`min` belongs to `builtin = \"notes\"`, not `{name}`"
        ));
    }
    Ok(match name {
        "cover" => Builtin::Cover,
        "contents" => Builtin::Contents,
        "programme" | "program" => Builtin::Programme,
        "sections" => Builtin::Sections(section),
        "index" => Builtin::Index,
        "notes" => Builtin::Notes {
            min: min.unwrap_or(0),
        },
        other => {
            return Err(format!(
                "unknown builtin part `{other}` (the parts are {BUILTINS})"
            ));
        }
    })
}

fn refuse_keys(keys: &[(&str, bool)], what: &str) -> Result<(), String> {
    match keys.iter().find(|(_, given)| *given) {
        Some((key, _)) => Err(format!("`{key}` does not apply to {what}")),
        None => Ok(()),
    }
}

/// A relative path inside `content/`, without `..`, with one of `extensions`.
fn content_path(path: &str, extensions: &[&str]) -> Result<(), String> {
    if !crate::files::is_inner_path(path) {
        return Err(format!(
            "`{path}` is not a path inside content/ (write e.g. pages/welcome.md)"
        ));
    }
    let extension = Path::new(path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extensions.contains(&extension.as_str()) {
        true => Ok(()),
        false => Err(format!("`{path}` is not a {} file", extensions.join(", ."))),
    }
}

/// `"3"` or `"2-3"`.
fn page_range(text: &str) -> Result<(usize, usize), String> {
    let number = |s: &str| s.trim().parse::<usize>().ok().filter(|&n| n > 0);
    let range = match text.split_once('-') {
        Some((a, b)) => number(a).zip(number(b)),
        None => number(text).map(|n| (n, n)),
    };
    match range {
        Some((a, b)) if a <= b => Ok((a, b)),
        _ => Err(format!(
            "pages = \"{text}\": give a page (\"2\") or a range (\"2-3\")"
        )),
    }
}

/// The least resolution of a raster image at its printed size: below it, printers
/// send advertisements back.
pub const MIN_PPI: f64 = 300.0;

/// An insert's file, read and checked.
pub struct Inspected {
    /// The PDF's pages it places (all of them, or `pages`); none for an image.
    pub pages: Vec<usize>,
    pub bytes: Vec<u8>,
}

/// An insert's file checked: a PDF's page range against its pages; an image must hold
/// [`MIN_PPI`] at the size `print` places it. The error says what is wrong, naming
/// the file.
pub fn inspect_insert(dir: &Path, insert: &Insert, print: &Print) -> Result<Inspected, String> {
    let path = &insert.path;
    let bytes = std::fs::read(dir.join(path)).map_err(|e| format!("{path}: {e}"))?;
    let extension = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let pages = match extension.as_str() {
        "pdf" => pdf_pages(path, &bytes, insert.pages)?,
        "svg" => Vec::new(),
        _ => {
            let (w, h) = placed_size(insert.fit, print);
            raster_resolution(path, &bytes, w, h)?;
            Vec::new()
        }
    };
    Ok(Inspected { pages, bytes })
}

/// What a printer would query about an insert's artwork: an RGB raster image (the
/// printer converts it to CMYK, and its colours shift), and artwork placed to the
/// bleed whose shape is the trim's (made without bleed: 3 mm of it is cut off each
/// side). Unreadable files give nothing here: [`inspect_insert`] refuses them.
pub fn insert_warnings(dir: &Path, insert: &Insert, print: &Print) -> Vec<String> {
    let path = &insert.path;
    let Ok(bytes) = std::fs::read(dir.join(path)) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    // The artwork's shape: a PDF's first page (points), a raster image's pixels.
    let shape = match path.to_ascii_lowercase().rsplit('.').next() {
        Some("pdf") => page_boxes(&bytes)
            .ok()
            .and_then(|b| b.first()?.media_box)
            .map(|[x0, y0, x1, y1]| ((x1 - x0).abs(), (y1 - y0).abs())),
        Some("svg") => None,
        _ => {
            use image::ImageDecoder;
            // One read of the header: its colour type and its size.
            let decoder = image::ImageReader::new(std::io::Cursor::new(&bytes))
                .with_guessed_format()
                .ok()
                .and_then(|r| r.into_decoder().ok());
            if decoder.as_ref().is_some_and(|d| d.color_type().has_color()) {
                warnings.push(format!(
                    "{path}: an RGB image; the printer converts it to CMYK, and its colours may shift (ask for CMYK artwork)"
                ));
            }
            decoder
                .map(|d| d.dimensions())
                .map(|(w, h)| (f64::from(w), f64::from(h)))
        }
    };
    if let (Fit::Bleed, Some((w, h))) = (insert.fit, shape) {
        let trim = print.width / print.height;
        let bled = (print.width + 2.0 * print.bleed) / (print.height + 2.0 * print.bleed);
        let aspect = w / h;
        if print.bleed > 0.0
            && (aspect - trim).abs() < (aspect - bled).abs()
            && (aspect - trim).abs() / trim < 0.002
        {
            warnings.push(format!(
                "{path}: shaped like the trim, not the trim with its bleed: made without bleed, its edges are cut off by {:.0} mm (ask for artwork with bleed, or write fit = \"trim\")",
                print.bleed
            ));
        }
    }
    warnings
}

/// The page size (mm) artwork is placed at: trim and bleed, or the trim.
pub fn placed_size(fit: Fit, print: &Print) -> (f64, f64) {
    match fit {
        Fit::Bleed => (
            print.width + 2.0 * print.bleed,
            print.height + 2.0 * print.bleed,
        ),
        Fit::Trim => (print.width, print.height),
    }
}

fn pdf_pages(
    path: &str,
    bytes: &[u8],
    pages: Option<(usize, usize)>,
) -> Result<Vec<usize>, String> {
    let count = page_boxes(bytes).map_err(|e| format!("{path}: {e}"))?.len();
    let (first, last) = pages.unwrap_or((1, count));
    match count {
        0 => Err(format!("{path}: the PDF has no pages")),
        _ if last > count => Err(format!(
            "{path}: pages {first}-{last}, but the PDF has {count} page{}",
            if count == 1 { "" } else { "s" }
        )),
        _ => Ok((first..=last).collect()),
    }
}

/// An image covering `w` × `h` mm: its pixels per inch there, at least [`MIN_PPI`].
fn raster_resolution(path: &str, bytes: &[u8], w: f64, h: f64) -> Result<(), String> {
    let (px_w, px_h) = pixels(path, bytes)?;
    // Placed to cover the page, the image is scaled by the larger of the two ratios.
    let ppi = (f64::from(px_w) / (w / 25.4)).min(f64::from(px_h) / (h / 25.4));
    enough_pixels(path, ppi, (px_w, px_h), &format!("{w:.0} × {h:.0} mm"))
}

/// A figure `w` mm wide, as tall as its aspect makes it (an SVG has no pixels):
/// at least [`MIN_PPI`].
pub fn figure_resolution(path: &str, bytes: &[u8], w: f64) -> Result<(), String> {
    if path.to_ascii_lowercase().ends_with(".svg") {
        return Ok(());
    }
    let (px_w, px_h) = pixels(path, bytes)?;
    let ppi = f64::from(px_w) / (w / 25.4);
    enough_pixels(path, ppi, (px_w, px_h), &format!("{w:.0} mm wide"))
}

fn pixels(path: &str, bytes: &[u8]) -> Result<(u32, u32), String> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("{path}: {e}"))?
        .into_dimensions()
        .map_err(|e| format!("{path}: cannot read the image ({e})"))
}

/// `ppi` found at the printed `size`: at least [`MIN_PPI`], else what the image
/// would print at.
fn enough_pixels(path: &str, ppi: f64, (px_w, px_h): (u32, u32), size: &str) -> Result<(), String> {
    if ppi >= MIN_PPI {
        return Ok(());
    }
    let at = |px: u32| f64::from(px) / MIN_PPI * 25.4;
    Err(format!(
        "{path}: {ppi:.0} ppi at its printed size ({size}); print needs {MIN_PPI:.0} ppi ({px_w} × {px_h} pixels print {:.0} × {:.0} mm at {MIN_PPI:.0} ppi)",
        at(px_w),
        at(px_h)
    ))
}

/// The parts of a book without `[[part]]`: today's order.
pub fn default_parts() -> Vec<Part> {
    [
        Builtin::Cover,
        Builtin::Contents,
        Builtin::Programme,
        Builtin::Sections(None),
        Builtin::Index,
    ]
    .into_iter()
    .map(Part::Builtin)
    .collect()
}

/// An own page written in Markdown, read: its front matter and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct PageFile {
    /// As the part names it (relative to `content/`).
    pub path: String,
    pub title: Option<String>,
    /// The text after the front matter, and the line it starts on.
    pub body: String,
    pub body_line: usize,
}

/// A Markdown page's front matter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageFront {
    title: Option<String>,
}

/// The own pages (Markdown) of `parts`, read; and every part whose file is missing or
/// unreadable, as an error at its `[[part]]` in booklet.toml (`text`).
pub fn read_part_files(
    dir: &Path,
    parts: &[toml::Spanned<Part>],
    text: &str,
) -> (Vec<PageFile>, Vec<FileError>) {
    let mut pages = Vec::new();
    let mut problems = Vec::new();
    let booklet = dir.join("booklet.toml");
    for part in parts {
        let path = match part.get_ref() {
            Part::Page { path, .. } | Part::Insert(Insert { path, .. }) => path,
            Part::Builtin(_) => continue,
        };
        let file = dir.join(path);
        if !file.is_file() {
            let message = format!("{path}: no such file under content/");
            problems.push(parse_error(&booklet, text, part.span().start, &message));
        } else if path.ends_with(".md") {
            match read_page(dir, path) {
                Ok(page) => pages.push(page),
                Err(e) => problems.push(e),
            }
        }
    }
    (pages, problems)
}

/// Parts that cannot stand together, each as an error at its `[[part]]`: a builtin
/// part given twice, a section printed twice or one booklet.toml does not list
/// (`sections`: the keys it lists).
pub fn check_part_list(
    dir: &Path,
    parts: &[toml::Spanned<Part>],
    sections: &[String],
    text: &str,
) -> Vec<FileError> {
    let booklet = dir.join("booklet.toml");
    let mut seen: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    for part in parts {
        let Part::Builtin(builtin) = part.get_ref() else {
            continue;
        };
        let printed: Vec<String> = match builtin {
            Builtin::Sections(None) => sections.iter().map(|k| format!("section `{k}`")).collect(),
            Builtin::Sections(Some(key)) if !sections.is_empty() && !sections.contains(key) => {
                let message = format!(
                    "no [[section]] has the key `{key}` (the keys are {})",
                    sections.join(", ")
                );
                problems.push(parse_error(&booklet, text, part.span().start, &message));
                continue;
            }
            Builtin::Sections(Some(key)) => vec![format!("section `{key}`")],
            Builtin::Notes { .. } => continue,
            other => vec![format!("{other:?}").to_lowercase()],
        };
        if let Some(again) = printed.iter().find(|p| seen.contains(p)) {
            let message = format!("the book has its {again} already: each part stands once");
            problems.push(parse_error(&booklet, text, part.span().start, &message));
        }
        seen.extend(printed);
    }
    problems
}

/// Every file `[cover]` names that is not a file inside content/, as an error at
/// its key in booklet.toml (`text`).
pub fn check_cover_files(dir: &Path, cover: &CoverArt, text: &str) -> Vec<FileError> {
    let booklet = dir.join("booklet.toml");
    cover
        .files()
        .filter_map(|(key, path)| {
            let problem = content_path(path, &["pdf", "png", "jpg", "jpeg", "svg"])
                .err()
                .or_else(|| {
                    (!dir.join(path).is_file())
                        .then(|| format!("{path}: no such file under content/"))
                })?;
            let at = text.find(&format!("{key} =")).unwrap_or(0);
            Some(parse_error(
                &booklet,
                text,
                at,
                &format!("[cover] {key}: {problem}"),
            ))
        })
        .collect()
}

/// Reads `content/<path>`: optional TOML front matter between `+++` lines, then
/// Markdown.
pub fn read_page(dir: &Path, path: &str) -> Result<PageFile, FileError> {
    let file = dir.join(path);
    let text = std::fs::read_to_string(&file).map_err(io(&file))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let (front, body, body_at) = split_front(text);
    let front: PageFront = match front {
        Some((front, at)) => toml::from_str(front).map_err(|e| {
            let at = at + e.span().map_or(0, |s| s.start);
            parse_error(&file, text, at, e.message())
        })?,
        None => PageFront::default(),
    };
    Ok(PageFile {
        path: path.to_string(),
        title: front.title,
        body: body.to_string(),
        body_line: line_of(text, body_at),
    })
}

/// (front matter and its offset, body, the body's offset).
fn split_front(text: &str) -> (Option<(&str, usize)>, &str, usize) {
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        return (None, text, 0);
    };
    let start = text.len() - rest.len();
    match rest.find("\n+++") {
        Some(end) => {
            let after = start + end + "\n+++".len();
            let body_at = text[after..]
                .find('\n')
                .map_or(text.len(), |n| after + n + 1);
            (Some((&rest[..=end], start)), &text[body_at..], body_at)
        }
        None => (None, text, 0),
    }
}

fn parse_error(file: &Path, text: &str, at: usize, message: &str) -> FileError {
    FileError::Parse {
        path: file.to_path_buf(),
        line: line_of(text, at),
        column: Some(column_of(text, at)),
        message: message.to_string(),
        hint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(toml: &str) -> Result<Vec<Part>, String> {
        #[derive(Deserialize)]
        struct File {
            part: Vec<Part>,
        }
        toml::from_str::<File>(toml)
            .map(|f| f.part)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn parts_read_in_order() {
        let read = parts(
            "[[part]]\nbuiltin = \"cover\"\n[[part]]\npage = \"pages/welcome.md\"\nrecto = true\n\
             [[part]]\ninsert = \"inserts/a.pdf\"\npages = \"2-3\"\n[[part]]\nbuiltin = \"sections\"\nsection = \"oral\"\n\
             [[part]]\ninsert = \"inserts/ad.jpg\"\nfit = \"trim\"\ntitle = \"Ad\"\ncontents = true\n[[part]]\nbuiltin = \"notes\"\nmin = 2\n",
        )
        .unwrap();
        assert_eq!(read[0], Part::Builtin(Builtin::Cover));
        assert_eq!(
            read[1],
            Part::Page {
                path: "pages/welcome.md".into(),
                recto: true
            }
        );
        assert!(
            matches!(&read[2], Part::Insert(i) if i.pages == Some((2, 3)) && i.fit == Fit::Bleed)
        );
        assert_eq!(
            read[3],
            Part::Builtin(Builtin::Sections(Some("oral".into())))
        );
        assert!(matches!(&read[4], Part::Insert(i) if i.fit == Fit::Trim && i.contents));
        assert_eq!(read[5], Part::Builtin(Builtin::Notes { min: 2 }));
    }

    #[test]
    fn bad_parts_say_what_is_wrong() {
        for (toml, says) in [
            ("builtin = \"foreword\"", "unknown builtin part `foreword`"),
            ("page = \"a.md\"\ninsert = \"b.pdf\"", "a part is one of"),
            ("page = \"../secret.md\"", "not a path inside content/"),
            ("page = \"/etc/passwd\"", "not a path inside content/"),
            ("insert = \"inserts/a.gif\"", "is not a pdf"),
            ("insert = \"inserts/a.png\"\npages = \"2\"", "is an image"),
            ("insert = \"inserts/a.pdf\"\npages = \"3-2\"", "give a page"),
            (
                "builtin = \"cover\"\nsection = \"x\"",
                "`section` belongs to",
            ),
            (
                "builtin = \"index\"\nrecto = true",
                "`recto` does not apply",
            ),
        ] {
            let err = parts(&format!("[[part]]\n{toml}\n")).unwrap_err();
            assert!(err.contains(says), "{toml}: {err}");
        }
    }

    #[test]
    fn a_part_given_twice_is_refused_at_its_line() {
        let text = "[[part]]\nbuiltin = \"sections\"\n\n[[part]]\nbuiltin = \"sections\"\nsection = \"b\"\n\n[[part]]\nbuiltin = \"sections\"\nsection = \"zz\"\n";
        #[derive(Deserialize)]
        struct File {
            part: Vec<toml::Spanned<Part>>,
        }
        let file: File = toml::from_str(text).unwrap();
        let keys = ["a".to_string(), "b".to_string()];
        let problems: Vec<String> = check_part_list(Path::new("c"), &file.part, &keys, text)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("booklet.toml:4") && problems[0].contains("section `b` already"),
            "{}",
            problems[0]
        );
        assert!(
            problems[1].contains("booklet.toml:8") && problems[1].contains("`zz`"),
            "{}",
            problems[1]
        );
    }

    #[test]
    fn a_page_reads_its_front_matter() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pages")).unwrap();
        std::fs::write(
            dir.path().join("pages/w.md"),
            "+++\ntitle = \"欢迎辞\"\n+++\n\n# x\n",
        )
        .unwrap();
        let page = read_page(dir.path(), "pages/w.md").unwrap();
        assert_eq!(page.title.as_deref(), Some("欢迎辞"));
        assert_eq!((page.body.as_str(), page.body_line), ("\n# x\n", 4));
        std::fs::write(dir.path().join("pages/w.md"), "+++\ntitel = 1\n+++\n").unwrap();
        let err = read_page(dir.path(), "pages/w.md").unwrap_err().to_string();
        assert!(err.contains("w.md:2"), "{err}");
    }
}
