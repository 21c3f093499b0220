//! Command-line arguments (clap derive), validated into plain values by main.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Turns a conference's abstracts into a print-ready, re-typeset booklet.
///
/// A project is a folder with `content/` (one file per abstract, program.toml,
/// booklet.toml), `layouts/` (Typst templates) and `fonts/`.
#[derive(Debug, Parser)]
#[command(name = "confbook", version, about, long_about, max_term_width = 100, after_help = EXAMPLES)]
pub struct Cli {
    /// The project folder (holds content/, layouts/, fonts/).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "Examples:
  confbook ingest content/source/raw.txt   raw text → content/abstracts/*.md
  confbook dump --json | jq '.[0]'         the records as JSON
  confbook build                           content/ → out/booklet.pdf";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse raw extracted text into one editable record file per abstract.
    ///
    /// Writes content/abstracts/<ID>.md, content/program.toml and content/booklet.toml.
    /// A file edited by hand since ingest wrote it is kept (and reported) unless --force.
    /// Unchanged input changes no file.
    Ingest {
        /// The raw text extracted from the old PDF.
        raw: PathBuf,
        /// Where to write the records [default: <root>/content].
        #[arg(long, value_name = "DIR")]
        content: Option<PathBuf>,
        /// Overwrite files even if they were edited by hand.
        #[arg(long)]
        force: bool,
    },
    /// Print every record, in book order.
    Dump {
        /// As a JSON array (the machine-readable view; currently the only format).
        #[arg(long)]
        json: bool,
    },
    /// Typeset the booklet: content/ → out/booklet.pdf and out/booklet.json.
    Build {
        /// Where to write the PDF and its manifest [default: <root>/out].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also search the system's fonts (off: only fonts/ is used, so every machine
        /// produces the same PDF).
        #[arg(long)]
        system_fonts: bool,
        #[command(flatten)]
        print: PrintArgs,
    },
}

/// Print-profile overrides (defaults come from content/booklet.toml `[print]`).
#[derive(Debug, Clone, clap::Args)]
pub struct PrintArgs {
    /// Trim size: 185x260mm (大16开), A4, B5 or A5.
    #[arg(long, value_name = "SIZE")]
    pub trim: Option<String>,
    /// Bleed around the trim, e.g. 3mm.
    #[arg(long, value_name = "LENGTH")]
    pub bleed: Option<String>,
    /// Draw crop marks (the page grows by a slug outside the bleed).
    #[arg(long)]
    pub marks: bool,
    /// Binding: perfect pads to an even page count, saddle to a multiple of 4.
    #[arg(long, value_enum)]
    pub binding: Option<confbook::print::Binding>,
    /// A screen PDF: no bleed, no marks, page = trim.
    #[arg(long, conflicts_with_all = ["bleed", "marks"])]
    pub screen: bool,
}

impl PrintArgs {
    pub fn overrides(self) -> confbook::print::Overrides {
        confbook::print::Overrides { trim: self.trim, bleed: self.bleed, marks: self.marks, binding: self.binding, screen: self.screen }
    }
}
