//! Stage 9: problems → the formats people and CI systems read: human (rustc-like),
//! json (the contract in README), github (workflow commands + step summary), sarif 2.1.0,
//! junit, gitlab (Code Quality).

use crate::diag::{Problem, Summary};
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
    Junit,
    Gitlab,
}

/// What a report needs besides the problems.
pub struct ReportInput<'a> {
    pub problems: &'a [Problem],
    pub summary: Summary,
    /// Every file checked (junit lists one testcase per file, passing ones too).
    pub files: &'a [String],
    /// Colour in human output.
    pub color: bool,
}

/// Writes the report. Stub until reports land: one line per problem.
pub fn write(out: &mut dyn Write, _format: Format, input: &ReportInput) -> io::Result<()> {
    for p in input.problems {
        writeln!(out, "{p}")?;
    }
    Ok(())
}
