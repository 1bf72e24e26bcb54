//! The hostile corpus (`tests/fixtures/hostile/`): content written to break
//! the site, built the way a team would build it. Each file's outcome is in
//! `tests/fixtures/hostile/expected.toml`; what is made at test time (a
//! 50 MB dossier, a file name that is markup, looping symbolic links and
//! links out of the content folder) is described in `tests/hardening/`.
//!
//! The page-level promise, checked on every HTML file: nothing from content
//! can run or load anything (see `hardening::assert_inert`). The data-level
//! promise: report.json and summary.csv carry the same text as plain data,
//! with spreadsheet formulas defused. `tests/audit.rs` loads the same site in
//! a real browser.
#![cfg(unix)]

mod common;
mod hardening;

use std::collections::BTreeMap;

use hardening::{HostileProject, MARKUP_FILE_NAME, MARKUP_FILE_PAGE, OUTSIDE_SECRETS};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Expected {
    files: BTreeMap<String, Outcome>,
}

#[derive(Debug, Deserialize)]
struct Outcome {
    outcome: String,
    page: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: Option<String>,
    marker: Option<String>,
    #[allow(dead_code)]
    about: String,
}

fn expected() -> Expected {
    let text = std::fs::read_to_string(common::fixture("hostile/expected.toml")).unwrap();
    toml::from_str(&text).expect("expected.toml reads")
}

/// Tera's escaping of text, to find a message on a page.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The build of the hostile corpus, shared by the tests of this file (one
/// build: it reads 50 MB).
struct Built {
    project: HostileProject,
    stderr: String,
    code: Option<i32>,
    files: BTreeMap<String, Vec<u8>>,
}

fn built() -> &'static Built {
    static BUILT: std::sync::OnceLock<Built> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let project = HostileProject::new();
        // 32 MiB of heap: enough for the build, not for the 50 MB file.
        let output = project.build(32);
        let files = common::files(&project.out());
        Built {
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code(),
            files,
            project,
        }
    })
}

fn text(b: &Built, path: &str) -> String {
    String::from_utf8(
        b.files
            .get(path)
            .unwrap_or_else(|| panic!("{path} was not built; files: {:?}", b.files.keys()))
            .clone(),
    )
    .unwrap()
}

fn report(b: &Built) -> serde_json::Value {
    serde_json::from_str(&text(b, "report.json")).expect("report.json is JSON")
}

#[test]
fn the_build_completes_with_bounded_memory_and_reports_the_broken_dossiers() {
    let b = built();
    assert_eq!(
        b.code,
        Some(1),
        "dossier errors give status 1, nothing worse\n{}",
        b.stderr
    );
    assert!(b.stderr.contains("built "), "{}", b.stderr);
    assert!(
        b.stderr.contains("content/huge.md")
            && b.stderr
                .contains("the file is larger than 4 MiB, the most a dossier may be"),
        "the size cap is reported: {}",
        b.stderr
    );
    // Every file is whole.
    for (path, bytes) in &b.files {
        if path.ends_with(".html") {
            assert!(bytes.ends_with(b"</html>\n"), "{path}");
        }
    }
    let report = report(b);
    let huge = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"] == "content/huge.md")
        .expect("the 50 MB file is an error in report.json");
    assert!(
        huge["message"]
            .as_str()
            .unwrap()
            .contains("larger than 4 MiB")
    );
    assert!(text(b, "pilots/huge/index.html").contains("the file is larger than 4 MiB"));
}

