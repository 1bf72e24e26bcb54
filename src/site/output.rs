//! Writing the site to disk so that a reader never sees a broken page.
//!
//! Every file is written beside its final name and renamed over it, so each
//! file is at any moment either the old or the new one, whole. A file whose
//! bytes did not change is not touched (cheap rebuilds, small deploys). A
//! manifest of the files the last build wrote lets the next build remove the
//! pages of dossiers that are gone, without touching anything else a team
//! keeps in the output folder; beside each file it records the key of what
//! the file was made from (see [`super::fingerprint`]), so that the next
//! build renders only pages whose key changed.
//!
//! A build marks the folder as being written ([`begin`]) before its first
//! file and clears the mark when the manifest is written ([`finish`]). A mark
//! left by a killed build tells the next one to look for that build's
//! temporary files and not to trust the site as a whole.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use super::fingerprint;

/// Name of the manifest in the output folder.
pub const MANIFEST: &str = ".pilotscope-files";

/// Name of the mark of a build that is writing (or was killed writing).
pub const UNFINISHED: &str = ".pilotscope-unfinished";

/// The first line of a manifest with keys; older manifests list paths only.
const HEADER: &str = "# pilotscope-files 2";

/// What the previous build of an output folder wrote.
#[derive(Debug, Default)]
pub struct Manifest {
    /// Every file it wrote, relative to the folder, with the key of what
    /// the file was made from (none in a manifest of an older version).
    pub files: BTreeMap<String, Option<u128>>,
    /// The dossier files (relative to the content folder) that had
    /// warnings or errors, so that a build that renders nothing can still
    /// report them.
    pub noisy: Vec<String>,
    /// When the manifest was written: a file modified later was changed by
    /// someone else and is rendered again.
    pub written: Option<SystemTime>,
    /// Whether it is whole and of this version, and no build was
    /// interrupted since it was written.
    pub trusted: bool,
}

impl Manifest {
    /// The manifest in `out`; empty when there is none.
    pub fn read(out: &Path) -> Manifest {
        let path = out.join(MANIFEST);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Manifest::default();
        };
        let mut m = Manifest {
            written: std::fs::metadata(&path).and_then(|m| m.modified()).ok(),
            trusted: text.starts_with(HEADER) && !out.join(UNFINISHED).exists(),
            ..Manifest::default()
        };
        for line in text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with("# "))
        {
            if let Some(rel) = line.strip_prefix("! ") {
                m.noisy.push(rel.to_string());
            } else if let Some(key) = line.get(..32).and_then(fingerprint::from_hex)
                && line.as_bytes().get(32) == Some(&b' ')
            {
                m.files.insert(line[33..].to_string(), Some(key));
            } else {
                m.files.insert(line.to_string(), None);
            }
        }
        m
    }

    /// Whether the file at `path` in `out` was made from `key` and nobody
    /// changed it since: it need not be rendered again.
    pub fn is_fresh(&self, out: &Path, path: &str, key: u128) -> bool {
        self.trusted
            && self.files.get(path) == Some(&Some(key))
            && self.written.is_some_and(|written| {
                std::fs::symlink_metadata(out.join(path))
                    .and_then(|m| Ok(m.is_file() && m.modified()? <= written))
                    .unwrap_or(false)
            })
    }

    /// The manifest's text for `files` and `noisy`.
    fn text(files: &BTreeMap<String, Option<u128>>, noisy: &[String]) -> String {
        let mut text = String::with_capacity(files.len() * 72);
        text.push_str(HEADER);
        text.push('\n');
        for (path, key) in files {
            // A file without a key is listed, and vouched for by none.
            if let Some(key) = key {
                text.push_str(&fingerprint::to_hex(*key));
                text.push(' ');
            }
            text.push_str(path);
            text.push('\n');
        }
        for rel in noisy {
            text.push_str("! ");
            text.push_str(rel);
            text.push('\n');
        }
        text
    }
}

/// `path` made absolute, with every part that exists resolved
/// (`canonicalize` needs the whole path to exist; an output folder often
/// does not yet).
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut c = c;
            c.extend(rest.iter().rev());
            return c;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Why a build must not write into `out`, if it must not: `out` is one of
