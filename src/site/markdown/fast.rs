//! The fast path of [`super::render`]: HTML written straight from the
//! markdown's events, exactly as the sanitizer would have left it, for
//! documents whose events hold no raw HTML.
//!
//! Why this is safe: without `Event::Html` and `Event::InlineHtml` every tag
//! in the output is one this writer spells out itself, from a short, fixed
//! list; every piece of the author's text (text, code, link titles, ids) is
//! escaped for where it goes; and the one attribute whose value can carry a
//! program, a link's `href`, is checked with the same `url` crate, the same
//! call and the same schemes as the sanitizer's. Anything outside that list
//! (raw HTML, images, heading classes and attributes, links inside links…)
//! makes [`write`] give up, and the document goes through the sanitizer as
//! before.
//!
//! Why it gives the same HTML: the sanitizer parses pulldown-cmark's HTML
//! with an HTML5 parser, filters the tree and serializes it. For these tags,
//! always well nested, the parsed tree is the events' tree, with two
//! exceptions this writer refuses: an `<a>` inside an `<a>` (the parser
//! closes the outer one) and a carriage return or NUL in the text (the
//! parser rewrites them). The filtering is mirrored where each tag is
//! written, and the escaping is the serializer's. The output is byte for
//! byte `sanitize(push_html(events))`, which `tests/it/markdown_paths.rs`
//! checks on generated markdown, hostile addresses included; keeping the
//! bytes (not just the document) the same keeps the site's snapshots and
//! the pages of a portfolio unchanged whichever path a story takes.

use std::collections::HashMap;
use std::fmt::Write as _;

