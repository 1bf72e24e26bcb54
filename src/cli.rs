//! The command line: parses arguments (clap) and calls the library.
//!
//! Every command returns an [`Exit`] (0 clean; 1 dossier errors, or a
//! pilot at or beyond `--fail-on`; 2 a usage or configuration error), made
//! the process's exit code in `main` alone.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::diagnostic::Diagnostic;
use crate::exit::Exit;
use crate::framework::Verdict;
use crate::project::{self, Project};
use crate::report;
use crate::term::{self, Term};

#[derive(Debug, Parser)]
#[command(
    name = "pilotscope",
    version,
    about = "Diagnose AI pilots against the five structural mistakes and publish the portfolio as a static site",
    long_about = "pilotscope reads one markdown dossier per AI pilot from content/, judges each pilot against the five \
                  structural mistakes that keep AI pilots from reaching production (framing, data, governance, change \
                  management, metrics), and publishes a static site: the portfolio, a diagnosis per pilot, the \
                  framework and an FAQ.",
    after_help = "Exit status: 0 clean; 1 dossier errors or a --fail-on hit; 2 usage or configuration error."
)]
pub struct Cli {
    /// Folder of the dossier repository (holds content/ and pilotscope.toml); default: the current folder.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
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
        #[arg(long, value_enum, default_value_t = crate::history::diff::Format::Human)]
        format: crate::history::diff::Format,
        /// Exit with status 1 when a verdict got worse, readiness dropped
        /// or a dossier can no longer be read.
        #[arg(long, value_enum, value_name = "WHAT")]
        fail_on: Option<crate::history::diff::FailOn>,
    },
    /// Print a JSON Schema of the dossier front matter, for editors.
    Schema,
    /// Create a new dossier repository with an example, an FAQ and a CI workflow.
    Init {
        /// Where to create it (default: `--root`, or the current folder).
        dir: Option<PathBuf>,
    },
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

/// `path` relative to `base` (both absolute), with `/` separators and `..`
/// where `path` is not under `base`; `""` when they are the same folder.
pub fn relative_path(path: &Path, base: &Path) -> String {
    let path: Vec<_> = path.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return path
            .iter()
            .collect::<PathBuf>()
            .to_string_lossy()
            .into_owned();
    }
    let mut parts: Vec<String> = vec!["..".into(); base.len() - common];
    parts.extend(
        path[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The root of the git work tree holding `dir`, if any: GitHub names files
/// in annotations relative to it.
fn work_tree_of(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| d.join(".git").exists())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli).into()
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
    let root = absolute(cli.root.as_deref().unwrap_or(Path::new(".")));
    if let Command::Build { output, .. }
    | Command::Watch { output, .. }
    | Command::Serve { output, .. } = &mut cli.command
    {
        *output = output.as_deref().map(absolute);
    }
    let here = absolute(Path::new("."));
    let base = match &cli.command {
        // Code scanning names files relative to the repository.
        Command::Check {
            format: Format::Github | Format::Sarif,
            ..
        } => work_tree_of(&here).unwrap_or(&here).to_path_buf(),
        _ => here,
    };
    // Every path the terminal shows is put under the project root as seen
    // from where the command ran, so that it can be pasted or clicked there.
    let term = &Term::new(cli.color.term(), cli.quiet, relative_path(&root, &base));
    match cli.command {
        Command::Check { format, fail_on } => {
            check(term, &root, as_of, format, fail_on.map(FailOn::verdict))
        }
        Command::Build { output, force } => build(term, &root, as_of, output, force),
        Command::Watch { output, force } => watch(term, &root, as_of, output, force),
        Command::Serve {
            port,
            bind,
            open,
            output,
            allowed_host,
            force,
        } => crate::serve::run(
            term,
            &root,
            as_of,
            output,
            crate::serve::Options {
                bind,
                port,
                open,
                allowed_hosts: allowed_host,
                force,
            },
        ),
        Command::New { title, stage } => new(term, &root, &title, &stage, as_of),
        Command::Diff {
            base,
            head,
            format,
            fail_on,
        } => {
            let project = match open_with_content(term, &root) {
                Ok(p) => p,
                Err(code) => return code,
            };
            crate::history::diff::command(
                term,
                &project,
                base.as_deref(),
                head.as_deref(),
                as_of,
                format,
                fail_on.is_some(),
            )
        }
        Command::Schema => {
            let mut schema =
                serde_json::to_string_pretty(&crate::scaffold::json_schema()).unwrap_or_default();
            schema.push('\n');
            term.out_plain(&schema);
            Exit::Clean
        }
        Command::Init { dir } => {
            let dir = match dir {
                Some(_) if root_given => {
                    term.error(
                        "error: `init` was given two folders, `--root` and DIR\nhelp: name the folder once: `pilotscope init DIR` or `pilotscope --root DIR init`"
                    );
                    return Exit::Usage;
                }
                Some(dir) => absolute(&dir),
                None => root,
            };
            init(term, &dir)
        }
    }
}

