//! The board pack's view (`pack/index.html`): the portfolio as one
//! document made for paper. A cover (the portfolio's name, the as-of date,
//! the headline figures and two charts), the portfolio table with every
//! column on the page width (rolled up by business unit past
//! [`PACK_TABLE_ROWS`] pilots), the decisions due (the first
//! [`PACK_DECISIONS`]), then one page per pilot that needs the board
//! ([`sheet_pilots`], up to `pack_pilots` in `pilotscope.toml`): its
//! verdict, readiness, most active mistake and the fix, the failing checks
//! in words and its facts. A board reads a few dozen pages: at 10,000
//! pilots a sheet for each was 47 MB that Chromium could not print.
//!
//! The view is built from the same pieces as the portfolio and pilot pages,
//! so the pack never says something the site does not; `site::pack` writes
//! it.

use serde::Serialize;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::dossier::schema::idx;
use crate::dossier::{Dossier, Stage};
use crate::framework::{Diagnosis, Framework, Verdict};
use crate::project::Judged;

use super::{self as view, Chart, Figure, PilotRow};

/// How far ahead the decisions due look, in days.
pub const DECISIONS_AHEAD: i64 = 30;

/// Past this many pilots the pack's portfolio table (about two printed
/// pages) becomes the roll-up by business unit.
pub const PACK_TABLE_ROWS: usize = 60;

/// How many rows the pack's table of decisions due has (about two printed
/// pages); the rest are counted.
pub const PACK_DECISIONS: usize = 30;

/// The pilots that get a sheet of their own in the pack, in the order they
/// are printed: every pilot, in the table's `order`, when there are at
/// most `limit`; else those that need the board first: a go / no-go
/// decision overdue or due within [`DECISIONS_AHEAD`] days (soonest first,
/// as in the decisions table), then the largest budgets of the pilots not
/// ready and not abandoned, up to `limit`.
pub fn sheet_pilots<'a>(
    order: &[(&'a Dossier, &'a Diagnosis)],
    as_of: jiff::civil::Date,
    limit: usize,
) -> Vec<(&'a Dossier, &'a Diagnosis)> {
    if order.len() <= limit {
        return order.to_vec();
    }
    let mut due: Vec<(i64, &str, usize)> = order
        .iter()
        .enumerate()
        .filter(|(_, (d, _))| !matches!(d.stage, Stage::Production | Stage::Abandoned))
        .filter_map(|(i, (d, _))| {
            let days = crate::framework::judge::days_between(as_of, d.decision_due()?);
            (days <= DECISIONS_AHEAD).then_some((days, d.title.as_str(), i))
        })
        .collect();
    due.sort();
    let mut chosen: Vec<usize> = due.into_iter().map(|(_, _, i)| i).take(limit).collect();
    if chosen.len() < limit {
        let taken: std::collections::HashSet<usize> = chosen.iter().copied().collect();
        let budget = |i: usize| order[i].0.budget().unwrap_or(0.0);
        let mut large: Vec<usize> = (0..order.len())
            .filter(|i| !taken.contains(i))
            .filter(|i| {
                let (d, g) = order[*i];
                g.verdict != Verdict::Ready && d.stage != Stage::Abandoned
            })
            .collect();
        large.sort_by(|a, b| budget(*b).total_cmp(&budget(*a)).then(a.cmp(b)));
        chosen.extend(large.into_iter().take(limit - chosen.len()));
    }
    chosen.into_iter().map(|i| order[i]).collect()
}

/// The rule of the decisions listed as overdue, said where they are
/// listed: wider than purgatory, which it holds.
pub const OVERDUE_RULE: &str = "Overdue: the go / no-go date has passed, at any stage before production; those at stage pilot or paused are the pilots in purgatory.";

/// A go / no-go decision that is due soon or overdue.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub title: String,
    pub href: String,
    pub due: String,
    /// Days from the as-of date to the decision; negative when overdue.
    pub days: i64,
    /// "in 12 days", "today", "12 days overdue".
    pub when: String,
    pub overdue: bool,
    pub stage_label: &'static str,
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    pub readiness: u32,
    pub most_active_name: String,
    pub owner: String,
}

