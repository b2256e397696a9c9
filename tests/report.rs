//! Report formats on a fixed problem list: golden outputs, escaping, the shapes CI systems
//! read (SARIF, GitLab Code Quality, JUnit parsed back), and the step summary.

use portico::diag::{Pos, Problem, Span, Summary};
use portico::report::{self, Format, ReportInput};
use pretty_assertions::assert_eq;
use serde_json::Value;

const BILLING: &str = "repos/billing/catalog-info.yaml";
const ODD: &str = "repos/odd, name: 100%/catalog-info.yaml";
const CLEAN: &str = "repos/clean/catalog-info.yaml";

const BILLING_SOURCE: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: billing
  description: Bills customers
spec:
  type: service
  lifecycle: production
  owner:
    - team-a
  system: payments
";

fn span(l1: u32, c1: u32, l2: u32, c2: u32) -> Span {
    Span::new(Pos::new(l1, c1), Pos::new(l2, c2))
}

/// Sorted as the pipeline sorts them.
fn problems() -> Vec<Problem> {
    let mut problems = vec![
        Problem::error(
            "schema/type",
            BILLING,
            span(10, 5, 10, 11),
            "spec.owner must be a string",
        )
        .in_document(0)
        .with_hint("write the owner as `group:team-a`")
        .with_entity("component:default/billing"),
        Problem::warning(
            "catalog/dangling-ref",
            BILLING,
            span(11, 11, 11, 19),
            "system:default/payments is not in the catalog",
        )
        .in_document(0)
        .with_entity("component:default/billing"),
        Problem::error(
            "yaml/syntax",
            ODD,
            span(3, 1, 3, 1),
            "did not find expected key\nwhile parsing a block mapping | 50% <done> & \"q\"",
        ),
    ];
    portico::diag::sort_problems(&mut problems);
    problems
}

fn files() -> Vec<String> {
    [BILLING, CLEAN, ODD].map(String::from).to_vec()
}

fn render(format: Format) -> String {
    let problems = problems();
    let files = files();
    let input = ReportInput {
        problems: &problems,
        summary: Summary::count(3, 2, &problems),
        files: &files,
        color: false,
    };
    let mut out = vec![];
    if format == Format::Human {
        report::write_with_sources(&mut out, &input, &mut |f| {
            (f == BILLING).then(|| BILLING_SOURCE.as_bytes().to_vec())
        })
        .unwrap();
    } else {
        report::write_with(&mut out, format, &input, &report::Environment::default()).unwrap();
    }
    String::from_utf8(out).unwrap()
}

const GOLDEN_HUMAN: &str = r###"error[schema/type]: spec.owner must be a string
  --> repos/billing/catalog-info.yaml:10:5
   |
10 |     - team-a
   |     ^^^^^^
   |
   = hint: write the owner as `group:team-a`

warning[catalog/dangling-ref]: system:default/payments is not in the catalog
  --> repos/billing/catalog-info.yaml:11:11
   |
11 |   system: payments
   |           ^^^^^^^^

error[yaml/syntax]: did not find expected key
while parsing a block mapping | 50% <done> & "q"
 --> repos/odd, name: 100%/catalog-info.yaml:3:1

2 errors, 1 warning in 3 files (2 entities)
"###;

const GOLDEN_JSON: &str = r###"{
  "problems": [
    {
      "file": "repos/billing/catalog-info.yaml",
      "document": 0,
      "line": 10,
      "column": 5,
      "end_line": 10,
      "end_column": 11,
      "severity": "error",
      "rule": "schema/type",
      "message": "spec.owner must be a string",
      "entity": "component:default/billing",
      "hint": "write the owner as `group:team-a`"
    },
    {
      "file": "repos/billing/catalog-info.yaml",
      "document": 0,
      "line": 11,
      "column": 11,
      "end_line": 11,
      "end_column": 19,
      "severity": "warning",
      "rule": "catalog/dangling-ref",
      "message": "system:default/payments is not in the catalog",
      "entity": "component:default/billing",
      "hint": null
    },
    {
      "file": "repos/odd, name: 100%/catalog-info.yaml",
      "document": null,
      "line": 3,
      "column": 1,
      "end_line": 3,
      "end_column": 1,
      "severity": "error",
      "rule": "yaml/syntax",
      "message": "did not find expected key\nwhile parsing a block mapping | 50% <done> & \"q\"",
      "entity": null,
      "hint": null
    }
  ],
  "summary": {
    "files": 3,
    "entities": 2,
    "errors": 2,
    "warnings": 1
  }
}
"###;

