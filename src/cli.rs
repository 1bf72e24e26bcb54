//! The command line: parses arguments (clap) and calls the library.
//!
//! Every command returns an [`Exit`] (0 clean; 1 dossier errors, or a
//! pilot at or beyond `--fail-on`; 2 a usage or configuration error), made
//! the process's exit code in `main` alone.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::diagnostic::show_path;
use crate::exit::Exit;
use crate::framework::Verdict;
use crate::project::{self, Project};
use crate::report;
use crate::term::{self, Term};

/// The version `--version` prints: the package's, then the commit and
/// its date when it was built from a git checkout (see `build.rs`).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("PILOTSCOPE_BUILD_INFO"));

#[derive(Debug, Parser)]
#[command(
    name = "pilotscope",
    version = VERSION,
    about = "Diagnose AI pilots against the five structural mistakes and publish the portfolio as a static site",
    long_about = "pilotscope reads one markdown dossier per AI pilot from content/, judges each pilot against the five \
                  structural mistakes that keep AI pilots from reaching production (framing, data, governance, change \
                  management, metrics), and publishes a static site: the portfolio, a diagnosis per pilot, the \
                  framework and an FAQ.",
    after_help = "Exit status: 0 clean; 1 dossier errors or a --fail-on hit; 2 usage or configuration error."
)]
pub struct Cli {
    /// Folder of the dossier repository (holds content/ and pilotscope.toml); default: the nearest folder
    /// from the current one upwards (within its git repository) that holds a pilotscope.toml, a content/
    /// folder or a framework.toml, else the current folder.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Read the configuration from this file instead of the root's pilotscope.toml; the root is then
    /// the file's folder unless --root is given.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Judge as of this date instead of today, for reproducible output.
    #[arg(long, global = true, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    pub as_of: Option<Date>,
    /// When to colour output: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE=1 colours a pipe too), always or never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Print only errors and the report asked for: no progress, summaries, warnings or "wrote" lines.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge every dossier and report verdicts, warnings and errors.
    Check {
        /// Judge only these dossiers (for pre-commit hooks and editors); default: every dossier.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// How to report.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also exit with status 1 when a pilot's verdict is this or worse.
        #[arg(long, value_enum, value_name = "VERDICT")]
        fail_on: Option<FailOn>,
    },
    /// Build the site into the output folder (site/ unless configured).
    Build {
        /// Write the site here instead of the configured output folder.
        #[arg(long, short, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Publish at this address instead of the configured base_url, for this build only
        /// (such as the address GitHub or GitLab Pages gives the site).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Build even into a folder that holds files pilotscope did not write.
        #[arg(long)]
        force: bool,
    },
    /// Build, then rebuild on every change to content, templates, configuration or framework.
    Watch {
        /// Write the site here instead of the configured output folder.
        #[arg(long, short, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Build even into a folder that holds files pilotscope did not write.
        #[arg(long)]
        force: bool,
    },
    /// Build, serve the site with live reload, and rebuild on every change.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on. Anything but loopback exposes the site to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
        /// Write the site here instead of the configured output folder.
        #[arg(long, short, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Also answer requests addressed to this host name (repeatable).
        /// Loopback names and IP addresses are always answered; other
        /// names are refused, so that other sites cannot reach the server.
        #[arg(long, value_name = "HOST")]
        allowed_host: Vec<String>,
        /// Build even into a folder that holds files pilotscope did not write.
        #[arg(long)]
        force: bool,
        /// Answer questions in the page even on a network address (on by
        /// default on loopback only): anyone who can open a page can then
        /// change dossiers.
        #[arg(long, conflicts_with = "no_edit")]
        edit: bool,
        /// Never answer questions in the page.
        #[arg(long)]
        no_edit: bool,
    },
    /// Write a new dossier with every question to content/<slug>.md.
    New {
        /// The pilot's title.
        title: String,
        /// Its stage.
        #[arg(long, default_value = "proposed", value_parser = ["proposed", "pilot", "scaling", "production", "paused", "abandoned"])]
        stage: String,
    },
    /// Compare the diagnoses at two revisions (for pull requests).
    ///
    /// BASE defaults to where HEAD branched off the default branch, HEAD to
    /// the working tree. Lists pilots added, removed and those whose
    /// verdict, readiness, checks or errors changed.
    Diff {
        /// The revision to compare from (a branch, tag or commit).
        base: Option<String>,
        /// The revision to compare to (default: the working tree).
        head: Option<String>,
        /// How to report.
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// Exit with status 1 when a verdict got worse, readiness dropped
        /// or a dossier can no longer be read.
        #[arg(long, value_enum, value_name = "WHAT")]
        fail_on: Option<DiffFailOn>,
    },
    /// Print a JSON Schema of the dossier front matter (or of pilotscope.toml, or of a framework file), for editors.
    Schema {
        /// Which file the schema is for.
        #[arg(value_enum, default_value_t = SchemaOf::Dossier)]
        of: SchemaOf,
    },
    /// Create a new dossier repository with an example, an FAQ and a CI workflow.
    Init {
        /// Where to create it (default: `--root`, or the current folder).
        dir: Option<PathBuf>,
        /// Which CI service the pipeline is written for.
        #[arg(long, value_enum, default_value_t = Ci::Github)]
        ci: Ci,
    },
    /// Print a completion script for a shell, from the same definitions as --help.
    ///
    /// bash: `pilotscope completions bash > ~/.local/share/bash-completion/completions/pilotscope`;
    /// zsh: into a folder of your $fpath as `_pilotscope`; fish: `~/.config/fish/completions/pilotscope.fish`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man -l -` or a man folder.
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaOf {
    /// A dossier's front matter (YAML, TOML or JSON).
    Dossier,
    /// pilotscope.toml.
    Config,
    /// A project's framework file (framework.toml).
    Framework,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Ci {
    /// .github/workflows/pilotscope.yml: checks, the pull request's changes, GitHub Pages.
    Github,
    /// .gitlab-ci.yml: checks as Code Quality, the merge request's changes, GitLab Pages.
    Gitlab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per pilot, then problems with their source lines.
    Human,
    /// The machine-readable report.
    Json,
    /// GitHub workflow annotations.
    Github,
    /// SARIF 2.1.0, for code scanning: every error, warning and failing check at its line.
    Sarif,
    /// JUnit XML: a test suite per dossier, a test case per check.
    Junit,
    /// One line per error, warning and failing check: path:line:col: level[code]: message.
    Short,
    /// GitLab Code Quality report (JSON), for a merge request's widget.
    Gitlab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    fn term(self) -> term::Color {
        match self {
            ColorWhen::Auto => term::Color::Auto,
            ColorWhen::Always => term::Color::Always,
            ColorWhen::Never => term::Color::Never,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// At risk or not ready.
    #[value(name = "at_risk", alias = "at-risk")]
    AtRisk,
    /// Not ready.
    #[value(name = "not_ready", alias = "not-ready")]
    NotReady,
}

impl FailOn {
    fn verdict(self) -> Verdict {
        match self {
            FailOn::AtRisk => Verdict::AtRisk,
            FailOn::NotReady => Verdict::NotReady,
        }
    }
}

fn parse_as_of(s: &str) -> Result<Date, String> {
    crate::dossier::read::parse_date(s).ok_or_else(|| {
        format!("expected a date written YYYY-MM-DD, such as 2026-11-24; found \"{s}\"")
    })
}

/// The root of the git work tree holding `dir`, if any: GitHub names files
/// in annotations relative to it.
fn work_tree_of(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| d.join(".git").exists())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = run(cli);
    match crate::term::stdout_failure() {
        Some(e) => {
            eprintln!(
                "error: the output could not be written to standard output: {e}\nhelp: check that the disk or the device it goes to has room and accepts writes"
            );
            Exit::Usage
        }
        None => exit,
    }
    .into()
}

/// A path given on the command line, made absolute against the folder the
/// command was started from, with symbolic links resolved where it exists.
///
/// Done once, where paths enter the program: the file watcher reports
/// absolute paths, and a rebuild that compares them with paths built on a
/// relative root never matches (the live preview was dead for everyone who
/// ran it from inside their project).
pub fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.canonicalize().unwrap_or(abs)
}

pub fn run(mut cli: Cli) -> Exit {
    let as_of = cli.as_of.unwrap_or_else(project::today);
    let root_given = cli.root.is_some();
    let config = cli.config.as_deref().map(absolute);
    let root = match (&cli.root, &config, &cli.command) {
        (Some(root), _, _) => absolute(root),
        (None, Some(file), _) => file
            .parent()
            .map_or_else(|| absolute(Path::new(".")), Path::to_path_buf),
        // `init` makes a project where it is asked to, never above.
        (None, None, Command::Init { .. }) => absolute(Path::new(".")),
        // Files given to `check` belong to the project above them.
        (None, None, Command::Check { paths, .. }) if !paths.is_empty() => {
            let first = absolute(&paths[0]);
            crate::config::Config::find_root(first.parent().unwrap_or(&first))
        }
        (None, None, _) => crate::config::Config::find_root(&absolute(Path::new("."))),
    };
    if let Command::Build { output, .. }
    | Command::Watch { output, .. }
    | Command::Serve { output, .. } = &mut cli.command
    {
        *output = output.as_deref().map(absolute);
    }
    let here = absolute(Path::new("."));
    let base = match &cli.command {
        // Code scanning and test reports name files relative to the
        // repository, where CI looks for them.
        Command::Check {
            format: Format::Github | Format::Sarif | Format::Junit | Format::Gitlab,
            ..
        } => work_tree_of(&here).unwrap_or(&here).to_path_buf(),
        _ => here,
    };
    // Every path the terminal shows is put under the project root as seen
    // from where the command ran, so that it can be pasted or clicked there.
    let term = &Term::new(cli.color.term(), cli.quiet, show_path(&root, &base));
    match cli.command {
        Command::Check {
            paths,
            format,
            fail_on,
        } => {
            let project = match open_with_content(term, &root, config.as_deref()) {
                Ok(p) => p,
                Err(code) => return code,
            };
            check(
                term,
                &project,
                &paths,
                as_of,
                format,
                fail_on.map(FailOn::verdict),
            )
        }
        Command::Build {
            output,
            base_url,
            force,
        } => build(
            term,
            &root,
            config.as_deref(),
            as_of,
            output,
            base_url,
            force,
        ),
        Command::Watch { output, force } => {
            watch(term, &root, config.as_deref(), as_of, output, force)
        }
        Command::Serve {
            port,
            bind,
            open,
            output,
            allowed_host,
            force,
            edit,
            no_edit,
        } => crate::serve::run(
            term,
            &root,
            config.as_deref(),
            as_of,
            output,
            crate::serve::Options {
                bind,
                port,
                open,
                allowed_hosts: allowed_host,
                force,
                edit: if no_edit {
                    Some(false)
                } else if edit {
                    Some(true)
                } else {
                    None
                },
            },
        ),
        Command::New { title, stage } => new(term, &root, config.as_deref(), &title, &stage, as_of),
        Command::Diff {
            base,
            head,
            format,
            fail_on,
        } => {
            let project = match open_with_content(term, &root, config.as_deref()) {
                Ok(p) => p,
                Err(code) => return code,
            };
            diff(
                term,
                &project,
                base.as_deref(),
                head.as_deref(),
                as_of,
                format,
                fail_on.is_some(),
            )
        }
        Command::Schema { of } => {
            let of = match of {
                SchemaOf::Dossier => crate::scaffold::SchemaOf::Dossier,
                SchemaOf::Config => crate::scaffold::SchemaOf::Config,
                SchemaOf::Framework => crate::scaffold::SchemaOf::Framework,
            };
            let mut schema =
                serde_json::to_string_pretty(&crate::scaffold::schema_of(of)).unwrap_or_default();
            schema.push('\n');
            term.out_plain(&schema);
            Exit::Clean
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "pilotscope",
                &mut out,
            );
            term.out_plain(&String::from_utf8_lossy(&out));
            Exit::Clean
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out) {
                Ok(()) => {
                    term.out_plain(&String::from_utf8_lossy(&out));
                    Exit::Clean
                }
                Err(e) => {
                    term.error(format_args!("the manual page cannot be written: {e}"));
                    Exit::Usage
                }
            }
        }
        Command::Init { dir, ci } => {
            let dir = match dir {
                Some(_) if root_given => {
                    term.error("`init` was given two folders, `--root` and DIR\nhelp: name the folder once: `pilotscope init DIR` or `pilotscope --root DIR init`"
                    );
                    return Exit::Usage;
                }
                Some(dir) => absolute(&dir),
                None => root,
            };
            init(term, &dir, ci)
        }
    }
}

