//! `portico validate [PATH...]`, and the pieces `build` reuses: the shared check flags
//! ([`Args`]), [`prepare`] (paths, config, `--changed-since`), [`check`] and
//! [`report_problems`] (format, `--strict`, exit code).

use crate::diag::{Problem, Severity};
use crate::report::Format;
use crate::Checked;
use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The flags of `validate`; `build` and `serve` flatten the same ones.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Repositories, directories of repositories, or catalog files (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Output format [default: human, coloured on a terminal unless NO_COLOR is set].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Report only problems in files changed since this git ref (compared with its merge
    /// base with HEAD, plus staged, unstaged and untracked changes). The whole catalog is
    /// still loaded, so references resolve.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Config file [default: portico.yaml or portico.yml in the first PATH].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Everything needed to run a check, resolved from the flags.
pub struct Session {
    pub inputs: crate::discover::Inputs,
    pub config: crate::config::Config,
    /// Problems in the config file itself (reported with the rest).
    pub config_problems: Vec<Problem>,
    /// `--changed-since`: the files to report on.
    pub changed: Option<ChangedFiles>,
    pub format: Option<Format>,
    pub strict: bool,
}

/// Files changed since a git ref, as canonical paths.
#[derive(Debug, Clone, Default)]
pub struct ChangedFiles {
    paths: HashSet<PathBuf>,
}

impl ChangedFiles {
    /// Whether a file, named as problems name it (relative to the working directory or
    /// absolute), is among the changed ones.
    pub fn contains(&self, file: &str) -> bool {
        self.paths
            .contains(&crate::discover::canonical(Path::new(file)))
    }
}

/// Prints why the command cannot run and returns the exit code for it.
fn fail(message: &str) -> u8 {
    eprintln!("portico: error: {message}");
    super::EXIT_USAGE
}

/// Resolves the flags: default path, existence of every path (a missing or unreadable one
/// means the command cannot run: `Err(2)`), the config (`--config` or `portico.yaml` in the
/// first path) and `--changed-since`.
pub fn prepare(args: &Args) -> Result<Session, u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // Every input is looked at once, side by side: a shell glob or `git diff --name-only`
    // can name thousands. The first unusable one, in order, is told.
    let inputs = crate::discover::Inputs::look(paths);
    if let Some(e) = inputs.unusable() {
        return Err(fail(&e));
    }
    let paths = &inputs.paths;
    let (config, config_problems) = match &args.config {
        Some(file) => crate::config::load_file(file).map_err(|e| fail(&e))?,
        None => crate::config::load(&paths[0]),
    };
    let changed = match &args.changed_since {
        Some(rev) => Some(changed_files(paths, rev).map_err(|e| fail(&e))?),
        None => None,
    };
    Ok(Session {
        inputs,
        config,
        config_problems,
        changed,
        format: args.format,
        strict: args.strict,
    })
}

/// discover → parse → validate → model, with the config's own problems merged in. `Err`
/// (the exit code) when a file named as an input could not be read.
pub fn check(session: &Session, retain: crate::model::Retain) -> Result<Checked, u8> {
    let mut checked = crate::check_with(&session.inputs, &session.config, retain);
    if let Some(e) = &checked.unreadable_input {
        return Err(fail(e));
    }
    if !session.config_problems.is_empty() {
        checked
            .catalog
            .problems
            .extend(session.config_problems.iter().cloned());
        crate::diag::sort_problems(&mut checked.catalog.problems);
    }
    Ok(checked)
}

/// Files changed since `rev` in the repositories holding `paths`: the diff from the merge
/// base of `rev` and HEAD (or `rev` itself when there is none) to the working tree, index
/// and untracked files included. No network: `rev` must be known locally.
pub fn changed_files(paths: &[PathBuf], rev: &str) -> Result<ChangedFiles, String> {
    let mut changed = ChangedFiles::default();
    let mut seen_repos = HashSet::new();
    for path in paths {
        let repo = git2::Repository::discover(path).map_err(|e| {
            format!(
                "--changed-since: {} is not in a git repository: {}",
                crate::discover::display_path(path),
                e.message()
            )
        })?;
        let Some(workdir) = repo.workdir().map(crate::discover::canonical) else {
            return Err("--changed-since: the repository has no working tree".into());
        };
        if !seen_repos.insert(workdir.clone()) {
            continue;
        }
        let object = repo
            .revparse_single(rev)
            .map_err(|e| format!("--changed-since: unknown revision {rev:?}: {}", e.message()))?;
        let commit = object
            .peel_to_commit()
            .map_err(|e| format!("--changed-since: {rev:?} is not a commit: {}", e.message()))?;
        let base = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .and_then(|head| repo.merge_base(commit.id(), head.id()).ok())
            .and_then(|id| repo.find_commit(id).ok())
            .unwrap_or(commit);
        let tree = base.tree().map_err(|e| e.message().to_string())?;
        let mut opts = git2::DiffOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true);
        let diff = repo
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))
            .map_err(|e| format!("--changed-since: cannot diff: {}", e.message()))?;
        for delta in diff.deltas() {
            for file in [delta.old_file().path(), delta.new_file().path()]
                .into_iter()
                .flatten()
            {
                changed
                    .paths
                    .insert(crate::discover::canonical(&workdir.join(file)));
            }
        }
    }
    Ok(changed)
}

/// Reports the problems of a check on stdout in `format` (human by default, coloured on a
/// terminal unless `NO_COLOR` is set) and returns the exit code: 0 no errors, 1 errors
/// (warnings count as errors with `strict`, and are shown as errors). With `changed`, only
/// problems in those files are reported and counted.
pub fn report_problems(
    checked: &Checked,
    format: Option<Format>,
    strict: bool,
    changed: Option<&ChangedFiles>,
) -> u8 {
    let catalog = &checked.catalog;
    let mut cache: HashMap<&str, bool> = HashMap::new();
    let mut problems: Vec<Problem> = vec![];
    for p in &catalog.problems {
        let keep = match changed {
            None => true,
            Some(c) => *cache
                .entry(p.file.as_str())
                .or_insert_with(|| c.contains(&p.file)),
        };
        if keep {
            problems.push(p.clone());
        }
    }
    if strict {
        for p in &mut problems {
            p.severity = Severity::Error;
        }
    }
    let files: Vec<String> = catalog
        .sources
        .iter()
        .map(|s| s.display.clone())
        .filter(|f| changed.is_none_or(|c| c.contains(f)))
        .collect();
    let summary = crate::diag::Summary::count(catalog.files, catalog.entities.len(), &problems);
    let format = format.unwrap_or(Format::Human);
    let color = format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let input = crate::report::ReportInput {
        problems: &problems,
        summary,
        files: &files,
        color,
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = crate::report::write(&mut out, format, &input) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(&format!("cannot write the report: {e}"));
        }
    }
    if summary.errors > 0 {
        super::EXIT_PROBLEMS
    } else {
        super::EXIT_OK
    }
}

pub fn run(args: Args) -> ExitCode {
    let session = match prepare(&args) {
        Ok(s) => s,
        Err(code) => return super::exit(code),
    };
    // Reporting problems needs each entity's references, not its whole data.
    let checked = match check(&session, crate::model::Retain::References) {
        Ok(c) => c,
        Err(code) => return super::exit(code),
    };
    let code = report_problems(
        &checked,
        session.format,
        session.strict,
        session.changed.as_ref(),
    );
    // The process ends here: freeing every entity, tree and string one by one would cost
    // about a tenth of the run on a large catalog, for nothing.
    std::mem::forget(checked);
    super::exit(code)
}