/// The pending decisions due within `ahead` days of the as-of date, and
/// every overdue one, soonest (most overdue) first.
pub fn decisions_due(fw: &Framework, judged: &Judged, ahead: i64) -> Vec<Decision> {
    let mut due: Vec<(i64, &Dossier, &Diagnosis)> = judged
        .pilots()
        .filter(|(d, _)| !matches!(d.stage, Stage::Production | Stage::Abandoned))
        .filter_map(|(d, g)| {
            let days = crate::framework::judge::days_between(judged.as_of, d.decision_due()?);
            (days <= ahead).then_some((days, d, g))
        })
        .collect();
    due.sort_by(|a, b| (a.0, &a.1.title).cmp(&(b.0, &b.1.title)));
    due.into_iter()
        .map(|(days, d, g)| Decision {
            title: d.title.clone(),
            href: view::pilot_href(&d.id),
            due: d.decision_due().map(|x| x.to_string()).unwrap_or_default(),
            days,
            when: match days {
                0 => "due today".into(),
                d if d > 0 => format!("in {}", view::plural(d as usize, "day", "days")),
                d => format!(
                    "{} overdue",
                    view::plural(d.unsigned_abs() as usize, "day", "days")
                ),
            },
            overdue: days < 0,
            stage_label: view::stage_label(d.stage),
            verdict: g.verdict.as_str(),
            verdict_label: view::verdict_label(g.verdict),
            readiness: g.readiness,
            most_active_name: g
                .most_active
                .map_or_else(String::new, |m| fw.mistake(m).name.clone()),
            owner: d
                .text(idx::PRODUCTION_OWNER)
                .unwrap_or_default()
                .to_string(),
        })
        .collect()
}

/// The cover and the sections that are not about one pilot.
#[derive(Debug, Clone, Serialize)]
pub struct PackView {
    pub title: String,
    pub as_of: String,
    /// `A4` or `letter`, for `@page`.
    pub paper: &'static str,
    pub figures: Vec<Figure>,
    /// Pilots with each mistake active.
    pub mistakes_chart: Chart,
    /// Pilots per verdict.
    pub verdict_chart: Chart,
    /// The first [`PACK_DECISIONS`] decisions due.
    pub decisions: Vec<Decision>,
    /// "and 4,785 more …", or empty.
    pub decisions_more: String,
    pub decisions_ahead: i64,
    pub pilots: usize,
    /// `pilots` in words: "10,000 pilots".
    pub pilots_said: String,
    /// Whether the table lists every pilot (at most [`PACK_TABLE_ROWS`]);
    /// else the pack rolls the portfolio up by business unit.
    pub table: bool,
    /// The roll-up by business unit, when `table` is false.
    pub units: Vec<view::UnitRow>,
    pub units_more: String,
    /// How many pilots have a sheet.
    pub sheets: usize,
    /// What the sheets leave out and where those pilots are, or empty when
    /// every pilot has a sheet.
    pub sheets_note: String,
    /// Dossiers that could not be read, and so are not in the pack.
    pub unread: usize,
    /// `unread` in words: "1,204 dossiers".
    pub unread_said: String,
    /// [`OVERDUE_RULE`], beside the decisions.
    pub overdue_rule: &'static str,
    /// The rule of the "In purgatory" column of the units' table.
    pub purgatory_rule: &'static str,
}

