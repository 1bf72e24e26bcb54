//! Reading one dossier file into the typed model, or into located diagnostics.
//!
//! [`load`] does the file I/O (with a size cap); [`load_text`] is the pure
//! part, from bytes to a [`Dossier`], and is what the tests and the fuzzer
//! drive. Every shape the format allows is checked here against
//! [`schema::FIELDS`]; a wrong shape is an error (the dossier is not judged),
//! an unknown key close to a known one is a warning with a suggestion.

use std::ops::Range;
use std::path::Path;

use super::schema::{self, FieldSpec, Kind};
use super::split;
use super::tree::{self, Key, Node, NodeKind};
use super::{Answer, Direction, Dossier, Gap, Kpi, Stage, Value};
use crate::diagnostic::{Code, Diagnostic, Location, suggest};

/// Largest dossier file read. Stories are long, but not this long.
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// More errors than this in one file are summarised.
const MAX_ERRORS: usize = 20;

/// What reading one file gave: the dossier when it can be judged, and every
/// diagnostic (errors mean `dossier` is `None`).
#[derive(Debug, Clone)]
pub struct Reading {
    pub dossier: Option<Dossier>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Reading {
    fn failed(diagnostic: Diagnostic) -> Reading {
        Reading {
            dossier: None,
            diagnostics: vec![diagnostic],
        }
    }
}

/// Reads the file at `path`, shown to users as `source`, with `id` and
/// `rel_path` from discovery.
pub fn load(path: &Path, source: &str, rel_path: &str, id: &str) -> Reading {
    match read_bytes(path, source) {
        Ok(bytes) => load_text(&bytes, source, rel_path, id),
        Err(d) => Reading::failed(d),
    }
}

/// A fingerprint of a file's bytes (xxh3, 128 bits): what the site's
/// manifest keys pages by. Made where the bytes are read, so that nothing
/// reads a file twice to learn whether it changed.
pub fn digest(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// A fingerprint for a file that could not be read: its page shows why.
pub fn unreadable_digest(why: &str) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(b"unreadable\0");
    h.update(why.as_bytes());
    h.digest128()
}

/// Why a file larger than [`MAX_FILE_BYTES`] is not read, on disk or in git.
pub const TOO_LARGE: &str = "the file is larger than 4 MiB, the most a dossier may be";
const _: () = assert!(MAX_FILE_BYTES == 4 << 20, "TOO_LARGE names the size");

/// Whether content of `len` bytes is more than a content file may be
/// ([`MAX_FILE_BYTES`]): the one guard on size, for dossiers on disk and in
/// git and for the FAQ.
pub fn too_large(len: u64) -> bool {
    len > MAX_FILE_BYTES
}

/// The bytes of `file`, or `None` when it holds more than
/// [`MAX_FILE_BYTES`] (no more than one byte past that is read).
pub fn read_capped(file: std::fs::File) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    // Sized from the file's length (a hint only: it may change while it is
    // read), so that a file is read in one call, not in growing pieces.
    let hint = file
        .metadata()
        .map_or(0, |m| m.len().min(MAX_FILE_BYTES) as usize);
    let mut bytes = Vec::with_capacity(hint + 1);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((!too_large(bytes.len() as u64)).then_some(bytes))
}

