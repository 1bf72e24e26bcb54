//! Table-driven tests of the default framework against the contract
//! (`framework.md`, "Default evaluation rules"): every check at every stage,
//! with each outcome it can have, then statuses, scores, readiness, the most
//! active mistake, the verdict and the flags.
//!
//! The contract's severity table is copied below as data and compared with
//! what judging the built-in framework gives, so a drift in `default.toml`
//! (or in how a stage picks its column) fails here with the check and stage
//! named. Dossiers are built from YAML text and read by the real reader, so
//! these tests also pin how answers are read before they are judged.

use std::collections::BTreeMap;

use jiff::civil::{Date, date};

use super::{Diagnosis, Flag, Framework, Mistake, Outcome, Severity, Status, Verdict, judge};
use crate::dossier::{Dossier, Stage, load_text};

// ---------------------------------------------------------------- the contract

/// The severity table of the contract, column by column: proposed, pilot,
/// scaling, production (`-`: the check does not apply).
#[rustfmt::skip]
const CONTRACT: &[(&str, &str)] = &[
    //                                 proposed/pilot/scaling/production
    ("framing.production-owner",      "blocker blocker blocker blocker"),
    ("framing.owner-before-start",    "-       major   major   major"),
    ("framing.sponsor",               "major   major   major   major"),
    ("framing.process-change",        "major   major   major   major"),
    ("framing.acceptance-criteria",   "blocker blocker blocker blocker"),
    ("framing.business-outcome",      "major   major   major   major"),
    ("framing.business-led",          "minor   major   major   major"),
    ("framing.integration-plan",      "minor   major   major   major"),
    ("framing.rollback-plan",         "minor   major   blocker blocker"),
    ("data.production-data",          "blocker blocker blocker blocker"),
    ("data.edge-cases",               "major   major   major   major"),
    ("data.audit",                    "major   major   major   major"),
    ("data.completeness",             "major   major   major   major"),
    ("data.consistency",              "minor   minor   minor   minor"),
    ("data.exception-volume",         "minor   minor   minor   minor"),
    ("data.audit-before-start",       "-       minor   minor   minor"),
    ("data.gaps-addressed",           "minor   major   major   major"),
    ("governance.owner",              "minor   major   blocker blocker"),
    ("governance.reviewer",           "minor   major   blocker blocker"),
    ("governance.exception-protocol", "minor   major   blocker blocker"),
    ("governance.refresh-cadence",    "minor   major   blocker blocker"),
    ("governance.review-cadence",     "-       minor   minor   minor"),
    ("governance.handoff",            "-       major   major   major"),
    ("change.affected-roles",         "major   major   major   major"),
    ("change.users-involved",         "major   major   blocker blocker"),
    ("change.communicated",           "minor   major   major   major"),
    ("change.training",               "-       minor   blocker blocker"),
    ("change.escalation-path",        "minor   major   major   major"),
    ("change.adoption-measured",      "-       major   major   blocker"),
    ("change.adoption-level",         "-       -       minor   major"),
    ("change.feedback-loop",          "-       minor   major   major"),
    ("metrics.technical",             "-       major   minor   -"),
    ("metrics.business-kpis",         "blocker blocker blocker blocker"),
    ("metrics.agreed-before-start",   "-       major   major   major"),
    ("metrics.kpi-owner",             "minor   minor   minor   minor"),
    ("metrics.production-actuals",    "-       -       major   blocker"),
    ("metrics.targets-met",           "-       -       minor   major"),
];

/// Every stage, with the column of the contract it is judged by: paused and
/// abandoned pilots are judged as pilots.
const STAGES: [(Stage, usize); 6] = [
    (Stage::Proposed, 0),
    (Stage::Pilot, 1),
    (Stage::Scaling, 2),
    (Stage::Production, 3),
    (Stage::Paused, 1),
    (Stage::Abandoned, 1),
];

fn contract_severity(check: &str, column: usize) -> Option<Severity> {
    let (_, row) = CONTRACT
        .iter()
        .find(|(id, _)| *id == check)
        .unwrap_or_else(|| panic!("{check} is not in the contract table"));
    match row.split_whitespace().nth(column).expect("four columns") {
        "blocker" => Some(Severity::Blocker),
        "major" => Some(Severity::Major),
        "minor" => Some(Severity::Minor),
        "-" => None,
        other => panic!("unknown severity {other}"),
    }
}

// ---------------------------------------------------------------- building dossiers

/// A dossier that passes every check at every stage, as dotted paths and the
/// YAML written after the key.
const COMPLETE: &[(&str, &str)] = &[
    ("title", "Invoice matching assistant"),
    ("started", "2026-03-01"),
    ("decision_due", "2026-12-31"),
    ("updated", "2026-11-01"),
    ("framing.production_owner", "Dana Ruiz, AP director"),
    ("framing.owner_named_on", "2026-02-01"),
    ("framing.executive_sponsor", "CFO"),
    ("framing.led_by", "business"),
    ("framing.process_change", "Clerks review exceptions only"),
    ("framing.acceptance_criteria", "[Cycle time under 3 days]"),
    ("framing.success_defined_as", "business_outcome"),
    (
        "framing.integration_plan",
        "Suggestions inside the ERP approval screen",
    ),
    ("framing.rollback_plan", "The manual queue stays live"),
    ("data.source", "production_sample"),
    ("data.includes_edge_cases", "true"),
    ("data.completeness", "0.95"),
    ("data.consistency", "0.90"),
    ("data.exception_rate", "0.10"),
    ("data.audited_on", "2026-02-15"),
    ("governance.owner", "Dana Ruiz"),
    ("governance.reviewer", "Finance systems analyst"),
    ("governance.review_cadence", "monthly"),
    (
        "governance.exception_protocol",
        "Low-confidence matches go to the exception queue",
    ),
    ("governance.refresh_cadence", "quarterly"),
    ("change.affected_roles", "[AP clerks]"),
    ("change.users_involved", "true"),
    ("change.communicated_on", "2026-02-20"),
    ("change.training", "real_scenarios"),
    ("change.escalation_path", "Supervisor on duty"),
    ("change.feedback_loop", "true"),
    ("change.adoption_rate", "0.75"),
    ("metrics.technical.accuracy", "0.94"),
    ("metrics.technical.exception_rate", "0.08"),
    ("metrics.technical.throughput", "1200 invoices a day"),
    (
        "metrics.business",
        "[{name: Cycle time, baseline: 6.5, target: 3, direction: lower, actual: 2.8, owner: Dana Ruiz}]",
    ),
    ("metrics.thresholds_agreed_on", "2026-02-10"),
];

