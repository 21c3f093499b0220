//! The fonts Typst may use: every face in the project's `fonts/` directory (plus, on
//! request, the system's), and a fast "does any loaded face have this character?" check.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst_kit::fonts::{FontPath, FontStore};

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

/// The loaded fonts: the book and lazily read faces for the Typst `World`, and the
/// union of their character maps for [`FontSet::covers`].
pub struct FontSet {
    store: FontStore,
    /// One bit per code point, set when at least one face maps it to a glyph.
    coverage: Box<[u64]>,
    /// How many faces come from the project's directory (they are first).
    project: usize,
}

impl FontSet {
    /// Loads every font file under `dir` (recursively). With `system`, the system's
    /// fonts are added after them, so the project's fonts win when families clash.
    pub fn load(dir: &Path, system: bool) -> Result<Self, FontError> {
        if !dir.is_dir() {
            return Err(FontError::DirMissing {
                path: dir.to_path_buf(),
            });
        }
        let mut faces = scan(|db| db.load_fonts_dir(dir));
        if faces.is_empty() {
            return Err(FontError::NoFonts {
                path: dir.to_path_buf(),
            });
        }
        let project = faces.len();
        if system {
            faces.extend(scan(fontdb::Database::load_system_fonts));
        }
        Ok(Self::from_faces(faces, project))
    }

    fn from_faces(faces: Vec<(FontPath, FontInfo)>, project: usize) -> Self {
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

/// Runs `load` on a fresh fontdb database and returns its faces with Typst metadata,
/// sorted by path and index: fontdb lists them in directory order, which differs
/// between machines, and the order decides font indices and fallback priority.
/// Faces are read on every core: Typst's metadata of a CJK face (its coverage of
/// tens of thousands of code points) takes milliseconds each.
fn scan(load: impl FnOnce(&mut fontdb::Database)) -> Vec<(FontPath, FontInfo)> {
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
                FontPath {
                    path: path.clone(),
                    index: face.index,
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
