//! Stage 6: TechDocs input (`mkdocs.yml` + `docs/` beside an entity with
//! `backstage.io/techdocs-ref: dir:PATH`) → HTML pages streamed to
//! `docs/<namespace>/<kind>/<name>/` in the output directory.
//!
//! Per doc site (in parallel, and its pages in parallel): read mkdocs.yml, list docs_dir,
//! build the nav, render every page (Markdown → HTML → template) and write it at once, in
//! MkDocs' `use_directory_urls` layout (`guide/setup.md` → `guide/setup/index.html`), copy
//! the other files, then check every internal link and anchor. Only small per-page records
//! are kept (URL, title, anchors, section text for search).

pub mod git;
pub mod highlight;
pub mod inline;
pub mod markdown;
pub mod mkdocs;
pub mod slug;
pub mod template;

use crate::config::Config;
use crate::diag::{Problem, Span};
use crate::model::{Catalog, Entity};
use markdown::{LinkRef, Section};
use mkdocs::{MkDocs, NavItem};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";

/// What was written: per entity with docs, its pages (for nav, search and the entity page).
#[derive(Debug, Clone, Default)]
pub struct Docs {
    pub sites: Vec<DocSite>,
    pub problems: Vec<Problem>,
    /// Plugins, extensions and fence languages portico showed as-is or ignored, with the
    /// number of places each was met. Printed once per build (see `skipped_message`).
    pub skipped: BTreeMap<String, usize>,
    /// Pages with Mermaid diagrams: when there are any, the site gets `assets/mermaid.min.js`.
    pub diagram_pages: usize,
}

impl Docs {
    /// The one build message listing what was skipped, if anything was.
    pub fn skipped_message(&self) -> Option<String> {
        if self.skipped.is_empty() {
            return None;
        }
        let list: Vec<String> = self
            .skipped
            .iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        Some(format!(
            "docs: not rendered by portico, shown as written: {}",
            list.join(", ")
        ))
    }

    /// The doc site of entity `i`, if it has one.
    pub fn site_of(&self, entity: usize) -> Option<&DocSite> {
        self.sites.iter().find(|s| s.entity == entity)
    }
}

#[derive(Debug, Clone, Default)]
pub struct DocSite {
    /// Index into `Catalog::entities`.
    pub entity: usize,
    pub site_name: String,
    pub description: Option<String>,
    /// Site-relative URL of the docs home page, e.g. `docs/default/component/x/index.html`
    /// (with `index.html`, so the link works from disk too).
    pub url: String,
    /// Site-relative folder of the docs, e.g. `docs/default/component/x/`.
    pub dir: String,
    /// Number of pages written.
    pub pages: usize,
    /// The pages, in nav order first, then the others by path.
    pub records: Vec<DocPage>,
    /// Top-level nav entries: (title, site-relative URL) — for the entity page.
    pub nav: Vec<(String, String)>,
    pub repo_url: Option<String>,
    /// Newest "last updated" date of any page (`YYYY-MM-DD`), from git.
    pub last_updated: Option<String>,
}

/// A small record per page: enough for search, link checking and listings.
#[derive(Debug, Clone, Default)]
pub struct DocPage {
    /// Site-relative URL of the page directory, e.g. `docs/default/component/x/guide/setup/`.
    pub url: String,
    pub title: String,
    /// Source path relative to docs_dir.
    pub path: String,
    pub anchors: Vec<String>,
    /// Text split at headings, for search; `search::build` takes it (empty afterwards).
    pub sections: Vec<Section>,
}

/// Longest section text kept for search (characters); longer text is cut at a word.
pub const MAX_SECTION_TEXT: usize = 2000;

/// Where the entity page of `entity` lives (site-relative, `…/index.html`).
pub fn entity_page_url(e: &Entity) -> String {
    crate::render::entity_url(&e.entity_ref)
}

/// The folder of the docs of `e` (site-relative, ends with `/`).
pub fn docs_dir_url(e: &Entity) -> String {
    format!("docs/{}/", crate::render::entity_path(&e.entity_ref))
}

/// One doc site to build: an entity and the directory its techdocs-ref names.
#[derive(Debug, Clone)]
struct SiteInput {
    entity: usize,
    mkdocs: PathBuf,
    mkdocs_display: String,
    /// The git work tree holding the docs (for dates), if any.
    git_root: Option<PathBuf>,
    /// The repository the entity belongs to (canonical): snippets may not leave it.
    confine: PathBuf,
}

/// Renders every entity's docs into `out` with the theme's `docs.html`.
pub fn build(
    catalog: &Catalog,
    config: &Config,
    renderer: &crate::render::Renderer,
    out: &Path,
) -> Docs {
    let timer = crate::Timer::new();
    let mut docs = Docs::default();
    let inputs = find_sites(catalog, &mut docs.problems);
    timer.lap("docs: find sites");
    if inputs.is_empty() {
        return docs;
    }
    highlight::prepare();
    let env = match template::Templates::new(renderer, config, catalog) {
        Ok(t) => t,
        Err(e) => {
            docs.problems.push(Problem::error(
                "docs/template",
                "docs.html",
                Span::file_start(),
                format!("cannot load the docs template: {e}"),
            ));
            return docs;
        }
    };
    // List every site first, so that each git repository's history is walked once for all
    // the docs in it (a monorepo holds hundreds of doc sites), then render.
    let plans: Vec<Planned> = inputs
        .par_iter()
        .map(|input| plan_site(input, catalog))
        .collect();
    timer.lap("docs: plan");
    let histories = histories(plans.iter().filter_map(|p| match p {
        Planned::Site(plan) => Some(plan),
        Planned::Nothing(_) => None,
    }));
    timer.lap("docs: git histories");
    let memo = highlight::Memo::default();
    // Sites in batches of about CODE_BATCH pages, so that their code is highlighted together.
    let mut batches: Vec<Vec<Planned>> = vec![];
    let mut pages_in_last = CODE_BATCH;
    for plan in plans {
        if pages_in_last >= CODE_BATCH {
            batches.push(vec![]);
            pages_in_last = 0;
        }
        pages_in_last += match &plan {
            Planned::Site(p) => p.pages.len(),
            Planned::Nothing(_) => 0,
        };
        batches.last_mut().expect("pushed above").push(plan);
    }
    let results: Vec<SiteOutput> = batches
        .into_par_iter()
        .flat_map_iter(|batch| build_sites(batch, catalog, &env, &histories, &memo, out))
        .collect();
    let (blocks, hits, kept) = memo.stats();
    drop(memo);
    timer.lap(&format!(
        "docs: pages (code blocks: {blocks}, {hits} from the memo, {} MiB kept)",
        kept >> 20
    ));
    // Links between doc sites (`/docs/<ns>/<kind>/<name>/page/#anchor`) are checked once
    // every site is known.
    let mut by_url: HashMap<String, (usize, usize)> = HashMap::new();
    for (si, r) in results.iter().enumerate() {
        if let Some(site) = &r.site {
            for (pi, p) in site.records.iter().enumerate() {
                by_url.insert(p.url.to_lowercase(), (si, pi));
            }
        }
    }
    for r in &results {
        for x in &r.cross {
            let key = x.target.to_lowercase();
            let key = if key.ends_with('/') || key.is_empty() {
                key
            } else {
                format!("{key}/")
            };
            match by_url.get(&key) {
                None => docs.problems.push(
                    broken(&x.file, &x.link, format!("no doc page at `/{}`", x.target))
                        .with_entity(r.entity_ref.clone()),
                ),
                Some(&(si, pi)) => {
                    if let Some(a) = &x.anchor {
                        let page = &results[si].site.as_ref().expect("indexed").records[pi];
                        if !page.anchors.iter().any(|x| x == a) {
                            docs.problems.push(
                                broken(
                                    &x.file,
                                    &x.link,
                                    format!("`/{}` has no anchor `#{a}`", x.target),
                                )
                                .with_entity(r.entity_ref.clone()),
                            );
                        }
                    }
                }
            }
        }
    }
    for r in results {
        docs.problems.extend(r.problems);
        docs.diagram_pages += r.diagram_pages;
        for (k, n) in r.skipped {
            *docs.skipped.entry(k).or_default() += n;
        }
        if let Some(s) = r.site {
            docs.sites.push(s);
        }
    }
    docs.sites.sort_by_key(|s| s.entity);
    if docs.diagram_pages > 0 {
        if let Err(e) = write_mermaid(renderer, out) {
            docs.problems.push(Problem::error(
                "docs/write",
                "assets/mermaid.min.js",
                Span::file_start(),
                format!("cannot write Mermaid for the site's diagrams: {e}"),
            ));
        }
    }
    crate::diag::sort_problems(&mut docs.problems);
    timer.lap("docs: links between sites");
    docs
}

