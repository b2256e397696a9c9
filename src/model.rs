//! Stage 4: validated entities → the catalog: entity references resolved with Backstage's
//! default kinds and namespaces, relations in both directions, and cross-file checks
//! (duplicate entities, dangling references, techdocs-ref without mkdocs.yml).

use crate::diag::{Problem, Span};
use crate::discover::SourceFile;
use crate::parse::Node;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::fmt;

/// `kind:namespace/name`. `kind` is kept as written in the entity (`Component`); comparisons
/// and lookups use `key()`, which is case-insensitive like Backstage's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

pub const DEFAULT_NAMESPACE: &str = "default";

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        EntityRef {
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The lookup key: `component:default/name`, all lower-case.
    pub fn key(&self) -> String {
        format!(
            "{}:{}/{}",
            self.kind.to_lowercase(),
            self.namespace.to_lowercase(),
            self.name.to_lowercase()
        )
    }

    /// Path segments used in URLs: `<namespace>/<kind>/<name>` with kind lower-case.
    pub fn url_path(&self) -> String {
        format!(
            "{}/{}/{}",
            self.namespace.to_lowercase(),
            self.kind.to_lowercase(),
            self.name
        )
    }

    /// Parses a reference as Backstage's `parseEntityRef` does: `[kind:][namespace/]name`,
    /// with the defaults filling what is missing. `None` when the kind is missing and there
    /// is no default, or a part is empty.
    pub fn parse(text: &str, default_kind: Option<&str>, default_namespace: &str) -> Option<Self> {
        let (kind, rest) = match text.split_once(':') {
            Some((k, rest)) => (Some(k), rest),
            None => (None, text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) => (ns, name),
            None => (default_namespace, rest),
        };
        let kind = kind.or(default_kind)?;
        if kind.is_empty() || namespace.is_empty() || name.is_empty() {
            return None;
        }
        Some(EntityRef::new(kind, namespace, name))
    }
}

/// Backstage's `stringifyEntityRef`: kind and namespace lower-case, name as written.
impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}/{}",
            self.kind.to_lowercase(),
            self.namespace.to_lowercase(),
            self.name
        )
    }
}

/// A valid (or shown-despite-errors) entity, with where it came from.
#[derive(Debug, Clone)]
pub struct Entity {
    pub entity_ref: EntityRef,
    /// The entity as Backstage stores it: after `$text`/`$json`/`$yaml` substitution and
    /// with `metadata.namespace` defaulted.
    pub data: Json,
    /// The source tree of the document, for spans.
    pub node: Node,
    pub source: SourceFile,
    pub document: usize,
    /// False when validation found errors in it; the site still shows it with its problems.
    pub valid: bool,
}

impl Entity {
    pub fn kind(&self) -> &str {
        &self.entity_ref.kind
    }
    pub fn name(&self) -> &str {
        &self.entity_ref.name
    }
    pub fn namespace(&self) -> &str {
        &self.entity_ref.namespace
    }
    pub fn metadata(&self, field: &str) -> Option<&Json> {
        self.data.get("metadata")?.get(field)
    }
    pub fn spec(&self, field: &str) -> Option<&Json> {
        self.data.get("spec")?.get(field)
    }
    pub fn spec_str(&self, field: &str) -> Option<&str> {
        self.spec(field)?.as_str()
    }
    pub fn title(&self) -> &str {
        self.metadata("title")
            .and_then(Json::as_str)
            .unwrap_or(&self.entity_ref.name)
    }
    pub fn description(&self) -> Option<&str> {
        self.metadata("description").and_then(Json::as_str)
    }
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata("annotations")?.get(key)?.as_str()
    }
    pub fn tags(&self) -> Vec<&str> {
        self.metadata("tags")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default()
    }
    /// The span of a field in the source (JSON pointer), falling back to the document.
    pub fn span_of(&self, pointer: &str) -> Span {
        self.node
            .at_pointer(pointer)
            .map(|n| n.span)
            .unwrap_or(self.node.span)
    }
}

/// One edge of the graph, stored on its source entity. Both directions are stored:
/// `ownedBy` on the component and `ownerOf` on the group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    /// Backstage's relation type: `ownedBy`, `ownerOf`, `partOf`, `hasPart`, ...
    pub kind: &'static str,
    pub target: EntityRef,
    /// Index of the target in `Catalog::entities`, when it exists.
    pub resolved: Option<usize>,
}

/// The output of this stage: every entity once, sorted by ref key, with relations.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub entities: Vec<Entity>,
    /// `relations[i]` are the relations of `entities[i]`, sorted.
    pub relations: Vec<Vec<Relation>>,
    pub index: HashMap<String, usize>,
    /// Number of catalog files read (for the summary).
    pub files: usize,
    pub problems: Vec<Problem>,
}

impl Catalog {
    pub fn get(&self, entity_ref: &EntityRef) -> Option<&Entity> {
        self.index
            .get(&entity_ref.key())
            .map(|&i| &self.entities[i])
    }
    pub fn position(&self, entity_ref: &EntityRef) -> Option<usize> {
        self.index.get(&entity_ref.key()).copied()
    }
    /// Relations of entity `i` of one type.
    pub fn related<'a>(&'a self, i: usize, kind: &'a str) -> impl Iterator<Item = &'a Relation> {
        self.relations[i].iter().filter(move |r| r.kind == kind)
    }
}

/// Output of the validate stage for one file, the input of this one.
#[derive(Debug, Clone)]
pub struct ValidatedFile {
    pub source: SourceFile,
    pub entities: Vec<Entity>,
    pub problems: Vec<Problem>,
}

/// Builds the catalog. Stub until the model lands: no relations, no cross-file checks.
pub fn build(files: Vec<ValidatedFile>) -> Catalog {
    let mut catalog = Catalog {
        files: files.len(),
        ..Catalog::default()
    };
    for f in files {
        catalog.entities.extend(f.entities);
        catalog.problems.extend(f.problems);
    }
    catalog.entities.sort_by_key(|e| e.entity_ref.key());
    for (i, e) in catalog.entities.iter().enumerate() {
        catalog.index.insert(e.entity_ref.key(), i);
    }
    catalog.relations = vec![vec![]; catalog.entities.len()];
    catalog
}
