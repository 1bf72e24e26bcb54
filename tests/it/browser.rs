//! The built site in a real browser: headless Chromium driven through
//! chromedriver (WebDriver, with `fantoccini`), the pages served over HTTP
//! by a tiny static file server in this test.
//!
//! Checks that the table script runs (filters appear, sorting and filtering
//! work), that links lead to diagnosis pages, that the browser logs no
//! error, and that no request leaves 127.0.0.1. Screenshots go to
//! `target/screenshots/` for a person to look at.
//!
//! Without Chromium or chromedriver the test prints a notice and passes,
//! unless `CI` is set: then it fails, so CI never skips it silently.
//! `CHROMIUM` and `CHROMEDRIVER` name the programs when they are not
//! `chromium` and `chromedriver` on the `PATH`.

use crate::browser_kit;
use crate::common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use browser_kit::{Browser, StaticServer};
use fantoccini::{Client, Locator};
use serde_json::Value;

// ---------------------------------------------------------------- the test

fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo_root().join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    title: String,
    readiness: u32,
    verdict: String,
    text: String,
    visible: bool,
}

async fn rows(c: &Client) -> Vec<Row> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('table.pilots tbody tr')).map(function (r) {
               return [r.cells[0].querySelector('a').textContent.trim(), r.cells[4].textContent.trim(), r.getAttribute('data-verdict'),
                       r.textContent, !r.hidden && r.offsetParent !== null];
             });",
            vec![],
        )
        .await
        .expect("read the table");
    v.as_array()
        .expect("an array of rows")
        .iter()
        .map(|r| Row {
            title: r[0].as_str().unwrap().to_string(),
            readiness: r[1]
                .as_str()
                .unwrap()
                .parse()
                .expect("readiness is a number"),
            verdict: r[2].as_str().unwrap().to_string(),
            text: r[3].as_str().unwrap().to_lowercase(),
            visible: r[4].as_bool().unwrap(),
        })
        .collect()
}

/// Every resource the current page loaded (the page itself included), with
/// its HTTP status as the browser saw it.
async fn resources(c: &Client) -> Vec<(String, i64)> {
    let v = c
        .execute(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
               .map(function (e) { return [e.name, typeof e.responseStatus === 'number' ? e.responseStatus : -1]; });",
            vec![],
        )
        .await
        .expect("read performance entries");
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| (e[0].as_str().unwrap().to_string(), e[1].as_i64().unwrap()))
        .collect()
}

fn assert_only_local_requests(page: &str, local: &str, entries: &[(String, i64)]) {
    assert!(
        entries.len() >= 3,
        "{page}: the page, its stylesheet and its script are loaded: {entries:?}"
    );
    for (name, status) in entries {
        assert!(
            name.starts_with(local),
            "{page} made a request to another host: {name}"
        );
        // The site has no favicon; the browser asks for /favicon.ico anyway.
        if name.ends_with("/favicon.ico") {
            continue;
        }
        assert!(
            *status == 200 || *status == -1,
            "{page}: {name} answered {status}"
        );
    }
}

async fn save_screenshot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.expect("take a screenshot");
    let path = screenshots_dir().join(name);
    std::fs::write(&path, png).expect("write the screenshot");
    eprintln!("screenshot: {}", path.display());
    path
}

/// On a phone-sized window the page itself never scrolls sideways (wide
/// tables scroll inside their own box).
async fn assert_no_sideways_scrolling(c: &Client, page: &str) {
    let v = c
        .execute(
            "var w = document.documentElement.clientWidth;
             var wide = Array.from(document.querySelectorAll('main *')).filter(function (e) {
               return e.getBoundingClientRect().right > w + 1 && !e.closest('.table-scroll, .checks-table, .story table, .chart');
             }).slice(0, 8).map(function (e) { return e.tagName.toLowerCase() + '.' + e.className; });
             return [document.documentElement.scrollWidth, w, wide];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, width) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
    assert!(
        scroll <= width,
        "{page} is {scroll}px wide in a {width}px window; too wide: {}",
        v[2]
    );
}

