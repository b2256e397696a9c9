//! Stage 4: validated entities → the catalog: entity references resolved with Backstage's
//! default kinds and namespaces, relations in both directions, and cross-file checks
//! (duplicate entities, dangling references, techdocs-ref without mkdocs.yml).

#[cfg(test)]
use crate::diag::Severity;
use crate::diag::{Problem, Span};
use crate::discover::SourceFile;
#[cfg(test)]
use crate::parse::Node;
use crate::parse::Spans;
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
        let mut key = String::new();
        push_key(&mut key, &self.kind, &self.namespace, &self.name);
        key
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
    /// with the defaults filling what is missing. `None` when it is malformed (see
    /// [`EntityRef::parse_ref`] for the reason).
    pub fn parse(text: &str, default_kind: Option<&str>, default_namespace: &str) -> Option<Self> {
        Self::parse_ref(text, default_kind, default_namespace).ok()
    }

    /// Backstage's `parseEntityRef`, exactly: a `/` before the first `:` makes the colon part
    /// of the name; empty parts are errors; a missing kind without a default is an error.
    /// The error text is Backstage's.
    pub fn parse_ref(
        text: &str,
        default_kind: Option<&str>,
        default_namespace: &str,
    ) -> Result<Self, String> {
        let (kind, namespace, name) = parse_ref_parts(text, default_kind, default_namespace)?;
        Ok(EntityRef::new(kind, namespace, name))
    }
}

/// [`EntityRef::parse_ref`] without building the ref: `(kind, namespace, name)`.
fn parse_ref_parts<'a>(
    text: &'a str,
    default_kind: Option<&'a str>,
    default_namespace: &'a str,
) -> Result<(&'a str, &'a str, &'a str), String> {
    if text.is_empty() {
        return Err("Entity reference must not be empty".into());
    }
    let slash = text.find('/');
    let colon = text
        .find(':')
        .filter(|&c| !matches!(slash, Some(s) if s < c));
    let kind = colon.map(|c| &text[..c]);
    let after_colon = colon.map_or(0, |c| c + 1);
    let namespace = slash.map(|s| &text[after_colon..s]);
    let name = &text[after_colon.max(slash.map_or(0, |s| s + 1))..];
    if kind == Some("") || namespace == Some("") || name.is_empty() {
        return Err(format!(
            "Entity reference \"{text}\" was not on the form [<kind>:][<namespace>/]<name>"
        ));
    }
    let Some(kind) = kind.or(default_kind) else {
        return Err(format!(
            "Entity reference \"{text}\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
        ));
    };
    let namespace = namespace.unwrap_or(if default_namespace.is_empty() {
        DEFAULT_NAMESPACE
    } else {
        default_namespace
    });
    Ok((kind, namespace, name))
}

/// Appends the lookup key of `kind:namespace/name` ([`EntityRef::key`]) to `out`.
fn push_key(out: &mut String, kind: &str, namespace: &str, name: &str) {
    out.reserve(kind.len() + namespace.len() + name.len() + 2);
    push_lowercase(out, kind);
    out.push(':');
    push_lowercase(out, namespace);
    out.push('/');
    push_lowercase(out, name);
}

/// Appends `s.to_lowercase()` without an intermediate string (ASCII, the common case, needs
/// no Unicode tables).
fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.push_str(&s.to_lowercase());
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
    /// Where its values are in the source, for problems (the tree itself is dropped).
    pub spans: Spans,
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
    /// What to show for the entity: `metadata.title`, else (users, groups) the non-empty
    /// `spec.profile.displayName` as Backstage does, else the name.
    pub fn title(&self) -> &str {
        self.metadata("title")
            .and_then(Json::as_str)
            .or_else(|| {
                self.spec("profile")?
                    .get("displayName")?
                    .as_str()
                    .filter(|s| !s.trim().is_empty())
            })
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
        self.spans.span_of(pointer)
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
    /// Every catalog file read, sorted by display path (junit lists passing files too).
    pub sources: Vec<SourceFile>,
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

/// How an entity kind's spec fields become relations: Backstage's
/// `BuiltinKindsEntityProcessor` (and the scaffolder's processor for `Template`), field by
/// field. `(kind, spec field, default kind, outgoing relation, incoming relation)`. Every
/// field takes one reference or a list; the default namespace is the entity's own.
pub const RELATION_FIELDS: &[(&str, &str, Option<&str>, &str, &str)] = &[
    ("Component", "owner", Some("Group"), OWNED_BY, OWNER_OF),
    (
        "Component",
        "subcomponentOf",
        Some("Component"),
        PART_OF,
        HAS_PART,
    ),
    (
        "Component",
        "providesApis",
        Some("API"),
        PROVIDES_API,
        API_PROVIDED_BY,
    ),
    (
        "Component",
        "consumesApis",
        Some("API"),
        CONSUMES_API,
        API_CONSUMED_BY,
    ),
    ("Component", "dependsOn", None, DEPENDS_ON, DEPENDENCY_OF),
    ("Component", "dependencyOf", None, DEPENDENCY_OF, DEPENDS_ON),
    ("Component", "system", Some("System"), PART_OF, HAS_PART),
    ("API", "owner", Some("Group"), OWNED_BY, OWNER_OF),
    ("API", "system", Some("System"), PART_OF, HAS_PART),
    ("Resource", "owner", Some("Group"), OWNED_BY, OWNER_OF),
    ("Resource", "dependsOn", None, DEPENDS_ON, DEPENDENCY_OF),
    ("Resource", "dependencyOf", None, DEPENDENCY_OF, DEPENDS_ON),
    ("Resource", "system", Some("System"), PART_OF, HAS_PART),
    ("User", "memberOf", Some("Group"), MEMBER_OF, HAS_MEMBER),
    ("Group", "parent", Some("Group"), CHILD_OF, PARENT_OF),
    ("Group", "children", Some("Group"), PARENT_OF, CHILD_OF),
    ("Group", "members", Some("User"), HAS_MEMBER, MEMBER_OF),
    ("System", "owner", Some("Group"), OWNED_BY, OWNER_OF),
    ("System", "domain", Some("Domain"), PART_OF, HAS_PART),
    ("Domain", "owner", Some("Group"), OWNED_BY, OWNER_OF),
    ("Domain", "subdomainOf", Some("Domain"), PART_OF, HAS_PART),
    ("Template", "owner", Some("Group"), OWNED_BY, OWNER_OF),
];

pub const OWNED_BY: &str = "ownedBy";
pub const OWNER_OF: &str = "ownerOf";
pub const PART_OF: &str = "partOf";
pub const HAS_PART: &str = "hasPart";
pub const PROVIDES_API: &str = "providesApi";
pub const API_PROVIDED_BY: &str = "apiProvidedBy";
pub const CONSUMES_API: &str = "consumesApi";
pub const API_CONSUMED_BY: &str = "apiConsumedBy";
pub const DEPENDS_ON: &str = "dependsOn";
pub const DEPENDENCY_OF: &str = "dependencyOf";
pub const CHILD_OF: &str = "childOf";
pub const PARENT_OF: &str = "parentOf";
pub const MEMBER_OF: &str = "memberOf";
pub const HAS_MEMBER: &str = "hasMember";

pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";

/// How much of each entity's data the catalog keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retain {
    /// All of it: the site and the scorecards read any field.
    #[default]
    Everything,
    /// What the model reads: references, Location targets, the techdocs annotation. The
    /// references are checked, but the catalog gets no relations ([`build_with`]).
    References,
}

