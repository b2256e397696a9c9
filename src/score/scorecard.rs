//! Scorecard files: YAML → [`Scorecard`], validated against `schemas/scorecard.schema.json`
//! so that a typo is an error at file:line:col, then checked for what a schema cannot say
//! (unknown level names, duplicate ids, regexes that do not compile, impossible dates).

use super::files::SchemaChecker;
use crate::diag::{Problem, Span};
use crate::parse::{self, Node};
use chrono::NaiveDate;
use regex::Regex;
use serde_json::Value as Json;
use std::collections::BTreeSet;

pub const SCHEMA: &str = include_str!("../../schemas/scorecard.schema.json");

/// One scorecard, as written, with its checks compiled.
#[derive(Debug, Clone)]
pub struct Scorecard {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub applies_to: Filter,
    /// Lowest first.
    pub levels: Vec<Level>,
    pub checks: Vec<Check>,
    /// Where it was written (file as displayed, span of the document).
    pub file: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub name: String,
    pub description: Option<String>,
    pub color: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// Index into `Scorecard::levels`.
    pub level: usize,
    pub category: String,
    pub weight: f64,
    pub severity: Severity,
    pub enforce_from: Option<NaiveDate>,
    pub applies_to: Filter,
    /// Markdown.
    pub remediation: Option<String>,
    pub rule: Rule,
    pub span: Span,
}

/// Which entities a scorecard or check applies to. Every key given must match; a list of
/// values matches when any does. Empty = everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Vec<String>,
    pub type_: Vec<String>,
    pub lifecycle: Vec<String>,
    pub namespace: Vec<String>,
    pub owner: Vec<String>,
    pub system: Vec<String>,
    pub domain: Vec<String>,
    pub tags: Vec<String>,
    pub entities: Vec<String>,
    pub exclude: Vec<String>,
    pub where_: Option<Box<Rule>>,
}

/// What a rule does when a fact is missing for an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    Fail,
    Error,
    Pass,
    NotApplicable,
}

/// A rule, composable with all / any / not.
#[derive(Debug, Clone)]
pub enum Rule {
    All(Vec<Rule>),
    Any(Vec<Rule>),
    Not(Box<Rule>),
    /// A field of the entity (dotted path `spec.owner` or JSON pointer `/spec/owner`).
    Field {
        path: FieldPath,
        pred: Predicate,
    },
    Annotation {
        key: String,
        pred: Predicate,
    },
    Label {
        key: String,
        pred: Predicate,
    },
    /// At least `min` relations of a type, optionally to a kind, resolved in the catalog.
    Relation {
        relation: String,
        target_kind: Option<String>,
        resolved: bool,
        min: usize,
    },
    /// One of `paths` exists in the entity's directory (`/x` = repository root), and when a
    /// predicate is given, its content matches.
    File {
        paths: Vec<String>,
        pred: Predicate,
    },
    /// CODEOWNERS of the repository names the entity's owner.
    Codeowners,
    Docs {
        min_pages: usize,
        max_broken_links: Option<usize>,
    },
    /// Days since the last commit touching `path` (the entity's directory when empty).
    Git {
        path: String,
        pred: Predicate,
    },
    /// A value from `facts/<source>.json` keyed by entity ref; `name` is `<source>.<path>`.
    Fact {
        name: String,
        pred: Predicate,
        if_missing: IfMissing,
    },
}

/// A path into the entity's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    pub segments: Vec<String>,
    pub text: String,
}