const GOLDEN_GITHUB: &str = r###"::error file=repos/billing/catalog-info.yaml,line=10,endLine=10,col=5,endColumn=11,title=schema/type::spec.owner must be a string%0Ahint: write the owner as `group:team-a`
::warning file=repos/billing/catalog-info.yaml,line=11,endLine=11,col=11,endColumn=19,title=catalog/dangling-ref::system:default/payments is not in the catalog
::error file=repos/odd%2C name%3A 100%25/catalog-info.yaml,line=3,endLine=3,col=1,endColumn=1,title=yaml/syntax::did not find expected key%0Awhile parsing a block mapping | 50%25 <done> & "q"
portico: 2 errors, 1 warning in 3 files (2 entities)
"###;

const GOLDEN_SARIF: &str = r###"{
  "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "portico",
          "version": "{VERSION}",
          "rules": [
            {
              "id": "catalog/dangling-ref",
              "shortDescription": {
                "text": "A reference to an entity that is not in the catalog"
              },
              "defaultConfiguration": {
                "level": "warning"
              }
            },
            {
              "id": "schema/type",
              "shortDescription": {
                "text": "A field has the wrong type"
              },
              "defaultConfiguration": {
                "level": "error"
              }
            },
            {
              "id": "yaml/syntax",
              "shortDescription": {
                "text": "YAML that does not parse"
              },
              "defaultConfiguration": {
                "level": "error"
              }
            }
          ]
        }
      },
      "columnKind": "unicodeCodePoints",
      "results": [
        {
          "ruleId": "schema/type",
          "ruleIndex": 1,
          "level": "error",
          "message": {
            "text": "spec.owner must be a string\nhint: write the owner as `group:team-a`"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "repos/billing/catalog-info.yaml",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 10,
                  "startColumn": 5,
                  "endLine": 10,
                  "endColumn": 11
                }
              }
            }
          ],
          "partialFingerprints": {
            "portico/v1": "a530cc947990f4e9400bf2740cd619751e3e74c58d02950e07809787b5e3ea3b"
          },
          "properties": {
            "entity": "component:default/billing",
            "document": 0
          }
        },
        {
          "ruleId": "catalog/dangling-ref",
          "ruleIndex": 0,
          "level": "warning",
          "message": {
            "text": "system:default/payments is not in the catalog"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "repos/billing/catalog-info.yaml",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 11,
                  "startColumn": 11,
                  "endLine": 11,
                  "endColumn": 19
                }
              }
            }
          ],
          "partialFingerprints": {
            "portico/v1": "a9293dad3607044e3888f6b7a3a212051e979bd8f6b35f55367fe4ef13e97020"
          },
          "properties": {
            "entity": "component:default/billing",
            "document": 0
          }
        },
        {
          "ruleId": "yaml/syntax",
          "ruleIndex": 2,
          "level": "error",
          "message": {
            "text": "did not find expected key\nwhile parsing a block mapping | 50% <done> & \"q\""
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "repos/odd%2C%20name%3A%20100%25/catalog-info.yaml",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 3,
                  "startColumn": 1,
                  "endLine": 3,
                  "endColumn": 1
                }
              }
            }
          ],
          "partialFingerprints": {
            "portico/v1": "0949b1212684f44cf606e1288b7cac42f8dbd51385bc4b525043edb1bf9b19c3"
          }
        }
      ]
    }
  ]
}
"###;

const GOLDEN_JUNIT: &str = r###"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="portico" tests="3" failures="2" errors="0" skipped="0">
  <testsuite name="portico validate" tests="3" failures="2" errors="0" skipped="0">
    <testcase name="repos/billing/catalog-info.yaml" classname="portico">
      <failure type="schema/type" message="10:5: spec.owner must be a string">repos/billing/catalog-info.yaml:10:5: error[schema/type]: spec.owner must be a string
  entity: component:default/billing
  hint: write the owner as `group:team-a`</failure>
      <system-out>repos/billing/catalog-info.yaml:11:11: warning[catalog/dangling-ref]: system:default/payments is not in the catalog
  entity: component:default/billing</system-out>
    </testcase>
    <testcase name="repos/clean/catalog-info.yaml" classname="portico"/>
    <testcase name="repos/odd, name: 100%/catalog-info.yaml" classname="portico">
      <failure type="yaml/syntax" message="3:1: did not find expected key&#10;while parsing a block mapping | 50% &lt;done&gt; &amp; &quot;q&quot;">repos/odd, name: 100%/catalog-info.yaml:3:1: error[yaml/syntax]: did not find expected key
