//! `confbook import`: records from an exported table into `content/abstracts/`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use encoding_rs::Encoding;

use super::terminal::{could_not_run_because, progress_bar};
use confbook::content;
use confbook::import::{self, Imported, Options};

/// How to read the table: `--map`, `--sheet`, `--encoding`.
#[derive(Default)]
pub struct Table {
    pub map: Vec<String>,
    pub sheet: Option<String>,
    pub encoding: Option<&'static Encoding>,
    /// Where the abstracts' images are (`--figures`).
    pub figures: Option<PathBuf>,
}

pub fn run(file: &Path, dir: &Path, table: Table, force: bool) -> Result<()> {
    let figures = table.figures;
    let mut options = Options {
        map: mappings(&table.map)?,
        sheet: table.sheet,
        sections: Vec::new(),
        encoding: table.encoding,
    };
    // A section booklet.toml does not list is an error, and ids are made from the
    // sections' prefixes: without it, every row would fail on its own.
    let Some(booklet) = content::read_booklet(dir)? else {
        return Err(could_not_run_because(format!(
            "{} not found: import needs the book's sections (their keys and id prefixes)\n  \
             hint: `confbook new DIR --from {}` starts a project from this table; --root DIR \
             or --content DIR imports into an existing one",
            dir.join("booklet.toml").display(),
            file.display()
        )));
    };
    options.sections = booklet.sections;
    let table = import::read_table(file, &options)?;
    if let Some(encoding) = table.encoding.filter(|e| *e != "UTF-8") {
        eprintln!("read {} as {encoding}", file.display());
    }
    let imported = with_progress(table.rows.len(), |on_row| {
        import::records(&table, &options, on_row)
    });
    let Imported {
        records,
        warnings,
        images,
    } = imported?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let from = figures.unwrap_or_else(|| file.parent().unwrap_or(Path::new(".")).to_path_buf());
    copy_figures(&images, &from, dir, force)?;
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

/// Rows between the lines that tell an import's progress where stderr is not a
/// terminal (a log, a CI job): there a bar would be escape codes.
const ROWS_PER_LINE: usize = 1000;

/// Runs `read` (the rows of a table of `rows` rows into records), showing how far it
/// got: a bar on a terminal, else a line every [`ROWS_PER_LINE`] rows.
fn with_progress<T>(rows: usize, read: impl FnOnce(&mut dyn FnMut(usize)) -> T) -> T {
    let bar = progress_bar(rows as u64);
    bar.set_message("rows read");
    let lines = !std::io::stderr().is_terminal();
    let result = read(&mut |done| {
        bar.set_position(done as u64);
        if lines && done % ROWS_PER_LINE == 0 {
            eprintln!("read {done} of {rows} rows");
        }
    });
    bar.finish_and_clear();
    result
}

/// Copies the images the abstracts show from `from` (by file name) into
/// `content/figures/`. One it cannot find is a warning (the build then names the
/// record that shows it); one there already with other bytes is kept unless `force`.
fn copy_figures(images: &[(String, String)], from: &Path, dir: &Path, force: bool) -> Result<()> {
    for (id, src) in images {
        let name = src.rsplit(['/', '\\']).next().unwrap_or_default();
        let source = from.join(name);
        let Ok(bytes) = std::fs::read(&source) else {
            eprintln!(
                "warning: {id} shows {src}, not found as {} (give --figures DIR)",
                source.display()
            );
            continue;
        };
        let target = dir.join("figures").join(name);
        match std::fs::read(&target) {
            Ok(there) if there == bytes => continue,
            Ok(_) if !force => {
                eprintln!(
                    "warning: kept {}: it differs from {} (--force overwrites)",
                    target.display(),
                    source.display()
                );
                continue;
            }
            _ => {}
        }
        std::fs::create_dir_all(target.parent().unwrap_or(dir))
            .with_context(|| format!("cannot create {}", dir.join("figures").display()))?;
        confbook::files::write_atomic(&target, &bytes)?;
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
