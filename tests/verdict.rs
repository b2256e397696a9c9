//! Verdict tests: YAML in, rule ids, messages and exact positions out. No network, no
//! /work/shared: every fixture is written here.

use portico::config::Config;
use portico::diag::{Problem, Severity};
use portico::discover::SourceFile;
use portico::model::ValidatedFile;
use portico::validate::Validator;
use std::path::Path;

/// Validates `text` as `catalog-info.yaml` at the root of a fresh repository that also holds
/// `extra` files.
fn check_in(dir: &Path, text: &str, config: &Config) -> ValidatedFile {
    let path = dir.join("catalog-info.yaml");
    std::fs::write(&path, text).unwrap();
    let source = SourceFile {
        path,
        display: "catalog-info.yaml".into(),
        repo: dir.to_path_buf(),
    };
    let (validator, problems) = Validator::new(config);
    assert_eq!(problems, vec![]);
    validator.validate(portico::parse::parse_file(&source))
}

fn check(text: &str) -> ValidatedFile {
    let dir = tempfile::tempdir().unwrap();
    check_in(dir.path(), text, &Config::default())
}

/// `line:col rule` of every problem, in report order.
fn found(file: &ValidatedFile) -> Vec<String> {
    file.problems
        .iter()
        .map(|p| format!("{}:{} {}", p.span.start.line, p.span.start.column, p.rule))
        .collect()
}

fn errors(file: &ValidatedFile) -> Vec<&Problem> {
    file.problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect()
}

const COMPONENT: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: artist-web
  description: The place to be, for great artists
  tags: [java, c++, team:payments]
  links:
    - url: https://example.com/dashboard
      title: Dashboard
  annotations:
    backstage.io/techdocs-ref: dir:.
  labels:
    tier: front-end
spec:
  type: website
  lifecycle: production
  owner: artist-relations-team
  system: artist-engagement-portal
  providesApis: [artist-api]
";

#[test]
fn a_valid_component_has_no_problems_and_a_defaulted_namespace() {
    let file = check(COMPONENT);
    assert_eq!(found(&file), Vec::<String>::new());
    assert_eq!(file.entities.len(), 1);
    let e = &file.entities[0];
    assert!(e.valid);
    assert_eq!(e.entity_ref.to_string(), "component:default/artist-web");
    assert_eq!(e.data["metadata"]["namespace"], "default");
    assert_eq!(e.document, 0);
    // Stored as Backstage stores it: `namespace` right after `name`, the rest in file order.
    let keys = |e: &portico::model::Entity| -> Vec<String> {
        e.data["metadata"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        keys(e),
        [
            "name",
            "namespace",
            "description",
            "tags",
            "links",
            "annotations",
            "labels"
        ]
    );
    let later = check(&COMPONENT.replace(
        "  name: artist-web\n  description: The place to be, for great artists\n",
        "  description: The place to be, for great artists\n  name: artist-web\n",
    ));
    assert_eq!(
        keys(&later.entities[0]),
        [
            "description",
            "name",
            "namespace",
            "tags",
            "links",
            "annotations",
            "labels"
        ]
    );
}

#[test]
fn every_violation_is_reported_each_at_its_node() {
    let file = check(
        "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: bad name!
  namespace: Team_A
  tags: [ok, Not-OK, '']
  annotations:
    a/b/c: x
    ok: 5
  links:
    - url: example.com
spec:
  type: service
  owner: 42
status: {}
",
    );
    assert_eq!(
        found(&file),
        vec![
            "4:9 entity/name-format",
            "5:14 entity/namespace-format",
            "6:14 entity/tag-format",
            "6:22 schema/min-length",
            "8:5 entity/annotation-key-format",
            "9:9 schema/type",
            "11:12 entity/link-url",
            "13:3 schema/required",
            "14:10 schema/type",
            "15:1 entity/foreign-root-field",
        ]
    );
    let msg = |rule: &str| {
        file.problems
            .iter()
            .find(|p| p.rule == rule)
            .unwrap()
            .message
            .clone()
    };
    assert_eq!(
        msg("schema/required"),
        "missing required field `spec.lifecycle`"
    );
    assert_eq!(
        msg("entity/foreign-root-field"),
        "unknown root field `status`"
    );
    assert_eq!(
        file.problems
            .iter()
            .filter(|p| p.rule == "schema/type")
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>(),
        vec![
            "`metadata.annotations.ok` must be a string, found a number (5)",
            "`spec.owner` must be a string, found a number (42)"
        ]
    );
    // Still an entity (kind + name known), shown by the site with its problems.
    assert_eq!(file.entities.len(), 1);
    assert!(!file.entities[0].valid);
    for p in &file.problems {
        assert_eq!(p.document, Some(0));
        assert_eq!(p.entity.as_deref(), Some("component:team_a/bad name!"));
    }
}

#[test]
fn unknown_kinds_and_api_versions() {
    let file = check(
        "apiVersion: backstage.io/v1alpha1\nkind: component\nmetadata: {name: a}\nspec: {}\n---\n\
         apiVersion: backstage.io/v2\nkind: Component\nmetadata: {name: b}\n---\n\
         apiVersion: acme.com/v1\nkind: Widget\nmetadata: {name: c}\n",
    );
    assert_eq!(
        found(&file),
        vec![
            "2:7 entity/unknown-kind",
            "6:13 entity/unknown-api-version",
            "11:7 entity/unknown-kind"
        ]
    );
    assert_eq!(
        file.problems[0].hint.as_deref(),
        Some("kinds are case-sensitive: did you mean `Component`?")
    );
    assert_eq!(
        file.problems.iter().map(|p| p.document).collect::<Vec<_>>(),
        vec![Some(0), Some(1), Some(2)]
    );
}

#[test]
fn not_a_mapping_and_empty_documents() {
    let file = check("---\n---\n- a\n- b\n---\njust text\n");
    assert_eq!(
        found(&file),
        vec!["3:1 entity/not-an-object", "6:1 entity/not-an-object"]
    );
    assert_eq!(file.problems[0].document, Some(1));
}

#[test]
fn parse_problems_belong_to_their_entity() {
    let file = check(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\n  name: team2\nspec:\n  type: team\n  children: []\n",
    );
    assert_eq!(found(&file), vec!["5:3 yaml/duplicate-key"]);
    assert_eq!(
        file.problems[0].entity.as_deref(),
        Some("group:default/team")
    );
    assert!(!file.entities[0].valid);
}

#[test]
fn template_v1beta3_is_a_known_kind() {
    let file = check(
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: t\nspec:\n  type: service\n  parameters:\n    - title: One\n      properties: {}\n  steps:\n    - id: fetch\n      action: fetch:template\n    - id: nope\n",
    );
    assert_eq!(found(&file), vec!["13:7 schema/required"]);
    assert_eq!(
        file.problems[0].message,
        "missing required field `spec.steps[1].action`"
    );
}

#[test]
fn placeholders_are_substituted_before_validation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("openapi.yaml"), "openapi: 3.0.0\n").unwrap();
    std::fs::write(dir.path().join("meta.json"), "{\"x\": [1, 2]}").unwrap();
    let file = check_in(
        dir.path(),
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: petstore\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n  extra:\n    $json: meta.json\n  schema:\n    $ref: '#/definitions/x'\n",
        &Config::default(),
    );
    assert_eq!(found(&file), Vec::<String>::new());
    let data = &file.entities[0].data;
    assert_eq!(data["spec"]["definition"], "openapi: 3.0.0\n");
    assert_eq!(data["spec"]["extra"]["x"][1], 2);
    // Unknown `$` keys are left alone (JSON Schema inside a spec).
    assert_eq!(data["spec"]["schema"]["$ref"], "#/definitions/x");
}

