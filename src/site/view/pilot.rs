use super::*;
use crate::framework::Severity;

// ---------------------------------------------------------------- diagnosis page

#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    pub id: String,
    pub title: String,
    pub severity: &'static str,
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub symbol: &'static str,
    pub message: String,
    /// The question to answer, when unanswered.
    pub question: String,
    /// What to do when it fails; empty when the framework gives none.
    pub remedy: String,
    /// The weight of its severity.
    pub weight: u32,
    /// Its number in the next step; 0 when it is not on the path.
    pub step: usize,
    /// When unanswered because of a misspelled key: what the warning says
    /// (see [`StripFact::hint`]); empty otherwise.
    pub hint: Vec<Part>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MistakeView {
    pub id: &'static str,
    pub name: String,
    pub summary: String,
    pub root_cause: String,
    pub fix: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub symbol: &'static str,
    pub score: u32,
    /// The weight of its failing checks: what picks the most active mistake.
    pub failing_weight: u32,
    pub checks: Vec<CheckView>,
    pub failing: usize,
    /// `checks` that fail or are unanswered, shown open.
    pub open_checks: Vec<CheckView>,
    /// `checks` that pass, folded away under a summary.
    pub passing_checks: Vec<CheckView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// The one next step of a pilot that is not ready: its path to ready,
/// grouped under the mistake each check belongs to, with the most active
/// mistake named above it as the diagnosis. Each check is here once, with
/// its remedy; the rest of the page points back to its number.
#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    /// The most active mistake: the diagnosis.
    pub mistake: &'static str,
    pub name: String,
    pub summary: String,
    pub fix: String,
    /// Why this mistake and not another: the rule, and the mistakes that
    /// score lower but fail less weight.
    pub why: String,
    /// "3 checks from ready".
    pub heading: String,
    /// How the list is ordered, and what "ready" means here.
    pub intro: String,
    pub count: usize,
    pub groups: Vec<StepGroup>,
}

/// The checks of the path that belong to one mistake.
#[derive(Debug, Clone, Serialize)]
pub struct StepGroup {
    pub mistake: &'static str,
    pub name: String,
    /// The number of its first check: where its `<ol>` starts.
    pub start: usize,
    pub checks: Vec<CheckView>,
}

/// What keeps a ready pilot in production ready: the checks that would
/// block it if they failed, and the next review of its answers.
#[derive(Debug, Clone, Serialize)]
pub struct KeepReady {
    pub intro: String,
    pub checks: Vec<String>,
    pub review: String,
}

/// Why an abandoned pilot stopped: its active mistakes, as lessons for the
/// next pilot in the same area.
#[derive(Debug, Clone, Serialize)]
pub struct WhyStopped {
    pub intro: String,
    pub lessons: Vec<Lesson>,
}

/// One active mistake of an abandoned pilot, and the checks that show it.
#[derive(Debug, Clone, Serialize)]
pub struct Lesson {
    pub mistake: &'static str,
    pub name: String,
    pub root_cause: String,
    pub fix: String,
    pub checks: Vec<CheckView>,
}

/// One fact of the strip under a pilot's title: whose it is, what it costs,
/// when it is decided.
#[derive(Debug, Clone, Serialize)]
pub struct StripFact {
    pub label: &'static str,
    pub value: String,
    /// A second word on the value: days left, days overdue, days ago.
    pub note: String,
    /// `overdue`, `missing` or empty: how the value is set.
    pub class: &'static str,
    /// Why it is not answered when a warning says so (a misspelled key):
    /// "did you mean `framing.executive_sponsor`? (content/x.md:4:1)",
    /// with its `code` pieces marked; empty otherwise.
    pub hint: Vec<Part>,
}

