//! Helpers shared by the hardening tests (`hostile.rs`, `audit.rs`,
//! `faults.rs`): the hostile corpus with what is added to it at test time,
//! the check that a built page is inert, and the rule for tests that need
//! tools from outside Cargo (skip with a notice locally, fail in CI).
//!
//! A test file that uses this module also declares `mod common;` (the site
//! tests' helpers), which this module builds on.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;

/// Text of files outside the content folder that symbolic links point at:
/// none of it may reach the built site.
pub const OUTSIDE_SECRETS: [&str; 3] = [
    "OUTSIDE-DOSSIER-SECRET",
    "OUTSIDE-FOLDER-SECRET",
    "OUTSIDE-FAQ-SECRET",
];

/// The name of the dossier, added at test time, whose file name is markup.
pub const MARKUP_FILE_NAME: &str = "x\"><svg onload=alert('file-name')>.md";
/// Its page (the id is a slug of the name).
pub const MARKUP_FILE_PAGE: &str = "pilots/x-svg-onload-alert-file-name/index.html";

/// Size of the dossier generated at test time, over the reading cap.
pub const HUGE_BYTES: usize = 50 << 20;

/// Whether the tests run in CI, where a missing tool is a failure.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// A test that needs a tool this machine lacks: skipped with a notice
/// locally, a failure in CI. Returns `true` when the test should go on.
pub fn require(available: bool, what: &str) -> bool {
    if available {
        return true;
    }
    if in_ci() {
        panic!("{what} is missing, and CI must run this test (.ci/run installs it)");
    }
    shown_notice(&format!(
        "notice: a test did not really run: {what} is missing on this machine (it passes as `ok`; with CI set it fails)"
    ));
    false
}

/// Writes `line` where the person running `cargo test` sees it: straight
/// to standard error, past the test harness, which keeps what `eprintln!`
/// prints to itself for tests that pass (so a skipped test read as `ok`
/// with no word about it).
pub fn shown_notice(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The hostile corpus (tests/fixtures/hostile) copied into a temporary
/// folder, with the files that are made at test time.
pub struct HostileProject {
    pub dir: tempfile::TempDir,
}

impl HostileProject {
    pub fn new() -> HostileProject {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().join("project");
        common::copy_dir(&common::fixture("hostile"), &root);
        std::fs::remove_file(root.join("expected.toml")).expect("expected.toml is in the copy");
        let content = root.join("content");

        // Files outside the content folder, each holding a secret.
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(outside.join("folder")).unwrap();
        std::fs::write(
            outside.join("secret.md"),
            format!(
                "---\ntitle: {0}\nstage: proposed\n---\n\n{0}\n",
                OUTSIDE_SECRETS[0]
            ),
        )
        .unwrap();
        std::fs::write(
            outside.join("folder/inside-a-linked-folder.md"),
            format!(
                "---\ntitle: {0}\nstage: proposed\n---\n\n{0}\n",
                OUTSIDE_SECRETS[1]
            ),
        )
        .unwrap();
        std::fs::write(
            outside.join("faq.md"),
            format!(
                "# FAQ\n\n## {0}? {{topic=data}}\n\n{0}.\n",
                OUTSIDE_SECRETS[2]
            ),
        )
        .unwrap();

        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            // Links that loop.
            symlink("a", content.join("a")).unwrap();
            symlink("loop.md", content.join("loop.md")).unwrap();
            std::fs::create_dir_all(content.join("sub")).unwrap();
            symlink("..", content.join("sub/up")).unwrap();
            // Links out of the content folder: a dossier, a folder, the FAQ.
            symlink(outside.join("secret.md"), content.join("outside.md")).unwrap();
            symlink(
                "../../outside/secret.md",
                content.join("outside-relative.md"),
            )
            .unwrap();
            symlink(outside.join("folder"), content.join("linked-folder")).unwrap();
            symlink(outside.join("faq.md"), content.join("faq.md")).unwrap();
            // A link to a dossier inside the folder is followed.
            symlink(
                "name with spaces & ampersand.md",
                content.join("inside-link.md"),
            )
            .unwrap();
        }

        // A file name that is markup.
        std::fs::write(
            content.join(MARKUP_FILE_NAME),
            "---\ntitle: A dossier whose file name is markup\nstage: proposed\n---\n\nIts name shows on its page, escaped.\n",
        )
        .unwrap();

        // A story nested 20,000 deep in markdown and in raw HTML: rendered in
        // linear time, flattened below `site::markdown::MAX_DEPTH`.
        std::fs::write(
            content.join("deep-story.md"),
            format!(
                "---\ntitle: A story nested 20,000 deep\nstage: proposed\n---\n\n{} quoted\n\n{}divided{}\n",
                ">".repeat(20_000),
                "<div>".repeat(20_000),
                "</div>".repeat(20_000)
            ),
        )
        .unwrap();

        // 50 MB: far over the 4 MiB cap on a dossier.
        let line = "The story goes on, and on, and on, and on, and on, and on.\n";
        let mut huge = String::with_capacity(HUGE_BYTES + 100);
        huge.push_str("---\ntitle: A 50 MB dossier\nstage: proposed\n---\n\n");
        while huge.len() < HUGE_BYTES {
            huge.push_str(line);
        }
        std::fs::write(content.join("huge.md"), huge).unwrap();

        HostileProject { dir }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    /// Builds the site with at most `data_mib` MiB of heap (the process's
    /// data segment limit), so a build that read the 50 MB file whole would
    /// fail.
    pub fn build(&self, data_mib: u64) -> Output {
        build_bounded(&self.root(), &self.out(), data_mib)
    }
}

/// `pilotscope build` of `root` into `out`, with the data segment of the
/// process limited to `data_mib` MiB (`ulimit -d`).
pub fn build_bounded(root: &Path, out: &Path, data_mib: u64) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -d {} && exec \"$0\" \"$@\"",
            data_mib * 1024
        ))
        .arg(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(root)
        .args(["--as-of", common::AS_OF, "build", "--output"])
        .arg(out)
        .output()
        .expect("sh runs pilotscope")
}

