//! The conventions of the command line that tools like Zola and ripgrep
//! keep: completions and a man page from the clap definitions (read back
//! by bash, fish, zsh and man), `--version` with the commit, configuration found
//! from the current folder upwards and `--config FILE`, `build
//! --base-url`, and `check` on given files, as pre-commit runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::live::{AS_OF, Project};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn bash_and_fish_complete_subcommands_and_options_from_the_scripts_pilotscope_prints() {
    let out = run_in(&repo(), &["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("pilotscope.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let complete = |words: &str| -> String {
        let cmd = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMP_LINE=\"{words}\"; COMP_POINT=${{#COMP_LINE}}; _pilotscope \"${{COMP_WORDS[0]}}\" \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let out = Command::new("bash").args(["-c", &cmd]).output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let subcommands = complete("pilotscope ''");
    for s in ["check", "build", "serve", "completions", "man", "init"] {
        assert!(
            subcommands.split_whitespace().any(|w| w == s),
            "{s}: {subcommands}"
        );
    }
    let formats = complete("pilotscope check --format ''");
    for f in ["human", "sarif", "gitlab"] {
        assert!(formats.split_whitespace().any(|w| w == f), "{f}: {formats}");
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = run_in(&repo(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(text(&out.stdout).contains("base-url"), "{shell}");
    }
    // fish completes from its script as a user's fish would; zsh parses its own.
    let fish = dir.path().join("pilotscope.fish");
    std::fs::write(&fish, run_in(&repo(), &["completions", "fish"]).stdout).unwrap();
    let zsh = dir.path().join("_pilotscope");
    std::fs::write(&zsh, run_in(&repo(), &["completions", "zsh"]).stdout).unwrap();
    let completed = Command::new("fish")
        .arg("-c")
        .arg(format!(
            "source {}; complete -C 'pilotscope che'; complete -C 'pilotscope check --format '",
            fish.display()
        ))
        .output();
    let parsed = Command::new("zsh").arg("-n").arg(&zsh).output();
    match (completed, parsed) {
        (Ok(completed), Ok(parsed)) => {
            assert!(completed.status.success(), "{}", text(&completed.stderr));
            let words: Vec<String> = text(&completed.stdout)
                .lines()
                .filter_map(|l| l.split('\t').next())
                .map(str::to_string)
                .collect();
            for w in ["check", "gitlab", "sarif"] {
                assert!(words.iter().any(|x| x == w), "fish: {w} in {words:?}");
            }
            assert!(parsed.status.success(), "zsh -n: {}", text(&parsed.stderr));
        }
        _ => {
            crate::hardening::require(false, "fish or zsh (to read the completion scripts back)");
        }
    }
    let out = run_in(&repo(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_man_page_reads_in_man_with_every_command() {
    let out = run_in(&repo(), &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let roff = text(&out.stdout);
    assert!(
        roff.starts_with(".ie \\n(.g .ds Aq") || roff.contains(".TH pilotscope 1"),
        "{roff}"
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("pilotscope.1");
    std::fs::write(&page, &out.stdout).unwrap();
    let rendered = match Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
    {
        Ok(o) if o.status.success() => text(&o.stdout),
        _ => {
            crate::hardening::require(false, "man (to render the page)");
            return;
        }
    };
    assert!(rendered.contains("pilotscope"), "{rendered}");
    for c in [
        "check",
        "build",
        "watch",
        "serve",
        "diff",
        "init",
        "completions",
    ] {
        assert!(rendered.contains(c), "{c} missing:\n{rendered}");
    }
    assert!(rendered.contains("--root"), "{rendered}");
}

#[test]
fn version_names_the_commit_and_date_it_was_built_from() {
    let out = run_in(&repo(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let line = text(&out.stdout);
    let version = env!("CARGO_PKG_VERSION");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(repo())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| text(&o.stdout).trim().to_string())
    };
    match (
        git(&["rev-parse", "--short=12", "HEAD"]),
        git(&["log", "-1", "--format=%cs"]),
    ) {
        (Some(commit), Some(date)) => {
            assert_eq!(
                line.trim(),
                format!("pilotscope {version} ({commit} {date})")
            );
        }
        _ => assert_eq!(line.trim(), format!("pilotscope {version}")),
    }
}

#[test]
fn commands_run_inside_the_content_folder_work_on_the_project_above() {
    let project = Project::live();
    let inside = project.content();
    let out = run_in(&inside, &["--as-of", AS_OF, "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Alpha"), "{}", text(&out.stdout));
    let out = run_in(&inside, &["--as-of", AS_OF, "build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        project.site().join("index.html").is_file(),
        "the site goes where the project says"
    );
    assert!(!inside.join("site").exists());
}

#[test]
fn a_config_file_given_with_config_is_read_and_its_folder_is_the_root() {
    let project = Project::live();
    let other = project.root.join("ci.toml");
    std::fs::write(
        &other,
        "title = \"From ci.toml\"\noutput_dir = \"public\"\n",
    )
    .unwrap();
    let out = run_in(
        &project.beside(""),
        &[
            "--as-of",
            AS_OF,
            "--config",
            other.to_str().unwrap(),
            "build",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let index = std::fs::read_to_string(project.root.join("public/index.html")).unwrap();
    assert!(index.contains("From ci.toml"));
    // A file that is not there is an error, not the defaults.
    let out = run_in(&project.root, &["--config", "nothere.toml", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("nothere.toml"),
        "{}",
        text(&out.stderr)
    );
    // Mistakes in it are located in it.
    std::fs::write(&other, "titel = \"x\"\n").unwrap();
    let out = run_in(&project.root, &["--config", "ci.toml", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("ci.toml:1:1"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn base_url_given_to_build_reaches_the_pages_for_that_build_only() {
    let project = Project::live();
    let out = run_in(
        &project.root,
        &[
            "--as-of",
            AS_OF,
            "build",
            "--base-url",
            "https://acme.github.io/pilots/",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(project.site().join("404.html")).unwrap();
    assert!(page.contains("href=\"/pilots/assets/style.css\""), "{page}");
    let out = run_in(&project.root, &["--as-of", AS_OF, "build"]);
    assert_eq!(out.status.code(), Some(0));
    let page = std::fs::read_to_string(project.site().join("404.html")).unwrap();
    assert!(page.contains("href=\"/assets/style.css\""), "{page}");
    let out = run_in(&project.root, &["build", "--base-url", "pilots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("help:"));
}

#[test]
fn check_on_given_files_judges_those_dossiers_only() {
    let project = Project::live();
    project.write("content/broken.md", &crate::live::broken_dossier("Broken"));
    project.write("README.md", "# not a dossier\n");
    // From the repository's root, as pre-commit runs hooks.
    let out = run_in(
        &project.root,
        &["--as-of", AS_OF, "check", "content/alpha.md", "README.md"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("Alpha"), "{stdout}");
    assert!(!stdout.contains("Broken"), "{stdout}");
    assert!(
        text(&out.stderr).contains("skipped README.md"),
        "{}",
        text(&out.stderr)
    );
    let out = run_in(
        &project.root,
        &["--as-of", AS_OF, "check", "content/broken.md"],
    );
    assert_eq!(out.status.code(), Some(1));
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("content/broken.md:3:8"), "{all}");
    // From elsewhere: the files' project is found above them.
    let out = run_in(
        &project.beside(""),
        &["--as-of", AS_OF, "check", "project/content/broken.md"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = run_in(&project.root, &["check", "content/nothere.md"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The hook pre-commit installs from this repository runs `check` on the
/// staged dossiers; its entry is the command tested above.
#[test]
fn the_pre_commit_hook_checks_the_staged_markdown_files() {
    let hooks = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(hooks.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    let hooks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "pilotscope-check");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["entry"], "pilotscope check");
    assert_eq!(hook["types"][0], "markdown");
    assert_eq!(hook["pass_filenames"].as_bool(), None, "files are passed");
    // pre-commit's own reading of a hook repository's manifest.
    match Command::new("pre-commit")
        .arg("validate-manifest")
        .arg(repo().join(".pre-commit-hooks.yaml"))
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "pre-commit validate-manifest:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        ),
        Err(_) => {
            crate::hardening::require(false, "pre-commit (pip install pre-commit)");
        }
    }
}

/// A build of the example run under `script`, which gives it a terminal,
/// with the progress line due at once; what the terminal received.
fn build_on_a_terminal(project: &Path) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin!("pilotscope");
    let out = Command::new("script")
        .current_dir(project)
        .env("PILOTSCOPE_PROGRESS_AFTER_MS", "0")
        .env("TERM", "xterm")
        .args([
            "-qefc",
            &format!("{} --as-of {AS_OF} build", bin.display()),
            "/dev/null",
        ])
        .output()
        .expect("script runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    Some(text(&out.stdout))
}

#[test]
fn a_build_on_a_terminal_shows_one_progress_line_and_a_pipe_gets_none() {
    let project = crate::common::project_from(&repo());
    let Some(shown) = build_on_a_terminal(project.path()) else {
        return;
    };
    assert!(
        shown.contains("reading and judging the dossiers…") && shown.contains(" pages"),
        "{shown:?}"
    );
    assert!(
        shown.contains("built "),
        "the build's own line follows: {shown:?}"
    );

    // On a pipe, as in CI or a script: nothing but the build's own lines.
    std::fs::remove_dir_all(project.path().join("site")).unwrap();
    let out = assert_cmd::cargo::cargo_bin_cmd!("pilotscope")
        .current_dir(project.path())
        .env("PILOTSCOPE_PROGRESS_AFTER_MS", "0")
        .args(["--as-of", AS_OF, "build"])
        .output()
        .unwrap();
    let said = text(&out.stderr);
    assert!(
        !said.contains("judging") && !said.contains('\r'),
        "{said:?}"
    );
    assert!(!said.contains('\u{1b}'), "{said:?}");
}
