//! The command line: parses arguments (clap) and calls the library.
//!
//! Exit status, for scripts: 0 clean; 1 dossier errors, or a pilot at or
//! beyond `--fail-on`; 2 a usage or configuration error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::diagnostic::Diagnostic;
use crate::framework::Verdict;
use crate::project::{self, Project};
use crate::report;

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

/// Whether standard error (or output) should get colours.
pub fn color_for(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The project root as seen from the folder the command was started from
/// (`""` when they are the same), put before every path the terminal
/// shows, so that a path can be pasted or clicked where the command ran.
static SHOWN_UNDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn shown_under() -> &'static str {
    SHOWN_UNDER.get().map_or("", String::as_str)
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

/// Prints diagnostics of a configuration problem to standard error.
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let color = color_for(std::io::stderr().is_terminal());
    let prefix = shown_under();
    let mut err = std::io::stderr().lock();
    for d in diagnostics {
        let shown;
        let d = if prefix.is_empty() || Path::new(&d.source).is_absolute() {
            d
        } else {
            let mut moved = d.clone();
            moved.source = format!("{prefix}/{}", d.source);
            shown = moved;
            &shown
        };
        let _ = writeln!(err, "{}\n", report::render_diagnostic(d, color));
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli)
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

pub fn run(mut cli: Cli) -> ExitCode {
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
        Command::Check {
            format: Format::Github,
            ..
        } => work_tree_of(&here).unwrap_or(&here).to_path_buf(),
        _ => here,
    };
    let _ = SHOWN_UNDER.set(relative_path(&root, &base));
    match cli.command {
        Command::Check { format, fail_on } => {
            check(&root, as_of, format, fail_on.map(FailOn::verdict))
        }
        Command::Build { output, force } => build(&root, as_of, output, force),
        Command::Watch { output, force } => watch(&root, as_of, output, force),
        Command::Serve {
            port,
            bind,
            open,
            output,
            allowed_host,
            force,
        } => ExitCode::from(crate::serve::run(
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
        )),
        Command::New { title, stage } => new(&root, &title, &stage, as_of),
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::scaffold::json_schema()).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Command::Init { dir } => {
            let dir = match dir {
                Some(_) if root_given => {
                    eprintln!(
                        "error: `init` was given two folders, `--root` and DIR\nhelp: name the folder once: `pilotscope init DIR` or `pilotscope --root DIR init`"
                    );
                    return ExitCode::from(2);
                }
                Some(dir) => absolute(&dir),
                None => root,
            };
            init(&dir)
        }
    }
}

