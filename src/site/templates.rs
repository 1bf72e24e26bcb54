//! The Tera 2 templates and static assets the site is laid out with.
//!
//! The shipped templates live in the repository's `templates/` and are
//! embedded in the binary; a project's own `templates/` folder overrides any
//! of them by file name (and `templates/assets/` any asset). Template
//! problems become located diagnostics like every other problem.

use std::path::Path;

use tera::{Context, ErrorKind, Tera};

use crate::diagnostic::{Code, Diagnostic, Location};

/// The shipped templates, by name.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    (
        "components.html",
        include_str!("../../templates/components.html"),
    ),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "pilot_rows.html",
        include_str!("../../templates/pilot_rows.html"),
    ),
    ("pilot.html", include_str!("../../templates/pilot.html")),
    ("broken.html", include_str!("../../templates/broken.html")),
    (
        "framework.html",
        include_str!("../../templates/framework.html"),
    ),
    ("faq.html", include_str!("../../templates/faq.html")),
    (
        "pilot_links.html",
        include_str!("../../templates/pilot_links.html"),
    ),
    ("404.html", include_str!("../../templates/404.html")),
    ("table.html", include_str!("../../templates/table.html")),
    ("pack.html", include_str!("../../templates/pack.html")),
    (
        "pack_rows.html",
        include_str!("../../templates/pack_rows.html"),
    ),
    (
        "pack_pilots.html",
        include_str!("../../templates/pack_pilots.html"),
    ),
];

/// The shipped static files, by path under `assets/`.
pub const BUILTIN_ASSETS: &[(&str, &str)] = &[
    (
        "style.css",
        include_str!("../../templates/assets/style.css"),
    ),
    ("site.js", include_str!("../../templates/assets/site.js")),
    ("pack.css", include_str!("../../templates/assets/pack.css")),
    // Without an icon, browsers ask for /favicon.ico on every page view and
    // log the 404 as a console error.
    (
        "favicon.svg",
        include_str!("../../templates/assets/favicon.svg"),
    ),
];

/// Loaded templates and assets, ready to render.
pub struct Templates {
    tera: Tera,
    /// Template sources by name, and where each came from, for messages.
    sources: Vec<(String, String, String)>,
    pub assets: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("templates", &self.sources.len())
            .finish()
    }
}

/// The regular files directly in `dir` that are not hidden, by name, sorted.
fn files_in(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, std::path::PathBuf)> = read
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter_map(|p| Some((p.file_name()?.to_str()?.to_string(), p)))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    files.sort();
    files
}

/// A shipped template without the indentation of its lines: it is there
/// for whoever reads the template, and was a tenth of every page's bytes
/// (a pilot page repeats a check's markup 37 times). Lines are kept, so
/// that a template error's line number is the file's. Leading whitespace
/// means nothing in HTML outside `<pre>`, and the one `<pre>` of the
/// shipped templates (`broken.html`) starts its lines with values, not
/// indentation. A project's own templates are used as written.
fn unindent(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    for line in template.split_inclusive('\n') {
        out.push_str(line.trim_start_matches([' ', '\t']));
    }
    out
}

