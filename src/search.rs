//! Stage 7: entities and doc pages → a static, sharded search index.
//!
//! Why not Pagefind: measured on this machine class at 10k docs it took far longer and far
//! more memory than the build budget (see README / the docs bench). This index is built in
//! one pass, in memory proportional to the postings, and is loaded by the browser in small
//! pieces:
//!
//! ```text
//! search/index.js        manifest: counts, chunk size, shard keys           (~ KB)
//! search/t/<key>.js      terms starting with <key> → [df, id, w, Δid, w, …]  (≤ ~48 KB each)
//! search/r/<n>.js        display records n*CHUNK .. (n+1)*CHUNK              (~ 5-8 KB each)
//! ```
//!
//! Shard keys are term prefixes, split adaptively until every shard is small, so the first
//! query loads the manifest, one shard per query term and a few record chunks. Every file is
//! a classic script calling `__porticoSearch.load(name, data)` (JSONP), so search works the
//! same over http(s) and opened from disk (file://), where fetch and WASM cannot load.
//!
//! Documents are entities (name, title, description, tags, owner, kind) and the sections of
//! doc pages (heading, page title, text), so a hit lands on the heading where it was found.

use crate::config::Config;
use crate::docs::markdown::{for_each_run, Section};
use crate::docs::{entity_page_url, DocSite, Docs};
use crate::model::Catalog;
use rayon::prelude::*;
use serde_json::json;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// Records per record chunk file.
pub const CHUNK: usize = 32;
/// Target maximum size of one term shard (bytes of JSON).
pub const SHARD_MAX: usize = 48 * 1024;
/// Postings kept per term (the best ones by weight): bounds shard size for common words.
pub const MAX_POSTINGS: usize = 1000;
/// Characters of text kept in a record for the snippet.
pub const EXCERPT: usize = 160;

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "in", "is", "it", "its",
    "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
];

/// Splits text into index terms: lower-case runs of letters and digits, stop words and
/// one-character terms dropped. `search.js` does the same.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().count() >= 2 && t.len() <= 40)
        .map(str::to_lowercase)
        .filter(|t| !STOP_WORDS.contains(&t.as_str()))
}

/// Statistics of what was written, for the build report and the benchmark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexStats {
    pub documents: usize,
    pub terms: usize,
    pub shards: usize,
    pub chunks: usize,
    pub bytes: u64,
    pub largest_shard: usize,
}

/// Writes the search index and `search.html` into `out` (`assets/search.js` is a theme
/// asset, written with the others).
pub fn build(
    catalog: &Catalog,
    docs: &Docs,
    sections: SiteSections,
    config: &Config,
    renderer: &crate::render::Renderer,
    out: &Path,
) -> std::io::Result<IndexStats> {
    let stats = build_index(catalog, docs, sections, out)?;
    write_page(catalog, config, renderer, out)?;
    Ok(stats)
}

/// `search.html`: results for `?q=`, filled in by search.js.
fn write_page(
    catalog: &Catalog,
    config: &Config,
    renderer: &crate::render::Renderer,
    out: &Path,
) -> std::io::Result<()> {
    let errors = catalog
        .problems
        .iter()
        .filter(|p| p.severity == crate::diag::Severity::Error)
        .count();
    let title = config
        .site
        .title
        .clone()
        .unwrap_or_else(|| "Developer portal".to_string());
    renderer.page(
        out,
        "search.html",
        "search.html",
        minijinja::context! {
            root => "",
            nav => "search",
            site => minijinja::context! {
                title => title,
                errors => errors,
                problems => catalog.problems.len(),
            },
        },
    )
}

/// Calls `f` with every index term of `text`, exactly the terms `terms` gives, borrowing
/// the terms that are already lower-case ASCII (nearly all of them).
fn for_each_term<'a>(text: &'a str, mut f: impl FnMut(Cow<'a, str>)) {
    for_each_word(text, |t| {
        if t.len() < 2 || t.len() > 40 || (!t.is_ascii() && t.chars().nth(1).is_none()) {
            return;
        }
        let term: Cow<'a, str> = if t
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            Cow::Borrowed(t)
        } else {
            Cow::Owned(t.to_lowercase())
        };
        if term.len() <= 4 && is_stop_word(&term) {
            return;
        }
        f(term);
    });
}

