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
//!
//! Every diagnostic carries a stable [`Code`] (`dossier.bad-share`): code
//! that needs to tell one problem from another matches the code, never the
//! message, and every output prints it. The codes are listed, with what
//! each means, in `docs/diagnostics.md`; a test keeps the two in step.

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

/// Declares [`Code`]: each variant with its stable text.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// What kind of problem a diagnostic is, stable across releases:
        /// scripts, SARIF rules and the watcher match it, never the message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the order of `docs/diagnostics.md`.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as printed: `area.kebab-case`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// What the code means, in a sentence (its doc comment; the
            /// table in `docs/diagnostics.md` says the same).
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),*).trim_ascii_start(),)*
                }
            }
        }
    };
}

codes! {
    /// A dossier file cannot be opened or read.
    DossierUnreadable = "dossier.unreadable",
    /// A dossier file is larger than a dossier may be.
    DossierTooLarge = "dossier.too-large",
    /// A dossier file is empty.
    DossierEmpty = "dossier.empty",
    /// A dossier file holds NUL bytes.
    DossierBinary = "dossier.binary",
    /// A dossier file is not UTF-8.
    DossierNotUtf8 = "dossier.not-utf8",
    /// No front matter at the start, or front matter that is never closed.
    DossierNoFrontMatter = "dossier.no-front-matter",
    /// The front matter is not valid YAML, TOML or JSON, passes a limit
    /// (nesting, aliases), or gives a key twice.
    DossierSyntax = "dossier.syntax",
    /// The story passes the most marks of markdown one story may hold.
    DossierStoryTooLarge = "dossier.story-too-large",
    /// The front matter, or one of its sections, is not a table of answers.
    DossierNotATable = "dossier.not-a-table",
    /// `title` is missing.
    DossierMissingTitle = "dossier.missing-title",
    /// `stage` is missing.
    DossierMissingStage = "dossier.missing-stage",
    /// `started` is missing at a stage past `proposed` (a warning).
    DossierMissingStarted = "dossier.missing-started",
    /// A key close to a known one, probably misspelled (a warning).
    DossierUnknownKey = "dossier.unknown-key",
    /// An answer that must be text is not.
    DossierBadText = "dossier.bad-text",
    /// An answer that must be a date is not one written YYYY-MM-DD.
    DossierBadDate = "dossier.bad-date",
    /// An answer that must be a share is not a number in 0..1 or a percentage.
    DossierBadShare = "dossier.bad-share",
    /// An answer that must be a number is not one.
    DossierBadNumber = "dossier.bad-number",
    /// An answer that must be true or false is not.
    DossierBadBool = "dossier.bad-bool",
    /// An answer outside its list of words.
    DossierBadChoice = "dossier.bad-choice",
    /// An answer that must be a list (of text, gaps or KPIs) is not.
    DossierBadList = "dossier.bad-list",
    /// More errors in one file than are shown.
    DossierTooManyErrors = "dossier.too-many-errors",
    /// Two dossiers have the same id.
    DossierDuplicateId = "dossier.duplicate-id",
    /// The content folder does not exist.
    ContentMissing = "content.missing",
    /// A file or folder under the content folder is skipped (a warning).
    ContentSkipped = "content.skipped",
    /// `pilotscope.toml` cannot be read or parsed.
    ConfigUnreadable = "config.unreadable",
    /// A key of `pilotscope.toml` that is not known.
    ConfigUnknownKey = "config.unknown-key",
    /// A value of `pilotscope.toml` of the wrong type or out of range.
    ConfigBadValue = "config.bad-value",
    /// The framework file cannot be read or parsed.
    FrameworkUnreadable = "framework.unreadable",
    /// The framework does not describe all five mistakes.
    FrameworkIncomplete = "framework.incomplete",
    /// A check is defined or changed twice in one file.
    FrameworkDuplicateId = "framework.duplicate-id",
    /// A mistake other than the five.
    FrameworkUnknownMistake = "framework.unknown-mistake",
    /// A check that is switched off does not exist.
    FrameworkUnknownCheck = "framework.unknown-check",
    /// A dossier field (or KPI value) that does not exist.
    FrameworkUnknownField = "framework.unknown-field",
    /// A new check lacks what every check needs.
    FrameworkIncompleteCheck = "framework.incomplete-check",
    /// A severity, stage, weight, threshold or readiness bar that is not valid.
    FrameworkBadValue = "framework.bad-value",
    /// A condition that cannot be evaluated as written.
    FrameworkBadCondition = "framework.bad-condition",
    /// A template cannot be read, parsed or rendered.
    TemplateError = "template.error",
    /// `content/faq.md` cannot be used; the shipped FAQ is shown (a warning).
    FaqUnusable = "faq.unusable",
    /// An FAQ question names a topic that does not exist (a warning).
    FaqUnknownTopic = "faq.unknown-topic",
    /// A file of the site cannot be written.
    OutputCannotWrite = "output.cannot-write",
    /// The output folder cannot be created, locked or updated.
    OutputCannotUpdate = "output.cannot-update",
    /// The output folder is one a build must never write into.
    OutputDangerous = "output.dangerous",
    /// The output folder holds files pilotscope did not write.
    OutputNotOurs = "output.not-ours",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// What kind of problem this is: the stable part, matched by code.
    pub code: Code,
    /// Path of the file as shown to the user (relative to the project root
    /// when it is inside it), with `/` separators.
    pub source: String,
    /// Where in the file, when known (boxed: diagnostics travel in `Result`s).
    pub location: Option<Box<Location>>,
    /// What was expected and what was found.
    pub message: String,
    /// A likely fix, when there is one.
    pub help: Option<String>,
    /// The answer (a dossier's field path, `framing.executive_sponsor`)
    /// this leaves unanswered, when it is one: a misspelled key, so that a
    /// page can say it beside "not answered". Not part of any output.
    #[serde(skip)]
    pub answer: Option<String>,
}