/// Drops what the model does not read from an entity's data ([`Retain::References`]):
/// `portico validate` holds every entity of the organisation at once, and descriptions,
/// links and substituted API definitions are most of their size.
pub fn prune_to_references(data: &mut Json) {
    let Some(root) = data.as_object_mut() else {
        return;
    };
    keep(root, |k| {
        matches!(k, "apiVersion" | "kind" | "metadata" | "spec")
    });
    if let Some(meta) = root.get_mut("metadata").and_then(Json::as_object_mut) {
        keep(meta, |k| matches!(k, "name" | "namespace" | "annotations"));
        if let Some(a) = meta.get_mut("annotations").and_then(Json::as_object_mut) {
            keep(a, |k| k == TECHDOCS_REF);
        }
    }
    if let Some(spec) = root.get_mut("spec").and_then(Json::as_object_mut) {
        // Reference fields of any kind, and what discover reads of a Location.
        keep(spec, |k| {
            RELATION_FIELDS.iter().any(|&(_, field, ..)| field == k)
                || matches!(k, "type" | "target" | "targets" | "presence")
        });
    }
}

/// Keeps the entries of `map` whose key passes, in a map of just their size: `retain` would
/// keep the room of the dropped ones (about a hundred bytes each, for every entity held).
fn keep(map: &mut serde_json::Map<String, Json>, wanted: impl Fn(&str) -> bool) {
    let n = map.keys().filter(|k| wanted(k)).count();
    let mut kept = serde_json::Map::with_capacity(n);
    for (k, v) in std::mem::take(map) {
        if wanted(&k) {
            kept.insert(k, v);
        }
    }
    *map = kept;
}

/// One reference written in an entity's spec, parsed.
#[derive(Debug, Clone)]
pub struct SpecRef {
    /// JSON pointer of the value (`/spec/dependsOn/1`), for spans.
    pub pointer: String,
    /// The spec field it came from (`dependsOn`).
    pub field: &'static str,
    pub outgoing: &'static str,
    pub incoming: &'static str,
    pub target: Result<EntityRef, String>,
}

/// The references an entity's spec makes, in field order, as Backstage's processors read
/// them. Values that are not strings are skipped (the schema reports them).
pub fn spec_refs(entity: &Entity) -> Vec<SpecRef> {
    let namespace = entity.namespace();
    spec_values(entity)
        .map(|v| SpecRef {
            pointer: v.pointer(),
            field: v.field.1,
            outgoing: v.field.3,
            incoming: v.field.4,
            target: EntityRef::parse_ref(v.text, v.field.2, namespace),
        })
        .collect()
}

/// One string value of a reference field of an entity's spec (what [`SpecRef`] is made
/// from, before anything is allocated).
struct SpecValue<'a> {
    field: &'static (
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
        &'static str,
    ),
    /// The position in the field's list, when it is one.
    item: Option<usize>,
    text: &'a str,
}

impl SpecValue<'_> {
    /// JSON pointer of the value (`/spec/dependsOn/1`).
    fn pointer(&self) -> String {
        match self.item {
            None => format!("/spec/{}", self.field.1),
            Some(i) => format!("/spec/{}/{i}", self.field.1),
        }
    }
}

/// The string values of the entity's reference fields, in [`RELATION_FIELDS`] order.
fn spec_values(entity: &Entity) -> impl Iterator<Item = SpecValue<'_>> {
    let kind = entity.kind();
    let spec = entity.data.get("spec");
    RELATION_FIELDS
        .iter()
        .filter(move |f| f.0 == kind)
        .flat_map(move |field| {
            let (one, many) = match spec.and_then(|s| s.get(field.1)) {
                Some(Json::String(s)) => (Some(s.as_str()), &[][..]),
                Some(Json::Array(items)) => (None, items.as_slice()),
                _ => (None, &[][..]),
            };
            let one = one.map(|text| SpecValue {
                field,
                item: None,
                text,
            });
            let many = many.iter().enumerate().filter_map(move |(i, v)| {
                Some(SpecValue {
                    field,
                    item: Some(i),
                    text: v.as_str()?,
                })
            });
            one.into_iter().chain(many)
        })
}

/// Builds the catalog: entities indexed by ref (the first copy of a duplicate wins, every
/// copy gets an error naming the others), relations in both directions, dangling and
/// malformed references, techdocs-ref directories without `mkdocs.yml`.
pub fn build(files: Vec<ValidatedFile>) -> Catalog {
    build_with(files, Retain::Everything)
}

