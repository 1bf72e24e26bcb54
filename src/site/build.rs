//! The owner of a build, [`Builder`], and the build driver: the one
//! function that writes a site into its output folder, for `build`, for
//! `watch`'s and `serve`'s first build and for each rebuild after an edit.
//!
//! [`Builder::build`] is the only code that runs the output folder's
//! protocol: it refuses a dangerous or foreign folder, takes the folder's
//! lock, reads the history, marks the folder unfinished before its first
//! write, renders and writes the pages asked for ([`Pages::All`] or the
//! few an edit touched), records the manifest, which removes what the
//! site no longer has and clears the mark, and keeps the history for the
//! next build. A full build and a rebuild differ only in the pages they
//! are given. [`up_to_date`] decides, from the manifest alone, that
//! there is nothing to build. Printing is the caller's: progress goes to a
//! [`Sink`].

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use std::collections::{BTreeSet, HashSet};

use jiff::civil::Date;

use super::{
    Faq, Keys, Page, Site, Templates, WriteError, fingerprint, general_pages, output, view,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::project::{Judged, Project};

/// Which pages a build renders.
#[derive(Debug, Clone)]
pub enum Pages {
    /// Every page of the site whose key changed or whose file was touched
    /// since the manifest was written.
    All,
    /// The pages an edit touched: the pages of the pilots with these ids
    /// (every pilot's, when two files share an id; and those whose history
    /// moved), written first so that a browser showing one can reload at
    /// once, then the pages about every pilot. Each is rendered.
    Edited { ids: HashSet<String> },
}

/// The pages of one build, in the order they are written.
enum Order {
    All,
    /// `first`, then `then` (see [`Pages::Edited`]).
    Touched {
        first: Vec<Page>,
        then: Vec<Page>,
    },
}

/// Told the paths of the first pages written and the problems met.
pub type FirstWritten<'a> = &'a mut dyn FnMut(&[String], &[Diagnostic]);

/// The parts of a build that take long on a large portfolio, in order,
/// before its pages are written (which [`Sink::total`] and [`Sink::page`]
/// count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reading the dossiers' history from git (or its cache).
    History,
    /// Reading and judging every dossier.
    Dossiers,
}

impl Step {
    /// What the step does, for a progress line.
    pub fn words(self) -> &'static str {
        match self {
            Step::History => "reading the history",
            Step::Dossiers => "reading and judging the dossiers",
        }
    }
}

/// Where a build reports its progress.
pub struct Sink<'a> {
    /// When a [`Step`] starts.
    pub step: &'a (dyn Fn(Step) + Sync),
    /// Once, with the number of pages of the site, before the first page.
    pub total: &'a (dyn Fn(usize) + Sync),
    /// After each page (rendered, or found fresh), from any thread.
    pub page: &'a (dyn Fn() + Sync),
    /// When the first pages of [`Pages::Edited`] are on disk: the paths
    /// of those whose bytes changed, and the problems met writing them.
    pub first: Option<FirstWritten<'a>>,
    /// Asked, from any thread, before and while the pages about every
    /// pilot of [`Pages::Edited`] are written: `true` means a newer change
    /// has arrived, and the pages not yet written are left to the next
    /// build (each page on disk stays whole, old or new; see
    /// [`BuildStats::left`]).
    pub abandon: &'a (dyn Fn() -> bool + Sync),
}

impl Sink<'_> {
    /// A sink that is told nothing.
    pub fn none() -> Sink<'static> {
        Sink {
            step: &|_| {},
            total: &|_| {},
            page: &|| {},
            first: None,
            abandon: &|| false,
        }
    }
}

/// The owner of a build, as mdBook's `MDBook` owns a book: a project opened
/// as of a date with its templates and FAQ (the framework is the project's).
/// It answers whether a site is [`up_to_date`](Builder::up_to_date) and
/// [`build`](Builder::build)s pages into an output folder, reading the
/// project's history and keeping it for the next build inside the folder's
/// lock. `build`, `watch` and `serve` ask it; none repeats the sequence.
pub struct Builder {
    pub project: Project,
    pub templates: Templates,
    pub faq: Faq,
    pub as_of: Date,
}

