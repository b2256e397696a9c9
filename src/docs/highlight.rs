//! Fenced code → classed HTML at build time. The common languages go through tree-sitter
//! (`tree-sitter-highlight` with each grammar's own highlight queries): it parses 2–5× faster
//! than syntect's regex grammars, and highlighting was the largest part of a docs build.
//! Every other language goes through syntect with bat's syntax set (two-face). Output uses CSS
//! classes (`hl-…`, named after TextMate scope atoms for both highlighters), never inline
//! styles, so one stylesheet (`assets/syntax.css`) decides the colours.

use std::fmt::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use syntect::html::{line_tokens_to_classed_spans, ClassStyle};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Makes tree-sitter's `calloc` write its zeroes. Compiling a grammar's highlight query
/// allocates a table of a few MB per language (`StatePredecessorMap`: states × 257 ×
/// 2 bytes) with `calloc`, which hands out untouched pages; the analysis then reads each
/// page before writing it, so every page is first mapped to the shared zero page and then
/// copied on write, and each copy flushes the TLB of the other cores (an interprocessor
/// interrupt, costly in a VM). Written at once, each page takes one ordinary fault. On the
/// 2,000-page bench, compiling the queries took 40% less CPU time, the whole build 9% less.
///
/// Call before any thread uses tree-sitter; idempotent. The functions stay those of the C
/// library, so memory allocated before the call is freed correctly after it.
pub fn prepare() {
    #[cfg(target_os = "linux")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        unsafe extern "C" fn calloc_written(n: usize, size: usize) -> *mut libc::c_void {
            let Some(bytes) = n.checked_mul(size) else {
                return std::ptr::null_mut();
            };
            // SAFETY: malloc's result is checked; writing `bytes` zeroes stays inside it.
            unsafe {
                let p = libc::malloc(bytes.max(1));
                if !p.is_null() {
                    std::ptr::write_bytes(p.cast::<u8>(), 0, bytes);
                }
                p
            }
        }
        // SAFETY: runs once, before the docs stage starts threads that use tree-sitter; the
        // allocator stays the C library's (malloc, realloc, free), only calloc writes.
        ONCE.call_once(|| unsafe {
            tree_sitter::set_allocator(
                Some(libc::malloc),
                Some(calloc_written),
                Some(libc::realloc),
                Some(libc::free),
            );
        });
    }
}

pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// bat's syntax set: syntect's defaults plus Dockerfile, GraphQL, Protocol Buffers, TOML,
/// Terraform and many more. Loaded once per process, on first use.
pub fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Languages whose fences are diagrams or other content MkDocs plugins render; portico shows
/// them as code and says once that they were skipped.
pub fn is_unsupported_renderer(lang: &str) -> bool {
    let lang = lang.to_ascii_lowercase();
    matches!(
        lang.as_str(),
        "plantuml" | "puml" | "graphviz" | "dot" | "d2" | "vega" | "vega-lite" | "math"
    ) || lang.starts_with("kroki")
}

/// Common fence names syntect's default set knows under another name.
fn alias(lang: &str) -> &str {
    match lang {
        "ts" | "typescript" | "tsx" | "jsx" | "javascript" | "js" | "mjs" | "cjs" => "js",
        "sh" | "shell" | "console" | "zsh" | "shell-session" | "bash" => "bash",
        "yml" | "yaml" => "yaml",
        "py" | "python3" | "python" => "py",
        "jsonc" | "json5" | "json" => "json",
        "golang" | "go" => "go",
        "rs" | "rust" => "rs",
        "kt" | "kotlin" => "java",
        "docker" | "containerfile" => "dockerfile",
        "toml" | "ini" | "cfg" | "conf" => "ini",
        other => other,
    }
}

pub fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    if lang.is_empty() {
        return None;
    }
    let lower = lang.to_ascii_lowercase();
    let name = alias(&lower);
    if name.is_empty() {
        return None;
    }
    let set = syntax_set();
    set.find_syntax_by_token(name)
        .or_else(|| set.find_syntax_by_token(&lower))
}

/// Highlights `code` line by line; each line is balanced HTML so that highlighted lines
/// (`hl_lines`, 1-based) can be wrapped in `<span class="hll">`. Unknown languages are
/// escaped as plain text.
pub fn highlight(code: &str, lang: &str, hl_lines: &[(usize, usize)]) -> String {
    // Both highlighters slow down with nesting depth (tree-sitter's query cursor walks up
    // the tree for every node: 50,000 open brackets took 30 s), and the Python and YAML
    // scanners overflow their 1 KiB state (an assertion: the process aborts) past a few
    // hundred indentation levels. No real code nests this deep: such a block is plain text.
    // (YAML has a second, exact bound below: `tree::fits_scanner`.)
    if bracket_depth(code) > MAX_NESTING || max_indent(code) > MAX_INDENT {
        return plain(code, hl_lines);
    }
    let mut out = String::with_capacity(code.len() * 2);
    if let Some(config) = tree::config(lang).filter(|_| tree::fits_scanner(lang, code)) {
        if tree::highlight(code, config, hl_lines, &mut out) {
            return out;
        }
        out.clear();
    }
    let syntax = find_syntax(lang);
    let mut state = syntax.map(ParseState::new);
    let mut stack = ScopeStack::new();
    for (i, line) in LinesWithEndings::from(code).enumerate() {
        push_line(&mut out, hl_lines, i + 1, |out| {
            let mut done = false;
            if let Some(st) = state.as_mut() {
                if let Ok(ops) = st.parse_line(line, syntax_set()) {
                    // Re-open the scopes still open from earlier lines, so each line is
                    // balanced.
                    let before = stack.as_slice().len();
                    for scope in stack.as_slice() {
                        out.push_str("<span class=\"");
                        push_scope_classes(out, *scope);
                        out.push_str("\">");
                    }
                    if let Ok((html, delta)) =
                        line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut stack)
                    {
                        out.push_str(&html);
                        let open = before as isize + delta;
                        for _ in 0..open.max(0) {
                            out.push_str("</span>");
                        }
                        done = true;
                    } else {
                        for _ in 0..before {
                            out.push_str("</span>");
                        }
                    }
                }
                if !done {
                    // A grammar failure degrades to plain text for the rest of the block.
                    state = None;
                }
            }
            if !done {
                escape_into(out, line);
            }
        });
    }
    out
}

