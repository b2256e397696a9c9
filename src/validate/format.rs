//! The format checks JSON Schema cannot express, with the rules of Backstage's
//! `FieldFormatEntityPolicy` (`KubernetesValidatorFunctions`, `CommonValidatorFunctions`,
//! `makeValidator`). Each check runs only on values of the right JSON type: a wrong type is
//! already a schema error, and reporting it twice would be noise.

use serde_json::Value as Json;

/// `[a-z0-9]` runs separated by `-` (several allowed), 1..=63 characters (RFC 1123 label).
pub fn is_dns_label(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.split('-').filter(|p| !p.is_empty()).all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Dot-separated DNS labels, 1..=253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    (1..=253).contains(&s.len()) && s.split('.').all(is_dns_label)
}

/// Entity names, label keys' names, label values: `[a-zA-Z0-9]` runs separated by any of
/// `-_.`, 1..=63 characters (`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`).
pub fn is_object_name(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=63).contains(&s.len())
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `<suffix>` or `<prefix>/<suffix>`, each part checked; more than one `/` is invalid.
fn prefix_and_or_suffix(s: &str, prefix: fn(&str) -> bool, suffix: fn(&str) -> bool) -> bool {
    match s.split_once('/') {
        None => suffix(s),
        Some((p, n)) => !n.contains('/') && prefix(p) && suffix(n),
    }
}

