//! The dev server: the site over HTTP with live reload, and errors shown in
//! the page.
//!
//! Built on tokio, hyper's HTTP/1.1 server, axum and tower-http's
//! `ServeFile`; no HTTP is parsed by hand. Requests must name this machine
//! (loopback names, IP addresses, `--allowed-host`), against DNS rebinding.
//! Each request's headers must arrive within 10 s (which also closes idle
//! kept-alive connections), connections are capped below the limit on open
//! files (the oldest that never sent a request makes room), and Ctrl-C or
//! SIGTERM drops every connection instead of waiting. It serves only regular files inside the output folder: paths with
//! `..`, backslashes, NUL or their percent-encoded forms are refused (400),
//! hidden files and anything a symbolic link leads out of the folder are
//! not found (404); requests with more than 64 KiB of headers get 431. It
//! listens on loopback unless told otherwise, and nothing is cached. The live-reload script is injected into served HTML
//! only, never written into the site on disk. File watching and rebuilding
//! run on their own thread (`watch`) and announce each rebuild here over a
//! broadcast channel; browsers hear of it through server-sent events.

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::Stream;
use serde::Serialize;
use tokio::sync::{broadcast, watch as tokio_watch};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::diagnostic::Diagnostic;
use crate::editor::{self, Editor, Problem};
use crate::exit::Exit;
use crate::site::view::{DiagnosticView, diagnostic_view};
use crate::term::Term;
use crate::watch::{self, Live, Rebuild};

/// Where the dev server's own files live; never part of the site.
pub const PREFIX: &str = "/__pilotscope";
const LIVE_JS: &str = include_str!("../templates/dev/live.js");
const LIVE_CSS: &str = include_str!("../templates/dev/live.css");
const EDIT_JS: &str = include_str!("../templates/dev/edit.js");
const EDIT_CSS: &str = include_str!("../templates/dev/edit.css");
/// Most header bytes a request may carry. hyper alone accepts about 400 KB;
/// no browser sends more than a few, but a jar of cookies from other local
/// development servers (cookies ignore the port) can reach tens.
const MAX_HEADERS: usize = 64 << 10;
/// How long a client may take to send a request's headers, and how long a
/// kept-alive connection may wait for its next request.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Most connections open at once, whatever the limit on open files.
const MAX_CONNECTIONS: usize = 1024;

/// The pages' own Content-Security-Policy (`templates/base.html` carries
/// it in a `meta` element), sent as a header with `frame-ancestors`, which a
/// `meta` element cannot set: no other site may frame the dev server.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[derive(Debug, Clone)]
pub struct Options {
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    /// Host names, besides loopback names and IP addresses, that requests
    /// may be addressed to (`--allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// Build even into a folder that holds files pilotscope did not write.
    pub force: bool,
    /// Answering in the page: `None` is on for loopback and off on a
    /// network address; `Some` is `--edit` or `--no-edit`.
    pub edit: Option<bool>,
}

/// A message to browsers.
#[derive(Debug, Clone, Serialize)]
struct Message {
    /// Site paths of pages that changed.
    changed: Vec<String>,
    errors: Vec<DiagnosticView>,
}

struct Shared {
    /// The output folder, canonical.
    root: PathBuf,
    /// The site's path on its production host (`/pilots/`), also answered
    /// here, so that pages linking from there (the 404 page) work.
    base_path: String,
    events: broadcast::Sender<String>,
    /// The latest message, for pages that connect after it was sent.
    status: RwLock<String>,
    shutdown: tokio_watch::Receiver<bool>,
    /// Host names requests may be addressed to besides loopback names and
    /// IP addresses, in lower case.
    allowed_hosts: Vec<String>,
    /// The editor, when answering in the page is on.
    editor: Option<Arc<Editor>>,
    /// What goes before a page's `</body>`: the live script, and the
    /// editor's with its secret.
    tag: axum::body::Bytes,
    as_of: jiff::civil::Date,
}

/// The overlay's message: the pages that changed, and every problem of
/// the project, errors first, then warnings (each view says its `level`).
fn message(changed: Vec<String>, errors: &[Diagnostic], warnings: &[Diagnostic]) -> String {
    serde_json::to_string(&Message {
        changed,
        errors: errors.iter().chain(warnings).map(diagnostic_view).collect(),
    })
    .unwrap_or_else(|_| "{}".into())
}

