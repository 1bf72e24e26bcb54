//! The dev server against other sites and greedy clients (issue 12): the
//! real binary, started from inside a copy of `tests/fixtures/live` with its
//! default arguments, spoken to over real HTTP with raw requests.

mod live;

use std::io::{BufRead, BufReader};
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_pilotscope"))
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
    let server = Server::start(&project.root, &["--allowed-host", "pilots.corp.example"]);
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
