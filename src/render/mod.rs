//! Stage 8: catalog, scores, docs → the static site pages.
//!
//! One module per page family: `catalog` (home, catalog table, problems page), `entity`
//! (entity pages with their kind-specific sections), `api` (API definitions), `graph`
//! (relations drawn as SVG at build time), `json` (`api/entities.json`), `markdown`
//! (descriptions, sanitised). This module holds what they share: the theme (templates
//! compiled once), the per-entity summary rows, URL helpers and file writing.
//!
//! Every page gets a `root` prefix (`../../../../` for an entity page) so that all links are
//! relative: the site works under any base path and from `file://`. Pages are rendered in
//! parallel and written as soon as they are rendered; nothing holds the whole site.

pub mod api;
pub mod catalog;
pub mod docs_index;
pub mod entity;
pub mod graph;
pub mod json;
pub mod markdown;
pub mod not_found;
pub mod scorecards;

use crate::config::Config;
use crate::diag::{Problem, Severity};
use crate::docs::{DocSite, Docs};
use crate::model::{Catalog, Entity, EntityRef};
use crate::score::Scores;
use minijinja::Environment;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file every site has at its root (`api/entities.json`): how `portico build` recognises a
/// directory it may replace.
pub const SITE_MARKER: &str = "api/entities.json";

/// Where templates come from: the built-in default theme, overridden by name from `--theme`.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub dir: Option<std::path::PathBuf>,
}

/// The default theme, compiled into the binary so `portico build` needs no files beside it.
/// Templates are `.html`; everything else is an asset copied to `assets/`.
pub const DEFAULT_THEME: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/base.html")),
    (
        "macros.html",
        include_str!("../../themes/default/macros.html"),
    ),
    ("home.html", include_str!("../../themes/default/home.html")),
    ("404.html", include_str!("../../themes/default/404.html")),
    (
        "catalog.html",
        include_str!("../../themes/default/catalog.html"),
    ),
    (
        "entity.html",
        include_str!("../../themes/default/entity.html"),
    ),
    (
        "problems.html",
        include_str!("../../themes/default/problems.html"),
    ),
    ("docs.html", include_str!("../../themes/default/docs.html")),
    (
        "docs_index.html",
        include_str!("../../themes/default/docs_index.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/default/search.html"),
    ),
    ("docs.css", include_str!("../../themes/default/docs.css")),
    // Scorecards (src/render/scorecards.rs).
    (
        "scorecards.html",
        include_str!("../../themes/default/scorecards.html"),
    ),
    (
        "scorecard.html",
        include_str!("../../themes/default/scorecard.html"),
    ),
    (
        "scorecard_entity.html",
        include_str!("../../themes/default/scorecard_entity.html"),
    ),
    (
        "scorecard_macros.html",
        include_str!("../../themes/default/scorecard_macros.html"),
    ),
    (
        "scorecard.css",
        include_str!("../../themes/default/scorecard.css"),
    ),
    ("search.js", include_str!("../../themes/default/search.js")),
    (
        "portico.css",
        include_str!("../../themes/default/portico.css"),
    ),
    (
        "portico.js",
        include_str!("../../themes/default/portico.js"),
    ),
    (
        "diagrams.js",
        include_str!("../../themes/default/diagrams.js"),
    ),
];

