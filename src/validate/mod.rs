//! Stage 3: parsed documents → entities, judged exactly as Backstage's catalog judges them:
//! `$text`/`$json`/`$yaml` substitution, the envelope, metadata formats, the kind schemas in
//! `schemas/`, then users' own schemas from `portico.yaml`. Every violation is reported at
//! the node it concerns, not just the first one.
//!
//! Backstage's order (the catalog's default entity policies, then the kind validators):
//! `SchemaValidEntityPolicy` (the envelope schema), `DefaultNamespaceEntityPolicy`,
//! `NoForeignRootFieldsEntityPolicy`, `FieldFormatEntityPolicy`, then the first kind
//! validator whose `apiVersion`/`kind` match. Backstage stops at the first failure; portico
//! runs every check and reports every failure, so its verdict (error or not) is the same.

pub mod format;
pub mod placeholder;
mod schema;

use crate::config::{Config, RuleLevel};
use crate::diag::{Problem, Severity, Span};
use crate::model::{Entity, EntityRef, ValidatedFile, DEFAULT_NAMESPACE};
use crate::parse::{Node, ParsedFile, Value};
use serde_json::Value as Json;

pub use schema::BUILTIN_SCHEMAS;

/// A kind portico knows: the `apiVersion`s Backstage accepts for it and its schema.
struct KnownKind {
    kind: &'static str,
    api_versions: &'static [&'static str],
    schema: jsonschema::Validator,
}

/// A user schema from `portico.yaml`, compiled.
struct UserSchema {
    path: String,
    kinds: Vec<String>,
    rule: String,
    severity: Severity,
    schema: jsonschema::Validator,
}

/// Compiled schemas, built once per run and shared across threads.
pub struct Validator {
    envelope: jsonschema::Validator,
    kinds: Vec<KnownKind>,
    user: Vec<UserSchema>,
    /// For the `rules:` severity overrides (which decide whether an entity is valid).
    config: Config,
    /// How much of a valid entity's data to keep once it is validated.
    pub retain: crate::model::Retain,
    /// Symbolic-link checks of placeholder paths, shared by the files of this run.
    dir_links: placeholder::DirLinks,
}

/// Root fields Backstage accepts in a catalog file (`NoForeignRootFieldsEntityPolicy`).
const ROOT_FIELDS: [&str; 4] = ["apiVersion", "kind", "metadata", "spec"];

const CORE_VERSIONS: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];

impl Validator {
    /// Compiles the built-in schemas and the user's. Problems in user schemas are returned.
    pub fn new(config: &Config) -> (Self, Vec<Problem>) {
        let envelope = schema::compile_builtin("entity.schema.json");
        let kind = |kind, api_versions, file| KnownKind {
            kind,
            api_versions,
            schema: schema::compile_builtin(file),
        };
        let kinds = vec![
            kind("API", CORE_VERSIONS, "kinds/api.v1alpha1.schema.json"),
            kind(
                "Component",
                CORE_VERSIONS,
                "kinds/component.v1alpha1.schema.json",
            ),
            kind("Domain", CORE_VERSIONS, "kinds/domain.v1alpha1.schema.json"),
            kind("Group", CORE_VERSIONS, "kinds/group.v1alpha1.schema.json"),
            kind(
                "Location",
                CORE_VERSIONS,
                "kinds/location.v1alpha1.schema.json",
            ),
            kind(
                "Resource",
                CORE_VERSIONS,
                "kinds/resource.v1alpha1.schema.json",
            ),
            kind("System", CORE_VERSIONS, "kinds/system.v1alpha1.schema.json"),
            kind("User", CORE_VERSIONS, "kinds/user.v1alpha1.schema.json"),
            kind(
                "Template",
                &["scaffolder.backstage.io/v1beta3"],
                "kinds/template.v1beta3.schema.json",
            ),
        ];
        let mut problems = Vec::new();
        let mut user = Vec::new();
        for rule in &config.schemas {
            match schema::compile_user(&config.root, &rule.path) {
                Ok(compiled) => {
                    if rule.severity == Some(RuleLevel::Off) {
                        continue;
                    }
                    user.push(UserSchema {
                        path: rule.path.clone(),
                        kinds: rule.kinds.iter().map(|k| k.to_lowercase()).collect(),
                        rule: rule.rule.clone().unwrap_or_else(|| "user-schema".into()),
                        severity: match rule.severity {
                            Some(RuleLevel::Warning) => Severity::Warning,
                            _ => Severity::Error,
                        },
                        schema: compiled,
                    })
                }
                Err(p) => problems.push(*p),
            }
        }
        (
            Validator {
                envelope,
                kinds,
                user,
                config: Config {
                    rules: config.rules.clone(),
                    file: config.file.clone(),
                    ..Config::default()
                },
                retain: crate::model::Retain::Everything,
                dir_links: placeholder::DirLinks::default(),
            },
            problems,
        )
    }

