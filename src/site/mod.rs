//! The static site: view models, templates, and writing the pages.
//!
//! [`Site`] holds what every page needs (the judged portfolio, the
//! templates, the FAQ) and renders one [`Page`] at a time; [`build`]
//! (`build.rs`, the one driver) renders the pages asked for in parallel and
//! writes them with [`output`]: every page for `pilotscope build`, the
//! pages a change touches for the `watch` loop.
//! Rendering never reads a dossier or judges one: it lays out what the
//! earlier stages computed.

mod build;
pub mod faq;
pub mod fingerprint;
pub mod markdown;
pub mod output;
pub mod pack;
pub mod templates;
pub mod view;

pub use view::readiness;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;

use tera::Context;

use crate::diagnostic::{Code, Diagnostic};
use crate::framework::Status;
use crate::project::{Judged, Project};
use crate::report;
pub use build::{
    BuildStats, Builder, Built, Pages, Published, Sink, Step, UpToDate, check_output,
    check_output_at, up_to_date,
};
pub use faq::Faq;
pub use templates::Templates;

/// One file of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Page {
    Index,
    /// The page of entry `n` of [`Judged::entries`]: its diagnosis, or what
    /// is wrong with it.
    Pilot(usize),
    Framework,
    Faq,
    NotFound,
    Report,
    Csv,
    /// `portfolio.xlsx`, the portfolio as a workbook.
    Workbook,
    /// `decisions.ics`, the pending go / no-go decisions as a calendar.
    Calendar,
    /// `pack/index.html`, the board pack.
    Pack,
    /// `table.js`: every row of the portfolio table as data, which
    /// `site.js` sorts, filters and renders.
    TableData,
    /// `table/N/index.html`, page N (from 2) of the portfolio table, for
    /// reading it without JavaScript.
    TablePage(usize),
    /// Asset `n` of [`Templates::assets`].
    Asset(usize),
    /// `history.json`, the portfolio over time (only with a history).
    History,
}

/// The pages of every site that are about no one pilot and are not an
/// asset, the table's data or pages, or the history, in the site's order.
const SITE_PAGES: [Page; 9] = [
    Page::Index,
    Page::Framework,
    Page::Faq,
    Page::NotFound,
    Page::Report,
    Page::Csv,
    Page::Workbook,
    Page::Calendar,
    Page::Pack,
];

/// The table of pages: what each kind of page is. Adding a kind of page is
/// an edit here (the compiler points at each question it must answer) and
/// in [`Site::render`] or [`Site::write_streamed`].
impl Page {
    /// Where the page is written, relative to the output folder, for every
    /// page but a pilot's (which is where its id says, [`Site::path`]).
    fn general_path(self, templates: &Templates) -> String {
        match self {
            Page::Index => "index.html".into(),
            Page::Framework => "framework/index.html".into(),
            Page::Faq => "faq/index.html".into(),
            Page::NotFound => "404.html".into(),
            Page::Report => "report.json".into(),
            Page::Csv => "summary.csv".into(),
            Page::Workbook => "portfolio.xlsx".into(),
            Page::Calendar => "decisions.ics".into(),
            Page::Pack => "pack/index.html".into(),
            Page::TableData => "table.js".into(),
            Page::TablePage(n) => view::table_page_href(n),
            Page::Asset(i) => format!("assets/{}", templates.assets[i].0),
            Page::History => "history.json".into(),
            Page::Pilot(_) => unreachable!("a pilot's page is where its id says"),
        }
    }

    /// Whether the page is made from every pilot, so that a change to any
    /// one renders it again; `Some` gives its place among those pages, the
    /// longest first (so that the others fill the cores beside them rather
    /// than wait at the end).
    fn about_portfolio(self) -> Option<usize> {
        match self {
            Page::Pack => Some(0),
            Page::Report => Some(1),
            Page::Calendar => Some(2),
            Page::Index => Some(3),
            Page::Faq => Some(4),
            Page::Csv => Some(5),
            Page::Workbook => Some(6),
            Page::TableData => Some(7),
            Page::TablePage(n) => Some(7 + n),
            Page::History => Some(usize::MAX),
            Page::Pilot(_) | Page::Framework | Page::NotFound | Page::Asset(_) => None,
        }
    }

    /// Whether the page is written to its file as it is rendered, a piece
    /// at a time ([`Site::write_streamed`]): too large to hold whole at
    /// 10,000 pilots.
    fn streamed(self) -> bool {
        match self {
            Page::Index
            | Page::Faq
            | Page::Pack
            | Page::Report
            | Page::TableData
            | Page::TablePage(_) => true,
            Page::Pilot(_)
            | Page::Framework
            | Page::NotFound
            | Page::Csv
            | Page::Workbook
            | Page::Calendar
            | Page::Asset(_)
            | Page::History => false,
        }
    }

