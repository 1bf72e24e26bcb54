//! The sentence that explains a check's outcome, made from what deciding
//! it found ([`Decision`]): `framing.success_defined_as is demo, not
//! business_outcome` for the report and `check`, `Success is defined as:
//! demo, not business outcome` for the pages.
//!
//! Only wording: every outcome was decided before (`judge::decide`), and
//! nothing here reads the dossier.

use super::evidence::{Chosen, Decision, Found, KpiLack, KpiRef, Lacks, Miss};
use super::{Check, Outcome};
use crate::dossier::schema::{self, Kind};
use crate::dossier::{Direction, format_share, tree::format_number};

/// How a sentence names the answers it speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Say {
    /// By field path: `framing.success_defined_as is demo`.
    Paths,
    /// By the field's label: `Success is defined as: demo`.
    Words,
}

impl Say {
    /// The name of `field` in the sentence.
    fn field(self, field: usize) -> &'static str {
        match self {
            Say::Words => schema::FIELDS[field].label,
            Say::Paths => schema::FIELDS[field].path,
        }
    }

    /// The name of `field` inside a sentence.
    fn field_within(self, field: usize) -> String {
        match self {
            Say::Words => lower_first(schema::FIELDS[field].label),
            Say::Paths => schema::FIELDS[field].path.to_string(),
        }
    }

    /// What joins a field to its value: a label reads better with a colon
    /// (`Success is defined as: demo`) than with "is".
    fn is(self) -> &'static str {
        match self {
            Say::Words => ":",
            Say::Paths => " is",
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

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 90 {
        format!("{}…", s.chars().take(90).collect::<String>())
    } else {
        s.to_string()
    }
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

fn chosen(c: Chosen) -> String {
    match c {
        Chosen::Word(w) => w.replace('_', " "),
        Chosen::Bool(b) => if b { "yes" } else { "no" }.into(),
    }
}

fn kpi_name(k: KpiRef) -> String {
    k.name
        .map_or_else(|| format!("KPI {}", k.index + 1), |n| format!("\"{n}\""))
}

fn lack(l: &KpiLack) -> String {
    let what = match l.lacks {
        Lacks::Field(f) => f.as_str(),
        Lacks::Actual => "actual",
        Lacks::Target => "target",
        Lacks::ActualAndTarget => "actual and no target",
    };
    format!("{} has no {what}", kpi_name(l.kpi))
}

fn miss(m: &Miss) -> String {
    let better = match m.direction {
        Direction::Lower => "lower",
        Direction::Higher => "higher",
    };
    format!(
        "{}: actual {} misses the target {} ({better} is better)",
        kpi_name(m.kpi),
        format_number(m.actual),
        format_number(m.target)
    )
}

/// The sentence for `decision`, a decision of `check`'s condition.
pub fn sentence(decision: &Decision, check: &Check, say: Say) -> String {
    let Decision { outcome, found } = decision;
    let pass = *outcome == Outcome::Pass;
    match found {
        Found::Unanswered { missing } => {
            let mut message = format!("not answered: {}", check.question);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|f| say.field(*f)).collect();
                message.push_str(&format!(" (missing: {})", names.join(", ")));
            }
            message
        }
        Found::Answer { field, value } => {
            format!("{}: {}", say.field(*field), short(&value.display()))
        }
        Found::Answers(given) => {
            let given: Vec<String> = given
                .iter()
                .map(|(f, v)| match say {
                    Say::Words => format!("{} {}", say.field_within(*f), v.display()),
                    Say::Paths => format!("{} {}", schema::FIELDS[*f].key(), v.display()),
                })
                .collect();
            given.join(", ")
        }
        Found::Choice {
            field,
            found,
            expected,
        } => {
            if pass {
                format!("{}{} {}", say.field(*field), say.is(), chosen(*found))
            } else if say == Say::Words && matches!(found, Chosen::Bool(_)) {
                // "Users helped set the criteria: no", not "no, not yes".
                format!("{}: {}", say.field(*field), chosen(*found))
            } else {
                let expected: Vec<String> = expected.iter().map(|l| l.display()).collect();
                format!(
                    "{}{} {}, not {}",
                    say.field(*field),
                    say.is(),
                    chosen(*found),
                    expected.join(" or ")
                )
            }
        }
        Found::Number {
            field,
            found,
            limit,
            at_least,
        } => {
            let (shown, limit) = show_apart(*field, *found, *limit);
            let name = say.field(*field);
            match (at_least, pass) {
                (true, true) => format!("{name} is {shown}, at least {limit}"),
                (true, false) => format!("{name} is {shown}, below the {limit} threshold"),
                (false, true) => format!("{name} is {shown}, at most {limit}"),
                (false, false) => format!("{name} is {shown}, above the {limit} limit"),
            }
        }
        Found::Dates {
            field,
            date,
            than,
            than_date,
        } => format!(
            "{} ({date}) is {} {} ({than_date})",
            say.field(*field),
            if pass { "on or before" } else { "after" },
            say.field_within(*than)
        ),
        Found::Gaps { total, open } => {
            if open.is_empty() && *total == 1 {
                "the one known gap is addressed".to_string()
            } else if open.is_empty() {
                format!("all {total} known gaps are addressed")
            } else {
                let verb = if open.len() == 1 { "is" } else { "are" };
                let noun = if *total == 1 {
                    "known gap"
                } else {
                    "known gaps"
                };
                format!(
                    "{} of {total} {noun} {verb} not addressed: {}",
                    open.len(),
                    short(&open.join("; "))
                )
            }
        }
        Found::NoGaps => "no known gaps are listed".to_string(),
        Found::Unless(guard) => sentence(guard, check, say),
        Found::Then { guard, then } => format!(
            "{}; {}",
            sentence(guard, check, say),
            sentence(then, check, say)
        ),
        Found::KpisWith { count, fields } => {
            let what: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
            format!(
                "{count} KPI{} with {}",
                if *count == 1 { "" } else { "s" },
                what.join(" and ")
            )
        }
        Found::KpisLack(lacks) => {
            let lacks: Vec<String> = lacks.iter().map(lack).collect();
            format!(
                "not answered: {} ({})",
                check.question,
                short(&lacks.join("; "))
            )
        }
        Found::TargetsMet { count } => format!("all {count} KPIs meet their targets"),
        Found::TargetsMissed(misses) => {
            let misses: Vec<String> = misses.iter().map(miss).collect();
            short(&misses.join("; "))
        }
    }
}
