//! Scores → what people and CI read: the JSON contract, a human summary, and a Markdown PR
//! comment with the changes against a baseline (a previous JSON report).

use super::{EntityResult, Outcome, Scores};
use crate::diag::Problem;
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The JSON contract: `{"scorecards": [...], "results": [{"entity", "scorecard", "level",
/// "score", "checks": [{"id", "outcome", "message"}]}], ...}`, as a value (tests, small
/// reports). Large reports are streamed with [`JsonReport`].
pub fn to_json(scores: &Scores) -> Json {
    serde_json::to_value(JsonReport::new(scores)).unwrap_or(Json::Null)
}

/// The JSON contract, serialised straight to a writer: 10,000 entities × 20 checks is half
/// a million check objects, which as a `serde_json::Value` took about a gigabyte.
pub struct JsonReport<'a> {
    scores: &'a Scores,
    /// Only this scorecard in the `scorecards` list.
    only: Option<&'a str>,
    /// How file paths are shown (the site makes them relative to the project root).
    file: &'a dyn Fn(&str) -> String,
}

impl<'a> JsonReport<'a> {
    pub fn new(scores: &'a Scores) -> Self {
        JsonReport {
            scores,
            only: None,
            file: &|f| f.to_string(),
        }
    }
    pub fn only_scorecard(mut self, id: Option<&'a str>) -> Self {
        self.only = id;
        self
    }
    pub fn files(mut self, file: &'a dyn Fn(&str) -> String) -> Self {
        self.file = file;
        self
    }

    fn scorecards(&self) -> Vec<Json> {
        self.scores
            .scorecards
            .iter()
            .filter(|c| self.only.is_none_or(|id| c.id == id))
            .map(|c| {
                json!({
                    "id": c.id,
                    "title": c.title,
                    "description": c.description,
                    "file": (self.file)(&c.file),
                    "levels": c.levels.iter().map(|l| json!({
                        "name": l.name,
                        "description": l.description,
                    })).collect::<Vec<_>>(),
                    "checks": c.checks.iter().map(|k| json!({
                        "id": k.id,
                        "title": k.title,
                        "level": c.levels[k.level].name,
                        "category": k.category,
                        "weight": k.weight,
                        "severity": k.severity.as_str(),
                        "enforceFrom": k.enforce_from.map(|d| d.to_string()),
                        "remediation": k.remediation,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect()
    }

    fn expired(&self) -> Vec<Json> {
        self.scores
            .expired_waivers()
            .into_iter()
            .map(|w| {
                json!({
                    "entity": w.entity.to_string(),
                    "scorecard": w.scorecard,
                    "check": w.check,
                    "reason": w.reason,
                    "expires": w.expires.to_string(),
                    "file": (self.file)(&w.file),
                    "line": w.span.start.line,
                })
            })
            .collect()
    }
}

impl serde::Serialize for JsonReport<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let scores = self.scores;
        let mut map = ser.serialize_map(Some(5))?;
        map.serialize_entry("today", &scores.today.map(|d| d.to_string()))?;
        map.serialize_entry("scorecards", &self.scorecards())?;
        map.serialize_entry(
            "results",
            &Seq(|| scores.results.iter().map(|r| ResultJson(scores, r))),
        )?;
        map.serialize_entry("expiredWaivers", &self.expired())?;
        let problems: Vec<Json> = scores
            .problems
            .iter()
            .map(|p| {
                let mut j = problem_json(p);
                j["file"] = Json::from((self.file)(&p.file));
                j
            })
            .collect();
        map.serialize_entry("problems", &problems)?;
        map.end()
    }
}

/// A sequence serialised from an iterator, without collecting it.
struct Seq<F>(F);

impl<F, I> serde::Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq((self.0)())
    }
}

/// One entity × scorecard result in the JSON contract.
struct ResultJson<'a>(&'a Scores, &'a EntityResult);

impl serde::Serialize for ResultJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (scores, r) = (self.0, self.1);
        let card = &scores.scorecards[r.scorecard];
        let mut map = ser.serialize_map(Some(5))?;
        map.serialize_entry("entity", &r.entity_ref)?;
        map.serialize_entry("scorecard", &card.id)?;
        map.serialize_entry("level", &scores.level_name(r))?;
        map.serialize_entry("score", &r.score)?;
        map.serialize_entry(
            "checks",
            &Seq(|| {
                r.checks.iter().map(|c| CheckJson {
                    id: &card.checks[c.check].id,
                    outcome: c.outcome.as_str(),
                    message: &c.message,
                })
            }),
        )?;
        map.end()
    }
}

#[derive(serde::Serialize)]
struct CheckJson<'a> {
    id: &'a str,
    outcome: &'a str,
    message: &'a str,
}

