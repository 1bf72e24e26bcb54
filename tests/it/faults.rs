//! Faults around a build and the dev server: an output folder that cannot
//! be written, a full disk, builds killed at many moments, and a dev server
//! under 200 held connections, abrupt disconnects and malformed requests.
//!
//! The promise under every fault: each file of the site is whole (the
//! previous version or the new one), the error says what is wrong, and the
//! exit status is 2. `tests/it/site_build.rs` has one killed build; the loop
//! here kills at several points of a build. `tests/it/serve.rs` covers 200
//! one-shot clients, vanishing clients and a first set of malformed
//! requests; this file holds connections open while others come and go,
//! and adds the malformed requests that file does not send.
//!
//! Nothing here asserts on time: delays only decide *when* to interrupt,
//! and loops are bounded so that they stop by themselves.
#![cfg(unix)]

use crate::common;
use crate::hardening;
use crate::live;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::AS_OF;

fn build_at(root: &Path, out: &Path, as_of: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pilotscope"))
        .current_dir(root)
        .args(["--as-of", as_of, "build", "--output"])
        .arg(out)
        .env("NO_COLOR", "1")
        .output()
        .expect("pilotscope runs")
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit status of a build of `tests/fixtures/site` (it has a broken dossier).
const FIXTURE_EXIT: i32 = 1;

// ---------------------------------------------------------------- unwritable output

#[test]
fn a_file_where_the_site_needs_a_folder_gives_a_clear_error_status_2_and_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    common::copy_dir(&common::fixture("site"), &root);
    let out = dir.path().join("site");
    let first = build_at(&root, &out, AS_OF);
    assert_eq!(
        first.status.code(),
        Some(FIXTURE_EXIT),
        "{}",
        stderr(&first)
    );
    let before = common::files(&out);

    // The portfolio changes, and a file sits where the pilot pages go.
    let dossier = root.join("content/route-planner.md");
    let text = std::fs::read_to_string(&dossier).unwrap();
    std::fs::write(&dossier, text.replacen("title: ", "title: Renamed ", 1)).unwrap();
    std::fs::remove_dir_all(out.join("pilots")).unwrap();
    std::fs::write(out.join("pilots"), "a file in the way\n").unwrap();

    let failed = build_at(&root, &out, AS_OF);
    let err = stderr(&failed);
    assert_eq!(failed.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot be written: a file is in the way where the site needs a folder"),
        "{err}"
    );
    assert_eq!(
        err.matches("a file is in the way").count(),
        1,
        "named once, not once per page: {err}"
    );
    assert!(err.contains("/site/pilots\n"), "the file is named: {err}");
    assert!(err.contains("the build failed"), "{err}");

    // What a fresh build of the changed portfolio writes, for comparison.
    let reference_dir = dir.path().join("reference");
    build_at(&root, &reference_dir, AS_OF);
    let reference = common::files(&reference_dir);

    // Every other file is still there and whole: the previous version or
    // this build's.
    hardening::assert_every_file_whole(&out);
    let now = common::files(&out);
    for (path, old) in &before {
        if path.starts_with("pilots/") {
            continue;
        }
        let current = now
            .get(path)
            .unwrap_or_else(|| panic!("{path} of the previous site is gone"));
        assert!(
            current == old || reference.get(path) == Some(current),
            "{path} is neither the previous version nor this build's"
        );
    }
    assert_eq!(
        now.get(".pilotscope-files"),
        before.get(".pilotscope-files"),
        "the manifest of the last complete build is kept"
    );

    // Out of the way, the next build completes the site.
    std::fs::remove_file(out.join("pilots")).unwrap();
    let fixed = build_at(&root, &out, AS_OF);
    assert_eq!(
        fixed.status.code(),
        Some(FIXTURE_EXIT),
        "{}",
        stderr(&fixed)
    );
    assert_eq!(common::files(&out), reference);
}

// ---------------------------------------------------------------- full disk

/// A small tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    at: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `kib` KiB at `at`, or says why not.
    fn mount(at: &Path, kib: u64) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(at)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("mount cannot run: {e}"))?;
        if out.status.success() {
            Ok(Tmpfs {
                at: at.to_path_buf(),
            })
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.at).status();
    }
}

/// Space a folder takes on a tmpfs: every file rounded up to whole pages.
fn pages_of(dir: &Path) -> u64 {
    common::files(dir)
        .values()
        .map(|b| (b.len() as u64).div_ceil(4096) * 4096)
        .sum()
}

