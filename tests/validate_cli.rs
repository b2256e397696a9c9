//! `portico validate` end to end: temp-dir fixtures, the real binary, its JSON output and
//! exit codes.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn portico(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("portico").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd.env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

/// Runs `portico validate --format json ARGS` in `dir`: (exit code, parsed output).
fn validate(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = portico(dir)
        .arg("validate")
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json)
}

/// `file:line:col rule` for each problem, in report order. Cross-file catalog checks
/// (dangling references to the fixtures' `team-a`, the same entity in several fixtures) are
/// left out: these tests are about files and their own problems.
fn problems(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["rule"].as_str().unwrap().starts_with("catalog/"))
        .map(|p| {
            format!(
                "{}:{}:{} {}",
                p["file"].as_str().unwrap(),
                p["line"],
                p["column"],
                p["rule"].as_str().unwrap()
            )
        })
        .collect()
}

/// `file:line:col rule` for every problem, cross-file ones included.
fn all_problems(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{} {}",
                p["file"].as_str().unwrap(),
                p["line"],
                p["column"],
                p["rule"].as_str().unwrap()
            )
        })
        .collect()
}

fn find<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["rule"] == rule)
        .collect()
}

const DUPLICATE_KEY: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: a
  name: b
spec:
  type: service
  lifecycle: production
  owner: team-a
";

const SYNTAX_ERROR: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: [unclosed
";

fn component(name: &str, spec_extra: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{spec_extra}"
    )
}

#[test]
fn every_problem_in_every_file_is_reported_with_relative_display_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "one/catalog-info.yaml", DUPLICATE_KEY);
    write(r, "two/nested/catalog-info.yml", SYNTAX_ERROR);
    write(r, "three/catalog-info.yaml", &component("fine", ""));
    let (code, report) = validate(r, &[]);
    assert_eq!(code, 1);
    let found = problems(&report);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("one/catalog-info.yaml:5:3 yaml/duplicate-key"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("two/nested/catalog-info.yml:4:1 yaml/syntax"),
        "{found:?}"
    );
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["summary"]["errors"], 2);

    // Same input, same bytes.
    let a = portico(r)
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    let b = portico(r)
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(a.stdout, b.stdout);

    // Human output by default; no colour when stdout is not a terminal.
    let human = portico(r)
        .arg("validate")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("one/catalog-info.yaml:5:3"), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
    assert_eq!(human.status.code(), Some(1));

    // Named explicitly, the path is shown as named.
    let (_, report) = validate(r, &["./one/"]);
    assert_eq!(
        problems(&report),
        vec!["one/catalog-info.yaml:5:3 yaml/duplicate-key"]
    );
}

