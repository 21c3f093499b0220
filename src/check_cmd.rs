//! `confbook check`: prints every diagnostic of the project and picks the exit code —
//! 0 no errors (warnings allowed), 1 errors, 2 the check could not run.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use confbook::build::{Builder, Paths};
use confbook::check::{self, Diagnostic};

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Like rustc: `error: …`, `--> path:line:col`, `= record:`, `= hint:`.
    Human,
    /// A JSON array of {severity, path, line, column, id, message, hint}.
    Json,
}

/// Marks an error as "the command could not do its work" (exit 2), as opposed to
/// "it found problems" (exit 1).
#[derive(Debug)]
pub struct CouldNotRun;

impl std::fmt::Display for CouldNotRun {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("could not check the project")
    }
}

/// The process exit code for an error returned by a command.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<CouldNotRun>().is_some() {
        2
    } else {
        1
    }
}

pub fn run(root: &Path, format: Format) -> Result<()> {
    let paths = Paths::new(root, &root.join("out"));
    let mut builder = Builder::new(paths, false).context(CouldNotRun)?;
    let diagnostics = check::check(&mut builder).context(CouldNotRun)?;
    let text = match format {
        Format::Human => check::human(&diagnostics),
        Format::Json => serde_json::to_string_pretty(&diagnostics)? + "\n",
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    let summary = check::summary(&diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        bail!("{summary} in {}", root.display());
    }
    eprintln!("checked {}: {summary}", root.display());
    Ok(())
}
