//! The portfolio for people who live in spreadsheets: `summary.csv` opens
//! in Excel with its accents and currency signs intact.

use crate::live::{AS_OF, Project};

fn built_with(title: &str) -> Project {
    let project = Project::live();
    project.write("content/accents.md", &crate::live::dossier(title));
    crate::common::build_in(&project.root, 0);
    project
}

/// Excel on Windows reads a CSV file without a byte order mark in the
/// system's code page: "Zürich" comes out as "ZÃ¼rich".
#[test]
fn summary_csv_starts_with_a_byte_order_mark_so_excel_reads_accents() {
    let project = built_with("Prévision des ventes Zürich €");
    let bytes = std::fs::read(project.site().join("summary.csv")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBFid,title,"),
        "{:?}",
        String::from_utf8_lossy(&bytes[..20.min(bytes.len())])
    );
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text.matches('\u{feff}').count(),
        1,
        "one mark, at the start"
    );
    let rows = crate::hardening::csv_rows(&text);
    assert_eq!(rows[0][0], "id");
    assert!(
        rows.iter().any(|r| r[1] == "Prévision des ventes Zürich €"),
        "{rows:?}"
    );
}

/// `portfolio.xlsx` read back by openpyxl, the spreadsheet library most
/// Python tools use, as JSON: each sheet's name, frozen cell, filter range
/// and rows (dates as `date:YYYY-MM-DD`, numbers with their format).
fn workbook(path: &std::path::Path) -> Option<serde_json::Value> {
    let script = r#"
import datetime, json, sys
try:
    import openpyxl
except ImportError:
    sys.exit(3)
book = openpyxl.load_workbook(sys.argv[1])
def cell(c):
    v = c.value
    if isinstance(v, datetime.datetime):
        return "date:" + v.date().isoformat()
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return {"number": v, "format": c.number_format}
    return v
out = []
for ws in book.worksheets:
    out.append({
        "name": ws.title,
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "rows": [[cell(c) for c in row] for row in ws.iter_rows()],
    })
print(json.dumps({"sheets": out, "title": book.properties.title}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 runs");
    if !crate::hardening::require(
        out.status.code() != Some(3),
        "openpyxl (pip install openpyxl)",
    ) {
        return None;
    }
    assert!(
        out.status.success(),
        "openpyxl cannot read portfolio.xlsx: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_workbook_has_the_portfolio_its_checks_and_decisions_as_a_spreadsheet_reads_them() {
    let project = built_with("Prévision des ventes Zürich €");
    let Some(book) = workbook(&project.site().join("portfolio.xlsx")) else {
        return;
    };
    let report = crate::common::report(&project.root);
    let sheets = book["sheets"].as_array().unwrap();
    let names: Vec<&str> = sheets.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Portfolio", "Checks", "Decisions"]);
    assert_eq!(book["title"], "Live preview fixture");
    let pilots = report["dossiers"].as_array().unwrap();
    for s in sheets {
        assert_eq!(s["freeze"], "A2", "{}: the header stays in view", s["name"]);
        assert!(
            s["filter"].as_str().is_some_and(|f| f.starts_with("A1:")),
            "{}",
            s["name"]
        );
    }
    let portfolio = sheets[0]["rows"].as_array().unwrap();
    assert_eq!(portfolio.len(), pilots.len() + 1, "a row a pilot");
    let head: Vec<&str> = portfolio[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let alpha = portfolio
        .iter()
        .find(|r| r[0] == "Alpha invoice reader")
        .expect("Alpha's row");
    assert_eq!(alpha[col("Decision due")], "date:2027-01-31");
    assert_eq!(alpha[col("Started")], "date:2026-03-01");
    assert_eq!(alpha[col("Owner")], "Head of accounts payable");
    let alpha_report = pilots
        .iter()
        .find(|d| d["title"] == "Alpha invoice reader")
        .unwrap();
    assert_eq!(
        alpha[col("Verdict")].as_str().unwrap(),
        alpha_report["verdict"].as_str().unwrap().replace('_', " ")
    );
    assert_eq!(alpha[col("Readiness")]["number"], alpha_report["readiness"]);
    assert!(
        portfolio
            .iter()
            .any(|r| r[0] == "Prévision des ventes Zürich €"),
        "accents as written"
    );
    // Checks: a column a check of the framework, an outcome a cell.
    let checks = sheets[1]["rows"].as_array().unwrap();
    assert_eq!(checks.len(), pilots.len() + 1);
    let check_ids: Vec<&str> = alpha_report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let check_head = checks[0].as_array().unwrap();
    for id in &check_ids {
        assert!(check_head.iter().any(|h| h == id), "{id}");
    }
    // Decisions: the pilots with a decision date, soonest first.
    let decisions = sheets[2]["rows"].as_array().unwrap();
    let dates: Vec<&str> = decisions[1..]
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    assert!(decisions.iter().any(|r| r[1] == "Alpha invoice reader"));
}

/// The workbook's sheets go through temporary files while it is written
/// (so that a large portfolio's cells are not all held at once); where
/// none can be made, the build still writes the same workbook.
#[test]
fn without_a_usable_temporary_folder_the_workbook_is_still_written() {
    let project = built_with("Prévision des ventes Zürich €");
    let usual = project.site().join("portfolio.xlsx");
    let kept = project.root.join("usual.xlsx");
    std::fs::rename(&usual, &kept).unwrap();
    // A file where the temporary folder should be.
    let not_a_folder = project.root.join("content/accents.md");
    let out = crate::common::pilotscope()
        .current_dir(&project.root)
        .env("TMPDIR", &not_a_folder)
        .args(["--as-of", AS_OF, "build"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (Some(usual), Some(fallback)) = (workbook(&kept), workbook(&usual)) else {
        return;
    };
    assert_eq!(usual, fallback);
}

#[test]
fn budgets_are_currency_in_the_workbook() {
    let project = Project::live();
    project.write("pilotscope.toml", "title = \"Live\"\ncurrency = \"EUR\"\n");
    project.write(
        "content/alpha.md",
        &crate::live::dossier("Budgeted").replace("stage:", "budget: 120000\nstage:"),
    );
    crate::common::build_in(&project.root, 0);
    let Some(book) = workbook(&project.site().join("portfolio.xlsx")) else {
        return;
    };
    let rows = book["sheets"][0]["rows"].as_array().unwrap();
    let head = rows[0].as_array().unwrap();
    let budget = head.iter().position(|h| h == "Budget").unwrap();
    let row = rows.iter().find(|r| r[0] == "Budgeted").unwrap();
    assert_eq!(row[budget]["number"], 120000);
    assert_eq!(row[budget]["format"], "#,##0 \"EUR\"");
}

#[test]
fn with_history_the_workbook_has_a_row_for_each_change_of_judgement() {
    let project = Project::live();
    let git = |args: &[&str], date: &str| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&project.root)
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"], "2026-01-01T12:00:00Z");
    git(&["add", "-A"], "2026-01-01T12:00:00Z");
    git(&["commit", "-q", "-m", "start"], "2026-06-01T12:00:00Z");
    let alpha = std::fs::read_to_string(project.content().join("alpha.md")).unwrap();
    project.write(
        "content/alpha.md",
        &alpha.replace("stage: pilot", "stage: scaling"),
    );
    git(
        &["commit", "-q", "-am", "Alpha scales"],
        "2026-09-01T12:00:00Z",
    );
    crate::common::build_in(&project.root, 0);
    let Some(book) = workbook(&project.site().join("portfolio.xlsx")) else {
        return;
    };
    let sheets = book["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), 4);
    let history = &sheets[3];
    assert_eq!(history["name"], "History");
    let rows = history["rows"].as_array().unwrap();
    let alpha: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r[1] == "Alpha invoice reader")
        .collect();
    assert_eq!(alpha.len(), 2, "{rows:#?}");
    assert_eq!(alpha[0][0], "date:2026-06-01");
    assert_eq!(alpha[0][2], "pilot");
    assert_eq!(alpha[1][0], "date:2026-09-01");
    assert_eq!(alpha[1][2], "scaling");
    assert_eq!(alpha[1][5], "Ada");
}
