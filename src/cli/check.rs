//! `confbook check`: prints every diagnostic of the project and picks the exit code —
//! 0 no errors (warnings allowed), 1 errors, 2 the check could not run.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::terminal::{CouldNotRun, Format, print_stdout};

use confbook::check::{self, Diagnostic};
use confbook::output::build::{Builder, CheckTypeset, Paths};

pub fn run(root: &Path, format: Format, full: bool) -> Result<()> {
    let paths = Paths::new(root, &root.join("out"));
    let could_not = || CouldNotRun("could not check the project".into());
    let mut builder = Builder::new(paths, false).with_context(could_not)?;
    let typeset = match full {
        true => CheckTypeset::Whole,
        false => CheckTypeset::Sample,
    };
    let diagnostics = builder.check(typeset).with_context(could_not)?;
    let text = match format {
        Format::Human => check::human(&diagnostics),
        Format::Json => serde_json::to_string_pretty(&diagnostics)? + "\n",
    };
    print_stdout(&text)?;
    let summary = check::summary(&diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        bail!("{summary} in {}", root.display());
    }
    eprintln!("checked {}: {summary}", root.display());
    Ok(())
}
