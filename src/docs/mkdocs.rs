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
            if !SUPPORTED_PLUGINS.contains(&p.as_str()) {
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

    /// "Edit this page" URL for a page at `rel` (relative to docs_dir), as MkDocs builds it
    /// from `repo_url` and `edit_uri`.
    pub fn edit_url(&self, rel: &str) -> Option<String> {
        let repo = self.repo_url.as_deref().unwrap_or("");
        let edit = match &self.edit_uri {
            Some(e) if e.is_empty() => return None,
            Some(e) => e.clone(),
            None => {
                // MkDocs' defaults for the well-known hosts.
                if repo.contains("github.com") || repo.contains("gitlab.com") {
                    "edit/master/docs/".to_string()
                } else if repo.contains("bitbucket.org") {
                    "src/default/docs/".to_string()
                } else {
                    return None;
                }
            }
        };
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
    match &n.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
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

/// Builds the nav from mkdocs.yml's `nav`. `lookup` maps a page path as written (relative
/// to docs_dir) to the page index. Missing pages are problems at the nav entry.
pub fn nav_from_config(
    nav: &Node,
    display: &str,
    lookup: &dyn Fn(&str) -> Option<usize>,
    problems: &mut Vec<Problem>,
) -> Vec<NavItem> {
    let mut out = Vec::new();
    for item in nav.as_seq().unwrap_or(&[]) {
        if let Some(i) = nav_item(item, None, display, lookup, problems) {
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
    problems: &mut Vec<Problem>,
) -> Option<NavItem> {
    match &node.value {
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
                        .filter_map(|c| nav_item(c, None, display, lookup, problems))
                        .collect(),
                }),
                _ => nav_item(v, Some(t), display, lookup, problems),
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
    build_level(&indexed, "")
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

fn build_level(pages: &[(usize, &str)], prefix: &str) -> Vec<NavItem> {
    let mut items = Vec::new();
    let mut sub: std::collections::BTreeMap<&str, Vec<(usize, &str)>> = Default::default();
    for &(i, p) in pages {
        let rest = &p[prefix.len()..];
        match rest.split_once('/') {
            None => items.push(NavItem::Page {
                title: None,
                page: i,
            }),
            Some((d, _)) => sub.entry(d).or_default().push((i, p)),
        }
    }
    for (d, ps) in sub {
        let children = build_level(&ps, &format!("{prefix}{d}/"));
        items.push(NavItem::Section {
            title: dir_title(d),
            children,
        });
    }
    items
}

/// `getting-started` → `Getting started`, as MkDocs titles pages and folders without one.
pub fn dir_title(name: &str) -> String {
    let s = name.replace(['-', '_'], " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
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
