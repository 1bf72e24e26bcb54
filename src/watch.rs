//! Rebuilding as files change: the same pipeline on less input.
//!
//! [`Live`] keeps the last build in memory (project, templates, FAQ, every
//! judged dossier). [`Live::apply`] takes the paths that changed and does
//! the least work that gives the same site as a clean build: a changed
//! dossier is read and judged alone, then its page and the pages that
//! aggregate the portfolio are rendered again; a template change renders
//! everything; a configuration or framework change starts over. The
//! edited dossier's own page is written first, so a preview shows it as
//! soon as possible. [`run`] connects it to file events (notify, with its
//! debouncer) and reports each rebuild to a listener (the dev server).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use notify::RecursiveMode;
use notify_debouncer_full::new_debouncer;

use crate::diagnostic::Diagnostic;
use crate::dossier::discover::{self, DossierFile};
use crate::project::{self, Entry, Judged, Project};
use crate::site::{self, Faq, Page, Site, Templates};

/// How long the file system must be quiet before a rebuild starts. Editors
/// write a file in several steps; a burst of saves becomes one rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(15);

/// What one (re)build did, for the terminal and the browser.
#[derive(Debug, Clone, Default)]
pub struct Rebuild {
    /// Site paths of the pages that were written (or removed).
    pub changed: Vec<String>,
    /// Every error currently in the project, for the overlay.
    pub errors: Vec<Diagnostic>,
    /// New problems to print in the terminal.
    pub report: Vec<Diagnostic>,
    /// Files that had errors and now read cleanly.
    pub fixed: Vec<String>,
    pub elapsed: Duration,
    pub pages: usize,
}

/// The loaded parts of a project that a rebuild reuses.
struct Loaded {
    project: Project,
    templates: Templates,
    faq: Faq,
    judged: Judged,
}

/// A project kept built in memory and on disk.
pub struct Live {
    root: PathBuf,
    as_of: Date,
    out: PathBuf,
    loaded: Option<Loaded>,
    /// Configuration, framework or template problems that stop the build.
    blocking: Vec<Diagnostic>,
}

impl Live {
    /// Builds the project at `root` into `out` (the configured output
    /// folder when `None`). Problems do not stop it: they are reported and
    /// the next change tries again.
    pub fn start(root: &Path, as_of: Date, out: Option<PathBuf>) -> (Live, Rebuild) {
        let mut live = Live { root: root.to_path_buf(), as_of, out: out.unwrap_or_default(), loaded: None, blocking: Vec::new() };
        let explicit_out = !live.out.as_os_str().is_empty();
        let rebuild = live.full(explicit_out);
        (live, rebuild)
    }

    pub fn output_dir(&self) -> &Path {
        &self.out
    }

