//! Keeps the layers of `ARCHITECTURE.md` true: every module of `src/` is
//! on one line of its layer list, and imports (`crate::name`) only modules
//! on lines below its own. In one crate the compiler does not refuse an
//! upward import (as it would between Zola's crates); this test does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ARCHITECTURE: &str = include_str!("../ARCHITECTURE.md");

/// The layers written in `ARCHITECTURE.md`, top first: the lines of the
/// first `text` block after the line that starts with `The layers`.
fn layers(architecture: &str) -> Vec<Vec<String>> {
    let after = architecture
        .split_once("\nThe layers")
        .expect("ARCHITECTURE.md has a paragraph starting with `The layers`")
        .1;
    let block = after
        .split_once("```text\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("the layers are in a ```text block")
        .0;
    block
        .lines()
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .filter(|layer: &Vec<String>| !layer.is_empty())
        .collect()
}

/// `text` with comments, strings and character literals blanked, so that
/// `crate::` in a doc comment or a message is not taken for an import.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        let skip = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |e| e + 2)
        } else if rest.starts_with("r#") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|c| *c == '#').count();
            let end = format!("\"{}", "#".repeat(hashes));
            let open = 1 + hashes + 1;
            match (rest.as_bytes().get(open - 1), i > 0 && is_ident(b[i - 1])) {
                (Some(b'"'), false) => rest[open..]
                    .find(&end)
                    .map_or(rest.len(), |e| open + e + end.len()),
                _ => 0,
            }
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && rest.as_bytes()[j] != b'"' {
                j += if rest.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            j + 1
        } else if let Some(escaped) = rest.strip_prefix("'\\") {
            escaped.find('\'').map_or(1, |e| e + 3)
        } else if rest.len() >= 3 && rest.as_bytes()[0] == b'\'' && rest.as_bytes()[2] == b'\'' {
            3
        } else {
            0
        };
        if skip == 0 {
            let c = rest.chars().next().expect("not at the end");
            out.push(c);
            i += c.len_utf8();
        } else {
            let skip = skip.min(rest.len());
            out.extend(
                rest[..skip]
                    .chars()
                    .map(|c| if c == '\n' { '\n' } else { ' ' }),
            );
            i += skip;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The top-level modules a file's code names through `crate::`, with the
/// line of each first use.
fn imports(code: &str) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && (is_ident(code.as_bytes()[at - 1]) || code.as_bytes()[at - 1] == b':') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + "crate::".len()..];
        let mut names = Vec::new();
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::b, c}`: the first name of each path at depth one.
            let (mut depth, mut start) = (1, true);
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => start = true,
                    c if start && depth == 1 && (c.is_alphanumeric() || c == '_') => {
                        let name: String = group[k..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        names.push(name);
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.push(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
        for name in names {
            found.entry(name).or_insert(line);
        }
    }
    found
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/ can be read").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level module a file of `src/` belongs to (`None` for `lib.rs`
/// and for tests of the crate as a whole, such as this file).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let first = file.strip_prefix(src).ok()?.components().next()?;
    let name = first.as_os_str().to_str()?.trim_end_matches(".rs");
    (name != "lib" && !name.ends_with("_tests")).then(|| name.to_string())
}

/// Every import in `src` of a module that is not below the importing one:
/// `file:line: problem` lines.
fn upward_imports(src: &Path, layers: &[Vec<String>]) -> Vec<String> {
    let line_of = |m: &str| layers.iter().position(|l| l.iter().any(|n| n == m));
    let mut problems = Vec::new();
    for file in sources(src) {
        let Some(module) = module_of(src, &file) else {
            continue;
        };
        let shown = file
            .strip_prefix(src.parent().unwrap_or(src))
            .unwrap_or(&file);
        let Some(own) = line_of(&module) else {
            problems.push(format!(
                "{}: module `{module}` is on no line of the layers in ARCHITECTURE.md",
                shown.display()
            ));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(&file).expect("a source file reads"));
        for (name, line) in imports(&code) {
            if name == module {
                continue;
            }
            match line_of(&name) {
                Some(other) if other > own => {}
                Some(other) => problems.push(format!(
                    "{}:{line}: `{module}` (layer {}) imports `{name}` (layer {}), which is not below it",
                    shown.display(),
                    own + 1,
                    other + 1
                )),
                // Not a module of the crate (a macro's path, say), or one
                // that the check above reports for its own files.
                None => {}
            }
        }
    }
    problems
}

#[test]
fn no_module_imports_one_on_its_own_layer_or_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = upward_imports(&src, &layers(ARCHITECTURE));
    assert!(
        problems.is_empty(),
        "imports against the layers of ARCHITECTURE.md:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_module_of_the_crate_is_on_one_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layers = layers(ARCHITECTURE);
    let mut modules: Vec<String> = sources(&src)
        .iter()
        .filter_map(|f| module_of(&src, f))
        .collect();
    modules.sort();
    modules.dedup();
    for m in &modules {
        let lines = layers.iter().filter(|l| l.contains(m)).count();
        assert_eq!(lines, 1, "module `{m}` is on {lines} lines of the layers");
    }
    for m in layers.iter().flatten() {
        assert!(
            modules.contains(m),
            "the layers name `{m}`, which src/ does not have"
        );
    }
}

#[test]
fn an_import_is_found_in_a_path_and_a_group_but_not_in_a_comment_or_a_string() {
    let code = code_only(
        "use crate::site::Page;\n// crate::cli\nlet s = \"crate::serve\";\nuse crate::{report::{a, b}, term};\nx::crate::watch;\n",
    );
    let found: Vec<String> = imports(&code).into_keys().collect();
    assert_eq!(found, ["report", "site", "term"]);
}

#[test]
fn a_module_that_imports_one_above_it_is_reported_with_its_line() {
    let dir = std::env::temp_dir().join(format!("pilotscope-layers-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("low")).expect("a temporary folder");
    std::fs::write(src.join("high.rs"), "use crate::low::x;\n").expect("written");
    std::fs::write(src.join("low/mod.rs"), "//! low\n\nuse crate::high::y;\n").expect("written");
    let layers = vec![vec!["high".to_string()], vec!["low".to_string()]];
    let problems = upward_imports(&src, &layers);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        problems,
        ["src/low/mod.rs:3: `low` (layer 2) imports `high` (layer 1), which is not below it"]
    );
}
