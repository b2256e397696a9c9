//! Stage 2: YAML text → documents whose every node carries its source span.
//!
//! Built on saphyr's event parser so that positions survive, duplicate keys are seen, and
//! aliases are expanded under a budget (a billion-laughs file is an error, not a hang).
//!
//! The documents read as Backstage reads them (the `yaml` npm package, YAML 1.2 core schema):
//! same scalars, same document numbering, errors in the same documents. Known differences,
//! all rare in catalog files: a lone CR as line break (saphyr breaks the line, `yaml` does
//! not), a BOM inside a document and a repeated `%YAML` directive (errors here, accepted
//! there), an anchor glued to a flow collection (`&a[1]`, accepted here), `%YAML 1.1`
//! (read as 1.2 here), and a NUL byte anywhere (the file is binary here).

use crate::diag::{Pos, Problem, Span};
use crate::discover::SourceFile;

/// A YAML node with its span. Mapping keys keep their own spans so that errors about a key
/// (unknown field, duplicate key) point at the key, not at its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
    /// The YAML tag as written (`!ENV`, `!!python/name:foo.bar`, `!!str`), when there is
    /// one. Unknown tags never fail: the node loads as its underlying scalar (always a
    /// string, as the `yaml` npm package does), sequence or mapping.
    pub tag: Option<String>,
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
        Node {
            span,
            value,
            tag: None,
        }
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
            let part = unescape_pointer_segment(raw);
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
        self.at_pointer(parent)?
            .entry(&unescape_pointer_segment(last))
            .map(|(k, _)| k)
    }

    /// The JSON value of this node, as Backstage sees the YAML document. Non-string keys are
    /// stringified like the `yaml` npm package does.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            // JavaScript has one number type: `1e3` and `1.0` are the integers 1000 and 1.
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => J::from(*f as i64),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
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
            // The `yaml` npm package turns a null key into the empty string.
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) if f.is_infinite() => {
                if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()
            }
            Value::Float(f) if f.is_nan() => "NaN".into(),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (*f as i64).to_string(),
            Value::Float(f) => f.to_string(),
            Value::Seq(_) | Value::Map(_) => self.flow_string(),
        }
    }

    /// A collection key as the `yaml` npm package stringifies it: `[ a, b ]`, `{ a: 1 }`.
    fn flow_string(&self) -> String {
        match &self.value {
            Value::Seq(items) if items.is_empty() => "[]".into(),
            Value::Map(entries) if entries.is_empty() => "{}".into(),
            Value::Seq(items) => {
                let items: Vec<String> = items.iter().map(Node::flow_string).collect();
                format!("[ {} ]", items.join(", "))
            }
            Value::Map(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.flow_string(), v.flow_string()))
                    .collect();
                format!("{{ {} }}", entries.join(", "))
            }
            Value::Null => "null".into(),
            _ => self.key_string(),
        }
    }
}

/// One YAML document of a file. Empty documents (`---` alone) are kept out.
/// A key as one segment of a JSON pointer: `~` → `~0`, `/` → `~1` (RFC 6901).
pub fn escape_pointer_segment(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

/// One segment of a JSON pointer as the key it names (the inverse of
/// [`escape_pointer_segment`]).
pub fn unescape_pointer_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~").into()
    } else {
        segment.into()
    }
}

/// Where the values of a document are, by JSON pointer: what later stages need of a
/// document's positions once its tree is dropped (an entity keeps this, not the tree,
/// which is several times larger). Values nested deeper than [`Spans::MAX_DEPTH`] are
/// not indexed; a pointer to one resolves to its nearest indexed ancestor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spans {
    root: Span,
    /// Every indexed pointer, concatenated.
    pointers: String,
    /// `(end of the pointer in pointers, span of its value)`, in document order.
    entries: Box<[(u32, Span)]>,
}

impl Spans {
    /// `/spec/dependsOn/0` and `/metadata/annotations/<key>`, the deepest pointers later
    /// stages ask for, are depth 3.
    pub const MAX_DEPTH: usize = 3;

    pub fn of(root: &Node) -> Spans {
        fn walk(
            node: &Node,
            depth: usize,
            pointer: &mut String,
            out: &mut Spans,
            list: &mut Vec<(u32, Span)>,
        ) {
            if depth > 0 {
                out.pointers.push_str(pointer);
                list.push((out.pointers.len() as u32, node.span));
            }
            if depth == Spans::MAX_DEPTH {
                return;
            }
            let len = pointer.len();
            match &node.value {
                Value::Map(entries) => {
                    for (k, v) in entries {
                        let Some(key) = k.as_str() else { continue };
                        pointer.push('/');
                        pointer.push_str(&escape_pointer_segment(key));
                        walk(v, depth + 1, pointer, out, list);
                        pointer.truncate(len);
                    }
                }
                Value::Seq(items) => {
                    for (i, v) in items.iter().enumerate() {
                        use std::fmt::Write;
                        let _ = write!(pointer, "/{i}");
                        walk(v, depth + 1, pointer, out, list);
                        pointer.truncate(len);
                    }
                }
                _ => {}
            }
        }
        /// How many pointers `walk` indexes and their total length, so that both buffers
        /// are allocated once at their final size.
        fn size(
            node: &Node,
            depth: usize,
            pointer_len: usize,
            count: &mut usize,
            bytes: &mut usize,
        ) {
            if depth > 0 {
                *count += 1;
                *bytes += pointer_len;
            }
            if depth == Spans::MAX_DEPTH {
                return;
            }
            match &node.value {
                Value::Map(entries) => {
                    for (k, v) in entries {
                        let Some(key) = k.as_str() else { continue };
                        let escapes = key.bytes().filter(|&b| b == b'~' || b == b'/').count();
                        size(
                            v,
                            depth + 1,
                            pointer_len + 1 + key.len() + escapes,
                            count,
                            bytes,
                        );
                    }
                }
                Value::Seq(items) => {
                    for (i, v) in items.iter().enumerate() {
                        let digits = i.checked_ilog10().unwrap_or(0) as usize + 1;
                        size(v, depth + 1, pointer_len + 1 + digits, count, bytes);
                    }
                }
                _ => {}
            }
        }
        let (mut count, mut bytes) = (0, 0);
        size(root, 0, 0, &mut count, &mut bytes);
        let mut out = Spans {
            root: root.span,
            pointers: String::with_capacity(bytes),
            ..Spans::default()
        };
        let mut list = Vec::with_capacity(count);
        walk(root, 0, &mut String::new(), &mut out, &mut list);
        debug_assert_eq!((out.pointers.len(), list.len()), (bytes, count));
        out.entries = list.into_boxed_slice();
        out
    }

