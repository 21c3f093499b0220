//! A cell of HTML (what Indico, ConfTool and most 会务系统 export) → record Markdown:
//! `p br i em b strong sub sup ul ol li a table tr th td img` become their Markdown,
//! entities are decoded (a WHATWG tokenizer, html5gum, reads the cell), every other
//! tag is dropped and named. Text is escaped: only the tags make markup.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use html5gum::{Token, Tokenizer};
use regex::Regex;

use crate::markdown::escape::{escape_inline, guard_block_start};

/// A cell converted.
#[derive(Debug, Default, PartialEq)]
pub struct Converted {
    /// Blocks separated by blank lines.
    pub markdown: String,
    /// The tags dropped, each once.
    pub dropped: BTreeSet<String>,
    /// The images' sources as the cell gives them.
    pub images: Vec<String>,
}

/// Whether a cell holds HTML tags (else it is plain text, as it was before HTML).
pub fn is_html(cell: &str) -> bool {
    static TAG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)</?(p|br|i|em|b|strong|sub|sup|ul|ol|li|a|table|tr|th|td|img|span|div|font|u)\b[^>]*>")
            .expect("valid")
    });
    TAG.is_match(cell)
}

/// Converts `html`; `clean` tidies each piece of text (spacing, punctuation) before
/// it is escaped. Images are written as `figures/<file name>`.
pub fn to_markdown(html: &str, clean: &dyn Fn(&str) -> String) -> Converted {
    let mut w = Writer::default();
    for token in Tokenizer::new(html).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                let attr = |key: &str| {
                    tag.attributes
                        .get(key.as_bytes())
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                };
                w.start(&name, attr("href"), attr("src"), attr("alt"), attr("width"));
            }
            Token::EndTag(tag) => w.end(&String::from_utf8_lossy(&tag.name).to_ascii_lowercase()),
            Token::String(text) => w.text(&collapse(&String::from_utf8_lossy(&text)), clean),
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    w.finish()
}

/// A text node as Markdown: its formulas (`$…$`, `$$…$$`, as MathJax reads them in
/// HTML) and sub/superscripts in the records' own markup (`~2~`, `^2+^`, as `dump`
/// writes them) as they are, the text between them cleaned and escaped.
fn text_and_formulas(text: &str, clean: &dyn Fn(&str) -> String) -> String {
    static FORMULA: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\$\$[^$]+\$\$|\$[^$\s][^$]*\$|~[^~\s]+~|\^[^^\s]+\^").expect("valid")
    });
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for formula in FORMULA.find_iter(text) {
        out.push_str(&escape_inline(&clean(&text[at..formula.start()])));
        out.push_str(formula.as_str());
        at = formula.end();
    }
    out.push_str(&escape_inline(&clean(&text[at..])));
    out
}

/// HTML's white space: any run of it is one space.
fn collapse(text: &str) -> String {
    if !text.is_empty() && text.trim().is_empty() {
        return " ".into();
    }
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if text.starts_with(char::is_whitespace) && !out.is_empty() {
        out.insert(0, ' ');
    }
    if text.ends_with(char::is_whitespace) && !out.is_empty() {
        out.push(' ');
    }
    out
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Open lists: the next item's number (none: bulleted).
    lists: Vec<Option<u64>>,
    /// A table being read: its rows of cells, the cell being written.
    table: Option<Vec<Vec<String>>>,
    cell: Option<String>,
    /// Emphasis markers opened but not written yet: they go after the spaces the
    /// next text starts with (`<i> P</i>` → ` *P*`).
    pending: String,
    /// Open links' targets (none: not a link a reader can follow).
    links: Vec<Option<String>>,
    dropped: BTreeSet<String>,
    images: Vec<String>,
}

