//! Writing new files for people to fill in: `pilotscope new` (a dossier with
//! every question), `pilotscope init` (a new dossier repository) and
//! `pilotscope schema` (a JSON Schema of the front matter for editors).
//! Everything is generated from [`schema::FIELDS`], so the three never drift
//! from what the reader accepts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use crate::dossier::schema::{self, FIELDS, Kind};

/// A dossier with every question of the format present and unanswered, and
/// a comment saying what each asks.
pub fn new_dossier(title: &str, stage: &str, updated: jiff::civil::Date) -> String {
    let mut out = String::from("---\n");
    let quoted = serde_json::to_string(title).unwrap_or_else(|_| "\"\"".into());
    let mut open_sections: Vec<&str> = Vec::new();
    for f in FIELDS {
        let section = f.section();
        // Open every section on the way to this field.
        let parts: Vec<&str> = if section.is_empty() {
            Vec::new()
        } else {
            section.split('.').collect()
        };
        let mut depth = 0;
        while depth < parts.len()
            && depth < open_sections.len()
            && open_sections[depth] == parts[depth]
        {
            depth += 1;
        }
        open_sections.truncate(depth);
        for (i, p) in parts.iter().enumerate().skip(depth) {
            if i == 0 {
                out.push('\n');
            }
            let _ = writeln!(out, "{}{p}:", "  ".repeat(i));
            open_sections.push(p);
        }
        let indent = "  ".repeat(parts.len());
        let value = match f.path {
            "title" => quoted.clone(),
            "stage" => stage.to_string(),
            "updated" => updated.to_string(),
            _ => String::new(),
        };
        let hint = match f.kind {
            Kind::Date => " (YYYY-MM-DD)".to_string(),
            Kind::Share => " (0 to 1, or \"82%\")".to_string(),
            Kind::Bool => " (true or false)".to_string(),
            Kind::Choice(words) if f.path != "stage" => format!(" ({})", words.join(" | ")),
            Kind::TextList => " (a list: [first, second])".to_string(),
            _ => String::new(),
        };
        let line = format!("{indent}{}: {value}", f.key());
        let _ = writeln!(out, "{line:<33} # {}{hint}", f.question);
        match f.kind {
            Kind::Gaps => {
                let _ = writeln!(
                    out,
                    "{indent}  # - {{gap: Supplier ids differ between plants, addressed: false}}"
                );
            }
            Kind::Kpis => {
                for l in [
                    "- name: Invoice cycle time",
                    "  unit: days",
                    "  baseline: 6.5",
                    "  target: 3",
                    "  direction: lower",
                    "  actual:",
                    "  owner:",
                ] {
                    let _ = writeln!(out, "{indent}  # {l}");
                }
            }
            _ => {}
        }
    }
    out.push_str("---\n\n## What the pilot is for\n\nWrite the pilot's story here: the problem, who it is for, what has happened so far.\n");
    out
}

/// Writes a new dossier for `title` under `content`, reviewed as of
/// `updated`. Never overwrites. Messages name paths with `show`.
pub fn write_new(
    content: &Path,
    title: &str,
    stage: &str,
    updated: jiff::civil::Date,
    show: impl Fn(&Path) -> String,
) -> Result<PathBuf, String> {
    let slug = slug::slugify(title);
    let slug = if slug.is_empty() {
        "pilot".to_string()
    } else {
        slug
    };
    let path = content.join(format!("{slug}.md"));
    std::fs::create_dir_all(content)
        .map_err(|e| format!("cannot create {}: {e}", show(content)))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                format!(
                    "{} already exists; it was left as it is\nhelp: give the pilot another title, or edit that file",
                    show(&path)
                )
            } else {
                format!("cannot write {}: {e}", show(&path))
            }
        })?;
    use std::io::Write;
    file.write_all(new_dossier(title, stage, updated).as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", show(&path)))?;
    Ok(path)
}

fn kind_schema(kind: Kind, description: &str) -> Json {
    let mut s = match kind {
        Kind::Text => json!({"type": ["string", "number", "boolean", "null"]}),
        Kind::TextOrNumber => json!({"type": ["string", "number", "null"]}),
        Kind::Date => {
            json!({"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"})
        }
        Kind::Share => json!({"oneOf": [
            {"type": "number", "minimum": 0, "maximum": 1},
            {"type": "string", "pattern": "^\\s*(100(\\.0+)?|[0-9]{1,2}(\\.[0-9]+)?)\\s*%\\s*$"},
            {"type": "null"}
        ]}),
        Kind::Number => json!({"type": ["number", "null"]}),
        Kind::Bool => json!({"type": ["boolean", "null"]}),
        Kind::Choice(words) => {
            let mut values: Vec<Json> = words.iter().map(|w| json!(w)).collect();
            values.push(Json::Null);
            json!({"enum": values})
        }
        Kind::TextList => json!({"oneOf": [
            {"type": "array", "items": {"type": ["string", "number", "null"]}},
            {"type": "string"},
            {"type": "null"}
        ]}),
        Kind::Gaps => json!({"type": ["array", "null"], "items": {"oneOf": [
            {"type": "string"},
            {"type": "object", "properties": {
                "gap": {"type": "string", "description": "The gap, in a few words."},
                "addressed": {"type": "boolean", "description": "Whether the gap is addressed."}
            }}
        ]}}),
        Kind::Kpis => {
            let props: serde_json::Map<String, Json> = schema::KPI_KEYS
                .iter()
                .map(|(k, kind)| (k.to_string(), kind_schema(*kind, "")))
                .collect();
            json!({"type": ["array", "null"], "items": {"type": "object", "properties": props}})
        }
    };
    if !description.is_empty() {
        s["description"] = json!(description);
    }
    s
}

