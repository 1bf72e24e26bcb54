//! The optional `pilotscope.toml` at the project root.
//!
//! Everything has a default, so a folder with `content/` needs no file at
//! all. An unknown key is an error with a suggestion, because a silently
//! ignored `stale_dayz = 30` is worse than a build that stops.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Code, Diagnostic, Location, suggest};

/// The configuration file's name at the project root.
pub const FILE_NAME: &str = "pilotscope.toml";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Title of the site.
    pub title: String,
    /// Absolute address the site is published at, for canonical links.
    /// Empty: links stay relative only.
    pub base_url: String,
    /// Folder of dossiers, relative to the root.
    pub content_dir: PathBuf,
    /// Folder the site is written to, relative to the root.
    pub output_dir: PathBuf,
    /// Currency of `budget`: an ISO code (`EUR`) or a symbol (`€`).
    pub currency: String,
    /// Web address of the repository holding the dossiers, for source and
    /// edit links.
    pub repo_url: String,
    /// Branch for those links.
    pub repo_branch: String,
    /// Answers older than this many days are flagged stale.
    pub stale_days: i64,
    /// A framework file merged over the built-in framework, relative to the
    /// root. When unset, `framework.toml` is used if it exists.
    pub framework: Option<PathBuf>,
    /// The FAQ page, relative to the content folder.
    pub faq: String,
    /// Folder of template overrides, relative to the root.
    pub templates_dir: PathBuf,
    /// Paper size of the board pack (`pack/index.html`).
    pub paper: Paper,
    /// How many pilots get a sheet of their own in the board pack: those
    /// that need the board first. A portfolio of this many or fewer gives
    /// every pilot a sheet.
    pub pack_pilots: usize,
    /// Whether the site shows the portfolio over time, read from git.
    pub history: bool,
    /// History starts here (`YYYY-MM-DD`), when set.
    pub history_since: Option<String>,
    /// Whether history names the author of each change.
    pub history_authors: bool,
}

/// Pilot sheets in the board pack unless `pack_pilots` says otherwise:
/// with the cover, the roll-up and the decisions, a pack a board reads in
/// one sitting (under 60 printed pages).
pub const DEFAULT_PACK_PILOTS: usize = 25;

/// Paper size for printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum Paper {
    #[default]
    #[serde(rename = "A4", alias = "a4")]
    A4,
    #[serde(rename = "letter", alias = "Letter")]
    Letter,
}

impl Paper {
    /// The CSS name of the size (`@page { size: … }`).
    pub fn as_css(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "AI pilot portfolio".into(),
            base_url: String::new(),
            content_dir: "content".into(),
            output_dir: "site".into(),
            currency: "USD".into(),
            repo_url: String::new(),
            repo_branch: "main".into(),
            stale_days: 90,
            framework: None,
            faq: "faq.md".into(),
            templates_dir: "templates".into(),
            paper: Paper::A4,
            pack_pilots: DEFAULT_PACK_PILOTS,
            history: true,
            history_since: None,
            history_authors: true,
        }
    }
}

pub const KEYS: &[&str] = &[
    "title",
    "base_url",
    "content_dir",
    "output_dir",
    "currency",
    "repo_url",
    "repo_branch",
    "stale_days",
    "framework",
    "faq",
    "templates_dir",
    "paper",
    "pack_pilots",
    "history",
    "history_since",
    "history_authors",
];

