//! Rebuilding as files change: the same pipeline on less input.
//!
//! [`Live`] keeps the last build in memory (project, templates, FAQ, every
//! judged dossier). [`Live::apply`] takes the paths that changed and does
//! the least work that gives the same site as a clean build: a changed
//! dossier is read and judged alone, then its page and the pages that
//! aggregate the portfolio are rendered again; a template change renders
//! everything; a configuration or framework change starts over. The
//! edited dossier's own page is written first, so a preview shows it as
//! soon as possible. `watch` decides *what* changed; writing is the build
//! driver's ([`Builder::build`] with the touched pages). [`run`] connects it
//! to file events (notify) and reports each rebuild to a listener (the
//! terminal of `watch`, the dev server); it prints nothing itself.
//!
//! The file watches are set up by [`Live::start`], right after the first
//! build and before the caller announces that it is watching: a file saved
//! after that announcement is never missed. A folder that is created again
//! after being removed (a checkout can do that to `content/` or
//! `templates/`) is watched again, and whatever it holds is read again.
//!
//! Events are only hints of *where* to look: [`Live::apply`] asks the file
//! system what is there now. That is why the raw events are used, folded
//! into one batch until the file system is quiet, and not a debouncer that
//! merges them by meaning: notify-debouncer-full reports "saved by rename,
//! then removed" as nothing at all and "a renamed to b, then b removed" as
//! "b removed", and a rebuild that trusts either keeps pages of files that
//! are gone.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use jiff::civil::Date;
use notify::{Event, Watcher};
use notify::{EventKind, RecommendedWatcher, RecursiveMode};

use crate::diagnostic::{Code, Diagnostic};
use crate::dossier::discover::{self, DossierFile};
use crate::project::{self, Entry, Judged, Project};
use crate::site::{Builder, Pages, Sink};

/// How long the file system must be quiet before a rebuild starts. Editors
/// write a file in several steps; a burst of saves becomes one rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(15);
/// Longest a batch of events waits for quiet: a file written without end
/// must not hold back every rebuild.
const MAX_BATCH: Duration = Duration::from_millis(500);

/// What one (re)build did, for the terminal and the browser.
#[derive(Debug, Clone, Default)]
pub struct Rebuild {
    /// Site paths of the pages that were written (or removed).
    pub changed: Vec<String>,
    /// Every error currently in the project, for the overlay.
    pub errors: Vec<Diagnostic>,
    /// Every warning currently in the project (a misspelled key), for the
    /// overlay beside the errors: the terminal is not where a pilot team
    /// editing a dossier looks.
    pub warnings: Vec<Diagnostic>,
    /// New problems to print in the terminal.
    pub report: Vec<Diagnostic>,
    /// Files that had errors and now read cleanly.
    pub fixed: Vec<String>,
    /// Problems of the file watcher itself (events the system could not
    /// deliver), for the terminal; no page changed because of them.
    pub troubles: Vec<String>,
    pub elapsed: Duration,
    pub pages: usize,
    /// Portfolio pages left unwritten because a newer change arrived while
    /// they were being written; the rebuild for that change writes them.
    pub left: usize,
}

/// What a batch of changed paths touched, as Zola's `ChangeKind`: each
/// kind is rebuilt its own way ([`Live::apply`]).
enum Change {
    /// The configuration or the framework file: everything is read again.
    Configuration,
    /// A template or an asset: every page is rendered again.
    Templates,
    /// Dossiers, folders of the content folder, or the FAQ.
    Content(Content),
    /// Nothing the site is made from (an editor's swap file, the site's
    /// own pages).
    Nothing,
}

/// The content that changed: what [`Current::read_again`] reads.
#[derive(Default)]
struct Content {
    /// Dossier files that changed (or are gone).
    dossiers: BTreeSet<PathBuf>,
    /// Folders that appeared (or changed) as a whole: their files may
    /// have changed without an event of their own.
    folders: Vec<PathBuf>,
    /// Whether to walk the content folder again (a folder was created,
    /// removed or renamed, or a link changed).
    rescan: bool,
    /// Whether the FAQ changed.
    faq: bool,
}

