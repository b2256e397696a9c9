//! The JSON Schemas portico ships (embedded in the binary, compiled once) and users' schemas
//! from `portico.yaml`, and the translation of schema errors into located problems.

use crate::diag::Problem;
use crate::parse::Node;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value as Json;
use std::path::Path;

const BASE: &str = "https://portico.dev/schemas/";

/// Every built-in schema: path under `schemas/` and its text.
pub const BUILTIN_SCHEMAS: &[(&str, &str)] = &[
    (
        "entity.schema.json",
        include_str!("../../schemas/entity.schema.json"),
    ),
    (
        "entity-meta.schema.json",
        include_str!("../../schemas/entity-meta.schema.json"),
    ),
    (
        "kinds/api.v1alpha1.schema.json",
        include_str!("../../schemas/kinds/api.v1alpha1.schema.json"),
    ),
    (
        "kinds/component.v1alpha1.schema.json",
        include_str!("../../schemas/kinds/component.v1alpha1.schema.json"),
    ),
    (
        "kinds/domain.v1alpha1.schema.json",
        include_str!("../../schemas/kinds/domain.v1alpha1.schema.json"),
    ),
    (
        "kinds/group.v1alpha1.schema.json",
        include_str!("../../schemas/kinds/group.v1alpha1.schema.json"),
    ),
    (
        "kinds/location.v1alpha1.schema.json",
        include_str!("../../schemas/kinds/location.v1alpha1.schema.json"),
    ),
    (
        "kinds/resource.v1alpha1.schema.json",
        include_str!("../../schemas/kinds/resource.v1alpha1.schema.json"),
    ),
    (
        "kinds/system.v1alpha1.schema.json",
        include_str!("../../schemas/kinds/system.v1alpha1.schema.json"),
    ),
    (
        "kinds/user.v1alpha1.schema.json",
        include_str!("../../schemas/kinds/user.v1alpha1.schema.json"),
    ),
    (
        "kinds/template.v1beta3.schema.json",
        include_str!("../../schemas/kinds/template.v1beta3.schema.json"),
    ),
];

fn builtin(path: &str) -> Option<Json> {
    BUILTIN_SCHEMAS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| serde_json::from_str(text).expect("built-in schemas are valid JSON"))
}

/// Serves the built-in schemas by their `$id` and local files (for users' schemas that
/// reference each other); never the network.
struct Retriever;

impl jsonschema::Retrieve for Retriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Json, Box<dyn std::error::Error + Send + Sync>> {
        let s = uri.as_str();
        if let Some(path) = s.strip_prefix(BASE) {
            return builtin(path).ok_or_else(|| format!("no built-in schema {s}").into());
        }
        if let Some(path) = s.strip_prefix("file://") {
            let path = percent_encoding::percent_decode_str(path).decode_utf8()?;
            return read_schema_file(Path::new(path.as_ref())).map_err(Into::into);
        }
        Err(format!("portico does not fetch schemas over the network ({s})").into())
    }
}

fn options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_retriever(Retriever)
}

pub fn compile_builtin(path: &str) -> jsonschema::Validator {
    let schema = builtin(path).expect("known built-in schema");
    options()
        .build(&schema)
        .unwrap_or_else(|e| panic!("built-in schema {path} compiles: {e}"))
}

/// A schema file as JSON: `.json` as JSON, anything else as YAML.
fn read_schema_file(path: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    if path.extension().is_some_and(|e| e == "json") {
        return serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"));
    }
    let (docs, problems) = crate::parse::parse_str(&text, "");
    if let Some(p) = problems.first() {
        return Err(format!(
            "not valid YAML at {}:{}: {}",
            p.span.start.line, p.span.start.column, p.message
        ));
    }
    docs.into_iter()
        .next()
        .map(|d| d.root.to_json())
        .ok_or_else(|| "empty file".to_string())
}

/// A user schema, relative to the config's directory. Problems are reported at the schema
/// file (rule `config/schema`).
pub fn compile_user(root: &Path, rel: &str) -> Result<jsonschema::Validator, Box<Problem>> {
    let path = root.join(rel);
    let display = path.to_string_lossy().replace('\\', "/");
    let fail = |msg: String| {
        Box::new(Problem::error("config/invalid", display.clone(), crate::diag::Span::file_start(), msg)
            .with_hint("schemas: in portico.yaml lists JSON Schema files (JSON or YAML), relative to portico.yaml"))
    };
    let schema = read_schema_file(&path).map_err(|e| fail(format!("schema {rel}: {e}")))?;
    let base = std::path::absolute(&path)
        .map(|p| format!("file://{}", p.to_string_lossy().replace('\\', "/")))
        .unwrap_or_default();
    // Draft 7 unless the schema says otherwise with `$schema`.
    let opts = if schema.get("$schema").is_none() {
        options()
    } else {
        jsonschema::options().with_retriever(Retriever)
    };
    opts.with_base_uri(base)
        .build(&schema)
        .map_err(|e| fail(format!("schema {rel} is not a valid JSON Schema: {e}")))
}

