//! Stage 7: entities and doc pages → a static search index (and a small embedded catalog
//! index for sites opened from disk).

use crate::docs::Docs;
use crate::model::Catalog;
use std::path::Path;

/// Writes the search index into `out`. Stub until search lands.
pub fn build(_catalog: &Catalog, _docs: &Docs, _out: &Path) -> std::io::Result<()> {
    Ok(())
}
