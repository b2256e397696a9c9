//! `portico.yaml` (or `portico.yml`) at the scanned root: extra schemas, discovery globs, rule
//! severity overrides, scorecards, and site settings. Every field is optional; unknown fields
//! and wrong types are located problems (`config/invalid`) and the rest of the file still
//! applies.
//!
//! ```yaml
//! include: ["catalog/**/*.yaml"]        # more catalog files besides catalog-info.yaml
//! exclude: ["vendor", "**/testdata"]   # never walked
//! schemas:
//!   - path: schemas/slug.json          # your own JSON Schema on top of Backstage's rules
//!     kinds: [Component]
//! rules:
//!   catalog/dangling-ref: error        # error | warning | off
//!   techdocs/*: off                    # a whole group of rules
//! ```

use crate::diag::{Problem, Severity, Span};
use crate::parse::Node;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Directory the config was loaded from (the scanned root when there is no config file);
    /// relative paths in it are resolved against this.
    #[serde(skip)]
    pub root: PathBuf,
    /// Where the config was read from, as shown in problems (`None`: no config file).
    #[serde(skip)]
    pub file: Option<String>,
    /// Extra catalog files to read besides `catalog-info.yaml`/`catalog-info.yml`: globs
    /// matched against each file's path relative to the scanned directory, `/`-separated.
    /// `*` stays within one directory, `**` crosses directories (`catalog/**/*.yaml`).
    pub include: Vec<String>,
    /// Paths never walked, as globs relative to the scanned directory (`vendor`,
    /// `**/testdata`, `legacy/*/catalog-info.yaml`). A matching directory is skipped whole.
    /// Files named on the command line are always read. `.git` and `node_modules` are never
    /// walked; `.gitignore` files are honoured.
    pub exclude: Vec<String>,
    /// Users' own JSON Schemas, applied to entities after Backstage's rules (e.g. "every
    /// Component has the annotation github.com/project-slug").
    pub schemas: Vec<SchemaRule>,
    /// Severity per rule id: `error`, `warning`, or `off` (not reported). A key ending in
    /// `/*` applies to a whole group (`entity/*`); an exact id wins over its group. Applies
    /// to every problem of `validate` and `build` except those about this file itself.
    pub rules: BTreeMap<String, RuleLevel>,
    /// Scorecard files, as globs relative to this file (`scorecards/*.yaml`).
    pub scorecards: Vec<String>,
    /// Waivers file for scorecard checks (`waivers.yaml`), relative to this file.
    pub waivers: Option<String>,
    /// Fact files produced by other CI steps (`facts/*.json`), globs relative to this file.
    pub facts: Vec<String>,
    /// Scorecard history file that each build appends to, relative to this file.
    pub history: Option<String>,
    /// Settings of the generated site.
    pub site: SiteConfig,
}

/// A user schema and the entities it applies to (all when `kinds` is empty).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SchemaRule {
    /// The JSON Schema file, relative to the config file.
    pub path: String,
    /// Entity kinds it applies to (case-insensitive); all kinds when empty.
    pub kinds: Vec<String>,
    /// Rule id reported for violations (default `user-schema`).
    pub rule: Option<String>,
    /// Severity of violations (default `error`).
    pub severity: Option<RuleLevel>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Off,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SiteConfig {
    /// Title shown in the header of every page (default "portico").
    pub title: Option<String>,
    /// Public address of the site (`https://acme.github.io/portal/`), optional. With it the
    /// `404.html` page links from the site's own path (so it works at any depth of a GitHub
    /// Pages project site) and scorecard pages offer a README badge with absolute links.
    /// An address that is not an absolute http(s) URL is a `config/invalid` error. Once
    /// loaded it ends with `/` (`https://x/portal` → `https://x/portal/`).
    pub url: Option<String>,
    /// Template for "edit this file" links, e.g. `https://github.com/acme/{repo}/edit/main/{path}`.
    pub edit_url: Option<String>,
}

pub const FILE_NAMES: [&str; 2] = ["portico.yaml", "portico.yml"];

pub const RULE_INVALID: &str = "config/invalid";

