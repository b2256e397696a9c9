//! The inline extensions techdocs-core turns on for every TechDocs site that pulldown-cmark
//! has no option for, so a page reads in portico as it does in Backstage:
//!
//! - pymdownx.magiclink: bare `https://…`, `ftp://…`, `www.…` addresses and e-mail addresses
//!   become links (the `linkify` crate finds where each one ends);
//! - pymdownx.mark `==marked==`, pymdownx.caret `^^inserted^^` and `^superscript^`,
//!   pymdownx.tilde `~subscript~` (pulldown-cmark does `~~deleted~~` and the `~sub~` that
//!   stand apart; `H~2~O` and `x^2^` inside words are done here, as pymdownx does them);
//! - pymdownx.smartsymbols: `(c)` ©, `(tm)` ™, `(r)` ®, `c/o` ℅, `+/-` ±, `=/=` ≠, arrows
//!   `-->` `<--` `<-->`, fractions `1/2` and ordinals `1st`.
//!
//! None of them touches code, code blocks, front matter or image alt text.
//!
//! [`extend`] works on the page's events before anything else reads them (as these are
//! Python-Markdown inline patterns, the heading ids see their result). [`smart_symbols`] is
//! applied to text as it is written, after the heading ids are made: MkDocs' `toc` runs
//! before smartsymbols, so `## Copyright (c)` keeps the id `copyright-c`.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// The HTML this module writes itself; it needs no sanitising.
pub const OWN_HTML: [&str; 4] = ["<mark>", "</mark>", "<ins>", "</ins>"];

/// magiclink, mark, caret and tilde over one page's events, whose ranges index `source`
/// (the text pulldown-cmark parsed).
pub fn extend<'a>(source: &'a str, events: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
    let subscripts = || {
        events
            .iter()
            .any(|(e, _)| matches!(e, Event::Start(Tag::Subscript)))
    };
    if !any_prose(&events, has_trigger) && !subscripts() {
        return events;
    }
    let events = spaced_subscripts_literal(source, events);
    let events = join_text(source, events);
    let events = magic_links(source, events);
    delimiters(source, events)
}

/// Whether some text outside code blocks and front matter passes `test`. Code blocks are
/// most of the text of many pages, and the inline rules never look at them.
pub fn any_prose(events: &[Spanned], test: impl Fn(&str) -> bool) -> bool {
    let mut scope = Scope::default();
    events.iter().any(|(e, _)| {
        scope.see(e);
        matches!(e, Event::Text(t) if scope.in_prose() && test(t))
    })
}

/// Whether `t` has a character one of [`extend`]'s rules starts with. Every piece of text
/// of every page is tested, so the searches are memchr's vectorised ones.
fn has_trigger(t: &str) -> bool {
    memchr::memchr3(b'=', b'^', b'~', t.as_bytes()).is_some() || has_address(t)
}

/// Whether `t` may hold an address magiclink links: an `@`, a `://` or a `www.`.
fn has_address(t: &str) -> bool {
    let b = t.as_bytes();
    memchr::memchr3_iter(b'@', b':', b'.', b).any(|i| match b[i] {
        b'@' => true,
        b':' => b[i + 1..].starts_with(b"//"),
        _ => i >= 3 && b[i - 3..i].eq_ignore_ascii_case(b"www"),
    })
}

/// `t` is exactly the source text at `r` (no escape, entity or replacement inside), so
/// positions in it are positions in the source.
fn is_clean(source: &str, t: &str, r: &Range<usize>) -> bool {
    match source.get(r.clone()) {
        Some(s) => s.len() == t.len() && (s.as_ptr() == t.as_ptr() || s == t),
        None => false,
    }
}

/// The first character of the text at `r` was written with a backslash before it.
fn escaped_first(source: &str, r: &Range<usize>) -> bool {
    r.start > 0 && source.as_bytes()[r.start - 1] == b'\\'
}

