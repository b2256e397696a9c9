//! The inputs of scoring besides the catalog: locating scorecard, waiver and fact files
//! from `portico.yaml`, and checking YAML documents against portico's JSON Schemas with
//! every violation located at file:line:col.

use crate::config::Config;
use crate::diag::{Problem, Span};
use crate::parse::Node;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A compiled schema that turns violations into located problems.
pub struct SchemaChecker {
    validator: jsonschema::Validator,
    rule: &'static str,
    /// Every property name the schema knows, for "did you mean" hints.
    known: Vec<String>,
}

impl SchemaChecker {
    /// Compiles one of portico's own schemas (a bug in it is a bug in portico: panics in tests).
    pub fn new(schema_text: &str, rule: &'static str) -> Self {
        let schema: Json = serde_json::from_str(schema_text).expect("built-in schema is JSON");
        let validator = jsonschema::options()
            .build(&schema)
            .expect("built-in schema compiles");
        let mut known = BTreeSet::new();
        collect_properties(&schema, &mut known);
        SchemaChecker {
            validator,
            rule,
            known: known.into_iter().collect(),
        }
    }

    /// Every violation of `json` (the value of `root`), located in `file`.
    pub fn check(&self, json: &Json, root: &Node, file: &str, what: &str) -> Vec<Problem> {
        let mut out = vec![];
        for error in self.validator.iter_errors(json) {
            let pointer = error.instance_path().as_str().to_string();
            let node = root.at_pointer(&pointer).unwrap_or(root);
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for key in unexpected {
                        let escaped = crate::parse::escape_pointer_segment(key);
                        let span = root
                            .key_at_pointer(&format!("{pointer}/{escaped}"))
                            .map_or(node.span, |k| k.span);
                        let mut p = Problem::error(
                            self.rule,
                            file,
                            span,
                            format!("unknown field `{key}` in {what}"),
                        );
                        if let Some(s) = self.suggest(key) {
                            p = p.with_hint(format!("did you mean `{s}`?"));
                        }
                        out.push(p);
                    }
                }
                ValidationErrorKind::OneOfNotValid { .. }
                | ValidationErrorKind::OneOfMultipleValid { .. }
                    if is_rule(json, &pointer) =>
                {
                    let keys: Vec<String> = node
                        .as_map()
                        .unwrap_or(&[])
                        .iter()
                        .map(|(k, _)| k.key_string())
                        .filter(|k| super::scorecard::rule_types().contains(&k.as_str()))
                        .collect();
                    let msg = if keys.is_empty() {
                        "a rule needs a type".to_string()
                    } else {
                        format!(
                            "a rule has exactly one type, this one has {}: {}",
                            keys.len(),
                            keys.join(", ")
                        )
                    };
                    out.push(
                        Problem::error(self.rule, file, node.span, msg).with_hint(format!(
                            "rule types: {}",
                            super::scorecard::rule_types().join(", ")
                        )),
                    );
                }
                ValidationErrorKind::OneOfNotValid { context } => {
                    // Report the branch that got furthest: the one whose errors are deepest
                    // (a mapping with a typo, rather than "is not a string").
                    let best = context.iter().max_by_key(|errs| {
                        errs.iter()
                            .map(|e| e.instance_path().as_str().len())
                            .max()
                            .unwrap_or(0)
                            + usize::from(
                                !errs
                                    .iter()
                                    .any(|e| matches!(e.kind(), ValidationErrorKind::Type { .. })),
                            )
                    });
                    let mut any = false;
                    for e in best.into_iter().flatten() {
                        let ptr = e.instance_path().as_str();
                        let n = root.at_pointer(ptr).unwrap_or(root);
                        if let ValidationErrorKind::AdditionalProperties { unexpected } = e.kind() {
                            for key in unexpected {
                                let span = root
                                    .key_at_pointer(&format!("{ptr}/{key}"))
                                    .map_or(n.span, |k| k.span);
                                out.push(Problem::error(
                                    self.rule,
                                    file,
                                    span,
                                    format!("unknown field `{key}` in {what}"),
                                ));
                            }
                        } else {
                            out.push(Problem::error(
                                self.rule,
                                file,
                                n.span,
                                clean_message(&e.to_string()),
                            ));
                        }
                        any = true;
                    }
                    if !any {
                        out.push(Problem::error(
                            self.rule,
                            file,
                            node.span,
                            clean_message(&error.to_string()),
                        ));
                    }
                }
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    out.push(Problem::error(
                        self.rule,
                        file,
                        node.span,
                        format!("missing required field `{name}` in {what}"),
                    ));
                }
                _ => out.push(Problem::error(
                    self.rule,
                    file,
                    node.span,
                    format!(
                        "{}{}",
                        if pointer.is_empty() {
                            String::new()
                        } else {
                            format!("{}: ", pointer_to_path(&pointer))
                        },
                        clean_message(&error.to_string())
                    ),
                )),
            }
        }
        out
    }

    fn suggest(&self, key: &str) -> Option<&str> {
        self.known
            .iter()
            .map(|k| (strsim(key, k), k))
            .filter(|(d, k)| *d <= 2.max(k.len() / 4))
            .min()
            .map(|(_, k)| k.as_str())
    }
}

