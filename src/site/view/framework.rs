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
    /// What others have found about this mistake, with their sources.
    pub figures: Vec<SourcedFigure>,
    /// What this framework adds to the source's account of the mistake;
    /// empty when nothing.
    pub additions: &'static str,
    pub checks: Vec<RuleView>,
}

/// A figure reported by others, in our words, with its source named.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SourcedFigure {
    pub text: &'static str,
    pub source: &'static str,
}

/// The figures the page quotes, from the list the contract allows ("Facts
/// and figures"), each with its source: `None` for the portfolio as a whole,
/// or the mistake it bears on.
const FIGURES: &[(Option<Mistake>, SourcedFigure)] = &[
    (
        None,
        SourcedFigure {
            text: "Only about a third (33%) of AI pilots reach production.",
            source: "Astrafy",
        },
    ),
    (
        None,
        SourcedFigure {
            text: "80.3% of AI projects fail to deliver their intended business value, and 33.8% are abandoned before production.",
            source: "RAND Corporation, 2025",
        },
    ),
    (
        None,
        SourcedFigure {
            text: "Nearly two-thirds of enterprises have not begun scaling AI; 88% use AI, but only 39% see any effect on EBIT.",
            source: "McKinsey, State of AI 2025",
        },
    ),
    (
        None,
        SourcedFigure {
            text: "Only 26% of companies generate tangible value from AI; 74% struggle to reach meaningful scale.",
            source: "BCG",
        },
    ),
    (
        None,
        SourcedFigure {
            text: "30% of AI projects were forecast to be abandoned after proof of concept by the end of 2025.",
            source: "Gartner",
        },
    ),
    (
        None,
        SourcedFigure {
            text: "An abandoned AI initiative cost $7.2 million on average in 2025.",
            source: "Astrafy",
        },
    ),
    (
        Some(Mistake::Framing),
        SourcedFigure {
            text: "Pilots that scale have a production owner from day one, not only a project owner.",
            source: "Boston University, Questrom School of Business",
        },
    ),
    (
        Some(Mistake::Framing),
        SourcedFigure {
            text: "Redesigning the business process together with the technology is the strongest predictor of scaling.",
            source: "WalkMe, 2025",
        },
    ),
    (
        Some(Mistake::Data),
        SourcedFigure {
            text: "Data quality is the obstacle to AI success cited most, by 43% of organisations.",
            source: "Informatica, CDO Insights 2025",
        },
    ),
    (
        Some(Mistake::Data),
        SourcedFigure {
            text: "85% of AI projects fail because of poor data quality.",
            source: "Gartner",
        },
    ),
    (
        Some(Mistake::Governance),
        SourcedFigure {
            text: "Only 21% of organisations have a mature governance model for AI.",
            source: "Deloitte, State of AI in the Enterprise 2026",
        },
    ),
    (
        Some(Mistake::Change),
        SourcedFigure {
            text: "70% of change programmes fail because of employee resistance and weak management support.",
            source: "McKinsey",
        },
    ),
    (
        Some(Mistake::Metrics),
        SourcedFigure {
            text: "Organisations with business-aligned success metrics reach AI payback in under two years, against two to four years for those measuring mostly technical performance.",
            source: "Deloitte",
        },
    ),
    (
        Some(Mistake::Metrics),
        SourcedFigure {
            text: "Metric misalignment is one of the top three reasons AI pilots fail to scale.",
            source: "EPAM",
        },
    ),
];

fn figures_of(m: Option<Mistake>) -> Vec<SourcedFigure> {
    FIGURES
        .iter()
        .filter(|(of, _)| *of == m)
        .map(|(_, f)| *f)
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub mistakes: Vec<FrameworkMistakeView>,
    /// What others have found about AI pilots as a whole.
    pub figures: Vec<SourcedFigure>,
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
                    figures: figures_of(Some(*m)),
                    additions: match m {
                        Mistake::Governance => "The source's governance model has four components: the owner, the reviewer, the exception protocol and the refresh cadence. The review cadence and the handoff plan (for a pilot led by IT or a vendor) are this framework's additions: its checks ask for them too.",
                        _ => "",
                    },
                    checks: fw
                        .checks
                        .iter()
                        .filter(|c| c.mistake == *m)
                        .map(rule_view)
                        .collect(),
                }
            })
            .collect(),
        figures: figures_of(None),
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
