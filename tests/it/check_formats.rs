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

#[test]
fn junit_has_a_suite_per_dossier_and_a_case_per_applicable_check() {
    for dir in projects() {
        let (_, xml) = check(&dir, "junit");
        let parsed = quick_junit::Report::deserialize_from_str(&xml)
            .unwrap_or_else(|e| panic!("{}: not JUnit XML: {e}\n{xml}", dir.display()));
        let report = json_report(&dir);
        for d in report["dossiers"].as_array().unwrap() {
            let suite = parsed
                .test_suites
                .iter()
                .find(|s| s.name.as_str() == d["source"].as_str().unwrap())
                .unwrap_or_else(|| panic!("no suite for {}", d["source"]));
            let checks = d["checks"].as_array().unwrap();
            assert_eq!(suite.test_cases.len(), checks.len(), "{}", d["source"]);
            for (case, c) in suite.test_cases.iter().zip(checks) {
                assert_eq!(case.name.as_str(), c["id"].as_str().unwrap());
                let failed = !matches!(case.status, quick_junit::TestCaseStatus::Success { .. });
                assert_eq!(failed, c["outcome"] != "pass", "{}", c["id"]);
                if let quick_junit::TestCaseStatus::NonSuccess { kind, message, .. } = &case.status
                {
                    assert_eq!(*kind, quick_junit::NonSuccessKind::Failure);
                    assert_eq!(message.as_ref().map(|m| m.as_str()), c["message"].as_str());
                }
            }
        }
        // A dossier that cannot be read is a suite of errors, one per
        // error, named by its code.
        for e in report["errors"].as_array().unwrap() {
            let suite = parsed
                .test_suites
                .iter()
                .find(|s| s.name.as_str() == e["source"].as_str().unwrap())
                .unwrap_or_else(|| panic!("no suite for {}", e["source"]));
            assert!(
                suite.test_cases.iter().any(|c| {
                    c.name.as_str() == e["code"].as_str().unwrap()
                        && matches!(
                            &c.status,
                            quick_junit::TestCaseStatus::NonSuccess {
                                kind: quick_junit::NonSuccessKind::Error,
                                ..
                            }
                        )
                }),
                "{e}"
            );
        }
    }
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
