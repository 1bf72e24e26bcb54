//! `pilotscope diff`: what changed in the diagnoses between two revisions.
//!
//! Each side is judged whole, with the current framework and configuration
//! and one as-of date for both, so that only what the dossiers say makes a
//! difference: a commit's dossiers are read from git, the working tree's
//! from disk.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use gix::ObjectId;
use jiff::civil::Date;
use rayon::prelude::*;
use serde_json::{Value, json};

use super::git::{Missing, Repo};
use crate::framework::{Framework, Mistake, Verdict};
use crate::project::Project;

/// One side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Commit(ObjectId),
    WorkTree,
}

impl Side {
    fn name(self) -> String {
        match self {
            Side::Commit(id) => id.to_string(),
            Side::WorkTree => "working-tree".into(),
        }
    }

    fn short(self) -> String {
        match self {
            Side::Commit(id) => id.to_hex_with_len(7).to_string(),
            Side::WorkTree => "the working tree".into(),
        }
    }
}

/// A pilot as judged on one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub title: String,
    pub source: String,
    pub verdict: Option<Verdict>,
    pub readiness: Option<u32>,
    pub most_active: Option<Mistake>,
    pub error: Option<String>,
    /// Check id to outcome.
    pub checks: BTreeMap<String, &'static str>,
}

/// What happened to one pilot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PilotChange {
    pub id: String,
    pub before: Option<State>,
    pub after: Option<State>,
    /// `(check, before, after)`, for checks whose outcome changed.
    pub checks: Vec<(String, &'static str, &'static str)>,
}

impl PilotChange {
    pub fn change(&self) -> &'static str {
        match (&self.before, &self.after) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        }
    }

    fn source(&self) -> &str {
        self.after
            .as_ref()
            .or(self.before.as_ref())
            .map_or("", |s| s.source.as_str())
    }

    /// The title of the side that could be read, the newer first.
    fn title(&self) -> &str {
        [&self.after, &self.before]
            .into_iter()
            .flatten()
            .find(|s| s.error.is_none())
            .map_or(self.id.as_str(), |s| s.title.as_str())
    }

    /// The verdict got worse.
    pub fn verdict_worse(&self) -> bool {
        matches!((&self.before, &self.after),
            (Some(b), Some(a)) if matches!((b.verdict, a.verdict), (Some(x), Some(y)) if y > x))
    }

    /// Readiness dropped.
    pub fn readiness_dropped(&self) -> bool {
        matches!((&self.before, &self.after),
            (Some(b), Some(a)) if matches!((b.readiness, a.readiness), (Some(x), Some(y)) if y < x))
    }

    /// A read error that was not there before.
    pub fn new_error(&self) -> bool {
        self.after.as_ref().is_some_and(|a| a.error.is_some())
            && self.before.as_ref().is_none_or(|b| b.error.is_none())
    }

    /// What `--fail-on regression` fails on.
    pub fn is_regression(&self) -> bool {
        self.verdict_worse() || self.readiness_dropped() || self.new_error()
    }

    /// Most serious first: new errors, worse verdicts, lower readiness,
    /// removals, other changes, additions, improvements.
    fn rank(&self) -> u8 {
        if self.new_error() {
            0
        } else if self.verdict_worse() {
            1
        } else if self.readiness_dropped() {
            2
        } else if self.after.is_none() {
            3
        } else if self.before.is_none() {
            5
        } else if matches!((&self.before, &self.after),
            (Some(b), Some(a)) if a.verdict < b.verdict || a.readiness > b.readiness || (b.error.is_some() && a.error.is_none()))
        {
            6
        } else {
            4
        }
    }
}

/// The comparison of two revisions.
#[derive(Debug, Clone)]
pub struct Diff {
    pub base: Side,
    pub head: Side,
    /// Most serious first, then by id.
    pub pilots: Vec<PilotChange>,
}

impl Diff {
    pub fn has_regression(&self) -> bool {
        self.pilots.iter().any(PilotChange::is_regression)
    }
}

/// Why a diff cannot be made.
pub fn missing(m: &Missing) -> String {
    match m {
        Missing::NoRepository => {
            "`diff` compares revisions of a git repository, and this project is not in one".into()
        }
        Missing::Shallow => "this is a shallow clone: `diff` needs the history of both revisions \
                             (in GitHub Actions: `fetch-depth: 0` on actions/checkout)"
            .into(),
        Missing::NoCommit => "the repository has no commit yet".into(),
        Missing::Broken(e) => format!("the git repository cannot be read ({e})"),
    }
}

