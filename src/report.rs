//! Reports of a judged portfolio for people and machines: the JSON report of
//! the contract, the terminal summary, GitHub workflow annotations, SARIF
//! (`sarif.rs`), JUnit XML (`junit.rs`), one line per finding (`short.rs`),
//! the CSV and the decision calendar.
//!
//! Takes what `project` judged and turns it into text; it computes nothing
//! about pilots itself.

mod calendar;
pub mod findings;
mod junit;
mod sarif;
mod short;
pub use calendar::calendar;
pub use junit::junit;
pub use sarif::sarif;
pub use short::short;

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Level};
use crate::framework::{Diagnosis, Framework, Mistake, MistakeResult, Verdict};
use crate::project::Judged;

// ---------------------------------------------------------------- JSON

#[derive(Serialize)]
pub struct ReportJson<'a> {
    pub as_of: String,
    pub dossiers: Dossiers<'a>,
    pub errors: Vec<ErrorJson<'a>>,
    /// How many dossiers could not be read: they are in `errors`, not in
    /// `dossiers`, and no figure of `portfolio` counts them.
    pub unread: usize,
    pub warnings: Vec<ErrorJson<'a>>,
    pub portfolio: &'a crate::portfolio::Portfolio,
}

/// The report of every judged pilot, made one at a time as it is
/// serialized: a report of 10,000 pilots is never held whole in memory.
pub struct Dossiers<'a> {
    judged: &'a Judged,
    framework: &'a Framework,
}

impl Serialize for Dossiers<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.judged
                .pilots()
                .map(|(d, g)| dossier_json(d, g, self.framework)),
        )
    }
}

#[derive(Serialize)]
pub struct DossierJson<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub title: &'a str,
    pub stage: &'static str,
    pub verdict: Verdict,
    pub readiness: u32,
    pub most_active: Option<Mistake>,
    pub flags: Vec<&'static str>,
    pub mistakes: MistakesJson,
    pub checks: Vec<CheckJson<'a>>,
    /// The fewest failing checks whose passing makes the pilot `ready`.
    pub path_to_ready: Vec<&'a str>,
    /// The same answers judged at the next stage.
    pub next_stage: Option<NextStageJson<'a>>,
}

#[derive(Serialize)]
pub struct NextStageJson<'a> {
    pub stage: &'static str,
    pub verdict: Verdict,
    pub readiness: u32,
    pub blockers: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct MistakesJson {
    pub framing: MistakeResult,
    pub data: MistakeResult,
    pub governance: MistakeResult,
    pub change: MistakeResult,
    pub metrics: MistakeResult,
}

#[derive(Serialize)]
pub struct CheckJson<'a> {
    pub id: &'a str,
    pub mistake: Mistake,
    pub severity: &'static str,
    pub outcome: &'static str,
    pub message: String,
}

#[derive(Serialize)]
pub struct ErrorJson<'a> {
    pub code: crate::diagnostic::Code,
    pub source: &'a str,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

fn error_json(d: &Diagnostic) -> ErrorJson<'_> {
    let message = match &d.help {
        Some(h) => format!("{} (help: {h})", d.message),
        None => d.message.clone(),
    };
    ErrorJson {
        code: d.code,
        source: &d.source,
        line: d.line(),
        column: d.column(),
        message,
    }
}

/// The report of one pilot.
pub fn dossier_json<'a>(
    d: &'a crate::dossier::Dossier,
    g: &'a Diagnosis,
    framework: &'a Framework,
) -> DossierJson<'a> {
    let [framing, data, governance, change, metrics] = g.mistakes;
    DossierJson {
        id: &d.id,
        source: &d.source,
        title: &d.title,
        stage: d.stage.as_str(),
        verdict: g.verdict,
        readiness: g.readiness,
        most_active: g.most_active,
        flags: g.flags.iter().map(|f| f.as_str()).collect(),
        mistakes: MistakesJson {
            framing,
            data,
            governance,
            change,
            metrics,
        },
        checks: g
            .checks
            .iter()
            .map(|c| {
                let check = &framework.checks[c.check];
                CheckJson {
                    id: &check.id,
                    mistake: check.mistake,
                    severity: c.severity.as_str(),
                    outcome: c.outcome.as_str(),
                    message: c.message(framework, d),
                }
            })
            .collect(),
        path_to_ready: g
            .path_to_ready
            .iter()
            .map(|i| framework.checks[*i].id.as_str())
            .collect(),
        next_stage: g.next_stage.as_ref().map(|n| NextStageJson {
            stage: n.stage.as_str(),
            verdict: n.verdict,
            readiness: n.readiness,
            blockers: n
                .blockers
                .iter()
                .map(|i| framework.checks[*i].id.as_str())
                .collect(),
        }),
    }
}

pub fn report_json<'a>(judged: &'a Judged, framework: &'a Framework) -> ReportJson<'a> {
    ReportJson {
        as_of: judged.as_of.to_string(),
        dossiers: Dossiers { judged, framework },
        errors: judged
            .diagnostics()
            .filter(|d| d.level == Level::Error)
            .map(error_json)
            .collect(),
        unread: judged.portfolio.unread,
        warnings: judged
            .diagnostics()
            .filter(|d| d.level == Level::Warning)
            .map(error_json)
            .collect(),
        portfolio: &judged.portfolio,
    }
}