/// Mermaid 11.17.2 (MIT), the browser build that needs no module loader, so that diagrams are
/// drawn from `file://` too and nothing is fetched from a CDN. Written only for sites with
/// diagrams; a theme directory's own `mermaid.min.js` takes its place.
const MERMAID_JS: &[u8] = include_bytes!("../../themes/default/vendor/mermaid.min.js");
const MERMAID_LICENSE: &[u8] = include_bytes!("../../themes/default/vendor/mermaid.LICENSE.txt");

fn write_mermaid(renderer: &crate::render::Renderer, out: &Path) -> std::io::Result<()> {
    if renderer.assets.contains_key("mermaid.min.js") {
        return Ok(());
    }
    crate::render::write_file(out, "assets/mermaid.min.js", MERMAID_JS)?;
    crate::render::write_file(out, "assets/mermaid.LICENSE.txt", MERMAID_LICENSE)
}

/// Entities with `techdocs-ref: dir:PATH` whose PATH holds a mkdocs file, in entity order,
/// with the git repository of each (found once for all the sites in one repository).
fn find_sites(catalog: &Catalog, problems: &mut Vec<Problem>) -> Vec<SiteInput> {
    let _ = &problems;
    let mut sites: Vec<(SiteInput, PathBuf)> = catalog
        .entities
        .par_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let r = e.annotation(TECHDOCS_REF)?;
            // `url:` refs point at another repository; nothing local to render.
            let rel = r.strip_prefix("dir:")?;
            let dir = crate::model::techdocs_dir(e)?;
            // Without mkdocs.yml: the catalog stage reports the techdocs-ref.
            let mk = mkdocs::find(&dir)?;
            let display_dir = e
                .source
                .display
                .rsplit_once('/')
                .map(|(d, _)| d)
                .unwrap_or("");
            let name = mk
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("mkdocs.yml");
            let mkdocs_display =
                mkdocs::join_display(display_dir, &format!("{}/{name}", rel.trim()));
            let confine = e
                .source
                .repo
                .canonicalize()
                .or_else(|_| std::path::absolute(&e.source.repo))
                .unwrap_or_else(|_| e.source.repo.clone());
            Some((
                SiteInput {
                    entity: i,
                    mkdocs: mk,
                    mkdocs_display,
                    git_root: None,
                    confine,
                },
                dir,
            ))
        })
        .collect();
    let mut roots = git::RepoRoots::default();
    for (site, dir) in &mut sites {
        site.git_root = roots.of(dir);
    }
    sites.into_iter().map(|(site, _)| site).collect()
}

#[derive(Debug, Default)]
struct SiteOutput {
    site: Option<DocSite>,
    problems: Vec<Problem>,
    skipped: BTreeMap<String, usize>,
    diagram_pages: usize,
    cross: Vec<CrossLink>,
    /// The entity whose docs these are, for `Problem::entity`.
    entity_ref: String,
}

#[derive(Debug)]
struct CrossLink {
    file: String,
    link: LinkRef,
    /// Site-relative target, e.g. `docs/default/component/x/guide/`.
    target: String,
    anchor: Option<String>,
}

/// The git history of every repository holding docs, keyed by its work-tree root: one walk
/// per repository for the pages of all its doc sites (in parallel across repositories). A
/// walk stops once every page asked for has a date, so the set asked for is fixed before any
/// walk starts: dates never depend on which site was built first.
fn histories<'a>(plans: impl Iterator<Item = &'a SitePlan<'a>>) -> HashMap<PathBuf, git::History> {
    let mut by_root: BTreeMap<&Path, (BTreeSet<&str>, HashSet<String>)> = BTreeMap::new();
    for plan in plans {
        let Some(root) = &plan.input.git_root else {
            continue;
        };
        if plan.git_prefixes.is_empty() {
            continue;
        }
        let (prefixes, wanted) = by_root.entry(root.as_path()).or_default();
        prefixes.extend(plan.git_prefixes.iter().map(String::as_str));
        wanted.extend(plan.pages.iter().filter_map(|p| p.git.clone()));
    }
    // Every root holds `.git`: that is how `RepoRoots` found it.
    by_root
        .into_par_iter()
        .filter_map(|(root, (prefixes, wanted))| {
            let prefixes: Vec<String> = prefixes.into_iter().map(String::from).collect();
            git::history(root, &prefixes, &wanted).map(|h| (root.to_path_buf(), h))
        })
        .collect()
}

/// The path in its repository of page `rel` of docs at `prefix` (`/`-separated; the docs
/// listing neither follows nor returns symbolic links, so no page needs a `realpath`).
fn in_repo(prefix: &str, rel: &str) -> String {
    if prefix.is_empty() {
        rel.to_string()
    } else {
        format!("{prefix}/{rel}")
    }
}

/// A doc site listed but not rendered yet: its mkdocs.yml, pages and other files.
struct SitePlan<'a> {
    input: &'a SiteInput,
    /// Problems and skipped features met so far.
    so: SiteOutput,
    cfg: MkDocs,
    pages: Vec<PageSrc>,
    assets: Vec<AssetSrc>,
    /// The docs folders (the site's, and those it includes) relative to the git work tree,
    /// when the docs are in one.
    git_prefixes: Vec<String>,
    /// The sites its nav includes (the monorepo plugin's `!include` / `*include`).
    includes: Includes,
}