    /// The span of the whole document.
    pub fn root(&self) -> Span {
        self.root
    }

    /// The span of the value at `pointer` (`""` is the document), when it is indexed.
    pub fn get(&self, pointer: &str) -> Option<Span> {
        if pointer.is_empty() {
            return Some(self.root);
        }
        let mut start = 0;
        for &(end, span) in self.entries.iter() {
            let end = end as usize;
            if &self.pointers[start..end] == pointer {
                return Some(span);
            }
            start = end;
        }
        None
    }

    /// The span of the value at `pointer`; for a pointer deeper than the index, that of
    /// its nearest indexed ancestor; else the document's.
    pub fn span_of(&self, pointer: &str) -> Span {
        if let Some(span) = self.get(pointer) {
            return span;
        }
        let mut p = pointer;
        while p.matches('/').count() > Self::MAX_DEPTH {
            p = &p[..p.rfind('/').unwrap_or(0)];
        }
        if p.len() < pointer.len() {
            if let Some(span) = self.get(p) {
                return span;
            }
        }
        self.root
    }
}

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

/// Reads and parses one file. Never fails: unreadable files, files over `MAX_FILE_BYTES`,
/// invalid UTF-8, binary content and YAML errors become problems located in the file.
pub fn parse_file(source: &SourceFile) -> ParsedFile {
    let problem = |rule: &str, msg: String| ParsedFile {
        source: source.clone(),
        docs: vec![],
        problems: vec![Problem::error(
            rule,
            source.display.clone(),
            Span::file_start(),
            msg,
        )],
    };
    let bytes = match read_limited(&source.path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return problem(
                "io/too-large",
                format!(
                    "file is larger than {} MiB; not read",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
        }
        Err(e) => return problem("io/unreadable", format!("cannot read file: {e}")),
    };
    let (docs, problems) = parse_bytes(&bytes, &source.display);
    ParsedFile {
        source: source.clone(),
        docs,
        problems,
    }
}

/// Why `path` cannot be read as a catalog file, if it cannot.
pub fn read_error(path: &std::path::Path) -> Option<std::io::Error> {
    read_limited(path).err()
}

/// Reads a file unless it is over `MAX_FILE_BYTES` (`Ok(None)`), without reading more than
/// that even when the size on disk lies (pipes, growing files).
fn read_limited(path: &std::path::Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // No `fstat` for the size: catalog files are small, reading through the limit says when
    // one is too large, and only a failed read asks whether the path is a directory.
    let mut bytes = Vec::with_capacity(16 * 1024);
    if let Err(e) = (&file).take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(std::io::Error::other("is a directory"));
        }
        return Err(e);
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// The position of byte `offset` of `bytes` (1-based line, column in characters).
fn pos_of_byte(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u32
        + 1;
    Pos::new(line, column)
}

/// Parses bytes (BOM, CRLF, invalid UTF-8, binary content handled) into documents.
pub fn parse_bytes(bytes: &[u8], file: &str) -> (Vec<Document>, Vec<Problem>) {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let at = pos_of_byte(bytes, nul);
        return (
            vec![],
            vec![Problem::error(
                "yaml/encoding",
                file,
                Span::new(at, at),
                "file is binary (contains a NUL byte), not YAML text",
            )
            .with_hint("catalog files must be UTF-8 text")],
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str(text, file),
        Err(e) => {
            let at = pos_of_byte(bytes, e.valid_up_to());
            (
                vec![],
                vec![Problem::error(
                    "yaml/encoding",
                    file,
                    Span::new(at, at),
                    format!(
                        "file is not valid UTF-8: invalid byte 0x{:02X}",
                        bytes[e.valid_up_to()]
                    ),
                )
                .with_hint("save the file as UTF-8")],
            )
        }
    }
}

/// Parses YAML text into documents with spans. A leading BOM is skipped; CRLF line ends are
/// accepted. After a syntax error the parse resumes at the next `---` line, so the following
/// documents are still read, as Backstage (the `yaml` npm package) does.
pub fn parse_str(text: &str, file: &str) -> (Vec<Document>, Vec<Problem>) {
    let (docs, _, problems) = parse_str_counted(text, file);
    (docs, problems)
}

/// Like `parse_str`, also returning how many documents the text holds, empty ones included
/// (what the `yaml` npm package's `parseAllDocuments(text).length` is; `$yaml` placeholders
/// need exactly one).
pub fn parse_str_counted(text: &str, file: &str) -> (Vec<Document>, usize, Vec<Problem>) {
    use std::borrow::Cow;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    let mut line_offset = 0usize; // lines before the current chunk
    let mut rest: Cow<str> = Cow::Borrowed(text);
    let mut next_index = 0usize;
    let mut tab_fixes = 0;
    loop {
        let (docs_before, problems_before) = (docs.len(), problems.len());
        let outcome = parse_chunk(
            &rest,
            line_offset,
            next_index,
            file,
            &mut docs,
            &mut problems,
        );
        match outcome {
            ChunkEnd::Done(count) => {
                next_index = count;
                break;
            }
            ChunkEnd::Failed {
                line,
                next_index: n,
            } => {
                // A tab after `:` is white space in YAML (and for the `yaml` npm package) but
                // saphyr refuses it: turn that one tab into a space and read the chunk again.
                if tab_fixes < 100 {
                    if let Some(fixed) = problems
                        .last()
                        .and_then(|p| tab_after_colon(&rest, p, line_offset))
                    {
                        tab_fixes += 1;
                        docs.truncate(docs_before);
                        problems.truncate(problems_before);
                        rest = Cow::Owned(fixed);
                        continue;
                    }
                }
                next_index = n;
                // Resume at the first `---` line at or after the failure line (relative to
                // the chunk), but always after the chunk's first line so progress is made.
                match next_document_marker(&rest, line.max(2)) {
                    Some((byte, lines_skipped)) => {
                        rest = match rest {
                            Cow::Borrowed(s) => Cow::Borrowed(&s[byte..]),
                            Cow::Owned(s) => Cow::Owned(s[byte..].to_string()),
                        };
                        line_offset += lines_skipped;
                    }
                    None => break,
                }
            }
        }
    }
    (docs, next_index, problems)
}

/// When `problem` is saphyr's complaint about a tab after a `:`, the chunk with that tab
/// replaced by a space (same length, same columns).
fn tab_after_colon(chunk: &str, problem: &Problem, line_offset: usize) -> Option<String> {
    if !problem
        .message
        .contains("must be followed by a valid YAML whitespace")
    {
        return None;
    }
    let line = (problem.span.start.line as usize).checked_sub(line_offset + 1)?;
    let line_start = chunk
        .split_inclusive('\n')
        .take(line)
        .map(str::len)
        .sum::<usize>();
    let text = chunk[line_start..].split('\n').next()?;
    let col = problem.span.start.column as usize - 1;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    // saphyr points at the `:` or just after the tab: look at the few characters before.
    let byte = (col.saturating_sub(3)..=col)
        .filter(|&i| i + 1 < chars.len())
        .find(|&i| chars[i].1 == ':' && chars[i + 1].1 == '\t')
        .map(|i| chars[i + 1].0)?;
    let at = line_start + byte;
    let mut fixed = chunk.to_string();
    fixed.replace_range(at..at + 1, " ");
    Some(fixed)
}

/// The byte offset and line number (0-based) of the first line `>= from_line` (1-based)
/// that starts a document (`---` followed by a space, tab or line end).
fn next_document_marker(text: &str, from_line: usize) -> Option<(usize, usize)> {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 >= from_line {
            if let Some(after) = line.strip_prefix("---") {
                if after.is_empty() || after.starts_with([' ', '\t', '\r', '\n']) {
                    return Some((offset, i));
                }
            }
        }
        offset += line.len();
    }
    None
}

