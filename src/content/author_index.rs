//! The author index (作者索引): every person with their records and sessions, in the
//! order of the book's language (booklet.toml `index_order`, see [`IndexOrder`]):
//! Chinese by surname pinyin, grouped A–Z, with the table of surname readings of
//! layouts/typography.md §10; traditional Chinese by strokes; Japanese by the kana
//! reading booklet.toml's `readings` give; other languages by their own collation
//! (ICU4X with CLDR's rules) and alphabet (A–Z, Swedish Å Ä Ö, Spanish Ñ, Korean
//! ㄱ ㄴ ㄷ …).

mod alphabet;
mod strokes;

use std::collections::{BTreeMap, HashMap};

use icu_locale_core::{LanguageIdentifier, Locale};
use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};

use crate::model::{Record, is_han};
use alphabet::{Alphabet, HANGUL, KANA, Writing, first_letter, writing};

/// One letter heading of the index with its names in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexGroup {
    /// "A"…"Z", "Å", "ㄱ", "か", "3畫" …, or "#" for names that have no place under
    /// one (a surname without a known reading, a script the order has no headings for).
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

/// How the index orders names and heads its groups: booklet.toml `index_order`; by
/// default [`IndexOrder::default_for`] the book's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexOrder {
    /// Han names by the pinyin of the surname, then of the given name, then by tone;
    /// Latin names by surname among them; headed A–Z.
    Pinyin,
    /// Han names by the strokes of each character in turn, the surname's first (ties:
    /// radical, then code point); headed by the first character's strokes ("3畫");
    /// then Latin names, A–Z.
    Stroke,
    /// By the kana reading booklet.toml's `readings` give (a name written in kana is
    /// its own), in Japanese collation; headed あ か さ た な は ま や ら わ by the
    /// reading's first kana; then Latin names, A–Z; names without a reading last ("#"),
    /// by code point.
    Reading,
    /// The language's collation and alphabet: A–Z (ä with a in German; Å Ä Ö after Z
    /// in Swedish; Ñ after N in Spanish); Korean by Hangul, headed by the initial
    /// consonant (ㄱ ㄴ ㄷ …, ㄲ under ㄱ), then Latin names. Han names by their pinyin.
    Alphabetical,
}

impl IndexOrder {
    /// The order of a book in `lang` (a BCP 47 tag): pinyin for Chinese, strokes for
    /// traditional Chinese (zh-Hant, or zh-TW, zh-HK, zh-MO without a script), the
    /// reading for Japanese, the alphabet of any other language.
    pub fn default_for(lang: &str) -> IndexOrder {
        let Ok(locale) = Locale::try_from_str(lang) else {
            return IndexOrder::Alphabetical;
        };
        match locale.id.language.as_str() {
            "zh" if traditional(&locale.id) => IndexOrder::Stroke,
            "zh" => IndexOrder::Pinyin,
            "ja" => IndexOrder::Reading,
            _ => IndexOrder::Alphabetical,
        }
    }
}

fn traditional(id: &LanguageIdentifier) -> bool {
    match (id.script, id.region) {
        (Some(script), _) => script.as_str() == "Hant",
        (None, Some(region)) => matches!(region.as_str(), "TW" | "HK" | "MO"),
        (None, None) => false,
    }
}

/// One syllable (or Latin word) without its tone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Syllable {
    /// 0 for a known reading; 1 for a character with none, so it sorts after known ones.
    unknown: u8,
    /// The collation key of its letters, ü as u: the primary comparison (lu = lü <
    /// luan < lüe; Muller = Müller).
    folded: Vec<u8>,
    /// Breaks ties: ü as 'v', which sorts after 'u' (lu < lü); a Latin word's marks
    /// (Muller < Müller).
    marked: Vec<u8>,
    /// The letters as written or read, lower case: a pinyin syllable's initial heads it.
    letters: String,
}

impl Syllable {
    /// A pinyin syllable ("lü").
    fn pinyin(letters: &str, alphabet: &Alphabet) -> Self {
        Syllable {
            unknown: 0,
            folded: alphabet.primary_key(&letters.replace('ü', "u")),
            marked: alphabet.key(&letters.replace('ü', "v")),
            letters: letters.to_string(),
        }
    }

    /// A word of a Latin name, in the book language's collation.
    fn word(word: &str, alphabet: &Alphabet) -> Self {
        Syllable {
            unknown: 0,
            folded: alphabet.primary_key(word),
            marked: alphabet.key(word),
            letters: word.to_lowercase(),
        }
    }

