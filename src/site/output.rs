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
    let old = match std::fs::metadata(path) {
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
