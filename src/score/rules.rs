//! Rule evaluation: one rule, one entity → pass / fail / error / not applicable, with a
//! message saying why. Whatever touches the disk or git is cached per run (each file is
//! read once however many entities and checks look at it), so scoring thousands of
//! entities stays cheap.

use super::facts::Facts;
use super::scorecard::{Filter, IfMissing, Predicate, Rule};
use crate::model::{Catalog, Entity, EntityRef};
use chrono::NaiveDate;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The result of one rule for one entity.
#[derive(Debug, Clone, PartialEq)]
pub enum Eval {
    Pass(String),
    Fail(String),
    /// The rule could not be evaluated; the message says why.
    Error(String),
    NotApplicable(String),
}

impl Eval {
    pub fn message(&self) -> &str {
        match self {
            Eval::Pass(m) | Eval::Fail(m) | Eval::Error(m) | Eval::NotApplicable(m) => m,
        }
    }
}

/// What the docs stage knows about one entity's docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocStats {
    pub pages: usize,
    /// `None` when links were not checked (scoring without a docs build).
    pub broken_links: Option<usize>,
}

/// Where docs facts come from: the docs stage's output during `portico build`, or a scan of
/// the TechDocs input for `portico score`.
pub trait DocsInfo: Sync {
    /// `Ok(None)`: the entity has no docs.
    fn stats(&self, ctx: &Ctx, entity: usize) -> Result<Option<DocStats>, String>;
}

/// A thread-safe compute-once map: the value for a key is computed by the first caller,
/// others wait for it.
pub struct Memo<K, V> {
    map: Mutex<HashMap<K, Arc<OnceLock<V>>>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub fn get(&self, key: K, compute: impl FnOnce() -> V) -> V {
        let cell = {
            let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(key).or_default().clone()
        };
        cell.get_or_init(compute).clone()
    }
}

/// Largest file whose content a rule will read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Everything a rule may look at, with per-run caches.
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub facts: &'a Facts,
    pub docs: &'a dyn DocsInfo,
    pub today: NaiveDate,
    pub(crate) exists: Memo<PathBuf, bool>,
    pub(crate) texts: Memo<PathBuf, Result<Arc<str>, String>>,
    pub(crate) dirs: Memo<PathBuf, Arc<Vec<String>>>,
    pub(crate) codeowners: Memo<PathBuf, Result<Option<Arc<Codeowners>>, String>>,
    pub(crate) git: Memo<PathBuf, Result<i64, String>>,
    pub(crate) doc_pages: Memo<PathBuf, Result<(PathBuf, usize), String>>,
    real_dirs: Memo<PathBuf, Option<Arc<PathBuf>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        catalog: &'a Catalog,
        facts: &'a Facts,
        docs: &'a dyn DocsInfo,
        today: NaiveDate,
    ) -> Self {
        Ctx {
            catalog,
            facts,
            docs,
            today,
            exists: Memo::default(),
            texts: Memo::default(),
            dirs: Memo::default(),
            codeowners: Memo::default(),
            git: Memo::default(),
            doc_pages: Memo::default(),
            real_dirs: Memo::default(),
        }
    }

    fn exists(&self, path: &Path) -> bool {
        self.exists.get(path.to_path_buf(), || path.exists())
    }

    /// The text of a file, read once per run. Files larger than [`MAX_FILE_BYTES`] or
    /// outside `repo` (through a symlink) are errors; invalid UTF-8 is read lossily.
    pub fn text(&self, path: &Path, repo: &Path) -> Result<Arc<str>, String> {
        self.texts.get(path.to_path_buf(), || {
            // Confined to the repository: the real directory of the file (resolved once per
            // directory) and, when the file itself is a symlink, its target.
            let meta = std::fs::symlink_metadata(path).map_err(|e| format!("cannot read: {e}"))?;
            let real = if meta.file_type().is_symlink() {
                path.canonicalize()
                    .map_err(|e| format!("cannot read: {e}"))?
            } else {
                let dir = path.parent().unwrap_or(Path::new("."));
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                match self.real_dir(dir) {
                    Some(d) => d.join(path.file_name().unwrap_or_default()),
                    None => return Err("cannot read: its directory does not exist".into()),
                }
            };
            if let Some(root) = self.real_dir(repo) {
                if !real.starts_with(&*root) {
                    return Err("the file leaves the repository (symlink)".into());
                }
            }
            let meta = std::fs::metadata(&real).map_err(|e| format!("cannot read: {e}"))?;
            if !meta.is_file() {
                return Err("is not a file".into());
            }
            if meta.len() > MAX_FILE_BYTES {
                return Err(format!(
                    "is larger than {} MB; not read",
                    MAX_FILE_BYTES / 1024 / 1024
                ));
            }
            let bytes = std::fs::read(&real).map_err(|e| format!("cannot read: {e}"))?;
            Ok(match String::from_utf8(bytes) {
                Ok(s) => Arc::from(s),
                Err(e) => Arc::from(String::from_utf8_lossy(e.as_bytes()).as_ref()),
            })
        })
    }

    /// A directory with symlinks resolved, once per run.
    fn real_dir(&self, dir: &Path) -> Option<Arc<PathBuf>> {
        self.real_dirs
            .get(dir.to_path_buf(), || dir.canonicalize().ok().map(Arc::new))
    }

    fn list_dir(&self, dir: &Path) -> Arc<Vec<String>> {
        self.dirs.get(dir.to_path_buf(), || {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            Arc::new(names)
        })
    }
}