use pulldown_cmark::{Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::{LINK_REL, TASK_DONE_HTML, TASK_OPEN_HTML, URL_SCHEMES};

/// The HTML of `events`, as the sanitizer would give it for
/// pulldown-cmark's HTML of them, or `None` when the events hold anything
/// this writer does not vouch for.
pub(super) fn write(events: &[Event<'_>]) -> Option<String> {
    let mut w = Writer {
        out: String::with_capacity(events.len() * 16),
        end_newline: true,
        in_head: false,
        links: 0,
        footnotes: HashMap::new(),
    };
    for event in events {
        w.event(event)?;
    }
    Some(w.out)
}

/// Mirrors pulldown-cmark's `HtmlWriter` (its newlines between blocks are
/// text the sanitizer keeps, so they must fall in the same places), with the
/// sanitizer's changes made as it writes.
struct Writer {
    out: String,
    /// Whether the output ends with a newline; pulldown-cmark starts a block
    /// on a new line only when it does not.
    end_newline: bool,
    /// Inside a table's head row, whose cells are `th`.
    in_head: bool,
    /// Links open around the current event.
    links: usize,
    /// The number of each footnote, in order of first mention (as
    /// pulldown-cmark numbers them).
    footnotes: HashMap<String, usize>,
}

impl Writer {
    fn raw(&mut self, s: &str) {
        if !s.is_empty() {
            self.out.push_str(s);
            self.end_newline = s.ends_with('\n');
        }
    }

    /// A block's start tag, on a new line.
    fn block(&mut self, s: &str) {
        if !self.end_newline {
            self.out.push('\n');
        }
        self.raw(s);
    }

    fn text(&mut self, s: &str) -> Option<()> {
        escape(&mut self.out, s, false)
    }

    fn attr(&mut self, s: &str) -> Option<()> {
        escape(&mut self.out, s, true)
    }

    fn event(&mut self, event: &Event<'_>) -> Option<()> {
        match event {
            Event::Start(tag) => self.start(tag)?,
            Event::End(tag) => self.end(*tag)?,
            Event::Text(t) => {
                self.text(t)?;
                self.end_newline = t.ends_with('\n');
            }
            Event::Code(t) => {
                self.raw("<code>");
                self.text(t)?;
                self.raw("</code>");
            }
            // The only HTML that may pass is the task-list markers that
            // `transform` writes itself; the sanitizer keeps them as they are.
            Event::InlineHtml(html)
                if [TASK_DONE_HTML, TASK_OPEN_HTML].contains(&html.as_ref()) =>
            {
                self.raw(html)
            }
            Event::SoftBreak => self.raw("\n"),
            Event::HardBreak => self.raw("<br>\n"),
            Event::Rule => self.block("<hr>\n"),
            Event::FootnoteReference(name) => {
                let number = self.footnote(name);
                self.raw("<sup class=\"footnote-reference\">");
                // pulldown-cmark writes the label as it is (HTML-escaped,
                // not percent-encoded).
                self.anchor(&format!("#{name}"), "")?;
                write!(self.out, "{number}</a></sup>").ok()?;
                self.end_newline = false;
            }
            // Raw HTML, and what `transform` already replaced (task-list
            // markers) or the dossier options do not enable (math).
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::TaskListMarker(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_) => return None,
        }
        Some(())
    }

    fn start(&mut self, tag: &Tag<'_>) -> Option<()> {
        match tag {
            Tag::Paragraph => self.block("<p>"),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                // The sanitizer drops every class of a heading and keeps
                // some attributes, but which ones depends on how the HTML
                // parser reads a name pulldown-cmark wrote unchecked: not
                // worth the risk for a rare feature.
                if !classes.is_empty() || !attrs.is_empty() {
                    return None;
                }
                self.block(&format!("<{level}"));
                // The sanitizer allows `id` on `h2`–`h6` only.
                if let (Some(id), false) = (id, *level == HeadingLevel::H1) {
                    self.raw(" id=\"");
                    self.attr(id)?;
                    self.raw("\"");
                }
                self.raw(">");
            }
            // The cells' `style="text-align: …"` is not allowed, so the
            // alignments are not written at all.
            Tag::Table(_) => self.raw("<table>"),
            Tag::TableHead => {
                self.in_head = true;
                self.raw("<thead><tr>");
            }
            Tag::TableRow => self.raw("<tr>"),
            Tag::TableCell => self.raw(if self.in_head { "<th>" } else { "<td>" }),
            // A GFM alert's class would be dropped; the option is not on.
            Tag::BlockQuote(None) => self.block("<blockquote>\n"),
            // The language class of `<code>` is not allowed; `tabindex`
            // is what the sanitizer sets on every `<pre>`.
            Tag::CodeBlock(_) => self.block("<pre tabindex=\"0\"><code>"),
            Tag::List(Some(1)) => self.block("<ol>\n"),
            Tag::List(Some(start)) => self.block(&format!("<ol start=\"{start}\">\n")),
            Tag::List(None) => self.block("<ul>\n"),
            Tag::Item => self.block("<li>"),
            Tag::Emphasis => self.raw("<em>"),
            Tag::Strong => self.raw("<strong>"),
            Tag::Strikethrough => self.raw("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => self.anchor(&href(*link_type, dest_url), title)?,
            Tag::FootnoteDefinition(name) => {
                let number = self.footnote(name);
                self.block("<div class=\"footnote-definition\" id=\"");
                self.attr(name)?;
                write!(
                    self.out,
                    "\"><sup class=\"footnote-definition-label\">{number}</sup>"
                )
                .ok()?;
                self.end_newline = false;
            }
            // Images (which `transform` turns into links), raw HTML blocks
            // and what the dossier options do not enable.
            Tag::Image { .. }
            | Tag::HtmlBlock
            | Tag::BlockQuote(Some(_))
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => return None,
        }
        Some(())
    }

    fn end(&mut self, tag: TagEnd) -> Option<()> {
        match tag {
            TagEnd::Paragraph => self.raw("</p>\n"),
            TagEnd::Heading(level) => self.raw(&format!("</{level}>\n")),
            TagEnd::Table => self.raw("</tbody></table>\n"),
            TagEnd::TableHead => {
                self.in_head = false;
                self.raw("</tr></thead><tbody>\n");
            }
            TagEnd::TableRow => self.raw("</tr>\n"),
            TagEnd::TableCell => self.raw(if self.in_head { "</th>" } else { "</td>" }),
            TagEnd::BlockQuote(_) => self.raw("</blockquote>\n"),
            TagEnd::CodeBlock => self.raw("</code></pre>\n"),
            TagEnd::List(true) => self.raw("</ol>\n"),
            TagEnd::List(false) => self.raw("</ul>\n"),
            TagEnd::Item => self.raw("</li>\n"),
            TagEnd::Emphasis => self.raw("</em>"),
            TagEnd::Strong => self.raw("</strong>"),
            TagEnd::Strikethrough => self.raw("</del>"),
            TagEnd::Link => {
                self.links = self.links.checked_sub(1)?;
                self.raw("</a>");
            }
            TagEnd::FootnoteDefinition => self.raw("</div>\n"),
            TagEnd::Image
            | TagEnd::HtmlBlock
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::MetadataBlock(_) => return None,
        }
        Some(())
    }

    fn footnote(&mut self, name: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(name.to_string()).or_insert(next)
    }

    /// An `<a>` start tag as the sanitizer leaves it: `href` only when its
    /// address is allowed, then `title`, then `rel` when there is an `href`
    /// (see `drop_rel_of_anchors_without_href`).
    fn anchor(&mut self, href: &str, title: &str) -> Option<()> {
        // An `<a>` inside an `<a>` makes the HTML parser close the outer
        // one; the sanitizer's tree would differ from the events'.
        if self.links > 0 {
            return None;
        }
        self.links += 1;
        let allowed = url_allowed(href);
        self.raw("<a");
        if allowed {
            self.raw(" href=\"");
            self.attr(href)?;
            self.raw("\"");
        }
        if !title.is_empty() {
            self.raw(" title=\"");
            self.attr(title)?;
            self.raw("\"");
        }
        if allowed {
            write!(self.out, " rel=\"{LINK_REL}\"").ok()?;
        }
        self.raw(">");
        Some(())
    }
}

/// The address the sanitizer sees in the `href` pulldown-cmark writes:
/// `escape_href`'s percent-encoding, with its two HTML character references
/// read back.
fn href(link_type: LinkType, dest: &str) -> String {
    let mut escaped = String::with_capacity(dest.len() + 7);
    if link_type == LinkType::Email {
        escaped.push_str("mailto:");
    }
    // Writing to a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut escaped, dest);
    if escaped.contains('&') {
        // `escape_href` turns every `&` into `&amp;`, so `&#x27;` can only
        // stand for a `'`; read that back first.
        escaped.replace("&#x27;", "'").replace("&amp;", "&")
    } else {
        escaped
    }
}

/// Whether the sanitizer keeps an `href` with this address: the same test
/// as ammonia's (`Url::parse`; an allowed scheme, or a relative address).
fn url_allowed(address: &str) -> bool {
    match url::Url::parse(address) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(e) => e == url::ParseError::RelativeUrlWithoutBase,
    }
}

/// Escapes `s` the way the sanitizer's serializer does: `&`, `<`, `>` and
/// no-break spaces, and `"` in attributes. `None` for a carriage return or
/// a NUL: the HTML parser turns those into other characters, so the
/// sanitizer's output would not be this text.
fn escape(out: &mut String, s: &str, attribute: bool) -> Option<()> {
    let bytes = s.as_bytes();
    let mut mark = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attribute => "&quot;",
            // U+00A0 is the bytes C2 A0.
            0xc2 if bytes.get(i + 1) == Some(&0xa0) => "&nbsp;",
            b'\r' | b'\0' => return None,
            _ => continue,
        };
        out.push_str(&s[mark..i]);
        out.push_str(replacement);
        mark = i + if b == 0xc2 { 2 } else { 1 };
    }
    out.push_str(&s[mark..]);
    Some(())
}
