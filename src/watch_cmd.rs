//! `confbook watch`: the user-facing side of the watch loop.

use std::path::{Path, PathBuf};

use anyhow::Result;

use confbook::build::Paths;
use confbook::watch::{self, Event, WatchConfig};

/// Rebuilds until Ctrl-C, which ends with exit code 0.
pub fn run_watch(
    root: &Path,
    out: &Path,
    handouts: bool,
    system_fonts: bool,
    overrides: confbook::print::Overrides,
) -> Result<()> {
    let mut config = WatchConfig::new(Paths::new(root, out));
    config.handouts = handouts;
    config.system_fonts = system_fonts;
    config.overrides = overrides;
    let stop = watch::stop_on_signal();
    let pdf = config.paths.pdf();
    watch::watch(&config, stop, &mut |event| print_event(&event, root, &pdf));
    eprintln!("[{}] stopped watching", watch::clock());
    Ok(())
}

fn print_event(event: &Event<'_>, root: &Path, pdf: &Path) {
    let now = watch::clock();
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
            eprintln!("[{now}] error: {}", crate::commands::with_causes(err));
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
            crate::commands::with_causes(err)
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
