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
//! walked, are kept in the repository's own folder ([`cache`]; never in
//! the output folder, which may be committed and is published), so that
//! when the branch moves by a commit only that commit is read and only its
//! dossiers are judged.
//!
//! A commit git cannot place in time or read (a date past year 9999, a
//! garbage date, a missing tree) is skipped and named; what it changed is
//! counted at the next commit. A dossier's content that is not in the
//! repository (a partial clone, or damage) is never judged as a dossier
//! that "cannot be read": the history is not built, and the build says why.
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
    /// The decision date the dossier gave, so that days in purgatory are
    /// counted from it and not from the commits that happen to follow it.
    pub decision_due: Option<Date>,
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
            decision_due: d.decision_due(),
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
            decision_due: None,
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
    let source = crate::diagnostic::show_path(&project.content_dir().join(rel_path), &project.root);
    let id = crate::dossier::read::id_from_path(rel_path);
    if crate::dossier::read::too_large(bytes.len() as u64) {
        return (too_large(project, rel_path), None);
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
    /// Commits passed over, with why: git cannot place them in time or
    /// read their tree.
    pub skipped: Vec<(ObjectId, String)>,
    /// What to keep for the next build, and where.
    cache: cache::Cache,
    cache_path: std::path::PathBuf,
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

    /// What was read and judged, to keep for the next build at
    /// [`History::cache_path`] (the build writes it under the output
    /// folder's lock: see `site::Builder::build`).
    pub fn cache_text(&self) -> String {
        self.cache.to_text()
    }

    /// Where [`History::cache_text`] is kept: in the repository's own
    /// folder (`.git/pilotscope/`), never in the output folder.
    pub fn cache_path(&self) -> &Path {
        &self.cache_path
    }

    /// The points of a pilot, when it has any.
    pub fn of(&self, id: &str) -> &[Point] {
        self.pilots.get(id).map_or(&[], Vec::as_slice)
    }
}

/// What [`load`] found.
#[derive(Debug)]
pub enum Found {
    /// `history = false`.
    Off,
    /// Why there is no history.
    Missing(Missing),
    Read(Box<History>),
}

impl Found {
    pub fn history(&self) -> Option<&History> {
        match self {
            Found::Read(h) => Some(h),
            _ => None,
        }
    }

    /// What to tell the user, once, when there is no history or commits
    /// were passed over.
    pub fn notice(&self) -> Option<String> {
        match self {
            Found::Off => None,
            Found::Read(h) => skipped_notice(&h.skipped),
            Found::Missing(m) => Some(notice(m)),
        }
    }
}

/// The sentence that says why there is no history.
pub fn notice(m: &Missing) -> String {
    let (why, fix) = match m {
        Missing::NoRepository => ("the project is not in a git repository".to_string(), ""),
        Missing::Shallow => (
            "this is a shallow clone, so the older commits are not here".to_string(),
            " (here: `git fetch --unshallow`; in GitHub Actions: `fetch-depth: 0` on \
             actions/checkout)",
        ),
        Missing::Partial => (
            "this is a partial clone (`git clone --filter`), so older contents of the \
             dossiers are not here"
                .to_string(),
            " (here: `git fetch --refetch --no-filter origin`; in GitHub Actions: \
             `fetch-depth: 0` and no `filter` on actions/checkout)",
        ),
        Missing::NoCommit => ("the repository has no commit yet".to_string(), ""),
        Missing::Broken(e) => (format!("the git repository cannot be read ({e})"), ""),
    };
    format!(
        "the site has no history: {why}. History needs the full history of the \
         branch{fix}; `history = false` in pilotscope.toml turns it off"
    )
}

/// The note that names the commits history passed over.
fn skipped_notice(skipped: &[(ObjectId, String)]) -> Option<String> {
    let ((first, why), rest) = skipped.split_first()?;
    let more = match rest.len() {
        0 => String::new(),
        n => format!(" and {}", crate::words::plural(n, "other", "others")),
    };
    Some(format!(
        "history passes over commit {}{more}: {why}; what it changed is counted at the \
         next commit",
        first.to_hex_with_len(7)
    ))
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
    // Without authors, the cache holds none.
    h.write_u8(project.config.history_authors as u8);
    h.digest128()
}

/// Reads the history of `project`, with what an earlier build kept.
pub fn load(project: &Project) -> Found {
    if !project.config.history {
        return Found::Off;
    }
    let repo = match git::Repo::open(
        &project.root,
        &project.config.content_dir,
        &project.config.faq,
    ) {
        Ok(r) => r,
        Err(m) => return Found::Missing(m),
    };
    let head = match repo.head() {
        Ok(h) => h,
        Err(m) => return Found::Missing(m),
    };
    let key = judging_key(project);
    let path = cache::path(&repo);
    let previous = cache::Cache::read(&path, key);
    match read(project, &repo, head, (key, &path), previous) {
        Ok(h) => Found::Read(Box::new(h)),
        // In a partial clone, what cannot be read was left out on purpose.
        Err(e) => Found::Missing(repo.lacking(e)),
    }
}

/// The files of a repository that say which commit the checked-out branch
/// is at: `HEAD` (a checkout), the branches (a commit, a reset) and
/// `packed-refs`. `watch` and `serve` watch them, so that a commit or a
/// checkout that changes no file of the project still moves the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadFiles {
    git_dir: std::path::PathBuf,
    common_dir: std::path::PathBuf,
}

impl HeadFiles {
    /// Those of the repository that holds `root`, when there is one.
    pub fn of(root: &Path) -> Option<HeadFiles> {
        let repo = gix::discover(root).ok()?;
        Some(HeadFiles {
            git_dir: repo.git_dir().to_path_buf(),
            common_dir: repo.common_dir().to_path_buf(),
        })
    }

