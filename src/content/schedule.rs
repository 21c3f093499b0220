//! The timetable of `program.toml` read into times: each session's date and hours,
//! and each talk's slot — its own `start`/`end`, or an even share of its session's
//! time when the session lists `records`. Problems (a date or time that does not
//! parse, an unknown record) are collected, never fatal: `check` reports them.

use time::macros::format_description;
use time::{Date, Time};

use super::schema::{Program, Session};
use crate::model::Record;

/// A session with its times read.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduled {
    /// Its place in program.toml (0-based).
    pub index: usize,
    pub session: Session,
    pub date: Option<Date>,
    pub start: Option<Time>,
    pub end: Option<Time>,
    /// In program order (which is time order for timed talks written in order).
    pub talks: Vec<Slot>,
}

/// One talk of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub id: String,
    pub start: Option<Time>,
    pub end: Option<Time>,
}

impl Scheduled {
    /// Date, start and end, when the session has all three.
    pub fn when(&self) -> Option<(Date, Time, Time)> {
        Some((self.date?, self.start?, self.end?))
    }
}

/// What is wrong with one session's times or entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The session's place in program.toml (0-based).
    pub index: usize,
    pub session: String,
    /// What the message is about, as written (a time, an entry), to find its line.
    pub at: Option<String>,
    /// An entry that names no record (else a date or time).
    pub entry: bool,
    pub message: String,
}

/// "2026-11-24".
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// "08:30" (or "8:30").
pub fn parse_time(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    if m.len() != 2 || h.is_empty() || h.len() > 2 {
        return None;
    }
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// "08:30".
pub fn format_time(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// Every session of `program` with its times, and every problem found on the way.
pub fn schedule(program: &Program, records: &[Record]) -> (Vec<Scheduled>, Vec<Problem>) {
    let mut problems = Vec::new();
    let sessions = program
        .sessions
        .iter()
        .enumerate()
        .map(|(index, session)| read_session(index, session, records, &mut problems))
        .collect();
    (sessions, problems)
}

fn read_session(
    index: usize,
    session: &Session,
    records: &[Record],
    problems: &mut Vec<Problem>,
) -> Scheduled {
    let mut found: Vec<(Option<String>, bool, String)> = Vec::new();
    let date = session.date.as_deref().and_then(|d| {
        let parsed = parse_date(d);
        if parsed.is_none() {
            found.push((
                Some(d.into()),
                false,
                format!("date `{d}` is not a date like 2026-11-24"),
            ));
        }
        parsed
    });
    let start = read_time("start", session.start.as_deref(), &mut found);
    let end = read_time("end", session.end.as_deref(), &mut found);
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        let message = format!(
            "ends ({}) before it starts ({})",
            format_time(e),
            format_time(s)
        );
        found.push((None, false, message));
    }
    let mut talks: Vec<Slot> = Vec::new();
    for entry in &session.records {
        match expand(std::slice::from_ref(entry), records) {
            Ok(ids) => talks.extend(ids.into_iter().map(|id| Slot {
                id,
                start: None,
                end: None,
            })),
            Err(reason) => found.push((Some(entry.clone()), true, reason)),
        }
    }
    share_time(&mut talks, start, end);
    for talk in &session.talks {
        if !records.iter().any(|r| r.id == talk.id) {
            found.push((
                Some(talk.id.clone()),
                true,
                format!("unknown id `{}`", talk.id),
            ));
            continue;
        }
        talks.push(Slot {
            id: talk.id.clone(),
            start: read_time(
                &format!("{}'s start", talk.id),
                talk.start.as_deref(),
                &mut found,
            ),
            end: read_time(
                &format!("{}'s end", talk.id),
                talk.end.as_deref(),
                &mut found,
            ),
        });
    }
    problems.extend(found.into_iter().map(|(at, entry, message)| Problem {
        index,
        session: session.id.clone(),
        at,
        entry,
        message,
    }));
    Scheduled {
        index,
        session: session.clone(),
        date,
        start,
        end,
        talks,
    }
}

/// A time field, if given; one that does not parse is a problem.
fn read_time(
    field: &str,
    value: Option<&str>,
    found: &mut Vec<(Option<String>, bool, String)>,
) -> Option<Time> {
    let text = value?;
    let parsed = parse_time(text);
    if parsed.is_none() {
        found.push((
            Some(text.into()),
            false,
            format!("{field} `{text}` is not a time like 08:30"),
        ));
    }
    parsed
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

/// Expands a session's entries ("S-001..S-003", "C-1") into ids, in order.
pub fn expand(entries: &[String], known: &[Record]) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for entry in entries {
        match entry.split_once("..") {
            Some((from, to)) => {
                let start = known
                    .iter()
                    .position(|r| r.id == from.trim())
                    .ok_or_else(|| format!("unknown id `{}`", from.trim()))?;
                let end = known
                    .iter()
                    .position(|r| r.id == to.trim())
                    .ok_or_else(|| format!("unknown id `{}`", to.trim()))?;
                if end < start {
                    return Err(format!("range `{entry}` runs backwards"));
                }
                ids.extend(known[start..=end].iter().map(|r| r.id.clone()));
            }
            None => {
                let id = entry.trim();
                known
                    .iter()
                    .find(|r| r.id == id)
                    .ok_or_else(|| format!("unknown id `{id}`"))?;
                ids.push(id.to_string());
            }
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Talk;
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
            date: Some("2027-06-10".into()),
            start: Some("10:30".into()),
            end: Some("11:30".into()),
            records: vec!["A-1..A-3".into()],
            talks: vec![Talk {
                id: "B-1".into(),
                start: Some("11:30".into()),
                end: Some("11:40".into()),
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
    fn bad_times_and_unknown_talks_are_problems() {
        let session = Session {
            id: "s".into(),
            title: "S".into(),
            date: Some("2027-13-01".into()),
            start: Some("9:5x".into()),
            end: Some("08:00".into()),
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
            [
                "date `2027-13-01` is not a date like 2026-11-24",
                "start `9:5x` is not a time like 08:30",
                "unknown id `Z-9`"
            ]
        );
        assert_eq!(parse_time("8:30"), Time::from_hms(8, 30, 0).ok());
        assert_eq!(parse_time("24:00"), None);
    }
}
