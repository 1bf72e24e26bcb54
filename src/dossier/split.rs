//! Splitting a dossier file into its front matter and its markdown body.
//!
//! Only finds where things are: the format of the front matter, the byte range
//! of its text and of the body. Parsing the front matter is `tree`'s job.
//! We split by hand rather than with `gray_matter` because every later message
//! needs the byte offset of the front matter inside the file, which
//! `gray_matter` does not report.

use std::ops::Range;

/// The language of the front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Between `---` lines.
    Yaml,
    /// Between `+++` lines.
    Toml,
    /// A JSON object at the top of the file (`{` … `}`), as Hugo writes it.
    Json,
}

/// Where the parts of a dossier file are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub format: Format,
    /// Byte range of the front matter text (without its delimiters, except
    /// for JSON where the braces are part of it).
    pub matter: Range<usize>,
    /// Byte range of the markdown body.
    pub body: Range<usize>,
}

/// Why a file could not be split. `at` is a byte offset in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub at: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

/// Splits `text` (already without a byte order mark).
pub fn split(text: &str) -> Result<Split, SplitError> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_line_end].trim_end();
    match first {
        "---" => fenced(text, Format::Yaml, first_line_end, &["---", "..."]),
        "+++" => fenced(text, Format::Toml, first_line_end, &["+++"]),
        _ if first.starts_with('{') => json(text),
        _ => {
            let help = if text.trim_start().starts_with("---")
                || text.trim_start().starts_with("+++")
            {
                "the front matter must start on the very first line of the file".to_string()
            } else {
                "start the file with a line `---`, then the answers (`title: …`, `stage: …`), then another `---`".to_string()
            };
            Err(SplitError {
                at: 0..first_line_end.max(1).min(text.len()),
                message: "expected front matter at the start of the file: a `---` line (YAML), a `+++` line (TOML) or `{` (JSON)".into(),
                help: Some(help),
            })
        }
    }
}

fn fenced(
    text: &str,
    format: Format,
    first_line_end: usize,
    closers: &[&str],
) -> Result<Split, SplitError> {
    let start = (first_line_end + 1).min(text.len());
    let mut pos = start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..end].trim_end();
        if closers.contains(&line) {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                format,
                matter: start..pos,
                body: body_start..text.len(),
            });
        }
        pos = end + 1;
    }
    let fence = &text[..first_line_end].trim_end();
    Err(SplitError {
        at: 0..fence.len(),
        message: format!("the front matter opened here with `{fence}` is never closed"),
        help: Some(format!(
            "add a line `{}` after the last answer, before the story",
            closers[0]
        )),
    })
}

/// A JSON front matter ends where its outer object closes.
fn json(text: &str) -> Result<Split, SplitError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let end = i + 1;
                    let rest = &text[end..];
                    let line_end = rest.find('\n').map_or(text.len(), |j| end + j + 1);
                    return Ok(Split {
                        format: Format::Json,
                        matter: 0..end,
                        body: line_end..text.len(),
                    });
                }
            }
            _ => {}
        }
    }
    Err(SplitError {
        at: 0..1,
        message: "the JSON front matter opened here with `{` is never closed".into(),
        help: Some("end the JSON object with a `}` line before the story".into()),
    })
}

/// The deepest nesting of brackets and braces outside strings, and where it is
/// first reached. Parsers of TOML and JSON recurse, so a file nested thousands
/// deep is refused before it reaches them.
pub fn bracket_depth(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if let Some(q) = quote {
            match b {
                _ if escaped => escaped = false,
                b'\\' if q == b'"' => escaped = true,
                b'\n' => quote = None,
                _ if b == q => quote = None,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' | b'\'' => quote = Some(b),
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'.' => {}
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_is_found_between_dashes() {
        let text = "---\ntitle: A\n---\nBody\n";
        let s = split(text).unwrap();
        assert_eq!(s.format, Format::Yaml);
        assert_eq!(&text[s.matter], "title: A\n");
        assert_eq!(&text[s.body], "Body\n");
    }

    #[test]
    fn crlf_line_endings_are_fine() {
        let text = "---\r\ntitle: A\r\n---\r\nBody\r\n";
        let s = split(text).unwrap();
        assert_eq!(&text[s.matter], "title: A\r\n");
        assert_eq!(&text[s.body], "Body\r\n");
    }

    #[test]
    fn toml_and_json_front_matter_are_recognised() {
        let s = split("+++\ntitle = \"A\"\n+++\nB").unwrap();
        assert_eq!(s.format, Format::Toml);
        let text = "{\n  \"title\": \"a } b\"\n}\n\nBody";
        let s = split(text).unwrap();
        assert_eq!(s.format, Format::Json);
        assert_eq!(&text[s.body], "\nBody");
    }

    #[test]
    fn unterminated_front_matter_points_at_the_opening_fence() {
        let e = split("---\ntitle: A\n").unwrap_err();
        assert_eq!(e.at, 0..3);
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn missing_front_matter_is_an_error() {
        assert!(split("# Just a story\n").is_err());
        assert!(split("").is_err());
    }

    #[test]
    fn deep_brackets_are_detected_outside_strings() {
        assert_eq!(bracket_depth("[[[\"[[[[[[\"]]]", 3), None);
        assert_eq!(bracket_depth("[[[[", 3), Some(3));
    }
}
