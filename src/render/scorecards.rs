//! Scorecards in the site: `scorecards/index.html` (every scorecard), a page per scorecard
//! (level distribution, trend, checks, the entities × checks matrix), the scorecard section
//! of entity pages and the team rollup of group pages (context built here, drawn by
//! `scorecard_*.html`), `api/scorecards.json`, SVG badges
//! `badges/<namespace>/<kind>/<name>/<scorecard>.svg`, and the score history.

use super::{entity_path, markdown, segment, write_file, Link, Renderer, Site};
use crate::score::history::{self, Entry};
use crate::score::{report, EntityResult, Outcome, Scorecard};
use minijinja::{context, Value};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};
use std::io;
use std::path::Path;

/// Colours of levels that do not set one, lowest first (the last is used for the top).
const LEVEL_COLOURS: [&str; 5] = ["#a97142", "#8a8d91", "#b8860b", "#2b8a3e", "#3b5bdb"];
const NONE_COLOUR: &str = "#c92a2a";

/// A check message as HTML: escaped, with `code spans` (paired backticks) as `<code>`.
pub fn message_html(msg: &str) -> String {
    let esc = super::graph::esc(msg);
    if !esc.matches('`').count().is_multiple_of(2) {
        return esc;
    }
    let mut out = String::with_capacity(esc.len() + 16);
    for (i, part) in esc.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Site-relative URL of a scorecard's page.
pub fn url(card: &Scorecard) -> String {
    format!("scorecards/{}/index.html", segment(&card.id))
}

/// Site-relative URL of an entity's badge for a scorecard.
pub fn badge_url(entity: &crate::model::EntityRef, card: &Scorecard) -> String {
    format!("badges/{}/{}.svg", entity_path(entity), segment(&card.id))
}

fn level_colour(card: &Scorecard, level: Option<usize>) -> String {
    match level {
        None => NONE_COLOUR.to_string(),
        Some(l) => card.levels[l].color.clone().unwrap_or_else(|| {
            let n = card.levels.len();
            // Spread the palette so the top level is always the last colour.
            let i = if n <= 1 {
                LEVEL_COLOURS.len() - 1
            } else {
                l * (LEVEL_COLOURS.len() - 1) / (n - 1)
            };
            LEVEL_COLOURS[i.min(LEVEL_COLOURS.len() - 1)].to_string()
        }),
    }
}

fn pct(n: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        crate::score::round1(n as f64 * 100.0 / total as f64)
    }
}

#[derive(Serialize)]
struct LevelView {
    name: String,
    description: Option<String>,
    colour: String,
    count: usize,
    share: f64,
}

#[derive(Serialize, Default)]
struct Tally {
    pass: usize,
    fail: usize,
    warn: usize,
    exempt: usize,
    not_applicable: usize,
    error: usize,
}

impl Tally {
    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Warn => self.warn += 1,
            Outcome::Exempt => self.exempt += 1,
            Outcome::NotApplicable => self.not_applicable += 1,
            Outcome::Error => self.error += 1,
        }
    }
}

#[derive(Serialize)]
struct CheckView {
    id: String,
    title: String,
    description: Option<String>,
    level: String,
    category: String,
    /// `2`, `1.5`: as written, when not 1.
    weight: Option<String>,
    severity: &'static str,
    enforce_from: Option<String>,
    remediation_html: Option<String>,
    tally: Tally,
    /// Share of entities where it applies that pass it (exempt counts as pass).
    pass_rate: f64,
}

#[derive(Serialize)]
struct Cell {
    outcome: &'static str,
    /// Empty for passing cells (the page lists thousands of them).
    message: String,
}

