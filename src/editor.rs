//! Answering a dossier's questions from the preview: what `serve`'s editor
//! reads and writes on disk.
//!
//! [`Editor::form`] gives a pilot's questions (every field of the format,
//! grouped by the five mistakes, with its help, whether it applies at the
//! pilot's stage, the checks that read it and its current answer) and the
//! digest of the file they were read from; for a dossier the reader
//! rejects (a YAML slip, a share written "about 80") it gives the reader's
//! errors at `file:line:column` and no answers, and the page says to fix
//! the file in an editor first rather than show a form of empty fields
//! that would be saved over answers it could not read (and
//! [`Editor::save`] writes nothing into such a file). [`Editor::save`] applies one
//! change ([`dossier::edit`]) to a dossier the project knows by its id —
//! never a path from the browser — and only when the file still has the
//! digest the form was made from; otherwise it says which answers changed
//! on disk. Writes go beside the file, keep its permissions and are renamed
//! over it. [`Editor::create`] writes a new dossier as `pilotscope new`
//! does. The HTTP side (who may ask) is `serve`'s; the live rebuild that
//! follows a write is the watcher's, as for any other save.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::dossier::edit::{self, Input, Op};
use crate::dossier::read::{digest, read_bytes};
use crate::dossier::schema::{self, FIELDS, Kind};
use crate::dossier::{Dossier, DossierFile, Value, load_text};
use crate::project::Project;

/// Most bytes a save's JSON body may have.
pub const MAX_BODY: usize = 64 << 10;
/// Versions of dossiers shown in forms that are kept to say what changed.
const KEPT_VERSIONS: usize = 64;

/// Why a request was not done, said to the browser.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// No dossier has this id (400 for a malformed request, 404 here).
    NotFound(String),
    BadRequest(String),
    /// The file changed on disk since the form was made: which answers.
    Conflict {
        message: String,
        changed: Vec<String>,
    },
    /// The reader refuses the value: its message, for the field.
    Refused(edit::Refused),
    /// The file could not be read or written.
    Io(String),
}

/// The editor of one project, for the life of one server.
pub struct Editor {
    root: PathBuf,
    /// The configuration file given with `--config`, if any.
    config: Option<PathBuf>,
    secret: String,
    /// Recent versions of files shown in forms, by digest, so that a
    /// refused save can say what changed since.
    seen: Mutex<VecDeque<(u128, Vec<u8>)>>,
}

/// One change as the browser sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    id: String,
    digest: String,
    op: String,
    path: String,
    #[serde(default)]
    value: Json,
}

/// A new pilot as the browser sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPilot {
    title: String,
    stage: String,
}