while parsing a block mapping | 50% &lt;done&gt; &amp; &quot;q&quot;</failure>
    </testcase>
  </testsuite>
</testsuites>
"###;

const GOLDEN_GITLAB: &str = r###"[
  {
    "description": "spec.owner must be a string (hint: write the owner as `group:team-a`)",
    "check_name": "schema/type",
    "fingerprint": "a530cc947990f4e9400bf2740cd619751e3e74c58d02950e07809787b5e3ea3b",
    "severity": "major",
    "location": {
      "path": "repos/billing/catalog-info.yaml",
      "lines": {
        "begin": 10,
        "end": 10
      }
    }
  },
  {
    "description": "system:default/payments is not in the catalog",
    "check_name": "catalog/dangling-ref",
    "fingerprint": "a9293dad3607044e3888f6b7a3a212051e979bd8f6b35f55367fe4ef13e97020",
    "severity": "minor",
    "location": {
      "path": "repos/billing/catalog-info.yaml",
      "lines": {
        "begin": 11,
        "end": 11
      }
    }
  },
  {
    "description": "did not find expected key\nwhile parsing a block mapping | 50% <done> & \"q\"",
    "check_name": "yaml/syntax",
    "fingerprint": "0949b1212684f44cf606e1288b7cac42f8dbd51385bc4b525043edb1bf9b19c3",
    "severity": "major",
    "location": {
      "path": "repos/odd, name: 100%/catalog-info.yaml",
      "lines": {
        "begin": 3,
        "end": 3
      }
    }
  }
]
"###;

#[test]
fn golden_human() {
    assert_eq!(render(Format::Human), GOLDEN_HUMAN);
}

#[test]
fn golden_json() {
    assert_eq!(render(Format::Json), GOLDEN_JSON);
}

#[test]
fn golden_github() {
    assert_eq!(render(Format::Github), GOLDEN_GITHUB);
}

#[test]
fn golden_sarif() {
    assert_eq!(
        render(Format::Sarif),
        GOLDEN_SARIF.replace("{VERSION}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn golden_junit() {
    assert_eq!(render(Format::Junit), GOLDEN_JUNIT);
}

#[test]
fn golden_gitlab() {
    assert_eq!(render(Format::Gitlab), GOLDEN_GITLAB);
}

fn input_of<'a>(problems: &'a [Problem], files: &'a [String]) -> ReportInput<'a> {
    ReportInput {
        problems,
        summary: Summary::count(files.len(), 2, problems),
        files,
        color: false,
    }
}

fn render_problems(format: Format, problems: &[Problem]) -> String {
    let files = files();
    let mut out = vec![];
    report::write_with(
        &mut out,
        format,
        &input_of(problems, &files),
        &report::Environment::default(),
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn json_follows_the_contract() {
    let v: Value = serde_json::from_str(&render(Format::Json)).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["problems", "summary"]);
    assert_eq!(
        v["summary"],
        serde_json::json!({"files": 3, "entities": 2, "errors": 2, "warnings": 1})
    );
    for p in v["problems"].as_array().unwrap() {
        let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "file",
                "document",
                "line",
                "column",
                "end_line",
                "end_column",
                "severity",
                "rule",
                "message",
                "entity",
                "hint"
            ]
        );
        assert!(["error", "warning"].contains(&p["severity"].as_str().unwrap()));
    }
    // Messages survive byte for byte, newlines and quotes included.
    assert_eq!(v["problems"][2]["message"], problems()[2].message.as_str());
}

#[test]
fn empty_reports_are_valid_documents() {
    let json: Value = serde_json::from_str(&render_problems(Format::Json, &[])).unwrap();
    assert_eq!(json["problems"], serde_json::json!([]));
    let gitlab: Value = serde_json::from_str(&render_problems(Format::Gitlab, &[])).unwrap();
    assert_eq!(gitlab, serde_json::json!([]));
    let sarif: Value = serde_json::from_str(&render_problems(Format::Sarif, &[])).unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"],
        serde_json::json!([])
    );
    let junit = render_problems(Format::Junit, &[]);
    assert_eq!(parse_junit(&junit).len(), 3);
    assert_eq!(
        render_problems(Format::Github, &[]),
        "portico: no problems in 3 files (2 entities)\n"
    );
}

