//! API entities: the definition made readable. OpenAPI as operations with parameters, request
//! bodies and responses; AsyncAPI (2.x and 3.x) as channels with their operations and message
//! payloads; GraphQL, gRPC and anything else as highlighted source (syntect). The raw
//! definition is written beside the page so it can be downloaded.

use super::markdown;
use crate::model::Entity;
use serde::Serialize;
use serde_json::Value as Json;
use std::io;
use std::path::Path;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
/// Schemas nest at most this deep on a page (deeper levels show their type only).
const MAX_DEPTH: usize = 6;
/// Definitions larger than this are offered for download but not highlighted.
const MAX_HIGHLIGHT_BYTES: usize = 512 * 1024;

#[derive(Debug, Serialize, Default)]
pub struct ApiView {
    #[serde(rename = "type")]
    pub api_type: String,
    /// File name of the raw definition, beside the page.
    pub download: Option<String>,
    pub title: Option<String>,
    pub version: Option<String>,
    pub description_html: Option<String>,
    pub servers: Vec<String>,
    pub operations: Vec<Operation>,
    pub channels: Vec<Channel>,
    /// `components.schemas` (OpenAPI) or `components.schemas`/`messages` (AsyncAPI).
    pub schemas: Vec<SchemaNode>,
    /// Highlighted source (HTML), for every type.
    pub source_html: Option<String>,
    /// Why the definition could not be read as its type, when it could not.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub id: String,
    pub summary: Option<String>,
    pub description_html: Option<String>,
    pub operation_id: Option<String>,
    pub deprecated: bool,
    pub tags: Vec<String>,
    pub parameters: Vec<Param>,
    pub request: Vec<Media>,
    pub responses: Vec<Response>,
}

#[derive(Debug, Serialize)]
pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub description: Option<String>,
    pub schema: Option<SchemaNode>,
}

#[derive(Debug, Serialize)]
pub struct Media {
    pub content_type: String,
    pub schema: Option<SchemaNode>,
}

#[derive(Debug, Serialize)]
pub struct Response {
    pub status: String,
    pub description: Option<String>,
    pub content: Vec<Media>,
}

#[derive(Debug, Serialize)]
pub struct Channel {
    pub name: String,
    pub id: String,
    pub description_html: Option<String>,
    pub parameters: Vec<Param>,
    pub operations: Vec<ChannelOp>,
}

#[derive(Debug, Serialize)]
pub struct ChannelOp {
    /// publish / subscribe (2.x), send / receive (3.x).
    pub action: String,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub messages: Vec<Message>,
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub summary: Option<String>,
    pub payload: Option<SchemaNode>,
}

/// A schema as a tree of named properties, `$ref`s resolved (cycles cut).
#[derive(Debug, Serialize, Clone)]
pub struct SchemaNode {
    pub name: Option<String>,
    /// `string (uuid)`, `array of Pet`, `object`, `one of`...
    #[serde(rename = "type")]
    pub type_label: String,
    pub required: bool,
    pub description: Option<String>,
    #[serde(rename = "enum")]
    pub enum_values: Vec<String>,
    pub children: Vec<SchemaNode>,
}

