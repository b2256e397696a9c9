//! `portico score` and `portico gate` end to end: a small organisation written into a
//! temporary directory, scored with a fixed `--today`.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn portico() -> Command {
    let mut c = Command::cargo_bin("portico").unwrap();
    c.env_remove("SOURCE_DATE_EPOCH");
    c
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: good-service
  description: A service that does everything it should.
  annotations:
    pagerduty.com/service-id: PGOOD01
spec:
  type: service
  lifecycle: production
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: bad-service
spec:
  type: service
  lifecycle: production
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
";

const CARD: &str = "id: prod
title: Production readiness
appliesTo: {kind: Component}
levels: [Bronze, Silver, Gold]
checks:
  - id: owner
    title: Owned by a group
    level: Bronze
    rule: {relation: ownedBy, targetKind: Group}
    remediation: Set `spec.owner` to a team.
  - id: described
    title: Has a description
    level: Silver
    rule: {field: metadata.description, minLength: 10}
    remediation: |
      Write a **description**.
  - id: on-call
    title: On call
    level: Silver
    rule: {annotation: pagerduty.com/service-id}
    remediation: Add the PagerDuty annotation.
  - id: coverage
    title: Coverage
    level: Gold
    rule: {fact: coverage.lines, gte: 80}
    remediation: Write tests.
";

/// An organisation: two services (one meeting Silver, one only Bronze), a team, a
/// scorecard, facts and waivers.
fn org() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "catalog-info.yaml", CATALOG);
    write(
        root,
        "portico.yaml",
        "scorecards: [scorecards/*.yaml]\nwaivers: waivers.yaml\nfacts: [facts/*.json]\n",
    );
    write(root, "scorecards/prod.yaml", CARD);
    write(
        root,
        "facts/coverage.json",
        r#"{"component:default/good-service": {"lines": 91}, "component:default/bad-service": {"lines": 40}}"#,
    );
    write(
        root,
        "waivers.yaml",
        "waivers:\n  - entity: bad-service\n    check: coverage\n    reason: legacy code, rewrite planned\n    expires: '2026-12-31'\n",
    );
    dir
}

fn score_json(root: &Path, today: &str) -> Value {
    let out = portico()
        .args(["score", "--format", "json", "--today", today])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_contract() {
    let org = org();
    let j = score_json(org.path(), "2026-11-23");
    assert_eq!(j["scorecards"][0]["id"], "prod");
    assert_eq!(j["scorecards"][0]["checks"][1]["level"], "Silver");
    let results = j["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{j:#}");
    let bad = &results[0];
    assert_eq!(bad["entity"], "component:default/bad-service");
    assert_eq!(bad["scorecard"], "prod");
    assert_eq!(bad["level"], "Bronze");
    let outcomes: Vec<(&str, &str)> = bad["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("owner", "pass"),
            ("described", "fail"),
            ("on-call", "fail"),
            ("coverage", "exempt")
        ]
    );
    // 1 of 3 counted checks passed (the exempt one is left out).
    assert_eq!(bad["score"], 33.3);
    assert_eq!(
        bad["checks"][1]["message"],
        "`metadata.description` is missing"
    );
    let good = &results[1];
    assert_eq!(good["level"], "Gold");
    assert_eq!(good["score"], 100.0);
    assert_eq!(j["expiredWaivers"].as_array().unwrap().len(), 0);
}

#[test]
fn output_is_deterministic() {
    let org = org();
    let a = score_json(org.path(), "2026-11-23");
    let b = score_json(org.path(), "2026-11-23");
    assert_eq!(a.to_string(), b.to_string());
}

#[test]
fn waiver_expiry_follows_today() {
    let org = org();
    let j = score_json(org.path(), "2027-01-01");
    let bad = &j["results"][0];
    assert_eq!(bad["checks"][3]["outcome"], "fail");
    assert_eq!(
        bad["checks"][3]["message"],
        "`coverage.lines` is 40, needs ≥ 80 (waiver expired on 2026-12-31)"
    );
    assert_eq!(
        j["expiredWaivers"][0]["entity"],
        "component:default/bad-service"
    );
    assert_eq!(j["expiredWaivers"][0]["line"], 2);
    assert_eq!(j["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn human_report_lists_unmet_checks() {
    let org = org();
    portico()
        .args(["score", "--today", "2026-11-23"])
        .arg(org.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "component:default/bad-service   Bronze      33.3%",
        ))
        .stdout(predicate::str::contains(
            "✗ fail           described [Silver]: `metadata.description` is missing",
        ))
        .stdout(predicate::str::contains(
            "2 entities: Gold 1, Silver 0, Bronze 1, none 0",
        ));
}

#[test]
fn markdown_comment_with_baseline() {
    let org = org();
    let base = org.path().join("baseline.json");
    portico()
        .args(["score", "--format", "json", "--today", "2026-11-23", "-o"])
        .arg(&base)
        .arg(org.path())
        .assert()
        .success();
    // The PR removes good-service's description.
    write(
        org.path(),
        "catalog-info.yaml",
        &CATALOG.replace(
            "  description: A service that does everything it should.\n",
            "",
        ),
    );
    let out = portico()
        .args([
            "score",
            "--format",
            "markdown",
            "--today",
            "2026-11-23",
            "--baseline",
        ])
        .arg(&base)
        .arg(org.path())
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("| `component:default/good-service` | Bronze | 75.0% | ⬇️ Gold → Bronze, -25.0, 1 new failing |"),
        "{md}"
    );
    assert!(
        md.contains("| `component:default/bad-service` | Bronze | 33.3% | – |"),
        "{md}"
    );
    assert!(md.contains("🆕 <b>Has a description</b>"), "{md}");
    assert!(md.contains("Write a **description**."), "{md}");
}

