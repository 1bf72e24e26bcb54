//! What one build read of the history and judged, kept for the next: the
//! commit it read up to, every commit that changed a dossier with its
//! changes, the commits passed over, and the judgement of each blob (by
//! blob, path and date).
//!
//! It lives in the repository's own folder (`.git/pilotscope/`), which git
//! never tracks and no site publishes: never in the output folder, which
//! is often committed (`docs/` for GitHub Pages), where anyone with a pull
//! request could rewrite it. It is used only when its key (the framework,
//! the configuration and this binary's version) matches and git confirms
//! the commits it lists (see `confirmed` in `history`); otherwise history
//! is read again from git.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{Change, Changed, Judgement};
use crate::dossier::Stage;
use crate::framework::{Flag, Mistake, Status, Verdict};

/// The cache's name in the output folder before it moved out of it: a
/// build removes it from there.
pub const LEGACY_FILE: &str = ".pilotscope-history";

/// The version of the cache's text: a cache of another version is read
/// again from git, never misread (3: each judgement keeps its decision
/// date).
const FORMAT: u32 = 3;

/// Where the cache of a project's history is kept: in the repository's
/// own folder, one file per content folder of the work tree.
pub fn path(repo: &super::git::Repo) -> PathBuf {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    crate::digest::field(&mut h, &repo.content_key());
    repo.git_dir().join("pilotscope").join(format!(
        "history-{}.json",
        &crate::digest::to_hex(h.digest128())[..16]
    ))
}

#[derive(Debug, Default, Clone)]
pub struct Cache {
    pub key: u128,
    pub head: Option<ObjectId>,
    pub commits: Vec<Changed>,
    pub judged: HashMap<(ObjectId, String, Date), Judgement>,
    /// Commits passed over, with why.
    pub skipped: Vec<(ObjectId, String)>,
}

#[derive(Serialize, Deserialize)]
struct Text {
    format: u32,
    key: String,
    head: String,
    commits: Vec<CommitText>,
    judged: Vec<JudgedText>,
    /// `[commit, why]`.
    skipped: Vec<[String; 2]>,
}

#[derive(Serialize, Deserialize)]
struct CommitText {
    id: String,
    date: String,
    author: String,
    /// `[path, blob or "", renamed from or ""]`.
    changes: Vec<[String; 3]>,
}

#[derive(Serialize, Deserialize)]
struct JudgedText {
    blob: String,
    path: String,
    date: String,
    verdict: String,
    readiness: Option<u32>,
    most_active: String,
    stage: String,
    statuses: Vec<String>,
    flags: Vec<String>,
    /// `YYYY-MM-DD`, or empty.
    decision_due: String,
    outcomes: u64,
    error: Option<String>,
}

fn oid(s: &str) -> Option<ObjectId> {
    ObjectId::from_hex(s.as_bytes()).ok()
}

impl Cache {
    /// The cache at `path`, when it is there, whole and made with `key`;
    /// an empty one otherwise.
    pub fn read(path: &Path, key: u128) -> Cache {
        let empty = Cache {
            key,
            ..Cache::default()
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            return empty;
        };
        Cache::parse(&text, key).unwrap_or(empty)
    }

    fn parse(text: &str, key: u128) -> Option<Cache> {
        let t: Text = serde_json::from_str(text).ok()?;
        if t.format != FORMAT || crate::digest::from_hex(&t.key)? != key {
            return None;
        }
        let mut commits = Vec::with_capacity(t.commits.len());
        for c in t.commits {
            let mut changes = Vec::with_capacity(c.changes.len());
            for [path, blob, from] in c.changes {
                changes.push(Change {
                    path,
                    blob: if blob.is_empty() {
                        None
                    } else {
                        Some(oid(&blob)?)
                    },
                    from: (!from.is_empty()).then_some(from),
                });
            }
            commits.push(Changed {
                id: oid(&c.id)?,
                date: c.date.parse().ok()?,
                author: c.author,
                changes,
            });
        }
        let mut judged = HashMap::with_capacity(t.judged.len());
        for j in t.judged {
            let opt = |s: &str| (!s.is_empty()).then_some(s.to_string());
            let verdict = match opt(&j.verdict) {
                Some(v) => Some(Verdict::ALL.into_iter().find(|x| x.as_str() == v)?),
                None => None,
            };
            let most_active = match opt(&j.most_active) {
                Some(m) => Some(Mistake::parse(&m)?),
                None => None,
            };
            let stage = match opt(&j.stage) {
                Some(s) => Some(Stage::parse(&s)?),
                None => None,
            };
            let statuses = j
                .statuses
                .iter()
                .map(|s| {
                    [Status::Clear, Status::AtRisk, Status::Active]
                        .into_iter()
                        .find(|x| x.as_str() == s)
                })
                .collect::<Option<Vec<_>>>()?;
            let flags = j
                .flags
                .iter()
                .map(|s| {
                    [Flag::Purgatory, Flag::Stale]
                        .into_iter()
                        .find(|x| x.as_str() == s)
                })
                .collect::<Option<Vec<_>>>()?;
            judged.insert(
                (oid(&j.blob)?, j.path, j.date.parse().ok()?),
                Judgement {
                    verdict,
                    readiness: j.readiness,
                    most_active,
                    stage,
                    statuses,
                    flags,
                    decision_due: match opt(&j.decision_due) {
                        Some(d) => Some(d.parse().ok()?),
                        None => None,
                    },
                    outcomes: j.outcomes,
                    error: j.error,
                },
            );
        }
        let skipped = t
            .skipped
            .into_iter()
            .map(|[id, why]| Some((oid(&id)?, why)))
            .collect::<Option<Vec<_>>>()?;
        Some(Cache {
            key,
            head: oid(&t.head),
            commits,
            judged,
            skipped,
        })
    }

