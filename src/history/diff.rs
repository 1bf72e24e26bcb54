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
use crate::dossier::Stage;
use crate::framework::{Framework, Mistake, Outcome, Verdict};
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
    pub stage: Option<Stage>,
    pub verdict: Option<Verdict>,
    pub readiness: Option<u32>,
    pub most_active: Option<Mistake>,
    pub error: Option<String>,
    /// Check id to outcome, for the checks that apply at its stage.
    pub checks: BTreeMap<String, Outcome>,
}

/// A pilot as read on one side: its state, and its answers when they could
/// be read (to judge them at the other side's stage).
#[derive(Debug, Clone)]
pub struct Read {
    pub state: State,
    pub dossier: Option<crate::dossier::Dossier>,
}

/// How a pilot's stage moved between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Forward: proposed → pilot → scaling → production.
    Promoted,
    /// Back to an earlier stage, or paused.
    MovedBack,
    /// Out of pause or abandonment, back to work.
    Resumed,
    Abandoned,
}

impl Move {
    fn of(before: Stage, after: Stage) -> Option<Move> {
        let active = |s: Stage| !matches!(s, Stage::Paused | Stage::Abandoned);
        Some(match (before, after) {
            (b, a) if b == a => return None,
            (_, Stage::Abandoned) => Move::Abandoned,
            (_, Stage::Paused) => Move::MovedBack,
            (b, _) if !active(b) => Move::Resumed,
            (b, a) if a > b => Move::Promoted,
            _ => Move::MovedBack,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Move::Promoted => "promotion",
            Move::MovedBack => "move_back",
            Move::Resumed => "resumption",
            Move::Abandoned => "abandonment",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Move::Promoted => "promoted",
            Move::MovedBack => "moved back",
            Move::Resumed => "resumed",
            Move::Abandoned => "abandoned",
        }
    }
}

/// One check whose outcome differs: its id, title and the outcome on each
/// side (`None`: it does not apply there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckChange {
    pub id: String,
    pub title: String,
    pub before: Option<Outcome>,
    pub after: Option<Outcome>,
}

