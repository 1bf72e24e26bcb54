//! pilotscope run the way its users run it: from inside the project folder
//! with default arguments, from a folder above it with a relative `--root`
//! (a monorepo), and without `--as-of`. Every other integration test starts
//! the binary from inside the project too; this file covers the defaults
//! themselves and the defects found by trying the tool as a new user would
//! (issue 11): relative roots, `init`, `new`, closed pipes, `--fail-on`,
//! paths in annotations, the CI workflow `init` writes, and the 404 page.

use crate::live;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use live::{AS_OF, Project, Running, broken_dossier, dossier};

const ALPHA: &str = "pilots/alpha/index.html";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pilotscope"));
    c.env("NO_COLOR", "1").env_remove("CI").stdin(Stdio::null());
    c
}

/// `pilotscope <args>` started in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("pilotscope runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref()).unwrap_or_default()
}

/// A folder holding the live fixture as `pilots/`, the layout of a
/// repository that keeps its dossiers beside other things; a git work tree
/// when `git` is true.
fn monorepo(git: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    live::copy_dir(&live::fixture("live"), &top.join("pilots"));
    if git {
        let ok = Command::new("git")
            .args(["init", "-q"])
            .current_dir(&top)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "git init works");
    }
    (dir, top)
}

// ------------------------------------------------------- the live preview

#[test]
fn watch_from_inside_the_project_with_no_arguments_rebuilds_on_a_save() {
    let project = Project::live();
    let mut watcher = Running::watch_default(&project.root);
    assert!(read(project.site().join(ALPHA)).contains("Alpha invoice reader"));
    project.write("content/alpha.md", &dossier("Alpha saved while watching"));
    watcher.poll(
        "watch, started with no --root, to rebuild Alpha's page",
        || {
            read(project.site().join(ALPHA))
                .contains("Alpha saved while watching")
                .then_some(())
        },
    );
    // A new file, then its removal.
    project.write("content/delta.md", &dossier("Delta appears"));
    watcher.poll("the new dossier's page", || {
        project
            .site()
            .join("pilots/delta/index.html")
            .is_file()
            .then_some(())
    });
    std::fs::remove_file(project.content().join("delta.md")).unwrap();
    watcher.poll("the deleted dossier's page to go", || {
        (!project.site().join("pilots/delta/index.html").exists()).then_some(())
    });
}

#[test]
fn serve_with_a_root_relative_to_a_parent_folder_rebuilds_on_a_save() {
    let (_dir, top) = monorepo(false);
    let mut server = Running::start_in(
        &top,
        &["--root", "pilots", "serve", "--port", "0"],
        "serving ",
    );
    server.wait_for("/pilots/alpha/", 200, "Alpha invoice reader");
    std::fs::write(
        top.join("pilots/content/alpha.md"),
        dossier("Alpha edited in a monorepo"),
    )
    .unwrap();
    server.wait_for("/pilots/alpha/", 200, "Alpha edited in a monorepo");
    assert!(
        top.join("pilots/site").join(ALPHA).is_file(),
        "the site is written in the project's own output folder"
    );
}

