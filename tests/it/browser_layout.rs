//! Every page type in a real browser at a phone's width and a laptop's, and
//! the portfolio and a pilot page printed: headless Chromium (through
//! chromedriver for the screen, `--print-to-pdf` for paper) and `pdftotext`
//! to read the PDF back.
//!
//! On screen: the page never scrolls sideways (the document is exactly as
//! wide as the viewport; wide tables scroll in their own box, and the
//! portfolio's becomes cards on a phone), no visible text is smaller than
//! 12 px, at 1366 × 768 a pilot's facts (owner,
//! sponsor, stage, budget, decision due, last review) are in the first
//! screen, and at 390 × 844 its verdict and the first check of its next
//! step are. On paper: every column of the portfolio is on the page, without
//! sort glyphs or an empty "Downloads" line, and a pilot page's first page
//! has its facts and verdict.
//!
//! Without Chromium, chromedriver or pdftotext the test prints a notice and
//! passes, unless `CI` is set: then it fails.

use crate::browser_kit;

use std::path::{Path, PathBuf};
use std::process::Command;

use browser_kit::{Browser, StaticServer, find_program};
use fantoccini::Client;

/// The shipped example, each dossier four times over (so the printed
/// portfolio table runs over several pages), with one dossier that cannot
/// be read added, built from inside its folder as a user builds it.
/// Returns the project folder; the site is its `site/`.
fn example_with_a_broken_dossier() -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    for entry in std::fs::read_dir(root.join("content")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let content = dir.path().join("content");
        std::fs::copy(entry.path(), content.join(&name)).unwrap();
        if name != "faq.md" && !name.starts_with('_') {
            for copy in 2..=4 {
                std::fs::copy(entry.path(), content.join(format!("copy{copy}-{name}"))).unwrap();
            }
        }
    }
    std::fs::copy(
        root.join("tests/fixtures/site/content/route-planner.md"),
        dir.path().join("content/route-planner.md"),
    )
    .unwrap();
    // Every pilot gets a sheet in the pack here (the default gives the first
    // 25 of these 41), so that each one's first printed page can be checked.
    let config = std::fs::read_to_string(root.join("pilotscope.toml")).unwrap();
    std::fs::write(
        dir.path().join("pilotscope.toml"),
        format!("{config}pack_pilots = 100\n"),
    )
    .unwrap();
    crate::common::build_in(dir.path(), 1);
    dir
}

/// One page of each type.
const PAGES: &[&str] = &[
    "index.html",
    "pilots/visual-quality-inspection/index.html",
    "pilots/supplier-invoice-matching/index.html",
    "pilots/route-planner/index.html",
    "framework/index.html",
    "faq/index.html",
    "404.html",
    "pack/index.html",
];

