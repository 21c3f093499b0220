//! The book language's collation (ICU4X, CLDR's rules: German ä with a, Swedish å ä ö
//! after z, Spanish ñ after n) and its index letters: which heading a name goes under.

use icu_collator::options::{CollatorOptions, Strength};
use icu_collator::{Collator, CollatorBorrowed};
use icu_locale_core::Locale;
use icu_properties::CodePointMapData;
use icu_properties::props::Script;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The headings of an index in the Latin alphabet.
const LATIN: &[&str] = &[
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U", "V", "W", "X", "Y", "Z",
];

/// Letters a language's alphabet has beyond A–Z, each with the letter it follows
/// (CLDR's index characters).
const EXTRA_LETTERS: &[(&str, &[(&str, &str)])] = &[
    ("sv", &[("Z", "Å"), ("Å", "Ä"), ("Ä", "Ö")]),
    ("fi", &[("Z", "Å"), ("Å", "Ä"), ("Ä", "Ö")]),
    ("da", &[("Z", "Æ"), ("Æ", "Ø"), ("Ø", "Å")]),
    ("nb", &[("Z", "Æ"), ("Æ", "Ø"), ("Ø", "Å")]),
    ("nn", &[("Z", "Æ"), ("Æ", "Ø"), ("Ø", "Å")]),
    ("no", &[("Z", "Æ"), ("Æ", "Ø"), ("Ø", "Å")]),
    ("es", &[("N", "Ñ")]),
];

/// Korean headings: the initial consonants, the double ones (ㄲ ㄸ ㅃ ㅆ ㅉ) under
/// their single one, as Korean dictionaries and indexes head them.
pub(super) const HANGUL: &[&str] = &[
    "ㄱ", "ㄴ", "ㄷ", "ㄹ", "ㅁ", "ㅂ", "ㅅ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ",
];

/// Japanese headings: the gojūon rows, by a reading's first kana (が under か, ぱ under
/// は, ん under わ).
pub(super) const KANA: &[&str] = &["あ", "か", "さ", "た", "な", "は", "ま", "や", "ら", "わ"];

/// The scripts whose headings an index has; a name's first letter picks among the
/// headings of its own script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Writing {
    Latin,
    Hangul,
    Kana,
    Han,
    /// Shared by scripts: digits, the katakana prolonged sound mark ー.
    Common,
    Other,
}

/// The script of a letter (hiragana and katakana are one).
pub(super) fn writing(c: char) -> Writing {
    match CodePointMapData::<Script>::new().get(c) {
        Script::Latin => Writing::Latin,
        Script::Hangul => Writing::Hangul,
        Script::Hiragana | Script::Katakana => Writing::Kana,
        Script::Han => Writing::Han,
        Script::Common | Script::Inherited => Writing::Common,
        _ => Writing::Other,
    }
}

/// The first letter of a text (its first alphanumeric character).
pub(super) fn first_letter(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_alphanumeric())
}

/// The book's collation and its index headings, in the order the index prints them.
#[derive(Debug)]
pub(super) struct Alphabet {
    /// Full strength: the order within a heading.
    collator: CollatorBorrowed<'static>,
    /// Letters only: which heading a name goes under.
    primary: CollatorBorrowed<'static>,
    headings: Vec<(String, Writing)>,
}

impl Alphabet {
    /// The collation of `lang` (a BCP 47 tag; CLDR's root order where it has no rules
    /// of its own or cannot be read) with `native` headings of `script` first, then
    /// the language's Latin alphabet.
    pub(super) fn new(lang: &str, native: &[&str], script: Writing) -> Alphabet {
        let locale = Locale::try_from_str(lang).unwrap_or(Locale::UNKNOWN);
        let collator_with = |strength| {
            let mut options = CollatorOptions::default();
            options.strength = Some(strength);
            Collator::try_new((&locale).into(), options)
                .or_else(|_| Collator::try_new(Default::default(), options))
                .expect("the compiled collation data has the root collation")
        };
        let mut headings: Vec<(String, Writing)> =
            native.iter().map(|h| (h.to_string(), script)).collect();
        let latin = latin_letters(locale.id.language.as_str());
        headings.extend(latin.into_iter().map(|h| (h, Writing::Latin)));
        Alphabet {
            collator: collator_with(Strength::Tertiary),
            primary: collator_with(Strength::Primary),
            headings,
        }
    }

    /// How `text` sorts: its collation key, compared bytewise.
    pub(super) fn key(&self, text: &str) -> Vec<u8> {
        let mut key = Vec::new();
        let Ok(()) = self.collator.write_sort_key_to(text, &mut key);
        key
    }

    /// How `text` sorts by its letters alone (é as e, but å apart from a in Swedish).
    pub(super) fn primary_key(&self, text: &str) -> Vec<u8> {
        let mut key = Vec::new();
        let Ok(()) = self.primary.write_sort_key_to(text, &mut key);
        key
    }

    /// The heading `text` goes under, as its place among the headings: the last heading
    /// of its first letter's script that does not sort after that letter. `None` for a
    /// text of a script without headings, or one before its script's first heading.
    pub(super) fn heading(&self, text: &str) -> Option<usize> {
        let first = first_letter(text)?;
        let script = writing(first);
        // The letter with its marks, composed: "Å" is a letter of its own in Swedish.
        let start = text.find(first)?;
        let after = text[start + first.len_utf8()..].chars();
        let marks = after.take_while(|&c| is_combining_mark(c));
        let letter: String = std::iter::once(first).chain(marks).nfc().collect();
        self.headings
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| *s == script)
            .take_while(|(_, (h, _))| self.primary.compare(h, &letter).is_le())
            .last()
            .map(|(i, _)| i)
    }

    /// The printed heading at `place`.
    pub(super) fn label(&self, place: usize) -> &str {
        &self.headings[place].0
    }
}

/// A–Z with the letters `language` adds, in its order.
fn latin_letters(language: &str) -> Vec<String> {
    let mut letters: Vec<String> = LATIN.iter().map(|l| l.to_string()).collect();
    let extra = EXTRA_LETTERS.iter().find(|(l, _)| *l == language);
    for (after, letter) in extra.map_or(&[][..], |(_, e)| e) {
        let at = letters.iter().position(|l| l == after).map_or(0, |i| i + 1);
        letters.insert(at, letter.to_string());
    }
    letters
}
