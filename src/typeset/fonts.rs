//! The fonts Typst may use: the built-in faces with the project's `fonts/` laid over
//! them file by file (plus, on request, the system's), and a fast "does any loaded
//! face have this character?" check.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst_kit::fonts::{FontSource, FontStore};

use crate::typeset::builtin::{self, Kind, Origin, Overlay, OverlayError};

/// One past the highest Unicode scalar value: the size of the coverage bitmap.
const CODE_POINTS: usize = 0x11_0000;

/// Why a font set could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FontError {
    /// The project's fonts/ cannot be listed.
    #[error(transparent)]
    Unreadable(#[from] OverlayError),
}

/// How a project's face comes into memory when Typst first uses it (a built-in face
/// is always borrowed from the binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Residence {
    /// Mapped from its file, not copied: for a process that ends within seconds.
    Mapped,
    /// Copied into memory: for `watch`, which lives on while fonts/ may be replaced
    /// (a mapped file that another program truncates faults on the next read).
    Copied,
}

/// The loaded fonts: the book and lazily read faces for the Typst `World`, and the
/// union of their character maps for [`FontSet::covers`].
pub struct FontSet {
    store: FontStore,
    /// One bit per code point, set when at least one face maps it to a glyph.
    coverage: Box<[u64]>,
    /// How many faces are the book's own, built in or the project's (they are first;
    /// the faces of booklet.toml's `[fonts] dirs`, CJK collections of 20–30 MB, are
    /// not warmed).
    own: usize,
    /// The project's `fonts/` over the built-in faces.
    overlay: Overlay,
}

impl FontSet {
    /// The built-in faces with the font files under `dir` (recursively) in place of
    /// those of the same path, the project's mapped. With `system`, the system's
    /// fonts are added after them, so the book's own fonts win when families clash.
    pub fn load(dir: &Path, system: bool) -> Result<Self, FontError> {
        Self::load_as(dir, &[], system, Residence::Mapped)
    }

    /// [`FontSet::load`], with the faces of the folders `extra` after the book's own
    /// (booklet.toml's `[fonts] dirs`: a folder that is not there adds none, which
    /// `check` reports), the project's brought into memory as `residence` says.
    pub fn load_as(
        dir: &Path,
        extra: &[PathBuf],
        system: bool,
        residence: Residence,
    ) -> Result<Self, FontError> {
        let overlay = Overlay::read(Kind::Fonts, dir)?;
        let mut faces = scan_own(&overlay, residence);
        let own = faces.len();
        for dir in extra.iter().filter(|d| d.is_dir()) {
            faces.extend(scan(|db| db.load_fonts_dir(dir), residence));
        }
        if system {
            faces.extend(scan(|db| db.load_system_fonts(), residence));
        }
        Ok(Self::from_faces(faces, own, overlay))
    }

    fn from_faces(faces: Vec<(FontFile, FontInfo)>, own: usize, overlay: Overlay) -> Self {
        let mut coverage = vec![0u64; CODE_POINTS / 64].into_boxed_slice();
        for (_, info) in &faces {
            for c in info.coverage.iter() {
                if let Some(word) = coverage.get_mut(c as usize / 64) {
                    *word |= 1 << (c % 64);
                }
            }
        }
        let mut store = FontStore::new();
        store.extend(faces);
        Self {
            store,
            coverage,
            own,
            overlay,
        }
    }

    /// Reads and hashes the book's own faces on a thread of their own. Typst reads a
    /// face whole on its first use and hashes all of it (10–16 MB for a CJK face) the
    /// first time a shaping is memoized, in the middle of laying out. Done here, that
    /// work runs while Typst evaluates the layouts on one core, and the layout finds
    /// the faces ready. Detached: a process that ends first loses nothing.
    pub fn warm(self: &Arc<Self>) {
        let fonts = Arc::clone(self);
        let warm = move || {
            for font in (0..fonts.own).filter_map(|i| fonts.font(i)) {
                typst::utils::hash128(&font);
            }
        };
        // Without a thread the faces are simply read when first used.
        let _ = std::thread::Builder::new()
            .name("font-warm".into())
            .spawn(warm);
    }

