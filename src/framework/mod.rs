//! The five-mistake framework: rules as data, and judging a dossier by them.
//!
//! `load` reads a framework file (the default one embedded in the binary, or
//! a project's own, merged over it) into a [`Framework`]; `judge` evaluates a
//! [`Dossier`](crate::dossier::Dossier) against it and returns a
//! [`Diagnosis`]. Evaluation is pure: it never touches the file system, and
//! the evaluation code does not name any check id — every check comes from
//! the framework file.

pub mod evidence;
pub mod gate;
pub mod judge;
pub mod load;
pub mod wording;

#[cfg(test)]
mod gate_tests;
#[cfg(test)]
mod judge_tests;

use serde::Serialize;

pub use gate::{path_to_ready, ready_for_next_stage};
pub use judge::{Assessment, CheckResult, Diagnosis, MistakeResult, NextStage, assess};

/// Judges `dossier` against `framework` as of `as_of`: its checks,
/// statuses, verdict and flags ([`judge::judge`]), and its path to ready
/// ([`gate::path_to_ready`]).
pub fn judge(
    dossier: &crate::dossier::Dossier,
    framework: &Framework,
    as_of: jiff::civil::Date,
    stale_days: i64,
) -> Diagnosis {
    let mut diagnosis = judge::judge(dossier, framework, as_of, stale_days);
    diagnosis.path_to_ready = gate::path_to_ready(&diagnosis, framework);
    diagnosis
}
pub use load::{DEFAULT_FRAMEWORK, load_framework};

/// The five structural mistakes, in the framework's order (ties in "most
/// active" go to the earlier one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mistake {
    Framing,
    Data,
    Governance,
    Change,
    Metrics,
}

impl Mistake {
    pub const ALL: [Mistake; 5] = [
        Mistake::Framing,
        Mistake::Data,
        Mistake::Governance,
        Mistake::Change,
        Mistake::Metrics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mistake::Framing => "framing",
            Mistake::Data => "data",
            Mistake::Governance => "governance",
            Mistake::Change => "change",
            Mistake::Metrics => "metrics",
        }
    }

    pub fn parse(word: &str) -> Option<Mistake> {
        Mistake::ALL.into_iter().find(|m| m.as_str() == word)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Blocker,
    Major,
    Minor,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Blocker => "blocker",
            Severity::Major => "major",
            Severity::Minor => "minor",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Unanswered,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unanswered => "unanswered",
        }
    }

    /// Both `fail` and `unanswered` count as failing.
    pub fn is_failing(self) -> bool {
        self != Outcome::Pass
    }
}

/// How much a mistake is present in a pilot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Clear,
    AtRisk,
    Active,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Clear => "clear",
            Status::AtRisk => "at_risk",
            Status::Active => "active",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    AtRisk,
    NotReady,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Ready, Verdict::AtRisk, Verdict::NotReady];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::AtRisk => "at_risk",
            Verdict::NotReady => "not_ready",
        }
    }

    pub fn parse(word: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == word)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    /// Overdue for its go / no-go decision.
    Purgatory,
    /// Answers not reviewed for too long.
    Stale,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Purgatory => "purgatory",
            Flag::Stale => "stale",
        }
    }
}

/// The words a mistake is explained with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MistakeInfo {
    pub id: Mistake,
    /// Short name for headings and tables.
    pub name: String,
    /// The mistake as a sentence.
    pub summary: String,
    pub root_cause: String,
    pub fix: String,
    /// The fix in a few words, for a table cell beside the mistake.
    pub fix_short: String,
}

/// A literal a condition compares an answer with.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Word(String),
    Bool(bool),
}

impl Literal {
    pub fn display(&self) -> String {
        match self {
            Literal::Word(w) => w.replace('_', " "),
            Literal::Bool(b) => if *b { "yes" } else { "no" }.into(),
        }
    }
}

/// A KPI value a condition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiField {
    Name,
    Unit,
    Baseline,
    Target,
    Direction,
    Actual,
    Owner,
}