pub fn pack_view(config: &Config, fw: &Framework, judged: &Judged) -> PackView {
    let portfolio = view::portfolio_view(config, fw, judged);
    let p = &judged.portfolio;
    let verdicts = [Verdict::NotReady, Verdict::AtRisk, Verdict::Ready];
    let summary = verdicts
        .iter()
        .map(|v| format!("{} {}", view::verdict_label(*v), p.verdict_count(*v)))
        .collect::<Vec<_>>()
        .join("; ");
    let verdict_chart = view::chart(
        verdicts
            .iter()
            .map(|v| {
                let n = p.verdict_count(*v);
                // Coloured as the statuses are: red, amber, green.
                let class = match v {
                    Verdict::NotReady => "active",
                    Verdict::AtRisk => "at_risk",
                    Verdict::Ready => "clear",
                };
                (
                    view::verdict_label(*v).to_string(),
                    n as f64,
                    n.to_string(),
                    class,
                )
            })
            .collect(),
        p.pilots.max(1) as f64,
        format!("Pilots per verdict: {summary}."),
    );
    let mut decisions = decisions_due(fw, judged, DECISIONS_AHEAD);
    let left = decisions.len().saturating_sub(PACK_DECISIONS);
    decisions.truncate(PACK_DECISIONS);
    let decisions_more = if left > 0 {
        format!(
            "and {} more overdue or due: the portfolio on the site lists them all (sort its table by decision due).",
            view::count(left)
        )
    } else {
        String::new()
    };
    let table = p.pilots <= PACK_TABLE_ROWS;
    let (units, units_more) = if table {
        (Vec::new(), String::new())
    } else {
        view::bounded_units(view::unit_rows(config, judged))
    };
    let sheets = p.pilots.min(config.pack_pilots);
    let sheets_note = if sheets < p.pilots {
        let site = if config.base_url.trim().is_empty() {
            "on the site, beside this pack".to_string()
        } else {
            format!("at {}", config.base_url.trim())
        };
        format!(
            "Sheets follow for the {} pilots the board needs first: those with a go / no-go decision overdue or due in the next {DECISIONS_AHEAD} days, then the largest budgets not ready. The other {} have their own page in the portfolio {site}. (`pack_pilots` in pilotscope.toml sets how many get a sheet.)",
            view::count(sheets),
            view::plural(p.pilots - sheets, "pilot", "pilots"),
        )
    } else {
        String::new()
    };
    let unread = judged.entries.iter().filter(|e| e.judged.is_none()).count();
    PackView {
        title: config.title.clone(),
        as_of: judged.as_of.to_string(),
        paper: config.paper.as_css(),
        figures: portfolio.figures,
        mistakes_chart: portfolio.chart,
        verdict_chart,
        decisions,
        decisions_more,
        decisions_ahead: DECISIONS_AHEAD,
        pilots: p.pilots,
        pilots_said: view::plural(p.pilots, "pilot", "pilots"),
        table,
        units,
        units_more,
        sheets,
        sheets_note,
        unread,
        unread_said: view::plural(unread, "dossier", "dossiers"),
        overdue_rule: OVERDUE_RULE,
        purgatory_rule: view::PURGATORY_RULE,
    }
}

/// One row of the pack's portfolio table.
#[derive(Debug, Clone, Serialize)]
pub struct PackRow {
    /// The portfolio's row, owner and decision due included.
    #[serde(flatten)]
    pub row: PilotRow,
}

/// One pilot's page of the pack: the pilot page's view without its story,
/// and its failing checks across all mistakes, heaviest first.
#[derive(Debug, Clone, Serialize)]
pub struct PackPilot {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub stage_label: &'static str,
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    pub verdict_text: String,
    pub readiness: u32,
    pub strip: Vec<view::StripFact>,
    pub flags: Vec<view::FlagView>,
    pub next_step: Option<view::NextStep>,
    pub why_stopped: Option<view::WhyStopped>,
    pub gate: Option<view::readiness::GateView>,
    pub keep_ready: Option<view::KeepReady>,
    pub source: String,
    /// The checks that fail or are unanswered and are not in the next
    /// step (each check is on the sheet once, as on the page), blockers
    /// first.
    pub failing: Vec<view::CheckView>,
}