/// What [`Builder::build`] did.
#[derive(Debug)]
pub struct Built {
    /// What was written, or the problems that stopped the build (writing
    /// or rendering; a dossier's errors are on its page, not here).
    pub result: Result<BuildStats, Vec<Diagnostic>>,
    /// Site paths of the pages the build was asked for: every page for
    /// [`Pages::All`]; the edited pilots' pages, then the pages about
    /// every pilot, for [`Pages::Edited`].
    pub asked: Vec<String>,
    /// How many pages the site has.
    pub pages: usize,
    /// Why the site has no history, when it has none for a reason the
    /// user can change.
    pub notice: Option<String>,
    /// Why the history read for this build could not be kept for the
    /// next: where it was to be kept, and the error.
    pub history_problem: Option<(std::path::PathBuf, String)>,
}

/// What [`Builder::publish`] did: the build, or the site found up to date,
/// with the problems of the project to report.
#[derive(Debug)]
pub struct Published {
    pub built: Built,
    /// The project's diagnostics (dossiers, FAQ), in the order to show.
    pub diagnostics: Vec<Diagnostic>,
    /// Dossiers that cannot be read.
    pub broken: usize,
    /// Whether any dossier has an error.
    pub failed: bool,
}

impl Builder {
    /// Opens the project at `root`, with its templates and FAQ.
    pub fn open(root: &Path, as_of: Date) -> Result<Builder, Vec<Diagnostic>> {
        Builder::new(Project::open(root)?, as_of)
    }

    /// `project`, with its templates and FAQ.
    pub fn new(project: Project, as_of: Date) -> Result<Builder, Vec<Diagnostic>> {
        let templates = super::load_templates(&project)?;
        let faq = super::load_faq(&project);
        Ok(Builder {
            project,
            templates,
            faq,
            as_of,
        })
    }

    /// Reads the templates again (after an edit of one).
    pub fn reload_templates(&mut self) -> Result<(), Vec<Diagnostic>> {
        self.templates = super::load_templates(&self.project)?;
        Ok(())
    }

    /// Reads the FAQ again (after an edit of it).
    pub fn reload_faq(&mut self) {
        self.faq = super::load_faq(&self.project);
    }

    /// Reads and judges every dossier.
    pub fn judge_all(&self) -> Judged {
        self.project.judge_all(self.as_of)
    }

    /// [`check_output`] for this project.
    pub fn check_output(&self, out: &Path, force: bool) -> Result<(), Diagnostic> {
        check_output(&self.project, out, force)
    }

    /// Whether the site in `out` is already what a build would write (see
    /// [`up_to_date`]), with the history read for it.
    pub fn up_to_date(&self, out: &Path, history: &crate::history::Found) -> Option<UpToDate> {
        let (project, templates, faq) = (&self.project, &self.templates, &self.faq);
        up_to_date(project, templates, faq, self.as_of, out, history.history())
    }

