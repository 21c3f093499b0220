//! `confbook watch`: the user-facing side of the watch loop.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use time::UtcOffset;
use time::macros::format_description;

use super::terminal::CouldNotRun;
use confbook::output::build::Paths;
use confbook::output::watch::{self, Event, WatchConfig};

/// Rebuilds until Ctrl-C (or SIGTERM), which ends with exit code 0.
pub fn run(
    root: &Path,
    out: &Path,
    handouts: bool,
    system_fonts: bool,
    overrides: confbook::model::print::Overrides,
) -> Result<()> {
    // Read while the process has one thread: later the offset cannot be read safely.
    let clock = Clock::local();
    let stop = stop_on_signal()?;
    let mut config = WatchConfig::new(Paths::new(root, out));
    config.handouts = handouts;
    config.system_fonts = system_fonts;
    config.overrides = overrides;
    let pdf = config.paths.pdf();
    watch::watch(&config, stop, &mut |event| {
        print_event(&event, root, &pdf, &clock)
    })
    .with_context(|| CouldNotRun("cannot watch the project".into()))?;
    eprintln!("[{}] stopped watching", clock.now());
    Ok(())
}

/// Sets the returned flag on Ctrl-C or SIGTERM, so `watch` ends cleanly with exit
/// code 0; a second signal exits at once.
fn stop_on_signal() -> Result<&'static AtomicBool> {
    static STOP: AtomicBool = AtomicBool::new(false);
    ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(0);
        }
    })
    .context(CouldNotRun("cannot handle Ctrl-C".into()))?;
    Ok(&STOP)
}

/// The local time of day for status lines.
struct Clock(UtcOffset);

impl Clock {
    /// The local offset, or UTC where it cannot be read.
    fn local() -> Clock {
        Clock(UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC))
    }

    /// `hh:mm:ss`.
    fn now(&self) -> String {
        let now = time::OffsetDateTime::now_utc().to_offset(self.0);
        now.format(format_description!("[hour]:[minute]:[second]"))
            .unwrap_or_default()
    }
}

fn print_event(event: &Event<'_>, root: &Path, pdf: &Path, clock: &Clock) {
    let now = clock.now();
    match event {
        Event::Watching(dirs) => {
            let dirs: Vec<String> = dirs.iter().map(|d| shown(root, d)).collect();
            eprintln!("[{now}] watching {} (Ctrl-C stops)", dirs.join(", "));
        }
        Event::Changed(paths) => {
            let mut names: Vec<String> = paths.iter().take(3).map(|p| shown(root, p)).collect();
            if paths.len() > 3 {
                names.push(format!("{} more", paths.len() - 3));
            }
            eprintln!("[{now}] changed: {}", names.join(", "));
        }
        Event::Built { built, elapsed } => {
            for warning in &built.warnings {
                eprintln!("{warning}");
            }
            let name = pdf
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            eprintln!(
                "[{now}] built {name} ({} pages) in {} ms",
                built.manifest.pages,
                elapsed.as_millis()
            );
            // No preflight here: it costs as much as the rebuild; `build` runs it.
            eprintln!("{}", built.changes);
        }
        Event::Failed(err) => {
            eprintln!("[{now}] error: {}", super::terminal::with_causes(err));
            eprintln!(
                "[{now}] {} is unchanged (the last good build)",
                shown(root, pdf)
            );
        }
        Event::Handouts { written, elapsed } => {
            for handout in written.iter() {
                for warning in &handout.warnings {
                    eprintln!("{}: {warning}", handout.session);
                }
            }
            eprintln!(
                "[{now}] built {} handout{} in {} ms",
                written.len(),
                if written.len() == 1 { "" } else { "s" },
                elapsed.as_millis()
            );
        }
        Event::HandoutsFailed(err) => eprintln!(
            "[{now}] error: handouts not rebuilt: {}",
            super::terminal::with_causes(err)
        ),
    }
}

/// A path relative to the project root when it is below it.
fn shown(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    rel.display().to_string()
}
