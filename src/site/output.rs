//! Writing the site to disk so that a reader never sees a broken page.
//!
//! Every file is written beside its final name and renamed over it, so each
//! file is at any moment either the old or the new one, whole. A file whose
//! bytes did not change is not touched (cheap rebuilds, small deploys). A
//! manifest of the files the last build wrote lets the next build remove the
//! pages of dossiers that are gone, without touching anything else a team
//! keeps in the output folder.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Name of the manifest in the output folder.
pub const MANIFEST: &str = ".pilotscope-files";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` unless it already holds exactly them. Returns
/// whether the file was written.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && meta.len() == bytes.len() as u64
    {
        let mut same = Compare::open(path)?;
        if same.write_all(bytes).is_ok() && same.finished() {
            return Ok(false);
        }
    }
    write_atomic(path, bytes)?;
    Ok(true)
}

/// Like [`write_if_changed`] for a file too large to hold in memory
/// (`report.json` of a large portfolio): `produce` writes the bytes, once
/// into a comparison with the file on disk and, only when they differ, once
/// more into the file.
pub fn stream_if_changed(
    path: &Path,
    produce: impl Fn(&mut dyn Write) -> io::Result<()>,
) -> io::Result<bool> {
    if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        let mut same = Compare::open(path)?;
        if produce(&mut same).is_ok() && same.finished() {
            return Ok(false);
        }
    }
    write_atomic_with(path, |f| {
        let mut w = io::BufWriter::with_capacity(1 << 16, f);
        produce(&mut w)?;
        w.flush()
    })?;
    Ok(true)
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
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Lets `write` fill a file beside `path`, then renames it over `path`.
fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
) -> io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = parent.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        write(&mut f)?;
        f.flush()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The files the previous build wrote, relative to `out`.
pub fn read_manifest(out: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(out.join(MANIFEST))
        .map(|s| {
            s.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Records the files of this build and removes those of the previous build
/// that are no longer part of the site. Returns how many were removed.
pub fn finish(out: &Path, files: &BTreeSet<String>) -> io::Result<usize> {
    let previous = read_manifest(out);
    let mut removed = 0;
    for gone in previous.difference(files) {
        // Never follow a manifest entry out of the output folder.
        if gone.split('/').any(|p| p == ".." || p.is_empty())
            || gone.starts_with('/')
            || gone.contains('\\')
        {
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
    let mut text = String::new();
    for f in files {
        text.push_str(f);
        text.push('\n');
    }
    write_if_changed(&out.join(MANIFEST), text.as_bytes())?;
    remove_stale_temporary_files(out, previous.iter().chain(files));
    Ok(removed)
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
        if d == out || !d.starts_with(out) || std::fs::remove_dir(&d).is_err() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let files: BTreeSet<String> = ["pilots/a/index.html".to_string()].into();
        finish(out, &files).unwrap();
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
        let both: BTreeSet<String> = ["pilots/a/index.html", "pilots/b/index.html"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        finish(out, &both).unwrap();
        let one: BTreeSet<String> = ["pilots/a/index.html"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(finish(out, &one).unwrap(), 1);
        assert!(!out.join("pilots/b").exists());
        assert!(out.join("CNAME").exists());
    }
}
