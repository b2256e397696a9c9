//! Markdown as MkDocs Material / techdocs-core users write it → HTML.
//!
//! Two steps:
//! 1. `preprocess`: the indentation-based block syntaxes of Python-Markdown extensions that
//!    CommonMark does not know (admonitions `!!!`, collapsible `???`/`???+`, content tabs
//!    `=== "Tab"`, snippets `--8<--`) become placeholder HTML comments around their dedented
//!    bodies. Every output line remembers its source line and how many columns were removed,
//!    so positions found later point at the user's file.
//! 2. `render`: pulldown-cmark's event stream (GFM tables, task lists, footnotes, heading
//!    attributes, alerts, definition lists) with placeholders swapped for their HTML,
//!    heading ids as MkDocs' `toc` makes them, permalinks, syntect highlighting, links
//!    rewritten by the caller, and raw HTML sanitised with ammonia.

use super::highlight;
use super::inline;
use super::slug::{slugify, Ids};
use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, MetadataBlockKind,
    Options, Parser, Tag, TagEnd,
};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where a snippet may be read from.
#[derive(Debug, Clone, Default)]
pub struct SnippetRoots {
    /// Directories searched in order for a relative snippet path (mkdocs.yml's directory,
    /// then docs_dir).
    pub bases: Vec<PathBuf>,
    /// Nothing outside this directory is ever read (the repository).
    pub confine: PathBuf,
}

/// A problem found while rendering, at a source position (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdProblem {
    pub line: u32,
    pub column: u32,
    pub rule: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A link or image as written, with where it starts in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub dest: String,
    pub image: bool,
    pub line: u32,
    pub column: u32,
}

/// Text of the page split at headings, for search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Heading id; `None` for the text before the first heading.
    pub id: Option<String>,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    /// `title:` from front matter, else the first h1.
    pub title: Option<String>,
    pub headings: Vec<Heading>,
    /// Every id on the page a `#fragment` may target (headings, footnotes, explicit ids).
    pub anchors: Vec<String>,
    pub sections: Vec<Section>,
    pub problems: Vec<MdProblem>,
    /// Features shown as plain code because portico does not render them (`plantuml`, …).
    pub skipped: BTreeSet<String>,
    /// Mermaid diagrams on the page (```` ```mermaid ```` fences), drawn in the browser by the
    /// copy of Mermaid the site ships (see [`diagram_html`]).
    pub diagrams: usize,
    /// With [`Code::Later`]: the fenced code blocks, whose highlighted lines `html` leaves
    /// out (a marker holds each one's place until [`Rendered::fill_code`]).
    pub code: Vec<CodeBlock>,
}

/// When a page's fenced code is highlighted.
#[derive(Clone, Copy)]
pub enum Code<'a> {
    /// As each block is met, through the build's memo.
    Now(&'a highlight::Memo),
    /// By the caller, after the page: the blocks are kept in [`Rendered::code`]. The blocks
    /// of many pages highlighted together, language after language, keep each grammar's parse
    /// tables and queries in the processor's cache; interleaved with the rest of each page's
    /// work, highlighting took half as long again. Pages whose text holds the marker
    /// characters are highlighted now, through the memo.
    Later(&'a highlight::Memo),
}

/// A fenced code block left for the caller to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub code: String,
    pub lang: String,
    pub hl_lines: Vec<(usize, usize)>,
}

/// Marks where a block's highlighted lines go: `CODE_OPEN`, its index, `CODE_CLOSE`. Private
/// use characters; a page whose text holds them is not deferred, so each one in `html` is a
/// marker.
const CODE_OPEN: char = '\u{E000}';
const CODE_CLOSE: char = '\u{E001}';

