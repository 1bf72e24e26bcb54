//! Reports of a judged portfolio for people and machines: the JSON report of
//! the contract, the terminal summary, GitHub workflow annotations, SARIF
//! (`sarif.rs`), JUnit XML (`junit.rs`), one line per finding (`short.rs`),
//! the CSV and the decision calendar.
//!
//! Takes what `project` judged and turns it into text; it computes nothing
//! about pilots itself.

mod calendar;
mod csv;
pub mod findings;
mod github;
mod human;
mod json;
mod junit;
mod sarif;
mod short;

pub use calendar::calendar;
pub use csv::csv;
pub use github::github;
pub use human::{fail_on_summary, human, inert, printable, render_diagnostic, verdict_style};
pub use json::{
    CheckJson, DossierJson, Dossiers, ErrorJson, MistakesJson, NextStageJson, ReportJson,
    dossier_json, json, report_json, write_json_compact,
};
pub use junit::junit;
pub use sarif::sarif;
pub use short::short;
