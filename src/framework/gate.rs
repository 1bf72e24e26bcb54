//! The way to ready: the fewest failing checks whose passing would make a
//! pilot `ready` at its stage, and the portfolio questions built on it.
//!
//! Pure, like `judge`: a function of a [`Diagnosis`] and the
//! [`Framework`] it was judged by; `judge` keeps its result in
//! `Diagnosis::path_to_ready`, so the portfolio, the report and the pages
//! read it without the framework. The gate to the next stage is judged
//! with the diagnosis itself (`Diagnosis::next_stage`), because it needs the
//! outcomes of checks that do not apply at the pilot's own stage.

use super::judge::{Diagnosis, assess, score};
use super::{Framework, Severity, Verdict};

/// The path to ready: indices into [`Framework::checks`] of the failing
/// checks (outcome `fail` or `unanswered`) that, were they to pass, would
/// make the verdict `ready`, in this order:
///
/// 1. every failing blocker, in the framework's order;
/// 2. for each mistake with n ≥ 2 failing majors, the first n − 1 of them
///    in the framework's order, so that no mistake stays active (after
///    every blocker: a blocker is what a team must do first, so the list
///    read as a next step starts with them);
/// 3. then, while readiness is below the framework's bar, the remaining
///    failing checks by weight, heaviest first, ties in the framework's
///    order.
///
/// Empty for a `ready` pilot. No smaller set would do: the first two steps
/// are forced (a failing blocker, or a second failing major, keeps its
/// mistake active) and the third takes the heaviest checks left, which
/// reaches the bar in the fewest.
pub fn path_to_ready(g: &Diagnosis, fw: &Framework) -> Vec<usize> {
    if g.verdict == Verdict::Ready {
        return Vec::new();
    }
    // Positions in `g.checks` (framework order) of the checks taken.
    let mut taken = vec![false; g.checks.len()];
    let failing = |i: usize| g.checks[i].outcome.is_failing();

    for (i, c) in g.checks.iter().enumerate() {
        if failing(i) && c.severity == Severity::Blocker {
            taken[i] = true;
        }
    }
    let mut majors_left = [0usize; 5];
    for (i, c) in g.checks.iter().enumerate() {
        if failing(i) && c.severity == Severity::Major {
            majors_left[fw.checks[c.check].mistake.index()] += 1;
        }
    }
    for (i, c) in g.checks.iter().enumerate() {
        let m = fw.checks[c.check].mistake.index();
        if failing(i) && c.severity == Severity::Major && majors_left[m] >= 2 {
            taken[i] = true;
            majors_left[m] -= 1;
        }
    }

    let total: u32 = g.checks.iter().map(|c| fw.weight(c.severity)).sum();
    let mut pass: u32 = g
        .checks
        .iter()
        .enumerate()
        .filter(|(i, _)| !failing(*i) || taken[*i])
        .map(|(_, c)| fw.weight(c.severity))
        .sum();
    let mut rest: Vec<usize> = (0..g.checks.len())
        .filter(|i| failing(*i) && !taken[*i])
        .collect();
    // A stable sort keeps the framework's order among equal weights.
    rest.sort_by_key(|i| std::cmp::Reverse(fw.weight(g.checks[*i].severity)));
    let mut order: Vec<usize> = (0..g.checks.len())
        .filter(|i| taken[*i] && g.checks[*i].severity == Severity::Blocker)
        .collect();
    order.extend(
        (0..g.checks.len()).filter(|i| taken[*i] && g.checks[*i].severity != Severity::Blocker),
    );
    for i in rest {
        if score(pass, total) >= fw.ready_at {
            break;
        }
        pass += fw.weight(g.checks[i].severity);
        order.push(i);
    }
    order.into_iter().map(|i| g.checks[i].check).collect()
}

/// The verdict the pilot would have if the checks at `passing` (indices
/// into [`Framework::checks`]) passed: how a path is checked.
pub fn verdict_if_passing(g: &Diagnosis, fw: &Framework, passing: &[usize]) -> Verdict {
    assess(
        fw,
        g.checks.iter().map(|c| {
            (
                fw.checks[c.check].mistake,
                c.severity,
                c.outcome.is_failing() && !passing.contains(&c.check),
            )
        }),
    )
    .verdict
}

