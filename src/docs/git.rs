//! "Last updated" dates from git history: one history walk per repository, never one per
//! file. Absent when the docs are not in a git repository.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Time (seconds since the epoch, UTC) of the newest commit that touched each file, keyed
/// by the path relative to the repository's work tree (`/`-separated).
#[derive(Debug, Default)]
pub struct History {
    pub times: HashMap<String, i64>,
}

impl History {
    /// The date (`YYYY-MM-DD`) of the last commit touching `rel`, a `/`-separated path
    /// relative to the work tree, if any.
    pub fn date_of(&self, rel: &str) -> Option<String> {
        let t = *self.times.get(rel)?;
        chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%d").to_string())
    }
}

/// The git work trees of many directories, found by walking up from each once: the
/// directories already seen on the way answer for every later site below them (opening a
/// repository to discover it read the git configuration files every time).
#[derive(Default)]
pub struct RepoRoots {
    memo: HashMap<PathBuf, Option<PathBuf>>,
}

impl RepoRoots {
    /// The canonical work-tree root of the repository containing `dir`: the nearest
    /// directory at or above it holding `.git` (a directory, or a file as in worktrees and
    /// submodules). As `git` does by default, the search stops at a file system boundary.
    pub fn of(&mut self, dir: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(dir).ok()?;
        let dev = device(&start);
        let mut seen = Vec::new();
        let mut cur = Some(start.as_path());
        let found = loop {
            let Some(d) = cur else { break None };
            if let Some(known) = self.memo.get(d) {
                break known.clone();
            }
            if device(d) != dev {
                break None;
            }
            seen.push(d.to_path_buf());
            if d.join(".git").exists() {
                break d.canonicalize().ok();
            }
            cur = d.parent();
        };
        for d in seen {
            self.memo.insert(d, found.clone());
        }
        found
    }
}

#[cfg(unix)]
fn device(p: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).ok().map(|m| m.dev())
}

#[cfg(not(unix))]
fn device(_: &Path) -> Option<u64> {
    None
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
    // Only files in HEAD's tree can be found in its history: count those, so that docs
    // that are not committed (generated, ignored, new) do not make the walk read the
    // whole history looking for them.
    let head = repo.head().ok()?.peel_to_tree().ok()?;
    let wanted: std::collections::HashSet<&str> = wanted
        .iter()
        .map(String::as_str)
        .filter(|w| head.get_path(Path::new(w)).is_ok())
        .collect();
    if wanted.is_empty() {
        return Some(History {
            times: HashMap::new(),
        });
    }
    let mut walk = repo.revwalk().ok()?;
    walk.push_head().ok()?;
    walk.set_sorting(git2::Sort::TIME).ok()?;
    let mut times: HashMap<String, i64> = HashMap::new();
    let mut found = 0usize;
    let mut opts = git2::DiffOptions::new();
    // Docs at the root of the work tree (an empty prefix) need the whole tree's changes.
    if !prefixes.iter().any(String::is_empty) {
        for p in prefixes {
            opts.pathspec(p);
        }
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
                    if wanted.contains(v.key().as_str()) {
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
    Some(History { times })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn repo_roots_are_the_nearest_directory_with_git_and_shared_by_sites() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let outer = root.join("outer");
        std::fs::create_dir_all(outer.join(".git")).unwrap();
        std::fs::create_dir_all(outer.join("svc/a/docs")).unwrap();
        std::fs::create_dir_all(outer.join("svc/b")).unwrap();
        // A submodule or worktree: `.git` is a file.
        std::fs::create_dir_all(outer.join("sub/docs")).unwrap();
        std::fs::write(outer.join("sub/.git"), "gitdir: ../.git/modules/sub\n").unwrap();
        std::fs::create_dir_all(root.join("plain/docs")).unwrap();
        let mut roots = RepoRoots::default();
        assert_eq!(roots.of(&outer.join("svc/a/docs")), Some(outer.clone()));
        assert_eq!(roots.of(&outer.join("svc/b")), Some(outer.clone()));
        assert_eq!(roots.of(&outer), Some(outer.clone()));
        assert_eq!(roots.of(&outer.join("sub/docs")), Some(outer.join("sub")));
        // Not in a repository (unless the temporary directory itself is in one).
        let plain = roots.of(&root.join("plain/docs"));
        assert!(plain.is_none() || !plain.unwrap().starts_with(&root));
    }

    #[test]
    fn committed_files_get_dates_and_untracked_ones_none() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/a.md"), "# A\n").unwrap();
        let repo = git2::Repository::init(&root).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("docs/a.md")).unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig =
            git2::Signature::new("T", "t@example.com", &git2::Time::new(1_600_000_000, 0)).unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "a", &tree, &[])
            .unwrap();
        // Written after the commit: not in HEAD, so no date (and no reason to walk for it).
        std::fs::write(root.join("docs/new.md"), "# New\n").unwrap();
        let prefixes = ["docs".to_string()];
        let both: HashSet<String> = ["docs/a.md".into(), "docs/new.md".into()].into();
        let h = history(&root, &prefixes, &both).unwrap();
        assert_eq!(h.date_of("docs/a.md").as_deref(), Some("2020-09-13"));
        assert_eq!(h.date_of("docs/new.md"), None);
        let untracked: HashSet<String> = ["docs/new.md".into()].into();
        let h = history(&root, &prefixes, &untracked).unwrap();
        assert!(h.times.is_empty());
    }

    #[test]
    fn docs_at_the_work_tree_root_beside_docs_below_it_all_get_dates() {
        // One walk for two doc sites: one whose docs_dir is the work tree itself (an empty
        // prefix) and one under `sub/`. The walk must not narrow to `sub` alone.
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("a.md"), "# A\n").unwrap();
        std::fs::write(root.join("sub/b.md"), "# B\n").unwrap();
        let repo = git2::Repository::init(&root).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("a.md")).unwrap();
        index.add_path(Path::new("sub/b.md")).unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig =
            git2::Signature::new("T", "t@example.com", &git2::Time::new(1_600_000_000, 0)).unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "a", &tree, &[])
            .unwrap();
        let prefixes = [String::new(), "sub".to_string()];
        let wanted: HashSet<String> = ["a.md".into(), "sub/b.md".into()].into();
        let h = history(&root, &prefixes, &wanted).unwrap();
        assert_eq!(h.date_of("a.md").as_deref(), Some("2020-09-13"));
        assert_eq!(h.date_of("sub/b.md").as_deref(), Some("2020-09-13"));
    }
}