pub(super) const AS_OF: Date = date(2026, 11, 26);

/// Changes to [`COMPLETE`]: `Some` sets a value, `None` removes the answer.
type Changes = &'static [(&'static str, Option<&'static str>)];

enum Yaml {
    Leaf(String),
    Map(BTreeMap<String, Yaml>),
}

fn render(map: &BTreeMap<String, Yaml>, indent: usize, out: &mut String) {
    for (key, value) in map {
        match value {
            Yaml::Leaf(v) => out.push_str(&format!("{:indent$}{key}: {v}\n", "")),
            Yaml::Map(inner) => {
                out.push_str(&format!("{:indent$}{key}:\n", ""));
                render(inner, indent + 2, out);
            }
        }
    }
}

/// The text of a dossier at `stage`: [`COMPLETE`] with `changes` applied.
pub(super) fn dossier_text(stage: Stage, changes: &[(&str, Option<&str>)]) -> String {
    let mut answers: BTreeMap<&str, &str> = COMPLETE.iter().copied().collect();
    answers.insert("stage", stage.as_str());
    for (path, value) in changes {
        match value {
            Some(v) => answers.insert(path, v),
            None => answers.remove(path),
        };
    }
    let mut root = BTreeMap::new();
    for (path, value) in answers {
        let mut parts: Vec<&str> = path.split('.').collect();
        let key = parts.pop().expect("a key");
        let mut node = &mut root;
        for p in parts {
            let Yaml::Map(inner) = node
                .entry(p.to_string())
                .or_insert_with(|| Yaml::Map(BTreeMap::new()))
            else {
                panic!("{p} is a value")
            };
            node = inner;
        }
        node.insert(key.to_string(), Yaml::Leaf(value.to_string()));
    }
    let mut out = String::from("---\n");
    render(&root, 0, &mut out);
    out.push_str("---\nThe story.\n");
    out
}

pub(super) fn read(text: &str) -> Dossier {
    let loaded = load_text(text.as_bytes(), "content/t.md", "t.md", "t");
    match loaded.dossier {
        Some(d) => d,
        None => panic!(
            "the test dossier does not read:\n{text}\n{:#?}",
            loaded.diagnostics
        ),
    }
}

/// A diagnosis with the dossier it is of, which its messages are made from.
struct Judged {
    dossier: Dossier,
    diagnosis: Diagnosis,
}

impl std::ops::Deref for Judged {
    type Target = Diagnosis;

    fn deref(&self) -> &Diagnosis {
        &self.diagnosis
    }
}

fn diagnose(stage: Stage, changes: &[(&str, Option<&str>)]) -> Judged {
    let dossier = read(&dossier_text(stage, changes));
    let diagnosis = judge(&dossier, &Framework::builtin(), AS_OF, 90);
    Judged { dossier, diagnosis }
}

/// The severity, outcome and message of one check, `None` when it does
/// not apply.
fn result_of(g: &Judged, check: &str) -> Option<(Severity, Outcome, String)> {
    let fw = Framework::builtin();
    g.checks
        .iter()
        .find(|c| fw.checks[c.check].id == check)
        .map(|c| (c.severity, c.outcome, c.message(&fw, &g.dossier)))
}

fn outcome(check: &str, stage: Stage, changes: &[(&str, Option<&str>)]) -> Outcome {
    let g = diagnose(stage, changes);
    result_of(&g, check)
        .unwrap_or_else(|| panic!("{check} does not apply at {}", stage.as_str()))
        .1
}

// ---------------------------------------------------------------- the table

/// One row: a check, the outcome expected, and the changes to a complete
/// dossier that lead to it.
struct Case {
    check: &'static str,
    outcome: Outcome,
    why: &'static str,
    changes: Changes,
}

const fn case(check: &'static str, outcome: Outcome, why: &'static str, changes: Changes) -> Case {
    Case {
        check,
        outcome,
        why,
        changes,
    }
}

use Outcome::{Fail, Pass, Unanswered};

