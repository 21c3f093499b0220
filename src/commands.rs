//! Dispatch to one function per subcommand (each in its `*_cmd` module), and what
//! they share: the exit-code split and broken-pipe-safe output.

use std::io::Write;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::{build_cmd, check_cmd, eject_cmd, handouts_cmd, ingest_cmd, watch_cmd};

pub fn run(cli: Cli) -> Result<()> {
    let root = &cli.root;
    let out_or_default = |out: Option<std::path::PathBuf>| out.unwrap_or_else(|| root.join("out"));
    match cli.command {
        Command::Check { format } => check_cmd::run(root, format),
        Command::Ingest {
            raw,
            content,
            force,
        } => {
            let dir = content.unwrap_or_else(|| root.join("content"));
            ingest_cmd::run_ingest(&raw, &dir, force)
        }
        Command::Dump { json } => ingest_cmd::run_dump(root, json),
        Command::Preflight { pdf, bleed, format } => {
            build_cmd::run_preflight(&pdf, bleed.as_deref(), format)
        }
        Command::Build {
            out,
            system_fonts,
            report_json,
            print,
        } => build_cmd::run_build(
            root,
            &out_or_default(out),
            system_fonts,
            report_json,
            print.overrides(),
        ),
        Command::Watch {
            out,
            handouts,
            system_fonts,
            print,
        } => watch_cmd::run_watch(
            root,
            &out_or_default(out),
            handouts,
            system_fonts,
            print.overrides(),
        ),
        Command::Handouts {
            sessions,
            out,
            system_fonts,
            print,
        } => handouts_cmd::run_handouts(
            root,
            &out_or_default(out),
            &sessions,
            system_fonts,
            print.overrides(),
        ),
        Command::Eject { dir, force, print } => {
            eject_cmd::run_eject(root, &dir, force, print.overrides())
        }
    }
}

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

/// The process exit code for an error returned by a command: 2 could not run,
/// 1 problems found.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    match err.downcast_ref::<CouldNotRun>().is_some() {
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
