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

/// Rows of an "Owned" table listed one by one. A group near the top of a large organisation
/// owns, through its sub-teams, most of the catalog (17,941 entities at the root of a 10,000-
/// repository organisation: a 7 MB page that took a browser 4 s to open). Past this, the
/// page shows each share (what the group owns itself, and what each direct sub-team owns at
/// any depth) counted by kind and linked to where its entities are listed: the catalog
/// filtered by that owner, or the sub-team's own page.
pub const OWNED_LISTED: usize = 200;

/// What a group or user owns, directly and through teams.
#[derive(Serialize, Default)]
struct OwnedSection {
    /// Every owned entity, when there are at most [`OWNED_LISTED`]; else empty, and `teams`
    /// says what each team owns.
    rows: Vec<Owned>,
    total: usize,
    /// "3 Components, 1 API": the whole, by kind.
    kinds: String,
    teams: Vec<TeamOwned>,
}

/// One share of an [`OwnedSection`] too long to list (see [`Share`]).
#[derive(Serialize)]
struct TeamOwned {
    team: Link,
    /// Who owns this share, seen from the page's entity: "directly", "the team and its
    /// sub-teams"….
    note: &'static str,
    count: usize,
    kinds: String,
    /// Site-relative: the catalog filtered to this owner, or a sub-team's "Owned" section.
    href: String,
}

#[derive(Serialize, Default)]
struct GroupSection {
    parent: Vec<Link>,
    children: Vec<Link>,
    members: Vec<Link>,
    owned: OwnedSection,
}

#[derive(Serialize, Default)]
struct UserSection {
    groups: Vec<Link>,
    owned: OwnedSection,
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
    let mut shares = vec![Share::direct(site, i)];
    let mut owned: Vec<(Owned, usize)> = links(site, i, "ownerOf")
        .into_iter()
        .map(|item| (Owned { item, via: None }, 0))
        .collect();
    // Everything owned by sub-teams, at any depth (each team visited once), each counted in
    // the share of the direct sub-team it is owned through.
    let mut seen = BTreeSet::from([i]);
    let mut queue: VecDeque<(usize, usize)> = VecDeque::new();
    for child in site
        .catalog
        .related(i, "parentOf")
        .filter_map(|r| r.resolved)
    {
        if seen.contains(&child) {
            continue;
        }
        queue.push_back((child, shares.len()));
        let has_teams = site
            .catalog
            .related(child, "parentOf")
            .any(|r| r.resolved.is_some());
        shares.push(match has_teams {
            // A team without sub-teams: its entities in the catalog.
            false => Share {
                note: "the team",
                ..Share::direct(site, child)
            },
            // Else the team's own page, which counts its share in the same way.
            true => Share {
                team: site.link_to(child),
                note: "the team and its sub-teams",
                href: format!(
                    "{}#owned",
                    entity_url(&site.catalog.entities[child].entity_ref)
                ),
            },
        });
    }
    while let Some((g, share)) = queue.pop_front() {
        if !seen.insert(g) {
            continue;
        }
        let via = site.link_to(g);
        for item in links(site, g, "ownerOf") {
            let via = Some(via.clone());
            owned.push((Owned { item, via }, share));
        }
        queue.extend(
            site.catalog
                .related(g, "parentOf")
                .filter_map(|r| r.resolved)
                .map(|c| (c, share)),
        );
    }
    GroupSection {
        parent: links(site, i, "childOf"),
        children: links(site, i, "parentOf"),
        members: links(site, i, "hasMember"),
        owned: owned_section(owned, shares),
    }
}

fn user_section(site: &Site, i: usize) -> UserSection {
    let mut shares = vec![Share::direct(site, i)];
    let mut owned: Vec<(Owned, usize)> = links(site, i, "ownerOf")
        .into_iter()
        .map(|item| (Owned { item, via: None }, 0))
        .collect();
    for g in site
        .catalog
        .related(i, "memberOf")
        .filter_map(|r| r.resolved)
    {
        let share = shares.len();
        shares.push(Share {
            note: "membership",
            ..Share::direct(site, g)
        });
        let via = site.link_to(g);
        for item in links(site, g, "ownerOf") {
            let via = Some(via.clone());
            owned.push((Owned { item, via }, share));
        }
    }
    UserSection {
        groups: links(site, i, "memberOf"),
        owned: owned_section(owned, shares),
    }
}

