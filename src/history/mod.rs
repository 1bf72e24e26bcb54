//! The portfolio over time, read from git.
//!
//! [`load`] walks the first-parent history of the checked-out branch and,
//! for each commit that changed a dossier, judges that dossier's content at
//! that commit with the project's current framework and configuration, as
//! of the commit's date (the committer's, in UTC). A `git mv` keeps a
//! pilot's history (a removed and an added dossier of one commit are the
//! same pilot when their contents match, exactly or in most lines). The
//! result, [`History`], is one list of [`Point`]s per pilot: one for each
//! commit at which its judgement changed, oldest first.
//!
//! Each blob is judged once: the judgements, and the commits already
//! walked, are kept in the output folder ([`cache`]), so that when the
//! branch moves by a commit only that commit is read and only its
//! dossiers are judged.
//!
//! `diff` compares the diagnoses at two revisions (see [`diff`]).

pub mod cache;
pub mod diff;
pub mod git;

use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::path::Path;

use gix::ObjectId;
use jiff::civil::Date;
use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use crate::dossier::Stage;
use crate::framework::{Diagnosis, Flag, Mistake, Status, Verdict};
use crate::project::Project;
pub use git::Missing;

/// What the framework said of one dossier's content on one day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Judgement {
    pub verdict: Option<Verdict>,
    pub readiness: Option<u32>,
    pub most_active: Option<Mistake>,
    pub stage: Option<Stage>,
    /// In the order of [`Mistake::ALL`]; empty when unread.
    pub statuses: Vec<Status>,
    pub flags: Vec<Flag>,
    /// A fingerprint of every check's outcome, so that a change of
    /// outcome alone is a change of judgement.
    pub outcomes: u64,
    /// Why the dossier could not be read, with its line and column.
    pub error: Option<String>,
}

impl Judgement {
    /// The judgement of a diagnosis.
    pub fn of(d: &crate::dossier::Dossier, g: &Diagnosis) -> Judgement {
        let mut h = Xxh3::new();
        for c in &g.checks {
            h.write_usize(c.check);
            h.write_u8(c.outcome as u8);
        }
        Judgement {
            verdict: Some(g.verdict),
            readiness: Some(g.readiness),
            most_active: g.most_active,
            stage: Some(d.stage),
            statuses: g.mistakes.iter().map(|m| m.status).collect(),
            flags: g.flags.clone(),
            outcomes: h.finish(),
            error: None,
        }
    }

    /// The judgement of a dossier that cannot be read.
    pub fn unread(why: String) -> Judgement {
        Judgement {
            verdict: None,
            readiness: None,
            most_active: None,
            stage: None,
            statuses: Vec::new(),
            flags: Vec::new(),
            outcomes: 0,
            error: Some(why),
        }
    }
}

/// Reads and judges a dossier's bytes.
pub fn judge_bytes(
    project: &Project,
    bytes: &[u8],
    rel_path: &str,
    as_of: Date,
) -> (Judgement, Option<(crate::dossier::Dossier, Diagnosis)>) {
    let source =
        crate::dossier::discover::show(&project.content_dir().join(rel_path), &project.root);
    let id = crate::dossier::read::id_from_path(rel_path);
    if crate::dossier::read::too_large(bytes.len() as u64) {
        let why = format!(
            "{source}: the file is larger than {} MiB, the most a dossier may be",
            crate::dossier::read::MAX_FILE_BYTES >> 20
        );
        return (Judgement::unread(why), None);
    }
    let loaded = crate::dossier::load_text(bytes, &source, rel_path, &id);
    match loaded.dossier {
        Some(d) => {
            let g =
                crate::framework::judge(&d, &project.framework, as_of, project.config.stale_days);
            (Judgement::of(&d, &g), Some((d, g)))
        }
        None => {
            let why = loaded
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .map_or_else(|| format!("{source}: cannot be read"), |d| d.to_string());
            (Judgement::unread(why), None)
        }
    }
}

/// One change of a pilot's judgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub date: Date,
    pub commit: ObjectId,
    pub author: String,
    /// The dossier's path (relative to the content folder) at that commit.
    pub path: String,
    pub judgement: Judgement,
    /// The dossier was removed at this commit.
    pub removed: bool,
}

