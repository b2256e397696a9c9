//! "Last updated" dates from git history: one history walk per repository, never one per
//! file. Absent when the docs are not in a git repository.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Time (seconds since the epoch, UTC) of the newest commit that touched each file, keyed
/// by the path relative to the repository's work tree (`/`-separated).
#[derive(Debug, Default)]
pub struct History {
    pub workdir: PathBuf,
    pub times: HashMap<String, i64>,
}

impl History {
    /// The date (`YYYY-MM-DD`) of the last commit touching `path`, if any.
    pub fn date_of(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.workdir).ok()?;
        let key = rel.to_string_lossy().replace('\\', "/");
        let t = *self.times.get(&key)?;
        chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%d").to_string())
    }
}

/// The repository containing `dir`, as its canonical work-tree root.
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::discover(dir).ok()?;
    let wd = repo.workdir()?;
    wd.canonicalize().ok()
}

/// Walks the history from HEAD once, newest first, and records for every file under
/// `prefixes` (relative to the work tree) the first (newest) commit that changed it.
/// Stops early once every file in `wanted` has a date.
pub fn history(
    root: &Path,
    prefixes: &[String],
    wanted: &std::collections::HashSet<String>,
) -> Option<History> {
    let repo = git2::Repository::open(root).ok()?;
    let mut walk = repo.revwalk().ok()?;
    walk.push_head().ok()?;
    walk.set_sorting(git2::Sort::TIME).ok()?;
    let mut times: HashMap<String, i64> = HashMap::new();
    let mut found = 0usize;
    let mut opts = git2::DiffOptions::new();
    for p in prefixes {
        if p.is_empty() {
            continue;
        }
        opts.pathspec(p);
    }
    for oid in walk.flatten() {
        let Ok(commit) = repo.find_commit(oid) else {
            continue;
        };
        let Ok(tree) = commit.tree() else { continue };
        let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
        let Ok(diff) = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
        else {
            continue;
        };
        let time = commit.time().seconds();
        for delta in diff.deltas() {
            if let Some(p) = delta.new_file().path() {
                let key = p.to_string_lossy().replace('\\', "/");
                if let std::collections::hash_map::Entry::Vacant(v) = times.entry(key) {
                    if wanted.contains(v.key()) {
                        found += 1;
                    }
                    v.insert(time);
                }
            }
        }
        if found >= wanted.len() {
            break;
        }
    }
    Some(History {
        workdir: root.to_path_buf(),
        times,
    })
}
