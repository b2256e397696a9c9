//! Docs and search end to end: a repository with catalog-info.yaml, mkdocs.yml and docs/
//! → pages on disk, problems at file:line:col, a search index.

use portico::config::Config;
use portico::diag::Problem;
use std::path::{Path, PathBuf};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  title: Payments Service
  description: Takes money from customers
  tags: [billing]
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: service
  lifecycle: production
  owner: group:team-a
";

/// A repository with a nav, nested sections, links good and bad, an image and a snippet.
fn repo(root: &Path) {
    write(root, "catalog-info.yaml", CATALOG);
    write(
        root,
        "mkdocs.yml",
        "site_name: Payments
repo_url: https://github.com/acme/payments
edit_uri: edit/main/docs/
nav:
  - Home: index.md
  - Guides:
      - Setup: guide/setup.md
      - guide/deploy.md
  - Missing: nope.md
  - External: https://example.com/
markdown_extensions:
  - admonition
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
  - pymdownx.arithmatex
  - pymdownx.mark
  - pymdownx.caret
  - pymdownx.smartsymbols
plugins:
  - techdocs-core
  - macros
extra:
  token: !ENV [PAYMENTS_TOKEN, 'none']
  here: !relative $config_dir
",
    );
    write(
        root,
        "docs/index.md",
        "# Payments\n\nStart with [setup](guide/setup.md#install-it) or the [deploy guide](guide/deploy.md).\n\n![diagram](img/arch.png)\n\n\
         Questions: <payments@example.com> or payments-oncall@example.com, https://status.example.com.\n",
    );
    write(
        root,
        "docs/guide/setup.md",
        "# Setting up\n\n## Install it\n\nRun the installer.\n\n## Install it\n\nAgain.\n\nBack [home](../index.md), [broken](missing.md), [bad anchor](deploy.md#nowhere).\n\n--8<-- \"../outside.md\"\n",
    );
    write(
        root,
        "docs/guide/deploy.md",
        "# Deploying\n\nSee [second install](setup.md#install-it_1) and [up](../).\n\n```mermaid\ngraph TD\n```\n\n```plantuml\n@startuml\n@enduml\n```\n",
    );
    write(root, "docs/img/arch.png", "PNG");
}

/// [`repo`] in a new temporary directory (kept alive by the caller): the directory, and the
/// repository's root in it.
fn payments() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("payments");
    repo(&root);
    (tmp, root)
}

/// The catalog of `root`: its documents taken as entities as written (this suite tests docs,
/// not validation).
fn catalog(root: &Path, config: &Config) -> portico::model::Catalog {
    let inputs = portico::discover::Inputs::look(vec![root.to_path_buf()]);
    let found = portico::discover::discover(&inputs, config);
    let files = found
        .files
        .iter()
        .map(|f| {
            let parsed = portico::parse::parse_file(f);
            let entities = parsed
                .docs
                .iter()
                .map(|d| {
                    let data = d.root.to_json();
                    let name = data["metadata"]["name"].as_str().unwrap();
                    let kind = data["kind"].as_str().unwrap();
                    portico::model::Entity {
                        entity_ref: portico::model::EntityRef::new(kind, "default", name),
                        data,
                        spans: portico::parse::Spans::of(&d.root),
                        source: f.clone(),
                        document: d.index,
                        valid: true,
                    }
                })
                .collect();
            portico::model::ValidatedFile {
                source: f.clone(),
                entities,
                problems: vec![],
            }
        })
        .collect();
    portico::model::build(files)
}

/// The docs stage alone over the repositories under `root`, into a new temporary directory;
/// with the search index when `search` is set.
fn build_docs(root: &Path, search: bool) -> (portico::docs::Docs, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let config = Config {
        root: root.to_path_buf(),
        ..Config::default()
    };
    let catalog = catalog(root, &config);
    let renderer = portico::render::Theme::default().load().unwrap();
    let mut docs = portico::docs::build(&catalog, &config, &renderer, out.path());
    if search {
        let sections = portico::search::take_sections(&mut docs);
        portico::search::build(&catalog, &docs, sections, &config, &renderer, out.path()).unwrap();
    }
    (docs, out)
}

