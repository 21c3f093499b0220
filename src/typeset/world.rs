//! The Typst `World` of a booklet: the layouts as the project root — the project's
//! `layouts/` over the built-in ones, file by file — (and `content/` at `/content`:
//! own pages, figures, inserts), fonts only from a [`FontSet`], a fixed date, and
//! virtual files (the records as JSON) set from Rust.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::diagnostics::DiagnosticWorld;
use typst_kit::files::{FileLoader, FileStore, FsRoot};

use crate::typeset::builtin::{Kind, Overlay, OverlayError};
use crate::typeset::fonts::FontSet;

/// Where the content directory stands in the world: `/content/pages/day-1.typ`.
pub const CONTENT_ROOT: &str = "content";

/// The date of a build when `SOURCE_DATE_EPOCH` does not give one: output must not
/// depend on the day it is built.
pub const DEFAULT_TODAY: (i32, u8, u8) = (2026, 1, 1);

/// The date every build uses, for Typst's `today()` and the PDF's timestamps:
/// `SOURCE_DATE_EPOCH` (the reproducible-builds convention) or [`DEFAULT_TODAY`].
pub fn build_date() -> Datetime {
    let (year, month, day) = DEFAULT_TODAY;
    source_date_epoch().unwrap_or_else(|| {
        Datetime::from_ymd(year, month, day).expect("DEFAULT_TODAY is a valid date")
    })
}

/// Why a world could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorldError {
    /// The project's layouts/ cannot be listed.
    #[error(transparent)]
    Unreadable(#[from] OverlayError),
    #[error("main layout file not found ({}, and none is built in)", path.display())]
    MainMissing { path: PathBuf },
    #[error("invalid path inside the layouts directory ({}: {reason})", path.display())]
    InvalidPath { path: PathBuf, reason: String },
}

/// A Typst world for one main layout file. Keep one alive across rebuilds: Typst's
/// caches are keyed on what it hands out, so [`BookWorld::reset`] beats a new world.
pub struct BookWorld {
    root: PathBuf,
    /// The project's layouts over the built-in ones, as they were when the world was
    /// made (for `build` to say which it used).
    overlay: Overlay,
    main: FileId,
    library: LazyHash<Library>,
    fonts: Arc<FontSet>,
    /// Files on disk under `root`, cached and reparsed incrementally.
    files: FileStore<DiskFiles>,
    /// Files set from Rust; they shadow disk files of the same path.
    virtual_files: HashMap<FileId, VirtualFile>,
    today: Option<Datetime>,
}

impl BookWorld {
    /// A world rooted at `root` (the project's layouts directory, which need not
    /// exist: the built-in layouts stand in for its missing files) compiling `main` (a
    /// path relative to it, e.g. `booklet.typ`) with the given fonts.
    pub fn new(root: &Path, main: &str, fonts: Arc<FontSet>) -> Result<Self, WorldError> {
        let overlay = Overlay::read(Kind::Layouts, root)?;
        let main_id = project_file(main)?;
        let main_path = root.join(main_id.vpath().get_without_slash());
        if !main_path.is_file() && Kind::Layouts.find(main).is_none() {
            return Err(WorldError::MainMissing { path: main_path });
        }
        Ok(Self {
            root: root.to_path_buf(),
            overlay,
            main: main_id,
            // Built once and never changed: a new Library invalidates every cache.
            library: LazyHash::new(Library::default()),
            fonts,
            files: FileStore::new(DiskFiles {
                layouts: FsRoot::new(root.to_path_buf()),
                content: None,
            }),
            virtual_files: HashMap::new(),
            today: Some(build_date()),
        })
    }

    /// Serves the files of `dir` (content/) at `/content`. Call before the first
    /// compile: it starts the file cache anew.
    pub fn set_content(&mut self, dir: &Path) {
        self.files = FileStore::new(DiskFiles {
            layouts: FsRoot::new(self.root.clone()),
            content: Some(FsRoot::new(dir.to_path_buf())),
        });
    }