impl FieldPath {
    /// `spec.owner`, `metadata.annotations["backstage.io/x"]` or `/spec/owner`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let segments = if let Some(pointer) = text.strip_prefix('/') {
            pointer
                .split('/')
                .map(|s| crate::parse::unescape_pointer_segment(s).into_owned())
                .collect::<Vec<_>>()
        } else {
            let mut segments = vec![];
            let mut rest = text;
            while !rest.is_empty() {
                if let Some(r) = rest.strip_prefix("[\"") {
                    let end = r
                        .find("\"]")
                        .ok_or_else(|| format!("unclosed [\" in field path `{text}`"))?;
                    segments.push(r[..end].to_string());
                    rest = &r[end + 2..];
                } else if let Some(r) = rest.strip_prefix('[') {
                    let end = r
                        .find(']')
                        .ok_or_else(|| format!("unclosed [ in field path `{text}`"))?;
                    segments.push(r[..end].to_string());
                    rest = &r[end + 1..];
                } else {
                    let end = rest.find(['.', '[']).unwrap_or(rest.len());
                    if end == 0 {
                        return Err(format!("empty segment in field path `{text}`"));
                    }
                    segments.push(rest[..end].to_string());
                    rest = &rest[end..];
                }
                rest = rest.strip_prefix('.').unwrap_or(rest);
            }
            segments
        };
        if segments.iter().any(String::is_empty) || segments.is_empty() {
            return Err(format!("empty segment in field path `{text}`"));
        }
        Ok(FieldPath {
            segments,
            text: text.to_string(),
        })
    }

    pub fn get<'a>(&self, value: &'a Json) -> Option<&'a Json> {
        let mut v = value;
        for s in &self.segments {
            v = match v {
                Json::Object(m) => m.get(s)?,
                Json::Array(a) => a.get(s.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(v)
    }
}

/// Conditions on one value; all that are given must hold. With none given, the value must
/// exist.
#[derive(Debug, Clone, Default)]
pub struct Predicate {
    pub exists: Option<bool>,
    pub equals: Option<Json>,
    pub not_equals: Option<Json>,
    pub matches: Option<Regex>,
    pub in_list: Option<Vec<Json>>,
    pub not_in: Option<Vec<Json>>,
    pub contains: Option<Json>,
    pub min_length: Option<usize>,
    pub gt: Option<f64>,
    pub gte: Option<f64>,
    pub lt: Option<f64>,
    pub lte: Option<f64>,
}

impl Predicate {
    pub fn is_empty(&self) -> bool {
        self.exists.is_none()
            && self.equals.is_none()
            && self.not_equals.is_none()
            && self.matches.is_none()
            && self.in_list.is_none()
            && self.not_in.is_none()
            && self.contains.is_none()
            && self.min_length.is_none()
            && self.gt.is_none()
            && self.gte.is_none()
            && self.lt.is_none()
            && self.lte.is_none()
    }
    pub fn has_numeric(&self) -> bool {
        self.gt.is_some() || self.gte.is_some() || self.lt.is_some() || self.lte.is_some()
    }
}

const RULE_TYPES: [&str; 12] = [
    "all",
    "any",
    "not",
    "field",
    "annotation",
    "label",
    "relation",
    "file",
    "codeowners",
    "docs",
    "git",
    "fact",
];

/// Options each rule type accepts besides its own key.
fn allowed_options(rule_type: &str) -> &'static [&'static str] {
    match rule_type {
        "field" | "annotation" | "label" => PREDICATE_KEYS,
        "relation" => &["targetKind", "resolved", "min"],
        "file" => &["matches", "exists"],
        "git" => &["path", "gt", "gte", "lt", "lte"],
        "fact" => &PREDICATE_KEYS_FACT,
        _ => &[],
    }
}
/// Options of a `fact` rule: the predicates plus `ifMissing`.
const PREDICATE_KEYS_FACT: [&str; 15] = [
    "ifMissing",
    "exists",
    "equals",
    "notEquals",
    "matches",
    "in",
    "notIn",
    "contains",
    "minLength",
    "gt",
    "gte",
    "lt",
    "lte",
    "eq",
    "ne",
];
/// Options of `field`, `annotation` and `label` rules: the predicates alone.
const PREDICATE_KEYS: &[&str] = PREDICATE_KEYS_FACT.split_at(1).1;

/// Loads the scorecards of one file (one per YAML document). Problems are located.
pub fn load_str(text: &str, file: &str, checker: &SchemaChecker) -> (Vec<Scorecard>, Vec<Problem>) {
    let (docs, mut problems) = parse::parse_str(text, file);
    let mut cards = vec![];
    for doc in docs {
        let before = problems.len();
        let json = doc.root.to_json();
        problems.extend(
            checker
                .check(&json, &doc.root, file, "scorecard")
                .into_iter()
                .map(|p| p.in_document(doc.index)),
        );
        if problems.len() > before {
            continue;
        }
        let mut ctx = Loader {
            file,
            problems: vec![],
        };
        if let Some(card) = ctx.scorecard(&doc.root) {
            if ctx.problems.is_empty() {
                cards.push(card);
            }
        }
        problems.extend(ctx.problems.into_iter().map(|p| p.in_document(doc.index)));
    }
    (cards, problems)
}

struct Loader<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

fn str_of<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::as_str)
}