/// A part of what a group or user owns: what `team` owns itself (the page's own entity, or
/// a group the user is a member of), or what a sub-team owns at any depth. `href` leads to
/// its entities; `note` says how it is owned.
struct Share {
    team: Link,
    note: &'static str,
    href: String,
}

impl Share {
    /// What entity `i` owns itself: the catalog filtered to that owner.
    fn direct(site: &Site, i: usize) -> Share {
        let team = site.link_to(i);
        let href = format!(
            "{}#owner={}",
            super::catalog::PATH,
            percent_encoding::utf8_percent_encode(&team.entity_ref, OWNER_PARAM)
        );
        Share {
            team,
            note: "directly",
            href,
        }
    }
}

/// The "Owned" section from every owned entity with the share it belongs to: every row
/// when they are few, else each share counted.
fn owned_section(rows: Vec<(Owned, usize)>, shares: Vec<Share>) -> OwnedSection {
    let kinds = kind_counts(rows.iter().map(|(o, _)| &*o.item.kind));
    let total = rows.len();
    if total <= OWNED_LISTED {
        return OwnedSection {
            rows: rows.into_iter().map(|(o, _)| o).collect(),
            total,
            kinds,
            teams: vec![],
        };
    }
    let mut by_share: Vec<Vec<&str>> = vec![vec![]; shares.len()];
    for (o, share) in &rows {
        by_share[*share].push(&o.item.kind);
    }
    let teams = shares
        .into_iter()
        .zip(by_share)
        .filter(|(_, kinds)| !kinds.is_empty())
        .map(|(share, kinds)| TeamOwned {
            team: share.team,
            note: share.note,
            count: kinds.len(),
            kinds: kind_counts(kinds.into_iter()),
            href: share.href,
        })
        .collect();
    OwnedSection {
        rows: vec![],
        total,
        kinds,
        teams,
    }
}

/// What `URLSearchParams` would escape in a value (the catalog reads its filters from the hash).
const OWNER_PARAM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'*');