#[test]
fn sarif_shape() {
    let v: Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"]
        .as_str()
        .unwrap()
        .contains("sarif-schema-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "portico");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rules sorted by id");
    for r in rules {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(["error", "warning"].contains(&r["level"].as_str().unwrap()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.contains(' ') && !uri.contains(',') && !uri.starts_with('/'),
            "{uri}"
        );
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().unwrap() >= 1, "{k}");
        }
    }
}

#[test]
fn sarif_names_rules_outside_the_table() {
    let problems = [Problem::error(
        "acme/needs-slug",
        "a.yaml",
        span(1, 1, 1, 2),
        "missing github.com/project-slug",
    )];
    let v: Value = serde_json::from_str(&render_problems(Format::Sarif, &problems)).unwrap();
    let rule = &v["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "acme/needs-slug");
    assert_eq!(rule["shortDescription"]["text"], "acme/needs-slug");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
}

#[test]
fn gitlab_shape_and_stable_fingerprints() {
    let v: Value = serde_json::from_str(&render(Format::Gitlab)).unwrap();
    let issues = v.as_array().unwrap();
    assert_eq!(issues.len(), 3);
    for i in issues {
        assert!(i["description"].is_string());
        assert!(i["check_name"].is_string());
        let fp = i["fingerprint"].as_str().unwrap();
        assert!(fp.len() == 64 && fp.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(["major", "minor"].contains(&i["severity"].as_str().unwrap()));
        assert!(i["location"]["path"].is_string());
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    // Lines added above the problems move them but keep their fingerprints.
    let moved: Vec<Problem> = problems()
        .into_iter()
        .map(|mut p| {
            p.span.start.line += 7;
            p.span.end.line += 7;
            p
        })
        .collect();
    let w: Value = serde_json::from_str(&render_problems(Format::Gitlab, &moved)).unwrap();
    for (a, b) in issues.iter().zip(w.as_array().unwrap()) {
        assert_eq!(a["fingerprint"], b["fingerprint"]);
        assert_ne!(
            a["location"]["lines"]["begin"],
            b["location"]["lines"]["begin"]
        );
    }
}

/// A parsed testcase: name, failures (message attribute, text), system-out.
type Case = (String, Vec<(String, String)>, String);

/// Parses JUnit XML with quick-xml; returns, per testcase, its name, its failures
/// (message attribute, text) and its system-out text.
fn parse_junit(xml: &str) -> Vec<Case> {
    use quick_xml::events::Event;
    use quick_xml::XmlVersion::Implicit1_0;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases = vec![];
    let mut suites = 0;
    let mut failure: Option<String> = None;
    let mut text = String::new();
    let attr = |e: &quick_xml::events::BytesStart, name: &str| -> String {
        e.try_get_attribute(name)
            .unwrap()
            .unwrap()
            .normalized_value(Implicit1_0)
            .unwrap()
            .into_owned()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "testcase" => {
                cases.push((attr(&e, "name"), vec![], String::new()));
            }
            Event::Start(e) if e.name().as_ref() == "testsuite" => suites += 1,
            Event::Start(e) if e.name().as_ref() == "failure" => {
                failure = Some(attr(&e, "message"));
                text.clear();
            }
            Event::Start(e) if e.name().as_ref() == "system-out" => text.clear(),
            Event::Text(t) => text.push_str(&t.xml_content(Implicit1_0)),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .unwrap_or_else(|| panic!("unknown entity {}", &*r))
                        .to_string(),
                };
                text.push_str(&c);
            }
            Event::End(e) if e.name().as_ref() == "failure" => {
                let message = failure.take().unwrap();
                cases.last_mut().unwrap().1.push((message, text.clone()));
            }
            Event::End(e) if e.name().as_ref() == "system-out" => {
                cases.last_mut().unwrap().2 = text.clone();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites, 1);
    cases
}

#[test]
fn junit_is_well_formed_and_round_trips() {
    let cases = parse_junit(&render(Format::Junit));
    let names: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, [BILLING, CLEAN, ODD]);
    // billing: one error as a failure, the warning in system-out.
    assert_eq!(cases[0].1.len(), 1);
    assert_eq!(cases[0].1[0].0, "10:5: spec.owner must be a string");
    assert!(cases[0].2.contains("warning[catalog/dangling-ref]"));
    // clean passes.
    assert!(cases[1].1.is_empty());
    // Markup characters and newlines survive the round trip.
    assert_eq!(
        cases[2].1[0].0,
        "3:1: did not find expected key\nwhile parsing a block mapping | 50% <done> & \"q\""
    );
    assert!(cases[2].1[0].1.ends_with("50% <done> & \"q\""));
}

#[test]
fn junit_lists_files_with_problems_outside_the_checked_list() {
    let problems = [Problem::error(
        "config/invalid",
        "portico.yaml",
        span(2, 1, 2, 5),
        "unknown field `rulez`",
    )];
    let cases = parse_junit(&render_problems(Format::Junit, &problems));
    let names: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["portico.yaml", BILLING, CLEAN, ODD]);
    assert_eq!(cases[0].1.len(), 1);
}