    /// Serves `bytes` at `vpath` (e.g. `/data/book.json`, relative to the layouts
    /// root), in place of any disk file there. Replaces an earlier value.
    pub fn set_file(&mut self, vpath: &str, bytes: Vec<u8>) -> Result<(), WorldError> {
        let id = project_file(vpath)?;
        self.virtual_files.insert(id, VirtualFile::new(id, bytes));
        Ok(())
    }

    /// Forgets what was read from disk so the next compile sees edited layouts;
    /// parsed sources are kept and only their changed parts reparsed.
    pub fn reset(&mut self) {
        self.files.reset();
    }

    /// The disk files the last compile read (virtual files excluded), sorted.
    pub fn dependencies(&mut self) -> impl Iterator<Item = PathBuf> + use<> {
        let (loader, ids) = self.files.dependencies();
        let mut paths: Vec<PathBuf> = ids
            .filter(|id| *id.root() == VirtualRoot::Project)
            .filter_map(|id| loader.resolve(id.vpath()).ok())
            .collect();
        paths.sort();
        paths.into_iter()
    }

    /// Which layout files are the project's and which built in.
    pub fn overlay(&self) -> &Overlay {
        &self.overlay
    }

    /// The main file as diagnostics name it (e.g. `layouts/booklet.typ`).
    pub fn main_name(&self) -> String {
        self.name(self.main)
    }

    /// The fonts this world typesets with.
    pub fn fonts(&self) -> &FontSet {
        &self.fonts
    }

    /// The same fonts, shared: for more worlds (e.g. one per handout thread).
    pub fn shared_fonts(&self) -> Arc<FontSet> {
        Arc::clone(&self.fonts)
    }
}

impl World for BookWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.virtual_files.get(&id) {
            Some(file) => file.source(),
            None => self.files.source(id),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match self.virtual_files.get(&id) {
            Some(file) => Ok(file.bytes.clone()),
            None => self.files.file(id),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

impl DiagnosticWorld for BookWorld {
    /// Disk files as `<root>/<path>` (e.g. `layouts/booklet.typ`), built-in ones as
    /// `<built-in>/<path>`, virtual ones by their virtual path, so messages point at
    /// something the user can find.
    fn name(&self, id: FileId) -> String {
        let vpath = id.vpath();
        match id.root() {
            VirtualRoot::Project if !self.virtual_files.contains_key(&id) => {
                match self.files.loader().resolve(vpath) {
                    Ok(path) => path.display().to_string(),
                    Err(_) => format!("{BUILT_IN_NAME}{}", vpath.get_with_slash()),
                }
            }
            VirtualRoot::Project => vpath.get_with_slash().to_string(),
            VirtualRoot::Package(spec) => format!("{spec}{}", vpath.get_with_slash()),
        }
    }
}

/// How diagnostics name the folder of the built-in layouts.
pub const BUILT_IN_NAME: &str = "<built-in>";

/// Loads project files from the layouts directory, else from the built-in layouts,
/// and `/content/…` from the content directory where there is one; packages are not
/// available (a booklet must build offline and reproducibly).
struct DiskFiles {
    layouts: FsRoot,
    content: Option<FsRoot>,
}

impl DiskFiles {
    /// The directory a project path is read from, and the path within it.
    fn locate(&self, vpath: &VirtualPath) -> (&FsRoot, VirtualPath) {
        let under_content = vpath
            .get_without_slash()
            .strip_prefix(CONTENT_ROOT)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| VirtualPath::new(rest).ok());
        match (&self.content, under_content) {
            (Some(content), Some(rest)) => (content, rest),
            _ => (&self.layouts, vpath.clone()),
        }
    }

    /// The built-in layout that stands in for `path` of `root` when the project has
    /// no such file (content/ has no built-in files).
    fn built_in(&self, root: &FsRoot, path: &VirtualPath) -> Option<&'static [u8]> {
        let layouts = std::ptr::eq(root, &self.layouts);
        layouts.then(|| Kind::Layouts.find(path.get_without_slash()))?
    }

