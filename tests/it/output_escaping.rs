//! File names and values with newlines, `%`, `:` and `,` in every output
//! format (issue 12): none may start a line that a CI runner reads as a
//! workflow command, and GitHub annotations escape them by its rules.

use crate::live;

use std::process::{Command, Stdio};

use live::{AS_OF, Project};

const EVIL_NAME: &str = "x\n::error file=evil.md,line=1::pwned%0A,:.md";

fn run(project: &Project, args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(&project.root)
        .args(["--as-of", AS_OF])
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("pilotscope runs");
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.code(), text)
}

#[cfg(unix)]
#[test]
fn a_newline_in_a_file_name_or_value_never_starts_a_workflow_command() {
    let project = Project::live();
    // A broken dossier (so it has a diagnostic) under the hostile name, and
    // a readable one whose title holds a newline.
    std::fs::write(
        project.content().join(EVIL_NAME),
        live::broken_dossier("Evil name"),
    )
    .unwrap();
    project.write(
        "content/title.md",
        "---\ntitle: \"T\\n::error::title-pwned\"\nstage: pilot\nstarted: 2026-03-01\n---\n\nBody.\n",
    );
    for args in [
        &["check"][..],
        &["check", "--format", "github"],
        &["check", "--format", "github", "--fail-on", "at_risk"],
        &["build"],
    ] {
        let (code, text) = run(&project, args);
        assert_eq!(code, Some(1), "{args:?}: {text}");
        for line in text.lines() {
            assert!(
                !line.starts_with("::") || line.contains(",title=pilotscope"),
                "{args:?}: a workflow command pilotscope did not mean: {line:?}"
            );
        }
        if args.contains(&"github") {
            assert!(
                text.contains(
                    "file=content/x%0A%3A%3Aerror file=evil.md%2Cline=1%3A%3Apwned%250A%2C%3A.md"
                ),
                "{args:?}: the file property is escaped by GitHub's rules: {text}"
            );
        } else {
            assert!(
                text.contains("x\\n::error"),
                "{args:?}: shown escaped: {text}"
            );
        }
    }
}
