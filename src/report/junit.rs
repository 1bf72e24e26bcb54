//! `check --format junit`: JUnit XML, which CI systems show as test
//! results (GitLab, Jenkins, Azure, test-report actions).
//!
//! One test suite per dossier, named by its path relative to the
//! repository (as SARIF and the GitHub format name it); in it one test case
//! per check that applies at the pilot's stage, named by the check id, with
//! the file and line of the answer it reads. A check that fails or is
//! unanswered is a failure (an unanswered check counts as failing in the
//! framework too, so it is not skipped): its message is the `message`
//! attribute and the element's text, since GitLab shows the text and
//! Jenkins the attribute. A dossier that cannot be read is a suite whose
//! cases are its errors, one per error, named by their code. Nothing
//! records time, so the same input gives the same XML.
//!
//! Written by hand, not with a JUnit crate: the shape is a page of code,
//! and the escaping is the point. XML 1.0 has characters no escape can
//! carry (controls, U+FFFE, U+FFFF: one of them in a title made the whole
//! report unreadable), and a newline in an attribute is lost unless written
//! as `&#10;`. The output is checked against Jenkins' JUnit schema and
//! read back by junitparser in the tests (`tests/it/check_formats.rs`).

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;
use crate::framework::{Framework, Outcome};
use crate::project::Judged;

/// Whether XML 1.0 allows `c` in a document at all (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` as XML text or attribute value: markup escaped, line breaks and tabs
/// as character references (so attributes keep them), characters XML
/// cannot hold replaced by U+FFFD.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// One test case: a check of a pilot, or an error of a dossier.
struct Case<'a> {
    name: &'a str,
    classname: String,
    file: &'a str,
    line: usize,
    /// `failure` or `error`, with its type and message, when not passing.
    problem: Option<(&'static str, String, String)>,
}

struct Suite<'a> {
    name: &'a str,
    properties: Vec<(&'static str, &'a str)>,
    cases: Vec<Case<'a>>,
}

impl Suite<'_> {
    fn count(&self, kind: &str) -> usize {
        self.cases
            .iter()
            .filter(|c| c.problem.as_ref().is_some_and(|p| p.0 == kind))
            .count()
    }
}

fn error_case<'a>(diag: &'a Diagnostic, classname: &str) -> Case<'a> {
    let mut message = diag.to_string();
    if let Some(h) = &diag.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    Case {
        name: diag.code.as_str(),
        classname: classname.to_string(),
        file: &diag.source,
        line: diag.line().unwrap_or(1),
        problem: Some(("error", diag.code.as_str().to_string(), message)),
    }
}

fn suites<'a>(judged: &'a Judged, framework: &'a Framework) -> Vec<Suite<'a>> {
    let mut suites = Vec::with_capacity(judged.entries.len());
    for e in &judged.entries {
        let suite = match &e.judged {
            Some((d, g)) => Suite {
                name: &d.source,
                properties: vec![("title", d.title.as_str()), ("verdict", g.verdict.as_str())],
                cases: g
                    .checks
                    .iter()
                    .map(|c| {
                        let check = &framework.checks[c.check];
                        Case {
                            name: &check.id,
                            classname: format!("{}.{}", d.id, check.mistake.as_str()),
                            file: &d.source,
                            line: d.line_of(&check.condition.fields()),
                            problem: (c.outcome != Outcome::Pass).then(|| {
                                (
                                    "failure",
                                    format!("{} {}", c.severity.as_str(), c.outcome.as_str()),
                                    c.message(framework, d),
                                )
                            }),
                        }
                    })
                    .collect(),
            },
            None => Suite {
                name: &e.file.source,
                properties: Vec::new(),
                cases: e
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| error_case(d, &e.file.id))
                    .collect(),
            },
        };
        suites.push(suite);
    }
    suites
}

pub fn junit(judged: &Judged, framework: &Framework) -> String {
    let suites = suites(judged, framework);
    let total = |f: &dyn Fn(&Suite) -> usize| suites.iter().map(f).sum::<usize>();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"pilotscope\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        total(&|s| s.cases.len()),
        total(&|s| s.count("failure")),
        total(&|s| s.count("error")),
    );
    for s in &suites {
        let name = escape(s.name);
        let _ = writeln!(
            out,
            "    <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" file=\"{name}\">",
            s.cases.len(),
            s.count("failure"),
            s.count("error"),
        );
        if !s.properties.is_empty() {
            out.push_str("        <properties>\n");
            for (k, v) in &s.properties {
                let _ = writeln!(
                    out,
                    "            <property name=\"{k}\" value=\"{}\"/>",
                    escape(v)
                );
            }
            out.push_str("        </properties>\n");
        }
        for c in &s.cases {
            let _ = write!(
                out,
                "        <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                escape(c.name),
                escape(&c.classname),
                escape(c.file),
                c.line
            );
            match &c.problem {
                None => out.push_str("/>\n"),
                Some((kind, ty, message)) => {
                    let message = escape(message);
                    let _ = writeln!(
                        out,
                        ">\n            <{kind} message=\"{message}\" type=\"{}\">{message}</{kind}>\n        </testcase>",
                        escape(ty)
                    );
                }
            }
        }
        out.push_str("    </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_hold_become_the_replacement_character() {
        assert_eq!(
            escape("a\u{FFFE}b\u{FFFF}c\u{1}d"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d"
        );
    }

    #[test]
    fn line_breaks_survive_in_attributes() {
        assert_eq!(
            escape("one\ntwo\r\"<&>"),
            "one&#10;two&#13;&quot;&lt;&amp;&gt;"
        );
    }
}
