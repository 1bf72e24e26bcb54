//! Reading the repository that holds a project, with gix: the commits of
//! the checked-out branch (first parent only), which dossiers each one
//! changed, and the bytes of a dossier at a commit.
//!
//! Only the content folder's trees are read. Two trees with the same id
//! hold the same files, so a commit that did not touch the content folder
//! costs one comparison, and one that changed a dossier costs the trees on
//! the way to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use jiff::civil::Date;

use crate::dossier::discover::is_dossier_path;
use crate::words;

/// The repository of a project, and where its content folder is in it.
pub struct Repo {
    repo: gix::Repository,
    /// The content folder relative to the work tree, with `/`; empty when
    /// the content folder is the work tree itself.
    content: Vec<String>,
    /// The FAQ file, relative to the content folder.
    faq: String,
    /// A partial clone: objects may be missing on purpose.
    partial: bool,
}

/// Why there is no history to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The project is not inside a git work tree.
    NoRepository,
    /// A shallow clone: the older commits are not there.
    Shallow,
    /// A partial clone (`git clone --filter`) that lacks contents of
    /// dossiers the history or `diff` needs.
    Partial,
    /// The repository has no commit yet.
    NoCommit,
    /// The repository could not be read.
    Broken(String),
}

/// One commit of the first-parent chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: ObjectId,
    /// The committer's date in UTC, or why the commit cannot be placed in
    /// time or read (a date past year 9999 or not a date, a missing
    /// tree): such a commit is skipped, and what it changed is counted at
    /// the next commit that can be read.
    pub date: Result<Date, String>,
    pub author: String,
    /// The content folder's tree (`None`: no content folder at that commit).
    pub content_tree: Option<ObjectId>,
    pub parent: Option<ObjectId>,
}

/// Why a blob's bytes were not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobTrouble {
    /// The object is not in the repository (a partial clone, or damage).
    Missing,
    /// Its header says it is larger than a dossier may be; it was not
    /// unpacked.
    TooLarge(u64),
    /// It could not be read.
    Broken(String),
}

impl std::fmt::Display for BlobTrouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobTrouble::Missing => f.write_str("the object is not in this repository"),
            BlobTrouble::TooLarge(n) => write!(f, "the object is {n} bytes"),
            BlobTrouble::Broken(e) => f.write_str(e),
        }
    }
}

/// Reads a blob no larger than a dossier may be
/// ([`crate::dossier::read::too_large`]): its size is read from the object's
/// header first, so a blob that is small packed and huge unpacked (a
/// compressed bomb) is refused before it is inflated.
pub fn capped_blob(repo: &gix::Repository, id: ObjectId) -> Result<Vec<u8>, BlobTrouble> {
    let header = match repo.try_find_header(id) {
        Ok(Some(h)) => h,
        Ok(None) => return Err(BlobTrouble::Missing),
        Err(e) => return Err(BlobTrouble::Broken(e.to_string())),
    };
    if crate::dossier::read::too_large(header.size()) {
        return Err(BlobTrouble::TooLarge(header.size()));
    }
    match repo.try_find_object(id) {
        Ok(Some(o)) if o.kind == gix::object::Kind::Blob => Ok(o.detach().data),
        Ok(Some(o)) => Err(BlobTrouble::Broken(format!(
            "{id} is a {}, not a file",
            o.kind
        ))),
        Ok(None) => Err(BlobTrouble::Missing),
        Err(e) => Err(BlobTrouble::Broken(e.to_string())),
    }
}

/// Whether a repository is a partial clone: a promisor remote, or the
/// extension git sets for one.
fn is_partial(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    if config.string("extensions.partialClone").is_some() {
        return true;
    }
    repo.remote_names().iter().any(|name| {
        config
            .boolean(format!("remote.{name}.promisor").as_str())
            .unwrap_or(false)
            || config
                .string(format!("remote.{name}.partialCloneFilter").as_str())
                .is_some()
    })
}

