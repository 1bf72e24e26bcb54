//! Reports of a judged portfolio for people and machines: the JSON report of
//! the contract, the terminal summary, GitHub workflow annotations, SARIF
//! (`sarif.rs`), GitLab Code Quality (`gitlab.rs`), JUnit XML (`junit.rs`), one line per finding (`short.rs`),
//! the CSV, the workbook (`workbook.rs`) and the decision calendar.
//!
//! Takes what `project` judged and turns it into text; it computes nothing
//! about pilots itself.

mod calendar;
mod csv;
pub mod findings;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;
mod short;
mod workbook;

pub use calendar::calendar;
pub use csv::csv;
pub use github::github;
pub use gitlab::gitlab;
pub use human::{fail_on_summary, human, inert, printable, render_diagnostic, verdict_style};
pub use json::{
    CheckJson, DossierJson, Dossiers, ErrorJson, MistakesJson, NextStageJson, ReportJson,
    dossier_json, json, report_json, write_json_compact,
};
pub use junit::junit;
pub use sarif::{MAX_RESULTS as SARIF_MAX_RESULTS, SarifLog, sarif};
pub use short::short;
pub use workbook::{HistoryRow, workbook};

/// `count` readable pilots, a third at each of three stages, for tests.
#[cfg(test)]
pub(crate) fn sample_judged(count: usize) -> crate::project::Judged {
    let texts: Vec<(String, String)> = (0..count)
        .map(|i| {
            let text = format!(
                "---\ntitle: Pilot \"{i}\"\nstage: {}\nstarted: 2026-01-01\nframing:\n  production_owner: Owner {i}\n---\n",
                ["pilot", "scaling", "proposed"][i % 3]
            );
            (format!("p{i:04}"), text)
        })
        .collect();
    crate::project::judged_from_texts(&texts)
}
