//! Stage 2: YAML text → documents whose every node carries its source span.
//!
//! Built on saphyr's event parser so that positions survive, duplicate keys are seen, and
//! aliases are expanded under a budget (a billion-laughs file is an error, not a hang).

use crate::diag::{Problem, Span};
use crate::discover::SourceFile;

/// A YAML node with its span. Mapping keys keep their own spans so that errors about a key
/// (unknown field, duplicate key) point at the key, not at its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order. Keys are usually strings; any scalar is allowed by YAML.
    Map(Vec<(Node, Node)>),
}

impl Node {
    pub fn new(span: Span, value: Value) -> Self {
        Node { span, value }
    }

    /// The value under a string key of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node under a string key of a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The node at a JSON pointer (`/spec/owner`, `/spec/providesApis/0`), as used by JSON
    /// Schema error locations. `~0`/`~1` escapes are honoured.
    pub fn at_pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        if pointer.is_empty() {
            return Some(node);
        }
        for raw in pointer.strip_prefix('/')?.split('/') {
            let part = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Map(_) => node.get(&part)?,
                Value::Seq(items) => items.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The key node for the last segment of a JSON pointer, when it names a mapping entry.
    pub fn key_at_pointer(&self, pointer: &str) -> Option<&Node> {
        let (parent, last) = pointer.rsplit_once('/')?;
        let last = last.replace("~1", "/").replace("~0", "~");
        self.at_pointer(parent)?.entry(&last).map(|(k, _)| k)
    }

    /// The JSON value of this node, as Backstage sees the YAML document. Non-string keys are
    /// stringified like the `yaml` npm package does.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    map.insert(k.key_string(), v.to_json());
                }
                J::Object(map)
            }
        }
    }

    /// A mapping key as a string (`true`, `1`, `null` for non-string scalar keys).
    pub fn key_string(&self) -> String {
        match &self.value {
            Value::Str(s) => s.clone(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Seq(_) | Value::Map(_) => "[object]".into(),
        }
    }
}

/// One YAML document of a file. Empty documents (`---` alone) are kept out.
#[derive(Debug, Clone)]
pub struct Document {
    /// 0-based index among the file's documents, counting empty ones, as Backstage does.
    pub index: usize,
    pub root: Node,
}

/// The output of this stage for one file.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub source: SourceFile,
    pub docs: Vec<Document>,
    pub problems: Vec<Problem>,
}

/// Limits that keep hostile input from hanging or exhausting memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
pub const MAX_DEPTH: usize = 256;
pub const MAX_ALIAS_EXPANSION_NODES: usize = 100_000;

/// Reads and parses one file. Never fails: unreadable files, invalid UTF-8, binary content
/// and YAML errors become problems located in the file.
pub fn parse_file(source: &SourceFile) -> ParsedFile {
    match std::fs::read(&source.path) {
        Ok(bytes) => {
            let (docs, problems) = parse_bytes(&bytes, &source.display);
            ParsedFile {
                source: source.clone(),
                docs,
                problems,
            }
        }
        Err(e) => ParsedFile {
            source: source.clone(),
            docs: vec![],
            problems: vec![Problem::error(
                "io/unreadable",
                source.display.clone(),
                Span::file_start(),
                format!("cannot read file: {e}"),
            )],
        },
    }
}

/// Parses bytes (BOM, CRLF, invalid UTF-8 handled) into documents.
pub fn parse_bytes(bytes: &[u8], file: &str) -> (Vec<Document>, Vec<Problem>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str(text, file),
        Err(e) => (
            vec![],
            vec![Problem::error(
                "yaml/encoding",
                file,
                Span::file_start(),
                format!("file is not valid UTF-8: {e}"),
            )],
        ),
    }
}

/// Parses YAML text into documents with spans. Stub until the parser lands.
pub fn parse_str(_text: &str, file: &str) -> (Vec<Document>, Vec<Problem>) {
    (
        vec![],
        vec![Problem::error(
            "internal/unimplemented",
            file,
            Span::file_start(),
            "YAML parsing is not implemented yet",
        )],
    )
}