/// Whether the pilot would be `ready` at the stage after its own.
pub fn ready_for_next_stage(g: &Diagnosis) -> bool {
    g.next_stage
        .as_ref()
        .is_some_and(|n| n.verdict == Verdict::Ready)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::framework::judge::{CheckResult, Diagnosis};
    use crate::framework::{Check, Condition, Mistake, Outcome};

    /// A framework of `checks` (mistake, severity) with these weights and
    /// bar, and a diagnosis of them with these outcomes.
    fn case(
        checks: &[(Mistake, Severity, Outcome)],
        weights: [u32; 3],
        ready_at: u32,
    ) -> (Framework, Diagnosis) {
        let mut fw = Framework::builtin();
        fw.weights = weights;
        fw.ready_at = ready_at;
        fw.checks = checks
            .iter()
            .enumerate()
            .map(|(i, (m, s, _))| Check {
                id: format!("{}.c{i}", m.as_str()),
                mistake: *m,
                title: String::new(),
                question: String::new(),
                remedy: String::new(),
                severity: [Some(*s); 4],
                condition: Condition::AllAnswered(Vec::new()),
            })
            .collect();
        let results: Vec<CheckResult> = checks
            .iter()
            .enumerate()
            .map(|(i, (_, s, o))| CheckResult {
                check: i,
                severity: *s,
                outcome: *o,
            })
            .collect();
        let a = assess(&fw, checks.iter().map(|(m, s, o)| (*m, *s, o.is_failing())));
        let g = Diagnosis {
            verdict: a.verdict,
            readiness: a.readiness,
            most_active: a.most_active,
            flags: Vec::new(),
            days_overdue: None,
            days_since_update: None,
            mistakes: a.mistakes,
            checks: results,
            next_stage: None,
            path_to_ready: Vec::new(),
        };
        (fw, g)
    }

    fn check_strategy() -> impl Strategy<Value = (Mistake, Severity, Outcome)> {
        (
            prop::sample::select(Mistake::ALL.to_vec()),
            prop::sample::select(vec![Severity::Blocker, Severity::Major, Severity::Minor]),
            prop::sample::select(vec![Outcome::Pass, Outcome::Fail, Outcome::Unanswered]),
        )
    }

    fn weights_strategy() -> impl Strategy<Value = ([u32; 3], u32)> {
        prop_oneof![
            // The built-in weights and bar.
            Just(([5, 3, 1], 80)),
            // A project's own: any weights (one may be 0), any bar.
            (0u32..8, 0u32..8, 0u32..8, 0u32..=100)
                .prop_filter("not all weights 0", |(b, m, n, _)| b + m + n > 0)
                .prop_map(|(b, m, n, r)| ([b, m, n], r)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn the_path_leads_to_ready_and_no_smaller_set_does(
            checks in prop::collection::vec(check_strategy(), 0..11),
            (weights, ready_at) in weights_strategy(),
        ) {
            let (fw, g) = case(&checks, weights, ready_at);
            let path = path_to_ready(&g, &fw);
            prop_assert_eq!(verdict_if_passing(&g, &fw, &path), Verdict::Ready);
            if g.verdict == Verdict::Ready {
                prop_assert!(path.is_empty());
            }
            // Every check on the path is failing, and none twice.
            for (n, i) in path.iter().enumerate() {
                prop_assert!(g.checks[*i].outcome.is_failing());
                prop_assert!(!path[..n].contains(i));
            }
            // Every blocker comes before any other check: the path is
            // read as the next step, and a blocker is what to do first.
            let blocker = |i: &usize| g.checks[*i].severity == Severity::Blocker;
            let blockers = path.iter().take_while(|i| blocker(i)).count();
            prop_assert!(
                path[blockers..].iter().all(|i| !blocker(i)),
                "blockers first: {:?}",
                path
            );
            // Brute force: no set of failing checks smaller than the path
            // makes the pilot ready.
            let failing: Vec<usize> = g
                .checks
                .iter()
                .filter(|c| c.outcome.is_failing())
                .map(|c| c.check)
                .collect();
            for mask in 0u32..(1 << failing.len()) {
                if (mask.count_ones() as usize) < path.len() {
                    let set: Vec<usize> = failing
                        .iter()
                        .enumerate()
                        .filter(|(bit, _)| mask & (1 << bit) != 0)
                        .map(|(_, i)| *i)
                        .collect();
                    prop_assert_ne!(
                        verdict_if_passing(&g, &fw, &set),
                        Verdict::Ready,
                        "{:?} is smaller than the path {:?}",
                        set,
                        path
                    );
                }
            }
        }
    }
}