/// Calls `f` with every maximal run of alphanumeric characters of `text` (the non-empty
/// pieces of `text.split(|c: char| !c.is_alphanumeric())`).
fn for_each_word<'a>(text: &'a str, f: impl FnMut(&'a str)) {
    for_each_run(
        text,
        |b| b.is_ascii_alphanumeric(),
        char::is_alphanumeric,
        f,
    );
}

/// `STOP_WORDS.contains(t)`, as one match (a test keeps the two the same).
fn is_stop_word(t: &str) -> bool {
    matches!(
        t,
        "a" | "an"
            | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "by"
            | "for"
            | "from"
            | "has"
            | "in"
            | "is"
            | "it"
            | "its"
            | "of"
            | "on"
            | "or"
            | "that"
            | "the"
            | "this"
            | "to"
            | "was"
            | "were"
            | "will"
            | "with"
    )
}

/// A hash map with a fixed-seed fast hasher: the index's maps are keyed by short terms
/// (SipHash was a tenth of the stage), and a fixed seed keeps every run the same.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Collects the weighted terms of one document, summed per term; `post` adds them to the
/// postings and empties it for the next document (keeping its memory, so one `Weights`
/// serves every document of a site). One map: per term, the weight from `add` and the
/// occurrences counted by `add_capped`.
#[derive(Default)]
struct Weights<'a> {
    terms: FastMap<Cow<'a, str>, (u32, u32)>,
    /// The cap of the occurrences counted by `add_capped` (one text per document).
    cap: u32,
}

impl<'a> Weights<'a> {
    fn add(&mut self, text: &'a str, w: u32) {
        let terms = &mut self.terms;
        for_each_term(text, |t| terms.entry(t).or_default().0 += w);
    }

