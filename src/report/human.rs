//! The terminal report of `check`, diagnostics with their source lines
//! (annotate-snippets), and text made safe for a terminal.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use crate::diagnostic::{Diagnostic, Level};
use crate::framework::{Diagnosis, Framework, Mistake, Verdict};
use crate::project::Judged;

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

/// A verdict in words, for people: `not_ready` stays in JSON.
pub fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "ready",
        Verdict::AtRisk => "at risk",
        Verdict::NotReady => "not ready",
    }
}

/// Where a dossier that cannot be read first goes wrong: its first error's
/// file, line and column (the file alone when the error has no place).
fn unreadable_at(e: &crate::project::Entry) -> String {
    match e.diagnostics.iter().find(|d| d.is_error()) {
        Some(d) => match &d.location {
            Some(l) => format!("{}:{}:{}", printable(&d.source), l.line, l.column),
            None => printable(&d.source).into_owned(),
        },
        None => printable(&e.file.source).into_owned(),
    }
}

/// The terminal report of `pilotscope check`: a table of every dossier in
/// path order under a header (a dossier that cannot be read has a line of
/// its own saying where), the diagnostics with their source lines, and a
/// summary that counts every dossier.
pub fn human(judged: &Judged, framework: &Framework, color: bool) -> String {
    let mut out = String::new();
    let width = judged
        .pilots()
        .map(|(d, _)| d.title.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(5, 48);
    if !judged.entries.is_empty() {
        let header = format!(
            "{:<9}  {:>9}  {:<11}  {:<11}  {:<width$}  Source",
            "Verdict", "Readiness", "To ready", "Most active", "Pilot"
        );
        let _ = writeln!(out, "{}", paint(color, Style::new().bold(), &header));
    }
    for e in &judged.entries {
        let Some((d, g)) = &e.judged else {
            let _ = writeln!(
                out,
                "{}",
                paint(
                    color,
                    AnsiColor::Red.on_default().bold(),
                    &format!("cannot be read: {}", unreadable_at(e))
                )
            );
            continue;
        };
        let verdict = paint(
            color,
            verdict_style(g.verdict),
            &format!("{:<9}", verdict_words(g.verdict)),
        );
        // A ready pilot has no mistake to name (report.json keeps
        // `most_active` as the contract defines it).
        let most = match g.verdict {
            Verdict::Ready => "-",
            _ => g.most_active.map_or("-", Mistake::as_str),
        };
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
            "{verdict}  {:>9}  {:<11}  {most:<11}  {title:<width$}  {}{flags}",
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
    out.push_str(&summary(judged, &diagnostics));
    out
}

/// The last line of `check`: every dossier counted, those that cannot be
/// read included.
fn summary(judged: &Judged, diagnostics: &[&Diagnostic]) -> String {
    let p = &judged.portfolio;
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = crate::words::plural;
    let dossiers = p.pilots + p.unread;
    let unread = match p.unread {
        0 => String::new(),
        n => format!("; {} cannot be read", plural(n, "dossier", "dossiers")),
    };
    format!(
        "{} as of {}: {} judged ({} ready, {} at risk, {} not ready; {} in purgatory){unread}; {}, {}\n",
        plural(dossiers, "dossier", "dossiers"),
        judged.as_of,
        plural(p.pilots, "pilot", "pilots"),
        p.verdict_count(Verdict::Ready),
        p.verdict_count(Verdict::AtRisk),
        p.verdict_count(Verdict::NotReady),
        p.purgatory,
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
    )
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

/// `s` with every `##[` broken by a word joiner (U+2060): GitHub's runner
/// obeys a workflow command in its older form (`##[error]…`,
/// `##[add-mask]…`, `##[stop-commands]…`) anywhere in a line of a job's
/// log, so text that carries a dossier's values, names or lines must never
/// hold one. The text reads the same on a terminal.
pub fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("##[") {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.replace("##[", "#\u{2060}#["))
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
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            d.title,
            d.source,
            verdict_words(g.verdict)
        );
    }
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
    fn the_older_workflow_command_form_is_broken_wherever_it_is() {
        assert_eq!(
            inert("title ##[error]forged"),
            "title #\u{2060}#[error]forged"
        );
        assert_eq!(inert("###[x]"), "##\u{2060}#[x]");
        assert_eq!(inert("# [x] #[y]"), "# [x] #[y]");
    }
}
