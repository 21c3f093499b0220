//! `confbook handouts`: the user-facing side (progress, summary).

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

use confbook::model::print::Overrides;
use confbook::output::build::{Builder, Paths};
use confbook::output::handouts;
use confbook::output::manifest::Manifest;

pub fn run(
    root: &Path,
    out: &Path,
    sessions: &[String],
    system_fonts: bool,
    overrides: Overrides,
) -> Result<()> {
    let started = Instant::now();
    let paths = Paths::new(root, out);
    let content = confbook::check::load_checked(&paths.content)?;
    // Fail on a bad program before the slow part.
    let planned = handouts::plan(&content, sessions)?;
    let mut builder =
        Builder::new(paths.clone(), system_fonts).map_err(super::terminal::could_not_run)?;
    // The booklet's page numbers depend on its trim and binding.
    builder.set_overrides(overrides);

    let bar = super::terminal::progress_bar(planned.len() as u64);
    bar.set_message("typesetting the booklet for its page numbers");
    let booklet = handouts::booklet_pages(&mut builder, &content)?;
    warn_if_stale(&paths, &booklet);
    bar.set_message("handouts");
    let written = handouts::write_all(
        &paths,
        builder.fonts(),
        &content,
        &booklet,
        &planned,
        &|h| {
            bar.inc(1);
            bar.set_message(h.session.clone());
        },
    );
    bar.finish_and_clear();
    let written = written?;

    for handout in &written {
        for warning in &handout.warnings {
            eprintln!("{}: {warning}", handout.session);
        }
    }
    let list: Vec<String> = written
        .iter()
        .map(|h| format!("{} {} pp.", h.session, h.pages))
        .collect();
    eprintln!(
        "wrote {} handout{} to {} ({}) in {:.1} s",
        written.len(),
        if written.len() == 1 { "" } else { "s" },
        out.join(handouts::DIR).display(),
        list.join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The handouts quote the pages of the current content; say so if out/booklet.pdf was
/// built from other content and its pages differ.
fn warn_if_stale(paths: &Paths, booklet: &Manifest) {
    let Ok(bytes) = std::fs::read(paths.manifest()) else {
        return;
    };
    let Ok(built) = serde_json::from_slice::<Manifest>(&bytes) else {
        return;
    };
    if built.records != booklet.records {
        eprintln!(
            "note: {} is out of date: the handouts give the pages of the current content (run `confbook build`)",
            paths.pdf().display()
        );
    }
}
