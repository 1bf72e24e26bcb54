//! The FAQ page's source: `content/faq.md`, a markdown file whose level-2
//! headings are the questions. Each heading may carry an anchor and the
//! topic it concerns, so the page can show the live portfolio figure beside
//! the answer: `## Why do pilots stall? {#why-pilots-stall topic=all}`.
//! Topics: `all`, `portfolio`, `most_active`, `readiness`, or mistake ids,
//! comma-separated.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::markdown::{self, Ids};
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::dossier::{split, tree};
use crate::framework::Mistake;

/// What an FAQ entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    All,
    Portfolio,
    MostActive,
    /// The readiness gate: pilots ready to scale, and closest to ready.
    Readiness,
    Mistake(Mistake),
}

impl Topic {
    fn parse(word: &str) -> Option<Topic> {
        match word.trim() {
            "all" => Some(Topic::All),
            "portfolio" => Some(Topic::Portfolio),
            "most_active" | "most-active" => Some(Topic::MostActive),
            "readiness" => Some(Topic::Readiness),
            w => Mistake::parse(w).map(Topic::Mistake),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FaqEntry {
    pub id: String,
    pub question: String,
    pub topics: Vec<Topic>,
    pub answer_html: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Faq {
    pub title: String,
    pub description: String,
    pub intro_html: String,
    pub entries: Vec<FaqEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the FAQ from its text, shown to users as `source`.
pub fn parse(text: &str, source: &str) -> Faq {
    let mut faq = Faq {
        title: "Frequently asked questions".into(),
        ..Faq::default()
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body_start = match split::split(text) {
        Ok(parts) => {
            match tree::parse(text, parts.matter.clone(), parts.format) {
                Ok(node) => {
                    if let tree::NodeKind::Map(entries) = node.kind {
                        for (k, v) in entries {
                            if let tree::NodeKind::Str(s) = v.kind {
                                match k.name.as_str() {
                                    "title" => faq.title = s,
                                    "description" => faq.description = s,
                                    _ => {}
                                }
                            }
                        }
                    }
                }
                Err(e) => faq.diagnostics.push(
                    Diagnostic::warning(Code::FaqUnusable, source, e.message)
                        .at(Location::from_offsets(text, e.at.start, e.at.end)),
                ),
            }
            parts.body.start
        }
        // No front matter: the whole file is the FAQ.
        Err(_) => 0,
    };
    let body = &text[body_start..];

    let mut ids = Ids::default();
    let mut intro: Vec<Event> = Vec::new();
    let mut current: Option<(FaqEntry, Vec<Event>)> = None;
    let mut in_question = false;
    let mut done: Vec<(FaqEntry, Vec<Event>)> = Vec::new();

    for (event, range) in Parser::new_ext(body, markdown::options()).into_offset_iter() {
        match &event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                id,
                attrs,
                ..
            }) => {
                if let Some(c) = current.take() {
                    done.push(c);
                }
                let mut topics = Vec::new();
                for (key, value) in attrs {
                    if key.as_ref() != "topic" {
                        continue;
                    }
                    for word in value.as_deref().unwrap_or("").split(',') {
                        match Topic::parse(word) {
                            Some(t) => topics.push(t),
                            None => faq.diagnostics.push(
                                Diagnostic::warning(Code::FaqUnknownTopic, source, format!("unknown FAQ topic `{}`", word.trim()))
                                    .at(Location::from_offsets(text, body_start + range.start, body_start + range.end))
                                    .with_help("topics are all, portfolio, most_active, readiness, framing, data, governance, change and metrics"),
                            ),
                        }
                    }
                }
                let given = id.as_ref().map(|s| slug::slugify(s.as_ref()));
                if let Some(g) = &given {
                    ids.reserve(g);
                }
                current = Some((
                    FaqEntry {
                        id: given.unwrap_or_default(),
                        question: String::new(),
                        topics,
                        answer_html: String::new(),
                    },
                    Vec::new(),
                ));
                in_question = true;
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) if in_question => {
                in_question = false;
                if let Some((entry, _)) = current.as_mut() {
                    entry.question = entry.question.trim().to_string();
                    if entry.id.is_empty() {
                        entry.id = ids.unique(&entry.question);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) if in_question => {
                if let Some((entry, _)) = current.as_mut() {
                    entry.question.push_str(t);
                }
            }
            _ if in_question => {}
            _ => match current.as_mut() {
                Some((_, events)) => events.push(event),
                None => intro.push(event),
            },
        }
    }
    if let Some(c) = current.take() {
        done.push(c);
    }
    faq.intro_html = render_events(intro, &mut ids);
    faq.entries = done
        .into_iter()
        .map(|(mut entry, events)| {
            entry.answer_html = render_events(events, &mut ids);
            entry
        })
        .collect();
    faq
}

fn render_events(events: Vec<Event>, ids: &mut Ids) -> String {
    markdown::to_html(markdown::transform(events.into_iter(), 1, ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_their_anchor_and_topics() {
        let faq = parse(
            "---\ntitle: FAQ\n---\nIntro.\n\n## Why? {#why topic=data}\n\nBecause.\n\n## Who helps? {topic=governance,change}\n\nPartners.\n",
            "content/faq.md",
        );
        assert_eq!(faq.title, "FAQ");
        assert!(faq.intro_html.contains("Intro."));
        assert_eq!(faq.entries.len(), 2);
        assert_eq!(faq.entries[0].id, "why");
        assert_eq!(faq.entries[0].topics, vec![Topic::Mistake(Mistake::Data)]);
        assert_eq!(faq.entries[1].id, "who-helps");
        assert_eq!(faq.entries[1].topics.len(), 2);
        assert!(faq.entries[1].answer_html.contains("Partners."));
    }

    #[test]
    fn unknown_topics_are_warned_about() {
        let faq = parse("## Q {topic=dta}\n\nA\n", "content/faq.md");
        assert_eq!(faq.diagnostics.len(), 1);
    }
}
