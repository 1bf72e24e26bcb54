//! `portfolio.xlsx`: the portfolio as an Excel workbook, for the leaders
//! who hand portfolios around as spreadsheets. A Portfolio sheet (one row a
//! pilot: dates as dates, the budget as currency, verdict, readiness, most
//! active mistake, owner, decision due), a Checks sheet (a pilot a row, a
//! check a column, its outcome in each cell) and a Decisions sheet (the
//! pending go / no-go decisions, soonest first) and, when the site has a
//! history, a History sheet (a row each time a pilot's judgement changed,
//! given as plain [`HistoryRow`]s so that reports need nothing of git);
//! each with a frozen header and filters.
//!
//! Written with rust_xlsxwriter: the file format (zipped XML parts, shared
//! strings, styles) is large and Excel refuses a file with any part
//! slightly wrong. The document's dates are the as-of date and the zip
//! entries carry none, so the same input gives the same bytes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::config::Config;
use crate::dossier::schema::idx;
use crate::framework::{Framework, Outcome};
use crate::project::Judged;

/// Excel's limit on the text of one cell.
const CELL_LIMIT: usize = 32_767;

fn date(d: jiff::civil::Date) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// A verdict or outcome as people read it: `at risk`, not `at_risk`.
fn words(s: &str) -> String {
    s.replace('_', " ")
}

fn text(sheet: &mut Worksheet, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    if s.is_empty() {
        return Ok(());
    }
    let s = match s.char_indices().nth(CELL_LIMIT) {
        Some((end, _)) => &s[..end],
        None => s,
    };
    sheet.write_string(row, col, s)?;
    Ok(())
}

/// Writes the header row, freezes it, and puts filters over `rows` rows.
fn header(sheet: &mut Worksheet, names: &[&str], rows: u32) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (c, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
        sheet.set_column_width(c as u16, (name.len() as f64 + 4.0).max(12.0))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows, names.len().saturating_sub(1) as u16)?;
    Ok(())
}

/// The number format of a budget in `currency`: a symbol before the
/// number (`€`), a code after it (`USD`).
fn currency_format(currency: &str) -> String {
    let c: String = currency
        .chars()
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
        format!("#,##0 \"{c}\"")
    } else if c.is_empty() {
        "#,##0".into()
    } else {
        format!("\"{c}\"#,##0")
    }
}

/// One change of a pilot's judgement, for the History sheet.
#[derive(Debug, Clone)]
pub struct HistoryRow<'a> {
    pub pilot: &'a str,
    pub date: jiff::civil::Date,
    pub stage: Option<&'static str>,
    pub verdict: Option<&'static str>,
    pub readiness: Option<u32>,
    /// Empty when the site names no authors.
    pub author: &'a str,
    /// What happened besides a new judgement: removed, cannot be read.
    pub note: &'static str,
    pub commit: String,
}

/// The workbook's bytes; `history` is `None` for a site without one.
/// `None` when `stop` said so between two rows: `serve` asks while
/// someone keeps saving, and a newer change needs the cores more than a
/// workbook that would be replaced at once (at 10,000 pilots one takes
/// 0.2 s of a core).
///
/// Each sheet is written in rust_xlsxwriter's "low memory" mode: a row
/// goes to a temporary file once the next one begins, where the standard
/// mode keeps every cell until the file is saved (at 10,000 pilots the
/// Checks sheet alone is 250,000 cells, and this one file doubled a
/// build's peak memory: 203 MiB instead of 111). The cells and the shared
/// strings are the same; only the optional `spans` hint of each row is
/// not written. Where no temporary file can be made, the workbook is
/// written the standard way.
pub fn workbook(
    judged: &Judged,
    config: &Config,
    framework: &Framework,
    history: Option<&[HistoryRow]>,
    stop: &dyn Fn() -> bool,
) -> Result<Option<Vec<u8>>, XlsxError> {
    let write = |low_memory| {
        write(judged, config, framework, history, low_memory, stop).or_else(|e| match e {
            Written::Stopped => Ok(None),
            Written::Failed(e) => Err(e),
        })
    };
    match write(true) {
        Err(XlsxError::TempFileError(..)) => write(false),
        done => done,
    }
}