/// `/checks/0/rule` → `checks[0].rule`, as users think of their YAML.
pub fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&crate::parse::unescape_pointer_segment(seg));
        }
    }
    out
}

fn clean_message(msg: &str) -> String {
    msg.replace('"', "`")
}

/// Whether the object at `pointer` sits where a rule goes.
fn is_rule(root: &Json, pointer: &str) -> bool {
    if !root.pointer(pointer).is_some_and(Json::is_object) {
        return false;
    }
    let segs: Vec<&str> = pointer.split('/').collect();
    match segs.as_slice() {
        [.., "rule"] | [.., "where"] | [.., "not"] => true,
        [.., "all" | "any", i] => i.parse::<usize>().is_ok(),
        _ => false,
    }
}

fn collect_properties(schema: &Json, out: &mut BTreeSet<String>) {
    match schema {
        Json::Object(m) => {
            if let Some(Json::Object(props)) = m.get("properties") {
                out.extend(props.keys().cloned());
            }
            for v in m.values() {
                collect_properties(v, out);
            }
        }
        Json::Array(a) => a.iter().for_each(|v| collect_properties(v, out)),
        _ => {}
    }
}

/// Levenshtein distance (small strings only: field names).
fn strsim(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A located problem with the scorecard rule id family.
pub fn located(file: &str, span: Span, msg: &str) -> Problem {
    Problem::error("scorecard/invalid", file, span, msg)
}

/// How a path under the config root is shown: `root/rel` without a leading `./`.
pub fn display(root: &Path, rel: &Path) -> String {
    let joined = root.join(rel);
    let s = joined.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    s
}

/// Files under `config.root` matching `globs` (or `defaults` when none are configured),
/// sorted. Only the literal directory prefix of each glob is walked.
pub fn find(config: &Config, globs: &[String], defaults: &[&str]) -> Vec<(PathBuf, String)> {
    let patterns: Vec<String> = if globs.is_empty() {
        defaults.iter().map(|s| s.to_string()).collect()
    } else {
        globs.to_vec()
    };
    let mut found = BTreeSet::new();
    for pattern in &patterns {
        let pattern = pattern.trim_start_matches("./");
        let literal: Vec<&str> = pattern
            .split('/')
            .take_while(|s| !s.contains(['*', '?', '[', '{']))
            .collect();
        if literal.len() == pattern.split('/').count() {
            // No glob characters: a plain file.
            let rel = PathBuf::from(pattern);
            if config.root.join(&rel).is_file() {
                found.insert(rel);
            }
            continue;
        }
        let Ok(glob) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
        else {
            continue;
        };
        let matcher = glob.compile_matcher();
        let base = config.root.join(literal.join("/"));
        if !base.is_dir() {
            continue;
        }
        for entry in ignore::WalkBuilder::new(&base)
            .hidden(false)
            .require_git(false)
            .build()
            .flatten()
        {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            if let Ok(rel) = entry.path().strip_prefix(&config.root) {
                let rel_s = rel.to_string_lossy().replace('\\', "/");
                if matcher.is_match(&rel_s) {
                    found.insert(rel.to_path_buf());
                }
            }
        }
    }
    found
        .into_iter()
        .map(|rel| {
            let shown = display(&config.root, &rel);
            (config.root.join(rel), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_paths_read_like_yaml() {
        assert_eq!(
            pointer_to_path("/checks/3/rule/all/0"),
            "checks[3].rule.all[0]"
        );
        assert_eq!(pointer_to_path(""), "");
    }

    #[test]
    fn suggestions_find_close_names() {
        let c = SchemaChecker::new(super::super::scorecard::SCHEMA, "scorecard/schema");
        assert_eq!(c.suggest("anotation"), Some("annotation"));
        assert_eq!(c.suggest("remediaton"), Some("remediation"));
        assert_eq!(c.suggest("zzzzzzzzzz"), None);
    }

    #[test]
    fn rules_are_recognised_by_place() {
        let j = serde_json::json!({"checks": [{"rule": {"all": [{"x": 1}]}}]});
        assert!(is_rule(&j, "/checks/0/rule"));
        assert!(is_rule(&j, "/checks/0/rule/all/0"));
        assert!(!is_rule(&j, "/checks/0"));
    }
}