/// What the warnings say of an answer that is missing: the help of the
/// first one that leaves `path` unanswered, with where it is.
fn unanswered_hint(warnings: &[Diagnostic], path: &str) -> Vec<Part> {
    warnings
        .iter()
        .find(|w| w.answer.as_deref() == Some(path))
        .map(|w| {
            let place = match &w.location {
                Some(l) => format!("{}:{}:{}", w.source, l.line, l.column),
                None => w.source.clone(),
            };
            parts(&format!("{} ({place})", w.help.as_deref().unwrap_or("")))
        })
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize)]
pub struct PilotView {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    pub verdict_text: String,
    pub readiness: u32,
    /// Owner, sponsor, budget, decision due and last review, for the strip
    /// under the title (the stage is `stage_label`, a badge of its own).
    pub strip: Vec<StripFact>,
    pub flags: Vec<FlagView>,
    /// The path to ready; `None` for a ready or abandoned pilot.
    pub next_step: Option<NextStep>,
    /// For an abandoned pilot, in place of a next step.
    pub why_stopped: Option<WhyStopped>,
    /// "Ready for <next stage>?"; `None` after production or abandoned.
    /// A ready pilot's next step.
    pub gate: Option<super::readiness::GateView>,
    /// For a ready pilot in production, in place of a next step.
    pub keep_ready: Option<KeepReady>,
    pub mistakes: Vec<MistakeView>,
    pub chart: Chart,
    /// How to read the chart, and how the next step is chosen.
    pub chart_note: String,
    pub story_html: String,
    pub facts: Vec<Fact>,
    pub tags: Vec<String>,
    pub source: String,
    pub source_url: String,
    pub edit_url: String,
    pub warnings: Vec<DiagnosticView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticView {
    pub level: &'static str,
    pub location: String,
    pub message: String,
    pub help: String,
    /// `message` and `help` with their `code` pieces marked.
    pub message_parts: Vec<Part>,
    pub help_parts: Vec<Part>,
    pub line_text: String,
    pub caret: String,
}

pub fn diagnostic_view(d: &Diagnostic) -> DiagnosticView {
    let (location, line_text, caret) = match &d.location {
        Some(l) => (
            format!("{}:{}:{}", d.source, l.line, l.column),
            l.line_text.clone(),
            format!(
                "{}{}",
                " ".repeat(l.column.saturating_sub(1)),
                "^".repeat(l.width.min(80))
            ),
        ),
        None => (d.source.clone(), String::new(), String::new()),
    };
    DiagnosticView {
        level: if d.is_error() { "error" } else { "warning" },
        location,
        message_parts: parts(&d.message),
        help_parts: parts(d.help.as_deref().unwrap_or("")),
        message: d.message.clone(),
        help: d.help.clone().unwrap_or_default(),
        line_text,
        caret,
    }
}

fn check_view(
    fw: &Framework,
    d: &Dossier,
    c: &crate::framework::CheckResult,
    warnings: &[Diagnostic],
) -> CheckView {
    let check = &fw.checks[c.check];
    let hint = if c.outcome == Outcome::Unanswered && !warnings.is_empty() {
        check
            .condition
            .fields()
            .into_iter()
            .map(|f| unanswered_hint(warnings, crate::dossier::schema::FIELDS[f].path))
            .find(|h| !h.is_empty())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    CheckView {
        id: check.id.clone(),
        title: check.title.clone(),
        severity: c.severity.as_str(),
        outcome: c.outcome.as_str(),
        outcome_label: outcome_label(c.outcome),
        symbol: outcome_symbol(c.outcome),
        // An unanswered check shows its question, not evidence; a passing
        // one needs no remedy. Neither is made (37 checks a page, 10,000
        // pages: a tenth of a cold build's work was these words).
        message: if c.outcome == Outcome::Unanswered {
            String::new()
        } else {
            c.words(fw, d)
        },
        question: if c.outcome == Outcome::Unanswered {
            check.question.clone()
        } else {
            String::new()
        },
        remedy: if c.outcome == Outcome::Pass {
            String::new()
        } else {
            check.remedy.trim().to_string()
        },
        weight: fw.weight(c.severity),
        step: 0,
        hint,
    }
}

fn repo_link(config: &Config, kind: &str, source: &str) -> String {
    if config.repo_url.is_empty() {
        return String::new();
    }
    format!(
        "{}/{kind}/{}/{}",
        config.repo_url.trim_end_matches('/'),
        config.repo_branch,
        source
    )
}

/// Why `chosen` is the pilot's most active mistake: the rule in words, and
/// each mistake that scores lower yet fails less weight, which the chart
/// beside it would otherwise make look like the worse one.
fn next_step_why(fw: &Framework, g: &Diagnosis, chosen: Mistake) -> String {
    let r = g.mistakes[chosen.index()];
    let [blocker, major, minor] = fw.weights;
    let mut why = format!(
        "Named because its failing checks weigh the most: {} (a blocker weighs {blocker}, a major {major}, a minor {minor}).",
        r.failing_weight
    );
    let lower: Vec<String> = Mistake::ALL
        .iter()
        .filter(|m| **m != chosen && g.mistakes[m.index()].score < r.score)
        .map(|m| {
            let o = g.mistakes[m.index()];
            format!(
                "“{}” scores lower ({}) but fails less weight ({})",
                fw.mistake(*m).name,
                o.score,
                o.failing_weight
            )
        })
        .collect();
    if !lower.is_empty() {
        why.push_str(&format!(
            " {}. A score is the share of a mistake's own checks that pass, so a mistake with fewer checks can score lower while failing less.",
            lower.join("; ")
        ));
    }
    why
}

/// The lessons of an abandoned pilot: each active mistake with its failing
/// checks (`failing`), heaviest mistake first.
fn why_stopped(
    fw: &Framework,
    g: &Diagnosis,
    failing: &dyn Fn(Mistake) -> Vec<CheckView>,
) -> WhyStopped {
    let mut active: Vec<Mistake> = Mistake::ALL
        .into_iter()
        .filter(|m| g.mistakes[m.index()].status == Status::Active)
        .collect();
    active.sort_by(|a, b| {
        g.mistakes[b.index()]
            .failing_weight
            .cmp(&g.mistakes[a.index()].failing_weight)
    });
    let intro = match active.len() {
        0 => "No mistake was active when it stopped, so the reason lies outside what the framework judges: record it in the story.".to_string(),
        1 => "One mistake was active when it stopped. Read it as a lesson for the next pilot in the same area:".to_string(),
        n => format!("{n} of the five mistakes were active when it stopped. Read them as lessons for the next pilot in the same area, the heaviest first:"),
    };
    WhyStopped {
        intro,
        lessons: active
            .into_iter()
            .map(|m| {
                let info = fw.mistake(m);
                Lesson {
                    mistake: m.as_str(),
                    name: info.name.clone(),
                    root_cause: info.root_cause.clone(),
                    fix: info.fix.clone(),
                    checks: failing(m),
                }
            })
            .collect(),
    }
}

/// What keeps a ready pilot in production ready: its blockers, which all
/// pass (a failing blocker makes its mistake active), and when its answers
/// are next due for review.
fn keep_ready(fw: &Framework, g: &Diagnosis, d: &Dossier, stale_days: i64) -> KeepReady {
    let every = plural(stale_days.unsigned_abs() as usize, "day", "days");
    let checks: Vec<String> = g
        .checks
        .iter()
        .filter(|c| c.severity == Severity::Blocker)
        .map(|c| fw.checks[c.check].title.clone())
        .collect();
    let review = match d.updated() {
        Some(date) => format!(
            "Review the answers by {} ({every} after their last review on {date}); after that the pilot is flagged stale.",
            date.saturating_add(jiff::Span::new().days(stale_days)),
        ),
        None => format!(
            "Record when the answers were last reviewed (`updated`): without it the pilot is flagged stale. Review them at least every {every}."
        ),
    };
    KeepReady {
        intro: format!(
            "Ready in production. It stays ready while these {} keep passing: a failing blocker makes its mistake active.",
            plural(checks.len(), "blocker", "blockers")
        ),
        checks,
        review,
    }
}

/// The facts a leader asks first, with what is missing said so.
fn fact_strip(
    config: &Config,
    d: &Dossier,
    warnings: &[Diagnostic],
    as_of: jiff::civil::Date,
) -> Vec<StripFact> {
    let days = |n: i64| plural(n.unsigned_abs() as usize, "day", "days");
    let text = |label, field: usize, value: Option<&str>| match value {
        Some(v) => StripFact {
            label,
            value: v.to_string(),
            note: String::new(),
            class: "",
            hint: Vec::new(),
        },
        None => StripFact {
            label,
            value: "not answered".into(),
            note: String::new(),
            class: "missing",
            hint: unanswered_hint(warnings, crate::dossier::schema::FIELDS[field].path),
        },
    };
    let mut strip = vec![
        text(
            "Owner",
            idx::PRODUCTION_OWNER,
            d.text(idx::PRODUCTION_OWNER),
        ),
        text(
            "Sponsor",
            idx::EXECUTIVE_SPONSOR,
            d.text(idx::EXECUTIVE_SPONSOR),
        ),
        text(
            "Budget",
            idx::BUDGET,
            d.budget().map(|b| money(config, b)).as_deref(),
        ),
    ];
    let mut due = text("Decision due", idx::DECISION_DUE, None);
    if let Some(date) = d.decision_due() {
        let left = crate::framework::judge::days_between(as_of, date);
        let decided = matches!(d.stage, Stage::Production | Stage::Abandoned);
        due.value = date.to_string();
        due.hint.clear();
        (due.note, due.class) = match left {
            0 => ("today".into(), ""),
            n if n > 0 => (format!("in {}", days(n)), ""),
            n if decided => (format!("{} ago", days(n)), ""),
            n => (format!("{} overdue", days(n)), "overdue"),
        };
    }
    strip.push(due);
    let mut reviewed = text("Last reviewed", idx::UPDATED, None);
    if let Some(date) = d.updated() {
        let ago = crate::framework::judge::days_between(date, as_of);
        reviewed.value = date.to_string();
        reviewed.hint.clear();
        reviewed.class = "";
        reviewed.note = match ago {
            0 => "today".into(),
            n if n > 0 => format!("{} ago", days(n)),
            _ => String::new(),
        };
    }
    strip.push(reviewed);
    strip
}

pub fn pilot_view(
    config: &Config,
    fw: &Framework,
    d: &Dossier,
    g: &Diagnosis,
    story_html: String,
    warnings: &[Diagnostic],
    as_of: jiff::civil::Date,
) -> PilotView {
    pilot_view_with(config, fw, d, g, story_html, warnings, as_of, true)
}

/// [`pilot_view`], without the views of the passing checks unless
/// `passing`: the board pack shows only the checks that fail or are
/// unanswered, and the passing ones' evidence in words was most of its
/// work. Every count and panel is the same either way.
#[allow(clippy::too_many_arguments)]
pub fn pilot_view_with(
    config: &Config,
    fw: &Framework,
    d: &Dossier,
    g: &Diagnosis,
    story_html: String,
    warnings: &[Diagnostic],
    as_of: jiff::civil::Date,
    passing: bool,
) -> PilotView {
    let abandoned = d.stage == Stage::Abandoned;
    // A stopped pilot has no way to ready to walk.
    let groups = if abandoned {
        Vec::new()
    } else {
        super::readiness::path_groups(fw, g)
    };
    let numbers = super::readiness::step_numbers(&groups);
    let mistakes: Vec<MistakeView> = Mistake::ALL
        .iter()
        .map(|m| {
            let info = fw.mistake(*m);
            let r = g.mistakes[m.index()];
            let checks: Vec<CheckView> = g
                .checks
                .iter()
                .filter(|c| fw.checks[c.check].mistake == *m)
                .filter(|c| passing || c.outcome != Outcome::Pass)
                .map(|c| CheckView {
                    step: numbers
                        .iter()
                        .find(|(i, _)| *i == c.check)
                        .map_or(0, |(_, n)| *n),
                    ..check_view(fw, d, c, warnings)
                })
                .collect();
            MistakeView {
                id: m.as_str(),
                name: info.name.clone(),
                summary: info.summary.clone(),
                root_cause: info.root_cause.clone(),
                fix: info.fix.clone(),
                status: r.status.as_str(),
                status_label: status_label(r.status),
                symbol: status_symbol(r.status),
                score: r.score,
                failing_weight: r.failing_weight,
                failing: checks.iter().filter(|c| c.outcome != "pass").count(),
                open_checks: checks
                    .iter()
                    .filter(|c| c.outcome != "pass")
                    .cloned()
                    .collect(),
                passing_checks: checks
                    .iter()
                    .filter(|c| c.outcome == "pass")
                    .cloned()
                    .collect(),
                checks,
            }
        })
        .collect();
    let failing = |m: Mistake| -> Vec<CheckView> {
        let mut checks: Vec<CheckView> = mistakes[m.index()]
            .checks
            .iter()
            .filter(|c| c.outcome != "pass")
            .cloned()
            .collect();
        // Stable: checks of the same weight keep the framework's order.
        checks.sort_by_key(|c| std::cmp::Reverse(c.weight));
        checks
    };
    let next_step = g.most_active.filter(|_| !groups.is_empty()).map(|m| {
        let info = fw.mistake(m);
        let check = |i: usize| {
            mistakes
                .iter()
                .flat_map(|m| &m.checks)
                .find(|c| c.id == fw.checks[i].id)
                .cloned()
                .expect("a check on the path fails, so its view is made")
        };
        let mut start = 1;
        let groups: Vec<StepGroup> = groups
            .iter()
            .map(|(m, path)| {
                let group = StepGroup {
                    mistake: m.as_str(),
                    name: fw.mistake(*m).name.clone(),
                    start,
                    checks: path.iter().map(|i| check(*i)).collect(),
                };
                start += path.len();
                group
            })
            .collect();
        let count = start - 1;
        NextStep {
            mistake: m.as_str(),
            name: info.name.clone(),
            summary: info.summary.clone(),
            fix: info.fix.clone(),
            why: next_step_why(fw, g, m),
            heading: format!("{} from ready", plural(count, "check", "checks")),
            intro: format!(
                "The fewest checks that, once they pass, make this pilot ready at its stage: every failing blocker first, then what clears each active mistake, then the heaviest checks until readiness reaches {}. Each is listed under its mistake.",
                fw.ready_at
            ),
            count,
            groups,
        }
    });
    let why_stopped = abandoned.then(|| why_stopped(fw, g, &failing));
    let verdict_text = match g.verdict {
        Verdict::Ready => format!(
            "No mistake is active and readiness is {} (the bar is {}).",
            g.readiness, fw.ready_at
        ),
        Verdict::NotReady => format!(
            "{} of the five mistakes are active.",
            g.mistakes
                .iter()
                .filter(|m| m.status == Status::Active)
                .count()
        ),
        Verdict::AtRisk => match g
            .mistakes
            .iter()
            .filter(|m| m.status == Status::Active)
            .count()
        {
            1 => "One mistake is active.".to_string(),
            _ => format!(
                "No mistake is active, but readiness is below {}.",
                fw.ready_at
            ),
        },
    };
    let items = Mistake::ALL
        .iter()
        .map(|m| {
            let r = g.mistakes[m.index()];
            let value = match r.failing_weight {
                0 => format!("{} / 100", r.score),
                w => format!("{} / 100 (failing weight {w})", r.score),
            };
            // The area, not the mistake's name: a long bar beside "Framed
            // as a technology experiment" read as "very much framed so".
            (area_label(*m), r.score as f64, value, r.status.as_str())
        })
        .collect();

    let mut facts = Vec::new();
    let mut fact = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            facts.push(Fact {
                label: label.into(),
                value: v,
            });
        }
    };
    fact(
        "Business unit",
        d.text(idx::BUSINESS_UNIT).map(str::to_string),
    );
    fact("Industry", d.text(idx::INDUSTRY).map(str::to_string));
    fact("Stage", Some(stage_label(d.stage).to_string()));
    fact(
        "Production owner",
        d.text(idx::PRODUCTION_OWNER).map(str::to_string),
    );
    fact(
        "Executive sponsor",
        d.text(idx::EXECUTIVE_SPONSOR).map(str::to_string),
    );
    fact(
        "System owner",
        d.text(idx::GOVERNANCE_OWNER).map(str::to_string),
    );
    fact("Led by", d.text(idx::LED_BY).map(str::to_string));
    fact("Started", d.started().map(|x| x.to_string()));
    fact("Decision due", d.decision_due().map(|x| x.to_string()));
    fact("Budget", d.budget().map(|b| money(config, b)));
    fact("Assessed by", d.text(idx::ASSESSED_BY).map(str::to_string));
    fact("Answers reviewed", d.updated().map(|x| x.to_string()));
    for (k, v) in &d.extra {
        fact(k, Some(v.clone()));
    }

