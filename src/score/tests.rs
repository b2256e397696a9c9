//! Unit tests of the engine on hand-built catalogs: every rule type, every outcome, level
//! edge cases, waivers with an injected clock, enforceFrom, located scorecard errors.

use super::files::SchemaChecker;
use super::rules::{self, Ctx, Eval};
use super::*;
use crate::discover::SourceFile;
use crate::model::{Entity, EntityRef, Relation};
use serde_json::Value as Json;
use std::path::Path;
use std::sync::Arc;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An entity from YAML, read from `dir/catalog-info.yaml` in repository `dir`.
fn entity(yaml: &str, dir: &Path) -> Entity {
    let (docs, problems) = crate::parse::parse_str(yaml, "catalog-info.yaml");
    assert!(problems.is_empty(), "{problems:?}");
    let root = docs.into_iter().next().unwrap().root;
    let mut data = root.to_json();
    let kind = data["kind"].as_str().unwrap().to_string();
    let name = data["metadata"]["name"].as_str().unwrap().to_string();
    let ns = data["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    data["metadata"]["namespace"] = Json::from(ns.clone());
    Entity {
        entity_ref: EntityRef::new(&kind, &ns, &name),
        data,
        spans: crate::parse::Spans::of(&root),
        source: SourceFile {
            path: dir.join("catalog-info.yaml"),
            display: "catalog-info.yaml".into(),
            repo: dir.to_path_buf(),
        },
        document: 0,
        valid: true,
    }
}

/// A catalog with `ownedBy`/`partOf` relations derived from spec.owner / spec.system.
fn catalog(entities: Vec<Entity>) -> Catalog {
    let mut c = Catalog {
        entities,
        ..Catalog::default()
    };
    c.entities.sort_by_key(|e| e.entity_ref.key());
    for (i, e) in c.entities.iter().enumerate() {
        c.index.insert(e.entity_ref.key(), i);
    }
    c.relations = c
        .entities
        .iter()
        .map(|e| {
            let mut rels = vec![];
            for (field, kind, default) in [
                ("owner", "ownedBy", "group"),
                ("system", "partOf", "system"),
            ] {
                if let Some(t) = e.spec_str(field) {
                    let target = EntityRef::parse(t, Some(default), "default").unwrap();
                    rels.push(Relation {
                        kind,
                        resolved: c.index.get(&target.key()).copied(),
                        target,
                    });
                }
            }
            rels
        })
        .collect();
    c
}

fn card(yaml: &str) -> Scorecard {
    let checker = SchemaChecker::new(scorecard::SCHEMA, "scorecard/schema");
    let (cards, problems) = scorecard::load_str(yaml, "scorecards/t.yaml", &checker);
    assert!(problems.is_empty(), "{problems:#?}");
    cards.into_iter().next().unwrap()
}

fn card_problems(yaml: &str) -> Vec<Problem> {
    let checker = SchemaChecker::new(scorecard::SCHEMA, "scorecard/schema");
    scorecard::load_str(yaml, "scorecards/t.yaml", &checker).1
}

const SERVICE: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  description: Takes payments from customers and settles them
  tags: [java, payments]
  annotations:
    backstage.io/techdocs-ref: dir:.
    pagerduty.com/service-id: P123
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: shop
";
const TEAM: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  annotations:
    github.com/team-slug: acme/payments-team
spec:
  type: team
  children: []
";

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    catalog: Catalog,
    facts: Facts,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::write(
        dir.join("README.md"),
        "# Payments\n\n## Runbook\nrestart it\n",
    )
    .unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM eclipse-temurin:21\n").unwrap();
    std::fs::write(dir.join("LICENSE.txt"), "Apache-2.0").unwrap();
    std::fs::create_dir_all(dir.join(".github")).unwrap();
    std::fs::write(
        dir.join(".github/CODEOWNERS"),
        "# owners\n*       @acme/payments-team\n/docs/ @acme/writers\n",
    )
    .unwrap();
    std::fs::write(dir.join("mkdocs.yml"), "site_name: Payments\n").unwrap();
    std::fs::create_dir_all(dir.join("docs/guides")).unwrap();
    for p in ["docs/index.md", "docs/guides/a.md", "docs/guides/b.md"] {
        std::fs::write(dir.join(p), "# x\n").unwrap();
    }
    let catalog = catalog(vec![entity(SERVICE, &dir), entity(TEAM, &dir)]);
    let mut facts = Facts::default();
    let p = facts.add_text(
        "coverage",
        "facts/coverage.json",
        r#"{"component:default/payments": {"lines": 72.5, "status": "ok"}}"#,
    );
    assert!(p.is_empty());
    Fixture {
        _dir: tmp,
        dir,
        catalog,
        facts,
    }
}