fn new(
    term: &Term,
    root: &Path,
    config: Option<&Path>,
    title: &str,
    stage: &str,
    as_of: Date,
) -> Exit {
    if title.trim().is_empty() {
        term.error("the title is empty\nhelp: give the pilot's name, such as `pilotscope new \"Invoice matching\"`"
        );
        return Exit::Usage;
    }
    let content = match Project::open_with(root, config) {
        Ok(p) => p.content_dir(),
        Err(d) => {
            term.diagnostics(&d);
            return Exit::Usage;
        }
    };
    match crate::scaffold::write_new(&content, title, stage, as_of, shown) {
        Ok(path) => {
            term.say(format_args!("wrote {}", shown(&path)));
            Exit::Clean
        }
        Err(e) => {
            term.error(e);
            Exit::Usage
        }
    }
}

fn init(term: &Term, dir: &Path, ci: Ci) -> Exit {
    let ci = match ci {
        Ci::Github => crate::scaffold::Ci::Github,
        Ci::Gitlab => crate::scaffold::Ci::Gitlab,
    };
    match crate::scaffold::init(dir, work_tree_of(dir), ci, shown) {
        Ok(written) => {
            for w in &written {
                term.say(format_args!("wrote {}", shown(w)));
            }
            if written.is_empty() {
                term.say("nothing to do: every file already exists");
            }
            term.say(format_args!(
                "{} shows every answer filled in; it is not counted as a pilot",
                crate::scaffold::EXAMPLE_PATH
            ));
            let cd = shown(dir);
            if cd == "." {
                term.say("next: `pilotscope new \"Title of the pilot\"` for your first pilot, then `pilotscope serve` to preview the site");
            } else {
                term.say(format_args!(
                    "next: `cd {cd}`, `pilotscope new \"Title of the pilot\"` for your first pilot, then `pilotscope serve` to preview the site"
                ));
            }
            Exit::Clean
        }
        Err(e) => {
            term.error(e);
            Exit::Usage
        }
    }
}

