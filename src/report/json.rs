//! The JSON report of the contract (`check --format json`, the site's
//! `report.json`), serialized one pilot at a time.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Level};
use crate::framework::{Diagnosis, Framework, Mistake, MistakeResult, Verdict};
use crate::project::Judged;

#[derive(Serialize)]
pub struct ReportJson<'a> {
    pub as_of: String,
    pub dossiers: Dossiers<'a>,
    pub errors: Vec<ErrorJson<'a>>,
    /// How many dossiers could not be read: they are in `errors`, not in
    /// `dossiers`, and no figure of `portfolio` counts them.
    pub unread: usize,
    pub warnings: Vec<ErrorJson<'a>>,
    pub portfolio: &'a crate::portfolio::Portfolio,
}

/// The report of every judged pilot, made one at a time as it is
/// serialized: a report of 10,000 pilots is never held whole in memory.
pub struct Dossiers<'a> {
    judged: &'a Judged,
    framework: &'a Framework,
}

impl Serialize for Dossiers<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.judged
                .pilots()
                .map(|(d, g)| dossier_json(d, g, self.framework)),
        )
    }
}

#[derive(Serialize)]
pub struct DossierJson<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub title: &'a str,
    pub stage: &'static str,
    pub verdict: Verdict,
    pub readiness: u32,
    pub most_active: Option<Mistake>,
    pub flags: Vec<&'static str>,
    pub mistakes: MistakesJson,
    pub checks: Vec<CheckJson<'a>>,
    /// The fewest failing checks whose passing makes the pilot `ready`.
    pub path_to_ready: Vec<&'a str>,
    /// The same answers judged at the next stage.
    pub next_stage: Option<NextStageJson<'a>>,
}

#[derive(Serialize)]
pub struct NextStageJson<'a> {
    pub stage: &'static str,
    pub verdict: Verdict,
    pub readiness: u32,
    pub blockers: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct MistakesJson {
    pub framing: MistakeResult,
    pub data: MistakeResult,
    pub governance: MistakeResult,
    pub change: MistakeResult,
    pub metrics: MistakeResult,
}

#[derive(Serialize)]
pub struct CheckJson<'a> {
    pub id: &'a str,
    pub mistake: Mistake,
    pub severity: &'static str,
    pub outcome: &'static str,
    pub message: String,
}

#[derive(Serialize)]
pub struct ErrorJson<'a> {
    pub code: crate::diagnostic::Code,
    pub source: &'a str,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

fn error_json(d: &Diagnostic) -> ErrorJson<'_> {
    let message = match &d.help {
        Some(h) => format!("{} (help: {h})", d.message),
        None => d.message.clone(),
    };
    ErrorJson {
        code: d.code,
        source: &d.source,
        line: d.line(),
        column: d.column(),
        message,
    }
}

/// The report of one pilot.
pub fn dossier_json<'a>(
    d: &'a crate::dossier::Dossier,
    g: &'a Diagnosis,
    framework: &'a Framework,
) -> DossierJson<'a> {
    let [framing, data, governance, change, metrics] = g.mistakes;
    DossierJson {
        id: &d.id,
        source: &d.source,
        title: &d.title,
        stage: d.stage.as_str(),
        verdict: g.verdict,
        readiness: g.readiness,
        most_active: g.most_active,
        flags: g.flags.iter().map(|f| f.as_str()).collect(),
        mistakes: MistakesJson {
            framing,
            data,
            governance,
            change,
            metrics,
        },
        checks: g
            .checks
            .iter()
            .map(|c| {
                let check = &framework.checks[c.check];
                CheckJson {
                    id: &check.id,
                    mistake: check.mistake,
                    severity: c.severity.as_str(),
                    outcome: c.outcome.as_str(),
                    message: c.message(framework, d),
                }
            })
            .collect(),
        path_to_ready: g
            .path_to_ready
            .iter()
            .map(|i| framework.checks[*i].id.as_str())
            .collect(),
        next_stage: g.next_stage.as_ref().map(|n| NextStageJson {
            stage: n.stage.as_str(),
            verdict: n.verdict,
            readiness: n.readiness,
            blockers: n
                .blockers
                .iter()
                .map(|i| framework.checks[*i].id.as_str())
                .collect(),
        }),
    }
}

pub fn report_json<'a>(judged: &'a Judged, framework: &'a Framework) -> ReportJson<'a> {
    ReportJson {
        as_of: judged.as_of.to_string(),
        dossiers: Dossiers { judged, framework },
        errors: judged
            .diagnostics()
            .filter(|d| d.level == Level::Error)
            .map(error_json)
            .collect(),
        unread: judged.portfolio.unread,
        warnings: judged
            .diagnostics()
            .filter(|d| d.level == Level::Warning)
            .map(error_json)
            .collect(),
        portfolio: &judged.portfolio,
    }
}

/// The JSON report, pretty-printed, with a final newline (what `check
/// --format json` prints).
pub fn json(judged: &Judged, framework: &Framework) -> String {
    let mut s = serde_json::to_string_pretty(&report_json(judged, framework)).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes the JSON report to `out`, compact (one line, then a newline): the
/// site's `report.json`, which is for programs and at 10,000 pilots is
/// about half the size of the pretty-printed one.
///
/// The same bytes as `serde_json::to_writer` of [`report_json`] (a test
/// holds them equal), with the pilots serialized on every core, a few
/// hundred at a time, and written in order.
pub fn write_json_compact(
    out: &mut dyn std::io::Write,
    judged: &Judged,
    framework: &Framework,
) -> std::io::Result<()> {
    let r = report_json(judged, framework);
    let pilots: Vec<_> = judged.pilots().collect();
    out.write_all(b"{\"as_of\":")?;
    serde_json::to_writer(&mut *out, &r.as_of)?;
    out.write_all(b",\"dossiers\":[")?;
    crate::pieces::write_in_order(out, &pilots, 256, b",", |chunk| {
        let mut buf = Vec::with_capacity(chunk.len() * 6_000);
        for (i, (d, g)) in chunk.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            serde_json::to_writer(&mut buf, &dossier_json(d, g, framework))?;
        }
        Ok::<_, std::io::Error>(buf)
    })?;
    out.write_all(b"],\"errors\":")?;
    serde_json::to_writer(&mut *out, &r.errors)?;
    write!(out, ",\"unread\":{},\"warnings\":", r.unread)?;
    serde_json::to_writer(&mut *out, &r.warnings)?;
    out.write_all(b",\"portfolio\":")?;
    serde_json::to_writer(&mut *out, &r.portfolio)?;
    out.write_all(b"}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_report_written_in_pieces_is_serde_jsons_bytes() {
        let fw = Framework::builtin();
        // None, one, and more than one group of pieces on every core.
        for count in [0, 1, 700, 2_100] {
            let j = crate::report::sample_judged(count);
            let mut written = Vec::new();
            write_json_compact(&mut written, &j, &fw).unwrap();
            let mut expected = serde_json::to_vec(&report_json(&j, &fw)).unwrap();
            expected.push(b'\n');
            assert!(
                written == expected,
                "{count} pilots: the report differs from serde_json's"
            );
        }
    }
}
