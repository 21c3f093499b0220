//! What every command shares: how it prints (report formats, broken-pipe-safe stdout,
//! an error with its causes) and how it exits (1 problems found, 2 could not run).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use confbook::output::build::BuildError;
use confbook::output::destination::DestinationError;

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: rustc-style diagnostics, a readable preflight report.
    Human,
    /// For scripts: JSON.
    Json,
}

/// Marks an error as "the command could not do its work" (exit 2), as opposed to
/// "it found problems" (exit 1). Carries the message shown for it.
#[derive(Debug)]
pub struct CouldNotRun(pub String);

impl std::fmt::Display for CouldNotRun {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The process exit code for an error returned by a command: 2 could not run (marked
/// so, failed reading or writing a file: unreadable input, unwritable output, or told
/// to write where it may not), 1 problems found. One rule for every command.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let io = err
        .chain()
        .any(|cause| cause.is::<std::io::Error>() || cause.is::<DestinationError>());
    match io || err.downcast_ref::<CouldNotRun>().is_some() {
        true => 2,
        false => 1,
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// An error and its causes on one line, each cause only if the message does not
/// already quote it (library errors include their source).
pub fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut said = text.clone();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !said.contains(&cause_text) {
            text.push_str(&format!(" (caused by: {cause_text})"));
        }
        said = cause_text;
        source = cause.source();
    }
    text
}

/// Fonts or layouts that cannot be read mean the build could not run (exit 2), as a
/// file that cannot be read or written does (see [`exit_code`]); everything else is a
/// problem in the project (exit 1).
pub fn could_not_run(err: BuildError) -> anyhow::Error {
    match err {
        BuildError::Fonts(_) | BuildError::World(_) => {
            let message = err.to_string();
            anyhow::Error::new(err).context(CouldNotRun(message))
        }
        other => other.into(),
    }
}

/// An error that means the command could not run (exit 2), with its message.
pub fn could_not_run_because(message: String) -> anyhow::Error {
    anyhow::Error::msg(CouldNotRun(message))
}

/// A bar on stderr when it is a terminal; a hidden one (nothing printed) when not.
pub fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
