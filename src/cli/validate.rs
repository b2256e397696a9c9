//! `portico validate [PATH...]`

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repositories, directories of repositories, or files (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Output format (human on a terminal, else human without colour).
    #[arg(long, value_enum)]
    pub format: Option<crate::report::Format>,
    /// Report only problems in files changed since this git ref (the whole catalog is still
    /// loaded so references resolve).
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Config file (default: portico.yaml in the first PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let root = paths[0].clone();
    let (config, mut config_problems) = crate::config::load(&root);
    let mut checked = crate::check(&paths, &config);
    checked.catalog.problems.append(&mut config_problems);
    crate::diag::sort_problems(&mut checked.catalog.problems);
    let summary = checked.summary();
    let files: Vec<String> = vec![];
    let input = crate::report::ReportInput {
        problems: &checked.catalog.problems,
        summary,
        files: &files,
        color: false,
    };
    let _ = crate::report::write(
        &mut std::io::stdout().lock(),
        args.format.unwrap_or(crate::report::Format::Human),
        &input,
    );
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    super::exit(if failed {
        super::EXIT_PROBLEMS
    } else {
        super::EXIT_OK
    })
}
