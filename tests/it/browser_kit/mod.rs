//! What the real-browser tests (`browser*.rs`, `audit.rs`) share: a
//! [`Browser`] for one test (finding Chromium and chromedriver, or skipping
//! the test with a notice, failing it with `CI` set; running chromedriver;
//! a session that is closed whatever the test does), [`poll`] for waiting
//! on a page, and a static file server that records what the browser asked
//! for.
//!
//! Not every test file uses every helper, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use std::time::Instant;

use fantoccini::{Client, ClientBuilder};
use futures_util::FutureExt;
use serde_json::{Map, Value, json};

use crate::live::DEADLINE;

// ---------------------------------------------------------------- finding programs

/// The program named by the environment variable `env`, or the first of
/// `names` on the `PATH` or in `/usr/bin`.
pub fn find_program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::iter::once(PathBuf::from("/usr/bin"))
        .chain(std::env::split_paths(&path))
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

pub fn chromium() -> Option<PathBuf> {
    find_program(
        "CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    )
}

pub fn chromedriver() -> Option<PathBuf> {
    find_program("CHROMEDRIVER", &["chromedriver"])
}

/// Chromium and chromedriver, or `None` (after a notice) when the `test`
/// should be skipped; with `CI` set, their absence fails the test instead.
pub fn browser_programs(test: &str) -> Option<(PathBuf, PathBuf)> {
    match (chromium(), chromedriver()) {
        (Some(c), Some(d)) => Some((c, d)),
        (c, d) => {
            let missing = [
                c.is_none().then_some("chromium"),
                d.is_none().then_some("chromedriver"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" and ");
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{missing} not found, and CI is set: the {test} must run in CI (install the Debian packages chromium and chromium-driver)"
                );
            }
            crate::hardening::shown_notice(&format!(
                "notice: {test} did not really run: {missing} not found (install the Debian packages chromium and chromium-driver)"
            ));
            None
        }
    }
}

// ---------------------------------------------------------------- chromedriver

/// A chromedriver process of this test, stopped when dropped.
pub struct ChromeDriver {
    child: Child,
    pub port: u16,
}

impl ChromeDriver {
    pub fn start(program: &Path) -> ChromeDriver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} cannot be started: {e}", program.display()));
        // It says so on standard output once it listens.
        let mut said = String::new();
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) => {
                    said.push_str(&line);
                    said.push('\n');
                    if line.contains("started successfully") {
                        break;
                    }
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("chromedriver stopped before it was ready:\n{said}");
                }
            }
        }
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        ChromeDriver { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A WebDriver session with `capabilities` (see [`headless`]).
    pub async fn session(&self, capabilities: Map<String, Value>) -> Client {
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url())
            .await
            .expect("a WebDriver session with headless Chromium")
    }

    /// A WebDriver command fantoccini has no method for, over plain HTTP.
    pub fn post(&self, path: &str, body: &Value) -> Value {
        let body = body.to_string();
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("connect to chromedriver");
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        // Read the head, then exactly Content-Length bytes: chromedriver may
        // keep the connection open whatever the request asked for.
        let mut reader = BufReader::new(stream);
        let mut length = None;
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
            head.push_str(&line);
        }
        let length = length.unwrap_or_else(|| {
            panic!("chromedriver answered {path} without a Content-Length:\n{head}")
        });
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!("chromedriver answered {path} with something that is not JSON ({e}):\n{head}")
        })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The capabilities of a headless Chromium at `chromium` with a profile
/// of its own in `profile`, no background traffic, `extra` arguments (a
/// window size) and its console log kept.
pub fn headless(chromium: &Path, profile: &Path, extra: &[&str]) -> Map<String, Value> {
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": chromium.to_string_lossy(), "args": args }),
    );
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    caps
}

// ---------------------------------------------------------------- a browser for one test

/// Headless Chromium driven through chromedriver, for one test: the
/// programs, chromedriver running (stopped when dropped), a profile of its
/// own and a runtime to drive it from.
pub struct Browser {
    pub chromium: PathBuf,
    pub driver: ChromeDriver,
    profile: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

impl Browser {
    /// A browser for `test`, or `None` (after a notice) when Chromium or
    /// chromedriver is missing; with `CI` set, their absence fails the test
    /// instead ([`browser_programs`]).
    pub fn start(test: &str) -> Option<Browser> {
        let (chromium, driver) = browser_programs(test)?;
        Some(Browser {
            chromium,
            driver: ChromeDriver::start(&driver),
            profile: tempfile::tempdir().expect("a temporary profile"),
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime"),
        })
    }

