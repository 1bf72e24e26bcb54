//! Changing one answer in a dossier's bytes, and nothing else.
//!
//! The dev server's editor (`serve`) turns a form field into an [`Op`] on a
//! key path (`framing.production_owner`, `metrics.business.1.target`);
//! [`apply`] finds the value's bytes through the spans the reader's
//! [`tree`](super::tree) keeps for YAML, TOML and JSON alike, and splices
//! the new value's text in. Every byte outside that one region stays as it
//! was: comments, key order, quoting, blank lines, CRLF, a byte order mark,
//! the story. A key that is absent is added where a person would put it:
//! after the answer that comes before it in the format's order, in its
//! section (created if needed), with the file's own indentation and line
//! ends. The value is written in the language's own syntax, in the quoting
//! style the old value had where it still fits.
//!
//! The reader is the judge: the new bytes are read again with
//! [`load_text`](super::read::load_text), and an edit that brings an error
//! (a share written "about 80", a date "next month") is refused with the
//! reader's own message, as is one that would change any other answer.
//! Nothing here touches the file system; `serve` reads and writes.

use std::ops::Range;

use super::Answer;
use super::read::load_text;
use super::schema::{self, FIELDS, Kind};
use super::split::{self, Format};
use super::tree::{self, Key, Node, NodeKind};

/// What the person typed: text (every scalar kind is typed as text and
/// judged by the reader), a checkbox, a list of lines, or an entry of
/// `data.known_gaps` or `metrics.business` as key and text.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Text(String),
    Bool(bool),
    List(Vec<String>),
    Entry(Vec<(String, Input)>),
}

/// One change to a dossier.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Answers the question at `path`; a blank text leaves it unanswered.
    Set { path: String, value: Input },
    /// Adds an entry at the end of the list at `path`.
    Add { path: String, entry: Input },
    /// Removes entry `path` (`metrics.business.1`).
    Remove { path: String },
}

impl Op {
    pub fn path(&self) -> &str {
        match self {
            Op::Set { path, .. } | Op::Add { path, .. } | Op::Remove { path } => path,
        }
    }
}

/// The file after an edit.
#[derive(Debug, Clone, PartialEq)]
pub struct Edited {
    pub bytes: Vec<u8>,
    /// The bytes of the old file that were replaced (empty for an
    /// insertion); everything before and after is unchanged.
    pub replaced: Range<usize>,
    /// The text put in their place.
    pub text: String,
}

/// Why an edit was refused: said next to the field named `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub path: String,
    pub message: String,
    pub help: Option<String>,
}

fn refuse(path: &str, message: impl Into<String>) -> Refused {
    Refused {
        path: path.to_string(),
        message: message.into(),
        help: None,
    }
}

/// The field an edit path names, and what follows it: an entry index and
/// a key within the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub field: usize,
    pub index: Option<usize>,
    pub key: Option<String>,
}

/// Reads an edit path: a field of the format, optionally followed by an
/// entry index and one of the entry's keys (`metrics.business.0.target`).
pub fn target(path: &str) -> Option<Target> {
    let field = FIELDS
        .iter()
        .enumerate()
        .filter(|(_, f)| path == f.path || path.starts_with(&format!("{}.", f.path)))
        .max_by_key(|(_, f)| f.path.len())?
        .0;
    let rest = path[FIELDS[field].path.len()..].trim_start_matches('.');
    if rest.is_empty() {
        return Some(Target {
            field,
            index: None,
            key: None,
        });
    }
    let entry_keys = entry_keys(FIELDS[field].kind)?;
    let mut parts = rest.splitn(2, '.');
    let index = parts.next()?.parse::<usize>().ok()?;
    let key = match parts.next() {
        Some(k) if entry_keys.iter().any(|(name, _)| *name == k) => Some(k.to_string()),
        Some(_) => return None,
        None => None,
    };
    Some(Target {
        field,
        index: Some(index),
        key,
    })
}

/// The keys of one entry of a list of records, or `None` for other kinds.
pub fn entry_keys(kind: Kind) -> Option<&'static [(&'static str, Kind)]> {
    match kind {
        Kind::Gaps => Some(schema::GAP_KEYS),
        Kind::Kpis => Some(schema::KPI_KEYS),
        _ => None,
    }
}

/// Applies `op` to the dossier file `bytes`, or says why not. The reader
/// reads the result before it is returned.
pub fn apply(bytes: &[u8], op: &Op) -> Result<Edited, Refused> {
    let path = op.path();
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let text = std::str::from_utf8(&bytes[bom..]).map_err(|_| {
        refuse(
            path,
            "the file is not valid UTF-8; fix it in an editor first",
        )
    })?;
    let parts = split::split(text).map_err(|e| refuse(path, e.message))?;
    let root = tree::parse(text, parts.matter.clone(), parts.format).map_err(|e| {
        refuse(
            path,
            format!("the front matter cannot be read: {}", e.message),
        )
    })?;
    let t = target(path)
        .ok_or_else(|| refuse(path, format!("`{path}` is not a question of the format")))?;
    let doc = Doc {
        text,
        format: parts.format,
        matter: parts.matter.clone(),
        nl: if text[parts.matter.clone()].contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        },
        unit: indent_unit(text, &root),
    };
    let (range, new) = doc.plan(&root, &t, op)?;
    let mut out = Vec::with_capacity(bytes.len() + new.len());
    out.extend_from_slice(&bytes[..bom + range.start]);
    out.extend_from_slice(new.as_bytes());
    out.extend_from_slice(&bytes[bom + range.end..]);
    judge(bytes, &out, &t, op)?;
    Ok(Edited {
        bytes: out,
        replaced: bom + range.start..bom + range.end,
        text: new,
    })
}

/// The reader's verdict on an edit: no new error, and no answer changed
/// but the edited one.
fn judge(old: &[u8], new: &[u8], t: &Target, op: &Op) -> Result<(), Refused> {
    let path = op.path();
    let before = load_text(old, "dossier", "dossier.md", "dossier");
    let after = load_text(new, "dossier", "dossier.md", "dossier");
    let known: Vec<(String, String)> = before
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.as_str().to_string(), d.message.clone()))
        .collect();
    if let Some(d) = after.diagnostics.iter().find(|d| {
        d.is_error() && !known.contains(&(d.code.as_str().to_string(), d.message.clone()))
    }) {
        return Err(Refused {
            path: path.to_string(),
            // The reader names the key as `metrics.business` or `target`;
            // the message is shown next to the field, so it needs no place.
            message: d.message.clone(),
            help: d.help.clone(),
        });
    }
    let Some(new_dossier) = after.dossier else {
        // The file had errors before, elsewhere, and still has them.
        return Ok(());
    };
    if let Some(old_dossier) = before.dossier {
        for (i, (a, b)) in old_dossier
            .answers
            .iter()
            .zip(&new_dossier.answers)
            .enumerate()
        {
            if i != t.field && values(a) != values(b) {
                return Err(refuse(
                    path,
                    format!(
                        "saving this would also change `{}`; edit the file by hand",
                        FIELDS[i].path
                    ),
                ));
            }
        }
        if old_dossier.body != new_dossier.body {
            return Err(refuse(
                path,
                "saving this would change the story; edit the file by hand",
            ));
        }
    }
    if let Op::Set {
        value: Input::Text(s),
        ..
    } = op
        && t.index.is_none()
        && !s.trim().is_empty()
        && new_dossier.answers[t.field].is_none()
    {
        return Err(refuse(
            path,
            "the answer was not read back; edit the file by hand",
        ));
    }
    Ok(())
}

