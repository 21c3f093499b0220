//! Writing output files: atomically (readers see the old file or the new one, never
//! half of it), and content hashes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("failed to write {} ({source})", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub source: io::Error,
}

/// Set to a file name, the process stops (as if killed) when writing that file, after
/// its temporary file is complete and before the rename: the tests prove with it that
/// a killed build leaves the previous output whole.
pub const FAULT_BEFORE_RENAME: &str = "CONFBOOK_FAULT_BEFORE_RENAME";

/// Set to a file name, the rename of that file fails (as a full or read-only disk
/// would make it): the tests prove with it that the files renamed before it are put
/// back.
pub const FAULT_AT_RENAME: &str = "CONFBOOK_FAULT_AT_RENAME";

/// Writes `bytes` to `path` so readers see the old file or the new one, never half:
/// a synced temporary file in the same directory, then a rename. Creates the parent,
/// and removes what killed writers of the same file left behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    stage_all([(path, bytes)])?.commit()
}

/// Files written in full beside their places, synced, not yet in them:
/// [`Staged::commit`] renames them there; dropped, they are removed. All files are
/// staged before any is committed, so that a failure leaves none of them half done.
pub struct Staged {
    files: Vec<(PathBuf, tempfile::NamedTempFile)>,
}

/// Writes each file's bytes to a temporary file beside its path (see [`Staged`]),
/// then makes them durable together: one sync of the file system on Linux, where a
/// sync per file made an import of 10,000 records wait for 10,000 disk flushes.
pub fn stage_all<'a>(
    files: impl IntoIterator<Item = (&'a Path, &'a [u8])>,
) -> Result<Staged, WriteError> {
    let files: Vec<(&Path, &[u8])> = files.into_iter().collect();
    // Each folder is listed once for what killed writers left, not once per file.
    let mut names: BTreeMap<&Path, BTreeSet<String>> = BTreeMap::new();
    for (path, _) in &files {
        let name = file_name(path)?;
        let dir = parent_of(path);
        if !names.contains_key(dir) {
            fs::create_dir_all(dir).map_err(failed(path))?;
        }
        names.entry(dir).or_default().insert(name);
    }
    for (dir, names) in &names {
        remove_stale_temps(dir, names);
    }
    let staged = Staged {
        files: files
            .iter()
            .map(|(path, bytes)| Ok((path.to_path_buf(), write_temp(path, bytes)?)))
            .collect::<Result<_, WriteError>>()?,
    };
    staged.sync()?;
    Ok(staged)
}

/// An error writing `path`.
fn failed(path: &Path) -> impl Fn(io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.to_path_buf(),
        source,
    }
}

fn file_name(path: &Path) -> Result<String, WriteError> {
    let name = path.file_name().ok_or_else(|| {
        failed(path)(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ))
    })?;
    Ok(name.to_string_lossy().into_owned())
}

