//! `confbook eject`: the booklet as a plain Typst project.

use std::path::Path;

use anyhow::Result;

use confbook::model::print::Overrides;
use confbook::output::build::{Builder, Paths};
use confbook::output::eject;

pub fn run(root: &Path, dir: &Path, force: bool, overrides: Overrides) -> Result<()> {
    let mut builder = Builder::new(Paths::new(root, &root.join("out")), false)
        .map_err(super::terminal::could_not_run)?;
    builder.set_overrides(overrides);
    let ejected = eject::eject(&builder, dir, force)?;
    eprintln!(
        "wrote {} files to {} (booklet.typ, lib/, data/book.json, fonts/); compile it as its README.md says",
        ejected.files.len(),
        ejected.dir.display()
    );
    Ok(())
}