fn build(root: &Path) -> (portico::docs::Docs, PathBuf, tempfile::TempDir) {
    let (docs, out) = build_docs(root, true);
    let site = out.path().join("docs/default/component/payments");
    (docs, site, out)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The search shard holding `term`: the one named by the longest of its prefixes.
fn term_shard(search: &Path, term: &str) -> String {
    let shard = (1..=term.len())
        .rev()
        .map(|n| search.join(format!("t/{}.js", &term[..n])))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("a shard for `{term}`"));
    read(&shard)
}

fn located(problems: &[Problem], rule: &str) -> Vec<String> {
    problems
        .iter()
        .filter(|p| p.rule == rule)
        .map(|p| {
            let file = p.file.rsplit('/').take(2).collect::<Vec<_>>();
            format!(
                "{}/{}:{}:{}",
                file[1], file[0], p.span.start.line, p.span.start.column
            )
        })
        .collect()
}

#[test]
fn pages_are_written_in_mkdocs_layout_with_nav_toc_and_links() {
    let (_tmp, root) = payments();
    let (docs, site, _out) = build(&root);
    assert_eq!(docs.sites.len(), 1, "{:#?}", docs.problems);
    let s = &docs.sites[0];
    assert_eq!(s.site_name, "Payments");
    assert_eq!(s.url, "docs/default/component/payments/index.html");
    assert_eq!(s.dir, "docs/default/component/payments/");
    assert_eq!(s.pages, 3);
    assert_eq!(
        s.records.iter().map(|p| p.url.as_str()).collect::<Vec<_>>(),
        [
            "docs/default/component/payments/",
            "docs/default/component/payments/guide/setup/",
            "docs/default/component/payments/guide/deploy/",
        ]
    );

    let setup = read(&site.join("guide/setup/index.html"));
    // Heading ids as MkDocs makes them, duplicates numbered, permalinks.
    assert!(setup.contains("<h2 id=\"install-it\">"), "{setup}");
    assert!(setup.contains("<h2 id=\"install-it_1\">"));
    assert!(setup.contains("href=\"#install-it\" title=\"Permanent link\""));
    // Links rewritten to the page URLs (index.html so the site opens from disk too).
    assert!(setup.contains("href=\"../../index.html\""), "{setup}");
    // Nav with the current page marked, TOC, prev/next, edit link, entity link.
    assert!(setup.contains("aria-current=\"page\">Setup</a>"), "{setup}");
    assert!(setup.contains("<a href=\"#install-it\">Install it</a>"));
    assert!(
        setup.contains("rel=\"prev\" href=\"../../index.html\""),
        "{setup}"
    );
    assert!(
        setup.contains("rel=\"next\" href=\"../deploy/index.html\""),
        "{setup}"
    );
    assert!(setup.contains("https://github.com/acme/payments/edit/main/docs/guide/setup.md"));
    assert!(setup.contains("catalog/default/component/payments/index.html"));
    assert!(setup.contains("https://example.com/"));
    // Not a git repository: no date.
    assert!(!setup.contains("Last updated"));

    let home = read(&site.join("index.html"));
    assert!(
        home.contains("href=\"guide/setup/index.html#install-it\""),
        "{home}"
    );
    assert!(home.contains("src=\"img/arch.png\""));
    // E-mail addresses, in `<…>` or bare (magiclink), are mailto: links, not pages (the
    // broken-link test shows they are not reported either).
    assert!(
        home.contains(
            "Questions: <a href=\"mailto:payments@example.com\">payments@example.com</a> or \
             <a href=\"mailto:payments-oncall@example.com\">payments-oncall@example.com</a>, \
             <a href=\"https://status.example.com\">https://status.example.com</a>."
        ),
        "{home}"
    );
    assert!(site.join("img/arch.png").is_file(), "assets are copied");
    let deploy = read(&site.join("guide/deploy/index.html"));
    // A nav entry without a title takes the page's h1.
    assert!(
        deploy.contains("aria-current=\"page\">Deploying</a>"),
        "{deploy}"
    );
    assert!(deploy.contains("href=\"../setup/index.html#install-it_1\""));
    assert!(
        deploy.contains("href=\"../index.html\"") || deploy.contains("href=\"../../index.html\"")
    );
}