/// How writing the workbook ended other than with its bytes.
enum Written {
    Stopped,
    Failed(XlsxError),
}

impl From<XlsxError> for Written {
    fn from(e: XlsxError) -> Written {
        Written::Failed(e)
    }
}

/// How many rows are written between two questions to `stop`.
const ROWS_PER_ASK: usize = 256;

/// `Err(Stopped)` when row `i` is one at which to ask `stop`, and it says so.
fn asked(i: usize, stop: &dyn Fn() -> bool) -> Result<(), Written> {
    if i.is_multiple_of(ROWS_PER_ASK) && stop() {
        Err(Written::Stopped)
    } else {
        Ok(())
    }
}

/// A new sheet of `book`, in low memory mode when `low_memory`.
fn add_sheet(book: &mut Workbook, low_memory: bool) -> Result<&mut Worksheet, XlsxError> {
    if low_memory {
        book.add_worksheet_with_low_memory()
    } else {
        Ok(book.add_worksheet())
    }
}

/// [`workbook`], in low memory mode or not.
fn write(
    judged: &Judged,
    config: &Config,
    framework: &Framework,
    history: Option<&[HistoryRow]>,
    low_memory: bool,
    stop: &dyn Fn() -> bool,
) -> Result<Option<Vec<u8>>, Written> {
    let mut book = Workbook::new();
    // A fast deflate level: the zipping cannot be stopped half-way, and at
    // 10,000 pilots level 2 takes 43 ms where the default (6) takes 160 ms,
    // for a file 25 % larger (2.6 MB against 2.1 MB); level 1 takes 32 ms
    // but makes it 75 % larger. Measured in BENCHMARKS.md (fifth round).
    book.set_zip_compression_level(2);
    let as_of = date(judged.as_of)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(&config.title)
            .set_author("pilotscope")
            .set_creation_datetime(&as_of),
    );
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format(currency_format(&config.currency));
    let mistake_name = |m: crate::framework::Mistake| {
        framework
            .mistakes
            .iter()
            .find(|i| i.id == m)
            .map_or_else(|| m.as_str().to_string(), |i| i.name.clone())
    };
    let pilots: Vec<_> = judged.pilots().collect();

    let sheet = add_sheet(&mut book, low_memory)?;
    sheet.set_name("Portfolio")?;
    header(
        sheet,
        &[
            "Pilot",
            "Business unit",
            "Stage",
            "Verdict",
            "Readiness",
            "Most active mistake",
            "Owner",
            "Budget",
            "Started",
            "Decision due",
            "Updated",
            "Dossier",
        ],
        pilots.len() as u32,
    )?;
    sheet.set_column_width(0, 36)?;
    for (i, (d, g)) in pilots.iter().enumerate() {
        let r = i as u32 + 1;
        asked(i, stop)?;
        text(sheet, r, 0, &d.title)?;
        text(sheet, r, 1, d.text(idx::BUSINESS_UNIT).unwrap_or(""))?;
        text(sheet, r, 2, d.stage.as_str())?;
        text(sheet, r, 3, &words(g.verdict.as_str()))?;
        sheet.write_number(r, 4, f64::from(g.readiness))?;
        if let Some(m) = g.most_active {
            text(sheet, r, 5, &mistake_name(m))?;
        }
        text(sheet, r, 6, d.text(idx::PRODUCTION_OWNER).unwrap_or(""))?;
        if let Some(b) = d.budget() {
            sheet.write_number_with_format(r, 7, b, &money)?;
        }
        for (col, when) in [(8, d.started()), (9, d.decision_due()), (10, d.updated())] {
            if let Some(when) = when {
                sheet.write_datetime_with_format(r, col, date(when)?, &day)?;
            }
        }
        text(sheet, r, 11, &d.source)?;
    }

    let sheet = add_sheet(&mut book, low_memory)?;
    sheet.set_name("Checks")?;
    let mut names = vec!["Pilot"];
    names.extend(framework.checks.iter().map(|c| c.id.as_str()));
    header(sheet, &names, pilots.len() as u32)?;
    sheet.set_column_width(0, 36)?;
    for (i, (d, g)) in pilots.iter().enumerate() {
        let r = i as u32 + 1;
        asked(i, stop)?;
        text(sheet, r, 0, &d.title)?;
        for c in &g.checks {
            let word = match c.outcome {
                Outcome::Pass => "pass".to_string(),
                o => format!("{} ({})", o.as_str(), c.severity.as_str()),
            };
            text(sheet, r, c.check as u16 + 1, &word)?;
        }
    }

    let sheet = add_sheet(&mut book, low_memory)?;
    sheet.set_name("Decisions")?;
    let mut due: Vec<_> = pilots
        .iter()
        .filter_map(|(d, g)| d.decision_due().map(|when| (when, d, g)))
        .collect();
    due.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.title.cmp(&b.1.title)));
    header(
        sheet,
        &[
            "Decision due",
            "Pilot",
            "Stage",
            "Verdict",
            "Readiness",
            "Owner",
            "Days overdue",
        ],
        due.len() as u32,
    )?;
    sheet.set_column_width(1, 36)?;
    for (i, (when, d, g)) in due.iter().enumerate() {
        let r = i as u32 + 1;
        asked(i, stop)?;
        sheet.write_datetime_with_format(r, 0, date(*when)?, &day)?;
        text(sheet, r, 1, &d.title)?;
        text(sheet, r, 2, d.stage.as_str())?;
        text(sheet, r, 3, &words(g.verdict.as_str()))?;
        sheet.write_number(r, 4, f64::from(g.readiness))?;
        text(sheet, r, 5, d.text(idx::PRODUCTION_OWNER).unwrap_or(""))?;
        if let Some(days) = g.days_overdue.filter(|d| *d > 0) {
            sheet.write_number(r, 6, days as f64)?;
        }
    }
    if let Some(rows) = history {
        let sheet = add_sheet(&mut book, low_memory)?;
        sheet.set_name("History")?;
        header(
            sheet,
            &[
                "Date",
                "Pilot",
                "Stage",
                "Verdict",
                "Readiness",
                "By",
                "Note",
                "Commit",
            ],
            rows.len() as u32,
        )?;
        sheet.set_column_width(1, 36)?;
        for (i, h) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            asked(i, stop)?;
            sheet.write_datetime_with_format(r, 0, date(h.date)?, &day)?;
            text(sheet, r, 1, h.pilot)?;
            text(sheet, r, 2, h.stage.unwrap_or(""))?;
            text(sheet, r, 3, &words(h.verdict.unwrap_or("")))?;
            if let Some(x) = h.readiness {
                sheet.write_number(r, 4, f64::from(x))?;
            }
            text(sheet, r, 5, h.author)?;
            text(sheet, r, 6, h.note)?;
            text(sheet, r, 7, &h.commit)?;
        }
    }
    if stop() {
        return Err(Written::Stopped);
    }
    Ok(Some(book.save_to_buffer()?))
}