/// Blocks already highlighted in one build, by language, marked lines and code: a hit gives
/// the bytes highlighting again would give (`highlight` is a function of those three alone).
///
/// Docs repeat code blocks: repositories made from the same template share their setup,
/// deploy and runbook snippets. In the 100,000-page bench corpus 44% of the 190,000 blocks
/// repeat an earlier one, and highlighting is about a quarter of the build's CPU time.
///
/// Bounded: once `budget` bytes are kept, blocks not yet kept are highlighted every time.
/// Blocks over `MEMO_MAX_CODE` bytes are never kept (an API definition is seldom repeated
/// and would crowd out many snippets).
pub struct Memo {
    shards: Box<[std::sync::Mutex<MemoMap>]>,
    /// Picks a block's shard; seeded apart from the maps', so that the keys of one shard
    /// still spread over all of its map's buckets.
    shard_of: foldhash::fast::RandomState,
    kept: AtomicUsize,
    blocks: AtomicUsize,
    hits: AtomicUsize,
    budget: usize,
}

/// Randomly seeded hashing (the memo is never iterated, so nothing written depends on the
/// seed): code blocks chosen to collide cannot slow a build down.
type MemoMap = std::collections::HashMap<String, Arc<str>, foldhash::fast::RandomState>;

/// The largest block a [`Memo`] keeps, in bytes of code.
pub const MEMO_MAX_CODE: usize = 16 * 1024;

/// What a build's [`Memo`] keeps at most: about a tenth of the 2 GiB a 100,000-page build
/// may use.
pub const MEMO_BUDGET: usize = 192 * 1024 * 1024;

impl Default for Memo {
    fn default() -> Self {
        Memo::with_budget(MEMO_BUDGET)
    }
}

impl Memo {
    pub fn with_budget(budget: usize) -> Self {
        Memo {
            shards: (0..16).map(|_| Default::default()).collect(),
            shard_of: Default::default(),
            kept: AtomicUsize::new(0),
            blocks: AtomicUsize::new(0),
            hits: AtomicUsize::new(0),
            budget,
        }
    }

    /// Appends `highlight(code, lang, hl_lines)` to `out`.
    pub fn highlight_into(
        &self,
        out: &mut String,
        code: &str,
        lang: &str,
        hl_lines: &[(usize, usize)],
    ) {
        self.blocks.fetch_add(1, Ordering::Relaxed);
        if code.len() > MEMO_MAX_CODE {
            out.push_str(&highlight(code, lang, hl_lines));
            return;
        }
        // The key, unambiguous whatever the strings hold: the language after its length,
        // the marked line ranges after their count, then the code.
        let mut key = String::with_capacity(lang.len() + code.len() + 16);
        let _ = write!(key, "{}:{lang}{}:", lang.len(), hl_lines.len());
        for (a, b) in hl_lines {
            let _ = write!(key, "{a}-{b},");
        }
        key.push_str(code);
        use std::hash::BuildHasher;
        let shard = &self.shards[self.shard_of.hash_one(&key) as usize % self.shards.len()];
        let found = shard
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        if let Some(html) = found {
            self.hits.fetch_add(1, Ordering::Relaxed);
            out.push_str(&html);
            return;
        }
        let html = highlight(code, lang, hl_lines);
        out.push_str(&html);
        let size = key.len() + html.len();
        if self.kept.load(Ordering::Relaxed) + size <= self.budget {
            let mut map = shard.lock().unwrap_or_else(|e| e.into_inner());
            if let std::collections::hash_map::Entry::Vacant(slot) = map.entry(key) {
                self.kept.fetch_add(size, Ordering::Relaxed);
                slot.insert(html.into());
            }
        }
    }

    /// Blocks highlighted through the memo, those of them given from it, and bytes kept
    /// (for `PORTICO_TIMINGS`).
    pub fn stats(&self) -> (usize, usize, usize) {
        (
            self.blocks.load(Ordering::Relaxed),
            self.hits.load(Ordering::Relaxed),
            self.kept.load(Ordering::Relaxed),
        )
    }
}

/// Deepest bracket nesting highlighted; deeper code is shown as plain text.
pub const MAX_NESTING: usize = 200;