impl Editor {
    /// An editor of the project at `root` (configured by `config`, else by
    /// its `pilotscope.toml`), with a secret made for this run.
    pub fn new(root: &Path, config: Option<&Path>) -> Result<Editor, String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| format!("no random source for the editor's secret: {e}"))?;
        Ok(Editor {
            root: root.to_path_buf(),
            config: config.map(Path::to_path_buf),
            secret: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            seen: Mutex::new(VecDeque::new()),
        })
    }

    /// The secret only the server's injected script knows.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Whether `given` is the secret (compared in constant time).
    pub fn is_secret(&self, given: &str) -> bool {
        given.len() == self.secret.len()
            && given
                .bytes()
                .zip(self.secret.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    fn project(&self) -> Result<Project, Problem> {
        Project::open_with(&self.root, self.config.as_deref()).map_err(|d| {
            Problem::Io(d.first().map_or_else(
                || "the project cannot be opened".into(),
                |d| d.message.clone(),
            ))
        })
    }

    /// The dossier file with `id`, as the build finds it.
    fn file(&self, project: &Project, id: &str) -> Result<DossierFile, Problem> {
        let (files, _) = project.discover();
        files
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| Problem::NotFound(format!("no dossier has the id `{id}`")))
    }

    /// The questions of the pilot `id`, with its answers.
    pub fn form(&self, id: &str) -> Result<Json, Problem> {
        let project = self.project()?;
        let file = self.file(&project, id)?;
        let bytes = read_bytes(&file.path, &file.source).map_err(|d| Problem::Io(d.message))?;
        let d = digest(&bytes);
        self.remember(d, &bytes);
        let loaded = load_text(&bytes, &file.source, &file.rel_path, &file.id);
        let errors = errors_of(&loaded.diagnostics);
        Ok(form_json(
            &project,
            &file,
            loaded.dossier.as_ref(),
            d,
            errors,
        ))
    }

    fn remember(&self, d: u128, bytes: &[u8]) {
        if let Ok(mut seen) = self.seen.lock()
            && !seen.iter().any(|(k, _)| *k == d)
        {
            if seen.len() >= KEPT_VERSIONS {
                seen.pop_front();
            }
            seen.push_back((d, bytes.to_vec()));
        }
    }

    /// Applies the change in the JSON `body`; the new digest and the
    /// pilot's page on success.
    pub fn save(&self, body: &[u8]) -> Result<Json, Problem> {
        let req: Request = serde_json::from_slice(body)
            .map_err(|e| Problem::BadRequest(format!("the request cannot be read: {e}")))?;
        let op = op_of(&req)?;
        let project = self.project()?;
        let file = self.file(&project, &req.id)?;
        let bytes = read_bytes(&file.path, &file.source).map_err(|d| Problem::Io(d.message))?;
        self.check_unchanged(&bytes, &req.digest)?;
        // A file the reader rejects has no form (its answers cannot all be
        // shown), so nothing is saved into it either.
        let loaded = load_text(&bytes, &file.source, &file.rel_path, &file.id);
        if loaded.dossier.is_none() {
            let first = errors_of(&loaded.diagnostics);
            let at = first
                .first()
                .and_then(|e| e["at"].as_str())
                .unwrap_or(&file.source)
                .to_string();
            return Err(Problem::Refused(edit::Refused {
                path: req.path.clone(),
                message: format!("{at}: the dossier cannot be read as it is"),
                help: Some("fix it in your editor first; the page follows when it is saved".into()),
            }));
        }
        let edited = edit::apply(&bytes, &op).map_err(|mut r| {
            r.path = req.path.clone();
            Problem::Refused(r)
        })?;
        if edited.bytes != bytes {
            write_keeping(&file.path, &edited.bytes, &req.digest)
                .map_err(|e| Problem::Io(format!("{} cannot be written: {e}", file.source)))?;
        }
        let d = digest(&edited.bytes);
        self.remember(d, &edited.bytes);
        Ok(json!({
            "digest": format!("{d:032x}"),
            "page": format!("/{}", crate::site::view::pilot_href(&file.id).trim_end_matches("index.html")),
        }))
    }

    /// Refuses a save against a file that changed since the form was made,
    /// saying which answers changed.
    fn check_unchanged(&self, bytes: &[u8], given: &str) -> Result<(), Problem> {
        if format!("{:032x}", digest(bytes)) == given {
            return Ok(());
        }
        let before = self.seen.lock().ok().and_then(|seen| {
            seen.iter()
                .find(|(k, _)| format!("{k:032x}") == given)
                .map(|(_, b)| b.clone())
        });
        let changed = before
            .map(|b| changed_answers(&b, bytes))
            .unwrap_or_default();
        let message = if changed.is_empty() {
            "the file changed on disk since this page was made; nothing was saved. Reload the page to see it as it is now".to_string()
        } else {
            format!(
                "the file changed on disk since this page was made ({} changed); nothing was saved. Reload the page to see it as it is now",
                changed.join(", ")
            )
        };
        Err(Problem::Conflict { message, changed })
    }

    /// Writes a new dossier, as `pilotscope new` does; its page.
    pub fn create(&self, body: &[u8], today: jiff::civil::Date) -> Result<Json, Problem> {
        let req: NewPilot = serde_json::from_slice(body)
            .map_err(|e| Problem::BadRequest(format!("the request cannot be read: {e}")))?;
        let title = req.title.trim();
        if title.is_empty() {
            return Err(Problem::Refused(edit::Refused {
                path: "title".into(),
                message: "give the pilot a title".into(),
                help: None,
            }));
        }
        if !schema::STAGES.contains(&req.stage.as_str()) {
            return Err(Problem::Refused(edit::Refused {
                path: "stage".into(),
                message: format!("the stage must be one of {}", schema::STAGES.join(", ")),
                help: None,
            }));
        }
        let project = self.project()?;
        let content = project.content_dir();
        let root = self.root.clone();
        let path = crate::scaffold::write_new(&content, title, &req.stage, today, |p| {
            crate::diagnostic::show_path(p, &root)
        })
        .map_err(|m| {
            Problem::Refused(edit::Refused {
                path: "title".into(),
                message: m.lines().next().unwrap_or_default().to_string(),
                help: m
                    .lines()
                    .nth(1)
                    .map(|h| h.trim_start_matches("help: ").to_string()),
            })
        })?;
        let rel = path
            .strip_prefix(&content)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let id = crate::dossier::read::id_from_path(&rel);
        Ok(json!({
            "id": id,
            "page": format!("/{}", crate::site::view::pilot_href(&id).trim_end_matches("index.html")),
        }))
    }
}