/// An absolute path as the terminal shows it: from the folder the
/// command was started from.
fn shown(path: &Path) -> String {
    show_path(path, &absolute(Path::new(".")))
}

/// The project at `root`, when its configuration reads and its content
/// folder exists; otherwise the problem is printed and the exit code given.
fn open_with_content(
    term: &Term,
    root: &std::path::Path,
    config: Option<&Path>,
) -> Result<Project, Exit> {
    let project = Project::open_with(root, config).map_err(|d| {
        term.diagnostics(&d);
        Exit::Usage
    })?;
    match project.content_problem() {
        Some(d) => {
            term.diagnostics(&[d]);
            Err(Exit::Usage)
        }
        None => Ok(project),
    }
}

fn check(
    term: &Term,
    project: &Project,
    paths: &[PathBuf],
    as_of: Date,
    format: Format,
    fail_on: Option<Verdict>,
) -> Exit {
    let mut judged = if paths.is_empty() {
        project.judge_all(as_of)
    } else {
        let missing: Vec<&PathBuf> = paths.iter().filter(|p| !p.exists()).collect();
        if let Some(p) = missing.first() {
            term.error(format_args!(
                "{} does not exist\nhelp: name dossier files, such as `pilotscope check content/invoice-matching.md`",
                p.display()
            ));
            return Exit::Usage;
        }
        let (judged, skipped) = project.judge_only(as_of, paths);
        for p in skipped {
            term.warn(format_args!(
                "skipped {}: not a dossier in {}",
                p.display(),
                shown(&project.content_dir())
            ));
        }
        judged
    };
    judged.show_from(term.root());
    let failed_verdict =
        fail_on.is_some_and(|level| judged.pilots().any(|(_, g)| g.verdict >= level));
    match format {
        // Under --quiet, the errors alone.
        Format::Human if term.quiet() => {
            let mut text = String::new();
            for d in judged.diagnostics().filter(|d| d.is_error()) {
                text.push_str(&report::render_diagnostic(d, true));
                text.push_str("\n\n");
            }
            term.out(&text);
        }
        Format::Human => {
            let mut text = report::human(&judged, &project.framework, true);
            if let (Some(level), true) = (fail_on, failed_verdict) {
                text.push_str(&report::fail_on_summary(&judged, level));
            }
            term.out(&text);
        }
        Format::Json => term.out_plain(&report::json(&judged, &project.framework)),
        Format::Github => term.out_plain(&report::github(&judged, fail_on)),
        Format::Sarif => {
            let log = report::sarif(&judged, &project.framework, &project.config.base_url);
            term.out_plain(&log.text);
            if log.left_out > 0 {
                term.warn(format!(
                    "{} results were left out of the SARIF log, the least serious ones: code scanning accepts at most {} in one run\nhelp: `pilotscope check` lists them all",
                    log.left_out,
                    report::SARIF_MAX_RESULTS
                ));
            }
        }
        Format::Junit => term.out_plain(&report::junit(&judged, &project.framework)),
        Format::Short => term.out(&report::short(&judged, &project.framework)),
        Format::Gitlab => term.out_plain(&report::gitlab(&judged, &project.framework)),
    }
    let exit = Exit::findings_if(judged.error_count() > 0 || failed_verdict);
    // The process ends here: freeing every judged dossier one by one (tens
    // of megabytes in small pieces) would only delay the exit.
    std::mem::forget(judged);
    exit
}