impl Rendered {
    /// Puts `highlighted[i]`, the highlighted lines of `self.code[i]`, in place of its marker.
    /// A marker the sanitizer dropped (a block inside an element whose content it removes)
    /// drops its block, as highlighting it in place would have.
    pub fn fill_code(&mut self, highlighted: &[String]) {
        if self.code.is_empty() {
            return;
        }
        let extra: usize = highlighted.iter().map(String::len).sum();
        let mut out = String::with_capacity(self.html.len() + extra);
        let mut rest = self.html.as_str();
        while let Some(at) = rest.find(CODE_OPEN) {
            out.push_str(&rest[..at]);
            let after = &rest[at + CODE_OPEN.len_utf8()..];
            let block = after.split_once(CODE_CLOSE).and_then(|(n, tail)| {
                let i: usize = n.parse().ok()?;
                Some((highlighted.get(i)?, tail))
            });
            match block {
                Some((html, tail)) => {
                    out.push_str(html);
                    rest = tail;
                }
                // Not a marker of ours (cannot happen: such pages are not deferred).
                None => {
                    out.push(CODE_OPEN);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        self.html = out;
        self.code.clear();
    }
}

/// Rewrites a link destination (called once per link/image, in order) and returns the URL
/// to write. The caller records what it needs for link checking.
pub trait LinkRewriter {
    fn rewrite(&mut self, link: &LinkRef) -> String;
}

impl<F: FnMut(&LinkRef) -> String> LinkRewriter for F {
    fn rewrite(&mut self, link: &LinkRef) -> String {
        self(link)
    }
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SUBSCRIPT
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Renders one page. `file` is the page's path on disk (for snippets relative to it); `code`
/// says when its fenced code is highlighted.
pub fn render(
    source: &str,
    file: &Path,
    roots: &SnippetRoots,
    code: Code,
    links: &mut dyn LinkRewriter,
) -> Rendered {
    // Abbreviation definitions (`*[SLO]: service level objective`) leave the text (as blank
    // lines, so positions stay right) and mark up the words they define.
    let (source, abbrs) = take_abbreviations(source);
    let pre = preprocess(&source, file, roots);
    let code_mode = match code {
        Code::Later(memo)
            if source.contains([CODE_OPEN, CODE_CLOSE])
                || pre.text.contains([CODE_OPEN, CODE_CLOSE]) =>
        {
            Code::Now(memo)
        }
        code => code,
    };
    let mut r = Rendered {
        problems: pre.problems.clone(),
        skipped: pre.skipped.clone(),
        ..Rendered::default()
    };
    let mut ids = Ids::default();
    // Explicit `{#id}` attributes keep their names; reserve them first as Python-Markdown
    // does (attr_list runs before toc).
    let (events, attributes) = inline::attribute_lists(
        &pre.text,
        Parser::new_ext(&pre.text, options())
            .into_offset_iter()
            .collect(),
    );
    let attributes_at = |start: usize| {
        attributes
            .iter()
            .find(|(at, _)| *at == start)
            .map(|(_, a)| a)
    };
    let events: Vec<(Event, std::ops::Range<usize>)> =
        emoji_shortcodes(inline::extend(&pre.text, events));
    for (ev, _) in &events {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = ev {
            ids.reserve(id);
        }
    }
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    // Footnote definitions, each with its events; numbered in order of first reference as
    // Python-Markdown shows them (`[^note]` renders as `1`).
    let mut footnotes: Vec<(String, Vec<Event>)> = Vec::new();
    let mut fn_numbers: HashMap<String, usize> = HashMap::new();
    let mut fn_refs: HashMap<String, usize> = HashMap::new();
    let mut in_footnote = 0usize;
    let mut has_raw_html = false;
    let mut alert_stack: Vec<bool> = Vec::new();
    let mut section = Section::default();
    let mut in_meta = false;
    let mut meta_text = String::new();
    // Where smartsymbols leaves text alone (autolinks, image alt text).
    let mut scope = inline::Scope::default();

    let mut i = 0;
    while i < events.len() {
        let (ev, range) = &events[i];
        let target: &mut Vec<Event> = if in_footnote > 0 {
            &mut footnotes.last_mut().expect("inside a footnote").1
        } else {
            &mut out
        };
        match ev {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs: _,
            }) => {
                // Gather the heading's inline events to compute its text and id.
                let mut j = i + 1;
                let mut text = String::new();
                let mut inner: Vec<Event> = Vec::new();
                let mut scope = inline::Scope::default();
                while j < events.len() {
                    match &events[j].0 {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                    scope.see(&events[j].0);
                    let ev = rewrite_inline(
                        events[j].0.clone(),
                        &events[j].1,
                        &pre,
                        links,
                        &mut has_raw_html,
                    );
                    inner.push(smarten(ev, &scope));
                    j += 1;
                }
                let text = text.trim().to_string();
                let hid = match id {
                    Some(id) => id.to_string(),
                    None => ids.unique(slugify(&text)),
                };
                let lvl = heading_level(*level);
                if lvl == 1 && r.title.is_none() {
                    r.title = Some(text.clone());
                }
                // Close the previous section.
                let done = std::mem::replace(
                    &mut section,
                    Section {
                        id: Some(hid.clone()),
                        title: text.clone(),
                        text: String::new(),
                    },
                );
                if done.id.is_some() || !done.text.trim().is_empty() {
                    r.sections.push(done);
                }
                r.headings.push(Heading {
                    level: lvl,
                    id: hid.clone(),
                    text,
                });
                r.anchors.push(hid.clone());
                let mut open = format!("<h{lvl} id=\"{}\"", highlight::escape(&hid));
                if !classes.is_empty() {
                    let cls: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
                    let _ = write!(open, " class=\"{}\"", highlight::escape(&cls.join(" ")));
                }
                open.push('>');
                target.push(Event::Html(open.into()));
                target.extend(inner);
                target.push(Event::Html(
                    format!(
                        "<a class=\"headerlink\" href=\"#{}\" title=\"Permanent link\">&para;</a></h{lvl}>\n",
                        highlight::escape(&hid)
                    )
                    .into(),
                ));
                i = j + 1;
                continue;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let mut j = i + 1;
                let mut code = String::new();
                while j < events.len() {
                    match &events[j].0 {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => code.push_str(t),
                        _ => {}
                    }
                    j += 1;
                }
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let fence = FenceInfo::parse(&info);
                if fence.lang.eq_ignore_ascii_case("mermaid") {
                    r.diagrams += 1;
                    target.push(Event::Html(diagram_html(&code).into()));
                    i = j + 1;
                    continue;
                }
                if highlight::is_unsupported_renderer(&fence.lang) {
                    r.skipped.insert(fence.lang.to_ascii_lowercase());
                }
                let html = code_block_html(code, fence, code_mode, &mut r.code);
                target.push(Event::Html(html.into()));
                i = j + 1;
                continue;
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                in_footnote += 1;
                let id = format!("fn:{name}");
                r.anchors.push(id.clone());
                footnotes.push((
                    name.to_string(),
                    vec![Event::Html(
                        format!("<li id=\"{}\">", highlight::escape(&id)).into(),
                    )],
                ));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some(f) = footnotes.last_mut() {
                    f.1.push(Event::Html("</li>\n".into()));
                }
                in_footnote -= 1;
            }
            Event::FootnoteReference(name) => {
                let next = fn_numbers.len() + 1;
                let n = *fn_numbers.entry(name.to_string()).or_insert(next);
                let seen = fn_refs.entry(name.to_string()).or_default();
                *seen += 1;
                // Later references to the same note get `fnref2:`, `fnref3:`, … ids.
                let ref_id = if *seen == 1 {
                    format!("fnref:{name}")
                } else {
                    format!("fnref{seen}:{name}")
                };
                r.anchors.push(ref_id.clone());
                target.push(Event::Html(
                    format!(
                        "<sup id=\"{}\"><a class=\"footnote-ref\" href=\"#fn:{}\">{n}</a></sup>",
                        highlight::escape(&ref_id),
                        highlight::escape(name)
                    )
                    .into(),
                ));
            }
            Event::TaskListMarker(checked) => {
                // The item's own text names its checkbox (axe: form fields need a label).
                let mut label = String::new();
                for (e, _) in &events[i + 1..] {
                    match e {
                        Event::Start(Tag::List(_)) | Event::End(TagEnd::Item) => break,
                        Event::Text(t) | Event::Code(t) => label.push_str(t),
                        Event::SoftBreak | Event::HardBreak => label.push(' '),
                        _ => {}
                    }
                }
                target.push(Event::Html(
                    format!(
                        "<input type=\"checkbox\" disabled{} aria-label=\"{}\">",
                        if *checked { " checked" } else { "" },
                        highlight::escape(collapse_ws(&label).trim())
                    )
                    .into(),
                ));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                alert_stack.push(true);
                let (class, title) = alert_kind(*kind);
                target.push(Event::Html(
                    format!(
                        "<div class=\"admonition {class}\">\n<p class=\"admonition-title\">{title}</p>\n"
                    )
                    .into(),
                ));
            }
            Event::Start(Tag::BlockQuote(None)) => {
                alert_stack.push(false);
                target.push(ev.clone());
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                if alert_stack.pop() == Some(true) {
                    target.push(Event::Html("</div>\n".into()));
                } else {
                    target.push(ev.clone());
                }
            }
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => in_meta = true,
            Event::End(TagEnd::MetadataBlock(_)) => {
                in_meta = false;
                if let Some(t) = front_matter_title(&meta_text) {
                    r.title = Some(t);
                }
            }
            Event::Text(t) if in_meta => meta_text.push_str(t),
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) if attributes_at(range.start).is_some() => {
                // An image with an attribute list: written here, its alt text from its events.
                let mut j = i + 1;
                let mut depth = 0usize;
                let mut alt = String::new();
                while j < events.len() {
                    match &events[j].0 {
                        Event::End(TagEnd::Image) if depth == 0 => break,
                        Event::Start(_) => depth += 1,
                        Event::End(_) => depth = depth.saturating_sub(1),
                        Event::Text(t) | Event::Code(t) => alt.push_str(t),
                        _ => {}
                    }
                    j += 1;
                }
                let src = rewrite_link(&pre, links, range.start, dest_url, true);
                let attrs = attributes_at(range.start).expect("matched by the guard");
                let mut html = inline::element_start("img", "src", &src, Some(&alt), title, attrs);
                html.push_str(" />");
                target.push(Event::InlineHtml(html.into()));
                i = j + 1;
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) if attributes_at(range.start).is_some() => {
                // A link with an attribute list: its start tag written here (the writer closes
                // it as any link).
                scope.see(ev);
                let href = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => rewrite_link(&pre, links, range.start, dest_url, false),
                };
                let attrs = attributes_at(range.start).expect("matched by the guard");
                let mut html = inline::element_start("a", "href", &href, None, title, attrs);
                html.push('>');
                target.push(Event::InlineHtml(html.into()));
            }
            Event::Html(html) => {
                if let Some(n) = pre.marker_index(html) {
                    target.push(Event::Html(pre.blocks[n].clone().into()));
                } else {
                    has_raw_html = true;
                    target.push(ev.clone());
                }
            }
            Event::Start(Tag::Item)
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::TableCell)
            | Event::SoftBreak
            | Event::HardBreak => {
                section.text.push(' ');
                target.push(ev.clone());
            }
            _ => {
                scope.see(ev);
                let ev2 = rewrite_inline(ev.clone(), range, &pre, links, &mut has_raw_html);
                if let Event::Text(t) | Event::Code(t) = &ev2 {
                    if in_footnote == 0 {
                        section.text.push_str(t);
                    }
                }
                let ev2 = smarten(ev2, &scope);
                let abbreviated = match &ev2 {
                    Event::Text(t) if !abbrs.is_empty() => abbreviate(t, &abbrs),
                    _ => None,
                };
                match abbreviated {
                    Some(html) => target.push(Event::Html(html.into())),
                    None => target.push(ev2),
                }
            }
        }
        i += 1;
    }
    if section.id.is_some() || !section.text.trim().is_empty() {
        r.sections.push(section);
    }
    for s in &mut r.sections {
        s.text = collapse_ws(&s.text);
    }
    if !footnotes.is_empty() {
        // Referenced notes in order of first reference, then unreferenced ones as written.
        footnotes.sort_by_key(|(name, _)| fn_numbers.get(name).copied().unwrap_or(usize::MAX));
        out.push(Event::Html("<div class=\"footnote\">\n<hr>\n<ol>\n".into()));
        out.extend(footnotes.into_iter().flat_map(|(_, evs)| evs));
        out.push(Event::Html("</ol>\n</div>\n".into()));
    }
    let mut html = String::with_capacity(source.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    if has_raw_html {
        html = sanitizer().clean(&html).to_string();
    }
    r.html = html;
    r
}

/// Removes abbreviation definition lines (`*[HTML]: Hyper Text Markup Language`, Python-Markdown's
/// `abbr` extension) outside fenced code, leaving blank lines so line numbers stay right.
/// Returns the text and the definitions, longest term first.
fn take_abbreviations(source: &str) -> (std::borrow::Cow<'_, str>, Vec<(String, String)>) {
    if !source.contains("*[") {
        return (source.into(), Vec::new());
    }
    let mut defs: Vec<(String, String)> = Vec::new();
    let mut out = String::with_capacity(source.len());
    let mut fence: Option<String> = None;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str())
                && trimmed
                    .trim_end()
                    .chars()
                    .all(|c| c == f.chars().next().unwrap_or('`'))
            {
                fence = None;
            }
        } else if marker.len() >= 3 {
            fence = Some(marker);
        } else if let Some(rest) = line.strip_prefix("*[") {
            if let Some((term, title)) = rest.split_once("]:") {
                if !term.is_empty() && !term.contains(']') {
                    let title = title.trim();
                    defs.retain(|(t, _)| t != term);
                    if !title.is_empty() {
                        defs.push((term.to_string(), title.to_string()));
                    }
                    if line.ends_with('\n') {
                        out.push('\n');
                    }
                    continue;
                }
            }
        }
        out.push_str(line);
    }
    defs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    (out.into(), defs)
}

