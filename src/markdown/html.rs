//! Record Markdown → HTML, for `dump --format csv`: the cells `import` reads back into
//! the same Markdown (see `import::html`), so a project round-trips through a
//! spreadsheet however rich its text.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// `text` (a field or a record's paragraphs joined by blank lines) as HTML.
/// Sub/superscript markers (`~2~`) and formulas (`$…$`) are written as import reads
/// them back: as they are.
pub fn to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    // Tight list items hold their text without a paragraph.
    let mut in_cell_row_head = false;
    for event in Parser::new_ext(text, super::options()) {
        match event {
            Event::Start(tag) => out.push_str(&open(&tag, &mut in_cell_row_head)),
            Event::End(tag) => out.push_str(&close(tag, in_cell_row_head)),
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                out.push_str(&escape(&t))
            }
            Event::InlineMath(t) => out.push_str(&format!("${}$", escape(&t))),
            Event::DisplayMath(t) => out.push_str(&format!("<p>$${}$$</p>", escape(&t))),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push_str("<br>"),
            _ => {}
        }
    }
    out
}

fn open(tag: &Tag, head: &mut bool) -> String {
    match tag {
        Tag::Paragraph => "<p>".into(),
        Tag::Emphasis => "<i>".into(),
        Tag::Strong => "<b>".into(),
        Tag::List(None) => "<ul>".into(),
        Tag::List(Some(1)) => "<ol>".into(),
        Tag::List(Some(n)) => format!("<ol start=\"{n}\">"),
        Tag::Item => "<li>".into(),
        Tag::Table(_) => "<table>".into(),
        Tag::TableHead => {
            *head = true;
            "<tr>".into()
        }
        Tag::TableRow => {
            *head = false;
            "<tr>".into()
        }
        Tag::TableCell if *head => "<th>".into(),
        Tag::TableCell => "<td>".into(),
        Tag::Link { dest_url, .. } => format!("<a href=\"{}\">", escape(dest_url)),
        Tag::Image {
            dest_url, title, ..
        } => {
            let src = dest_url.strip_prefix("figures/").unwrap_or(dest_url);
            let width = title
                .strip_prefix("width=")
                .map(|w| format!(" width=\"{}\"", escape(w)))
                .unwrap_or_default();
            format!("<img src=\"{}\"{width} alt=\"", escape(src))
        }
        _ => String::new(),
    }
}

fn close(tag: TagEnd, head: bool) -> String {
    match tag {
        TagEnd::Paragraph => "</p>",
        TagEnd::Emphasis => "</i>",
        TagEnd::Strong => "</b>",
        TagEnd::List(false) => "</ul>",
        TagEnd::List(true) => "</ol>",
        TagEnd::Item => "</li>",
        TagEnd::Table => "</table>",
        TagEnd::TableHead | TagEnd::TableRow => "</tr>",
        TagEnd::TableCell if head => "</th>",
        TagEnd::TableCell => "</td>",
        TagEnd::Link => "</a>",
        TagEnd::Image => "\">",
        _ => "",
    }
    .into()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_as_html() {
        assert_eq!(
            to_html("The *Sost* gene, **n = 12**, H~2~O, $\\beta$ & <x>"),
            "<p>The <i>Sost</i> gene, <b>n = 12</b>, H~2~O, $\\beta$ &amp; &lt;x&gt;</p>"
        );
        assert_eq!(
            to_html("- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |"),
            "<ul><li>a</li><li>b</li></ul><table><tr><th>x</th><th>y</th></tr><tr><td>1</td><td>2</td></tr></table>"
        );
        assert_eq!(
            to_html("![A plan](figures/plan.png \"width=60%\")"),
            "<p><img src=\"plan.png\" width=\"60%\" alt=\"A plan\"></p>"
        );
    }
}
