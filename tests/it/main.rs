//! The integration tests, in one test binary (as ripgrep and mdBook have
//! them): the shared helpers compile once and there is one executable to
//! link instead of one per file. Each module is one area of behaviour and
//! runs the real `pilotscope` binary (from inside the project folder, as
//! its users do) or the library's public API.
//!
//! `cargo test --test it <filter>` runs some of them: `cargo test --test it
//! serve::` for the dev server, for example.

// Helpers shared by the modules below.
mod browser_kit;
mod common;
mod hardening;
mod live;

mod audit;
mod big_table;
mod browser;
mod browser_layout;
mod browser_live;
mod browser_portfolio;
mod check_cli;
mod check_formats;
mod decision_pages;
mod engine_rules;
mod faq_files;
mod faults;
mod history;
mod history_git;
mod hostile;
mod markdown_paths;
mod output_escaping;
mod output_guard;
mod pages;
mod properties;
mod schema;
mod serve;
mod serve_guard;
mod site_build;
mod story_memory;
mod user_path;
mod watch_equivalence;
