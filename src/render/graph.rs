//! Relations drawn as inline SVG at build time: a layered (Sugiyama-style) layout, left to
//! right. Layers come from longest paths after breaking cycles, the order inside a layer from
//! a few barycentre sweeps; nodes are links to entity pages, so the graph needs no JS.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

pub struct Node {
    pub label: String,
    /// Small caption above the label, e.g. the kind.
    pub caption: String,
    /// CSS class suffix (`k-component`).
    pub class: String,
    /// Link relative to the page (already prefixed with `root`).
    pub href: Option<String>,
    /// The entity the graph is about.
    pub focus: bool,
}

pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: String,
}

pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

const NODE_W: f64 = 188.0;
const NODE_H: f64 = 46.0;
const GAP_X: f64 = 120.0;
const GAP_Y: f64 = 16.0;
const PAD: f64 = 12.0;
/// More nodes than this in one layer are folded into a "+N more" node.
pub const MAX_PER_LAYER: usize = 30;

impl Graph {
    /// Layer of every node: longest path from a source, over the graph without back edges.
    fn layers(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let mut out: Vec<Vec<usize>> = vec![vec![]; n];
        for e in &self.edges {
            if e.from != e.to {
                out[e.from].push(e.to);
            }
        }
        // DFS from every node in order; edges to nodes on the stack are back edges.
        let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
        let mut dag: Vec<Vec<usize>> = vec![vec![]; n];
        let mut order = vec![];
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            state[start] = 1;
            while let Some(&mut (v, ref mut next)) = stack.last_mut() {
                if let Some(&w) = out[v].get(*next) {
                    *next += 1;
                    match state[w] {
                        0 => {
                            dag[v].push(w);
                            state[w] = 1;
                            stack.push((w, 0));
                        }
                        2 => dag[v].push(w),
                        _ => {} // back edge: ignored for layering
                    }
                } else {
                    state[v] = 2;
                    order.push(v);
                    stack.pop();
                }
            }
        }
        let mut layer = vec![0usize; n];
        for &v in order.iter().rev() {
            for &w in &dag[v] {
                layer[w] = layer[w].max(layer[v] + 1);
            }
        }
        layer
    }

    /// Renders the graph as an `<svg>` element. `title` names it for assistive technology.
    pub fn to_svg(&self, id: &str, title: &str) -> String {
        if self.nodes.is_empty() {
            return String::new();
        }
        let layer = self.layers();
        let depth = layer.iter().max().copied().unwrap_or(0) + 1;
        let mut rows: Vec<Vec<usize>> = vec![vec![]; depth];
        for (v, &l) in layer.iter().enumerate() {
            rows[l].push(v);
        }
        // Barycentre sweeps: order each layer by the mean position of its neighbours.
        let mut neighbours: Vec<Vec<usize>> = vec![vec![]; self.nodes.len()];
        for e in &self.edges {
            neighbours[e.from].push(e.to);
            neighbours[e.to].push(e.from);
        }
        let mut pos = vec![0f64; self.nodes.len()];
        let reindex = |rows: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
            for row in rows {
                for (k, &v) in row.iter().enumerate() {
                    pos[v] = k as f64 - row.len() as f64 / 2.0;
                }
            }
        };
        reindex(&rows, &mut pos);
        for sweep in 0..4 {
            let range: Vec<usize> = if sweep % 2 == 0 {
                (1..depth).collect()
            } else {
                (0..depth.saturating_sub(1)).rev().collect()
            };
            for l in range {
                let mut keyed: Vec<(f64, usize, usize)> = rows[l]
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| {
                        let adj: Vec<f64> = neighbours[v]
                            .iter()
                            .filter(|&&w| layer[w] != l)
                            .map(|&w| pos[w])
                            .collect();
                        let bary = if adj.is_empty() {
                            pos[v]
                        } else {
                            adj.iter().sum::<f64>() / adj.len() as f64
                        };
                        (bary, k, v)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                rows[l] = keyed.into_iter().map(|x| x.2).collect();
                reindex(&rows, &mut pos);
            }
        }
        // Fold long layers.
        let mut hidden: HashSet<usize> = HashSet::new();
        let mut more: BTreeMap<usize, usize> = BTreeMap::new();
        for (l, row) in rows.iter_mut().enumerate() {
            if row.len() > MAX_PER_LAYER {
                let rest = row.split_off(MAX_PER_LAYER - 1);
                more.insert(l, rest.len());
                hidden.extend(rest);
            }
        }
        let tallest = rows
            .iter()
            .enumerate()
            .map(|(l, r)| r.len() + usize::from(more.contains_key(&l)))
            .max()
            .unwrap_or(1);
        let height = PAD * 2.0 + tallest as f64 * (NODE_H + GAP_Y) - GAP_Y;
        let width = PAD * 2.0 + depth as f64 * (NODE_W + GAP_X) - GAP_X;
        let mut xy = vec![(0f64, 0f64); self.nodes.len()];
        for (l, row) in rows.iter().enumerate() {
            let count = row.len() + usize::from(more.contains_key(&l));
            let top = PAD + (height - 2.0 * PAD - (count as f64 * (NODE_H + GAP_Y) - GAP_Y)) / 2.0;
            for (k, &v) in row.iter().enumerate() {
                xy[v] = (
                    PAD + l as f64 * (NODE_W + GAP_X),
                    top + k as f64 * (NODE_H + GAP_Y),
                );
            }
        }

        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" aria-labelledby="{id}-title"><title id="{id}-title">{}</title>"#,
            esc(title)
        );
        let _ = write!(
            s,
            r#"<defs><marker id="{id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="graph-arrow"/></marker></defs>"#
        );
        let mut degree = vec![0usize; self.nodes.len()];
        for e in &self.edges {
            degree[e.from] += 1;
            degree[e.to] += 1;
        }
        // Edges first, under the nodes; labels after, above the edges.
        let mut labels = String::new();
        // Centre and half width of every label placed so far.
        let mut placed: Vec<(f64, f64, f64)> = vec![];
        for e in &self.edges {
            if hidden.contains(&e.from) || hidden.contains(&e.to) || e.from == e.to {
                continue;
            }
            let (fx, fy) = xy[e.from];
            let (tx, ty) = xy[e.to];
            let (x1, y1, x2, y2) = if fx <= tx {
                (fx + NODE_W, fy + NODE_H / 2.0, tx, ty + NODE_H / 2.0)
            } else {
                (fx, fy + NODE_H / 2.0, tx + NODE_W, ty + NODE_H / 2.0)
            };
            let dx = ((x2 - x1).abs() / 2.0).max(40.0) * if x2 >= x1 { 1.0 } else { -1.0 };
            let _ = write!(
                s,
                r#"<path class="graph-edge" d="M{},{} C{},{} {},{} {},{}" marker-end="url(#{id}-arrow)"/>"#,
                D(x1),
                D(y1),
                D(x1 + dx),
                D(y1),
                D(x2 - dx),
                D(y2),
                D(x2),
                D(y2)
            );
            // Labels sit away from the busier end, where edges fan out, and move along their
            // edge until they no longer cover a label already placed.
            let t = match degree[e.from].cmp(&degree[e.to]) {
                std::cmp::Ordering::Greater => 0.72,
                std::cmp::Ordering::Less => 0.28,
                std::cmp::Ordering::Equal => 0.5,
            };
            let half_w = text_width(&e.label, LABEL_CHAR_W) / 2.0 + 2.0;
            let at = |t: f64| bezier(t, (x1, y1), (x1 + dx, y1), (x2 - dx, y2), (x2, y2));
            let clashes = |(x, y): (f64, f64)| {
                placed
                    .iter()
                    .filter(|&&(px, py, pw): &&(f64, f64, f64)| {
                        (x - px).abs() < half_w + pw && (y - py).abs() < LABEL_H
                    })
                    .count()
            };
            let (lx, ly) = [0.0f64, 0.1, -0.1, 0.2, -0.2, 0.3, -0.3]
                .iter()
                .map(|d| (t + d).clamp(0.15f64, 0.85))
                .map(at)
                .min_by_key(|&p| clashes(p))
                .unwrap_or_else(|| at(t));
            placed.push((lx, ly, half_w));
            let _ = write!(
                labels,
                r#"<text class="graph-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                D(lx),
                D(ly + 3.5),
                esc(&e.label)
            );
        }
        s.push_str(&labels);
        for (v, node) in self.nodes.iter().enumerate() {
            if hidden.contains(&v) {
                continue;
            }
            let (x, y) = xy[v];
            let class = format!(
                "graph-node {}{}",
                node.class,
                if node.focus { " focus" } else { "" }
            );
            let inner = format!(
                r#"<rect x="{}" y="{}" width="{NODE_W}" height="{NODE_H}" rx="8"/><text class="graph-caption" x="{}" y="{}">{}</text><text class="graph-name" x="{}" y="{}">{}</text>"#,
                D(x),
                D(y),
                D(x + 12.0),
                D(y + 17.0),
                esc(&node.caption),
                D(x + 12.0),
                D(y + 35.0),
                esc(&fit(&node.label, NODE_W - 18.0)),
            );
            match &node.href {
                Some(href) if !node.focus => {
                    let _ = write!(
                        s,
                        r#"<a href="{}" class="{class}"><title>{}</title>{inner}</a>"#,
                        esc(href),
                        esc(&format!("{} {}", node.caption, node.label)),
                    );
                }
                _ => {
                    let _ = write!(s, r#"<g class="{class}">{inner}</g>"#);
                }
            }
        }
        for (&l, &count) in &more {
            let x = PAD + l as f64 * (NODE_W + GAP_X);
            let row = rows[l].len();
            let count_all = row + 1;
            let top =
                PAD + (height - 2.0 * PAD - (count_all as f64 * (NODE_H + GAP_Y) - GAP_Y)) / 2.0;
            let y = top + row as f64 * (NODE_H + GAP_Y);
            let _ = write!(
                s,
                r#"<g class="graph-node graph-more"><rect x="{}" y="{}" width="{NODE_W}" height="{NODE_H}" rx="8"/><text class="graph-name" x="{}" y="{}">+{count} more</text></g>"#,
                D(x),
                D(y),
                D(x + 12.0),
                D(y + 28.0)
            );
        }
        s.push_str("</svg>");
        s
    }
}

