//! `confbook layouts export DIR`: the built-in layouts written out, to edit.

use std::path::Path;

use anyhow::Result;

use confbook::output::eject;

pub fn export(dir: &Path, force: bool) -> Result<()> {
    let exported = eject::export_layouts(dir, force)?;
    eprintln!(
        "wrote the {} built-in layout files to {}; in a project's layouts/ each file \
         overrides the built-in one of its path: keep only those you change",
        exported.files.len(),
        exported.dir.display()
    );
    Ok(())
}
