//! Helpers shared by the site tests (`site_build.rs`, `browser.rs`): running
//! the binary on a fixture, reading a built site back, and resolving the
//! links between its pages.
//!
//! Not every test file uses every helper, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod ics;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;

/// The date every test judges as of, so that output is reproducible.
pub const AS_OF: &str = "2026-11-26";

/// The repository root: its `content/` is the shipped example portfolio.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture folder under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// The pilotscope binary under test.
pub fn pilotscope() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("pilotscope").expect("the pilotscope binary is built")
}

/// Runs `pilotscope build` on the project at `root` into `out`.
pub fn build(root: &Path, out: &Path) -> Output {
    pilotscope()
        .current_dir(root)
        .arg("--as-of")
        .arg(AS_OF)
        .arg("build")
        .arg("--output")
        .arg(out)
        .output()
        .expect("pilotscope runs")
}

/// Like [`build`], and insists on the exit status `code`.
pub fn build_expecting(root: &Path, out: &Path, code: i32) -> Output {
    let output = build(root, out);
    assert_eq!(
        output.status.code(),
        Some(code),
        "pilotscope build, run in {}, exited with {:?}\nstderr:\n{}",
        root.display(),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Copies a folder tree (a fixture into a temporary folder a test may change).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("fixture is readable");
        let rel = entry
            .path()
            .strip_prefix(from)
            .expect("walkdir stays under its root");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create folder");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy file");
        }
    }
}

/// Every file under `dir`, by path relative to it (with `/`), with its bytes.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("output is readable"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                rel(dir, e.path()),
                std::fs::read(e.path()).expect("read output file"),
            )
        })
        .collect()
}

pub fn rel(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .expect("under the folder")
        .to_string_lossy()
        .replace('\\', "/")
}

pub fn read(out: &Path, page: &str) -> String {
    std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page} cannot be read: {e}"))
}

// ---------------------------------------------------------------- links

/// What the link check needs to know about one HTML page.
#[derive(Debug, Default)]
pub struct HtmlPage {
    /// Every `href` and `src` on the page, as written, and the portfolio
    /// table's `data-rows-src` (the script site.js adds).
    pub links: Vec<String>,
    /// Every `id` on the page (fragment targets).
    pub ids: HashSet<String>,
}

pub fn parse_page(html: &str) -> HtmlPage {
    let doc = scraper::Html::parse_document(html);
    let mut page = HtmlPage::default();
    for node in doc.tree.nodes() {
        if let Some(el) = node.value().as_element() {
            for (name, value) in el.attrs() {
                match name {
                    "href" | "src" | "data-rows-src" => page.links.push(value.to_string()),
                    "id" => {
                        page.ids.insert(value.to_string());
                    }
                    _ => {}
                }
            }
        }
    }
    // <a name="..."> is an old-style fragment target too.
    for el in doc.select(&scraper::Selector::parse("a[name]").expect("valid selector")) {
        if let Some(n) = el.value().attr("name") {
            page.ids.insert(n.to_string());
        }
    }
    page
}

/// Where a link leads inside the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the site (relative to its root) and an optional fragment.
    Local {
        file: String,
        fragment: Option<String>,
    },
    /// Somewhere else (`http:`, `https:`, `mailto:`, `tel:`).
    External,
    /// A link that cannot be followed inside the site (escapes the root, or an
    /// address scheme a published site should not contain).
    Invalid(String),
}

/// Resolves `link`, found on the page at `page` (relative to the site root),
/// to a file of the site. Root-relative links (`/x`) are taken relative to
/// the site root, as when the site is served at the root of a host.
pub fn resolve(page: &str, link: &str) -> Target {
    resolve_at(page, link, "/")
}