/// `[scrollWidth, clientWidth, innerWidth, what sticks out, text under 12px]`
const MEASURE: &str = "
  var d = document.documentElement, w = d.clientWidth;
  // The size text is drawn at: text in a scaled SVG is scaled with it.
  function size(e) {
    var px = parseFloat(getComputedStyle(e).fontSize), svg = e.closest('svg');
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    return px;
  }
  var wide = Array.from(document.body.querySelectorAll('*')).filter(function (e) {
    return e.getBoundingClientRect().right > w + 1 && !e.closest('.table-scroll, .visually-hidden, .skip');
  }).slice(0, 6).map(function (e) { return e.tagName.toLowerCase() + '.' + e.className; });
  var small = Array.from(document.body.querySelectorAll('*')).filter(function (e) {
    if (e.closest('.visually-hidden, .skip') || !e.getClientRects().length) return false;
    var own = Array.from(e.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    return own && size(e) < 12;
  }).slice(0, 6).map(function (e) { return e.tagName.toLowerCase() + ' ' + size(e).toFixed(1) + 'px ' + e.textContent.trim().slice(0, 30); });
  return [d.scrollWidth, w, window.innerWidth, wide, small];";

async fn check_screens(c: &Client, site: &StaticServer) -> Vec<String> {
    let mut problems = Vec::new();
    for (width, height) in [(390u32, 844u32), (1366, 768)] {
        c.set_window_size(width, height).await.unwrap();
        for page in PAGES {
            c.goto(&site.url(page)).await.unwrap();
            let v = c.execute(MEASURE, vec![]).await.unwrap();
            let (scroll, client, inner) = (
                v[0].as_i64().unwrap(),
                v[1].as_i64().unwrap(),
                v[2].as_i64().unwrap(),
            );
            assert!(
                inner >= width as i64 - 20,
                "the window is {width} px wide: the viewport is {inner}"
            );
            if scroll != client {
                problems.push(format!(
                    "{page} at {width} px: the document is {scroll} px wide in a {client} px viewport; sticking out: {}",
                    v[3]
                ));
            }
            if v[4].as_array().is_some_and(|a| !a.is_empty()) {
                problems.push(format!("{page} at {width} px: text under 12 px: {}", v[4]));
            }
            if width == 390 && *page == "index.html" {
                // On a phone the portfolio is cards, with nothing to scroll.
                let v = c
                    .execute(
                        "var s = document.querySelector('.pilots-scroll'); return [s.scrollWidth, s.clientWidth];",
                        vec![],
                    )
                    .await
                    .unwrap();
                if v[0].as_i64() > v[1].as_i64() {
                    problems.push(format!(
                        "the portfolio's table is {} px wide in its {} px box at 390 px",
                        v[0], v[1]
                    ));
                }
            }
            if width == 390 && page.starts_with("pilots/") && !page.contains("route-planner") {
                // On a phone the verdict and the next step's first check
                // (for a ready pilot, what its next stage will ask) are in
                // the first screen.
                let v = c
                    .execute(
                        "var v = document.querySelector('.verdict-panel');
                         var s = document.querySelector('.next-step .next-remedies .check-title')
                           || document.querySelector('.next-step h2');
                         return [v ? v.getBoundingClientRect().bottom : null,
                                 s ? s.getBoundingClientRect().bottom : null,
                                 window.innerHeight];",
                        vec![],
                    )
                    .await
                    .unwrap();
                let screen = v[2].as_f64().unwrap();
                for (i, what) in [(0, "the verdict"), (1, "the first step")] {
                    match v[i].as_f64() {
                        None => problems.push(format!("{page}: no {what} at 390 px")),
                        Some(bottom) if bottom > screen => problems.push(format!(
                            "{page}: {what} ends at {bottom} px, below the first screen of {screen} px at 390 px"
                        )),
                        Some(_) => {}
                    }
                }
            }
            if width == 1366 && page.starts_with("pilots/") && !page.contains("route-planner") {
                let v = c
                    .execute(
                        "var s = document.querySelector('.fact-strip');
                         return s ? [s.getBoundingClientRect().bottom, window.innerHeight, s.textContent] : null;",
                        vec![],
                    )
                    .await
                    .unwrap();
                match v.as_array() {
                    None => problems.push(format!("{page}: no fact strip")),
                    Some(a) => {
                        let text = a[2].as_str().unwrap_or("");
                        for label in [
                            "Stage",
                            "Owner",
                            "Sponsor",
                            "Budget",
                            "Decision due",
                            "Last reviewed",
                        ] {
                            if !text.contains(label) {
                                problems.push(format!("{page}: the fact strip lacks {label}"));
                            }
                        }
                        if a[0].as_f64().unwrap() > a[1].as_f64().unwrap() {
                            problems.push(format!(
                                "{page}: the fact strip ends at {} px, below the first screen of {} px",
                                a[0], a[1]
                            ));
                        }
                    }
                }
            }
        }
    }
    problems
}

/// Prints `page` of the site to PDF with headless Chromium and reads it
/// back: the text of each page of paper as laid out (a table's row on one
/// line), in lower case, spaces collapsed.
fn print(chromium: &Path, pdftotext: &Path, site: &Path, page: &str) -> Vec<String> {
    print_every_page(chromium, pdftotext, site, page)
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect()
}

/// The board pack of the site at `site` printed, a string per page; `None`
/// (with the notice, or a failure under CI) when pdftotext is missing.
pub(crate) fn printed_pack(chromium: &Path, site: &Path) -> Option<Vec<String>> {
    let pdftotext = find_program("PDFTOTEXT", &["pdftotext"]);
    if !crate::hardening::require(pdftotext.is_some(), "pdftotext (install poppler-utils)") {
        return None;
    }
    Some(print_every_page(
        chromium,
        &pdftotext?,
        site,
        "pack/index.html",
    ))
}

/// Like [`print`], with a blank page of paper as an empty string.
pub(crate) fn print_every_page(
    chromium: &Path,
    pdftotext: &Path,
    site: &Path,
    page: &str,
) -> Vec<String> {
    let profile = tempfile::tempdir().unwrap();
    let pdf = profile.path().join("page.pdf");
    let status = Command::new(chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", site.join(page).display()))
        .output()
        .expect("chromium runs");
    assert!(
        pdf.is_file(),
        "chromium printed no PDF of {page}:\n{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let out = Command::new(pdftotext)
        .arg("-layout")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext read the PDF of {page}");
    String::from_utf8_lossy(&out.stdout)
        .split('\u{c}')
        .map(|p| {
            p.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .collect::<Vec<_>>()
        .split_last()
        // pdftotext ends the last page with a form feed too.
        .map(|(last, rest)| {
            let mut pages = rest.to_vec();
            if !last.is_empty() {
                pages.push(last.clone());
            }
            pages
        })
        .unwrap_or_default()
}

/// The board pack on paper: a cover, the table with every column, the
/// decisions due, then each pilot starting a page of its own; no blank page.
fn check_pack(chromium: &Path, pdftotext: &Path, site: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let pages = print_every_page(chromium, pdftotext, site, "pack/index.html");
    for (n, p) in pages.iter().enumerate() {
        if p.is_empty() {
            problems.push(format!("page {} of the printed board pack is blank", n + 1));
        }
    }
    let cover = pages.first().cloned().unwrap_or_default();
    for words in [
        "board pack",
        "northmoor group",
        "as of 2026-11-26",
        "pilots per verdict",
        "pilots with each mistake active",
        "budget at risk",
    ] {
        if !cover.contains(words) {
            problems.push(format!("the board pack's cover lacks “{words}”: {cover}"));
        }
    }
    match pages.iter().find(|p| p.starts_with("the portfolio")) {
        None => problems.push("the board pack has no page that starts with its table".into()),
        Some(table) => {
            // The mistakes' names read upwards, so the words of the header
            // come out of the PDF in no useful order: each must be there.
            let head: String = table.chars().take(400).collect();
            for h in [
                "pilot",
                "unit",
                "stage",
                "verdict",
                "ready",
                "framing",
                "data",
                "governance",
                "change",
                "metrics",
                "most",
                "active",
                "decision",
                "budget",
            ] {
                if !head.contains(h) {
                    problems.push(format!(
                        "the board pack's table lacks the column {h:?}: {head}"
                    ));
                }
            }
        }
    }
    if !pages.iter().any(|p| p.starts_with("decisions due")) {
        problems.push("the board pack has no page of decisions due".into());
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("report.json")).unwrap()).unwrap();
    let titles: Vec<String> = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap().to_lowercase())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for title in &titles {
        if !seen.insert(title) {
            continue;
        }
        // A pilot's page opens with its stage (and flags), then its title;
        // the example holds each dossier four times over.
        let expected = titles.iter().filter(|t| *t == title).count();
        let starts = pages
            .iter()
            .filter(|p| {
                let head: String = p.chars().take(80 + title.chars().count()).collect();
                head.contains(title.as_str())
            })
            .count();
        if starts != expected {
            problems.push(format!(
                "{starts} printed pages of the board pack start with the pilot {title:?}, not {expected}"
            ));
        }
    }
    if pages.len() < titles.len() + 3 {
        problems.push(format!(
            "the board pack printed {} pages for {} pilots",
            pages.len(),
            titles.len()
        ));
    }
    problems
}

fn check_paper(chromium: &Path, pdftotext: &Path, site: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let index = print(chromium, pdftotext, site, "index.html");
    let all = index.join(" ");
    for header in [
        "Pilot",
        "Unit · owner",
        "Stage",
        "Verdict",
        "Ready",
        "FDGCM",
        "Most active · fix",
        "Budget",
        "Decision due",
    ] {
        if !all.contains(&header.to_lowercase()) {
            problems.push(format!("the printed index has no column header {header}"));
        }
    }
    // The header is repeated, whole, on every page the table runs over (the
    // business unit of every row names the example's company).
    let header =
        "pilot unit · owner stage verdict ready fdgcm most active · fix budget decision due";
    match index.iter().position(|p| p.contains(header)) {
        None => problems.push(format!("the printed index has no header row “{header}”")),
        Some(first) => {
            let more: Vec<&String> = index[first + 1..]
                .iter()
                .filter(|p| p.contains("northmoor"))
                .collect();
            if more.is_empty() {
                problems.push(
                    "the printed table fits one page: nothing shows the repeated header".into(),
                );
            }
            for (n, p) in more.iter().enumerate() {
                if !p.contains(header) {
                    problems.push(format!(
                        "page {} of the printed index repeats no whole header: {}",
                        first + n + 2,
                        &p[..p.len().min(200)]
                    ));
                }
            }
        }
    }
    // The last column's cells are on the paper too.
    for flag in ["Purgatory", "Stale"] {
        if !all.contains(&flag.to_lowercase()) {
            problems.push(format!("the printed index lost the flag {flag}"));
        }
    }
    for glyph in ['↕', '↑', '↓'] {
        if all.contains(glyph) {
            problems.push(format!("the printed index shows the sort glyph {glyph}"));
        }
    }
    if all.contains("downloads") {
        problems.push("the printed index has a Downloads line without its links".into());
    }
    let pilot = print(
        chromium,
        pdftotext,
        site,
        "pilots/visual-quality-inspection/index.html",
    );
    let first = pilot.first().cloned().unwrap_or_default();
    for words in [
        "Owner",
        "Sponsor",
        "Budget",
        "Decision due",
        "Not ready",
        "Next step",
    ] {
        if !first.contains(&words.to_lowercase()) {
            problems.push(format!(
                "the first printed page of a pilot lacks “{words}”: {first}"
            ));
        }
    }
    problems
}

#[test]
fn every_page_fits_a_phone_and_a_laptop_and_the_portfolio_prints_whole() {
    let Some(browser) = Browser::start("layout test") else {
        return;
    };
    let pdftotext = find_program("PDFTOTEXT", &["pdftotext"]);
    if !crate::hardening::require(pdftotext.is_some(), "pdftotext (install poppler-utils)") {
        return;
    }
    let pdftotext = pdftotext.unwrap();
    let project = example_with_a_broken_dossier();
    let site = project.path().join("site");
    let server = StaticServer::start(&site);
    let caps = browser.capabilities(&["--hide-scrollbars"]);
    let mut problems = browser.run(caps, async |c| check_screens(c, &server).await);
    problems.extend(check_paper(&browser.chromium, &pdftotext, &site));
    problems.extend(check_pack(&browser.chromium, &pdftotext, &site));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
