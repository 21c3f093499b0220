//! The files ingest and import produce: record files, booklet.toml and a
//! program.toml with one session per section.

use std::collections::BTreeMap;

use super::record_file::render_record;
use super::schema::{ABSTRACTS_DIR, Booklet, Program, Session, file_name};
use crate::ingest::BookFacts;
use crate::model::{Record, Section};

/// The files ingest would write for one source, path relative to `content/` → bytes.
pub fn ingest_files(
    records: &[Record],
    sections: &[Section],
    facts: &BookFacts,
) -> BTreeMap<String, String> {
    let mut files = record_files(records);
    let booklet = Booklet {
        conference: facts.conference.clone().unwrap_or_default(),
        title: facts.title.clone().unwrap_or_default(),
        sections: sections.to_vec(),
        ..Booklet::default()
    };
    files.insert(
        "booklet.toml".into(),
        toml::to_string(&booklet).unwrap_or_default(),
    );
    files.insert("program.toml".into(), program_file(records, sections));
    files
}

/// The sections of ingested records: where booklet.toml (`listed`) already has a
/// section of the same id prefix, its key and title win and the records take its key;
/// the other sections are added as ingest `found` them. Listed sections come first,
/// in their order.
pub fn adopt_sections(
    records: &mut [Record],
    found: &[Section],
    listed: &[Section],
) -> Vec<Section> {
    let mut sections = listed.to_vec();
    for section in found {
        let same = listed
            .iter()
            .find(|l| l.prefix.is_some() && l.prefix == section.prefix);
        match same {
            Some(l) => records
                .iter_mut()
                .filter(|r| r.section == section.key)
                .for_each(|r| r.section = l.key.clone()),
            None => sections.push(section.clone()),
        }
    }
    sections
}

/// One session per section, listing its records as a range.
fn program_file(records: &[Record], sections: &[Section]) -> String {
    let sessions = sections
        .iter()
        .filter_map(|section| {
            let ids: Vec<&str> = records
                .iter()
                .filter(|r| r.section == section.key)
                .map(|r| r.id.as_str())
                .collect();
            let range = match ids.as_slice() {
                [] => return None,
                [one] => one.to_string(),
                [first, .., last] => format!("{first}..{last}"),
            };
            Some(Session {
                id: section.key.clone(),
                title: section.title.clone(),
                records: vec![range],
                ..Session::default()
            })
        })
        .collect();
    toml::to_string(&Program { sessions }).unwrap_or_default()
}

/// The record files of `records`, path relative to `content/` → text.
pub fn record_files(records: &[Record]) -> BTreeMap<String, String> {
    records
        .iter()
        .map(|r| {
            (
                format!("{ABSTRACTS_DIR}/{}", file_name(&r.id)),
                render_record(r),
            )
        })
        .collect()
}
