//! `confbook preflight`: check a written PDF as a printing house would.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::terminal::{CouldNotRun, Format, print_stdout};
use confbook::pdf::preflight;

pub fn run(pdf: &Path, bleed: Option<&str>, format: Format) -> Result<()> {
    let bleed_mm = bleed.map(confbook::model::print::millimetres).transpose()?;
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
    check_bytes(pdf, &read_pdf(pdf)?, options)
}

/// A PDF of at most 4 GiB: a printer's book with its images, never a device.
const MAX_PDF: u64 = 4 << 30;

fn read_pdf(pdf: &Path) -> Result<Vec<u8>> {
    confbook::files::read_at_most(pdf, MAX_PDF).with_context(|| unreadable(pdf))
}

/// Preflight of `bytes`, read from `pdf`.
pub(super) fn check_bytes(
    pdf: &Path,
    bytes: &[u8],
    options: &preflight::PreflightOptions,
) -> Result<preflight::Report> {
    preflight::preflight(bytes, options).with_context(|| unreadable(pdf))
}

fn unreadable(pdf: &Path) -> CouldNotRun {
    CouldNotRun(format!("cannot read {}", pdf.display()))
}