/// [`build`], with relations only when `retain` keeps everything: with
/// [`Retain::References`] (`portico validate`) every reference is still resolved and
/// checked, with the same problems, but `Catalog::relations` holds an empty list per entity
/// (making 260,000 relations, each naming its target, was two thirds of the model's time
/// on 10,000 repositories, for a report that never shows them).
pub fn build_with(mut files: Vec<ValidatedFile>, retain: Retain) -> Catalog {
    let with_relations = retain == Retain::Everything;
    let timer = crate::Timer::new();
    files.sort_by(|a, b| a.source.display.cmp(&b.source.display));
    let mut catalog = Catalog {
        files: files.len(),
        ..Catalog::default()
    };
    // Sized up front: growing them moved every entity several times into fresh memory.
    let mut all = Vec::with_capacity(files.iter().map(|f| f.entities.len()).sum());
    catalog.sources.reserve_exact(files.len());
    for f in files {
        catalog.sources.push(f.source);
        all.extend(f.entities);
        catalog.problems.extend(f.problems);
    }
    timer.lap("model: index: gather");

    // Every entity's lookup key, computed once (in parallel: it lower-cases three strings).
    use rayon::prelude::*;
    let all_keys: Vec<String> = all.par_iter().map(|e| e.entity_ref.key()).collect();
    timer.lap("model: index: keys");
    // Duplicates: group by key, in file order, so "first" is deterministic.
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::with_capacity(all.len());
    for (i, key) in all_keys.iter().enumerate() {
        by_key.entry(key).or_default().push(i);
    }
    let mut keep = vec![true; all.len()];
    let mut duplicates: Vec<&Vec<usize>> = by_key.values().filter(|c| c.len() > 1).collect();
    duplicates.sort();
    for copies in duplicates {
        for &i in copies {
            let e = &all[i];
            let others: Vec<String> = copies
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| place(&all[j]))
                .collect();
            catalog.problems.push(
                Problem::error(
                    "catalog/duplicate-entity",
                    e.source.display.clone(),
                    e.span_of("/metadata/name"),
                    format!(
                        "entity {} is defined more than once; also at {}",
                        e.entity_ref,
                        others.join(", ")
                    ),
                )
                .in_document(e.document)
                .with_entity(e.entity_ref.to_string())
                .with_hint("entity refs (kind, namespace, name; case-insensitive) must be unique across the catalog"),
            );
        }
        for &i in &copies[1..] {
            keep[i] = false;
        }
    }
    drop(by_key);
    timer.lap("model: index: duplicates");
    // Sorted by key: the positions are sorted and each entity then moved once (an entity is
    // a few hundred bytes; sorting the entities themselves moved each many times).
    let mut order: Vec<usize> = (0..all.len()).filter(|&i| keep[i]).collect();
    order.par_sort_unstable_by(|&a, &b| all_keys[a].cmp(&all_keys[b]));
    let mut all_keys: Vec<Option<String>> = all_keys.into_iter().map(Some).collect();
    let mut all: Vec<Option<Entity>> = all.into_iter().map(Some).collect();
    let keys: Vec<String> = order
        .iter()
        .map(|&i| all_keys[i].take().expect("each position once"))
        .collect();
    let entities: Vec<Entity> = order
        .iter()
        .map(|&i| all[i].take().expect("each position once"))
        .collect();
    drop((all, all_keys));
    timer.lap("model: index: sort");
    catalog.index = HashMap::with_capacity(keys.len());
    // The relations are sorted by their targets' keys below; without relations the keys
    // move into the index.
    let keys = if with_relations {
        for (i, key) in keys.iter().enumerate() {
            catalog.index.insert(key.clone(), i);
        }
        keys
    } else {
        for (i, key) in keys.into_iter().enumerate() {
            catalog.index.insert(key, i);
        }
        vec![]
    };

    timer.lap("model: index: lookup map");
    // Relations, both directions, and reference problems: each entity's references are
    // resolved in parallel, then the incoming side is added to the targets.
    let index = &catalog.index;
    let resolved: Vec<Resolved> = entities
        .par_iter()
        .map(|e| resolve_refs(e, &entities, index, with_relations))
        .collect();
    // Entities by namespace and name (any kind) suggest what a dangling reference may have
    // meant; only built when there is one.
    let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
    if resolved
        .iter()
        .any(|r| r.problems.iter().any(|(_, dangling)| dangling.is_some()))
    {
        for (i, e) in entities.iter().enumerate() {
            by_name
                .entry((e.namespace().to_lowercase(), e.name().to_lowercase()))
                .or_default()
                .push(i);
        }
    }
    let mut relations: Vec<Vec<Relation>> = vec![vec![]; entities.len()];
    for (i, r) in resolved.into_iter().enumerate() {
        for (mut problem, dangling) in r.problems {
            if let Some(hint) = dangling.and_then(|t| dangling_hint(&t, &by_name, &entities)) {
                problem = problem.with_hint(hint);
            }
            catalog.problems.push(problem);
        }
        for (rel, incoming) in r.relations {
            if let Some(j) = rel.resolved {
                relations[j].push(Relation {
                    kind: incoming,
                    target: entities[i].entity_ref.clone(),
                    resolved: Some(i),
                });
            }
            relations[i].push(rel);
        }
    }
    // Sorted by type, then target key (a resolved target's key is its position's), each
    // (type, target) once.
    relations.par_iter_mut().for_each(|rels| {
        let mut keyed: Vec<(std::borrow::Cow<str>, Relation)> = rels
            .drain(..)
            .map(|r| {
                let key = match r.resolved {
                    Some(j) => std::borrow::Cow::Borrowed(keys[j].as_str()),
                    None => std::borrow::Cow::Owned(r.target.key()),
                };
                (key, r)
            })
            .collect();
        keyed.sort_by(|(ka, a), (kb, b)| (a.kind, ka, a.resolved).cmp(&(b.kind, kb, b.resolved)));
        keyed.dedup_by(|(ka, a), (kb, b)| a.kind == b.kind && ka == kb);
        rels.extend(keyed.into_iter().map(|(_, r)| r));
    });

    timer.lap("model: relations");
    // techdocs-ref: dir:X needs X/mkdocs.yml (checked in parallel: one stat per entity).
    let techdocs: Vec<Problem> = entities.par_iter().filter_map(techdocs_problem).collect();
    catalog.problems.extend(techdocs);
    timer.lap("model: techdocs");

    catalog.entities = entities;
    catalog.relations = relations;
    catalog
}