/// The site's own script tag on the page at `path` (relative to the site
/// root); the 404 page is served from any depth, so its links start at `/`.
pub fn own_script_tag(path: &str) -> String {
    let root = if path == "404.html" {
        "/".to_string()
    } else {
        "../".repeat(path.matches('/').count())
    };
    format!("<script src=\"{root}assets/site.js\" defer></script>")
}

/// Elements that must never be on a page, whoever wrote the content.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "style", "img",
    "image", "video", "audio", "source", "track", "portal", "noscript", "template", "math",
];

/// Attributes whose value is an address the browser may load or run.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "background",
    "poster",
    "cite",
    "longdesc",
    "ping",
    "srcset",
    "codebase",
];

/// Asserts that the page `html` at `path` can run nothing from content:
/// its only script is the site's own, no element carries an event handler
/// or a `style` attribute, no address is `javascript:`, `vbscript:` or
/// `data:`, nothing is loaded from elsewhere, and none of the dangerous
/// elements (frames, objects, embeds, base, forms, styles, images, refresh)
/// is present. Text that merely *says* `javascript:` is fine: it is text.
pub fn assert_inert(path: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    let own = own_script_tag(path);
    // The board pack is made for paper and has no script at all.
    let expected = if path == "pack/index.html" { 0 } else { 1 };
    assert_eq!(
        lower.matches(&own).count(),
        expected,
        "{path}: the site's own script tag {own}"
    );
    let mut rest = lower.replacen(&own, "", 1);
    // The portfolio page names its table's rows, as data, for site.js.
    if path == "index.html" {
        let data = "data-rows-src=\"table.js\"";
        assert_eq!(rest.matches(data).count(), 1, "{path}: the table's data");
        rest = rest.replacen(data, "", 1);
    }
    for bad in [
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "<base",
        "<form",
        "<style",
        "<frame",
        "<img",
        "<svg onload",
        "<meta http-equiv=\"refresh\"",
        "http-equiv=refresh",
    ] {
        assert!(!rest.contains(bad), "{path} contains {bad}");
    }
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'self';"),
        "{path}: the Content-Security-Policy"
    );
    assert!(!lower.contains("unsafe-inline") && !lower.contains("unsafe-eval"));

    // What a browser parses.
    let doc = scraper::Html::parse_document(html);
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        let name = el.name();
        assert!(
            !FORBIDDEN_ELEMENTS.contains(&name),
            "{path}: a <{name}> element"
        );
        if name == "script" {
            assert!(
                el.attr("src")
                    .is_some_and(|s| s.ends_with("assets/site.js")),
                "{path}: a script element that is not the site's"
            );
        }
        if name == "meta"
            && let Some(equiv) = el.attr("http-equiv")
        {
            assert!(
                equiv.eq_ignore_ascii_case("Content-Security-Policy"),
                "{path}: <meta http-equiv={equiv:?}>"
            );
        }
        if name == "link" {
            let href = el.attr("href").unwrap_or("");
            let own = match el.attr("rel") {
                Some("stylesheet") => {
                    href.ends_with("assets/style.css") || href.ends_with("assets/pack.css")
                }
                Some("icon") => href.ends_with("assets/favicon.svg"),
                Some("canonical") => true,
                _ => false,
            };
            assert!(own, "{path}: a <link> that is not the site's own");
        }
        for (attr, value) in el.attrs() {
            let a = attr.to_ascii_lowercase();
            assert!(
                !a.starts_with("on") && a != "style" && a != "srcdoc",
                "{path}: <{name} {attr}={value:?}>"
            );
            if URL_ATTRIBUTES.contains(&a.as_str()) {
                // Browsers drop ASCII whitespace and controls inside a
                // scheme, so `java\tscript:` is `javascript:` to them.
                let squeezed: String = value
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                for scheme in ["javascript:", "vbscript:", "data:", "file:"] {
                    assert!(
                        !squeezed.starts_with(scheme),
                        "{path}: <{name} {attr}={value:?}>"
                    );
                }
                if a == "src"
                    || (name == "link" && a == "href" && el.attr("rel") != Some("canonical"))
                {
                    assert!(
                        !squeezed.contains("//") && !squeezed.contains(':'),
                        "{path}: <{name} {attr}={value:?}> loads from elsewhere"
                    );
                }
            }
        }
    }
}

