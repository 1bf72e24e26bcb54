//! The dossier format as data: every known key, its kind, and the question it
//! answers.
//!
//! This table is the single source of truth for the format. Reading uses it to
//! check shapes and suggest misspelled keys, the framework resolves the fields
//! its checks read against it, `pilotscope new` writes a dossier from it and
//! `pilotscope schema` turns it into a JSON Schema. It holds no logic.

/// What shape an answer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A non-empty string; numbers are accepted and kept as written.
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// A number from 0 to 1, or a percentage string such as `"82%"`.
    Share,
    /// A number, zero or more.
    Number,
    /// `true` or `false`.
    Bool,
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// A list of text items.
    TextList,
    /// Text or a number (`throughput: 1,200 invoices a day` or `1200`).
    TextOrNumber,
    /// `data.known_gaps`: a list of `{gap, addressed}`.
    Gaps,
    /// `metrics.business`: a list of business KPIs.
    Kpis,
}

pub const STAGES: &[&str] = &[
    "proposed",
    "pilot",
    "scaling",
    "production",
    "paused",
    "abandoned",
];
pub const LED_BY: &[&str] = &["business", "it", "vendor"];
pub const SUCCESS: &[&str] = &["business_outcome", "accuracy", "demo"];
pub const SOURCES: &[&str] = &[
    "production",
    "production_sample",
    "historical_extract",
    "curated",
    "synthetic",
];
pub const TRAINING: &[&str] = &["real_scenarios", "generic", "none"];
pub const DIRECTIONS: &[&str] = &["lower", "higher"];

/// One known key of the format.
#[derive(Debug)]
pub struct FieldSpec {
    /// Dotted path from the top of the front matter: `framing.production_owner`.
    pub path: &'static str,
    pub kind: Kind,
    /// A short name of the answer in words, for evidence on the pages:
    /// `Production owner`, `Data completeness`.
    pub label: &'static str,
    /// The question this answer answers, as asked of the pilot team.
    pub question: &'static str,
}

impl FieldSpec {
    /// The last part of the path: the key as written in the dossier.
    pub fn key(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }

    /// The section the key lives in (`framing`, `metrics.technical`), or `""`.
    pub fn section(&self) -> &'static str {
        self.path.rfind('.').map_or("", |i| &self.path[..i])
    }
}

macro_rules! fields {
    ($( $path:literal : $kind:expr, $label:literal => $question:literal ),* $(,)?) => {
        /// Every known key, in the order of the format.
        pub const FIELDS: &[FieldSpec] = &[ $( FieldSpec { path: $path, kind: $kind, label: $label, question: $question } ),* ];
    };
}

use Kind::*;

fields! {
    "title": Text, "Title" => "What is the pilot called?",
    "summary": Text, "Summary" => "In one line, what does the pilot do?",
    "business_unit": Text, "Business unit" => "Which business unit runs it?",
    "industry": Text, "Industry" => "Which industry is the business unit in?",
    "stage": Choice(STAGES), "Stage" => "Where is the pilot now: proposed, pilot, scaling, production, paused or abandoned?",
    "started": Date, "Start of work" => "On what date did pilot work begin?",
    "decision_due": Date, "Go / no-go decision" => "When is the go / no-go decision due?",
    "budget": Number, "Budget" => "How much money is committed to it?",
    "updated": Date, "Last review of the answers" => "When were these answers last reviewed?",
    "assessed_by": Text, "Assessed by" => "Who answered these questions?",
    "tags": TextList, "Tags" => "Which tags group it with other pilots?",

    "framing.production_owner": Text, "Production owner" => "Which business leader is accountable for the results once the pilot ends?",
    "framing.owner_named_on": Date, "The production owner's naming" => "On what date was the production owner named?",
    "framing.executive_sponsor": Text, "Executive sponsor" => "Which executive sponsors the change?",
    "framing.led_by": Choice(LED_BY), "Led by" => "Who leads the pilot: the business, IT or a vendor?",
    "framing.process_change": Text, "Process that changes" => "Which way of working changes if the pilot succeeds?",
    "framing.acceptance_criteria": TextList, "Acceptance criteria" => "Which business acceptance criteria must the pilot meet?",
    "framing.success_defined_as": Choice(SUCCESS), "Success is defined as" => "Is success defined as a business outcome, as accuracy, or as a demo?",
    "framing.integration_plan": Text, "Integration plan" => "How will the system fit into the tools people already use?",
    "framing.rollback_plan": Text, "Way back" => "How does the business switch back if the system misbehaves?",

    "data.source": Choice(SOURCES), "The pilot's data" => "What data does the pilot run on: production, a production sample, a historical extract, curated or synthetic data?",
    "data.includes_edge_cases": Bool, "Bad records and exceptions in the data" => "Does the pilot's data include bad records and manual exceptions?",
    "data.completeness": Share, "Data completeness" => "What share of records have every required field populated?",
    "data.consistency": Share, "Data consistency" => "What share of records are in consistent formats across sources and sites?",
    "data.exception_rate": Share, "Records needing manual handling" => "What share of records need manual handling?",
    "data.audited_on": Date, "The data audit" => "On what date was the data audited?",
    "data.known_gaps": Gaps, "Known data gaps" => "Which known data gaps are there, and is each addressed?",

    "governance.owner": Text, "System owner" => "Who is accountable for the system's output in production?",
    "governance.reviewer": Text, "Performance reviewer" => "Who watches its performance and flags degradation?",
    "governance.review_cadence": Text, "Review cadence" => "How often is its performance reviewed?",
    "governance.exception_protocol": Text, "Exception protocol" => "What happens to cases the system cannot handle or gets wrong?",
    "governance.refresh_cadence": Text, "Refresh cadence" => "How often are its data and logic updated?",
    "governance.defined_on": Date, "Governance agreed on" => "On what date was the governance model agreed?",
    "governance.handoff_plan": Text, "Handoff plan" => "How does IT or the vendor hand the system over to the business?",

    "change.affected_roles": TextList, "Affected roles" => "Which roles must change how they work?",
    "change.users_involved": Bool, "Users helped set the criteria" => "Did the affected roles help set the evaluation criteria?",
    "change.communicated_on": Date, "Users told on" => "On what date were users told what changes and why?",
    "change.training": Choice(TRAINING), "Training" => "Is training on real scenarios, generic, or none?",
    "change.escalation_path": Text, "Escalation path" => "Whom do users turn to when the system gets something wrong?",
    "change.feedback_loop": Bool, "User feedback collected and acted on" => "Is structured feedback from users collected and acted on?",
    "change.adoption_rate": Share, "Adoption" => "What share of eligible work goes through the system?",

    "metrics.technical.accuracy": Share, "Accuracy" => "How accurate is it against a labelled test set?",
    "metrics.technical.exception_rate": Share, "Cases handed back as exceptions" => "What share of cases does it hand back as exceptions?",
    "metrics.technical.throughput": TextOrNumber, "Throughput" => "How much work does it handle, and in what time?",
    "metrics.business": Kpis, "Business KPIs" => "Which business KPIs will show the result, each with a baseline and a target?",
    "metrics.thresholds_agreed_on": Date, "KPI targets agreed on" => "On what date were the KPI targets agreed?",
}

