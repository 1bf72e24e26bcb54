//! Answering in the page: `pilotscope serve` started from inside a copy of
//! `tests/fixtures/edit`, driven in headless Chromium (WebDriver).
//!
//! A pilot whose only failing check is its unanswered production owner
//! (a blocker) gets it answered on its page, and the verdict turns ready
//! without a manual reload, focus back on the field; a value the reader
//! refuses is shown next to its field and writes nothing; a KPI is added;
//! a save against a file changed on disk since is refused; a new pilot is
//! made from the portfolio page, and once a slip makes it unreadable its
//! edit view says what to fix where and has no fields. A page on another
//! origin changes nothing.
//! Without a browser the browser test prints a notice and passes, unless
//! `CI` is set. The guards that need no browser (no secret, a rebinding
//! `Host`, `--no-edit`, a built site without the editor) are tested apart.

use crate::audit::{Findings, axe, axe_source};
use crate::browser_kit::{Browser, StaticServer, eval, poll};
use crate::live::{self, AS_OF, Project, Running, fixture};

use fantoccini::{Client, Locator};

const PILOT: &str = "content/invoice-matching.md";

fn project() -> Project {
    Project::copy_of(&fixture("edit"))
}

fn read(project: &Project, rel: &str) -> String {
    std::fs::read_to_string(project.root.join(rel)).unwrap()
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} is not in the page: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{css} cannot be clicked: {e}"));
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let el = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} is not in the page: {e}"));
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn verdict(c: &Client) -> Option<String> {
    eval(
        c,
        "var v = document.querySelector('.verdict-panel'); return v ? v.className : null;",
    )
    .await
    .as_str()
    .map(str::to_string)
}

/// Waits until the editor has put its controls in the page.
async fn editor_ready(c: &Client) {
    poll(c, "the editor's controls", async |c| {
        eval(c, "return !!document.getElementById('ps-edit');")
            .await
            .as_bool()
            .filter(|b| *b)
    })
    .await;
}

/// No serious or critical axe violation in the page as it is now.
async fn audit(c: &Client, label: &str) {
    let Some(source) = axe_source() else {
        crate::hardening::require(
            false,
            &format!("axe-core (npm ci --prefix tests/audit), to audit {label}"),
        );
        return;
    };
    let mut findings = Findings::default();
    axe(c, &source, label, &mut findings).await;
    assert!(findings.problems.is_empty(), "{:#?}", findings.problems);
}

