//! A real-browser audit of every page of two sites: the shipped example
//! portfolio and the hostile corpus (`tests/fixtures/hostile`, with what
//! `tests/it/hardening/` adds at test time).
//!
//! Headless Chromium, driven through chromedriver (the approach of
//! `tests/it/browser.rs`: `fantoccini`, the legacy `/se/log` endpoint for the
//! console, Performance entries for requests), loads each page from a
//! std-only HTTP server on 127.0.0.1 and asserts:
//!
//! - no script from content ran: the payloads set `window.__pwned`, call
//!   `alert` or set `document.title`; none did, and no dialog is open;
//! - the console has no error;
//! - no request left 127.0.0.1;
//! - axe-core finds no `serious` or `critical` accessibility violation, with
//!   the light colour scheme and with the dark one (emulated over the
//!   DevTools protocol).
//!
//! Then the Nu HTML Checker (vnu.jar, run with Java) must find no error in
//! any page of either site.
//!
//! The tools: Chromium and chromedriver (Debian packages `chromium` and
//! `chromium-driver`), Java, and `npm ci --prefix tests/audit` for axe-core
//! and vnu.jar. A missing tool skips with a notice locally and fails when
//! `CI` is set (`.ci/run` installs them all).
#![cfg(unix)]

use crate::browser_kit;
use crate::common;
use crate::hardening;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use browser_kit::{Browser, ChromeDriver, StaticServer};
use fantoccini::Client;
use serde_json::{Value, json};

// ---------------------------------------------------------------- tools

fn audit_dir() -> PathBuf {
    common::repo_root().join("tests/audit")
}

pub fn axe_source() -> Option<String> {
    std::fs::read_to_string(audit_dir().join("node_modules/axe-core/axe.min.js")).ok()
}

fn vnu_jar() -> Option<PathBuf> {
    Some(audit_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")).filter(|p| p.is_file())
}

fn java() -> Option<PathBuf> {
    let java = browser_kit::find_program("JAVA", &["java"])?;
    Command::new(&java)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()
        .filter(|s| s.success())
        .map(|_| java)
}

// ---------------------------------------------------------------- the two sites

struct Sites {
    _example: tempfile::TempDir,
    hostile: hardening::HostileProject,
    /// (name, folder) of each site.
    list: Vec<(&'static str, PathBuf)>,
}

fn build_sites() -> Sites {
    let example = tempfile::tempdir().unwrap();
    let out = example.path().join("site");
    common::build_expecting(&common::repo_root(), &out, 0);
    let hostile = hardening::HostileProject::new();
    let built = hostile.build(64);
    assert_eq!(
        built.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let list = vec![("example", out), ("hostile", hostile.out())];
    Sites {
        _example: example,
        hostile,
        list,
    }
}

fn pages_of(site: &Path) -> Vec<String> {
    common::files(site)
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .collect()
}

// ---------------------------------------------------------------- one page

/// What went wrong on one page, in words; empty when nothing did.
#[derive(Default)]
pub struct Findings {
    pub problems: Vec<String>,
    /// axe violations below `serious`, for the record.
    pub notes: Vec<String>,
}

const AXE_RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then(function (r) {
    done(r.violations.map(function (v) {
      return { id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' ') + ' :: ' + (n.failureSummary || ''); }) };
    }));
  })
  .catch(function (e) { done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]); });";

pub async fn axe(c: &Client, axe_source: &str, label: &str, findings: &mut Findings) {
    let loaded = c
        .execute(&format!("{axe_source}\n;return typeof window.axe;"), vec![])
        .await
        .expect("inject axe-core");
    assert_eq!(loaded, json!("object"), "axe-core is on the page");
    let v = c
        .execute_async(AXE_RUN, vec![])
        .await
        .expect("axe.run answers");
    for violation in v.as_array().expect("a list of violations") {
        let impact = violation["impact"].as_str().unwrap_or("unknown");
        let text = format!(
            "{label}: axe {} ({impact}): {}: {:?}",
            violation["id"], violation["help"], violation["nodes"]
        );
        if impact == "serious" || impact == "critical" {
            findings.problems.push(text);
        } else {
            findings.notes.push(text);
        }
    }
}

async fn set_scheme(driver: &ChromeDriver, session: &str, c: &Client, dark: bool) {
    let features = if dark {
        json!([{ "name": "prefers-color-scheme", "value": "dark" }])
    } else {
        json!([{ "name": "prefers-color-scheme", "value": "light" }])
    };
    let r = driver.post(
        &format!("/session/{session}/goog/cdp/execute"),
        &json!({ "cmd": "Emulation.setEmulatedMedia", "params": { "features": features } }),
    );
    assert!(
        r["value"].is_object(),
        "the DevTools protocol emulates the colour scheme: {r}"
    );
    let on = c
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(on, json!(dark), "the page sees the emulated scheme");
}