/// The portfolio over time.
#[derive(Debug, Clone)]
pub struct History {
    /// The commit history was read up to.
    pub head: ObjectId,
    /// Per pilot id (as at its last point), its points, oldest first.
    pub pilots: BTreeMap<String, Vec<Point>>,
    /// Whether pages name authors.
    pub authors: bool,
    /// The content folder as shown (relative to the project root).
    pub content: String,
    /// What to keep in the output folder after the build.
    cache: cache::Cache,
    digest: u128,
    pilot_digests: HashMap<String, u128>,
}

impl History {
    /// A fingerprint of the whole history, for the pages about every pilot.
    pub fn digest(&self) -> u128 {
        self.digest
    }

    /// A fingerprint of one pilot's history, for its page (0: none).
    pub fn pilot_digest(&self, id: &str) -> u128 {
        self.pilot_digests.get(id).copied().unwrap_or(0)
    }

    /// What was read and judged, to keep for the next build in the
    /// output folder's [`cache::FILE`] (the build writes it: see
    /// `site::Builder::build`).
    pub fn cache_text(&self) -> String {
        self.cache.to_text()
    }

    /// The points of a pilot, when it has any.
    pub fn of(&self, id: &str) -> &[Point] {
        self.pilots.get(id).map_or(&[], Vec::as_slice)
    }
}

/// What [`load`] found.
#[derive(Debug)]
pub enum Loaded {
    /// `history = false`.
    Off,
    /// Why there is no history.
    Missing(Missing),
    Read(Box<History>),
}

impl Loaded {
    pub fn history(&self) -> Option<&History> {
        match self {
            Loaded::Read(h) => Some(h),
            _ => None,
        }
    }

    /// What to tell the user, once, when there is no history.
    pub fn notice(&self) -> Option<String> {
        match self {
            Loaded::Off | Loaded::Read(_) => None,
            Loaded::Missing(m) => Some(notice(m)),
        }
    }
}

/// The sentence that says why there is no history.
pub fn notice(m: &Missing) -> String {
    let why = match m {
        Missing::NoRepository => "the project is not in a git repository".to_string(),
        Missing::Shallow => {
            "this is a shallow clone, so the older commits are not here".to_string()
        }
        Missing::NoCommit => "the repository has no commit yet".to_string(),
        Missing::Broken(e) => format!("the git repository cannot be read ({e})"),
    };
    format!(
        "the site has no history: {why}. History needs the full history of the branch \
         (in GitHub Actions: `fetch-depth: 0` on actions/checkout); `history = false` in \
         pilotscope.toml turns it off"
    )
}

/// The key of everything a judgement depends on besides the blob and the
/// date: the framework, the configuration and this binary's version.
fn judging_key(project: &Project) -> u128 {
    let mut h = Xxh3::new();
    crate::digest::field(&mut h, env!("CARGO_PKG_VERSION"));
    crate::digest::field(&mut h, &format!("{:?}", project.framework));
    crate::digest::field(&mut h, &project.config.stale_days.to_string());
    crate::digest::field(&mut h, &project.config.content_dir.to_string_lossy());
    crate::digest::field(&mut h, &project.config.faq);
    crate::digest::field(
        &mut h,
        project.config.history_since.as_deref().unwrap_or(""),
    );
    // Without authors, the cache (published with the site) holds none.
    h.write_u8(project.config.history_authors as u8);
    h.digest128()
}

/// Reads the history of `project`, with what an earlier build kept in `out`.
pub fn load(project: &Project, out: &Path) -> Loaded {
    if !project.config.history {
        return Loaded::Off;
    }
    let repo = match git::Repo::open(
        &project.root,
        &project.config.content_dir,
        &project.config.faq,
    ) {
        Ok(r) => r,
        Err(m) => return Loaded::Missing(m),
    };
    let head = match repo.head() {
        Ok(h) => h,
        Err(m) => return Loaded::Missing(m),
    };
    let key = judging_key(project);
    let previous = cache::Cache::read(&out.join(cache::FILE), key);
    match read(project, &repo, head, key, previous) {
        Ok(h) => Loaded::Read(Box::new(h)),
        Err(e) => Loaded::Missing(Missing::Broken(e)),
    }
}

