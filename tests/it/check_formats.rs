//! `check --format sarif | junit | short`, run from inside the project
//! folder: SARIF against the SARIF 2.1.0 schema (vendored in
//! `tests/schemas/`, from the serde-sarif crate's package: the OASIS file
//! itself), JUnit parsed back with quick-junit's reader, and the one-line
//! form against the JSON report's errors and checks.

use std::path::{Path, PathBuf};

use serde_json::Value;

const AS_OF: &str = "2026-11-26";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check(dir: &Path, format: &str) -> (i32, String) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(["check", "--format", format, "--as-of", AS_OF])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    (out.status.code().expect("an exit status"), stdout)
}

fn json_report(dir: &Path) -> Value {
    serde_json::from_str(&check(dir, "json").1).expect("the JSON report")
}

/// Where GitHub and SARIF name files of `dir`: relative to the repository.
fn under_repo(dir: &Path) -> String {
    let rel = dir.strip_prefix(repo()).unwrap().to_string_lossy();
    if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    }
}

fn projects() -> [PathBuf; 3] {
    [
        repo(),
        repo().join("tests/fixtures/bad"),
        repo().join("tests/fixtures/warnings"),
    ]
}

/// How many findings the JSON report holds: every error and warning, and
/// every check that does not pass.
fn finding_count(report: &Value) -> usize {
    let listed = |k: &str| report[k].as_array().map_or(0, Vec::len);
    let failing: usize = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["outcome"] != "pass")
                .count()
        })
        .sum();
    listed("errors") + listed("warnings") + failing
}

// ---------------------------------------------------------------- SARIF

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    // The published schema's pattern for `run.language` is not a valid
    // ECMA-262 regex (`…[a-zA-Z]{2}]?$`), which the schema's own
    // meta-schema refuses under format checks; so formats are not
    // asserted (draft 7 makes them optional) and URIs are checked below.
    let validator = jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .expect("the SARIF schema compiles");
    for dir in projects() {
        let (_, out) = check(&dir, "sarif");
        let log: Value = serde_json::from_str(&out).expect("SARIF is JSON");
        let problems: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", dir.display());
        assert_eq!(log["version"], "2.1.0");
        assert!(
            log["$schema"]
                .as_str()
                .unwrap()
                .contains("sarif-schema-2.1.0")
        );
        // The validator does refuse what is not SARIF.
        let mut broken = log.clone();
        broken["runs"][0]["results"][0]["level"] = "fatal".into();
        broken["runs"][0]["tool"]["driver"]
            .as_object_mut()
            .unwrap()
            .remove("name");
        assert!(!validator.is_valid(&broken));
    }
}

#[test]
fn every_sarif_result_names_a_rule_of_the_run_and_every_finding_is_a_result() {
    for dir in projects() {
        let log: Value = serde_json::from_str(&check(&dir, "sarif").1).unwrap();
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        assert_eq!(
            results.len(),
            finding_count(&json_report(&dir)),
            "{}",
            dir.display()
        );
        for r in results {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"], "{r}");
            assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
            assert!(!r["message"]["text"].as_str().unwrap().is_empty());
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(uri.starts_with(&under_repo(&dir)), "{uri}");
            assert!(
                !uri.contains([' ', '\\', '#', '?']) && !uri.starts_with('/'),
                "{uri} is not a relative URI reference"
            );
        }
        for id in ["dossier.bad-share", "governance.reviewer"] {
            assert!(rules.iter().any(|r| r["id"] == id), "no rule {id}");
        }
    }
}

/// The region of the result for `rule` in `file`.
fn region(results: &[Value], file: &str, rule: &str) -> (u64, u64) {
    let r = results
        .iter()
        .find(|r| {
            r["ruleId"] == rule
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(file))
        })
        .unwrap_or_else(|| panic!("no {rule} result for {file}"));
    let region = &r["locations"][0]["physicalLocation"]["region"];
    (
        region["startLine"].as_u64().unwrap(),
        region["startColumn"].as_u64().unwrap(),
    )
}