    /// Whether `path` is one of the portfolio table's files (`table.js`,
    /// `table/N/index.html`), whose number depends on how many pilots read.
    fn is_table_path(path: &str) -> bool {
        path == "table.js" || path.starts_with("table/")
    }
}

/// What the keys of a build's pages are made from (see [`fingerprint`]):
/// the one key function, for [`Site::key`] and [`up_to_date`].
pub(crate) struct Keys<'h> {
    /// The fingerprint of what every page depends on.
    inputs: u128,
    /// The fingerprint of what the pages about every pilot depend on.
    portfolio: u128,
    history: Option<&'h crate::history::History>,
}

impl<'h> Keys<'h> {
    fn new<'a>(
        inputs: u128,
        files: impl Iterator<Item = (&'a crate::dossier::discover::DossierFile, u128)>,
        warnings: &[Diagnostic],
        history: Option<&'h crate::history::History>,
    ) -> Keys<'h> {
        let portfolio = fingerprint::portfolio_key(inputs, files, warnings);
        Keys {
            inputs,
            portfolio: fingerprint::mix(portfolio, history.map_or(0, |h| h.digest())),
            history,
        }
    }

    /// The key of a page at `path` that is not a pilot's.
    fn general(&self, page: Page, path: &str) -> u128 {
        match page.about_portfolio() {
            Some(_) => fingerprint::aggregate_key(self.portfolio, path),
            None => fingerprint::inputs_key(self.inputs, path),
        }
    }

    /// The key of the page of the pilot in `file`, at `path`; `clash` as in
    /// [`fingerprint::pilot_key`].
    fn pilot(
        &self,
        path: &str,
        file: &crate::dossier::discover::DossierFile,
        digest: u128,
        clash: &[Diagnostic],
    ) -> u128 {
        let key = fingerprint::pilot_key(self.inputs, path, file, digest, clash);
        fingerprint::mix(key, self.history.map_or(0, |h| h.pilot_digest(&file.id)))
    }
}

/// The FAQ of the project: its `content/faq.md`, or the shipped one.
pub fn load_faq(project: &Project) -> Faq {
    let path = project.faq_path();
    let shown = crate::diagnostic::show_path(&path, &project.root);
    let shipped = |why: &str| {
        let mut f = faq::parse(crate::scaffold::EXAMPLE_FAQ, "(built-in) faq.md");
        f.diagnostics.push(Diagnostic::warning(
            Code::FaqUnusable,
            shown.clone(),
            format!("{why}; the shipped FAQ is shown instead"),
        ));
        f
    };
    // Like a dossier, the FAQ is read only from inside the content folder
    // (a symbolic link out of it is not followed) and only up to the size cap.
    if let (Ok(target), Ok(content)) = (path.canonicalize(), project.content_dir().canonicalize())
        && !target.starts_with(&content)
    {
        return shipped("a symbolic link that points outside the content folder is not followed");
    }
    // Only a regular file is opened: a FIFO would block the build until
    // something wrote to it.
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return faq::parse(crate::scaffold::EXAMPLE_FAQ, "(built-in) faq.md");
        }
        Err(e) => return shipped(&format!("the FAQ cannot be read: {e}")),
        Ok(m) if !m.is_file() => {
            return shipped("the FAQ is not a regular file (a folder, a pipe or a device)");
        }
        Ok(_) => {}
    }
    let cap = crate::dossier::read::MAX_FILE_BYTES;
    match std::fs::File::open(&path).and_then(crate::dossier::read::read_capped) {
        Ok(None) => shipped(&format!(
            "the FAQ is larger than {} MiB, the most a content file may be",
            cap >> 20
        )),
        Ok(Some(bytes)) => match String::from_utf8(bytes) {
            Ok(text) if markdown::too_many_marks(&text).is_some() => shipped(&format!(
                "the FAQ is too large to render: it has more than {} marks of markdown",
                markdown::MAX_MARKS
            )),
            Ok(text) => faq::parse(&text, &shown),
            Err(_) => shipped("the FAQ is not valid UTF-8"),
        },
        Err(e) => shipped(&format!("the FAQ cannot be read: {e}")),
    }
}

/// Loads the project's templates (shipped ones, with its overrides).
pub fn load_templates(project: &Project) -> Result<Templates, Vec<Diagnostic>> {
    let dir = project.templates_dir();
    let shown = crate::diagnostic::show_path(&dir, &project.root);
    Templates::load(Some(&dir), &shown)
}