fn values(a: &Option<Answer>) -> Option<&super::Value> {
    a.as_ref().map(|a| &a.value)
}

/// The smallest indentation step of nested block mappings, or 2.
fn indent_unit(text: &str, root: &Node) -> usize {
    fn walk(text: &str, node: &Node, parent_col: Option<usize>) -> Option<usize> {
        if let NodeKind::Map(entries) = &node.kind {
            let first = entries.first()?;
            let col = column(text, first.0.span.start);
            if let Some(p) = parent_col
                && col > p
                && on_own_line(text, first.0.span.start)
            {
                return Some(col - p);
            }
            for (k, v) in entries {
                if let Some(u) = walk(text, v, Some(column(text, k.span.start))) {
                    return Some(u);
                }
            }
        }
        None
    }
    walk(text, root, None)
        .filter(|u| (1..=8).contains(u))
        .unwrap_or(2)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset just after the line ending of the line holding `at`.
fn next_line(text: &str, at: usize) -> usize {
    text[at.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| at + i + 1)
}

/// Where the line holding `at` ends, before its line ending.
fn line_end(text: &str, at: usize) -> usize {
    let end = text[at.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| at + i);
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

fn column(text: &str, at: usize) -> usize {
    at - line_start(text, at)
}

fn on_own_line(text: &str, at: usize) -> bool {
    text[line_start(text, at)..at].trim().is_empty() || text[line_start(text, at)..at].trim() == "-"
}

struct Doc<'a> {
    text: &'a str,
    format: Format,
    matter: Range<usize>,
    nl: &'static str,
    unit: usize,
}

/// How a collection is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// YAML's indented lines.
    Block,
    /// `[a, b]`, `{a: 1}`, inline tables and arrays, JSON.
    Flow,
    /// TOML `[table]` or `[[array]]` headers.
    Header,
    /// TOML dotted keys (`framing.owner = …`).
    Dotted,
    /// A TOML table with no header or keys of its own.
    Implicit,
}