impl Config {
    /// The level configured for a rule id: the exact id first, then its group (`entity/*`).
    pub fn rule_level(&self, rule: &str) -> Option<RuleLevel> {
        if let Some(level) = self.rules.get(rule) {
            return Some(*level);
        }
        let (group, _) = rule.split_once('/')?;
        self.rules.get(&format!("{group}/*")).copied()
    }

    /// Applies the `rules` overrides: severities changed, `off` rules dropped. Problems about
    /// the config file itself are never changed.
    pub fn apply_rule_levels(&self, problems: &mut Vec<Problem>) {
        if self.rules.is_empty() {
            return;
        }
        problems.retain_mut(|p| {
            if self.file.as_deref() == Some(p.file.as_str()) {
                return true;
            }
            match self.rule_level(&p.rule) {
                Some(RuleLevel::Off) => false,
                Some(RuleLevel::Error) => {
                    p.severity = Severity::Error;
                    true
                }
                Some(RuleLevel::Warning) => {
                    p.severity = Severity::Warning;
                    true
                }
                None => true,
            }
        });
    }

    /// A path from the config resolved against its directory.
    pub fn resolve(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }
}

/// Where the config for an input lives: `portico.yaml`/`portico.yml` in the input
/// directory; for a file input, in its directory or the nearest ancestor up to the
/// repository root (the directory holding `.git`).
pub fn find(input: &Path) -> Option<PathBuf> {
    let in_dir = |dir: &Path| FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file());
    if input.is_dir() {
        return in_dir(input);
    }
    let dir = match input.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let abs = crate::discover::absolute_lexical(&dir);
    for (depth, ancestor) in abs.ancestors().enumerate() {
        // Keep relative inputs relative, so problems show the path as the user would.
        let shown = if dir.is_relative() {
            let mut p = dir.clone();
            for _ in 0..depth {
                p.push("..");
            }
            crate::discover::normalize_lexical(&p)
        } else {
            ancestor.to_path_buf()
        };
        if let Some(found) = in_dir(&shown) {
            return Some(found);
        }
        if ancestor.join(".git").exists() {
            break;
        }
    }
    None
}

