//! The rows of an exported table — CSV (UTF-8, with or without BOM, or GB18030),
//! Excel (`.xlsx`, `.xls`: the first sheet or a named one) or JSON (an array of
//! objects) — as header → cell text, each with the row number a person sees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

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
}

/// Reads `path` by its extension.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Table, ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => csv_table(path, &std::fs::read(path).map_err(io(path))?),
        "xlsx" | "xlsm" | "xls" => excel_table(path, sheet),
        "json" => json_table(path, &std::fs::read(path).map_err(io(path))?),
        _ => Err(ImportError::Format {
            path: path.to_path_buf(),
            message: "not a .csv, .xlsx, .xls or .json file".into(),
        }),
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

/// UTF-8 (a BOM is dropped); anything that is not UTF-8 is read as GB18030, what
/// Chinese Excel saves CSV as.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

pub(super) fn csv_table(path: &Path, bytes: &[u8]) -> Result<Table, ImportError> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
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
    })
}

fn row(number: usize, headers: &[String], cells: impl Iterator<Item = String>) -> Row {
    Row {
        number,
        cells: headers.iter().cloned().zip(cells).collect(),
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

fn json_table(path: &Path, bytes: &[u8]) -> Result<Table, ImportError> {
    let value: serde_json::Value = serde_json::from_str(&decode(bytes))
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
            cells.insert(key.clone(), json_text(value));
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
