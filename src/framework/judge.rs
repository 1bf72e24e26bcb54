//! Judging one dossier: checks, mistake statuses and scores, readiness,
//! the most active mistake, the verdict and the flags.
//!
//! Pure: takes the dossier, the framework and the as-of date, returns a
//! [`Diagnosis`]. Nothing here names a check id; everything comes from the
//! [`Framework`].
//!
//! Deciding a condition ([`decide`]) returns its outcome and what it found
//! ([`evidence`](super::evidence)); the sentence for people is made from
//! that at the edge ([`wording`](super::wording)), when a page or a report
//! asks. Judging a portfolio decides with nothing recorded.

use jiff::civil::Date;
use serde::Serialize;

use super::evidence::{Chosen, Decision, Found, KpiLack, KpiRef, Lacks, Miss, Record};
use super::wording::{Say, capitalise, sentence};
use super::{
    Check, Condition, Flag, Framework, KpiField, Mistake, Outcome, Severity, Status, Verdict,
};
use crate::dossier::schema;
use crate::dossier::{Direction, Dossier, Kpi, Stage, Value};

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
        let check = &framework.checks[self.check];
        sentence(&decision(check, dossier), check, Say::Paths)
    }

    /// The same evidence in words, for people: answers named by their
    /// label (`Data completeness is 82%, below the 90% threshold`), not
    /// their field path. The pages show this; the report and `check` show
    /// [`message`](Self::message), whose field paths a pilot team greps for.
    pub fn words(&self, framework: &Framework, dossier: &Dossier) -> String {
        let check = &framework.checks[self.check];
        capitalise(&sentence(&decision(check, dossier), check, Say::Words))
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
    /// ([`path_to_ready`](super::path_to_ready)); empty when ready.
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
/// Without its path to ready, which [`super::judge`] adds from the gate
/// (the gate asks this module how a diagnosis would score).
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
        // Each condition is decided once, for both stages, with nothing
        // recorded: a portfolio's judging never builds a sentence's values.
        let (outcome, ()) = decide(&check.condition, dossier);
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

    Diagnosis {
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
    }
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

/// The outcome of `check` for `dossier`, with what it found.
pub fn decision<'a>(check: &'a Check, dossier: &'a Dossier) -> Decision<'a> {
    let (outcome, found) = decide(&check.condition, dossier);
    Decision { outcome, found }
}

fn unanswered<'a, R: Record<'a>>(missing: impl FnOnce() -> Vec<usize>) -> (Outcome, R) {
    (
        Outcome::Unanswered,
        R::found(|| Found::Unanswered { missing: missing() }),
    )
}

fn pass_if(pass: bool) -> Outcome {
    if pass { Outcome::Pass } else { Outcome::Fail }
}

/// The outcome of `cond` for `d`, and what it found as `R` records it:
/// `()` for the outcome alone, [`Found`] for the values behind it.
pub fn decide<'a, R: Record<'a>>(cond: &'a Condition, d: &'a Dossier) -> (Outcome, R) {
    match cond {
        Condition::Answered(f) => match d.answer(*f) {
            Some(value) if is_answered(Some(value)) => (
                Outcome::Pass,
                R::found(|| Found::Answer { field: *f, value }),
            ),
            _ => unanswered(Vec::new),
        },
        Condition::AllAnswered(fields) => {
            if fields.iter().all(|f| is_answered(d.answer(*f))) {
                let given = || {
                    let given = fields.iter().filter_map(|f| d.answer(*f).map(|v| (*f, v)));
                    Found::Answers(given.collect())
                };
                (Outcome::Pass, R::found(given))
            } else {
                unanswered(|| {
                    fields
                        .iter()
                        .copied()
                        .filter(|f| !is_answered(d.answer(*f)))
                        .collect()
                })
            }
        }
        Condition::Is { field, values } => {
            let found = match d.answer(*field) {
                Some(Value::Choice(w)) => Chosen::Word(w),
                Some(Value::Text(w)) if !w.trim().is_empty() => Chosen::Word(w),
                Some(Value::Bool(b)) => Chosen::Bool(*b),
                _ => return unanswered(Vec::new),
            };
            (
                pass_if(values.iter().any(|v| found.is(v))),
                R::found(|| Found::Choice {
                    field: *field,
                    found,
                    expected: values,
                }),
            )
        }
        Condition::AtLeast { field, value } | Condition::AtMost { field, value } => {
            let Some(n) = d.number(*field) else {
                return unanswered(Vec::new);
            };
            let at_least = matches!(cond, Condition::AtLeast { .. });
            (
                pass_if(if at_least { n >= *value } else { n <= *value }),
                R::found(|| Found::Number {
                    field: *field,
                    found: n,
                    limit: *value,
                    at_least,
                }),
            )
        }
        Condition::OnOrBefore { field, than } => match (d.date(*field), d.date(*than)) {
            (Some(date), Some(than_date)) => (
                pass_if(date <= than_date),
                R::found(|| Found::Dates {
                    field: *field,
                    date,
                    than: *than,
                    than_date,
                }),
            ),
            (a, b) => unanswered(|| {
                [(a.is_none(), *field), (b.is_none(), *than)]
                    .into_iter()
                    .filter(|x| x.0)
                    .map(|x| x.1)
                    .collect()
            }),
        },
        Condition::AllAddressed(field) => match d.answer(*field) {
            Some(Value::Gaps(gaps)) if !gaps.is_empty() => {
                let open = || {
                    gaps.iter()
                        .filter(|g| g.addressed != Some(true))
                        .map(|g| g.gap.as_deref().unwrap_or("unnamed gap"))
                };
                (
                    pass_if(open().next().is_none()),
                    R::found(|| Found::Gaps {
                        total: gaps.len(),
                        open: open().collect(),
                    }),
                )
            }
            _ => (Outcome::Pass, R::found(|| Found::NoGaps)),
        },
        Condition::Either(conds) => {
            // The first pass wins; otherwise the first fail; otherwise the
            // first unanswered, which says what to answer.
            let mut fail = None;
            let mut open = None;
            for c in conds {
                let r = decide(c, d);
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
            fail.or(open).unwrap_or_else(|| unanswered(Vec::new))
        }
        Condition::When { when, then } => {
            let guard = decide(when, d);
            match guard.0 {
                Outcome::Unanswered => guard,
                Outcome::Fail => (Outcome::Pass, R::unless(guard)),
                Outcome::Pass => match decide(then, d) {
                    r @ (Outcome::Pass, _) => (Outcome::Pass, R::then(guard, r)),
                    r => r,
                },
            }
        }
        Condition::KpisHave(fields) => {
            let kpis = kpis(d);
            if kpis.is_empty() {
                return unanswered(Vec::new);
            }
            let lacks = || {
                kpis.iter().enumerate().flat_map(move |(i, k)| {
                    fields
                        .iter()
                        .filter(move |f| !kpi_has(k, **f))
                        .map(move |f| KpiLack {
                            kpi: kpi_ref(k, i),
                            lacks: Lacks::Field(*f),
                        })
                })
            };
            if lacks().next().is_none() {
                (
                    Outcome::Pass,
                    R::found(|| Found::KpisWith {
                        count: kpis.len(),
                        fields,
                    }),
                )
            } else {
                (
                    Outcome::Unanswered,
                    R::found(|| Found::KpisLack(lacks().collect())),
                )
            }
        }
        Condition::KpisMeetTargets => {
            let kpis = kpis(d);
            if kpis.is_empty() {
                return unanswered(Vec::new);
            }
            let lacks = || {
                kpis.iter().enumerate().filter_map(|(i, k)| {
                    let lacks = match (k.actual, k.target) {
                        (Some(_), Some(_)) => return None,
                        (None, None) => Lacks::ActualAndTarget,
                        (None, _) => Lacks::Actual,
                        _ => Lacks::Target,
                    };
                    Some(KpiLack {
                        kpi: kpi_ref(k, i),
                        lacks,
                    })
                })
            };
            let misses = || {
                kpis.iter().enumerate().filter_map(|(i, k)| {
                    let (Some(actual), Some(target)) = (k.actual, k.target) else {
                        return None;
                    };
                    let direction = k.effective_direction();
                    let met = match direction {
                        Direction::Lower => actual <= target,
                        Direction::Higher => actual >= target,
                    };
                    (!met).then(|| Miss {
                        kpi: kpi_ref(k, i),
                        actual,
                        target,
                        direction,
                    })
                })
            };
            if lacks().next().is_some() {
                (
                    Outcome::Unanswered,
                    R::found(|| Found::KpisLack(lacks().collect())),
                )
            } else if misses().next().is_none() {
                (
                    Outcome::Pass,
                    R::found(|| Found::TargetsMet { count: kpis.len() }),
                )
            } else {
                (
                    Outcome::Fail,
                    R::found(|| Found::TargetsMissed(misses().collect())),
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

fn kpi_ref(k: &Kpi, index: usize) -> KpiRef<'_> {
    KpiRef {
        index,
        name: k.name.as_deref(),
    }
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
