//! LaTeX math → Typst math, for `$…$` and `$$…$$`: mitex converts, this module checks.
//!
//! The layout evaluates the result (`formula` in layouts/lib/style.typ), so it must be
//! math and nothing else. mitex copies some LaTeX into Typst as it stands
//! (`\iftypst … \fi`, `\label{…}`, `\includegraphics{…}`), and Typst math calls any
//! function it names (`read("/etc/passwd")`). So a formula is set only if
//! - its source has none of the commands that copy, and mitex converts it;
//! - the Typst parses without errors;
//! - every name in it is one of mitex's command table (what layouts/lib/mitex/
//!   defines, or Typst's own symbols and math functions), and every command has its
//!   arguments (else the layout's error could not say where the formula is);
//! - every `#` starts a text call (`#textbf[…]`, from `\textbf{…}`) or an inline
//!   equation (from `\text{$…$}`), and their text is text: no heading, list item,
//!   label or reference, which would reach the book's outline or cross-references.
//!
//! Symbols that Typst 0.15 renamed are then renamed: mitex 0.2.4 writes the names of
//! its own command table, whatever spec it is given.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::panic;
use std::sync::LazyLock;

use mitex::{ArgPattern, ArgShape, CommandSpecItem};
use thiserror::Error;
use typst::syntax::{LinkedNode, SyntaxKind, parse_math};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the formula `{tex}` cannot be set: {message}")]
pub struct MathError {
    pub tex: String,
    pub message: String,
}

/// The formula `tex` (LaTeX, without its `$`) as Typst math, for
/// `eval(…, mode: "math", scope: mitex-scope)`.
pub fn to_typst(tex: &str) -> Result<String, MathError> {
    let refuse = |message: String| MathError {
        tex: tex.to_string(),
        message,
    };
    check_source(tex).map_err(refuse)?;
    let typst = convert(tex).map_err(refuse)?;
    let root = parse_math(&typst);
    if let Some(e) = root.errors_and_warnings().0.first() {
        return Err(refuse(format!("its Typst does not parse: {}", e.message)));
    }
    let mut renames = Vec::new();
    check(&LinkedNode::new(&root), &mut renames).map_err(refuse)?;
    Ok(rename(typst, renames))
}

/// Where symbols that Typst 0.15 renamed stand in the Typst, with their new names.
type Renames = Vec<(Range<usize>, &'static str)>;

/// Commands whose argument mitex copies into Typst code unchecked (`\caption` also
/// panics it).
const COPYING: &[&str] = &["label", "includegraphics", "caption"];

/// How long a formula may be, and how deep its groups may nest: mitex's parser
/// recurses, and a stack overflow aborts the program, which `catch_unwind` cannot
/// stop. Unchecked, 7000 characters of `x^x^x^…` overflow a 2 MB thread stack, and
/// 3000 nested `\begin{matrix}`. A display formula of a page of symbols is 2000.
const MAX_CHARS: usize = 2000;
const MAX_DEPTH: usize = 64;

/// Refuses what mitex would copy into Typst as it stands, what would overflow its
/// stack, and braces that do not pair (which mitex would quietly close).
fn check_source(tex: &str) -> Result<(), String> {
    // Also inside a macro's body (`\def\x{\iftypst …}`), hence any occurrence.
    if tex.contains("iftypst") {
        return Err("`\\iftypst` is not allowed in a formula".into());
    }
    if let Some(name) = commands(tex).find(|name| COPYING.contains(name)) {
        return Err(format!("`\\{name}` is not allowed in a formula"));
    }
    if tex.chars().count() > MAX_CHARS {
        return Err(format!("it is longer than {MAX_CHARS} characters"));
    }
    nesting(tex)
}

/// The names of the commands in `tex` (`frac` for `\frac`).
fn commands(tex: &str) -> impl Iterator<Item = &str> {
    tex.split('\\').skip(1).map(command_name)
}

/// The command name `rest` (the text after a backslash) opens with: its letters, or
/// else its first character (`{` of `\{`).
fn command_name(rest: &str) -> &str {
    match rest.find(|c: char| !c.is_ascii_alphabetic()) {
        Some(0) => &rest[..rest.chars().next().map_or(0, char::len_utf8)],
        Some(end) => &rest[..end],
        None => rest,
    }
}

/// Checks that braces pair and that groups (braces, brackets, parentheses,
/// `\left…\right`, `\begin…\end`) nest at most `MAX_DEPTH` deep.
fn nesting(tex: &str) -> Result<(), String> {
    let (mut depth, mut braces) = (0usize, 0usize);
    let mut rest = tex;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        let step = match c {
            '\\' => {
                let name = command_name(rest);
                rest = &rest[name.len()..];
                match name {
                    "left" | "begin" => 1,
                    "right" | "end" => -1,
                    _ => 0,
                }
            }
            // A comment, to the end of its line.
            '%' => {
                rest = rest.find('\n').map_or("", |end| &rest[end..]);
                0
            }
            '{' => {
                braces += 1;
                1
            }
            '}' if braces == 0 => return Err("a `}` closes no `{`".into()),
            '}' => {
                braces -= 1;
                -1
            }
            '(' | '[' => 1,
            ')' | ']' => -1,
            _ => 0,
        };
        depth = depth.saturating_add_signed(step);
        if depth > MAX_DEPTH {
            return Err(format!("its groups nest more than {MAX_DEPTH} deep"));
        }
    }
    match braces {
        0 => Ok(()),
        _ => Err("a `{` is never closed".into()),
    }
}

