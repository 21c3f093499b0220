//! The programme's checks: entries that name no record, records in no session, a
//! session that ends before it starts, and scheduling mistakes — two sessions in one room
//! at once, a presenter or chair in two rooms at once, a talk outside its session's
//! time; in a Japanese index, a chair without a reading. Each names
//! `program.toml:line` and the sessions involved.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use time::{Date, Time};

use super::diagnostic::Diagnostic;
use super::place::{find_in, locate};
use super::readings;
use crate::content::author_index::{IndexOrder, lacks_reading};
use crate::content::schedule::{self, Scheduled, format_time};
use crate::content::{self, Loaded, Session};
use crate::model::Record;
use crate::model::text::line_of;

pub(super) fn check(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let Some(program) = &loaded.program else {
        return; // its parse error is reported already
    };
    let path = loaded.dir.join("program.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    // The records as the book orders them, so that ranges read as `build` reads them.
    let mut known: Vec<Record> = Vec::new();
    let mut seen = HashSet::new();
    for record in loaded.files.iter().filter_map(|f| f.record.as_ref().ok()) {
        if seen.insert(record.id.as_str()) {
            known.push(record.clone());
        }
    }
    content::sort_in_book_order(&mut known, &loaded.sections());
    let (sessions, problems) = schedule::schedule(program, &known);
    let file = ProgramFile {
        path: &path,
        text: &text,
    };
    for problem in &problems {
        let at = file.place(&sessions[problem.index].session, problem.entry.as_deref());
        let mut d = Diagnostic::error(
            &path,
            format!("session `{}`: {}", problem.session, problem.message),
        )
        .at(at);
        if let Some(entry) = problem.entry.as_deref() {
            let unknown = entry
                .split("..")
                .map(str::trim)
                .find(|id| !seen.contains(id));
            d = d.record(unknown.unwrap_or(entry));
            if unknown.is_some() {
                d = d.hint("name records by the ids of files in content/abstracts/");
            }
        }
        out.push(d);
    }
    unplaced(loaded, &sessions, &path, out);
    session_ids(&sessions, &file, out);
    talks_twice(&sessions, &file, out);
    room_clashes(&sessions, &file, out);
    talks_outside(&sessions, &file, out);
    people_clashes(&sessions, &known, &file, out);
    chairs_without_reading(loaded, &sessions, &file, out);
}

/// The chairs a Japanese index (reading order) sets after all headings, for want of
/// a reading (the records' authors: [`readings::missing`]).
fn chairs_without_reading(
    loaded: &Loaded,
    sessions: &[Scheduled],
    file: &ProgramFile,
    out: &mut Vec<Diagnostic>,
) {
    if loaded.booklet.index_order() != IndexOrder::Reading {
        return;
    }
    for s in sessions {
        let chairs = s.session.chairs.iter();
        for chair in chairs.filter(|c| lacks_reading(c, &loaded.booklet.readings)) {
            out.push(
                readings::without_reading(file.path, chair.trim())
                    .at(file.place(&s.session, Some(chair)))
                    .record(&s.session.id),
            );
        }
    }
}

/// program.toml, to point at a session's lines.
struct ProgramFile<'a> {
    path: &'a Path,
    text: &'a str,
}

impl ProgramFile<'_> {
    /// The line (and column) of `needle` in `session`'s table, or of its `[[session]]`
    /// line where there is no needle or it is not found.
    fn place(&self, session: &Session, needle: Option<&str>) -> (Option<usize>, Option<usize>) {
        let Some(table) = session
            .span
            .clone()
            .and_then(|span| Some((span.start, self.text.get(span)?)))
        else {
            return (None, None);
        };
        let header_line = line_of(self.text, table.0);
        let found = needle.map(|n| find_in(table.1, &format!("\"{n}\"")));
        match found {
            Some((Some(line), column)) => (Some(header_line + line - 1), column),
            _ => (Some(header_line), None),
        }
    }

    /// "program.toml:12", for naming the other session of a clash.
    fn line_of(&self, s: &Scheduled) -> String {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        match self.place(&s.session, None).0 {
            Some(line) => format!("{name}:{line}"),
            None => name.into_owned(),
        }
    }
}