/// A file of a docs_dir that is not a page (image, download), copied beside the pages.
struct AssetSrc {
    /// Where it goes, relative to the site root (as pages link to it).
    rel: String,
    file: PathBuf,
    display: String,
}

/// The sites a nav includes, as the monorepo plugin (which techdocs-core turns on) merges
/// them: each one's docs_dir under its alias, its nav where the statement stands.
#[derive(Default)]
struct Includes {
    /// In nav order; pages of part `k + 1` belong to `sites[k]`.
    sites: Vec<Included>,
    /// Each statement as written → the sites it includes (one for `!include`, the matches of
    /// `*include`, in path order). Statements that include nothing are absent.
    by_statement: HashMap<String, Vec<usize>>,
}

struct Included {
    alias: String,
    /// Its settings, `repo_url` and `edit_uri` filled in from the including site's as the
    /// plugin does.
    cfg: MkDocs,
    /// Its pages (indexes into the site's pages), in its docs listing order.
    pages: Vec<usize>,
}

impl Included {
    /// A page's path in this site's own docs_dir (its site path without the alias).
    fn inner<'p>(&self, rel: &'p str) -> &'p str {
        &rel[self.alias.len() + 1..]
    }
}

/// A page of a site before rendering.
#[derive(Debug, Clone)]
struct PageSrc {
    /// Relative to docs_dir, `/`-separated.
    rel: String,
    /// Relative to the site root, a directory URL (`` for the home page, `guide/setup/`).
    url: String,
    file: PathBuf,
    display: String,
    /// 0 for the site's own docs_dir, `k + 1` for `Includes::sites[k]`.
    part: usize,
    /// Its path in its git repository, when it is in one (for "last updated").
    git: Option<String>,
}

/// MkDocs' `use_directory_urls`: `index.md`/`README.md` → the folder, `x.md` → `x/`.
pub fn page_url(rel: &str) -> String {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    let (dir, name) = match stem.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), stem),
    };
    if matches!(name, "index" | "README" | "readme") {
        dir
    } else {
        format!("{dir}{name}/")
    }
}

/// A relative href from directory URL `from` to site path `to` (both relative to one root).
pub fn relative_href(from: &str, to: &str) -> String {
    let from_parts: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let mut common = 0;
    while common < from_parts.len()
        && common + 1 < to_parts.len()
        && from_parts[common] == to_parts[common]
    {
        common += 1;
    }
    let mut s = "../".repeat(from_parts.len() - common);
    s.push_str(&to_parts[common..].join("/"));
    s
}

/// The href of a page directory URL, with `index.html` so that it opens from disk too.
fn page_href(from: &str, to_dir: &str) -> String {
    format!("{}index.html", relative_href(from, to_dir))
}

fn broken(file: &str, link: &LinkRef, message: String) -> Problem {
    Problem::warning(
        "docs/broken-link",
        file,
        Span::point(link.line, link.column),
        message,
    )
    .with_hint("fix the path or anchor; `--strict` makes broken links errors")
}

/// A site to render, or the problems of one with nothing to render.
/// (One value per doc site, alive between listing and rendering: size does not matter.)
#[allow(clippy::large_enum_variant)]
enum Planned<'a> {
    Site(SitePlan<'a>),
    Nothing(SiteOutput),
}

/// Reads a site's mkdocs.yml and lists its docs_dir.
fn plan_site<'a>(input: &'a SiteInput, catalog: &Catalog) -> Planned<'a> {
    let mut so = SiteOutput::default();
    let entity = &catalog.entities[input.entity];
    so.entity_ref = entity.entity_ref.to_string();
    let (cfg, problems) = mkdocs::load(&input.mkdocs, &input.mkdocs_display);
    so.problems.extend(problems);
    for u in cfg.unsupported() {
        *so.skipped.entry(u).or_default() += 1;
    }
    let docs_dir_name = cfg.docs_dir_name();
    let docs_display = cfg.docs_display();
    if !cfg.docs_dir.is_dir() {
        so.problems.push(Problem::warning(
            "docs/missing-docs-dir",
            &input.mkdocs_display,
            Span::file_start(),
            format!("docs_dir `{docs_dir_name}` does not exist; no pages to render"),
        ));
        return Planned::Nothing(so);
    }
    let mut pages: Vec<PageSrc> = Vec::new();
    let mut assets: Vec<AssetSrc> = Vec::new();
    let mut git_prefixes = Vec::new();
    let part = DocsPart {
        prefix: "",
        dir: &cfg.docs_dir,
        display: &docs_display,
        index: 0,
        git_root: input.git_root.as_deref(),
    };
    git_prefixes.extend(part.list(&mut pages, &mut assets));
    let mut includes = Includes::default();
    if let Some(nav) = &cfg.nav {
        let statements = mkdocs::nav_includes(nav);
        if !statements.is_empty() {
            includes = plan_includes(input, &cfg, &docs_dir_name, &statements, &mut so.problems);
            for (k, inc) in includes.sites.iter_mut().enumerate() {
                let alias = format!("{}/", inc.alias);
                let display = inc.cfg.docs_display();
                let part = DocsPart {
                    prefix: &alias,
                    dir: &inc.cfg.docs_dir,
                    display: &display,
                    index: k + 1,
                    git_root: input.git_root.as_deref(),
                };
                let first = pages.len();
                git_prefixes.extend(part.list(&mut pages, &mut assets));
                inc.pages = (first..pages.len()).collect();
            }
            // Docs merged under an alias replace the site's own files of the same name, as
            // the plugin's copy does.
            if let Some(new_index) = keep_last(&mut pages, |p| &p.rel) {
                for inc in &mut includes.sites {
                    inc.pages.retain_mut(|p| match new_index[*p] {
                        Some(n) => {
                            *p = n;
                            true
                        }
                        None => false,
                    });
                }
            }
            keep_last(&mut assets, |a| &a.rel);
        }
    }
    Planned::Site(SitePlan {
        input,
        so,
        cfg,
        pages,
        assets,
        git_prefixes,
        includes,
    })
}

