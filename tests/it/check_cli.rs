//! `pilotscope check` run as a binary: the bad-input corpus
//! (`tests/fixtures/bad`), warnings that still judge a dossier
//! (`tests/fixtures/warnings`), exit statuses, output formats, and the
//! shipped example portfolio against the JSON report of the contract.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use pilotscope::dossier::Format;
use serde_json::Value;

const AS_OF: &str = "2026-11-26";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// How GitHub annotations name the folder `dir`: relative to the root of
/// the git work tree holding it (the fixtures are in this repository's), or
/// as seen from `dir` itself outside one.
fn annotated(dir: &Path) -> String {
    let Some(top) = dir.ancestors().find(|d| d.join(".git").exists()) else {
        return String::new();
    };
    let rel = dir
        .strip_prefix(top)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    if rel.is_empty() {
        rel
    } else {
        format!("{rel}/")
    }
}

/// The binary, with colours neither asked for nor forbidden by the
/// environment the tests happen to run in.
fn pilotscope() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("pilotscope");
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(root: &Path, args: &[&str]) -> Run {
    let out = pilotscope()
        .current_dir(root)
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("an exit status"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 errors"),
    }
}

fn check_json(root: &Path) -> (i32, Value) {
    let r = run(root, &["check", "--format", "json", "--as-of", AS_OF]);
    let report = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", r.stdout, r.stderr));
    (r.code, report)
}

/// One broken file of the corpus and the first error it must report.
#[derive(Debug)]
struct Expected {
    file: String,
    line: Option<i64>,
    column: Option<i64>,
    message: String,
    /// The diagnostic's stable code (docs/diagnostics.md).
    code: String,
}

fn expected_errors() -> Vec<Expected> {
    let text = std::fs::read_to_string(fixture("bad/expected.toml")).expect("expected.toml");
    let table: toml::Table = toml::from_str(&text).expect("expected.toml is TOML");
    let files = table["files"].as_table().expect("[files]");
    files
        .iter()
        .map(|(file, e)| Expected {
            file: file.clone(),
            line: e.get("line").and_then(toml::Value::as_integer),
            column: e.get("column").and_then(toml::Value::as_integer),
            message: e["message"].as_str().expect("message").to_string(),
            code: e["code"].as_str().expect("code").to_string(),
        })
        .collect()
}

fn sources(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|x| x["source"].as_str().expect("source").to_string())
        .collect()
}

