//! The two ways `site::markdown` turns a story into HTML agree: for any
//! markdown the fast path takes, its HTML is the sanitizing path's (the same
//! bytes, and so the same document), and it never holds an element, an
//! attribute or an address the sanitizer would have removed. The markdown
//! is generated from the pieces hostile dossiers are made of: addresses with
//! forbidden, disguised and relative schemes, heading attributes, odd
//! code-block info strings, tables, footnotes, task lists, entities, quotes
//! and ampersands.

use std::collections::BTreeMap;

use pilotscope::site::markdown::{self, Ids};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

fn config() -> Config {
    Config {
        cases: 1024,
        ..Config::default()
    }
}

// ---------------------------------------------------------------- the two paths

/// The events of `md` after `transform`, as `render_beside` makes them.
fn events(md: &str, shift: u8, taken: &[&str]) -> Vec<Event<'static>> {
    let mut ids = Ids::default();
    for id in taken {
        ids.reserve(id);
    }
    markdown::transform(Parser::new_ext(md, markdown::options()), shift, &mut ids)
        .into_iter()
        .map(Event::into_static)
        .collect()
}

/// Both paths' HTML: the fast one (when it takes the markdown) and the
/// sanitizing one.
fn both(md: &str, shift: u8) -> (Option<String>, String) {
    let events = events(md, shift, &["data"]);
    (
        markdown::fast_html(&events),
        markdown::sanitized_html(events),
    )
}

// ---------------------------------------------------------------- documents as trees

/// A node of a parsed fragment: what the comparison looks at.
#[derive(Debug, PartialEq)]
enum Node {
    Element {
        name: String,
        attrs: BTreeMap<String, String>,
        children: Vec<Node>,
    },
    Text(String),
}

/// The tree of `html` as an HTML parser reads it (adjacent text merged).
fn tree(html: &str) -> Vec<Node> {
    let fragment = scraper::Html::parse_fragment(html);
    // `parse_fragment` puts the nodes under an `<html>` root element.
    children(fragment.root_element())
}

fn children(element: scraper::ElementRef<'_>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    for child in element.children() {
        match child.value() {
            scraper::Node::Element(e) => out.push(Node::Element {
                name: e.name().to_string(),
                attrs: e
                    .attrs()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                children: children(scraper::ElementRef::wrap(child).expect("an element")),
            }),
            scraper::Node::Text(t) => match out.last_mut() {
                Some(Node::Text(last)) => last.push_str(t),
                _ => out.push(Node::Text(t.to_string())),
            },
            // Comments and the like: the sanitizer removes them, the fast
            // path never writes them.
            other => out.push(Node::Text(format!("unexpected node {other:?}"))),
        }
    }
    out
}

/// The elements and attributes the sanitizer lets through for markdown
/// (its configuration in `site::markdown`, narrowed to what markdown makes).
fn allowed(element: &str, attr: &str, value: &str) -> bool {
    match (element, attr) {
        ("a", "href") => {
            let scheme_ok = match url::Url::parse(value) {
                Ok(u) => ["http", "https", "mailto", "tel"].contains(&u.scheme()),
                Err(e) => e == url::ParseError::RelativeUrlWithoutBase,
            };
            let lower = value.to_ascii_lowercase();
            scheme_ok
                && !["javascript:", "data:", "vbscript:"]
                    .iter()
                    .any(|s| lower.trim_start().starts_with(s))
        }
        ("a", "rel") => value == "noopener noreferrer",
        ("a", "title") | ("h2" | "h3" | "h4" | "h5" | "h6" | "div" | "li", "id") => true,
        ("pre", "tabindex") => value == "0",
        ("ol", "start") => value.parse::<u64>().is_ok(),
        ("span", "class") => value == "task" || value == "task task-done",
        ("sup", "class") => value == "footnote-reference" || value == "footnote-definition-label",
        ("div", "class") => value == "footnote-definition",
        _ => false,
    }
}

const ELEMENTS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
    "sup",
    "div",
    "span",
];