/// mitex's conversion; its message, or a panic, as the reason.
fn convert(tex: &str) -> Result<String, String> {
    // mitex `expect`s well-formed input in places (`\begin{tabular}a`).
    match panic::catch_unwind(|| mitex::convert_math(tex, None)) {
        Ok(Ok(typst)) => Ok(typst),
        Ok(Err(message)) => Err(message
            .strip_prefix("error: ")
            .unwrap_or(&message)
            .to_string()),
        Err(_) => Err("mitex cannot read it".into()),
    }
}

/// Checks `node` and what it holds (see the module's comment), gathering the
/// symbols to rename.
fn check(node: &LinkedNode, renames: &mut Renames) -> Result<(), String> {
    match node.kind() {
        SyntaxKind::MathIdent | SyntaxKind::MathFieldAccess => return name(node, renames),
        SyntaxKind::MathCall => arguments(node)?,
        SyntaxKind::Hash => return embedded(node, renames),
        SyntaxKind::Heading => return Err(markup("a heading", node)),
        SyntaxKind::ListItem | SyntaxKind::EnumItem | SyntaxKind::TermItem => {
            return Err(markup("a list item", node));
        }
        SyntaxKind::Label => return Err(markup("a label", node)),
        SyntaxKind::Ref => return Err(markup("a reference", node)),
        _ => {}
    }
    let mut children = node.children();
    while let Some(child) = children.next() {
        check(&child, renames)?;
        if child.kind() == SyntaxKind::Hash {
            // `embedded` checked the code after the `#`.
            children.next();
        }
    }
    Ok(())
}

/// Why text in a formula that Typst would read as markup `what` is refused.
fn markup(what: &str, node: &LinkedNode) -> String {
    format!("its text would be {what} (`{}`)", text(node))
}

/// A symbol or function: one that mitex's command table names.
fn name(node: &LinkedNode, renames: &mut Renames) -> Result<(), String> {
    let text = text(node);
    if !NAMES.contains(text.as_str()) {
        return Err(format!(
            "mitex made it `{text}`, which is not a symbol or function of its own"
        ));
    }
    if let Some((_, new)) = RENAMES.iter().find(|(old, _)| *old == text.as_str()) {
        renames.push((node.range(), new));
    }
    Ok(())
}