/// The bytes of a dossier file, up to [`MAX_FILE_BYTES`]; a file that cannot
/// be read or is larger is a diagnostic about `source`.
pub fn read_bytes(path: &Path, source: &str) -> Result<Vec<u8>, Diagnostic> {
    let unreadable = |e: std::io::Error| {
        Diagnostic::error(
            Code::DossierUnreadable,
            source,
            format!("cannot be read: {e}"),
        )
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let Some(bytes) = read_capped(file).map_err(unreadable)? else {
        return Err(
            Diagnostic::error(Code::DossierTooLarge, source, TOO_LARGE)
                .with_help("keep the dossier to its answers and story; link to large documents instead of pasting them"),
        );
    };
    Ok(bytes)
}

/// Reads a dossier from its bytes. Never panics, whatever the bytes.
pub fn load_text(bytes: &[u8], source: &str, rel_path: &str, id: &str) -> Reading {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Reading::failed(
            Diagnostic::error(Code::DossierEmpty, source, "the file is empty; a dossier starts with front matter holding at least `title` and `stage`")
                .at(Location::from_offsets("", 0, 0))
                .with_help("run `pilotscope new \"Title\"` to start from a dossier with every question"),
        );
    }
    // `contains` on bytes is a vectorized memchr; the position is looked
    // for only in the rare file that has one.
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0)
        && let Some(nul) = head.iter().position(|&b| b == 0)
    {
        // Point at the first NUL byte, counting lines in the bytes before it.
        let before = String::from_utf8_lossy(&bytes[..nul]);
        let loc = Location::from_offsets(&before, before.len(), before.len());
        return Reading::failed(
            Diagnostic::error(
                Code::DossierBinary,
                source,
                "the file looks binary (it holds NUL bytes), not like a markdown dossier",
            )
            .at(loc),
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let loc = Location::from_offsets(valid, valid.len(), valid.len());
            return Reading::failed(
                Diagnostic::error(
                    Code::DossierNotUtf8,
                    source,
                    format!(
                        "the file is not valid UTF-8: byte {} cannot start a character",
                        e.valid_up_to() + 1
                    ),
                )
                .at(loc)
                .with_help("save the file with UTF-8 encoding"),
            );
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader {
        text,
        source,
        line_ends: text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect(),
        diagnostics: Vec::new(),
        errors: 0,
    };

    let parts = match split::split(text) {
        Ok(p) => p,
        Err(e) => {
            let mut d = Diagnostic::error(Code::DossierNoFrontMatter, source, e.message)
                .at(Location::from_offsets(text, e.at.start, e.at.end));
            if let Some(help) = e.help {
                d = d.with_help(help);
            }
            return Reading::failed(d);
        }
    };
    let root = match tree::parse(text, parts.matter.clone(), parts.format) {
        Ok(n) => n,
        Err(e) => {
            let mut d = Diagnostic::error(Code::DossierSyntax, source, e.message)
                .at(Location::from_offsets(text, e.at.start, e.at.end));
            if let Some(help) = e.help {
                d = d.with_help(help);
            }
            return Reading::failed(d);
        }
    };

    let mut dossier = Dossier {
        id: id.to_string(),
        source: source.to_string(),
        rel_path: rel_path.to_string(),
        format: parts.format,
        title: String::new(),
        stage: Stage::Pilot,
        answers: vec![None; schema::FIELDS.len()],
        body: text[parts.body.clone()].to_string(),
        extra: Vec::new(),
    };

    // A story that would take the renderer too much memory is refused here,
    // where `check` sees it too, rather than rendered.
    if let Some(at) = super::story::too_many_marks(&dossier.body) {
        let at = parts.body.start + at;
        reader.push(
            Diagnostic::error(
                Code::DossierStoryTooLarge,
                source,
                format!(
                    "the story is too large to render: it passes {} marks of markdown (characters such as `>`, `[`, `|`, `*` and line breaks) here",
                    super::story::MAX_MARKS
                ),
            )
            .at(Location::from_offsets(text, at, at + 1))
            .with_help("shorten the story, or link to the long tables and lists instead of pasting them in"),
        );
    }
    let open = Location::from_offsets(text, 0, 3);
    match &root.kind {
        NodeKind::Map(entries) => reader.section(entries, "", &mut dossier),
        NodeKind::Null => {}
        other => reader.error_at(
            Code::DossierNotATable,
            &root.span,
            format!(
                "the front matter must be a set of `key: value` answers; found {}",
                other.describe()
            ),
            None,
        ),
    }

    match dossier.answer(schema::idx::TITLE) {
        Some(Value::Text(t)) => dossier.title = t.clone(),
        _ => reader.push(
            Diagnostic::error(
                Code::DossierMissingTitle,
                source,
                "a dossier needs a `title`: the pilot's name",
            )
            .at(open.clone())
            .with_help(
                "add a line such as `title: Invoice matching assistant` to the front matter",
            ),
        ),
    }
    match dossier.answer(schema::idx::STAGE) {
        Some(Value::Choice(s)) => dossier.stage = Stage::parse(s).unwrap_or(Stage::Pilot),
        _ => {
            if reader.errors == 0
                || !reader
                    .diagnostics
                    .iter()
                    .any(|d| d.code == Code::DossierBadChoice && d.message.starts_with("`stage`"))
            {
                reader.push(
                    Diagnostic::error(
                        Code::DossierMissingStage,
                        source,
                        format!(
                            "a dossier needs a `stage`: one of {}",
                            schema::STAGES.join(", ")
                        ),
                    )
                    .at(open.clone())
                    .with_help("add a line such as `stage: pilot` to the front matter"),
                )
            }
        }
    }
    if reader.errors == 0 && dossier.stage != Stage::Proposed && dossier.started().is_none() {
        reader.push(
            Diagnostic::warning(
                Code::DossierMissingStarted,
                source,
                format!(
                    "`started` is missing; a pilot at stage `{}` should say when work began",
                    dossier.stage.as_str()
                ),
            )
            .at(open)
            .with_help(
                "checks that compare dates with `started` stay unanswered until it is given",
            ),
        );
    }

    if reader.errors > MAX_ERRORS {
        let more = reader.errors - MAX_ERRORS;
        reader.diagnostics.retain(|d| !d.is_error());
        reader.diagnostics.push(Diagnostic::error(
            Code::DossierTooManyErrors,
            source,
            format!("… and {more} more errors in this file"),
        ));
    }
    let has_errors = reader.errors > 0;
    Reading {
        dossier: if has_errors { None } else { Some(dossier) },
        diagnostics: reader.diagnostics,
    }
}

struct Reader<'a> {
    text: &'a str,
    source: &'a str,
    /// Byte offsets of the file's line breaks: the line of every answer is
    /// looked up here rather than counted from the top each time.
    line_ends: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
    errors: usize,
}

