//! Stage 5: catalog + scorecard files → per-entity levels, scores and check outcomes.
//!
//! ```text
//! load      portico.yaml → scorecards/*.yaml, waivers.yaml, facts/*.json   (located problems)
//! evaluate  each entity × each scorecard that applies → checks → outcome, level, score
//! report    human | json | markdown (PR comment, with deltas against a baseline JSON)
//! ```
//!
//! Outcomes: a rule passes, fails, cannot be evaluated (`error`, with why) or does not apply.
//! A failing check becomes `exempt` under an active waiver, `warn` when its severity is
//! `warning` or its `enforceFrom` date is still ahead. The level is the highest level whose
//! checks at or below it all pass (exempt counts as pass; warn and not_applicable do not
//! block); the score is the weighted share of counted checks that passed (exempt and
//! not-applicable checks are left out). Everything is deterministic for a given `today`.

pub mod facts;
pub mod files;
pub mod history;
pub mod report;
pub mod rules;
pub mod scorecard;
pub mod waivers;

use crate::config::Config;
use crate::diag::{Problem, Span};
use crate::model::Catalog;
use chrono::NaiveDate;
use facts::Facts;
use rayon::prelude::*;
use rules::{Ctx, DocStats, DocsInfo, Eval};
pub use scorecard::Scorecard;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use waivers::Waiver;

/// What happened to one check for one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Warn,
    Exempt,
    NotApplicable,
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Exempt => "exempt",
            Outcome::NotApplicable => "not_applicable",
            Outcome::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pass" => Outcome::Pass,
            "fail" => Outcome::Fail,
            "warn" => Outcome::Warn,
            "exempt" => Outcome::Exempt,
            "not_applicable" => Outcome::NotApplicable,
            "error" => Outcome::Error,
            _ => return None,
        })
    }
    /// Fail or error: the check is not met.
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Error)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// Index into the scorecard's `checks`.
    pub check: usize,
    pub outcome: Outcome,
    pub message: String,
    /// False when the check is left out of level and score: not applicable, exempt, or a
    /// failure before its `enforceFrom` date.
    pub counted: bool,
    /// Index into `Scores::waivers` of the waiver that applied (active or expired).
    pub waiver: Option<usize>,
}

/// One scorecard's result for one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityResult {
    /// Index into `Catalog::entities`.
    pub entity: usize,
    /// `kind:namespace/name`.
    pub entity_ref: String,
    /// Index into `Scores::scorecards`.
    pub scorecard: usize,
    /// Index into the scorecard's levels; `None` when the first level is not met.
    pub level: Option<usize>,
    /// 0–100, rounded to one decimal.
    pub score: f64,
    pub checks: Vec<CheckResult>,
}

/// Every scorecard's result for every entity it applies to.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// The day the scores were computed for (waiver expiry, enforceFrom, git ages).
    pub today: Option<NaiveDate>,
    pub scorecards: Vec<Scorecard>,
    /// Sorted by entity index, then scorecard index.
    pub results: Vec<EntityResult>,
    pub waivers: Vec<Waiver>,
    /// Problems in scorecard, waiver and facts files; expired waivers.
    pub problems: Vec<Problem>,
}

impl Scores {
    /// The results of one entity (one per scorecard that applies).
    pub fn for_entity(&self, entity: usize) -> &[EntityResult] {
        let start = self.results.partition_point(|r| r.entity < entity);
        let end = self.results.partition_point(|r| r.entity <= entity);
        &self.results[start..end]
    }

    /// The results of one scorecard, in entity order.
    pub fn for_scorecard(&self, scorecard: usize) -> impl Iterator<Item = &EntityResult> {
        self.results
            .iter()
            .filter(move |r| r.scorecard == scorecard)
    }

    pub fn scorecard_index(&self, id: &str) -> Option<usize> {
        self.scorecards.iter().position(|s| s.id == id)
    }

    /// Waivers whose expiry date has passed.
    pub fn expired_waivers(&self) -> Vec<&Waiver> {
        match self.today {
            Some(today) => self.waivers.iter().filter(|w| !w.active(today)).collect(),
            None => vec![],
        }
    }

    /// Level name of a result (`None` below the first level).
    pub fn level_name(&self, r: &EntityResult) -> Option<&str> {
        r.level
            .map(|l| self.scorecards[r.scorecard].levels[l].name.as_str())
    }

