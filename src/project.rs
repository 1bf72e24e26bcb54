//! A project on disk: its root, configuration and framework, and reading and
//! judging all of its dossiers.
//!
//! This is the "files → model → diagnosis" half of the pipeline. The file
//! reads happen here and in `dossier::read::load`; judging is pure and runs
//! in parallel (rayon). The `watch` loop reuses [`read_entry`] and
//! [`Judged::from_entries`] on the files that changed.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::dossier::{self, Dossier, DossierFile};
use crate::framework::{self, Diagnosis, Framework};
use crate::portfolio::Portfolio;

/// Configuration and rules of one dossier repository.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    pub framework: Framework,
    /// The project's framework file, when one is in force.
    pub framework_file: Option<PathBuf>,
}

impl Project {
    /// Reads `pilotscope.toml` and the framework file of the project at `root`.
    pub fn open(root: &Path) -> Result<Project, Vec<Diagnostic>> {
        Project::open_with(root, None)
    }

    /// Like [`Project::open`], with the configuration read from `config`
    /// (`--config FILE`) instead of the root's `pilotscope.toml`.
    pub fn open_with(root: &Path, config: Option<&Path>) -> Result<Project, Vec<Diagnostic>> {
        let config = match config {
            Some(file) => Config::load_file(file, &crate::diagnostic::show_path(file, root))?,
            None => Config::load(root)?,
        };
        let framework_file = match &config.framework {
            Some(f) => Some(root.join(f)),
            None => Some(root.join("framework.toml")).filter(|p| p.is_file()),
        };
        let framework = match &framework_file {
            Some(path) => {
                let shown = crate::diagnostic::show_path(path, root);
                let text = std::fs::read_to_string(path).map_err(|e| {
                    vec![Diagnostic::error(
                        Code::FrameworkUnreadable,
                        shown.clone(),
                        format!("the framework file cannot be read: {e}"),
                    )]
                })?;
                framework::load_framework(Some((&text, &shown)))?
            }
            None => Framework::builtin(),
        };
        Ok(Project {
            root: root.to_path_buf(),
            config,
            framework,
            framework_file,
        })
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join(&self.config.content_dir)
    }

    pub fn output_dir(&self) -> PathBuf {
        self.root.join(&self.config.output_dir)
    }

    pub fn templates_dir(&self) -> PathBuf {
        self.root.join(&self.config.templates_dir)
    }

    pub fn faq_path(&self) -> PathBuf {
        self.content_dir().join(&self.config.faq)
    }

    /// The dossier files, sorted, and warnings about skipped files.
    pub fn discover(&self) -> (Vec<DossierFile>, Vec<Diagnostic>) {
        dossier::discover(&self.content_dir(), &self.root, &self.config.faq)
    }

    /// Why the content folder cannot be read, when it cannot.
    pub fn content_problem(&self) -> Option<Diagnostic> {
        let content = self.content_dir();
        (!content.is_dir()).then(|| {
            Diagnostic::error(Code::ContentMissing, crate::diagnostic::show_path(&content, &self.root), "the content folder does not exist")
                .with_help("create it with `pilotscope init`, or point `--root` or `content_dir` at the folder holding the dossiers")
        })
    }

    /// Reads and judges the dossiers at `paths` only (for pre-commit and
    /// editors); also returns the paths that are no dossier of this
    /// project (outside the content folder, the FAQ, an ignored name).
    /// Ids are compared among these dossiers only.
    pub fn judge_only(&self, as_of: Date, paths: &[PathBuf]) -> (Judged, Vec<PathBuf>) {
        let wanted: Vec<PathBuf> = paths
            .iter()
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
            .collect();
        let (files, _) = self.discover();
        let mut found = vec![false; wanted.len()];
        let files: Vec<DossierFile> = files
            .into_iter()
            .filter(|f| {
                let path = f.path.canonicalize().unwrap_or_else(|_| f.path.clone());
                match wanted.iter().position(|w| *w == path) {
                    Some(i) => {
                        found[i] = true;
                        true
                    }
                    None => false,
                }
            })
            .collect();
        let entries: Vec<Entry> = files
            .into_par_iter()
            .map(|f| read_entry(f, &self.framework, as_of, self.config.stale_days))
            .collect();
        let skipped = paths
            .iter()
            .zip(found)
            .filter(|(_, f)| !f)
            .map(|(p, _)| p.clone())
            .collect();
        (Judged::from_entries(entries, Vec::new(), as_of), skipped)
    }

    /// Reads and judges every dossier.
    pub fn judge_all(&self, as_of: Date) -> Judged {
        if let Some(d) = self.content_problem() {
            return Judged::from_entries(Vec::new(), vec![d], as_of);
        }
        let (files, warnings) = self.discover();
        let entries: Vec<Entry> = files
            .into_par_iter()
            .map(|f| read_entry(f, &self.framework, as_of, self.config.stale_days))
            .collect();
        Judged::from_entries(entries, warnings, as_of)
    }
}

/// One dossier file and what became of it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub file: DossierFile,
    /// Errors and warnings of this file.
    pub diagnostics: Vec<Diagnostic>,
    /// The dossier and its diagnosis, when the file could be read.
    pub judged: Option<(Dossier, Diagnosis)>,
    /// A fingerprint of the file's bytes ([`dossier::read::digest`]),
    /// or of why it could not be read: the site's pages of this file need
    /// rendering again only when it changes.
    pub digest: u128,
}

impl Entry {
    /// Whether the file was dropped because its id is another file's.
    pub fn lost_id_clash(&self) -> bool {
        self.judged.is_none()
            && self
                .diagnostics
                .iter()
                .any(|d| d.code == crate::diagnostic::Code::DossierDuplicateId)
    }
}

