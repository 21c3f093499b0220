//! Helpers for `scripts/bench` (not a user command):
//!
//! - `bench synth SRC_CONTENT DST_CONTENT FACTOR` writes a synthetic `content/` with
//!   FACTOR × the records of SRC_CONTENT under new ids (PL-001…, S-0001…, C-01…), each
//!   copy's paragraphs of text marked with their new id so no two are the same text,
//!   and the rest of SRC_CONTENT (booklet.toml, own pages, inserts, cover, figures) but
//!   its program.toml.
//! - `bench table SRC_CONTENT ROWS CSV` writes a table of ROWS generated records of
//!   another shape than the shipped ones, in SRC_CONTENT's sections: 4–20 authors
//!   each (from a pool of 4,000 names, so that each name has many pages in the
//!   index), 2–6 affiliations, 2–5 paragraphs of 100–300 characters,
//!   keywords.
//! - `bench timetable CONTENT` replaces CONTENT's program.toml with a congress's
//!   timetable of all its records: hour-long sessions of up to 6 talks in 10 rooms at
//!   once, 10 hours a day, no presenter in two rooms at once; the first 500 sessions
//!   oral, the rest poster sessions.
//! - `bench warm PROJECT FONTS EDITS` times, in one process with one world, a cold
//!   build, a rebuild without change, and EDITS rebuilds each after adding a sentence
//!   (in the book's language) to a paragraph of one abstract's body, as `watch` does;
//!   the abstracts are the project's own, spread through the book. It edits PROJECT's
//!   files: pass a copy. Its last line is `warm_edit_ms=<median>`.
//! - `bench cold PROJECT FONTS` prints where a cold build in a fresh process spends
//!   its time, step by step.
//! - `bench layouts EJECTED RUNS` compiles and exports, in process and from cold
//!   caches, an ejected project's `booklet.typ` and the plain document `plain.typ`
//!   beside it (scripts/plain.typ) RUNS times each, in turn. Its last line is
//!   `layouts_ms=<median> plain_ms=<median> ratio=<median of the runs' ratios>`.
//!   With `TIMINGS=PATH`, it then compiles each once more with Typst's timing on and
//!   writes the trace (Chrome's trace format) to PATH.booklet.typ.json and
//!   PATH.plain.typ.json: where each pass and page run spends its time.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use confbook::content::{self, Content};
use confbook::markdown;
use confbook::model::{Lang, Record, id_prefix};
use confbook::output::build::{Builder, Paths};
use confbook::typeset::fonts::{FontSet, Residence};
use confbook::typeset::render;
use confbook::typeset::world::BookWorld;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["synth", src, dst, factor] => synth(Path::new(src), Path::new(dst), factor.parse()?),
        ["table", src, rows, csv] => table(Path::new(src), rows.parse()?, Path::new(csv)),
        ["timetable", content] => timetable(Path::new(content)),
        ["warm", project, fonts, edits] => {
            warm(Path::new(project), Path::new(fonts), edits.parse()?)
        }
        ["cold", project, fonts] => cold(Path::new(project), Path::new(fonts)),
        ["layouts", ejected, runs] => layouts(Path::new(ejected), runs.parse()?),
        _ => bail!(
            "usage: bench synth SRC_CONTENT DST_CONTENT FACTOR | bench table SRC_CONTENT ROWS CSV | bench timetable CONTENT \
             | bench warm PROJECT FONTS EDITS \
             | bench cold PROJECT FONTS | bench layouts EJECTED RUNS"
        ),
    }
}