impl Doc<'_> {
    fn style(&self, node: &Node) -> Style {
        let at = &self.text[node.span.start.min(self.text.len())..];
        match (self.format, &node.kind) {
            (Format::Json, _) => Style::Flow,
            // The whole front matter of TOML is its root table.
            (Format::Toml, NodeKind::Map(_)) if node.span == self.matter => Style::Header,
            (Format::Toml, NodeKind::Map(_)) if at.starts_with('[') => Style::Header,
            // A table named only as part of another's header
            // (`metrics` of `[metrics.technical]`).
            (Format::Toml, NodeKind::Map(_))
                if self.text[line_start(self.text, node.span.start)..]
                    .trim_start()
                    .starts_with('[') =>
            {
                Style::Implicit
            }
            (Format::Toml, NodeKind::Map(_)) if !at.starts_with('{') => Style::Dotted,
            (Format::Toml, NodeKind::Seq(items))
                if items
                    .first()
                    .is_some_and(|i| self.text[i.span.start..].starts_with("[[")) =>
            {
                Style::Header
            }
            (Format::Yaml, _) if !(at.starts_with('[') || at.starts_with('{')) => Style::Block,
            _ => Style::Flow,
        }
    }

    /// Where a value's own bytes end: a block or table-header collection
    /// ends with its last member (its span runs on over what follows).
    fn end(&self, node: &Node) -> usize {
        match (&node.kind, self.style(node)) {
            (
                NodeKind::Map(entries),
                Style::Block | Style::Header | Style::Dotted | Style::Implicit,
            ) => {
                // A TOML table's entries include sub-tables written under
                // their own headers; the table's own lines end before them.
                let own = entries
                    .iter()
                    .filter(|(_, v)| self.format != Format::Toml || !self.is_table(v))
                    .map(|(k, v)| self.end(v).max(k.span.end))
                    .max();
                own.unwrap_or_else(|| line_end(self.text, node.span.start))
            }
            (NodeKind::Seq(items), Style::Block | Style::Header) => {
                items.last().map_or(node.span.end, |i| self.end(i))
            }
            (NodeKind::Seq(items), _) if self.format == Format::Yaml => {
                let from = items.last().map_or(node.span.start + 1, |i| self.end(i));
                self.text[from..]
                    .find(']')
                    .map_or(node.span.end, |i| from + i + 1)
            }
            (NodeKind::Map(entries), _) if self.format == Format::Yaml => {
                let from = entries
                    .last()
                    .map_or(node.span.start + 1, |(k, v)| self.end(v).max(k.span.end));
                self.text[from..]
                    .find('}')
                    .map_or(node.span.end, |i| from + i + 1)
            }
            (NodeKind::Seq(_) | NodeKind::Map(_), _) => node.span.end,
            _ if self.format == Format::Yaml => yaml_scalar_end(self.text, &node.span),
            _ => node.span.end,
        }
    }

    /// A TOML table or array of tables under its own header.
    fn is_table(&self, node: &Node) -> bool {
        matches!(
            self.style(node),
            Style::Header | Style::Dotted | Style::Implicit
        ) && matches!(node.kind, NodeKind::Map(_) | NodeKind::Seq(_))
    }

    /// The region to replace and the text to put there.
    fn plan(&self, root: &Node, t: &Target, op: &Op) -> Result<(Range<usize>, String), Refused> {
        let path = op.path();
        let spec = &FIELDS[t.field];
        let sections: Vec<&str> = if spec.section().is_empty() {
            Vec::new()
        } else {
            spec.section().split('.').collect()
        };
        // Walk down to the deepest existing map on the way to the field.
        let mut map = root;
        let mut depth = 0;
        let mut names: Vec<&str> = sections.clone();
        names.push(spec.key());
        let mut parent_names: Vec<&str> = Vec::new();
        let mut found: Option<(&Key, &Node)> = None;
        while depth < names.len() {
            let NodeKind::Map(entries) = &map.kind else {
                break;
            };
            match entries.iter().find(|(k, _)| k.name == names[depth]) {
                Some((k, v)) if depth + 1 == names.len() => {
                    found = Some((k, v));
                    depth += 1;
                }
                Some((_, v)) => {
                    if !matches!(v.kind, NodeKind::Map(_) | NodeKind::Null) {
                        return Err(refuse(
                            path,
                            format!(
                                "`{}` is not a section of answers in this file; fix it by hand first",
                                names[..=depth].join(".")
                            ),
                        ));
                    }
                    if matches!(v.kind, NodeKind::Null) {
                        // `framing:` with nothing under it.
                        let missing: Vec<&str> = names[depth + 1..].to_vec();
                        let value = self.value_for(spec.kind, t, op, None)?;
                        return self.fill_null(
                            &entries
                                .iter()
                                .find(|(k, _)| k.name == names[depth])
                                .expect("found")
                                .0,
                            v,
                            &missing,
                            value,
                        );
                    }
                    parent_names.push(names[depth]);
                    map = v;
                    depth += 1;
                }
                None => break,
            }
        }
        match found {
            None => {
                // The key (and maybe its sections) is absent.
                if t.index.is_some() {
                    return Err(refuse(path, "there is no such entry; reload the page"));
                }
                let value = match op {
                    Op::Set { .. } => self.value_for(spec.kind, t, op, None)?,
                    Op::Add { entry, .. } => {
                        self.whole_list(spec.kind, std::slice::from_ref(entry))?
                    }
                    Op::Remove { .. } => {
                        return Err(refuse(path, "there is no such entry; reload the page"));
                    }
                };
                if value.is_none() {
                    // Clearing an answer that is not there: nothing to do.
                    return Ok((0..0, String::new()));
                }
                let missing: Vec<&str> = names[depth..].to_vec();
                self.insert(
                    map,
                    &parent_names.join("."),
                    &missing,
                    value.unwrap_or_default(),
                )
            }
            Some((key, node)) => match (t.index, op) {
                (None, Op::Set { .. }) => {
                    let value = self.value_for(spec.kind, t, op, Some(node))?;
                    self.replace(key, node, value)
                }
                (None, Op::Add { entry, .. }) => self.append(key, node, spec.kind, entry),
                (Some(i), _) => {
                    let NodeKind::Seq(items) = &node.kind else {
                        return Err(refuse(path, "there is no such entry; reload the page"));
                    };
                    let Some(item) = items.get(i) else {
                        return Err(refuse(path, "there is no such entry; reload the page"));
                    };
                    match (op, &t.key) {
                        (Op::Remove { .. }, None) => self.remove(key, node, i),
                        (Op::Set { value, .. }, Some(k)) => {
                            let kind = entry_keys(spec.kind)
                                .and_then(|ks| ks.iter().find(|(n, _)| n == k))
                                .map(|(_, kind)| *kind)
                                .unwrap_or(Kind::Text);
                            self.set_in_entry(item, spec.kind, k, kind, value, path)
                        }
                        _ => Err(refuse(path, "this change is not possible here")),
                    }
                }
                (None, Op::Remove { .. }) => Err(refuse(path, "name the entry to remove")),
            },
        }
    }

    /// A key in one entry of a list of records.
    fn set_in_entry(
        &self,
        item: &Node,
        list_kind: Kind,
        key: &str,
        kind: Kind,
        value: &Input,
        path: &str,
    ) -> Result<(Range<usize>, String), Refused> {
        let NodeKind::Map(entries) = &item.kind else {
            return Err(refuse(
                path,
                "this entry is written as plain text; edit the file by hand",
            ));
        };
        let existing = entries.iter().find(|(k, _)| k.name == key);
        let flow = self.style(item) == Style::Flow;
        let value = self.scalar(kind, value, existing.map(|(_, v)| v), path, flow)?;
        match existing {
            Some((k, v)) => self.replace(k, v, value.map(Rendered::Inline)),
            None => match value {
                None => Ok((0..0, String::new())),
                Some(v) => {
                    let order: Vec<&str> = entry_keys(list_kind)
                        .unwrap_or(&[])
                        .iter()
                        .map(|(n, _)| *n)
                        .collect();
                    self.insert_in_map(item, "", &order, &[key], Rendered::Inline(v))
                }
            },
        }
    }

    // ------------------------------------------------------------ values

    /// The text of a new answer for `kind`, `None` for "unanswered".
    fn value_for(
        &self,
        kind: Kind,
        t: &Target,
        op: &Op,
        old: Option<&Node>,
    ) -> Result<Option<Rendered>, Refused> {
        let path = op.path();
        let Op::Set { value, .. } = op else {
            return Err(refuse(path, "this change is not possible here"));
        };
        let _ = t;
        match kind {
            Kind::TextList => match value {
                Input::List(items) => {
                    let items: Vec<&str> = items
                        .iter()
                        .map(|s| s.trim())
                        .filter(|s| !s.is_empty())
                        .collect();
                    Ok(Some(self.text_list(&items, old)))
                }
                Input::Text(s) if s.trim().is_empty() => Ok(Some(self.text_list(&[], old))),
                _ => Err(refuse(path, "a list of lines is expected here")),
            },
            Kind::Gaps | Kind::Kpis => Err(refuse(path, "edit one entry at a time")),
            _ => self
                .scalar(kind, value, old, path, false)
                .map(|v| v.map(Rendered::Inline)),
        }
    }

    /// A scalar answer in the file's language, kept in the old value's
    /// quoting where it fits. Whatever is typed is written; the reader
    /// then says whether it is an answer. `flow`: the value stands inside
    /// `{…}` or `[…]`, where a comma or a bracket would end a plain one.
    fn scalar(
        &self,
        kind: Kind,
        value: &Input,
        old: Option<&Node>,
        path: &str,
        flow: bool,
    ) -> Result<Option<String>, Refused> {
        let s = match value {
            Input::Bool(b) => return Ok(Some(b.to_string())),
            Input::Text(s) => s.trim(),
            _ => return Err(refuse(path, "one answer is expected here")),
        };
        if s.is_empty() {
            return Ok(None);
        }
        let old_text = old.map(|n| &self.text[n.span.clone()]).unwrap_or("");
        let quote = old_text.chars().next().filter(|c| matches!(c, '"' | '\''));
        let number = s
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && numeric_word(s));
        let bare = match kind {
            Kind::Number => number.map(format_number),
            Kind::Share => match number {
                Some(n) => Some(format_number(n)),
                None if self.format == Format::Yaml && quote.is_none() && percent(s) => {
                    Some(s.to_string())
                }
                None => None,
            },
            Kind::Bool => match s {
                "true" | "yes" => Some("true".into()),
                "false" | "no" => Some("false".into()),
                _ => None,
            },
            Kind::Date if is_date(s) && quote.is_none() && self.format != Format::Json => {
                Some(s.to_string())
            }
            Kind::Choice(words)
                if words.contains(&s) && self.format == Format::Yaml && quote.is_none() =>
            {
                Some(s.to_string())
            }
            Kind::Text | Kind::TextOrNumber
                if self.format == Format::Yaml && quote.is_none() && plain_ok(s, flow) =>
            {
                Some(s.to_string())
            }
            _ => None,
        };
        Ok(Some(bare.unwrap_or_else(|| self.quoted(s, quote))))
    }

    fn quoted(&self, s: &str, old_quote: Option<char>) -> String {
        let literal_ok = !s.contains('\'') && !s.chars().any(char::is_control);
        match (self.format, old_quote) {
            (Format::Yaml | Format::Toml, Some('\'')) if literal_ok => format!("'{s}'"),
            _ => serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()),
        }
    }

    fn text_list(&self, items: &[&str], old: Option<&Node>) -> Rendered {
        let block = old.is_some_and(|n| {
            self.format == Format::Yaml
                && matches!(n.kind, NodeKind::Seq(ref v) if !v.is_empty())
                && self.style(n) == Style::Block
        });
        let item = |s: &str| {
            if self.format == Format::Yaml && plain_ok(s, !block) {
                s.to_string()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        };
        if block && !items.is_empty() {
            Rendered::Block(items.iter().map(|s| format!("- {}", item(s))).collect())
        } else {
            Rendered::Inline(format!(
                "[{}]",
                items.iter().map(|s| item(s)).collect::<Vec<_>>().join(", ")
            ))
        }
    }

    /// One entry of a list of records, in the language's flow syntax.
    fn entry_flow(&self, kind: Kind, entry: &Input) -> Result<String, Refused> {
        let fields = self.entry_fields(kind, entry, true)?;
        let sep = match self.format {
            Format::Toml => " = ",
            _ => ": ",
        };
        let body = fields
            .iter()
            .map(|(k, v)| {
                let k = if self.format == Format::Json {
                    format!("\"{k}\"")
                } else {
                    k.to_string()
                };
                format!("{k}{sep}{v}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        Ok(if self.format == Format::Toml {
            format!("{{ {body} }}")
        } else {
            format!("{{{body}}}")
        })
    }

    /// An entry's answered keys, in the format's order, as value text
    /// (`flow`: for an entry written as `{…}`).
    fn entry_fields(
        &self,
        kind: Kind,
        entry: &Input,
        flow: bool,
    ) -> Result<Vec<(&'static str, String)>, Refused> {
        let keys = entry_keys(kind).unwrap_or(&[]);
        let Input::Entry(given) = entry else {
            return Err(refuse("", "an entry is expected here"));
        };
        let mut out = Vec::new();
        for (name, k) in keys {
            if let Some((_, v)) = given.iter().find(|(n, _)| n == name)
                && let Some(text) = self.scalar(*k, v, None, name, flow)?
            {
                out.push((*name, text));
            }
        }
        if out.is_empty() {
            return Err(refuse("", "give the entry at least one answer"));
        }
        Ok(out)
    }

    /// A whole list of records, for a key that is absent.
    fn whole_list(&self, kind: Kind, entries: &[Input]) -> Result<Option<Rendered>, Refused> {
        if self.format == Format::Yaml {
            let mut lines = Vec::new();
            for e in entries {
                for (i, (k, v)) in self.entry_fields(kind, e, false)?.into_iter().enumerate() {
                    lines.push(format!("{}{k}: {v}", if i == 0 { "- " } else { "  " }));
                }
            }
            return Ok(Some(Rendered::Block(lines)));
        }
        let items = entries
            .iter()
            .map(|e| self.entry_flow(kind, e))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Rendered::Inline(format!("[{}]", items.join(", ")))))
    }

    // ------------------------------------------------------------ splices

    /// Replaces the value `node` of `key`.
    fn replace(
        &self,
        key: &Key,
        node: &Node,
        value: Option<Rendered>,
    ) -> Result<(Range<usize>, String), Refused> {
        let colon = self.after_separator(key);
        // YAML's empty value (`key:`) has an empty span at the key's `:`.
        let end = if node.span.is_empty() {
            colon
        } else {
            self.end(node)
        };
        match (value, self.format) {
            (None, Format::Yaml) => Ok((colon..end, String::new())),
            (None, Format::Json) => Ok((node.span.start..end, "null".into())),
            (None, Format::Toml) => {
                // TOML has no "nothing": the line goes.
                let start = line_start(self.text, key.span.start);
                let stop = next_line(self.text, end);
                if !self.text[start..key.span.start].trim().is_empty()
                    || !self.text[end..line_end(self.text, end)]
                        .trim_start()
                        .is_empty()
                        && !self.text[end..line_end(self.text, end)]
                            .trim_start()
                            .starts_with('#')
                {
                    return Err(refuse(
                        "",
                        "this answer shares its line with others; clear it by hand",
                    ));
                }
                Ok((start..stop, String::new()))
            }
            (Some(Rendered::Inline(v)), _) => {
                if self.format == Format::Yaml
                    && matches!(self.style(node), Style::Block)
                    && matches!(node.kind, NodeKind::Seq(_) | NodeKind::Map(_))
                {
                    // A block list becomes a flow value on the key's line.
                    Ok((colon..end, format!(" {v}")))
                } else if self.format == Format::Yaml && node.span.is_empty() {
                    Ok((colon..end, format!(" {v}")))
                } else {
                    Ok((node.span.start..end, v))
                }
            }
            (Some(Rendered::Block(lines)), _) => {
                if matches!(node.kind, NodeKind::Seq(ref v) if !v.is_empty()) {
                    let col = column(self.text, node.span.start);
                    let joined = lines.join(&format!("{}{}", self.nl, " ".repeat(col)));
                    Ok((node.span.start..end, joined))
                } else {
                    let col = column(self.text, key.span.start) + self.unit;
                    let mut s = String::new();
                    for l in &lines {
                        s.push_str(self.nl);
                        s.push_str(&" ".repeat(col));
                        s.push_str(l);
                    }
                    Ok((colon..end, s))
                }
            }
        }
    }

    /// The offset just after a key's `:` (YAML) — where its value may start.
    fn after_separator(&self, key: &Key) -> usize {
        let rest = &self.text[key.span.end..];
        let skip = rest.find([':', '=']).map_or(0, |i| i + 1);
        key.span.end + skip
    }

    /// Adds `entry` at the end of the list `node` of `key`.
    fn append(
        &self,
        key: &Key,
        node: &Node,
        kind: Kind,
        entry: &Input,
    ) -> Result<(Range<usize>, String), Refused> {
        let items = match &node.kind {
            NodeKind::Seq(items) if !items.is_empty() => items,
            _ => {
                let whole = self.whole_list(kind, std::slice::from_ref(entry))?;
                return self.replace(key, node, whole);
            }
        };
        let last = items.last().expect("not empty");
        match self.style(node) {
            Style::Block => {
                let dash = column(self.text, node.span.start);
                let key_col = match &items[0].kind {
                    NodeKind::Map(e) if !e.is_empty() => column(self.text, e[0].0.span.start),
                    _ => dash + 2,
                };
                let at = next_line(self.text, self.end(last));
                let mut s = String::new();
                for (i, (k, v)) in self
                    .entry_fields(kind, entry, false)?
                    .into_iter()
                    .enumerate()
                {
                    if i == 0 {
                        s.push_str(&format!(
                            "{}-{}{k}: {v}{}",
                            " ".repeat(dash),
                            " ".repeat(key_col - dash - 1),
                            self.nl
                        ));
                    } else {
                        s.push_str(&format!("{}{k}: {v}{}", " ".repeat(key_col), self.nl));
                    }
                }
                Ok((at..at, self.ensure_line(at, s)))
            }
            Style::Header => {
                let header_line = &self.text[last.span.start..line_end(self.text, last.span.start)];
                let at = next_line(self.text, self.end(last));
                let mut s = format!("{}{header_line}{}", self.nl, self.nl);
                for (k, v) in self.entry_fields(kind, entry, false)? {
                    s.push_str(&format!("{k} = {v}{}", self.nl));
                }
                Ok((at..at, self.ensure_line(at, s)))
            }
            _ => {
                let flow = self.entry_flow(kind, entry)?;
                let at = last.span.end;
                let sep = if self.text[node.span.start..self.end(node)].contains('\n') {
                    format!(
                        ",{}{}",
                        self.nl,
                        " ".repeat(column(self.text, last.span.start))
                    )
                } else {
                    ", ".to_string()
                };
                Ok((at..at, format!("{sep}{flow}")))
            }
        }
    }

    /// Text inserted at `at`, which may be the end of a last line without
    /// a line ending.
    fn ensure_line(&self, at: usize, s: String) -> String {
        if at > 0 && !self.text[..at].ends_with('\n') {
            format!("{}{}", self.nl, s.strip_suffix(self.nl).unwrap_or(&s))
        } else {
            s
        }
    }

    /// Removes entry `i` of the list `node` of `key`.
    fn remove(&self, key: &Key, node: &Node, i: usize) -> Result<(Range<usize>, String), Refused> {
        let NodeKind::Seq(items) = &node.kind else {
            unreachable!("checked by the caller")
        };
        let item = &items[i];
        match self.style(node) {
            Style::Block | Style::Header if items.len() == 1 => {
                if self.style(node) == Style::Header {
                    let start = line_start(self.text, item.span.start);
                    Ok((start..next_line(self.text, self.end(item)), String::new()))
                } else {
                    // The list becomes `[]` on the key's line, which keeps
                    // its comment.
                    let colon = self.after_separator(key);
                    let rest = &self.text[colon..line_end(self.text, colon)];
                    let (range, text) =
                        self.replace(key, node, Some(Rendered::Inline("[]".into())))?;
                    if rest.trim_start().starts_with('#') {
                        Ok((range, format!("{text}{rest}")))
                    } else {
                        Ok((range, text))
                    }
                }
            }
            Style::Block | Style::Header => {
                let start = line_start(self.text, item.span.start);
                let stop = match items.get(i + 1) {
                    Some(next) => line_start(self.text, next.span.start),
                    None => next_line(self.text, self.end(item)),
                };
                Ok((start..stop, String::new()))
            }
            _ => {
                let range = if i + 1 < items.len() {
                    item.span.start..items[i + 1].span.start
                } else if i > 0 {
                    items[i - 1].span.end..item.span.end
                } else {
                    item.span.clone()
                };
                Ok((range, String::new()))
            }
        }
    }

    /// Fills `key: ` (a section left empty) with the missing names.
    fn fill_null(
        &self,
        key: &Key,
        node: &Node,
        missing: &[&str],
        value: Option<Rendered>,
    ) -> Result<(Range<usize>, String), Refused> {
        let Some(value) = value else {
            return Ok((0..0, String::new()));
        };
        if self.format != Format::Yaml || !node.span.is_empty() {
            return Err(refuse(
                "",
                "the section is written in a way that cannot be filled in here; edit the file by hand",
            ));
        }
        let col = column(self.text, key.span.start) + self.unit;
        let at = line_end(self.text, key.span.start);
        let lines = self.nested(missing, value, col);
        let mut s = String::new();
        for l in lines {
            s.push_str(self.nl);
            s.push_str(&l);
        }
        Ok((at..at, s))
    }

    /// The lines of `names` (sections, then the key) holding `value`, at
    /// indentation `col`, YAML.
    fn nested(&self, names: &[&str], value: Rendered, col: usize) -> Vec<String> {
        let pad = " ".repeat(col);
        if names.len() > 1 {
            let mut lines = vec![format!("{pad}{}:", names[0])];
            lines.extend(self.nested(&names[1..], value, col + self.unit));
            return lines;
        }
        match value {
            Rendered::Inline(v) => vec![format!("{pad}{}: {v}", names[0])],
            Rendered::Block(items) => {
                let mut lines = vec![format!("{pad}{}:", names[0])];
                let inner = " ".repeat(col + self.unit);
                lines.extend(items.into_iter().map(|l| format!("{inner}{l}")));
                lines
            }
        }
    }

    /// Adds `names` (missing sections, then the key) holding `value` into
    /// `map`, the section `section` (`""` at the top).
    fn insert(
        &self,
        map: &Node,
        section: &str,
        names: &[&str],
        value: Rendered,
    ) -> Result<(Range<usize>, String), Refused> {
        let order = schema::keys_in(section);
        self.insert_in_map(map, section, &order, names, value)
    }

    fn insert_in_map(
        &self,
        map: &Node,
        section: &str,
        order: &[&str],
        names: &[&str],
        value: Rendered,
    ) -> Result<(Range<usize>, String), Refused> {
        let NodeKind::Map(entries) = &map.kind else {
            return Err(refuse(
                "",
                "the answers are not a table of keys; fix the file by hand",
            ));
        };
        let rank = |name: &str| order.iter().position(|k| *k == name);
        let new_rank = rank(names[0]).unwrap_or(usize::MAX);
        match (self.format, self.style(map)) {
            (Format::Yaml, Style::Block) => {
                let col = entries
                    .first()
                    .map_or(0, |(k, _)| column(self.text, k.span.start));
                let prev = entries
                    .iter()
                    .rev()
                    .find(|(k, _)| rank(&k.name).is_some_and(|r| r < new_rank));
                let lines = self.nested(names, value, col);
                if let (None, Some((k, _))) = (prev, entries.first())
                    && !self.text[line_start(self.text, k.span.start)..k.span.start]
                        .trim()
                        .is_empty()
                {
                    // The first key shares its line with the entry's dash
                    // (`- addressed: true`): the new key goes after the
                    // dash, and the old one on the next line, in line.
                    let mut s = String::new();
                    for (i, l) in lines.iter().enumerate() {
                        s.push_str(if i == 0 { &l[col..] } else { l });
                        s.push_str(self.nl);
                    }
                    s.push_str(&" ".repeat(col));
                    return Ok((k.span.start..k.span.start, s));
                }
                let body: String = lines.iter().map(|l| format!("{l}{}", self.nl)).collect();
                let at = match (prev, entries.first()) {
                    (Some((_, v)), _) => next_line(self.text, self.end(v)),
                    (None, Some((k, _))) => line_start(self.text, k.span.start),
                    (None, None) => self.matter.end,
                };
                Ok((at..at, self.ensure_line(at, body)))
            }
            (Format::Toml, style) if style != Style::Flow => {
                self.insert_toml(map, section, entries, &rank, new_rank, names, value)
            }
            (Format::Json, _) => self.insert_json(map, entries, &rank, new_rank, names, value),
            _ => {
                // A flow map (`{a: 1}`, an inline table): before its `}`.
                let inline = match value {
                    Rendered::Inline(v) => v,
                    Rendered::Block(_) => {
                        return Err(refuse(
                            "",
                            "this section is written on one line; add the answer by hand",
                        ));
                    }
                };
                let (sep, eq) = if self.format == Format::Toml {
                    (", ", " = ")
                } else {
                    (", ", ": ")
                };
                let nested = names[1..].iter().rev().fold(inline, |v, n| {
                    if self.format == Format::Toml {
                        format!("{{ {n}{eq}{v} }}")
                    } else {
                        format!("{{{n}{eq}{v}}}")
                    }
                });
                let close = self.text[..map.span.end].rfind('}').unwrap_or(map.span.end);
                let sep = if entries.is_empty() { "" } else { sep };
                Ok((close..close, format!("{sep}{}{eq}{nested}", names[0])))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_toml(
        &self,
        map: &Node,
        section: &str,
        entries: &[(Key, Node)],
        rank: &dyn Fn(&str) -> Option<usize>,
        new_rank: usize,
        names: &[&str],
        value: Rendered,
    ) -> Result<(Range<usize>, String), Refused> {
        let Rendered::Inline(v) = value else {
            return Err(refuse("", "this answer cannot be written here"));
        };
        if self.style(map) == Style::Dotted {
            return Err(refuse(
                "",
                "this section is written with dotted keys; add the answer by hand",
            ));
        }
        let is_root = map.span == self.matter;
        let own: Vec<&(Key, Node)> = entries.iter().filter(|(_, n)| !self.is_table(n)).collect();
        if names.len() == 1 && self.style(map) != Style::Implicit {
            let prev = own
                .iter()
                .rev()
                .find(|(k, _)| rank(&k.name).is_some_and(|r| r < new_rank));
            let pad = own.first().map_or(String::new(), |(k, _)| {
                self.text[line_start(self.text, k.span.start)..k.span.start].to_string()
            });
            let line = format!("{pad}{} = {v}{}", names[0], self.nl);
            let at = match (prev, own.first()) {
                (Some((_, n)), _) => next_line(self.text, self.end(n)),
                (None, Some((k, _))) => line_start(self.text, k.span.start),
                (None, None) if is_root => self.matter.start,
                (None, None) => next_line(self.text, map.span.start),
            };
            return Ok((at..at, self.ensure_line(at, line)));
        }
        // A new table: at the end of the front matter, under its header.
        let mut header: Vec<String> = Vec::new();
        if !is_root {
            header.push(section.to_string());
        }
        header.extend(names[..names.len() - 1].iter().map(|s| s.to_string()));
        let at = self.matter.end;
        let s = format!(
            "{}[{}]{}{} = {v}{}",
            self.nl,
            header.join("."),
            self.nl,
            names[names.len() - 1],
            self.nl
        );
        Ok((at..at, self.ensure_line(at, s)))
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_json(
        &self,
        map: &Node,
        entries: &[(Key, Node)],
        rank: &dyn Fn(&str) -> Option<usize>,
        new_rank: usize,
        names: &[&str],
        value: Rendered,
    ) -> Result<(Range<usize>, String), Refused> {
        let Rendered::Inline(v) = value else {
            return Err(refuse("", "this answer cannot be written here"));
        };
        let multiline = self.text[map.span.clone()].contains('\n');
        let col = entries.first().map_or_else(
            || column(self.text, map.span.start) + self.unit,
            |(k, _)| column(self.text, k.span.start),
        );
        // Nested objects for missing sections, laid out like the file.
        let mut value = v;
        for (depth, n) in names[1..].iter().enumerate().rev() {
            value = if multiline {
                let inner = " ".repeat(col + self.unit * (depth + 1));
                let outer = " ".repeat(col + self.unit * depth);
                format!("{{{}{inner}\"{n}\": {value}{}{outer}}}", self.nl, self.nl)
            } else {
                format!("{{\"{n}\": {value}}}")
            };
        }
        let prop = format!("\"{}\": {value}", names[0]);
        let (sep_before, pad) = if multiline {
            (format!(",{}{}", self.nl, " ".repeat(col)), " ".repeat(col))
        } else {
            (", ".to_string(), String::new())
        };
        let prev = entries
            .iter()
            .rev()
            .find(|(k, _)| rank(&k.name).is_some_and(|r| r < new_rank));
        match (prev, entries.first()) {
            (Some((_, n)), _) => Ok((n.span.end..n.span.end, format!("{sep_before}{prop}"))),
            (None, Some((k, _))) => {
                let after = if multiline {
                    format!(",{}{pad}", self.nl)
                } else {
                    ", ".to_string()
                };
                Ok((k.span.start..k.span.start, format!("{prop}{after}")))
            }
            (None, None) => {
                let open = map.span.start + 1;
                let close = self.text[..map.span.end].rfind('}').unwrap_or(map.span.end);
                let outer = " ".repeat(column(self.text, map.span.start));
                Ok((
                    open..close,
                    format!("{}{pad}{prop}{}{outer}", self.nl, self.nl),
                ))
            }
        }
    }
}

/// A value as lines to put under its key (YAML block lists), or inline.
#[derive(Debug, Clone, PartialEq)]
enum Rendered {
    Inline(String),
    Block(Vec<String>),
}

impl Default for Rendered {
    fn default() -> Self {
        Rendered::Inline(String::new())
    }
}

/// Where a YAML scalar's own text ends: its closing quote, or before a
/// comment (the parser's span of a scalar can run on over both).
fn yaml_scalar_end(text: &str, span: &Range<usize>) -> usize {
    let s = &text[span.clone()];
    let mut chars = s.char_indices().peekable();
    match chars.next() {
        Some((_, '\'')) => {
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                    } else {
                        return span.start + i + 1;
                    }
                }
            }
            span.end
        }
        Some((_, '"')) => {
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => return span.start + i + 1,
                    _ => {}
                }
            }
            span.end
        }
        _ => {
            let cut = s
                .match_indices('#')
                .find(|(i, _)| *i > 0 && s[..*i].ends_with([' ', '\t']))
                .map_or(s.len(), |(i, _)| i);
            span.start + s[..cut].trim_end().len()
        }
    }
}

