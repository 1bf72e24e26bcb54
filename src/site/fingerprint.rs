//! Fingerprints of what each page of the site is made from, so that a
//! rebuild renders only the pages whose inputs changed.
//!
//! A page's *key* is a 128-bit hash (xxh3) of everything its bytes depend
//! on. Every page depends on the build's shared inputs ([`inputs`]): this
//! binary, the configuration, the framework, the templates and assets, the
//! FAQ and the `--as-of` date. A pilot's page adds its file: path, id and
//! the bytes read ([`pilot_key`]). The pages about every pilot (the index,
//! the FAQ with its figures, the report and the CSV) add every file
//! ([`portfolio_key`]).
//!
//! The keys are written into the output folder's manifest (see
//! [`super::output::Manifest`]) beside each file's path. They depend only
//! on the inputs, never on time or on the machine, so a clean build and a
//! rebuild write the same manifest. A page whose key is unchanged, whose file
//! is still there and not newer than the manifest, is not rendered again.
//!
//! A pilot whose id is shared with another file is judged with the others
//! (the first readable file by path keeps the id), so its page also depends
//! on what that other file says: its key adds its own diagnostics, which
//! name the clash.

use std::hash::Hasher;
use std::sync::LazyLock;

use jiff::civil::Date;
use xxhash_rust::xxh3::Xxh3;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::dossier::DossierFile;
use crate::framework::Framework;

use super::{Faq, Templates};
pub use crate::digest::{field, from_hex, mix, to_hex};

/// Bumped whenever what a key covers changes, so that a new release never
/// trusts keys an older one wrote.
const FORMAT: u64 = 1;

/// Which binary renders: its size and modification time. A rebuilt
/// binary may render differently (new templates, new wording), so none of
/// the keys of another binary match. When the binary cannot be found, the
/// process id and the time stand in, and nothing is ever skipped.
static BINARY: LazyLock<u128> = LazyLock::new(|| {
    let mut h = Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    match meta.as_ref().map(|m| (m.len(), m.modified())) {
        Ok((len, Ok(modified))) => {
            h.write_u64(len);
            let since = modified
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            h.write_u128(since.as_nanos());
        }
        _ => {
            h.write_u32(std::process::id());
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos(),
            );
        }
    }
    h.digest128()
});

/// The fingerprint of what every page depends on.
pub fn inputs(
    config: &Config,
    framework: &Framework,
    templates: &Templates,
    faq: &Faq,
    as_of: Date,
) -> u128 {
    let mut h = Xxh3::new();
    h.write_u64(FORMAT);
    h.write_u128(*BINARY);
    // The parsed configuration, framework and FAQ, through their `Debug`
    // text: it shows every field, and none of them holds a hash map, so the
    // text is the same on every run. Absolute paths are left out (the same
    // project built from another folder gives the same pages).
    field(&mut h, &format!("{config:?}"));
    field(&mut h, &format!("{framework:?}"));
    field(&mut h, &format!("{faq:?}"));
    field(&mut h, &as_of.to_string());
    templates.fingerprint(&mut h);
    h.digest128()
}

/// The key of a page that depends on the shared inputs alone (the
/// framework page, the 404 page, the assets).
pub fn inputs_key(inputs: u128, path: &str) -> u128 {
    let mut h = Xxh3::new();
    h.write_u128(inputs);
    field(&mut h, path);
    h.digest128()
}

/// The key of a pilot's page: the shared inputs and the file. `clash`
/// holds the file's diagnostics when its id is shared with another file
/// (see the module's notes), and is empty otherwise.
pub fn pilot_key(
    inputs: u128,
    path: &str,
    file: &DossierFile,
    digest: u128,
    clash: &[Diagnostic],
) -> u128 {
    let mut h = Xxh3::new();
    h.write_u128(inputs);
    field(&mut h, path);
    add_file(&mut h, file, digest);
    if !clash.is_empty() {
        field(&mut h, &format!("{clash:?}"));
    }
    h.digest128()
}

/// The key of the pages about every pilot: the shared inputs, every file
/// in order, and the problems that belong to no single file (they are
/// listed on the index).
pub fn portfolio_key<'a>(
    inputs: u128,
    files: impl Iterator<Item = (&'a DossierFile, u128)>,
    warnings: &[Diagnostic],
) -> u128 {
    let mut h = Xxh3::new();
    h.write_u128(inputs);
    for (file, digest) in files {
        add_file(&mut h, file, digest);
    }
    field(&mut h, &format!("{warnings:?}"));
    h.digest128()
}

/// The key of a page about every pilot, from [`portfolio_key`].
pub fn aggregate_key(portfolio: u128, path: &str) -> u128 {
    inputs_key(portfolio, path)
}

fn add_file(h: &mut Xxh3, file: &DossierFile, digest: u128) {
    field(h, &file.rel_path);
    field(h, &file.source);
    field(h, &file.id);
    h.write_u128(digest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::dossier::read::digest;

    fn file(rel: &str) -> DossierFile {
        DossierFile {
            path: rel.into(),
            rel_path: rel.into(),
            source: format!("content/{rel}"),
            id: rel.trim_end_matches(".md").into(),
        }
    }

    #[test]
    fn keys_change_with_what_a_page_is_made_of() {
        let a = file("a.md");
        let base = pilot_key(1, "pilots/a/index.html", &a, digest(b"x"), &[]);
        assert_eq!(
            base,
            pilot_key(1, "pilots/a/index.html", &a, digest(b"x"), &[])
        );
        assert_ne!(
            base,
            pilot_key(2, "pilots/a/index.html", &a, digest(b"x"), &[])
        );
        assert_ne!(
            base,
            pilot_key(1, "pilots/a/index.html", &a, digest(b"y"), &[])
        );
        assert_ne!(
            base,
            pilot_key(1, "pilots/a/index.html", &file("b/a.md"), digest(b"x"), &[])
        );
        let clash = [Diagnostic::error(
            Code::DossierDuplicateId,
            "content/a.md",
            "the same id",
        )];
        assert_ne!(
            base,
            pilot_key(1, "pilots/a/index.html", &a, digest(b"x"), &clash)
        );
    }

    #[test]
    fn the_portfolio_key_covers_every_file_and_its_order() {
        let (a, b) = (file("a.md"), file("b.md"));
        let key = |files: &[(&DossierFile, u128)]| portfolio_key(1, files.iter().copied(), &[]);
        let ab = key(&[(&a, 1), (&b, 2)]);
        assert_ne!(ab, key(&[(&b, 2), (&a, 1)]));
        assert_ne!(ab, key(&[(&a, 1), (&b, 3)]));
        assert_ne!(ab, key(&[(&a, 1)]));
        assert_ne!(
            ab,
            portfolio_key(
                1,
                [(&a, 1), (&b, 2)].into_iter(),
                &[Diagnostic::warning(
                    Code::ContentSkipped,
                    "content",
                    "skipped"
                )]
            )
        );
    }

    #[test]
    fn keys_survive_the_manifest() {
        for key in [0, 1, u128::MAX, digest(b"page")] {
            assert_eq!(from_hex(&to_hex(key)), Some(key));
        }
        assert_eq!(from_hex("xyz"), None);
        assert_eq!(from_hex(&"f".repeat(33)), None);
    }
}
