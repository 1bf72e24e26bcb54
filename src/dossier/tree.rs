//! Parsing front matter (YAML, TOML or JSON) into one spanned value tree.
//!
//! The three languages are parsed by their own crates (saphyr-parser, toml,
//! jsonc-parser) and turned into the same [`Node`] tree, in which every value
//! knows its byte range in the *file* (not in the front matter), so that the
//! typed reading in `read` can point at any answer. This module knows nothing
//! of the dossier format; it only guards against hostile input: nesting depth
//! and YAML alias expansion are bounded.

use std::collections::HashMap;
use std::ops::Range;

use super::split::{Format, bracket_depth};

/// Deepest nesting accepted. Real dossiers need four levels.
pub const MAX_DEPTH: usize = 32;
/// Most values YAML aliases in one front matter may expand to (values
/// written out are bounded by the file's size cap alone, as in TOML and
/// JSON).
pub const MAX_NODES: usize = 20_000;
/// Most bytes of text YAML aliases in one front matter may expand to.
pub const MAX_TEXT_BYTES: usize = 8 << 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// Byte range in the file.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    /// A date-time of TOML, kept as written.
    Datetime(String),
    Seq(Vec<Node>),
    /// Keys in the order written, each with its own span.
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Range<usize>,
}

impl NodeKind {
    /// What the user wrote, in words, for "found …" in messages.
    pub fn describe(&self) -> String {
        match self {
            NodeKind::Null => "nothing".into(),
            NodeKind::Bool(b) => format!("{b}"),
            NodeKind::Number(n) => format!("the number {}", format_number(*n)),
            NodeKind::Str(s) => format!("{:?}", truncate(s, 60)),
            NodeKind::Datetime(s) => s.clone(),
            NodeKind::Seq(_) => "a list".into(),
            NodeKind::Map(_) => "a table of keys".into(),
        }
    }
}

/// A number as people write it: `3`, `0.5`, `1200`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// A problem in the front matter: where (bytes in the file) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError {
    pub at: Range<usize>,
    pub message: String,
    /// The fixed line, for a known slip (`dossier::slips`).
    pub help: Option<String>,
}

/// Parses the front matter at `range` of `text` in `format`.
pub fn parse(text: &str, range: Range<usize>, format: Format) -> Result<Node, TreeError> {
    let matter = &text[range.clone()];
    let offset = range.start;
    match format {
        Format::Yaml => yaml(matter, offset, text[..offset].matches('\n').count()),
        Format::Toml | Format::Json => {
            if let Some(at) = bracket_depth(matter, MAX_DEPTH) {
                return Err(TreeError {
                    help: None,
                    at: offset + at..offset + at + 1,
                    message: format!(
                        "the front matter is nested more than {MAX_DEPTH} levels deep"
                    ),
                });
            }
            if format == Format::Toml {
                toml_tree(matter, offset)
            } else {
                json_tree(matter, offset)
            }
        }
    }
}

// ---------------------------------------------------------------- YAML