    /// `pilotscope build`: nothing when `out` is up to date (only the
    /// dossiers with diagnostics are read, to report them again), otherwise
    /// every dossier judged and every page that changed written. The
    /// history is read once, under the folder's lock, for both.
    pub fn publish(&self, out: &Path, sink: &mut Sink) -> Published {
        let start = Instant::now();
        (sink.step)(Step::History);
        let (_lock, history) = match self.take_output(out) {
            Ok(taken) => taken,
            Err(errors) => {
                return Published {
                    built: Built::failed(errors),
                    diagnostics: Vec::new(),
                    broken: 0,
                    failed: false,
                };
            }
        };
        (sink.step)(Step::Dossiers);
        if let Some(done) = self.up_to_date(out, &history) {
            (sink.total)(done.pages);
            // Kept though no page is written: a cache that was damaged, and
            // read again from git, is replaced by this one.
            let history_problem = history.history().and_then(|h| {
                keep_history(h, out)
                    .err()
                    .map(|e| (h.cache_path().to_path_buf(), e.to_string()))
            });
            let mut diagnostics = done.warnings.clone();
            diagnostics.extend(
                done.noisy
                    .iter()
                    .flat_map(|e| e.diagnostics.iter().cloned()),
            );
            diagnostics.extend(self.faq.diagnostics.iter().cloned());
            let stats = BuildStats {
                pages: done.pages,
                unchanged: done.pages,
                pilots: done.pilots,
                elapsed: start.elapsed(),
                ..BuildStats::default()
            };
            return Published {
                failed: diagnostics.iter().any(Diagnostic::is_error),
                broken: done.noisy.iter().filter(|e| e.judged.is_none()).count(),
                diagnostics,
                built: Built {
                    result: Ok(stats),
                    asked: Vec::new(),
                    pages: done.pages,
                    notice: history.notice(),
                    history_problem,
                },
            };
        }
        let judged = self.judge_all();
        let mut built = self.build_locked(&judged, out, Pages::All, sink, &history);
        // The time said is the whole build's, reading the history included.
        if let Ok(stats) = &mut built.result {
            stats.elapsed = start.elapsed();
        }
        let mut diagnostics: Vec<Diagnostic> = judged.diagnostics().cloned().collect();
        diagnostics.extend(self.faq.diagnostics.iter().cloned());
        Published {
            built,
            diagnostics,
            broken: judged.entries.iter().filter(|e| e.judged.is_none()).count(),
            failed: judged.error_count() > 0,
        }
    }

    /// Builds `pages` of the site of `judged` into `out`. Errors are
    /// problems writing or rendering (dossier errors are part of the site,
    /// on the pages of the dossiers concerned), or an output folder that
    /// [`check_output`] refuses. After an error the folder stays marked
    /// unfinished, so the next build trusts none of it.
    ///
    /// The history is read under the folder's lock, and kept for the next
    /// build when this one succeeded (one rule for every caller).
    pub fn build(&self, judged: &Judged, out: &Path, pages: Pages, sink: &mut Sink) -> Built {
        match self.take_output(out) {
            Ok((_lock, history)) => self.build_locked(judged, out, pages, sink, &history),
            Err(errors) => Built::failed(errors),
        }
    }

    /// The output folder made ready for a build: refused when it is
    /// dangerous or someone else's, created, locked; and the history read
    /// under the lock.
    fn take_output(
        &self,
        out: &Path,
    ) -> Result<(output::Lock, crate::history::Found), Vec<Diagnostic>> {
        let project = &self.project;
        // Refused before anything is created there.
        if let Some(why) = dangerous_output(project, out) {
            return Err(vec![why]);
        }
        if let Err(e) = std::fs::create_dir_all(out) {
            return Err(vec![Diagnostic::error(
                Code::OutputCannotUpdate,
                crate::diagnostic::show_path(out, &project.root),
                format!("the output folder cannot be created: {e}"),
            )]);
        }
        // Another build writing here at the same time would leave a mix of
        // both builds' pages under one manifest; the second one waits.
        let lock = output::lock(out).map_err(|e| vec![lock_problem(project, out, &e)])?;
        check_foreign(project, out, false).map_err(|d| vec![d])?;
        Ok((lock, crate::history::load(project)))
    }

