//! Names a Japanese index (reading order) sets after all its headings for want of a
//! kana reading in booklet.toml's `readings`: the records' authors here, the chairs
//! with the programme's checks.

use std::path::Path;

use super::diagnostic::Diagnostic;
use super::place::locate;
use crate::content::Loaded;
use crate::content::author_index::{IndexOrder, lacks_reading};

/// Each author in kanji without a reading, at their record's speakers.
pub(super) fn missing(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    if loaded.booklet.index_order() != IndexOrder::Reading {
        return;
    }
    let readings = &loaded.booklet.readings;
    for file in &loaded.files {
        let Ok(record) = &file.record else { continue };
        let mut names: Vec<&str> = record.authors.iter().map(|a| a.name.trim()).collect();
        names.dedup();
        for name in names.into_iter().filter(|n| lacks_reading(n, readings)) {
            out.push(
                without_reading(&file.path, name)
                    .at(locate(&file.text, "speakers", Some(name)))
                    .record(&record.id),
            );
        }
    }
}

/// The warning about `name`, which has no reading.
pub(super) fn without_reading(path: &Path, name: &str) -> Diagnostic {
    Diagnostic::warning(
        path,
        format!("`{name}` has no reading: the index sets it after all headings"),
    )
    .hint(format!(
        "add its kana to booklet.toml: [readings] \"{name}\" = \"…\""
    ))
}