/// The theme, loaded: every template compiled once, and the assets to copy.
pub struct Renderer {
    pub env: Environment<'static>,
    /// File name under `assets/` → bytes, sorted.
    pub assets: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// Compiles the default templates, then the theme directory's: a file there replaces the
    /// default of the same name (`entity.html`, `portico.css`, ...) or adds a new one.
    pub fn load(&self) -> anyhow::Result<Renderer> {
        let mut sources: BTreeMap<String, Vec<u8>> = DEFAULT_THEME
            .iter()
            .map(|(n, s)| (n.to_string(), s.as_bytes().to_vec()))
            .collect();
        if let Some(dir) = &self.dir {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                anyhow::anyhow!("cannot read theme directory {}: {e}", dir.display())
            })?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for path in files {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let bytes = std::fs::read(&path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                sources.insert(name, bytes);
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_formatter(html_formatter);
        env.add_filter("plural", plural);
        env.add_filter("truncate", truncate);
        let mut assets = BTreeMap::new();
        for (name, bytes) in sources {
            if name.ends_with(".html") {
                let text = String::from_utf8(bytes)
                    .map_err(|_| anyhow::anyhow!("template {name} is not UTF-8"))?;
                env.add_template_owned(name.clone(), text)
                    .map_err(|e| anyhow::anyhow!("template {name}: {e}"))?;
            } else {
                assets.insert(name, bytes);
            }
        }
        assets.insert("syntax.css".into(), api::syntax_css().into_bytes());
        Ok(Renderer { env, assets })
    }
}

/// Minijinja's HTML escaping also escapes `/`, which bloats every URL; this escapes only
/// what HTML needs (`& < > " '`) and leaves everything else to the default formatter.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    use minijinja::AutoEscape;
    match value.as_str() {
        Some(s) if matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe() => {
            let mut result = Ok(());
            graph::esc_each(s, |part| {
                if result.is_ok() {
                    result = out.write_str(part);
                }
            });
            result.map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
            })
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// `{{ n|plural("entity", "entities") }}` → "1 entity", "3 entities".
fn plural(n: i64, one: String, many: Option<String>) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {}", many.unwrap_or_else(|| format!("{one}s")))
    }
}

/// `{{ text|truncate(120) }}`: at most `n` characters, with an ellipsis when cut.
fn truncate(s: String, n: Option<usize>) -> String {
    let n = n.unwrap_or(255);
    if s.chars().count() <= n {
        s
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

impl Renderer {
    /// Renders template `name` with `ctx` and writes it to `out/rel`.
    pub fn page(&self, out: &Path, rel: &str, name: &str, ctx: minijinja::Value) -> io::Result<()> {
        let tmpl = self.env.get_template(name).map_err(io::Error::other)?;
        let html = tmpl
            .render(ctx)
            .map_err(|e| io::Error::other(format!("rendering {rel} with {name}: {e:#}")))?;
        write_file(out, rel, html.as_bytes())
    }
}

/// Writes `bytes` to `out/rel`, creating parent directories when they are missing (tried
/// after the write fails, not before: most files land in a directory that exists).
pub fn write_file(out: &Path, rel: &str, bytes: &[u8]) -> io::Result<()> {
    let path = out.join(rel);
    match std::fs::write(&path, bytes) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)
        }
        done => done,
    }
}

/// Creates the directory `out/rel` whose parent is expected to exist (one `mkdir`), or with
/// its parents when it does not.
pub fn create_dir(out: &Path, rel: &str) -> io::Result<()> {
    let path = out.join(rel);
    match std::fs::create_dir(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        Err(_) => std::fs::create_dir_all(&path),
    }
}

/// The `../` prefix that leads from a page at `rel` back to the site root.
pub fn root_of(rel: &str) -> String {
    "../".repeat(rel.matches('/').count())
}

/// A path segment that is safe on every file system and in a URL. Names that Backstage
/// accepts (`[A-Za-z0-9._-]`) are kept as they are; anything else (an invalid entity is
/// still shown) is replaced so that no name can leave its directory.
pub fn segment(s: &str) -> String {
    let safe = !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if safe {
        return s.to_string();
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(s.as_bytes());
    let clean: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{clean}~{hash}")
}

/// `<namespace>/<kind>/<name>` as used in every entity URL (kind and namespace lower-case).
pub fn entity_path(r: &EntityRef) -> String {
    format!(
        "{}/{}/{}",
        segment(&r.namespace.to_lowercase()),
        segment(&r.kind.to_lowercase()),
        segment(&r.name)
    )
}

/// Site-relative URL of an entity page.
pub fn entity_url(r: &EntityRef) -> String {
    format!("catalog/{}/index.html", entity_path(r))
}

/// A link to an entity, resolved or dangling (`url` is `None`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
///
/// The strings are shared (`Arc<str>`): an entity is linked from many pages and each link to
/// it is made once per build (`Site::links`), so a link is cloned, not formatted, per page.
pub struct Link {
    pub kind: Arc<str>,
    pub title: Arc<str>,
    #[serde(rename = "ref")]
    pub entity_ref: Arc<str>,
    /// Site-relative; prefix with `root` in templates.
    pub url: Option<Arc<str>>,
}

/// One entity as listed in tables and relation lists.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub title: String,
    #[serde(rename = "type")]
    pub spec_type: Option<String>,
    pub lifecycle: Option<String>,
    pub owner: Option<Link>,
    pub system: Option<Link>,
    pub domain: Option<Link>,
    pub tags: Vec<String>,
    /// Plain text, for tables and search.
    pub description: String,
    pub url: String,
    pub errors: usize,
    pub warnings: usize,
}