/// Like [`resolve`], for a site served under `base_path` (`/portfolio/`):
/// a root-relative link must start there, and is taken from there.
pub fn resolve_at(page: &str, link: &str, base_path: &str) -> Target {
    let link = match link.strip_prefix(base_path.trim_end_matches('/')) {
        Some(rest) if base_path != "/" && rest.starts_with('/') => rest,
        _ if base_path != "/" && link.starts_with('/') && !link.starts_with("//") => {
            return Target::Invalid(format!("{link:?} leaves the site's path {base_path}"));
        }
        _ => link,
    };
    let lower = link.trim().to_ascii_lowercase();
    if ["http:", "https:", "mailto:", "tel:"]
        .iter()
        .any(|s| lower.starts_with(s))
        || lower.starts_with("//")
    {
        return Target::External;
    }
    if let Some(colon) = lower.find(':')
        && !lower[..colon].contains(['/', '?', '#'])
    {
        return Target::Invalid(format!("unexpected scheme in {link:?}"));
    }
    let (rest, fragment) = match link.split_once('#') {
        Some((r, f)) => (r, Some(percent_decode(f))),
        None => (link, None),
    };
    let rest = rest.split('?').next().unwrap_or("");
    let mut parts: Vec<String> = Vec::new();
    let joined = if rest.is_empty() {
        page.to_string()
    } else if let Some(abs) = rest.strip_prefix('/') {
        abs.to_string()
    } else {
        match page.rfind('/') {
            Some(i) => format!("{}/{rest}", &page[..i]),
            None => rest.to_string(),
        }
    };
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Target::Invalid(format!("{link:?} leads out of the site"));
                }
            }
            p => parts.push(percent_decode(p)),
        }
    }
    let mut file = parts.join("/");
    if file.is_empty() || joined.ends_with('/') {
        file = if file.is_empty() {
            "index.html".into()
        } else {
            format!("{file}/index.html")
        };
    }
    Target::Local {
        file,
        fragment: fragment.filter(|f| !f.is_empty()),
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A built site read back: its files and its parsed HTML pages.
pub struct BuiltSite {
    pub files: BTreeMap<String, Vec<u8>>,
    pub pages: BTreeMap<String, HtmlPage>,
    /// The path the site is published under (`base_url`'s), `/` by default.
    pub base_path: String,
}

impl BuiltSite {
    /// A site published under `base_path` (the path of its `base_url`).
    pub fn read_served_at(out: &Path, base_path: &str) -> BuiltSite {
        BuiltSite {
            base_path: base_path.to_string(),
            ..BuiltSite::read(out)
        }
    }

    pub fn read(out: &Path) -> BuiltSite {
        let files = files(out);
        let pages = files
            .iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .map(|(p, bytes)| (p.clone(), parse_page(&String::from_utf8_lossy(bytes))))
            .collect();
        BuiltSite {
            files,
            pages,
            base_path: "/".into(),
        }
    }

    /// Every broken link of the site, one line each: a missing file, a
    /// missing fragment target, or a link that leads nowhere it should.
    pub fn broken_links(&self) -> Vec<String> {
        let mut broken = Vec::new();
        for (path, page) in &self.pages {
            for link in &page.links {
                match resolve_at(path, link, &self.base_path) {
                    Target::External => {}
                    Target::Invalid(why) => broken.push(format!("{path}: {why}")),
                    Target::Local { file, fragment } => {
                        if !self.files.contains_key(&file) {
                            broken.push(format!("{path}: {link:?} -> {file} does not exist"));
                            continue;
                        }
                        // `#show=…` is the portfolio table's filter (site.js),
                        // on a page that has the table.
                        let filter = |f: &str, ids: &std::collections::HashSet<String>| {
                            f.starts_with("show=") && ids.contains("pilots-title")
                        };
                        if let (Some(f), Some(target)) = (&fragment, self.pages.get(&file))
                            && !target.ids.contains(f)
                            && !filter(f, &target.ids)
                        {
                            broken.push(format!("{path}: {link:?} -> no id {f:?} in {file}"));
                        }
                    }
                }
            }
        }
        broken
    }

    /// The files reachable from `start` by following local links.
    pub fn reachable_from(&self, start: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::from([start.to_string()]);
        let mut queue = vec![start.to_string()];
        while let Some(path) = queue.pop() {
            let Some(page) = self.pages.get(&path) else {
                continue;
            };
            for link in &page.links {
                if let Target::Local { file, .. } = resolve_at(&path, link, &self.base_path)
                    && self.files.contains_key(&file)
                    && seen.insert(file.clone())
                {
                    queue.push(file);
                }
            }
        }
        seen
    }
}

// ---------------------------------------------------------------- a project built whole

/// Copies `from` (its `content/` and `pilotscope.toml`, if any) into a
/// temporary project folder.
pub fn project_from(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(from.join("content")) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
    if from.join("pilotscope.toml").is_file() {
        std::fs::copy(
            from.join("pilotscope.toml"),
            dir.path().join("pilotscope.toml"),
        )
        .unwrap();
    }
    dir
}

/// The example project (its FAQ and `pilotscope.toml` included) with each
/// of its ten dossiers `copies` times over, as `c001-<name>.md`, …: a
/// portfolio of `10 × copies` pilots. Not built.
pub fn example_times(copies: usize) -> tempfile::TempDir {
    let dir = project_from(&repo_root());
    let content = dir.path().join("content");
    for entry in std::fs::read_dir(&content).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "faq.md" || name.starts_with('_') {
            continue;
        }
        for copy in 1..=copies {
            std::fs::copy(entry.path(), content.join(format!("c{copy:03}-{name}"))).unwrap();
        }
        std::fs::remove_file(entry.path()).unwrap();
    }
    dir
}

/// `pilotscope --as-of AS_OF build`, run from inside `project`; insists on
/// the exit status `code`.
pub fn build_in(project: &Path, code: i32) {
    let out = assert_cmd::Command::cargo_bin("pilotscope")
        .unwrap()
        .current_dir(project)
        .args(["--as-of", AS_OF, "build"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "pilotscope build in {}:\n{}",
        project.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn page(project: &Path, path: &str) -> String {
    std::fs::read_to_string(project.join("site").join(path))
        .unwrap_or_else(|e| panic!("site/{path}: {e}"))
}

pub fn report(project: &Path) -> serde_json::Value {
    serde_json::from_str(&page(project, "report.json")).unwrap()
}

pub fn text_of(e: scraper::ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The YAML of `text` as JSON, read by PyYAML (what many CI linters use).
pub fn yaml_as_json(text: &str) -> serde_json::Value {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(text.as_bytes())?;
            c.wait_with_output()
        })
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "PyYAML refuses it: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
