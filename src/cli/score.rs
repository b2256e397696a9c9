//! `portico score` (levels, scores and unmet checks of every entity, as text, JSON or a PR
//! comment) and `portico gate` (exit 1 when an entity is below a scorecard level, for
//! deploy steps).

use crate::model::EntityRef;
use crate::score::report::{self, Baseline};
use crate::score::{self, EntityResult, Scores};
use chrono::NaiveDate;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// A pull-request comment: levels, changes versus --baseline, remediations.
    Markdown,
}

/// Flags shared by `score` and `gate`.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Repositories, directories of repositories, or catalog files (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Config file [default: portico.yaml or portico.yml in the first PATH].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Score as of this day (waiver expiry, enforceFrom, days since last commit)
    /// [default: $SOURCE_DATE_EPOCH's day, else today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// A previous `portico score --format json` to compare with.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Only this scorecard (by id).
    #[arg(long, value_name = "ID")]
    pub scorecard: Option<String>,
    /// Only these entities (`[kind:][namespace/]name`, kind defaults to Component).
    #[arg(long, value_name = "REF")]
    pub entity: Vec<String>,
    /// Human format: list passing checks too.
    #[arg(long, short)]
    pub verbose: bool,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any entity below --min-level.
    BelowLevel,
    /// Only checks that fail now and did not in --baseline (regressions).
    NewFailures,
}

#[derive(Debug, clap::Args)]
pub struct GateArgs {
    #[command(flatten)]
    pub common: Common,
    /// The scorecard to hold entities to (by id).
    #[arg(long, value_name = "ID")]
    pub scorecard: String,
    /// The level every entity must reach (a level name of the scorecard). With
    /// `--fail-on new-failures`, only checks up to this level are considered.
    #[arg(long, value_name = "LEVEL")]
    pub min_level: Option<String>,
    /// Only these entities (default: every entity the scorecard applies to).
    #[arg(long, value_name = "REF")]
    pub entity: Vec<String>,
    /// What fails the gate.
    #[arg(long, value_enum, default_value = "below-level")]
    pub fail_on: FailOn,
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("portico: error: {message}");
    super::exit(super::EXIT_USAGE)
}

/// Loads the catalog and scores it. `Err` when the command cannot run.
fn compute(common: &Common) -> Result<(crate::Checked, Scores, Option<Baseline>), ExitCode> {
    let vargs = super::validate::Args {
        paths: common.paths.clone(),
        config: common.config.clone(),
        ..Default::default()
    };
    let session = super::validate::prepare(&vargs).map_err(super::exit)?;
    let baseline = match &common.baseline {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| fail(&format!("--baseline {}: {e}", path.display())))?;
            Some(
                Baseline::parse(&text)
                    .map_err(|e| fail(&format!("--baseline {}: {e}", path.display())))?,
            )
        }
    };
    let checked =
        super::validate::check(&session, crate::model::Retain::Everything).map_err(super::exit)?;
    let mut scores = score::score_with(
        &checked.catalog,
        &session.config,
        score::Options {
            today: common.today.unwrap_or_else(score::today),
            docs: None,
        },
    );
    // Problems in portico.yaml matter here too (a wrong `scorecards:` glob, say).
    scores.problems.extend(
        session
            .config_problems
            .iter()
            .filter(|p| p.severity == crate::diag::Severity::Error)
            .cloned(),
    );
    crate::diag::sort_problems(&mut scores.problems);
    Ok((checked, scores, baseline))
}

/// Parses `--entity` values; `Err` names the first that is not in the catalog.
fn entity_keys(refs: &[String], catalog: &crate::model::Catalog) -> Result<Vec<usize>, String> {
    refs.iter()
        .map(|r| {
            let parsed = EntityRef::parse(r, Some("component"), "default")
                .ok_or_else(|| format!("--entity {r:?} is not an entity reference"))?;
            catalog
                .position(&parsed)
                .ok_or_else(|| format!("--entity {r:?}: {parsed} is not in the catalog"))
        })
        .collect()
}