fn synth(src: &Path, dst: &Path, factor: usize) -> Result<()> {
    let content = content::load(src).with_context(|| format!("cannot load {}", src.display()))?;
    let abstracts = dst.join(content::ABSTRACTS_DIR);
    fs::create_dir_all(&abstracts)?;
    // booklet.toml and what it names (own pages, inserts, the cover) and the records'
    // figures: everything but the records and the programme, which are written here.
    copy_dir(src, dst, &[content::ABSTRACTS_DIR, "program.toml"])?;
    let mut program = String::new();
    let mut total = 0;
    for section in &content.booklet.sections {
        let records: Vec<&Record> = content
            .records
            .iter()
            .filter(|r| r.section == section.key)
            .collect();
        let count = records.len() * factor;
        let Some(first) = records.first() else {
            continue;
        };
        let prefix = id_prefix(&first.id).context("the shipped ids have prefixes")?;
        // As wide as the largest number, at least as wide as the shipped ids.
        let shipped = first.id.len() - prefix.len() - 1;
        let width = count.to_string().len().max(shipped);
        let id = |n: usize| format!("{prefix}-{n:0width$}");
        for copy in 0..factor {
            for (i, record) in records.iter().enumerate() {
                let mut new = (*record).clone();
                new.id = id(copy * records.len() + i + 1);
                if !section.owns_id(&new.id) {
                    bail!("generated id {} is not an id of {}", new.id, section.key);
                }
                // Only paragraphs of text: a mark before a table, list, figure or
                // display formula would make it text.
                for p in new.paragraphs.iter_mut().filter(|p| is_text(p)) {
                    *p = format!("[{}] {p}", new.id);
                }
                let path = abstracts.join(content::file_name(&new.id));
                fs::write(&path, content::render_record(&new))?;
                total += 1;
            }
        }
        program.push_str(&format!(
            "[[session]]\nid = \"{}\"\ntitle = \"{}\"\nrecords = [\"{}..{}\"]\n\n",
            section.key,
            section.title,
            id(1),
            id(count)
        ));
    }
    fs::write(dst.join("program.toml"), program)?;
    // Check that what was written loads, in the expected order and number.
    let loaded = content::load(dst)
        .with_context(|| format!("synthetic content in {} does not load", dst.display()))?;
    if loaded.records.len() != total {
        bail!("wrote {total} records but {} load", loaded.records.len());
    }
    println!(
        "wrote {total} records ({factor} × {}) to {}",
        content.records.len(),
        dst.display()
    );
    Ok(())
}

fn timetable(dir: &Path) -> Result<()> {
    const ROOMS: usize = 10;
    const TALKS: usize = 6;
    let content = content::load(dir).with_context(|| format!("cannot load {}", dir.display()))?;
    // Records not placed yet, in book order; each hour's sessions take the first whose
    // presenters are free then (a record passed over waits for the next session).
    let mut waiting: std::collections::VecDeque<&Record> = content.records.iter().collect();
    let mut program = String::new();
    let mut sessions = 0;
    for hour in 0.. {
        if waiting.is_empty() {
            break;
        }
        let mut busy = std::collections::HashSet::new();
        for room in 1..=ROOMS {
            let (mut talks, mut passed) = (Vec::new(), Vec::new());
            while talks.len() < TALKS && passed.len() < 200 {
                let Some(record) = waiting.pop_front() else {
                    break;
                };
                let presenters = record.presenters();
                if presenters.iter().any(|p| busy.contains(p)) {
                    passed.push(record);
                } else {
                    busy.extend(presenters);
                    talks.push(format!("\"{}\"", record.id));
                }
            }
            passed.into_iter().rev().for_each(|r| waiting.push_front(r));
            if talks.is_empty() {
                break;
            }
            sessions += 1;
            let (day, start) = (hour / 10, 8 + hour % 10);
            let kind = if sessions > 500 {
                "kind = \"posters\"\n"
            } else {
                ""
            };
            program.push_str(&format!(
                "[[session]]\nid = \"s-{sessions}\"\ntitle = \"Session {sessions}\"\n{kind}\
                 date = \"2027-{:02}-{:02}\"\nstart = \"{start:02}:00\"\nend = \"{:02}:00\"\n\
                 room = \"Room {room}\"\nchairs = [\"Chair {sessions}\"]\nrecords = [{}]\n\n",
                6 + day / 28,
                1 + day % 28,
                start + 1,
                talks.join(", ")
            ));
        }
    }
    fs::write(dir.join("program.toml"), program)?;
    println!(
        "wrote a timetable of {} records in {sessions} sessions to {}",
        content.records.len(),
        dir.join("program.toml").display()
    );
    Ok(())
}

/// Surnames, given-name characters and the characters of generated text.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宇浩凯健俊帆帅旭宁龙林欣然晨阳佳怡梓涵子轩博文雨萱思远志诚";
const TEXT: &str = "本研究观察患者治疗前后骨密度变化结果显示手术组与对照组差异具有统计学意义临床随访发现术后功能评分明显改善并发症发生率较低提示该方法安全有效值得进一步推广应用我们回顾分析了相关病例资料比较不同年龄性别亚组的疗效影像学检查证实骨折愈合良好";

