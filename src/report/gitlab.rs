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

use super::findings::{FindingLevel, Rule, findings};
use crate::framework::Framework;
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
fn severity(level: FindingLevel, rule: &Rule) -> &'static str {
    match (rule, level) {
        (Rule::Check(..), FindingLevel::Error) => "blocker",
        (Rule::Check(..), FindingLevel::Warning) => "major",
        (Rule::Check(..), FindingLevel::Note) => "minor",
        (Rule::Code(_), FindingLevel::Error) => "critical",
        (Rule::Code(_), _) => "minor",
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
                severity: severity(f.level, &f.rule),
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

    #[test]
    fn severities_follow_the_checks_and_unreadable_dossiers_are_critical() {
        let check = Rule::Check(0, "framing.owner");
        assert_eq!(severity(FindingLevel::Error, &check), "blocker");
        assert_eq!(severity(FindingLevel::Warning, &check), "major");
        assert_eq!(severity(FindingLevel::Note, &check), "minor");
        let code = Rule::Code(Code::DossierDuplicateId);
        assert_eq!(severity(FindingLevel::Error, &code), "critical");
        assert_eq!(severity(FindingLevel::Warning, &code), "minor");
    }
}