#[derive(Serialize)]
struct MatrixRow {
    entity: Link,
    owner: Option<Link>,
    level: String,
    level_rank: i64,
    colour: String,
    score: f64,
    badge: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct CardSummary {
    id: String,
    title: String,
    description_html: Option<String>,
    url: String,
    entities: usize,
    average: f64,
    levels: Vec<LevelView>,
    below: LevelView,
}

fn summary(site: &Site, s: usize) -> CardSummary {
    let card = &site.scores.scorecards[s];
    let results: Vec<&EntityResult> = site.scores.for_scorecard(s).collect();
    let n = results.len();
    let mut counts = vec![0; card.levels.len()];
    let mut below = 0;
    let mut total = 0.0;
    for r in &results {
        match r.level {
            Some(l) => counts[l] += 1,
            None => below += 1,
        }
        total += r.score;
    }
    let (levels, below) = level_views(card, &counts, below, n);
    CardSummary {
        id: card.id.clone(),
        title: card.title.clone(),
        description_html: card.description.as_deref().map(markdown::to_html),
        url: url(card),
        entities: n,
        average: if n == 0 {
            0.0
        } else {
            crate::score::round1(total / n as f64)
        },
        levels,
        below,
    }
}

/// A level distribution as pages show it: each level with its count and share of the `n`
/// entities, and the row of those below the first level.
fn level_views(
    card: &Scorecard,
    counts: &[usize],
    below: usize,
    n: usize,
) -> (Vec<LevelView>, LevelView) {
    let levels = card
        .levels
        .iter()
        .enumerate()
        .map(|(l, lv)| LevelView {
            name: lv.name.clone(),
            description: lv.description.clone(),
            colour: level_colour(card, Some(l)),
            count: counts[l],
            share: pct(counts[l], n),
        })
        .collect();
    let below = LevelView {
        name: format!("Below {}", card.levels[0].name),
        description: None,
        colour: NONE_COLOUR.into(),
        count: below,
        share: pct(below, n),
    };
    (levels, below)
}

/// A file path as the site shows it: relative to the input root (where `portico.yaml` is),
/// not as the input was typed, so the same input built from anywhere gives the same bytes.
/// Paths outside the root are shown as they are.
fn site_file(root: &Path, file: &str) -> String {
    use crate::discover::{absolute_lexical, display_path};
    let root = absolute_lexical(root);
    match absolute_lexical(Path::new(file)).strip_prefix(&root) {
        Ok(rel) if !rel.as_os_str().is_empty() => display_path(rel),
        _ => file.to_string(),
    }
}

/// Writes the scorecard pages, `api/scorecards.json`, the badges and the history.
pub fn pages(site: &Site, renderer: &Renderer, out: &Path) -> io::Result<()> {
    let scores = site.scores;
    // History: today's point merged into the configured file, which is written back (CI
    // keeps it between builds) and copied into the site.
    let entries: Vec<Entry> = match crate::score::history_path(site.config) {
        Some(path) => match history::record(&path, scores) {
            Ok(entries) => entries,
            Err(e) => {
                eprintln!(
                    "portico: warning: cannot write the score history {}: {e}",
                    path.display()
                );
                let old = history::read(&path);
                match Entry::from_scores(scores) {
                    Some(today) => history::merge(old, today),
                    None => old,
                }
            }
        },
        None => vec![],
    };
    if !entries.is_empty() {
        write_file(
            out,
            "api/scorecard-history.jsonl",
            history::serialize(&entries).as_bytes(),
        )?;
    }
    // Compact, and serialised straight from the scores: with thousands of entities this is
    // the biggest file of the site. File paths as the site shows them.
    let show = |f: &str| site_file(&site.config.root, f);
    let report = report::JsonReport::new(scores).files(&show);
    let mut json = serde_json::to_vec(&report).map_err(io::Error::other)?;
    json.push(b'\n');
    write_file(out, "api/scorecards.json", &json)?;

    let summaries: Vec<CardSummary> = (0..scores.scorecards.len())
        .map(|s| summary(site, s))
        .collect();
    let rel = "scorecards/index.html";
    let base = site.base_ctx(rel, "scorecards");
    renderer.page(
        out,
        rel,
        "scorecards.html",
        context! {
            root => base.root,
            site => base.site,
            nav => base.nav,
            scorecards => summaries,
            today => scores.today.map(|d| d.to_string()),
            expired => expired_waivers(site),
        },
    )?;
    (0..scores.scorecards.len())
        .into_par_iter()
        .try_for_each(|s| card_page(site, renderer, out, s, &entries))?;
    scores
        .results
        .par_iter()
        .try_for_each(|r| badge(site, out, r))
}

#[derive(Serialize)]
struct ExpiredView {
    entity: Link,
    check: String,
    reason: String,
    expires: String,
    file: String,
    line: u32,
}

fn expired_waivers(site: &Site) -> Vec<ExpiredView> {
    site.scores
        .expired_waivers()
        .into_iter()
        .map(|w| ExpiredView {
            entity: site.link(&w.entity),
            check: w.check.clone(),
            reason: w.reason.clone(),
            expires: w.expires.to_string(),
            file: site_file(&site.config.root, &w.file),
            line: w.span.start.line,
        })
        .collect()
}

fn card_page(
    site: &Site,
    renderer: &Renderer,
    out: &Path,
    s: usize,
    entries: &[Entry],
) -> io::Result<()> {
    let card = &site.scores.scorecards[s];
    let results: Vec<&EntityResult> = site.scores.for_scorecard(s).collect();
    let mut tallies: Vec<Tally> = card.checks.iter().map(|_| Tally::default()).collect();
    let rows: Vec<MatrixRow> = results
        .iter()
        .map(|r| {
            let e = &site.catalog.entities[r.entity];
            for c in &r.checks {
                tallies[c.check].add(c.outcome);
            }
            MatrixRow {
                entity: site.link_to(r.entity),
                owner: site.rows[r.entity].owner.clone(),
                level: site.scores.level_name(r).unwrap_or("none").to_string(),
                level_rank: r.level.map_or(-1, |l| l as i64),
                colour: level_colour(card, r.level),
                score: r.score,
                badge: badge_url(&e.entity_ref, card),
                cells: r
                    .checks
                    .iter()
                    .map(|c| Cell {
                        outcome: c.outcome.as_str(),
                        message: if c.outcome == Outcome::Pass {
                            String::new()
                        } else {
                            c.message.clone()
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    let checks: Vec<CheckView> = card
        .checks
        .iter()
        .zip(tallies)
        .map(|(k, t)| {
            let applicable = t.pass + t.fail + t.warn + t.exempt + t.error;
            CheckView {
                id: k.id.clone(),
                title: k.title.clone(),
                description: k.description.clone(),
                level: card.levels[k.level].name.clone(),
                category: k.category.clone(),
                weight: (k.weight != 1.0).then(|| crate::score::rules::format_number(k.weight)),
                severity: k.severity.as_str(),
                enforce_from: k.enforce_from.map(|d| d.to_string()),
                remediation_html: k.remediation.as_deref().map(markdown::to_html),
                pass_rate: pct(t.pass + t.exempt, applicable),
                tally: t,
            }
        })
        .collect();
    let rel = url(card);
    let base = site.base_ctx(&rel, "scorecards");
    let trend = history::chart_svg(
        entries,
        &card.id,
        &format!("Average {} score over time", card.title),
    );
    renderer.page(
        out,
        &rel,
        "scorecard.html",
        context! {
            root => base.root,
            site => base.site,
            nav => base.nav,
            card => summary(site, s),
            file => site_file(&site.config.root, &card.file),
            checks => checks,
            rows => rows,
            trend => trend.map(Value::from_safe_string),
            history_points => entries.iter().filter(|e| e.scorecards.contains_key(&card.id)).count(),
            history_configured => site.config.history.is_some(),
            today => site.scores.today.map(|d| d.to_string()),
        },
    )
}

/// A shields-style badge: `<scorecard title> | <level>`, in the level's colour.
pub fn badge_svg(label: &str, value: &str, colour: &str) -> String {
    // Approximate text widths (Verdana 11px averages ~6.5px per character).
    let w = |s: &str| (s.chars().count() as f64 * 6.5 + 12.0).round();
    let (lw, vw) = (w(label), w(value));
    let total = lw + vw;
    let esc = super::graph::esc;
    let colour = if colour.starts_with('#')
        && colour.len() == 7
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit())
    {
        colour
    } else {
        NONE_COLOUR
    };
    format!(
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{label}: {value}">"##,
            r##"<title>{label}: {value}</title>"##,
            r##"<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>"##,
            r##"<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>"##,
            r##"<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{colour}"/><rect width="{total}" height="20" fill="url(#s)"/></g>"##,
            r##"<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">"##,
            r##"<text x="{lx}" y="15" fill="#010101" fill-opacity=".3">{label}</text><text x="{lx}" y="14">{label}</text>"##,
            r##"<text x="{vx}" y="15" fill="#010101" fill-opacity=".3">{value}</text><text x="{vx}" y="14">{value}</text>"##,
            r##"</g></svg>"##,
            "\n"
        ),
        total = total,
        lw = lw,
        vw = vw,
        lx = lw / 2.0,
        vx = lw + vw / 2.0,
        label = esc(label),
        value = esc(value),
        colour = colour,
    )
}

fn badge(site: &Site, out: &Path, r: &EntityResult) -> io::Result<()> {
    let card = &site.scores.scorecards[r.scorecard];
    let e = &site.catalog.entities[r.entity];
    let value = match site.scores.level_name(r) {
        Some(l) => l.to_string(),
        None => "none".to_string(),
    };
    let svg = badge_svg(&card.title, &value, &level_colour(card, r.level));
    write_file(out, &badge_url(&e.entity_ref, card), svg.as_bytes())
}

#[derive(Serialize)]
struct EntityCheck {
    id: String,
    title: String,
    level: String,
    category: String,
    severity: &'static str,
    outcome: &'static str,
    message_html: String,
    remediation_html: Option<String>,
    enforce_from: Option<String>,
}

#[derive(Serialize)]
struct EntityCard {
    id: String,
    title: String,
    url: String,
    level: String,
    colour: String,
    /// The next level and what it takes, when not at the top.
    next: Option<String>,
    score: f64,
    badge: String,
    /// With `site.url`: Markdown that shows the badge in a README and links to this card.
    badge_markdown: Option<String>,
    /// Fail, error, warn, then exempt.
    attention: Vec<EntityCheck>,
    /// Pass, then not applicable.
    passed: Vec<EntityCheck>,
    unmet: usize,
}

fn outcome_order(o: Outcome) -> u8 {
    match o {
        Outcome::Fail => 0,
        Outcome::Error => 1,
        Outcome::Warn => 2,
        Outcome::Exempt => 3,
        Outcome::Pass => 4,
        Outcome::NotApplicable => 5,
    }
}

/// The scorecard section of an entity page: each scorecard that applies, with its level
/// badge and every check with its outcome and (when unmet) its remediation.
pub fn entity_view(site: &Site, i: usize) -> Vec<Value> {
    let e = &site.catalog.entities[i];
    site.scores
        .for_entity(i)
        .iter()
        .map(|r| {
            let card = &site.scores.scorecards[r.scorecard];
            let mut checks: Vec<(u8, usize, EntityCheck)> = r
                .checks
                .iter()
                .map(|c| {
                    let k = &card.checks[c.check];
                    let unmet = !matches!(c.outcome, Outcome::Pass | Outcome::NotApplicable);
                    (
                        outcome_order(c.outcome),
                        c.check,
                        EntityCheck {
                            id: k.id.clone(),
                            title: k.title.clone(),
                            level: card.levels[k.level].name.clone(),
                            category: k.category.clone(),
                            severity: k.severity.as_str(),
                            outcome: c.outcome.as_str(),
                            message_html: message_html(&c.message),
                            remediation_html: if unmet {
                                k.remediation.as_deref().map(markdown::to_html)
                            } else {
                                None
                            },
                            enforce_from: k.enforce_from.map(|d| d.to_string()),
                        },
                    )
                })
                .collect();
            checks.sort_by_key(|(o, c, _)| (*o, *c));
            let (attention, passed): (Vec<_>, Vec<_>) =
                checks.into_iter().partition(|(o, _, _)| *o <= 3);
            let unmet = r
                .checks
                .iter()
                .filter(|c| c.counted && c.outcome.is_failure())
                .count();
            let next_level = r.level.map_or(0, |l| l + 1);
            let next = card.levels.get(next_level).map(|l| {
                let blocking = r
                    .checks
                    .iter()
                    .filter(|c| {
                        c.counted
                            && c.outcome.is_failure()
                            && card.checks[c.check].level <= next_level
                    })
                    .count();
                format!(
                    "{} unmet check{} to reach {}",
                    blocking,
                    if blocking == 1 { "" } else { "s" },
                    l.name
                )
            });
            Value::from_serialize(EntityCard {
                id: card.id.clone(),
                title: card.title.clone(),
                url: url(card),
                level: site.scores.level_name(r).unwrap_or("none").to_string(),
                colour: level_colour(card, r.level),
                next,
                score: r.score,
                badge: badge_url(&e.entity_ref, card),
                badge_markdown: site.config.site.url.as_deref().map(|base| {
                    format!(
                        "[![{}]({base}{})]({base}{}#scorecard-{})",
                        card.title.replace(['[', ']'], ""),
                        badge_url(&e.entity_ref, card),
                        super::entity_url(&e.entity_ref),
                        card.id
                    )
                }),
                attention: attention.into_iter().map(|(_, _, c)| c).collect(),
                passed: passed.into_iter().map(|(_, _, c)| c).collect(),
                unmet,
            })
        })
        .collect()
}

#[derive(Serialize)]
struct WorstCheck {
    title: String,
    level: String,
    failing: usize,
    share: f64,
}

#[derive(Serialize)]
struct TeamRollup {
    id: String,
    title: String,
    url: String,
    entities: usize,
    average: f64,
    levels: Vec<LevelView>,
    below: LevelView,
    worst: Vec<WorstCheck>,
    members: Vec<TeamEntity>,
}

#[derive(Serialize)]
struct TeamEntity {
    entity: Link,
    level: String,
    colour: String,
    score: f64,
}

/// Entities a group owns directly and through its sub-teams (each once), sorted.
pub fn owned_by_team(site: &Site, group: usize) -> Vec<usize> {
    let c = site.catalog;
    let mut owned = BTreeSet::new();
    let mut seen = BTreeSet::from([group]);
    let mut queue = VecDeque::from([group]);
    while let Some(g) = queue.pop_front() {
        owned.extend(c.related(g, "ownerOf").filter_map(|r| r.resolved));
        for child in c.related(g, "parentOf").filter_map(|r| r.resolved) {
            if seen.insert(child) {
                queue.push_back(child);
            }
        }
    }
    owned.into_iter().collect()
}

/// The rollup of a group page: per scorecard, the share of the team's entities at each
/// level, the checks failing most, and each entity's level.
pub fn team_view(site: &Site, group: usize) -> Vec<Value> {
    let owned = owned_by_team(site, group);
    site.scores
        .rollup(&owned)
        .into_iter()
        .map(|roll| {
            let card = &site.scores.scorecards[roll.scorecard];
            let members = owned
                .iter()
                .filter_map(|&e| {
                    site.scores
                        .for_entity(e)
                        .iter()
                        .find(|r| r.scorecard == roll.scorecard)
                })
                .map(|r| TeamEntity {
                    entity: site.link_to(r.entity),
                    level: site.scores.level_name(r).unwrap_or("none").to_string(),
                    colour: level_colour(card, r.level),
                    score: r.score,
                })
                .collect();
            let (levels, below) = level_views(card, &roll.levels, roll.below, roll.entities);
            Value::from_serialize(TeamRollup {
                id: card.id.clone(),
                title: card.title.clone(),
                url: url(card),
                entities: roll.entities,
                average: roll.average,
                levels,
                below,
                worst: roll
                    .worst
                    .iter()
                    .take(5)
                    .map(|&(c, n)| WorstCheck {
                        title: card.checks[c].title.clone(),
                        level: card.levels[card.checks[c].level].name.clone(),
                        failing: n,
                        share: pct(n, roll.entities),
                    })
                    .collect(),
                members,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_code_spans_and_nothing_else() {
        assert_eq!(
            message_html("`spec.owner` is <b>\"x\"</b>"),
            "<code>spec.owner</code> is &lt;b&gt;&quot;x&quot;&lt;/b&gt;"
        );
        assert_eq!(message_html("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn badge_escapes_and_sizes() {
        let svg = badge_svg("Prod <ready>", "Gold", "#b8860b");
        assert!(svg.contains("aria-label=\"Prod &lt;ready&gt;: Gold\""));
        assert!(svg.contains("fill=\"#b8860b\""));
        // A colour that is not #rrggbb is not written into the SVG.
        let svg = badge_svg("x", "y", "red\"/><script>");
        assert!(!svg.contains("script"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }

    #[test]
    fn default_level_colours_end_at_the_top_colour() {
        let card = |n: usize| Scorecard {
            id: "x".into(),
            title: "X".into(),
            description: None,
            applies_to: Default::default(),
            levels: (0..n)
                .map(|i| crate::score::scorecard::Level {
                    name: format!("L{i}"),
                    description: None,
                    color: None,
                })
                .collect(),
            checks: vec![],
            file: "x".into(),
            span: Default::default(),
        };
        assert_eq!(level_colour(&card(3), Some(2)), LEVEL_COLOURS[4]);
        assert_eq!(level_colour(&card(3), Some(0)), LEVEL_COLOURS[0]);
        assert_eq!(level_colour(&card(1), Some(0)), LEVEL_COLOURS[4]);
        assert_eq!(level_colour(&card(3), None), NONE_COLOUR);
    }
}