/// Evaluates a rule written in YAML against the `payments` component.
fn eval_yaml(f: &Fixture, rule_yaml: &str) -> Eval {
    let indented: String = rule_yaml.lines().map(|l| format!("      {l}\n")).collect();
    let c = card(&format!(
        "id: t\ntitle: T\nlevels: [Bronze]\nchecks:\n  - id: c\n    title: C\n    level: Bronze\n    rule:\n{indented}"
    ));
    let docs = ScanDocs { built: None };
    let ctx = Ctx::new(&f.catalog, &f.facts, &docs, day("2026-11-23"));
    let i = f
        .catalog
        .position(&EntityRef::new("Component", "default", "payments"))
        .unwrap();
    rules::eval(&c.checks[0].rule, &ctx, i)
}

fn pass(e: &Eval) -> bool {
    matches!(e, Eval::Pass(_))
}
fn fail(e: &Eval) -> bool {
    matches!(e, Eval::Fail(_))
}

#[test]
fn field_rules() {
    let f = fixture();
    assert!(pass(&eval_yaml(&f, "field: spec.owner")));
    assert!(pass(&eval_yaml(&f, "field: /spec/owner\nexists: true")));
    let e = eval_yaml(&f, "field: spec.missing");
    assert_eq!(e, Eval::Fail("`spec.missing` is missing".into()));
    assert!(pass(&eval_yaml(&f, "field: spec.missing\nexists: false")));
    assert!(pass(&eval_yaml(&f, "field: spec.type\nequals: service")));
    let e = eval_yaml(&f, "field: spec.type\nequals: website");
    assert_eq!(
        e,
        Eval::Fail("`spec.type` is \"service\", not \"website\"".into())
    );
    assert!(pass(&eval_yaml(
        &f,
        "field: spec.lifecycle\nin: [production, experimental]"
    )));
    assert!(fail(&eval_yaml(
        &f,
        "field: spec.lifecycle\nin: [deprecated]"
    )));
    assert!(pass(&eval_yaml(
        &f,
        "field: metadata.description\nmatches: '^.{20,}$'"
    )));
    assert!(fail(&eval_yaml(
        &f,
        "field: metadata.description\nmatches: '^x'"
    )));
    assert!(pass(&eval_yaml(&f, "field: metadata.tags\ncontains: java")));
    assert!(fail(&eval_yaml(&f, "field: metadata.tags\ncontains: go")));
    assert!(pass(&eval_yaml(
        &f,
        "field: metadata.tags[1]\nequals: payments"
    )));
    assert!(pass(&eval_yaml(
        &f,
        "field: metadata.description\nminLength: 20"
    )));
    // A numeric comparison on a string cannot be evaluated.
    assert!(matches!(
        eval_yaml(&f, "field: spec.type\ngt: 3"),
        Eval::Error(m) if m.contains("not a number")
    ));
}

#[test]
fn annotation_and_label_rules() {
    let f = fixture();
    assert!(pass(&eval_yaml(&f, "annotation: pagerduty.com/service-id")));
    assert_eq!(
        eval_yaml(&f, "annotation: opsgenie.com/team"),
        Eval::Fail("annotation `opsgenie.com/team` is missing".into())
    );
    assert!(pass(&eval_yaml(
        &f,
        "annotation: pagerduty.com/service-id\nmatches: '^P[0-9]+$'"
    )));
    assert!(fail(&eval_yaml(&f, "label: tier")));
}

#[test]
fn relation_rules() {
    let f = fixture();
    assert!(pass(&eval_yaml(&f, "relation: ownedBy\ntargetKind: Group")));
    // The system `shop` is not in the catalog: the relation exists but does not resolve.
    let e = eval_yaml(&f, "relation: partOf\ntargetKind: System");
    assert!(
        matches!(&e, Eval::Fail(m) if m.contains("system:default/shop (not in the catalog)")),
        "{e:?}"
    );
    assert!(pass(&eval_yaml(&f, "relation: partOf\nresolved: false")));
    assert_eq!(
        eval_yaml(&f, "relation: providesApi"),
        Eval::Fail("no `providesApi` relation".into())
    );
    assert!(pass(&eval_yaml(&f, "relation: providesApi\nmin: 0")));
}

