//! The portfolio over time (`site/history.json`) and `pilotscope diff`, on
//! git repositories made by the tests: dated commits, a rename, a broken
//! revision, a shallow clone, and a folder that is no repository. Every
//! command runs from inside the project folder, without `--root`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub(crate) const AS_OF: &str = "2026-11-26";

pub(crate) fn pilotscope(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(dir)
        .arg("--as-of")
        .arg(AS_OF)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(Stdio::null())
        .output()
        .expect("pilotscope runs")
}

pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    git_at(dir, args, "2026-01-01T12:00:00Z")
}

/// Runs git with author and committer dated `date`.
pub(crate) fn git_at(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub(crate) fn commit(dir: &Path, message: &str, date: &str) -> String {
    git_at(dir, &["add", "-A"], date);
    git_at(dir, &["commit", "-q", "-m", message], date);
    git(dir, &["rev-parse", "HEAD"])
}

/// A dossier from the shipped examples.
pub(crate) fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("content")
            .join(name),
    )
    .unwrap()
}

pub(crate) fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub(crate) fn repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    (dir, root)
}

pub(crate) fn history(root: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root.join("site/history.json")).unwrap()).unwrap()
}

/// The history cache, in the repository's own folder.
pub(crate) fn cache_file(root: &Path) -> PathBuf {
    let dir = root.join(".git/pilotscope");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.pop().unwrap()
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A repository with a pilot added, moved to scaling, renamed, broken and
/// mended, and a second pilot; returns the commits in order.
pub(crate) fn storied_repo() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let (dir, root) = repo();
    let triage = example("client-email-triage.md");
    write(&root, "content/triage.md", &triage);
    let c1 = commit(&root, "add triage", "2026-02-02T09:00:00Z");
    write(
        &root,
        "content/invoices.md",
        &example("supplier-invoice-matching.md"),
    );
    write(
        &root,
        "content/triage.md",
        &triage.replace("stage: pilot", "stage: scaling"),
    );
    let c2 = commit(&root, "triage to scaling", "2026-03-04T23:30:00+00:00");
    git(
        &root,
        &["mv", "content/triage.md", "content/email-triage.md"],
    );
    let c3 = commit(&root, "rename", "2026-04-01T08:00:00Z");
    write(
        &root,
        "content/email-triage.md",
        "---\ntitle: [unclosed\n---\n",
    );
    let c4 = commit(&root, "break it", "2026-05-01T08:00:00Z");
    write(&root, "content/email-triage.md", &triage);
    let c5 = commit(&root, "mend it", "2026-06-01T08:00:00Z");
    (dir, root, vec![c1, c2, c3, c4, c5])
}