/// pymdownx.tilde's subscript holds no white space (`~a b~` stays as written), where
/// pulldown-cmark's allows it: such a subscript goes back to text.
fn spaced_subscripts_literal<'a>(
    source: &'a str,
    mut events: Vec<Spanned<'a>>,
) -> Vec<Spanned<'a>> {
    let mut i = 0;
    while i < events.len() {
        if matches!(events[i].0, Event::Start(Tag::Subscript)) {
            let mut depth = 0usize;
            let mut spaced = false;
            let mut end = None;
            for (j, (e, _)) in events.iter().enumerate().skip(i + 1) {
                match e {
                    Event::Start(_) => depth += 1,
                    Event::End(TagEnd::Subscript) if depth == 0 => {
                        end = Some(j);
                        break;
                    }
                    Event::End(_) => depth = depth.saturating_sub(1),
                    Event::Text(t) | Event::Code(t) => spaced |= t.contains(char::is_whitespace),
                    Event::SoftBreak | Event::HardBreak => spaced = true,
                    _ => {}
                }
            }
            if let (Some(j), true) = (end, spaced) {
                let r = events[i].1.clone();
                for (k, at) in [(i, r.start), (j, r.end.saturating_sub(1))] {
                    if let Some(tilde) = source.get(at..at + 1) {
                        events[k] = (Event::Text(tilde.into()), at..at + 1);
                    }
                }
            }
        }
        i += 1;
    }
    events
}

/// Adjacent pieces of clean text joined into one event (pulldown-cmark splits text at `_`,
/// `*`, `^`, … even where they end up as text), so a pattern is found across them.
fn join_text<'a>(source: &'a str, events: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
    let mut out: Vec<Spanned<'a>> = Vec::with_capacity(events.len());
    for (ev, r) in events {
        if let Event::Text(t) = &ev {
            if is_clean(source, t, &r) && !escaped_first(source, &r) {
                if let Some((Event::Text(prev), pr)) = out.last_mut() {
                    if pr.end == r.start && is_clean(source, prev, pr) {
                        pr.end = r.end;
                        *prev = CowStr::Borrowed(&source[pr.clone()]);
                        continue;
                    }
                }
            }
        }
        out.push((ev, r));
    }
    out
}

/// Where the rules of this module do not apply: code blocks and front matter, image alt
/// text, and the text of links (magiclink makes no link inside a link; an autolink's text
/// is the address, kept as written).
#[derive(Default)]
pub struct Scope {
    verbatim: usize,
    /// One entry per open link or image: whether its text is kept exactly.
    links: Vec<bool>,
}

impl Scope {
    pub fn see(&mut self, ev: &Event) {
        match ev {
            Event::Start(Tag::CodeBlock(_) | Tag::MetadataBlock(_)) => self.verbatim += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::MetadataBlock(_)) => {
                self.verbatim = self.verbatim.saturating_sub(1)
            }
            Event::Start(Tag::Link { link_type, .. }) => self
                .links
                .push(matches!(link_type, LinkType::Autolink | LinkType::Email)),
            Event::Start(Tag::Image { .. }) => self.links.push(true),
            Event::End(TagEnd::Link | TagEnd::Image) => {
                self.links.pop();
            }
            _ => {}
        }
    }

    /// Text here is the page's prose: not in a code block or front matter.
    pub fn in_prose(&self) -> bool {
        self.verbatim == 0
    }

    /// Text here may become a link.
    fn linkable(&self) -> bool {
        self.in_prose() && self.links.is_empty()
    }

    /// Text here may be marked up, or have its symbols replaced.
    pub fn markable(&self) -> bool {
        self.in_prose() && !self.links.iter().any(|&kept| kept)
    }
}