/// Where `index.html` has the table's rows written, by
/// [`Site::write_index`]. Escaping turns every `<` that comes from a dossier
/// into `&lt;`, so only a template can write this.
pub const PILOT_ROWS_MARK: &str = "<!-- pilotscope: pilot rows -->";

/// Where `faq.html` has the links of a live figure written, by
/// [`Site::write_faq`]: this, the figure's number, then ` -->`.
pub const PILOT_LINKS_MARK: &str = "<!-- pilotscope: pilot links ";

/// How every mark of a streamed page begins and ends: a template writes
/// `<!-- pilotscope: NAME -->` where the page's pieces go.
const MARK_START: &str = "<!-- pilotscope: ";
const MARK_END: &str = " -->";

/// The NAME of a mark `<!-- pilotscope: NAME -->` (or of its beginning).
pub(crate) fn mark_name(mark: &'static str) -> &'static str {
    let name = mark.strip_prefix(MARK_START).unwrap_or(mark);
    name.strip_suffix(MARK_END).unwrap_or(name)
}

/// Writes `outline` to `w` with each mark `<!-- pilotscope: NAME -->`
/// replaced by what `fill` writes for NAME: the one splice of every
/// streamed page. `fill` returns `false` for a mark it does not know,
/// which is written as it is; a mark without its end gets the rest of
/// the outline as its name.
pub(crate) fn splice(
    w: &mut dyn Write,
    outline: &str,
    mut fill: impl FnMut(&mut dyn Write, &str) -> Result<bool, WriteError>,
) -> Result<(), WriteError> {
    let mut rest = outline;
    while let Some(mut at) = rest.find(MARK_START) {
        let mut end = rest[at..].find(MARK_END).map_or(rest.len(), |e| at + e);
        // The mark nearest its end, when a mark's text holds another start.
        if let Some(inner) = rest[at + MARK_START.len()..end].rfind(MARK_START) {
            at += MARK_START.len() + inner;
            end = rest[at..].find(MARK_END).map_or(rest.len(), |e| at + e);
        }
        w.write_all(&rest.as_bytes()[..at])?;
        let after = (end + MARK_END.len()).min(rest.len());
        if !fill(w, &rest[at + MARK_START.len()..end])? {
            w.write_all(&rest.as_bytes()[at..after])?;
        }
        rest = &rest[after..];
    }
    w.write_all(rest.as_bytes())?;
    Ok(())
}

/// Rows of the portfolio table (or links of a live figure) per rendering of `pilot_rows.html`: enough
/// that rendering costs no more than in one piece, few enough that a piece
/// is well under a megabyte.
pub const ROWS_AT_ONCE: usize = 256;

/// Renders `items` [`ROWS_AT_ONCE`] at a time with `render`, on every
/// core, and writes the pieces to `w` in their order
/// ([`crate::pieces::write_in_order`]).
pub(crate) fn write_chunks<T: Sync>(
    w: &mut dyn Write,
    items: &[T],
    render: impl Fn(&[T]) -> Result<String, WriteError> + Sync,
) -> Result<(), WriteError> {
    crate::pieces::write_in_order(w, items, ROWS_AT_ONCE, b"", render)
}

/// Why a page could not be written out.
#[derive(Debug)]
pub enum WriteError {
    /// A template failed.
    Render(Diagnostic),
    /// The writer failed.
    Io(std::io::Error),
}

impl From<Diagnostic> for WriteError {
    fn from(d: Diagnostic) -> WriteError {
        WriteError::Render(d)
    }
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> WriteError {
        WriteError::Io(e)
    }
}

/// Everything needed to render any page of one build.
pub struct Site<'a> {
    pub project: &'a Project,
    pub judged: &'a Judged,
    pub templates: &'a Templates,
    pub faq: &'a Faq,
    /// The mistakes' ids and names that every page's navigation shows,
    /// made into a template value once per build rather than once a page.
    mistakes: tera::Value,
    /// What every page's key is made from.
    keys: Keys<'a>,
    /// The ids the pilot page's own elements have, which a story's anchors
    /// must not repeat.
    pilot_ids: Vec<String>,
    /// Ids that more than one file has.
    shared_ids: BTreeSet<&'a str>,
    /// The portfolio over time, when the project's git history was read.
    pub history: Option<&'a crate::history::History>,
    /// The portfolio table's order ([`view::table_order`]), sorted once
    /// for the index, the pack, `table.js` and every page of the table
    /// (200 of them at 10,000 pilots, each of which sorted it again).
    order: std::sync::OnceLock<Vec<(&'a crate::dossier::Dossier, &'a crate::framework::Diagnosis)>>,
}

impl<'a> Site<'a> {
    /// The portfolio table's order, sorted on first use.
    pub fn table_order(&self) -> &[(&'a crate::dossier::Dossier, &'a crate::framework::Diagnosis)] {
        self.order.get_or_init(|| view::table_order(self.judged))
    }