/// Escaped HTML of `text` with each whole-word abbreviation wrapped in `<abbr title>`,
/// or `None` when no abbreviation occurs.
fn abbreviate(text: &str, abbrs: &[(String, String)]) -> Option<String> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut last = 0;
    let mut pos = 0;
    while pos < text.len() {
        let starts_word = !text[..pos].chars().next_back().is_some_and(is_word);
        if starts_word {
            let hit = abbrs.iter().find(|(term, _)| {
                text[pos..].starts_with(term.as_str())
                    && !text[pos + term.len()..].chars().next().is_some_and(is_word)
            });
            if let Some((term, title)) = hit {
                highlight::escape_into(&mut out, &text[last..pos]);
                let _ = write!(
                    out,
                    "<abbr title=\"{}\">{}</abbr>",
                    highlight::escape(title),
                    highlight::escape(term)
                );
                pos += term.len();
                last = pos;
                continue;
            }
        }
        pos += text[pos..].chars().next().map_or(1, char::len_utf8);
    }
    if last == 0 {
        return None;
    }
    highlight::escape_into(&mut out, &text[last..]);
    Some(out)
}

/// A link or image destination as the site needs it, checked by `links` at its source place.
fn rewrite_link(
    pre: &Pre,
    links: &mut dyn LinkRewriter,
    offset: usize,
    dest: &str,
    image: bool,
) -> String {
    let (line, column) = pre.position(offset);
    links.rewrite(&LinkRef {
        dest: dest.to_string(),
        image,
        line,
        column,
    })
}

/// pymdownx.emoji, which techdocs-core turns on for every site: `:rocket:` in text becomes
/// 🚀 (GitHub's shortcodes, from the `emojis` crate; an unknown name stays as written). Never
/// in code, code blocks or front matter. Material draws them as Twemoji pictures fetched from
/// a CDN; the character itself needs nothing fetched and keeps heading ids as MkDocs makes
/// them (its slug drops the picture, ours the character).
fn emoji_shortcodes<'a>(
    events: Vec<(Event<'a>, std::ops::Range<usize>)>,
) -> Vec<(Event<'a>, std::ops::Range<usize>)> {
    let two_colons = |t: &str| memchr::memchr_iter(b':', t.as_bytes()).nth(1).is_some();
    if !inline::any_prose(&events, two_colons) {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut scope = inline::Scope::default();
    let mut events = events.into_iter().peekable();
    while let Some((ev, range)) = events.next() {
        scope.see(&ev);
        match ev {
            Event::Text(first) if scope.in_prose() => {
                // pulldown-cmark may split a run of text (at `_`, `*`, …): a shortcode is looked
                // for across the run, and the run is only joined when one is found.
                let mut run = vec![(first, range)];
                while let Some((Event::Text(_), _)) = events.peek() {
                    if let Some((Event::Text(t), r)) = events.next() {
                        run.push((t, r));
                    }
                }
                let joined: String = run.iter().map(|(t, _)| t.as_ref()).collect();
                match replace_shortcodes(&joined) {
                    Some(text) => {
                        let range = run[0].1.start..run[run.len() - 1].1.end;
                        out.push((Event::Text(text.into()), range));
                    }
                    None => out.extend(run.into_iter().map(|(t, r)| (Event::Text(t), r))),
                }
                continue;
            }
            _ => {}
        }
        out.push((ev, range));
    }
    out
}

/// `text` with each `:name:` GitHub knows replaced by its emoji; `None` when there is none.
fn replace_shortcodes(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut done = 0; // `text[..done]` is in `out` (or replaced)
    let mut from = 0;
    while let Some(open) = text[from..].find(':').map(|k| from + k) {
        let rest = &text[open + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')))
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with(':') {
            if let Some(emoji) = emojis::get_by_shortcode(&rest[..len]) {
                out.push_str(&text[done..open]);
                out.push_str(emoji.as_str());
                done = open + len + 2;
                from = done;
                continue;
            }
        }
        // Not a shortcode: its closing colon may open the next one.
        from = open + 1 + len;
    }
    if done == 0 {
        return None;
    }
    out.push_str(&text[done..]);
    Some(out)
}

/// pymdownx.smartsymbols on a text event about to be written (see [`inline`]).
fn smarten<'a>(ev: Event<'a>, scope: &inline::Scope) -> Event<'a> {
    match &ev {
        Event::Text(t) if scope.markable() => match inline::smart_symbols(t) {
            Some(inline::Smart {
                html: Some(html), ..
            }) => Event::InlineHtml(html.into()),
            Some(smart) => Event::Text(smart.text.into()),
            None => ev,
        },
        _ => ev,
    }
}

fn rewrite_inline<'a>(
    ev: Event<'a>,
    range: &std::ops::Range<usize>,
    pre: &Pre,
    links: &mut dyn LinkRewriter,
    has_raw_html: &mut bool,
) -> Event<'a> {
    match ev {
        // An e-mail address (`<ops@example.com>`, or bare through magiclink) is no page: the
        // writer gives it its `mailto:`.
        Event::Start(Tag::Link {
            link_type: LinkType::Email,
            ..
        }) => ev,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rewrite_link(pre, links, range.start, &dest_url, false).into(),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rewrite_link(pre, links, range.start, &dest_url, true).into(),
            title,
            id,
        }),
        Event::InlineHtml(h) => {
            if let Some(n) = pre.marker_index(&h) {
                Event::InlineHtml(CowStr::from(pre.blocks[n].clone()))
            } else if inline::OWN_HTML.contains(&h.as_ref()) {
                Event::InlineHtml(h)
            } else {
                *has_raw_html = true;
                Event::InlineHtml(h)
            }
        }
        other => other,
    }
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn alert_kind(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

fn front_matter_title(yaml: &str) -> Option<String> {
    let (docs, _) = crate::parse::parse_str(yaml, "front matter");
    docs.first()?
        .root
        .get("title")?
        .as_str()
        .map(str::to_string)
}

/// `s.split_whitespace()` joined by single spaces.
fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // `char::is_whitespace` in ASCII: tab, line feed, vertical tab, form feed, carriage
    // return, space.
    let ascii = |b: u8| !matches!(b, b'\t'..=b'\r' | b' ');
    for_each_run(
        s,
        ascii,
        |c| !c.is_whitespace(),
        |w| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        },
    );
    out
}

/// Calls `f` with every maximal run of the characters of `text` that are in the class that
/// `ascii` (for ASCII bytes) and `other` (for the other characters) test, in order. ASCII
/// is tested a byte at a time: `split` with a char predicate decodes every character, and
/// the text of every page goes through here (white space collapsed, search terms found).
pub(crate) fn for_each_run<'a>(
    text: &'a str,
    ascii: impl Fn(u8) -> bool,
    other: impl Fn(char) -> bool,
    mut f: impl FnMut(&'a str),
) {
    let bytes = text.as_bytes();
    let (mut i, mut start) = (0, None);
    while i < bytes.len() {
        let (inside, len) = match bytes[i] {
            b if b.is_ascii() => (ascii(b), 1),
            _ => {
                let c = text[i..].chars().next().expect("a char starts here");
                (other(c), c.len_utf8())
            }
        };
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                f(&text[s..i]);
                start = None;
            }
            _ => {}
        }
        i += len;
    }
    if let Some(s) = start {
        f(&text[s..]);
    }
}

/// The info string of a fence: ```` ```python title="app.py" hl_lines="2 4-5" ```` or the
/// attribute-list form ```` ``` { .python title="app.py" } ````.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FenceInfo {
    pub lang: String,
    pub title: Option<String>,
    pub hl_lines: Vec<(usize, usize)>,
}

impl FenceInfo {
    pub fn parse(info: &str) -> FenceInfo {
        let mut f = FenceInfo::default();
        let info = info.trim();
        let info = info
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(info);
        let mut rest = info.trim();
        let mut first = true;
        while !rest.is_empty() {
            // key="value" (quotes optional), or a bare word.
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '=')
                .unwrap_or(rest.len());
            let word = &rest[..end];
            rest = &rest[end..];
            if let Some(after_eq) = rest.strip_prefix('=') {
                let (value, remaining) =
                    if let Some(q) = after_eq.chars().next().filter(|c| *c == '"' || *c == '\'') {
                        let body = &after_eq[1..];
                        match body.find(q) {
                            Some(e) => (&body[..e], &body[e + 1..]),
                            None => (body, ""),
                        }
                    } else {
                        let e = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                        (&after_eq[..e], &after_eq[e..])
                    };
                match word {
                    "title" => f.title = Some(value.to_string()),
                    "hl_lines" => f.hl_lines = parse_hl_lines(value),
                    _ => {}
                }
                rest = remaining.trim_start();
            } else {
                let w = word.trim_start_matches('.');
                if first && !w.is_empty() && f.lang.is_empty() {
                    f.lang = w.to_string();
                }
                rest = rest.trim_start();
            }
            first = false;
        }
        f
    }
}

