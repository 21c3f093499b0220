//! The author index (作者索引): names grouped A–Z and sorted by surname pinyin;
//! Latin names by surname, diacritics folded. The rules and the table of surname
//! readings: layouts/typography.md, §10.

use std::collections::{BTreeMap, HashMap};

use pinyin::ToPinyin;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::model::{Lang, Record, is_han};

/// One letter heading of the index with its names in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexGroup {
    /// "A"…"Z", or "#" for names whose surname has no known reading.
    pub letter: String,
    pub entries: Vec<IndexEntry>,
}

/// One person: the name as printed and the ids of their records, in book order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexEntry {
    pub name: String,
    pub ids: Vec<String>,
    /// The ids among `ids` that they present, where the record tells presenters from
    /// the other authors: the book sets those pages in bold.
    pub presents: Vec<String>,
    /// The sessions they chair (ids), in programme order.
    pub chairs: Vec<String>,
}

/// Surname readings that differ from a character's common reading, which is what the
/// `pinyin` crate gives. Two-character surnames are listed first and matched first.
/// Beyond the table of layouts/typography.md §10: 诸葛/葛 gě, 卜 bǔ (crate: neutral "bo"), 都 dū, 那 nā,
/// 相 xiàng, 能 nài, 祭 zhài, 长 cháng, 占 zhān, 佴 nài, 便 pián, 炅 guì, 粘 nián.
const SURNAMES: &[(&str, &str)] = &[
    ("万俟", "mo4 qi2"),
    ("长孙", "zhang3 sun1"),
    ("尉迟", "yu4 chi2"),
    ("澹台", "tan2 tai2"),
    ("令狐", "ling2 hu2"),
    ("单于", "chan2 yu2"),
    ("欧阳", "ou1 yang2"),
    ("司马", "si1 ma3"),
    ("上官", "shang4 guan1"),
    ("诸葛", "zhu1 ge3"),
    ("东方", "dong1 fang1"),
    ("皇甫", "huang2 fu3"),
    ("夏侯", "xia4 hou2"),
    ("公孙", "gong1 sun1"),
    ("慕容", "mu4 rong2"),
    ("司徒", "si1 tu2"),
    ("司空", "si1 kong1"),
    ("端木", "duan1 mu4"),
    ("呼延", "hu1 yan2"),
    ("宇文", "yu3 wen2"),
    ("轩辕", "xuan1 yuan2"),
    ("南宫", "nan2 gong1"),
    ("独孤", "du2 gu1"),
    ("钟离", "zhong1 li2"),
    ("申屠", "shen1 tu2"),
    ("闻人", "wen2 ren2"),
    ("淳于", "chun2 yu2"),
    ("濮阳", "pu2 yang2"),
    ("拓跋", "tuo4 ba2"),
    ("单", "shan4"),
    ("曾", "zeng1"),
    ("解", "xie4"),
    ("仇", "qiu2"),
    ("区", "ou1"),
    ("朴", "piao2"),
    ("查", "zha1"),
    ("盖", "ge3"),
    ("乐", "yue4"),
    ("缪", "miao4"),
    ("翟", "zhai2"),
    ("尉", "wei4"),
    ("覃", "qin2"),
    ("纪", "ji3"),
    ("召", "shao4"),
    ("任", "ren2"),
    ("华", "hua4"),
    ("燕", "yan1"),
    ("宁", "ning4"),
    ("过", "guo1"),
    ("句", "gou1"),
    ("阚", "kan4"),
    ("秘", "bi4"),
    ("繁", "po2"),
    ("员", "yun4"),
    ("种", "chong2"),
    ("重", "chong2"),
    ("折", "she2"),
    ("洗", "xian3"),
    ("乜", "nie4"),
    ("薄", "bo2"),
    ("葛", "ge3"),
    ("卜", "bu3"),
    ("都", "du1"),
    ("那", "na1"),
    ("相", "xiang4"),
    ("能", "nai4"),
    ("祭", "zhai4"),
    ("长", "chang2"),
    ("占", "zhan1"),
    ("佴", "nai4"),
    ("便", "pian2"),
    ("炅", "gui4"),
    ("粘", "nian2"),
];