/// A session id names its handout's file: it must be a file name, and its own.
fn session_ids(sessions: &[Scheduled], file: &ProgramFile, out: &mut Vec<Diagnostic>) {
    let mut firsts: HashMap<&str, &Scheduled> = HashMap::new();
    for s in sessions {
        let id = &s.session.id;
        let error = |message: String| {
            Diagnostic::error(file.path, message).at(file.place(&s.session, Some(id)))
        };
        if !crate::files::is_file_stem(id) {
            out.push(
                error(format!("session `{id}`: the id cannot name a handout file"))
                    .hint("use letters, digits, `-`, `_` and `.` (not first)"),
            );
        } else if let Some(first) = firsts.get(id.as_str()) {
            out.push(
                error(format!(
                    "session `{id}` is there twice (also at {}): the second handout would replace the first",
                    file.line_of(first)
                ))
                .hint("give each session its own id"),
            );
        }
        firsts.entry(id).or_insert(s);
    }
}

/// A record a session lists more than once (as a talk, an id or in a range): the
/// programme would give it one time, the handout several.
fn talks_twice(sessions: &[Scheduled], file: &ProgramFile, out: &mut Vec<Diagnostic>) {
    for s in sessions {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for talk in &s.talks {
            *counts.entry(&talk.id).or_default() += 1;
        }
        for (id, times) in counts.into_iter().filter(|(_, n)| *n > 1) {
            out.push(
                Diagnostic::error(
                    file.path,
                    format!("session `{}` lists {id} {times} times", s.session.id),
                )
                .at(file.place(&s.session, Some(id)))
                .record(id)
                .hint("list each talk once in a session (a range counts the ids it spans)"),
            );
        }
    }
}

/// Records that no session lists: they are in the book, but in no handout and no
/// programme. A programme of no sessions is one not written yet (a project `new`
/// made from a table): each record would be reported, and none was forgotten.
fn unplaced(loaded: &Loaded, sessions: &[Scheduled], path: &Path, out: &mut Vec<Diagnostic>) {
    if sessions.is_empty() {
        return;
    }
    let placed: BTreeSet<&str> = sessions
        .iter()
        .flat_map(|s| s.talks.iter().map(|t| t.id.as_str()))
        .collect();
    for file in &loaded.files {
        let Ok(record) = &file.record else { continue };
        let misnamed = file.invalid.iter().any(|p| p.field == "id");
        if misnamed || placed.contains(record.id.as_str()) {
            continue;
        }
        out.push(
            Diagnostic::warning(
                &file.path,
                format!(
                    "record {} is in no session of {}",
                    record.id,
                    path.display()
                ),
            )
            .at(locate(&file.text, "id", None))
            .record(&record.id)
            .hint("add its id (or a range that covers it) to a session's `records` or `talks`"),
        );
    }
}

/// "10:30–11:30".
fn span(start: Time, end: Time) -> String {
    format!("{}–{}", format_time(start), format_time(end))
}

