//! What the pages show of the history: a pilot's step chart, its changes
//! in words and the days it spent in each stage; the portfolio's pilots
//! per verdict over time and the change of each headline figure since a
//! date. Computed here, laid out by the templates.
//!
//! Charts are inline SVG whose shapes are attributes (the pages' security
//! policy forbids `style` attributes); their words are HTML beside them.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::{plural, stage_label, status_label, verdict_label};
use crate::dossier::Stage;
use crate::framework::{Flag, Mistake, Verdict};
use crate::history::{History, Judgement, Point};

/// Width and height of a chart's drawing, in its own units.
const W: f64 = 600.0;
const H: f64 = 120.0;

#[derive(Debug, Clone, Serialize)]
pub struct Band {
    pub x: String,
    pub width: String,
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PilotHistory {
    pub width: u32,
    pub height: u32,
    pub bands: Vec<Band>,
    /// The step line of readiness, an SVG path.
    pub line: String,
    pub from: String,
    pub to: String,
    /// The chart in words, for screen readers.
    pub label: String,
    /// Newest first.
    pub changes: Vec<String>,
    /// "Pilot: 120 days", in stage order.
    pub stages: Vec<String>,
    /// Days flagged in purgatory; empty when none.
    pub purgatory: String,
}

fn days(from: Date, to: Date) -> i64 {
    (to - from).get_days().max(0) as i64
}

fn verdict_words(v: Option<Verdict>) -> String {
    v.map_or_else(|| "unreadable".into(), |v| verdict_label(v).to_lowercase())
}

fn band_class(j: &Judgement) -> &'static str {
    match j.verdict {
        Some(Verdict::Ready) => "band-ready",
        Some(Verdict::AtRisk) => "band-at_risk",
        Some(Verdict::NotReady) => "band-not_ready",
        None => "band-unread",
    }
}

/// What changed from `before` to `p`, as a line of the list.
fn change_line(before: Option<&Point>, p: &Point, authors: bool) -> String {
    let j = &p.judgement;
    let mut parts = vec![p.date.to_string()];
    match before {
        _ if p.removed => parts.push("the dossier was removed".into()),
        None => parts.push(match j.verdict {
            Some(_) => format!(
                "added, {} · readiness {}",
                verdict_words(j.verdict),
                j.readiness.unwrap_or(0)
            ),
            None => "added, and could not be read".into(),
        }),
        Some(b) => {
            let bj = &b.judgement;
            if j.error.is_some() {
                parts.push("could no longer be read".into());
            } else {
                if bj.error.is_some() {
                    parts.push("could be read again".into());
                }
                if bj.stage != j.stage
                    && let (Some(x), Some(y)) = (bj.stage, j.stage)
                {
                    parts.push(format!(
                        "stage {} → {}",
                        stage_label(x).to_lowercase(),
                        stage_label(y).to_lowercase()
                    ));
                }
                if bj.verdict != j.verdict && bj.verdict.is_some() {
                    parts.push(format!(
                        "{} → {}",
                        verdict_words(bj.verdict),
                        verdict_words(j.verdict)
                    ));
                }
                if bj.statuses.len() == j.statuses.len() {
                    for ((m, x), y) in Mistake::ALL.iter().zip(&bj.statuses).zip(&j.statuses) {
                        if x != y {
                            parts.push(format!(
                                "{} {} → {}",
                                m.as_str(),
                                status_label(*x),
                                status_label(*y)
                            ));
                        }
                    }
                }
                match (bj.readiness, j.readiness) {
                    (Some(x), Some(y)) if x != y => parts.push(format!("readiness {x} → {y}")),
                    (None, Some(y)) => parts.push(format!("readiness {y}")),
                    _ => {}
                }
                if bj.flags != j.flags {
                    let f = |v: &[Flag]| {
                        if v.is_empty() {
                            "none".to_string()
                        } else {
                            v.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
                        }
                    };
                    parts.push(format!("flags {} → {}", f(&bj.flags), f(&j.flags)));
                }
                if bj.error.is_none() && bj.decision_due != j.decision_due {
                    let d =
                        |d: Option<Date>| d.map_or_else(|| "none".to_string(), |d| d.to_string());
                    parts.push(format!(
                        "decision due {} → {}",
                        d(bj.decision_due),
                        d(j.decision_due)
                    ));
                }
                if parts.len() == 1 {
                    parts.push("checks changed".into());
                }
            }
        }
    }
    let commit = p.commit.to_hex_with_len(7).to_string();
    if authors && !p.author.is_empty() {
        parts.push(format!("{commit} by {}", p.author));
    } else {
        parts.push(commit);
    }
    parts.join(" · ")
}