#[test]
fn placeholders_never_leave_the_repository() {
    let outer = tempfile::tempdir().unwrap();
    let repo = outer.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(outer.path().join("secret.txt"), "secret").unwrap();
    std::fs::create_dir(repo.join("defs")).unwrap();
    std::fs::write(repo.join("defs/api.yaml"), "openapi: 3.0.0\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(outer.path().join("secret.txt"), repo.join("link.txt")).unwrap();
        // A directory link out of the repository, and one that stays inside it.
        symlink(outer.path(), repo.join("out")).unwrap();
        symlink(repo.join("defs"), repo.join("alias")).unwrap();
    }
    let api = |def: &str| {
        format!("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: a\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: {def}\n")
    };
    for (target, why) in [
        ("../secret.txt", "leaves the repository"),
        ("/etc/passwd", "is an absolute path"),
        #[cfg(unix)]
        ("link.txt", "leads out of the repository through a symlink"),
        #[cfg(unix)]
        (
            "out/secret.txt",
            "leads out of the repository through a symlink",
        ),
        #[cfg(unix)]
        ("out/../../secret.txt", "leaves the repository"),
    ] {
        let file = check_in(&repo, &api(target), &Config::default());
        assert_eq!(
            found(&file),
            vec!["10:12 placeholder/outside-repo"],
            "{target}"
        );
        assert!(
            file.problems[0].message.contains(why),
            "{}",
            file.problems[0].message
        );
        // Never read: the placeholder is left as written.
        assert_eq!(file.entities[0].data["spec"]["definition"]["$text"], target);
    }
    // Through a link that stays inside the repository, the file is read.
    #[cfg(unix)]
    {
        let file = check_in(&repo, &api("alias/api.yaml"), &Config::default());
        assert_eq!(found(&file), Vec::<String>::new());
        assert_eq!(
            file.entities[0].data["spec"]["definition"],
            "openapi: 3.0.0\n"
        );
    }
    let file = check_in(&repo, &api("./missing.yaml"), &Config::default());
    assert_eq!(found(&file), vec!["10:12 placeholder/missing-file"]);
    // URLs are not fetched: a warning, and no schema error for the unknown content.
    let file = check_in(
        &repo,
        &api("https://example.com/openapi.yaml"),
        &Config::default(),
    );
    assert_eq!(found(&file), vec!["10:12 placeholder/url-not-fetched"]);
    assert_eq!(errors(&file).len(), 0);
    assert!(file.entities[0].valid);
}