enum ChunkEnd {
    /// The end of the text; the number of documents read in all.
    Done(usize),
    /// A syntax (or budget) error at `line` (1-based, relative to the chunk); documents from
    /// `next_index` on are still to be read.
    Failed { line: usize, next_index: usize },
}

/// A collection being built.
struct Frame {
    start: Span,
    tag: Option<String>,
    anchor: usize,
    kind: FrameKind,
    /// Nodes in this subtree (for the alias expansion budget).
    size: usize,
    /// `getAliasCount` of the `yaml` npm package for this subtree, when it matters.
    alias_count: usize,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// The keys of `entries` by identity, built once a mapping is large enough for a
        /// scan of `entries` to cost more than hashing (most mappings have a few keys).
        seen: Option<std::collections::HashMap<OwnedKeyId, Pos>>,
    },
}

/// Mappings with at most this many entries find duplicate keys by scanning them.
const SCANNED_KEYS: usize = 16;

/// Where a key with identity `id` first appears among the unique keys of a mapping.
fn first_key(
    entries: &[(Node, Node)],
    seen: &mut Option<std::collections::HashMap<OwnedKeyId, Pos>>,
    id: KeyId<'_>,
) -> Option<Pos> {
    if entries.len() < SCANNED_KEYS {
        return entries
            .iter()
            .find(|(k, _)| key_id(k) == Some(id))
            .map(|(k, _)| k.span.start);
    }
    let seen = seen.get_or_insert_with(|| {
        entries
            .iter()
            .filter_map(|(k, _)| Some((key_id(k)?.to_owned(), k.span.start)))
            .collect()
    });
    seen.get(&id.to_owned()).copied()
}

/// Identity of a scalar key for duplicate detection: equal when the `yaml` npm package
/// sees equal JavaScript values (`1` and `1.0` are equal, `1` and `"1"` are not).
#[derive(PartialEq, Clone, Copy)]
enum KeyId<'a> {
    Null,
    Bool(bool),
    Num(u64),
    Str(&'a str),
}

/// A [`KeyId`] owning its string, for the map of a large mapping's keys.
#[derive(Hash, PartialEq, Eq)]
enum OwnedKeyId {
    Null,
    Bool(bool),
    Num(u64),
    Str(String),
}

