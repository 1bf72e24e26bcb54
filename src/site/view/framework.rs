use super::*;

// ---------------------------------------------------------------- framework page

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: String,
    pub title: String,
    pub question: String,
    /// The condition in words; parts with `code` are field names and values.
    pub condition: Vec<Part>,
    pub severities: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkMistakeView {
    pub id: &'static str,
    pub name: String,
    pub summary: String,
    pub root_cause: String,
    pub fix: String,
    pub checks: Vec<RuleView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub mistakes: Vec<FrameworkMistakeView>,
    pub weights: Vec<Fact>,
    pub ready_at: u32,
    pub origin: String,
    pub stages: Vec<&'static str>,
}

fn field_words(field: usize) -> String {
    format!("`{}`", schema::FIELDS[field].path)
}

fn threshold_words(field: usize, v: f64) -> String {
    if schema::FIELDS[field].kind == schema::Kind::Share {
        format_share(v)
    } else {
        format_number(v)
    }
}

/// A condition in words, for the framework page.
pub fn condition_words(c: &Condition) -> String {
    match c {
        Condition::Answered(f) => format!("{} answered", field_words(*f)),
        Condition::AllAnswered(fs) => format!(
            "{} all answered",
            fs.iter()
                .map(|f| field_words(*f))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Condition::Is { field, values } => {
            format!(
                "{} is {}",
                field_words(*field),
                values
                    .iter()
                    .map(|v| match v {
                        Literal::Word(w) => format!("`{w}`"),
                        Literal::Bool(b) => b.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        }
        Condition::AtLeast { field, value } => format!(
            "{} ≥ {}",
            field_words(*field),
            threshold_words(*field, *value)
        ),
        Condition::AtMost { field, value } => format!(
            "{} ≤ {}",
            field_words(*field),
            threshold_words(*field, *value)
        ),
        Condition::OnOrBefore { field, than } => format!(
            "{} on or before {}",
            field_words(*field),
            field_words(*than)
        ),
        Condition::AllAddressed(f) => {
            format!("every entry of {} has `addressed: true`", field_words(*f))
        }
        Condition::Either(cs) => cs
            .iter()
            .map(condition_words)
            .collect::<Vec<_>>()
            .join(", or "),
        Condition::When { when, then } => {
            format!("when {}: {}", condition_words(when), condition_words(then))
        }
        Condition::KpisHave(fs) => format!(
            "at least one business KPI, each with {}",
            fs.iter()
                .map(|f| format!("`{}`", f.as_str()))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        Condition::KpisMeetTargets => {
            "every KPI's `actual` meets its `target` in its `direction`".into()
        }
    }
}

/// A piece of text, set as code or not.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub text: String,
    pub code: bool,
}

/// Splits text with `backticked` pieces into parts.
pub fn parts(text: &str) -> Vec<Part> {
    text.split('`')
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| Part {
            text: t.to_string(),
            code: i % 2 == 1,
        })
        .collect()
}

fn rule_view(c: &Check) -> RuleView {
    RuleView {
        id: c.id.clone(),
        title: c.title.clone(),
        question: c.question.clone(),
        condition: parts(&condition_words(&c.condition)),
        severities: c
            .severity
            .iter()
            .map(|s| s.map_or("-", |s| s.as_str()))
            .collect(),
    }
}

pub fn framework_view(fw: &Framework) -> FrameworkView {
    FrameworkView {
        mistakes: Mistake::ALL
            .iter()
            .map(|m| {
                let info = fw.mistake(*m);
                FrameworkMistakeView {
                    id: m.as_str(),
                    name: info.name.clone(),
                    summary: info.summary.clone(),
                    root_cause: info.root_cause.clone(),
                    fix: info.fix.clone(),
                    checks: fw
                        .checks
                        .iter()
                        .filter(|c| c.mistake == *m)
                        .map(rule_view)
                        .collect(),
                }
            })
            .collect(),
        weights: [("Blocker", 0), ("Major", 1), ("Minor", 2)]
            .iter()
            .map(|(l, i)| Fact {
                label: (*l).into(),
                value: fw.weights[*i].to_string(),
            })
            .collect(),
        ready_at: fw.ready_at,
        origin: if fw.origin == "built-in" {
            "the built-in default framework".into()
        } else {
            format!("the default framework with the changes in {}", fw.origin)
        },
        stages: vec!["proposed", "pilot", "scaling", "production"],
    }
}