    /// The file on disk a project path is read from; `Err` for a built-in layout.
    fn resolve(&self, vpath: &VirtualPath) -> FileResult<PathBuf> {
        let (root, path) = self.locate(vpath);
        let resolved = root.resolve(&path)?;
        match resolved.is_file() || self.built_in(root, &path).is_none() {
            true => Ok(resolved),
            false => Err(FileError::NotFound(resolved)),
        }
    }
}

impl FileLoader for DiskFiles {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        match id.root() {
            VirtualRoot::Project => {
                let (root, path) = self.locate(id.vpath());
                match (root.load(&path), self.built_in(root, &path)) {
                    (Err(FileError::NotFound(_)), Some(bytes)) => Ok(Bytes::new(bytes)),
                    (loaded, _) => loaded,
                }
            }
            VirtualRoot::Package(spec) => {
                Err(FileError::Package(PackageError::NotFound(spec.clone())))
            }
        }
    }
}

/// A file set from Rust; parsed as Typst source only if something imports it.
struct VirtualFile {
    id: FileId,
    bytes: Bytes,
    source: OnceLock<FileResult<Source>>,
}

impl VirtualFile {
    fn new(id: FileId, bytes: Vec<u8>) -> Self {
        Self {
            id,
            bytes: Bytes::new(bytes),
            source: OnceLock::new(),
        }
    }

    fn source(&self) -> FileResult<Source> {
        let parse = || {
            let text = std::str::from_utf8(&self.bytes).map_err(|_| FileError::InvalidUtf8)?;
            Ok(Source::new(self.id, text.to_string()))
        };
        self.source.get_or_init(parse).clone()
    }
}