/// the `guarded` folders (the project, its content, its templates: name
/// and path) or holds one, or lies inside the content or templates folder
/// (`inside` says which may not hold it).
pub fn dangerous(out: &Path, guarded: &[(&str, &Path, bool)]) -> Option<String> {
    let out = resolved(out);
    for (what, folder, no_inside) in guarded {
        let folder = resolved(folder);
        if out == folder {
            return Some(format!(
                "the output folder is the {what} itself: a build would overwrite the files in it"
            ));
        }
        if folder.starts_with(&out) {
            // The diagnostic that says this names the folder.
            return Some(format!(
                "the output folder holds the {what}: a build there would overwrite files pilotscope did not write"
            ));
        }
        if *no_inside && out.starts_with(&folder) {
            return Some(format!(
                "the output folder is inside the {what}: pages would be written among its files"
            ));
        }
    }
    None
}

/// Whether `out` holds files that pilotscope did not write: it is a
/// non-empty folder with neither a manifest nor the mark of a build.
pub fn is_foreign(out: &Path) -> bool {
    if out.join(MANIFEST).exists() || out.join(UNFINISHED).exists() {
        return false;
    }
    // What file managers and git leave in an empty folder does not count.
    const NOBODYS: [&str; 4] = [".gitkeep", ".DS_Store", "Thumbs.db", "desktop.ini"];
    std::fs::read_dir(out).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| !NOBODYS.iter().any(|n| e.file_name() == *n))
    })
}

/// An exclusive hold on an output folder: while it is held no other
/// pilotscope writes there. It is an advisory lock of the operating system
/// (`flock` on the folder itself on Unix, so that no file is added to the
/// site; a `.pilotscope-lock` file elsewhere), released when the value is
/// dropped or the process dies, however it dies.
#[derive(Debug)]
pub struct Lock {
    _file: Option<std::fs::File>,
}

