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
pub(crate) const KIND_ORDER: &[&str] = &[
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

/// Site-relative path of the catalog page.
pub const PATH: &str = "catalog/index.html";

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

/// Rows the catalog page carries as HTML: the first screen, readable without JavaScript. The
/// whole table is `catalog/entities.js` (see `table_data`), paged, filtered and sorted in the
/// browser; at 10,000 entities the full table as HTML was 22 MB.
pub const PAGE_ROWS: usize = 100;

pub fn table(site: &Site, r: &Renderer, out: &Path) -> io::Result<()> {
    let rel = PATH;
    let base = site.base_ctx(rel, "catalog");
    let rows = &site.rows;
    table_data(site, out)?;
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
        rows => &rows[..rows.len().min(PAGE_ROWS)],
        total => rows.len(),
        page_rows => PAGE_ROWS,
        pages => rows.len().div_ceil(PAGE_ROWS).max(1),
        filters => context! {
            kind => kinds,
            type => choices(rows.iter().filter_map(|r| r.spec_type.clone().map(|t| (t.clone(), t)))),
            owner => choices(rows.iter().filter_map(|r| r.owner.as_ref().map(|o| (o.entity_ref.to_string(), o.title.to_string())))),
            lifecycle => choices(rows.iter().filter_map(|r| r.lifecycle.clone().map(|t| (t.clone(), t)))),
            tag => choices(rows.iter().flat_map(|r| r.tags.iter().map(|t| (t.clone(), t.clone())))),
            namespace => choices(rows.iter().map(|r| (r.namespace.clone(), r.namespace.clone()))),
        },
    };
    r.page(out, rel, "catalog.html", ctx)
}

/// One row of `catalog/entities.js`: `[name, title or null when it is the name, kind, type,
/// lifecycle, namespace, owner, system, tags, description, url, errors]`, owner and system
/// as indices into `links` (`[kind, title, ref, url or null]`).
#[derive(Serialize)]
struct DataRow<'a>(
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    Option<usize>,
    Option<usize>,
    &'a [String],
    String,
    &'a str,
    usize,
);

/// `catalog/entities.js`: the catalog table as data, one row a line, assigned to
/// `window.porticoCatalog`. A script, not JSON: the browser loads a `<script src>` from
/// file://, where it refuses `fetch()`.
fn table_data(site: &Site, out: &Path) -> io::Result<()> {
    use std::io::Write;
    let mut link_ids: std::collections::HashMap<&str, usize> = Default::default();
    let mut links: Vec<&Link> = vec![];
    fn id<'a>(
        l: &'a Option<Link>,
        ids: &mut std::collections::HashMap<&'a str, usize>,
        links: &mut Vec<&'a Link>,
    ) -> Option<usize> {
        let l = l.as_ref()?;
        Some(*ids.entry(&l.entity_ref).or_insert_with(|| {
            links.push(l);
            links.len() - 1
        }))
    }
    let mut rows = Vec::with_capacity(site.rows.len());
    for r in &site.rows {
        let owner = id(&r.owner, &mut link_ids, &mut links);
        let system = id(&r.system, &mut link_ids, &mut links);
        rows.push(DataRow(
            &r.name,
            (r.title != r.name).then_some(r.title.as_str()),
            &r.kind,
            r.spec_type.as_deref(),
            r.lifecycle.as_deref(),
            &r.namespace,
            owner,
            system,
            &r.tags,
            super::truncate(r.description.clone(), Some(160)),
            &r.url,
            r.errors,
        ));
    }
    let path = out.join("catalog/entities.js");
    std::fs::create_dir_all(path.parent().unwrap())?;
    let mut w = io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(b"/* The catalog table, for assets/portico.js (written by portico build). */\n")?;
    w.write_all(b"window.porticoCatalog = {\"links\": [")?;
    for (i, l) in links.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(
            &mut w,
            &(&*l.kind, &*l.title, &*l.entity_ref, l.url.as_deref()),
        )?;
    }
    w.write_all(b"\n], \"rows\": [")?;
    for (i, row) in rows.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut w, row)?;
    }
    w.write_all(b"\n]};\n")?;
    w.flush()
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

