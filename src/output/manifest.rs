//! The manifest `out/booklet.json`: where every record and author landed, and the
//! hashes of each record's content and each page's print that the next build's
//! change report compares against.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use serde::{Deserialize, Serialize};
use typst::layout::{Abs, Frame, FrameItem, Point};
use typst_layout::{Page, PagedDocument};

use crate::content::Content;
use crate::content::parts::{Insert, Part};
use crate::markdown;
use crate::model::{Author, Record};
use crate::typeset::render::{self, RecordPages};

/// `out/booklet.json`: pages are 1-based physical PDF pages, labels as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub pages: usize,
    pub records: Vec<RecordPages>,
    /// Every author, presenting or not, in order of first appearance.
    pub authors: Vec<AuthorPages>,
    /// Record id → hash of its content ([`record_hash`]), to tell
    /// edited records in the next build's change report.
    #[serde(default)]
    pub record_hashes: BTreeMap<String, String>,
    /// A hash of what each physical page prints ([`page_hash`]),
    /// `page_hashes[0]` being page 1.
    #[serde(default)]
    pub page_hashes: Vec<String>,
    /// The book's own pages, inserts and cover artwork: each file's hash and the first
    /// page it prints on, to name them in the next build's change report.
    #[serde(default)]
    pub files: Vec<FilePages>,
}

/// A file of content/ that prints pages of its own (an own page, an insert, cover
/// artwork): its SHA-256 and the physical page it starts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePages {
    pub path: String,
    pub hash: String,
    pub first_page: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorPages {
    pub name: String,
    pub pages: Vec<usize>,
    pub page_labels: Vec<String>,
}

/// Where every record and author landed.
pub fn of_document(doc: &PagedDocument, content: &Content) -> Manifest {
    let records = render::record_pages(doc);
    let by_id: BTreeMap<&str, &RecordPages> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut authors: Vec<AuthorPages> = Vec::new();
    for record in &content.records {
        let Some(pages) = by_id.get(record.id.as_str()) else {
            continue;
        };
        for Author { name, .. } in &record.authors {
            let entry = match authors.iter_mut().position(|s| &s.name == name) {
                Some(i) => &mut authors[i],
                None => {
                    authors.push(AuthorPages {
                        name: name.clone(),
                        pages: Vec::new(),
                        page_labels: Vec::new(),
                    });
                    authors.last_mut().expect("just pushed")
                }
            };
            if !entry.pages.contains(&pages.first_page) {
                entry.pages.push(pages.first_page);
                entry.page_labels.push(pages.page_label.clone());
            }
        }
    }
    Manifest {
        pages: doc.pages().len(),
        records,
        authors,
        record_hashes: content
            .records
            .iter()
            .map(|r| (r.id.clone(), record_hash(r)))
            .collect(),
        page_hashes: doc.pages().iter().map(page_hash).collect(),
        files: file_pages(doc, content),
    }
}

/// The own pages and inserts, by the label of their first page (`part-N`, the Nth
/// part), and the cover's artwork (first and last pages).
fn file_pages(doc: &PagedDocument, content: &Content) -> Vec<FilePages> {
    let starts: BTreeMap<String, usize> = render::part_pages(doc).collect();
    let hash = |path: &str| {
        let bytes = std::fs::read(content.dir.join(path)).unwrap_or_default();
        crate::files::sha256_hex(&bytes)
    };
    let file = |path: &str, first_page: usize| FilePages {
        path: path.to_string(),
        hash: hash(path),
        first_page,
    };
    let mut files = Vec::new();
    for (i, part) in content.parts().iter().enumerate() {
        let (Part::Page { path, .. } | Part::Insert(Insert { path, .. })) = part else {
            continue;
        };
        if let Some(&page) = starts.get(&format!("part-{}", i + 1)) {
            files.push(file(path, page));
        }
    }
    if let Some(cover) = &content.booklet.cover {
        let last = doc.pages().len();
        let placed = [
            (&cover.front, 1),
            (&cover.inside_front, 2),
            (&cover.inside_back, last - 1),
            (&cover.back, last),
        ];
        files.extend(
            placed
                .into_iter()
                .filter_map(|(path, page)| Some(file(path.as_ref()?, page))),
        );
    }
    files
}