/// The last build: its owner (project, templates, FAQ) and every dossier
/// judged, which a rebuild reuses.
struct Current {
    builder: Builder,
    judged: Judged,
}

/// A project kept built in memory and on disk.
pub struct Live {
    root: PathBuf,
    /// The configuration file given with `--config`, read instead of the
    /// root's `pilotscope.toml` (and watched in its place).
    config: Option<PathBuf>,
    as_of: Date,
    out: PathBuf,
    /// Whether `out` was given (`--output`); otherwise it follows the
    /// configuration, and the default while the configuration is broken.
    explicit_out: bool,
    current: Option<Current>,
    /// Configuration, framework or template problems that stop the build.
    blocking: Vec<Diagnostic>,
    /// The file watches [`run`] listens to, or why they could not be set up.
    watches: Option<Result<Watches, String>>,
    /// Whether the last rebuild left portfolio pages for a newer change:
    /// the next rebuild writes them even when that change turns out to be
    /// none of the site's (an editor's swap file, say).
    owed: bool,
}

impl Live {
    /// Builds the project at `root` (configured by `config`, else by its
    /// `pilotscope.toml`) into `out` (the configured output folder when
    /// `None`), then starts watching its files. Problems do not stop it:
    /// they are reported and the next change tries again.
    pub fn start(
        root: &Path,
        config: Option<&Path>,
        as_of: Date,
        out: Option<PathBuf>,
    ) -> (Live, Rebuild) {
        let mut live = Live {
            root: root.to_path_buf(),
            config: config.map(Path::to_path_buf),
            as_of,
            explicit_out: out.is_some(),
            out: out.unwrap_or_else(|| root.join(crate::config::Config::default().output_dir)),
            current: None,
            blocking: Vec::new(),
            watches: None,
            owed: false,
        };
        let rebuild = live.full();
        live.watches = Some(Watches::new().map(|mut w| {
            w.update(&live);
            w
        }));
        (live, rebuild)
    }

    pub fn output_dir(&self) -> &Path {
        &self.out
    }

    /// The site's path on its host ([`crate::config::Config::base_path`]).
    pub fn base_path(&self) -> String {
        self.current
            .as_ref()
            .map_or_else(|| "/".into(), |c| c.builder.project.config.base_path())
    }

    /// Paths to watch: (path, recursive).
    pub fn watch_paths(&self) -> Vec<(PathBuf, bool)> {
        let mut paths = vec![(self.root.clone(), false)];
        if let Some(parent) = self.config_file().parent()
            && parent != self.root
        {
            paths.push((parent.to_path_buf(), false));
        }
        match &self.current {
            Some(c) => {
                let project = &c.builder.project;
                paths.push((project.content_dir(), true));
                paths.push((project.templates_dir(), true));
                if let Some(f) = &project.framework_file
                    && let Some(parent) = f.parent()
                {
                    paths.push((parent.to_path_buf(), false));
                }
            }
            None => {
                paths.push((self.root.join("content"), true));
                paths.push((self.root.join("templates"), true));
            }
        }
        // A commit or a checkout moves the history without touching a
        // file of the project.
        if let Some(git) = crate::history::HeadFiles::of(&self.root) {
            paths.extend(git.watch());
        }
        paths
    }

