//! `watch`: rebuild the booklet (and optionally the handouts) whenever anything under
//! `content/`, `layouts/` or `fonts/` changes (those the project has when watching
//! starts: the built-in layouts and fonts stand in for the others, and do not change).
//! One [`Builder`] — one compiler world — stays alive so Typst's caches are reused; a
//! change of fonts (in fonts/, or of the folders booklet.toml's `[fonts]` names)
//! replaces it. The
//! operating system reports changes (`notify`, as typst-cli and mdBook use), bursts of
//! saves are debounced, and a failed build leaves the last good output in place.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{self, EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use thiserror::Error;

use crate::model::print::Overrides;
use crate::output::build::{BuildError, Builder, Built, Paths};
use crate::output::destination::DestinationError;
use crate::output::handouts::{self, Handout, HandoutError};
use crate::typeset::fonts::Residence;

/// How `watch` runs.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub paths: Paths,
    pub system_fonts: bool,
    pub overrides: Overrides,
    /// Also rebuild every handout after each successful booklet build.
    pub handouts: bool,
    /// How long a file must be quiet before its change counts (an editor's save is
    /// often several writes).
    pub debounce: Duration,
}

impl WatchConfig {
    pub fn new(paths: Paths) -> Self {
        WatchConfig {
            paths,
            system_fonts: false,
            overrides: Overrides::default(),
            handouts: false,
            debounce: Duration::from_millis(50),
        }
    }
}

/// Watching could not start.
#[derive(Debug, Error)]
pub enum WatchError {
    #[error("cannot watch {} ({source})", path.display())]
    Notify {
        path: PathBuf,
        source: notify::Error,
    },
    /// Output into a watched input would rebuild for ever.
    // Not transparent: the error stays in the chain, where the exit code looks for it.
    #[error("{0}")]
    Destination(#[from] DestinationError),
}

/// What happened, for the caller to report.
#[derive(Debug)]
pub enum Event<'a> {
    /// Watching has started on these folders.
    Watching(&'a [PathBuf]),
    /// Files changed (as found below the watched folders).
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

/// How often the loop looks at `stop` while no file changes.
const STOP_POLL: Duration = Duration::from_millis(50);

/// Builds once, then rebuilds on every change until `stop` is set. Build errors are
/// reported through `on_event`, never returned: watching goes on. `Err` only when
/// the folders cannot be watched at all.
pub fn watch(
    config: &WatchConfig,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<(), WatchError> {
    let paths = &config.paths;
    paths.inputs().refuse(&paths.out, false)?;
    let (mut dirs, mut awaited): (Vec<PathBuf>, Vec<PathBuf>) =
        [&paths.content, &paths.layouts, &paths.fonts]
            .into_iter()
            .cloned()
            .partition(|d| d.is_dir());
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(config.debounce, None, tx).map_err(|source| WatchError::Notify {
            path: paths.content.clone(),
            source,
        })?;
    let mut watch = |dir: &Path, mode| {
        debouncer
            .watch(dir, mode)
            .map_err(|source| WatchError::Notify {
                path: dir.to_path_buf(),
                source,
            })
    };
    for dir in &dirs {
        watch(dir, RecursiveMode::Recursive)?;
    }
    // A layouts/ or fonts/ made while watching (`confbook layouts export layouts`)
    // overrides the built-in files from then on: its parent is watched for it.
    let parents = awaited
        .iter()
        .filter_map(|d| d.parent())
        .filter(|p| p.is_dir());
    for parent in parents {
        watch(parent, RecursiveMode::NonRecursive)?;
    }
    on_event(Event::Watching(&dirs));
    let mut builder: Option<Builder> = None;
    rebuild(config, &mut builder, on_event);
    while !stop.load(Ordering::SeqCst) {
        let events = match rx.recv_timeout(STOP_POLL) {
            Ok(Ok(events)) => events,
            // A lost event (e.g. the queue overflowed): rebuild to be safe.
            Ok(Err(_)) => Vec::new(),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        // Reads (the build's own, too) are not changes.
        let mut changed: Vec<PathBuf> = events
            .into_iter()
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths)
            .filter(|p| awaited.iter().any(|d| p.starts_with(d)) || !ignored(p, &dirs))
            .collect();
        changed.sort();
        changed.dedup();
        if changed.is_empty() || stop.load(Ordering::SeqCst) {
            continue;
        }
        on_event(Event::Changed(&changed));
        // New fonts mean a new world; the old caches are then useless anyway.
        let refonted = builder.as_ref().is_some_and(|b| !b.fonts_current());
        if refonted || changed.iter().any(|p| p.starts_with(&paths.fonts)) {
            builder = None;
        }
        for dir in awaited.extract_if(.., |d| d.is_dir()) {
            // Failing here, it is read at the next change (the world reads it anew).
            let _ = watch(&dir, RecursiveMode::Recursive);
            dirs.push(dir);
        }
        rebuild(config, &mut builder, on_event);
    }
    Ok(())
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
        None => Builder::with_fonts(config.paths.clone(), config.system_fonts, Residence::Copied)
            .and_then(|mut b| {
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

/// What is not below the watched folders (the project's other files, seen while its
/// layouts/ or fonts/ is awaited), hidden files and folders (editor swap files,
/// ingest's state, temporary files of atomic writes) and editor backups below them:
/// not the project's.
fn ignored(path: &Path, dirs: &[PathBuf]) -> bool {
    let Some(below) = dirs.iter().find_map(|d| path.strip_prefix(d).ok()) else {
        return true;
    };
    below.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with('.') || name.ends_with('~') || name.starts_with('#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_and_backup_files_are_not_the_projects() {
        let dirs = [PathBuf::from("/p/content")];
        for name in [".a.md.swp", "b.md~", "#c.md#", ".git/index", ".tmpAB12/x"] {
            assert!(ignored(&dirs[0].join(name), &dirs), "{name} is ignored");
        }
        for name in ["abstracts/S-001.md", "program.toml"] {
            assert!(!ignored(&dirs[0].join(name), &dirs), "{name} counts");
        }
        // Only what is below the watched folder is looked at: a hidden parent is fine.
        let hidden_root = [PathBuf::from("/home/u/.projects/book/content")];
        assert!(!ignored(&hidden_root[0].join("booklet.toml"), &hidden_root));
        // The project's other files, seen while its layouts/ is awaited, are not.
        assert!(ignored(Path::new("/p/notes.txt"), &dirs));
        assert!(ignored(Path::new("/p/out/booklet.pdf"), &dirs));
    }
}
