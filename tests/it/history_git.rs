//! History and `diff` on repositories that try to fool them, made by the
//! tests with the real `git`: a promotion, a partial (blobless) clone, a
//! missing object, a rewritten cache, a compressed bomb, commits with bad
//! dates or no tree, a submodule and odd file names, workflow commands in
//! the older syntax, titles that GitHub would turn into links, and a
//! commit seen by `watch`. Every command runs from inside the project.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::history::{
    AS_OF, commit, example, git, git_at, history, pilotscope, repo, storied_repo, text, write,
};

/// `diff`'s JSON.
fn diff_json(root: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = pilotscope(root, &all);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("JSON from {all:?}: {}", text(&out.stderr)));
    (out.status.code(), v)
}

/// A triage dossier at `stage`, with `edit` applied.
fn triage_at(stage: &str) -> String {
    example("client-email-triage.md").replace("stage: pilot", &format!("stage: {stage}"))
}

#[test]
fn a_promotion_is_reported_as_a_stage_move_and_only_worse_answers_fail_the_gate() {
    let (_dir, root) = repo();
    write(&root, "content/triage.md", &triage_at("pilot"));
    write(
        &root,
        "content/invoices.md",
        &example("supplier-invoice-matching.md"),
    );
    let base = commit(&root, "two pilots", "2026-02-02T09:00:00Z");

    // The promotion alone: the new stage asks for more, which is no
    // regression; the stage move is said in every format.
    write(&root, "content/triage.md", &triage_at("scaling"));
    let out = pilotscope(&root, &["diff", &base, "--fail-on", "regression"]);
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}{}", text(&out.stderr));
    let row = shown.lines().nth(1).unwrap();
    assert!(row.starts_with("promoted"), "{shown}");
    assert!(row.contains("stage pilot → scaling"), "{shown}");
    assert!(
        shown.contains("now required at scaling: KPIs are measured in production: not answered"),
        "{shown}"
    );
    assert!(!shown.contains("worse"), "{shown}");
    // The list is what the pilot must now do: a check it already meets
    // is not in it.
    assert!(
        !shown.contains("Most eligible work goes through the system"),
        "{shown}"
    );
    assert!(
        !shown.contains("metrics.production-actuals"),
        "ids only in JSON: {shown}"
    );
    assert!(shown.ends_with("1 pilot differs: 1 promoted\n"), "{shown}");
    let md = text(&pilotscope(&root, &["diff", &base, "--format", "markdown"]).stdout);
    assert!(md.contains("| pilot → scaling |"), "{md}");
    assert!(
        md.contains("now required at scaling: KPIs are measured in production: not answered"),
        "{md}"
    );
    assert!(
        !md.contains("Most eligible work goes through the system"),
        "{md}"
    );
    assert!(md.contains("1 pilot differs: 1 promoted."), "{md}");
    let (code, d) = diff_json(&root, &[&base]);
    assert_eq!(code, Some(0));
    let p = &d["pilots"][0];
    assert_eq!(p["stage"]["before"], "pilot", "{d}");
    assert_eq!(p["stage"]["after"], "scaling");
    assert_eq!(p["stage"]["move"], "promotion");
    assert_eq!(p["regression"], false);
    assert_eq!(p["checks"], Value::Array(Vec::new()), "same answers: {d}");
    assert!(
        p["now_required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "metrics.production-actuals" && c["after"] == "unanswered"),
        "{d}"
    );
    // JSON keeps every check the new stage asks for, with its outcome.
    assert!(
        p["now_required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["after"] == "pass"),
        "{d}"
    );
    assert_eq!(d["summary"]["promoted"], 1, "{d}");

    // A promotion that also makes an answer worse fails, and names the
    // check by its title and outcome in words.
    write(
        &root,
        "content/triage.md",
        &triage_at("scaling").replace(
            "  production_owner: Priya Natarajan, head of client services, Northmoor Capital\n",
            "",
        ),
    );
    let out = pilotscope(&root, &["diff", &base, "--fail-on", "regression"]);
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    let row = shown.lines().nth(1).unwrap();
    assert!(
        row.starts_with("worse") && row.contains("stage pilot → scaling"),
        "{shown}"
    );
    assert!(shown.contains(": met → not answered"), "{shown}");
    assert!(shown.ends_with("1 pilot differs: 1 worse\n"), "{shown}");

    // Back to a pause, and to abandonment, are said as such; the same
    // answers at the same rules are no regression.
    for (stage, word, mv) in [
        ("paused", "moved back", "move_back"),
        ("abandoned", "abandoned", "abandonment"),
    ] {
        write(&root, "content/triage.md", &triage_at(stage));
        let out = pilotscope(&root, &["diff", &base, "--fail-on", "regression"]);
        let shown = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stage}: {shown}");
        assert!(shown.lines().nth(1).unwrap().starts_with(word), "{shown}");
        assert!(shown.contains(&format!("stage pilot → {stage}")), "{shown}");
        let (_, d) = diff_json(&root, &[&base]);
        assert_eq!(d["pilots"][0]["stage"]["move"], mv, "{d}");
    }

    // At one stage, a worse answer is a regression; a dossier that can no
    // longer be read is one too; the summary counts the rows.
    write(
        &root,
        "content/triage.md",
        &triage_at("pilot").replace("completeness: 0.94", "completeness: 0.2"),
    );
    write(&root, "content/invoices.md", "---\ntitle: [unclosed\n---\n");
    let out = pilotscope(&root, &["diff", &base, "--fail-on", "regression"]);
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.ends_with("2 pilots differ: 1 cannot be read, 1 worse\n"),
        "{shown}"
    );
    let (_, d) = diff_json(&root, &[&base]);
    assert!(
        d["pilots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["regression"] == true),
        "{d}"
    );
}