/// The JSON report, pretty-printed, with a final newline (what `check
/// --format json` prints).
pub fn json(judged: &Judged, framework: &Framework) -> String {
    let mut s = serde_json::to_string_pretty(&report_json(judged, framework)).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes the JSON report to `out`, compact (one line, then a newline): the
/// site's `report.json`, which is for programs and at 10,000 pilots is
/// about half the size of the pretty-printed one.
pub fn write_json_compact(
    out: &mut dyn std::io::Write,
    judged: &Judged,
    framework: &Framework,
) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &report_json(judged, framework))?;
    out.write_all(b"\n")
}

// ---------------------------------------------------------------- human

fn paint(on: bool, style: Style, text: &str) -> String {
    if on {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

pub fn verdict_style(v: Verdict) -> Style {
    match v {
        Verdict::Ready => AnsiColor::Green.on_default().bold(),
        Verdict::AtRisk => AnsiColor::Yellow.on_default().bold(),
        Verdict::NotReady => AnsiColor::Red.on_default().bold(),
    }
}

/// One diagnostic with its source line and a caret, as cargo prints them.
pub fn render_diagnostic(d: &Diagnostic, color: bool) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level as L, Renderer, Snippet};
    let level = match d.level {
        Level::Error => L::ERROR,
        Level::Warning => L::WARNING,
    };
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut groups = Vec::new();
    let message = printable(&d.message);
    let source = printable(&d.source);
    let title = level
        .clone()
        .primary_title(message.as_ref())
        .id(d.code.as_str());
    // One character for one, so that the caret stays under its column.
    let line_text: String = loc_text(d);
    let group = match &d.location {
        Some(loc) => {
            let line = line_text.as_str();
            let start: usize = line
                .char_indices()
                .nth(loc.column - 1)
                .map_or(line.len(), |(i, _)| i);
            let end: usize = line[start..]
                .char_indices()
                .nth(loc.width)
                .map_or(line.len(), |(i, _)| start + i);
            title.element(
                Snippet::source(line)
                    .line_start(loc.line)
                    .path(source.as_ref())
                    .annotation(AnnotationKind::Primary.span(start..end.max(start))),
            )
        }
        None => title.element(annotate_snippets::Origin::path(source.as_ref())),
    };
    groups.push(group);
    let help = d.help.as_deref().map(printable);
    if let Some(help) = &help {
        groups.push(Group::with_title(L::HELP.secondary_title(help.as_ref())));
    }
    renderer.render(&groups)
}

/// "3 to ready" beside a pilot that is not ready (how many checks its path
/// to ready holds), nothing beside one that is.
fn checks_to_ready(g: &Diagnosis) -> String {
    match g.path_to_ready.len() {
        0 => String::new(),
        n => format!("{n} to ready"),
    }
}