/// pymdownx.magiclink: `http(s)://` and `ftp(s)://` addresses link to themselves, `www.…`
/// to `http://www.…`, e-mail addresses to `mailto:`.
fn magic_links<'a>(source: &'a str, events: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
    let candidate = |e: &Event| matches!(e, Event::Text(t) if has_address(t));
    if !events.iter().any(|(e, _)| candidate(e)) {
        return events;
    }
    let mut finder = linkify::LinkFinder::new();
    finder.url_must_have_scheme(false);
    let mut scope = Scope::default();
    let mut out = Vec::with_capacity(events.len());
    for (ev, r) in events {
        scope.see(&ev);
        let t = match &ev {
            Event::Text(t) if scope.linkable() && candidate(&ev) && is_clean(source, t, &r) => {
                &source[r.clone()]
            }
            _ => {
                out.push((ev, r));
                continue;
            }
        };
        let mut done = 0;
        for link in finder.links(t) {
            let text = link.as_str();
            let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
            let (href, link_type) = match link.kind() {
                // pulldown-cmark writes the `mailto:` of an e-mail link itself.
                linkify::LinkKind::Email => (text.to_string(), LinkType::Email),
                linkify::LinkKind::Url
                    if ["http://", "https://", "ftp://", "ftps://"]
                        .iter()
                        .any(|s| lower.starts_with(s)) =>
                {
                    (text.to_string(), LinkType::Autolink)
                }
                linkify::LinkKind::Url if lower.starts_with("www.") => {
                    (format!("http://{text}"), LinkType::Autolink)
                }
                _ => continue,
            };
            let (start, end) = (r.start + link.start(), r.start + link.end());
            if link.start() > done {
                out.push((
                    Event::Text(t[done..link.start()].into()),
                    r.start + done..start,
                ));
            }
            out.push((
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: href.into(),
                    title: "".into(),
                    id: "".into(),
                }),
                start..end,
            ));
            out.push((Event::Text(text.into()), start..end));
            out.push((Event::End(TagEnd::Link), start..end));
            done = link.end();
        }
        if done == 0 {
            out.push((ev, r));
        } else if done < t.len() {
            out.push((Event::Text(t[done..].into()), r.start + done..r.end));
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pair {
    /// `==…==`
    Mark,
    /// `^^…^^`
    Ins,
    /// `^…^`
    Sup,
    /// `~…~`
    Sub,
}

/// What is on one side of a delimiter, as the "smart" rules of pymdownx see it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The start or end of the block, a line break or white space.
    Space,
    /// A letter, digit or `_`.
    Word,
    /// Anything else, markup included.
    Other,
}

fn side(c: Option<char>) -> Side {
    match c {
        None => Side::Space,
        Some(c) if c.is_whitespace() => Side::Space,
        Some(c) if c.is_alphanumeric() || c == '_' => Side::Word,
        Some(_) => Side::Other,
    }
}

/// What an event shows to a delimiter at its edge.
fn side_of_event(e: Option<&Event>, before: bool) -> Side {
    match e {
        Some(Event::Text(t)) => side(if before {
            t.chars().next_back()
        } else {
            t.chars().next()
        }),
        Some(
            Event::Code(_)
            | Event::InlineHtml(_)
            | Event::FootnoteReference(_)
            | Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. },
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image,
            ),
        ) => Side::Other,
        _ => Side::Space,
    }
}

/// A delimiter run found in a text event.
struct Delim {
    event: usize,
    /// Byte offset in the event's text, and length.
    at: usize,
    len: usize,
    pair: Pair,
    open: bool,
    close: bool,
    /// The innermost open element: a pair never crosses an element's edge.
    container: usize,
}