fn new(term: &Term, root: &Path, title: &str, stage: &str, as_of: Date) -> Exit {
    if title.trim().is_empty() {
        term.error(
            "error: the title is empty\nhelp: give the pilot's name, such as `pilotscope new \"Invoice matching\"`"
        );
        return Exit::Usage;
    }
    let content = match Project::open(root) {
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
            term.error(format_args!("error: {e}"));
            Exit::Usage
        }
    }
}

fn init(term: &Term, dir: &Path) -> Exit {
    match crate::scaffold::init(dir, work_tree_of(dir), shown) {
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
            let here = absolute(Path::new("."));
            let cd = relative_path(dir, &here);
            if cd.is_empty() {
                term.say("next: `pilotscope new \"Title of the pilot\"` for your first pilot, then `pilotscope serve` to preview the site");
            } else {
                term.say(format_args!(
                    "next: `cd {cd}`, `pilotscope new \"Title of the pilot\"` for your first pilot, then `pilotscope serve` to preview the site"
                ));
            }
            Exit::Clean
        }
        Err(e) => {
            term.error(format_args!("error: {e}"));
            Exit::Usage
        }
    }
}

/// An absolute path as the terminal shows it: relative to the folder the
/// command was started from.
fn shown(path: &Path) -> String {
    let here = absolute(Path::new("."));
    let rel = relative_path(path, &here);
    if rel.is_empty() { ".".into() } else { rel }
}

