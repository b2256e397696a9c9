//! Stage 1: inputs (repositories, directories of repositories, files) → catalog files to
//! read, grouped by the repository they belong to.
//!
//! A parallel walk with `ignore` (.gitignore honoured, hidden directories not skipped, `.git`
//! and `node_modules` never entered), plus files named on the command line and the `include`
//! globs of `portico.yaml`. `kind: Location` targets are followed later by
//! [`follow_locations`], once the files are parsed and validated.
//!
//! Repositories: a catalog file belongs to the nearest directory holding `.git`, searched
//! from the file upwards but never above the input directory. When there is none, the input
//! directory is the repository, except for a *directory of repositories*: an input without
//! `.git` and without a catalog file of its own, where each top-level subdirectory is taken
//! as one repository. A file named on the command line belongs to the nearest ancestor
//! holding `.git`, else to its own directory.

use crate::config::Config;
use crate::diag::{Problem, Severity, Span};
use crate::model::{Entity, ValidatedFile};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// File names discovered anywhere under an input directory.
pub const CATALOG_FILE_NAMES: [&str; 2] = ["catalog-info.yaml", "catalog-info.yml"];

/// Directories never entered, whatever the ignore files say.
pub const SKIPPED_DIRS: [&str; 2] = [".git", "node_modules"];

/// A catalog file to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceFile {
    /// Where to read it.
    pub path: PathBuf,
    /// How to show it: as the user named it (relative to the working directory when the input
    /// was relative), `/`-separated, no leading `./`. Problems use this.
    pub display: String,
    /// The repository it belongs to: the nearest ancestor holding `.git`, else the input
    /// directory it was found under. `$text` placeholders may not leave it.
    pub repo: PathBuf,
}

impl SourceFile {
    /// The directory holding the file (`.` for a bare file name).
    pub fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    /// The file's path relative to its repository, `/`-separated (for edit links, scorecard
    /// file checks). Falls back to the display path when it cannot be made relative.
    pub fn repo_relative(&self) -> String {
        let file = absolute_lexical(&self.path);
        let repo = absolute_lexical(&self.repo);
        match file.strip_prefix(&repo) {
            Ok(rel) => display_path(rel),
            Err(_) => self.display.clone(),
        }
    }
}

impl SourceFile {
    /// How the site shows the file: `<repository directory name>/<repo-relative path>`
    /// (e.g. `payments-api/catalog-info.yaml`), independent of how the input was typed.
    pub fn site_path(&self) -> String {
        match absolute_lexical(&self.repo).file_name() {
            Some(name) => format!("{}/{}", name.to_string_lossy(), self.repo_relative()),
            None => self.repo_relative(),
        }
    }
}

/// The output of discovery: every file once, sorted by `display` (deterministic order).
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub files: Vec<SourceFile>,
    pub problems: Vec<Problem>,
    /// The identity of every file, as [`canonical`] gives it (the set `kind: Location`
    /// targets are checked against).
    pub canonical: HashSet<PathBuf>,
}

/// The inputs of a run (repositories, directories, files), each looked at once: one `lstat`,
/// and a `stat` through a symbolic link, side by side (`portico validate $(git diff
/// --name-only …)` can name thousands). What an input is decides how [`discover`] reads it,
/// and whether the command can run at all ([`Inputs::unusable`]).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub paths: Vec<PathBuf>,
    kinds: Vec<InputKind>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum InputKind {
    Dir,
    /// A regular file; `link`: named through a symbolic link.
    File {
        link: bool,
    },
    /// It does not exist: the error.
    Missing(String),
    /// Neither a regular file nor a directory (a socket, a device).
    Special,
    /// It could not be looked at: the error.
    Failed(String),
}

impl Inputs {
    pub fn look(paths: Vec<PathBuf>) -> Inputs {
        use rayon::prelude::*;
        let kinds = paths
            .par_iter()
            .map(|p| {
                let (meta, link) = match std::fs::symlink_metadata(p) {
                    Ok(m) if m.file_type().is_symlink() => (std::fs::metadata(p), true),
                    other => (other, false),
                };
                match meta {
                    Ok(m) if m.is_dir() => InputKind::Dir,
                    Ok(m) if m.is_file() => InputKind::File { link },
                    Ok(_) => InputKind::Special,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        InputKind::Missing(e.to_string())
                    }
                    Err(e) => InputKind::Failed(e.to_string()),
                }
            })
            .collect();
        Inputs { paths, kinds }
    }

    /// Why the command cannot run at all (it then exits 2): the first input, in order, that
    /// is missing, neither a file nor a directory, or a directory that cannot be listed.
    /// A named file that cannot be read is told when it is read
    /// ([`crate::Checked::unreadable_input`]): opening each of thousands of files one more
    /// time, up front, cost a tenth of the run.
    pub fn unusable(&self) -> Option<String> {
        use rayon::prelude::*;
        self.paths
            .par_iter()
            .zip(&self.kinds)
            .find_map_first(|(path, kind)| {
                let shown = display_path(path);
                match kind {
                    InputKind::File { .. } => None,
                    InputKind::Dir => std::fs::read_dir(path)
                        .err()
                        .map(|e| format!("{shown}: cannot read directory: {e}")),
                    InputKind::Missing(_) => Some(format!("{shown}: no such file or directory")),
                    InputKind::Special => Some(format!("{shown}: not a file or directory")),
                    InputKind::Failed(e) => Some(format!("{shown}: {e}")),
                }
            })
    }

    /// The first file named as an input (in input order) that cannot be read, as
    /// [`Inputs::unusable`] words it; `files` are the checked files. Only named files that
    /// gave no entity are read again: the `rules:` levels of `portico.yaml` may have dropped
    /// their `io/unreadable` problem, and must not turn "could not run" into success.
    pub fn unreadable_file(&self, files: &[ValidatedFile]) -> Option<String> {
        let empty: HashSet<&str> = files
            .iter()
            .filter(|f| f.entities.is_empty())
            .map(|f| f.source.display.as_str())
            .collect();
        if empty.is_empty() {
            return None;
        }
        self.paths
            .iter()
            .zip(&self.kinds)
            .filter(|(_, k)| matches!(k, InputKind::File { .. }))
            .find_map(|(path, _)| {
                let shown = display_path(path);
                if !empty.contains(shown.as_str()) {
                    return None;
                }
                crate::parse::read_error(path).map(|e| format!("{shown}: cannot read file: {e}"))
            })
    }
}