#[test]
fn yaml_placeholder_needs_exactly_one_document() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("two.yaml"), "a: 1\n---\nb: 2\n").unwrap();
    let file = check_in(
        dir.path(),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  extra:\n    $yaml: two.yaml\n",
        &Config::default(),
    );
    assert_eq!(found(&file), vec!["10:12 placeholder/invalid-content"]);
    assert_eq!(
        file.problems[0].message,
        "placeholder $yaml expects exactly one YAML document in `two.yaml`, found 2"
    );
}

#[test]
fn user_schemas_apply_on_top_and_make_kinds_known() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("slug.schema.yaml"),
        "type: object\nrequired: [metadata]\nproperties:\n  metadata:\n    required: [annotations]\n    properties:\n      annotations:\n        required: [github.com/project-slug]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("widget.schema.json"),
        r#"{"properties": {"spec": {"required": ["size"]}}}"#,
    )
    .unwrap();
    let config = Config {
        root: dir.path().to_path_buf(),
        schemas: vec![
            portico::config::SchemaRule {
                path: "slug.schema.yaml".into(),
                kinds: vec!["component".into()],
                rule: Some("acme/project-slug".into()),
                severity: Some(portico::config::RuleLevel::Warning),
            },
            portico::config::SchemaRule {
                path: "widget.schema.json".into(),
                kinds: vec!["Widget".into()],
                rule: None,
                severity: None,
            },
        ],
        ..Config::default()
    };
    let text = format!(
        "{COMPONENT}---\napiVersion: acme.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  colour: red\n"
    );
    let file = check_in(dir.path(), &text, &config);
    assert_eq!(
        found(&file),
        vec!["11:5 acme/project-slug", "26:3 user-schema"]
    );
    assert_eq!(file.problems[0].severity, Severity::Warning);
    assert_eq!(
        file.problems[0].message,
        "missing required field `metadata.annotations[\"github.com/project-slug\"]`"
    );
    assert_eq!(file.problems[1].severity, Severity::Error);
    assert!(file.entities[0].valid, "warnings keep an entity valid");
    assert!(!file.entities[1].valid);
}

/// Not a test: prints one JSON line per document (`{"file", "index", "ok", "rules"}`) for
/// the files listed in `PORTICO_VERDICT_FILES` (newline-separated). The conformance script
/// uses it when the `portico validate` CLI is not available.
#[test]
#[ignore]
fn verdict_dump() {
    let Ok(list) = std::env::var("PORTICO_VERDICT_FILES") else {
        return;
    };
    let (validator, _) = Validator::new(&Config::default());
    for path in list.lines().filter(|l| !l.is_empty()) {
        let p = Path::new(path);
        let source = SourceFile {
            path: p.to_path_buf(),
            display: path.to_string(),
            repo: std::env::var("PORTICO_VERDICT_REPO")
                .map(Into::into)
                .unwrap_or_else(|_| p.parent().unwrap().to_path_buf()),
        };
        let parsed = portico::parse::parse_file(&source);
        let docs: Vec<usize> = parsed.docs.iter().map(|d| d.index).collect();
        let file = validator.validate(parsed);
        let mut indexes: std::collections::BTreeSet<Option<usize>> =
            docs.into_iter().map(Some).collect();
        indexes.extend(file.problems.iter().map(|p| p.document));
        for index in indexes {
            let errs: Vec<String> = file
                .problems
                .iter()
                .filter(|p| p.document == index && p.severity == Severity::Error)
                .map(|p| format!("{} {}", p.rule, p.message))
                .collect();
            println!(
                "{}",
                serde_json::json!({"file": path, "index": index.map_or(-1, |i| i as i64),
                    "ok": errs.is_empty(), "errors": errs})
            );
        }
    }
}

/// Not a test: prints, for each file in `PORTICO_PARSE_FILES`, the documents as JSON and the
/// parse problems, to compare the YAML reading with the `yaml` npm package's.
#[test]
#[ignore]
fn parse_dump() {
    let Ok(list) = std::env::var("PORTICO_PARSE_FILES") else {
        return;
    };
    for path in list.lines().filter(|l| !l.is_empty()) {
        let bytes = std::fs::read(path).unwrap();
        let (docs, problems) = portico::parse::parse_bytes(&bytes, path);
        let docs: Vec<_> = docs
            .iter()
            .map(|d| serde_json::json!({"index": d.index, "js": d.root.to_json()}))
            .collect();
        let problems: Vec<_> = problems
            .iter()
            .map(|p| serde_json::json!({"index": p.document, "rule": p.rule, "message": p.message}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"file": path, "docs": docs, "problems": problems})
        );
    }
}