fn build(
    term: &Term,
    root: &std::path::Path,
    config: Option<&Path>,
    as_of: Date,
    output: Option<PathBuf>,
    base_url: Option<String>,
    force: bool,
) -> Exit {
    let builder = match builder_for(term, root, config, as_of, base_url) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let out = output.unwrap_or_else(|| builder.project.output_dir());
    if let Err(d) = builder.check_output(&out, force) {
        term.diagnostics(&[d]);
        return Exit::Usage;
    }
    let progress = term.progress();
    let published = builder.publish(
        &out,
        &mut crate::site::Sink {
            step: &|step| progress.step(step.words()),
            total: &|pages| progress.count(pages, "pages"),
            page: &|| progress.inc(),
            first: None,
            abandon: &|| false,
        },
    );
    progress.finish();
    say_history(term, &published.built);
    term.diagnostics(&published.diagnostics);
    finish_build(term, published, &out)
}

/// What the build has to say about the history: a note on why it has
/// none, a warning when its cache cannot be kept.
fn say_history(term: &Term, built: &crate::site::Built) {
    if let Some(notice) = &built.notice {
        term.note(notice);
    }
    if let Some((cache, e)) = &built.history_problem {
        term.warn(format_args!(
            "the history cache cannot be kept in {}: {e}",
            shown(cache)
        ));
    }
}