/// Builds, serves and rebuilds until Ctrl-C. Returns the process exit code.
pub fn run(
    term: &Term,
    root: &Path,
    config: Option<&Path>,
    as_of: jiff::civil::Date,
    out: Option<PathBuf>,
    options: Options,
) -> Exit {
    // Take the port first: a second `serve` on a busy port must not
    // rewrite the site before it gives up.
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = match std::net::TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            term.error(format_args!(
                "{addr} is already in use; choose another port with --port"
            ));
            return Exit::Usage;
        }
        Err(e) => {
            term.error(format_args!("cannot listen on {addr}: {e}"));
            return Exit::Usage;
        }
    };
    if let Err(d) = crate::site::check_output_at(root, config, out.as_deref(), options.force) {
        term.diagnostics(&[d]);
        return Exit::Usage;
    }
    let (live, first) = Live::start(root, config, as_of, out);
    term.rebuild(&first, true);
    let out_dir = live.output_dir().to_path_buf();
    // As every path is shown: from the folder the command was started in.
    let shown =
        crate::diagnostic::show_from(term.root(), &crate::diagnostic::show_path(&out_dir, root));
    if let Err(e) = std::fs::create_dir_all(&out_dir) {
        term.error(format_args!(
            "the output folder {shown} cannot be created: {e}"
        ));
        return Exit::Usage;
    }
    let canonical = match out_dir.canonicalize() {
        Ok(c) => c,
        Err(e) => {
            term.error(format_args!(
                "the output folder {shown} cannot be used: {e}"
            ));
            return Exit::Usage;
        }
    };

    let _ = listener.set_nonblocking(true);
    let local = listener.local_addr().unwrap_or(addr);
    let url = format!("http://{local}/");
    if !options.bind.is_loopback() {
        // Said under --quiet too: it is about who can read the site.
        term.warn(format_args!("listening on {local}: anyone who can reach this machine on the network can read the site"
        ));
    }
    let editing = options.edit.unwrap_or(options.bind.is_loopback());
    let editor = if editing {
        match Editor::new(root, config) {
            Ok(e) => Some(Arc::new(e)),
            Err(e) => {
                term.warn(format_args!("answering in the page is off: {e}"));
                None
            }
        }
    } else {
        None
    };
    if editor.is_some() && !options.bind.is_loopback() {
        term.warn(format_args!(
            "--edit on {local}: anyone who can reach this machine and open a page can change the dossiers"
        ));
    } else if options.edit.is_none() && !options.bind.is_loopback() {
        term.note(format_args!(
            "answering in the page is off on a network address; --edit turns it on"
        ));
    }
    let mut tag = LIVE_TAG.to_string();
    if let Some(e) = &editor {
        tag.push_str(&format!(
            "<script src=\"{PREFIX}/edit.js\" data-secret=\"{}\" defer></script>\n",
            e.secret()
        ));
    }
    term.status(format_args!("serving {shown} at {url} (Ctrl-C to stop)"));
    if options.open && opener::open_browser(&url).is_err() {
        term.note(format_args!(
            "could not open a browser; open {url} yourself"
        ));
    }

    let (events, _) = broadcast::channel::<String>(64);
    let (shutdown_tx, shutdown_rx) = tokio_watch::channel(false);
    let shared = Arc::new(Shared {
        root: canonical,
        base_path: live.base_path(),
        events: events.clone(),
        status: RwLock::new(message(Vec::new(), &first.errors, &first.warnings)),
        shutdown: shutdown_rx,
        allowed_hosts: options
            .allowed_hosts
            .iter()
            // Written as a `Host` would be, the port (if given) aside.
            .map(|h| host_name(h))
            .filter(|h| !h.is_empty())
            .collect(),
        editor,
        tag: axum::body::Bytes::from(tag),
        as_of,
    });

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        let shared = shared.clone();
        let term = term.clone();
        std::thread::spawn(move || {
            // The pages of a rebuild's first message (the edited pilot's) are
            // not named again in its last: a browser showing one would
            // reload twice.
            let mut announced: HashSet<String> = HashSet::new();
            let mut listener = |r: &Rebuild, partial: bool| {
                let news: Vec<String> = r
                    .changed
                    .iter()
                    .filter(|p| !announced.contains(*p))
                    .cloned()
                    .collect();
                if partial {
                    announced.extend(news.iter().cloned());
                } else {
                    announced.clear();
                    term.rebuild(r, false);
                }
                let m = message(news, &r.errors, &r.warnings);
                if let Ok(mut s) = shared.status.write() {
                    *s = m.clone();
                }
                let _ = shared.events.send(m);
            };
            if let Err(e) = watch::run(live, &mut listener, &|| stop.load(Ordering::Relaxed)) {
                term.error(e);
            }
        })
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            term.error(format_args!("cannot start the server: {e}"));
            return Exit::Usage;
        }
    };
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = router(shared.clone());
        let quiet = term.quiet();
        let stopped = async move {
            stop_signal().await;
            if !quiet {
                eprintln!("stopping");
            }
            let _ = shutdown_tx.send(true);
        };
        accept(
            listener,
            app,
            shared.shutdown.clone(),
            connection_cap(),
            stopped,
        )
        .await
    });
    // Connections still open (a half-sent request, an event stream) are
    // dropped, not waited for; file reads in flight get a moment.
    runtime.shutdown_timeout(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let _ = watcher.join();
    match result {
        Ok(()) => Exit::Clean,
        Err(e) => {
            term.error(format_args!("the server stopped: {e}"));
            Exit::Usage
        }
    }
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let terminated = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminated => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Most connections open at once: well under the process's limit on open
/// files (each connection may hold a file it serves too), so that idle
/// connections can never use up the descriptors the server needs.
fn connection_cap() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|n| n.parse::<usize>().ok())
        })
        // Where it cannot be read, the smallest common default (macOS).
        .unwrap_or(256);
    (soft.saturating_sub(64) / 2).clamp(8, MAX_CONNECTIONS)
}

