//! `import`: records from what submission systems export (CSV, Excel, JSON), cleaned
//! as ingest cleans extracted text. Every problem of every row is collected; a table
//! with any problem gives no records at all, so nothing is half-imported.
//!
//! Cells (default column names are the record fields, see [`FIELDS`]):
//! - `authors`: names separated by `;`, `；`, `、` or line breaks, each optionally
//!   followed by affiliation numbers in brackets, `*` before the presenter:
//!   `Li Wei [1,2]; *Zhang San [2]`. Without any `*` or bracket the names are the
//!   record's speakers (each presenting, every affiliation shared).
//! - `affiliations`: separated by `;`, `；` or line breaks, numbered in order.
//! - `keywords`: separated by `;` or `；`, else by commas or line breaks.
//! - `abstract`: paragraphs separated by blank lines, or by line breaks when there are
//!   none.

mod error;
mod html;
mod table;

use std::collections::BTreeMap;
use std::path::Path;

use crate::ingest::normalise;
use crate::markdown::{self, Inline, escape};
use crate::model::{Author, Record, Section, id_number};
pub use error::{ImportError, Problem};
pub use table::{Row, Table, guard};

/// The record fields a table may give, in the order `dump --format csv` writes them.
pub const FIELDS: [&str; 8] = [
    "id",
    "section",
    "title",
    "title_en",
    "authors",
    "affiliations",
    "keywords",
    "abstract",
];

/// The most text one cell may hold: an abstract is a few KB; a 5 MB cell set
/// 1,300 pages without a word.
const MAX_CELL: usize = 100_000;

/// Columns a table must have (after `--map`).
const REQUIRED: [&str; 3] = ["section", "title", "authors"];

/// How to read a table.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Record field → the column that holds it, where the header differs.
    pub map: BTreeMap<String, String>,
    /// The Excel sheet to read [default: the first].
    pub sheet: Option<String>,
    /// The book's sections (booklet.toml); empty: any section key is taken as given.
    pub sections: Vec<Section>,
    /// The encoding of a text file, where its bytes do not tell it.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// Reads the table at `path` (see [`records`] for its records).
pub fn read_table(path: &Path, options: &Options) -> Result<Table, ImportError> {
    table::read(path, options.sheet.as_deref(), options.encoding)
}

/// A table's records, with what the import changed or left out: HTML tags it
/// dropped, images the abstracts show.
#[derive(Debug, Default)]
pub struct Imported {
    pub records: Vec<Record>,
    pub warnings: Vec<Problem>,
    /// (record id, the image's source as the cell gives it), to copy into
    /// `content/figures/`.
    pub images: Vec<(String, String)>,
}

/// The records of a table read already; `on_row` is told how many rows are done
/// after each (a progress bar's position).
pub fn records(
    table: &Table,
    options: &Options,
    on_row: &mut dyn FnMut(usize),
) -> Result<Imported, ImportError> {
    let columns = columns(table, options)?;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut images = Vec::new();
    let mut records = Vec::new();
    for row in &table.rows {
        let place = |field: &str, message: String| Problem {
            path: table.path.clone(),
            row: format!("{} {}", table.row_word, row.number),
            column: columns
                .get(field)
                .cloned()
                .unwrap_or_else(|| field.to_string()),
            message,
        };
        let mut at = |field: &str, message: String| problems.push(place(field, message));
        let cell = |field: &str| -> String {
            let text = columns.get(field).and_then(|c| row.cells.get(c));
            text.map_or(String::new(), |s| s.trim().to_string())
        };
        for field in columns.keys() {
            let size = cell(field).len();
            if size > MAX_CELL {
                at(
                    field,
                    format!(
                        "the cell holds {} KB; a cell holds at most {} KB",
                        size / 1000,
                        MAX_CELL / 1000
                    ),
                );
            }
        }
        let mut found = Found::default();
        let record = read_row(&cell, &options.sections, &mut at, &mut found);
        warnings.extend(found.dropped.into_iter().map(|(field, m)| place(&field, m)));
        images.extend(found.images.into_iter().map(|src| (record.id.clone(), src)));
        records.push((row.number, record));
        on_row(records.len());
    }
    assign_ids(
        table,
        &columns,
        &options.sections,
        &mut records,
        &mut problems,
    );
    match problems.is_empty() {
        true => Ok(Imported {
            records: records.into_iter().map(|(_, r)| r).collect(),
            warnings,
            images,
        }),
        false => Err(ImportError::Rows {
            path: table.path.clone(),
            problems,
        }),
    }
}

