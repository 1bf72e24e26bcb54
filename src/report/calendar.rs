//! `decisions.ics`: the portfolio's pending go / no-go decisions as an
//! iCalendar file (RFC 5545), for leaders to subscribe to in their calendar.
//!
//! One all-day event per pilot that has a `decision_due` date and has not
//! reached production or been abandoned, overdue ones included (a decision
//! that is late is still to be made). Built with the `icalendar` crate,
//! which escapes and folds the text as RFC 5545 asks. The output depends on
//! the inputs alone: each event's UID is the pilot's id, and its DTSTAMP is
//! the as-of date, not the time of the build.

use icalendar::{Calendar, Component, Event, EventLike};

use crate::config::Config;
use crate::dossier::Stage;
use crate::framework::Framework;
use crate::project::Judged;

/// Whether a pilot at `stage` still has a go / no-go decision ahead.
fn decision_pending(stage: Stage) -> bool {
    !matches!(stage, Stage::Production | Stage::Abandoned)
}

/// The calendar, in the RFC 5545 text format (CRLF line ends).
pub fn calendar(judged: &Judged, config: &Config, framework: &Framework) -> String {
    let stamp = format!("{}T000000Z", judged.as_of.strftime("%Y%m%d"));
    let base = config.base_url.trim_end_matches('/');
    let mut cal = Calendar::new();
    cal.name(&format!("{}: go / no-go decisions", config.title))
        .description("Pending go / no-go decisions of the AI pilot portfolio, from pilotscope");
    let mut pilots: Vec<_> = judged
        .pilots()
        .filter(|(d, _)| decision_pending(d.stage))
        .filter_map(|(d, g)| d.decision_due().map(|due| (due, d, g)))
        .collect();
    pilots.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    for (due, d, g) in pilots {
        let Some(day) = chrono::NaiveDate::from_ymd_opt(
            due.year().into(),
            due.month() as u32,
            due.day() as u32,
        ) else {
            continue;
        };
        let mut description = format!(
            "Verdict: {} (readiness {}). Stage: {}.",
            g.verdict.as_str().replace('_', " "),
            g.readiness,
            d.stage.as_str()
        );
        if let Some(m) = g.most_active {
            let info = framework.mistake(m);
            description.push_str(&format!(
                "\nMost active mistake: {}. Fix: {}",
                info.name, info.fix
            ));
        }
        let late = crate::framework::judge::days_between(due, judged.as_of);
        if late > 0 {
            description.push_str(&format!(
                "\nOverdue: the decision was due {late} days before {}.",
                judged.as_of
            ));
        }
        let page = format!("pilots/{}/", d.id);
        let mut event = Event::new();
        event
            .uid(&format!("{}@pilotscope", d.id))
            .add_property("DTSTAMP", &stamp)
            .all_day(day)
            // The end of an all-day event is the next day (RFC 5545 3.6.1).
            .ends(day.succ_opt().unwrap_or(day))
            .summary(&format!("Go / no-go: {}", d.title))
            .description(&description);
        if base.is_empty() {
            event.add_property("X-PILOTSCOPE-PAGE", &page);
        } else {
            event.url(&format!("{base}/{page}"));
        }
        cal.push(event.done());
    }
    cal.done().to_string()
}