impl Templates {
    /// The shipped templates, with overrides from `dir` (shown to users as
    /// `shown_dir`) when it exists.
    pub fn load(dir: Option<&Path>, shown_dir: &str) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: Vec<(String, String, String)> = BUILTIN_TEMPLATES
            .iter()
            .map(|(n, t)| {
                (
                    n.to_string(),
                    unindent(t),
                    format!("(built-in) templates/{n}"),
                )
            })
            .collect();
        let mut assets: Vec<(String, Vec<u8>)> = BUILTIN_ASSETS
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect();
        let mut errors = Vec::new();
        if let Some(dir) = dir.filter(|d| d.is_dir()) {
            let shown_dir = shown_dir.trim_end_matches('/');
            for (name, path) in files_in(dir)
                .into_iter()
                .filter(|(n, _)| n.ends_with(".html"))
            {
                let shown = format!("{shown_dir}/{name}");
                match std::fs::read_to_string(&path) {
                    Ok(text) => match sources.iter_mut().find(|(n, _, _)| *n == name) {
                        Some(slot) => *slot = (name, text, shown),
                        None => sources.push((name, text, shown)),
                    },
                    Err(e) => errors.push(Diagnostic::error(
                        Code::TemplateError,
                        shown,
                        format!("the template cannot be read: {e}"),
                    )),
                }
            }
            for (name, path) in files_in(&dir.join("assets")) {
                match std::fs::read(&path) {
                    Ok(bytes) => match assets.iter_mut().find(|(n, _)| *n == name) {
                        Some(slot) => slot.1 = bytes,
                        None => assets.push((name, bytes)),
                    },
                    Err(e) => errors.push(Diagnostic::error(
                        Code::TemplateError,
                        format!("{shown_dir}/assets/{name}"),
                        format!("cannot be read: {e}"),
                    )),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = Tera::new();
        tera.autoescape_on([".html"]);
        let pairs: Vec<(String, String)> = sources
            .iter()
            .map(|(n, t, _)| (n.clone(), t.clone()))
            .collect();
        let mut t = Templates {
            tera: Tera::new(),
            sources,
            assets,
        };
        if let Err(e) = tera.add_raw_templates(pairs) {
            return Err(vec![t.diagnostic(&e)]);
        }
        t.tera = tera;
        Ok(t)
    }

    /// The ids that template `name`, and the templates it extends or
    /// includes, write on elements as they are (not those made from a
    /// value, such as `id="{{ m.id }}"`), in the order met.
    pub fn element_ids(&self, name: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut names = vec![name.to_string()];
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = names.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some((_, text, _)) = self.sources.iter().find(|(n, _, _)| *n == name) else {
                continue;
            };
            for tag in ["{% extends \"", "{% include \""] {
                names.extend(
                    text.split(tag)
                        .skip(1)
                        .filter_map(|rest| rest.split_once('"').map(|(n, _)| n.to_string())),
                );
            }
            for rest in text.split(" id=\"").skip(1) {
                if let Some((id, _)) = rest.split_once('"')
                    && !id.contains('{')
                    && !ids.iter().any(|i| i == id)
                {
                    ids.push(id.to_string());
                }
            }
        }
        ids
    }

    /// Renders template `name` with `context`.
    /// Adds every template's and asset's name and content to `h` (see
    /// [`super::fingerprint`]).
    pub fn fingerprint(&self, h: &mut xxhash_rust::xxh3::Xxh3) {
        for (name, text, _) in &self.sources {
            super::fingerprint::field(h, name);
            super::fingerprint::field(h, text);
        }
        for (name, bytes) in &self.assets {
            super::fingerprint::field(h, name);
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| self.diagnostic(&e))
    }

    /// Where template `name` comes from, as shown in messages.
    pub fn source_of(&self, name: &str) -> String {
        match self.sources.iter().find(|(n, _, _)| n == name) {
            Some((_, _, shown)) => shown.clone(),
            None => format!("templates/{name}"),
        }
    }

    /// A Tera error as a located diagnostic.
    fn diagnostic(&self, e: &tera::Error) -> Diagnostic {
        let report = match e.kind() {
            ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => Some(r),
            _ => None,
        };
        let Some(r) = report else {
            return Diagnostic::error(
                Code::TemplateError,
                "templates",
                format!("template error: {e}"),
            );
        };
        let found = self.sources.iter().find(|(n, _, _)| n == r.filename());
        let (shown, text) = match found {
            Some((_, text, shown)) => (shown.clone(), text.as_str()),
            None => (format!("templates/{}", r.filename()), ""),
        };
        let span = r.span();
        let width = if span.end_line == span.start_line {
            span.end_col.saturating_sub(span.start_col)
        } else {
            1
        };
        Diagnostic::error(
            Code::TemplateError,
            shown,
            format!("template error: {}", r.message()),
        )
        .at(Location::from_line_column(
            text,
            span.start_line,
            span.start_col + 1,
            width,
        ))
    }
}