/// One entity's references, resolved against the index: its outgoing relations (each with
/// the type of its inverse) and its reference problems, in field order; a dangling
/// reference's warning comes with the missing target, for its "did you mean" hint.
struct Resolved {
    relations: Vec<(Relation, &'static str)>,
    problems: Vec<(Problem, Option<EntityRef>)>,
}

fn resolve_refs(
    e: &Entity,
    entities: &[Entity],
    index: &HashMap<String, usize>,
    with_relations: bool,
) -> Resolved {
    let mut out = Resolved {
        relations: vec![],
        problems: vec![],
    };
    let namespace = e.namespace();
    let mut key = String::new();
    for v in spec_values(e) {
        let (_, field, default_kind, outgoing, incoming) = *v.field;
        let (kind, ns, name) = match parse_ref_parts(v.text, default_kind, namespace) {
            Ok(parts) => parts,
            Err(msg) => {
                out.problems.push((
                    Problem::error(
                        "catalog/invalid-ref",
                        e.source.display.clone(),
                        e.span_of(&v.pointer()),
                        format!("spec.{field}: {msg}"),
                    )
                    .in_document(e.document)
                    .with_entity(e.entity_ref.to_string())
                    .with_hint(ref_hint(field)),
                    None,
                ));
                continue;
            }
        };
        key.clear();
        push_key(&mut key, kind, ns, name);
        let resolved = index.get(key.as_str()).copied();
        if resolved.is_some() && !with_relations {
            continue;
        }
        // A resolved target is named as its entity writes itself.
        let target = match resolved {
            Some(j) => entities[j].entity_ref.clone(),
            None => {
                let target = EntityRef::new(kind, ns, name);
                let problem = Problem::warning(
                    "catalog/dangling-ref",
                    e.source.display.clone(),
                    e.span_of(&v.pointer()),
                    format!("spec.{field} refers to {target}, which is not in the catalog"),
                )
                .in_document(e.document)
                .with_entity(e.entity_ref.to_string());
                out.problems.push((problem, Some(target.clone())));
                if !with_relations {
                    continue;
                }
                target
            }
        };
        out.relations.push((
            Relation {
                kind: outgoing,
                target,
                resolved,
            },
            incoming,
        ));
    }
    out
}

/// "Did you mean": an entity with the same namespace and name but another kind
/// (`owner: jane` read as `group:default/jane` when only `user:default/jane` exists).
fn dangling_hint(
    target: &EntityRef,
    by_name: &HashMap<(String, String), Vec<usize>>,
    entities: &[Entity],
) -> Option<String> {
    let key = (target.namespace.to_lowercase(), target.name.to_lowercase());
    let same_name = by_name.get(&key)?;
    let refs: Vec<String> = same_name
        .iter()
        .map(|&i| entities[i].entity_ref.to_string())
        .collect();
    Some(format!(
        "did you mean {}? Write the kind in the reference (e.g. \"{}\")",
        refs.join(" or "),
        refs[0].replace(":default/", ":")
    ))
}

fn place(e: &Entity) -> String {
    let span = e.span_of("/metadata/name");
    format!(
        "{}:{}:{}",
        e.source.display, span.start.line, span.start.column
    )
}

fn ref_hint(field: &str) -> String {
    match field {
        "dependsOn" | "dependencyOf" => {
            format!(
                "{field} entries need a kind, e.g. \"component:my-service\" or \"resource:my-db\""
            )
        }
        _ => "references have the form [<kind>:][<namespace>/]<name>".to_string(),
    }
}

/// The directory a `backstage.io/techdocs-ref: dir:X` annotation points at, resolved
/// relative to the entity's file. `None` for other forms (`url:…`) or no annotation.
pub fn techdocs_dir(e: &Entity) -> Option<std::path::PathBuf> {
    let value = e.annotation(TECHDOCS_REF)?;
    let dir = value.strip_prefix("dir:")?;
    Some(crate::discover::normalize_lexical(
        &e.source.dir().join(dir.trim()),
    ))
}

/// The `mkdocs.yml` (or `mkdocs.yaml`) of a directory, when there is one.
pub fn mkdocs_file(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    ["mkdocs.yml", "mkdocs.yaml"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

fn techdocs_problem(e: &Entity) -> Option<Problem> {
    let dir = techdocs_dir(e)?;
    if mkdocs_file(&dir).is_some() {
        return None;
    }
    let pointer = format!(
        "/metadata/annotations/{}",
        crate::parse::escape_pointer_segment(TECHDOCS_REF)
    );
    let shown = crate::discover::display_path(&crate::discover::normalize_lexical(
        &std::path::Path::new(&e.source.display)
            .parent()
            .unwrap_or(std::path::Path::new(""))
            .join(e.annotation(TECHDOCS_REF)?.strip_prefix("dir:")?.trim()),
    ));
    Some(
        Problem::warning(
            "techdocs/missing-mkdocs",
            e.source.display.clone(),
            e.span_of(&pointer),
            format!("{TECHDOCS_REF} points at {shown}, which has no mkdocs.yml"),
        )
        .in_document(e.document)
        .with_entity(e.entity_ref.to_string())
        .with_hint("add mkdocs.yml (site_name, nav) beside the docs/ folder, or fix the path (relative to this file)"),
    )
}

/// Graph queries the site, scorecards and docs use. Indices are positions in
/// `Catalog::entities`; results are sorted by ref key (the entity order) and contain each
/// entity once.
impl Catalog {
    /// Index of entity by ref string, parsed with Backstage's rules (`group:team-a`,
    /// `component:default/x`; kind required).
    pub fn find(&self, text: &str) -> Option<usize> {
        let r = EntityRef::parse(text, None, DEFAULT_NAMESPACE)?;
        self.position(&r)
    }

    /// Indices of the entities of one kind (case-insensitive).
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.entities
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.kind().eq_ignore_ascii_case(kind))
            .map(|(i, _)| i)
    }

    /// Resolved targets of entity `i`'s relations of one type, sorted, each once.
    pub fn targets(&self, i: usize, kind: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self.related(i, kind).filter_map(|r| r.resolved).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The owner reference of entity `i` (resolved or not), from `spec.owner`.
    pub fn owner_ref(&self, i: usize) -> Option<&EntityRef> {
        self.related(i, OWNED_BY).next().map(|r| &r.target)
    }

    /// The owning entity of `i`, when it exists in the catalog.
    pub fn owner(&self, i: usize) -> Option<usize> {
        self.related(i, OWNED_BY).find_map(|r| r.resolved)
    }

    /// What entity `i` (a group or user) owns directly.
    pub fn owned(&self, i: usize) -> Vec<usize> {
        self.targets(i, OWNER_OF)
    }

    /// Users that are members of group `i` (from either side: `spec.members` or a user's
    /// `spec.memberOf`).
    pub fn members(&self, i: usize) -> Vec<usize> {
        self.targets(i, HAS_MEMBER)
    }

    /// Groups user `i` is a member of.
    pub fn groups_of(&self, i: usize) -> Vec<usize> {
        self.targets(i, MEMBER_OF)
    }

    /// The parent group of group `i`.
    pub fn parent_group(&self, i: usize) -> Option<usize> {
        self.related(i, CHILD_OF).find_map(|r| r.resolved)
    }

    /// Direct sub-groups of group `i`.
    pub fn child_groups(&self, i: usize) -> Vec<usize> {
        self.targets(i, PARENT_OF)
    }

    /// All sub-groups of group `i`, transitively (not `i` itself; cycles are safe).
    pub fn subgroups(&self, i: usize) -> Vec<usize> {
        self.closure(i, PARENT_OF)
    }

    /// All ancestor groups of group `i`, as a sorted set (cycles are safe).
    pub fn ancestor_groups(&self, i: usize) -> Vec<usize> {
        self.closure(i, CHILD_OF)
    }

    /// Everything owned by group `i` or any of its sub-groups.
    pub fn owned_transitively(&self, i: usize) -> Vec<usize> {
        let mut out = self.owned(i);
        for g in self.subgroups(i) {
            out.extend(self.owned(g));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// What user `i` owns through the groups they belong to (and directly).
    pub fn owned_by_user(&self, i: usize) -> Vec<usize> {
        let mut out = self.owned(i);
        for g in self.groups_of(i) {
            out.extend(self.owned(g));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Parts of `i` (a domain's systems and sub-domains, a system's components, APIs and
    /// resources, a component's sub-components).
    pub fn parts(&self, i: usize) -> Vec<usize> {
        self.targets(i, HAS_PART)
    }

    /// What `i` is part of, of one kind (`System`, `Domain`, `Component`).
    pub fn part_of(&self, i: usize, kind: &str) -> Option<usize> {
        self.related(i, PART_OF)
            .filter(|r| r.target.kind.eq_ignore_ascii_case(kind))
            .find_map(|r| r.resolved)
    }

    /// The system of `i`.
    pub fn system_of(&self, i: usize) -> Option<usize> {
        self.part_of(i, "System")
    }

    /// The domain of `i`: its own `spec.domain` for a system, its system's for the rest.
    pub fn domain_of(&self, i: usize) -> Option<usize> {
        self.part_of(i, "Domain")
            .or_else(|| self.system_of(i).and_then(|s| self.part_of(s, "Domain")))
    }

    /// Relations of `i` whose target is not in the catalog.
    pub fn dangling(&self, i: usize) -> impl Iterator<Item = &Relation> {
        self.relations[i].iter().filter(|r| r.resolved.is_none())
    }

    /// Entities grouped by the repository of their file, repositories sorted.
    pub fn by_repo(&self) -> std::collections::BTreeMap<&std::path::Path, Vec<usize>> {
        let mut out: std::collections::BTreeMap<&std::path::Path, Vec<usize>> = Default::default();
        for (i, e) in self.entities.iter().enumerate() {
            out.entry(e.source.repo.as_path()).or_default().push(i);
        }
        out
    }

    /// Entity `i` as Backstage's catalog API returns it: the stored entity plus its
    /// `relations` (`type`, `targetRef` as Backstage stringifies it, all lower-case, and the
    /// `target` triple), sorted. Dangling relations are left out, as Backstage does.
    pub fn entity_json(&self, i: usize) -> Json {
        let mut data = self.entities[i].data.clone();
        let relations: Vec<Json> = self.relations[i]
            .iter()
            .filter(|r| r.resolved.is_some())
            .map(|r| {
                serde_json::json!({
                    "type": r.kind,
                    "targetRef": r.target.key(),
                    "target": {
                        "kind": r.target.kind,
                        "namespace": r.target.namespace,
                        "name": r.target.name,
                    },
                })
            })
            .collect();
        if let Some(obj) = data.as_object_mut() {
            obj.insert("relations".into(), Json::Array(relations));
        }
        data
    }

    /// Indices into `problems` for every entity, in one pass (what a site with thousands of
    /// entities wants instead of calling `problems_of` for each).
    pub fn problem_index(&self) -> Vec<Vec<usize>> {
        let mut by_ref: HashMap<String, usize> = HashMap::new();
        let mut by_place: HashMap<(&str, usize), usize> = HashMap::new();
        for (i, e) in self.entities.iter().enumerate() {
            by_ref.insert(e.entity_ref.to_string(), i);
            by_place.insert((e.source.display.as_str(), e.document), i);
        }
        let mut out = vec![vec![]; self.entities.len()];
        for (k, p) in self.problems.iter().enumerate() {
            let owner = match (&p.entity, p.document) {
                (Some(r), _) => by_ref.get(r).copied(),
                (None, Some(d)) => by_place.get(&(p.file.as_str(), d)).copied(),
                _ => None,
            };
            if let Some(i) = owner {
                out[i].push(k);
            }
        }
        out
    }

    /// Problems that belong to entity `i` (by `entity` field, else by file and document).
    pub fn problems_of(&self, i: usize) -> Vec<&Problem> {
        let e = &self.entities[i];
        let key = e.entity_ref.to_string();
        self.problems
            .iter()
            .filter(|p| match &p.entity {
                Some(k) => *k == key,
                None => p.file == e.source.display && p.document == Some(e.document),
            })
            .collect()
    }

    fn closure(&self, i: usize, kind: &str) -> Vec<usize> {
        let mut seen = vec![false; self.entities.len()];
        seen[i] = true;
        let mut stack = vec![i];
        let mut out = vec![];
        while let Some(g) = stack.pop() {
            for c in self.targets(g, kind) {
                if !seen[c] {
                    seen[c] = true;
                    out.push(c);
                    stack.push(c);
                }
            }
        }
        out.sort_unstable();
        out
    }
}

/// Entities built from JSON for unit tests of this and later stages, with made-up but
/// distinct spans: every node gets its own line, in document order.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::diag::Pos;
    use crate::parse::Value;
    use std::path::PathBuf;

    fn node(v: &Json, line: &mut u32) -> Node {
        *line += 1;
        let span = Span::new(Pos::new(*line, 3), Pos::new(*line, 9));
        let value = match v {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Int(n.as_i64().unwrap_or(0)),
            Json::String(s) => Value::Str(s.clone()),
            Json::Array(a) => Value::Seq(a.iter().map(|x| node(x, line)).collect()),
            Json::Object(m) => Value::Map(
                m.iter()
                    .map(|(k, x)| {
                        let key = Node::new(span, Value::Str(k.clone()));
                        (key, node(x, line))
                    })
                    .collect(),
            ),
        };
        Node::new(span, value)
    }

    pub fn source(dir: &std::path::Path, display: &str) -> SourceFile {
        SourceFile {
            path: dir.join(display),
            display: display.to_string(),
            repo: dir.to_path_buf(),
        }
    }

    pub fn entity(data: Json, source: &SourceFile, document: usize) -> Entity {
        let mut line = 0;
        let node = node(&data, &mut line);
        let ns = data["metadata"]["namespace"]
            .as_str()
            .unwrap_or(DEFAULT_NAMESPACE);
        Entity {
            entity_ref: EntityRef::new(
                data["kind"].as_str().unwrap(),
                ns,
                data["metadata"]["name"].as_str().unwrap(),
            ),
            data,
            spans: Spans::of(&node),
            source: source.clone(),
            document,
            valid: true,
        }
    }

    pub fn file(source: &SourceFile, entities: Vec<Json>) -> ValidatedFile {
        ValidatedFile {
            source: source.clone(),
            entities: entities
                .into_iter()
                .enumerate()
                .map(|(i, d)| entity(d, source, i))
                .collect(),
            problems: vec![],
        }
    }

    pub fn no_dir() -> PathBuf {
        PathBuf::from("/nonexistent-portico-test")
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use serde_json::json;

    fn component(name: &str, spec: Json) -> Json {
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
               "metadata": {"name": name}, "spec": spec})
    }

    fn rels(c: &Catalog, r: &str) -> Vec<String> {
        let i = c.find(r).unwrap();
        c.relations[i]
            .iter()
            .map(|r| {
                format!(
                    "{} {}{}",
                    r.kind,
                    r.target,
                    if r.resolved.is_some() {
                        ""
                    } else {
                        " (dangling)"
                    }
                )
            })
            .collect()
    }

    #[test]
    fn titles_fall_back_to_profile_display_name_then_name() {
        let src = source(&no_dir(), "catalog-info.yaml");
        let user = |meta: Json, spec: Json| {
            let data = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "User",
                              "metadata": meta, "spec": spec});
            entity(data, &src, 0).title().to_string()
        };
        let profile = json!({"profile": {"displayName": "Priya Raman"}});
        assert_eq!(
            user(json!({"name": "priya.raman"}), profile.clone()),
            "Priya Raman"
        );
        assert_eq!(
            user(json!({"name": "priya.raman", "title": "Priya R."}), profile),
            "Priya R."
        );
        assert_eq!(
            user(
                json!({"name": "priya.raman"}),
                json!({"profile": {"displayName": " "}})
            ),
            "priya.raman"
        );
        assert_eq!(
            user(json!({"name": "priya.raman"}), json!({})),
            "priya.raman"
        );
    }

    #[test]
    fn parses_refs_exactly_as_backstage() {
        let p = |t: &str, k: Option<&str>| EntityRef::parse_ref(t, k, "ns1");
        assert_eq!(
            p("a", Some("Group")).unwrap(),
            EntityRef::new("Group", "ns1", "a")
        );
        assert_eq!(
            p("user:b", Some("Group")).unwrap(),
            EntityRef::new("user", "ns1", "b")
        );
        assert_eq!(
            p("user:x/b", None).unwrap(),
            EntityRef::new("user", "x", "b")
        );
        assert_eq!(
            p("x/b", Some("Group")).unwrap(),
            EntityRef::new("Group", "x", "b")
        );
        // A slash before the colon: the colon belongs to the name.
        assert_eq!(
            p("x/a:b", Some("Group")).unwrap(),
            EntityRef::new("Group", "x", "a:b")
        );
        assert_eq!(
            p("k:ns/a/b", None).unwrap(),
            EntityRef::new("k", "ns", "a/b")
        );
        assert_eq!(
            p("b", None).unwrap_err(),
            "Entity reference \"b\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
        );
        assert_eq!(
            p(":b", Some("Group")).unwrap_err(),
            "Entity reference \":b\" was not on the form [<kind>:][<namespace>/]<name>"
        );
        assert!(p("a/", Some("Group")).is_err());
        assert!(p("", Some("Group")).is_err());
    }

    #[test]
    fn relations_in_both_directions_with_backstage_default_kinds() {
        let dir = no_dir();
        let s = source(&dir, "a/catalog-info.yaml");
        let c = build(vec![file(
            &s,
            vec![
                component(
                    "web",
                    json!({"owner": "team-a", "system": "shop",
                    "providesApis": ["web-api"], "consumesApis": ["api:pay-api"],
                    "dependsOn": ["resource:db"], "subcomponentOf": "platform"}),
                ),
                component("platform", json!({"owner": "user:default/jane"})),
                json!({"kind": "Group", "metadata": {"name": "team-a"},
                       "spec": {"type": "team", "parent": "org", "members": ["jane"]}}),
                json!({"kind": "Group", "metadata": {"name": "org"}, "spec": {"children": ["team-a"]}}),
                json!({"kind": "User", "metadata": {"name": "jane"}, "spec": {"memberOf": ["team-a"]}}),
                json!({"kind": "System", "metadata": {"name": "shop"}, "spec": {"owner": "team-a", "domain": "sales"}}),
                json!({"kind": "Domain", "metadata": {"name": "sales"}, "spec": {"owner": "org"}}),
                json!({"kind": "API", "metadata": {"name": "web-api"}, "spec": {"owner": "team-a", "system": "shop"}}),
                json!({"kind": "API", "metadata": {"name": "pay-api"}, "spec": {"owner": "team-a"}}),
                json!({"kind": "Resource", "metadata": {"name": "db"},
                       "spec": {"owner": "team-a", "dependencyOf": ["component:platform"]}}),
            ],
        )]);
        assert_eq!(
            rels(&c, "component:web"),
            vec![
                "consumesApi api:default/pay-api",
                "dependsOn resource:default/db",
                "ownedBy group:default/team-a",
                "partOf component:default/platform",
                "partOf system:default/shop",
                "providesApi api:default/web-api",
            ]
        );
        assert_eq!(
            rels(&c, "group:team-a"),
            vec![
                "childOf group:default/org",
                "hasMember user:default/jane",
                "ownerOf api:default/pay-api",
                "ownerOf api:default/web-api",
                "ownerOf component:default/web",
                "ownerOf resource:default/db",
                "ownerOf system:default/shop",
            ]
        );
        assert_eq!(
            rels(&c, "resource:db"),
            vec![
                "dependencyOf component:default/platform",
                "dependencyOf component:default/web",
                "ownedBy group:default/team-a",
            ]
        );
        assert_eq!(
            rels(&c, "api:web-api")[0],
            "apiProvidedBy component:default/web"
        );
        assert_eq!(
            rels(&c, "user:jane"),
            vec![
                "memberOf group:default/team-a",
                "ownerOf component:default/platform"
            ]
        );
        assert!(c.problems.is_empty(), "{:?}", c.problems);

        // Graph helpers.
        let name = |i: usize| c.entities[i].entity_ref.to_string();
        let org = c.find("group:org").unwrap();
        let team = c.find("group:team-a").unwrap();
        let web = c.find("component:web").unwrap();
        assert_eq!(c.owner(web), Some(team));
        assert_eq!(c.subgroups(org), vec![team]);
        assert_eq!(c.ancestor_groups(team), vec![org]);
        assert_eq!(c.parent_group(team), Some(org));
        assert_eq!(
            c.owned_transitively(org)
                .into_iter()
                .map(name)
                .collect::<Vec<_>>(),
            vec![
                "api:default/pay-api",
                "api:default/web-api",
                "component:default/web",
                "domain:default/sales",
                "resource:default/db",
                "system:default/shop",
            ]
        );
        let jane = c.find("user:jane").unwrap();
        assert_eq!(c.members(team), vec![jane]);
        assert_eq!(c.groups_of(jane), vec![team]);
        assert_eq!(c.owned_by_user(jane).len(), 6);
        assert_eq!(
            c.domain_of(web).map(name).as_deref(),
            Some("domain:default/sales")
        );
        assert_eq!(c.of_kind("api").count(), 2);
        let j = c.entity_json(c.find("api:web-api").unwrap());
        assert_eq!(
            j["relations"][0],
            json!({"type": "apiProvidedBy", "targetRef": "component:default/web",
                   "target": {"kind": "Component", "namespace": "default", "name": "web"}})
        );
        assert_eq!(j["metadata"]["name"], "web-api");
    }

    #[test]
    fn default_namespace_is_the_entitys_own() {
        let dir = no_dir();
        let s = source(&dir, "x.yaml");
        let c = build(vec![file(
            &s,
            vec![
                json!({"kind": "Component", "metadata": {"name": "a", "namespace": "ops"}, "spec": {"owner": "t"}}),
                json!({"kind": "Group", "metadata": {"name": "t", "namespace": "ops"}, "spec": {}}),
            ],
        )]);
        assert_eq!(rels(&c, "component:ops/a"), vec!["ownedBy group:ops/t"]);
        assert!(c.problems.is_empty());
    }

    #[test]
    fn pruning_keeps_what_the_model_reads() {
        let mut data = json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "web", "namespace": "ops", "description": "long text",
                         "annotations": {TECHDOCS_REF: "dir:.", "x/y": "z"}, "links": [{"url": "u"}]},
            "spec": {"type": "service", "owner": "t", "lifecycle": "production",
                     "dependsOn": ["component:a"], "definition": "openapi: 3.0.0"},
        });
        prune_to_references(&mut data);
        assert_eq!(
            data,
            json!({
                "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                "metadata": {"name": "web", "namespace": "ops", "annotations": {TECHDOCS_REF: "dir:."}},
                "spec": {"type": "service", "owner": "t", "dependsOn": ["component:a"]},
            })
        );
    }