/// `site` is the address the site is served at, ending with `/`.
async fn walk_through_the_site(client: Client, site: String) {
    let (c, site) = (&client, site.as_str());
    c.set_window_size(1366, 2200)
        .await
        .expect("size the window");
    c.goto(&format!("{site}index.html"))
        .await
        .expect("open the index");

    // The script ran: it un-hides the filter controls and turns headers
    // into buttons, which work once every row is loaded.
    assert_eq!(browser_kit::table_ready(c).await, "all");
    let filters = c
        .wait()
        .for_element(Locator::Css("[data-filters]:not([hidden])"))
        .await
        .expect("the filter controls appear");
    assert!(
        filters.is_displayed().await.unwrap(),
        "the filter controls are visible"
    );
    let count = c
        .find(Locator::Css("[data-count]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let initial = rows(c).await;
    assert!(
        initial.len() >= 10,
        "the example portfolio's pilots are listed: {initial:?}"
    );
    assert_eq!(count, format!("{} pilots", initial.len()));
    assert_only_local_requests("index.html", site, &resources(c).await);
    save_screenshot(c, "index.png").await;

    // Sort by readiness: ascending, then descending; ties keep their order.
    let readiness = c
        .find(Locator::XPath(
            "//table[@data-sortable]//th[@data-key='readiness']/button",
        ))
        .await
        .expect("the readiness header is a button");
    readiness.click().await.unwrap();
    let ascending = rows(c).await;
    let mut expected = initial.clone();
    expected.sort_by_key(|r| r.readiness);
    let titles = |rs: &[Row]| rs.iter().map(|r| r.title.clone()).collect::<Vec<_>>();
    assert_eq!(
        titles(&ascending),
        titles(&expected),
        "sorted by readiness, lowest first"
    );
    assert_ne!(
        titles(&ascending),
        titles(&initial),
        "the order of the first column changed"
    );
    let th = c
        .find(Locator::XPath(
            "//table[@data-sortable]//th[@data-key='readiness']",
        ))
        .await
        .unwrap();
    assert_eq!(
        th.attr("aria-sort").await.unwrap().as_deref(),
        Some("ascending")
    );

    readiness.click().await.unwrap();
    let descending = rows(c).await;
    let mut expected = initial.clone();
    expected.sort_by_key(|r| std::cmp::Reverse(r.readiness));
    assert_eq!(
        titles(&descending),
        titles(&expected),
        "sorted by readiness, highest first"
    );
    assert_eq!(
        th.attr("aria-sort").await.unwrap().as_deref(),
        Some("descending")
    );

    // Search and a verdict: only matching rows stay visible.
    let search = c
        .find(Locator::Css("input[data-filter='text']"))
        .await
        .unwrap();
    search.send_keys("Freight").await.unwrap();
    // The script renders the rows that match (from table.js), in order.
    let after_search = rows(c).await;
    let matching: Vec<&Row> = descending
        .iter()
        .filter(|r| r.text.contains("freight"))
        .collect();
    assert!(
        !matching.is_empty() && matching.len() < descending.len(),
        "the example has pilots of Freight and others"
    );
    assert_eq!(
        titles(&after_search),
        matching.iter().map(|r| r.title.clone()).collect::<Vec<_>>(),
        "the search narrows the table to the matching rows, in the sorted order"
    );
    assert!(after_search.iter().all(|r| r.visible));
    let verdict = c
        .find(Locator::Css("select[data-filter='verdict']"))
        .await
        .unwrap();
    verdict.select_by_value("not_ready").await.unwrap();
    let filtered = rows(c).await;
    let shown: Vec<&Row> = filtered.iter().filter(|r| r.visible).collect();
    let expected: Vec<String> = matching
        .iter()
        .filter(|r| r.verdict == "not_ready")
        .map(|r| r.title.clone())
        .collect();
    assert_eq!(
        titles(&filtered),
        expected,
        "after the search and the verdict filter"
    );
    assert!(
        !shown.is_empty() && shown.len() < matching.len(),
        "the verdict narrows the search further: {filtered:?}"
    );
    let count = c
        .find(Locator::Css("[data-count]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        count,
        format!("{} of {} pilots shown", shown.len(), descending.len())
    );
    save_screenshot(c, "index-filtered.png").await;

    // Follow the first visible pilot to its diagnosis.
    let target = shown[0].title.clone();
    let link = c
        .find(Locator::XPath(&format!(
            "//table[@data-sortable]//tbody//tr[not(@hidden)]//th//a[normalize-space(.)='{target}']"
        )))
        .await
        .expect("the row's link");
    link.click().await.unwrap();
    let badge = c
        .wait()
        .for_element(Locator::Css(".verdict-panel .verdict"))
        .await
        .expect("the diagnosis page shows its verdict");
    assert_eq!(badge.text().await.unwrap(), "Not ready");
    assert!(badge.is_displayed().await.unwrap());
    assert_eq!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        target
    );
    let url = c.current_url().await.unwrap().to_string();
    assert!(
        url.starts_with(&format!("{site}pilots/")) && url.ends_with("/index.html"),
        "{url}"
    );
    let page = url.trim_start_matches(site).to_string();
    assert_only_local_requests(&page, site, &resources(c).await);
    save_screenshot(c, "pilot.png").await;

    // A phone-sized window, for a person to look at the layout.
    c.set_window_size(390, 1600).await.unwrap();
    save_screenshot(c, "pilot-narrow.png").await;
    assert_no_sideways_scrolling(c, "a pilot page").await;
    c.execute(
        "document.querySelector('.checks-table').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    save_screenshot(c, "pilot-narrow-checks.png").await;
    c.goto(&format!("{site}index.html")).await.unwrap();
    save_screenshot(c, "index-narrow.png").await;
    assert_no_sideways_scrolling(c, "the index").await;
    c.goto(&format!("{site}faq/index.html")).await.unwrap();
    c.set_window_size(1366, 1600).await.unwrap();
    assert_only_local_requests("faq/index.html", site, &resources(c).await);
    save_screenshot(c, "faq.png").await;
}

#[test]
fn the_portfolio_sorts_filters_and_links_to_diagnoses_in_headless_chromium() {
    let Some(browser) = Browser::start("browser test") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    common::build_expecting(&common::repo_root(), out.path(), 0);
    let server = StaticServer::start(out.path());

    browser.run(browser.capabilities(&[]), async |c| {
        walk_through_the_site(c.clone(), server.url("")).await;

        // Nothing went wrong in the browser's console.
        let log = browser.console(c).await;
        let entries = log["value"]
            .as_array()
            .unwrap_or_else(|| panic!("the browser log: {log}"));
        for e in entries {
            eprintln!("console {}: {}", e["level"], e["message"]);
        }
        let errors: Vec<&Value> = entries.iter().filter(|e| e["level"] == "SEVERE").collect();
        assert!(errors.is_empty(), "the browser logged errors: {errors:#?}");
    });

    // Every request the server saw found its file (a browser may ask for a
    // favicon the site does not have).
    let requests = server.requests.lock().unwrap().clone();
    let mut by_status: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    for (path, status) in &requests {
        by_status.entry(*status).or_default().push(path.clone());
    }
    let missing: Vec<&String> = by_status
        .get(&404)
        .into_iter()
        .flatten()
        .filter(|p| !p.ends_with("favicon.ico"))
        .collect();
    assert!(
        missing.is_empty(),
        "requests for files the site does not have: {missing:?}"
    );
    assert!(requests.iter().any(|(p, _)| p == "/assets/site.js"));
}