/// Builds the view of an API entity and writes its raw definition into `out/dir`.
pub fn view(e: &Entity, out: &Path, dir: &str) -> io::Result<ApiView> {
    let api_type = e.spec_str("type").unwrap_or("").to_string();
    let Some(text) = e.spec_str("definition") else {
        return Ok(ApiView {
            api_type,
            error: Some("This API has no definition.".into()),
            ..ApiView::default()
        });
    };
    let json_text = text.trim_start().starts_with('{');
    let ext = match api_type.to_lowercase().as_str() {
        "openapi" | "asyncapi" if json_text => "json",
        "openapi" | "asyncapi" => "yaml",
        "graphql" => "graphql",
        "grpc" => "proto",
        _ => "txt",
    };
    let file = format!("definition.{ext}");
    super::write_file(out, &format!("{dir}{file}"), text.as_bytes())?;
    let mut v = ApiView {
        api_type: api_type.clone(),
        download: Some(file),
        ..ApiView::default()
    };
    let kind = api_type.to_lowercase();
    // OpenAPI and AsyncAPI are read as operations and channels; their source is secondary and
    // shown plain (highlighting YAML is the slowest thing on an API page). Other types are
    // read as source, so they are highlighted.
    let structured = kind == "openapi" || kind == "asyncapi";
    v.source_html = Some(if structured || text.len() > MAX_HIGHLIGHT_BYTES {
        super::graph::esc(text)
    } else {
        highlight(text, ext)
    });
    if kind == "openapi" || kind == "asyncapi" {
        match parse_definition(text) {
            Some(doc) => {
                let info = doc.get("info");
                let s = |j: Option<&Json>, k: &str| {
                    j.and_then(|j| j.get(k))
                        .and_then(Json::as_str)
                        .map(str::to_string)
                };
                v.title = s(info, "title");
                v.version = s(info, "version");
                v.description_html = s(info, "description").map(|d| markdown::to_html(&d));
                let r = Resolver { doc: &doc };
                if kind == "openapi" {
                    openapi(&r, &mut v);
                } else {
                    asyncapi(&r, &mut v);
                }
            }
            None => {
                v.error = Some(format!(
                    "The definition is not valid {}; showing it as source.",
                    if json_text { "JSON" } else { "YAML" }
                ))
            }
        }
    }
    Ok(v)
}

/// JSON, or YAML through the project's own parser (positions, alias budget).
fn parse_definition(text: &str) -> Option<Json> {
    if let Ok(j) = serde_json::from_str::<Json>(text) {
        return Some(j);
    }
    let (docs, problems) = crate::parse::parse_str(text, "definition");
    if problems
        .iter()
        .any(|p| p.severity == crate::diag::Severity::Error)
    {
        return None;
    }
    docs.first()
        .map(|d| d.root.to_json())
        .filter(Json::is_object)
}

struct Resolver<'a> {
    doc: &'a Json,
}

impl<'a> Resolver<'a> {
    /// Follows local `$ref`s (`#/components/...`), at most a few hops.
    fn deref(&self, mut j: &'a Json) -> &'a Json {
        for _ in 0..8 {
            match j.get("$ref").and_then(Json::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| self.doc.pointer(p)) {
                    Some(t) => j = t,
                    None => return j,
                },
                None => return j,
            }
        }
        j
    }