/// Resolves the include statements of a site's nav: loads each included mkdocs file (once,
/// however many statements name it), as the monorepo plugin does and with its rules; what
/// it would stop the build for is an error at the statement, and that entry is left out.
fn plan_includes(
    input: &SiteInput,
    cfg: &MkDocs,
    docs_dir_name: &str,
    statements: &[&crate::parse::Node],
    problems: &mut Vec<Problem>,
) -> Includes {
    let root = cfg.file.parent().unwrap_or(Path::new("."));
    let root_norm = crate::discover::normalize_lexical(root);
    let root_display = input.mkdocs_display.rsplit_once('/').map_or("", |(d, _)| d);
    let display = &input.mkdocs_display;
    let error = |span: Span, message: String| {
        Problem::error("docs/mkdocs-include", display, span, message).with_hint(
            "the monorepo plugin (on with techdocs-core) includes `Title: '!include path/mkdocs.yml'`, a file under this mkdocs.yml's folder with a `site_name`",
        )
    };
    let mut out = Includes::default();
    let mut by_file: HashMap<PathBuf, usize> = HashMap::new();
    let mut aliases: HashMap<String, PathBuf> = HashMap::new();
    for node in statements {
        let Some(statement) = node.as_str() else {
            continue;
        };
        let files: Vec<(PathBuf, String)> =
            if let Some(glob) = statement.strip_prefix(mkdocs::GLOB_INCLUDE) {
                let glob = glob.trim();
                if !mkdocs::is_yaml_name(glob) {
                    problems.push(error(
                        node.span,
                        format!("`*include {glob}` must match .yml or .yaml files"),
                    ));
                    continue;
                }
                let found = glob_files(root, glob);
                if found.is_empty() {
                    problems.push(Problem::warning(
                        "docs/mkdocs-include",
                        display,
                        node.span,
                        format!("`*include {glob}` matches no file"),
                    ));
                    continue;
                }
                found
            } else {
                let path = statement[mkdocs::INCLUDE.len()..].trim();
                vec![(
                    crate::discover::normalize_lexical(&root.join(path)),
                    path.to_string(),
                )]
            };
        let mut sites = vec![];
        for (file, written) in files {
            if let Some(&k) = by_file.get(&file) {
                sites.push(k);
                continue;
            }
            if !mkdocs::is_yaml_name(&written) {
                problems.push(error(
                    node.span,
                    format!("`{written}` is not a .yml or .yaml file"),
                ));
                continue;
            }
            let inside = file.starts_with(&root_norm)
                && file
                    .canonicalize()
                    .map_or(true, |c| c.starts_with(&input.confine));
            if !inside {
                problems.push(error(
                    node.span,
                    format!("`{written}` is outside the folder of this mkdocs.yml"),
                ));
                continue;
            }
            if !file.is_file() {
                problems.push(error(node.span, format!("`{written}` not found")));
                continue;
            }
            let inc_display = mkdocs::join_display(root_display, &written);
            let (mut inc, inc_problems) = mkdocs::load(&file, &inc_display);
            problems.extend(inc_problems);
            let Some(site_name) = inc.site_name.clone() else {
                problems.push(error(
                    node.span,
                    format!("`{written}` has no `site_name` (the folder its pages go to)"),
                ));
                continue;
            };
            if let Some(nested) = inc.nav.as_ref().map(mkdocs::nav_includes) {
                for n in nested {
                    problems.push(
                        Problem::error(
                            "docs/mkdocs-include",
                            &inc_display,
                            n.span,
                            "an included site cannot include others (the monorepo plugin does not nest)",
                        ),
                    );
                }
            }
            if !inc.docs_dir.is_dir() {
                problems.push(error(
                    node.span,
                    format!("the docs_dir of `{written}` does not exist"),
                ));
                continue;
            }
            let alias = mkdocs::include_alias(&site_name);
            if let Some(other) = aliases.get(&alias) {
                problems.push(error(
                    node.span,
                    format!("`{written}` and `{}` are both named `{alias}`: each included site needs its own site_name", other.display()),
                ));
                continue;
            }
            aliases.insert(alias.clone(), PathBuf::from(&written));
            // Edit links as the plugin makes them: the included site's own settings, else
            // the including site's with its docs folder swapped for this one's.
            let inc_docs_rel = inc
                .docs_dir
                .strip_prefix(&root_norm)
                .map(crate::discover::display_path)
                .unwrap_or_default();
            if inc.repo_url.is_none() {
                inc.repo_url = cfg.repo_url.clone();
            }
            if inc.edit_uri.is_none() {
                inc.edit_uri = cfg
                    .effective_edit_uri()
                    .map(|e| e.replace(docs_dir_name, &inc_docs_rel));
            }
            inc.site_name = Some(site_name);
            by_file.insert(file, out.sites.len());
            sites.push(out.sites.len());
            out.sites.push(Included {
                alias,
                cfg: inc,
                pages: vec![],
            });
        }
        if !sites.is_empty() {
            out.by_statement.insert(statement.to_string(), sites);
        }
    }
    out
}

/// The files under `root` a `*include` glob matches (`*` within a folder, `**` any folders
/// deep), sorted, with their paths relative to `root`; `.git` is not searched.
fn glob_files(root: &Path, glob: &str) -> Vec<(PathBuf, String)> {
    let pattern = glob.trim_start_matches("./");
    let Ok(matcher) = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
    else {
        return vec![];
    };
    let mut found: Vec<(PathBuf, String)> = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| {
            let rel = crate::discover::display_path(e.path().strip_prefix(root).ok()?);
            matcher
                .is_match(&rel)
                .then(|| (crate::discover::normalize_lexical(e.path()), rel))
        })
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found
}

/// One docs_dir of a site: its own (`prefix` empty), or an included site's under its alias.
struct DocsPart<'a> {
    prefix: &'a str,
    dir: &'a Path,
    display: &'a str,
    index: usize,
    git_root: Option<&'a Path>,
}

impl DocsPart<'_> {
    /// Lists the folder's pages and other files into the site's; returns the folder's path
    /// in its git repository, when it is in one.
    fn list(&self, pages: &mut Vec<PageSrc>, assets: &mut Vec<AssetSrc>) -> Option<String> {
        let (md_files, other) = list_docs_dir(self.dir);
        // Where the docs are in their git repository, for "last updated" dates.
        let in_git = self.git_root.and_then(|root| {
            let c = self.dir.canonicalize().ok()?;
            Some(
                c.strip_prefix(root)
                    .ok()?
                    .to_string_lossy()
                    .replace('\\', "/"),
            )
        });
        // `README.md` is the index of its folder only when there is no `index.md` beside it.
        let have: HashSet<&str> = md_files.iter().map(String::as_str).collect();
        for rel in &md_files {
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            if name.eq_ignore_ascii_case("README.md") {
                let index = if dir.is_empty() {
                    "index.md".to_string()
                } else {
                    format!("{dir}/index.md")
                };
                if have.contains(index.as_str()) {
                    continue;
                }
            }
            let site_rel = format!("{}{rel}", self.prefix);
            pages.push(PageSrc {
                url: page_url(&site_rel),
                rel: site_rel,
                file: self.dir.join(rel),
                display: mkdocs::join_display(self.display, rel),
                part: self.index,
                git: in_git.as_deref().map(|g| in_repo(g, rel)),
            });
        }
        assets.extend(other.into_iter().map(|rel| AssetSrc {
            file: self.dir.join(&rel),
            display: mkdocs::join_display(self.display, &rel),
            rel: format!("{}{rel}", self.prefix),
        }));
        in_git
    }
}

/// Keeps, of items with the same `rel`, the last one. Returns each item's new index (`None`
/// for those dropped) when any was dropped.
fn keep_last<T>(items: &mut Vec<T>, rel: impl Fn(&T) -> &str) -> Option<Vec<Option<usize>>> {
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        last.insert(rel(item), i);
    }
    if last.len() == items.len() {
        return None;
    }
    let mut n = 0;
    let new_index: Vec<Option<usize>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            (last[rel(item)] == i).then(|| {
                n += 1;
                n - 1
            })
        })
        .collect();
    let mut i = 0;
    items.retain(|_| {
        i += 1;
        new_index[i - 1].is_some()
    });
    Some(new_index)
}

