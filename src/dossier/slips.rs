//! The slips people make when they write YAML front matter by hand, found
//! in the text so that a syntax error points at the line where the slip
//! is, in plain words, with that line written right.
//!
//! The YAML parser stops where it can no longer go on, which is often a
//! line after the slip (a missing space after a colon is reported on the
//! next key) and says it in the grammar's words ("mapping values are not
//! allowed in this context"). Only called once the parser has failed: a
//! line found here is never an error on its own. Pure: text in, words out.

use std::ops::Range;

/// A known slip: on which line of the front matter (0-based), which bytes
/// of that line, what is wrong and the fixed line.
#[derive(Debug, Clone, PartialEq)]
pub struct Slip {
    pub line: usize,
    pub at: Range<usize>,
    pub message: String,
    pub help: String,
}

/// The last known slip at or before `error_line` (1-based, as the parser
/// counts) of `matter`, the front matter's text.
pub fn yaml_slip(matter: &str, error_line: usize) -> Option<Slip> {
    let mut found = None;
    // The indentation of a `key: |` or `key: >` line while its block of
    // text runs: the lines of a block are text, not keys.
    let mut block: Option<usize> = None;
    for (n, line) in matter.lines().enumerate().take(error_line.max(1)) {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let body = line.trim();
        if let Some(b) = block {
            if body.is_empty() || indent > b {
                continue;
            }
            block = None;
        }
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if let Some(slip) = slip_of(line, indent) {
            found = Some(Slip { line: n, ..slip });
        }
        if body.ends_with(": |") || body.ends_with(": >") || body.ends_with(": |-") {
            block = Some(indent);
        }
    }
    found
}

fn slip_of(line: &str, indent: usize) -> Option<Slip> {
    let lead = &line[..indent];
    if let Some(tab) = lead.find('\t') {
        return Some(Slip {
            line: 0,
            at: tab..tab + 1,
            message: "this line is indented with a tab; YAML indents with spaces only".into(),
            help: format!(
                "indent with spaces: `{}`",
                format!("{}{}", lead.replace('\t', "  "), &line[indent..]).trim_end()
            ),
        });
    }
    // `key:`, or `- key:` in a list.
    let item = if line[indent..].starts_with("- ") {
        indent + 2
    } else {
        indent
    };
    let rest = &line[item..];
    let key_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    if key_len == 0 || !rest[key_len..].starts_with(':') {
        return None;
    }
    let key = &rest[..key_len];
    let colon = item + key_len;
    let after = &line[colon + 1..];
    let head = &line[..colon + 1];
    if !after.is_empty() && !after.starts_with([' ', '\t']) && !after.starts_with("//") {
        return Some(Slip {
            line: 0,
            at: colon..colon + 1,
            message: format!(
                "there is no space after the colon of `{key}`, so YAML does not read it as a key"
            ),
            help: format!("put a space after the colon: `{head} {}`", after.trim_end()),
        });
    }
    let value = after.trim();
    let value_at = line.len() - after.trim_start().len();
    let unclosed = |open: char, close: char| {
        value.starts_with(open) && value.matches(open).count() > value.matches(close).count()
    };
    for (open, close, what) in [('[', ']', "list"), ('{', '}', "table")] {
        if unclosed(open, close) {
            return Some(Slip {
                line: 0,
                at: value_at..value_at + 1,
                message: format!("the {what} of `{key}` opens with `{open}` and is not closed"),
                help: format!("close it on the same line: `{} {value}{close}`", head),
            });
        }
    }
    for quote in ['"', '\''] {
        if value.starts_with(quote) && value.replace("\\\"", "").matches(quote).count() % 2 == 1 {
            return Some(Slip {
                line: 0,
                at: value_at..value_at + 1,
                message: format!("the value of `{key}` opens a quote and does not close it"),
                help: format!("close the quote: `{head} {value}{quote}`"),
            });
        }
    }
    let plain = !value.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '#', '!']);
    if plain && (value.contains(": ") || value.ends_with(':')) {
        let colon = value_at + value.find(": ").unwrap_or(value.len() - 1);
        let text = value.split(" #").next().unwrap_or(value).trim_end();
        return Some(Slip {
            line: 0,
            at: colon..colon + 1,
            message: format!(
                "the value of `{key}` holds a colon, which YAML reads as the start of another key"
            ),
            help: format!(
                "put the value in quotes: `{head} \"{}\"`",
                text.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        });
    }
    None
}

/// The parser's message for an error that is no known slip, in words a
/// pilot team reads (the parser's own words where none fit).
pub fn plain_words(info: &str) -> String {
    let said = if info.contains("mapping values are not allowed") {
        "a colon followed by a space where no key can start; if the colon belongs to the text, put the whole value in quotes"
    } else if info.contains("did not find expected ',' or ']'") {
        "a list opened with `[` is not closed with `]`"
    } else if info.contains("did not find expected ',' or '}'") {
        "a table opened with `{` is not closed with `}`"
    } else if info.contains("tab") {
        "a tab is used to indent; YAML indents with spaces only"
    } else if info.contains("quoted scalar") {
        "a quote is opened and not closed"
    } else if info.contains("':' indicator") {
        "a colon stands where YAML does not allow one; if it belongs to the text, put the value in quotes"
    } else {
        return info.to_string();
    };
    said.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slip in `matter` (the parser failed on `error_line`), as
    /// (1-based line, message, help).
    fn slip(matter: &str, error_line: usize) -> (usize, String, String) {
        let s = yaml_slip(matter, error_line).expect("a slip");
        (s.line + 1, s.message, s.help)
    }

    #[test]
    fn each_known_slip_is_found_on_its_own_line_with_the_fixed_line() {
        let (line, message, help) = slip(
            "title: Plant\nstage: pilot\nframing:\n  production_owner:Plant manager\n  led_by: business\n",
            5,
        );
        assert_eq!(line, 4);
        assert!(message.contains("no space after the colon of `production_owner`"));
        assert_eq!(
            help,
            "put a space after the colon: `  production_owner: Plant manager`"
        );

        let (line, message, help) = slip("title: A\nbudget: [40000\nstage: pilot\n", 3);
        assert_eq!(line, 2);
        assert!(
            message.contains("opens with `[` and is not closed"),
            "{message}"
        );
        assert_eq!(help, "close it on the same line: `budget: [40000]`");

        let (line, message, help) = slip("title: A\nframing:\n\tled_by: it\n", 3);
        assert_eq!(line, 3);
        assert!(message.contains("tab"));
        assert_eq!(help, "indent with spaces: `  led_by: it`");

        let (line, _, help) = slip("title: \"Invoice matching\nstage: pilot\n", 2);
        assert_eq!(line, 1);
        assert_eq!(help, "close the quote: `title: \"Invoice matching\"`");

        let (line, message, help) = slip("title: A\nsummary: Phase 1: invoices\nstage: pilot\n", 2);
        assert_eq!(line, 2);
        assert!(message.contains("holds a colon"));
        assert_eq!(
            help,
            "put the value in quotes: `summary: \"Phase 1: invoices\"`"
        );
    }

    #[test]
    fn text_blocks_comments_and_good_lines_are_no_slip() {
        assert_eq!(
            yaml_slip(
                "title: A\n# note: here\nstory: |\n  Phase 1: invoices\nurl: https://x.example\n",
                6
            ),
            None
        );
    }

    #[test]
    fn the_parsers_words_become_plain_ones() {
        assert!(plain_words("mapping values are not allowed in this context").contains("colon"));
        assert_eq!(plain_words("something new"), "something new");
    }
}
