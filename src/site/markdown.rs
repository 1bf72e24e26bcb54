//! Markdown to safe HTML: pulldown-cmark for the markdown, ammonia for the
//! HTML that comes out of it.
//!
//! Dossier stories and the FAQ are written by many people, so whatever they
//! contain is rendered through [`render`]: raw HTML is sanitized (no script,
//! style, frames, event handlers or `javascript:` and `data:` addresses),
//! images become links (a published board pack must not fetch anything from
//! elsewhere), and headings move one level down so that the page keeps one
//! outline. Headings get stable anchors.
//!
//! There are two ways from the events to the HTML, with the same result:
//!
//! - The sanitizing path: pulldown-cmark writes HTML, ammonia parses it into
//!   a tree, removes what is not allowed and writes it again. It takes any
//!   markdown, raw HTML included, and is most of the cost of rendering.
//! - The fast path (`markdown/fast.rs`), for documents without raw HTML (almost every
//!   story): the HTML is written straight from the events, with the changes
//!   ammonia would make (link addresses checked against `URL_SCHEMES`,
//!   `rel` on links, `tabindex` on code blocks, no alignment styles or
//!   language classes) made while writing. It is safe because, with no raw
//!   HTML, every tag is one the fast writer spells out from a fixed list and
//!   every piece of the author's text is escaped; whatever it does not know
//!   (raw HTML, heading classes and attributes, a link inside a link…)
//!   sends the document down the sanitizing path. Its output is the
//!   sanitizing path's, byte for byte, on generated hostile markdown
//!   (`tests/it/markdown_paths.rs`).

use crate::dossier::story::passes;
pub use crate::dossier::story::{MAX_MARKS, too_many_marks};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

mod fast;

/// The markdown extensions dossiers may use.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The address schemes a link may have; any other link loses its address.
const URL_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// The `rel` of every link that keeps its address.
const LINK_REL: &str = "noopener noreferrer";

/// The HTML [`transform`] puts in place of task-list markers.
const TASK_DONE_HTML: &str = "<span class=\"task task-done\">☑</span> ";
const TASK_OPEN_HTML: &str = "<span class=\"task\">☐</span> ";

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("div", ["id"])
        .add_tag_attributes("li", ["id"])
        .rm_tags(["img"])
        .add_allowed_classes("span", ["task", "task-done"])
        .add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"])
        .add_allowed_classes("div", ["footnote-definition"])
        .add_allowed_classes("a", ["image-link", "anchor"])
        .add_allowed_classes("table", ["story-table"])
        // A code block scrolls sideways when its lines are long; a
        // scrolling region must be reachable from the keyboard.
        .set_tag_attribute_value("pre", "tabindex", "0")
        .url_schemes(HashSet::from(URL_SCHEMES))
        .link_rel(Some(LINK_REL))
        // Only the ids this module gave (heading anchors, footnotes) stay:
        // an id in an author's raw HTML could repeat one of the page's own
        // (`verdict`, `checks`) and take its links and its script's hooks.
        .attribute_filter(|_element, attribute, value| {
            if attribute != "id" {
                return Some(value.into());
            }
            let ours = OUR_IDS.with(|ids| ids.borrow().contains(value));
            ours.then(|| value.into())
        });
    b
});

thread_local! {
    /// The ids [`sanitized_html`] is sanitizing a document with, for the
    /// sanitizer's attribute filter (a shared builder cannot hold them).
    static OUR_IDS: std::cell::RefCell<HashSet<String>> = std::cell::RefCell::new(HashSet::new());
}

/// Renders `markdown` to sanitized HTML. `shift` moves headings down that
/// many levels (a story's `#` becomes an `h2` on a page whose title is the
/// `h1`).
pub fn render(markdown: &str, shift: u8) -> String {
    render_beside(markdown, shift, &[])
}

/// Like [`render`], for a page that already has elements with the ids
/// `taken`: the story's anchors never repeat them (a story heading
/// `## Data` beside the page's own `#data` section gets `data-2`).
pub fn render_beside(markdown: &str, shift: u8, taken: &[&str]) -> String {
    let _one_at_a_time = passes(markdown, HEAVY_MARKS).map(|_| {
        HEAVY
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    });
    let mut ids = Ids::default();
    for id in taken {
        ids.reserve(id);
    }
    let events = transform(Parser::new_ext(markdown, options()), shift, &mut ids);
    to_html(events)
}

/// The safe HTML of events that went through [`transform`]: written
/// directly when the fast path vouches for them, otherwise written by
/// pulldown-cmark and sanitized.
pub fn to_html(events: Vec<Event<'_>>) -> String {
    fast::write(&events).unwrap_or_else(|| sanitized_html(events))
}