fn new(root: &Path, title: &str, stage: &str, as_of: Date) -> ExitCode {
    if title.trim().is_empty() {
        eprintln!(
            "error: the title is empty\nhelp: give the pilot's name, such as `pilotscope new \"Invoice matching\"`"
        );
        return ExitCode::from(2);
    }
    let content = match Project::open(root) {
        Ok(p) => p.content_dir(),
        Err(d) => {
            print_diagnostics(&d);
            return ExitCode::from(2);
        }
    };
    match crate::scaffold::write_new(&content, title, stage, as_of, shown) {
        Ok(path) => {
            println!("wrote {}", shown(&path));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn init(dir: &Path) -> ExitCode {
    match crate::scaffold::init(dir, work_tree_of(dir), shown) {
        Ok(written) => {
            for w in &written {
                println!("wrote {}", shown(w));
            }
            if written.is_empty() {
                println!("nothing to do: every file already exists");
            }
            let here = absolute(Path::new("."));
            let cd = relative_path(dir, &here);
            if cd.is_empty() {
                println!("next: `pilotscope serve` to preview the site");
            } else {
                println!("next: `cd {cd}`, then `pilotscope serve` to preview the site");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
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
fn open_with_content(root: &std::path::Path) -> Result<Project, ExitCode> {
    let project = Project::open(root).map_err(|d| {
        print_diagnostics(&d);
        ExitCode::from(2)
    })?;
    match project.content_problem() {
        Some(d) => {
            print_diagnostics(&[d]);
            Err(ExitCode::from(2))
        }
        None => Ok(project),
    }
}

fn check(
    root: &std::path::Path,
    as_of: Date,
    format: Format,
    fail_on: Option<Verdict>,
) -> ExitCode {
    let project = match open_with_content(root) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut judged = project.judge_all(as_of);
    judged.show_under(shown_under());
    let text = match format {
        Format::Human => report::human(
            &judged,
            &project.framework,
            color_for(std::io::stdout().is_terminal()),
        ),
        Format::Json => report::json(&judged, &project.framework),
        Format::Github => report::github(&judged, fail_on),
    };
    let mut out = anstream::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    let failed_verdict =
        fail_on.is_some_and(|level| judged.pilots().any(|(_, g)| g.verdict >= level));
    if let (Some(level), true, Format::Human) = (fail_on, failed_verdict, format) {
        let _ = out.write_all(report::fail_on_summary(&judged, level).as_bytes());
        let _ = out.flush();
    }
    if judged.error_count() > 0 || failed_verdict {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn build(root: &std::path::Path, as_of: Date, output: Option<PathBuf>, force: bool) -> ExitCode {
    let project = match open_with_content(root) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let templates = match crate::site::load_templates(&project) {
        Ok(t) => t,
        Err(d) => {
            print_diagnostics(&d);
            return ExitCode::from(2);
        }
    };
    let out = output.unwrap_or_else(|| project.output_dir());
    if let Err(d) = crate::site::check_output(&project, &out, force) {
        print_diagnostics(&[d]);
        return ExitCode::from(2);
    }
    let faq = crate::site::load_faq(&project);
    let start = std::time::Instant::now();
    if let Some(done) = crate::site::up_to_date(&project, &templates, &faq, as_of, &out) {
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
            pilots: done.pilots,
            elapsed: start.elapsed(),
        };
        let broken = done.noisy.iter().filter(|e| e.judged.is_none()).count();
        let failed = done
            .warnings
            .iter()
            .chain(done.noisy.iter().flat_map(|e| e.diagnostics.iter()))
            .any(Diagnostic::is_error);
        return finish_build(&diagnostics, broken, failed, Ok(stats), &out);
    }
    let judged = project.judge_all(as_of);
    let site = crate::site::Site::new(&project, &judged, &templates, &faq);
    let total = site.pages().len() as u64;
    let bar = if std::io::stderr().is_terminal() && total > 2_000 {
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
    let result = crate::site::build(&site, &out, &tick);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut diagnostics: Vec<Diagnostic> = judged.diagnostics().cloned().collect();
    diagnostics.extend(faq.diagnostics.iter().cloned());
    let broken = judged.entries.iter().filter(|e| e.judged.is_none()).count();
    finish_build(&diagnostics, broken, judged.error_count() > 0, result, &out)
}

/// Reports a build: its diagnostics, what it did, and the exit code. A
/// build with errors in dossiers (`failed`; `broken` of them cannot be
/// read) still writes the site, where their pages say what is wrong, and
/// exits with 1.
fn finish_build(
    diagnostics: &[Diagnostic],
    broken: usize,
    failed: bool,
    result: Result<crate::site::BuildStats, Vec<Diagnostic>>,
    out: &std::path::Path,
) -> ExitCode {
    print_diagnostics(diagnostics);
    match result {
        Ok(stats) => {
            eprintln!("{stats}");
            if failed {
                eprintln!(
                    "{} with errors: their pages say what is wrong",
                    crate::site::view::plural(broken, "dossier", "dossiers")
                );
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(errors) => {
            print_diagnostics(&errors);
            eprintln!(
                "the build failed; each file in {} is whole, either this build's or the previous one's",
                out.display()
            );
            ExitCode::from(2)
        }
    }
}

fn watch(root: &std::path::Path, as_of: Date, output: Option<PathBuf>, force: bool) -> ExitCode {
    if let Err(d) = crate::site::check_output_at(root, output.as_deref(), force) {
        print_diagnostics(&[d]);
        return ExitCode::from(2);
    }
    let (live, first) = crate::watch::Live::start(root, as_of, output);
    crate::watch::print_rebuild(&first, true);
    eprintln!("watching for changes (Ctrl-C to stop)");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc_flag(stop);
    }
    match crate::watch::run(live, &mut |_, _| {}, &|| {
        stop.load(std::sync::atomic::Ordering::Relaxed)
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
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