#[test]
fn broken_links_and_anchors_are_located_warnings() {
    let (_tmp, root) = payments();
    let (docs, _site, _out) = build(&root);
    assert_eq!(
        located(&docs.problems, "docs/broken-link"),
        ["guide/setup.md:11:27", "guide/setup.md:11:49"],
        "{:#?}",
        docs.problems
    );
    let anchor = docs
        .problems
        .iter()
        .find(|p| p.span.start.column == 49)
        .unwrap();
    assert!(anchor.message.contains("#nowhere"), "{}", anchor.message);
    assert_eq!(anchor.severity, portico::diag::Severity::Warning);
    // Every broken link names the entity whose docs hold it, for scorecards and entity pages.
    for p in docs
        .problems
        .iter()
        .filter(|p| p.rule == "docs/broken-link")
    {
        assert_eq!(
            p.entity.as_deref(),
            Some("component:default/payments"),
            "{p:#?}"
        );
    }
    // The nav entry for a missing page points into mkdocs.yml.
    assert_eq!(
        located(&docs.problems, "docs/nav"),
        ["payments/mkdocs.yml:9:14"]
    );
    // The snippet outside the repository was not read.
    assert_eq!(
        located(&docs.problems, "docs/snippet-outside"),
        ["guide/setup.md:13:1"]
    );
}

#[test]
fn custom_tags_load_and_unsupported_features_are_listed_once() {
    let (_tmp, root) = payments();
    let (docs, _site, _out) = build(&root);
    let msg = docs.skipped_message().unwrap();
    assert!(msg.contains("plugin macros"), "{msg}");
    assert!(msg.contains("extension pymdownx.arithmatex"), "{msg}");
    assert!(msg.contains("plantuml (1)"), "{msg}");
    // Mermaid fences are drawn (see mermaid_is_shipped_to_sites_with_diagrams_only).
    assert!(!msg.contains("mermaid"), "{msg}");
    assert!(!msg.contains("techdocs-core"), "{msg}");
    assert!(!msg.contains("admonition"), "{msg}");
    // Emoji shortcodes are replaced (docs::markdown::emoji_shortcodes), and mark, caret and
    // smartsymbols are done (docs::inline).
    for done in [
        "pymdownx.emoji",
        "pymdownx.mark",
        "pymdownx.caret",
        "pymdownx.smartsymbols",
    ] {
        assert!(!msg.contains(done), "{done}: {msg}");
    }
    assert!(
        !docs
            .problems
            .iter()
            .any(|p| p.file.ends_with("mkdocs.yml") && p.rule != "docs/nav"),
        "{:#?}",
        docs.problems
    );
}

#[test]
fn mermaid_is_shipped_to_sites_with_diagrams_only() {
    let (tmp, root) = payments();
    let (docs, site, out) = build(&root);
    assert_eq!(docs.diagram_pages, 1);
    // The page with a diagram loads Mermaid, then the script that draws it, from the site.
    let deploy = read(&site.join("guide/deploy/index.html"));
    assert!(
        deploy.contains(
            "<pre class=\"mermaid\"><code class=\"language-mermaid\">graph TD\n</code></pre>"
        ),
        "{deploy}"
    );
    let mermaid = deploy
        .find("<script src=\"../../../../../../assets/mermaid.min.js\" defer></script>")
        .expect("the page loads Mermaid");
    let draw = deploy
        .find("<script src=\"../../../../../../assets/diagrams.js\" defer></script>")
        .expect("the page loads diagrams.js");
    assert!(
        mermaid < draw,
        "Mermaid runs before the script that uses it"
    );
    // Pages without diagrams do not.
    let home = read(&site.join("index.html"));
    assert!(!home.contains("mermaid.min.js"), "{home}");
    // The library and its licence, once, in the site's assets.
    let js = std::fs::read(out.path().join("assets/mermaid.min.js")).unwrap();
    assert!(js.len() > 1_000_000, "the whole browser build of Mermaid");
    assert!(js.ends_with(
        b"globalThis[\"mermaid\"] = globalThis.__esbuild_esm_mermaid_nm[\"mermaid\"].default;\n"
    ));
    assert!(read(&out.path().join("assets/mermaid.LICENSE.txt")).contains("MIT License"));

    // A site without diagrams does not carry the library.
    write(
        &root,
        "docs/guide/deploy.md",
        "# Deploying\n\n```python\nprint(1)\n```\n",
    );
    let (docs, _site, out) = build(&root);
    assert_eq!(docs.diagram_pages, 0);
    assert!(!out.path().join("assets/mermaid.min.js").exists());

    // A theme with its own Mermaid: the site gets that one (a theme asset, copied with the
    // others by the render stage), and the docs stage does not write the built-in one.
    write(&root, "docs/guide/deploy.md", "```mermaid\npie\n```\n");
    let theme = tmp.path().join("theme");
    write(&theme, "mermaid.min.js", "/* our own Mermaid */");
    let renderer = portico::render::Theme {
        dir: Some(theme.clone()),
    }
    .load()
    .unwrap();
    assert_eq!(
        renderer.assets["mermaid.min.js"],
        b"/* our own Mermaid */".to_vec()
    );
    let config = Config {
        root: root.clone(),
        ..Config::default()
    };
    let out = tempfile::tempdir().unwrap();
    let docs = portico::docs::build(&catalog(&root, &config), &config, &renderer, out.path());
    assert_eq!(docs.diagram_pages, 1);
    assert!(!out.path().join("assets/mermaid.min.js").exists());
}

