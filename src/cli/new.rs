//! `confbook new DIR`: a project that builds at once — its `content/` written from
//! the starter (or from an exported table, imported into it), the layouts and fonts
//! built in.

use std::path::{Path, PathBuf};

use anyhow::Result;

use confbook::content::scaffold::{self, NewProject};
use confbook::import::{self, Options};
use confbook::model::Section;

/// `new`'s arguments.
#[derive(Debug, clap::Args)]
pub struct New {
    /// The project folder; must be empty or missing unless --force.
    pub dir: PathBuf,
    /// The book's language, booklet.toml's `lang` (zh, en, …).
    #[arg(long, default_value = "zh", value_name = "LANG")]
    pub lang: String,
    /// Trim size: 185x260mm (大16开), A4, B5 or A5 [default: 185x260mm].
    #[arg(long, value_name = "SIZE")]
    pub trim: Option<String>,
    /// Start from a submission system's export (.csv, .xlsx, .xls, .json), as
    /// `import` reads it.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// With --from: where the images its HTML abstracts show are, by file name
    /// [default: where the table is].
    #[arg(long, value_name = "DIR", requires = "from")]
    pub figures: Option<PathBuf>,
    /// Write into a non-empty folder, replacing files of the same name.
    #[arg(long)]
    pub force: bool,
}

pub fn run(new: New) -> Result<()> {
    let sections = new.from.as_deref().map(sections_of).transpose()?;
    let project = NewProject {
        lang: new.lang,
        trim: new.trim,
        sections,
    };
    let written = scaffold::write_new(&new.dir, &project, new.force)?;
    eprintln!(
        "created {}: {}",
        new.dir.display(),
        summary(&written, new.from.is_some())
    );
    if let Some(file) = &new.from {
        let content = new.dir.join("content");
        let table = super::import::Table {
            figures: new.figures,
            ..Default::default()
        };
        super::import::run(file, &content, table, new.force)?;
    }
    eprintln!("{}", next_steps(&new.dir, new.from.is_none()));
    Ok(())
}

/// A section per distinct `section` of the table. Its rows are read here, before
/// anything is written, with these sections as import will read them: a table that
/// cannot be imported leaves no half-made project behind.
fn sections_of(file: &Path) -> Result<Vec<Section>> {
    let options = Options::default();
    let table = import::read_table(file, &options)?;
    let sections = import::sections(&table, &options)?;
    let options = Options {
        sections: sections.clone(),
        ..options
    };
    import::records(&table, &options, &mut |_| {})?;
    Ok(sections)
}

/// What was written, in a line.
fn summary(written: &[String], from_table: bool) -> String {
    let records = written.iter().filter(|w| w.contains("/abstracts/")).count();
    let others: Vec<&str> = written
        .iter()
        .filter(|w| !w.contains("/abstracts/"))
        .map(String::as_str)
        .collect();
    match from_table {
        true => others.join(", "),
        false => format!("{}, {records} example records", others.join(", ")),
    }
}

/// The commands to run next.
fn next_steps(dir: &Path, examples: bool) -> String {
    let mut steps = format!(
        "next:\n  cd {}\n  confbook build                    → out/booklet.pdf\n",
        dir.display()
    );
    if examples {
        steps.push_str(
            "  confbook import abstracts.csv     your abstracts (CSV, Excel, JSON); then delete the examples\n",
        );
    }
    steps.push_str(
        "  confbook watch                    rebuild on every save\n  \
         confbook layouts export layouts   the built-in layouts, to restyle (see layouts/README.md)",
    );
    steps
}