/// The directory of the file an entity was read from.
pub fn entity_dir(e: &Entity) -> PathBuf {
    e.source
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A path named by a rule: relative to the entity's directory, or to the repository root
/// when it starts with `/`.
fn resolve(e: &Entity, path: &str) -> PathBuf {
    match path.strip_prefix('/') {
        Some(rest) => e.source.repo.join(rest),
        None => entity_dir(e).join(path),
    }
}

/// A path of a rule, with a leading `docs` segment meaning the entity's real docs folder: the
/// TechDocs input (`backstage.io/techdocs-ref: dir:PATH`) and its mkdocs.yml `docs_dir`, so
/// `docs/` works for `dir:./apps/web` and for `docs_dir: documentation`.
fn resolve_docs(ctx: &Ctx, e: &Entity, path: &str) -> PathBuf {
    let rest = match path.strip_prefix("docs") {
        Some("") => "",
        Some(r) if r.starts_with('/') => r.trim_start_matches('/'),
        _ => return resolve(e, path),
    };
    let Some(dir) = e
        .annotation("backstage.io/techdocs-ref")
        .and_then(|r| r.strip_prefix("dir:"))
        .filter(|d| !d.starts_with('/') && !d.split(['/', '\\']).any(|s| s == ".."))
    else {
        return resolve(e, path);
    };
    let base = entity_dir(e).join(dir);
    let repo = &e.source.repo;
    match ctx
        .doc_pages
        .get(base.clone(), || super::count_pages(ctx, &base, repo))
    {
        Ok((docs_dir, _)) if rest.is_empty() => docs_dir,
        Ok((docs_dir, _)) => docs_dir.join(rest),
        Err(_) => resolve(e, path),
    }
}

fn show(v: &Json) -> String {
    let s = match v {
        Json::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

fn show_list(items: &[Json]) -> String {
    items.iter().map(show).collect::<Vec<_>>().join(", ")
}

fn loose_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Checks `value` (None = missing) against a predicate. `what` names the value in messages.
pub fn check_value(pred: &Predicate, value: Option<&Json>, what: &str) -> Eval {
    let value = value.filter(|v| !v.is_null());
    let Some(v) = value else {
        return if pred.exists == Some(false) {
            Eval::Pass(format!("{what} is not set"))
        } else {
            Eval::Fail(format!("{what} is missing"))
        };
    };
    if pred.exists == Some(false) {
        return Eval::Fail(format!("{what} is set ({})", show(v)));
    }
    if let Some(want) = &pred.equals {
        if !loose_eq(v, want) {
            return Eval::Fail(format!("{what} is {}, not {}", show(v), show(want)));
        }
    }
    if let Some(bad) = &pred.not_equals {
        if loose_eq(v, bad) {
            return Eval::Fail(format!("{what} is {}", show(v)));
        }
    }
    if let Some(list) = &pred.in_list {
        let items: Vec<&Json> = match v {
            Json::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        if let Some(bad) = items.iter().find(|i| !list.iter().any(|l| loose_eq(i, l))) {
            return Eval::Fail(format!(
                "{what} is {}, not one of {}",
                show(bad),
                show_list(list)
            ));
        }
    }
    if let Some(list) = &pred.not_in {
        let items: Vec<&Json> = match v {
            Json::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        if let Some(bad) = items.iter().find(|i| list.iter().any(|l| loose_eq(i, l))) {
            return Eval::Fail(format!("{what} is {}", show(bad)));
        }
    }
    if let Some(needle) = &pred.contains {
        let found = match (v, needle) {
            (Json::Array(a), n) => a.iter().any(|i| loose_eq(i, n)),
            (Json::String(s), Json::String(n)) => s.contains(n.as_str()),
            (Json::Object(m), Json::String(n)) => m.contains_key(n),
            _ => false,
        };
        if !found {
            return Eval::Fail(format!("{what} does not contain {}", show(needle)));
        }
    }
    if let Some(min) = pred.min_length {
        let len = match v {
            Json::String(s) => s.chars().count(),
            Json::Array(a) => a.len(),
            Json::Object(m) => m.len(),
            _ => return Eval::Error(format!("{what} is {}, which has no length", show(v))),
        };
        if len < min {
            return Eval::Fail(format!("{what} has length {len}, less than {min}"));
        }
    }
    if let Some(re) = &pred.matches {
        let texts: Vec<String> = match v {
            Json::Array(a) => a.iter().map(scalar_text).collect(),
            other => vec![scalar_text(other)],
        };
        if !texts.iter().any(|t| re.is_match(t)) {
            return Eval::Fail(format!(
                "{what} ({}) does not match /{}/",
                show(v),
                re.as_str()
            ));
        }
    }
    if pred.has_numeric() {
        let Some(n) = v.as_f64() else {
            return Eval::Error(format!("{what} is {}, not a number", show(v)));
        };
        let fmt = |x: f64| format_number(x);
        for (bound, ok, op) in [
            (pred.gt, pred.gt.is_none_or(|b| n > b), ">"),
            (pred.gte, pred.gte.is_none_or(|b| n >= b), "≥"),
            (pred.lt, pred.lt.is_none_or(|b| n < b), "<"),
            (pred.lte, pred.lte.is_none_or(|b| n <= b), "≤"),
        ] {
            if let (Some(b), false) = (bound, ok) {
                return Eval::Fail(format!("{what} is {}, needs {op} {}", fmt(n), fmt(b)));
            }
        }
    }
    Eval::Pass(format!("{what} is {}", show(v)))
}

fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `80`, `81.5`: numbers as people write them.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
            && self.type_.is_empty()
            && self.lifecycle.is_empty()
            && self.namespace.is_empty()
            && self.owner.is_empty()
            && self.system.is_empty()
            && self.domain.is_empty()
            && self.tags.is_empty()
            && self.entities.is_empty()
            && self.exclude.is_empty()
            && self.where_.is_none()
    }

    /// Whether the filter selects entity `i`.
    pub fn matches(&self, ctx: &Ctx, i: usize) -> bool {
        let e = &ctx.catalog.entities[i];
        let any_ci = |list: &[String], v: Option<&str>| {
            list.is_empty() || v.is_some_and(|v| list.iter().any(|l| l.eq_ignore_ascii_case(v)))
        };
        let ref_in = |list: &[String], v: Option<&str>, kind: &str| {
            list.is_empty()
                || v.and_then(|v| EntityRef::parse(v, Some(kind), e.namespace()))
                    .is_some_and(|r| {
                        list.iter().any(|l| {
                            EntityRef::parse(l, Some(kind), e.namespace())
                                .is_some_and(|lr| lr.key() == r.key())
                        })
                    })
        };
        if !any_ci(&self.kind, Some(e.kind()))
            || !any_ci(&self.type_, e.spec_str("type"))
            || !any_ci(&self.lifecycle, e.spec_str("lifecycle"))
            || !any_ci(&self.namespace, Some(e.namespace()))
            || !ref_in(&self.owner, e.spec_str("owner"), "group")
            || !ref_in(&self.system, e.spec_str("system"), "system")
        {
            return false;
        }
        if !self.domain.is_empty() {
            let domain = e.spec_str("domain").map(str::to_string).or_else(|| {
                let sys = EntityRef::parse(e.spec_str("system")?, Some("system"), e.namespace())?;
                let sys = ctx.catalog.get(&sys)?;
                sys.spec_str("domain").map(str::to_string)
            });
            if !ref_in(&self.domain, domain.as_deref(), "domain") {
                return false;
            }
        }
        if !self.tags.is_empty() {
            let tags = e.tags();
            if !self
                .tags
                .iter()
                .any(|t| tags.iter().any(|et| et.eq_ignore_ascii_case(t)))
            {
                return false;
            }
        }
        let key = e.entity_ref.key();
        let listed = |list: &[String]| {
            list.iter().any(|l| {
                EntityRef::parse(l, Some("component"), "default").is_some_and(|r| r.key() == key)
            })
        };
        if !self.entities.is_empty() && !listed(&self.entities) {
            return false;
        }
        if listed(&self.exclude) {
            return false;
        }
        if let Some(rule) = &self.where_ {
            return matches!(eval(rule, ctx, i), Eval::Pass(_));
        }
        true
    }
}

/// Evaluates a rule for entity `i` of the catalog.
pub fn eval(rule: &Rule, ctx: &Ctx, i: usize) -> Eval {
    let e = &ctx.catalog.entities[i];
    match rule {
        Rule::All(rules) => {
            let results: Vec<Eval> = rules.iter().map(|r| eval(r, ctx, i)).collect();
            let pick = |f: fn(&Eval) -> bool| {
                results
                    .iter()
                    .filter(|r| f(r))
                    .map(Eval::message)
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            if results.iter().any(|r| matches!(r, Eval::Fail(_))) {
                Eval::Fail(pick(|r| matches!(r, Eval::Fail(_))))
            } else if results.iter().any(|r| matches!(r, Eval::Error(_))) {
                Eval::Error(pick(|r| matches!(r, Eval::Error(_))))
            } else if results.iter().all(|r| matches!(r, Eval::NotApplicable(_))) {
                Eval::NotApplicable(pick(|_| true))
            } else {
                Eval::Pass(pick(|r| matches!(r, Eval::Pass(_))))
            }
        }
        Rule::Any(rules) => {
            let results: Vec<Eval> = rules.iter().map(|r| eval(r, ctx, i)).collect();
            if let Some(p) = results.iter().find(|r| matches!(r, Eval::Pass(_))) {
                return p.clone();
            }
            let pick = |f: fn(&Eval) -> bool, sep: &str| {
                results
                    .iter()
                    .filter(|r| f(r))
                    .map(Eval::message)
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            if results.iter().any(|r| matches!(r, Eval::Error(_))) {
                Eval::Error(pick(|r| matches!(r, Eval::Error(_)), "; "))
            } else if results.iter().all(|r| matches!(r, Eval::NotApplicable(_))) {
                Eval::NotApplicable(pick(|_| true, "; "))
            } else {
                Eval::Fail(pick(|r| matches!(r, Eval::Fail(_)), ", and "))
            }
        }
        Rule::Not(inner) => match eval(inner, ctx, i) {
            Eval::Pass(m) => Eval::Fail(format!("{m}, which it must not")),
            Eval::Fail(m) => Eval::Pass(format!("as required, {m}")),
            other => other,
        },
        Rule::Field { path, pred } => {
            check_value(pred, path.get(&e.data), &format!("`{}`", path.text))
        }
        Rule::Annotation { key, pred } => check_value(
            pred,
            e.metadata("annotations").and_then(|a| a.get(key)),
            &format!("annotation `{key}`"),
        ),
        Rule::Label { key, pred } => check_value(
            pred,
            e.metadata("labels").and_then(|a| a.get(key)),
            &format!("label `{key}`"),
        ),
        Rule::Relation {
            relation,
            target_kind,
            resolved,
            min,
        } => {
            let all: Vec<_> = ctx
                .catalog
                .relations
                .get(i)
                .map(|rs| rs.iter().filter(|r| r.kind == relation).collect())
                .unwrap_or_default();
            let good: Vec<_> = all
                .iter()
                .filter(|r| {
                    target_kind
                        .as_ref()
                        .is_none_or(|k| r.target.kind.eq_ignore_ascii_case(k))
                })
                .filter(|r| !*resolved || r.resolved.is_some())
                .collect();
            let to = match target_kind {
                Some(k) => format!("`{relation}` relation to a {k}"),
                None => format!("`{relation}` relation"),
            };
            let in_catalog = if *resolved { " in the catalog" } else { "" };
            if good.len() >= *min {
                let names: Vec<String> = good.iter().map(|r| r.target.to_string()).collect();
                Eval::Pass(if names.is_empty() {
                    format!("needs {min} {to}")
                } else {
                    format!("{relation} {}", names.join(", "))
                })
            } else if all.is_empty() {
                Eval::Fail(format!("no {to}"))
            } else {
                let names: Vec<String> = all
                    .iter()
                    .map(|r| {
                        format!(
                            "{}{}",
                            r.target,
                            if r.resolved.is_none() {
                                " (not in the catalog)"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect();
                Eval::Fail(format!(
                    "needs {min} {to}{in_catalog}; has {}",
                    names.join(", ")
                ))
            }
        }
        Rule::File { paths, pred } => eval_file(ctx, e, paths, pred),
        Rule::Codeowners => eval_codeowners(ctx, e),
        Rule::Docs {
            min_pages,
            max_broken_links,
        } => match ctx.docs.stats(ctx, i) {
            Err(why) => Eval::Error(why),
            Ok(None) => Eval::Fail("no docs (annotation backstage.io/techdocs-ref)".into()),
            Ok(Some(s)) => {
                if s.pages < *min_pages {
                    return Eval::Fail(format!(
                        "docs have {} page{}, needs at least {min_pages}",
                        s.pages,
                        if s.pages == 1 { "" } else { "s" }
                    ));
                }
                match (max_broken_links, s.broken_links) {
                    (Some(max), Some(n)) if n > *max => Eval::Fail(format!(
                        "docs have {n} broken link{}, at most {max} allowed",
                        if n == 1 { "" } else { "s" }
                    )),
                    (Some(_), None) => Eval::Pass(format!(
                        "docs have {} pages (links are checked by `portico build`)",
                        s.pages
                    )),
                    (Some(_), Some(n)) => {
                        Eval::Pass(format!("docs have {} pages and {n} broken links", s.pages))
                    }
                    (None, _) => Eval::Pass(format!("docs have {} pages", s.pages)),
                }
            }
        },
        Rule::Git { path, pred } => {
            let target = resolve_docs(ctx, e, path);
            match ctx.git.get(target.clone(), || last_commit_time(&target)) {
                Err(why) => Eval::Error(why),
                Ok(secs) => {
                    let Some(when) = chrono::DateTime::from_timestamp(secs, 0) else {
                        return Eval::Error("commit time out of range".into());
                    };
                    let days = (ctx.today - when.date_naive()).num_days().max(0);
                    let what = if path.is_empty() {
                        "days since the last commit".to_string()
                    } else {
                        format!("days since the last commit to `{path}`")
                    };
                    match check_value(pred, Some(&Json::from(days)), &what) {
                        Eval::Pass(_) => Eval::Pass(format!(
                            "last commit {days} day{} ago ({})",
                            if days == 1 { "" } else { "s" },
                            when.date_naive()
                        )),
                        Eval::Fail(m) => {
                            Eval::Fail(format!("{m} (last commit {})", when.date_naive()))
                        }
                        other => other,
                    }
                }
            }
        }
        Rule::Fact {
            name,
            pred,
            if_missing,
        } => {
            let value = ctx.facts.get(&e.entity_ref, name);
            match (value, if_missing) {
                (Err(why), _) => Eval::Error(why),
                (Ok(None), IfMissing::Fail) if pred.exists != Some(false) => {
                    Eval::Fail(format!("no `{name}` fact for this entity"))
                }
                (Ok(None), IfMissing::Error) => {
                    Eval::Error(format!("no `{name}` fact for this entity"))
                }
                (Ok(None), IfMissing::Pass) => {
                    Eval::Pass(format!("no `{name}` fact for this entity (allowed)"))
                }
                (Ok(None), IfMissing::NotApplicable) => {
                    Eval::NotApplicable(format!("no `{name}` fact for this entity"))
                }
                (Ok(v), _) => check_value(pred, v, &format!("`{name}`")),
            }
        }
    }
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn eval_file(ctx: &Ctx, e: &Entity, paths: &[String], pred: &Predicate) -> Eval {
    let mut found: Vec<(String, PathBuf)> = vec![];
    for p in paths {
        let full = resolve_docs(ctx, e, p);
        let name = full
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if has_glob(&name) {
            let dir = full.parent().map(Path::to_path_buf).unwrap_or_default();
            let Ok(glob) = globset::GlobBuilder::new(&name)
                .case_insensitive(true)
                .build()
            else {
                return Eval::Error(format!("invalid file pattern `{p}`"));
            };
            let m = glob.compile_matcher();
            for n in ctx.list_dir(&dir).iter() {
                if m.is_match(n) {
                    let shown = match p.rsplit_once('/') {
                        Some((d, _)) => format!("{d}/{n}"),
                        None => n.clone(),
                    };
                    found.push((shown, dir.join(n)));
                }
            }
        } else if ctx.exists(&full) {
            found.push((p.clone(), full));
        }
    }
    let names = paths.join(" or ");
    if found.is_empty() {
        return if pred.exists == Some(false) {
            Eval::Pass(format!("no {names}"))
        } else {
            Eval::Fail(format!("no {names}"))
        };
    }
    if pred.exists == Some(false) {
        return Eval::Fail(format!("{} exists", found[0].0));
    }
    let Some(re) = &pred.matches else {
        return Eval::Pass(format!("{} exists", found[0].0));
    };
    let mut errors = vec![];
    for (shown, path) in &found {
        match ctx.text(path, &e.source.repo) {
            Ok(text) => {
                if let Some(m) = re.find(&text) {
                    let line = text[..m.start()].matches('\n').count() + 1;
                    return Eval::Pass(format!("{shown}:{line} matches /{}/", re.as_str()));
                }
            }
            Err(why) => errors.push(format!("{shown}: {why}")),
        }
    }
    if found.len() == errors.len() {
        return Eval::Error(errors.join("; "));
    }
    let shown: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    Eval::Fail(format!(
        "{} does not match /{}/",
        shown.join(", "),
        re.as_str()
    ))
}

/// A parsed CODEOWNERS file: (line number, pattern, owners).
#[derive(Debug, Clone)]
pub struct Codeowners {
    pub file: String,
    pub entries: Vec<(usize, String, Vec<String>)>,
}

/// GitHub's CODEOWNERS syntax: `pattern owner...`, `#` comments.
pub fn parse_codeowners(file: &str, text: &str) -> Codeowners {
    let mut entries = vec![];
    for (n, line) in text.lines().enumerate() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let Some(pattern) = parts.next() else {
            continue;
        };
        entries.push((
            n + 1,
            pattern.to_string(),
            parts.map(str::to_string).collect(),
        ));
    }
    Codeowners {
        file: file.to_string(),
        entries,
    }
}

const CODEOWNERS_PATHS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

fn eval_codeowners(ctx: &Ctx, e: &Entity) -> Eval {
    let Some(owner) = e.spec_str("owner") else {
        return Eval::Fail("the entity has no owner (spec.owner)".into());
    };
    let Some(owner_ref) = EntityRef::parse(owner, Some("group"), e.namespace()) else {
        return Eval::Fail(format!("owner `{owner}` is not a valid reference"));
    };
    // GitHub reads CODEOWNERS at the repository root; a directory holding several
    // repositories' worth of entities (a monorepo, or the example organisation) may keep one
    // per project, so the nearest one from the entity's directory up to the root wins.
    let repo = e.source.repo.clone();
    let dir = entity_dir(e);
    let mut file = Ok(None);
    for d in dir.ancestors() {
        let found = ctx.codeowners.get(d.to_path_buf(), || {
            for p in CODEOWNERS_PATHS {
                let path = d.join(p);
                if path.is_file() {
                    let text = ctx.text(&path, &repo)?;
                    let shown = match d.strip_prefix(&repo) {
                        Ok(rel) if !rel.as_os_str().is_empty() => {
                            format!("{}/{p}", rel.to_string_lossy().replace('\\', "/"))
                        }
                        _ => p.to_string(),
                    };
                    return Ok(Some(Arc::new(parse_codeowners(&shown, &text))));
                }
            }
            Ok(None)
        });
        if !matches!(found, Ok(None)) {
            file = found;
            break;
        }
        if d == repo || d.as_os_str().is_empty() || !d.starts_with(&repo) {
            break;
        }
    }
    let co = match file {
        Err(why) => return Eval::Error(format!("CODEOWNERS: {why}")),
        Ok(None) => {
            return Eval::Fail(format!(
                "no CODEOWNERS file in the repository ({})",
                CODEOWNERS_PATHS.join(", ")
            ))
        }
        Ok(Some(co)) => co,
    };
    // Names the owner can appear under: @name, @org/name, the GitHub team slug or login
    // annotations of the owner entity, and a user's e-mail.
    let mut names = vec![owner_ref.name.to_lowercase()];
    if let Some(o) = ctx.catalog.get(&owner_ref) {
        for key in ["github.com/team-slug", "github.com/user-login"] {
            if let Some(v) = o.annotation(key) {
                names.push(v.to_lowercase());
            }
        }
        if let Some(mail) = o.data.pointer("/spec/profile/email").and_then(Json::as_str) {
            names.push(mail.to_lowercase());
        }
    }
    let matches_owner = |token: &str| {
        let t = token.trim_start_matches('@').to_lowercase();
        let last = t.rsplit('/').next().unwrap_or(&t).to_string();
        names.iter().any(|n| *n == t || *n == last)
    };
    for (line, pattern, owners) in &co.entries {
        if let Some(o) = owners.iter().find(|o| matches_owner(o)) {
            return Eval::Pass(format!("{}:{line} `{pattern}` is owned by {o}", co.file));
        }
    }
    Eval::Fail(format!("{} does not name the owner {}", co.file, owner_ref))
}

/// Unix time of the last commit that changed `target` (a file or directory in a git work
/// tree), from HEAD's history. No network.
pub fn last_commit_time(target: &Path) -> Result<i64, String> {
    let real = target
        .canonicalize()
        .map_err(|_| format!("{} does not exist", target.display()))?;
    let start = if real.is_dir() {
        real.clone()
    } else {
        real.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let repo =
        git2::Repository::discover(&start).map_err(|_| "not in a git repository".to_string())?;
    let workdir = repo
        .workdir()
        .ok_or("a bare git repository has no files")?
        .canonicalize()
        .map_err(|e| e.to_string())?;
    let rel = real
        .strip_prefix(&workdir)
        .map_err(|_| "outside the git work tree".to_string())?
        .to_path_buf();
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|_| "the git repository has no commits".to_string())?;
    if rel.as_os_str().is_empty() {
        return Ok(head.time().seconds());
    }
    let id_at = |c: &git2::Commit| -> Option<git2::Oid> {
        c.tree().ok()?.get_path(&rel).ok().map(|e| e.id())
    };
    let mut walk = repo.revwalk().map_err(|e| e.message().to_string())?;
    walk.push(head.id()).map_err(|e| e.message().to_string())?;
    let _ = walk.set_sorting(git2::Sort::TIME);
    let mut last_seen = None;
    for (n, oid) in walk.enumerate() {
        let Ok(oid) = oid else { continue };
        let Ok(commit) = repo.find_commit(oid) else {
            continue;
        };
        let here = id_at(&commit);
        if here.is_none() {
            continue;
        }
        last_seen = Some(commit.time().seconds());
        let changed = match commit.parent(0) {
            Ok(parent) => id_at(&parent) != here,
            Err(_) => true,
        };
        if changed || n > 100_000 {
            return Ok(commit.time().seconds());
        }
    }
    last_seen.ok_or_else(|| format!("{} is not committed", rel.display()))
}