#[test]
fn file_rules() {
    let f = fixture();
    assert!(pass(&eval_yaml(&f, "file: README.md")));
    assert!(pass(&eval_yaml(&f, "file: /README.md")));
    assert_eq!(
        eval_yaml(&f, "file: [LICENSE, LICENSE.md]"),
        Eval::Fail("no LICENSE or LICENSE.md".into())
    );
    assert!(pass(&eval_yaml(&f, "file: LICENSE*")));
    assert_eq!(
        eval_yaml(&f, "file: Dockerfile\nmatches: '^FROM \\S+:\\d+'"),
        Eval::Pass("Dockerfile:1 matches /^FROM \\S+:\\d+/".into())
    );
    assert!(fail(&eval_yaml(
        &f,
        "file: Dockerfile\nmatches: ':latest$'"
    )));
    // Multi-line: ^ matches at each line.
    assert_eq!(
        eval_yaml(&f, "file: README.md\nmatches: '^## Runbook'"),
        Eval::Pass("README.md:3 matches /^## Runbook/".into())
    );
    assert!(pass(&eval_yaml(&f, "file: secrets.env\nexists: false")));
}

#[test]
fn files_are_read_once_per_run() {
    let f = fixture();
    let docs = ScanDocs { built: None };
    let ctx = Ctx::new(&f.catalog, &f.facts, &docs, day("2026-11-23"));
    let path = f.dir.join("README.md");
    let a = ctx.text(&path, &f.dir).unwrap();
    std::fs::write(&path, "changed").unwrap();
    let b = ctx.text(&path, &f.dir).unwrap();
    assert!(Arc::ptr_eq(&a, &b), "second read must come from the cache");
}

#[test]
fn codeowners_rule() {
    let f = fixture();
    assert_eq!(
        eval_yaml(&f, "codeowners: owner"),
        Eval::Pass(".github/CODEOWNERS:2 `*` is owned by @acme/payments-team".into())
    );
    std::fs::write(f.dir.join(".github/CODEOWNERS"), "* @acme/someone-else\n").unwrap();
    // A fresh run (new cache) sees the change.
    assert_eq!(
        eval_yaml(&f, "codeowners: owner"),
        Eval::Fail(".github/CODEOWNERS does not name the owner group:default/team-a".into())
    );
    std::fs::remove_file(f.dir.join(".github/CODEOWNERS")).unwrap();
    assert!(fail(&eval_yaml(&f, "codeowners: owner")));
}

#[test]
fn docs_rule_counts_pages() {
    let f = fixture();
    assert!(pass(&eval_yaml(&f, "docs: {minPages: 3}")));
    assert_eq!(
        eval_yaml(&f, "docs: {minPages: 4}"),
        Eval::Fail("docs have 3 pages, needs at least 4".into())
    );
    std::fs::remove_file(f.dir.join("mkdocs.yml")).unwrap();
    assert!(matches!(eval_yaml(&f, "docs: {}"), Eval::Error(m) if m.contains("no mkdocs.yml")));
}

#[test]
fn docs_rule_uses_built_docs_and_broken_links() {
    let f = fixture();
    let i = f
        .catalog
        .position(&EntityRef::new("Component", "default", "payments"))
        .unwrap();
    let broken = |file: String, entity: Option<&str>| {
        let p = Problem::warning("docs/broken-link", file, Span::point(1, 1), "broken");
        match entity {
            Some(e) => p.with_entity(e),
            None => p,
        }
    };
    let built = crate::docs::Docs {
        sites: vec![crate::docs::DocSite {
            entity: i,
            site_name: "Payments".into(),
            pages: 5,
            ..Default::default()
        }],
        problems: vec![
            // Found by file: under the entity's docs folder.
            broken(f.dir.join("docs/guides/a.md").display().to_string(), None),
            // Found by entity.
            broken("elsewhere.md".into(), Some("component:default/payments")),
            // Neither.
            broken(f.dir.join("README.md").display().to_string(), None),
            broken("x.md".into(), Some("component:default/other")),
        ],
        ..Default::default()
    };
    let c = card("id: t\ntitle: T\nlevels: [A]\nchecks:\n  - {id: c, title: C, level: A, rule: {docs: {minPages: 5, maxBrokenLinks: 0}}}\n");
    let docs = ScanDocs {
        built: Some(&built),
    };
    let ctx = Ctx::new(&f.catalog, &f.facts, &docs, day("2026-11-23"));
    assert_eq!(
        rules::eval(&c.checks[0].rule, &ctx, i),
        Eval::Fail("docs have 2 broken links, at most 0 allowed".into())
    );
}

