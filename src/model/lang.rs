//! The book's language: booklet.toml's `lang`, a BCP 47 tag (`zh`, `zh-Hant`, `zh-TW`,
//! `ja`, `ko`, `de`, …), and what follows from it — the script the book is set in, the
//! strings table the layouts print, the language and region Typst sets text with.

use std::fmt;

use icu_locale_core::LanguageIdentifier;

use crate::model::text::{is_cjk_letter, is_hangul, is_kana};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A language tag, parsed: language, optional script and region (variants are kept
/// in the tag but change nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang {
    id: LanguageIdentifier,
    /// The tag in canonical case ("zh-Hant-TW").
    tag: String,
}

/// The writing system a language is set in: it picks the CJK faces, the paragraph
/// rules and the line breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    /// Simplified Chinese.
    Hans,
    /// Traditional Chinese (Taiwan, Hong Kong, Macau).
    Hant,
    /// Japanese: kanji with kana.
    Jpan,
    /// Korean: Hangul (with the odd Hanja).
    Kore,
    /// An alphabet the Latin face sets (Latin, and Greek or Cyrillic with it).
    Latn,
}

impl Script {
    /// Chinese, Japanese or Korean.
    pub fn is_cjk(self) -> bool {
        self != Script::Latn
    }
}

/// The languages `layouts/lib/strings.typ` has a table for, by table name. Chinese
/// has one per script (`zh-Hans`, `zh-Hant`), the others one per language.
pub const STRINGS_TABLES: [&str; 8] = ["zh-Hans", "zh-Hant", "ja", "ko", "en", "de", "fr", "es"];

impl Lang {
    /// Parses a tag; the error says what is wrong with it.
    pub fn parse(tag: &str) -> Result<Lang, String> {
        let id = LanguageIdentifier::try_from_str(tag.trim()).map_err(|e| {
            format!("`{tag}` is not a BCP 47 language tag like zh, zh-Hant, ja, ko, en, de ({e})")
        })?;
        Ok(Lang {
            tag: id.to_string(),
            id,
        })
    }

    /// The tag in canonical case: "zh-Hant-TW", "de".
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The language subtag: "zh", "de".
    pub fn language(&self) -> &str {
        self.id.language.as_str()
    }

    /// The region subtag, lower case ("tw", "cn"), if the tag has one; Chinese without
    /// one is set as mainland Chinese ("cn") in the simplified script, as Taiwan's
    /// ("tw": centred punctuation) in the traditional.
    pub fn region(&self) -> Option<String> {
        let given = self.id.region.map(|r| r.as_str().to_ascii_lowercase());
        match (self.language(), self.script(), given) {
            ("zh", Script::Hans, None) => Some("cn".into()),
            ("zh", Script::Hant, None) => Some("tw".into()),
            (_, _, given) => given,
        }
    }

    /// The script its text is set in. Chinese is traditional when the tag says
    /// `Hant` or names Taiwan, Hong Kong or Macau, else simplified.
    pub fn script(&self) -> Script {
        let script = self.id.script.map(|s| s.as_str().to_ascii_lowercase());
        let region = self.id.region.map(|r| r.as_str().to_ascii_uppercase());
        match self.language() {
            "zh" => match (script.as_deref(), region.as_deref()) {
                (Some("hant"), _) => Script::Hant,
                (None, Some("TW" | "HK" | "MO")) => Script::Hant,
                _ => Script::Hans,
            },
            "ja" => Script::Jpan,
            "ko" => Script::Kore,
            _ => Script::Latn,
        }
    }

    /// Chinese, Japanese or Korean.
    pub fn is_cjk(&self) -> bool {
        self.script().is_cjk()
    }

    /// The strings table of `layouts/lib/strings.typ` for this language; `None` when
    /// it has none (the book then prints English strings).
    pub fn strings(&self) -> Option<&'static str> {
        let name = match (self.language(), self.script()) {
            ("zh", Script::Hant) => "zh-Hant",
            ("zh", _) => "zh-Hans",
            (language, _) => language,
        };
        STRINGS_TABLES.into_iter().find(|t| *t == name)
    }

    /// The language a record of this book is set in: the book's own, unless the record
    /// is in the other kind of script (`cjk`: its text has Han, kana or Hangul), which
    /// is English in a CJK book, and Chinese, Japanese or Korean (by its kana or
    /// Hangul) in a book in a Latin-script language.
    pub fn of_record(&self, text: &str) -> Lang {
        let cjk = text.chars().any(is_cjk_letter);
        let tag = match (self.is_cjk(), cjk) {
            (true, true) | (false, false) => return self.clone(),
            (true, false) => "en",
            (false, true) if text.chars().any(is_hangul) => "ko",
            (false, true) if text.chars().any(is_kana) => "ja",
            (false, true) => "zh",
        };
        Lang::parse(tag).expect("a valid tag")
    }
}

impl Default for Lang {
    /// Chinese: the shipped book's language.
    fn default() -> Lang {
        Lang::parse("zh").expect("a valid tag")
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

impl Serialize for Lang {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.tag)
    }
}

/// A tag that does not parse is an error at its place in booklet.toml.
impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let text = String::deserialize(d)?;
        Lang::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap()
    }

    #[test]
    fn tags_give_script_region_and_strings() {
        let cases = [
            ("zh", Script::Hans, Some("cn"), Some("zh-Hans")),
            ("zh-Hans", Script::Hans, Some("cn"), Some("zh-Hans")),
            ("zh-Hant", Script::Hant, Some("tw"), Some("zh-Hant")),
            ("zh-TW", Script::Hant, Some("tw"), Some("zh-Hant")),
            ("zh-hk", Script::Hant, Some("hk"), Some("zh-Hant")),
            ("zh-Hans-SG", Script::Hans, Some("sg"), Some("zh-Hans")),
            ("ja", Script::Jpan, None, Some("ja")),
            ("ko-KR", Script::Kore, Some("kr"), Some("ko")),
            ("de-AT", Script::Latn, Some("at"), Some("de")),
            ("fr", Script::Latn, None, Some("fr")),
            ("es", Script::Latn, None, Some("es")),
            ("en", Script::Latn, None, Some("en")),
            ("sv", Script::Latn, None, None),
        ];
        for (tag, script, region, strings) in cases {
            let l = lang(tag);
            assert_eq!(l.script(), script, "{tag}");
            assert_eq!(l.region().as_deref(), region, "{tag}");
            assert_eq!(l.strings(), strings, "{tag}");
        }
        assert_eq!(lang("ZH-hant-tw").tag(), "zh-Hant-TW");
    }

    #[test]
    fn malformed_tags_are_refused_with_the_tag() {
        for bad in ["", "d", "de_DE!", "zh-Hant-TW-x", "123"] {
            let err = Lang::parse(bad).unwrap_err();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn a_record_in_the_other_script_takes_its_own_language() {
        assert_eq!(lang("zh").of_record("Bone loss").tag(), "en");
        assert_eq!(lang("ja").of_record("骨の質").tag(), "ja");
        assert_eq!(lang("de").of_record("Knochen").tag(), "de");
        assert_eq!(lang("de").of_record("뼈 건강").tag(), "ko");
        assert_eq!(lang("en").of_record("骨質").tag(), "zh");
    }
}
