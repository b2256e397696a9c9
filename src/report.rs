//! Stage 9: problems → the formats people and CI systems read: human (rustc-like),
//! json (the contract in README), github (workflow commands + step summary), sarif 2.1.0,
//! junit, gitlab (Code Quality).
//!
//! Every format is a pure function of its input (plus, for `human`, the source lines it
//! quotes): identical problems give identical bytes. Problems arrive sorted
//! (`diag::sort_problems`); no format re-orders them.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use crate::diag::{Problem, Summary};
use std::io::{self, Write};

pub use github::{escape_data, escape_property, write_step_summary, STEP_SUMMARY_LIMIT};
pub use gitlab::fingerprint;
pub use human::write_with_sources;

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
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportInput<'a> {
    pub problems: &'a [Problem],
    pub summary: Summary,
    /// Every file checked (junit lists one testcase per file, passing ones too).
    pub files: &'a [String],
    /// Colour in human output.
    pub color: bool,
}

/// What a report reads from its surroundings besides its input: for `github`, the job summary
/// file and the blob URL base for links. `write` takes it from the environment; tests and
/// embedders pass their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// `$GITHUB_STEP_SUMMARY`: where `github` appends its Markdown table.
    pub step_summary: Option<std::path::PathBuf>,
    /// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/`: links in that table.
    pub blob_base: Option<String>,
}

impl Environment {
    pub fn from_env() -> Self {
        Environment {
            step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|p| !p.is_empty())
                .map(Into::into),
            blob_base: github::blob_base_from_env(),
        }
    }
}

/// Writes the report in `format` to `out`.
///
/// `github` also appends a Markdown table of every problem to the file named by the
/// environment variable `GITHUB_STEP_SUMMARY` when it is set (GitHub shows only 10
/// annotations of each kind per step); failing to write that file is reported on stderr and
/// does not fail the report.
pub fn write(out: &mut dyn Write, format: Format, input: &ReportInput) -> io::Result<()> {
    write_with(out, format, input, &Environment::from_env())
}

/// `write` with the surroundings given rather than read from the environment.
pub fn write_with(
    out: &mut dyn Write,
    format: Format,
    input: &ReportInput,
    env: &Environment,
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    match format {
        Format::Human => human::write(&mut out, input)?,
        Format::Json => json::write(&mut out, input)?,
        Format::Github => {
            github::write(&mut out, input)?;
            if let Some(path) = &env.step_summary {
                if let Err(e) = append_step_summary(path, input, env.blob_base.as_deref()) {
                    eprintln!(
                        "portico: could not append to GITHUB_STEP_SUMMARY ({}): {e}",
                        path.display()
                    );
                }
            }
        }
        Format::Sarif => sarif::write(&mut out, input)?,
        Format::Junit => junit::write(&mut out, input)?,
        Format::Gitlab => gitlab::write(&mut out, input)?,
    }
    out.flush()
}

fn append_step_summary(
    path: &std::path::Path,
    input: &ReportInput,
    blob_base: Option<&str>,
) -> io::Result<()> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    // The limit is per step: what earlier commands of the step wrote counts.
    let used = f.metadata()?.len() as usize;
    let budget = STEP_SUMMARY_LIMIT.saturating_sub(used);
    let mut f = io::BufWriter::new(f);
    write_step_summary(&mut f, input, blob_base, budget)?;
    f.flush()
}

/// Whether human output should be coloured: stdout is a terminal and `NO_COLOR` is not set,
/// or `CLICOLOR_FORCE` is set (the conventions of no-color.org and bixense.com/clicolors).
pub fn auto_color(is_terminal: bool) -> bool {
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if set("CLICOLOR_FORCE") {
        return true;
    }
    is_terminal && !set("NO_COLOR") && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// The path as CI systems want it: `/` separators and no leading `./`.
fn ci_path(file: &str) -> String {
    let mut p = file.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    p
}

/// `1 error`, `2 errors`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else if word == "entity" {
        format!("{n} entities")
    } else {
        format!("{n} {word}s")
    }
}

/// The one-line outcome shared by human, github and the step summary.
fn summary_line(s: &Summary) -> String {
    let scope = format!(
        "{} ({})",
        plural(s.files, "file"),
        plural(s.entities, "entity")
    );
    if s.errors == 0 && s.warnings == 0 {
        format!("no problems in {scope}")
    } else {
        format!(
            "{}, {} in {scope}",
            plural(s.errors, "error"),
            plural(s.warnings, "warning")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_paths_lose_dot_slash_and_backslashes() {
        assert_eq!(ci_path("./././a/b.yaml"), "a/b.yaml");
        assert_eq!(ci_path("a\\b.yaml"), "a/b.yaml");
        assert_eq!(ci_path("/abs/x.yaml"), "/abs/x.yaml");
    }

    #[test]
    fn summary_lines() {
        let s = Summary {
            files: 1,
            entities: 1,
            errors: 0,
            warnings: 0,
        };
        assert_eq!(summary_line(&s), "no problems in 1 file (1 entity)");
        let s = Summary {
            files: 3,
            entities: 0,
            errors: 1,
            warnings: 2,
        };
        assert_eq!(
            summary_line(&s),
            "1 error, 2 warnings in 3 files (0 entities)"
        );
    }
}
