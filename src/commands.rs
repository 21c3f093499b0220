//! One function per subcommand; the only place that prints to the user.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::{Cli, Command};
use confbook::model::Section;
use confbook::{build, content, dump, ingest, preflight};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Check { format } => crate::check_cmd::run(&cli.root, format),
        Command::Ingest {
            raw,
            content,
            force,
        } => {
            let dir = content.unwrap_or_else(|| cli.root.join("content"));
            run_ingest(&raw, &dir, force)
        }
        Command::Dump { json: _ } => run_dump(&cli.root),
        Command::Preflight { pdf, bleed, format } => run_preflight(&pdf, bleed.as_deref(), format),
        Command::Build {
            out,
            system_fonts,
            report_json,
            print,
        } => {
            let out = out.unwrap_or_else(|| cli.root.join("out"));
            run_build(
                &cli.root,
                &out,
                system_fonts,
                report_json,
                print.overrides(),
            )
        }
        Command::Watch {
            out,
            handouts,
            system_fonts,
            print,
        } => {
            let out = out.unwrap_or_else(|| cli.root.join("out"));
            crate::watch_cmd::run_watch(&cli.root, &out, handouts, system_fonts, print.overrides())
        }
        Command::Handouts {
            sessions,
            out,
            system_fonts,
        } => {
            let out = out.unwrap_or_else(|| cli.root.join("out"));
            crate::handouts_cmd::run_handouts(&cli.root, &out, &sessions, system_fonts)
        }
        Command::Eject { dir, force, print } => {
            crate::handouts_cmd::run_eject(&cli.root, &dir, force, print.overrides())
        }
    }
}

fn run_ingest(raw: &Path, dir: &Path, force: bool) -> Result<()> {
    let bytes = std::fs::read(raw).with_context(|| format!("cannot read {}", raw.display()))?;
    let ingested =
        ingest::ingest_bytes(&bytes).with_context(|| format!("cannot ingest {}", raw.display()))?;
    let files = content::ingest_files(&ingested.records, &ingested.facts);
    let report = content::write_files(dir, &files, force)?;
    print!("{}", ingest_summary(&ingested, &report, dir));
    Ok(())
}

/// One screen: counts per section, bodies, keywords, what was written, warnings.
fn ingest_summary(
    ingested: &ingest::Ingested,
    report: &content::WriteReport,
    dir: &Path,
) -> String {
    use std::fmt::Write as _;
    let records = &ingested.records;
    let mut s = String::new();
    let per_section: Vec<String> = Section::ALL
        .iter()
        .map(|sec| {
            format!(
                "{} {}",
                sec.title(),
                records.iter().filter(|r| r.section == *sec).count()
            )
        })
        .collect();
    let _ = writeln!(s, "{} records: {}", records.len(), per_section.join(", "));
    let with_body = records.iter().filter(|r| !r.paragraphs.is_empty()).count();
    let with_keywords = records.iter().filter(|r| r.keywords.is_some()).count();
    let english = records.iter().filter(|r| r.is_english()).count();
    let _ = writeln!(
        s,
        "{with_body} with a body, {} title only, {with_keywords} with keywords, {english} in English",
        records.len() - with_body
    );
    let _ = writeln!(
        s,
        "{}: {} written, {} unchanged, {} kept (edited by hand; --force overwrites)",
        dir.display(),
        report.written.len(),
        report.unchanged.len(),
        report.kept.len()
    );
    for kept in &report.kept {
        let _ = writeln!(s, "  kept {kept}: edited since ingest wrote it");
    }
    for orphan in &report.orphans {
        let _ = writeln!(s, "  left {orphan}: not in the source any more");
    }
    for w in &ingested.warnings {
        let _ = writeln!(s, "warning: {}: {}", w.id, w.message);
    }
    s
}

fn run_dump(root: &Path) -> Result<()> {
    let content = content::load(&root.join("content"))?;
    let json = dump::to_json(&content.records)?;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{json}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn run_build(
    root: &Path,
    out: &Path,
    system_fonts: bool,
    report_json: bool,
    overrides: confbook::print::Overrides,
) -> Result<()> {
    let started = std::time::Instant::now();
    let mut builder = build::Builder::new(build::Paths::new(root, out), system_fonts)?;
    builder.set_overrides(overrides);
    let built = builder.build()?;
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
    crate::watch_cmd::print_changes(&built.changes, report_json)?;
    // Preflight reads the PDF as written, as the printer will.
    let pdf = builder.paths().pdf();
    let bytes = std::fs::read(&pdf).with_context(|| format!("cannot read {}", pdf.display()))?;
    let report = preflight::preflight(&bytes, &build::preflight_options(built.print))?;
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

fn run_preflight(pdf: &Path, bleed: Option<&str>, format: crate::check_cmd::Format) -> Result<()> {
    let bytes = std::fs::read(pdf).with_context(|| format!("cannot read {}", pdf.display()))?;
    let bleed_mm = bleed.map(confbook::print::millimetres).transpose()?;
    let options = match bleed_mm {
        Some(mm) => preflight::PreflightOptions::print(mm),
        None => preflight::PreflightOptions::default(),
    };
    let report = preflight::preflight(&bytes, &options)
        .with_context(|| format!("cannot read {}", pdf.display()))?;
    match format {
        crate::check_cmd::Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        crate::check_cmd::Format::Human => print!("{report}"),
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
