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
use crate::docs::{entity_page_url, DocSite, Docs};
use crate::model::Catalog;
use rayon::prelude::*;
use serde_json::{json, Value};
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
    docs: &mut Docs,
    config: &Config,
    renderer: &crate::render::Renderer,
    out: &Path,
) -> std::io::Result<IndexStats> {
    let stats = build_index(catalog, docs, out)?;
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

struct Doc {
    record: Value,
    weights: Vec<(String, u8)>,
}

fn add(weights: &mut HashMap<String, u32>, text: &str, w: u32) {
    for t in terms(text) {
        *weights.entry(t).or_default() += w;
    }
}

fn finish(weights: HashMap<String, u32>) -> Vec<(String, u8)> {
    let mut v: Vec<(String, u8)> = weights
        .into_iter()
        .map(|(t, w)| (t, w.min(255) as u8))
        .collect();
    v.sort();
    v
}

fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT {
        return text.to_string();
    }
    let cut: String = text.chars().take(EXCERPT).collect();
    match cut.rfind(' ') {
        Some(i) if i > EXCERPT / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

fn entity_docs(catalog: &Catalog) -> Vec<Doc> {
    catalog
        .entities
        .par_iter()
        .map(|e| {
            let mut w = HashMap::new();
            add(&mut w, e.name(), 10);
            add(&mut w, e.title(), 8);
            for t in e.tags() {
                add(&mut w, t, 6);
            }
            let owner = e.spec_str("owner").unwrap_or("");
            add(&mut w, owner, 4);
            add(&mut w, e.kind(), 3);
            if let Some(t) = e.spec_str("type") {
                add(&mut w, t, 3);
            }
            let desc = e.description().unwrap_or("");
            add(&mut w, desc, 2);
            let mut sub = format!("{} · {}/{}", e.kind(), e.namespace(), e.name());
            if !owner.is_empty() {
                let _ = write!(sub, " · owner {owner}");
            }
            Doc {
                record: json!([
                    0,
                    e.title(),
                    entity_page_url(e),
                    sub,
                    excerpt(desc),
                    e.tags()
                ]),
                weights: finish(w),
            }
        })
        .collect()
}

/// The searchable sections of one doc site, as records and term weights. The section text
/// is taken out of `site` (it is not needed after indexing, and is most of the memory).
fn site_docs(site: &mut DocSite) -> Vec<Doc> {
    let mut out = Vec::new();
    let site_name = site.site_name.clone();
    for page in &mut site.records {
        for s in std::mem::take(&mut page.sections) {
            let mut w = HashMap::new();
            add(&mut w, &page.title, 4);
            if s.id.is_some() {
                add(&mut w, &s.title, 8);
            }
            let mut text_w: HashMap<String, u32> = HashMap::new();
            add(&mut text_w, &s.text, 1);
            for (t, n) in text_w {
                // Term frequency, dampened: a word said 20 times is not 20× as relevant.
                *w.entry(t).or_default() += n.min(5);
            }
            let url = match &s.id {
                Some(id) => format!("{}index.html#{id}", page.url),
                None => format!("{}index.html", page.url),
            };
            let title = if s.id.is_some() && !s.title.is_empty() {
                s.title.clone()
            } else {
                page.title.clone()
            };
            out.push(Doc {
                record: json!([1, title, url, page.title, site_name, excerpt(&s.text)]),
                weights: finish(w),
            });
        }
    }
    out
}

type Postings = HashMap<String, Vec<(u32, u8)>>;

/// Adds documents `first..` to `map` and writes their record chunks (`first` is a multiple
/// of CHUNK). Returns the bytes written.
fn index_block(
    docs: Vec<Doc>,
    first: usize,
    map: &mut Postings,
    dir: &Path,
) -> std::io::Result<u64> {
    let mut bytes = 0u64;
    for (k, chunk) in docs.chunks(CHUNK).enumerate() {
        let n = first / CHUNK + k;
        let records: Vec<&Value> = chunk.iter().map(|d| &d.record).collect();
        let body = format!(
            "__porticoSearch.load(\"r/{n}\",{});\n",
            serde_json::to_string(&records).unwrap_or_else(|_| "[]".into())
        );
        std::fs::write(dir.join("r").join(format!("{n}.js")), &body)?;
        bytes += body.len() as u64;
    }
    for (i, d) in docs.into_iter().enumerate() {
        let id = (first + i) as u32;
        for (t, w) in d.weights {
            match map.get_mut(t.as_str()) {
                Some(v) => v.push((id, w)),
                None => {
                    map.insert(t, vec![(id, w)]);
                }
            }
        }
    }
    Ok(bytes)
}

fn round_up(n: usize) -> usize {
    n.div_ceil(CHUNK) * CHUNK
}

/// Builds and writes the index; returns what was written. Section text is drained from
/// `docs` as it is indexed.
pub fn build_index(catalog: &Catalog, docs: &mut Docs, out: &Path) -> std::io::Result<IndexStats> {
    let dir = out.join("search");
    std::fs::create_dir_all(dir.join("t"))?;
    std::fs::create_dir_all(dir.join("r"))?;
    let mut stats = IndexStats::default();

    // Ids: entities first, then each doc site from a chunk boundary, so that every site
    // writes its own record chunks, in parallel, as soon as it is indexed.
    let entities = entity_docs(catalog);
    let mut starts = Vec::with_capacity(docs.sites.len());
    let mut next = round_up(entities.len());
    for site in &docs.sites {
        starts.push(next);
        let n: usize = site.records.iter().map(|p| p.sections.len()).sum();
        next = round_up(next + n);
    }
    stats.documents = entities.len();
    let mut postings: Postings = HashMap::new();
    stats.bytes += index_block(entities, 0, &mut postings, &dir)?;

    // Inverted index: term → postings (doc id, weight), built per site in parallel, merged.
    let (site_postings, counts) = docs
        .sites
        .par_iter_mut()
        .zip(starts.par_iter())
        .try_fold(
            || (Postings::new(), (0u64, 0usize)),
            |(mut map, (bytes, n)), (site, &start)| {
                let sd = site_docs(site);
                let len = sd.len();
                let b = index_block(sd, start, &mut map, &dir)?;
                Ok::<_, std::io::Error>((map, (bytes + b, n + len)))
            },
        )
        .try_reduce(
            || (Postings::new(), (0u64, 0usize)),
            |(a, (ab, an)), (b, (bb, bn))| Ok((merge_postings(a, b), (ab + bb, an + bn))),
        )?;
    stats.bytes += counts.0;
    stats.documents += counts.1;
    postings = merge_postings(postings, site_postings);
    stats.chunks = next / CHUNK;
    let n_docs = stats.documents;
    stats.terms = postings.len();

    // Encode each term's postings: [df, id0, w0, Δid1, w1, …], the best MAX_POSTINGS kept.
    let mut encoded: Vec<(String, String)> = postings
        .into_par_iter()
        .map(|(t, mut v)| {
            let df = v.len();
            if v.len() > MAX_POSTINGS {
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                v.truncate(MAX_POSTINGS);
            }
            v.sort_by_key(|p| p.0);
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
    encoded.sort_by(|a, b| a.0.cmp(&b.0));

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
    Ok(stats)
}

fn merge_postings(a: Postings, b: Postings) -> Postings {
    let (mut a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    for (t, v) in b {
        a.entry(t).or_default().extend(v);
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
    fn shard_file_names_are_portable() {
        assert_eq!(shard_file("ab"), "ab");
        assert_eq!(shard_file(""), "_");
        assert_eq!(shard_file("é"), "xc3a9");
    }
}
