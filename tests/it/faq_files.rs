//! The FAQ file when it is not a plain readable file (issue 12): a pipe
//! never blocks the build, and whatever stops it from being read is said.

use crate::live;

use std::process::{Command, Stdio};

use live::{AS_OF, Project};

/// `pilotscope build` in the project; a build still running after a minute
/// (it needs well under a second) is taken to hang, killed, and failed.
fn build(project: &Project) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(&project.root)
        .args(["--as-of", AS_OF, "build"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pilotscope runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the build hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn a_pipe_at_the_faqs_place_does_not_block_the_build_and_is_said() {
    let project = Project::live();
    let faq = project.content().join("faq.md");
    let made = Command::new("mkfifo").arg(&faq).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("note: skipped: mkfifo is missing");
        return;
    }
    // Nothing ever writes to the pipe: a build that opened it would wait
    // forever, and the test would time out.
    let (code, stderr) = build(&project);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("content/faq.md"), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(stderr.contains("shipped FAQ"), "{stderr}");
}

#[test]
fn a_folder_where_the_faq_belongs_is_said_not_silently_replaced() {
    let project = Project::live();
    std::fs::create_dir_all(project.content().join("faq.md")).unwrap();
    let (code, stderr) = build(&project);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("content/faq.md"), "{stderr}");
    assert!(stderr.contains("shipped FAQ is shown instead"), "{stderr}");
}
