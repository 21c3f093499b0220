//! booklet.toml's language settings, at their lines: a `lang` the layouts have no
//! strings for (a warning: the book prints English strings), `[strings]` keys they
//! do not have and `[fonts]` folders that are not there (errors).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::diagnostic::Diagnostic;
use crate::content::{Fonts, Loaded, STRING_KEYS};
use crate::model::Lang;
use crate::model::text::{column_of, line_of};

/// The settings as written, each with its place.
#[derive(Deserialize)]
struct Written {
    lang: Option<Spanned<String>>,
    #[serde(default)]
    strings: BTreeMap<String, Spanned<toml::Value>>,
    fonts: Option<WrittenFonts>,
}

#[derive(Deserialize)]
struct WrittenFonts {
    #[serde(default)]
    dirs: Vec<Spanned<String>>,
}

pub(super) fn check(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let path = loaded.dir.join("booklet.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let Ok(written) = toml::from_str::<Written>(&text) else {
        return; // its parse error is reported already
    };
    let at = |offset: usize| (Some(line_of(&text, offset)), Some(column_of(&text, offset)));
    out.extend(unknown_lang(&loaded.dir, &loaded.booklet.lang));
    for (key, value) in &written.strings {
        if !STRING_KEYS.contains(&key.as_str()) {
            out.push(
                Diagnostic::error(&path, format!("[strings] has no string `{key}`"))
                    .at(at(value.span().start))
                    .hint(format!("the strings are: {}", STRING_KEYS.join(", "))),
            );
        }
    }
    let dirs = written.fonts.map(|f| f.dirs).unwrap_or_default();
    for (dir, found) in dirs.iter().zip(Fonts::of_project(&loaded.dir)) {
        if !found.is_dir() {
            out.push(
                Diagnostic::error(&path, format!("[fonts] dirs: no folder {}", found.display()))
                    .at(at(dir.span().start))
                    .hint("Debian and Ubuntu install the CJK faces with `apt-get install fonts-noto-cjk` into /usr/share/fonts/opentype/noto"),
            );
        }
    }
}

/// The warning for a book (its content folder `dir`) whose `lang` has no strings
/// table, at booklet.toml's `lang` line: `build` prints it too.
pub fn unknown_lang(dir: &Path, lang: &Lang) -> Option<Diagnostic> {
    if lang.strings().is_some() {
        return None;
    }
    let path = dir.join("booklet.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let tag = toml::from_str::<Written>(&text).ok()?.lang?;
    let at = tag.span().start;
    Some(
        Diagnostic::warning(
            &path,
            format!("no strings for `{lang}` in layouts/lib/strings.typ: the book prints the English ones"),
        )
        .at((Some(line_of(&text, at)), Some(column_of(&text, at))))
        .hint("replace them in booklet.toml's [strings] (contents = \"…\"), or add a table for the language to layouts/lib/strings.typ"),
    )
}
