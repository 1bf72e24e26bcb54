//! The board pack, `pack/index.html`: the portfolio as one document made for
//! paper (what it shows, and the view it is made from, are
//! [`view::pack`](super::view::pack)).
//!
//! Like the index, the pack is streamed: `pack.html` is rendered without its
//! rows and pilot pages, with [`PACK_ROWS_MARK`] and [`PACK_PILOTS_MARK`]
//! where they go, and those are rendered a few hundred at a time with
//! `pack_rows.html` and `pack_pilots.html`.

use std::io::Write;

use super::view::{self, PackPilot, PackRow, pack_pilot, pack_view, sheet_pilots};
use super::{Site, WriteError};

/// Where `pack.html` wants the portfolio table's rows.
pub const PACK_ROWS_MARK: &str = "<!-- pilotscope: pack rows -->";
/// Where `pack.html` wants the pages of the pilots.
pub const PACK_PILOTS_MARK: &str = "<!-- pilotscope: pack pilots -->";

impl Site<'_> {
    /// Writes the board pack to `w`, its rows and pilot pages a few hundred
    /// at a time (see the module's documentation).
    pub fn write_pack(&self, w: &mut dyn Write) -> Result<(), WriteError> {
        let config = &self.project.config;
        let fw = &self.project.framework;
        let mut page = self.page_view(
            "pack/index.html",
            format!("Board pack: {}", config.title),
            "",
        );
        page.canonical = None;
        let ctx = self.context(page.clone(), "pack", &pack_view(config, fw, self.judged));
        let outline = self.templates.render("pack.html", &ctx)?;
        let order = self.table_order();
        let as_of = self.judged.as_of;
        super::splice(w, &outline, |w, mark| {
            if mark == super::mark_name(PACK_ROWS_MARK) {
                super::write_chunks(w, order, |chunk| {
                    let rows: Vec<PackRow> = chunk
                        .iter()
                        .map(|(d, g)| PackRow {
                            row: view::pilot_row(config, fw, d, g, as_of),
                        })
                        .collect();
                    Ok(self
                        .templates
                        .render("pack_rows.html", &self.context(page.clone(), "rows", &rows))?)
                })?;
            } else if mark == super::mark_name(PACK_PILOTS_MARK) {
                // ~0.1 ms a pilot: 32 a piece keeps the pieces short enough
                // for a newer change to stop the pack within a few ms.
                let sheets = sheet_pilots(order, as_of, config.pack_pilots);
                // The warnings of each dossier with a sheet, as its page has them.
                let warnings: std::collections::HashMap<&str, &[crate::diagnostic::Diagnostic]> =
                    self.judged
                        .entries
                        .iter()
                        .filter(|e| !e.diagnostics.is_empty())
                        .filter_map(|e| {
                            let (d, _) = e.judged.as_ref()?;
                            Some((d.id.as_str(), e.diagnostics.as_slice()))
                        })
                        .collect();
                crate::pieces::write_in_order(w, &sheets, 32, b"", |chunk| {
                    let pilots: Vec<PackPilot> = chunk
                        .iter()
                        .map(|(d, g)| {
                            let w = warnings.get(d.id.as_str()).copied().unwrap_or_default();
                            pack_pilot(config, fw, d, g, w, as_of)
                        })
                        .collect();
                    self.templates
                        .render(
                            "pack_pilots.html",
                            &self.context(page.clone(), "pilots", &pilots),
                        )
                        .map_err(WriteError::from)
                })?;
            } else {
                return Ok(false);
            }
            Ok(true)
        })
    }
}