    /// The configuration file in force: `--config`'s, else the root's.
    fn config_file(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.root.join(crate::config::FILE_NAME))
    }

    /// Every error now in the project.
    pub fn errors(&self) -> Vec<Diagnostic> {
        let mut errors = self.blocking.clone();
        if let Some(c) = &self.current {
            errors.extend(c.judged.diagnostics().filter(|d| d.is_error()).cloned());
        }
        errors
    }

    /// Every warning now in the project.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.current.as_ref().map_or_else(Vec::new, |c| {
            c.judged
                .diagnostics()
                .filter(|d| !d.is_error())
                .cloned()
                .collect()
        })
    }

    /// A configuration, framework or template problem stops the rebuild
    /// until the next change: the site on disk stays as it was.
    fn blocked(&mut self, problems: Vec<Diagnostic>, start: Instant) -> Rebuild {
        self.blocking = problems.clone();
        Rebuild {
            errors: self.errors(),
            warnings: self.warnings(),
            report: problems,
            elapsed: start.elapsed(),
            ..Rebuild::default()
        }
    }

    /// Whether pages were left by the last rebuild (see [`Live::apply`]).
    pub fn owes_pages(&self) -> bool {
        self.owed
    }

    fn full(&mut self) -> Rebuild {
        self.owed = false;
        let start = Instant::now();
        let previous_errors: HashSet<String> =
            self.errors().iter().map(|d| d.source.clone()).collect();
        self.blocking.clear();
        let project = match Project::open_with(&self.root, self.config.as_deref()) {
            Ok(p) => p,
            Err(d) => return self.blocked(d, start),
        };
        if !self.explicit_out {
            self.out = project.output_dir();
        }
        let builder = match Builder::new(project, self.as_of) {
            Ok(b) => b,
            Err(d) => return self.blocked(d, start),
        };
        let judged = builder.judge_all();
        let mut report: Vec<Diagnostic> = judged.diagnostics().cloned().collect();
        report.extend(builder.faq.diagnostics.iter().cloned());
        self.current = Some(Current { builder, judged });
        let mut rebuild = self.build_all();
        report.append(&mut rebuild.report);
        let now: HashSet<String> = self.errors().iter().map(|d| d.source.clone()).collect();
        rebuild.fixed = previous_errors.difference(&now).cloned().collect();
        rebuild.fixed.sort();
        rebuild.errors = self.errors();
        rebuild.warnings = self.warnings();
        rebuild.report = report;
        rebuild.elapsed = start.elapsed();
        rebuild
    }

    /// Builds every page of the current project; every page is news.
    fn build_all(&mut self) -> Rebuild {
        let mut rebuild = Rebuild::default();
        let Some(c) = &self.current else {
            return rebuild;
        };
        let built = c
            .builder
            .build(&c.judged, &self.out, Pages::All, &mut Sink::none());
        match built.result {
            Ok(stats) => {
                rebuild.pages = stats.pages;
                rebuild.changed = built.asked;
            }
            Err(d) => {
                self.blocking = d.clone();
                rebuild.report = d;
            }
        }
        rebuild
    }

    /// Rebuilds after `paths` changed, calling `first` as soon as the
    /// page of the first changed dossier is on disk. The pages about the
    /// whole portfolio come after it, and are left for the next rebuild as
    /// soon as `abandon` says a newer change has arrived.
    pub fn apply(
        &mut self,
        paths: &[PathBuf],
        first: &mut dyn FnMut(&Rebuild),
        abandon: &(dyn Fn() -> bool + Sync),
    ) -> Rebuild {
        match self.change(paths) {
            Change::Configuration => self.full(),
            Change::Templates => self.rerender_all(),
            Change::Nothing if !self.owed => Rebuild {
                errors: self.errors(),
                warnings: self.warnings(),
                ..Rebuild::default()
            },
            Change::Nothing => self.incremental(&Content::default(), first, abandon),
            Change::Content(content) => self.incremental(&content, first, abandon),
        }
    }

    /// What `paths` changed, as far as the site is concerned.
    fn change(&self, paths: &[PathBuf]) -> Change {
        let Some(current) = &self.current else {
            return Change::Configuration;
        };
        let project = &current.builder.project;
        let content = project.content_dir();
        let templates_dir = project.templates_dir();
        let config = self.config_file();
        let out = &self.out;

        let mut change = Content::default();
        let mut templates_changed = false;
        // A commit or a checkout: the history moved, though no file did.
        let git = crate::history::HeadFiles::of(&self.root);
        let mut head_moved = false;
        for p in paths {
            if let Some(git) = &git
                && git.moved(p)
            {
                head_moved = true;
                continue;
            }
            if p.starts_with(out) && out != &self.root {
                continue;
            }
            if *p == config
                || project.framework_file.as_ref() == Some(p)
                || (project.framework_file.is_none()
                    && p.file_name().is_some_and(|n| n == "framework.toml")
                    && p.parent() == Some(self.root.as_path()))
            {
                return Change::Configuration;
            }
            if p.starts_with(&templates_dir) {
                templates_changed = true;
            } else if let Ok(rel) = p.strip_prefix(&content) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                if rel == project.config.faq {
                    change.faq = true;
                } else if discover::is_dossier_path(&rel, &project.config.faq) && !p.is_dir() {
                    change.dossiers.insert(p.clone());
                    // Only the walk knows whether a link stays inside the
                    // content folder.
                    change.rescan |= p.is_symlink();
                } else if rel.is_empty()
                    || p.is_dir()
                    || (!p.exists()
                        && !rel
                            .rsplit('/')
                            .next()
                            .is_some_and(discover::is_ignored_name)
                        && !rel.to_lowercase().ends_with(".md"))
                {
                    // A folder was created, removed or renamed: find out
                    // what is there now.
                    change.rescan = true;
                    if p.is_dir() {
                        change.folders.push(p.clone());
                    }
                }
            } else if p == &content || content.starts_with(p) {
                change.rescan = true;
                change.folders.push(content.clone());
            }
        }
        if templates_changed {
            Change::Templates
        } else if change.dossiers.is_empty() && !change.rescan && !change.faq && !head_moved {
            Change::Nothing
        } else {
            Change::Content(change)
        }
    }

    fn rerender_all(&mut self) -> Rebuild {
        self.owed = false;
        let start = Instant::now();
        let Some(current) = &mut self.current else {
            return self.full();
        };
        let previous: HashSet<String> = self.blocking.iter().map(|d| d.source.clone()).collect();
        match current.builder.reload_templates() {
            Ok(()) => self.blocking.clear(),
            Err(d) => return self.blocked(d, start),
        }
        let mut rebuild = self.build_all();
        let now: HashSet<String> = self.blocking.iter().map(|d| d.source.clone()).collect();
        rebuild.fixed = previous.difference(&now).cloned().collect();
        rebuild.errors = self.errors();
        rebuild.warnings = self.warnings();
        rebuild.elapsed = start.elapsed();
        rebuild
    }

    /// Reads again what `dossiers`, `folders` and `rescan` say changed
    /// (and the FAQ), then writes the pages that touches.
    fn incremental(
        &mut self,
        change: &Content,
        first: &mut dyn FnMut(&Rebuild),
        abandon: &(dyn Fn() -> bool + Sync),
    ) -> Rebuild {
        let start = Instant::now();
        let Some(current) = &mut self.current else {
            return Rebuild::default();
        };
        let previous_errors: HashSet<String> = current
            .judged
            .diagnostics()
            .filter(|d| d.is_error())
            .map(|d| d.source.clone())
            .collect();
        let (touched, mut report) = current.read_again(change);
        if change.faq {
            current.builder.reload_faq();
            report.extend(current.builder.faq.diagnostics.iter().cloned());
        }
        let mut rebuild = self.build_edited(touched, start, first, abandon);
        report.append(&mut rebuild.report);
        let now: HashSet<String> = self.errors().iter().map(|d| d.source.clone()).collect();
        rebuild.fixed = previous_errors.difference(&now).cloned().collect();
        rebuild.fixed.sort();
        rebuild.report = report;
        rebuild.errors = self.errors();
        rebuild.warnings = self.warnings();
        rebuild.elapsed = start.elapsed();
        rebuild
    }

    /// Writes the pages of the pilots with ids `touched` first, then the
    /// pages about every pilot (left when `abandon` says so), telling
    /// `first` when the first are on disk.
    fn build_edited(
        &mut self,
        touched: HashSet<String>,
        start: Instant,
        first: &mut dyn FnMut(&Rebuild),
        abandon: &(dyn Fn() -> bool + Sync),
    ) -> Rebuild {
        let mut rebuild = Rebuild::default();
        let Some(current) = &self.current else {
            return rebuild;
        };
        let blocking = &self.blocking;
        let judged = &current.judged;
        // Pages that are told of this first rebuild show the errors
        // overlay from it: it must already list every error.
        let mut told = |changed: &[String], errors: &[Diagnostic]| {
            let partial = Rebuild {
                changed: changed.to_vec(),
                errors: blocking
                    .iter()
                    .filter(|d| d.code != Code::OutputCannotWrite)
                    .chain(judged.diagnostics().filter(|d| d.is_error()))
                    .chain(errors.iter())
                    .cloned()
                    .collect(),
                warnings: judged
                    .diagnostics()
                    .filter(|d| !d.is_error())
                    .cloned()
                    .collect(),
                elapsed: start.elapsed(),
                ..Rebuild::default()
            };
            first(&partial);
        };
        let mut sink = Sink {
            step: &|_| {},
            total: &|_| {},
            page: &|| {},
            first: Some(&mut told),
            abandon,
        };
        let pages = Pages::Edited { ids: touched };
        let built = current.builder.build(judged, &self.out, pages, &mut sink);
        rebuild.pages = built.pages;
        let errors = match built.result {
            Ok(stats) => {
                rebuild.changed = stats.changed;
                rebuild.left = stats.left;
                self.owed = stats.left > 0;
                Vec::new()
            }
            Err(errors) => {
                rebuild.changed = built.asked;
                errors
            }
        };
        self.blocking.retain(|d| d.code != Code::OutputCannotWrite);
        self.blocking.extend(errors.iter().cloned());
        rebuild.report = errors;
        rebuild
    }
}