/// The names mitex writes in math: those in its command table's aliases (`tilde.op`
/// of `::tilde.op`), or the commands' own where they have none, and those its
/// converter writes itself (`lr` for `\left`, `zws` for `{}`, `space.nobreak` for
/// `~`). Not those of aliases that are code (`#heading(level: 1)` of `\section`):
/// `heading(…)` in math would be a heading.
static NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let table = mitex_spec_gen::DEFAULT_SPEC.items().map(|(name, item)| {
        let alias = match item {
            CommandSpecItem::Cmd(shape) => shape.alias.as_deref(),
            CommandSpecItem::Env(shape) => shape.alias.as_deref(),
        };
        alias.unwrap_or(name).to_string()
    });
    let converter = ["lr", "zws", "space.nobreak"].map(String::from);
    let is_name = |c: char| c.is_alphanumeric() || c == '.';
    table
        .filter(|alias| !alias.starts_with('#'))
        .chain(converter)
        .flat_map(|alias| {
            alias
                .split(|c| !is_name(c))
                .map(|name| name.trim_matches('.').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|name| !name.is_empty())
        .collect()
});

/// A call of a command that takes a fixed number of arguments must have them all:
/// mitex writes `frac(a )` for `\frac{a}`, and the layout's error would not say which
/// formula of which record it is in.
fn arguments(call: &LinkedNode) -> Result<(), String> {
    let mut parts = call.children();
    let (Some(callee), Some(args)) = (parts.next(), parts.next()) else {
        return Ok(());
    };
    let Some(Some(arity)) = ARITIES.get(text(&callee).as_str()) else {
        return Ok(());
    };
    let mut inner = args.children().filter(|a| !is_punctuation(a.kind()));
    let commas = args.children().filter(|a| a.kind() == SyntaxKind::Comma);
    let given = match inner.next() {
        None => 0,
        Some(_) => 1 + commas.count(),
    };
    if given == arity.count || arity.commands.is_empty() {
        return Ok(());
    }
    let commands: Vec<String> = arity.commands.iter().map(|c| format!("`\\{c}`")).collect();
    let plural = if arity.count == 1 { "" } else { "s" };
    Err(format!(
        "{} takes {} argument{plural}, not {given}",
        commands.join(" or "),
        arity.count
    ))
}

/// How many arguments a call of a command's alias has, and the commands that can
/// lack some (`\frac`; not `\over`, whose call, `frac`, always has both).
struct Arity {
    count: usize,
    commands: Vec<String>,
}

/// The arity of each alias that mitex writes as a call with a fixed number of
/// arguments; `None` where commands with that alias take a varying number.
static ARITIES: LazyLock<HashMap<String, Option<Arity>>> = LazyLock::new(|| {
    let mut arities: HashMap<String, Option<Arity>> = HashMap::new();
    for (name, item) in mitex_spec_gen::DEFAULT_SPEC.items() {
        let CommandSpecItem::Cmd(shape) = item else {
            continue;
        };
        let (count, can_lack) = match &shape.args {
            // Written as a name, not a call (`\alpha`).
            ArgShape::Right {
                pattern: ArgPattern::None,
            } => continue,
            ArgShape::Right {
                pattern: ArgPattern::FixedLenTerm { len },
            } => (Some(usize::from(*len)), true),
            ArgShape::InfixGreedy => (Some(2), false),
            ArgShape::Left1 => (Some(1), false),
            ArgShape::Right { .. } => (None, false),
        };
        let alias = shape.alias.as_deref().unwrap_or(name).to_string();
        let entry = arities.entry(alias).or_insert_with(|| {
            count.map(|count| Arity {
                count,
                commands: Vec::new(),
            })
        });
        match entry {
            Some(arity) if Some(arity.count) == count => {
                if can_lack {
                    arity.commands.push(name.to_string());
                    arity.commands.sort();
                }
            }
            _ => *entry = None,
        }
    }
    arities
});

/// The functions that `\text{…}`, `\textbf{…}` and the like become, called on text.
const TEXT_CALLS: &[&str] = &[
    "textmath",
    "textbf",
    "textit",
    "textsf",
    "texttt",
    "textrm",
    "textmd",
    "textnormal",
    "textup",
    "strong",
    "emph",
];

