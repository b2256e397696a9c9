//! JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI):
//! one `<testsuite>`, one `<testcase>` per checked file (passing files too), one `<failure>`
//! per error in it. Warnings do not fail a file: they are listed in the testcase's
//! `<system-out>`. A problem in a file outside `files` (portico.yaml, a missing Location
//! target) gets a testcase of its own. No timings: same input, same bytes.

use super::{ci_path, ReportInput};
use crate::diag::{Problem, Severity};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Escapes text for XML content or a double-quoted attribute. Characters XML 1.0 cannot
/// carry at all (most C0 controls, U+FFFE, U+FFFF) become U+FFFD.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// As `escape`, and line breaks and tabs as character references so that attribute values
/// keep them (a parser normalises literal ones to spaces).
fn escape_attr(s: &str) -> String {
    escape(s)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

fn describe(p: &Problem) -> String {
    let mut text = format!(
        "{}:{}:{}: {}[{}]: {}",
        ci_path(&p.file),
        p.span.start.line,
        p.span.start.column,
        p.severity,
        p.rule,
        p.message
    );
    if let Some(e) = &p.entity {
        text.push_str(&format!("\n  entity: {e}"));
    }
    if let Some(h) = &p.hint {
        text.push_str(&format!("\n  hint: {h}"));
    }
    text
}

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> io::Result<()> {
    let mut cases: BTreeMap<String, Vec<&Problem>> = BTreeMap::new();
    for f in input.files {
        cases.entry(ci_path(f)).or_default();
    }
    for p in input.problems {
        cases.entry(ci_path(&p.file)).or_default().push(p);
    }
    let failed = cases
        .values()
        .filter(|ps| ps.iter().any(|p| p.severity == Severity::Error))
        .count();
    let counts = format!(
        "tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\"",
        cases.len()
    );
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="portico" {counts}>"#)?;
    writeln!(out, r#"  <testsuite name="portico validate" {counts}>"#)?;
    for (file, problems) in &cases {
        let name = escape_attr(file);
        if problems.is_empty() {
            writeln!(out, r#"    <testcase name="{name}" classname="portico"/>"#)?;
            continue;
        }
        writeln!(out, r#"    <testcase name="{name}" classname="portico">"#)?;
        for p in problems.iter().filter(|p| p.severity == Severity::Error) {
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape_attr(&p.rule),
                escape_attr(&format!(
                    "{}:{}: {}",
                    p.span.start.line, p.span.start.column, p.message
                )),
                escape(&describe(p))
            )?;
        }
        let warnings: Vec<String> = problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .map(|p| escape(&describe(p)))
            .collect();
        if !warnings.is_empty() {
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                warnings.join("\n")
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{0}\u{1b}y\n"), "x\u{fffd}\u{fffd}y\n");
        assert_eq!(escape_attr("a\nb\tc"), "a&#10;b&#9;c");
    }
}