/// The sections a table's rows name, in order of first appearance: for a project
/// that starts from the table (`confbook new --from`). Each is titled with its key,
/// with the prefix its rows' ids share, else a letter of its key no other section
/// has (so that rows without an id can be given one).
pub fn sections(table: &Table, options: &Options) -> Result<Vec<Section>, ImportError> {
    let columns = columns(table, options)?;
    let cell = |row: &Row, field: &str| {
        let text = columns.get(field).and_then(|c| row.cells.get(c));
        text.map_or(String::new(), |s| s.trim().to_string())
    };
    // Each key with the id prefixes of its rows (None: a row without one).
    let mut found: Vec<(String, Vec<Option<String>>)> = Vec::new();
    for row in &table.rows {
        let key = cell(row, "section");
        if key.is_empty() {
            continue;
        }
        let id = cell(row, "id");
        let prefix = crate::model::id_prefix(&id).map(str::to_string);
        match found.iter_mut().find(|(k, _)| *k == key) {
            Some((_, prefixes)) => prefixes.push(prefix),
            None => found.push((key, vec![prefix])),
        }
    }
    let shared = |prefixes: &[Option<String>]| {
        let first = prefixes.iter().flatten().next()?;
        prefixes
            .iter()
            .flatten()
            .all(|p| p == first)
            .then(|| first.clone())
    };
    let mut sections: Vec<Section> = found
        .iter()
        .map(|(key, prefixes)| Section {
            key: key.clone(),
            title: title_of_key(key),
            prefix: shared(prefixes),
        })
        .collect();
    for at in 0..sections.len() {
        if sections[at].prefix.is_none() {
            let taken: Vec<String> = sections.iter().filter_map(|s| s.prefix.clone()).collect();
            sections[at].prefix = Some(free_prefix(&sections[at].key, &taken));
        }
    }
    Ok(sections)
}

