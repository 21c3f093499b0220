//! The fonts Typst may use: every face in the project's `fonts/` directory (plus, on
//! request, the system's), and a fast "does any loaded face have this character?" check.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst_kit::fonts::{FontSource, FontStore};

/// One past the highest Unicode scalar value: the size of the coverage bitmap.
const CODE_POINTS: usize = 0x11_0000;

/// Why a font set could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FontError {
    #[error("font directory not found ({})", path.display())]
    DirMissing { path: PathBuf },
    #[error("no usable font files (.ttf/.otf/.ttc/.otc) in {}", path.display())]
    NoFonts { path: PathBuf },
}

/// How a face's file comes into memory when Typst first uses it.
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
    /// How many faces come from the project's directory (they are first; the faces
    /// of booklet.toml's `[fonts] dirs`, CJK collections of 20–30 MB, are not warmed).
    project: usize,
}

impl FontSet {
    /// Loads every font file under `dir` (recursively), mapped. With `system`, the
    /// system's fonts are added after them, so the project's fonts win when families
    /// clash.
    pub fn load(dir: &Path, system: bool) -> Result<Self, FontError> {
        Self::load_as(dir, &[], system, Residence::Mapped)
    }

    /// [`FontSet::load`], with the faces of the folders `extra` after the project's
    /// (booklet.toml's `[fonts] dirs`: a folder that is not there adds none, which
    /// `check` reports), brought into memory as `residence` says.
    pub fn load_as(
        dir: &Path,
        extra: &[PathBuf],
        system: bool,
        residence: Residence,
    ) -> Result<Self, FontError> {
        if !dir.is_dir() {
            return Err(FontError::DirMissing {
                path: dir.to_path_buf(),
            });
        }
        let mut faces = scan(|db| db.load_fonts_dir(dir), residence);
        if faces.is_empty() {
            return Err(FontError::NoFonts {
                path: dir.to_path_buf(),
            });
        }
        let project = faces.len();
        for dir in extra.iter().filter(|d| d.is_dir()) {
            faces.extend(scan(|db| db.load_fonts_dir(dir), residence));
        }
        if system {
            faces.extend(scan(fontdb::Database::load_system_fonts, residence));
        }
        Ok(Self::from_faces(faces, project))
    }

    fn from_faces(faces: Vec<(FontFile, FontInfo)>, project: usize) -> Self {
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
            project,
        }
    }

    /// Reads and hashes the project's faces on a thread of their own. Typst reads a
    /// face whole on its first use and hashes all of it (10–16 MB for a CJK face) the
    /// first time a shaping is memoized, in the middle of laying out. Done here, that
    /// work runs while Typst evaluates the layouts on one core, and the layout finds
    /// the faces ready. Detached: a process that ends first loses nothing.
    pub fn warm(self: &Arc<Self>) {
        let fonts = Arc::clone(self);
        let warm = move || {
            for font in (0..fonts.project).filter_map(|i| fonts.font(i)) {
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

    /// The face at `index` in the book, read from disk on first use.
    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }
}

/// A face in a font file, brought into memory on first use.
struct FontFile {
    path: PathBuf,
    /// The face's index in a collection (0 for a single-face file).
    index: u32,
    residence: Residence,
}

impl FontSource for FontFile {
    /// Mapping rather than reading saves copying a CJK face (10–16 MB) into fresh
    /// memory, a page fault per 4 KiB: ≈ 50 ms for the shipped fonts on these
    /// machines, against 6 ms mapped. A file that cannot be mapped is read.
    fn load(&self) -> Option<Font> {
        let read = || std::fs::read(&self.path).ok().map(Bytes::new);
        let data = match self.residence {
            Residence::Copied => read()?,
            Residence::Mapped => {
                let file = std::fs::File::open(&self.path).ok()?;
                // SAFETY: the map is read-only and nothing here writes to it. Another
                // program truncating the file would make a later read fault (SIGBUS),
                // which is why `watch` copies; fontdb maps the same files to scan them.
                match unsafe { memmap2::Mmap::map(&file) } {
                    Ok(map) => Bytes::new(map),
                    Err(_) => read()?,
                }
            }
        };
        Font::new(data, self.index)
    }
}

/// Runs `load` on a fresh fontdb database and returns its faces with Typst metadata,
/// sorted by path and index: fontdb lists them in directory order, which differs
/// between machines, and the order decides font indices and fallback priority.
/// Faces are read on every core: Typst's metadata of a CJK face (its coverage of
/// tens of thousands of code points) takes milliseconds each.
fn scan(
    load: impl FnOnce(&mut fontdb::Database),
    residence: Residence,
) -> Vec<(FontFile, FontInfo)> {
    let mut db = fontdb::Database::new();
    load(&mut db);
    let faces: Vec<&fontdb::FaceInfo> = db.faces().collect();
    let mut faces: Vec<_> = faces
        .par_iter()
        .filter_map(|face| {
            let path = match &face.source {
                fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _) => path,
                fontdb::Source::Binary(_) => return None,
            };
            let info = db.with_face_data(face.id, FontInfo::new)??;
            Some((
                FontFile {
                    path: path.clone(),
                    index: face.index,
                    residence,
                },
                info,
            ))
        })
        .collect();
    faces.sort_by(|(a, _), (b, _)| (&a.path, a.index).cmp(&(&b.path, b.index)));
    faces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_fonts() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")
    }

    #[test]
    fn missing_dir_names_the_path() {
        let err = FontSet::load(Path::new("/nonexistent/fonts-dir"), false)
            .err()
            .expect("missing dir must fail");
        assert!(err.to_string().contains("/nonexistent/fonts-dir"), "{err}");
    }

    #[test]
    fn empty_dir_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("readme.txt"), "not a font").unwrap();
        let err = FontSet::load(dir.path(), false)
            .err()
            .expect("no fonts must fail");
        assert!(matches!(err, FontError::NoFonts { .. }));
        assert!(err.to_string().contains(&dir.path().display().to_string()));
    }

    /// A copy of the repository's Libertinus regular face alone, in a temporary folder.
    fn one_font_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let name = "LibertinusSerif-Regular.otf";
        std::fs::copy(repo_fonts().join(name), dir.path().join(name)).unwrap();
        dir
    }

    #[test]
    fn mapped_and_copied_faces_hold_the_file_bytes() {
        let dir = one_font_dir();
        let file = std::fs::read(dir.path().join("LibertinusSerif-Regular.otf")).unwrap();
        for residence in [Residence::Mapped, Residence::Copied] {
            let fonts = FontSet::load_as(dir.path(), &[], false, residence).unwrap();
            let font = fonts.font(0).expect("the face loads");
            assert_eq!(font.data().as_slice(), &file[..], "{residence:?}");
        }
    }

    /// `watch` copies its faces: a font file truncated while it runs (as `cp` does
    /// before writing the new one) must not take its data away. A mapped face would
    /// fault here, killing the test.
    #[test]
    fn a_copied_face_survives_its_file_being_truncated() {
        let dir = one_font_dir();
        let path = dir.path().join("LibertinusSerif-Regular.otf");
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        let fonts = FontSet::load_as(dir.path(), &[], false, Residence::Copied).unwrap();
        let font = fonts.font(0).unwrap();
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