/// The code after `#` (at `hash`): a text call, or the inline equation
/// `math.equation(block: false, $…$)`; their text is checked in turn.
fn embedded(hash: &LinkedNode, renames: &mut Renames) -> Result<(), String> {
    let code = hash.next_sibling();
    let body = code.as_ref().and_then(|code| match code.kind() {
        SyntaxKind::FuncCall => call_body(code),
        _ => None,
    });
    match body {
        Some(body) => body.into_iter().try_for_each(|b| check(&b, renames)),
        None => {
            let text = code.map(|c| text(&c)).unwrap_or_default();
            Err(format!("mitex made it Typst code (`#{text}`)"))
        }
    }
}

/// What a call that `embedded` allows sets (its content blocks, or its equation);
/// `None` for any other call.
fn call_body<'a>(call: &LinkedNode<'a>) -> Option<Vec<LinkedNode<'a>>> {
    let mut parts = call.children();
    let (callee, args) = (parts.next()?, parts.next()?);
    let args: Vec<LinkedNode> = args
        .children()
        .filter(|a| !is_punctuation(a.kind()))
        .collect();
    let callee_text = text(&callee);
    let text_call =
        callee.kind() == SyntaxKind::Ident && TEXT_CALLS.contains(&callee_text.as_str());
    if text_call && args.iter().all(|a| a.kind() == SyntaxKind::ContentBlock) {
        return Some(args);
    }
    match args.as_slice() {
        [named, equation]
            if callee_text == "math.equation"
                && text(named) == "block: false"
                && equation.kind() == SyntaxKind::Equation =>
        {
            Some(vec![equation.clone()])
        }
        _ => None,
    }
}

/// What separates a call's arguments.
fn is_punctuation(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SyntaxKind::LeftParen | SyntaxKind::RightParen | SyntaxKind::Comma
    ) || kind.is_trivia()
}

/// The source text of `node`.
fn text(node: &LinkedNode) -> String {
    node.get().full_text().to_string()
}

/// Names mitex 0.2.4 writes that Typst 0.15 removed or deprecated, with the new ones
/// (layouts/lib/mitex/latex/standard.typ has the same renames).
const RENAMES: &[(&str, &str)] = &[
    ("angle.l", "chevron.l"),
    ("angle.r", "chevron.r"),
    ("sect", "inter"),
    ("sect.double", "inter.double"),
    ("sect.big", "inter.big"),
    ("sect.sq", "inter.sq"),
    ("plus.circle", "plus.o"),
    ("plus.circle.big", "plus.o.big"),
    ("minus.circle", "minus.o"),
    ("dot.circle", "dot.o"),
    ("dot.circle.big", "dot.o.big"),
    ("times.circle", "times.o"),
    ("times.circle.big", "times.o.big"),
    ("ast.circle", "ast.op.o"),
    ("dash.circle", "dash.o"),
    ("circle.nested", "compose.o"),
    ("bracket.l.double", "bracket.l.stroked"),
    ("bracket.r.double", "bracket.r.stroked"),
    ("arrow.l.dash", "arrow.l.dashed"),
    ("arrow.r.dash", "arrow.r.dashed"),
    ("planck.reduce", "planck"),
    ("ohm.inv", "Omega.inv"),
    ("diff", "partial"),
    ("join", "bowtie.big"),
    ("gt.tri", "gt.closed"),
    ("gt.tri.eq", "gt.closed.eq"),
    ("gt.tri.eq.not", "gt.closed.eq.not"),
    ("gt.tri.not", "gt.closed.not"),
    ("lt.tri", "lt.closed"),
    ("lt.tri.eq", "lt.closed.eq"),
    ("lt.tri.eq.not", "lt.closed.eq.not"),
    ("lt.tri.not", "lt.closed.not"),
    ("tack.r.double", "tack.rr"),
    ("tack.r.double.not", "tack.rr.not"),
];

