//! rustc-like output: the problem, where it is, the source line(s) with a line-number gutter
//! and carets under the span, a hint, and a summary line at the end.
//!
//! ```text
//! error[entity/schema]: spec.owner must be a string
//!   --> repos/billing/catalog-info.yaml:12:10
//!    |
//! 12 |   owner: [team-a]
//!    |          ^^^^^^^^
//!    |
//!    = hint: write the owner as `group:team-a`
//! ```
//!
//! Source lines are read from the file named by the problem (relative to the working
//! directory). A file that cannot be read, or a line past its end, only loses the excerpt.
//! Tabs show as four spaces, wide characters take two columns, control characters show as
//! U+FFFD, and a very long line is cut to a window around the span.

use super::{summary_line, ReportInput};
use crate::diag::{Problem, Severity};
use anstyle::{AnsiColor, Style};
use std::borrow::Cow;
use std::io::{self, Write};
use unicode_width::UnicodeWidthChar;

/// Longest part of a source line shown, in characters.
const WINDOW: usize = 120;
/// Characters kept before the span when a long line is cut.
const LEAD: usize = 40;
/// Spans over more lines than this show the first `MULTI_HEAD` lines, `...`, and the last.
const MULTI_MAX: u32 = 4;
const MULTI_HEAD: u32 = 2;
const TAB: &str = "    ";

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> io::Result<()> {
    write_with_sources(out, input, &mut |path| std::fs::read(path).ok())
}

/// Human output with source text from `load` (the file's bytes by the problem's `file`,
/// `None` when unavailable). Each file is loaded once per run of consecutive problems.
pub fn write_with_sources(
    out: &mut dyn Write,
    input: &ReportInput,
    load: &mut dyn FnMut(&str) -> Option<Vec<u8>>,
) -> io::Result<()> {
    let mut cache = SourceCache::default();
    let paint = Painter(input.color);
    for p in input.problems {
        let source = cache.get(&p.file, load);
        write_problem(out, p, source, paint)?;
        writeln!(out)?;
    }
    let s = &input.summary;
    let line = summary_line(s);
    let (style, line) = if s.errors > 0 {
        (severity_style(Severity::Error), line)
    } else if s.warnings > 0 {
        (severity_style(Severity::Warning), line)
    } else {
        (
            Style::new().bold().fg_color(Some(AnsiColor::Green.into())),
            format!("ok: {line}"),
        )
    };
    writeln!(out, "{}", paint.paint(style, &line))
}

/// The source of the file last asked for, split into lines.
#[derive(Default)]
pub struct SourceCache {
    file: Option<String>,
    source: Option<Source>,
}

impl SourceCache {
    fn get(
        &mut self,
        file: &str,
        load: &mut dyn FnMut(&str) -> Option<Vec<u8>>,
    ) -> Option<&Source> {
        if self.file.as_deref() != Some(file) {
            self.file = Some(file.to_string());
            self.source = load(file).map(Source::new);
        }
        self.source.as_ref()
    }
}

struct Source {
    text: Vec<u8>,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
}

impl Source {
    fn new(text: Vec<u8>) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        // A final newline does not start another line.
        if starts.len() > 1 && *starts.last().unwrap() == text.len() {
            starts.pop();
        }
        Source { text, starts }
    }

    /// Line `n` (1-based) without its line break, lossily decoded.
    fn line(&self, n: u32) -> Option<Cow<'_, str>> {
        let i = (n as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        let mut bytes = &self.text[start..end];
        bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        Some(String::from_utf8_lossy(bytes))
    }
}

#[derive(Clone, Copy)]
struct Painter(bool);

impl Painter {
    fn paint<'a>(self, style: Style, text: &'a str) -> Cow<'a, str> {
        if self.0 && !text.is_empty() {
            Cow::Owned(format!("{}{text}{}", style.render(), style.render_reset()))
        } else {
            Cow::Borrowed(text)
        }
    }
}