/// Reads and judges one file.
pub fn read_entry(file: DossierFile, framework: &Framework, as_of: Date, stale_days: i64) -> Entry {
    let (loaded, digest) = match dossier::read::read_bytes(&file.path, &file.source) {
        Ok(bytes) => (
            dossier::load_text(&bytes, &file.source, &file.rel_path, &file.id),
            dossier::read::digest(&bytes),
        ),
        Err(d) => {
            let digest = dossier::read::unreadable_digest(&d.message);
            (
                dossier::Reading {
                    dossier: None,
                    diagnostics: vec![d],
                },
                digest,
            )
        }
    };
    let judged = loaded.dossier.map(|d| {
        let diagnosis = framework::judge(&d, framework, as_of, stale_days);
        (d, diagnosis)
    });
    Entry {
        file,
        diagnostics: loaded.diagnostics,
        judged,
        digest,
    }
}

/// Every dossier of a project, judged, and the portfolio figures.
#[derive(Debug, Clone)]
pub struct Judged {
    pub as_of: Date,
    /// Sorted by path.
    pub entries: Vec<Entry>,
    /// Problems that belong to no single dossier.
    pub warnings: Vec<Diagnostic>,
    pub portfolio: Portfolio,
}

impl Judged {
    /// Sorts the entries, turns clashing ids into errors and computes the
    /// portfolio figures.
    pub fn from_entries(mut entries: Vec<Entry>, warnings: Vec<Diagnostic>, as_of: Date) -> Judged {
        entries.sort_by(|a, b| a.file.rel_path.cmp(&b.file.rel_path));
        // The first readable file of an id keeps it; each later one is an
        // error. Found by index, so that the dev server's rebuild after one
        // edit does not copy every id and path of a large portfolio.
        let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
        let mut clashes: Vec<(usize, usize)> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if e.judged.is_some() {
                match first_of.entry(e.file.id.as_str()) {
                    Slot::Occupied(first) => clashes.push((i, *first.get())),
                    Slot::Vacant(slot) => {
                        slot.insert(i);
                    }
                }
            }
        }
        for (i, first) in clashes {
            let first = entries[first].file.source.clone();
            let e = &mut entries[i];
            e.diagnostics.push(
                Diagnostic::error(
                    Code::DossierDuplicateId,
                    e.file.source.clone(),
                    format!(
                        "this dossier's id `{}` is the same as that of {first}",
                        e.file.id
                    ),
                )
                .with_help("rename one of the files: the id comes from the file name"),
            );
            e.judged = None;
        }
        let mut portfolio = Portfolio::compute(
            entries
                .iter()
                .filter_map(|e| e.judged.as_ref().map(|(d, g)| (d, g))),
        );
        portfolio.unread = entries.iter().filter(|e| e.judged.is_none()).count();
        Judged {
            as_of,
            entries,
            warnings,
            portfolio,
        }
    }

    /// The judged pilots, in order.
    pub fn pilots(&self) -> impl Iterator<Item = (&Dossier, &Diagnosis)> {
        self.entries
            .iter()
            .filter_map(|e| e.judged.as_ref().map(|(d, g)| (d, g)))
    }

    /// Every diagnostic, project-level first, then per file in order.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.warnings
            .iter()
            .chain(self.entries.iter().flat_map(|e| e.diagnostics.iter()))
    }

    /// Shows every path as seen from another folder, where the project's
    /// root is shown as `root` (such as `pilots`, for a project in
    /// `pilots/` of the folder the command was started from; see
    /// [`crate::diagnostic::show_from`]). For terminal output only; the
    /// site's own files keep paths relative to the project root, so they
    /// do not depend on where a build was started.
    pub fn show_from(&mut self, root: &str) {
        let join = |s: &mut String| *s = crate::diagnostic::show_from(root, s);
        for d in &mut self.warnings {
            join(&mut d.source);
        }
        for e in &mut self.entries {
            join(&mut e.file.source);
            for d in &mut e.diagnostics {
                join(&mut d.source);
            }
            if let Some((d, _)) = &mut e.judged {
                join(&mut d.source);
            }
        }
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics().filter(|d| d.is_error()).count()
    }
}

/// Today's date in the local time zone.
pub fn today() -> Date {
    jiff::ZonedDateTime::now().date()
}

/// The dossiers `texts` (`(id, file text)`, each readable) read and judged
/// by the built-in framework as of 2026-11-26, for tests of the layers
/// above.
#[cfg(test)]
pub(crate) fn judged_from_texts<S: AsRef<str>>(texts: &[(S, S)]) -> Judged {
    let fw = crate::framework::Framework::builtin();
    let as_of = jiff::civil::date(2026, 11, 26);
    let entries = texts
        .iter()
        .map(|(id, text)| {
            let id = id.as_ref();
            let loaded = crate::dossier::load_text(
                text.as_ref().as_bytes(),
                &format!("content/{id}.md"),
                &format!("{id}.md"),
                id,
            );
            let d = loaded.dossier.expect("readable");
            let g = crate::framework::judge(&d, &fw, as_of, 90);
            Entry {
                file: crate::dossier::DossierFile {
                    path: format!("content/{id}.md").into(),
                    rel_path: format!("{id}.md"),
                    source: format!("content/{id}.md"),
                    id: id.to_string(),
                },
                diagnostics: Vec::new(),
                judged: Some((d, g)),
                digest: 0,
            }
        })
        .collect();
    Judged::from_entries(entries, Vec::new(), as_of)
}
