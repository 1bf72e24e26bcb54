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
    pub most_active: &'static str,
    pub most_active_name: String,
    pub flags: Vec<FlagView>,
    pub budget: String,
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
}

pub fn pilot_row(config: &Config, fw: &Framework, d: &Dossier, g: &Diagnosis) -> PilotRow {
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
            value: p.pilots.to_string(),
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
            value: p.verdict_count(Verdict::Ready).to_string(),
            note: "no mistake active, readiness 80+".replace("80", &fw.ready_at.to_string()),
            caveat: String::new(),
            class: "ready",
        },
        Figure {
            label: "At risk".into(),
            value: p.verdict_count(Verdict::AtRisk).to_string(),
            note: "one mistake active, or readiness below the bar".into(),
            caveat: String::new(),
            class: "at_risk",
        },
        Figure {
            label: "Not ready".into(),
            value: p.verdict_count(Verdict::NotReady).to_string(),
            note: "two or more mistakes active".into(),
            caveat: String::new(),
            class: "not_ready",
        },
        Figure {
            label: "In purgatory".into(),
            value: p.purgatory.to_string(),
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
            class: "",
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
                n.to_string(),
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
            p.in_production, p.pilots
        ),
        production_share: share,
        chart: chart(
            items,
            max,
            format!("Pilots with each mistake active. {summary}."),
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
                value: p.by_stage[*s as usize].to_string(),
            })
            .collect(),
        pilots: p.pilots,
        readiness: super::readiness::portfolio_readiness(judged),
    }
}

/// The whole view of the index page, every row in [`PortfolioView::rows`]:
/// what an `index.html` written before `pilot_rows.html` existed loops over.
pub fn portfolio_view_with_rows(config: &Config, fw: &Framework, judged: &Judged) -> PortfolioView {
    let mut v = portfolio_view(config, fw, judged);
    v.rows = table_order(judged)
        .into_iter()
        .map(|(d, g)| pilot_row(config, fw, d, g))
        .collect();
    v
}
