//! `mkdocs.yml` / `mkdocs.yaml`: the settings portico uses, loaded through portico's YAML
//! parser (custom tags such as `!ENV`, `!relative`, `!!python/name:` load, never fail), with
//! `INHERIT` merged, and the nav (from the file, or from the folder tree when absent).

use crate::diag::{Problem, Span};
use crate::parse::{Node, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub const FILE_NAMES: [&str; 2] = ["mkdocs.yml", "mkdocs.yaml"];

/// Markdown extensions portico implements (or that change nothing portico renders).
const SUPPORTED_EXTENSIONS: &[&str] = &[
    "toc",
    "tables",
    "fenced_code",
    "footnotes",
    "attr_list",
    "def_list",
    "admonition",
    "md_in_html",
    "meta",
    "codehilite",
    "sane_lists",
    "smarty",
    "extra",
    "abbr",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.snippets",
    "pymdownx.tasklist",
    "pymdownx.tilde",
    "pymdownx.caret",
    "pymdownx.mark",
    "pymdownx.smartsymbols",
    "pymdownx.emoji",
    "pymdownx.betterem",
    "pymdownx.magiclink",
    "pymdownx.extra",
    "pymdownx.saneheaders",
    "markdown_inline_graphviz",
];

/// Plugins portico covers itself (search, techdocs-core's bundle) or that do not change
/// content.
const SUPPORTED_PLUGINS: &[&str] = &[
    "techdocs-core",
    "search",
    "git-revision-date-localized",
    "git-revision-date",
    "awesome-pages",
    "minify",
    "offline",
    "tags",
    // techdocs-core enables it; its `!include` / `*include` nav statements are implemented.
    "monorepo",
    // Draws ```mermaid fences, as portico does (docs::markdown::diagram_html).
    "mermaid2",
];

#[derive(Debug, Clone, Default)]
pub struct MkDocs {
    /// The file read (mkdocs.yml or mkdocs.yaml).
    pub file: PathBuf,
    pub display: String,
    pub site_name: Option<String>,
    pub site_description: Option<String>,
    pub docs_dir: PathBuf,
    pub repo_url: Option<String>,
    pub edit_uri: Option<String>,
    /// `nav`, as written; `None` when absent.
    pub nav: Option<Node>,
    pub extensions: Vec<String>,
    pub plugins: Vec<String>,
}

impl MkDocs {
    /// Names of configured plugins and extensions portico does not implement.
    pub fn unsupported(&self) -> BTreeSet<String> {
        let mut s = BTreeSet::new();
        for p in &self.plugins {
            // Material for MkDocs 9 names its own plugins `material/search`, `material/tags`…
            let short = p.strip_prefix("material/").unwrap_or(p);
            if !SUPPORTED_PLUGINS.contains(&short) {
                s.insert(format!("plugin {p}"));
            }
        }
        for e in &self.extensions {
            let short = e.strip_prefix("markdown.extensions.").unwrap_or(e);
            if !SUPPORTED_EXTENSIONS.contains(&short) {
                s.insert(format!("extension {short}"));
            }
        }
        s
    }

    /// `edit_uri` as MkDocs fills it in: as written, else the default of the well-known
    /// hosts of `repo_url`; `None` when there are no edit links.
    pub fn effective_edit_uri(&self) -> Option<String> {
        let repo = self.repo_url.as_deref().unwrap_or("");
        match &self.edit_uri {
            Some(e) if e.is_empty() => None,
            Some(e) => Some(e.clone()),
            None if repo.contains("github.com") || repo.contains("gitlab.com") => {
                Some("edit/master/docs/".to_string())
            }
            None if repo.contains("bitbucket.org") => Some("src/default/docs/".to_string()),
            None => None,
        }
    }

    /// `docs_dir` as written: relative to the folder of the mkdocs file, `/`-separated.
    pub fn docs_dir_name(&self) -> String {
        self.docs_dir
            .strip_prefix(self.file.parent().unwrap_or(Path::new(".")))
            .map(crate::discover::display_path)
            .unwrap_or_else(|_| "docs".into())
    }

    /// `docs_dir` as problems show it (beside `display`, the mkdocs file's).
    pub fn docs_display(&self) -> String {
        let dir = self.display.rsplit_once('/').map_or("", |(d, _)| d);
        join_display(dir, &self.docs_dir_name())
    }

    /// "Edit this page" URL for a page at `rel` (relative to docs_dir), as MkDocs builds it
    /// from `repo_url` and `edit_uri`.
    pub fn edit_url(&self, rel: &str) -> Option<String> {
        let repo = self.repo_url.as_deref().unwrap_or("");
        let edit = self.effective_edit_uri()?;
        let base = if edit.starts_with("http://") || edit.starts_with("https://") {
            edit
        } else if repo.is_empty() {
            return None;
        } else if let Some(abs) = edit.strip_prefix('/') {
            // Relative to the host of repo_url.
            let host_end = repo
                .find("://")
                .map(|i| i + 3)
                .and_then(|s| repo[s..].find('/').map(|j| s + j))
                .unwrap_or(repo.len());
            format!("{}/{}", &repo[..host_end], abs)
        } else {
            format!("{}/{}", repo.trim_end_matches('/'), edit)
        };
        if base.contains('?') || base.contains('#') || base.ends_with('/') {
            Some(format!("{base}{rel}"))
        } else {
            Some(format!("{base}/{rel}"))
        }
    }
}

/// Finds the mkdocs file in `dir`.
pub fn find(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Reads `file` (display name `display`), following `INHERIT` (at most 8 levels).
pub fn load(file: &Path, display: &str) -> (MkDocs, Vec<Problem>) {
    let mut problems = Vec::new();
    let root = load_merged(file, display, &mut problems, 0)
        .unwrap_or(Node::new(Span::file_start(), Value::Map(vec![])));
    let dir = file.parent().unwrap_or(Path::new("."));
    let str_of = |k: &str| root.get(k).and_then(scalar_string);
    let docs_dir = str_of("docs_dir").unwrap_or_else(|| "docs".to_string());
    let cfg = MkDocs {
        file: file.to_path_buf(),
        display: display.to_string(),
        site_name: str_of("site_name"),
        site_description: str_of("site_description"),
        docs_dir: dir.join(docs_dir),
        repo_url: str_of("repo_url"),
        edit_uri: str_of("edit_uri"),
        nav: root.get("nav").filter(|n| n.as_seq().is_some()).cloned(),
        extensions: names(root.get("markdown_extensions")),
        plugins: names(root.get("plugins")),
    };
    (cfg, problems)
}

fn load_merged(
    file: &Path,
    display: &str,
    problems: &mut Vec<Problem>,
    depth: usize,
) -> Option<Node> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::error(
                "io/unreadable",
                display,
                Span::file_start(),
                format!("cannot read {}: {e}", file.display()),
            ));
            return None;
        }
    };
    let (docs, probs) = crate::parse::parse_str(&text, display);
    // The YAML parser's own problems (syntax errors) are reported as they are.
    problems.extend(
        probs
            .into_iter()
            .filter(|p| p.severity == crate::diag::Severity::Error),
    );
    let mut root = docs.into_iter().next()?.root;
    if root.as_map().is_none() {
        problems.push(Problem::error(
            "docs/mkdocs-invalid",
            display,
            root.span,
            "mkdocs.yml must be a mapping of settings",
        ));
        return None;
    }
    if let Some((key, value)) = root.entry("INHERIT") {
        let span = value.span;
        let key_span = key.span;
        match scalar_string(value) {
            Some(parent) if depth < 8 => {
                let dir = file.parent().unwrap_or(Path::new("."));
                let parent_path = dir.join(&parent);
                let parent_display = join_display(
                    display.rsplit_once('/').map(|(d, _)| d).unwrap_or(""),
                    &parent,
                );
                if parent_path.is_file() {
                    if let Some(base) =
                        load_merged(&parent_path, &parent_display, problems, depth + 1)
                    {
                        root = merge(base, root);
                    }
                } else {
                    problems.push(Problem::error(
                        "docs/mkdocs-inherit",
                        display,
                        span,
                        format!("INHERIT: `{parent}` not found"),
                    ));
                }
            }
            _ => problems.push(Problem::error(
                "docs/mkdocs-inherit",
                display,
                key_span,
                "INHERIT must name a file (at most 8 levels deep)",
            )),
        }
    }
    Some(root)
}