/// `typst` with the `renames` (ranges in it, in order) made.
fn rename(mut typst: String, renames: Renames) -> String {
    for (range, new) in renames.into_iter().rev() {
        typst.replace_range(range, new);
    }
    typst
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The conversion, spaces taken out (mitex spaces generously).
    fn typst(tex: &str) -> String {
        let typst = to_typst(tex).unwrap_or_else(|e| panic!("{e}"));
        typst.split_whitespace().collect()
    }

    /// The reason `tex` is refused; the message names the formula.
    fn refusal(tex: &str) -> String {
        let e = to_typst(tex).expect_err(tex);
        assert_eq!(e.tex, tex);
        assert!(e.to_string().contains(&format!("`{tex}`")), "{e}");
        e.message
    }

    #[test]
    fn latex_becomes_typst_math() {
        assert_eq!(typst(r"\beta"), "beta");
        assert_eq!(typst(r"\geq"), ">=");
        assert_eq!(typst(r"\frac{a}{b}"), "frac(a,b)");
        assert_eq!(typst(r"\mathrm{CO}_2"), "upright(CO)_(2)");
        assert_eq!(typst(r"\sum_{i=1}^n x_i"), "sum_(i=1)^(n)x_(i)");
        assert_eq!(typst(r"\text{if } x>0"), "#textmath[if];x>0");
        assert_eq!(typst(r"\left\{ x \right."), r"lr(\{x)");
    }

    #[test]
    fn symbols_get_their_typst_015_names() {
        assert_eq!(
            typst(r"\langle x \rangle \cap \oplus \partial \hbar"),
            "chevron.lxchevron.rinterplus.opartialplanck"
        );
    }

    #[test]
    fn commands_that_copy_typst_are_refused() {
        let read = r#"\iftypst #read("/etc/passwd")\fi"#;
        assert_eq!(refusal(read), r"`\iftypst` is not allowed in a formula");
        let img = r"\includegraphics{x}";
        assert_eq!(
            refusal(img),
            r"`\includegraphics` is not allowed in a formula"
        );
        assert_eq!(
            refusal(r"\label{x}"),
            r"`\label` is not allowed in a formula"
        );
        assert!(refusal(r"\text{\section{a}}").contains("#heading(level: 1)[a]"));
        assert!(refusal(r"\begin{figure}x\end{figure}").contains("#figure"));
    }

    #[test]
    fn text_that_typst_would_read_as_markup_is_refused() {
        assert!(refusal(r"\text{= heading}").contains("a heading"));
        assert!(refusal(r"\text{- item}").contains("a list item"));
        assert!(refusal(r"\text{<lab>}").contains("a label"));
    }

    #[test]
    fn braces_must_pair() {
        assert_eq!(refusal(r"\frac{a}{b"), "a `{` is never closed");
        assert_eq!(refusal("a}"), "a `}` closes no `{`");
        assert_eq!(typst(r"\{a\} \% {b} % comment {"), r"\{a\}%b");
    }

    #[test]
    fn commands_need_all_their_arguments() {
        assert_eq!(refusal(r"\frac{a}"), r"`\frac` takes 2 arguments, not 1");
        assert_eq!(refusal(r"\frac"), r"`\frac` takes 2 arguments, not 0");
        assert_eq!(
            refusal(r"x\overline"),
            r"`\overline` takes 1 argument, not 0"
        );
        assert_eq!(typst(r"\frac{a, b}{\hat{c}}"), r"frac(a\,b,hat(c))");
    }

    #[test]
    fn unknown_commands_are_refused() {
        assert_eq!(
            refusal(r"\unknowncommand"),
            r"unknown command: \unknowncommand"
        );
    }

    #[test]
    fn what_would_overflow_mitex_is_refused_first() {
        assert!(refusal(&"x^".repeat(10_000)).contains("longer than 2000 characters"));
        let deep = "{".repeat(65) + &"}".repeat(65);
        assert!(refusal(&deep).contains("nest more than 64 deep"));
        let matrices = r"\begin{matrix}".repeat(65);
        assert!(refusal(&matrices).contains("nest more than 64 deep"));
    }

    #[test]
    fn a_mitex_panic_is_a_refusal() {
        assert_eq!(
            refusal(r"\begin{tabular}a\end{tabular}"),
            "mitex cannot read it"
        );
    }
}