    PilotView {
        id: d.id.clone(),
        title: d.title.clone(),
        summary: d.text(idx::SUMMARY).unwrap_or("").to_string(),
        stage: d.stage.as_str(),
        stage_label: stage_label(d.stage),
        verdict: g.verdict.as_str(),
        verdict_label: verdict_label(g.verdict),
        verdict_text,
        readiness: g.readiness,
        strip: fact_strip(config, d, warnings, as_of),
        flags: flag_views(d, g, config.stale_days),
        next_step,
        why_stopped,
        gate: super::readiness::gate_view(fw, g),
        keep_ready: (g.verdict == Verdict::Ready && d.stage == Stage::Production)
            .then(|| keep_ready(fw, g, d, config.stale_days)),
        mistakes,
        // No summary: each bar's area and value are its own text.
        chart: chart(items, 100.0, String::new()).reads(
            "better",
            "Longer is better: more of the area's checks pass, by weight.".into(),
        ),
        chart_note: format!(
            "A longer bar is better: it is the share of the mistake's checks, by weight, that pass. In brackets, the weight of its failing checks (a blocker weighs {}, a major {}, a minor {}); the next step names the mistake with the most failing weight, which is not always the shortest bar.",
            fw.weights[0], fw.weights[1], fw.weights[2]
        ),
        story_html,
        facts,
        tags: d.list(idx::TAGS).to_vec(),
        source: d.source.clone(),
        source_url: repo_link(config, "blob", &d.source),
        edit_url: repo_link(config, "edit", &d.source),
        warnings: warnings.iter().map(diagnostic_view).collect(),
    }
}

/// The page of a dossier that cannot be read: what is wrong and where.
#[derive(Debug, Clone, Serialize)]
pub struct BrokenView {
    pub id: String,
    pub source: String,
    pub edit_url: String,
    pub diagnostics: Vec<DiagnosticView>,
}

pub fn broken_view(
    config: &Config,
    id: &str,
    source: &str,
    diagnostics: &[Diagnostic],
) -> BrokenView {
    BrokenView {
        id: id.into(),
        source: source.into(),
        edit_url: repo_link(config, "edit", source),
        diagnostics: diagnostics.iter().map(diagnostic_view).collect(),
    }
}
