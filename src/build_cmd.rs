//! `confbook build` and `confbook preflight`: the booklet, its change report, and the
//! printer's check of the written PDF.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::commands::{CouldNotRun, Format, print_stdout};
use confbook::build::{self, BuildError, Builder, Paths};
use confbook::preflight;
use confbook::print::Overrides;
use confbook::report::ChangeReport;

pub fn run_build(
    root: &Path,
    out: &Path,
    system_fonts: bool,
    report_json: bool,
    overrides: Overrides,
) -> Result<()> {
    let started = Instant::now();
    let mut builder = Builder::new(Paths::new(root, out), system_fonts).map_err(could_not_run)?;
    builder.set_overrides(overrides);
    let built = builder.build().map_err(could_not_run)?;
    for warning in &built.warnings {
        eprintln!("{warning}");
    }
    eprintln!(
        "wrote {} ({} pages, {} records) in {:.1} s",
        builder.paths().pdf().display(),
        built.manifest.pages,
        built.manifest.records.len(),
        started.elapsed().as_secs_f64()
    );
    print_changes(&built.changes, report_json)?;
    // Preflight reads the PDF as written, as the printer will.
    let pdf = builder.paths().pdf();
    let report = read_and_check(&pdf, &build::preflight_options(built.print))?;
    if !report.is_ok() {
        eprint!("{report}");
        bail!(
            "{}: {} preflight faults (the PDF was written; see above)",
            pdf.display(),
            report.faults.len()
        );
    }
    Ok(())
}

/// Missing fonts or layouts, or an output that cannot be written, mean the build could
/// not run (exit 2); everything else is a problem in the project (exit 1).
pub fn could_not_run(err: BuildError) -> anyhow::Error {
    match err {
        BuildError::Fonts(_) | BuildError::World(_) | BuildError::Write(_) => {
            let message = err.to_string();
            anyhow::Error::new(err).context(CouldNotRun(message))
        }
        other => other.into(),
    }
}

pub fn run_preflight(pdf: &Path, bleed: Option<&str>, format: Format) -> Result<()> {
    let bleed_mm = bleed.map(confbook::print::millimetres).transpose()?;
    let options = match bleed_mm {
        Some(mm) => preflight::PreflightOptions::print(mm),
        None => preflight::PreflightOptions::default(),
    };
    let report = read_and_check(pdf, &options)?;
    match format {
        Format::Json => print_stdout(&(serde_json::to_string_pretty(&report)? + "\n"))?,
        Format::Human => print_stdout(&report.to_string())?,
    }
    if !report.is_ok() {
        bail!(
            "{}: {} preflight faults",
            pdf.display(),
            report.faults.len()
        );
    }
    Ok(())
}

/// A PDF that cannot be read is "could not run" (exit 2), not a fault (exit 1).
fn read_and_check(pdf: &Path, options: &preflight::PreflightOptions) -> Result<preflight::Report> {
    let unreadable = || CouldNotRun(format!("cannot read {}", pdf.display()));
    let bytes = std::fs::read(pdf).with_context(unreadable)?;
    preflight::preflight(&bytes, options).with_context(unreadable)
}

/// After `build`: the human report on stderr; with `json`, the report as one line of
/// JSON on stdout for scripts.
pub fn print_changes(changes: &ChangeReport, json: bool) -> Result<()> {
    eprintln!("{changes}");
    if json {
        print_stdout(&(serde_json::to_string(changes)? + "\n"))?;
    }
    Ok(())
}