    /// A character without a reading, placed by its code point.
    fn unknown(c: char) -> Self {
        Syllable {
            unknown: 1,
            folded: c.to_string().into_bytes(),
            marked: Vec::new(),
            letters: c.to_string(),
        }
    }
}

/// How a name sorts in pinyin order; field order is the comparison order of
/// layouts/typography.md §10.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    /// 0–25 for A–Z, 26 for "#": puts the groups in order and "#" last.
    group: u8,
    surname: Vec<Syllable>,
    surname_tones: Vec<u8>,
    surname_text: String,
    given: Vec<Syllable>,
    given_tones: Vec<u8>,
    raw: String,
}

/// The group of names without a heading, after all others.
const NO_GROUP: u8 = 26;

impl SortKey {
    /// The index heading this name goes under: "A"…"Z" or "#".
    fn letter(&self) -> String {
        match self.group {
            g @ 0..NO_GROUP => char::from(b'A' + g).to_string(),
            _ => "#".to_string(),
        }
    }

    /// The name in Latin letters, surname first ("ouyang xiu"), for an alphabetical index.
    fn romanized(&self) -> String {
        let letters = |s: &[Syllable]| s.iter().map(|s| s.letters.as_str()).collect::<String>();
        format!("{} {}", letters(&self.surname), letters(&self.given))
    }
}