/// The id of `path` inside the project root (a leading `/` is optional).
fn project_file(path: &str) -> Result<FileId, WorldError> {
    let vpath = VirtualPath::new(path).map_err(|err| WorldError::InvalidPath {
        path: PathBuf::from(path),
        reason: err.to_string(),
    })?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// The date in `SOURCE_DATE_EPOCH` (seconds since 1970, UTC), if it is set and valid.
fn source_date_epoch() -> Option<Datetime> {
    let secs: i64 = std::env::var("SOURCE_DATE_EPOCH")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    date_from_epoch(secs)
}

/// The UTC calendar date of a Unix timestamp.
pub fn date_from_epoch(secs: i64) -> Option<Datetime> {
    let date = time::OffsetDateTime::from_unix_timestamp(secs).ok()?.date();
    Datetime::from_ymd(date.year(), date.month().into(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in fonts: these tests need no face of their own.
    fn fonts() -> Arc<FontSet> {
        static FONTS: OnceLock<Arc<FontSet>> = OnceLock::new();
        let load = || Arc::new(FontSet::load(Path::new("/nonexistent"), false).unwrap());
        Arc::clone(FONTS.get_or_init(load))
    }

    fn world_with(main: &str, text: &str) -> (tempfile::TempDir, BookWorld) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(main), text).unwrap();
        let world = BookWorld::new(dir.path(), main, fonts()).unwrap();
        (dir, world)
    }

    #[test]
    fn epoch_dates() {
        assert_eq!(date_from_epoch(0), Datetime::from_ymd(1970, 1, 1));
        assert_eq!(
            date_from_epoch(1_767_225_600),
            Datetime::from_ymd(2026, 1, 1)
        );
        assert_eq!(
            date_from_epoch(951_782_400),
            Datetime::from_ymd(2000, 2, 29)
        );
        assert_eq!(date_from_epoch(-86_400), Datetime::from_ymd(1969, 12, 31));
    }

    #[test]
    fn setup_errors_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = BookWorld::new(&missing, "other.typ", fonts())
            .err()
            .unwrap();
        let path = missing.join("other.typ").display().to_string();
        assert!(err.to_string().contains(&path), "{err}");
        let (_dir, mut world) = world_with("main.typ", "");
        let err = world.set_file("../escape.json", vec![]).unwrap_err();
        assert!(err.to_string().contains("../escape.json"), "{err}");
    }

    #[test]
    fn virtual_files_shadow_disk_and_can_change() {
        let (dir, mut world) = world_with("main.typ", "hello");
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/book.json"), "{\"from\":\"disk\"}").unwrap();
        let id = project_file("/data/book.json").unwrap();
        assert_eq!(world.file(id).unwrap().as_slice(), b"{\"from\":\"disk\"}");
        world.set_file("/data/book.json", b"[1]".to_vec()).unwrap();
        assert_eq!(world.file(id).unwrap().as_slice(), b"[1]");
        world.set_file("data/book.json", b"[2]".to_vec()).unwrap();
        assert_eq!(world.file(id).unwrap().as_slice(), b"[2]");
    }

    #[test]
    fn reset_rereads_disk_and_dependencies_list_real_files() {
        let (dir, mut world) = world_with("main.typ", "one");
        world.set_file("/data/book.json", b"{}".to_vec()).unwrap();
        assert_eq!(world.source(world.main()).unwrap().text(), "one");
        world
            .file(project_file("/data/book.json").unwrap())
            .unwrap();
        let deps: Vec<_> = world.dependencies().collect();
        assert_eq!(deps, vec![dir.path().join("main.typ")]);
        std::fs::write(dir.path().join("main.typ"), "two").unwrap();
        assert_eq!(
            world.source(world.main()).unwrap().text(),
            "one",
            "cached until reset"
        );
        world.reset();
        assert_eq!(world.source(world.main()).unwrap().text(), "two");
    }

    #[test]
    fn the_built_in_layouts_stand_in_for_the_files_a_project_lacks() {
        let dir = tempfile::tempdir().unwrap();
        let layouts = dir.path().join("layouts");
        let world = BookWorld::new(&layouts, "booklet.typ", fonts()).unwrap();
        let theme = project_file("lib/theme.typ").unwrap();
        let built_in = Kind::Layouts.find("lib/theme.typ").unwrap();
        assert_eq!(world.file(theme).unwrap().as_slice(), built_in);
        assert_eq!(world.name(theme), "<built-in>/lib/theme.typ");
        assert_eq!(world.overlay().to_string(), "built-in");

        std::fs::create_dir_all(layouts.join("lib")).unwrap();
        std::fs::write(layouts.join("lib/theme.typ"), "// mine").unwrap();
        let mut world = BookWorld::new(&layouts, "booklet.typ", fonts()).unwrap();
        assert_eq!(world.source(theme).unwrap().text(), "// mine");
        let style = project_file("lib/style.typ").unwrap();
        world.file(style).unwrap();
        let path = layouts.join("lib/theme.typ");
        assert_eq!(world.name(theme), path.display().to_string());
        // What watch and the stamp follow: the project's file, not the built-in ones.
        assert_eq!(world.dependencies().collect::<Vec<_>>(), vec![path]);
        // A content file of a built-in layout's name is not served from the binary.
        world.set_content(dir.path());
        let content_theme = project_file("/content/lib/theme.typ").unwrap();
        assert!(world.file(content_theme).is_err());
    }

    #[test]
    fn today_is_the_build_date_not_the_clock() {
        let (_dir, world) = world_with("main.typ", "");
        let expected = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(secs) => date_from_epoch(secs.trim().parse().unwrap()).unwrap(),
            Err(_) => Datetime::from_ymd(2026, 1, 1).unwrap(),
        };
        for offset in [
            None,
            Some(time::Duration::hours(8)),
            Some(time::Duration::hours(-11)),
        ] {
            let offset = offset.map(Duration::from);
            assert_eq!(world.today(offset), Some(expected));
        }
        assert_eq!(
            date_from_epoch(1_780_000_000),
            Datetime::from_ymd(2026, 5, 28)
        );
    }
}
