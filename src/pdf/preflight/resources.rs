//! Looking things up in a page's resources and in font dictionaries.

use hayro_syntax::object::{Array, Dict, Name};
use hayro_syntax::page::Page;

use crate::pdf::boxes;

/// The page's resources, which may be inherited from a Pages node.
pub(super) fn page_resources<'a>(page: &Page<'a>) -> Option<Dict<'a>> {
    boxes::inherited(page, b"Resources")?.get::<Dict<'_>>(b"Resources")
}

/// A resource category (`Font`, `XObject`, …), empty if absent.
pub(super) fn category<'a>(res: &Dict<'a>, category: &[u8]) -> Dict<'a> {
    res.get::<Dict<'_>>(category).unwrap_or_default()
}

pub(super) fn name_of(dict: &Dict<'_>, key: &[u8]) -> Option<String> {
    let name = dict.get::<Name<'_>>(key)?;
    Some(String::from_utf8_lossy(&name).into_owned())
}

pub(super) fn is_name(dict: &Dict<'_>, key: &[u8], value: &[u8]) -> bool {
    dict.get::<Name<'_>>(key).is_some_and(|n| &*n == value)
}

/// A Type0 font's CIDFont.
pub(super) fn descendant<'a>(font: &Dict<'a>) -> Option<Dict<'a>> {
    let fonts = font.get::<Array<'_>>(b"DescendantFonts")?;
    fonts.iter::<Dict<'_>>().next()
}
