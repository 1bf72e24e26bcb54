//! `pilotscope schema` against the dossiers that read: the JSON Schema it
//! prints (draft 2020-12, for editors) must accept the front matter of every
//! example and every valid fixture, and refuse values the reader refuses.
//!
//! Front matter is turned into JSON with the crate's own reader
//! (`dossier::split` and `dossier::tree`), so YAML, TOML and JSON dossiers
//! are all checked the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

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

// ------------------------------------------------- the schema and the reader agree

/// Whether the reader accepts the answers of `text` (`Some(true)`), refuses
/// one of them (`Some(false)`), or refuses the file for something no schema
/// of the front matter can see (`None`: not UTF-8, no front matter, a
/// syntax error, too large, a story past its bound).
fn reader_accepts(text: &[u8]) -> Option<bool> {
    use pilotscope::diagnostic::Code::*;
    let loaded = pilotscope::dossier::load_text(text, "x.md", "x.md", "x");
    let mut accepted = true;
    for d in loaded.diagnostics.iter().filter(|d| d.is_error()) {
        match d.code {
            DossierBadBool | DossierBadChoice | DossierBadDate | DossierBadList
            | DossierBadNumber | DossierBadShare | DossierBadText | DossierMissingStage
            | DossierMissingTitle | DossierNotATable | DossierTooManyErrors => accepted = false,
            _ => return None,
        }
    }
    Some(accepted)
}

/// The front matter of `text` as JSON, when it parses.
fn front_matter_of(text: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(text).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parts = split::split(text).ok()?;
    let node = tree::parse(text, parts.matter, parts.format).ok()?;
    Some(to_json(&node))
}

/// Every dossier the tests hold: the example, every fixture (the bad and
/// hostile corpora among them) and a generated portfolio.
fn every_dossier() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![repo().join("content")];
    for entry in std::fs::read_dir(repo().join("tests/fixtures")).unwrap() {
        dirs.push(entry.unwrap().path());
    }
    let generated = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("python3")
        .arg(repo().join("bench/generate.py"))
        .args(["--count", "300", "--seed", "7"])
        .arg(generated.path().join("gen"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "bench/generate.py runs");
    dirs.push(generated.path().join("gen"));
    for dir in dirs {
        for entry in walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            let is_dossier = entry.file_type().is_file()
                && path.extension().is_some_and(|e| e == "md")
                && path.components().any(|c| c.as_os_str() == "content")
                && path.file_name().is_some_and(|n| n != "faq.md");
            if is_dossier {
                out.push((path.display().to_string(), std::fs::read(path).unwrap()));
            }
        }
    }
    out
}

/// The example dossier with one answer changed, for the cases the issue
/// found (`stage: ~`, `budget: -5`, `budget: "120000"`,
/// `completeness: "0.82"`, `title: 123`, `throughput: true`) and their
/// neighbours.
fn changed_answers() -> Vec<(String, Vec<u8>)> {
    let good =
        std::fs::read_to_string(repo().join("content/supplier-invoice-matching.md")).unwrap();
    let cases: &[(&str, &str)] = &[
        ("stage: scaling", "stage: ~"),
        ("stage: scaling", "stage: \"\""),
        ("stage: scaling", "stage: 3"),
        ("budget: 145000", "budget: -5"),
        ("budget: 145000", "budget: \"120000\""),
        ("budget: 145000", "budget: \"-5\""),
        ("budget: 145000", "budget: \"12k\""),
        ("budget: 145000", "budget: \"\""),
        ("budget: 145000", "budget: true"),
        ("completeness: 0.95", "completeness: \"0.82\""),
        ("completeness: 0.95", "completeness: \"1.5\""),
        ("completeness: 0.95", "completeness: \"82%\""),
        ("completeness: 0.95", "completeness: \"101%\""),
        ("completeness: 0.95", "completeness: -0.1"),
        ("completeness: 0.95", "completeness: \".\""),
        ("completeness: 0.95", "completeness: true"),
        ("title: Supplier invoice matching", "title: 123"),
        ("title: Supplier invoice matching", "title: true"),
        ("title: Supplier invoice matching", "title: \"  \""),
        ("title: Supplier invoice matching", "title: [a, b]"),
        ("started: 2026-03-02", "started: 2026-02-30"),
        ("started: 2026-03-02", "started: \"\""),
        ("started: 2026-03-02", "started: 20260202"),
    ];
    let mut out = Vec::new();
    for (from, to) in cases {
        assert!(good.contains(from), "the example has `{from}`");
        out.push((
            format!("{from} -> {to}"),
            good.replacen(from, to, 1).into_bytes(),
        ));
    }
    // Answers deeper down, wherever the example has them.
    for line in good.lines() {
        let t = line.trim_start();
        let indent = &line[..line.len() - t.len()];
        if let Some((key, value)) = t.split_once(": ")
            && !key.starts_with(['#', '-'])
            && !value.is_empty()
        {
            for other in ["true", "~", "\"\"", "[x]", "{a: 1}", "0.5", "\"0.5\"", "-3"] {
                let changed = good.replacen(line, &format!("{indent}{key}: {other}"), 1);
                out.push((format!("{key}: {other}"), changed.into_bytes()));
            }
        }
    }
    out
}