const KPI_NO_BASELINE: &str = "[{name: Cycle time, target: 3, actual: 2.8, owner: Dana}]";
const KPI_NO_TARGET: &str = "[{name: Cycle time, baseline: 6.5, actual: 2.8, owner: Dana}]";
const KPI_NO_OWNER: &str = "[{name: Cycle time, baseline: 6.5, target: 3, actual: 2.8}]";
const KPI_NO_ACTUAL: &str = "[{name: Cycle time, baseline: 6.5, target: 3, owner: Dana}]";
const KPI_SECOND_NO_BASELINE: &str = "[{name: Cycle time, baseline: 6.5, target: 3, actual: 2.8, owner: Dana}, {name: Errors, target: 1, actual: 1, owner: Dana}]";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // framing
    case("framing.production-owner", Pass, "named", &[]),
    case("framing.production-owner", Unanswered, "missing", &[("framing.production_owner", None)]),
    case("framing.production-owner", Unanswered, "blank", &[("framing.production_owner", Some("\"   \""))]),
    case("framing.owner-before-start", Pass, "before", &[]),
    case("framing.owner-before-start", Pass, "on the same day", &[("framing.owner_named_on", Some("2026-03-01"))]),
    case("framing.owner-before-start", Fail, "after", &[("framing.owner_named_on", Some("2026-03-02"))]),
    case("framing.owner-before-start", Unanswered, "no owner date", &[("framing.owner_named_on", None)]),
    case("framing.owner-before-start", Unanswered, "no start date", &[("started", None)]),
    case("framing.sponsor", Pass, "named", &[]),
    case("framing.sponsor", Unanswered, "missing", &[("framing.executive_sponsor", None)]),
    case("framing.process-change", Pass, "named", &[]),
    case("framing.process-change", Unanswered, "missing", &[("framing.process_change", None)]),
    case("framing.acceptance-criteria", Pass, "a list", &[]),
    case("framing.acceptance-criteria", Pass, "one line of text", &[("framing.acceptance_criteria", Some("Cycle time under 3 days"))]),
    case("framing.acceptance-criteria", Unanswered, "missing", &[("framing.acceptance_criteria", None)]),
    case("framing.acceptance-criteria", Unanswered, "empty list", &[("framing.acceptance_criteria", Some("[]"))]),
    case("framing.acceptance-criteria", Unanswered, "blank items", &[("framing.acceptance_criteria", Some("[\"\", \"  \"]"))]),
    case("framing.business-outcome", Pass, "business_outcome", &[]),
    case("framing.business-outcome", Fail, "accuracy", &[("framing.success_defined_as", Some("accuracy"))]),
    case("framing.business-outcome", Fail, "demo", &[("framing.success_defined_as", Some("demo"))]),
    case("framing.business-outcome", Unanswered, "missing", &[("framing.success_defined_as", None)]),
    case("framing.business-led", Pass, "business", &[]),
    case("framing.business-led", Fail, "it", &[("framing.led_by", Some("it"))]),
    case("framing.business-led", Fail, "vendor", &[("framing.led_by", Some("vendor"))]),
    case("framing.business-led", Unanswered, "missing", &[("framing.led_by", None)]),
    case("framing.integration-plan", Pass, "given", &[]),
    case("framing.integration-plan", Unanswered, "missing", &[("framing.integration_plan", None)]),
    case("framing.rollback-plan", Pass, "given", &[]),
    case("framing.rollback-plan", Unanswered, "missing", &[("framing.rollback_plan", None)]),
    // data
    case("data.production-data", Pass, "production_sample", &[]),
    case("data.production-data", Pass, "production", &[("data.source", Some("production"))]),
    case("data.production-data", Fail, "historical_extract", &[("data.source", Some("historical_extract"))]),
    case("data.production-data", Fail, "curated", &[("data.source", Some("curated"))]),
    case("data.production-data", Fail, "synthetic", &[("data.source", Some("synthetic"))]),
    case("data.production-data", Unanswered, "missing", &[("data.source", None)]),
    case("data.edge-cases", Pass, "true", &[]),
    case("data.edge-cases", Fail, "false", &[("data.includes_edge_cases", Some("false"))]),
    case("data.edge-cases", Unanswered, "missing", &[("data.includes_edge_cases", None)]),
    case("data.audit", Pass, "all three", &[]),
    case("data.audit", Unanswered, "no completeness", &[("data.completeness", None)]),
    case("data.audit", Unanswered, "no consistency", &[("data.consistency", None)]),
    case("data.audit", Unanswered, "no exception rate", &[("data.exception_rate", None)]),
    case("data.completeness", Pass, "exactly 90%", &[("data.completeness", Some("0.90"))]),
    case("data.completeness", Pass, "as a percentage", &[("data.completeness", Some("\"90%\""))]),
    case("data.completeness", Fail, "89%", &[("data.completeness", Some("0.89"))]),
    case("data.completeness", Unanswered, "missing", &[("data.completeness", None)]),
    case("data.consistency", Pass, "exactly 85%", &[("data.consistency", Some("\"85%\""))]),
    case("data.consistency", Fail, "84%", &[("data.consistency", Some("0.84"))]),
    case("data.consistency", Unanswered, "missing", &[("data.consistency", None)]),
    case("data.exception-volume", Pass, "exactly 20%", &[("data.exception_rate", Some("0.20"))]),
    case("data.exception-volume", Fail, "21%", &[("data.exception_rate", Some("0.21"))]),
    case("data.exception-volume", Unanswered, "missing", &[("data.exception_rate", None)]),
    case("data.audit-before-start", Pass, "before", &[]),
    case("data.audit-before-start", Pass, "on the same day", &[("data.audited_on", Some("2026-03-01"))]),
    case("data.audit-before-start", Fail, "after", &[("data.audited_on", Some("2026-04-01"))]),
    case("data.audit-before-start", Unanswered, "no audit date", &[("data.audited_on", None)]),
    case("data.audit-before-start", Unanswered, "no start date", &[("started", None)]),
    case("data.gaps-addressed", Pass, "no gaps listed", &[]),
    case("data.gaps-addressed", Pass, "an empty list", &[("data.known_gaps", Some("[]"))]),
    case("data.gaps-addressed", Pass, "every gap addressed", &[("data.known_gaps", Some("[{gap: Ids differ, addressed: true}, {gap: Scans, addressed: true}]"))]),
    case("data.gaps-addressed", Fail, "one gap open", &[("data.known_gaps", Some("[{gap: Ids differ, addressed: true}, {gap: Scans, addressed: false}]"))]),
    case("data.gaps-addressed", Fail, "a gap without `addressed`", &[("data.known_gaps", Some("[{gap: Ids differ}]"))]),
    case("data.gaps-addressed", Fail, "a gap as plain text", &[("data.known_gaps", Some("[Ids differ between plants]"))]),
    // governance
    case("governance.owner", Pass, "named", &[]),
    case("governance.owner", Unanswered, "missing", &[("governance.owner", None)]),
    case("governance.reviewer", Pass, "named", &[]),
    case("governance.reviewer", Unanswered, "missing", &[("governance.reviewer", None)]),
    case("governance.exception-protocol", Pass, "given", &[]),
    case("governance.exception-protocol", Unanswered, "missing", &[("governance.exception_protocol", None)]),
    case("governance.refresh-cadence", Pass, "given", &[]),
    case("governance.refresh-cadence", Unanswered, "missing", &[("governance.refresh_cadence", None)]),
    case("governance.review-cadence", Pass, "given", &[]),
    case("governance.review-cadence", Unanswered, "missing", &[("governance.review_cadence", None)]),
    case("governance.handoff", Pass, "business-led, no plan needed", &[]),
    case("governance.handoff", Pass, "it-led with a plan", &[("framing.led_by", Some("it")), ("governance.handoff_plan", Some("IT trains two analysts"))]),
    case("governance.handoff", Pass, "vendor-led with a plan", &[("framing.led_by", Some("vendor")), ("governance.handoff_plan", Some("The vendor trains two analysts"))]),
    case("governance.handoff", Unanswered, "it-led without a plan", &[("framing.led_by", Some("it"))]),
    case("governance.handoff", Unanswered, "vendor-led without a plan", &[("framing.led_by", Some("vendor"))]),
    case("governance.handoff", Unanswered, "no led_by, even with a plan", &[("framing.led_by", None), ("governance.handoff_plan", Some("A plan"))]),
    // change
    case("change.affected-roles", Pass, "named", &[]),
    case("change.affected-roles", Unanswered, "missing", &[("change.affected_roles", None)]),
    case("change.affected-roles", Unanswered, "blank items", &[("change.affected_roles", Some("[\" \"]"))]),
    case("change.users-involved", Pass, "true", &[]),
    case("change.users-involved", Fail, "false", &[("change.users_involved", Some("false"))]),
    case("change.users-involved", Unanswered, "missing", &[("change.users_involved", None)]),
    case("change.communicated", Pass, "dated", &[]),
    case("change.communicated", Unanswered, "missing", &[("change.communicated_on", None)]),
    case("change.training", Pass, "real_scenarios", &[]),
    case("change.training", Fail, "generic", &[("change.training", Some("generic"))]),
    case("change.training", Fail, "none", &[("change.training", Some("none"))]),
    case("change.training", Unanswered, "missing", &[("change.training", None)]),
    case("change.escalation-path", Pass, "given", &[]),
    case("change.escalation-path", Unanswered, "missing", &[("change.escalation_path", None)]),
    case("change.adoption-measured", Pass, "measured", &[]),
    case("change.adoption-measured", Pass, "measured, even when low", &[("change.adoption_rate", Some("0.05"))]),
    case("change.adoption-measured", Unanswered, "missing", &[("change.adoption_rate", None)]),
    case("change.adoption-level", Pass, "exactly 60%", &[("change.adoption_rate", Some("\"60%\""))]),
    case("change.adoption-level", Fail, "59%", &[("change.adoption_rate", Some("0.59"))]),
    case("change.adoption-level", Unanswered, "missing", &[("change.adoption_rate", None)]),
    case("change.feedback-loop", Pass, "true", &[]),
    case("change.feedback-loop", Fail, "false", &[("change.feedback_loop", Some("false"))]),
    case("change.feedback-loop", Unanswered, "missing", &[("change.feedback_loop", None)]),
    // metrics
    case("metrics.technical", Pass, "all three", &[]),
    case("metrics.technical", Pass, "throughput as a number", &[("metrics.technical.throughput", Some("1200"))]),
    case("metrics.technical", Unanswered, "no accuracy", &[("metrics.technical.accuracy", None)]),
    case("metrics.technical", Unanswered, "no exception rate", &[("metrics.technical.exception_rate", None)]),
    case("metrics.technical", Unanswered, "no throughput", &[("metrics.technical.throughput", None)]),
    case("metrics.business-kpis", Pass, "baseline and target", &[]),
    case("metrics.business-kpis", Unanswered, "no KPI", &[("metrics.business", None)]),
    case("metrics.business-kpis", Unanswered, "no baseline", &[("metrics.business", Some(KPI_NO_BASELINE))]),
    case("metrics.business-kpis", Unanswered, "no target", &[("metrics.business", Some(KPI_NO_TARGET))]),
    case("metrics.business-kpis", Unanswered, "the second KPI has no baseline", &[("metrics.business", Some(KPI_SECOND_NO_BASELINE))]),
    case("metrics.agreed-before-start", Pass, "before", &[]),
    case("metrics.agreed-before-start", Pass, "on the same day", &[("metrics.thresholds_agreed_on", Some("2026-03-01"))]),
    case("metrics.agreed-before-start", Fail, "after", &[("metrics.thresholds_agreed_on", Some("2026-03-15"))]),
    case("metrics.agreed-before-start", Unanswered, "no agreement date", &[("metrics.thresholds_agreed_on", None)]),
    case("metrics.agreed-before-start", Unanswered, "no start date", &[("started", None)]),
    case("metrics.kpi-owner", Pass, "owned", &[]),
    case("metrics.kpi-owner", Unanswered, "no owner", &[("metrics.business", Some(KPI_NO_OWNER))]),
    case("metrics.kpi-owner", Unanswered, "no KPI", &[("metrics.business", None)]),
    case("metrics.production-actuals", Pass, "measured", &[]),
    case("metrics.production-actuals", Unanswered, "no actual", &[("metrics.business", Some(KPI_NO_ACTUAL))]),
    case("metrics.production-actuals", Unanswered, "no KPI", &[("metrics.business", None)]),
    case("metrics.targets-met", Pass, "lower is better, met", &[]),
    case("metrics.targets-met", Pass, "exactly on target", &[("metrics.business", Some("[{baseline: 6.5, target: 3, direction: lower, actual: 3}]"))]),
    case("metrics.targets-met", Fail, "lower is better, missed", &[("metrics.business", Some("[{baseline: 6.5, target: 3, direction: lower, actual: 3.4}]"))]),
    case("metrics.targets-met", Pass, "higher is better, met", &[("metrics.business", Some("[{baseline: 50, target: 80, direction: higher, actual: 85}]"))]),
    case("metrics.targets-met", Fail, "higher is better, missed", &[("metrics.business", Some("[{baseline: 50, target: 80, direction: higher, actual: 75}]"))]),
    case("metrics.targets-met", Unanswered, "no actual", &[("metrics.business", Some(KPI_NO_ACTUAL))]),
    case("metrics.targets-met", Fail, "no baseline nor direction: higher is better, missed", &[("metrics.business", Some(KPI_NO_BASELINE))]),
    case("metrics.targets-met", Pass, "no baseline nor direction: higher is better, met", &[("metrics.business", Some("[{name: Uptime, target: 3, actual: 3.5}]"))]),
    case("metrics.targets-met", Unanswered, "no KPI", &[("metrics.business", None)]),
];