/// Renders the pages of a batch of planned sites, writes them and their files, and checks
/// their links. The batch's fenced code is highlighted between the pages' Markdown and their
/// templates, all together, language after language (see [`markdown::Code::Later`]).
fn build_sites(
    plans: Vec<Planned>,
    catalog: &Catalog,
    env: &template::Templates<'_>,
    histories: &HashMap<PathBuf, git::History>,
    memo: &highlight::Memo,
    out: &Path,
) -> Vec<SiteOutput> {
    let works: Vec<Stage> = plans
        .into_par_iter()
        .map(|plan| match plan {
            Planned::Site(plan) => {
                Stage::Work(begin_site(plan, catalog, env, histories, memo, out))
            }
            Planned::Nothing(so) => Stage::Done(so),
        })
        .collect();
    let bodies: Vec<&PageBody> = works.iter().flat_map(Stage::bodies).collect();
    let mut code = highlight_code(&bodies, memo).into_iter();
    drop(bodies);
    let with_code: Vec<(Stage, Vec<Vec<String>>)> = works
        .into_iter()
        .map(|w| {
            let site_code = code.by_ref().take(w.bodies().len()).collect();
            (w, site_code)
        })
        .collect();
    with_code
        .into_par_iter()
        .map(|(w, code)| match w {
            Stage::Work(work) => finish_site(work, code, catalog, env, memo),
            Stage::Done(so) => so,
        })
        .collect()
}

/// A planned site in [`build_sites`]: its pages' Markdown rendered, or nothing to render.
// A batch holds a few of these (one per site), each moved twice: the size does not matter.
#[allow(clippy::large_enum_variant)]
enum Stage<'a> {
    Work(SiteWork<'a>),
    Done(SiteOutput),
}

impl Stage<'_> {
    fn bodies(&self) -> &[PageBody] {
        match self {
            Stage::Work(w) => &w.bodies,
            Stage::Done(_) => &[],
        }
    }
}

/// A site between its pages' Markdown and their templates: what the pages share, and their
/// bodies, whose code waits to be highlighted.
struct SiteWork<'a> {
    plan: SitePlan<'a>,
    asset_set: HashSet<String>,
    by_rel: HashMap<String, usize>,
    by_url: HashMap<String, usize>,
    nav: Vec<NavItem>,
    order: Vec<usize>,
    position: HashMap<usize, usize>,
    titles: Vec<String>,
    site_url: String,
    site_name: String,
    roots: markdown::SnippetRoots,
    site_out: PathBuf,
    entity_url: String,
    bodies: Vec<PageBody>,
}

impl SiteWork<'_> {
    fn ctx<'b>(
        &'b self,
        catalog: &'b Catalog,
        env: &'b template::Templates<'b>,
        memo: &'b highlight::Memo,
    ) -> SiteCtx<'b> {
        SiteCtx {
            cfg: &self.plan.cfg,
            includes: &self.plan.includes,
            pages: &self.plan.pages,
            titles: &self.titles,
            nav: &self.nav,
            order: &self.order,
            position: &self.position,
            by_rel: &self.by_rel,
            by_url: &self.by_url,
            assets: &self.asset_set,
            site_url: &self.site_url,
            site_name: &self.site_name,
            entity: &catalog.entities[self.plan.input.entity],
            entity_url: &self.entity_url,
            env,
            roots: &self.roots,
            memo,
            site_out: &self.site_out,
        }
    }
}

/// A site's nav, titles and links, and its pages' Markdown rendered.
fn begin_site<'a>(
    mut plan: SitePlan<'a>,
    catalog: &Catalog,
    env: &template::Templates<'_>,
    histories: &HashMap<PathBuf, git::History>,
    memo: &highlight::Memo,
    out: &Path,
) -> SiteWork<'a> {
    let input = plan.input;
    let entity = &catalog.entities[input.entity];
    let by_rel: HashMap<String, usize> = plan
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.rel.clone(), i))
        .collect();
    let by_url: HashMap<String, usize> = plan
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.url.clone(), i))
        .collect();
    let asset_set: HashSet<String> = plan.assets.iter().map(|a| a.rel.clone()).collect();

    let lookup = |p: &str| -> Option<usize> {
        let norm = mkdocs::join_display("", p);
        by_rel.get(&norm).copied().or_else(|| {
            // `dir/` or `dir` names the folder's index page.
            let with = if norm.is_empty() {
                String::new()
            } else {
                format!("{}/", norm.trim_end_matches('/'))
            };
            by_url.get(&with).copied()
        })
    };
    // The monorepo plugin's statements: an included site's nav (or its folders) with its
    // paths under the site's alias.
    let include_problems = std::cell::RefCell::new(Vec::new());
    let includes = &plan.includes;
    let included_nav = |k: usize| -> Vec<NavItem> {
        let inc = &includes.sites[k];
        match &inc.cfg.nav {
            Some(n) => {
                let prefixed = |p: &str| lookup(&format!("{}/{p}", inc.alias));
                mkdocs::nav_from_config(
                    n,
                    &inc.cfg.display,
                    &prefixed,
                    &|_| None,
                    &mut include_problems.borrow_mut(),
                )
            }
            None => {
                let rels: Vec<String> = inc
                    .pages
                    .iter()
                    .map(|&p| inc.inner(&plan.pages[p].rel).to_string())
                    .collect();
                let mut nav = mkdocs::nav_from_folders_dirs_first(&rels);
                mkdocs::renumber(&mut nav, &inc.pages);
                nav
            }
        }
    };
    let include = |statement: &str| -> Option<(String, Vec<NavItem>)> {
        let sites = includes.by_statement.get(statement)?;
        let name = |k: usize| includes.sites[k].cfg.site_name.clone().unwrap_or_default();
        if let Some(glob) = statement.strip_prefix(mkdocs::GLOB_INCLUDE) {
            let children = sites
                .iter()
                .map(|&k| NavItem::Section {
                    title: name(k),
                    children: included_nav(k),
                })
                .collect();
            Some((glob.trim().to_string(), children))
        } else {
            Some((name(sites[0]), included_nav(sites[0])))
        }
    };
    let nav = match &plan.cfg.nav {
        Some(n) => {
            let nav = mkdocs::nav_from_config(
                n,
                &input.mkdocs_display,
                &lookup,
                &include,
                &mut plan.so.problems,
            );
            plan.so.problems.extend(include_problems.take());
            nav
        }
        None => {
            let rels: Vec<String> = plan.pages.iter().map(|p| p.rel.clone()).collect();
            mkdocs::nav_from_folders(&rels)
        }
    };
    let mut order = Vec::new();
    mkdocs::flatten(&nav, &mut order);
    let position: HashMap<usize, usize> = order.iter().enumerate().map(|(k, &p)| (p, k)).collect();

    // Titles are needed by every page's nav before any page is rendered: take them from the
    // nav, else the page's front matter or first `# ` heading, else its file name.
    // The sources read here are kept for rendering (one site's pages at a time), so each
    // file is read once.
    let cfg = &plan.cfg;
    let (mut titles, mut sources): (Vec<String>, Vec<Option<Vec<u8>>>) = plan
        .pages
        .par_iter()
        .map(|p| {
            let bytes = std::fs::read(&p.file).ok();
            let title = bytes
                .as_deref()
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(scan_title)
                .unwrap_or_else(|| default_title(&p.rel, cfg));
            (title, bytes)
        })
        .unzip();
    apply_nav_titles(&nav, &mut titles);

    let site_url = docs_dir_url(entity);
    let site_name = cfg
        .site_name
        .clone()
        .unwrap_or_else(|| entity.title().to_string());

    // Git dates, from the walk of the repository's history.
    let history = input.git_root.as_ref().and_then(|root| histories.get(root));
    let date_of = |p: &PageSrc| -> Option<String> { history?.date_of(p.git.as_deref()?) };

    let roots = markdown::SnippetRoots {
        bases: vec![
            cfg.file.parent().unwrap_or(Path::new(".")).to_path_buf(),
            cfg.docs_dir.clone(),
        ],
        confine: input.confine.clone(),
    };
    let site_out = out.join(&site_url);
    let entity_url = entity_page_url(entity);
    let mut work = SiteWork {
        plan,
        asset_set,
        by_rel,
        by_url,
        nav,
        order,
        position,
        titles,
        site_url,
        site_name,
        roots,
        site_out,
        entity_url,
        bodies: vec![],
    };
    let ctx = work.ctx(catalog, env, memo);
    let bodies = work
        .plan
        .pages
        .par_iter()
        .zip(sources.par_iter_mut())
        .enumerate()
        .map(|(i, (p, src))| render_body(&ctx, i, p, src.take(), date_of(p)))
        .collect();
    work.bodies = bodies;
    work
}

