//! GitLab: `check --format gitlab` (the Code Quality report) checked
//! against GitLab's own schema for its entries, read the way GitLab reads
//! the report (`tests/schemas/gitlab-codeclimate.json`, vendored from
//! GitLab; see tests/schemas/README.md), against the format GitLab
//! documents (`tests/schemas/gitlab-code-quality.json`) and the one thing
//! GitLab does with it (compare fingerprints between the base and the
//! merge request); `init --ci gitlab`'s pipeline read
//! as YAML, its scripts through shellcheck, and its check job run.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::yaml_as_json;
use serde_json::Value;

const AS_OF: &str = "2026-11-26";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .arg("--as-of")
        .arg(AS_OF)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn report(dir: &Path) -> Value {
    let out = run(dir, &["check", "--format", "gitlab"]);
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/schemas/gitlab-code-quality.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

#[test]
fn the_code_quality_report_follows_gitlabs_format_with_paths_from_the_repository_root() {
    let validator = validator();
    for (dir, prefix) in [
        (repo(), "content/"),
        (repo().join("tests/fixtures/bad"), "tests/fixtures/bad/"),
        (
            repo().join("tests/fixtures/warnings"),
            "tests/fixtures/warnings/",
        ),
    ] {
        let issues = report(&dir);
        let problems: Vec<String> = validator
            .iter_errors(&issues)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", dir.display());
        let issues = issues.as_array().unwrap();
        assert!(!issues.is_empty(), "{}", dir.display());
        for i in issues {
            let path = i["location"]["path"].as_str().unwrap();
            assert!(
                path.starts_with(prefix) || path.starts_with("tests/fixtures"),
                "{path}"
            );
            assert!(
                repo().join(path).exists(),
                "GitLab links {path}, which is not in the repository"
            );
        }
        // The schema does refuse what GitLab would not read.
        let mut broken = Value::Array(issues.clone());
        broken[0]["severity"] = "error".into();
        assert!(!validator.is_valid(&broken));
    }
    // Each severity of the format is used as the checks say.
    let bad = report(&repo().join("tests/fixtures/bad"));
    let severities: Vec<&str> = bad
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    assert!(severities.contains(&"critical"), "{severities:?}");
    assert!(severities.contains(&"blocker"), "{severities:?}");
}

/// What GitLab keeps of a Code Quality report, read as GitLab reads it
/// (`Gitlab::Ci::Parsers::Codequality::CodeClimate`): the report is an
/// array; each entry is checked against GitLab's own schema
/// (`tests/schemas/gitlab-codeclimate.json`, vendored from GitLab) and the
/// reading stops at the first entry that fails; entries are kept by
/// fingerprint, a repeated one replacing the earlier.
fn kept_by_gitlab(report: &Value) -> usize {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/schemas/gitlab-codeclimate.json")).unwrap(),
    )
    .unwrap();
    let entry = jsonschema::validator_for(&schema).expect("GitLab's schema compiles");
    let mut kept = std::collections::HashMap::new();
    for degradation in report.as_array().expect("GitLab reads an array") {
        if !entry.is_valid(degradation) {
            break;
        }
        kept.insert(degradation["fingerprint"].to_string(), degradation);
    }
    kept.len()
}

#[test]
fn gitlab_keeps_every_entry_of_the_report_under_its_own_schema() {
    for dir in [
        repo(),
        repo().join("tests/fixtures/bad"),
        repo().join("tests/fixtures/warnings"),
    ] {
        let issues = report(&dir);
        let all = issues.as_array().unwrap();
        assert!(!all.is_empty(), "{}", dir.display());
        assert_eq!(
            kept_by_gitlab(&issues),
            all.len(),
            "{}: GitLab would drop entries",
            dir.display()
        );
        for i in all {
            // GitLab links each entry to its file at its line.
            assert!(i["location"]["path"].is_string(), "{i}");
            assert!(i["location"]["lines"]["begin"].is_u64(), "{i}");
        }
        // The schema and the reading do refuse what GitLab would not keep.
        let mut broken = issues.clone();
        broken[0]["fingerprint"] = 7.into();
        assert_eq!(
            kept_by_gitlab(&broken),
            0,
            "reading stops at the first bad entry"
        );
        let mut broken = issues.clone();
        broken[0].as_object_mut().unwrap().remove("location");
        assert_eq!(kept_by_gitlab(&broken), 0);
    }
}

