//! Entity pages: `catalog/<namespace>/<kind>/<name>/index.html` for every entity. The about
//! card, relations in both directions, the relations graph, problems and docs link are common
//! to all kinds; groups, users, systems, domains and APIs add their own section.

use super::graph::{self, Graph};
use super::{api, entity_url, markdown, Link, ProblemView, Renderer, Row, Site};
use crate::model::{Entity, Relation};
use minijinja::Value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io;
use std::path::Path;
use std::sync::Arc;

/// Relation types in the order entity pages list them, with their headings.
pub const RELATIONS: &[(&str, &str)] = &[
    ("ownedBy", "Owned by"),
    ("ownerOf", "Owns"),
    ("partOf", "Part of"),
    ("hasPart", "Has parts"),
    ("childOf", "Child of"),
    ("parentOf", "Parent of"),
    ("memberOf", "Member of"),
    ("hasMember", "Has members"),
    ("providesApi", "Provides APIs"),
    ("apiProvidedBy", "API provided by"),
    ("consumesApi", "Consumes APIs"),
    ("apiConsumedBy", "API consumed by"),
    ("dependsOn", "Depends on"),
    ("dependencyOf", "Dependency of"),
];

/// Relations drawn from source to target in graphs, with their edge labels. The other
/// direction of each pair is drawn as the same edge reversed.
const FORWARD: &[(&str, &str)] = &[
    ("ownerOf", "owns"),
    ("hasPart", "has part"),
    ("parentOf", "parent of"),
    ("hasMember", "has member"),
    ("providesApi", "provides"),
    ("consumesApi", "consumes"),
    ("dependsOn", "depends on"),
];

/// The other direction of a relation type (`ownedBy` ↔ `ownerOf`).
pub fn inverse(kind: &str) -> &'static str {
    const PAIRS: &[(&str, &str)] = &[
        ("ownedBy", "ownerOf"),
        ("partOf", "hasPart"),
        ("childOf", "parentOf"),
        ("memberOf", "hasMember"),
        ("apiProvidedBy", "providesApi"),
        ("apiConsumedBy", "consumesApi"),
        ("dependencyOf", "dependsOn"),
    ];
    for &(a, b) in PAIRS {
        if kind == a {
            return b;
        }
        if kind == b {
            return a;
        }
    }
    "relatedTo"
}

/// A relation as an edge drawn forward: `(forward type, label, reversed)`.
fn forward(kind: &str) -> Option<(&'static str, bool)> {
    for &(k, label) in FORWARD {
        if k == kind {
            return Some((label, false));
        }
        if inverse(k) == kind {
            return Some((label, true));
        }
    }
    None
}

#[derive(Serialize)]
struct RelationGroup {
    kind: &'static str,
    heading: &'static str,
    items: Vec<Link>,
}

#[derive(Serialize)]
struct ExtLink {
    url: Option<String>,
    title: String,
}

#[derive(Serialize)]
struct About {
    description_html: Option<String>,
    links: Vec<ExtLink>,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
    source_file: String,
    source_line: u32,
    view_url: Option<String>,
    edit_url: Option<String>,
    /// `spec.profile` of users and groups.
    display_name: Option<String>,
    email: Option<String>,
    picture: Option<String>,
}

#[derive(Serialize)]
struct Owned {
    item: Link,
    via: Option<Link>,
}

#[derive(Serialize, Default)]
struct GroupSection {
    parent: Vec<Link>,
    children: Vec<Link>,
    members: Vec<Link>,
    owned: Vec<Owned>,
}

#[derive(Serialize, Default)]
struct UserSection {
    groups: Vec<Link>,
    owned: Vec<Owned>,
}

#[derive(Serialize)]
struct PartsSection {
    /// Parts grouped by kind, kinds sorted.
    groups: Vec<(String, Vec<Row>)>,
    diagram: Value,
}

#[derive(Serialize)]
struct DocsLink {
    url: String,
    site_name: String,
    pages: usize,
}