    /// [`Builder::build`], for a caller that holds the folder's lock and
    /// read `history` under it.
    fn build_locked(
        &self,
        judged: &Judged,
        out: &Path,
        pages: Pages,
        sink: &mut Sink,
        history: &crate::history::Found,
    ) -> Built {
        let mut built = Built::failed(Vec::new());
        built.notice = history.notice();
        let site = Site::new(&self.project, judged, &self.templates, &self.faq)
            .with_history(history.history());
        let all = site.pages();
        (sink.total)(all.len());
        let order = match pages {
            Pages::All => {
                built.asked = all.iter().map(|p| site.path(*p)).collect();
                Order::All
            }
            Pages::Edited { ids } => {
                let (first, then) = site.edited_pages(&all, &ids, out);
                built.asked = first.iter().chain(&then).map(|p| site.path(*p)).collect();
                Order::Touched { first, then }
            }
        };
        built.pages = all.len();
        built.result = write_site(&site, &all, out, order, sink);
        if let (Ok(_), Some(h)) = (&built.result, history.history())
            && let Err(e) = keep_history(h, out)
        {
            built.history_problem = Some((h.cache_path().to_path_buf(), e.to_string()));
        }
        built
    }
}

impl Built {
    /// A build stopped by `errors` before it began.
    fn failed(errors: Vec<Diagnostic>) -> Built {
        Built {
            result: Err(errors),
            asked: Vec::new(),
            pages: 0,
            notice: None,
            history_problem: None,
        }
    }
}

/// Keeps what `history` read and judged for the next build, in the
/// repository's own folder (never in the output folder, which is
/// published and may be committed), and removes the cache an older
/// version kept in `out`, a folder a build has written (it has a manifest).
fn keep_history(history: &crate::history::History, out: &Path) -> std::io::Result<()> {
    let legacy = out.join(crate::history::cache::LEGACY_FILE);
    if out.join(output::MANIFEST).is_file()
        && std::fs::symlink_metadata(&legacy).is_ok_and(|m| m.is_file())
    {
        std::fs::remove_file(&legacy)?;
    }
    let path = history.cache_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    output::write_if_changed(path, history.cache_text().as_bytes()).map(|_| ())
}