impl Current {
    /// Reads and judges again the dossiers that changed (`dossiers`, those
    /// in `folders`, and with `rescan` whatever the content folder holds
    /// now) and forgets those that are gone. Returns the ids whose pages
    /// that touches, and the new problems.
    fn read_again(&mut self, change: &Content) -> (HashSet<String>, Vec<Diagnostic>) {
        let Content {
            dossiers,
            folders,
            rescan,
            ..
        } = change;
        let project = &self.builder.project;
        let as_of = self.builder.as_of;
        let mut entries = std::mem::take(&mut self.judged.entries);
        let mut warnings = std::mem::take(&mut self.judged.warnings);
        let ids_before: Vec<(String, String)> = entries
            .iter()
            .map(|e| (e.file.rel_path.clone(), e.file.id.clone()))
            .collect();

        // Which files to read again, and which are gone.
        let mut to_read: Vec<DossierFile> = Vec::new();
        if *rescan {
            let (files, w) = project.discover();
            warnings = w;
            let known: HashSet<&str> = entries.iter().map(|e| e.file.rel_path.as_str()).collect();
            let present: HashSet<String> = files.iter().map(|f| f.rel_path.clone()).collect();
            for f in files {
                if !known.contains(f.rel_path.as_str())
                    || dossiers.contains(&f.path)
                    || folders.iter().any(|d| f.path.starts_with(d))
                {
                    to_read.push(f);
                }
            }
            entries.retain(|e| present.contains(&e.file.rel_path));
        } else {
            let content = project.content_dir();
            for path in dossiers {
                let rel = path
                    .strip_prefix(&content)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                if path.is_file() {
                    to_read.push(DossierFile {
                        path: path.clone(),
                        source: crate::diagnostic::show_path(path, &project.root),
                        id: crate::dossier::read::id_from_path(&rel),
                        rel_path: rel,
                    });
                } else {
                    entries.retain(|e| e.file.rel_path != rel);
                }
            }
        }
        // A file that lost a clash of ids is read again: the file it
        // clashed with may be gone or renamed, and only a fresh read
        // restores what was dropped.
        for e in &entries {
            if e.lost_id_clash() && !to_read.iter().any(|f| f.rel_path == e.file.rel_path) {
                to_read.push(e.file.clone());
            }
        }
        let read_paths: HashSet<String> = to_read.iter().map(|f| f.rel_path.clone()).collect();
        entries.retain(|e| !read_paths.contains(&e.file.rel_path));
        use rayon::prelude::*;
        let fresh: Vec<Entry> = to_read
            .into_par_iter()
            .map(|f| project::read_entry(f, &project.framework, as_of, project.config.stale_days))
            .collect();
        let report: Vec<Diagnostic> = fresh
            .iter()
            .flat_map(|e| e.diagnostics.iter().cloned())
            .collect();
        entries.extend(fresh);
        // The ids of files read again or gone: the page at such an id may
        // now belong to another file of the same id.
        let present: HashSet<&str> = entries.iter().map(|e| e.file.rel_path.as_str()).collect();
        let touched: HashSet<String> = ids_before
            .into_iter()
            .filter(|(rel, _)| !present.contains(rel.as_str()))
            .map(|(_, id)| id)
            .chain(
                entries
                    .iter()
                    .filter(|e| read_paths.contains(&e.file.rel_path))
                    .map(|e| e.file.id.clone()),
            )
            .collect();
        self.judged = Judged::from_entries(entries, warnings, as_of);
        (touched, report)
    }
}