impl Config {
    /// The path part of `base_url`, with a slash at both ends (`/pilots/`);
    /// `/` when `base_url` is unset or has no path. Pages served at any
    /// depth (the 404 page) link from here, on the same host whatever its
    /// name, so a preview on 127.0.0.1 is not sent to production.
    pub fn base_path(&self) -> String {
        let path = url::Url::parse(self.base_url.trim())
            .map(|u| u.path().trim_matches('/').to_string())
            .unwrap_or_default();
        if path.is_empty() {
            "/".into()
        } else {
            format!("/{path}/")
        }
    }
    /// Reads `pilotscope.toml` from `root`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, FILE_NAME),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(vec![Diagnostic::error(
                Code::ConfigUnreadable,
                FILE_NAME,
                format!("cannot be read: {e}"),
            )]),
        }
    }

    /// Reads the configuration file at `path` (`--config FILE`), shown as
    /// `shown`; unlike the root's own file, it must exist.
    pub fn load_file(path: &Path, shown: &str) -> Result<Config, Vec<Diagnostic>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, shown),
            Err(e) => Err(vec![Diagnostic::error(
                Code::ConfigUnreadable,
                shown,
                format!("cannot be read: {e}"),
            )]),
        }
    }

    /// The project root for a command started in `start` without `--root`:
    /// the nearest folder, from `start` upwards, that holds a
    /// `pilotscope.toml`, a `content/` folder or a `framework.toml` (as Zola
    /// finds its `config.toml`; a project needs no configuration file), so
    /// that a command run inside `content/` works on the project; never
    /// past the root of the git work tree that holds `start` (a project is
    /// inside its repository); `start` itself when no folder is one.
    pub fn find_root(start: &Path) -> PathBuf {
        let is_project = |d: &Path| {
            d.join(FILE_NAME).is_file()
                || d.join("content").is_dir()
                || d.join("framework.toml").is_file()
        };
        for d in start.ancestors() {
            if is_project(d) {
                return d.to_path_buf();
            }
            if d.join(".git").exists() {
                break;
            }
        }
        start.to_path_buf()
    }

    /// Parses the text of a configuration file shown as `source`.
    pub fn parse(text: &str, source: &str) -> Result<Config, Vec<Diagnostic>> {
        let located = |code: Code, span: std::ops::Range<usize>, message: String| {
            Diagnostic::error(code, source, message)
                .at(Location::from_offsets(text, span.start, span.end))
        };
        let table = toml::de::DeTable::parse(text).map_err(|e| {
            vec![located(
                Code::ConfigUnreadable,
                e.span().unwrap_or(0..0),
                format!("the configuration cannot be read: {}", e.message().trim()),
            )]
        })?;
        let mut errors = Vec::new();
        for (key, _) in table.get_ref().iter() {
            if !KEYS.contains(&key.get_ref().as_ref()) {
                let mut d = located(
                    Code::ConfigUnknownKey,
                    key.span(),
                    format!("`{}` is not a configuration key", key.get_ref()),
                );
                d.help = Some(match suggest(key.get_ref(), KEYS.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the keys are {}", KEYS.join(", ")),
                });
                errors.push(d);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let config: Config = toml::from_str(text).map_err(|e| {
            vec![located(
                Code::ConfigBadValue,
                e.span().unwrap_or(0..0),
                format!("in the configuration: {}", e.message().trim()),
            )]
        })?;
        if config.stale_days < 0 {
            return Err(vec![Diagnostic::error(
                Code::ConfigBadValue,
                source,
                "`stale_days` must be zero or more",
            )]);
        }
        if let Some(since) = &config.history_since
            && since.parse::<jiff::civil::Date>().is_err()
        {
            let at = text.find("history_since").unwrap_or(0);
            return Err(vec![located(
                Code::ConfigBadValue,
                at..at + "history_since".len(),
                format!("`history_since` must be a date written YYYY-MM-DD, not `{since}`"),
            )]);
        }
        Ok(config)
    }

    /// The first day of history, when `history_since` bounds it.
    pub fn history_since(&self) -> Option<jiff::civil::Date> {
        self.history_since.as_deref().and_then(|s| s.parse().ok())
    }

    /// The currency as written before amounts: `$`, `€`, `£`, or a code.
    pub fn currency_prefix(&self) -> String {
        match self.currency.to_uppercase().as_str() {
            "USD" => "$".into(),
            "EUR" => "€".into(),
            "GBP" => "£".into(),
            "JPY" => "¥".into(),
            other if other.chars().all(|c| c.is_ascii_alphabetic()) => format!("{other}\u{a0}"),
            _ => self.currency.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_is_found_from_inside_it_but_never_past_its_repository() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        std::fs::create_dir_all(top.join("outer/content")).unwrap();
        std::fs::create_dir_all(top.join("outer/repo/.git")).unwrap();
        std::fs::create_dir_all(top.join("outer/repo/pilots/content/teams")).unwrap();
        std::fs::create_dir_all(top.join("outer/repo/docs")).unwrap();
        let inside = top.join("outer/repo/pilots/content/teams");
        assert_eq!(Config::find_root(&inside), top.join("outer/repo/pilots"));
        // Not past the repository to the project above it.
        let docs = top.join("outer/repo/docs");
        assert_eq!(Config::find_root(&docs), docs);
    }

    #[test]
    fn everything_has_a_default() {
        assert_eq!(Config::parse("", FILE_NAME).unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_are_errors_with_a_suggestion() {
        let e = Config::parse("title = \"A\"\nstale_dayz = 30\n", FILE_NAME).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "pilotscope.toml:2:1: `stale_dayz` is not a configuration key (help: did you mean `stale_days`?)"
        );
    }

    #[test]
    fn wrong_types_are_located() {
        let e = Config::parse("stale_days = \"ninety\"\n", FILE_NAME).unwrap_err();
        assert!(
            e[0].to_string().starts_with("pilotscope.toml:1:14:"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn pack_pilots_has_a_default_and_takes_a_count() {
        assert_eq!(Config::default().pack_pilots, DEFAULT_PACK_PILOTS);
        let c = Config::parse("pack_pilots = 12\n", FILE_NAME).unwrap();
        assert_eq!(c.pack_pilots, 12);
        let e = Config::parse("pack_pilots = -1\n", FILE_NAME).unwrap_err();
        assert!(
            e[0].to_string().starts_with("pilotscope.toml:1:15:"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn paper_is_a4_or_letter() {
        assert_eq!(Config::default().paper, Paper::A4);
        let c = Config::parse("paper = \"letter\"\n", FILE_NAME).unwrap();
        assert_eq!(c.paper, Paper::Letter);
        let e = Config::parse("paper = \"A3\"\n", FILE_NAME).unwrap_err();
        let shown = e[0].to_string();
        assert!(
            shown.starts_with("pilotscope.toml:1:9:") && shown.contains("`A4`"),
            "{shown}"
        );
    }

    #[test]
    fn history_is_on_unless_turned_off_and_its_start_is_a_date() {
        assert!(Config::default().history);
        let c = Config::parse(
            "history = false\nhistory_since = \"2026-03-01\"\nhistory_authors = false\n",
            FILE_NAME,
        )
        .unwrap();
        assert!(!c.history && !c.history_authors);
        assert_eq!(c.history_since(), Some(jiff::civil::date(2026, 3, 1)));
        let e = Config::parse("history_since = \"March\"\n", FILE_NAME).unwrap_err();
        assert!(
            e[0].to_string().starts_with("pilotscope.toml:1:1:")
                && e[0].message.contains("YYYY-MM-DD"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn currency_codes_become_symbols() {
        let c = Config {
            currency: "EUR".into(),
            ..Config::default()
        };
        assert_eq!(c.currency_prefix(), "€");
    }
}