/// The globs of `portico.yaml`, compiled once. Globs are matched against the path relative to
/// the input directory being walked, `/`-separated; `*` does not cross `/`, `**` does.
struct Globs {
    include: GlobSet,
    exclude: GlobSet,
}

fn compile_globs(
    patterns: &[String],
    field: &str,
    config_file: &str,
    problems: &mut Vec<Problem>,
) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        match glob(pattern.trim_start_matches("./")) {
            Ok(g) => {
                builder.add(g);
            }
            Err(e) => problems.push(Problem::error(
                "config/invalid",
                config_file,
                Span::file_start(),
                format!("{field}: invalid glob {pattern:?}: {e}"),
            )),
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

fn is_catalog_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| CATALOG_FILE_NAMES.contains(&n))
}

/// Finds catalog files under the inputs. Never fails: unreadable directories, symlink loops
/// and the like become problems, and the rest of the walk goes on.
pub fn discover(inputs: &Inputs, config: &Config) -> Discovered {
    let mut problems = vec![];
    let config_file = config.file.as_deref().unwrap_or("portico.yaml");
    let globs = Globs {
        include: compile_globs(&config.include, "include", config_file, &mut problems),
        exclude: compile_globs(&config.exclude, "exclude", config_file, &mut problems),
    };
    // Each file with its canonical path and the position of the input it came from.
    let mut files: Vec<(SourceFile, PathBuf, usize)> = vec![];
    let mut dirs: Vec<(usize, &PathBuf)> = vec![];
    // Files named on the command line, and whether each is a symbolic link.
    let mut named_files: Vec<(usize, &PathBuf, bool)> = vec![];
    for (i, (input, kind)) in inputs.paths.iter().zip(&inputs.kinds).enumerate() {
        match kind {
            InputKind::Dir => dirs.push((i, input)),
            InputKind::File { link } => named_files.push((i, input, *link)),
            InputKind::Special => problems.push(Problem::error(
                "io/not-a-file",
                display_path(input),
                Span::file_start(),
                "not a regular file or directory",
            )),
            InputKind::Missing(e) | InputKind::Failed(e) => problems.push(Problem::error(
                "io/unreadable",
                display_path(input),
                Span::file_start(),
                format!("cannot read: {e}"),
            )),
        }
    }
    // Files named on the command line (`portico validate $(git diff --name-only …)` can name
    // thousands): their repositories and canonical paths share the lookups of the
    // directories above them.
    {
        use rayon::prelude::*;
        let paths = PathMemo::default();
        files.par_extend(named_files.par_iter().map(|&(i, input, is_link)| {
            (
                SourceFile {
                    path: input.clone(),
                    display: display_path(input),
                    repo: paths.repo_of_file(input),
                },
                paths.canonical(input, is_link),
                i,
            )
        }));
    }
    if !dirs.is_empty() {
        walk(&dirs, &globs, &mut files, &mut problems);
    }
    // By path; a file reached from several inputs, in the order of the inputs.
    files.sort_by(|(a, _, i), (b, _, j)| (&a.display, i).cmp(&(&b.display, j)));
    // The same file reached twice (overlapping inputs, symlinks) is read once.
    let mut seen = HashSet::new();
    files.retain(|(_, c, _)| seen.insert(c.clone()));
    Discovered {
        files: files.into_iter().map(|(f, ..)| f).collect(),
        problems,
        canonical: seen,
    }
}

/// The canonical path when the file exists, else the lexically absolute one: the identity of
/// a file across inputs, symlinks and Location targets.
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| absolute_lexical(path))
}

