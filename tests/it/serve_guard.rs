//! The dev server against other sites and greedy clients (issue 12): the
//! real binary, started from inside a copy of `tests/fixtures/live` with its
//! default arguments, spoken to over real HTTP with raw requests.

use crate::live;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use live::{AS_OF, Project, Response, exchange};

/// `pilotscope serve --port 0` running in `root`; killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(root: &Path, extra: &[&str]) -> Server {
        Server::start_limited(root, extra, None)
    }

    /// Like [`Server::start`], with at most `open_files` open files
    /// (`ulimit -n`) when given.
    fn start_limited(root: &Path, extra: &[&str], open_files: Option<u32>) -> Server {
        let bin = env!("CARGO_BIN_EXE_pilotscope");
        let mut command = match open_files {
            Some(n) => {
                let mut c = Command::new("sh");
                c.args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\""), bin]);
                c
            }
            None => Command::new(bin),
        };
        let mut child = command
            .current_dir(root)
            .args(["--as-of", AS_OF, "serve", "--port", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .env("NO_COLOR", "1")
            .spawn()
            .expect("pilotscope starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel::<String>();
        let pipe = child.stderr.take().expect("stderr is piped");
        let text = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if line.starts_with("serving ") {
                    let _ = tx.send(line.clone());
                }
                let mut s = text.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("serve never started: {}", stderr.lock().unwrap()));
        let port = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|a| a.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .expect("a port in the serving line");
        Server {
            child,
            port,
            stderr,
        }
    }

    /// GET `path` with `Host: host` and any `extra` header lines.
    fn get_as(&self, host: &str, path: &str, extra: &str) -> Response {
        let raw =
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n");
        exchange(self.port, raw.as_bytes())
            .expect("the server answers")
            .expect("the server answers with words")
    }
}

// ---------------------------------------------------------------- DNS rebinding

#[test]
fn requests_addressed_to_another_sites_name_are_refused_with_a_way_out() {
    let project = Project::live();
    let server = Server::start(&project.root, &[]);
    // What a page on a rebinding name asks for: everything worth reading.
    for path in [
        "/",
        "/report.json",
        "/summary.csv",
        "/__pilotscope/status",
        "/__pilotscope/events",
        "/pilots/alpha/index.html",
        "/no-such-page",
    ] {
        for host in [
            "rebind.evil.example",
            "rebind.evil.example:1111",
            "localhost.evil.example",
        ] {
            let r = server.get_as(host, path, "Origin: http://rebind.evil.example\r\n");
            assert_eq!(r.status, 403, "GET {path} as {host} answered {}", r.status);
            let text = r.text();
            assert!(
                !text.contains("Alpha invoice reader") && !text.contains("\"dossiers\""),
                "GET {path} as {host} leaked the site: {text}"
            );
            assert!(
                text.contains("--allowed-host"),
                "the refusal says how to allow the name: {text}"
            );
            assert_eq!(r.header("access-control-allow-origin"), None);
        }
    }
    // Loopback names and IP addresses are answered.
    let port = server.port;
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("[::1]:{port}"),
    ] {
        let r = server.get_as(&host, "/report.json", "");
        assert_eq!(r.status, 200, "as {host}: {}", r.text());
    }
    assert!(server.stderr.lock().unwrap().contains("serving"));
}

#[test]
fn a_name_given_with_allowed_host_is_answered() {
    let project = Project::live();
    let server = Server::start(
        &project.root,
        &[
            "--allowed-host",
            "pilots.corp.example",
            "--allowed-host",
            "Wiki.Corp.Example:1111",
        ],
    );
    assert_eq!(server.get_as("wiki.corp.example", "/", "").status, 200);
    let r = server.get_as("pilots.corp.example:8080", "/", "");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Alpha invoice reader"));
    assert_eq!(server.get_as("other.corp.example", "/", "").status, 403);
}

#[test]
fn answers_forbid_sniffing_framing_and_cross_origin_reads() {
    let project = Project::live();
    let server = Server::start(&project.root, &[]);
    for path in [
        "/",
        "/report.json",
        "/assets/style.css",
        "/__pilotscope/status",
        "/__pilotscope/live.js",
        "/no-such-page",
    ] {
        let r = server.get_as("127.0.0.1", path, "Origin: http://evil.example\r\n");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp:?}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp:?}");
        assert!(
            !r.headers
                .iter()
                .any(|(n, _)| n.starts_with("access-control-")),
            "{path} sent CORS headers: {:?}",
            r.headers
        );
    }
}

// ---------------------------------------------------------------- connections