    /// Team rollup: for a set of entities (a group's), per scorecard, how many are at each
    /// level and which checks fail most.
    pub fn rollup(&self, entities: &[usize]) -> Vec<Rollup> {
        let mut by_card: BTreeMap<usize, Rollup> = BTreeMap::new();
        for &e in entities {
            for r in self.for_entity(e) {
                let card = &self.scorecards[r.scorecard];
                let roll = by_card.entry(r.scorecard).or_insert_with(|| Rollup {
                    scorecard: r.scorecard,
                    entities: 0,
                    below: 0,
                    levels: vec![0; card.levels.len()],
                    average: 0.0,
                    worst: vec![],
                });
                roll.entities += 1;
                match r.level {
                    Some(l) => roll.levels[l] += 1,
                    None => roll.below += 1,
                }
                roll.average += r.score;
                for c in &r.checks {
                    if c.counted && c.outcome.is_failure() {
                        match roll.worst.iter_mut().find(|(i, _)| *i == c.check) {
                            Some((_, n)) => *n += 1,
                            None => roll.worst.push((c.check, 1)),
                        }
                    }
                }
            }
        }
        by_card
            .into_values()
            .map(|mut r| {
                if r.entities > 0 {
                    r.average = round1(r.average / r.entities as f64);
                }
                r.worst.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                r
            })
            .collect()
    }
}

/// A scorecard summed over a set of entities.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollup {
    pub scorecard: usize,
    pub entities: usize,
    /// Entities below the first level.
    pub below: usize,
    /// Entities at each level (exactly that level).
    pub levels: Vec<usize>,
    /// Mean score.
    pub average: f64,
    /// (check index, entities failing it), most failures first.
    pub worst: Vec<(usize, usize)>,
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The day to score for: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the
/// system's local date.
pub fn today() -> NaiveDate {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        if let Some(t) = chrono::DateTime::from_timestamp(secs, 0) {
            return t.date_naive();
        }
    }
    chrono::Local::now().date_naive()
}

/// Scorecards, waivers and facts as loaded from the files `portico.yaml` names.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub scorecards: Vec<Scorecard>,
    pub waivers: Vec<Waiver>,
    pub facts: Facts,
    pub problems: Vec<Problem>,
}

/// Default locations when `portico.yaml` names none.
pub const DEFAULT_SCORECARDS: [&str; 2] = ["scorecards/*.yaml", "scorecards/*.yml"];
pub const DEFAULT_WAIVERS: &str = "waivers.yaml";
pub const DEFAULT_FACTS: [&str; 1] = ["facts/*.json"];

/// Reads the scorecard, waiver and fact files of a config. Never fails: problems are
/// located and returned with whatever could be loaded.
pub fn load(config: &Config) -> Inputs {
    let mut inputs = Inputs::default();
    let card_checker = files::SchemaChecker::new(scorecard::SCHEMA, "scorecard/schema");
    let card_files = files::find(config, &config.scorecards, &DEFAULT_SCORECARDS);
    let loaded: Vec<(Vec<Scorecard>, Vec<Problem>)> = card_files
        .par_iter()
        .map(|(path, shown)| match std::fs::read(path) {
            Ok(bytes) => match std::str::from_utf8(&bytes) {
                Ok(text) => scorecard::load_str(text, shown, &card_checker),
                Err(e) => (
                    vec![],
                    vec![Problem::error(
                        "scorecard/invalid",
                        shown.as_str(),
                        Span::file_start(),
                        format!("file is not valid UTF-8: {e}"),
                    )],
                ),
            },
            Err(e) => (
                vec![],
                vec![Problem::error(
                    "file/unreadable",
                    shown.as_str(),
                    Span::file_start(),
                    format!("cannot read scorecard file: {e}"),
                )],
            ),
        })
        .collect();
    let mut seen: HashMap<String, (String, Span)> = HashMap::new();
    for (cards, problems) in loaded {
        inputs.problems.extend(problems);
        for card in cards {
            if let Some((file, span)) = seen.get(&card.id) {
                inputs.problems.push(
                    Problem::error(
                        "scorecard/invalid",
                        card.file.as_str(),
                        card.span,
                        format!("scorecard id `{}` is already used", card.id),
                    )
                    .with_hint(format!(
                        "first defined at {file}:{}:{}",
                        span.start.line, span.start.column
                    )),
                );
                continue;
            }
            seen.insert(card.id.clone(), (card.file.clone(), card.span));
            inputs.scorecards.push(card);
        }
    }

    let waiver_globs: Vec<String> = config.waivers.iter().cloned().collect();
    let waiver_checker = files::SchemaChecker::new(waivers::SCHEMA, "scorecard/waivers");
    for (path, shown) in files::find(config, &waiver_globs, &[DEFAULT_WAIVERS]) {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let (w, p) = waivers::load_str(&text, &shown, &waiver_checker);
                inputs.waivers.extend(w);
                inputs.problems.extend(p);
            }
            Err(e) => inputs.problems.push(Problem::error(
                "file/unreadable",
                shown,
                Span::file_start(),
                format!("cannot read waivers file: {e}"),
            )),
        }
    }
    if let Some(w) = &config.waivers {
        if !w.contains(['*', '?', '[']) && !config.root.join(w).is_file() {
            inputs.problems.push(Problem::error(
                "file/unreadable",
                files::display(&config.root, std::path::Path::new(w)),
                Span::file_start(),
                "waivers file named in portico.yaml does not exist",
            ));
        }
    }
    for (path, shown) in files::find(config, &config.facts, &DEFAULT_FACTS) {
        let p = inputs.facts.add_file(&path, &shown);
        inputs.problems.extend(p);
    }
    inputs
}