/// Takes the [`Lock`] on `out` (which must exist), waiting for another
/// build to finish first, and saying so on standard error.
pub fn lock(out: &Path) -> io::Result<Lock> {
    #[cfg(unix)]
    let file = std::fs::File::open(out)?;
    #[cfg(not(unix))]
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(".pilotscope-lock"))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            // Shown as every path is: from the folder the command was
            // started in.
            let here = resolved(&std::env::current_dir().unwrap_or_default());
            eprintln!(
                "waiting for another pilotscope to finish writing {} ...",
                crate::diagnostic::show_path(&resolved(out), &here)
            );
            file.lock()?;
        }
        // A file system without locks (some network shares): build as before.
        Err(std::fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {
            return Ok(Lock { _file: None });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    Ok(Lock { _file: Some(file) })
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` unless it already holds exactly them. Returns
/// whether the file was written. The file is replaced whole (written
/// beside it, then renamed over it), so that a reader never sees half of
/// it; see [`write_page`] for the first build into a folder.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    write_page(path, bytes, false)
}

/// [`write_if_changed`], except that with `in_place` a file that is not
/// there yet is written in place. That is for the first build into a
/// folder (one with no site of ours, whose pages have nothing to protect):
/// it saves a temporary file and a rename a page. A build killed half-way
/// through one leaves the folder's unfinished mark ([`begin`], set before
/// the first write), so the next build trusts none of its files and writes
/// each again.
pub fn write_page(path: &Path, bytes: &[u8], in_place: bool) -> io::Result<bool> {
    // A symbolic link is replaced, never compared or written through.
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            let mut same = Compare::open(path)?;
            if same.write_all(bytes).is_ok() && same.finished() {
                return Ok(false);
            }
        }
        Err(e) if in_place && e.kind() == io::ErrorKind::NotFound && write_new(path, bytes)? => {
            return Ok(true);
        }
        _ => {}
    }
    write_atomic(path, bytes)?;
    Ok(true)
}

/// Writes `bytes` to `path` in place if no file is there; `false` if one
/// appeared meanwhile (then it is replaced as any other).
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    };
    if let Err(e) = file.write_all(bytes) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(true)
}

/// Like [`write_if_changed`] for a file too large to hold in memory
/// (`report.json`, and the index and FAQ pages, of a large portfolio):
/// `produce` writes the bytes, once. They are compared with the file on disk
/// as they come; at the first difference the part that matched is copied
/// from the old file into a new one beside it, which takes the rest and is
/// renamed over the old. An unchanged file costs one comparison, a changed
/// one a single run of `produce` (rendering the 10,000-pilot index page
/// twice, to compare and then to write, would cost ~0.2 s an edit).
pub fn stream_if_changed(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<bool> {
    let old = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => Some(Compare::open(path)?),
        _ => None,
    };
    let mut w = Diverting {
        path,
        old,
        matched: 0,
        new: None,
    };
    produce(&mut w)?;
    if w.new.is_none() {
        if let Some(old) = w.old.take()
            && old.finished()
        {
            return Ok(false);
        }
        // The old file is longer than the new bytes, or there is none.
        w.divert()?;
    }
    w.new.take().map_or(Ok(()), Beside::commit)?;
    Ok(true)
}

/// The writer of [`stream_if_changed`]: compares with the old file until the
/// first difference, then writes a new file beside it.
struct Diverting<'a> {
    path: &'a Path,
    old: Option<Compare>,
    /// How many bytes matched the old file.
    matched: u64,
    new: Option<Beside>,
}

impl Diverting<'_> {
    /// Starts the new file with the bytes that matched, from the old file.
    fn divert(&mut self) -> io::Result<()> {
        let mut new = Beside::create(self.path)?;
        if self.matched > 0 {
            let old = std::fs::File::open(self.path)?;
            io::copy(&mut io::Read::take(old, self.matched), &mut new.file)?;
        }
        self.old = None;
        self.new = Some(new);
        Ok(())
    }
}

impl Write for Diverting<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.new.is_none() {
            // A difference, or an old file that ends here, ends the comparison.
            if let Some(Ok(n)) = self.old.as_mut().map(|old| old.write(bytes)) {
                self.matched += n as u64;
                return Ok(n);
            }
            self.divert()?;
        }
        match &mut self.new {
            Some(new) => new.file.write(bytes),
            None => unreachable!("divert made the new file"),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that compares what it is given with a file, a chunk at a time,
/// and fails at the first difference.
struct Compare {
    file: io::BufReader<std::fs::File>,
    chunk: Vec<u8>,
}

impl Compare {
    fn open(path: &Path) -> io::Result<Compare> {
        Ok(Compare {
            file: io::BufReader::with_capacity(1 << 16, std::fs::File::open(path)?),
            chunk: Vec::new(),
        })
    }

    /// Whether the file ends where the bytes written did.
    fn finished(mut self) -> bool {
        use io::BufRead;
        self.file.fill_buf().is_ok_and(|rest| rest.is_empty())
    }
}

impl Write for Compare {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        use io::Read;
        let n = bytes.len().min(1 << 16);
        self.chunk.resize(n, 0);
        self.file.read_exact(&mut self.chunk)?;
        if self.chunk != bytes[..n] {
            return Err(io::Error::other("the bytes differ"));
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes beside `path`, then renames over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut new = Beside::create(path)?;
    new.file.write_all(bytes)?;
    new.commit()
}

/// A file being written beside `path`, renamed over it by
/// [`Beside::commit`]; removed if dropped before.
struct Beside {
    path: PathBuf,
    tmp: PathBuf,
    file: io::BufWriter<std::fs::File>,
    done: bool,
}

impl Beside {
    fn create(path: &Path) -> io::Result<Beside> {
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let tmp = parent.join(format!(
            ".{name}.{}-{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = std::fs::File::create(&tmp)?;
        Ok(Beside {
            path: path.to_path_buf(),
            tmp,
            file: io::BufWriter::with_capacity(1 << 16, file),
            done: false,
        })
    }

    fn commit(mut self) -> io::Result<()> {
        self.file.flush()?;
        std::fs::rename(&self.tmp, &self.path)?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Beside {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Marks `out` as being written, before a build's first file. Returns
/// whether an earlier build was interrupted there (its mark is still
/// present).
pub fn begin(out: &Path) -> io::Result<bool> {
    let mark = out.join(UNFINISHED);
    if mark.exists() {
        return Ok(true);
    }
    std::fs::create_dir_all(out)?;
    std::fs::File::create(mark)?;
    Ok(false)
}

/// Records the files of this build (with their keys) and the dossiers that
/// had diagnostics, removes the files of the previous build that are no
/// longer part of the site, and clears the mark of [`begin`]. `previous` is
/// the manifest read before this build wrote anything; `interrupted` is what
/// [`begin`] said. `wrote` says whether this build wrote any file: the
/// manifest is then written even when its bytes are the same, so that it is
/// newer than every file it vouches for. Returns how many files were
/// removed.
pub fn finish(
    out: &Path,
    previous: &Manifest,
    files: &BTreeMap<String, Option<u128>>,
    noisy: &[String],
    interrupted: bool,
    wrote: bool,
) -> io::Result<usize> {
    let mut removed = 0;
    for gone in previous.files.keys().filter(|f| !files.contains_key(*f)) {
        // A manifest is trusted only for regular files under the folder,
        // reached without a symbolic link: anyone who can commit one (with
        // `output_dir` in the content folder, a dossier author) could
        // otherwise name files elsewhere.
        if !is_own_file(out, gone) {
            continue;
        }
        let path = out.join(gone);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                removed += 1;
                remove_empty_parents(out, &path);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    let text = Manifest::text(files, noisy);
    let manifest = out.join(MANIFEST);
    if wrote || removed > 0 {
        write_atomic(&manifest, text.as_bytes())?;
    } else {
        write_if_changed(&manifest, text.as_bytes())?;
    }
    // Temporary files are left only by a build that was killed: one that
    // left its mark, or one before the first manifest.
    if interrupted || previous.written.is_none() {
        remove_stale_temporary_files(out, previous.files.keys().chain(files.keys()));
    }
    match std::fs::remove_file(out.join(UNFINISHED)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(removed),
    }
}

/// Whether `rel` (a path relative to `out`, with `/`) is plain: no `..`,
/// `.`, empty part, backslash or root.
fn is_plain(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
}

/// The first symbolic link (or other thing that is not a folder) on the way
/// from `out` to the folder that holds `rel`, if any: the site is never
/// written, read or removed through one. Parts that do not exist yet are
/// fine (they are created as folders).
pub fn link_on_the_way(out: &Path, rel: &str) -> Option<PathBuf> {
    let mut dir = out.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => return Some(dir),
            // A file in the way is told by the write's own error.
            Ok(_) => return None,
            Err(_) => return None,
        }
    }
    None
}

/// Whether `rel` names a regular file under `out`, reached without a
/// symbolic link: the only kind of manifest entry that is removed.
fn is_own_file(out: &Path, rel: &str) -> bool {
    if !is_plain(rel) {
        return false;
    }
    let mut dir = out.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len() - 1] {
        dir.push(part);
        if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
            return false;
        }
    }
    std::fs::symlink_metadata(out.join(rel)).is_ok_and(|m| m.is_file())
}

/// Removes the temporary files that builds killed before their rename left
/// in the folders of the site's files (they are hidden, but a sync of the
/// folder would publish them). Only those of processes that are gone, and
/// only where that can be told (`/proc`); elsewhere they stay.
fn remove_stale_temporary_files<'a>(out: &Path, files: impl Iterator<Item = &'a String>) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let folders: BTreeSet<PathBuf> = files
        .filter(|f| is_plain(f) && link_on_the_way(out, f).is_none())
        .filter_map(|f| out.join(f).parent().map(Path::to_path_buf))
        .collect();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(temporary_file_pid) else {
                continue;
            };
            if pid != std::process::id() && !proc.join(pid.to_string()).exists() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// The process id in the name of a temporary file of [`write_atomic`]
/// (`.index.html.1234-7.tmp`).
fn temporary_file_pid(name: &str) -> Option<u32> {
    let middle = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, tail) = middle.rsplit_once('.')?;
    let (pid, n) = tail.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse().ok()
}

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir: Option<PathBuf> = file.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        let is_folder = std::fs::symlink_metadata(&d).is_ok_and(|m| m.is_dir());
        if d == out || !d.starts_with(out) || !is_folder || std::fs::remove_dir(&d).is_err() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(paths: &[&str]) -> BTreeMap<String, Option<u128>> {
        paths
            .iter()
            .map(|p| {
                (
                    p.to_string(),
                    Some(crate::dossier::read::digest(p.as_bytes())),
                )
            })
            .collect()
    }

    #[test]
    fn a_page_listed_without_a_key_is_kept_and_vouched_for_by_none() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("index.html"), "old").unwrap();
        let mut files = keyed(&["index.html"]);
        files.insert("index.html".into(), None);
        finish(out, &Manifest::read(out), &files, &[], false, true).unwrap();
        let m = Manifest::read(out);
        assert_eq!(m.files.get("index.html"), Some(&None));
        assert!(
            out.join("index.html").is_file(),
            "a page left is not removed"
        );
        assert!(!m.is_fresh(out, "index.html", 0));
    }

    #[test]
    fn unchanged_files_are_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.html");
        assert!(write_if_changed(&p, b"x").unwrap());
        assert!(!write_if_changed(&p, b"x").unwrap());
        assert!(write_if_changed(&p, b"y").unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), b"y");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
    }

    #[test]
    fn a_streamed_file_is_compared_and_written_in_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/report.json");
        let pieces = |parts: &'static [&'static str]| {
            move |w: &mut dyn Write| parts.iter().try_for_each(|x| w.write_all(x.as_bytes()))
        };
        assert!(stream_if_changed(&p, pieces(&["abc", "def", "ghi"])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcdefghi");
        assert!(!stream_if_changed(&p, pieces(&["abcd", "efghi"])).unwrap());
        // A difference in the middle, after bytes that matched.
        assert!(stream_if_changed(&p, pieces(&["abc", "dXf", "ghi"])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcdXfghi");
        // Shorter, then longer, than the file on disk.
        assert!(stream_if_changed(&p, pieces(&["abc", "dX"])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcdX");
        assert!(stream_if_changed(&p, pieces(&["abc", "dX", "yz"])).unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcdXyz");
        // A failure leaves the old file whole and nothing beside it.
        let failing = |w: &mut dyn Write| {
            w.write_all(b"abQ")?;
            Err(io::Error::other("no more"))
        };
        assert!(stream_if_changed(&p, failing).is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abcdXyz");
        let leftovers = std::fs::read_dir(dir.path().join("a")).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary files are left behind");
    }

    #[test]
    fn temporary_files_of_killed_builds_are_removed_by_the_next_build() {
        assert_eq!(temporary_file_pid(".index.html.1234-7.tmp"), Some(1234));
        assert_eq!(temporary_file_pid("index.html"), None);
        assert_eq!(temporary_file_pid(".notes.tmp"), None);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_atomic(&out.join("pilots/a/index.html"), b"a").unwrap();
        // No process has this id (above the kernel's pid_max).
        let stale = out.join("pilots/a/.index.html.4194305-0.tmp");
        std::fs::write(&stale, "half a pa").unwrap();
        let own = out.join("pilots/a/.team-notes.tmp");
        std::fs::write(&own, "not ours").unwrap();
        let files = keyed(&["pilots/a/index.html"]);
        finish(out, &Manifest::read(out), &files, &[], false, true).unwrap();
        assert_eq!(stale.exists(), !Path::new("/proc/self").exists());
        assert!(own.exists());
    }

    #[test]
    fn files_of_the_previous_build_that_are_gone_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_atomic(&out.join("pilots/a/index.html"), b"a").unwrap();
        write_atomic(&out.join("pilots/b/index.html"), b"b").unwrap();
        std::fs::write(out.join("CNAME"), "keep").unwrap();
        let both = keyed(&["pilots/a/index.html", "pilots/b/index.html"]);
        finish(out, &Manifest::read(out), &both, &[], false, true).unwrap();
        let one = keyed(&["pilots/a/index.html"]);
        assert_eq!(
            finish(out, &Manifest::read(out), &one, &[], false, false).unwrap(),
            1
        );
        assert!(!out.join("pilots/b").exists());
        assert!(out.join("CNAME").exists());
    }

    #[test]
    fn the_manifest_vouches_only_for_untouched_files_it_keyed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for p in ["index.html", "pilots/a/index.html", "pilots/b/index.html"] {
            write_atomic(&out.join(p), p.as_bytes()).unwrap();
        }
        let files = keyed(&["index.html", "pilots/a/index.html", "pilots/b/index.html"]);
        assert!(!begin(out).unwrap(), "no build was interrupted");
        assert!(!Manifest::read(out).trusted, "a build is writing");
        finish(
            out,
            &Manifest::read(out),
            &files,
            &["a.md".into()],
            false,
            true,
        )
        .unwrap();
        let m = Manifest::read(out);
        assert!(m.trusted);
        assert_eq!(m.noisy, ["a.md"]);
        let key = |p: &str| files[p].expect("keyed");
        assert!(m.is_fresh(out, "index.html", key("index.html")));
        assert!(
            !m.is_fresh(out, "index.html", key("pilots/a/index.html")),
            "another key"
        );
        assert!(
            !m.is_fresh(out, "other.html", key("index.html")),
            "not in the manifest"
        );

        // Someone edits a page by hand, or deletes one: it is rendered again.
        let later = m.written.unwrap() + std::time::Duration::from_secs(2);
        let f = std::fs::File::options()
            .write(true)
            .open(out.join("pilots/a/index.html"))
            .unwrap();
        f.set_modified(later).unwrap();
        std::fs::remove_file(out.join("pilots/b/index.html")).unwrap();
        assert!(!m.is_fresh(out, "pilots/a/index.html", key("pilots/a/index.html")));
        assert!(!m.is_fresh(out, "pilots/b/index.html", key("pilots/b/index.html")));

        // A killed build leaves its mark: the next one knows.
        assert!(!begin(out).unwrap());
        assert!(begin(out).unwrap(), "the mark of the first is still there");
        assert!(!Manifest::read(out).trusted);
    }

    #[cfg(unix)]
    #[test]
    fn nothing_is_removed_or_written_through_a_symbolic_link() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("x"), "precious").unwrap();
        std::fs::write(elsewhere.join("y.html"), "precious").unwrap();
        write_atomic(&out.join("index.html"), b"i").unwrap();
        symlink(&elsewhere, out.join("escape")).unwrap();
        symlink(elsewhere.join("y.html"), out.join("y.html")).unwrap();
        std::fs::write(
            out.join(MANIFEST),
            "index.html\nescape/x\ny.html\n../elsewhere/x\n/etc/hostname\n",
        )
        .unwrap();
        let m = Manifest::read(&out);
        assert_eq!(finish(&out, &m, &keyed(&[]), &[], false, false).unwrap(), 1);
        assert!(!out.join("index.html").exists(), "its own file is removed");
        assert_eq!(
            std::fs::read_to_string(elsewhere.join("x")).unwrap(),
            "precious"
        );
        assert_eq!(
            std::fs::read_to_string(elsewhere.join("y.html")).unwrap(),
            "precious"
        );
        assert!(out.join("escape").exists(), "the link itself stays");

        // Writing: a link to a file is replaced, never written through;
        // a link to a folder is found before anything is written.
        assert!(write_if_changed(&out.join("y.html"), b"precious").unwrap());
        assert!(
            !std::fs::symlink_metadata(out.join("y.html"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(elsewhere.join("y.html")).unwrap(),
            "precious"
        );
        assert_eq!(link_on_the_way(&out, "escape/x"), Some(out.join("escape")));
        assert_eq!(link_on_the_way(&out, "pilots/a/index.html"), None);
    }

    #[test]
    fn the_project_its_content_and_templates_and_their_ancestors_are_no_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("content/team")).unwrap();
        let guarded: [(&str, &Path, bool); 3] = [
            ("project folder", &root, false),
            ("content folder", &root.join("content"), true),
            ("templates folder", &root.join("templates"), true),
        ];
        for bad in [
            root.clone(),
            root.join("."),
            root.join("content/.."),
            dir.path().to_path_buf(),
            PathBuf::from("/"),
            root.join("content"),
            root.join("content/team"),
            root.join("content/new/site"),
            root.join("templates"),
            root.join("templates/site"),
        ] {
            assert!(
                dangerous(&bad, &guarded).is_some(),
                "{} was accepted",
                bad.display()
            );
        }
        for good in [
            root.join("site"),
            root.join("public/pilots"),
            dir.path().join("elsewhere"),
        ] {
            assert_eq!(dangerous(&good, &guarded), None, "{}", good.display());
        }

        let out = dir.path().join("out");
        assert!(!is_foreign(&out), "a folder that does not exist yet");
        std::fs::create_dir_all(&out).unwrap();
        assert!(!is_foreign(&out), "an empty folder");
        std::fs::write(out.join(".gitkeep"), "").unwrap();
        assert!(!is_foreign(&out), "a folder kept in git by an empty file");
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(is_foreign(&out));
        begin(&out).unwrap();
        assert!(!is_foreign(&out), "a build has started there");
    }

    #[test]
    fn a_manifest_of_paths_only_still_removes_what_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_atomic(&out.join("pilots/old/index.html"), b"old").unwrap();
        std::fs::write(out.join(MANIFEST), "pilots/old/index.html\n").unwrap();
        let m = Manifest::read(out);
        assert!(!m.trusted);
        assert_eq!(m.files.get("pilots/old/index.html"), Some(&None));
        assert_eq!(finish(out, &m, &keyed(&[]), &[], false, false).unwrap(), 1);
        assert!(!out.join("pilots").exists());
    }
}
