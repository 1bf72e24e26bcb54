//! View models: everything a template shows, computed, sorted, counted and
//! formatted in Rust. Templates only lay these out.

use serde::Serialize;

use super::faq::{Faq, Topic};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::dossier::schema::{self, idx};
use crate::dossier::{Dossier, Stage, format_share, tree::format_number};
use crate::framework::{
    Check, Condition, Diagnosis, Flag, Framework, Literal, Mistake, Outcome, Status, Verdict,
};
use crate::portfolio::{Portfolio, puts_budget_at_risk};
use crate::project::Judged;
pub use crate::words::{count, plural};

/// What every page has.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub site_title: String,
    /// Relative path from this page to the site root: `""`, `"../../"`.
    pub root: String,
    pub title: String,
    pub description: String,
    /// Absolute address of this page, when `base_url` is set.
    pub canonical: Option<String>,
    /// Which navigation item is current.
    pub nav: &'static str,
    pub as_of: String,
}

impl PageView {
    pub fn new(
        config: &Config,
        judged: &Judged,
        path: &str,
        title: String,
        nav: &'static str,
    ) -> PageView {
        let depth = path.matches('/').count();
        let canonical = (!config.base_url.is_empty()).then(|| {
            let page = path.strip_suffix("index.html").unwrap_or(path);
            format!("{}/{page}", config.base_url.trim_end_matches('/'))
        });
        PageView {
            site_title: config.title.clone(),
            root: "../".repeat(depth),
            title,
            description: String::new(),
            canonical,
            nav,
            as_of: judged.as_of.to_string(),
        }
    }
}

// ---------------------------------------------------------------- words

pub fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "Ready",
        Verdict::AtRisk => "At risk",
        Verdict::NotReady => "Not ready",
    }
}

/// 0 not ready, 1 at risk, 2 ready: the default order puts problems first.
pub fn verdict_rank(v: Verdict) -> usize {
    2 - v as usize
}

pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Clear => "clear",
        Status::AtRisk => "at risk",
        Status::Active => "active",
    }
}

/// A shape per status, so that status never depends on colour alone.
pub fn status_symbol(s: Status) -> &'static str {
    match s {
        Status::Clear => "✓",
        Status::AtRisk => "!",
        Status::Active => "✕",
    }
}

pub fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Unanswered => "not answered",
    }
}

pub fn outcome_symbol(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "✓",
        Outcome::Fail => "✕",
        Outcome::Unanswered => "?",
    }
}

pub fn stage_label(s: Stage) -> &'static str {
    match s {
        Stage::Proposed => "Proposed",
        Stage::Pilot => "Pilot",
        Stage::Scaling => "Scaling",
        Stage::Production => "Production",
        Stage::Paused => "Paused",
        Stage::Abandoned => "Abandoned",
    }
}

/// An amount of money with thousands separators: `£615,000`.
pub fn money(config: &Config, amount: f64) -> String {
    let rounded = amount.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0 { "-" } else { "" };
    format!("{sign}{}{grouped}", config.currency_prefix())
}

/// The area a mistake is about, as a pilot's chart labels its bar:
/// `Framing`, `Change management`.
pub fn area_label(m: Mistake) -> String {
    match m {
        Mistake::Change => "Change management".into(),
        m => {
            let id = m.as_str();
            let mut c = id.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

/// Link from the site root to a pilot's page.
pub fn pilot_href(id: &str) -> String {
    format!("pilots/{id}/index.html")
}

// ---------------------------------------------------------------- shared pieces

#[derive(Debug, Clone, Serialize)]
pub struct MistakeHead {
    pub id: &'static str,
    pub name: String,
    /// The id's first letter, capital: the column of the mistake in the
    /// portfolio table's compact cell of five.
    pub initial: String,
    /// The fix in a few words (the portfolio table's "most active" cell).
    pub fix_short: String,
}

pub fn mistake_heads(fw: &Framework) -> Vec<MistakeHead> {
    Mistake::ALL
        .iter()
        .map(|m| MistakeHead {
            id: m.as_str(),
            name: fw.mistake(*m).name.clone(),
            initial: m.as_str()[..1].to_uppercase(),
            fix_short: fw.mistake(*m).fix_short.clone(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCell {
    pub mistake: &'static str,
    pub name: String,
    pub status: &'static str,
    pub label: &'static str,
    pub symbol: &'static str,
    pub score: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlagView {
    pub id: &'static str,
    pub label: String,
    pub detail: String,
}

fn flag_views(d: &Dossier, g: &Diagnosis, stale_days: i64) -> Vec<FlagView> {
    g.flags
        .iter()
        .map(|f| match f {
            Flag::Purgatory => FlagView {
                id: "purgatory",
                label: "Purgatory".into(),
                detail: match (g.days_overdue, d.decision_due()) {
                    (Some(days), Some(due)) => format!(
                        "{} past its go / no-go decision, due {due}",
                        plural(days as usize, "day", "days")
                    ),
                    _ => "past its go / no-go decision".into(),
                },
            },
            Flag::Stale => FlagView {
                id: "stale",
                label: "Stale".into(),
                detail: match (g.days_since_update, d.updated()) {
                    (Some(days), Some(u)) => format!(
                        "answers last reviewed {u}, {} ago (more than {stale_days})",
                        plural(days as usize, "day", "days")
                    ),
                    _ => "no review date: `updated` is not answered".into(),
                },
            },
        })
        .collect()
}

/// A horizontal bar chart: labels and values are HTML text, so they keep
/// their size on a phone; each bar is two boxes, the fill's length a class
/// in whole percent (`w0` to `w100` in style.css: a Content-Security-Policy
/// without `unsafe-inline` forbids `style` attributes). Forty bytes a bar,
/// where the SVG it replaced took 250, on every pilot page.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub bars: Vec<Bar>,
    /// One sentence saying what the chart shows, for screen readers, when
    /// the bars' own labels and values do not say it all; empty for none.
    pub summary: String,
    /// `worse` or `better`: what a longer bar means, for its colours; empty
    /// for a chart of counts that are neither (pilots per verdict).
    pub reading: &'static str,
    /// What a longer bar means, in words, shown above the bars.
    pub legend: String,
}

impl Chart {
    /// Says what a longer bar means: `worse` or `better`, and in words.
    pub fn reads(mut self, reading: &'static str, legend: String) -> Chart {
        self.reading = reading;
        self.legend = legend;
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: String,
    pub class: &'static str,
    /// The bar's length, in whole percent of a full bar.
    pub percent: u32,
}

pub(super) fn chart(
    items: Vec<(String, f64, String, &'static str)>,
    max: f64,
    summary: String,
) -> Chart {
    let bars = items
        .into_iter()
        .map(|(label, v, value, class)| Bar {
            label,
            value,
            class,
            percent: if max > 0.0 {
                ((v / max) * 100.0).round().clamp(0.0, 100.0) as u32
            } else {
                0
            },
        })
        .collect();
    Chart {
        bars,
        summary,
        reading: "",
        legend: String::new(),
    }
}

mod faq;
mod framework;
pub mod history;
mod pack;
mod pilot;
mod portfolio;
pub mod readiness;

pub use faq::*;
pub use framework::*;
pub use pack::*;
pub use pilot::*;
pub use portfolio::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        let c = Config {
            currency: "GBP".into(),
            ..Config::default()
        };
        assert_eq!(money(&c, 615000.0), "£615,000");
        assert_eq!(money(&c, 999.4), "£999");
        assert_eq!(money(&c, 1234567.0), "£1,234,567");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(10000), "10,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(plural(10000, "pilot", "pilots"), "10,000 pilots");
    }
}
