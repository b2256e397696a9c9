//! The docs index: every TechDocs site of the organisation, with the entity it documents,
//! its owner and its size, alphabetical, on one page or (past [`SITES_PER_PAGE`]) several.
//! The home page's "Documentation" card and the main navigation lead here.

use super::{Link, Renderer, Site};
use minijinja::context;
use serde::Serialize;
use std::io;
use std::path::Path;

/// Site-relative path of the page.
pub const PATH: &str = "docs/index.html";

#[derive(Debug, Serialize)]
struct DocRow {
    title: String,
    /// Site-relative URL of the docs home page.
    url: String,
    entity: Link,
    owner: Option<Link>,
    pages: usize,
    description: String,
    /// The id of the first row of its letter, on an index of several pages.
    letter_id: Option<String>,
}

/// Sites per page of the index. An organisation with 10,000 doc sites made one 5.4 MB page
/// that a browser took 3 s to open; past this the index is cut into pages of this many,
/// alphabetical, with links to each letter's first page.
pub const SITES_PER_PAGE: usize = 200;

/// Site-relative path of page `n` (1-based) of the index: `docs/index.html`, then
/// `docs/index-2.html`…, beside the doc sites' `docs/<namespace>/` folders.
pub fn page_path(n: usize) -> String {
    match n {
        1 => PATH.to_string(),
        n => format!("docs/index-{n}.html"),
    }
}

/// Links between the pages of the index, from page `current`: hrefs relative to `docs/`.
#[derive(Debug, Serialize)]
struct Pager {
    current: usize,
    count: usize,
    prev: Option<String>,
    next: Option<String>,
    /// Each initial letter of the sites' titles and where its first site is (`#` for
    /// titles that start with another character).
    letters: Vec<(String, String)>,
}

/// The letter a title is listed under.
fn initial(title: &str) -> String {
    match title.chars().next() {
        Some(c) if c.is_alphabetic() => c.to_uppercase().collect(),
        _ => "#".to_string(),
    }
}

/// Each letter titles are listed under, with the index of the first title under it, in the
/// order the (sorted) titles bring them. Titles that start with a digit or a sign sort before
/// `a` or, past `z`, after it: their `#` is listed once, where the first of them is.
fn letter_starts<'a>(titles: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut starts: Vec<(String, usize)> = vec![];
    for (k, title) in titles.enumerate() {
        let letter = initial(title);
        if !starts.iter().any(|(l, _)| *l == letter) {
            starts.push((letter, k));
        }
    }
    starts
}

fn file_name(n: usize) -> String {
    page_path(n).trim_start_matches("docs/").to_string()
}

pub fn page(site: &Site, r: &Renderer, out: &Path) -> io::Result<()> {
    let base = site.base_ctx(PATH, "docs");
    let mut rows: Vec<DocRow> = site
        .docs_of
        .values()
        .map(|d| {
            let row = &site.rows[d.entity];
            DocRow {
                title: d.site_name.clone(),
                url: d.url.clone(),
                entity: site.link_to(d.entity),
                owner: row.owner.clone(),
                pages: d.pages,
                description: d
                    .description
                    .clone()
                    .unwrap_or_else(|| row.description.clone()),
                letter_id: None,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.title.to_lowercase(), &a.entity.entity_ref)
            .cmp(&(b.title.to_lowercase(), &b.entity.entity_ref))
    });
    let pages: usize = rows.iter().map(|r| r.pages).sum();
    let total = rows.len();
    let count = total.div_ceil(SITES_PER_PAGE).max(1);
    // Where each letter starts: its first row carries an id the letter links point to.
    let mut letters: Vec<(String, String)> = vec![];
    if count > 1 {
        for (n, (letter, k)) in letter_starts(rows.iter().map(|r| r.title.as_str()))
            .into_iter()
            .enumerate()
        {
            let id = format!("letter-{}", n + 1);
            letters.push((
                letter,
                format!("{}#{id}", file_name(k / SITES_PER_PAGE + 1)),
            ));
            rows[k].letter_id = Some(id);
        }
    }
    let mut rows = rows.into_iter();
    for n in 1..=count {
        let page_rows: Vec<DocRow> = rows.by_ref().take(SITES_PER_PAGE).collect();
        let pager = (count > 1).then(|| Pager {
            current: n,
            count,
            prev: (n > 1).then(|| file_name(n - 1)),
            next: (n < count).then(|| file_name(n + 1)),
            letters: letters.clone(),
        });
        let ctx = context! {
            root => base.root,
            site => base.site,
            nav => base.nav,
            sites => page_rows,
            total_sites => total,
            pages => pages,
            pager => pager,
        };
        r.page(out, &page_path(n), "docs_index.html", ctx)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn letters_start_where_their_first_title_is_and_signs_share_one() {
        let titles = [
            "1st runbook",
            "_internal",
            "alpha",
            "Alpha two",
            "beta",
            "émile",
            "{x}",
        ];
        let starts = super::letter_starts(titles.into_iter());
        let want: Vec<(String, usize)> = vec![
            ("#".into(), 0),
            ("A".into(), 2),
            ("B".into(), 4),
            ("É".into(), 5),
        ];
        assert_eq!(starts, want);
        assert_eq!(super::page_path(1), "docs/index.html");
        assert_eq!(super::page_path(3), "docs/index-3.html");
        assert_eq!(super::file_name(3), "index-3.html");
    }

    #[test]
    fn the_docs_index_lives_beside_the_doc_sites() {
        // Doc sites are written under docs/<namespace>/<kind>/<name>/: the index cannot
        // collide with one.
        assert_eq!(super::PATH, "docs/index.html");
        assert_eq!(crate::render::root_of(super::PATH), "../");
    }
}
