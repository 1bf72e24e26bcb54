//! `pilotscope build`: the static site, tested by running the binary on
//! fixture portfolios and reading what it wrote.
//!
//! - `tests/fixtures/site/`: four dossiers (ready, at risk, not ready and in
//!   purgatory, and one that cannot be read) and a short FAQ with topics;
//!   its pages are snapshotted.
//! - `tests/fixtures/site-hostile/`: a dossier full of markup and template
//!   syntax that must come out as text.
//! - `tests/fixtures/site-override/` and `site-bad-template/`: a project's own
//!   templates, one good and one with a syntax error; `site-old-index/`: an
//!   `index.html` and a `faq.html` of its own that loop over the table's
//!   rows and the live figures' links themselves.
//! - the shipped example portfolio (`content/` at the repository root).

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{
    AS_OF, BuiltSite, Target, build_expecting, copy_dir, fixture, pilotscope, read, repo_root,
    resolve, stderr,
};

/// The fixture has one dossier that cannot be read, so its builds exit 1.
const FIXTURE_EXIT: i32 = 1;

fn build_fixture() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    build_expecting(&fixture("site"), out.path(), FIXTURE_EXIT);
    out
}

// ---------------------------------------------------------------- snapshots

#[test]
fn every_page_type_of_the_fixture_matches_its_snapshot() {
    let out = build_fixture();
    let o = out.path();
    for (name, page) in [
        ("index", "index.html"),
        ("pilot_ready", "pilots/invoice-matching/index.html"),
        (
            "pilot_at_risk_with_warning",
            "pilots/demand-forecast/index.html",
        ),
        ("pilot_broken", "pilots/route-planner/index.html"),
        ("framework", "framework/index.html"),
        ("faq", "faq/index.html"),
        ("not_found", "404.html"),
        ("summary_csv", "summary.csv"),
        ("report_json", "report.json"),
    ] {
        insta::assert_snapshot!(name, read(o, page));
    }
}

#[test]
fn the_fixture_builds_exactly_the_expected_files() {
    let out = build_fixture();
    let files: Vec<String> = common::files(out.path()).into_keys().collect();
    assert_eq!(
        files,
        [
            ".pilotscope-files",
            "404.html",
            "assets/favicon.svg",
            "assets/pack.css",
            "assets/site.js",
            "assets/style.css",
            "decisions.ics",
            "faq/index.html",
            "framework/index.html",
            "index.html",
            "pack/index.html",
            "pilots/demand-forecast/index.html",
            "pilots/invoice-matching/index.html",
            "pilots/route-planner/index.html",
            "pilots/yard-vision/index.html",
            "portfolio.xlsx",
            "report.json",
            "summary.csv",
            "table.js",
        ]
    );
}

