//! `check --format junit`: JUnit XML, which CI systems show as test
//! results (GitLab, Jenkins, Azure, test-report actions).
//!
//! One test suite per dossier, named by its path; in it one test case per
//! check that applies at the pilot's stage, named by the check id. A check
//! that fails or is unanswered is a failure with the check's message (an
//! unanswered check counts as failing in the framework too, so it is not
//! skipped). A dossier that cannot be read is a suite whose cases are its
//! errors, one per error, named by their code, with the place in the
//! message. Nothing records time, so the same input gives the same XML.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::framework::{Framework, Outcome};
use crate::project::Judged;

pub fn junit(judged: &Judged, framework: &Framework) -> String {
    let mut report = Report::new("pilotscope");
    for e in &judged.entries {
        let mut suite = TestSuite::new(e.file.source.as_str());
        match &e.judged {
            Some((d, g)) => {
                suite.add_property(("title", d.title.as_str()));
                suite.add_property(("verdict", g.verdict.as_str()));
                for c in &g.checks {
                    let check = &framework.checks[c.check];
                    let status = match c.outcome {
                        Outcome::Pass => TestCaseStatus::success(),
                        outcome => {
                            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                            s.set_message(c.message(framework, d)).set_type(format!(
                                "{} {}",
                                c.severity.as_str(),
                                outcome.as_str()
                            ));
                            s
                        }
                    };
                    let mut case = TestCase::new(check.id.as_str(), status);
                    case.set_classname(format!("{}.{}", d.id, check.mistake.as_str()));
                    suite.add_test_case(case);
                }
            }
            None => {
                for diag in e.diagnostics.iter().filter(|d| d.is_error()) {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(diag.to_string()).set_type(diag.code.as_str());
                    let mut case = TestCase::new(diag.code.as_str(), s);
                    case.set_classname(e.file.id.as_str());
                    suite.add_test_case(case);
                }
            }
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}