/// Deep merge as MkDocs does for INHERIT: mappings merge recursively, everything else in
/// `child` replaces `base`.
fn merge(base: Node, child: Node) -> Node {
    match (base.value, child.value) {
        (Value::Map(mut b), Value::Map(c)) => {
            for (k, v) in c {
                let key = k.key_string();
                if key == "INHERIT" {
                    continue;
                }
                if let Some(pos) = b.iter().position(|(bk, _)| bk.key_string() == key) {
                    let (_, old) = b.remove(pos);
                    b.insert(pos, (k, merge(old, v)));
                } else {
                    b.push((k, v));
                }
            }
            Node::new(child.span, Value::Map(b))
        }
        (_, c) => Node::new(child.span, c),
    }
}

fn scalar_string(n: &Node) -> Option<String> {
    if n.tag.as_deref() == Some("!ENV") {
        return env_value(n, &|var| std::env::var(var).ok());
    }
    match &n.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `!ENV VAR` and `!ENV [VAR, OTHER, default]` as MkDocs reads them: the value of the first
/// variable set; else, for a list of two or more, its last item as written; else nothing.
fn env_value(n: &Node, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let plain = |n: &Node| {
        let mut n = n.clone();
        n.tag = None;
        scalar_string(&n)
    };
    match &n.value {
        Value::Seq(items) if items.len() > 1 => {
            let (default, vars) = items.split_last()?;
            vars.iter()
                .filter_map(plain)
                .find_map(|v| env(&v))
                .or_else(|| plain(default))
        }
        Value::Seq(items) => items.iter().filter_map(plain).find_map(|v| env(&v)),
        _ => plain(n).and_then(|v| env(&v)),
    }
}

/// Names from a list of `name` or `{name: {options}}` (or a mapping of name → options).
fn names(n: Option<&Node>) -> Vec<String> {
    let Some(n) = n else { return vec![] };
    match &n.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| match &i.value {
                Value::Str(s) => Some(s.clone()),
                Value::Map(e) => e.first().map(|(k, _)| k.key_string()),
                _ => None,
            })
            .collect(),
        Value::Map(entries) => entries.iter().map(|(k, _)| k.key_string()).collect(),
        _ => vec![],
    }
}