#[test]
fn serve_names_its_folder_from_where_it_was_started() {
    let (_dir, top) = monorepo(false);
    let mut server = Running::start_in(
        &top,
        &["--root", "pilots", "serve", "--port", "0"],
        "serving ",
    );
    // The line that said it is ready reaches `stderr()` a moment later.
    let mut line = None;
    for _ in 0..200 {
        line = server
            .stderr()
            .lines()
            .find(|l| l.starts_with("serving "))
            .map(str::to_string);
        if line.is_some() {
            break;
        }
        server.assert_alive();
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let line = line.expect("the serving line");
    assert!(line.starts_with("serving pilots/site at http://"), "{line}");
}

#[cfg(unix)]
#[test]
fn a_build_waiting_for_the_output_folder_names_it_from_where_it_was_started() {
    use std::io::BufRead;
    let (_dir, top) = monorepo(false);
    let built = run_in(&top, &["--root", "pilots", "--as-of", live::AS_OF, "build"]);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let held = std::fs::File::open(top.join("pilots/site")).unwrap();
    held.lock().unwrap();
    let mut child = bin()
        .current_dir(&top)
        .args(["--root", "pilots", "--as-of", live::AS_OF, "build"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let said = lines.next().expect("a line on stderr").unwrap();
    drop(held);
    let _ = lines.count();
    let _ = child.wait();
    assert_eq!(
        said,
        "waiting for another pilotscope to finish writing pilots/site ..."
    );
}

#[test]
fn serve_with_root_dot_rebuilds_on_a_save() {
    let project = Project::live();
    let mut server = Running::start_in(
        &project.root,
        &["--root", ".", "serve", "--port", "0"],
        "serving ",
    );
    project.write("content/bravo.md", &dossier("Bravo under root dot"));
    server.wait_for("/pilots/bravo/", 200, "Bravo under root dot");
}

// ------------------------------------------------------- build and check

#[test]
fn build_and_check_from_inside_the_project_use_its_folders() {
    let project = Project::live();
    let built = run_in(&project.root, &["--as-of", AS_OF, "build"]);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    assert!(project.site().join(ALPHA).is_file());
    let checked = run_in(&project.root, &["--as-of", AS_OF, "check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stderr));
    assert!(
        text(&checked.stdout).contains("content/alpha.md"),
        "{}",
        text(&checked.stdout)
    );
}

#[test]
fn without_as_of_the_tool_judges_as_of_today() {
    let project = Project::live();
    let built = run_in(&project.root, &["build"]);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&read(project.site().join("report.json"))).unwrap();
    let today = pilotscope::project::today();
    let as_of = report["as_of"].as_str().unwrap().to_string();
    // Around midnight the build and this test may see different days.
    assert!(
        as_of == today.to_string() || as_of == today.yesterday().unwrap().to_string(),
        "report as of {as_of}, today is {today}"
    );
    let checked = run_in(&project.root, &["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stderr));
}

#[test]
fn paths_are_shown_relative_to_where_the_command_was_started() {
    let (_dir, top) = monorepo(true);
    std::fs::write(
        top.join("pilots/content/broken.md"),
        broken_dossier("Broken"),
    )
    .unwrap();
    let human = run_in(&top, &["--as-of", AS_OF, "--root", "pilots", "check"]);
    assert_eq!(human.status.code(), Some(1));
    let out = text(&human.stdout);
    assert!(out.contains("pilots/content/alpha.md"), "{out}");
    assert!(out.contains("pilots/content/broken.md:"), "{out}");

    let json = run_in(
        &top,
        &[
            "--as-of", AS_OF, "--root", "pilots", "check", "--format", "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["errors"][0]["source"], "pilots/content/broken.md");

    // Annotations are relative to the git work tree, wherever the command
    // was started inside it.
    for (dir, args) in [
        (top.clone(), vec!["--root", "pilots"]),
        (top.join("pilots"), vec![]),
        (top.join("pilots/content"), vec!["--root", ".."]),
    ] {
        let mut all = vec!["--as-of", AS_OF];
        all.extend(args);
        all.extend(["check", "--format", "github"]);
        let github = text(&run_in(&dir, &all).stdout);
        assert!(
            github.contains("::error file=pilots/content/broken.md,line="),
            "from {}: {github}",
            dir.display()
        );
    }
    // The site's own report does not depend on where the build started.
    let built = run_in(&top, &["--as-of", AS_OF, "--root", "pilots", "build"]);
    assert_eq!(built.status.code(), Some(1), "{}", text(&built.stderr));
    assert!(text(&built.stderr).contains("pilots/content/broken.md:"));
    let site_report = read(top.join("pilots/site/report.json"));
    assert!(site_report.contains("\"source\":\"content/broken.md\""));
}

#[test]
fn fail_on_says_which_pilots_tripped_it() {
    let project = Project::live();
    project.write(
        "content/empty.md",
        "---\ntitle: Empty pilot\nstage: pilot\n---\n",
    );
    let out = run_in(
        &project.root,
        &["--as-of", AS_OF, "check", "--fail-on", "not_ready"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("--fail-on not_ready:")
            && stdout.contains("Empty pilot (content/empty.md): not ready"),
        "{stdout}"
    );
}

// ------------------------------------------------------- closed pipes

#[test]
fn no_command_panics_when_its_output_is_closed() {
    let project = Project::live();
    for args in [
        vec!["schema"],
        vec!["--as-of", AS_OF, "check"],
        vec!["--as-of", AS_OF, "check", "--format", "json"],
    ] {
        // A pipe whose reading end is gone before the command writes.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = bin()
            .current_dir(&project.root)
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert!(
            !stderr.contains("panicked") && out.status.code() != Some(101),
            "{args:?}: {:?} {stderr}",
            out.status
        );
    }
}

// ------------------------------------------------------- new and init

#[test]
fn new_refuses_an_empty_title_and_an_existing_file_and_writes_a_fresh_dossier() {
    let project = Project::live();
    let empty = run_in(&project.root, &["new", "  "]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(text(&empty.stderr).contains("the title is empty"));

    let made = run_in(&project.root, &["--as-of", AS_OF, "new", "Claims triage"]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    assert_eq!(text(&made.stdout).trim(), "wrote content/claims-triage.md");
    assert!(
        read(project.content().join("claims-triage.md")).contains(&format!("updated: {AS_OF}"))
    );

    let again = run_in(&project.root, &["new", "Claims triage"]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing file is a usage error"
    );
    assert!(text(&again.stderr).contains("already exists"));

    let report = run_in(
        &project.root,
        &["--as-of", AS_OF, "check", "--format", "json"],
    );
    assert_eq!(report.status.code(), Some(0), "{}", text(&report.stdout));
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let made = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "claims-triage")
        .expect("the new dossier is judged");
    assert_eq!(
        made["flags"],
        serde_json::json!([]),
        "a new dossier is not stale"
    );
}

#[test]
fn init_honours_root_and_refuses_two_folders() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["--root", "pilots", "init"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.path().join("pilots/pilotscope.toml").is_file());
    assert!(dir.path().join("pilots/content/faq.md").is_file());
    assert!(
        !dir.path().join("pilotscope.toml").exists(),
        "nothing in the current folder"
    );

    let both = run_in(dir.path(), &["--root", "a", "init", "b"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both.stderr).contains("two folders"));
    assert!(!dir.path().join("a").exists() && !dir.path().join("b").exists());
}

/// The `run:` scripts of a workflow, by step name, in order: single-line
/// `run: cmd` and block `run: |` steps.
fn workflow_runs(yaml: &str) -> Vec<(String, String)> {
    let mut runs = Vec::new();
    let mut name = String::new();
    let lines: Vec<&str> = yaml.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start().trim_start_matches("- ");
        if let Some(n) = trimmed.strip_prefix("name: ") {
            name = n.to_string();
        }
        if let Some(cmd) = trimmed.strip_prefix("run: ") {
            if cmd == "|" {
                let indent = lines[i + 1].len() - lines[i + 1].trim_start().len();
                let mut script = String::new();
                i += 1;
                while i < lines.len()
                    && (lines[i].trim().is_empty()
                        || lines[i].len() - lines[i].trim_start().len() >= indent)
                {
                    script.push_str(lines[i].get(indent..).unwrap_or(""));
                    script.push('\n');
                    i += 1;
                }
                runs.push((name.clone(), script));
                continue;
            }
            runs.push((name.clone(), cmd.to_string()));
        }
        i += 1;
    }
    runs
}

#[test]
fn the_ci_workflow_init_writes_passes_a_pull_request_that_adds_a_new_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    assert!(
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(&root)
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(run_in(&root, &["init"]).status.code(), Some(0));
    // The base: what `init` wrote, committed on main, as the remote has it.
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(&root)
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
    git(&["checkout", "-q", "-b", "main"]);
    assert_eq!(
        run_in(&root, &["new", "Supplier invoice matching"])
            .status
            .code(),
        Some(0)
    );
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "start the portfolio"]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(&["checkout", "-q", "-b", "claims-triage"]);
    // The pull request: a dossier made with `new`, nothing answered yet.
    assert_eq!(
        run_in(&root, &["new", "Claims triage"]).status.code(),
        Some(0)
    );

    let workflow = read(root.join(".github/workflows/pilotscope.yml"));
    assert!(
        workflow.contains("actions/deploy-pages"),
        "publishes with the pages action"
    );
    assert!(workflow.contains("fetch-depth: 0"));
    assert!(
        !workflow.contains("cargo install --locked pilotscope"),
        "no crate that is not published"
    );
    let runs = workflow_runs(&workflow);
    let names: Vec<&str> = runs.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"Check dossiers") && names.contains(&"Build the site"),
        "{names:?}"
    );
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_pilotscope"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    assert!(
        names.contains(&"What this pull request changes")
            && names.contains(&"Fail on what this pull request made worse"),
        "{names:?}"
    );
    let summary = root.join("summary.md");
    assert!(
        !workflow.contains("${{ github.base_ref }}\""),
        "context values reach scripts through env: only"
    );
    for (name, script) in &runs {
        if script.contains("cargo install") || script.contains("ls-remote") {
            continue; // the binary under test stands in for the install
        }
        let out = Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(&root)
            .env("PATH", &path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            // What GitHub puts in the steps' `env:` on a pull request into main.
            .env("BASE_REF", "main")
            .env("BASE_URL", "https://acme.github.io/pilots")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "step {name:?} failed:\n{script}\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    assert!(root.join("site/index.html").is_file(), "the site is built");
    assert!(
        read(&summary).contains("Claims triage"),
        "the job summary lists the pilots"
    );
    assert!(
        read(&summary).contains("| 🆕 added | Claims triage |"),
        "the job summary says what the pull request changes:\n{}",
        read(&summary)
    );
    assert!(
        root.join("site/history.json").is_file(),
        "the site has its history"
    );
    // A pull request that makes a dossier unreadable fails on the diff.
    std::fs::write(
        root.join("content/supplier-invoice-matching.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .unwrap();
    let (_, fail) = runs
        .iter()
        .find(|(n, _)| n == "Fail on what this pull request made worse")
        .unwrap();
    let out = Command::new("bash")
        .args(["-e", "-c", fail])
        .current_dir(&root)
        .env("PATH", &path)
        .env("BASE_REF", "main")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn init_in_a_subfolder_of_a_work_tree_puts_the_workflow_at_its_root() {
    let (_dir, top) = monorepo(true);
    let out = run_in(&top, &["init", "portfolio"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let workflow = read(top.join(".github/workflows/pilotscope.yml"));
    assert!(
        workflow.contains("working-directory: \"portfolio\""),
        "{workflow}"
    );
    assert!(workflow.contains("path: \"portfolio/site/\""), "{workflow}");
    assert!(!top.join("portfolio/.github").exists());
}

// ------------------------------------------------------- the 404 page

#[test]
fn the_404_page_links_from_the_sites_path_and_serve_answers_there() {
    let project = Project::live();
    project.write(
        "pilotscope.toml",
        "title = \"Live\"\nbase_url = \"https://intranet.example.com/portfolio/\"\n",
    );
    let mut server = Running::serve(&project.root, &[]);
    let missing = server.wait_for("/no/such/page", 404, "Page not found");
    let page = missing.text();
    assert!(
        page.contains("href=\"/portfolio/assets/style.css\""),
        "the 404 page's stylesheet is on the same host, under the site's path:\n{page}"
    );
    assert!(!page.contains("intranet.example.com"));
    let css = server.get("/portfolio/assets/style.css");
    assert_eq!(
        css.status, 200,
        "serve answers under the production path too"
    );
    assert_eq!(server.get("/portfolio/pilots/alpha/").status, 200);
    assert_eq!(server.get("/assets/style.css").status, 200);
}

#[test]
fn without_base_url_the_404_page_links_from_the_host_root() {
    let project = Project::live();
    let built = run_in(&project.root, &["--as-of", AS_OF, "build"]);
    assert_eq!(built.status.code(), Some(0));
    let page = read(project.site().join("404.html"));
    assert!(page.contains("href=\"/assets/style.css\""), "{page}");
    assert!(page.contains("href=\"/index.html\""), "{page}");
}