impl Reader<'_> {
    fn loc(&self, span: &Range<usize>) -> Location {
        Location::from_offsets(self.text, span.start, span.end)
    }

    fn push(&mut self, d: Diagnostic) {
        if d.is_error() {
            self.errors += 1;
            if self.errors > MAX_ERRORS {
                return;
            }
        }
        self.diagnostics.push(d);
    }

    fn error_at(&mut self, code: Code, span: &Range<usize>, message: String, help: Option<String>) {
        let mut d = Diagnostic::error(code, self.source, message).at(self.loc(span));
        d.help = help;
        self.push(d);
    }

    /// The 1-based line of `span`, as [`Reader::loc`] would give it.
    fn line_of(&self, span: &Range<usize>) -> usize {
        self.line_ends
            .partition_point(|&end| end < span.start.min(self.text.len()))
            + 1
    }

    /// Reads the entries of one section (`""` is the top level).
    fn section(&mut self, entries: &[(Key, Node)], section: &str, dossier: &mut Dossier) {
        for (key, node) in entries {
            let path = if section.is_empty() {
                key.name.clone()
            } else {
                format!("{section}.{}", key.name)
            };
            if schema::SECTIONS.contains(&path.as_str()) {
                match &node.kind {
                    NodeKind::Map(inner) => self.section(inner, &path, dossier),
                    NodeKind::Null => {}
                    other => self.error_at(
                        Code::DossierNotATable,
                        &node.span,
                        format!("`{path}` must be a table of answers (indented `key: value` lines); found {}", other.describe()),
                        None,
                    ),
                }
            } else if let Some(i) = schema::field_index(&path) {
                let spec = &schema::FIELDS[i];
                if let Some(value) = self.value(spec.kind, &path, node) {
                    dossier.answers[i] = Some(Answer {
                        value,
                        line: self.line_of(&node.span),
                    });
                }
            } else {
                // A likely misspelling is warned about and left out; a team's
                // own key is kept as a fact of the pilot.
                let misspelled = self.unknown_key(key, section);
                if !misspelled
                    && section.is_empty()
                    && let Some(v) = scalar_text(self.text, node)
                {
                    dossier.extra.push((key.name.clone(), v));
                }
            }
        }
    }

    /// A key that is not part of the format: fine, unless it looks like a
    /// misspelling of one that is.
    /// Whether it was warned about.
    fn unknown_key(&mut self, key: &Key, section: &str) -> bool {
        let suggestion = remembered_suggestion(&key.name, section);
        if let Some((help, path)) = suggestion {
            let where_ = if section.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in `{section}`")
            };
            self.push(
                Diagnostic::warning(
                    Code::DossierUnknownKey,
                    self.source,
                    format!(
                        "`{}` is not a known key {where_}, so it is ignored",
                        key.name
                    ),
                )
                .at(self.loc(&key.span))
                .with_help(help)
                .leaving_unanswered(path),
            );
            return true;
        }
        false
    }

    /// Checks one answer against its kind. `None` when it is absent, blank or
    /// wrong (wrong answers also push an error): one function per kind of
    /// answer below.
    fn value(&mut self, kind: Kind, key: &str, node: &Node) -> Option<Value> {
        if matches!(node.kind, NodeKind::Null) {
            return None;
        }
        match kind {
            Kind::Text | Kind::TextOrNumber => self.text_answer(key, node),
            Kind::Date => self.date(key, node),
            Kind::Share => self.share(key, node),
            Kind::Number => self.number(key, node),
            Kind::Bool => self.boolean(key, node),
            Kind::Choice(words) => self.choice(words, key, node),
            Kind::TextList => self.text_list(key, node),
            Kind::Gaps => self.gaps(key, node),
            Kind::Kpis => self.kpis(key, node),
        }
    }

    /// Text (numbers and the like kept as written).
    fn text_answer(&mut self, key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        match &node.kind {
            NodeKind::Str(s) => nonblank(s).map(Value::Text),
            NodeKind::Number(_) | NodeKind::Bool(_) | NodeKind::Datetime(_) => {
                scalar_text(self.text, node).map(Value::Text)
            }
            _ => {
                self.error_at(
                    Code::DossierBadText,
                    &node.span,
                    format!("`{key}` must be text; found {}", found()),
                    Some("write the answer on one line after the key".into()),
                );
                None
            }
        }
    }

    /// A date written YYYY-MM-DD.
    fn date(&mut self, key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        match &node.kind {
            NodeKind::Str(s) | NodeKind::Datetime(s) if s.trim().is_empty() => None,
            _ => {
                let date = match &node.kind {
                    NodeKind::Str(s) | NodeKind::Datetime(s) => parse_date(s.trim()),
                    _ => None,
                };
                if date.is_none() {
                    let (message, help) = match &node.kind {
                        NodeKind::Str(s) | NodeKind::Datetime(s) => match no_such_day(s.trim()) {
                            Some((why, nearest)) => (
                                format!(
                                    "`{key}` is written YYYY-MM-DD, but {} is not a day: {why}",
                                    s.trim()
                                ),
                                format!(
                                    "check the date; the nearest day that exists is `{nearest}`"
                                ),
                            ),
                            None => (
                                format!(
                                    "`{key}` must be a date written YYYY-MM-DD; found {}",
                                    found()
                                ),
                                "for example `2026-02-02`".to_string(),
                            ),
                        },
                        _ => (
                            format!(
                                "`{key}` must be a date written YYYY-MM-DD; found {}",
                                found()
                            ),
                            "for example `2026-02-02`".to_string(),
                        ),
                    };
                    self.error_at(Code::DossierBadDate, &node.span, message, Some(help));
                }
                date.map(Value::Date)
            }
        }
    }

    /// A share: a number from 0 to 1, or a percentage.
    fn share(&mut self, key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        let share = match &node.kind {
            NodeKind::Number(n) => Some(*n),
            NodeKind::Str(s) => {
                let t = s.trim();
                if t.is_empty() {
                    return None;
                }
                match t.strip_suffix('%') {
                    Some(p) => p
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .map(|x| x / 100.0),
                    None => t.parse::<f64>().ok().filter(|x| x.is_finite()),
                }
            }
            _ => None,
        };
        match share {
            Some(x) if (0.0..=1.0).contains(&x) => Some(Value::Share(x)),
            Some(x) if x > 1.0 && matches!(node.kind, NodeKind::Number(_)) && x <= 100.0 => {
                self.error_at(
                    Code::DossierBadShare,
                    &node.span,
                    format!("`{key}` must be a share from 0 to 1 or a percentage; found {}, which is above 1", found()),
                    Some(format!("write {} or \"{}%\"", tree::format_number(x / 100.0), tree::format_number(x))),
                );
                None
            }
            Some(_) => {
                self.error_at(
                    Code::DossierBadShare,
                    &node.span,
                    format!(
                        "`{key}` must be a share between 0 and 1 (0% to 100%); found {}",
                        found()
                    ),
                    None,
                );
                None
            }
            None => {
                // "about 80", "80 percent": the number they meant, written
                // both ways.
                let help = match &node.kind {
                    NodeKind::Str(s) => first_number(s).map(|n| {
                        let share = if n > 1.0 { n / 100.0 } else { n };
                        format!(
                            "write `{}` or `\"{}%\"`: a number alone, without words",
                            tree::format_number(share),
                            tree::format_number(share * 100.0)
                        )
                    }),
                    _ => None,
                }
                .unwrap_or_else(|| {
                    "write a number from 0 to 1 such as `0.80`, or a percentage such as `\"80%\"`"
                        .into()
                });
                self.error_at(Code::DossierBadShare, &node.span, format!("`{key}` must be a share: a number from 0 to 1 such as 0.82, or a percentage such as \"82%\"; found {}", found()), Some(help));
                None
            }
        }
    }

    /// A number.
    fn number(&mut self, key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        let n = match &node.kind {
            NodeKind::Number(n) if n.is_finite() => Some(*n),
            NodeKind::Str(s) if s.trim().is_empty() => return None,
            NodeKind::Str(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
            _ => None,
        };
        match n {
            Some(n) if key == "budget" && n < 0.0 => {
                self.error_at(
                    Code::DossierBadNumber,
                    &node.span,
                    format!("`{key}` must be zero or more; found {}", found()),
                    None,
                );
                None
            }
            Some(n) => Some(Value::Number(n)),
            None => {
                // A KPI's value with its unit ("3 days"): the unit has a
                // key of its own.
                let kpi_value = ["baseline", "target", "actual"]
                    .iter()
                    .any(|k| key.ends_with(&format!(".{k}")));
                let leaf = key.rsplit('.').next().unwrap_or(key);
                let help = match (&node.kind, kpi_value) {
                    (NodeKind::Str(s), true) => match split_unit(s) {
                        Some((n, unit)) => format!(
                            "put the number here and the unit in `unit:`: `{leaf}: {}` and `unit: {unit}`",
                            tree::format_number(n)
                        ),
                        None => format!(
                            "write the number alone, such as `{leaf}: 6.5`, with its unit in `unit:`; if it is not measured yet, leave `{leaf}` out"
                        ),
                    },
                    _ => "write digits only, without currency signs or thousands separators".into(),
                };
                self.error_at(
                    Code::DossierBadNumber,
                    &node.span,
                    format!("`{key}` must be a number such as 180000; found {}", found()),
                    Some(help),
                );
                None
            }
        }
    }

    /// `true` or `false`.
    fn boolean(&mut self, key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        match &node.kind {
            NodeKind::Bool(b) => Some(Value::Bool(*b)),
            NodeKind::Str(s) if s.trim().is_empty() => None,
            _ => {
                let help = match &node.kind {
                    NodeKind::Str(s)
                        if matches!(s.trim().to_lowercase().as_str(), "yes" | "y" | "on") =>
                    {
                        Some("write `true` (without quotes)".to_string())
                    }
                    NodeKind::Str(s)
                        if matches!(s.trim().to_lowercase().as_str(), "no" | "n" | "off") =>
                    {
                        Some("write `false` (without quotes)".to_string())
                    }
                    _ => Some("write `true` or `false`".to_string()),
                };
                self.error_at(
                    Code::DossierBadBool,
                    &node.span,
                    format!("`{key}` must be true or false; found {}", found()),
                    help,
                );
                None
            }
        }
    }

    /// One of `words`, exactly.
    fn choice(&mut self, words: &'static [&'static str], key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        match &node.kind {
            NodeKind::Str(s) => {
                let t = s.trim();
                if t.is_empty() {
                    return None;
                }
                // The contract's words exactly, as the framework loader
                // reads them: `Business` is a near miss, not `business`.
                match words.iter().find(|w| **w == s.as_str()) {
                    Some(w) => Some(Value::Choice(w)),
                    None => {
                        let help = suggest(t, words.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"))
                            .or_else(|| {
                                Some(format!(
                                    "write one of the words exactly ({}); say more in the dossier's story",
                                    words
                                        .iter()
                                        .map(|w| format!("`{w}`"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ))
                            });
                        self.error_at(
                            Code::DossierBadChoice,
                            &node.span,
                            format!(
                                "`{key}` must be one of {}; found {}",
                                words.join(", "),
                                found()
                            ),
                            help,
                        );
                        None
                    }
                }
            }
            _ => {
                self.error_at(
                    Code::DossierBadChoice,
                    &node.span,
                    format!(
                        "`{key}` must be one of {}; found {}",
                        words.join(", "),
                        found()
                    ),
                    None,
                );
                None
            }
        }
    }

    /// A list of text items (one item alone counts as a list).
    fn text_list(&mut self, key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        match &node.kind {
            NodeKind::Str(s) => nonblank(s).map(|s| Value::List(vec![s])),
            NodeKind::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.kind {
                        NodeKind::Str(s) => out.extend(nonblank(s)),
                        NodeKind::Number(_) | NodeKind::Bool(_) | NodeKind::Datetime(_) => {
                            out.extend(scalar_text(self.text, item))
                        }
                        NodeKind::Null => {}
                        other => self.error_at(
                            Code::DossierBadList,
                            &item.span,
                            format!(
                                "each item of `{key}` must be text; found {}",
                                other.describe()
                            ),
                            None,
                        ),
                    }
                }
                if out.is_empty() {
                    None
                } else {
                    Some(Value::List(out))
                }
            }
            _ => {
                self.error_at(
                    Code::DossierBadList,
                    &node.span,
                    format!("`{key}` must be a list of text items; found {}", found()),
                    Some("write `[first, second]` or one `- item` per line".into()),
                );
                None
            }
        }
    }

    /// A list of known gaps.
    fn gaps(&mut self, key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        match &node.kind {
            NodeKind::Seq(items) => {
                let mut gaps = Vec::new();
                for item in items {
                    match &item.kind {
                        NodeKind::Str(s) => gaps.extend(nonblank(s).map(|g| Gap { gap: Some(g), addressed: None })),
                        NodeKind::Map(entries) => {
                            let mut gap = Gap { gap: None, addressed: None };
                            for (k, v) in entries {
                                let sub = format!("{key}.{}", k.name);
                                match k.name.as_str() {
                                    "gap" => gap.gap = self.value(Kind::Text, &sub, v).and_then(text_of),
                                    "addressed" => gap.addressed = self.value(Kind::Bool, &sub, v).and_then(bool_of),
                                    _ => self.unknown_entry_key(k, key, schema::GAP_KEYS),
                                }
                            }
                            gaps.push(gap);
                        }
                        NodeKind::Null => {}
                        other => self.error_at(Code::DossierBadList, &item.span, format!("each entry of `{key}` must be `{{gap: …, addressed: true}}`; found {}", other.describe()), None),
                    }
                }
                Some(Value::Gaps(gaps))
            }
            _ => {
                self.error_at(
                    Code::DossierBadList,
                    &node.span,
                    format!(
                        "`{key}` must be a list of entries (`- name: …` lines); found {}",
                        found()
                    ),
                    None,
                );
                None
            }
        }
    }

    /// A list of business KPIs.
    fn kpis(&mut self, key: &str, node: &Node) -> Option<Value> {
        let found = || node.kind.describe();
        match &node.kind {
            NodeKind::Seq(items) => {
                let mut kpis = Vec::new();
                for item in items {
                    match &item.kind {
                        NodeKind::Map(entries) => kpis.push(self.kpi(entries, key)),
                        NodeKind::Null => {}
                        other => self.error_at(Code::DossierBadList, &item.span, format!("each entry of `{key}` must be a KPI with `name`, `baseline`, `target`…; found {}", other.describe()), None),
                    }
                }
                if kpis.is_empty() {
                    None
                } else {
                    Some(Value::Kpis(kpis))
                }
            }
            _ => {
                self.error_at(
                    Code::DossierBadList,
                    &node.span,
                    format!(
                        "`{key}` must be a list of entries (`- name: …` lines); found {}",
                        found()
                    ),
                    None,
                );
                None
            }
        }
    }

    fn kpi(&mut self, entries: &[(Key, Node)], key: &str) -> Kpi {
        let mut kpi = Kpi {
            name: None,
            unit: None,
            baseline: None,
            target: None,
            direction: None,
            actual: None,
            owner: None,
        };
        for (k, v) in entries {
            let sub = format!("{key}.{}", k.name);
            match k.name.as_str() {
                "name" => kpi.name = self.value(Kind::Text, &sub, v).and_then(text_of),
                "unit" => kpi.unit = self.value(Kind::Text, &sub, v).and_then(text_of),
                "owner" => kpi.owner = self.value(Kind::Text, &sub, v).and_then(text_of),
                "baseline" => kpi.baseline = self.value(Kind::Number, &sub, v).and_then(number_of),
                "target" => kpi.target = self.value(Kind::Number, &sub, v).and_then(number_of),
                "actual" => kpi.actual = self.value(Kind::Number, &sub, v).and_then(number_of),
                "direction" => {
                    kpi.direction = match self.value(Kind::Choice(schema::DIRECTIONS), &sub, v) {
                        Some(Value::Choice("lower")) => Some(Direction::Lower),
                        Some(Value::Choice(_)) => Some(Direction::Higher),
                        _ => None,
                    }
                }
                _ => self.unknown_entry_key(k, key, schema::KPI_KEYS),
            }
        }
        kpi
    }

    fn unknown_entry_key(&mut self, k: &Key, list: &str, keys: &[(&'static str, Kind)]) {
        if let Some(s) = suggest(&k.name, keys.iter().map(|(name, _)| *name)) {
            self.push(
                Diagnostic::warning(
                    Code::DossierUnknownKey,
                    self.source,
                    format!(
                        "`{}` is not a known key of an entry of `{list}`, so it is ignored",
                        k.name
                    ),
                )
                .at(self.loc(&k.span))
                .with_help(format!("did you mean `{s}`?")),
            );
        }
    }
}

fn nonblank(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// A scalar as the user wrote it (`30` stays `30`, not `30.0`).
fn scalar_text(text: &str, node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Str(s) | NodeKind::Datetime(s) => nonblank(s),
        NodeKind::Number(_) | NodeKind::Bool(_) => {
            let raw = text
                .get(node.span.clone())
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            if raw.is_empty() {
                match &node.kind {
                    NodeKind::Number(n) => Some(tree::format_number(*n)),
                    NodeKind::Bool(b) => Some(b.to_string()),
                    _ => None,
                }
            } else {
                Some(raw.to_string())
            }
        }
        _ => None,
    }
}

fn text_of(v: Value) -> Option<String> {
    match v {
        Value::Text(s) => Some(s),
        _ => None,
    }
}

fn bool_of(v: Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(b),
        _ => None,
    }
}

fn number_of(v: Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(n),
        _ => None,
    }
}

