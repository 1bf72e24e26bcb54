//! Finding the dossier files under the content folder.
//!
//! Every `.md` file is a dossier except names starting with `_` or `.`,
//! editor leftovers, and the FAQ page. Symbolic links are followed only when
//! they lead to a file inside the content folder. The list is sorted, so
//! every later stage sees the same order on every machine.
//!
//! The history read from git follows the same rule ([`rel_path_of`],
//! [`is_dossier_path`]): a name that is not UTF-8 is no dossier (two such
//! names would otherwise read as one), a `\` is part of a name, not a
//! folder, and a git submodule's files are not the project's (git keeps
//! them in another repository, so history and `diff` could not follow
//! them).

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::{Code, Diagnostic};

/// A dossier file found under the content folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Relative to the content folder, with `/` separators.
    pub rel_path: String,
    /// As shown to users: relative to the project root when possible.
    pub source: String,
    pub id: String,
}

/// Whether a file name is one that editors and tools leave behind, or one
/// the format says is not a dossier.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('_')
        || name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".orig"]
            .iter()
            .any(|s| name.ends_with(s))
}

fn is_markdown(name: &str) -> bool {
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(".md")
}

/// Whether `rel_path` (relative to the content folder) names a dossier.
pub fn is_dossier_path(rel_path: &str, faq: &str) -> bool {
    rel_path != faq
        && is_markdown(rel_path)
        && rel_path.split('/').all(|part| !is_ignored_name(part))
}

/// The dossier files under `content`, sorted by path, and warnings about
/// what was skipped. `display_base` is the folder that shown paths are
/// relative to (the project root); `faq` is the FAQ file, relative to
/// `content`.
pub fn discover(
    content: &Path,
    display_base: &Path,
    faq: &str,
) -> (Vec<DossierFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let canonical_root = content
        .canonicalize()
        .unwrap_or_else(|_| content.to_path_buf());
    let mut walker = WalkDir::new(content)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(is_ignored_name));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let shown = e
                    .path()
                    .map(|p| crate::diagnostic::show_path(p, display_base))
                    .unwrap_or_else(|| crate::diagnostic::show_path(content, display_base));
                warnings.push(Diagnostic::warning(
                    Code::ContentSkipped,
                    shown,
                    format!(
                        "skipped: {}",
                        e.io_error()
                            .map_or_else(|| e.to_string(), |io| io.to_string())
                    ),
                ));
                continue;
            }
        };
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(content) else {
            continue;
        };
        if entry.depth() > 0 && entry.file_type().is_dir() && path.join(".git").exists() {
            walker.skip_current_dir();
            warnings.push(Diagnostic::warning(
                Code::ContentSkipped,
                crate::diagnostic::show_path(path, display_base),
                "skipped: a git submodule; its dossiers belong to another repository, whose \
                 history and `diff` cannot follow them (copy them into this one to make them \
                 pilots)",
            ));
            continue;
        }
        let Some(rel_path) = rel_path_of(rel) else {
            if is_markdown(&rel.to_string_lossy()) {
                warnings.push(Diagnostic::warning(
                    Code::ContentSkipped,
                    crate::diagnostic::show_path(path, display_base),
                    "skipped: the file's name is not UTF-8 text; rename it",
                ));
            }
            continue;
        };
        if entry.depth() == 0 || !is_dossier_path(&rel_path, faq) {
            continue;
        }
        if entry.path_is_symlink() {
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                Ok(target) if !target.starts_with(&canonical_root) => {
                    warnings.push(Diagnostic::warning(
                        Code::ContentSkipped,
                        crate::diagnostic::show_path(path, display_base),
                        "skipped: a symbolic link that points outside the content folder",
                    ));
                    continue;
                }
                Ok(_) => continue,
                Err(e) => {
                    warnings.push(Diagnostic::warning(
                        Code::ContentSkipped,
                        crate::diagnostic::show_path(path, display_base),
                        format!("skipped: a symbolic link that cannot be followed ({e})"),
                    ));
                    continue;
                }
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        let id = super::read::id_from_path(&rel_path);
        files.push(DossierFile {
            path: path.to_path_buf(),
            source: crate::diagnostic::show_path(path, display_base),
            rel_path,
            id,
        });
    }
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    (files, warnings)
}

/// A path relative to the content folder, its parts joined with `/`;
/// `None` when a part is not UTF-8. A `\\` stays in the name it is part
/// of, as git keeps it.
pub fn rel_path_of(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_leftovers_and_underscored_files_are_not_dossiers() {
        for name in [
            "_index.md",
            ".a.md.swp",
            "a.md~",
            "4913",
            "#a.md#",
            ".hidden.md",
            "a.md.tmp",
        ] {
            assert!(!is_dossier_path(name, "faq.md"), "{name}");
        }
        assert!(!is_dossier_path("faq.md", "faq.md"));
        assert!(!is_dossier_path("_drafts/a.md", "faq.md"));
        assert!(is_dossier_path("finance/a.md", "faq.md"));
        assert!(is_dossier_path("A.MD", "faq.md"));
    }
}
