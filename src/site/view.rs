//! View models: everything a template shows, computed, sorted, counted and
//! formatted in Rust. Templates only lay these out.

use serde::Serialize;

use super::faq::{Faq, Topic};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::dossier::schema::{self, idx};
use crate::dossier::{Dossier, Stage, format_share, tree::format_number};
use crate::framework::{
    Check, Condition, Diagnosis, Flag, Framework, Literal, Mistake, Outcome, Status, Verdict,
};
use crate::portfolio::{Portfolio, puts_budget_at_risk};
use crate::project::Judged;

/// What every page has.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub site_title: String,
    /// Relative path from this page to the site root: `""`, `"../../"`.
    pub root: String,
    pub title: String,
    pub description: String,
    /// Absolute address of this page, when `base_url` is set.
    pub canonical: Option<String>,
    /// Which navigation item is current.
    pub nav: &'static str,
    pub as_of: String,
}

impl PageView {
    pub fn new(
        config: &Config,
        judged: &Judged,
        path: &str,
        title: String,
        nav: &'static str,
    ) -> PageView {
        let depth = path.matches('/').count();
        let canonical = (!config.base_url.is_empty()).then(|| {
            let page = path.strip_suffix("index.html").unwrap_or(path);
            format!("{}/{page}", config.base_url.trim_end_matches('/'))
        });
        PageView {
            site_title: config.title.clone(),
            root: "../".repeat(depth),
            title,
            description: String::new(),
            canonical,
            nav,
            as_of: judged.as_of.to_string(),
        }
    }
}

// ---------------------------------------------------------------- words

pub fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "Ready",
        Verdict::AtRisk => "At risk",
        Verdict::NotReady => "Not ready",
    }
}

/// 0 not ready, 1 at risk, 2 ready: the default order puts problems first.
pub fn verdict_rank(v: Verdict) -> usize {
    2 - v as usize
}

pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Clear => "clear",
        Status::AtRisk => "at risk",
        Status::Active => "active",
    }
}

/// A shape per status, so that status never depends on colour alone.
pub fn status_symbol(s: Status) -> &'static str {
    match s {
        Status::Clear => "✓",
        Status::AtRisk => "!",
        Status::Active => "✕",
    }
}

pub fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Unanswered => "not answered",
    }
}

pub fn outcome_symbol(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "✓",
        Outcome::Fail => "✕",
        Outcome::Unanswered => "?",
    }
}

pub fn stage_label(s: Stage) -> &'static str {
    match s {
        Stage::Proposed => "Proposed",
        Stage::Pilot => "Pilot",
        Stage::Scaling => "Scaling",
        Stage::Production => "Production",
        Stage::Paused => "Paused",
        Stage::Abandoned => "Abandoned",
    }
}