/// For text shaped `YYYY-MM-DD` that is no calendar date: why not, and
/// the nearest day that exists (`2026-02-30`: February 2026 has 28 days;
/// `2026-02-28`). `None` when the shape is not a date's at all.
fn no_such_day(s: &str) -> Option<(String, jiff::civil::Date)> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let y: i16 = s[0..4].parse().ok()?;
    let m: i8 = s[5..7].parse().ok()?;
    let d: i8 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&m) {
        let nearest = jiff::civil::Date::new(y, m.clamp(1, 12), d.clamp(1, 28)).ok()?;
        return Some((format!("a year has 12 months, not {m}"), nearest));
    }
    let first = jiff::civil::Date::new(y, m, 1).ok()?;
    let days = first.days_in_month();
    let nearest = jiff::civil::Date::new(y, m, d.clamp(1, days)).ok()?;
    let month = first.strftime("%B %Y");
    Some((format!("{month} has {days} days"), nearest))
}

/// The first number in `s` ("about 80" gives 80).
fn first_number(s: &str) -> Option<f64> {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|w| !w.is_empty() && w.chars().any(|c| c.is_ascii_digit()))
        .and_then(|w| w.parse().ok())
}

/// "3 days" as (3, "days"): a number, then a unit of letters.
fn split_unit(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|i| *i > 0)?;
    let n: f64 = s[..end].parse().ok()?;
    let unit = s[end..].trim();
    (!unit.is_empty()
        && unit
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '/'))
    .then_some((n, unit))
}