    #[test]
    fn dangling_refs_are_warnings_at_the_value_and_malformed_refs_errors() {
        let dir = no_dir();
        let s = source(&dir, "c.yaml");
        let data = component(
            "web",
            json!({"owner": "ghost", "dependsOn": ["component:x", "nokind"]}),
        );
        let c = build(vec![file(&s, vec![data])]);
        let e = &c.entities[0];
        let found: Vec<_> = c
            .problems
            .iter()
            .map(|p| (p.rule.as_str(), p.severity, p.span, p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("catalog/dangling-ref", Severity::Warning, e.span_of("/spec/owner"),
                 "spec.owner refers to group:default/ghost, which is not in the catalog"),
                ("catalog/dangling-ref", Severity::Warning, e.span_of("/spec/dependsOn/0"),
                 "spec.dependsOn refers to component:default/x, which is not in the catalog"),
                ("catalog/invalid-ref", Severity::Error, e.span_of("/spec/dependsOn/1"),
                 "spec.dependsOn: Entity reference \"nokind\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"),
            ]
        );
        assert_ne!(e.span_of("/spec/owner"), e.span_of("/spec/dependsOn/0"));
        assert!(c
            .problems
            .iter()
            .all(|p| p.entity.as_deref() == Some("component:default/web")));
        assert_eq!(
            rels(&c, "component:web")[1],
            "ownedBy group:default/ghost (dangling)"
        );
        assert_eq!(c.problem_index(), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn dangling_refs_suggest_an_entity_of_another_kind_with_that_name() {
        let dir = no_dir();
        let s = source(&dir, "c.yaml");
        let c = build(vec![file(
            &s,
            vec![
                component("web", json!({"owner": "jane"})),
                json!({"kind": "User", "metadata": {"name": "jane"}, "spec": {}}),
            ],
        )]);
        assert_eq!(c.problems.len(), 1);
        assert_eq!(
            c.problems[0].hint.as_deref(),
            Some("did you mean user:default/jane? Write the kind in the reference (e.g. \"user:jane\")")
        );
    }

    #[test]
    fn a_references_only_catalog_has_the_same_problems_and_no_relations() {
        let dir = no_dir();
        let s = source(&dir, "c.yaml");
        let docs = vec![
            component(
                "web",
                json!({"owner": "jane", "system": "shop",
                       "dependsOn": ["component:x", "nokind", "resource:db"]}),
            ),
            json!({"kind": "User", "metadata": {"name": "jane"}, "spec": {}}),
            json!({"kind": "System", "metadata": {"name": "shop"}, "spec": {"owner": "ghost"}}),
            json!({"kind": "Resource", "metadata": {"name": "db"}, "spec": {"owner": "user:jane"}}),
        ];
        let full = build(vec![file(&s, docs.clone())]);
        let refs = build_with(vec![file(&s, docs)], Retain::References);
        let shown = |c: &Catalog| -> Vec<String> {
            c.problems
                .iter()
                .map(|p| format!("{} {:?} {} {:?}", p.rule, p.span, p.message, p.hint))
                .collect()
        };
        // A dangling owner with a "did you mean", a dangling system owner, a dangling
        // dependency and a malformed one: four problems, whichever way the catalog is built.
        assert_eq!(shown(&full).len(), 4);
        assert_eq!(shown(&refs), shown(&full));
        assert_eq!(refs.index, full.index);
        assert!(!full.relations.iter().all(Vec::is_empty));
        assert_eq!(refs.relations.len(), refs.entities.len());
        assert!(refs.relations.iter().all(Vec::is_empty));
    }

    #[test]
    fn duplicates_are_errors_on_every_copy_naming_the_others_and_the_first_is_kept() {
        let dir = no_dir();
        let a = source(&dir, "a.yaml");
        let b = source(&dir, "b.yaml");
        let c = build(vec![
            file(
                &b,
                vec![component(
                    "Web",
                    json!({"owner": "t", "lifecycle": "second"}),
                )],
            ),
            file(
                &a,
                vec![component(
                    "web",
                    json!({"owner": "t", "lifecycle": "first"}),
                )],
            ),
        ]);
        assert_eq!(c.entities.len(), 1);
        assert_eq!(c.entities[0].spec_str("lifecycle"), Some("first"));
        let dups: Vec<_> = c
            .problems
            .iter()
            .filter(|p| p.rule == "catalog/duplicate-entity")
            .map(|p| (p.file.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(dups.len(), 2);
        assert!(
            dups.contains(&(
                "a.yaml",
                "entity component:default/web is defined more than once; also at b.yaml:5:3"
            )),
            "{dups:?}"
        );
        assert!(
            dups.contains(&(
                "b.yaml",
                "entity component:default/Web is defined more than once; also at a.yaml:5:3"
            )),
            "{dups:?}"
        );
    }

    #[test]
    fn techdocs_ref_dir_without_mkdocs_is_a_warning() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("ok")).unwrap();
        std::fs::write(dir.join("ok/mkdocs.yaml"), "site_name: x").unwrap();
        let s = source(dir, "catalog-info.yaml");
        let with = |name: &str, r: &str| json!({"kind": "Group", "metadata": {"name": name, "annotations": {TECHDOCS_REF: r}}, "spec": {}});
        let c = build(vec![file(
            &s,
            vec![
                with("a", "dir:./ok"),
                with("b", "dir:missing"),
                with("c", "url:https://x"),
            ],
        )]);
        let p: Vec<_> = c
            .problems
            .iter()
            .map(|p| (p.rule.as_str(), p.entity.as_deref(), p.message.as_str()))
            .collect();
        assert_eq!(
            p,
            vec![(
                "techdocs/missing-mkdocs",
                Some("group:default/b"),
                "backstage.io/techdocs-ref points at missing, which has no mkdocs.yml"
            )]
        );
        let b = c.find("group:b").unwrap();
        let span = c.entities[b].span_of("/metadata/annotations/backstage.io~1techdocs-ref");
        assert_eq!(c.problems[0].span, span);
        assert_ne!(span, c.entities[b].spans.root());
    }
}