    /// Adds `w` to each of `terms` (terms already split out, e.g. a page title shared by
    /// the sections of its page).
    fn add_terms(&mut self, terms: &[Cow<'a, str>], w: u32) {
        for t in terms {
            self.terms.entry(t.clone()).or_default().0 += w;
        }
    }

    /// Adds the terms of `text`, each counted at most `cap` times (term frequency,
    /// dampened: a word said 20 times is not 20× as relevant). Once per document.
    fn add_capped(&mut self, text: &'a str, cap: u32) {
        self.cap = cap;
        let terms = &mut self.terms;
        for_each_term(text, |t| terms.entry(t).or_default().1 += 1);
    }

    /// Adds the document's postings, weights capped at 255, to `map`. A term's postings
    /// stay in id order whatever order the terms come in: ids only grow.
    fn post(&mut self, id: u32, map: &mut Postings) {
        let cap = std::mem::take(&mut self.cap);
        for (term, (w, n)) in self.terms.drain() {
            let w = w.saturating_add(n.min(cap));
            let posting = (id, w.min(255) as u8);
            match map.get_mut(&*term) {
                Some(t) => t.push(posting),
                None => {
                    map.insert(term.into_owned(), TermPostings::new(posting));
                }
            }
        }
    }
}

fn excerpt(text: &str) -> String {
    // The byte offset of the EXCERPT-th character, if the text is any longer.
    let Some((end, _)) = text.char_indices().nth(EXCERPT) else {
        return text.to_string();
    };
    let cut = &text[..end];
    match cut.rfind(' ') {
        Some(i) if i > EXCERPT / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

type Postings = FastMap<String, TermPostings>;

/// One term's postings: how many documents have it, and the best of them. Only the best
/// MAX_POSTINGS are ever written, so the rest are dropped as they come (whenever twice as
/// many have gathered) rather than held to the end: at 10,000 pages 84% of all postings
/// belong to common words and are never written.
#[derive(Debug, Default)]
struct TermPostings {
    /// Documents containing the term (written as the term's document frequency).
    df: u32,
    /// (id, weight): a superset of the best MAX_POSTINGS, in no particular order.
    best: Vec<(u32, u8)>,
}

impl TermPostings {
    fn new(posting: (u32, u8)) -> Self {
        TermPostings {
            df: 1,
            best: vec![posting],
        }
    }

    fn push(&mut self, posting: (u32, u8)) {
        self.df += 1;
        self.best.push(posting);
        self.trim();
    }

    fn merge(&mut self, other: TermPostings) {
        self.df += other.df;
        self.best.extend(other.best);
        self.trim();
    }

    /// Cuts back to the best MAX_POSTINGS once twice as many have gathered.
    fn trim(&mut self) {
        if self.best.len() >= 2 * MAX_POSTINGS {
            select_best(&mut self.best, MAX_POSTINGS);
        }
    }
}

/// Record chunk files of `n` records from id `first` (a multiple of CHUNK): each record is
/// added as JSON with `push`, a chunk is written when full and by `finish`.
struct Chunks<'a> {
    dir: &'a Path,
    next: usize,
    count: usize,
    body: String,
    bytes: u64,
}

impl<'a> Chunks<'a> {
    fn new(dir: &'a Path, first: usize) -> Self {
        Chunks {
            dir,
            next: first / CHUNK,
            count: 0,
            body: String::new(),
            bytes: 0,
        }
    }

    fn push(&mut self, record: &impl serde::Serialize) -> std::io::Result<()> {
        if self.count == 0 {
            self.body.clear();
            let _ = write!(self.body, "__porticoSearch.load(\"r/{}\",[", self.next);
        } else {
            self.body.push(',');
        }
        // Serialising a tuple writes the same JSON array `json!` would.
        let json = serde_json::to_string(record).unwrap_or_else(|_| "null".into());
        self.body.push_str(&json);
        self.count += 1;
        if self.count == CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        self.body.push_str("]);\n");
        std::fs::write(
            self.dir.join("r").join(format!("{}.js", self.next)),
            &self.body,
        )?;
        self.bytes += self.body.len() as u64;
        self.next += 1;
        self.count = 0;
        Ok(())
    }
}

/// Indexes the entities as documents `0..`, writing their record chunks.
fn index_entities(catalog: &Catalog, map: &mut Postings, dir: &Path) -> std::io::Result<u64> {
    let mut chunks = Chunks::new(dir, 0);
    for (id, e) in catalog.entities.iter().enumerate() {
        // Descriptions are Markdown: indexed and shown as their text, as the catalog shows
        // them, not with their `**` and backticks.
        let desc = e
            .description()
            .map(crate::render::markdown::plain_text)
            .unwrap_or_default();
        let mut w = Weights::default();
        w.add(e.name(), 10);
        w.add(e.title(), 8);
        for t in e.tags() {
            w.add(t, 6);
        }
        let owner = e.spec_str("owner").unwrap_or("");
        w.add(owner, 4);
        w.add(e.kind(), 3);
        if let Some(t) = e.spec_str("type") {
            w.add(t, 3);
        }
        w.add(&desc, 2);
        w.post(id as u32, map);
        let mut sub = format!("{} · {}/{}", e.kind(), e.namespace(), e.name());
        if !owner.is_empty() {
            let _ = write!(sub, " · owner {owner}");
        }
        chunks.push(&(
            0,
            e.title(),
            entity_page_url(e),
            sub,
            excerpt(&desc),
            e.tags(),
        ))?;
    }
    chunks.flush()?;
    Ok(chunks.bytes)
}

/// The section text of every doc page, per site and page in `Docs` order: taken out of
/// `Docs` by [`take_sections`] so that the index can be built beside the pages that read
/// `Docs`, and dropped site by site as it is indexed (it is most of the memory).
pub type SiteSections = Vec<Vec<Vec<Section>>>;

/// Moves the section text out of `docs` (the pages keep everything else).
pub fn take_sections(docs: &mut Docs) -> SiteSections {
    docs.sites
        .iter_mut()
        .map(|s| {
            s.records
                .iter_mut()
                .map(|p| std::mem::take(&mut p.sections))
                .collect()
        })
        .collect()
}

/// Indexes the sections of the doc pages of `site` as documents `first..`, writing their
/// record chunks. Returns the bytes written and the documents.
fn index_site(
    site: &DocSite,
    sections: Vec<Vec<Section>>,
    first: usize,
    map: &mut Postings,
    dir: &Path,
) -> std::io::Result<(u64, usize)> {
    let mut chunks = Chunks::new(dir, first);
    let mut id = first;
    let site_name = site.site_name.as_str();
    let mut w = Weights::default();
    let mut title_terms: Vec<Cow<str>> = Vec::new();
    for (page, sections) in site.records.iter().zip(&sections) {
        title_terms.clear();
        for_each_term(&page.title, |t| title_terms.push(t));
        for s in sections {
            w.add_terms(&title_terms, 4);
            if s.id.is_some() {
                w.add(&s.title, 8);
            }
            w.add_capped(&s.text, 5);
            w.post(id as u32, map);
            id += 1;
            let url = match &s.id {
                Some(sid) => format!("{}index.html#{sid}", page.url),
                None => format!("{}index.html", page.url),
            };
            let title = if s.id.is_some() && !s.title.is_empty() {
                s.title.as_str()
            } else {
                page.title.as_str()
            };
            chunks.push(&(1, title, url, &page.title, site_name, excerpt(&s.text)))?;
        }
    }
    chunks.flush()?;
    Ok((chunks.bytes, id - first))
}

fn round_up(n: usize) -> usize {
    n.div_ceil(CHUNK) * CHUNK
}

/// Builds and writes the index; returns what was written.
pub fn build_index(
    catalog: &Catalog,
    docs: &Docs,
    sections: SiteSections,
    out: &Path,
) -> std::io::Result<IndexStats> {
    let timer = crate::Timer::new();
    let dir = out.join("search");
    std::fs::create_dir_all(dir.join("t"))?;
    std::fs::create_dir_all(dir.join("r"))?;
    let mut stats = IndexStats::default();

    // Ids: entities first, then each doc site from a chunk boundary, so that every site
    // writes its own record chunks, in parallel, as soon as it is indexed.
    let mut starts = Vec::with_capacity(docs.sites.len());
    let mut next = round_up(catalog.entities.len());
    for site in &sections {
        starts.push(next);
        let n: usize = site.iter().map(Vec::len).sum();
        next = round_up(next + n);
    }
    stats.documents = catalog.entities.len();
    let mut postings = Postings::default();
    stats.bytes += index_entities(catalog, &mut postings, &dir)?;

    // Inverted index: term → postings (doc id, weight), built per site in parallel, merged.
    let (site_postings, counts) = docs
        .sites
        .par_iter()
        .zip(sections.into_par_iter())
        .zip(starts.par_iter())
        .try_fold(
            || (Postings::default(), (0u64, 0usize)),
            |(mut map, (bytes, n)), ((site, sections), &start)| {
                let (b, len) = index_site(site, sections, start, &mut map, &dir)?;
                Ok::<_, std::io::Error>((map, (bytes + b, n + len)))
            },
        )
        .try_reduce(
            || (Postings::default(), (0u64, 0usize)),
            |(a, (ab, an)), (b, (bb, bn))| Ok((merge_postings(a, b), (ab + bb, an + bn))),
        )?;
    stats.bytes += counts.0;
    stats.documents += counts.1;
    postings = merge_postings(postings, site_postings);
    timer.lap("search: records and postings");
    stats.chunks = next / CHUNK;
    let n_docs = stats.documents;
    stats.terms = postings.len();

    // Encode each term's postings: [df, id0, w0, Δid1, w1, …], the best MAX_POSTINGS kept.
    let mut encoded: Vec<(String, String)> = postings
        .into_par_iter()
        .map(|(t, TermPostings { df, best: mut v })| {
            keep_best(&mut v, MAX_POSTINGS);
            let mut s = String::with_capacity(v.len() * 6 + 8);
            let _ = write!(s, "[{df}");
            let mut prev = 0u32;
            for (id, w) in v {
                let _ = write!(s, ",{},{w}", id - prev);
                prev = id;
            }
            s.push(']');
            (t, s)
        })
        .collect();
    encoded.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    timer.lap("search: encode");

    // Shard by adaptive prefix.
    let mut shards: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    split_shards(&encoded, 0..encoded.len(), String::new(), 1, &mut shards);
    let shard_bytes: Vec<std::io::Result<(u64, usize)>> = shards
        .par_iter()
        .map(|(key, range)| {
            let mut body = String::new();
            let _ = write!(
                body,
                "__porticoSearch.load(\"t/{}\",{{",
                escape_js(&shard_file(key))
            );
            for (i, (t, p)) in encoded[range.clone()].iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&serde_json::to_string(t).unwrap_or_default());
                body.push(':');
                body.push_str(p);
            }
            body.push_str("});\n");
            std::fs::write(dir.join("t").join(format!("{}.js", shard_file(key))), &body)?;
            Ok((body.len() as u64, body.len()))
        })
        .collect();
    for b in shard_bytes {
        let (bytes, len) = b?;
        stats.bytes += bytes;
        stats.largest_shard = stats.largest_shard.max(len);
    }
    stats.shards = shards.len();
    let keys: Vec<&str> = shards.iter().map(|(k, _)| k.as_str()).collect();
    let manifest = format!(
        "__porticoSearch.load(\"index\",{});\n",
        json!({
            "version": 1,
            "documents": n_docs,
            "chunk": CHUNK,
            "shards": keys,
            "stopWords": STOP_WORDS,
        })
    );
    stats.bytes += manifest.len() as u64;
    std::fs::write(dir.join("index.js"), manifest)?;
    timer.lap("search: shards");
    Ok(stats)
}

