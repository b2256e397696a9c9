//! SARIF 2.1.0, the format GitHub code scanning and most static-analysis viewers read.
//!
//! One run; `tool.driver.rules` lists the rules that occur (sorted by id, with the description
//! and default level from `rules::ALL`), each result points at its rule by id and index.
//! Paths are relative URIs against `%SRCROOT%` (absolute inputs become `file://` URIs);
//! columns count Unicode code points (`columnKind`), the end column is just after the span.
//! No timestamps or absolute paths: same problems, same bytes.

use super::{ci_path, gitlab::fingerprints, ReportInput};
use crate::diag::{Problem, Severity};
use crate::rules;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Characters kept as they are in a URI path: RFC 3986 unreserved, `/`, and sub-delims that
/// are safe in a path.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@')
    .remove(b'+')
    .remove(b'=');

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The artifact location of a problem's file.
fn artifact(file: &str) -> Value {
    let path = ci_path(file);
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", utf8_percent_encode(&path, URI_PATH)) })
    } else {
        json!({ "uri": utf8_percent_encode(&path, URI_PATH).to_string(), "uriBaseId": "%SRCROOT%" })
    }
}

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> io::Result<()> {
    let repository = option_env!("CARGO_PKG_REPOSITORY").filter(|s| !s.is_empty());
    // The rules that occur, by id; the severity of the first occurrence stands in for the
    // default of a rule that is not in the table (a user schema's own rule id).
    let mut used: BTreeMap<&str, Severity> = BTreeMap::new();
    for p in input.problems {
        used.entry(&p.rule).or_insert(p.severity);
    }
    let index: BTreeMap<&str, usize> = used.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rule_list: Vec<Value> = used
        .iter()
        .map(|(id, seen)| {
            let known = rules::get(id);
            let mut r = Map::new();
            r.insert("id".into(), json!(id));
            r.insert(
                "shortDescription".into(),
                json!({ "text": rules::description(id) }),
            );
            if let Some(repo) = repository {
                r.insert("helpUri".into(), json!(format!("{repo}#rules")));
            }
            r.insert(
                "defaultConfiguration".into(),
                json!({ "level": level(known.map_or(*seen, |k| k.severity)) }),
            );
            Value::Object(r)
        })
        .collect();
    let prints = fingerprints(input.problems);
    let results: Vec<Value> = input
        .problems
        .iter()
        .zip(prints)
        .map(|(p, print)| result(p, index[p.rule.as_str()], &print))
        .collect();
    let mut driver = Map::new();
    driver.insert("name".into(), json!("portico"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    if let Some(repo) = repository {
        driver.insert("informationUri".into(), json!(repo));
    }
    driver.insert("rules".into(), Value::Array(rule_list));
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn result(p: &Problem, rule_index: usize, fingerprint: &str) -> Value {
    let start = p.span.start;
    let end = p.span.end.max(start);
    let mut text = p.message.clone();
    if let Some(hint) = &p.hint {
        text.push_str("\nhint: ");
        text.push_str(hint);
    }
    let mut r = json!({
        "ruleId": p.rule,
        "ruleIndex": rule_index,
        "level": level(p.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact(&p.file),
                "region": {
                    "startLine": start.line.max(1),
                    "startColumn": start.column.max(1),
                    "endLine": end.line.max(1),
                    "endColumn": end.column.max(1),
                },
            },
        }],
        "partialFingerprints": { "portico/v1": fingerprint },
    });
    let mut props = Map::new();
    if let Some(e) = &p.entity {
        props.insert("entity".into(), json!(e));
    }
    if let Some(d) = p.document {
        props.insert("document".into(), json!(d));
    }
    if !props.is_empty() {
        r["properties"] = Value::Object(props);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            artifact("./a b/c#d%.yaml"),
            json!({"uri": "a%20b/c%23d%25.yaml", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact("/srv/x y.yaml"),
            json!({"uri": "file:///srv/x%20y.yaml"})
        );
        assert_eq!(
            artifact("dir/é.yaml"),
            json!({"uri": "dir/%C3%A9.yaml", "uriBaseId": "%SRCROOT%"})
        );
    }
}