    /// Paths to watch: (path, recursive).
    pub fn watch_paths(&self) -> Vec<(PathBuf, bool)> {
        let mut paths = vec![(self.root.clone(), false)];
        match &self.loaded {
            Some(l) => {
                paths.push((l.project.content_dir(), true));
                paths.push((l.project.templates_dir(), true));
                if let Some(f) = &l.project.framework_file
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
        paths
    }

    /// Every error now in the project.
    pub fn errors(&self) -> Vec<Diagnostic> {
        let mut errors = self.blocking.clone();
        if let Some(l) = &self.loaded {
            errors.extend(l.judged.diagnostics().filter(|d| d.is_error()).cloned());
        }
        errors
    }

    fn full(&mut self, explicit_out: bool) -> Rebuild {
        let start = Instant::now();
        let previous_errors: HashSet<String> = self.errors().iter().map(|d| d.source.clone()).collect();
        self.blocking.clear();
        let project = match Project::open(&self.root) {
            Ok(p) => p,
            Err(d) => {
                self.blocking = d.clone();
                return Rebuild { errors: self.errors(), report: d, elapsed: start.elapsed(), ..Rebuild::default() };
            }
        };
        if !explicit_out {
            self.out = project.output_dir();
        }
        let templates = match site::load_templates(&project) {
            Ok(t) => t,
            Err(d) => {
                self.blocking = d.clone();
                return Rebuild { errors: self.errors(), report: d, elapsed: start.elapsed(), ..Rebuild::default() };
            }
        };
        let judged = project.judge_all(self.as_of);
        let faq = site::load_faq(&project);
        let loaded = Loaded { project, templates, faq, judged };
        let s = Site::new(&loaded.project, &loaded.judged, &loaded.templates, &loaded.faq);
        let mut report: Vec<Diagnostic> = loaded.judged.diagnostics().cloned().collect();
        report.extend(loaded.faq.diagnostics.iter().cloned());
        let mut rebuild = Rebuild::default();
        match site::build(&s, &self.out, &|| {}) {
            Ok(stats) => {
                rebuild.pages = stats.pages;
                rebuild.changed = s.pages().iter().map(|p| s.path(*p)).collect();
            }
            Err(d) => {
                self.blocking = d.clone();
                report.extend(d);
            }
        }
        self.loaded = Some(loaded);
        let now: HashSet<String> = self.errors().iter().map(|d| d.source.clone()).collect();
        rebuild.fixed = previous_errors.difference(&now).cloned().collect();
        rebuild.fixed.sort();
        rebuild.errors = self.errors();
        rebuild.report = report;
        rebuild.elapsed = start.elapsed();
        rebuild
    }

    /// Rebuilds after `paths` changed, calling `first` as soon as the
    /// page of the first changed dossier is on disk.
    pub fn apply(&mut self, paths: &[PathBuf], first: &mut dyn FnMut(&Rebuild)) -> Rebuild {
        let Some(loaded) = &self.loaded else { return self.full(self.explicit_out()) };
        let project = &loaded.project;
        let content = project.content_dir();
        let templates_dir = project.templates_dir();
        let config = self.root.join(crate::config::FILE_NAME);
        let out = &self.out;

        let mut dossiers: BTreeSet<PathBuf> = BTreeSet::new();
        let mut rescan = false;
        let mut templates_changed = false;
        let mut faq_changed = false;
        for p in paths {
            if p.starts_with(out) && out != &self.root {
                continue;
            }
            if *p == config || project.framework_file.as_ref() == Some(p) || (project.framework_file.is_none() && p.file_name().is_some_and(|n| n == "framework.toml") && p.parent() == Some(self.root.as_path())) {
                return self.full(self.explicit_out());
            }
            if p.starts_with(&templates_dir) {
                templates_changed = true;
            } else if let Ok(rel) = p.strip_prefix(&content) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                if rel == project.config.faq {
                    faq_changed = true;
                } else if discover::is_dossier_path(&rel, &project.config.faq) && !p.is_dir() {
                    dossiers.insert(p.clone());
                } else if rel.is_empty()
                    || p.is_dir()
                    || (!p.exists() && !rel.rsplit('/').next().is_some_and(discover::is_ignored_name) && !rel.to_lowercase().ends_with(".md"))
                {
                    // A folder was created, removed or renamed: find out
                    // what is there now.
                    rescan = true;
                }
            } else if p == &content || content.starts_with(p) {
                rescan = true;
            }
        }
        if templates_changed {
            return self.rerender_all();
        }
        if dossiers.is_empty() && !rescan && !faq_changed {
            return Rebuild { errors: self.errors(), ..Rebuild::default() };
        }
        self.incremental(dossiers, rescan, faq_changed, first)
    }

    fn explicit_out(&self) -> bool {
        self.loaded.as_ref().is_none_or(|l| l.project.output_dir() != self.out)
    }

    fn rerender_all(&mut self) -> Rebuild {
        let start = Instant::now();
        let Some(loaded) = &mut self.loaded else { return self.full(false) };
        let previous: HashSet<String> = self.blocking.iter().map(|d| d.source.clone()).collect();
        match site::load_templates(&loaded.project) {
            Ok(t) => {
                self.blocking.clear();
                loaded.templates = t;
            }
            Err(d) => {
                self.blocking = d.clone();
                return Rebuild { errors: self.errors(), report: d, elapsed: start.elapsed(), ..Rebuild::default() };
            }
        }
        let s = Site::new(&loaded.project, &loaded.judged, &loaded.templates, &loaded.faq);
        let mut rebuild = Rebuild::default();
        match site::build(&s, &self.out, &|| {}) {
            Ok(stats) => {
                rebuild.pages = stats.pages;
                rebuild.changed = s.pages().iter().map(|p| s.path(*p)).collect();
            }
            Err(d) => {
                self.blocking = d.clone();
                rebuild.report = d;
            }
        }
        let now: HashSet<String> = self.blocking.iter().map(|d| d.source.clone()).collect();
        rebuild.fixed = previous.difference(&now).cloned().collect();
        rebuild.errors = self.errors();
        rebuild.elapsed = start.elapsed();
        rebuild
    }

    fn incremental(&mut self, dossiers: BTreeSet<PathBuf>, rescan: bool, faq_changed: bool, first: &mut dyn FnMut(&Rebuild)) -> Rebuild {
        let start = Instant::now();
        let as_of = self.as_of;
        let out = self.out.clone();
        let Some(loaded) = &mut self.loaded else { return Rebuild::default() };
        let project = &loaded.project;
        let previous_errors: HashSet<String> = loaded.judged.diagnostics().filter(|d| d.is_error()).map(|d| d.source.clone()).collect();
        let mut entries = std::mem::take(&mut loaded.judged.entries);
        let mut warnings = std::mem::take(&mut loaded.judged.warnings);

        // Which files to read again, and which are gone.
        let mut to_read: Vec<DossierFile> = Vec::new();
        if rescan {
            let (files, w) = project.discover();
            warnings = w;
            let known: HashSet<&str> = entries.iter().map(|e| e.file.rel_path.as_str()).collect();
            let present: HashSet<String> = files.iter().map(|f| f.rel_path.clone()).collect();
            for f in files {
                if !known.contains(f.rel_path.as_str()) || dossiers.contains(&f.path) {
                    to_read.push(f);
                }
            }
            entries.retain(|e| present.contains(&e.file.rel_path));
        } else {
            let content = project.content_dir();
            for path in &dossiers {
                let rel = path.strip_prefix(&content).map(|r| r.to_string_lossy().replace('\\', "/")).unwrap_or_default();
                if path.is_file() {
                    to_read.push(DossierFile {
                        path: path.clone(),
                        source: discover::show(path, &project.root),
                        id: crate::dossier::read::id_from_path(&rel),
                        rel_path: rel,
                    });
                } else {
                    entries.retain(|e| e.file.rel_path != rel);
                }
            }
        }
        let read_paths: HashSet<String> = to_read.iter().map(|f| f.rel_path.clone()).collect();
        entries.retain(|e| !read_paths.contains(&e.file.rel_path));
        use rayon::prelude::*;
        let fresh: Vec<Entry> = to_read.into_par_iter().map(|f| project::read_entry(f, &project.framework, as_of, project.config.stale_days)).collect();
        let mut report: Vec<Diagnostic> = fresh.iter().flat_map(|e| e.diagnostics.iter().cloned()).collect();
        entries.extend(fresh);
        loaded.judged = Judged::from_entries(entries, warnings, as_of);
        if faq_changed {
            loaded.faq = site::load_faq(project);
            report.extend(loaded.faq.diagnostics.iter().cloned());
        }

        let s = Site::new(&loaded.project, &loaded.judged, &loaded.templates, &loaded.faq);
        let all_pages = s.pages();
        // The changed dossiers' pages first, then the pages about everyone.
        let mut mine: Vec<Page> = all_pages
            .iter()
            .copied()
            .filter(|p| matches!(p, Page::Pilot(i) if read_paths.contains(&loaded.judged.entries[*i].file.rel_path)))
            .collect();
        // A clash of ids may change which file owns a page: render all pilots then.
        if loaded.judged.entries.iter().any(|e| e.judged.is_none() && e.diagnostics.iter().any(|d| d.message.contains("is the same as that of"))) {
            mine = all_pages.iter().copied().filter(|p| matches!(p, Page::Pilot(_))).collect();
        }
        let mut rebuild = Rebuild::default();
        let (_, _, mut errors) = site::write_pages(&s, &mine, &out, &|| {});
        rebuild.changed = mine.iter().map(|p| s.path(*p)).collect();
        if !rebuild.changed.is_empty() {
            rebuild.elapsed = start.elapsed();
            first(&rebuild);
        }
        let aggregates = [Page::Index, Page::Faq, Page::Report, Page::Csv];
        let (_, _, more) = site::write_pages(&s, &aggregates, &out, &|| {});
        errors.extend(more);
        rebuild.changed.extend(aggregates.iter().map(|p| s.path(*p)));
        let files: BTreeSet<String> = all_pages.iter().map(|p| s.path(*p)).collect();
        let previous_files = site::output::read_manifest(&out);
        for gone in previous_files.difference(&files) {
            rebuild.changed.push(gone.clone());
        }
        if let Err(e) = site::output::finish(&out, &files) {
            errors.push(Diagnostic::error(discover::show(&out, &loaded.project.root), format!("the output folder cannot be updated: {e}")));
        }
        self.blocking.retain(|d| !d.message.contains("cannot be written"));
        self.blocking.extend(errors.iter().cloned());
        report.extend(errors);
        let now: HashSet<String> = self.errors().iter().map(|d| d.source.clone()).collect();
        rebuild.fixed = previous_errors.difference(&now).cloned().collect();
        rebuild.fixed.sort();
        rebuild.report = report;
        rebuild.errors = self.errors();
        rebuild.pages = all_pages.len();
        rebuild.elapsed = start.elapsed();
        rebuild
    }
}

/// Prints a rebuild to the terminal.
pub fn print_rebuild(r: &Rebuild, initial: bool) {
    crate::cli::print_diagnostics(&r.report);
    for f in &r.fixed {
        eprintln!("fixed: {f}");
    }
    let errors = r.errors.len();
    let what = if initial { format!("built {} pages", r.pages) } else { format!("rebuilt {} pages", r.changed.len()) };
    let tail = if errors > 0 { format!("; {errors} error{} shown in the browser", if errors == 1 { "" } else { "s" }) } else { String::new() };
    eprintln!("{what} in {:.0} ms{tail}", r.elapsed.as_secs_f64() * 1000.0);
}

/// Watches the project and rebuilds on every change until `stop` says so.
/// `listener` hears every rebuild: once when the first changed page is on
/// disk (`partial = true`) and once when all are.
pub fn run(mut live: Live, listener: &mut dyn FnMut(&Rebuild, bool), stop: &dyn Fn() -> bool) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let mut debouncer = new_debouncer(DEBOUNCE, Some(Duration::from_millis(5)), tx).map_err(|e| format!("cannot watch files: {e}"))?;
    let mut watched: Vec<PathBuf> = Vec::new();
    let rewatch = |live: &Live, debouncer: &mut notify_debouncer_full::Debouncer<_, _>, watched: &mut Vec<PathBuf>| {
        for (path, recursive) in live.watch_paths() {
            if watched.contains(&path) || !path.exists() {
                continue;
            }
            let mode = if recursive { RecursiveMode::Recursive } else { RecursiveMode::NonRecursive };
            if debouncer.watch(&path, mode).is_ok() {
                watched.push(path);
            }
        }
    };
    rewatch(&live, &mut debouncer, &mut watched);
    loop {
        if stop() {
            return Ok(());
        }
        let events = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Ok(events)) => events,
            Ok(Err(errors)) => {
                for e in errors {
                    eprintln!("warning: file watching: {e}");
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        };
        // Reading a file is no change; our own reads would loop forever.
        let changes = |e: &notify_debouncer_full::DebouncedEvent| !matches!(e.event.kind, notify::EventKind::Access(_));
        let mut paths: Vec<PathBuf> = events.iter().filter(|e| changes(e)).flat_map(|e| e.paths.iter().cloned()).collect();
        // More events may be on their way (a checkout of many files).
        while let Ok(Ok(more)) = rx.try_recv() {
            paths.extend(more.iter().filter(|e| changes(e)).flat_map(|e| e.paths.iter().cloned()));
        }
        if paths.is_empty() {
            continue;
        }
        paths.sort();
        paths.dedup();
        let rebuild = live.apply(&paths, &mut |partial| listener(partial, true));
        if rebuild.changed.is_empty() && rebuild.report.is_empty() && rebuild.fixed.is_empty() && rebuild.errors.is_empty() {
            continue;
        }
        print_rebuild(&rebuild, false);
        listener(&rebuild, false);
        rewatch(&live, &mut debouncer, &mut watched);
    }
}
