//! Incremental equals clean: whatever happens to the content folder while
//! `pilotscope watch --output A` runs, once the watcher settles, A holds
//! exactly the bytes that a clean `pilotscope build --output B` of the same
//! content writes, down to the `.pilotscope-files` manifest. So does a
//! folder C that `pilotscope build --output C` rebuilds after every
//! operation, rendering only what the manifest's keys say changed.
//!
//! Each sequence is a seeded random run of file operations an author, an
//! editor or git performs: dossiers created, edited (readable or broken),
//! deleted and renamed (also onto names whose ids clash), folders created,
//! renamed and deleted, editor saves by rename, editor leftovers, and
//! bursts with no pause. The seed and the operations are printed when a
//! sequence fails, so it can be replayed with `EQUIVALENCE_SEED=<seed>`.
//! `EQUIVALENCE_SEQUENCES=<n>` runs more sequences than the default eight.

use crate::live;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use live::{Project, Running, broken_dossier, dossier, tree};

/// A small xorshift generator: the same seed gives the same run.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// File names to create or rename to. Some pairs give the same id
/// (`alpha` and `Alpha`, `delta two` and `delta-two`, `golf.MD` and
/// `golf.md`), so clashes come and go.
const NAMES: &[&str] = &[
    "alpha.md",
    "Alpha.md",
    "bravo.md",
    "delta two.md",
    "delta-two.md",
    "echo.md",
    "golf.MD",
    "golf.md",
    "hotel.md",
];
/// Folders to create or rename to; `_drafts` is ignored by the build.
const FOLDERS: &[&str] = &["teams", "ops", "Ops", "north", "_drafts", "deep/er"];
const FAQ: &str = "---\ntitle: Questions\n---\n\n## Why? {#why topic=all}\n\nBecause.\n";

struct Run<'a> {
    rng: Rng,
    content: &'a Path,
    log: Vec<String>,
    counter: usize,
}