#[test]
fn github_step_summary_is_appended_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.md");
    std::fs::write(&path, "earlier step output\n").unwrap();
    let env = report::Environment {
        step_summary: Some(path.clone()),
        blob_base: Some("https://github.com/acme/org/blob/0123abc/".into()),
    };
    let problems = problems();
    let files = files();
    let mut out = vec![];
    report::write_with(&mut out, Format::Github, &input_of(&problems, &files), &env).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), GOLDEN_GITHUB);
    let summary = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        summary,
        r###"earlier step output

### ❌ portico: 2 errors, 1 warning in 3 files (2 entities)

| Severity | Location | Rule | Message |
| --- | --- | --- | --- |
| **error** | [repos/billing/catalog-info.yaml:10:5](https://github.com/acme/org/blob/0123abc/repos/billing/catalog-info.yaml#L10) | schema/type | spec.owner must be a string<br>entity: component:default/billing<br>hint: write the owner as \`group:team-a\` |
| warning | [repos/billing/catalog-info.yaml:11:11](https://github.com/acme/org/blob/0123abc/repos/billing/catalog-info.yaml#L11) | catalog/dangling-ref | system:default/payments is not in the catalog<br>entity: component:default/billing |
| **error** | [repos/odd, name: 100%/catalog-info.yaml:3:1](https://github.com/acme/org/blob/0123abc/repos/odd,%20name:%20100%25/catalog-info.yaml#L3) | yaml/syntax | did not find expected key<br>while parsing a block mapping \| 50% &lt;done&gt; &amp; "q" |

"###
    );
    // A second report in the same step appends again.
    report::write_with(&mut vec![], Format::Github, &input_of(&[], &files), &env).unwrap();
    let again = std::fs::read_to_string(&path).unwrap();
    assert!(again.starts_with(&summary));
    assert!(
        again.ends_with("\n\n### ✅ portico: no problems in 3 files (2 entities)\n\n"),
        "{again:?}"
    );
}

#[test]
fn github_step_summary_that_cannot_be_written_does_not_fail_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let env = report::Environment {
        step_summary: Some(dir.path().join("missing-dir/summary.md")),
        blob_base: None,
    };
    let problems = problems();
    let files = files();
    let mut out = vec![];
    report::write_with(&mut out, Format::Github, &input_of(&problems, &files), &env).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), GOLDEN_GITHUB);
}

#[test]
fn output_is_deterministic() {
    for f in [
        Format::Human,
        Format::Json,
        Format::Github,
        Format::Sarif,
        Format::Junit,
        Format::Gitlab,
    ] {
        assert_eq!(render(f), render(f), "{f:?}");
    }
}

/// Every rule id written in the code (a string literal `"area/name"` whose area is one the
/// table uses, outside test modules) is in `rules::ALL`: the README, SARIF's rule list and
/// `portico.yaml` overrides all rely on that table.
#[test]
fn rule_ids_in_the_code_are_in_the_rules_table() {
    use std::collections::BTreeSet;
    let areas: BTreeSet<&str> = portico::rules::ALL
        .iter()
        .filter_map(|r| r.id.split_once('/').map(|(area, _)| area))
        .collect();
    let literal = regex::Regex::new(r#""([a-z]+)/([a-z][a-z0-9-]*)""#).unwrap();
    let mut missing = vec![];
    let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy();
            if !name.ends_with(".rs") || name == "rules.rs" || name == "tests.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Test modules come last in a file and may use made-up ids.
            let code = text.split("#[cfg(test)]").next().unwrap();
            for c in literal.captures_iter(code) {
                let id = &c[0][1..c[0].len() - 1];
                if areas.contains(&c[1]) {
                    seen += 1;
                    if portico::rules::get(id).is_none() {
                        missing.push(format!("{id} ({})", path.display()));
                    }
                }
            }
        }
    }
    assert!(
        seen > 10,
        "the scan found only {seen} rule ids: is src/ there?"
    );
    assert!(
        missing.is_empty(),
        "rule ids missing from src/rules.rs: {missing:#?}"
    );
}
