//! The rows of an exported table — CSV (UTF-8, with or without BOM, or the legacy
//! encoding its bytes show), Excel (`.xlsx`, `.xls`: the first sheet or a named one)
//! or JSON (an array of objects) — as header → cell text, each with the row number a
//! person sees. Line breaks in cells are `\n`, whatever the file had.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use encoding_rs::{Encoding, UTF_8};

use super::error::ImportError;

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// As the file shows it: the spreadsheet's row number (the header is row 1), or
    /// the object's 1-based position in a JSON array.
    pub number: usize,
    pub cells: BTreeMap<String, String>,
}

/// A whole table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub path: PathBuf,
    /// The column names, in file order.
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// "row" for spreadsheets, "object" for JSON: how messages name a row.
    pub row_word: &'static str,
    /// The encoding a text file was read in (`UTF-8`, `windows-1252`, `GBK` …).
    pub encoding: Option<&'static str>,
}

/// Reads `path` by its extension; a text file in `encoding` where given, else in the
/// one its bytes show.
pub fn read(
    path: &Path,
    sheet: Option<&str>,
    encoding: Option<&'static Encoding>,
) -> Result<Table, ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let text = || {
        let bytes = crate::files::read_at_most(path, MAX_TABLE).map_err(io(path))?;
        decode(path, &bytes, encoding)
    };
    match ext.as_str() {
        "csv" => csv_table(path, text()?),
        "xlsx" | "xlsm" => {
            unpacked_size_within(path, MAX_TABLE)?;
            excel_table(path, sheet)
        }
        "xls" => excel_table(path, sheet),
        "json" => json_table(path, text()?),
        _ => Err(ImportError::Format {
            path: path.to_path_buf(),
            message: "not a .csv, .xlsx, .xls or .json file".into(),
        }),
    }
}

/// The most a table may hold, as a file or unpacked: a conference of 10,000 long
/// abstracts is ≈ 100 MB.
const MAX_TABLE: u64 = 256 << 20;

