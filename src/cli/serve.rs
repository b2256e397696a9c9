//! `portico serve [PATH...]`: build into a temporary directory, serve it on 127.0.0.1, watch
//! the inputs and rebuild on change; open pages reload themselves after a rebuild (a small
//! script, injected into HTML responses only here, polls `/__portico/build-id`). The files
//! on disk are exactly what `portico build` writes.

use crate::render::Theme;
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
    let server = match tiny_http::Server::http(("127.0.0.1", args.port)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!(
                "portico serve: cannot listen on 127.0.0.1:{}: {e}",
                args.port
            );
            return super::exit(super::EXIT_USAGE);
        }
    };
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or(args.port);
    // Keep the watcher alive for the life of the server.
    let _watcher = match watch(Arc::clone(&state)) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("portico serve: not watching for changes: {e}");
            None
        }
    };
    println!("Serving the portal at http://127.0.0.1:{port}/ (Ctrl-C to stop)");
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    let _ = respond(&state, request);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    super::exit(super::EXIT_OK)
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

fn respond(state: &State, request: tiny_http::Request) -> std::io::Result<()> {
    let url = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();
    if url == BUILD_ID_PATH {
        let id = state.build_id.load(Ordering::SeqCst).to_string();
        return request.respond(
            tiny_http::Response::from_string(id)
                .with_header(header("Content-Type", "text/plain"))
                .with_header(header("Cache-Control", "no-store")),
        );
    }
    let Some(path) = resolve(&state.out, &url) else {
        return request.respond(
            tiny_http::Response::from_string("404: not found in the portal\n")
                .with_status_code(404)
                .with_header(header("Content-Type", "text/plain; charset=utf-8")),
        );
    };
    let mut bytes = std::fs::read(&path)?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext == "html" {
        inject_reload(&mut bytes);
    }
    request.respond(
        tiny_http::Response::from_data(bytes)
            .with_header(header("Content-Type", content_type(ext)))
            .with_header(header("Cache-Control", "no-cache")),
    )
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
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