impl Writer {
    fn start(
        &mut self,
        name: &str,
        href: Option<String>,
        src: Option<String>,
        alt: Option<String>,
        width: Option<String>,
    ) {
        match name {
            "p" | "div" => self.block_break(),
            "br" => self.block_break(),
            "i" | "em" => self.pending.push('*'),
            "b" | "strong" => self.pending.push_str("**"),
            "sub" => self.pending.push('~'),
            "sup" => self.pending.push('^'),
            "ul" | "ol" => {
                self.line_break();
                self.lists.push((name == "ol").then_some(1));
            }
            "li" => self.item(),
            "a" => {
                let web = href.filter(|h| {
                    h.starts_with("http://")
                        || h.starts_with("https://")
                        || h.starts_with("mailto:")
                });
                if web.is_some() {
                    self.pending.push('[');
                }
                self.links.push(web);
            }
            "table" => {
                self.block_break();
                self.table = Some(Vec::new());
            }
            "tr" => {
                if let Some(rows) = &mut self.table {
                    rows.push(Vec::new());
                }
            }
            "th" | "td" => self.cell = Some(String::new()),
            "img" => {
                let src = src.unwrap_or_default();
                let file = src
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or_default()
                    .to_string();
                self.block_break();
                let alt = escape_inline(alt.as_deref().unwrap_or_default());
                // A width in per cent of the text's width carries over; pixels do not.
                let width = width
                    .filter(|w| w.ends_with('%'))
                    .map(|w| format!(" \"width={w}\""))
                    .unwrap_or_default();
                self.write(&format!("![{alt}](figures/{file}{width})"));
                self.block_break();
                self.images.push(src);
            }
            "html" | "head" | "body" | "thead" | "tbody" => {}
            other => {
                self.dropped.insert(other.to_string());
            }
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "p" | "div" => self.block_break(),
            "i" | "em" => self.close("*"),
            "b" | "strong" => self.close("**"),
            "sub" => self.close("~"),
            "sup" => self.close("^"),
            "ul" | "ol" => {
                self.lists.pop();
                self.block_break();
            }
            "a" => {
                if let Some(Some(url)) = self.links.pop() {
                    self.close(&format!("]({url})"));
                }
            }
            "th" | "td" => {
                if let (Some(rows), Some(cell)) = (&mut self.table, self.cell.take())
                    && let Some(row) = rows.last_mut()
                {
                    row.push(cell.trim().replace('|', "\\|"));
                }
            }
            "table" => {
                if let Some(rows) = self.table.take() {
                    self.write(&pipe_table(&rows));
                    self.block_break();
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, clean: &dyn Fn(&str) -> String) {
        if text.trim().is_empty() && self.pending.is_empty() {
            if !text.is_empty()
                && !self.current().ends_with([' ', '\n'])
                && !self.current().is_empty()
            {
                self.write(" ");
            }
            return;
        }
        let lead = &text[..text.len() - text.trim_start().len()];
        let markers = std::mem::take(&mut self.pending);
        let mut escaped = text_and_formulas(text.trim_start(), clean);
        // Text that opens a paragraph must not open a list or a heading (`2. …`); a
        // formula opening it (`$$…$$`, an unescaped `$`) stays one.
        let block_start = self.out.is_empty() || self.out.ends_with("\n\n");
        let text_first = markers.is_empty() && !escaped.starts_with('$');
        if self.cell.is_none() && self.lists.is_empty() && text_first && block_start {
            escaped = guard_block_start(&escaped).0;
        }
        self.write(&format!("{lead}{markers}{escaped}"));
    }

    /// Closes a marker: after the text's last non-space, or not at all where the
    /// element held no text (its opening marker is still pending).
    fn close(&mut self, marker: &str) {
        let opening = if marker.starts_with(']') { "[" } else { marker };
        if let Some(at) = self.pending.rfind(opening) {
            self.pending.replace_range(at..at + opening.len(), "");
            return;
        }
        let target = self.current_mut();
        let trimmed = target.trim_end().len();
        let trailing = target[trimmed..].to_string();
        target.truncate(trimmed);
        target.push_str(marker);
        target.push_str(&trailing);
    }

    fn item(&mut self) {
        self.line_break();
        let depth = self.lists.len().saturating_sub(1);
        let marker = match self.lists.last_mut() {
            Some(Some(n)) => {
                *n += 1;
                format!("{}. ", *n - 1)
            }
            _ => "- ".to_string(),
        };
        let indent = "   ".repeat(depth);
        self.write(&format!("{indent}{marker}"));
    }

    fn current(&self) -> &str {
        self.cell.as_deref().unwrap_or(&self.out)
    }

    fn current_mut(&mut self) -> &mut String {
        match &mut self.cell {
            Some(cell) => cell,
            None => &mut self.out,
        }
    }

    fn write(&mut self, text: &str) {
        self.current_mut().push_str(text);
    }

    /// A new block: a blank line, unless one is there already (or nothing is).
    fn block_break(&mut self) {
        if self.cell.is_some() {
            return self.write(" ");
        }
        let trimmed = self.out.trim_end_matches([' ', '\n']).len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
    }

    /// A new line within a block (a list's items).
    fn line_break(&mut self) {
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn finish(self) -> Converted {
        Converted {
            markdown: self.out.trim().to_string(),
            dropped: self.dropped,
            images: self.images,
        }
    }
}

/// A pipe table, its first row the header.
fn pipe_table(rows: &[Vec<String>]) -> String {
    let rows: Vec<&Vec<String>> = rows.iter().filter(|r| !r.is_empty()).collect();
    let Some(header) = rows.first() else {
        return String::new();
    };
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let line = |row: &Vec<String>| {
        let cells: Vec<&str> = (0..width)
            .map(|i| row.get(i).map_or("", String::as_str))
            .collect();
        format!("| {} |", cells.join(" | "))
    };
    let mut out = vec![line(header), format!("|{}", "---|".repeat(width))];
    out.extend(rows[1..].iter().map(|r| line(r)));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> Converted {
        to_markdown(html, &|s: &str| s.to_string())
    }

    #[test]
    fn inline_tags_become_markdown() {
        let c = md(
            "<p>The <i>COL1A1</i> gene (<i>P</i> &lt; 0.05, <b>n = 12</b>), CO<sub>2</sub> and Ca<sup>2+</sup>.</p>",
        );
        assert_eq!(
            c.markdown,
            "The *COL1A1* gene (*P* < 0.05, **n = 12**), CO~2~ and Ca^2+^."
        );
        assert!(c.dropped.is_empty());
    }

    #[test]
    fn spaces_stay_outside_the_markers() {
        assert_eq!(md("a<i> b </i>c").markdown, "a *b* c");
        assert_eq!(md("<p>x<i></i>y</p>").markdown, "xy");
    }

    #[test]
    fn paragraphs_lists_and_tables() {
        let c = md(
            "<p>One</p><p>Two<br>Three</p><ul><li>a</li><li>b</li></ul><ol><li>x</li><li>y</li></ol>\
                    <table><tr><th>Group</th><th>n</th></tr><tr><td>A|B</td><td>12</td></tr></table>",
        );
        assert_eq!(
            c.markdown,
            "One\n\nTwo\n\nThree\n\n- a\n- b\n\n1. x\n2. y\n\n| Group | n |\n|---|---|\n| A\\|B | 12 |"
        );
    }

    #[test]
    fn links_images_and_dropped_tags() {
        let c = md(
            "<p>See <a href=\"https://doi.org/10.1/x\">the paper</a> and <a href=\"javascript:x\">this</a>.</p>\
                    <img src=\"C:\\pics\\fig1.png\" alt=\"Figure\" width=\"60%\"><p><span style=\"color:red\">red</span> <u>under</u></p>",
        );
        assert_eq!(
            c.markdown,
            "See [the paper](https://doi.org/10.1/x) and this.\n\n![Figure](figures/fig1.png \"width=60%\")\n\nred under"
        );
        assert_eq!(c.images, ["C:\\pics\\fig1.png"]);
        assert_eq!(c.dropped.iter().collect::<Vec<_>>(), ["span", "u"]);
    }

    #[test]
    fn text_is_escaped_not_read_as_markup() {
        assert_eq!(
            md("<p>$\\beta$-CTX and $$E = mc^2$$, $\\{a\\}$</p>").markdown,
            "$\\beta$-CTX and $$E = mc^2$$, $\\{a\\}$"
        );
        assert_eq!(
            md("<p>a*b*c $5 #x &lt;y&gt;</p>").markdown,
            "a\\*b\\*c \\$5 #x \\<y>"
        );
        assert!(is_html("<p>x</p>") && is_html("a<br/>b") && !is_html("P<0.05 and a>b"));
    }
}
