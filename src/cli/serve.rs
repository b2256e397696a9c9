//! `portico serve [PATH...]`: build into a temporary directory, serve it on 127.0.0.1, watch
//! the inputs and rebuild on change; open pages reload themselves after a rebuild (a small
//! script, injected into HTML responses only here, polls `/__portico/build-id`). The files
//! on disk are exactly what `portico build` writes.

use crate::render::Theme;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repositories, directories of repositories, or files (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// A directory of templates and assets that override the default theme's.
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
}

/// The path the reload script polls.
pub const BUILD_ID_PATH: &str = "/__portico/build-id";

const RELOAD_SCRIPT: &str = r#"<script>/* portico serve: reload after a rebuild */(function(){var id=null;function poll(){fetch("/__portico/build-id",{cache:"no-store"}).then(function(r){return r.text();}).then(function(t){if(id===null){id=t;}else if(t!==id){location.reload();return;}setTimeout(poll,800);}).catch(function(){setTimeout(poll,2000);});}poll();})();</script>"#;

struct State {
    paths: Vec<PathBuf>,
    theme: Theme,
    out: PathBuf,
    build_id: AtomicU64,
}

impl State {
    /// Builds the site; problems are summarised on stderr (the site shows them in full).
    fn build(&self) -> bool {
        let started = Instant::now();
        let (config, _) = crate::config::load(&self.paths[0]);
        match crate::build(&self.paths, &config, &self.theme, &self.out) {
            Ok(built) => {
                let problems = built.problems();
                let errors = problems
                    .iter()
                    .filter(|p| p.severity == crate::diag::Severity::Error)
                    .count();
                eprintln!(
                    "portico: built {} entities ({} errors, {} warnings) in {:.2}s",
                    built.checked.catalog.entities.len(),
                    errors,
                    problems.len() - errors,
                    started.elapsed().as_secs_f64()
                );
                self.build_id.fetch_add(1, Ordering::SeqCst);
                true
            }
            Err(e) => {
                eprintln!("portico serve: build failed: {e:#}");
                false
            }
        }
    }
}

pub fn run(args: Args) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let tmp = match tempfile::Builder::new().prefix("portico-serve-").tempdir() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("portico serve: cannot create a temporary directory: {e}");
            return super::exit(super::EXIT_USAGE);
        }
    };
    let state = Arc::new(State {
        paths,
        theme: Theme { dir: args.theme },
        out: tmp.path().join("site"),
        build_id: AtomicU64::new(0),
    });
    if !state.build() {
        return super::exit(super::EXIT_USAGE);
    }
    let listener = match TcpListener::bind(("127.0.0.1", args.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "portico serve: cannot listen on 127.0.0.1:{}: {e}",
                args.port
            );
            return super::exit(super::EXIT_USAGE);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
    // Keep the watcher alive for the life of the server.
    let _watcher = match watch(Arc::clone(&state)) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("portico serve: not watching for changes: {e}");
            None
        }
    };
    println!("Serving the portal at http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    serve_forever(listener, state);
    super::exit(super::EXIT_OK)
}

/// Accepts connections until the listener fails; each connection is handled on its own
/// thread (one request, then `Connection: close`), so a slow or idle client never holds up
/// another one.
fn serve_forever(listener: TcpListener, state: Arc<State>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let state = Arc::clone(&state);
        std::thread::spawn(move || {
            let _ = handle(stream, &state);
        });
    }
}

/// Watches the inputs (and the theme) and rebuilds after a burst of changes settles.
fn watch(state: Arc<State>) -> notify::Result<notify::RecommendedWatcher> {
    use notify::Watcher;
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    for p in state.paths.iter().chain(state.theme.dir.iter()) {
        watcher.watch(p, notify::RecursiveMode::Recursive)?;
    }
    std::thread::spawn(move || {
        while let Ok(event) = rx.recv() {
            if !relevant(&event, &state.out) {
                continue;
            }
            // Let editors finish writing (and coalesce the burst) before rebuilding.
            while rx.recv_timeout(Duration::from_millis(250)).is_ok() {}
            eprintln!("portico: change detected, rebuilding");
            state.build();
        }
    });
    Ok(watcher)
}

fn relevant(event: &notify::Result<notify::Event>, out: &Path) -> bool {
    match event {
        Ok(e) => {
            !e.kind.is_access()
                && e.paths.iter().any(|p| {
                    !p.starts_with(out)
                        && !p
                            .components()
                            .any(|c| c.as_os_str().to_string_lossy().starts_with(".portico-"))
                        && !p.components().any(|c| c.as_os_str() == ".git")
                })
        }
        Err(_) => false,
    }
}

/// Reads one request's head (request line and headers) from the connection.
fn read_head(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        if head.len() > 64 * 1024 {
            break;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(head)
}

/// Serves one request on a connection and closes it.
fn handle(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let head = read_head(&mut stream)?;
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, content_type, cache, body) = match method {
        "GET" | "HEAD" if target.starts_with('/') => route(state, target),
        "GET" | "HEAD" => (
            "400 Bad Request",
            "text/plain; charset=utf-8",
            "no-store",
            b"400: bad request\n".to_vec(),
        ),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            "no-store",
            b"405: only GET and HEAD\n".to_vec(),
        ),
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: {cache}\r\nConnection: close\r\n",
        body.len()
    );
    if status.starts_with("405") {
        response.push_str("Allow: GET, HEAD\r\n");
    }
    response.push_str("\r\n");
    let mut out = response.into_bytes();
    if method != "HEAD" {
        out.extend_from_slice(&body);
    }
    stream.write_all(&out)?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

