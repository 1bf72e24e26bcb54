//! Judging one dossier: checks, mistake statuses and scores, readiness,
//! the most active mistake, the verdict and the flags.
//!
//! Pure: takes the dossier, the framework and the as-of date, returns a
//! [`Diagnosis`]. Nothing here names a check id; everything comes from the
//! [`Framework`].

use jiff::civil::Date;
use serde::Serialize;

use super::{
    Check, Condition, Flag, Framework, KpiField, Literal, Mistake, Outcome, Severity, Status,
    Verdict,
};
use crate::dossier::schema::{self, Kind};
use crate::dossier::{Direction, Dossier, Kpi, Stage, Value, format_share, tree::format_number};

/// The result of one check for one pilot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// Index of the check in [`Framework::checks`].
    #[serde(skip)]
    pub check: usize,
    pub severity: Severity,
    pub outcome: Outcome,
}

impl CheckResult {
    /// Why: the evidence for a pass or a fail, the question when
    /// unanswered. Made when shown, not kept: a diagnosis lives for the
    /// whole build beside every other, and `check` shows none of them.
    pub fn message(&self, framework: &Framework, dossier: &Dossier) -> String {
        evaluate(&framework.checks[self.check], dossier).1
    }

    /// The same evidence in words, for people: answers named by their
    /// label (`Data completeness is 82%, below the 90% threshold`), not
    /// their field path. The pages show this; the report and `check` show
    /// [`message`](Self::message), whose field paths a pilot team greps for.
    pub fn words(&self, framework: &Framework, dossier: &Dossier) -> String {
        let check = &framework.checks[self.check];
        let words = condition(&check.condition, check, dossier, Say::Words).1;
        capitalise(&words)
    }
}

/// One mistake's state in one pilot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MistakeResult {
    pub status: Status,
    pub score: u32,
    /// Total weight of the failing checks.
    #[serde(skip)]
    pub failing_weight: u32,
}

/// Everything the framework says about one pilot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    pub verdict: Verdict,
    pub readiness: u32,
    pub most_active: Option<Mistake>,
    pub flags: Vec<Flag>,
    /// Days past `decision_due`, when it has passed.
    pub days_overdue: Option<i64>,
    /// Days since `updated`, when given.
    pub days_since_update: Option<i64>,
    /// In the order of [`Mistake::ALL`].
    pub mistakes: [MistakeResult; 5],
    /// Every check that applies at the pilot's stage, in framework order.
    pub checks: Vec<CheckResult>,
    /// The same answers judged at the next stage; `None` for production
    /// and abandoned pilots.
    pub next_stage: Option<NextStage>,
    /// Indices into [`Framework::checks`] of the path to ready
    /// ([`path_to_ready`](super::gate::path_to_ready)); empty when ready.
    #[serde(skip)]
    pub path_to_ready: Vec<usize>,
}

/// The gate to the next stage: the same answers judged by that stage's
/// severities and applicable checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextStage {
    pub stage: Stage,
    pub verdict: Verdict,
    pub readiness: u32,
    /// Indices into [`Framework::checks`] of the checks that fail there as
    /// blockers, in framework order.
    #[serde(skip)]
    pub blockers: Vec<usize>,
}

/// What the framework concludes from a set of check results: statuses
/// and scores, readiness, the most active mistake and the verdict. The one
/// place those rules live, for the pilot's own stage, the next stage, and
/// the path to ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    pub verdict: Verdict,
    pub readiness: u32,
    pub most_active: Option<Mistake>,
    pub mistakes: [MistakeResult; 5],
}

