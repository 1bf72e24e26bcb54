//! `check --format sarif`: SARIF 2.1.0, the format code scanning reads
//! (GitHub's `upload-sarif`, editors' SARIF viewers).
//!
//! One run; its tool's rules are the framework's checks and then every
//! diagnostic code, so a result's `ruleIndex` finds its rule. Results are
//! the findings of [`super::findings`]: diagnostics at their place, failing
//! checks at the answer they read. Paths are the ones the terminal and the
//! GitHub format show (relative to the repository in CI). Written with
//! plain serde structs: the subset used here is small, and the crates that
//! type all of SARIF bring a code generator into the build.

use serde::Serialize;

use super::findings::{Rule, findings};
use crate::diagnostic::Code;
use crate::framework::Framework;
use crate::project::Judged;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    /// Our columns count characters, not UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text>,
    properties: Properties<'a>,
}

#[derive(Serialize)]
struct Properties<'a> {
    tags: Vec<&'a str>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
}

/// Characters that cannot stand as they are in a relative URI reference.
const URI: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn text(s: impl Into<String>) -> Text {
    Text { text: s.into() }
}

/// The SARIF log of a judged portfolio, pretty-printed, with a final
/// newline.
pub fn sarif(judged: &Judged, framework: &Framework) -> String {
    let mut rules: Vec<ReportingDescriptor> = framework
        .checks
        .iter()
        .map(|c| ReportingDescriptor {
            id: &c.id,
            short_description: text(&c.title),
            full_description: Some(text(&c.question)),
            help: (!c.remedy.is_empty()).then(|| text(&c.remedy)),
            properties: Properties {
                tags: vec!["check", c.mistake.as_str()],
            },
        })
        .collect();
    let checks = rules.len();
    rules.extend(Code::ALL.iter().map(|c| ReportingDescriptor {
        id: c.as_str(),
        short_description: text(c.summary()),
        full_description: None,
        help: Some(text("see docs/diagnostics.md in pilotscope's repository")),
        properties: Properties {
            tags: vec!["diagnostic"],
        },
    }));
    let results = findings(judged, framework)
        .into_iter()
        .map(|f| SarifResult {
            rule_id: f.rule.id().to_string(),
            rule_index: match f.rule {
                Rule::Check(i, _) => i,
                Rule::Code(c) => checks + Code::ALL.iter().position(|x| *x == c).unwrap_or(0),
            },
            level: f.level.as_str(),
            message: text(f.message),
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: percent_encoding::utf8_percent_encode(f.source, URI).to_string(),
                    },
                    region: f.line.map(|line| Region {
                        start_line: line,
                        start_column: f.column.unwrap_or(1),
                    }),
                },
            }],
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "pilotscope",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}
