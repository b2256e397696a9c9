//! portico: an organisation's repositories → a static developer portal.
//!
//! The pipeline, one module per stage, each with one input and one output type. Problems are
//! values (`diag::Problem`, carrying file and span) collected along the way; no stage stops
//! the run.
//!
//! ```text
//! discover  inputs, portico.yaml         → Discovered { files }      per repository
//! parse     SourceFile                   → ParsedFile { docs: Node }  per file, spans on every node
//! validate  ParsedFile                   → ValidatedFile { entities } per file
//! model     [ValidatedFile]              → Catalog { entities, relations, cross-file problems }
//! score     Catalog, scorecards          → Scores
//! docs      Catalog (techdocs-ref)       → pages streamed to disk
//! search    entities, doc pages          → static index
//! render    Catalog, Scores, docs        → site/ (temp dir renamed into place)
//! report    problems                     → human | json | github | sarif | junit | gitlab
//! ```

pub mod cli;
pub mod config;
pub mod diag;
pub mod discover;
pub mod docs;
pub mod model;
pub mod parse;
pub mod render;
pub mod report;
pub mod rules;
pub mod score;
pub mod search;
pub mod validate;

use config::Config;
use diag::Summary;
use model::Catalog;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;

/// The result of discover → parse → validate → model: what `validate` reports and what
/// `build` renders.
pub struct Checked {
    pub catalog: Catalog,
}

impl Checked {
    pub fn summary(&self) -> Summary {
        Summary::count(
            self.catalog.files,
            self.catalog.entities.len(),
            &self.catalog.problems,
        )
    }
}

/// discover → parse → validate → model. Files are parsed and validated in parallel; the
/// targets of `kind: Location` entities are followed until no new file appears (each file is
/// read once however many Locations name it). The `rules` severity overrides of the config
/// are applied to every problem found here; problems come out sorted.
pub fn check(inputs: &[PathBuf], config: &Config) -> Checked {
    let discovered = discover::discover(inputs, config);
    let (validator, mut problems) = validate::Validator::new(config);
    problems.extend(discovered.problems);
    let mut seen: HashSet<PathBuf> = discovered
        .files
        .iter()
        .map(|f| discover::canonical(&f.path))
        .collect();
    let mut pending = discovered.files;
    let mut files: Vec<model::ValidatedFile> = vec![];
    while !pending.is_empty() {
        let round: Vec<model::ValidatedFile> = pending
            .par_iter()
            .map(|f| validator.validate(parse::parse_file(f)))
            .collect();
        let (next, location_problems) = discover::follow_locations(&round, &mut seen);
        problems.extend(location_problems);
        files.extend(round);
        pending = next;
    }
    let mut catalog = model::build(files);
    catalog.problems.extend(problems);
    config.apply_rule_levels(&mut catalog.problems);
    diag::sort_problems(&mut catalog.problems);
    Checked { catalog }
}

/// Everything `portico build` produces, besides the files on disk.
pub struct Built {
    pub checked: Checked,
    pub scores: score::Scores,
    pub docs: docs::Docs,
}

/// check → score → docs → search → render, into a temporary directory beside `out` that is
/// renamed into place at the end: never half a site.
pub fn build(
    inputs: &[PathBuf],
    config: &Config,
    theme: &render::Theme,
    out: &std::path::Path,
) -> anyhow::Result<Built> {
    let checked = check(inputs, config);
    let scores = score::score(&checked.catalog, config);
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".portico-build-")
        .tempdir_in(parent)?;
    let docs = docs::build_with_theme(
        &checked.catalog,
        config,
        theme.dir.as_deref(),
        staging.path(),
    );
    search::build_with_theme(
        &checked.catalog,
        &docs,
        config,
        theme.dir.as_deref(),
        staging.path(),
    )?;
    render::site(
        &checked.catalog,
        &scores,
        &docs,
        config,
        theme,
        staging.path(),
    )?;
    let staged = staging.keep();
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::rename(&staged, out)?;
    Ok(Built {
        checked,
        scores,
        docs,
    })
}
