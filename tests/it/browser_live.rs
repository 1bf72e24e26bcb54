//! Live reload in a real browser: `pilotscope serve` on a temporary copy of
//! `tests/fixtures/live`, headless Chromium driven through chromedriver
//! (WebDriver, with `fantoccini`), and the dossier changed on disk while
//! the pages are open.
//!
//! Checks that an open diagnosis page reloads by itself with the new title
//! and keeps its scroll position, that breaking the dossier shows the error
//! overlay on every other open page and the problem on the dossier's own
//! page, and that fixing it takes the overlay away again.
//!
//! Without Chromium or chromedriver the test prints a notice and passes,
//! unless `CI` is set: then it fails, so CI never skips it silently.
//! `CHROMIUM` and `CHROMEDRIVER` name the programs when they are not
//! `/usr/bin/chromium` and `/usr/bin/chromedriver` or on the `PATH`.

use crate::browser_kit::{Browser, eval, poll};
use crate::live::{Project, Running, broken_dossier, dossier};

use fantoccini::{Client, Locator};

async fn h1(c: &Client) -> Option<String> {
    let el = c.find(Locator::Css("h1")).await.ok()?;
    el.text().await.ok()
}

/// Whether the error overlay is in the current page, and its text.
async fn overlay(c: &Client) -> Option<String> {
    eval(
        c,
        "var o = document.getElementById('pilotscope-overlay'); return o ? o.innerText : null;",
    )
    .await
    .as_str()
    .map(str::to_string)
}

async fn live_reload(c: &Client, project: &Project, base: &str) {
    let pilot = format!("{base}pilots/alpha/index.html");
    let index = format!("{base}index.html");

    // One window on Alpha's diagnosis, scrolled down.
    c.goto(&pilot).await.unwrap();
    poll(c, "Alpha's page with its title", async |c| {
        h1(c).await.filter(|t| t.contains("Alpha invoice reader"))
    })
    .await;
    // The live script connected (it adds its stylesheet).
    poll(c, "the live script", async |c| {
        eval(
            c,
            "return !!document.querySelector('link[href=\"/__pilotscope/live.css\"]');",
        )
        .await
        .as_bool()
        .filter(|b| *b)
    })
    .await;
    let room = eval(
        c,
        "return document.documentElement.scrollHeight - window.innerHeight;",
    )
    .await
    .as_f64()
    .unwrap_or(0.0);
    assert!(
        room > 300.0,
        "Alpha's page is too short to scroll ({room} px): the scroll check would prove nothing"
    );
    let target = (room / 2.0).min(1500.0).round();
    eval(
        c,
        &format!(
            "window.scrollTo(0, {target}); window.__before_reload = true; return window.scrollY;"
        ),
    )
    .await;
    let scrolled = poll(c, "the scroll to happen", async |c| {
        eval(c, "return window.scrollY;")
            .await
            .as_f64()
            .filter(|y| *y > 100.0)
    })
    .await;
    let pilot_window = c.window().await.unwrap();

    // Another window on the portfolio.
    let index_window = c.new_window(false).await.unwrap().handle;
    c.switch_to_window(index_window.clone()).await.unwrap();
    c.goto(&index).await.unwrap();
    poll(c, "the portfolio", async |c| h1(c).await).await;
    assert!(
        overlay(c).await.is_none(),
        "no overlay while nothing is wrong"
    );

    // The title changes on disk: the open page reloads by itself.
    c.switch_to_window(pilot_window.clone()).await.unwrap();
    let mut text = std::fs::read_to_string(project.content().join("alpha.md")).unwrap();
    text = text.replace(
        "title: Alpha invoice reader",
        "title: Alpha invoice reader, retitled",
    );
    project.write("content/alpha.md", &text);
    poll(c, "the reloaded page with the new title", async |c| {
        h1(c).await.filter(|t| t.contains("retitled"))
    })
    .await;
    assert!(
        eval(c, "return window.__before_reload === undefined;")
            .await
            .as_bool()
            .unwrap_or(false),
        "the page was reloaded, not patched"
    );
    let kept = poll(c, "the scroll position to come back", async |c| {
        eval(c, "return window.scrollY;")
            .await
            .as_f64()
            .filter(|y| (y - scrolled).abs() < 150.0)
    })
    .await;
    assert!(
        (kept - scrolled).abs() < 150.0,
        "scrolled to {scrolled} before the reload, {kept} after"
    );

    // The dossier breaks: its page says what is wrong, and the portfolio,
    // open in the other window, shows the overlay.
    project.write("content/alpha.md", &broken_dossier("Alpha broken"));
    poll(c, "Alpha's page to show the problem", async |c| {
        let text = eval(c, "return document.body.innerText;").await;
        text.as_str()
            .filter(|t| t.contains("pilto") && t.contains("content/alpha.md:3:8"))
            .map(str::to_string)
    })
    .await;
    c.switch_to_window(index_window.clone()).await.unwrap();
    let shown = poll(c, "the overlay on the portfolio", async |c| {
        overlay(c).await
    })
    .await;
    assert!(
        shown.contains("content/alpha.md:3:8"),
        "the overlay gives the place: {shown}"
    );
    assert!(
        shown.contains("pilto"),
        "the overlay shows the source line: {shown}"
    );

    // Fixed: the overlay goes away by itself, and the diagnosis is back.
    project.write("content/alpha.md", &dossier("Alpha fixed"));
    poll(c, "the overlay to go away", async |c| {
        overlay(c).await.is_none().then_some(())
    })
    .await;
    c.switch_to_window(pilot_window).await.unwrap();
    poll(c, "Alpha's diagnosis to come back", async |c| {
        h1(c).await.filter(|t| t.contains("Alpha fixed"))
    })
    .await;
    assert!(overlay(c).await.is_none(), "no overlay on the fixed page");
}

#[test]
fn open_pages_reload_show_errors_and_recover_as_files_change() {
    let Some(browser) = Browser::start("live-reload browser test") else {
        return;
    };
    let project = Project::live();
    let mut server = Running::serve(&project.root, &[]);
    let base = format!("http://127.0.0.1:{}/", server.port);
    let caps = browser.capabilities(&["--window-size=1200,800"]);
    if let Err(panic) = browser.try_run(caps, async |c| live_reload(c, &project, &base).await) {
        eprintln!("serve said:\n{}", server.stderr());
        std::panic::resume_unwind(panic);
    }
    server.assert_alive();
}