/// Writes `order` of the pages `all` of `site` into `out`, whose lock the
/// caller holds: marks the folder unfinished, renders and writes, records
/// the manifest.
fn write_site(
    site: &Site,
    all: &[Page],
    out: &Path,
    pages: Order,
    sink: &mut Sink,
) -> Result<BuildStats, Vec<Diagnostic>> {
    let start = Instant::now();
    let problem = |e: std::io::Error| {
        vec![Diagnostic::error(
            Code::OutputCannotUpdate,
            crate::diagnostic::show_path(out, &site.project.root),
            format!("the output folder cannot be updated: {e}"),
        )]
    };
    // The manifest and every page's key: for a rebuild after an edit, only
    // once its first pages are written (they do not need them), so that
    // the edited pilot's page comes a few milliseconds sooner.
    let load = || (output::Manifest::read(out), site.keyed_paths(all));
    let mut known = None;
    let (first, then) = match pages {
        // Pages whose key is in the manifest and whose file nobody touched
        // are already what this build would write.
        Order::All => {
            let (previous, files) = known.insert(load());
            let stale: Vec<Page> = all
                .par_iter()
                .copied()
                .filter(|p| {
                    let path = site.path(*p);
                    let fresh = previous.is_fresh(out, &path, files[&path]);
                    if fresh {
                        (sink.page)();
                    }
                    !fresh
                })
                .collect();
            (Vec::new(), stale)
        }
        Order::Touched { first, then } => (first, then),
    };
    let rendered = first.len() + then.len();
    let interrupted = if rendered == 0 {
        out.join(output::UNFINISHED).exists()
    } else {
        output::begin(out).map_err(problem)?
    };
    let never = || false;
    // The first build into a folder has no old page to keep whole.
    let in_place = matches!(&known, Some((previous, _)) if previous.files.is_empty());
    let mut tally = Tally::default();
    let first_done = write_pages(site, &first, out, sink.page, &never, in_place);
    tally.add(site, &first, first_done);
    let first_errors = summarise(std::mem::take(&mut tally.failed));
    // Told before the pages about everyone are begun: a browser showing
    // the edited pilot reloads now, not after them.
    if let (false, Some(told)) = (first.is_empty(), sink.first.as_mut()) {
        told(&tally.changed, &first_errors);
    }
    let (previous, files) = known.unwrap_or_else(load);
    let then_done = write_pages(site, &then, out, sink.page, sink.abandon, in_place);
    tally.add(site, &then, then_done);
    let mut errors = first_errors;
    errors.extend(summarise(tally.failed));
    if !errors.is_empty() {
        return Err(errors);
    }
    let Tally {
        written,
        unchanged,
        mut changed,
        left,
        ..
    } = tally;
    changed.extend(
        previous
            .files
            .keys()
            .filter(|f| !files.contains_key(*f))
            .cloned(),
    );
    // A page left for the next build keeps its old bytes; the manifest
    // must not vouch for them with the new key. Listed without a key, it is
    // rendered by the next build, and not taken for a page the site no
    // longer has. (The manifest is written all the same: it lists the pages
    // this build did write, which a later build must remove when their
    // pilot goes.)
    let left_paths: HashSet<&String> = left.iter().collect();
    let files: std::collections::BTreeMap<String, Option<u128>> = files
        .into_iter()
        .map(|(path, key)| {
            let key = (!left_paths.contains(&path)).then_some(key);
            (path, key)
        })
        .collect();
    let removed = output::finish(
        out,
        &previous,
        &files,
        &site.noisy(),
        interrupted,
        written > 0,
    )
    .map_err(problem)?;
    Ok(BuildStats {
        pages: all.len(),
        written,
        unchanged: unchanged + all.len() - rendered.min(all.len()),
        removed,
        changed,
        left: left.len(),
        pilots: site.judged.portfolio.pilots,
        elapsed: start.elapsed(),
    })
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct BuildStats {
    pub pages: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Site paths of the pages whose bytes changed and of the files
    /// removed: what a live preview reloads.
    pub changed: Vec<String>,
    /// Pages not written because [`Sink::abandon`] said so: the next build
    /// writes them.
    pub left: usize,
    pub pilots: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for BuildStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "built {} pages for {} in {:.2} s ({} written, {} unchanged{})",
            crate::words::count(self.pages),
            crate::words::plural(self.pilots, "pilot", "pilots"),
            self.elapsed.as_secs_f64(),
            crate::words::count(self.written),
            crate::words::count(self.unchanged),
            if self.removed > 0 {
                format!(", {} removed", crate::words::count(self.removed))
            } else {
                String::new()
            }
        )
    }
}

/// What became of the pages of a build, summed.
#[derive(Default)]
struct Tally {
    written: usize,
    unchanged: usize,
    /// Paths of the pages written.
    changed: Vec<String>,
    /// Paths of the pages left.
    left: Vec<String>,
    failed: Vec<Diagnostic>,
}

impl Tally {
    fn add(&mut self, site: &Site, pages: &[Page], done: Vec<Done>) {
        for (page, done) in pages.iter().zip(done) {
            match done {
                Done::Written => {
                    self.written += 1;
                    self.changed.push(site.path(*page));
                }
                Done::Unchanged => self.unchanged += 1,
                Done::Left => self.left.push(site.path(*page)),
                Done::Failed(d) => self.failed.push(d),
            }
        }
    }
}

/// What became of one page of [`write_pages`].
enum Done {
    Written,
    /// Its file already held these bytes.
    Unchanged,
    /// Not written: `abandon` said so before or while it was.
    Left,
    Failed(Diagnostic),
}

