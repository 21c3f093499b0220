//! The layouts and fonts built into confbook — this repository's `layouts/` and
//! `fonts/`, embedded by the `confbook-builtin` crate (`builtin/`) — and a project's
//! own folders laid over them file by file: a file of the project's `layouts/` or
//! `fonts/` replaces the built-in file of the same path, and every other file stays
//! built in.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// A file built into the binary: its path below its folder (`lib/theme.typ`) and its
/// bytes, borrowed from the binary's read-only data (never copied).
pub type Embedded = (&'static str, &'static [u8]);

/// The font files a project's `fonts/` may hold (others are licences and notes).
pub const FONT_EXTENSIONS: [&str; 4] = ["ttf", "otf", "ttc", "otc"];

/// The folder names of a project (`layouts/`, `fonts/`) and their built-in sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Layouts,
    Fonts,
}

impl Kind {
    /// Every built-in file of this kind, sorted by path.
    pub fn files(self) -> &'static [Embedded] {
        match self {
            Kind::Layouts => confbook_builtin::LAYOUTS,
            Kind::Fonts => confbook_builtin::FONTS,
        }
    }

    /// The built-in file at `path` (`lib/theme.typ`), if there is one.
    pub fn find(self, path: &str) -> Option<&'static [u8]> {
        let files = self.files();
        let at = files.binary_search_by(|(p, _)| (*p).cmp(path)).ok()?;
        Some(files[at].1)
    }

    /// Whether a file of this kind is what the build uses (a face, not its licence).
    fn counts(self, path: &str) -> bool {
        match self {
            Kind::Layouts => true,
            Kind::Fonts => has_extension(path, &FONT_EXTENSIONS),
        }
    }
}

/// Whether `path` ends in one of `exts` (any case).
pub fn has_extension(path: &str, exts: &[&str]) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Where one file of a project's set comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn(&'static [u8]),
    /// A file on disk (the project's own), at this path.
    Disk(PathBuf),
}

impl Origin {
    /// The file's bytes: borrowed when built in, read when on disk.
    pub fn read(&self) -> Result<Cow<'static, [u8]>, OverlayError> {
        match self {
            Origin::BuiltIn(bytes) => Ok(Cow::Borrowed(bytes)),
            Origin::Disk(path) => {
                std::fs::read(path)
                    .map(Cow::Owned)
                    .map_err(|source| OverlayError {
                        path: path.clone(),
                        source,
                    })
            }
        }
    }
}

/// A project's folder, or a file in it, could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {} ({source})", path.display())]
pub struct OverlayError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// A project's `layouts/` or `fonts/` laid over the built-in files of its kind.
#[derive(Debug, Clone)]
pub struct Overlay {
    pub kind: Kind,
    /// The project's folder; a folder that is not there holds no files.
    pub dir: PathBuf,
    /// The folder's files (hidden ones left out), by their path below it, sorted.
    own: Vec<String>,
}