    /// The cache as written to disk; the same cache gives the same text.
    pub fn to_text(&self) -> String {
        let mut judged: Vec<JudgedText> = self
            .judged
            .iter()
            .map(|((blob, path, date), j)| JudgedText {
                blob: blob.to_string(),
                path: path.clone(),
                date: date.to_string(),
                verdict: j.verdict.map_or("", Verdict::as_str).into(),
                readiness: j.readiness,
                most_active: j.most_active.map_or("", Mistake::as_str).into(),
                stage: j.stage.map_or("", Stage::as_str).into(),
                statuses: j.statuses.iter().map(|s| s.as_str().to_string()).collect(),
                flags: j.flags.iter().map(|f| f.as_str().to_string()).collect(),
                decision_due: j.decision_due.map(|d| d.to_string()).unwrap_or_default(),
                outcomes: j.outcomes,
                error: j.error.clone(),
            })
            .collect();
        judged.sort_by(|a, b| (&a.blob, &a.path, &a.date).cmp(&(&b.blob, &b.path, &b.date)));
        let t = Text {
            format: FORMAT,
            key: crate::digest::to_hex(self.key),
            head: self.head.map(|h| h.to_string()).unwrap_or_default(),
            commits: self
                .commits
                .iter()
                .map(|c| CommitText {
                    id: c.id.to_string(),
                    date: c.date.to_string(),
                    author: c.author.clone(),
                    changes: c
                        .changes
                        .iter()
                        .map(|ch| {
                            [
                                ch.path.clone(),
                                ch.blob.map(|b| b.to_string()).unwrap_or_default(),
                                ch.from.clone().unwrap_or_default(),
                            ]
                        })
                        .collect(),
                })
                .collect(),
            judged,
            skipped: self
                .skipped
                .iter()
                .map(|(id, why)| [id.to_string(), why.clone()])
                .collect(),
        };
        let mut s = serde_json::to_string(&t).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_reads_back_as_written_and_only_with_its_key() {
        let blob = ObjectId::from_hex(b"0123456789012345678901234567890123456789").unwrap();
        let mut c = Cache {
            key: 7,
            head: Some(blob),
            commits: vec![Changed {
                id: blob,
                date: jiff::civil::date(2026, 3, 4),
                author: "Ada".into(),
                changes: vec![Change {
                    path: "a.md".into(),
                    blob: Some(blob),
                    from: Some("b.md".into()),
                }],
            }],
            judged: HashMap::new(),
            skipped: vec![(blob, "its date cannot be read".into())],
        };
        c.judged.insert(
            (blob, "a.md".into(), jiff::civil::date(2026, 3, 4)),
            Judgement {
                verdict: Some(Verdict::AtRisk),
                readiness: Some(74),
                most_active: Some(Mistake::Governance),
                stage: Some(Stage::Pilot),
                statuses: vec![Status::Clear; 5],
                flags: vec![Flag::Stale],
                decision_due: Some(jiff::civil::date(2026, 5, 1)),
                outcomes: 3,
                error: None,
            },
        );
        let text = c.to_text();
        let back = Cache::parse(&text, 7).unwrap();
        assert_eq!(back.commits, c.commits);
        assert_eq!(back.judged, c.judged);
        assert_eq!(back.skipped, c.skipped);
        assert_eq!(back.to_text(), text);
        assert!(Cache::parse(&text, 8).is_none());
        assert!(Cache::parse("{", 7).is_none());
        // A cache written before judgements kept their decision date is
        // read again from git, with or without the new field.
        let older = text.replace("\"format\":3", "\"format\":2");
        assert!(older.contains("\"format\":2"), "{older}");
        assert!(Cache::parse(&older, 7).is_none());
        assert!(Cache::parse(&older.replace(",\"decision_due\":\"2026-05-01\"", ""), 7).is_none());
    }
}
