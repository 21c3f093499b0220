//! `confbook import`: records from an exported table into `content/abstracts/`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

use confbook::content;
use confbook::import::{self, Options};

pub fn run(
    file: &Path,
    dir: &Path,
    map: &[String],
    sheet: Option<String>,
    force: bool,
) -> Result<()> {
    let mut options = Options {
        map: mappings(map)?,
        sheet,
        sections: Vec::new(),
    };
    // With a booklet.toml, a section it does not list is an error and ids can be made.
    if let Some(booklet) = content::read_booklet(dir)? {
        options.sections = booklet.sections;
    }
    let records = import::import(file, &options)?;
    let report = content::write_files(dir, &content::record_files(&records), force)
        .with_context(|| format!("cannot write the records to {}", dir.display()))?;
    eprintln!(
        "imported {} records from {} into {}: {} new, {} changed, {} unchanged, {} kept because edited (--force overwrites)",
        records.len(),
        file.display(),
        dir.display(),
        report.new.len(),
        report.written.len(),
        report.unchanged.len(),
        report.kept.len()
    );
    for kept in &report.kept {
        eprintln!("  kept {kept}: edited since it was written");
    }
    Ok(())
}

/// `FIELD=COLUMN` pairs.
fn mappings(pairs: &[String]) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for pair in pairs {
        let Some((field, column)) = pair.split_once('=') else {
            bail!("--map {pair}: write FIELD=COLUMN, e.g. --map title=Title");
        };
        map.insert(field.trim().to_string(), column.trim().to_string());
    }
    Ok(map)
}