/// mark, caret and tilde: matched delimiters become `<mark>`, `<ins>`, `<sup>`, `<sub>`.
/// `==` and `^^` pair across inline markup (`==**bold** text==`), with pymdownx's smart
/// rule (an opener does not follow a word character, a closer is not followed by one, so
/// `a==b==c` stays as written); `^` and `~` pair inside one piece of text with no white
/// space between (`x^2^`, `H~2~O`; `^a b^` stays as written).
fn delimiters<'a>(source: &'a str, events: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
    let mut delims: Vec<Delim> = Vec::new();
    let mut scope = Scope::default();
    let mut containers = vec![0usize];
    let mut next_container = 1;
    for (i, (ev, r)) in events.iter().enumerate() {
        scope.see(ev);
        match ev {
            Event::Start(_) => {
                containers.push(next_container);
                next_container += 1;
            }
            Event::End(_) => {
                containers.pop();
            }
            Event::Text(t) if scope.markable() && is_clean(source, t, r) => {
                let b = t.as_bytes();
                let mut k = 0;
                while k < b.len() {
                    let c = b[k];
                    if !matches!(c, b'=' | b'^' | b'~') {
                        k += 1;
                        continue;
                    }
                    let len = b[k..].iter().take_while(|&&x| x == c).count();
                    let pair = match (c, len) {
                        (b'=', 2) => Some(Pair::Mark),
                        (b'^', 2) => Some(Pair::Ins),
                        (b'^', 1) => Some(Pair::Sup),
                        (b'~', 1) => Some(Pair::Sub),
                        _ => None,
                    };
                    let escaped = k == 0 && escaped_first(source, r);
                    if let (Some(pair), false) = (pair, escaped) {
                        let before = match t[..k].chars().next_back() {
                            Some(ch) => side(Some(ch)),
                            None => side_of_event(i.checked_sub(1).map(|p| &events[p].0), true),
                        };
                        let after = match t[k + len..].chars().next() {
                            Some(ch) => side(Some(ch)),
                            None => side_of_event(events.get(i + 1).map(|(e, _)| e), false),
                        };
                        let (open, close) = match pair {
                            Pair::Mark | Pair::Ins => (
                                before != Side::Word && after != Side::Space,
                                before != Side::Space && after != Side::Word,
                            ),
                            Pair::Sup | Pair::Sub => (after != Side::Space, before != Side::Space),
                        };
                        delims.push(Delim {
                            event: i,
                            at: k,
                            len,
                            pair,
                            open,
                            close,
                            container: *containers.last().unwrap_or(&0),
                        });
                    }
                    k += len;
                }
            }
            _ => {}
        }
    }
    if delims.is_empty() {
        return events;
    }

    // Matched delimiters: (index into `delims`, opening?).
    let mut matched: Vec<(usize, bool)> = Vec::new();
    // `==` and `^^`: a stack, as CommonMark pairs emphasis.
    let mut stack: Vec<usize> = Vec::new();
    for (d, delim) in delims.iter().enumerate() {
        if !matches!(delim.pair, Pair::Mark | Pair::Ins) {
            continue;
        }
        if delim.close {
            if let Some(k) = stack.iter().rposition(|&o| {
                delims[o].pair == delim.pair && delims[o].container == delim.container
            }) {
                matched.push((stack[k], true));
                matched.push((d, false));
                stack.truncate(k);
                continue;
            }
        }
        if delim.open {
            stack.push(d);
        }
    }
    // `^` and `~`: the next one of the same kind in the same text, with text between that
    // has no white space and no other delimiter.
    let mut d = 0;
    while d + 1 < delims.len() {
        let (a, b) = (&delims[d], &delims[d + 1]);
        let single = matches!(a.pair, Pair::Sup | Pair::Sub);
        if single && a.open && b.pair == a.pair && b.close && b.event == a.event {
            let Event::Text(t) = &events[a.event].0 else {
                unreachable!("delimiters are found in text")
            };
            let inner = &t[a.at + a.len..b.at];
            if !inner.is_empty() && !inner.contains(char::is_whitespace) {
                matched.push((d, true));
                matched.push((d + 1, false));
                d += 2;
                continue;
            }
        }
        d += 1;
    }
    if matched.is_empty() {
        return events;
    }
    matched.sort_by_key(|&(d, _)| (delims[d].event, delims[d].at));

    let mut out = Vec::with_capacity(events.len() + matched.len() * 2);
    let mut m = matched.iter().peekable();
    for (i, (ev, r)) in events.into_iter().enumerate() {
        if m.peek().is_none_or(|&&(d, _)| delims[d].event != i) {
            out.push((ev, r));
            continue;
        }
        let t = &source[r.clone()];
        let mut done = 0;
        while let Some(&&(d, opening)) = m.peek() {
            let delim = &delims[d];
            if delim.event != i {
                break;
            }
            m.next();
            if delim.at > done {
                out.push((
                    Event::Text(t[done..delim.at].into()),
                    r.start + done..r.start + delim.at,
                ));
            }
            let tag = match (delim.pair, opening) {
                (Pair::Mark, true) => Event::InlineHtml(OWN_HTML[0].into()),
                (Pair::Mark, false) => Event::InlineHtml(OWN_HTML[1].into()),
                (Pair::Ins, true) => Event::InlineHtml(OWN_HTML[2].into()),
                (Pair::Ins, false) => Event::InlineHtml(OWN_HTML[3].into()),
                (Pair::Sup, true) => Event::Start(Tag::Superscript),
                (Pair::Sup, false) => Event::End(TagEnd::Superscript),
                (Pair::Sub, true) => Event::Start(Tag::Subscript),
                (Pair::Sub, false) => Event::End(TagEnd::Subscript),
            };
            let at = r.start + delim.at;
            out.push((tag, at..at + delim.len));
            done = delim.at + delim.len;
        }
        if done < t.len() {
            out.push((Event::Text(t[done..].into()), r.start + done..r.end));
        }
    }
    out
}