/// A problem as shown on pages.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemView {
    pub severity: String,
    pub rule: String,
    pub message: String,
    pub hint: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub entity: Option<Link>,
}

/// What every page family shares, computed once per build.
pub struct Site<'a> {
    pub catalog: &'a Catalog,
    pub config: &'a Config,
    pub scores: &'a Scores,
    pub title: String,
    pub rows: Vec<Row>,
    /// The link to every entity, by index.
    pub links: Vec<Link>,
    /// Every problem of the run (validation, docs, scores), in report order.
    pub problems: Vec<&'a Problem>,
    /// Indices into `problems`, per entity.
    pub problems_of: Vec<Vec<usize>>,
    pub docs_of: HashMap<usize, &'a DocSite>,
    /// What every page shows in its header (counted once).
    pub site_ctx: SiteCtx,
}

impl<'a> Site<'a> {
    pub fn new(
        catalog: &'a Catalog,
        scores: &'a Scores,
        docs: &'a Docs,
        config: &'a Config,
    ) -> Self {
        let mut problems: Vec<&Problem> = catalog
            .problems
            .iter()
            .chain(&docs.problems)
            .chain(&scores.problems)
            .collect();
        problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        problems.dedup();
        // Problems belong to an entity by its ref, or by the file and document it came from.
        let mut by_doc: HashMap<(&str, usize), usize> = HashMap::new();
        for (i, e) in catalog.entities.iter().enumerate() {
            by_doc.insert((e.source.display.as_str(), e.document), i);
        }
        let mut problems_of = vec![vec![]; catalog.entities.len()];
        for (pi, p) in problems.iter().enumerate() {
            let owner = p
                .entity
                .as_deref()
                .and_then(|r| EntityRef::parse(r, None, crate::model::DEFAULT_NAMESPACE))
                .and_then(|r| catalog.position(&r))
                .or_else(|| {
                    p.document
                        .and_then(|d| by_doc.get(&(p.file.as_str(), d)).copied())
                });
            if let Some(i) = owner {
                problems_of[i].push(pi);
            }
        }
        let docs_of = docs.sites.iter().map(|d| (d.entity, d)).collect();
        let title = config
            .site
            .title
            .clone()
            .unwrap_or_else(|| "Developer portal".to_string());
        let site_ctx = SiteCtx {
            title: title.clone(),
            errors: problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count(),
            problems: problems.len(),
        };
        let mut site = Site {
            catalog,
            config,
            scores,
            title,
            rows: vec![],
            links: catalog
                .entities
                .par_iter()
                .map(|e| Link {
                    kind: e.kind().into(),
                    title: e.title().into(),
                    entity_ref: e.entity_ref.to_string().into(),
                    url: Some(entity_url(&e.entity_ref).into()),
                })
                .collect(),
            problems,
            problems_of,
            docs_of,
            site_ctx,
        };
        site.rows = (0..catalog.entities.len())
            .into_par_iter()
            .map(|i| site.row(i))
            .collect();
        site
    }

