//! The rules as a user meets them: `pilotscope` run from inside a project
//! folder (no `--root`) on fixtures whose verdicts, errors or way to ready
//! depend on how the framework is read and applied.

use std::path::{Path, PathBuf};

use serde_json::Value;

const AS_OF: &str = "2026-11-26";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `project` as the current folder, as a user does.
fn run_in(project: &Path, args: &[&str]) -> Run {
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .current_dir(project)
        .env("NO_COLOR", "1")
        .args(args)
        .args(["--as-of", AS_OF])
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("an exit status"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 errors"),
    }
}

fn report(project: &Path) -> Value {
    let r = run_in(project, &["check", "--format", "json"]);
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", r.stdout, r.stderr))
}

fn check<'a>(dossier: &'a Value, id: &str) -> &'a Value {
    dossier["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {dossier:#}"))
}

#[test]
fn a_project_either_passes_on_its_second_alternative_when_the_first_is_unanswered() {
    let report = report(&fixture("project-rules"));
    let pilot = &report["dossiers"][0];
    let c = check(pilot, "governance.someone-watches");
    assert_eq!(c["outcome"], "pass", "{c:#}");
    assert_eq!(c["message"], "governance.owner: Sofia Marchetti");
}

#[test]
fn a_kpi_without_baseline_or_direction_is_judged_higher_is_better() {
    let report = report(&fixture("project-rules"));
    let c = check(&report["dossiers"][0], "metrics.targets-met");
    assert_eq!(c["outcome"], "pass", "{c:#}");
}

