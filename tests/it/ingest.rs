//! Ingest on the real raw abstract book: every cleaning rule on a real record,
//! idempotence, edit protection and the dump round trip.

use std::path::Path;

use crate::common::repo;
use confbook::content;
use confbook::ingest::{self, Ingested};
use confbook::model::Record;

fn raw() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("content/source/raw.txt"))
        .unwrap()
}

fn ingested() -> Ingested {
    ingest::ingest(&raw()).unwrap()
}

fn record<'a>(all: &'a Ingested, id: &str) -> &'a Record {
    all.records
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

fn body(r: &Record) -> String {
    r.paragraphs.join("\n")
}

#[test]
fn all_166_records_in_book_order() {
    let all = ingested();
    let ids: Vec<&str> = all.records.iter().map(|r| r.id.as_str()).collect();
    let mut expected: Vec<String> = (1..=20).map(|n| format!("PL-{n:02}")).collect();
    expected.extend((1..=138).map(|n| format!("S-{n:03}")));
    expected.extend((1..=8).map(|n| format!("C-{n}")));
    assert_eq!(ids, expected);
    // Sections come from the ids' prefixes; a letter-spaced heading before a
    // section's first record is its title.
    assert_eq!(record(&all, "PL-20").section, "pl");
    assert_eq!(record(&all, "S-001").section, "s");
    assert_eq!(record(&all, "C-8").section, "c");
    let titles: Vec<(&str, &str)> = all
        .facts
        .sections
        .iter()
        .map(|s| (s.key.as_str(), s.title.as_str()))
        .collect();
    assert_eq!(titles, [("pl", "PL"), ("s", "专题报告"), ("c", "病例讨论")]);
}

#[test]
fn book_facts_come_from_the_footer() {
    let all = ingested();
    assert_eq!(
        all.facts.conference.as_deref(),
        Some("中华医学会第十二次全国骨质疏松和骨矿盐疾病学术会议")
    );
    assert_eq!(all.facts.title.as_deref(), Some("论文汇编"));
}

#[test]
fn wrapped_lines_are_rejoined() {
    let all = ingested();
    // Han + Han: no space ("漏诊" / "漏治率高").
    assert!(body(record(&all, "PL-03")).contains("其发病率高，漏诊漏治率高。"));
    // Latin + Latin: one space (S-039 is English).
    assert!(body(record(&all, "S-039")).contains("bone mineral density (BMD) and bone mass"));
    // A hyphenated compound split at the hyphen keeps it, without a space.
    assert!(body(record(&all, "S-002")).contains("FFAT-like"));
    // Multi-line titles joined, Latin with a space.
    assert_eq!(
        record(&all, "PL-06").title,
        "Skeletal Interoception in Bone homeostasis and Disorders"
    );
    assert_eq!(
        record(&all, "S-001").title,
        "“天蓬工程”-模式动物（猪）表型与遗传国家重大科技基础研究设施介绍"
    );
}

#[test]
fn paragraphs_follow_the_source() {
    let all = ingested();
    let s001 = record(&all, "S-001");
    assert_eq!(s001.paragraphs.len(), 4, "{:#?}", s001.paragraphs);
    assert!(s001.paragraphs[1].starts_with("由中国农业大学领衔建设的"));
    // Structured abstract: one paragraph per label, written "目的：".
    let s023 = record(&all, "S-023");
    let labels: Vec<&str> = s023
        .paragraphs
        .iter()
        .filter_map(|p| p.split_once('：').map(|(l, _)| l))
        .filter(|l| ["目的", "方法", "结果", "结论"].contains(l))
        .collect();
    assert_eq!(labels, ["目的", "方法", "结果", "结论"]);
    // A label alone on its line joins the text after it.
    assert!(record(&all, "S-089").paragraphs[0].starts_with("目的：研究乳腺癌"));
}

#[test]
fn page_debris_never_leaks() {
    let all = ingested();
    for r in &all.records {
        let text = format!(
            "{} {} {:?} {}",
            r.title,
            r.presenters().join(" "),
            r.affiliations,
            body(r)
        );
        assert!(!text.contains("论文汇编"), "{}: footer leaked", r.id);
        assert!(
            !text.contains("专 题 报 告") && !text.contains("病 例 讨 论"),
            "{}: heading leaked",
            r.id
        );
        assert!(
            r.paragraphs
                .iter()
                .all(|p| p != "48" && !p.starts_with(' ')),
            "{}: page number or indent leaked",
            r.id
        );
    }
    // C-6 is followed by the footer and page 48 in the source.
    assert!(record(&all, "C-6").paragraphs.is_empty());
    // The page-break space before "会的影响力" is gone and the line joins its paragraph.
    assert!(body(record(&all, "PL-05")).contains("彰显了中国专家和学会的影响力"));
}