/// The source line of `d` with each control character but tab shown as `�`.
fn loc_text(d: &Diagnostic) -> String {
    d.location.as_ref().map_or_else(String::new, |loc| {
        loc.line_text
            .chars()
            .map(|c| {
                if c.is_control() && c != '\t' {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect()
    })
}

/// The terminal report of `pilotscope check`.
pub fn human(judged: &Judged, framework: &Framework, color: bool) -> String {
    let mut out = String::new();
    let width = judged
        .pilots()
        .map(|(d, _)| d.title.chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    for (d, g) in judged.pilots() {
        let verdict = paint(
            color,
            verdict_style(g.verdict),
            &format!("{:<9}", g.verdict.as_str()),
        );
        let most = g.most_active.map_or("-", Mistake::as_str);
        let mut title: String = printable(&d.title).chars().take(48).collect();
        if d.title.chars().count() > 48 {
            title.pop();
            title.push('…');
        }
        let mut flags = Vec::new();
        for f in &g.flags {
            flags.push(match (f, g.days_overdue) {
                (crate::framework::Flag::Purgatory, Some(days)) => {
                    format!("purgatory ({days} days past decision)")
                }
                (f, _) => f.as_str().to_string(),
            });
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            paint(
                color,
                AnsiColor::Magenta.on_default(),
                &format!("  [{}]", flags.join(", ")),
            )
        };
        let _ = writeln!(
            out,
            "{verdict} {:>3}  {:<12}  {most:<10}  {title:<width$}  {}{flags}",
            g.readiness,
            checks_to_ready(g),
            printable(&d.source)
        );
    }
    let diagnostics: Vec<&Diagnostic> = judged.diagnostics().collect();
    if !diagnostics.is_empty() {
        out.push('\n');
    }
    for d in &diagnostics {
        out.push_str(&render_diagnostic(d, color));
        out.push_str("\n\n");
    }
    let _ = framework;
    let p = &judged.portfolio;
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let _ = writeln!(
        out,
        "{} pilot{} as of {}: {} ready, {} at risk, {} not ready; {} in purgatory; {} error{}, {} warning{}",
        p.pilots,
        if p.pilots == 1 { "" } else { "s" },
        judged.as_of,
        p.verdict_count(Verdict::Ready),
        p.verdict_count(Verdict::AtRisk),
        p.verdict_count(Verdict::NotReady),
        p.purgatory,
        errors,
        if errors == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" },
    );
    out
}

/// `s` with every control character written as an escape (`\n`, `\r`,
/// `\t`, `\u{1b}`), for terminal output: a file name or value with a
/// newline must not start a line of its own, which CI runners would read as
/// a workflow command (`::error …`), and escape sequences must not drive
/// the terminal.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| c.escape_debug().to_string())
            .collect::<String>(),
    )
}

// ---------------------------------------------------------------- GitHub

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Why `check --fail-on` failed, for the terminal: every pilot whose
/// verdict is `level` or worse, with that verdict.
pub fn fail_on_summary(judged: &Judged, level: Verdict) -> String {
    let hits: Vec<_> = judged
        .pilots()
        .filter(|(_, g)| g.verdict >= level)
        .collect();
    let mut out = format!(
        "\n--fail-on {}: {} {} {} or worse:\n",
        level.as_str(),
        hits.len(),
        if hits.len() == 1 {
            "pilot is"
        } else {
            "pilots are"
        },
        level.as_str()
    );
    for (d, g) in hits {
        let _ = writeln!(out, "  {} ({}): {}", d.title, d.source, g.verdict.as_str());
    }
    out
}

/// GitHub workflow commands: one annotation per diagnostic, and one per
/// pilot whose verdict is at or beyond `fail_on`.
pub fn github(judged: &Judged, fail_on: Option<Verdict>) -> String {
    let mut out = String::new();
    for d in judged.diagnostics() {
        let kind = if d.is_error() { "error" } else { "warning" };
        let mut props = format!("file={}", escape_property(&d.source));
        if let Some(loc) = &d.location {
            let _ = write!(props, ",line={},col={}", loc.line, loc.column);
        }
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            let _ = write!(message, "\nhelp: {h}");
        }
        let _ = writeln!(
            out,
            "::{kind} {props},title=pilotscope {}::{}",
            escape_property(d.code.as_str()),
            escape_data(&message)
        );
    }
    if let Some(level) = fail_on {
        for (d, g) in judged.pilots() {
            if g.verdict >= level {
                let most = g.most_active.map_or_else(String::new, |m| {
                    format!("; most active mistake: {}", m.as_str())
                });
                let _ = writeln!(
                    out,
                    "::error file={},line=1,title=pilotscope verdict::{}",
                    escape_property(&d.source),
                    escape_data(&format!(
                        "{} is {} (readiness {}){most}",
                        d.title,
                        g.verdict.as_str(),
                        g.readiness
                    ))
                );
            }
        }
    }
    let p = &judged.portfolio;
    let _ = writeln!(
        out,
        "{} pilots: {} ready, {} at risk, {} not ready; {} errors",
        p.pilots,
        p.verdict_count(Verdict::Ready),
        p.verdict_count(Verdict::AtRisk),
        p.verdict_count(Verdict::NotReady),
        judged.error_count()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped_in_terminal_text() {
        assert_eq!(printable("content/a.md"), "content/a.md");
        assert_eq!(
            printable("x\n::error::y\r\u{1b}[2J\t"),
            "x\\n::error::y\\r\\u{1b}[2J\\t"
        );
    }

    #[test]
    fn github_messages_are_escaped() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
    }
}

// ---------------------------------------------------------------- CSV

/// A CSV field: quoted when needed, and with a leading `'` where a
/// spreadsheet would otherwise run it as a formula.
fn csv_field(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// `summary.csv`: one row per pilot.
pub fn csv(judged: &Judged, config: &crate::config::Config) -> String {
    use crate::dossier::schema::idx;
    let mut out = String::from(
        "id,title,business_unit,industry,stage,verdict,readiness,most_active,flags,framing,data,governance,change,metrics,budget,currency,decision_due,updated,source\n",
    );
    for (d, g) in judged.pilots() {
        let mut fields: Vec<String> = vec![
            d.id.clone(),
            d.title.clone(),
            d.text(idx::BUSINESS_UNIT).unwrap_or("").into(),
            d.text(idx::INDUSTRY).unwrap_or("").into(),
            d.stage.as_str().into(),
            g.verdict.as_str().into(),
            g.readiness.to_string(),
            g.most_active.map_or("", Mistake::as_str).into(),
            g.flags
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ];
        fields.extend(g.mistakes.iter().map(|m| m.status.as_str().to_string()));
        fields.push(
            d.budget()
                .map(crate::dossier::tree::format_number)
                .unwrap_or_default(),
        );
        fields.push(config.currency.clone());
        fields.push(d.decision_due().map(|x| x.to_string()).unwrap_or_default());
        fields.push(d.updated().map(|x| x.to_string()).unwrap_or_default());
        fields.push(d.source.clone());
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod csv_tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