/// Docs facts for `portico score`: counts the Markdown pages under each entity's TechDocs
/// input (`backstage.io/techdocs-ref: dir:PATH` → `PATH/mkdocs.yml` → `docs_dir`). During
/// `portico build`, the pages and broken links the docs stage found are used instead.
pub struct ScanDocs<'d> {
    pub built: Option<&'d crate::docs::Docs>,
}

impl DocsInfo for ScanDocs<'_> {
    fn stats(&self, ctx: &Ctx, i: usize) -> Result<Option<DocStats>, String> {
        let e = &ctx.catalog.entities[i];
        let site = self
            .built
            .and_then(|d| d.sites.iter().find(|s| s.entity == i));
        let Some(r) = e.annotation("backstage.io/techdocs-ref") else {
            return Ok(site.map(|s| DocStats {
                pages: s.pages,
                broken_links: Some(0),
            }));
        };
        let Some(dir) = r.strip_prefix("dir:") else {
            return Err(format!(
                "techdocs-ref `{r}` is not a local `dir:` reference; portico reads local docs only"
            ));
        };
        if dir.split(['/', '\\']).any(|s| s == "..") || dir.starts_with('/') {
            return Err(format!("techdocs-ref `{r}` leaves the repository"));
        }
        let base = rules::entity_dir(e).join(dir);
        let repo = &e.source.repo;
        let (docs_dir, pages) = ctx
            .doc_pages
            .get(base.clone(), || count_pages(ctx, &base, repo))?;
        let Some(site) = site else {
            return Ok(Some(DocStats {
                pages,
                broken_links: None,
            }));
        };
        // Broken links the docs stage found in this entity's pages: by entity when the
        // problem names it, else by the file being under the entity's docs folder.
        let key = e.entity_ref.to_string();
        let prefix = format!(
            "{}/",
            docs_dir
                .to_string_lossy()
                .replace('\\', "/")
                .trim_start_matches("./")
                .trim_end_matches('/')
        );
        let broken = self.built.map_or(0, |d| {
            d.problems
                .iter()
                .filter(|p| p.rule == "docs/broken-link")
                .filter(|p| match &p.entity {
                    Some(en) => *en == key,
                    None => p.file.trim_start_matches("./").starts_with(&prefix),
                })
                .count()
        });
        Ok(Some(DocStats {
            pages: site.pages,
            broken_links: Some(broken),
        }))
    }
}