/// The deepest nesting of `(`, `[` and `{` in `code` (strings and comments not told apart:
/// a bound, not a parse).
fn bracket_depth(code: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in code.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Widest indentation highlighted, in columns (a tab counts 8, as the Python scanner counts).
pub const MAX_INDENT: usize = 160;

/// The widest leading white space of any line of `code`, in columns.
fn max_indent(code: &str) -> usize {
    code.lines()
        .map(|l| {
            l.bytes()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .map(|b| if b == b'\t' { 8 } else { 1 })
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0)
}

/// `code` escaped, lines in `hl_lines` marked.
fn plain(code: &str, hl_lines: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(code.len() + 16);
    for (i, line) in LinesWithEndings::from(code).enumerate() {
        push_line(&mut out, hl_lines, i + 1, |out| escape_into(out, line));
    }
    out
}

/// Whether `lang` (a fence name or file extension) is highlighted by tree-sitter.
pub fn has_tree_grammar(lang: &str) -> bool {
    tree::lang_of(lang).is_some()
}

/// Appends line `n` (1-based) as `write` makes it, wrapped in `<span class="hll">` when it
/// is one of `hl_lines` (its newline inside, so that the whole line is marked).
fn push_line(
    out: &mut String,
    hl_lines: &[(usize, usize)],
    n: usize,
    write: impl FnOnce(&mut String),
) {
    let marked = hl_lines.iter().any(|&(a, b)| a <= n && n <= b);
    if marked {
        out.push_str("<span class=\"hll\">");
    }
    write(out);
    if marked {
        out.push_str("</span>");
    }
}

/// The tree-sitter side: one highlight configuration per language, built on first use (its
/// queries take a few ms to compile), and one highlighter per thread.
mod tree {
    use std::cell::RefCell;
    use std::sync::OnceLock;
    use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

    /// The capture names portico colours and the classes each gets: syntect scope atoms, so
    /// the stylesheet made from syntect's themes colours both highlighters alike. A capture
    /// takes the longest name here that prefixes it (`function.method` → `function`); plain
    /// `variable` and `embedded` are left uncoloured, as TextMate themes leave them.
    const CLASSES: &[(&str, &str)] = &[
        ("attribute", "hl-entity hl-other hl-attribute-name"),
        ("boolean", "hl-constant hl-language"),
        ("comment", "hl-comment"),
        ("conditional", "hl-keyword"),
        ("constant", "hl-constant hl-other"),
        ("constant.builtin", "hl-constant hl-language"),
        ("constructor", "hl-entity hl-name hl-class"),
        ("escape", "hl-constant hl-character"),
        ("field", "hl-variable hl-other hl-member"),
        ("float", "hl-constant hl-numeric"),
        ("function", "hl-entity hl-name hl-function"),
        ("function.builtin", "hl-support hl-function"),
        ("keyword", "hl-keyword"),
        ("keyword.operator", "hl-keyword hl-operator"),
        ("label", "hl-entity hl-name hl-tag"),
        ("module", "hl-entity hl-name hl-namespace"),
        ("number", "hl-constant hl-numeric"),
        ("operator", "hl-keyword hl-operator"),
        ("parameter", "hl-variable hl-parameter"),
        ("property", "hl-variable hl-other hl-member"),
        ("punctuation", "hl-punctuation"),
        ("storageclass", "hl-storage"),
        ("string", "hl-string"),
        ("string.escape", "hl-constant hl-character"),
        ("string.special", "hl-string hl-other"),
        ("string.special.key", "hl-entity hl-name hl-tag"),
        ("tag", "hl-entity hl-name hl-tag"),
        ("type", "hl-storage hl-type"),
        ("type.builtin", "hl-storage hl-type"),
        ("type.qualifier", "hl-storage"),
        ("variable.builtin", "hl-variable hl-language"),
        ("variable.parameter", "hl-variable hl-parameter"),
    ];

    /// The `class="…"` attribute of each entry of `CLASSES`, by `Highlight` index.
    fn attributes() -> &'static [String] {
        static A: OnceLock<Vec<String>> = OnceLock::new();
        A.get_or_init(|| {
            CLASSES
                .iter()
                .map(|(_, c)| format!("class=\"{c}\""))
                .collect()
        })
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) enum Lang {
        Bash,
        Go,
        Hcl,
        Java,
        JavaScript,
        Json,
        Python,
        Rust,
        Sql,
        Toml,
        TypeScript,
        Yaml,
    }

    pub(super) const ALL: [Lang; 12] = [
        Lang::Bash,
        Lang::Go,
        Lang::Hcl,
        Lang::Java,
        Lang::JavaScript,
        Lang::Json,
        Lang::Python,
        Lang::Rust,
        Lang::Sql,
        Lang::Toml,
        Lang::TypeScript,
        Lang::Yaml,
    ];

    /// The tree-sitter language for a fence name (case-insensitive), if portico has one.
    pub(super) fn lang_of(name: &str) -> Option<Lang> {
        Some(match name.to_ascii_lowercase().as_str() {
            "bash" | "sh" | "shell" | "zsh" | "console" | "shell-session" | "shellsession" => {
                Lang::Bash
            }
            "go" | "golang" => Lang::Go,
            "hcl" | "terraform" | "tf" | "tfvars" => Lang::Hcl,
            "java" => Lang::Java,
            "js" | "javascript" | "jsx" | "mjs" | "cjs" | "node" => Lang::JavaScript,
            "json" | "jsonc" | "json5" | "geojson" => Lang::Json,
            "py" | "python" | "python3" | "py3" => Lang::Python,
            "rs" | "rust" => Lang::Rust,
            "sql" | "postgresql" | "postgres" | "psql" | "mysql" | "sqlite" | "plsql" => Lang::Sql,
            "toml" => Lang::Toml,
            "ts" | "typescript" | "mts" | "cts" => Lang::TypeScript,
            "yaml" | "yml" => Lang::Yaml,
            _ => return None,
        })
    }

    fn build(lang: Lang) -> Option<HighlightConfiguration> {
        use tree_sitter_javascript as js;
        use tree_sitter_typescript as ts;
        let (language, name, query): (tree_sitter::Language, &str, std::borrow::Cow<str>) =
            match lang {
                Lang::Bash => (
                    tree_sitter_bash::LANGUAGE.into(),
                    "bash",
                    tree_sitter_bash::HIGHLIGHT_QUERY.into(),
                ),
                Lang::Go => (tree_sitter_go::LANGUAGE.into(), "go", go_query().into()),
                Lang::Hcl => (
                    tree_sitter_hcl::LANGUAGE.into(),
                    "hcl",
                    include_str!("queries/hcl.scm").into(),
                ),
                Lang::Java => (
                    tree_sitter_java::LANGUAGE.into(),
                    "java",
                    tree_sitter_java::HIGHLIGHTS_QUERY.into(),
                ),
                Lang::JavaScript => (
                    js::LANGUAGE.into(),
                    "javascript",
                    format!("{}\n{}", js::HIGHLIGHT_QUERY, js::JSX_HIGHLIGHT_QUERY).into(),
                ),
                Lang::Json => (
                    tree_sitter_json::LANGUAGE.into(),
                    "json",
                    tree_sitter_json::HIGHLIGHTS_QUERY.into(),
                ),
                Lang::Python => (
                    tree_sitter_python::LANGUAGE.into(),
                    "python",
                    tree_sitter_python::HIGHLIGHTS_QUERY.into(),
                ),
                Lang::Rust => (
                    tree_sitter_rust::LANGUAGE.into(),
                    "rust",
                    tree_sitter_rust::HIGHLIGHTS_QUERY.into(),
                ),
                Lang::Sql => (
                    tree_sitter_sequel::LANGUAGE.into(),
                    "sql",
                    tree_sitter_sequel::HIGHLIGHTS_QUERY.into(),
                ),
                Lang::Toml => (
                    tree_sitter_toml_ng::LANGUAGE.into(),
                    "toml",
                    tree_sitter_toml_ng::HIGHLIGHTS_QUERY.into(),
                ),
                // TypeScript's queries only add to JavaScript's; they come after them so that
                // they win where both match. Not TSX: its query cursor hung on broken input.
                Lang::TypeScript => (
                    ts::LANGUAGE_TYPESCRIPT.into(),
                    "typescript",
                    format!("{}\n{}", js::HIGHLIGHT_QUERY, ts::HIGHLIGHTS_QUERY).into(),
                ),
                Lang::Yaml => (
                    tree_sitter_yaml::LANGUAGE.into(),
                    "yaml",
                    tree_sitter_yaml::HIGHLIGHTS_QUERY.into(),
                ),
            };
        // No injection or locals queries: code blocks are one language, and scope tracking
        // would cost more than the colour it adds.
        let mut config = HighlightConfiguration::new(language, name, &query, "", "").ok()?;
        let names: Vec<&str> = CLASSES.iter().map(|(n, _)| *n).collect();
        config.configure(&names);
        Some(config)
    }

    /// The generic identifier patterns of Go's query stand after the specific ones, written
    /// for "first pattern wins"; tree-sitter-highlight lets the last matching pattern win (as
    /// the other grammars' queries expect), so they move to the front.
    pub(super) const GO_GENERIC: &str =
        "(type_identifier) @type\n(field_identifier) @property\n(identifier) @variable\n";

    pub(super) fn go_query() -> String {
        let q = tree_sitter_go::HIGHLIGHTS_QUERY;
        match q.find(GO_GENERIC) {
            Some(i) => format!("{GO_GENERIC}{}{}", &q[..i], &q[i + GO_GENERIC.len()..]),
            None => q.to_string(),
        }
    }

    /// The most indentation levels tree-sitter-yaml 0.7's scanner can save: it writes a
    /// 10-byte header and 4 bytes a level into tree-sitter's 1,024-byte state buffer, checking
    /// the size only before each level, so a 254th level writes past the end and tree-sitter
    /// aborts the process.
    pub(super) const YAML_MAX_LEVELS: usize = 253;

    /// Whether the external scanner of `name`'s grammar is sure to stay inside its state
    /// buffer on `code`. Only YAML's needs a check (Python's saves at most 577 bytes under
    /// `MAX_INDENT`). Every level the YAML scanner pushes is pushed by the token it returns:
    /// `-`, `?` or `:` followed by white space or the end, or a block scalar's `|` or `>`; and
    /// tree-sitter restores the scanner's state before each token. So no parse stack holds
    /// more levels than `code` has such characters, and counting them is a proof, not a guess.
    pub(super) fn fits_scanner(name: &str, code: &str) -> bool {
        lang_of(name) != Some(Lang::Yaml) || yaml_push_sites(code) <= YAML_MAX_LEVELS
    }

    /// The characters of `code` where the YAML scanner may push an indentation level.
    pub(super) fn yaml_push_sites(code: &str) -> usize {
        let b = code.as_bytes();
        b.iter()
            .enumerate()
            .filter(|&(i, &c)| match c {
                b'|' | b'>' => true,
                b'-' | b'?' | b':' => {
                    matches!(b.get(i + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
                }
                _ => false,
            })
            .count()
    }

    /// The configuration for fence language `name`, or `None` (syntect's turn).
    pub(super) fn config(name: &str) -> Option<&'static HighlightConfiguration> {
        static CONFIGS: [OnceLock<Option<HighlightConfiguration>>; ALL.len()] =
            [const { OnceLock::new() }; ALL.len()];
        let lang = lang_of(name)?;
        let i = ALL.iter().position(|l| *l == lang)?;
        CONFIGS[i].get_or_init(|| build(lang)).as_ref()
    }

    thread_local! {
        static HIGHLIGHTER: RefCell<Highlighter> = RefCell::new(Highlighter::new());
    }

    /// `<span class="…">` of each entry of `CLASSES`, by `Highlight` index.
    fn open_tags() -> &'static [String] {
        static T: OnceLock<Vec<String>> = OnceLock::new();
        T.get_or_init(|| attributes().iter().map(|a| format!("<span {a}>")).collect())
    }

    /// Appends the highlighted lines of `code` to `out`, each balanced (spans still open at
    /// the end of a line are closed there and opened again on the next), lines in `hl_lines`
    /// wrapped in `<span class="hll">`. False when tree-sitter fails (then `out` holds a
    /// partial result).
    ///
    /// The output is byte for byte what tree-sitter-highlight's `HtmlRenderer` gives, line
    /// by line, (a test compares the two), written straight into `out`: the renderer copies
    /// the text byte by byte into a buffer of its own, and that was a fifth of highlighting.
    pub(super) fn highlight(
        code: &str,
        config: &HighlightConfiguration,
        hl_lines: &[(usize, usize)],
        out: &mut String,
    ) -> bool {
        if code.is_empty() {
            return true;
        }
        let tags = open_tags();
        HIGHLIGHTER.with(|h| {
            let mut highlighter = h.borrow_mut();
            let Ok(events) = highlighter.highlight(config, code.as_bytes(), None, |_| None) else {
                return false;
            };
            let mut w = LineWriter {
                out,
                hl_lines,
                line: 1,
                started: false,
                marked: false,
                stack: Vec::new(),
                tags,
            };
            for event in events {
                match event {
                    Ok(HighlightEvent::HighlightStart(h)) => {
                        w.begin();
                        w.out.push_str(&tags[h.0]);
                        w.stack.push(h.0);
                    }
                    Ok(HighlightEvent::HighlightEnd) => {
                        w.begin();
                        w.out.push_str("</span>");
                        w.stack.pop();
                    }
                    Ok(HighlightEvent::Source { start, end }) => match code.get(start..end) {
                        Some(text) => w.text(text),
                        None => return false,
                    },
                    Err(_) => return false,
                }
            }
            // The last line, when something follows the last newline (tree-sitter's renderer
            // ends it with a newline, which stays only when the code has one there). There
            // is always a first line, even when nothing was written (code of only `\r`).
            if w.line == 1 {
                w.begin();
            }
            if w.started {
                if code.ends_with('\n') {
                    w.out.push('\n');
                }
                if w.marked {
                    w.out.push_str("</span>");
                }
            }
            true
        })
    }

    struct LineWriter<'a> {
        out: &'a mut String,
        hl_lines: &'a [(usize, usize)],
        /// 1-based number of the current line.
        line: usize,
        /// Whether anything of the current line was written (a line is only started by
        /// what is written on it, so a final newline does not make an empty last line).
        started: bool,
        /// Whether the current line is wrapped in `<span class="hll">`.
        marked: bool,
        /// The open highlights, innermost last.
        stack: Vec<usize>,
        tags: &'static [String],
    }

    impl LineWriter<'_> {
        fn begin(&mut self) {
            if !self.started {
                self.started = true;
                let n = self.line;
                self.marked = self.hl_lines.iter().any(|&(a, b)| a <= n && n <= b);
                if self.marked {
                    self.out.push_str("<span class=\"hll\">");
                }
            }
        }

        /// Source text: escaped as tree-sitter's renderer escapes it (`& < > " '`), carriage
        /// returns dropped, and at each newline the line ended.
        fn text(&mut self, text: &str) {
            for (k, line) in text.split('\n').enumerate() {
                if k > 0 {
                    self.newline();
                }
                for run in line.split('\r').filter(|r| !r.is_empty()) {
                    self.begin();
                    let out = &mut *self.out;
                    crate::render::graph::esc_each(run, |part| out.push_str(part));
                }
            }
        }

        /// Ends the line: the open spans closed, the newline, and the spans opened again on
        /// the next line.
        fn newline(&mut self) {
            self.begin();
            for _ in 0..self.stack.len() {
                self.out.push_str("</span>");
            }
            self.out.push('\n');
            if self.marked {
                self.out.push_str("</span>");
            }
            self.line += 1;
            self.started = false;
            if !self.stack.is_empty() {
                self.begin();
                for &h in &self.stack {
                    self.out.push_str(&self.tags[h]);
                }
            }
        }
    }

    /// The same lines through tree-sitter-highlight's own `HtmlRenderer`: what `highlight`
    /// must give, byte for byte.
    #[cfg(test)]
    pub(super) fn highlight_with_renderer(
        code: &str,
        config: &HighlightConfiguration,
        hl_lines: &[(usize, usize)],
    ) -> Option<String> {
        if code.is_empty() {
            return Some(String::new());
        }
        let attrs = attributes();
        let mut highlighter = Highlighter::new();
        let mut renderer = tree_sitter_highlight::HtmlRenderer::new();
        let events = highlighter
            .highlight(config, code.as_bytes(), None, |_| None)
            .ok()?;
        let callback = |h: tree_sitter_highlight::Highlight, o: &mut Vec<u8>| {
            o.extend_from_slice(attrs[h.0].as_bytes())
        };
        renderer.render(events, code.as_bytes(), &callback).ok()?;
        let mut out = String::new();
        let mut lines = renderer.lines().enumerate().peekable();
        while let Some((i, line)) = lines.next() {
            let line = match lines.peek() {
                None if !code.ends_with('\n') => line.strip_suffix('\n').unwrap_or(line),
                _ => line,
            };
            super::push_line(&mut out, hl_lines, i + 1, |out| out.push_str(line));
        }
        Some(out)
    }
}