/// The status line, content type, cache policy and body for a GET of `target`.
fn route(state: &State, target: &str) -> (&'static str, &'static str, &'static str, Vec<u8>) {
    let url = target.split(['?', '#']).next().unwrap_or("/");
    if url == BUILD_ID_PATH {
        let id = state.build_id.load(Ordering::SeqCst).to_string();
        return ("200 OK", "text/plain", "no-store", id.into_bytes());
    }
    // As GitHub Pages does: the site's own 404.html, with the 404 status.
    let not_found = || match std::fs::read(state.out.join(crate::render::not_found::PAGE)) {
        Ok(mut page) => {
            inject_reload(&mut page);
            ("404 Not Found", content_type("html"), "no-cache", page)
        }
        Err(_) => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "no-cache",
            b"404: not found in the portal\n".to_vec(),
        ),
    };
    let Some(path) = resolve(&state.out, url) else {
        return not_found();
    };
    let Ok(mut bytes) = std::fs::read(&path) else {
        return not_found();
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext == "html" {
        inject_reload(&mut bytes);
    }
    ("200 OK", content_type(ext), "no-cache", bytes)
}

/// Maps a URL path to a file of the site: percent-decoded, `..` refused, directories to
/// their `index.html`.
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(url)
        .decode_utf8()
        .ok()?;
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut path = root.join(rel);
    if path.is_dir() {
        path = path.join("index.html");
    }
    path.is_file().then_some(path)
}

fn inject_reload(html: &mut Vec<u8>) {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    html.splice(at..at, RELOAD_SCRIPT.bytes());
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "wasm" => "application/wasm",
        "yaml" | "yml" | "graphql" | "proto" | "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_files_inside_the_site_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("catalog/a b")).unwrap();
        std::fs::write(dir.path().join("catalog/a b/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        assert_eq!(
            resolve(dir.path(), "/"),
            Some(dir.path().join("index.html"))
        );
        assert_eq!(
            resolve(dir.path(), "/catalog/a%20b/"),
            Some(dir.path().join("catalog/a b/index.html"))
        );
        assert_eq!(resolve(dir.path(), "/../etc/passwd"), None);
        assert_eq!(resolve(dir.path(), "/catalog/%2e%2e/%2e%2e/x"), None);
        assert_eq!(resolve(dir.path(), "/missing.html"), None);
    }

    /// Sends a raw request and returns the whole response.
    fn fetch(port: u16, request: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn server_answers_many_concurrent_requests() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("index.html"), "<body>home</body>").unwrap();
        std::fs::write(dir.path().join("assets/portico.js"), "var x = 1;").unwrap();
        std::fs::write(dir.path().join("404.html"), "<body>not here</body>").unwrap();
        let state = Arc::new(State {
            paths: Vec::new(),
            theme: Theme { dir: None },
            out: dir.path().to_path_buf(),
            build_id: AtomicU64::new(7),
        });
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || serve_forever(listener, state));
        // A client that connects and sends nothing must not hold up the others.
        let _idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let clients: Vec<_> = (0..16)
            .map(|i| {
                std::thread::spawn(move || {
                    let path = ["/", "/assets/portico.js", BUILD_ID_PATH, "/nope"][i % 4];
                    (
                        i,
                        fetch(port, &format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n")),
                    )
                })
            })
            .collect();
        for c in clients {
            let (i, r) = c.join().unwrap();
            assert!(r.contains("Connection: close\r\n"), "{r}");
            match i % 4 {
                0 => assert!(
                    r.starts_with("HTTP/1.1 200 OK\r\n")
                        && r.contains("Content-Type: text/html; charset=utf-8")
                        && r.contains("home")
                        && r.contains("build-id"),
                    "{r}"
                ),
                1 => assert!(
                    r.starts_with("HTTP/1.1 200 OK\r\n")
                        && r.contains("Content-Type: text/javascript")
                        && r.contains("Content-Length: 10\r\n")
                        && r.ends_with("var x = 1;"),
                    "{r}"
                ),
                2 => assert!(
                    r.starts_with("HTTP/1.1 200 OK\r\n") && r.ends_with("\r\n\r\n7"),
                    "{r}"
                ),
                // The site's 404.html, as GitHub Pages serves it, and reloading like the rest.
                _ => assert!(
                    r.starts_with("HTTP/1.1 404 Not Found\r\n")
                        && r.contains("Content-Type: text/html; charset=utf-8")
                        && r.contains("not here")
                        && r.contains("build-id"),
                    "{r}"
                ),
            }
        }
        let head = fetch(port, "HEAD /assets/portico.js HTTP/1.1\r\n\r\n");
        assert!(
            head.contains("Content-Length: 10\r\n") && head.ends_with("\r\n\r\n"),
            "{head}"
        );
        let traversal = fetch(port, "GET /../Cargo.toml HTTP/1.1\r\n\r\n");
        assert!(traversal.starts_with("HTTP/1.1 404"), "{traversal}");
        let post = fetch(port, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    }

    #[test]
    fn reload_script_goes_before_body_end() {
        let mut html = b"<html><body><p>x</p></body></html>".to_vec();
        inject_reload(&mut html);
        let s = String::from_utf8(html).unwrap();
        assert!(
            s.contains("build-id") && s.ends_with("</script></body></html>"),
            "{s}"
        );
    }
}