#[test]
fn titles() {
    let all = ingested();
    let s126 = record(&all, "S-126");
    assert_eq!(s126.title, "西湖（中国）样本库建设与骨质疏松相关临床研究");
    assert_eq!(
        s126.title_en.as_deref(),
        Some(
            "The Westlake biobank for Chinese (WBBC) pilot project and the translational study for osteoporosis"
        )
    );
    let s041 = record(&all, "S-041");
    assert_eq!(
        s041.title,
        "药物之外，决策之中：骨质疏松性椎体压缩性骨折保守治疗中的非药物干预"
    );
    assert_eq!(record(&all, "PL-06").title_en, None);
}

#[test]
fn speakers_and_affiliations() {
    let all = ingested();
    assert_eq!(
        record(&all, "S-023").presenters(),
        ["张伟滨", "姜艳", "王鸥", "李梅", "邢小平", "夏维波"]
    );
    assert_eq!(
        record(&all, "S-024").presenters(),
        ["杨庆诚", "贾璞", "包利", "冯飞", "唐海"]
    );
    assert_eq!(
        record(&all, "S-015").affiliations,
        ["中国医学科学院北京协和医院"]
    );
    assert_eq!(
        record(&all, "S-104").affiliations,
        ["中国人民解放军陆军特色医学中心"]
    );
    assert_eq!(
        record(&all, "S-107").affiliations,
        ["华中科技大学同济医学院附属协和医院"]
    );
    assert_eq!(
        record(&all, "S-109").affiliations,
        ["上海交通大学附属第六人民医院", "上海市第六人民医院"]
    );
    // The body after a broken affiliation is still body.
    assert!(record(&all, "S-015").paragraphs[0].starts_with("免疫细胞"));
    for r in &all.records {
        assert!(
            !r.authors.is_empty() && !r.affiliations.is_empty(),
            "{}",
            r.id
        );
    }
}

#[test]
fn keywords_are_not_body_text() {
    let all = ingested();
    let c2 = record(&all, "C-2");
    assert_eq!(
        c2.keywords.as_deref().unwrap(),
        [
            "股骨非典型骨折",
            "双膦酸盐类",
            "严重骨质疏松",
            "髋内翻",
            "股骨外侧弓"
        ]
    );
    assert!(!body(c2).contains("关键字"));
    for r in &all.records {
        assert!(
            !body(r).contains("关键词：") && !body(r).contains("关键字："),
            "{}",
            r.id
        );
    }
    assert_eq!(
        all.records.iter().filter(|r| r.keywords.is_some()).count(),
        3
    );
}

#[test]
fn han_latin_spaces_are_removed() {
    let all = ingested();
    assert_eq!(record(&all, "PL-15").title, "维生素D对骨骼和肌肉的直接作用");
    assert!(body(record(&all, "PL-03")).contains("自从1987年椎体成形术和2001年椎体后凸成形术"));
    for r in &all.records {
        let chars: Vec<char> = body(r).chars().collect();
        for w in chars.windows(3) {
            let han = |c: char| confbook::model::is_han(c);
            let latin = |c: char| c.is_ascii_alphanumeric();
            assert!(
                !(w[1] == ' ' && ((han(w[0]) && latin(w[2])) || (latin(w[0]) && han(w[2])))),
                "{}: {:?}",
                r.id,
                w
            );
        }
    }
}

#[test]
fn chemistry_is_restored() {
    let all = ingested();
    let s132 = body(record(&all, "S-100"));
    assert!(s132.contains("1,25(OH)~2~D~3~"), "{s132}");
    assert!(!all.records.iter().any(|r| body(r).contains("(OH)2D3")));
    assert!(body(record(&all, "S-023")).contains("25(OH)D~3~"));
    // Not chemistry: HER2+ stays as written.
    assert!(all.records.iter().any(|r| body(r).contains("HER2+")));
}