/// `YYYY-MM-DD` and nothing else, as a real calendar date.
pub fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let y: i16 = s[0..4].parse().ok()?;
    let m: i8 = s[5..7].parse().ok()?;
    let d: i8 = s[8..10].parse().ok()?;
    jiff::civil::Date::new(y, m, d).ok()
}

/// The id of a dossier from its path relative to the content folder:
/// `Finance/AP Bot.md` gives `finance/ap-bot`.
pub fn id_from_path(rel_path: &str) -> String {
    // `.md` in any case, as discovery accepts it (`x.Md` is `x`).
    let without_ext = match rel_path.len().checked_sub(3) {
        Some(cut)
            if rel_path.is_char_boundary(cut) && rel_path[cut..].eq_ignore_ascii_case(".md") =>
        {
            &rel_path[..cut]
        }
        _ => rel_path,
    };
    let parts: Vec<String> = without_ext
        .split('/')
        .map(|p| {
            let s = slug::slugify(p);
            if s.is_empty() { "pilot".to_string() } else { s }
        })
        .collect();
    parts.join("/")
}

/// A misspelled key's help and the field path it likely meant.
type Suggestion = (String, String);

/// [`suggestion_for`], remembered per thread: teams repeat their own keys
/// (`cost_centre`, `sponsor_email`) in every dossier, and comparing each
/// with every known key was a tenth of reading a portfolio. At most
/// [`REMEMBERED`] keys are kept, so a file of endless made-up keys cannot
/// grow it without bound.
fn remembered_suggestion(name: &str, section: &str) -> Option<Suggestion> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    const REMEMBERED: usize = 1024;
    thread_local! {
        static SEEN: RefCell<HashMap<(String, String), Option<Suggestion>>> = RefCell::new(HashMap::new());
    }
    let key = (section.to_string(), name.to_string());
    if let Some(known) = SEEN.with(|seen| seen.borrow().get(&key).cloned()) {
        return known;
    }
    let found = suggestion_for(name, section);
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() < REMEMBERED {
            seen.insert(key, found.clone());
        }
    });
    found
}