/// Assesses checks given as (mistake, severity, failing), by the weights
/// and bar of `framework`.
pub fn assess(
    framework: &Framework,
    checks: impl IntoIterator<Item = (Mistake, Severity, bool)>,
) -> Assessment {
    let mut pass_weight = [0u32; 5];
    let mut total_weight = [0u32; 5];
    let mut failing_weight = [0u32; 5];
    let mut failing_blockers = [0u32; 5];
    let mut failing_majors = [0u32; 5];
    let mut failing_any = [0u32; 5];
    for (mistake, severity, failing) in checks {
        let m = mistake.index();
        let w = framework.weight(severity);
        total_weight[m] += w;
        if failing {
            failing_weight[m] += w;
            failing_any[m] += 1;
            match severity {
                Severity::Blocker => failing_blockers[m] += 1,
                Severity::Major => failing_majors[m] += 1,
                Severity::Minor => {}
            }
        } else {
            pass_weight[m] += w;
        }
    }

    let mistakes: [MistakeResult; 5] = std::array::from_fn(|m| MistakeResult {
        status: if failing_blockers[m] > 0 || failing_majors[m] >= 2 {
            Status::Active
        } else if failing_any[m] > 0 {
            Status::AtRisk
        } else {
            Status::Clear
        },
        score: score(pass_weight[m], total_weight[m]),
        failing_weight: failing_weight[m],
    });
    let readiness = score(pass_weight.iter().sum(), total_weight.iter().sum());

    // Largest failing weight; ties go to the earlier mistake.
    let most_active = Mistake::ALL
        .into_iter()
        .filter(|m| mistakes[m.index()].failing_weight > 0)
        .fold(None::<Mistake>, |best, m| match best {
            Some(b) if mistakes[b.index()].failing_weight >= mistakes[m.index()].failing_weight => {
                Some(b)
            }
            _ => Some(m),
        });

    let active = mistakes
        .iter()
        .filter(|m| m.status == Status::Active)
        .count();
    let verdict = if active == 0 && readiness >= framework.ready_at {
        Verdict::Ready
    } else if active >= 2 {
        Verdict::NotReady
    } else {
        Verdict::AtRisk
    };
    Assessment {
        verdict,
        readiness,
        most_active,
        mistakes,
    }
}

/// Judges `dossier` by `framework` as of `as_of`, with answers older than
/// `stale_days` flagged stale.
pub fn judge(dossier: &Dossier, framework: &Framework, as_of: Date, stale_days: i64) -> Diagnosis {
    let column = dossier.stage.column();
    let next = dossier.stage.next();
    let next_column = next.map(Stage::column);
    // A diagnosis lives for the whole build, beside every other one: no
    // room to spare in its list of checks.
    let mut checks = Vec::with_capacity(framework.checks.len());
    // Outcomes at the next stage, for the checks that apply there.
    let mut ahead: Vec<(usize, Severity, Outcome)> = Vec::new();

    for (i, check) in framework.checks.iter().enumerate() {
        let here = check.severity[column];
        let there = next_column.and_then(|c| check.severity[c]);
        if here.is_none() && there.is_none() {
            continue;
        }
        // Each condition is evaluated once, for both stages.
        let (outcome, _) = condition(&check.condition, check, dossier, Say::Nothing);
        if let Some(severity) = here {
            checks.push(CheckResult {
                check: i,
                severity,
                outcome,
            });
        }
        if let Some(severity) = there {
            ahead.push((i, severity, outcome));
        }
    }

    let a = assess(
        framework,
        checks.iter().map(|c| {
            (
                framework.checks[c.check].mistake,
                c.severity,
                c.outcome.is_failing(),
            )
        }),
    );
    let next_stage = next.map(|stage| {
        let there = assess(
            framework,
            ahead
                .iter()
                .map(|(i, sev, o)| (framework.checks[*i].mistake, *sev, o.is_failing())),
        );
        NextStage {
            stage,
            verdict: there.verdict,
            readiness: there.readiness,
            blockers: ahead
                .iter()
                .filter(|(_, sev, o)| *sev == Severity::Blocker && o.is_failing())
                .map(|(i, _, _)| *i)
                .collect(),
        }
    });

    let mut flags = Vec::new();
    let days_overdue = dossier
        .decision_due()
        .map(|due| days_between(due, as_of))
        .filter(|d| *d > 0);
    if matches!(dossier.stage, Stage::Pilot | Stage::Paused) && days_overdue.is_some() {
        flags.push(Flag::Purgatory);
    }
    let days_since_update = dossier.updated().map(|u| days_between(u, as_of));
    if days_since_update.is_none_or(|d| d > stale_days) {
        flags.push(Flag::Stale);
    }

    let mut diagnosis = Diagnosis {
        verdict: a.verdict,
        readiness: a.readiness,
        most_active: a.most_active,
        flags,
        days_overdue,
        days_since_update,
        mistakes: a.mistakes,
        checks,
        next_stage,
        path_to_ready: Vec::new(),
    };
    diagnosis.path_to_ready = super::gate::path_to_ready(&diagnosis, framework);
    diagnosis
}

/// 100 × passing ÷ applicable, rounded half up; 100 when nothing applies.
pub fn score(pass: u32, total: u32) -> u32 {
    if total == 0 {
        return 100;
    }
    (200 * pass as u64 + total as u64).div_euclid(2 * total as u64) as u32
}

/// Whole days from `from` to `to` (positive when `to` is later).
pub fn days_between(from: Date, to: Date) -> i64 {
    from.until(to)
        .map(|span| span.get_days() as i64)
        .unwrap_or(0)
}

