//! Dossiers: the typed model of one pilot's answers, and reading it from files.
//!
//! `discover` finds the dossier files under the content folder; `load` reads
//! one file into a [`Dossier`] (or located diagnostics); `split` and `tree`
//! are the steps in between; `schema` is the format as data. Judging a
//! dossier is the `framework`'s job: this module only says what was answered.

pub mod discover;
pub mod edit;
pub mod read;
pub mod schema;
pub mod slips;
pub mod split;
pub mod story;
pub mod tree;

use jiff::civil::Date;
use serde::Serialize;

pub use discover::{DossierFile, discover};
pub use read::{Reading, load, load_text};
pub use split::Format;

/// Where a pilot is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Proposed,
    Pilot,
    Scaling,
    Production,
    Paused,
    Abandoned,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Proposed,
        Stage::Pilot,
        Stage::Scaling,
        Stage::Production,
        Stage::Paused,
        Stage::Abandoned,
    ];

    pub fn parse(word: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == word)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Proposed => "proposed",
            Stage::Pilot => "pilot",
            Stage::Scaling => "scaling",
            Stage::Production => "production",
            Stage::Paused => "paused",
            Stage::Abandoned => "abandoned",
        }
    }

    /// The stage whose column of the rules applies: paused and abandoned
    /// pilots are judged as pilots (the point is to learn why they stopped).
    pub fn judged_as(self) -> Stage {
        match self {
            Stage::Paused | Stage::Abandoned => Stage::Pilot,
            s => s,
        }
    }

    /// The stage a pilot is judged at to know whether it may move on:
    /// proposed → pilot, pilot and paused → scaling, scaling →
    /// production; none after production or once abandoned.
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Proposed => Some(Stage::Pilot),
            Stage::Pilot | Stage::Paused => Some(Stage::Scaling),
            Stage::Scaling => Some(Stage::Production),
            Stage::Production | Stage::Abandoned => None,
        }
    }

    /// Column of the severity table: 0 proposed, 1 pilot, 2 scaling, 3 production.
    pub fn column(self) -> usize {
        match self.judged_as() {
            Stage::Proposed => 0,
            Stage::Scaling => 2,
            Stage::Production => 3,
            _ => 1,
        }
    }
}

/// One known gap in the pilot's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub gap: Option<String>,
    pub addressed: Option<bool>,
}

/// Which way of a KPI is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Lower,
    Higher,
}

/// One business KPI of `metrics.business`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    pub name: Option<String>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub direction: Option<Direction>,
    pub actual: Option<f64>,
    pub owner: Option<String>,
}

impl Kpi {
    /// The stated direction, or else the contract's default: `lower` when
    /// the target is below the baseline, `higher` otherwise (a KPI with
    /// no baseline included).
    pub fn effective_direction(&self) -> Direction {
        match (self.direction, self.baseline, self.target) {
            (Some(d), _, _) => d,
            (None, Some(b), Some(t)) if t < b => Direction::Lower,
            _ => Direction::Higher,
        }
    }
}

/// A typed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Date(Date),
    /// Always 0..=1.
    Share(f64),
    Number(f64),
    Bool(bool),
    /// One word of a fixed list, already checked.
    Choice(&'static str),
    List(Vec<String>),
    Gaps(Vec<Gap>),
    Kpis(Vec<Kpi>),
}

impl Value {
    /// The answer as shown to a reader: `82%`, `2026-02-02`, `yes`.
    pub fn display(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.to_string(),
            Value::Share(x) => format_share(*x),
            Value::Number(n) => tree::format_number(*n),
            Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
            Value::Choice(c) => c.replace('_', " "),
            Value::List(items) => items.join("; "),
            Value::Gaps(gaps) => gaps
                .iter()
                .map(|g| {
                    let state = if g.addressed == Some(true) {
                        "addressed"
                    } else {
                        "open"
                    };
                    format!("{} ({state})", g.gap.as_deref().unwrap_or("unnamed gap"))
                })
                .collect::<Vec<_>>()
                .join("; "),
            Value::Kpis(kpis) => kpis
                .iter()
                .map(|k| k.name.clone().unwrap_or_else(|| "unnamed KPI".into()))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// A share as a percentage, with one decimal only when it is needed.
pub fn format_share(x: f64) -> String {
    let pct = x * 100.0;
    if (pct - pct.round()).abs() < 0.05 {
        format!("{}%", pct.round() as i64)
    } else {
        format!("{pct:.1}%")
    }
}

/// An answer with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub value: Value,
    /// 1-based line of the answer in the file.
    pub line: usize,
}

/// One pilot, as its dossier answers the diagnostic questions.
#[derive(Debug, Clone, PartialEq)]
pub struct Dossier {
    /// Stable id, from the file's path: `invoice-matching`, `finance/ap-bot`.
    pub id: String,
    /// Path as shown to users: `content/invoice-matching.md`.
    pub source: String,
    /// Path relative to the content folder, with `/`.
    pub rel_path: String,
    pub format: Format,
    pub title: String,
    pub stage: Stage,
    /// One slot per entry of [`schema::FIELDS`]; `None` is unanswered.
    pub answers: Vec<Option<Answer>>,
    /// The markdown story after the front matter.
    pub body: String,
    /// Keys the team added that are not part of the format, in order.
    pub extra: Vec<(String, String)>,
}

impl Dossier {
    /// The 1-based line of the first of `fields` that is answered; the
    /// front matter's first line when none is.
    pub fn line_of(&self, fields: &[usize]) -> usize {
        fields
            .iter()
            .find_map(|f| self.answers.get(*f).and_then(Option::as_ref))
            .map_or(1, |a| a.line)
    }

    pub fn answer(&self, field: usize) -> Option<&Value> {
        self.answers
            .get(field)
            .and_then(|a| a.as_ref())
            .map(|a| &a.value)
    }

    pub fn text(&self, field: usize) -> Option<&str> {
        match self.answer(field) {
            Some(Value::Text(s)) => Some(s),
            Some(Value::Choice(s)) => Some(s),
            _ => None,
        }
    }

    pub fn date(&self, field: usize) -> Option<Date> {
        match self.answer(field) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn number(&self, field: usize) -> Option<f64> {
        match self.answer(field) {
            Some(Value::Number(n) | Value::Share(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn list(&self, field: usize) -> &[String] {
        match self.answer(field) {
            Some(Value::List(items)) => items,
            _ => &[],
        }
    }

    pub fn started(&self) -> Option<Date> {
        self.date(schema::idx::STARTED)
    }

    pub fn decision_due(&self) -> Option<Date> {
        self.date(schema::idx::DECISION_DUE)
    }

    pub fn updated(&self) -> Option<Date> {
        self.date(schema::idx::UPDATED)
    }

    pub fn budget(&self) -> Option<f64> {
        self.number(schema::idx::BUDGET)
    }
}
