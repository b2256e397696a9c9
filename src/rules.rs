//! Every rule id a `Problem` can carry, with its default severity and a one-line description:
//! the single list that the README's rule table, SARIF's `tool.driver.rules`, and severity
//! overrides in `portico.yaml` are checked against.
//!
//! A stage that reports a new rule id adds it here (a test fails for ids used in the code but
//! missing from this table). Ids are `area/name`, lower-case, stable: users write them in
//! `portico.yaml` and CI systems key annotations on them.

use crate::diag::Severity;

/// One rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// What the rule checks, one sentence without a final full stop.
    pub description: &'static str,
}

const fn rule(id: &'static str, severity: Severity, description: &'static str) -> Rule {
    Rule {
        id,
        severity,
        description,
    }
}

use Severity::{Error, Warning};

/// All rules, sorted by id.
pub const ALL: &[Rule] = &[
    rule(
        "catalog/dangling-ref",
        Warning,
        "A reference to an entity that is not in the catalog",
    ),
    rule(
        "catalog/duplicate-entity",
        Error,
        "Two documents define the same entity (kind, namespace and name)",
    ),
    rule("catalog/invalid-ref", Error, "A malformed entity reference"),
    rule(
        "config/invalid",
        Error,
        "portico.yaml is malformed or names a file that cannot be used",
    ),
    rule(
        "docs/broken-link",
        Warning,
        "A link or #anchor in docs that names no page, file or heading",
    ),
    rule(
        "docs/missing-docs-dir",
        Warning,
        "mkdocs.yml names a docs_dir that does not exist",
    ),
    rule(
        "docs/mkdocs-inherit",
        Error,
        "An INHERIT in mkdocs.yml that names no file or nests too deep",
    ),
    rule(
        "docs/mkdocs-invalid",
        Error,
        "mkdocs.yml is not a mapping of settings",
    ),
    rule(
        "docs/nav",
        Warning,
        "A nav entry in mkdocs.yml that names no page or is malformed",
    ),
    rule(
        "docs/snippet-loop",
        Warning,
        "A snippet (--8<--) that includes itself",
    ),
    rule(
        "docs/snippet-missing",
        Warning,
        "A snippet (--8<--) whose file does not exist",
    ),
    rule(
        "docs/snippet-outside",
        Warning,
        "A snippet (--8<--) outside the repository, never read",
    ),
    rule(
        "docs/template",
        Error,
        "The docs templates of the theme cannot be loaded",
    ),
    rule(
        "docs/write",
        Error,
        "A docs page or file that cannot be written",
    ),
    rule(
        "entity/envelope",
        Error,
        "apiVersion, kind, metadata and spec, and no other root fields",
    ),
    rule(
        "entity/metadata",
        Error,
        "Metadata formats: name, namespace, tags, labels, annotation keys, links",
    ),
    rule(
        "entity/schema",
        Error,
        "The entity does not match its kind's JSON Schema",
    ),
    rule(
        "entity/unknown-kind",
        Error,
        "A kind with no schema (core kinds and configured schemas only)",
    ),
    rule(
        "file/unreadable",
        Error,
        "A file that cannot be read, is not UTF-8, or is binary",
    ),
    rule(
        "io/not-a-file",
        Error,
        "A catalog path that is a FIFO, socket or device (never read)",
    ),
    rule(
        "io/symlink-loop",
        Warning,
        "A symbolic link that leads back to itself or an ancestor directory",
    ),
    rule(
        "io/unreadable",
        Error,
        "A file or directory that cannot be read",
    ),
    rule(
        "location/missing-target",
        Warning,
        "A Location target that does not exist or matches no file",
    ),
    rule(
        "location/outside-repo",
        Error,
        "A Location target that leaves the repository of its file",
    ),
    rule(
        "placeholder/invalid",
        Error,
        "A $text, $json or $yaml placeholder that cannot be resolved or leaves the repository",
    ),
    rule(
        "techdocs/missing-mkdocs",
        Warning,
        "A backstage.io/techdocs-ref dir: without mkdocs.yml",
    ),
    rule(
        "user-schema",
        Error,
        "A schema from portico.yaml is not satisfied",
    ),
    rule(
        "yaml/duplicate-key",
        Error,
        "The same key twice in one mapping",
    ),
    rule(
        "yaml/limit",
        Error,
        "Aliases that expand too far or nesting that is too deep",
    ),
    rule("yaml/syntax", Error, "YAML that does not parse"),
];

/// The rule with this id.
pub fn get(id: &str) -> Option<&'static Rule> {
    ALL.binary_search_by(|r| r.id.cmp(id)).ok().map(|i| &ALL[i])
}

/// The description of a rule, or the id itself for a rule not in the table (a configured
/// user schema may name its own rule id).
pub fn description(id: &str) -> &str {
    get(id).map_or(id, |r| r.description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
        }
    }

    #[test]
    fn ids_are_lowercase_and_descriptions_have_no_full_stop() {
        for r in ALL {
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '/' || c == '-'),
                "{}",
                r.id
            );
            assert!(!r.description.ends_with('.'), "{}", r.id);
            assert!(!r.description.is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn lookup() {
        assert_eq!(get("yaml/syntax").unwrap().severity, Severity::Error);
        assert_eq!(
            description("catalog/dangling-ref"),
            "A reference to an entity that is not in the catalog"
        );
        assert_eq!(description("acme/custom"), "acme/custom");
    }
}