/// Connections that have not sent a request yet, oldest first, each with
/// the way to close it: when the cap is reached the oldest is closed to make
/// room (a browser sends its request at once; a connection that sends
/// nothing is someone holding a slot).
#[derive(Default)]
struct Unused {
    next: u64,
    open: std::collections::BTreeMap<u64, tokio::sync::oneshot::Sender<()>>,
}

/// The accept loop: HTTP/1.1 with a deadline on every request's headers
/// (which also ends idle keep-alive connections), at most `cap`
/// connections, until `stopped` resolves; then every connection is dropped.
async fn accept(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: tokio_watch::Receiver<bool>,
    cap: usize,
    stopped: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(tokio::sync::Semaphore::new(cap));
    let unused = Arc::new(std::sync::Mutex::new(Unused::default()));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEADERS + (16 << 10));
    tokio::pin!(stopped);
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(s) => s,
            Err(_) => {
                let oldest = unused.lock().ok().and_then(|mut u| u.open.pop_first());
                if let Some((_, close)) = oldest {
                    let _ = close.send(());
                }
                tokio::select! {
                    s = slots.clone().acquire_owned() => match s {
                        Ok(s) => s,
                        Err(_) => return Ok(()),
                    },
                    _ = &mut stopped => return Ok(()),
                }
            }
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                // Out of descriptors or a connection reset before it was
                // taken: try again shortly.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stopped => return Ok(()),
        };
        let (close_tx, close_rx) = tokio::sync::oneshot::channel::<()>();
        let id = match unused.lock() {
            Ok(mut u) => {
                u.next += 1;
                let id = u.next;
                u.open.insert(id, close_tx);
                id
            }
            Err(_) => 0,
        };
        let service = {
            let app = app.clone();
            let unused = unused.clone();
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                if let Ok(mut u) = unused.lock() {
                    u.open.remove(&id);
                }
                app.clone().oneshot(req.map(Body::new))
            })
        };
        let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let mut shutdown = shutdown.clone();
        let unused = unused.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                // Dropping the sender (the first request came) is no close.
                Ok(()) = close_rx => {}
                _ = shutdown.wait_for(|stop| *stop) => {}
            }
            if let Ok(mut u) = unused.lock() {
                u.open.remove(&id);
            }
            drop(slot);
        });
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(&format!("{PREFIX}/events"), get(events))
        .route(&format!("{PREFIX}/status"), get(status))
        .route(
            &format!("{PREFIX}/live.js"),
            get(|| async { asset(LIVE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            &format!("{PREFIX}/live.css"),
            get(|| async { asset(LIVE_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            &format!("{PREFIX}/edit.js"),
            get(|| async { asset(EDIT_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            &format!("{PREFIX}/edit.css"),
            get(|| async { asset(EDIT_CSS, "text/css; charset=utf-8") }),
        )
        .route(&format!("{PREFIX}/edit/form"), get(edit_form))
        .route(
            &format!("{PREFIX}/edit/save"),
            axum::routing::post(edit_save),
        )
        .route(&format!("{PREFIX}/edit/new"), axum::routing::post(edit_new))
        .fallback(files)
        .layer(axum::middleware::from_fn(limit_headers))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            guard_host,
        ))
        // The headers of every answer, whatever made it (a page, a
        // refusal, the event stream), in one layer: nothing is cached, so
        // a rebuilt page is never shown stale; no content-type guessing;
        // the pages' policy, which also forbids framing by other sites. No
        // CORS header is ever sent, so other sites' scripts cannot read
        // answers.
        .layer(
            tower::ServiceBuilder::new()
                .layer(fixed(header::CACHE_CONTROL, "no-store"))
                .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .layer(fixed(header::CONTENT_SECURITY_POLICY, CSP))
                .layer(fixed(header::X_FRAME_OPTIONS, "DENY")),
        )
        .with_state(shared)
}

/// A layer that sets header `name` to `value` on every answer.
fn fixed(
    name: header::HeaderName,
    value: &'static str,
) -> tower_http::set_header::SetResponseHeaderLayer<HeaderValue> {
    tower_http::set_header::SetResponseHeaderLayer::overriding(
        name,
        HeaderValue::from_static(value),
    )
}

/// Refuses (403) a request addressed to a name that is not this machine's.
///
/// A page on another site can point its own name at 127.0.0.1 (DNS
/// rebinding) and then read the dev server as if it were that site: the
/// report, the status with source lines of broken dossiers, the event
/// stream. The `Host` of such a request is the other site's name, so only
/// loopback names, IP addresses (rebinding needs a name) and the names
/// given with `--allowed-host` are answered.
async fn guard_host(
    State(shared): State<Arc<Shared>>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().host().map(str::to_string));
    match host {
        Some(h) if host_allowed(&h, &shared.allowed_hosts) => next.run(req).await,
        other => {
            let name = other.as_deref().map(host_name).unwrap_or_default();
            let shown: String = name
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(200)
                .collect();
            let text = if shown.is_empty() {
                "pilotscope serve answers only requests addressed to this machine, and this one names no host.\n".to_string()
            } else {
                format!(
                    "pilotscope serve answers only requests addressed to this machine (localhost or an IP address), \
                     and this one was addressed to \"{shown}\". Another site's page can reach this server under its own \
                     name, so such requests are refused. If you opened the site under that name yourself, start the \
                     server with --allowed-host {shown}\n"
                )
            };
            (StatusCode::FORBIDDEN, text).into_response()
        }
    }
}

/// The name part of a `Host` value: without the port, without the
/// brackets of an IPv6 address, without a final dot, in lower case.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether a request addressed to `host` is answered.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = host_name(host);
    !name.is_empty()
        && (name.parse::<IpAddr>().is_ok()
            || name == "localhost"
            || name.ends_with(".localhost")
            || allowed.contains(&name))
}

/// Refuses requests with oversized headers (431), before any handler.
async fn limit_headers(req: Request, next: axum::middleware::Next) -> Response {
    let size: usize = req
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum::<usize>()
        + req.uri().to_string().len();
    if size > MAX_HEADERS {
        return (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request headers too large\n",
        )
            .into_response();
    }
    next.run(req).await
}

fn asset(text: &'static str, content_type: &'static str) -> Response {
    let mut r = Response::new(Body::from(text));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

async fn status(State(shared): State<Arc<Shared>>) -> Response {
    let body = shared.status.read().map(|s| s.clone()).unwrap_or_default();
    asset_owned(body, "application/json")
}

fn asset_owned(body: String, content_type: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = shared.events.subscribe();
    let shutdown = shared.shutdown.clone();
    let stream = futures_util::stream::unfold(
        (rx, shutdown, false),
        |(mut rx, mut shutdown, ended)| async move {
            if ended || *shutdown.borrow() {
                return None;
            }
            tokio::select! {
                m = rx.recv() => match m {
                    Ok(text) => Some((Ok(Event::default().data(text)), (rx, shutdown, false))),
                    // A slow client missed messages: tell it to reload.
                    Err(broadcast::error::RecvError::Lagged(_)) => Some((Ok(Event::default().event("reload").data("{}")), (rx, shutdown, false))),
                    Err(broadcast::error::RecvError::Closed) => None,
                },
                _ = shutdown.changed() => None,
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

// ---------------------------------------------------------------- the editor

/// The header that carries the run's secret.
const SECRET_HEADER: &str = "x-pilotscope-secret";

/// Refuses a request to the editor unless it comes from one of this
/// server's own pages, as they are open in the browser of the person at the
/// keyboard: editing is on, the secret only the injected script knows is
/// there, and the browser says the request is from this origin (`Origin`
/// is this server's, `Sec-Fetch-Site` is `same-origin` when sent). The
/// `Host` check ran before. A page on another site cannot send the secret
/// header without a CORS preflight, which is never allowed, and cannot
/// read the secret from our pages.
fn may_edit(
    shared: &Shared,
    req: &Request,
    post: bool,
) -> Result<Arc<Editor>, (StatusCode, &'static str)> {
    let forbidden = |why| (StatusCode::FORBIDDEN, why);
    let Some(editor) = shared.editor.clone() else {
        return Err((
            StatusCode::NOT_FOUND,
            "answering in the page is off for this server (--no-edit, or a network address without --edit)",
        ));
    };
    let headers = req.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if !text(SECRET_HEADER).is_some_and(|s| editor.is_secret(s)) {
        return Err(forbidden(
            "this request does not come from a page of this server",
        ));
    }
    if text("sec-fetch-site").is_some_and(|s| s != "same-origin") {
        return Err(forbidden("this request comes from another site"));
    }
    let host = text("host").unwrap_or_default();
    if post {
        if text("origin") != Some(&format!("http://{host}")) {
            return Err(forbidden("this request comes from another origin"));
        }
        if !text("content-type").is_some_and(|c| c.starts_with("application/json")) {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "a change is sent as JSON",
            ));
        }
    }
    Ok(editor)
}

fn problem_response(
    status: StatusCode,
    path: &str,
    message: &str,
    help: Option<&str>,
    changed: &[String],
) -> Response {
    let body = serde_json::json!({
        "error": {"path": path, "message": message, "help": help, "changed": changed}
    });
    let mut r = asset_owned(body.to_string(), "application/json");
    *r.status_mut() = status;
    r
}

fn answer(result: Result<serde_json::Value, Problem>) -> Response {
    match result {
        Ok(v) => asset_owned(v.to_string(), "application/json"),
        Err(Problem::NotFound(m)) => problem_response(StatusCode::NOT_FOUND, "", &m, None, &[]),
        Err(Problem::BadRequest(m)) => problem_response(StatusCode::BAD_REQUEST, "", &m, None, &[]),
        Err(Problem::Conflict { message, changed }) => {
            problem_response(StatusCode::CONFLICT, "", &message, None, &changed)
        }
        Err(Problem::Refused(r)) => problem_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &r.path,
            &r.message,
            r.help.as_deref(),
            &[],
        ),
        Err(Problem::Io(m)) => {
            problem_response(StatusCode::INTERNAL_SERVER_ERROR, "", &m, None, &[])
        }
    }
}

/// The body of a change, up to [`editor::MAX_BODY`] bytes.
async fn body_of(req: Request) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(req.into_body(), editor::MAX_BODY)
        .await
        .map_err(|_| {
            problem_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "",
                "the change is larger than a change can be",
                None,
                &[],
            )
        })
}

/// `GET /__pilotscope/edit/form?id=…`: a pilot's questions and answers.
async fn edit_form(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let editor = match may_edit(&shared, &req, false) {
        Ok(e) => e,
        Err((status, why)) => return problem_response(status, "", why, None, &[]),
    };
    let id = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("id=")))
        .and_then(|v| percent_encoding::percent_decode_str(v).decode_utf8().ok())
        .map(|v| v.into_owned())
        .unwrap_or_default();
    let result = tokio::task::spawn_blocking(move || editor.form(&id)).await;
    answer(result.unwrap_or_else(|e| Err(Problem::Io(e.to_string()))))
}

/// `POST /__pilotscope/edit/save`: one change to one dossier.
async fn edit_save(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let editor = match may_edit(&shared, &req, true) {
        Ok(e) => e,
        Err((status, why)) => return problem_response(status, "", why, None, &[]),
    };
    let body = match body_of(req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let result = tokio::task::spawn_blocking(move || editor.save(&body)).await;
    answer(result.unwrap_or_else(|e| Err(Problem::Io(e.to_string()))))
}

/// `POST /__pilotscope/edit/new`: a new dossier from a title and a stage.
async fn edit_new(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let editor = match may_edit(&shared, &req, true) {
        Ok(e) => e,
        Err((status, why)) => return problem_response(status, "", why, None, &[]),
    };
    let body = match body_of(req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let as_of = shared.as_of;
    let result = tokio::task::spawn_blocking(move || editor.create(&body, as_of)).await;
    answer(result.unwrap_or_else(|e| Err(Problem::Io(e.to_string()))))
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    BadRequest,
    NotFound,
}

/// The file a request path names inside `root` (canonical), or why not.
/// Pure but for looking at the file system under `root`.
pub fn resolve(root: &Path, raw_path: &str) -> Result<(PathBuf, bool), Refusal> {
    let lower = raw_path.to_ascii_lowercase();
    if raw_path.contains('\\')
        || lower.contains("%5c")
        || lower.contains("%00")
        || lower.contains("%2f")
    {
        return Err(Refusal::BadRequest);
    }
    let decoded = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| Refusal::BadRequest)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(Refusal::BadRequest);
    }
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return Err(Refusal::BadRequest);
    }
    if segments
        .iter()
        .any(|s| s.starts_with('.') || s.contains(':'))
    {
        return Err(Refusal::NotFound);
    }
    let mut path = root.to_path_buf();
    for s in &segments {
        path.push(s);
    }
    let mut is_dir = false;
    if path.is_dir() {
        is_dir = true;
        path.push("index.html");
    }
    let canonical = path.canonicalize().map_err(|_| Refusal::NotFound)?;
    if !canonical.starts_with(root) || !canonical.is_file() {
        return Err(Refusal::NotFound);
    }
    Ok((canonical, is_dir))
}

async fn files(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = (
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are served\n",
        )
            .into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let mut raw = req.uri().path().to_string();
    if shared.base_path != "/"
        && let Some(rest) = raw.strip_prefix(shared.base_path.trim_end_matches('/'))
        && (rest.is_empty() || rest.starts_with('/'))
        && resolve(&shared.root, &raw) == Err(Refusal::NotFound)
    {
        raw = if rest.is_empty() {
            "/".into()
        } else {
            rest.to_string()
        };
    }
    match resolve(&shared.root, &raw) {
        Ok((_, true)) if !raw.ends_with('/') => {
            // A folder without its slash: relative links need the slash.
            // Empty segments are dropped: `//pilots/` would send the
            // browser to a host named `pilots`.
            let segments: Vec<&str> = raw.split('/').filter(|s| !s.is_empty()).collect();
            let location = format!("/{}/", segments.join("/"));
            let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Ok((path, _)) => serve_file(&path, req, StatusCode::OK, &shared.tag).await,
        Err(Refusal::BadRequest) => (StatusCode::BAD_REQUEST, "bad request path\n").into_response(),
        Err(Refusal::NotFound) => not_found(&shared.root, req, &shared.tag).await,
    }
}

async fn not_found(root: &Path, req: Request, tag: &axum::body::Bytes) -> Response {
    // The same rule as every other file: a `404.html` that is a link out of
    // the site is not served.
    match resolve(root, "/404.html") {
        Ok((page, false)) => serve_file(&page, req, StatusCode::NOT_FOUND, tag).await,
        _ => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

async fn serve_file(
    path: &Path,
    req: Request,
    status: StatusCode,
    tag: &axum::body::Bytes,
) -> Response {
    let head = req.method() == Method::HEAD;
    let response = match ServeFile::new(path).oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(e) => match e {},
    };
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::LAST_MODIFIED);
    parts.headers.remove(header::ETAG);
    if status != StatusCode::OK && parts.status == StatusCode::OK {
        parts.status = status;
    }
    let is_html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if !is_html || !(parts.status == StatusCode::OK || parts.status == StatusCode::NOT_FOUND) {
        return Response::from_parts(parts, body);
    }
    // The page is streamed from disk with the script added on the way, so
    // that a page of any size is served in constant memory, and HEAD says
    // the length GET sends.
    drop(body);
    let (body, length) = match injected(path, head, tag.clone()).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page cannot be read\n",
            )
                .into_response();
        }
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    parts.headers.remove(header::ACCEPT_RANGES);
    Response::from_parts(parts, body)
}

