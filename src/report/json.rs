//! The JSON contract (README): one object,
//! `{"problems": [{"file", "document", "line", "column", "end_line", "end_column", "severity",
//! "rule", "message", "entity", "hint"}...], "summary": {"files", "entities", "errors",
//! "warnings"}}`. Lines and columns are 1-based (columns count characters; `end_*` is the
//! position just after the span). `document`, `entity` and `hint` are `null` when unknown.
//! `hint` is an addition to the contract of issue 3; consumers must ignore fields they do not
//! know, and fields are only ever added.

use super::ReportInput;
use crate::diag::{Problem, Severity, Summary};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Report<'a> {
    problems: Vec<JsonProblem<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
pub(super) struct JsonProblem<'a> {
    file: &'a str,
    document: Option<usize>,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    severity: Severity,
    rule: &'a str,
    message: &'a str,
    entity: Option<&'a str>,
    hint: Option<&'a str>,
}

impl<'a> From<&'a Problem> for JsonProblem<'a> {
    fn from(p: &'a Problem) -> Self {
        JsonProblem {
            file: &p.file,
            document: p.document,
            line: p.span.start.line,
            column: p.span.start.column,
            end_line: p.span.end.line,
            end_column: p.span.end.column,
            severity: p.severity,
            rule: &p.rule,
            message: &p.message,
            entity: p.entity.as_deref(),
            hint: p.hint.as_deref(),
        }
    }
}

pub(super) fn write(out: &mut dyn Write, input: &ReportInput) -> io::Result<()> {
    let report = Report {
        problems: input.problems.iter().map(JsonProblem::from).collect(),
        summary: input.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
