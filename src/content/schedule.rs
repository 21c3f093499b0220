//! The timetable of `program.toml` read into times: each session's date and hours,
//! and each talk's slot — its own `start`/`end`, or an even share of its session's
//! time when the session lists `records`; a poster session's entries get board numbers
//! instead (their own `board`, or their place in the list). Problems (a session that ends before it
//! starts, an unknown record) are collected, never fatal: `check` reports them. (A
//! date or time that is none is an error of program.toml itself, at its place.)

use std::collections::HashMap;

use time::{Date, Time};

pub use super::schema::format_time;
use super::schema::{Program, Session, SessionKind};
use crate::model::{Record, id_prefix};

/// A session with its talks' times.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduled {
    /// Its place in program.toml (0-based).
    pub index: usize,
    pub session: Session,
    /// In program order (which is time order for timed talks written in order).
    pub talks: Vec<Slot>,
}

/// One talk of a session, or one poster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub id: String,
    pub start: Option<Time>,
    pub end: Option<Time>,
    /// A poster's board number.
    pub board: Option<u32>,
}

impl Scheduled {
    /// The talks in the order the programme and the handouts list them: those with a
    /// time by time (then board), those without after them, in program.toml's order.
    pub fn talks_in_order(&self) -> Vec<&Slot> {
        let mut slots: Vec<&Slot> = self.talks.iter().collect();
        slots.sort_by_key(|t| (t.start.is_none(), t.start, t.board));
        slots
    }

    /// Date, start and end, when the session has all three.
    pub fn when(&self) -> Option<(Date, Time, Time)> {
        let s = &self.session;
        Some((s.date?, s.start?, s.end?))
    }
}

/// What is wrong with one session's times or entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The session's place in program.toml (0-based).
    pub index: usize,
    pub session: String,
    /// The entry that names no record, as written, to find its line; `None` for a
    /// problem of the session's times.
    pub entry: Option<String>,
    pub message: String,
}

/// Every session of `program` with its times, and every problem found on the way.
pub fn schedule(program: &Program, records: &[Record]) -> (Vec<Scheduled>, Vec<Problem>) {
    let known = Known::new(records);
    let mut problems = Vec::new();
    let sessions = program
        .sessions
        .iter()
        .enumerate()
        .map(|(index, session)| read_session(index, session, &known, &mut problems))
        .collect();
    (sessions, problems)
}

/// The records in book order, found by id: a congress's programme names thousands,
/// and a search through all of them for each would take the square of the book.
pub struct Known<'a> {
    records: &'a [Record],
    places: HashMap<&'a str, usize>,
}

impl<'a> Known<'a> {
    pub fn new(records: &'a [Record]) -> Self {
        let mut places = HashMap::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            places.entry(record.id.as_str()).or_insert(i);
        }
        Known { records, places }
    }

    /// Where record `id` stands in book order.
    fn place(&self, id: &str) -> Result<usize, String> {
        self.places
            .get(id)
            .copied()
            .ok_or_else(|| format!("unknown id `{id}`"))
    }
}

fn read_session(
    index: usize,
    session: &Session,
    known: &Known,
    problems: &mut Vec<Problem>,
) -> Scheduled {
    // (the entry at fault, if any; the message)
    let mut found: Vec<(Option<String>, String)> = Vec::new();
    let (start, end) = (session.start, session.end);
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        let message = format!(
            "ends ({}) before it starts ({})",
            format_time(e),
            format_time(s)
        );
        found.push((None, message));
    }
    let mut talks: Vec<Slot> = Vec::new();
    for entry in &session.records {
        match expand(std::slice::from_ref(entry), known) {
            Ok(ids) => talks.extend(ids.into_iter().map(|id| Slot {
                id,
                start: None,
                end: None,
                board: None,
            })),
            Err(reason) => found.push((Some(entry.clone()), reason)),
        }
    }
    match (start, end) {
        // Posters stand for the whole session: no minutes of their own.
        _ if session.kind == SessionKind::Posters => {}
        (Some(s), Some(e)) if e > s && talks.len() as i64 > (e - s).whole_minutes() => {
            let minutes = (e - s).whole_minutes();
            let message = format!(
                "a session of {minutes} minutes cannot divide into {} talks (a minute each at least)",
                talks.len()
            );
            found.push((None, message));
        }
        _ => share_time(&mut talks, start, end),
    }
    for talk in &session.talks {
        if let Err(unknown) = known.place(&talk.id) {
            found.push((Some(talk.id.clone()), unknown));
            continue;
        }
        if talk.board.is_some() && session.kind != SessionKind::Posters {
            let message =
                "has a `board`, which only a poster session's entries have (kind = \"posters\")";
            found.push((Some(talk.id.clone()), message.to_string()));
        }
        talks.push(Slot {
            id: talk.id.clone(),
            start: talk.start,
            end: talk.end,
            board: talk.board,
        });
    }
    if session.kind == SessionKind::Posters {
        number_boards(&mut talks, &mut found);
    }
    problems.extend(found.into_iter().map(|(entry, message)| Problem {
        index,
        session: session.id.clone(),
        entry,
        message,
    }));
    Scheduled {
        index,
        session: session.clone(),
        talks,
    }
}