/// The sanitizing path on its own, whatever the events.
#[doc(hidden)]
pub fn sanitized_html(events: Vec<Event<'_>>) -> String {
    let ours: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            Event::Start(Tag::FootnoteDefinition(label)) => Some(label.to_string()),
            _ => None,
        })
        .collect();
    let mut html = String::with_capacity(events.len() * 16);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    OUR_IDS.with(|ids| *ids.borrow_mut() = ours);
    let clean = sanitize(&html);
    OUR_IDS.with(|ids| ids.borrow_mut().clear());
    clean
}

/// The fast path on its own: `None` for events it leaves to the sanitizer.
#[doc(hidden)]
pub fn fast_html(events: &[Event<'_>]) -> Option<String> {
    fast::write(events)
}

/// Sanitizes HTML that came out of markdown.
pub fn sanitize(html: &str) -> String {
    drop_rel_of_anchors_without_href(&SANITIZER.clean(html).to_string())
}

/// The sanitizer gives every `<a>` its `rel`, also one whose unsafe address
/// it removed; `rel` without `href` is invalid HTML, so it goes. Works on
/// the sanitizer's serialization, where `<` outside a tag is always escaped
/// and `"` never appears inside an attribute value.
fn drop_rel_of_anchors_without_href(html: &str) -> String {
    const REL: &str = " rel=\"noopener noreferrer\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        // The end of this tag: the first `>` outside quotes.
        let mut quoted = false;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(rest.len(), |(i, _)| i + 1);
        let tag = &rest[..end];
        let is_anchor = tag.starts_with("<a ") || tag == "<a>";
        let mut names = tag.split('"').step_by(2);
        let has_href = names.any(|outside| outside.contains(" href="));
        if is_anchor && !has_href {
            out.push_str(&tag.replacen(REL, "", 1));
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Unique anchors within one document.
#[derive(Default)]
pub struct Ids {
    /// Every id in use.
    taken: HashSet<String>,
    /// The next suffix to try for a base.
    next: HashMap<String, usize>,
}

impl Ids {
    /// An anchor for a heading with this text: its slug, made unique.
    pub fn unique(&mut self, text: &str) -> String {
        let base = slug::slugify(text);
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        self.claim(&base)
    }

    /// `base` when it is free, otherwise `base-2`, `base-3`…; marks it taken.
    pub fn claim(&mut self, base: &str) -> String {
        let n = self.next.entry(base.to_string()).or_insert(1);
        loop {
            let candidate = if *n == 1 {
                base.to_string()
            } else {
                format!("{base}-{n}")
            };
            *n += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// Marks an id as in use (given by the author, or by the page).
    pub fn reserve(&mut self, id: &str) {
        self.taken.insert(id.to_string());
    }
}

/// Stories with more marks than this render one at a time, so that pages
/// rendered in parallel never hold more than one large story's events (a
/// story of [`MAX_MARKS`] takes up to ~100 MB while it renders).
const HEAVY_MARKS: usize = 20_000;
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Deepest nesting of elements a story may reach. The HTML parser behind
/// the sanitizer takes time quadratic in the depth of nested blocks (a
/// 100 KB story of nested quotes or `<div>`s took over a minute), so deeper
/// markdown containers are flattened (their text kept) and raw HTML that
/// would nest deeper is shown as text.
pub const MAX_DEPTH: usize = 100;

/// Flattens containers below [`MAX_DEPTH`], in place (a story's events
/// can be millions; a second vector of them would double the memory).
fn bound_depth(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    // For each open markdown container: whether it was kept.
    let mut open: Vec<bool> = Vec::new();
    let mut kept = 0usize;
    // Elements opened by raw HTML and not closed yet (an estimate).
    let mut raw = 0usize;
    let mut w = 0;
    for r in 0..events.len() {
        let event = std::mem::replace(&mut events[r], Event::SoftBreak);
        let keep = match &event {
            Event::Start(_) => {
                let keep = kept + raw < MAX_DEPTH;
                open.push(keep);
                if keep {
                    kept += 1;
                }
                keep
            }
            Event::End(_) => {
                let keep = open.pop().unwrap_or(true);
                if keep {
                    kept = kept.saturating_sub(1);
                }
                keep
            }
            _ => true,
        };
        if !keep {
            continue;
        }
        events[w] = match event {
            Event::Html(html) | Event::InlineHtml(html)
                if raw_nesting(&html, kept + raw).is_none() =>
            {
                Event::Text(html)
            }
            Event::Html(html) => {
                raw = raw_nesting(&html, kept + raw)
                    .unwrap_or(0)
                    .saturating_sub(kept);
                Event::Html(html)
            }
            Event::InlineHtml(html) => {
                raw = raw_nesting(&html, kept + raw)
                    .unwrap_or(0)
                    .saturating_sub(kept);
                Event::InlineHtml(html)
            }
            other => other,
        };
        w += 1;
    }
    events.truncate(w);
    events
}

/// The depth after the raw HTML `html`, starting at `depth`, or `None` when
/// it would go deeper than [`MAX_DEPTH`]. Counts start and end tags outside
/// quoted attribute values; void elements and those whose end tag may be
/// left out do not nest. It errs towards deeper, never shallower.
fn raw_nesting(html: &str, mut depth: usize) -> Option<usize> {
    const FLAT: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "rb", "rt",
        "rp", "thead", "tbody", "tfoot", "colgroup", "caption",
    ];
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let name_start = i + 1 + usize::from(closing);
        let name_end = b[name_start..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .map_or(b.len(), |n| name_start + n);
        // The end of the tag: the first `>` outside quotes.
        let mut j = name_end;
        let mut quote = None;
        while j < b.len() {
            match (quote, b[j]) {
                (None, b'>') => break,
                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            j += 1;
        }
        if name_end > name_start && b[name_start].is_ascii_alphabetic() {
            let name = html[name_start..name_end].to_ascii_lowercase();
            if !FLAT.contains(&name.as_str()) {
                if closing {
                    depth = depth.saturating_sub(1);
                } else {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return None;
                    }
                }
            }
        }
        i = j + 1;
    }
    Some(depth)
}

/// The id given to each footnote label of one document.
#[derive(Default)]
struct Footnotes(HashMap<String, String>);

impl Footnotes {
    fn id(&mut self, label: &str, ids: &mut Ids) -> String {
        if let Some(id) = self.0.get(label) {
            return id.clone();
        }
        let slug = slug::slugify(label);
        let id = ids.claim(&format!(
            "fn-{}",
            if slug.is_empty() { "note" } else { &slug }
        ));
        self.0.insert(label.to_string(), id.clone());
        id
    }
}

fn shift_level(level: HeadingLevel, shift: u8) -> HeadingLevel {
    let n = (level as u8).saturating_add(shift).min(6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

/// Collects the events, adding heading anchors, shifting levels, turning
/// images into links and task-list markers into symbols.
pub fn transform<'a>(
    parser: impl Iterator<Item = Event<'a>>,
    shift: u8,
    ids: &mut Ids,
) -> Vec<Event<'a>> {
    let events: Vec<Event<'a>> = parser.collect();
    let mut out = Vec::with_capacity(events.len());
    let mut footnotes = Footnotes::default();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                // The heading's text, for its anchor.
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        text.push_str(t);
                    }
                    j += 1;
                }
                let anchor = match id {
                    Some(given) => ids.claim(&slug::slugify(given.as_ref())),
                    None => ids.unique(&text),
                };
                out.push(Event::Start(Tag::Heading {
                    level: shift_level(*level, shift),
                    id: Some(CowStr::from(anchor)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                out.push(Event::End(TagEnd::Heading(shift_level(*level, shift))))
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                // The alt text is the events up to the end of the image.
                let mut alt = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Image)) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        alt.push_str(t);
                    }
                    j += 1;
                }
                let label = if alt.trim().is_empty() {
                    "image".to_string()
                } else {
                    format!("image: {}", alt.trim())
                };
                out.push(Event::Start(Tag::Link {
                    link_type: pulldown_cmark::LinkType::Inline,
                    dest_url: dest_url.clone(),
                    title: title.clone(),
                    id: CowStr::from(""),
                }));
                out.push(Event::Text(CowStr::from(format!("[{label}]"))));
                out.push(Event::End(TagEnd::Link));
                i = j + 1;
                continue;
            }
            // A footnote's label becomes an id: a slug, so that labels with
            // spaces or quotes give valid ids, and unique on the page.
            Event::FootnoteReference(label) => {
                out.push(Event::FootnoteReference(CowStr::from(
                    footnotes.id(label, ids),
                )));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                out.push(Event::Start(Tag::FootnoteDefinition(CowStr::from(
                    footnotes.id(label, ids),
                ))));
            }
            Event::TaskListMarker(done) => {
                let html = if *done {
                    TASK_DONE_HTML
                } else {
                    TASK_OPEN_HTML
                };
                out.push(Event::InlineHtml(CowStr::from(html)));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    drop(events);
    bound_depth(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_never_survive() {
        let md = "Hi <script>alert(1)</script><img src=x onerror=alert(2)> <a href=\"javascript:alert(3)\">x</a>\n\n<iframe src=\"https://evil\"></iframe><style>body{display:none}</style>\n\n[y](javascript:alert(4)) ![z](data:image/png;base64,AAAA)";
        let html = render(md, 1);
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "<iframe",
            "<style",
            "display:none",
            "data:",
            "<img",
        ] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
    }

    #[test]
    fn headings_shift_down_and_get_unique_anchors() {
        let html = render("# Intro\n\n## Intro\n\n### Plan {#the-plan}", 1);
        assert!(html.contains("<h2 id=\"intro\">Intro</h2>"), "{html}");
        assert!(html.contains("<h3 id=\"intro-2\">Intro</h3>"), "{html}");
        assert!(html.contains("<h4 id=\"the-plan\">Plan</h4>"), "{html}");
    }

    #[test]
    fn tables_footnotes_strikethrough_and_task_lists_render() {
        let html = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^1]\n\n[^1]: note\n\n- [x] done\n- [ ] open\n",
            1,
        );
        for good in [
            "<table>",
            "<del>old</del>",
            "footnote-reference",
            "task-done",
            "☐",
        ] {
            assert!(html.contains(good), "{good} missing in {html}");
        }
    }

    #[test]
    fn anchors_never_repeat_the_pages_own_ids_and_footnote_ids_are_valid() {
        let html = render_beside(
            "## Data\n\n## Facts {#main}\n\nNote[^my note].\n\n[^my note]: text",
            1,
            &["data", "main"],
        );
        assert!(html.contains("<h3 id=\"data-2\">Data</h3>"), "{html}");
        assert!(html.contains("<h3 id=\"main-2\">Facts</h3>"), "{html}");
        assert!(html.contains("href=\"#fn-my-note\""), "{html}");
        assert!(html.contains("id=\"fn-my-note\""), "{html}");
    }

    #[test]
    fn ids_in_an_authors_raw_html_are_dropped_and_ours_kept() {
        let html = render_beside(
            "## Data\n\n<div id=\"verdict\">x</div>\n\n<h2 id=\"main\">y</h2>\n\nNote[^n].\n\n[^n]: text",
            1,
            &["data", "main", "verdict"],
        );
        assert!(!html.contains("id=\"verdict\""), "{html}");
        assert!(!html.contains("id=\"main\""), "{html}");
        assert!(html.contains("<h3 id=\"data-2\">Data</h3>"), "{html}");
        assert!(html.contains("id=\"fn-n\""), "{html}");
    }

    #[test]
    fn a_link_whose_address_is_removed_loses_its_rel_too() {
        let html = render(
            "[x](javascript:alert(1)) <a title=\"a > href=\" href=\"vbscript:x\">y</a> [z](https://example.com)",
            0,
        );
        assert!(html.contains("<a>x</a>"), "{html}");
        assert!(html.contains("<a title=\"a &gt; href=\">y</a>"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.com\" rel=\"noopener noreferrer\">z</a>"),
            "{html}"
        );
    }

    #[test]
    fn deep_nesting_is_flattened_so_rendering_stays_linear() {
        let quotes = render(&format!("{} deep", ">".repeat(20_000)), 0);
        assert!(quotes.contains("deep"));
        assert!(quotes.matches("<blockquote>").count() <= MAX_DEPTH);
        let divs = render(
            &format!("{}x{}", "<div>".repeat(20_000), "</div>".repeat(20_000)),
            0,
        );
        assert!(!divs.contains("<div>"), "shown as text: {}", &divs[..200]);
        assert!(divs.contains("&lt;div&gt;"));
        // Quoted `>` and `</div>` in attributes do not hide the nesting.
        let sneaky = render(&"<div title=\"</div>\">".repeat(20_000), 0);
        assert!(
            sneaky.matches("<div").count() <= MAX_DEPTH,
            "{}",
            &sneaky[..200]
        );
        // Ordinary nesting is untouched.
        let fine = render("> a\n>\n> > b\n\n<div><div>c</div></div>", 0);
        assert_eq!(fine.matches("<blockquote>").count(), 2);
        assert_eq!(fine.matches("<div>").count(), 2);
    }

    #[test]
    fn images_become_links_so_nothing_is_fetched() {
        let html = render("![Process map](https://example.com/map.png)", 0);
        assert!(
            html.contains("href=\"https://example.com/map.png\""),
            "{html}"
        );
        assert!(html.contains("[image: Process map]"), "{html}");
    }
}
