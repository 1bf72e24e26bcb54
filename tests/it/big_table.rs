//! A portfolio past one page of the table (issue 14, §4): the index holds the
//! first rows, attention first, and links to pages with the others, so every
//! pilot is a link away without JavaScript; `table.js` holds every row as
//! data for `site.js` (a script, so it loads from `file://` and under the
//! Content-Security-Policy); the FAQ names a few pilots a figure, then
//! "and N more" to the table filtered to them.
//!
//! Every build runs as a user runs it: from inside the project folder, with
//! no `--root`, into the project's own `site/`.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::page;
use scraper::{Html, Selector};
use serde_json::Value;

/// The example's ten dossiers 25 times over: 250 pilots, five pages of the
/// table. Returns the project folder; the site is its `site/`.
pub fn example_times_25() -> tempfile::TempDir {
    let dir = crate::common::example_times(25);
    crate::common::build_in(dir.path(), 0);
    dir
}

fn select(html: &str, css: &str, attr: &str) -> Vec<String> {
    Html::parse_document(html)
        .select(&Selector::parse(css).unwrap())
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

fn report(project: &Path) -> Value {
    serde_json::from_str(&page(project, "report.json")).unwrap()
}

/// The data of `table.js`: what follows `window.PILOTSCOPE_TABLE = `.
fn table_data(project: &Path) -> Value {
    let js = page(project, "table.js");
    let at = js
        .find("window.PILOTSCOPE_TABLE = ")
        .expect("the assignment")
        + 26;
    serde_json::from_str(js[at..].trim_end().trim_end_matches(';')).expect("table.js holds JSON")
}

#[test]
fn without_javascript_the_index_shows_the_first_rows_and_pages_link_every_pilot() {
    let project = example_times_25();
    let p = project.path();
    let index = page(p, "index.html");
    let rows = select(&index, "table.pilots tbody tr th a", "href");
    assert_eq!(rows.len(), 50, "the first page of rows");
    let verdicts = select(&index, "table.pilots tbody tr", "data-verdict");
    assert!(
        verdicts[..5].iter().all(|v| v == "not_ready"),
        "attention first: {verdicts:?}"
    );
    // Page 1 of 5: the pages near it, the last, and the next.
    assert_eq!(
        select(&index, "nav.table-pages a", "href"),
        [2, 3, 5, 2].map(|n| format!("table/{n}/index.html"))
    );
    assert_eq!(
        select(&index, "nav.table-pages a[rel=next]", "href"),
        ["table/2/index.html"]
    );
    let mut linked: BTreeSet<String> = rows.into_iter().collect();
    for n in [2, 3, 4, 5] {
        let html = page(p, &format!("table/{n}/index.html"));
        let rows = select(&html, "table.pilots tbody tr th a", "href");
        assert_eq!(rows.len(), 50, "page {n}");
        for href in rows {
            let href = href
                .strip_prefix("../../")
                .expect("relative to the site root");
            assert!(linked.insert(href.to_string()), "{href} on two pages");
        }
        assert!(!html.contains("<script>"), "no inline script");
    }
    let every: BTreeSet<String> = report(p)["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("pilots/{}/index.html", d["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        linked, every,
        "every pilot is linked from a page of the table"
    );
}

#[test]
fn table_js_holds_every_row_and_is_loaded_as_a_script() {
    let project = example_times_25();
    let p = project.path();
    let index = page(p, "index.html");
    assert!(
        index.contains(r#"data-rows-src="table.js""#),
        "named for site.js, which loads it with <script src> once the page has loaded"
    );
    assert!(!index.contains("fetch("), "nothing is fetched");
    let data = table_data(p);
    let rows = data["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 250);
    // The same order as the page's rows.
    let first: Vec<String> = rows[..50]
        .iter()
        .map(|r| r["h"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(first, select(&index, "table.pilots tbody tr th a", "href"));
    assert_eq!(data["mistakes"].as_array().unwrap().len(), 5);
    let active_data = rows
        .iter()
        .filter(|r| {
            r["k"]
                .as_str()
                .unwrap()
                .split(' ')
                .any(|k| k == "active-data")
        })
        .count();
    assert_eq!(
        active_data, 125,
        "five of the ten have data active, 25 times over"
    );
}

#[test]
fn a_faq_figure_names_a_few_pilots_then_links_the_rest_to_the_filtered_table() {
    let project = example_times_25();
    let faq = page(project.path(), "faq/index.html");
    let doc = Html::parse_document(&faq);
    let figure = Selector::parse(".live-figure p").unwrap();
    let link = Selector::parse("a").unwrap();
    let data_figure = doc
        .select(&figure)
        .find(|p| {
            p.text()
                .collect::<String>()
                .contains("“Data the business does not really have” active")
        })
        .expect("the figure of the data mistake");
    let links: Vec<_> = data_figure.select(&link).collect();
    assert_eq!(links.len(), 9, "eight names and the rest");
    let more = links.last().unwrap();
    assert_eq!(more.text().collect::<String>(), "117 more");
    assert_eq!(
        more.value().attr("href"),
        Some("../index.html#show=active-data")
    );
    assert!(
        faq.len() < 200_000,
        "the FAQ stays short: {} bytes",
        faq.len()
    );
}

#[test]
fn a_thousand_pilots_are_counted_with_a_thousands_separator() {
    // The example's ten dossiers 100 times over.
    let dir = crate::common::example_times(100);
    let out = crate::common::pilotscope()
        .current_dir(dir.path())
        .args(["--as-of", crate::common::AS_OF, "build"])
        .output()
        .unwrap();
    let said = crate::common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    let line = said
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or_else(|| panic!("no line says what was built: {said}"));
    assert!(
        line.starts_with("built 1,0") && line.contains(" pages for 1,000 pilots in "),
        "{line}"
    );
    assert!(line.contains("(1,0"), "the pages written: {line}");
    let pack = page(dir.path(), "pack/index.html");
    assert!(pack.contains("· 1,000 pilots"), "the pack's cover");
    assert!(
        pack.contains("1,000 pilots, by business unit."),
        "the roll-up"
    );
}

#[test]
fn many_dossiers_that_cannot_be_read_show_eight_and_fold_the_rest() {
    let project = crate::common::project_from(&crate::common::repo_root());
    for n in 1..=12 {
        std::fs::write(
            project.path().join(format!("content/broken-{n:02}.md")),
            "---\ntitle: [unclosed\n---\n",
        )
        .unwrap();
    }
    crate::common::build_in(project.path(), 1);
    let index = page(project.path(), "index.html");
    let doc = Html::parse_document(&index);
    let count = |css: &str| doc.select(&Selector::parse(css).unwrap()).count();
    assert_eq!(
        count("#broken-title ~ ul.broken-list > li"),
        8,
        "eight open"
    );
    assert_eq!(
        crate::common::text_of(
            doc.select(&Selector::parse(".broken-more > summary").unwrap())
                .next()
                .expect("the rest folded")
        ),
        "and 4 more"
    );
    assert_eq!(count(".broken-more li"), 4);
    // Every one still has its link, each to its own page.
    let links: BTreeSet<String> = select(&index, ".broken-list a", "href")
        .into_iter()
        .collect();
    assert_eq!(links.len(), 12, "{links:?}");
    assert!(index.contains("<h2 id=\"broken-title\">12 dossiers could not be read</h2>"));
}
