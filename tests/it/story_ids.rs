//! A story's headings get anchors, which must not repeat an id the pilot
//! page gives its own elements: a link to `#path-title` would land on the
//! story, and the page would not be valid HTML.

use std::collections::BTreeMap;

use scraper::{Html, Selector};

use crate::common::{build_in, page, project_from, repo_root};

#[test]
fn a_story_heading_named_like_a_section_of_the_pilot_page_does_not_repeat_its_id() {
    let project = project_from(&repo_root());
    let content = project.path().join("content");
    let mut pilots = Vec::new();
    for entry in std::fs::read_dir(&content).unwrap().flatten() {
        let path = entry.path();
        let Some(id) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "md") && id != "faq" && !id.starts_with('_') {
            let mut text = std::fs::read_to_string(&path).unwrap();
            text.push_str("\n\n## Path title\n\n## Gate title\n\n## Verdict title\n\n## Main\n");
            std::fs::write(&path, text).unwrap();
            pilots.push(id.to_string());
        }
    }
    assert!(!pilots.is_empty(), "the example has dossiers");
    build_in(project.path(), 0);
    let any_id = Selector::parse("[id]").unwrap();
    let mut seen_path = false;
    for id in &pilots {
        let html = page(project.path(), &format!("pilots/{id}/index.html"));
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for e in Html::parse_document(&html).select(&any_id) {
            *counts
                .entry(e.value().attr("id").unwrap().to_string())
                .or_default() += 1;
        }
        seen_path |= counts.contains_key("path-title");
        let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            repeated.is_empty(),
            "pilots/{id}: ids given twice: {repeated:?}"
        );
    }
    assert!(
        seen_path,
        "some pilot page of the example shows its path to ready"
    );
}