/// Tone-marked vowels, so readings may be written "zhái" as well as "zhai2".
const TONE_MARKS: &[(char, char, u8)] = &[
    ('ā', 'a', 1),
    ('á', 'a', 2),
    ('ǎ', 'a', 3),
    ('à', 'a', 4),
    ('ē', 'e', 1),
    ('é', 'e', 2),
    ('ě', 'e', 3),
    ('è', 'e', 4),
    ('ī', 'i', 1),
    ('í', 'i', 2),
    ('ǐ', 'i', 3),
    ('ì', 'i', 4),
    ('ō', 'o', 1),
    ('ó', 'o', 2),
    ('ǒ', 'o', 3),
    ('ò', 'o', 4),
    ('ū', 'u', 1),
    ('ú', 'u', 2),
    ('ǔ', 'u', 3),
    ('ù', 'u', 4),
    ('ǖ', 'ü', 1),
    ('ǘ', 'ü', 2),
    ('ǚ', 'ü', 3),
    ('ǜ', 'ü', 4),
];

/// The neutral tone sorts after the four tones, as in dictionaries.
const NEUTRAL: u8 = 5;

/// One syllable (or Latin word) without its tone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Syllable {
    /// 0 for a known reading; 1 for a character with none, so it sorts after known ones.
    unknown: u8,
    /// ü folded to u: the primary comparison (lu = lü < luan < lüe).
    folded: String,
    /// ü written as 'v', which sorts after 'u': breaks ties so that lu < lü.
    marked: String,
}

impl Syllable {
    fn known(letters: &str) -> Self {
        Syllable {
            unknown: 0,
            folded: letters.replace('ü', "u"),
            marked: letters.replace('ü', "v"),
        }
    }

    fn unknown(c: char) -> Self {
        Syllable {
            unknown: 1,
            folded: c.to_string(),
            marked: c.to_string(),
        }
    }
}

/// How a name sorts; field order is the comparison order of layouts/typography.md §10.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    /// 0–25 for A–Z, 26 for "#": puts the groups in order and "#" last.
    group: u8,
    surname: Vec<Syllable>,
    surname_tones: Vec<u8>,
    surname_text: String,
    given: Vec<Syllable>,
    given_tones: Vec<u8>,
    raw: String,
}

impl SortKey {
    /// The index heading this name goes under: "A"…"Z" or "#".
    pub fn letter(&self) -> String {
        match self.group {
            g @ 0..26 => char::from(b'A' + g).to_string(),
            _ => "#".to_string(),
        }
    }
}

/// The sort key of a name; `readings` (full name → "zhai2 zhi4 min3") wins over the tables.
pub fn sort_key(name: &str, readings: &BTreeMap<String, String>) -> SortKey {
    let name = name.trim();
    let (surname_text, surname_len, readings_of) = if name.chars().any(is_han) {
        han_parts(name)
    } else {
        latin_parts(name)
    };
    let parsed: Vec<(Syllable, Option<u8>)> = match readings.get(name) {
        Some(r) => r.split_whitespace().map(parse_syllable).collect(),
        None => readings_of,
    };
    let (sur, giv) = parsed.split_at(surname_len.min(parsed.len()));
    let (surname, surname_tones) = unzip(sur);
    let (given, given_tones) = unzip(giv);
    SortKey {
        group: group_of(surname.first()),
        surname,
        surname_tones,
        surname_text,
        given,
        given_tones,
        raw: name.to_string(),
    }
}

/// A name's syllables and tones (None for Latin words) split into two vectors.
fn unzip(parts: &[(Syllable, Option<u8>)]) -> (Vec<Syllable>, Vec<u8>) {
    let syllables = parts.iter().map(|(s, _)| s.clone()).collect();
    let tones = parts.iter().filter_map(|(_, t)| *t).collect();
    (syllables, tones)
}

