//! Builds the tables of the files confbook carries inside its binary: the default
//! layouts (the repository's `layouts/`) and fonts (`fonts/`), beside this crate's
//! folder. Each file is an `include_bytes!`, so the bytes sit in the binary's
//! read-only data and are borrowed from there, never copied. Hand-written rather than
//! an embedding crate: a directory walk and a `format!` are all it takes, where such
//! a crate brings dependencies (and proc macros) of its own.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let crate_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = crate_dir
        .parent()
        .expect("builtin/ is a folder of the repository");
    let mut tables = String::new();
    for (name, dir_name) in [("LAYOUTS", "layouts"), ("FONTS", "fonts")] {
        // A directory is watched whole: any file added, removed or changed in it.
        println!("cargo::rerun-if-changed=../{dir_name}");
        let dir = root.join(dir_name);
        let mut files = Vec::new();
        walk(&dir, &mut files);
        // By the path as a string: the table is searched by it.
        let mut files: Vec<(String, PathBuf)> = files
            .into_iter()
            .map(|file| {
                let rel = file.strip_prefix(&dir).expect("walked below dir");
                let rel = rel
                    .to_str()
                    .expect("file names are UTF-8")
                    .replace('\\', "/");
                (rel, file)
            })
            .collect();
        files.sort();
        writeln!(
            tables,
            "/// The files of `{dir_name}/`: (path below it, bytes), by path."
        )
        .unwrap();
        writeln!(tables, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
        for (rel, file) in files {
            let abs = file.to_str().expect("paths are UTF-8");
            writeln!(tables, "    ({rel:?}, include_bytes!({abs:?})),").unwrap();
        }
        writeln!(tables, "];").unwrap();
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("builtin.rs"), tables).expect("OUT_DIR is writable");
}

/// Every file below `dir`, hidden ones (editors' swap files) left out.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable directory").path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        match path.is_dir() {
            true => walk(&path, files),
            false => files.push(path),
        }
    }
}