impl KeyId<'_> {
    fn to_owned(self) -> OwnedKeyId {
        match self {
            KeyId::Null => OwnedKeyId::Null,
            KeyId::Bool(b) => OwnedKeyId::Bool(b),
            KeyId::Num(n) => OwnedKeyId::Num(n),
            KeyId::Str(s) => OwnedKeyId::Str(s.to_string()),
        }
    }
}

fn key_id(node: &Node) -> Option<KeyId<'_>> {
    Some(match &node.value {
        Value::Null => KeyId::Null,
        Value::Bool(b) => KeyId::Bool(*b),
        Value::Int(i) => KeyId::Num((*i as f64).to_bits()),
        Value::Float(f) => KeyId::Num(if *f == 0.0 {
            0f64.to_bits()
        } else {
            f.to_bits()
        }),
        Value::Str(s) => KeyId::Str(s),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

/// An anchored node, kept for its aliases.
struct Anchored {
    node: Node,
    size: usize,
    /// The `yaml` npm package's alias accounting: uses so far and the alias count of the
    /// anchored subtree (computed at first use).
    uses: usize,
    alias_count: usize,
}

/// The `yaml` npm package's `maxAliasCount` default: `uses × aliases inside` above this is
/// refused as a resource exhaustion attack.
const MAX_ALIAS_COUNT: usize = 100;

fn to_pos(m: &saphyr_parser::Marker, line_offset: usize) -> Pos {
    Pos::new((m.line() + line_offset) as u32, m.col() as u32 + 1)
}

fn to_span(s: &saphyr_parser::Span, line_offset: usize) -> Span {
    Span::new(to_pos(&s.start, line_offset), to_pos(&s.end, line_offset))
}

/// The byte offset where each line of `text` starts.
fn line_starts_of(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Where the header (`|`, `>-`, `|2+` …) of a block scalar whose content starts on line
/// `content_line` (0-based) is: the nearest non-blank line above, its last token before a
/// comment. 0-based line and character column; `None` when that line does not end so.
fn block_header(text: &str, starts: &[usize], content_line: usize) -> Option<(usize, usize)> {
    let mut line = content_line.min(starts.len());
    let code = loop {
        line = line.checked_sub(1)?;
        let end = starts.get(line + 1).copied().unwrap_or(text.len());
        let raw = text.get(starts[line]..end)?;
        // A comment starts at a `#` at the start or after a space or tab.
        let code = match raw
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || raw[..i].ends_with([' ', '\t'])))
        {
            Some((i, _)) => &raw[..i],
            None => raw,
        };
        let code = code.trim_end();
        if !code.is_empty() {
            break code;
        }
    };
    let token_start = code.rfind([' ', '\t']).map_or(0, |i| i + 1);
    code[token_start..]
        .starts_with(['|', '>'])
        .then(|| (line, code[..token_start].chars().count()))
}

fn tag_string(tag: &saphyr_parser::Tag) -> String {
    if tag.is_yaml_core_schema() || tag.handle == "!!" {
        format!("!!{}", tag.suffix)
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// Parses one chunk of text (the whole file, or the rest after a syntax error).
fn parse_chunk(
    text: &str,
    line_offset: usize,
    first_index: usize,
    file: &str,
    docs: &mut Vec<Document>,
    problems: &mut Vec<Problem>,
) -> ChunkEnd {
    use saphyr_parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    let mut index = first_index; // index of the next document to start
    let mut in_doc = false;
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut anchors: std::collections::HashMap<usize, Anchored> = Default::default();
    let mut expanded = 0usize;
    let mut doc_failed = false;
    // Byte offset of each line of the chunk, made when the first block scalar needs it.
    let mut line_starts: Option<Vec<usize>> = None;
    let fail = |problems: &mut Vec<Problem>,
                rule: &str,
                span: Span,
                msg: String,
                hint: Option<&str>,
                doc: usize| {
        let mut p = Problem::error(rule, file, span, msg).in_document(doc);
        if let Some(h) = hint {
            p = p.with_hint(h);
        }
        problems.push(p);
    };
    loop {
        let (event, raw_span) = match parser.next_event() {
            None => return ChunkEnd::Done(index),
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                let at = to_pos(e.marker(), line_offset);
                let doc = if in_doc { index - 1 } else { index };
                fail(
                    problems,
                    "yaml/syntax",
                    Span::new(at, at),
                    format!("YAML syntax error: {}", e.info()),
                    None,
                    doc,
                );
                return ChunkEnd::Failed {
                    line: e.marker().line(),
                    next_index: doc + 1,
                };
            }
        };
        let span = to_span(&raw_span, line_offset);
        // A finished node, to attach to its parent: (node, size, alias_count, anchor).
        let mut done: Option<(Node, usize, usize, usize)> = None;
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => return ChunkEnd::Done(index),
            Event::DocumentStart(_) => {
                in_doc = true;
                index += 1;
                anchors.clear();
                expanded = 0;
                root = None;
                stack.clear();
                doc_failed = false;
            }
            Event::DocumentEnd => {
                in_doc = false;
                if let Some(root) = root.take() {
                    if !doc_failed && root.value != Value::Null {
                        docs.push(Document {
                            index: index - 1,
                            root,
                        });
                    }
                }
            }
            Event::Scalar(scalar, style, anchor, tag) => {
                let tag = tag.map(|t| tag_string(&t));
                let value = resolve_scalar(scalar, style, tag.as_deref());
                let mut span = span;
                // A block scalar starts at its `|` or `>`, not at its first content line.
                if matches!(
                    style,
                    saphyr_parser::ScalarStyle::Literal | saphyr_parser::ScalarStyle::Folded
                ) {
                    let starts = line_starts.get_or_insert_with(|| line_starts_of(text));
                    let content_line = raw_span.start.line().saturating_sub(1);
                    if let Some((line, col)) = block_header(text, starts, content_line) {
                        span.start = Pos::new((line + 1 + line_offset) as u32, col as u32 + 1);
                    }
                }
                let node = Node { span, value, tag };
                done = Some((node, 1, 1, anchor));
            }
            ref ev @ (Event::SequenceStart(anchor, ref tag)
            | Event::MappingStart(anchor, ref tag)) => {
                let is_seq = matches!(ev, Event::SequenceStart(..));
                if stack.len() >= MAX_DEPTH {
                    fail(
                        problems,
                        "yaml/depth",
                        span,
                        format!("nesting is deeper than {MAX_DEPTH} levels"),
                        Some("catalog entities are shallow; this file is probably not a catalog file"),
                        index - 1,
                    );
                    return ChunkEnd::Failed {
                        line: raw_span.start.line(),
                        next_index: index,
                    };
                }
                let kind = if is_seq {
                    FrameKind::Seq(Vec::new())
                } else {
                    FrameKind::Map {
                        entries: Vec::new(),
                        key: None,
                        seen: None,
                    }
                };
                stack.push(Frame {
                    start: span,
                    tag: tag.as_ref().map(|t| tag_string(t)),
                    anchor,
                    kind,
                    size: 1,
                    alias_count: 0,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = stack.pop().expect("balanced events");
                let (value, last_end) = match frame.kind {
                    FrameKind::Seq(items) => {
                        let end = items.last().map(|n| n.span.end);
                        (Value::Seq(items), end)
                    }
                    FrameKind::Map { entries, .. } => {
                        let end = entries.last().map(|(_, v)| v.span.end.max(v.span.start));
                        (Value::Map(entries), end)
                    }
                };
                // Flow collections end at their closing bracket; block ones at their last
                // child (the end event of a block collection sits at the next token).
                let end = if raw_span.start.index() != raw_span.end.index() {
                    span.end
                } else {
                    last_end.unwrap_or(frame.start.end).max(frame.start.end)
                };
                let node = Node {
                    span: Span::new(frame.start.start, end),
                    value,
                    tag: frame.tag,
                };
                done = Some((node, frame.size, frame.alias_count, frame.anchor));
            }
            Event::Alias(id) => {
                let doc = index - 1;
                let Some(anchored) = anchors.get_mut(&id) else {
                    fail(
                        problems,
                        "yaml/syntax",
                        span,
                        "alias refers to an anchor whose node is not complete".into(),
                        None,
                        doc,
                    );
                    doc_failed = true;
                    continue;
                };
                anchored.uses += 1;
                let (uses, count) = (anchored.uses, anchored.alias_count);
                if uses * count > MAX_ALIAS_COUNT
                    || expanded + anchored.size > MAX_ALIAS_EXPANSION_NODES
                {
                    fail(
                        problems,
                        "yaml/alias-budget",
                        span,
                        "excessive alias expansion (a \"billion laughs\" resource exhaustion attack?)".into(),
                        Some("Backstage refuses documents whose aliases expand this much; write the values out"),
                        doc,
                    );
                    return ChunkEnd::Failed {
                        line: raw_span.start.line(),
                        next_index: index,
                    };
                }
                expanded += anchored.size;
                let mut node = anchored.node.clone();
                node.span = span;
                done = Some((node, anchored.size, uses * count, 0));
            }
        }
        let Some((node, size, alias_count, anchor)) = done else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    size,
                    // The `yaml` npm package counts the anchored node itself as one use.
                    uses: 1,
                    alias_count,
                },
            );
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(parent) => {
                parent.size += size;
                parent.alias_count = parent.alias_count.max(alias_count);
                match &mut parent.kind {
                    FrameKind::Seq(items) => items.push(node),
                    FrameKind::Map { entries, key, seen } => match key.take() {
                        None => *key = Some(node),
                        Some(k) => {
                            if let Some(id) = key_id(&k) {
                                if let Some(first) = first_key(entries, seen, id) {
                                    let mut p = Problem::error(
                                        "yaml/duplicate-key",
                                        file,
                                        k.span,
                                        format!(
                                            "duplicate key `{}` (first defined at line {})",
                                            k.key_string(),
                                            first.line
                                        ),
                                    )
                                    .with_hint("YAML mapping keys must be unique; remove or rename one of them")
                                    .in_document(index - 1);
                                    p.span = k.span;
                                    problems.push(p);
                                    continue;
                                }
                                if let Some(seen) = seen {
                                    seen.insert(id.to_owned(), k.span.start);
                                }
                            }
                            entries.push((k, node));
                        }
                    },
                }
            }
        }
    }
}