impl KpiField {
    pub const ALL: [(KpiField, &'static str); 7] = [
        (KpiField::Name, "name"),
        (KpiField::Unit, "unit"),
        (KpiField::Baseline, "baseline"),
        (KpiField::Target, "target"),
        (KpiField::Direction, "direction"),
        (KpiField::Actual, "actual"),
        (KpiField::Owner, "owner"),
    ];

    pub fn as_str(self) -> &'static str {
        KpiField::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("?", |(_, s)| s)
    }
}

/// When a check passes. Fields are indices into
/// [`FIELDS`](crate::dossier::schema::FIELDS), resolved when the framework
/// is loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The answer is given (text not blank, a list with an item).
    Answered(usize),
    /// Every one of these answers is given.
    AllAnswered(Vec<usize>),
    /// The answer is one of these values.
    Is { field: usize, values: Vec<Literal> },
    /// The number or share is at least this.
    AtLeast { field: usize, value: f64 },
    /// The number or share is at most this.
    AtMost { field: usize, value: f64 },
    /// The first date is on or before the second.
    OnOrBefore { field: usize, than: usize },
    /// Every entry of a list of gaps is addressed (passes when none is listed).
    AllAddressed(usize),
    /// Passes when any of these passes; fails when none passes and at
    /// least one fails; unanswered only when every one is unanswered.
    Either(Vec<Condition>),
    /// A rule that holds only in some cases: unanswered when `when` is,
    /// passes when `when` fails (the rule does not apply to this pilot),
    /// and otherwise is the outcome of `then`.
    When {
        when: Box<Condition>,
        then: Box<Condition>,
    },
    /// There is at least one business KPI and each has these values.
    KpisHave(Vec<KpiField>),
    /// Every KPI's actual meets its target in its direction.
    KpisMeetTargets,
}

impl Condition {
    /// The dossier fields this condition reads, in the order it names
    /// them (business KPIs are the field `metrics.business`): where a
    /// finding about it points in the file.
    pub fn fields(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields(&self, out: &mut Vec<usize>) {
        match self {
            Condition::Answered(f)
            | Condition::Is { field: f, .. }
            | Condition::AtLeast { field: f, .. }
            | Condition::AtMost { field: f, .. }
            | Condition::AllAddressed(f) => out.push(*f),
            Condition::AllAnswered(fs) => out.extend(fs),
            Condition::OnOrBefore { field, than } => out.extend([*field, *than]),
            Condition::Either(cs) => cs.iter().for_each(|c| c.collect_fields(out)),
            Condition::When { when, then } => {
                when.collect_fields(out);
                then.collect_fields(out);
            }
            Condition::KpisHave(_) | Condition::KpisMeetTargets => {
                out.extend(crate::dossier::schema::field_index("metrics.business"))
            }
        }
    }
}

/// One check of the framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub id: String,
    pub mistake: Mistake,
    /// What passing means, as a short statement.
    pub title: String,
    /// The question to answer when it is unanswered.
    pub question: String,
    /// What to do when it fails; empty when the framework gives none (the
    /// pages then show the mistake's fix).
    pub remedy: String,
    /// Severity at proposed, pilot, scaling and production; `None` is `-`.
    pub severity: [Option<Severity>; 4],
    pub condition: Condition,
}

/// The rules in force: the five mistakes, the checks, the weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    pub mistakes: Vec<MistakeInfo>,
    pub checks: Vec<Check>,
    /// Weight of blocker, major and minor.
    pub weights: [u32; 3],
    /// Readiness score a pilot with no active mistake needs to be ready.
    pub ready_at: u32,
    /// Where the rules came from, for the framework page.
    pub origin: String,
}

impl Framework {
    pub fn weight(&self, severity: Severity) -> u32 {
        self.weights[severity as usize]
    }

    pub fn mistake(&self, m: Mistake) -> &MistakeInfo {
        &self.mistakes[m.index()]
    }

    /// The built-in framework of the contract.
    pub fn builtin() -> Framework {
        load::parse_framework(DEFAULT_FRAMEWORK, "(built-in framework)", None)
            .expect("the built-in framework is valid")
    }
}
