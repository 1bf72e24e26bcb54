//! What the pages say, checked on the built site: figures whose names belong
//! to them, dossiers that could not be read said on the tiles and in the
//! report, the rule behind a pilot's "Next step", the FAQ's word on outside
//! partners, and the facts under a pilot's title.
//!
//! Every build runs as a user runs it: from inside the project folder, with
//! no `--root`, into the project's own `site/`.

use std::collections::BTreeSet;

use scraper::{Html, Selector};
use serde_json::Value;

use crate::common::{build_in, page, project_from, repo_root, report, text_of};

/// The live figures of the FAQ whose text contains `words` (the same figure
/// may stand beside several answers): each sentence and the titles it links
/// to.
fn faq_figures(html: &str, words: &str) -> Vec<(String, BTreeSet<String>)> {
    let doc = Html::parse_document(html);
    let figure = Selector::parse(".live-figure p").unwrap();
    let link = Selector::parse("a").unwrap();
    let found: Vec<_> = doc
        .select(&figure)
        .filter(|p| text_of(*p).contains(words))
        .map(|p| (text_of(p), p.select(&link).map(text_of).collect()))
        .collect();
    assert!(!found.is_empty(), "a live figure says “{words}”");
    found
}

fn titles_where(report: &Value, keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    report["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| keep(d))
        .map(|d| d["title"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------- issue 11, §3.3

#[test]
fn every_pilot_the_faq_names_after_a_figure_belongs_to_that_figure() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let report = report(project.path());
    let faq = page(project.path(), "faq/index.html");
    let purgatory = |d: &Value| {
        d["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "purgatory")
    };

    let expected = titles_where(&report, purgatory);
    assert!(!expected.is_empty(), "the example has a pilot in purgatory");
    for (sentence, named) in faq_figures(&faq, "is in purgatory") {
        assert_eq!(named, expected, "{sentence}");
        assert!(!sentence.contains('£'), "one figure a sentence: {sentence}");
    }

    let expected = titles_where(&report, |d| {
        d["verdict"] == "not_ready" || purgatory(d) || d["stage"] == "abandoned"
    });
    assert!(
        expected.len() > titles_where(&report, purgatory).len(),
        "the example has budget at risk outside purgatory"
    );
    for (sentence, named) in faq_figures(&faq, "is committed to pilots") {
        assert_eq!(named, expected, "{sentence}");
    }
}

// ---------------------------------------------------------------- issue 11, §3.6

#[test]
fn the_tiles_and_the_report_say_how_many_dossiers_could_not_be_read() {
    let project = project_from(&repo_root().join("tests/fixtures/site"));
    build_in(project.path(), 1);
    let report = report(project.path());
    assert_eq!(report["unread"], 1, "{report:#}");
    assert_eq!(report["dossiers"].as_array().unwrap().len(), 3);
    // The contract's keys are still there, as they were.
    for key in ["as_of", "dossiers", "errors"] {
        assert!(report.get(key).is_some(), "report.json has `{key}`");
    }

    let index = Html::parse_document(&page(project.path(), "index.html"));
    let tile = |label: &str| {
        let sel = Selector::parse(".figure").unwrap();
        let label_sel = Selector::parse(".figure-label").unwrap();
        index
            .select(&sel)
            .find(|f| f.select(&label_sel).any(|l| text_of(l) == label))
            .map(text_of)
            .unwrap_or_else(|| panic!("a tile labelled {label}"))
    };
    let pilots = tile("Pilots");
    assert!(pilots.starts_with("3 Pilots"), "{pilots}");
    assert!(
        pilots.contains("1 dossier could not be read and is not counted"),
        "{pilots}"
    );
    let budget = tile("Budget at risk");
    assert!(
        budget.contains("not counting 1 dossier that could not be read"),
        "{budget}"
    );
}

#[test]
fn a_portfolio_read_whole_has_no_word_about_unread_dossiers() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    assert_eq!(report(project.path())["unread"], 0);
    let index = page(project.path(), "index.html");
    assert!(!index.contains("could not be read"), "{index}");
}

// ---------------------------------------------------------------- issue 11, §3.7

#[test]
fn a_pilot_page_says_why_its_next_step_names_that_mistake_and_shows_failing_weights() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    // Framing fails the most weight (20) while governance scores lower (19).
    let html = page(
        project.path(),
        "pilots/visual-quality-inspection/index.html",
    );
    let doc = Html::parse_document(&html);
    let one = |css: &str| {
        doc.select(&Selector::parse(css).unwrap())
            .next()
            .map(text_of)
            .unwrap_or_else(|| panic!("{css} on the page"))
    };
    assert!(
        one(".next-step .next-diagnosis")
            .starts_with("Most active mistake: framed as a technology experiment."),
    );
    let why = one(".next-why");
    assert!(
        why.starts_with("Named because its failing checks weigh the most: 20"),
        "{why}"
    );
    assert!(
        why.contains(
            "“No governance bridge to production” scores lower (19) but fails less weight (13)"
        ),
        "{why}"
    );
    let bars: Vec<String> = doc
        .select(&Selector::parse(".chart .bar").unwrap())
        .map(text_of)
        .collect();
    assert_eq!(
        bars,
        [
            "Framing 35 / 100 (failing weight 20)",
            "Data 65 / 100 (failing weight 7)",
            "Governance 19 / 100 (failing weight 13)",
            "Change management 35 / 100 (failing weight 11)",
            "Metrics 25 / 100 (failing weight 9)",
        ]
    );
    assert!(one(".chart-note").contains("the most failing weight"));
    assert!(
        html.contains("score 19 · failing weight 13"),
        "the mistake's own header"
    );

    let framework = page(project.path(), "framework/index.html");
    assert!(
        framework.contains("is the mistake whose failing checks weigh the most"),
        "the Framework page states the rule"
    );
}

// ---------------------------------------------------------------- issue 11, §3.8

#[test]
fn the_faq_says_a_transformation_partner_is_accountable_for_the_outcome() {
    // The example's own FAQ, and the built-in one a project without
    // `content/faq.md` gets.
    let example = project_from(&repo_root());
    build_in(example.path(), 0);
    let bare = tempfile::tempdir().unwrap();
    std::fs::create_dir(bare.path().join("content")).unwrap();
    std::fs::copy(
        repo_root().join("tests/fixtures/site/content/invoice-matching.md"),
        bare.path().join("content/invoice-matching.md"),
    )
    .unwrap();
    build_in(bare.path(), 0);
    for project in [example.path(), bare.path()] {
        let doc = Html::parse_document(&page(project, "faq/index.html"));
        let answer = doc
            .select(&Selector::parse("#outside-partner").unwrap())
            .next()
            .map(text_of)
            .expect("the outside-partner topic");
        assert!(!answer.contains("cannot do is own the result"), "{answer}");
        assert!(
            answer.contains("transformation partner")
                && answer.contains("accountable for the business outcome"),
            "{answer}"
        );
    }
}

// ---------------------------------------------------------------- issue 14, §2

#[test]
fn the_facts_a_leader_asks_first_are_in_a_strip_under_the_title() {
    let project = project_from(&repo_root().join("tests/fixtures/site"));
    build_in(project.path(), 1);
    let html = page(project.path(), "pilots/yard-vision/index.html");
    let doc = Html::parse_document(&html);
    let facts: Vec<(String, String)> = doc
        .select(&Selector::parse(".pilot-head .fact-strip > div").unwrap())
        .map(|d| {
            let dt = d.select(&Selector::parse("dt").unwrap()).next().unwrap();
            let dd = d.select(&Selector::parse("dd").unwrap()).next().unwrap();
            (text_of(dt), text_of(dd))
        })
        .collect();
    assert_eq!(
        facts,
        [
            ("Stage", "Pilot"),
            ("Owner", "not answered"),
            ("Sponsor", "CIO"),
            ("Budget", "€210,000"),
            ("Decision due", "2026-09-30 57 days overdue"),
            ("Last reviewed", "2026-06-15 164 days ago"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(
        html.contains(r#"<span class="stage-badge stage-pilot">Pilot</span>"#),
        "the stage is a badge of its own"
    );
    let eyebrow = doc
        .select(&Selector::parse(".pilot-head .eyebrow").unwrap())
        .next()
        .map(text_of)
        .unwrap();
    assert_eq!(eyebrow, "vision · yard", "tags only, without the stage");
    assert!(
        html.find("fact-strip").unwrap() < html.find("verdict-panel").unwrap(),
        "the strip comes before the verdict"
    );
}

#[test]
fn a_decision_still_ahead_says_the_days_left() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let html = page(
        project.path(),
        "pilots/visual-quality-inspection/index.html",
    );
    assert!(
        html.contains(r#"2026-12-18 <span class="strip-note">in 22 days</span>"#),
        "{html}"
    );
}

// ---------------------------------------------------------------- issue 22, §6

#[test]
fn the_framework_page_quotes_the_figures_with_their_sources_and_the_faq_keeps_the_sources_words() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    let framework = page(project.path(), "framework/index.html");
    for (figure, source) in [
        (
            "Only about a third (33%) of AI pilots reach production.",
            "(Astrafy)",
        ),
        ("80.3% of AI projects fail", "(RAND Corporation, 2025)"),
        (
            "Only 26% of companies generate tangible value from AI",
            "(BCG)",
        ),
        (
            "Only 21% of organisations have a mature governance model",
            "(Deloitte, State of AI in the Enterprise 2026)",
        ),
        (
            "cited most, by 43% of organisations",
            "(Informatica, CDO Insights 2025)",
        ),
    ] {
        let at = framework.find(figure).unwrap_or_else(|| panic!("{figure}"));
        let rest = &framework[at..];
        assert!(
            rest[..rest.find("</li>").unwrap()].contains(source),
            "{figure}: {source}"
        );
    }
    assert!(framework.contains(
        "four components: the owner, the reviewer, the exception protocol and the refresh cadence"
    ));
    assert!(
        framework.contains("are this framework&#39;s additions")
            || framework.contains("are this framework's additions")
    );

    let faq = page(project.path(), "faq/index.html");
    assert!(
        faq.contains("only 26% of companies generate tangible value from AI"),
        "BCG"
    );
    let model = &faq[faq.find("id=\"governance-model-names\"").unwrap()..];
    let model = &model[..model.find("</section>").unwrap()];
    assert!(model.contains("Four components"), "{model}");
    assert!(model.contains("This framework adds two more"), "{model}");
}

// ---------------------------------------------------------------- issue 22, §3

/// A project of `readable` (the one ready pilot, at stage scaling) and
/// `unread` dossiers that cannot be read.
fn partly_unreadable(readable: bool, unread: usize) -> tempfile::TempDir {
    let project = tempfile::tempdir().unwrap();
    let content = project.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    if readable {
        std::fs::copy(
            repo_root().join("content/supplier-invoice-matching.md"),
            content.join("invoices.md"),
        )
        .unwrap();
    }
    for i in 0..unread {
        std::fs::write(
            content.join(format!("broken-{i}.md")),
            "---\ntitle: Broken\nstage: pilot\ndecision_due: next month\n---\n",
        )
        .unwrap();
    }
    project
}

/// The page's text, one space between words.
fn words_of(html: &str) -> String {
    let doc = Html::parse_document(html);
    text_of(doc.root_element())
}

#[test]
fn every_share_on_the_site_says_what_it_is_a_share_of_when_dossiers_cannot_be_read() {
    let project = partly_unreadable(true, 3);
    build_in(project.path(), 1);
    let index = words_of(&page(project.path(), "index.html"));
    assert!(
        index.contains(
            "1 of 1 readable pilot is in production or scaling; 3 dossiers cannot be read"
        ),
        "{index}"
    );
    assert!(
        index.contains(
            "Every readable pilot (1 of 1) is ready at its stage; 3 dossiers cannot be read."
        ),
        "{index}"
    );
    assert!(!index.contains("Every pilot is ready"), "{index}");
    for tile in ["Ready", "At risk", "Not ready", "In purgatory"] {
        assert!(
            index.contains(&format!("{tile} ")),
            "a tile labelled {tile}"
        );
    }
    assert!(
        index.matches("of 1 readable pilot").count() >= 4,
        "each count tile says its base: {index}"
    );
    assert!(
        index.contains("3 dossiers could not be read and are not counted"),
        "the first tile says what is not counted: {index}"
    );
    let faq = words_of(&page(project.path(), "faq/index.html"));
    assert!(
        faq.contains(
            "1 of 1 readable pilot (100%) are in production or scaling; 3 dossiers cannot be read:"
        ),
        "{faq}"
    );
    let pack = words_of(&page(project.path(), "pack/index.html"));
    assert!(
        pack.contains("1 pilot · 3 dossiers could not be read and are not counted"),
        "{pack}"
    );
    assert!(
        pack.matches("of 1 readable pilot").count() >= 4,
        "the pack's tiles say the same as the page's: {pack}"
    );

    // Nothing can be read: no share, and no claim about every pilot.
    let project = partly_unreadable(false, 4);
    build_in(project.path(), 1);
    let index = words_of(&page(project.path(), "index.html"));
    assert!(!index.contains("100%"), "{index}");
    assert!(!index.contains("0%"), "{index}");
    assert!(!index.contains("is ready at its stage"), "{index}");
    assert!(
        index.contains(
            "No dossier can be read, so there is no share to give: 4 dossiers cannot be read."
        ),
        "{index}"
    );
}

#[test]
fn in_purgatory_and_overdue_each_say_their_rule_where_they_are_shown() {
    let project = project_from(&repo_root());
    build_in(project.path(), 0);
    for path in ["index.html", "pack/index.html"] {
        let shown = words_of(&page(project.path(), path));
        assert!(
            shown.contains(
                "In purgatory at stage pilot or paused, past the go / no-go date without a decision"
            ),
            "{path}: {shown}"
        );
        assert!(
            shown.contains("Overdue: the go / no-go date has passed, at any stage before production; those at stage pilot or paused are the pilots in purgatory"),
            "{path}: {shown}"
        );
    }
}

// ---------------------------------------------------------------- issue 22, §4

/// A project of one dossier, the example's client email triage with its
/// `executive_sponsor` key misspelt `exectuive_sponsor`, built; and the
/// line of the misspelt key.
fn misspelled_sponsor() -> (tempfile::TempDir, usize) {
    let project = tempfile::tempdir().unwrap();
    let content = project.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    let triage = std::fs::read_to_string(repo_root().join("content/client-email-triage.md"))
        .unwrap()
        .replace("executive_sponsor:", "exectuive_sponsor:");
    let line = triage
        .lines()
        .position(|l| l.contains("exectuive_sponsor:"))
        .unwrap()
        + 1;
    std::fs::write(content.join("triage.md"), &triage).unwrap();
    build_in(project.path(), 0);
    (project, line)
}

#[test]
fn a_misspelled_key_is_said_on_the_pilot_page_beside_the_answer_it_leaves_unanswered() {
    let (project, line) = misspelled_sponsor();
    let html = page(project.path(), "pilots/triage/index.html");
    let doc = Html::parse_document(&html);
    let strip = Selector::parse(".fact-strip div").unwrap();
    let (dt, dd) = (
        Selector::parse("dt").unwrap(),
        Selector::parse("dd").unwrap(),
    );
    let fact = |label: &str| {
        doc.select(&strip)
            .find(|f| f.select(&dt).map(text_of).any(|t| t == label))
            .and_then(|f| f.select(&dd).next().map(text_of))
            .unwrap_or_else(|| panic!("the strip has {label}"))
    };
    assert_eq!(
        fact("Sponsor"),
        format!(
            "not answered — did you mean framing.executive_sponsor? (content/triage.md:{line}:3)"
        ),
    );
    assert!(
        html.contains("did you mean <code>framing.executive_sponsor</code>?"),
        "the key is shown as code"
    );
    // And beside the check it leaves unanswered, in the next step.
    let step = Selector::parse(r#".next-remedies li[data-check="framing.sponsor"]"#).unwrap();
    let step = doc
        .select(&step)
        .next()
        .map(text_of)
        .expect("the sponsor is a step");
    assert!(
        step.contains(&format!(
            "? — did you mean framing.executive_sponsor? (content/triage.md:{line}:3)"
        )),
        "{step}"
    );
    // An answered fact has no word of it.
    let owner = fact("Owner");
    assert!(!owner.contains("did you mean"), "{owner}");
}

#[test]
fn a_misspelled_key_is_said_on_the_pilots_sheet_of_the_board_pack_as_on_its_page() {
    let (project, line) = misspelled_sponsor();
    let html = page(project.path(), "pack/index.html");
    let doc = Html::parse_document(&html);
    let said = format!("did you mean framing.executive_sponsor? (content/triage.md:{line}:3)");
    let facts = Selector::parse(".pack-pilot .pack-facts div").unwrap();
    let (dt, dd) = (
        Selector::parse("dt").unwrap(),
        Selector::parse("dd").unwrap(),
    );
    let sponsor = doc
        .select(&facts)
        .find(|f| f.select(&dt).map(text_of).any(|t| t == "Sponsor"))
        .and_then(|f| f.select(&dd).next().map(text_of))
        .expect("the sheet has the sponsor");
    assert_eq!(sponsor, format!("not answered — {said}"));
    // And beside the check it leaves unanswered, as a step or as failing.
    let checks = Selector::parse(".pack-pilot li").unwrap();
    let check = doc
        .select(&checks)
        .map(text_of)
        .find(|c| c.contains("Not answered: Which executive sponsors the change"))
        .unwrap_or_else(|| panic!("the sponsor's check is on the sheet: {html}"));
    assert!(check.contains(&format!("? — {said}")), "{check}");
    assert!(
        html.contains("did you mean <code>framing.executive_sponsor</code>?"),
        "the key is shown as code"
    );
}
