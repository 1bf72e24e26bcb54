//! Helpers shared by the live-preview tests (`serve.rs`,
//! `watch_equivalence.rs`, `browser_live.rs`): a temporary copy of the
//! `live` fixture, the binary running as `serve` or `watch` (killed when the
//! handle is dropped), a raw HTTP/1.1 client over `TcpStream`, and polling
//! with a generous deadline.
//!
//! Nothing here measures time: [`Running::poll`] waits for *what* shows up
//! and only gives up after [`DEADLINE`], so a slow machine is slow, not red.
//!
//! Not every test file uses every helper, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The date every test judges as of.
pub const AS_OF: &str = "2026-11-26";
/// How long a test waits for a change to show before it fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The repository's `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A temporary copy of a fixture project that a test may change.
pub struct Project {
    _dir: tempfile::TempDir,
    /// The project root (holds `pilotscope.toml` and `content/`).
    pub root: PathBuf,
}

impl Project {
    /// A copy of `tests/fixtures/live`.
    pub fn live() -> Project {
        Project::copy_of(&fixture("live"))
    }

    pub fn copy_of(from: &Path) -> Project {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().join("project");
        copy_dir(from, &root);
        Project { _dir: dir, root }
    }

    /// A folder beside the project, for output trees and secrets.
    pub fn beside(&self, name: &str) -> PathBuf {
        self.root
            .parent()
            .expect("the project has a parent")
            .join(name)
    }

    pub fn content(&self) -> PathBuf {
        self.root.join("content")
    }

    /// The site folder `serve` writes to (the configured default).
    pub fn site(&self) -> PathBuf {
        self.root.join("site")
    }

    /// Writes a file under the project root the plain way: truncate, then
    /// write (what most editors without atomic saves do).
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{rel} cannot be written: {e}"));
    }
}

/// Copies a folder tree (one binary now, so the one in `common`).
pub use crate::common::copy_dir;

/// Every file under `dir` by path relative to it (with `/`), with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, std::fs::read(e.path()).ok()?))
        })
        .collect()
}

/// A readable dossier titled `title`: no errors, no warnings.
pub fn dossier(title: &str) -> String {
    format!(
        "---\ntitle: {title}\nsummary: A pilot written by the live-preview tests\nstage: pilot\nstarted: 2026-03-01\n---\n\nWhat {title} is about.\n"
    )
}

/// A dossier with one mistake: its stage is `pilto`, on line 3, column 8.
pub fn broken_dossier(title: &str) -> String {
    format!("---\ntitle: {title}\nstage: pilto\nstarted: 2026-03-01\n---\n\nA typo in the stage.\n")
}

// ---------------------------------------------------------------- processes

/// The binary under test, running; killed when dropped.
pub struct Running {
    child: Child,
    stderr: Arc<Mutex<String>>,
    /// The port `serve` listens on (0 for `watch`).
    pub port: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Starts `pilotscope --as-of AS_OF <args>` from inside `root`, as a
    /// user runs it (no `--root`), and waits
    /// until standard error has a line containing `ready` (the `serving`
    /// or `watching` line).
    fn start(root: &Path, args: &[&str], ready: &str) -> Running {
        Running::start_in(root, args, ready)
    }