/// Reads until the server closes the connection; `false` if it kept it
/// open for a whole minute (the server's own deadline is seconds).
fn closed_by_server(mut stream: TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn idle_and_half_sent_connections_are_closed_by_the_server() {
    let project = Project::live();
    let server = Server::start(&project.root, &[]);
    let idle = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let mut half = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    // A kept-alive connection after a whole request and its answer.
    let mut kept = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    kept.write_all(b"GET /report.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let threads: Vec<_> = [("idle", idle), ("half-sent", half), ("kept alive", kept)]
        .into_iter()
        .map(|(what, s)| std::thread::spawn(move || (what, closed_by_server(s))))
        .collect();
    for t in threads {
        let (what, closed) = t.join().unwrap();
        assert!(closed, "the {what} connection was left open");
    }
}

#[test]
fn connections_that_send_nothing_cannot_lock_others_out() {
    let project = Project::live();
    // 128 open files; without a cap, 300 silent connections use them up.
    let server = Server::start_limited(&project.root, &[], Some(128));
    let silent: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(("127.0.0.1", server.port)).unwrap())
        .collect();
    for _ in 0..3 {
        let r = server.get_as("127.0.0.1", "/", "");
        assert_eq!(r.status, 200);
    }
    drop(silent);
}

/// Sends `signal` to the server and waits (up to a generous deadline far
/// longer than it needs) for it to exit.
fn stop_with(server: &mut Server, signal: &str) -> Option<std::process::ExitStatus> {
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args([signal, &pid]).status().unwrap();
    assert!(sent.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if let Some(status) = server.child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[cfg(unix)]
#[test]
fn ctrl_c_and_sigterm_stop_the_server_without_waiting_on_its_connections() {
    for signal in ["-INT", "-TERM"] {
        let project = Project::live();
        let mut server = Server::start(&project.root, &[]);
        // Requests that never finish, and an event stream.
        let mut held = Vec::new();
        for _ in 0..20 {
            let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
                .unwrap();
            held.push(s);
        }
        let _events = live::Events::connect(server.port);
        let status = stop_with(&mut server, signal);
        assert!(
            status.is_some(),
            "{signal}: the server is still running; stderr:\n{}",
            server.stderr.lock().unwrap()
        );
        drop(held);
    }
}

// ---------------------------------------------------------------- large pages

/// Peak resident memory of a process, in KiB (Linux).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn a_page_larger_than_memory_should_hold_is_streamed_with_the_script() {
    let project = Project::live();
    // Only the live script: the editor's, with its secret, is tested apart.
    let server = Server::start(&project.root, &["--no-edit"]);
    // A 100 MB page beside the built ones (the 50,000-pilot index is 93 MB).
    let row = "<tr><td>a pilot row of the portfolio table</td></tr>\n";
    let rows = 100_000_000 / row.len();
    let mut page = String::with_capacity(rows * row.len() + 100);
    page.push_str("<!doctype html><html><body><table>\n");
    for _ in 0..rows {
        page.push_str(row);
    }
    page.push_str("</table></body></html>\n");
    std::fs::write(project.site().join("big.html"), &page).unwrap();
    let before = peak_kib(server.child.id());

    let r = server.get_as("127.0.0.1", "/big.html", "");
    assert_eq!(
        r.status,
        200,
        "{}",
        String::from_utf8_lossy(&r.body[..r.body.len().min(200)])
    );
    let tag = "<script src=\"/__pilotscope/live.js\" defer></script>\n";
    assert_eq!(r.body.len(), page.len() + tag.len());
    let text = r.text();
    assert!(text.ends_with(&format!("</table>{tag}</body></html>\n")));
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
    if let (Some(before), Some(after)) = (before, peak_kib(server.child.id())) {
        eprintln!(
            "peak resident memory of serve: {before} KiB before, {after} KiB after a {} byte page",
            page.len()
        );
        assert!(
            after < before + 32 * 1024,
            "serving a 100 MB page raised the server's peak from {before} KiB to {after} KiB"
        );
    }
}

#[test]
fn head_and_get_report_the_same_length() {
    let project = Project::live();
    let server = Server::start(&project.root, &[]);
    for path in [
        "/",
        "/pilots/alpha/index.html",
        "/no-such-page",
        "/report.json",
    ] {
        let get = server.get_as("127.0.0.1", path, "");
        let raw = format!("HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        let head = exchange(server.port, raw.as_bytes()).unwrap().unwrap();
        assert_eq!(head.status, get.status, "{path}");
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "HEAD {path} says another length than GET sends"
        );
        assert!(head.body.is_empty());
    }
}

#[cfg(unix)]
#[test]
fn a_404_page_that_links_out_of_the_site_is_not_served() {
    let project = Project::live();
    let secret = project.beside("secret.html");
    std::fs::write(&secret, "SECRET-404-from-outside").unwrap();
    let server = Server::start(&project.root, &[]);
    let page = project.site().join("404.html");
    std::fs::remove_file(&page).unwrap();
    std::os::unix::fs::symlink(&secret, &page).unwrap();
    let r = server.get_as("127.0.0.1", "/no-such-page", "");
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("SECRET-404"), "{}", r.text());
}
