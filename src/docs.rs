//! Stage 6: TechDocs input (`mkdocs.yml` + `docs/` beside an entity with
//! `backstage.io/techdocs-ref: dir:PATH`) → HTML pages streamed to
//! `docs/<namespace>/<kind>/<name>/` in the output directory.

use crate::config::Config;
use crate::diag::Problem;
use crate::model::Catalog;
use std::path::Path;

/// What was written: per entity with docs, its pages (for nav, search and the entity page).
#[derive(Debug, Clone, Default)]
pub struct Docs {
    pub sites: Vec<DocSite>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone)]
pub struct DocSite {
    /// Index into `Catalog::entities`.
    pub entity: usize,
    pub site_name: String,
    /// Site-relative URL of the docs home, e.g. `docs/default/component/x/`.
    pub url: String,
    pub pages: usize,
}

/// Renders every entity's docs into `out`. Stub until docs land.
pub fn build(_catalog: &Catalog, _config: &Config, _out: &Path) -> Docs {
    Docs::default()
}