/// A deterministic generator of numbers (a linear congruential one): the same table
/// every run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn text(&mut self, chars: &[char], len: usize) -> String {
        let mut out = String::new();
        for i in 0..len {
            out.push(chars[self.below(chars.len())]);
            // A clause every 12–20 characters, a Latin term now and then.
            if i % 16 == 15 {
                out.push(if self.below(4) == 0 { '。' } else { '，' });
            }
            if self.below(90) == 0 {
                out.push_str(["IL-6", "CT", "MRI", "BMD", "TNF-α"][self.below(5)]);
            }
        }
        out.push('。');
        out
    }
}

/// A table of `rows` generated records in the sections of `src`'s booklet.toml (see
/// the module's comment), as `confbook import` reads it.
fn table(src: &Path, rows: usize, csv_path: &Path) -> Result<()> {
    let booklet = content::read_booklet(src)?.context("the source has a booklet.toml")?;
    let sections: Vec<&str> = booklet.sections.iter().map(|s| s.key.as_str()).collect();
    let (surnames, given, text): (Vec<char>, Vec<char>, Vec<char>) = (
        SURNAMES.chars().collect(),
        GIVEN.chars().collect(),
        TEXT.chars().collect(),
    );
    let mut dice = Dice(33);
    let names: Vec<String> = (0..4000)
        .map(|_| {
            let mut name = surnames[dice.below(surnames.len())].to_string();
            for _ in 0..dice.between(1, 2) {
                name.push(given[dice.below(given.len())]);
            }
            name
        })
        .collect();
    let institutions: Vec<String> = (0..300)
        .map(|i| {
            format!(
                "{}大学第{}附属医院",
                dice.text(&text, 2).trim_end_matches('。'),
                i % 7 + 1
            )
        })
        .collect();
    let mut out = csv::Writer::from_path(csv_path)?;
    out.write_record([
        "section",
        "title",
        "authors",
        "affiliations",
        "keywords",
        "abstract",
    ])?;
    for row in 0..rows {
        let affiliations = dice.between(2, 6);
        let authors: Vec<String> = (0..dice.between(4, 20))
            .map(|a| {
                let mark = if a == 0 { "*" } else { "" };
                let name = &names[dice.below(names.len())];
                format!("{mark}{name} [{}]", dice.between(1, affiliations))
            })
            .collect();
        let affiliations: Vec<&str> = (0..affiliations)
            .map(|_| institutions[dice.below(institutions.len())].as_str())
            .collect();
        let keywords: Vec<String> = (0..dice.between(3, 5))
            .map(|_| dice.text(&text, 4).trim_end_matches('。').to_string())
            .collect();
        let body: Vec<String> = (0..dice.between(2, 5))
            .map(|_| {
                let len = dice.between(100, 300);
                dice.text(&text, len)
            })
            .collect();
        let len = dice.between(15, 40);
        out.write_record([
            sections[row * sections.len() / rows],
            &dice.text(&text, len),
            &authors.join("; "),
            &affiliations.join("; "),
            &keywords.join("；"),
            &body.join("\n\n"),
        ])?;
    }
    out.flush()?;
    println!("wrote {rows} rows to {}", csv_path.display());
    Ok(())
}

/// Copies the folder `src` into `dst`, but for the entries of `src` named in `except`.
fn copy_dir(src: &Path, dst: &Path, except: &[&str]) -> Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        if except.iter().any(|e| entry.file_name() == *e) {
            continue;
        }
        let to = dst.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to, &[])?;
        } else {
            fs::copy(entry.path(), &to)?;
        }
    }
    Ok(())
}

fn project_paths(project: &Path, fonts: &Path) -> Paths {
    Paths {
        content: project.join("content"),
        layouts: project.join("layouts"),
        fonts: fonts.to_path_buf(),
        out: project.join("out"),
    }
}

