//! The output folder (issue 12): nothing outside it is removed or written,
//! dangerous folders are refused, and two builds never write into one
//! folder at once. The real binary, run from inside a copy of
//! `tests/fixtures/live` with default arguments.

use crate::live;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use live::{AS_OF, Project, tree};

fn pilotscope(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(root)
        .args(["--as-of", AS_OF])
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("pilotscope runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[cfg(unix)]
#[test]
fn a_manifest_and_a_link_cannot_remove_or_overwrite_files_outside_the_site() {
    use std::os::unix::fs::symlink;
    let project = Project::live();
    let first = pilotscope(&project.root, &["build"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let site = project.site();
    let elsewhere = project.beside("elsewhere");
    std::fs::create_dir_all(elsewhere.join("pilots/ghost")).unwrap();
    std::fs::write(elsewhere.join("x"), "precious x").unwrap();
    std::fs::write(elsewhere.join("pilots/ghost/index.html"), "precious ghost").unwrap();
    // What a dossier author could commit when the site is written into a
    // folder they can write to: links out, and manifest lines naming them.
    symlink(&elsewhere, site.join("escape")).unwrap();
    symlink(elsewhere.join("pilots/ghost"), site.join("pilots/ghost")).unwrap();
    symlink(elsewhere.join("x"), site.join("x")).unwrap();
    let mut manifest = std::fs::read_to_string(site.join(".pilotscope-files")).unwrap();
    manifest.push_str("0123456789abcdef0123456789abcdef escape/x\n");
    manifest.push_str("0123456789abcdef0123456789abcdef pilots/ghost/index.html\n");
    manifest.push_str("0123456789abcdef0123456789abcdef x\n");
    std::fs::write(site.join(".pilotscope-files"), manifest).unwrap();

    let again = pilotscope(&project.root, &["build"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("x")).unwrap(),
        "precious x"
    );
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("pilots/ghost/index.html")).unwrap(),
        "precious ghost"
    );

    // A page whose folder is a link out is refused, and nothing is written
    // through the link.
    let alpha = site.join("pilots/alpha");
    std::fs::remove_dir_all(&alpha).unwrap();
    std::fs::create_dir_all(elsewhere.join("alpha")).unwrap();
    symlink(elsewhere.join("alpha"), &alpha).unwrap();
    std::fs::write(
        project.content().join("alpha.md"),
        live::dossier("Alpha again"),
    )
    .unwrap();
    let linked = pilotscope(&project.root, &["build"]);
    assert_eq!(linked.status.code(), Some(2), "{}", stderr(&linked));
    assert!(
        stderr(&linked).contains("symbolic link"),
        "the message names the link: {}",
        stderr(&linked)
    );
    assert!(
        tree(&elsewhere.join("alpha")).is_empty(),
        "nothing was written through the link"
    );
}

#[test]
fn the_project_its_content_templates_and_their_ancestors_are_refused_as_output_folders() {
    let project = Project::live();
    std::fs::create_dir_all(project.root.join("templates")).unwrap();
    let before = tree(&project.root);
    for (out, why) in [
        (".", "project folder"),
        ("content", "content folder"),
        ("content/site", "content folder"),
        ("templates", "templates folder"),
        ("..", "project folder"),
        ("/", "project folder"),
    ] {
        for command in ["build", "watch", "serve"] {
            let mut args = vec![command, "--output", out];
            if command == "serve" {
                args.extend(["--port", "0"]);
            }
            // --force never makes these acceptable.
            args.push("--force");
            let o = pilotscope(&project.root, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{command} --output {out}: {err}");
            assert!(
                err.contains(why),
                "{command} --output {out} names the {why}: {err}"
            );
        }
        // The same folder set in the configuration.
        let config = format!("output_dir = \"{out}\"\n");
        std::fs::write(project.root.join("pilotscope.toml"), &config).unwrap();
        let o = pilotscope(&project.root, &["build"]);
        assert_eq!(o.status.code(), Some(2), "output_dir {out}: {}", stderr(&o));
        std::fs::remove_file(project.root.join("pilotscope.toml")).unwrap();
    }
    std::fs::copy(
        live::fixture("live").join("pilotscope.toml"),
        project.root.join("pilotscope.toml"),
    )
    .unwrap();
    assert_eq!(
        tree(&project.root),
        before,
        "nothing was written or removed"
    );
}

#[test]
fn a_folder_of_someone_elses_files_needs_force() {
    let project = Project::live();
    let docs = project.root.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("index.html"), "the team's own page").unwrap();
    for command in ["build", "watch", "serve"] {
        let mut args = vec![command, "--output", "docs"];
        if command == "serve" {
            args.extend(["--port", "0"]);
        }
        let o = pilotscope(&project.root, &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {err}");
        assert!(
            err.contains("--force"),
            "{command} says how to go on: {err}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(docs.join("index.html")).unwrap(),
        "the team's own page"
    );
    let forced = pilotscope(&project.root, &["build", "--output", "docs", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(docs.join(".pilotscope-files").is_file());
    // From then on the folder is the site's, and needs no --force.
    let again = pilotscope(&project.root, &["build", "--output", "docs"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

#[test]
fn an_output_folder_beside_the_project_is_named_as_it_was_typed() {
    let project = Project::live();
    let docs = project.beside("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("index.html"), "the team's own page").unwrap();
    let o = pilotscope(&project.root, &["build", "--output", "../docs"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--> ../docs\n"),
        "the folder is named from the project, as typed: {err}"
    );
    assert!(
        !err.contains(&docs.display().to_string()),
        "not by its whole path: {err}"
    );
    // From a folder that shares only the file system's root with the
    // project, the whole path says more than a climb to it.
    let o = pilotscope(&project.root, &["build", "--output", "/"]);
    assert!(stderr(&o).contains("--> /\n"), "{}", stderr(&o));
}

/// The build that finds the output folder locked by another process waits,
/// says so, writes nothing meanwhile, and then writes what a clean build
/// would. The other process here is the test itself, holding the same
/// operating-system lock a build takes (`flock` on the folder).
#[cfg(unix)]
#[test]
fn a_second_build_into_the_same_folder_waits_for_the_first_and_says_so() {
    use std::io::BufRead;
    let project = Project::live();
    let first = pilotscope(&project.root, &["build"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let site = project.site();
    let before = tree(&site);

    let held = std::fs::File::open(&site).unwrap();
    held.lock().unwrap();
    project.write("content/alpha.md", &live::dossier("Alpha after the wait"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(&project.root)
        .args(["--as-of", AS_OF, "build"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let said = lines.next().expect("a line on stderr").unwrap();
    assert!(said.contains("waiting for another pilotscope"), "{said}");
    assert_eq!(tree(&site), before, "nothing is written while it waits");

    drop(held);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{}", rest.join("\n"));
    let clean = project.beside("clean");
    let o = pilotscope(
        &project.root,
        &["build", "--output", clean.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(tree(&site), tree(&clean), "the result is a clean build's");
    assert!(
        String::from_utf8_lossy(&tree(&site)["pilots/alpha/index.html"])
            .contains("Alpha after the wait")
    );
}

#[test]
fn two_builds_started_together_leave_what_a_clean_build_writes() {
    let project = Project::live();
    let clean = project.beside("clean");
    let o = pilotscope(
        &project.root,
        &["build", "--output", clean.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for round in 0..5 {
        let _ = std::fs::remove_dir_all(project.site());
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_pilotscope"))
                .current_dir(&project.root)
                .args(["--as-of", AS_OF, "build"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        };
        let (mut a, mut b) = (spawn(), spawn());
        assert_eq!(a.wait().unwrap().code(), Some(0), "round {round}");
        assert_eq!(b.wait().unwrap().code(), Some(0), "round {round}");
        assert_eq!(tree(&project.site()), tree(&clean), "round {round}");
    }
}

#[test]
fn a_folder_holding_the_project_is_named_once_as_it_was_typed() {
    let project = Project::live();
    let o = pilotscope(&project.root, &["build", "--output", ".."]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--> ..\n"), "{err}");
    assert!(
        err.contains("the output folder holds the project folder"),
        "{err}"
    );
    let above = project.root.parent().unwrap().canonicalize().unwrap();
    assert!(
        !err.contains(&above.display().to_string()),
        "not by its whole path: {err}"
    );
}