/// Renders and writes `pages` into `out`, in parallel; `progress` is told
/// after each page. A page not begun when `abandon` says `true` is left,
/// and so is a streamed page being written then (its old file stays).
/// With `in_place`, pages that are not there yet are written in place
/// ([`output::write_page`]).
fn write_pages(
    site: &Site,
    pages: &[Page],
    out: &Path,
    progress: &(dyn Fn() + Sync),
    abandon: &(dyn Fn() -> bool + Sync),
    in_place: bool,
) -> Vec<Done> {
    let done = |r: Result<bool, Diagnostic>| match r {
        Ok(true) => Done::Written,
        Ok(false) => Done::Unchanged,
        Err(d) => Done::Failed(d),
    };
    pages
        .par_iter()
        .map(|page| {
            if abandon() {
                return Done::Left;
            }
            let path = site.path(*page);
            let dest = out.join(&path);
            if let Some(link) = output::link_on_the_way(out, &path) {
                progress();
                return Done::Failed(Diagnostic::error(
                    Code::OutputCannotWrite,
                    crate::diagnostic::show_path(&link, &site.project.root),
                    "cannot be written: this is a symbolic link where the site needs a folder, and the site is never written through one",
                )
                .with_help("remove the link (or make it a real folder), then build again"));
            }
            let result = match page {
                // Streamed to disk (see `Site::write_index`). A template
                // error is told apart from a failure to write by where it
                // is kept.
                _ if page.streamed() => {
                    let mut failed = None;
                    let written = output::stream_if_changed(&dest, |w| {
                        let mut w = abandoning(w, abandon);
                        site.write_streamed(*page, &mut w).map_err(|e| match e {
                            WriteError::Render(d) => {
                                failed = Some(d);
                                std::io::Error::other("a template failed")
                            }
                            WriteError::Io(e) => e,
                        })?;
                        w.flush()
                    });
                    match failed {
                        Some(d) => Err(d),
                        None if written.is_err() && abandon() => return Done::Left,
                        None => written.map_err(|e| write_error(site, out, &dest, &e)),
                    }
                }
                _ => match site.render(*page, abandon) {
                    Ok(Some(bytes)) => output::write_page(&dest, &bytes, in_place)
                        .map_err(|e| write_error(site, out, &dest, &e)),
                    Ok(None) => return Done::Left,
                    Err(d) => Err(d),
                },
            };
            progress();
            done(result)
        })
        .collect()
}

/// Each distinct problem once (a full disk fails every page the same way),
/// with how many more files it stopped.
fn summarise(failed: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut errors: Vec<(Diagnostic, usize)> = Vec::new();
    for e in failed {
        match errors.iter_mut().find(|(x, _)| x.message == e.message) {
            Some((x, _)) if x.source == e.source => {}
            Some((_, more)) if e.code == Code::OutputCannotWrite => *more += 1,
            _ => errors.push((e, 0)),
        }
    }
    errors
        .into_iter()
        .map(|(d, more)| match more {
            0 => d,
            n => d.with_help(format!(
                "{} of the site cannot be written for the same reason",
                crate::words::plural(n, "more file", "more files")
            )),
        })
        .collect()
}

/// `w` behind a buffer (streamed pages come in many small writes) and an
/// [`Abandoning`] writer.
fn abandoning<'a>(
    w: &'a mut dyn std::io::Write,
    abandon: &'a (dyn Fn() -> bool + Sync),
) -> std::io::BufWriter<Abandoning<'a, dyn std::io::Write + 'a>> {
    std::io::BufWriter::with_capacity(64 * 1024, Abandoning { inner: w, abandon })
}

/// A writer that fails once `abandon` says so: a streamed page stops
/// within one write of a newer change, and its old file stays.
struct Abandoning<'a, W: ?Sized> {
    inner: &'a mut W,
    abandon: &'a (dyn Fn() -> bool + Sync),
}

impl<W: std::io::Write + ?Sized> std::io::Write for Abandoning<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if (self.abandon)() {
            return Err(std::io::Error::other("left for the next build"));
        }
        self.inner.write(bytes)
    }

    /// Asked between the pieces of a streamed page (`site::write_chunks`).
    fn flush(&mut self) -> std::io::Result<()> {
        if (self.abandon)() {
            return Err(std::io::Error::other("left for the next build"));
        }
        self.inner.flush()
    }
}