    /// Whether at least one loaded face has a glyph for `c` in its cmap.
    pub fn covers(&self, c: char) -> bool {
        let c = c as usize;
        self.coverage[c / 64] & (1 << (c % 64)) != 0
    }

    /// Metadata of all faces, indexed like [`FontSet::font`].
    pub fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    /// The face at `index` in the book, read on first use.
    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }

    /// Which font files are the project's and which built in.
    pub fn overlay(&self) -> &Overlay {
        &self.overlay
    }
}

/// A face in a font file, brought into memory on first use.
struct FontFile {
    origin: Origin,
    /// The face's index in a collection (0 for a single-face file).
    index: u32,
    residence: Residence,
}

impl FontSource for FontFile {
    /// A built-in face is borrowed from the binary's memory. A project's is mapped
    /// rather than read: copying a CJK face (10–16 MB) into fresh memory costs a page
    /// fault per 4 KiB, ≈ 50 ms for the shipped fonts on these machines, against 6 ms
    /// mapped. A file that cannot be mapped is read.
    fn load(&self) -> Option<Font> {
        let data = match (&self.origin, self.residence) {
            (Origin::BuiltIn(bytes), _) => Bytes::new(*bytes),
            (Origin::Disk(path), Residence::Copied) => Bytes::new(std::fs::read(path).ok()?),
            (Origin::Disk(path), Residence::Mapped) => map(path)?,
        };
        Font::new(data, self.index)
    }
}

/// A font file mapped into memory, or read when it cannot be mapped.
fn map(path: &Path) -> Option<Bytes> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the map is read-only and nothing here writes to it. Another program
    // truncating the file would make a later read fault (SIGBUS), which is why `watch`
    // copies; fontdb maps the system's files the same way to scan them.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => Some(Bytes::new(map)),
        Err(_) => std::fs::read(path).ok().map(Bytes::new),
    }
}

/// The book's own faces with Typst's metadata, in the order of their files' paths
/// (which decides font indices and fallback priority), each file's faces by index.
/// Files are read on every core: Typst's metadata of a CJK face (its coverage of tens
/// of thousands of code points) takes milliseconds each. A file that is no font is
/// left out, as fontdb leaves it out of a scan.
fn scan_own(overlay: &Overlay, residence: Residence) -> Vec<(FontFile, FontInfo)> {
    let files: Vec<Origin> = overlay
        .files()
        .into_iter()
        .filter(|(path, _)| builtin::has_extension(path, &builtin::FONT_EXTENSIONS))
        .map(|(_, origin)| origin)
        .collect();
    let faces = |origin: Origin| {
        let data = match &origin {
            Origin::BuiltIn(bytes) => Bytes::new(*bytes),
            Origin::Disk(path) => map(path).unwrap_or_else(|| Bytes::new(Vec::new())),
        };
        // A collection's faces are 0, 1, …: the first index that does not parse ends it.
        (0..)
            .map_while(|index| FontInfo::new(&data, index).map(|info| (index, info)))
            .map(|(index, info)| {
                let file = FontFile {
                    origin: origin.clone(),
                    index,
                    residence,
                };
                (file, info)
            })
            .collect::<Vec<_>>()
    };
    files.into_par_iter().flat_map_iter(faces).collect()
}