/// Rows each section of the problems page lists; a longer section is counted in full, its
/// first rows listed, and the whole of it listed on pages of its own of this many rows
/// (`problems/dangling.html`, `problems/dangling-2.html`, …). An organisation whose owners
/// live outside its repositories has a dangling reference per entity: thousands of rows on
/// one page that a browser takes seconds to open.
pub const PROBLEMS_LISTED: usize = 200;

/// The sections of the problems page: the anchor on the page (and the file name of the
/// section's own pages), and the name of the list in the template's context.
const SECTIONS: [(&str, &str); 5] = [
    ("validation", "problems"),
    ("dangling", "dangling"),
    ("no-owner", "no_owner"),
    ("missing-owner", "missing_owner"),
    ("idle-groups", "idle_groups"),
];

/// File name, in `problems/`, of page `n` (1-based) of the section `id`'s own listing.
fn section_file(id: &str, n: usize) -> String {
    match n {
        1 => format!("{id}.html"),
        n => format!("{id}-{n}.html"),
    }
}

/// Problems of one rule, for the summary above a long list of validation problems.
#[derive(Serialize)]
struct RuleCount {
    rule: String,
    errors: usize,
    warnings: usize,
}

/// Links between the pages of one section's listing, hrefs relative to `problems/`.
#[derive(Serialize)]
struct SectionPager {
    current: usize,
    count: usize,
    prev: Option<String>,
    next: Option<String>,
}

pub fn problems(site: &Site, r: &Renderer, out: &Path) -> io::Result<()> {
    let rel = "problems/index.html";
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
                    owner: Some(link.entity_ref.to_string()),
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
    let mut by_rule: BTreeMap<&str, RuleCount> = BTreeMap::new();
    for p in &site.problems {
        let n = by_rule.entry(p.rule.as_str()).or_insert_with(|| RuleCount {
            rule: p.rule.clone(),
            errors: 0,
            warnings: 0,
        });
        match p.severity {
            Severity::Error => n.errors += 1,
            Severity::Warning => n.warnings += 1,
        }
    }
    let mut by_rule: Vec<RuleCount> = by_rule.into_values().collect();
    by_rule.sort_by_key(|n| std::cmp::Reverse(n.errors + n.warnings));
    let validation: Vec<ProblemView> = site.problems.iter().map(|p| site.problem_view(p)).collect();
    // Each section's rows, in the order of SECTIONS.
    let lists: [Vec<minijinja::Value>; 5] = [
        values(&validation),
        values(&dangling),
        values(&no_owner),
        values(&missing_owner),
        values(&idle_groups),
    ];
    let counts: BTreeMap<&str, usize> = SECTIONS
        .iter()
        .zip(&lists)
        .map(|((_, name), rows)| (*name, rows.len()))
        .collect();
    // Where a cut section is listed whole, relative to `problems/`.
    let more: BTreeMap<&str, String> = SECTIONS
        .iter()
        .zip(&lists)
        .filter(|(_, rows)| rows.len() > PROBLEMS_LISTED)
        .map(|((id, name), _)| (*name, section_file(id, 1)))
        .collect();

    // What every page of the family has: the page's place, and each section's size.
    let shared = |rel: &str| {
        let base = site.base_ctx(rel, "problems");
        let mut ctx: BTreeMap<&str, minijinja::Value> = BTreeMap::new();
        ctx.insert("root", base.root.into());
        ctx.insert("site", minijinja::Value::from_serialize(&base.site));
        ctx.insert("nav", base.nav.into());
        ctx.insert("counts", minijinja::Value::from_serialize(&counts));
        ctx.insert("listed", PROBLEMS_LISTED.into());
        ctx
    };

    // The page itself: every section counted, the first rows of each listed.
    let mut ctx = shared(rel);
    ctx.insert("more", minijinja::Value::from_serialize(&more));
    ctx.insert("by_rule", minijinja::Value::from_serialize(&by_rule));
    for ((_, name), rows) in SECTIONS.iter().zip(&lists) {
        let shown = &rows[..rows.len().min(PROBLEMS_LISTED)];
        ctx.insert(name, minijinja::Value::from(shown.to_vec()));
    }
    r.page(out, rel, "problems.html", minijinja::Value::from(ctx))?;

    // A cut section's own pages: that section alone, all of it, a page at a time.
    for ((id, name), rows) in SECTIONS.iter().zip(&lists) {
        if rows.len() <= PROBLEMS_LISTED {
            continue;
        }
        let count = rows.len().div_ceil(PROBLEMS_LISTED);
        for (k, page_rows) in rows.chunks(PROBLEMS_LISTED).enumerate() {
            let n = k + 1;
            let rel = format!("problems/{}", section_file(id, n));
            let mut ctx = shared(&rel);
            // The template shows only this section (`listing.id`); the others stay unset.
            ctx.insert(name, minijinja::Value::from(page_rows.to_vec()));
            ctx.insert(
                "listing",
                context! {
                    id => id,
                    name => name,
                    first => k * PROBLEMS_LISTED + 1,
                    last => k * PROBLEMS_LISTED + page_rows.len(),
                    pager => SectionPager {
                        current: n,
                        count,
                        prev: (n > 1).then(|| section_file(id, n - 1)),
                        next: (n < count).then(|| section_file(id, n + 1)),
                    },
                },
            );
            r.page(out, &rel, "problems.html", minijinja::Value::from(ctx))?;
        }
    }
    Ok(())
}

