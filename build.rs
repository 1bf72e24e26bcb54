//! Records the commit and date pilotscope is built from, for `--version`
//! (`pilotscope 0.1.0 (1a2b3c4d5e6f 2026-12-07)`). Asks `git`; outside a
//! repository, or without git (a crate downloaded from a registry), the
//! version is the package's alone and nothing is said.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PILOTSCOPE_BUILD_COMMIT");
    // A packager who builds from a tarball can say where it came from.
    let given = std::env::var("PILOTSCOPE_BUILD_COMMIT").ok();
    let info = given.or_else(|| {
        let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
        let date = git(&["log", "-1", "--format=%cs", "HEAD"])?;
        // Build again when HEAD moves: a commit, a checkout, a fetch.
        for (flag, rel) in [
            ("--git-dir", "HEAD"),
            ("--git-dir", "logs/HEAD"),
            ("--git-common-dir", "refs/heads"),
            ("--git-common-dir", "packed-refs"),
        ] {
            if let Some(dir) = git(&["rev-parse", flag]) {
                let path = std::path::Path::new(&dir).join(rel);
                if path.exists() {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
        }
        Some(format!("{commit} {date}"))
    });
    let extra = info.map(|i| format!(" ({i})")).unwrap_or_default();
    println!("cargo:rustc-env=PILOTSCOPE_BUILD_INFO={extra}");
}