/// Resolves `base` and `head` (`None`: the merge base with the default
/// branch, and the working tree) and compares them.
pub fn run(
    project: &Project,
    base: Option<&str>,
    head: Option<&str>,
    as_of: Date,
) -> Result<Diff, String> {
    let repo = Repo::open(
        &project.root,
        &project.config.content_dir,
        &project.config.faq,
    )
    .map_err(|m| missing(&m))?;
    let head_side = match head {
        Some(spec) => Side::Commit(repo.resolve(spec)?),
        None => Side::WorkTree,
    };
    let base_id = match base {
        Some(spec) => repo.resolve(spec)?,
        None => {
            let tip = match head_side {
                Side::Commit(id) => id,
                Side::WorkTree => repo.head().map_err(|m| missing(&m))?,
            };
            let Some(default) = repo.default_branch() else {
                return Err("no default branch (origin/HEAD, origin/main, main or master) to compare with: name the base, as in `pilotscope diff origin/main`".into());
            };
            repo.merge_base(tip, default)?.ok_or_else(|| {
                "HEAD and the default branch have no commit in common: name the base".to_string()
            })?
        }
    };
    // A dossier whose blob is the same on both sides has the same
    // diagnosis on both (one framework, one as-of date): only the others
    // are read and judged.
    let base_list = repo.listing(repo.commit(base_id)?.content_tree)?;
    let (before, after) = match head_side {
        Side::Commit(id) => {
            let head_list = repo.listing(repo.commit(id)?.content_tree)?;
            let changed =
                |a: &super::git::Listing, b: &super::git::Listing| -> Vec<(String, ObjectId)> {
                    a.iter()
                        .filter(|(p, blob)| b.get(*p) != Some(*blob))
                        .map(|(p, blob)| (p.clone(), *blob))
                        .collect()
                };
            (
                judge_blobs(project, &repo, changed(&base_list, &head_list), as_of),
                judge_blobs(project, &repo, changed(&head_list, &base_list), as_of),
            )
        }
        Side::WorkTree => {
            let (files, _) = project.discover();
            let read: Vec<(crate::dossier::DossierFile, Result<Vec<u8>, String>, bool)> = files
                .into_par_iter()
                .map(
                    |f| match crate::dossier::read::read_bytes(&f.path, &f.source) {
                        Ok(bytes) => {
                            let id = gix::objs::compute_hash(
                                gix::hash::Kind::Sha1,
                                gix::objs::Kind::Blob,
                                &bytes,
                            )
                            .ok();
                            let same = id.is_some() && base_list.get(&f.rel_path) == id.as_ref();
                            (f, Ok(bytes), same)
                        }
                        Err(d) => (f, Err(d.to_string()), false),
                    },
                )
                .collect();
            let unchanged: std::collections::HashSet<&str> = read
                .iter()
                .filter(|(_, _, same)| *same)
                .map(|(f, _, _)| f.rel_path.as_str())
                .collect();
            let before = judge_blobs(
                project,
                &repo,
                base_list
                    .iter()
                    .filter(|(p, _)| !unchanged.contains(p.as_str()))
                    .map(|(p, b)| (p.clone(), *b))
                    .collect(),
                as_of,
            );
            let states: Vec<(String, State)> = read
                .into_par_iter()
                .filter(|(_, _, same)| !same)
                .map(|(f, bytes, _)| {
                    let state = match bytes {
                        Ok(bytes) => state_of_bytes(project, &bytes, &f.rel_path, &f.source, as_of),
                        Err(e) => State {
                            title: f.id.clone(),
                            source: f.source.clone(),
                            error: Some(e),
                            ..unread()
                        },
                    };
                    (f.id, state)
                })
                .collect();
            let mut after = BTreeMap::new();
            for (id, s) in states {
                after.entry(id).or_insert(s);
            }
            (before, after)
        }
    };
    Ok(compare(Side::Commit(base_id), head_side, before, after))
}

/// The state of a dossier from its bytes.
fn state_of_bytes(
    project: &Project,
    bytes: &[u8],
    rel_path: &str,
    source: &str,
    as_of: Date,
) -> State {
    match super::judge_bytes(project, bytes, rel_path, as_of) {
        (_, Some((d, g))) => state_of(&project.framework, &d, &g),
        (j, None) => State {
            title: crate::dossier::read::id_from_path(rel_path),
            source: source.to_string(),
            error: j.error,
            ..unread()
        },
    }
}