#[test]
fn ingest_is_idempotent_and_keeps_edits() {
    let dir = tempfile::tempdir().unwrap();
    let all = ingested();
    let files = content::ingest_files(&all.records, &all.facts.sections, &all.facts);
    let first = content::write_files(dir.path(), &files, false).unwrap();
    assert_eq!(first.new.len(), 166 + 2);
    assert!(first.written.is_empty(), "nothing existed");
    let snapshot = |p: &Path| std::fs::read(p).unwrap();
    let s041 = dir.path().join("abstracts/S-041.md");
    let before = snapshot(&s041);

    // Unchanged input: nothing written.
    let again = content::write_files(
        dir.path(),
        &content::ingest_files(&ingested().records, &all.facts.sections, &all.facts),
        false,
    )
    .unwrap();
    assert!(again.new.is_empty() && again.written.is_empty() && again.kept.is_empty());
    assert_eq!(snapshot(&s041), before);

    // A hand edit survives re-ingest and is reported; --force overwrites it.
    let edited = String::from_utf8(before.clone())
        .unwrap()
        .replace("薛鹏", "薛 鹏");
    std::fs::write(&s041, &edited).unwrap();
    let kept = content::write_files(dir.path(), &files, false).unwrap();
    assert_eq!(kept.kept, ["abstracts/S-041.md"]);
    assert_eq!(std::fs::read_to_string(&s041).unwrap(), edited);
    // Still protected on the next run.
    assert_eq!(
        content::write_files(dir.path(), &files, false)
            .unwrap()
            .kept,
        ["abstracts/S-041.md"]
    );
    let forced = content::write_files(dir.path(), &files, true).unwrap();
    assert_eq!(forced.written, ["abstracts/S-041.md"]);
    assert_eq!(snapshot(&s041), before);
}

#[test]
fn content_round_trips_through_files_and_dump() {
    let dir = tempfile::tempdir().unwrap();
    let all = ingested();
    content::write_files(
        dir.path(),
        &content::ingest_files(&all.records, &all.facts.sections, &all.facts),
        false,
    )
    .unwrap();
    let loaded = content::load(dir.path()).unwrap();
    assert_eq!(loaded.records, all.records);
    let json = confbook::content::dump::to_json(&loaded.records).unwrap();
    assert_eq!(
        confbook::content::dump::from_json(&json).unwrap(),
        all.records
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let s100 = value
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "S-100")
        .unwrap();
    assert!(
        s100["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().contains("1,25(OH)₂D₃"))
    );
    assert_eq!(s100["section"], "s");
    assert!(s100["title_en"].is_null());
}

#[test]
fn suspected_mismatches_are_warned() {
    let all = ingested();
    let corpus = confbook::check::Corpus::new(&all.records);
    let flagged: Vec<&str> = all
        .records
        .iter()
        .filter(|r| {
            let lint = confbook::check::record_lint(r, &corpus);
            lint.iter().any(|w| w.field == "title")
        })
        .map(|r| r.id.as_str())
        .collect();
    // Bodies of the source book that sit under the wrong title.
    for id in ["S-017", "S-023", "S-024", "S-071"] {
        assert!(flagged.contains(&id), "{id} not flagged: {flagged:?}");
    }
    assert!(!flagged.contains(&"PL-03"), "{flagged:?}");
}

#[test]
fn dashes_ranges_and_statistics_follow_gb_15834() {
    let all = ingested();
    assert!(body(record(&all, "S-024")).contains("2015—2019年"));
    assert_eq!(record(&all, "S-072").title, "钙化悖论——血管钙化和骨质疏松");
    assert_eq!(
        record(&all, "S-086").title,
        "儿童3～17岁儿童骨密度和肌肉质量参照标准"
    );
    assert!(body(record(&all, "S-060")).contains("40～49岁"));
    assert!(
        all.records.iter().all(|r| !body(r).contains('＜')),
        "full-width < left"
    );
    // "Tb." at a line end is an abbreviation, not the end of a paragraph.
    assert!(body(record(&all, "S-023")).contains("Tb. BV/TV均最高"));
}

#[test]
fn sections_booklet_toml_lists_keep_their_keys_and_titles() {
    let mut all = ingested();
    let listed = content::read_booklet(&repo().join("content"))
        .unwrap()
        .unwrap()
        .sections;
    let sections = content::adopt_sections(&mut all.records, &all.facts.sections, &listed);
    assert_eq!(sections, listed, "every prefix found is listed already");
    assert_eq!(record(&all, "PL-01").section, "plenary");
    assert_eq!(record(&all, "S-138").section, "special");
    assert_eq!(record(&all, "C-1").section, "case");
    // A prefix booklet.toml does not list is added as ingest found it.
    let mut more = ingested();
    let sections = content::adopt_sections(&mut more.records, &more.facts.sections, &listed[..1]);
    let keys: Vec<&str> = sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["plenary", "s", "c"]);
    assert_eq!(record(&more, "PL-01").section, "plenary");
    assert_eq!(record(&more, "S-001").section, "s");
}