/// Why a page cannot be written. A file where a folder must be is named
/// itself (once, not once per page under it).
fn write_error(site: &Site, out: &Path, dest: &Path, e: &std::io::Error) -> Diagnostic {
    let show = |p: &Path| crate::diagnostic::show_path(p, &site.project.root);
    let blocker = dest
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(out) && *a != out)
        .find(|a| a.is_file());
    match blocker {
        Some(b) => Diagnostic::error(
            Code::OutputCannotWrite,
            show(b),
            "cannot be written: a file is in the way where the site needs a folder",
        )
        .with_help("move or remove that file, then build again"),
        None => Diagnostic::error(
            Code::OutputCannotWrite,
            show(dest),
            format!("cannot be written: {e}"),
        ),
    }
}

/// A site found up to date by [`up_to_date`].
#[derive(Debug)]
pub struct UpToDate {
    pub pages: usize,
    pub pilots: usize,
    /// Problems that belong to no single dossier.
    pub warnings: Vec<Diagnostic>,
    /// The dossiers that have warnings or errors, read and judged again
    /// for their messages, in path order.
    pub noisy: Vec<crate::project::Entry>,
}

/// Whether the site in `out` is exactly what a build would write, found
/// without parsing a single dossier: the manifest is trusted, the content
/// folder holds the same files with the same bytes, and no file of the site
/// was touched since. Only the dossiers that had warnings or errors are read
/// and judged again, for their messages. `None` when anything differs or
/// cannot be told (two files with one id, a file that cannot be read): the
/// build then runs, and renders what changed.
///
/// This is the same decision [`build`] makes page by page, made for the
/// whole site at once with the keys of [`fingerprint`], so that a rebuild
/// with nothing changed costs a read of the files and no more.
pub fn up_to_date(
    project: &Project,
    templates: &Templates,
    faq: &Faq,
    as_of: Date,
    out: &Path,
    history: Option<&crate::history::History>,
) -> Option<UpToDate> {
    let manifest = output::Manifest::read(out);
    if !manifest.trusted || project.content_problem().is_some() {
        return None;
    }
    let (files, warnings) = project.discover();
    let general = general_pages(templates, history.is_some());
    // The table's data and its pages past the first depend on how many
    // pilots read: the manifest's own list of them is checked by key below.
    let table: Vec<&String> = manifest
        .files
        .keys()
        .filter(|p| Page::is_table_path(p))
        .collect();
    if manifest.files.len() != general.len() + files.len() + table.len() {
        return None;
    }
    let mut ids = std::collections::HashSet::with_capacity(files.len());
    if !files.iter().all(|f| ids.insert(f.id.as_str())) {
        return None;
    }
    // The cheap checks first: every file of the site still as written.
    let untouched = manifest
        .files
        .par_iter()
        .all(|(path, key)| key.is_some_and(|k| manifest.is_fresh(out, path, k)));
    if !untouched {
        return None;
    }
    let digests: Vec<u128> = files
        .par_iter()
        .map(|f| {
            crate::dossier::read::read_bytes(&f.path, &f.source)
                .ok()
                .map(|b| crate::dossier::read::digest(&b))
        })
        .collect::<Option<Vec<u128>>>()?;
    let inputs = fingerprint::inputs(&project.config, &project.framework, templates, faq, as_of);
    let keys = Keys::new(
        inputs,
        files.iter().zip(digests.iter().copied()),
        &warnings,
        history,
    );
    let same = |path: &str, key: u128| manifest.files.get(path) == Some(&Some(key));
    for page in general {
        let path = page.general_path(templates);
        if !same(&path, keys.general(page, &path)) {
            return None;
        }
    }
    for path in table {
        // Any of them stands for the kind: their keys are all aggregates.
        if !same(path, keys.general(Page::TableData, path)) {
            return None;
        }
    }
    for (f, digest) in files.iter().zip(&digests) {
        let path = view::pilot_href(&f.id);
        if !same(&path, keys.pilot(&path, f, *digest, &[])) {
            return None;
        }
    }
    let noisy: BTreeSet<&str> = manifest.noisy.iter().map(String::as_str).collect();
    let noisy: Vec<crate::project::Entry> = files
        .iter()
        .filter(|f| noisy.contains(f.rel_path.as_str()))
        .cloned()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|f| {
            crate::project::read_entry(f, &project.framework, as_of, project.config.stale_days)
        })
        .collect();
    let broken = noisy.iter().filter(|e| e.judged.is_none()).count();
    Some(UpToDate {
        pages: manifest.files.len(),
        pilots: files.len() - broken,
        warnings,
        noisy,
    })
}