impl Run<'_> {
    /// Every dossier-like file under the content folder (relative paths).
    fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(self.content)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| live_rel(self.content, e.path()))
            .filter(|r| {
                r.to_ascii_lowercase().ends_with(".md")
                    && !r.rsplit('/').next().unwrap_or("").starts_with('.')
            })
            .collect();
        files.sort();
        files
    }

    /// Every folder under the content folder (relative paths).
    fn folders(&self) -> Vec<String> {
        let mut folders: Vec<String> = walkdir::WalkDir::new(self.content)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_dir())
            .map(|e| live_rel(self.content, e.path()))
            .collect();
        folders.sort();
        folders
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.content.join(rel)
    }

    fn text(&mut self) -> String {
        self.counter += 1;
        let title = format!("Pilot {}", self.counter);
        if self.rng.chance(25) {
            broken_dossier(&title)
        } else {
            dossier(&title)
        }
    }

    fn a_place(&mut self) -> String {
        let folders: Vec<String> = self.folders();
        let folder = if self.rng.chance(50) {
            None
        } else {
            self.rng.pick(&folders).cloned()
        };
        let name = *self.rng.pick(NAMES).expect("names");
        match folder {
            Some(f) => format!("{f}/{name}"),
            None => name.to_string(),
        }
    }

    fn step(&mut self) {
        let files = self.files();
        let folders = self.folders();
        match self.rng.below(13) {
            0 | 1 => {
                let rel = self.a_place();
                let text = self.text();
                self.log.push(format!("write {rel}"));
                write(&self.path(&rel), &text);
            }
            2 => {
                if let Some(rel) = self.rng.pick(&files).cloned() {
                    self.counter += 1;
                    self.log.push(format!("break {rel}"));
                    write(
                        &self.path(&rel),
                        &broken_dossier(&format!("Broken {}", self.counter)),
                    );
                }
            }
            3 => {
                if let Some(rel) = self.rng.pick(&files).cloned() {
                    self.log.push(format!("delete {rel}"));
                    let _ = std::fs::remove_file(self.path(&rel));
                }
            }
            4 => {
                if let Some(rel) = self.rng.pick(&files).cloned() {
                    let to = self.a_place();
                    if !self.path(&to).exists() {
                        self.log.push(format!("rename {rel} -> {to}"));
                        let _ = std::fs::rename(self.path(&rel), self.path(&to));
                    }
                }
            }
            5 => {
                let folder = *self.rng.pick(FOLDERS).expect("folders");
                let n = 1 + self.rng.below(3);
                self.log
                    .push(format!("create folder {folder} with {n} dossiers"));
                std::fs::create_dir_all(self.path(folder)).expect("create folder");
                for _ in 0..n {
                    let name = *self.rng.pick(NAMES).expect("names");
                    let text = self.text();
                    write(&self.path(&format!("{folder}/{name}")), &text);
                }
            }
            6 => {
                if let Some(from) = self.rng.pick(&folders).cloned() {
                    let to = *self.rng.pick(FOLDERS).expect("folders");
                    if !self.path(to).exists() && !Path::new(to).starts_with(&from) {
                        self.log.push(format!("rename folder {from} -> {to}"));
                        if let Some(parent) = self.path(to).parent() {
                            let _ = std::fs::create_dir_all(parent);
                        }
                        let _ = std::fs::rename(self.path(&from), self.path(to));
                    }
                }
            }
            7 => {
                if let Some(folder) = self.rng.pick(&folders).cloned() {
                    self.log.push(format!("delete folder {folder}"));
                    let _ = std::fs::remove_dir_all(self.path(&folder));
                }
            }
            8 => {
                // JetBrains, and vim with `backupcopy=no`: a hidden
                // temporary file renamed over the dossier.
                if let Some(rel) = self.rng.pick(&files).cloned() {
                    let path = self.path(&rel);
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let tmp = path.with_file_name(format!(".{name}.tmp"));
                    let text = self.text();
                    self.log.push(format!("save {rel} by rename"));
                    write(&tmp, &text);
                    let _ = std::fs::rename(&tmp, &path);
                }
            }
            9 => {
                // vim: probe file, swap file, backup by rename, new file.
                if let Some(rel) = self.rng.pick(&files).cloned() {
                    let path = self.path(&rel);
                    let dir = path.parent().unwrap().to_path_buf();
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let text = self.text();
                    let keep_leftovers = self.rng.chance(50);
                    self.log
                        .push(format!("vim save {rel} (leftovers kept: {keep_leftovers})"));
                    let _ = std::fs::write(dir.join("4913"), "");
                    let _ = std::fs::remove_file(dir.join("4913"));
                    let _ = std::fs::write(dir.join(format!(".{name}.swp")), b"b0VIM\0swap");
                    let backup = dir.join(format!("{name}~"));
                    let _ = std::fs::rename(&path, &backup);
                    write(&path, &text);
                    if !keep_leftovers {
                        let _ = std::fs::remove_file(&backup);
                        let _ = std::fs::remove_file(dir.join(format!(".{name}.swp")));
                    }
                }
            }
            10 => {
                let n = 3 + self.rng.below(6);
                self.log.push(format!("burst of {n} saves"));
                for _ in 0..n {
                    let files = self.files();
                    let rel = if self.rng.chance(70) {
                        self.rng.pick(&files).cloned()
                    } else {
                        None
                    }
                    .unwrap_or_else(|| self.a_place());
                    let text = self.text();
                    self.log.push(format!("  write {rel}"));
                    write(&self.path(&rel), &text);
                }
            }
            11 => {
                let faq = self.path("faq.md");
                if faq.exists() && self.rng.chance(50) {
                    self.log.push("delete faq.md".into());
                    let _ = std::fs::remove_file(faq);
                } else {
                    self.counter += 1;
                    self.log.push("write faq.md".into());
                    write(
                        &faq,
                        &FAQ.replace("Because.", &format!("Because {}.", self.counter)),
                    );
                }
            }
            _ => {
                // Leftovers that are not dossiers at all.
                let folder = self.rng.pick(&folders).cloned().unwrap_or_default();
                let dir = self.path(&folder);
                self.log.push(format!("leftovers in {folder:?}"));
                let _ = std::fs::write(dir.join("notes.md~"), dossier("Backup"));
                let _ = std::fs::write(dir.join(".notes.md.swp"), "swap");
                let _ = std::fs::write(dir.join("_index.md"), dossier("Underscored"));
                let _ = std::fs::write(dir.join("#notes.md#"), "emacs");
            }
        }
        // No pause, a short one, or long enough for a rebuild.
        let pause = [0, 0, 0, 5, 30, 150][self.rng.below(6)];
        std::thread::sleep(Duration::from_millis(pause));
    }
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    // A step may race a folder it just renamed; the next step goes on.
    let _ = std::fs::write(path, text);
}

fn live_rel(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// What differs between two output trees, one line per file.
fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in a {
        match b.get(path) {
            None => out.push(format!("only in watch output: {path}")),
            Some(other) if other != bytes => {
                let (x, y) = (
                    String::from_utf8_lossy(bytes),
                    String::from_utf8_lossy(other),
                );
                let line = x
                    .lines()
                    .zip(y.lines())
                    .position(|(l, m)| l != m)
                    .unwrap_or(0);
                out.push(format!(
                    "differs: {path} (line {}):\n    watch: {:?}\n    clean: {:?}",
                    line + 1,
                    x.lines().nth(line).unwrap_or(""),
                    y.lines().nth(line).unwrap_or("")
                ));
            }
            Some(_) => {}
        }
    }
    for path in b.keys().filter(|p| !a.contains_key(*p)) {
        out.push(format!("only in clean build: {path}"));
    }
    out
}