#[test]
fn git_rule_days_since_last_commit() {
    let f = fixture();
    // Not a git repository yet: the rule cannot be evaluated.
    assert!(matches!(
        eval_yaml(&f, "git: daysSinceLastCommit\nlte: 90"),
        Eval::Error(m) if m.contains("not in a git repository")
    ));
    let repo = git2::Repository::init(&f.dir).unwrap();
    let commit = |paths: &[&str], when: i64, msg: &str| {
        let mut index = repo.index().unwrap();
        for p in paths {
            index.add_path(Path::new(p)).unwrap();
        }
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(when, 0)).unwrap();
        let parents: Vec<git2::Commit> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
            .unwrap();
    };
    // 2026-08-01 docs, 2026-11-13 code only.
    commit(&["docs/index.md", "README.md"], 1_785_542_400, "first");
    std::fs::write(f.dir.join("README.md"), "# changed\n").unwrap();
    commit(&["README.md"], 1_794_528_000, "second");
    assert_eq!(
        eval_yaml(&f, "git: daysSinceLastCommit\nlte: 30"),
        Eval::Pass("last commit 10 days ago (2026-11-13)".into())
    );
    assert_eq!(
        eval_yaml(&f, "git: daysSinceLastCommit\npath: docs\nlte: 90"),
        Eval::Fail(
            "days since the last commit to `docs` is 114, needs ≤ 90 (last commit 2026-08-01)"
                .into()
        )
    );
}

#[test]
fn fact_rules() {
    let f = fixture();
    assert!(pass(&eval_yaml(&f, "fact: coverage.lines\ngte: 70")));
    assert_eq!(
        eval_yaml(&f, "fact: coverage.lines\ngte: 80"),
        Eval::Fail("`coverage.lines` is 72.5, needs ≥ 80".into())
    );
    assert!(pass(&eval_yaml(&f, "fact: coverage.status\nequals: ok")));
    assert_eq!(
        eval_yaml(&f, "fact: coverage.branches\ngte: 1"),
        Eval::Fail("no `coverage.branches` fact for this entity".into())
    );
    assert!(matches!(
        eval_yaml(
            &f,
            "fact: coverage.branches\ngte: 1\nifMissing: not_applicable"
        ),
        Eval::NotApplicable(_)
    ));
    assert!(matches!(
        eval_yaml(&f, "fact: vulnerabilities.critical\nlte: 0"),
        Eval::Error(m) if m.contains("vulnerabilities.json")
    ));
    assert!(matches!(
        eval_yaml(&f, "fact: coverage.status\nlt: 3"),
        Eval::Error(m) if m.contains("not a number")
    ));
}

#[test]
fn combinators() {
    let f = fixture();
    assert!(pass(&eval_yaml(
        &f,
        "all:\n  - field: spec.owner\n  - file: README.md"
    )));
    assert_eq!(
        eval_yaml(
            &f,
            "all:\n  - field: spec.owner\n  - file: NOPE\n  - file: NADA"
        ),
        Eval::Fail("no NOPE; no NADA".into())
    );
    assert!(pass(&eval_yaml(
        &f,
        "any:\n  - file: NOPE\n  - file: README.md"
    )));
    assert_eq!(
        eval_yaml(&f, "any:\n  - file: NOPE\n  - file: NADA"),
        Eval::Fail("no NOPE, and no NADA".into())
    );
    assert!(pass(&eval_yaml(
        &f,
        "not:\n  field: spec.lifecycle\n  equals: deprecated"
    )));
    assert!(fail(&eval_yaml(&f, "not:\n  file: README.md")));
    // A failure beats an error in `all`; an error beats a failure in `any`.
    assert!(fail(&eval_yaml(
        &f,
        "all:\n  - fact: nope.x\n  - file: NOPE"
    )));
    assert!(matches!(
        eval_yaml(&f, "any:\n  - fact: nope.x\n  - file: NOPE"),
        Eval::Error(_)
    ));
}