/// The faces `load` finds (the system's, a folder's) with Typst's metadata, sorted
/// by path and index: fontdb lists them in directory order, which differs between
/// machines.
fn scan(
    load: impl FnOnce(&mut fontdb::Database),
    residence: Residence,
) -> Vec<(FontFile, FontInfo)> {
    let mut db = fontdb::Database::new();
    load(&mut db);
    let faces: Vec<&fontdb::FaceInfo> = db.faces().collect();
    let mut faces: Vec<(PathBuf, u32, FontInfo)> = faces
        .par_iter()
        .filter_map(|face| {
            let path = match &face.source {
                fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _) => path,
                fontdb::Source::Binary(_) => return None,
            };
            let info = db.with_face_data(face.id, FontInfo::new)??;
            Some((path.clone(), face.index, info))
        })
        .collect();
    faces.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let file = |(path, index, info)| {
        let origin = Origin::Disk(path);
        (
            FontFile {
                origin,
                index,
                residence,
            },
            info,
        )
    };
    faces.into_iter().map(file).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_fonts() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")
    }

    #[test]
    fn without_a_folder_the_built_in_faces_are_borrowed_from_the_binary() {
        let fonts = FontSet::load(Path::new("/nonexistent/fonts-dir"), false).unwrap();
        assert_eq!(fonts.overlay().to_string(), "built-in");
        let font = fonts.font(0).expect("a built-in face");
        let (name, bytes) = Kind::Fonts.files()[0];
        assert!(builtin::has_extension(name, &builtin::FONT_EXTENSIONS));
        // The same memory, not a copy of it.
        assert_eq!(font.data().as_slice().as_ptr(), bytes.as_ptr());
    }

    #[test]
    fn a_folder_of_licences_alone_leaves_the_faces_built_in() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("readme.txt"), "not a font").unwrap();
        let fonts = FontSet::load(dir.path(), false).unwrap();
        assert_eq!(fonts.overlay().to_string(), "built-in");
        let built_in = FontSet::load(Path::new("/nonexistent"), false).unwrap();
        assert_eq!(
            fonts.book().families().count(),
            built_in.book().families().count()
        );
    }

    /// A copy of the repository's Libertinus regular face, added to the built-in
    /// faces under a name that sorts last: the book's last face.
    fn one_font_dir() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zz-Mine.otf");
        std::fs::copy(repo_fonts().join("LibertinusSerif-Regular.otf"), &path).unwrap();
        (dir, path)
    }

    fn last_face(fonts: &FontSet) -> Font {
        fonts.font(fonts.own - 1).expect("the face loads")
    }

    #[test]
    fn mapped_and_copied_faces_hold_the_file_bytes() {
        let (dir, path) = one_font_dir();
        let file = std::fs::read(&path).unwrap();
        for residence in [Residence::Mapped, Residence::Copied] {
            let fonts = FontSet::load_as(dir.path(), &[], false, residence).unwrap();
            assert_eq!(
                last_face(&fonts).data().as_slice(),
                &file[..],
                "{residence:?}"
            );
            let said = fonts.overlay().to_string();
            assert!(
                said.ends_with("(1 file added, the rest built-in)"),
                "{said}"
            );
        }
    }

    /// `watch` copies its faces: a font file truncated while it runs (as `cp` does
    /// before writing the new one) must not take its data away. A mapped face would
    /// fault here, killing the test.
    #[test]
    fn a_copied_face_survives_its_file_being_truncated() {
        let (dir, path) = one_font_dir();
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        let fonts = FontSet::load_as(dir.path(), &[], false, Residence::Copied).unwrap();
        let font = last_face(&fonts);
        std::fs::File::create(&path).unwrap(); // truncates
        let data = font.data();
        assert_eq!(data.len(), len);
        assert!(data.as_slice().iter().any(|&b| b != 0));
    }

    #[test]
    fn covers_cjk_and_ascii_but_not_unassigned() {
        let fonts = FontSet::load(&repo_fonts(), false).expect("repo fonts/ must load");
        assert!(fonts.covers('A'));
        assert!(fonts.covers('#'));
        assert!(fonts.covers('中'));
        // U+E000 (private use) and U+10FFFF are in no shipped font.
        assert!(!fonts.covers('\u{E000}'));
        assert!(!fonts.covers('\u{10FFFF}'));
        // Every role of the layouts is there.
        let families: Vec<&str> = fonts.book().families().map(|(name, _)| name).collect();
        for family in [
            "Noto Serif SC",
            "Noto Sans SC",
            "LXGW WenKai",
            "Libertinus Serif",
        ] {
            assert!(
                families.iter().any(|f| f.eq_ignore_ascii_case(family)),
                "{family} missing: {families:?}"
            );
        }
    }
}