    /// Starts `pilotscope --as-of AS_OF <args>` from inside `dir` (which
    /// may be a folder above the project, with `--root` among `args`).
    pub fn start_in(dir: &Path, args: &[&str], ready: &str) -> Running {
        let root = dir;
        let mut child = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
            .current_dir(root)
            .arg("--as-of")
            .arg(AS_OF)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .env("NO_COLOR", "1")
            .spawn()
            .expect("pilotscope starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel::<String>();
        {
            let pipe = child.stderr.take().expect("stderr is piped");
            let stderr = stderr.clone();
            let ready = ready.to_string();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if line.contains(&ready) {
                        let _ = tx.send(line.clone());
                    }
                    let mut s = stderr.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            });
        }
        let mut running = Running {
            child,
            stderr,
            port: 0,
        };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                if let Some(rest) = line.split("http://").nth(1) {
                    let port = rest
                        .split('/')
                        .next()
                        .and_then(|a| a.rsplit(':').next())
                        .and_then(|p| p.parse().ok());
                    running.port = port.unwrap_or_else(|| panic!("no port in {line:?}"));
                }
                running
            }
            Err(_) => panic!(
                "pilotscope {args:?} never said {ready:?}; stderr:\n{}",
                running.stderr()
            ),
        }
    }

    /// `pilotscope serve --port 0` plus `extra` arguments.
    pub fn serve(root: &Path, extra: &[&str]) -> Running {
        let mut args = vec!["serve", "--port", "0"];
        args.extend_from_slice(extra);
        Running::start(root, &args, "serving ")
    }

    /// `pilotscope watch`, as the README says: default output (`site/`).
    pub fn watch_default(root: &Path) -> Running {
        Running::start(root, &["watch"], "watching for changes")
    }

    /// `pilotscope watch --output <out>`.
    pub fn watch(root: &Path, out: &Path) -> Running {
        let out = out.to_str().expect("UTF-8 temporary path");
        Running::start(root, &["watch", "--output", out], "watching for changes")
    }

    /// Everything the process wrote to standard error so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Panics unless the process is still running.
    pub fn assert_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("pilotscope exited ({status}); stderr:\n{}", self.stderr());
        }
    }

    /// Calls `check` until it returns `Some` and returns that; fails after
    /// [`DEADLINE`] with `what` and the process's standard error.
    pub fn poll<T>(&mut self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(t) = check() {
                return t;
            }
            self.assert_alive();
            if Instant::now() > deadline {
                panic!("gave up waiting for {what}; stderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// GET `path` from the server.
    pub fn get(&self, path: &str) -> Response {
        get(self.port, path)
    }

    /// Polls until GET `path` answers `status` with a body containing
    /// `needle`, and returns that response.
    pub fn wait_for(&mut self, path: &str, status: u16, needle: &str) -> Response {
        let port = self.port;
        self.poll(
            &format!("GET {path} to answer {status} with {needle:?}"),
            || {
                let r = get(port, path);
                (r.status == status && r.text().contains(needle)).then_some(r)
            },
        )
    }

    /// The `/__pilotscope/status` document.
    pub fn status(&self) -> serde_json::Value {
        let r = self.get("/__pilotscope/status");
        assert_eq!(r.status, 200, "status answers");
        serde_json::from_slice(&r.body).expect("status is JSON")
    }

    /// Polls until `/__pilotscope/status` satisfies `check`.
    pub fn wait_for_status(
        &mut self,
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let port = self.port;
        self.poll(what, || {
            let r = get(port, "/__pilotscope/status");
            let v: serde_json::Value = serde_json::from_slice(&r.body).ok()?;
            check(&v).then_some(v)
        })
    }
}

/// The error locations listed by a status document.
pub fn error_locations(status: &serde_json::Value) -> Vec<String> {
    locations_of(status, "error")
}

/// The locations of the overlay's problems of `level` (`error` or
/// `warning`) in a status message.
pub fn locations_of(status: &serde_json::Value, level: &str) -> Vec<String> {
    status["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["level"] == level)
                .filter_map(|e| e["location"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- HTTP

/// An HTTP response read back whole.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` bytes as they are and reads the answer until the server
/// closes the connection. `Ok(None)` when it closed without a word.
pub fn exchange(port: u16, raw: &[u8]) -> std::io::Result<Option<Response>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    // The server may answer (and close) before it has read everything.
    let _ = stream.write_all(raw);
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => {}
        // A reset after an answer still leaves the answer readable.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && !bytes.is_empty() => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(None),
        Err(e) => return Err(e),
    }
    if bytes.is_empty() {
        return Ok(None);
    }
    Ok(Some(parse_response(&bytes)))
}

/// A well-formed request for `path` with `method`; the connection closes
/// after the answer.
pub fn request(port: u16, method: &str, path: &str) -> Response {
    let raw =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    exchange(port, raw.as_bytes())
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
        .unwrap_or_else(|| {
            panic!("{method} {path}: the server closed the connection without answering")
        })
}

pub fn get(port: u16, path: &str) -> Response {
    request(port, "GET", path)
}

fn parse_response(bytes: &[u8]) -> Response {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = bytes[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let stop = (start + size).min(data.len());
        out.extend_from_slice(&data[start..stop]);
        data = &data[(stop + 2).min(data.len())..];
    }
    out
}

/// A server-sent events connection, read line by line.
pub struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// Connects to `/__pilotscope/events` and reads past the headers, so
    /// the server has subscribed this client when it returns.
    pub fn connect(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let raw = format!(
            "GET /__pilotscope/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        );
        stream.write_all(raw.as_bytes()).expect("send");
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).expect("status line");
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "events answered {status:?}"
        );
        let mut content_type = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header line");
            if line.to_ascii_lowercase().starts_with("content-type:") {
                content_type = line.clone();
            }
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        assert!(
            content_type.contains("text/event-stream"),
            "events are sent as {content_type:?}"
        );
        Events { reader }
    }

    /// Reads `data:` lines until one satisfies `check` (and returns it),
    /// failing after [`DEADLINE`]. Every `data:` line seen is passed to
    /// `seen` first.
    pub fn wait_for(
        &mut self,
        what: &str,
        mut seen: impl FnMut(&str),
        check: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + DEADLINE;
        let mut all = Vec::new();
        while Instant::now() < deadline {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("the event stream ended while waiting for {what}; got {all:#?}"),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(e) => panic!("reading events: {e}"),
            }
            // Chunked framing lines (sizes, blanks) are not `data:` lines.
            if let Some(data) = line.trim_end().strip_prefix("data:") {
                let data = data.trim_start().to_string();
                seen(&data);
                if check(&data) {
                    return data;
                }
                all.push(data);
            }
        }
        panic!("no event for {what} within {DEADLINE:?}; got {all:#?}");
    }
}