/// What happened to one pilot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PilotChange {
    pub id: String,
    pub before: Option<State>,
    pub after: Option<State>,
    /// When the stage moved: the base side's answers judged at the head
    /// side's stage, the one comparison under the same rules.
    pub rejudged: Option<State>,
    /// Checks whose outcome changed under the same rules (the head side's
    /// stage), in the framework's order.
    pub checks: Vec<CheckChange>,
    /// Checks the head side's stage starts to require, with their outcome
    /// there: not regressions, the price of the move.
    pub now_required: Vec<CheckChange>,
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

    /// The base side as the head side's rules see it.
    fn comparable(&self) -> Option<&State> {
        self.rejudged.as_ref().or(self.before.as_ref())
    }

    /// How the stage moved, when both sides could be read.
    pub fn stage_move(&self) -> Option<(Stage, Stage, Move)> {
        let (b, a) = (self.before.as_ref()?.stage?, self.after.as_ref()?.stage?);
        Move::of(b, a).map(|m| (b, a, m))
    }

    /// The verdict got worse under the same rules.
    pub fn verdict_worse(&self) -> bool {
        matches!((self.comparable(), &self.after),
            (Some(b), Some(a)) if matches!((b.verdict, a.verdict), (Some(x), Some(y)) if y > x))
    }

    /// Readiness dropped under the same rules.
    pub fn readiness_dropped(&self) -> bool {
        matches!((self.comparable(), &self.after),
            (Some(b), Some(a)) if matches!((b.readiness, a.readiness), (Some(x), Some(y)) if y < x))
    }

    /// A dossier that could be read on the base side and cannot be now.
    pub fn new_error(&self) -> bool {
        self.after.as_ref().is_some_and(|a| a.error.is_some())
            && self.before.as_ref().is_some_and(|b| b.error.is_none())
    }

    /// What `--fail-on regression` fails on: the same answers, judged by
    /// the same rules, got worse, or the dossier can no longer be read.
    pub fn is_regression(&self) -> bool {
        self.verdict_worse() || self.readiness_dropped() || self.new_error()
    }

    fn better(&self) -> bool {
        matches!((self.comparable(), &self.after),
            (Some(b), Some(a)) if a.verdict < b.verdict || a.readiness > b.readiness || (b.error.is_some() && a.error.is_none()))
    }

    /// Most serious first: new errors, regressions, removals, stage moves,
    /// other changes, additions, improvements.
    fn rank(&self) -> u8 {
        if self.new_error() {
            0
        } else if self.is_regression() {
            1
        } else if self.after.is_none() {
            3
        } else if self.stage_move().is_some() {
            4
        } else if self.before.is_none() {
            6
        } else if self.better() {
            7
        } else {
            5
        }
    }

    /// What the change was, in a word or two.
    fn label(&self) -> &'static str {
        match self.rank() {
            0 => "cannot be read",
            1 => "worse",
            3 => "removed",
            4 => self.stage_move().map_or("changed", |(_, _, m)| m.words()),
            6 => "added",
            7 => "better",
            _ => "changed",
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
                             (here: `git fetch --unshallow`; in GitHub Actions: `fetch-depth: 0` \
                             on actions/checkout)"
            .into(),
        Missing::Partial => "this is a partial clone (`git clone --filter`) and the dossiers of \
                             the revisions to compare are not all here, so nothing can be said \
                             of them: fetch them with `git fetch --refetch --no-filter origin` \
                             (in GitHub Actions: `fetch-depth: 0` and no `filter` on \
                             actions/checkout), then run `diff` again"
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
    let tree = |id: ObjectId| {
        repo.content_tree(id)
            .map_err(|e| missing(&repo.lacking(format!("commit {}: {e}", id.to_hex_with_len(7)))))
    };
    // A dossier whose blob is the same on both sides has the same
    // diagnosis on both (one framework, one as-of date): only the others
    // are read and judged.
    let base_list = repo
        .listing(tree(base_id)?)
        .map_err(|e| missing(&repo.lacking(e)))?;
    let (before, after) = match head_side {
        Side::Commit(id) => {
            let head_list = repo
                .listing(tree(id)?)
                .map_err(|e| missing(&repo.lacking(e)))?;
            let changed =
                |a: &super::git::Listing, b: &super::git::Listing| -> Vec<(String, ObjectId)> {
                    a.iter()
                        .filter(|(p, blob)| b.get(*p) != Some(*blob))
                        .map(|(p, blob)| (p.clone(), *blob))
                        .collect()
                };
            let (b, a) = (
                changed(&base_list, &head_list),
                changed(&head_list, &base_list),
            );
            present(&repo, b.iter().chain(&a))?;
            (
                judge_blobs(project, &repo, b, as_of),
                judge_blobs(project, &repo, a, as_of),
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
            let wanted: Vec<(String, ObjectId)> = base_list
                .iter()
                .filter(|(p, _)| !unchanged.contains(p.as_str()))
                .map(|(p, b)| (p.clone(), *b))
                .collect();
            present(&repo, &wanted)?;
            let before = judge_blobs(project, &repo, wanted, as_of);
            let states: Vec<(String, Read)> = read
                .into_par_iter()
                .filter(|(_, _, same)| !same)
                .map(|(f, bytes, _)| {
                    let read = match bytes {
                        Ok(bytes) => read_bytes(project, &bytes, &f.rel_path, &f.source, as_of),
                        Err(e) => unreadable(f.id.clone(), f.source.clone(), e),
                    };
                    (f.id, read)
                })
                .collect();
            let mut after = BTreeMap::new();
            for (id, s) in states {
                after.entry(id).or_insert(s);
            }
            (before, after)
        }
    };
    Ok(compare(
        project,
        as_of,
        Side::Commit(base_id),
        head_side,
        before,
        after,
    ))
}

/// Every blob to judge is in the repository: a missing one (a partial
/// clone's, or damage) is no dossier that "cannot be read", and no
/// comparison can be made without it.
fn present<'a>(
    repo: &Repo,
    wanted: impl IntoIterator<Item = &'a (String, ObjectId)>,
) -> Result<(), String> {
    let wanted: Vec<&(String, ObjectId)> = wanted.into_iter().collect();
    let missing_blobs = repo.missing(wanted.iter().map(|(_, b)| *b));
    match missing_blobs.first() {
        None => Ok(()),
        Some(first) => {
            let path = wanted
                .iter()
                .find(|(_, b)| b == first)
                .map_or("", |(p, _)| p.as_str());
            Err(missing(&repo.lacking(format!(
                "{} of the dossiers to compare {} not in it, {path} among them",
                missing_blobs.len(),
                if missing_blobs.len() == 1 {
                    "is"
                } else {
                    "are"
                },
            ))))
        }
    }
}