impl Loader<'_> {
    fn error(&mut self, span: Span, msg: impl Into<String>) {
        self.problems
            .push(Problem::error("scorecard/invalid", self.file, span, msg));
    }

    fn scorecard(&mut self, root: &Node) -> Option<Scorecard> {
        let id = str_of(root, "id")?.to_string();
        let levels: Vec<Level> = root
            .get("levels")?
            .as_seq()?
            .iter()
            .map(|n| match n.as_str() {
                Some(name) => Level {
                    name: name.to_string(),
                    description: None,
                    color: None,
                },
                None => Level {
                    name: str_of(n, "name").unwrap_or_default().to_string(),
                    description: str_of(n, "description").map(str::to_string),
                    color: str_of(n, "color").map(str::to_string),
                },
            })
            .collect();
        let mut seen = BTreeSet::new();
        for (l, n) in levels.iter().zip(root.get("levels")?.as_seq()?) {
            if !seen.insert(l.name.to_lowercase()) {
                self.error(n.span, format!("level `{}` is listed twice", l.name));
            }
        }
        let applies_to = match root.get("appliesTo") {
            Some(n) => self.filter(n),
            None => Filter::default(),
        };
        let mut checks = vec![];
        let mut ids = BTreeSet::new();
        for n in root.get("checks").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(check) = self.check(n, &levels) else {
                continue;
            };
            if !ids.insert(check.id.clone()) {
                let span = n.get("id").map_or(n.span, |i| i.span);
                self.error(
                    span,
                    format!("check id `{}` is used twice in this scorecard", check.id),
                );
            }
            checks.push(check);
        }
        Some(Scorecard {
            id,
            title: str_of(root, "title")?.to_string(),
            description: str_of(root, "description").map(str::to_string),
            applies_to,
            levels,
            checks,
            file: self.file.to_string(),
            span: root.span,
        })
    }

    fn check(&mut self, n: &Node, levels: &[Level]) -> Option<Check> {
        let level_node = n.get("level")?;
        let level_name = level_node.as_str()?;
        let level = levels
            .iter()
            .position(|l| l.name.eq_ignore_ascii_case(level_name));
        if level.is_none() {
            let names: Vec<&str> = levels.iter().map(|l| l.name.as_str()).collect();
            self.problems.push(
                Problem::error(
                    "scorecard/invalid",
                    self.file,
                    level_node.span,
                    format!("unknown level `{level_name}`"),
                )
                .with_hint(format!("levels of this scorecard: {}", names.join(", "))),
            );
        }
        let enforce_from = match n.get("enforceFrom") {
            Some(d) => {
                let date = self.date(d);
                date?;
                date
            }
            None => None,
        };
        let rule = self.rule(n.get("rule")?);
        let applies_to = n
            .get("appliesTo")
            .map(|f| self.filter(f))
            .unwrap_or_default();
        let weight = match n.get("weight").map(|w| &w.value) {
            Some(crate::parse::Value::Int(i)) => *i as f64,
            Some(crate::parse::Value::Float(f)) => *f,
            _ => 1.0,
        };
        Some(Check {
            id: str_of(n, "id")?.to_string(),
            title: str_of(n, "title")?.to_string(),
            description: str_of(n, "description").map(str::to_string),
            level: level?,
            category: str_of(n, "category").unwrap_or("general").to_string(),
            weight,
            severity: if str_of(n, "severity") == Some("warning") {
                Severity::Warning
            } else {
                Severity::Error
            },
            enforce_from,
            applies_to,
            remediation: str_of(n, "remediation").map(str::to_string),
            rule: rule?,
            span: n.span,
        })
    }

    fn date(&mut self, n: &Node) -> Option<NaiveDate> {
        let text = n.as_str()?;
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(n.span, format!("`{text}` is not a date (YYYY-MM-DD): {e}"));
                None
            }
        }
    }

    fn strings(n: Option<&Node>) -> Vec<String> {
        match n {
            None => vec![],
            Some(n) => match n.as_seq() {
                Some(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect(),
                None => n.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
            },
        }
    }

    fn filter(&mut self, n: &Node) -> Filter {
        Filter {
            kind: Self::strings(n.get("kind")),
            type_: Self::strings(n.get("type")),
            lifecycle: Self::strings(n.get("lifecycle")),
            namespace: Self::strings(n.get("namespace")),
            owner: Self::strings(n.get("owner")),
            system: Self::strings(n.get("system")),
            domain: Self::strings(n.get("domain")),
            tags: Self::strings(n.get("tags")),
            entities: Self::strings(n.get("entities")),
            exclude: Self::strings(n.get("exclude")),
            where_: n.get("where").and_then(|w| self.rule(w)).map(Box::new),
        }
    }

    fn rule(&mut self, n: &Node) -> Option<Rule> {
        let entries = n.as_map()?;
        let types: Vec<&str> = entries
            .iter()
            .filter_map(|(k, _)| k.as_str())
            .filter(|k| RULE_TYPES.contains(k))
            .collect();
        let [rule_type] = types[..] else {
            // The schema reports this; nothing more to say here.
            return None;
        };
        let allowed = allowed_options(rule_type);
        let mut ok = true;
        for (k, _) in entries {
            let key = k.as_str().unwrap_or_default();
            if key != rule_type && !allowed.contains(&key) {
                self.problems.push(
                    Problem::error(
                        "scorecard/invalid",
                        self.file,
                        k.span,
                        format!("`{key}` does not apply to a `{rule_type}` rule"),
                    )
                    .with_hint(if allowed.is_empty() {
                        format!("a `{rule_type}` rule takes no options")
                    } else {
                        format!("options of a `{rule_type}` rule: {}", allowed.join(", "))
                    }),
                );
                ok = false;
            }
        }
        let value = n.get(rule_type)?;
        let rule = match rule_type {
            "all" | "any" => {
                let subs: Vec<Option<Rule>> =
                    value.as_seq()?.iter().map(|r| self.rule(r)).collect();
                let subs: Option<Vec<Rule>> = subs.into_iter().collect();
                if rule_type == "all" {
                    Rule::All(subs?)
                } else {
                    Rule::Any(subs?)
                }
            }
            "not" => Rule::Not(Box::new(self.rule(value)?)),
            "field" => {
                let text = value.as_str()?;
                let path = match FieldPath::parse(text) {
                    Ok(p) => p,
                    Err(e) => {
                        self.error(value.span, e);
                        return None;
                    }
                };
                Rule::Field {
                    path,
                    pred: self.predicate(n)?,
                }
            }
            "annotation" => Rule::Annotation {
                key: value.as_str()?.to_string(),
                pred: self.predicate(n)?,
            },
            "label" => Rule::Label {
                key: value.as_str()?.to_string(),
                pred: self.predicate(n)?,
            },
            "relation" => Rule::Relation {
                relation: value.as_str()?.to_string(),
                target_kind: str_of(n, "targetKind").map(str::to_string),
                resolved: !matches!(
                    n.get("resolved").map(|r| &r.value),
                    Some(crate::parse::Value::Bool(false))
                ),
                min: match n.get("min").map(|m| &m.value) {
                    Some(crate::parse::Value::Int(i)) => (*i).max(0) as usize,
                    _ => 1,
                },
            },
            "file" => {
                let paths = Self::strings(Some(value));
                for p in &paths {
                    if p.split(['/', '\\']).any(|s| s == "..") {
                        self.error(
                            value.span,
                            format!("file path `{p}` leaves the repository (`..`)"),
                        );
                        return None;
                    }
                }
                Rule::File {
                    paths,
                    pred: self.predicate(n)?,
                }
            }
            "codeowners" => Rule::Codeowners,
            "docs" => Rule::Docs {
                min_pages: match value.get("minPages").map(|m| &m.value) {
                    Some(crate::parse::Value::Int(i)) => (*i).max(0) as usize,
                    _ => 1,
                },
                max_broken_links: match value.get("maxBrokenLinks").map(|m| &m.value) {
                    Some(crate::parse::Value::Int(i)) => Some((*i).max(0) as usize),
                    _ => None,
                },
            },
            "git" => {
                let path = str_of(n, "path").unwrap_or("").to_string();
                if path.split(['/', '\\']).any(|s| s == "..") {
                    self.error(
                        n.get("path").map_or(n.span, |p| p.span),
                        format!("git path `{path}` leaves the repository (`..`)"),
                    );
                    return None;
                }
                Rule::Git {
                    path,
                    pred: self.predicate(n)?,
                }
            }
            "fact" => Rule::Fact {
                name: value.as_str()?.to_string(),
                pred: self.predicate(n)?,
                if_missing: match str_of(n, "ifMissing") {
                    Some("error") => IfMissing::Error,
                    Some("pass") => IfMissing::Pass,
                    Some("not_applicable") => IfMissing::NotApplicable,
                    _ => IfMissing::Fail,
                },
            },
            _ => return None,
        };
        ok.then_some(rule)
    }

    fn predicate(&mut self, n: &Node) -> Option<Predicate> {
        let json = |k: &str| n.get(k).map(Node::to_json);
        let num = |k: &str| json(k).and_then(|v| v.as_f64());
        let mut p = Predicate {
            exists: json("exists").and_then(|v| v.as_bool()),
            equals: json("equals").or_else(|| json("eq")),
            not_equals: json("notEquals").or_else(|| json("ne")),
            matches: None,
            in_list: json("in").and_then(|v| v.as_array().cloned()),
            not_in: json("notIn").and_then(|v| v.as_array().cloned()),
            contains: json("contains"),
            min_length: json("minLength")
                .and_then(|v| v.as_u64())
                .map(|v| v as usize),
            gt: num("gt"),
            gte: num("gte"),
            lt: num("lt"),
            lte: num("lte"),
        };
        if let Some(m) = n.get("matches") {
            let text = m.as_str()?;
            match regex::RegexBuilder::new(text)
                .multi_line(true)
                .size_limit(1 << 20)
                .build()
            {
                Ok(re) => p.matches = Some(re),
                Err(e) => {
                    let text = e.to_string();
                    let why = text
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim_start_matches("error: ");
                    self.error(m.span, format!("invalid regular expression: {why}"));
                    return None;
                }
            }
        }
        Some(p)
    }
}

/// Human names of the rule types, for hints.
pub fn rule_types() -> &'static [&'static str] {
    &RULE_TYPES
}