fn severity_style(s: Severity) -> Style {
    let color = match s {
        Severity::Error => AnsiColor::BrightRed,
        Severity::Warning => AnsiColor::BrightYellow,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

fn gutter_style() -> Style {
    Style::new()
        .bold()
        .fg_color(Some(AnsiColor::BrightBlue.into()))
}

/// One line of the excerpt: its number, its text, and what to underline (0-based character
/// columns, `start..end`; `start == end` puts one caret there).
struct Excerpt<'a> {
    number: u32,
    text: Cow<'a, str>,
    mark: Option<(usize, usize)>,
}

fn write_problem(
    out: &mut dyn Write,
    p: &Problem,
    source: Option<&Source>,
    paint: Painter,
) -> io::Result<()> {
    let sev = severity_style(p.severity);
    let gut = gutter_style();
    writeln!(
        out,
        "{}{}",
        paint.paint(sev, &format!("{}[{}]", p.severity, p.rule)),
        paint.paint(Style::new().bold(), &format!(": {}", p.message)),
    )?;
    let excerpt = source.map(|s| excerpt(s, p)).unwrap_or_default();
    let last_number = excerpt
        .iter()
        .map(|e| e.number)
        .max()
        .unwrap_or(p.span.start.line);
    let width = last_number.max(1).to_string().len();
    let pad = " ".repeat(width);
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        paint.paint(gut, "-->"),
        p.file,
        p.span.start.line,
        p.span.start.column
    )?;
    let bar = paint.paint(gut, "|");
    if !excerpt.is_empty() {
        writeln!(out, "{pad} {bar}")?;
        let mut previous: Option<u32> = None;
        for e in &excerpt {
            if previous.is_some_and(|n| e.number > n + 1) {
                writeln!(out, "{}", paint.paint(gut, "..."))?;
            }
            previous = Some(e.number);
            let (text, marks) = render_line(&e.text, e.mark);
            let number = format!("{:>width$} |", e.number);
            let number = paint.paint(gut, &number);
            if text.is_empty() {
                writeln!(out, "{number}")?;
            } else {
                writeln!(out, "{number} {text}")?;
            }
            if !marks.is_empty() {
                writeln!(out, "{pad} {bar} {}", paint.paint(sev, &marks))?;
            }
        }
    }
    if let Some(hint) = &p.hint {
        if !excerpt.is_empty() {
            writeln!(out, "{pad} {bar}")?;
        }
        let mut lines = hint.lines();
        let first = lines.next().unwrap_or("");
        writeln!(
            out,
            "{pad} {} {}: {first}",
            paint.paint(gut, "="),
            paint.paint(Style::new().bold(), "hint")
        )?;
        for more in lines {
            writeln!(out, "{pad}         {more}")?;
        }
    }
    Ok(())
}

/// The lines a problem's span covers, with what to underline on each.
fn excerpt<'a>(source: &'a Source, p: &Problem) -> Vec<Excerpt<'a>> {
    let start = p.span.start;
    let mut end = p.span.end;
    if end < start {
        end = start;
    }
    // A span ending at column 1 of a later line ends at the end of the line before it.
    let mut end_at_eol = false;
    if end.line > start.line && end.column <= 1 {
        end.line -= 1;
        end_at_eol = true;
    }
    let Some(first) = source.line(start.line) else {
        return vec![];
    };
    let col = |c: u32| (c.max(1) - 1) as usize;
    if end.line == start.line {
        let a = col(start.column);
        let b = if end_at_eol {
            first.chars().count()
        } else {
            col(end.column)
        };
        return vec![Excerpt {
            number: start.line,
            text: first,
            mark: Some((a, b.max(a))),
        }];
    }
    let mut numbers: Vec<u32> = (start.line..=end.line).collect();
    if numbers.len() as u32 > MULTI_MAX {
        let last = *numbers.last().unwrap();
        numbers.truncate(MULTI_HEAD as usize);
        numbers.push(last);
    }
    let mut lines = vec![];
    for n in numbers {
        let Some(text) = (if n == start.line {
            Some(first.clone())
        } else {
            source.line(n)
        }) else {
            break;
        };
        let len = text.chars().count();
        let indent = text.chars().take_while(|c| c.is_whitespace()).count();
        let mark = if n == start.line {
            (col(start.column), len)
        } else if n == end.line && !end_at_eol {
            (indent, col(end.column))
        } else {
            (indent, len)
        };
        let mark = (mark.0, mark.1.max(mark.0));
        lines.push(Excerpt {
            number: n,
            text,
            mark: Some(mark),
        });
    }
    lines
}

