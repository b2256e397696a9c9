//! `portico build [PATH...] --out DIR`: validate (the same problems, report formats and exit
//! policy as `portico validate`), then write the site. Errors do not stop the site: the
//! entity is shown with its problems, and the exit code is 1 unless `--allow-errors`.

use crate::render::Theme;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
#[group(id = "build_args")]
pub struct Args {
    #[command(flatten)]
    pub check: super::validate::Args,
    /// Where to write the site (replaced as a whole at the end of the build).
    #[arg(long, short, default_value = "site")]
    pub out: PathBuf,
    /// A directory of templates and assets that override the default theme's by file name.
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
    /// Exit 0 even when the catalog has errors (the site is written either way).
    #[arg(long)]
    pub allow_errors: bool,
}

pub fn run(args: Args) -> ExitCode {
    let started = Instant::now();
    let session = match super::validate::prepare(&args.check) {
        Ok(s) => s,
        Err(code) => return super::exit(code),
    };
    let renderer = match (Theme { dir: args.theme }).load() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("portico: error: {e:#}");
            return super::exit(super::EXIT_USAGE);
        }
    };
    if let Err(e) = crate::check_replaceable(&args.out) {
        eprintln!("portico: error: {e:#}");
        return super::exit(super::EXIT_USAGE);
    }
    let checked = match super::validate::check(&session, crate::model::Retain::Everything) {
        Ok(c) => c,
        Err(code) => return super::exit(code),
    };
    let mut built = match crate::build_checked(checked, &session.config, &renderer, &args.out) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("portico: error: {e:#}");
            return super::exit(super::EXIT_USAGE);
        }
    };
    // Docs and scorecard problems are reported (and fail the build) like validation ones.
    let mut extra: Vec<_> = built
        .docs
        .problems
        .iter()
        .chain(&built.scores.problems)
        .cloned()
        .collect();
    session.config.apply_rule_levels(&mut extra);
    let catalog = &mut built.checked.catalog;
    catalog.problems.extend(extra);
    crate::diag::sort_problems(&mut catalog.problems);
    let code = super::validate::report_problems(
        &built.checked,
        session.format,
        session.strict,
        session.changed.as_ref(),
    );
    if let Some(note) = built.docs.skipped_message() {
        eprintln!("portico: note: {note}");
    }
    let doc_pages: usize = built.docs.sites.iter().map(|s| s.pages).sum();
    eprintln!(
        "portico: wrote {} ({} entities, {} doc pages) in {:.2}s",
        args.out.display(),
        built.checked.catalog.entities.len(),
        doc_pages,
        started.elapsed().as_secs_f64()
    );
    // The process ends here: freeing the catalog and the docs' records one by one kept one
    // core busy after the site was written (10 ms at 10,000 pages), for nothing.
    std::mem::forget(built);
    if code == super::EXIT_PROBLEMS && args.allow_errors {
        return super::exit(super::EXIT_OK);
    }
    super::exit(code)
}