/// The docs folder of a TechDocs input (`base/mkdocs.yml` → `docs_dir`) and the number of
/// Markdown pages in it.
fn count_pages(
    ctx: &Ctx,
    base: &std::path::Path,
    repo: &std::path::Path,
) -> Result<(PathBuf, usize), String> {
    let mkdocs = ["mkdocs.yml", "mkdocs.yaml"]
        .iter()
        .map(|n| base.join(n))
        .find(|p| p.is_file());
    let Some(mkdocs) = mkdocs else {
        return Err(format!("no mkdocs.yml in {}", base.display()));
    };
    // Read through the run's file cache: file rules often look at mkdocs.yml too. Only a
    // file that mentions `docs_dir` needs parsing; the default is `docs`.
    let docs_dir = ctx
        .text(&mkdocs, repo)
        .ok()
        .filter(|text| text.contains("docs_dir"))
        .and_then(|text| {
            let (docs, _) = crate::parse::parse_str(&text, "mkdocs.yml");
            docs.first()?
                .root
                .get("docs_dir")?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "docs".to_string());
    if docs_dir.split(['/', '\\']).any(|s| s == "..") {
        return Err("docs_dir leaves the repository".into());
    }
    let dir = crate::discover::normalize_lexical(&base.join(docs_dir));
    Ok((dir.clone(), count_markdown(&dir, 0)))
}

/// Markdown files under `dir` (hidden entries and symlinks skipped, depth bounded).
fn count_markdown(dir: &std::path::Path, depth: usize) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() && depth < 32 {
            n += count_markdown(&e.path(), depth + 1);
        } else if t.is_file()
            && std::path::Path::new(&name)
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("md"))
        {
            n += 1;
        }
    }
    n
}

/// What `score` needs besides the catalog and the config.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    pub today: NaiveDate,
    /// The docs stage's output, when it ran before scoring.
    pub docs: Option<&'a crate::docs::Docs>,
}

/// Computes scorecards for the catalog, with today's date.
pub fn score(catalog: &Catalog, config: &Config) -> Scores {
    score_with(
        catalog,
        config,
        Options {
            today: today(),
            docs: None,
        },
    )
}

/// Loads the inputs named by the config and evaluates them.
pub fn score_with(catalog: &Catalog, config: &Config, options: Options) -> Scores {
    let timer = crate::Timer::new();
    let inputs = load(config);
    timer.lap("score: load scorecards, waivers, facts");
    let scores = evaluate(catalog, inputs, options);
    timer.lap("score: evaluate");
    scores
}

/// Evaluates every scorecard for every entity it applies to.
pub fn evaluate(catalog: &Catalog, inputs: Inputs, options: Options) -> Scores {
    let Inputs {
        scorecards,
        waivers,
        facts,
        mut problems,
    } = inputs;
    let today = options.today;
    let docs = ScanDocs {
        built: options.docs,
    };
    let ctx = Ctx::new(catalog, &facts, &docs, today);

    // Waivers by entity key, then check id.
    let mut waiver_index: WaiverIndex = HashMap::new();
    for (i, w) in waivers.iter().enumerate() {
        waiver_index
            .entry(w.entity.key())
            .or_default()
            .entry(w.check.as_str())
            .or_default()
            .push(i);
        problems.extend(check_waiver(w, &scorecards, catalog));
    }

    let results: Vec<EntityResult> = (0..catalog.entities.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let ctx = &ctx;
            let waivers = &waivers;
            let waiver_index = &waiver_index;
            scorecards
                .iter()
                .enumerate()
                .filter(move |(_, card)| card.applies_to.matches(ctx, i))
                .map(move |(s, card)| evaluate_one(ctx, i, s, card, waivers, waiver_index))
        })
        .collect();
    crate::diag::sort_problems(&mut problems);
    Scores {
        today: Some(today),
        scorecards,
        results,
        waivers,
        problems,
    }
}

fn check_waiver(w: &Waiver, cards: &[Scorecard], catalog: &Catalog) -> Vec<Problem> {
    // An expired waiver is listed (`Scores::expired_waivers`: the reports, the JSON, the
    // site) rather than reported as a problem: a build must not start failing on a date
    // without any change to its input.
    let mut out = vec![];
    let known_check = cards.iter().any(|c| {
        w.scorecard.as_ref().is_none_or(|s| *s == c.id) && c.checks.iter().any(|k| k.id == w.check)
    });
    if !known_check {
        out.push(Problem::warning(
            "scorecard/waiver-unknown",
            w.file.as_str(),
            w.span,
            format!(
                "no scorecard{} has a check `{}`",
                w.scorecard
                    .as_ref()
                    .map(|s| format!(" `{s}`"))
                    .unwrap_or_default(),
                w.check
            ),
        ));
    }
    if !catalog.entities.is_empty() && catalog.get(&w.entity).is_none() {
        out.push(Problem::warning(
            "scorecard/waiver-unknown",
            w.file.as_str(),
            w.span,
            format!("waiver names {}, which is not in the catalog", w.entity),
        ));
    }
    out
}

/// Waivers by entity key, then by check id.
type WaiverIndex<'w> = HashMap<String, HashMap<&'w str, Vec<usize>>>;