// ---- outcomes, levels, scores ----

const LEVELED: &str = "id: prod
title: Production readiness
levels: [Bronze, Silver, Gold]
checks:
  - {id: owner, title: Has an owner, level: Bronze, rule: {field: spec.owner}}
  - {id: readme, title: README, level: Bronze, weight: 2, rule: {file: README.md}}
  - {id: license, title: License, level: Silver, rule: {file: LICENSE}}
  - {id: runbook, title: Runbook, level: Gold, rule: {file: RUNBOOK.md}}
  - {id: tier, title: Tier label, level: Gold, severity: warning, rule: {label: tier}}
  - {id: oncall, title: On-call, level: Silver, enforceFrom: '2026-12-01', rule: {annotation: opsgenie.com/team}}
  - {id: api, title: API, level: Silver, appliesTo: {type: website}, rule: {relation: providesApi}}
";

fn run(f: &Fixture, card_yaml: &str, waivers: Vec<Waiver>, today: &str) -> Scores {
    let inputs = Inputs {
        scorecards: vec![card(card_yaml)],
        waivers,
        facts: f.facts.clone(),
        problems: vec![],
    };
    evaluate(
        &f.catalog,
        inputs,
        Options {
            today: day(today),
            docs: None,
        },
    )
}

fn outcomes(s: &Scores, r: &EntityResult) -> Vec<(String, Outcome)> {
    r.checks
        .iter()
        .map(|c| {
            (
                s.scorecards[r.scorecard].checks[c.check].id.clone(),
                c.outcome,
            )
        })
        .collect()
}

fn payments(s: &Scores) -> &EntityResult {
    s.results
        .iter()
        .find(|r| r.entity_ref == "component:default/payments")
        .unwrap()
}

#[test]
fn every_outcome_and_the_level() {
    let f = fixture();
    let s = run(&f, LEVELED, vec![], "2026-11-23");
    // The group gets the scorecard too (no appliesTo).
    assert_eq!(s.results.len(), 2);
    let r = payments(&s);
    let o = outcomes(&s, r);
    use Outcome::*;
    assert_eq!(
        o,
        vec![
            ("owner".into(), Pass),
            ("readme".into(), Pass),
            ("license".into(), Fail),
            ("runbook".into(), Fail),
            ("tier".into(), Warn),
            ("oncall".into(), Warn),
            ("api".into(), NotApplicable),
        ]
    );
    assert!(r.checks[5]
        .message
        .ends_with("(not counted until 2026-12-01)"));
    // license (Silver) fails: Bronze.
    assert_eq!(s.level_name(r), Some("Bronze"));
    // Counted: owner 1 + readme 2 pass; license 1, runbook 1, tier 1 not passed → 3/6.
    assert_eq!(r.score, 50.0);
}

#[test]
fn enforce_from_counts_from_its_date() {
    let f = fixture();
    let before = run(&f, LEVELED, vec![], "2026-11-30");
    let after = run(&f, LEVELED, vec![], "2026-12-01");
    assert_eq!(payments(&before).checks[5].outcome, Outcome::Warn);
    assert!(!payments(&before).checks[5].counted);
    assert_eq!(payments(&after).checks[5].outcome, Outcome::Fail);
    assert!(payments(&after).checks[5].counted);
    assert_eq!(payments(&after).score, 42.9);
}

fn waiver(check: &str, expires: &str) -> Waiver {
    Waiver {
        entity: EntityRef::new("component", "default", "payments"),
        scorecard: None,
        check: check.into(),
        reason: "migrating to the new license scanner".into(),
        expires: day(expires),
        approved_by: None,
        file: "waivers.yaml".into(),
        span: Span::point(3, 5),
    }
}

