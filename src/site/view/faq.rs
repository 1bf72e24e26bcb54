use super::*;

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

pub(in crate::site) fn live_figure(text: String, linked: Vec<&Dossier>) -> LiveFigure<'_> {
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
    // What a share is out of: the readable pilots, and the dossiers left
    // out when some cannot be read.
    let (of_n, left_out) = match p.unread {
        0 => (format!("of {} pilots", count(p.pilots)), String::new()),
        u => (
            format!(
                "of {}",
                plural(p.pilots, "readable pilot", "readable pilots")
            ),
            format!("; {} cannot be read", plural(u, "dossier", "dossiers")),
        ),
    };
    match topic {
        Topic::Mistake(m) => {
            let active = p.active_by_mistake[m.index()];
            vec![
                live_figure(
                    format!(
                        "In this portfolio, {} {of_n} {} “{}” active{left_out}{}",
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
                    "In this portfolio, {} {of_n}{} are in production or scaling{left_out}{}",
                    count(p.in_production),
                    match p.pilots {
                        0 => String::new(),
                        _ => format!(" ({}%)", (p.production_share * 100.0).round()),
                    },
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
                    "In this portfolio, the most common active mistake is “{}” ({} {of_n}{left_out}). {}",
                    fw.mistake(m).name,
                    count(p.active_by_mistake[m.index()]),
                    match p.verdict_count(Verdict::Ready) {
                        0 => "No pilot is ready at its stage yet.".to_string(),
                        1 => "Ready at its stage:".to_string(),
                        r => format!("{} pilots are ready at their stage:", count(r)),
                    }
                ),
                None if p.unread > 0 => format!(
                    "In this portfolio, no mistake is active in any of the {} ({} cannot be read).",
                    plural(p.pilots, "readable pilot", "readable pilots"),
                    plural(p.unread, "dossier", "dossiers")
                ),
                None => format!(
                    "In this portfolio, no mistake is active in any of the {} pilots.",
                    count(p.pilots)
                ),
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