    /// Validates every document of a file.
    pub fn validate(&self, file: ParsedFile) -> ValidatedFile {
        let mut problems = file.problems;
        let mut entities = Vec::with_capacity(file.docs.len());
        for doc in file.docs {
            let (entity, mut doc_problems) =
                self.validate_document(&file.source, doc.index, doc.root);
            for p in &mut doc_problems {
                p.document = Some(doc.index);
                if let Some(e) = &entity {
                    p.entity = Some(e.entity_ref.to_string());
                }
            }
            self.apply_rule_levels(&mut doc_problems);
            let mut entity = entity;
            if let Some(e) = &mut entity {
                e.valid = !doc_problems.iter().any(|p| p.severity == Severity::Error);
            }
            entities.extend(entity);
            problems.extend(doc_problems);
        }
        // Problems from parsing (duplicate keys) belong to the entity of their document.
        for p in &mut problems {
            if p.entity.is_none() {
                if let Some(e) = entities.iter_mut().find(|e| Some(e.document) == p.document) {
                    p.entity = Some(e.entity_ref.to_string());
                    if p.severity == Severity::Error {
                        e.valid = false;
                    }
                }
            }
        }
        self.apply_rule_levels(&mut problems);
        crate::diag::sort_problems(&mut problems);
        ValidatedFile {
            source: file.source,
            entities,
            problems,
        }
    }

    /// `portico.yaml` `rules:` severity overrides (`off` drops the problem).
    fn apply_rule_levels(&self, problems: &mut Vec<Problem>) {
        self.config.apply_rule_levels(problems);
    }