#[test]
fn the_schema_accepts_exactly_what_the_reader_accepts() {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .expect("the schema compiles");
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for (name, bytes) in every_dossier().into_iter().chain(changed_answers()) {
        let (Some(reader), Some(json)) = (reader_accepts(&bytes), front_matter_of(&bytes)) else {
            continue;
        };
        compared += 1;
        let schema = validator.is_valid(&json);
        if reader != schema {
            disagreements.push(format!(
                "{name}: the reader {}, the schema {}: {:?}",
                if reader { "accepts" } else { "refuses" },
                if schema { "accepts" } else { "refuses" },
                errors(&validator, &json)
            ));
        }
    }
    assert!(compared > 400, "{compared} dossiers compared");
    assert!(
        disagreements.is_empty(),
        "{} of {compared}:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn the_schema_has_an_id() {
    assert_eq!(schema()["$id"], "urn:pilotscope:schema:dossier:1");
}

// ------------------------------------------------- pilotscope.toml and framework files

fn schema_of(what: &str) -> Value {
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .args(["schema", what])
        .output()
        .expect("the binary runs");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

fn toml_as_json(text: &str) -> Value {
    toml::from_str::<Value>(text).expect("TOML")
}

#[test]
fn the_configuration_schema_accepts_what_the_configuration_reader_accepts() {
    let schema = schema_of("config");
    jsonschema::meta::validate(&schema).expect("a valid JSON Schema");
    assert_eq!(schema["$id"], "urn:pilotscope:schema:config:1");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut cases: Vec<(String, String)> = Vec::new();
    for entry in walkdir::WalkDir::new(repo())
        .max_depth(4)
        .into_iter()
        .filter_map(Result::ok)
    {
        let p = entry.path();
        if p.file_name().is_some_and(|n| n == "pilotscope.toml")
            && !p
                .components()
                .any(|c| c.as_os_str() == "target" || c.as_os_str() == "node_modules")
        {
            cases.push((p.display().to_string(), std::fs::read_to_string(p).unwrap()));
        }
    }
    for text in [
        "stale_days = -1",
        "stale_days = \"90\"",
        "paper = \"A3\"",
        "paper = \"letter\"",
        "history = \"yes\"",
        "history_since = \"2026-01-01\"",
        "history_since = \"January\"",
        "titel = \"x\"",
        "output_dir = \"\"",
        "base_url = \"https://acme.example/pilots/\"",
    ] {
        cases.push((text.to_string(), format!("{text}\n")));
    }
    assert!(cases.len() > 12);
    for (name, text) in cases {
        let Ok(json) = toml::from_str::<Value>(&text) else {
            continue;
        };
        let reader = pilotscope::config::Config::parse(&text, "pilotscope.toml").is_ok();
        let schema = validator.is_valid(&json);
        assert_eq!(reader, schema, "{name}: reader {reader}, schema {schema}");
    }
}

#[test]
fn the_framework_schema_accepts_every_framework_that_loads_and_refuses_unknown_keys() {
    let schema = schema_of("framework");
    jsonschema::meta::validate(&schema).expect("a valid JSON Schema");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let default = include_str!("../../src/framework/default.toml");
    let mut files = vec![("default.toml".to_string(), default.to_string())];
    for f in ["project-rules", "framework-slips", "bad-framework"] {
        let path = repo().join("tests/fixtures").join(f).join("framework.toml");
        files.push((
            path.display().to_string(),
            std::fs::read_to_string(path).unwrap(),
        ));
    }
    for (name, text) in &files {
        let loads = pilotscope::framework::load_framework(Some((text, "framework.toml"))).is_ok();
        let valid = validator.is_valid(&toml_as_json(text));
        if loads {
            assert!(valid, "{name} loads but fails the schema");
        }
    }
    for broken in [
        "ready_at = \"80\"",
        "[weights]\nblockr = 5",
        "[[checks]]\nid = \"x\"\nseverity = { pilot = \"fatal\" }",
        "[[checks]]\nid = \"x\"\npass_when = { answerd = \"owner\" }",
        "[[mistakes]]\nid = \"budget\"",
    ] {
        assert!(
            pilotscope::framework::load_framework(Some((broken, "framework.toml"))).is_err(),
            "{broken} loads"
        );
        assert!(
            !validator.is_valid(&toml_as_json(broken)),
            "{broken} passes the schema"
        );
    }
}

#[test]
fn init_writes_the_schemas_its_schema_lines_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert!(out.status.success());
    let config = std::fs::read_to_string(dir.path().join("pilotscope.toml")).unwrap();
    let line = config.lines().next().unwrap();
    let target = line
        .strip_prefix("#:schema ")
        .expect("a #:schema line first");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(target)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&toml_as_json(&config)));
    assert!(dir.path().join("schemas/framework.toml.json").is_file());
}