fn evaluate_one(
    ctx: &Ctx,
    i: usize,
    s: usize,
    card: &Scorecard,
    waivers: &[Waiver],
    waiver_index: &WaiverIndex,
) -> EntityResult {
    let entity = &ctx.catalog.entities[i];
    // The entity's waivers, looked up once (most entities have none).
    let entity_waivers = if waiver_index.is_empty() {
        None
    } else {
        waiver_index.get(&entity.entity_ref.key())
    };
    let checks: Vec<CheckResult> = card
        .checks
        .iter()
        .enumerate()
        .map(|(c, check)| {
            let eval = if check.applies_to.is_empty() || check.applies_to.matches(ctx, i) {
                rules::eval(&check.rule, ctx, i)
            } else {
                Eval::NotApplicable("the check does not apply to this entity".into())
            };
            let waiver = entity_waivers
                .and_then(|by_check| by_check.get(check.id.as_str()))
                .and_then(|ws| {
                    // The active waiver with the latest expiry wins; else the latest expired.
                    ws.iter()
                        .copied()
                        .filter(|&w| {
                            waivers[w]
                                .scorecard
                                .as_ref()
                                .is_none_or(|id| *id == card.id)
                        })
                        .max_by_key(|&w| (waivers[w].active(ctx.today), waivers[w].expires, w))
                });
            let mut r = outcome(check, eval, waiver.map(|w| (w, &waivers[w])), ctx.today);
            r.check = c;
            r
        })
        .collect();
    let (level, score) = level_and_score(card, &checks);
    EntityResult {
        entity: i,
        entity_ref: entity.entity_ref.to_string(),
        scorecard: s,
        level,
        score,
        checks,
    }
}

/// Turns a rule result into a check outcome: waivers, enforceFrom, severity.
pub fn outcome(
    check: &scorecard::Check,
    eval: Eval,
    waiver: Option<(usize, &Waiver)>,
    today: NaiveDate,
) -> CheckResult {
    let mut r = CheckResult {
        check: 0,
        outcome: Outcome::Pass,
        message: String::new(),
        counted: true,
        waiver: None,
    };
    let (failed, msg) = match eval {
        Eval::Pass(m) => {
            r.message = m;
            return r;
        }
        Eval::NotApplicable(m) => {
            r.outcome = Outcome::NotApplicable;
            r.message = m;
            r.counted = false;
            return r;
        }
        Eval::Fail(m) => (Outcome::Fail, m),
        Eval::Error(m) => (Outcome::Error, m),
    };
    let mut msg = msg;
    if let Some((wi, w)) = waiver {
        r.waiver = Some(wi);
        if w.active(today) {
            r.outcome = Outcome::Exempt;
            r.counted = false;
            r.message = format!("waived until {}: {} ({msg})", w.expires, w.reason);
            return r;
        }
        msg = format!("{msg} (waiver expired on {})", w.expires);
    }
    if let Some(from) = check.enforce_from {
        if today < from {
            r.outcome = Outcome::Warn;
            r.counted = false;
            r.message = format!("{msg} (not counted until {from})");
            return r;
        }
    }
    r.outcome = if failed == Outcome::Fail && check.severity == scorecard::Severity::Warning {
        Outcome::Warn
    } else {
        failed
    };
    r.message = msg;
    r
}

/// Level: the highest level whose counted checks at or below it have no fail or error.
/// Score: the weighted share of counted checks that passed, 0–100 (100 with none).
pub fn level_and_score(card: &Scorecard, checks: &[CheckResult]) -> (Option<usize>, f64) {
    let mut blocked_at = card.levels.len();
    for r in checks {
        if r.counted && r.outcome.is_failure() {
            blocked_at = blocked_at.min(card.checks[r.check].level);
        }
    }
    let level = blocked_at.checked_sub(1);
    let (mut total, mut passed) = (0.0, 0.0);
    for r in checks.iter().filter(|r| r.counted) {
        let w = card.checks[r.check].weight;
        total += w;
        if r.outcome == Outcome::Pass {
            passed += w;
        }
    }
    let score = if total > 0.0 {
        round1(passed * 100.0 / total)
    } else {
        100.0
    };
    (level, score)
}

/// Where the history file named in `portico.yaml` lives.
pub fn history_path(config: &Config) -> Option<PathBuf> {
    config.history.as_ref().map(|h| config.root.join(h))
}

#[cfg(test)]
mod tests;
