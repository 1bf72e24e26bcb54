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
//!
//! What GitHub code scanning asks beyond the schema (checked with
//! Microsoft's SARIF validator and its GitHub rules in the tests): every
//! rule has a `fullDescription` and help; a check with no remedy of its
//! own gets its mistake's fix; rules link to the framework page of the
//! published site when `base_url` is set; every result has
//! `partialFingerprints`, so an alert keeps its identity when lines move;
//! a run holds at most [`MAX_RESULTS`] results (GitHub refuses more), the
//! most serious first, and says in its properties and a notification how
//! many were left out.
//!
//! Levels follow the policy of [`super::findings`]: `error` only for what
//! makes `pilotscope check` fail (a dossier error), `warning` for a failing
//! blocker or major check, `note` for a failing minor one, so code scanning
//! fails where the workflow's gate fails and nowhere else.

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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation>,
    /// Our columns count characters, not UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RunProperties>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    /// Results not in the run, past [`MAX_RESULTS`].
    results_left_out: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
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
    full_description: Text,
    help: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
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
    partial_fingerprints: Fingerprints,
}

#[derive(Serialize)]
struct Fingerprints {
    /// The rule, the file and (for diagnostics, of which a file may have
    /// several of one code) the message, hashed: not the line, so that an
    /// alert is the same alert after lines above it move.
    #[serde(rename = "pilotscope/v1")]
    v1: String,
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

/// The most results GitHub code scanning accepts in one run.
pub const MAX_RESULTS: usize = 25_000;

/// A SARIF log and how many results it left out past [`MAX_RESULTS`].
pub struct SarifLog {
    pub text: String,
    pub left_out: usize,
}

/// The SARIF log of a judged portfolio, pretty-printed, with a final
/// newline. `base_url` is the published site's address (may be empty).
pub fn sarif(judged: &Judged, framework: &Framework, base_url: &str) -> SarifLog {
    sarif_capped(judged, framework, base_url, MAX_RESULTS)
}

fn sarif_capped(judged: &Judged, framework: &Framework, base_url: &str, cap: usize) -> SarifLog {
    let base = base_url.trim_end_matches('/');
    let mut rules: Vec<ReportingDescriptor> = framework
        .checks
        .iter()
        .map(|c| {
            let mistake = framework.mistake(c.mistake);
            let help = if c.remedy.is_empty() {
                format!("{} ({}: {})", mistake.fix, mistake.name, mistake.summary)
            } else {
                c.remedy.clone()
            };
            ReportingDescriptor {
                id: &c.id,
                short_description: text(&c.title),
                full_description: text(format!(
                    "{} The dossier answers: {}",
                    mistake.summary, c.question
                )),
                help: text(help),
                help_uri: (!base.is_empty())
                    .then(|| format!("{base}/framework/#{}", c.mistake.as_str())),
                properties: Properties {
                    tags: vec!["check", c.mistake.as_str()],
                },
            }
        })
        .collect();
    let checks = rules.len();
    rules.extend(Code::ALL.iter().map(|c| ReportingDescriptor {
        id: c.as_str(),
        short_description: text(c.summary()),
        full_description: text(format!(
            "{} A problem pilotscope found while reading the project, with the file and place it is in; the message says what was expected and what was found.",
            c.summary()
        )),
        help: text(format!(
            "The message's help says what to change. Every code is listed in docs/diagnostics.md of pilotscope ({}).",
            c.as_str()
        )),
        help_uri: None,
        properties: Properties {
            tags: vec!["diagnostic"],
        },
    }));
    let mut found = findings(judged, framework);
    // The most serious first, so that a capped run keeps them.
    found.sort_by_key(|f| f.level.rank());
    let left_out = found.len().saturating_sub(cap);
    found.truncate(cap);
    let results = found
        .into_iter()
        .map(|f| {
            let uri = percent_encoding::utf8_percent_encode(f.source, URI).to_string();
            let fingerprint = match f.rule {
                Rule::Check(..) => {
                    xxhash_rust::xxh3::xxh3_64(format!("{}\0{}", f.rule.id(), f.source).as_bytes())
                }
                Rule::Code(_) => xxhash_rust::xxh3::xxh3_64(
                    format!("{}\0{}\0{}", f.rule.id(), f.source, f.message).as_bytes(),
                ),
            };
            SarifResult {
                rule_id: f.rule.id().to_string(),
                rule_index: match f.rule {
                    Rule::Check(i, _) => i,
                    Rule::Code(c) => checks + Code::ALL.iter().position(|x| *x == c).unwrap_or(0),
                },
                level: f.level.as_str(),
                message: text(f.message),
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri },
                        region: f.line.map(|line| Region {
                            start_line: line,
                            start_column: f.column.unwrap_or(1),
                        }),
                    },
                }],
                partial_fingerprints: Fingerprints {
                    v1: format!("{fingerprint:016x}"),
                },
            }
        })
        .collect();
    let (invocations, properties) = if left_out == 0 {
        (Vec::new(), None)
    } else {
        (
            vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: vec![Notification {
                    level: "warning",
                    message: text(format!(
                        "{left_out} results were left out, the least serious ones: code scanning accepts at most {cap} in one run. `pilotscope check` lists them all."
                    )),
                }],
            }],
            Some(RunProperties {
                results_left_out: left_out,
            }),
        )
    };
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
            invocations,
            column_kind: "unicodeCodePoints",
            results,
            properties,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    SarifLog { text: s, left_out }
}