#[test]
fn framework_slips_that_change_every_judgement_are_errors_with_their_place() {
    let r = run_in(&fixture("framework-slips"), &["check"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for expected in [
        "framework.toml:3:1",
        "every weight is 0",
        "framework.toml:10:13",
        "85 is not a share; did you mean 0.85?",
        "framework.toml:14:13",
        "a threshold cannot be negative; found -0.9",
        "framework.toml:20:24",
        "`either = []` lists no condition",
        "framework.toml:29:6",
        "the check `governance.security-review` is defined twice in this file (first on line 23)",
        "framework.toml:39:6",
        "the built-in check `change.training` is changed twice in this file (first on line 35)",
        "framework.toml:44:12",
        "`severity = {}` names no stage",
    ] {
        assert!(
            r.stderr.contains(expected),
            "missing {expected:?} in:\n{}",
            r.stderr
        );
    }
}

#[test]
fn a_listed_value_in_capitals_is_an_error_at_the_value_with_the_exact_word() {
    let r = run_in(&fixture("near-miss"), &["check"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("content/led-by-business.md:12:11"),
        "not located at the value:\n{all}"
    );
    assert!(all.contains("did you mean `business`?"), "{all}");
    // The other dossier is still judged.
    let report = report(&fixture("near-miss"));
    let ids: Vec<&str> = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ready"]);
    assert_eq!(report["errors"][0]["source"], "content/led-by-business.md");
}

#[test]
fn the_report_gives_each_pilot_its_path_to_ready_and_its_next_stage() {
    let report = report(&fixture("verdicts"));
    let by_id = |id: &str| {
        report["dossiers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()
            .clone()
    };
    let at_risk = by_id("at-risk");
    assert_eq!(
        at_risk["path_to_ready"],
        serde_json::json!(["framing.production-owner"])
    );
    assert_eq!(
        at_risk["next_stage"],
        serde_json::json!({"stage": "pilot", "verdict": "not_ready", "readiness": 78, "blockers": ["framing.production-owner"]})
    );
    let ready = by_id("ready");
    assert_eq!(ready["path_to_ready"], serde_json::json!([]));
    assert_eq!(ready["next_stage"]["stage"], "production");
    assert_eq!(ready["next_stage"]["verdict"], "ready");
    // Production pilots have no next stage.
    let shipped = report_of_repo();
    for d in shipped["dossiers"].as_array().unwrap() {
        let none = matches!(d["stage"].as_str(), Some("production" | "abandoned"));
        assert_eq!(d["next_stage"].is_null(), none, "{}", d["id"]);
    }
}

fn report_of_repo() -> Value {
    report(Path::new(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn check_prints_how_many_checks_each_pilot_is_from_ready() {
    let r = run_in(&fixture("verdicts"), &["check"]);
    let line = |source: &str| {
        r.stdout
            .lines()
            .find(|l| l.ends_with(source))
            .unwrap_or_else(|| panic!("no line for {source}:\n{}", r.stdout))
            .to_string()
    };
    assert!(
        line("content/at-risk.md").contains(" 1 to ready "),
        "{}",
        r.stdout
    );
    assert!(
        !line("content/ready.md").contains("to ready"),
        "{}",
        r.stdout
    );
}

/// Builds the site of `project` from inside it into a fresh folder.
fn build_in(project: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("a temporary folder");
    let r = run_in(
        project,
        &[
            "build",
            "--output",
            out.path().to_str().expect("UTF-8 path"),
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    out
}

fn page(site: &tempfile::TempDir, path: &str) -> String {
    std::fs::read_to_string(site.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_pilot_page_shows_the_way_to_ready_and_the_gate_to_the_next_stage() {
    let site = build_in(&fixture("verdicts"));
    let at_risk = page(&site, "pilots/at-risk/index.html");
    assert!(at_risk.contains("1 check from ready"), "{at_risk}");
    // The check's question and its remedy.
    assert!(at_risk.contains(
        "Which business leader will be accountable for the results once the pilot ends?"
    ));
    assert!(
        at_risk.contains(
            "Remedy:</strong> Ask the business leader who will run the process afterwards"
        )
    );
    assert!(at_risk.contains("Ready for pilot?"));
    assert!(at_risk.contains("1 check would be a blocker"), "{at_risk}");
    let ready = page(&site, "pilots/ready/index.html");
    assert!(
        !ready.contains("from ready</h2>"),
        "a ready pilot has no path"
    );
    // A ready pilot's next step is what its next stage will ask.
    assert!(ready.contains("Next step: what production will ask"));
    assert!(ready.contains("Yes. Judged by the rules for production"));
}

#[test]
fn the_portfolio_and_the_faq_name_the_pilots_closest_to_ready_and_count_those_ready_to_scale() {
    let site = build_in(&fixture("verdicts"));
    let index = page(&site, "index.html");
    assert!(index.contains("Closest to ready, 1 check away:"), "{index}");
    assert!(index.contains(
        "href=\"pilots/at-risk/index.html\">At risk without a production owner</a></li>"
    ));
    assert!(index.contains("No pilot is in the pilot stage."));
    let faq = page(&site, "faq/index.html");
    let gate = &faq[faq
        .find("id=\"ready-to-scale\"")
        .expect("the readiness-gate topic")..];
    let gate = &gate[..gate.find("</section>").unwrap()];
    assert!(
        gate.contains("In this portfolio, no pilot is in the pilot stage."),
        "{gate}"
    );
    assert!(
        gate.contains("Closest to ready, 1 check away: <a href=\"../pilots/at-risk/index.html\">"),
        "{gate}"
    );
}

#[test]
fn the_portfolio_counts_pilots_ready_to_scale() {
    let site = build_in(Path::new(env!("CARGO_MANIFEST_DIR")));
    let report = report_of_repo();
    let ready_to_scale: Vec<&str> = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["stage"] == "pilot" && d["next_stage"]["verdict"] == "ready")
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    let pilots = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["stage"] == "pilot")
        .count();
    assert_eq!(report["portfolio"]["ready_to_scale"], ready_to_scale.len());
    let index = page(&site, "index.html");
    let expected = match ready_to_scale.len() {
        0 => format!("None of the {pilots} pilots in the pilot stage is ready to scale yet."),
        n => format!("{n} of the {pilots} pilots in the pilot stage"),
    };
    assert!(index.contains(&expected), "{expected}");
}
