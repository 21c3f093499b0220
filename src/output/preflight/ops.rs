//! A content-stream reader made for preflight: it yields each operator with its
//! numeric operands and its first name operand, and steps over strings, arrays,
//! dictionaries and inline-image data without building them. A general parser
//! (lopdf's) builds every operand as an object; the booklet's 80,000 operations made
//! that most of preflight's time, for text the checks never read.

use std::borrow::Cow;

use thiserror::Error;

/// A malformed content stream; `at` is a byte offset into the decoded stream.
#[derive(Debug, Error, PartialEq)]
#[error("{what} at byte {at}")]
pub struct ContentError {
    pub what: &'static str,
    pub at: usize,
}

/// One operation: `operator` with the operands preflight reads.
#[derive(Debug, PartialEq)]
pub struct Op<'a> {
    pub operator: &'a [u8],
    /// The numeric operands in order (others, such as a pattern name, drop out).
    pub numbers: Vec<f64>,
    /// The first name operand, `#xx` escapes decoded (`/F1`, `/Im3`, `/DeviceRGB`).
    pub name: Option<Cow<'a, [u8]>>,
}

/// The operations of a decoded content stream, in order.
pub fn operations(bytes: &[u8]) -> Ops<'_> {
    Ops { bytes, at: 0 }
}