/// Text after pymdownx.smartsymbols.
#[derive(Debug, PartialEq, Eq)]
pub struct Smart {
    /// The text with its symbols.
    pub text: String,
    /// The same as HTML, when it needs markup (ordinals: `1<sup>st</sup>`).
    pub html: Option<String>,
}

const FRACTIONS: [(&str, &str); 15] = [
    ("1/4", "¼"),
    ("1/2", "½"),
    ("3/4", "¾"),
    ("1/3", "⅓"),
    ("2/3", "⅔"),
    ("1/5", "⅕"),
    ("2/5", "⅖"),
    ("3/5", "⅗"),
    ("4/5", "⅘"),
    ("1/6", "⅙"),
    ("5/6", "⅚"),
    ("1/8", "⅛"),
    ("3/8", "⅜"),
    ("5/8", "⅝"),
    ("7/8", "⅞"),
];

/// The bytes a smart symbol can start with.
static SYMBOL_START: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = true;
        c += 1;
    }
    t[b'(' as usize] = true;
    t[b'+' as usize] = true;
    t[b'=' as usize] = true;
    t[b'<' as usize] = true;
    t[b'-' as usize] = true;
    t[b'c' as usize] = true;
    t
};

enum Piece<'t> {
    Text(&'t str),
    Ordinal(&'t str, &'t str),
}

