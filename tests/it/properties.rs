//! Properties of reading and judging that must hold for any input: reading
//! never panics, whatever the bytes; and a dossier built from known keys with
//! values of any type either reads (and then judges to scores in range and a
//! report that serializes) or is refused with diagnostics, never a panic.

use std::collections::BTreeMap;

use jiff::civil::Date;
use pilotscope::dossier::load_text;
use pilotscope::dossier::schema::{FIELDS, GAP_KEYS, KPI_KEYS, Kind, STAGES};
use pilotscope::framework::{Framework, judge};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

fn config() -> Config {
    Config {
        cases: 256,
        ..Config::default()
    }
}

// ---------------------------------------------------------------- any bytes

fn any_file() -> impl Strategy<Value = Vec<u8>> {
    let bytes = proptest::collection::vec(any::<u8>(), 0..512);
    // Text made of the characters YAML, TOML and JSON give meaning to.
    let syntax = "[-:,\\[\\]{}&*!|>'\"%@#=+.~?a-z0-9 \t\r\n]{0,300}";
    prop_oneof![
        bytes.clone(),
        (
            prop_oneof![
                Just("---\n"),
                Just("+++\n"),
                Just("{"),
                Just("\u{feff}---\r\n")
            ],
            bytes
        )
            .prop_map(|(fence, rest)| [fence.as_bytes(), &rest].concat()),
        (prop_oneof![Just("---"), Just("+++")], syntax)
            .prop_map(|(fence, body)| format!("{fence}\n{body}\n{fence}\nStory").into_bytes()),
        "\\{[-:,\\[\\]{}\"a-z0-9 \n]{0,300}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn reading_any_bytes_never_panics(bytes in any_file()) {
        let loaded = load_text(&bytes, "content/x.md", "x.md", "x");
        // A file is either judged or says why not.
        prop_assert!(loaded.dossier.is_some() || loaded.diagnostics.iter().any(|d| d.is_error()));
    }
}

// ---------------------------------------------------------------- structured front matter

/// A YAML value of any type.
#[derive(Debug, Clone)]
enum Yaml {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Written in double quotes.
    Quoted(String),
    /// Written as it is (a plain scalar).
    Plain(String),
    Percent(f64),
    /// `YYYY-MM-DD`, not always a real day.
    Date(i32, u32, u32),
    List(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    /// Flow style, so that any value fits after `key: ` on one line.
    fn flow(&self) -> String {
        match self {
            Yaml::Null => "~".into(),
            Yaml::Bool(b) => b.to_string(),
            Yaml::Int(i) => i.to_string(),
            Yaml::Float(f) => f.to_string(),
            Yaml::Quoted(s) => serde_json::to_string(s).expect("a string serializes"),
            Yaml::Plain(s) => s.clone(),
            Yaml::Percent(p) => format!("\"{p}%\""),
            Yaml::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
            Yaml::List(items) => format!(
                "[{}]",
                items.iter().map(Yaml::flow).collect::<Vec<_>>().join(", ")
            ),
            Yaml::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.flow()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Keys of nested maps: those of KPIs and gaps (so that lists of them read),
/// and a few others.
fn entry_key() -> impl Strategy<Value = String> {
    let known: Vec<&'static str> = KPI_KEYS.iter().chain(GAP_KEYS).map(|(k, _)| *k).collect();
    prop_oneof![
        4 => proptest::sample::select(known).prop_map(str::to_string),
        1 => "[a-z][a-z_]{0,8}",
    ]
}

fn scalar() -> impl Strategy<Value = Yaml> {
    prop_oneof![
        Just(Yaml::Null),
        any::<bool>().prop_map(Yaml::Bool),
        any::<i64>().prop_map(Yaml::Int),
        (-1000i64..1000).prop_map(Yaml::Int),
        (-2.0f64..2.0).prop_map(Yaml::Float),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Yaml::Float),
        "\\PC{0,30}".prop_map(Yaml::Quoted),
        Just(Yaml::Quoted(String::new())),
        Just(Yaml::Quoted("   ".into())),
        "[A-Za-z][A-Za-z0-9 _]{0,20}".prop_map(Yaml::Plain),
        proptest::sample::select(vec![
            "business",
            "it",
            "vendor",
            "production",
            "synthetic",
            "real_scenarios",
            "lower",
            "higher",
            "yes",
            "no"
        ])
        .prop_map(|w| Yaml::Plain(w.into())),
        (-50.0f64..150.0).prop_map(Yaml::Percent),
        (1990i32..2100, 0u32..14, 0u32..33).prop_map(|(y, m, d)| Yaml::Date(y, m, d)),
        (2025i32..2028, 1u32..13, 1u32..29).prop_map(|(y, m, d)| Yaml::Date(y, m, d)),
    ]
}

fn value() -> impl Strategy<Value = Yaml> {
    scalar().prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Yaml::List),
            proptest::collection::vec((entry_key(), inner), 0..6).prop_map(Yaml::Map),
        ]
    })
}