/// The change a request asks for.
fn op_of(req: &Request) -> Result<Op, Problem> {
    let bad = |m: &str| Problem::BadRequest(m.to_string());
    if edit::target(&req.path).is_none() {
        return Err(bad("the request names no question of the format"));
    }
    let path = req.path.clone();
    match req.op.as_str() {
        "set" => Ok(Op::Set {
            path,
            value: input_of(&req.value)
                .ok_or_else(|| bad("the value has no form an answer takes"))?,
        }),
        "add" => Ok(Op::Add {
            path,
            entry: input_of(&req.value)
                .ok_or_else(|| bad("the entry has no form an answer takes"))?,
        }),
        "remove" => Ok(Op::Remove { path }),
        _ => Err(bad("the change is none of set, add or remove")),
    }
}

fn input_of(v: &Json) -> Option<Input> {
    match v {
        Json::Null => Some(Input::Text(String::new())),
        Json::String(s) => Some(Input::Text(s.clone())),
        Json::Bool(b) => Some(Input::Bool(*b)),
        Json::Number(n) => Some(Input::Text(n.to_string())),
        Json::Array(items) => items
            .iter()
            .map(|i| match i {
                Json::String(s) => Some(s.clone()),
                Json::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Input::List),
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Json::Array(_) | Json::Object(_) => None,
                _ => input_of(v).map(|i| (k.clone(), i)),
            })
            .collect::<Option<Vec<_>>>()
            .map(Input::Entry),
    }
}