/// pymdownx.smartsymbols on one piece of text; `None` when nothing in it changes.
pub fn smart_symbols(text: &str) -> Option<Smart> {
    let b = text.as_bytes();
    // Every piece of text of every page comes here, and few have a symbol: a table lookup
    // per byte rejects them.
    if !b.iter().any(|&c| SYMBOL_START[c as usize]) {
        return None;
    }
    let prev_char = |i: usize| text[..i].chars().next_back();
    let word = |c: Option<char>| side(c) == Side::Word;
    let mut pieces: Vec<Piece> = Vec::new();
    let mut done = 0;
    let mut i = 0;
    while i < b.len() {
        if !SYMBOL_START[b[i] as usize] {
            i += 1;
            continue;
        }
        let rest = &b[i..];
        let found: Option<(usize, Piece)> = match b[i] {
            b'(' if rest.starts_with(b"(tm)") => Some((4, Piece::Text("™"))),
            b'(' if rest.starts_with(b"(c)") => Some((3, Piece::Text("©"))),
            b'(' if rest.starts_with(b"(r)") => Some((3, Piece::Text("®"))),
            b'+' if rest.starts_with(b"+/-") => Some((3, Piece::Text("±"))),
            b'=' if rest.starts_with(b"=/=") => Some((3, Piece::Text("≠"))),
            b'<' if rest.starts_with(b"<-->") => Some((4, Piece::Text("↔"))),
            b'<' if rest.starts_with(b"<--") && rest.get(3) != Some(&b'-') => {
                Some((3, Piece::Text("←")))
            }
            b'-' if rest.starts_with(b"-->") && (i == 0 || b[i - 1] != b'-') => {
                Some((3, Piece::Text("→")))
            }
            b'c' if rest.starts_with(b"c/o")
                && !word(prev_char(i))
                && !word(text[i + 3..].chars().next()) =>
            {
                Some((3, Piece::Text("℅")))
            }
            b'0'..=b'9' => {
                // `i` starts a run of digits (runs are skipped whole below).
                let run = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                let fraction = (run == 1 && rest.get(1) == Some(&b'/'))
                    .then(|| {
                        FRACTIONS
                            .iter()
                            .find(|(f, _)| rest.starts_with(f.as_bytes()))
                    })
                    .flatten()
                    .filter(|_| !rest.get(3).is_some_and(u8::is_ascii_digit));
                match fraction {
                    Some((f, sym)) => Some((f.len(), Piece::Text(sym))),
                    None if matches!(rest.get(run), Some(b's' | b'n' | b'r' | b't'))
                        && !word(prev_char(i)) =>
                    {
                        ordinal(text, i).map(|n| {
                            (
                                n,
                                Piece::Ordinal(&text[i..i + n - 2], &text[i + n - 2..i + n]),
                            )
                        })
                    }
                    None => {
                        i += run;
                        continue;
                    }
                }
            }
            _ => None,
        };
        match found {
            Some((len, piece)) => {
                if i > done {
                    pieces.push(Piece::Text(&text[done..i]));
                }
                pieces.push(piece);
                i += len;
                done = i;
            }
            None => i += 1,
        }
    }
    if pieces.is_empty() {
        return None;
    }
    if done < text.len() {
        pieces.push(Piece::Text(&text[done..]));
    }
    let mut plain = String::with_capacity(text.len());
    let mut html = None::<String>;
    for p in &pieces {
        match p {
            Piece::Text(s) => plain.push_str(s),
            Piece::Ordinal(n, suffix) => {
                plain.push_str(n);
                plain.push_str(suffix);
            }
        }
    }
    if pieces.iter().any(|p| matches!(p, Piece::Ordinal(..))) {
        let mut h = String::with_capacity(text.len() + 16);
        for p in &pieces {
            match p {
                Piece::Text(s) => h.push_str(&super::highlight::escape(s)),
                Piece::Ordinal(n, suffix) => {
                    h.push_str(n);
                    h.push_str("<sup>");
                    h.push_str(suffix);
                    h.push_str("</sup>");
                }
            }
        }
        html = Some(h);
    }
    Some(Smart { text: plain, html })
}

/// The length of the ordinal number (`1st`, `22nd`, `103rd`, `4th`) at `i`, as
/// smartsymbols finds them: no leading zero, the suffix the last digit takes (so `11th`,
/// `12th` and `13th` are left alone, as pymdownx leaves them), and no word character after.
fn ordinal(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let end = i + digits;
    if digits > 1 && b[i] == b'0' {
        return None;
    }
    let suffix = b.get(end..end + 2)?;
    let want: &[u8] = match b[end - 1] {
        b'1' => b"st",
        b'2' => b"nd",
        b'3' => b"rd",
        _ => b"th",
    };
    if suffix != want {
        return None;
    }
    let after = text.get(end + 2..).and_then(|s| s.chars().next());
    (side(after) != Side::Word).then_some(digits + 2)
}