/// A JSON Schema (draft 2020-12) of the front matter.
pub fn json_schema() -> Json {
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "pilotscope dossier front matter",
        "description": "The answers of one AI pilot's dossier. Unknown keys are allowed.",
        "type": "object",
        "required": ["title", "stage"],
        "properties": {}
    });
    for f in FIELDS {
        let mut node = &mut root;
        for part in f.section().split('.').filter(|p| !p.is_empty()) {
            let props = node["properties"]
                .as_object_mut()
                .expect("properties is an object");
            node = props
                .entry(part.to_string())
                .or_insert_with(|| json!({"type": ["object", "null"], "properties": {}}));
        }
        node["properties"][f.key()] = kind_schema(f.kind, f.question);
    }
    root["properties"]["title"]["type"] = json!("string");
    root["properties"]["title"]["minLength"] = json!(1);
    root
}

/// The example dossier and FAQ that `init` writes.
pub const EXAMPLE_DOSSIER: &str = include_str!("../content/supplier-invoice-matching.md");

/// Where `init` writes the example: a name starting with `_` is not read as
/// a dossier, so the example teaches every answer without counting as one
/// of the team's pilots in any figure.
pub const EXAMPLE_PATH: &str = "content/_example.md";

/// What `init` says at the top of the example's front matter.
const EXAMPLE_NOTE: &str = "# An example with every answer filled in. Its name starts with `_`, so
# pilotscope does not read it as a pilot: it is in no figure and has no page.
# Start your own with `pilotscope new \"Title of the pilot\"`, copy answers from
# here as you need them, and delete this file when you no longer need it.
";

/// The example dossier as `init` writes it: the shipped example, with the
/// note above its first answer.
pub fn example_dossier() -> String {
    let (fence, rest) = EXAMPLE_DOSSIER
        .split_once('\n')
        .expect("the example has front matter");
    format!("{fence}\n{EXAMPLE_NOTE}{rest}")
}
pub const EXAMPLE_FAQ: &str = include_str!("../content/faq.md");

const INIT_CONFIG: &str = r#"# pilotscope configuration. Every key is optional; these are the defaults
# except the title.
title = "AI pilot portfolio"
# base_url = "https://intranet.example.com/pilots/"   # adds canonical links
content_dir = "content"
output_dir = "site"
currency = "USD"
# repo_url = "https://git.example.com/ops/pilots"     # adds source and edit links
# repo_branch = "main"
stale_days = 90
# framework = "framework.toml"                          # your own rules, merged over the defaults
"#;

/// The CI workflow `init` writes. `@DIR@` is the project's folder inside the
/// git work tree (`.` at its root); `@SITE@` the site folder from there.
const INIT_WORKFLOW: &str = r#"# pilotscope: checks the dossiers of every pull request, with each problem
# shown on the line that causes it, says what the pull request changes in
# the verdicts, and publishes the site, with its history, from main. The
# whole history is checked out (fetch-depth: 0): history and diff read it.
#
# Before the first run (Settings > Secrets and variables > Actions > Variables):
#   PILOTSCOPE_GIT  address of the git repository pilotscope is installed from
#   PILOTSCOPE_REV  optional: the commit or tag to install (default: newest)
# The binary is cached, so only the first run (and each new PILOTSCOPE_REV)
# compiles it. Under Settings > Pages, choose "GitHub Actions" as the source.
name: pilotscope
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
concurrency:
  group: pilotscope-${{ github.ref }}
  cancel-in-progress: true
env:
  PILOTSCOPE_GIT: ${{ vars.PILOTSCOPE_GIT }}
  PILOTSCOPE_REV: ${{ vars.PILOTSCOPE_REV }}