fn group_of(first: Option<&Syllable>) -> u8 {
    match first
        .filter(|s| s.unknown == 0)
        .and_then(|s| s.folded.chars().next())
    {
        Some(c @ 'a'..='z') => c as u8 - b'a',
        _ => 26,
    }
}

/// Surname text, its syllable count, and the reading of a Han name, surname first.
/// Spaces and separators such as "·" are not part of the reading.
fn han_parts(name: &str) -> (String, usize, Vec<(Syllable, Option<u8>)>) {
    let chars: Vec<char> = name.chars().filter(|c| c.is_alphanumeric()).collect();
    // A compound needs a given name after it; "欧阳" alone is more likely 欧 + 阳.
    let compound = chars.len() > 2 && surname_reading(&chars[..2]).is_some();
    let len = if compound { 2 } else { chars.len().min(1) };
    let mut parts: Vec<_> = match surname_reading(&chars[..len]) {
        Some(r) => r.split_whitespace().map(parse_syllable).collect(),
        None => chars[..len].iter().map(|&c| char_syllable(c)).collect(),
    };
    parts.extend(chars[len..].iter().map(|&c| char_syllable(c)));
    (chars[..len].iter().collect(), len, parts)
}

/// Latin names are indexed by their last word, or by what precedes a comma ("Smith, John").
fn latin_parts(name: &str) -> (String, usize, Vec<(Syllable, Option<u8>)>) {
    let (surname, given) = match name.split_once(',') {
        Some((s, g)) => (s.trim(), g.trim()),
        None => match name.rsplit_once(char::is_whitespace) {
            Some((g, s)) => (s, g.trim()),
            None => (name, ""),
        },
    };
    let word = |w: &str| (Syllable::known(&fold_latin(w)), None);
    let mut parts = vec![word(surname)];
    parts.extend(given.split_whitespace().map(word));
    (surname.to_string(), 1, parts)
}

/// "Åsa Lindqvist" → "Lindqvist, Åsa", as English indexes print names; a Han name or
/// a name that already has its comma stays as it is.
fn surname_first(name: &str) -> String {
    if name.chars().any(is_han) || name.contains(',') {
        return name.to_string();
    }
    match name.trim().rsplit_once(char::is_whitespace) {
        Some((given, surname)) => format!("{surname}, {}", given.trim()),
        None => name.to_string(),
    }
}

fn surname_reading(chars: &[char]) -> Option<&'static str> {
    let key: String = chars.iter().collect();
    SURNAMES.iter().find(|(s, _)| *s == key).map(|(_, r)| *r)
}

/// A character's common reading from the crate; rare characters have none and keep
/// themselves so that they still sort (after all known syllables).
fn char_syllable(c: char) -> (Syllable, Option<u8>) {
    match c.to_pinyin() {
        Some(p) => parse_syllable(p.with_tone_num_end()),
        None if c.is_ascii_alphanumeric() => {
            (Syllable::known(&c.to_ascii_lowercase().to_string()), None)
        }
        None => (Syllable::unknown(c), Some(0)),
    }
}

/// Parses "lü3", "lv3", "lu:3", "lǚ" or "bo" (neutral) into letters and tone.
fn parse_syllable(text: &str) -> (Syllable, Option<u8>) {
    let mut letters = String::new();
    let mut tone = NEUTRAL;
    for c in text.to_lowercase().replace("u:", "ü").chars() {
        match (c, TONE_MARKS.iter().find(|m| m.0 == c)) {
            (_, Some(&(_, base, t))) => {
                letters.push(base);
                tone = t;
            }
            ('1'..='4', _) => tone = c as u8 - b'0',
            ('0' | '5', _) => tone = NEUTRAL,
            ('v', _) => letters.push('ü'),
            _ => letters.push(c),
        }
    }
    (Syllable::known(&letters), Some(tone))
}