#[test]
fn a_full_disk_gives_a_clear_error_status_2_and_leaves_every_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    // The previous site: the small fixture. Measure it on an ordinary disk.
    let measured = dir.path().join("measured");
    build_at(&common::fixture("site"), &measured, AS_OF);
    let previous_kib = pages_of(&measured) / 1024;

    let mount = match Tmpfs::mount(&dir.path().join("disk"), previous_kib + 96) {
        Ok(m) => m,
        Err(why) => {
            eprintln!("note: skipped: a small tmpfs cannot be mounted here ({why})");
            return;
        }
    };
    let out = mount.at.join("site");
    let first = build_at(&common::fixture("site"), &out, AS_OF);
    assert_eq!(
        first.status.code(),
        Some(FIXTURE_EXIT),
        "{}",
        stderr(&first)
    );
    let before = common::files(&out);

    // A portfolio far bigger than the space left.
    let big = dir.path().join("big");
    hardening::generate_portfolio(&big, 300);
    let failed = build_at(&big, &out, AS_OF);
    let err = stderr(&failed);
    assert_eq!(failed.status.code(), Some(2), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains("more files of the site cannot be written for the same reason"),
        "one error for many pages: {err}"
    );
    assert!(err.matches("No space left on device").count() <= 3, "{err}");

    let leftovers = hardening::assert_every_file_whole(&out);
    assert!(
        leftovers.is_empty(),
        "a failed write removes its temporary file: {leftovers:?}"
    );
    // The previous site's pilot pages are not part of the new portfolio:
    // nothing touched them.
    let now = common::files(&out);
    for (path, bytes) in before.iter().filter(|(p, _)| p.starts_with("pilots/")) {
        assert_eq!(
            now.get(path),
            Some(bytes),
            "{path} of the previous build is whole and unchanged"
        );
    }
    for (path, bytes) in &before {
        let current = now.get(path).unwrap_or_else(|| panic!("{path} is gone"));
        if current != bytes {
            assert!(
                path.ends_with(".html") || path.ends_with(".json") || path.ends_with(".csv"),
                "{path}"
            );
        }
    }
    drop(mount);
}

// ---------------------------------------------------------------- killed builds

#[test]
fn builds_killed_at_many_moments_leave_every_page_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    hardening::generate_portfolio(&root, 1200);
    let out = dir.path().join("site");
    // A previous site in the folder: the small fixture.
    let first = build_at(&common::fixture("site"), &out, AS_OF);
    assert_eq!(first.status.code(), Some(FIXTURE_EXIT));

    // How long one whole build takes here: kill points are fractions of it,
    // so that they fall inside a build on a fast machine and a slow one.
    let whole = dir.path().join("timing");
    let started = Instant::now();
    let timing = build_at(&root, &whole, "2026-10-31");
    assert_eq!(timing.status.code(), Some(0), "{}", stderr(&timing));
    let duration = started.elapsed();

    // Each build judges as of another day, so every page changes.
    let fractions = [0.0, 0.02, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95];
    let mut interrupted = 0;
    for (i, f) in fractions.iter().enumerate() {
        let as_of = format!("2026-11-{:02}", i + 1);
        let mut child = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
            .current_dir(&root)
            .args(["--as-of", &as_of, "build", "--output"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(duration.mul_f64(*f));
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let leftovers = hardening::assert_every_file_whole(&out);
        let marker = format!("as of {as_of}");
        let pages = common::files(&out);
        let new = pages
            .iter()
            .filter(|(p, b)| p.ends_with(".html") && String::from_utf8_lossy(b).contains(&marker))
            .count();
        if running && !status.success() {
            interrupted += 1;
        }
        eprintln!(
            "kill {} at {:.0}% of a build ({:?}): {} pages of this build written, {} hidden temporary files",
            i + 1,
            f * 100.0,
            if running { "running" } else { "already done" },
            new,
            leftovers.len()
        );
    }
    eprintln!(
        "{interrupted} of {} builds were killed while running",
        fractions.len()
    );

    // A build to the end completes the site.
    let done = build_at(&root, &out, "2026-11-30");
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    let leftovers = hardening::assert_every_file_whole(&out);
    assert!(
        leftovers.is_empty(),
        "the complete build removes what killed builds left: {leftovers:?}"
    );
    let pages = common::files(&out);
    for (path, bytes) in pages.iter().filter(|(p, _)| p.starts_with("pilots/gen-")) {
        assert!(
            String::from_utf8_lossy(bytes).contains("as of 2026-11-30"),
            "{path} is this build's"
        );
    }
    assert_eq!(
        pages
            .keys()
            .filter(|p| p.starts_with("pilots/gen-"))
            .count(),
        1200
    );
}

// ---------------------------------------------------------------- the dev server

const ALPHA: &str = "/pilots/alpha/index.html";

/// A connection held open by the test, in one of three ways.
fn hold(port: u16, i: usize) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    match i % 3 {
        // Headers that never end.
        0 => {
            let _ = s.write_all(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        }
        // A live-reload event stream, never read.
        1 => {
            let _ = s.write_all(
                b"GET /__pilotscope/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
            );
        }
        // Connected, silent.
        _ => {}
    }
    s
}

/// One client that asks for something and goes away mid-answer: without
/// reading, after a byte, or after part of a page (unread data makes the
/// close a reset).
fn abrupt_client(port: u16, n: usize) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let paths = [
        ALPHA,
        "/",
        "/report.json",
        "/assets/style.css",
        "/missing",
        "/__pilotscope/events",
    ];
    let path = paths[n % paths.len()];
    let extra = match n % 4 {
        0 => "Range: bytes=0-99\r\n",
        1 => "Connection: keep-alive\r\n",
        _ => "",
    };
    let method = if n.is_multiple_of(7) { "HEAD" } else { "GET" };
    let _ = s.write_all(
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n").as_bytes(),
    );
    let mut buf = vec![0u8; [0, 1, 200, 4096][n % 4]];
    if !buf.is_empty() {
        let _ = s.read(&mut buf);
    }
    drop(s);
}

