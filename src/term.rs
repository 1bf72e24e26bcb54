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

    /// Whether standard error gets colours (for the progress bar, which
    /// writes on its own).
    pub fn stderr_is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal()
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