/// The manifest of the previous build, if there is a readable one at `path`.
pub fn read(path: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// SHA-256 (hex) of a record's content as its file would be written: front matter and
/// paragraphs. Re-wrapping a paragraph or re-ordering keys is not an edit; changing any
/// field or word is.
pub fn record_hash(record: &Record) -> String {
    // The body as it converts, so that re-wrapping a paragraph does not count.
    let text = record.paragraphs.join("\n\n");
    let body = match markdown::blocks(&text, markdown::Kind::Record) {
        Ok(blocks) => serde_json::to_string(&blocks).unwrap_or(text),
        Err(_) => text,
    };
    let record = Record {
        paragraphs: vec![body],
        ..record.clone()
    };
    crate::files::sha256_hex(crate::content::render_record(&record).as_bytes())
}

/// A hash (hex) of what a page prints: its size and fill, and every glyph, shape and
/// image with its position on the page. Source locations, links, introspection tags
/// and how the layout grouped the items are left out, so an edit elsewhere that
/// shifts them, or a layout that wraps the same lines in one more block, does not
/// mark the page as changed. Stable across runs and machines for the same fonts.
pub fn page_hash(page: &Page) -> String {
    let mut bytes = ByteSink(Vec::with_capacity(64 * 1024));
    page.fill.hash(&mut bytes);
    page.bleed.hash(&mut bytes);
    page.frame.size().hash(&mut bytes);
    hash_items(&page.frame, Point::zero(), &mut bytes);
    // Typst's `hash128` is a SipHash-1-3 with fixed keys: the same on every run.
    format!("{:032x}", typst::utils::hash128(bytes.0.as_slice()))
}

/// Collects what `Hash` impls write, to be hashed once.
struct ByteSink(Vec<u8>);

impl Hasher for ByteSink {
    fn finish(&self) -> u64 {
        0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

/// Hashes the items of `frame`, which stands at `origin`. A group that neither
/// transforms nor clips prints its items where they stand, as if they were the
/// frame's own: it is hashed as those items.
fn hash_items(frame: &Frame, origin: Point, state: &mut ByteSink) {
    for (at, item) in frame.items() {
        let at = origin + *at;
        let pos = (thousandths(at.x), thousandths(at.y));
        match item {
            FrameItem::Group(group) if group.transform.is_identity() && group.clip.is_none() => {
                hash_items(&group.frame, at, state);
            }
            FrameItem::Group(group) => {
                (0u8, pos, &group.transform, &group.clip, group.frame.size()).hash(state);
                hash_items(&group.frame, Point::zero(), state);
                1u8.hash(state);
            }
            FrameItem::Text(text) => {
                (2u8, pos, &text.font, text.size, &text.fill, &text.stroke).hash(state);
                text.text.hash(state);
                for g in &text.glyphs {
                    (g.id, g.x_advance, g.x_offset, g.y_advance, g.y_offset).hash(state);
                }
            }
            FrameItem::Shape(shape, _span) => {
                (
                    3u8,
                    pos,
                    &shape.geometry,
                    &shape.fill,
                    &shape.fill_rule,
                    &shape.stroke,
                )
                    .hash(state);
            }
            FrameItem::Image(image, size, _span) => (4u8, pos, image, size).hash(state),
            FrameItem::Link(..) | FrameItem::Tag(_) => {}
        }
    }
}

/// A length in thousandths of a point: the same place reached through other groups
/// differs in the last bits of its sum.
fn thousandths(length: Abs) -> i64 {
    (length.to_pt() * 1000.0).round() as i64
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use typst::foundations::{Content, Smart};
    use typst::layout::{Abs, Angle, Frame, FrameItem, GroupItem, Point, Sides, Size, Transform};
    use typst::syntax::Span;
    use typst::visualize::{Color, Geometry};
    use typst_layout::Page;

    use super::{page_hash, record_hash};
    use crate::content::parse_record;

    fn page(frame: Frame) -> Page {
        Page {
            frame,
            bleed: Sides::splat(Abs::zero()),
            fill: Smart::Auto,
            numbering: None,
            supplement: Content::empty(),
            number: 1,
        }
    }

    fn pt(x: f64, y: f64) -> Point {
        Point::new(Abs::pt(x), Abs::pt(y))
    }

    /// A page of two rules, the second at (x, y) in a group at `group_at`.
    fn rules(group_at: Point, group: impl FnOnce(Frame) -> GroupItem, x: f64, y: f64) -> Page {
        let rule = || {
            FrameItem::Shape(
                Geometry::Rect(Size::new(Abs::pt(50.0), Abs::pt(1.0))).filled(Color::BLACK),
                Span::detached(),
            )
        };
        let mut inner = Frame::hard(Size::new(Abs::pt(100.0), Abs::pt(20.0)));
        inner.push(pt(x, y), rule());
        let mut outer = Frame::hard(Size::new(Abs::pt(200.0), Abs::pt(300.0)));
        outer.push(pt(10.0, 10.0), rule());
        outer.push(group_at, FrameItem::Group(group(inner)));
        page(outer)
    }

    #[test]
    fn a_page_hash_follows_what_prints_not_how_it_is_grouped() {
        let plain = GroupItem::new;
        let hash = page_hash(&rules(pt(20.1, 40.7), plain, 5.2, 5.1));
        // The same rule at the same place on the page, in another grouping (whose
        // sums differ in the last bits: 40.7 + 5.1 != 45.8).
        assert_eq!(hash, page_hash(&rules(pt(0.0, 0.0), plain, 25.3, 45.8)));
        // Moved by a hundredth of a point.
        assert_ne!(hash, page_hash(&rules(pt(20.1, 40.7), plain, 5.2, 5.11)));
        // Turned, a group prints differently.
        let turned = |frame| GroupItem {
            transform: Transform::rotate(Angle::deg(90.0)),
            ..GroupItem::new(frame)
        };
        assert_ne!(hash, page_hash(&rules(pt(20.1, 40.7), turned, 5.2, 5.1)));
    }

    const FRONT: &str = "+++\nid = \"S-001\"\nsection = \"special\"\ntitle = \"标题\"\nspeakers = [\"王鸥\"]\n+++\n\n";

    fn hash(body: &str) -> String {
        let record = parse_record(Path::new("S-001.md"), &format!("{FRONT}{body}")).unwrap();
        record_hash(&record)
    }

    #[test]
    fn record_hash_follows_content_not_wrapping() {
        let one_line = "骨质疏松是以骨量低下为特征的疾病，vitamin D and calcium are given together.\n\n第二段。\n";
        let rewrapped = "骨质疏松是以骨量\n低下为特征的疾病，vitamin D\nand calcium are given\ntogether.\n\n第二段。\n";
        let before = hash(one_line);
        assert_eq!(before.len(), 64);
        assert_eq!(
            before,
            hash(rewrapped),
            "re-wrapping a paragraph is not an edit"
        );
        assert_ne!(
            before,
            hash(&one_line.replace("疾病", "疾患")),
            "one character is"
        );
        assert_ne!(
            before,
            hash(&one_line.replace("\n\n第二段", "\n第二段")),
            "joining paragraphs is"
        );
    }
}