/// A coordinate written with one decimal (`12.5`), as `{:.1}` would, without the exact
/// decimal conversion of the float formatter (which was most of the time spent drawing graphs).
struct D(f64);

impl std::fmt::Display for D {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let t = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", t / 10, t % 10)
    }
}

/// The point at `t` of a cubic Bézier curve.
fn bezier(t: f64, p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), p3: (f64, f64)) -> (f64, f64) {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        a * p0.0 + b * p1.0 + c * p2.0 + d * p3.0,
        a * p0.1 + b * p1.1 + c * p2.1 + d * p3.1,
    )
}

/// Height of an edge label's box, and the average width of its characters (10.5 px text).
const LABEL_H: f64 = 12.0;
const LABEL_CHAR_W: f64 = 5.6;

/// Estimated width of `s` in the node name's font (13 px, semibold) scaled from an average
/// character width `avg`: narrow and wide letters counted as such, since SVG text does not wrap
/// or clip and the browser's measurements are not available at build time.
fn text_width(s: &str, avg: f64) -> f64 {
    s.chars()
        .map(|c| {
            avg * match c {
                'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.45,
                ' ' | 'f' | 't' | 'r' | '(' | ')' | '-' => 0.6,
                'm' | 'w' | 'M' | 'W' | '@' => 1.45,
                c if c.is_uppercase() => 1.2,
                c if c.is_ascii() => 1.0,
                // CJK and other wide scripts.
                _ => 1.7,
            }
        })
        .sum()
}