    pub fn new(
        project: &'a Project,
        judged: &'a Judged,
        templates: &'a Templates,
        faq: &'a Faq,
    ) -> Site<'a> {
        let inputs = fingerprint::inputs(
            &project.config,
            &project.framework,
            templates,
            faq,
            judged.as_of,
        );
        let files = || judged.entries.iter().map(|e| (&e.file, e.digest));
        let keys = Keys::new(inputs, files(), &judged.warnings, None);
        let mut ids: HashMap<&str, usize> = HashMap::with_capacity(judged.entries.len());
        for e in &judged.entries {
            *ids.entry(e.file.id.as_str()).or_default() += 1;
        }
        Site {
            project,
            judged,
            templates,
            faq,
            mistakes: tera::Value::from_serializable(&view::mistake_heads(&project.framework)),
            keys,
            pilot_ids: pilot_page_ids(templates, &project.framework),
            shared_ids: ids
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(id, _)| id)
                .collect(),
            history: None,
            order: std::sync::OnceLock::new(),
        }
    }

    /// The same site, with the portfolio over time: `history.json`, and the
    /// history on the pages (whose keys then cover it).
    pub fn with_history(mut self, history: Option<&'a crate::history::History>) -> Site<'a> {
        let files = self.judged.entries.iter().map(|e| (&e.file, e.digest));
        self.keys = Keys::new(self.keys.inputs, files, &self.judged.warnings, history);
        self.history = history;
        self
    }

    /// The key of what `page` is made from (see [`fingerprint`]).
    pub fn key(&self, page: Page) -> u128 {
        let path = self.path(page);
        match page {
            Page::Pilot(i) => {
                let e = &self.judged.entries[i];
                let clash: &[Diagnostic] = if self.shared_ids.contains(e.file.id.as_str()) {
                    &e.diagnostics
                } else {
                    &[]
                };
                self.keys.pilot(&path, &e.file, e.digest, clash)
            }
            _ => self.keys.general(page, &path),
        }
    }

    /// Every page's path and key, for the manifest.
    pub fn keyed_paths(&self, pages: &[Page]) -> BTreeMap<String, u128> {
        pages
            .iter()
            .map(|p| (self.path(*p), self.key(*p)))
            .collect()
    }

    /// The dossier files that have warnings or errors, for the manifest.
    pub fn noisy(&self) -> Vec<String> {
        self.judged
            .entries
            .iter()
            .filter(|e| !e.diagnostics.is_empty())
            .map(|e| e.file.rel_path.clone())
            .collect()
    }

    /// Every page of the site, in a fixed order.
    pub fn pages(&self) -> Vec<Page> {
        let mut pages = general_pages(self.templates, self.history.is_some());
        pages.extend(self.table_pages());
        let mut taken: BTreeSet<&str> = self.judged.pilots().map(|(d, _)| d.id.as_str()).collect();
        for (i, e) in self.judged.entries.iter().enumerate() {
            // A file whose id clashes with a judged one gets no page of its
            // own; of unreadable files that share an id, the first by path
            // does (two pages at one path would race to be written).
            if e.judged.is_some() || taken.insert(e.file.id.as_str()) {
                pages.push(Page::Pilot(i));
            }
        }
        pages
    }

    /// `table.js` and the pages of the portfolio table past the first.
    fn table_pages(&self) -> impl Iterator<Item = Page> {
        let pages = self.judged.portfolio.pilots.div_ceil(view::TABLE_PAGE_ROWS);
        std::iter::once(Page::TableData).chain((2..=pages).map(Page::TablePage))
    }

    /// The pages made from every pilot, which any change to one rewrites.
    pub fn aggregate_pages(&self) -> Vec<Page> {
        let mut pages: Vec<Page> = general_pages(self.templates, self.history.is_some())
            .into_iter()
            .chain(self.table_pages())
            .filter(|p| p.about_portfolio().is_some())
            .collect();
        pages.sort_by_key(|p| p.about_portfolio());
        pages
    }

    /// The pages an edit of the pilots with `ids` touched, among `all`:
    /// their own pages (every pilot's when two files share an id, since
    /// that may change which file owns a page; and those whose history
    /// moved since the manifest in `out` was written), then the pages about
    /// every pilot.
    pub fn edited_pages(
        &self,
        all: &[Page],
        ids: &HashSet<String>,
        out: &std::path::Path,
    ) -> (Vec<Page>, Vec<Page>) {
        let entries = &self.judged.entries;
        let pilot = |p: &&Page| matches!(p, Page::Pilot(_));
        let mut mine: Vec<Page> = if entries.iter().any(crate::project::Entry::lost_id_clash) {
            all.iter().filter(pilot).copied().collect()
        } else {
            all.iter()
                .filter(|p| matches!(p, Page::Pilot(i) if ids.contains(&entries[*i].file.id)))
                .copied()
                .collect()
        };
        // Pilots whose history moved (a commit since the last build) are
        // rendered again too: any page whose key the manifest does not hold.
        if self.history.is_some() {
            let before = output::Manifest::read(out);
            let listed: HashSet<Page> = mine.iter().copied().collect();
            mine.extend(all.iter().filter(pilot).copied().filter(|p| {
                !listed.contains(p) && before.files.get(&self.path(*p)) != Some(&Some(self.key(*p)))
            }));
        }
        (mine, self.aggregate_pages())
    }

    /// Where a page is written, relative to the output folder.
    pub fn path(&self, page: Page) -> String {
        match page {
            Page::Pilot(i) => view::pilot_href(&self.judged.entries[i].file.id),
            _ => page.general_path(self.templates),
        }
    }

    fn page_view(&self, path: &str, title: String, nav: &'static str) -> view::PageView {
        view::PageView::new(&self.project.config, self.judged, path, title, nav)
    }

    fn html(
        &self,
        template: &str,
        page: view::PageView,
        key: &'static str,
        value: &impl serde::Serialize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let ctx = self.context(page, key, value);
        self.render_context(template, &ctx)
    }

    /// The template values of a page: what [`Site::html`] renders.
    fn context(
        &self,
        page: view::PageView,
        key: &'static str,
        value: &impl serde::Serialize,
    ) -> Context {
        let mut ctx = Context::new();
        ctx.insert("page", &page);
        ctx.insert(key, value);
        ctx.insert_value("mistakes", self.mistakes.clone());
        ctx
    }

    fn render_context(&self, template: &str, ctx: &Context) -> Result<Vec<u8>, Diagnostic> {
        self.templates.render(template, ctx).map(String::into_bytes)
    }

    /// Writes the index page to `w`, its table's rows a few hundred at a
    /// time.
    ///
    /// At 10,000 pilots the rows as one template value took about 80 MB
    /// and the page is 18 MB, so neither is ever whole in memory:
    /// `index.html` is rendered without the rows, with [`PILOT_ROWS_MARK`]
    /// where they go; the rows are rendered in order with
    /// `pilot_rows.html`, [`ROWS_AT_ONCE`] at a time, and written in place
    /// of the mark. An `index.html` without the mark (a project's own,
    /// written before `pilot_rows.html` existed, that loops over
    /// `portfolio.rows`) is rendered again with every row, as before.
    pub fn write_index(&self, w: &mut dyn Write) -> Result<(), WriteError> {
        let config = &self.project.config;
        let fw = &self.project.framework;
        let page = self.page_view("index.html", config.title.clone(), "portfolio");
        let ctx = self.context(
            page.clone(),
            "portfolio",
            &view::portfolio_view(config, fw, self.judged),
        );
        let mut ctx = ctx;
        self.insert_trend(&mut ctx);
        let outline = self.templates.render("index.html", &ctx)?;
        if !outline.contains(PILOT_ROWS_MARK) {
            let mut ctx = self.context(
                page,
                "portfolio",
                &view::portfolio_view_with_rows(config, fw, self.judged),
            );
            self.insert_trend(&mut ctx);
            w.write_all(self.templates.render("index.html", &ctx)?.as_bytes())?;
            return Ok(());
        }
        let order = self.table_order();
        let first = &order[..order.len().min(view::TABLE_PAGE_ROWS)];
        self.write_rows(w, &outline, &page, first, true)
    }

    /// Writes `outline` with `rows` rendered by `pilot_rows.html` in place
    /// of each [`PILOT_ROWS_MARK`], [`ROWS_AT_ONCE`] at a time. Only a
    /// `sortable` table's rows carry what site.js sorts and filters the
    /// page's own rows by (`data-value`, `data-verdict`, `data-stage`): the
    /// pages of the table past the first have no controls, and those
    /// attributes were 0.3 KB of every pilot's row there.
    fn write_rows(
        &self,
        w: &mut dyn Write,
        outline: &str,
        page: &view::PageView,
        rows: &[(&crate::dossier::Dossier, &crate::framework::Diagnosis)],
        sortable: bool,
    ) -> Result<(), WriteError> {
        let config = &self.project.config;
        let fw = &self.project.framework;
        splice(w, outline, |w, mark| {
            if mark != mark_name(PILOT_ROWS_MARK) {
                return Ok(false);
            }
            write_chunks(w, rows, |chunk| {
                let rows: Vec<view::PilotRow> = chunk
                    .iter()
                    .map(|(d, g)| view::pilot_row(config, fw, d, g, self.judged.as_of))
                    .collect();
                let mut ctx = self.context(page.clone(), "rows", &rows);
                ctx.insert("sortable", &sortable);
                Ok(self.templates.render("pilot_rows.html", &ctx)?)
            })?;
            Ok(true)
        })
    }

    /// The portfolio's trend over time, for the index (`trend`), when
    /// there is a history.
    fn insert_trend(&self, ctx: &mut Context) {
        let Some(h) = self.history else { return };
        let p = &self.judged.portfolio;
        let now = view::history::Counts {
            pilots: p.pilots,
            ready: p.verdict_count(crate::framework::Verdict::Ready),
            at_risk: p.verdict_count(crate::framework::Verdict::AtRisk),
            not_ready: p.verdict_count(crate::framework::Verdict::NotReady),
            purgatory: p.purgatory,
        };
        let since = self
            .judged
            .as_of
            .checked_sub(jiff::Span::new().days(90))
            .unwrap_or(self.judged.as_of);
        if let Some(t) = view::history::trend(h, self.judged.as_of, since, now) {
            ctx.insert("trend_chart", &trend_shows_change(&t));
            ctx.insert("trend", &t);
        }
    }

    /// Writes page `n` (from 2) of the portfolio table: its rows, and links
    /// to the other pages.
    pub fn write_table_page(&self, n: usize, w: &mut dyn Write) -> Result<(), WriteError> {
        let path = self.path(Page::TablePage(n));
        let page = self.page_view(
            &path,
            format!("Pilots, page {}", view::count(n)),
            "portfolio",
        );
        let v = view::TablePageView {
            number: n,
            pager: view::pager(self.judged.portfolio.pilots, n),
            mistakes: view::mistake_heads(&self.project.framework),
        };
        let outline = self
            .templates
            .render("table.html", &self.context(page.clone(), "table", &v))?;
        let order = self.table_order();
        let start = ((n - 1) * view::TABLE_PAGE_ROWS).min(order.len());
        let end = (start + view::TABLE_PAGE_ROWS).min(order.len());
        self.write_rows(w, &outline, &page, &order[start..end], false)
    }

    /// Writes `table.js`: `window.PILOTSCOPE_TABLE`, every row of the
    /// portfolio table as data in the table's order, for `site.js`. A
    /// script, not JSON to fetch: `fetch()` fails on `file://`, and the
    /// Content-Security-Policy allows the site's own scripts. Written a row
    /// at a time, so the rows are never all in memory.
    pub fn write_table_data(&self, w: &mut dyn Write) -> Result<(), WriteError> {
        let config = &self.project.config;
        let fw = &self.project.framework;
        let statuses: serde_json::Map<String, serde_json::Value> =
            [Status::Active, Status::AtRisk, Status::Clear]
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_string(),
                        serde_json::json!({
                            "symbol": view::status_symbol(*s),
                            "label": view::status_label(*s),
                        }),
                    )
                })
                .collect();
        let head = serde_json::json!({
            "statuses": statuses,
            "mistakes": view::mistake_heads(fw),
            "pageRows": view::TABLE_PAGE_ROWS,
        })
        .to_string();
        w.write_all(
            b"// The portfolio table as data for site.js, written by pilotscope.\nwindow.PILOTSCOPE_TABLE = ",
        )?;
        // The head without its closing brace, then the rows.
        w.write_all(&head.as_bytes()[..head.len() - 1])?;
        w.write_all(b",\"rows\":[\n")?;
        let p = &self.judged.portfolio;
        for (i, (d, g)) in self.table_order().iter().enumerate() {
            if i > 0 {
                w.write_all(b",\n")?;
            }
            let row = view::table_row(config, fw, p, d, g, self.judged.as_of);
            serde_json::to_writer(&mut *w, &row).map_err(std::io::Error::other)?;
        }
        w.write_all(b"\n]};\n")?;
        Ok(())
    }

    /// Writes the FAQ page to `w`, the links of its live figures a few
    /// hundred at a time, like [`Site::write_index`] the rows: at 10,000
    /// pilots its figures name about 80,000 pilots, ~40 MB as template
    /// values. `faq.html` is rendered without the links, with
    /// [`PILOT_LINKS_MARK`] and a figure's number where that figure's
    /// links go; they are rendered with `pilot_links.html`. A `faq.html`
    /// without any mark, while some figure names pilots (a project's own,
    /// that loops over each figure's `pilots`), is rendered again with
    /// every link, as before.
    pub fn write_faq(&self, w: &mut dyn Write) -> Result<(), WriteError> {
        let config = &self.project.config;
        let fw = &self.project.framework;
        let v = view::faq_view(config, fw, self.judged, self.faq);
        let mut page = self.page_view(&self.path(Page::Faq), v.title.clone(), "faq");
        page.description = v.description.clone();
        let outline = self
            .templates
            .render("faq.html", &self.context(page.clone(), "faq", &v))?;
        if !outline.contains(PILOT_LINKS_MARK) && v.figures().any(|f| f.pilot_count > 0) {
            let v = view::faq_view_with_links(config, fw, self.judged, self.faq);
            w.write_all(&self.html("faq.html", page, "faq", &v)?)?;
            return Ok(());
        }
        let figures: Vec<&view::LiveFigure> = v.figures().collect();
        let mut links_ctx = Context::new();
        links_ctx.insert("page", &page);
        let links = mark_name(PILOT_LINKS_MARK);
        splice(w, &outline, |w, mark| {
            let Some(n) = mark.strip_prefix(links) else {
                return Ok(false);
            };
            let Some(figure) = n.parse::<usize>().ok().and_then(|n| figures.get(n)) else {
                let d = Diagnostic::error(
                    Code::TemplateError,
                    self.templates.source_of("faq.html"),
                    "template error: a mark for a live figure's links is not \
                     `<!-- pilotscope: pilot links N -->` with N a figure's number",
                )
                .with_help("write `<!-- pilotscope: pilot links {{ f.number }} -->`");
                return Err(WriteError::Render(d));
            };
            // The first few only, then "and N more" to the filtered
            // table: at 10,000 pilots the FAQ named 77,000.
            links_ctx.insert("links", &figure.links(0, figure.named()));
            links_ctx.insert("more", &figure.more);
            w.write_all(&self.render_context("pilot_links.html", &links_ctx)?)?;
            Ok(true)
        })
    }

    /// Writes the index or the FAQ page, which at 10,000 pilots are too
    /// large to hold whole, to `w`.
    pub fn write_streamed(&self, page: Page, w: &mut dyn Write) -> Result<(), WriteError> {
        match page {
            Page::Index => self.write_index(w),
            Page::Faq => self.write_faq(w),
            Page::Pack => self.write_pack(w),
            Page::TableData => self.write_table_data(w),
            Page::TablePage(n) => self.write_table_page(n, w),
            // At 10,000 pilots tens of megabytes that need not be in memory.
            Page::Report => {
                report::write_json_compact(w, self.judged, &self.project.framework)?;
                Ok(())
            }
            other => unreachable!("{other:?} is rendered whole, not streamed"),
        }
    }

    /// Renders one page; `None` when `stop` said so before it was done
    /// (only the workbook asks it: the other pages take milliseconds, or
    /// are streamed and stopped by their writer).
    pub fn render(
        &self,
        page: Page,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<Vec<u8>>, Diagnostic> {
        if page == Page::Workbook {
            return self.workbook(stop);
        }
        self.render_whole(page).map(Some)
    }

    /// `portfolio.xlsx`, or `None` when `stop` said so.
    fn workbook(&self, stop: &dyn Fn() -> bool) -> Result<Option<Vec<u8>>, Diagnostic> {
        let config = &self.project.config;
        let fw = &self.project.framework;
        let history = self.history.map(|h| {
            let titles: HashMap<&str, &str> = self
                .judged
                .pilots()
                .map(|(d, _)| (d.id.as_str(), d.title.as_str()))
                .collect();
            let mut rows: Vec<report::HistoryRow> = h
                .pilots
                .iter()
                .flat_map(|(id, points)| {
                    let title = titles.get(id.as_str()).copied().unwrap_or(id.as_str());
                    points.iter().map(move |p| report::HistoryRow {
                        pilot: title,
                        date: p.date,
                        stage: p.judgement.stage.map(|s| s.as_str()),
                        verdict: p.judgement.verdict.map(|v| v.as_str()),
                        readiness: p.judgement.readiness,
                        author: if h.authors { p.author.as_str() } else { "" },
                        note: if p.removed {
                            "removed"
                        } else if p.judgement.error.is_some() {
                            "cannot be read"
                        } else {
                            ""
                        },
                        commit: p.commit.to_hex_with_len(12).to_string(),
                    })
                })
                .collect();
            rows.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.pilot.cmp(b.pilot)));
            rows
        });
        report::workbook(self.judged, config, fw, history.as_deref(), stop).map_err(|e| {
            Diagnostic::error(Code::OutputCannotWrite, "portfolio.xlsx", e.to_string())
        })
    }

    /// Renders one page that is not the workbook.
    fn render_whole(&self, page: Page) -> Result<Vec<u8>, Diagnostic> {
        let config = &self.project.config;
        let fw = &self.project.framework;
        let path = self.path(page);
        match page {
            _ if page.streamed() => {
                let mut bytes = Vec::new();
                self.write_streamed(page, &mut bytes).map_err(|e| match e {
                    WriteError::Render(d) => d,
                    WriteError::Io(e) => {
                        Diagnostic::error(Code::OutputCannotWrite, path, e.to_string())
                    }
                })?;
                Ok(bytes)
            }
            Page::Pilot(i) => {
                let e = &self.judged.entries[i];
                match &e.judged {
                    Some((d, g)) => {
                        let ids: Vec<&str> = self.pilot_ids.iter().map(String::as_str).collect();
                        let story = markdown::render_beside(&d.body, 1, &ids);
                        let warnings: Vec<Diagnostic> = e.diagnostics.clone();
                        let v =
                            view::pilot_view(config, fw, d, g, story, &warnings, self.judged.as_of);
                        let mut pv = self.page_view(&path, d.title.clone(), "pilot");
                        pv.description = v.summary.clone();
                        let mut ctx = self.context(pv, "pilot", &v);
                        if let Some(h) = self
                            .history
                            .and_then(|h| view::history::pilot(h, &d.id, self.judged.as_of))
                        {
                            ctx.insert("history", &h);
                        }
                        self.render_context("pilot.html", &ctx)
                    }
                    None => {
                        let v =
                            view::broken_view(config, &e.file.id, &e.file.source, &e.diagnostics);
                        self.html(
                            "broken.html",
                            self.page_view(
                                &path,
                                format!("{} cannot be read", e.file.source),
                                "pilot",
                            ),
                            "broken",
                            &v,
                        )
                    }
                }
            }
            Page::Framework => self.html(
                "framework.html",
                self.page_view(&path, "The five-mistake framework".into(), "framework"),
                "framework",
                &view::framework_view(fw),
            ),
            Page::NotFound => {
                // Served from any depth, so its links start at the site's
                // path on the host: the path of `base_url`, or `/`. Only
                // the path, so the page works on whatever host serves it
                // (production, or `serve` on 127.0.0.1, which answers under
                // that path too).
                let mut pv = self.page_view(&path, "Page not found".into(), "");
                pv.canonical = None;
                pv.root = config.base_path();
                self.html("404.html", pv, "missing", &())
            }
            Page::Index | Page::Faq | Page::Pack | Page::Report => unreachable!("streamed"),
            Page::TableData | Page::TablePage(_) => unreachable!("streamed"),
            Page::Csv => Ok(report::csv(self.judged, config).into_bytes()),
            Page::Workbook => unreachable!("rendered by Site::workbook"),
            Page::Calendar => Ok(report::calendar(self.judged, config, fw).into_bytes()),
            Page::Asset(i) => Ok(self.templates.assets[i].1.clone()),
            Page::History => Ok(self
                .history
                .map(|h| crate::history::json(h, self.judged.as_of))
                .unwrap_or_default()
                .into_bytes()),
        }
    }
}