defaults:
  run:
    working-directory: @DIR@
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: Cache pilotscope
        id: cache
        uses: actions/cache@v4
        with:
          path: ~/.cargo/bin/pilotscope
          key: pilotscope-${{ runner.os }}-${{ vars.PILOTSCOPE_REV || 'newest' }}
      - name: Install pilotscope
        if: steps.cache.outputs.cache-hit != 'true'
        run: |
          if [ -z "$PILOTSCOPE_GIT" ]; then echo "::error::Set the repository variable PILOTSCOPE_GIT to the address of pilotscope's git repository"; exit 1; fi
          cargo install --locked --git "$PILOTSCOPE_GIT" ${PILOTSCOPE_REV:+--rev "$PILOTSCOPE_REV"} pilotscope
      # Fails only on dossiers that cannot be read; a new, unanswered dossier
      # is a normal first step and passes.
      - name: Check dossiers
        run: pilotscope check --format github
      - name: Portfolio summary
        if: always()
        run: |
          { echo '```'; pilotscope check || true; echo '```'; } >> "$GITHUB_STEP_SUMMARY"
      # What the pull request does to the verdicts, as a table in the job
      # summary; then the job fails only for what it made worse (a verdict,
      # a readiness, or a dossier that can no longer be read).
      - name: What this pull request changes
        if: always() && github.event_name == 'pull_request'
        run: pilotscope diff "origin/${{ github.base_ref }}" --format markdown >> "$GITHUB_STEP_SUMMARY"
      - name: Fail on what this pull request made worse
        if: github.event_name == 'pull_request'
        run: pilotscope diff "origin/${{ github.base_ref }}" --fail-on regression
  publish:
    if: github.event_name == 'push'
    needs: check
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deploy.outputs.page_url }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: Cache pilotscope
        id: cache
        uses: actions/cache@v4
        with:
          path: ~/.cargo/bin/pilotscope
          key: pilotscope-${{ runner.os }}-${{ vars.PILOTSCOPE_REV || 'newest' }}
      - name: Install pilotscope
        if: steps.cache.outputs.cache-hit != 'true'
        run: |
          if [ -z "$PILOTSCOPE_GIT" ]; then echo "::error::Set the repository variable PILOTSCOPE_GIT to the address of pilotscope's git repository"; exit 1; fi
          cargo install --locked --git "$PILOTSCOPE_GIT" ${PILOTSCOPE_REV:+--rev "$PILOTSCOPE_REV"} pilotscope
      - name: Build the site
        run: pilotscope build
      - uses: actions/upload-pages-artifact@v3
        with:
          path: @SITE@
      - name: Publish the site
        id: deploy
        uses: actions/deploy-pages@v4
"#;

/// Creates a new dossier repository in `dir`; returns the files written.
/// A folder that is already a project (it has `pilotscope.toml`) is
/// refused, as `cargo init` refuses a folder with `Cargo.toml`: running it
/// again would only write the example back after the team deleted it.
/// Other files that exist (a `.gitignore`, a workflow) are kept.
///
/// `work_tree` is the root of the git work tree that will hold the project,
/// when it is not `dir` itself: GitHub reads workflows only from the work
/// tree's root, so the workflow goes there and runs in the project's folder.
pub fn init(
    dir: &Path,
    work_tree: Option<&Path>,
    show: impl Fn(&Path) -> String,
) -> Result<Vec<PathBuf>, String> {
    let (workflow_dir, project_in_tree) = match work_tree.and_then(|w| {
        let rel = dir.strip_prefix(w).ok()?;
        Some((w, rel.to_string_lossy().replace('\\', "/")))
    }) {
        Some((w, rel)) if !rel.is_empty() => (w.to_path_buf(), rel),
        _ => (dir.to_path_buf(), ".".to_string()),
    };
    let site = if project_in_tree == "." {
        "site/".to_string()
    } else {
        format!("{project_in_tree}/site/")
    };
    let config = dir.join("pilotscope.toml");
    if config.exists() {
        return Err(format!(
            "{} is already a pilotscope project: {} exists\nhelp: `pilotscope new \"Title\"` adds a dossier; to start again, remove pilotscope.toml first",
            show(dir),
            show(&config)
        ));
    }
    let workflow = INIT_WORKFLOW
        .replace("@DIR@", &project_in_tree)
        .replace("@SITE@", &site);
    let example = example_dossier();
    let files: [(PathBuf, &str); 5] = [
        (config, INIT_CONFIG),
        (dir.join(EXAMPLE_PATH), &example),
        (dir.join("content/faq.md"), EXAMPLE_FAQ),
        (dir.join(".gitignore"), "/site/\n"),
        (
            workflow_dir.join(".github/workflows/pilotscope.yml"),
            &workflow,
        ),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", show(parent)))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", show(&path)))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_dossier_reads_cleanly_with_every_question_unanswered() {
        let text = new_dossier(
            "Claims triage: \"phase 2\"",
            "proposed",
            jiff::civil::date(2026, 11, 26),
        );
        let loaded = crate::dossier::load_text(text.as_bytes(), "content/x.md", "x.md", "x");
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let d = loaded.dossier.unwrap();
        assert_eq!(d.title, "Claims triage: \"phase 2\"");
        assert_eq!(d.answers.iter().filter(|a| a.is_some()).count(), 3);
        for f in FIELDS {
            assert!(
                text.contains(&format!("{}:", f.key())),
                "{} missing",
                f.path
            );
        }
    }

    #[test]
    fn the_schema_nests_sections() {
        let s = json_schema();
        assert!(
            s["properties"]["metrics"]["properties"]["technical"]["properties"]["accuracy"]
                .is_object()
        );
        assert_eq!(s["required"], json!(["title", "stage"]));
    }
}