/// The project at `root`, when its configuration reads and its content
/// folder exists; otherwise the problem is printed and the exit code given.
fn open_with_content(term: &Term, root: &std::path::Path) -> Result<Project, Exit> {
    let project = Project::open(root).map_err(|d| {
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
    root: &std::path::Path,
    as_of: Date,
    format: Format,
    fail_on: Option<Verdict>,
) -> Exit {
    let project = match open_with_content(term, root) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut judged = project.judge_all(as_of);
    judged.show_under(term.shown_under());
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
        Format::Sarif => term.out_plain(&report::sarif(&judged, &project.framework)),
        Format::Junit => term.out_plain(&report::junit(&judged, &project.framework)),
        Format::Short => term.out(&report::short(&judged, &project.framework)),
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
    as_of: Date,
    output: Option<PathBuf>,
    force: bool,
) -> Exit {
    let project = match open_with_content(term, root) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let templates = match crate::site::load_templates(&project) {
        Ok(t) => t,
        Err(d) => {
            term.diagnostics(&d);
            return Exit::Usage;
        }
    };
    let out = output.unwrap_or_else(|| project.output_dir());
    if let Err(d) = crate::site::check_output(&project, &out, force) {
        term.diagnostics(&[d]);
        return Exit::Usage;
    }
    let faq = crate::site::load_faq(&project);
    let start = std::time::Instant::now();
    let history = crate::history::load(&project);
    if let Some(notice) = history.notice() {
        term.status(notice);
    }
    let history = history.history();
    // Kept whether or not any page is written: a cache that was damaged
    // and read again from git is replaced by this one.
    if let Some(h) = history
        && let Err(e) = h.save(&out)
    {
        term.error(format!("warning: the history cache cannot be kept: {e}"));
    }
    if let Some(done) = crate::site::up_to_date(&project, &templates, &faq, as_of, &out, history) {
        let mut diagnostics = done.warnings.clone();
        diagnostics.extend(
            done.noisy
                .iter()
                .flat_map(|e| e.diagnostics.iter().cloned()),
        );
        diagnostics.extend(faq.diagnostics.iter().cloned());
        let stats = crate::site::BuildStats {
            pages: done.pages,
            written: 0,
            unchanged: done.pages,
            removed: 0,
            changed: Vec::new(),
            left: 0,
            pilots: done.pilots,
            elapsed: start.elapsed(),
        };
        let broken = done.noisy.iter().filter(|e| e.judged.is_none()).count();
        let failed = done
            .warnings
            .iter()
            .chain(done.noisy.iter().flat_map(|e| e.diagnostics.iter()))
            .any(Diagnostic::is_error);
        return finish_build(term, &diagnostics, broken, failed, Ok(stats), &out);
    }
    let judged = project.judge_all(as_of);
    let site = crate::site::Site::new(&project, &judged, &templates, &faq).with_history(history);
    let total = site.pages().len() as u64;
    let bar = if !term.quiet() && term.stderr_is_terminal() && total > 2_000 {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pages")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let result = crate::site::build(
        &site,
        &out,
        crate::site::Pages::All,
        &mut crate::site::Sink {
            page: &tick,
            first: None,
            abandon: &|| false,
        },
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // The time said is the whole build's, reading the history included.
    let result = result.map(|stats| crate::site::BuildStats {
        elapsed: start.elapsed(),
        ..stats
    });
    let mut diagnostics: Vec<Diagnostic> = judged.diagnostics().cloned().collect();
    diagnostics.extend(faq.diagnostics.iter().cloned());
    let broken = judged.entries.iter().filter(|e| e.judged.is_none()).count();
    finish_build(
        term,
        &diagnostics,
        broken,
        judged.error_count() > 0,
        result,
        &out,
    )
}

/// Reports a build: its diagnostics, what it did, and the exit code. A
/// build with errors in dossiers (`failed`; `broken` of them cannot be
/// read) still writes the site, where their pages say what is wrong, and
/// exits with 1.
fn finish_build(
    term: &Term,
    diagnostics: &[Diagnostic],
    broken: usize,
    failed: bool,
    result: Result<crate::site::BuildStats, Vec<Diagnostic>>,
    out: &std::path::Path,
) -> Exit {
    term.diagnostics(diagnostics);
    match result {
        Ok(stats) => {
            term.status(&stats);
            if failed {
                term.error(format_args!(
                    "{} with errors: their pages say what is wrong",
                    crate::site::view::plural(broken, "dossier", "dossiers")
                ));
                Exit::Findings
            } else {
                Exit::Clean
            }
        }
        Err(errors) => {
            term.diagnostics(&errors);
            term.error(format_args!(
                "the build failed; each file in {} is whole, either this build's or the previous one's",
                out.display()
            ));
            Exit::Usage
        }
    }
}

fn watch(
    term: &Term,
    root: &std::path::Path,
    as_of: Date,
    output: Option<PathBuf>,
    force: bool,
) -> Exit {
    if let Err(d) = crate::site::check_output_at(root, output.as_deref(), force) {
        term.diagnostics(&[d]);
        return Exit::Usage;
    }
    let (live, first) = crate::watch::Live::start(root, as_of, output);
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
            term.error(format_args!("error: {e}"));
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