    fn row(&self, i: usize) -> Row {
        let e = &self.catalog.entities[i];
        let (mut errors, mut warnings) = (0, 0);
        for &p in &self.problems_of[i] {
            match self.problems[p].severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
        Row {
            entity_ref: e.entity_ref.to_string(),
            kind: e.kind().to_string(),
            namespace: e.namespace().to_string(),
            name: e.name().to_string(),
            title: e.title().to_string(),
            spec_type: e.spec_str("type").map(str::to_string),
            lifecycle: e.spec_str("lifecycle").map(str::to_string),
            owner: self.spec_link(e, "owner", "Group"),
            system: self.spec_link(e, "system", "System"),
            domain: self.spec_link(e, "domain", "Domain"),
            tags: e.tags().into_iter().map(str::to_string).collect(),
            description: e
                .description()
                .map(markdown::plain_text)
                .unwrap_or_default(),
            url: entity_url(&e.entity_ref),
            errors,
            warnings,
        }
    }

    /// The link for a reference written in `spec.<field>` of `e`, with Backstage's default
    /// kind for that field and the entity's namespace.
    pub fn spec_link(&self, e: &Entity, field: &str, default_kind: &str) -> Option<Link> {
        let text = e.spec_str(field)?;
        let r = EntityRef::parse(text, Some(default_kind), e.namespace())?;
        Some(self.link(&r))
    }

    /// A link to `r`: to its page when it exists, dangling otherwise.
    pub fn link(&self, r: &EntityRef) -> Link {
        match self.catalog.position(r) {
            Some(i) => self.link_to(i),
            None => Link {
                kind: r.kind.as_str().into(),
                title: r.name.as_str().into(),
                entity_ref: r.to_string().into(),
                url: None,
            },
        }
    }

    /// The link to entity `i` (made once per build, see `Site::links`).
    pub fn link_to(&self, i: usize) -> Link {
        self.links[i].clone()
    }

    pub fn problem_view(&self, p: &Problem) -> ProblemView {
        ProblemView {
            severity: p.severity.to_string(),
            rule: p.rule.clone(),
            message: p.message.clone(),
            hint: p.hint.clone(),
            file: p.file.clone(),
            line: p.span.start.line,
            column: p.span.start.column,
            entity: p
                .entity
                .as_deref()
                .and_then(|r| EntityRef::parse(r, None, crate::model::DEFAULT_NAMESPACE))
                .map(|r| self.link(&r)),
        }
    }

    /// The context every page gets: `root`, `site`, and `nav` (the active section).
    pub fn base_ctx(&self, rel: &str, nav: &str) -> BaseCtx {
        BaseCtx {
            root: root_of(rel),
            site: self.site_ctx.clone(),
            nav: nav.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteCtx {
    pub title: String,
    pub errors: usize,
    pub problems: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaseCtx {
    pub root: String,
    pub site: SiteCtx,
    pub nav: String,
}

/// Writes every catalog, entity, team, system, API and problems page into `out`, plus the
/// JSON API and the theme's assets.
pub fn site(
    catalog: &Catalog,
    scores: &Scores,
    docs: &Docs,
    config: &Config,
    theme: &Theme,
    out: &Path,
) -> io::Result<()> {
    let renderer = theme.load().map_err(io::Error::other)?;
    site_with(catalog, scores, docs, config, &renderer, out)
}

/// As `site`, with an already loaded theme.
pub fn site_with(
    catalog: &Catalog,
    scores: &Scores,
    docs: &Docs,
    config: &Config,
    renderer: &Renderer,
    out: &Path,
) -> io::Result<()> {
    let site = Site::new(catalog, scores, docs, config);
    for (name, bytes) in &renderer.assets {
        write_file(out, &format!("assets/{name}"), bytes)?;
    }
    let jobs: [&(dyn Fn() -> io::Result<()> + Sync); 7] = [
        &|| catalog::home(&site, renderer, out),
        &|| not_found::page(&site, renderer, out),
        &|| docs_index::page(&site, renderer, out),
        &|| catalog::table(&site, renderer, out),
        &|| catalog::problems(&site, renderer, out),
        &|| json::all(&site, out),
        &|| scorecards::pages(&site, renderer, out),
    ];
    jobs.par_iter().try_for_each(|job| job())?;
    // The per-kind directories once, so that each entity costs one mkdir (its page's).
    let kinds: std::collections::BTreeSet<String> = catalog
        .entities
        .iter()
        .map(|e| entity_path(&e.entity_ref))
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir.to_string()))
        .collect();
    for dir in &kinds {
        std::fs::create_dir_all(out.join("catalog").join(dir))?;
        std::fs::create_dir_all(out.join("api/entities").join(dir))?;
    }
    (0..catalog.entities.len())
        .into_par_iter()
        .try_for_each(|i| {
            entity::page(&site, renderer, out, i)?;
            json::one(&site, out, i)
        })
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small hand-made catalog, with relations in both directions, for unit tests of the
    //! page families.
    use crate::diag::Span;
    use crate::discover::SourceFile;
    use crate::model::{Catalog, Entity, EntityRef, Relation};
    use crate::parse::{Node, Value};
    use serde_json::json;

    pub fn entity(kind: &str, name: &str, spec: serde_json::Value) -> Entity {
        entity_with(kind, name, json!({}), spec)
    }

    pub fn entity_with(
        kind: &str,
        name: &str,
        metadata: serde_json::Value,
        spec: serde_json::Value,
    ) -> Entity {
        let mut meta = json!({"name": name, "namespace": "default"});
        for (k, v) in metadata.as_object().unwrap() {
            meta[k] = v.clone();
        }
        Entity {
            entity_ref: EntityRef::new(kind, "default", name),
            data: json!({
                "apiVersion": "backstage.io/v1alpha1",
                "kind": kind,
                "metadata": meta,
                "spec": spec,
            }),
            spans: crate::parse::Spans::of(&Node::new(Span::point(1, 1), Value::Null)),
            source: SourceFile {
                path: format!("repo/{name}/catalog-info.yaml").into(),
                display: format!("repo/{name}/catalog-info.yaml"),
                repo: format!("repo/{name}").into(),
            },
            document: 0,
            valid: true,
        }
    }

    /// Builds a catalog; `rels` are (from, relation, to) by name, added with their inverse.
    pub fn catalog(entities: Vec<Entity>, rels: &[(&str, &'static str, &str)]) -> Catalog {
        let mut c = Catalog {
            files: entities.len(),
            ..Catalog::default()
        };
        c.entities = entities;
        c.entities.sort_by_key(|e| e.entity_ref.key());
        for (i, e) in c.entities.iter().enumerate() {
            c.index.insert(e.entity_ref.key(), i);
        }
        c.relations = vec![vec![]; c.entities.len()];
        let find = |c: &Catalog, name: &str| {
            c.entities
                .iter()
                .position(|e| e.name() == name)
                .map(|i| (i, c.entities[i].entity_ref.clone()))
        };
        for &(from, kind, to) in rels {
            let (fi, fr) = find(&c, from).expect("from exists");
            let target = find(&c, to);
            let tr = target
                .clone()
                .map(|t| t.1)
                .unwrap_or_else(|| EntityRef::parse(to, Some("Group"), "default").unwrap());
            c.relations[fi].push(Relation {
                kind,
                target: tr,
                resolved: target.as_ref().map(|t| t.0),
            });
            if let Some((ti, _)) = target {
                c.relations[ti].push(Relation {
                    kind: super::entity::inverse(kind),
                    target: fr,
                    resolved: Some(fi),
                });
            }
        }
        for r in &mut c.relations {
            r.sort();
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{catalog, entity, entity_with};
    use super::*;
    use serde_json::json;

    /// A small organisation exercising every page family.
    pub(crate) fn sample() -> Catalog {
        let openapi = json!({
            "openapi": "3.0.0", "info": {"title": "Payments API", "version": "2.1.0", "description": "Take **payments**."},
            "paths": {
                "/payments": {"post": {"summary": "Create a payment", "operationId": "createPayment",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}},
                    "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}}, "400": {"description": "Invalid"}}}},
                "/payments/{id}": {"get": {"summary": "Get a payment", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                    "responses": {"200": {"description": "The payment"}}}}
            },
            "components": {"schemas": {"Payment": {"type": "object", "required": ["amount"], "properties": {
                "id": {"type": "string", "format": "uuid"}, "amount": {"type": "integer", "description": "In cents"},
                "currency": {"type": "string", "enum": ["EUR", "USD"]}}}}}
        });
        catalog(
            vec![
                entity_with(
                    "Group",
                    "engineering",
                    json!({"title": "Engineering"}),
                    json!({"type": "department", "children": []}),
                ),
                entity_with(
                    "Group",
                    "payments-team",
                    json!({"title": "Payments Team", "description": "Owns the money flow."}),
                    json!({"type": "team", "profile": {"email": "payments@example.com"}}),
                ),
                entity_with("Group", "idle-team", json!({}), json!({"type": "team"})),
                entity_with(
                    "User",
                    "ada",
                    json!({}),
                    json!({"profile": {"displayName": "Ada Lovelace", "email": "ada@example.com"}, "memberOf": ["payments-team"]}),
                ),
                entity_with(
                    "Domain",
                    "commerce",
                    json!({"description": "Selling things."}),
                    json!({"owner": "engineering"}),
                ),
                entity_with(
                    "System",
                    "payments",
                    json!({"description": "Everything about **money**."}),
                    json!({"owner": "payments-team", "domain": "commerce"}),
                ),
                entity_with(
                    "Component",
                    "payments-service",
                    json!({"title": "Payments Service", "description": "Takes payments. <script>alert('x')</script>", "tags": ["java", "payments"],
                           "links": [{"url": "https://dashboards.example.com/pay", "title": "Dashboard"}, {"url": "javascript:alert(1)", "title": "Evil"}],
                           "annotations": {"backstage.io/techdocs-ref": "dir:."}}),
                    json!({"type": "service", "lifecycle": "production", "owner": "payments-team", "system": "payments", "providesApis": ["payments-api"], "dependsOn": ["resource:payments-db"]}),
                ),
                entity_with(
                    "Component",
                    "checkout-web",
                    json!({"tags": ["react"]}),
                    json!({"type": "website", "lifecycle": "experimental", "owner": "group:default/ghost-team", "consumesApis": ["payments-api"]}),
                ),
                entity(
                    "API",
                    "payments-api",
                    json!({"type": "openapi", "lifecycle": "production", "owner": "payments-team", "system": "payments", "definition": openapi.to_string()}),
                ),
                entity(
                    "Resource",
                    "payments-db",
                    json!({"type": "database", "owner": "payments-team", "system": "payments"}),
                ),
            ],
            &[
                ("engineering", "parentOf", "payments-team"),
                ("engineering", "parentOf", "idle-team"),
                ("payments-team", "hasMember", "ada"),
                ("engineering", "ownerOf", "commerce"),
                ("commerce", "hasPart", "payments"),
                ("payments-team", "ownerOf", "payments"),
                ("payments-team", "ownerOf", "payments-service"),
                ("payments-team", "ownerOf", "payments-api"),
                ("payments-team", "ownerOf", "payments-db"),
                ("payments", "hasPart", "payments-service"),
                ("payments", "hasPart", "payments-api"),
                ("payments", "hasPart", "payments-db"),
                ("payments-service", "providesApi", "payments-api"),
                ("payments-service", "dependsOn", "payments-db"),
                ("checkout-web", "consumesApi", "payments-api"),
                ("checkout-web", "ownedBy", "ghost-team"),
            ],
        )
    }

    fn build(out: &Path, theme: &Theme) {
        let mut c = sample();
        c.problems.push(
            Problem::warning(
                "ref/dangling",
                "repo/checkout-web/catalog-info.yaml",
                crate::diag::Span::point(9, 12),
                "owner group:default/ghost-team does not exist",
            )
            .with_entity("component:default/checkout-web"),
        );
        site(
            &c,
            &Scores::default(),
            &Docs::default(),
            &Config::default(),
            theme,
            out,
        )
        .unwrap();
    }

    /// Every `href`/`src` that is not external must name a file of the site.
    pub(crate) fn broken_links(out: &Path) -> Vec<String> {
        let re = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
        let mut broken = vec![];
        for entry in ignore::WalkBuilder::new(out)
            .hidden(false)
            .build()
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let html = std::fs::read_to_string(path).unwrap();
            for cap in re.captures_iter(&html) {
                let href = cap[1].replace("&#x2f;", "/").replace("&amp;", "&");
                if href.contains("://") || href.starts_with("mailto:") || href.starts_with('#') {
                    continue;
                }
                let file = href.split(['#', '?']).next().unwrap();
                if file.is_empty() || file == "search.html" || file.ends_with("/search.html") {
                    continue; // the search page belongs to the search stage
                }
                let target = path.parent().unwrap().join(file);
                if !target.is_file() {
                    broken.push(format!("{}: {href}", path.display()));
                }
            }
        }
        broken
    }

    #[test]
    fn renders_every_page_with_working_links() {
        let dir = tempfile::tempdir().unwrap();
        let out = match std::env::var_os("PORTICO_KEEP_SITE") {
            Some(p) => {
                let _ = std::fs::remove_dir_all(&p);
                PathBuf::from(p)
            }
            None => dir.path().to_path_buf(),
        };
        build(&out, &Theme::default());
        let read = |rel: &str| std::fs::read_to_string(out.join(rel)).unwrap();
        let svc = read("catalog/default/component/payments-service/index.html");
        // Owner link resolves to the group page, relative to this page.
        assert!(
            svc.contains(r#"href="../../../../catalog/default/group/payments-team/index.html""#)
        );
        // Scripts in descriptions never run; unsafe link schemes are not links.
        assert!(
            !svc.contains("<script>alert"),
            "description script survived"
        );
        assert!(!svc.contains("javascript:"));
        assert!(svc.contains("<svg class=\"graph\""));
        // Relations both ways.
        let team = read("catalog/default/group/payments-team/index.html");
        assert!(team.contains("data-relation=\"ownerOf\"") && team.contains("Payments Service"));
        assert!(svc.contains("data-relation=\"ownedBy\""));
        let org = read("catalog/default/group/engineering/index.html");
        assert!(org.contains("Owned through") && org.contains("payments-service/index.html"));
        let api = read("catalog/default/api/payments-api/index.html");
        assert!(api.contains("createPayment") && api.contains("definition.json"));
        assert!(out
            .join("catalog/default/api/payments-api/definition.json")
            .is_file());
        let problems = read("problems/index.html");
        assert!(problems.contains("group:default/ghost-team"));
        assert!(problems.contains("idle-team"));
        let json: serde_json::Value = serde_json::from_str(&read("api/entities.json")).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 10);
        let one: serde_json::Value = serde_json::from_str(&read(
            "api/entities/default/component/payments-service.json",
        ))
        .unwrap();
        assert!(one["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "ownedBy" && r["targetRef"] == "group:default/payments-team"));
        let broken = broken_links(&out);
        assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    }

    #[test]
    fn output_is_deterministic() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        build(a.path(), &Theme::default());
        build(b.path(), &Theme::default());
        let files = |p: &Path| {
            let mut v: Vec<(PathBuf, Vec<u8>)> = ignore::WalkBuilder::new(p)
                .hidden(false)
                .build()
                .flatten()
                .filter(|e| e.path().is_file())
                .map(|e| {
                    (
                        e.path().strip_prefix(p).unwrap().to_path_buf(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        let (fa, fb) = (files(a.path()), files(b.path()));
        assert!(fa.len() > 20);
        assert!(fa == fb, "two builds differ");
    }

    #[test]
    fn theme_overrides_templates_by_name() {
        let theme_dir = tempfile::tempdir().unwrap();
        std::fs::write(
            theme_dir.path().join("home.html"),
            "{% extends \"base.html\" %}{% block content %}CUSTOM HOME{% endblock %}",
        )
        .unwrap();
        std::fs::write(theme_dir.path().join("extra.css"), "body{}").unwrap();
        let out = tempfile::tempdir().unwrap();
        build(
            out.path(),
            &Theme {
                dir: Some(theme_dir.path().to_path_buf()),
            },
        );
        let home = std::fs::read_to_string(out.path().join("index.html")).unwrap();
        assert!(home.contains("CUSTOM HOME") && home.contains("id=\"search-input\""));
        assert!(out.path().join("assets/extra.css").is_file());
        // A broken template is a clear error, not a panic.
        std::fs::write(theme_dir.path().join("home.html"), "{% if %}").unwrap();
        let err = Theme {
            dir: Some(theme_dir.path().to_path_buf()),
        }
        .load()
        .err()
        .unwrap();
        assert!(err.to_string().contains("home.html"), "{err}");
    }

    #[test]
    fn unsafe_names_stay_inside_the_site() {
        assert_eq!(segment("payments-api"), "payments-api");
        let s = segment("../../etc");
        assert!(!s.contains('/') && !s.starts_with('.'), "{s}");
        assert_ne!(segment("a b"), segment("a_b"));
        assert_eq!(
            root_of("catalog/default/component/x/index.html"),
            "../../../../"
        );
    }
}
