//! The example organisation (`example-repo/`) and the broken fixtures (`tests/fixtures/broken/`)
//! keep their promises: the example is clean and shows every feature the portal renders; each
//! broken fixture reports exactly the problems its `# expect:` lines name.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Runs `portico validate --format json ARGS` in `dir`: (exit code, parsed output).
fn validate(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("portico")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .arg("validate")
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

#[test]
fn example_repo_is_clean_even_in_strict_mode() {
    let (code, json) = validate(&root(), &["--strict", "example-repo"]);
    assert_eq!(json["problems"], Value::Array(vec![]), "{json:#}");
    assert_eq!(code, 0);
    assert!(json["summary"]["entities"].as_u64().unwrap() >= 90);
}

/// The whole build (validation, docs with their link and anchor checks, site) has nothing
/// to say about the example either: every link and anchor in its doc pages resolves.
#[test]
fn example_repo_builds_without_a_problem_in_strict_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("portico")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args([
            "build",
            "--strict",
            "--format",
            "json",
            "example-repo",
            "--out",
        ])
        .arg(tmp.path().join("site"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(json["problems"], Value::Array(vec![]), "{json:#}");
    assert_eq!(out.status.code(), Some(0));
}

fn count<'a>(items: impl Iterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for item in items {
        *map.entry(item.to_string()).or_insert(0) += 1;
    }
    map
}

fn has_all(map: &BTreeMap<String, usize>, wanted: &[&str], what: &str) {
    for w in wanted {
        assert!(
            map.contains_key(*w),
            "example-repo has no {what} `{w}`: {map:?}"
        );
    }
}

#[test]
fn example_repo_shows_every_feature_of_the_portal() {
    let dir = root().join("example-repo");
    let (config, config_problems) = portico::config::load(&dir);
    assert!(config_problems.is_empty(), "{config_problems:?}");
    let catalog = portico::check(&[dir], &config).catalog;
    let kinds = count(catalog.entities.iter().map(|e| e.kind()));
    for (kind, min) in [
        ("Component", 20),
        ("API", 8),
        ("Resource", 8),
        ("System", 5),
        ("Domain", 3),
        ("Group", 10),
        ("User", 15),
        ("Location", 1),
        ("Template", 1),
    ] {
        let n = kinds.get(kind).copied().unwrap_or(0);
        assert!(n >= min, "{n} entities of kind {kind}, want {min}+");
    }
    let of = |kind: &'static str, field: &'static str| {
        count(
            catalog
                .entities
                .iter()
                .filter(move |e| e.kind() == kind)
                .filter_map(move |e| e.spec_str(field)),
        )
    };
    has_all(
        &of("Component", "type"),
        &["service", "website", "library", "data-pipeline"],
        "component type",
    );
    has_all(
        &of("Component", "lifecycle"),
        &["production", "experimental", "deprecated"],
        "component lifecycle",
    );
    has_all(
        &of("API", "type"),
        &["openapi", "asyncapi", "graphql", "grpc"],
        "API type",
    );
    has_all(
        &of("Resource", "type"),
        &["database", "queue", "bucket", "cache"],
        "resource type",
    );
    has_all(
        &of("Group", "type"),
        &["organization", "department", "team"],
        "group type",
    );
    let namespaces = count(catalog.entities.iter().map(|e| e.namespace()));
    assert!(namespaces.len() >= 2, "{namespaces:?}");

    // Some people are in two teams; every relation resolves.
    let users_in_two = catalog
        .entities
        .iter()
        .filter(|e| e.kind() == "User")
        .filter(|e| e.spec("memberOf").and_then(Value::as_array).map(Vec::len) >= Some(2))
        .count();
    assert!(users_in_two >= 2);
    for (i, relations) in catalog.relations.iter().enumerate() {
        for r in relations {
            assert!(
                r.resolved.is_some(),
                "{} {} {} does not resolve",
                catalog.entities[i].entity_ref.key(),
                r.kind,
                r.target.key()
            );
        }
    }
    let relation_kinds: BTreeSet<&str> =
        catalog.relations.iter().flatten().map(|r| r.kind).collect();
    for kind in [
        "ownedBy",
        "ownerOf",
        "providesApi",
        "apiProvidedBy",
        "consumesApi",
        "apiConsumedBy",
        "dependsOn",
        "dependencyOf",
        "partOf",
        "hasPart",
        "parentOf",
        "childOf",
        "memberOf",
        "hasMember",
    ] {
        assert!(
            relation_kinds.contains(kind),
            "no {kind} relation: {relation_kinds:?}"
        );
    }

    // APIs both inline and through $text, every definition substituted into a string;
    // TechDocs for at least six entities.
    let apis: Vec<_> = catalog
        .entities
        .iter()
        .filter(|e| e.kind() == "API")
        .collect();
    for api in &apis {
        let definition = api.spec_str("definition").unwrap_or_default();
        assert!(
            definition.len() > 200,
            "{}: {definition:?}",
            api.entity_ref.key()
        );
    }
    let from_files = apis
        .iter()
        .filter(|e| {
            std::fs::read_to_string(&e.source.path)
                .unwrap()
                .contains("$text:")
        })
        .count();
    assert!(from_files >= 1 && from_files < apis.len());
    let docs: Vec<PathBuf> = catalog
        .entities
        .iter()
        .filter_map(portico::model::techdocs_dir)
        .filter_map(|d| portico::model::mkdocs_file(&d))
        .collect();
    assert!(docs.len() >= 6, "{docs:?}");
    assert!(docs.iter().any(|p| p.ends_with("mkdocs.yaml")));
}

/// `(rule, line)` pairs from a fixture's `# expect: RULE LINE` comments; line `None` = any.
fn expectations(text: &str) -> Vec<(String, Option<u64>)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|rest| {
            let (rule, line) = rest.split_once(' ').expect("expect: RULE LINE");
            (rule.to_string(), line.trim().parse().ok())
        })
        .collect()
}

#[test]
fn each_broken_fixture_reports_exactly_its_documented_problems() {
    let dir = root().join("tests/fixtures/broken");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter(|p| !p.ends_with("catalog-info.yaml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 8);
    for path in fixtures {
        let name = path.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut want = expectations(&text);
        assert!(!want.is_empty(), "{name} has no `# expect:` line");
        let (code, json) = validate(&dir, &["catalog-info.yaml", name]);
        let problems = json["problems"].as_array().unwrap();
        let mut got: Vec<(String, u64)> = problems
            .iter()
            .map(|p| {
                assert_eq!(p["file"].as_str().unwrap(), name, "{name}: {p}");
                (
                    p["rule"].as_str().unwrap().to_string(),
                    p["line"].as_u64().unwrap(),
                )
            })
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got.len(), want.len(), "{name}: {got:?} vs {want:?}");
        for ((rule, line), (want_rule, want_line)) in got.iter().zip(&want) {
            assert_eq!(rule, want_rule, "{name}: {got:?}");
            if let Some(want_line) = want_line {
                assert_eq!(line, want_line, "{name}: {got:?}");
            }
        }
        let errors = problems.iter().any(|p| p["severity"] == "error");
        assert_eq!(code, i32::from(errors), "{name}: exit code");
        // The targets of $text placeholders that leave the repository are never read.
        assert!(
            !json.to_string().contains("root:x:0:0"),
            "{name} leaked a file"
        );
    }
}