/// Rows as template values (a section's rows are then sliced into pages without copying).
fn values<T: Serialize>(rows: &[T]) -> Vec<minijinja::Value> {
    rows.iter().map(minijinja::Value::from_serialize).collect()
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

#[cfg(test)]
mod tests {
    use super::super::testing::{catalog, entity};
    use super::*;
    use crate::config::Config;
    use crate::docs::Docs;
    use crate::score::Scores;
    use serde_json::json;

    #[test]
    fn a_large_catalog_shows_its_first_page_as_html_and_all_rows_as_data() {
        let n = PAGE_ROWS + 20;
        let mut entities = vec![entity("Group", "team", json!({"type": "team"}))];
        for i in 0..n {
            entities.push(entity(
                "Component",
                &format!("svc-{i:03}"),
                json!({"type": "service", "owner": "team", "lifecycle": "production"}),
            ));
        }
        let c = catalog(entities, &[]);
        let (scores, docs, config) = (Scores::default(), Docs::default(), Config::default());
        let site = Site::new(&c, &scores, &docs, &config);
        let renderer = super::super::Theme::default().load().unwrap();
        let out = tempfile::tempdir().unwrap();
        table(&site, &renderer, out.path()).unwrap();
        let html = std::fs::read_to_string(out.path().join("catalog/index.html")).unwrap();
        let rows = html.matches("<tr data-kind=").count();
        assert_eq!(rows, PAGE_ROWS);
        assert!(html.contains(&format!("first {PAGE_ROWS} of {} entities", n + 1)));
        assert!(html.contains("svc-000/index.html") && !html.contains("svc-119/index.html"));
        assert!(html.contains(r#"<script src="../catalog/entities.js">"#));

        let js = std::fs::read_to_string(out.path().join("catalog/entities.js")).unwrap();
        let json = js
            .split_once("window.porticoCatalog = ")
            .unwrap()
            .1
            .trim_end()
            .trim_end_matches(';');
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        let rows = data["rows"].as_array().unwrap();
        assert_eq!(rows.len(), n + 1);
        // The owner is stored once and referred to by index.
        assert_eq!(
            data["links"],
            json!([[
                "Group",
                "team",
                "group:default/team",
                "catalog/default/group/team/index.html"
            ]])
        );
        assert_eq!(
            rows[119],
            json!([
                "svc-119",
                null,
                "Component",
                "service",
                "production",
                "default",
                0,
                null,
                [],
                "",
                "catalog/default/component/svc-119/index.html",
                0
            ])
        );
    }
}
