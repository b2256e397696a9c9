//! Stage 8: catalog, scores, docs → the static site pages.

use crate::config::Config;
use crate::docs::Docs;
use crate::model::Catalog;
use crate::score::Scores;
use std::path::Path;

/// Where templates come from: the built-in default theme, overridden by name from `--theme`.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub dir: Option<std::path::PathBuf>,
}

/// Writes every catalog, entity, team, system, API and problems page into `out`.
/// Stub until rendering lands.
pub fn site(
    _catalog: &Catalog,
    _scores: &Scores,
    _docs: &Docs,
    _config: &Config,
    _theme: &Theme,
    _out: &Path,
) -> std::io::Result<()> {
    Ok(())
}