/// The general pages (every page that is not about one pilot: each has a
/// path of its own), in a fixed order: the site's own, its assets, and its
/// history when it has one. ("Fixed" is a dossier whose error went away,
/// `watch::Rebuild::fixed`, and nothing else.)
pub(super) fn general_pages(templates: &Templates, history: bool) -> Vec<Page> {
    let mut pages = SITE_PAGES.to_vec();
    pages.extend((0..templates.assets.len()).map(Page::Asset));
    if history {
        pages.push(Page::History);
    }
    pages
}

/// The ids the pilot page gives its own elements, which a story's anchors
/// must not repeat: those written in its templates (`pilot.html` and what
/// it extends or includes), and the mistakes' ids, which it gives its
/// sections.
fn pilot_page_ids(templates: &Templates, fw: &crate::framework::Framework) -> Vec<String> {
    let mut ids = templates.element_ids("pilot.html");
    ids.extend(fw.mistakes.iter().map(|m| m.id.as_str().to_string()));
    ids
}

/// Whether the portfolio's trend is worth a chart: points at three dates
/// or more, spread over at least [`TREND_DAYS`] days. A history that began
/// last week draws a flat band; the index then says so in a line.
fn trend_shows_change(t: &view::history::Trend) -> bool {
    let span = match (
        t.from.parse::<jiff::civil::Date>(),
        t.to.parse::<jiff::civil::Date>(),
    ) {
        (Ok(from), Ok(to)) => crate::framework::judge::days_between(from, to),
        _ => 0,
    };
    t.columns.len() >= 3 && span >= TREND_DAYS
}

/// How many days the trend's points must span to be shown.
const TREND_DAYS: i64 = 21;
