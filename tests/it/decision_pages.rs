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
fn the_next_step_gives_the_failing_checks_remedy_before_the_mistakes_fix() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    // Ready, with one failing check: a KPI that misses its target.
    let html = page(
        project.path(),
        "pilots/supplier-invoice-matching/index.html",
    );
    let remedies = texts(&html, ".next-step .next-remedies .remedy");
    assert_eq!(remedies.len(), 1, "{remedies:?}");
    assert!(
        remedies[0].starts_with("Remedy: Find why each missed KPI"),
        "{remedies:?}"
    );
    let step = texts(&html, ".next-step").concat();
    let remedy = step.find("Find why each missed KPI").unwrap();
    let fix = step
        .find("the mistake's general fix")
        .expect("the general fix");
    assert!(remedy < fix, "the check's remedy comes first: {step}");

    // Several failing checks: the heaviest first.
    let html = page(
        project.path(),
        "pilots/visual-quality-inspection/index.html",
    );
    let severities = texts(&html, ".next-step .next-remedies .sev");
    let weight = |s: &str| match s {
        "blocker" => 3,
        "major" => 2,
        _ => 1,
    };
    assert!(severities.len() > 2, "{severities:?}");
    assert!(
        severities
            .windows(2)
            .all(|w| weight(&w[0]) >= weight(&w[1])),
        "most weight first: {severities:?}"
    );
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
        html.contains(r#"<code class="check-id">framing.business-outcome</code>"#),
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
    let folded = Selector::parse("details.passing-checks tr.outcome-pass").unwrap();
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
    // The five mistakes in one cell: each its symbol, its status in words
    // for a screen reader, and its score in the tooltip (the pilot's page
    // shows every score).
    let marks = texts(
        &index,
        "table.pilots tbody tr:first-child .mistake-cells .mini",
    );
    assert_eq!(marks.len(), 5, "{marks:?}");
    assert!(
        marks[0].contains("Framed as a technology experiment: active"),
        "{marks:?}"
    );
    let titles: Vec<String> = Html::parse_document(&index)
        .select(&Selector::parse("table.pilots tbody tr:first-child .mistake-cells .mini").unwrap())
        .filter_map(|e| e.value().attr("title").map(str::to_string))
        .collect();
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