fn word() -> impl Strategy<Value = Yaml> {
    "[A-Za-z][A-Za-z0-9 ]{0,20}".prop_map(Yaml::Plain)
}

/// A value of the shape a field of `kind` expects, to the edges of it
/// (blank text, 0% and 100%, empty lists, KPIs with values missing).
fn fitting(kind: Kind) -> BoxedStrategy<Yaml> {
    let share = || {
        prop_oneof![
            (0.0f64..=1.0).prop_map(Yaml::Float),
            (0.0f64..=100.0).prop_map(Yaml::Percent),
            Just(Yaml::Int(0)),
            Just(Yaml::Int(1))
        ]
    };
    let date = || (2024i32..2028, 1u32..13, 1u32..29).prop_map(|(y, m, d)| Yaml::Date(y, m, d));
    let number = || {
        prop_oneof![
            (0i64..1_000_000).prop_map(Yaml::Int),
            (0.0f64..100.0).prop_map(Yaml::Float)
        ]
    };
    match kind {
        Kind::Text => prop_oneof![4 => word(), 1 => Just(Yaml::Quoted("  ".into())), 1 => (0i64..100).prop_map(Yaml::Int)].boxed(),
        Kind::TextOrNumber => prop_oneof![word(), number()].boxed(),
        Kind::Date => date().boxed(),
        Kind::Share => share().boxed(),
        Kind::Number => number().boxed(),
        Kind::Bool => any::<bool>().prop_map(Yaml::Bool).boxed(),
        Kind::Choice(words) => proptest::sample::select(words.to_vec()).prop_map(|w| Yaml::Plain(w.into())).boxed(),
        Kind::TextList => prop_oneof![proptest::collection::vec(prop_oneof![word(), Just(Yaml::Quoted(String::new()))], 0..4).prop_map(Yaml::List), word()].boxed(),
        Kind::Gaps => {
            let gap = (proptest::option::of(word()), proptest::option::of(any::<bool>())).prop_map(|(g, a)| {
                Yaml::Map(g.map(|g| ("gap".to_string(), g)).into_iter().chain(a.map(|a| ("addressed".to_string(), Yaml::Bool(a)))).collect())
            });
            proptest::collection::vec(prop_oneof![4 => gap, 1 => word()], 0..4).prop_map(Yaml::List).boxed()
        }
        Kind::Kpis => {
            let kpi = proptest::collection::vec(
                prop_oneof![
                    word().prop_map(|w| ("name".to_string(), w)),
                    word().prop_map(|w| ("unit".to_string(), w)),
                    word().prop_map(|w| ("owner".to_string(), w)),
                    number().prop_map(|n| ("baseline".to_string(), n)),
                    number().prop_map(|n| ("target".to_string(), n)),
                    number().prop_map(|n| ("actual".to_string(), n)),
                    proptest::sample::select(vec!["lower", "higher"]).prop_map(|d| ("direction".to_string(), Yaml::Plain(d.into()))),
                ],
                0..8,
            )
            .prop_map(|mut entries| {
                // One value per key, as a real KPI has.
                let mut seen = std::collections::BTreeSet::new();
                entries.retain(|(k, _)| seen.insert(k.clone()));
                Yaml::Map(entries)
            });
            proptest::collection::vec(kpi, 0..4).prop_map(Yaml::List).boxed()
        }
    }
}

/// An answer to field `i`: mostly of the shape it expects, sometimes of
/// any type at all.
fn answer() -> impl Strategy<Value = (usize, Yaml)> {
    (0..FIELDS.len()).prop_flat_map(|i| {
        (
            Just(i),
            prop_oneof![20 => fitting(FIELDS[i].kind), 1 => value()],
        )
    })
}