fn parse_hl_lines(v: &str) -> Vec<(usize, usize)> {
    v.split_whitespace()
        .filter_map(|part| match part.split_once('-') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => part.parse().ok().map(|n| (n, n)),
        })
        .collect()
}

/// A Mermaid diagram as Material for MkDocs writes one (`<pre class="mermaid">`, with the
/// source as its text): the docs page's script draws it with the Mermaid the site ships
/// (`themes/default/diagrams.js`), and without scripts the source shows as code.
fn diagram_html(code: &str) -> String {
    format!(
        "<div class=\"diagram\"><pre class=\"mermaid\"><code class=\"language-mermaid\">{}</code></pre></div>\n",
        highlight::escape(code)
    )
}

fn code_block_html(
    code: String,
    fence: FenceInfo,
    mode: Code,
    later: &mut Vec<CodeBlock>,
) -> String {
    let mut s = String::with_capacity(code.len() * 3 + 100);
    s.push_str("<div class=\"highlight\">");
    if let Some(title) = &fence.title {
        let _ = write!(
            s,
            "<span class=\"filename\">{}</span>",
            highlight::escape(title)
        );
    }
    s.push_str("<pre><code");
    if !fence.lang.is_empty() {
        let _ = write!(
            s,
            " class=\"language-{}\"",
            highlight::escape(&fence.lang.to_ascii_lowercase())
        );
    }
    s.push('>');
    match mode {
        Code::Now(memo) => memo.highlight_into(&mut s, &code, &fence.lang, &fence.hl_lines),
        Code::Later(_) => {
            let _ = write!(s, "{CODE_OPEN}{}{CODE_CLOSE}", later.len());
            later.push(CodeBlock {
                code,
                lang: fence.lang,
                hl_lines: fence.hl_lines,
            });
        }
    }
    s.push_str("</code></pre></div>\n");
    s
}

/// ammonia configured for what portico's own renderer emits plus the usual safe HTML
/// authors write in Markdown (details, kbd, sub/sup, tables, images).
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static S: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    S.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags([
            "details",
            "summary",
            "input",
            "label",
            "kbd",
            "mark",
            "figure",
            "figcaption",
            "dl",
            "dt",
            "dd",
            "abbr",
            "section",
        ]);
        b.add_generic_attributes(["class", "id", "title", "align"]);
        b.add_tag_attributes(
            "input",
            ["type", "checked", "disabled", "name", "aria-label"],
        );
        b.add_tag_attributes("label", ["for"]);
        b.add_tag_attributes("details", ["open"]);
        b.add_tag_attributes("th", ["style"]);
        b.add_tag_attributes("td", ["style"]);
        b.add_tag_attributes("img", ["width", "height", "loading"]);
        b.add_tag_attributes("div", ["data-tabs"]);
        b.attribute_filter(|element, attribute, value| {
            if attribute == "style" {
                // Only the alignment pulldown-cmark writes on table cells.
                let ok = (element == "th" || element == "td")
                    && matches!(
                        value,
                        "text-align: left" | "text-align: center" | "text-align: right"
                    );
                return if ok { Some(value.into()) } else { None };
            }
            if attribute == "type" && element == "input" {
                return matches!(value, "checkbox" | "radio").then(|| value.into());
            }
            Some(value.into())
        });
        b.id_prefix(None);
        b.link_rel(None);
        b.url_relative(ammonia::UrlRelative::PassThrough);
        b
    })
}

// ---------------------------------------------------------------------------------------
// Preprocessing of indentation-based blocks.

/// The preprocessed text and how to find the user's positions in it.
#[derive(Debug, Default)]
pub struct Pre {
    pub text: String,
    /// Byte offset in `text` where each output line starts.
    line_starts: Vec<usize>,
    /// Per output line: source line (1-based) and columns removed before its first byte.
    origins: Vec<(u32, u32)>,
    /// HTML of each placeholder `<!--portico-NONCE:N-->`.
    pub blocks: Vec<String>,
    nonce: String,
    pub problems: Vec<MdProblem>,
    pub skipped: BTreeSet<String>,
    tab_sets: usize,
}

impl Pre {
    fn marker_index(&self, html: &str) -> Option<usize> {
        let rest = html.trim().strip_prefix("<!--portico-")?;
        let rest = rest.strip_prefix(self.nonce.as_str())?.strip_prefix(':')?;
        rest.strip_suffix("-->")?.parse().ok()
    }

    /// Source (line, column) of a byte offset in `text`.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let Some(&(line, shift)) = self.origins.get(idx) else {
            return (1, 1);
        };
        let start = self.line_starts[idx];
        let col = self.text[start..offset.min(self.text.len())]
            .chars()
            .count() as u32;
        (line, col + shift + 1)
    }

    fn emit(&mut self, text: &str, origin: (u32, u32)) {
        self.line_starts.push(self.text.len());
        self.origins.push(origin);
        self.text.push_str(text);
        self.text.push('\n');
    }

    fn marker(&mut self, indent: usize, html: String, origin: (u32, u32)) {
        let n = self.blocks.len();
        self.blocks.push(html);
        let line = format!("{}<!--portico-{}:{n}-->", " ".repeat(indent), self.nonce);
        self.emit(&line, origin);
    }
}

/// One line being preprocessed: its text (already dedented by enclosing blocks) and origin.
/// The text borrows the page wherever it can (every line outside admonitions and tabs, and
/// most inside), rather than a copy of every line of every page.
#[derive(Debug, Clone)]
struct Line<'a> {
    text: Cow<'a, str>,
    src: u32,
    shift: u32,
}

pub fn preprocess(source: &str, file: &Path, roots: &SnippetRoots) -> Pre {
    let mut pre = Pre {
        nonce: nonce(source),
        ..Pre::default()
    };
    let lines: Vec<Line> = source
        .lines()
        .enumerate()
        .map(|(i, l)| Line {
            text: Cow::Borrowed(l),
            src: i as u32 + 1,
            shift: 0,
        })
        .collect();
    let mut stack = vec![file.to_path_buf()];
    process(&mut pre, &lines, roots, &mut stack);
    pre
}

/// A placeholder name the page cannot forge: derived from the page's own bytes.
fn nonce(source: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(source.as_bytes());
    d[..6].iter().map(|b| format!("{b:02x}")).collect()
}

fn indent_of(s: &str) -> (usize, &str) {
    let mut cols = 0;
    for (i, c) in s.char_indices() {
        match c {
            ' ' => cols += 1,
            '\t' => cols += 4 - cols % 4,
            _ => return (cols, &s[i..]),
        }
    }
    (cols, "")
}

/// Removes 4 columns of indentation (the body of a block opened at indentation `base`).
fn dedent<'a>(line: &Line<'a>, base: usize) -> Line<'a> {
    let (ind, rest) = indent_of(&line.text);
    if rest.is_empty() {
        return Line {
            text: Cow::Borrowed(""),
            src: line.src,
            shift: line.shift,
        };
    }
    let keep = ind.saturating_sub(4).max(base.min(ind));
    let leading = line.text.len() - rest.len();
    let text = match &line.text {
        // Indented by spaces alone: the dedented line is the end of this one.
        Cow::Borrowed(t) if t.as_bytes()[..leading].iter().all(|&b| b == b' ') => {
            Cow::Borrowed(&t[leading - keep..])
        }
        _ => Cow::Owned(format!("{}{}", " ".repeat(keep), rest)),
    };
    Line {
        text,
        src: line.src,
        // Whitespace is one byte (one column) each; tabs are approximated.
        shift: line.shift + leading.saturating_sub(keep) as u32,
    }
}

struct Admonition {
    collapsible: bool,
    open: bool,
    kind: String,
    classes: Vec<String>,
    title: Option<String>,
}

fn parse_admonition(rest: &str) -> Option<Admonition> {
    let (collapsible, open, body) = if let Some(b) = rest.strip_prefix("!!!") {
        (false, false, b)
    } else if let Some(b) = rest.strip_prefix("???+") {
        (true, true, b)
    } else if let Some(b) = rest.strip_prefix("???") {
        (true, false, b)
    } else {
        return None;
    };
    if !body.starts_with([' ', '\t']) {
        return None;
    }
    let body = body.trim();
    let (words, title) = match body.find('"') {
        Some(q) => {
            let t = body[q + 1..].strip_suffix('"')?;
            (&body[..q], Some(t.to_string()))
        }
        None => (body, None),
    };
    let mut words = words.split_whitespace();
    let kind = words.next()?.to_string();
    if !kind
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let classes: Vec<String> = words.map(str::to_string).collect();
    if classes.iter().any(|w| {
        !w.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    }) {
        return None;
    }
    Some(Admonition {
        collapsible,
        open,
        kind,
        classes,
        title,
    })
}