#[test]
fn without_nav_the_folder_tree_is_the_nav_and_inherit_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("payments");
    write(&root, "catalog-info.yaml", CATALOG);
    write(
        &root,
        "base.yml",
        "site_name: Base name\nrepo_url: https://gitlab.com/acme/p\n",
    );
    // `!ENV [VAR, default]`: the default when the variable is not set.
    write(
        &root,
        "mkdocs.yaml",
        "INHERIT: base.yml\ndocs_dir: !ENV [PORTICO_TEST_UNSET_DOCS_DIR, pages]\n",
    );
    write(&root, "pages/README.md", "# Welcome\n");
    write(&root, "pages/zeta.md", "# Zeta\n");
    write(&root, "pages/alpha.md", "No heading here.\n");
    write(&root, "pages/ops/index.md", "# Operations\n");
    write(&root, "pages/ops/run-book.md", "text\n");
    let (docs, site, _out) = build(&root);
    assert!(docs.problems.is_empty(), "{:#?}", docs.problems);
    let s = &docs.sites[0];
    assert_eq!(s.site_name, "Base name");
    let titles: Vec<&str> = s.records.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Welcome", "Alpha", "Zeta", "Operations", "Run book"]
    );
    let page = read(&site.join("ops/run-book/index.html"));
    assert!(page.contains("<summary>Ops</summary>"), "{page}");
    assert!(page.contains("https://gitlab.com/acme/p/edit/master/docs/ops/run-book.md"));
}