async fn walk(c: &Client, project: &Project, base: &str, evil: &StaticServer) {
    let before = read(project, PILOT);
    c.goto(&format!("{base}pilots/invoice-matching/"))
        .await
        .unwrap();
    editor_ready(c).await;
    assert!(
        verdict(c).await.unwrap().contains("verdict-panel-at_risk"),
        "the fixture starts at risk"
    );

    // The unanswered blocker, answered on its step of the path to ready.
    let step = "[data-check=\"framing.production-owner\"]";
    click(c, &format!("{step} .ps-answer")).await;
    type_into(
        c,
        &format!("{step} [name=\"framing.production_owner\"]"),
        "Dana Ruiz, AP director",
    )
    .await;
    click(c, &format!("{step} form button[type=submit]")).await;
    poll(c, "the verdict to turn ready", async |c| {
        verdict(c)
            .await
            .filter(|v| v.contains("verdict-panel-ready"))
    })
    .await;
    let focused = poll(c, "focus back on the answered field", async |c| {
        eval(
            c,
            "var a = document.activeElement; return a && a.name ? a.name : null;",
        )
        .await
        .as_str()
        .map(str::to_string)
    })
    .await;
    assert_eq!(focused, "framing.production_owner");
    let after = read(project, PILOT);
    assert_eq!(
        after,
        before.replace(
            "framing:                                # mistake 1\n",
            "framing:                                # mistake 1\n  production_owner: Dana Ruiz, AP director\n"
        ),
        "only the answer's line is new"
    );

    // A value the reader refuses: its message next to the field, no write.
    let field = "#ps-edit [name=\"data.completeness\"]";
    type_into(c, field, "about 80").await;
    click(
        c,
        "#ps-edit form[data-path=\"data.completeness\"] button[type=submit]",
    )
    .await;
    let message = poll(c, "the reader's message next to the field", async |c| {
        eval(
            c,
            "var i = document.querySelector('#ps-edit [name=\"data.completeness\"]');
             var e = document.getElementById(i.getAttribute('aria-describedby').split(' ')[1]);
             return i.getAttribute('aria-invalid') === 'true' && e.textContent ? e.textContent : null;",
        )
        .await
        .as_str()
        .map(str::to_string)
    })
    .await;
    assert!(message.contains("must be a share"), "{message}");
    assert_eq!(
        read(project, PILOT),
        after,
        "a refused value writes nothing"
    );

    // A KPI added.
    let add = "#ps-edit form.ps-add[data-path=\"metrics.business\"]";
    type_into(
        c,
        &format!("{add} [name=\"metrics.business.new.name\"]"),
        "Duplicate payments",
    )
    .await;
    type_into(
        c,
        &format!("{add} [name=\"metrics.business.new.baseline\"]"),
        "12",
    )
    .await;
    type_into(
        c,
        &format!("{add} [name=\"metrics.business.new.target\"]"),
        "0",
    )
    .await;
    type_into(
        c,
        &format!("{add} [name=\"metrics.business.new.owner\"]"),
        "Dana Ruiz",
    )
    .await;
    click(c, &format!("{add} button[type=submit]")).await;
    poll(c, "the new KPI in the page's questions", async |c| {
        eval(
            c,
            "return Array.prototype.some.call(document.querySelectorAll('#ps-edit .ps-entry legend'), function (l) { return l.textContent === 'Duplicate payments'; });",
        )
        .await
        .as_bool()
        .filter(|b| *b)
    })
    .await;
    let with_kpi = read(project, PILOT);
    assert_eq!(
        with_kpi,
        after.replace(
            "      owner: Dana Ruiz\n  thresholds_agreed_on",
            "      owner: Dana Ruiz\n    - name: Duplicate payments\n      baseline: 12\n      target: 0\n      owner: Dana Ruiz\n  thresholds_agreed_on"
        )
    );

    // The file changes on disk (a comment, so the page stays as it is):
    // a save from the page made before is refused and writes nothing.
    editor_ready(c).await;
    let elsewhere = with_kpi.replace("# the pilot's name", "# the pilot's name, edited elsewhere");
    project.write(PILOT, &elsewhere);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    type_into(c, "#ps-edit [name=\"summary\"]", "Matches invoices").await;
    click(
        c,
        "#ps-edit form[data-path=\"summary\"] button[type=submit]",
    )
    .await;
    let refused = poll(c, "the save to be refused", async |c| {
        eval(
            c,
            "var t = document.querySelector('#ps-edit form[data-path=\"summary\"] .ps-error').textContent; return t || null;",
        )
        .await
        .as_str()
        .map(str::to_string)
    })
    .await;
    assert!(refused.contains("changed on disk"), "{refused}");
    assert_eq!(
        read(project, PILOT),
        elsewhere,
        "nothing written over the other edit"
    );

    // A page on another origin posts changes: nothing is written.
    c.goto(&evil.url("evil.html")).await.unwrap();
    poll(c, "the other site's requests to settle", async |c| {
        eval(c, "return window.tried === 3 ? true : null;")
            .await
            .as_bool()
    })
    .await;
    assert_eq!(
        read(project, PILOT),
        elsewhere,
        "another origin changed the dossier"
    );

    // A new pilot from the portfolio page: the file `pilotscope new` writes.
    c.goto(base).await.unwrap();
    poll(c, "the new-pilot form", async |c| {
        eval(c, "return !!document.getElementById('ps-new');")
            .await
            .as_bool()
            .filter(|b| *b)
    })
    .await;
    click(c, "#ps-new summary").await;
    audit(c, "the portfolio with the new-pilot form open").await;
    type_into(c, "#ps-new [name=\"title\"]", "Returns triage").await;
    eval(
        c,
        "document.querySelector('#ps-new [name=\"stage\"]').value = 'pilot'; return true;",
    )
    .await;
    click(c, "#ps-new button[type=submit]").await;
    poll(c, "the new pilot's page with its questions open", async |c| {
        let url = c.current_url().await.ok()?.to_string();
        let open = eval(
            c,
            "var e = document.getElementById('ps-edit'); return !!(e && e.open) && document.querySelector('h1').textContent;",
        )
        .await;
        (url.ends_with("/pilots/returns-triage/") && open.as_str() == Some("Returns triage"))
            .then_some(())
    })
    .await;

    // A slip in the file: no form of empty fields, but what to fix where.
    let fresh = "content/returns-triage.md";
    let made = read(project, fresh);
    let slipped = made.replacen("\nstage: pilot", "\nstage:pilot", 1);
    let line = 1 + slipped
        .lines()
        .position(|l| l.starts_with("stage:pilot"))
        .unwrap();
    std::fs::write(project.root.join(fresh), &slipped).unwrap();
    let shown = poll(c, "the edit view of the unreadable dossier", async |c| {
        c.refresh().await.ok()?;
        let v = eval(
            c,
            "var u = document.getElementById('ps-unreadable'); return u ? [u.textContent, document.querySelectorAll('#ps-edit input, #ps-edit select, #ps-edit textarea').length] : null;",
        )
        .await;
        (!v.is_null()).then_some(v)
    })
    .await;
    assert!(
        shown[0]
            .as_str()
            .unwrap()
            .contains(&format!("{fresh}:{line}:")),
        "{shown}"
    );
    assert_eq!(shown[1], 0, "the view has fields: {shown}");
    assert_eq!(read(project, fresh), slipped);
    // As it was made, for the comparison with `pilotscope new` below.
    std::fs::write(project.root.join(fresh), &made).unwrap();
}