#[test]
fn every_check_of_the_contract_is_in_the_default_framework_and_nothing_else() {
    let fw = Framework::builtin();
    let ids: Vec<&str> = fw.checks.iter().map(|c| c.id.as_str()).collect();
    let contract: Vec<&str> = CONTRACT.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids, contract,
        "the default framework's checks, in order, are the contract's"
    );
    for check in &fw.checks {
        let mistake = check.id.split('.').next().unwrap();
        assert_eq!(
            check.mistake.as_str(),
            mistake,
            "{} belongs to {mistake}",
            check.id
        );
    }
}

#[test]
fn the_table_covers_every_check_with_a_passing_and_a_failing_row() {
    for (id, _) in CONTRACT {
        let rows: Vec<&Case> = CASES.iter().filter(|c| c.check == *id).collect();
        assert!(
            rows.iter().any(|c| c.outcome == Pass),
            "{id} has no passing row"
        );
        // Every check can be left unanswered except `data.gaps-addressed`,
        // which passes when no gap is listed.
        if *id == "data.gaps-addressed" {
            assert!(
                rows.iter().any(|c| c.outcome == Fail),
                "{id} has no failing row"
            );
        } else {
            assert!(
                rows.iter().any(|c| c.outcome == Unanswered),
                "{id} has no unanswered row"
            );
        }
    }
    for c in CASES {
        assert!(
            CONTRACT.iter().any(|(id, _)| *id == c.check),
            "{} is not a contract check",
            c.check
        );
    }
}

