//! `confbook ingest`: raw text extracted from a PDF into records under `content/`.

use std::path::Path;

use anyhow::{Context, Result};

use super::terminal::CouldNotRun;
use confbook::check;
use confbook::content;
use confbook::ingest;
use confbook::model::Section;

pub fn run(raw: &Path, dir: &Path, force: bool) -> Result<()> {
    let bytes = confbook::files::read_at_most(raw, ingest::MAX_INPUT as u64)
        .with_context(|| CouldNotRun(format!("cannot read {}", raw.display())))?;
    let mut ingested =
        ingest::ingest_bytes(&bytes).with_context(|| format!("cannot ingest {}", raw.display()))?;
    // The sections booklet.toml already names keep their keys and titles.
    let listed = content::read_booklet(dir)?
        .map(|b| b.sections)
        .unwrap_or_default();
    let sections =
        content::adopt_sections(&mut ingested.records, &ingested.facts.sections, &listed);
    let files = content::ingest_files(&ingested.records, &sections, &ingested.facts);
    let report = content::write_files(dir, &files, force)?;
    print!("{}", ingest_summary(&ingested, &sections, &report, dir));
    Ok(())
}

/// One screen: counts per section, bodies, keywords, what was written, warnings.
fn ingest_summary(
    ingested: &ingest::Ingested,
    sections: &[Section],
    report: &content::WriteReport,
    dir: &Path,
) -> String {
    use std::fmt::Write as _;
    let records = &ingested.records;
    let mut s = String::new();
    let per_section: Vec<String> = sections
        .iter()
        .map(|sec| {
            let n = records.iter().filter(|r| r.section == sec.key).count();
            format!("{} {n}", sec.title)
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
        report.new.len() + report.written.len(),
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
    // The lint `check` runs, on the records as ingested (the common words are this
    // source's).
    let corpus = check::Corpus::new(records);
    for r in records {
        for w in check::record_lint(r, &corpus) {
            let _ = writeln!(s, "warning: {}: {}: {}", r.id, w.message, w.hint);
        }
    }
    s
}