    fn schema(
        &self,
        name: Option<String>,
        j: &'a Json,
        required: bool,
        stack: &mut Vec<String>,
    ) -> SchemaNode {
        let ref_name = j
            .get("$ref")
            .and_then(Json::as_str)
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_string());
        let mut node = SchemaNode {
            name,
            type_label: String::new(),
            required,
            description: None,
            enum_values: vec![],
            children: vec![],
        };
        if let Some(r) = j.get("$ref").and_then(Json::as_str) {
            if stack.iter().any(|s| s == r) || stack.len() >= MAX_DEPTH {
                node.type_label = ref_name.unwrap_or_default();
                return node;
            }
            stack.push(r.to_string());
            let mut inner = self.schema(node.name.take(), self.deref(j), required, stack);
            stack.pop();
            if let Some(rn) = ref_name {
                inner.type_label = if inner.type_label == "object" || inner.type_label.is_empty() {
                    rn
                } else {
                    format!("{rn} ({})", inner.type_label)
                };
            }
            return inner;
        }
        node.description = j
            .get("description")
            .and_then(Json::as_str)
            .map(str::to_string);
        node.enum_values = j
            .get("enum")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let ty = match j.get("type") {
            Some(Json::String(t)) => t.clone(),
            Some(Json::Array(a)) => a
                .iter()
                .filter_map(Json::as_str)
                .collect::<Vec<_>>()
                .join(" | "),
            _ if j.get("properties").is_some() => "object".into(),
            _ => String::new(),
        };
        let deeper = stack.len() < MAX_DEPTH;
        if ty == "array" {
            if let Some(items) = j.get("items") {
                let item = self.schema(None, items, false, stack);
                node.type_label = format!(
                    "array of {}",
                    if item.type_label.is_empty() {
                        "any"
                    } else {
                        &item.type_label
                    }
                );
                node.children = item.children;
                return node;
            }
        }
        node.type_label = match j.get("format").and_then(Json::as_str) {
            Some(f) => format!("{ty} ({f})"),
            None => ty,
        };
        if let Some(props) = j.get("properties").and_then(Json::as_object) {
            if deeper {
                let req: Vec<&str> = j
                    .get("required")
                    .and_then(Json::as_array)
                    .map(|a| a.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                stack.push(String::new());
                for (k, p) in props {
                    node.children.push(self.schema(
                        Some(k.clone()),
                        p,
                        req.contains(&k.as_str()),
                        stack,
                    ));
                }
                stack.pop();
            }
        }
        for (key, label) in [
            ("allOf", "all of"),
            ("oneOf", "one of"),
            ("anyOf", "any of"),
        ] {
            if let Some(list) = j.get(key).and_then(Json::as_array) {
                if key == "allOf" {
                    // allOf merges: show the properties of every part.
                    for part in list {
                        let s = self.schema(None, part, false, stack);
                        if s.children.is_empty() {
                            node.children.push(s);
                        } else {
                            node.children.extend(s.children);
                        }
                    }
                    if node.type_label.is_empty() {
                        node.type_label = "object".into();
                    }
                } else {
                    node.type_label = if node.type_label.is_empty() {
                        label.into()
                    } else {
                        format!("{} ({label})", node.type_label)
                    };
                    for part in list {
                        node.children.push(self.schema(None, part, false, stack));
                    }
                }
            }
        }
        node
    }