/// "12 Components, 1 API": counts per kind, kinds sorted by name.
fn kind_counts<'a>(kinds: impl Iterator<Item = &'a str>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for k in kinds {
        *counts.entry(k).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(k, n)| super::plural(n as i64, k.to_string(), None))
        .collect::<Vec<_>>()
        .join(", ")
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
        assert_eq!(
            (g.owned.total, g.owned.kinds.as_str()),
            (2, "1 Component, 1 System")
        );
        assert!(g.owned.teams.is_empty());
        let owned: Vec<(String, Option<String>)> = g
            .owned
            .rows
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
        assert_eq!(&*u.owned.rows[0].item.title, "svc");

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

    #[test]
    fn past_the_listed_rows_owned_entities_are_counted_by_share() {
        // org owns a system; team-a (with sub-team team-b) and team-c own 220 more.
        let mut entities = vec![
            entity("Group", "org", json!({"type": "org"})),
            entity("Group", "team-a", json!({"type": "team"})),
            entity("Group", "team-b", json!({"type": "team"})),
            entity("Group", "team-c", json!({"type": "team"})),
            entity("User", "bob", json!({})),
            entity("System", "sys", json!({"owner": "org"})),
        ];
        let mut rels = vec![
            ("org", "parentOf", "team-a"),
            ("team-a", "parentOf", "team-b"),
            ("org", "parentOf", "team-c"),
            ("team-a", "hasMember", "bob"),
            ("team-b", "hasMember", "bob"),
            ("team-c", "hasMember", "bob"),
            ("org", "ownerOf", "sys"),
        ];
        let names: Vec<(String, &str, &str)> = (0..100)
            .map(|n| (format!("c{n:03}"), "Component", "team-a"))
            .chain((0..60).map(|n| (format!("a{n:03}"), "API", "team-b")))
            .chain((0..60).map(|n| (format!("r{n:03}"), "Resource", "team-c")))
            .collect();
        for (name, kind, owner) in &names {
            entities.push(entity(kind, name, json!({"owner": owner})));
            rels.push((owner, "ownerOf", name.as_str()));
        }
        let c = catalog(entities, &rels);
        let (scores, docs, config) = (Scores::default(), Docs::default(), Config::default());
        let site = Site::new(&c, &scores, &docs, &config);
        let shares = |o: &OwnedSection| -> Vec<(String, &str, usize, String, String)> {
            o.teams
                .iter()
                .map(|t| {
                    let title = t.team.title.to_string();
                    (title, t.note, t.count, t.kinds.clone(), t.href.clone())
                })
                .collect()
        };

        let g = group_section(&site, c.index["group:default/org"]);
        assert_eq!(g.owned.total, 221);
        assert_eq!(
            g.owned.kinds,
            "60 APIs, 100 Components, 60 Resources, 1 System"
        );
        assert!(
            g.owned.rows.is_empty(),
            "rows are not listed past {OWNED_LISTED}"
        );
        assert_eq!(
            shares(&g.owned),
            vec![
                (
                    "org".into(),
                    "directly",
                    1,
                    "1 System".into(),
                    "catalog/index.html#owner=group%3Adefault%2Forg".into()
                ),
                (
                    "team-a".into(),
                    "the team and its sub-teams",
                    160,
                    "60 APIs, 100 Components".into(),
                    "catalog/default/group/team-a/index.html#owned".into()
                ),
                (
                    "team-c".into(),
                    "the team",
                    60,
                    "60 Resources".into(),
                    "catalog/index.html#owner=group%3Adefault%2Fteam-c".into()
                ),
            ]
        );
        // team-a's own page is under the limit: every row, each with the team it is owned
        // through.
        let a = group_section(&site, c.index["group:default/team-a"]);
        assert_eq!((a.owned.total, a.owned.rows.len()), (160, 160));
        assert_eq!(a.owned.rows[0].via, None);
        assert_eq!(
            a.owned.rows[100].via.as_ref().map(|l| &*l.title),
            Some("team-b")
        );
        assert!(a.owned.teams.is_empty());

        // A user: each group's own share, in the catalog; nothing owned directly, no row.
        let u = user_section(&site, c.index["user:default/bob"]);
        assert_eq!(
            shares(&u.owned),
            vec![
                (
                    "team-a".into(),
                    "membership",
                    100,
                    "100 Components".into(),
                    "catalog/index.html#owner=group%3Adefault%2Fteam-a".into()
                ),
                (
                    "team-b".into(),
                    "membership",
                    60,
                    "60 APIs".into(),
                    "catalog/index.html#owner=group%3Adefault%2Fteam-b".into()
                ),
                (
                    "team-c".into(),
                    "membership",
                    60,
                    "60 Resources".into(),
                    "catalog/index.html#owner=group%3Adefault%2Fteam-c".into()
                ),
            ]
        );
    }

    #[test]
    fn a_cycle_of_sub_teams_counts_each_entity_once() {
        // org -> team-a -> org: a bad hierarchy, still one share per team and no entity twice.
        let mut entities = vec![
            entity("Group", "org", json!({"type": "org"})),
            entity("Group", "team-a", json!({"type": "team"})),
        ];
        let mut rels = vec![("org", "parentOf", "team-a"), ("team-a", "parentOf", "org")];
        let names: Vec<String> = (0..201).map(|n| format!("c{n:03}")).collect();
        for name in &names {
            entities.push(entity("Component", name, json!({"owner": "team-a"})));
            rels.push(("team-a", "ownerOf", name.as_str()));
        }
        let c = catalog(entities, &rels);
        let (scores, docs, config) = (Scores::default(), Docs::default(), Config::default());
        let site = Site::new(&c, &scores, &docs, &config);
        for (team, share) in [("org", "team-a"), ("team-a", "team-a")] {
            let g = group_section(&site, c.index[&format!("group:default/{team}")]);
            assert_eq!(g.owned.total, 201, "{team}");
            let teams: Vec<(&str, usize)> = g
                .owned
                .teams
                .iter()
                .map(|t| (&*t.team.title, t.count))
                .collect();
            assert_eq!(teams, vec![(share, 201)], "{team}");
        }
    }
}
