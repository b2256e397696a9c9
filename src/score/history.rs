//! Score history: one JSON line per build day in the file `portico.yaml` names
//! (`history:`), kept by CI between builds (e.g. on the Pages branch). A rebuild on the same
//! day replaces that day's line, so the file stays one point per day and the output stays
//! deterministic. Scorecard pages draw it as an SVG line chart.

use super::Scores;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// One scorecard on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub entities: usize,
    pub average: f64,
    /// Entities at each level, by level name; `none` below the first.
    pub levels: BTreeMap<String, usize>,
}

/// One line of the history file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub date: String,
    pub scorecards: BTreeMap<String, Point>,
}

/// Most days kept (ten years of daily builds).
pub const MAX_ENTRIES: usize = 3650;

impl Entry {
    pub fn from_scores(scores: &Scores) -> Option<Entry> {
        let date = scores.today?.to_string();
        let mut cards = BTreeMap::new();
        for (s, card) in scores.scorecards.iter().enumerate() {
            let mut p = Point {
                entities: 0,
                average: 0.0,
                levels: BTreeMap::new(),
            };
            for l in &card.levels {
                p.levels.insert(l.name.clone(), 0);
            }
            p.levels.insert("none".into(), 0);
            for r in scores.for_scorecard(s) {
                p.entities += 1;
                p.average += r.score;
                let name = scores.level_name(r).unwrap_or("none").to_string();
                *p.levels.entry(name).or_default() += 1;
            }
            if p.entities > 0 {
                p.average = super::round1(p.average / p.entities as f64);
            }
            cards.insert(card.id.clone(), p);
        }
        Some(Entry {
            date,
            scorecards: cards,
        })
    }

    pub fn to_json(&self) -> Json {
        let cards: serde_json::Map<String, Json> = self
            .scorecards
            .iter()
            .map(|(id, p)| {
                (
                    id.clone(),
                    json!({"entities": p.entities, "average": p.average, "levels": p.levels}),
                )
            })
            .collect();
        json!({"date": self.date, "scorecards": cards})
    }

    pub fn from_json(v: &Json) -> Option<Entry> {
        let date = v.get("date")?.as_str()?.to_string();
        let mut scorecards = BTreeMap::new();
        for (id, p) in v.get("scorecards")?.as_object()? {
            let levels = p
                .get("levels")
                .and_then(Json::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_u64()? as usize)))
                        .collect()
                })
                .unwrap_or_default();
            scorecards.insert(
                id.clone(),
                Point {
                    entities: p.get("entities").and_then(Json::as_u64).unwrap_or(0) as usize,
                    average: p.get("average").and_then(Json::as_f64).unwrap_or(0.0),
                    levels,
                },
            );
        }
        Some(Entry { date, scorecards })
    }
}

/// Reads the history (missing file = empty; unreadable lines are skipped).
pub fn read(path: &Path) -> Vec<Entry> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return vec![];
    };
    parse(&text)
}

pub fn parse(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter_map(|v| Entry::from_json(&v))
        .collect();
    entries.sort_by(|a, b| a.date.cmp(&b.date));
    entries.dedup_by(|b, a| a.date == b.date);
    entries
}

/// Adds (or replaces) today's entry to `entries`, oldest first, at most [`MAX_ENTRIES`].
pub fn merge(mut entries: Vec<Entry>, today: Entry) -> Vec<Entry> {
    entries.retain(|e| e.date != today.date);
    entries.push(today);
    entries.sort_by(|a, b| a.date.cmp(&b.date));
    if entries.len() > MAX_ENTRIES {
        entries.drain(..entries.len() - MAX_ENTRIES);
    }
    entries
}

pub fn serialize(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        out.push_str(&e.to_json().to_string());
        out.push('\n');
    }
    out
}