/// The pinyin sort key of a name; `readings` (full name → "zhai2 zhi4 min3") wins over
/// the tables. Latin words compare in `alphabet`'s collation.
fn sort_key(name: &str, readings: &BTreeMap<String, String>, alphabet: &Alphabet) -> SortKey {
    let name = name.trim();
    let (surname_text, surname_len, readings_of) = if name.chars().any(is_han) {
        han_parts(name, alphabet)
    } else {
        latin_parts(name, alphabet)
    };
    let parsed: Vec<(Syllable, Option<u8>)> = match readings.get(name) {
        Some(r) => r
            .split_whitespace()
            .map(|s| parse_syllable(s, alphabet))
            .collect(),
        None => readings_of,
    };
    let (sur, giv) = parsed.split_at(surname_len.min(parsed.len()));
    let (surname, surname_tones) = unzip(sur);
    let (given, given_tones) = unzip(giv);
    let group = match surname.first() {
        Some(s) if s.unknown == 0 && !name.chars().any(is_han) => latin_group(name, alphabet),
        first => pinyin_group(first),
    };
    SortKey {
        group,
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

/// The heading of a Han name: its first syllable's initial.
fn pinyin_group(first: Option<&Syllable>) -> u8 {
    match first
        .filter(|s| s.unknown == 0)
        .and_then(|s| s.letters.chars().next())
    {
        Some(c @ 'a'..='z') => c as u8 - b'a',
        _ => NO_GROUP,
    }
}

/// The heading of a Latin name among A–Z: its surname's first letter in the
/// language's collation (É under E, Ø under O).
fn latin_group(name: &str, alphabet: &Alphabet) -> u8 {
    let (surname, _) = latin_split(name);
    let heading = alphabet.heading(surname).map(|h| alphabet.label(h));
    match heading.map(str::as_bytes) {
        Some(&[c @ b'A'..=b'Z']) => c - b'A',
        _ => NO_GROUP,
    }
}

/// Surname text, its syllable count, and the reading of a Han name, surname first.
/// Spaces and separators such as "·" are not part of the reading.
fn han_parts(name: &str, alphabet: &Alphabet) -> (String, usize, Vec<(Syllable, Option<u8>)>) {
    let chars: Vec<char> = name.chars().filter(|c| c.is_alphanumeric()).collect();
    // A compound needs a given name after it; "欧阳" alone is more likely 欧 + 阳.
    let compound = chars.len() > 2 && surname_reading(&chars[..2]).is_some();
    let len = if compound { 2 } else { chars.len().min(1) };
    let mut parts: Vec<_> = match surname_reading(&chars[..len]) {
        Some(r) => r
            .split_whitespace()
            .map(|s| parse_syllable(s, alphabet))
            .collect(),
        None => chars[..len]
            .iter()
            .map(|&c| char_syllable(c, alphabet))
            .collect(),
    };
    parts.extend(chars[len..].iter().map(|&c| char_syllable(c, alphabet)));
    (chars[..len].iter().collect(), len, parts)
}

/// A Latin name's surname and given names: the last word is the surname, or what
/// precedes a comma ("Smith, John").
fn latin_split(name: &str) -> (&str, &str) {
    match name.split_once(',') {
        Some((s, g)) => (s.trim(), g.trim()),
        None => match name.rsplit_once(char::is_whitespace) {
            Some((g, s)) => (s, g.trim()),
            None => (name, ""),
        },
    }
}

/// Latin names are indexed by their surname, word by word.
fn latin_parts(name: &str, alphabet: &Alphabet) -> (String, usize, Vec<(Syllable, Option<u8>)>) {
    let (surname, given) = latin_split(name);
    let word = |w: &str| (Syllable::word(w, alphabet), None);
    let mut parts = vec![word(surname)];
    parts.extend(given.split_whitespace().map(word));
    (surname.to_string(), 1, parts)
}

/// "Åsa Lindqvist" → "Lindqvist, Åsa", as alphabetical indexes print Latin names; a
/// name in another script or one that already has its comma stays as it is.
fn surname_first(name: &str) -> String {
    let latin = first_letter(name).map(writing) == Some(Writing::Latin);
    if !latin || name.contains(',') {
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
fn char_syllable(c: char, alphabet: &Alphabet) -> (Syllable, Option<u8>) {
    match c.to_pinyin() {
        Some(p) => parse_syllable(p.with_tone_num_end(), alphabet),
        None if c.is_ascii_alphanumeric() => (
            Syllable::pinyin(&c.to_ascii_lowercase().to_string(), alphabet),
            None,
        ),
        None => (Syllable::unknown(c), Some(0)),
    }
}

/// Parses "lü3", "lv3", "lu:3", "lǚ" or "bo" (neutral) into letters and tone.
fn parse_syllable(text: &str, alphabet: &Alphabet) -> (Syllable, Option<u8>) {
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
    (Syllable::pinyin(&letters, alphabet), Some(tone))
}

/// The kana a name is read by in a Japanese index: booklet.toml's `readings`, or the
/// name itself where it is written in kana. `None` where it needs a reading and has
/// none (kanji without an entry).
pub fn kana_reading(name: &str, readings: &BTreeMap<String, String>) -> Option<String> {
    let name = name.trim();
    if let Some(reading) = readings.get(name) {
        return Some(reading.clone());
    }
    let scripts: Vec<Writing> = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(writing)
        .collect();
    let kana = scripts.contains(&Writing::Kana)
        && scripts
            .iter()
            .all(|s| matches!(s, Writing::Kana | Writing::Common));
    kana.then(|| name.to_string())
}

/// Whether a Japanese index (reading order) can place `name` only after all headings,
/// for want of a reading: a name in kanji (or any script but Latin and kana) that
/// `readings` does not list.
pub fn lacks_reading(name: &str, readings: &BTreeMap<String, String>) -> bool {
    let latin = first_letter(name).map(writing) == Some(Writing::Latin);
    !name.trim().is_empty() && !latin && kana_reading(name, readings).is_none()
}

/// Where a name stands in the index: its group's rank and heading, then its key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    /// The index prints groups in this order.
    rank: u32,
    heading: String,
    key: Key,
    /// Breaks ties (and orders names without a key) by code point.
    raw: String,
}

/// A name's key within its group, by the order that placed it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Pinyin(SortKey),
    Strokes(Vec<strokes::CharKey>),
    Collation(Vec<u8>),
    /// Only the code points: a name without a reading in a Japanese index.
    CodePoints,
}

/// Ranks of the groups: stroke counts first (their own count), then the headings of
/// the language's alphabet, then "#".
const HEADING_RANK: u32 = 1000;
const LAST_RANK: u32 = u32::MAX;

/// Places names in one index order.
struct Sorter<'a> {
    order: IndexOrder,
    readings: &'a BTreeMap<String, String>,
    alphabet: Alphabet,
}

impl<'a> Sorter<'a> {
    fn new(lang: &str, order: IndexOrder, readings: &'a BTreeMap<String, String>) -> Self {
        let korean = lang.split(['-', '_']).next() == Some("ko");
        let (native, script) = match order {
            IndexOrder::Reading => (KANA, Writing::Kana),
            IndexOrder::Alphabetical if korean => (HANGUL, Writing::Hangul),
            _ => (&[][..], Writing::Latin),
        };
        Sorter {
            order,
            readings,
            alphabet: Alphabet::new(lang, native, script),
        }
    }

    fn place(&self, name: &str) -> Place {
        let name = name.trim();
        let script = first_letter(name).map(writing);
        let (rank, heading, key) = match (self.order, script) {
            (IndexOrder::Pinyin, _) => {
                let key = sort_key(name, self.readings, &self.alphabet);
                (u32::from(key.group), key.letter(), Key::Pinyin(key))
            }
            (IndexOrder::Stroke, Some(Writing::Han)) => by_strokes(name),
            (IndexOrder::Reading, Some(s)) if s != Writing::Latin => {
                match kana_reading(name, self.readings) {
                    Some(reading) => self.collated(&reading),
                    None => (LAST_RANK, "#".to_string(), Key::CodePoints),
                }
            }
            (IndexOrder::Alphabetical, Some(Writing::Han)) => {
                self.collated(&sort_key(name, self.readings, &self.alphabet).romanized())
            }
            (_, Some(Writing::Latin)) => {
                let (surname, given) = latin_split(name);
                self.collated(&format!("{surname} {given}"))
            }
            _ => self.collated(name),
        };
        Place {
            rank,
            heading,
            key,
            raw: name.to_string(),
        }
    }

    /// Placed by the language's collation of `text`, under the heading of its first letter.
    fn collated(&self, text: &str) -> (u32, String, Key) {
        let key = Key::Collation(self.alphabet.key(text));
        match self.alphabet.heading(text) {
            Some(h) => (
                HEADING_RANK + h as u32,
                self.alphabet.label(h).to_string(),
                key,
            ),
            None => (LAST_RANK, "#".to_string(), key),
        }
    }
}

/// A Han name in stroke order, under its first character's count.
fn by_strokes(name: &str) -> (u32, String, Key) {
    let key = strokes::key(name);
    match first_letter(name).and_then(strokes::strokes) {
        Some((count, _)) => (u32::from(count), strokes::label(count), Key::Strokes(key)),
        None => (LAST_RANK, "#".to_string(), Key::Strokes(key)),
    }
}

/// The author index: every distinct author with their record ids, grouped under
/// their headings and sorted in `order` (see [`IndexOrder`]) for a book in `lang` (a
/// BCP 47 tag: its collation and alphabet). Empty groups are omitted. `chairs`:
/// (name, session id) for every chair of a session the programme prints.
pub fn build(
    records: &[Record],
    chairs: &[(String, String)],
    readings: &BTreeMap<String, String>,
    lang: &str,
    order: IndexOrder,
) -> Vec<IndexGroup> {
    let sorter = Sorter::new(lang, order, readings);
    let mut groups: Vec<IndexGroup> = Vec::new();
    for (place, mut entry) in sorted_entries(records, chairs, &sorter) {
        if order == IndexOrder::Alphabetical {
            entry.name = surname_first(&entry.name);
        }
        match groups.last_mut() {
            Some(g) if g.letter == place.heading => g.entries.push(entry),
            _ => groups.push(IndexGroup {
                letter: place.heading,
                entries: vec![entry],
            }),
        }
    }
    groups
}

/// Distinct authors in first-seen order with their ids, then sorted by place.
fn sorted_entries(
    records: &[Record],
    chairs: &[(String, String)],
    sorter: &Sorter,
) -> Vec<(Place, IndexEntry)> {
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
        .map(|e| (sorter.place(&e.name), e))
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

    fn zh() -> Alphabet {
        Alphabet::new("zh", &[], Writing::Latin)
    }

    fn key(name: &str) -> SortKey {
        sort_key(name, &none(), &zh())
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
        flat(&build(&recs, &[], &none(), "zh", IndexOrder::Pinyin))
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
        let groups = build(&recs, &[], &none(), "zh", IndexOrder::Pinyin);
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
        assert_eq!(sort_key("翟志敏", &readings, &zh()).letter(), "D");
        readings.insert("吕方".to_string(), "lv3 fang1".to_string());
        assert_eq!(sort_key("吕方", &readings, &zh()), key("吕方"));
        readings.insert("乐嘉".to_string(), "lè jiā".to_string());
        assert_eq!(sort_key("乐嘉", &readings, &zh()).letter(), "L");
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
        let groups = build(&recs, &[], &none(), "zh", IndexOrder::Pinyin);
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
            "zh",
            IndexOrder::Pinyin,
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
            assert_eq!(key(&name), sort_key(&name, &readings, &zh()), "{surname}");
        }
    }

    #[test]
    fn common_surnames_come_out_right_from_the_crate() {
        assert_eq!(key("沈明").surname, vec![Syllable::pinyin("shen", &zh())]);
        assert_eq!(key("石明").surname, vec![Syllable::pinyin("shi", &zh())]);
        assert_eq!(key("卜明").surname_tones, vec![3]);
    }

    /// The index of `names` (one record each) in `lang` and `order`, as (heading, name).
    fn index_in(
        lang: &str,
        order: IndexOrder,
        readings: &BTreeMap<String, String>,
        names: &[&str],
    ) -> Vec<(String, String)> {
        let recs: Vec<Record> = names
            .iter()
            .enumerate()
            .map(|(i, n)| record(&format!("S-{i:03}"), &[n]))
            .collect();
        flat(&build(&recs, &[], readings, lang, order))
    }

    fn alphabetical(lang: &str, names: &[&str]) -> Vec<(String, String)> {
        index_in(lang, IndexOrder::Alphabetical, &none(), names)
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        let owned = expected.iter().map(|(h, n)| (h.to_string(), n.to_string()));
        owned.collect()
    }

    #[test]
    fn each_language_has_its_default_order() {
        let cases = [
            ("zh", IndexOrder::Pinyin),
            ("zh-Hans", IndexOrder::Pinyin),
            ("zh-CN", IndexOrder::Pinyin),
            ("zh-Hant", IndexOrder::Stroke),
            ("zh-TW", IndexOrder::Stroke),
            ("zh-HK", IndexOrder::Stroke),
            ("zh-Hans-HK", IndexOrder::Pinyin),
            ("ja", IndexOrder::Reading),
            ("ko", IndexOrder::Alphabetical),
            ("de", IndexOrder::Alphabetical),
            ("en", IndexOrder::Alphabetical),
            ("not a tag", IndexOrder::Alphabetical),
        ];
        for (lang, order) in cases {
            assert_eq!(IndexOrder::default_for(lang), order, "{lang}");
        }
    }

    #[test]
    fn german_sorts_umlauts_with_their_letter() {
        // ü is u with a mark: Müller and Muller interleave by given name, before Munz.
        let got = alphabetical(
            "de",
            &[
                "Otto Munz",
                "Katrin Muller",
                "Jon Müller",
                "Paul Mahler",
                "Zoë Hartley",
            ],
        );
        let expected = [
            ("H", "Hartley, Zoë"),
            ("M", "Mahler, Paul"),
            ("M", "Müller, Jon"),
            ("M", "Muller, Katrin"),
            ("M", "Munz, Otto"),
        ];
        assert_eq!(got, pairs(&expected));
        // The same first name: the unmarked spelling first.
        let got = alphabetical("de", &["Jon Müller", "Jon Muller"]);
        assert_eq!(got, pairs(&[("M", "Muller, Jon"), ("M", "Müller, Jon")]));
    }

    #[test]
    fn swedish_puts_a_ring_a_diaeresis_and_o_diaeresis_after_z() {
        let names = [
            "Olle Östberg",
            "Åsa Åkesson",
            "Erik Zetterberg",
            "Anna Ärlig",
            "Bo Andersson",
        ];
        let expected = [
            ("A", "Andersson, Bo"),
            ("Z", "Zetterberg, Erik"),
            ("Å", "Åkesson, Åsa"),
            ("Ä", "Ärlig, Anna"),
            ("Ö", "Östberg, Olle"),
        ];
        assert_eq!(alphabetical("sv", &names), pairs(&expected));
        // In German å is an a: Åkesson opens the A's.
        assert_eq!(
            alphabetical("de", &names)[0],
            ("A".into(), "Åkesson, Åsa".into())
        );
    }

    #[test]
    fn spanish_puts_n_tilde_after_n() {
        let names = ["Olga Ortiz", "Ana Ñúñez", "Luis Nuñez", "Eva Nuno"];
        let expected = [
            ("N", "Nuno, Eva"),
            ("N", "Nuñez, Luis"),
            ("Ñ", "Ñúñez, Ana"),
            ("O", "Ortiz, Olga"),
        ];
        assert_eq!(alphabetical("es", &names), pairs(&expected));
        // English reads ñ as n: Nuñez before Nuno, Ñúñez among the N's.
        let en: Vec<String> = alphabetical("en", &names)
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(
            en,
            ["Ñúñez, Ana", "Nuñez, Luis", "Nuno, Eva", "Ortiz, Olga"]
        );
    }

    #[test]
    fn korean_sorts_by_hangul_under_initial_consonants() {
        let names = [
            "홍길동",
            "John Smith",
            "까치",
            "박서준",
            "김 민수",
            "나영희",
            "강하늘",
            "이수진",
        ];
        let expected = [
            ("ㄱ", "강하늘"),
            ("ㄱ", "김 민수"),
            ("ㄱ", "까치"),
            ("ㄴ", "나영희"),
            ("ㅂ", "박서준"),
            ("ㅇ", "이수진"),
            ("ㅎ", "홍길동"),
            ("S", "Smith, John"),
        ];
        assert_eq!(alphabetical("ko", &names), pairs(&expected));
    }

    #[test]
    fn traditional_chinese_sorts_by_strokes() {
        let names = [
            "黃六",
            "Mary Lee",
            "陳大文",
            "李四",
            "林志玲",
            "王小明",
            "吳五",
            "張三",
            "丁一",
            "陳一",
            "杭州",
        ];
        let expected = [
            ("2畫", "丁一"),
            ("4畫", "王小明"),
            // 7 strokes each: 吳 (radical 30) before 李 (radical 75).
            ("7畫", "吳五"),
            ("7畫", "李四"),
            // 8 strokes and radical 75 each: 杭 U+676D before 林 U+6797.
            ("8畫", "杭州"),
            ("8畫", "林志玲"),
            // One surname: by the given name's strokes, 一 (1) before 大 (3).
            ("10畫", "陳一"),
            ("10畫", "陳大文"),
            ("11畫", "張三"),
            ("12畫", "黃六"),
            ("L", "Mary Lee"),
        ];
        let got = index_in("zh-Hant", IndexOrder::Stroke, &none(), &names);
        assert_eq!(got, pairs(&expected));
        assert_eq!(
            strokes::strokes('骨'),
            Some((10, 188)),
            "the T-source count"
        );
        assert_eq!(
            strokes::strokes('\u{F900}'),
            strokes::strokes('豈'),
            "compatibility form"
        );
    }

    #[test]
    fn japanese_sorts_by_kana_reading_in_gojuon_rows() {
        let mut readings = none();
        for (name, reading) in [
            ("山田太郎", "やまだ たろう"),
            ("佐藤花子", "さとう はなこ"),
            ("後藤健", "ごとう けん"),
            ("加藤明", "かとう あきら"),
            ("伊藤誠", "いとう まこと"),
            ("渡辺淳", "わたなべ じゅん"),
            ("中村光", "なかむら ひかる"),
            ("本田翼", "ほんだ つばさ"),
        ] {
            readings.insert(name.to_string(), reading.to_string());
        }
        let names = [
            "鈴木一郎",
            "山田太郎",
            "John Smith",
            "佐藤花子",
            "後藤健",
            "ミラー ジョン",
            "加藤明",
            "伊藤誠",
            "渡辺淳",
            "中村光",
            "本田翼",
            "阿部",
        ];
        let expected = [
            ("あ", "伊藤誠"),
            ("か", "加藤明"),
            // ご is こ with dakuten: in the か row.
            ("か", "後藤健"),
            ("さ", "佐藤花子"),
            ("な", "中村光"),
            ("は", "本田翼"),
            // A name in katakana is its own reading.
            ("ま", "ミラー ジョン"),
            ("や", "山田太郎"),
            ("わ", "渡辺淳"),
            ("S", "John Smith"),
            // Without a reading: after every heading, by code point (鈴 U+9234, 阿 U+963F).
            ("#", "鈴木一郎"),
            ("#", "阿部"),
        ];
        let got = index_in("ja", IndexOrder::Reading, &readings, &names);
        assert_eq!(got, pairs(&expected));
        assert!(lacks_reading("鈴木一郎", &readings));
        assert!(!lacks_reading("山田太郎", &readings));
        assert!(!lacks_reading("ミラー ジョン", &readings));
        assert!(!lacks_reading("John Smith", &readings));
    }

    #[test]
    fn an_english_index_sorts_han_names_by_pinyin_among_latin_ones() {
        let names = ["Anna Lindqvist", "李华", "John Liu", "Ólafur Ásgeirsson"];
        let expected = [
            ("A", "Ásgeirsson, Ólafur"),
            ("L", "李华"),
            ("L", "Lindqvist, Anna"),
            ("L", "Liu, John"),
        ];
        assert_eq!(alphabetical("en", &names), pairs(&expected));
    }
}