/// Renders the page of entity `i` (and, for APIs, its raw definition beside it).
pub fn page(site: &Site, renderer: &Renderer, out: &Path, i: usize) -> io::Result<()> {
    let e = &site.catalog.entities[i];
    let row = &site.rows[i];
    let rel = entity_url(&e.entity_ref);
    let base = site.base_ctx(&rel, "catalog");
    let dir = rel.trim_end_matches("index.html");
    let kind = e.kind().to_lowercase();
    super::create_dir(out, dir)?;
    let problems: Vec<ProblemView> = site.problems_of[i]
        .iter()
        .map(|&p| site.problem_view(site.problems[p]))
        .collect();
    let api = if kind == "api" {
        Some(api::view(e, out, dir)?)
    } else {
        None
    };
    let ctx = minijinja::context! {
        root => base.root,
        site => base.site,
        nav => base.nav,
        entity => row,
        kind => kind,
        about => about(site, e),
        relations => relation_groups(site, i),
        graph => Value::from_safe_string(relations_graph(site, i, &base.root)),
        problems => problems,
        docs => docs_link(site, i),
        docs_declared => e.annotation("backstage.io/techdocs-ref").is_some(),
        json_url => format!("api/entities/{}.json", super::entity_path(&e.entity_ref)),
        group => (kind == "group").then(|| group_section(site, i)),
        user => (kind == "user").then(|| user_section(site, i)),
        parts => (kind == "system" || kind == "domain").then(|| parts_section(site, i, &base.root)),
        api => api,
        scorecards => super::scorecards::entity_view(site, i),
        scorecard_rollup => (kind == "group").then(|| super::scorecards::team_view(site, i)),
    };
    renderer.page(out, &rel, "entity.html", ctx)
}

fn docs_link(site: &Site, i: usize) -> Option<DocsLink> {
    site.docs_of.get(&i).map(|d| DocsLink {
        url: d.url.clone(),
        site_name: d.site_name.clone(),
        pages: d.pages,
    })
}

/// Only these schemes become links; anything else (javascript:, data:) is shown as text.
fn safe_url(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
        .then(|| url.trim().to_string())
}

fn about(site: &Site, e: &Entity) -> About {
    let links = e
        .metadata("links")
        .and_then(|l| l.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|l| {
                    let url = l.get("url")?.as_str()?;
                    Some(ExtLink {
                        url: safe_url(url),
                        title: l
                            .get("title")
                            .and_then(|t| t.as_str())
                            .unwrap_or(url)
                            .to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let pairs = |field: &str| -> Vec<(String, String)> {
        e.metadata(field)
            .and_then(|m| m.as_object())
            .map(|m| {
                let mut v: Vec<(String, String)> = m
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string()),
                        )
                    })
                    .collect();
                v.sort();
                v
            })
            .unwrap_or_default()
    };
    let location = |key: &str| {
        e.annotation(key)
            .map(|l| l.strip_prefix("url:").unwrap_or(l))
            .and_then(safe_url)
    };
    let view_url =
        location("backstage.io/view-url").or_else(|| location("backstage.io/source-location"));
    let edit_url = location("backstage.io/edit-url").or_else(|| {
        let template = site.config.site.edit_url.as_deref()?;
        let repo = e.source.repo.file_name()?.to_string_lossy().into_owned();
        let path = e
            .source
            .path
            .strip_prefix(&e.source.repo)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/");
        safe_url(&template.replace("{repo}", &repo).replace("{path}", &path))
    });
    let profile = |field: &str| {
        e.spec("profile")
            .and_then(|p| p.get(field))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    About {
        description_html: e.description().map(markdown::to_html),
        links,
        labels: pairs("labels"),
        annotations: pairs("annotations"),
        // Relative to the scanned repository, not as the input was typed: the same input built
        // from another directory gives the same bytes.
        source_file: e.source.site_path(),
        source_line: e.spans.root().start.line,
        view_url,
        edit_url,
        display_name: profile("displayName"),
        email: profile("email"),
        picture: profile("picture").and_then(|p| safe_url(&p)),
    }
}

fn targets<'a>(site: &'a Site, i: usize, kind: &'a str) -> impl Iterator<Item = &'a Relation> + 'a {
    site.catalog.related(i, kind)
}

fn links(site: &Site, i: usize, kind: &str) -> Vec<Link> {
    let mut v: Vec<Link> = targets(site, i, kind)
        .map(|r| match r.resolved {
            Some(t) => site.link_to(t),
            None => site.link(&r.target),
        })
        .collect();
    v.sort_by(|a, b| (&a.kind, &a.title, &a.entity_ref).cmp(&(&b.kind, &b.title, &b.entity_ref)));
    v.dedup();
    v
}

