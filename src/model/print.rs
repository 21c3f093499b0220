//! The print profile: trim size, bleed, crop marks, binding — from
//! `content/booklet.toml` `[print]`, overridable on the command line.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How the book is bound; decides how the page count is padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Binding {
    /// Glued spine: a multiple of 4 pages (typography.md §9: sheets are folded in
    /// fours at least).
    #[default]
    Perfect,
    /// Stapled sheets: a multiple of 4 pages.
    Saddle,
}

impl Binding {
    /// Each binding by its name in booklet.toml and on the command line.
    pub const NAMES: [(&str, Binding); 2] =
        [("perfect", Binding::Perfect), ("saddle", Binding::Saddle)];

    /// The page count must be a multiple of this.
    pub fn pages_multiple(self) -> usize {
        match self {
            Binding::Perfect => 4,
            Binding::Saddle => 4,
        }
    }
}

/// `[print]` in booklet.toml, as written there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrintProfile {
    /// "185x260mm", "A4", "B5" or "A5".
    pub trim: String,
    /// "3mm".
    pub bleed: String,
    pub marks: bool,
    pub binding: Binding,
}

impl Default for PrintProfile {
    fn default() -> Self {
        PrintProfile {
            trim: "185x260mm".into(),
            bleed: "3mm".into(),
            marks: false,
            binding: Binding::Perfect,
        }
    }
}

/// Command-line overrides of the profile.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub trim: Option<String>,
    pub bleed: Option<String>,
    pub marks: bool,
    pub binding: Option<Binding>,
    /// A screen PDF: no bleed, no marks, page = trim.
    pub screen: bool,
}

/// The resolved geometry the layout receives (millimetres).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Print {
    pub width: f64,
    pub height: f64,
    pub bleed: f64,
    /// Room outside the bleed for crop marks (0 without marks).
    pub slug: f64,
    pub marks: bool,
    pub binding: Binding,
    pub pages_multiple: usize,
}

/// Crop marks need this much paper outside the bleed.
const SLUG_MM: f64 = 10.0;

#[derive(Debug, Error, PartialEq)]
pub enum PrintError {
    #[error("unknown trim size `{0}` (write 185x260mm, A4, B5 or A5)")]
    Trim(String),
    #[error("bad bleed `{0}` (write e.g. 3mm, between 0mm and 10mm)")]
    Bleed(String),
}

impl Print {
    pub fn resolve(profile: &PrintProfile, o: &Overrides) -> Result<Print, PrintError> {
        let trim = o.trim.as_deref().unwrap_or(&profile.trim);
        let (width, height) = trim_size(trim).ok_or_else(|| PrintError::Trim(trim.to_string()))?;
        let bleed_text = o.bleed.as_deref().unwrap_or(&profile.bleed);
        let bleed = millimetres(bleed_text)?;
        let marks = (o.marks || profile.marks) && !o.screen;
        let binding = o.binding.unwrap_or(profile.binding);
        Ok(Print {
            width,
            height,
            bleed: if o.screen { 0.0 } else { bleed },
            slug: if marks { SLUG_MM } else { 0.0 },
            marks,
            binding,
            pages_multiple: binding.pages_multiple(),
        })
    }

    /// A screen PDF of the given profile's trim size.
    pub fn screen(profile: &PrintProfile) -> Result<Print, PrintError> {
        Print::resolve(
            profile,
            &Overrides {
                screen: true,
                ..Overrides::default()
            },
        )
    }
}

/// "185x260mm" or a named ISO/GB size, as (width, height) in mm.
fn trim_size(text: &str) -> Option<(f64, f64)> {
    match text.trim().to_ascii_uppercase().as_str() {
        "A4" => Some((210.0, 297.0)),
        "A5" => Some((148.0, 210.0)),
        "B5" => Some((176.0, 250.0)),
        other => {
            let (w, h) = other.strip_suffix("MM")?.split_once('X')?;
            let (w, h) = (w.trim().parse::<f64>().ok()?, h.trim().parse::<f64>().ok()?);
            (w > 50.0 && h > 50.0 && w < 1000.0 && h < 1000.0).then_some((w, h))
        }
    }
}

fn parse_mm(text: &str) -> Option<f64> {
    text.trim().strip_suffix("mm")?.trim().parse().ok()
}

/// A length written "3mm", for the command line.
pub fn millimetres(text: &str) -> Result<f64, PrintError> {
    parse_mm(text)
        .filter(|b| (0.0..=10.0).contains(b))
        .ok_or_else(|| PrintError::Bleed(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let p = PrintProfile::default();
        let print = Print::resolve(&p, &Overrides::default()).unwrap();
        assert_eq!(
            (print.width, print.height, print.bleed, print.marks),
            (185.0, 260.0, 3.0, false)
        );
        let o = Overrides {
            trim: Some("A4".into()),
            bleed: Some("5mm".into()),
            marks: true,
            binding: Some(Binding::Saddle),
            screen: false,
        };
        let print = Print::resolve(&p, &o).unwrap();
        assert_eq!(
            (print.width, print.bleed, print.slug, print.pages_multiple),
            (210.0, 5.0, SLUG_MM, 4)
        );
        let screen = Print::screen(&p).unwrap();
        assert_eq!((screen.bleed, screen.marks, screen.slug), (0.0, false, 0.0));
    }

    #[test]
    fn bad_values_are_errors() {
        let p = PrintProfile::default();
        let bad_trim = Overrides {
            trim: Some("letter".into()),
            ..Overrides::default()
        };
        assert_eq!(
            Print::resolve(&p, &bad_trim),
            Err(PrintError::Trim("letter".into()))
        );
        let bad_bleed = Overrides {
            bleed: Some("3".into()),
            ..Overrides::default()
        };
        assert_eq!(
            Print::resolve(&p, &bad_bleed),
            Err(PrintError::Bleed("3".into()))
        );
    }

    #[test]
    fn the_command_line_names_are_booklet_toml_s() {
        for (name, binding) in Binding::NAMES {
            assert_eq!(serde_json::to_value(binding).unwrap(), name);
        }
    }
}
