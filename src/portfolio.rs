//! Portfolio figures: what the summary page and the FAQ say about all pilots
//! together. Computed once per build from the diagnoses, never in templates.

use serde::Serialize;

use crate::dossier::{Dossier, Stage};
use crate::framework::{Diagnosis, Flag, Mistake, Status, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Portfolio {
    /// Pilots judged (dossiers with errors are not counted).
    pub pilots: usize,
    /// Dossiers that could not be read: not judged, and not counted in any
    /// figure here (their budget included). Set by `project::Judged`; the
    /// report has it at its top level, beside `errors`.
    #[serde(skip)]
    pub unread: usize,
    /// Pilots with each mistake active, in the order of [`Mistake::ALL`].
    pub active_by_mistake: [usize; 5],
    /// The mistake active in the most pilots (ties to the earlier one).
    pub most_common_active: Option<Mistake>,
    /// Pilots per verdict: ready, at risk, not ready.
    pub by_verdict: [usize; 3],
    /// Pilots per stage, in the order of [`Stage::ALL`].
    pub by_stage: [usize; 6],
    pub purgatory: usize,
    pub stale: usize,
    /// Budget committed to pilots that are not ready, in purgatory or
    /// abandoned (each pilot counted once).
    pub budget_at_risk: f64,
    /// All budget committed.
    pub budget_total: f64,
    /// Share of pilots in production or scaling, 0..1.
    pub production_share: f64,
    /// Pilots in production or scaling.
    pub in_production: usize,
    /// Pilots in the `pilot` stage whose answers are `ready` at scaling.
    pub ready_to_scale: usize,
    /// The fewest checks between a pilot that is not ready and `ready`
    /// (the shortest path to ready); `None` when every pilot is ready.
    pub fewest_to_ready: Option<usize>,
}

impl Portfolio {
    pub fn compute<'a>(
        pilots: impl IntoIterator<Item = (&'a Dossier, &'a Diagnosis)>,
    ) -> Portfolio {
        let mut p = Portfolio {
            pilots: 0,
            unread: 0,
            active_by_mistake: [0; 5],
            most_common_active: None,
            by_verdict: [0; 3],
            by_stage: [0; 6],
            purgatory: 0,
            stale: 0,
            budget_at_risk: 0.0,
            budget_total: 0.0,
            production_share: 0.0,
            in_production: 0,
            ready_to_scale: 0,
            fewest_to_ready: None,
        };
        for (dossier, diagnosis) in pilots {
            p.pilots += 1;
            for m in Mistake::ALL {
                if diagnosis.mistakes[m.index()].status == Status::Active {
                    p.active_by_mistake[m.index()] += 1;
                }
            }
            p.by_verdict[diagnosis.verdict as usize] += 1;
            p.by_stage[dossier.stage as usize] += 1;
            let purgatory = diagnosis.flags.contains(&Flag::Purgatory);
            if purgatory {
                p.purgatory += 1;
            }
            if diagnosis.flags.contains(&Flag::Stale) {
                p.stale += 1;
            }
            let budget = dossier.budget().unwrap_or(0.0);
            p.budget_total += budget;
            if puts_budget_at_risk(dossier, diagnosis) {
                p.budget_at_risk += budget;
            }
            if matches!(dossier.stage, Stage::Production | Stage::Scaling) {
                p.in_production += 1;
            }
            if dossier.stage == Stage::Pilot && crate::framework::ready_for_next_stage(diagnosis) {
                p.ready_to_scale += 1;
            }
            let steps = diagnosis.path_to_ready.len();
            if steps > 0 && p.fewest_to_ready.is_none_or(|f| steps < f) {
                p.fewest_to_ready = Some(steps);
            }
        }
        p.production_share = if p.pilots == 0 {
            0.0
        } else {
            p.in_production as f64 / p.pilots as f64
        };
        let max = p.active_by_mistake.iter().copied().max().unwrap_or(0);
        if max > 0 {
            p.most_common_active = Mistake::ALL
                .into_iter()
                .find(|m| p.active_by_mistake[m.index()] == max);
        }
        p
    }

    pub fn verdict_count(&self, v: Verdict) -> usize {
        self.by_verdict[v as usize]
    }

    /// Whether `diagnosis` is of a pilot closest to ready: not ready, and
    /// as few checks from it as any pilot of the portfolio.
    pub fn is_closest_to_ready(&self, diagnosis: &Diagnosis) -> bool {
        let steps = diagnosis.path_to_ready.len();
        steps > 0 && Some(steps) == self.fewest_to_ready
    }
}

/// Whether a pilot's budget counts as at risk: the pilot is not ready, in
/// purgatory or abandoned. The one rule for the figure and for the pilots
/// named beside it.
pub fn puts_budget_at_risk(dossier: &Dossier, diagnosis: &Diagnosis) -> bool {
    diagnosis.verdict == Verdict::NotReady
        || diagnosis.flags.contains(&Flag::Purgatory)
        || dossier.stage == Stage::Abandoned
}
