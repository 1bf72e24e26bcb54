//! `decisions.ics`: the portfolio's pending go / no-go decisions as an
//! iCalendar file (RFC 5545), for leaders to subscribe to in their calendar.
//!
//! One all-day event per pilot that has a `decision_due` date and has not
//! reached production or been abandoned, overdue ones included (a decision
//! that is late is still to be made). The output depends on the inputs
//! alone: each event's UID is the pilot's id, and its DTSTAMP is the as-of
//! date, not the time of the build.
//!
//! Written by hand: the file is a dozen kinds of line, and what matters is
//! that no value can break out of its line. Every text value is escaped
//! (`\\`, `;`, `,`, line breaks as `\n`) and every other control character
//! is dropped, since a reader that ends lines at a lone CR would otherwise
//! read a title's second half as properties of its own (an ATTENDEE, an
//! alarm, a second event). Lines are folded at 75 octets, never inside a
//! character. A strict reader reads the file back in the tests
//! (`tests/it/site_build.rs`).

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::config::Config;
use crate::dossier::Stage;
use crate::framework::Framework;
use crate::project::Judged;

/// Whether a pilot at `stage` still has a go / no-go decision ahead.
fn decision_pending(stage: Stage) -> bool {
    !matches!(stage, Stage::Production | Stage::Abandoned)
}

/// `s` as an RFC 5545 TEXT value: backslash, semicolon and comma escaped,
/// each line break (CRLF, LF or a lone CR) as `\n`, other control
/// characters dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Characters a URI value cannot hold as they are.
const NOT_IN_URI: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b' ');

/// `s` as a URI value: control characters and spaces cannot be part of
/// one, so they are percent-encoded.
fn uri(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, NOT_IN_URI).to_string()
}

/// Appends the content line `line` to `out`, folded so that no line is
/// longer than 75 octets (RFC 5545 3.1), with CRLF after it.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn day(d: Date) -> String {
    d.strftime("%Y%m%d").to_string()
}

/// The calendar, in the RFC 5545 text format (CRLF line ends).
pub fn calendar(judged: &Judged, config: &Config, framework: &Framework) -> String {
    let stamp = format!("{}T000000Z", day(judged.as_of));
    let base = config.base_url.trim_end_matches('/');
    let name = text(&format!("{}: go / no-go decisions", config.title));
    let about = text("Pending go / no-go decisions of the AI pilot portfolio, from pilotscope");
    let mut out = String::new();
    let mut line = |s: String| push_line(&mut out, &s);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line(format!(
        "PRODID:-//pilotscope//pilotscope {}//EN",
        env!("CARGO_PKG_VERSION")
    ));
    line("CALSCALE:GREGORIAN".into());
    line(format!("NAME:{name}"));
    line(format!("X-WR-CALNAME:{name}"));
    line(format!("DESCRIPTION:{about}"));
    line(format!("X-WR-CALDESC:{about}"));
    let mut pilots: Vec<_> = judged
        .pilots()
        .filter(|(d, _)| decision_pending(d.stage))
        .filter_map(|(d, g)| d.decision_due().map(|due| (due, d, g)))
        .collect();
    pilots.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    for (due, d, g) in pilots {
        let mut description = format!(
            "Verdict: {} (readiness {}). Stage: {}.",
            g.verdict.as_str().replace('_', " "),
            g.readiness,
            d.stage.as_str()
        );
        if let Some(m) = g.most_active {
            let info = framework.mistake(m);
            let _ = write!(
                description,
                "\nMost active mistake: {}. Fix: {}",
                info.name, info.fix
            );
        }
        let late = crate::framework::judge::days_between(due, judged.as_of);
        if late > 0 {
            let _ = write!(
                description,
                "\nOverdue: the decision was due {late} days before {}.",
                judged.as_of
            );
        }
        let page = format!("pilots/{}/", d.id);
        line("BEGIN:VEVENT".into());
        line(format!("DESCRIPTION:{}", text(&description)));
        // The end of an all-day event is the next day (RFC 5545 3.6.1).
        line(format!(
            "DTEND;VALUE=DATE:{}",
            day(due.tomorrow().unwrap_or(due))
        ));
        line(format!("DTSTAMP:{stamp}"));
        line(format!("DTSTART;VALUE=DATE:{}", day(due)));
        line(format!(
            "SUMMARY:{}",
            text(&format!("Go / no-go: {}", d.title))
        ));
        line(format!("UID:{}", text(&format!("{}@pilotscope", d.id))));
        if base.is_empty() {
            line(format!("X-PILOTSCOPE-PAGE:{}", text(&page)));
        } else {
            line(format!("URL:{}", uri(&format!("{base}/{page}"))));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_escape_separators_and_keep_no_control_character() {
        assert_eq!(text("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(
            text("one\rATTENDEE:x\r\ntwo\nthree"),
            "one\\nATTENDEE:x\\ntwo\\nthree"
        );
        assert_eq!(text("bell\u{7}\u{0}\u{1b}[0m"), "bell[0m");
    }

    #[test]
    fn lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        push_line(&mut out, &format!("SUMMARY:{}", "é".repeat(60)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "é".repeat(60))
        );
    }
}