/// Where a cold build in a fresh process spends its time, step by step.
fn cold(project: &Path, fonts: &Path) -> Result<()> {
    let paths = project_paths(project, fonts);
    fs::create_dir_all(&paths.out)?;
    let t = Instant::now();
    let mut builder = Builder::new(paths.clone(), false)?;
    println!("  of a cold build: fonts and world {:.0} ms", ms(t));
    breakdown("a cold build", &mut builder, &paths)
}

/// The booklet's layouts against a plain document of the same data: each compiled and
/// exported `runs` times in a new world with Typst's caches emptied, the two in turn
/// (this machine's speed drifts within a minute; blocks of runs would compare two
/// speeds).
fn layouts(ejected: &Path, runs: usize) -> Result<()> {
    let fonts = Arc::new(FontSet::load(&ejected.join("fonts"), false)?);
    let mains = ["booklet.typ", "plain.typ"];
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (main, times) in mains.iter().zip(&mut times) {
            times.push(compile_cold(ejected, main, &fonts)?);
        }
    }
    // Each booklet run against the plain run right after it: the machine's drift
    // cancels out of the ratio.
    let mut ratios: Vec<f64> = times[0].iter().zip(&times[1]).map(|(b, p)| b / p).collect();
    // `median` sorts: the first and last ratios are then the least and the greatest.
    let ratio = median(&mut ratios);
    let mut medians = Vec::new();
    for (main, times) in mains.iter().zip(&mut times) {
        let median = median(times);
        println!("  {main}: {median:.0} ms (median of {runs}: {times:.0?})");
        medians.push(median);
    }
    println!(
        "  booklet/plain run by run: median {ratio:.2} ({:.2}–{:.2})",
        ratios[0],
        ratios[ratios.len() - 1]
    );
    println!(
        "layouts_ms={:.0} plain_ms={:.0} ratio={ratio:.2}",
        medians[0], medians[1]
    );
    if let Some(out) = std::env::var_os("TIMINGS") {
        for main in mains {
            typst_timing::enable();
            compile_cold(ejected, main, &fonts)?;
            typst_timing::disable();
            let path = PathBuf::from(&out).with_extension(format!("{main}.json"));
            typst_timing::export_json(fs::File::create(path)?, |_| (String::new(), 0))
                .map_err(anyhow::Error::msg)?;
        }
    }
    Ok(())
}

/// Compiles and exports `main` of the ejected project in a new world with Typst's
/// caches emptied; returns the milliseconds it took.
fn compile_cold(ejected: &Path, main: &str, fonts: &Arc<FontSet>) -> Result<f64> {
    comemo::evict(0);
    let world = BookWorld::new(ejected, main, fonts.clone())?;
    let started = Instant::now();
    let doc = render::compile(&world)?;
    render::pdf(&doc)?;
    Ok(ms(started))
}

fn warm(project: &Path, fonts: &Path, edits: usize) -> Result<()> {
    let paths = project_paths(project, fonts);
    let started = Instant::now();
    // As `watch` makes its builder: fonts copied, not mapped.
    let mut builder = Builder::with_fonts(paths.clone(), false, Residence::Copied)?;
    let built = builder.build()?;
    comemo::evict(10);
    println!(
        "in-process cold build (fonts, world, {} pages): {:.0} ms",
        built.manifest.pages,
        ms(started)
    );
    let started = Instant::now();
    builder.build()?;
    comemo::evict(10);
    println!("rebuild without a change: {:.0} ms", ms(started));

    let content = content::load(&paths.content)?;
    let targets = edit_targets(&content, edits)?;
    let mut times = Vec::new();
    for (n, record) in targets.iter().enumerate() {
        let path = paths
            .content
            .join(content::ABSTRACTS_DIR)
            .join(content::file_name(&record.id));
        let mut edited = (*record).clone();
        let at = last_text_paragraph(record).context("edit targets have text")?;
        edited.paragraphs[at].push_str(&edit_sentence(&content.booklet.lang, n + 1));
        fs::write(&path, content::render_record(&edited))?;
        let started = Instant::now();
        let built = builder.build()?;
        let elapsed = ms(started);
        comemo::evict(10);
        if built.changes.edited != [record.id.clone()] {
            bail!(
                "expected only {} edited, the report says {:?}",
                record.id,
                built.changes.edited
            );
        }
        println!(
            "rebuild after editing {}'s body: {elapsed:.0} ms (pages differing: {})",
            record.id,
            confbook::output::report::page_ranges(&built.changes.pages_differing)
        );
        times.push(elapsed);
    }
    breakdown("a warm rebuild", &mut builder, &paths)?;
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    println!("mean {mean:.1} ms");
    println!("warm_edit_ms={:.1}", median(&mut times));
    Ok(())
}