/// Resolves a scalar as the `yaml` npm package does with its default YAML 1.2 core schema.
/// A string value takes the scanner's string as it is (no copy when it is already owned).
fn resolve_scalar(
    text: std::borrow::Cow<'_, str>,
    style: saphyr_parser::ScalarStyle,
    tag: Option<&str>,
) -> Value {
    use saphyr_parser::ScalarStyle;
    let typed = match tag {
        None if style == ScalarStyle::Plain => resolve_plain(&text),
        None | Some("!!str") | Some("!") => None,
        Some(t @ ("!!null" | "!!bool" | "!!int" | "!!float")) => {
            let v = resolve_plain(&text);
            let fits = matches!(
                (t, &v),
                ("!!null", Some(Value::Null))
                    | ("!!bool", Some(Value::Bool(_)))
                    | ("!!int", Some(Value::Int(_)))
                    | ("!!float", Some(Value::Float(_)))
            ) || (t == "!!int" && is_int_syntax(&text));
            if fits {
                v
            } else {
                None
            }
        }
        // Unknown tags (`!ENV`, `!!python/name:…`, `!relative`) load as their string.
        Some(_) => None,
    };
    typed.unwrap_or_else(|| Value::Str(text.into_owned()))
}

fn is_int_syntax(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        || s.strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
        || s.strip_prefix("0o")
            .is_some_and(|o| !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b)))
}

