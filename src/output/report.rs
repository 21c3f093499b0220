//! The late-change report: what changed between two builds' manifests — records added,
//! removed and edited, records whose first page moved, and the physical PDF pages that
//! differ — for a printer deciding which plates to remake. Written to `out/changes.json`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::output::manifest::{FilePages, Manifest};

/// How many names a list in the human report shows before "… and N more".
const SHOWN: usize = 8;

/// The differences between the previous build and this one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeReport {
    /// True when there was no previous manifest to compare with; the lists are empty.
    pub first_build: bool,
    /// Page count of the previous build (0 on the first build).
    pub pages_before: usize,
    /// Page count of this build.
    pub pages: usize,
    /// Record ids, in this build's order (removed ones in the previous build's order).
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Records whose content (front matter or body) changed.
    pub edited: Vec<String>,
    /// Records in both builds whose first page changed.
    pub moved: Vec<Moved>,
    /// 1-based physical PDF pages whose printed content differs, including pages that
    /// exist in only one of the two builds.
    pub pages_differing: Vec<usize>,
    /// Own pages, inserts and cover artwork whose file changed (or is new), with the
    /// page each starts on now.
    #[serde(default)]
    pub files_changed: Vec<FilePages>,
}

/// A record whose first page changed: "S-041 p.57 → p.58".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub id: String,
    /// Physical 1-based pages.
    pub from_page: usize,
    pub to_page: usize,
    /// Page numbers as printed.
    pub from_label: String,
    pub to_label: String,
}

impl ChangeReport {
    /// True when the new build prints exactly what the previous one did.
    pub fn is_unchanged(&self) -> bool {
        !self.first_build
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.edited.is_empty()
            && self.moved.is_empty()
            && self.files_changed.is_empty()
            && self.pages_differing.is_empty()
            && self.pages == self.pages_before
    }
}

impl Moved {
    /// "S-041 p.57 → p.58"; where the printed number stays and only the sheet moves
    /// (pages added before the numbering starts), the physical pages: "K-1 p.1 (PDF
    /// page 7 → 9)".
    fn describe(&self) -> String {
        match self.from_label == self.to_label {
            true => format!(
                "{} p.{} (PDF page {} → {})",
                self.id, self.to_label, self.from_page, self.to_page
            ),
            false => format!("{} p.{} → p.{}", self.id, self.from_label, self.to_label),
        }
    }
}

/// Compares this build's manifest with the previous one (`None`: first build).
pub fn compare(previous: Option<&Manifest>, current: &Manifest) -> ChangeReport {
    let Some(previous) = previous else {
        return ChangeReport {
            first_build: true,
            pages: current.pages,
            ..ChangeReport::default()
        };
    };
    let before: BTreeMap<&str, _> = previous
        .records
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let after: BTreeMap<&str, _> = current.records.iter().map(|r| (r.id.as_str(), r)).collect();
    let added = current
        .records
        .iter()
        .filter(|r| !before.contains_key(r.id.as_str()))
        .map(|r| r.id.clone())
        .collect();
    let removed = previous
        .records
        .iter()
        .filter(|r| !after.contains_key(r.id.as_str()))
        .map(|r| r.id.clone())
        .collect();
    // A record without a hash on either side (an older manifest) cannot be judged.
    let edited = current
        .records
        .iter()
        .filter(|r| {
            match (
                previous.record_hashes.get(&r.id),
                current.record_hashes.get(&r.id),
            ) {
                (Some(old), Some(new)) => old != new,
                _ => false,
            }
        })
        .map(|r| r.id.clone())
        .collect();
    let moved = current
        .records
        .iter()
        .filter_map(|new| {
            let old = before.get(new.id.as_str())?;
            let same = old.first_page == new.first_page && old.page_label == new.page_label;
            (!same).then(|| Moved {
                id: new.id.clone(),
                from_page: old.first_page,
                to_page: new.first_page,
                from_label: old.page_label.clone(),
                to_label: new.page_label.clone(),
            })
        })
        .collect();
    // Page hashes missing (an older manifest) count as differing: better one plate too
    // many than one too few.
    let last = previous.pages.max(current.pages);
    let pages_differing = (1..=last)
        .filter(|&page| {
            let old = previous
                .page_hashes
                .get(page - 1)
                .filter(|_| page <= previous.pages);
            let new = current
                .page_hashes
                .get(page - 1)
                .filter(|_| page <= current.pages);
            old.is_none() || new.is_none() || old != new
        })
        .collect();
    let files_changed = current
        .files
        .iter()
        .filter(|f| {
            !previous
                .files
                .iter()
                .any(|old| old.path == f.path && old.hash == f.hash)
        })
        .cloned()
        .collect();
    ChangeReport {
        first_build: false,
        pages_before: previous.pages,
        pages: current.pages,
        added,
        removed,
        edited,
        moved,
        pages_differing,
        files_changed,
    }
}

/// "57–59, 74": sorted pages as ranges.
pub fn page_ranges(pages: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pages.len() {
        let start = pages[i];
        let mut end = start;
        while i + 1 < pages.len() && pages[i + 1] == end + 1 {
            i += 1;
            end = pages[i];
        }
        parts.push(match start == end {
            true => start.to_string(),
            false => format!("{start}–{end}"),
        });
        i += 1;
    }
    parts.join(", ")
}

/// Up to [`SHOWN`] items, then "… and N more".
fn shortened(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let mut shown: Vec<String> = items.take(SHOWN).collect();
    if total > SHOWN {
        shown.push(format!("… and {} more", total - SHOWN));
    }
    shown.join(", ")
}

fn records(n: usize) -> &'static str {
    if n == 1 { "record" } else { "records" }
}

