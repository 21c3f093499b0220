//! What a build was made from: a fingerprint of every input — the content and layout
//! files, the fonts, the print options, the build date and confbook's version — kept
//! beside the PDF (`out/.build-stamp.json`), so that `build` with nothing changed can
//! say the output is current instead of typesetting it again.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::content::Fonts;
use crate::files::{self, WriteError};
use crate::model::print::Overrides;
use crate::output::build::Paths;

/// The stamp's file, below the output directory (hidden: it is not a deliverable).
pub const FILE: &str = ".build-stamp.json";

/// A finished build: its inputs, the PDF it wrote, and how many faults preflight found
/// in it (a current build with faults still fails).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub inputs: String,
    pub pdf: String,
    pub faults: usize,
}

/// The fingerprint of a build's inputs. Content and layout files count by their bytes;
/// fonts (65 MB; and the folders of booklet.toml's `[fonts] dirs`) by name, size and
/// modification time, as make counts them; the built-in layouts and fonts by the
/// binary's. A project's `layouts/` or `fonts/` that is not there adds nothing (the
/// built-in files stand in). `None` with system fonts, which cannot be fingerprinted:
/// such a build always runs.
pub fn fingerprint(paths: &Paths, overrides: &Overrides, system_fonts: bool) -> Option<String> {
    if system_fonts {
        return None;
    }
    let mut hash = Sha256::new();
    let date = std::env::var("SOURCE_DATE_EPOCH").unwrap_or_default();
    hash.update(format!(
        "confbook {} {overrides:?} {date}\n",
        env!("CARGO_PKG_VERSION")
    ));
    // A rebuilt or upgraded confbook may typeset the same input otherwise, and its
    // built-in layouts and fonts are in it: its binary counts too, as a font file does
    // (size and modification time).
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.metadata().ok())
    {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        hash.update(format!(
            "{} {:?}\n",
            meta.len(),
            modified.map(|d| d.as_nanos())
        ));
    }
    let mut dirs = vec![
        (paths.content.clone(), true),
        (paths.layouts.clone(), true),
        (paths.fonts.clone(), false),
    ];
    // booklet.toml's `[fonts] dirs`, as fonts/ counts.
    let extra = Fonts::of_project(&paths.content);
    dirs.extend(extra.into_iter().map(|dir| (dir, false)));
    // Each path is hashed with its folder's number: a file moved between folders is
    // a change.
    let present = dirs
        .into_iter()
        .enumerate()
        .filter(|(_, (dir, _))| dir.exists());
    for (i, (dir, by_bytes)) in present {
        let walk = walkdir::WalkDir::new(&dir)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walk.into_iter().filter_entry(|e| !is_hidden(e)) {
            let entry = entry.ok()?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&dir).ok()?;
            hash.update(format!("{i}:{}\n", rel.display()));
            match by_bytes {
                true => hash.update(Sha256::digest(std::fs::read(entry.path()).ok()?)),
                false => {
                    let meta = entry.metadata().ok()?;
                    let modified = meta
                        .modified()
                        .ok()?
                        .duration_since(std::time::UNIX_EPOCH)
                        .ok()?;
                    hash.update(format!("{} {}\n", meta.len(), modified.as_nanos()));
                }
            }
        }
    }
    Some(format!("{:x}", hash.finalize()))
}

/// Hidden files and folders (ingest's state, editors' swap files) are not inputs.
fn is_hidden(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.')
}

/// The stamp of the build in `paths.out`, if it was made from `inputs` and its PDF is
/// still the one it wrote.
pub fn current(paths: &Paths, inputs: &str) -> Option<Stamp> {
    let stamp: Stamp = serde_json::from_slice(&std::fs::read(paths.out.join(FILE)).ok()?).ok()?;
    let pdf = std::fs::read(paths.pdf()).ok()?;
    let manifest_there = paths.manifest().is_file();
    (stamp.inputs == inputs && stamp.pdf == files::sha256_hex(&pdf) && manifest_there)
        .then_some(stamp)
}

/// Records a finished build (after preflight), atomically.
pub fn write(paths: &Paths, stamp: &Stamp) -> Result<(), WriteError> {
    let json = serde_json::to_vec_pretty(stamp).expect("a stamp is plain data");
    files::write_atomic(&paths.out.join(FILE), &json)
}
