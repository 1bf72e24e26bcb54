//! What a COO reads first on the pages (issue 14, §2): the remedy of the
//! failing check before the mistake's general fix, evidence in words,
//! charts that say which way is worse, why an abandoned pilot stopped, and
//! the portfolio's owners, budgets and decisions due.
//!
//! Every build runs as a user runs it: from inside the project folder, with
//! no `--root`, into the project's own `site/`.

use scraper::{Html, Selector};

use crate::common::{build_in, page, project_from, repo_root, report, text_of};

fn texts(html: &str, css: &str) -> Vec<String> {
    Html::parse_document(html)
        .select(&Selector::parse(css).unwrap())
        .map(text_of)
        .collect()
}

#[test]
fn the_next_step_is_the_path_to_ready_grouped_by_mistake_each_check_once() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let report = report(project.path());
    for d in report["dossiers"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let html = page(project.path(), &format!("pilots/{id}/index.html"));
        let path: Vec<&str> = d["path_to_ready"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let step_ids = texts(&html, ".next-step .next-remedies .check-title");
        if path.is_empty() || d["stage"] == "abandoned" {
            assert!(step_ids.is_empty(), "{id}: no next step list");
            continue;
        }
        // One list: the path's checks, each once, blockers first within
        // the report's order, grouped under their mistakes.
        assert_eq!(step_ids.len(), path.len(), "{id}: {step_ids:?} vs {path:?}");
        let headings = texts(&html, ".next-step h2");
        assert_eq!(headings.len(), 1, "{id}: one next step: {headings:?}");
        assert!(
            headings[0].ends_with(&format!(
                "{} check{} from ready",
                path.len(),
                if path.len() == 1 { "" } else { "s" }
            )),
            "{id}: {headings:?}"
        );
        assert!(
            !html.contains("class=\"panel path-to-ready\""),
            "{id}: no second list of the same checks"
        );
        // The most active mistake is named above the list, as the diagnosis.
        let diagnosis = texts(&html, ".next-step .next-diagnosis").concat();
        assert!(
            diagnosis.starts_with("Most active mistake:"),
            "{id}: {diagnosis}"
        );
        // Every remedy on the page appears once.
        let remedies = texts(&html, ".remedy");
        let mut seen = std::collections::BTreeSet::new();
        for r in &remedies {
            assert!(seen.insert(r.clone()), "{id}: remedy twice: {r}");
        }
        // The first step is a blocker when any check of the path is one.
        let sev = texts(&html, ".next-step .next-remedies .sev");
        if sev.iter().any(|s| s == "blocker") {
            let groups = texts(&html, ".next-step .step-group");
            assert_eq!(
                sev[0], "blocker",
                "{id}: blockers first: {sev:?} {groups:?}"
            );
        }
    }
}

#[test]
fn a_ready_pilot_names_no_most_active_mistake_and_shows_what_comes_next() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let report = report(project.path());
    let ready: Vec<&serde_json::Value> = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["verdict"] == "ready")
        .collect();
    assert!(!ready.is_empty());
    for d in ready {
        let id = d["id"].as_str().unwrap();
        let html = page(project.path(), &format!("pilots/{id}/index.html"));
        assert!(!html.contains("most active mistake"), "{id}");
        assert!(!html.contains("Most active mistake"), "{id}");
        let next = texts(&html, ".next-step h2").concat();
        match d["stage"].as_str().unwrap() {
            "production" => assert_eq!(next, "Next step: keep it ready", "{id}"),
            _ => assert!(next.starts_with("Next step: what "), "{id}: {next}"),
        }
    }
}

#[test]
fn evidence_is_in_words_with_the_check_id_beside_it() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let html = page(project.path(), "pilots/lease-credit-scoring/index.html");
    assert!(
        html.contains("Success is defined as: accuracy, not business outcome"),
        "evidence in words"
    );
    assert!(
        !html.contains("framing.success_defined_as is"),
        "no field path as evidence"
    );
    assert!(
        html.contains(r#"<code>framing.business-outcome</code></th>"#),
        "the check id stays, for the pilot team"
    );
    let report = report(project.path());
    let lease = report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "lease-credit-scoring")
        .unwrap();
    let messages: Vec<&str> = lease["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["message"].as_str())
        .collect();
    assert!(
        messages.contains(&"framing.success_defined_as is accuracy, not business outcome"),
        "the report keeps field paths: {messages:?}"
    );
}

#[test]
fn passing_checks_are_folded_and_failing_ones_open() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let html = page(
        project.path(),
        "pilots/supplier-invoice-matching/index.html",
    );
    let doc = Html::parse_document(&html);
    let folded = Selector::parse("details.passing-checks .passing-list li").unwrap();
    let open = Selector::parse(".mistake > .checks-table tr.outcome-pass").unwrap();
    assert!(
        doc.select(&folded).count() > 30,
        "passing checks in <details>"
    );
    assert_eq!(doc.select(&open).count(), 0, "no passing check outside one");
    let failing = Selector::parse(".mistake > .checks-table tr.outcome-fail").unwrap();
    assert_eq!(
        doc.select(&failing).count(),
        1,
        "the failing check stays open"
    );
    assert_eq!(
        texts(&html, "#metrics details.passing-checks > summary"),
        ["5 passing checks"]
    );
}