fn unreadable(title: String, source: String, error: String) -> Read {
    Read {
        state: State {
            title,
            source,
            error: Some(error),
            ..unread()
        },
        dossier: None,
    }
}

/// A dossier read and judged from its bytes.
fn read_bytes(project: &Project, bytes: &[u8], rel_path: &str, source: &str, as_of: Date) -> Read {
    match super::judge_bytes(project, bytes, rel_path, as_of) {
        (_, Some((d, g))) => Read {
            state: state_of(&project.framework, &d, &g),
            dossier: Some(d),
        },
        (j, None) => unreadable(
            crate::dossier::read::id_from_path(rel_path),
            source.to_string(),
            j.error.unwrap_or_default(),
        ),
    }
}

/// The dossiers at `paths` (with their blobs), read from git and judged,
/// by id.
fn judge_blobs(
    project: &Project,
    repo: &Repo,
    paths: Vec<(String, ObjectId)>,
    as_of: Date,
) -> BTreeMap<String, Read> {
    let git_dir = repo.git_dir();
    let states: Vec<(String, Read)> = paths
        .into_par_iter()
        .map(|(path, blob)| {
            let source =
                crate::diagnostic::show_path(&project.content_dir().join(&path), &project.root);
            let id = crate::dossier::read::id_from_path(&path);
            let read = match super::repo_blob(&git_dir, blob) {
                Ok(bytes) => read_bytes(project, &bytes, &path, &source, as_of),
                Err(super::git::BlobTrouble::TooLarge(_)) => Read {
                    state: State {
                        title: id.clone(),
                        source: source.clone(),
                        error: super::too_large(project, &path).error,
                        ..unread()
                    },
                    dossier: None,
                },
                Err(e) => unreadable(
                    id.clone(),
                    source.clone(),
                    format!("{source}: cannot be read from git ({e})"),
                ),
            };
            (id, read)
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
        stage: None,
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
        stage: Some(d.stage),
        verdict: Some(g.verdict),
        readiness: Some(g.readiness),
        most_active: g.most_active,
        error: None,
        checks: g
            .checks
            .iter()
            .map(|c| (fw.checks[c.check].id.clone(), c.outcome))
            .collect(),
    }
}

/// The checks whose outcome differs between two states, in the
/// framework's order.
fn check_changes(fw: &Framework, b: &State, a: &State) -> Vec<CheckChange> {
    fw.checks
        .iter()
        .filter_map(|c| {
            let (x, y) = (b.checks.get(&c.id).copied(), a.checks.get(&c.id).copied());
            (x != y).then(|| CheckChange {
                id: c.id.clone(),
                title: c.title.clone(),
                before: x,
                after: y,
            })
        })
        .collect()
}

/// The pilots whose judgement differs between two sides. Where the stage
/// moved, the base side's answers are judged again at the head side's
/// stage, and only that judgement is compared with the head side's: a
/// promotion is not a regression.
pub fn compare(
    project: &Project,
    as_of: Date,
    base: Side,
    head: Side,
    mut before: BTreeMap<String, Read>,
    after: BTreeMap<String, Read>,
) -> Diff {
    let fw = &project.framework;
    let mut pilots = Vec::new();
    for (id, a) in after {
        let b = before.remove(&id);
        let a_stage = a.dossier.as_ref().map(|d| d.stage);
        let rejudged = match (&b, a_stage) {
            (
                Some(Read {
                    dossier: Some(d), ..
                }),
                Some(stage),
            ) if d.stage != stage => {
                let mut moved = d.clone();
                moved.stage = stage;
                let g = crate::framework::judge(&moved, fw, as_of, project.config.stale_days);
                Some(state_of(fw, &moved, &g))
            }
            _ => None,
        };
        let b = b.map(|r| r.state);
        let a = a.state;
        // Checks are compared only where both sides could be read: an
        // unreadable side has no outcomes, and its error says why.
        let (checks, now_required) = match &b {
            Some(b) if b.error.is_none() && a.error.is_none() => {
                let same_rules = rejudged.as_ref().unwrap_or(b);
                let mut required: Vec<CheckChange> = check_changes(fw, b, &a)
                    .into_iter()
                    .filter(|c| c.before.is_none())
                    .collect();
                // What is not met first.
                required.sort_by_key(|c| c.after == Some(Outcome::Pass));
                (check_changes(fw, same_rules, &a), required)
            }
            _ => (Vec::new(), Vec::new()),
        };
        let same = b.as_ref().is_some_and(|b| {
            b.stage == a.stage
                && b.verdict == a.verdict
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
                rejudged: if a_stage.is_some() { rejudged } else { None },
                checks,
                now_required,
            });
        }
    }
    for (id, b) in before {
        pilots.push(PilotChange {
            id,
            before: Some(b.state),
            after: None,
            rejudged: None,
            checks: Vec::new(),
            now_required: Vec::new(),
        });
    }
    pilots.sort_by(|x, y| (x.rank(), &x.id).cmp(&(y.rank(), &y.id)));
    Diff { base, head, pilots }
}

