//! `summary.csv`: one row per pilot, for spreadsheets.

use crate::framework::Mistake;
use crate::project::Judged;

/// A CSV field: quoted when needed, and with a leading `'` where a
/// spreadsheet would otherwise run it as a formula.
fn csv_field(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// `summary.csv`: one row per pilot.
///
/// It opens with a byte order mark: Excel on Windows reads a CSV file
/// without one in the system's code page, so accents and currency signs
/// come out garbled. Readers that know UTF-8 (LibreOffice, Python's
/// `utf-8-sig`, pandas) skip it.
pub fn csv(judged: &Judged, config: &crate::config::Config) -> String {
    use crate::dossier::schema::idx;
    let mut out = String::from(
        "\u{feff}id,title,business_unit,industry,stage,verdict,readiness,most_active,flags,framing,data,governance,change,metrics,budget,currency,decision_due,updated,source\n",
    );
    for (d, g) in judged.pilots() {
        let mut fields: Vec<String> = vec![
            d.id.clone(),
            d.title.clone(),
            d.text(idx::BUSINESS_UNIT).unwrap_or("").into(),
            d.text(idx::INDUSTRY).unwrap_or("").into(),
            d.stage.as_str().into(),
            g.verdict.as_str().into(),
            g.readiness.to_string(),
            g.most_active.map_or("", Mistake::as_str).into(),
            g.flags
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ];
        fields.extend(g.mistakes.iter().map(|m| m.status.as_str().to_string()));
        fields.push(
            d.budget()
                .map(crate::dossier::tree::format_number)
                .unwrap_or_default(),
        );
        fields.push(config.currency.clone());
        fields.push(d.decision_due().map(|x| x.to_string()).unwrap_or_default());
        fields.push(d.updated().map(|x| x.to_string()).unwrap_or_default());
        fields.push(d.source.clone());
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod csv_tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