#[test]
fn every_file_of_the_corpus_has_its_expected_outcome() {
    let b = built();
    let report = report(b);
    let dossiers = report["dossiers"].as_array().unwrap();
    let errors = report["errors"].as_array().unwrap();
    let expected = expected();
    assert!(expected.files.len() >= 17);
    let listed: Vec<String> = std::fs::read_dir(common::fixture("hostile/content"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for name in &listed {
        assert!(
            expected.files.contains_key(name),
            "{name} has no outcome in expected.toml"
        );
    }
    for (name, want) in &expected.files {
        let source = format!("content/{name}");
        match want.outcome.as_str() {
            "judged" => {
                let page = want.page.as_deref().unwrap();
                let d = dossiers
                    .iter()
                    .find(|d| d["source"] == source.as_str())
                    .unwrap_or_else(|| panic!("{name} is judged"));
                assert_eq!(
                    format!("pilots/{}/index.html", d["id"].as_str().unwrap()),
                    page
                );
                let html = text(b, page);
                assert!(
                    html.contains("readiness out of 100"),
                    "{page} is a diagnosis"
                );
            }
            "error" => {
                let e = errors
                    .iter()
                    .find(|e| e["source"] == source.as_str())
                    .unwrap_or_else(|| panic!("{name} is an error in report.json"));
                let message = want.message.as_deref().unwrap();
                assert!(
                    e["message"].as_str().unwrap().contains(message),
                    "{name}: {e}"
                );
                assert_eq!(
                    e["line"].as_u64(),
                    want.line.map(|l| l as u64),
                    "{name}: {e}"
                );
                assert_eq!(
                    e["column"].as_u64(),
                    want.column.map(|c| c as u64),
                    "{name}: {e}"
                );
                assert!(
                    !dossiers.iter().any(|d| d["source"] == source.as_str()),
                    "{name} is not judged"
                );
                let id = pilotscope::dossier::read::id_from_path(name);
                let html = text(b, &format!("pilots/{id}/index.html"));
                assert!(
                    html.contains(&escaped(message)),
                    "{name}: its page says what is wrong"
                );
                if let (Some(line), Some(column)) = (want.line, want.column) {
                    assert!(
                        html.contains(&format!("{source}:{line}:{column}")),
                        "{name}: its page says where"
                    );
                }
                assert!(
                    b.stderr.contains(&source),
                    "{name} is reported on the terminal"
                );
            }
            "skipped" => {
                let marker = want.marker.as_deref().unwrap();
                for (path, bytes) in &b.files {
                    assert!(
                        !String::from_utf8_lossy(bytes).contains(marker),
                        "{name}'s text is in {path}"
                    );
                }
                assert!(!b.stderr.contains(marker));
            }
            other => panic!("unknown outcome {other} for {name}"),
        }
    }

    // Made at test time: the file name that is markup is judged.
    let d = dossiers
        .iter()
        .find(|d| d["source"] == format!("content/{MARKUP_FILE_NAME}").as_str())
        .expect("the dossier with a markup file name is judged");
    assert_eq!(
        format!("pilots/{}/index.html", d["id"].as_str().unwrap()),
        MARKUP_FILE_PAGE
    );
    assert!(text(b, MARKUP_FILE_PAGE).contains(&escaped(MARKUP_FILE_NAME)));
}

#[test]
fn symbolic_links_never_lead_out_of_the_content_folder_and_loops_end() {
    let b = built();
    for secret in OUTSIDE_SECRETS {
        for (path, bytes) in &b.files {
            assert!(
                !String::from_utf8_lossy(bytes).contains(secret),
                "{secret} leaked into {path}"
            );
        }
    }
    for (link, why) in [
        ("content/outside.md", "points outside the content folder"),
        (
            "content/outside-relative.md",
            "points outside the content folder",
        ),
        ("content/loop.md", "cannot be followed"),
        ("content/faq.md", "points outside the content folder"),
    ] {
        assert!(
            b.stderr
                .lines()
                .zip(b.stderr.lines().skip(1))
                .any(|(a, z)| (a.contains(why) && z.contains(link))
                    || (a.contains(link) && a.contains(why))),
            "{link}: a warning that it {why}\n{}",
            b.stderr
        );
    }
    // The FAQ falls back to the shipped one.
    assert!(text(b, "faq/index.html").contains("pilot purgatory"));
    // A folder link is not descended into, and a link inside the folder is
    // followed.
    assert!(!b.files.keys().any(|p| p.contains("linked-folder")));
    assert!(b.files.contains_key("pilots/inside-link/index.html"));
    assert!(
        !b.files
            .keys()
            .any(|p| p.starts_with("pilots/loop") || p.starts_with("pilots/a/"))
    );
    assert!(!b.files.keys().any(|p| p.contains("sub/up")));
}

#[test]
fn no_page_can_run_or_load_anything_from_content() {
    let b = built();
    let pages = hardening::html_pages(&b.project.out());
    assert_eq!(
        pages.len(),
        24,
        "5 site pages (the board pack among them) and 19 pilot pages"
    );
    for (path, html) in &pages {
        hardening::assert_inert(path, html);
    }
    // The payloads are there, as text.
    let every = text(b, "pilots/every-field/index.html");
    for shown in [
        "&lt;script&gt;window.__pwned=&#39;title&#39;&lt;/script&gt; Demand forecast {{ page.root }}",
        "&lt;b onmouseover=&quot;window.__pwned=&#39;owner&#39;&quot;&gt;Dana Ruiz&lt;/b&gt;",
        "&lt;script&gt;window.__pwned=&#39;criteria&#39;&lt;/script&gt;",
        "&lt;svg onload=&quot;window.__pwned=&#39;gap&#39;&quot;&gt;&lt;/svg&gt;",
        "&lt;img src=x onerror=alert(&#39;key&#39;)&gt;",
        "&lt;a href=&quot;javascript:alert(&#39;extra&#39;)&quot;&gt;vendor&lt;/a&gt;",
        "&lt;meta http-equiv=&quot;refresh&quot;",
        "&lt;script&gt;window.__pwned=&#39;tag&#39;&lt;/script&gt;",
    ] {
        assert!(every.contains(shown), "every-field shows {shown}");
    }
    // A KPI's name shows where a check names the KPI.
    assert!(
        text(b, "pilots/toml-fields/index.html")
            .contains("&lt;svg onload=alert(&#39;toml-kpi&#39;)&gt;")
    );
    let index = text(b, "index.html");
    assert!(index.contains("&lt;script&gt;window.__pwned=&#39;title&#39;&lt;/script&gt;"));
    // Story HTML is dropped, its link texts kept, without their addresses.
    let links = text(b, "pilots/body-links/index.html");
    for kept in ["plain</a>", "mixed case</a>", "entity</a>", "data html</a>"] {
        assert!(links.contains(&format!("<a>{kept}")), "{kept}");
    }
    let raw = text(b, "pilots/body-html/index.html");
    assert!(raw.contains("<a href=\"#\" rel=\"noopener noreferrer\">hover</a>"));
}

#[test]
fn a_story_nested_thousands_deep_is_flattened() {
    let b = built();
    let page = text(b, "pilots/deep-story/index.html");
    assert!(page.contains("quoted") && page.contains("divided"));
    let limit = pilotscope::site::markdown::MAX_DEPTH;
    assert!(page.matches("<blockquote>").count() <= limit);
    assert!(page.matches("<div>").count() <= limit);
    assert!(
        page.contains("&lt;div&gt;"),
        "the raw HTML beyond the limit is text"
    );
}

#[test]
fn template_syntax_in_content_is_shown_as_written_and_never_evaluated() {
    let b = built();
    let page = text(b, "pilots/template-syntax/index.html");
    assert_eq!(page.matches("<!doctype html>").count(), 1, "no include ran");
    for literal in [
        "<h1>{{ page.root }} {% include &quot;base.html&quot; %} Template syntax</h1>",
        "{{ __tera_context }} {% for x in [1,2] %}{{ x }}{% endfor %}",
        "{% raw %}{{ config }}{% endraw %}",
        "{{ pilot.title | safe }}",
        "{{ page.root }} and {% include \"base.html\" %} and {% raw %} and {# a comment #}",
        "{% extends \"base.html\" %} in a code block",
        "<code>{{ __tera_context }}</code>",
        "{{ &lt;status_badge status=\"clear\" label=\"x\" symbol=\"y\"/&gt; }}",
    ] {
        assert!(
            page.contains(literal),
            "shown as written: {literal}\n{page}"
        );
    }
    let report = report(b);
    let d = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "template-syntax")
        .unwrap();
    assert_eq!(
        d["title"],
        "{{ page.root }} {% include \"base.html\" %} Template syntax"
    );
}

#[test]
fn story_anchors_never_repeat_the_pages_own_ids() {
    let b = built();
    for (path, html) in hardening::html_pages(&b.project.out()) {
        let doc = scraper::Html::parse_document(&html);
        let mut seen = std::collections::BTreeSet::new();
        for node in doc.tree.nodes() {
            if let Some(id) = node.value().as_element().and_then(|e| e.attr("id")) {
                assert!(seen.insert(id.to_string()), "{path}: id {id:?} twice");
                assert!(
                    !id.contains(|c: char| c.is_ascii_whitespace()),
                    "{path}: id {id:?} holds a space"
                );
            }
        }
    }
    let page = text(b, "pilots/id-clashes/index.html");
    assert!(page.contains("<h3 id=\"data-2\">Data</h3>"), "{page}");
    assert!(page.contains("<h3 id=\"verdict-title-2\">Story title</h3>"));
    assert!(page.contains("href=\"#fn-my-note\"") && page.contains("id=\"fn-my-note\""));
}

#[test]
fn report_and_csv_carry_the_payloads_as_plain_data() {
    let b = built();
    let report = report(b);
    let find = |id: &str| {
        report["dossiers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} in report.json"))
            .clone()
    };
    let every = find("every-field");
    assert_eq!(
        every["title"],
        "<script>window.__pwned='title'</script> Demand forecast {{ page.root }}"
    );
    let messages: Vec<&str> = every["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    for raw in [
        "framing.production_owner: <b onmouseover=\"window.__pwned='owner'\">Dana Ruiz</b>",
        "framing.acceptance_criteria: <script>window.__pwned='criteria'</script>; <img src=x onerror=alert('criteria')>",
        "<svg onload=\"window.__pwned='gap'\"></svg>; <script>alert('gap')</script>",
        "governance.reviewer: \" onfocus=\"alert('reviewer')\" autofocus x=\"",
        "change.escalation_path: javascript:alert('escalation')",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(raw)),
            "report.json keeps {raw}"
        );
    }
    assert_eq!(
        find("json-fields")["title"],
        "-1+1 <script>window.__pwned='json-title'</script> {{ page.root }}"
    );

    let csv = text(b, "summary.csv");
    let rows = hardening::csv_rows(&csv);
    let header = &rows[0];
    assert_eq!(header[0], "id");
    for row in &rows[1..] {
        assert_eq!(row.len(), header.len(), "{row:?}");
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    let every = row("every-field");
    assert_eq!(
        every[col("business_unit")],
        "'=HYPERLINK(\"http://evil.example/\",\"Click\") <svg onload=alert('unit')>"
    );
    assert_eq!(
        every[col("industry")],
        "'+cmd|' /C calc'!A0 <img src=x onerror=alert('industry')>"
    );
    assert_eq!(
        every[col("title")],
        "<script>window.__pwned='title'</script> Demand forecast {{ page.root }}"
    );
    assert_eq!(
        row("toml-fields")[col("title")],
        "'@SUM(A1:A9) <script>window.__pwned='toml-title'</script>"
    );
    assert_eq!(
        row("json-fields")[col("title")],
        "'-1+1 <script>window.__pwned='json-title'</script> {{ page.root }}"
    );
}

#[test]
fn only_html_that_went_through_the_sanitizer_is_marked_safe_in_the_templates() {
    // Tera escapes every value; `| safe` turns that off, so it may only be
    // used on the story and FAQ HTML that `site::markdown` sanitized.
    let allowed = ["pilot.story_html", "faq.intro_html", "e.answer_html"];
    for entry in std::fs::read_dir(common::repo_root().join("templates")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("|safe", "| safe")
            .replace("|  safe", "| safe");
        for (i, _) in text.match_indices("| safe") {
            let before = text[..i].trim_end();
            let value = before.rsplit(['{', ' ', '(']).next().unwrap_or("");
            assert!(
                allowed.contains(&value),
                "{}: `{value} | safe` is not sanitized HTML",
                path.display()
            );
        }
        assert!(!text.contains("autoescape false"), "{}", path.display());
    }
}
