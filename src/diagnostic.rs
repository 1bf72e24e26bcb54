//! Located diagnostics: one type for every problem the tool reports.
//!
//! Reading dossiers, loading the framework, reading the configuration and
//! rendering templates all report problems as a [`Diagnostic`]: the file, the
//! place in it (line, column and the text of that line), what was expected and,
//! when there is a likely fix, a `help` line. The place is kept to the very end
//! so that every output (terminal, JSON, GitHub annotations, the error overlay
//! of the dev server) can point at it. Turning a diagnostic into text for a
//! terminal lives in `report`; this module only holds the data and the
//! arithmetic that maps byte offsets to lines and columns.

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The file (or configuration) cannot be used as it is.
    Error,
    /// The file is used, but something in it is probably not what was meant.
    Warning,
}

/// A place in a source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// 1-based line number in the file.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The text of that line (without its line ending), for a snippet.
    #[serde(skip)]
    pub line_text: String,
    /// Length of the marked text on that line, in characters (at least 1).
    #[serde(skip)]
    pub width: usize,
}

impl Location {
    /// The location of the byte range `start..end` of `text`.
    ///
    /// Offsets past the end or inside a UTF-8 sequence are clamped, so any
    /// pair of numbers gives a valid location.
    pub fn from_offsets(text: &str, start: usize, end: usize) -> Location {
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].bytes().filter(|&b| b == b'\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let width = text[start..end.min(line_end)].chars().count().max(1);
        Location {
            line,
            column,
            line_text: text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
            width,
        }
    }

    /// The location of 1-based `line` and `column` (in characters) of `text`.
    pub fn from_line_column(text: &str, line: usize, column: usize, width: usize) -> Location {
        let line_text = text
            .split('\n')
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .trim_end_matches('\r');
        Location {
            line: line.max(1),
            column: column.max(1),
            line_text: line_text.to_string(),
            width: width.max(1),
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// One problem, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    /// Path of the file as shown to the user (relative to the project root
    /// when it is inside it), with `/` separators.
    pub source: String,
    /// Where in the file, when known (boxed: diagnostics travel in `Result`s).
    pub location: Option<Box<Location>>,
    /// What was expected and what was found.
    pub message: String,
    /// A likely fix, when there is one.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(source: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            source: source.into(),
            location: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(source: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(source, message)
        }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(Box::new(location));
        self
    }

    pub fn at_opt(mut self, location: Option<Location>) -> Diagnostic {
        self.location = location.map(Box::new);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    pub fn line(&self) -> Option<usize> {
        self.location.as_ref().map(|l| l.line)
    }

    pub fn column(&self) -> Option<usize> {
        self.location.as_ref().map(|l| l.column)
    }
}

impl std::fmt::Display for Diagnostic {
    /// The one-line form: `content/a.md:3:8: message`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(loc) = &self.location {
            write!(f, ":{}:{}", loc.line, loc.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// The closest of `candidates` to `word`, when one is close enough to be a
/// likely misspelling (`goverance` for `governance`, `adoption` for
/// `adoption_rate`).
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let written = word.replace(['-', ' '], "_");
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        let score = similarity(&word, &written, candidate);
        if score > best.map_or(0.0, |b| b.1) {
            best = Some((candidate, score));
        }
    }
    best.filter(|b| b.1 >= 0.8).map(|b| b.0)
}

/// How alike `word` (lowercase; `w` is the same with `-` and spaces as
/// `_`) and `candidate` are, from 0 to 1; 0.8 and above is a likely
/// misspelling.
fn similarity(word: &str, w: &str, candidate: &str) -> f64 {
    if word == candidate {
        return 1.0;
    }
    if w == candidate {
        return 0.99;
    }
    // A known key that starts with what was written (`adoption` for
    // `adoption_rate`) is a likely shorthand.
    if w.len() >= 5 && (candidate.starts_with(w) || w.starts_with(candidate)) {
        return 0.9;
    }
    let (w_len, c_len) = (w.chars().count(), candidate.chars().count());
    let longest = w_len.max(c_len);
    if longest < 4 {
        return 0.0;
    }
    // The edit distance is at least the difference in length, so it is only
    // worth computing (it allocates a table) when it can be 2 or less.
    if w_len.abs_diff(c_len) <= 2 {
        let distance = strsim::damerau_levenshtein(w, candidate);
        if distance <= 2 && distance * 4 <= longest {
            return 0.85;
        }
    }
    // Jaro is at most (2 + shorter / longer) / 3, and Jaro-Winkler at most
    // 0.6 × Jaro + 0.4: below half the length, the score stays under 0.8.
    if 2 * w_len.min(c_len) < longest {
        return 0.0;
    }
    strsim::jaro_winkler(w, candidate) - 0.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_line_and_character_column() {
        let text = "---\ntitle: é\nstage: pilto\n";
        let start = text.find("pilto").unwrap();
        let loc = Location::from_offsets(text, start, start + 5);
        assert_eq!((loc.line, loc.column, loc.width), (3, 8, 5));
        assert_eq!(loc.line_text, "stage: pilto");
    }

    #[test]
    fn offsets_out_of_range_are_clamped() {
        let loc = Location::from_offsets("ab", 10, 20);
        assert_eq!((loc.line, loc.column), (1, 3));
    }

    #[test]
    fn misspelled_keys_get_suggestions() {
        let keys = ["governance", "change", "metrics", "data", "adoption_rate"];
        assert_eq!(suggest("goverance", keys), Some("governance"));
        assert_eq!(suggest("adoption", keys), Some("adoption_rate"));
        assert_eq!(suggest("Governance", keys), Some("governance"));
        assert_eq!(suggest("cost_centre", keys), None);
        assert_eq!(suggest("owner", keys), None);
    }
}