/// File watches on a project, and where their events arrive.
struct Watches {
    watcher: RecommendedWatcher,
    /// Each event with when it arrived.
    events: mpsc::Receiver<(Instant, notify::Result<Event>)>,
    /// Set by the watcher's thread when a change arrives, cleared when a
    /// batch is taken: a rebuild under way asks it whether to stop writing
    /// the portfolio pages and start on the newer change instead.
    pending: Arc<AtomicBool>,
    /// The output folder, whose changes (the build's own writes, when it
    /// lies in a watched folder) are no news.
    out: Arc<std::sync::Mutex<PathBuf>>,
    /// The paths watched now.
    watched: Vec<PathBuf>,
}

impl Watches {
    fn new() -> Result<Watches, String> {
        let (tx, events) = mpsc::channel();
        let pending = Arc::new(AtomicBool::new(false));
        let out = Arc::new(std::sync::Mutex::new(PathBuf::new()));
        let (flag, ours) = (pending.clone(), out.clone());
        let handler = move |r: notify::Result<Event>| {
            let news = match &r {
                Ok(e) => {
                    let out = ours.lock().map(|o| o.clone()).unwrap_or_default();
                    is_change(e)
                        && (out.as_os_str().is_empty()
                            || e.paths.is_empty()
                            || e.paths.iter().any(|p| !p.starts_with(&out)))
                }
                Err(_) => true,
            };
            if news {
                flag.store(true, Ordering::Release);
            }
            let _ = tx.send((Instant::now(), r));
        };
        let watcher =
            notify::recommended_watcher(handler).map_err(|e| format!("cannot watch files: {e}"))?;
        Ok(Watches {
            watcher,
            events,
            pending,
            out,
            watched: Vec::new(),
        })
    }