fn num(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The days from `from` to `to` that a pilot judged `j` spent in
/// purgatory: at stage pilot or paused, from the day after its decision
/// date (the day it became overdue) on. Counted from the date the dossier
/// gives, so a commit that changes nothing else changes nothing here.
fn days_in_purgatory(j: &Judgement, from: Date, to: Date) -> i64 {
    match (j.stage, j.decision_due) {
        (Some(Stage::Pilot | Stage::Paused), Some(due)) => {
            let overdue = due.tomorrow().unwrap_or(due);
            days(from.max(overdue), to)
        }
        _ => 0,
    }
}

/// A pilot's History section, when it has a history.
pub fn pilot(history: &History, id: &str, as_of: Date) -> Option<PilotHistory> {
    let points = history.of(id);
    let first = points.first()?;
    let start = first.date;
    let end = as_of.max(points.last()?.date);
    let span = days(start, end).max(1) as f64;
    let x = |d: Date| days(start, d) as f64 / span * W;
    let mut bands = Vec::new();
    let mut line = String::new();
    let mut stages: BTreeMap<Stage, i64> = BTreeMap::new();
    let mut purgatory = 0;
    let y = |r: u32| H - f64::from(r.min(100)) / 100.0 * H;
    let mut last_y: Option<f64> = None;
    for (i, p) in points.iter().enumerate() {
        if p.removed {
            break;
        }
        let next = points.get(i + 1).map_or(end, |n| n.date);
        let (x0, x1) = (x(p.date), x(next));
        bands.push(Band {
            x: num(x0),
            width: num((x1 - x0).max(0.0)),
            class: band_class(&p.judgement),
        });
        let d = days(p.date, next);
        if let Some(s) = p.judgement.stage {
            *stages.entry(s).or_default() += d;
        }
        purgatory += days_in_purgatory(&p.judgement, p.date, next);
        match p.judgement.readiness {
            Some(r) => {
                let yy = y(r);
                if last_y.is_none() {
                    line.push_str(&format!("M{} {}", num(x0), num(yy)));
                } else {
                    line.push_str(&format!(" V{}", num(yy)));
                }
                line.push_str(&format!(" H{}", num(x1)));
                last_y = Some(yy);
            }
            None => {
                // No readiness while unreadable: the line breaks off.
                last_y = None;
            }
        }
    }
    let mut changes: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| change_line(i.checked_sub(1).map(|b| &points[b]), p, history.authors))
        .collect();
    changes.reverse();
    let last = points.last()?;
    let label = format!(
        "Readiness from {} to {}: {}, now {}",
        start,
        end,
        plural(points.len(), "change", "changes"),
        last.judgement
            .readiness
            .map_or_else(|| "unreadable".to_string(), |r| r.to_string())
    );
    Some(PilotHistory {
        width: W as u32,
        height: H as u32,
        bands,
        line,
        from: start.to_string(),
        to: end.to_string(),
        label,
        changes,
        stages: stages
            .into_iter()
            .map(|(s, d)| format!("{}: {}", stage_label(s), plural(d as usize, "day", "days")))
            .collect(),
        purgatory: if purgatory > 0 {
            plural(purgatory as usize, "day", "days")
        } else {
            String::new()
        },
    })
}

/// The portfolio on one day, as history knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pilots: usize,
    pub ready: usize,
    pub at_risk: usize,
    pub not_ready: usize,
    pub purgatory: usize,
}

/// How the portfolio stood at the end of `day`: every pilot's last point
/// on or before it (the flags as judged at that commit).
pub fn counts_on(history: &History, day: Date) -> Counts {
    let mut c = Counts::default();
    for points in history.pilots.values() {
        let Some(p) = points.iter().rev().find(|p| p.date <= day) else {
            continue;
        };
        if p.removed {
            continue;
        }
        let Some(v) = p.judgement.verdict else {
            continue;
        };
        c.pilots += 1;
        match v {
            Verdict::Ready => c.ready += 1,
            Verdict::AtRisk => c.at_risk += 1,
            Verdict::NotReady => c.not_ready += 1,
        }
        if p.judgement.flags.contains(&Flag::Purgatory) {
            c.purgatory += 1;
        }
    }
    c
}

