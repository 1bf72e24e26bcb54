//! A strict reader of iCalendar files (RFC 5545), for reading
//! `decisions.ics` back the way the strictest calendar would: it refuses
//! what lenient parsers let through, so a value that breaks out of its line
//! is an error here rather than a quiet extra property.
//!
//! Refused: a line not ended by CRLF, a CR or LF anywhere else, a line over
//! 75 octets, a control character in a value (other than a tab), a content
//! line without a name or a colon, an unbalanced BEGIN/END, and in a TEXT
//! value an unescaped `;` or `,` or an escape RFC 5545 does not define.

/// One content line, unfolded: its name, its parameters as written, and
/// its value (TEXT values unescaped).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub params: String,
    pub value: String,
}

/// A component (`VCALENDAR`, `VEVENT`, …) with its properties and the
/// components inside it.
#[derive(Debug, Clone, Default)]
pub struct Component {
    pub name: String,
    pub properties: Vec<Line>,
    pub components: Vec<Component>,
}

impl Component {
    /// The value of the one property called `name`; panics when there are
    /// several.
    pub fn get(&self, name: &str) -> Option<&str> {
        let mut found = self.properties.iter().filter(|l| l.name == name);
        let first = found.next();
        assert!(
            found.next().is_none(),
            "{name} is given twice in {}",
            self.name
        );
        first.map(|l| l.value.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&Component> {
        self.components.iter().filter(|c| c.name == name).collect()
    }
}

/// Properties whose value type is TEXT (RFC 5545 3.3.11) in what
/// pilotscope writes; X- properties are TEXT by default.
fn is_text(name: &str) -> bool {
    matches!(
        name,
        "SUMMARY" | "DESCRIPTION" | "UID" | "NAME" | "PRODID" | "CALSCALE"
    ) || name.starts_with("X-")
}

fn unescape_text(v: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\') => out.push('\\'),
                Some(';') => out.push(';'),
                Some(',') => out.push(','),
                Some('n' | 'N') => out.push('\n'),
                other => return Err(format!("an escape RFC 5545 does not define: \\{other:?}")),
            },
            ';' | ',' => return Err(format!("an unescaped {c:?} in a TEXT value: {v:?}")),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// The calendar in `text`, or what makes it invalid.
pub fn read(text: &str) -> Result<Component, String> {
    let Some(body) = text.strip_suffix("\r\n") else {
        return Err("the file does not end with CRLF".into());
    };
    let mut lines: Vec<String> = Vec::new();
    for (n, physical) in body.split("\r\n").enumerate() {
        if physical.contains(['\r', '\n']) {
            return Err(format!(
                "line {}: a CR or LF not part of CRLF: {physical:?}",
                n + 1
            ));
        }
        if physical.len() > 75 {
            return Err(format!(
                "line {}: {} octets, over 75",
                n + 1,
                physical.len()
            ));
        }
        match physical.strip_prefix([' ', '\t']) {
            Some(rest) => match lines.last_mut() {
                Some(last) => last.push_str(rest),
                None => return Err("the file starts with a folded line".into()),
            },
            None => lines.push(physical.to_string()),
        }
    }
    let mut stack: Vec<Component> = Vec::new();
    let mut done = None;
    for l in lines {
        if done.is_some() {
            return Err(format!("a line after the calendar's END: {l:?}"));
        }
        let colon = {
            // The first colon outside a quoted parameter value.
            let mut quoted = false;
            l.char_indices()
                .find(|(_, c)| {
                    if *c == '"' {
                        quoted = !quoted;
                    }
                    *c == ':' && !quoted
                })
                .map(|(i, _)| i)
                .ok_or_else(|| format!("a content line with no colon: {l:?}"))?
        };
        let (head, value) = (&l[..colon], &l[colon + 1..]);
        let (name, params) = head.split_once(';').unwrap_or((head, ""));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("not a property name: {name:?}"));
        }
        if let Some(c) = value.chars().find(|c| c.is_control() && *c != '\t') {
            return Err(format!("a control character {c:?} in the value of {name}"));
        }
        match name {
            "BEGIN" => stack.push(Component {
                name: value.to_string(),
                ..Component::default()
            }),
            "END" => {
                let c = stack.pop().ok_or("an END without a BEGIN")?;
                if c.name != value {
                    return Err(format!("END:{value} closes {}", c.name));
                }
                match stack.last_mut() {
                    Some(parent) => parent.components.push(c),
                    None => done = Some(c),
                }
            }
            _ => {
                let value = if is_text(name) {
                    unescape_text(value)?
                } else {
                    value.to_string()
                };
                stack
                    .last_mut()
                    .ok_or_else(|| format!("{name} outside any component"))?
                    .properties
                    .push(Line {
                        name: name.to_string(),
                        params: params.to_string(),
                        value,
                    });
            }
        }
    }
    let calendar = done.ok_or("the calendar is not closed")?;
    if calendar.name != "VCALENDAR" {
        return Err(format!("the file is a {}, not a VCALENDAR", calendar.name));
    }
    for required in ["VERSION", "PRODID"] {
        calendar
            .get(required)
            .ok_or_else(|| format!("the calendar has no {required}"))?;
    }
    for e in calendar.all("VEVENT") {
        for required in ["UID", "DTSTAMP", "DTSTART"] {
            e.get(required)
                .ok_or_else(|| format!("an event has no {required}"))?;
        }
    }
    Ok(calendar)
}