    /// Watches every path the project needs that exists and is not watched
    /// yet. Returns the paths newly watched.
    fn update(&mut self, live: &Live) -> Vec<PathBuf> {
        if let Ok(mut out) = self.out.lock() {
            out.clone_from(&live.out);
        }
        let mut added = Vec::new();
        for (path, recursive) in live.watch_paths() {
            if self.watched.contains(&path) || !path.exists() {
                continue;
            }
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            if self.watcher.watch(&path, mode).is_ok() {
                self.watched.push(path.clone());
                added.push(path);
            }
        }
        added
    }

    /// Forgets the watches on paths that were themselves created, removed
    /// or renamed: the operating system's watch died with the old folder,
    /// so [`Watches::update`] must set it up again.
    fn forget_replaced(&mut self, events: &[Event]) {
        for e in events {
            if !matches!(
                e.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(notify::event::ModifyKind::Name(_))
            ) {
                continue;
            }
            for p in &e.paths {
                if let Some(i) = self.watched.iter().position(|w| w == p) {
                    let _ = self.watcher.unwatch(p);
                    self.watched.remove(i);
                }
            }
        }
    }

    /// The next batch of changes: waits for one, then takes every change
    /// that follows until the file system has been quiet for [`DEBOUNCE`].
    /// Empty when nothing happened within `wait`; `None` when the watcher
    /// stopped. The watcher's own errors go to `troubles`.
    fn next_batch(&self, wait: Duration, troubles: &mut Vec<String>) -> Option<Vec<Event>> {
        // The arrival of a change taken into `batch`.
        let mut take = |(at, r): (Instant, notify::Result<Event>), batch: &mut Vec<Event>| match r {
            Ok(e) if is_change(&e) => {
                batch.push(e);
                Some(at)
            }
            Ok(_) => None,
            Err(e) => {
                troubles.push(format!("file watching: {e}"));
                None
            }
        };
        let mut last = Instant::now();
        let mut batch = Vec::new();
        // Events that are no change (a file opened or read) do not end the
        // wait: only a change, the time, or the watcher's end does.
        let deadline = Instant::now() + wait;
        while batch.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(r) => last = take(r, &mut batch).unwrap_or(last),
                Err(mpsc::RecvTimeoutError::Timeout) => return Some(batch),
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
        // Quiet means DEBOUNCE since the last change *arrived*: changes that
        // waited in the queue while a rebuild ran have had their quiet.
        let start = Instant::now();
        while start.elapsed() < MAX_BATCH {
            let quiet = DEBOUNCE.saturating_sub(last.elapsed());
            match self.events.try_recv() {
                Ok(r) => last = take(r, &mut batch).unwrap_or(last),
                Err(mpsc::TryRecvError::Disconnected) => break,
                Err(mpsc::TryRecvError::Empty) if quiet.is_zero() => break,
                Err(mpsc::TryRecvError::Empty) => {
                    if let Ok(r) = self.events.recv_timeout(quiet) {
                        last = take(r, &mut batch).unwrap_or(last);
                    }
                }
            }
        }
        // What arrives from now on is news for the rebuild of this batch.
        self.pending.store(false, Ordering::Release);
        Some(batch)
    }
}