/// Refuses a workbook whose parts unpack to more than `limit` bytes (a sheet of a
/// 1 GiB cell packs into 1 MB), before the sheet is read into memory.
fn unpacked_size_within(path: &Path, limit: u64) -> Result<(), ImportError> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let unreadable = |e: zip::result::ZipError| format_error(path, format!("not a workbook ({e})"));
    let mut archive = zip::ZipArchive::new(file).map_err(unreadable)?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        total = total.saturating_add(archive.by_index_raw(i).map_err(unreadable)?.size());
    }
    match total > limit {
        true => Err(format_error(
            path,
            format!(
                "the workbook unpacks to {} MB; a table holds at most {} MB",
                total >> 20,
                limit >> 20
            ),
        )),
        false => Ok(()),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn format_error(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError::Format {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A text file as `encoding`, else as its BOM says, else UTF-8 where it is valid UTF-8,
/// else in the legacy encoding its bytes show (chardetng). Text that does not decode
/// without replacement characters is refused: a wrong guess must not garble names.
fn decode(
    path: &Path,
    bytes: &[u8],
    encoding: Option<&'static Encoding>,
) -> Result<Decoded, ImportError> {
    let (encoding, bytes) = match (encoding, Encoding::for_bom(bytes)) {
        (Some(given), _) => (given, bytes),
        (None, Some((bom, length))) => (bom, &bytes[length..]),
        (None, None) if std::str::from_utf8(bytes).is_ok() => (UTF_8, bytes),
        (None, None) => {
            use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
            let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            (detector.guess(None, Utf8Detection::Deny), bytes)
        }
    };
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(Decoded {
            text: text.into_owned(),
            encoding: encoding.name(),
        }),
        None => Err(format_error(
            path,
            format!(
                "the text is not valid {} (give its encoding: --encoding windows-1252, gb18030, …)",
                encoding.name()
            ),
        )),
    }
}

/// A text file's text, and the encoding it was read in.
pub(super) struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

pub(super) fn csv_table(path: &Path, decoded: Decoded) -> Result<Table, ImportError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(decoded.text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format_error(path, format!("the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    // A spreadsheet's row number: the header is row 1, however many lines a cell has.
    for (i, record) in reader.records().enumerate() {
        let number = i + 2;
        let record = record.map_err(|e| format_error(path, format!("row {number}: {e}")))?;
        // Spreadsheets save trailing empty rows (",,,,"): not records.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(row(number, &headers, record.iter().map(str::to_string)));
    }
    Ok(Table {
        path: path.to_path_buf(),
        headers,
        rows,
        row_word: "row",
        encoding: Some(decoded.encoding),
    })
}

fn row(number: usize, headers: &[String], cells: impl Iterator<Item = String>) -> Row {
    let cell = |c: String| unguard(&line_feeds(&c)).to_string();
    Row {
        number,
        cells: headers.iter().cloned().zip(cells.map(cell)).collect(),
    }
}

/// What a spreadsheet takes for a formula when a cell starts with it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as a spreadsheet shows it as text, not runs it as a formula: one that
/// starts like a formula gets a leading `'` (as OWASP recommends for CSV), which
/// [`unguard`] takes away again on import.
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.starts_with(FORMULA_STARTS) {
        true => format!("'{cell}").into(),
        false => cell.into(),
    }
}

/// A cell less the `'` that [`guard`] put before a formula's first character.
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// `\r\n` and a lone `\r` (old Mac files, some web forms) as `\n`: a line break,
/// not a character that vanishes and glues two words.
fn line_feeds(cell: &str) -> String {
    match cell.contains('\r') {
        true => cell.replace("\r\n", "\n").replace('\r', "\n"),
        false => cell.to_string(),
    }
}

fn excel_table(path: &Path, sheet: Option<&str>) -> Result<Table, ImportError> {
    let mut book =
        calamine::open_workbook_auto(path).map_err(|e| format_error(path, e.to_string()))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            return Err(format_error(
                path,
                format!("no sheet `{s}` (the sheets are: {})", names.join(", ")),
            ));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format_error(path, "the workbook has no sheet"))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| format_error(path, format!("sheet `{name}`: {e}")))?;
    // Row numbers as Excel shows them, wherever the used range starts.
    let first_row = range.start().map_or(0, |(r, _)| r as usize) + 1;
    let mut lines = range.rows();
    let headers: Vec<String> = lines
        .next()
        .ok_or_else(|| format_error(path, format!("sheet `{name}` is empty")))?
        .iter()
        .map(|c| cell_text(c).trim().to_string())
        .collect();
    let rows = lines
        .enumerate()
        .map(|(i, cells)| row(first_row + 1 + i, &headers, cells.iter().map(cell_text)))
        .filter(|r| r.cells.values().any(|c| !c.trim().is_empty()))
        .collect();
    Ok(Table {
        path: path.to_path_buf(),
        headers,
        rows,
        row_word: "row",
        encoding: None,
    })
}

/// A cell as text: whole numbers without ".0" (an id column of numbers).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn json_table(path: &Path, decoded: Decoded) -> Result<Table, ImportError> {
    let value: serde_json::Value = serde_json::from_str(&decoded.text)
        .map_err(|e| format_error(path, format!("not JSON: {e}")))?;
    let items = value
        .as_array()
        .ok_or_else(|| format_error(path, "expected an array of objects"))?;
    let mut headers: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let object = item
            .as_object()
            .ok_or_else(|| format_error(path, format!("object {}: not an object", i + 1)))?;
        let mut cells = BTreeMap::new();
        for (key, value) in object {
            if !headers.contains(key) {
                headers.push(key.clone());
            }
            let text = line_feeds(&json_text(value));
            cells.insert(key.clone(), unguard(&text).to_string());
        }
        rows.push(Row {
            number: i + 1,
            cells,
        });
    }
    Ok(Table {
        path: path.to_path_buf(),
        headers,
        rows,
        row_word: "object",
        encoding: Some(decoded.encoding),
    })
}

/// A JSON value as a cell: strings as they are, arrays as lines (so a list of
/// affiliations or paragraphs reads as the cell would), null as empty.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => {
            items.iter().map(json_text).collect::<Vec<_>>().join("\n")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_workbook_that_unpacks_too_large_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.xlsx");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        zip.write_all(&vec![b'a'; 3 << 20]).unwrap();
        zip.finish().unwrap();
        assert!(
            std::fs::metadata(&path).unwrap().len() < 1 << 20,
            "it packs small"
        );
        let err = unpacked_size_within(&path, 2 << 20)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unpacks to 3 MB; a table holds at most 2 MB"),
            "{err}"
        );
        assert!(unpacked_size_within(&path, 4 << 20).is_ok());
    }
}
