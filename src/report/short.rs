//! `check --format short`: one line per finding,
//! `path:line:col: level[rule]: message`, for editors' quick-fix lists and
//! CI problem matchers. A problem with no place in its file is
//! `path: level[rule]: message`.

use std::fmt::Write as _;

use super::findings::findings;
use super::printable;
use crate::framework::Framework;
use crate::project::Judged;

pub fn short(judged: &Judged, framework: &Framework) -> String {
    let mut out = String::new();
    for f in findings(judged, framework) {
        let _ = write!(out, "{}", printable(f.source));
        if let (Some(line), Some(column)) = (f.line, f.column) {
            let _ = write!(out, ":{line}:{column}");
        }
        let _ = writeln!(
            out,
            ": {}[{}]: {}",
            f.level.as_str(),
            f.rule.id(),
            printable(&f.message)
        );
    }
    out
}
