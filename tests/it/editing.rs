//! The editor's promise, over generated dossiers in YAML, TOML and JSON:
//! setting any answer to any valid value and reading the file back gives
//! that value, every other answer is unchanged, and every byte outside the
//! edited region is unchanged (comments, blank lines, CRLF, a byte order
//! mark, the story); a value the reader refuses writes nothing.

use jiff::civil::Date;
use pilotscope::dossier::edit::{Input, Op, apply, entry_keys};
use pilotscope::dossier::schema::{FIELDS, Kind};
use pilotscope::dossier::{Direction, Format, Gap, Kpi, Value, load_text};
use proptest::prelude::*;

/// One answer as it is written in a generated file.
#[derive(Debug, Clone)]
enum Written {
    Text(String),
    Date(String),
    Number(String),
    Share(String),
    Bool(bool),
    Word(String),
    List(Vec<String>),
    /// A list of records (`data.known_gaps`, `metrics.business`): each
    /// entry its answered keys, in the format's order.
    Records(Vec<Entry>),
    /// Written with no value: `key:` in YAML, `null` in JSON (TOML has
    /// none, so the key is left out there).
    Empty,
}

/// One entry of a list of records: its answered keys and their values.
type Entry = Vec<(&'static str, Written)>;

#[derive(Debug, Clone)]
struct Style {
    format: Format,
    crlf: bool,
    bom: bool,
    indent: usize,
    /// 0 plain where possible, 1 single quotes, 2 double quotes.
    quotes: u8,
    comments: bool,
    block_lists: bool,
}

/// The comment of a line of front matter: what follows `  # ` outside a
/// quoted value (a value may hold `  # ` itself, quoted, and that is no
/// comment).
fn comment_of(line: &str) -> Option<&str> {
    let (mut double, mut single, mut escaped) = (false, false, false);
    for (i, ch) in line.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if double => escaped = true,
            '"' if !single => double = !double,
            '\'' if !double => single = !single,
            ' ' if !double && !single && line[i..].starts_with("  # ") => {
                return Some(&line[i + 4..]);
            }
            _ => {}
        }
    }
    None
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 ,.:#'&-]{0,14}[A-Za-z0-9]"
}

fn date() -> impl Strategy<Value = String> {
    (2020u32..2030, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}"))
}

fn written(kind: Kind) -> BoxedStrategy<Written> {
    match kind {
        Kind::Text | Kind::TextOrNumber => text().prop_map(Written::Text).boxed(),
        Kind::Date => date().prop_map(Written::Date).boxed(),
        Kind::Number => prop_oneof![
            (0u32..1_000_000).prop_map(|n| n.to_string()),
            (0u32..10_000, 1u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
        ]
        .prop_map(Written::Number)
        .boxed(),
        Kind::Share => prop_oneof![
            (0u32..=100).prop_map(|n| format!("{n}%")),
            (0u32..=100).prop_map(|n| format!("{}", n as f64 / 100.0)),
        ]
        .prop_map(Written::Share)
        .boxed(),
        Kind::Bool => any::<bool>().prop_map(Written::Bool).boxed(),
        Kind::Choice(words) => proptest::sample::select(words.to_vec())
            .prop_map(|w| Written::Word(w.to_string()))
            .boxed(),
        Kind::TextList => proptest::collection::vec(text(), 1..4)
            .prop_map(Written::List)
            .boxed(),
        Kind::Gaps | Kind::Kpis => proptest::collection::vec(entry(kind), 0..4)
            .prop_map(Written::Records)
            .boxed(),
    }
}

/// One entry of a list of records of `kind`, with at least one key.
fn entry(kind: Kind) -> BoxedStrategy<Entry> {
    let keys = entry_keys(kind).expect("a list of records");
    let slots: Vec<BoxedStrategy<Option<(&'static str, Written)>>> = keys
        .iter()
        .map(|(name, k)| {
            let name: &'static str = name;
            prop_oneof![2 => written(*k).prop_map(move |w| Some((name, w))), 1 => Just(None)]
                .boxed()
        })
        .collect();
    (slots, written(keys[0].1))
        .prop_map(move |(slots, first)| {
            let mut e: Entry = slots.into_iter().flatten().collect();
            if e.is_empty() {
                e.push((keys[0].0, first));
            }
            e
        })
        .boxed()
}

fn editable(kind: Kind) -> bool {
    !matches!(kind, Kind::Gaps | Kind::Kpis)
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop_oneof![Just(Format::Yaml), Just(Format::Toml), Just(Format::Json)],
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(2usize), Just(4usize)],
        0u8..3,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(format, crlf, bom, indent, quotes, comments, block_lists)| Style {
                format,
                crlf,
                bom,
                indent,
                quotes,
                comments,
                block_lists,
            },
        )
}