fn assert_only_allowed(nodes: &[Node], html: &str) -> Result<(), TestCaseError> {
    for node in nodes {
        if let Node::Element {
            name,
            attrs,
            children,
        } = node
        {
            prop_assert!(ELEMENTS.contains(&name.as_str()), "<{}> in {}", name, html);
            for (k, v) in attrs {
                prop_assert!(allowed(name, k, v), "<{} {}={:?}> in {}", name, k, v, html);
            }
            // `rel` only with an address, as `drop_rel_of_anchors_without_href`
            // leaves it.
            if name == "a" {
                prop_assert_eq!(attrs.contains_key("href"), attrs.contains_key("rel"));
            }
            assert_only_allowed(children, html)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- hostile markdown

fn address() -> impl Strategy<Value = &'static str> {
    select(vec![
        "https://example.com/a?b=1&c=2#d",
        "HTTPS://EXAMPLE.COM",
        "http:example.com",
        "mailto:a@example.com",
        "MailTo:a@example.com?subject=a&body=b",
        "tel:+44%2020",
        "/relative/path",
        "relative/path.html",
        "#fragment",
        "?query=1",
        "//evil.example",
        "",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x61;script:alert(1)",
        "&#106;avascript:alert(1)",
        "java&#09;script:alert(1)",
        "javascript&colon;alert(1)",
        "java%0ascript:alert(1)",
        "\\javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "DATA:text/html,x",
        "vbscript:msgbox(1)",
        "ftp://example.com",
        "file:///etc/passwd",
        "http://[::1",
        "https://exa%20mple.com",
        "https://ex.com/it's&amp;\"q\"",
        "a:b",
        "x-y+z.w:thing",
        "1http:x",
        "ht tp://x",
        "https://example.com/caf\u{e9}",
        "https://example.com/\u{a0}nbsp",
    ])
}

fn text() -> impl Strategy<Value = String> {
    let word = select(vec![
        "plain",
        "Q&A",
        "\"quoted\"",
        "it's",
        "a & b",
        "1 > 0",
        "&amp;",
        "&lt;script&gt;",
        "&quot;",
        "&#39;",
        "&nbsp;",
        "\u{a0}",
        "&#0;",
        "&#x0;",
        "&copy;",
        "&bogus;",
        "*em*",
        "**strong**",
        "~~gone~~",
        "_under_",
        "`code & \"q\" <x>`",
        "``a ` b``",
        "\\*",
        "caf\u{e9}",
        "line\nbreak",
        "hard  \nbreak",
        "back\\\nslash",
        "[^note]",
        "[^other note]",
        "[^\"q\"]",
        "[ref link][r]",
        "[r]",
        "https://bare.example",
    ]);
    let link = (
        word.clone(),
        address(),
        select(vec![
            "",
            " \"title\"",
            " 'it''s'",
            " \"a&b \\\"c\\\"\"",
            " (paren)",
        ]),
    )
        .prop_map(|(text, dest, title)| format!("[{text}]({dest}{title})"));
    let angle = address().prop_map(|dest| format!("[x](<{dest}>)"));
    let image = (word.clone(), address()).prop_map(|(alt, dest)| format!("![{alt}]({dest} \"t\")"));
    let linked_image = (address(), address()).prop_map(|(a, b)| format!("[![i]({a})]({b})"));
    // A few pieces with `<`: not raw HTML (a comparison, autolinks) and raw
    // HTML (which the fast path leaves to the sanitizer).
    let angled = select(vec![
        "a < b",
        "<https://example.com/x?a&b>",
        "<javascript:alert(1)>",
        "<mailto:a@b.example>",
        "<a@b.example>",
        "<b>bold</b>",
        "<a href=\"javascript:x\">x</a>",
        "<!-- c -->",
    ]);
    let piece = prop_oneof![
        12 => word.prop_map(str::to_string),
        6 => link,
        2 => angle,
        2 => image,
        1 => linked_image,
        1 => angled.prop_map(str::to_string),
    ];
    proptest::collection::vec(piece, 1..6).prop_map(|pieces| pieces.join(" "))
}

fn info_string() -> impl Strategy<Value = &'static str> {
    select(vec![
        "",
        "rust",
        "\"><script>alert(1)</script>",
        "a\"b'c&d",
        "{.class #id}",
        "lang extra words",
        "&amp;x",
        "\u{a0}",
    ])
}

fn block() -> impl Strategy<Value = String> {
    let heading_attrs = select(vec![
        "",
        "",
        "",
        " {#custom-id}",
        " {#Weird Id!}",
        " {#data}",
        " {.note}",
        " {#x .a .b key=val}",
        " {title=\"t\" lang=en}",
        " {onclick=alert(1)}",
        " {id=other}",
    ]);
    let heading = (1usize..7, text(), heading_attrs).prop_map(|(n, text, attrs)| {
        format!("{} {}{}", "#".repeat(n), text.replace('\n', " "), attrs)
    });
    let code = (info_string(), text(), select(vec!["```", "~~~"]))
        .prop_map(|(info, body, fence)| format!("{fence}{info}\n{body}\n& \" ' <x>\n{fence}"));
    let indented = text().prop_map(|t| format!("    {}", t.replace('\n', "\n    ")));
    let table = (
        select(vec!["|---|---|", "|:--|--:|", "|:-:|---|", "| :- | :-: |"]),
        text(),
        text(),
    )
        .prop_map(|(align, a, b)| {
            format!(
                "| h & \"1\" | h2 |\n{align}\n| {} | {} |\n| x | `y|z` |",
                a.replace(['\n', '|'], " "),
                b.replace(['\n', '|'], " ")
            )
        });
    let footnote = (select(vec!["note", "other note", "\"q\"", "Note"]), text())
        .prop_map(|(label, t)| format!("[^{label}]: {t}"));
    let tasks = (text(), text()).prop_map(|(a, b)| {
        format!(
            "- [x] {}\n- [ ] {}",
            a.replace('\n', " "),
            b.replace('\n', " ")
        )
    });
    let list = (
        select(vec!["- ", "* ", "1. ", "3) ", "7. "]),
        text(),
        text(),
    )
        .prop_map(|(m, a, b)| {
            format!(
                "{m}{}\n{m}{}\n\n  more",
                a.replace('\n', " "),
                b.replace('\n', " ")
            )
        });
    let quote = text().prop_map(|t| format!("> {}", t.replace('\n', "\n> ")));
    let rule = select(vec!["---", "***", "___"]).prop_map(str::to_string);
    let reference = address().prop_map(|dest| format!("[r]: {dest} \"ref title\""));
    prop_oneof![
        4 => text(),
        2 => heading,
        2 => code,
        1 => indented,
        2 => table,
        2 => footnote,
        1 => tasks,
        2 => list,
        1 => quote,
        1 => rule,
        1 => reference,
    ]
}

fn markdown_text() -> impl Strategy<Value = String> {
    let doc = proptest::collection::vec(block(), 1..8).prop_map(|blocks| blocks.join("\n\n"));
    // Now and then the whole story inside a list item or a quote, or with
    // Windows line endings (which the fast path leaves to the sanitizer).
    (doc, 0..8u8).prop_map(|(doc, wrap)| match wrap {
        0 => format!("- {}", doc.replace('\n', "\n  ")),
        1 => format!("> {}", doc.replace('\n', "\n> ")),
        2 => doc.replace('\n', "\r\n"),
        _ => doc,
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_fast_path_writes_what_the_sanitizer_would(md in markdown_text(), shift in 0u8..2) {
        let (fast, sanitized) = both(&md, shift);
        if let Some(fast) = fast {
            // The same document, element by element, attribute by attribute…
            let fast_tree = tree(&fast);
            prop_assert_eq!(&fast_tree, &tree(&sanitized), "markdown: {:?}", md);
            // …and nothing the sanitizer would have removed.
            assert_only_allowed(&fast_tree, &fast)?;
            // And, which is cheap to keep, the same bytes.
            prop_assert_eq!(fast, sanitized, "markdown: {:?}", md);
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// The same, for strings made of the characters markdown and HTML give
    /// meaning to, in any order: structures the generator above would not
    /// think of.
    #[test]
    fn the_fast_path_agrees_on_any_markdown_characters(
        md in "([-#*_`~|:!\\[\\](){}<>&;\"'=./@^ \t\n\r\u{0}\u{a0}aejvstx1]|https://|javascript:|&#x61;|\\[\\^n\\]|\\{#i \\.c k=v\\}){0,60}",
        shift in 0u8..2,
    ) {
        let (fast, sanitized) = both(&md, shift);
        if let Some(fast) = fast {
            prop_assert_eq!(tree(&fast), tree(&sanitized), "markdown: {:?}", md);
            assert_only_allowed(&tree(&fast), &fast)?;
            prop_assert_eq!(fast, sanitized, "markdown: {:?}", md);
        }
    }
}

/// The properties are only worth something if the fast path takes much of
/// the generated markdown, hostile addresses included.
#[test]
fn the_fast_path_takes_much_of_the_generated_markdown() {
    let mut runner = TestRunner::deterministic();
    let strategy = markdown_text();
    let total = 300;
    let mut hostile = 0;
    let fast = (0..total)
        .filter(|_| {
            let md = strategy.new_tree(&mut runner).expect("a value").current();
            let taken = markdown::fast_html(&events(&md, 1, &[])).is_some();
            if taken && md.contains("javascript:") {
                hostile += 1;
            }
            taken
        })
        .count();
    assert!(
        fast * 3 >= total,
        "the fast path took only {fast} of {total} generated stories"
    );
    assert!(hostile > 0, "no hostile address went down the fast path");
}

// ---------------------------------------------------------------- the nasty cases by hand

/// The fast path's HTML for `md` (a story: headings shifted by one), which
/// must be taken and must equal the sanitizer's.
fn fast(md: &str) -> String {
    let (fast, sanitized) = both(md, 1);
    let fast = fast.unwrap_or_else(|| panic!("not taken: {md:?}"));
    assert_eq!(fast, sanitized, "{md:?}");
    fast
}

#[test]
fn forbidden_and_disguised_schemes_lose_the_address() {
    for dest in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x61;script:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "file:///etc/passwd",
        "http://[::1",
    ] {
        assert_eq!(fast(&format!("[x]({dest})")), "<p><a>x</a></p>\n", "{dest}");
    }
    // A title stays; `rel` goes with the address.
    assert_eq!(
        fast("[x](javascript:alert(1) \"a & \\\"b\\\"\")"),
        "<p><a title=\"a &amp; &quot;b&quot;\">x</a></p>\n"
    );
    // Whitespace or an escaped control character inside the scheme makes
    // it a relative address, harmless once percent-encoded.
    assert_eq!(
        fast("[x](<java script:alert(1)>)"),
        "<p><a href=\"java%20script:alert(1)\" rel=\"noopener noreferrer\">x</a></p>\n"
    );
    // And the autolink form.
    assert_eq!(
        fast("<javascript:alert(1)>"),
        "<p><a>javascript:alert(1)</a></p>\n"
    );
}

#[test]
fn allowed_and_relative_addresses_keep_it_with_rel() {
    for (dest, href) in [
        (
            "https://example.com/?a=1&b=2",
            "https://example.com/?a=1&amp;b=2",
        ),
        ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
        ("mailto:a@example.com", "mailto:a@example.com"),
        ("tel:+441234", "tel:+441234"),
        ("/a/b", "/a/b"),
        ("#top", "#top"),
        ("it's", "it's"),
        ("caf\u{e9}", "caf%C3%A9"),
    ] {
        assert_eq!(
            fast(&format!("[x]({dest})")),
            format!("<p><a href=\"{href}\" rel=\"noopener noreferrer\">x</a></p>\n"),
            "{dest}"
        );
    }
    assert_eq!(
        fast("<a@example.com>"),
        "<p><a href=\"mailto:a@example.com\" rel=\"noopener noreferrer\">a@example.com</a></p>\n"
    );
}

#[test]
fn code_blocks_lose_their_language_class_and_can_be_scrolled_to() {
    assert_eq!(
        fast("```\"><script>alert(1)</script>\nx & \"y\" <z>\n```"),
        "<pre tabindex=\"0\"><code>x &amp; \"y\" &lt;z&gt;\n</code></pre>\n"
    );
    assert_eq!(
        fast("Use `a<b & \"c\"`."),
        "<p>Use <code>a&lt;b &amp; \"c\"</code>.</p>\n"
    );
}

#[test]
fn tables_lose_their_alignment_styles() {
    assert_eq!(
        fast("| a | b |\n|:--|--:|\n| 1 | 2 |"),
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n"
    );
}

#[test]
fn footnotes_task_lists_and_text_escape_like_the_sanitizer() {
    assert_eq!(
        fast("Note[^my note].\n\n[^my note]: \"It's\" &amp; \u{a0}done"),
        "<p>Note<sup class=\"footnote-reference\"><a href=\"#fn-my-note\" rel=\"noopener noreferrer\">1</a></sup>.</p>\n\
         <div class=\"footnote-definition\" id=\"fn-my-note\"><sup class=\"footnote-definition-label\">1</sup>\n\
         <p>\"It's\" &amp; &nbsp;done</p>\n</div>\n"
    );
    assert_eq!(
        fast("- [x] done\n- [ ] open"),
        "<ul>\n<li><span class=\"task task-done\">☑</span> done</li>\n<li><span class=\"task\">☐</span> open</li>\n</ul>\n"
    );
    assert_eq!(fast("a  \nb\n\n---"), "<p>a<br>\nb</p>\n<hr>\n");
}

#[test]
fn headings_keep_their_anchor_but_h1_has_none() {
    assert_eq!(
        fast("# Plan {#the-plan}"),
        "<h2 id=\"the-plan\">Plan</h2>\n"
    );
    assert_eq!(fast("## Data"), "<h3 id=\"data-2\">Data</h3>\n");
    let events = events("# Top", 0, &[]);
    assert_eq!(
        markdown::fast_html(&events).as_deref(),
        Some("<h1>Top</h1>\n")
    );
}

#[test]
fn what_the_fast_path_does_not_vouch_for_goes_to_the_sanitizer() {
    for md in [
        // Raw HTML, block and inline.
        "<div onclick=\"x\">a</div>",
        "a <b>b</b>",
        "<!-- comment -->",
        // Heading classes and attributes.
        "# A {.note}",
        "# A {onclick=alert(1)}",
        "# A {title=t}",
        // An image inside a link: two nested `<a>`, which the HTML parser
        // would split.
        "[![i](https://a.example/i.png)](https://b.example)",
    ] {
        let (fast, _) = both(md, 1);
        assert_eq!(fast, None, "{md:?}");
    }
    // Text the HTML parser would change (pulldown-cmark already turns line
    // endings into `\n`, so these are made by hand), and a link inside a
    // link however it comes about.
    let link = || {
        Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: "https://a.example".into(),
            title: "".into(),
            id: "".into(),
        })
    };
    for events in [
        vec![Event::Text("a\rb".into())],
        vec![Event::Code("a\0b".into())],
        vec![
            link(),
            link(),
            Event::End(TagEnd::Link),
            Event::End(TagEnd::Link),
        ],
        vec![
            link(),
            Event::FootnoteReference("n".into()),
            Event::End(TagEnd::Link),
        ],
        vec![Event::InlineHtml("<span class=\"task\">".into())],
    ] {
        assert_eq!(markdown::fast_html(&events), None, "{events:?}");
    }
    // Either way `render` gives the sanitized HTML.
    assert_eq!(
        markdown::render("[![i](javascript:x)](https://b.example)", 1),
        "<p><a href=\"https://b.example\" rel=\"noopener noreferrer\"></a><a>[image: i]</a></p>\n"
    );
}