fn clean_build(root: &Path, out: &Path) {
    let _ = std::fs::remove_dir_all(out);
    rebuild(root, out);
}

/// `pilotscope build` into `out` as it is.
fn rebuild(root: &Path, out: &Path) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(root)
        .args(["--as-of", live::AS_OF, "build", "--output"])
        .arg(out)
        .env("NO_COLOR", "1")
        .output()
        .expect("pilotscope build runs");
    // 1 only says that some dossiers have errors; their pages say which.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn sequence(seed: u64, steps: usize) {
    let project = Project::live();
    let watched = project.beside("A");
    let clean = project.beside("B");
    let mut watcher = Running::watch(&project.root, &watched);
    let content = project.content();
    let mut run = Run {
        rng: Rng::new(seed),
        content: &content,
        log: Vec::new(),
        counter: 0,
    };
    let rebuilt = project.beside("C");
    for _ in 0..steps {
        run.step();
        rebuild(&project.root, &rebuilt);
    }
    clean_build(&project.root, &clean);
    let expected = tree(&clean);
    let diff = differences(&tree(&rebuilt), &expected);
    assert!(
        diff.is_empty(),
        "seed {seed}: a build after every operation differs from a clean build.\n\noperations:\n  {}\n\ndifferences:\n  {}",
        run.log.join("\n  "),
        diff.join("\n  ")
    );
    // Settled means: equal to the clean build. Wait for that, generously.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = tree(&watched);
        let diff = differences(&got, &expected);
        if diff.is_empty() {
            break;
        }
        watcher.assert_alive();
        if Instant::now() > deadline {
            panic!(
                "seed {seed}: the watch output never became the clean build.\n\noperations:\n  {}\n\ndifferences:\n  {}\n\nwatch stderr:\n{}",
                run.log.join("\n  "),
                diff.join("\n  "),
                watcher.stderr()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn incremental_rebuilds_give_the_same_bytes_as_a_clean_build() {
    if let Some(seed) = std::env::var("EQUIVALENCE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        sequence(seed, 12);
        return;
    }
    let sequences: u64 = std::env::var("EQUIVALENCE_SEQUENCES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    for seed in 1..=sequences {
        sequence(seed, 12);
    }
}

/// Saves that come faster than the portfolio pages can be written (an
/// editor's autosave on a large portfolio): each save's own page is
/// written, the portfolio pages of a save are left when a newer one
/// arrives, and once the saves stop the site is the clean build's, with a
/// manifest that a later `build` trusts (it writes nothing).
#[test]
fn saves_faster_than_a_rebuild_leave_the_clean_build_and_a_manifest_to_trust() {
    let project = Project::live();
    let content = project.content();
    // Enough pilots that the pages about all of them take a while.
    for i in 0..600 {
        write(
            &content.join(format!("many/pilot-{i:03}.md")),
            &dossier(&format!("Pilot {i:03}")),
        );
    }
    let watched = project.beside("A");
    let clean = project.beside("B");
    let mut watcher = Running::watch(&project.root, &watched);
    let alpha = content.join("alpha.md");
    let text = std::fs::read_to_string(&alpha).unwrap();
    for n in 0..40 {
        // The title shows on the index: every save changes the portfolio pages.
        write(
            &alpha,
            &text.replace("Alpha invoice reader", &format!("Alpha invoice reader {n}")),
        );
        std::thread::sleep(Duration::from_millis(40));
    }
    clean_build(&project.root, &clean);
    let expected = tree(&clean);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let diff = differences(&tree(&watched), &expected);
        if diff.is_empty() {
            break;
        }
        watcher.assert_alive();
        assert!(
            Instant::now() < deadline,
            "the watch output never became the clean build:\n  {}\n\nwatch stderr:\n{}",
            diff.join("\n  "),
            watcher.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        watcher.stderr().contains("left for the newer change"),
        "no rebuild was overtaken by a newer save, so this test tested nothing:\n{}",
        watcher.stderr()
    );
    drop(watcher);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(&project.root)
        .args(["--as-of", live::AS_OF, "build", "--output"])
        .arg(&watched)
        .env("NO_COLOR", "1")
        .output()
        .expect("pilotscope build runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(0 written"),
        "a build after the watcher settled rewrote pages:\n{stderr}"
    );
}