fn unanswered(say: Say, check: &Check, missing: &[&str]) -> (Outcome, String) {
    if !say.on() {
        return (Outcome::Unanswered, String::new());
    }
    let mut message = format!("not answered: {}", check.question);
    if !missing.is_empty() {
        message.push_str(&format!(" (missing: {})", missing.join(", ")));
    }
    (Outcome::Unanswered, message)
}

/// A threshold as the field shows it: `90%` for shares.
fn show_threshold(field: usize, value: f64) -> String {
    if schema::FIELDS[field].kind == Kind::Share {
        format_share(value)
    } else {
        format_number(value)
    }
}

/// An answer and its threshold as the field shows them, the answer with
/// enough digits that the sentence never states a comparison its own
/// numbers contradict: 20.01% against a 20% limit is not "20%", and
/// 59.99% against a 60% threshold not "60%".
fn show_apart(field: usize, n: f64, limit: f64) -> (String, String) {
    let (shown, limit_shown) = (show_threshold(field, n), show_threshold(field, limit));
    let share = schema::FIELDS[field].kind == Kind::Share;
    let scale = if share { 100.0 } else { 1.0 };
    let number = |s: &str| s.trim_end_matches('%').replace(',', "").parse::<f64>().ok();
    let agrees = |s: &str| {
        number(s).is_some_and(|x| x.partial_cmp(&(limit * scale)) == n.partial_cmp(&limit))
    };
    if agrees(&shown) {
        return (shown, limit_shown);
    }
    for digits in 1..=9 {
        let s = format!("{:.*}", digits, n * scale);
        if agrees(&s) {
            return (if share { format!("{s}%") } else { s }, limit_shown);
        }
    }
    (shown, limit_shown)
}