#[test]
fn history_follows_a_pilot_through_dated_commits_a_rename_and_a_broken_revision() {
    let (_dir, root, commits) = storied_repo();
    let out = pilotscope(&root, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("history"),
        "{}",
        text(&out.stderr)
    );
    let h = history(&root);
    assert_eq!(h["as_of"], AS_OF);
    assert_eq!(h["head"], commits[4].as_str());
    // Ids as at the last entry: the rename kept one pilot.
    let pilots = h["pilots"].as_object().unwrap();
    assert_eq!(
        pilots.keys().collect::<Vec<_>>(),
        ["email-triage", "invoices"],
        "{h}"
    );
    let triage = h["pilots"]["email-triage"].as_array().unwrap();
    let dates: Vec<&str> = triage.iter().map(|e| e["date"].as_str().unwrap()).collect();
    // The rename alone changed no judgement, so it has no entry.
    assert_eq!(
        dates,
        ["2026-02-02", "2026-03-04", "2026-05-01", "2026-06-01"],
        "{h}"
    );
    assert_eq!(triage[0]["commit"], commits[0].as_str());
    assert_eq!(triage[0]["verdict"], "at_risk");
    assert_eq!(triage[0]["stage"], "pilot");
    assert_eq!(triage[0]["author"], "Ada Lovelace");
    assert_eq!(triage[1]["stage"], "scaling");
    assert_eq!(triage[1]["verdict"], "not_ready");
    for key in [
        "date",
        "commit",
        "verdict",
        "readiness",
        "most_active",
        "flags",
    ] {
        assert!(triage[0].get(key).is_some(), "{key} in {}", triage[0]);
    }
    // The broken revision is an entry with its error, located.
    assert_eq!(triage[2]["verdict"], Value::Null);
    let error = triage[2]["error"].as_str().unwrap();
    assert!(error.starts_with("content/email-triage.md:"), "{error}");
    assert_eq!(triage[2]["source"], "content/email-triage.md");
    assert_eq!(triage[3]["verdict"], "at_risk");
    assert_eq!(h["pilots"]["invoices"][0]["commit"], commits[1].as_str());
    // The pilot's page: the step chart, and what changed, newest first.
    let page = std::fs::read_to_string(root.join("site/pilots/email-triage/index.html")).unwrap();
    assert!(
        page.contains(r#"<h2 id="history-title">History</h2>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<path class="history-line" d="M0 "#),
        "{page}"
    );
    let newest = page
        .find("2026-06-01 · could be read again")
        .expect("the mend is listed");
    let oldest = page
        .find("2026-02-02 · added, at risk · readiness")
        .expect("the start is listed");
    assert!(newest < oldest);
    assert!(
        page.contains("2026-03-04 · stage pilot → scaling · at risk → not ready"),
        "{page}"
    );
    assert!(
        page.contains(&format!("{} by Ada Lovelace", &commits[1][..7])),
        "{page}"
    );
    assert!(
        page.contains("Pilot: 208 days · Scaling: 58 days"),
        "{page}"
    );
    // The portfolio: the trend, and each tile's change since 90 days before.
    let index = std::fs::read_to_string(root.join("site/index.html")).unwrap();
    assert!(index.contains("Pilots per verdict over time"), "{index}");
    assert!(index.contains("since 2026-08-28"), "{index}");
    // The same repository gives the same bytes, in a clean build too.
    let first = std::fs::read(root.join("site/history.json")).unwrap();
    let other = root.join("other");
    assert_eq!(
        pilotscope(&root, &["build", "--output", "other"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(std::fs::read(other.join("history.json")).unwrap(), first);
}

/// The chart of the portfolio's trend in `index.html`, if it draws one.
fn trend_chart(root: &Path) -> Option<String> {
    let index = std::fs::read_to_string(root.join("site/index.html")).unwrap();
    let start = index.find(r#"<figure class="history-chart""#)?;
    let end = index[start..].find("</figure>").unwrap();
    Some(index[start..start + end].to_string())
}

#[test]
fn a_trend_is_drawn_only_when_its_points_spread_over_weeks() {
    // A history that began last week: three dates within six days of the
    // day of the build. A chart would be a flat band; a line says why none.
    let (_dir, root) = repo();
    let triage = example("client-email-triage.md");
    write(&root, "content/triage.md", &triage);
    commit(&root, "add triage", "2026-11-20T09:00:00Z");
    write(
        &root,
        "content/invoices.md",
        &example("supplier-invoice-matching.md"),
    );
    commit(&root, "add invoices", "2026-11-22T09:00:00Z");
    write(
        &root,
        "content/triage.md",
        &triage.replace("stage: pilot", "stage: scaling"),
    );
    commit(&root, "triage to scaling", "2026-11-24T09:00:00Z");
    let out = pilotscope(&root, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(trend_chart(&root), None, "a week of history drew a chart");
    let index = std::fs::read_to_string(root.join("site/index.html")).unwrap();
    assert!(
        index.contains("The history holds too few points to draw yet"),
        "{index}"
    );
    // Months of history (February to June): the chart, from its first date.
    let (_dir, root, _) = storied_repo();
    assert_eq!(pilotscope(&root, &["build"]).status.code(), Some(0));
    let chart = trend_chart(&root).expect("months of history draw a chart");
    assert!(chart.contains("<span>2026-02-02</span>"), "{chart}");
    assert!(chart.contains(r#"<rect class="band-"#), "{chart}");
}

#[test]
fn a_commit_moves_the_history_and_the_cache_judges_only_what_it_changed() {
    let (_dir, root, _) = storied_repo();
    assert_eq!(pilotscope(&root, &["build"]).status.code(), Some(0));
    let cache = std::fs::read_to_string(cache_file(&root)).unwrap();
    assert!(cache.contains("\"judged\""));
    // A commit that changes no dossier still moves HEAD: the site says so.
    std::fs::write(root.join(".gitignore"), "site/\nother/\n").unwrap();
    let head = commit(&root, "ignore the site", "2026-07-01T08:00:00Z");
    let out = pilotscope(&root, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(history(&root)["head"], head.as_str());
    // A commit that changes one dossier: its entry is there, and the
    // judgements kept from before are still used (the cache grew by one).
    let before: Value = serde_json::from_str(&cache).unwrap();
    let invoices =
        example("supplier-invoice-matching.md").replace("stage: scaling", "stage: production");
    assert_ne!(invoices, example("supplier-invoice-matching.md"));
    write(&root, "content/invoices.md", &invoices);
    let head = commit(&root, "invoices to scaling", "2026-08-01T08:00:00Z");
    assert_eq!(pilotscope(&root, &["build"]).status.code(), Some(0));
    let h = history(&root);
    let entries = h["pilots"]["invoices"].as_array().unwrap();
    assert_eq!(entries.last().unwrap()["commit"], head.as_str(), "{h}");
    let after: Value =
        serde_json::from_str(&std::fs::read_to_string(cache_file(&root)).unwrap()).unwrap();
    assert_eq!(
        after["judged"].as_array().unwrap().len(),
        before["judged"].as_array().unwrap().len() + 1
    );
    // The pilot's page was rendered again; an untouched rebuild renders nothing.
    let again = pilotscope(&root, &["build"]);
    assert!(
        text(&again.stderr).contains("0 written"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn a_shallow_clone_builds_as_before_and_says_once_that_history_needs_the_full_history() {
    let (_dir, root, _) = storied_repo();
    let clone_dir = tempfile::tempdir().unwrap();
    let clone = clone_dir.path().join("clone");
    let url = format!("file://{}", root.display());
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(&clone)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = pilotscope(&clone, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(err.matches("fetch-depth: 0").count(), 1, "{err}");
    assert!(err.contains("shallow clone"), "{err}");
    assert!(clone.join("site/index.html").is_file());
    assert!(!clone.join("site/history.json").exists());
}

#[test]
fn outside_a_repository_the_site_is_built_and_history_is_said_to_need_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(
        &root,
        "content/triage.md",
        &example("client-email-triage.md"),
    );
    let out = pilotscope(&root, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("not in a git repository"), "{err}");
    assert!(root.join("site/pilots/triage/index.html").is_file());
    assert!(!root.join("site/history.json").exists());
    // `diff` needs one, and says so.
    let out = pilotscope(&root, &["diff", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("git repository"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn history_can_be_turned_off_or_bounded_and_authors_left_out() {
    let (_dir, root, _) = storied_repo();
    write(&root, "pilotscope.toml", "history = false\n");
    let out = pilotscope(&root, &["build"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!text(&out.stderr).contains("history"));
    assert!(!root.join("site/history.json").exists());
    write(
        &root,
        "pilotscope.toml",
        "history_since = \"2026-04-15\"\nhistory_authors = false\n",
    );
    assert_eq!(pilotscope(&root, &["build"]).status.code(), Some(0));
    let h = history(&root);
    let triage = h["pilots"]["email-triage"].as_array().unwrap();
    // The state before the bound is one entry at the last commit before it.
    assert_eq!(triage[0]["date"], "2026-04-01", "{h}");
    assert!(triage.iter().all(|e| e.get("author").is_none()), "{h}");
    let page = std::fs::read_to_string(root.join("site/pilots/email-triage/index.html")).unwrap();
    assert!(!page.contains("by Ada"), "authors are left out");
    let cache = std::fs::read_to_string(cache_file(&root)).unwrap();
    assert!(!cache.contains("Ada"), "the cache names no author");
}

#[test]
fn diff_lists_what_a_change_did_in_json_markdown_and_words_and_fails_on_a_regression() {
    let (_dir, root, commits) = storied_repo();
    // Against the first commit, the last one changed triage not at all
    // (mended back) and added invoices.
    let out = pilotscope(
        &root,
        &["diff", &commits[0], &commits[4], "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["base"], commits[0].as_str());
    assert_eq!(d["head"], commits[4].as_str());
    let pilots = d["pilots"].as_array().unwrap();
    let ids: Vec<&str> = pilots.iter().map(|p| p["id"].as_str().unwrap()).collect();
    // Removed before added; a rename between the two is one of each.
    assert_eq!(ids, ["triage", "email-triage", "invoices"], "{d}");
    let added = &pilots.iter().find(|p| p["id"] == "invoices").unwrap();
    assert_eq!(added["change"], "added");
    assert_eq!(added["before"], Value::Null);
    assert_eq!(added["source"], "content/invoices.md");

    // Pilot to scaling with the same answers: a promotion, not a
    // regression. The new stage's verdict is compared with the same
    // answers judged at that stage; what it asks for is listed apart.
    let out = pilotscope(
        &root,
        &["diff", &commits[0], &commits[1], "--format", "json"],
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let triage = &d["pilots"][0];
    assert_eq!(triage["id"], "triage", "most serious first: {d}");
    assert_eq!(triage["change"], "changed");
    assert_eq!(triage["before"]["verdict"], "at_risk");
    assert_eq!(triage["after"]["verdict"], "not_ready");
    assert_eq!(triage["before_at_new_stage"]["verdict"], "not_ready");
    assert_eq!(triage["stage"]["move"], "promotion");
    assert_eq!(triage["regression"], false);
    assert!(triage["checks"].as_array().unwrap().is_empty(), "{d}");
    assert!(
        !triage["now_required"].as_array().unwrap().is_empty(),
        "{d}"
    );
    let passing = pilotscope(
        &root,
        &["diff", &commits[0], &commits[1], "--fail-on", "regression"],
    );
    assert_eq!(passing.status.code(), Some(0), "{}", text(&passing.stdout));
    assert!(
        text(&passing.stdout).contains("promoted       triage  stage pilot → scaling · not ready"),
        "{}",
        text(&passing.stdout)
    );

    // A new read error is a regression too; mending it is not.
    let broke = pilotscope(
        &root,
        &["diff", &commits[2], &commits[3], "--fail-on", "regression"],
    );
    assert_eq!(broke.status.code(), Some(1));
    let mended = pilotscope(
        &root,
        &["diff", &commits[3], &commits[4], "--fail-on", "regression"],
    );
    assert_eq!(mended.status.code(), Some(0), "{}", text(&mended.stdout));

    // Markdown: a table, the worst first, links when base_url is set, and
    // a dossier's title escaped.
    write(
        &root,
        "pilotscope.toml",
        "base_url = \"https://pilots.example.com/\"\n",
    );
    let md = pilotscope(
        &root,
        &["diff", &commits[0], &commits[1], "--format", "markdown"],
    );
    let md = text(&md.stdout);
    assert!(
        md.contains("| | Pilot | Stage | Verdict | Readiness | What changed |"),
        "{md}"
    );
    let promoted = md.find("promoted |").unwrap();
    let added = md.find("added |").unwrap_or(usize::MAX);
    assert!(promoted < added, "{md}");
    assert!(
        md.contains("[Client email triage](https://pilots.example.com/pilots/triage/)"),
        "{md}"
    );
}

#[test]
fn diff_defaults_to_the_merge_base_with_the_default_branch_and_the_working_tree() {
    let (_dir, root, _) = storied_repo();
    git(&root, &["checkout", "-q", "-b", "change"]);
    // An uncommitted edit that breaks a dossier.
    write(&root, "content/invoices.md", "---\nstage: nowhere\n---\n");
    let out = pilotscope(
        &root,
        &["diff", "--format", "json", "--fail-on", "regression"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["head"], "working-tree");
    assert_eq!(d["base"], git(&root, &["rev-parse", "main"]).as_str());
    assert_eq!(d["pilots"][0]["id"], "invoices");
    assert!(d["pilots"][0]["after"]["error"].is_string(), "{d}");
    // Nothing changed: nothing listed, exit 0.
    git(&root, &["checkout", "-q", "--", "content"]);
    let out = pilotscope(&root, &["diff", "--fail-on", "regression"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("no pilot's diagnosis changed"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_rename_with_an_edit_in_the_same_commit_keeps_the_pilot_and_a_new_file_is_a_new_pilot() {
    let (_dir, root) = repo();
    let triage = example("client-email-triage.md");
    write(&root, "content/triage.md", &triage);
    let first = commit(&root, "add", "2026-02-02T09:00:00Z");
    std::fs::create_dir_all(root.join("content/mail")).unwrap();
    git(
        &root,
        &["mv", "content/triage.md", "content/mail/triage.md"],
    );
    write(
        &root,
        "content/mail/triage.md",
        &triage.replace("stage: pilot", "stage: scaling"),
    );
    // Same commit: a different dossier, added; not taken for the moved one.
    write(
        &root,
        "content/invoices.md",
        &example("supplier-invoice-matching.md"),
    );
    commit(&root, "move and edit", "2026-03-01T09:00:00Z");
    assert_eq!(pilotscope(&root, &["build"]).status.code(), Some(0));
    let h = history(&root);
    let moved = h["pilots"]["mail/triage"]
        .as_array()
        .unwrap_or_else(|| panic!("{h}"));
    assert_eq!(moved.len(), 2, "{h}");
    assert_eq!(moved[0]["commit"], first.as_str());
    assert_eq!(moved[1]["source"], "content/mail/triage.md");
    assert!(h["pilots"].get("triage").is_none(), "{h}");
    assert_eq!(h["pilots"]["invoices"].as_array().unwrap().len(), 1);
}

#[test]
fn a_history_cache_that_cannot_be_kept_is_named_from_where_the_build_ran() {
    let (_dir, root) = repo();
    write(
        &root,
        "content/triage.md",
        &example("client-email-triage.md"),
    );
    commit(&root, "a pilot", "2026-02-02T09:00:00Z");
    // A file where the cache's folder goes: the cache cannot be written.
    std::fs::write(root.join(".git/pilotscope"), "in the way").unwrap();
    let out = pilotscope(&root, &["build"]);
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("the history cache cannot be kept in .git/pilotscope/"),
        "{said}"
    );
    assert!(
        !said.contains(&root.display().to_string()),
        "not by its whole path: {said}"
    );
}
