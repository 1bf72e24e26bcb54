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
    fn github_messages_are_escaped() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
    }
}