/// The sections of the front matter that hold nested answers.
pub const SECTIONS: &[&str] = &[
    "framing",
    "data",
    "governance",
    "change",
    "metrics",
    "metrics.technical",
];

/// Keys of one entry of `data.known_gaps`.
pub const GAP_KEYS: &[(&str, Kind)] = &[("gap", Text), ("addressed", Bool)];

/// Keys of one business KPI in `metrics.business`.
pub const KPI_KEYS: &[(&str, Kind)] = &[
    ("name", Text),
    ("unit", Text),
    ("baseline", Number),
    ("target", Number),
    ("direction", Choice(DIRECTIONS)),
    ("actual", Number),
    ("owner", Text),
];

/// The index of a field in [`FIELDS`], by its dotted path.
pub fn field_index(path: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.path == path)
}

/// The known keys directly inside `section` (`""` for the top level),
/// sub-sections included.
pub fn keys_in(section: &str) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = FIELDS
        .iter()
        .filter(|f| f.section() == section)
        .map(|f| f.key())
        .collect();
    for s in SECTIONS {
        let parent = s.rfind('.').map_or("", |i| &s[..i]);
        if parent == section {
            keys.push(s.rsplit('.').next().unwrap_or(s));
        }
    }
    keys
}

/// Field indices, resolved once, for the answers the reader and the site
/// use by name. Their positions in [`FIELDS`] are checked by a unit test.
pub mod idx {
    pub const TITLE: usize = 0;
    pub const SUMMARY: usize = 1;
    pub const BUSINESS_UNIT: usize = 2;
    pub const INDUSTRY: usize = 3;
    pub const STAGE: usize = 4;
    pub const STARTED: usize = 5;
    pub const DECISION_DUE: usize = 6;
    pub const BUDGET: usize = 7;
    pub const UPDATED: usize = 8;
    pub const ASSESSED_BY: usize = 9;
    pub const TAGS: usize = 10;
    pub const PRODUCTION_OWNER: usize = 11;
    pub const EXECUTIVE_SPONSOR: usize = 13;
    pub const LED_BY: usize = 14;
    pub const GOVERNANCE_OWNER: usize = 27;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_indices_point_at_their_fields() {
        let named = [
            (idx::TITLE, "title"),
            (idx::SUMMARY, "summary"),
            (idx::BUSINESS_UNIT, "business_unit"),
            (idx::INDUSTRY, "industry"),
            (idx::STAGE, "stage"),
            (idx::STARTED, "started"),
            (idx::DECISION_DUE, "decision_due"),
            (idx::BUDGET, "budget"),
            (idx::UPDATED, "updated"),
            (idx::ASSESSED_BY, "assessed_by"),
            (idx::TAGS, "tags"),
            (idx::PRODUCTION_OWNER, "framing.production_owner"),
            (idx::EXECUTIVE_SPONSOR, "framing.executive_sponsor"),
            (idx::LED_BY, "framing.led_by"),
            (idx::GOVERNANCE_OWNER, "governance.owner"),
        ];
        for (i, path) in named {
            assert_eq!(FIELDS[i].path, path);
        }
    }

    #[test]
    fn sections_list_their_keys_and_subsections() {
        assert!(keys_in("metrics").contains(&"technical"));
        assert!(keys_in("").contains(&"governance"));
        assert!(keys_in("metrics.technical").contains(&"throughput"));
    }
}