/// A commit's dossier changes, renames paired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    /// The blob after the commit; `None`: removed.
    pub blob: Option<ObjectId>,
    /// The path this one was renamed from, in the same commit.
    pub from: Option<String>,
}

/// A commit that changed at least one dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub id: ObjectId,
    pub date: Date,
    pub author: String,
    pub changes: Vec<Change>,
}

fn read(
    project: &Project,
    repo: &git::Repo,
    head: ObjectId,
    key: u128,
    mut previous: cache::Cache,
) -> Result<History, String> {
    let since = project.config.history_since();
    // Walk back from HEAD to the commit the last build had read up to (or
    // to the root, or to the first commit before `since`).
    let mut walked: Vec<git::CommitInfo> = Vec::new();
    let mut reached_cache = false;
    let mut baseline = false;
    let mut next = Some(head);
    while let Some(id) = next {
        if previous.head == Some(id) {
            reached_cache = true;
            break;
        }
        let info = repo.commit(id)?;
        next = info.parent;
        let before_since = since.is_some_and(|s| info.date < s);
        walked.push(info);
        if before_since {
            baseline = true;
            break;
        }
    }
    if !reached_cache {
        previous.commits.clear();
    }
    walked.reverse();
    // The content tree before the oldest walked commit.
    let mut tree_before = match (reached_cache, walked.first()) {
        (true, Some(first)) => match first.parent {
            Some(p) => repo.commit(p)?.content_tree,
            None => None,
        },
        _ => None,
    };
    let mut new_commits = Vec::new();
    for (i, info) in walked.iter().enumerate() {
        let raw = if i == 0 && baseline {
            repo.changes(None, info.content_tree)?
        } else {
            repo.changes(tree_before, info.content_tree)?
        };
        tree_before = info.content_tree;
        if raw.is_empty() {
            continue;
        }
        new_commits.push(Changed {
            id: info.id,
            date: info.date,
            author: if project.config.history_authors {
                info.author.clone()
            } else {
                String::new()
            },
            changes: pair_renames(repo, raw),
        });
    }
    let mut commits = std::mem::take(&mut previous.commits);
    commits.extend(new_commits);
    // Judge every blob not judged before, in parallel.
    let mut wanted: Vec<(ObjectId, String, Date)> = commits
        .iter()
        .flat_map(|c| {
            c.changes
                .iter()
                .filter_map(move |ch| ch.blob.map(|b| (b, ch.path.clone(), c.date)))
        })
        .filter(|k| !previous.judged.contains_key(k))
        .collect();
    wanted.sort();
    wanted.dedup();
    let git_dir = repo.git_dir();
    let fresh: Vec<((ObjectId, String, Date), Judgement)> = wanted
        .into_par_iter()
        .map(|k| {
            let j = match repo_blob(&git_dir, k.0) {
                Ok(bytes) => judge_bytes(project, &bytes, &k.1, k.2).0,
                Err(e) => Judgement::unread(format!("{}: cannot be read from git ({e})", k.1)),
            };
            (k, j)
        })
        .collect();
    let mut judged = std::mem::take(&mut previous.judged);
    judged.extend(fresh);
    // Keep only what this history uses.
    let used: std::collections::HashSet<(ObjectId, &str, Date)> = commits
        .iter()
        .flat_map(|c| {
            c.changes
                .iter()
                .filter_map(move |ch| ch.blob.map(|b| (b, ch.path.as_str(), c.date)))
        })
        .collect();
    judged.retain(|k, _| used.contains(&(k.0, k.1.as_str(), k.2)));
    let pilots = replay(&commits, &judged);
    let mut digest = Xxh3::new();
    let mut pilot_digests = HashMap::with_capacity(pilots.len());
    for (id, points) in &pilots {
        let mut h = Xxh3::new();
        crate::digest::field(&mut h, &format!("{points:?}"));
        let d = h.digest128();
        crate::digest::field(&mut digest, id);
        digest.write_u128(d);
        pilot_digests.insert(id.clone(), d);
    }
    digest.write_u8(project.config.history_authors as u8);
    crate::digest::field(&mut digest, &head.to_string());
    Ok(History {
        head,
        pilots,
        authors: project.config.history_authors,
        content: crate::dossier::discover::show(&project.content_dir(), &project.root),
        cache: cache::Cache {
            key,
            head: Some(head),
            commits,
            judged,
        },
        digest: digest.digest128(),
        pilot_digests,
    })
}