/// Every poster gets a board: its own, or its place in the list. A board given twice
/// is a problem of the second poster on it.
fn number_boards(posters: &mut [Slot], found: &mut Vec<(Option<String>, String)>) {
    let mut taken = std::collections::BTreeSet::new();
    for (place, poster) in (1..).zip(posters.iter_mut()) {
        let board = *poster.board.get_or_insert(place);
        if !taken.insert(board) {
            found.push((
                Some(poster.id.clone()),
                format!("board {board} is given twice"),
            ));
        }
    }
}

/// The session's time divided evenly among talks listed by `records`, in order; whole
/// minutes, the last talk ending with the session.
fn share_time(talks: &mut [Slot], start: Option<Time>, end: Option<Time>) {
    let (Some(start), Some(end)) = (start, end) else {
        return;
    };
    let minutes = (end - start).whole_minutes();
    if talks.is_empty() || minutes <= 0 {
        return;
    }
    let n = talks.len() as i64;
    for (i, talk) in talks.iter_mut().enumerate() {
        let i = i as i64;
        talk.start = Some(start + time::Duration::minutes(minutes * i / n));
        talk.end = Some(start + time::Duration::minutes(minutes * (i + 1) / n));
    }
}

/// What makes ids of one series: the prefix and how many digits ("P", 2 for "P-01").
fn id_form(id: &str) -> Option<(&str, usize)> {
    let prefix = id_prefix(id)?;
    Some((prefix, id.len() - prefix.len() - 1))
}