    /// The capabilities of this browser with `extra` arguments (a window
    /// size), see [`headless`].
    pub fn capabilities(&self, extra: &[&str]) -> Map<String, Value> {
        headless(&self.chromium, self.profile.path(), extra)
    }

    /// Opens a session with `capabilities`, runs `walk` in it and closes
    /// the browser whatever happens; a panic of `walk` is given back after
    /// the browser is closed.
    pub fn try_run<T>(
        &self,
        capabilities: Map<String, Value>,
        walk: impl AsyncFnOnce(&Client) -> T,
    ) -> std::thread::Result<T> {
        self.runtime.block_on(async {
            let client = self.driver.session(capabilities).await;
            let walked = std::panic::AssertUnwindSafe(walk(&client))
                .catch_unwind()
                .await;
            let _ = client.close().await;
            walked
        })
    }

    /// [`Browser::try_run`], going on with `walk`'s panic, if any.
    pub fn run<T>(
        &self,
        capabilities: Map<String, Value>,
        walk: impl AsyncFnOnce(&Client) -> T,
    ) -> T {
        self.try_run(capabilities, walk)
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// What the page's console said since the last time it was asked.
    pub async fn console(&self, c: &Client) -> Value {
        let session = c.session_id().await.unwrap().expect("a session id");
        self.driver.post(
            &format!("/session/{session}/se/log"),
            &json!({ "type": "browser" }),
        )
    }
}

/// Evaluates `script` (a function body that returns a value) in the page.
pub async fn eval(c: &Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script {script:?} failed: {e}"))
}

/// Polls `check` in the current window until it returns `Some`; after
/// [`DEADLINE`] the test fails with what the page says.
pub async fn poll<T>(c: &Client, what: &str, check: impl AsyncFn(&Client) -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(t) = check(c).await {
            return t;
        }
        if Instant::now() > deadline {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let body = eval(
                c,
                "return document.body ? document.body.innerText.slice(0, 2000) : '';",
            )
            .await;
            panic!(
                "gave up waiting for {what} at {url}; the page says:\n{}",
                body.as_str().unwrap_or_default()
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits until the portfolio table's controls work: site.js loads every
/// row (`table.js`) once the page has loaded, then marks the table
/// `data-rows="all"` (or `"page"` when it works on the page's own rows).
/// Returns that word.
pub async fn table_ready(c: &Client) -> String {
    poll(c, "the table's rows (data-rows)", async |c| {
        eval(
            c,
            "var t = document.querySelector('table[data-sortable]'); return t && t.getAttribute('data-rows');",
        )
        .await
        .as_str()
        .map(str::to_string)
    })
    .await
}

// ---------------------------------------------------------------- a static file server

/// Serves a folder on 127.0.0.1 and records every request: the target as
/// the browser sent it, and the status it got.
pub struct StaticServer {
    port: u16,
    pub requests: Arc<Mutex<Vec<(String, u16)>>>,
    stop: Arc<AtomicBool>,
}

impl StaticServer {
    pub fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, log, stopped) = (root.to_path_buf(), requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, log) = (root.clone(), log.clone());
                // One thread a connection: a browser may open a connection
                // and send nothing on it for a while.
                std::thread::spawn(move || serve_one(stream, &root, &log));
            }
        });
        StaticServer {
            port,
            requests,
            stop,
        }
    }

    /// The address of `path` (relative to the served folder).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<(String, u16)> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Answers one request: the file, or the site's own 404 page with status
/// 404 (a browser shows it as a static host would).
fn serve_one(mut stream: TcpStream, root: &Path, log: &Mutex<Vec<(String, u16)>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    let mut file = root.to_path_buf();
    let mut ok = method == "GET" || method == "HEAD";
    for part in path.split('/').filter(|p| !p.is_empty()) {
        ok &= part != ".." && !part.contains('\\');
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let body = if ok { std::fs::read(&file).ok() } else { None };
    let status: u16 = if body.is_some() { 200 } else { 404 };
    log.lock().unwrap().push((target.to_string(), status));
    let (body, kind) = match body {
        Some(b) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("json") => "application/json",
                Some("csv") => "text/csv; charset=utf-8",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            (b, kind)
        }
        None => (
            std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found".to_vec()),
            "text/html; charset=utf-8",
        ),
    };
    let reason = if status == 200 { "OK" } else { "Not Found" };
    let header = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}