fn overlap(a: (Time, Time), b: (Time, Time)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Every pair of items with the same key (none: the item pairs with nothing), each
/// as (i, j) with i < j, in the order of the items. A timetable's clashes are within
/// one day and one room, or one person: comparing each of a congress's thousands of
/// sessions and talks with every other took the square of the programme.
fn pairs_by<K: Ord>(keys: impl IntoIterator<Item = Option<K>>) -> Vec<(usize, usize)> {
    let mut groups: BTreeMap<K, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.into_iter().enumerate() {
        if let Some(key) = key {
            groups.entry(key).or_default().push(i);
        }
    }
    let mut pairs = Vec::new();
    for group in groups.values() {
        for (n, &i) in group.iter().enumerate() {
            pairs.extend(group[n + 1..].iter().map(|&j| (i, j)));
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Two sessions in one room on one day whose times overlap.
fn room_clashes(sessions: &[Scheduled], file: &ProgramFile, out: &mut Vec<Diagnostic>) {
    let day_and_room = sessions
        .iter()
        .map(|s| Some((s.when()?.0, s.session.room.as_deref()?)));
    for (i, j) in pairs_by(day_and_room) {
        let (a, b) = (&sessions[i], &sessions[j]);
        let (Some((_, sa, ea)), Some((_, sb, eb))) = (a.when(), b.when()) else {
            continue;
        };
        let room = a.session.room.as_deref().unwrap_or_default();
        if overlap((sa, ea), (sb, eb)) {
            out.push(
                Diagnostic::error(
                    file.path,
                    format!(
                        "sessions `{}` ({}) and `{}` ({}, {}) are in {room} at the same time",
                        b.session.id,
                        span(sb, eb),
                        a.session.id,
                        span(sa, ea),
                        file.line_of(a)
                    ),
                )
                .at(file.place(&b.session, b.session.room.as_deref()))
                .hint("move one to another room or time"),
            );
        }
    }
}

/// A talk whose own time is not within its session's.
fn talks_outside(sessions: &[Scheduled], file: &ProgramFile, out: &mut Vec<Diagnostic>) {
    for s in sessions {
        let (Some(start), Some(end)) = (s.session.start, s.session.end) else {
            continue;
        };
        for talk in &s.talks {
            let (Some(ts), Some(te)) = (talk.start, talk.end) else {
                continue;
            };
            if ts < start || te > end || te <= ts {
                out.push(
                    Diagnostic::error(
                        file.path,
                        format!(
                            "session `{}`: talk {} ({}) is not within the session's time ({})",
                            s.session.id,
                            talk.id,
                            span(ts, te),
                            span(start, end)
                        ),
                    )
                    .at(file.place(&s.session, Some(&talk.id)))
                    .record(&talk.id)
                    .hint("give the talk a time within its session, or change the session's"),
                );
            }
        }
    }
}

/// Where a person is at a time: chairing a session or presenting a talk.
struct Busy<'a> {
    person: String,
    date: Date,
    time: (Time, Time),
    room: Option<&'a str>,
    session: &'a Scheduled,
    /// "chair of `oral-1a`", "presenter of O-06 in `oral-1b`".
    role: String,
}

/// A person (presenter or chair) in two rooms at once.
fn people_clashes(
    sessions: &[Scheduled],
    records: &[Record],
    file: &ProgramFile,
    out: &mut Vec<Diagnostic>,
) {
    let records: HashMap<&str, &Record> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut busy: Vec<Busy> = Vec::new();
    for s in sessions {
        let Some((date, start, end)) = s.when() else {
            continue;
        };
        let room = s.session.room.as_deref();
        for chair in &s.session.chairs {
            busy.push(Busy {
                person: chair.trim().to_string(),
                date,
                time: (start, end),
                room,
                session: s,
                role: format!("chair of `{}`", s.session.id),
            });
        }
        for talk in &s.talks {
            let Some(record) = records.get(talk.id.as_str()) else {
                continue;
            };
            let time = (talk.start.unwrap_or(start), talk.end.unwrap_or(end));
            for person in record.presenters() {
                busy.push(Busy {
                    person: person.trim().to_string(),
                    date,
                    time,
                    room,
                    session: s,
                    role: format!("presenter of {} in `{}`", talk.id, s.session.id),
                });
            }
        }
    }
    let mut said = BTreeSet::new();
    for (i, j) in pairs_by(busy.iter().map(|b| Some((b.person.as_str(), b.date)))) {
        let (a, b) = (&busy[i], &busy[j]);
        let apart = a.room != b.room || a.room.is_none();
        let clash = a.session.index != b.session.index && apart && overlap(a.time, b.time);
        if !clash || !said.insert((a.person.clone(), a.session.index, b.session.index)) {
            continue;
        }
        let room = |x: &Busy| x.room.unwrap_or("no room given").to_string();
        out.push(
            Diagnostic::error(
                file.path,
                format!(
                    "{} is in two rooms at once: {} ({}, {}, {}) and {} ({}, {})",
                    a.person,
                    a.role,
                    room(a),
                    span(a.time.0, a.time.1),
                    file.line_of(a.session),
                    b.role,
                    room(b),
                    span(b.time.0, b.time.1)
                ),
            )
            .at(file.place(&b.session.session, Some(&a.person)))
            .hint("change a time, or who chairs or presents"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::pairs_by;

    #[test]
    fn pairs_are_those_of_one_key_in_the_order_of_the_items() {
        let keys = ["a", "b", "", "a", "b", "a", ""].map(|k| Some(k).filter(|k| !k.is_empty()));
        assert_eq!(pairs_by(keys), [(0, 3), (0, 5), (1, 4), (3, 5)]);
        assert!(pairs_by([None::<u8>, None]).is_empty());
    }
}