#[test]
fn sarif_results_point_at_the_error_the_failing_answer_or_the_front_matter() {
    let bad = repo().join("tests/fixtures/bad");
    let log: Value = serde_json::from_str(&check(&bad, "sarif").1).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap().clone();
    assert_eq!(
        region(&results, "content/stage-typo.md", "dossier.bad-choice"),
        (3, 8)
    );
    let example: Value = serde_json::from_str(&check(&repo(), "sarif").1).unwrap();
    let results = example["runs"][0]["results"].as_array().unwrap().clone();
    // `source: synthetic` is on line 26 of this dossier.
    let file = "content/lease-credit-scoring.md";
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    assert_eq!(text.lines().nth(25).unwrap().trim(), "source: synthetic");
    assert_eq!(region(&results, file, "data.production-data"), (26, 1));
    // An unanswered check has no answer to point at: the front matter's
    // first line.
    let report = json_report(&repo());
    let (source, id) = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|d| {
            d["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["outcome"] == "unanswered" && c["id"] == "governance.reviewer")
                .map(|c| (d["source"].as_str().unwrap().to_string(), c["id"].clone()))
        })
        .expect("a pilot without a reviewer");
    assert_eq!(region(&results, &source, id.as_str().unwrap()), (1, 1));
}

// ---------------------------------------------------------------- JUnit

/// The test suites of a JUnit report, read by a strict XML 1.0 parser.
fn junit_suites<'a, 'i>(doc: &'a roxmltree::Document<'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    root.children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect()
}

fn cases<'a, 'i>(suite: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect()
}

/// The `failure` or `error` element of a test case.
fn problem<'a, 'i>(case: roxmltree::Node<'a, 'i>) -> Option<roxmltree::Node<'a, 'i>> {
    case.children()
        .find(|n| n.has_tag_name("failure") || n.has_tag_name("error"))
}

#[test]
fn junit_has_a_suite_per_dossier_and_a_case_per_applicable_check() {
    for dir in projects() {
        let (_, xml) = check(&dir, "junit");
        let doc = roxmltree::Document::parse(&xml)
            .unwrap_or_else(|e| panic!("{}: not XML: {e}\n{xml}", dir.display()));
        let suites = junit_suites(&doc);
        let report = json_report(&dir);
        // Suites and files are named as the repository names them, where
        // CI looks for them.
        let in_repo = |source: &Value| format!("{}{}", under_repo(&dir), source.as_str().unwrap());
        let suite_of = |source: &Value| {
            *suites
                .iter()
                .find(|s| s.attribute("name") == Some(in_repo(source).as_str()))
                .unwrap_or_else(|| panic!("no suite for {source}"))
        };
        for d in report["dossiers"].as_array().unwrap() {
            let suite = suite_of(&d["source"]);
            assert_eq!(
                suite.attribute("file"),
                Some(in_repo(&d["source"]).as_str())
            );
            let checks = d["checks"].as_array().unwrap();
            let cases = cases(suite);
            assert_eq!(cases.len(), checks.len(), "{}", d["source"]);
            for (case, c) in cases.iter().zip(checks) {
                assert_eq!(case.attribute("name"), c["id"].as_str());
                assert_eq!(case.attribute("file"), Some(in_repo(&d["source"]).as_str()));
                assert!(
                    case.attribute("line")
                        .is_some_and(|l| l.parse::<u32>().is_ok_and(|l| l >= 1))
                );
                assert_eq!(
                    problem(*case).is_some(),
                    c["outcome"] != "pass",
                    "{}",
                    c["id"]
                );
                if let Some(p) = problem(*case) {
                    assert_eq!(p.tag_name().name(), "failure");
                    assert_eq!(p.attribute("message"), c["message"].as_str());
                    // GitLab shows the element's text, Jenkins the attribute.
                    assert_eq!(p.text(), c["message"].as_str(), "{}", c["id"]);
                }
            }
        }
        // A dossier that cannot be read is a suite of errors, one per
        // error, named by its code.
        for e in report["errors"].as_array().unwrap() {
            let suite = suite_of(&e["source"]);
            assert!(
                cases(suite).iter().any(|c| {
                    c.attribute("name") == e["code"].as_str()
                        && problem(*c).is_some_and(|p| {
                            p.has_tag_name("error")
                                && p.text()
                                    .is_some_and(|t| t.contains(e["message"].as_str().unwrap()))
                        })
                }),
                "{e}"
            );
        }
        // Jenkins' schema has no `skipped` on `testsuites`.
        assert_eq!(doc.root_element().attribute("skipped"), None);
    }
}