/// The live-reload script's element, added to every served page.
pub const LIVE_TAG: &str = "<script src=\"/__pilotscope/live.js\" defer></script>\n";

/// Where the script goes in a page that ends with `tail` (its last bytes):
/// before the last `</body>`, or at the end when there is none.
pub fn insertion_point(tail: &[u8]) -> Option<usize> {
    tail.windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
}

/// The page at `path` with `tag` (the live script, and the editor's when
/// it is on) before its last `</body>` (looked for in its last 64 KiB), as
/// a stream read from one open file, and its length. An empty body for
/// HEAD.
async fn injected(path: &Path, head: bool, tag: axum::body::Bytes) -> std::io::Result<(Body, u64)> {
    use std::io::SeekFrom;
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let mut file = tokio::fs::File::open(path).await?;
    let len = file.metadata().await?.len();
    let total = len + tag.len() as u64;
    let tail_len = len.min(64 << 10);
    file.seek(SeekFrom::Start(len - tail_len)).await?;
    let mut tail = vec![0; tail_len as usize];
    file.read_exact(&mut tail).await?;
    if head {
        return Ok((Body::empty(), total));
    }
    let at = insertion_point(&tail).map_or(len, |i| len - tail_len + i as u64);
    file.seek(SeekFrom::Start(0)).await?;
    let stream =
        futures_util::stream::unfold((file, 0u64, false), move |(mut file, pos, tagged)| {
            let tag = tag.clone();
            async move {
                if pos == at && !tagged {
                    return Some((Ok(tag.clone()), (file, pos, true)));
                }
                if pos >= len {
                    return None;
                }
                let until = if pos < at { at } else { len };
                let mut chunk = vec![0; (until - pos).min(64 << 10) as usize];
                match file.read(&mut chunk).await {
                    Ok(0) => None,
                    Ok(n) => {
                        chunk.truncate(n);
                        Some((
                            Ok(axum::body::Bytes::from(chunk)),
                            (file, pos + n as u64, tagged),
                        ))
                    }
                    Err(e) => Some((Err(e), (file, len, true))),
                }
            }
        });
    Ok((Body::from_stream(stream), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_attempts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("pilots/a")).unwrap();
        std::fs::write(root.join("index.html"), "x").unwrap();
        std::fs::write(root.join("pilots/a/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        let root = root.canonicalize().unwrap();
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%5csecret.txt",
            "/pilots/..\\..\\secret.txt",
            "/a%00b",
            "/%c0%ae%c0%ae/secret.txt",
        ] {
            assert!(resolve(&root, bad).is_err(), "{bad} was served");
        }
        assert!(resolve(&root, "/").is_ok());
        assert!(resolve(&root, "/pilots/a").unwrap().1);
        assert!(resolve(&root, "/.pilotscope-files").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_out_of_the_site_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt")).unwrap();
        let root = root.canonicalize().unwrap();
        assert_eq!(resolve(&root, "/link.txt"), Err(Refusal::NotFound));
    }

    #[test]
    fn only_requests_addressed_to_this_machine_are_answered() {
        let allowed = vec!["pilots.internal".to_string()];
        for ok in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.",
            "app.localhost:8080",
            "127.0.0.1",
            "127.0.0.1:1111",
            "10.1.2.3:1111",
            "[::1]:1111",
            "[::1]",
            "pilots.internal:1111",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok} was refused");
        }
        for bad in [
            "",
            ":1111",
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "notlocalhost",
            "pilots.internal.evil.example",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad} was answered");
        }
    }

    #[test]
    fn the_header_policy_is_the_pages_own_and_forbids_framing() {
        let base = include_str!("../templates/base.html");
        let page = CSP.strip_suffix("; frame-ancestors 'none'").unwrap();
        assert!(
            base.contains(&format!("content=\"{page}\"")),
            "templates/base.html carries another policy"
        );
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        assert_eq!(
            insertion_point(b"<html><body><p>x</p></body></html>"),
            Some(20)
        );
        assert_eq!(insertion_point(b"<p></BODY></body>\n"), Some(10));
        assert_eq!(insertion_point(b"<p>no end"), None);
        assert!(LIVE_TAG.contains(&format!("{PREFIX}/live.js")));
    }
}
