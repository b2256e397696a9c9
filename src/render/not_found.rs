//! `404.html` at the site root: what GitHub Pages (and `portico serve`, and most static
//! hosts when told) shows for an address that is not a page of the portal: the header and
//! search of every page, and the portal's pages that match the words of the missing address.
//!
//! The page is served at the missing address, at any depth, so relative links cannot work
//! as they do on other pages. With `site.url` in portico.yaml its links start at the site's
//! path (`/portal/…`). Without it, a script at the top of the page finds the site's root in
//! the address (the part before the first of the site's own top-level folders, `docs/`,
//! `catalog/`…; on `*.github.io` the project's folder) and sets it as the page's `<base>`.

use super::{Renderer, Site};
use minijinja::context;
use std::io;
use std::path::Path;

/// The name of the page at the site root.
pub const PAGE: &str = "404.html";

/// What the site writes at its root: the 404 page's script finds the root of the site in a
/// missing address by these names.
pub const TOP_LEVEL: &[&str] = &[
    "404.html",
    "api",
    "assets",
    "badges",
    "catalog",
    "docs",
    "index.html",
    "problems",
    "scorecards",
    "search",
    "search.html",
];

/// Writes `404.html`.
pub fn page(site: &Site, r: &Renderer, out: &Path) -> io::Result<()> {
    let base = site.base_ctx(PAGE, "");
    let fixed = site.config.site.base_path();
    let ctx = context! {
        root => fixed.clone().unwrap_or_default(),
        site => base.site,
        nav => base.nav,
        fixed_root => fixed.is_some(),
        top_level => TOP_LEVEL,
        kinds => super::catalog::KIND_ORDER,
    };
    r.page(out, PAGE, "404.html", ctx)
}