/// A problem in the shape of `portico validate --format json`.
pub fn problem_json(p: &Problem) -> Json {
    json!({
        "file": p.file,
        "document": p.document,
        "line": p.span.start.line,
        "column": p.span.start.column,
        "end_line": p.span.end.line,
        "end_column": p.span.end.column,
        "severity": p.severity,
        "rule": p.rule,
        "message": p.message,
        "entity": p.entity,
    })
}

/// One entity × scorecard result as recorded in a baseline JSON.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaselineResult {
    pub level: Option<String>,
    pub score: f64,
    /// check id → outcome
    pub checks: BTreeMap<String, Outcome>,
}

/// A previous `portico score --format json`, keyed by (entity, scorecard).
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub results: BTreeMap<(String, String), BaselineResult>,
}

impl Baseline {
    /// Reads a baseline JSON. Entity refs are compared case-insensitively.
    pub fn parse(text: &str) -> Result<Self, String> {
        let json: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let results = json
            .get("results")
            .and_then(Json::as_array)
            .ok_or("no `results` array: not a `portico score --format json` report")?;
        let mut out = Baseline::default();
        for r in results {
            let (Some(entity), Some(card)) = (
                r.get("entity").and_then(Json::as_str),
                r.get("scorecard").and_then(Json::as_str),
            ) else {
                continue;
            };
            let checks = r
                .get("checks")
                .and_then(Json::as_array)
                .map(|cs| {
                    cs.iter()
                        .filter_map(|c| {
                            Some((
                                c.get("id")?.as_str()?.to_string(),
                                Outcome::parse(c.get("outcome")?.as_str()?)?,
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.results.insert(
                (entity.to_lowercase(), card.to_string()),
                BaselineResult {
                    level: r.get("level").and_then(Json::as_str).map(str::to_string),
                    score: r.get("score").and_then(Json::as_f64).unwrap_or(0.0),
                    checks,
                },
            );
        }
        Ok(out)
    }

    pub fn get(&self, entity: &str, scorecard: &str) -> Option<&BaselineResult> {
        self.results
            .get(&(entity.to_lowercase(), scorecard.to_string()))
    }
}

/// What changed for one result since the baseline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delta {
    /// The entity × scorecard pair is not in the baseline.
    pub new: bool,
    pub level_before: Option<String>,
    pub level_changed: bool,
    /// Level index went down (or the pair is new and below its top level is not a
    /// regression by itself).
    pub level_down: bool,
    pub score_before: f64,
    /// Checks (indices) that fail now and did not before (or are new).
    pub new_failures: Vec<usize>,
    /// Checks that failed before and do not now.
    pub fixed: Vec<usize>,
}

impl Delta {
    pub fn is_change(&self) -> bool {
        self.new || self.level_changed || !self.new_failures.is_empty() || !self.fixed.is_empty()
    }
}

/// Compares a result with the baseline. A check is failing when it counts against the
/// entity: fail or error (warn, exempt and not-applicable do not).
pub fn delta(scores: &Scores, r: &EntityResult, baseline: &Baseline) -> Delta {
    let card = &scores.scorecards[r.scorecard];
    let Some(before) = baseline.get(&r.entity_ref, &card.id) else {
        return Delta {
            new: true,
            new_failures: r
                .checks
                .iter()
                .filter(|c| c.counted && c.outcome.is_failure())
                .map(|c| c.check)
                .collect(),
            ..Delta::default()
        };
    };
    let level_index = |name: &Option<String>| {
        name.as_ref().and_then(|n| {
            card.levels
                .iter()
                .position(|l| l.name.eq_ignore_ascii_case(n))
        })
    };
    let before_level = level_index(&before.level);
    let mut d = Delta {
        new: false,
        level_before: before.level.clone(),
        level_changed: before_level != r.level,
        level_down: r.level < before_level,
        score_before: before.score,
        ..Delta::default()
    };
    for c in &r.checks {
        let id = &card.checks[c.check].id;
        let was_failing = before.checks.get(id).is_some_and(|o| o.is_failure());
        let failing = c.counted && c.outcome.is_failure();
        if failing && !was_failing {
            d.new_failures.push(c.check);
        }
        if !failing && was_failing {
            d.fixed.push(c.check);
        }
    }
    d
}

fn level_text(name: Option<&str>) -> &str {
    name.unwrap_or("none")
}

fn outcome_mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "✓",
        Outcome::Fail => "✗",
        Outcome::Warn => "!",
        Outcome::Exempt => "~",
        Outcome::NotApplicable => "-",
        Outcome::Error => "?",
    }
}

/// The human report: per scorecard, each entity's level and score with its unmet checks.
/// `verbose` lists passing checks too.
pub fn human(scores: &Scores, verbose: bool, only: Option<usize>) -> String {
    let mut out = String::new();
    if scores.scorecards.is_empty() {
        out.push_str("no scorecards found (scorecards/*.yaml, or `scorecards:` in portico.yaml)\n");
        return out;
    }
    for (s, card) in scores.scorecards.iter().enumerate() {
        if only.is_some_and(|o| o != s) {
            continue;
        }
        let levels: Vec<&str> = card.levels.iter().map(|l| l.name.as_str()).collect();
        let _ = writeln!(
            out,
            "{} — {} (levels: {})",
            card.id,
            card.title,
            levels.join(" < ")
        );
        let results: Vec<&EntityResult> = scores.for_scorecard(s).collect();
        let width = results
            .iter()
            .map(|r| r.entity_ref.chars().count())
            .max()
            .unwrap_or(0);
        let mut counts = vec![0usize; card.levels.len()];
        let mut below = 0;
        for r in &results {
            match r.level {
                Some(l) => counts[l] += 1,
                None => below += 1,
            }
            let _ = writeln!(
                out,
                "  {:width$}  {:<10} {:>5.1}%",
                r.entity_ref,
                level_text(scores.level_name(r)),
                r.score
            );
            for c in &r.checks {
                if !verbose && matches!(c.outcome, Outcome::Pass | Outcome::NotApplicable) {
                    continue;
                }
                let check = &card.checks[c.check];
                let _ = writeln!(
                    out,
                    "      {} {:<14} {} [{}]: {}",
                    outcome_mark(c.outcome),
                    c.outcome.as_str(),
                    check.id,
                    card.levels[check.level].name,
                    c.message
                );
            }
        }
        let mut parts: Vec<String> = card
            .levels
            .iter()
            .zip(&counts)
            .rev()
            .map(|(l, n)| format!("{} {n}", l.name))
            .collect();
        parts.push(format!("none {below}"));
        let _ = writeln!(
            out,
            "  {} entit{}: {}\n",
            results.len(),
            if results.len() == 1 { "y" } else { "ies" },
            parts.join(", ")
        );
    }
    let expired = scores.expired_waivers();
    if !expired.is_empty() {
        let _ = writeln!(out, "expired waivers:");
        for w in expired {
            let _ = writeln!(
                out,
                "  {}:{}: {} {} expired {} ({})",
                w.file, w.span.start.line, w.entity, w.check, w.expires, w.reason
            );
        }
    }
    out
}

/// GitHub comments are limited to 65,536 characters.
const MAX_COMMENT: usize = 60_000;
const MAX_ROWS: usize = 100;

/// Escapes Markdown (and HTML) in text for a table cell or list item. Code spans written
/// with backticks are kept as code; a `|` is escaped everywhere so tables hold.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let code_spans = s.matches('`').count().is_multiple_of(2);
    let mut in_code = false;
    for ch in s.chars() {
        match ch {
            '`' if code_spans => {
                in_code = !in_code;
                out.push(ch);
            }
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            _ if in_code => out.push(ch),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

/// The PR comment: per scorecard a table of entities with level, score and change since
/// the baseline, then what to fix (remediations), new failures first.
pub fn markdown(scores: &Scores, baseline: Option<&Baseline>) -> String {
    let mut out = String::from("## Scorecards\n\n");
    if scores.scorecards.is_empty() {
        out.push_str("No scorecards are configured.\n");
        return out;
    }
    if let Some(today) = scores.today {
        let _ = writeln!(out, "_Computed for {today}._\n");
    }
    // (scorecard, check) → entities failing it, each marked new (not failing in the baseline).
    let mut fixes: BTreeMap<(usize, usize), Vec<(bool, String)>> = BTreeMap::new();
    for (s, card) in scores.scorecards.iter().enumerate() {
        let results: Vec<&EntityResult> = scores.for_scorecard(s).collect();
        let _ = writeln!(out, "### {}\n", md_escape(&card.title));
        if results.is_empty() {
            out.push_str("No entity in scope.\n\n");
            continue;
        }
        let deltas: Vec<Option<Delta>> = results
            .iter()
            .map(|r| baseline.map(|b| delta(scores, r, b)))
            .collect();
        // Changed rows first, then the rest by entity.
        let mut order: Vec<usize> = (0..results.len()).collect();
        order.sort_by_key(|&i| {
            (
                !deltas[i].as_ref().is_some_and(Delta::is_change),
                results[i].entity_ref.clone(),
            )
        });
        if baseline.is_some() {
            out.push_str("| Entity | Level | Score | Change |\n|---|---|---:|---|\n");
        } else {
            out.push_str("| Entity | Level | Score | Unmet checks |\n|---|---|---:|---:|\n");
        }
        for &i in order.iter().take(MAX_ROWS) {
            let r = results[i];
            let level = level_text(scores.level_name(r));
            let change = match &deltas[i] {
                None => {
                    let unmet = r
                        .checks
                        .iter()
                        .filter(|c| c.counted && c.outcome.is_failure())
                        .count();
                    unmet.to_string()
                }
                Some(d) if d.new => "new".to_string(),
                Some(d) => {
                    let mut parts = vec![];
                    if d.level_changed {
                        parts.push(format!(
                            "{} {} → {}",
                            if d.level_down { "⬇️" } else { "⬆️" },
                            md_escape(level_text(d.level_before.as_deref())),
                            md_escape(level)
                        ));
                    }
                    let diff = super::round1(r.score - d.score_before);
                    if diff != 0.0 {
                        parts.push(format!("{diff:+.1}"));
                    }
                    if !d.new_failures.is_empty() {
                        parts.push(format!("{} new failing", d.new_failures.len()));
                    }
                    if !d.fixed.is_empty() {
                        parts.push(format!("{} fixed", d.fixed.len()));
                    }
                    if parts.is_empty() {
                        "–".to_string()
                    } else {
                        parts.join(", ")
                    }
                }
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {:.1}% | {} |",
                r.entity_ref.replace('`', ""),
                md_escape(level),
                r.score,
                change
            );
            let new_set: BTreeSet<usize> = deltas[i]
                .as_ref()
                .map(|d| d.new_failures.iter().copied().collect())
                .unwrap_or_default();
            for c in r
                .checks
                .iter()
                .filter(|c| c.counted && c.outcome.is_failure())
            {
                let is_new = baseline.is_some() && new_set.contains(&c.check);
                fixes.entry((s, c.check)).or_default().push((
                    is_new,
                    format!(
                        "`{}`: {}",
                        r.entity_ref.replace('`', ""),
                        md_escape(&c.message)
                    ),
                ));
            }
        }
        if results.len() > MAX_ROWS {
            let _ = writeln!(out, "\n…and {} more.", results.len() - MAX_ROWS);
        }
        out.push('\n');
    }
    if !fixes.is_empty() {
        out.push_str("### What to fix\n\n");
        // Checks with new failures first, then by how many entities fail them.
        let mut order: Vec<_> = fixes.iter().collect();
        order.sort_by_key(|(k, v)| (!v.iter().any(|(n, _)| *n), std::cmp::Reverse(v.len()), **k));
        for ((s, c), entities) in order {
            let card = &scores.scorecards[*s];
            let check = &card.checks[*c];
            let new = entities.iter().filter(|(n, _)| *n).count();
            let _ = writeln!(
                out,
                "<details><summary>{}<b>{}</b> ({}, {}) — {} entit{}{}</summary>\n",
                if new > 0 { "🆕 " } else { "" },
                html_escape(&check.title),
                html_escape(&card.title),
                html_escape(&card.levels[check.level].name),
                entities.len(),
                if entities.len() == 1 { "y" } else { "ies" },
                if new > 0 && new < entities.len() {
                    format!(", {new} new")
                } else {
                    String::new()
                }
            );
            let mut listed: Vec<&(bool, String)> = entities.iter().collect();
            listed.sort_by_key(|(n, _)| !n);
            for (n, e) in listed.iter().take(20) {
                let _ = writeln!(out, "- {}{e}", if *n { "🆕 " } else { "" });
            }
            if entities.len() > 20 {
                let _ = writeln!(out, "- …and {} more", entities.len() - 20);
            }
            if let Some(rem) = &check.remediation {
                let _ = writeln!(out, "\n{}\n", rem.trim());
            }
            out.push_str("\n</details>\n\n");
            if out.len() > MAX_COMMENT {
                out.push_str("\n_The list is cut short to fit in a comment._\n");
                break;
            }
        }
    }
    let expired = scores.expired_waivers();
    if !expired.is_empty() {
        out.push_str("### Expired waivers\n\n");
        for w in expired {
            let _ = writeln!(
                out,
                "- `{}` / `{}` expired {}: {}",
                w.entity,
                w.check,
                w.expires,
                md_escape(&w.reason)
            );
        }
    }
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