/// The answers of a dossier: `title` and `stage` always, others at random.
fn answers() -> impl Strategy<Value = Vec<Option<Written>>> {
    let slots: Vec<BoxedStrategy<Option<Written>>> = FIELDS
        .iter()
        .map(|f| match f.path {
            "title" => text().prop_map(|t| Some(Written::Text(t))).boxed(),
            "stage" => written(f.kind).prop_map(Some).boxed(),
            _ if !editable(f.kind) => prop_oneof![
                1 => written(f.kind).prop_map(Some),
                1 => Just(None),
            ]
            .boxed(),
            _ => prop_oneof![
                3 => written(f.kind).prop_map(Some),
                1 => Just(Some(Written::Empty)),
                4 => Just(None),
            ]
            .boxed(),
        })
        .collect();
    slots
}

fn quote(s: &str, style: &Style) -> String {
    match (style.format, style.quotes) {
        (Format::Yaml, 0)
            if s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
                && s.parse::<f64>().is_err()
                && !["true", "false", "null", "yes", "no"].contains(&s) =>
        {
            s.to_string()
        }
        (Format::Yaml | Format::Toml, 1) if !s.contains('\'') => format!("'{s}'"),
        _ => serde_json::to_string(s).unwrap(),
    }
}

fn value_text(w: &Written, style: &Style) -> String {
    match w {
        Written::Text(s) | Written::Word(s) => quote(s, style),
        Written::Date(d) if style.format != Format::Json && style.quotes == 0 => d.clone(),
        Written::Date(d) => quote(d, style),
        Written::Number(n) => n.clone(),
        Written::Share(s) if s.ends_with('%') => {
            if style.format == Format::Yaml && style.quotes == 0 {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap()
            }
        }
        Written::Share(s) => s.clone(),
        Written::Bool(b) => b.to_string(),
        Written::Empty => "null".into(),
        Written::Records(entries) => {
            let flow = |e: &Entry| {
                let (sep, open, close) = match style.format {
                    Format::Toml => (" = ", "{ ", " }"),
                    _ => (": ", "{", "}"),
                };
                let body = e
                    .iter()
                    .map(|(k, w)| match style.format {
                        Format::Json => format!("\"{k}\"{sep}{}", value_text(w, style)),
                        _ => format!("{k}{sep}{}", value_text(w, style)),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("{open}{body}{close}")
            };
            let items: Vec<String> = entries.iter().map(flow).collect();
            if style.format == Format::Json && style.block_lists && !items.is_empty() {
                let pad = " ".repeat(style.indent * 3);
                let end = " ".repeat(style.indent * 2);
                format!("[\n{pad}{}\n{end}]", items.join(&format!(",\n{pad}")))
            } else {
                format!("[{}]", items.join(", "))
            }
        }
        Written::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| serde_json::to_string(i).unwrap())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The file of `answers` in `style`, with comments, blank lines and a story.
fn render(answers: &[Option<Written>], style: &Style) -> String {
    let mut sections: Vec<(&str, Vec<(&str, &Written)>)> = Vec::new();
    for (f, a) in FIELDS.iter().zip(answers) {
        if let Some(w) = a {
            let section = f.section();
            match sections.last_mut() {
                Some((s, entries)) if *s == section => entries.push((f.key(), w)),
                _ => sections.push((section, vec![(f.key(), w)])),
            }
        }
    }
    let note = |i: usize| {
        if style.comments {
            match style.format {
                Format::Json => String::new(),
                _ => format!("  # note {i}"),
            }
        } else {
            String::new()
        }
    };
    let mut out = String::new();
    let mut n = 0;
    match style.format {
        Format::Yaml => {
            out.push_str("---\n");
            let mut open: Vec<&str> = Vec::new();
            for (section, entries) in &sections {
                let parts: Vec<&str> = if section.is_empty() {
                    vec![]
                } else {
                    section.split('.').collect()
                };
                let mut depth = 0;
                while depth < parts.len() && depth < open.len() && open[depth] == parts[depth] {
                    depth += 1;
                }
                open.truncate(depth);
                for (i, p) in parts.iter().enumerate().skip(depth) {
                    if i == 0 {
                        out.push('\n');
                    }
                    n += 1;
                    out.push_str(&format!(
                        "{}{p}:{}\n",
                        " ".repeat(i * style.indent),
                        note(n)
                    ));
                    open.push(p);
                }
                let pad = " ".repeat(parts.len() * style.indent);
                for (k, w) in entries {
                    n += 1;
                    match w {
                        Written::Empty => out.push_str(&format!("{pad}{k}:{}\n", note(n))),
                        Written::List(items) if style.block_lists => {
                            out.push_str(&format!("{pad}{k}:{}\n", note(n)));
                            for i in items {
                                out.push_str(&format!(
                                    "{pad}{}- {}\n",
                                    " ".repeat(style.indent),
                                    quote(i, style)
                                ));
                            }
                        }
                        Written::Records(entries) if style.block_lists && !entries.is_empty() => {
                            out.push_str(&format!("{pad}{k}:{}\n", note(n)));
                            let dash = " ".repeat(style.indent);
                            for e in entries {
                                for (i, (key, w)) in e.iter().enumerate() {
                                    let lead = if i == 0 { "- " } else { "  " };
                                    out.push_str(&format!(
                                        "{pad}{dash}{lead}{key}: {}\n",
                                        value_text(w, style)
                                    ));
                                }
                            }
                        }
                        _ => out.push_str(&format!(
                            "{pad}{k}: {}{}\n",
                            value_text(w, style),
                            note(n)
                        )),
                    }
                }
            }
            out.push_str("---\n");
        }
        Format::Toml => {
            out.push_str("+++\n");
            // Lists of records as `[[section.key]]` tables go last, where
            // no key of a section can follow them.
            let mut tables: Vec<(String, &Vec<Entry>)> = Vec::new();
            for (section, entries) in &sections {
                if !section.is_empty() {
                    n += 1;
                    out.push_str(&format!("\n[{section}]{}\n", note(n)));
                }
                for (k, w) in entries {
                    n += 1;
                    if let Written::Records(list) = w
                        && style.block_lists
                        && !list.is_empty()
                    {
                        tables.push((format!("{section}.{k}"), list));
                    } else if !matches!(w, Written::Empty) {
                        out.push_str(&format!("{k} = {}{}\n", value_text(w, style), note(n)));
                    }
                }
            }
            for (path, list) in tables {
                for e in list {
                    // No comment here: removing the entry removes its header.
                    out.push_str(&format!("\n[[{path}]]\n"));
                    for (k, w) in e {
                        out.push_str(&format!("{k} = {}\n", value_text(w, style)));
                    }
                }
            }
            out.push_str("+++\n");
        }
        Format::Json => {
            // Nested objects, written out by hand to keep the layout.
            let mut tree: Vec<(String, Vec<String>)> = Vec::new();
            fn put(tree: &mut Vec<(String, Vec<String>)>, path: &str, line: String) {
                match tree.iter_mut().find(|(p, _)| p == path) {
                    Some((_, lines)) => lines.push(line),
                    None => tree.push((path.to_string(), vec![line])),
                }
            }
            for (section, entries) in &sections {
                for (k, w) in entries {
                    put(
                        &mut tree,
                        section,
                        format!("\"{k}\": {}", value_text(w, style)),
                    );
                }
            }
            fn object(
                tree: &[(String, Vec<String>)],
                path: &str,
                depth: usize,
                unit: usize,
            ) -> String {
                let mut lines: Vec<String> = tree
                    .iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default();
                let children: Vec<&str> = [
                    "framing",
                    "data",
                    "governance",
                    "change",
                    "metrics",
                    "metrics.technical",
                ]
                .into_iter()
                .filter(|s| {
                    let parent = s.rfind('.').map_or("", |i| &s[..i]);
                    parent == path
                        && tree
                            .iter()
                            .any(|(p, _)| p == s || p.starts_with(&format!("{s}.")))
                })
                .collect();
                for c in children {
                    let name = c.rsplit('.').next().unwrap();
                    lines.push(format!("\"{name}\": {}", object(tree, c, depth + 1, unit)));
                }
                let pad = " ".repeat((depth + 1) * unit);
                let end = " ".repeat(depth * unit);
                format!("{{\n{pad}{}\n{end}}}", lines.join(&format!(",\n{pad}")))
            }
            out.push_str(&object(&tree, "", 0, style.indent));
            out.push('\n');
        }
    }
    out.push_str("\n## Story\n\nThe pilot's story, with `key: value` and # marks.\n");
    let mut out = if style.crlf {
        out.replace('\n', "\r\n")
    } else {
        out
    };
    if style.bom {
        out.insert(0, '\u{feff}');
    }
    out
}

/// The typed answer a reader gives for `typed`, as the form sends it.
fn expected(kind: Kind, typed: &Written) -> Value {
    match (kind, typed) {
        (Kind::Text | Kind::TextOrNumber, Written::Text(s)) => Value::Text(s.clone()),
        (Kind::Date, Written::Date(d)) => Value::Date(d.parse::<Date>().unwrap()),
        (Kind::Number, Written::Number(n)) => Value::Number(n.parse().unwrap()),
        (Kind::Share, Written::Share(s)) => Value::Share(match s.strip_suffix('%') {
            Some(p) => p.parse::<f64>().unwrap() / 100.0,
            None => s.parse().unwrap(),
        }),
        (Kind::Bool, Written::Bool(b)) => Value::Bool(*b),
        (Kind::Choice(words), Written::Word(w)) => {
            Value::Choice(words.iter().find(|x| *x == w).unwrap())
        }
        (Kind::TextList, Written::List(items)) => Value::List(items.clone()),
        _ => unreachable!(),
    }
}

fn input(typed: &Written) -> Input {
    match typed {
        Written::Bool(b) => Input::Bool(*b),
        Written::List(items) => Input::List(items.clone()),
        Written::Text(s)
        | Written::Date(s)
        | Written::Number(s)
        | Written::Share(s)
        | Written::Word(s) => Input::Text(s.clone()),
        Written::Empty => Input::Text(String::new()),
        Written::Records(_) => unreachable!("edited entry by entry"),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Share(x), Value::Share(y)) | (Value::Number(x), Value::Number(y)) => {
            (x - y).abs() < 1e-9
        }
        _ => a == b,
    }
}

/// A field that can be edited, and a valid value for it.
fn edit() -> impl Strategy<Value = (usize, Written)> {
    let editable: Vec<usize> = (0..FIELDS.len())
        .filter(|i| editable(FIELDS[*i].kind))
        .collect();
    proptest::sample::select(editable).prop_flat_map(|i| (Just(i), written(FIELDS[i].kind)))
}

/// A value the reader refuses for a field of `kind`, if there is one.
fn invalid(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Date => Some("next month"),
        Kind::Share => Some("about 80"),
        Kind::Number => Some("12 units"),
        Kind::Choice(_) => Some("maybe"),
        _ => None,
    }
}

/// A change to a list of records: add an entry, answer one key of entry
/// `n % len`, or remove entry `n % len`.
#[derive(Debug, Clone)]
enum Change {
    Add(Entry),
    Set(usize, &'static str, Written),
    Remove(usize),
}

/// A list of records of the format and a change to it.
fn record_edit() -> impl Strategy<Value = (usize, Change)> {
    let lists: Vec<usize> = (0..FIELDS.len())
        .filter(|i| !editable(FIELDS[*i].kind))
        .collect();
    proptest::sample::select(lists).prop_flat_map(|i| {
        let kind = FIELDS[i].kind;
        let keys = entry_keys(kind).expect("a list of records");
        let set = proptest::sample::select(keys.to_vec()).prop_flat_map(|(name, k)| {
            let name: &'static str = name;
            (0usize..8, written(k)).prop_map(move |(n, w)| Change::Set(n, name, w))
        });
        let change = prop_oneof![
            entry(kind).prop_map(Change::Add),
            set,
            (0usize..8).prop_map(Change::Remove),
        ];
        (Just(i), change)
    })
}

fn entry_input(e: &Entry) -> Input {
    Input::Entry(e.iter().map(|(k, w)| (k.to_string(), input(w))).collect())
}

/// The answer a reader gives for a list of records, an empty list read
/// as no answer (a list emptied by the editor may be left out).
fn records(kind: Kind, entries: &[Entry]) -> Option<Value> {
    if entries.is_empty() {
        return None;
    }
    let text = |e: &Entry, key: &str| {
        e.iter().find(|(k, _)| *k == key).map(|(_, w)| match w {
            Written::Text(s) => s.clone(),
            other => unreachable!("{other:?}"),
        })
    };
    let number = |e: &Entry, key: &str| {
        e.iter().find(|(k, _)| *k == key).map(|(_, w)| match w {
            Written::Number(n) => n.parse::<f64>().unwrap(),
            other => unreachable!("{other:?}"),
        })
    };
    Some(match kind {
        Kind::Gaps => Value::Gaps(
            entries
                .iter()
                .map(|e| Gap {
                    gap: text(e, "gap"),
                    addressed: e
                        .iter()
                        .find(|(k, _)| *k == "addressed")
                        .map(|(_, w)| matches!(w, Written::Bool(true))),
                })
                .collect(),
        ),
        Kind::Kpis => Value::Kpis(
            entries
                .iter()
                .map(|e| Kpi {
                    name: text(e, "name"),
                    unit: text(e, "unit"),
                    baseline: number(e, "baseline"),
                    target: number(e, "target"),
                    direction: e
                        .iter()
                        .find(|(k, _)| *k == "direction")
                        .map(|(_, w)| match w {
                            Written::Word(d) if d == "lower" => Direction::Lower,
                            _ => Direction::Higher,
                        }),
                    actual: number(e, "actual"),
                    owner: text(e, "owner"),
                })
                .collect(),
        ),
        _ => unreachable!(),
    })
}

fn read_records(v: Option<&Value>) -> Option<Value> {
    match v {
        Some(Value::Gaps(g)) if g.is_empty() => None,
        Some(Value::Kpis(k)) if k.is_empty() => None,
        other => other.cloned(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn setting_any_answer_changes_that_answer_and_no_other_byte(
        style in style(),
        answers in answers(),
        (field, typed) in edit(),
    ) {
        let old = render(&answers, &style);
        let before = load_text(old.as_bytes(), "x.md", "x.md", "x");
        let before = before.dossier.unwrap_or_else(|| panic!("the generated file reads:\n{old}\n{:?}", before.diagnostics));
        let op = Op::Set { path: FIELDS[field].path.into(), value: input(&typed) };
        let edited = apply(old.as_bytes(), &op)
            .unwrap_or_else(|r| panic!("{} = {typed:?} refused: {r:?}\n{old}", FIELDS[field].path));
        let new = String::from_utf8(edited.bytes.clone()).unwrap();

        // Every byte outside the replaced region is as it was.
        let r = edited.replaced.clone();
        prop_assert_eq!(&edited.bytes[..r.start], &old.as_bytes()[..r.start]);
        prop_assert_eq!(&edited.bytes[r.start + edited.text.len()..], &old.as_bytes()[r.end..]);
        // The region holds the old value only: no comment, no other key.
        prop_assert!(!old[r.clone()].contains("note"), "a comment was replaced: {:?}", &old[r.clone()]);
        prop_assert_eq!(old.matches("note").count(), new.matches("note").count());
        if style.crlf {
            prop_assert!(!new.replace("\r\n", "").contains('\n'), "a bare line end in {:?}", new);
        }
        prop_assert_eq!(new.starts_with('\u{feff}'), style.bom);

        // Reading back gives the value, and every other answer unchanged.
        let after = load_text(new.as_bytes(), "x.md", "x.md", "x");
        let after = after.dossier.unwrap_or_else(|| panic!("the edited file reads:\n{new}\n{:?}", after.diagnostics));
        let got = after.answer(field).unwrap_or_else(|| panic!("{} unanswered after the edit:\n{new}", FIELDS[field].path));
        prop_assert!(same(got, &expected(FIELDS[field].kind, &typed)), "{} reads {:?}, not {:?}\n{}", FIELDS[field].path, got, typed, new);
        for (i, f) in FIELDS.iter().enumerate() {
            if i != field {
                prop_assert_eq!(before.answer(i), after.answer(i), "{} changed\n{}", f.path, new);
            }
        }
        prop_assert_eq!(&before.body, &after.body);
    }

    #[test]
    fn a_value_the_reader_refuses_writes_nothing(
        style in style(),
        answers in answers(),
        (field, _) in edit(),
    ) {
        let Some(bad) = invalid(FIELDS[field].kind) else { return Ok(()); };
        let old = render(&answers, &style);
        let op = Op::Set { path: FIELDS[field].path.into(), value: Input::Text(bad.into()) };
        let refused = apply(old.as_bytes(), &op);
        prop_assert!(refused.is_err(), "{} = {bad:?} was accepted:\n{:?}", FIELDS[field].path, refused.map(|e| String::from_utf8(e.bytes)));
        let message = refused.unwrap_err().message;
        prop_assert!(message.contains(FIELDS[field].key()), "the reader's message names the key: {}", message);
    }

    #[test]
    fn adding_editing_and_removing_an_entry_changes_that_entry_and_no_other_byte(
        style in style(),
        answers in answers(),
        (field, change) in record_edit(),
    ) {
        let kind = FIELDS[field].kind;
        let path = FIELDS[field].path;
        let old = render(&answers, &style);
        let before = load_text(old.as_bytes(), "x.md", "x.md", "x");
        let before = before.dossier.unwrap_or_else(|| panic!("the generated file reads:\n{old}\n{:?}", before.diagnostics));
        let mut list: Vec<Entry> = match &answers[field] {
            Some(Written::Records(list)) => list.clone(),
            _ => Vec::new(),
        };
        let change = match change {
            Change::Set(_, key, w) if list.is_empty() => Change::Add(vec![(key, w)]),
            Change::Remove(_) if list.is_empty() => return Ok(()),
            other => other,
        };
        let op = match &change {
            Change::Add(e) => {
                list.push(e.clone());
                Op::Add { path: path.into(), entry: entry_input(e) }
            }
            Change::Set(n, key, w) => {
                let i = n % list.len();
                let order: Vec<&str> = entry_keys(kind).unwrap().iter().map(|(k, _)| *k).collect();
                match list[i].iter_mut().find(|(k, _)| k == key) {
                    Some(slot) => slot.1 = w.clone(),
                    None => {
                        list[i].push((key, w.clone()));
                        list[i].sort_by_key(|(k, _)| order.iter().position(|o| o == k));
                    }
                }
                Op::Set { path: format!("{path}.{i}.{key}"), value: input(w) }
            }
            Change::Remove(n) => {
                let i = n % list.len();
                list.remove(i);
                Op::Remove { path: format!("{path}.{i}") }
            }
        };
        let edited = apply(old.as_bytes(), &op)
            .unwrap_or_else(|r| panic!("{op:?} refused: {r:?}\n{old}"));
        let new = String::from_utf8(edited.bytes.clone()).unwrap();

        let r = edited.replaced.clone();
        prop_assert_eq!(&edited.bytes[..r.start], &old.as_bytes()[..r.start]);
        prop_assert_eq!(&edited.bytes[r.start + edited.text.len()..], &old.as_bytes()[r.end..]);
        // Every comment is kept (emptying a block list rewrites its key's
        // line, comment included, as `key: []  # comment`).
        prop_assert_eq!(old.matches("note").count(), new.matches("note").count());
        for c in old.lines().filter_map(comment_of) {
            prop_assert!(new.contains(&format!("  # {c}")), "the comment {:?} was lost:\n{}", c, new);
        }
        if style.crlf {
            prop_assert!(!new.replace("\r\n", "").contains('\n'), "a bare line end in {:?}", new);
        }
        prop_assert_eq!(new.starts_with('\u{feff}'), style.bom);

        let after = load_text(new.as_bytes(), "x.md", "x.md", "x");
        let after = after.dossier.unwrap_or_else(|| panic!("the edited file reads:\n{new}\n{:?}", after.diagnostics));
        prop_assert_eq!(read_records(after.answer(field)), records(kind, &list), "{:?}\nbefore:\n{}\nafter:\n{}", op, old, new);
        for (i, f) in FIELDS.iter().enumerate() {
            if i != field {
                prop_assert_eq!(before.answer(i), after.answer(i), "{} changed\n{}", f.path, new);
            }
        }
        prop_assert_eq!(&before.body, &after.body);
    }

    #[test]
    fn an_entry_the_reader_refuses_writes_nothing(
        style in style(),
        answers in answers(),
        (field, change) in record_edit(),
        bad in prop_oneof![Just("12 units"), Just("about 80")],
    ) {
        // Only KPIs have keys that can be wrong: numbers and a direction.
        if FIELDS[field].kind != Kind::Kpis {
            return Ok(());
        }
        let path = FIELDS[field].path;
        let old = render(&answers, &style);
        let len = match &answers[field] {
            Some(Written::Records(list)) => list.len(),
            _ => 0,
        };
        let (op, key) = match change {
            Change::Set(n, _, _) | Change::Remove(n) if len > 0 => (
                Op::Set { path: format!("{path}.{}.target", n % len), value: Input::Text(bad.into()) },
                "target",
            ),
            _ => (
                Op::Add {
                    path: path.into(),
                    entry: Input::Entry(vec![
                        ("name".into(), Input::Text("Calls".into())),
                        ("direction".into(), Input::Text("lower".into())),
                        ("baseline".into(), Input::Text(bad.into())),
                    ]),
                },
                "baseline",
            ),
        };
        let refused = apply(old.as_bytes(), &op);
        prop_assert!(refused.is_err(), "{:?} was accepted:\n{:?}", op, refused.map(|e| String::from_utf8(e.bytes)));
        let message = refused.unwrap_err().message;
        prop_assert!(message.contains(key), "the reader's message names the key: {}", message);
    }
}