#[test]
fn gate_exit_codes() {
    let org = org();
    let gate = |args: &[&str]| {
        let mut c = portico();
        c.args(["gate", "--today", "2026-11-23"])
            .args(args)
            .arg(org.path());
        c
    };
    // Met: 0.
    gate(&["--scorecard", "prod", "--min-level", "bronze"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "gate passed: 2 entities at Bronze or above (prod)",
        ));
    gate(&[
        "--scorecard",
        "prod",
        "--min-level",
        "Gold",
        "--entity",
        "good-service",
    ])
    .assert()
    .code(0);
    // Not met: 1, with the failing checks and their remediation.
    gate(&["--scorecard", "prod", "--min-level", "Silver"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "component:default/bad-service is at Bronze, below Silver (prod, 33.3%):\n  ✗ described [Silver] Has a description: `metadata.description` is missing\n      fix: Write a **description**.\n",
        ))
        .stdout(predicate::str::contains("gate failed: 1 of 2 entities below Silver (prod)"));
    // Cannot run: 2.
    gate(&["--scorecard", "nope", "--min-level", "Silver"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no scorecard `nope` (known: prod)",
        ));
    gate(&["--scorecard", "prod", "--min-level", "Platinum"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "scorecard `prod` has no level `Platinum` (levels: Bronze, Silver, Gold)",
        ));
    gate(&[
        "--scorecard",
        "prod",
        "--min-level",
        "Silver",
        "--entity",
        "ghost",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "component:default/ghost is not in the catalog",
    ));
    gate(&[
        "--scorecard",
        "prod",
        "--min-level",
        "Silver",
        "--entity",
        "group:team-a",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "scorecard `prod` does not apply to group:team-a",
    ));
    gate(&["--scorecard", "prod"]).assert().code(2);
    gate(&["--scorecard", "prod", "--fail-on", "new-failures"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--fail-on new-failures needs --baseline FILE",
        ));
}

#[test]
fn gate_on_new_failures_only() {
    let org = org();
    let base = org.path().join("baseline.json");
    portico()
        .args(["score", "--format", "json", "--today", "2026-11-23", "-o"])
        .arg(&base)
        .arg(org.path())
        .assert()
        .success();
    let gate = |org: &Path| {
        let mut c = portico();
        c.args(["gate", "--today", "2026-11-23", "--scorecard", "prod"])
            .args(["--fail-on", "new-failures", "--baseline"])
            .arg(&base)
            .arg(org);
        c
    };
    // bad-service is below Silver, but nothing regressed.
    gate(org.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "gate passed: no new failing checks in 2 entities (prod)",
        ));
    write(
        org.path(),
        "catalog-info.yaml",
        &CATALOG.replace("    pagerduty.com/service-id: PGOOD01\n", "    x.io/y: z\n"),
    );
    gate(org.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "component:default/good-service has new failing checks in prod (level Bronze, 75.0%):\n  ✗ on-call [Silver] On call: annotation `pagerduty.com/service-id` is missing\n",
        ));
}

#[test]
fn scorecard_typo_is_located() {
    let org = org();
    write(
        org.path(),
        "scorecards/prod.yaml",
        &CARD.replace(
            "    remediation: Write tests.\n",
            "    remediaton: Write tests.\n",
        ),
    );
    let shown = format!("{}/scorecards/prod.yaml", org.path().display());
    portico()
        .args(["score", "--today", "2026-11-23"])
        .arg(org.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{shown}:26:5: error[scorecard/schema]: unknown field `remediaton` in scorecard"
        )))
        .stderr(predicate::str::contains("did you mean `remediation`?"));
    // The gate cannot find the broken scorecard: it cannot run.
    portico()
        .args(["gate", "--scorecard", "prod", "--min-level", "Bronze"])
        .arg(org.path())
        .assert()
        .code(2);
}