#[test]
fn answers_given_in_the_page_change_the_dossier_and_the_diagnosis_and_nothing_else() {
    let Some(browser) = Browser::start("editor browser test") else {
        return;
    };
    let project = project();
    let mut server = Running::serve(&project.root, &[]);
    let base = format!("http://127.0.0.1:{}/", server.port);

    // Another site's page that tries to save, with a guessed secret, and
    // without (a simple request that needs no preflight).
    let evil_dir = tempfile::tempdir().unwrap();
    let body = "{\"id\":\"invoice-matching\",\"digest\":\"0\",\"op\":\"set\",\"path\":\"framing.production_owner\",\"value\":\"Mallory\"}";
    std::fs::write(
        evil_dir.path().join("evil.html"),
        format!(
            "<!doctype html><title>other site</title><script>
            window.tried = 0;
            var url = '{base}__pilotscope/edit/save', body = {body:?};
            function done() {{ window.tried += 1; }}
            fetch(url, {{method: 'POST', headers: {{'Content-Type': 'application/json', 'X-Pilotscope-Secret': 'guess'}}, body: body}}).then(done, done);
            fetch(url, {{method: 'POST', mode: 'no-cors', headers: {{'Content-Type': 'text/plain'}}, body: body}}).then(done, done);
            fetch('{base}__pilotscope/edit/new', {{method: 'POST', mode: 'no-cors', body: '{{\"title\":\"Mallory\",\"stage\":\"pilot\"}}'}}).then(done, done);
            </script>"
        ),
    )
    .unwrap();
    let evil = StaticServer::start(evil_dir.path());

    let caps = browser.capabilities(&["--window-size=1366,900"]);
    if let Err(panic) = browser.try_run(caps, async |c| walk(c, &project, &base, &evil).await) {
        eprintln!("serve said:\n{}", server.stderr());
        std::panic::resume_unwind(panic);
    }
    server.assert_alive();
    assert!(
        !project.content().join("mallory.md").exists(),
        "another origin made a dossier"
    );
    // The new pilot's file is the one `pilotscope new` writes.
    let other = project.beside("other");
    crate::common::copy_dir(&project.root, &other);
    std::fs::remove_file(other.join("content/returns-triage.md")).unwrap();
    crate::common::pilotscope()
        .current_dir(&other)
        .args([
            "--as-of",
            AS_OF,
            "new",
            "Returns triage",
            "--stage",
            "pilot",
        ])
        .assert()
        .success();
    assert_eq!(
        read(&project, "content/returns-triage.md"),
        std::fs::read_to_string(other.join("content/returns-triage.md")).unwrap()
    );
}

/// The run's secret, from a page the server serves.
fn secret(port: u16) -> String {
    let page = live::get(port, "/pilots/invoice-matching/").text();
    let at = page
        .find("data-secret=\"")
        .expect("the editor's script is injected")
        + 13;
    page[at..at + 64].to_string()
}

fn post(port: u16, host: &str, origin: &str, secret: Option<&str>, body: &str) -> u16 {
    let mut raw = format!(
        "POST /__pilotscope/edit/save HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(s) = secret {
        raw.push_str(&format!("X-Pilotscope-Secret: {s}\r\n"));
    }
    raw.push_str("\r\n");
    raw.push_str(body);
    live::exchange(port, raw.as_bytes())
        .unwrap()
        .expect("an answer")
        .status
}