#[test]
fn waivers_exempt_until_they_expire() {
    let f = fixture();
    let ws = vec![
        waiver("license", "2026-12-31"),
        waiver("runbook", "2026-12-31"),
    ];
    let s = run(&f, LEVELED, ws.clone(), "2026-12-31");
    let r = payments(&s);
    assert_eq!(r.checks[2].outcome, Outcome::Exempt);
    assert!(r.checks[2]
        .message
        .starts_with("waived until 2026-12-31: migrating"));
    // Exempt counts as pass for the level (oncall is enforced by now and fails at Silver).
    assert_eq!(s.level_name(r), Some("Bronze"));
    assert!(s.expired_waivers().is_empty());
    assert!(s.problems.is_empty(), "{:?}", s.problems);

    // The day after expiry the check counts again and the waiver is listed.
    let s = run(&f, LEVELED, ws, "2027-01-01");
    let r = payments(&s);
    assert_eq!(r.checks[2].outcome, Outcome::Fail);
    assert!(r.checks[2]
        .message
        .ends_with("(waiver expired on 2026-12-31)"));
    assert_eq!(s.expired_waivers().len(), 2);
    // Listed, not a problem: a build does not start failing on a date by itself.
    assert!(s.problems.is_empty());
}

#[test]
fn unknown_waivers_are_warnings() {
    let f = fixture();
    let mut w = waiver("nope", "2030-01-01");
    w.entity = EntityRef::new("component", "default", "ghost");
    let s = run(&f, LEVELED, vec![w], "2026-11-23");
    let msgs: Vec<&str> = s.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "no scorecard has a check `nope`",
            "waiver names component:default/ghost, which is not in the catalog"
        ]
    );
}

#[test]
fn level_edge_cases() {
    let f = fixture();
    // First level failing: no level at all.
    let s = run(
        &f,
        "id: x\ntitle: X\nlevels: [Bronze, Silver]\nchecks:\n  - {id: a, title: A, level: Bronze, rule: {file: NOPE}}\n  - {id: b, title: B, level: Silver, rule: {file: README.md}}\n",
        vec![],
        "2026-11-23",
    );
    assert_eq!(payments(&s).level, None);
    assert_eq!(payments(&s).score, 50.0);
    // A level with no checks is reached when the levels below it pass; the one above
    // blocks at itself.
    let s = run(
        &f,
        "id: x\ntitle: X\nlevels: [Bronze, Silver, Gold]\nchecks:\n  - {id: a, title: A, level: Bronze, rule: {file: README.md}}\n  - {id: b, title: B, level: Gold, rule: {file: NOPE}}\n",
        vec![],
        "2026-11-23",
    );
    assert_eq!(s.level_name(payments(&s)), Some("Silver"));
    // No checks at all: the top level, score 100.
    let s = run(
        &f,
        "id: x\ntitle: X\nlevels: [Bronze, Gold]\nchecks: []\n",
        vec![],
        "2026-11-23",
    );
    assert_eq!(s.level_name(payments(&s)), Some("Gold"));
    assert_eq!(payments(&s).score, 100.0);
    // All exempt: top level, and nothing counted → 100.
    let s = run(
        &f,
        "id: x\ntitle: X\nlevels: [Bronze, Gold]\nchecks:\n  - {id: license, title: A, level: Bronze, rule: {file: LICENSE}}\n  - {id: runbook, title: B, level: Gold, rule: {file: RUNBOOK.md}}\n",
        vec![waiver("license", "2027-01-01"), waiver("runbook", "2027-01-01")],
        "2026-11-23",
    );
    let r = payments(&s);
    assert!(r.checks.iter().all(|c| c.outcome == Outcome::Exempt));
    assert_eq!(s.level_name(r), Some("Gold"));
    assert_eq!(r.score, 100.0);
    // An error blocks like a failure.
    let s = run(
        &f,
        "id: x\ntitle: X\nlevels: [Bronze, Gold]\nchecks:\n  - {id: a, title: A, level: Gold, rule: {fact: nope.x}}\n",
        vec![],
        "2026-11-23",
    );
    assert_eq!(payments(&s).checks[0].outcome, Outcome::Error);
    assert_eq!(s.level_name(payments(&s)), Some("Bronze"));
}

#[test]
fn applies_to_filters_entities() {
    let f = fixture();
    let yaml = "id: x\ntitle: X\nappliesTo: {kind: component, lifecycle: [production], owner: group:default/team-a, tags: [go, java]}\nlevels: [A]\nchecks: []\n";
    let s = run(&f, yaml, vec![], "2026-11-23");
    assert_eq!(s.results.len(), 1);
    assert_eq!(s.results[0].entity_ref, "component:default/payments");
    let s = run(
        &f,
        "id: x\ntitle: X\nappliesTo: {kind: Component, exclude: payments}\nlevels: [A]\nchecks: []\n",
        vec![],
        "2026-11-23",
    );
    assert!(s.results.is_empty());
    let s = run(
        &f,
        "id: x\ntitle: X\nappliesTo: {where: {annotation: pagerduty.com/service-id}}\nlevels: [A]\nchecks: []\n",
        vec![],
        "2026-11-23",
    );
    assert_eq!(s.results.len(), 1);
}

