use super::*;

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
    /// To sort by the five mistakes at once: active ones weigh most, then
    /// those at risk (higher is worse).
    pub mistakes_rank: u32,
    pub most_active: &'static str,
    pub most_active_name: String,
    /// The most active mistake's fix in a few words.
    pub most_active_fix: String,
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
    /// "Every pilot is ready at its stage.", with what it counts when some
    /// dossiers cannot be read.
    pub all_ready: String,
    /// [`PURGATORY_RULE`], beside the units' "In purgatory" column.
    pub purgatory_rule: &'static str,
    pub chart: Chart,
    pub mistakes: Vec<MistakeHead>,
    /// Empty unless made by [`portfolio_view_with_rows`].
    pub rows: Vec<PilotRow>,
    pub broken: Vec<BrokenRow>,
    pub stages: Vec<&'static str>,
    /// Pilots per stage, in stage order, stages with none left out.
    pub by_stage: Vec<Fact>,
    pub pilots: usize,
    /// Pilots ready to scale and closest to ready, each list cut at
    /// [`SECTION_SHOWN`].
    pub readiness: super::readiness::PortfolioReadiness,
    /// The table filtered to the pilots ready to scale past the first few.
    pub ready_more: Option<MoreLink>,
    /// The table filtered to the pilots closest to ready past the first few.
    pub closest_more: Option<MoreLink>,
    /// The mistake active in most pilots, for the first screen.
    pub widespread: Option<Widespread>,
    /// The go / no-go decisions overdue and due soon, for the panel above
    /// the table.
    pub decisions: DecisionsPanel,
    /// Pilots, verdicts and budget per business unit: every unit by name
    /// when there are at most [`UNITS_SHOWN`], else those with the most
    /// budget at risk.
    pub units: Vec<UnitRow>,
    /// "The 12 units with the most budget at risk; 501 more hold 9,402
    /// pilots.", or empty when every unit is shown.
    pub units_more: String,
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

/// The links between the pages of the portfolio table: previous, next,
/// and a short list of page numbers (see [`pager`]).
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    /// "Pilots 101–150 of 10,000, those that need attention first."
    pub text: String,
    /// The page before, or empty on the first.
    pub previous: String,
    /// The page after, or empty on the last.
    pub next: String,
    /// The first page, the last, and the pages near the current one, with
    /// a gap where pages are left out; empty when one page holds all.
    pub pages: Vec<PagerLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PagerLink {
    pub number: String,
    pub href: String,
    pub current: bool,
    /// A gap in the list ("…") where pages are left out.
    pub gap: bool,
}

/// How many pages on either side of the current one the pager names.
const PAGER_NEAR: usize = 2;

