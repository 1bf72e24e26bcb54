//! The portfolio for people who live in spreadsheets: `summary.csv` opens
//! in Excel with its accents and currency signs intact.

use crate::live::{AS_OF, Project};

fn built_with(title: &str) -> Project {
    let project = Project::live();
    project.write("content/accents.md", &crate::live::dossier(title));
    let out = crate::common::pilotscope()
        .current_dir(&project.root)
        .args(["--as-of", AS_OF, "build"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