#[test]
fn rollup_counts_levels_and_worst_checks() {
    let f = fixture();
    let s = run(&f, LEVELED, vec![], "2026-11-23");
    let all: Vec<usize> = (0..f.catalog.entities.len()).collect();
    let r = &s.rollup(&all)[0];
    assert_eq!(r.entities, 2);
    // The group has no owner and no README... it sits in the same directory, so it has the
    // README; it fails `owner` (Bronze): below the first level.
    assert_eq!(r.below, 1);
    assert_eq!(r.levels, vec![1, 0, 0]);
    // license and runbook fail for both.
    assert_eq!(r.worst[0], (2, 2));
}

#[test]
fn results_are_deterministic() {
    let f = fixture();
    let a = report::to_json(&run(&f, LEVELED, vec![], "2026-11-23"));
    let b = report::to_json(&run(&f, LEVELED, vec![], "2026-11-23"));
    assert_eq!(a.to_string(), b.to_string());
    assert_eq!(a["results"][0]["entity"], "component:default/payments");
    assert_eq!(a["results"][0]["level"], "Bronze");
    assert_eq!(a["results"][0]["checks"][2]["outcome"], "fail");
}

#[test]
fn json_report_lists_only_the_chosen_scorecard_and_shows_files_as_asked() {
    let f = fixture();
    let scores = run(&f, LEVELED, vec![], "2026-11-23");
    let id = scores.scorecards[0].id.clone();
    let all = serde_json::to_value(report::JsonReport::new(&scores)).unwrap();
    assert_eq!(all["scorecards"].as_array().unwrap().len(), 1);
    let one =
        serde_json::to_value(report::JsonReport::new(&scores).only_scorecard(Some(&id))).unwrap();
    assert_eq!(one["scorecards"][0]["id"], id.as_str());
    let none = serde_json::to_value(report::JsonReport::new(&scores).only_scorecard(Some("nope")))
        .unwrap();
    assert_eq!(none["scorecards"].as_array().unwrap().len(), 0);
    // Results are not filtered here (the command filters them before).
    assert_eq!(none["results"], all["results"]);
    let shown = |f: &str| format!("shown/{f}");
    let mapped = serde_json::to_value(report::JsonReport::new(&scores).files(&shown)).unwrap();
    assert_eq!(
        mapped["scorecards"][0]["file"],
        format!("shown/{}", all["scorecards"][0]["file"].as_str().unwrap()).as_str()
    );
}

#[test]
fn baseline_deltas() {
    let f = fixture();
    let now = run(&f, LEVELED, vec![], "2026-12-01");
    let mut before_json = report::to_json(&run(&f, LEVELED, vec![], "2026-11-23"));
    // Pretend the README check failed before and the level was none.
    before_json["results"][0]["checks"][1]["outcome"] = Json::from("fail");
    before_json["results"][0]["level"] = Json::Null;
    let baseline = report::Baseline::parse(&before_json.to_string()).unwrap();
    let d = report::delta(&now, payments(&now), &baseline);
    assert!(!d.new);
    assert!(d.level_changed && !d.level_down);
    assert_eq!(d.fixed, vec![1]);
    // oncall became enforced on 2026-12-01.
    assert_eq!(d.new_failures, vec![5]);
    let md = report::markdown(&now, Some(&baseline));
    assert!(md.contains("| `component:default/payments` | Bronze | 42.9% | ⬆️ none → Bronze, -7.1, 1 new failing, 1 fixed |"), "{md}");
    assert!(md.contains("🆕 <b>On-call</b>"), "{md}");
    assert!(report::Baseline::parse("{}").is_err());
}

// ---- scorecard files ----

#[test]
fn schema_errors_are_located() {
    let p = card_problems(
        "id: prod\ntitle: P\nlevels: [Bronze]\nchecks:\n  - id: a\n    title: A\n    level: Bronze\n    remediaton: fix it\n    rule: {annotation: x}\n",
    );
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].rule, "scorecard/schema");
    assert_eq!(p[0].span.start, crate::diag::Pos::new(8, 5));
    assert_eq!(p[0].message, "unknown field `remediaton` in scorecard");
    assert_eq!(p[0].hint.as_deref(), Some("did you mean `remediation`?"));
}

