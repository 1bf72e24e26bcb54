//! Findings: every diagnostic and every failing check of a pilot, each
//! with a place in a file, a level and a rule, for the line-oriented and
//! code-scanning formats (`short`, SARIF).
//!
//! A failing check points at the first answer its condition reads, or at
//! the front matter's first line when none is given (an unanswered check
//! has no answer to point at).

use crate::diagnostic::{Diagnostic, Level};
use crate::framework::{Framework, Outcome, Severity};
use crate::project::Judged;

/// How much a finding matters, in the words SARIF and editors use.
///
/// The policy, one for every format that has levels (SARIF, `short`):
/// `error` is what makes `pilotscope check` fail, a dossier error; a
/// failing check is never an error, since the workflow `init` writes lets
/// a dossier with unanswered questions pass (its gate is errors and
/// regressions in `diff`), and code scanning must not fail where it passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingLevel {
    /// A diagnostic error.
    Error,
    /// A diagnostic warning, or a failing blocker or major check.
    Warning,
    /// A failing minor check.
    Note,
}

impl FindingLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingLevel::Error => "error",
            FindingLevel::Warning => "warning",
            FindingLevel::Note => "note",
        }
    }

    fn of_severity(s: Severity) -> FindingLevel {
        match s {
            Severity::Blocker | Severity::Major => FindingLevel::Warning,
            Severity::Minor => FindingLevel::Note,
        }
    }

    /// 0 for the most serious: the order a capped list keeps.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// What a finding is about: a diagnostic (by its code) or a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule<'a> {
    Code(crate::diagnostic::Code),
    /// A check of the framework, by its index in [`Framework::checks`].
    Check(usize, &'a str),
}

impl Rule<'_> {
    /// The rule's id: a diagnostic code or a check id.
    pub fn id(&self) -> &str {
        match self {
            Rule::Code(c) => c.as_str(),
            Rule::Check(_, id) => id,
        }
    }
}

/// One thing to look at, with its place.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    pub source: &'a str,
    /// 1-based; `None` for a problem no place in the file can be given for.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub level: FindingLevel,
    /// A failing check's severity at the pilot's stage; `None` for a
    /// diagnostic.
    pub severity: Option<Severity>,
    pub rule: Rule<'a>,
    /// The message, with the help after it when there is one.
    pub message: String,
}

fn of_diagnostic(d: &Diagnostic) -> Finding<'_> {
    Finding {
        source: &d.source,
        line: d.line(),
        column: d.column(),
        level: match d.level {
            Level::Error => FindingLevel::Error,
            Level::Warning => FindingLevel::Warning,
        },
        severity: None,
        rule: Rule::Code(d.code),
        message: match &d.help {
            Some(h) => format!("{} (help: {h})", d.message),
            None => d.message.clone(),
        },
    }
}

/// Every finding: the project's own diagnostics first, then per dossier in
/// path order its diagnostics and its failing checks.
pub fn findings<'a>(judged: &'a Judged, framework: &'a Framework) -> Vec<Finding<'a>> {
    let mut out: Vec<Finding> = judged.warnings.iter().map(of_diagnostic).collect();
    for e in &judged.entries {
        out.extend(e.diagnostics.iter().map(of_diagnostic));
        let Some((d, g)) = &e.judged else { continue };
        for c in g.checks.iter().filter(|c| c.outcome != Outcome::Pass) {
            let check = &framework.checks[c.check];
            out.push(Finding {
                source: &d.source,
                line: Some(d.line_of(&check.condition.fields())),
                column: Some(1),
                level: FindingLevel::of_severity(c.severity),
                severity: Some(c.severity),
                rule: Rule::Check(c.check, &check.id),
                message: format!("{} ({})", c.message(framework, d), c.severity.as_str()),
            });
        }
    }
    out
}
