//! `confbook import`: records from an exported table into `content/abstracts/`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use encoding_rs::Encoding;

use confbook::content;
use confbook::import::{self, Options};

/// How to read the table: `--map`, `--sheet`, `--encoding`.
pub struct Table {
    pub map: Vec<String>,
    pub sheet: Option<String>,
    pub encoding: Option<&'static Encoding>,
}

pub fn run(file: &Path, dir: &Path, table: Table, force: bool) -> Result<()> {
    let mut options = Options {
        map: mappings(&table.map)?,
        sheet: table.sheet,
        sections: Vec::new(),
        encoding: table.encoding,
    };
    // With a booklet.toml, a section it does not list is an error and ids can be made.
    if let Some(booklet) = content::read_booklet(dir)? {
        options.sections = booklet.sections;
    }
    let table = import::read_table(file, &options)?;
    if let Some(encoding) = table.encoding.filter(|e| *e != "UTF-8") {
        eprintln!("read {} as {encoding}", file.display());
    }
    let records = import::records(&table, &options)?;
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

/// `--encoding NAME`: any label the WHATWG Encoding Standard knows.
pub fn encoding(label: &str) -> Result<&'static Encoding, String> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!("unknown encoding `{label}` (e.g. utf-8, windows-1252, gb18030, shift_jis)")
    })
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