#[test]
fn rule_type_typos_are_located() {
    let p = card_problems(
        "id: prod\ntitle: P\nlevels: [Bronze]\nchecks:\n  - id: a\n    title: A\n    level: Bronze\n    rule:\n      anotation: x\n",
    );
    assert!(!p.is_empty());
    assert_eq!(p[0].span.start, crate::diag::Pos::new(9, 7), "{p:#?}");
    assert!(p[0].message.contains("anotation"), "{p:#?}");
    assert_eq!(p[0].hint.as_deref(), Some("did you mean `annotation`?"));
}

#[test]
fn two_rule_types_in_one_mapping() {
    let p = card_problems(
        "id: prod\ntitle: P\nlevels: [Bronze]\nchecks:\n  - id: a\n    title: A\n    level: Bronze\n    rule:\n      file: README.md\n      annotation: x\n",
    );
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(
        p[0].message,
        "a rule has exactly one type, this one has 2: file, annotation"
    );
    assert_eq!(p[0].span.start.line, 9);
}

#[test]
fn semantic_errors_are_located() {
    let p = card_problems(
        "id: prod\ntitle: P\nlevels: [Bronze, Silver]\nchecks:\n  - {id: a, title: A, level: Platinum, rule: {file: x}}\n  - {id: b, title: B, level: Bronze, enforceFrom: '2026-02-30', rule: {file: x}}\n  - {id: c, title: C, level: Bronze, rule: {field: spec.x, matches: '(unclosed'}}\n  - {id: e, title: C, level: Bronze, rule: {file: '../etc/passwd'}}\n  - {id: d, title: D, level: Bronze, rule: {codeowners: owner, min: 2}}\n  - {id: f, title: F, level: Bronze, rule: {file: README.md}}\n  - {id: f, title: F, level: Bronze, rule: {file: README.md}}\n",
    );
    let got: Vec<(u32, &str)> = p
        .iter()
        .map(|p| (p.span.start.line, p.message.as_str()))
        .collect();
    assert_eq!(got.len(), 6, "{got:#?}");
    assert_eq!(got[0], (5, "unknown level `Platinum`"));
    assert_eq!(
        p[0].hint.as_deref(),
        Some("levels of this scorecard: Bronze, Silver")
    );
    assert!(
        got[1].1.starts_with("`2026-02-30` is not a date"),
        "{got:?}"
    );
    assert_eq!(got[1].0, 6);
    assert_eq!(got[2], (7, "invalid regular expression: unclosed group"));
    assert_eq!(
        got[3],
        (8, "file path `../etc/passwd` leaves the repository (`..`)")
    );
    assert_eq!(got[4], (9, "`min` does not apply to a `codeowners` rule"));
    assert_eq!(got[5], (11, "check id `f` is used twice in this scorecard"));
}

#[test]
fn levels_can_be_described() {
    let c = card("id: x\ntitle: X\nlevels:\n  - Bronze\n  - {name: Gold, description: The best, color: '#d4af37'}\nchecks: []\n");
    assert_eq!(c.levels[1].description.as_deref(), Some("The best"));
    let p = card_problems("id: x\ntitle: X\nlevels:\n  - {name: Gold, colour: red}\nchecks: []\n");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].message, "unknown field `colour` in scorecard");
    assert_eq!(p[0].span.start, crate::diag::Pos::new(4, 18));
}

#[test]
fn file_rules_under_docs_follow_mkdocs_docs_dir() {
    let f = fixture();
    assert!(pass(&eval_yaml(&f, "file: docs/guides/a.md")));
    std::fs::rename(f.dir.join("docs"), f.dir.join("documentation")).unwrap();
    std::fs::write(
        f.dir.join("mkdocs.yml"),
        "site_name: Payments\ndocs_dir: documentation\n",
    )
    .unwrap();
    // `docs/` in a rule means the entity's docs folder, wherever mkdocs.yml puts it.
    assert!(pass(&eval_yaml(&f, "file: docs/guides/a.md")));
    assert!(fail(&eval_yaml(&f, "file: docs/guides/missing.md")));
}