/// A number as the three languages all read it.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n:?}")
    }
}

/// Digits with an optional sign, point and exponent (not `inf` or `0x1`).
fn numeric_word(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit())
}

fn percent(s: &str) -> bool {
    s.strip_suffix('%')
        .is_some_and(|p| p.trim().parse::<f64>().is_ok() && numeric_word(p.trim()))
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Whether `s` can be written as a YAML plain scalar and read back as the
/// same text (`flow`: inside `[…]` too).
fn plain_ok(s: &str, flow: bool) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    !s.is_empty()
        && s == s.trim()
        && !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.chars().any(char::is_control)
        && !(flow && s.contains([',', '[', ']', '{', '}']))
        && matches!(tree_plain(s), NodeKind::Str(ref t) if t == s)
}

fn tree_plain(s: &str) -> NodeKind {
    let src = format!("k: {s}\n");
    match tree::parse(&src, 0..src.len(), Format::Yaml) {
        Ok(Node {
            kind: NodeKind::Map(mut e),
            ..
        }) if e.len() == 1 => e.remove(0).1.kind,
        _ => NodeKind::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(src: &str, path: &str, value: &str) -> String {
        let op = Op::Set {
            path: path.into(),
            value: Input::Text(value.into()),
        };
        let e = apply(src.as_bytes(), &op).unwrap_or_else(|r| panic!("{path}: {r:?}"));
        String::from_utf8(e.bytes).unwrap()
    }

    fn refused(src: &str, path: &str, value: &str) -> Refused {
        let op = Op::Set {
            path: path.into(),
            value: Input::Text(value.into()),
        };
        apply(src.as_bytes(), &op).unwrap_err()
    }

    const YAML: &str = "---\ntitle: Alpha   # the name\nstage: pilot\nstarted: 2026-03-01\nframing:\n    executive_sponsor: 'CFO'\n    led_by: business\n\n# data next\ndata:\n  source: production\n---\n\nStory: `x: y`\n";

    #[test]
    fn a_yaml_value_is_replaced_in_its_own_quoting() {
        let out = set(YAML, "framing.executive_sponsor", "Chief financial officer");
        assert_eq!(out, YAML.replace("'CFO'", "'Chief financial officer'"));
        let out = set(YAML, "title", "Alpha: the reader");
        assert_eq!(out, YAML.replace("Alpha   #", "\"Alpha: the reader\"   #"));
    }

    #[test]
    fn an_absent_key_goes_after_the_answer_before_it_in_its_section() {
        let out = set(YAML, "framing.production_owner", "Dana Ruiz");
        assert_eq!(
            out,
            YAML.replace("framing:\n", "framing:\n    production_owner: Dana Ruiz\n")
        );
        let out = set(YAML, "framing.owner_named_on", "2026-01-20");
        assert!(out.contains("    executive_sponsor: 'CFO'\n    led_by: business\n    owner_named_on: 2026-01-20\n") || out.contains("owner_named_on: 2026-01-20\n    executive_sponsor"), "{out}");
        let out = set(YAML, "budget", "180000");
        assert!(
            out.contains("started: 2026-03-01\nbudget: 180000\nframing:"),
            "{out}"
        );
    }

    #[test]
    fn an_absent_section_is_made_in_the_files_indentation() {
        let out = set(YAML, "governance.owner", "Dana");
        assert!(
            out.contains("  source: production\ngovernance:\n    owner: Dana\n---"),
            "{out}"
        );
        let out = set(YAML, "metrics.technical.accuracy", "0.9");
        assert!(
            out.contains("metrics:\n    technical:\n        accuracy: 0.9\n"),
            "{out}"
        );
    }

    #[test]
    fn crlf_and_a_byte_order_mark_are_kept() {
        let src = format!("\u{feff}{}", YAML.replace('\n', "\r\n"));
        let out = set(&src, "governance.owner", "Dana");
        assert!(out.starts_with('\u{feff}'));
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert_eq!(out.matches("\r\n").count(), src.matches("\r\n").count() + 2);
    }

    #[test]
    fn the_reader_refuses_a_value_with_its_own_message() {
        let r = refused(YAML, "data.completeness", "about 80");
        assert!(r.message.contains("must be a share"), "{r:?}");
        let r = refused(YAML, "started", "next month");
        assert!(r.message.contains("YYYY-MM-DD"), "{r:?}");
        let r = refused(YAML, "framing.led_by", "board");
        assert!(r.message.contains("business"), "{r:?}");
    }

    #[test]
    fn toml_keys_go_into_their_table_and_new_tables_at_the_end() {
        let src = "+++\ntitle = \"Alpha\"\nstage = \"pilot\"\n\n[framing]\nled_by = 'business'  # who\n\n[data]\nsource = \"production\"\n+++\nStory\n";
        let out = set(src, "framing.production_owner", "Dana");
        assert!(
            out.contains("[framing]\nproduction_owner = \"Dana\"\nled_by"),
            "{out}"
        );
        let out = set(src, "started", "2026-03-01");
        assert!(
            out.contains("stage = \"pilot\"\nstarted = 2026-03-01\n"),
            "{out}"
        );
        let out = set(src, "change.adoption_rate", "71%");
        assert!(
            out.ends_with(
                "source = \"production\"\n\n[change]\nadoption_rate = \"71%\"\n+++\nStory\n"
            ),
            "{out}"
        );
        let out = set(src, "framing.led_by", "vendor");
        assert!(out.contains("led_by = 'vendor'  # who"), "{out}");
    }

    #[test]
    fn json_properties_keep_the_objects_layout() {
        let src = "{\n  \"title\": \"Alpha\",\n  \"stage\": \"pilot\",\n  \"framing\": {\n    \"led_by\": \"business\"\n  }\n}\nStory\n";
        let out = set(src, "framing.executive_sponsor", "CFO");
        assert!(out.contains("  \"framing\": {\n    \"executive_sponsor\": \"CFO\",\n    \"led_by\": \"business\"\n  }"), "{out}");
        let out = set(src, "data.completeness", "0.93");
        assert!(out.contains("  \"framing\": {\n    \"led_by\": \"business\"\n  },\n  \"data\": {\n    \"completeness\": 0.93\n  }\n}"), "{out}");
    }

    #[test]
    fn kpis_are_added_edited_and_removed() {
        let src = "---\ntitle: A\nstage: pilot\nmetrics:\n  business:\n    - name: Cycle time\n      target: 3\n---\n";
        let add = Op::Add {
            path: "metrics.business".into(),
            entry: Input::Entry(vec![
                ("name".into(), Input::Text("Cost".into())),
                ("baseline".into(), Input::Text("10".into())),
            ]),
        };
        let out = String::from_utf8(apply(src.as_bytes(), &add).unwrap().bytes).unwrap();
        assert!(
            out.contains("      target: 3\n    - name: Cost\n      baseline: 10\n---"),
            "{out}"
        );
        let out = set(&out, "metrics.business.0.baseline", "6.5");
        assert!(
            out.contains("    - name: Cycle time\n      baseline: 6.5\n      target: 3\n"),
            "{out}"
        );
        let rm = Op::Remove {
            path: "metrics.business.0".into(),
        };
        let out = String::from_utf8(apply(out.as_bytes(), &rm).unwrap().bytes).unwrap();
        assert!(
            out.contains("  business:\n    - name: Cost\n      baseline: 10\n---"),
            "{out}"
        );
        let absent = "---\ntitle: A\nstage: pilot\n---\n";
        let out = String::from_utf8(apply(absent.as_bytes(), &add).unwrap().bytes).unwrap();
        assert!(
            out.contains(
                "stage: pilot\nmetrics:\n  business:\n    - name: Cost\n      baseline: 10\n---"
            ),
            "{out}"
        );
    }

    #[test]
    fn lists_of_text_keep_their_block_or_flow_form() {
        let src = "---\ntitle: A\nstage: pilot\ntags:\n  - a\n  - b  # two\nchange:\n  affected_roles: [Clerks]\n---\n";
        let op = Op::Set {
            path: "tags".into(),
            value: Input::List(vec!["x".into(), "y, z".into()]),
        };
        let out = String::from_utf8(apply(src.as_bytes(), &op).unwrap().bytes).unwrap();
        assert!(out.contains("tags:\n  - x\n  - y, z  # two\n"), "{out}");
        let op = Op::Set {
            path: "change.affected_roles".into(),
            value: Input::List(vec!["Clerks".into(), "Leads, AP".into()]),
        };
        let out = String::from_utf8(apply(src.as_bytes(), &op).unwrap().bytes).unwrap();
        assert!(
            out.contains("affected_roles: [Clerks, \"Leads, AP\"]"),
            "{out}"
        );
    }

    #[test]
    fn a_blank_answer_leaves_the_question_unanswered_and_can_be_answered_again() {
        let out = set(YAML, "framing.executive_sponsor", "");
        assert!(out.contains("    executive_sponsor:\n"), "{out}");
        let again = set(&out, "framing.executive_sponsor", "CFO");
        assert_eq!(again, YAML.replace("'CFO'", "CFO"));
        let crlf = YAML.replace('\n', "\r\n");
        let out = set(&crlf, "framing.executive_sponsor", "");
        assert_eq!(
            set(&out, "framing.executive_sponsor", "CFO"),
            crlf.replace("'CFO'", "CFO")
        );
    }

    fn run(src: &str, op: Op) -> String {
        String::from_utf8(
            apply(src.as_bytes(), &op)
                .unwrap_or_else(|r| panic!("{r:?}"))
                .bytes,
        )
        .unwrap()
    }

    fn kpi(name: &str) -> Op {
        Op::Add {
            path: "metrics.business".into(),
            entry: Input::Entry(vec![
                ("name".into(), Input::Text(name.into())),
                ("target".into(), Input::Text("3".into())),
            ]),
        }
    }

    #[test]
    fn toml_and_json_kpis_are_added_edited_and_removed_in_their_own_syntax() {
        let toml = "+++\ntitle = \"A\"\nstage = \"pilot\"\n\n[[metrics.business]]\nname = \"Cycle\"\nbaseline = 6\n+++\nStory\n";
        let out = run(toml, kpi("Cost"));
        assert!(
            out.ends_with(
                "baseline = 6\n\n[[metrics.business]]\nname = \"Cost\"\ntarget = 3\n+++\nStory\n"
            ),
            "{out}"
        );
        let out = run(
            &out,
            Op::Set {
                path: "metrics.business.0.target".into(),
                value: Input::Text("3".into()),
            },
        );
        assert!(
            out.contains("name = \"Cycle\"\nbaseline = 6\ntarget = 3\n"),
            "{out}"
        );
        let out = run(
            &out,
            Op::Remove {
                path: "metrics.business.0".into(),
            },
        );
        assert!(out.starts_with("+++\ntitle = \"A\"\nstage = \"pilot\"\n\n[[metrics.business]]\nname = \"Cost\"\ntarget = 3\n+++"), "{out}");
        let absent = "+++\ntitle = \"A\"\nstage = \"pilot\"\n+++\n";
        let out = run(absent, kpi("Cost"));
        assert!(
            out.contains("[metrics]\nbusiness = [{ name = \"Cost\", target = 3 }]\n"),
            "{out}"
        );

        let json = "{\n  \"title\": \"A\",\n  \"stage\": \"pilot\",\n  \"metrics\": {\n    \"business\": [\n      {\"name\": \"Cycle\"}\n    ]\n  }\n}\n";
        let out = run(json, kpi("Cost"));
        assert!(
            out.contains(
                "      {\"name\": \"Cycle\"},\n      {\"name\": \"Cost\", \"target\": 3}\n    ]"
            ),
            "{out}"
        );
        let out = run(
            &out,
            Op::Remove {
                path: "metrics.business.0".into(),
            },
        );
        assert!(
            out.contains("\"business\": [\n      {\"name\": \"Cost\", \"target\": 3}\n    ]"),
            "{out}"
        );
        let out = run(
            &out,
            Op::Set {
                path: "metrics.business.0.owner".into(),
                value: Input::Text("Dana".into()),
            },
        );
        assert!(
            out.contains("{\"name\": \"Cost\", \"target\": 3, \"owner\": \"Dana\"}"),
            "{out}"
        );
    }
}
