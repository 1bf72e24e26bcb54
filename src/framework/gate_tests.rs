//! The way to ready and the gate to the next stage, one row per rule of
//! issue 17, with the built-in framework and with a project's own. The
//! dossiers are the complete one of `judge_tests` with a few answers
//! changed, read by the real reader.

use super::judge_tests::{AS_OF, dossier_text, read};
use super::{Framework, Verdict, judge, load_framework, path_to_ready, ready_for_next_stage};
use crate::dossier::Stage;

type Changes<'a> = &'a [(&'a str, Option<&'a str>)];

fn framework(project: Option<&str>) -> Framework {
    match project {
        Some(text) => load_framework(Some((text, "framework.toml"))).expect("a valid framework"),
        None => Framework::builtin(),
    }
}

/// The path to ready of a dossier, as check ids.
fn path(project: Option<&str>, stage: Stage, changes: Changes) -> Vec<String> {
    let fw = framework(project);
    let g = judge(&read(&dossier_text(stage, changes)), &fw, AS_OF, 90);
    path_to_ready(&g, &fw)
        .into_iter()
        .map(|i| fw.checks[i].id.clone())
        .collect()
}

/// One major failing in each mistake (none is active) and six minors:
/// readiness 78 at pilot with the built-in weights (75 of 96).
const SPREAD: Changes = &[
    ("framing.executive_sponsor", None),
    ("data.includes_edge_cases", Some("false")),
    ("governance.reviewer", None),
    ("change.communicated_on", None),
    ("metrics.technical.accuracy", None),
    ("data.consistency", Some("0.84")),
    ("data.exception_rate", Some("0.21")),
    ("governance.review_cadence", None),
    ("change.training", Some("generic")),
    ("change.feedback_loop", Some("false")),
    (
        "metrics.business",
        Some("[{name: Cycle time, baseline: 6.5, target: 3, direction: lower, actual: 2.8}]"),
    ),
];

struct Row {
    rule: &'static str,
    project: Option<&'static str>,
    changes: Changes<'static>,
    path: &'static [&'static str],
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    Row { rule: "a ready pilot has an empty path", project: None, changes: &[], path: &[] },
    Row {
        rule: "1. every failing blocker",
        project: None,
        changes: &[("framing.production_owner", None), ("framing.acceptance_criteria", None), ("data.source", Some("curated"))],
        path: &["framing.production-owner", "framing.acceptance-criteria", "data.production-data"],
    },
    Row {
        rule: "2. n - 1 of a mistake's n failing majors, the earlier ones",
        project: None,
        changes: &[("governance.owner", None), ("governance.reviewer", None), ("governance.exception_protocol", None)],
        path: &["governance.owner", "governance.reviewer"],
    },
    Row {
        rule: "1 then 2: blockers first, then the majors",
        project: None,
        changes: &[("governance.owner", None), ("governance.reviewer", None), ("framing.production_owner", None)],
        path: &["framing.production-owner", "governance.owner"],
    },
    Row {
        rule: "3. below the bar: heaviest first, ties in the framework's order",
        project: None,
        changes: SPREAD,
        path: &["framing.sponsor"],
    },
    Row {
        rule: "3. with a project's bar of 95: every major, then the first minor",
        project: Some("ready_at = 95\n"),
        changes: SPREAD,
        path: &["framing.sponsor", "data.edge-cases", "governance.reviewer", "change.communicated", "metrics.technical", "data.consistency"],
    },
    Row {
        rule: "3. with a project's weights, minors heavier than majors come first",
        project: Some("[weights]\nminor = 4\n"),
        changes: SPREAD,
        path: &["data.consistency", "data.exception-volume", "governance.review-cadence", "change.training"],
    },
    Row {
        rule: "1. a project's own blocker is on the path",
        project: Some("[[checks]]\nid = \"governance.security-review\"\ntitle = \"Security reviewed it\"\nseverity = { pilot = \"blocker\" }\npass_when = { answered = \"governance.reviewer\" }\n"),
        changes: &[("governance.reviewer", None)],
        path: &["governance.security-review"],
    },
    Row {
        rule: "2. a project that makes owner and reviewer minor leaves only the bar",
        project: Some("[[checks]]\nid = \"governance.owner\"\nseverity = { pilot = \"minor\" }\n\n[[checks]]\nid = \"governance.reviewer\"\nseverity = { pilot = \"minor\" }\n"),
        changes: &[("governance.owner", None), ("governance.reviewer", None), ("governance.exception_protocol", None)],
        path: &[],
    },
];