/// Walks the directory inputs `roots` for catalog files (and `include` matches), all in
/// one parallel walk: `portico validate repos/*` hands over thousands of directories, and a
/// walk each cost a millisecond of starting and stopping workers and re-read the ignore
/// files of their common parents (10,000 directories took 13 s; one walk of their parent,
/// 0.6 s). Each root keeps its own meaning: globs relative to it, links leaving it not
/// followed, repositories found below it.
fn walk(
    roots: &[(usize, &PathBuf)],
    globs: &Globs,
    files: &mut Vec<(SourceFile, PathBuf, usize)>,
    problems: &mut Vec<Problem>,
) {
    let exclude = globs.exclude.clone();
    let include_for_filter = globs.include.clone();
    let errors = Arc::new(Mutex::new(Vec::<Problem>::new()));
    let filter_errors = Arc::clone(&errors);
    // Canonical paths of the roots: for links met on the way (rare), and for every file
    // found below a root once the walk is done.
    let paths = Arc::new(PathMemo::default());
    let filter_paths = Arc::clone(&paths);
    // Whether the walk met a symbolic link: without one, a file's canonical path is the
    // canonical root joined with its relative path (no `realpath` per file).
    let saw_link = Arc::new(AtomicBool::new(false));
    let filter_saw_link = Arc::clone(&saw_link);
    // Directories holding `.git` (a directory, or a file in worktrees and submodules), as the
    // walk meets them: each catalog file's repository is then found without a `stat` per
    // file and directory.
    let git_dirs = Arc::new(Mutex::new(HashSet::<PathBuf>::new()));
    let filter_git_dirs = Arc::clone(&git_dirs);
    let mut builder = ignore::WalkBuilder::new(roots[0].1);
    for (_, root) in &roots[1..] {
        builder.add(root);
    }
    // The input position of each root (the same directory named twice: its first).
    let mut input_of: HashMap<&Path, usize> = HashMap::new();
    for &(i, root) in roots {
        input_of.entry(root.as_path()).or_insert(i);
    }
    builder
        .hidden(false)
        .require_git(false)
        .git_global(false)
        .follow_links(true)
        .filter_entry(move |entry| {
            let name = entry.file_name().to_str().unwrap_or("");
            if entry.depth() > 0 && SKIPPED_DIRS.contains(&name) {
                if name == ".git" {
                    if let Some(parent) = entry.path().parent() {
                        filter_git_dirs.lock().unwrap().insert(parent.to_path_buf());
                    }
                }
                return false;
            }
            let is_link = entry.path_is_symlink();
            if is_link {
                filter_saw_link.store(true, Ordering::Relaxed);
            }
            if exclude.is_empty() && !is_link {
                return true;
            }
            let root = root_of(entry.path(), entry.depth());
            let rel = entry
                .path()
                .strip_prefix(root)
                .ok()
                .filter(|r| !r.as_os_str().is_empty())
                .map(display_path);
            if let Some(rel) = &rel {
                if !exclude.is_empty() && exclude.is_match(rel) {
                    return false;
                }
            }
            // A symbolic link that leads out of the input is not followed: its content is
            // not the repository's (and a pull request must not make CI read other files).
            if is_link {
                let canonical_root = filter_paths.canonical_of(root, None);
                let target = std::fs::canonicalize(entry.path());
                if let (Ok(target), Some(root)) = (target, &canonical_root) {
                    if !target.starts_with(root) {
                        let wanted = is_catalog_name(entry.path())
                            || rel.as_deref().is_some_and(|r| include_for_filter.is_match(r));
                        let shown = display_path(entry.path());
                        let problem = if target.is_dir() {
                            Some(Problem::warning(
                                "io/outside-repo",
                                shown,
                                Span::file_start(),
                                "symbolic link to a directory outside the scanned directory; not followed",
                            ))
                        } else if wanted {
                            Some(Problem::error(
                                "io/outside-repo",
                                shown,
                                Span::file_start(),
                                "catalog file is a symbolic link to a file outside the scanned directory; it was not read",
                            ))
                        } else {
                            None
                        };
                        if let Some(p) = problem {
                            filter_errors.lock().unwrap().push(p);
                        }
                        return false;
                    }
                }
            }
            true
        });
    // Each file found, with the depth it was found at below its root.
    let found = Mutex::new(Vec::<(PathBuf, usize)>::new());
    let include = &globs.include;
    builder.build_parallel().run(|| {
        let found = &found;
        let errors = &errors;
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let path = entry.path();
                    let wanted = is_catalog_name(path)
                        || (!include.is_empty()
                            && path
                                .strip_prefix(root_of(path, entry.depth()))
                                .is_ok_and(|rel| include.is_match(display_path(rel))));
                    if wanted {
                        match entry.file_type() {
                            Some(t) if t.is_file() => {
                                found
                                    .lock()
                                    .unwrap()
                                    .push((path.to_path_buf(), entry.depth()));
                            }
                            Some(t) if t.is_dir() => {}
                            _ => errors.lock().unwrap().push(Problem::error(
                                "io/not-a-file",
                                display_path(path),
                                Span::file_start(),
                                "not a regular file (a FIFO, socket or device is never read)",
                            )),
                        }
                    }
                }
                Err(err) => {
                    if let Some(p) = walk_error(&err) {
                        errors.lock().unwrap().push(p);
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap();
    found.sort();
    problems.append(&mut errors.lock().unwrap());

    // Repository of each file: nearest `.git` at or below its input, else the input (or,
    // for a directory of repositories, the top-level subdirectory).
    let git_dirs = std::mem::take(&mut *git_dirs.lock().unwrap());
    let saw_link = saw_link.load(Ordering::Relaxed);
    // Per root: whether it is a directory of repositories, and its canonical path (roots
    // named by a shell glob share their parents' lookups).
    let mut per_root: HashMap<PathBuf, (bool, Option<PathBuf>)> = HashMap::new();
    for (path, depth) in found {
        let root = root_of(&path, depth);
        let (dir_of_repos, canonical_root) = per_root
            .entry(root.to_path_buf())
            .or_insert_with(|| {
                let dir_of_repos = !git_dirs.contains(root)
                    && !CATALOG_FILE_NAMES.iter().any(|n| root.join(n).is_file());
                let canonical_root = if saw_link {
                    None
                } else {
                    paths.canonical_of(root, None)
                };
                (dir_of_repos, canonical_root)
            })
            .clone();
        let repo = repo_in_input(&path, root, dir_of_repos, &git_dirs);
        let canonical_path = match (&canonical_root, path.strip_prefix(root)) {
            (Some(base), Ok(rel)) => base.join(rel),
            _ => canonical(&path),
        };
        let input = input_of.get(root).copied().unwrap_or(0);
        files.push((
            SourceFile {
                display: display_path(&path),
                path,
                repo,
            },
            canonical_path,
            input,
        ));
    }
}

/// The input an entry `depth` levels below it was walked from.
fn root_of(path: &Path, depth: usize) -> &Path {
    path.ancestors().nth(depth).unwrap_or(path)
}

/// The repository of catalog file `path` found under input `root`: the nearest directory
/// at or below `root` in `git_dirs` (those the walk found a `.git` in), else the top-level
/// subdirectory of a directory of repositories, else `root`.
fn repo_in_input(
    path: &Path,
    root: &Path,
    dir_of_repos: bool,
    git_dirs: &HashSet<PathBuf>,
) -> PathBuf {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if !d.starts_with(root) {
            break;
        }
        if git_dirs.contains(d) {
            return d.to_path_buf();
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    if dir_of_repos {
        if let Ok(rel) = path.strip_prefix(root) {
            let mut parts = rel.components();
            if let (Some(first), Some(_)) = (parts.next(), parts.next()) {
                return root.join(first);
            }
        }
    }
    root.to_path_buf()
}

/// What the files named on the command line share: the directories above them that hold
/// a `.git`, and canonical paths (a `realpath` is a `readlink` per component; here each
/// directory is looked at once).
#[derive(Default)]
struct PathMemo {
    has_git: Mutex<HashMap<PathBuf, bool>>,
    canonical: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl PathMemo {
    /// The nearest directory above `file` holding a `.git` (relative when `file` is), else
    /// the file's directory.
    fn repo_of_file(&self, file: &Path) -> PathBuf {
        let dir = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let abs = absolute_lexical(&dir);
        for ancestor in abs.ancestors() {
            let known = self.has_git.lock().unwrap().get(ancestor).copied();
            let has_git = known.unwrap_or_else(|| {
                let found = ancestor.join(".git").exists();
                self.has_git
                    .lock()
                    .unwrap()
                    .insert(ancestor.to_path_buf(), found);
                found
            });
            if has_git {
                // Keep it relative when the file was named relatively.
                if dir.is_relative() {
                    if let Some(rel) = current_dir().and_then(|cwd| relative_to(ancestor, cwd)) {
                        return rel;
                    }
                }
                return ancestor.to_path_buf();
            }
        }
        dir
    }

    /// [`canonical`] of an existing file (`is_link`: whether it is a symbolic link), sharing
    /// the work for the directories above it: a path of plain names whose last one is not a
    /// symbolic link is its parent's canonical path joined with that name.
    fn canonical(&self, path: &Path, is_link: bool) -> PathBuf {
        self.canonical_of(path, Some(is_link))
            .unwrap_or_else(|| absolute_lexical(path))
    }

    /// The canonical path of `path`, `None` when it cannot be resolved. `is_link`: whether
    /// `path` is a symbolic link, when the caller knows (a named file); otherwise it is a
    /// directory, looked at with an `lstat` and remembered for the paths below it.
    fn canonical_of(&self, path: &Path, is_link: Option<bool>) -> Option<PathBuf> {
        if let Some(known) = self.canonical.lock().unwrap().get(path) {
            return known.clone();
        }
        let plain = path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::RootDir));
        let link = || match is_link {
            Some(known) => Some(known),
            None => std::fs::symlink_metadata(path)
                .ok()
                .map(|m| m.file_type().is_symlink()),
        };
        let found = match (plain, path.parent(), path.file_name()) {
            (true, Some(parent), Some(name)) => match link() {
                Some(false) => {
                    let parent = if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    };
                    self.canonical_of(parent, None).map(|p| p.join(name))
                }
                _ => std::fs::canonicalize(path).ok(),
            },
            _ => std::fs::canonicalize(path).ok(),
        };
        if is_link.is_none() {
            self.canonical
                .lock()
                .unwrap()
                .insert(path.to_path_buf(), found.clone());
        }
        found
    }
}

/// The working directory, read once per process.
pub(crate) fn current_dir() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// `path` relative to `base`, using `..` where needed (both absolute).
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path: Vec<_> = path.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for c in &path[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    Some(out)
}

/// A walk error worth telling the user about, as a problem.
fn walk_error(err: &ignore::Error) -> Option<Problem> {
    let mut path: Option<&Path> = None;
    let mut err = err;
    loop {
        match err {
            ignore::Error::WithPath {
                path: p,
                err: inner,
            } => {
                path = Some(p);
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
            _ => break,
        }
    }
    match err {
        // Nothing is lost: the ancestor the link leads to is walked anyway.
        ignore::Error::Loop { ancestor, child } => Some(
            Problem::warning(
                "io/symlink-loop",
                display_path(child),
                Span::file_start(),
                format!(
                    "symbolic link loop: {} leads back to {}",
                    display_path(child),
                    display_path(ancestor)
                ),
            )
            .with_hint("the directory is not walked again; remove or fix the link"),
        ),
        ignore::Error::Io(e) => {
            let path = path?;
            let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
            // A dangling link in a repository is not our business unless it is a catalog file.
            if e.kind() == std::io::ErrorKind::NotFound && !is_catalog_name(path) {
                return None;
            }
            // `ErrorKind::FilesystemLoop` is not stable yet; its Debug name is.
            let looped = format!("{:?}", e.kind()) == "FilesystemLoop";
            let (rule, what) = match (looped, is_link) {
                (true, _) => ("io/symlink-loop", "symbolic link loop"),
                (false, true) => ("io/unreadable", "cannot follow symbolic link"),
                (false, false) => ("io/unreadable", "cannot read"),
            };
            // A link loop hides nothing unless it stands where a catalog file should be.
            let severity = if looped && !is_catalog_name(path) {
                Severity::Warning
            } else {
                Severity::Error
            };
            Some(Problem::new(
                severity,
                rule,
                display_path(path),
                Span::file_start(),
                format!("{what}: {e}"),
            ))
        }
        // Broken ignore files and the like: the walk goes on with what could be read.
        _ => None,
    }
}

/// How a path is shown: `/`-separated, no `./` parts, `..` kept, as absolute as given.
pub fn display_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        match c {
            Component::CurDir => continue,
            Component::RootDir => {
                out.push('/');
                continue;
            }
            Component::Prefix(p) => out.push_str(&p.as_os_str().to_string_lossy()),
            Component::ParentDir => push_segment(&mut out, ".."),
            Component::Normal(s) => push_segment(&mut out, &s.to_string_lossy()),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

fn push_segment(out: &mut String, segment: &str) {
    if !out.is_empty() && !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(segment);
}

/// Resolves `.` and `..` without touching the file system (`a/b/../c` → `a/c`). Leading `..`
/// of a relative path are kept.
pub fn normalize_lexical(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = vec![];
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().map(|c| c.as_os_str()).collect()
}

/// `path` made absolute against the working directory, which is read once per process
/// (thousands of files and placeholders each asked the kernel for it). `None` when the
/// working directory cannot be known.
pub(crate) fn absolute(path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        return Some(path.to_path_buf());
    }
    match current_dir() {
        Some(cwd) => Some(cwd.join(path)),
        None => std::path::absolute(path).ok(),
    }
}

/// The absolute, lexically normalized form of a path (the working directory prepended; an
/// empty path stays `.`).
pub fn absolute_lexical(path: &Path) -> PathBuf {
    let abs = if path.as_os_str().is_empty() {
        None
    } else {
        absolute(path)
    };
    normalize_lexical(&abs.unwrap_or_else(|| path.to_path_buf()))
}

/// Whether `path` stays inside `root`, lexically and, when it exists, after resolving
/// symbolic links.
pub fn is_inside(path: &Path, root: &Path) -> bool {
    if !absolute_lexical(path).starts_with(absolute_lexical(root)) {
        return false;
    }
    match (std::fs::canonicalize(path), std::fs::canonicalize(root)) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => true,
    }
}

/// The targets of `kind: Location` entities in freshly validated files that are not yet in
/// `seen` (canonical paths of every file read so far, updated here), plus the problems found
/// on the way: a missing target is a warning at the target's place
/// (`location/missing-target`), a target leaving the repository is an error
/// (`location/outside-repo`); with `spec.presence: optional` a missing target is fine.
/// Glob targets (`./services/*/catalog-info.yaml`) read every match. Targets that are URLs
/// (`https://…`) are not fetched; Location types other than `file` and `url` are left to
/// the processors that know them.
pub fn follow_locations(
    files: &[ValidatedFile],
    seen: &mut HashSet<PathBuf>,
) -> (Vec<SourceFile>, Vec<Problem>) {
    let mut new_files = vec![];
    let mut problems = vec![];
    for file in files {
        for entity in &file.entities {
            if entity.kind() != "Location" {
                continue;
            }
            let type_ = entity.spec_str("type").unwrap_or("url");
            if type_ != "url" && type_ != "file" {
                continue;
            }
            for (pointer, target) in location_targets(entity) {
                follow_target(
                    entity,
                    &pointer,
                    &target,
                    seen,
                    &mut new_files,
                    &mut problems,
                );
            }
        }
    }
    new_files.sort_by(|a, b| a.display.cmp(&b.display));
    (new_files, problems)
}

/// `(JSON pointer, target)` for `spec.target` and each of `spec.targets`.
fn location_targets(entity: &Entity) -> Vec<(String, String)> {
    let mut out = vec![];
    if let Some(t) = entity.spec_str("target") {
        out.push(("/spec/target".to_string(), t.to_string()));
    }
    if let Some(list) = entity.spec("targets").and_then(|t| t.as_array()) {
        for (i, t) in list.iter().enumerate() {
            if let Some(t) = t.as_str() {
                out.push((format!("/spec/targets/{i}"), t.to_string()));
            }
        }
    }
    out
}

fn is_url(target: &str) -> bool {
    target.contains("://")
}

fn has_glob_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

fn follow_target(
    entity: &Entity,
    pointer: &str,
    target: &str,
    seen: &mut HashSet<PathBuf>,
    new_files: &mut Vec<SourceFile>,
    problems: &mut Vec<Problem>,
) {
    if is_url(target) || target.is_empty() {
        return;
    }
    let source = &entity.source;
    let span = entity.span_of(pointer);
    // `presence: optional` targets may be missing (Backstage skips them silently).
    let optional = entity.spec_str("presence") == Some("optional");
    let problem = |p: Problem| {
        p.in_document(entity.document)
            .with_entity(entity.entity_ref.to_string())
    };
    let target_path = Path::new(target);
    let display_dir = match Path::new(&source.display).parent() {
        Some(p) => p.to_path_buf(),
        None => PathBuf::new(),
    };
    let resolved = normalize_lexical(&source.dir().join(target_path));
    let shown = display_path(&normalize_lexical(&display_dir.join(target_path)));
    if !is_inside(&resolved, &source.repo) {
        problems.push(problem(
            Problem::error(
                "location/outside-repo",
                source.display.clone(),
                span,
                format!(
                    "Location target {target:?} leaves the repository ({})",
                    display_path(&source.repo)
                ),
            )
            .with_hint(
                "targets are resolved relative to this file and must stay inside its repository",
            ),
        ));
        return;
    }
    let mut add = |path: PathBuf, display: String| {
        if seen.insert(canonical(&path)) {
            new_files.push(SourceFile {
                path,
                display,
                repo: source.repo.clone(),
            });
        }
    };
    if has_glob_meta(target) {
        let matches = glob_target(source.dir(), target, &source.repo);
        if matches.is_empty() && !optional {
            problems.push(problem(Problem::warning(
                "location/missing-target",
                source.display.clone(),
                span,
                format!("Location target {target:?} matches no file"),
            )));
        }
        for (path, rel) in matches {
            let display = display_path(&normalize_lexical(&display_dir.join(rel)));
            add(path, display);
        }
        return;
    }
    match std::fs::metadata(&resolved) {
        Ok(m) if m.is_file() => add(resolved, shown),
        Ok(_) => problems.push(problem(Problem::warning(
            "location/missing-target",
            source.display.clone(),
            span,
            format!("Location target {target:?} is not a file ({shown})"),
        ))),
        Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => problems.push(problem(Problem::warning(
            "location/missing-target",
            source.display.clone(),
            span,
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("Location target {target:?} does not exist ({shown})")
            } else {
                format!("Location target {target:?} cannot be read ({shown}): {e}")
            },
        ))),
    }
}

/// Files matching a glob target (`./services/*/catalog-info.yaml`, `./**/*.yaml`), as
/// (path to read, path relative to the Location file's directory). Sorted.
fn glob_target(dir: &Path, target: &str, repo: &Path) -> Vec<(PathBuf, PathBuf)> {
    let target = target.trim_start_matches("./");
    // The literal leading directories are walked from; the rest is matched.
    let mut base = PathBuf::new();
    let mut rest = vec![];
    for part in target.split('/') {
        if rest.is_empty() && !has_glob_meta(part) {
            base.push(part);
        } else {
            rest.push(part);
        }
    }
    let Ok(matcher) = glob(&rest.join("/")).map(|g| g.compile_matcher()) else {
        return vec![];
    };
    let root = dir.join(&base);
    let mut out = vec![];
    let walker = ignore::WalkBuilder::new(&root)
        .standard_filters(false)
        .follow_links(true)
        .filter_entry(|e| {
            !(e.depth() > 0 && SKIPPED_DIRS.contains(&e.file_name().to_str().unwrap_or("")))
        })
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&root) else {
            continue;
        };
        if matcher.is_match(display_path(rel)) && is_inside(entry.path(), repo) {
            out.push((entry.path().to_path_buf(), base.join(rel)));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn discover_paths(paths: &[PathBuf], config: &Config) -> Discovered {
        discover(&Inputs::look(paths.to_vec()), config)
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn displays(d: &Discovered) -> Vec<String> {
        d.files.iter().map(|f| f.display.clone()).collect()
    }

    #[test]
    fn display_paths_are_as_named_without_dot_segments() {
        assert_eq!(display_path(Path::new("./a/./b/c.yaml")), "a/b/c.yaml");
        assert_eq!(display_path(Path::new("../x/y")), "../x/y");
        assert_eq!(display_path(Path::new("/abs/p")), "/abs/p");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("dir/")), "dir");
    }

    #[test]
    fn lexical_normalization_resolves_parent_segments() {
        assert_eq!(
            normalize_lexical(Path::new("a/b/../c")),
            PathBuf::from("a/c")
        );
        assert_eq!(normalize_lexical(Path::new("./a/..")), PathBuf::from("."));
        assert_eq!(normalize_lexical(Path::new("../a")), PathBuf::from("../a"));
        assert_eq!(normalize_lexical(Path::new("/../a")), PathBuf::from("/a"));
    }

    #[test]
    fn finds_catalog_files_in_hidden_dirs_skips_git_node_modules_and_gitignored() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        write(&r.join("catalog-info.yaml"), "");
        write(&r.join(".hidden/catalog-info.yml"), "");
        write(&r.join("a/b/catalog-info.yaml"), "");
        write(&r.join("a/other.yaml"), "");
        write(&r.join("node_modules/x/catalog-info.yaml"), "");
        write(&r.join(".git/catalog-info.yaml"), "");
        write(&r.join("ignored/catalog-info.yaml"), "");
        write(&r.join(".gitignore"), "ignored/\n");
        let d = discover_paths(&[r.to_path_buf()], &Config::default());
        let root = display_path(r);
        assert_eq!(
            displays(&d),
            vec![
                format!("{root}/.hidden/catalog-info.yml"),
                format!("{root}/a/b/catalog-info.yaml"),
                format!("{root}/catalog-info.yaml"),
            ]
        );
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        // The input holds .git: one repository.
        assert!(d.files.iter().all(|f| f.repo == r));
    }

    #[test]
    fn include_and_exclude_globs_apply_relative_to_the_input() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        write(&r.join("catalog-info.yaml"), "");
        write(&r.join("catalog/apis.yaml"), "");
        write(&r.join("catalog/deep/x.yaml"), "");
        write(&r.join("vendor/lib/catalog-info.yaml"), "");
        let config = Config {
            include: vec!["catalog/*.yaml".into()],
            exclude: vec!["vendor".into()],
            ..Config::default()
        };
        let d = discover_paths(&[r.to_path_buf()], &config);
        let root = display_path(r);
        assert_eq!(
            displays(&d),
            vec![
                format!("{root}/catalog-info.yaml"),
                format!("{root}/catalog/apis.yaml"),
            ]
        );
    }

    #[test]
    fn repositories_are_the_nearest_git_dir_or_top_level_subdirs_of_a_dir_of_repos() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        write(&r.join("one/catalog-info.yaml"), "");
        write(&r.join("one/svc/catalog-info.yaml"), "");
        write(&r.join("two/.git/HEAD"), "");
        write(&r.join("two/x/catalog-info.yaml"), "");
        // A submodule inside `two`: its `.git` is a file, and it is a repository of its own.
        write(&r.join("two/sub/.git"), "gitdir: ../.git/modules/sub\n");
        write(&r.join("two/sub/deep/catalog-info.yaml"), "");
        let d = discover_paths(&[r.to_path_buf()], &Config::default());
        let repos: Vec<_> = d.files.iter().map(|f| f.repo.clone()).collect();
        assert_eq!(
            repos,
            vec![
                r.join("one"),
                r.join("one"),
                r.join("two/sub"),
                r.join("two")
            ]
        );
    }

    #[test]
    fn many_directory_inputs_walk_together_each_relative_to_itself() {
        // `portico validate repos/*`: every input is walked in one walk, and each keeps its
        // own globs, repositories and links, as if it were walked alone.
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        write(&r.join("repos/a/catalog-info.yaml"), "");
        write(&r.join("repos/a/catalog/apis.yaml"), "");
        write(&r.join("repos/a/vendor/catalog-info.yaml"), "");
        write(&r.join("repos/b/.git/HEAD"), "");
        write(&r.join("repos/b/svc/catalog-info.yaml"), "");
        write(&r.join("repos/b/svc/catalog/apis.yaml"), "");
        write(&r.join("repos/c/x/catalog-info.yaml"), "");
        write(&r.join("outside/catalog-info.yaml"), "");
        #[cfg(unix)]
        std::os::unix::fs::symlink(r.join("outside"), r.join("repos/c/link")).unwrap();
        let config = Config {
            include: vec!["catalog/*.yaml".into()],
            exclude: vec!["vendor".into()],
            ..Config::default()
        };
        let mut inputs: Vec<PathBuf> = ["a", "b", "c", "b/svc"]
            .iter()
            .map(|n| r.join("repos").join(n))
            .collect();
        // Past the point where each input once got its own walk.
        for i in 0..8 {
            std::fs::create_dir_all(r.join(format!("repos/empty{i}"))).unwrap();
            inputs.push(r.join(format!("repos/empty{i}")));
        }
        let d = discover_paths(&inputs, &config);
        let root = display_path(&r.join("repos"));
        assert_eq!(
            displays(&d),
            vec![
                format!("{root}/a/catalog-info.yaml"),
                format!("{root}/a/catalog/apis.yaml"),
                // Found from `b` and from `b/svc`: read once. `b/svc/catalog/apis.yaml`
                // matches `catalog/*.yaml` relative to `b/svc` only.
                format!("{root}/b/svc/catalog-info.yaml"),
                format!("{root}/b/svc/catalog/apis.yaml"),
                format!("{root}/c/x/catalog-info.yaml"),
            ]
        );
        let repos: Vec<_> = d.files.iter().map(|f| f.repo.clone()).collect();
        let b = r.join("repos/b");
        assert_eq!(
            repos,
            vec![
                r.join("repos/a"),
                r.join("repos/a"),
                b.clone(),
                b.join("svc"),
                r.join("repos/c/x"),
            ]
        );
        #[cfg(unix)]
        assert_eq!(
            d.problems
                .iter()
                .map(|p| (p.rule.as_str(), p.file.as_str()))
                .collect::<Vec<_>>(),
            vec![("io/outside-repo", format!("{root}/c/link").as_str())]
        );
    }

    #[test]
    fn named_files_share_lookups_and_keep_their_repositories_and_identities() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        write(&r.join("org/.git/HEAD"), "");
        write(&r.join("org/a/catalog-info.yaml"), "");
        write(&r.join("org/b/deep/catalog-info.yaml"), "");
        write(&r.join("loose/catalog-info.yaml"), "");
        let mut inputs = vec![
            r.join("org/a/catalog-info.yaml"),
            r.join("org/b/deep/catalog-info.yaml"),
            r.join("loose/catalog-info.yaml"),
        ];
        let d = discover_paths(&inputs, &Config::default());
        let repos: Vec<_> = d.files.iter().map(|f| f.repo.clone()).collect();
        assert_eq!(repos, vec![r.join("loose"), r.join("org"), r.join("org")]);
        #[cfg(unix)]
        {
            // The same files again, through a linked directory and a linked file: read once.
            std::os::unix::fs::symlink(r.join("org/a"), r.join("alias")).unwrap();
            std::os::unix::fs::symlink(
                r.join("org/b/deep/catalog-info.yaml"),
                r.join("deep-link.yaml"),
            )
            .unwrap();
            inputs.push(r.join("alias/catalog-info.yaml"));
            inputs.push(r.join("deep-link.yaml"));
        }
        let d = discover_paths(&inputs, &Config::default());
        let root = display_path(r);
        let repos: Vec<_> = d.files.iter().map(|f| f.repo.clone()).collect();
        #[cfg(unix)]
        {
            // Sorted by the name given; of two names for one file, the first is kept.
            assert_eq!(
                displays(&d),
                vec![
                    format!("{root}/alias/catalog-info.yaml"),
                    format!("{root}/deep-link.yaml"),
                    format!("{root}/loose/catalog-info.yaml"),
                ]
            );
            assert_eq!(
                repos,
                vec![r.join("alias"), r.to_path_buf(), r.join("loose")]
            );
        }
        let real = std::fs::canonicalize(r).unwrap();
        assert!(d.canonical.contains(&real.join("org/a/catalog-info.yaml")));
        assert!(d
            .canonical
            .contains(&real.join("org/b/deep/catalog-info.yaml")));
        assert_eq!(d.canonical.len(), 3);
    }

    #[test]
    fn files_named_on_the_command_line_are_read_whatever_their_name_and_only_once() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        write(&r.join("org.yaml"), "");
        write(&r.join("catalog-info.yaml"), "");
        let d = discover_paths(
            &[
                r.join("org.yaml"),
                r.to_path_buf(),
                r.join("catalog-info.yaml"),
            ],
            &Config::default(),
        );
        let root = display_path(r);
        assert_eq!(
            displays(&d),
            vec![
                format!("{root}/catalog-info.yaml"),
                format!("{root}/org.yaml")
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_problems_and_the_walk_goes_on() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        write(&r.join("a/catalog-info.yaml"), "");
        std::os::unix::fs::symlink(r.join("a"), r.join("a/loop")).unwrap();
        std::os::unix::fs::symlink("self", r.join("a/self")).unwrap();
        std::os::unix::fs::symlink("gone", r.join("dangling")).unwrap();
        let d = discover_paths(&[r.to_path_buf()], &Config::default());
        let root = display_path(r);
        assert_eq!(displays(&d), vec![format!("{root}/a/catalog-info.yaml")]);
        let rules: Vec<_> = d.problems.iter().map(|p| p.rule.as_str()).collect();
        assert!(rules.contains(&"io/symlink-loop"), "{:?}", d.problems);
        let mut looped: Vec<_> = d
            .problems
            .iter()
            .filter(|p| p.rule == "io/symlink-loop")
            .map(|p| p.file.clone())
            .collect();
        looped.sort();
        // A directory link back to its ancestor, and a link to itself; the dangling link
        // (not a catalog file) is not reported.
        assert_eq!(
            looped,
            vec![format!("{root}/a/loop"), format!("{root}/a/self")]
        );
        assert_eq!(d.problems.len(), 2, "{:?}", d.problems);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_out_of_the_input_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        let r = tmp.path().join("in");
        write(&outside.join("catalog-info.yaml"), "");
        write(&outside.join("secret.txt"), "");
        write(&r.join("catalog-info.yaml"), "");
        std::os::unix::fs::symlink(&outside, r.join("linked-dir")).unwrap();
        fs::create_dir_all(r.join("sub")).unwrap();
        let secret = outside.join("secret.txt");
        std::os::unix::fs::symlink(&secret, r.join("sub/catalog-info.yaml")).unwrap();
        std::os::unix::fs::symlink(outside.join("secret.txt"), r.join("notes.txt")).unwrap();
        // Links that stay inside are followed as usual.
        std::os::unix::fs::symlink("catalog-info.yaml", r.join("catalog-info.yml")).unwrap();
        let d = discover_paths(std::slice::from_ref(&r), &Config::default());
        let root = display_path(&r);
        assert_eq!(displays(&d), vec![format!("{root}/catalog-info.yaml")]);
        let mut got: Vec<_> = d
            .problems
            .iter()
            .map(|p| (p.file.clone(), p.rule.as_str(), p.severity))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (
                    format!("{root}/linked-dir"),
                    "io/outside-repo",
                    Severity::Warning
                ),
                (
                    format!("{root}/sub/catalog-info.yaml"),
                    "io/outside-repo",
                    Severity::Error
                ),
            ]
        );
    }

    #[test]
    fn input_errors_name_the_path() {
        let look = |p: &str| Inputs::look(vec![PathBuf::from(p)]).unusable();
        assert_eq!(
            look("does/not/exist").unwrap(),
            "does/not/exist: no such file or directory"
        );
        assert_eq!(
            look("/dev/null").unwrap(),
            "/dev/null: not a file or directory"
        );
        assert!(look(".").is_none());
        assert!(look("Cargo.toml").is_none());
    }

    #[test]
    fn location_targets_are_followed_relative_to_the_file_and_checked() {
        use crate::model::testing;
        use serde_json::json;
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        write(&r.join("repo/org/catalog-info.yaml"), "");
        write(&r.join("repo/teams/a.yaml"), "");
        write(&r.join("repo/svc/one/catalog-info.yaml"), "");
        write(&r.join("repo/svc/two/catalog-info.yaml"), "");
        write(&r.join("outside.yaml"), "");
        let source = SourceFile {
            path: r.join("repo/org/catalog-info.yaml"),
            display: "repo/org/catalog-info.yaml".into(),
            repo: r.join("repo"),
        };
        let loc = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Location",
            "metadata": {"name": "org"},
            "spec": {"target": "../teams/a.yaml",
                     "targets": ["../svc/*/catalog-info.yaml", "./missing.yaml",
                                 "../../outside.yaml", "https://example.com/x.yaml",
                                 "../teams/a.yaml", "../nothing/*.yaml"]}});
        let file = testing::file(&source, vec![loc]);
        let mut seen = HashSet::new();
        seen.insert(canonical(&source.path));
        let (files, problems) = follow_locations(std::slice::from_ref(&file), &mut seen);
        let shown: Vec<_> = files.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(
            shown,
            vec![
                "repo/svc/one/catalog-info.yaml",
                "repo/svc/two/catalog-info.yaml",
                "repo/teams/a.yaml",
            ]
        );
        assert!(files.iter().all(|f| f.repo == r.join("repo")));
        let e = &file.entities[0];
        let got: Vec<_> = problems
            .iter()
            .map(|p| (p.rule.as_str(), p.severity, p.span, p.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "location/missing-target",
                    Severity::Warning,
                    e.span_of("/spec/targets/1"),
                    "Location target \"./missing.yaml\" does not exist (repo/org/missing.yaml)"
                ),
                (
                    "location/outside-repo",
                    Severity::Error,
                    e.span_of("/spec/targets/2"),
                    "Location target \"../../outside.yaml\" leaves the repository (SUB)"
                ),
                (
                    "location/missing-target",
                    Severity::Warning,
                    e.span_of("/spec/targets/5"),
                    "Location target \"../nothing/*.yaml\" matches no file"
                ),
            ]
            .into_iter()
            .map(|(a, b, c, d)| (a, b, c, d.replace("SUB", &display_path(&r.join("repo")))))
            .collect::<Vec<_>>()
            .iter()
            .map(|(a, b, c, d)| (*a, *b, *c, d.as_str()))
            .collect::<Vec<_>>()
        );
        // A second pass finds nothing new: every target is in `seen` now.
        let (again, _) = follow_locations(std::slice::from_ref(&file), &mut seen);
        assert!(again.is_empty());
    }

    #[test]
    fn optional_location_targets_may_be_missing() {
        use crate::model::testing;
        use serde_json::json;
        let tmp = tempfile::tempdir().unwrap();
        let source = SourceFile {
            path: tmp.path().join("catalog-info.yaml"),
            display: "catalog-info.yaml".into(),
            repo: tmp.path().to_path_buf(),
        };
        let loc = json!({"kind": "Location", "metadata": {"name": "x"},
            "spec": {"presence": "optional", "targets": ["./gone.yaml", "./none/*.yaml"]}});
        let file = testing::file(&source, vec![loc]);
        let (files, problems) = follow_locations(&[file], &mut HashSet::new());
        assert!(files.is_empty());
        assert!(problems.is_empty(), "{problems:?}");
    }
}