/// The JUnit report of the project whose title and answers hold what XML
/// and CI tools choke on: line breaks, U+FFFE and U+FFFF, a bell, markup.
fn hostile_junit() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (_, xml) = check(&repo().join("tests/fixtures/ci-outputs"), "junit");
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, xml).unwrap();
    (dir, file)
}

#[test]
fn junit_of_a_hostile_title_is_well_formed_xml_that_keeps_its_line_breaks() {
    let (_dir, file) = hostile_junit();
    let xml = std::fs::read_to_string(&file).unwrap();
    let doc = roxmltree::Document::parse(&xml)
        .unwrap_or_else(|e| panic!("not well-formed XML 1.0: {e}\n{xml}"));
    let suite = junit_suites(&doc)[0];
    let title = suite
        .descendants()
        .find(|n| n.has_tag_name("property") && n.attribute("name") == Some("title"))
        .and_then(|n| n.attribute("value"))
        .expect("the title is a property");
    assert!(
        title.contains("\rATTENDEE") && title.contains("VALARM\nsecond line"),
        "line breaks survive in attributes: {title:?}"
    );
    assert!(
        title.contains("second line\u{FFFD}\u{FFFD}\u{FFFD} %0A"),
        "what XML cannot hold is replaced, not dropped in silence: {title:?}"
    );
}