/// `=== "Title"` (and `===!` to start a new set, `===+` to select it).
fn parse_tab(rest: &str) -> Option<(String, bool, bool)> {
    let body = rest.strip_prefix("===")?;
    let flags_end = body.find(|c| c != '!' && c != '+').unwrap_or(body.len());
    let flags = &body[..flags_end];
    let body = &body[flags_end..];
    if !body.starts_with([' ', '\t']) {
        return None;
    }
    let t = body.trim().strip_prefix('"')?.strip_suffix('"')?;
    Some((t.to_string(), flags.contains('!'), flags.contains('+')))
}

/// `--8<-- "file"` (single line) → Some(Some(path)); `--8<--` alone (block form) →
/// Some(None).
fn parse_snippet(rest: &str) -> Option<Option<String>> {
    let body = rest.trim_end().strip_prefix("--8<--")?;
    let body = body.trim();
    if body.is_empty() {
        return Some(None);
    }
    let q = body.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let inner = body[1..].strip_suffix(q)?;
    Some(Some(inner.to_string()))
}

/// The body of a block opened at indentation `base` on line `start`: the following lines
/// that are blank or indented at least 4 more columns; trailing blank lines excluded.
fn block_body(lines: &[Line], start: usize, base: usize) -> usize {
    let mut end = start + 1;
    let mut last_content = start;
    while end < lines.len() {
        let (ind, rest) = indent_of(&lines[end].text);
        if rest.is_empty() {
            end += 1;
            continue;
        }
        if ind >= base + 4 {
            last_content = end;
            end += 1;
        } else {
            break;
        }
    }
    last_content + 1
}

fn process(pre: &mut Pre, lines: &[Line], roots: &SnippetRoots, stack: &mut Vec<PathBuf>) {
    let mut fence: Option<(char, usize, usize)> = None; // char, length, indent
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let origin = (line.src, line.shift);
        let (ind, rest) = indent_of(&line.text);
        if let Some((fc, flen, _)) = fence {
            let run = rest.chars().take_while(|&c| c == fc).count();
            if run >= flen && rest[run * fc.len_utf8()..].trim().is_empty() {
                fence = None;
            }
            pre.emit(&line.text, origin);
            i += 1;
            continue;
        }
        for fc in ['`', '~'] {
            let run = rest.chars().take_while(|&c| c == fc).count();
            if run >= 3 {
                fence = Some((fc, run, ind));
                break;
            }
        }
        if fence.is_some() {
            pre.emit(&line.text, origin);
            i += 1;
            continue;
        }
        if let Some(adm) = parse_admonition(rest) {
            let end = block_body(lines, i, ind);
            let body: Vec<Line> = lines[i + 1..end].iter().map(|l| dedent(l, ind)).collect();
            let mut classes = vec![adm.kind.to_ascii_lowercase()];
            classes.extend(adm.classes.iter().cloned());
            let class = highlight::escape(&classes.join(" "));
            let title = match &adm.title {
                Some(t) => t.clone(),
                None => capitalize(&adm.kind),
            };
            let open = if adm.collapsible {
                format!(
                    "<details class=\"{class}\"{}>\n<summary>{}</summary>\n",
                    if adm.open { " open" } else { "" },
                    highlight::escape(&title)
                )
            } else if title.is_empty() {
                format!("<div class=\"admonition {class}\">\n")
            } else {
                format!(
                    "<div class=\"admonition {class}\">\n<p class=\"admonition-title\">{}</p>\n",
                    highlight::escape(&title)
                )
            };
            let close = if adm.collapsible {
                "</details>\n"
            } else {
                "</div>\n"
            };
            pre.emit("", origin);
            pre.marker(ind, open, origin);
            pre.emit("", origin);
            process(pre, &body, roots, stack);
            pre.emit("", origin);
            pre.marker(ind, close.to_string(), origin);
            pre.emit("", origin);
            i = end;
            continue;
        }
        if let Some((first_title, _, first_sel)) = parse_tab(rest) {
            // Gather the set: tabs at this indentation separated only by blank lines.
            let mut tabs: Vec<(String, bool, usize, usize)> = Vec::new(); // title, selected, line, end
            let mut j = i;
            let mut title = first_title;
            let mut sel = first_sel;
            loop {
                let end = block_body(lines, j, ind);
                tabs.push((title.clone(), sel, j, end));
                let mut k = end;
                while k < lines.len() && lines[k].text.trim().is_empty() {
                    k += 1;
                }
                if k >= lines.len() {
                    break;
                }
                let (ind2, rest2) = indent_of(&lines[k].text);
                match parse_tab(rest2) {
                    Some((t, new_set, s)) if ind2 == ind && !new_set => {
                        title = t;
                        sel = s;
                        j = k;
                    }
                    _ => break,
                }
            }
            pre.tab_sets += 1;
            let set = pre.tab_sets;
            let selected = tabs.iter().position(|t| t.1).unwrap_or(0);
            let mut open = format!(
                "<div class=\"tabbed-set\" data-tabs=\"{set}:{}\">",
                tabs.len()
            );
            for (n, _) in tabs.iter().enumerate() {
                let _ = write!(
                    open,
                    "<input type=\"radio\" name=\"__tabbed_{set}\" id=\"__tabbed_{set}_{}\"{}>",
                    n + 1,
                    if n == selected { " checked" } else { "" }
                );
            }
            open.push_str("<div class=\"tabbed-labels\">");
            for (n, t) in tabs.iter().enumerate() {
                let _ = write!(
                    open,
                    "<label for=\"__tabbed_{set}_{}\">{}</label>",
                    n + 1,
                    highlight::escape(&t.0)
                );
            }
            open.push_str("</div>\n<div class=\"tabbed-content\">\n<div class=\"tabbed-block\">\n");
            pre.emit("", origin);
            pre.marker(ind, open, origin);
            let last = tabs.len() - 1;
            for (n, (_, _, start, end)) in tabs.iter().enumerate() {
                let o = (lines[*start].src, lines[*start].shift);
                if n > 0 {
                    pre.emit("", o);
                    pre.marker(ind, "</div>\n<div class=\"tabbed-block\">\n".to_string(), o);
                }
                pre.emit("", o);
                let body: Vec<Line> = lines[start + 1..*end]
                    .iter()
                    .map(|l| dedent(l, ind))
                    .collect();
                process(pre, &body, roots, stack);
                pre.emit("", o);
                if n == last {
                    pre.marker(ind, "</div>\n</div>\n</div>\n".to_string(), o);
                    pre.emit("", o);
                }
                i = *end;
            }
            continue;
        }
        if let Some(snip) = parse_snippet(rest) {
            match snip {
                Some(path) => {
                    include_snippet(pre, &path, ind, line, roots, stack);
                    i += 1;
                }
                None => {
                    // Block form: file names until the closing `--8<--`.
                    let mut j = i + 1;
                    while j < lines.len() {
                        let (_, r) = indent_of(&lines[j].text);
                        if r.trim_end() == "--8<--" {
                            break;
                        }
                        let name = r.trim();
                        if !name.is_empty() && !name.starts_with(';') {
                            include_snippet(pre, name, ind, &lines[j], roots, stack);
                        }
                        j += 1;
                    }
                    i = j + 1;
                }
            }
            continue;
        }
        pre.emit(&line.text, origin);
        i += 1;
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

const MAX_SNIPPET_DEPTH: usize = 8;

fn include_snippet(
    pre: &mut Pre,
    spec: &str,
    indent: usize,
    at: &Line,
    roots: &SnippetRoots,
    stack: &mut Vec<PathBuf>,
) {
    let (ind_cols, rest) = indent_of(&at.text);
    let col = at.shift + (at.text.len() - rest.len()) as u32 + 1;
    let _ = ind_cols;
    let problem = |pre: &mut Pre, rule: &'static str, message: String| {
        pre.problems.push(MdProblem {
            line: at.src,
            column: col,
            rule,
            message,
        });
    };
    if spec.starts_with("http://") || spec.starts_with("https://") {
        pre.skipped.insert("remote snippets".into());
        return;
    }
    // `file.md:3:7` selects lines 3..=7; `file.md:3` from line 3 on.
    let (path_part, range) = split_line_range(spec);
    let rel = Path::new(path_part);
    if rel.is_absolute() {
        problem(
            pre,
            "docs/snippet-outside",
            format!(
                "snippet `{spec}` is an absolute path; snippets must stay inside the repository"
            ),
        );
        return;
    }
    let confine = roots
        .confine
        .canonicalize()
        .unwrap_or_else(|_| roots.confine.clone());
    let mut bases: Vec<PathBuf> = roots.bases.clone();
    if let Some(parent) = stack.last().and_then(|p| p.parent()) {
        bases.push(parent.to_path_buf());
    }
    let mut found: Option<PathBuf> = None;
    let mut outside = false;
    for base in &bases {
        let candidate = std::path::absolute(base.join(rel)).unwrap_or_else(|_| base.join(rel));
        // Lexically first (`..` that leaves the repository), then after symlinks.
        if !crate::discover::normalize_lexical(&candidate).starts_with(&roots.confine)
            && !crate::discover::normalize_lexical(&candidate).starts_with(&confine)
        {
            outside = true;
            continue;
        }
        if let Ok(real) = candidate.canonicalize() {
            if real.starts_with(&confine) {
                if real.is_file() {
                    found = Some(real);
                    break;
                }
            } else {
                outside = true;
            }
        }
    }
    let Some(path) = found else {
        if outside {
            problem(
                pre,
                "docs/snippet-outside",
                format!("snippet `{spec}` is outside the repository; it was not read"),
            );
        } else {
            problem(
                pre,
                "docs/snippet-missing",
                format!("snippet `{spec}` not found"),
            );
        }
        return;
    };
    if stack.contains(&path) || stack.len() > MAX_SNIPPET_DEPTH {
        problem(
            pre,
            "docs/snippet-loop",
            format!("snippet `{spec}` includes itself"),
        );
        return;
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            problem(
                pre,
                "docs/snippet-missing",
                format!("cannot read snippet `{spec}`: {e}"),
            );
            return;
        }
    };
    let all: Vec<&str> = text.lines().collect();
    let (from, to) = range.unwrap_or((1, all.len()));
    let from = from.max(1);
    let to = to.min(all.len());
    let pad = " ".repeat(indent);
    let lines: Vec<Line> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| *i + 1 >= from && *i < to)
        .map(|(_, l)| Line {
            text: if l.is_empty() {
                Cow::Borrowed("")
            } else {
                Cow::Owned(format!("{pad}{l}"))
            },
            // Included lines point at the `--8<--` line of the page.
            src: at.src,
            shift: at.shift,
        })
        .collect();
    stack.push(path);
    process(pre, &lines, roots, stack);
    stack.pop();
}