/// An amount of money with thousands separators: `£615,000`.
pub fn money(config: &Config, amount: f64) -> String {
    let rounded = amount.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0 { "-" } else { "" };
    format!("{sign}{}{grouped}", config.currency_prefix())
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// A count with thousands separators: `10,000`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// The area a mistake is about, as a pilot's chart labels its bar:
/// `Framing`, `Change management`.
pub fn area_label(m: Mistake) -> String {
    match m {
        Mistake::Change => "Change management".into(),
        m => {
            let id = m.as_str();
            let mut c = id.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

/// Link from the site root to a pilot's page.
pub fn pilot_href(id: &str) -> String {
    format!("pilots/{id}/index.html")
}

// ---------------------------------------------------------------- shared pieces

#[derive(Debug, Clone, Serialize)]
pub struct MistakeHead {
    pub id: &'static str,
    pub name: String,
}

pub fn mistake_heads(fw: &Framework) -> Vec<MistakeHead> {
    Mistake::ALL
        .iter()
        .map(|m| MistakeHead {
            id: m.as_str(),
            name: fw.mistake(*m).name.clone(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCell {
    pub mistake: &'static str,
    pub name: String,
    pub status: &'static str,
    pub label: &'static str,
    pub symbol: &'static str,
    pub score: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlagView {
    pub id: &'static str,
    pub label: String,
    pub detail: String,
}

fn flag_views(d: &Dossier, g: &Diagnosis, stale_days: i64) -> Vec<FlagView> {
    g.flags
        .iter()
        .map(|f| match f {
            Flag::Purgatory => FlagView {
                id: "purgatory",
                label: "Purgatory".into(),
                detail: match (g.days_overdue, d.decision_due()) {
                    (Some(days), Some(due)) => format!(
                        "{} past its go / no-go decision, due {due}",
                        plural(days as usize, "day", "days")
                    ),
                    _ => "past its go / no-go decision".into(),
                },
            },
            Flag::Stale => FlagView {
                id: "stale",
                label: "Stale".into(),
                detail: match (g.days_since_update, d.updated()) {
                    (Some(days), Some(u)) => format!(
                        "answers last reviewed {u}, {} ago (more than {stale_days})",
                        plural(days as usize, "day", "days")
                    ),
                    _ => "no review date: `updated` is not answered".into(),
                },
            },
        })
        .collect()
}

/// A horizontal bar chart: labels and values are HTML text, so they keep
/// their size on a phone; each bar is a small SVG stretched to its row (a
/// Content-Security-Policy without `unsafe-inline` forbids `style`
/// attributes, so a bar's length is an SVG attribute).
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// How long a full bar is, in the bars' own units.
    pub bar_w: u32,
    pub bars: Vec<Bar>,
    /// One sentence saying what the chart shows, for screen readers and print.
    pub summary: String,
    /// `worse` or `better`: what a longer bar means, for its colours; empty
    /// for a chart of counts that are neither (pilots per verdict).
    pub reading: &'static str,
    /// What a longer bar means, in words, shown above the bars.
    pub legend: String,
}

impl Chart {
    /// Says what a longer bar means: `worse` or `better`, and in words.
    pub fn reads(mut self, reading: &'static str, legend: String) -> Chart {
        self.reading = reading;
        self.legend = legend;
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: String,
    pub class: &'static str,
    /// The bar's length, out of [`Chart::bar_w`].
    pub width: u32,
}

const CHART_BAR_W: u32 = 300;

pub(super) fn chart(
    items: Vec<(String, f64, String, &'static str)>,
    max: f64,
    summary: String,
) -> Chart {
    let bars = items
        .into_iter()
        .map(|(label, v, value, class)| Bar {
            label,
            value,
            class,
            width: if max > 0.0 {
                ((v / max) * CHART_BAR_W as f64).round() as u32
            } else {
                0
            },
        })
        .collect();
    Chart {
        bar_w: CHART_BAR_W,
        bars,
        summary,
        reading: "",
        legend: String::new(),
    }
}

// ---------------------------------------------------------------- portfolio

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub note: String,
    /// What the figure leaves out, when something is: dossiers that could
    /// not be read.
    pub caveat: String,
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PilotRow {
    pub id: String,
    pub href: String,
    pub title: String,
    pub summary: String,
    pub business_unit: String,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub stage_rank: usize,
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    /// 0 not ready, 1 at risk, 2 ready: the default order puts problems first.
    pub verdict_rank: usize,
    pub readiness: u32,
    pub cells: Vec<StatusCell>,
    pub most_active: &'static str,
    pub most_active_name: String,
    pub flags: Vec<FlagView>,
    pub budget: String,
    /// The budget as a number, to sort by; -1 when none is answered.
    pub budget_value: f64,
    /// The production owner, or empty.
    pub owner: String,
    /// `YYYY-MM-DD`, or empty.
    pub decision_due: String,
    /// "in 22 days", "57 days overdue", "decided" (production, abandoned).
    pub decision_note: String,
    /// `overdue` or empty.
    pub decision_class: &'static str,
    /// Days to the decision, to sort by (overdue first); pilots with none,
    /// or decided, last.
    pub decision_rank: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BrokenRow {
    pub source: String,
    pub href: String,
    /// `line:column` of the first error, when known.
    pub location: String,
    pub message: Vec<Part>,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortfolioView {
    pub figures: Vec<Figure>,
    pub production_share: String,
    pub production_note: String,
    pub chart: Chart,
    pub mistakes: Vec<MistakeHead>,
    /// Empty unless made by [`portfolio_view_with_rows`].
    pub rows: Vec<PilotRow>,
    pub broken: Vec<BrokenRow>,
    pub stages: Vec<&'static str>,
    /// Pilots per stage, in stage order, stages with none left out.
    pub by_stage: Vec<Fact>,
    pub pilots: usize,
    /// Pilots ready to scale and closest to ready.
    pub readiness: super::readiness::PortfolioReadiness,
    /// The go / no-go decisions overdue and due soon, for the panel above
    /// the table.
    pub decisions: DecisionsPanel,
    /// Pilots, verdicts and budget per business unit.
    pub units: Vec<UnitRow>,
    /// The pages of the table, for reading it without JavaScript.
    pub pager: Pager,
}

/// How many rows of the portfolio table a page of it shows: the index
/// shows the first ones, `table/N/index.html` the others, and `site.js`
/// renders this many at a time from `table.js`.
pub const TABLE_PAGE_ROWS: usize = 50;

/// Where a page of the portfolio table is, from the site root: the first
/// is the index.
pub fn table_page_href(n: usize) -> String {
    if n <= 1 {
        "index.html".into()
    } else {
        format!("table/{n}/index.html")
    }
}

/// The links between the pages of the portfolio table.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    /// "Pilots 101–200 of 10,000, attention first."
    pub text: String,
    /// Every page, the current one marked; empty when one page holds all.
    pub pages: Vec<PagerLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PagerLink {
    pub number: String,
    pub href: String,
    pub current: bool,
}

/// The pager of page `n` (from 1) of a table of `pilots` rows.
pub fn pager(pilots: usize, n: usize) -> Pager {
    let pages = pilots.div_ceil(TABLE_PAGE_ROWS);
    let first = (n - 1) * TABLE_PAGE_ROWS + 1;
    let last = (n * TABLE_PAGE_ROWS).min(pilots);
    Pager {
        text: if pages <= 1 {
            String::new()
        } else {
            format!(
                "Pilots {}–{} of {}, those that need attention first.",
                count(first),
                count(last),
                count(pilots)
            )
        },
        pages: if pages <= 1 {
            Vec::new()
        } else {
            (1..=pages)
                .map(|i| PagerLink {
                    number: count(i),
                    href: table_page_href(i),
                    current: i == n,
                })
                .collect()
        },
    }
}

/// A page of the portfolio table past the first: its rows are written by
/// the site where `table.html` has the rows mark, like the index's.
#[derive(Debug, Clone, Serialize)]
pub struct TablePageView {
    pub number: usize,
    pub pager: Pager,
    pub mistakes: Vec<MistakeHead>,
}

/// One row of `table.js`, the data `site.js` sorts, filters and renders
/// the portfolio table from: a [`PilotRow`] in short keys, without what
/// the script can look up once (a status's symbol and label).
#[derive(Debug, Clone, Serialize)]
pub struct TableRow {
    pub h: String,
    pub t: String,
    pub s: String,
    pub u: String,
    pub o: String,
    pub st: &'static str,
    pub sl: &'static str,
    pub sr: usize,
    pub v: &'static str,
    pub vl: &'static str,
    pub vr: usize,
    pub r: u32,
    /// Per mistake: status and score.
    pub c: Vec<(&'static str, u32)>,
    pub m: &'static str,
    pub mn: String,
    pub b: String,
    pub bv: f64,
    pub d: String,
    pub dn: String,
    pub dc: &'static str,
    pub dr: i64,
    /// Flags: id, label, detail.
    pub f: Vec<(&'static str, String, String)>,
    /// What the FAQ's "and N more" links filter the table by
    /// (`index.html#show=active-data`), space-separated.
    pub k: String,
}

/// The row of `table.js` of a pilot.
pub fn table_row(
    config: &Config,
    fw: &Framework,
    p: &Portfolio,
    d: &Dossier,
    g: &Diagnosis,
    as_of: jiff::civil::Date,
) -> TableRow {
    let row = pilot_row(config, fw, d, g, as_of);
    TableRow {
        k: filter_tokens(p, d, g).join(" "),
        h: row.href,
        t: row.title,
        s: row.summary,
        u: row.business_unit,
        o: row.owner,
        st: row.stage,
        sl: row.stage_label,
        sr: row.stage_rank,
        v: row.verdict,
        vl: row.verdict_label,
        vr: row.verdict_rank,
        r: row.readiness,
        c: row.cells.iter().map(|c| (c.status, c.score)).collect(),
        m: row.most_active,
        mn: row.most_active_name,
        b: row.budget,
        bv: row.budget_value,
        d: row.decision_due,
        dn: row.decision_note,
        dc: row.decision_class,
        dr: row.decision_rank,
        f: row
            .flags
            .into_iter()
            .map(|f| (f.id, f.label, f.detail))
            .collect(),
    }
}

/// The filters a pilot belongs to: one for each group of pilots a live
/// figure of the FAQ names (see `topic_figures`).
fn filter_tokens(p: &Portfolio, d: &Dossier, g: &Diagnosis) -> Vec<String> {
    let mut k: Vec<String> = Mistake::ALL
        .iter()
        .filter(|m| g.mistakes[m.index()].status == Status::Active)
        .map(|m| format!("active-{}", m.as_str()))
        .collect();
    if g.flags.contains(&Flag::Purgatory) {
        k.push("purgatory".into());
    }
    if matches!(d.stage, Stage::Production | Stage::Scaling) {
        k.push("in-production".into());
    }
    if puts_budget_at_risk(d, g) && d.budget().is_some_and(|b| b > 0.0) {
        k.push("budget-at-risk".into());
    }
    if g.verdict == Verdict::Ready {
        k.push("ready".into());
    }
    if d.stage == Stage::Pilot && crate::framework::ready_for_next_stage(g) {
        k.push("ready-to-scale".into());
    }
    if p.is_closest_to_ready(g) {
        k.push("closest".into());
    }
    k
}

/// The decisions a leader has to take soon: overdue ones, then those due
/// within [`DECISIONS_AHEAD`](super::pack::DECISIONS_AHEAD) days, each list
/// cut at [`DECISIONS_SHOWN`] with the rest counted.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionsPanel {
    pub ahead: i64,
    pub overdue: Vec<super::pack::Decision>,
    /// "and 12 more overdue", or empty.
    pub overdue_more: String,
    pub upcoming: Vec<super::pack::Decision>,
    /// "and 3 more due", or empty.
    pub upcoming_more: String,
    /// "No go / no-go decision is overdue or due in the next 30 days.", or
    /// empty when there is one.
    pub none: String,
}

/// How many decisions of each list the portfolio page names.
pub const DECISIONS_SHOWN: usize = 8;

/// One business unit in the portfolio's roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub name: String,
    pub pilots: String,
    pub ready: String,
    pub at_risk: String,
    pub not_ready: String,
    pub purgatory: String,
    pub budget: String,
    pub budget_at_risk: String,
}

pub fn pilot_row(
    config: &Config,
    fw: &Framework,
    d: &Dossier,
    g: &Diagnosis,
    as_of: jiff::civil::Date,
) -> PilotRow {
    let (decision_note, decision_class, decision_rank) = decision_when(d, as_of);
    PilotRow {
        id: d.id.clone(),
        href: pilot_href(&d.id),
        title: d.title.clone(),
        summary: d.text(idx::SUMMARY).unwrap_or("").to_string(),
        business_unit: d.text(idx::BUSINESS_UNIT).unwrap_or("").to_string(),
        stage: d.stage.as_str(),
        stage_label: stage_label(d.stage),
        stage_rank: d.stage as usize,
        verdict: g.verdict.as_str(),
        verdict_label: verdict_label(g.verdict),
        verdict_rank: verdict_rank(g.verdict),
        readiness: g.readiness,
        cells: status_cells(fw, g),
        most_active: g.most_active.map_or("", Mistake::as_str),
        most_active_name: g
            .most_active
            .map_or_else(String::new, |m| fw.mistake(m).name.clone()),
        flags: flag_views(d, g, config.stale_days),
        budget: d.budget().map(|b| money(config, b)).unwrap_or_default(),
        budget_value: d.budget().unwrap_or(-1.0),
        owner: d.text(idx::PRODUCTION_OWNER).unwrap_or("").to_string(),
        decision_due: d.decision_due().map(|x| x.to_string()).unwrap_or_default(),
        decision_note,
        decision_class,
        decision_rank,
    }
}

/// When a pilot's go / no-go decision is, seen from `as_of`: the words
/// ("in 22 days", "57 days overdue"), `overdue` or not, and days to sort
/// by (decided and undated pilots last).
fn decision_when(d: &Dossier, as_of: jiff::civil::Date) -> (String, &'static str, i64) {
    const LAST: i64 = i64::MAX / 2;
    let days = |n: i64| plural(n.unsigned_abs() as usize, "day", "days");
    let Some(date) = d.decision_due() else {
        return (String::new(), "", LAST);
    };
    if matches!(d.stage, Stage::Production | Stage::Abandoned) {
        return ("decided".into(), "", LAST - 1);
    }
    let left = crate::framework::judge::days_between(as_of, date);
    match left {
        0 => ("today".into(), "", 0),
        n if n > 0 => (format!("in {}", days(n)), "", n),
        n => (format!("{} overdue", days(n)), "overdue", n),
    }
}

fn status_cells(fw: &Framework, g: &Diagnosis) -> Vec<StatusCell> {
    Mistake::ALL
        .iter()
        .map(|m| {
            let r = g.mistakes[m.index()];
            StatusCell {
                mistake: m.as_str(),
                name: fw.mistake(*m).name.clone(),
                status: r.status.as_str(),
                label: status_label(r.status),
                symbol: status_symbol(r.status),
                score: r.score,
            }
        })
        .collect()
}

/// What a headline figure leaves out: the dossiers that could not be read
/// (`pilots` for the count of pilots, otherwise for a sum of their answers).
/// Nothing when every dossier was read.
fn unread_caveat(unread: usize, pilots: bool) -> String {
    match (unread, pilots) {
        (0, _) => String::new(),
        (1, true) => "1 dossier could not be read and is not counted".into(),
        (n, true) => format!("{n} dossiers could not be read and are not counted"),
        (n, false) => format!(
            "not counting {} that could not be read",
            plural(n, "dossier", "dossiers")
        ),
    }
}

/// The judged pilots in the order of the portfolio table: the pilots that
/// need attention first (not ready, at risk, ready), then by readiness, then
/// by title; pilots that tie keep the order of their paths.
pub fn table_order(judged: &Judged) -> Vec<(&Dossier, &Diagnosis)> {
    let mut pilots: Vec<(&Dossier, &Diagnosis)> = judged.pilots().collect();
    pilots.sort_by(|(da, ga), (db, gb)| {
        verdict_rank(ga.verdict)
            .cmp(&verdict_rank(gb.verdict))
            .then(ga.readiness.cmp(&gb.readiness))
            .then(da.title.cmp(&db.title))
    });
    pilots
}

/// The view of the index page without its table's rows (`rows` is empty):
/// the site renders the rows a few at a time with `pilot_rows.html` (see
/// `Site::write_index`). [`portfolio_view_with_rows`] fills them in.
pub fn portfolio_view(config: &Config, fw: &Framework, judged: &Judged) -> PortfolioView {
    let p: &Portfolio = &judged.portfolio;
    let share = format!("{}%", (p.production_share * 100.0).round() as i64);
    let figures = vec![
        Figure {
            label: "Pilots".into(),
            value: count(p.pilots),
            note: plural(
                p.in_production,
                "in production or scaling",
                "in production or scaling",
            ),
            caveat: unread_caveat(p.unread, true),
            class: "",
        },
        Figure {
            label: "Ready".into(),
            value: count(p.verdict_count(Verdict::Ready)),
            note: "no mistake active, readiness 80+".replace("80", &fw.ready_at.to_string()),
            caveat: String::new(),
            class: "ready",
        },
        Figure {
            label: "At risk".into(),
            value: count(p.verdict_count(Verdict::AtRisk)),
            note: "one mistake active, or readiness below the bar".into(),
            caveat: String::new(),
            class: "at_risk",
        },
        Figure {
            label: "Not ready".into(),
            value: count(p.verdict_count(Verdict::NotReady)),
            note: "two or more mistakes active".into(),
            caveat: String::new(),
            class: "not_ready",
        },
        Figure {
            label: "In purgatory".into(),
            value: count(p.purgatory),
            note: "past the go / no-go date without a decision".into(),
            caveat: String::new(),
            class: if p.purgatory > 0 { "warn" } else { "" },
        },
        Figure {
            label: "Budget at risk".into(),
            value: money(config, p.budget_at_risk),
            note: format!(
                "of {} committed, in pilots not ready, in purgatory or abandoned",
                money(config, p.budget_total)
            ),
            caveat: unread_caveat(p.unread, false),
            class: "money",
        },
    ];
    let max = p
        .active_by_mistake
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let items = Mistake::ALL
        .iter()
        .map(|m| {
            let n = p.active_by_mistake[m.index()];
            (
                fw.mistake(*m).name.clone(),
                n as f64,
                format!("{} of {}", count(n), count(p.pilots)),
                m.as_str(),
            )
        })
        .collect();
    let summary = Mistake::ALL
        .iter()
        .map(|m| {
            format!(
                "{}: {}",
                fw.mistake(*m).name,
                plural(p.active_by_mistake[m.index()], "pilot", "pilots")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let broken = judged
        .entries
        .iter()
        .filter(|e| e.judged.is_none())
        .map(|e| {
            let first = e.diagnostics.iter().find(|d| d.is_error());
            BrokenRow {
                source: e.file.source.clone(),
                href: pilot_href(&e.file.id),
                location: first
                    .and_then(|d| d.location.as_ref())
                    .map(|l| format!("{}:{}", l.line, l.column))
                    .unwrap_or_default(),
                message: parts(first.map(|d| d.message.as_str()).unwrap_or("")),
                count: e.diagnostics.iter().filter(|d| d.is_error()).count(),
            }
        })
        .collect();
    PortfolioView {
        figures,
        production_note: format!(
            "{} of {} pilots are in production or scaling. For comparison, only about a third of AI pilots reach production (Astrafy).",
            count(p.in_production),
            count(p.pilots)
        ),
        production_share: share,
        chart: chart(
            items,
            max,
            format!("Pilots with each mistake active. {summary}."),
        )
        .reads(
            "worse",
            "Longer is worse: more pilots with the mistake active.".into(),
        ),
        mistakes: mistake_heads(fw),
        rows: Vec::new(),
        broken,
        stages: Stage::ALL.iter().map(|s| s.as_str()).collect(),
        by_stage: Stage::ALL
            .iter()
            .filter(|s| p.by_stage[**s as usize] > 0)
            .map(|s| Fact {
                label: stage_label(*s).to_string(),
                value: count(p.by_stage[*s as usize]),
            })
            .collect(),
        pilots: p.pilots,
        readiness: super::readiness::portfolio_readiness(judged),
        decisions: decisions_panel(fw, judged),
        units: unit_rows(config, judged),
        pager: pager(p.pilots, 1),
    }
}

fn decisions_panel(fw: &Framework, judged: &Judged) -> DecisionsPanel {
    let ahead = super::pack::DECISIONS_AHEAD;
    let (overdue, upcoming): (Vec<_>, Vec<_>) = super::pack::decisions_due(fw, judged, ahead)
        .into_iter()
        .partition(|d| d.overdue);
    let cut = |mut list: Vec<super::pack::Decision>, what: &str| {
        let more = list.len().saturating_sub(DECISIONS_SHOWN);
        list.truncate(DECISIONS_SHOWN);
        let more = if more > 0 {
            format!("and {} more {what}", count(more))
        } else {
            String::new()
        };
        (list, more)
    };
    let none = if overdue.is_empty() && upcoming.is_empty() {
        format!("No go / no-go decision is overdue or due in the next {ahead} days.")
    } else {
        String::new()
    };
    let (overdue, overdue_more) = cut(overdue, "overdue");
    let (upcoming, upcoming_more) = cut(upcoming, "due");
    DecisionsPanel {
        ahead,
        overdue,
        overdue_more,
        upcoming,
        upcoming_more,
        none,
    }
}

/// The roll-up by business unit, by name; pilots without one last.
fn unit_rows(config: &Config, judged: &Judged) -> Vec<UnitRow> {
    #[derive(Default)]
    struct Sums {
        pilots: usize,
        verdicts: [usize; 3],
        purgatory: usize,
        budget: f64,
        at_risk: f64,
    }
    let mut units: std::collections::BTreeMap<(bool, &str), Sums> = Default::default();
    for (d, g) in judged.pilots() {
        let name = d.text(idx::BUSINESS_UNIT).unwrap_or("").trim();
        let u = units.entry((name.is_empty(), name)).or_default();
        u.pilots += 1;
        u.verdicts[g.verdict as usize] += 1;
        u.purgatory += usize::from(g.flags.contains(&Flag::Purgatory));
        let budget = d.budget().unwrap_or(0.0);
        u.budget += budget;
        if puts_budget_at_risk(d, g) {
            u.at_risk += budget;
        }
    }
    units
        .into_iter()
        .map(|((_, name), u)| UnitRow {
            name: if name.is_empty() {
                "No business unit".into()
            } else {
                name.to_string()
            },
            pilots: count(u.pilots),
            ready: count(u.verdicts[Verdict::Ready as usize]),
            at_risk: count(u.verdicts[Verdict::AtRisk as usize]),
            not_ready: count(u.verdicts[Verdict::NotReady as usize]),
            purgatory: count(u.purgatory),
            budget: money(config, u.budget),
            budget_at_risk: money(config, u.at_risk),
        })
        .collect()
}

/// The whole view of the index page, every row in [`PortfolioView::rows`]:
/// what an `index.html` written before `pilot_rows.html` existed loops over.
pub fn portfolio_view_with_rows(config: &Config, fw: &Framework, judged: &Judged) -> PortfolioView {
    let mut v = portfolio_view(config, fw, judged);
    v.rows = table_order(judged)
        .into_iter()
        .map(|(d, g)| pilot_row(config, fw, d, g, judged.as_of))
        .collect();
    v
}

// ---------------------------------------------------------------- diagnosis page

#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    pub id: String,
    pub title: String,
    pub severity: &'static str,
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub symbol: &'static str,
    pub message: String,
    /// The question to answer, when unanswered.
    pub question: String,
    /// What to do when it fails; empty when the framework gives none.
    pub remedy: String,
    /// The weight of its severity: what orders a next step's checks.
    pub weight: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MistakeView {
    pub id: &'static str,
    pub name: String,
    pub summary: String,
    pub root_cause: String,
    pub fix: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub symbol: &'static str,
    pub score: u32,
    /// The weight of its failing checks: what picks the most active mistake.
    pub failing_weight: u32,
    pub checks: Vec<CheckView>,
    pub failing: usize,
    /// `checks` that fail or are unanswered, shown open.
    pub open_checks: Vec<CheckView>,
    /// `checks` that pass, folded away under a summary.
    pub passing_checks: Vec<CheckView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    pub mistake: &'static str,
    pub name: String,
    pub summary: String,
    pub fix: String,
    /// Why this mistake and not another: the rule, and the mistakes that
    /// score lower but fail less weight.
    pub why: String,
    /// The mistake's failing checks, most weight first (ties in framework
    /// order), each with its own remedy: what to do first.
    pub checks: Vec<CheckView>,
}

/// Why an abandoned pilot stopped: its active mistakes, as lessons for the
/// next pilot in the same area.
#[derive(Debug, Clone, Serialize)]
pub struct WhyStopped {
    pub intro: String,
    pub lessons: Vec<Lesson>,
}

/// One active mistake of an abandoned pilot, and the checks that show it.
#[derive(Debug, Clone, Serialize)]
pub struct Lesson {
    pub mistake: &'static str,
    pub name: String,
    pub root_cause: String,
    pub fix: String,
    pub checks: Vec<CheckView>,
}

/// One fact of the strip under a pilot's title: whose it is, what it costs,
/// when it is decided.
#[derive(Debug, Clone, Serialize)]
pub struct StripFact {
    pub label: &'static str,
    pub value: String,
    /// A second word on the value: days left, days overdue, days ago.
    pub note: String,
    /// `overdue`, `missing` or empty: how the value is set.
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PilotView {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    pub verdict_text: String,
    pub readiness: u32,
    /// Owner, sponsor, budget, decision due and last review, for the strip
    /// under the title (the stage is `stage_label`, a badge of its own).
    pub strip: Vec<StripFact>,
    pub flags: Vec<FlagView>,
    /// `None` when every check passes, and for an abandoned pilot.
    pub next_step: Option<NextStep>,
    /// For an abandoned pilot, in place of a next step.
    pub why_stopped: Option<WhyStopped>,
    /// "N checks from ready"; `None` when ready.
    pub path: Option<super::readiness::PathView>,
    /// "Ready for <next stage>?"; `None` after production or abandoned.
    pub gate: Option<super::readiness::GateView>,
    pub mistakes: Vec<MistakeView>,
    pub chart: Chart,
    /// How to read the chart, and how the next step is chosen.
    pub chart_note: String,
    pub story_html: String,
    pub facts: Vec<Fact>,
    pub tags: Vec<String>,
    pub source: String,
    pub source_url: String,
    pub edit_url: String,
    pub warnings: Vec<DiagnosticView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticView {
    pub level: &'static str,
    pub location: String,
    pub message: String,
    pub help: String,
    /// `message` and `help` with their `code` pieces marked.
    pub message_parts: Vec<Part>,
    pub help_parts: Vec<Part>,
    pub line_text: String,
    pub caret: String,
}

pub fn diagnostic_view(d: &Diagnostic) -> DiagnosticView {
    let (location, line_text, caret) = match &d.location {
        Some(l) => (
            format!("{}:{}:{}", d.source, l.line, l.column),
            l.line_text.clone(),
            format!(
                "{}{}",
                " ".repeat(l.column.saturating_sub(1)),
                "^".repeat(l.width.min(80))
            ),
        ),
        None => (d.source.clone(), String::new(), String::new()),
    };
    DiagnosticView {
        level: if d.is_error() { "error" } else { "warning" },
        location,
        message_parts: parts(&d.message),
        help_parts: parts(d.help.as_deref().unwrap_or("")),
        message: d.message.clone(),
        help: d.help.clone().unwrap_or_default(),
        line_text,
        caret,
    }
}

fn check_view(fw: &Framework, d: &Dossier, c: &crate::framework::CheckResult) -> CheckView {
    let check = &fw.checks[c.check];
    CheckView {
        id: check.id.clone(),
        title: check.title.clone(),
        severity: c.severity.as_str(),
        outcome: c.outcome.as_str(),
        outcome_label: outcome_label(c.outcome),
        symbol: outcome_symbol(c.outcome),
        message: c.words(fw, d),
        question: if c.outcome == Outcome::Unanswered {
            check.question.clone()
        } else {
            String::new()
        },
        remedy: check.remedy.trim().to_string(),
        weight: fw.weight(c.severity),
    }
}

fn repo_link(config: &Config, kind: &str, source: &str) -> String {
    if config.repo_url.is_empty() {
        return String::new();
    }
    format!(
        "{}/{kind}/{}/{}",
        config.repo_url.trim_end_matches('/'),
        config.repo_branch,
        source
    )
}

/// Why `chosen` is the pilot's most active mistake: the rule in words, and
/// each mistake that scores lower yet fails less weight, which the chart
/// beside it would otherwise make look like the worse one.
fn next_step_why(fw: &Framework, g: &Diagnosis, chosen: Mistake) -> String {
    let r = g.mistakes[chosen.index()];
    let [blocker, major, minor] = fw.weights;
    let mut why = format!(
        "Named because its failing checks weigh the most: {} (a blocker weighs {blocker}, a major {major}, a minor {minor}).",
        r.failing_weight
    );
    let lower: Vec<String> = Mistake::ALL
        .iter()
        .filter(|m| **m != chosen && g.mistakes[m.index()].score < r.score)
        .map(|m| {
            let o = g.mistakes[m.index()];
            format!(
                "“{}” scores lower ({}) but fails less weight ({})",
                fw.mistake(*m).name,
                o.score,
                o.failing_weight
            )
        })
        .collect();
    if !lower.is_empty() {
        why.push_str(&format!(
            " {}. A score is the share of a mistake's own checks that pass, so a mistake with fewer checks can score lower while failing less.",
            lower.join("; ")
        ));
    }
    why
}

/// The lessons of an abandoned pilot: each active mistake with its failing
/// checks (`failing`), heaviest mistake first.
fn why_stopped(
    fw: &Framework,
    g: &Diagnosis,
    failing: &dyn Fn(Mistake) -> Vec<CheckView>,
) -> WhyStopped {
    let mut active: Vec<Mistake> = Mistake::ALL
        .into_iter()
        .filter(|m| g.mistakes[m.index()].status == Status::Active)
        .collect();
    active.sort_by(|a, b| {
        g.mistakes[b.index()]
            .failing_weight
            .cmp(&g.mistakes[a.index()].failing_weight)
    });
    let intro = match active.len() {
        0 => "No mistake was active when it stopped, so the reason lies outside what the framework judges: record it in the story.".to_string(),
        1 => "One mistake was active when it stopped. Read it as a lesson for the next pilot in the same area:".to_string(),
        n => format!("{n} of the five mistakes were active when it stopped. Read them as lessons for the next pilot in the same area, the heaviest first:"),
    };
    WhyStopped {
        intro,
        lessons: active
            .into_iter()
            .map(|m| {
                let info = fw.mistake(m);
                Lesson {
                    mistake: m.as_str(),
                    name: info.name.clone(),
                    root_cause: info.root_cause.clone(),
                    fix: info.fix.clone(),
                    checks: failing(m),
                }
            })
            .collect(),
    }
}

/// The facts a leader asks first, with what is missing said so.
fn fact_strip(config: &Config, d: &Dossier, as_of: jiff::civil::Date) -> Vec<StripFact> {
    let days = |n: i64| plural(n.unsigned_abs() as usize, "day", "days");
    let text = |label, value: Option<&str>| match value {
        Some(v) => StripFact {
            label,
            value: v.to_string(),
            note: String::new(),
            class: "",
        },
        None => StripFact {
            label,
            value: "not answered".into(),
            note: String::new(),
            class: "missing",
        },
    };
    let mut strip = vec![
        text("Owner", d.text(idx::PRODUCTION_OWNER)),
        text("Sponsor", d.text(idx::EXECUTIVE_SPONSOR)),
        text("Budget", d.budget().map(|b| money(config, b)).as_deref()),
    ];
    let mut due = text("Decision due", None);
    if let Some(date) = d.decision_due() {
        let left = crate::framework::judge::days_between(as_of, date);
        let decided = matches!(d.stage, Stage::Production | Stage::Abandoned);
        due.value = date.to_string();
        (due.note, due.class) = match left {
            0 => ("today".into(), ""),
            n if n > 0 => (format!("in {}", days(n)), ""),
            n if decided => (format!("{} ago", days(n)), ""),
            n => (format!("{} overdue", days(n)), "overdue"),
        };
    }
    strip.push(due);
    let mut reviewed = text("Last reviewed", None);
    if let Some(date) = d.updated() {
        let ago = crate::framework::judge::days_between(date, as_of);
        reviewed.value = date.to_string();
        reviewed.class = "";
        reviewed.note = match ago {
            0 => "today".into(),
            n if n > 0 => format!("{} ago", days(n)),
            _ => String::new(),
        };
    }
    strip.push(reviewed);
    strip
}

pub fn pilot_view(
    config: &Config,
    fw: &Framework,
    d: &Dossier,
    g: &Diagnosis,
    story_html: String,
    warnings: &[Diagnostic],
    as_of: jiff::civil::Date,
) -> PilotView {
    let mistakes: Vec<MistakeView> = Mistake::ALL
        .iter()
        .map(|m| {
            let info = fw.mistake(*m);
            let r = g.mistakes[m.index()];
            let checks: Vec<CheckView> = g
                .checks
                .iter()
                .filter(|c| fw.checks[c.check].mistake == *m)
                .map(|c| check_view(fw, d, c))
                .collect();
            MistakeView {
                id: m.as_str(),
                name: info.name.clone(),
                summary: info.summary.clone(),
                root_cause: info.root_cause.clone(),
                fix: info.fix.clone(),
                status: r.status.as_str(),
                status_label: status_label(r.status),
                symbol: status_symbol(r.status),
                score: r.score,
                failing_weight: r.failing_weight,
                failing: checks.iter().filter(|c| c.outcome != "pass").count(),
                open_checks: checks
                    .iter()
                    .filter(|c| c.outcome != "pass")
                    .cloned()
                    .collect(),
                passing_checks: checks
                    .iter()
                    .filter(|c| c.outcome == "pass")
                    .cloned()
                    .collect(),
                checks,
            }
        })
        .collect();
    let failing = |m: Mistake| -> Vec<CheckView> {
        let mut checks: Vec<CheckView> = mistakes[m.index()]
            .checks
            .iter()
            .filter(|c| c.outcome != "pass")
            .cloned()
            .collect();
        // Stable: checks of the same weight keep the framework's order.
        checks.sort_by_key(|c| std::cmp::Reverse(c.weight));
        checks
    };
    let abandoned = d.stage == Stage::Abandoned;
    let next_step = g.most_active.filter(|_| !abandoned).map(|m| {
        let info = fw.mistake(m);
        NextStep {
            mistake: m.as_str(),
            name: info.name.clone(),
            summary: info.summary.clone(),
            fix: info.fix.clone(),
            why: next_step_why(fw, g, m),
            checks: failing(m),
        }
    });
    let why_stopped = abandoned.then(|| why_stopped(fw, g, &failing));
    let verdict_text = match g.verdict {
        Verdict::Ready => format!(
            "No mistake is active and readiness is {} (the bar is {}).",
            g.readiness, fw.ready_at
        ),
        Verdict::NotReady => format!(
            "{} of the five mistakes are active.",
            g.mistakes
                .iter()
                .filter(|m| m.status == Status::Active)
                .count()
        ),
        Verdict::AtRisk => match g
            .mistakes
            .iter()
            .filter(|m| m.status == Status::Active)
            .count()
        {
            1 => "One mistake is active.".to_string(),
            _ => format!(
                "No mistake is active, but readiness is below {}.",
                fw.ready_at
            ),
        },
    };
    let items = Mistake::ALL
        .iter()
        .map(|m| {
            let r = g.mistakes[m.index()];
            let value = match r.failing_weight {
                0 => format!("{} / 100", r.score),
                w => format!("{} / 100 (failing weight {w})", r.score),
            };
            // The area, not the mistake's name: a long bar beside "Framed
            // as a technology experiment" read as "very much framed so".
            (area_label(*m), r.score as f64, value, r.status.as_str())
        })
        .collect();
    let summary = Mistake::ALL
        .iter()
        .map(|m| {
            let r = g.mistakes[m.index()];
            format!(
                "{} {}, failing weight {}",
                fw.mistake(*m).name,
                r.score,
                r.failing_weight
            )
        })
        .collect::<Vec<_>>()
        .join("; ");

    let mut facts = Vec::new();
    let mut fact = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            facts.push(Fact {
                label: label.into(),
                value: v,
            });
        }
    };
    fact(
        "Business unit",
        d.text(idx::BUSINESS_UNIT).map(str::to_string),
    );
    fact("Industry", d.text(idx::INDUSTRY).map(str::to_string));
    fact("Stage", Some(stage_label(d.stage).to_string()));
    fact(
        "Production owner",
        d.text(idx::PRODUCTION_OWNER).map(str::to_string),
    );
    fact(
        "Executive sponsor",
        d.text(idx::EXECUTIVE_SPONSOR).map(str::to_string),
    );
    fact(
        "System owner",
        d.text(idx::GOVERNANCE_OWNER).map(str::to_string),
    );
    fact("Led by", d.text(idx::LED_BY).map(str::to_string));
    fact("Started", d.started().map(|x| x.to_string()));
    fact("Decision due", d.decision_due().map(|x| x.to_string()));
    fact("Budget", d.budget().map(|b| money(config, b)));
    fact("Assessed by", d.text(idx::ASSESSED_BY).map(str::to_string));
    fact("Answers reviewed", d.updated().map(|x| x.to_string()));
    for (k, v) in &d.extra {
        fact(k, Some(v.clone()));
    }

    PilotView {
        id: d.id.clone(),
        title: d.title.clone(),
        summary: d.text(idx::SUMMARY).unwrap_or("").to_string(),
        stage: d.stage.as_str(),
        stage_label: stage_label(d.stage),
        verdict: g.verdict.as_str(),
        verdict_label: verdict_label(g.verdict),
        verdict_text,
        readiness: g.readiness,
        strip: fact_strip(config, d, as_of),
        flags: flag_views(d, g, config.stale_days),
        next_step,
        why_stopped,
        // A stopped pilot has no way to ready to walk.
        path: if abandoned {
            None
        } else {
            super::readiness::path_view(fw, g)
        },
        gate: super::readiness::gate_view(fw, g),
        mistakes,
        chart: chart(
            items,
            100.0,
            format!(
                "Score of each mistake, out of 100 (longer is better), and the weight of its failing checks: {summary}."
            ),
        )
        .reads(
            "better",
            "Longer is better: more of the area's checks pass, by weight.".into(),
        ),
        chart_note: format!(
            "A longer bar is better: it is the share of the mistake's checks, by weight, that pass. In brackets, the weight of its failing checks (a blocker weighs {}, a major {}, a minor {}); the next step names the mistake with the most failing weight, which is not always the shortest bar.",
            fw.weights[0], fw.weights[1], fw.weights[2]
        ),
        story_html,
        facts,
        tags: d.list(idx::TAGS).to_vec(),
        source: d.source.clone(),
        source_url: repo_link(config, "blob", &d.source),
        edit_url: repo_link(config, "edit", &d.source),
        warnings: warnings.iter().map(diagnostic_view).collect(),
    }
}

/// The page of a dossier that cannot be read: what is wrong and where.
#[derive(Debug, Clone, Serialize)]
pub struct BrokenView {
    pub id: String,
    pub source: String,
    pub edit_url: String,
    pub diagnostics: Vec<DiagnosticView>,
}

pub fn broken_view(
    config: &Config,
    id: &str,
    source: &str,
    diagnostics: &[Diagnostic],
) -> BrokenView {
    BrokenView {
        id: id.into(),
        source: source.into(),
        edit_url: repo_link(config, "edit", source),
        diagnostics: diagnostics.iter().map(diagnostic_view).collect(),
    }
}

// ---------------------------------------------------------------- framework page

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: String,
    pub title: String,
    pub question: String,
    /// The condition in words; parts with `code` are field names and values.
    pub condition: Vec<Part>,
    pub severities: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkMistakeView {
    pub id: &'static str,
    pub name: String,
    pub summary: String,
    pub root_cause: String,
    pub fix: String,
    pub checks: Vec<RuleView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub mistakes: Vec<FrameworkMistakeView>,
    pub weights: Vec<Fact>,
    pub ready_at: u32,
    pub origin: String,
    pub stages: Vec<&'static str>,
}

fn field_words(field: usize) -> String {
    format!("`{}`", schema::FIELDS[field].path)
}

fn threshold_words(field: usize, v: f64) -> String {
    if schema::FIELDS[field].kind == schema::Kind::Share {
        format_share(v)
    } else {
        format_number(v)
    }
}

/// A condition in words, for the framework page.
pub fn condition_words(c: &Condition) -> String {
    match c {
        Condition::Answered(f) => format!("{} answered", field_words(*f)),
        Condition::AllAnswered(fs) => format!(
            "{} all answered",
            fs.iter()
                .map(|f| field_words(*f))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Condition::Is { field, values } => {
            format!(
                "{} is {}",
                field_words(*field),
                values
                    .iter()
                    .map(|v| match v {
                        Literal::Word(w) => format!("`{w}`"),
                        Literal::Bool(b) => b.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        }
        Condition::AtLeast { field, value } => format!(
            "{} ≥ {}",
            field_words(*field),
            threshold_words(*field, *value)
        ),
        Condition::AtMost { field, value } => format!(
            "{} ≤ {}",
            field_words(*field),
            threshold_words(*field, *value)
        ),
        Condition::OnOrBefore { field, than } => format!(
            "{} on or before {}",
            field_words(*field),
            field_words(*than)
        ),
        Condition::AllAddressed(f) => {
            format!("every entry of {} has `addressed: true`", field_words(*f))
        }
        Condition::Either(cs) => cs
            .iter()
            .map(condition_words)
            .collect::<Vec<_>>()
            .join(", or "),
        Condition::When { when, then } => {
            format!("when {}: {}", condition_words(when), condition_words(then))
        }
        Condition::KpisHave(fs) => format!(
            "at least one business KPI, each with {}",
            fs.iter()
                .map(|f| format!("`{}`", f.as_str()))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        Condition::KpisMeetTargets => {
            "every KPI's `actual` meets its `target` in its `direction`".into()
        }
    }
}

/// A piece of text, set as code or not.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub text: String,
    pub code: bool,
}

/// Splits text with `backticked` pieces into parts.
pub fn parts(text: &str) -> Vec<Part> {
    text.split('`')
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| Part {
            text: t.to_string(),
            code: i % 2 == 1,
        })
        .collect()
}

fn rule_view(c: &Check) -> RuleView {
    RuleView {
        id: c.id.clone(),
        title: c.title.clone(),
        question: c.question.clone(),
        condition: parts(&condition_words(&c.condition)),
        severities: c
            .severity
            .iter()
            .map(|s| s.map_or("-", |s| s.as_str()))
            .collect(),
    }
}

pub fn framework_view(fw: &Framework) -> FrameworkView {
    FrameworkView {
        mistakes: Mistake::ALL
            .iter()
            .map(|m| {
                let info = fw.mistake(*m);
                FrameworkMistakeView {
                    id: m.as_str(),
                    name: info.name.clone(),
                    summary: info.summary.clone(),
                    root_cause: info.root_cause.clone(),
                    fix: info.fix.clone(),
                    checks: fw
                        .checks
                        .iter()
                        .filter(|c| c.mistake == *m)
                        .map(rule_view)
                        .collect(),
                }
            })
            .collect(),
        weights: [("Blocker", 0), ("Major", 1), ("Minor", 2)]
            .iter()
            .map(|(l, i)| Fact {
                label: (*l).into(),
                value: fw.weights[*i].to_string(),
            })
            .collect(),
        ready_at: fw.ready_at,
        origin: if fw.origin == "built-in" {
            "the built-in default framework".into()
        } else {
            format!("the default framework with the changes in {}", fw.origin)
        },
        stages: vec!["proposed", "pilot", "scaling", "production"],
    }
}

// ---------------------------------------------------------------- FAQ page

#[derive(Debug, Clone, Serialize)]
pub struct PilotLink {
    pub title: String,
    pub href: String,
    /// Whether it is the last of its figure's links.
    pub last: bool,
}

/// A sentence about the portfolio, and the pilots it is about.
#[derive(Debug, Clone, Serialize)]
pub struct LiveFigure<'a> {
    pub text: String,
    /// Empty unless made by [`faq_view_with_links`]: the site writes the
    /// links a few hundred at a time with `pilot_links.html` (see
    /// `Site::write_faq`).
    pub pilots: Vec<PilotLink>,
    /// How many pilots the figure links to.
    pub pilot_count: usize,
    /// The figure's number on the page, from 0, which names the place of
    /// its links.
    pub number: usize,
    /// The pilots the figure links to, in the order of their paths.
    #[serde(skip)]
    pub linked: Vec<&'a Dossier>,
    /// The filter of the portfolio table that shows the same pilots
    /// (`active-data`, see `table.js`), or empty.
    pub filter: String,
    /// "and N more", past the first [`FAQ_NAMES`] pilots.
    pub more: Option<MoreLink>,
}

/// How many pilots a live figure of the FAQ names before "and N more".
pub const FAQ_NAMES: usize = 8;

/// The link from a live figure to the rest of its pilots: the portfolio
/// table, filtered to them where the browser runs `site.js`.
#[derive(Debug, Clone, Serialize)]
pub struct MoreLink {
    pub count: String,
    pub href: String,
}

impl LiveFigure<'_> {
    /// The figure with the table filter that shows its pilots.
    pub fn filtered(mut self, filter: &str) -> Self {
        self.filter = filter.to_string();
        self
    }

    /// The pilots the page names: the first [`FAQ_NAMES`].
    pub fn named(&self) -> &[&Dossier] {
        &self.linked[..self.linked.len().min(FAQ_NAMES)]
    }

    /// The links to the figure's pilots `start..` of `chunk`.
    pub fn links(&self, start: usize, chunk: &[&Dossier]) -> Vec<PilotLink> {
        chunk
            .iter()
            .enumerate()
            .map(|(i, d)| PilotLink {
                title: d.title.clone(),
                href: pilot_href(&d.id),
                last: start + i + 1 == self.linked.len(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FaqEntryView<'a> {
    pub id: String,
    pub question: String,
    pub answer_html: String,
    pub figures: Vec<LiveFigure<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FaqView<'a> {
    pub title: String,
    pub description: String,
    pub intro_html: String,
    pub entries: Vec<FaqEntryView<'a>>,
}

impl<'a> FaqView<'a> {
    /// Every live figure of the page, in order: figure `n` is numbered `n`.
    pub fn figures(&self) -> impl Iterator<Item = &LiveFigure<'a>> {
        self.entries.iter().flat_map(|e| &e.figures)
    }
}

pub(super) fn live_figure(text: String, linked: Vec<&Dossier>) -> LiveFigure<'_> {
    LiveFigure {
        text,
        pilots: Vec::new(),
        pilot_count: linked.len(),
        number: 0,
        linked,
        filter: String::new(),
        more: None,
    }
}

fn links_where(judged: &Judged, keep: impl Fn(&Dossier, &Diagnosis) -> bool) -> Vec<&Dossier> {
    judged
        .pilots()
        .filter(|(d, g)| keep(d, g))
        .map(|(d, _)| d)
        .collect()
}

fn topic_figures<'a>(
    config: &Config,
    fw: &Framework,
    judged: &'a Judged,
    topic: Topic,
) -> Vec<LiveFigure<'a>> {
    let p = &judged.portfolio;
    let n = count(p.pilots);
    match topic {
        Topic::Mistake(m) => {
            let active = p.active_by_mistake[m.index()];
            vec![
                live_figure(
                    format!(
                        "In this portfolio, {} of {n} pilots {} “{}” active{}",
                        count(active),
                        if active == 1 { "has" } else { "have" },
                        fw.mistake(m).name,
                        if active == 0 { "." } else { ":" }
                    ),
                    links_where(judged, |_, g| {
                        g.mistakes[m.index()].status == Status::Active
                    }),
                )
                .filtered(&format!("active-{}", m.as_str())),
            ]
        }
        Topic::Portfolio => vec![
            live_figure(
                format!(
                    "In this portfolio, {} of {n} pilots ({}%) are in production or scaling{}",
                    count(p.in_production),
                    (p.production_share * 100.0).round(),
                    if p.in_production == 0 { "." } else { ":" }
                ),
                links_where(judged, |d, _| {
                    matches!(d.stage, Stage::Production | Stage::Scaling)
                }),
            )
            .filtered("in-production"),
            live_figure(
                format!(
                    "{} in purgatory{}",
                    plural(p.purgatory, "pilot is", "pilots are"),
                    if p.purgatory == 0 { "." } else { ":" }
                ),
                links_where(judged, |_, g| g.flags.contains(&Flag::Purgatory)),
            )
            .filtered("purgatory"),
            {
                // The pilots whose budget makes up the figure: those with
                // none answered add nothing to it and are not named.
                let linked = links_where(judged, |d, g| {
                    puts_budget_at_risk(d, g) && d.budget().is_some_and(|b| b > 0.0)
                });
                live_figure(
                    format!(
                        "{} is committed to pilots that are not ready, in purgatory or abandoned{}",
                        money(config, p.budget_at_risk),
                        if linked.is_empty() { "." } else { ":" }
                    ),
                    linked,
                )
                .filtered("budget-at-risk")
            },
        ],
        Topic::All => {
            let text = match p.most_common_active {
                Some(m) => format!(
                    "In this portfolio, the most common active mistake is “{}” ({} of {n} pilots). {}",
                    fw.mistake(m).name,
                    count(p.active_by_mistake[m.index()]),
                    match p.verdict_count(Verdict::Ready) {
                        0 => "No pilot is ready at its stage yet.".to_string(),
                        1 => "Ready at its stage:".to_string(),
                        r => format!("{} pilots are ready at their stage:", count(r)),
                    }
                ),
                None => {
                    format!("In this portfolio, no mistake is active in any of the {n} pilots.")
                }
            };
            vec![
                live_figure(
                    text,
                    links_where(judged, |_, g| g.verdict == Verdict::Ready),
                )
                .filtered("ready"),
            ]
        }
        Topic::Readiness => super::readiness::faq_figures(judged),
        Topic::MostActive => {
            let counts: Vec<String> = Mistake::ALL
                .iter()
                .map(|m| {
                    (
                        m,
                        judged
                            .pilots()
                            .filter(|(_, g)| g.most_active == Some(*m))
                            .count(),
                    )
                })
                .filter(|(_, c)| *c > 0)
                .map(|(m, c)| format!("“{}” {}", fw.mistake(*m).name, count(c)))
                .collect();
            let text = if counts.is_empty() {
                "In this portfolio, no pilot has a failing check.".to_string()
            } else {
                format!(
                    "In this portfolio, the most active mistake per pilot is: {}.",
                    counts.join("; ")
                )
            };
            vec![live_figure(text, Vec::new())]
        }
    }
}

/// The view of the FAQ page without the links of its live figures (each
/// figure's `pilots` is empty): the site renders them a few hundred at a
/// time with `pilot_links.html` (see `Site::write_faq`).
/// [`faq_view_with_links`] fills them in.
pub fn faq_view<'a>(config: &Config, fw: &Framework, judged: &'a Judged, faq: &Faq) -> FaqView<'a> {
    let mut v = FaqView {
        title: faq.title.clone(),
        description: faq.description.clone(),
        intro_html: faq.intro_html.clone(),
        entries: faq
            .entries
            .iter()
            .map(|e| FaqEntryView {
                id: e.id.clone(),
                question: e.question.clone(),
                answer_html: e.answer_html.clone(),
                figures: e
                    .topics
                    .iter()
                    .flat_map(|t| topic_figures(config, fw, judged, *t))
                    .collect(),
            })
            .collect(),
    };
    for (number, f) in v
        .entries
        .iter_mut()
        .flat_map(|e| &mut e.figures)
        .enumerate()
    {
        f.number = number;
        let rest = f.linked.len().saturating_sub(FAQ_NAMES);
        f.more = (rest > 0).then(|| MoreLink {
            count: count(rest),
            href: if f.filter.is_empty() {
                "index.html".into()
            } else {
                format!("index.html#show={}", f.filter)
            },
        });
    }
    v
}

/// The whole view of the FAQ page, every figure's links in its `pilots`:
/// what a `faq.html` written before `pilot_links.html` existed loops over.
pub fn faq_view_with_links<'a>(
    config: &Config,
    fw: &Framework,
    judged: &'a Judged,
    faq: &Faq,
) -> FaqView<'a> {
    let mut v = faq_view(config, fw, judged, faq);
    for f in v.entries.iter_mut().flat_map(|e| &mut e.figures) {
        f.pilots = f.links(0, f.named());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        let c = Config {
            currency: "GBP".into(),
            ..Config::default()
        };
        assert_eq!(money(&c, 615000.0), "£615,000");
        assert_eq!(money(&c, 999.4), "£999");
        assert_eq!(money(&c, 1234567.0), "£1,234,567");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(10000), "10,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(plural(10000, "pilot", "pilots"), "10,000 pilots");
    }
}
