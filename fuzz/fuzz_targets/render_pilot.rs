//! Any bytes as one dossier of a portfolio: read, judged with the built-in
//! framework, and its page rendered through the shipped templates (the
//! diagnosis page, or the page that says what is wrong). Rendering must
//! succeed, the page must be whole, and nothing from the bytes may become a
//! script element. The portfolio page and report.json are rendered too: they
//! show the same dossier.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pilotscope::config::Config;
use pilotscope::dossier::{self, DossierFile};
use pilotscope::framework::{self, Framework};
use pilotscope::project::{Entry, Judged, Project};
use pilotscope::site::{Faq, Page, Site, Templates};

static PROJECT: LazyLock<Project> = LazyLock::new(|| Project {
    root: PathBuf::from("."),
    config: Config::default(),
    framework: Framework::builtin(),
    framework_file: None,
});
static TEMPLATES: LazyLock<Templates> =
    LazyLock::new(|| Templates::load(None, "templates").expect("the shipped templates load"));
static FAQ: LazyLock<Faq> = LazyLock::new(Faq::default);

fuzz_target!(|bytes: &[u8]| {
    let project = &*PROJECT;
    let as_of = dossier::read::parse_date("2026-11-26").expect("a date");
    let file = DossierFile {
        path: PathBuf::from("content/fuzz.md"),
        rel_path: "fuzz.md".into(),
        source: "content/fuzz.md".into(),
        id: "fuzz".into(),
    };
    let loaded = dossier::load_text(bytes, &file.source, &file.rel_path, &file.id);
    let judged = loaded.dossier.map(|d| {
        let g = framework::judge(&d, &project.framework, as_of, project.config.stale_days);
        (d, g)
    });
    let entry = Entry {
        file,
        diagnostics: loaded.diagnostics,
        judged,
        digest: pilotscope::dossier::read::digest(bytes),
    };
    let judged = Judged::from_entries(vec![entry], Vec::new(), as_of);
    let site = Site::new(project, &judged, &TEMPLATES, &FAQ);

    // Nothing asks the render to stop: it always gives the page.
    let never = || false;
    let page = site
        .render(Page::Pilot(0), &never)
        .unwrap_or_else(|e| panic!("the pilot page does not render: {e}"))
        .expect("not stopped");
    let html = String::from_utf8(page).expect("pages are UTF-8");
    assert!(html.starts_with("<!doctype html>") && html.ends_with("</html>\n"));
    let scripts = html.to_ascii_lowercase().matches("<script").count();
    assert_eq!(scripts, 1, "only the site's own script element:\n{html}");

    let index = site
        .render(Page::Index, &never)
        .unwrap_or_else(|e| panic!("the portfolio page does not render: {e}"))
        .expect("not stopped");
    let index = String::from_utf8(index).expect("pages are UTF-8");
    // The site's own script, site.js, which loads table.js (the table as
    // data) named by the table.
    assert_eq!(index.to_ascii_lowercase().matches("<script").count(), 1);
    assert!(index.contains("data-rows-src=\"table.js\""));

    let report = site
        .render(Page::Report, &never)
        .expect("report.json renders")
        .expect("not stopped");
    serde_json::from_slice::<serde_json::Value>(&report).expect("report.json is JSON");
});