    /// One document: the entity (when it has a kind and a name) and its problems.
    fn validate_document(
        &self,
        source: &crate::discover::SourceFile,
        document: usize,
        root: Node,
    ) -> (Option<Entity>, Vec<Problem>) {
        let file = source.display.as_str();
        let mut problems = Vec::new();
        if root.as_map().is_none() {
            problems.push(
                Problem::error(
                    "entity/not-an-object",
                    file,
                    root.span,
                    format!(
                        "a catalog entity must be a mapping (apiVersion, kind, metadata, spec), found {}",
                        describe_node(&root)
                    ),
                )
                .with_hint("each YAML document of a catalog file is one entity"),
            );
            return (None, problems);
        }
        let substituted = placeholder::substitute(&root, source, document, &self.dir_links);
        problems.extend(substituted.problems);
        let unresolved = substituted.unresolved;
        let mut json = substituted.json;
        let suppressed = |pointer: &str| {
            unresolved
                .iter()
                .any(|u| pointer == u || pointer.starts_with(&format!("{u}/")))
        };

        // NoForeignRootFieldsEntityPolicy.
        if let Some(entries) = root.as_map() {
            for (k, _) in entries {
                if k.as_str().is_some_and(|key| ROOT_FIELDS.contains(&key)) {
                    continue;
                }
                let key = k.key_string();
                if !ROOT_FIELDS.contains(&key.as_str()) {
                    let hint = match key.as_str() {
                        "name" | "namespace" | "title" | "description" | "labels"
                        | "annotations" | "tags" | "links" => {
                            format!("`{key}` belongs under `metadata:`")
                        }
                        "relations" | "status" => {
                            format!("`{key}` is computed by the catalog; remove it from the file")
                        }
                        _ => "only apiVersion, kind, metadata and spec are allowed at the root; kind-specific fields go under `spec:`".into(),
                    };
                    problems.push(
                        Problem::error(
                            "entity/foreign-root-field",
                            file,
                            k.span,
                            format!("unknown root field `{key}`"),
                        )
                        .with_hint(hint),
                    );
                }
            }
        }

        // Which kind schema applies.
        let api_version = json.get("apiVersion").and_then(Json::as_str);
        let kind = json.get("kind").and_then(Json::as_str);
        let kind_owned = kind.map(str::to_owned);
        let user_kind = |k: &str| {
            let k = k.to_lowercase();
            self.user
                .iter()
                .any(|u| !u.kinds.is_empty() && u.kinds.contains(&k))
        };
        let mut kind_schema = None;
        if let (Some(api_version), Some(kind)) = (api_version, kind) {
            if !kind.is_empty() && !api_version.is_empty() {
                match self.kinds.iter().find(|k| k.kind == kind) {
                    Some(known) if known.api_versions.contains(&api_version) => {
                        kind_schema = Some(&known.schema)
                    }
                    _ if user_kind(kind) => {}
                    Some(known) => problems.push(
                        Problem::error(
                            "entity/unknown-api-version",
                            file,
                            span_at(&root, "/apiVersion", false),
                            format!("apiVersion `{api_version}` is not one Backstage accepts for kind {kind}"),
                        )
                        .with_hint(format!("use {}", one_of(known.api_versions))),
                    ),
                    None => {
                        let similar = self
                            .kinds
                            .iter()
                            .find(|k| k.kind.eq_ignore_ascii_case(kind));
                        let hint = match similar {
                            Some(k) => format!("kinds are case-sensitive: did you mean `{}`?", k.kind),
                            None => format!(
                                "known kinds: {}; configure a schema for other kinds in portico.yaml (`schemas:` with `kinds: [{kind}]`)",
                                self.kinds.iter().map(|k| k.kind).collect::<Vec<_>>().join(", ")
                            ),
                        };
                        problems.push(
                            Problem::error(
                                "entity/unknown-kind",
                                file,
                                span_at(&root, "/kind", false),
                                format!("unknown kind `{kind}` (apiVersion {api_version})"),
                            )
                            .with_hint(hint),
                        );
                    }
                }
            }
        }

        // The schema: the kind's (which includes the envelope), else the envelope alone.
        let schema = kind_schema.unwrap_or(&self.envelope);
        for p in schema::errors(schema, &json, &root, file) {
            if !suppressed(&p.0) {
                problems.push(p.1);
            }
        }

        // FieldFormatEntityPolicy.
        for f in format::check(&json) {
            if suppressed(&f.pointer) {
                continue;
            }
            problems.push(
                Problem::error(
                    f.rule,
                    file,
                    span_at(&root, &f.pointer, f.at_key),
                    f.message,
                )
                .with_hint(f.hint),
            );
        }

        // DefaultNamespaceEntityPolicy (a missing or empty namespace becomes `default`).
        if let Some(meta) = json.get_mut("metadata").and_then(Json::as_object_mut) {
            let empty = match meta.get("namespace") {
                None | Some(Json::Null) => true,
                Some(Json::String(s)) => s.is_empty(),
                Some(_) => false,
            };
            if empty && !meta.contains_key("namespace") {
                // Right after `name`, else last. The map is made anew, one entry larger: an
                // insertion into the full one would double its room, for every entity.
                let mut with = serde_json::Map::with_capacity(meta.len() + 1);
                let mut placed = false;
                for (k, v) in std::mem::take(meta) {
                    let after = !placed && k == "name";
                    with.insert(k, v);
                    if after {
                        with.insert("namespace".into(), Json::from(DEFAULT_NAMESPACE));
                        placed = true;
                    }
                }
                if !placed {
                    with.insert("namespace".into(), Json::from(DEFAULT_NAMESPACE));
                }
                *meta = with;
            }
        }

        // Users' schemas, on the entity as Backstage stores it.
        for user in &self.user {
            let applies = user.kinds.is_empty()
                || kind_owned
                    .as_deref()
                    .is_some_and(|k| user.kinds.contains(&k.to_lowercase()));
            if !applies {
                continue;
            }
            for (pointer, mut p) in schema::errors(&user.schema, &json, &root, file) {
                if suppressed(&pointer) {
                    continue;
                }
                p.rule = user.rule.clone();
                p.severity = user.severity;
                let why = p.hint.take().map(|h| format!(" ({h})")).unwrap_or_default();
                p.hint = Some(format!("required by {}{why}", user.path));
                problems.push(p);
            }
        }

        if self.retain == crate::model::Retain::References {
            crate::model::prune_to_references(&mut json);
        }
        let entity = entity_ref(&json).map(|entity_ref| Entity {
            entity_ref,
            data: json,
            spans: crate::parse::Spans::of(&root),
            source: source.clone(),
            document,
            valid: true,
        });
        (entity, problems)
    }
}