/// Records of the project spread through the book, with a paragraph of text in their
/// body (one that an edit can add a sentence to; not a table, figure, list or display
/// formula).
fn edit_targets(content: &Content, n: usize) -> Result<Vec<&Record>> {
    let with_text: Vec<&Record> = content
        .records
        .iter()
        .filter(|r| last_text_paragraph(r).is_some())
        .collect();
    if with_text.is_empty() {
        bail!("no record of the project has a paragraph of text to edit");
    }
    Ok((0..n)
        .map(|i| with_text[(2 * i + 1) * with_text.len() / (2 * n.max(1))])
        .collect())
}

/// Whether Markdown reads `paragraph` (a record's body block) as one paragraph of text.
fn is_text(paragraph: &str) -> bool {
    matches!(
        markdown::blocks(paragraph, markdown::Kind::Record).as_deref(),
        Ok([markdown::Block::Par { .. }])
    )
}

/// The index of a record's last body block that is a paragraph of text.
fn last_text_paragraph(record: &Record) -> Option<usize> {
    record.paragraphs.iter().rposition(|p| is_text(p))
}

/// A sentence in the book's language (Chinese for a CJK book, else English), the
/// `n`th edit's.
fn edit_sentence(lang: &Lang, n: usize) -> String {
    match lang.is_cjk() {
        true => format!("这是第{n}次修改时加入的一句话，用来测量增量排版的速度。"),
        false => format!(
            " This sentence was added by edit {n} to measure the speed of incremental typesetting."
        ),
    }
}

/// Where a build with `builder` spends its time, step by step (`what`: which build).
fn breakdown(what: &str, builder: &mut Builder, paths: &Paths) -> Result<()> {
    let t = Instant::now();
    let content = confbook::check::load_checked(&paths.content)?;
    let load = ms(t);
    let t = Instant::now();
    let print = builder.print(&content)?;
    let compiled = builder.typeset(&content, print)?;
    let (doc, passes) = (compiled.doc, compiled.passes);
    let typeset = ms(t);
    let typeset_mib = memory();
    let t = Instant::now();
    let pdf = confbook::typeset::render::pdf(&doc)?;
    let export = ms(t);
    let export_mib = memory();
    let t = Instant::now();
    let pdf = confbook::output::build::add_bleed_boxes(pdf, print)?;
    let bleed_box = ms(t);
    let t = Instant::now();
    confbook::pdf::preflight::preflight(&pdf, &confbook::output::build::preflight_options(print))?;
    let preflight = ms(t);
    let t = Instant::now();
    let manifest = confbook::output::manifest::of_document(&doc, &content);
    let hashes = ms(t);
    let t = Instant::now();
    let tmp: PathBuf = paths.out.join("bench-breakdown.pdf");
    confbook::files::write_atomic(&tmp, &pdf)?;
    let write = ms(t);
    fs::remove_file(&tmp)?;
    println!(
        "  of {what}: load+check {load:.0} ms, typeset {typeset:.0} ms ({passes} layout passes), PDF export {export:.0} ms, \
         BleedBox {bleed_box:.0} ms, preflight (not in rebuilds) {preflight:.0} ms, manifest+hashes (beside the export) {hashes:.0} ms, PDF write {write:.0} ms ({} pages)",
        manifest.pages
    );
    println!(
        "  memory of {what} (resident, peak so far): after typesetting {typeset_mib}, after the PDF export {export_mib}"
    );
    Ok(())
}

/// The process's resident and peak resident memory, as "R MiB (peak P MiB)".
fn memory() -> String {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map_or("?".to_string(), |kib| (kib / 1024).to_string())
    };
    format!("{} MiB (peak {} MiB)", kib("VmRSS:"), kib("VmHWM:"))
}

/// The middle value (the mean of the two middle ones for an even count): one edit
/// that meets a busy moment of the machine does not move it.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