impl Diagnostic {
    /// An error: the file (or configuration) cannot be used as it is.
    pub fn error(code: Code, source: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            code,
            source: source.into(),
            location: None,
            message: message.into(),
            help: None,
            answer: None,
        }
    }

    /// A warning: the file is used, but probably not as meant.
    pub fn warning(
        code: Code,
        source: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, source, message)
        }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(Box::new(location));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Marks the answer this leaves unanswered (see [`Diagnostic::answer`]).
    pub fn leaving_unanswered(mut self, path: impl Into<String>) -> Diagnostic {
        self.answer = Some(path.into());
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

/// A path as shown to people, the one way every message and page names
/// a file or folder: relative to `from` (both absolute, or both relative
/// to the same folder), its parts joined with `/`; `.` when the two are
/// the same folder. A path outside `from` climbs to it with `..` when the
/// two share a folder below the file system's root (`../site` for a site
/// beside the project), and is shown whole when they share no more than
/// the root (`/tmp/site`), where a climb would say less than the path.
pub fn show_path(path: &std::path::Path, from: &std::path::Path) -> String {
    use std::path::Component;
    let part = |c: &Component| match c {
        Component::RootDir => String::new(),
        c => c.as_os_str().to_string_lossy().into_owned(),
    };
    let path: Vec<Component> = path
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let from: Vec<Component> = from
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let common = path.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let shared = from[..common]
        .iter()
        .filter(|c| matches!(c, Component::Normal(_)))
        .count();
    let parts: Vec<String> = if common == from.len() {
        path[common..].iter().map(part).collect()
    } else if shared > 0
        || !path
            .iter()
            .chain(&from)
            .any(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
    {
        let mut parts = vec!["..".to_string(); from.len() - common];
        parts.extend(path[common..].iter().map(part));
        parts
    } else {
        path.iter().map(part).collect()
    };
    match parts.as_slice() {
        [] => ".".to_string(),
        [only] if only.is_empty() => "/".to_string(),
        _ => parts.join("/"),
    }
}

/// `shown`, a path shown relative to a project's root ([`show_path`]), as
/// seen from a folder where the root is shown as `root` (`pilots`, or `..`
/// from inside the content folder); a path shown whole stays as it is.
pub fn show_from(root: &str, shown: &str) -> String {
    if root.is_empty() || root == "." || std::path::Path::new(shown).is_absolute() {
        return shown.to_string();
    }
    let mut parts: Vec<&str> = root.split('/').collect();
    for part in shown.split('/') {
        match part {
            "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
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
    fn a_path_is_shown_from_a_folder_climbing_only_below_the_root() {
        let show =
            |p: &str, from: &str| show_path(std::path::Path::new(p), std::path::Path::new(from));
        assert_eq!(show("/w/p/content/a.md", "/w/p"), "content/a.md");
        assert_eq!(show("/w/p", "/w/p"), ".");
        assert_eq!(show("/w/p", "/w/p/content"), "..");
        assert_eq!(
            show("/w/p/content/a.md", "/w/p/templates"),
            "../content/a.md"
        );
        assert_eq!(show("/w/site", "/w/p"), "../site");
        assert_eq!(show("/tmp/site", "/w/p"), "/tmp/site");
        assert_eq!(show("/", "/w/p"), "/");
        assert_eq!(show("./content/a.md", "."), "content/a.md");
        assert_eq!(show("a/b", "c"), "../a/b");
        assert_eq!(show("a/b", "/w"), "a/b");
    }

    #[test]
    fn a_shown_path_is_seen_from_where_the_root_is_shown() {
        assert_eq!(show_from("", "content/a.md"), "content/a.md");
        assert_eq!(show_from(".", "content/a.md"), "content/a.md");
        assert_eq!(show_from("pilots", "content/a.md"), "pilots/content/a.md");
        assert_eq!(show_from("..", "content/a.md"), "../content/a.md");
        assert_eq!(show_from("pilots", "../site"), "site");
        assert_eq!(show_from("pilots", ".."), ".");
        assert_eq!(show_from("..", "../site"), "../../site");
        assert_eq!(show_from("pilots", "/tmp/site"), "/tmp/site");
    }

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
    fn the_code_table_lists_every_code_once() {
        let table = include_str!("../docs/diagnostics.md");
        let rows: Vec<Vec<&str>> = table
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
            .collect();
        let listed: Vec<&str> = rows.iter().map(|r| r[0].trim_matches('`')).collect();
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, known, "docs/diagnostics.md and `codes!` differ");
        for (row, code) in rows.iter().zip(Code::ALL) {
            let summary = code.summary().replace(" (a warning)", "");
            assert_eq!(row[2], summary, "the table's words for {code}");
        }
        let mut unique = known.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), known.len(), "a code is given twice");
        for code in known {
            let (area, name) = code.split_once('.').expect("area.name");
            assert!(
                [area, name].iter().all(|p| !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')),
                "{code} is not area.kebab-case"
            );
        }
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