fn push_scope_classes(out: &mut String, scope: syntect::parsing::Scope) {
    let name = scope.build_string();
    for (i, atom) in name.split('.').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "hl-{atom}");
    }
}

/// Appends `text` escaped for HTML text and double-quoted attributes (`& < > "`).
pub fn escape_into(out: &mut String, text: &str) {
    crate::render::graph::esc_text_each(text, |part| out.push_str(part));
}

pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    escape_into(&mut s, text);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn via(memo: &Memo, code: &str, lang: &str, hl: &[(usize, usize)]) -> String {
        let mut out = String::new();
        memo.highlight_into(&mut out, code, lang, hl);
        out
    }

    #[test]
    fn the_memo_gives_what_highlighting_gives_and_keys_on_all_three_inputs() {
        let memo = Memo::default();
        let code = "x = {\"a\": 1}\nprint(x)\n";
        let cases: [(&str, &[(usize, usize)]); 5] = [
            ("python", &[]),
            ("python", &[(2, 2)]),
            ("python", &[(1, 2)]),
            ("json", &[]),
            ("bash", &[]),
        ];
        for round in 0..2 {
            for (lang, hl) in cases {
                assert_eq!(
                    via(&memo, code, lang, hl),
                    highlight(code, lang, hl),
                    "{lang} {hl:?}"
                );
            }
            // First round: every case made and kept; second: every case from the memo.
            assert_eq!(memo.stats().1, round * cases.len());
        }
        // Different code in the same language is not a hit.
        let other = "y = 2\n";
        assert_eq!(
            via(&memo, other, "python", &[]),
            highlight(other, "python", &[])
        );
        assert_eq!(memo.stats().1, cases.len());
        // Outputs differ between the cases, so a key that dropped one input would fail above.
        assert_ne!(
            highlight(code, "python", &[]),
            highlight(code, "python", &[(2, 2)])
        );
        assert_ne!(highlight(code, "python", &[]), highlight(code, "json", &[]));
    }

    #[test]
    fn a_full_memo_or_a_large_block_still_highlights_but_keeps_nothing() {
        let memo = Memo::with_budget(0);
        for _ in 0..2 {
            assert_eq!(
                via(&memo, "a: 1\n", "yaml", &[]),
                highlight("a: 1\n", "yaml", &[])
            );
        }
        assert_eq!(memo.stats(), (2, 0, 0));
        let memo = Memo::default();
        let big = "a: 1\n".repeat(MEMO_MAX_CODE / 5 + 1);
        for _ in 0..2 {
            assert_eq!(via(&memo, &big, "yaml", &[]), highlight(&big, "yaml", &[]));
        }
        assert_eq!(memo.stats(), (2, 0, 0));
        // Under the budget, a block is kept with its key.
        via(&memo, "a: 1\n", "yaml", &[]);
        assert!(memo.stats().2 > "a: 1\n".len());
    }

    #[test]
    fn highlights_with_classes_not_styles() {
        let html = highlight("fn main() {}\n", "rust", &[]);
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(html.contains("main"));
    }

    #[test]
    fn every_tree_sitter_grammar_and_query_loads() {
        for lang in tree::ALL {
            let name = format!("{lang:?}").to_lowercase();
            assert_eq!(tree::lang_of(&name), Some(lang), "{name}");
            assert!(
                tree::config(&name).is_some(),
                "{name}: query does not compile"
            );
        }
    }

    #[test]
    fn tree_sitter_languages_get_scope_classes() {
        let cases = [
            ("python", "def f(x):\n    return \"s\"  # c\n", "hl-keyword"),
            ("ts", "const n: number = 1;\n", "hl-storage hl-type"),
            (
                "go",
                "package main\nfunc main() {}\n",
                "hl-entity hl-name hl-function",
            ),
            ("bash", "echo 'hi' # note\n", "hl-comment"),
            ("json", "{\"a\": 1}\n", "hl-constant hl-numeric"),
            (
                "terraform",
                "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"private\"\n}\n",
                "hl-keyword",
            ),
            ("sql", "SELECT id FROM users;\n", "hl-keyword"),
            ("toml", "[a]\nb = true\n", "hl-constant hl-language"),
        ];
        for (lang, code, class) in cases {
            let html = highlight(code, lang, &[]);
            assert!(
                html.contains(&format!("class=\"{class}\"")),
                "{lang}: {html}"
            );
            assert!(html.ends_with('\n'), "{lang}: {html}");
            assert_eq!(
                html.matches("<span").count(),
                html.matches("</span>").count()
            );
        }
    }

    #[test]
    fn specific_patterns_win_over_generic_ones() {
        assert!(tree_sitter_go::HIGHLIGHTS_QUERY.contains(tree::GO_GENERIC));
        assert!(tree::go_query().starts_with(tree::GO_GENERIC));
        let fun = "class=\"hl-entity hl-name hl-function\"";
        let go = highlight(
            "package main\n\nfunc main() {\n\tfmt.Println(1)\n}\n",
            "go",
            &[],
        );
        assert!(go.contains(&format!("<span {fun}>main</span>")), "{go}");
        assert!(go.contains(&format!("<span {fun}>Println</span>")), "{go}");
        let ts = highlight("function f(a: string): void {}\n", "ts", &[]);
        assert!(ts.contains(&format!("<span {fun}>f</span>")), "{ts}");
        assert!(
            ts.contains("<span class=\"hl-storage hl-type\">string</span>"),
            "{ts}"
        );
        let py = highlight("def run():\n    print(len(x))\n", "python", &[]);
        assert!(py.contains(&format!("<span {fun}>run</span>")), "{py}");
        assert!(
            py.contains("<span class=\"hl-support hl-function\">print</span>"),
            "{py}"
        );
    }

    #[test]
    fn tree_sitter_output_escapes_and_keeps_a_missing_final_newline_missing() {
        let html = highlight("if a < b && c { x = \"<i>\" }", "go", &[]);
        assert!(
            html.contains("&lt;") && html.contains("&amp;&amp;"),
            "{html}"
        );
        assert!(!html.contains("<i>") && !html.ends_with('\n'), "{html}");
        assert_eq!(highlight("", "go", &[]), "");
    }

    #[test]
    fn other_languages_fall_back_to_syntect() {
        let html = highlight("FROM debian:12\nRUN apt-get update\n", "dockerfile", &[]);
        assert!(html.contains("class=\"hl-"), "{html}");
        let html = highlight("puts 'x'\n", "ruby", &[]);
        assert!(html.contains("class=\"hl-"), "{html}");
    }

    #[test]
    fn code_nested_deeper_than_the_bound_is_plain_text() {
        let deep = format!(
            "x = {}1{}\n",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        assert_eq!(
            highlight(&deep, "python", &[(1, 1)]),
            format!("<span class=\"hll\">{deep}</span>")
        );
        let ok = format!(
            "x = {}1{}\n",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        assert!(highlight(&ok, "python", &[]).contains("class=\"hl-"));
        assert_eq!(bracket_depth("f(a[1], {b: (c)})"), 3);
        // Deeper than the scanners' state can hold: would abort the process.
        let yaml: String = (0..400)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        assert!(!highlight(&yaml, "yaml", &[]).contains("class="));
        let py: String = (0..600)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect();
        assert!(!highlight(&py, "python", &[]).contains("class="));
        assert_eq!(max_indent("a\n    b\n\tc\n"), 8);
        assert_eq!(bracket_depth(")))("), 1);
    }

    /// Whether `html` came from syntect (its spans name the whole scope, `source.yaml` first).
    fn from_syntect(html: &str) -> bool {
        html.contains("class=\"hl-source")
    }

    #[test]
    fn yaml_goes_to_tree_sitter_only_when_its_scanner_state_fits() {
        let html = highlight("key: [1, 'two']  # c\n", "yaml", &[]);
        assert!(
            html.contains("class=\"hl-comment\"") && !from_syntect(&html),
            "{html}"
        );
        assert_eq!(tree::yaml_push_sites("a: b\n- c\nd-e: |\n  x:y\n? k\n"), 5);
        // The deepest stacks `code` can build with that many push sites: sequences opened on
        // one line, sequences in mappings (two levels a column), block scalars, keys.
        let n = tree::YAML_MAX_LEVELS;
        let shapes: Vec<Box<dyn Fn(usize) -> String>> = vec![
            Box::new(|k| format!("{}x\n", "- ".repeat(k))),
            Box::new(|k| {
                (0..k / 2)
                    .map(|i| format!("{}k{i}:\n{}- ", " ".repeat(i), " ".repeat(i)))
                    .collect::<String>()
                    + "x\n"
            }),
            Box::new(|k| format!("{}v\n", "- ? ".repeat(k / 2))),
            Box::new(|k| {
                (0..k / 2)
                    .map(|i| format!("{}a: |\n", " ".repeat(i % 150)))
                    .collect()
            }),
        ];
        for (i, shape) in shapes.iter().enumerate() {
            let fits = shape(n);
            assert!(tree::yaml_push_sites(&fits) <= n, "shape {i}");

            // Were the bound wrong, the scanner would write past its buffer and this test
            // process would abort (as shape 0 with one level more does: the bound is tight).
            let html = highlight(&fits, "yaml", &[]);
            assert!(!from_syntect(&html), "shape {i}: tree-sitter expected");
            let over = shape(n + 2);
            assert!(tree::yaml_push_sites(&over) > n, "shape {i}");
            assert!(from_syntect(&highlight(&over, "yaml", &[])), "shape {i}");
        }
        // Random YAML-ish soups cut to the bound: tree-sitter takes them all, and survives.
        for seed in 1..=40 {
            let mut code = soup(seed, 2000);
            while tree::yaml_push_sites(&code) > n {
                let cut = code.len() * 9 / 10;
                code.truncate(code.floor_char_boundary(cut));
            }
            let html = highlight(&code, "yml", &[]);
            assert_eq!(
                html.matches("<span").count(),
                html.matches("</span>").count()
            );
        }
    }

    /// Token soup from a fixed-seed generator: unbalanced quotes, brackets, heredocs and
    /// indentation, the inputs that made a grammar hang or abort before.
    fn soup(seed: u64, tokens: usize) -> String {
        const T: &[&str] = &[
            "(", ")", "[", "]", "{", "}", "'", "\"", "`", "f'", "${", "$(", "<<EOF\n", "EOF\n",
            "\n", "  ", "\t", "- ", "? ", ": ", "#", "//", "/*", "*/", "\\", "r#\"", "\"#", "<",
            ">", "</", "x", "if", "def", "fn", "let", "=", ",", ";", "$$", "'''", "\"\"\"",
            "\n    ",
        ];
        let mut x = seed;
        (0..tokens)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                T[(x >> 33) as usize % T.len()]
            })
            .collect()
    }

    #[test]
    fn hostile_code_in_every_language_comes_back_balanced_and_escaped() {
        let mut names: Vec<String> = tree::ALL
            .iter()
            .map(|l| format!("{l:?}").to_lowercase())
            .collect();
        names.extend(["yaml", "tsx", "dockerfile"].map(String::from));
        for name in &names {
            for seed in 1..=4 {
                let code = soup(seed, 1500);
                let html = highlight(&code, name, &[(2, 3)]);
                let open = html.matches("<span").count();
                assert_eq!(open, html.matches("</span>").count(), "{name} {seed}");
                assert!(
                    !html.contains("<<") && !html.contains("</*"),
                    "{name} {seed}"
                );
            }
        }
    }

    #[test]
    fn direct_writer_gives_what_tree_sitters_renderer_gives() {
        // Multi-line strings and comments (spans open across newlines), CRLF, lone CR, code
        // with and without a final newline, marked lines at the start, middle and end.
        let samples = [
            ("python", "x = 1\n\"\"\"doc\nstring\"\"\"\ny = '<&>'\n"),
            ("python", "s = \"\"\"a\n\nb\"\"\""),
            ("rust", "/* a\r\n * b */\r\nfn main() {}\r\n"),
            ("rust", "let s = \"x\ry\";\nlet t = r#\"\n\"#;"),
            ("bash", "cat <<EOF\n$x\nEOF\necho \"a\n"),
            ("json", "{\"a\": [1, \"<b>\"]}\n\n\n"),
            ("typescript", "const a = `x\n${b}\ny`;\n"),
            ("go", "package main\n\nfunc main() { s := `a\nb` }\n"),
            ("sql", "SELECT 'it''s'\n-- c\nFROM t;"),
            ("toml", "a = \"\"\"\nx\n\"\"\"\n"),
            ("hcl", "resource \"a\" \"b\" {\n  x = <<EOT\nhi\nEOT\n}\n"),
            ("java", "class A { /* x\n y */ }"),
            ("yaml", "a: |\n  x\n  y\nb: 'c'\n"),
            ("python", "\n"),
            ("python", "\r"),
        ];
        let marks: [&[(usize, usize)]; 4] = [&[], &[(1, 1)], &[(2, 3)], &[(1, 99)]];
        let mut cases: Vec<(String, String)> = samples
            .iter()
            .map(|(l, c)| (l.to_string(), c.to_string()))
            .collect();
        for lang in tree::ALL {
            for seed in 1..=3 {
                cases.push((format!("{lang:?}").to_lowercase(), soup(seed, 400)));
            }
        }
        for (lang, code) in &cases {
            let config = tree::config(lang).expect(lang);
            for hl in marks {
                let mut direct = String::new();
                assert!(tree::highlight(code, config, hl, &mut direct), "{lang}");
                let expected = tree::highlight_with_renderer(code, config, hl).expect(lang);
                assert_eq!(direct, expected, "{lang} {hl:?}: {code:?}");
            }
        }
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        assert_eq!(highlight("a < b\n", "nosuchlang", &[]), "a &lt; b\n");
    }

    #[test]
    fn marked_lines_are_wrapped_and_balanced() {
        let code = "x = 1\n\"\"\"doc\nstring\"\"\"\ny = 2\n";
        let html = highlight(code, "python", &[(2, 3)]);
        assert_eq!(html.matches("<span class=\"hll\">").count(), 2, "{html}");
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count(),
            "{html}"
        );
    }
}