#[cfg(test)]
mod tests {
    use super::{currency_format, workbook};
    use crate::config::Config;
    use crate::framework::Framework;

    #[test]
    fn a_workbook_stopped_between_rows_is_not_written_and_one_not_stopped_is_whole() {
        let judged = crate::report::sample_judged(600);
        let (config, fw) = (Config::default(), Framework::builtin());
        let asked = std::cell::Cell::new(0);
        let whole = workbook(&judged, &config, &fw, None, &|| {
            asked.set(asked.get() + 1);
            false
        })
        .expect("written")
        .expect("not stopped");
        assert!(whole.starts_with(b"PK"), "a zip file");
        assert!(
            asked.get() > 3,
            "asked between rows of each sheet, not only once"
        );
        // Stopped on the third question, in the middle of the first sheet.
        let asked = std::cell::Cell::new(0);
        let stopped = workbook(&judged, &config, &fw, None, &|| {
            asked.set(asked.get() + 1);
            asked.get() >= 3
        })
        .expect("no error");
        assert_eq!(stopped, None);
        assert_eq!(asked.get(), 3, "no row written after the stop");
    }

    #[test]
    fn budgets_read_in_the_configured_currency() {
        assert_eq!(currency_format("USD"), "#,##0 \"USD\"");
        assert_eq!(currency_format("€"), "\"€\"#,##0");
        assert_eq!(currency_format("a\"b"), "\"ab\"#,##0");
    }
}
