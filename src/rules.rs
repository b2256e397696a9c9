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
    rule(
        "catalog/invalid-ref",
        Error,
        "A malformed entity reference",
    ),
    rule(
        "config/invalid",
        Error,
        "portico.yaml is malformed or names a file that cannot be used (a user schema that does not compile)",
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
        "docs/mkdocs-include",
        Error,
        "A nav `!include` / `*include` (the monorepo plugin) that names no usable mkdocs.yml",
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
        "entity/annotation-key-format",
        Error,
        "An annotation key is not `[prefix/]name`",
    ),
    rule(
        "entity/api-version-format",
        Error,
        "apiVersion is not `[group/]version`",
    ),
    rule(
        "entity/foreign-root-field",
        Error,
        "A root field other than apiVersion, kind, metadata and spec",
    ),
    rule(
        "entity/kind-format",
        Error,
        "kind is not a letter followed by letters and digits",
    ),
    rule(
        "entity/label-key-format",
        Error,
        "A label key is not `[prefix/]name`",
    ),
    rule(
        "entity/label-value-format",
        Error,
        "A label value is not empty or a name",
    ),
    rule(
        "entity/link-icon",
        Error,
        "A link icon is blank",
    ),
    rule(
        "entity/link-title",
        Error,
        "A link title is blank",
    ),
    rule(
        "entity/link-url",
        Error,
        "A link url is not an absolute URL",
    ),
    rule(
        "entity/name-format",
        Error,
        "metadata.name is not [a-zA-Z0-9] runs separated by - _ . (at most 63 characters)",
    ),
    rule(
        "entity/namespace-format",
        Error,
        "metadata.namespace is not a DNS label",
    ),
    rule(
        "entity/not-an-object",
        Error,
        "A YAML document that is not a mapping",
    ),
    rule(
        "entity/tag-format",
        Error,
        "A tag is not [a-z0-9:+#] runs separated by - (at most 63 characters)",
    ),
    rule(
        "entity/unknown-api-version",
        Error,
        "An apiVersion Backstage does not accept for the kind",
    ),
    rule(
        "entity/unknown-kind",
        Error,
        "A kind with no schema (core kinds, Template, and configured schemas only)",
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
        "io/outside-repo",
        Error,
        "A catalog file or directory reached through a symbolic link that leaves the scanned directory (never read)",
    ),
    rule(
        "io/symlink-loop",
        Warning,
        "A symbolic link that leads back to itself or an ancestor directory",
    ),
    rule(
        "io/too-large",
        Error,
        "A file over the size limit, not read",
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
        "A $text, $json or $yaml placeholder whose value is not a path",
    ),
    rule(
        "placeholder/invalid-content",
        Error,
        "A $json or $yaml placeholder file that does not parse",
    ),
    rule(
        "placeholder/missing-file",
        Error,
        "A placeholder naming a file that cannot be read",
    ),
    rule(
        "placeholder/outside-repo",
        Error,
        "A placeholder naming a file outside the repository (absolute, .. or symlink); not read",
    ),
    rule(
        "placeholder/url-not-fetched",
        Warning,
        "A placeholder naming a URL, which portico does not fetch",
    ),
    rule(
        "schema/additional-properties",
        Error,
        "A field the schema does not allow",
    ),
    rule(
        "schema/const",
        Error,
        "A field does not have its only allowed value",
    ),
    rule(
        "schema/enum",
        Error,
        "A field is not one of its allowed values",
    ),
    rule(
        "schema/min-length",
        Error,
        "A field that must not be empty is empty",
    ),
    rule(
        "schema/one-of",
        Error,
        "A field matches none of its allowed forms",
    ),
    rule(
        "schema/required",
        Error,
        "A required field is missing",
    ),
    rule(
        "schema/type",
        Error,
        "A field has the wrong type",
    ),
    rule(
        "scorecard/facts",
        Error,
        "A facts file that is not JSON keyed by entity reference",
    ),
    rule(
        "scorecard/invalid",
        Error,
        "A scorecard that cannot be used: unknown level, duplicate id, bad regex or date",
    ),
    rule(
        "scorecard/schema",
        Error,
        "A scorecard file does not match schemas/scorecard.schema.json",
    ),
    rule(
        "scorecard/waiver-unknown",
        Warning,
        "A scorecard waiver for an entity or check that does not exist",
    ),
    rule(
        "scorecard/waivers",
        Error,
        "The waivers file does not match schemas/waivers.schema.json",
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
        "yaml/alias-budget",
        Error,
        "Aliases that expand too far (a billion-laughs file)",
    ),
    rule(
        "yaml/depth",
        Error,
        "Nesting deeper than portico reads",
    ),
    rule(
        "yaml/duplicate-key",
        Error,
        "The same key twice in one mapping",
    ),
    rule(
        "yaml/encoding",
        Error,
        "A file that is not UTF-8 text (invalid UTF-8 or binary)",
    ),
    rule(
        "yaml/syntax",
        Error,
        "YAML that does not parse",
    ),
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

#[cfg(test)]
mod readme {
    /// The README's rule table is what users read to write `rules:` overrides: it must name
    /// every rule (regenerate the table when adding one).
    #[test]
    fn readme_lists_every_rule() {
        let readme = include_str!("../README.md");
        for rule in super::ALL {
            assert!(
                readme.contains(&format!("| `{}` |", rule.id)),
                "README's rule table lacks {}",
                rule.id
            );
        }
    }
}