/// attr_list (in every techdocs-core site through pymdownx.extra) on links and images:
/// `![Map](map.png){ width="300" }`, `[Start](start.md){ .md-button }`. The `{…}` right
/// after the element leaves the text; its attributes, keyed by the element's start offset,
/// go to whoever writes the element. Attribute names outside [`ALLOWED_ATTRIBUTES`] are
/// dropped (MkDocs writes whatever is given, `onclick` included; portico's pages are
/// sanitised). A `{…}` that is not an attribute list stays as written.
pub fn attribute_lists<'a>(
    source: &'a str,
    events: Vec<Spanned<'a>>,
) -> (Vec<Spanned<'a>>, Vec<(usize, Attributes)>) {
    let candidate = events.windows(2).any(|w| {
        matches!(&w[0].0, Event::End(TagEnd::Link | TagEnd::Image))
            && matches!(&w[1].0, Event::Text(t) if t.starts_with('{'))
    });
    if !candidate {
        return (events, Vec::new());
    }
    // `{ .md_button }`: pulldown-cmark splits text at `_`.
    let mut events = join_text(source, events);
    let mut found = Vec::new();
    let mut starts: Vec<usize> = Vec::new(); // where each open link or image starts
    for i in 0..events.len() {
        match &events[i].0 {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => starts.push(events[i].1.start),
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let start = starts.pop();
                let (Some(start), Some((Event::Text(t), r))) = (start, events.get(i + 1)) else {
                    continue;
                };
                if r.start != events[i].1.end || !t.starts_with('{') || !is_clean(source, t, r) {
                    continue;
                }
                let Some(close) = t.find('}') else { continue };
                let Some(attrs) = parse_attributes(&t[1..close]) else {
                    continue;
                };
                let r = r.clone();
                let rest = r.start + close + 1..r.end;
                events[i + 1] = (Event::Text(source[rest.clone()].into()), rest);
                found.push((start, attrs));
            }
            _ => {}
        }
    }
    if !found.is_empty() {
        events.retain(|(e, _)| !matches!(e, Event::Text(t) if t.is_empty()));
    }
    (events, found)
}

/// Attributes from an attribute list, in order: `class` (the `.name`s joined), `id`, then the
/// `key=value`s.
pub type Attributes = Vec<(String, String)>;

/// The attributes portico writes from an attribute list.
pub const ALLOWED_ATTRIBUTES: [&str; 10] = [
    "id", "class", "title", "width", "height", "loading", "align", "target", "rel", "lang",
];

/// The inside of `{…}` (`: #id .class key="value" key=value`), as attr_list reads it; `None`
/// when it is not one (so `{foo}` in prose stays text).
fn parse_attributes(inner: &str) -> Option<Attributes> {
    let mut rest = inner.trim_start();
    rest = rest.strip_prefix(':').unwrap_or(rest);
    let mut classes: Vec<&str> = Vec::new();
    let mut id = None;
    let mut pairs: Attributes = Vec::new();
    let name_end = |s: &str| {
        s.find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ':')))
            .unwrap_or(s.len())
    };
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(r) = rest.strip_prefix('.').or_else(|| rest.strip_prefix('#')) {
            let n = name_end(r);
            if n == 0 {
                return None;
            }
            if rest.starts_with('.') {
                classes.push(&r[..n]);
            } else {
                id = Some(r[..n].to_string());
            }
            rest = &r[n..];
            continue;
        }
        let n = name_end(rest);
        if n == 0 {
            return None;
        }
        let key = rest[..n].to_ascii_lowercase();
        rest = &rest[n..];
        let after = rest.strip_prefix('=')?;
        let (value, tail) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let end = after[1..].find(q)? + 1;
                (&after[1..end], &after[end + 1..])
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                if end == 0 {
                    return None;
                }
                (&after[..end], &after[end..])
            }
        };
        rest = tail;
        if ALLOWED_ATTRIBUTES.contains(&key.as_str()) {
            pairs.push((key, value.to_string()));
        }
    }
    let mut out = Attributes::new();
    if !classes.is_empty() {
        out.push(("class".into(), classes.join(" ")));
    }
    if let Some(id) = id {
        out.push(("id".into(), id));
    }
    out.extend(pairs);
    Some(out)
}

/// The start of a link or image written for an attribute list, the tag left open for the
/// caller to close: `<a href="…"` or `<img src="…" alt="…"`, then its title (when it has one)
/// and its attributes, each escaped.
pub fn element_start(
    tag: &str,
    url_attribute: &str,
    url: &str,
    alt: Option<&str>,
    title: &str,
    attrs: &Attributes,
) -> String {
    let mut out = format!("<{tag} {url_attribute}=\"");
    let _ = pulldown_cmark_escape::escape_href(&mut out, url);
    out.push('"');
    let title = (!title.is_empty()).then_some(("title", title));
    let alt = alt.map(|alt| ("alt", alt));
    let pairs = attrs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    for (k, v) in alt.into_iter().chain(title).chain(pairs) {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        super::highlight::escape_into(&mut out, v);
        out.push('"');
    }
    out
}