/// A source line as shown (tabs expanded, control characters replaced, cut to a window
/// around the mark) and the carets under it.
fn render_line(line: &str, mark: Option<(usize, usize)>) -> (String, String) {
    let len = line.chars().count();
    let (mut from, mut to) = (0, len);
    if len > WINDOW {
        from = mark.map_or(0, |(a, _)| a.min(len).saturating_sub(LEAD));
        to = (from + WINDOW).min(len);
        from = to.saturating_sub(WINDOW).min(from);
    }
    let mut text = String::new();
    let mut marks = String::new();
    let mut width = 0;
    if from > 0 {
        text.push_str("...");
        width += 3;
    }
    let (a, b) = mark.unwrap_or((usize::MAX, usize::MAX));
    let mut caret_at = None;
    let mut carets = 0;
    for (i, c) in line.chars().enumerate().skip(from).take(to - from) {
        if i == a {
            caret_at = Some(width);
        }
        let (shown, w): (Cow<str>, usize) = match c {
            '\t' => (TAB.into(), TAB.len()),
            '\u{feff}' => ("".into(), 0),
            c if c.is_control() => ("\u{fffd}".into(), 1),
            c => (c.to_string().into(), c.width().unwrap_or(0)),
        };
        text.push_str(&shown);
        if i >= a && i < b {
            if marks.len() < width {
                marks.push_str(&" ".repeat(width - marks.len()));
            }
            marks.push_str(&"^".repeat(w));
            carets += w;
        }
        width += w;
    }
    if to < len {
        text.push_str("...");
    }
    if mark.is_some() && carets == 0 {
        // An empty span, or one at or past the end of the line: one caret where it starts.
        let at = if a < from {
            0
        } else {
            caret_at.unwrap_or(width)
        };
        marks = format!("{}^", " ".repeat(at));
    }
    (text, marks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Span, Summary};

    fn p(span: Span) -> Problem {
        Problem::error("yaml/syntax", "f.yaml", span, "bad")
    }

    fn render(text: &str, problems: &[Problem]) -> String {
        let input = ReportInput {
            problems,
            summary: Summary::count(1, 0, problems),
            ..ReportInput::default()
        };
        let mut out = vec![];
        let text = text.as_bytes().to_vec();
        write_with_sources(&mut out, &input, &mut |_| Some(text.clone())).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn caret_under_span() {
        let out = render(
            "a: 1\nkind: Compnent\n",
            &[p(Span::new(Pos::new(2, 7), Pos::new(2, 15)))],
        );
        assert_eq!(
            out,
            "error[yaml/syntax]: bad\n --> f.yaml:2:7\n  |\n2 | kind: Compnent\n  |       ^^^^^^^^\n\n1 error, 0 warnings in 1 file (0 entities)\n"
        );
    }

    use crate::diag::Pos;

    #[test]
    fn tabs_and_wide_characters_move_the_caret() {
        let (text, marks) = render_line("\tname: 名前x", Some((7, 9)));
        assert_eq!(text, "    name: 名前x");
        assert_eq!(marks, "          ^^^^");
        let (_, marks) = render_line("名前: x", Some((4, 5)));
        assert_eq!(marks, "      ^");
    }

    #[test]
    fn empty_span_and_span_past_the_end() {
        assert_eq!(render_line("abc", Some((1, 1))).1, " ^");
        assert_eq!(render_line("abc", Some((3, 3))).1, "   ^");
        assert_eq!(render_line("abc", Some((9, 12))).1, "   ^");
        assert_eq!(render_line("", Some((0, 0))), (String::new(), "^".into()));
    }

    #[test]
    fn control_characters_and_bom() {
        let (text, marks) = render_line("\u{feff}a\u{1b}b", Some((2, 3)));
        assert_eq!(text, "a\u{fffd}b");
        assert_eq!(marks, " ^");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("{}XYZ{}", "a".repeat(5000), "b".repeat(5000));
        let (text, marks) = render_line(&line, Some((5000, 5003)));
        assert!(text.starts_with("...aaa"), "{text}");
        assert!(text.ends_with("bbb..."), "{text}");
        assert_eq!(text.chars().count(), WINDOW + 6);
        let caret = marks.find('^').unwrap();
        assert_eq!(&text[caret..caret + 3], "XYZ");
        assert_eq!(marks.trim(), "^^^");
    }

    #[test]
    fn multi_line_span() {
        let out = render(
            "spec:\n  owner:\n    - a\n    - b\n",
            &[p(Span::new(Pos::new(2, 3), Pos::new(4, 8)))],
        );
        assert!(
            out.contains(
                "2 |   owner:\n  |   ^^^^^^\n3 |     - a\n  |     ^^^\n4 |     - b\n  |     ^^^\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn span_ending_at_column_one_ends_on_the_line_before() {
        let out = render(
            "a: 1\nb: 2\n",
            &[p(Span::new(Pos::new(1, 1), Pos::new(2, 1)))],
        );
        assert!(out.contains("1 | a: 1\n  | ^^^^\n\n"), "{out}");
        assert!(!out.contains("2 |"), "{out}");
    }

    #[test]
    fn long_multi_line_span_is_elided() {
        let text: String = (1..=20).map(|i| format!("line{i}\n")).collect();
        let out = render(&text, &[p(Span::new(Pos::new(3, 1), Pos::new(12, 3)))]);
        assert!(out.contains(" 3 | line3\n"), "{out}");
        assert!(out.contains(" 4 | line4\n"), "{out}");
        assert!(out.contains("...\n12 | line12\n   | ^^\n"), "{out}");
        assert!(!out.contains("line5"), "{out}");
    }

    #[test]
    fn missing_file_or_line_loses_only_the_excerpt() {
        let problems = [p(Span::point(99, 1)).with_hint("fix it")];
        let out = render("a: 1\n", &problems);
        assert_eq!(
            out,
            "error[yaml/syntax]: bad\n  --> f.yaml:99:1\n   = hint: fix it\n\n1 error, 0 warnings in 1 file (0 entities)\n"
        );
        let input = ReportInput {
            problems: &problems,
            ..ReportInput::default()
        };
        let mut out = vec![];
        write_with_sources(&mut out, &input, &mut |_| None).unwrap();
        assert!(String::from_utf8(out)
            .unwrap()
            .starts_with("error[yaml/syntax]: bad\n  --> f.yaml:99:1\n   = hint: fix it\n"));
    }

    #[test]
    fn crlf_invalid_utf8_and_no_final_newline() {
        let source = Source::new(b"a: 1\r\nb: \xff\r\nc".to_vec());
        assert_eq!(source.line(1).unwrap(), "a: 1");
        assert_eq!(source.line(2).unwrap(), "b: \u{fffd}");
        assert_eq!(source.line(3).unwrap(), "c");
        assert!(source.line(4).is_none());
        assert!(source.line(0).is_none());
    }

    #[test]
    fn colour_only_when_asked() {
        let problems = [p(Span::point(1, 1))];
        let mut input = ReportInput {
            problems: &problems,
            ..ReportInput::default()
        };
        let mut plain = vec![];
        write_with_sources(&mut plain, &input, &mut |_| Some(b"x\n".to_vec())).unwrap();
        assert!(!plain.contains(&0x1b));
        input.color = true;
        let mut coloured = vec![];
        write_with_sources(&mut coloured, &input, &mut |_| Some(b"x\n".to_vec())).unwrap();
        let coloured = String::from_utf8(coloured).unwrap();
        assert!(coloured.contains("\u{1b}["), "{coloured}");
        assert!(coloured.contains("error[yaml/syntax]"), "{coloured}");
    }

    #[test]
    fn ok_line() {
        let out = render("", &[]);
        assert_eq!(out, "ok: no problems in 1 file (0 entities)\n");
    }
}