    fn params(&self, list: Option<&'a Json>, stack: &mut Vec<String>) -> Vec<Param> {
        list.and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .map(|p| self.deref(p))
                    .filter_map(|p| {
                        Some(Param {
                            name: p.get("name")?.as_str()?.to_string(),
                            location: p.get("in").and_then(Json::as_str).unwrap_or("").to_string(),
                            required: p.get("required").and_then(Json::as_bool).unwrap_or(false),
                            description: p
                                .get("description")
                                .and_then(Json::as_str)
                                .map(str::to_string),
                            schema: p.get("schema").map(|s| self.schema(None, s, false, stack)),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn content(&self, j: Option<&'a Json>, stack: &mut Vec<String>) -> Vec<Media> {
        j.and_then(|j| self.deref(j).get("content"))
            .and_then(Json::as_object)
            .map(|c| {
                c.iter()
                    .map(|(ct, m)| Media {
                        content_type: ct.clone(),
                        schema: m.get("schema").map(|s| self.schema(None, s, false, stack)),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn message(&self, m: &'a Json, stack: &mut Vec<String>) -> Vec<Message> {
        let ref_name = m
            .get("$ref")
            .and_then(Json::as_str)
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_string());
        let m = self.deref(m);
        if let Some(list) = m.get("oneOf").and_then(Json::as_array) {
            return list.iter().flat_map(|x| self.message(x, stack)).collect();
        }
        let s = |k: &str| m.get(k).and_then(Json::as_str).map(str::to_string);
        vec![Message {
            name: s("name").or_else(|| s("title")).or(ref_name),
            content_type: s("contentType"),
            summary: s("summary").or_else(|| s("description")),
            payload: m.get("payload").map(|p| self.schema(None, p, false, stack)),
        }]
    }
}

fn anchor(prefix: &str, s: &str) -> String {
    let mut id = String::from(prefix);
    for c in s.chars() {
        id.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        });
    }
    id
}

fn openapi(r: &Resolver, v: &mut ApiView) {
    let doc = r.doc;
    if let Some(servers) = doc.get("servers").and_then(Json::as_array) {
        v.servers = servers
            .iter()
            .filter_map(|s| s.get("url")?.as_str().map(str::to_string))
            .collect();
    } else if let Some(host) = doc.get("host").and_then(Json::as_str) {
        v.servers.push(format!(
            "{host}{}",
            doc.get("basePath").and_then(Json::as_str).unwrap_or("")
        ));
    }
    let stack = &mut vec![];
    if let Some(paths) = doc.get("paths").and_then(Json::as_object) {
        for (path, item) in paths {
            let item = r.deref(item);
            let common = r.params(item.get("parameters"), stack);
            for method in [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ] {
                let Some(op) = item.get(method) else { continue };
                let mut parameters: Vec<Param> = r.params(op.get("parameters"), stack);
                for c in &common {
                    if !parameters
                        .iter()
                        .any(|p| p.name == c.name && p.location == c.location)
                    {
                        parameters.push(Param {
                            name: c.name.clone(),
                            location: c.location.clone(),
                            required: c.required,
                            description: c.description.clone(),
                            schema: c.schema.clone(),
                        });
                    }
                }
                // Swagger 2: the body is a parameter with `in: body`.
                let mut request = r.content(op.get("requestBody"), stack);
                parameters.retain(|p| {
                    if p.location == "body" {
                        request.push(Media {
                            content_type: "body".into(),
                            schema: p.schema.clone(),
                        });
                        false
                    } else {
                        true
                    }
                });
                let responses = op
                    .get("responses")
                    .and_then(Json::as_object)
                    .map(|rs| {
                        rs.iter()
                            .map(|(status, resp)| {
                                let resp_d = r.deref(resp);
                                let mut content = r.content(Some(resp), stack);
                                if let Some(s) = resp_d.get("schema") {
                                    content.push(Media {
                                        content_type: "body".into(),
                                        schema: Some(r.schema(None, s, false, stack)),
                                    });
                                }
                                Response {
                                    status: status.clone(),
                                    description: resp_d
                                        .get("description")
                                        .and_then(Json::as_str)
                                        .map(str::to_string),
                                    content,
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let s = |k: &str| op.get(k).and_then(Json::as_str).map(str::to_string);
                v.operations.push(Operation {
                    method: method.to_string(),
                    path: path.clone(),
                    id: anchor("op-", &format!("{method}-{path}")),
                    summary: s("summary"),
                    description_html: s("description").map(|d| markdown::to_html(&d)),
                    operation_id: s("operationId"),
                    deprecated: op
                        .get("deprecated")
                        .and_then(Json::as_bool)
                        .unwrap_or(false),
                    tags: op
                        .get("tags")
                        .and_then(Json::as_array)
                        .map(|t| {
                            t.iter()
                                .filter_map(Json::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                    parameters,
                    request,
                    responses,
                });
            }
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .or_else(|| doc.get("definitions"))
        .and_then(Json::as_object);
    if let Some(schemas) = schemas {
        for (name, s) in schemas {
            v.schemas
                .push(r.schema(Some(name.clone()), s, false, stack));
        }
    }
}

fn asyncapi(r: &Resolver, v: &mut ApiView) {
    let doc = r.doc;
    let stack = &mut vec![];
    if let Some(servers) = doc.get("servers").and_then(Json::as_object) {
        v.servers = servers
            .iter()
            .map(|(name, s)| {
                let url = s
                    .get("url")
                    .or_else(|| s.get("host"))
                    .and_then(Json::as_str)
                    .unwrap_or("");
                let proto = s.get("protocol").and_then(Json::as_str).unwrap_or("");
                format!("{name}: {url} ({proto})")
            })
            .collect();
    }
    let v3 = doc
        .get("asyncapi")
        .and_then(Json::as_str)
        .is_some_and(|s| s.starts_with('3'));
    if let Some(channels) = doc.get("channels").and_then(Json::as_object) {
        for (key, ch) in channels {
            let ch = r.deref(ch);
            let name = if v3 {
                ch.get("address")
                    .and_then(Json::as_str)
                    .unwrap_or(key)
                    .to_string()
            } else {
                key.clone()
            };
            let parameters = ch
                .get("parameters")
                .and_then(Json::as_object)
                .map(|ps| {
                    ps.iter()
                        .map(|(pn, p)| {
                            let p = r.deref(p);
                            Param {
                                name: pn.clone(),
                                location: "channel".into(),
                                required: true,
                                description: p
                                    .get("description")
                                    .and_then(Json::as_str)
                                    .map(str::to_string),
                                schema: p.get("schema").map(|s| r.schema(None, s, false, stack)),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut operations = vec![];
            if v3 {
                let target = format!("#/channels/{}", crate::parse::escape_pointer_segment(key));
                if let Some(ops) = doc.get("operations").and_then(Json::as_object) {
                    for (op_id, op) in ops {
                        if op.pointer("/channel/$ref").and_then(Json::as_str) != Some(&target) {
                            continue;
                        }
                        let mut messages: Vec<Message> = op
                            .get("messages")
                            .and_then(Json::as_array)
                            .map(|ms| ms.iter().flat_map(|m| r.message(m, stack)).collect())
                            .unwrap_or_default();
                        if messages.is_empty() {
                            if let Some(ms) = ch.get("messages").and_then(Json::as_object) {
                                messages = ms.values().flat_map(|m| r.message(m, stack)).collect();
                            }
                        }
                        operations.push(ChannelOp {
                            action: op
                                .get("action")
                                .and_then(Json::as_str)
                                .unwrap_or("")
                                .to_string(),
                            operation_id: Some(op_id.clone()),
                            summary: op
                                .get("summary")
                                .or_else(|| op.get("description"))
                                .and_then(Json::as_str)
                                .map(str::to_string),
                            messages,
                        });
                    }
                }
                if operations.is_empty() {
                    if let Some(ms) = ch.get("messages").and_then(Json::as_object) {
                        operations.push(ChannelOp {
                            action: "messages".into(),
                            operation_id: None,
                            summary: None,
                            messages: ms.values().flat_map(|m| r.message(m, stack)).collect(),
                        });
                    }
                }
            } else {
                for action in ["publish", "subscribe"] {
                    let Some(op) = ch.get(action) else { continue };
                    let s = |k: &str| op.get(k).and_then(Json::as_str).map(str::to_string);
                    operations.push(ChannelOp {
                        action: action.into(),
                        operation_id: s("operationId"),
                        summary: s("summary").or_else(|| s("description")),
                        messages: op
                            .get("message")
                            .map(|m| r.message(m, stack))
                            .unwrap_or_default(),
                    });
                }
            }
            v.channels.push(Channel {
                id: anchor("ch-", &name),
                name,
                description_html: ch
                    .get("description")
                    .and_then(Json::as_str)
                    .map(markdown::to_html),
                parameters,
                operations,
            });
        }
    }
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(Json::as_object) {
        for (name, s) in schemas {
            v.schemas
                .push(r.schema(Some(name.clone()), s, false, stack));
        }
    }
}

/// Highlights `text` as the language of file extension `ext` (plain text when unknown), as
/// HTML with `hl-` classes styled by `assets/syntax.css`: through the docs' tree-sitter
/// grammars where there is one (JSON definitions), the others through syntect.
pub fn highlight(text: &str, ext: &str) -> String {
    if crate::docs::highlight::has_tree_grammar(ext) {
        return crate::docs::highlight::highlight(text, ext, &[]);
    }
    let set = crate::docs::highlight::syntax_set();
    let syntax = set
        .find_syntax_by_extension(ext)
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(text) {
        if gen
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return super::graph::esc(text);
        }
    }
    gen.finalize()
}

/// The stylesheet for highlighted code: a light theme, and a dark one under
/// `prefers-color-scheme: dark`, each with its colours made readable on the backgrounds code
/// sits on in the default theme.
pub fn syntax_css() -> String {
    use syntect::highlighting::Color;
    let rgb = |r, g, b| Color { r, g, b, a: 0xff };
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    // Code blocks, `pre.code` (API pages) and highlighted lines (`hl_lines`): docs.css and
    // portico.css.
    let light = readable(
        themes.themes["InspiredGitHub"].clone(),
        &[
            rgb(0xf6, 0xf8, 0xfa),
            rgb(0xf1, 0xf3, 0xf6),
            rgb(0xff, 0xf8, 0xc5),
        ],
        rgb(0, 0, 0),
    );
    let dark = readable(
        themes.themes["base16-ocean.dark"].clone(),
        &[
            rgb(0x16, 0x1b, 0x22),
            rgb(0x1e, 0x25, 0x2e),
            rgb(0x3b, 0x36, 0x20),
        ],
        rgb(0xff, 0xff, 0xff),
    );
    let light =
        syntect::html::css_for_theme_with_class_style(&light, CLASS_STYLE).unwrap_or_default();
    let dark =
        syntect::html::css_for_theme_with_class_style(&dark, CLASS_STYLE).unwrap_or_default();
    // Each theme only under its own scheme: a scope the dark theme has no colour for must not
    // keep the light theme's (dark blue on a dark page).
    format!(
        "/* generated by portico from syntect's themes */\n\
         @media not all and (prefers-color-scheme: dark) {{\n{light}\n}}\n\
         @media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
}

/// WCAG's contrast ratio of two colours (1 to 21).
fn contrast(a: syntect::highlighting::Color, b: syntect::highlighting::Color) -> f64 {
    fn luminance(c: syntect::highlighting::Color) -> f64 {
        let lin = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
    }
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// `theme` with each text colour moved towards `towards` (black on light pages, white on dark
/// ones) until it has a contrast of at least 4.5:1 against every one of `backgrounds`: WCAG's
/// AA level for text, which axe checks. Syntect's themes have colours below it (InspiredGitHub's
/// comments are 2.9:1 on a light grey, its constants 3.9:1); each keeps its hue.
fn readable(
    mut theme: syntect::highlighting::Theme,
    backgrounds: &[syntect::highlighting::Color],
    towards: syntect::highlighting::Color,
) -> syntect::highlighting::Theme {
    use syntect::highlighting::Color;
    let fix = |c: Color| {
        // Mixed with `towards` a twentieth more at each step: twenty steps reach it.
        (0..=20)
            .map(|step| {
                let mix = |a: u8, b: u8| {
                    let t = f64::from(step) / 20.0;
                    (f64::from(a) * (1.0 - t) + f64::from(b) * t).round() as u8
                };
                Color {
                    r: mix(c.r, towards.r),
                    g: mix(c.g, towards.g),
                    b: mix(c.b, towards.b),
                    a: c.a,
                }
            })
            .find(|m| backgrounds.iter().all(|&bg| contrast(*m, bg) >= 4.5))
            .unwrap_or(towards)
    };
    theme.settings.foreground = theme.settings.foreground.map(fix);
    for item in &mut theme.scopes {
        item.style.foreground = item.style.foreground.map(fix);
    }
    theme
}

#[cfg(test)]
mod tests {
    use super::super::testing::entity;
    use super::*;
    use serde_json::json;

    #[test]
    fn highlighted_code_is_readable_in_both_schemes() {
        use syntect::highlighting::Color;
        let hex = |h: &str| Color {
            r: u8::from_str_radix(&h[0..2], 16).unwrap(),
            g: u8::from_str_radix(&h[2..4], 16).unwrap(),
            b: u8::from_str_radix(&h[4..6], 16).unwrap(),
            a: 0xff,
        };
        let css = syntax_css();
        let (light, dark) = css
            .split_once("@media (prefers-color-scheme: dark)")
            .unwrap();
        // The light theme is kept out of the dark scheme.
        assert!(light.contains("@media not all and (prefers-color-scheme: dark)"));
        for (part, backgrounds) in [
            (light, ["f6f8fa", "f1f3f6", "fff8c5"]),
            (dark, ["161b22", "1e252e", "3b3620"]),
        ] {
            let colours: Vec<&str> = part
                .split(" color: #")
                .skip(1)
                .map(|rest| &rest[..6])
                .collect();
            assert!(colours.len() > 10, "{part}");
            for c in colours {
                for bg in backgrounds {
                    let ratio = contrast(hex(c), hex(bg));
                    assert!(ratio >= 4.5, "#{c} on #{bg}: {ratio:.2}");
                }
            }
        }
    }

    #[test]
    fn openapi_operations_parameters_and_refs() {
        let def = json!({
            "openapi": "3.0.0",
            "info": {"title": "Pets", "version": "1.2"},
            "paths": {"/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": {"summary": "Get a pet", "operationId": "getPet",
                    "parameters": [{"name": "verbose", "in": "query", "schema": {"type": "boolean"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}
            }},
            "components": {"schemas": {"Pet": {"type": "object", "required": ["name"],
                "properties": {"name": {"type": "string"}, "friend": {"$ref": "#/components/schemas/Pet"}}}}}
        });
        let e = entity(
            "API",
            "pets",
            json!({"type": "openapi", "definition": def.to_string()}),
        );
        let dir = tempfile::tempdir().unwrap();
        let v = view(&e, dir.path(), "x/").unwrap();
        assert_eq!(v.download.as_deref(), Some("definition.json"));
        assert!(dir.path().join("x/definition.json").exists());
        assert_eq!(v.title.as_deref(), Some("Pets"));
        let op = &v.operations[0];
        assert_eq!(
            (op.method.as_str(), op.path.as_str()),
            ("get", "/pets/{id}")
        );
        let names: Vec<&str> = op.parameters.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["verbose", "id"]);
        let body = op.responses[0].content[0].schema.as_ref().unwrap();
        assert_eq!(body.type_label, "Pet");
        assert_eq!(body.children[0].name.as_deref(), Some("name"));
        assert!(body.children[0].required);
        // The recursive reference stops instead of looping.
        assert_eq!(body.children[1].type_label, "Pet");
        assert!(body.children[1].children.is_empty());
    }

    #[test]
    fn asyncapi_channels() {
        let def = json!({
            "asyncapi": "2.6.0", "info": {"title": "Events", "version": "1"},
            "channels": {"orders/{id}": {"parameters": {"id": {"description": "order id", "schema": {"type": "string"}}},
                "subscribe": {"operationId": "onOrder", "message": {"name": "Order", "payload": {"type": "object", "properties": {"total": {"type": "number"}}}}}}}
        });
        let e = entity(
            "API",
            "events",
            json!({"type": "asyncapi", "definition": def.to_string()}),
        );
        let dir = tempfile::tempdir().unwrap();
        let v = view(&e, dir.path(), "").unwrap();
        let ch = &v.channels[0];
        assert_eq!(ch.name, "orders/{id}");
        assert_eq!(ch.parameters[0].name, "id");
        assert_eq!(ch.operations[0].action, "subscribe");
        assert_eq!(ch.operations[0].messages[0].name.as_deref(), Some("Order"));
        let payload = ch.operations[0].messages[0].payload.as_ref().unwrap();
        assert_eq!(payload.children[0].name.as_deref(), Some("total"));
    }

    #[test]
    fn other_types_are_highlighted_source() {
        let e = entity(
            "API",
            "g",
            json!({"type": "graphql", "definition": "type Query { a: <b> }"}),
        );
        let dir = tempfile::tempdir().unwrap();
        let v = view(&e, dir.path(), "").unwrap();
        let html = v.source_html.unwrap();
        assert!(html.contains("&lt;") && !html.contains("<b>"), "{html}");
        assert!(html.contains("hl-graphql"), "{html}");
        assert_eq!(v.download.as_deref(), Some("definition.graphql"));
    }
}
