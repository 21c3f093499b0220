//! `watch`: rebuild the booklet (and optionally the handouts) whenever anything under
//! `content/`, `layouts/` or `fonts/` changes. One [`Builder`] — one compiler world —
//! stays alive so Typst's caches are reused; a change of fonts replaces it. Files are
//! polled (modification time and size), bursts of saves are debounced, and a failed
//! build leaves the last good output in place.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::build::{BuildError, Builder, Built, Paths};
use crate::handouts::{self, Handout, HandoutError};
use crate::print::Overrides;

/// How `watch` runs.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub paths: Paths,
    pub system_fonts: bool,
    pub overrides: Overrides,
    /// Also rebuild every handout after each successful booklet build.
    pub handouts: bool,
    /// How often the watched folders are scanned.
    pub poll: Duration,
    /// How long nothing may change before a rebuild starts.
    pub debounce: Duration,
}

impl WatchConfig {
    pub fn new(paths: Paths) -> Self {
        WatchConfig {
            paths,
            system_fonts: false,
            overrides: Overrides::default(),
            handouts: false,
            poll: Duration::from_millis(200),
            debounce: Duration::from_millis(300),
        }
    }
}

/// What happened, for the caller to report.
#[derive(Debug)]
pub enum Event<'a> {
    /// Watching has started on these folders.
    Watching(&'a [PathBuf]),
    /// Files changed (paths relative to nothing: as found below the watched folders).
    Changed(&'a [PathBuf]),
    /// The booklet was rebuilt.
    Built {
        built: &'a Built,
        elapsed: Duration,
    },
    /// The booklet could not be built; the previous output is untouched.
    Failed(&'a BuildError),
    /// The handouts were rebuilt.
    Handouts {
        written: &'a [Handout],
        elapsed: Duration,
    },
    HandoutsFailed(&'a HandoutError),
}

/// Builds once, then rebuilds on every change until `stop` is set. Errors are
/// reported through `on_event`, never returned: watching goes on.
pub fn watch(config: &WatchConfig, stop: &AtomicBool, on_event: &mut dyn FnMut(Event<'_>)) {
    let paths = &config.paths;
    let dirs = [
        paths.content.clone(),
        paths.layouts.clone(),
        paths.fonts.clone(),
    ];
    on_event(Event::Watching(&dirs));
    let mut seen = Snapshot::take(&dirs);
    let mut builder: Option<Builder> = None;
    rebuild(config, &mut builder, on_event);
    loop {
        let mut changed: Vec<PathBuf> = Vec::new();
        let mut last_change: Option<Instant> = None;
        // Wait for a change, then for the folders to be quiet for `debounce`.
        loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            thread::sleep(config.poll);
            let now = Snapshot::take(&dirs);
            if now != seen {
                for path in seen.changed(&now) {
                    if !changed.contains(&path) {
                        changed.push(path);
                    }
                }
                seen = now;
                last_change = Some(Instant::now());
            } else if last_change.is_some_and(|t| t.elapsed() >= config.debounce) {
                break;
            }
        }
        if stop.load(Ordering::SeqCst) {
            return;
        }
        on_event(Event::Changed(&changed));
        // New fonts mean a new world; the old caches are then useless anyway.
        if changed.iter().any(|p| p.starts_with(&paths.fonts)) {
            builder = None;
        }
        rebuild(config, &mut builder, on_event);
    }
}

/// One rebuild: booklet, then handouts if asked; then old cache entries are evicted.
fn rebuild(
    config: &WatchConfig,
    builder: &mut Option<Builder>,
    on_event: &mut dyn FnMut(Event<'_>),
) {
    let started = Instant::now();
    let result = match builder {
        Some(b) => b.build(),
        None => Builder::new(config.paths.clone(), config.system_fonts).and_then(|mut b| {
            b.set_overrides(config.overrides.clone());
            let built = b.build();
            // Keep a world whose fonts loaded even if the content is broken.
            *builder = Some(b);
            built
        }),
    };
    match result {
        Ok(built) => {
            on_event(Event::Built {
                built: &built,
                elapsed: started.elapsed(),
            });
            if config.handouts
                && let Some(b) = builder.as_mut()
            {
                let started = Instant::now();
                match rebuild_handouts(b, &built) {
                    Ok(written) => on_event(Event::Handouts {
                        written: &written,
                        elapsed: started.elapsed(),
                    }),
                    Err(err) => on_event(Event::HandoutsFailed(&err)),
                }
            }
        }
        Err(err) => on_event(Event::Failed(&err)),
    }
    // As typst-cli does: drop cache entries unused for 10 compilations.
    comemo::evict(10);
}

/// Every session's handout, from the content and page labels of the booklet just
/// built (not re-read: a save in between must not make them disagree).
fn rebuild_handouts(builder: &Builder, built: &Built) -> Result<Vec<Handout>, HandoutError> {
    let planned = handouts::plan(&built.content, &[])?;
    handouts::write_all(
        builder.paths(),
        builder.fonts(),
        &built.content,
        &built.manifest,
        &planned,
        &|_| {},
    )
}

/// Modification time and size of every file below the watched folders.
#[derive(Debug, Default, PartialEq, Eq)]
struct Snapshot(BTreeMap<PathBuf, (Option<SystemTime>, u64)>);

impl Snapshot {
    fn take(dirs: &[PathBuf]) -> Self {
        let mut files = BTreeMap::new();
        for dir in dirs {
            scan(dir, 0, &mut files);
        }
        Snapshot(files)
    }

    /// Paths added, removed or modified between `self` and `now`.
    fn changed(&self, now: &Snapshot) -> Vec<PathBuf> {
        let modified = now
            .0
            .iter()
            .filter(|(path, stamp)| self.0.get(*path) != Some(*stamp))
            .map(|(path, _)| path.clone());
        let removed = self
            .0
            .keys()
            .filter(|path| !now.0.contains_key(*path))
            .cloned();
        modified.chain(removed).collect()
    }
}

/// Deep enough for any project; stops a symlink loop.
const MAX_DEPTH: usize = 16;

fn scan(dir: &Path, depth: usize, files: &mut BTreeMap<PathBuf, (Option<SystemTime>, u64)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if ignored(&path) {
            continue;
        }
        // Follows symlinks: a project may link its fonts/ from elsewhere.
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if depth < MAX_DEPTH {
                scan(&path, depth + 1, files);
            }
        } else {
            files.insert(path, (meta.modified().ok(), meta.len()));
        }
    }
}

/// Hidden files (editor swap files, ingest's state, our own temp files) and backups.
fn ignored(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || name.ends_with('~') || name.starts_with('#')
}

/// Sets the returned flag on Ctrl-C (SIGINT) or SIGTERM, so `watch` can end cleanly
/// with exit code 0; a second signal exits at once.
pub fn stop_on_signal() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    #[cfg(unix)]
    {
        extern "C" fn on_signal(_: libc::c_int) {
            if STOP.swap(true, Ordering::SeqCst) {
                // SAFETY: `_exit` is async-signal-safe.
                unsafe { libc::_exit(0) };
            }
        }
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: the handler only touches an atomic and calls `_exit`.
        unsafe {
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
    }
    &STOP
}

/// The local time of day as `hh:mm:ss`, for status lines.
pub fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    #[cfg(unix)]
    {
        let t: libc::time_t = secs as libc::time_t;
        // SAFETY: `tm` is plain data, filled by `localtime_r` (thread-safe).
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        if !unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
            return format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
    }
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", day / 3600, day / 60 % 60, day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_sees_edits_additions_removals_and_skips_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = [dir.path().to_path_buf()];
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/a.md"), "one").unwrap();
        fs::write(dir.path().join("b.md"), "two").unwrap();
        let first = Snapshot::take(&dirs);
        assert_eq!(first.0.len(), 2);
        assert_eq!(first, Snapshot::take(&dirs));

        fs::write(dir.path().join(".a.md.swp"), "x").unwrap();
        fs::write(dir.path().join("b.md~"), "x").unwrap();
        assert_eq!(
            first,
            Snapshot::take(&dirs),
            "hidden and backup files count"
        );

        fs::write(dir.path().join("sub/a.md"), "one more").unwrap();
        fs::remove_file(dir.path().join("b.md")).unwrap();
        fs::write(dir.path().join("c.md"), "three").unwrap();
        let now = Snapshot::take(&dirs);
        let mut changed = first.changed(&now);
        changed.sort();
        let expected: Vec<PathBuf> = ["b.md", "c.md", "sub/a.md"]
            .iter()
            .map(|p| dir.path().join(p))
            .collect();
        assert_eq!(changed, expected);
    }

    #[test]
    fn a_missing_folder_is_empty() {
        let snap = Snapshot::take(&[PathBuf::from("/no/such/folder")]);
        assert!(snap.0.is_empty());
    }

    #[test]
    fn clock_is_hh_mm_ss() {
        let c = clock();
        assert_eq!(c.len(), 8, "{c}");
        assert_eq!(c.as_bytes()[2], b':');
    }
}
