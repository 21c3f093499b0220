//! What preflight checks for and what it finds: the options, the faults and the report.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

use crate::pdf::boxes::PdfBoxError;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PreflightOptions {
    /// `Some(bleed)` for a print PDF: every page needs a TrimBox and a BleedBox of
    /// trim + bleed. `None` for a screen PDF, where page = trim.
    pub expect_bleed_mm: Option<f64>,
    /// Lowest effective image resolution at placed size.
    pub min_dpi: f64,
    /// Text must stay this far inside the trim.
    pub safe_mm: f64,
    /// Content-stream operations read at most on one page: forms that draw each
    /// other can multiply the work without any cycle, so the walk has a budget.
    pub max_operations: usize,
}

impl Default for PreflightOptions {
    /// A screen PDF: no bleed expected, 300 dpi, 5 mm safe margin (layouts/typography.md
    /// §8).
    fn default() -> Self {
        PreflightOptions {
            expect_bleed_mm: None,
            min_dpi: 300.0,
            safe_mm: 5.0,
            // Far more than any real book (the booklet has about 100,000).
            max_operations: 20_000_000,
        }
    }
}

impl PreflightOptions {
    /// A print PDF with `bleed_mm` of bleed.
    pub fn print(bleed_mm: f64) -> Self {
        PreflightOptions {
            expect_bleed_mm: Some(bleed_mm),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    MissingMediaBox,
    MissingTrimBox,
    MissingBleedBox,
    WrongBleedBox,
    MediaBoxTooSmall,
    FontNotEmbedded,
    FontNotSubset,
    Type3Font,
    LowResolution,
    NonBlackText,
    OutsideSafeArea,
}

/// Something a printer would reject; `page` is 1-based, `None` for the whole file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fault {
    pub page: Option<usize>,
    pub kind: FaultKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub pages: usize,
    /// Trim sizes ("185 × 260 mm") with their page counts, in order of appearance.
    pub sizes: Vec<(String, usize)>,
    pub faults: Vec<Fault>,
    /// What was checked and found fine: boxes, fonts, images.
    pub notes: Vec<String>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.faults.is_empty()
    }

    pub(super) fn fault(&mut self, page: usize, kind: FaultKind, message: String) {
        let page = Some(page);
        self.faults.push(Fault {
            page,
            kind,
            message,
        });
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.page {
            Some(page) => write!(f, "page {page}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pages: {}", self.pages)?;
        for (size, count) in &self.sizes {
            writeln!(f, "trim size: {size} ({count} {})", plural(*count, "page"))?;
        }
        for note in &self.notes {
            writeln!(f, "{note}")?;
        }
        for fault in &self.faults {
            writeln!(f, "{fault}")?;
        }
        match self.faults.len() {
            0 => writeln!(f, "preflight: OK"),
            n => writeln!(f, "preflight: {n} {}", plural(n, "fault")),
        }
    }
}

#[derive(Debug, Error)]
pub enum PreflightError {
    /// Not a PDF, a page tree that loops, boxes that are not rectangles, …
    #[error(transparent)]
    Read(#[from] PdfBoxError),
    #[error("page {page}: cannot read a content stream ({what})")]
    Content { page: usize, what: String },
    #[error("the pages draw more content-stream operations than the limit (forms drawing forms?)")]
    TooComplex,
}

/// Checks `pdf` against `opts`; faults go in the report, only an unreadable PDF is an

/// A value rounded to 0.1, without a trailing ".0".
pub(super) fn num(v: f64) -> String {
    let v = (v * 10.0).round() / 10.0;
    if v == 0.0 { "0".into() } else { format!("{v}") }
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.into()
    } else {
        format!("{word}s")
    }
}
