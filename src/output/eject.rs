//! `eject`: the booklet as a plain Typst project that the stock `typst` CLI or the web
//! app compiles to the same pages — the layouts, the exact data `build` passes as
//! `data/book.json`, the fonts and a README.
//!
//! The layout reads `json("/data/book.json")`; in a plain project `/` is the project
//! root (the folder of `booklet.typ`), so the layouts are copied unchanged.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::output::build::{self, BuildError, Builder};
use crate::output::destination::{self, DestinationError};
use crate::typeset::builtin::{self, Kind, Overlay, OverlayError};
use crate::typeset::world::CONTENT_ROOT;

/// The files written into `fonts/`: the faces and their licences.
const FONT_EXTENSIONS: &[&str] = &["ttf", "otf", "ttc", "otc", "txt"];

#[derive(Debug, Error)]
pub enum EjectError {
    #[error(transparent)]
    InUse(#[from] crate::files::InUse),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Read(#[from] OverlayError),
    #[error(transparent)]
    Build(#[from] BuildError),
    // Not transparent: the error stays in the chain, where the exit code looks for it.
    #[error("{0}")]
    Destination(#[from] DestinationError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EjectError + '_ {
    move |source| EjectError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What was written, relative to the project folder, sorted.
#[derive(Debug, Clone)]
pub struct Ejected {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
}

/// The README of an ejected project.
pub const README: &str = "\
# The booklet as a plain Typst project

Written by `confbook eject`. Compile it with the Typst CLI (0.15):

    typst compile --font-path fonts --ignore-system-fonts --ignore-embedded-fonts \\
      --pdf-standard a-2b --creation-timestamp 1767225600 booklet.typ

or upload the folder to the Typst web app (the fonts in `fonts/` must be uploaded too).

- `booklet.typ`, `lib/`: the layout, the project's `layouts/` over the built-in ones.
  Its faces, sizes and rules are in one place, `lib/theme.typ`; `typography.md` gives
  the typographic rules it follows.
- `data/book.json`: the records exactly as `confbook build` passes them to the layout
  (`json(\"/data/book.json\")` resolves against this folder); `data/lang.json`: the
  book's language.
- `fonts/`: the project's fonts, with their licences. `--ignore-system-fonts`
  and `--ignore-embedded-fonts` keep other fonts (e.g. Typst's own Libertinus Serif) from
  standing in for them. A Japanese, Korean or traditional-Chinese book's CJK faces are
  not copied (booklet.toml's `[fonts] dirs`): add `--font-path` with their folder
  (`/usr/share/fonts/opentype/noto` from Debian's fonts-noto-cjk).

The pages are the same as `confbook build`'s. The PDF differs in its document ID
(confbook fixes it) and, with a bleed, in the BleedBox confbook adds after Typst (the
TrimBox is Typst's own); `--creation-timestamp` sets the date confbook stamps. Edits
here are not read back by confbook: change `content/` and eject again.
";

/// Writes the project into `dir`, which must be empty or missing unless `force` (then
/// files of the same name are replaced and others left alone).
pub fn eject(builder: &Builder, dir: &Path, force: bool) -> Result<Ejected, EjectError> {
    let paths = builder.paths();
    paths.inputs().refuse(dir, true)?;
    crate::files::refuse_in_use(dir, force)?;
    let content = crate::check::load_checked(&paths.content).map_err(BuildError::from)?;
    let print = builder.print(&content)?;
    let data = builder.data(&content, print)?;

    let mut files = Vec::new();
    let layouts = builder.world().overlay();
    write_overlay(layouts, dir, Path::new(""), &mut files, &|rel: &Path| {
        // The other top-level layouts (handout.typ) need data eject does not write,
        // and layouts/README.md would clash with the project's README.
        match rel.components().count() {
            1 => {
                rel == Path::new(build::MAIN)
                    || !(has_ext(rel, &["typ"]) || rel == Path::new("README.md"))
            }
            _ => true,
        }
    })?;
    write(dir, &data_rel(), &data.json, &mut files)?;
    for (path, bytes) in &data.artwork {
        write(
            dir,
            Path::new(path.trim_start_matches('/')),
            bytes,
            &mut files,
        )?;
    }
    // The own pages, figures and inserts the layout reads at /content.
    copy_tree(
        &paths.content,
        dir,
        Path::new(CONTENT_ROOT),
        &mut files,
        &|rel: &Path| ARTWORK_DIRS.iter().any(|d| rel.starts_with(d)),
    )?;
    write_overlay(
        builder.fonts().overlay(),
        dir,
        Path::new("fonts"),
        &mut files,
        &|rel: &Path| has_ext(rel, FONT_EXTENSIONS),
    )?;
    write(dir, Path::new("README.md"), README.as_bytes(), &mut files)?;
    files.sort();
    Ok(Ejected {
        dir: dir.to_path_buf(),
        files,
    })
}

/// The folders of content/ the layout reads files from (at /content).
const ARTWORK_DIRS: [&str; 4] = ["pages", "figures", "inserts", "cover"];

/// `data/book.json`, [`build::DATA_PATH`] relative to the project root.
fn data_rel() -> PathBuf {
    PathBuf::from(build::DATA_PATH.trim_start_matches('/'))
}

/// Writes the built-in layouts into `dir` (empty or missing unless `force`) to edit:
/// a project's `layouts/` holding any of them overrides those, file by file.
pub fn export_layouts(dir: &Path, force: bool) -> Result<Ejected, EjectError> {
    crate::files::refuse_in_use(dir, force)?;
    let mut files = Vec::new();
    for (rel, bytes) in Kind::Layouts.files() {
        write(dir, Path::new(rel), bytes, &mut files)?;
    }
    Ok(Ejected {
        dir: dir.to_path_buf(),
        files,
    })
}

fn has_ext(path: &Path, exts: &[&str]) -> bool {
    builtin::has_extension(&path.to_string_lossy(), exts)
}

fn write(dir: &Path, rel: &Path, bytes: &[u8], files: &mut Vec<PathBuf>) -> Result<(), EjectError> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    destination::stays_within(&path, dir)?;
    std::fs::write(&path, bytes).map_err(io(&path))?;
    files.push(rel.to_path_buf());
    Ok(())
}

/// Writes the files of `overlay` (the project's over the built-in ones) that `keep`
/// accepts (given their path below the folder) to `dir/prefix`.
fn write_overlay(
    overlay: &Overlay,
    dir: &Path,
    prefix: &Path,
    files: &mut Vec<PathBuf>,
    keep: &dyn Fn(&Path) -> bool,
) -> Result<(), EjectError> {
    for (rel, origin) in overlay.files() {
        if keep(Path::new(&rel)) {
            write(dir, &prefix.join(&rel), &origin.read()?, files)?;
        }
    }
    Ok(())
}

/// Copies the files below `from` that `keep` accepts (given their path relative to
/// `from`) to `dir/prefix`, recording them as `prefix/<relative path>`. Hidden files
/// are skipped.
fn copy_tree(
    from: &Path,
    dir: &Path,
    prefix: &Path,
    files: &mut Vec<PathBuf>,
    keep: &dyn Fn(&Path) -> bool,
) -> Result<(), EjectError> {
    let mut found = Vec::new();
    let hidden = |entry: &walkdir::DirEntry| {
        entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.')
    };
    let walk = walkdir::WalkDir::new(from)
        .sort_by_file_name()
        .follow_links(true);
    for entry in walk.into_iter().filter_entry(|e| !hidden(e)) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(from).to_path_buf();
            EjectError::Io {
                path,
                source: e.into(),
            }
        })?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        if entry.file_type().is_file() && keep(rel) {
            found.push(rel.to_path_buf());
        }
    }
    for rel in found {
        let src = from.join(&rel);
        let bytes = std::fs::read(&src).map_err(io(&src))?;
        write(dir, &prefix.join(&rel), &bytes, files)?;
    }
    Ok(())
}
