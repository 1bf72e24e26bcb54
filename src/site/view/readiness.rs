//! View models of the way to ready: a pilot's path to ready and its gate
//! to the next stage, and the portfolio's pilots closest to ready and
//! ready to scale. Everything is computed by the engine (`framework::gate`,
//! `Diagnosis::next_stage`, `Portfolio`); this only words and orders it.

use serde::Serialize;

use super::{
    LiveFigure, live_figure, outcome_label, outcome_symbol, pilot_href, plural, verdict_label,
};
use crate::dossier::{Dossier, Stage};
use crate::framework::{Diagnosis, Framework, Mistake, Outcome, Verdict};
use crate::portfolio::Portfolio;
use crate::project::Judged;

/// One check on a way to ready: what passing means, the question it asks
/// and what to do.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub id: String,
    pub title: String,
    pub mistake: &'static str,
    pub mistake_name: String,
    /// At the pilot's stage (for a path) or at the next stage (for a gate).
    pub severity: &'static str,
    /// Empty for a gate's blockers that do not apply at the pilot's stage.
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub symbol: &'static str,
    pub question: String,
    /// The check's remedy, or its mistake's fix when it has none.
    pub remedy: String,
}

fn step(
    fw: &Framework,
    index: usize,
    severity: &'static str,
    outcome: Option<Outcome>,
) -> StepView {
    let check = &fw.checks[index];
    let mistake = fw.mistake(check.mistake);
    StepView {
        id: check.id.clone(),
        title: check.title.clone(),
        mistake: check.mistake.as_str(),
        mistake_name: mistake.name.clone(),
        severity,
        outcome: outcome.map_or("", Outcome::as_str),
        outcome_label: outcome.map_or("", outcome_label),
        symbol: outcome.map_or("", outcome_symbol),
        question: check.question.clone(),
        remedy: if check.remedy.trim().is_empty() {
            mistake.fix.clone()
        } else {
            check.remedy.clone()
        },
    }
}

/// The path to ready grouped under the mistake each check belongs to: the
/// groups in the order of their first check on the path (so the first
/// group holds the first blocker), the checks of a group in the path's
/// order. Read top to bottom, it is the path itself, numbered once: the
/// one next step of a pilot page and of its board-pack sheet. Empty for a
/// `ready` pilot.
pub fn path_groups(fw: &Framework, g: &Diagnosis) -> Vec<(Mistake, Vec<usize>)> {
    let mut groups: Vec<(Mistake, Vec<usize>)> = Vec::new();
    for i in &g.path_to_ready {
        let m = fw.checks[*i].mistake;
        match groups.iter_mut().find(|(g, _)| *g == m) {
            Some((_, checks)) => checks.push(*i),
            None => groups.push((m, vec![*i])),
        }
    }
    groups
}

/// The number each check of the path has on the page (1-based, in
/// [`path_groups`] order), by index into [`Framework::checks`].
pub fn step_numbers(groups: &[(Mistake, Vec<usize>)]) -> Vec<(usize, usize)> {
    groups
        .iter()
        .flat_map(|(_, checks)| checks.iter().copied())
        .enumerate()
        .map(|(n, i)| (i, n + 1))
        .collect()
}

/// "Ready for scaling?": the same answers judged at the next stage.
#[derive(Debug, Clone, Serialize)]
pub struct GateView {
    pub stage: &'static str,
    /// "Ready for scaling?"
    pub heading: String,
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    pub readiness: u32,
    pub answer: String,
    pub blockers: Vec<GateBlocker>,
}

/// A check that would block the next stage: its remedy, or the number of
/// the step of the path that already asks for it (a check is shown with
/// its remedy once on a page).
#[derive(Debug, Clone, Serialize)]
pub struct GateBlocker {
    #[serde(flatten)]
    pub step: StepView,
    /// The step of the pilot's path that is this check; 0 when it is not
    /// on the path.
    pub on_path: usize,
}

/// The gate to the next stage; `None` for production and abandoned pilots.
pub fn gate_view(fw: &Framework, g: &Diagnosis) -> Option<GateView> {
    let n = g.next_stage.as_ref()?;
    let stage = n.stage.as_str();
    let numbers = step_numbers(&path_groups(fw, g));
    let blockers: Vec<GateBlocker> = n
        .blockers
        .iter()
        .map(|i| GateBlocker {
            step: step(fw, *i, "blocker", None),
            on_path: numbers.iter().find(|(c, _)| c == i).map_or(0, |(_, n)| *n),
        })
        .collect();
    let answer = match (n.verdict, blockers.len()) {
        (Verdict::Ready, _) => format!(
            "Yes. Judged by the rules for {stage}, these answers are ready: readiness {} against a bar of {}.",
            n.readiness, fw.ready_at
        ),
        (v, 0) => format!(
            "Not yet. Judged by the rules for {stage}, no check would block it, but the verdict would be {} with readiness {}.",
            verdict_label(v).to_lowercase(),
            n.readiness
        ),
        (v, b) => format!(
            "Not yet. Judged by the rules for {stage}, the verdict would be {} with readiness {}, and {} would be {}:",
            verdict_label(v).to_lowercase(),
            n.readiness,
            plural(b, "check", "checks"),
            if b == 1 { "a blocker" } else { "blockers" }
        ),
    };
    Some(GateView {
        stage,
        heading: format!("Ready for {stage}?"),
        verdict: n.verdict.as_str(),
        verdict_label: verdict_label(n.verdict),
        readiness: n.readiness,
        answer,
        blockers,
    })
}

/// A pilot named in a portfolio figure.
#[derive(Debug, Clone, Serialize)]
pub struct NamedPilot {
    pub title: String,
    pub href: String,
    pub steps: usize,
}