/// Expands a session's entries ("S-001..S-003", "C-1") into ids, in order.
pub fn expand(entries: &[String], known: &Known) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for entry in entries {
        match entry.split_once("..") {
            Some((from, to)) => {
                let (start, end) = (known.place(from.trim())?, known.place(to.trim())?);
                let known = known.records;
                if end < start {
                    return Err(format!("range `{entry}` runs backwards"));
                }
                let form = id_form(&known[start].id);
                if id_form(&known[end].id) != form {
                    return Err(format!(
                        "range `{entry}`: its ends are ids of two forms (write both with as many digits)"
                    ));
                }
                // P-01…P-16 stand between P-00001 and P-10000 in book order, but are
                // not in that range.
                let within = known[start..=end].iter().filter(|r| id_form(&r.id) == form);
                ids.extend(within.map(|r| r.id.clone()));
            }
            None => {
                let id = entry.trim();
                known.place(id)?;
                ids.push(id.to_string());
            }
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::schema::{parse_date, parse_time};
    use crate::content::{SessionKind, Talk};
    use crate::model::Author;

    fn record(id: &str) -> Record {
        Record {
            authors: Author::speakers(["A".into()], 0),
            ..Record::new(id, "s", "t")
        }
    }

    #[test]
    fn records_share_their_session_evenly_and_talks_keep_their_times() {
        let records: Vec<Record> = ["A-1", "A-2", "A-3", "B-1"].map(record).into();
        let session = Session {
            id: "s".into(),
            title: "S".into(),
            date: parse_date("2027-06-10"),
            start: parse_time("10:30"),
            end: parse_time("11:30"),
            records: vec!["A-1..A-3".into()],
            talks: vec![Talk {
                id: "B-1".into(),
                start: parse_time("11:30"),
                end: parse_time("11:40"),
                ..Talk::default()
            }],
            ..Session::default()
        };
        let program = Program {
            sessions: vec![session],
        };
        let (sessions, problems) = schedule(&program, &records);
        assert!(problems.is_empty(), "{problems:?}");
        let times: Vec<(String, String, String)> = sessions[0]
            .talks
            .iter()
            .map(|t| {
                (
                    t.id.clone(),
                    format_time(t.start.unwrap()),
                    format_time(t.end.unwrap()),
                )
            })
            .collect();
        let expected = [
            ("A-1", "10:30", "10:50"),
            ("A-2", "10:50", "11:10"),
            ("A-3", "11:10", "11:30"),
            ("B-1", "11:30", "11:40"),
        ];
        let expected: Vec<(String, String, String)> = expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(times, expected);
    }

    #[test]
    fn an_early_end_and_unknown_talks_are_problems() {
        let session = Session {
            id: "s".into(),
            title: "S".into(),
            start: parse_time("9:50"),
            end: parse_time("08:00"),
            talks: vec![Talk {
                id: "Z-9".into(),
                ..Talk::default()
            }],
            ..Session::default()
        };
        let (_, problems) = schedule(
            &Program {
                sessions: vec![session],
            },
            &[],
        );
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            ["ends (08:00) before it starts (09:50)", "unknown id `Z-9`"]
        );
    }

    #[test]
    fn a_range_spans_the_ids_of_its_own_form_only() {
        // In book order, as the records come: by prefix, number, then id.
        let known: Vec<Record> = ["P-00001", "P-01", "P-00002", "P-02", "P-00003"]
            .map(record)
            .into();
        let known = Known::new(&known);
        let range = |r: &str| expand(&[r.to_string()], &known);
        assert_eq!(
            range("P-00001..P-00003").unwrap(),
            ["P-00001", "P-00002", "P-00003"]
        );
        assert_eq!(range("P-01..P-02").unwrap(), ["P-01", "P-02"]);
        assert!(range("P-01..P-00003").unwrap_err().contains("two forms"));
    }

    #[test]
    fn more_talks_than_minutes_is_one_problem_and_no_times() {
        let known: Vec<Record> = (1..=100).map(|i| record(&format!("P-{i:03}"))).collect();
        let session = Session {
            id: "posters".into(),
            title: "Posters".into(),
            start: parse_time("10:00"),
            end: parse_time("10:30"),
            records: vec!["P-001..P-100".into()],
            ..Session::default()
        };
        let program = Program {
            sessions: vec![session],
        };
        let (sessions, problems) = schedule(&program, &known);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            ["a session of 30 minutes cannot divide into 100 talks (a minute each at least)"]
        );
        assert!(sessions[0].talks.iter().all(|t| t.start.is_none()));
    }

    #[test]
    fn posters_get_boards_in_order_or_their_own_and_no_minutes() {
        let known: Vec<Record> = ["P-1", "P-2", "P-3", "P-4"].map(record).into();
        let session = Session {
            id: "posters".into(),
            title: "Posters".into(),
            kind: SessionKind::Posters,
            start: parse_time("13:00"),
            end: parse_time("14:00"),
            records: vec!["P-1..P-2".into()],
            talks: vec![Talk {
                id: "P-4".into(),
                board: Some(9),
                ..Talk::default()
            }],
            ..Session::default()
        };
        let program = Program {
            sessions: vec![session],
        };
        let (sessions, problems) = schedule(&program, &known);
        assert!(problems.is_empty(), "{problems:?}");
        let boards: Vec<_> = sessions[0]
            .talks
            .iter()
            .map(|t| (t.id.as_str(), t.board))
            .collect();
        assert_eq!(
            boards,
            [("P-1", Some(1)), ("P-2", Some(2)), ("P-4", Some(9))]
        );
        assert!(sessions[0].talks.iter().all(|t| t.start.is_none()));
    }

    #[test]
    fn a_board_given_twice_or_in_a_talks_session_is_a_problem_of_its_entry() {
        let known: Vec<Record> = ["P-1", "P-2"].map(record).into();
        let poster = |id: &str, board| Talk {
            id: id.into(),
            board: Some(board),
            ..Talk::default()
        };
        let session = |kind| Session {
            id: "s".into(),
            title: "S".into(),
            kind,
            talks: vec![poster("P-1", 3), poster("P-2", 3)],
            ..Session::default()
        };
        let program = Program {
            sessions: vec![session(SessionKind::Posters), session(SessionKind::Talks)],
        };
        let (_, problems) = schedule(&program, &known);
        let found: Vec<_> = problems
            .iter()
            .map(|p| (p.index, p.entry.as_deref(), p.message.as_str()))
            .collect();
        let in_talks =
            "has a `board`, which only a poster session's entries have (kind = \"posters\")";
        assert_eq!(
            found,
            [
                (0, Some("P-2"), "board 3 is given twice"),
                (1, Some("P-1"), in_talks),
                (1, Some("P-2"), in_talks),
            ]
        );
    }

    #[test]
    fn dates_and_times_are_read_as_such_or_refused_at_their_place() {
        let toml =
            "[[session]]\nid = \"s\"\ntitle = \"S\"\ndate = \"2027-06-10\"\nstart = \"8:30\"\n";
        let program: Program = toml::from_str(toml).unwrap();
        assert_eq!(program.sessions[0].start, Time::from_hms(8, 30, 0).ok());
        assert!(
            toml::to_string(&program)
                .unwrap()
                .contains("start = \"08:30\"")
        );
        for (bad, message) in [
            (
                "date = \"2027-13-01\"",
                "`2027-13-01` is not a date like 2026-11-24",
            ),
            ("start = \"9:5x\"", "`9:5x` is not a time like 08:30"),
            ("start = \"24:00\"", "`24:00` is not a time like 08:30"),
        ] {
            let text = format!("[[session]]\nid = \"s\"\ntitle = \"S\"\n{bad}\n");
            let err = toml::from_str::<Program>(&text).unwrap_err();
            assert_eq!(err.message(), message);
            let span = err.span().unwrap();
            assert_eq!(
                &text[span.start..span.start + 1],
                "\"",
                "points at the value"
            );
        }
    }
}