/// A front matter of known keys with values of any type, a few unknown or
/// misspelled keys, and (mostly) a valid title and stage.
fn front_matter() -> impl Strategy<Value = String> {
    let answers = proptest::collection::vec(answer(), 0..30);
    let title = prop_oneof![9 => "[A-Z][a-z ]{0,20}".prop_map(Yaml::Plain), 1 => value()];
    let stage = prop_oneof![9 => proptest::sample::select(STAGES).prop_map(|s| Yaml::Plain(s.into())), 1 => value()];
    let extra_keys = vec![
        "goverance",
        "adoption",
        "owner",
        "framing",
        "data",
        "cost_centre",
        "production_owner",
        "metrics",
    ];
    let extras = proptest::collection::vec((proptest::sample::select(extra_keys), value()), 0..3);
    (title, stage, answers, extras).prop_map(|(title, stage, answers, extras)| {
        let mut tree = Tree::default();
        tree.insert(&["title"], title);
        tree.insert(&["stage"], stage);
        for (i, v) in answers {
            let path: Vec<&str> = FIELDS[i].path.split('.').collect();
            tree.insert(&path, v);
        }
        for (k, v) in extras {
            tree.insert(&[k], v);
        }
        let mut out = String::from("---\n");
        tree.render(0, &mut out);
        out.push_str("---\nThe story.\n");
        out
    })
}

/// Nested sections of block YAML; leaves in flow style. The first value
/// given for a key stays (no duplicate keys are written).
#[derive(Default)]
struct Tree(BTreeMap<String, Node>);

enum Node {
    Leaf(Yaml),
    Section(Tree),
}

impl Tree {
    fn insert(&mut self, path: &[&str], value: Yaml) {
        match path {
            [] => {}
            [key] => {
                self.0.entry(key.to_string()).or_insert(Node::Leaf(value));
            }
            [section, rest @ ..] => {
                if let Node::Section(inner) = self
                    .0
                    .entry(section.to_string())
                    .or_insert_with(|| Node::Section(Tree::default()))
                {
                    inner.insert(rest, value);
                }
            }
        }
    }

    fn render(&self, indent: usize, out: &mut String) {
        for (key, node) in &self.0 {
            match node {
                Node::Leaf(v) => out.push_str(&format!("{:indent$}{key}: {}\n", "", v.flow())),
                Node::Section(inner) => {
                    out.push_str(&format!("{:indent$}{key}:\n", ""));
                    inner.render(indent + 2, out);
                }
            }
        }
    }
}

fn as_of() -> impl Strategy<Value = Date> {
    (2000i16..2100, 1i8..13, 1i8..29).prop_map(|(y, m, d)| Date::new(y, m, d).expect("a real day"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_structured_front_matter_reads_and_judges_within_bounds(text in front_matter(), as_of in as_of(), stale_days in 0i64..400) {
        let loaded = load_text(text.as_bytes(), "content/x.md", "x.md", "x");
        let Some(dossier) = loaded.dossier else {
            prop_assert!(loaded.diagnostics.iter().any(|d| d.is_error()), "refused without an error:\n{text}");
            return Ok(());
        };
        let framework = Framework::builtin();
        let g = judge(&dossier, &framework, as_of, stale_days);
        prop_assert!(g.readiness <= 100);
        for m in &g.mistakes {
            prop_assert!(m.score <= 100);
        }
        let column = dossier.stage.column();
        prop_assert_eq!(g.checks.len(), framework.checks.iter().filter(|c| c.severity[column].is_some()).count());
        prop_assert_eq!(g.most_active.is_none(), g.checks.iter().all(|c| !c.outcome.is_failing()));
        let json = serde_json::to_string(&pilotscope::report::dossier_json(&dossier, &g, &framework));
        prop_assert!(json.is_ok(), "{:?}", json);
    }
}

/// The property above is only worth something if many generated front
/// matters read as dossiers and reach `judge`.
#[test]
fn most_structured_front_matters_reach_the_judge() {
    let mut runner = TestRunner::deterministic();
    let strategy = front_matter();
    let total = 300;
    let judged = (0..total)
        .filter(|_| {
            let text = strategy.new_tree(&mut runner).expect("a value").current();
            load_text(text.as_bytes(), "content/x.md", "x.md", "x")
                .dossier
                .is_some()
        })
        .count();
    assert!(
        judged * 4 >= total,
        "only {judged} of {total} generated dossiers were judged"
    );
}