#[test]
fn each_chart_says_whether_longer_is_worse_or_better() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let index = page(project.path(), "index.html");
    assert_eq!(
        texts(&index, ".chart.chart-worse .chart-legend"),
        ["▲ Longer is worse: more pilots with the mistake active."]
    );
    let bars = texts(&index, ".chart-worse .bar");
    assert!(bars.iter().all(|b| b.ends_with(" of 10")), "{bars:?}");

    let pilot = page(
        project.path(),
        "pilots/visual-quality-inspection/index.html",
    );
    assert_eq!(
        texts(&pilot, ".chart.chart-better .chart-legend"),
        ["▼ Longer is better: more of the area's checks pass, by weight."]
    );
    assert_eq!(
        texts(&pilot, ".chart-better .bar-label"),
        [
            "Framing",
            "Data",
            "Governance",
            "Change management",
            "Metrics"
        ],
        "labelled by area, not by the mistake's name"
    );
}

#[test]
fn an_abandoned_pilot_says_why_it_stopped_instead_of_a_next_step() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let html = page(project.path(), "pilots/lease-credit-scoring/index.html");
    assert_eq!(texts(&html, ".next-step h2"), ["Why it stopped"]);
    assert!(
        !html.contains("Next step"),
        "no next step for a stopped pilot"
    );
    assert!(!html.contains("path-to-ready"), "no way to ready either");
    let lessons = texts(&html, ".why-stopped .lesson h3");
    assert_eq!(lessons.len(), 4, "the four active mistakes: {lessons:?}");
    assert_eq!(
        lessons[0], "Data the business does not really have",
        "heaviest first"
    );
    let pack = page(project.path(), "pack/index.html");
    assert!(
        pack.contains("Why it stopped"),
        "the board pack says it too"
    );
}

#[test]
fn the_portfolio_names_owner_budget_and_decision_due_and_shows_scores_without_hover() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let index = page(project.path(), "index.html");
    let heads = texts(&index, "table.pilots thead th");
    for h in ["Unit · owner", "Budget", "Decision due"] {
        assert!(heads.iter().any(|x| x == h), "column {h}: {heads:?}");
    }
    let doc = Html::parse_document(&index);
    let row = doc
        .select(&Selector::parse("table.pilots tbody tr").unwrap())
        .find(|r| text_of(*r).contains("Dispatch route optimisation"))
        .expect("the dispatch row");
    let row = text_of(row);
    assert!(row.contains("Darren Pike"), "{row}");
    assert!(row.contains("£190,000"), "{row}");
    assert!(row.contains("2026-09-30 57 days overdue"), "{row}");
    // The five mistakes in one cell: each its symbol, an image whose name
    // (its title) says its status in words for a screen reader, and its
    // score in the tooltip (the pilot's page shows every score).
    let marks = texts(
        &index,
        "table.pilots tbody tr:first-child .mistake-cells .mini[role=img]",
    );
    assert_eq!(marks, ["✕", "✕", "✕", "✕", "✕"].map(String::from).to_vec());
    let titles: Vec<String> = Html::parse_document(&index)
        .select(&Selector::parse("table.pilots tbody tr:first-child .mistake-cells .mini").unwrap())
        .filter_map(|e| e.value().attr("title").map(str::to_string))
        .collect();
    assert!(
        titles[0].starts_with("Framed as a technology experiment: active, score "),
        "{titles:?}"
    );
    assert!(titles[1].ends_with("score 65"), "{titles:?}");
    // The most active mistake with a word on its fix.
    let fix = texts(&index, "table.pilots tbody tr:first-child .fix-word");
    assert_eq!(fix.len(), 1, "{fix:?}");
}

#[test]
fn the_decisions_due_stand_above_the_table_overdue_first() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let index = page(project.path(), "index.html");
    let panel = index.find("decisions-panel").expect("the decisions panel");
    assert!(
        panel < index.find("table class=\"pilots\"").unwrap(),
        "above the table"
    );
    assert_eq!(
        texts(&index, ".decisions-overdue li a"),
        ["Dispatch route optimisation"]
    );
    assert_eq!(
        texts(&index, ".decisions-upcoming li a"),
        [
            "Delivery ETA predictions",
            "Supplier invoice matching",
            "Visual quality inspection"
        ],
        "due in the next 30 days, soonest first"
    );
}

#[test]
fn the_portfolio_rolls_up_by_business_unit() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let index = page(project.path(), "index.html");
    let doc = Html::parse_document(&index);
    let cell = Selector::parse("th, td").unwrap();
    let rows: Vec<String> = doc
        .select(&Selector::parse("table.units tbody tr").unwrap())
        .map(|r| r.select(&cell).map(text_of).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(rows.len(), 10, "{rows:?}");
    assert!(
        rows.contains(&"Northmoor Capital, credit 1 0 0 1 0 £220,000 £220,000".to_string()),
        "{rows:?}"
    );
    assert!(
        rows.contains(
            &"Northmoor Freight, transport planning 1 0 0 1 1 £190,000 £190,000".to_string()
        ),
        "{rows:?}"
    );
}

#[test]
fn a_question_the_next_step_asks_is_not_asked_again_under_its_mistake() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let report = report(project.path());
    for d in report["dossiers"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let html = page(project.path(), &format!("pilots/{id}/index.html"));
        let mut asked: Vec<&str> = html
            .match_indices("Question to answer: ")
            .map(|(at, _)| {
                let rest = &html[at..];
                &rest[..rest.find('<').unwrap_or(rest.len())]
            })
            .collect();
        let all = asked.len();
        asked.sort_unstable();
        asked.dedup();
        assert_eq!(asked.len(), all, "{id} asks a question twice: {asked:?}");
    }
    // Under its mistake, a check that is a step points to it.
    let html = page(
        project.path(),
        "pilots/visual-quality-inspection/index.html",
    );
    let links = texts(&html, ".checks-table .step-link");
    assert!(
        !links.is_empty() && links.iter().all(|l| l.starts_with("Step ")),
        "{links:?}"
    );
}