/// Lower-cases a Latin word and folds its letters to their base letters (é → e,
/// ø → o, ß → ss), keeping ü, which the syllable order puts right after u.
fn fold_latin(word: &str) -> String {
    let mut out = String::new();
    for c in word.to_lowercase().nfd() {
        match c {
            'ø' => out.push('o'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ß' => out.push_str("ss"),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            // u + diaeresis, recomposed.
            '\u{308}' if out.ends_with('u') => {
                out.pop();
                out.push('ü');
            }
            c if is_combining_mark(c) => {}
            c if c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// The author index: every distinct author with their record ids, grouped A–Z (then
/// "#") and sorted by [`sort_key`]. Empty letters are omitted. `chairs`: (name,
/// session id) for every chair of a session the programme prints.
pub fn build(
    records: &[Record],
    chairs: &[(String, String)],
    readings: &BTreeMap<String, String>,
    lang: Lang,
) -> Vec<IndexGroup> {
    let mut groups: Vec<IndexGroup> = Vec::new();
    for (key, mut entry) in sorted_entries(records, chairs, readings) {
        if !lang.is_cjk() {
            entry.name = surname_first(&entry.name);
        }
        let letter = key.letter();
        match groups.last_mut() {
            Some(g) if g.letter == letter => g.entries.push(entry),
            _ => groups.push(IndexGroup {
                letter,
                entries: vec![entry],
            }),
        }
    }
    groups
}

/// Distinct authors in first-seen order with their ids, then sorted by key.
fn sorted_entries(
    records: &[Record],
    chairs: &[(String, String)],
    readings: &BTreeMap<String, String>,
) -> Vec<(SortKey, IndexEntry)> {
    let mut people = People::default();
    for record in records {
        let marks = record.marks_presenters();
        for author in &record.authors {
            let Some(entry) = people.entry(&author.name) else {
                continue;
            };
            if !entry.ids.contains(&record.id) {
                entry.ids.push(record.id.clone());
            }
            if marks && author.presenting && !entry.presents.contains(&record.id) {
                entry.presents.push(record.id.clone());
            }
        }
    }
    for (name, session) in chairs {
        if let Some(entry) = people.entry(name)
            && !entry.chairs.contains(session)
        {
            entry.chairs.push(session.clone());
        }
    }
    let mut keyed: Vec<_> = people
        .entries
        .into_iter()
        .map(|e| (sort_key(&e.name, readings), e))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed
}

/// The index's people in first-seen order, one entry per name.
#[derive(Default)]
struct People {
    entries: Vec<IndexEntry>,
    seen: HashMap<String, usize>,
}

impl People {
    /// The entry of `name` (trimmed), made on first sight; `None` for a blank name.
    fn entry(&mut self, name: &str) -> Option<&mut IndexEntry> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let entries = &mut self.entries;
        let i = *self.seen.entry(name.to_string()).or_insert_with(|| {
            entries.push(IndexEntry {
                name: name.to_string(),
                ids: Vec::new(),
                presents: Vec::new(),
                chairs: Vec::new(),
            });
            entries.len() - 1
        });
        Some(&mut self.entries[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Author;

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    fn key(name: &str) -> SortKey {
        sort_key(name, &none())
    }

    fn record(id: &str, speakers: &[&str]) -> Record {
        Record {
            authors: Author::speakers(speakers.iter().map(|s| s.to_string()), 0),
            ..Record::new(id, "special", "题目")
        }
    }

    /// Names of the built index, flattened, with their letters.
    fn flat(groups: &[IndexGroup]) -> Vec<(String, String)> {
        let pairs = groups.iter().flat_map(|g| {
            g.entries
                .iter()
                .map(move |e| (g.letter.clone(), e.name.clone()))
        });
        pairs.collect()
    }

    fn order(names: &[&str]) -> Vec<String> {
        let recs: Vec<Record> = names
            .iter()
            .enumerate()
            .map(|(i, n)| record(&format!("S-{i:03}"), &[n]))
            .collect();
        flat(&build(&recs, &[], &none(), Lang::default()))
            .into_iter()
            .map(|(_, n)| n)
            .collect()
    }

    #[test]
    fn surname_overrides_win_over_common_readings() {
        let letter = |n: &str| key(n).letter();
        assert!(key("曾伟") < key("张伟"), "曾 is zēng, and zeng < zhang");
        assert_eq!(letter("曾伟"), "Z");
        assert_eq!(letter("单伟"), "S");
        assert_eq!(letter("解伟"), "X");
        assert_eq!(letter("仇伟"), "Q");
        assert_eq!(letter("朴伟"), "P");
        assert_eq!(letter("翟伟"), "Z");
        assert_eq!(letter("覃伟"), "Q");
        assert!(
            key("秦伟") < key("仇伟") && key("邱伟") < key("仇伟"),
            "qin < qiu1 < qiu2"
        );
        assert!(key("单伟") < key("沈伟"), "shan < shen");
    }

    #[test]
    fn u_umlaut_sorts_right_after_u() {
        // 卢 lú, 鲁 lǔ, 陆 lù, 吕 lǚ, 栾 luán, 略 lüè: lu < lü < luan < lüe, tone after letters.
        assert_eq!(
            order(&["略明", "栾明", "吕明", "陆明", "卢明", "鲁明"]),
            ["卢明", "鲁明", "陆明", "吕明", "栾明", "略明"]
        );
    }

    #[test]
    fn one_surname_stays_together() {
        // 于 and 余 are both yú: each surname's people stay together, not interleaved by
        // given name.
        let got = order(&["余安", "于博", "余成", "于安"]);
        assert_eq!(got, ["于安", "于博", "余安", "余成"]);
    }

    #[test]
    fn given_names_then_tones_then_raw() {
        assert_eq!(
            order(&["王伟", "王卫", "王威", "王维", "王安"]),
            ["王安", "王威", "王维", "王伟", "王卫"]
        );
    }

    #[test]
    fn groups_by_letter_in_order_without_empty_letters() {
        let recs = vec![
            record("PL-01", &["张三", "安宁"]),
            record("S-001", &["欧阳修", "陈明"]),
        ];
        let groups = build(&recs, &[], &none(), Lang::default());
        let letters: Vec<&str> = groups.iter().map(|g| g.letter.as_str()).collect();
        assert_eq!(letters, ["A", "C", "O", "Z"]);
        assert_eq!(groups[2].entries[0].name, "欧阳修");
    }

    #[test]
    fn compound_surname_is_matched_first() {
        let k = key("欧阳修");
        assert_eq!(k.letter(), "O");
        assert_eq!(k.surname_text, "欧阳");
        assert_eq!(key("万俟卨").letter(), "M");
        assert_eq!(key("尉迟恭").letter(), "Y");
        assert_eq!(key("单于飞").surname_text, "单于");
        // Without a given name the two characters are surname + given name.
        assert_eq!(key("欧阳").surname_text, "欧");
    }

    #[test]
    fn per_person_reading_wins() {
        let mut readings = none();
        readings.insert("翟志敏".to_string(), "di2 zhi4 min3".to_string());
        assert_eq!(key("翟志敏").letter(), "Z");
        assert_eq!(sort_key("翟志敏", &readings).letter(), "D");
        readings.insert("吕方".to_string(), "lv3 fang1".to_string());
        assert_eq!(sort_key("吕方", &readings), key("吕方"));
        readings.insert("乐嘉".to_string(), "lè jiā".to_string());
        assert_eq!(sort_key("乐嘉", &readings).letter(), "L");
    }

    #[test]
    fn latin_names_sort_by_surname_with_diacritics_folded() {
        let got = order(&[
            "Łukasz Wróbel",
            "Ivana Šimić",
            "Ólafur Sigurðsson",
            "Åsa Lindqvist",
            "Øystein Haugland",
            "Zoë Hartley",
            "Katrin Müller",
            "Jon Muller",
        ]);
        assert_eq!(
            got,
            [
                "Zoë Hartley",
                "Øystein Haugland",
                "Åsa Lindqvist",
                "Jon Muller",
                "Katrin Müller",
                "Ólafur Sigurðsson",
                "Ivana Šimić",
                "Łukasz Wróbel",
            ]
        );
        assert_eq!(key("Øystein Haugland").letter(), "H");
        assert_eq!(key("Ólafur Ásgeirsson").letter(), "A");
        assert_eq!(fold_latin("Sigurðsson"), "sigurdsson");
        assert_eq!(surname_first("Åsa Lindqvist"), "Lindqvist, Åsa");
        assert_eq!(surname_first("Smith, Adam"), "Smith, Adam");
        assert_eq!(surname_first("李华"), "李华");
    }

    #[test]
    fn latin_names_join_by_surname() {
        let got = order(&[
            "John Smith",
            "史明",
            "苏明",
            "Anna Müller",
            "马明",
            "Smith, Adam",
        ]);
        assert_eq!(
            got,
            [
                "马明",
                "Anna Müller",
                "史明",
                "Smith, Adam",
                "John Smith",
                "苏明"
            ]
        );
        assert_eq!(key("Émile Zola").letter(), "Z");
    }

    #[test]
    fn duplicate_speaker_keeps_ids_in_order() {
        let recs = vec![
            record("PL-01", &["李华"]),
            record("S-002", &["王五", "李华", "李华"]),
            record("C-3", &["李华"]),
        ];
        let groups = build(&recs, &[], &none(), Lang::default());
        let li = &groups.iter().find(|g| g.letter == "L").unwrap().entries[0];
        assert_eq!(li.ids, ["PL-01", "S-002", "C-3"]);
        assert_eq!(groups.iter().map(|g| g.entries.len()).sum::<usize>(), 2);
    }

    #[test]
    fn rare_characters_do_not_panic() {
        // U+20BB7 𠮷 has no reading in the crate: its own group "#", placed last.
        let groups = build(
            &[record("S-001", &["𠮷明", "王明", "王𠮷", "王安"])],
            &[],
            &none(),
            Lang::default(),
        );
        assert_eq!(groups.last().unwrap().letter, "#");
        let w: Vec<_> = groups[0].entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            w,
            ["王安", "王明", "王𠮷"],
            "an unknown given name sorts after known ones"
        );
        let _ = key("");
        let _ = key("  ·  ");
    }

    #[test]
    fn spec_table_is_complete() {
        // The table of layouts/typography.md §10, as printed there (tone marks).
        let spec = "单 shàn,曾 zēng,解 xiè,仇 qiú,区 ōu,朴 piáo,查 zhā,盖 gě,乐 yuè,缪 miào,\
            翟 zhái,尉 wèi,覃 qín,纪 jǐ,召 shào,任 rén,华 huà,燕 yān,宁 nìng,过 guō,句 gōu,\
            阚 kàn,秘 bì,繁 pó,员 yùn,种 chóng,重 chóng,折 shé,洗 xiǎn,乜 niè,薄 bó,\
            万俟 mò qí,长孙 zhǎng sūn,尉迟 yù chí,澹台 tán tái,令狐 líng hú,单于 chán yú";
        for item in spec.split(',') {
            let (surname, reading) = item.trim().split_once(' ').unwrap();
            let mut readings = none();
            let name = format!("{surname}明");
            readings.insert(name.clone(), format!("{reading} ming2"));
            assert_eq!(key(&name), sort_key(&name, &readings), "{surname}");
        }
    }

    #[test]
    fn common_surnames_come_out_right_from_the_crate() {
        assert_eq!(key("沈明").surname, vec![Syllable::known("shen")]);
        assert_eq!(key("石明").surname, vec![Syllable::known("shi")]);
        assert_eq!(key("卜明").surname_tones, vec![3]);
    }
}