/// The portfolio's way to ready: how many pilots are ready to scale, and
/// those closest to ready.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioReadiness {
    pub ready_to_scale: usize,
    pub in_pilot: usize,
    /// "2 of the 5 pilots in the pilot stage are ready to scale:"
    pub ready_to_scale_text: String,
    /// The pilots ready to scale, in the order of their paths.
    pub ready: Vec<NamedPilot>,
    /// "Closest to ready, 1 check away:", or empty when all are ready.
    pub closest_text: String,
    /// The pilots closest to ready, in the order of their paths.
    pub closest: Vec<NamedPilot>,
}

/// Pilots whose path to ready is as short as any in the portfolio.
pub fn closest_to_ready(judged: &Judged) -> Vec<(&Dossier, &Diagnosis)> {
    let p = &judged.portfolio;
    judged
        .pilots()
        .filter(|(_, g)| p.is_closest_to_ready(g))
        .collect()
}

/// Pilots in the `pilot` stage that are ready at `scaling`.
pub fn ready_to_scale(judged: &Judged) -> Vec<(&Dossier, &Diagnosis)> {
    judged
        .pilots()
        .filter(|(d, g)| d.stage == Stage::Pilot && crate::framework::ready_for_next_stage(g))
        .collect()
}

pub fn ready_to_scale_text(p: &Portfolio) -> String {
    let in_pilot = p.by_stage[Stage::Pilot as usize];
    match (p.ready_to_scale, in_pilot) {
        (_, 0) => "No pilot is in the pilot stage.".to_string(),
        (0, 1) => "The one pilot in the pilot stage is not ready to scale yet.".to_string(),
        (_, 1) => "The one pilot in the pilot stage is ready to scale:".to_string(),
        (0, n) => format!(
            "None of the {} in the pilot stage is ready to scale yet.",
            plural(n, "pilot", "pilots")
        ),
        (r, n) => format!(
            "{r} of the {} in the pilot stage {} ready to scale:",
            plural(n, "pilot", "pilots"),
            if r == 1 { "is" } else { "are" }
        ),
    }
}

pub fn closest_text(p: &Portfolio) -> String {
    match p.fewest_to_ready {
        None => String::new(),
        Some(steps) => format!(
            "Closest to ready, {} away:",
            plural(steps, "check", "checks")
        ),
    }
}

fn named(list: Vec<(&Dossier, &Diagnosis)>) -> Vec<NamedPilot> {
    list.into_iter()
        .map(|(d, g)| NamedPilot {
            title: d.title.clone(),
            href: pilot_href(&d.id),
            steps: g.path_to_ready.len(),
        })
        .collect()
}

pub fn portfolio_readiness(judged: &Judged) -> PortfolioReadiness {
    let p = &judged.portfolio;
    PortfolioReadiness {
        ready_to_scale: p.ready_to_scale,
        in_pilot: p.by_stage[Stage::Pilot as usize],
        ready_to_scale_text: ready_to_scale_text(p),
        ready: named(ready_to_scale(judged)),
        closest_text: closest_text(p),
        closest: named(closest_to_ready(judged)),
    }
}

/// The live figures of the FAQ's readiness-gate answer: how many pilots
/// are ready to scale, and which are closest to ready.
pub fn faq_figures(judged: &Judged) -> Vec<LiveFigure<'_>> {
    let p = &judged.portfolio;
    let mut figures = vec![
        live_figure(
            format!(
                "In this portfolio, {}",
                lower_first(&ready_to_scale_text(p))
            ),
            ready_to_scale(judged).into_iter().map(|(d, _)| d).collect(),
        )
        .filtered("ready-to-scale"),
    ];
    if p.fewest_to_ready.is_some() {
        figures.push(
            live_figure(
                closest_text(p),
                closest_to_ready(judged)
                    .into_iter()
                    .map(|(d, _)| d)
                    .collect(),
            )
            .filtered("closest"),
        );
    }
    figures
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portfolio(in_pilot: usize, ready_to_scale: usize, fewest: Option<usize>) -> Portfolio {
        let mut p = Portfolio::compute(std::iter::empty());
        p.by_stage[Stage::Pilot as usize] = in_pilot;
        p.ready_to_scale = ready_to_scale;
        p.fewest_to_ready = fewest;
        p
    }

    #[test]
    fn the_ready_to_scale_sentence_counts_only_pilots_in_the_pilot_stage() {
        for (in_pilot, ready, text) in [
            (0, 0, "No pilot is in the pilot stage."),
            (
                1,
                0,
                "The one pilot in the pilot stage is not ready to scale yet.",
            ),
            (1, 1, "The one pilot in the pilot stage is ready to scale:"),
            (
                4,
                0,
                "None of the 4 pilots in the pilot stage is ready to scale yet.",
            ),
            (
                4,
                1,
                "1 of the 4 pilots in the pilot stage is ready to scale:",
            ),
            (
                4,
                2,
                "2 of the 4 pilots in the pilot stage are ready to scale:",
            ),
        ] {
            assert_eq!(ready_to_scale_text(&portfolio(in_pilot, ready, None)), text);
        }
    }

    #[test]
    fn the_closest_sentence_names_the_distance_and_is_empty_when_all_are_ready() {
        assert_eq!(closest_text(&portfolio(0, 0, None)), "");
        assert_eq!(
            closest_text(&portfolio(0, 0, Some(1))),
            "Closest to ready, 1 check away:"
        );
        assert_eq!(
            closest_text(&portfolio(0, 0, Some(3))),
            "Closest to ready, 3 checks away:"
        );
    }
}
