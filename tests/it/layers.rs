//! The source's import structure: the library's stages import only downwards
//! (model, files, parallel, pdf and markdown → ingest and import → content → typeset → check → output), and no module,
//! in the library or the binary, imports one that imports it back.
//!
//! Read from the source text: an edge is a path through `crate::`, `super::` or a
//! child module's name (`mod x;` … `x::f()`) outside `#[cfg(test)]` code, pointing
//! at the deepest module the path names. Tests may use any stage as a fixture.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::common::repo;

/// The library's top-level modules, bottom to top: each may use its own rank or lower.
const LAYERS: &[(&str, usize)] = &[
    ("model", 0),
    ("files", 0),
    ("parallel", 0),
    ("pdf", 0),
    ("markdown", 0),
    ("ingest", 1),
    ("import", 1),
    ("content", 2),
    ("typeset", 3),
    ("check", 4),
    ("output", 5),
];

/// One crate's modules (`a::b`, the crate root as ""), each with its source text less
/// its test code.
fn modules(src: &Path, files: &[&Path]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        if parts.last().is_some_and(|p| p == "tests") {
            continue; // a test module in its own file
        }
        let text = fs::read_to_string(file).unwrap();
        out.insert(parts.join("::"), without_test_code(&text));
    }
    out
}

/// `text` less every item marked `#[cfg(test)]` (a module, a function, a `use`), and
/// only those: code after a test module is still read.
fn without_test_code(text: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        rest = &item[item_len(item)..];
    }
    out.push_str(rest);
    out
}

/// The length of the item `text` starts with: to its `;`, or to the `}` that closes
/// its first `{`, skipping string and character literals and comments.
fn item_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i += literal_len(&bytes[i..], b'"'),
            b'\'' if bytes.get(i + 2) == Some(&b'\'') || bytes.get(i + 1) == Some(&b'\\') => {
                i += literal_len(&bytes[i..], b'\'')
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i += text[i..].find('\n').unwrap_or(text.len() - i)
            }
            b';' if depth == 0 => return i + 1,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// The length of a literal opened by `quote` at `bytes[0]`, less its closing quote.
fn literal_len(bytes: &[u8], quote: u8) -> usize {
    let mut i = 1;
    while i < bytes.len() && bytes[i] != quote {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i
}

/// Module → the modules its code names.
fn edges(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (module, code) in modules {
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
        let children: Vec<&str> = code
            .lines()
            .filter_map(|l| l.trim().trim_start_matches("pub ").strip_prefix("mod "))
            .filter_map(|l| l.strip_suffix(';'))
            .collect();
        let mut targets = BTreeSet::new();
        for line in code.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
            for (prefix, base) in [("crate::", ""), ("super::", parent)] {
                for (i, _) in line.match_indices(prefix) {
                    let word_start = i == 0 || !is_ident(line.as_bytes()[i - 1]);
                    if word_start {
                        targets.extend(paths_at(&line[i + prefix.len()..], base, modules));
                    }
                }
            }
            for child in &children {
                let needle = format!("{child}::");
                for (i, _) in line.match_indices(&needle) {
                    if i == 0 || !is_ident(line.as_bytes()[i - 1]) && line.as_bytes()[i - 1] != b':'
                    {
                        targets.extend(paths_at(&line[i..], module, modules));
                    }
                }
            }
        }
        targets.retain(|t| t != module);
        out.insert(module.clone(), targets);
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The modules named by a path starting at `rest` (below module `base`), including
/// each of a `{a, b::c}` group: the deepest existing module of each.
fn paths_at(rest: &str, base: &str, modules: &BTreeMap<String, String>) -> Vec<String> {
    let deepest = |segments: &[&str]| {
        let mut found = None;
        let mut path = base.to_string();
        for s in segments {
            path = if path.is_empty() {
                s.to_string()
            } else {
                format!("{path}::{s}")
            };
            if modules.contains_key(&path) {
                found = Some(path.clone());
            }
        }
        found.or_else(|| modules.contains_key(base).then(|| base.to_string()))
    };
    let head: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    let head = head.trim_end_matches(':');
    let segments: Vec<&str> = head.split("::").filter(|s| !s.is_empty()).collect();
    let after = &rest[head.len()..];
    match after.strip_prefix("::{") {
        Some(group) => {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            let prefix = segments.join("::");
            group
                .split(',')
                .filter_map(|item| {
                    let item = item.trim();
                    let full: Vec<&str> = prefix.split("::").chain(item.split("::")).collect();
                    deepest(&full)
                })
                .collect()
        }
        None => deepest(&segments).into_iter().collect(),
    }
}

/// A cycle in the graph, if there is one, as the modules along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str()) {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs") {
            out.push(entry.path().to_path_buf());
        }
    }
}

/// The library's and the binary's module graphs.
fn graphs() -> [BTreeMap<String, BTreeSet<String>>; 2] {
    let src = repo().join("src");
    let mut all = Vec::new();
    rust_files(&src, &mut all);
    let is_bin = |p: &Path| p.starts_with(src.join("cli")) || p == src.join("main.rs");
    let lib: Vec<&Path> = all
        .iter()
        .map(|p| p.as_path())
        .filter(|p| !is_bin(p))
        .collect();
    let bin: Vec<&Path> = all
        .iter()
        .map(|p| p.as_path())
        .filter(|p| is_bin(p))
        .collect();
    [edges(&modules(&src, &lib)), edges(&modules(&src, &bin))]
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let [lib, bin] = graphs();
    assert!(lib.len() > 20 && bin.len() > 5, "the source was read");
    assert!(
        lib["output::build"].contains("typeset::render"),
        "edges are found"
    );
    for graph in [&lib, &bin] {
        if let Some(cycle) = find_cycle(graph) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn stages_import_only_downwards() {
    let [lib, _] = graphs();
    let rank = |module: &str| {
        let top = module.split("::").next().unwrap();
        LAYERS
            .iter()
            .find(|(name, _)| *name == top)
            .map(|(_, r)| *r)
    };
    let mut wrong = Vec::new();
    for (from, targets) in &lib {
        let Some(from_rank) = rank(from) else {
            assert!(from.is_empty(), "{from} is in no stage of LAYERS");
            continue;
        };
        for to in targets {
            if rank(to).is_some_and(|r| r > from_rank) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports going up a stage: {wrong:#?}");
}

#[test]
fn test_code_is_left_out_and_the_code_after_it_is_read() {
    let text = "use crate::model;\n#[cfg(test)]\nmod tests {\n    use crate::output;\n    \
                fn f() { let s = \"}\"; let c = '}'; // }\n    }\n}\n\
                #[cfg(test)]\nuse crate::cli;\nfn g() { crate::typeset::x(); }\n";
    let code = without_test_code(text);
    assert!(
        code.contains("crate::model") && code.contains("crate::typeset"),
        "{code}"
    );
    assert!(
        !code.contains("crate::output") && !code.contains("crate::cli"),
        "{code}"
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), BTreeSet::from([b.to_string()])))
        .collect();
    assert_eq!(find_cycle(&graph).unwrap().len(), 4);
    let modules: BTreeMap<String, String> = [
        ("x", "mod y;\nuse crate::z::{f, w::g};\nfn k() { y::h() }"),
        ("x::y", "use super::k;"),
        ("z", ""),
        ("z::w", ""),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let graph = edges(&modules);
    assert_eq!(
        graph["x"],
        BTreeSet::from(["x::y".to_string(), "z".to_string(), "z::w".to_string()])
    );
    assert_eq!(find_cycle(&graph).unwrap(), ["x", "x::y", "x"]);
}
