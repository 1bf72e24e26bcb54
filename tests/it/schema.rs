//! `pilotscope schema` against the dossiers that read: the JSON Schema it
//! prints (draft 2020-12, for editors) must accept the front matter of every
//! example and every valid fixture, and refuse values the reader refuses.
//!
//! Front matter is turned into JSON with the crate's own reader
//! (`dossier::split` and `dossier::tree`), so YAML, TOML and JSON dossiers
//! are all checked the same way.

use std::path::{Path, PathBuf};

use pilotscope::dossier::tree::{Node, NodeKind};
use pilotscope::dossier::{split, tree};
use serde_json::{Map, Value, json};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .arg("schema")
        .output()
        .expect("the binary runs");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => json!(b),
        NodeKind::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => json!(*n as i64),
        NodeKind::Number(n) => json!(n),
        NodeKind::Str(s) | NodeKind::Datetime(s) => json!(s),
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// The front matter of the dossier at `path`, as JSON.
fn front_matter(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let parts = split::split(text).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    let node = tree::parse(text, parts.matter, parts.format)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    to_json(&node)
}

/// Every dossier of the example portfolio and of the fixtures that read
/// without errors.
fn valid_dossiers() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for content in [
        "content",
        "tests/fixtures/verdicts/content",
        "tests/fixtures/warnings/content",
    ] {
        let (found, _) = pilotscope::dossier::discover(&repo().join(content), &repo(), "faq.md");
        files.extend(found.into_iter().map(|f| f.path));
    }
    files.push(repo().join("tests/fixtures/bad/content/good-scaling.md"));
    files.push(repo().join("tests/fixtures/bad/content/good-proposed.md"));
    files
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    if let Err(e) = jsonschema::meta::validate(&s) {
        panic!("the schema is not a valid JSON Schema: {e}");
    }
}

#[test]
fn every_example_front_matter_is_valid_under_the_schema() {
    let validator = jsonschema::validator_for(&schema()).expect("the schema compiles");
    let files = valid_dossiers();
    assert!(files.len() >= 15, "{} dossiers", files.len());
    for path in files {
        let loaded = pilotscope::dossier::load(&path, "x", "x.md", "x");
        assert!(loaded.dossier.is_some(), "{} reads", path.display());
        let found = errors(&validator, &front_matter(&path));
        assert!(
            found.is_empty(),
            "{}:\n{}",
            path.display(),
            found.join("\n")
        );
    }
}

#[test]
fn values_the_reader_refuses_fail_the_schema() {
    let validator = jsonschema::validator_for(&schema()).expect("the schema compiles");
    let good = front_matter(&repo().join("content/supplier-invoice-matching.md"));
    assert!(validator.is_valid(&good));
    let broken: [(&str, &[&str], Value); 7] = [
        ("a misspelled stage", &["stage"], json!("pilto")),
        ("no title", &["title"], Value::Null),
        ("a share of 93", &["data", "completeness"], json!(93)),
        ("a share of 120%", &["data", "consistency"], json!("120%")),
        ("a date in another shape", &["started"], json!("02/03/2026")),
        (
            "an unknown data source",
            &["data", "source"],
            json!("spreadsheets"),
        ),
        (
            "a bool written yes",
            &["change", "users_involved"],
            json!("yes"),
        ),
    ];
    for (what, path, value) in broken {
        let mut instance = good.clone();
        let (last, parents) = path.split_last().unwrap();
        let mut target = &mut instance;
        for p in parents {
            target = &mut target[*p];
        }
        if value.is_null() && *last == "title" {
            target.as_object_mut().unwrap().remove(*last);
        } else {
            target[*last] = value;
        }
        assert!(!validator.is_valid(&instance), "{what} passes the schema");
    }
}