#[test]
fn json_report_to_a_file_is_the_stdout_report_and_an_unwritable_file_fails() {
    let org = org();
    let stdout = portico()
        .args(["score", "--format", "json", "--today", "2026-11-23"])
        .arg(org.path())
        .output()
        .unwrap();
    let file = org.path().join("report.json");
    portico()
        .args(["score", "--format", "json", "--today", "2026-11-23", "-o"])
        .arg(&file)
        .arg(org.path())
        .assert()
        .success();
    let written = std::fs::read(&file).unwrap();
    assert_eq!(written, stdout.stdout);
    assert!(written.ends_with(b"}\n"));
    for format in ["json", "human", "markdown"] {
        portico()
            .args(["score", "--format", format, "-o", "/nonexistent/dir/report"])
            .arg(org.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains("cannot write the report"));
    }
}

#[test]
fn bad_flags_cannot_run() {
    let org = org();
    portico()
        .args(["score", "--today", "2026-13-01"])
        .arg(org.path())
        .assert()
        .code(2);
    portico()
        .args(["score", "--baseline", "/nonexistent/base.json"])
        .arg(org.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--baseline"));
}

#[test]
fn example_repo_scorecards_load_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let out = portico()
        .args(["score", "--format", "json", "--today", "2026-11-23"])
        .arg(&root)
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = j["scorecards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["documentation", "production-readiness"]);
    // The expired waiver is listed, not reported as a problem.
    assert_eq!(j["problems"], serde_json::json!([]), "{:#}", j["problems"]);
    assert_eq!(
        j["expiredWaivers"][0]["entity"],
        "component:default/checkout-web"
    );
}

/// Seconds since the epoch of a day at noon UTC (for SOURCE_DATE_EPOCH).
fn epoch(day: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    d.and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
        .to_string()
}

#[test]
fn site_pages_badges_and_history() {
    let org = org();
    let root = org.path();
    write(
        root,
        "portico.yaml",
        "scorecards: [scorecards/*.yaml]\nwaivers: waivers.yaml\nfacts: [facts/*.json]\nhistory: .portico/history.jsonl\n",
    );
    let site = root.join("site");
    for day in ["2026-11-22", "2026-11-23"] {
        portico()
            .env("SOURCE_DATE_EPOCH", epoch(day))
            .args(["build", "--out"])
            .arg(&site)
            .arg(root)
            .assert()
            .success();
    }
    let read = |rel: &str| std::fs::read_to_string(site.join(rel)).unwrap();
    // The JSON API is the `portico score --format json` contract.
    let api: Value = serde_json::from_str(&read("api/scorecards.json")).unwrap();
    assert_eq!(api["today"], "2026-11-23");
    assert_eq!(api["results"][0]["entity"], "component:default/bad-service");
    assert_eq!(api["results"][0]["level"], "Bronze");
    // A scorecard page: distribution, checks, matrix, and a trend of two days.
    let page = read("scorecards/prod/index.html");
    assert!(page.contains("Production readiness"));
    assert!(page.contains("<circle class=\"point\""), "no trend chart");
    assert_eq!(page.matches("<circle class=\"point\"").count(), 2);
    assert!(page.contains("Average score from 66.7% on 2026-11-22 to 66.7% on 2026-11-23"));
    assert!(page.contains("title=\"fail: `metadata.description` is missing\""));
    // Entity page: level badge and the failing check with its remediation as HTML.
    let entity = read("catalog/default/component/bad-service/index.html");
    assert!(entity.contains("id=\"scorecard-prod\""));
    assert!(entity.contains("<code>metadata.description</code> is missing"));
    assert!(entity.contains("<p>Write a <strong>description</strong>.</p>"));
    // Group page: the team rollup.
    let team = read("catalog/default/group/team-a/index.html");
    assert!(team.contains("id=\"rollup-prod\""));
    assert!(team.contains(
        "<li>Has a description <span class=\"muted\">(Silver)</span> — 1 of 2 (50.0%)</li>"
    ));
    // Badges READMEs can embed.
    let badge = read("badges/default/component/good-service/prod.svg");
    assert!(badge.starts_with("<svg"));
    assert!(badge.contains("aria-label=\"Production readiness: Gold\""));
    // History: one line per day, kept beside the input and copied into the site.
    let history = std::fs::read_to_string(root.join(".portico/history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 2);
    assert!(history
        .lines()
        .next()
        .unwrap()
        .starts_with("{\"date\":\"2026-11-22\""));
    assert_eq!(read("api/scorecard-history.jsonl"), history);
}

#[test]
fn site_without_scorecards_still_has_the_index() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "catalog-info.yaml", CATALOG);
    let site = dir.path().join("site");
    portico()
        .args(["build", "--out"])
        .arg(&site)
        .arg(dir.path())
        .assert()
        .success();
    let index = std::fs::read_to_string(site.join("scorecards/index.html")).unwrap();
    assert!(index.contains("No scorecards are configured"));
    assert!(!site.join("badges").exists());
}