/// The owner of a build of the project at `root`, with `--base-url`
/// (checked to be a web address) in place of the configuration's.
fn builder_for(
    term: &Term,
    root: &std::path::Path,
    config: Option<&Path>,
    as_of: Date,
    base_url: Option<String>,
) -> Result<crate::site::Builder, Exit> {
    let mut project = open_with_content(term, root, config)?;
    if let Some(url) = base_url {
        if !url::Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            term.error(format_args!(
                "--base-url {url:?} is not a web address\nhelp: give the site's whole address, such as `--base-url https://acme.github.io/pilots/`"
            ));
            return Err(Exit::Usage);
        }
        project.config.base_url = url;
    }
    crate::site::Builder::new(project, as_of).map_err(|d| {
        term.diagnostics(&d);
        Exit::Usage
    })
}

/// Reports a build: what it did, and the exit code. A build with errors in
/// dossiers (`failed`; `broken` of them cannot be read) still writes the
/// site, where their pages say what is wrong, and exits with 1.
fn finish_build(term: &Term, published: crate::site::Published, out: &std::path::Path) -> Exit {
    match published.built.result {
        Ok(stats) => {
            term.status(&stats);
            if published.failed {
                term.problem(format_args!(
                    "{} with errors: their pages say what is wrong",
                    crate::site::view::plural(published.broken, "dossier", "dossiers")
                ));
                Exit::Findings
            } else {
                Exit::Clean
            }
        }
        Err(errors) => {
            term.diagnostics(&errors);
            term.problem(format_args!(
                "the build failed; each file in {} is whole, either this build's or the previous one's",
                out.display()
            ));
            Exit::Usage
        }
    }
}