/// `s` cut with "…" to fit `max` pixels of a node's name.
fn fit(s: &str, max: f64) -> String {
    const NAME_CHAR_W: f64 = 8.9;
    if text_width(s, NAME_CHAR_W) <= max {
        return s.to_string();
    }
    let budget = max - text_width("…", NAME_CHAR_W);
    let mut out = String::new();
    let mut used = 0.0;
    for c in s.chars() {
        let w = text_width(c.encode_utf8(&mut [0; 4]), NAME_CHAR_W);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Escapes text for SVG/HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc_each(s, |part| out.push_str(part));
    out
}

/// Calls `f` with the pieces of `s` escaped for HTML text and attributes (`& < > " '`):
/// runs of plain text as they are, each special character as its entity.
pub fn esc_each(s: &str, f: impl FnMut(&str)) {
    escape_runs(s, true, f)
}

/// [`esc_each`] leaving `'` as it is: HTML text and double-quoted attributes, escaped as
/// pulldown-cmark escapes them (the docs pages' Markdown and highlighted code).
pub fn esc_text_each(s: &str, f: impl FnMut(&str)) {
    escape_runs(s, false, f)
}

fn escape_runs(s: &str, apostrophe: bool, mut f: impl FnMut(&str)) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' if apostrophe => "&#39;",
            _ => continue,
        };
        if last < i {
            f(&s[last..i]);
        }
        f(rep);
        last = i + 1;
    }
    if last < s.len() {
        f(&s[last..]);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn esc_escapes_the_five_html_characters_and_nothing_else() {
        assert_eq!(super::esc("a<b>&\"c'd/é"), "a&lt;b&gt;&amp;&quot;c&#39;d/é");
        assert_eq!(super::esc(""), "");
        assert_eq!(super::esc("<<"), "&lt;&lt;");
        assert_eq!(super::esc("plain"), "plain");
        // The text form leaves `'` alone, as pulldown-cmark does.
        let mut out = String::new();
        super::esc_text_each("a<b>&\"c'd/é", |p| out.push_str(p));
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c'd/é");
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis_to_fit_their_box() {
        assert_eq!(fit("Payment events", NODE_W - 18.0), "Payment events");
        let cut = fit("Fulfilment workflows database", NODE_W - 18.0);
        assert!(
            cut.ends_with('…') && cut.starts_with("Fulfilment workflows"),
            "{cut}"
        );
        assert!(text_width(&cut, 8.9) <= NODE_W - 18.0);
        // Wide letters take more room than narrow ones.
        assert!(text_width("WWWW", 1.0) > text_width("iiii", 1.0) * 2.0);
    }

    use super::*;

    fn node(label: &str) -> Node {
        Node {
            label: label.into(),
            caption: "Component".into(),
            class: "k-component".into(),
            href: Some(format!("../{label}/index.html")),
            focus: false,
        }
    }

    #[test]
    fn coordinates_have_one_decimal() {
        let shown: Vec<String> = [0.0, 12.04, 12.05, 7.96, -3.25, 1e6]
            .iter()
            .map(|&v| D(v).to_string())
            .collect();
        assert_eq!(shown, ["0.0", "12.0", "12.1", "8.0", "-3.3", "1000000.0"]);
    }

    #[test]
    fn layers_follow_edges_and_survive_cycles() {
        let g = Graph {
            nodes: vec![node("a"), node("b"), node("c")],
            edges: vec![
                Edge {
                    from: 0,
                    to: 1,
                    label: "x".into(),
                },
                Edge {
                    from: 1,
                    to: 2,
                    label: "y".into(),
                },
                Edge {
                    from: 2,
                    to: 0,
                    label: "z".into(),
                },
            ],
        };
        assert_eq!(g.layers(), vec![0, 1, 2]);
        let svg = g.to_svg("g", "t");
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<a href=").count(), 3);
        assert_eq!(svg.matches("class=\"graph-edge\"").count(), 3);
    }

    #[test]
    fn labels_of_edges_fanning_out_of_one_node_do_not_cover_each_other() {
        // Two sources, each with edges to the same four targets: the labels crowd near the
        // targets' side of the curves, where they would land on top of each other.
        let nodes: Vec<Node> = (0..6).map(|i| node(&format!("n{i}"))).collect();
        let mut edges = vec![];
        for from in 0..2 {
            for to in 2..6 {
                edges.push(Edge {
                    from,
                    to,
                    label: if to % 2 == 0 { "provides" } else { "consumes" }.into(),
                });
            }
        }
        let svg = Graph { nodes, edges }.to_svg("g", "t");
        let labels: Vec<(f64, f64, f64)> = svg
            .split("<text class=\"graph-label\" x=\"")
            .skip(1)
            .map(|rest| {
                let (x, rest) = rest.split_once("\" y=\"").unwrap();
                let (y, rest) = rest.split_once('"').unwrap();
                let text = &rest[rest.find('>').unwrap() + 1..rest.find('<').unwrap()];
                let half = text_width(text, LABEL_CHAR_W) / 2.0;
                (x.parse().unwrap(), y.parse().unwrap(), half)
            })
            .collect();
        assert_eq!(labels.len(), 8);
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                // Coordinates are written with one decimal: allow for rounding.
                let apart =
                    (a.0 - b.0).abs() >= a.2 + b.2 - 0.2 || (a.1 - b.1).abs() >= LABEL_H - 0.2;
                assert!(apart, "labels at {a:?} and {b:?} overlap");
            }
        }
    }

    #[test]
    fn text_is_escaped_and_long_layers_fold() {
        let mut nodes = vec![node("<hub>")];
        let mut edges = vec![];
        for i in 0..40 {
            nodes.push(node(&format!("n{i}")));
            edges.push(Edge {
                from: 0,
                to: i + 1,
                label: "owns".into(),
            });
        }
        let svg = Graph { nodes, edges }.to_svg("g", "a & b");
        assert!(svg.contains("&lt;hub&gt;"));
        assert!(svg.contains("a &amp; b"));
        assert!(svg.contains("+11 more"), "{svg}");
    }
}