#[test]
fn every_rule_of_the_path_to_ready_gives_its_row() {
    for row in ROWS {
        assert_eq!(
            path(row.project, Stage::Pilot, row.changes),
            row.path,
            "{}",
            row.rule
        );
    }
}

#[test]
fn the_path_is_judged_at_the_pilots_own_stage() {
    // Unanswered owner: a major while piloting (alone: no path needed),
    // a blocker at scaling.
    assert!(path(None, Stage::Pilot, &[("governance.owner", None)]).is_empty());
    assert_eq!(
        path(None, Stage::Scaling, &[("governance.owner", None)]),
        ["governance.owner"]
    );
}

/// The gate to the next stage: its stage, verdict and blockers' ids.
fn gate(
    project: Option<&str>,
    stage: Stage,
    changes: Changes,
) -> Option<(Stage, Verdict, u32, Vec<String>)> {
    let fw = framework(project);
    let g = judge(&read(&dossier_text(stage, changes)), &fw, AS_OF, 90);
    g.next_stage.map(|n| {
        (
            n.stage,
            n.verdict,
            n.readiness,
            n.blockers
                .iter()
                .map(|i| fw.checks[*i].id.clone())
                .collect(),
        )
    })
}

#[test]
fn each_stage_has_its_next_one_and_production_and_abandoned_have_none() {
    for (stage, next) in [
        (Stage::Proposed, Some(Stage::Pilot)),
        (Stage::Pilot, Some(Stage::Scaling)),
        (Stage::Paused, Some(Stage::Scaling)),
        (Stage::Scaling, Some(Stage::Production)),
        (Stage::Production, None),
        (Stage::Abandoned, None),
    ] {
        assert_eq!(
            gate(None, stage, &[]).map(|g| g.0),
            next,
            "{}",
            stage.as_str()
        );
    }
}

#[test]
fn a_minor_while_piloting_becomes_a_blocker_at_scaling() {
    let changes: Changes = &[("change.training", Some("generic"))];
    let fw = Framework::builtin();
    let g = judge(&read(&dossier_text(Stage::Pilot, changes)), &fw, AS_OF, 90);
    assert_eq!(g.verdict, Verdict::Ready);
    let (stage, verdict, _, blockers) = gate(None, Stage::Pilot, changes).unwrap();
    assert_eq!(
        (stage, verdict, blockers),
        (
            Stage::Scaling,
            Verdict::AtRisk,
            vec!["change.training".to_string()]
        )
    );
    assert!(!ready_for_next_stage(&g));
}

#[test]
fn a_check_that_applies_only_at_the_next_stage_is_judged_there() {
    // adoption-level does not apply while piloting; at scaling it is a
    // failing minor, which lowers readiness there and blocks nothing.
    let changes: Changes = &[("change.adoption_rate", Some("0.5"))];
    let fw = Framework::builtin();
    let g = judge(&read(&dossier_text(Stage::Pilot, changes)), &fw, AS_OF, 90);
    assert_eq!(g.readiness, 100);
    let (_, verdict, readiness, blockers) = gate(None, Stage::Pilot, changes).unwrap();
    assert_eq!(verdict, Verdict::Ready);
    assert!(readiness < 100, "{readiness}");
    assert!(blockers.is_empty());
    assert!(ready_for_next_stage(&g));
}

#[test]
fn missing_actuals_block_production() {
    let changes: Changes = &[(
        "metrics.business",
        Some("[{name: Cycle time, baseline: 6.5, target: 3, direction: lower, owner: Dana}]"),
    )];
    let (stage, verdict, _, blockers) = gate(None, Stage::Scaling, changes).unwrap();
    assert_eq!(stage, Stage::Production);
    assert_eq!(verdict, Verdict::AtRisk);
    assert_eq!(blockers, ["metrics.production-actuals"]);
}

#[test]
fn a_project_framework_sets_the_next_stages_severities_and_bar() {
    let changes: Changes = &[("change.training", Some("generic"))];
    let minor = "[[checks]]\nid = \"change.training\"\nseverity = { scaling = \"minor\" }\n";
    let (_, verdict, readiness, blockers) = gate(Some(minor), Stage::Pilot, changes).unwrap();
    assert_eq!((verdict, blockers.len()), (Verdict::Ready, 0));
    let strict = format!("ready_at = {}\n{minor}", readiness + 1);
    let (_, verdict, _, _) = gate(Some(&strict), Stage::Pilot, changes).unwrap();
    assert_eq!(verdict, Verdict::AtRisk);
}