/// How `diff` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A line per pilot, for a terminal.
    Human,
    /// A table for a pull request's comment or a job summary.
    Markdown,
    /// Machine-readable.
    Json,
}

/// What `diff --fail-on` fails on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFailOn {
    /// The same answers got worse under the same rules (a worse verdict or
    /// a lower readiness at the new side's stage), or a dossier can no
    /// longer be read. A stage move alone is none.
    Regression,
}

/// `pilotscope diff`: prints the comparison ([`crate::history::diff`]);
/// 1 on a regression with `fail_on`, 2 when the revisions cannot be
/// compared.
fn diff(
    term: &Term,
    project: &Project,
    base: Option<&str>,
    head: Option<&str>,
    as_of: Date,
    format: DiffFormat,
    fail_on: bool,
) -> Exit {
    use crate::history::diff;
    let compared = match diff::run(project, base, head, as_of) {
        Ok(d) => d,
        Err(e) => {
            term.error(e);
            return Exit::Usage;
        }
    };
    let text = match format {
        DiffFormat::Human => diff::human(&compared),
        DiffFormat::Markdown => diff::markdown(&compared, &project.config.base_url),
        DiffFormat::Json => diff::json(&compared),
    };
    let text = format!("{}\n", text.trim_end_matches('\n'));
    match format {
        // The human text and the markdown go to a job's log as they are.
        DiffFormat::Human | DiffFormat::Markdown => term.out(&text),
        // In JSON, `##[` can only be inside a string, where `\u0023` is
        // the same `#` to a reader and no command to the runner.
        DiffFormat::Json => term.out_plain(&text.replace("##[", "#\\u0023[")),
    }
    if fail_on && compared.has_regression() {
        if format == DiffFormat::Human {
            let n = compared.pilots.iter().filter(|p| p.is_regression()).count();
            term.problem(format!(
                "--fail-on regression: {} worse under the same rules or no longer readable",
                crate::words::plural(n, "pilot is", "pilots are")
            ));
        }
        return Exit::Findings;
    }
    Exit::Clean
}

fn watch(
    term: &Term,
    root: &std::path::Path,
    config: Option<&Path>,
    as_of: Date,
    output: Option<PathBuf>,
    force: bool,
) -> Exit {
    if let Err(d) = crate::site::check_output_at(root, config, output.as_deref(), force) {
        term.diagnostics(&[d]);
        return Exit::Usage;
    }
    let (live, first) = crate::watch::Live::start(root, config, as_of, output);
    term.rebuild(&first, true);
    term.status("watching for changes (Ctrl-C to stop)");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc_flag(stop);
    }
    let mut listener = |r: &crate::watch::Rebuild, partial: bool| {
        if !partial {
            term.rebuild(r, false);
        }
    };
    match crate::watch::run(live, &mut listener, &|| {
        stop.load(std::sync::atomic::Ordering::Relaxed)
    }) {
        Ok(()) => Exit::Clean,
        Err(e) => {
            term.error(e);
            Exit::Usage
        }
    }
}

/// Sets `flag` on Ctrl-C, using the tokio signal handler on a small runtime.
fn ctrlc_flag(flag: std::sync::Arc<std::sync::atomic::AtomicBool>) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::spawn(move || {
        rt.block_on(async {
            let _ = tokio::signal::ctrl_c().await;
        });
        eprintln!("stopping");
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    Ok(())
}
