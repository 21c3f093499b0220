//! `confbook dump`: the records out, as JSON or one line each.

use std::path::Path;

use anyhow::Result;

use super::terminal::print_stdout;
use confbook::content::{self, dump};

/// Every record in book order: JSON with `--json`, else one line each (id, title,
/// speakers) for a quick look.
pub fn run(root: &Path, json: bool) -> Result<()> {
    let content = content::load(&root.join("content"))?;
    let text = match json {
        true => dump::to_json(&content.records)? + "\n",
        false => content
            .records
            .iter()
            .map(|r| {
                format!(
                    "{}\t{}\t{}\n",
                    r.id,
                    confbook::model::markup::plain(&r.title),
                    r.speakers.join("、")
                )
            })
            .collect(),
    };
    print_stdout(&text)
}