/// A dossier file in a tree: its path relative to the content folder and
/// its blob.
pub type Listing = BTreeMap<String, ObjectId>;

/// A dossier that differs between two trees: its path, and its blob before
/// and after (`None`: not there).
pub type Difference = (String, Option<ObjectId>, Option<ObjectId>);

/// A revision that counts back along first parents (`HEAD~99`, `main^^`,
/// `HEAD~2~3`): the revision it counts from and how many steps. `None`
/// when it does not count back, or names another parent (`HEAD^2`).
fn steps_back(spec: &str) -> Option<(&str, usize)> {
    let start = spec.find(['~', '^'])?;
    let (from, mut rest) = spec.split_at(start);
    let mut steps = 0usize;
    while let Some(mark) = rest.chars().next() {
        rest = &rest[mark.len_utf8()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = match &rest[..digits] {
            "" => 1,
            d => d.parse().ok()?,
        };
        if mark == '^' && n != 1 || !matches!(mark, '~' | '^') {
            return None;
        }
        steps = steps.checked_add(n)?;
        rest = &rest[digits..];
    }
    (!from.is_empty()).then_some((from, steps))
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Repo {
    /// The repository that holds `root`, when there is one with the whole
    /// history of its branch.
    pub fn open(root: &Path, content_dir: &Path, faq: &str) -> Result<Repo, Missing> {
        let repo = match gix::discover(root) {
            Ok(r) => r,
            Err(_) => return Err(Missing::NoRepository),
        };
        if repo.is_shallow().map_err(|e| Missing::Broken(err(e)))? {
            return Err(Missing::Shallow);
        }
        let Some(work) = repo.workdir() else {
            return Err(Missing::NoRepository);
        };
        let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let content_abs: PathBuf = canon(&root.join(content_dir));
        let rel = content_abs
            .strip_prefix(canon(work))
            .map_err(|_| Missing::NoRepository)?;
        let content = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .filter(|c| !c.is_empty() && c != ".")
            .collect();
        Ok(Repo {
            partial: is_partial(&repo),
            repo,
            content,
            faq: faq.to_string(),
        })
    }

    /// What tells this project's content folder from another's in the same
    /// work tree: its path there, and the FAQ's name.
    pub fn content_key(&self) -> String {
        format!("{}\n{}", self.content.join("/"), self.faq)
    }

    /// Why an object the history needs is not here: a partial clone's
    /// omission, or damage.
    pub fn lacking(&self, e: String) -> Missing {
        if self.partial {
            Missing::Partial
        } else {
            Missing::Broken(e)
        }
    }

    /// The repository's own folder (`.git`).
    pub fn git_dir(&self) -> PathBuf {
        self.repo.git_dir().to_path_buf()
    }

    /// The commit HEAD points at.
    pub fn head(&self) -> Result<ObjectId, Missing> {
        match self.repo.head_id() {
            Ok(id) => Ok(id.detach()),
            Err(_) => Err(Missing::NoCommit),
        }
    }

    /// A revision as git writes it (`main`, `origin/main`, `HEAD~2`, a hash).
    pub fn resolve(&self, spec: &str) -> Result<ObjectId, String> {
        let id = self.repo.rev_parse_single(spec).map_err(|e| {
            self.too_far_back(spec)
                .unwrap_or_else(|| format!("`{spec}` is not a revision of this repository ({e})"))
        })?;
        let object = id.object().map_err(err)?;
        let commit = object
            .peel_to_commit()
            .map_err(|_| format!("`{spec}` is not a commit"))?;
        Ok(commit.id)
    }

    /// Why `spec` cannot be read when it counts back (`HEAD~99`,
    /// `main^^`) past the first commit: how many commits there are before
    /// the revision it counts from, in words. `None` for any other spec.
    fn too_far_back(&self, spec: &str) -> Option<String> {
        let (from, steps) = steps_back(spec)?;
        let mut id = self.resolve(from).ok()?;
        let mut before = 0;
        while before < steps {
            match self.repo.find_commit(id).ok()?.parent_ids().next() {
                Some(parent) => id = parent.detach(),
                None => break,
            }
            before += 1;
        }
        (before < steps).then(|| {
            let has = match before {
                0 => "no commit".to_string(),
                n => format!("only {}", words::plural(n, "commit", "commits")),
            };
            format!(
                "`{spec}` goes back {} from {from}, but {from} has {has} before it",
                words::plural(steps, "commit", "commits")
            )
        })
    }

    /// The best common ancestor of two commits.
    pub fn merge_base(&self, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>, String> {
        Ok(self
            .repo
            .merge_base(a, b)
            .map_err(err)?
            .map(|id| id.detach()))
    }

    /// The branch a pull request goes into: the remote's HEAD, or `main`,
    /// or `master`, whichever exists first.
    pub fn default_branch(&self) -> Option<ObjectId> {
        [
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
            "refs/remotes/origin/master",
            "refs/heads/main",
            "refs/heads/master",
        ]
        .iter()
        .find_map(|r| self.resolve(r).ok())
    }

    /// One commit: its date (the committer's, in UTC), author, content
    /// tree and first parent. Only a commit that is not there at all is an
    /// error; one whose date or tree cannot be read says why in `date`.
    pub fn commit(&self, id: ObjectId) -> Result<CommitInfo, String> {
        let commit = self
            .repo
            .find_commit(id)
            .map_err(|e| format!("commit {} cannot be read ({e})", id.to_hex_with_len(7)))?;
        let parent = commit.parent_ids().next().map(|p| p.detach());
        let author = commit
            .author()
            .map(|a| a.name.to_string())
            .unwrap_or_default();
        let date = commit
            .time()
            .map_err(|e| format!("its date cannot be read ({e})"))
            .and_then(|t| {
                jiff::Timestamp::from_second(t.seconds).map_err(|_| {
                    format!(
                        "its date ({} s after 1970) is not one a calendar holds",
                        t.seconds
                    )
                })
            })
            .map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
        let (date, content_tree) = match self.content_tree_of(&commit) {
            Ok(tree) => (date, tree),
            Err(e) => (Err(e), None),
        };
        Ok(CommitInfo {
            id,
            date,
            author,
            content_tree,
            parent,
        })
    }

    /// The content folder's tree at a commit (`None`: no content folder).
    pub fn content_tree(&self, id: ObjectId) -> Result<Option<ObjectId>, String> {
        let commit = self.repo.find_commit(id).map_err(err)?;
        self.content_tree_of(&commit)
    }

    fn content_tree_of(&self, commit: &gix::Commit<'_>) -> Result<Option<ObjectId>, String> {
        let tree = commit
            .tree_id()
            .map_err(|e| format!("its tree cannot be read ({e})"))?
            .detach();
        self.subtree(tree, &self.content)
            .map_err(|e| format!("its tree cannot be read ({e})"))
    }

    /// The tree at `path` under `tree`, if there is one.
    fn subtree(&self, mut tree: ObjectId, path: &[String]) -> Result<Option<ObjectId>, String> {
        for part in path {
            let t = self.repo.find_tree(tree).map_err(err)?;
            let decoded = t.decode().map_err(err)?;
            match decoded
                .entries
                .iter()
                .find(|e| e.filename == part.as_str() && e.mode.is_tree())
            {
                Some(e) => tree = e.oid.to_owned(),
                None => return Ok(None),
            }
        }
        Ok(Some(tree))
    }

    /// Every dossier in a content tree.
    pub fn listing(&self, tree: Option<ObjectId>) -> Result<Listing, String> {
        let mut out = Listing::new();
        if let Some(tree) = tree {
            self.list_into(tree, "", &mut out)?;
        }
        Ok(out)
    }

    /// A tree's entries: name, whether a tree, whether a file, and id.
    /// A name that is not UTF-8 is left out, as discovery leaves it out of
    /// the working tree; a submodule (a commit in the tree) is neither a
    /// tree nor a file, so its dossiers are never read, in git as on disk.
    fn entries(&self, tree: ObjectId) -> Result<Vec<(String, bool, bool, ObjectId)>, String> {
        let t = self.repo.find_tree(tree).map_err(err)?;
        let decoded = t.decode().map_err(err)?;
        Ok(decoded
            .entries
            .iter()
            .filter_map(|e| {
                let name = std::str::from_utf8(e.filename).ok()?;
                Some((
                    name.to_string(),
                    e.mode.is_tree(),
                    e.mode.is_blob(),
                    e.oid.to_owned(),
                ))
            })
            .collect())
    }

    fn list_into(&self, tree: ObjectId, prefix: &str, out: &mut Listing) -> Result<(), String> {
        for (name, is_tree, is_blob, oid) in self.entries(tree)? {
            let path = format!("{prefix}{name}");
            if is_tree {
                if !crate::dossier::discover::is_ignored_name(&name) {
                    self.list_into(oid, &format!("{path}/"), out)?;
                }
            } else if is_blob && is_dossier_path(&path, &self.faq) {
                out.insert(path, oid);
            }
        }
        Ok(())
    }

    /// The dossiers that differ between two content trees: each path with
    /// its blob before and after (`None`: not there). Only subtrees whose
    /// ids differ are read.
    pub fn changes(
        &self,
        before: Option<ObjectId>,
        after: Option<ObjectId>,
    ) -> Result<Vec<Difference>, String> {
        let mut out = Vec::new();
        self.diff_into(before, after, "", &mut out)?;
        Ok(out)
    }

    fn diff_into(
        &self,
        before: Option<ObjectId>,
        after: Option<ObjectId>,
        prefix: &str,
        out: &mut Vec<Difference>,
    ) -> Result<(), String> {
        if before == after {
            return Ok(());
        }
        let side =
            |t: Option<ObjectId>| -> Result<BTreeMap<String, (bool, bool, ObjectId)>, String> {
                Ok(match t {
                    Some(t) => self
                        .entries(t)?
                        .into_iter()
                        .map(|(n, tr, b, o)| (n, (tr, b, o)))
                        .collect(),
                    None => BTreeMap::new(),
                })
            };
        let (a, b) = (side(before)?, side(after)?);
        let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let (x, y) = (a.get(name), b.get(name));
            if x.map(|e| e.2) == y.map(|e| e.2) && x.map(|e| e.0) == y.map(|e| e.0) {
                continue;
            }
            let path = format!("{prefix}{name}");
            let tree_of = |e: Option<&(bool, bool, ObjectId)>| e.filter(|e| e.0).map(|e| e.2);
            let blob_of = |e: Option<&(bool, bool, ObjectId)>| e.filter(|e| e.1).map(|e| e.2);
            if (tree_of(x).is_some() || tree_of(y).is_some())
                && !crate::dossier::discover::is_ignored_name(name)
            {
                self.diff_into(tree_of(x), tree_of(y), &format!("{path}/"), out)?;
            }
            if is_dossier_path(&path, &self.faq) {
                let (bx, by) = (blob_of(x), blob_of(y));
                if bx != by {
                    out.push((path, bx, by));
                }
            }
        }
        Ok(())
    }

    /// A blob's bytes, when it is no larger than a dossier may be.
    pub fn blob(&self, id: ObjectId) -> Result<Vec<u8>, BlobTrouble> {
        capped_blob(&self.repo, id)
    }

    /// Whether every one of `blobs` is in the repository: a partial clone
    /// or a damaged one lacks some.
    pub fn missing(&self, blobs: impl IntoIterator<Item = ObjectId>) -> Vec<ObjectId> {
        blobs
            .into_iter()
            .filter(|b| !matches!(self.repo.try_find_header(*b), Ok(Some(_))))
            .collect()
    }
}
