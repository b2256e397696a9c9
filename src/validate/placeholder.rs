//! `$text`, `$json` and `$yaml` placeholders, substituted as Backstage's
//! `PlaceholderProcessor` does before validation: a mapping whose only key is one of these
//! is replaced by the content of the file it names (relative to the catalog file). A mapping
//! with a `$`-key and other keys, or an unknown `$`-key (`$ref` in an embedded JSON Schema),
//! is left alone.
//!
//! Unlike Backstage, portico never reads outside the repository: an absolute path, a path
//! climbing out with `..`, or a symlink leading out is an error and is not read. URLs are
//! not fetched (portico works offline): a warning, and the placeholder stays as written.

use crate::diag::{Problem, Span};
use crate::discover::{absolute, normalize_lexical, SourceFile};
use crate::parse::{Node, Value};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// The document as JSON after substitution, the problems found, and the JSON pointers of
/// placeholders left unresolved (schema errors at or under them are not reported: their
/// content is unknown).
pub struct Substituted {
    pub json: Json,
    pub problems: Vec<Problem>,
    pub unresolved: Vec<String>,
}

/// Which directories are symbolic links, as far as one run has looked (`lstat`s shared by
/// the placeholders of every file: the directories above a repository's files are the same
/// for all of them). Made afresh for each run, so a rebuild sees links changed since.
#[derive(Default)]
pub struct DirLinks(std::sync::Mutex<std::collections::HashMap<PathBuf, Option<bool>>>);

impl DirLinks {
    /// Whether `dir` is a symbolic link; `None` when it does not exist.
    fn is_link(&self, dir: &Path) -> Option<bool> {
        if let Some(known) = self.0.lock().unwrap().get(dir) {
            return *known;
        }
        let found = is_link(dir);
        self.0.lock().unwrap().insert(dir.to_path_buf(), found);
        found
    }
}

/// Whether `path` is a symbolic link (an `lstat`); `None` when it does not exist.
fn is_link(path: &Path) -> Option<bool> {
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| m.file_type().is_symlink())
}

pub fn substitute(
    root: &Node,
    source: &SourceFile,
    document: usize,
    dirs: &DirLinks,
) -> Substituted {
    let mut ctx = Ctx {
        source,
        document,
        dirs,
        problems: Vec::new(),
        unresolved: Vec::new(),
    };
    let json = ctx.walk(root, &mut String::new());
    Substituted {
        json,
        problems: ctx.problems,
        unresolved: ctx.unresolved,
    }
}

struct Ctx<'a> {
    source: &'a SourceFile,
    document: usize,
    dirs: &'a DirLinks,
    problems: Vec<Problem>,
    unresolved: Vec<String>,
}

const RESOLVERS: [&str; 3] = ["$text", "$json", "$yaml"];

/// Whether a mapping at or under `node` has a key starting with `$` (only a string key can:
/// other scalars and flow collections stringify to something else).
fn has_dollar_key(node: &Node) -> bool {
    match &node.value {
        Value::Seq(items) => items.iter().any(has_dollar_key),
        Value::Map(entries) => entries.iter().any(|(k, v)| {
            matches!(&k.value, Value::Str(s) if s.starts_with('$')) || has_dollar_key(v)
        }),
        _ => false,
    }
}