/// The paths of the answers that differ between two versions of a file.
fn changed_answers(before: &[u8], after: &[u8]) -> Vec<String> {
    let a = load_text(before, "x", "x.md", "x").dossier;
    let b = load_text(after, "x", "x.md", "x").dossier;
    match (a, b) {
        (Some(a), Some(b)) => {
            let mut out: Vec<String> = FIELDS
                .iter()
                .enumerate()
                .filter(|(i, _)| a.answer(*i) != b.answer(*i))
                .map(|(_, f)| f.path.to_string())
                .collect();
            if a.body != b.body {
                out.push("the story".into());
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Writes `bytes` beside `path` with its permissions, then renames it
/// over `path` if the file still has the digest `expected`.
fn write_keeping(path: &Path, bytes: &[u8], expected: &str) -> std::io::Result<()> {
    use std::io::Write;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // The file itself, not a symbolic link to it (discovery follows links
    // only inside the content folder), is replaced.
    let path = path.canonicalize()?;
    let parent = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("dossier");
    let tmp = parent.join(format!(
        ".{name}.{}-{}.edit",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let permissions = std::fs::metadata(&path)?.permissions();
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.set_permissions(permissions)?;
        file.sync_all()?;
        drop(file);
        // The last look before the rename: a save in another editor in
        // the meantime is not written over.
        let now = std::fs::read(&path)?;
        if format!("{:032x}", digest(&now)) != expected {
            return Err(std::io::Error::other(
                "it changed on disk while being saved",
            ));
        }
        std::fs::rename(&tmp, &path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text | Kind::TextOrNumber => "text",
        Kind::Date => "date",
        Kind::Share => "share",
        Kind::Number => "number",
        Kind::Bool => "bool",
        Kind::Choice(_) => "choice",
        Kind::TextList => "list",
        Kind::Gaps => "gaps",
        Kind::Kpis => "kpis",
    }
}

/// What the form says under a field about the form of an answer.
fn help(kind: Kind) -> String {
    match kind {
        Kind::Date => "A date written YYYY-MM-DD, such as 2026-02-02.".into(),
        Kind::Share => {
            "A share: a percentage such as 82%, or a number from 0 to 1 such as 0.82.".into()
        }
        Kind::Number => "A number, such as 180000 or 6.5.".into(),
        Kind::Choice(words) => format!("One of: {}.", words.join(", ")),
        Kind::TextList => "One item a line.".into(),
        Kind::TextOrNumber => "Text or a number, such as 1,200 invoices a day.".into(),
        Kind::Gaps => "Each gap in a few words, and whether it is addressed.".into(),
        Kind::Kpis => {
            "Each KPI with its baseline and target; its actual once measured in production.".into()
        }
        Kind::Text | Kind::Bool => String::new(),
    }
}

/// A value as the form shows it.
fn form_value(v: &Value) -> Json {
    match v {
        Value::Text(s) => json!(s),
        Value::Date(d) => json!(d.to_string()),
        Value::Share(_) | Value::Number(_) => json!(v.display()),
        Value::Bool(b) => json!(b),
        Value::Choice(c) => json!(c),
        Value::List(items) => json!(items),
        Value::Gaps(gaps) => json!(
            gaps.iter()
                .map(|g| json!({"gap": g.gap, "addressed": g.addressed}))
                .collect::<Vec<_>>()
        ),
        Value::Kpis(kpis) => json!(
            kpis.iter()
                .map(|k| {
                    let n = |x: Option<f64>| x.map(crate::dossier::tree::format_number);
                    json!({
                        "name": k.name, "unit": k.unit, "baseline": n(k.baseline),
                        "target": n(k.target), "direction": k.direction.map(|d| match d {
                            crate::dossier::Direction::Lower => "lower",
                            crate::dossier::Direction::Higher => "higher",
                        }),
                        "actual": n(k.actual), "owner": k.owner,
                    })
                })
                .collect::<Vec<_>>()
        ),
    }
}

fn entry_spec(keys: &[(&str, Kind)]) -> Json {
    json!(
        keys.iter()
            .map(|(k, kind)| json!({
                "key": k,
                "kind": kind_name(*kind),
                "choices": match kind { Kind::Choice(w) => w.to_vec(), _ => Vec::new() },
                "help": help(*kind),
            }))
            .collect::<Vec<_>>()
    )
}

/// The reader's errors, each with its place as `file:line:column`.
fn errors_of(diagnostics: &[crate::diagnostic::Diagnostic]) -> Vec<Json> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let at = match &d.location {
                Some(l) => format!("{}:{}:{}", d.source, l.line, l.column),
                None => d.source.clone(),
            };
            json!({
                "at": at,
                "message": d.message,
                "help": d.help,
                "line": d.location.as_ref().map(|l| l.line),
                "column": d.location.as_ref().map(|l| l.column),
            })
        })
        .collect()
}

/// The form of one pilot: groups, fields, checks and answers; for a
/// dossier the reader rejects (`readable: false`), its errors and no
/// answers, which the page shows instead of the form.
fn form_json(
    project: &Project,
    file: &DossierFile,
    dossier: Option<&Dossier>,
    d: u128,
    errors: Vec<Json>,
) -> Json {
    let framework = &project.framework;
    let stage = dossier.map(|d| d.stage);
    let column = stage.map(|s| s.column());
    let mut groups = vec![json!({"id": "pilot", "name": "The pilot"})];
    groups.extend(
        framework
            .mistakes
            .iter()
            .map(|m| json!({"id": m.id.as_str(), "name": m.name})),
    );
    let mut checks = serde_json::Map::new();
    let fields: Vec<Json> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let reading: Vec<&crate::framework::Check> = framework
                .checks
                .iter()
                .filter(|c| c.condition.fields().contains(&i))
                .collect();
            let applies = reading.is_empty()
                || column.is_none_or(|col| reading.iter().any(|c| c.severity[col].is_some()));
            let section = f.path.split('.').next().unwrap_or("");
            let group = if f.section().is_empty() {
                "pilot"
            } else {
                section
            };
            json!({
                "path": f.path,
                "label": f.label,
                "question": f.question,
                "kind": kind_name(f.kind),
                "choices": match f.kind { Kind::Choice(w) => w.to_vec(), _ => Vec::new() },
                "help": help(f.kind),
                "group": group,
                "applies": applies,
                "checks": reading.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
                "value": dossier.and_then(|d| d.answer(i)).map_or(Json::Null, form_value),
            })
        })
        .collect();
    for c in &framework.checks {
        let applies = column.is_none_or(|col| c.severity[col].is_some());
        if applies {
            let paths: Vec<&str> = c
                .condition
                .fields()
                .iter()
                .map(|i| FIELDS[*i].path)
                .collect();
            checks.insert(c.id.clone(), json!(paths));
        }
    }
    json!({
        "id": file.id,
        "source": file.source,
        "digest": format!("{d:032x}"),
        "title": dossier.map(|d| d.title.as_str()),
        "stage": stage.map(|s| s.as_str()),
        "groups": groups,
        "fields": fields,
        "entries": {"gaps": entry_spec(schema::GAP_KEYS), "kpis": entry_spec(schema::KPI_KEYS)},
        "checks": checks,
        "readable": dossier.is_some(),
        "errors": errors,
        "stages": schema::STAGES,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (tempfile::TempDir, Editor) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(
            dir.path().join("content/alpha.md"),
            "---\ntitle: Alpha\nstage: pilot  # now\nstarted: 2026-03-01\n---\nStory\n",
        )
        .unwrap();
        let e = Editor::new(dir.path(), None).unwrap();
        (dir, e)
    }

    fn body(id: &str, digest: &str, path: &str, value: Json) -> Vec<u8> {
        serde_json::to_vec(
            &json!({"id": id, "digest": digest, "op": "set", "path": path, "value": value}),
        )
        .unwrap()
    }

    #[test]
    fn a_save_writes_the_answer_and_keeps_the_rest() {
        let (dir, e) = project();
        let form = e.form("alpha").unwrap();
        let digest = form["digest"].as_str().unwrap().to_string();
        let saved = e
            .save(&body(
                "alpha",
                &digest,
                "framing.production_owner",
                json!("Dana"),
            ))
            .unwrap();
        assert_eq!(saved["page"], "/pilots/alpha/");
        let text = std::fs::read_to_string(dir.path().join("content/alpha.md")).unwrap();
        assert_eq!(
            text,
            "---\ntitle: Alpha\nstage: pilot  # now\nstarted: 2026-03-01\nframing:\n  production_owner: Dana\n---\nStory\n"
        );
        assert!(
            !dir.path().join("content").read_dir().unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".edit"))
        );
    }

    #[test]
    fn a_dossier_the_reader_rejects_gives_its_errors_and_takes_no_save() {
        let (dir, e) = project();
        let file = dir.path().join("content/alpha.md");
        std::fs::write(&file, "---\ntitle: Alpha\nstage:pilot\n---\nStory\n").unwrap();
        let form = e.form("alpha").unwrap();
        assert_eq!(form["readable"], false);
        let at = form["errors"][0]["at"].as_str().unwrap();
        assert!(at.starts_with("content/alpha.md:3:"), "{at}");
        let digest = form["digest"].as_str().unwrap();
        let refused = e.save(&body("alpha", digest, "summary", json!("A summary")));
        assert!(
            matches!(&refused, Err(Problem::Refused(r)) if r.message.starts_with("content/alpha.md:3:")),
            "{refused:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "---\ntitle: Alpha\nstage:pilot\n---\nStory\n"
        );
    }

    #[test]
    fn a_save_against_a_changed_file_is_refused_with_what_changed() {
        let (dir, e) = project();
        let form = e.form("alpha").unwrap();
        let digest = form["digest"].as_str().unwrap().to_string();
        let path = dir.path().join("content/alpha.md");
        let other = "---\ntitle: Alpha\nstage: scaling\nstarted: 2026-03-01\n---\nStory\n";
        std::fs::write(&path, other).unwrap();
        let refused = e
            .save(&body(
                "alpha",
                &digest,
                "framing.production_owner",
                json!("Dana"),
            ))
            .unwrap_err();
        match refused {
            Problem::Conflict { changed, .. } => assert_eq!(changed, vec!["stage".to_string()]),
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), other);
    }

    #[test]
    fn only_dossiers_known_by_id_are_written() {
        let (dir, e) = project();
        for id in ["../pilotscope", "/etc/passwd", "content/alpha.md", "beta"] {
            assert!(matches!(
                e.save(&body(id, "0", "title", json!("x"))),
                Err(Problem::NotFound(_))
            ));
        }
        assert!(!dir.path().join("pilotscope.md").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_save_keeps_the_files_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, e) = project();
        let path = dir.path().join("content/alpha.md");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let digest = e.form("alpha").unwrap()["digest"]
            .as_str()
            .unwrap()
            .to_string();
        e.save(&body("alpha", &digest, "summary", json!("Reads invoices")))
            .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}