fn state_json(s: Option<&State>) -> Value {
    match s {
        None => Value::Null,
        Some(s) => {
            let mut v = json!({
                "stage": s.stage.map(Stage::as_str),
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

fn outcome_id(o: Option<Outcome>) -> &'static str {
    o.map_or("not_applicable", Outcome::as_str)
}

/// `--format json`.
pub fn json(diff: &Diff) -> String {
    let checks = |list: &[CheckChange]| -> Vec<Value> {
        list.iter()
            .map(|c| json!({"id": c.id, "before": outcome_id(c.before), "after": outcome_id(c.after)}))
            .collect()
    };
    let pilots: Vec<Value> = diff
        .pilots
        .iter()
        .map(|p| {
            let mut v = json!({
                "id": p.id,
                "source": p.source(),
                "change": p.change(),
                "regression": p.is_regression(),
                "before": state_json(p.before.as_ref()),
                "after": state_json(p.after.as_ref()),
                "checks": checks(&p.checks),
            });
            if let Some((b, a, m)) = p.stage_move() {
                v["stage"] = json!({"before": b.as_str(), "after": a.as_str(), "move": m.as_str()});
                v["before_at_new_stage"] = state_json(p.rejudged.as_ref());
                v["now_required"] = Value::Array(checks(&p.now_required));
            }
            v
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({
        "base": diff.base.name(),
        "head": diff.head.name(),
        "summary": counts(diff).into_iter().map(|(l, n)| (l.replace(' ', "_"), json!(n))).collect::<serde_json::Map<_, _>>(),
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

/// A check's outcome in words.
fn outcome_words(o: Option<Outcome>) -> &'static str {
    match o {
        Some(Outcome::Pass) => "met",
        Some(Outcome::Fail) => "not met",
        Some(Outcome::Unanswered) => "not answered",
        None => "not required",
    }
}

/// `title: before → after`, or `title: after` for a newly required check.
fn check_words(c: &CheckChange, with_before: bool) -> String {
    if with_before {
        format!(
            "{}: {} → {}",
            c.title,
            outcome_words(c.before),
            outcome_words(c.after)
        )
    } else {
        format!("{}: {}", c.title, outcome_words(c.after))
    }
}

/// Verdict and readiness: the base side under the head side's rules, then
/// the head side.
fn verdict_change(p: &PilotChange) -> String {
    match (p.comparable(), &p.after) {
        (Some(b), Some(a)) if b.verdict == a.verdict => words(a.verdict).into(),
        (Some(b), Some(a)) => format!("{} → {}", words(b.verdict), words(a.verdict)),
        (None, Some(a)) => words(a.verdict).into(),
        (Some(b), None) => words(b.verdict).into(),
        (None, None) => String::new(),
    }
}

fn readiness_change(p: &PilotChange) -> String {
    let r = |s: &State| s.readiness.map_or("–".to_string(), |r| r.to_string());
    match (p.comparable(), &p.after) {
        (Some(b), Some(a)) if b.readiness == a.readiness => r(a),
        (Some(b), Some(a)) => format!("{} → {}", r(b), r(a)),
        (None, Some(a)) => r(a),
        (Some(b), None) => r(b),
        (None, None) => String::new(),
    }
}

/// `stage pilot → scaling`, when it moved.
fn stage_words(p: &PilotChange) -> Option<String> {
    p.stage_move()
        .map(|(b, a, _)| format!("stage {} → {}", b.as_str(), a.as_str()))
}

/// What the base side was at its own stage, when the stage moved.
fn at_old_stage(p: &PilotChange) -> Option<String> {
    let (b, _, _) = p.stage_move()?;
    let before = p.before.as_ref()?;
    Some(format!(
        "at {}: {} · readiness {}; compared at the new stage with the same answers",
        b.as_str(),
        words(before.verdict),
        before.readiness.map_or("–".to_string(), |r| r.to_string())
    ))
}

/// `now required at scaling: …`, when the stage moved and asks for more:
/// the checks the new stage adds that the pilot does not meet yet (what it
/// must now do), or that it meets them all already. `--format json` keeps
/// every one with its outcome.
fn required_words(p: &PilotChange, limit: usize) -> Option<String> {
    let (_, a, _) = p.stage_move()?;
    if p.now_required.is_empty() {
        return None;
    }
    let unmet: Vec<&CheckChange> = p
        .now_required
        .iter()
        .filter(|c| c.after != Some(Outcome::Pass))
        .collect();
    if unmet.is_empty() {
        let n = p.now_required.len();
        let met = if n == 1 {
            "1 check, already met".to_string()
        } else {
            format!("all {n} already met")
        };
        return Some(format!("now required at {}: {met}", a.as_str()));
    }
    let mut listed: Vec<String> = unmet
        .iter()
        .take(limit)
        .map(|c| check_words(c, false))
        .collect();
    if unmet.len() > limit {
        listed.push(format!("and {} more", unmet.len() - limit));
    }
    Some(format!(
        "now required at {}: {}",
        a.as_str(),
        listed.join("; ")
    ))
}

/// How many rows carry each label, most serious first; the summary says
/// exactly what the rows say.
fn counts(diff: &Diff) -> Vec<(&'static str, usize)> {
    let mut out: Vec<(u8, &'static str, usize)> = Vec::new();
    for p in &diff.pilots {
        let (rank, label) = (p.rank(), p.label());
        match out.iter_mut().find(|(_, l, _)| *l == label) {
            Some(e) => e.2 += 1,
            None => out.push((rank, label, 1)),
        }
    }
    out.sort_by_key(|(r, l, _)| (*r, *l));
    out.into_iter().map(|(_, l, n)| (l, n)).collect()
}

fn summary_line(diff: &Diff) -> String {
    let parts: Vec<String> = counts(diff)
        .into_iter()
        .map(|(l, n)| format!("{n} {l}"))
        .collect();
    let n = diff.pilots.len();
    format!(
        "{} {}: {}",
        crate::words::plural(n, "pilot", "pilots"),
        if n == 1 { "differs" } else { "differ" },
        parts.join(", ")
    )
}

/// `--format human`.
pub fn human(diff: &Diff) -> String {
    let mut s = format!("{} → {}\n", diff.base.short(), diff.head.short());
    if diff.pilots.is_empty() {
        s.push_str("no pilot's diagnosis changed\n");
        return s;
    }
    let p_ = |t: &str| crate::report::printable(t).into_owned();
    for p in &diff.pilots {
        let stage = stage_words(p)
            .map(|w| format!("{w} · "))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "{:<14} {}  {stage}{} · readiness {}",
            p.label(),
            p_(&p.id),
            verdict_change(p),
            readiness_change(p)
        );
        if let Some(line) = at_old_stage(p) {
            let _ = writeln!(s, "{:14}   {line}", "");
        }
        for c in &p.checks {
            let _ = writeln!(s, "{:14}   {}", "", p_(&check_words(c, true)));
        }
        if let Some(line) = required_words(p, usize::MAX) {
            let _ = writeln!(s, "{:14}   {}", "", p_(&line));
        }
        if let Some(e) = p.after.as_ref().and_then(|a| a.error.as_ref())
            && p.before.as_ref().is_none_or(|b| b.error.is_none())
        {
            let _ = writeln!(s, "{:14}   {}", "", p_(e));
        }
    }
    let _ = writeln!(s, "{}", summary_line(diff));
    s
}

/// Text a dossier's author wrote, made safe in a markdown table cell: no
/// markup, no HTML, no new cell, and nothing GitHub would turn into a link
/// or a mention (a word joiner, U+2060, goes after `://`'s colon, after
/// `www` before its dot and after every `@`, so that the text reads the
/// same and GitHub's autolinks and mentions find nothing).
fn cell(text: &str) -> String {
    const JOIN: char = '\u{2060}';
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                out.push(c);
                out.push(JOIN);
            }
            ':' if chars.get(i + 1) == Some(&'/') => {
                out.push(c);
                out.push(JOIN);
            }
            '.' if i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w')) => {
                out.push(JOIN);
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
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
        if diff.pilots.is_empty() {
            "no pilot differs".to_string()
        } else {
            summary_line(diff)
        }
    );
    if diff.pilots.is_empty() {
        s.push_str("No pilot's diagnosis changed.\n");
        return s;
    }
    s.push_str(
        "| | Pilot | Stage | Verdict | Readiness | What changed |\n|---|---|---|---|---|---|\n",
    );
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
        let stage = match p.stage_move() {
            Some((b, a, _)) => format!("{} → {}", b.as_str(), a.as_str()),
            None => [&p.after, &p.before]
                .into_iter()
                .flatten()
                .find_map(|s| s.stage)
                .map_or("", Stage::as_str)
                .to_string(),
        };
        let mut what: Vec<String> = Vec::new();
        if let Some(line) = at_old_stage(p) {
            what.push(cell(&line));
        }
        what.extend(p.checks.iter().take(5).map(|c| cell(&check_words(c, true))));
        if p.checks.len() > 5 {
            what.push(format!("and {} more", p.checks.len() - 5));
        }
        if let Some(line) = required_words(p, 5) {
            what.push(cell(&line));
        }
        if let Some(e) = p.after.as_ref().and_then(|a| a.error.as_ref())
            && p.before.as_ref().is_none_or(|b| b.error.is_none())
        {
            what.push(cell(e));
        }
        let mark = match p.rank() {
            0 | 1 => "🔴",
            3 => "➖",
            4 => "↕️",
            6 => "🆕",
            7 => "🟢",
            _ => "🔵",
        };
        let _ = writeln!(
            s,
            "| {mark} {} | {pilot} | {stage} | {} | {} | {} |",
            p.label(),
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
            "a \\| b \\[x\\](https:\u{2060}//e.example) \\!\\[i\\](y) &lt;img src=x onerror=1&gt; \\`c\\` row"
        );
    }

    #[test]
    fn a_title_cannot_add_an_autolink_or_a_mention() {
        assert_eq!(
            cell("www.e.example a@b.example @acme/team"),
            "www\u{2060}.e.example a@\u{2060}b.example @\u{2060}acme/team"
        );
        assert_eq!(cell("news: see"), "news: see");
    }

    fn promoted(required: &[Option<Outcome>]) -> PilotChange {
        let state = |stage| State {
            title: "T".into(),
            source: "content/t.md".into(),
            stage: Some(stage),
            verdict: Some(Verdict::AtRisk),
            readiness: Some(80),
            most_active: None,
            error: None,
            checks: BTreeMap::new(),
        };
        PilotChange {
            id: "t".into(),
            before: Some(state(Stage::Pilot)),
            after: Some(state(Stage::Scaling)),
            rejudged: None,
            checks: Vec::new(),
            now_required: required
                .iter()
                .enumerate()
                .map(|(i, o)| CheckChange {
                    id: format!("c.{i}"),
                    title: format!("Check {i}"),
                    before: None,
                    after: *o,
                })
                .collect(),
        }
    }

    #[test]
    fn now_required_lists_only_what_the_pilot_does_not_meet_yet() {
        let p = promoted(&[
            Some(Outcome::Unanswered),
            Some(Outcome::Fail),
            Some(Outcome::Pass),
        ]);
        assert_eq!(
            required_words(&p, 5).unwrap(),
            "now required at scaling: Check 0: not answered; Check 1: not met"
        );
        assert_eq!(
            required_words(&p, 1).unwrap(),
            "now required at scaling: Check 0: not answered; and 1 more"
        );
        let met = promoted(&[Some(Outcome::Pass), Some(Outcome::Pass)]);
        assert_eq!(
            required_words(&met, 5).unwrap(),
            "now required at scaling: all 2 already met"
        );
        let one = promoted(&[Some(Outcome::Pass)]);
        assert_eq!(
            required_words(&one, 5).unwrap(),
            "now required at scaling: 1 check, already met"
        );
    }
}