/// `taplo check` on `file` in `dir`, as Taplo's npm build (the engine of
/// Even Better TOML) reads it: `None` when it is not installed.
fn taplo(dir: &Path, file: &str) -> Option<(bool, String)> {
    let cli = repo().join("tests/audit/node_modules/@taplo/cli/dist/cli.js");
    let node = Command::new("node").arg("--version").output();
    if !crate::hardening::require(
        cli.is_file() && node.is_ok(),
        "Taplo (npm ci --prefix tests/audit)",
    ) {
        return None;
    }
    let out = Command::new("node")
        .arg(&cli)
        .args(["check", "--no-auto-config", "--colors", "never", file])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}

/// The files people edit by hand are validated as they type: Taplo follows
/// the `#:schema` lines to the schemas `init` wrote, accepts the files as
/// written and refuses a misspelt key and a value of the wrong type.
#[test]
fn taplo_validates_the_configuration_and_a_framework_file_through_their_schema_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert!(out.status.success());
    let config = std::fs::read_to_string(dir.path().join("pilotscope.toml")).unwrap();
    let framework = format!(
        "#:schema ./schemas/framework.toml.json\n{}",
        std::fs::read_to_string(repo().join("tests/fixtures/project-rules/framework.toml"))
            .unwrap()
    );
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("framework.toml", &framework);
    for file in ["pilotscope.toml", "framework.toml"] {
        let Some((ok, text)) = taplo(dir.path(), file) else {
            return;
        };
        assert!(ok, "Taplo refuses {file} as written:\n{text}");
    }
    for (file, text, wrong) in [
        (
            "pilotscope.toml",
            format!("{config}titel = \"x\"\n"),
            "titel",
        ),
        (
            "pilotscope.toml",
            config.replace("stale_days = 90", "stale_days = \"ninety\""),
            "ninety",
        ),
        (
            "framework.toml",
            format!("{framework}\n[weights]\nblockr = 5\n"),
            "blockr",
        ),
    ] {
        write(file, &text);
        let (ok, said) = taplo(dir.path(), file).unwrap();
        assert!(!ok, "Taplo accepts {wrong} in {file}");
        assert!(said.contains(wrong), "{said}");
    }
}
