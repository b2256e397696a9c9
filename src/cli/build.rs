//! `portico build [PATH...] --out DIR`: validate (same report and exit policy as
//! `portico validate`), then write the site. Errors do not stop the site: the entity is shown
//! with its problems, and the exit code is 1 unless `--allow-errors`.

use crate::render::Theme;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repositories, directories of repositories, or files (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Where to write the site (replaced as a whole at the end of the build).
    #[arg(long, short, default_value = "site")]
    pub out: PathBuf,
    /// A directory of templates and assets that override the default theme's by file name.
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
    /// Exit 0 even when the catalog has errors (the site is written either way).
    #[arg(long)]
    pub allow_errors: bool,
    /// Format of the problem report (human by default).
    #[arg(long, value_enum)]
    pub format: Option<crate::report::Format>,
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
    let (config, config_problems) = crate::config::load(&paths[0]);
    let theme = Theme { dir: args.theme };
    let started = Instant::now();
    let built = match crate::build(&paths, &config, &theme, &args.out) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("portico build: {e:#}");
            return super::exit(super::EXIT_USAGE);
        }
    };
    let mut problems = built.problems();
    problems.extend(config_problems);
    crate::diag::sort_problems(&mut problems);
    let summary = crate::diag::Summary::count(
        built.checked.catalog.files,
        built.checked.catalog.entities.len(),
        &problems,
    );
    let files: Vec<String> = vec![];
    let input = crate::report::ReportInput {
        problems: &problems,
        summary,
        files: &files,
        color: false,
    };
    let _ = crate::report::write(
        &mut std::io::stdout().lock(),
        args.format.unwrap_or(crate::report::Format::Human),
        &input,
    );
    eprintln!(
        "portico: wrote {} ({} entities, {} errors, {} warnings) in {:.2}s",
        args.out.display(),
        summary.entities,
        summary.errors,
        summary.warnings,
        started.elapsed().as_secs_f64()
    );
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    super::exit(if failed && !args.allow_errors {
        super::EXIT_PROBLEMS
    } else {
        super::EXIT_OK
    })
}
