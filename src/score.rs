//! Stage 5: catalog + scorecard files → per-entity levels, scores and check outcomes.

use crate::config::Config;
use crate::diag::Problem;
use crate::model::Catalog;

/// Every scorecard's result for every entity it applies to.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub problems: Vec<Problem>,
}

/// Computes scorecards. Stub until scorecards land.
pub fn score(_catalog: &Catalog, _config: &Config) -> Scores {
    Scores::default()
}
