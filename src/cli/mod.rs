//! The confbook command line: the arguments (clap derive) and the dispatch to one
//! module per subcommand; what the subcommands share is in [`terminal`].

mod build;
mod check;
mod dump;
mod eject;
mod handouts;
mod import;
mod ingest;
mod layouts;
mod new;
mod preflight;
mod terminal;
mod watch;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use confbook::model::print::Binding;

use dump::DumpFormat;
use terminal::Format;
pub use terminal::exit_code;

/// Turns a conference's abstracts into a print-ready, re-typeset booklet.
///
/// A project is a folder with `content/` (one file per abstract, program.toml,
/// booklet.toml); the layouts (Typst templates) and fonts are built in, and a
/// project's own `layouts/` or `fonts/` overrides them file by file. `confbook new DIR`
/// starts one.
#[derive(Debug, Parser)]
#[command(name = "confbook", version, about, long_about, max_term_width = 100, after_help = EXAMPLES)]
pub struct Cli {
    /// The project folder (holds content/, and layouts/ or fonts/ that override the
    /// built-in ones).
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "Examples:
  confbook new nsbmr-2028 --lang en        a project that builds at once
  confbook new book --from abstracts.csv   one made from a submission system's export
  confbook ingest content/source/raw.txt   raw text → content/abstracts/*.md
  confbook import abstracts.csv            a submission system's export → the same
  confbook dump --json | jq '.[0]'         the records as JSON
  confbook check                           every problem, before anything is written
  confbook build                           content/ → out/booklet.pdf
  confbook watch                           rebuild on every change (Ctrl-C stops)
  confbook handouts special                out/handouts/special.pdf
  confbook eject booklet-src               a plain Typst project of the booklet";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a project in DIR that builds at once.
    ///
    /// Writes content/booklet.toml (conference, title, language, sections, print
    /// profile, parts; commented), content/program.toml (an example day), a welcome
    /// page and an example record per section; with --from, a section per distinct
    /// `section` of the table and its records instead. The layouts and fonts are built
    /// into confbook (`confbook layouts export DIR` writes the layouts out to edit).
    New(new::New),
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
    /// Read records from a submission system's export: CSV, Excel (.xlsx/.xls) or JSON.
    ///
    /// Columns are the record fields (id, section, title, title_en, authors,
    /// affiliations, keywords, abstract); --map names others. Authors are `;`-separated,
    /// each with affiliation numbers in brackets and `*` before the presenter:
    /// `Li Wei [1,2]; *Zhang San [2]`. Writes content/abstracts/<ID>.md as ingest does:
    /// cleaned, atomically, keeping files edited by hand unless --force. A table with any
    /// bad row imports nothing.
    Import {
        /// The exported table (.csv, .xlsx, .xls or .json: an array of objects).
        file: PathBuf,
        /// Where to write the records [default: <root>/content].
        #[arg(long, value_name = "DIR")]
        content: Option<PathBuf>,
        /// A record field and the column that holds it, e.g. --map title=Title
        /// (repeatable).
        #[arg(long, value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// The Excel sheet to read [default: the first].
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// The encoding of a CSV or JSON file (windows-1252, gb18030, shift_jis, …)
        /// [default: its BOM, else UTF-8, else the one its bytes show].
        #[arg(long, value_name = "NAME", value_parser = import::encoding)]
        encoding: Option<&'static encoding_rs::Encoding>,
        /// Where the images that HTML abstracts show (`<img src=…>`) are, by file name
        /// [default: where the table is]; they are copied into content/figures/.
        #[arg(long, value_name = "DIR")]
        figures: Option<PathBuf>,
        /// Overwrite files even if they were edited by hand.
        #[arg(long)]
        force: bool,
    },
    /// Print every record, in book order: id, title and speakers, one per line.
    Dump {
        /// All fields as a JSON array (the machine-readable view for scripts); the same
        /// as --format json.
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// lines (id, title, speakers), json, or csv (what `import` reads back).
        #[arg(long, value_enum, default_value_t = DumpFormat::Lines)]
        format: DumpFormat,
    },
    /// Check the project without writing anything: records, program, fonts, layouts.
    ///
    /// Lists every problem, rustc-style or as JSON. Exits 0 when there is no error
    /// (warnings allowed), 1 on errors, 2 when the check could not run (no content/,
    /// no fonts/).
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Lay out the whole book as `build` does (slow for a large book). Without
        /// it, the layouts' code runs over every record, but only the first 20
        /// records of each section are laid out.
        #[arg(long)]
        full: bool,
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
        /// Print the change report (see out/changes.json) as JSON on stdout.
        #[arg(long)]
        report_json: bool,
        /// Typeset even when no input changed since the last build (which is otherwise
        /// reported as current, in a few milliseconds).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        print: PrintArgs,
    },
    /// Rebuild the booklet whenever content/, layouts/ or fonts/ change (Ctrl-C stops).
    ///
    /// Keeps one compiler world alive, so a rebuild after a small edit is fast. A broken
    /// file is reported and the last good PDF stays in place until it is fixed.
    Watch {
        /// Where to write the PDF and its manifest [default: <root>/out].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also rebuild every session's handout after each booklet build.
        #[arg(long)]
        handouts: bool,
        /// Also search the system's fonts.
        #[arg(long)]
        system_fonts: bool,
        #[command(flatten)]
        print: PrintArgs,
    },
    /// Check a written PDF as a printing house would (also run after every build).
    ///
    /// Reports page count and sizes, the boxes of every page, fonts (embedded, subset,
    /// no Type 3), images below 300 dpi, text that is not pure black, text outside the
    /// safe area (trim minus 5 mm). Exits 1 on a fault a printer would reject.
    Preflight {
        /// The PDF to check.
        pdf: PathBuf,
        /// The bleed the PDF should have, e.g. 3mm (omit for a screen PDF).
        #[arg(long, value_name = "LENGTH")]
        bleed: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Per-session handouts: out/handouts/<SESSION>.pdf for the sessions of program.toml.
    ///
    /// Each lists its talks with the page of the full booklet where the abstract stands,
    /// then the abstracts, as a screen PDF of the booklet's trim. The booklet is typeset
    /// first (in memory) for those page numbers.
    Handouts {
        /// Session ids from content/program.toml [default: all].
        #[arg(value_name = "SESSION")]
        sessions: Vec<String>,
        /// The output folder; handouts go to its handouts/ [default: <root>/out].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also search the system's fonts.
        #[arg(long)]
        system_fonts: bool,
        /// The booklet's print profile, for the page numbers the handouts quote (the
        /// handouts themselves are screen PDFs).
        #[command(flatten)]
        print: PrintArgs,
    },
    /// Write the booklet as a plain Typst project (layouts, data/book.json, fonts).
    ///
    /// `typst compile --font-path fonts --ignore-system-fonts booklet.typ` in DIR gives
    /// the booklet's pages (see DIR/README.md).
    Eject {
        /// Where to write the project; must be empty or missing unless --force.
        dir: PathBuf,
        /// Write into a non-empty folder, replacing files of the same name.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        print: PrintArgs,
    },
    /// The layouts built into confbook.
    Layouts {
        #[command(subcommand)]
        command: LayoutsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum LayoutsCommand {
    /// Write the built-in layouts into DIR, to edit.
    ///
    /// A project's own layouts/ overrides the built-in files it holds, file by file:
    /// keep only the files you change (e.g. lib/theme.typ, see layouts/README.md).
    Export {
        /// Where to write them (`layouts` in a project); must be empty or missing
        /// unless --force.
        dir: PathBuf,
        /// Write into a non-empty folder, replacing files of the same name.
        #[arg(long)]
        force: bool,
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
    /// Binding: perfect and saddle both pad to a multiple of 4 pages.
    #[arg(long, value_parser = binding())]
    pub binding: Option<Binding>,
    /// A screen PDF: no bleed, no marks, page = trim.
    #[arg(long, conflicts_with_all = ["bleed", "marks"])]
    pub screen: bool,
}

/// `--binding`: the model's names, which clap checks and lists in the help (the
/// model does not depend on clap).
fn binding() -> impl TypedValueParser<Value = Binding> {
    let names = Binding::NAMES.map(|(name, _)| name);
    PossibleValuesParser::new(names).map(|name| {
        let named = Binding::NAMES.into_iter().find(|(n, _)| *n == name);
        named.expect("clap passes only the names it was given").1
    })
}

impl PrintArgs {
    pub fn overrides(self) -> confbook::model::print::Overrides {
        confbook::model::print::Overrides {
            trim: self.trim,
            bleed: self.bleed,
            marks: self.marks,
            binding: self.binding,
            screen: self.screen,
        }
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let root = &cli.root;
    let out_or_default = |out: Option<std::path::PathBuf>| out.unwrap_or_else(|| root.join("out"));
    if cli.command.reads_a_project() {
        in_project(root)?;
    }
    match cli.command {
        Command::New(args) => new::run(args),
        Command::Layouts {
            command: LayoutsCommand::Export { dir, force },
        } => layouts::export(&dir, force),
        Command::Check { format, full } => check::run(root, format, full),
        Command::Ingest {
            raw,
            content,
            force,
        } => {
            let dir = content.unwrap_or_else(|| root.join("content"));
            ingest::run(&raw, &dir, force)
        }
        Command::Import {
            file,
            content,
            map,
            sheet,
            encoding,
            figures,
            force,
        } => {
            let dir = content.unwrap_or_else(|| root.join("content"));
            let table = import::Table {
                map,
                sheet,
                encoding,
                figures,
            };
            import::run(&file, &dir, table, force)
        }
        Command::Dump { json, format } => {
            dump::run(root, if json { DumpFormat::Json } else { format })
        }
        Command::Preflight { pdf, bleed, format } => preflight::run(&pdf, bleed.as_deref(), format),
        Command::Build {
            out,
            system_fonts,
            report_json,
            force,
            print,
        } => build::run(
            root,
            &out_or_default(out),
            build::Options {
                system_fonts,
                report_json,
                force,
            },
            print.overrides(),
        ),
        Command::Watch {
            out,
            handouts,
            system_fonts,
            print,
        } => watch::run(
            root,
            &out_or_default(out),
            handouts,
            system_fonts,
            print.overrides(),
        ),
        Command::Handouts {
            sessions,
            out,
            system_fonts,
            print,
        } => handouts::run(
            root,
            &out_or_default(out),
            &sessions,
            system_fonts,
            print.overrides(),
        ),
        Command::Eject { dir, force, print } => eject::run(root, &dir, force, print.overrides()),
    }
}

impl Command {
    /// Whether the command works on the project at `--root` (`new`, `ingest`,
    /// `import`, `preflight` and `layouts` do not need one).
    fn reads_a_project(&self) -> bool {
        matches!(
            self,
            Command::Check { .. }
                | Command::Dump { .. }
                | Command::Build { .. }
                | Command::Watch { .. }
                | Command::Handouts { .. }
                | Command::Eject { .. }
        )
    }
}

/// A folder without `content/booklet.toml` is no project: say so, and how to start one
/// (rather than fail on the first file that is not there).
fn in_project(root: &Path) -> Result<()> {
    let booklet = root.join("content").join("booklet.toml");
    match booklet.is_file() {
        true => Ok(()),
        false => Err(terminal::could_not_run_because(format!(
            "{} is not a confbook project: {} not found\n  \
             hint: `confbook new DIR` starts one; --root DIR runs in another folder",
            root.display(),
            booklet.display()
        ))),
    }
}