/// The monorepo plugin, which techdocs-core turns on: `!include` and `*include` in the nav
/// merge other sites' docs under their aliases, with their navs, edit links and links.
#[test]
fn monorepo_includes_merge_sites_under_their_alias() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("payments");
    write(&root, "catalog-info.yaml", CATALOG);
    write(
        &root,
        "mkdocs.yml",
        "site_name: Platform
repo_url: https://github.com/acme/platform
edit_uri: edit/main/docs/
nav:
  - Home: index.md
  - Payments: '!include ./services/pay/mkdocs.yml'
  - Ledger: '!include services/ledger/mkdocs.yml'
  - Libraries: '*include ./libs/*/mkdocs.yml'
  - Missing: '!include ./services/nope/mkdocs.yml'
  - Outside: '!include ../elsewhere/mkdocs.yml'
  - Empty: '*include ./nowhere/*/mkdocs.yml'
  - Loose: '*include ./libs/*'
  - Text: '!include ./services/pay/mkdocs.txt'
  - Nameless: '!include ./services/nameless/mkdocs.yml'
  - Twin: '!include ./services/twin/mkdocs.yml'
  - Bare: '!include ./services/bare/mkdocs.yml'
plugins:
  - techdocs-core
",
    );
    write(
        &root,
        "docs/index.md",
        "# Platform\n\nSee [payments](pay/index.md) and [the runbook](ledger-service/ops/runbook.md#restart).\n",
    );
    write(
        &root,
        "services/pay/mkdocs.yml",
        "site_name: pay\nnav:\n  - Overview: index.md\n  - Guides:\n      - guides/setup.md\n",
    );
    write(
        &root,
        "services/pay/docs/index.md",
        "# Payments\n\nBack [home](../index.md). ![d](diagram.png)\n",
    );
    write(&root, "services/pay/docs/diagram.png", "PNG");
    write(
        &root,
        "services/pay/docs/guides/setup.md",
        "# Setting up payments\n",
    );
    // No nav: the plugin lists folders first, then pages; `Ledger Service` is slugged.
    write(
        &root,
        "services/ledger/mkdocs.yml",
        "site_name: Ledger Service\nrepo_url: https://github.com/acme/ledger\n",
    );
    write(&root, "services/ledger/docs/index.md", "# Ledger\n");
    write(
        &root,
        "services/ledger/docs/ops/runbook.md",
        "# Runbook\n\n## Restart\n",
    );
    write(&root, "libs/b-lib/mkdocs.yml", "site_name: b\n");
    write(&root, "libs/b-lib/docs/index.md", "# B\n");
    // An included site may not include others.
    write(
        &root,
        "libs/a-lib/mkdocs.yml",
        "site_name: a\nnav:\n  - index.md\n  - More: '!include ../b-lib/mkdocs.yml'\n",
    );
    write(&root, "libs/a-lib/docs/index.md", "# A\n");
    write(tmp.path(), "elsewhere/mkdocs.yml", "site_name: x\n");
    write(&root, "services/pay/mkdocs.txt", "site_name: t\n");
    write(
        &root,
        "services/nameless/mkdocs.yml",
        "nav:\n  - index.md\n",
    );
    write(&root, "services/nameless/docs/index.md", "# Nameless\n");
    write(&root, "services/twin/mkdocs.yml", "site_name: pay\n");
    write(&root, "services/twin/docs/index.md", "# Twin\n");
    write(&root, "services/bare/mkdocs.yml", "site_name: bare\n");
    // The site's own files under an alias give way to the included site's, as the plugin's
    // copy does; a glob does not look into .git.
    write(&root, "docs/pay/index.md", "# Old payments\n");
    write(&root, "docs/pay/diagram.png", "OLD");
    write(&root, "libs/.git/mkdocs.yml", "site_name: git\n");
    write(&root, "libs/.git/docs/index.md", "# Git\n");

    let (docs, site, _out) = build(&root);
    assert_eq!(
        located(&docs.problems, "docs/mkdocs-include"),
        [
            "a-lib/mkdocs.yml:4:11",
            "payments/mkdocs.yml:9:14",
            "payments/mkdocs.yml:10:14",
            "payments/mkdocs.yml:11:12",
            "payments/mkdocs.yml:12:12",
            "payments/mkdocs.yml:13:11",
            "payments/mkdocs.yml:14:15",
            "payments/mkdocs.yml:15:11",
            "payments/mkdocs.yml:16:11",
        ],
        "{:#?}",
        docs.problems
    );
    let messages: Vec<&str> = docs.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "an included site cannot include others (the monorepo plugin does not nest)",
            "`./services/nope/mkdocs.yml` not found",
            "`../elsewhere/mkdocs.yml` is outside the folder of this mkdocs.yml",
            "`*include ./nowhere/*/mkdocs.yml` matches no file",
            "`*include ./libs/*` must match .yml or .yaml files",
            "`./services/pay/mkdocs.txt` is not a .yml or .yaml file",
            "`./services/nameless/mkdocs.yml` has no `site_name` (the folder its pages go to)",
            "`./services/twin/mkdocs.yml` and `./services/pay/mkdocs.yml` are both named `pay`: each included site needs its own site_name",
            "the docs_dir of `./services/bare/mkdocs.yml` does not exist",
        ]
    );
    let severities: Vec<String> = docs
        .problems
        .iter()
        .map(|p| format!("{:?}", p.severity))
        .collect();
    assert_eq!(
        severities,
        ["Error", "Error", "Error", "Warning", "Error", "Error", "Error", "Error", "Error"]
    );
    let s = &docs.sites[0];
    let pages: Vec<(&str, &str)> = s
        .records
        .iter()
        .map(|p| (p.path.as_str(), p.title.as_str()))
        .collect();
    assert_eq!(
        pages,
        [
            ("index.md", "Home"),
            ("pay/index.md", "Overview"),
            ("pay/guides/setup.md", "Setting up payments"),
            ("ledger-service/ops/runbook.md", "Runbook"),
            ("ledger-service/index.md", "Ledger"),
            ("a/index.md", "A"),
            ("b/index.md", "B"),
        ]
    );
    assert_eq!(read(&site.join("pay/diagram.png")), "PNG");
    let home = read(&site.join("index.html"));
    assert!(home.contains(r#"href="pay/index.html""#), "{home}");
    assert!(
        home.contains(r#"href="ledger-service/ops/runbook/index.html#restart""#),
        "{home}"
    );
    assert!(home.contains("<summary>Libraries</summary>"), "{home}");
    let pay = read(&site.join("pay/index.html"));
    assert!(pay.contains(r#"href="../index.html">home</a>"#), "{pay}");
    assert!(!pay.contains("Old payments"), "{pay}");
    // Edit links: the root's edit_uri with the docs folder swapped, or the site's own repo.
    assert!(pay.contains("https://github.com/acme/platform/edit/main/services/pay/docs/index.md"));
    let runbook = read(&site.join("ledger-service/ops/runbook/index.html"));
    assert!(
        runbook.contains(
            "https://github.com/acme/ledger/edit/main/services/ledger/docs/ops/runbook.md"
        ),
        "{runbook}"
    );
}

#[test]
fn git_history_gives_last_updated_dates() {
    let (_tmp, root) = payments();
    let repo = git2::Repository::init(&root).unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig =
        git2::Signature::new("T", "t@example.com", &git2::Time::new(1_600_000_000, 0)).unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "docs", &tree, &[])
        .unwrap();
    let (docs, site, _out) = build(&root);
    let page = read(&site.join("guide/setup/index.html"));
    assert!(
        page.contains("Last updated: <time datetime=\"2020-09-13\">2020-09-13</time>"),
        "{page}"
    );
    assert_eq!(docs.sites[0].last_updated.as_deref(), Some("2020-09-13"));
}

fn commit_all(repo: &git2::Repository, when: i64, parents: &[&git2::Commit]) -> git2::Oid {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::new("T", "t@example.com", &git2::Time::new(when, 0)).unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "c", &tree, parents)
        .unwrap()
}

#[test]
fn one_repository_with_many_doc_sites_dates_each_page_from_its_own_commits() {
    // A monorepo: docs at the root of the repository and under services/b/, each changed
    // by a different commit; one walk of the history serves both sites.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("mono");
    write(
        &root,
        "catalog-info.yaml",
        &CATALOG.replace("payments", "root-site"),
    );
    write(&root, "mkdocs.yml", "site_name: Root\n");
    write(&root, "docs/index.md", "# Root\n");
    write(
        &root,
        "services/b/catalog-info.yaml",
        &CATALOG.replace("payments", "b-site"),
    );
    write(&root, "services/b/mkdocs.yml", "site_name: B\n");
    write(&root, "services/b/docs/index.md", "# B\n");
    write(&root, "services/b/docs/old.md", "# Old\n");
    let repo = git2::Repository::init(&root).unwrap();
    let first = commit_all(&repo, 1_600_000_000, &[]);
    write(&root, "services/b/docs/index.md", "# B, changed\n");
    let first = repo.find_commit(first).unwrap();
    commit_all(&repo, 1_700_000_000, &[&first]);

    let (docs, out) = build_docs(&root, false);
    let date = |site: &str, page: &str| {
        let html = read(
            &out.path()
                .join(format!("docs/default/component/{site}/{page}index.html")),
        );
        let at = html
            .find("<time datetime=\"")
            .map(|i| &html[i + 16..i + 26]);
        at.map(String::from)
    };
    assert_eq!(date("root-site", "").as_deref(), Some("2020-09-13"));
    assert_eq!(date("b-site", "").as_deref(), Some("2023-11-14"));
    assert_eq!(date("b-site", "old/").as_deref(), Some("2020-09-13"));
    let updated: Vec<_> = docs
        .sites
        .iter()
        .map(|s| s.last_updated.as_deref())
        .collect();
    assert_eq!(updated.len(), 2);
    assert!(updated.contains(&Some("2020-09-13")) && updated.contains(&Some("2023-11-14")));
}

#[test]
fn search_index_finds_entities_and_doc_sections() {
    let (_tmp, root) = payments();
    let (_docs, _site, out) = build(&root);
    let search = out.path().join("search");
    let manifest = read(&search.join("index.js"));
    assert!(
        manifest.starts_with("__porticoSearch.load(\"index\","),
        "{manifest}"
    );
    // The term "installer" is in a shard named by one of its prefixes.
    assert!(term_shard(&search, "installer").contains("\"installer\":["));
    // Entities first; each doc site's sections start at a chunk of their own.
    let records = read(&search.join("r/0.js")) + &read(&search.join("r/1.js"));
    assert!(records.contains("\"Payments Service\""), "{records}");
    assert!(
        records.contains("guide/setup/index.html#install-it"),
        "{records}"
    );
    let page = read(&out.path().join("search.html"));
    assert!(page.contains("id=\"search-page-results\""));
    assert!(page.contains("id=\"search-input\""));
}

#[test]
fn search_records_show_entity_descriptions_as_text_not_markdown() {
    // Backstage descriptions are Markdown; the catalog shows their text, and so must the
    // search results: no `**` or backticks in the snippet, and the words still found.
    let (_tmp, root) = payments();
    write(
        &root,
        "catalog-info.yaml",
        &CATALOG.replace(
            "description: Takes money from customers",
            "description: \"Moves `money` to the **ledger**, see [docs](https://x.example)\"",
        ),
    );
    let (_docs, _site, out) = build(&root);
    let search = out.path().join("search");
    let records = read(&search.join("r/0.js"));
    assert!(
        records.contains("\"Moves money to the ledger, see docs\""),
        "{records}"
    );
    assert!(
        !records.contains("**") && !records.contains('`'),
        "{records}"
    );
    // Entity documents come first: the description's words point at document 0.
    let shard = term_shard(&search, "ledger");
    assert!(shard.contains("\"ledger\":[1,0,"), "{shard}");
}

#[test]
fn each_page_gets_its_own_highlighted_code_across_sites_and_batches() {
    // Code is highlighted for batches of about 200 pages at a time, sorted by language, and
    // put back page by page: a big site fills a batch, two small ones share the next.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repos");
    let sites = [("big", 210), ("small-a", 3), ("small-b", 2)];
    for (site, pages) in sites {
        let dir = root.join(site);
        write(
            &dir,
            "catalog-info.yaml",
            &CATALOG.replace("payments", site),
        );
        write(&dir, "mkdocs.yml", &format!("site_name: {site}\n"));
        for i in 0..pages {
            let id = format!("{site}_{i:03}").replace('-', "_");
            let name = if i == 0 {
                "index".into()
            } else {
                format!("p{i:03}")
            };
            // Python before Rust on the page; the same shell block on every page.
            write(
                &dir,
                &format!("docs/{name}.md"),
                &format!(
                    "# {id}\n\n```python\nprint('q_{id}')\n```\n\n```rust\nfn f_{id}() {{}}\n```\n\n\
                     ```bash\necho shared\n```\n"
                ),
            );
        }
    }
    // A page holding the marker characters is highlighted in place.
    write(
        &root,
        "small-b/docs/odd.md",
        "# Odd\n\nText \u{E000}0\u{E001}.\n\n```rust\nfn f_odd() {}\n```\n",
    );
    let (docs, out) = build_docs(&root, false);
    assert_eq!(docs.sites.iter().map(|s| s.pages).sum::<usize>(), 216);
    let mut checked = 0;
    for (site, pages) in sites {
        for i in 0..pages {
            let id = format!("{site}_{i:03}").replace('-', "_");
            let dir = if i == 0 {
                String::new()
            } else {
                format!("p{i:03}/")
            };
            let html = read(
                &out.path()
                    .join(format!("docs/default/component/{site}/{dir}index.html")),
            );
            let python = html.find("language-python").expect("python block");
            let rust = html.find("language-rust").expect("rust block");
            let bash = html.find("language-bash").expect("bash block");
            assert!(python < rust && rust < bash, "{id}: blocks out of order");
            // Each block holds its own page's code, highlighted.
            let q = html.find(&format!("q_{id}")).expect("the python string");
            let f = html
                .find(&format!(">f_{id}</span>"))
                .expect("the rust name");
            let echo = html.find(">echo</span>").expect("the shell command");
            assert!(python < q && q < rust, "{id}: python code misplaced");
            assert!(rust < f && f < bash, "{id}: rust code misplaced");
            assert!(bash < echo, "{id}: shell code misplaced");
            assert_eq!(html.matches("q_").count(), 1, "{id}: another page's code");
            assert_eq!(html.matches("f_").count(), 1, "{id}: another page's code");
            assert!(!html.contains('\u{E000}'), "{id}: a marker left");
            checked += 1;
        }
    }
    assert_eq!(checked, 215);
    let odd = read(
        &out.path()
            .join("docs/default/component/small-b/odd/index.html"),
    );
    assert!(odd.contains("Text \u{E000}0\u{E001}."), "{odd}");
    assert!(odd.contains(">f_odd</span>"), "{odd}");
}