/// Reads a blob in one go. The gix repository handle is not `Sync`, so
/// each thread opens its own view of the object store.
fn repo_blob(path: &Path, id: ObjectId) -> Result<Vec<u8>, String> {
    thread_local! {
        static LOCAL: std::cell::RefCell<Option<(std::path::PathBuf, gix::Repository)>> = const { std::cell::RefCell::new(None) };
    }
    LOCAL.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(p, _)| p != path) {
            let r = gix::open(path).map_err(|e| e.to_string())?;
            *slot = Some((path.to_path_buf(), r));
        }
        let (_, r) = slot.as_ref().expect("just set");
        r.find_blob(id)
            .map(|b| b.data.clone())
            .map_err(|e| e.to_string())
    })
}

/// Pairs the removed and added dossiers of one commit that are one file
/// moved: the same blob, or at least half of the lines in common (git's
/// own default for a rename).
fn pair_renames(repo: &git::Repo, raw: Vec<git::Difference>) -> Vec<Change> {
    let mut changes: Vec<Change> = raw
        .iter()
        .map(|(path, _, after)| Change {
            path: path.clone(),
            blob: *after,
            from: None,
        })
        .collect();
    let removed: Vec<(usize, ObjectId)> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, (_, b, a))| (a.is_none()).then_some((i, (*b)?)))
        .collect();
    let added: Vec<(usize, ObjectId)> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, (_, b, a))| (b.is_none()).then_some((i, (*a)?)))
        .collect();
    if removed.is_empty() || added.is_empty() {
        return changes;
    }
    let mut taken_removed = vec![false; raw.len()];
    let mut taken_added = vec![false; raw.len()];
    // Exact renames first.
    for &(a, ab) in &added {
        if let Some(&(r, _)) = removed
            .iter()
            .find(|(r, rb)| *rb == ab && !taken_removed[*r])
        {
            taken_removed[r] = true;
            taken_added[a] = true;
            changes[a].from = Some(raw[r].0.clone());
        }
    }
    // Then the most similar, when at least half of the lines are shared.
    let lines = |id: ObjectId| -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = repo
            .blob(id)
            .unwrap_or_default()
            .split(|b| *b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        v.sort();
        v
    };
    let left: Vec<(usize, Vec<Vec<u8>>)> = removed
        .iter()
        .filter(|(r, _)| !taken_removed[*r])
        .map(|&(r, b)| (r, lines(b)))
        .collect();
    for &(a, ab) in added.iter().filter(|(a, _)| !taken_added[*a]) {
        let mine = lines(ab);
        let best = left
            .iter()
            .filter(|(r, _)| !taken_removed[*r])
            .map(|(r, theirs)| {
                (
                    *r,
                    shared(&mine, theirs) * 2 >= mine.len().max(theirs.len()),
                    shared(&mine, theirs),
                )
            })
            .filter(|(_, ok, _)| *ok)
            .max_by_key(|(r, _, n)| (*n, std::cmp::Reverse(*r)));
        if let Some((r, _, _)) = best {
            taken_removed[r] = true;
            changes[a].from = Some(raw[r].0.clone());
        }
    }
    // A removed path that became another one is not a removal.
    changes
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !taken_removed[*i])
        .map(|(_, c)| c)
        .collect()
}

