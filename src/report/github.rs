//! GitHub Actions: one workflow command per problem, which GitHub shows as an annotation on
//! the pull request's diff, and a Markdown table of every problem for the job's summary page
//! (GitHub shows only 10 annotations of each severity per step, so the table is where the
//! rest are seen).
//!
//! `::error file=F,line=L,endLine=L2,col=C,endColumn=C2,title=RULE::MESSAGE`. Following
//! GitHub's annotation API, columns are given only for a span on one line. Escaping is the
//! runner's: in the message `%`, CR and LF are percent-encoded; in properties also `:` and
//! `,`.

use super::{ci_path, summary_line, ReportInput};
use crate::diag::{Problem, Severity};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use std::io::{self, Write};

/// GitHub refuses a step summary over 1 MiB; the table stops short of it with a note.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024 - 16 * 1024;

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a workflow command's property value (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> io::Result<()> {
    for p in input.problems {
        write_command(out, p)?;
    }
    writeln!(out, "portico: {}", summary_line(&input.summary))
}

fn write_command(out: &mut dyn Write, p: &Problem) -> io::Result<()> {
    let command = match p.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let (start, end) = (p.span.start, p.span.end.max(p.span.start));
    write!(
        out,
        "::{command} file={},line={},endLine={}",
        escape_property(&ci_path(&p.file)),
        start.line,
        end.line
    )?;
    if start.line == end.line {
        write!(out, ",col={},endColumn={}", start.column, end.column)?;
    }
    let mut message = p.message.clone();
    if let Some(hint) = &p.hint {
        message.push_str("\nhint: ");
        message.push_str(hint);
    }
    writeln!(
        out,
        ",title={}::{}",
        escape_property(&p.rule),
        escape_data(&message)
    )
}

/// Characters to percent-encode in a path placed in a URL.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'(')
    .add(b')')
    .add(b'[')
    .add(b']')
    .add(b'|');

/// The blob URL base of the commit under check (`https://github.com/OWNER/REPO/blob/SHA/`),
/// from the variables GitHub Actions sets, so the table links each problem to its line.
pub(super) fn blob_base_from_env() -> Option<String> {
    let var = |n| std::env::var(n).ok().filter(|v| !v.is_empty());
    Some(format!(
        "{}/{}/blob/{}/",
        var("GITHUB_SERVER_URL")?.trim_end_matches('/'),
        var("GITHUB_REPOSITORY")?,
        var("GITHUB_SHA")?
    ))
}

/// Escapes text for a cell of a GitHub Markdown table: `|` and Markdown punctuation are
/// backslash-escaped, `&`, `<`, `>` become entities, line breaks become `<br>`.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Appends the job-summary Markdown: a heading with the outcome and a table of every problem
/// (each file cell linked to its line when `blob_base` is given and the path is relative).
/// Stops before `budget` bytes with a line saying how many rows were left out.
pub fn write_step_summary(
    out: &mut dyn Write,
    input: &ReportInput,
    blob_base: Option<&str>,
    budget: usize,
) -> io::Result<()> {
    let s = &input.summary;
    let icon = if s.errors > 0 {
        "❌"
    } else if s.warnings > 0 {
        "⚠️"
    } else {
        "✅"
    };
    // A blank line first: what an earlier command of the step wrote may not end a paragraph.
    let mut text = format!("\n### {icon} portico: {}\n\n", summary_line(s));
    if !input.problems.is_empty() {
        text.push_str("| Severity | Location | Rule | Message |\n| --- | --- | --- | --- |\n");
    }
    const FOOTER_RESERVE: usize = 512;
    let mut shown = 0;
    for p in input.problems {
        let path = ci_path(&p.file);
        let place = format!("{path}:{}:{}", p.span.start.line, p.span.start.column);
        let location = match blob_base {
            Some(base) if !path.starts_with('/') && !path.contains("../") => format!(
                "[{}]({base}{}#L{})",
                cell(&place),
                utf8_percent_encode(&path, PATH),
                p.span.start.line
            ),
            _ => cell(&place),
        };
        let mut message = cell(&p.message);
        if let Some(e) = &p.entity {
            message = format!("{message}<br>entity: {}", cell(e));
        }
        if let Some(h) = &p.hint {
            message = format!("{message}<br>hint: {}", cell(h));
        }
        let severity = match p.severity {
            Severity::Error => "**error**",
            Severity::Warning => "warning",
        };
        let row = format!(
            "| {severity} | {location} | {} | {message} |\n",
            cell(&p.rule)
        );
        if text.len() + row.len() + FOOTER_RESERVE > budget {
            break;
        }
        text.push_str(&row);
        shown += 1;
    }
    if shown < input.problems.len() {
        text.push_str(&format!(
            "\n{} more not shown: GitHub limits a step summary to 1 MiB. Run `portico validate --format json` to see every problem.\n",
            input.problems.len() - shown
        ));
    }
    if !input.problems.is_empty() {
        text.push('\n');
    }
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Pos, Span, Summary};

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(
            escape_property("100% a:b,c\r\nd"),
            "100%25 a%3Ab%2Cc%0D%0Ad"
        );
    }

    #[test]
    fn commands() {
        let problems = [
            Problem::error(
                "entity/schema",
                "./repos/a,b/catalog-info.yaml",
                Span::new(Pos::new(3, 5), Pos::new(3, 9)),
                "must be: string\nnot 50%",
            )
            .with_hint("quote it"),
            Problem::warning(
                "catalog/dangling-ref",
                "x.yaml",
                Span::new(Pos::new(2, 1), Pos::new(4, 2)),
                "no such entity",
            ),
        ];
        let input = ReportInput {
            problems: &problems,
            summary: Summary::count(2, 3, &problems),
            ..ReportInput::default()
        };
        let mut out = vec![];
        write(&mut out, &input).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::error file=repos/a%2Cb/catalog-info.yaml,line=3,endLine=3,col=5,endColumn=9,title=entity/schema::must be: string%0Anot 50%25%0Ahint: quote it\n\
             ::warning file=x.yaml,line=2,endLine=4,title=catalog/dangling-ref::no such entity\n\
             portico: 1 error, 1 warning in 2 files (3 entities)\n"
        );
    }

    #[test]
    fn table_cells() {
        assert_eq!(cell("a|b\r\nc\nd"), "a\\|b<br>c<br>d");
        assert_eq!(cell("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(cell("`x` *y* [z]"), "\\`x\\` \\*y\\* \\[z\\]");
    }

    #[test]
    fn summary_stops_at_budget() {
        let problems: Vec<Problem> = (1..=100)
            .map(|i| Problem::error("yaml/syntax", "a.yaml", Span::point(i, 1), "x".repeat(100)))
            .collect();
        let input = ReportInput {
            problems: &problems,
            summary: Summary::count(1, 0, &problems),
            ..ReportInput::default()
        };
        let mut out = vec![];
        write_step_summary(&mut out, &input, None, 4000).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.len() <= 4000);
        let rows = text
            .lines()
            .filter(|l| l.starts_with("| **error**"))
            .count();
        assert!(rows > 10 && rows < 100, "{rows}");
        assert!(
            text.contains(&format!("\n{} more not shown", 100 - rows)),
            "{text}"
        );
    }
}