/// Loads the config for an input (see [`find`]); the defaults when there is none. A
/// malformed config is a located problem and the defaults are used for the broken fields,
/// so the rest of the run still happens.
pub fn load(root: &Path) -> (Config, Vec<Problem>) {
    match find(root) {
        Some(path) => match load_file(&path) {
            Ok(loaded) => loaded,
            Err(message) => {
                let file = crate::discover::display_path(&path);
                let config = Config {
                    root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    file: Some(file.clone()),
                    ..Config::default()
                };
                let problem = Problem::error("io/unreadable", file, Span::file_start(), message);
                (config, vec![problem])
            }
        },
        None => {
            let root = if root.is_dir() {
                root.to_path_buf()
            } else {
                root.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            (
                Config {
                    root,
                    ..Config::default()
                },
                vec![],
            )
        }
    }
}

/// Loads a config file named explicitly (`--config FILE`). `Err` when it cannot be read at
/// all (the command cannot run); content problems are returned as located problems.
pub fn load_file(path: &Path) -> Result<(Config, Vec<Problem>), String> {
    let file = crate::discover::display_path(path);
    let bytes = std::fs::read(path).map_err(|e| format!("{file}: cannot read config: {e}"))?;
    let (docs, mut problems) = crate::parse::parse_bytes(&bytes, &file);
    let mut root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    if root.as_os_str().is_empty() {
        root = PathBuf::from(".");
    }
    let (mut config, more) = from_node(docs.first().map(|d| &d.root), &file);
    problems.extend(more);
    if docs.len() > 1 {
        problems.push(Problem::warning(
            RULE_INVALID,
            file.clone(),
            docs[1].root.span,
            "portico.yaml holds more than one YAML document; only the first is used",
        ));
    }
    config.root = root;
    config.file = Some(file);
    Ok((config, problems))
}

/// Maps a parsed YAML document to a `Config`, reporting unknown fields and wrong types at
/// their place. A field in error is left at its default; the others apply.
pub fn from_node(node: Option<&Node>, file: &str) -> (Config, Vec<Problem>) {
    let mut problems = vec![];
    let Some(node) = node else {
        return (Config::default(), problems);
    };
    let mut json = node.to_json();
    match &json {
        serde_json::Value::Null => return (Config::default(), problems),
        serde_json::Value::Object(_) => {}
        _ => {
            problems.push(Problem::error(
                RULE_INVALID,
                file,
                node.span,
                "portico.yaml must be a mapping of settings (include, exclude, schemas, rules, …)",
            ));
            return (Config::default(), problems);
        }
    }
    // Each round either succeeds or removes the top-level field in error, so every broken
    // field is reported once and the rest still applies.
    loop {
        match serde_path_to_error::deserialize::<_, Config>(&json) {
            Ok(mut config) => {
                problems.extend(unknown_rules(&config, node, file));
                problems.extend(check_site_url(&mut config, node, file));
                return (config, problems);
            }
            Err(err) => {
                let segments: Vec<String> = err
                    .path()
                    .iter()
                    .map(|s| match s {
                        serde_path_to_error::Segment::Seq { index } => index.to_string(),
                        serde_path_to_error::Segment::Map { key } => key.clone(),
                        serde_path_to_error::Segment::Enum { variant } => variant.clone(),
                        serde_path_to_error::Segment::Unknown => String::new(),
                    })
                    .collect();
                let inner = err.into_inner().to_string();
                let (span, field) = locate(node, &segments, &inner);
                let shown = if field.is_empty() {
                    "portico.yaml".to_string()
                } else {
                    field.clone()
                };
                problems.push(
                    Problem::error(RULE_INVALID, file, span, format!("{shown}: {inner}"))
                        .with_hint(
                            "see the README's portico.yaml section for the fields and their types",
                        ),
                );
                let top = segments.first().cloned().unwrap_or_default();
                let removed = json
                    .as_object_mut()
                    .and_then(|m| m.shift_remove(&top))
                    .is_some();
                if !removed {
                    return (Config::default(), problems);
                }
            }
        }
    }
}

impl SiteConfig {
    /// The path of the site on its host (`/portal/`; `/` at the root of a domain).
    pub fn base_path(&self) -> Option<String> {
        let url = url::Url::parse(self.url.as_deref()?).ok()?;
        Some(url.path().to_string())
    }
}

/// `site.url` as a URL: absolute, http or https, with a host, no query or fragment; the path
/// ends with `/` (`https://x/portal` means the folder `portal/`).
fn parse_site_url(s: &str) -> Result<url::Url, String> {
    let mut url = url::Url::parse(s.trim()).map_err(|e| format!("`{s}` is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "`{s}` is not an http(s) address with a host (e.g. https://acme.github.io/portal/)"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{s}` has a query or fragment; give the site's folder only"
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// `site.url` checked once, when the config is loaded: a valid address is kept in its
/// normal form (ending with `/`), so that pages append site-relative paths to it; an invalid
/// one is an error at its value and is dropped (the site is still built, with relative links
/// only).
fn check_site_url(config: &mut Config, node: &Node, file: &str) -> Option<Problem> {
    let message = match parse_site_url(config.site.url.as_deref()?) {
        Ok(url) => {
            config.site.url = Some(url.to_string());
            return None;
        }
        Err(message) => message,
    };
    config.site.url = None;
    let span = node.at_pointer("/site/url").map_or(node.span, |n| n.span);
    Some(
        Problem::error(RULE_INVALID, file, span, format!("site.url: {message}"))
            .with_hint("the public address the site is published at, as https://host/path/"),
    )
}

/// Rule ids under `rules:` that no part of portico reports (a typo would silently do
/// nothing): warnings at the key. Ids named by `schemas[].rule` are known.
fn unknown_rules(config: &Config, node: &Node, file: &str) -> Vec<Problem> {
    let Some(rules) = node.get("rules") else {
        return vec![];
    };
    let known = |id: &str| {
        if crate::rules::get(id).is_some()
            || config.schemas.iter().any(|s| s.rule.as_deref() == Some(id))
        {
            return true;
        }
        match id.strip_suffix("/*") {
            Some(group) => crate::rules::ALL
                .iter()
                .any(|r| r.id.split_once('/').is_some_and(|(g, _)| g == group)),
            None => false,
        }
    };
    config
        .rules
        .keys()
        .filter(|id| !known(id))
        .map(|id| {
            let span = rules.entry(id).map_or(rules.span, |(k, _)| k.span);
            Problem::warning(
                RULE_INVALID,
                file,
                span,
                format!("rules: unknown rule id `{id}`"),
            )
            .with_hint("the README lists every rule id; `group/*` applies to a whole group")
        })
        .collect()
}

/// The span of the node a deserialization error is about: the key of an unknown field, the
/// value of a wrongly typed one. Also returns the dotted field path for the message.
fn locate(root: &Node, segments: &[String], message: &str) -> (Span, String) {
    let pointer: String = segments
        .iter()
        .map(|s| format!("/{}", crate::parse::escape_pointer_segment(s)))
        .collect();
    let field = segments.join(".");
    if message.starts_with("unknown field") {
        if let Some(key) = root.key_at_pointer(&pointer) {
            return (key.span, field);
        }
        // The path may stop at the enclosing mapping: find the key named in the message.
        if let Some(name) = message.split('`').nth(1) {
            if let Some((key, _)) = root.at_pointer(&pointer).and_then(|n| n.entry(name)) {
                let field = if field.is_empty() {
                    name.to_string()
                } else {
                    format!("{field}.{name}")
                };
                return (key.span, field);
            }
        }
    }
    let mut p = pointer.as_str();
    loop {
        if let Some(n) = root.at_pointer(p) {
            return (n.span, field);
        }
        match p.rsplit_once('/') {
            Some((parent, _)) => p = parent,
            None => return (root.span, field),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;
    use crate::parse::Value;

    /// Hand-built trees: each node's line is given, column 1 for keys, 5 for values.
    fn s(line: u32, text: &str) -> Node {
        Node::new(
            Span::new(Pos::new(line, 5), Pos::new(line, 5 + text.len() as u32)),
            Value::Str(text.into()),
        )
    }
    fn key(line: u32, text: &str) -> Node {
        Node::new(Span::point(line, 1), Value::Str(text.into()))
    }
    fn map(line: u32, entries: Vec<(Node, Node)>) -> Node {
        Node::new(Span::point(line, 1), Value::Map(entries))
    }
    fn seq(line: u32, items: Vec<Node>) -> Node {
        Node::new(Span::point(line, 3), Value::Seq(items))
    }

    #[test]
    fn maps_fields_and_applies_severity_overrides() {
        let doc = map(
            1,
            vec![
                (key(1, "include"), seq(2, vec![s(2, "catalog/*.yaml")])),
                (
                    key(3, "rules"),
                    map(
                        4,
                        vec![
                            (key(4, "catalog/dangling-ref"), s(4, "error")),
                            (key(4, "catalog/no-such-rule"), s(4, "error")),
                            (key(5, "techdocs/*"), s(5, "off")),
                            (key(6, "schema/type"), s(6, "warning")),
                        ],
                    ),
                ),
                (
                    key(7, "site"),
                    map(8, vec![(key(8, "editUrl"), s(8, "https://x/{path}"))]),
                ),
            ],
        );
        let (config, problems) = from_node(Some(&doc), "portico.yaml");
        let got: Vec<_> = problems
            .iter()
            .map(|p| (p.severity, p.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(
                Severity::Warning,
                "rules: unknown rule id `catalog/no-such-rule`"
            )]
        );
        assert_eq!(config.include, vec!["catalog/*.yaml"]);
        assert_eq!(config.site.edit_url.as_deref(), Some("https://x/{path}"));
        let p =
            |rule: &str, sev: Severity| Problem::new(sev, rule, "f.yaml", Span::file_start(), "m");
        let mut list = vec![
            p("catalog/dangling-ref", Severity::Warning),
            p("techdocs/missing-mkdocs", Severity::Warning),
            p("schema/type", Severity::Error),
            p("entity/name-format", Severity::Error),
        ];
        config.apply_rule_levels(&mut list);
        let got: Vec<_> = list.iter().map(|p| (p.rule.as_str(), p.severity)).collect();
        assert_eq!(
            got,
            vec![
                ("catalog/dangling-ref", Severity::Error),
                ("schema/type", Severity::Warning),
                ("entity/name-format", Severity::Error),
            ]
        );
    }

    #[test]
    fn site_url_gives_the_base_and_a_bad_one_is_located_and_dropped() {
        let site = |url: &str| {
            map(
                1,
                vec![(key(1, "site"), map(2, vec![(key(2, "url"), s(2, url))]))],
            )
        };
        let (config, problems) = from_node(Some(&site("https://acme.github.io/portal")), "p");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            config.site.url.as_deref(),
            Some("https://acme.github.io/portal/")
        );
        assert_eq!(config.site.base_path().as_deref(), Some("/portal/"));
        let (config, _) = from_node(Some(&site("https://docs.example.com")), "p");
        assert_eq!(config.site.base_path().as_deref(), Some("/"));

        for bad in [
            "docs.example.com/portal/",
            "ftp://x/",
            "https://x/p/?a=1",
            "/portal/",
        ] {
            let (config, problems) = from_node(Some(&site(bad)), "portico.yaml");
            assert_eq!(config.site.url, None, "{bad}");
            assert_eq!(problems.len(), 1, "{bad}: {problems:?}");
            let p = &problems[0];
            assert_eq!(
                (p.rule.as_str(), p.severity),
                (RULE_INVALID, Severity::Error)
            );
            assert_eq!(
                p.span,
                Span::new(Pos::new(2, 5), Pos::new(2, 5 + bad.len() as u32))
            );
            assert!(p.message.starts_with("site.url: `"), "{}", p.message);
        }
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_located_and_the_rest_applies() {
        let doc = map(
            1,
            vec![
                (key(1, "exclude"), seq(1, vec![s(2, "vendor")])),
                (key(3, "inclde"), seq(3, vec![])),
                (
                    key(4, "rules"),
                    map(5, vec![(key(5, "x/y"), s(5, "fatal"))]),
                ),
                (key(6, "site"), map(7, vec![(key(7, "titel"), s(7, "T"))])),
                (key(8, "history"), seq(8, vec![])),
            ],
        );
        let (config, problems) = from_node(Some(&doc), "portico.yaml");
        assert_eq!(config.exclude, vec!["vendor"]);
        let got: Vec<_> = problems
            .iter()
            .map(|p| {
                (
                    p.span.start.line,
                    p.span.start.column,
                    p.rule.as_str(),
                    p.message.as_str(),
                )
            })
            .collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0].0, 3);
        assert_eq!(got[0].1, 1);
        assert!(
            got[0].3.starts_with("inclde: unknown field `inclde`"),
            "{got:?}"
        );
        assert_eq!((got[1].0, got[1].1), (5, 5));
        assert!(
            got[1].3.starts_with("rules.x/y: unknown variant `fatal`"),
            "{got:?}"
        );
        assert_eq!((got[2].0, got[2].1), (7, 1));
        assert!(
            got[2].3.starts_with("site.titel: unknown field `titel`"),
            "{got:?}"
        );
        assert_eq!(got[3].0, 8);
        assert!(
            got[3].3.starts_with("history: invalid type: sequence"),
            "{got:?}"
        );
        assert!(problems
            .iter()
            .all(|p| p.rule == RULE_INVALID && p.severity == Severity::Error));
    }

    #[test]
    fn a_config_that_is_not_a_mapping_is_an_error_and_defaults_apply() {
        let (config, problems) = from_node(Some(&s(1, "hello")), "portico.yaml");
        assert_eq!(config, Config::default());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].span.start.line, 1);
    }

    #[test]
    fn finds_the_config_in_the_input_or_above_a_file_input_up_to_the_repo_root() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        std::fs::create_dir_all(r.join(".git")).unwrap();
        std::fs::create_dir_all(r.join("svc/a")).unwrap();
        std::fs::write(r.join("portico.yml"), "").unwrap();
        std::fs::write(r.join("svc/a/catalog-info.yaml"), "").unwrap();
        assert_eq!(find(r), Some(r.join("portico.yml")));
        let found = find(&r.join("svc/a/catalog-info.yaml")).unwrap();
        assert_eq!(
            crate::discover::absolute_lexical(&found),
            crate::discover::absolute_lexical(&r.join("portico.yml"))
        );
        assert_eq!(find(&r.join("svc")), None);
    }
}