/// `bytes` in a new temporary file beside `path`, not yet synced.
fn write_temp(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, WriteError> {
    let fail = failed(path);
    let prefix = temp_prefix(&file_name(path)?);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A new file takes the umask's mode, as any program's new files do (a temporary
    // file's own 0600 would make the book unreadable to the rest of the team).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(parent_of(path)).map_err(&fail)?;
    // A file replaced keeps its mode.
    if let Ok(old) = fs::metadata(path) {
        tmp.as_file()
            .set_permissions(old.permissions())
            .map_err(&fail)?;
    }
    tmp.write_all(bytes).map_err(&fail)?;
    Ok(tmp)
}

impl Staged {
    /// The staged files' bytes on disk before any rename: with `syncfs`, one flush of
    /// each file system they are on; elsewhere a sync of each file.
    fn sync(&self) -> Result<(), WriteError> {
        #[cfg(target_os = "linux")]
        {
            let mut synced: BTreeSet<u64> = BTreeSet::new();
            for (path, tmp) in &self.files {
                let device = std::os::unix::fs::MetadataExt::dev(
                    &tmp.as_file().metadata().map_err(failed(path))?,
                );
                if synced.insert(device) {
                    rustix::fs::syncfs(tmp.as_file()).map_err(|e| failed(path)(e.into()))?;
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        for (path, tmp) in &self.files {
            tmp.as_file().sync_all().map_err(failed(path))?;
        }
        Ok(())
    }

    /// Renames the staged files into their places, then syncs each folder once. If a
    /// rename fails, the files renamed before it are put back as they were (a file
    /// that was not there is removed), so that the set lands whole or not at all.
    pub fn commit(self) -> Result<(), WriteError> {
        let abort_at = std::env::var_os(FAULT_BEFORE_RENAME);
        let fail_at = std::env::var_os(FAULT_AT_RENAME);
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        let last = self.files.len().saturating_sub(1);
        let mut done: Vec<Replaced> = Vec::with_capacity(self.files.len());
        for (i, (path, tmp)) in self.files.into_iter().enumerate() {
            let name = path.file_name().unwrap_or_default();
            if abort_at.as_deref() == Some(name) {
                std::process::abort();
            }
            dirs.insert(parent_of(&path).to_path_buf());
            // The last file's old bytes need no keeping: no rename after it can fail
            // (so a single file, as `write_atomic` writes, costs no second name).
            let kept = if i < last { keep_old(&path) } else { Ok(None) };
            let old = match kept {
                Ok(old) => old,
                Err(source) => return Err(undo_all(done, path, source)),
            };
            let renamed = match fail_at.as_deref() == Some(name) {
                true => Err(io::Error::other("rename failed (CONFBOOK_FAULT_AT_RENAME)")),
                false => tmp.persist(&path).map(drop).map_err(|e| e.error),
            };
            if let Err(source) = renamed {
                if let Some(old) = old {
                    let _ = fs::remove_file(old);
                }
                return Err(undo_all(done, path, source));
            }
            done.push(Replaced { path, old });
        }
        for replaced in done {
            if let Some(old) = replaced.old {
                let _ = fs::remove_file(old);
            }
        }
        // Persist the renames themselves; not every platform can open a directory, so
        // best effort.
        for dir in dirs {
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

/// A file a commit put in place, and where the file it replaced is kept until the
/// whole set is in place.
struct Replaced {
    path: PathBuf,
    old: Option<PathBuf>,
}

impl Replaced {
    /// Puts the old file back (best effort: this runs after a failure already).
    fn undo(self) {
        let _ = match self.old {
            Some(old) => fs::rename(old, &self.path),
            None => fs::remove_file(&self.path),
        };
    }
}

/// The files renamed before `path` failed put back, last first; the error of `path`.
fn undo_all(done: Vec<Replaced>, path: PathBuf, source: io::Error) -> WriteError {
    done.into_iter().rev().for_each(Replaced::undo);
    WriteError { path, source }
}

/// A second name for the file at `path`, if one is there, so that it can be put back:
/// a hard link (the file stays in its place meanwhile), or a copy where the file
/// system has none. Named as a temporary file, so a killed writer's is removed.
fn keep_old(path: &Path) -> io::Result<Option<PathBuf>> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let old = parent_of(path).join(format!("{}old.tmp", temp_prefix(&name)));
    let _ = fs::remove_file(&old);
    if fs::hard_link(path, &old).is_err() {
        fs::copy(path, &old)?;
    }
    Ok(Some(old))
}

/// The folder `path` is in (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A folder a command would write a project of its own into is in use.
#[derive(Debug, thiserror::Error)]
pub enum InUse {
    #[error("{} is not empty (use --force to write into it anyway)", dir.display())]
    NotEmpty { dir: PathBuf },
    #[error("{}: {source}", dir.display())]
    Unreadable { dir: PathBuf, source: io::Error },
}

/// Refuses a folder that holds anything, unless `force` (a folder that is not there
/// holds nothing): what writes a project of its own (`eject`, `new`, `layouts
/// export`) does not mix it with someone's files unasked.
pub fn refuse_in_use(dir: &Path, force: bool) -> Result<(), InUse> {
    let holds = match fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(source) => {
            let dir = dir.to_path_buf();
            return Err(InUse::Unreadable { dir, source });
        }
    };
    match holds && !force {
        true => Err(InUse::NotEmpty {
            dir: dir.to_path_buf(),
        }),
        false => Ok(()),
    }
}

/// The bytes of the regular file at `path`, which may hold at most `limit` bytes: a
/// device (`/dev/zero`), a pipe or a file that is too large is an error, not a read
/// without end or a machine out of memory.
pub fn read_at_most(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = fs::File::open(path)?;
    let meta = file.metadata()?;
    let refuse = |what: String| io::Error::new(io::ErrorKind::InvalidInput, what);
    if !meta.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    let too_large = || refuse(format!("larger than {} MB, the most it reads", limit >> 20));
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take`: the file may grow while it is read.
    io::Read::read_to_end(&mut io::Read::take(file, limit + 1), &mut bytes)?;
    match bytes.len() as u64 > limit {
        true => Err(too_large()),
        false => Ok(bytes),
    }
}

/// This process's temporary files of the file `name` start with this, `.{name}.{pid}.`
/// (hidden: watchers and listings skip them; [`remove_stale_temps`] reads it back).
fn temp_prefix(name: &str) -> String {
    format!(".{name}.{}.", std::process::id())
}

/// Removes `dir`'s temporary files of the files `names` whose writer is no longer
/// running (a killed build's). Where that cannot be told (no `/proc`), nothing is
/// removed.
fn remove_stale_temps(dir: &Path, names: &BTreeSet<String>) {
    let proc = Path::new("/proc");
    let (Ok(entries), true) = (fs::read_dir(dir), proc.is_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        // `.{name}.{pid}.{random}.tmp` (see `temp_prefix`); the name may hold dots.
        let Some(inner) = file.strip_prefix('.').and_then(|f| f.strip_suffix(".tmp")) else {
            continue;
        };
        let mut parts = inner.rsplitn(3, '.');
        let (Some(_random), Some(pid), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if names.contains(name) && pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A name that can stand as a file's stem on every system: letters, digits, `-`, `_`
/// and `.`, not empty, not hidden, at most 200 bytes (a file name holds 255, with room
/// for an extension and a temporary file's affixes). Record ids and session ids name
/// files.
pub fn is_file_stem(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !is_device_name(name)
}

/// A name Windows keeps for a device whatever follows its first `.` (`CON`,
/// `nul.md`, `COM1`): no file can have it there.
fn is_device_name(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    let numbered = |prefix: &str| {
        base.strip_prefix(prefix)
            .is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit())
    };
    matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL") || numbered("COM") || numbered("LPT")
}

/// A relative path that stays inside the folder it is read from: no leading `/`, no
/// `..` or `.` part, no backslash or drive/scheme colon (`figures/x.png`,
/// `pages/welcome.md`).
pub fn is_inner_path(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains(['\\', ':'])
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_creates_dirs_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/sub/book.pdf");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let leftovers = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "temp files left behind");
        // A dead writer's temporary file goes; a live one's (this process) stays.
        let dead = path.with_file_name(".book.pdf.4294967294.abc.tmp");
        let live = path.with_file_name(format!(".book.pdf.{}.abc.tmp", std::process::id()));
        fs::write(&dead, "x").unwrap();
        fs::write(&live, "x").unwrap();
        write_atomic(&path, b"three").unwrap();
        assert!(!dead.exists() && live.exists());
        fs::remove_file(&live).unwrap();
        let blocked = dir.path().join("out/sub/book.pdf/inner.pdf");
        let err = write_atomic(&blocked, b"x").unwrap_err();
        assert!(err.to_string().contains("inner.pdf"), "{err}");
    }
}
