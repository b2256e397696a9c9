//! Problems found anywhere in the pipeline, as values that carry a source span.
//!
//! Every stage returns its problems alongside its output instead of failing: one bad file
//! never hides the rest of the run. `report` prints them; the exit code is derived from them.

use serde::Serialize;
use std::fmt;

/// A position in a source file. `line` and `column` are 1-based; `column` counts characters
/// (Unicode scalar values), which is what editors and GitHub annotations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
}

/// A half-open range `start..end` in one file. A zero-width span points at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub const fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }
    pub const fn point(line: u32, column: u32) -> Self {
        Span {
            start: Pos::new(line, column),
            end: Pos::new(line, column),
        }
    }
    /// The span of the whole file's start, used when nothing more precise is known.
    pub const fn file_start() -> Self {
        Span::point(1, 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem at one place. `file` is the path as the user named it (relative to the
/// working directory when the input was relative), with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    /// 0-based index of the YAML document within the file, when the problem is in one.
    pub document: Option<usize>,
    pub span: Span,
    pub severity: Severity,
    /// Stable rule id, e.g. `schema/required`; listed in README and `rules::ALL`.
    pub rule: String,
    pub message: String,
    /// A suggestion shown under the message in human output.
    pub hint: Option<String>,
    /// `kind:namespace/name` of the entity the problem belongs to, when known.
    pub entity: Option<String>,
}

impl Problem {
    pub fn new(
        severity: Severity,
        rule: impl Into<String>,
        file: impl Into<String>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            document: None,
            span,
            severity,
            rule: rule.into(),
            message: message.into(),
            hint: None,
            entity: None,
        }
    }
    pub fn error(
        rule: impl Into<String>,
        file: impl Into<String>,
        span: Span,
        msg: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Error, rule, file, span, msg)
    }
    pub fn warning(
        rule: impl Into<String>,
        file: impl Into<String>,
        span: Span,
        msg: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, rule, file, span, msg)
    }
    pub fn in_document(mut self, document: usize) -> Self {
        self.document = Some(document);
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn with_entity(mut self, entity: impl Into<String>) -> Self {
        self.entity = Some(entity.into());
        self
    }

    /// The order problems are reported in: file, line, column, then the rest so that
    /// output is identical for identical input.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.file,
            self.span.start,
            self.document,
            self.span.end,
            self.severity,
            &self.rule,
            &self.message,
        )
    }
}

/// Sorts problems into report order and removes exact duplicates.
pub fn sort_problems(problems: &mut Vec<Problem>) {
    problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    problems.dedup();
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.file,
            self.span.start.line,
            self.span.start.column,
            self.severity,
            self.rule,
            self.message
        )
    }
}

/// Counts for the summary line and the JSON contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub entities: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn count(files: usize, entities: usize, problems: &[Problem]) -> Self {
        let errors = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        Summary {
            files,
            entities,
            errors,
            warnings: problems.len() - errors,
        }
    }
}