/// The pager of page `n` (from 1) of a table of `pilots` rows: at 10,000
/// pilots a link to each of 200 pages was a wall of links, so it names
/// the first and last pages and those within [`PAGER_NEAR`] of `n`.
pub fn pager(pilots: usize, n: usize) -> Pager {
    let pages = pilots.div_ceil(TABLE_PAGE_ROWS);
    let first = (n - 1) * TABLE_PAGE_ROWS + 1;
    let last = (n * TABLE_PAGE_ROWS).min(pilots);
    if pages <= 1 {
        return Pager {
            text: String::new(),
            previous: String::new(),
            next: String::new(),
            pages: Vec::new(),
        };
    }
    let mut list = Vec::new();
    let mut shown_up_to = 0;
    for i in 1..=pages {
        let near = i + PAGER_NEAR >= n && i <= n + PAGER_NEAR;
        if !(i == 1 || i == pages || near) {
            continue;
        }
        if i > shown_up_to + 1 {
            list.push(PagerLink {
                number: String::new(),
                href: String::new(),
                current: false,
                gap: true,
            });
        }
        list.push(PagerLink {
            number: count(i),
            href: table_page_href(i),
            current: i == n,
            gap: false,
        });
        shown_up_to = i;
    }
    Pager {
        text: format!(
            "Pilots {}–{} of {}, those that need attention first; page {} of {}.",
            count(first),
            count(last),
            count(pilots),
            count(n),
            count(pages)
        ),
        previous: if n > 1 {
            table_page_href(n - 1)
        } else {
            String::new()
        },
        next: if n < pages {
            table_page_href(n + 1)
        } else {
            String::new()
        },
        pages: list,
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
    /// The rule a decision is overdue by, and how it stands to purgatory.
    pub overdue_rule: &'static str,
    pub upcoming: Vec<super::pack::Decision>,
    /// "and 3 more due", or empty.
    pub upcoming_more: String,
    /// "No go / no-go decision is overdue or due in the next 30 days.", or
    /// empty when there is one.
    pub none: String,
}

/// The rule of the "In purgatory" figure, said beside it (the tile, the
/// units' table), apart from the decisions' [`OVERDUE_RULE`](super::pack::OVERDUE_RULE).
pub const PURGATORY_RULE: &str =
    "at stage pilot or paused, past the go / no-go date without a decision";

/// How many decisions of each list the portfolio page names.
pub const DECISIONS_SHOWN: usize = 6;

/// How many pilots a list of the portfolio page names (ready to scale,
/// closest to ready) before it links to the table filtered to the rest.
pub const SECTION_SHOWN: usize = 8;

/// How many business units the portfolio page and the board pack list.
pub const UNITS_SHOWN: usize = 12;

/// The mistake active in the most pilots (the first in the framework's
/// order on a tie): how widespread, and its fix.
#[derive(Debug, Clone, Serialize)]
pub struct Widespread {
    pub name: String,
    /// "4,120 of 10,000 pilots (41%)".
    pub share: String,
    pub fix: String,
    /// The table filtered to its pilots.
    pub href: String,
}

/// The most widespread mistake, or none when no mistake is active.
fn widespread(fw: &Framework, p: &Portfolio) -> Option<Widespread> {
    let top = Mistake::ALL
        .iter()
        .copied()
        .max_by_key(|m| (p.active_by_mistake[m.index()], std::cmp::Reverse(m.index())))?;
    let n = p.active_by_mistake[top.index()];
    (n > 0).then(|| Widespread {
        name: fw.mistake(top).name.clone(),
        share: format!(
            "{} of {} ({}%){}",
            count(n),
            match p.unread {
                0 => plural(p.pilots, "pilot", "pilots"),
                _ => plural(p.pilots, "readable pilot", "readable pilots"),
            },
            (n as f64 / p.pilots.max(1) as f64 * 100.0).round() as i64,
            match p.unread {
                0 => String::new(),
                u => format!("; {}", cannot_be_read(u)),
            }
        ),
        fix: fw.mistake(top).fix.clone(),
        href: format!("index.html#show=active-{}", top.as_str()),
    })
}

/// Cuts `list` at [`SECTION_SHOWN`], with the link to the table filtered
/// by `filter` to the rest.
fn cut_list<T>(list: &mut Vec<T>, filter: &str) -> Option<MoreLink> {
    let rest = list.len().saturating_sub(SECTION_SHOWN);
    list.truncate(SECTION_SHOWN);
    (rest > 0).then(|| MoreLink {
        count: count(rest),
        href: format!("index.html#show={filter}"),
    })
}

/// One business unit in the portfolio's roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub name: String,
    /// To choose the units shown when there are many.
    #[serde(skip)]
    pub pilot_count: usize,
    #[serde(skip)]
    pub at_risk_value: f64,
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
        mistakes_rank: mistakes_rank(g),
        most_active: g.most_active.map_or("", Mistake::as_str),
        most_active_name: g
            .most_active
            .map_or_else(String::new, |m| fw.mistake(m).name.clone()),
        most_active_fix: g
            .most_active
            .map_or_else(String::new, |m| fw.mistake(m).fix_short.clone()),
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

/// The five mistakes as one number to sort by: ten for each active, one
/// for each at risk.
fn mistakes_rank(g: &Diagnosis) -> u32 {
    g.mistakes
        .iter()
        .map(|r| match r.status {
            Status::Active => 10,
            Status::AtRisk => 1,
            Status::Clear => 0,
        })
        .sum()
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

/// What a count of pilots is out of when some dossiers cannot be read:
/// "of 1 readable pilot" (the first tile says how many cannot be read, so
/// the others do not repeat it). Nothing when every dossier was read.
fn out_of_readable(p: &Portfolio) -> String {
    if p.unread == 0 {
        return String::new();
    }
    format!(
        "of {}",
        plural(p.pilots, "readable pilot", "readable pilots")
    )
}

/// "3 dossiers cannot be read".
fn cannot_be_read(unread: usize) -> String {
    format!("{} cannot be read", plural(unread, "dossier", "dossiers"))
}

/// The share of pilots in production or scaling, and the sentence that
/// says what it is a share of; no share when no dossier can be read.
fn production(p: &Portfolio) -> (String, String) {
    const COMPARISON: &str =
        "For comparison, only about a third of AI pilots reach production (Astrafy).";
    if p.pilots == 0 && p.unread > 0 {
        return (
            "none".into(),
            format!(
                "No dossier can be read, so there is no share to give: {}.",
                cannot_be_read(p.unread)
            ),
        );
    }
    let share = format!("{}%", (p.production_share * 100.0).round() as i64);
    let note = if p.unread == 0 {
        format!(
            "{} of {} pilots are in production or scaling. {COMPARISON}",
            count(p.in_production),
            count(p.pilots)
        )
    } else {
        format!(
            "{} of {} {} in production or scaling; {}, so the share may change once {} fixed. {COMPARISON}",
            count(p.in_production),
            plural(p.pilots, "readable pilot", "readable pilots"),
            if p.pilots == 1 { "is" } else { "are" },
            cannot_be_read(p.unread),
            if p.unread == 1 { "it is" } else { "they are" }
        )
    };
    (share, note)
}

/// What the way to ready says when no pilot has a step left.
fn all_ready_text(p: &Portfolio) -> String {
    if p.unread == 0 {
        "Every pilot is ready at its stage.".into()
    } else {
        format!(
            "Every readable pilot ({} of {}) is ready at its stage; {}.",
            count(p.pilots),
            count(p.pilots),
            cannot_be_read(p.unread)
        )
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
    let (share, production_note) = production(p);
    let base = out_of_readable(p);
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
            caveat: base.clone(),
            class: "ready",
        },
        Figure {
            label: "At risk".into(),
            value: count(p.verdict_count(Verdict::AtRisk)),
            note: "one mistake active, or readiness below the bar".into(),
            caveat: base.clone(),
            class: "at_risk",
        },
        Figure {
            label: "Not ready".into(),
            value: count(p.verdict_count(Verdict::NotReady)),
            note: "two or more mistakes active".into(),
            caveat: base.clone(),
            class: "not_ready",
        },
        Figure {
            label: "In purgatory".into(),
            value: count(p.purgatory),
            note: PURGATORY_RULE.into(),
            caveat: base.clone(),
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
                match p.unread {
                    0 => format!("{} of {}", count(n), count(p.pilots)),
                    _ => format!("{} of {} readable", count(n), count(p.pilots)),
                },
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
    let mut readiness = super::readiness::portfolio_readiness(judged);
    let ready_more = cut_list(&mut readiness.ready, "ready-to-scale");
    let closest_more = cut_list(&mut readiness.closest, "closest");
    let (units, units_more) = bounded_units(unit_rows(config, judged));
    PortfolioView {
        figures,
        production_note,
        production_share: share,
        all_ready: all_ready_text(p),
        purgatory_rule: PURGATORY_RULE,
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
        readiness,
        ready_more,
        closest_more,
        widespread: widespread(fw, p),
        decisions: decisions_panel(fw, judged),
        units,
        units_more,
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
        overdue_rule: super::pack::OVERDUE_RULE,
        upcoming,
        upcoming_more,
        none,
    }
}

/// The units a page lists: all, by name, when there are at most
/// [`UNITS_SHOWN`]; else the [`UNITS_SHOWN`] with the most budget at risk
/// (then the most pilots), and a line that says what is left out.
pub fn bounded_units(mut units: Vec<UnitRow>) -> (Vec<UnitRow>, String) {
    if units.len() <= UNITS_SHOWN {
        return (units, String::new());
    }
    units.sort_by(|a, b| {
        b.at_risk_value
            .total_cmp(&a.at_risk_value)
            .then(b.pilot_count.cmp(&a.pilot_count))
            .then(a.name.cmp(&b.name))
    });
    let rest = units.split_off(UNITS_SHOWN);
    let pilots: usize = rest.iter().map(|u| u.pilot_count).sum();
    let more = format!(
        "The {UNITS_SHOWN} units with the most budget at risk; {} more hold {}.",
        count(rest.len()),
        plural(pilots, "pilot", "pilots")
    );
    (units, more)
}

/// The roll-up by business unit, by name; pilots without one last.
pub fn unit_rows(config: &Config, judged: &Judged) -> Vec<UnitRow> {
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
            pilot_count: u.pilots,
            at_risk_value: u.at_risk,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The pager as a reader sees it: `‹` previous, `›` next, `[n]` the
    /// current page, `…` a gap.
    fn shown(p: &Pager) -> String {
        let mut out = Vec::new();
        if !p.previous.is_empty() {
            out.push("‹".to_string());
        }
        for l in &p.pages {
            out.push(if l.gap {
                "…".into()
            } else if l.current {
                format!("[{}]", l.number)
            } else {
                l.number.clone()
            });
        }
        if !p.next.is_empty() {
            out.push("›".to_string());
        }
        out.join(" ")
    }

    #[test]
    fn the_pager_names_the_first_last_and_nearby_pages_with_previous_and_next() {
        // 10,000 pilots: 200 pages, where every page once had a link.
        assert_eq!(shown(&pager(10_000, 1)), "[1] 2 3 … 200 ›");
        assert_eq!(shown(&pager(10_000, 2)), "‹ 1 [2] 3 4 … 200 ›");
        assert_eq!(
            shown(&pager(10_000, 100)),
            "‹ 1 … 98 99 [100] 101 102 … 200 ›"
        );
        assert_eq!(shown(&pager(10_000, 200)), "‹ 1 … 198 199 [200]");
        assert_eq!(shown(&pager(250, 3)), "‹ 1 2 [3] 4 5 ›");
        assert_eq!(shown(&pager(50, 1)), "");
        assert_eq!(
            pager(10_000, 2).text,
            "Pilots 51–100 of 10,000, those that need attention first; page 2 of 200."
        );
    }
}
