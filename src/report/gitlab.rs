//! `check --format gitlab`: GitLab's Code Quality report, the JSON array a
//! merge request's widget and its changes tab read (`artifacts: reports:
//! codequality:`).
//!
//! Every finding of [`findings`] is one issue, at its file (relative to
//! the repository, as `cli` shows paths for code scanning) and line. The
//! fingerprint is what GitLab compares between the base and the merge
//! request to say which issues are new and which were resolved, so it is
//! made from the file, the rule and the message, never from the line: an
//! answer moved down by an edit above it is the same issue.

use serde::Serialize;

use super::findings::{Finding, FindingLevel, findings};
use crate::framework::Framework;
use crate::framework::Severity;
use crate::project::Judged;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab's severity of a finding: a check's own (blocker, major, minor);
/// a dossier that cannot be read is critical, a warning minor.
fn severity(f: &Finding) -> &'static str {
    match (f.severity, f.level) {
        (Some(Severity::Blocker), _) => "blocker",
        (Some(Severity::Major), _) => "major",
        (Some(Severity::Minor), _) => "minor",
        (None, FindingLevel::Error) => "critical",
        (None, _) => "minor",
    }
}

/// The Code Quality report of a judged portfolio.
pub fn gitlab(judged: &Judged, framework: &Framework) -> String {
    let found = findings(judged, framework);
    let issues: Vec<Issue> = found
        .iter()
        .map(|f| {
            let key = format!("{}\0{}\0{}", f.source, f.rule.id(), f.message);
            Issue {
                description: f.message.clone(),
                check_name: f.rule.id(),
                fingerprint: format!("{:032x}", xxhash_rust::xxh3::xxh3_128(key.as_bytes())),
                severity: severity(f),
                location: Location {
                    path: f.source,
                    lines: Lines {
                        begin: f.line.unwrap_or(1).max(1),
                    },
                },
            }
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::report::findings::Rule;

    #[test]
    fn severities_follow_the_checks_and_unreadable_dossiers_are_critical() {
        let of = |severity, level, rule| Finding {
            source: "content/a.md",
            line: Some(1),
            column: Some(1),
            level,
            severity,
            rule,
            message: String::new(),
        };
        let check = || Rule::Check(0, "framing.owner");
        // A blocker is a warning in SARIF (the levels' policy) but still a
        // blocker here.
        let blocker = of(Some(Severity::Blocker), FindingLevel::Warning, check());
        assert_eq!(severity(&blocker), "blocker");
        let major = of(Some(Severity::Major), FindingLevel::Warning, check());
        assert_eq!(severity(&major), "major");
        let minor = of(Some(Severity::Minor), FindingLevel::Note, check());
        assert_eq!(severity(&minor), "minor");
        let code = || Rule::Code(Code::DossierDuplicateId);
        assert_eq!(severity(&of(None, FindingLevel::Error, code())), "critical");
        assert_eq!(severity(&of(None, FindingLevel::Warning, code())), "minor");
    }
}
