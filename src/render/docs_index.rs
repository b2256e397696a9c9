//! The docs index: every TechDocs site of the organisation on one page, with the entity it
//! documents, its owner and its size. The home page's "Documentation" card and the main
//! navigation lead here.

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
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.title.to_lowercase(), &a.entity.entity_ref)
            .cmp(&(b.title.to_lowercase(), &b.entity.entity_ref))
    });
    let pages: usize = rows.iter().map(|r| r.pages).sum();
    let ctx = context! {
        root => base.root,
        site => base.site,
        nav => base.nav,
        sites => rows,
        pages => pages,
    };
    r.page(out, PATH, "docs_index.html", ctx)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_docs_index_lives_beside_the_doc_sites() {
        // Doc sites are written under docs/<namespace>/<kind>/<name>/: the index cannot
        // collide with one.
        assert_eq!(super::PATH, "docs/index.html");
        assert_eq!(crate::render::root_of(super::PATH), "../");
    }
}
