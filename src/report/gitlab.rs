//! GitLab Code Quality: a JSON array of
//! `{description, check_name, fingerprint, severity, location: {path, lines: {begin, end}}}`.
//! Errors are `major`, warnings `minor`.
//!
//! The fingerprint is what GitLab uses to tell a new problem from one it has seen on the
//! target branch, so it leaves out the line: sha256 over the file, rule, entity and message.
//! When the same problem occurs more than once in a file, the second and later occurrences
//! also hash their ordinal, keeping every fingerprint unique.

use super::{ci_path, ReportInput};
use crate::diag::{Problem, Severity};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{self, Write};

/// The fingerprint of the `occurrence`-th (0-based) problem with this file, rule, entity and
/// message, as lower-case hex.
pub fn fingerprint(p: &Problem, occurrence: usize) -> String {
    let mut h = Sha256::new();
    for part in [
        ci_path(&p.file).as_str(),
        p.rule.as_str(),
        p.entity.as_deref().unwrap_or(""),
        p.message.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    if occurrence > 0 {
        h.update(occurrence.to_string().as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Fingerprints of all problems, in order.
pub(super) fn fingerprints(problems: &[Problem]) -> Vec<String> {
    let mut seen: HashMap<(String, &str, Option<&str>, &str), usize> = HashMap::new();
    problems
        .iter()
        .map(|p| {
            let key = (
                ci_path(&p.file),
                p.rule.as_str(),
                p.entity.as_deref(),
                p.message.as_str(),
            );
            let n = seen.entry(key).or_insert(0);
            let print = fingerprint(p, *n);
            *n += 1;
            print
        })
        .collect()
}

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> io::Result<()> {
    let issues: Vec<Value> = input
        .problems
        .iter()
        .zip(fingerprints(input.problems))
        .map(|(p, print)| {
            let mut description = p.message.clone();
            if let Some(hint) = &p.hint {
                description.push_str(&format!(" (hint: {hint})"));
            }
            let start = p.span.start.line.max(1);
            json!({
                "description": description,
                "check_name": p.rule,
                "fingerprint": print,
                "severity": match p.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                "location": {
                    "path": ci_path(&p.file),
                    "lines": { "begin": start, "end": p.span.end.line.max(start) },
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;

    #[test]
    fn fingerprint_ignores_position_and_hint_but_not_the_rest() {
        let a = Problem::error("entity/schema", "a.yaml", Span::point(3, 1), "m");
        let moved =
            Problem::error("entity/schema", "./a.yaml", Span::point(30, 7), "m").with_hint("h");
        assert_eq!(fingerprint(&a, 0), fingerprint(&moved, 0));
        assert_eq!(fingerprint(&a, 0).len(), 64);
        let other_entity = a.clone().with_entity("component:default/x");
        let other_message = Problem::error("entity/schema", "a.yaml", Span::point(3, 1), "n");
        let other_rule = Problem::error("entity/other", "a.yaml", Span::point(3, 1), "m");
        let other_file = Problem::error("entity/schema", "b.yaml", Span::point(3, 1), "m");
        let prints: std::collections::HashSet<String> =
            [&a, &other_entity, &other_message, &other_rule, &other_file]
                .iter()
                .map(|p| fingerprint(p, 0))
                .collect();
        assert_eq!(prints.len(), 5);
    }

    #[test]
    fn repeated_problems_get_distinct_fingerprints() {
        let p = Problem::error("yaml/duplicate-key", "a.yaml", Span::point(1, 1), "dup");
        let mut q = p.clone();
        q.span = Span::point(9, 1);
        let prints = fingerprints(&[p.clone(), q]);
        assert_ne!(prints[0], prints[1]);
        assert_eq!(prints[0], fingerprint(&p, 0));
    }
}