/// The human report: one line per kind of change.
impl fmt::Display for ChangeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first_build {
            return write!(
                f,
                "first build: no previous manifest to compare with ({} pages)",
                self.pages
            );
        }
        if self.is_unchanged() {
            return write!(
                f,
                "no changes since the last build ({} pages, all identical)",
                self.pages
            );
        }
        let mut lines = Vec::new();
        for (verb, ids) in [
            ("added", &self.added),
            ("removed", &self.removed),
            ("edited", &self.edited),
        ] {
            if !ids.is_empty() {
                let list = shortened(ids.iter().cloned());
                lines.push(format!(
                    "{} {} {verb}: {list}",
                    ids.len(),
                    records(ids.len())
                ));
            }
        }
        if !self.files_changed.is_empty() {
            let list = shortened(
                self.files_changed
                    .iter()
                    .map(|f| format!("{} (p.{})", f.path, f.first_page)),
            );
            lines.push(format!("changed: {list}"));
        }
        if !self.moved.is_empty() {
            let list = shortened(self.moved.iter().map(Moved::describe));
            lines.push(format!("{} moved: {list}", self.moved.len()));
        }
        let count = match self.pages == self.pages_before {
            true => format!("{} pages", self.pages),
            false => format!("{} → {} pages", self.pages_before, self.pages),
        };
        match self.pages_differing.is_empty() {
            true => lines.push(format!("no PDF page differs ({count})")),
            false => lines.push(format!(
                "PDF pages differing: {} ({count})",
                page_ranges(&self.pages_differing)
            )),
        }
        write!(f, "changes since the last build:")?;
        for line in lines {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::render::RecordPages;

    fn manifest(records: &[(&str, usize, &str, &str)], pages: &[&str]) -> Manifest {
        Manifest {
            pages: pages.len(),
            records: records
                .iter()
                .map(|(id, page, label, _)| RecordPages {
                    id: id.to_string(),
                    first_page: *page,
                    last_page: *page,
                    page_label: label.to_string(),
                })
                .collect(),
            authors: Vec::new(),
            record_hashes: records
                .iter()
                .map(|(id, _, _, h)| (id.to_string(), h.to_string()))
                .collect(),
            page_hashes: pages.iter().map(|h| h.to_string()).collect(),
            files: Vec::new(),
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(page_ranges(&[]), "");
        assert_eq!(page_ranges(&[3]), "3");
        assert_eq!(page_ranges(&[57, 58, 59, 74]), "57–59, 74");
        assert_eq!(page_ranges(&[1, 3, 4]), "1, 3–4");
    }

    #[test]
    fn first_build() {
        let now = manifest(&[("S-001", 1, "1", "a")], &["p1"]);
        let report = compare(None, &now);
        assert!(report.first_build);
        assert!(report.to_string().starts_with("first build"), "{report}");
    }

    #[test]
    fn unchanged() {
        let now = manifest(&[("S-001", 1, "1", "a")], &["p1"]);
        let report = compare(Some(&now), &now);
        assert!(report.is_unchanged(), "{report:?}");
        assert!(report.to_string().starts_with("no changes"), "{report}");
    }

    #[test]
    fn added_removed_edited_moved_and_pages() {
        let old = manifest(
            &[
                ("S-001", 1, "1", "a"),
                ("S-002", 2, "2", "b"),
                ("S-003", 2, "2", "c"),
            ],
            &["p1", "p2", "p3"],
        );
        let new = manifest(
            &[
                ("S-001", 1, "1", "a2"),
                ("S-003", 3, "3", "c"),
                ("S-004", 4, "4", "d"),
            ],
            &["p1", "p2'", "p3'", "p4"],
        );
        let report = compare(Some(&old), &new);
        assert_eq!(report.added, ["S-004"]);
        assert_eq!(report.removed, ["S-002"]);
        assert_eq!(report.edited, ["S-001"]);
        assert_eq!(
            report.moved,
            [Moved {
                id: "S-003".into(),
                from_page: 2,
                to_page: 3,
                from_label: "2".into(),
                to_label: "3".into(),
            }]
        );
        assert_eq!(report.pages_differing, [2, 3, 4]);
        let text = report.to_string();
        for expected in [
            "1 record added: S-004",
            "1 record removed: S-002",
            "1 record edited: S-001",
            "1 moved: S-003 p.2 → p.3",
            "PDF pages differing: 2–4 (3 → 4 pages)",
        ] {
            assert!(text.contains(expected), "{expected:?} not in {text}");
        }
    }

    #[test]
    fn a_record_whose_number_stays_is_told_by_its_pdf_page() {
        let moved = Moved {
            id: "K-1".into(),
            from_page: 7,
            to_page: 11,
            from_label: "1".into(),
            to_label: "1".into(),
        };
        assert_eq!(moved.describe(), "K-1 p.1 (PDF page 7 → 11)");
    }

    #[test]
    fn a_shorter_book_differs_on_the_dropped_pages_and_old_manifests_count_as_changed() {
        let old = manifest(&[], &["p1", "p2", "p3"]);
        let new = manifest(&[], &["p1"]);
        assert_eq!(compare(Some(&old), &new).pages_differing, [2, 3]);
        let mut legacy = old.clone();
        legacy.page_hashes.clear();
        assert_eq!(compare(Some(&legacy), &new).pages_differing, [1, 2, 3]);
    }

    #[test]
    fn long_lists_are_shortened() {
        let ids: Vec<String> = (1..=12).map(|i| format!("S-{i:03}")).collect();
        let text = shortened(ids.into_iter());
        assert!(text.ends_with("S-008, … and 4 more"), "{text}");
    }
}