#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub y: String,
    pub height: String,
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub date: String,
    pub ready: usize,
    pub at_risk: usize,
    pub not_ready: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub x: String,
    pub width: String,
    /// Each verdict's part, bottom up.
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    pub width: u32,
    pub height: u32,
    pub columns: Vec<Column>,
    pub from: String,
    pub to: String,
    pub label: String,
    /// The date the tiles' changes are counted from.
    pub since: String,
    /// Per headline figure's label, its change since then ("+2 since …").
    pub changes: BTreeMap<&'static str, String>,
    /// The same, in a table: date and counts, newest first (at most 12).
    pub rows: Vec<Row>,
}

/// The portfolio's trend: pilots per verdict at every date where one
/// changed (at most 200 columns), and each figure's change since `since`
/// to `now` (the figures of the build).
pub fn trend(history: &History, as_of: Date, since: Date, now: Counts) -> Option<Trend> {
    let mut dates: Vec<Date> = history
        .pilots
        .values()
        .flatten()
        .map(|p| p.date)
        .filter(|d| *d <= as_of)
        .collect();
    dates.sort();
    dates.dedup();
    if dates.is_empty() {
        return None;
    }
    if dates.len() > 200 {
        let n = dates.len();
        dates = (0..200).map(|i| dates[i * (n - 1) / 199]).collect();
        dates.dedup();
    }
    let start = dates[0];
    let span = days(start, as_of).max(1) as f64;
    let x = |d: Date| days(start, d) as f64 / span * W;
    let counts: Vec<Counts> = dates.iter().map(|d| counts_on(history, *d)).collect();
    let most = counts.iter().map(|c| c.pilots).max().unwrap_or(0).max(1) as f64;
    let mut columns = Vec::new();
    for (i, (d, c)) in dates.iter().zip(&counts).enumerate() {
        let next = dates.get(i + 1).copied().unwrap_or(as_of);
        let (x0, x1) = (x(*d), x(next).max(x(*d) + 2.0).min(W));
        let mut parts = Vec::new();
        let mut base = H;
        for (n, class) in [
            (c.ready, "band-ready"),
            (c.at_risk, "band-at_risk"),
            (c.not_ready, "band-not_ready"),
        ] {
            let h = n as f64 / most * H;
            if n > 0 {
                parts.push(Part {
                    y: num(base - h),
                    height: num(h),
                    class,
                });
            }
            base -= h;
        }
        columns.push(Column {
            x: num(x0),
            width: num((x1 - x0).max(0.0)),
            parts,
        });
    }
    let then = counts_on(history, since);
    let change = |a: usize, b: usize| -> String {
        let d = a as i64 - b as i64;
        let sign = match d {
            0 => "±".to_string(),
            d if d > 0 => "+".to_string(),
            _ => "−".to_string(),
        };
        format!("{sign}{} since {since}", d.abs())
    };
    let mut changes = BTreeMap::new();
    changes.insert("Pilots", change(now.pilots, then.pilots));
    changes.insert("Ready", change(now.ready, then.ready));
    changes.insert("At risk", change(now.at_risk, then.at_risk));
    changes.insert("Not ready", change(now.not_ready, then.not_ready));
    changes.insert("In purgatory", change(now.purgatory, then.purgatory));
    let rows = dates
        .iter()
        .zip(&counts)
        .rev()
        .take(12)
        .map(|(d, c)| Row {
            date: d.to_string(),
            ready: c.ready,
            at_risk: c.at_risk,
            not_ready: c.not_ready,
        })
        .collect();
    Some(Trend {
        width: W as u32,
        height: H as u32,
        columns,
        from: start.to_string(),
        to: as_of.to_string(),
        label: format!(
            "Pilots per verdict from {start} to {as_of}: now {} ready, {} at risk, {} not ready",
            now.ready, now.at_risk, now.not_ready
        ),
        since: since.to_string(),
        changes,
        rows,
    })
}