/// A pilot's page of the pack: the parts of its [`view::PilotView`] that the
/// pack shows (not the story, chart or every check, which would be
/// turned into template values and dropped unread). `warnings` are the
/// dossier's, as on its page: a misspelled key is said beside the answer
/// it leaves unanswered.
pub(in crate::site) fn pack_pilot(
    config: &Config,
    fw: &Framework,
    d: &Dossier,
    g: &Diagnosis,
    warnings: &[Diagnostic],
    as_of: jiff::civil::Date,
) -> PackPilot {
    let pilot = view::pilot_view_with(config, fw, d, g, String::new(), warnings, as_of, false);
    let weight = |c: &view::CheckView| match c.severity {
        "blocker" => 0,
        "major" => 1,
        _ => 2,
    };
    // Only the checks that fail or are unanswered are in it (`passing` is
    // false above), blockers first; of one severity, the framework's order.
    let mut failing: Vec<view::CheckView> = pilot
        .mistakes
        .into_iter()
        .flat_map(|m| m.checks)
        .filter(|c| c.step == 0)
        .collect();
    failing.sort_by_key(weight);
    PackPilot {
        id: pilot.id,
        title: pilot.title,
        summary: pilot.summary,
        stage_label: pilot.stage_label,
        verdict: pilot.verdict,
        verdict_label: pilot.verdict_label,
        verdict_text: pilot.verdict_text,
        readiness: pilot.readiness,
        strip: pilot.strip,
        flags: pilot.flags,
        next_step: pilot.next_step,
        why_stopped: pilot.why_stopped,
        gate: pilot.gate,
        keep_ready: pilot.keep_ready,
        source: pilot.source,
        failing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(text: &[(&str, &str)]) -> Judged {
        crate::project::judged_from_texts(text)
    }

    #[test]
    fn sheets_go_to_decisions_due_then_the_largest_budgets_not_ready() {
        // Nothing answered: every pilot is not ready.
        let dossier = |stage: &str, due: &str, budget: u32| {
            format!(
                "---\ntitle: T\nstage: {stage}\nstarted: 2026-01-01\ndecision_due: {due}\nbudget: {budget}\n---\n"
            )
        };
        let j = judged(&[
            ("small-late", &dossier("pilot", "2026-11-01", 10)),
            ("big-far", &dossier("pilot", "2027-06-01", 900)),
            ("bigger-far", &dossier("pilot", "2027-06-01", 5000)),
            ("stopped", &dossier("abandoned", "2027-06-01", 9000)),
            ("soon", &dossier("pilot", "2026-12-10", 20)),
            ("tiny-far", &dossier("pilot", "2027-06-01", 1)),
        ]);
        let order = crate::site::view::table_order(&j);
        let ids = |limit| -> Vec<String> {
            sheet_pilots(&order, j.as_of, limit)
                .iter()
                .map(|(d, _)| d.id.clone())
                .collect()
        };
        // Overdue, due soon, then budgets not ready, largest first; an
        // abandoned pilot's budget is spent, not at the board's call.
        assert_eq!(ids(4), ["small-late", "soon", "bigger-far", "big-far"]);
        // A portfolio within the limit: every pilot, in the table's order.
        assert_eq!(ids(6).len(), 6);
        assert_eq!(
            ids(6),
            order.iter().map(|(d, _)| d.id.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn decisions_due_are_the_overdue_and_the_next_thirty_days_soonest_first() {
        let dossier = |stage: &str, due: &str| {
            format!(
                "---\ntitle: T {due}\nstage: {stage}\nstarted: 2026-01-01\ndecision_due: {due}\n---\n"
            )
        };
        let j = judged(&[
            ("late", &dossier("pilot", "2026-11-01")),
            ("soon", &dossier("pilot", "2026-12-10")),
            ("today", &dossier("scaling", "2026-11-26")),
            ("far", &dossier("pilot", "2027-03-01")),
            ("live", &dossier("production", "2026-11-20")),
            ("stopped", &dossier("abandoned", "2026-11-20")),
        ]);
        let due = decisions_due(&Framework::builtin(), &j, 30);
        let when: Vec<(&str, &str)> = due
            .iter()
            .map(|d| (d.due.as_str(), d.when.as_str()))
            .collect();
        assert_eq!(
            when,
            [
                ("2026-11-01", "25 days overdue"),
                ("2026-11-26", "due today"),
                ("2026-12-10", "in 14 days"),
            ]
        );
        assert!(due[0].overdue && !due[1].overdue);
    }
}