/// A site's pages through the template and written (`code`: each page's highlighted
/// blocks), its other files copied, its links checked.
fn finish_site(
    mut work: SiteWork,
    code: Vec<Vec<String>>,
    catalog: &Catalog,
    env: &template::Templates<'_>,
    memo: &highlight::Memo,
) -> SiteOutput {
    let bodies = std::mem::take(&mut work.bodies);
    let ctx = work.ctx(catalog, env, memo);
    let rendered: Vec<PageResult> = work
        .plan
        .pages
        .par_iter()
        .zip(bodies.into_par_iter().zip(code))
        .enumerate()
        .map(|(i, (p, (body, code)))| finish_page(&ctx, i, p, body, code))
        .collect();
    let SiteWork {
        plan:
            SitePlan {
                input,
                mut so,
                cfg,
                pages,
                assets,
                ..
            },
        nav,
        position,
        titles,
        site_url,
        site_name,
        site_out,
        ..
    } = work;
    // Copy the other files of docs_dir (images, downloads) beside the pages.
    let copy_problems: Vec<Problem> = assets
        .par_iter()
        .filter_map(|a| {
            let to = site_out.join(&a.rel);
            if let Some(parent) = to.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            std::fs::copy(&a.file, &to).err().map(|e| {
                Problem::error(
                    "docs/write",
                    &a.display,
                    Span::file_start(),
                    format!("cannot copy to {}: {e}", to.display()),
                )
            })
        })
        .collect();
    so.problems.extend(copy_problems);

    // Anchors inside the site.
    let anchors: Vec<HashSet<&str>> = rendered
        .iter()
        .map(|r| r.record.anchors.iter().map(String::as_str).collect())
        .collect();
    let mut last_updated: Option<String> = None;
    for (i, r) in rendered.iter().enumerate() {
        for (link, target, anchor) in &r.internal {
            if !anchors[*target].contains(anchor.as_str()) {
                let what = if *target == i {
                    format!("no heading or anchor `#{anchor}` on this page")
                } else {
                    format!("`{}` has no anchor `#{anchor}`", pages[*target].rel)
                };
                so.problems.push(broken(&pages[i].display, link, what));
            }
        }
        if let Some(d) = &r.date {
            if last_updated.as_ref().is_none_or(|l| d > l) {
                last_updated = Some(d.clone());
            }
        }
    }
    let mut records: Vec<(usize, DocPage)> = Vec::with_capacity(rendered.len());
    for (i, r) in rendered.into_iter().enumerate() {
        so.problems.extend(r.problems);
        for s in r.skipped {
            *so.skipped.entry(s).or_default() += 1;
        }
        so.diagram_pages += usize::from(r.diagrams);
        so.cross.extend(r.cross);
        let key = position.get(&i).copied().unwrap_or(usize::MAX);
        records.push((key, r.record));
    }
    records.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
    let top_nav = nav
        .iter()
        .filter_map(|item| match item {
            NavItem::Page { page, .. } => Some((
                titles[*page].clone(),
                format!("{site_url}{}", pages[*page].url),
            )),
            NavItem::Section { title, children } => {
                let mut o = vec![];
                mkdocs::flatten(children, &mut o);
                o.first()
                    .map(|p| (title.clone(), format!("{site_url}{}", pages[*p].url)))
            }
            NavItem::Link { .. } => None,
        })
        .collect();
    // Broken links belong to the entity whose docs hold them (scorecards and the entity
    // page match problems by entity).
    for p in &mut so.problems {
        if p.rule == "docs/broken-link" && p.entity.is_none() {
            p.entity = Some(so.entity_ref.clone());
        }
    }
    so.site = Some(DocSite {
        entity: input.entity,
        site_name,
        description: cfg.site_description.clone(),
        url: format!("{site_url}index.html"),
        dir: site_url,
        pages: records.len(),
        records: records.into_iter().map(|(_, r)| r).collect(),
        nav: top_nav,
        repo_url: cfg.repo_url.clone(),
        last_updated,
    });
    so
}

/// Markdown files and other files under docs_dir, relative and sorted. Hidden files and
/// folders are left out, as MkDocs does.
fn list_docs_dir(dir: &Path) -> (Vec<String>, Vec<String>) {
    let mut md = Vec::new();
    let mut other = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.ends_with(".md") || rel.ends_with(".markdown") {
            if rel.ends_with(".md") {
                md.push(rel);
            }
        } else {
            other.push(rel);
        }
    }
    md.sort();
    other.sort();
    (md, other)
}

fn scan_title(source: &str) -> Option<String> {
    let mut lines = source.lines();
    let mut first = true;
    let mut in_fence = false;
    let mut in_meta = false;
    let mut meta = String::new();
    for line in lines.by_ref() {
        if first && line.trim_end() == "---" {
            in_meta = true;
            first = false;
            continue;
        }
        first = false;
        if in_meta {
            if line.trim_end() == "---" || line.trim_end() == "..." {
                in_meta = false;
                let (docs, _) = crate::parse::parse_str(&meta, "front matter");
                if let Some(t) = docs
                    .first()
                    .and_then(|d| d.root.get("title"))
                    .and_then(|n| n.as_str())
                {
                    return Some(t.to_string());
                }
            } else {
                meta.push_str(line);
                meta.push('\n');
            }
            continue;
        }
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(h) = line.strip_prefix("# ") {
            let h = h.trim().trim_end_matches('#').trim();
            // Strip a trailing `{#id .class}` attribute list.
            let h = match h.rfind(" {") {
                Some(i) if h.ends_with('}') => h[..i].trim(),
                _ => h,
            };
            return Some(h.replace('`', ""));
        }
    }
    None
}