async fn audit_page(
    c: &Client,
    driver: &ChromeDriver,
    session: &str,
    server: &StaticServer,
    page: &str,
    axe_source: &str,
) -> Findings {
    let mut f = Findings::default();
    let url = format!("{}{}", server.url(""), page);
    set_scheme(driver, session, c, false).await;
    c.goto(&url).await.expect("open the page");

    // Nothing from content ran.
    if let Ok(text) = c.get_alert_text().await {
        f.problems
            .push(format!("{page}: a dialog is open: {text:?}"));
        let _ = c.dismiss_alert().await;
    }
    let state = c
        .execute(
            "return { pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
                      title: document.title,
                      scripts: Array.from(document.scripts).map(function (s) { return s.getAttribute('src'); }),
                      ready: document.readyState };",
            vec![],
        )
        .await
        .expect("read the page's state");
    if !state["pwned"].is_null() {
        f.problems.push(format!(
            "{page}: content ran a script: window.__pwned = {}",
            state["pwned"]
        ));
    }
    if state["title"].as_str().unwrap_or("").contains("PWNED") {
        f.problems.push(format!(
            "{page}: content changed the title: {}",
            state["title"]
        ));
    }
    for src in state["scripts"].as_array().unwrap() {
        // The site's own scripts: site.js, and table.js (the portfolio
        // table as data) that pilotscope writes at the site's root.
        let own = |s: &str| {
            s.ends_with("assets/site.js") || s == "table.js" || s.ends_with("../table.js")
        };
        if !src.as_str().is_some_and(own) {
            f.problems
                .push(format!("{page}: a script that is not the site's: {src}"));
        }
    }

    // Every request went to this server.
    let entries = c
        .execute(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(function (e) { return e.name; });",
            vec![],
        )
        .await
        .expect("read performance entries");
    let origin = server.url("");
    for name in entries.as_array().unwrap() {
        let name = name.as_str().unwrap_or("");
        if !name.starts_with(&origin) {
            f.problems
                .push(format!("{page}: a request left 127.0.0.1: {name}"));
        }
    }

    // Accessibility, light then dark.
    axe(c, axe_source, &format!("{page} (light)"), &mut f).await;
    set_scheme(driver, session, c, true).await;
    axe(c, axe_source, &format!("{page} (dark)"), &mut f).await;
    set_scheme(driver, session, c, false).await;

    // The console, since the last page.
    let log = driver.post(
        &format!("/session/{session}/se/log"),
        &json!({ "type": "browser" }),
    );
    for e in log["value"].as_array().unwrap_or(&Vec::new()) {
        let level = e["level"].as_str().unwrap_or("");
        let message = e["message"].as_str().unwrap_or("");
        if level == "SEVERE" || level == "WARNING" && message.contains("Content Security Policy") {
            f.problems
                .push(format!("{page}: console {level}: {message}"));
        }
    }
    f
}

// ---------------------------------------------------------------- the tests

#[test]
fn every_page_of_both_sites_runs_nothing_from_content_fetches_nothing_elsewhere_and_passes_axe() {
    let axe_source = axe_source();
    if !hardening::require(
        axe_source.is_some(),
        "axe-core (npm ci --prefix tests/audit)",
    ) {
        return;
    }
    let axe_source = axe_source.unwrap();
    let Some(browser) = Browser::start("accessibility audit") else {
        return;
    };

    let sites = build_sites();
    let mut caps = browser.capabilities(&["--window-size=1280,1000"]);
    // Alerts stay open, so that a payload that called alert() is seen.
    caps.insert("unhandledPromptBehavior".into(), json!("ignore"));
    let (problems, notes, audited) = browser.run(caps, async |client| {
        let (mut problems, mut notes, mut audited) = (Vec::new(), Vec::new(), 0);
        let session = client.session_id().await.unwrap().expect("a session id");
        for (name, folder) in &sites.list {
            let server = StaticServer::start(folder);
            for page in pages_of(folder) {
                let f = audit_page(
                    client,
                    &browser.driver,
                    &session,
                    &server,
                    &page,
                    &axe_source,
                )
                .await;
                audited += 1;
                problems.extend(f.problems.into_iter().map(|p| format!("[{name}] {p}")));
                notes.extend(f.notes.into_iter().map(|p| format!("[{name}] {p}")));
            }
            // Every request the server saw was for a file of the site
            // (Chromium may ask for a favicon the site does not have).
            for (r, status) in server.requests() {
                if status != 200 && !r.starts_with("/favicon.ico") {
                    problems.push(format!(
                        "[{name}] a request for a file the site does not have: {r}"
                    ));
                }
            }
        }
        (problems, notes, audited)
    });
    for n in &notes {
        eprintln!("note: {n}");
    }
    eprintln!(
        "audited {audited} pages of {} sites in light and dark",
        sites.list.len()
    );
    assert!(audited >= 30, "{audited}");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    drop(sites.hostile);
}

#[test]
fn every_page_of_both_sites_is_valid_html_for_the_nu_checker() {
    let java = java();
    let jar = vnu_jar();
    if !hardening::require(
        java.is_some(),
        "Java (apt-get install default-jre-headless)",
    ) || !hardening::require(jar.is_some(), "vnu.jar (npm ci --prefix tests/audit)")
    {
        return;
    }
    let sites = build_sites();
    let mut files = Vec::new();
    for (_, folder) in &sites.list {
        for page in pages_of(folder) {
            files.push(folder.join(page));
        }
    }
    assert!(files.len() >= 30);
    let out = Command::new(java.unwrap())
        .arg("-jar")
        .arg(jar.unwrap())
        .args(["--errors-only", "--format", "json"])
        .args(&files)
        .output()
        .expect("vnu.jar runs");
    // vnu writes its JSON report to standard error.
    let report: Value = serde_json::from_slice(&out.stderr)
        .or_else(|_| serde_json::from_slice(&out.stdout))
        .unwrap_or_else(|e| {
            panic!(
                "vnu.jar printed no JSON ({e}):\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let messages = report["messages"].as_array().expect("a list of messages");
    let shown: Vec<String> = messages
        .iter()
        .map(|m| {
            format!(
                "{}:{}: {}: {}",
                m["url"].as_str().unwrap_or(""),
                m["lastLine"],
                m["type"],
                m["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    eprintln!("the Nu HTML Checker read {} pages", files.len());
    assert!(
        shown.is_empty(),
        "{} errors:\n{}",
        shown.len(),
        shown.join("\n")
    );
}