#[test]
fn the_dev_server_holds_200_connections_through_ten_seconds_of_abrupt_disconnects() {
    let project = live::Project::live();
    let mut server = live::Running::serve(&project.root, &[]);
    let port = server.port;
    let expected = server.get(ALPHA).body;
    assert!(!expected.is_empty());

    let held: Vec<TcpStream> = (0..200).map(|i| hold(port, i)).collect();
    // With all of them open, a well-behaved client is still answered, whole.
    let r = server.get(ALPHA);
    assert_eq!((r.status, &r.body), (200, &expected));

    // Ten seconds of clients that vanish, beside clients that read to the end.
    let until = Instant::now() + Duration::from_secs(10);
    let vandals: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let mut n = t;
                while Instant::now() < until {
                    abrupt_client(port, n);
                    n += 4;
                }
                n / 4
            })
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let expected = expected.clone();
            std::thread::spawn(move || {
                let mut n = 0;
                while Instant::now() < until {
                    let r = live::get(port, ALPHA);
                    assert_eq!(r.status, 200, "a complete request during the storm");
                    assert_eq!(r.body, expected, "a whole page during the storm");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let abrupt: usize = vandals.into_iter().map(|t| t.join().unwrap()).sum();
    let complete: usize = readers
        .into_iter()
        .map(|t| t.join().expect("a reader"))
        .sum();
    eprintln!(
        "{abrupt} abrupt clients and {complete} complete requests beside 200 held connections"
    );
    assert!(complete > 0 && abrupt > 0);
    server.assert_alive();

    // The held connections go away at once; the server carries on.
    drop(held);
    for path in ["/", ALPHA, "/report.json", "/__pilotscope/status"] {
        assert_eq!(server.get(path).status, 200, "{path} after the storm");
    }
    server.assert_alive();
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

#[test]
fn malformed_requests_beyond_those_of_the_serve_tests_get_4xx_and_the_server_keeps_answering() {
    let project = live::Project::live();
    let mut server = live::Running::serve(&project.root, &[]);
    let port = server.port;
    let many_ranges = (0..500)
        .map(|i| format!("{i}-{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("a NUL in the request line", b"GET /a\0b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("a control character in the path", b"GET /a\x01b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("invalid UTF-8 once decoded", b"GET /%ff%fe.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("a bad percent escape", b"GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("an asterisk target for GET", b"GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("CONNECT to another port", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\nConnection: close\r\n\r\n".to_vec()),
        ("a lower-case method", b"get / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("an absolute target that climbs", b"GET http://x/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("a negative Content-Length", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: -1\r\n\r\n".to_vec()),
        ("two Content-Lengths", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".to_vec()),
        ("a broken chunked body", b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n".to_vec()),
        ("a folded header", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-A: b\r\n c\r\n\r\n".to_vec()),
        ("a bare CR in a header value", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-A: b\rc\r\n\r\n".to_vec()),
        ("an HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec()),
        ("a range past the end", b"GET /index.html HTTP/1.1\r\nHost: x\r\nRange: bytes=99999999-\r\nConnection: close\r\n\r\n".to_vec()),
        ("a malformed range", b"GET /index.html HTTP/1.1\r\nHost: x\r\nRange: bytes=z-y\r\nConnection: close\r\n\r\n".to_vec()),
        ("five hundred ranges", format!("GET /index.html HTTP/1.1\r\nHost: x\r\nRange: bytes={many_ranges}\r\nConnection: close\r\n\r\n").into_bytes()),
        ("a hidden file", b"GET /.pilotscope-files HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("a DELETE", b"DELETE /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec()),
        ("a PUT with a body", b"PUT /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nevil".to_vec()),
    ];
    let before = common::files(&project.site());
    for (what, raw) in &cases {
        match live::exchange(port, raw) {
            // Closing without a word is a fine answer to nonsense.
            Ok(None) | Err(_) => eprintln!("{what}: closed"),
            Ok(Some(r)) => {
                eprintln!("{what}: {}", r.status);
                // A range request may be answered whole (200) or refused (416).
                let ok = (400..500).contains(&r.status)
                    || (what.contains("range") && (r.status == 200 || r.status == 206));
                assert!(ok, "{what} answered {}", r.status);
            }
        }
        assert_eq!(
            server.get("/").status,
            200,
            "the server answers normally after {what}"
        );
    }
    server.assert_alive();
    // Nothing a request said changed the site on disk.
    let after: BTreeMap<String, Vec<u8>> = common::files(&project.site());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert_eq!(before, after);
}
