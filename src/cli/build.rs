//! `confbook build`: the booklet, its change report, and the printer's check of the
//! written PDF.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use super::preflight::read_and_check;
use super::terminal::{could_not_run, print_stdout};
use confbook::model::print::Overrides;
use confbook::output::build::{self, Builder, Paths};
use confbook::output::report::ChangeReport;

pub fn run(
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

/// After `build`: the human report on stderr; with `json`, the report as one line of
/// JSON on stdout for scripts.
fn print_changes(changes: &ChangeReport, json: bool) -> Result<()> {
    eprintln!("{changes}");
    if json {
        print_stdout(&(serde_json::to_string(changes)? + "\n"))?;
    }
    Ok(())
}
