//! Markdown to safe HTML: pulldown-cmark for the markdown, ammonia for the
//! HTML that comes out of it.
//!
//! Dossier stories and the FAQ are written by many people, so whatever they
//! contain is rendered through [`render`]: raw HTML is sanitized (no script,
//! style, frames, event handlers or `javascript:` and `data:` addresses),
//! images become links (a published board pack must not fetch anything from
//! elsewhere), and headings move one level down so that the page keeps one
//! outline. Headings get stable anchors.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The markdown extensions dossiers may use.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

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
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener noreferrer"));
    b
});

/// Renders `markdown` to sanitized HTML. `shift` moves headings down that
/// many levels (a story's `#` becomes an `h2` on a page whose title is the
/// `h1`).
pub fn render(markdown: &str, shift: u8) -> String {
    let mut ids = Ids::default();
    let events = transform(Parser::new_ext(markdown, options()), shift, &mut ids);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

/// Sanitizes HTML that came out of markdown.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Unique heading anchors within one document.
#[derive(Default)]
pub struct Ids {
    seen: HashMap<String, usize>,
}

impl Ids {
    pub fn unique(&mut self, text: &str) -> String {
        let base = slug::slugify(text);
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let n = self.seen.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}-{n}") }
    }

    /// Reserves an id given by the author.
    pub fn reserve(&mut self, id: &str) {
        *self.seen.entry(id.to_string()).or_insert(0) += 1;
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
                    Some(given) => {
                        let clean = slug::slugify(given.as_ref());
                        ids.reserve(&clean);
                        clean
                    }
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
            Event::TaskListMarker(done) => {
                let html = if *done {
                    "<span class=\"task task-done\">☑</span> "
                } else {
                    "<span class=\"task\">☐</span> "
                };
                out.push(Event::InlineHtml(CowStr::from(html)));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out
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
    fn images_become_links_so_nothing_is_fetched() {
        let html = render("![Process map](https://example.com/map.png)", 0);
        assert!(
            html.contains("href=\"https://example.com/map.png\""),
            "{html}"
        );
        assert!(html.contains("[image: Process map]"), "{html}");
    }
}
