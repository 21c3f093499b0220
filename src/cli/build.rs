//! `confbook build`: the booklet, its change report, and the printer's check of the
//! written PDF.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use super::preflight::check_bytes;
use super::terminal::{could_not_run, print_stdout};
use confbook::check;
use confbook::files;
use confbook::model::print::Overrides;
use confbook::output::build::{self, Builder, Paths};
use confbook::output::manifest;
use confbook::output::report::{self, ChangeReport};
use confbook::output::stamp::{self, Stamp};
use confbook::parallel;

/// `build`'s switches.
pub struct Options {
    pub system_fonts: bool,
    pub report_json: bool,
    /// Typeset even when the stamp says nothing changed.
    pub force: bool,
}

pub fn run(root: &Path, out: &Path, options: Options, overrides: Overrides) -> Result<()> {
    let started = Instant::now();
    let paths = Paths::new(root, out);
    // Taken before anything is read: an input that changes during the build makes the
    // stamp stale, and the next build runs.
    let inputs = stamp::fingerprint(&paths, &overrides, options.system_fonts);
    if let Some(current) = inputs.as_deref().and_then(|i| stamp::current(&paths, i))
        && !options.force
    {
        return up_to_date(&paths, &current, options.report_json);
    }
    // The content is read and checked while the fonts are scanned.
    let (content, builder) = parallel::beside(
        || check::load_checked(&paths.content),
        || Builder::new(paths.clone(), options.system_fonts),
    );
    let mut builder = builder.map_err(could_not_run)?;
    builder.set_overrides(overrides);
    builder.last_build();
    let content = content.map_err(|e| could_not_run(e.into()))?;
    let pdf = builder.paths().pdf();
    // Preflight checks the bytes written to the PDF, as the printer will get them,
    // while they are written; the stamp's hash of them is taken on another core.
    let (built, (report, pdf_hash)) = builder
        .build_content(content, |bytes, print| {
            let (hash, report) = parallel::beside(
                || files::sha256_hex(bytes),
                || check_bytes(&pdf, bytes, &build::preflight_options(print)),
            );
            (report, hash)
        })
        .map_err(could_not_run)?;
    for warning in &built.warnings {
        eprintln!("{warning}");
    }
    eprintln!(
        "wrote {} ({} pages, {} records) in {:.1} s",
        pdf.display(),
        built.manifest.pages,
        built.manifest.records.len(),
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "layouts: {}; fonts: {}",
        builder.world().overlay(),
        builder.fonts().overlay()
    );
    print_changes(&built.changes, options.report_json)?;
    let report = report?;
    if let Some(inputs) = inputs {
        let faults = report.faults.len();
        stamp::write(
            builder.paths(),
            &Stamp {
                inputs,
                pdf: pdf_hash,
                faults,
            },
        )
        .map_err(|e| could_not_run(e.into()))?;
    }
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

/// Nothing changed since the last build: say so, and fail as it failed if its PDF
/// had preflight faults.
fn up_to_date(paths: &Paths, current: &Stamp, report_json: bool) -> Result<()> {
    let pdf = paths.pdf();
    eprintln!(
        "{} is up to date: no input changed since it was built (--force typesets again)",
        pdf.display()
    );
    if report_json && let Some(last) = manifest::read(&paths.manifest()) {
        let nothing = report::compare(Some(&last), &last);
        print_stdout(&(serde_json::to_string(&nothing)? + "\n"))?;
    }
    if current.faults > 0 {
        bail!(
            "{}: {} preflight faults (`confbook preflight {}` lists them)",
            pdf.display(),
            current.faults,
            pdf.display()
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