/// The dossiers at `paths` (with their blobs), read from git and judged,
/// by id.
fn judge_blobs(
    project: &Project,
    repo: &Repo,
    paths: Vec<(String, ObjectId)>,
    as_of: Date,
) -> BTreeMap<String, State> {
    let git_dir = repo.git_dir();
    let states: Vec<(String, State)> = paths
        .into_par_iter()
        .map(|(path, blob)| {
            let source =
                crate::dossier::discover::show(&project.content_dir().join(&path), &project.root);
            let id = crate::dossier::read::id_from_path(&path);
            let state = match super::repo_blob(&git_dir, blob) {
                Ok(bytes) => state_of_bytes(project, &bytes, &path, &source, as_of),
                Err(e) => State {
                    title: id.clone(),
                    source: source.clone(),
                    error: Some(format!("{source}: cannot be read from git ({e})")),
                    ..unread()
                },
            };
            (id, state)
        })
        .collect();
    let mut out = BTreeMap::new();
    for (id, s) in states {
        out.entry(id).or_insert(s);
    }
    out
}

fn unread() -> State {
    State {
        title: String::new(),
        source: String::new(),
        verdict: None,
        readiness: None,
        most_active: None,
        error: None,
        checks: BTreeMap::new(),
    }
}

fn state_of(fw: &Framework, d: &crate::dossier::Dossier, g: &crate::framework::Diagnosis) -> State {
    State {
        title: d.title.clone(),
        source: d.source.clone(),
        verdict: Some(g.verdict),
        readiness: Some(g.readiness),
        most_active: g.most_active,
        error: None,
        checks: g
            .checks
            .iter()
            .map(|c| (fw.checks[c.check].id.clone(), c.outcome.as_str()))
            .collect(),
    }
}