/// Appends today's scores to the history file (written through a temporary file renamed
/// into place) and returns the whole history.
pub fn record(path: &Path, scores: &Scores) -> std::io::Result<Vec<Entry>> {
    let existing = read(path);
    let Some(today) = Entry::from_scores(scores) else {
        return Ok(existing);
    };
    let entries = merge(existing, today);
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, serialize(&entries).as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(entries)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The average score of one scorecard over time as an inline SVG line chart (0–100 %),
/// with a title and a description for screen readers. `None` with no data points.
pub fn chart_svg(entries: &[Entry], scorecard: &str, title: &str) -> Option<String> {
    let points: Vec<(&str, f64)> = entries
        .iter()
        .filter_map(|e| Some((e.date.as_str(), e.scorecards.get(scorecard)?.average)))
        .collect();
    if points.is_empty() {
        return None;
    }
    // A small viewBox, drawn at most ~1.4× its size (see scorecard.css), keeps the 13-unit axis text at
    // 12 px or more from a phone's 320 px wide card up to a desktop card.
    let (w, h) = (320.0, 160.0);
    let (left, right, top, bottom) = (40.0, 14.0, 14.0, 30.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let n = points.len();
    let x = |i: usize| {
        if n == 1 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + ph * (1.0 - v.clamp(0.0, 100.0) / 100.0);
    let first = points[0];
    let last = points[n - 1];
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="trend-title trend-desc" xmlns="http://www.w3.org/2000/svg"><title id="trend-title">{}</title><desc id="trend-desc">Average score from {:.1}% on {} to {:.1}% on {}, {} data point{}.</desc>"#,
        esc(title),
        first.1,
        first.0,
        last.1,
        last.0,
        n,
        if n == 1 { "" } else { "s" }
    );
    for v in [0.0, 50.0, 100.0] {
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end" font-size="13">{v}%</text>"#,
            w - right,
            left - 6.0,
            y(v) + 4.5,
            y = y(v)
        );
    }
    if n > 1 {
        let path: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline class="line" fill="none" points="{}"/>"#,
            path.join(" ")
        );
    }
    // One point alone is a clear marker with its value beside it; many points are small dots.
    let r = if n == 1 { 6 } else { 3 };
    for (i, (date, v)) in points.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="{r}"><title>{}: {:.1}%</title></circle>"#,
            x(i),
            y(*v),
            esc(date),
            v
        );
    }
    if n == 1 {
        // The label sits above the marker, or below it when the marker is near the top.
        let ly = if y(first.1) - 12.0 < top + 10.0 {
            y(first.1) + 22.0
        } else {
            y(first.1) - 12.0
        };
        let _ = write!(
            svg,
            r#"<text class="axis value" x="{:.1}" y="{ly:.1}" text-anchor="middle" font-size="13">{:.1}%</text><text class="axis" x="{:.1}" y="{}" text-anchor="middle" font-size="13">{}</text></svg>"#,
            x(0),
            first.1,
            x(0),
            h - 8.0,
            esc(first.0)
        );
    } else {
        let _ = write!(
            svg,
            r#"<text class="axis" x="{left}" y="{}" font-size="13">{}</text><text class="axis" x="{}" y="{}" text-anchor="end" font-size="13">{}</text></svg>"#,
            h - 8.0,
            esc(first.0),
            w - right,
            h - 8.0,
            esc(last.0)
        );
    }
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(date: &str, avg: f64) -> Entry {
        let mut cards = BTreeMap::new();
        cards.insert(
            "prod".to_string(),
            Point {
                entities: 2,
                average: avg,
                levels: BTreeMap::from([("Gold".to_string(), 1), ("none".to_string(), 1)]),
            },
        );
        Entry {
            date: date.into(),
            scorecards: cards,
        }
    }

    #[test]
    fn same_day_replaces_and_order_is_by_date() {
        let h = merge(
            vec![entry("2026-11-02", 50.0), entry("2026-11-01", 40.0)],
            entry("2026-11-02", 60.0),
        );
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].date, "2026-11-01");
        assert_eq!(h[1].scorecards["prod"].average, 60.0);
        let text = serialize(&h);
        assert_eq!(parse(&text), h);
    }

    #[test]
    fn garbage_lines_are_skipped() {
        let text = format!("not json\n{}\n", entry("2026-01-01", 1.0).to_json());
        assert_eq!(parse(&text).len(), 1);
    }

    #[test]
    fn chart_has_a_point_per_day_and_a_description() {
        let h = vec![entry("2026-11-01", 40.0), entry("2026-11-02", 60.0)];
        let svg = chart_svg(&h, "prod", "Trend").unwrap();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("from 40.0% on 2026-11-01 to 60.0% on 2026-11-02"));
        assert!(chart_svg(&h, "other", "x").is_none());
    }

    #[test]
    fn a_single_point_is_a_labelled_marker_not_a_dot() {
        let h = vec![entry("2026-11-01", 72.5)];
        let svg = chart_svg(&h, "prod", "Trend").unwrap();
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(svg.contains(r#"r="6""#), "{svg}");
        assert!(svg.contains(">72.5%</text>"), "{svg}");
        assert!(svg.contains(">2026-11-01</text>"), "{svg}");
        assert!(!svg.contains("<polyline"), "{svg}");
        // Axis text is 13 units in a viewBox no wider than 320, so it stays legible when scaled.
        assert!(svg.contains(r#"viewBox="0 0 320 160""#), "{svg}");
        assert!(svg.contains(r#"font-size="13""#), "{svg}");
    }
}
