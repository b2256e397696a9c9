//! Site-wide pages: the home page (counts, recent problems, entry points), the catalog table
//! (every entity; filters and sorting in JS, the full table without it) and the problems page.

use super::{Link, ProblemView, Renderer, Site};
use crate::diag::Severity;
use minijinja::context;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

/// Kinds in the order people look for them; others follow alphabetically.
const KIND_ORDER: &[&str] = &[
    "component",
    "api",
    "system",
    "domain",
    "resource",
    "group",
    "user",
    "template",
    "location",
];

/// Kinds whose `spec.owner` Backstage requires.
const OWNED_KINDS: &[&str] = &[
    "component",
    "api",
    "resource",
    "system",
    "domain",
    "template",
];

fn kind_rank(kind: &str) -> (usize, String) {
    let k = kind.to_lowercase();
    (
        KIND_ORDER
            .iter()
            .position(|x| *x == k)
            .unwrap_or(KIND_ORDER.len()),
        k,
    )
}

#[derive(Serialize)]
struct KindCount {
    kind: String,
    /// Lower-case, for the catalog filter (`catalog/index.html#kind=component`).
    key: String,
    count: usize,
}

fn kind_counts(site: &Site) -> Vec<KindCount> {
    let mut counts: BTreeMap<(usize, String), (String, usize)> = BTreeMap::new();
    for row in &site.rows {
        let e = counts
            .entry(kind_rank(&row.kind))
            .or_insert_with(|| (row.kind.clone(), 0));
        e.1 += 1;
    }
    counts
        .into_iter()
        .map(|((_, key), (kind, count))| KindCount { kind, key, count })
        .collect()
}

pub fn home(site: &Site, r: &Renderer, out: &Path) -> io::Result<()> {
    let rel = "index.html";
    let base = site.base_ctx(rel, "home");
    // Errors first, then warnings; each in report order.
    let mut recent: Vec<ProblemView> = site
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .chain(
            site.problems
                .iter()
                .filter(|p| p.severity == Severity::Warning),
        )
        .take(8)
        .map(|p| site.problem_view(p))
        .collect();
    recent.truncate(8);
    let warnings = site.problems.len() - base.site.errors;
    let ctx = context! {
        root => base.root,
        site => base.site,
        nav => base.nav,
        kinds => kind_counts(site),
        total => site.rows.len(),
        warnings => warnings,
        recent => recent,
        docs => site.docs_of.len(),
        files => site.catalog.files,
    };
    r.page(out, rel, "home.html", ctx)
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

fn choices(values: impl Iterator<Item = (String, String)>) -> Vec<Choice> {
    let set: BTreeSet<(String, String)> = values.collect();
    let mut v: Vec<Choice> = set
        .into_iter()
        .map(|(value, label)| Choice { value, label })
        .collect();
    v.sort_by(|a, b| (a.label.to_lowercase(), &a.value).cmp(&(b.label.to_lowercase(), &b.value)));
    v.dedup_by(|a, b| a.value == b.value);
    v
}

pub fn table(site: &Site, r: &Renderer, out: &Path) -> io::Result<()> {
    let rel = "catalog/index.html";
    let base = site.base_ctx(rel, "catalog");
    let rows = &site.rows;
    let mut kinds: Vec<Choice> = kind_counts(site)
        .into_iter()
        .map(|k| Choice {
            value: k.key,
            label: k.kind,
        })
        .collect();
    kinds.dedup_by(|a, b| a.value == b.value);
    let ctx = context! {
        root => base.root,
        site => base.site,
        nav => base.nav,
        rows => rows,
        filters => context! {
            kind => kinds,
            type => choices(rows.iter().filter_map(|r| r.spec_type.clone().map(|t| (t.clone(), t)))),
            owner => choices(rows.iter().filter_map(|r| r.owner.as_ref().map(|o| (o.entity_ref.clone(), o.title.clone())))),
            lifecycle => choices(rows.iter().filter_map(|r| r.lifecycle.clone().map(|t| (t.clone(), t)))),
            tag => choices(rows.iter().flat_map(|r| r.tags.iter().map(|t| (t.clone(), t.clone())))),
            namespace => choices(rows.iter().map(|r| (r.namespace.clone(), r.namespace.clone()))),
        },
    };
    r.page(out, rel, "catalog.html", ctx)
}

#[derive(Serialize)]
struct Dangling {
    entity: Link,
    relation: &'static str,
    target: String,
}

#[derive(Serialize)]
struct OwnerProblem {
    entity: Link,
    owner: Option<String>,
}

pub fn problems(site: &Site, r: &Renderer, out: &Path) -> io::Result<()> {
    let rel = "problems/index.html";
    let base = site.base_ctx(rel, "problems");
    let c = site.catalog;
    let mut dangling = vec![];
    let mut no_owner = vec![];
    let mut missing_owner = vec![];
    let mut idle_groups = vec![];
    for (i, e) in c.entities.iter().enumerate() {
        for rel in c.relations[i].iter().filter(|r| r.resolved.is_none()) {
            dangling.push(Dangling {
                entity: site.link_to(i),
                relation: rel.kind,
                target: rel.target.to_string(),
            });
        }
        let kind = e.kind().to_lowercase();
        if OWNED_KINDS.contains(&kind.as_str()) {
            match (e.spec_str("owner"), &site.rows[i].owner) {
                (None, _) => no_owner.push(OwnerProblem {
                    entity: site.link_to(i),
                    owner: None,
                }),
                (Some(_), Some(link)) if link.url.is_none() => missing_owner.push(OwnerProblem {
                    entity: site.link_to(i),
                    owner: Some(link.entity_ref.clone()),
                }),
                (Some(o), None) => missing_owner.push(OwnerProblem {
                    entity: site.link_to(i),
                    owner: Some(o.to_string()),
                }),
                _ => {}
            }
        }
        if kind == "group" && owns_nothing(site, i) {
            idle_groups.push(site.link_to(i));
        }
    }
    let all: Vec<ProblemView> = site.problems.iter().map(|p| site.problem_view(p)).collect();
    let ctx = context! {
        root => base.root,
        site => base.site,
        nav => base.nav,
        problems => all,
        dangling => dangling,
        no_owner => no_owner,
        missing_owner => missing_owner,
        idle_groups => idle_groups,
    };
    r.page(out, rel, "problems.html", ctx)
}

/// True when neither the group nor any of its sub-teams (at any depth) owns an entity.
fn owns_nothing(site: &Site, i: usize) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![i];
    while let Some(g) = stack.pop() {
        if !seen.insert(g) {
            continue;
        }
        if site.catalog.related(g, "ownerOf").next().is_some() {
            return false;
        }
        stack.extend(
            site.catalog
                .related(g, "parentOf")
                .filter_map(|r| r.resolved),
        );
    }
    true
}