fn relation_groups(site: &Site, i: usize) -> Vec<RelationGroup> {
    let mut groups: Vec<RelationGroup> = RELATIONS
        .iter()
        .map(|&(kind, heading)| RelationGroup {
            kind,
            heading,
            items: links(site, i, kind),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    // Relation types portico does not know still show, after the known ones.
    let mut other: BTreeSet<&str> = BTreeSet::new();
    for r in &site.catalog.relations[i] {
        if !RELATIONS.iter().any(|(k, _)| *k == r.kind) {
            other.insert(r.kind);
        }
    }
    for kind in other {
        groups.push(RelationGroup {
            kind,
            heading: kind,
            items: links(site, i, kind),
        });
    }
    groups
}

/// Builds a graph of `members` (entity indices, or dangling refs as links) and the forward
/// edges among them found in the relations of `sources`.
struct GraphBuilder<'s, 'a> {
    site: &'s Site<'a>,
    root: &'s str,
    nodes: Vec<graph::Node>,
    ids: HashMap<Arc<str>, usize>,
    edges: BTreeSet<(usize, usize, &'static str)>,
}

impl<'s, 'a> GraphBuilder<'s, 'a> {
    fn new(site: &'s Site<'a>, root: &'s str) -> Self {
        GraphBuilder {
            site,
            root,
            nodes: vec![],
            ids: HashMap::new(),
            edges: BTreeSet::new(),
        }
    }

    fn node(&mut self, link: &Link, focus: bool) -> usize {
        if let Some(&id) = self.ids.get(&link.entity_ref) {
            return id;
        }
        let id = self.nodes.len();
        let kind = link.kind.to_lowercase();
        self.nodes.push(graph::Node {
            label: link.title.to_string(),
            caption: link.kind.to_string(),
            class: if link.url.is_some() {
                format!("k-{}", super::segment(&kind))
            } else {
                "dangling".to_string()
            },
            href: link.url.as_ref().map(|u| format!("{}{u}", self.root)),
            focus,
        });
        self.ids.insert(link.entity_ref.clone(), id);
        id
    }

    fn entity(&mut self, i: usize, focus: bool) -> usize {
        let link = self.site.link_to(i);
        self.node(&link, focus)
    }

    /// Adds the edge for relation `r` of entity `from` (both already nodes or added now).
    fn relation(&mut self, from: usize, r: &Relation, add_target: bool) {
        let Some((label, reversed)) = forward(r.kind) else {
            return;
        };
        let target_link = match r.resolved {
            Some(t) => self.site.link_to(t),
            None => self.site.link(&r.target),
        };
        let t = match self.ids.get(&target_link.entity_ref) {
            Some(&t) => t,
            None if add_target => self.node(&target_link, false),
            None => return,
        };
        let f = self.entity(from, false);
        self.edges.insert(if reversed {
            (t, f, label)
        } else {
            (f, t, label)
        });
    }

    fn svg(self, id: &str, title: &str) -> String {
        let g = Graph {
            nodes: self.nodes,
            edges: self
                .edges
                .into_iter()
                .map(|(from, to, label)| graph::Edge {
                    from,
                    to,
                    label: label.to_string(),
                })
                .collect(),
        };
        g.to_svg(id, title)
    }
}

/// The entity and its direct neighbours, one edge per relation pair.
fn relations_graph(site: &Site, i: usize, root: &str) -> String {
    if site.catalog.relations[i].is_empty() {
        return String::new();
    }
    let mut b = GraphBuilder::new(site, root);
    b.entity(i, true);
    let mut rels: Vec<&Relation> = site.catalog.relations[i].iter().collect();
    // Neighbours sorted by kind then name so the first layout pass is stable.
    rels.sort_by_key(|r| {
        (
            r.target.kind.to_lowercase(),
            r.target.name.to_lowercase(),
            r.kind,
        )
    });
    for r in rels {
        b.relation(i, r, true);
    }
    let title = format!("Relations of {}", site.catalog.entities[i].title());
    b.svg("relations", &title)
}

fn group_section(site: &Site, i: usize) -> GroupSection {
    let mut owned: Vec<Owned> = links(site, i, "ownerOf")
        .into_iter()
        .map(|item| Owned { item, via: None })
        .collect();
    // Everything owned by sub-teams, at any depth (each team visited once).
    let mut seen = BTreeSet::from([i]);
    let mut queue: VecDeque<usize> = site
        .catalog
        .related(i, "parentOf")
        .filter_map(|r| r.resolved)
        .collect();
    while let Some(g) = queue.pop_front() {
        if !seen.insert(g) {
            continue;
        }
        let via = site.link_to(g);
        for item in links(site, g, "ownerOf") {
            owned.push(Owned {
                item,
                via: Some(via.clone()),
            });
        }
        queue.extend(
            site.catalog
                .related(g, "parentOf")
                .filter_map(|r| r.resolved),
        );
    }
    GroupSection {
        parent: links(site, i, "childOf"),
        children: links(site, i, "parentOf"),
        members: links(site, i, "hasMember"),
        owned,
    }
}

fn user_section(site: &Site, i: usize) -> UserSection {
    let mut owned: Vec<Owned> = links(site, i, "ownerOf")
        .into_iter()
        .map(|item| Owned { item, via: None })
        .collect();
    for g in site
        .catalog
        .related(i, "memberOf")
        .filter_map(|r| r.resolved)
    {
        let via = site.link_to(g);
        for item in links(site, g, "ownerOf") {
            owned.push(Owned {
                item,
                via: Some(via.clone()),
            });
        }
    }
    UserSection {
        groups: links(site, i, "memberOf"),
        owned,
    }
}

/// A system's components, APIs and resources (or a domain's systems), and an architecture
/// diagram: the parts with the APIs they provide and consume and what they depend on (a
/// domain's diagram shows its systems and their parts).
fn parts_section(site: &Site, i: usize, root: &str) -> PartsSection {
    let parts: Vec<usize> = site
        .catalog
        .related(i, "hasPart")
        .filter_map(|r| r.resolved)
        .collect();
    let mut by_kind: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for &p in &parts {
        by_kind
            .entry(site.catalog.entities[p].kind().to_string())
            .or_default()
            .push(site.rows[p].clone());
    }
    let domain = site.catalog.entities[i]
        .kind()
        .eq_ignore_ascii_case("domain");
    let mut b = GraphBuilder::new(site, root);
    let mut sorted = parts.clone();
    sorted.sort_by_key(|&m| (site.catalog.entities[m].kind().to_lowercase(), m));
    let mut members = vec![];
    for &m in &sorted {
        b.entity(m, false);
        members.push(m);
        if domain {
            for r in site.catalog.related(m, "hasPart") {
                b.relation(m, r, true);
                members.extend(r.resolved);
            }
        }
    }
    // What the parts provide, consume and depend on, inside the system or not.
    for &m in &members {
        for r in &site.catalog.relations[m] {
            if matches!(r.kind, "providesApi" | "consumesApi" | "dependsOn") {
                b.relation(m, r, true);
            }
        }
    }
    let title = format!("Diagram of {}", site.catalog.entities[i].title());
    PartsSection {
        groups: by_kind.into_iter().collect(),
        diagram: Value::from_safe_string(b.svg("diagram", &title)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{catalog, entity};
    use super::*;
    use crate::config::Config;
    use crate::docs::Docs;
    use crate::score::Scores;
    use serde_json::json;

    #[test]
    fn inverse_pairs() {
        assert_eq!(inverse("ownedBy"), "ownerOf");
        assert_eq!(inverse("hasMember"), "memberOf");
        assert_eq!(forward("apiProvidedBy"), Some(("provides", true)));
    }

    #[test]
    fn group_owns_through_sub_teams_and_user_through_groups() {
        let c = catalog(
            vec![
                entity("Group", "org", json!({"type": "org"})),
                entity("Group", "team-a", json!({"type": "team"})),
                entity("User", "ann", json!({})),
                entity(
                    "Component",
                    "svc",
                    json!({"owner": "team-a", "type": "service"}),
                ),
                entity("System", "sys", json!({"owner": "org"})),
            ],
            &[
                ("org", "parentOf", "team-a"),
                ("team-a", "hasMember", "ann"),
                ("team-a", "ownerOf", "svc"),
                ("org", "ownerOf", "sys"),
                ("sys", "hasPart", "svc"),
            ],
        );
        let (scores, docs, config) = (Scores::default(), Docs::default(), Config::default());
        let site = Site::new(&c, &scores, &docs, &config);
        let org = c.index["group:default/org"];
        let g = group_section(&site, org);
        let owned: Vec<(String, Option<String>)> = g
            .owned
            .iter()
            .map(|o| {
                (
                    o.item.title.to_string(),
                    o.via.as_ref().map(|v| v.title.to_string()),
                )
            })
            .collect();
        assert_eq!(
            owned,
            vec![("sys".into(), None), ("svc".into(), Some("team-a".into()))]
        );
        assert_eq!(
            g.children[0].url.as_deref(),
            Some("catalog/default/group/team-a/index.html")
        );
        let u = user_section(&site, c.index["user:default/ann"]);
        assert_eq!(&*u.groups[0].title, "team-a");
        assert_eq!(&*u.owned[0].item.title, "svc");

        let svg = relations_graph(&site, c.index["component:default/svc"], "../../../../");
        assert!(
            svg.contains("href=\"../../../../catalog/default/group/team-a/index.html\""),
            "{svg}"
        );
        assert!(
            svg.contains(">owns<") && svg.contains(">has part<"),
            "{svg}"
        );
        let parts = parts_section(&site, c.index["system:default/sys"], "");
        assert_eq!(parts.groups[0].0, "Component");
    }
}
