//! The catalogue is whole: both languages have the same messages with the same variables, every
//! message the apps ask for exists, and no widget in the apps carries a hard-coded English
//! sentence instead of a message.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use deskside_i18n::{Lang, SOURCES, has_message};

/// Each message's id and the variables it uses, read from Fluent text: a message starts at
/// column 0 with `id =`; indented lines and `[variant]`/`*[variant]` lines continue it.
fn messages(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ')
            && !line.starts_with('}')
            && let Some((id, _)) = line.split_once(" =")
        {
            assert!(out.insert(id.to_owned(), BTreeSet::new()).is_none(), "duplicate message {id}");
            current = Some(id.to_owned());
        }
        let id = current.clone().expect("text before the first message");
        let vars = out.get_mut(&id).unwrap();
        let mut rest = line;
        while let Some(i) = rest.find('$') {
            let name: String =
                rest[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
            vars.insert(name);
            rest = &rest[i + 1..];
        }
    }
    out
}

fn catalogue(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut all = BTreeMap::new();
    for (_, _, text) in SOURCES.iter().filter(|(l, ..)| *l == lang) {
        for (id, vars) in messages(text) {
            assert!(all.insert(id.clone(), vars).is_none(), "{id} is in two files");
        }
    }
    all
}

#[test]
fn both_languages_have_the_same_messages_and_variables() {
    let en = catalogue(Lang::En);
    let es = catalogue(Lang::Es);
    assert!(en.len() > 100, "the English catalogue looks empty: {}", en.len());
    let english: BTreeSet<_> = en.keys().collect();
    let spanish: BTreeSet<_> = es.keys().collect();
    assert_eq!(english.difference(&spanish).collect::<Vec<_>>(), Vec::<&&String>::new(), "missing in Spanish");
    assert_eq!(spanish.difference(&english).collect::<Vec<_>>(), Vec::<&&String>::new(), "missing in English");
    for (id, vars) in &en {
        assert_eq!(vars, &es[id], "{id} uses different variables in Spanish");
    }
    // Every message parses and formats in both languages.
    for id in en.keys() {
        assert!(has_message(Lang::En, id) && has_message(Lang::Es, id), "{id} does not parse");
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The sources of the apps' user interfaces.
fn ui_sources() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    rust_files(&crates.join("console/src"), &mut files);
    rust_files(&crates.join("agent/src"), &mut files);
    rust_files(&crates.join("ui/src"), &mut files);
    files.push(crates.join("i18n/src/words.rs"));
    assert!(files.len() > 8, "console and agent sources not found");
    files.retain(|f| !f.ends_with("main.rs") && !f.ends_with("cli.rs"));
    files
}

#[test]
fn every_message_the_apps_use_exists() {
    let mut used = 0;
    for file in ui_sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("t!(") {
            // `t!(`, not the end of `format!(` or `print!(`.
            let own = i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
            rest = &rest[i + 3..];
            if !own {
                continue;
            }
            let after = rest.trim_start();
            if let Some(lit) = after.strip_prefix('"') {
                let id: String = lit.chars().take_while(|c| *c != '"').collect();
                assert!(has_message(Lang::En, &id), "{}: no message {id}", file.display());
                used += 1;
            }
        }
    }
    assert!(used > 100, "only {used} messages found in use");
}

/// The site's templates ask for their words as `w.t("id")`: each exists.
#[test]
fn every_message_the_site_s_pages_use_exists() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("site/templates");
    let mut used = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for piece in text.split("w.t(\"").skip(1) {
            let id: String = piece.chars().take_while(|c| *c != '"').collect();
            assert!(has_message(Lang::En, &id), "{}: no message {id}", path.display());
            used += 1;
        }
    }
    assert!(used > 20, "only {used} messages found in the site's templates");
}

/// Whether `line` puts a string literal starting with a letter right inside a widget call: a
/// sentence someone forgot to translate.
fn hard_coded(line: &str) -> bool {
    let calls = [
        ".label(\"",
        ".button(\"",
        ".heading(\"",
        ".weak(\"",
        ".strong(\"",
        "hint_text(\"",
        "hover_text(\"",
        "RichText::new(\"",
        "colored_label(",
        "Button::new(\"",
        "checkbox(&mut",
        "radio_value(&mut",
    ];
    calls.iter().any(|call| {
        line.find(call).is_some_and(|i| {
            let after = &line[i + call.len()..];
            let literal = if call.ends_with('"') { Some(after) } else { after.split_once(", \"").map(|(_, l)| l) };
            literal.is_some_and(|l| l.starts_with(|c: char| c.is_alphabetic()))
        })
    })
}

#[test]
fn the_hard_coded_check_catches_what_it_should() {
    assert!(hard_coded(r#"ui.label("Hello")"#));
    assert!(hard_coded(r#"ui.colored_label(c, "Sessions are not kept")"#));
    assert!(hard_coded(r#"ui.checkbox(&mut on, "Send my keyboard")"#));
    assert!(!hard_coded(r#"ui.label(t!("start-name"))"#));
    assert!(!hard_coded(r#"ui.label("—")"#));
    assert!(!hard_coded(r"ui.colored_label(c, err)"));
}

#[test]
fn no_widget_carries_a_hard_coded_sentence() {
    for file in ui_sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            assert!(!hard_coded(line), "{}:{}: hard-coded text in a widget: {line}", file.display(), n + 1);
        }
    }
}