/// How many lines two sorted lists of lines have in common.
fn shared(a: &[Vec<u8>], b: &[Vec<u8>]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Plays the commits in order: each dossier path is a pilot, carried over
/// a rename; a point is kept whenever its judgement changes.
fn replay(
    commits: &[Changed],
    judged: &HashMap<(ObjectId, String, Date), Judgement>,
) -> BTreeMap<String, Vec<Point>> {
    struct Track {
        points: Vec<Point>,
        path: String,
    }
    let mut tracks: Vec<Track> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for c in commits {
        for ch in &c.changes {
            let track = match ch.blob {
                None => match at.remove(&ch.path) {
                    Some(t) => {
                        let last = tracks[t].points.last().map(|p| p.judgement.clone());
                        tracks[t].points.push(Point {
                            date: c.date,
                            commit: c.id,
                            author: c.author.clone(),
                            path: ch.path.clone(),
                            judgement: last.unwrap_or_else(|| Judgement::unread(String::new())),
                            removed: true,
                        });
                        continue;
                    }
                    None => continue,
                },
                Some(_) => {
                    let from = ch.from.as_ref().and_then(|f| at.remove(f));
                    match from.or_else(|| at.get(&ch.path).copied()) {
                        Some(t) => t,
                        None => {
                            tracks.push(Track {
                                points: Vec::new(),
                                path: ch.path.clone(),
                            });
                            tracks.len() - 1
                        }
                    }
                }
            };
            at.insert(ch.path.clone(), track);
            tracks[track].path = ch.path.clone();
            let Some(blob) = ch.blob else { continue };
            let Some(j) = judged.get(&(blob, ch.path.clone(), c.date)) else {
                continue;
            };
            let t = &mut tracks[track];
            let same = t
                .points
                .last()
                .is_some_and(|p| !p.removed && p.judgement == *j);
            if !same {
                t.points.push(Point {
                    date: c.date,
                    commit: c.id,
                    author: c.author.clone(),
                    path: ch.path.clone(),
                    judgement: j.clone(),
                    removed: false,
                });
            }
        }
    }
    let mut out: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    for t in tracks {
        if t.points.is_empty() {
            continue;
        }
        let id = crate::dossier::read::id_from_path(&t.path);
        out.entry(id).or_default().extend(t.points);
    }
    for points in out.values_mut() {
        // Tracks of one id (a pilot removed, then added again) in the
        // order of their commits; a stable sort keeps a commit's order.
        let order: HashMap<ObjectId, usize> =
            commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        points.sort_by_key(|p| order.get(&p.commit).copied().unwrap_or(0));
    }
    out
}

/// `history.json`: per pilot, its points, oldest first.
pub fn json(history: &History, as_of: Date) -> String {
    use serde_json::{Map, Value, json};
    let mut pilots = Map::new();
    for (id, points) in &history.pilots {
        let entries: Vec<Value> = points
            .iter()
            .map(|p| {
                let j = &p.judgement;
                let mut e = Map::new();
                e.insert("date".into(), json!(p.date.to_string()));
                e.insert("commit".into(), json!(p.commit.to_string()));
                e.insert("verdict".into(), json!(j.verdict.map(Verdict::as_str)));
                e.insert("readiness".into(), json!(j.readiness));
                e.insert(
                    "most_active".into(),
                    json!(j.most_active.map(Mistake::as_str)),
                );
                e.insert(
                    "flags".into(),
                    json!(j.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>()),
                );
                e.insert("stage".into(), json!(j.stage.map(Stage::as_str)));
                let statuses: Map<String, Value> = Mistake::ALL
                    .iter()
                    .zip(&j.statuses)
                    .map(|(m, s)| (m.as_str().to_string(), json!(s.as_str())))
                    .collect();
                e.insert("statuses".into(), Value::Object(statuses));
                let source = match history.content.as_str() {
                    "" | "." => p.path.clone(),
                    c => format!("{c}/{}", p.path),
                };
                e.insert("source".into(), json!(source));
                if history.authors {
                    e.insert("author".into(), json!(p.author));
                }
                if let Some(err) = &j.error
                    && !p.removed
                {
                    e.insert("error".into(), json!(err));
                }
                if p.removed {
                    e.insert("removed".into(), json!(true));
                }
                Value::Object(e)
            })
            .collect();
        pilots.insert(id.clone(), Value::Array(entries));
    }
    let v = json!({
        "as_of": as_of.to_string(),
        "head": history.head.to_string(),
        "pilots": Value::Object(pilots),
    });
    let mut s = serde_json::to_string(&v).unwrap_or_default();
    s.push('\n');
    s
}
