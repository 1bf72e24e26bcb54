//! What deciding a condition found: the values a check read, kept apart
//! from the sentence that explains them.
//!
//! [`judge::decide`](super::judge::decide) is written once and is generic
//! over what it records: with `()` (judging a whole portfolio) nothing is
//! recorded, because every value is handed over in a closure that `()`
//! never calls, so the fast path builds no list and formats nothing; with
//! [`Found`] (a page, the report, `check`) the values come back as data,
//! and [`wording`](super::wording) makes the sentence from them at the edge.

use jiff::civil::Date;

use super::{KpiField, Literal, Outcome};
use crate::dossier::{Direction, Value};

/// An outcome and what was found on the way to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<'a> {
    pub outcome: Outcome,
    pub found: Found<'a>,
}

/// The values one condition read, enough to say why it passed, failed or
/// is unanswered. Borrowed from the dossier and the framework.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<'a> {
    /// Not answered; `missing` names the fields when the condition knows
    /// which (empty otherwise).
    Unanswered { missing: Vec<usize> },
    /// The answer to `field` is given.
    Answer { field: usize, value: &'a Value },
    /// Every one of these answers is given.
    Answers(Vec<(usize, &'a Value)>),
    /// A choice or a yes / no, and the values that pass.
    Choice {
        field: usize,
        found: Chosen<'a>,
        expected: &'a [Literal],
    },
    /// A number or share and the limit it was held to.
    Number {
        field: usize,
        found: f64,
        limit: f64,
        at_least: bool,
    },
    /// Two dates that should be in order.
    Dates {
        field: usize,
        date: Date,
        than: usize,
        than_date: Date,
    },
    /// Known gaps: how many there are, and those not addressed.
    Gaps { total: usize, open: Vec<&'a str> },
    /// No known gap is listed.
    NoGaps,
    /// A rule that does not apply: its guard did not hold (the guard's own
    /// decision says why).
    Unless(Box<Decision<'a>>),
    /// A rule that applies: its guard held, and then what it requires.
    Then {
        guard: Box<Decision<'a>>,
        then: Box<Decision<'a>>,
    },
    /// Every business KPI has these values.
    KpisWith {
        count: usize,
        fields: &'a [KpiField],
    },
    /// Values the business KPIs lack.
    KpisLack(Vec<KpiLack<'a>>),
    /// Every KPI's actual meets its target.
    TargetsMet { count: usize },
    /// The KPIs whose actual misses its target.
    TargetsMissed(Vec<Miss<'a>>),
}

/// A choice as found in the dossier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Chosen<'a> {
    Word(&'a str),
    Bool(bool),
}

impl Chosen<'_> {
    /// Whether `literal` is this value.
    pub fn is(&self, literal: &Literal) -> bool {
        match (self, literal) {
            (Chosen::Word(w), Literal::Word(l)) => w == l,
            (Chosen::Bool(b), Literal::Bool(l)) => b == l,
            _ => false,
        }
    }
}

/// A KPI, by its place in the list and its name when it has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpiRef<'a> {
    pub index: usize,
    pub name: Option<&'a str>,
}

/// What one KPI lacks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpiLack<'a> {
    pub kpi: KpiRef<'a>,
    pub lacks: Lacks,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lacks {
    /// A value a `KpisHave` condition asks for.
    Field(KpiField),
    /// For comparing with the target: the actual, the target, or both.
    Actual,
    Target,
    ActualAndTarget,
}

/// A KPI whose actual misses its target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Miss<'a> {
    pub kpi: KpiRef<'a>,
    pub actual: f64,
    pub target: f64,
    pub direction: Direction,
}

/// What [`decide`](super::judge::decide) records: nothing (`()`), or the
/// values ([`Found`]). Every value comes in a closure, called only by a
/// recorder that keeps it.
pub trait Record<'a>: Sized {
    fn found(make: impl FnOnce() -> Found<'a>) -> Self;
    /// A guard that did not hold, so the rule does not apply.
    fn unless(guard: (Outcome, Self)) -> Self;
    /// A guard that held, and the rule's own decision.
    fn then(guard: (Outcome, Self), then: (Outcome, Self)) -> Self;
}

impl<'a> Record<'a> for () {
    fn found(_: impl FnOnce() -> Found<'a>) {}
    fn unless(_: (Outcome, ())) {}
    fn then(_: (Outcome, ()), _: (Outcome, ())) {}
}

impl<'a> Record<'a> for Found<'a> {
    fn found(make: impl FnOnce() -> Found<'a>) -> Self {
        make()
    }

    fn unless((outcome, found): (Outcome, Self)) -> Self {
        Found::Unless(Box::new(Decision { outcome, found }))
    }

    fn then(guard: (Outcome, Self), then: (Outcome, Self)) -> Self {
        Found::Then {
            guard: Box::new(Decision {
                outcome: guard.0,
                found: guard.1,
            }),
            then: Box::new(Decision {
                outcome: then.0,
                found: then.1,
            }),
        }
    }
}