fn content_files(root: &Path) -> BTreeSet<String> {
    std::fs::read_dir(root.join("content"))
        .expect("content folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && !n.starts_with('_'))
        .collect()
}

// ---------------------------------------------------------------- the bad corpus

#[test]
fn the_corpus_has_at_least_24_broken_files_and_two_good_ones() {
    let expected = expected_errors();
    assert!(expected.len() >= 24, "{} broken files", expected.len());
    let files = content_files(&fixture("bad"));
    for e in &expected {
        assert!(
            files.contains(&e.file),
            "{} is listed in expected.toml but not in content/",
            e.file
        );
    }
    let good: Vec<&String> = files
        .iter()
        .filter(|f| !expected.iter().any(|e| &e.file == *f))
        .collect();
    assert_eq!(
        good,
        ["good-proposed.md", "good-scaling.md"],
        "every other file is listed in expected.toml"
    );
}

#[test]
fn every_broken_file_is_an_error_at_its_place_and_the_good_ones_are_still_judged() {
    let root = fixture("bad");
    let (code, report) = check_json(&root);
    assert_eq!(code, 1, "errors exit with 1");
    let judged = sources(&report["dossiers"]);
    let errors = report["errors"].as_array().expect("errors");
    for e in errors {
        let keys: BTreeSet<&str> = e
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["code", "source", "line", "column", "message"]),
            "{e}"
        );
    }
    let mut wrong = Vec::new();
    for exp in expected_errors() {
        let source = format!("content/{}", exp.file);
        let Some(first) = errors.iter().find(|e| e["source"] == source.as_str()) else {
            wrong.push(format!("{source}: no error"));
            continue;
        };
        let (line, column) = (first["line"].as_i64(), first["column"].as_i64());
        let message = first["message"].as_str().unwrap_or("");
        let code = first["code"].as_str().unwrap_or("");
        if (line, column) != (exp.line, exp.column)
            || !message.contains(&exp.message)
            || code != exp.code
        {
            wrong.push(format!(
                "{source}: expected {:?}:{:?} [{}] {:?}\n  found {line:?}:{column:?} [{code}] {message:?}",
                exp.line, exp.column, exp.code, exp.message
            ));
        }
        if judged.contains(&source) {
            wrong.push(format!("{source}: judged although it has errors"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        judged,
        BTreeSet::from([
            "content/good-proposed.md".to_string(),
            "content/good-scaling.md".to_string()
        ])
    );
    let good = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "content/good-scaling.md")
        .unwrap();
    assert_eq!(
        (good["verdict"].as_str(), good["readiness"].as_u64()),
        (Some("ready"), Some(100))
    );
}

#[test]
fn the_human_report_shows_each_error_with_its_place_and_a_caret() {
    let r = run(&fixture("bad"), &["check", "--as-of", AS_OF]);
    assert_eq!(r.code, 1);
    for exp in expected_errors() {
        let place = match (exp.line, exp.column) {
            (Some(l), Some(c)) => format!("content/{}:{l}:{c}", exp.file),
            _ => format!("content/{}", exp.file),
        };
        assert!(r.stdout.contains(&place), "{place} is not in the report");
    }
    assert!(
        r.stdout
            .contains(" --> content/stage-typo.md:3:8\n  |\n3 | stage: pilto\n  |        ^^^^^\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("help: did you mean `pilot`?"));
}

#[test]
fn the_human_report_of_the_bad_corpus_reads_as_before() {
    let out = pilotscope()
        .env("NO_COLOR", "1")
        .current_dir(fixture("bad"))
        .args(["check", "--as-of", AS_OF])
        .output()
        .unwrap();
    insta::assert_snapshot!("bad_corpus_human", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn github_annotations_carry_file_line_and_column() {
    let r = run(
        &fixture("bad"),
        &["check", "--format", "github", "--as-of", AS_OF],
    );
    assert_eq!(r.code, 1);
    let at = annotated(&fixture("bad"));
    let starts: Vec<String> = expected_errors()
        .iter()
        .map(|exp| match (exp.line, exp.column) {
            (Some(l), Some(c)) => {
                format!("::error file={at}content/{},line={l},col={c},", exp.file)
            }
            _ => format!("::error file={at}content/{},title=", exp.file),
        })
        .collect();
    // GitHub shows ten error annotations per step: those are written, each
    // at an expected error's file, line and column, and a notice counts
    // the rest.
    let annotations: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(annotations.len(), starts.len().min(10), "{}", r.stdout);
    for line in annotations {
        assert!(
            starts.iter().any(|s| line.starts_with(s)),
            "{line} is at no expected error's place"
        );
        let (_, message) = line[2..]
            .split_once("::")
            .unwrap_or_else(|| panic!("no message in {line}"));
        assert!(!message.is_empty(), "{line}");
    }
    if starts.len() > 10 {
        assert!(
            r.stdout.contains(&format!(
                "::notice title=pilotscope::{} more errors",
                starts.len() - 10
            )),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn a_file_over_4_mib_is_refused_and_one_of_exactly_4_mib_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    let head = "---\ntitle: Long story\nstage: proposed\nupdated: 2026-11-01\n---\n";
    let body = |len: usize| {
        let mut s = String::from(head);
        while s.len() < len {
            s.push_str("word ");
        }
        s.truncate(len);
        s
    };
    std::fs::write(content.join("at-limit.md"), body(4 << 20)).unwrap();
    std::fs::write(content.join("over-limit.md"), body((4 << 20) + 1)).unwrap();
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        sources(&report["dossiers"]),
        BTreeSet::from(["content/at-limit.md".to_string()])
    );
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["source"], "content/over-limit.md");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 4 MiB"),
        "{}",
        errors[0]
    );
    assert!(errors[0]["line"].is_null() && errors[0]["column"].is_null());
}

// ---------------------------------------------------------------- warnings

#[test]
fn likely_misspellings_are_warnings_with_a_suggestion_and_the_dossiers_are_judged() {
    let root = fixture("warnings");
    let (code, report) = check_json(&root);
    assert_eq!(code, 0, "warnings alone do not fail the check");
    assert_eq!(report["errors"], Value::Array(vec![]));
    assert_eq!(sources(&report["dossiers"]).len(), 3);
    let warnings: BTreeMap<String, (i64, i64, String)> = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            (
                w["source"].as_str().unwrap().to_string(),
                (
                    w["line"].as_i64().unwrap(),
                    w["column"].as_i64().unwrap(),
                    w["message"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    let expect = [
        (
            "content/misspelled-section.md",
            6,
            1,
            "(help: did you mean `governance`?)",
        ),
        (
            "content/shortened-key.md",
            8,
            3,
            "(help: did you mean `change.adoption_rate`?)",
        ),
        (
            "content/key-at-wrong-level.md",
            5,
            1,
            "(help: did you mean `framing.production_owner`? (it belongs under `framing:`))",
        ),
    ];
    assert_eq!(warnings.len(), expect.len(), "{warnings:#?}");
    for (source, line, column, help) in expect {
        let (l, c, message) = &warnings[source];
        assert_eq!((*l, *c), (line, column), "{source}");
        assert!(message.ends_with(help), "{source}: {message}");
        assert!(message.contains("so it is ignored"), "{message}");
    }
    // The misspelled section's answers are ignored: its checks stay unanswered.
    let d = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "content/misspelled-section.md")
        .unwrap();
    let owner = d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "governance.owner")
        .unwrap();
    assert_eq!(owner["outcome"], "unanswered");
}

// ---------------------------------------------------------------- exit statuses

#[test]
fn fail_on_sets_the_exit_status_by_the_worst_verdict() {
    let root = fixture("verdicts");
    let code =
        |root: &Path, args: &[&str]| run(root, &[&["check", "--as-of", AS_OF], args].concat()).code;
    assert_eq!(code(&root, &[]), 0);
    assert_eq!(code(&root, &["--fail-on", "not-ready"]), 0);
    assert_eq!(code(&root, &["--fail-on", "at-risk"]), 1);
    assert_eq!(code(&repo(), &["--fail-on", "not-ready"]), 1);
    let r = run(
        &root,
        &[
            "check",
            "--format",
            "github",
            "--as-of",
            AS_OF,
            "--fail-on",
            "at-risk",
        ],
    );
    assert_eq!(r.code, 1);
    let at = annotated(&root);
    assert!(
        r.stdout.contains(&format!(
            "::error file={at}content/at-risk.md,line=1,title=pilotscope verdict::"
        )),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("content/ready.md"), "{}", r.stdout);
}

/// The report's own words (`at_risk`, `not_ready`) work, as the workflow that
/// `pilotscope init` writes uses them; the hyphenated spellings too.
#[test]
fn fail_on_accepts_the_verdict_words_of_the_report() {
    let root = fixture("verdicts");
    assert_eq!(
        run(
            &root,
            &["check", "--as-of", AS_OF, "--fail-on", "not_ready"]
        )
        .code,
        0
    );
    assert_eq!(
        run(&root, &["check", "--as-of", AS_OF, "--fail-on", "at-risk"]).code,
        1
    );
}

#[test]
fn a_missing_content_folder_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    // A project of its own: without one, the nearest project above the
    // folder would be found.
    std::fs::write(dir.path().join("pilotscope.toml"), "").unwrap();
    let r = run(dir.path(), &["check", "--as-of", AS_OF]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("the content folder does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unknown_configuration_key_exits_with_2_and_a_suggestion() {
    let r = run(&fixture("bad-config"), &["check", "--as-of", AS_OF]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("error[config.unknown-key]: `stale_dayz` is not a configuration key"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("pilotscope.toml:3:1"), "{}", r.stderr);
    assert!(
        r.stderr.contains("help: did you mean `stale_days`?"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn a_broken_project_framework_exits_with_2_and_says_where() {
    let r = run(&fixture("bad-framework"), &["check", "--as-of", AS_OF]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("framework.toml:8:42"), "{}", r.stderr);
    assert!(r.stderr.contains("found \"blockr\""), "{}", r.stderr);
}

#[test]
fn a_bad_as_of_date_exits_with_2() {
    for bad in ["2026-13-01", "26-11-2026", "tomorrow", "2026-02-30"] {
        let r = run(&repo(), &["check", "--as-of", bad]);
        assert_eq!(r.code, 2, "{bad}");
        assert!(
            r.stderr.contains("expected a date written YYYY-MM-DD"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn output_to_a_pipe_has_no_colour_codes() {
    let runs = [
        (fixture("bad"), vec!["check"]),
        (fixture("bad"), vec!["check", "--format", "github"]),
        (fixture("warnings"), vec!["check"]),
        (fixture("bad-config"), vec!["check"]),
        (fixture("bad-framework"), vec!["check"]),
        (repo(), vec!["check", "--fail-on", "at-risk"]),
    ];
    for (root, args) in runs {
        for no_color in [false, true] {
            let mut cmd = pilotscope();
            if no_color {
                cmd.env("NO_COLOR", "1");
            }
            let out = cmd
                .current_dir(&root)
                .args(&args)
                .args(["--as-of", AS_OF])
                .output()
                .unwrap();
            for stream in [&out.stdout, &out.stderr] {
                assert!(
                    !stream.contains(&0x1b),
                    "escape codes in {args:?} at {}:\n{}",
                    root.display(),
                    String::from_utf8_lossy(stream)
                );
            }
        }
    }
}

// ---------------------------------------------------------------- the example portfolio

const STAGES: [&str; 6] = [
    "proposed",
    "pilot",
    "scaling",
    "production",
    "paused",
    "abandoned",
];
const MISTAKES: [&str; 5] = ["framing", "data", "governance", "change", "metrics"];
const WEIGHT: [(&str, u64); 3] = [("blocker", 5), ("major", 3), ("minor", 1)];

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn score(pass: u64, total: u64) -> u64 {
    if total == 0 {
        100
    } else {
        (200 * pass + total) / (2 * total)
    }
}

/// The example report, checked key by key against the contract, and its
/// figures recomputed from its own `checks` by the contract's rules.
#[test]
fn the_example_report_has_the_contract_json_shape_for_every_dossier() {
    let (code, report) = check_json(&repo());
    assert_eq!(code, 0, "the example portfolio has no errors");
    for key in ["as_of", "dossiers", "errors"] {
        assert!(report.get(key).is_some(), "the report has `{key}`");
    }
    assert_eq!(report["as_of"], AS_OF);
    assert_eq!(report["errors"], Value::Array(vec![]));
    let framework = pilotscope::framework::Framework::builtin();
    let dossiers = report["dossiers"].as_array().expect("dossiers is a list");
    assert!(!dossiers.is_empty());
    for d in dossiers {
        let id = d["id"].as_str().expect("id is text");
        let dossier_keys = BTreeSet::from([
            "id",
            "source",
            "title",
            "stage",
            "verdict",
            "readiness",
            "most_active",
            "flags",
            "mistakes",
            "checks",
        ]);
        assert!(keys(d).is_superset(&dossier_keys), "{id}: {:?}", keys(d));
        assert_eq!(
            d["source"].as_str(),
            Some(format!("content/{id}.md").as_str())
        );
        assert!(!d["title"].as_str().expect("title is text").is_empty());
        let stage = d["stage"].as_str().expect("stage is text");
        assert!(STAGES.contains(&stage), "{id}: stage {stage}");
        let verdict = d["verdict"].as_str().expect("verdict is text");
        assert!(
            ["ready", "at_risk", "not_ready"].contains(&verdict),
            "{id}: verdict {verdict}"
        );
        let readiness = d["readiness"]
            .as_u64()
            .expect("readiness is a whole number");
        assert!(readiness <= 100);
        let most_active = &d["most_active"];
        assert!(
            most_active.is_null() || MISTAKES.contains(&most_active.as_str().unwrap_or("?")),
            "{id}: most_active {most_active}"
        );
        for flag in d["flags"].as_array().expect("flags is a list") {
            assert!(
                ["purgatory", "stale"].contains(&flag.as_str().unwrap_or("?")),
                "{id}: flag {flag}"
            );
        }
        assert_eq!(keys(&d["mistakes"]), BTreeSet::from(MISTAKES), "{id}");
        for m in MISTAKES {
            let r = &d["mistakes"][m];
            assert_eq!(keys(r), BTreeSet::from(["status", "score"]), "{id}.{m}");
            assert!(
                ["clear", "at_risk", "active"].contains(&r["status"].as_str().unwrap_or("?")),
                "{id}.{m}: {r}"
            );
            assert!(
                r["score"].as_u64().is_some_and(|s| s <= 100),
                "{id}.{m}: {r}"
            );
        }

        // `checks`: exactly those that apply at the stage, in order.
        let column = pilotscope::dossier::Stage::parse(stage).unwrap().column();
        let applicable: Vec<(&str, &str)> = framework
            .checks
            .iter()
            .filter_map(|c| c.severity[column].map(|s| (c.id.as_str(), s.as_str())))
            .collect();
        let checks = d["checks"].as_array().expect("checks is a list");
        let listed: Vec<(&str, &str)> = checks
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap_or("?"),
                    c["severity"].as_str().unwrap_or("?"),
                )
            })
            .collect();
        assert_eq!(listed, applicable, "{id}: the checks of stage {stage}");
        let mut pass = [0u64; 5];
        let mut total = [0u64; 5];
        let mut failing = [(0u64, 0u64, 0u64); 5]; // weight, blockers, majors
        for c in checks {
            assert_eq!(
                keys(c),
                BTreeSet::from(["id", "mistake", "severity", "outcome", "message"]),
                "{id}: {c}"
            );
            let check_id = c["id"].as_str().unwrap();
            let mistake = c["mistake"].as_str().unwrap();
            assert_eq!(
                check_id.split('.').next(),
                Some(mistake),
                "{id}: {check_id}"
            );
            let outcome = c["outcome"].as_str().unwrap();
            assert!(
                ["pass", "fail", "unanswered"].contains(&outcome),
                "{id}: {c}"
            );
            assert!(
                !c["message"].as_str().expect("message is text").is_empty(),
                "{id}: {c}"
            );
            let severity = c["severity"].as_str().unwrap();
            let w = WEIGHT
                .iter()
                .find(|(s, _)| *s == severity)
                .unwrap_or_else(|| panic!("{id}: severity {severity}"))
                .1;
            let m = MISTAKES.iter().position(|x| *x == mistake).unwrap();
            total[m] += w;
            if outcome == "pass" {
                pass[m] += w;
            } else {
                failing[m].0 += w;
                failing[m].1 += u64::from(severity == "blocker");
                failing[m].2 += u64::from(severity == "major");
            }
        }
        let all_pass = checks.iter().all(|c| c["outcome"] == "pass");
        assert_eq!(
            most_active.is_null(),
            all_pass,
            "{id}: most_active is null exactly when every check passes"
        );

        // The figures follow from the checks by the contract's rules.
        let mut active = 0;
        for (m, name) in MISTAKES.iter().enumerate() {
            let status = if failing[m].1 > 0 || failing[m].2 >= 2 {
                "active"
            } else if failing[m].0 > 0 {
                "at_risk"
            } else {
                "clear"
            };
            active += usize::from(status == "active");
            assert_eq!(d["mistakes"][name]["status"], status, "{id}.{name}");
            assert_eq!(
                d["mistakes"][name]["score"].as_u64(),
                Some(score(pass[m], total[m])),
                "{id}.{name}"
            );
        }
        assert_eq!(
            readiness,
            score(pass.iter().sum(), total.iter().sum()),
            "{id}: readiness"
        );
        let worst =
            (0..5)
                .filter(|m| failing[*m].0 > 0)
                .fold(None::<usize>, |best, m| match best {
                    Some(b) if failing[b].0 >= failing[m].0 => Some(b),
                    _ => Some(m),
                });
        assert_eq!(
            most_active.as_str(),
            worst.map(|m| MISTAKES[m]),
            "{id}: most_active"
        );
        let expected_verdict = if active == 0 && readiness >= 80 {
            "ready"
        } else if active >= 2 {
            "not_ready"
        } else {
            "at_risk"
        };
        assert_eq!(verdict, expected_verdict, "{id}");
    }
}

#[test]
fn the_example_portfolio_shows_every_case_the_site_needs() {
    let (_, report) = check_json(&repo());
    let dossiers = report["dossiers"].as_array().unwrap();
    let count = |f: &dyn Fn(&Value) -> bool| dossiers.iter().filter(|d| f(d)).count();
    assert!(dossiers.len() >= 8, "{} dossiers", dossiers.len());
    assert!(count(&|d| d["verdict"] == "ready") >= 1, "a ready pilot");
    assert!(
        count(&|d| d["stage"] == "production") >= 1,
        "a pilot in production"
    );
    assert!(
        count(&|d| d["stage"] == "proposed") >= 1,
        "a proposed pilot"
    );
    assert!(
        count(&|d| d["stage"] == "abandoned") >= 1,
        "an abandoned pilot"
    );
    assert!(
        count(&|d| d["stage"] == "paused"
            && d["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "purgatory"))
            >= 1,
        "a paused pilot in purgatory"
    );
    for m in MISTAKES {
        assert!(
            count(&|d| d["most_active"] == m) >= 1,
            "{m} is the most active mistake of some pilot"
        );
    }

    let project = pilotscope::project::Project::open(&repo()).expect("the example project opens");
    let as_of = pilotscope::dossier::read::parse_date(AS_OF).unwrap();
    let judged = project.judge_all(as_of);
    let formats: BTreeSet<&str> = judged
        .pilots()
        .map(|(d, _)| match d.format {
            Format::Yaml => "yaml",
            Format::Toml => "toml",
            Format::Json => "json",
        })
        .collect();
    assert_eq!(
        formats,
        BTreeSet::from(["yaml", "toml", "json"]),
        "front matter in all three languages"
    );
    let industries: BTreeSet<&str> = judged
        .pilots()
        .filter_map(|(d, _)| d.text(pilotscope::dossier::schema::idx::INDUSTRY))
        .collect();
    assert!(industries.len() >= 5, "{industries:?}");
    for (d, _) in judged.pilots() {
        let words = d.body.split_whitespace().count();
        assert!(words >= 300, "{}: the story has {words} words", d.source);
    }
}

// ---------------------------------------------------------------- colour and --quiet

const ESC: char = '\u{1b}';

fn colour_run(envs: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = pilotscope();
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd
        .current_dir(fixture("bad"))
        .args(["check", "--as-of", AS_OF])
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("an exit status"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 errors"),
    }
}

#[test]
fn clicolor_force_colours_a_pipe_and_no_color_or_color_never_do_not() {
    let forced = colour_run(&[("CLICOLOR_FORCE", "1")], &[]);
    assert!(forced.stdout.contains(ESC), "{}", forced.stdout);
    assert!(
        !colour_run(&[], &[]).stdout.contains(ESC),
        "a pipe is plain"
    );
    let never = colour_run(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]);
    assert!(!never.stdout.contains(ESC), "{}", never.stdout);
    assert!(!colour_run(&[("NO_COLOR", "1")], &[]).stdout.contains(ESC));
    let always = colour_run(&[("NO_COLOR", "1")], &["--color", "always"]);
    assert!(always.stdout.contains(ESC), "{}", always.stdout);
}

#[test]
fn machine_formats_are_never_coloured() {
    for format in ["json", "github"] {
        let r = colour_run(&[], &["--color", "always", "--format", format]);
        assert!(!r.stdout.contains(ESC), "{format}: {}", r.stdout);
    }
}

#[test]
fn quiet_check_prints_only_the_errors_and_keeps_the_exit_status() {
    let r = colour_run(&[], &["--quiet"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("error[dossier.binary]"), "{}", r.stdout);
    assert!(!r.stdout.contains("Good scaling pilot"), "{}", r.stdout);
    assert!(!r.stdout.contains("pilots as of"), "{}", r.stdout);
    assert!(!r.stdout.contains("warning"), "{}", r.stdout);
    let warned = pilotscope()
        .current_dir(fixture("warnings"))
        .args(["check", "-q", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(warned.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&warned.stdout), "");
}

#[test]
fn quiet_build_says_nothing_when_all_is_well() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("verdicts"), dir.path());
    let out = pilotscope()
        .current_dir(dir.path())
        .args(["build", "--quiet", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert!(dir.path().join("site/index.html").is_file());
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &dest).unwrap();
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// ---------------------------------------------------------------- write errors

/// Runs pilotscope in the example project with standard output sent to
/// `stdout`.
fn with_stdout(args: &[&str], stdout: std::fs::File) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(repo())
        .args(args)
        .stdout(stdout)
        .output()
        .unwrap()
}

#[test]
fn a_report_that_cannot_be_written_is_an_error_with_exit_2() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("note: skipped: no /dev/full on this system");
        return;
    }
    for args in [
        &["check", "--as-of", AS_OF][..],
        &["check", "--format", "sarif", "--as-of", AS_OF],
        &["check", "--format", "json", "--as-of", AS_OF],
        &["check", "--format", "junit", "--as-of", AS_OF],
        &["check", "--format", "github", "--as-of", AS_OF],
        &["check", "--format", "short", "--as-of", AS_OF],
        &["schema"],
    ] {
        let out = with_stdout(args, std::fs::File::create(full).unwrap());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("error: the output could not be written to standard output"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `pilotscope schema | head -1`: the pipe closes and nothing is said.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(repo())
        .args(["check", "--format", "sarif", "--as-of", AS_OF])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("could not be written"), "{err}");
    assert_ne!(out.status.code(), Some(2), "{err}");
}

// ---------------------------------------------------------------- issue 22, §3 and §4

#[test]
fn check_counts_every_dossier_and_gives_each_unreadable_one_a_line() {
    let r = run(&fixture("bad"), &["check", "--as-of", AS_OF]);
    assert_eq!(r.code, 1);
    let report = {
        let out = run(
            &fixture("bad"),
            &["check", "--format", "json", "--as-of", AS_OF],
        );
        serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()
    };
    let mut sources: Vec<String> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap().to_string())
        .collect();
    sources.dedup();
    for source in &sources {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.starts_with(&format!("cannot be read: {source}"))),
            "{source} has a line of its own:\n{}",
            r.stdout
        );
    }
    // One with a place says where: file, line and column.
    assert!(
        r.stdout
            .contains("cannot be read: content/bool-written-yes.md:6:19"),
        "{}",
        r.stdout
    );
    let last = r.stdout.lines().last().unwrap();
    let pilots = report["dossiers"].as_array().unwrap().len();
    assert!(
        last.starts_with(&format!(
            "{} dossiers as of {AS_OF}: {pilots} pilots judged",
            pilots + sources.len()
        )),
        "{last}"
    );
    assert!(
        last.contains(&format!("; {} dossiers cannot be read;", sources.len())),
        "{last}"
    );
}

#[test]
fn check_lines_have_a_header_verdicts_in_words_and_no_mistake_for_a_ready_pilot() {
    let r = run(&crate::common::repo_root(), &["check", "--as-of", AS_OF]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("Verdict")
            && lines[0].contains("Pilot")
            && lines[0].contains("Source"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("not_ready"), "{}", r.stdout);
    assert!(!r.stdout.contains("at_risk"), "{}", r.stdout);
    // Supplier invoice matching is ready with a failing check of metrics.
    let ready = lines
        .iter()
        .find(|l| l.contains("Supplier invoice matching"))
        .unwrap();
    assert!(ready.starts_with("ready "), "{ready}");
    assert!(!ready.contains("metrics"), "{ready}");
}

/// The slips of a dossier filled in by hand (`tests/fixtures/slips`): each
/// is reported at the line where the slip is, in plain words, with a help
/// line that says what to write.
#[test]
fn slips_made_by_hand_are_located_where_they_are_with_a_help_that_fixes_them() {
    let out = run(
        &fixture("slips"),
        &["check", "--format", "json", "--as-of", AS_OF],
    );
    assert_eq!(out.code, 1);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let errors = report["errors"].as_array().unwrap();
    let of = |file: &str| -> (i64, String) {
        let e = errors
            .iter()
            .find(|e| e["source"] == format!("content/{file}"))
            .unwrap_or_else(|| panic!("{file} has an error"));
        (
            e["line"].as_i64().unwrap(),
            e["message"].as_str().unwrap().to_string(),
        )
    };
    for (file, line, words, help) in [
        (
            "no-space-after-colon.md",
            5,
            "no space after the colon",
            "`  production_owner: Plant manager`",
        ),
        (
            "unclosed-list.md",
            4,
            "opens with `[` and is not closed",
            "`budget: [40000]`",
        ),
        (
            "tab-indent.md",
            5,
            "indented with a tab",
            "`  led_by: business`",
        ),
        (
            "unclosed-quote.md",
            2,
            "opens a quote",
            "`title: \"Claims triage\"`",
        ),
        (
            "colon-in-value.md",
            3,
            "holds a colon",
            "`summary: \"Phase 1: depots in the north\"`",
        ),
        (
            "day-that-does-not-exist.md",
            4,
            "2026-02-30 is not a day: February 2026 has 28 days",
            "`2026-02-28`",
        ),
        (
            "baseline-with-unit.md",
            7,
            "`metrics.business.baseline` must be a number",
            "`baseline: 3` and `unit: days`",
        ),
        (
            "share-in-words.md",
            5,
            "must be a share",
            "write `0.8` or `\"80%\"`",
        ),
        (
            "choice-in-words.md",
            5,
            "must be one of",
            "(`real_scenarios`, `generic`, `none`)",
        ),
    ] {
        let (at, message) = of(file);
        assert_eq!(at, line, "{file}: {message}");
        assert!(message.contains(words), "{file}: {message}");
        assert!(message.contains("(help: "), "{file}: {message}");
        assert!(message.contains(help), "{file}: {message}");
        for grammar in [
            "mapping values",
            "illegal placement",
            "tabs disallowed",
            "quoted scalar",
        ] {
            assert!(!message.contains(grammar), "{file}: {message}");
        }
    }
}

// ---------------------------------------------------------------- issue 22, §7

#[test]
fn an_evidence_sentence_never_states_a_comparison_its_own_numbers_contradict() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("content/edge.md"),
        "---\ntitle: Edge\nstage: scaling\ndata:\n  exception_rate: \"20.01%\"\n  completeness: 0.8999\nchange:\n  adoption_rate: \"59.99%\"\n---\n",
    )
    .unwrap();
    let out = run(dir.path(), &["check", "--format", "json", "--as-of", AS_OF]);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let message = |id: &str| -> String {
        report["dossiers"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        message("data.exception-volume").contains("is 20.01%, above the 20% limit"),
        "{}",
        message("data.exception-volume")
    );
    assert!(
        message("change.adoption-level").contains("is 59.99%, below the 60% threshold"),
        "{}",
        message("change.adoption-level")
    );
    assert!(
        message("data.completeness").contains("is 89.99%, below the 90% threshold"),
        "{}",
        message("data.completeness")
    );
}