fn print_problems(scores: &Scores) {
    let mut err = std::io::stderr().lock();
    for p in &scores.problems {
        let _ = writeln!(err, "{p}");
        if let Some(h) = &p.hint {
            let _ = writeln!(err, "  = help: {h}");
        }
    }
}

fn has_errors(scores: &Scores) -> bool {
    scores
        .problems
        .iter()
        .any(|p| p.severity == crate::diag::Severity::Error)
}

pub fn run(args: Args) -> ExitCode {
    let (checked, scores, baseline) = match compute(&args.common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // The process ends after this command: freeing every entity and result one by one
    // would cost several percent of the run on a large catalog, for nothing.
    let checked = std::mem::ManuallyDrop::new(checked);
    let mut scores = std::mem::ManuallyDrop::new(scores);
    let mut only = None;
    if let Some(id) = &args.scorecard {
        let Some(s) = scores.scorecard_index(id) else {
            print_problems(&scores);
            return fail(&format!(
                "no scorecard `{id}` (known: {})",
                known_cards(&scores)
            ));
        };
        scores.results.retain(|r| r.scorecard == s);
        only = Some(s);
    }
    if !args.entity.is_empty() {
        match entity_keys(&args.entity, &checked.catalog) {
            Ok(keep) => scores.results.retain(|r| keep.contains(&r.entity)),
            Err(e) => return fail(&e),
        }
    }
    // The JSON report is streamed (for a large catalog it is too big to build as a value
    // first); the human and Markdown reports are made as text.
    let text = match args.format {
        Format::Human => {
            if !scores.problems.is_empty() {
                print_problems(&scores);
            }
            Some(report::human(&scores, args.verbose, only))
        }
        Format::Json => None,
        Format::Markdown => {
            if !scores.problems.is_empty() {
                print_problems(&scores);
            }
            Some(report::markdown(&scores, baseline.as_ref()))
        }
    };
    let json = report::JsonReport::new(&scores).only_scorecard(args.scorecard.as_deref());
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        match &text {
            Some(text) => out.write_all(text.as_bytes())?,
            None => {
                serde_json::to_writer_pretty(&mut out, &json)?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()
    };
    let written = match &args.output {
        Some(path) => std::fs::File::create(path).and_then(|mut f| write(&mut f)),
        None => write(&mut std::io::stdout().lock()),
    };
    if let Err(e) = written {
        return fail(&format!("cannot write the report: {e}"));
    }
    super::exit(if has_errors(&scores) {
        super::EXIT_PROBLEMS
    } else {
        super::EXIT_OK
    })
}

fn known_cards(scores: &Scores) -> String {
    if scores.scorecards.is_empty() {
        "none found".into()
    } else {
        scores
            .scorecards
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn gate(args: GateArgs) -> ExitCode {
    if args.fail_on == FailOn::NewFailures && args.common.baseline.is_none() {
        return fail("--fail-on new-failures needs --baseline FILE");
    }
    if args.fail_on == FailOn::BelowLevel && args.min_level.is_none() {
        return fail("--min-level LEVEL is required (or --fail-on new-failures --baseline FILE)");
    }
    let (checked, scores, baseline) = match compute(&args.common) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let Some(s) = scores.scorecard_index(&args.scorecard) else {
        print_problems(&scores);
        return fail(&format!(
            "no scorecard `{}` (known: {})",
            args.scorecard,
            known_cards(&scores)
        ));
    };
    let card = &scores.scorecards[s];
    let min = match &args.min_level {
        None => None,
        Some(name) => match card
            .levels
            .iter()
            .position(|l| l.name.eq_ignore_ascii_case(name))
        {
            Some(l) => Some(l),
            None => {
                let names: Vec<&str> = card.levels.iter().map(|l| l.name.as_str()).collect();
                return fail(&format!(
                    "scorecard `{}` has no level `{name}` (levels: {})",
                    card.id,
                    names.join(", ")
                ));
            }
        },
    };
    let results: Vec<&EntityResult> = if args.entity.is_empty() {
        scores.for_scorecard(s).collect()
    } else {
        let wanted = match entity_keys(&args.entity, &checked.catalog) {
            Ok(w) => w,
            Err(e) => return fail(&e),
        };
        let mut out = vec![];
        for (w, text) in wanted.iter().zip(&args.entity) {
            match scores.for_entity(*w).iter().find(|r| r.scorecard == s) {
                Some(r) => out.push(r),
                None => return fail(&format!("scorecard `{}` does not apply to {text}", card.id)),
            }
        }
        out
    };
    let mut out = String::new();
    let mut failed = 0;
    for r in &results {
        let level = scores.level_name(r).unwrap_or("none");
        // The checks that hold the entity back: counted failures up to the level asked.
        let blocking: Vec<&score::CheckResult> = match args.fail_on {
            FailOn::BelowLevel => {
                let min = min.unwrap_or(0);
                if r.level.is_some_and(|l| l >= min) {
                    continue;
                }
                r.checks
                    .iter()
                    .filter(|c| {
                        c.counted && c.outcome.is_failure() && card.checks[c.check].level <= min
                    })
                    .collect()
            }
            FailOn::NewFailures => {
                let d = report::delta(&scores, r, baseline.as_ref().expect("checked above"));
                let new: Vec<&score::CheckResult> = r
                    .checks
                    .iter()
                    .filter(|c| d.new_failures.contains(&c.check))
                    .filter(|c| min.is_none_or(|m| card.checks[c.check].level <= m))
                    .collect();
                if new.is_empty() {
                    continue;
                }
                new
            }
        };
        failed += 1;
        out.push_str(&match args.fail_on {
            FailOn::BelowLevel => format!(
                "{} is at {level}, below {} ({}, {:.1}%):\n",
                r.entity_ref,
                card.levels[min.unwrap_or(0)].name,
                card.id,
                r.score
            ),
            FailOn::NewFailures => format!(
                "{} has new failing checks in {} (level {level}, {:.1}%):\n",
                r.entity_ref, card.id, r.score
            ),
        });
        for c in blocking {
            let check = &card.checks[c.check];
            out.push_str(&format!(
                "  ✗ {} [{}] {}: {}\n",
                check.id, card.levels[check.level].name, check.title, c.message
            ));
            if let Some(rem) = &check.remediation {
                if let Some(first) = rem.lines().map(str::trim).find(|l| !l.is_empty()) {
                    out.push_str(&format!("      fix: {first}\n"));
                }
            }
        }
    }
    let n = results.len();
    let entities = |n: usize| format!("{n} entit{}", if n == 1 { "y" } else { "ies" });
    let upto = min
        .map(|l| format!(" up to {}", card.levels[l].name))
        .unwrap_or_default();
    out.push_str(&match (args.fail_on, failed > 0) {
        (FailOn::BelowLevel, true) => format!(
            "gate failed: {failed} of {} below {} ({})\n",
            entities(n),
            card.levels[min.unwrap_or(0)].name,
            card.id
        ),
        (FailOn::BelowLevel, false) => format!(
            "gate passed: {} at {} or above ({})\n",
            entities(n),
            card.levels[min.unwrap_or(0)].name,
            card.id
        ),
        (FailOn::NewFailures, true) => format!(
            "gate failed: {failed} of {} with new failing checks{upto} ({})\n",
            entities(n),
            card.id
        ),
        (FailOn::NewFailures, false) => format!(
            "gate passed: no new failing checks{upto} in {} ({})\n",
            entities(n),
            card.id
        ),
    });
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    super::exit(if failed > 0 {
        super::EXIT_PROBLEMS
    } else {
        super::EXIT_OK
    })
}