impl Ctx<'_> {
    fn walk(&mut self, node: &Node, pointer: &mut String) -> Json {
        // Nearly every document has no placeholder at all: convert it without building
        // pointers and key strings along the way.
        if !has_dollar_key(node) {
            return node.to_json();
        }
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    out.push(self.walk(item, pointer));
                    pointer.truncate(len);
                }
                Json::Array(out)
            }
            Value::Map(entries) => {
                let has_dollar = entries.iter().any(|(k, _)| k.key_string().starts_with('$'));
                if !has_dollar {
                    let mut out = serde_json::Map::new();
                    for (k, v) in entries {
                        let key = k.key_string();
                        let len = pointer.len();
                        pointer.push('/');
                        pointer.push_str(&crate::parse::escape_pointer_segment(&key));
                        let value = self.walk(v, pointer);
                        pointer.truncate(len);
                        out.insert(key, value);
                    }
                    return Json::Object(out);
                }
                match entries.as_slice() {
                    [(k, v)] if RESOLVERS.contains(&k.key_string().as_str()) => {
                        match self.resolve(&k.key_string(), v) {
                            Some(json) => json,
                            None => {
                                self.unresolved.push(pointer.clone());
                                node.to_json()
                            }
                        }
                    }
                    _ => node.to_json(),
                }
            }
            _ => node.to_json(),
        }
    }

    fn problem(&mut self, error: bool, rule: &str, span: Span, msg: String, hint: &str) {
        let file = self.source.display.clone();
        let p = if error {
            Problem::error(rule, file, span, msg)
        } else {
            Problem::warning(rule, file, span, msg)
        };
        self.problems
            .push(p.in_document(self.document).with_hint(hint));
    }

    /// The content for one placeholder, or `None` (with a problem) when it cannot be read.
    fn resolve(&mut self, key: &str, value: &Node) -> Option<Json> {
        let Some(target) = value.as_str() else {
            self.problem(
                true,
                "placeholder/invalid",
                value.span,
                format!("placeholder {key} expects a string: a relative path or a URL"),
                "write e.g. `$text: ./openapi.yaml`",
            );
            return None;
        };
        if is_url(target) {
            self.problem(
                false,
                "placeholder/url-not-fetched",
                value.span,
                format!("placeholder {key} names a URL ({target}); portico does not fetch URLs, so its content is not checked"),
                "Backstage reads the URL when it ingests the entity; use a relative path to have portico check the content",
            );
            return None;
        }
        let path = match self.confine(target) {
            Ok(path) => path,
            Err(why) => {
                self.problem(
                    true,
                    "placeholder/outside-repo",
                    value.span,
                    format!("placeholder {key} target `{target}` {why}; it was not read"),
                    "placeholders may only name files inside the repository, by a relative path",
                );
                return None;
            }
        };
        let bytes = match read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.problem(
                    true,
                    "placeholder/missing-file",
                    value.span,
                    format!("placeholder {key} cannot read `{target}`: {e}"),
                    "the path is relative to the catalog file's directory",
                );
                return None;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        match key {
            "$text" => Some(Json::String(text.to_string())),
            "$json" => match serde_json::from_str::<Json>(text) {
                Ok(json) => Some(json),
                Err(e) => {
                    self.problem(
                        true,
                        "placeholder/invalid-content",
                        value.span,
                        format!("placeholder $json: `{target}` is not valid JSON: {e}"),
                        "use $text to include the file as text",
                    );
                    None
                }
            },
            _ => {
                let (docs, count, problems) = crate::parse::parse_str_counted(text, target);
                if let Some(first) = problems.first() {
                    self.problem(
                        true,
                        "placeholder/invalid-content",
                        value.span,
                        format!(
                            "placeholder $yaml: `{target}` is not valid YAML: {}:{}: {}",
                            first.span.start.line, first.span.start.column, first.message
                        ),
                        "use $text to include the file as text",
                    );
                    return None;
                }
                if count != 1 {
                    self.problem(
                        true,
                        "placeholder/invalid-content",
                        value.span,
                        format!("placeholder $yaml expects exactly one YAML document in `{target}`, found {count}"),
                        "use $text to include the file as text",
                    );
                    return None;
                }
                Some(docs.first().map_or(Json::Null, |d| d.root.to_json()))
            }
        }
    }

    /// The path a placeholder names, if it stays inside the repository: lexically (no
    /// absolute path, no `..` above the root) and after following symlinks.
    fn confine(&self, target: &str) -> Result<PathBuf, &'static str> {
        let rel = Path::new(target);
        if rel.is_absolute() || rel.has_root() || target.starts_with('\\') {
            return Err("is an absolute path");
        }
        let file_dir = self.source.path.parent().unwrap_or(Path::new(""));
        let repo = if self.source.repo.as_os_str().is_empty() {
            file_dir.to_path_buf()
        } else {
            self.source.repo.clone()
        };
        let repo_abs = normalize_lexical(&absolute(&repo).ok_or("cannot be located")?);
        let joined = normalize_lexical(&absolute(&file_dir.join(rel)).ok_or("cannot be located")?);
        if !joined.starts_with(&repo_abs) {
            return Err("leaves the repository");
        }
        // Symlinks: where the path really leads. Only a path through a link below the
        // repository can lead elsewhere than it reads, so that is looked at first (an
        // `lstat` for each of the usual one or two components, not a `realpath` of the
        // whole path); through one, the path's canonical form must stay inside.
        if through_link(&repo_abs, &joined, self.dirs) {
            if let Ok(real) = joined.canonicalize() {
                if !real.starts_with(&repo_abs) {
                    if let Ok(real_repo) = repo_abs.canonicalize() {
                        if !real.starts_with(&real_repo) {
                            return Err("leads out of the repository through a symlink");
                        }
                    }
                }
            }
        }
        Ok(joined)
    }
}

/// Whether a component of `path` below `base` is a symbolic link (as far as the path
/// exists: a missing file is not read anyway). The directories on the way are looked up in
/// `dirs`; the last component, the file itself, is always looked at.
fn through_link(base: &Path, path: &Path, dirs: &DirLinks) -> bool {
    let Ok(rel) = path.strip_prefix(base) else {
        return true;
    };
    let mut at = base.to_path_buf();
    let mut components = rel.components().peekable();
    while let Some(c) = components.next() {
        at.push(c);
        let link = if components.peek().is_some() {
            dirs.is_link(&at)
        } else {
            is_link(&at)
        };
        match link {
            Some(true) => return true,
            Some(false) => {}
            None => return false,
        }
    }
    false
}

/// `http://…`, `https://…` and other `scheme:` URLs (not a Windows drive letter).
fn is_url(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.as_bytes()[0].is_ascii_alphabetic()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
        }
        None => false,
    }
}

fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    let limit = crate::parse::MAX_FILE_BYTES;
    if meta.len() > limit {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            limit / (1024 * 1024)
        )));
    }
    // Sized from the metadata: through `take` the file's own size hint is lost, and the
    // read would start with 32-byte probes.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}