/// `a/b` + `../c` → `a/c`, `/`-separated, no `.` segments.
pub fn join_display(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let absolute = base.starts_with('/');
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

// ---------------------------------------------------------------------------------------
// Nav

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavItem {
    /// A page of the site by index into the site's page list; `title` when the nav names it.
    Page { title: Option<String>, page: usize },
    /// An external (or unresolvable but not local) link.
    Link { title: String, url: String },
    Section {
        title: String,
        children: Vec<NavItem>,
    },
}

/// The monorepo plugin's nav statements (techdocs-core turns the plugin on): the entry
/// `Title: '!include path/mkdocs.yml'` becomes a section `Title` holding that site's nav,
/// its docs_dir served under the site's alias; `Title: '*include glob/mkdocs.yml'` a section
/// holding one such section per match.
pub const INCLUDE: &str = "!include ";
pub const GLOB_INCLUDE: &str = "*include ";

/// Whether an included file's name is one the plugin takes (`.yml` or `.yaml`).
pub fn is_yaml_name(path: &str) -> bool {
    path.ends_with(".yml") || path.ends_with(".yaml")
}

pub fn is_include(s: &str) -> bool {
    s.starts_with(INCLUDE) || s.starts_with(GLOB_INCLUDE)
}

/// Every include statement of a nav (the string nodes), in nav order.
pub fn nav_includes(nav: &Node) -> Vec<&Node> {
    fn walk<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
        match &n.value {
            Value::Str(s) if is_include(s) => out.push(n),
            Value::Seq(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Map(entries) => entries.iter().for_each(|(_, v)| walk(v, out)),
            _ => {}
        }
    }
    let mut out = vec![];
    walk(nav, &mut out);
    out
}

/// Where an included site's pages go: its `site_name` when that is made of ASCII letters,
/// digits, `_`, `-` and `/`, else a slug of it (lower case, other characters runs of `-`).
pub fn include_alias(site_name: &str) -> String {
    let plain = !site_name.is_empty()
        && site_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/'));
    if plain {
        return site_name.to_string();
    }
    let mut out = String::new();
    for c in site_name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// What an include statement of a nav stands for: the title to use when the entry has none,
/// and the entries. `None` leaves the entry out (its problem was reported when the site was
/// listed).
pub type IncludeNav<'a> = &'a dyn Fn(&str) -> Option<(String, Vec<NavItem>)>;

/// Builds the nav from mkdocs.yml's `nav`. `lookup` maps a page path as written (relative
/// to docs_dir) to the page index; `include` resolves the monorepo plugin's statements.
/// Missing pages are problems at the nav entry.
pub fn nav_from_config(
    nav: &Node,
    display: &str,
    lookup: &dyn Fn(&str) -> Option<usize>,
    include: IncludeNav,
    problems: &mut Vec<Problem>,
) -> Vec<NavItem> {
    let mut out = Vec::new();
    for item in nav.as_seq().unwrap_or(&[]) {
        if let Some(i) = nav_item(item, None, display, lookup, include, problems) {
            out.push(i);
        }
    }
    out
}

fn nav_item(
    node: &Node,
    title: Option<String>,
    display: &str,
    lookup: &dyn Fn(&str) -> Option<usize>,
    include: IncludeNav,
    problems: &mut Vec<Problem>,
) -> Option<NavItem> {
    match &node.value {
        Value::Str(path) if is_include(path) => {
            let (name, children) = include(path)?;
            Some(NavItem::Section {
                title: title.unwrap_or(name),
                children,
            })
        }
        Value::Str(path) => {
            if path.contains("://") || path.starts_with("mailto:") || path.starts_with('/') {
                return Some(NavItem::Link {
                    title: title.unwrap_or_else(|| path.clone()),
                    url: path.clone(),
                });
            }
            match lookup(path) {
                Some(page) => Some(NavItem::Page { title, page }),
                None => {
                    problems.push(Problem::warning(
                        "docs/nav",
                        display,
                        node.span,
                        format!("nav names `{path}`, which is not a page of docs_dir"),
                    ));
                    None
                }
            }
        }
        Value::Map(entries) if entries.len() == 1 => {
            let (k, v) = &entries[0];
            let t = k.key_string();
            match &v.value {
                Value::Seq(children) => Some(NavItem::Section {
                    title: t,
                    children: children
                        .iter()
                        .filter_map(|c| nav_item(c, None, display, lookup, include, problems))
                        .collect(),
                }),
                _ => nav_item(v, Some(t), display, lookup, include, problems),
            }
        }
        _ => {
            problems.push(Problem::warning(
                "docs/nav",
                display,
                node.span,
                "a nav entry is a page path, `Title: path`, or `Section: [entries]`",
            ));
            None
        }
    }
}

/// The nav MkDocs makes when `nav` is absent: the folder tree, `index.md` (or `README.md`)
/// first, then the other pages by name, then subfolders as sections.
pub fn nav_from_folders(pages: &[String]) -> Vec<NavItem> {
    let mut indexed: Vec<(usize, &str)> = pages.iter().map(String::as_str).enumerate().collect();
    indexed.sort_by_key(|a| folder_key(a.1));
    build_level(&indexed, "", false)
}

fn folder_key(path: &str) -> (Vec<String>, bool, String) {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let dirs = if dir.is_empty() {
        vec![]
    } else {
        dir.split('/').map(str::to_string).collect()
    };
    (dirs, !is_index(file), file.to_string())
}

pub fn is_index(file: &str) -> bool {
    matches!(file, "index.md" | "README.md" | "readme.md")
}

/// One folder level of a folder nav: its pages (in the order given) and its subfolders as
/// sections (by name), the subfolders first when `dirs_first`.
fn build_level(pages: &[(usize, &str)], prefix: &str, dirs_first: bool) -> Vec<NavItem> {
    let mut files = Vec::new();
    let mut sub: std::collections::BTreeMap<&str, Vec<(usize, &str)>> = Default::default();
    for &(i, p) in pages {
        match p[prefix.len()..].split_once('/') {
            None => files.push(NavItem::Page {
                title: None,
                page: i,
            }),
            Some((d, _)) => sub.entry(d).or_default().push((i, p)),
        }
    }
    let sections = sub.into_iter().map(|(d, ps)| NavItem::Section {
        title: dir_title(d),
        children: build_level(&ps, &format!("{prefix}{d}/"), dirs_first),
    });
    if dirs_first {
        sections.chain(files).collect()
    } else {
        files.into_iter().chain(sections).collect()
    }
}

/// The nav the monorepo plugin makes for an included site without one: at each level the
/// subfolders first (as sections, by name), then the pages by name.
pub fn nav_from_folders_dirs_first(pages: &[String]) -> Vec<NavItem> {
    let mut indexed: Vec<(usize, &str)> = pages.iter().map(String::as_str).enumerate().collect();
    indexed.sort_by(|a, b| a.1.cmp(b.1));
    build_level(&indexed, "", true)
}

/// `getting-started` → `Getting started`, as MkDocs titles pages and folders without one
/// (a name with capitals keeps them: `myAPI` stays `myAPI`).
pub fn dir_title(name: &str) -> String {
    let s = name.replace(['-', '_'], " ");
    if s.to_lowercase() != s {
        return s;
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Maps the page indexes of `nav` (into a list of some pages) through `pages` (their
/// indexes in the whole site).
pub fn renumber(nav: &mut [NavItem], pages: &[usize]) {
    for item in nav {
        match item {
            NavItem::Page { page, .. } => *page = pages[*page],
            NavItem::Section { children, .. } => renumber(children, pages),
            NavItem::Link { .. } => {}
        }
    }
}

/// Pages in nav order (for prev/next).
pub fn flatten(nav: &[NavItem], out: &mut Vec<usize>) {
    for item in nav {
        match item {
            NavItem::Page { page, .. } => {
                if !out.contains(page) {
                    out.push(*page)
                }
            }
            NavItem::Section { children, .. } => flatten(children, out),
            NavItem::Link { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_tags_read_the_first_variable_set_else_the_default() {
        let env = |v: &str| (v == "SET").then(|| "from-env".to_string());
        let node = |yaml: &str| {
            let (docs, problems) = crate::parse::parse_str(yaml, "mkdocs.yml");
            assert!(problems.is_empty(), "{problems:?}");
            docs[0].root.get("v").unwrap().clone()
        };
        assert_eq!(
            env_value(&node("v: !ENV SET\n"), &env).as_deref(),
            Some("from-env")
        );
        assert_eq!(env_value(&node("v: !ENV UNSET\n"), &env), None);
        assert_eq!(
            env_value(&node("v: !ENV [UNSET, SET, base.yml]\n"), &env).as_deref(),
            Some("from-env")
        );
        assert_eq!(
            env_value(&node("v: !ENV [UNSET, base.yml]\n"), &env).as_deref(),
            Some("base.yml")
        );
        assert_eq!(env_value(&node("v: !ENV [UNSET]\n"), &env), None);
    }

    #[test]
    fn material_plugin_names_monorepo_and_mermaid2_are_not_listed_as_skipped() {
        let cfg = MkDocs {
            plugins: [
                "material/search",
                "material/tags",
                "monorepo",
                "mermaid2",
                "material/social",
            ]
            .map(String::from)
            .to_vec(),
            ..MkDocs::default()
        };
        assert_eq!(
            cfg.unsupported().into_iter().collect::<Vec<_>>(),
            ["plugin material/social"]
        );
    }

    #[test]
    fn include_aliases_are_site_names_or_their_slugs() {
        assert_eq!(include_alias("pay/v2_api-x"), "pay/v2_api-x");
        assert_eq!(include_alias("Ledger Service"), "ledger-service");
        assert_eq!(include_alias("  Café: Ops! "), "caf-ops");
    }

    #[test]
    fn monorepo_folder_nav_lists_folders_first() {
        let pages: Vec<String> = ["index.md", "b.md", "ops/run.md", "a/x.md"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let page = |page| NavItem::Page { title: None, page };
        assert_eq!(
            nav_from_folders_dirs_first(&pages),
            vec![
                NavItem::Section {
                    title: "A".into(),
                    children: vec![page(3)]
                },
                NavItem::Section {
                    title: "Ops".into(),
                    children: vec![page(2)]
                },
                page(1),
                page(0),
            ]
        );
        assert_eq!(dir_title("myAPI_docs"), "myAPI docs");
        assert_eq!(dir_title("run-book"), "Run book");
    }

    #[test]
    fn folder_nav_puts_index_first_and_folders_as_sections() {
        let pages: Vec<String> = [
            "zeta.md",
            "guides/setup.md",
            "index.md",
            "alpha.md",
            "guides/README.md",
            "guides/deep/x.md",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let nav = nav_from_folders(&pages);
        assert_eq!(
            nav,
            vec![
                NavItem::Page {
                    title: None,
                    page: 2
                },
                NavItem::Page {
                    title: None,
                    page: 3
                },
                NavItem::Page {
                    title: None,
                    page: 0
                },
                NavItem::Section {
                    title: "Guides".into(),
                    children: vec![
                        NavItem::Page {
                            title: None,
                            page: 4
                        },
                        NavItem::Page {
                            title: None,
                            page: 1
                        },
                        NavItem::Section {
                            title: "Deep".into(),
                            children: vec![NavItem::Page {
                                title: None,
                                page: 5
                            }],
                        },
                    ],
                },
            ]
        );
        let mut order = vec![];
        flatten(&nav, &mut order);
        assert_eq!(order, vec![2, 3, 0, 4, 1, 5]);
    }

    #[test]
    fn edit_urls_follow_mkdocs() {
        let mut m = MkDocs {
            repo_url: Some("https://github.com/acme/x".into()),
            edit_uri: Some("edit/main/docs/".into()),
            ..MkDocs::default()
        };
        assert_eq!(
            m.edit_url("guide/setup.md").as_deref(),
            Some("https://github.com/acme/x/edit/main/docs/guide/setup.md")
        );
        m.edit_uri = None;
        assert_eq!(
            m.edit_url("a.md").as_deref(),
            Some("https://github.com/acme/x/edit/master/docs/a.md")
        );
        m.edit_uri = Some("".into());
        assert_eq!(m.edit_url("a.md"), None);
        m.edit_uri = Some("/acme/x/blob/main/docs/".into());
        assert_eq!(
            m.edit_url("a.md").as_deref(),
            Some("https://github.com/acme/x/blob/main/docs/a.md")
        );
    }

    #[test]
    fn display_paths_join() {
        assert_eq!(
            join_display("repos/x", "./docs/../docs/a.md"),
            "repos/x/docs/a.md"
        );
        assert_eq!(join_display("", "../y/mkdocs.yml"), "../y/mkdocs.yml");
    }
}