#[test]
fn exit_codes_clean_errors_and_could_not_run() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "empty/README.md", "no catalog here");
    let (code, report) = validate(r, &["empty"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["files"], 0);

    // A nonexistent path: could not run, said on stderr.
    let out = portico(r).args(["validate", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope: no such file or directory"));
    assert!(out.stdout.is_empty());
    // Several unusable inputs among good ones: the first, in the order given, is told.
    let mut args = vec!["validate".to_string(), "empty".to_string()];
    args.extend((1..=50).map(|i| format!("missing{i}")));
    let out = portico(r).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("missing1: no such file or directory"),
        "{stderr}"
    );
    assert!(!stderr.contains("missing2"), "{stderr}");
    // A named file that exists but cannot be read (found when it is read, not up front):
    // could not run either, and no report. `/proc/self/mem` fails to read at offset 0, even
    // for root.
    if cfg!(target_os = "linux") {
        let out = portico(r)
            .args(["validate", "--format", "json", "empty", "/proc/self/mem"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("/proc/self/mem: cannot read file: "),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
        // Turning the rule off silences unreadable files found by the walk, not a named one.
        write(r, "quiet.yaml", "rules:\n  io/unreadable: off\n");
        let out = portico(r)
            .args([
                "validate",
                "--config",
                "quiet.yaml",
                "empty",
                "/proc/self/mem",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("/proc/self/mem: cannot read file: "));
    }

    // A bad flag, an unknown format, a missing --config file: could not run.
    for args in [
        vec!["validate", "--no-such-flag"],
        vec!["validate", "--format", "xml"],
        vec!["validate", "--config", "missing.yaml", "empty"],
    ] {
        let out = portico(r).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn bad_input_files_do_not_stop_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "bin/catalog-info.yaml", "");
    fs::write(
        r.join("bin/catalog-info.yaml"),
        b"\x7fELF\x00\x01\x02binary",
    )
    .unwrap();
    fs::create_dir_all(r.join("latin1")).unwrap();
    fs::write(
        r.join("latin1/catalog-info.yaml"),
        b"metadata:\n  name: caf\xe9\n",
    )
    .unwrap();
    write(r, "ok/catalog-info.yaml", DUPLICATE_KEY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{symlink, PermissionsExt};
        fs::create_dir_all(r.join("loop")).unwrap();
        symlink("catalog-info.yaml", r.join("loop/catalog-info.yaml")).unwrap();
        symlink("..", r.join("loop/up")).unwrap();
        write(r, "locked/catalog-info.yaml", "kind: Component\n");
        fs::set_permissions(
            r.join("locked/catalog-info.yaml"),
            fs::Permissions::from_mode(0o000),
        )
        .unwrap();
    }
    let (code, report) = validate(r, &[]);
    assert_eq!(code, 1);
    let found = problems(&report);
    let has = |prefix: &str| found.iter().any(|p| p.starts_with(prefix));
    assert!(has("bin/catalog-info.yaml:1:5 yaml/encoding"), "{found:?}");
    assert!(
        has("latin1/catalog-info.yaml:2:12 yaml/encoding"),
        "{found:?}"
    );
    assert!(
        has("ok/catalog-info.yaml:5:3 yaml/duplicate-key"),
        "{found:?}"
    );
    #[cfg(unix)]
    {
        assert!(has("loop/catalog-info.yaml:1:1 io/"), "{found:?}");
        assert!(has("loop/up:1:1 io/symlink-loop"), "{found:?}");
        // Root reads files whatever their mode: only check when the file is really locked.
        if fs::read(r.join("locked/catalog-info.yaml")).is_err() {
            assert!(
                has("locked/catalog-info.yaml:1:1 io/unreadable"),
                "{found:?}"
            );
        }
    }
    for p in report["problems"].as_array().unwrap() {
        assert!(!p["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn config_overrides_severities_and_reports_its_own_mistakes_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "svc/catalog-info.yaml", DUPLICATE_KEY);
    write(r, "portico.yaml", "rules:\n  yaml/duplicate-key: warning\n");
    let (code, report) = validate(r, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        find(&report, "yaml/duplicate-key")[0]["severity"],
        "warning"
    );
    assert_eq!(find(&report, "yaml/duplicate-key").len(), 1);

    // --strict makes the warning fail the run again, reported as an error.
    let (code, report) = validate(r, &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(find(&report, "yaml/duplicate-key")[0]["severity"], "error");

    write(r, "portico.yaml", "rules:\n  yaml/*: off\n");
    let (code, report) = validate(r, &[]);
    assert_eq!(code, 0);
    assert!(problems(&report).is_empty(), "{report}");

    // Excluded directories are not walked.
    write(r, "portico.yaml", "exclude: [svc]\n");
    let (code, report) = validate(r, &[]);
    assert_eq!((code, report["summary"]["files"].as_u64()), (0, Some(0)));

    // A typo in the config is a located error; the valid fields still apply.
    write(
        r,
        "portico.yaml",
        "rules:\n  yaml/duplicate-key: off\nexclud:\n  - svc\n",
    );
    let (code, report) = validate(r, &[]);
    assert_eq!(code, 1);
    assert_eq!(problems(&report), vec!["portico.yaml:3:1 config/invalid"]);

    // --config names another file; relative to the working directory.
    write(r, "other.yml", "rules: {yaml/duplicate-key: warning}\n");
    let (code, report) = validate(r, &["--config", "other.yml", "svc"]);
    assert_eq!(code, 0, "{report}");
}

mod git {
    use super::*;
    use git2::{Repository, Signature};

    fn commit_all(repo: &Repository, message: &str) {
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<_> = parent.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap();
    }

    #[test]
    fn changed_since_reports_only_files_changed_since_the_ref() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        let repo = Repository::init(r).unwrap();
        write(r, "old/catalog-info.yaml", DUPLICATE_KEY);
        write(r, "committed/catalog-info.yaml", "kind: Component\n");
        write(r, "staged/catalog-info.yaml", "kind: Component\n");
        commit_all(&repo, "base");
        repo.branch(
            "base",
            &repo.head().unwrap().peel_to_commit().unwrap(),
            false,
        )
        .unwrap();
        // Changed in a commit after the ref, in the index, and untracked.
        write(r, "committed/catalog-info.yaml", DUPLICATE_KEY);
        commit_all(&repo, "change");
        write(r, "staged/catalog-info.yaml", SYNTAX_ERROR);
        let mut index = repo.index().unwrap();
        index
            .add_path(Path::new("staged/catalog-info.yaml"))
            .unwrap();
        index.write().unwrap();
        write(r, "new/catalog-info.yaml", DUPLICATE_KEY);

        let (code, report) = validate(r, &["--changed-since", "base"]);
        assert_eq!(code, 1);
        let mut files: Vec<_> = report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| !p["rule"].as_str().unwrap().starts_with("catalog/"))
            .map(|p| p["file"].as_str().unwrap())
            .collect();
        files.dedup();
        assert_eq!(
            files,
            vec![
                "committed/catalog-info.yaml",
                "new/catalog-info.yaml",
                "staged/catalog-info.yaml"
            ]
        );
        // Without the flag, the old problem is there too.
        let (_, all) = validate(r, &[]);
        assert!(problems(&all)[..].iter().any(|p| p.starts_with("old/")));

        // From a subdirectory with a path argument, paths still map.
        let (_, sub) = validate(&r.join("new"), &["--changed-since", "base", "."]);
        assert_eq!(
            problems(&sub),
            vec!["catalog-info.yaml:5:3 yaml/duplicate-key"]
        );

        // Nothing changed since HEAD in a clean file set: exit 0 even with old problems.
        let (code, _) = validate(r, &["--changed-since", "HEAD", "old"]);
        assert_eq!(code, 0);

        // An unknown ref: could not run.
        let out = portico(r)
            .args(["validate", "--changed-since", "no-such-ref"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-ref"));
    }

    #[test]
    fn changed_since_outside_a_git_repository_cannot_run() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "catalog-info.yaml", DUPLICATE_KEY);
        let out = portico(tmp.path())
            .args(["validate", "--changed-since", "HEAD"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
    }
}

const TEAM_A: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
";

#[test]
fn dangling_references_and_duplicates_across_files_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(
        r,
        "web/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: shop
  dependsOn:
    - resource:db
    - component:web-copy
",
    );
    write(r, "org/catalog-info.yaml", TEAM_A);
    write(r, "copy/catalog-info.yaml", &component("web-copy", ""));
    write(r, "copy/again.yaml", &component("WEB-COPY", ""));
    let (code, report) = validate(r, &["org", "web", "copy", "copy/again.yaml"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        all_problems(&report),
        vec![
            "copy/again.yaml:4:9 catalog/duplicate-entity",
            "copy/catalog-info.yaml:4:9 catalog/duplicate-entity",
            "web/catalog-info.yaml:9:11 catalog/dangling-ref",
            "web/catalog-info.yaml:11:7 catalog/dangling-ref",
        ]
    );
    let dangling = find(&report, "catalog/dangling-ref");
    assert_eq!(dangling[0]["severity"], "warning");
    assert_eq!(dangling[0]["entity"], "component:default/web");
    assert!(dangling[0]["message"]
        .as_str()
        .unwrap()
        .contains("system:default/shop"));
    assert!(dangling[1]["message"]
        .as_str()
        .unwrap()
        .contains("resource:default/db"));
    let dups = find(&report, "catalog/duplicate-entity");
    assert!(dups[0]["message"]
        .as_str()
        .unwrap()
        .contains("copy/catalog-info.yaml:4:9"));
    assert!(dups[1]["message"]
        .as_str()
        .unwrap()
        .contains("copy/again.yaml:4:9"));
    assert_eq!(report["summary"]["entities"], 3);

    // Without the duplicate: warnings only, exit 0; --strict fails.
    fs::remove_file(r.join("copy/again.yaml")).unwrap();
    let (code, _) = validate(r, &[]);
    assert_eq!(code, 0);
    let (code, _) = validate(r, &["--strict"]);
    assert_eq!(code, 1);
    // A config override makes dangling references errors.
    write(r, "portico.yaml", "rules:\n  catalog/dangling-ref: error\n");
    let (code, report) = validate(r, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        find(&report, "catalog/dangling-ref")[0]["severity"],
        "error"
    );
}

#[test]
fn location_targets_are_followed_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(
        r,
        "repo/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: all
spec:
  targets:
    - ./teams/*.yaml
    - ./missing.yaml
    - ../outside.yaml
    - https://example.com/catalog-info.yaml
",
    );
    write(r, "repo/teams/a.yaml", TEAM_A);
    write(
        r,
        "repo/teams/b.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: nested\nspec:\n  target: ../more/svc.yaml\n",
    );
    write(
        r,
        "repo/more/svc.yaml",
        &component("svc", "  system: nope\n"),
    );
    write(r, "repo/.git/HEAD", "ref: refs/heads/main\n");
    write(r, "outside.yaml", DUPLICATE_KEY);
    let (code, report) = validate(r, &["repo"]);
    assert_eq!(code, 1, "{report}");
    let found = all_problems(&report);
    assert!(
        found.contains(&"repo/catalog-info.yaml:8:7 location/missing-target".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"repo/catalog-info.yaml:9:7 location/outside-repo".to_string()),
        "{found:?}"
    );
    // Files reached through Locations (two levels deep) are validated too.
    assert!(
        found.contains(&"repo/more/svc.yaml:9:11 catalog/dangling-ref".to_string()),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|p| p.starts_with("outside.yaml")),
        "{found:?}"
    );
    assert_eq!(report["summary"]["files"], 4);
    assert_eq!(report["summary"]["entities"], 4);
}

#[test]
fn techdocs_ref_without_mkdocs_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    write(r, "org/catalog-info.yaml", TEAM_A);
    let with_docs = |dir: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {dir}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        )
    };
    write(r, "has/catalog-info.yaml", &with_docs("has"));
    write(r, "has/mkdocs.yml", "site_name: has\n");
    write(r, "lacks/catalog-info.yaml", &with_docs("lacks"));
    let (code, report) = validate(r, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        all_problems(&report),
        vec!["lacks/catalog-info.yaml:6:32 techdocs/missing-mkdocs"]
    );
}