#[test]
fn only_this_servers_own_pages_with_the_runs_secret_can_write() {
    let project = project();
    let server = Running::serve(&project.root, &[]);
    let port = server.port;
    let before = read(&project, PILOT);
    let secret = secret(port);
    let digest = format!(
        "{:032x}",
        pilotscope::dossier::read::digest(before.as_bytes())
    );
    let body = format!(
        "{{\"id\":\"invoice-matching\",\"digest\":\"{digest}\",\"op\":\"set\",\"path\":\"framing.production_owner\",\"value\":\"Mallory\"}}"
    );
    let here = format!("127.0.0.1:{port}");
    let origin = format!("http://{here}");
    // Without the secret, with a wrong one, from another origin, and under
    // a rebinding name (the Host check refuses it first).
    assert_eq!(post(port, &here, &origin, None, &body), 403);
    assert_eq!(
        post(port, &here, &origin, Some(&"0".repeat(64)), &body),
        403
    );
    assert_eq!(
        post(port, &here, "http://evil.example", Some(&secret), &body),
        403
    );
    let rebound = format!("evil.example:{port}");
    assert_eq!(
        post(
            port,
            &rebound,
            &format!("http://{rebound}"),
            Some(&secret),
            &body
        ),
        403
    );
    // A body larger than a change can be.
    let huge = format!("{{\"id\":\"{}\"}}", "x".repeat(100 << 10));
    assert_eq!(post(port, &here, &origin, Some(&secret), &huge), 413);
    assert_eq!(read(&project, PILOT), before, "a refused request wrote");
    // And the same request from the page itself is written.
    assert_eq!(post(port, &here, &origin, Some(&secret), &body), 200);
    assert!(read(&project, PILOT).contains("  production_owner: Mallory\n"));
}

#[test]
fn no_edit_and_a_network_address_leave_the_editor_out() {
    let project = project();
    let server = Running::serve(&project.root, &["--no-edit"]);
    let page = live::get(server.port, "/pilots/invoice-matching/").text();
    assert!(
        page.contains("/__pilotscope/live.js"),
        "the live script is still there"
    );
    assert!(
        !page.contains("edit.js") && !page.contains("data-secret"),
        "--no-edit injects no editor"
    );
    let here = format!("127.0.0.1:{}", server.port);
    let status = post(
        server.port,
        &here,
        &format!("http://{here}"),
        Some(&"0".repeat(64)),
        "{}",
    );
    assert_eq!(status, 404);
}

#[test]
fn the_built_site_carries_no_editor() {
    let project = project();
    let out = project.beside("out");
    let built = crate::common::build(&project.root, &out);
    assert!(built.status.success() || built.status.code() == Some(1));
    for (path, bytes) in live::tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for needle in ["__pilotscope", "data-secret", "edit.js", "ps-edit"] {
            assert!(!text.contains(needle), "{path} holds {needle}");
        }
    }
}

/// The form of `id`, asked as the page's own script asks.
fn form(port: u16, secret: &str, id: &str) -> serde_json::Value {
    let raw = format!(
        "GET /__pilotscope/edit/form?id={id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nSec-Fetch-Site: same-origin\r\nX-Pilotscope-Secret: {secret}\r\nConnection: close\r\n\r\n"
    );
    let r = live::exchange(port, raw.as_bytes())
        .unwrap()
        .expect("an answer");
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

#[test]
fn a_dossier_the_reader_rejects_has_no_form_but_what_to_fix_and_where() {
    let project = project();
    let server = Running::serve(&project.root, &[]);
    let port = server.port;
    let secret = secret(port);
    assert_eq!(form(port, &secret, "invoice-matching")["readable"], true);
    // A slip a person makes: no space after a colon.
    let slipped = read(&project, PILOT).replace("  completeness: 0.93", "  completeness:0.93");
    let line = 1 + slipped
        .lines()
        .position(|l| l.contains("completeness:0.93"))
        .unwrap();
    std::fs::write(project.root.join(PILOT), &slipped).unwrap();
    let form = form(port, &secret, "invoice-matching");
    // No answers to save over: the reader's error, at its file, line and column.
    assert_eq!(form["readable"], false);
    assert!(
        form["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["value"].is_null())
    );
    let at = form["errors"][0]["at"].as_str().unwrap();
    assert!(
        at.starts_with(&format!("{PILOT}:{line}:")),
        "the error points at the slip's line {line}: {form}"
    );
    // And nothing is written into it from the page.
    let digest = form["digest"].as_str().unwrap();
    let body = format!(
        "{{\"id\":\"invoice-matching\",\"digest\":\"{digest}\",\"op\":\"set\",\"path\":\"framing.production_owner\",\"value\":\"Mallory\"}}"
    );
    let here = format!("127.0.0.1:{port}");
    assert_eq!(
        post(port, &here, &format!("http://{here}"), Some(&secret), &body),
        422
    );
    assert_eq!(read(&project, PILOT), slipped);
}