/// Whether an answer counts as given.
fn is_answered(value: Option<&Value>) -> bool {
    match value {
        None => false,
        Some(Value::Text(s)) => !s.trim().is_empty(),
        Some(Value::List(items)) => items.iter().any(|i| !i.trim().is_empty()),
        Some(Value::Kpis(k)) => !k.is_empty(),
        Some(_) => true,
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 90 {
        format!("{}…", s.chars().take(90).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The outcome of one check and the message that explains it.
pub fn evaluate(check: &Check, dossier: &Dossier) -> (Outcome, String) {
    condition(&check.condition, check, dossier, Say::Paths)
}

/// Whether a message is made, and how it names the answers it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Say {
    /// Only the outcome is wanted.
    Nothing,
    /// By field path: `framing.success_defined_as is demo`.
    Paths,
    /// By the field's label: `Success is defined as: demo`.
    Words,
}

impl Say {
    fn on(self) -> bool {
        self != Say::Nothing
    }

    /// The name of `field` in the message.
    fn field(self, field: usize) -> &'static str {
        match self {
            Say::Words => schema::FIELDS[field].label,
            _ => schema::FIELDS[field].path,
        }
    }

    /// The name of `field` inside a sentence.
    fn field_within(self, field: usize) -> String {
        match self {
            Say::Words => lower_first(schema::FIELDS[field].label),
            _ => schema::FIELDS[field].path.to_string(),
        }
    }

    /// What joins a field to its value: a label reads better with a colon
    /// (`Success is defined as: demo`) than with "is".
    fn is(self) -> &'static str {
        match self {
            Say::Words => ":",
            _ => " is",
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep acronyms (`KPI targets`) as written.
        Some(f) if !c.clone().next().is_some_and(char::is_uppercase) => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `format!` when the message is wanted (`say`), an empty string (no
/// allocation, no formatting) when only the outcome is.
macro_rules! say {
    ($say:expr, $($arg:tt)*) => {
        if $say.on() { format!($($arg)*) } else { String::new() }
    };
}

/// The outcome of `cond` for `d`, and the message when `say`.
fn condition(cond: &Condition, check: &Check, d: &Dossier, say: Say) -> (Outcome, String) {
    match cond {
        Condition::Answered(f) => match d.answer(*f) {
            v @ Some(value) if is_answered(v) => (
                Outcome::Pass,
                say!(say, "{}: {}", say.field(*f), short(&value.display())),
            ),
            _ => unanswered(say, check, &[]),
        },
        Condition::AllAnswered(fields) => {
            let missing: Vec<&str> = fields
                .iter()
                .filter(|f| !is_answered(d.answer(**f)))
                .map(|f| say.field(*f))
                .collect();
            if missing.is_empty() {
                let given = || {
                    let given: Vec<String> = fields
                        .iter()
                        .filter_map(|f| {
                            d.answer(*f).map(|v| match say {
                                Say::Words => format!("{} {}", say.field_within(*f), v.display()),
                                _ => format!("{} {}", schema::FIELDS[*f].key(), v.display()),
                            })
                        })
                        .collect();
                    given.join(", ")
                };
                (
                    Outcome::Pass,
                    if say.on() { given() } else { String::new() },
                )
            } else {
                unanswered(say, check, &missing)
            }
        }
        Condition::Is { field, values } => {
            let found = match d.answer(*field) {
                Some(Value::Choice(w)) => Literal::Word(w.to_string()),
                Some(Value::Text(w)) if !w.trim().is_empty() => Literal::Word(w.clone()),
                Some(Value::Bool(b)) => Literal::Bool(*b),
                _ => return unanswered(say, check, &[]),
            };
            if values.contains(&found) {
                (
                    Outcome::Pass,
                    say!(say, "{}{} {}", say.field(*field), say.is(), found.display()),
                )
            } else if say == Say::Words && matches!(found, Literal::Bool(_)) {
                // "Users helped set the criteria: no", not "no, not yes".
                (
                    Outcome::Fail,
                    format!("{}: {}", say.field(*field), found.display()),
                )
            } else {
                let expected: Vec<String> = values.iter().map(Literal::display).collect();
                (
                    Outcome::Fail,
                    say!(
                        say,
                        "{}{} {}, not {}",
                        say.field(*field),
                        say.is(),
                        found.display(),
                        expected.join(" or ")
                    ),
                )
            }
        }
        Condition::AtLeast { field, value } | Condition::AtMost { field, value } => {
            let Some(n) = d.number(*field) else {
                return unanswered(say, check, &[]);
            };
            let at_least = matches!(cond, Condition::AtLeast { .. });
            // Formatted only when said.
            let (shown, limit) = if say.on() {
                show_apart(*field, n, *value)
            } else {
                Default::default()
            };
            if at_least && n >= *value {
                (
                    Outcome::Pass,
                    say!(say, "{} is {shown}, at least {limit}", say.field(*field)),
                )
            } else if at_least {
                (
                    Outcome::Fail,
                    say!(
                        say,
                        "{} is {shown}, below the {limit} threshold",
                        say.field(*field)
                    ),
                )
            } else if n <= *value {
                (
                    Outcome::Pass,
                    say!(say, "{} is {shown}, at most {limit}", say.field(*field)),
                )
            } else {
                (
                    Outcome::Fail,
                    say!(
                        say,
                        "{} is {shown}, above the {limit} limit",
                        say.field(*field)
                    ),
                )
            }
        }
        Condition::OnOrBefore { field, than } => match (d.date(*field), d.date(*than)) {
            (Some(a), Some(b)) if a <= b => (
                Outcome::Pass,
                say!(
                    say,
                    "{} ({a}) is on or before {} ({b})",
                    say.field(*field),
                    say.field_within(*than)
                ),
            ),
            (Some(a), Some(b)) => (
                Outcome::Fail,
                say!(
                    say,
                    "{} ({a}) is after {} ({b})",
                    say.field(*field),
                    say.field_within(*than)
                ),
            ),
            (a, b) => {
                let missing: Vec<&str> = [
                    (a.is_none(), say.field(*field)),
                    (b.is_none(), say.field(*than)),
                ]
                .into_iter()
                .filter(|x| x.0)
                .map(|x| x.1)
                .collect();
                unanswered(say, check, &missing)
            }
        },
        Condition::AllAddressed(field) => match d.answer(*field) {
            Some(Value::Gaps(gaps)) if !gaps.is_empty() => {
                let open: Vec<&str> = gaps
                    .iter()
                    .filter(|g| g.addressed != Some(true))
                    .map(|g| g.gap.as_deref().unwrap_or("unnamed gap"))
                    .collect();
                if open.is_empty() {
                    (
                        Outcome::Pass,
                        if gaps.len() == 1 {
                            say!(say, "the one known gap is addressed")
                        } else {
                            say!(say, "all {} known gaps are addressed", gaps.len())
                        },
                    )
                } else {
                    let verb = if open.len() == 1 { "is" } else { "are" };
                    let noun = if gaps.len() == 1 {
                        "known gap"
                    } else {
                        "known gaps"
                    };
                    (
                        Outcome::Fail,
                        say!(
                            say,
                            "{} of {} {noun} {verb} not addressed: {}",
                            open.len(),
                            gaps.len(),
                            short(&open.join("; "))
                        ),
                    )
                }
            }
            _ => (Outcome::Pass, say!(say, "no known gaps are listed")),
        },
        Condition::Either(conds) => {
            // The first pass wins; otherwise the first fail; otherwise the
            // first unanswered, whose message says what to answer.
            let mut fail = None;
            let mut open = None;
            for c in conds {
                let r = condition(c, check, d, say);
                match r.0 {
                    Outcome::Pass => return r,
                    Outcome::Fail => {
                        fail.get_or_insert(r);
                    }
                    Outcome::Unanswered => {
                        open.get_or_insert(r);
                    }
                }
            }
            fail.or(open).unwrap_or_else(|| unanswered(say, check, &[]))
        }
        Condition::When { when, then } => {
            let guard = condition(when, check, d, say);
            match guard.0 {
                Outcome::Unanswered => guard,
                Outcome::Fail => (Outcome::Pass, guard.1),
                Outcome::Pass => {
                    let r = condition(then, check, d, say);
                    match r.0 {
                        Outcome::Pass if say.on() => {
                            (Outcome::Pass, format!("{}; {}", guard.1, r.1))
                        }
                        _ => r,
                    }
                }
            }
        }
        Condition::KpisHave(fields) => {
            let kpis = kpis(d);
            if kpis.is_empty() {
                return unanswered(say, check, &[]);
            }
            let mut missing = Vec::new();
            for (i, k) in kpis.iter().enumerate() {
                for f in fields {
                    if !kpi_has(k, *f) {
                        missing.push(say!(say, "{} has no {}", kpi_name(k, i), f.as_str()));
                    }
                }
            }
            if missing.is_empty() {
                let n = kpis.len();
                let what: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
                (
                    Outcome::Pass,
                    say!(
                        say,
                        "{n} KPI{} with {}",
                        if n == 1 { "" } else { "s" },
                        what.join(" and ")
                    ),
                )
            } else {
                (
                    Outcome::Unanswered,
                    say!(
                        say,
                        "not answered: {} ({})",
                        check.question,
                        short(&missing.join("; "))
                    ),
                )
            }
        }
        Condition::KpisMeetTargets => {
            let kpis = kpis(d);
            if kpis.is_empty() {
                return unanswered(say, check, &[]);
            }
            let mut missed = Vec::new();
            let mut missing = Vec::new();
            for (i, k) in kpis.iter().enumerate() {
                match (k.actual, k.target) {
                    (Some(actual), Some(target)) => {
                        let dir = k.effective_direction();
                        let met = match dir {
                            Direction::Lower => actual <= target,
                            Direction::Higher => actual >= target,
                        };
                        if !met {
                            let better = if dir == Direction::Lower {
                                "lower"
                            } else {
                                "higher"
                            };
                            missed.push(say!(
                                say,
                                "{}: actual {} misses the target {} ({better} is better)",
                                kpi_name(k, i),
                                format_number(actual),
                                format_number(target)
                            ));
                        }
                    }
                    (actual, target) => missing.push(say!(
                        say,
                        "{} has no {}",
                        kpi_name(k, i),
                        match (actual, target) {
                            (None, None) => "actual and no target",
                            (None, _) => "actual",
                            _ => "target",
                        }
                    )),
                }
            }
            if !missing.is_empty() {
                (
                    Outcome::Unanswered,
                    say!(
                        say,
                        "not answered: {} ({})",
                        check.question,
                        short(&missing.join("; "))
                    ),
                )
            } else if missed.is_empty() {
                (
                    Outcome::Pass,
                    say!(say, "all {} KPIs meet their targets", kpis.len()),
                )
            } else {
                (
                    Outcome::Fail,
                    if say.on() {
                        short(&missed.join("; "))
                    } else {
                        String::new()
                    },
                )
            }
        }
    }
}

fn kpis(d: &Dossier) -> &[Kpi] {
    match d.answer(schema::field_index("metrics.business").unwrap_or(usize::MAX)) {
        Some(Value::Kpis(k)) => k,
        _ => &[],
    }
}

fn kpi_name(k: &Kpi, i: usize) -> String {
    k.name
        .as_ref()
        .map_or_else(|| format!("KPI {}", i + 1), |n| format!("\"{n}\""))
}

fn kpi_has(k: &Kpi, f: KpiField) -> bool {
    match f {
        KpiField::Name => k.name.is_some(),
        KpiField::Unit => k.unit.is_some(),
        KpiField::Baseline => k.baseline.is_some(),
        KpiField::Target => k.target.is_some(),
        KpiField::Direction => k.direction.is_some(),
        KpiField::Actual => k.actual.is_some(),
        KpiField::Owner => k.owner.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_half_up() {
        assert_eq!(score(3, 8), 38); // 37.5
        assert_eq!(score(1, 3), 33);
        assert_eq!(score(2, 3), 67);
        assert_eq!(score(0, 0), 100);
        assert_eq!(score(5, 5), 100);
    }
}