/// Whether an event is a change. Reading a file is none; our own reads
/// would loop forever.
fn is_change(e: &Event) -> bool {
    !matches!(e.kind, EventKind::Access(_))
}

/// Watches the project and rebuilds on every change until `stop` says so.
/// `listener` hears every rebuild: once when the first changed page is on
/// disk (`partial = true`) and once when all are.
pub fn run(
    mut live: Live,
    listener: &mut dyn FnMut(&Rebuild, bool),
    stop: &dyn Fn() -> bool,
) -> Result<(), String> {
    let mut watches = match live.watches.take() {
        Some(w) => w?,
        None => {
            let mut w = Watches::new()?;
            w.update(&live);
            w
        }
    };
    while !stop() {
        let mut troubles = Vec::new();
        let batch = watches.next_batch(Duration::from_millis(200), &mut troubles);
        if !troubles.is_empty() {
            let told = Rebuild {
                troubles,
                errors: live.errors(),
                warnings: live.warnings(),
                ..Rebuild::default()
            };
            listener(&told, false);
        }
        let Some(events) = batch else {
            return Ok(());
        };
        // The system dropped events (its queue overflowed): only a clean
        // build is sure to be right.
        let overflowed = events.iter().any(Event::need_rescan);
        let mut paths: Vec<PathBuf> = events
            .iter()
            .flat_map(|e| e.paths.iter().cloned())
            .collect();
        // Pages left by the last rebuild are written once the saves stop
        // (no change is on its way), whatever the events were.
        let owed = live.owes_pages() && !watches.pending.load(Ordering::Acquire);
        if paths.is_empty() && !overflowed && !owed {
            continue;
        }
        watches.forget_replaced(&events);
        paths.sort();
        paths.dedup();
        let pending = watches.pending.clone();
        let newer = move || pending.load(Ordering::Acquire);
        let mut rebuild = if overflowed {
            live.full()
        } else {
            live.apply(&paths, &mut |partial| listener(partial, true), &newer)
        };
        // A folder watched only now may have been written to before its
        // watch was set up: look at it once more.
        loop {
            let added = watches.update(&live);
            if added.is_empty() {
                break;
            }
            let again = live.apply(&added, &mut |partial| listener(partial, true), &newer);
            rebuild.changed.extend(again.changed);
            rebuild.report.extend(again.report);
            rebuild.fixed.extend(again.fixed);
            rebuild.errors = again.errors;
            rebuild.warnings = again.warnings;
            rebuild.pages = again.pages;
            rebuild.left = again.left;
            rebuild.elapsed += again.elapsed;
        }
        // Errors that are still there are no news.
        if rebuild.changed.is_empty() && rebuild.report.is_empty() && rebuild.fixed.is_empty() {
            continue;
        }
        listener(&rebuild, false);
    }
    Ok(())
}