/// A section's printed title made from its key: `keynote` → `Keynote` (the title is
/// booklet.toml's to change).
fn title_of_key(key: &str) -> String {
    let mut chars = key.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// An id prefix for a section with no ids to take one from: its key's first ASCII
/// letter(s), upper-cased, as many as make it unlike every prefix `taken`; a key
/// without ASCII letters gets the first free letter of the alphabet.
fn free_prefix(key: &str, taken: &[String]) -> String {
    let letters: String = key
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let from_key = (1..=letters.len()).map(|n| letters[..n].to_string());
    let alphabet = ('A'..='Z').map(String::from);
    let free = |p: &String| !taken.contains(p);
    from_key
        .chain(alphabet)
        .find(free)
        .unwrap_or_else(|| format!("S{}", taken.len() + 1))
}

/// Field → column name, for the fields the table has.
fn columns(table: &Table, options: &Options) -> Result<BTreeMap<String, String>, ImportError> {
    let fail = |message: String| ImportError::Format {
        path: table.path.clone(),
        message,
    };
    let mut columns = BTreeMap::new();
    for (field, column) in &options.map {
        if !FIELDS.contains(&field.as_str()) {
            return Err(fail(format!(
                "--map {field}=…: `{field}` is no record field (they are {})",
                FIELDS.join(", ")
            )));
        }
        if !table.headers.contains(column) {
            return Err(fail(format!(
                "--map {field}={column}: no column `{column}` (the columns are {})",
                table.headers.join(", ")
            )));
        }
        columns.insert(field.clone(), column.clone());
    }
    for field in FIELDS {
        if !columns.contains_key(field) && table.headers.iter().any(|h| h == field) {
            columns.insert(field.to_string(), field.to_string());
        }
    }
    for field in REQUIRED {
        if !columns.contains_key(field) {
            return Err(fail(format!(
                "no column `{field}` (the columns are {}): name it {field}, or map one with --map {field}=COLUMN",
                table.headers.join(", ")
            )));
        }
    }
    Ok(columns)
}

/// What converting a row's HTML cells found: the tags dropped (field, message), the
/// images shown.
#[derive(Default)]
struct Found {
    dropped: Vec<(String, String)>,
    images: Vec<String>,
}

impl Found {
    /// A cell's text as record Markdown: HTML converted, plain text escaped.
    fn marked(&mut self, field: &str, text: &str) -> String {
        if !html::is_html(text) {
            return normalise(text);
        }
        let converted = html::to_markdown(text, &normalise_run);
        if !converted.dropped.is_empty() {
            let tags: Vec<String> = converted.dropped.iter().map(|t| format!("<{t}>")).collect();
            let message = format!(
                "dropped {} (the record's Markdown has no such markup)",
                tags.join(", ")
            );
            self.dropped.push((field.to_string(), message));
        }
        self.images.extend(converted.images);
        converted.markdown
    }
}

/// One row as a record (its id may still be empty), reporting what is wrong with it.
fn read_row(
    cell: &dyn Fn(&str) -> String,
    sections: &[Section],
    problem: &mut dyn FnMut(&str, String),
    found: &mut Found,
) -> Record {
    let section = cell("section");
    if section.is_empty() {
        problem("section", "no section".into());
    } else if !sections.is_empty() && !sections.iter().any(|s| s.key == section) {
        let keys: Vec<&str> = sections.iter().map(|s| s.key.as_str()).collect();
        problem(
            "section",
            format!(
                "unknown section `{section}` (booklet.toml lists {})",
                keys.join(", ")
            ),
        );
    }
    // A title is one line: an HTML title's blocks joined.
    let title = found.marked("title", &cell("title")).replace("\n\n", " ");
    if title.is_empty() {
        problem("title", "the title is empty".into());
    }
    let affiliations: Vec<String> = split(&cell("affiliations"), &[';', '；', '\n'])
        .iter()
        .map(|a| normalise::normalise(a))
        .collect();
    let authors = parse_authors(&cell("authors"), affiliations.len()).unwrap_or_else(|message| {
        problem("authors", message);
        Vec::new()
    });
    let keywords = keywords(&cell("keywords"));
    let title_en = Some(
        found
            .marked("title_en", &cell("title_en"))
            .replace("\n\n", " "),
    )
    .filter(|t| !t.is_empty());
    let text = cell("abstract");
    let paragraphs = match html::is_html(&text) {
        true => found
            .marked("abstract", &text)
            .split("\n\n")
            .map(str::to_string)
            .collect(),
        false => paragraphs(&text),
    };
    let record = Record {
        id: cell("id"),
        section,
        title,
        title_en,
        authors,
        affiliations,
        keywords: (!keywords.is_empty()).then_some(keywords),
        paragraphs,
    };
    let count = record.affiliations.len();
    for (_, author, n) in record.misnumbered_affiliations() {
        let there = match count {
            0 => "there are no affiliations".to_string(),
            1 => "there is 1 affiliation".to_string(),
            n => format!("there are {n} affiliations"),
        };
        problem(
            "authors",
            format!("{} has affiliation {n}, but {there}", author.name),
        );
    }
    record
}

/// Ingest's cleaning of a cell's text (spacing, punctuation, flattened chemistry), as
/// record Markdown that prints it as written, sub/superscripts marked already (`~2~`,
/// `^2+^`) kept.
fn normalise(text: &str) -> String {
    // Escaped, the text has no markup but its sub/superscripts.
    match markdown::inlines(&escape::escape(text)) {
        Ok(runs) if runs.iter().any(|r| !matches!(r, Inline::Text(_))) => {
            let marked: String = runs
                .iter()
                .map(|r| match r {
                    Inline::Text(t) => escape::escape_inline(&normalise_run(t)),
                    Inline::Sub(s) => format!("~{}~", escape::escape_inline(s)),
                    Inline::Sup(s) => format!("^{}^", escape::escape_inline(s)),
                    other => {
                        escape::escape_inline(&markdown::plain_runs(std::slice::from_ref(other)))
                    }
                })
                .collect();
            escape::guard_block_start(&marked).0
        }
        _ => escape::escape(&normalise::normalise(text)),
    }
}

/// A text run between sub/superscripts: cleaned, keeping a space at either end where
/// it stands against Latin text ("D~3~ was"), as cleaning the whole text would.
fn normalise_run(text: &str) -> String {
    let core = text.trim();
    let keep = |space: bool, next: Option<char>| match space
        && next.is_some_and(|c| !crate::model::text::is_cjk(c))
    {
        true => " ",
        false => "",
    };
    let lead = keep(text.starts_with(char::is_whitespace), core.chars().next());
    let trail = keep(text.ends_with(char::is_whitespace), core.chars().last());
    format!("{lead}{}{trail}", normalise::normalise(core))
}

/// Non-empty trimmed pieces of `text` between any of `separators`.
fn split(text: &str, separators: &[char]) -> Vec<String> {
    text.split(|c| separators.contains(&c))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `Li Wei [1,2]; *Zhang San [2]` → authors as marked; plain names → speakers (each
/// presenting, with all of the record's `affiliations`).
fn parse_authors(text: &str, affiliations: usize) -> Result<Vec<Author>, String> {
    // Full-width brackets and star, as Chinese input methods type them.
    let text = text
        .replace(['［', '【'], "[")
        .replace(['］', '】'], "]")
        .replace('＊', "*");
    let text = text.as_str();
    let items = split(text, &[';', '；', '、', '\n']);
    let marked = text.contains('*') || text.contains('[');
    if !marked {
        return Ok(Author::speakers(items, affiliations));
    }
    let mut authors = Vec::new();
    for item in items {
        let (presenting, rest) = match item.strip_prefix('*') {
            Some(rest) => (true, rest.trim()),
            None => (false, item.as_str()),
        };
        let (name, affiliations) = match rest.split_once('[') {
            Some((name, numbers)) => {
                let numbers = numbers
                    .strip_suffix(']')
                    .ok_or_else(|| format!("`{item}`: the `[` is not closed by `]`"))?;
                let parsed: Result<Vec<usize>, _> = split(numbers, &[',', '，'])
                    .iter()
                    .map(|n| n.parse::<usize>())
                    .collect();
                let parsed = parsed.map_err(|_| {
                    format!("`{item}`: affiliations are numbers in brackets, like [1,2]")
                })?;
                (name.trim(), parsed)
            }
            None => (rest, Vec::new()),
        };
        if name.is_empty() {
            return Err(format!("`{item}`: no name"));
        }
        authors.push(Author {
            name: name.to_string(),
            affiliations,
            presenting,
        });
    }
    if !authors.iter().any(|a| a.presenting) {
        return Err("no presenter: put `*` before the name of the one who presents".into());
    }
    Ok(authors)
}

/// Split on `;`/`；` where the cell uses them, else on commas and line breaks (a
/// keyword may hold a comma only where semicolons separate).
fn keywords(text: &str) -> Vec<String> {
    let separators: &[char] = match text.contains([';', '；']) {
        true => &[';', '；'],
        false => &[',', '，', '\n'],
    };
    split(text, separators)
        .iter()
        .map(|k| normalise(k))
        .collect()
}

/// Paragraphs at blank lines, or at line breaks where there is no blank line; lines
/// within a paragraph are joined as wrapped text is.
fn paragraphs(text: &str) -> Vec<String> {
    // A line of spaces is a blank line.
    let text: String = text
        .replace("\r\n", "\n")
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n");
    let blocks: Vec<&str> = match text.contains("\n\n") {
        true => text.split("\n\n").collect(),
        false => text.split('\n').collect(),
    };
    blocks
        .iter()
        .map(|block| {
            let mut joined = String::new();
            for line in block.lines() {
                crate::model::text::join(&mut joined, line);
            }
            normalise(&joined)
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Gives each row without an id one made from its section's prefix and its place
/// among the section's rows ("P-15": the fifteenth poster row), as wide as the
/// section's other ids; reports rows that cannot have one, and ids used twice.
fn assign_ids(
    table: &Table,
    columns: &BTreeMap<String, String>,
    sections: &[Section],
    records: &mut [(usize, Record)],
    problems: &mut Vec<Problem>,
) {
    let problem = |row: usize, message: String| Problem {
        path: table.path.clone(),
        row: format!("{} {row}", table.row_word),
        column: columns.get("id").cloned().unwrap_or_else(|| "id".into()),
        message,
    };
    let mut place: BTreeMap<String, usize> = BTreeMap::new();
    let mut width: BTreeMap<String, usize> = BTreeMap::new();
    for (_, r) in records.iter() {
        if let Some(number) =
            r.id.rsplit('-')
                .next()
                .filter(|_| id_number(&r.id).is_some())
        {
            let w = width.entry(r.section.clone()).or_default();
            *w = (*w).max(number.len());
        }
    }
    for (row, record) in records.iter_mut() {
        let n = place.entry(record.section.clone()).or_default();
        *n += 1;
        if !record.id.is_empty() || record.section.is_empty() {
            continue;
        }
        let prefix = sections
            .iter()
            .find(|s| s.key == record.section)
            .and_then(|s| s.prefix.clone());
        match prefix {
            Some(prefix) => {
                let w = width.get(&record.section).copied().unwrap_or(2);
                record.id = format!("{prefix}-{n:0w$}");
            }
            None => problems.push(problem(
                *row,
                format!(
                    "no id, and section `{}` has no prefix to make one from (give it `prefix` in booklet.toml)",
                    record.section
                ),
            )),
        }
    }
    // Ids name files: P-01 and p-01 are one file where names ignore case.
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    for (row, record) in records.iter() {
        if record.id.is_empty() {
            continue;
        }
        if let Some(earlier) = first.insert(record.id.to_lowercase(), *row) {
            let word = table.row_word;
            problems.push(problem(
                *row,
                format!("id {} is also the id of {word} {earlier}", record.id),
            ));
        } else if !crate::files::is_file_stem(&record.id) {
            problems.push(problem(
                *row,
                format!(
                    "id `{}` cannot name a file: use letters, digits and `-`",
                    record.id
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_tables_sections_take_their_ids_prefix_or_a_free_letter() {
        let text = "id,section,title,authors\n\
            K-1,keynote,T,A\nO-01,oral,T,A\nK-2,keynote,T,A\n,poster,T,A\n,plenary,T,A\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let options = Options::default();
        let table = read_table(&path, &options).unwrap();
        let found: Vec<(String, String, Option<String>)> = sections(&table, &options)
            .unwrap()
            .into_iter()
            .map(|s| (s.key, s.title, s.prefix))
            .collect();
        let section = |k: &str, t: &str, p: &str| (k.into(), t.into(), Some(p.into()));
        assert_eq!(
            found,
            vec![
                section("keynote", "Keynote", "K"),
                section("oral", "Oral", "O"),
                section("poster", "Poster", "P"),
                // P is the posters': the next letters of the key.
                section("plenary", "Plenary", "PL"),
            ]
        );
        assert_eq!(free_prefix("大会报告", &["A".into()]), "B");
    }

    use super::*;

    #[test]
    fn author_cells() {
        let authors = parse_authors("Li Wei [1,2]; *Zhang San [2]", 2).unwrap();
        assert_eq!(authors[0].name, "Li Wei");
        assert_eq!(authors[0].affiliations, [1, 2]);
        assert!(!authors[0].presenting && authors[1].presenting);
        let speakers = parse_authors("王鸥、张三；李四", 2).unwrap();
        let names: Vec<&str> = speakers.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["王鸥", "张三", "李四"]);
        assert!(
            speakers
                .iter()
                .all(|a| a.presenting && a.affiliations == [1, 2])
        );
        assert!(parse_authors("Li Wei [1; *Zhang", 1).is_err());
        assert!(
            parse_authors("Li Wei [1]; Zhang San [2]", 2)
                .unwrap_err()
                .contains("no presenter")
        );
        assert!(parse_authors("*Li [a]", 1).is_err());
        // As Chinese input methods type them.
        let authors = parse_authors("＊王鸥［1，2］；李华【2】", 2).unwrap();
        assert_eq!(
            (authors[0].name.as_str(), authors[0].affiliations.as_slice()),
            ("王鸥", &[1, 2][..])
        );
        assert!(authors[0].presenting && !authors[1].presenting);
    }

    #[test]
    fn trailing_empty_rows_and_blank_lines_of_spaces() {
        let text = "id,section,title,authors\nK-1,k,T,*A\n,,,\n, ,,\n".to_string();
        let decoded = table::Decoded {
            text,
            encoding: "UTF-8",
        };
        let table = table::csv_table(Path::new("t.csv"), decoded).unwrap();
        assert_eq!(table.rows.len(), 1, "empty rows are not records");
        assert_eq!(paragraphs("One.\n   \nTwo."), ["One.", "Two."]);
    }

    #[test]
    fn keyword_and_paragraph_cells() {
        assert_eq!(keywords("bone; BMD, DXA"), ["bone", "BMD, DXA"]);
        assert_eq!(keywords("bone, BMD"), ["bone", "BMD"]);
        assert_eq!(paragraphs("One\nline.\n\nTwo."), ["One line.", "Two."]);
        assert_eq!(paragraphs("第一段。\n第二段。"), ["第一段。", "第二段。"]);
        assert_eq!(paragraphs("  \n"), Vec::<String>::new());
    }
}