/// A clone of `root` made with `args` (`--filter=blob:none`, `--depth 1`),
/// from a `file://` URL as a CI runner would fetch.
fn clone(root: &Path, args: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    git(root, &["config", "uploadpack.allowFilter", "true"]);
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("clone");
    let url = format!("file://{}", root.display());
    let mut all = vec!["clone", "-q"];
    all.extend_from_slice(args);
    all.push(&url);
    all.push(to.to_str().unwrap());
    git(dir.path(), &all);
    (dir, to)
}

#[test]
fn a_partial_clone_is_said_and_never_passes_a_regression_as_better() {
    let (_dir, root) = repo();
    write(&root, "content/triage.md", &triage_at("pilot"));
    let base = commit(&root, "triage", "2026-02-02T09:00:00Z");
    write(
        &root,
        "content/triage.md",
        &triage_at("pilot")
            .replace("completeness: 0.94", "completeness: 0.2")
            .replace(
                "  production_owner: Priya Natarajan, head of client services, Northmoor Capital\n",
                "",
            ),
    );
    let head = commit(&root, "worse", "2026-03-02T09:00:00Z");
    // The full repository: worse, exit 1.
    let full = pilotscope(&root, &["diff", &base, &head, "--fail-on", "regression"]);
    assert_eq!(full.status.code(), Some(1), "{}", text(&full.stdout));

    let (_c, partial) = clone(&root, &["--filter=blob:none"]);
    let out = pilotscope(&partial, &["diff", &base, &head, "--fail-on", "regression"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}{err}", text(&out.stdout));
    assert!(err.contains("partial clone"), "{err}");
    assert!(
        err.contains("git fetch --refetch --no-filter origin"),
        "{err}"
    );
    assert!(
        !text(&out.stdout).contains("better"),
        "{}",
        text(&out.stdout)
    );
    // The site is built and says why it has no history; no entry says a
    // dossier "cannot be read".
    let out = pilotscope(&partial, &["build"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("partial clone").count(), 1, "{err}");
    assert!(
        err.contains("git fetch --refetch --no-filter origin"),
        "{err}"
    );
    assert!(!partial.join("site/history.json").exists());
    // What the message says to run makes it whole.
    git(
        &partial,
        &["fetch", "-q", "--refetch", "--no-filter", "origin"],
    );
    let out = pilotscope(&partial, &["diff", &base, &head, "--fail-on", "regression"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(pilotscope(&partial, &["build"]).status.code(), Some(0));
    assert!(partial.join("site/history.json").is_file());
}

#[test]
fn an_object_missing_from_a_full_clone_is_the_repository_s_trouble_not_a_dossier_s() {
    let (_dir, root) = repo();
    write(&root, "content/triage.md", &triage_at("pilot"));
    let base = commit(&root, "triage", "2026-02-02T09:00:00Z");
    let blob = git(&root, &["rev-parse", &format!("{base}:content/triage.md")]);
    write(&root, "content/triage.md", &triage_at("scaling"));
    commit(&root, "scaling", "2026-03-02T09:00:00Z");
    std::fs::remove_file(root.join(".git/objects").join(&blob[..2]).join(&blob[2..])).unwrap();
    let out = pilotscope(&root, &["diff", &base, "--fail-on", "regression"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}{err}", text(&out.stdout));
    assert!(err.contains("not in it, triage.md among them"), "{err}");
    let out = pilotscope(&root, &["build"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("the site has no history: the git repository cannot be read"),
        "{err}"
    );
    assert!(err.contains("is not in the repository"), "{err}");
    assert!(!root.join("site/history.json").exists());
}

#[test]
fn the_history_cache_lives_in_the_repository_s_folder_and_a_rewritten_one_is_not_believed() {
    let (_dir, root, commits) = storied_repo();
    // The usual GitHub Pages layout: the output folder is committed.
    write(&root, "pilotscope.toml", "output_dir = \"docs\"\n");
    assert_eq!(pilotscope(&root, &["build"]).status.code(), Some(0));
    // A cache an older version left in the output folder, rewritten in a
    // pull request, is neither read nor kept.
    write(&root, "docs/.pilotscope-history", "{\"format\":1}");
    commit(&root, "pages layout", "2026-06-02T08:00:00Z");
    let out = pilotscope(&root, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!root.join("docs/.pilotscope-history").exists());
    let caches: Vec<_> = std::fs::read_dir(root.join(".git/pilotscope"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(caches.len(), 1, "{caches:?}");
    let honest = std::fs::read(root.join("docs/history.json")).unwrap();
    let h = history_at(&root, "docs");
    let verdicts = |h: &Value| -> Vec<String> {
        h["pilots"]["email-triage"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}/{}", e["verdict"], e["author"]))
            .collect()
    };
    assert!(verdicts(&h).iter().any(|v| v.starts_with("null/")), "{h}");
    // Rewrite every judgement to ready/100 by "CEO (approved)".
    let cache = std::fs::read_to_string(&caches[0]).unwrap();
    let mut c: Value = serde_json::from_str(&cache).unwrap();
    for j in c["judged"].as_array_mut().unwrap() {
        j["verdict"] = "ready".into();
        j["readiness"] = 100.into();
        j["error"] = Value::Null;
    }
    for commit in c["commits"].as_array_mut().unwrap() {
        commit["author"] = "CEO (approved)".into();
    }
    std::fs::write(&caches[0], c.to_string()).unwrap();
    let out = pilotscope(&root, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(root.join("docs/history.json")).unwrap(),
        honest
    );
    // A damaged cache does not survive a build that writes no page: it is
    // read again from git and kept whole.
    std::fs::write(&caches[0], "{ damaged").unwrap();
    let out = pilotscope(&root, &["build"]);
    assert!(
        text(&out.stderr).contains("0 written"),
        "{}",
        text(&out.stderr)
    );
    let kept: Value = serde_json::from_slice(&std::fs::read(&caches[0]).unwrap()).unwrap();
    assert_eq!(kept["head"], git(&root, &["rev-parse", "HEAD"]).as_str());
    assert_eq!(kept["commits"][0]["id"], commits[0].as_str());
}

fn history_at(root: &Path, out: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root.join(out).join("history.json")).unwrap())
        .unwrap()
}

/// Runs `pilotscope` with its address space capped at `limit_mib`.
fn pilotscope_capped(root: &Path, limit_mib: u64, args: &str) -> std::process::Output {
    Command::new("sh")
        .current_dir(root)
        .arg("-c")
        .arg(format!(
            "ulimit -v {} && exec \"$0\" --as-of {AS_OF} {args}",
            limit_mib * 1024
        ))
        .arg(env!("CARGO_BIN_EXE_pilotscope"))
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_compressed_bomb_in_history_is_refused_from_its_header_before_it_is_unpacked() {
    let (_dir, root) = repo();
    write(&root, "content/triage.md", &triage_at("pilot"));
    let first = commit(&root, "triage", "2026-02-02T09:00:00Z");
    // A 1 GiB dossier (1 MiB in git), added in one commit, removed in the
    // next, made without the file ever being on disk.
    let mut hash = Command::new("git")
        .current_dir(&root)
        .args(["hash-object", "-w", "--stdin"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = hash.stdin.take().unwrap();
        let zeros = vec![b'a'; 1 << 20];
        for _ in 0..1024 {
            stdin.write_all(&zeros).unwrap();
        }
    }
    let out = hash.wait_with_output().unwrap();
    let blob = String::from_utf8(out.stdout).unwrap().trim().to_string();
    git(
        &root,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{blob},content/bomb.md"),
        ],
    );
    git_at(
        &root,
        &["commit", "-q", "-m", "bomb"],
        "2026-03-02T09:00:00Z",
    );
    let bombed = git(&root, &["rev-parse", "HEAD"]);
    git(&root, &["rm", "-q", "--cached", "content/bomb.md"]);
    git_at(
        &root,
        &["commit", "-q", "-m", "defused"],
        "2026-03-03T09:00:00Z",
    );
    // Under 600 MiB of address space, reading the bomb would fail.
    let out = pilotscope_capped(&root, 600, "build");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let h = history(&root);
    let error = h["pilots"]["bomb"][0]["error"].as_str().unwrap();
    assert!(error.contains("larger than 4 MiB"), "{h}");
    let out = pilotscope_capped(&root, 600, &format!("diff {first} {bombed} --format json"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        d["pilots"][0]["after"]["error"]
            .as_str()
            .unwrap()
            .contains("larger than 4 MiB"),
        "{d}"
    );
}

/// Writes a commit object as given (no checks), returning its id.
fn raw_commit(root: &Path, body: &str) -> String {
    let mut c = Command::new("git")
        .current_dir(root)
        .args([
            "hash-object",
            "-t",
            "commit",
            "--literally",
            "-w",
            "--stdin",
        ])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        c.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    }
    let out = c.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn a_commit_with_a_bad_date_no_author_or_no_tree_is_passed_over_and_the_rest_kept() {
    let (_dir, root) = repo();
    write(&root, "content/triage.md", &triage_at("pilot"));
    let first = commit(&root, "triage", "2026-02-02T09:00:00Z");
    write(&root, "content/triage.md", &triage_at("scaling"));
    git(&root, &["add", "-A"]);
    let tree = git(&root, &["write-tree"]);
    let who = "Ada Lovelace <ada@example.com>";
    let mut parent = first.clone();
    for (what, header) in [
        (
            "year 10000",
            format!(
                "tree {tree}\nparent {{p}}\nauthor {who} 253402300800 +0000\ncommitter {who} 253402300800 +0000\n"
            ),
        ),
        (
            "garbage date",
            format!(
                "tree {tree}\nparent {{p}}\nauthor {who} soon +0000\ncommitter {who} soon +0000\n"
            ),
        ),
        (
            "no author",
            format!("tree {tree}\nparent {{p}}\ncommitter {who} 1772960400 +0000\n"),
        ),
        (
            "no tree",
            format!(
                "tree {}\nparent {{p}}\nauthor {who} 1772960400 +0000\ncommitter {who} 1772960400 +0000\n",
                "1".repeat(40)
            ),
        ),
    ] {
        parent = raw_commit(
            &root,
            &format!("{}\n{what}\n", header.replace("{p}", &parent)),
        );
    }
    // The branch at a commit with no tree: built twice (the second from
    // the cache), the history is kept both times.
    git(&root, &["update-ref", "refs/heads/main", &parent]);
    for _ in 0..2 {
        let out = pilotscope(&root, &["build"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(!err.contains("the site has no history"), "{err}");
        assert_eq!(
            history(&root)["pilots"]["triage"][0]["commit"],
            first.as_str()
        );
    }
    write(
        &root,
        "content/invoices.md",
        &example("supplier-invoice-matching.md"),
    );
    git(&root, &["add", "-A"]);
    let tree = git(&root, &["write-tree"]);
    let last = git_at(
        &root,
        &["commit-tree", &tree, "-p", &parent, "-m", "invoices"],
        "2026-04-01T08:00:00Z",
    );
    git(&root, &["update-ref", "refs/heads/main", &last]);
    let out = pilotscope(&root, &["build"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("the site has no history"), "{err}");
    assert!(err.contains("history passes over commit"), "{err}");
    let h = history(&root);
    assert_eq!(h["head"], last.as_str());
    let triage = h["pilots"]["triage"].as_array().unwrap();
    assert_eq!(triage[0]["commit"], first.as_str(), "{h}");
    assert_eq!(triage.last().unwrap()["stage"], "scaling", "{h}");
    assert_eq!(h["pilots"]["invoices"][0]["commit"], last.as_str());
    // `diff` across them compares the two ends.
    let (code, d) = diff_json(&root, &[&first, &last]);
    assert_eq!(code, Some(0), "{d}");
    assert_eq!(d["pilots"].as_array().unwrap().len(), 2, "{d}");
}

#[test]
fn files_are_dossiers_by_one_rule_on_disk_and_in_git() {
    use std::os::unix::ffi::OsStrExt;
    let (_dir, root) = repo();
    write(&root, "content/triage.md", &triage_at("pilot"));
    // A submodule under content/, with a dossier of its own.
    let (_sub_dir, sub) = repo();
    write(&sub, "inner.md", &example("supplier-invoice-matching.md"));
    commit(&sub, "inner", "2026-01-02T09:00:00Z");
    git(
        &root,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &format!("file://{}", sub.display()),
            "content/vendor",
        ],
    );
    // Names that are not UTF-8, and one with a backslash.
    for name in [&b"bad\xff.md"[..], &b"bad\xfe.md"[..]] {
        std::fs::write(
            root.join("content").join(std::ffi::OsStr::from_bytes(name)),
            triage_at("pilot"),
        )
        .unwrap();
    }
    write(&root, "content/a\\b.md", "---\ntitle: [unclosed\n---\n");
    let base = commit(&root, "odd files", "2026-02-02T09:00:00Z");
    let out = pilotscope(&root, &["check", "--format", "json"]);
    let err = text(&out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let report_text = report.to_string();
    assert!(!ids.iter().any(|i| i.contains("inner")), "{ids:?}");
    assert!(!report_text.contains("duplicate"), "{report_text}");
    // The broken file is named as it is, never as content/a/b.md.
    assert!(report_text.contains("content/a\\\\b.md"), "{report_text}");
    assert!(!report_text.contains("content/a/b.md"), "{report_text}");
    let out = pilotscope(&root, &["build"]);
    let err = format!("{err}{}", text(&out.stderr));
    assert!(err.contains("a git submodule"), "{err}");
    assert!(err.contains("not UTF-8"), "{err}");
    // Git sees the same pilots: nothing is "added" against the commit.
    let (_, d) = diff_json(&root, &[&base]);
    assert_eq!(d["pilots"], Value::Array(Vec::new()), "{d}");
    let h = history(&root);
    let mut keys: Vec<&String> = h["pilots"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["a-b", "triage"], "{h}");
    assert_eq!(h["pilots"]["a-b"][0]["source"], "content/a\\b.md");
}

#[test]
fn workflow_commands_in_the_older_syntax_never_reach_the_terminal_whole() {
    let (_dir, root) = repo();
    let titled = triage_at("pilot").replace(
        "title: Client email triage",
        "title: \"##[error]forged ##[add-mask]Priya\"",
    );
    write(&root, "content/x##[warning]x.md", &titled);
    let base = commit(&root, "readable", "2026-02-02T09:00:00Z");
    // Now unreadable, with the commands in a comment on the broken line.
    let forged = titled.replace(
        "completeness: 0.94",
        "completeness: 0.94\nbudget: [ # ##[stop-commands]tok",
    );
    write(&root, "content/x##[warning]x.md", &forged);
    let mut shown_broken = false;
    for args in [
        vec!["build"],
        vec!["check"],
        vec!["check", "--format", "short"],
        vec!["diff", base.as_str()],
        vec!["diff", base.as_str(), "--format", "markdown"],
        vec!["diff", base.as_str(), "--format", "json"],
    ] {
        let out = pilotscope(&root, &args);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains("##["), "{args:?}: {all}");
        shown_broken |= all.contains("#\u{2060}#[");
    }
    assert!(shown_broken, "the forged text is shown, broken");
    // JSON still reads as what the dossier says.
    let (_, d) = diff_json(&root, &[&base]);
    assert!(d.to_string().contains("x##[warning]x.md"), "{d}");
}

/// Renders markdown as GitHub does (GitHub Flavored Markdown with tables
/// and autolinks), with cmark-gfm; `None` when it is not installed.
fn render_gfm(md: &str) -> Option<String> {
    let child = Command::new("cmark-gfm")
        .args(["-e", "table", "-e", "autolink", "-e", "strikethrough"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) => {
            crate::hardening::require(false, "cmark-gfm");
            return None;
        }
    };
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(md.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn diff_markdown_adds_no_link_and_no_mention_when_github_renders_it() {
    let (_dir, root) = repo();
    let hostile = [
        "https://evil.example/sso",
        "see http://evil.example",
        "www.evil.example",
        "WWW.evil.example/login",
        "mail ceo@evil.example",
        "mailto:ceo@evil.example",
        "@acme/finance-leads",
        "cc @octocat please",
        "\\[phish\\](https://evil.example)",
        "[phish](https://evil.example)",
        "<https://evil.example>",
        "![x](https://evil.example/x.png)",
        "(www.evil.example)",
        "*https://evil.example*",
        "ftp://evil.example/x",
    ];
    // Every title at `stage`, each in a dossier of its own.
    let titled = |stage: &str| {
        for (i, title) in hostile.iter().enumerate() {
            let yaml = format!("title: {}", serde_json::to_string(title).unwrap());
            write(
                &root,
                &format!("content/p{i}.md"),
                &triage_at(stage).replace("title: Client email triage", &yaml),
            );
        }
    };
    titled("pilot");
    let base = commit(&root, "hostile titles", "2026-02-02T09:00:00Z");
    titled("scaling");
    let out = pilotscope(&root, &["diff", &base, "--format", "markdown"]);
    let md = text(&out.stdout);
    let Some(html) = render_gfm(&md) else { return };
    assert_eq!(md.matches("| ↕️ promoted |").count(), hostile.len(), "{md}");
    assert!(!html.contains("<a "), "{html}");
    assert!(!html.contains("<img"), "{html}");
    // GitHub links `@name` and `@org/team` in text: none is left whole.
    let text_only = html.replace('\u{2060}', "|");
    for w in text_only.split(|c: char| c.is_whitespace() || c == '>') {
        if let Some(rest) = w.strip_prefix('@') {
            assert!(
                !rest.starts_with(|c: char| c.is_ascii_alphanumeric()),
                "{w} in {html}"
            );
        }
        assert!(!w.contains("://"), "{w} in {html}");
    }
    // The words are all there for a reader.
    assert!(html.contains("evil.example/sso"), "{html}");
}

#[test]
fn watch_renders_the_history_again_after_a_commit_that_changes_no_file() {
    let (_dir, root) = repo();
    write(&root, "content/triage.md", &triage_at("pilot"));
    std::fs::write(root.join(".gitignore"), "site/\n").unwrap();
    commit(&root, "triage", "2026-02-02T09:00:00Z");
    let mut w = super::live::Running::watch_default(&root);
    let first = history(&root);
    // A commit of nothing but a message: no file of the project changes.
    git_at(
        &root,
        &["commit", "-q", "--allow-empty", "-m", "nothing"],
        "2026-03-02T09:00:00Z",
    );
    let head = git(&root, &["rev-parse", "HEAD"]);
    assert_ne!(first["head"], head.as_str());
    w.poll("history.json to name the new head", || {
        let h: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("site/history.json")).ok()?)
                .ok()?;
        (h["head"] == head.as_str()).then_some(())
    });
}

#[test]
fn a_revision_counted_back_past_the_first_commit_is_said_in_words() {
    let (_dir, root) = repo();
    for (i, day) in ["01", "02", "03", "04", "05"].iter().enumerate() {
        write(
            &root,
            "content/triage.md",
            &triage_at("pilot").replace("Client email", &format!("Client email {i}")),
        );
        commit(
            &root,
            "a day's answers",
            &format!("2026-02-{day}T09:00:00Z"),
        );
    }
    let out = pilotscope(&root, &["diff", "HEAD~99"]);
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(
            "`HEAD~99` goes back 99 commits from HEAD, but HEAD has only 4 commits before it"
        ),
        "{said}"
    );
    assert!(!said.contains("NthAncestor"), "{said}");
    let out = pilotscope(&root, &["diff", "main^^^^^^"]);
    assert!(
        text(&out.stderr).contains("main has only 4 commits before it"),
        "{}",
        text(&out.stderr)
    );
    // Within the history, the same kind of revision is read as before.
    assert_eq!(
        pilotscope(&root, &["diff", "HEAD~4"]).status.code(),
        Some(0)
    );
}

/// The days in purgatory the pilot's History panel gives, if any.
fn purgatory_on_page(root: &Path, id: &str) -> Option<String> {
    let out = pilotscope(root, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(root.join(format!("site/pilots/{id}/index.html"))).unwrap();
    let stages = &page[page.find("class=\"history-stages\"")?..];
    let stages = &stages[..stages.find("</p>").unwrap()];
    let days = &stages[stages.find("in purgatory ")? + "in purgatory ".len()..];
    Some(days.to_string())
}

#[test]
fn days_in_purgatory_are_counted_from_the_decision_date_not_from_the_commits() {
    let at = |stage: &str| {
        triage_at(stage).replace("decision_due: 2027-02-26", "decision_due: 2026-05-01")
    };
    // At stage pilot from 2026-04-20, due 2026-05-01, scaling from
    // 2026-06-29: overdue from 2026-05-02, 58 days.
    let story = |root: &Path, extra: bool| {
        write(root, "content/triage.md", &at("pilot"));
        commit(root, "triage", "2026-04-20T09:00:00Z");
        if extra {
            write(
                root,
                "content/triage.md",
                &format!("{}\nOne more line of story.\n", at("pilot")),
            );
            commit(root, "story only", "2026-05-11T09:00:00Z");
        }
        write(root, "content/triage.md", &at("scaling"));
        commit(root, "to scaling", "2026-06-29T09:00:00Z");
    };
    let (_plain, root) = repo();
    story(&root, false);
    assert_eq!(
        purgatory_on_page(&root, "triage").as_deref(),
        Some("58 days")
    );
    let (_storied, root) = repo();
    story(&root, true);
    assert_eq!(
        purgatory_on_page(&root, "triage").as_deref(),
        Some("58 days"),
        "a commit that changes only the story changes nothing"
    );

    // Still at stage pilot today, with no commit since its due date: in
    // purgatory from 2026-05-02 to the as-of date, 2026-11-26.
    let (_still, root) = repo();
    write(&root, "content/triage.md", &at("pilot"));
    commit(&root, "triage", "2026-04-20T09:00:00Z");
    assert_eq!(
        purgatory_on_page(&root, "triage").as_deref(),
        Some("208 days")
    );
}