pub fn is_api_version(s: &str) -> bool {
    prefix_and_or_suffix(s, is_dns_subdomain, |n| {
        (1..=63).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// `^[a-zA-Z][a-z0-9A-Z]*$`, at most 63 characters.
pub fn is_kind(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.as_bytes()[0].is_ascii_alphabetic()
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Label and annotation keys: `[prefix/]name`, prefix a DNS subdomain.
pub fn is_qualified_key(s: &str) -> bool {
    prefix_and_or_suffix(s, is_dns_subdomain, is_object_name)
}

pub fn is_label_value(s: &str) -> bool {
    s.is_empty() || is_object_name(s)
}

/// `^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$`, at most 63 characters.
pub fn is_tag(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b":+#".contains(&b))
        })
}

/// What JavaScript's `new URL(value)` accepts: an absolute URL (WHATWG parsing).
pub fn is_url(s: &str) -> bool {
    url::Url::parse(s).is_ok()
}

/// `isNonEmptyString`: not only white space (JavaScript's `trim`).
pub fn is_non_empty(s: &str) -> bool {
    !s.trim_matches(is_js_whitespace).is_empty()
}

fn is_js_whitespace(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// One failed format check: JSON pointer of the offending node, whether the problem is the
/// key (label/annotation keys) rather than the value, rule id, message and hint.
#[derive(Debug, Clone, PartialEq)]
pub struct FormatError {
    pub pointer: String,
    pub at_key: bool,
    pub rule: &'static str,
    pub message: String,
    pub hint: String,
}

pub const NAME_HINT: &str = "a name is [a-zA-Z0-9] runs separated by any of - _ . (at most 63 characters), e.g. `my-service_2.0`";
pub const NAMESPACE_HINT: &str =
    "a namespace is [a-z0-9] runs separated by - (at most 63 characters), e.g. `team-a`";
pub const KEY_HINT: &str = "a key is `name` or `prefix/name`: the prefix a DNS name like `example.com`, the name [a-zA-Z0-9] runs separated by - _ . (at most 63 characters)";
pub const TAG_HINT: &str = "a tag is [a-z0-9:+#] runs separated by - (at most 63 characters), e.g. `java`, `c++`, `team:payments`";

/// A close valid spelling: runs of characters a name cannot hold become one `-`, and the
/// ends are trimmed to a letter or digit.
fn suggest_name(s: &str) -> String {
    if !s.is_ascii() {
        return String::new();
    }
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '+' | '#') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    out.chars().take(63).collect()
}

/// The hint, followed by "did you mean" when the suggestion is valid.
fn with_suggestion(hint: &str, suggestion: String, valid: fn(&str) -> bool) -> String {
    // Dropping letters (`café` → `caf`) would be a poor guess: only ASCII input is fixed up.
    if suggestion.is_ascii() && valid(&suggestion) {
        format!("did you mean `{suggestion}`? {hint}")
    } else {
        hint.to_string()
    }
}

/// Runs every format check of `FieldFormatEntityPolicy` on an entity (after placeholder
/// substitution), returning every failure, not only the first.
pub fn check(entity: &Json) -> Vec<FormatError> {
    let mut out = Vec::new();
    let mut push = |pointer: String, at_key: bool, rule, message: String, hint: &str| {
        out.push(FormatError {
            pointer,
            at_key,
            rule,
            message,
            hint: hint.to_string(),
        })
    };
    if let Some(v) = entity.get("apiVersion").and_then(Json::as_str) {
        if !v.is_empty() && !is_api_version(v) {
            push(
                "/apiVersion".into(),
                false,
                "entity/api-version-format",
                format!("apiVersion `{v}` is not valid"),
                "an apiVersion is `group/version` or `version`, e.g. `backstage.io/v1alpha1`",
            );
        }
    }
    if let Some(v) = entity.get("kind").and_then(Json::as_str) {
        if !v.is_empty() && !is_kind(v) {
            push(
                "/kind".into(),
                false,
                "entity/kind-format",
                format!("kind `{v}` is not valid"),
                "a kind is a letter followed by letters and digits (at most 63 characters), e.g. `Component`",
            );
        }
    }
    let Some(meta) = entity.get("metadata").and_then(Json::as_object) else {
        return out;
    };
    if let Some(v) = meta.get("name").and_then(Json::as_str) {
        if !v.is_empty() && !is_object_name(v) {
            push(
                "/metadata/name".into(),
                false,
                "entity/name-format",
                format!("metadata.name `{v}` is not a valid entity name"),
                &with_suggestion(NAME_HINT, suggest_name(v), is_object_name),
            );
        }
    }
    if let Some(v) = meta.get("namespace").and_then(Json::as_str) {
        if !v.is_empty() && !is_dns_label(v) {
            push(
                "/metadata/namespace".into(),
                false,
                "entity/namespace-format",
                format!("metadata.namespace `{v}` is not a valid namespace"),
                &with_suggestion(
                    NAMESPACE_HINT,
                    suggest_name(&v.to_lowercase()).replace(['_', '.'], "-"),
                    is_dns_label,
                ),
            );
        }
    }
    for (field, value_rule) in [("labels", true), ("annotations", false)] {
        let Some(map) = meta.get(field).and_then(Json::as_object) else {
            continue;
        };
        for (k, v) in map {
            let pointer = || {
                format!(
                    "/metadata/{field}/{}",
                    crate::parse::escape_pointer_segment(k)
                )
            };
            if !is_qualified_key(k) {
                let rule = if value_rule {
                    "entity/label-key-format"
                } else {
                    "entity/annotation-key-format"
                };
                let what = if value_rule { "label" } else { "annotation" };
                push(
                    pointer(),
                    true,
                    rule,
                    format!("{what} key `{k}` is not valid"),
                    KEY_HINT,
                );
            }
            if value_rule {
                if let Some(s) = v.as_str() {
                    if !is_label_value(s) {
                        push(
                            pointer(),
                            false,
                            "entity/label-value-format",
                            format!("label value `{s}` of `{k}` is not valid"),
                            "a label value is empty or [a-zA-Z0-9] runs separated by any of - _ . (at most 63 characters); use an annotation for free text",
                        );
                    }
                }
            }
        }
    }
    if let Some(tags) = meta.get("tags").and_then(Json::as_array) {
        for (i, t) in tags.iter().enumerate() {
            if let Some(s) = t.as_str() {
                if !s.is_empty() && !is_tag(s) {
                    push(
                        format!("/metadata/tags/{i}"),
                        false,
                        "entity/tag-format",
                        format!("tag `{s}` is not valid"),
                        &with_suggestion(
                            TAG_HINT,
                            suggest_name(&s.to_lowercase()).replace(['_', '.'], "-"),
                            is_tag,
                        ),
                    );
                }
            }
        }
    }
    if let Some(links) = meta.get("links").and_then(Json::as_array) {
        for (i, link) in links.iter().enumerate() {
            let Some(link) = link.as_object() else {
                continue;
            };
            if let Some(url) = link.get("url").and_then(Json::as_str) {
                if !url.is_empty() && !is_url(url) {
                    push(
                        format!("/metadata/links/{i}/url"),
                        false,
                        "entity/link-url",
                        format!("link url `{url}` is not an absolute URL"),
                        "write the full URL with its scheme, e.g. `https://example.com/dashboard`",
                    );
                }
            }
            for field in ["title", "icon"] {
                if let Some(s) = link.get(field).and_then(Json::as_str) {
                    if !s.is_empty() && !is_non_empty(s) {
                        push(
                            format!("/metadata/links/{i}/{field}"),
                            false,
                            if field == "title" {
                                "entity/link-title"
                            } else {
                                "entity/link-icon"
                            },
                            format!("link {field} is blank"),
                            "write some text or leave the field out",
                        );
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names() {
        for ok in ["a", "A-b_c.d", "x1", &"a".repeat(63), "9"] {
            assert!(is_object_name(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a b",
            "a/b",
            "é",
            &"a".repeat(64),
            "a_",
            ".a",
        ] {
            assert!(!is_object_name(bad), "{bad}");
        }
    }

    #[test]
    fn namespaces_and_subdomains() {
        assert!(is_dns_label("team-a") && is_dns_label("a--b") && is_dns_label("0"));
        assert!(!is_dns_label("Team") && !is_dns_label("a_b") && !is_dns_label("-a"));
        assert!(!is_dns_label("a-") && !is_dns_label("") && !is_dns_label(&"a".repeat(64)));
        assert!(is_dns_subdomain("backstage.io") && !is_dns_subdomain("a..b"));
    }

    #[test]
    fn keys_api_versions_kinds_tags() {
        assert!(is_qualified_key("backstage.io/techdocs-ref"));
        assert!(is_qualified_key("jira"));
        assert!(!is_qualified_key("a/b/c"));
        assert!(!is_qualified_key("Example.com/x"));
        assert!(!is_qualified_key("/x"));
        assert!(is_api_version("backstage.io/v1alpha1") && is_api_version("v1"));
        assert!(!is_api_version("backstage.io/v1-alpha") && !is_api_version("a/b/c"));
        assert!(is_kind("Component") && is_kind("x1") && !is_kind("1x") && !is_kind("My-Kind"));
        for ok in ["java", "c++", "c#", "team:payments", "a-b-c"] {
            assert!(is_tag(ok), "{ok}");
        }
        for bad in ["Java", "a--b", "-a", "a b", "a_b", &"a".repeat(64)] {
            assert!(!is_tag(bad), "{bad}");
        }
    }

    #[test]
    fn urls_like_javascript_new_url() {
        assert!(is_url("https://example.com") && is_url("mailto:a@b.c") && is_url("slack:x"));
        assert!(!is_url("example.com") && !is_url("/relative") && !is_url("http://"));
    }

    #[test]
    fn suggestions() {
        let hint = |e: serde_json::Value| check(&e).remove(0).hint;
        let meta = |m| json!({"metadata": m});
        assert!(
            hint(meta(json!({"name": "payments api"}))).starts_with("did you mean `payments-api`?")
        );
        assert!(hint(meta(json!({"name": "x", "namespace": "Team_A"})))
            .starts_with("did you mean `team-a`?"));
        assert!(
            hint(meta(json!({"name": "x", "tags": ["Java"]}))).starts_with("did you mean `java`?")
        );
        assert_eq!(hint(meta(json!({"name": "---"}))), NAME_HINT);
        assert_eq!(hint(meta(json!({"name": "café"}))), NAME_HINT);
    }

    #[test]
    fn every_failure_is_reported_at_its_pointer() {
        let e = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "bad name", "namespace": "Bad", "tags": ["ok", "Bad"],
              "labels": {"a/b/c": "x y"}, "annotations": {"-x": "v"},
              "links": [{"url": "nope", "title": "  "}]}});
        let got: Vec<_> = check(&e)
            .into_iter()
            .map(|f| (f.pointer, f.at_key, f.rule))
            .collect();
        assert_eq!(
            got,
            vec![
                ("/metadata/name".into(), false, "entity/name-format"),
                (
                    "/metadata/namespace".into(),
                    false,
                    "entity/namespace-format"
                ),
                (
                    "/metadata/labels/a~1b~1c".into(),
                    true,
                    "entity/label-key-format"
                ),
                (
                    "/metadata/labels/a~1b~1c".into(),
                    false,
                    "entity/label-value-format"
                ),
                (
                    "/metadata/annotations/-x".into(),
                    true,
                    "entity/annotation-key-format"
                ),
                ("/metadata/tags/1".into(), false, "entity/tag-format"),
                ("/metadata/links/0/url".into(), false, "entity/link-url"),
                ("/metadata/links/0/title".into(), false, "entity/link-title"),
            ]
        );
    }
}