/// A JSON pointer as a field path for messages: `spec.providesApis[0]`,
/// `metadata.annotations["backstage.io/techdocs-ref"]`.
pub fn field_path(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let seg = crate::parse::unescape_pointer_segment(raw);
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else if !seg.is_empty()
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$')
        {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        } else {
            out.push_str(&format!("[{:?}]", seg));
        }
    }
    if out.is_empty() {
        "the entity".into()
    } else {
        out
    }
}

fn join(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", crate::parse::escape_pointer_segment(key))
}

fn type_name(t: &str) -> &str {
    match t {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        "null" => "null",
        other => other,
    }
}

/// Every error of `schema` on `json`, each as (instance pointer, located problem).
pub fn errors(
    schema: &jsonschema::Validator,
    json: &Json,
    root: &Node,
    file: &str,
) -> Vec<(String, Problem)> {
    let mut out = Vec::new();
    if schema.is_valid(json) {
        return out; // the common case, without collecting errors
    }
    for error in schema.iter_errors(json) {
        let pointer = error.instance_path().as_str().to_string();
        let field = field_path(&pointer);
        let found = super::describe(error.instance());
        let (rule, span, message, hint): (&str, _, String, Option<String>) = match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let missing = field_path(&join(&pointer, name));
                (
                    "schema/required",
                    super::span_at(root, &pointer, false),
                    format!("missing required field `{missing}`"),
                    Some(format!(
                        "add `{name}:` under {}",
                        if pointer.is_empty() {
                            "the document root".to_string()
                        } else {
                            format!("`{field}`")
                        }
                    )),
                )
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    TypeKind::Single(t) => type_name(&t.to_string()).to_string(),
                    TypeKind::Multiple(set) => set
                        .iter()
                        .map(|t| type_name(&t.to_string()).to_string())
                        .collect::<Vec<_>>()
                        .join(" or "),
                };
                let hint = match (expected.as_str(), error.instance().as_ref()) {
                    ("a string", Json::Number(_) | Json::Bool(_) | Json::Null) => {
                        Some("quote the value to make it a string".to_string())
                    }
                    ("a list", Json::String(_)) => {
                        Some("write a list: `[item]` or one `- item` per line".to_string())
                    }
                    _ => None,
                };
                (
                    "schema/type",
                    super::span_at(root, &pointer, false),
                    format!("`{field}` must be {expected}, found {found}"),
                    hint,
                )
            }
            ValidationErrorKind::MinLength { .. } => (
                "schema/min-length",
                super::span_at(root, &pointer, false),
                format!("`{field}` must not be empty"),
                Some("give it a value or leave the field out".into()),
            ),
            ValidationErrorKind::Enum { options } => {
                let list: Vec<String> = options
                    .as_array()
                    .map(|a| a.iter().map(|o| o.to_string()).collect())
                    .unwrap_or_default();
                (
                    "schema/enum",
                    super::span_at(root, &pointer, false),
                    format!(
                        "`{field}` must be one of {}, found {found}",
                        list.join(", ")
                    ),
                    None,
                )
            }
            ValidationErrorKind::Constant { expected_value } => (
                "schema/const",
                super::span_at(root, &pointer, false),
                format!("`{field}` must be {expected_value}, found {found}"),
                None,
            ),
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let p = join(&pointer, key);
                    out.push((
                        p.clone(),
                        Problem::error(
                            "schema/additional-properties",
                            file,
                            super::span_at(root, &p, true),
                            format!("unknown field `{}`", field_path(&p)),
                        ),
                    ));
                }
                continue;
            }
            ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => (
                "schema/one-of",
                super::span_at(root, &pointer, false),
                format!("`{field}` does not match any of the allowed forms, found {found}"),
                None,
            ),
            other => {
                let keyword = other.keyword();
                let mut rule = String::from("schema/");
                for c in keyword.chars() {
                    if c.is_ascii_uppercase() {
                        rule.push('-');
                        rule.push(c.to_ascii_lowercase());
                    } else {
                        rule.push(c);
                    }
                }
                let mut p = Problem::error(
                    rule,
                    file,
                    super::span_at(root, &pointer, false),
                    format!("`{field}`: {error}"),
                );
                p.hint = None;
                out.push((pointer, p));
                continue;
            }
        };
        let mut p = Problem::error(rule, file, span, message);
        p.hint = hint;
        out.push((pointer, p));
    }
    out
}
