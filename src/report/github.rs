//! GitHub workflow commands: `check --format github`.

use std::fmt::Write as _;

use crate::framework::Verdict;
use crate::project::Judged;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// How many annotations of each kind GitHub shows for one step; the
/// rest it drops without a word.
pub const SHOWN_PER_KIND: usize = 10;

/// GitHub workflow commands: an annotation per diagnostic and per pilot
/// whose verdict is at or beyond `fail_on`, the most serious first (dossier
/// errors, then verdicts from the worst, then warnings), at most
/// [`SHOWN_PER_KIND`] errors and as many warnings, since GitHub shows no
/// more; a notice says how many were left out.
pub fn github(judged: &Judged, fail_on: Option<Verdict>) -> String {
    let mut errors: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
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
        let line = format!(
            "::{kind} {props},title=pilotscope {}::{}",
            escape_property(d.code.as_str()),
            escape_data(&message)
        );
        if d.is_error() {
            errors.push(line);
        } else {
            warnings.push(line);
        }
    }
    if let Some(level) = fail_on {
        let mut failing: Vec<_> = judged
            .pilots()
            .filter(|(_, g)| g.verdict >= level)
            .collect();
        // The worst verdict first; otherwise in path order.
        failing.sort_by_key(|(_, g)| std::cmp::Reverse(g.verdict));
        for (d, g) in failing {
            let most = g.most_active.map_or_else(String::new, |m| {
                format!("; most active mistake: {}", m.as_str())
            });
            errors.push(format!(
                "::error file={},line=1,title=pilotscope verdict::{}",
                escape_property(&d.source),
                escape_data(&format!(
                    "{} is {} (readiness {}){most}",
                    d.title,
                    g.verdict.as_str(),
                    g.readiness
                ))
            ));
        }
    }
    let mut out = String::new();
    for line in errors
        .iter()
        .take(SHOWN_PER_KIND)
        .chain(warnings.iter().take(SHOWN_PER_KIND))
    {
        out.push_str(line);
        out.push('\n');
    }
    let (more_errors, more_warnings) = (
        errors.len().saturating_sub(SHOWN_PER_KIND),
        warnings.len().saturating_sub(SHOWN_PER_KIND),
    );
    if more_errors + more_warnings > 0 {
        let _ = writeln!(
            out,
            "::notice title=pilotscope::{more_errors} more errors and {more_warnings} more warnings are not shown here: GitHub shows {SHOWN_PER_KIND} annotations of each kind per step. Run pilotscope check to see them all."
        );
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
    fn github_messages_are_escaped() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
    }
}