/// `kind:namespace/name` when kind and name are non-empty strings (a namespace that is not a
/// non-empty string counts as `default`, so the entity can still be shown).
fn entity_ref(json: &Json) -> Option<EntityRef> {
    let kind = json.get("kind")?.as_str().filter(|s| !s.is_empty())?;
    let meta = json.get("metadata")?;
    let name = meta.get("name")?.as_str().filter(|s| !s.is_empty())?;
    let namespace = meta
        .get("namespace")
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_NAMESPACE);
    Some(EntityRef::new(kind, namespace, name))
}

fn one_of(items: &[&str]) -> String {
    match items {
        [one] => format!("`{one}`"),
        _ => {
            let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

/// The node at a JSON pointer, or its nearest ancestor present in the source (content that
/// came from a placeholder has no source of its own: the placeholder stands for it).
pub fn locate<'a>(root: &'a Node, pointer: &str) -> &'a Node {
    let mut node = root;
    let Some(rest) = pointer.strip_prefix('/') else {
        return node;
    };
    for raw in rest.split('/') {
        let part = crate::parse::unescape_pointer_segment(raw);
        let next = match &node.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.key_string() == part)
                .map(|(_, v)| v),
            Value::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    node
}

/// The span of the node at `pointer` (nearest ancestor when absent), or of its key.
pub fn span_at(root: &Node, pointer: &str, at_key: bool) -> Span {
    if at_key {
        if let Some((parent, last)) = pointer.rsplit_once('/') {
            let last = crate::parse::unescape_pointer_segment(last);
            let parent = locate(root, parent);
            if let Some((k, _)) = parent
                .as_map()
                .and_then(|m| m.iter().find(|(k, _)| k.key_string() == last))
            {
                return k.span;
            }
        }
    }
    locate(root, pointer).span
}

/// "a number (42)", "a list", "a mapping", for messages.
pub fn describe_node(node: &Node) -> String {
    describe(&node.to_json())
}

pub fn describe(value: &Json) -> String {
    match value {
        Json::Null => "nothing (null)".into(),
        Json::Bool(b) => format!("a boolean ({b})"),
        Json::Number(n) => format!("a number ({n})"),
        Json::String(s) if s.is_empty() => "an empty string".into(),
        Json::String(s) => {
            let short: String = s.chars().take(40).collect();
            if short.len() < s.len() {
                format!("a string (\"{short}…\")")
            } else {
                format!("a string (\"{s}\")")
            }
        }
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "a mapping".into(),
    }
}