/// `lines_before` is the number of file lines before the front matter, so
/// that messages name lines of the file, as the locations do.
fn yaml(matter: &str, offset: usize, lines_before: usize) -> Result<Node, TreeError> {
    use saphyr_parser::{Event, Parser, ScalarStyle};

    // saphyr reports lines and columns in characters; map them to bytes.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(matter.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let to_byte = |line: usize, col: usize| -> usize {
        let start = line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(matter.len());
        let rest = &matter[start.min(matter.len())..];
        let within = rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i);
        offset + start + within
    };

    enum Frame {
        Seq {
            start: usize,
            anchor: usize,
            items: Vec<Node>,
        },
        Map {
            start: usize,
            anchor: usize,
            entries: Vec<(Key, Node)>,
            key: Option<Node>,
        },
    }

    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    // What aliases expand to, apart from what is written: the file's size
    // cap bounds the rest, as it does for TOML and JSON.
    let mut nodes = 0usize;
    let mut text_bytes = 0usize;
    let mut root: Option<Node> = None;
    let mut documents = 0;

    let err = |at: Range<usize>, message: String| TreeError {
        at,
        message,
        help: None,
    };

    for item in Parser::new_from_str(matter) {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) => {
                let m = e.marker();
                let at = to_byte(m.line(), m.col());
                if e.info().contains("recursion limit") {
                    return Err(err(
                        at..at + 1,
                        format!("the front matter is nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                // The parser stops where it can no longer go on, often a
                // line after the slip: point at the slip when it is a
                // known one, with the line written right.
                return Err(match super::slips::yaml_slip(matter, m.line()) {
                    Some(slip) => TreeError {
                        at: offset + line_starts[slip.line] + slip.at.start
                            ..offset + line_starts[slip.line] + slip.at.end,
                        message: format!("the YAML front matter cannot be read: {}", slip.message),
                        help: Some(slip.help),
                    },
                    None => err(
                        at..at + 1,
                        format!(
                            "the YAML front matter cannot be read: {}",
                            super::slips::plain_words(e.info())
                        ),
                    ),
                });
            }
        };
        let start = to_byte(span.start.line(), span.start.col());
        let end = to_byte(span.end.line(), span.end.col()).max(start);
        let complete: Option<(Node, usize)> = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    break;
                }
                None
            }
            Event::DocumentEnd | Event::StreamEnd => {
                if root.is_some() || documents >= 1 {
                    break;
                }
                None
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let kind = if style == ScalarStyle::Plain {
                    plain_scalar(&value)
                } else {
                    NodeKind::Str(value.into_owned())
                };
                // A plain scalar's span ends after its text; quoted ones too.
                Some((
                    Node {
                        kind,
                        span: start..end,
                    },
                    anchor,
                ))
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(err(
                        start..end.max(start + 1),
                        "this alias refers to an anchor that is not defined before it".into(),
                    ));
                };
                let (n, b) = size_of(target);
                nodes += n;
                text_bytes += b;
                if nodes > MAX_NODES || text_bytes > MAX_TEXT_BYTES {
                    return Err(err(
                        start..end.max(start + 1),
                        format!(
                            "the front matter expands to more than {MAX_NODES} values or {} MiB of text through YAML aliases",
                            MAX_TEXT_BYTES >> 20
                        ),
                    ));
                }
                let mut node = target.clone();
                node.span = start..end.max(start + 1);
                Some((node, 0))
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq {
                    start,
                    anchor,
                    items: Vec::new(),
                });
                if stack.len() > MAX_DEPTH {
                    return Err(err(
                        start..start + 1,
                        format!("the front matter is nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                None
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map {
                    start,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
                if stack.len() > MAX_DEPTH {
                    return Err(err(
                        start..start + 1,
                        format!("the front matter is nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    start: s,
                    anchor,
                    items,
                }) => Some((
                    Node {
                        kind: NodeKind::Seq(items),
                        span: s..end.max(s),
                    },
                    anchor,
                )),
                _ => return Err(err(start..start + 1, "unbalanced YAML sequence".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    start: s,
                    anchor,
                    entries,
                    ..
                }) => Some((
                    Node {
                        kind: NodeKind::Map(entries),
                        span: s..end.max(s),
                    },
                    anchor,
                )),
                _ => return Err(err(start..start + 1, "unbalanced YAML mapping".into())),
            },
            _ => None,
        };
        let Some((node, anchor)) = complete else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => {
                root = Some(node);
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let name = match k.kind {
                        NodeKind::Str(s) => s,
                        NodeKind::Number(_) | NodeKind::Bool(_) | NodeKind::Null => {
                            text_of(matter, offset, &k.span)
                        }
                        _ => {
                            return Err(err(
                                k.span.clone(),
                                "a key must be a plain word such as `title`".into(),
                            ));
                        }
                    };
                    if let Some((first, _)) = entries.iter().find(|(e, _)| e.name == name) {
                        let line = matter
                            [..first.span.start.saturating_sub(offset).min(matter.len())]
                            .matches('\n')
                            .count();
                        return Err(err(
                            k.span.clone(),
                            format!(
                                "`{name}` is given twice (first on line {})",
                                lines_before + line + 1
                            ),
                        ));
                    }
                    entries.push((Key { name, span: k.span }, node));
                }
            },
        }
    }
    Ok(root.unwrap_or(Node {
        kind: NodeKind::Null,
        span: offset..offset,
    }))
}

fn text_of(matter: &str, offset: usize, span: &Range<usize>) -> String {
    matter
        .get(span.start.saturating_sub(offset)..span.end.saturating_sub(offset))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The YAML 1.2 core schema for plain scalars: null, booleans, numbers, text.
fn plain_scalar(value: &str) -> NodeKind {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return NodeKind::Null,
        "true" | "True" | "TRUE" => return NodeKind::Bool(true),
        "false" | "False" | "FALSE" => return NodeKind::Bool(false),
        _ => {}
    }
    let looks_numeric = value
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && value.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric
        && let Ok(n) = value.parse::<f64>()
        && n.is_finite()
    {
        return NodeKind::Number(n);
    }
    NodeKind::Str(value.to_string())
}

/// A number, when it is one a dossier can use (finite, as YAML's plain
/// scalars are read); otherwise the text as written, so that the message
/// about it quotes `1e400` or `inf` rather than a NaN.
fn number_or_text(n: Option<f64>, raw: &str) -> NodeKind {
    match n {
        Some(n) if n.is_finite() => NodeKind::Number(n),
        _ => NodeKind::Str(raw.to_string()),
    }
}

fn size_of(node: &Node) -> (usize, usize) {
    match &node.kind {
        NodeKind::Str(s) | NodeKind::Datetime(s) => (1, s.len()),
        NodeKind::Seq(items) => items
            .iter()
            .map(size_of)
            .fold((1, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
        NodeKind::Map(entries) => entries
            .iter()
            .map(|(k, v)| {
                let (n, b) = size_of(v);
                (n + 1, b + k.name.len())
            })
            .fold((1, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
        _ => (1, 0),
    }
}

// ---------------------------------------------------------------- TOML

fn toml_tree(matter: &str, offset: usize) -> Result<Node, TreeError> {
    use toml::Spanned;
    use toml::de::{DeTable, DeValue};

    let table = DeTable::parse(matter).map_err(|e| {
        let span = e.span().unwrap_or(0..1);
        TreeError {
            help: None,
            at: offset + span.start..offset + span.end.max(span.start + 1),
            message: format!(
                "the TOML front matter cannot be read: {}",
                e.message().trim()
            ),
        }
    })?;

    fn value(v: &Spanned<DeValue<'_>>, offset: usize, depth: usize) -> Result<Node, TreeError> {
        let span = offset + v.span().start..offset + v.span().end;
        if depth > MAX_DEPTH {
            return Err(TreeError {
                help: None,
                at: span,
                message: format!("the front matter is nested more than {MAX_DEPTH} levels deep"),
            });
        }
        let kind = match v.get_ref() {
            DeValue::String(s) => NodeKind::Str(s.to_string()),
            DeValue::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                let n = i64::from_str_radix(
                    digits
                        .trim_start_matches(['0', 'x', 'o', 'b'])
                        .trim_start_matches('+'),
                    i.radix(),
                )
                .or_else(|_| digits.parse::<i64>())
                .map(|n| n as f64);
                number_or_text(n.ok(), i.as_str())
            }
            DeValue::Float(f) => {
                number_or_text(f.as_str().replace('_', "").parse().ok(), f.as_str())
            }
            DeValue::Boolean(b) => NodeKind::Bool(*b),
            DeValue::Datetime(d) => NodeKind::Datetime(d.to_string()),
            DeValue::Array(items) => NodeKind::Seq(
                items
                    .iter()
                    .map(|i| value(i, offset, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            DeValue::Table(t) => NodeKind::Map(table_entries(t, offset, depth + 1)?),
        };
        Ok(Node { kind, span })
    }

    fn table_entries(
        t: &DeTable<'_>,
        offset: usize,
        depth: usize,
    ) -> Result<Vec<(Key, Node)>, TreeError> {
        let mut entries = Vec::with_capacity(t.len());
        for (k, v) in t.iter() {
            let key = Key {
                name: k.get_ref().to_string(),
                span: offset + k.span().start..offset + k.span().end,
            };
            entries.push((key, value(v, offset, depth)?));
        }
        entries.sort_by_key(|(k, _)| k.span.start);
        Ok(entries)
    }

    let entries = table_entries(table.get_ref(), offset, 1)?;
    Ok(Node {
        kind: NodeKind::Map(entries),
        span: offset..offset + matter.len(),
    })
}

// ---------------------------------------------------------------- JSON

fn json_tree(matter: &str, offset: usize) -> Result<Node, TreeError> {
    use jsonc_parser::ast::{ObjectPropName, Value};
    use jsonc_parser::{CollectOptions, ParseOptions};

    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        ..ParseOptions::default()
    };
    let parsed =
        jsonc_parser::parse_to_ast(matter, &CollectOptions::default(), &options).map_err(|e| {
            let r = e.range();
            TreeError {
                help: None,
                at: offset + r.start..offset + r.end.max(r.start + 1),
                message: format!("the JSON front matter cannot be read: {}", e.kind()),
            }
        })?;

    fn value(v: &Value<'_>, offset: usize) -> Node {
        let (kind, range) = match v {
            Value::StringLit(s) => (NodeKind::Str(s.value.to_string()), s.range),
            Value::NumberLit(n) => (number_or_text(n.value.parse().ok(), n.value), n.range),
            Value::BooleanLit(b) => (NodeKind::Bool(b.value), b.range),
            Value::NullKeyword(n) => (NodeKind::Null, n.range),
            Value::Array(a) => (
                NodeKind::Seq(a.elements.iter().map(|e| value(e, offset)).collect()),
                a.range,
            ),
            Value::Object(o) => {
                let entries = o
                    .properties
                    .iter()
                    .map(|p| {
                        let (name, range) = match &p.name {
                            ObjectPropName::String(s) => (s.value.to_string(), s.range),
                            ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                        };
                        (
                            Key {
                                name,
                                span: offset + range.start..offset + range.end,
                            },
                            value(&p.value, offset),
                        )
                    })
                    .collect();
                (NodeKind::Map(entries), o.range)
            }
        };
        Node {
            kind,
            span: offset + range.start..offset + range.end,
        }
    }

    match parsed.value {
        Some(v @ Value::Object(_)) => {
            let node = value(&v, offset);
            match repeated_key(&node) {
                Some(k) => Err(TreeError {
                    help: None,
                    at: k.span.clone(),
                    message: format!("`{}` is given twice", k.name),
                }),
                None => Ok(node),
            }
        }
        _ => Err(TreeError {
            help: None,
            at: offset..offset + 1,
            message: "the JSON front matter must be one object `{ … }`".into(),
        }),
    }
}

/// The first key given twice in the same object, at any depth (the JSON
/// parser keeps both, where YAML duplicates are caught while its tree is
/// built and the TOML parser refuses them).
fn repeated_key(node: &Node) -> Option<&Key> {
    match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .enumerate()
            .find(|(i, (k, _))| entries[..*i].iter().any(|(e, _)| e.name == k.name))
            .map(|(_, (k, _))| k)
            .or_else(|| entries.iter().find_map(|(_, v)| repeated_key(v))),
        NodeKind::Seq(items) => items.iter().find_map(repeated_key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_of(src: &str) -> Result<Node, TreeError> {
        parse(src, 0..src.len(), Format::Yaml)
    }

    #[test]
    fn yaml_values_get_file_byte_spans() {
        let src = "title: Café\nstage: pilot\n";
        let node = yaml_of(src).unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!()
        };
        let (k, v) = &entries[1];
        assert_eq!(k.name, "stage");
        assert_eq!(&src[v.span.clone()], "pilot");
    }

    #[test]
    fn yaml_plain_scalars_follow_the_core_schema() {
        assert_eq!(plain_scalar("0.93"), NodeKind::Number(0.93));
        assert_eq!(plain_scalar("~"), NodeKind::Null);
        assert_eq!(plain_scalar("true"), NodeKind::Bool(true));
        assert_eq!(
            plain_scalar("2026-02-02"),
            NodeKind::Str("2026-02-02".into())
        );
        assert_eq!(plain_scalar("inf"), NodeKind::Str("inf".into()));
    }

    #[test]
    fn yaml_alias_bombs_are_refused() {
        let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            src.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = c;
        }
        let e = yaml_of(&src).unwrap_err();
        assert!(
            e.message.contains("aliases") || e.message.contains("more than"),
            "{}",
            e.message
        );
    }

    #[test]
    fn many_plain_values_are_no_alias_bomb_and_huge_numbers_are_text() {
        let mut src = String::new();
        for i in 0..15_000 {
            src.push_str(&format!("k{i}: {i}\n"));
        }
        assert!(
            yaml_of(&src).is_ok(),
            "15,000 written-out keys are accepted"
        );
        for (src, format) in [
            (
                "a = 1e400\nb = inf\nc = 99999999999999999999\n",
                Format::Toml,
            ),
            ("{\"a\": 1e400, \"b\": 1e400, \"c\": 1e400}", Format::Json),
            ("a: 1e400\nb: .inf\nc: 1e400\n", Format::Yaml),
        ] {
            let node = parse(src, 0..src.len(), format).unwrap();
            let NodeKind::Map(entries) = node.kind else {
                panic!("{src}")
            };
            for (k, v) in entries {
                assert!(
                    !matches!(v.kind, NodeKind::Number(n) if !n.is_finite()),
                    "{format:?} {}: {:?}",
                    k.name,
                    v.kind
                );
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused_in_every_language() {
        let deep = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = yaml_of(&deep).unwrap_err().message;
        assert!(e.contains("nested"), "{e}");
        let deep = format!("a = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(
            parse(&deep, 0..deep.len(), Format::Toml)
                .unwrap_err()
                .message
                .contains("nested")
        );
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(
            parse(&deep, 0..deep.len(), Format::Json)
                .unwrap_err()
                .message
                .contains("nested")
        );
    }

    #[test]
    fn duplicate_keys_are_errors() {
        assert!(
            yaml_of("a: 1\na: 2\n")
                .unwrap_err()
                .message
                .contains("twice")
        );
    }

    #[test]
    fn toml_and_json_values_get_spans() {
        let src = "stage = \"pilot\"\nstarted = 2026-02-02\n";
        let node = parse(src, 0..src.len(), Format::Toml).unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!()
        };
        assert_eq!(&src[entries[0].1.span.clone()], "\"pilot\"");
        assert_eq!(entries[1].1.kind, NodeKind::Datetime("2026-02-02".into()));
        let src = "{\"stage\": \"pilot\", \"budget\": 5}";
        let node = parse(src, 0..src.len(), Format::Json).unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!()
        };
        assert_eq!(entries[1].1.kind, NodeKind::Number(5.0));
    }
}