#[test]
fn the_build_reports_the_broken_dossier_and_still_writes_the_site() {
    let out = tempfile::tempdir().unwrap();
    let output = build_expecting(&fixture("site"), out.path(), FIXTURE_EXIT);
    let err = stderr(&output);
    assert!(err.contains("content/route-planner.md:4:8"), "{err}");
    assert!(err.contains("did you mean `assessed_by`?"), "{err}");
    assert!(err.contains("1 dossier with errors"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&read(out.path(), "report.json")).unwrap();
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(2),
        "{report:#}"
    );
    assert_eq!(report["errors"][0]["source"], "content/route-planner.md");
    let verdicts: BTreeSet<(String, String)> = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("demand-forecast", "at_risk"),
        ("invoice-matching", "ready"),
        ("yard-vision", "not_ready"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(verdicts, expected);
}

// ---------------------------------------------------------------- links

/// The path of the `site` fixture's `base_url`: its 404 page links from there.
const FIXTURE_PATH: &str = "/portfolio/";

fn assert_no_broken_links(out: &Path, base_path: &str) -> BuiltSite {
    let site = BuiltSite::read_served_at(out, base_path);
    assert!(
        site.pages.len() >= 5,
        "the site has its pages: {:?}",
        site.pages.keys()
    );
    let broken = site.broken_links();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    site
}

#[test]
fn every_link_of_the_fixture_site_leads_to_a_file_and_fragment_that_exist() {
    let out = build_fixture();
    let site = assert_no_broken_links(out.path(), FIXTURE_PATH);
    // The check is not vacuous: fragments and deep pages are followed.
    let faq = &site.pages["faq/index.html"];
    assert!(
        faq.links
            .iter()
            .any(|l| l == "../framework/index.html#framing"),
        "{:?}",
        faq.links
    );
    assert!(
        faq.links.iter().any(|l| l == "#data-quality"),
        "{:?}",
        faq.links
    );
}

#[test]
fn every_link_of_the_shipped_example_site_leads_to_a_file_and_fragment_that_exist() {
    let out = tempfile::tempdir().unwrap();
    build_expecting(&repo_root(), out.path(), 0);
    let site = assert_no_broken_links(out.path(), "/");
    assert!(
        site.pages
            .keys()
            .filter(|p| p.starts_with("pilots/"))
            .count()
            >= 10
    );
}

#[test]
fn links_resolve_against_the_page_they_are_on() {
    let local = |f: &str, frag: Option<&str>| Target::Local {
        file: f.into(),
        fragment: frag.map(str::to_string),
    };
    assert_eq!(
        resolve("pilots/a/index.html", "../../index.html"),
        local("index.html", None)
    );
    assert_eq!(
        resolve("pilots/a/index.html", "#data"),
        local("pilots/a/index.html", Some("data"))
    );
    assert_eq!(
        resolve("faq/index.html", "../framework/index.html#framing"),
        local("framework/index.html", Some("framing"))
    );
    assert_eq!(
        resolve("404.html", "/assets/site.js"),
        local("assets/site.js", None)
    );
    assert_eq!(resolve("index.html", "faq/"), local("faq/index.html", None));
    assert_eq!(
        resolve("index.html", "a%20b.html#x%2Dy"),
        local("a b.html", Some("x-y"))
    );
    assert_eq!(
        resolve("index.html", "https://example.com/x"),
        Target::External
    );
    assert_eq!(
        resolve("index.html", "mailto:ops@example.com"),
        Target::External
    );
    assert!(matches!(
        resolve("index.html", "../x.html"),
        Target::Invalid(_)
    ));
    assert!(matches!(
        resolve("index.html", "javascript:alert(1)"),
        Target::Invalid(_)
    ));
    assert!(matches!(
        resolve("index.html", "data:text/html,x"),
        Target::Invalid(_)
    ));
}

fn assert_everything_is_reachable_from_the_index(out: &Path) {
    let site = BuiltSite::read(out);
    let reached = site.reachable_from("index.html");
    // Pages and downloads must all be linked. The 404 page is served by the
    // host for a missing address; the manifest is the build's bookkeeping;
    // a project may add assets of its own that its templates do not use.
    let unreachable: Vec<&String> = site
        .files
        .keys()
        .filter(|f| {
            !reached.contains(*f)
                && *f != "404.html"
                && *f != ".pilotscope-files"
                && *f != ".pilotscope-history"
                && !f.starts_with("assets/")
        })
        .collect();
    assert!(
        unreachable.is_empty(),
        "not linked from the index, directly or through other pages: {unreachable:?}"
    );
    for asset in ["assets/style.css", "assets/site.js"] {
        assert!(reached.contains(asset), "{asset} is not used by the pages");
    }
}

#[test]
fn every_page_of_the_fixture_is_reachable_from_the_index() {
    let out = build_fixture();
    let site = BuiltSite::read(out.path());
    let reached = site.reachable_from("index.html");
    for must in [
        "pilots/invoice-matching/index.html",
        "pilots/demand-forecast/index.html",
        "pilots/yard-vision/index.html",
        "pilots/route-planner/index.html",
        "framework/index.html",
        "faq/index.html",
        "report.json",
        "summary.csv",
        "assets/style.css",
        "assets/site.js",
    ] {
        assert!(
            reached.contains(must),
            "{must} is not reachable from index.html"
        );
    }
    assert_everything_is_reachable_from_the_index(out.path());
}

#[test]
fn every_page_of_the_shipped_example_is_reachable_from_the_index() {
    let out = tempfile::tempdir().unwrap();
    build_expecting(&repo_root(), out.path(), 0);
    assert_everything_is_reachable_from_the_index(out.path());
    // The repository's templates/ is also the example's override folder: the
    // dev server's own script must not leak from it into a published site.
    for leaked in ["assets/live.js", "assets/live.css"] {
        assert!(!out.path().join(leaked).exists(), "{leaked} was published");
    }
}

// ---------------------------------------------------------------- rebuilds

#[test]
fn a_removed_dossier_loses_its_page_and_files_the_build_did_not_write_are_kept() {
    let project = tempfile::tempdir().unwrap();
    copy_dir(&fixture("site"), project.path());
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    build_expecting(project.path(), o, FIXTURE_EXIT);
    assert!(o.join("pilots/demand-forecast/index.html").is_file());

    // Things a team keeps in the output folder beside the site.
    std::fs::write(o.join("CNAME"), "pilots.harbourline.example\n").unwrap();
    std::fs::create_dir_all(o.join("pilots/notes")).unwrap();
    std::fs::write(o.join("pilots/notes/readme.txt"), "kept\n").unwrap();

    std::fs::remove_file(project.path().join("content/demand-forecast.md")).unwrap();
    let output = build_expecting(project.path(), o, FIXTURE_EXIT);
    assert!(stderr(&output).contains("1 removed"), "{}", stderr(&output));

    assert!(
        !o.join("pilots/demand-forecast").exists(),
        "the page of the removed dossier and its folder are gone"
    );
    assert_eq!(
        std::fs::read_to_string(o.join("CNAME")).unwrap(),
        "pilots.harbourline.example\n"
    );
    assert_eq!(
        std::fs::read_to_string(o.join("pilots/notes/readme.txt")).unwrap(),
        "kept\n"
    );
    assert!(
        !read(o, "index.html").contains("demand-forecast"),
        "the index no longer links to it"
    );
    assert!(!read(o, "report.json").contains("demand-forecast"));
    assert_no_broken_links(o, FIXTURE_PATH);
}

/// The problems a build reports, without its line of figures (which says
/// how long it took and how many files it wrote).
fn problems(output: &std::process::Output) -> String {
    stderr(output)
        .lines()
        .filter(|l| !l.starts_with("built "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The figures of a build: `(written, unchanged)`.
fn figures(output: &std::process::Output) -> (usize, usize) {
    let err = stderr(output);
    let line = err
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or_else(|| panic!("no line of figures in:\n{err}"));
    let inside = line.rsplit_once('(').unwrap().1;
    let numbers: Vec<usize> = inside
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    (numbers[0], numbers[1])
}

#[test]
fn a_rebuild_writes_only_what_changed_and_reports_every_problem_again() {
    let project = tempfile::tempdir().unwrap();
    let p = project.path();
    copy_dir(&fixture("site"), p);
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    // After each change, the folder must hold what a clean build writes.
    let same_as_clean = |what: &str| {
        let clean = tempfile::tempdir().unwrap();
        build_expecting(p, clean.path(), FIXTURE_EXIT);
        assert_eq!(
            common::files(o),
            common::files(clean.path()),
            "after {what}, the rebuilt site differs from a clean build"
        );
    };

    let first = build_expecting(p, o, FIXTURE_EXIT);
    assert_eq!(figures(&first), (18, 0));

    // Nothing changed: nothing written, and the same warnings and errors
    // (with their snippets) and exit code as the build that wrote the site.
    let again = build_expecting(p, o, FIXTURE_EXIT);
    assert_eq!(figures(&again), (0, 18));
    assert_eq!(problems(&again), problems(&first));
    assert!(problems(&first).contains("error"), "{}", problems(&first));

    // One story edited: its page only (the index shows no story).
    let dossier = p.join("content/invoice-matching.md");
    let text = std::fs::read_to_string(&dossier).unwrap();
    std::fs::write(&dossier, format!("{text}\nA sentence added today.\n")).unwrap();
    let edited = build_expecting(p, o, FIXTURE_EXIT);
    assert_eq!(figures(&edited), (1, 17));
    assert!(read(o, "pilots/invoice-matching/index.html").contains("A sentence added today."));
    same_as_clean("a story was edited");

    // Saved again with the same bytes (an editor, a checkout): nothing.
    std::fs::write(&dossier, format!("{text}\nA sentence added today.\n")).unwrap();
    assert_eq!(figures(&build_expecting(p, o, FIXTURE_EXIT)), (0, 18));

    // A page of the site edited by hand, another deleted: both come back.
    let page = o.join("pilots/yard-vision/index.html");
    std::fs::write(&page, "edited by hand").unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(2);
    std::fs::File::options()
        .write(true)
        .open(&page)
        .unwrap()
        .set_modified(later)
        .unwrap();
    std::fs::remove_file(o.join("framework/index.html")).unwrap();
    let restored = build_expecting(p, o, FIXTURE_EXIT);
    assert_eq!(figures(&restored), (2, 16));
    same_as_clean("pages of the site were edited and deleted");

    // The configuration changes every page's header.
    let config = p.join("pilotscope.toml");
    let toml = std::fs::read_to_string(&config).unwrap_or_default();
    std::fs::write(
        &config,
        format!(
            "title = \"Renamed portfolio\"\n{}",
            toml.lines()
                .filter(|l| !l.starts_with("title"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    )
    .unwrap();
    let renamed = build_expecting(p, o, FIXTURE_EXIT);
    // Eight HTML pages, the board pack and the calendar name the site; the
    // report, the CSV, the table's data and the four assets do not, and
    // stay as they were.
    assert_eq!(figures(&renamed), (11, 7));
    assert!(read(o, "pilots/demand-forecast/index.html").contains("Renamed portfolio"));
    same_as_clean("the configuration changed");

    // A build killed while writing leaves its mark and its temporary
    // files: the next build renders every page and removes them.
    std::fs::write(o.join(".pilotscope-unfinished"), "").unwrap();
    let leftover = o.join("pilots/yard-vision/.index.html.4194305-0.tmp");
    std::fs::write(&leftover, "half a pa").unwrap();
    let after_kill = build_expecting(p, o, FIXTURE_EXIT);
    assert_eq!(figures(&after_kill), (0, 18), "nothing differs");
    assert_eq!(leftover.exists(), !Path::new("/proc/self").exists());
    assert!(!o.join(".pilotscope-unfinished").exists());
    same_as_clean("a killed build");
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical_and_the_second_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    build_expecting(&fixture("site"), o, FIXTURE_EXIT);
    let first = common::files(o);
    let mtimes = |dir: &Path| {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    common::rel(dir, e.path()),
                    e.metadata().unwrap().modified().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = mtimes(o);

    let second = build_expecting(&fixture("site"), o, FIXTURE_EXIT);
    let err = stderr(&second);
    assert!(
        err.contains("(0 written, 18 unchanged)"),
        "the second build rewrites nothing: {err}"
    );
    assert_eq!(common::files(o), first, "the second build changes no byte");
    assert_eq!(mtimes(o), before, "the second build touches no file");

    // A build into a fresh folder, from another working directory, gives the same tree.
    let elsewhere = tempfile::tempdir().unwrap();
    let output = pilotscope()
        .current_dir(elsewhere.path())
        .args(["--as-of", AS_OF, "--root"])
        .arg(fixture("site"))
        .args(["build", "--output", "fresh"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(FIXTURE_EXIT),
        "{}",
        stderr(&output)
    );
    assert_eq!(common::files(&elsewhere.path().join("fresh")), first);
}

/// Writes `n` dossiers that differ in stage, answers and length.
fn generate_portfolio(root: &Path, n: usize) {
    let content = root.join("content");
    std::fs::create_dir_all(&content).unwrap();
    let stages = [
        "proposed",
        "pilot",
        "scaling",
        "production",
        "paused",
        "abandoned",
    ];
    let sources = [
        "production",
        "production_sample",
        "historical_extract",
        "curated",
        "synthetic",
    ];
    let story = "The pilot team met the operations leads every week. ".repeat(20);
    for i in 0..n {
        let text = format!(
            "---\ntitle: Generated pilot {i}\nsummary: Pilot number {i} of a large portfolio\nbusiness_unit: Unit {}\nstage: {}\nstarted: 2026-0{}-01\n\
             decision_due: 2026-{:02}-15\nbudget: {}\nupdated: 2026-1{}-01\n\
             framing:\n  production_owner: {}\n  acceptance_criteria: [Cycle time down]\n  success_defined_as: business_outcome\n\
             data:\n  source: {}\n  completeness: 0.{}\n\
             governance:\n  owner: Owner {i}\n\
             metrics:\n  business:\n    - {{name: Cycle time, baseline: 10, target: {}, actual: 6}}\n---\n\n## Story\n\n{story}\n",
            i % 17,
            stages[i % stages.len()],
            1 + i % 9,
            1 + i % 12,
            10_000 + i * 7,
            i % 2,
            if i % 3 == 0 { "" } else { "Jo Bloggs" },
            sources[i % sources.len()],
            50 + i % 50,
            5 + i % 4,
        );
        std::fs::write(content.join(format!("gen-{i:04}.md")), text).unwrap();
    }
}

#[test]
fn a_killed_build_leaves_every_file_whole() {
    let project = tempfile::tempdir().unwrap();
    generate_portfolio(project.path(), 3000);
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    // A previous site in the folder: the small fixture.
    build_expecting(&fixture("site"), o, FIXTURE_EXIT);

    let mut child = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(project.path())
        .args(["--as-of", AS_OF, "build", "--output"])
        .arg(o)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it has started writing pilot pages, then kill it.
    let mut killed_while_running = false;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let started = std::fs::read_dir(o.join("pilots")).is_ok_and(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        });
        if started {
            child.kill().unwrap();
            killed_while_running = child.try_wait().unwrap().is_none_or(|s| !s.success());
            break;
        }
        std::thread::yield_now();
    }
    child.wait().unwrap();
    if !killed_while_running {
        eprintln!(
            "note: the build finished before it could be killed; the checks below still apply"
        );
    }

    let mut temp_files = Vec::new();
    let mut html = 0;
    for (path, bytes) in common::files(o) {
        let name = path.rsplit('/').next().unwrap();
        if name.ends_with(".tmp") {
            assert!(
                name.starts_with('.'),
                "a temporary file that is not hidden: {path}"
            );
            temp_files.push(path);
            continue;
        }
        if path.ends_with(".html") {
            html += 1;
            assert!(
                bytes.ends_with(b"</html>\n"),
                "{path} is not whole ({} bytes)",
                bytes.len()
            );
            assert!(
                bytes.starts_with(b"<!doctype html>"),
                "{path} does not start as a page"
            );
        } else if path.ends_with(".json") {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{path} is not whole JSON: {e}"));
        } else if path.ends_with(".csv") {
            assert!(bytes.ends_with(b"\n"), "{path} is not whole");
        }
    }
    assert!(html >= 8, "the previous site is still there");
    let generated = common::files(o)
        .keys()
        .filter(|p| p.starts_with("pilots/gen-") && p.ends_with(".html"))
        .count();
    eprintln!("the killed build had written {generated} of 3000 pilot pages");
    assert!(
        o.join("index.html").is_file() && o.join("pilots/invoice-matching/index.html").is_file()
    );
    eprintln!(
        "{} hidden temporary file(s) left by the killed build: {temp_files:?}",
        temp_files.len()
    );

    // Building again completes the site.
    let output = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(project.path())
        .args(["--as-of", AS_OF, "build", "--output"])
        .arg(o)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(o.join("pilots/gen-2999/index.html").is_file());
    let visible_tmp: Vec<String> = common::files(o)
        .into_keys()
        .filter(|p| p.ends_with(".tmp") && !p.rsplit('/').next().unwrap().starts_with('.'))
        .collect();
    assert!(visible_tmp.is_empty(), "{visible_tmp:?}");
}

/// The first build into an empty folder writes its pages in place (there
/// is no old page to keep whole). Killed half-way, it leaves the folder
/// marked unfinished; the next build trusts none of it and writes every
/// page whole, the same bytes as a build that was never killed.
#[test]
fn a_first_build_killed_in_an_empty_folder_is_made_whole_by_the_next() {
    let project = tempfile::tempdir().unwrap();
    generate_portfolio(project.path(), 3000);
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("site");
    let build = |dest: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_pilotscope"))
            .current_dir(project.path())
            .args(["--as-of", AS_OF, "build", "--output"])
            .arg(dest)
            .output()
            .unwrap()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(project.path())
        .args(["--as-of", AS_OF, "build", "--output"])
        .arg(&o)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut killed = false;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let started = std::fs::read_dir(o.join("pilots")).is_ok_and(|d| d.flatten().count() > 50);
        if started {
            child.kill().unwrap();
            killed = child.try_wait().unwrap().is_none_or(|s| !s.success());
            break;
        }
        std::thread::yield_now();
    }
    child.wait().unwrap();
    if killed {
        assert!(
            o.join(".pilotscope-unfinished").exists() || !o.join(".pilotscope-files").exists(),
            "a killed first build left no sign that it did not finish"
        );
    } else {
        eprintln!(
            "note: the build finished before it could be killed; the checks below still apply"
        );
    }
    let again = build(&o);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let clean = out.path().join("clean");
    assert_eq!(build(&clean).status.code(), Some(0));
    let (got, want) = (common::files(&o), common::files(&clean));
    let differ: Vec<&String> = want
        .iter()
        .filter(|(p, b)| *p != ".pilotscope-files" && got.get(*p) != Some(b))
        .map(|(p, _)| p)
        .chain(got.keys().filter(|p| !want.contains_key(*p)))
        .collect();
    assert!(
        differ.is_empty(),
        "after the killed build and one more, these files differ from a clean build: {differ:?}"
    );
}

// ---------------------------------------------------------------- hostile content

#[test]
fn markup_and_template_syntax_in_a_dossier_come_out_as_text() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path();
    build_expecting(&fixture("site-hostile"), o, 0);
    let site = BuiltSite::read(o);
    for (path, bytes) in &site.files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let lower = html.to_ascii_lowercase();
        let root = "../".repeat(path.matches('/').count());
        let own_script = format!("<script src=\"{root}assets/site.js\" defer></script>");
        let own_404_script = "<script src=\"/assets/site.js\" defer></script>";
        let scripts = lower.matches("<script").count();
        if path == "pack/index.html" {
            // The board pack is for paper: it has no script at all.
            assert_eq!(scripts, 0, "{path}: no script tag, found {scripts}");
            continue;
        }
        // The index names its table's rows as data (`table.js`), which
        // site.js loads once the page has.
        if path == "index.html" {
            let own_data = format!("data-rows-src=\"{root}table.js\"");
            assert!(html.contains(&own_data), "{path}: the table's data");
        }
        assert_eq!(
            scripts, 1,
            "{path}: only the site's own script tags, found {scripts}"
        );
        assert!(
            html.contains(&own_script) || (path == "404.html" && html.contains(own_404_script)),
            "{path}: the site's script tag"
        );
        for bad in [
            "<iframe",
            "<style",
            "<object",
            "<embed",
            "<form",
            "<base",
            "<svg><script",
            "javascript:",
            "<img",
            "http-equiv=\"refresh\"",
        ] {
            assert!(!lower.contains(bad), "{path} contains {bad}");
        }

        // What a browser would parse: no event handler, no script or data address.
        let doc = scraper::Html::parse_document(&html);
        for node in doc.tree.nodes() {
            let Some(el) = node.value().as_element() else {
                continue;
            };
            assert!(
                !matches!(el.name(), "script" if el.attr("src").is_none_or(|s| !s.ends_with("assets/site.js") && s != "table.js")),
                "{path}: a script element"
            );
            for (name, value) in el.attrs() {
                assert!(
                    !name.starts_with("on") && name != "style",
                    "{path}: <{} {name}={value:?}>",
                    el.name()
                );
            }
            for attr in ["href", "src", "action", "data", "formaction"] {
                if let Some(v) = el.attr(attr) {
                    let v = v.trim().to_ascii_lowercase();
                    assert!(
                        !v.starts_with("javascript:")
                            && !v.starts_with("data:")
                            && !v.starts_with("vbscript:"),
                        "{path}: <{} {attr}={v:?}>",
                        el.name()
                    );
                }
            }
        }
    }

    let pilot = read(o, "pilots/hostile/index.html");
    // Shown as text, escaped, and not evaluated as a template.
    assert!(
        pilot.contains(
            "<h1>&lt;script&gt;alert(1)&lt;/script&gt; Hostile pilot {{ page.root }} {% raw %}</h1>"
        ),
        "{pilot}"
    );
    assert!(pilot.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; {{ page.root }}"));
    assert!(pilot.contains("{% raw %}{{ config }}{% endraw %}"));
    assert!(pilot.contains(
        "Template syntax in prose stays prose: {{ page.root }} and {% raw %} and\n{# a comment #}."
    ));
    assert!(
        pilot.contains("&lt;iframe src=&quot;https://evil.example/&quot;&gt;&lt;/iframe&gt;"),
        "an unknown key's value is text too"
    );
    assert!(read(o, "index.html").contains("Hostile pilot {{ page.root }} {% raw %}</a>"));

    // The CSV defuses the formula; the JSON keeps the text as it was written.
    let csv = read(o, "summary.csv");
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    let report: serde_json::Value = serde_json::from_str(&read(o, "report.json")).unwrap();
    assert_eq!(
        report["dossiers"][0]["title"],
        "<script>alert(1)</script> Hostile pilot {{ page.root }} {% raw %}"
    );
}

// ---------------------------------------------------------------- init, templates

#[test]
fn an_initialised_project_builds_counts_no_example_pilot_and_init_again_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("pilots");
    let first = pilotscope().arg("init").arg(&root).output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(said.matches("wrote ").count() >= 3, "{said}");
    assert!(said.contains("pilotscope new"), "says how to start: {said}");

    // The example teaches every answer without counting as a pilot.
    let example = std::fs::read_to_string(root.join("content/_example.md")).unwrap();
    assert!(example.contains("not read it as a pilot"), "{example}");
    let build = pilotscope()
        .current_dir(&root)
        .args(["--as-of", AS_OF, "build"])
        .output()
        .unwrap();
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    let site = root.join("site");
    assert!(
        site.join("index.html").is_file()
            && site.join("faq/index.html").is_file()
            && site.join("report.json").is_file()
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["dossiers"], serde_json::json!([]), "no pilot yet");
    assert!(
        !BuiltSite::read(&site)
            .pages
            .keys()
            .any(|p| p.starts_with("pilots/")),
        "the example has no page"
    );
    assert_no_broken_links(&site, "/");
    // Every answer of the example is filled in: copied as a dossier, it
    // reads with no unanswered check.
    std::fs::write(root.join("content/copy.md"), &example).unwrap();
    let check = pilotscope()
        .current_dir(&root)
        .args(["--as-of", AS_OF, "check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let unanswered: Vec<&serde_json::Value> = report["dossiers"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "unanswered")
        .collect();
    assert!(unanswered.is_empty(), "{unanswered:?}");
    std::fs::remove_file(root.join("content/copy.md")).unwrap();

    // The team deletes the example; init again refuses and writes nothing.
    std::fs::remove_file(root.join("content/_example.md")).unwrap();
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = walkdir::WalkDir::new(&root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && !e.path().starts_with(&site))
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    let again = pilotscope().arg("init").arg(&root).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    let err = stderr(&again);
    assert!(err.contains("is already a pilotscope project"), "{err}");
    assert!(err.contains("help: "), "{err}");
    assert!(
        !root.join("content/_example.md").exists(),
        "not written back"
    );
    for (path, bytes) in before {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}", path.display());
    }
}

#[test]
fn a_project_template_overrides_the_shipped_one() {
    let out = tempfile::tempdir().unwrap();
    build_expecting(&fixture("site-override"), out.path(), 0);
    let page = read(out.path(), "404.html");
    assert!(page.contains("<h1>Lost in the yard</h1>"), "{page}");
    assert!(!page.contains("Page not found</h1>"));
    // It still extends the shipped base, and the other pages are the shipped ones.
    assert!(
        page.contains("<a class=\"brand\" href=\"/index.html\">"),
        "{page}"
    );
    // The shipped index page writes the rows of the project's pilot_rows.html.
    let index = read(out.path(), "index.html");
    assert!(index.contains("class=\"pilots\""));
    assert!(
        index.contains(
            "<tr class=\"project-row\"><th scope=\"row\"><a href=\"pilots/one-pilot/index.html\">One pilot</a></th></tr>"
        ),
        "{index}"
    );
    assert!(!index.contains("pilotscope: pilot rows"), "{index}");
    // And the shipped FAQ page the links of its pilot_links.html.
    let faq = read(out.path(), "faq/index.html");
    assert!(
        faq.contains("active: <a class=\"project-link\" href=\"../pilots/one-pilot/index.html\">One pilot</a>.</p>"),
        "{faq}"
    );
    assert!(!faq.contains("pilotscope: pilot links"), "{faq}");
}

#[test]
fn a_project_index_that_loops_over_the_rows_itself_still_gets_them() {
    // Written before the rows had a template of their own (pilot_rows.html):
    // it is given every row in `portfolio.rows`, as it was then.
    let out = tempfile::tempdir().unwrap();
    build_expecting(&fixture("site-old-index"), out.path(), 0);
    let index = read(out.path(), "index.html");
    assert!(
        index.contains("<li><a href=\"pilots/one-pilot/index.html\">One pilot</a> Not ready</li>"),
        "{index}"
    );
    // Likewise its faq.html, which loops over each live figure's `pilots`
    // rather than leaving their place to pilot_links.html.
    let faq = read(out.path(), "faq/index.html");
    assert!(
        faq.contains("active: <a href=\"../pilots/one-pilot/index.html\">One pilot</a></p>"),
        "{faq}"
    );
}

#[test]
fn a_template_with_a_syntax_error_stops_the_build_with_its_file_and_line() {
    let out = tempfile::tempdir().unwrap();
    let output = build_expecting(&fixture("site-bad-template"), out.path(), 2);
    let err = stderr(&output);
    assert!(
        err.contains("templates/pilot.html:4:"),
        "the message names the template and the line: {err}"
    );
    assert!(
        err.contains("{{ pilot.summary </p>"),
        "it quotes the line: {err}"
    );
    assert!(
        !out.path().join("index.html").exists(),
        "nothing is written"
    );
}

// ---------------------------------------------------------------- calendar

#[test]
fn the_decision_calendar_reads_back_with_one_event_per_pending_decision() {
    let out = build_fixture();
    let text = read(out.path(), "decisions.ics");
    let calendar = common::ics::read(&text).expect("a strict reader reads the calendar");
    assert!(
        calendar.get("PRODID").unwrap().contains("pilotscope"),
        "PRODID names the product"
    );
    let events = calendar.all("VEVENT");
    // Three readable pilots have a decision date; the broken one has none.
    let summaries: Vec<&str> = events.iter().filter_map(|e| e.get("SUMMARY")).collect();
    assert_eq!(summaries.len(), 3, "{summaries:?}");
    assert!(summaries.iter().all(|s| s.starts_with("Go / no-go: ")));
    let yard = events
        .iter()
        .find(|e| e.get("UID") == Some("yard-vision@pilotscope"))
        .expect("the overdue decision is in the calendar");
    let description = yard.get("DESCRIPTION").unwrap_or_default();
    assert!(description.contains("Overdue"), "{description}");
    assert!(description.contains("Verdict: "), "{description}");
    assert_eq!(
        yard.get("URL"),
        Some("https://pilots.harbourline.example/portfolio/pilots/yard-vision/"),
        "events link to the pilot's page when base_url is set"
    );
    assert_eq!(
        yard.get("DTSTAMP"),
        Some("20261126T000000Z"),
        "stamped with the as-of date, so builds are reproducible"
    );
    assert!(text.contains("DTSTART;VALUE=DATE:20260930"), "{text}");
}

#[test]
fn a_title_with_line_breaks_and_separators_stays_inside_its_calendar_line() {
    let out = tempfile::tempdir().unwrap();
    build_expecting(&fixture("ci-outputs"), out.path(), 0);
    let text = read(out.path(), "decisions.ics");
    let calendar = common::ics::read(&text)
        .unwrap_or_else(|e| panic!("a strict reader refuses the calendar: {e}\n{text}"));
    assert_eq!(
        calendar.get("NAME"),
        Some("Hostile \"CI\"; outputs, with\\separators: go / no-go decisions"),
        "NAME is escaped as X-WR-CALNAME is"
    );
    let events = calendar.all("VEVENT");
    assert_eq!(
        events.len(),
        1,
        "one event, not a second one from the title"
    );
    assert!(
        events[0].components.is_empty(),
        "no alarm: {:?}",
        events[0].components
    );
    assert!(events[0].get("ATTENDEE").is_none());
    assert_eq!(
        events[0].get("SUMMARY"),
        Some(
            "Go / no-go: Vendor \"pilot\" <one> & two,three;four\\five\nATTENDEE:mailto:ceo@example.com\nBEGIN:VALARM\nsecond line\u{FFFE}\u{FFFF} %0A::error::forged"
        ),
        "line breaks are kept as \\n and the bell is dropped"
    );
}

// ---------------------------------------------------------------- board pack

#[test]
fn the_board_pack_has_every_pilot_once_and_the_configured_paper() {
    let project = tempfile::tempdir().unwrap();
    copy_dir(&fixture("site"), project.path());
    let out = tempfile::tempdir().unwrap();
    build_expecting(project.path(), out.path(), FIXTURE_EXIT);
    let pack = read(out.path(), "pack/index.html");
    assert!(pack.contains("class=\"pack paper-A4\""), "A4 by default");
    for id in ["demand-forecast", "invoice-matching", "yard-vision"] {
        assert_eq!(
            pack.matches(&format!("id=\"pack-{id}\"")).count(),
            1,
            "{id} has one page of the pack"
        );
    }
    assert!(
        pack.contains("1 dossier could not be read and is not counted"),
        "the broken dossier is said, not silently left out"
    );
    assert!(
        !pack.contains("<script"),
        "the pack is for paper: no script"
    );

    let config = project.path().join("pilotscope.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}paper = \"letter\"\n")).unwrap();
    build_expecting(project.path(), out.path(), FIXTURE_EXIT);
    assert!(read(out.path(), "pack/index.html").contains("class=\"pack paper-letter\""));
}