/// Whether `project` may build into `out`: never into the project, its
/// content or templates folder, a folder inside those two, or an ancestor
/// of any; and into a folder that holds files pilotscope did not write
/// only when `force` is given (which marks the folder as pilotscope's, so
/// later builds accept it).
pub fn check_output(project: &Project, out: &Path, force: bool) -> Result<(), Diagnostic> {
    if let Some(why) = dangerous_output(project, out) {
        return Err(why);
    }
    // Whether the folder is pilotscope's can only be told while no build
    // writes there (one that has written pages but not yet its manifest
    // would look like someone else's files).
    let _lock = match out.is_dir() {
        true => Some(output::lock(out).map_err(|e| lock_problem(project, out, &e))?),
        false => None,
    };
    check_foreign(project, out, force)
}

fn lock_problem(project: &Project, out: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::OutputCannotUpdate,
        crate::diagnostic::show_path(out, &project.root),
        format!("the output folder cannot be locked for this build: {e}"),
    )
}

/// Why `out` is never an output folder of `project`, if it is not.
fn dangerous_output(project: &Project, out: &Path) -> Option<Diagnostic> {
    let content = project.content_dir();
    let templates = project.templates_dir();
    let guarded: [(&str, &Path, bool); 3] = [
        ("project folder", &project.root, false),
        ("content folder", &content, true),
        ("templates folder", &templates, true),
    ];
    output::dangerous(out, &guarded).map(|why| {
        Diagnostic::error(
            Code::OutputDangerous,
            crate::diagnostic::show_path(out, &project.root),
            why,
        )
        .with_help(
            "set output_dir in pilotscope.toml, or --output, to a folder of its own, such as site",
        )
    })
}

/// The rest of [`check_output`], for a caller that holds the folder's lock.
fn check_foreign(project: &Project, out: &Path, force: bool) -> Result<(), Diagnostic> {
    if !output::is_foreign(out) {
        return Ok(());
    }
    if !force {
        return Err(Diagnostic::error(
            Code::OutputNotOurs,
            crate::diagnostic::show_path(out, &project.root),
            "the output folder already holds files that pilotscope did not write (it has no .pilotscope-files manifest), and a build would overwrite any that share a name with a page",
        )
        .with_help("choose an empty or new folder, or pass --force to build into this one anyway"));
    }
    output::begin(out).map_err(|e| {
        Diagnostic::error(
            Code::OutputCannotUpdate,
            crate::diagnostic::show_path(out, &project.root),
            format!("the output folder cannot be updated: {e}"),
        )
    })?;
    Ok(())
}

/// [`check_output`] for the project at `root` and the folder `watch` and
/// `serve` will write (`out`, or the configured one), before their first
/// build. A project that cannot be opened passes: they report that
/// themselves, and every build checks again.
pub fn check_output_at(
    root: &Path,
    config: Option<&Path>,
    out: Option<&Path>,
    force: bool,
) -> Result<(), Diagnostic> {
    match Project::open_with(root, config) {
        Ok(project) => {
            let out = out.map_or_else(|| project.output_dir(), Path::to_path_buf);
            check_output(&project, &out, force)
        }
        Err(_) => Ok(()),
    }
}
