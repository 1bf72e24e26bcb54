//! The terminal face: colour choice, diagnostics with their source lines,
//! status lines and the rebuild lines of `watch` and `serve`.
//!
//! Only the fronts (`cli`, `serve`) use it; the engine (reading, judging,
//! rendering, writing, `watch`) never imports it and prints nothing of its
//! own: it returns diagnostics and rebuilds, and a front decides how they
//! look. Colour is anstream's choice (`NO_COLOR`, `CLICOLOR_FORCE`,
//! `CLICOLOR`, whether the stream is a terminal) unless `--color` says
//! otherwise: text is always rendered with styles and anstream strips them
//! where they do not belong.

use std::io::Write;

use crate::diagnostic::Diagnostic;
use crate::watch::Rebuild;

/// A line for the terminal with no workflow command in GitHub's older form
/// (see [`crate::report::inert`]): every line `Term` writes may carry a
/// dossier's title, name or source line.
fn inert_line(line: impl std::fmt::Display) -> String {
    crate::report::inert(&line.to_string()).into_owned()
}

/// When to colour terminal output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// anstream decides: a terminal, unless `NO_COLOR`; `CLICOLOR_FORCE`
    /// colours even a pipe.
    Auto,
    Always,
    Never,
}

/// The first write to standard output that failed, other than a closed
/// pipe: a full disk or a broken device must not pass for a report written
/// (`check --format sarif > /dev/full` exited 0 and printed nothing).
static STDOUT_FAILED: std::sync::OnceLock<std::io::Error> = std::sync::OnceLock::new();

/// Records the result of a write to standard output. A closed pipe is the
/// reader's choice (`pilotscope schema | head -1`) and ends the output
/// quietly; any other failure is kept for [`stdout_failure`].
pub fn stdout_written(result: std::io::Result<()>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = STDOUT_FAILED.set(e);
    }
}

/// Why standard output could not be written, when a write failed; checked
/// once, where the process's exit status is decided (`cli::main`), so that
/// every command that writes to standard output exits 2 then.
pub fn stdout_failure() -> Option<&'static std::io::Error> {
    stdout_written(std::io::stdout().flush());
    STDOUT_FAILED.get()
}

/// How the terminal is written to, for one command.
#[derive(Debug, Clone)]
pub struct Term {
    quiet: bool,
    /// The project root as seen from the folder the command was started
    /// from (`.` when they are the same), which every path shown is seen
    /// from ([`crate::diagnostic::show_from`]).
    root: String,
}

impl Term {
    /// Sets the colour choice for the process and remembers `quiet` (only
    /// errors and the report asked for are printed).
    pub fn new(color: Color, quiet: bool, root: String) -> Term {
        let choice = match color {
            Color::Auto => anstream::ColorChoice::Auto,
            Color::Always => anstream::ColorChoice::Always,
            Color::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
        Term { quiet, root }
    }

    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// The project root as shown from the folder the command was started
    /// from (`.` when they are the same).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// Whether standard error is a terminal (where a progress line goes).
    pub fn stderr_is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal()
    }

    /// A progress line for a command that may take long: see [`Progress`].
    pub fn progress(&self) -> Progress {
        Progress::new(!self.quiet && self.stderr_is_terminal())
    }

    /// Writes `text` (rendered with styles) to standard output, with the
    /// styles stripped where colour is not wanted.
    pub fn out(&self, text: &str) {
        let mut out = anstream::stdout().lock();
        // Without colour, the styles are stripped here, in one piece: the
        // stream would strip them as it writes, one write to the pipe for
        // each piece between them (10,000 of them for `check` of a large
        // portfolio).
        let text = crate::report::inert(text);
        if out.current_choice() == anstream::ColorChoice::Never {
            drop(out);
            let plain = anstream::adapter::strip_str(&text).to_string();
            self.out_plain(&plain);
            return;
        }
        stdout_written(out.write_all(text.as_bytes()).and_then(|()| out.flush()));
    }

    /// Writes `text` to standard output as it is: a machine-readable
    /// report, never touched by the colour choice.
    pub fn out_plain(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        stdout_written(out.write_all(text.as_bytes()).and_then(|()| out.flush()));
    }

    /// A line of what a command did on standard output (`wrote …`);
    /// nothing under `--quiet`.
    pub fn say(&self, line: impl std::fmt::Display) {
        if !self.quiet {
            println!("{}", inert_line(line));
        }
    }

