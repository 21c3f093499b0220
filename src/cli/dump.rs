//! `confbook dump`: the records out, as JSON or one line each.

use std::path::Path;

use anyhow::Result;

use super::terminal::print_stdout;
use confbook::content::{self, dump};

/// How `dump` prints the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DumpFormat {
    /// One line per record: id, title, speakers.
    Lines,
    /// All fields as a JSON array.
    Json,
    /// The columns `import` reads, one row per record.
    Csv,
}

/// Every record in book order.
pub fn run(root: &Path, format: DumpFormat) -> Result<()> {
    let content = content::load(&root.join("content"))?;
    let text = match format {
        DumpFormat::Json => dump::to_json(&content.records)? + "\n",
        DumpFormat::Csv => dump::to_csv(&content.records)?,
        DumpFormat::Lines => content
            .records
            .iter()
            .map(|r| {
                format!(
                    "{}\t{}\t{}\n",
                    r.id,
                    confbook::markdown::plain(&r.title),
                    r.presenters().join("、")
                )
            })
            .collect(),
    };
    print_stdout(&text)
}