/// GitLab tells new issues from resolved ones by fingerprint: the same
/// problem must keep its fingerprint when lines move, and two problems
/// must never share one.
#[test]
fn fingerprints_are_unique_and_survive_a_line_added_above() {
    let project = crate::live::Project::live();
    // An unknown key is a warning at its line.
    let gamma = crate::live::dossier("Gamma").replace("stage:", "budgett: 5\nstage:");
    project.write("content/gamma.md", &gamma);
    let before = report(&project.root);
    let fingerprints = |r: &Value| -> Vec<(String, String, u64)> {
        r.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["fingerprint"].as_str().unwrap().to_string(),
                    i["check_name"].as_str().unwrap().to_string(),
                    i["location"]["lines"]["begin"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let first = fingerprints(&before);
    let mut unique: Vec<&String> = first.iter().map(|f| &f.0).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len(), "{first:#?}");
    assert_eq!(
        first,
        fingerprints(&report(&project.root)),
        "stable across runs"
    );
    project.write(
        "content/gamma.md",
        &gamma.replace("title:", "# a comment that moves every answer down\ntitle:"),
    );
    let after = fingerprints(&report(&project.root));
    let moved = |v: &[(String, String, u64)]| -> Vec<String> {
        let mut f: Vec<String> = v.iter().map(|x| x.0.clone()).collect();
        f.sort();
        f
    };
    assert_eq!(moved(&first), moved(&after));
    assert_ne!(first, after, "the lines did move");
}

fn gitlab_pipeline(dir: &Path) -> String {
    let out = run(dir, &["init", "--ci", "gitlab"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join(".gitlab-ci.yml")).expect("init wrote .gitlab-ci.yml")
}

fn shellcheck(script: &str, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.sh");
    std::fs::write(&file, format!("#!/bin/sh\n{script}\n")).unwrap();
    let out = Command::new("shellcheck").arg(&file).output();
    let Ok(out) = out else {
        crate::hardening::require(false, &format!("shellcheck (to check {what})"));
        return;
    };
    assert!(
        out.status.success(),
        "shellcheck on {what}:\n{script}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn init_for_gitlab_writes_a_pipeline_that_checks_diffs_and_publishes_pages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("pilots #2");
    std::fs::create_dir(&root).unwrap();
    let text = gitlab_pipeline(&root);
    assert!(!root.join(".github").exists(), "no GitHub workflow");
    let ci = yaml_as_json(&text);
    assert_eq!(ci["variables"]["PROJECT_DIR"], ".");
    assert_eq!(ci["variables"]["GIT_DEPTH"], "0");
    assert_eq!(
        ci["pilotscope-check"]["artifacts"]["reports"]["codequality"],
        "gl-code-quality-report.json"
    );
    assert_eq!(ci["pages"]["artifacts"]["paths"][0], "public");
    assert_eq!(ci[".pilotscope"]["cache"]["when"], "always");
    // Every script through shellcheck, with GitLab's variables as the
    // shell sees them (GitLab passes them as environment variables).
    let install = ci[".pilotscope"]["before_script"][0].as_str().unwrap();
    shellcheck(install, "the install script");
    for job in ["pilotscope-check", "pilotscope-diff", "pages"] {
        let lines: Vec<&str> = ci[job]["script"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        shellcheck(&lines.join("\n"), job);
    }

    // The check job, run as GitLab would in the project, with the binary
    // under test standing in for the install.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_pilotscope"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for line in ci["pilotscope-check"]["script"].as_array().unwrap() {
        let out = Command::new("sh")
            .args(["-e", "-c", line.as_str().unwrap()])
            .current_dir(&root)
            .env("PATH", &path)
            .env("CI_PROJECT_DIR", &root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("gl-code-quality-report.json")).unwrap(),
    )
    .unwrap();
    assert!(validator().is_valid(&report), "{report:#}");
    assert_eq!(
        kept_by_gitlab(&report),
        report.as_array().unwrap().len(),
        "{report:#}"
    );
    // The pages job publishes no hidden file.
    for line in ci["pages"]["script"].as_array().unwrap() {
        let out = Command::new("sh")
            .args(["-e", "-c", line.as_str().unwrap()])
            .current_dir(&root)
            .env("PATH", &path)
            .env("CI_PROJECT_DIR", &root)
            .env("CI_PAGES_URL", "https://acme.gitlab.io/pilots")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let public = root.join("public");
    assert!(public.join("index.html").is_file());
    let hidden: Vec<String> = walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path().display().to_string())
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    let not_found = std::fs::read_to_string(public.join("404.html")).unwrap();
    assert!(
        not_found.contains("href=\"/pilots/assets/style.css\""),
        "the Pages address reaches the build"
    );
}
