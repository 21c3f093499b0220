//! Opening a written PDF with hayro-syntax, whose cross-reference table is read lazily:
//! only the objects asked for are parsed (a tagged book is mostly structure no check
//! reads). Its parser recurses into nested arrays and dictionaries, and through the page
//! tree, without a limit, so bytes are checked for both before it sees them.

use hayro_syntax::Pdf;
use hayro_syntax::object::Dict;

use super::boxes::PdfBoxError;

/// Arrays and dictionaries nested deeper than this are refused: real PDFs nest a few
/// levels, and the parser's recursion would overflow a thread's stack long before
/// 100,000.
const MAX_NESTING: usize = 64;

/// More Pages nodes than this are refused: the page tree is read recursively, about a
/// kilobyte of stack a level, and a thread may have only 2 MB. (Typst writes one.)
const MAX_PAGES_NODES: usize = 512;

/// The parsed PDF, its pages read from the page tree.
pub(crate) fn open(pdf: &[u8]) -> Result<Pdf, PdfBoxError> {
    check_nesting(pdf)?;
    check_page_nodes(pdf)?;
    let doc = Pdf::new(pdf.to_vec())
        .map_err(|e| PdfBoxError::Read(format!("not a readable PDF: {e:?}")))?;
    check_page_count(&doc)?;
    Ok(doc)
}

fn check_page_nodes(pdf: &[u8]) -> Result<(), PdfBoxError> {
    // Every Pages node names its type; so does the catalog's /Pages key, once.
    let nodes = memchr::memmem::find_iter(pdf, b"/Pages").count();
    match nodes > MAX_PAGES_NODES {
        true => Err(PdfBoxError::Read(format!(
            "a page tree of {nodes} nodes (at most {MAX_PAGES_NODES})"
        ))),
        false => Ok(()),
    }
}

/// A page tree that loops (or lies) gives fewer pages than it declares: such a file is
/// not checked as if its pages were all there.
fn check_page_count(doc: &Pdf) -> Result<(), PdfBoxError> {
    let declared = doc
        .xref()
        .get::<Dict<'_>>(doc.xref().root_id())
        .and_then(|catalog| catalog.get::<Dict<'_>>(b"Pages"))
        .and_then(|pages| pages.get::<usize>(b"Count"));
    let found = doc.pages().len();
    if found == 0 || declared.is_some_and(|n| n != found) {
        let declared = declared.map_or("no".into(), |n| n.to_string());
        let message = format!("the page tree declares {declared} pages but holds {found}");
        return Err(PdfBoxError::Read(message));
    }
    Ok(())
}

/// Refuses `bytes` (a file or a decoded content stream) if arrays and dictionaries
/// nest deeper than [`MAX_NESTING`].
pub(crate) fn check_nesting(bytes: &[u8]) -> Result<(), PdfBoxError> {
    match max_nesting(bytes) > MAX_NESTING {
        true => Err(PdfBoxError::Read(format!(
            "arrays or dictionaries nested deeper than {MAX_NESTING}"
        ))),
        false => Ok(()),
    }
}

/// The deepest nesting of `[` and `<<`, outside strings, comments, stream data and
/// inline-image data.
fn max_nesting(bytes: &[u8]) -> usize {
    let special = |b: &u8| matches!(b, b'[' | b']' | b'<' | b'>' | b'(' | b'%' | b's' | b'I');
    let (mut depth, mut deepest, mut at) = (0usize, 0, 0);
    // Jumping to the next byte that can matter keeps this a small part of the walk.
    while let Some(skip) = bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(special))
    {
        let b = bytes[at + skip];
        at += skip + 1;
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' if bytes.get(at) == Some(&b'<') => {
                at += 1;
                depth += 1;
            }
            // A hex string: most of what a content stream shows.
            b'<' => at = find_from(bytes, at, b">").map_or(bytes.len(), |end| end + 1),
            b'>' if bytes.get(at) == Some(&b'>') => {
                at += 1;
                depth = depth.saturating_sub(1);
            }
            b'(' => at = string_end(bytes, at),
            b'%' => at = find_from(bytes, at, b"\n").unwrap_or(bytes.len()),
            b's' if bytes[at..].starts_with(b"tream")
                && (at < 2 || !bytes[at - 2].is_ascii_alphabetic()) =>
            {
                at = find_from(bytes, at, b"endstream").unwrap_or(bytes.len());
            }
            b'I' if bytes.get(at) == Some(&b'D')
                && at >= 2
                && bytes[at - 2].is_ascii_whitespace() =>
            {
                at = find_from(bytes, at, b"EI").unwrap_or(bytes.len());
            }
            _ => {}
        }
        deepest = deepest.max(depth);
    }
    deepest
}

/// The end of a literal string whose `(` is before `at`: parentheses nest, a backslash
/// escapes the byte after it.
fn string_end(bytes: &[u8], mut at: usize) -> usize {
    let mut open = 1usize;
    while let Some(&b) = bytes.get(at) {
        at += 1;
        match b {
            b'\\' => at += 1,
            b'(' => open += 1,
            b')' => {
                open -= 1;
                if open == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    at
}

fn find_from(bytes: &[u8], at: usize, needle: &[u8]) -> Option<usize> {
    Some(at + memchr::memmem::find(&bytes[at.min(bytes.len())..], needle)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_skips_strings_streams_and_inline_images() {
        assert_eq!(max_nesting(b"<< /A [1 [2]] /B << >> >>"), 3);
        assert_eq!(max_nesting(b"[(a [[[ \\) (( ))] % [[[[\n"), 1);
        assert_eq!(max_nesting(b"<</Length 4>>stream\n[[[[\nendstream"), 1);
        assert_eq!(max_nesting(b"BI /W 1 ID [[[[ EI Q"), 0);
        assert_eq!(max_nesting(b"<4142> [<43>]"), 1);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(check_nesting(deep.as_bytes()).is_err());
    }
}
