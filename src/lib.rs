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
//! search    entities, doc pages          → static index      } side by side
//! render    Catalog, Scores, docs        → site/ pages       } (temp dir renamed into place)
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
use std::path::PathBuf;

/// The result of discover → parse → validate → model: what `validate` reports and what
/// `build` renders.
pub struct Checked {
    pub catalog: Catalog,
    /// A file named as an input that could not be read: the command could not run (exit 2).
    pub unreadable_input: Option<String>,
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
    let inputs = discover::Inputs::look(inputs.to_vec());
    check_with(&inputs, config, model::Retain::Everything)
}

/// [`check`], keeping of each entity's data only what `retain` asks for (`portico validate`
/// needs the references, not the descriptions and API definitions of 10,000 entities).
pub fn check_with(inputs: &discover::Inputs, config: &Config, retain: model::Retain) -> Checked {
    let timer = Timer::new();
    let discovered = discover::discover(inputs, config);
    timer.lap("discover");
    let (mut validator, mut problems) = validate::Validator::new(config);
    validator.retain = retain;
    problems.extend(discovered.problems);
    let mut seen = discovered.canonical;
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
    timer.lap("parse + validate");
    let unreadable_input = inputs.unreadable_file(&files);
    let mut catalog = model::build_with(files, retain);
    timer.lap("model");
    catalog.problems.extend(problems);
    config.apply_rule_levels(&mut catalog.problems);
    diag::sort_problems(&mut catalog.problems);
    Checked {
        catalog,
        unreadable_input,
    }
}

/// Stage timings on stderr when `PORTICO_TIMINGS` is set (for benchmarks and profiling).
pub struct Timer {
    start: Option<std::cell::Cell<std::time::Instant>>,
    /// Process CPU time (user + system, ms) at the last lap: on a loaded machine the wall time
    /// of a stage says little, its CPU time still compares.
    cpu: std::cell::Cell<u64>,
}

/// User + system CPU time of the process so far, in ms (Linux; 0 elsewhere).
fn cpu_ms() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime
    // are fields 14 and 15, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<u64>() * 10
}

impl Timer {
    pub fn new() -> Self {
        let start = std::env::var_os("PORTICO_TIMINGS")
            .map(|_| std::cell::Cell::new(std::time::Instant::now()));
        let cpu = std::cell::Cell::new(if start.is_some() { cpu_ms() } else { 0 });
        Timer { start, cpu }
    }
    /// Prints the time since the last lap (or since `new`) under `label`.
    pub fn lap(&self, label: &str) {
        if let Some(start) = &self.start {
            let now = std::time::Instant::now();
            // Resident memory after the stage (Linux), to see which stage holds what.
            let rss_mib = std::fs::read_to_string("/proc/self/statm")
                .ok()
                .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
                .map_or(String::new(), |pages| {
                    format!(", resident {} MiB", pages * 4096 / (1024 * 1024))
                });
            let cpu = cpu_ms();
            eprintln!(
                "portico: {label}: {:.1} ms (cpu {} ms){rss_mib}",
                (now - start.get()).as_secs_f64() * 1000.0,
                cpu.saturating_sub(self.cpu.get())
            );
            start.set(now);
            self.cpu.set(cpu);
        }
    }
}

impl Default for Timer {
    fn default() -> Self {
        Self::new()
    }
}

/// Everything `portico build` produces, besides the files on disk.
pub struct Built {
    pub checked: Checked,
    pub scores: score::Scores,
    pub docs: docs::Docs,
}

impl Built {
    /// Every problem of the build (validation, docs, scores) in report order.
    pub fn problems(&self) -> Vec<diag::Problem> {
        let mut all: Vec<diag::Problem> = self
            .checked
            .catalog
            .problems
            .iter()
            .chain(&self.docs.problems)
            .chain(&self.scores.problems)
            .cloned()
            .collect();
        diag::sort_problems(&mut all);
        all
    }
}

/// check → score → docs → search → render, into a temporary directory beside `out` that is
/// renamed into place at the end: never half a site. A previous site at `out` is replaced;
/// any other non-empty directory there is refused rather than deleted.
pub fn build(
    inputs: &[PathBuf],
    config: &Config,
    theme: &render::Theme,
    out: &std::path::Path,
) -> anyhow::Result<Built> {
    // Template errors and an unusable `out` surface before any work is done.
    let renderer = theme.load()?;
    check_replaceable(out)?;
    build_checked(check(inputs, config), config, &renderer, out)
}

/// score → docs → search → render for a catalog already checked (the CLI checks first so
/// that it reports exactly what `validate` would).
pub fn build_checked(
    checked: Checked,
    config: &Config,
    renderer: &render::Renderer,
    out: &std::path::Path,
) -> anyhow::Result<Built> {
    use anyhow::Context;
    check_replaceable(out)?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".portico-build-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot write in {}", parent.display()))?;
    let timer = Timer::new();
    let mut docs = docs::build(&checked.catalog, config, renderer, staging.path());
    timer.lap("docs");
    // Scored after the docs so that docs rules see the pages and broken links found.
    let scores = score::score_with(
        &checked.catalog,
        config,
        score::Options {
            today: score::today(),
            docs: Some(&docs),
        },
    );
    timer.lap("score");
    // The search index and the pages read different parts of `docs` (the section text, taken
    // out here, and the rest): built side by side, each in parallel, so that neither waits
    // on the other's serial parts.
    let sections = search::take_sections(&mut docs);
    let (searched, rendered) = rayon::join(
        || {
            search::build(
                &checked.catalog,
                &docs,
                sections,
                config,
                renderer,
                staging.path(),
            )
        },
        || {
            render::site_with(
                &checked.catalog,
                &scores,
                &docs,
                config,
                renderer,
                staging.path(),
            )
        },
    );
    searched?;
    rendered?;
    timer.lap("search + render");
    // Swap: the old site moves aside, the new one takes its name, then the old one goes.
    let old = match out.exists() {
        true => Some(
            tempfile::Builder::new()
                .prefix(".portico-old-")
                .tempdir_in(parent)?,
        ),
        false => None,
    };
    if let Some(old) = &old {
        std::fs::rename(out, old.path().join("site"))
            .with_context(|| format!("cannot move the previous {} aside", out.display()))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, out).with_context(|| format!("cannot write {}", out.display()))?;
    drop(old);
    Ok(Built {
        checked,
        scores,
        docs,
    })
}

/// `out` may be replaced when it is missing, empty, or a site portico wrote before.
pub fn check_replaceable(out: &std::path::Path) -> anyhow::Result<()> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        anyhow::bail!("{} exists and is not a directory", out.display());
    }
    let empty = std::fs::read_dir(out)?.next().is_none();
    if empty || out.join(render::SITE_MARKER).is_file() {
        return Ok(());
    }
    anyhow::bail!(
        "{} is not empty and was not written by portico; refusing to replace it (choose another --out)",
        out.display()
    )
}