/// YAML 1.2 core schema resolution of a plain scalar: null, bool, int (decimal, `0x`, `0o`),
/// float (`1.5`, `1e3`, `.inf`, `.nan`), else string (`None`: the caller keeps the text).
/// `yes`, `on`, `1_000`, `0b1` are strings.
fn resolve_plain(s: &str) -> Option<Value> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    let int = |digits: &str, radix: u32| -> Value {
        match i64::from_str_radix(digits, radix) {
            Ok(i) => Value::Int(i),
            // Too big for i64: JavaScript's number (a float), as Backstage would see it.
            Err(_) => Value::Float(digits.chars().fold(0f64, |acc, c| {
                acc * radix as f64 + c.to_digit(radix).unwrap_or(0) as f64
            })),
        }
    };
    if let Some(h) = s.strip_prefix("0x") {
        if !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(int(h, 16));
        }
        return None;
    }
    if let Some(o) = s.strip_prefix("0o") {
        if !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return Some(int(o, 8));
        }
        return None;
    }
    let (sign, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, s.strip_prefix('+').unwrap_or(s)),
    };
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match s.trim_start_matches('+').parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(sign * unsigned.parse::<f64>().unwrap_or(f64::INFINITY)),
        });
    }
    if is_float_syntax(unsigned) {
        if let Ok(f) = unsigned.parse::<f64>() {
            return Some(Value::Float(sign * f));
        }
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without sign, with at least a dot or
/// an exponent (plain digits are ints).
fn is_float_syntax(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty()),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let has_dot = mantissa.contains('.');
    match exp {
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            mantissa_ok && !e.is_empty() && digits(e)
        }
        None => mantissa_ok && has_dot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointer_segments_escape_and_unescape_as_rfc_6901_says() {
        assert_eq!(
            escape_pointer_segment("backstage.io/x~y"),
            "backstage.io~1x~0y"
        );
        assert_eq!(escape_pointer_segment("plain"), "plain");
        // `~01` is the key `~1`, not `/`: `~1` is undone before `~0`.
        assert_eq!(unescape_pointer_segment("~01"), "~1");
        assert_eq!(unescape_pointer_segment("a~1b"), "a/b");
        for key in ["a/b", "~", "~1", "x~0/y"] {
            assert_eq!(unescape_pointer_segment(&escape_pointer_segment(key)), key);
        }
    }

    #[test]
    fn block_scalars_start_at_their_indicator() {
        let (docs, problems) = parse("a: |\n  text\n  more\nb: >-\n  folded\n");
        assert!(problems.is_empty());
        let a = docs[0].root.get("a").unwrap().span;
        let b = docs[0].root.get("b").unwrap().span;
        assert_eq!((a.start.line, a.start.column), (1, 4));
        assert_eq!((b.start.line, b.start.column), (4, 4));
        // A comment after the header, and blank lines before the content.
        let (docs, _) = parse("c: |- # a|b\n\n  text\n");
        let c = docs[0].root.get("c").unwrap().span;
        assert_eq!((c.start.line, c.start.column), (1, 4));
    }

    #[test]
    fn spans_index_values_by_json_pointer() {
        let yaml = "kind: Component\nmetadata:\n  annotations:\n    a/b~c: x\nspec:\n  dependsOn:\n    - one\n    - two\n  definition:\n    deep:\n      deeper:\n        deepest: 1\n";
        let (docs, problems) = parse(yaml);
        assert!(problems.is_empty());
        let spans = Spans::of(&docs[0].root);
        let at = |p: &str| {
            let s = spans.span_of(p);
            (s.start.line, s.start.column)
        };
        assert_eq!(at("/kind"), (1, 7));
        // `/` and `~` in keys are escaped as JSON pointers escape them.
        assert_eq!(at("/metadata/annotations/a~1b~0c"), (4, 12));
        assert_eq!(at("/spec/dependsOn/1"), (8, 7));
        // Deeper than the index: the nearest indexed ancestor.
        assert_eq!(at("/spec/definition/deep/deeper/deepest"), (11, 7));
        assert_eq!(at("/spec/definition/deep/deeper/deepest/x/y"), (11, 7));
        // Not there at all: the document.
        assert_eq!(spans.get("/spec/owner"), None);
        assert_eq!(spans.span_of("/spec/owner"), docs[0].root.span);
        assert_eq!(spans.span_of(""), docs[0].root.span);
    }

    fn parse(text: &str) -> (Vec<Document>, Vec<Problem>) {
        parse_str(text, "f.yaml")
    }

    fn one(text: &str) -> Node {
        let (docs, problems) = parse(text);
        assert_eq!(problems, vec![], "unexpected problems");
        assert_eq!(docs.len(), 1);
        docs.into_iter().next().unwrap().root
    }

    fn rules(problems: &[Problem]) -> Vec<(String, u32, u32)> {
        problems
            .iter()
            .map(|p| (p.rule.clone(), p.span.start.line, p.span.start.column))
            .collect()
    }

    #[test]
    fn spans_are_one_based_and_keys_keep_their_own() {
        let root = one("kind: Component\nmetadata:\n  name: é-x\n  tags: [a, b]\n");
        let (k, v) = root.entry("kind").unwrap();
        assert_eq!(k.span, Span::new(Pos::new(1, 1), Pos::new(1, 5)));
        assert_eq!(v.span, Span::new(Pos::new(1, 7), Pos::new(1, 16)));
        let name = root.at_pointer("/metadata/name").unwrap();
        assert_eq!(name.span, Span::new(Pos::new(3, 9), Pos::new(3, 12)));
        let tags = root.at_pointer("/metadata/tags").unwrap();
        assert_eq!(tags.span, Span::new(Pos::new(4, 9), Pos::new(4, 15)));
        assert_eq!(
            root.at_pointer("/metadata/tags/1").unwrap().span.start,
            Pos::new(4, 13)
        );
        assert_eq!(
            root.key_at_pointer("/metadata/tags").unwrap().span.start,
            Pos::new(4, 3)
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let root = one("a: \"ééé\"\nb: 1\nc: [üüü, x]\n");
        assert_eq!(root.at_pointer("/c/1").unwrap().span.start, Pos::new(3, 10));
    }

    #[test]
    fn core_schema_scalars_as_the_yaml_npm_package_reads_them() {
        let root = one(concat!(
            "a: yes\nb: 0x1F\nc: .inf\nd: -.Inf\nf: 0o17\ng: 017\nh: 1e3\ni: 1_000\nj: +12\n",
            "l: ~\nm: Null\nn: TRUE\no: 1.\np: .5\nq: 0b101\nr: 2001-12-14\ns: !!str 12\n",
            "t: !!int '12'\nu: '12'\nv: 0x\nw: -0x1F\nx: on\ny: 1E3\nz: \nbig: 12345678901234567890\n",
            "neg: -7\nf2: -1.5e-3\nno: false\nver: 1.2.3\n"
        ));
        assert_eq!(
            root.to_json(),
            json!({"a": "yes", "b": 31, "c": null, "d": null, "f": 15, "g": 17, "h": 1000,
                "i": "1_000", "j": 12, "l": null, "m": null, "n": true, "o": 1, "p": 0.5,
                "q": "0b101", "r": "2001-12-14", "s": "12", "t": 12, "u": "12", "v": "0x",
                "w": "-0x1F", "x": "on", "y": 1000, "z": null, "big": 12345678901234567000.0,
                "neg": -7, "f2": -0.0015, "no": false, "ver": "1.2.3"})
        );
        assert_eq!(root.get("c").unwrap().value, Value::Float(f64::INFINITY));
        assert!(matches!(one("x: .nan").get("x").unwrap().value, Value::Float(f) if f.is_nan()));
    }

    #[test]
    fn non_string_keys_are_stringified_like_javascript() {
        let root = one("null: a\ntrue: b\n1.0: c\n1e3: d\n");
        assert_eq!(
            root.to_json(),
            json!({"": "a", "true": "b", "1": "c", "1000": "d"})
        );
    }

    #[test]
    fn collection_keys_are_stringified_in_flow_style() {
        let root = one("[a, b]: 1\n{a: 1}: 2\n[]: 3\n");
        assert_eq!(
            root.to_json(),
            json!({"[ a, b ]": 1, "{ a: 1 }": 2, "[]": 3})
        );
    }

    #[test]
    fn tab_after_colon_is_white_space() {
        let root = one("a:\tb\nc:\t[1,\t2]\nd: 'x:\ty'\n");
        assert_eq!(root.to_json(), json!({"a": "b", "c": [1, 2], "d": "x:\ty"}));
        assert_eq!(root.get("c").unwrap().span.start, Pos::new(2, 4));
    }

    #[test]
    fn unknown_tags_load_as_their_underlying_node() {
        let root = one(concat!(
            "a: !ENV 123\nb: !ENV [x, y]\nc: !!python/name:foo.bar\nd: !relative x\n",
            "e: !include {k: 1}\nf: !ENV true\ng: !!python/name:material.extensions.emoji.twemoji ''\n"
        ));
        assert_eq!(
            root.to_json(),
            json!({"a": "123", "b": ["x", "y"], "c": "", "d": "x", "e": {"k": 1}, "f": "true", "g": ""})
        );
        assert_eq!(root.get("a").unwrap().tag.as_deref(), Some("!ENV"));
        assert_eq!(root.get("b").unwrap().tag.as_deref(), Some("!ENV"));
        assert_eq!(
            root.get("c").unwrap().tag.as_deref(),
            Some("!!python/name:foo.bar")
        );
        assert_eq!(root.get("e").unwrap().tag.as_deref(), Some("!include"));
    }

    #[test]
    fn multi_document_indexes_count_empty_documents() {
        let (docs, problems) = parse("---\n---\na: 1\n---\n# only a comment\n---\nb: 2\n...\n");
        assert!(problems.is_empty());
        let got: Vec<_> = docs.iter().map(|d| (d.index, d.root.to_json())).collect();
        assert_eq!(got, vec![(1, json!({"a": 1})), (3, json!({"b": 2}))]);
        let (docs, _) = parse("# nothing\n");
        assert!(docs.is_empty());
    }

    #[test]
    fn bom_and_crlf() {
        let (docs, problems) = parse("\u{feff}a: 1\r\nb: [x,\r\n  y]\r\nc: d\r\n");
        assert!(problems.is_empty());
        let root = &docs[0].root;
        assert_eq!(root.to_json(), json!({"a": 1, "b": ["x", "y"], "c": "d"}));
        assert_eq!(root.entry("a").unwrap().0.span.start, Pos::new(1, 1));
        assert_eq!(root.get("c").unwrap().span.start, Pos::new(4, 4));
    }

    #[test]
    fn duplicate_key_is_an_error_at_the_second_key() {
        let (docs, problems) = parse("a: 1\nb:\n  c: 1\n  c: 2\n");
        assert_eq!(rules(&problems), vec![("yaml/duplicate-key".into(), 4, 3)]);
        assert_eq!(
            problems[0].message,
            "duplicate key `c` (first defined at line 3)"
        );
        assert_eq!(problems[0].document, Some(0));
        // The document is kept (first value wins) so the rest of it is still checked.
        assert_eq!(docs[0].root.to_json(), json!({"a": 1, "b": {"c": 1}}));
        // `1` and `"1"` are different keys; `1` and `1.0` are the same.
        assert!(parse("1: a\n'1': b\n").1.is_empty());
        assert_eq!(parse("1: a\n1.0: b\n").1.len(), 1);
    }

    #[test]
    fn syntax_error_at_its_place_and_later_documents_still_read() {
        let (docs, problems) = parse("a: 1\n---\nb: : c\n---\nc: 3\n");
        assert_eq!(rules(&problems), vec![("yaml/syntax".into(), 3, 4)]);
        assert_eq!(problems[0].document, Some(1));
        let got: Vec<_> = docs.iter().map(|d| (d.index, d.root.to_json())).collect();
        assert_eq!(got, vec![(0, json!({"a": 1})), (2, json!({"c": 3}))]);

        let (docs, problems) = parse("a: [1\n---\nb: 2\n");
        assert_eq!(rules(&problems), vec![("yaml/syntax".into(), 2, 1)]);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].index, 1);
    }

    #[test]
    fn undefined_alias_is_a_syntax_error() {
        let (_, problems) = parse("a: &x 1\nb: *y\n");
        assert_eq!(rules(&problems), vec![("yaml/syntax".into(), 2, 4)]);
    }

    #[test]
    fn aliases_expand_and_merge_keys_are_plain_keys() {
        let root = one("x: &a {k: [1, 2]}\ny: *a\n<<: *a\n");
        assert_eq!(
            root.to_json(),
            json!({"x": {"k": [1, 2]}, "y": {"k": [1, 2]}, "<<": {"k": [1, 2]}})
        );
        // The alias node points at the alias, not at the anchor.
        assert_eq!(root.get("y").unwrap().span.start, Pos::new(2, 4));
    }

    #[test]
    fn billion_laughs_is_an_error_not_a_hang() {
        let mut text = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for i in 0..9u8 {
            let (name, prev) = ((b'b' + i) as char, (b'a' + i) as char);
            let items = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{items}]\n"));
        }
        let (docs, problems) = parse(&text);
        assert!(docs.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].rule, "yaml/alias-budget");
        // Like the `yaml` npm package: an anchor and its aliases counting more than 100 uses
        // are refused too (the anchored node counts as one).
        let mut text = String::from("a: &a x\nb:\n");
        text.push_str(&"  - *a\n".repeat(100));
        assert_eq!(
            rules(&parse(&text).1),
            vec![("yaml/alias-budget".into(), 102, 5)]
        );
        let mut text = String::from("a: &a x\nb:\n");
        text.push_str(&"  - *a\n".repeat(99));
        assert!(parse(&text).1.is_empty());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for text in [
            "[".repeat(20_000),
            "{a: ".repeat(20_000),
            format!("{}x\n", "- ".repeat(20_000)),
            (0..2_000)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect(),
        ] {
            let (docs, problems) = parse(&text);
            assert!(docs.is_empty());
            assert_eq!(problems.len(), 1, "{:?}", problems);
            assert!(
                problems[0].rule == "yaml/depth" || problems[0].rule == "yaml/syntax",
                "{:?}",
                problems[0]
            );
        }
        // Reasonable depth is fine.
        let text = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(parse(&text).1, vec![]);
    }

    #[test]
    fn ten_megabyte_line_is_fine() {
        let text = format!("a: {}\nb: 1\n", "x".repeat(10 * 1024 * 1024));
        let (docs, problems) = parse(&text);
        assert!(problems.is_empty());
        assert_eq!(
            docs[0].root.get("a").unwrap().as_str().unwrap().len(),
            10 << 20
        );
        assert_eq!(docs[0].root.get("b").unwrap().span.start, Pos::new(2, 4));
    }

    #[test]
    fn invalid_utf8_and_binary_are_encoding_errors_at_their_place() {
        let (docs, problems) = parse_bytes(b"a: 1\nb: x\xff\n", "f.yaml");
        assert!(docs.is_empty());
        assert_eq!(rules(&problems), vec![("yaml/encoding".into(), 2, 5)]);
        assert_eq!(
            problems[0].message,
            "file is not valid UTF-8: invalid byte 0xFF"
        );
        let (_, problems) = parse_bytes(b"\x89PNG\r\n\x1a\n\x00\x00", "f.yaml");
        assert_eq!(problems[0].rule, "yaml/encoding");
        assert!(problems[0].message.contains("binary"));
    }

    #[test]
    fn files_over_the_limit_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        let source = SourceFile {
            path: path.clone(),
            display: "big.yaml".into(),
            repo: dir.path().to_path_buf(),
        };
        let parsed = parse_file(&source);
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].rule, "io/too-large");
        let missing = SourceFile {
            path: dir.path().join("nope.yaml"),
            ..source
        };
        assert_eq!(parse_file(&missing).problems[0].rule, "io/unreadable");
    }
}