/// The help for a key that `section` does not know: the likely key it
/// misspells, here or in another section.
fn suggestion_for(key_name: &str, section: &str) -> Option<Suggestion> {
    let here = schema::keys_in(section);
    let shown = |k: &str| {
        if section.is_empty() {
            k.to_string()
        } else {
            format!("{section}.{k}")
        }
    };
    if let Some(s) = suggest(key_name, here.iter().copied()) {
        Some((format!("did you mean `{}`?", shown(s)), shown(s)))
    } else {
        // The right key in the wrong section, usually an indentation slip.
        let lowercase = key_name.to_lowercase();
        let elsewhere = schema::FIELDS
            .iter()
            .filter(|f| f.section() != section && f.key() == lowercase)
            .map(|f| f.path)
            .next()
            .or_else(|| {
                let leafs = schema::FIELDS
                    .iter()
                    .filter(|f| f.section() != section)
                    .map(FieldSpec::key);
                suggest(key_name, leafs)
                    .and_then(|leaf| {
                        schema::FIELDS
                            .iter()
                            .find(|f| f.key() == leaf)
                            .map(|f| f.path)
                    })
                    .filter(|_| key_name.len() >= 6)
            });
        elsewhere.map(|p| {
            (
                format!(
                    "did you mean `{p}`? (it belongs under `{}:`)",
                    p.rsplit_once('.').map_or("the top level", |x| x.0)
                ),
                p.to_string(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(src: &str) -> Reading {
        load_text(src.as_bytes(), "content/a.md", "a.md", "a")
    }

    fn first_error(src: &str) -> String {
        let l = read(src);
        assert!(l.dossier.is_none(), "expected an error for {src:?}");
        l.diagnostics
            .iter()
            .find(|d| d.is_error())
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_wrong_stage_names_the_choices_and_the_place() {
        let e = first_error("---\ntitle: A\nstage: pilto\n---\n");
        assert_eq!(
            e,
            "content/a.md:3:8: `stage` must be one of proposed, pilot, scaling, production, paused, abandoned; found \"pilto\" (help: did you mean `pilot`?)"
        );
    }

    #[test]
    fn a_listed_value_in_other_letters_is_a_near_miss_with_the_exact_word() {
        let e = first_error("---\ntitle: A\nstage: pilot\nframing:\n  led_by: Business\n---\n");
        assert_eq!(
            e,
            "content/a.md:5:11: `framing.led_by` must be one of business, it, vendor; found \"Business\" (help: did you mean `business`?)"
        );
        for (key, written, word) in [
            (
                "  success_defined_as",
                "Business outcome",
                "business_outcome",
            ),
            ("  led_by", "IT", "it"),
            ("  source", "production-sample", "production_sample"),
        ] {
            let section = if word == "production_sample" {
                "data"
            } else {
                "framing"
            };
            let e = first_error(&format!(
                "---\ntitle: A\nstage: pilot\n{section}:\n{key}: {written}\n---\n"
            ));
            assert!(e.contains(&format!("did you mean `{word}`?")), "{e}");
        }
        assert!(
            first_error("---\ntitle: A\nstage: Pilot\n---\n").contains("did you mean `pilot`?")
        );
    }

    #[test]
    fn shares_accept_fractions_and_percentages() {
        let l = read(
            "---\ntitle: A\nstage: pilot\nstarted: 2026-01-01\ndata:\n  completeness: 0.93\n  consistency: \"88%\"\n---\n",
        );
        let d = l.dossier.unwrap();
        assert_eq!(
            d.number(schema::field_index("data.completeness").unwrap()),
            Some(0.93)
        );
        assert_eq!(
            d.number(schema::field_index("data.consistency").unwrap()),
            Some(0.88)
        );
    }

    #[test]
    fn a_share_above_one_is_an_error_with_a_fix() {
        let e = first_error("---\ntitle: A\nstage: pilot\ndata:\n  completeness: 93\n---\n");
        assert!(
            e.starts_with("content/a.md:5:17: `data.completeness` must be a share"),
            "{e}"
        );
        assert!(e.contains("\"93%\""), "{e}");
        assert!(
            first_error("---\ntitle: A\nstage: pilot\ndata:\n  completeness: \"120%\"\n---\n")
                .contains("between 0 and 1")
        );
    }

    #[test]
    fn a_misspelled_section_is_a_warning_with_a_suggestion() {
        let l = read("---\ntitle: A\nstage: proposed\ngoverance:\n  owner: B\n---\n");
        assert!(l.dossier.is_some());
        assert_eq!(
            l.diagnostics[0].to_string(),
            "content/a.md:4:1: `goverance` is not a known key at the top level, so it is ignored (help: did you mean `governance`?)"
        );
    }

    #[test]
    fn a_key_in_the_wrong_section_is_pointed_out() {
        let l = read("---\ntitle: A\nstage: proposed\nproduction_owner: Dana\n---\n");
        assert!(
            l.diagnostics[0]
                .help
                .as_deref()
                .unwrap()
                .contains("framing.production_owner")
        );
    }

    #[test]
    fn unknown_keys_far_from_known_ones_are_kept_quietly() {
        let l = read("---\ntitle: A\nstage: proposed\ncost_centre: 4411\n---\n");
        assert!(l.diagnostics.is_empty());
        assert_eq!(
            l.dossier.unwrap().extra,
            vec![("cost_centre".to_string(), "4411".to_string())]
        );
    }

    #[test]
    fn a_list_where_text_belongs_is_an_error() {
        let e = first_error("---\ntitle: A\nstage: pilot\ngovernance:\n  owner: [a, b]\n---\n");
        assert!(
            e.contains("`governance.owner` must be text; found a list"),
            "{e}"
        );
    }

    #[test]
    fn dates_must_be_real_calendar_dates() {
        assert!(
            first_error("---\ntitle: A\nstage: pilot\nstarted: 2026-02-30\n---\n")
                .contains("YYYY-MM-DD")
        );
        assert!(
            first_error("---\ntitle: A\nstage: pilot\nstarted: 02/02/2026\n---\n")
                .contains("YYYY-MM-DD")
        );
    }

    #[test]
    fn title_and_stage_are_required() {
        assert!(first_error("---\nstage: pilot\n---\n").contains("needs a `title`"));
        assert!(first_error("---\ntitle: A\n---\n").contains("needs a `stage`"));
    }

    #[test]
    fn a_bom_and_crlf_are_fine() {
        let l = read("\u{feff}---\r\ntitle: A\r\nstage: proposed\r\n---\r\nStory\r\n");
        assert_eq!(l.dossier.unwrap().title, "A");
    }

    #[test]
    fn toml_and_json_dossiers_read_the_same_answers() {
        let t = read(
            "+++\ntitle = \"A\"\nstage = \"pilot\"\nstarted = 2026-01-05\n[data]\ncompleteness = 0.5\n+++\nBody",
        );
        let j = read(
            "{\n\"title\": \"A\", \"stage\": \"pilot\", \"started\": \"2026-01-05\", \"data\": {\"completeness\": 0.5}\n}\nBody",
        );
        let values = |l: Reading| {
            l.dossier
                .unwrap()
                .answers
                .into_iter()
                .map(|a| a.map(|a| a.value))
                .collect::<Vec<_>>()
        };
        assert_eq!(values(t), values(j));
    }

    #[test]
    fn toml_errors_point_into_the_file() {
        let e = first_error("+++\ntitle = \"A\"\nstage = \n+++\n");
        assert!(e.starts_with("content/a.md:3:"), "{e}");
    }

    #[test]
    fn invalid_utf8_is_located() {
        let l = load_text(b"---\ntitle: \xff\n---\n", "content/a.md", "a.md", "a");
        let d = &l.diagnostics[0];
        assert_eq!((d.line(), d.column()), (Some(2), Some(8)));
    }

    #[test]
    fn ids_come_from_paths() {
        assert_eq!(id_from_path("Finance/AP Bot.md"), "finance/ap-bot");
        assert_eq!(id_from_path("invoice-matching.md"), "invoice-matching");
        for name in ["x.md", "x.Md", "x.mD", "x.MD"] {
            assert_eq!(id_from_path(name), "x", "{name}");
        }
    }
}