fn split_line_range(spec: &str) -> (&str, Option<(usize, usize)>) {
    let mut parts = spec.rsplitn(3, ':');
    let last = parts.next().unwrap_or("");
    let mid = parts.next();
    let first = parts.next();
    match (first, mid) {
        (Some(path), Some(a)) => match (a.parse::<usize>(), last.parse::<usize>()) {
            (Ok(a), Ok(b)) => (path, Some((a, b))),
            _ => match last.parse::<usize>() {
                Ok(a2) => (&spec[..spec.len() - last.len() - 1], Some((a2, usize::MAX))),
                Err(_) => (spec, None),
            },
        },
        (None, Some(path)) => match last.parse::<usize>() {
            Ok(a) => (path, Some((a, usize::MAX))),
            Err(_) => (spec, None),
        },
        _ => (spec, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_collapses_as_split_whitespace_does() {
        for s in [
            "",
            " ",
            "a",
            "  a  b\t\tc\n",
            "x\u{b}y\u{c}z\rw",
            "\u{a0}nbsp\u{a0} ideo\u{3000}space\u{2009}thin\u{85}nel",
            "\u{1f}unit-separator-is-not-space\u{1c}",
            "emoji 🙂  东京 ",
        ] {
            let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_ws(s), want, "{s:?}");
        }
    }

    fn md(src: &str) -> Rendered {
        let mut keep = |l: &LinkRef| l.dest.clone();
        render(
            src,
            Path::new("page.md"),
            &SnippetRoots::default(),
            Code::Now(&highlight::Memo::default()),
            &mut keep,
        )
    }

    fn squash(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn headings_get_mkdocs_ids_and_permalinks() {
        let r = md("# Hello World!\n\n## Usage\n\n## Usage\n\n## Custom {#my-id}\n");
        assert!(r.html.contains(
            "<h1 id=\"hello-world\">Hello World!<a class=\"headerlink\" href=\"#hello-world\" title=\"Permanent link\">&para;</a></h1>"
        ), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"usage\">"));
        assert!(r.html.contains("<h2 id=\"usage_1\">"));
        assert!(r.html.contains("<h2 id=\"my-id\">"));
        assert_eq!(r.title.as_deref(), Some("Hello World!"));
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["hello-world", "usage", "usage_1", "my-id"]);
    }

    #[test]
    fn admonition_with_title() {
        let r = md("!!! note \"Heads up\"\n\n    Body *text*.\n\nAfter.\n");
        assert_eq!(
            squash(&r.html),
            "<div class=\"admonition note\"> <p class=\"admonition-title\">Heads up</p> <p>Body <em>text</em>.</p> </div> <p>After.</p>"
        );
    }

    #[test]
    fn admonition_default_and_empty_title_and_classes() {
        let r = md("!!! warning\n    Careful.\n");
        assert!(
            r.html.contains("<p class=\"admonition-title\">Warning</p>"),
            "{}",
            r.html
        );
        let r = md("!!! tip inline end \"\"\n    Quiet.\n");
        assert!(
            r.html
                .contains("<div class=\"admonition tip inline end\">\n<p>Quiet.</p>")
                || squash(&r.html)
                    == "<div class=\"admonition tip inline end\"> <p>Quiet.</p> </div>",
            "{}",
            r.html
        );
        assert!(!r.html.contains("admonition-title"));
    }

    #[test]
    fn collapsible_admonitions_become_details() {
        let r = md("??? info \"More\"\n    Hidden.\n\n???+ tip\n    Shown.\n");
        let h = squash(&r.html);
        assert!(
            h.contains(
                "<details class=\"info\"> <summary>More</summary> <p>Hidden.</p> </details>"
            ),
            "{h}"
        );
        assert!(
            h.contains(
                "<details class=\"tip\" open> <summary>Tip</summary> <p>Shown.</p> </details>"
            ),
            "{h}"
        );
    }

    #[test]
    fn nested_admonition_and_code_inside() {
        let r = md("!!! note\n    Outer.\n\n    !!! danger \"Inner\"\n        Deep.\n\n    ```python\n    x = 1\n    ```\n");
        let h = squash(&r.html);
        assert!(h.contains("<div class=\"admonition danger\"> <p class=\"admonition-title\">Inner</p> <p>Deep.</p> </div>"), "{h}");
        assert!(h.contains("<code class=\"language-python\">"), "{h}");
        assert_eq!(h.matches("<div class=\"admonition").count(), 2);
    }

    #[test]
    fn fenced_block_content_is_not_preprocessed() {
        let r = md("```\n!!! note\n    not an admonition\n```\n");
        assert!(!r.html.contains("class=\"admonition"), "{}", r.html);
        assert!(r.html.contains("!!! note"));
    }

    #[test]
    fn content_tabs() {
        let r = md("=== \"Python\"\n\n    ```python\n    print(1)\n    ```\n\n=== \"Bash\"\n\n    echo hi\n\nAfter.\n");
        let h = squash(&r.html);
        assert!(h.starts_with("<div class=\"tabbed-set\" data-tabs=\"1:2\"><input type=\"radio\" name=\"__tabbed_1\" id=\"__tabbed_1_1\" checked><input type=\"radio\" name=\"__tabbed_1\" id=\"__tabbed_1_2\"><div class=\"tabbed-labels\"><label for=\"__tabbed_1_1\">Python</label><label for=\"__tabbed_1_2\">Bash</label></div> <div class=\"tabbed-content\"> <div class=\"tabbed-block\">"), "{h}");
        assert!(h.contains("</div> <div class=\"tabbed-block\"> <p>echo hi</p> </div> </div> </div> <p>After.</p>"), "{h}");
    }

    #[test]
    fn github_alerts() {
        let r = md("> [!WARNING]\n> Mind the gap.\n");
        assert_eq!(
            squash(&r.html),
            "<div class=\"admonition warning\"> <p class=\"admonition-title\">Warning</p> <p>Mind the gap.</p> </div>"
        );
        let plain = md("> quoted\n");
        assert!(plain.html.contains("<blockquote>"));
    }

    #[test]
    fn code_title_and_highlighted_lines() {
        let r = md("```python title=\"app.py\" hl_lines=\"2\"\na = 1\nb = 2\n```\n");
        assert!(r.html.starts_with("<div class=\"highlight\"><span class=\"filename\">app.py</span><pre><code class=\"language-python\">"), "{}", r.html);
        assert_eq!(r.html.matches("<span class=\"hll\">").count(), 1);
        assert!(!r.html.contains("style="));
        let f = FenceInfo::parse("{ .yaml title='x y' hl_lines=\"1-3 5\" }");
        assert_eq!(f.lang, "yaml");
        assert_eq!(f.title.as_deref(), Some("x y"));
        assert_eq!(f.hl_lines, vec![(1, 3), (5, 5)]);
    }

    #[test]
    fn unsupported_diagrams_show_as_code_and_are_reported() {
        let r = md("```plantuml\n@startuml\nA -> B\n@enduml\n```\n");
        assert!(
            r.html.contains(
                "<code class=\"language-plantuml\">@startuml\nA -&gt; B\n@enduml\n</code>"
            ),
            "{}",
            r.html
        );
        assert!(r.skipped.contains("plantuml"));
        assert_eq!(r.diagrams, 0);
    }

    #[test]
    fn mark_caret_and_tilde_as_pymdownx_writes_them() {
        let r = md(
            "==marked== and ^^inserted^^ and ~~deleted~~, H~2~O, x^2^ and E=mc^2^, ~sub~.\n\n\
             ==**bold** inside== *==in emphasis==*\n",
        );
        assert!(
            r.html.contains(
                "<p><mark>marked</mark> and <ins>inserted</ins> and <del>deleted</del>, \
                 H<sub>2</sub>O, x<sup>2</sup> and E=mc<sup>2</sup>, <sub>sub</sub>.</p>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                "<p><mark><strong>bold</strong> inside</mark> <em><mark>in emphasis</mark></em></p>"
            ),
            "{}",
            r.html
        );
    }

    #[test]
    fn mark_caret_and_tilde_leave_what_pymdownx_leaves() {
        // White space inside `^…^` and `~…~`; `==` between words or with spaces around it;
        // delimiters that cross an element; escapes; code; unmatched runs.
        let r = md("^a b^ ~a b~ a == b x==y==z ==a *b== c* 2^10 a~b ===x=== `==c==`\n\n\\==no==\n");
        assert!(
            r.html.contains(
                "<p>^a b^ ~a b~ a == b x==y==z ==a <em>b== c</em> 2^10 a~b ===x=== \
                 <code>==c==</code></p>\n<p>==no==</p>"
            ),
            "{}",
            r.html
        );
        let r = md("```\n==x== H~2~O\n```\n\n![==alt== x^2^](a.png)\n");
        assert!(r.html.contains(">==x== H~2~O\n</code></pre>"), "{}", r.html);
        assert!(r.html.contains("alt=\"==alt== x^2^\""), "{}", r.html);
    }

    #[test]
    fn heading_ids_see_inline_markup_as_mkdocs_does() {
        // Inline patterns run before `toc`, smartsymbols after it.
        let r = md("# H~2~O ==levels==\n\n## Copyright (c) 2024 (tm)\n");
        assert!(
            r.html
                .contains("<h1 id=\"h2o-levels\">H<sub>2</sub>O <mark>levels</mark>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<h2 id=\"copyright-c-2024-tm\">Copyright © 2024 ™"),
            "{}",
            r.html
        );
        assert_eq!(r.headings[1].text, "Copyright (c) 2024 (tm)");
    }

    #[test]
    fn bare_addresses_become_links_as_magiclink_makes_them() {
        let r = md(
            "See https://status.example.com/x_(y). or www.example.org, mail ops@example.com.\n\n\
             [a link https://inner.example](https://outer.example) `https://code.example` \
             <https://auto.example/v1/2> file.md and mkdocs.yml stay text.\n",
        );
        assert!(
            r.html.contains(
                "See <a href=\"https://status.example.com/x_(y)\">https://status.example.com/x_(y)</a>. \
                 or <a href=\"http://www.example.org\">www.example.org</a>, \
                 mail <a href=\"mailto:ops@example.com\">ops@example.com</a>.</p>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                "<a href=\"https://outer.example\">a link https://inner.example</a> \
                 <code>https://code.example</code> \
                 <a href=\"https://auto.example/v1/2\">https://auto.example/v1/2</a> \
                 file.md and mkdocs.yml stay text."
            ),
            "{}",
            r.html
        );
    }

    #[test]
    fn smart_symbols_in_text_not_in_code() {
        let r = md(
            "(c) (tm) (r) c/o +/- =/= a --> b <-- c <--> d, 1/2 1/4 of 3/4, 1st 2nd 3rd 4th 21st.\n\n\
             Not: 11th 1/25 12/3 ---> disco `(c) -->` abc/o 2nd_x\n",
        );
        assert!(
            r.html.contains(
                "<p>© ™ ® ℅ ± ≠ a → b ← c ↔ d, ½ ¼ of ¾, 1<sup>st</sup> 2<sup>nd</sup> \
                 3<sup>rd</sup> 4<sup>th</sup> 21<sup>st</sup>.</p>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                "<p>Not: 11th 1/25 12/3 ---&gt; disco <code>(c) --&gt;</code> abc/o 2nd_x</p>"
            ),
            "{}",
            r.html
        );
        // The search text keeps what was written.
        assert!(r.sections[0].text.contains("(c) (tm)"), "{:?}", r.sections);
    }

    #[test]
    fn attribute_lists_on_links_and_images() {
        let r = md(
            "![Map](map.png \"T\"){ width=\"300\" loading=lazy onclick=\"alert(1)\" }\n\n\
             [Start](start.md){ .md-button .md-button--primary } [out](https://x.example){: #out target=_blank }.\n\n\
             ![a *b*](m.png){.wide_one} [x](y.md) {not attrs} [z](y.md){z=} span{ .red }\n",
        );
        assert!(
            r.html.contains(
                "<p><img src=\"map.png\" alt=\"Map\" title=\"T\" width=\"300\" loading=\"lazy\" /></p>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                "<p><a href=\"start.md\" class=\"md-button md-button--primary\">Start</a> \
                 <a href=\"https://x.example\" id=\"out\" target=\"_blank\">out</a>.</p>"
            ),
            "{}",
            r.html
        );
        // Not attribute lists: after a space, not `key=value`, after text.
        assert!(
            r.html.contains(
                "<p><img src=\"m.png\" alt=\"a b\" class=\"wide_one\" /> <a href=\"y.md\">x</a> \
                 {not attrs} <a href=\"y.md\">z</a>{z=} span{ .red }</p>"
            ),
            "{}",
            r.html
        );
    }

    #[test]
    fn emoji_shortcodes_become_emoji_in_text_only() {
        let r = md(
            "# Launch :rocket:\n\nDone :white_check_mark: :+1:, not :nope: or 10:30:45 or a::b.\n\n\
             `:rocket:` in code\n\n```\n:rocket:\n```\n\n*:tada:* [:bug:](x.md)\n",
        );
        // The heading's id is MkDocs' (the emoji is not a word character).
        assert!(r.html.contains("<h1 id=\"launch\">Launch 🚀"), "{}", r.html);
        assert!(
            r.html
                .contains("<p>Done ✅ 👍, not :nope: or 10:30:45 or a::b.</p>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<code>:rocket:</code>"), "{}", r.html);
        assert!(r.html.contains(">:rocket:\n</code></pre>"), "{}", r.html);
        assert!(r.html.contains("<em>🎉</em>"), "{}", r.html);
        assert!(r.html.contains(">🐛</a>"), "{}", r.html);
        assert_eq!(replace_shortcodes("no colons here"), None);
        assert_eq!(
            replace_shortcodes(":smile::smile:").as_deref(),
            Some("😄😄")
        );
        assert_eq!(
            replace_shortcodes("a :x :smile:").as_deref(),
            Some("a :x 😄")
        );
    }

    #[test]
    fn mermaid_fences_become_diagrams_with_their_source_as_text() {
        // Any case of the name, as Python-Markdown compares fence languages; the source is
        // escaped, never highlighted, and the page counts it so its template loads Mermaid.
        let r = md("```mermaid\ngraph TD; A-->B[\"<b>x</b>\"]\n```\n\n```Mermaid\npie\n```\n");
        assert_eq!(
            r.html.matches("<div class=\"diagram\"><pre class=\"mermaid\"><code class=\"language-mermaid\">").count(),
            2,
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                ">graph TD; A--&gt;B[&quot;&lt;b&gt;x&lt;/b&gt;&quot;]\n</code></pre></div>"
            ),
            "{}",
            r.html
        );
        assert_eq!(r.diagrams, 2);
        assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    }

    #[test]
    fn task_list_checkboxes_are_labelled_by_their_item_text() {
        let r = md("- [ ] Write the *runbook* for `payments`\n  - [x] nested\n");
        assert!(
            r.html.contains(
                "<input type=\"checkbox\" disabled aria-label=\"Write the runbook for payments\">"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<input type=\"checkbox\" disabled checked aria-label=\"nested\">"),
            "{}",
            r.html
        );
        // The label survives the sanitizer that runs when a page has raw HTML.
        let r = md("<kbd>x</kbd>\n\n- [x] done\n");
        assert!(r.html.contains("aria-label=\"done\""), "{}", r.html);
    }

    #[test]
    fn abbreviations_wrap_whole_words_and_definitions_disappear() {
        let r = md("Our SLO and SLOs, SLO-based. `SLO` in code.\n\n*[SLO]: service level objective\n*[SLA]: <agreement>\n\n```\n*[X]: kept\n```\n");
        assert!(
            r.html.contains(
                "<p>Our <abbr title=\"service level objective\">SLO</abbr> and SLOs, <abbr title=\"service level objective\">SLO</abbr>-based. <code>SLO</code> in code.</p>"
            ),
            "{}",
            r.html
        );
        assert!(!r.html.contains("*[SLO]"), "{}", r.html);
        assert!(!r.html.contains("agreement"), "{}", r.html);
        assert!(r.html.contains("*[X]: kept"), "{}", r.html);
        // Text is still escaped around the abbreviations.
        let r = md("a < SLO & b\n\n*[SLO]: x \"y\"\n");
        assert!(
            r.html
                .contains("<p>a &lt; <abbr title=\"x &quot;y&quot;\">SLO</abbr> &amp; b</p>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn footnotes_are_numbered_in_order_of_first_reference() {
        let r =
            md("One[^problem] two[^b] again[^problem].\n\n[^b]: Bee.\n[^problem]: The problem.\n");
        assert!(
            r.html.contains(
                "<sup id=\"fnref:problem\"><a class=\"footnote-ref\" href=\"#fn:problem\">1</a></sup>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(
                "<sup id=\"fnref:b\"><a class=\"footnote-ref\" href=\"#fn:b\">2</a></sup>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("<sup id=\"fnref2:problem\">"), "{}", r.html);
        let first = r.html.find("<li id=\"fn:problem\">").expect("note");
        let second = r.html.find("<li id=\"fn:b\">").expect("note");
        assert!(first < second, "{}", r.html);
    }

    #[test]
    fn gfm_tables_tasks_footnotes_strikethrough() {
        let r = md("| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\nSee[^1] ~~old~~.\n\n[^1]: The note.\n");
        assert!(
            r.html.contains("<th style=\"text-align: left\">a</th>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<input type=\"checkbox\" disabled checked aria-label=\"done\">"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<del>old</del>"));
        assert!(
            r.html.contains(
                "<sup id=\"fnref:1\"><a class=\"footnote-ref\" href=\"#fn:1\">1</a></sup>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("<div class=\"footnote\">"));
        assert!(r.html.contains("<li id=\"fn:1\">"), "{}", r.html);
        assert!(r.anchors.contains(&"fn:1".to_string()));
    }

    #[test]
    fn raw_html_is_sanitised() {
        let r = md("<div onclick=\"x()\">hi <script>alert(1)</script><kbd>K</kbd></div>\n\n!!! note\n    safe\n");
        assert!(!r.html.contains("onclick"), "{}", r.html);
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(r.html.contains("<kbd>K</kbd>"), "{}", r.html);
        // portico's own markup survives the sanitiser.
        assert!(
            r.html.contains("<div class=\"admonition note\">"),
            "{}",
            r.html
        );
    }

    #[test]
    fn placeholders_cannot_be_forged() {
        let r = md("<!--portico-000000000000:0-->\n");
        assert!(!r.html.contains("admonition"));
    }

    #[test]
    fn link_positions_point_at_the_source_even_inside_blocks() {
        let src = "# T\n\nSee [a](a.md).\n\n!!! note\n    Also [b](b.md#x) here.\n\n=== \"T\"\n\n    - item [c](c.md)\n";
        let mut seen = vec![];
        let mut rec = |l: &LinkRef| {
            seen.push((l.dest.clone(), l.line, l.column));
            format!("X{}", l.dest)
        };
        let r = render(
            src,
            Path::new("p.md"),
            &SnippetRoots::default(),
            Code::Now(&highlight::Memo::default()),
            &mut rec,
        );
        assert_eq!(
            seen,
            vec![
                ("a.md".to_string(), 3, 5),
                ("b.md#x".to_string(), 6, 10),
                ("c.md".to_string(), 10, 12)
            ]
        );
        assert!(r.html.contains("href=\"Xa.md\""));
    }

    #[test]
    fn sections_split_text_at_headings() {
        let r = md("Intro text.\n\n## One\n\nAlpha *beta*.\n\n```\ncode not indexed\n```\n\n## Two\n\n- x\n- y\n");
        assert_eq!(
            r.sections,
            vec![
                Section {
                    id: None,
                    title: String::new(),
                    text: "Intro text.".into()
                },
                Section {
                    id: Some("one".into()),
                    title: "One".into(),
                    text: "Alpha beta.".into()
                },
                Section {
                    id: Some("two".into()),
                    title: "Two".into(),
                    text: "x y".into()
                },
            ]
        );
    }

    #[test]
    fn snippets_are_included_and_confined() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join("docs")).unwrap();
        std::fs::write(repo.join("shared.md"), "Shared *text*.\n").unwrap();
        std::fs::write(repo.join("lines.txt"), "one\ntwo\nthree\n").unwrap();
        std::fs::write(tmp.path().join("secret.md"), "SECRET\n").unwrap();
        let roots = SnippetRoots {
            bases: vec![repo.clone(), repo.join("docs")],
            confine: repo.clone(),
        };
        let src = "A\n\n--8<-- \"shared.md\"\n\n--8<-- \"lines.txt:2:2\"\n\n  --8<-- \"../secret.md\"\n\n--8<-- \"nope.md\"\n";
        let mut keep = |l: &LinkRef| l.dest.clone();
        let memo = highlight::Memo::default();
        let r = render(
            src,
            &repo.join("docs/page.md"),
            &roots,
            Code::Now(&memo),
            &mut keep,
        );
        assert!(
            r.html.contains("<p>Shared <em>text</em>.</p>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<p>two</p>"), "{}", r.html);
        assert!(!r.html.contains("one"));
        assert!(!r.html.contains("SECRET"));
        assert_eq!(
            r.problems
                .iter()
                .map(|p| (p.line, p.column, p.rule))
                .collect::<Vec<_>>(),
            vec![
                (7, 3, "docs/snippet-outside"),
                (9, 1, "docs/snippet-missing")
            ]
        );
    }

    /// `src` rendered with its code highlighted later, as the docs build does: the blocks
    /// left, and the HTML once they are filled in.
    fn md_later(src: &str) -> (Vec<CodeBlock>, String) {
        let memo = highlight::Memo::default();
        let mut keep = |l: &LinkRef| l.dest.clone();
        let roots = SnippetRoots::default();
        let mut r = render(
            src,
            Path::new("page.md"),
            &roots,
            Code::Later(&memo),
            &mut keep,
        );
        let blocks = r.code.clone();
        let lines: Vec<String> = blocks
            .iter()
            .map(|c| highlight::highlight(&c.code, &c.lang, &c.hl_lines))
            .collect();
        r.fill_code(&lines);
        (blocks, r.html)
    }

    #[test]
    fn code_highlighted_later_fills_in_as_highlighted_in_place() {
        let src =
            "# T\n\n```rust hl_lines=\"2\"\nfn main() {\n    let x = 1;\n}\n```\n\nNote[^n].\n\n\
                   [^n]: In a note:\n\n    ```python\n    print(1)\n    ```\n\n\
                   !!! tip\n    ```yaml\n    a: 1\n    ```\n\n~~~\nplain <b>\n~~~\n";
        let (blocks, later) = md_later(src);
        assert_eq!(
            blocks
                .iter()
                .map(|c| (c.lang.as_str(), c.hl_lines.clone()))
                .collect::<Vec<_>>(),
            vec![
                ("rust", vec![(2, 2)]),
                ("python", vec![]),
                ("yaml", vec![]),
                ("", vec![])
            ]
        );
        let now = md(src).html;
        assert!(now.contains("<span class=\"hll\">"), "{now}");
        assert!(now.contains("plain &lt;b&gt;"), "{now}");
        assert_eq!(later, now);
        // With raw HTML the page goes through the sanitizer, markers and all.
        let raw = format!("<details><summary>More</summary>\n\n{src}\n</details>\n");
        let (_, later) = md_later(&raw);
        assert!(later.contains("<details>"), "{later}");
        assert!(later.contains("<span class=\"hll\">"), "{later}");
        assert!(!later.contains(CODE_OPEN), "{later}");
        assert_eq!(later.matches("<pre><code").count(), 4);
    }

    #[test]
    fn pages_holding_the_marker_characters_are_highlighted_in_place() {
        let src = "Text \u{E000}0\u{E001} here.\n\n```json\n{\"a\": 1}\n```\n";
        let (blocks, later) = md_later(src);
        assert!(blocks.is_empty());
        assert_eq!(later, md(src).html);
        assert!(later.contains("Text \u{E000}0\u{E001} here."), "{later}");
        assert!(later.contains("hl-"), "{later}");
    }

    #[test]
    fn front_matter_title_wins() {
        let r = md("---\ntitle: From meta\n---\n\n# Heading\n");
        // Until the YAML parser lands `parse_str` may give nothing; the h1 is the fallback.
        assert!(matches!(
            r.title.as_deref(),
            Some("From meta") | Some("Heading")
        ));
        assert!(!r.html.contains("title: From meta"));
    }
}