#[test]
fn junit_is_valid_for_jenkins_junit_schema() {
    let xmllint = which("xmllint");
    if !require(xmllint.is_some(), "xmllint (apt-get install libxml2-utils)") {
        return;
    }
    let (_dir, hostile) = hostile_junit();
    let schema = repo().join("tests/schemas/jenkins-junit-10.xsd");
    for dir in projects() {
        let (_, xml) = check(&dir, "junit");
        let file = _dir.path().join("project.xml");
        std::fs::write(&file, xml).unwrap();
        for f in [&file, &hostile] {
            let out = std::process::Command::new(xmllint.as_ref().unwrap())
                .args(["--noout", "--schema"])
                .arg(&schema)
                .arg(f)
                .output()
                .expect("xmllint runs");
            assert!(
                out.status.success(),
                "{} ({}) fails Jenkins' JUnit schema:\n{}",
                f.display(),
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn junit_reads_back_in_junitparser_with_file_line_and_message_text() {
    let python = which("python3");
    let usable = python.as_ref().is_some_and(|p| {
        std::process::Command::new(p)
            .args(["-c", "import junitparser"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !require(usable, "Python's junitparser (pip install junitparser)") {
        return;
    }
    let (_dir, file) = hostile_junit();
    let script = r#"
import json, sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    for case in suite:
        for r in case.result:
            out.append({"suite": suite.name, "case": case.name, "file": case._elem.get("file"),
                        "line": case._elem.get("line"), "failure": isinstance(r, Failure),
                        "message": r.message, "text": r.text})
print(json.dumps({"tests": xml.tests, "failures": xml.failures, "results": out}))
"#;
    let out = std::process::Command::new(python.unwrap())
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "junitparser refuses the report: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = json_report(&repo().join("tests/fixtures/ci-outputs"));
    let checks = report["dossiers"][0]["checks"].as_array().unwrap();
    let failing: Vec<&Value> = checks.iter().filter(|c| c["outcome"] != "pass").collect();
    assert_eq!(read["tests"].as_u64(), Some(checks.len() as u64));
    assert_eq!(read["failures"].as_u64(), Some(failing.len() as u64));
    let results = read["results"].as_array().unwrap();
    assert_eq!(results.len(), failing.len());
    for (r, c) in results.iter().zip(&failing) {
        assert_eq!(r["case"], c["id"]);
        assert_eq!(
            r["suite"],
            "tests/fixtures/ci-outputs/content/forged-lines.md"
        );
        assert_eq!(r["file"], r["suite"]);
        assert!(
            r["line"].as_str().is_some_and(|l| l.parse::<u32>().is_ok()),
            "{r}"
        );
        assert_eq!(r["message"], c["message"], "{r}");
        assert_eq!(
            r["text"], c["message"],
            "the element has the message as its text: {r}"
        );
    }
}

/// A project of `copies` copies of the hostile CI dossier (33 failing
/// checks each) and `warned` dossiers with a misspelled section (a warning
/// each), run from inside its folder.
fn many_findings(copies: usize, warned: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    let hostile =
        std::fs::read(repo().join("tests/fixtures/ci-outputs/content/forged-lines.md")).unwrap();
    let warning =
        std::fs::read(repo().join("tests/fixtures/warnings/content/misspelled-section.md"))
            .unwrap();
    for i in 0..copies {
        std::fs::write(content.join(format!("p{i:04}.md")), &hostile).unwrap();
    }
    for i in 0..warned {
        std::fs::write(content.join(format!("w{i:04}.md")), &warning).unwrap();
    }
    dir
}

#[test]
fn a_sarif_run_past_githubs_limit_keeps_the_most_serious_25000_and_says_how_many_were_left_out() {
    let project = many_findings(800, 12);
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .current_dir(project.path())
        .args(["check", "--format", "sarif", "--as-of", AS_OF])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let all = finding_count(&json_report(project.path()));
    assert!(all > 25_000, "{all}");
    assert_eq!(results.len(), 25_000);
    assert_eq!(
        run["properties"]["resultsLeftOut"].as_u64(),
        Some((all - 25_000) as u64)
    );
    let notification = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(notification.contains(&format!("{} results were left out", all - 25_000)));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{} results were left out", all - 25_000)),
        "stderr says it too: {err}"
    );
    // The most serious first: every warning is kept before any note.
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    let first_note = levels
        .iter()
        .position(|l| *l == "note")
        .unwrap_or(levels.len());
    assert!(
        levels[first_note..].iter().all(|l| *l == "note"),
        "sorted by level"
    );
    assert!(levels.contains(&"warning"));
}

#[test]
fn sarif_levels_follow_the_workflows_gate_so_unanswered_questions_are_no_error() {
    // The hostile dossier reads without errors and answers almost nothing:
    // `check` passes it, so code scanning must too.
    let dir = repo().join("tests/fixtures/ci-outputs");
    let (code, out) = check(&dir, "sarif");
    assert_eq!(code, 0);
    let log: Value = serde_json::from_str(&out).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 20);
    assert!(
        results.iter().all(|r| r["level"] != "error"),
        "no failing check is an error"
    );
    // A dossier error is.
    let (code, out) = check(&repo().join("tests/fixtures/bad"), "sarif");
    assert_eq!(code, 1);
    assert!(out.contains("\"level\": \"error\""));
}

#[test]
fn every_sarif_rule_has_a_full_description_and_help_and_every_result_a_fingerprint() {
    for dir in projects() {
        let log: Value = serde_json::from_str(&check(&dir, "sarif").1).unwrap();
        let run = &log["runs"][0];
        for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
            for key in ["fullDescription", "help"] {
                assert!(
                    rule[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                    "{} has no {key}",
                    rule["id"]
                );
            }
        }
        let mut seen = std::collections::HashSet::new();
        for r in run["results"].as_array().unwrap() {
            let fp = r["partialFingerprints"]["pilotscope/v1"].as_str().unwrap();
            assert!(seen.insert(fp.to_string()), "fingerprints are unique: {r}");
        }
    }
    // With base_url set, check rules link to the framework page.
    let log: Value = serde_json::from_str(&check(&repo(), "sarif").1).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let linked: Vec<&str> = rules.iter().filter_map(|r| r["helpUri"].as_str()).collect();
    if !linked.is_empty() {
        assert!(
            linked.iter().all(|u| u.contains("/framework/#")),
            "{linked:?}"
        );
    }
}

#[test]
fn sarif_passes_microsofts_validator_with_githubs_rules() {
    let tool =
        repo().join("tests/audit/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !require(
        tool.is_file(),
        "Microsoft's SARIF validator (npm ci --prefix tests/audit)",
    ) {
        return;
    }
    // npm ci --ignore-scripts leaves the program without its executable bit.
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mut p = std::fs::metadata(&tool).unwrap().permissions();
        if p.mode() & 0o111 == 0 {
            p.set_mode(0o755);
            std::fs::set_permissions(&tool, p).unwrap();
        }
    }
    let work = tempfile::tempdir().unwrap();
    for (i, dir) in projects()
        .into_iter()
        .chain([repo().join("tests/fixtures/ci-outputs")])
        .enumerate()
    {
        let input = work.path().join(format!("in{i}.sarif"));
        let output = work.path().join(format!("out{i}.sarif"));
        std::fs::write(&input, check(&dir, "sarif").1).unwrap();
        let out = std::process::Command::new(&tool)
            .arg("validate")
            .arg(&input)
            .args([
                "--rule-kind",
                "Gh;Sarif",
                "--log",
                "ForceOverwrite",
                "--output",
            ])
            .arg(&output)
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .output()
            .expect("the validator runs");
        let report: Value = serde_json::from_slice(&std::fs::read(&output).unwrap_or_else(|e| {
            panic!(
                "the validator wrote no report ({e}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        }))
        .unwrap();
        let problems: Vec<String> = report["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            // GitHub's rules, and SARIF's own at the error level. The
            // SARIF rules' warnings and notes are advice (an
            // informationUri for the tool, which has no public address).
            .filter(|r| {
                r["ruleId"].as_str().is_some_and(|id| id.starts_with("GH"))
                    || r["level"] == "error"
                    || r.get("level").is_none()
                        && r["ruleId"]
                            .as_str()
                            .is_some_and(|id| id.starts_with("SARIF1"))
            })
            .map(|r| format!("{} {}", r["ruleId"], r["message"]))
            .collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", dir.display());
    }
}

// ---------------------------------------------------------------- GitHub

#[test]
fn github_annotations_put_the_most_serious_first_and_count_what_github_would_drop() {
    let project = many_findings(30, 12);
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .current_dir(project.path())
        .args([
            "check",
            "--format",
            "github",
            "--fail-on",
            "at_risk",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let kinds: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split([' ', ':']).next().unwrap())
        .collect();
    let count = |k: &str| kinds.iter().filter(|x| **x == k).count();
    assert_eq!(count("error"), 10, "{text}");
    assert_eq!(count("warning"), 10, "{text}");
    let first_warning = kinds.iter().position(|k| *k == "warning").unwrap();
    assert!(
        kinds[..first_warning].iter().all(|k| *k == "error"),
        "errors first"
    );
    // Every error and every pilot at or past the gate, every warning: the
    // notice counts the ones beyond the ten of each kind.
    let report = json_report(project.path());
    let listed = |k: &str| report[k].as_array().unwrap().len();
    let gated = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["verdict"] != "ready")
        .count();
    let (errors, warnings) = (listed("errors") + gated, listed("warnings"));
    assert!(errors > 10 && warnings > 10, "{errors} {warnings}");
    let notice = text
        .lines()
        .find(|l| l.starts_with("::notice"))
        .expect("a notice");
    assert!(
        notice.contains(&format!(
            "{} more errors and {} more warnings",
            errors - 10,
            warnings - 10
        )),
        "{notice}"
    );
}

/// A program on the PATH.
fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// Whether a test that needs `what` goes on: a missing tool is skipped
/// with a line the run shows, and fails when `CI` is set.
fn require(available: bool, what: &str) -> bool {
    crate::hardening::require(available, what)
}

// ---------------------------------------------------------------- short

#[test]
fn short_prints_one_line_per_finding_as_path_line_column_level_code_message() {
    for dir in projects() {
        let (code, out) = check(&dir, "short");
        let report = json_report(&dir);
        assert_eq!(
            out.lines().count(),
            finding_count(&report),
            "{}",
            dir.display()
        );
        for line in out.lines() {
            let (place, rest) = line.split_once(": ").expect("path: …");
            let (level, message) = rest.split_once("]: ").expect("level[code]: message");
            let (level, _code) = level.split_once('[').expect("level[code");
            assert!(["error", "warning", "note"].contains(&level), "{line}");
            assert!(!message.is_empty(), "{line}");
            let parts: Vec<&str> = place.rsplitn(3, ':').collect();
            assert_eq!(parts.len(), 3, "{line}");
            assert!(parts[0].parse::<u32>().is_ok() && parts[1].parse::<u32>().is_ok());
        }
        // The exit status is check's, whatever the format.
        assert_eq!(code, check(&dir, "json").0);
    }
    let (_, out) = check(&repo().join("tests/fixtures/bad"), "short");
    assert!(
        out.lines().any(|l| l
            == "content/share-above-100.md:7:17: error[dossier.bad-share]: `data.completeness` must be a share between 0 and 1 (0% to 100%); found \"120%\""),
        "{out}"
    );
}