pub struct Ops<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// One lexical token; compound objects and strings are stepped over whole.
enum Token<'a> {
    Number(f64),
    Name(Cow<'a, [u8]>),
    /// A string, array, dictionary, boolean or null: an operand preflight ignores.
    Skipped,
    Keyword(&'a [u8]),
}

impl<'a> Iterator for Ops<'a> {
    type Item = Result<Op<'a>, ContentError>;

    fn next(&mut self) -> Option<Self::Item> {
        let op = self.operation();
        if op.is_err() {
            // A malformed stream is not resynchronised: what follows is garbage.
            self.at = self.bytes.len();
        }
        op.transpose()
    }
}

impl<'a> Ops<'a> {
    /// The next operation with its operands; `None` at the end, where operands left
    /// without an operator are ignored, as viewers do.
    fn operation(&mut self) -> Result<Option<Op<'a>>, ContentError> {
        let mut numbers = Vec::new();
        let mut name = None;
        while let Some(token) = self.token()? {
            match token {
                Token::Number(n) => numbers.push(n),
                Token::Name(n) => {
                    name.get_or_insert(n);
                }
                Token::Skipped => {}
                Token::Keyword(b"BI") => {
                    self.skip_inline_image()?;
                    numbers.clear();
                    name = None;
                }
                Token::Keyword(operator) => {
                    return Ok(Some(Op {
                        operator,
                        numbers,
                        name,
                    }));
                }
            }
        }
        Ok(None)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn error(&self, what: &'static str) -> ContentError {
        ContentError { what, at: self.at }
    }

    /// Steps over white space and comments.
    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            if is_space(b) {
                self.at += 1;
            } else if b == b'%' {
                while self.peek().is_some_and(|b| b != b'\n' && b != b'\r') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    fn token(&mut self) -> Result<Option<Token<'a>>, ContentError> {
        self.skip_space();
        let Some(b) = self.peek() else {
            return Ok(None);
        };
        let token = match b {
            b'/' => {
                self.at += 1;
                Token::Name(decode_name(self.regular()))
            }
            b'(' | b'<' | b'[' => {
                self.skip_object()?;
                Token::Skipped
            }
            b')' | b'>' | b']' | b'{' | b'}' => return Err(self.error("unexpected delimiter")),
            _ => {
                let word = self.regular();
                match word {
                    b"true" | b"false" | b"null" => Token::Skipped,
                    _ => number(word).map_or(Token::Keyword(word), Token::Number),
                }
            }
        };
        Ok(Some(token))
    }

    /// A run of regular characters (never empty at a regular character).
    fn regular(&mut self) -> &'a [u8] {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|b| !is_space(b) && !is_delimiter(b))
        {
            self.at += 1;
        }
        &self.bytes[start..self.at]
    }

    /// Steps over one string, array or dictionary, with everything nested in it.
    fn skip_object(&mut self) -> Result<(), ContentError> {
        // Closing delimiters still expected, innermost last.
        let mut open: Vec<&'static [u8]> = Vec::new();
        loop {
            self.skip_space();
            let start = self.at;
            let rest = &self.bytes[self.at..];
            match rest {
                [] => {
                    return Err(ContentError {
                        what: "unterminated array or dictionary",
                        at: start,
                    });
                }
                [b'(', ..] => self.skip_literal_string()?,
                [b'<', b'<', ..] => {
                    self.at += 2;
                    open.push(b">>");
                }
                [b'<', ..] => self.skip_hex_string()?,
                [b'[', ..] => {
                    self.at += 1;
                    open.push(b"]");
                }
                [b']', ..] | [b'>', b'>', ..] => {
                    let close: &[u8] = if rest[0] == b']' { b"]" } else { b">>" };
                    if open.pop() != Some(close) {
                        return Err(self.error("unbalanced array or dictionary"));
                    }
                    self.at += close.len();
                }
                [b'/', ..] => {
                    self.at += 1;
                    self.regular();
                }
                [b')' | b'>' | b'{' | b'}', ..] => {
                    return Err(self.error("unexpected delimiter"));
                }
                _ => {
                    self.regular();
                }
            }
            if open.is_empty() {
                return Ok(());
            }
        }
    }

    /// `( … )`: parentheses nest, and a backslash escapes the byte after it.
    fn skip_literal_string(&mut self) -> Result<(), ContentError> {
        let start = self.at;
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'\\' => self.at += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(ContentError {
            what: "unterminated string",
            at: start,
        })
    }

    /// `< hex digits >`.
    fn skip_hex_string(&mut self) -> Result<(), ContentError> {
        let start = self.at;
        self.at += 1;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'>' => return Ok(()),
                b if b.is_ascii_hexdigit() || is_space(b) => {}
                _ => return Err(self.error("bad hex string")),
            }
        }
        Err(ContentError {
            what: "unterminated hex string",
            at: start,
        })
    }

    /// `BI` key–value pairs `ID` data `EI`: the data is binary, so its end is found by
    /// `EI` standing alone between white space (as readers do; the spec gives no
    /// length for unfiltered data).
    fn skip_inline_image(&mut self) -> Result<(), ContentError> {
        let start = self.at;
        loop {
            match self.token()? {
                Some(Token::Keyword(b"ID")) => break,
                Some(_) => {}
                None => {
                    return Err(ContentError {
                        what: "inline image without ID",
                        at: start,
                    });
                }
            }
        }
        // One white-space byte separates ID from the data.
        self.at += 1;
        let data = self.at;
        let bytes = self.bytes;
        let end = (data..bytes.len().saturating_sub(1)).find(|&i| {
            &bytes[i..i + 2] == b"EI"
                && i > data
                && is_space(bytes[i - 1])
                && bytes
                    .get(i + 2)
                    .is_none_or(|&b| is_space(b) || is_delimiter(b))
        });
        match end {
            Some(i) => {
                self.at = i + 2;
                Ok(())
            }
            None => Err(ContentError {
                what: "inline image without EI",
                at: start,
            }),
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// `12`, `-3.5`, `.25`, `+4.`: a PDF number has no exponent.
fn number(word: &[u8]) -> Option<f64> {
    let (negative, digits) = match word {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, word),
    };
    let mut mantissa = 0u64;
    let (mut count, mut decimals, mut point) = (0usize, 0usize, false);
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                count += 1;
                decimals += usize::from(point);
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    // Up to 15 digits the mantissa and the power of ten are exact doubles, so one
    // division rounds as a full parse would (Clinger's fast path); content streams
    // write a few digits, and the general parse was a quarter of preflight's time.
    if count > 15 {
        return std::str::from_utf8(word).ok()?.parse().ok();
    }
    let value = mantissa as f64 / 10f64.powi(decimals as i32);
    Some(if negative { -value } else { value })
}

/// A name's bytes with `#xx` escapes decoded, borrowed when it has none.
fn decode_name(raw: &[u8]) -> Cow<'_, [u8]> {
    if !raw.contains(&b'#') {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = raw.get(i + 1..i + 3).and_then(|h| {
            let h = std::str::from_utf8(h).ok()?;
            u8::from_str_radix(h, 16).ok()
        });
        match (raw[i], hex) {
            (b'#', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(content: &[u8]) -> Vec<(String, Vec<f64>, Option<String>)> {
        operations(content)
            .map(|op| {
                let op = op.unwrap();
                let name = op.name.map(|n| String::from_utf8_lossy(&n).into_owned());
                (
                    String::from_utf8_lossy(op.operator).into_owned(),
                    op.numbers,
                    name,
                )
            })
            .collect()
    }

    fn op(
        operator: &str,
        numbers: &[f64],
        name: Option<&str>,
    ) -> (String, Vec<f64>, Option<String>) {
        (operator.into(), numbers.to_vec(), name.map(Into::into))
    }

    #[test]
    fn numbers_names_and_operators() {
        let got = ops(b"q 1 0 0 -1 .5 +4. cm /F1 9.5 Tf\n0.2 g /Im#201 Do Q");
        assert_eq!(
            got,
            [
                op("q", &[], None),
                op("cm", &[1.0, 0.0, 0.0, -1.0, 0.5, 4.0], None),
                op("Tf", &[9.5], Some("F1")),
                op("g", &[0.2], None),
                op("Do", &[], Some("Im 1")),
                op("Q", &[], None),
            ]
        );
    }

    #[test]
    fn strings_arrays_and_dictionaries_are_stepped_over() {
        // Delimiters and operator-like words inside strings must not count.
        let content = br"BT (a \) b ( nested ) Tj ]) Tj [(x>>) -250 <41 42> (]) ] TJ
            /Span << /Alt (2 g) /K [1 2] /D <<>> >> BDC EMC <> Tj ET";
        let got = ops(content);
        let operators: Vec<&str> = got.iter().map(|o| o.0.as_str()).collect();
        assert_eq!(operators, ["BT", "Tj", "TJ", "BDC", "EMC", "Tj", "ET"]);
        assert_eq!(
            got[2].1,
            Vec::<f64>::new(),
            "numbers inside an array are not operands"
        );
        assert_eq!(got[3].2.as_deref(), Some("Span"));
    }

    #[test]
    fn comments_booleans_and_null() {
        let got = ops(b"% a comment with 1 0 0 RG\n true false null 3 w % end");
        assert_eq!(got, [op("w", &[3.0], None)]);
    }

    #[test]
    fn inline_image_data_is_skipped() {
        let content = b"q BI /W 2 /H 1 /BPC 8 /CS /G ID \x01EI Tj)\x02 EI Q 0 g";
        assert_eq!(
            ops(content),
            [
                op("q", &[], None),
                op("Q", &[], None),
                op("g", &[0.0], None)
            ]
        );
    }

    #[test]
    fn malformed_streams_are_errors_not_guesses() {
        let error = |content: &[u8]| operations(content).find_map(Result::err).map(|e| e.what);
        assert_eq!(error(b"(never closed Tj"), Some("unterminated string"));
        assert_eq!(error(b"[1 2 TJ"), Some("unterminated array or dictionary"));
        assert_eq!(
            error(b"<< /A 1 ] >> BDC"),
            Some("unbalanced array or dictionary")
        );
        assert_eq!(error(b"1 0 0 1 0 0 cm ) Tj"), Some("unexpected delimiter"));
        assert_eq!(error(b"<4G> Tj"), Some("bad hex string"));
        assert_eq!(error(b"BI /W 1 ID abc"), Some("inline image without EI"));
        // After an error the reader stops rather than resynchronising on garbage.
        assert_eq!(operations(b") Tj Q").count(), 1);
        assert_eq!(operations(b"BI /W 1 ID abc Tj Q").count(), 1);
    }

    #[test]
    fn number_is_the_exact_parse() {
        for word in [
            "0",
            "-0",
            "+7",
            "1.",
            ".5",
            "-.5",
            "0.1",
            "0.3",
            "123.456",
            "-98.7654321",
            "999999999999999",
            "0.000000000000001",
            "1234567890.12345",
            "12345678901234567890.5",
            "0.1000000000000000055511151231257827",
        ] {
            let parsed: f64 = word.parse().unwrap();
            let ours = number(word.as_bytes()).unwrap();
            assert_eq!(ours.to_bits(), parsed.to_bits(), "{word}");
        }
    }

    proptest::proptest! {
        #[test]
        fn number_matches_the_standard_parse(
            sign in "[-+]?", int in "[0-9]{0,9}", frac in proptest::option::of("[0-9]{0,9}")
        ) {
            let word = format!("{sign}{int}{}", frac.map(|f| format!(".{f}")).unwrap_or_default());
            let digits = word.bytes().any(|b| b.is_ascii_digit());
            let parsed: Option<f64> = digits.then(|| word.parse().unwrap());
            let ours = number(word.as_bytes());
            proptest::prop_assert_eq!(ours.map(f64::to_bits), parsed.map(f64::to_bits), "{}", word);
        }
    }

    #[test]
    fn number_syntax() {
        assert_eq!(number(b"-.5"), Some(-0.5));
        assert_eq!(number(b"12"), Some(12.0));
        for word in [&b"1e3"[..], b"-", b".", b"1.2.3", b"T*", b"--1"] {
            assert_eq!(number(word), None, "{}", String::from_utf8_lossy(word));
        }
    }
}
