//! Memory per story (issue 12): a story that would take the renderer too
//! much memory is refused with a located error on its page, and a build of
//! stories at and past the bound runs under a data limit (`ulimit -d`, as
//! `tests/it/hostile.rs` does) instead of aborting.

use crate::live;

use std::path::Path;
use std::process::{Command, Output};

const MIB: usize = 1 << 20;
/// The data-segment limit of the build: 256 MiB, the budget.
const LIMIT_MIB: usize = 256;

fn dossier(title: &str, story: &str) -> String {
    format!("---\ntitle: {title}\nstage: proposed\n---\n\n{story}")
}

fn build_limited(root: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .current_dir(root)
        .arg("-c")
        .arg(format!(
            "ulimit -d {} && exec \"$0\" \"$@\"",
            LIMIT_MIB * 1024
        ))
        .arg(env!("CARGO_BIN_EXE_pilotscope"))
        .args(["--as-of", live::AS_OF])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs pilotscope")
}

#[cfg(unix)]
#[test]
fn stories_past_the_bound_get_a_located_error_and_the_build_stays_within_its_memory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let content = root.join("content");
    std::fs::create_dir_all(&content).unwrap();
    let big = 4 * MIB - 200;
    let past = [
        ("quotes", ">".repeat(big) + " x\n"),
        ("brackets", "[".repeat(big) + "\n"),
        (
            "tall",
            "|a|b|\n|-|-|\n".to_string() + &"|x|y|\n".repeat(big / 6),
        ),
        (
            "wide",
            format!("|{}\n|{}\n", "a|".repeat(big / 4), "-|".repeat(big / 4)),
        ),
        ("emphasis", "*a* ".repeat(big / 4)),
    ];
    for (name, story) in &past {
        std::fs::write(content.join(format!("{name}.md")), dossier(name, story)).unwrap();
    }
    // Just under the bound: rendered.
    let lines = "a\n".repeat(pilotscope::site::markdown::MAX_MARKS - 100);
    std::fs::write(content.join("lines.md"), dossier("Lines", &lines)).unwrap();
    std::fs::write(
        content.join("plain.md"),
        dossier("Plain", "A short story.\n"),
    )
    .unwrap();

    let o = build_limited(root, &["build"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "the build finished: {stderr}");
    for (name, story) in &past {
        // Where the bound is passed: on the story's first line (line 6)
        // for the one-line stories, further down for the table.
        let at = if story.lines().count() == 1 {
            format!("content/{name}.md:6:")
        } else {
            format!("content/{name}.md:")
        };
        let page = std::fs::read_to_string(root.join(format!("site/pilots/{name}/index.html")))
            .unwrap_or_else(|e| panic!("{name} has a page: {e}"));
        assert!(page.contains("too large to render"), "{name}: {page}");
        assert!(page.contains(&at), "{name}: the page says where");
        assert!(stderr.contains(&at), "{name}: {stderr}");
    }
    let lines_page = std::fs::read_to_string(root.join("site/pilots/lines/index.html")).unwrap();
    assert!(
        lines_page.contains("readiness out of 100"),
        "a story at the bound is rendered"
    );
    let plain = std::fs::read_to_string(root.join("site/pilots/plain/index.html")).unwrap();
    assert!(plain.contains("A short story."));

    // `check` says the same, as an error.
    let c = build_limited(root, &["check"]);
    assert_eq!(c.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&c.stdout).contains("too large to render"));
}