/// Every `.html` file of a built site, by path relative to it.
pub fn html_pages(out: &Path) -> Vec<(String, String)> {
    common::files(out)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| {
            let text = String::from_utf8(b).unwrap_or_else(|_| panic!("{p} is UTF-8"));
            (p, text)
        })
        .collect()
}

/// Cells of a CSV text (RFC 4180 quoting), row by row.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    // The byte order mark is for Excel; a reader that knows UTF-8 skips it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// Writes `n` valid dossiers into `root/content`, varied in stage, answers
/// and length, for builds large enough to interrupt or to fill a disk.
pub fn generate_portfolio(root: &Path, n: usize) {
    let content = root.join("content");
    std::fs::create_dir_all(&content).unwrap();
    let stages = ["proposed", "pilot", "scaling", "production", "paused"];
    let story =
        "The team met the operations leads every week and wrote down what changed. ".repeat(12);
    for i in 0..n {
        let text = format!(
            "---\ntitle: Generated pilot {i}\nsummary: Pilot {i} of a large portfolio\nbusiness_unit: Unit {}\n\
             stage: {}\nstarted: 2026-0{}-01\ndecision_due: 2026-{:02}-15\nbudget: {}\nupdated: 2026-10-01\n\
             framing:\n  production_owner: Owner {i}\n  acceptance_criteria: [Cycle time down]\n\
             data:\n  source: production_sample\n  completeness: 0.{}\n\
             metrics:\n  business:\n    - {{name: Cycle time, baseline: 10, target: {}, actual: 6}}\n---\n\n## Story\n\n{story}\n",
            i % 13,
            stages[i % stages.len()],
            1 + i % 9,
            1 + i % 12,
            10_000 + i * 7,
            60 + i % 40,
            5 + i % 4,
        );
        std::fs::write(content.join(format!("gen-{i:04}.md")), text).unwrap();
    }
}

/// Asserts that every file of the site in `out` is whole: pages end as
/// pages end, report.json is JSON, summary.csv ends its last row. Returns
/// the hidden temporary files a killed build left behind.
pub fn assert_every_file_whole(out: &Path) -> Vec<String> {
    let mut leftovers = Vec::new();
    for (path, bytes) in common::files(out) {
        let name = path.rsplit('/').next().unwrap();
        if name.ends_with(".tmp") {
            assert!(
                name.starts_with('.'),
                "a temporary file that is not hidden: {path}"
            );
            leftovers.push(path);
        } else if path.ends_with(".html") {
            assert!(
                bytes.starts_with(b"<!doctype html>") && bytes.ends_with(b"</html>\n"),
                "{path} is not whole ({} bytes)",
                bytes.len()
            );
        } else if path.ends_with(".json") {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{path} is not whole JSON: {e}"));
        } else if path.ends_with(".csv") {
            assert!(bytes.ends_with(b"\n"), "{path} is not whole");
        }
    }
    leftovers
}
