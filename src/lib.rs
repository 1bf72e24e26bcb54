//! pilotscope reads one markdown dossier per AI pilot, diagnoses each pilot
//! against the five structural mistakes that keep AI pilots from reaching
//! production, and publishes the result as a static site.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! files --dossier--> Dossier --framework::judge--> Diagnosis --portfolio--> Portfolio
//!       --site (view models -> Tera templates)--> pages --site::output--> site/
//! watch: file events -> the same functions on less input;  serve: site/ over HTTP
//! ```
//!
//! ```no_run
//! use pilotscope::project::Project;
//! let project = Project::open(std::path::Path::new(".")).expect("configuration");
//! let judged = project.judge_all(pilotscope::project::today());
//! for (dossier, diagnosis) in judged.pilots() {
//!     println!("{}: {}", dossier.title, diagnosis.verdict.as_str());
//! }
//! ```

// `println!` and `eprintln!` for the whole crate, in place of std's: the
// same formatting, but a closed pipe (`pilotscope schema | head -1`, or
// standard error closed under a supervisor) ends the line quietly instead
// of panicking, and any other failure to write standard output is kept
// for the exit status (`term::stdout_failure`). Defined before the
// modules, so every module gets these.
macro_rules! println {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        $crate::term::stdout_written(::std::writeln!(::std::io::stdout(), $($arg)*));
    }};
}
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod digest;
pub mod dossier;
pub mod editor;
pub mod exit;
pub mod framework;
pub mod history;
pub mod pieces;
pub mod portfolio;
pub mod project;
pub mod report;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod term;
pub mod watch;
pub mod words;

#[cfg(test)]
mod layers_tests;