    /// A status line on standard error (`wrote …`, `built 12 pages`);
    /// nothing under `--quiet`.
    pub fn status(&self, line: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{}", inert_line(line));
        }
    }

    /// An error on standard error (`error: …`), under `--quiet` too.
    /// Every message of the terminal that is not a located diagnostic
    /// goes through this, [`Term::warn`], [`Term::note`] or
    /// [`Term::problem`]: none types its own prefix.
    pub fn error(&self, line: impl std::fmt::Display) {
        eprintln!("error: {}", inert_line(line));
    }

    /// A warning on standard error (`warning: …`), under `--quiet` too:
    /// what it warns of is the user's to know.
    pub fn warn(&self, line: impl std::fmt::Display) {
        eprintln!("warning: {}", inert_line(line));
    }

    /// A note on standard error (`note: …`); nothing under `--quiet`.
    pub fn note(&self, line: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("note: {}", inert_line(line));
        }
    }

    /// A line that says how a command ended badly, on standard error, under
    /// `--quiet` too (`the build failed; …`).
    pub fn problem(&self, line: impl std::fmt::Display) {
        eprintln!("{}", inert_line(line));
    }

    /// Diagnostics on standard error, each with its source line and a
    /// caret; under `--quiet` only the errors.
    pub fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        let mut err = anstream::stderr().lock();
        for d in diagnostics.iter().filter(|d| d.is_error() || !self.quiet) {
            let shown;
            let source = crate::diagnostic::show_from(&self.root, &d.source);
            let d = if source == d.source {
                d
            } else {
                let mut moved = d.clone();
                moved.source = source;
                shown = moved;
                &shown
            };
            let shown = crate::report::render_diagnostic(d, true);
            let _ = writeln!(err, "{}\n", crate::report::inert(&shown));
        }
    }

    /// A build or rebuild of `watch` and `serve`: its new problems, the
    /// files fixed, and one line of what was written.
    pub fn rebuild(&self, r: &Rebuild, initial: bool) {
        self.diagnostics(&r.report);
        if self.quiet {
            return;
        }
        for t in &r.troubles {
            self.warn(t);
        }
        if !r.troubles.is_empty() && r.changed.is_empty() && r.report.is_empty() {
            return;
        }
        for f in &r.fixed {
            eprintln!("fixed: {}", inert_line(crate::report::printable(f)));
        }
        let plural = crate::words::plural;
        let what = if initial {
            format!("built {} pages", r.pages)
        } else {
            format!("rebuilt {}", plural(r.changed.len(), "page", "pages"))
        };
        let left = match r.left {
            0 => String::new(),
            n => format!(
                " ({} left for the newer change)",
                plural(n, "portfolio page", "portfolio pages")
            ),
        };
        let tail = match r.errors.len() {
            0 => String::new(),
            n => format!("; {} shown in the browser", plural(n, "error", "errors")),
        };
        eprintln!(
            "{what} in {:.0} ms{left}{tail}",
            r.elapsed.as_secs_f64() * 1000.0
        );
    }
}

/// How long a command runs before its progress line appears: a quick
/// build shows none. `PILOTSCOPE_PROGRESS_AFTER_MS` sets another delay
/// (the tests set 0).
const PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// One line on standard error that says what a long command is doing
/// ("reading and judging the dossiers", then a bar of pages written),
/// updated in place and cleared at the end. It appears only on a terminal,
/// not under `--quiet`, and only once the command has run for
/// [`PROGRESS_AFTER`]: on a pipe, in CI or in a script, nothing is written.
pub struct Progress {
    bar: indicatif::ProgressBar,
    /// Set when the command is done, under the lock the delayed start
    /// takes, so the line never appears after it was cleared.
    done: std::sync::Arc<std::sync::Mutex<bool>>,
}

impl Progress {
    fn new(shown: bool) -> Progress {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(Self::spinner());
        let done = std::sync::Arc::new(std::sync::Mutex::new(false));
        if shown {
            let after = std::env::var("PILOTSCOPE_PROGRESS_AFTER_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map_or(PROGRESS_AFTER, std::time::Duration::from_millis);
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                std::thread::sleep(after);
                let done = done.lock().unwrap_or_else(|e| e.into_inner());
                if !*done {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(std::time::Duration::from_millis(120));
                }
            });
        }
        Progress { bar, done }
    }

    fn spinner() -> indicatif::ProgressStyle {
        indicatif::ProgressStyle::with_template("{spinner} {msg}…")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
    }

    /// A step with no count: the line says what is being done.
    pub fn step(&self, words: &str) {
        self.bar.set_style(Self::spinner());
        self.bar.set_message(inert_line(words));
    }

    /// A step that counts `total` things (`pages`): the line is a bar.
    pub fn count(&self, total: usize, things: &str) {
        self.bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {things}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        self.bar.set_position(0);
        self.bar.set_length(total as u64);
    }

    /// One more of the things counted, from any thread.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Clears the line: the command's own lines follow.
    pub fn finish(&self) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done = true;
        self.bar.finish_and_clear();
    }
}
