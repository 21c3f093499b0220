//! Where commands may write. Output never goes into the project's own inputs
//! (`content/`, `layouts/`, `fonts/`): a PDF written there is read back as input, and a
//! watcher that writes where it watches rebuilds for ever. An ejected project never
//! goes into a folder that holds them (the project itself), and never through a
//! symbolic link out of its folder.

use std::io;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DestinationError {
    #[error(
        "{} is inside the project's {} (what is written there would be read back as input)",
        dest.display(),
        input.display()
    )]
    InsideInput { dest: PathBuf, input: PathBuf },
    #[error(
        "{} holds the project's {} (eject would write over the project's own files)",
        dest.display(),
        input.display()
    )]
    HoldsInput { dest: PathBuf, input: PathBuf },
    #[error("{} leads out of {} through a symbolic link", path.display(), dest.display())]
    LeavesDestination { path: PathBuf, dest: PathBuf },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// What `dest` may not be inside of.
pub struct Inputs<'a> {
    pub content: &'a Path,
    pub layouts: &'a Path,
    pub fonts: &'a Path,
}

impl Inputs<'_> {
    /// Refuses a `dest` inside an input; with `whole_tree` (eject writes a project
    /// of its own), also one that holds an input.
    pub fn refuse(&self, dest: &Path, whole_tree: bool) -> Result<(), DestinationError> {
        let resolved = resolve(dest)?;
        for input in [self.content, self.layouts, self.fonts] {
            let Ok(input_at) = input.canonicalize() else {
                continue; // an input that is not there cannot be written over
            };
            let (dest, input) = (dest.to_path_buf(), input.to_path_buf());
            if resolved.starts_with(&input_at) {
                return Err(DestinationError::InsideInput { dest, input });
            }
            if whole_tree && input_at.starts_with(&resolved) {
                return Err(DestinationError::HoldsInput { dest, input });
            }
        }
        Ok(())
    }
}

/// Refuses to write `path` when it, or the folder it goes in, leads out of `dest`
/// through a symbolic link (both must exist already, but for `path` itself).
pub fn stays_within(path: &Path, dest: &Path) -> Result<(), DestinationError> {
    let leaves = || DestinationError::LeavesDestination {
        path: path.to_path_buf(),
        dest: dest.to_path_buf(),
    };
    if path.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
        return Err(leaves());
    }
    let parent = path.parent().unwrap_or(dest);
    match resolve(parent)?.starts_with(resolve(dest)?) {
        true => Ok(()),
        false => Err(leaves()),
    }
}

/// `path` as the file system reaches it: absolute, its existing part with links
/// followed, the rest as written (`.` and `..` taken away as they read).
fn resolve(path: &Path) -> Result<PathBuf, DestinationError> {
    let io_err = |source| DestinationError::Io {
        path: path.to_path_buf(),
        source,
    };
    let absolute = std::path::absolute(path).map_err(io_err)?;
    let mut lexical = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(at) = existing.canonicalize() {
            return Ok(rest.iter().rev().fold(at, |p, part| p.join(part)));
        }
        let (Some(name), Some(parent)) = (existing.file_name(), existing.parent()) else {
            return Ok(lexical);
        };
        rest.push(name.to_os_string());
        existing = parent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_an_input_or_holding_one() {
        let root = tempfile::tempdir().unwrap();
        let dir = |name: &str| {
            let path = root.path().join(name);
            std::fs::create_dir_all(&path).unwrap();
            path
        };
        let (content, layouts, fonts) = (dir("content"), dir("layouts"), dir("fonts"));
        let inputs = Inputs {
            content: &content,
            layouts: &layouts,
            fonts: &fonts,
        };
        assert!(inputs.refuse(&root.path().join("out"), true).is_ok());
        let refused = |dest: PathBuf, whole| inputs.refuse(&dest, whole).is_err();
        assert!(refused(content.join("build/new"), false));
        assert!(refused(root.path().join("out/../layouts/x"), false));
        assert!(!refused(root.path().to_path_buf(), false));
        assert!(refused(root.path().to_path_buf(), true));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_destination() {
        let (dest, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::os::unix::fs::symlink(outside.path(), dest.path().join("fonts")).unwrap();
        assert!(stays_within(&dest.path().join("fonts/a.ttf"), dest.path()).is_err());
        std::os::unix::fs::symlink(outside.path().join("f"), dest.path().join("README.md"))
            .unwrap();
        assert!(stays_within(&dest.path().join("README.md"), dest.path()).is_err());
        assert!(stays_within(&dest.path().join("booklet.typ"), dest.path()).is_ok());
    }
}