impl Overlay {
    /// Lists the files of `dir` (following links, as a copied project may link its
    /// fonts); no folder at all is no override.
    pub fn read(kind: Kind, dir: &Path) -> Result<Self, OverlayError> {
        let mut own = Vec::new();
        if dir.is_dir() {
            let walk = walkdir::WalkDir::new(dir).follow_links(true);
            let hidden = |e: &walkdir::DirEntry| {
                e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.')
            };
            for entry in walk.into_iter().filter_entry(|e| !hidden(e)) {
                let entry = entry.map_err(|e| OverlayError {
                    path: e.path().unwrap_or(dir).to_path_buf(),
                    source: e.into(),
                })?;
                if entry.file_type().is_file() {
                    let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                    own.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        own.sort();
        Ok(Overlay {
            kind,
            dir: dir.to_path_buf(),
            own,
        })
    }

    /// Every file of the set as the project has it, sorted by path: the project's
    /// own where it has one, the built-in one elsewhere.
    pub fn files(&self) -> Vec<(String, Origin)> {
        let built_in = self.kind.files().iter().filter(|(p, _)| !self.owns(p));
        let mut files: Vec<(String, Origin)> = built_in
            .map(|(p, bytes)| (p.to_string(), Origin::BuiltIn(bytes)))
            .chain(
                self.own
                    .iter()
                    .map(|p| (p.clone(), Origin::Disk(self.dir.join(p)))),
            )
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    fn owns(&self, path: &str) -> bool {
        self.own.binary_search_by(|p| p.as_str().cmp(path)).is_ok()
    }

    /// How many of the project's files that count replace a built-in one, and how
    /// many are its own additions.
    fn tally(&self) -> (usize, usize) {
        let counted = self.own.iter().filter(|p| self.kind.counts(p));
        let (replaced, added): (Vec<&String>, Vec<&String>) =
            counted.partition(|p| self.kind.find(p).is_some());
        (replaced.len(), added.len())
    }
}

/// What `build` says it used: `built-in`, `./layouts (2 files overridden, the rest
/// built-in)`, or the folder alone when it replaces every built-in file.
impl fmt::Display for Overlay {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (replaced, added) = self.tally();
        if replaced + added == 0 {
            return f.write_str("built-in");
        }
        let built_in = self
            .kind
            .files()
            .iter()
            .filter(|(p, _)| self.kind.counts(p));
        let every = replaced == built_in.count();
        let files = |n: usize| if n == 1 { "file" } else { "files" };
        let mut said = Vec::new();
        if !every && replaced > 0 {
            said.push(format!("{replaced} {} overridden", files(replaced)));
        }
        if added > 0 {
            said.push(format!("{added} {} added", files(added)));
        }
        if !every {
            said.push("the rest built-in".into());
        }
        write!(f, "{}", self.dir.display())?;
        match said.is_empty() {
            true => Ok(()),
            false => write!(f, " ({})", said.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_hold_the_repositorys_files_sorted() {
        for kind in [Kind::Layouts, Kind::Fonts] {
            let paths: Vec<&str> = kind.files().iter().map(|(p, _)| *p).collect();
            assert!(paths.is_sorted(), "{kind:?}: {paths:?}");
        }
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for path in ["booklet.typ", "lib/theme.typ", "lib/mitex/mod.typ"] {
            let disk = std::fs::read(repo.join("layouts").join(path)).unwrap();
            assert_eq!(Kind::Layouts.find(path), Some(&disk[..]), "{path}");
        }
        assert!(Kind::Fonts.find("NotoSerifSC-Regular.ttf").is_some());
        assert!(Kind::Fonts.find("OFL-NotoSerifSC.txt").is_some());
        assert_eq!(Kind::Layouts.find("lib/nope.typ"), None);
    }

    #[test]
    fn a_projects_file_replaces_the_built_in_one_of_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let layouts = dir.path().join("layouts");
        std::fs::create_dir_all(layouts.join("lib")).unwrap();
        std::fs::write(layouts.join("lib/theme.typ"), "// mine").unwrap();
        std::fs::write(layouts.join("extra.typ"), "// added").unwrap();
        std::fs::write(layouts.join(".theme.typ.swp"), "").unwrap();
        let overlay = Overlay::read(Kind::Layouts, &layouts).unwrap();
        let files = overlay.files();
        let origin = |path: &str| {
            files
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, o)| o.clone())
        };
        assert_eq!(
            origin("lib/theme.typ"),
            Some(Origin::Disk(layouts.join("lib/theme.typ")))
        );
        assert_eq!(
            origin("extra.typ"),
            Some(Origin::Disk(layouts.join("extra.typ")))
        );
        assert!(matches!(origin("lib/style.typ"), Some(Origin::BuiltIn(_))));
        assert_eq!(origin(".theme.typ.swp"), None);
        assert_eq!(files.len(), Kind::Layouts.files().len() + 1);
        assert_eq!(
            overlay.to_string(),
            format!(
                "{} (1 file overridden, 1 file added, the rest built-in)",
                layouts.display()
            )
        );
    }

    #[test]
    fn no_folder_is_all_built_in_and_a_full_copy_is_the_folder() {
        let missing = Overlay::read(Kind::Fonts, Path::new("/nonexistent/fonts")).unwrap();
        assert_eq!(missing.to_string(), "built-in");
        assert!(
            missing
                .files()
                .iter()
                .all(|(_, o)| matches!(o, Origin::BuiltIn(_)))
        );
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts");
        let full = Overlay::read(Kind::Layouts, &repo).unwrap();
        assert_eq!(full.to_string(), repo.display().to_string());
    }
}