#[test]
fn a_complete_dossier_passes_every_applicable_check_at_every_stage() {
    for (stage, _) in STAGES {
        let g = diagnose(stage, &[]);
        let failing: Vec<String> = g
            .checks
            .iter()
            .filter(|c| c.outcome != Pass)
            .map(|c| {
                let fw = Framework::builtin();
                format!("{}: {}", fw.checks[c.check].id, c.message(&fw, &g.dossier))
            })
            .collect();
        assert!(failing.is_empty(), "at {}: {failing:#?}", stage.as_str());
        assert_eq!(
            (g.verdict, g.readiness, g.most_active),
            (Verdict::Ready, 100, None),
            "at {}",
            stage.as_str()
        );
        assert!(
            g.mistakes
                .iter()
                .all(|m| m.status == Status::Clear && m.score == 100)
        );
    }
}

/// Every row at every stage: the severity is the contract's for the stage's
/// column (absent where the contract says `-`), the outcome the row's.
#[test]
fn every_check_has_the_contract_severity_and_outcome_at_every_stage() {
    let fw = Framework::builtin();
    let mut wrong = Vec::new();
    let mut judged = 0;
    for row in CASES {
        for (stage, column) in STAGES {
            let g = diagnose(stage, row.changes);
            let found = result_of(&g, row.check);
            let expected = contract_severity(row.check, column);
            let label = format!("{} at {} ({})", row.check, stage.as_str(), row.why);
            match (expected, found) {
                (None, None) => {}
                (None, Some((s, _, _))) => wrong.push(format!(
                    "{label}: applies as {} but the contract says `-`",
                    s.as_str()
                )),
                (Some(s), None) => wrong.push(format!(
                    "{label}: does not apply but the contract says {}",
                    s.as_str()
                )),
                (Some(s), Some((found_s, found_o, message))) => {
                    judged += 1;
                    if s != found_s {
                        wrong.push(format!(
                            "{label}: severity {} instead of {}",
                            found_s.as_str(),
                            s.as_str()
                        ));
                    }
                    if found_o != row.outcome {
                        wrong.push(format!(
                            "{label}: {} instead of {} ({message})",
                            found_o.as_str(),
                            row.outcome.as_str()
                        ));
                    }
                    if found_o == Unanswered && !message.starts_with("not answered: ") {
                        wrong.push(format!(
                            "{label}: unanswered without \"not answered\" wording: {message}"
                        ));
                    }
                }
            }
            // Checks that apply are exactly the contract's, whatever the answers.
            let applicable: Vec<&str> = g
                .checks
                .iter()
                .map(|c| fw.checks[c.check].id.as_str())
                .collect();
            let expected: Vec<&str> = CONTRACT
                .iter()
                .filter(|(id, _)| contract_severity(id, column).is_some())
                .map(|(id, _)| *id)
                .collect();
            if applicable != expected {
                wrong.push(format!("{label}: the checks that apply are {applicable:?}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} disagreements with the contract:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(judged > 500, "only {judged} rows were judged");
}

// ---------------------------------------------------------------- severities by name

#[test]
fn unanswered_owner_is_a_blocker_at_scaling() {
    let g = diagnose(Stage::Scaling, &[("governance.owner", None)]);
    let (severity, outcome, message) = result_of(&g, "governance.owner").unwrap();
    assert_eq!((severity, outcome), (Severity::Blocker, Unanswered));
    assert!(
        message.starts_with("not answered: Who is accountable"),
        "{message}"
    );
    assert_eq!(
        g.mistakes[Mistake::Governance.index()].status,
        Status::Active
    );
}

#[test]
fn unanswered_owner_is_only_minor_while_proposed() {
    let g = diagnose(Stage::Proposed, &[("governance.owner", None)]);
    assert_eq!(
        result_of(&g, "governance.owner").unwrap().0,
        Severity::Minor
    );
    assert_eq!(
        g.mistakes[Mistake::Governance.index()].status,
        Status::AtRisk
    );
}

#[test]
fn paused_and_abandoned_pilots_are_judged_as_pilots() {
    let changes: Changes = &[
        ("change.training", Some("generic")),
        ("governance.owner", None),
        ("metrics.business", Some(KPI_NO_ACTUAL)),
    ];
    let pilot = diagnose(Stage::Pilot, changes);
    for stage in [Stage::Paused, Stage::Abandoned] {
        let g = diagnose(stage, changes);
        assert_eq!(g.checks, pilot.checks, "{}", stage.as_str());
        assert_eq!(g.readiness, pilot.readiness);
    }
}

#[test]
fn technical_metrics_do_not_apply_in_production() {
    let g = diagnose(Stage::Production, &[("metrics.technical.accuracy", None)]);
    assert!(result_of(&g, "metrics.technical").is_none());
    assert_eq!(g.verdict, Verdict::Ready);
}

// ---------------------------------------------------------------- the precise rules

#[test]
fn blank_text_is_unanswered() {
    for blank in ["\"\"", "\"   \"", "\"\\t\""] {
        assert_eq!(
            outcome(
                "framing.sponsor",
                Stage::Pilot,
                &[("framing.executive_sponsor", Some(blank))]
            ),
            Unanswered,
            "{blank}"
        );
    }
    assert_eq!(
        outcome(
            "framing.sponsor",
            Stage::Pilot,
            &[("framing.executive_sponsor", Some("~"))]
        ),
        Unanswered
    );
}

#[test]
fn a_list_of_only_blank_items_is_unanswered() {
    assert_eq!(
        outcome(
            "framing.acceptance-criteria",
            Stage::Pilot,
            &[("framing.acceptance_criteria", Some("[\"\", \" \", ~]"))]
        ),
        Unanswered
    );
    assert_eq!(
        outcome(
            "framing.acceptance-criteria",
            Stage::Pilot,
            &[("framing.acceptance_criteria", Some("[\"\", Cycle time]"))]
        ),
        Pass
    );
}

#[test]
fn a_date_comparison_is_unanswered_when_either_date_is_missing_and_says_which() {
    let g = diagnose(Stage::Pilot, &[("started", None)]);
    let (_, o, message) = result_of(&g, "framing.owner-before-start").unwrap();
    assert_eq!(o, Unanswered);
    assert!(message.contains("(missing: started)"), "{message}");
    let g = diagnose(
        Stage::Pilot,
        &[("started", None), ("data.audited_on", None)],
    );
    let (_, o, message) = result_of(&g, "data.audit-before-start").unwrap();
    assert_eq!(o, Unanswered);
    assert!(
        message.contains("(missing: data.audited_on, started)"),
        "{message}"
    );
}

#[test]
fn a_date_on_the_start_day_counts_as_before_it() {
    assert_eq!(
        outcome(
            "metrics.agreed-before-start",
            Stage::Pilot,
            &[("metrics.thresholds_agreed_on", Some("2026-03-01"))]
        ),
        Pass
    );
    assert_eq!(
        outcome(
            "metrics.agreed-before-start",
            Stage::Pilot,
            &[("metrics.thresholds_agreed_on", Some("2026-03-02"))]
        ),
        Fail
    );
}

#[test]
fn gaps_pass_when_none_are_listed() {
    let g = diagnose(Stage::Pilot, &[]);
    let (_, o, message) = result_of(&g, "data.gaps-addressed").unwrap();
    assert_eq!(o, Pass);
    assert_eq!(message, "no known gaps are listed");
}

#[test]
fn a_gap_without_addressed_counts_as_not_addressed() {
    let g = diagnose(
        Stage::Pilot,
        &[(
            "data.known_gaps",
            Some("[{gap: Ids differ, addressed: true}, {gap: Scans have no PO}]"),
        )],
    );
    let (_, o, message) = result_of(&g, "data.gaps-addressed").unwrap();
    assert_eq!(o, Fail);
    assert_eq!(
        message,
        "1 of 2 known gaps is not addressed: Scans have no PO"
    );
}

#[test]
fn handoff_is_unanswered_without_led_by_even_when_a_handoff_plan_is_given() {
    let g = diagnose(
        Stage::Pilot,
        &[
            ("framing.led_by", None),
            (
                "governance.handoff_plan",
                Some("The vendor trains two analysts"),
            ),
        ],
    );
    assert_eq!(result_of(&g, "governance.handoff").unwrap().1, Unanswered);
}

#[test]
fn handoff_is_unanswered_when_it_or_a_vendor_leads_without_a_plan() {
    for led_by in ["it", "vendor"] {
        let g = diagnose(Stage::Scaling, &[("framing.led_by", Some(led_by))]);
        let (severity, o, message) = result_of(&g, "governance.handoff").unwrap();
        assert_eq!((severity, o), (Severity::Major, Unanswered), "{led_by}");
        assert!(message.starts_with("not answered: "), "{message}");
    }
}

#[test]
fn handoff_passes_when_the_business_leads_with_or_without_a_plan() {
    assert_eq!(outcome("governance.handoff", Stage::Pilot, &[]), Pass);
    assert_eq!(
        outcome(
            "governance.handoff",
            Stage::Pilot,
            &[("governance.handoff_plan", Some("Not needed"))]
        ),
        Pass
    );
    assert_eq!(
        outcome(
            "governance.handoff",
            Stage::Pilot,
            &[("governance.handoff_plan", Some("\" \""))]
        ),
        Pass
    );
}

/// Judges with a project framework merged over the built-in one.
fn outcome_with(
    project: &str,
    check: &str,
    stage: Stage,
    changes: &[(&str, Option<&str>)],
) -> (Outcome, String) {
    let fw = crate::framework::load_framework(Some((project, "framework.toml")))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let dossier = read(&dossier_text(stage, changes));
    let g = judge(&dossier, &fw, AS_OF, 90);
    g.checks
        .iter()
        .find(|c| fw.checks[c.check].id == check)
        .map(|c| (c.outcome, c.message(&fw, &dossier)))
        .unwrap_or_else(|| panic!("{check} does not apply"))
}

const EITHER_REVIEWER_OR_OWNER: &str = r#"
[[checks]]
id = "governance.someone"
title = "Someone watches the system"
severity = { pilot = "major" }
pass_when = { either = [{ answered = "governance.reviewer" }, { answered = "governance.owner" }] }
"#;

#[test]
fn either_passes_when_a_later_alternative_passes_after_an_unanswered_one() {
    let (o, message) = outcome_with(
        EITHER_REVIEWER_OR_OWNER,
        "governance.someone",
        Stage::Pilot,
        &[("governance.reviewer", None)],
    );
    assert_eq!(o, Pass, "{message}");
    assert_eq!(message, "governance.owner: Dana Ruiz");
}

#[test]
fn either_is_unanswered_only_when_every_alternative_is() {
    let none = [("governance.reviewer", None), ("governance.owner", None)];
    let (o, message) = outcome_with(
        EITHER_REVIEWER_OR_OWNER,
        "governance.someone",
        Stage::Pilot,
        &none,
    );
    assert_eq!(o, Unanswered);
    assert!(message.starts_with("not answered: "), "{message}");
}

#[test]
fn either_fails_when_none_passes_and_one_fails_even_after_an_unanswered_one() {
    let project = r#"
[[checks]]
id = "data.real-or-checked"
title = "Real data, or data with its edge cases"
severity = { pilot = "major" }
pass_when = { either = [{ is = { field = "data.source", value = "production" } }, { is = { field = "data.includes_edge_cases", value = true } }] }
"#;
    let (o, message) = outcome_with(
        project,
        "data.real-or-checked",
        Stage::Pilot,
        &[
            ("data.source", None),
            ("data.includes_edge_cases", Some("false")),
        ],
    );
    assert_eq!(o, Fail, "{message}");
    assert_eq!(message, "data.includes_edge_cases is no, not yes");
}

#[test]
fn kpi_checks_are_unanswered_when_there_is_no_kpi() {
    for empty in [None, Some("[]"), Some("[~]")] {
        let g = diagnose(Stage::Production, &[("metrics.business", empty)]);
        for check in [
            "metrics.business-kpis",
            "metrics.kpi-owner",
            "metrics.production-actuals",
            "metrics.targets-met",
        ] {
            assert_eq!(
                result_of(&g, check).unwrap().1,
                Unanswered,
                "{check} with {empty:?}"
            );
        }
    }
}

#[test]
fn kpi_checks_are_unanswered_when_any_kpi_lacks_a_value_they_read() {
    let two = "[{name: Cycle time, baseline: 6.5, target: 3, actual: 2.8, owner: Dana}, {name: Errors, baseline: 4, target: 1}]";
    let g = diagnose(Stage::Production, &[("metrics.business", Some(two))]);
    assert_eq!(result_of(&g, "metrics.business-kpis").unwrap().1, Pass);
    for check in [
        "metrics.kpi-owner",
        "metrics.production-actuals",
        "metrics.targets-met",
    ] {
        let (_, o, message) = result_of(&g, check).unwrap();
        assert_eq!(o, Unanswered, "{check}");
        assert!(
            message.contains("\"Errors\""),
            "{check} names the KPI: {message}"
        );
    }
}

#[test]
fn a_kpi_target_below_its_baseline_means_lower_is_better() {
    let met = "[{name: Cycle time, baseline: 6, target: 3, actual: 2.5}]";
    let missed = "[{name: Cycle time, baseline: 6, target: 3, actual: 3.5}]";
    assert_eq!(
        outcome(
            "metrics.targets-met",
            Stage::Production,
            &[("metrics.business", Some(met))]
        ),
        Pass
    );
    let g = diagnose(Stage::Production, &[("metrics.business", Some(missed))]);
    let (_, o, message) = result_of(&g, "metrics.targets-met").unwrap();
    assert_eq!(o, Fail);
    assert!(message.contains("lower is better"), "{message}");
}

#[test]
fn a_kpi_target_above_or_at_its_baseline_means_higher_is_better() {
    let met = "[{name: First-time fix, baseline: 50, target: 80, actual: 85}]";
    let missed = "[{name: First-time fix, baseline: 50, target: 80, actual: 75}]";
    assert_eq!(
        outcome(
            "metrics.targets-met",
            Stage::Production,
            &[("metrics.business", Some(met))]
        ),
        Pass
    );
    assert_eq!(
        outcome(
            "metrics.targets-met",
            Stage::Production,
            &[("metrics.business", Some(missed))]
        ),
        Fail
    );
    let flat = "[{name: Flat, baseline: 5, target: 5, actual: 4}]";
    assert_eq!(
        outcome(
            "metrics.targets-met",
            Stage::Production,
            &[("metrics.business", Some(flat))]
        ),
        Fail
    );
}

#[test]
fn a_stated_direction_wins_over_the_inferred_one() {
    let stated = "[{name: Odd, baseline: 6, target: 3, direction: higher, actual: 2}]";
    assert_eq!(
        outcome(
            "metrics.targets-met",
            Stage::Production,
            &[("metrics.business", Some(stated))]
        ),
        Fail
    );
    let stated = "[{name: Odd, baseline: 6, target: 3, direction: higher, actual: 4}]";
    assert_eq!(
        outcome(
            "metrics.targets-met",
            Stage::Production,
            &[("metrics.business", Some(stated))]
        ),
        Pass
    );
}

#[test]
fn one_missed_target_among_several_fails_the_check() {
    let kpis = "[{name: A, baseline: 6, target: 3, actual: 2}, {name: B, baseline: 10, target: 20, actual: 15}]";
    let g = diagnose(Stage::Production, &[("metrics.business", Some(kpis))]);
    let (severity, o, message) = result_of(&g, "metrics.targets-met").unwrap();
    assert_eq!((severity, o), (Severity::Major, Fail));
    assert!(
        message.starts_with("\"B\": actual 15 misses the target 20"),
        "{message}"
    );
}

#[test]
fn thresholds_compare_shares_as_percentages_in_messages() {
    let g = diagnose(Stage::Pilot, &[("data.completeness", Some("0.88"))]);
    assert_eq!(
        result_of(&g, "data.completeness").unwrap().2,
        "data.completeness is 88%, below the 90% threshold"
    );
}

// ---------------------------------------------------------------- statuses and scores

fn status(g: &Diagnosis, m: Mistake) -> Status {
    g.mistakes[m.index()].status
}

#[test]
fn one_failing_blocker_makes_a_mistake_active() {
    let g = diagnose(Stage::Pilot, &[("data.source", Some("synthetic"))]);
    assert_eq!(status(&g, Mistake::Data), Status::Active);
    // 15 of 20 weight passes.
    assert_eq!(g.mistakes[Mistake::Data.index()].score, 75);
}

#[test]
fn two_failing_majors_make_a_mistake_active() {
    let g = diagnose(
        Stage::Pilot,
        &[
            ("framing.executive_sponsor", None),
            ("framing.process_change", None),
        ],
    );
    assert_eq!(status(&g, Mistake::Framing), Status::Active);
}

#[test]
fn one_failing_major_puts_a_mistake_at_risk() {
    let g = diagnose(Stage::Pilot, &[("framing.executive_sponsor", None)]);
    assert_eq!(status(&g, Mistake::Framing), Status::AtRisk);
}

#[test]
fn failing_minors_alone_only_put_a_mistake_at_risk() {
    let g = diagnose(
        Stage::Pilot,
        &[
            ("data.consistency", Some("0.5")),
            ("data.exception_rate", Some("0.5")),
            ("data.audited_on", Some("2026-05-01")),
        ],
    );
    assert_eq!(status(&g, Mistake::Data), Status::AtRisk);
    assert_eq!(g.mistakes[Mistake::Data.index()].score, 85); // 17 of 20
}

#[test]
fn a_mistake_with_every_check_passing_is_clear_with_score_100() {
    let g = diagnose(Stage::Pilot, &[("data.source", Some("synthetic"))]);
    for m in [
        Mistake::Framing,
        Mistake::Governance,
        Mistake::Change,
        Mistake::Metrics,
    ] {
        assert_eq!(
            g.mistakes[m.index()].status,
            Status::Clear,
            "{}",
            m.as_str()
        );
        assert_eq!(g.mistakes[m.index()].score, 100, "{}", m.as_str());
    }
}

#[test]
fn a_mistake_score_rounds_half_up() {
    // Governance at pilot weighs 16; passing 6 of it is 37.5.
    let g = diagnose(
        Stage::Pilot,
        &[
            ("governance.exception_protocol", None),
            ("governance.refresh_cadence", None),
            ("governance.review_cadence", None),
            ("framing.led_by", Some("it")),
        ],
    );
    assert_eq!(g.mistakes[Mistake::Governance.index()].score, 38);
    // Governance at pilot, passing 15 of 16: 93.75.
    let g = diagnose(Stage::Pilot, &[("governance.review_cadence", None)]);
    assert_eq!(g.mistakes[Mistake::Governance.index()].score, 94);
}

#[test]
fn readiness_is_the_score_over_every_applicable_check_rounded_half_up() {
    // Pilot stage weighs 96; failing 12 leaves 84 of 96, 87.5.
    let g = diagnose(
        Stage::Pilot,
        &[
            ("framing.executive_sponsor", None),
            ("data.includes_edge_cases", Some("false")),
            ("governance.owner", None),
            ("change.communicated_on", None),
        ],
    );
    assert_eq!(g.readiness, 88);
}

#[test]
fn scores_use_the_weights_of_the_stage() {
    // At proposed the governance checks are minor: failing one of the four
    // (weight 1 of 4) leaves 75.
    let g = diagnose(Stage::Proposed, &[("governance.owner", None)]);
    assert_eq!(g.mistakes[Mistake::Governance.index()].score, 75);
    // At production the same answer weighs 5 of 24 (four blockers, a minor,
    // a major): 19 of 24 is 79.2.
    let g = diagnose(Stage::Production, &[("governance.owner", None)]);
    assert_eq!(g.mistakes[Mistake::Governance.index()].score, 79);
}

// ---------------------------------------------------------------- most active mistake

#[test]
fn the_most_active_mistake_has_the_largest_failing_weight() {
    // Framing fails 3 (one major); data fails 5 (a blocker).
    let g = diagnose(
        Stage::Pilot,
        &[
            ("framing.executive_sponsor", None),
            ("data.source", Some("curated")),
        ],
    );
    assert_eq!(g.most_active, Some(Mistake::Data));
}

#[test]
fn a_tie_in_failing_weight_goes_to_the_earlier_mistake() {
    let g = diagnose(
        Stage::Pilot,
        &[("change.communicated_on", None), ("governance.owner", None)],
    );
    assert_eq!(g.most_active, Some(Mistake::Governance));
    let g = diagnose(
        Stage::Pilot,
        &[
            ("metrics.thresholds_agreed_on", None),
            ("data.includes_edge_cases", Some("false")),
            ("framing.executive_sponsor", None),
        ],
    );
    assert_eq!(g.most_active, Some(Mistake::Framing));
}

#[test]
fn a_mistake_that_is_only_at_risk_can_be_the_most_active() {
    let g = diagnose(Stage::Pilot, &[("data.consistency", Some("0.1"))]);
    assert_eq!(g.most_active, Some(Mistake::Data));
    assert_eq!(status(&g, Mistake::Data), Status::AtRisk);
}

#[test]
fn there_is_no_most_active_mistake_when_every_check_passes() {
    assert_eq!(diagnose(Stage::Scaling, &[]).most_active, None);
}

// ---------------------------------------------------------------- verdict

/// One failing major in each mistake (15) and four failing minors (4) at
/// pilot: no mistake active, 77 of 96 passing, readiness 80.
const READINESS_80: Changes = &[
    ("framing.executive_sponsor", None),
    ("data.includes_edge_cases", Some("false")),
    ("governance.owner", None),
    ("change.communicated_on", None),
    ("metrics.thresholds_agreed_on", None),
    ("data.consistency", Some("0.5")),
    ("data.exception_rate", Some("0.5")),
    ("governance.review_cadence", None),
    ("change.feedback_loop", Some("false")),
];

#[test]
fn readiness_of_exactly_80_with_no_active_mistake_is_ready() {
    let g = diagnose(Stage::Pilot, READINESS_80);
    assert!(g.mistakes.iter().all(|m| m.status == Status::AtRisk));
    assert_eq!(g.readiness, 80);
    assert_eq!(g.verdict, Verdict::Ready);
}

#[test]
fn readiness_below_80_with_no_active_mistake_is_at_risk() {
    let mut changes = READINESS_80.to_vec();
    changes.push(("change.training", Some("generic")));
    let g = diagnose(Stage::Pilot, &changes);
    assert!(g.mistakes.iter().all(|m| m.status != Status::Active));
    assert_eq!(g.readiness, 79); // 76 of 96
    assert_eq!(g.verdict, Verdict::AtRisk);
}

#[test]
fn one_active_mistake_is_at_risk_even_with_high_readiness() {
    let g = diagnose(Stage::Pilot, &[("framing.production_owner", None)]);
    assert_eq!(g.readiness, 95); // 91 of 96
    assert_eq!(g.verdict, Verdict::AtRisk);
}

#[test]
fn two_active_mistakes_are_not_ready() {
    let g = diagnose(
        Stage::Pilot,
        &[
            ("framing.production_owner", None),
            ("metrics.business", None),
        ],
    );
    assert_eq!(g.verdict, Verdict::NotReady);
}

// ---------------------------------------------------------------- flags

fn flags(stage: Stage, changes: &[(&str, Option<&str>)]) -> Vec<Flag> {
    diagnose(stage, changes).diagnosis.flags
}

#[test]
fn a_pilot_past_its_decision_date_is_in_purgatory() {
    let overdue = &[("decision_due", Some("2026-11-25"))];
    let g = diagnose(Stage::Pilot, overdue);
    assert_eq!(g.flags, vec![Flag::Purgatory]);
    assert_eq!(g.days_overdue, Some(1));
    assert_eq!(flags(Stage::Paused, overdue), vec![Flag::Purgatory]);
}

#[test]
fn only_pilot_and_paused_stages_can_be_in_purgatory() {
    for stage in [
        Stage::Proposed,
        Stage::Scaling,
        Stage::Production,
        Stage::Abandoned,
    ] {
        assert_eq!(
            flags(stage, &[("decision_due", Some("2026-01-01"))]),
            vec![],
            "{}",
            stage.as_str()
        );
    }
}

#[test]
fn a_decision_due_today_or_later_or_not_given_is_not_purgatory() {
    assert_eq!(
        flags(Stage::Pilot, &[("decision_due", Some("2026-11-26"))]),
        vec![]
    );
    assert_eq!(flags(Stage::Pilot, &[("decision_due", None)]), vec![]);
}

#[test]
fn answers_never_reviewed_are_stale() {
    let g = diagnose(Stage::Scaling, &[("updated", None)]);
    assert_eq!(g.flags, vec![Flag::Stale]);
    assert_eq!(g.days_since_update, None);
}

#[test]
fn answers_reviewed_more_than_90_days_ago_are_stale() {
    // 2026-08-28 is exactly 90 days before 2026-11-26.
    assert_eq!(
        flags(Stage::Scaling, &[("updated", Some("2026-08-28"))]),
        vec![]
    );
    assert_eq!(
        flags(Stage::Scaling, &[("updated", Some("2026-08-27"))]),
        vec![Flag::Stale]
    );
    assert_eq!(
        diagnose(Stage::Scaling, &[("updated", Some("2026-08-27"))]).days_since_update,
        Some(91)
    );
}

#[test]
fn the_stale_limit_is_a_parameter() {
    let d = read(&dossier_text(
        Stage::Scaling,
        &[("updated", Some("2026-11-01"))],
    ));
    let fw = Framework::builtin();
    assert_eq!(judge(&d, &fw, AS_OF, 30).flags, vec![]);
    assert_eq!(judge(&d, &fw, AS_OF, 20).flags, vec![Flag::Stale]);
}

#[test]
fn a_pilot_can_be_in_purgatory_and_stale_at_once() {
    let g = diagnose(
        Stage::Paused,
        &[("decision_due", Some("2026-06-30")), ("updated", None)],
    );
    assert_eq!(g.flags, vec![Flag::Purgatory, Flag::Stale]);
    assert_eq!(g.days_overdue, Some(149));
}