/// The pilots whose judgement differs between two sides.
pub fn compare(
    base: Side,
    head: Side,
    mut before: BTreeMap<String, State>,
    after: BTreeMap<String, State>,
) -> Diff {
    let mut pilots = Vec::new();
    for (id, a) in after {
        let b = before.remove(&id);
        // Checks are compared only where both sides could be read: an
        // unreadable side has no outcomes, and its error says why.
        let checks: Vec<(String, &'static str, &'static str)> = match &b {
            Some(b) if b.error.is_none() && a.error.is_none() => {
                let mut ids: Vec<&String> = b.checks.keys().chain(a.checks.keys()).collect();
                ids.sort();
                ids.dedup();
                ids.into_iter()
                    .filter_map(|c| {
                        let (x, y) = (
                            b.checks.get(c).copied().unwrap_or("not_applicable"),
                            a.checks.get(c).copied().unwrap_or("not_applicable"),
                        );
                        (x != y).then(|| (c.clone(), x, y))
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let same = b.as_ref().is_some_and(|b| {
            b.verdict == a.verdict
                && b.readiness == a.readiness
                && b.most_active == a.most_active
                && b.error == a.error
                && checks.is_empty()
        });
        if !same {
            pilots.push(PilotChange {
                id,
                before: b,
                after: Some(a),
                checks,
            });
        }
    }
    for (id, b) in before {
        pilots.push(PilotChange {
            id,
            before: Some(b),
            after: None,
            checks: Vec::new(),
        });
    }
    pilots.sort_by(|x, y| (x.rank(), &x.id).cmp(&(y.rank(), &y.id)));
    Diff { base, head, pilots }
}

fn state_json(s: &Option<State>) -> Value {
    match s {
        None => Value::Null,
        Some(s) => {
            let mut v = json!({
                "verdict": s.verdict.map(Verdict::as_str),
                "readiness": s.readiness,
                "most_active": s.most_active.map(Mistake::as_str),
            });
            if let Some(e) = &s.error {
                v["error"] = json!(e);
            }
            v
        }
    }
}

/// `--format json`.
pub fn json(diff: &Diff) -> String {
    let pilots: Vec<Value> = diff
        .pilots
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "source": p.source(),
                "change": p.change(),
                "regression": p.is_regression(),
                "before": state_json(&p.before),
                "after": state_json(&p.after),
                "checks": p.checks.iter().map(|(id, b, a)| json!({"id": id, "before": b, "after": a})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({
        "base": diff.base.name(),
        "head": diff.head.name(),
        "pilots": pilots,
    }))
    .unwrap_or_default();
    s.push('\n');
    s
}

fn words(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Ready) => "ready",
        Some(Verdict::AtRisk) => "at risk",
        Some(Verdict::NotReady) => "not ready",
        None => "unreadable",
    }
}

fn verdict_change(p: &PilotChange) -> String {
    match (&p.before, &p.after) {
        (Some(b), Some(a)) if b.verdict == a.verdict => words(a.verdict).into(),
        (Some(b), Some(a)) => format!("{} → {}", words(b.verdict), words(a.verdict)),
        (None, Some(a)) => words(a.verdict).into(),
        (Some(b), None) => words(b.verdict).into(),
        (None, None) => String::new(),
    }
}

fn readiness_change(p: &PilotChange) -> String {
    let r = |s: &State| s.readiness.map_or("–".to_string(), |r| r.to_string());
    match (&p.before, &p.after) {
        (Some(b), Some(a)) if b.readiness == a.readiness => r(a),
        (Some(b), Some(a)) => format!("{} → {}", r(b), r(a)),
        (None, Some(a)) => r(a),
        (Some(b), None) => r(b),
        (None, None) => String::new(),
    }
}

/// What the change was, in a word or two.
fn label(p: &PilotChange) -> &'static str {
    match p.rank() {
        0 => "cannot be read",
        1 | 2 => "worse",
        3 => "removed",
        5 => "added",
        6 => "better",
        _ => "changed",
    }
}

fn summary_line(diff: &Diff) -> String {
    let count = |c: &str| diff.pilots.iter().filter(|p| p.change() == c).count();
    let worse = diff.pilots.iter().filter(|p| p.is_regression()).count();
    format!(
        "{} changed ({} worse), {} added, {} removed",
        crate::words::plural(count("changed"), "pilot", "pilots"),
        worse,
        count("added"),
        count("removed"),
    )
}

/// `--format human`.
pub fn human(diff: &Diff) -> String {
    let mut s = format!("{} → {}\n", diff.base.short(), diff.head.short());
    if diff.pilots.is_empty() {
        s.push_str("no pilot's diagnosis changed\n");
        return s;
    }
    for p in &diff.pilots {
        let _ = writeln!(
            s,
            "{:<14} {}  {} · readiness {}",
            label(p),
            p.id,
            verdict_change(p),
            readiness_change(p)
        );
        for (id, b, a) in &p.checks {
            let _ = writeln!(s, "{:14}   {id}: {b} → {a}", "");
        }
        if p.new_error()
            && let Some(e) = p.after.as_ref().and_then(|a| a.error.as_ref())
        {
            let _ = writeln!(s, "{:14}   {e}", "");
        }
    }
    let _ = writeln!(s, "{}", summary_line(diff));
    s
}

/// Text a dossier's author wrote, made safe in a markdown table cell.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `--format markdown`: for a pull request's comment or a job summary.
pub fn markdown(diff: &Diff, base_url: &str) -> String {
    let mut s = String::from("### Pilot diagnoses\n\n");
    let _ = writeln!(
        s,
        "Comparing `{}` with {}: {}.\n",
        diff.base.short(),
        match diff.head {
            Side::WorkTree => "this change".to_string(),
            h => format!("`{}`", h.short()),
        },
        summary_line(diff)
    );
    if diff.pilots.is_empty() {
        s.push_str("No pilot's diagnosis changed.\n");
        return s;
    }
    s.push_str("| | Pilot | Verdict | Readiness | What changed |\n|---|---|---|---|---|\n");
    let base = base_url.trim();
    for p in &diff.pilots {
        let name = cell(p.title());
        let pilot = if !base.is_empty() && p.after.is_some() {
            let base = if base.ends_with('/') {
                base.to_string()
            } else {
                format!("{base}/")
            };
            format!("[{name}]({base}pilots/{}/)", cell(&p.id))
        } else {
            name
        };
        let mut what: Vec<String> = p
            .checks
            .iter()
            .take(5)
            .map(|(id, b, a)| format!("`{}` {b} → {a}", id.replace('`', "")))
            .collect();
        if p.checks.len() > 5 {
            what.push(format!("and {} more", p.checks.len() - 5));
        }
        if p.new_error()
            && let Some(e) = p.after.as_ref().and_then(|a| a.error.as_ref())
        {
            what.push(cell(e));
        }
        let mark = match p.rank() {
            0..=2 => "🔴",
            3 => "➖",
            5 => "🆕",
            6 => "🟢",
            _ => "🔵",
        };
        let _ = writeln!(
            s,
            "| {mark} {} | {pilot} | {} | {} | {} |",
            label(p),
            verdict_change(p),
            readiness_change(p),
            if what.is_empty() {
                p.change().to_string()
            } else {
                what.join("<br>")
            }
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_cannot_add_a_link_an_image_html_or_a_cell_to_the_summary() {
        let shown = cell("a | b [x](https://e.example) ![i](y) <img src=x onerror=1> `c`\nrow");
        assert_eq!(
            shown,
            r"a \| b \[x\](https://e.example) \!\[i\](y) &lt;img src=x onerror=1&gt; \`c\` row"
        );
    }
}
