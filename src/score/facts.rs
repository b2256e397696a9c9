//! Facts produced by other CI steps (coverage, vulnerabilities, DORA figures): JSON files
//! `facts/<source>.json`, each an object keyed by entity ref:
//!
//! ```json
//! { "component:default/payments-api": { "lines": 83.4, "branches": 71 } }
//! ```
//!
//! A rule names a fact as `<source>.<path>`: `coverage.lines` is `lines` in the entry of
//! the entity in `coverage.json`.

use super::scorecard::FieldPath;
use crate::diag::{Problem, Span};
use crate::model::EntityRef;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// entity key → source (file stem) → the entity's entry.
    by_entity: HashMap<String, BTreeMap<String, Json>>,
    /// Sources that exist (a fact from an unknown source is an error, not a miss).
    sources: BTreeMap<String, String>,
}

impl Facts {
    /// Adds one facts file. `source` is its stem; `file` is how it is shown.
    pub fn add_text(&mut self, source: &str, file: &str, text: &str) -> Vec<Problem> {
        let json: Json = match serde_json::from_str(text) {
            Ok(j) => j,
            Err(e) => {
                return vec![Problem::error(
                    "scorecard/facts",
                    file,
                    Span::point(e.line().max(1) as u32, e.column().max(1) as u32),
                    format!("facts file is not valid JSON: {e}"),
                )]
            }
        };
        let Json::Object(map) = json else {
            return vec![Problem::error(
                "scorecard/facts",
                file,
                Span::file_start(),
                "a facts file is a JSON object keyed by entity reference",
            )];
        };
        self.sources.insert(source.to_string(), file.to_string());
        let mut problems = vec![];
        for (key, value) in map {
            if key.starts_with('$') {
                // `$schema`, `$comment`: metadata of the file.
                continue;
            }
            match EntityRef::parse(&key, Some("component"), "default") {
                Some(r) => {
                    self.by_entity
                        .entry(r.key())
                        .or_default()
                        .insert(source.to_string(), value);
                }
                None => problems.push(
                    Problem::warning(
                        "scorecard/facts",
                        file,
                        locate_key(text, &key),
                        format!("`{key}` is not an entity reference"),
                    )
                    .with_hint("keys look like component:default/payments-api"),
                ),
            }
        }
        problems
    }

    /// Loads a facts file from disk.
    pub fn add_file(&mut self, path: &Path, file: &str) -> Vec<Problem> {
        let source = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read_to_string(path) {
            Ok(text) => self.add_text(&source, file, &text),
            Err(e) => vec![Problem::error(
                "scorecard/facts",
                file,
                Span::file_start(),
                format!("cannot read facts file: {e}"),
            )],
        }
    }

    /// The value of fact `name` (`source.path`) for an entity. `Err` when no facts file
    /// provides that source at all.
    pub fn get(&self, entity: &EntityRef, name: &str) -> Result<Option<&Json>, String> {
        let (source, path) = match name.split_once('.') {
            Some((s, p)) => (s, Some(p)),
            None => (name, None),
        };
        if !self.sources.contains_key(source) {
            return Err(format!(
                "no facts file provides `{source}` (expected {source}.json among the facts files)"
            ));
        }
        let Some(entry) = self
            .by_entity
            .get(&entity.key())
            .and_then(|m| m.get(source))
        else {
            return Ok(None);
        };
        match path {
            None => Ok(Some(entry)),
            Some(p) => {
                let fp = FieldPath::parse(p)?;
                Ok(fp.get(entry))
            }
        }
    }

    /// Entity keys that have facts (for warnings about unknown entities).
    pub fn entity_keys(&self) -> impl Iterator<Item = (&String, &BTreeMap<String, Json>)> {
        self.by_entity.iter()
    }

    pub fn source_file(&self, source: &str) -> Option<&str> {
        self.sources.get(source).map(String::as_str)
    }
}

/// The position of `"key"` in JSON text (first occurrence), for locating problems.
fn locate_key(text: &str, key: &str) -> Span {
    let needle = format!("\"{key}\"");
    match text.find(&needle) {
        Some(at) => {
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
                .chars()
                .count()
                + 1;
            Span::point(line as u32, col as u32)
        }
        None => Span::file_start(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_found_by_entity_and_path() {
        let mut f = Facts::default();
        let p = f.add_text(
            "coverage",
            "facts/coverage.json",
            r#"{"component:default/a": {"lines": 81.5}, "b": {"lines": 12}}"#,
        );
        assert!(p.is_empty());
        let a = EntityRef::new("Component", "default", "a");
        let b = EntityRef::new("Component", "default", "b");
        let c = EntityRef::new("Component", "default", "c");
        assert_eq!(
            f.get(&a, "coverage.lines").unwrap(),
            Some(&Json::from(81.5))
        );
        assert_eq!(f.get(&b, "coverage.lines").unwrap(), Some(&Json::from(12)));
        assert_eq!(f.get(&c, "coverage.lines").unwrap(), None);
        assert!(f
            .get(&a, "vulns.critical")
            .unwrap_err()
            .contains("vulns.json"));
    }

    #[test]
    fn bad_json_is_located() {
        let mut f = Facts::default();
        let p = f.add_text("x", "facts/x.json", "{\n  \"a\": 1,\n  oops\n}");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].span.start.line, 3);
        assert_eq!(p[0].rule, "scorecard/facts");
    }

    #[test]
    fn bad_keys_are_warnings_at_the_key() {
        let mut f = Facts::default();
        let p = f.add_text("x", "facts/x.json", "{\n  \"component:\": 1\n}");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].span.start, crate::diag::Pos::new(2, 3));
    }
}