/// Keeps the best `n` postings by (weight desc, id asc), in id order. That order is total
/// (a term has one posting per id), so selecting in linear time keeps exactly the postings
/// a full sort would, and selecting from parts first changes nothing: the best `n` of the
/// whole are among the best `n` of each part.
fn keep_best(v: &mut Vec<(u32, u8)>, n: usize) {
    select_best(v, n);
    v.sort_unstable_by_key(|p| p.0);
}

/// [`keep_best`] without the final order.
fn select_best(v: &mut Vec<(u32, u8)>, n: usize) {
    if v.len() > n && n > 0 {
        v.select_nth_unstable_by(n - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
    }
}

fn merge_postings(a: Postings, b: Postings) -> Postings {
    let (mut a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    for (t, v) in b {
        a.entry(t).or_default().merge(v);
    }
    a
}

/// File name of a shard key: the key itself when it is plain ASCII letters/digits, else
/// its UTF-8 bytes in hex (so any script works on any file system). `_` is the empty key.
pub fn shard_file(key: &str) -> String {
    if key.is_empty() {
        return "_".into();
    }
    if key
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        key.to_string()
    } else {
        let mut s = String::from("x");
        for b in key.bytes() {
            let _ = write!(s, "{b:02x}");
        }
        s
    }
}

fn escape_js(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Splits terms `range` (sorted) sharing `prefix` into shards under SHARD_MAX, by the next
/// character. Terms equal to the prefix stay in the prefix's own shard.
fn split_shards(
    terms: &[(String, String)],
    range: std::ops::Range<usize>,
    prefix: String,
    depth: usize,
    out: &mut Vec<(String, std::ops::Range<usize>)>,
) {
    let size: usize = terms[range.clone()]
        .iter()
        .map(|(t, p)| t.len() + p.len() + 4)
        .sum();
    if depth > 1 && (size <= SHARD_MAX || depth > 12) {
        out.push((prefix, range));
        return;
    }
    // Terms exactly equal to the prefix (shorter than the next level).
    let mut i = range.start;
    let plen = prefix.chars().count();
    let mut own_end = i;
    while own_end < range.end && terms[own_end].0.chars().count() <= plen {
        own_end += 1;
    }
    if own_end > i || depth == 1 && !prefix.is_empty() {
        out.push((prefix.clone(), i..own_end));
    }
    i = own_end;
    while i < range.end {
        let c = terms[i].0.chars().nth(plen).expect("longer than prefix");
        let key = format!("{prefix}{c}");
        let mut j = i;
        while j < range.end && terms[j].0.starts_with(&key) {
            j += 1;
        }
        split_shards(terms, i..j, key, depth + 1, out);
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lowercase_words_without_stop_words() {
        let t: Vec<String> = terms("The Analytics-API runs on `K8s`, see x.").collect();
        assert_eq!(t, ["analytics", "api", "runs", "k8s", "see"]);
    }

    #[test]
    fn weighted_terms_are_the_terms_of_the_text() {
        for w in STOP_WORDS {
            assert!(is_stop_word(w) && w.len() <= 4, "{w}");
        }
        for w in ["", "ab", "thee", "tho", "with1", "fro"] {
            assert!(!is_stop_word(w), "{w}");
        }
        assert_eq!(
            STOP_WORDS.len(),
            26,
            "a stop word added to the list is added to is_stop_word"
        );
        let text = "The ÉCOLE Straße x é ÀB k8s K8S a-b-cc THIS that Σίσυφος ΌΣ \
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\u{a0}nbsp\u{3000}东京 ①② \
                    x²y — «quoted» emoji🙂end Ⅻ ends";
        let mut fast = Vec::new();
        for_each_term(text, |t| fast.push(t.into_owned()));
        assert_eq!(fast, terms(text).collect::<Vec<_>>());
        for text in [text, "", "--", "a", "é", "-é-", "x y", "🙂a🙂", "Ⅻ"] {
            let mut words = Vec::new();
            for_each_word(text, |w| words.push(w));
            let split: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(words, split, "{text:?}");
        }
    }

    #[test]
    fn weights_sum_per_term_and_text_counts_are_capped() {
        let mut map = Postings::default();
        let mut w = Weights::default();
        w.add("Deploy guide", 4);
        w.add("deploy", 8);
        w.add_capped(
            "deploy deploy deploy deploy deploy deploy deploy guide rollout",
            5,
        );
        w.post(7, &mut map);
        assert_eq!(map["deploy"].best, [(7, 4 + 8 + 5)]);
        assert_eq!(map["guide"].best, [(7, 4 + 1)]);
        assert_eq!(map["rollout"].best, [(7, 1)]);
        let mut w = Weights::default();
        for _ in 0..100 {
            w.add("loud", 10);
        }
        w.post(8, &mut map);
        assert_eq!(map["loud"].best, [(8, 255)]);
        // Terms split once and added to each section weigh what adding the text does.
        let mut split = Vec::new();
        for_each_term("Deploy Guide", |t| split.push(t));
        let (mut a, mut b) = (Weights::default(), Weights::default());
        a.add("Deploy Guide", 4);
        b.add_terms(&split, 4);
        a.post(9, &mut map);
        let mut other = Postings::default();
        b.post(9, &mut other);
        assert_eq!(other["deploy"].best, map["deploy"].best[1..]);
        assert_eq!(other["guide"].best, map["guide"].best[1..]);
    }

    #[test]
    fn shards_split_by_prefix_and_cover_every_term() {
        let mut terms: Vec<(String, String)> = Vec::new();
        for a in ["ca", "cb", "co"] {
            for i in 0..2000 {
                terms.push((format!("{a}{i:05}"), "[1,0,1]".into()));
            }
        }
        terms.push(("c".to_string(), "[1,0,1]".into()));
        terms.push(("zed".into(), "[1,0,1]".into()));
        terms.sort();
        let mut shards = Vec::new();
        split_shards(&terms, 0..terms.len(), String::new(), 1, &mut shards);
        let covered: usize = shards.iter().map(|(_, r)| r.len()).sum();
        assert_eq!(covered, terms.len());
        for (key, r) in &shards {
            for (t, _) in &terms[r.clone()] {
                assert!(t.starts_with(key.as_str()), "{t} in shard {key}");
            }
            let size: usize = terms[r.clone()]
                .iter()
                .map(|(t, p)| t.len() + p.len() + 4)
                .sum();
            assert!(size <= SHARD_MAX, "shard {key} has {size} bytes");
        }
        // Each term is found in the shard with the longest key that prefixes it.
        let keys: Vec<&str> = shards.iter().map(|(k, _)| k.as_str()).collect();
        for (i, (t, _)) in terms.iter().enumerate() {
            let best = keys
                .iter()
                .filter(|k| t.starts_with(**k))
                .max_by_key(|k| k.len())
                .unwrap();
            let (_, r) = shards.iter().find(|(k, _)| k == best).unwrap();
            assert!(r.contains(&i), "{t} not in shard {best}");
        }
    }

    #[test]
    fn the_best_postings_are_those_a_full_sort_keeps() {
        // Many ties in weight, ids out of order: a pseudo-random but fixed sequence.
        let mut x = 12345u32;
        let v: Vec<(u32, u8)> = (0..5000u32)
            .map(|i| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (i * 7 % 5003, (x >> 16) as u8 % 9)
            })
            .collect();
        for n in [1, 10, 1000, 4999, 5000, 6000] {
            let mut sorted = v.clone();
            sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            sorted.truncate(n);
            sorted.sort_by_key(|p| p.0);
            let mut fast = v.clone();
            keep_best(&mut fast, n);
            assert_eq!(fast, sorted, "n = {n}");
        }
    }

    #[test]
    fn postings_pruned_as_they_come_keep_the_best_and_count_all() {
        // Two parts (as two sites' maps are merged), each far over MAX_POSTINGS, weights
        // with many ties; pruning on the way must end where one sort of everything ends.
        let mut x = 99u32;
        let mut all = Vec::new();
        let (mut left, mut right) = (TermPostings::default(), TermPostings::default());
        for id in 0..(5 * MAX_POSTINGS as u32) {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let p = (id, (x >> 16) as u8 % 7);
            all.push(p);
            if id % 3 == 0 {
                left.push(p)
            } else {
                right.push(p)
            }
        }
        assert!(left.best.len() < 2 * MAX_POSTINGS && right.best.len() < 2 * MAX_POSTINGS);
        right.merge(left);
        assert_eq!(right.df as usize, all.len());
        keep_best(&mut right.best, MAX_POSTINGS);
        keep_best(&mut all, MAX_POSTINGS);
        assert_eq!(right.best, all);
    }

    #[test]
    fn excerpts_cut_at_a_space_after_the_limit() {
        assert_eq!(excerpt("short text"), "short text");
        let exact = "é".repeat(EXCERPT);
        assert_eq!(
            excerpt(&exact),
            exact,
            "exactly EXCERPT characters are kept whole"
        );
        let long = "word ".repeat(100);
        let e = excerpt(&long);
        assert!(e.ends_with("word…"), "{e}");
        assert!(e.chars().count() <= EXCERPT + 1);
        // No space in the second half: cut at the limit, on a character boundary.
        let solid = "ü".repeat(EXCERPT + 5);
        assert_eq!(excerpt(&solid), format!("{}…", "ü".repeat(EXCERPT)));
    }

    #[test]
    fn shard_file_names_are_portable() {
        assert_eq!(shard_file("ab"), "ab");
        assert_eq!(shard_file(""), "_");
        assert_eq!(shard_file("é"), "xc3a9");
    }
}