    /// The folders to watch, each with whether to watch it recursively.
    pub fn watch(&self) -> Vec<(std::path::PathBuf, bool)> {
        let mut out = vec![
            (self.git_dir.clone(), false),
            (self.common_dir.join("refs").join("heads"), true),
        ];
        if self.common_dir != self.git_dir {
            out.push((self.common_dir.clone(), false));
        }
        out
    }

    /// Whether a changed path may have moved the branch's head.
    pub fn moved(&self, path: &Path) -> bool {
        path == self.git_dir.join("HEAD")
            || path == self.common_dir.join("packed-refs")
            || path.starts_with(self.common_dir.join("refs").join("heads"))
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
    (key, cache_path): (u128, &Path),
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
            match confirmed(repo, &previous, project.config.history_authors)? {
                Some(true) => {
                    reached_cache = true;
                    break;
                }
                // Nothing of a cache git does not confirm is used, its
                // judgements included.
                Some(false) => previous.judged.clear(),
                None => {}
            }
        }
        let info = repo.commit(id)?;
        next = info.parent;
        let before_since = since.is_some_and(|s| info.date.as_ref().is_ok_and(|d| *d < s));
        walked.push(info);
        if before_since {
            baseline = true;
            break;
        }
    }
    if !reached_cache {
        previous.commits.clear();
        previous.skipped.clear();
    }
    walked.reverse();
    // The content tree before the oldest walked commit.
    let mut tree_before = match (reached_cache, walked.first()) {
        (true, Some(first)) => match first.parent {
            Some(p) => repo.content_tree(p)?,
            None => None,
        },
        _ => None,
    };
    let mut new_commits = Vec::new();
    let mut skipped = std::mem::take(&mut previous.skipped);
    for (i, info) in walked.iter().enumerate() {
        // A commit that cannot be placed in time or read is named and
        // passed over: the next one is compared with the tree before it.
        let date = match &info.date {
            Ok(d) => *d,
            Err(why) => {
                skipped.push((info.id, why.clone()));
                continue;
            }
        };
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
            date,
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
        .map(|k| judge_blob(project, &git_dir, &k).map(|j| (k, j)))
        .collect::<Result<_, String>>()?;
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
        content: crate::diagnostic::show_path(&project.content_dir(), &project.root),
        skipped: skipped.clone(),
        cache: cache::Cache {
            key,
            head: Some(head),
            commits,
            judged,
            skipped,
        },
        cache_path: cache_path.to_path_buf(),
        digest: digest.digest128(),
        pilot_digests,
    })
}

/// Whether git confirms what the cache says of the commits up to its head:
/// each commit it lists is on the first-parent chain below that head, in
/// order, with the date and author git has for it. A cache that says
/// anything else is not used (`Some(false)`); `None`: its head is a commit
/// that is passed over, so the walk cannot start from it.
fn confirmed(
    repo: &git::Repo,
    cache: &cache::Cache,
    authors: bool,
) -> Result<Option<bool>, String> {
    // A head git cannot date or read has no tree to compare the next
    // commit with: the history is read again, the judgements kept.
    if let Some(head) = cache.head
        && repo.commit(head)?.date.is_err()
    {
        return Ok(None);
    }
    let mut wanted = cache.commits.iter().rev().peekable();
    let mut next = cache.head;
    while let Some(id) = next {
        let Some(c) = wanted.peek() else {
            return Ok(Some(true));
        };
        let info = repo.commit(id)?;
        if c.id == id {
            let author = if authors { info.author.as_str() } else { "" };
            if info.date.as_ref() != Ok(&c.date) || c.author != author {
                return Ok(Some(false));
            }
            wanted.next();
        }
        next = info.parent;
    }
    Ok(Some(wanted.peek().is_none()))
}

/// Reads a blob in one go, refusing one larger than a dossier may be
/// from its header, before unpacking it. The gix repository handle is not
/// `Sync`, so each thread opens its own view of the object store.
fn repo_blob(path: &Path, id: ObjectId) -> Result<Vec<u8>, git::BlobTrouble> {
    thread_local! {
        static LOCAL: std::cell::RefCell<Option<(std::path::PathBuf, gix::Repository)>> = const { std::cell::RefCell::new(None) };
    }
    LOCAL.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(p, _)| p != path) {
            let r = gix::open(path).map_err(|e| git::BlobTrouble::Broken(e.to_string()))?;
            *slot = Some((path.to_path_buf(), r));
        }
        let (_, r) = slot.as_ref().expect("just set");
        git::capped_blob(r, id)
    })
}

/// The judgement of a blob that was not read whole: one too large is a
/// dossier that cannot be read; any other trouble is the repository's.
fn judge_blob(
    project: &Project,
    git_dir: &Path,
    (blob, path, date): &(ObjectId, String, Date),
) -> Result<Judgement, String> {
    match repo_blob(git_dir, *blob) {
        Ok(bytes) => Ok(judge_bytes(project, &bytes, path, *date).0),
        Err(git::BlobTrouble::TooLarge(_)) => Ok(too_large(project, path)),
        Err(e) => Err(format!(
            "{} as of {date} is not in the repository ({e})",
            crate::diagnostic::show_path(&project.content_dir().join(path), &project.root)
        )),
    }
}

/// The judgement of a dossier larger than a dossier may be.
fn too_large(project: &Project, rel_path: &str) -> Judgement {
    let source = crate::diagnostic::show_path(&project.content_dir().join(rel_path), &project.root);
    Judgement::unread(format!("{source}: {}", crate::dossier::read::TOO_LARGE))
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
