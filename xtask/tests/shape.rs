//! The code stays small enough to read: no source file over 800 lines (functions over 120 lines
//! are clippy's `too_many_lines`, denied by CI), and no module of a crate uses one that uses it
//! back. Every Rust file of the workspace and the fuzz targets is counted.
#![allow(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Most lines in one source file.
const MAX_LINES: usize = 800;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if p.is_dir() && name != "target" && name != "corpus" && name != "artifacts" {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_source_file_is_over_800_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace");
    let mut files = Vec::new();
    for dir in ["crates", "xtask", "fuzz"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "the sources were found ({} files)", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|p| {
            let n = std::fs::read_to_string(p).ok()?.lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", p.strip_prefix(root).unwrap_or(p).display()))
        })
        .collect();
    assert!(long.is_empty(), "split these files: {long:?}");
}

/// The top-level modules each module of `src` names (`crate::name`), leaving out tests: a
/// `tests.rs` or `tests/` file, and what follows `#[cfg(test)]` in a file (tests come last).
fn module_uses(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in files {
        let rel = p.strip_prefix(src).unwrap_or(&p);
        let is_test = rel.components().any(|c| c.as_os_str() == "tests" || c.as_os_str() == "tests.rs");
        let Some(top) =
            rel.components().next().map(|c| c.as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned())
        else {
            continue;
        };
        if is_test || top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let named = uses.entry(top.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                named.insert(name);
            }
        }
    }
    uses
}

#[test]
fn no_module_uses_one_that_uses_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace");
    let mut circles = Vec::new();
    let mut crates = 0;
    for e in std::fs::read_dir(root.join("crates")).expect("crates").flatten() {
        let uses = module_uses(&e.path().join("src"));
        crates += 1;
        for (from, named) in &uses {
            for to in named {
                // Does `to` lead back to `from`?
                let (mut stack, mut seen) = (vec![to.clone()], BTreeSet::new());
                while let Some(m) = stack.pop() {
                    if m == *from {
                        circles.push(format!("{}: {from} ↔ {to}", e.file_name().to_string_lossy()));
                        break;
                    }
                    if seen.insert(m.clone()) {
                        stack.extend(uses.get(&m).into_iter().flatten().cloned());
                    }
                }
            }
        }
    }
    assert!(crates >= 10, "the crates were found ({crates})");
    assert!(circles.is_empty(), "modules that lead back to themselves: {circles:?}");
}