fn default_title(rel: &str, cfg: &MkDocs) -> String {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    let name = stem.rsplit('/').next().unwrap_or(stem);
    if rel == "index.md" || rel == "README.md" {
        return cfg.site_name.clone().unwrap_or_else(|| "Home".into());
    }
    if matches!(name, "index" | "README") {
        let dir = stem.rsplit('/').nth(1).unwrap_or("Home");
        return mkdocs::dir_title(dir);
    }
    mkdocs::dir_title(name)
}

fn apply_nav_titles(nav: &[NavItem], titles: &mut [String]) {
    for item in nav {
        match item {
            NavItem::Page {
                title: Some(t),
                page,
            } => titles[*page] = t.clone(),
            NavItem::Section { children, .. } => apply_nav_titles(children, titles),
            _ => {}
        }
    }
}

struct SiteCtx<'a> {
    cfg: &'a MkDocs,
    includes: &'a Includes,
    pages: &'a [PageSrc],
    titles: &'a [String],
    nav: &'a [NavItem],
    order: &'a [usize],
    position: &'a HashMap<usize, usize>,
    by_rel: &'a HashMap<String, usize>,
    by_url: &'a HashMap<String, usize>,
    assets: &'a HashSet<String>,
    site_url: &'a str,
    site_name: &'a str,
    entity: &'a Entity,
    entity_url: &'a str,
    env: &'a template::Templates<'a>,
    roots: &'a markdown::SnippetRoots,
    memo: &'a highlight::Memo,
    site_out: &'a Path,
}

impl SiteCtx<'_> {
    /// The settings a page's edit link comes from (its own site's, for a page an include
    /// brought in), and its path in that site's docs_dir.
    fn page_cfg<'p>(&self, page: &'p PageSrc) -> (&MkDocs, &'p str) {
        match page
            .part
            .checked_sub(1)
            .and_then(|k| self.includes.sites.get(k))
        {
            Some(inc) => (&inc.cfg, inc.inner(&page.rel)),
            None => (self.cfg, &page.rel),
        }
    }
}

struct PageResult {
    record: DocPage,
    problems: Vec<Problem>,
    skipped: BTreeSet<String>,
    diagrams: bool,
    /// Links to pages of this site with an anchor to check: (link, page, anchor).
    internal: Vec<(LinkRef, usize, String)>,
    cross: Vec<CrossLink>,
    date: Option<String>,
}

/// Pages whose code is highlighted together (see [`build_sites`]). On the 10,000-page bench,
/// batches of about 200 pages made the whole build take 7% less CPU time than batches of one
/// site (20 pages); alone, blocks sorted in groups of 200 highlighted 11% faster than in
/// groups of 40, and sorted all together only 8% faster again.
const CODE_BATCH: usize = 200;

/// One page with its Markdown rendered and its fenced code not yet highlighted.
struct PageBody {
    res: PageResult,
    /// `None` when the page could not be read (`res` says why).
    rendered: Option<markdown::Rendered>,
    title: String,
}

/// Reads (unless `source` holds its bytes) and renders one page's Markdown, leaving its
/// fenced code for [`highlight_code`].
fn render_body(
    ctx: &SiteCtx,
    idx: usize,
    page: &PageSrc,
    source: Option<Vec<u8>>,
    date: Option<String>,
) -> PageBody {
    let mut res = PageResult {
        record: DocPage {
            url: format!("{}{}", ctx.site_url, page.url),
            title: ctx.titles[idx].clone(),
            path: page.rel.clone(),
            ..DocPage::default()
        },
        problems: vec![],
        skipped: BTreeSet::new(),
        diagrams: false,
        internal: vec![],
        cross: vec![],
        date,
    };
    let unread = |res: PageResult| PageBody {
        res,
        rendered: None,
        title: String::new(),
    };
    let source = match source.map_or_else(|| std::fs::read(&page.file), Ok) {
        Ok(b) => match String::from_utf8(b) {
            Ok(s) => s,
            Err(_) => {
                res.problems.push(Problem::error(
                    "file/unreadable",
                    &page.display,
                    Span::file_start(),
                    "page is not valid UTF-8",
                ));
                return unread(res);
            }
        },
        Err(e) => {
            res.problems.push(Problem::error(
                "io/unreadable",
                &page.display,
                Span::file_start(),
                format!("cannot read page: {e}"),
            ));
            return unread(res);
        }
    };
    let source = source.strip_prefix('\u{feff}').unwrap_or(&source);
    let mut problems = Vec::new();
    let mut internal = Vec::new();
    let mut cross = Vec::new();
    let mut rewrite = |link: &LinkRef| -> String {
        resolve_link(
            ctx,
            idx,
            page,
            link,
            &mut problems,
            &mut internal,
            &mut cross,
        )
    };
    let code = markdown::Code::Later(ctx.memo);
    let rendered = markdown::render(source, &page.file, ctx.roots, code, &mut rewrite);
    res.problems.extend(problems);
    res.internal = internal;
    res.cross = cross;
    for p in &rendered.problems {
        res.problems.push(Problem::warning(
            p.rule,
            &page.display,
            Span::point(p.line, p.column),
            p.message.clone(),
        ));
    }
    res.skipped = rendered.skipped.clone();
    res.diagrams = rendered.diagrams > 0;
    let title = if ctx.position.contains_key(&idx) {
        ctx.titles[idx].clone()
    } else {
        rendered
            .title
            .clone()
            .unwrap_or_else(|| ctx.titles[idx].clone())
    };
    PageBody {
        res,
        rendered: Some(rendered),
        title,
    }
}

/// Highlights the fenced code of a batch's pages, language after language (see
/// [`markdown::Code::Later`]), through the build's memo: for each page, its blocks' lines.
fn highlight_code(bodies: &[&PageBody], memo: &highlight::Memo) -> Vec<Vec<String>> {
    fn code(b: &PageBody) -> &[markdown::CodeBlock] {
        b.rendered.as_ref().map_or(&[], |r| &r.code)
    }
    let mut blocks: Vec<(&str, usize, usize)> = bodies
        .iter()
        .enumerate()
        .flat_map(|(p, b)| {
            code(b)
                .iter()
                .enumerate()
                .map(move |(k, c)| (c.lang.as_str(), p, k))
        })
        .collect();
    blocks.sort_unstable();
    let html: Vec<String> = blocks
        .par_iter()
        .map(|&(_, p, k)| {
            let c = &code(bodies[p])[k];
            let mut out = String::new();
            memo.highlight_into(&mut out, &c.code, &c.lang, &c.hl_lines);
            out
        })
        .collect();
    let mut by_page: Vec<Vec<String>> = bodies
        .iter()
        .map(|b| vec![String::new(); code(b).len()])
        .collect();
    for ((_, p, k), h) in blocks.into_iter().zip(html) {
        by_page[p][k] = h;
    }
    by_page
}

/// Puts a page's highlighted code in place, renders it through the template and writes it.
fn finish_page(
    ctx: &SiteCtx,
    idx: usize,
    page: &PageSrc,
    body: PageBody,
    code: Vec<String>,
) -> PageResult {
    let PageBody {
        mut res,
        rendered,
        title,
    } = body;
    let Some(mut rendered) = rendered else {
        return res;
    };
    rendered.fill_code(&code);
    drop(code);
    let html = ctx
        .env
        .render_page(ctx, idx, page, &title, &mut rendered, res.date.as_deref());
    let dir = ctx.site_out.join(&page.url);
    let write =
        std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(dir.join("index.html"), html));
    if let Err(e) = write {
        res.problems.push(Problem::error(
            "docs/write",
            &page.display,
            Span::file_start(),
            format!("cannot write {}: {e}", dir.display()),
        ));
    }
    res.record.title = title;
    res.record.anchors = rendered.anchors;
    res.record.sections = rendered
        .sections
        .into_iter()
        .map(|mut s| {
            if s.text.len() > MAX_SECTION_TEXT {
                let mut cut = MAX_SECTION_TEXT;
                while !s.text.is_char_boundary(cut) {
                    cut -= 1;
                }
                let cut = s.text[..cut].rfind(' ').unwrap_or(cut);
                s.text.truncate(cut);
            }
            s
        })
        .collect();
    res
}

/// Resolves one link of page `idx`: returns the href to write and records what to check.
fn resolve_link(
    ctx: &SiteCtx,
    idx: usize,
    page: &PageSrc,
    link: &LinkRef,
    problems: &mut Vec<Problem>,
    internal: &mut Vec<(LinkRef, usize, String)>,
    cross: &mut Vec<CrossLink>,
) -> String {
    let dest = link.dest.trim();
    if dest.is_empty() {
        return link.dest.clone();
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        let anchor = decode(anchor);
        if !anchor.is_empty() {
            internal.push((link.clone(), idx, anchor));
        }
        return link.dest.clone();
    }
    if dest.starts_with("//") || has_scheme(dest) {
        return link.dest.clone();
    }
    let (path_q, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(decode(f))),
        None => (dest, None),
    };
    let path = path_q.split('?').next().unwrap_or(path_q);
    let path = decode(path);
    let frag_suffix = fragment
        .as_ref()
        .map(|f| format!("#{}", encode_fragment(f)))
        .unwrap_or_default();
    if let Some(abs) = path.strip_prefix('/') {
        // Backstage-style links between doc sites.
        if abs.starts_with("docs/") {
            cross.push(CrossLink {
                file: page.display.clone(),
                link: link.clone(),
                target: abs.to_string(),
                anchor: fragment.clone(),
            });
            let root_rel = relative_href(&format!("{}{}", ctx.site_url, page.url), "");
            let target = if abs.ends_with('/') {
                format!("{abs}index.html")
            } else {
                abs.to_string()
            };
            return format!("{root_rel}{target}{frag_suffix}");
        }
        return link.dest.clone();
    }
    let src_dir = page.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let target = mkdocs::join_display(src_dir, &path);
    let target = target.trim_end_matches('/').to_string();
    let escapes = target.starts_with("..");
    // 1. A Markdown page, by source path.
    if !escapes && (path.ends_with(".md") || path.ends_with(".md/")) {
        if let Some(&t) = ctx.by_rel.get(&target) {
            if let Some(f) = &fragment {
                if !f.is_empty() {
                    internal.push((link.clone(), t, f.clone()));
                }
            }
            return format!("{}{frag_suffix}", page_href(&page.url, &ctx.pages[t].url));
        }
        problems.push(broken(
            &page.display,
            link,
            format!("no page `{target}` in this site's docs"),
        ));
        return link.dest.clone();
    }
    // 2. A file of docs_dir (image, download), by source path.
    if !escapes && ctx.assets.contains(&target) {
        return relative_href(&page.url, &target);
    }
    // 3. A folder with an index page.
    let dir_key = if target.is_empty() {
        String::new()
    } else {
        format!("{target}/")
    };
    if !escapes {
        if let Some(&t) = ctx.by_url.get(&dir_key) {
            if ctx.pages[t].rel.starts_with(&dir_key) || dir_key.is_empty() {
                if let Some(f) = &fragment {
                    internal.push((link.clone(), t, f.clone()));
                }
                return format!("{}{frag_suffix}", page_href(&page.url, &ctx.pages[t].url));
            }
        }
    }
    // 4. A URL written for the built site (`../other-page/`), relative to this page's URL.
    let by_page_url = mkdocs::join_display(page.url.trim_end_matches('/'), &path);
    let key = if by_page_url.is_empty() {
        String::new()
    } else {
        format!(
            "{}/",
            by_page_url
                .trim_end_matches('/')
                .trim_end_matches("/index.html")
        )
    };
    if !by_page_url.starts_with("..") {
        if let Some(&t) = ctx.by_url.get(&key) {
            if let Some(f) = &fragment {
                internal.push((link.clone(), t, f.clone()));
            }
            return format!("{}{frag_suffix}", page_href(&page.url, &ctx.pages[t].url));
        }
        if ctx.assets.contains(&by_page_url) {
            return link.dest.clone();
        }
    }
    let _ = ctx.order;
    problems.push(broken(
        &page.display,
        link,
        format!("`{path}` is not a page or file of this site's docs"),
    ));
    link.dest.clone()
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            let scheme = &s[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
                && !s[..i].contains('/')
        }
        None => false,
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn encode_fragment(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'`');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_use_directory_layout() {
        assert_eq!(page_url("index.md"), "");
        assert_eq!(page_url("README.md"), "");
        assert_eq!(page_url("guide/setup.md"), "guide/setup/");
        assert_eq!(page_url("guide/index.md"), "guide/");
        assert_eq!(page_url("faq.md"), "faq/");
    }

    #[test]
    fn relative_hrefs() {
        assert_eq!(relative_href("guide/setup/", "guide/other/"), "../other/");
        assert_eq!(relative_href("", "faq/"), "faq/");
        assert_eq!(relative_href("a/b/", "img/x.png"), "../../img/x.png");
        assert_eq!(relative_href("a/", "a/x.png"), "x.png");
        assert_eq!(page_href("guide/setup/", ""), "../../index.html");
    }

    #[test]
    fn titles_are_scanned_from_front_matter_or_h1() {
        assert_eq!(
            scan_title("# Hello `x`\n\ntext").as_deref(),
            Some("Hello x")
        );
        assert_eq!(
            scan_title("```\n# not a title\n```\n# Real {#id}\n").as_deref(),
            Some("Real")
        );
        assert_eq!(scan_title("no heading"), None);
    }
}
