//! `portico build` end to end: the real binary on example-repo and on small temp-dir
//! repositories; pages, links, escaping, determinism, themes and exit codes.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Runs `portico build ARGS` in `dir`: (exit code, stdout, stderr).
fn build(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("portico")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .arg("build")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read(site: &Path, rel: &str) -> String {
    fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file of a site, relative path → bytes.
fn files(site: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![site.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(site)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Internal `href`/`src` targets of every HTML page that do not name a file of the site.
/// External links, in-page anchors and the search page (the search stage's) are skipped.
fn broken_links(site: &Path) -> Vec<String> {
    let re = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let mut broken = vec![];
    for (rel, bytes) in files(site) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let dir = site.join(&rel).parent().unwrap().to_path_buf();
        for cap in re.captures_iter(&html) {
            let href = cap[1].replace("&#x2f;", "/").replace("&amp;", "&");
            if href.contains("://") || href.starts_with("mailto:") || href.starts_with('#') {
                continue;
            }
            let file = href.split(['#', '?']).next().unwrap();
            if file.is_empty() || file.ends_with("search.html") {
                continue;
            }
            let decoded = percent_encoding::percent_decode_str(file)
                .decode_utf8_lossy()
                .into_owned();
            let mut target = dir.join(&decoded);
            if decoded.ends_with('/') {
                target = target.join("index.html");
            }
            if !target.is_file() {
                broken.push(format!("{rel}: {href}"));
            }
        }
    }
    broken
}

fn entity_page(e: &Value) -> String {
    format!(
        "catalog/{}/{}/{}/index.html",
        e["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_lowercase(),
        e["kind"].as_str().unwrap().to_lowercase(),
        e["metadata"]["name"].as_str().unwrap()
    )
}

#[test]
fn example_repo_site_has_every_page_and_no_broken_link() {
    let download = regex::Regex::new(r#"href="(definition\.[a-z]+)" download"#).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let (code, stdout, stderr) = build(
        &root(),
        &[
            "example-repo",
            "--out",
            site.to_str().unwrap(),
            "--allow-errors",
        ],
    );
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    for page in [
        "index.html",
        "catalog/index.html",
        "problems/index.html",
        "assets/portico.css",
        "assets/portico.js",
    ] {
        assert!(site.join(page).is_file(), "{page} missing");
    }
    let entities: Value = serde_json::from_str(&read(&site, "api/entities.json")).unwrap();
    let entities = entities.as_array().unwrap();
    assert!(entities.len() >= 20, "only {} entities", entities.len());
    let catalog = read(&site, "catalog/index.html");
    let catalog_data = read(&site, "catalog/entities.js");
    for e in entities {
        let page = entity_page(e);
        assert!(site.join(&page).is_file(), "{page} missing");
        let json = page
            .replace("catalog/", "api/entities/")
            .replace("/index.html", ".json");
        let one: Value = serde_json::from_str(&read(&site, &json)).unwrap();
        assert_eq!(&one, e, "{json} differs from its entry in entities.json");
        // Every entity is a row of the catalog table's data (catalog/entities.js; the HTML
        // holds the first page of rows, checked below).
        assert!(
            catalog_data.contains(&format!("\"{page}\"")),
            "{page} not in catalog/entities.js"
        );
    }
    // Without JS the catalog shows its first 100 rows, each a link to its entity's page.
    let rows = catalog.matches("<tr data-kind=").count();
    assert_eq!(
        rows,
        entities.len().min(100),
        "rows of the catalog's first page"
    );
    let first = entity_page(&entities[0]);
    assert!(
        catalog.contains(&format!("href=\"../{first}\"")),
        "{first} not in the catalog table"
    );
    // A component's owner link goes to the group page, and the group lists it back.
    let comp = entities
        .iter()
        .find(|e| {
            e["kind"] == "Component"
                && e["relations"].as_array().unwrap().iter().any(|r| {
                    r["type"] == "ownedBy" && r["targetRef"].as_str().unwrap().starts_with("group:")
                })
        })
        .expect("a component owned by a group");
    let owner_ref = comp["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "ownedBy")
        .unwrap()["targetRef"]
        .as_str()
        .unwrap()
        .to_string();
    let (ns, name) = owner_ref
        .trim_start_matches("group:")
        .split_once('/')
        .unwrap();
    let comp_html = read(&site, &entity_page(comp));
    let owner_href = format!("href=\"../../../../catalog/{ns}/group/{name}/index.html\"");
    let about = &comp_html[comp_html
        .find("id=\"about-owner\"")
        .expect("owner in about card")..];
    assert!(
        about[..400.min(about.len())].contains(&owner_href),
        "owner link {owner_href} not in the about card"
    );
    assert!(
        comp_html.contains("<svg class=\"graph\""),
        "relations graph"
    );
    let group_html = read(&site, &format!("catalog/{ns}/group/{name}/index.html"));
    let comp_name = comp["metadata"]["name"].as_str().unwrap();
    let owns = &group_html[group_html
        .find("data-relation=\"ownerOf\"")
        .expect("ownerOf group")..];
    assert!(
        owns.contains(&format!("/component/{comp_name}/index.html")),
        "group does not list {comp_name}"
    );
    assert!(
        group_html.contains("id=\"owned\""),
        "group page lists what it owns"
    );
    // APIs: the raw definition is downloadable from the page.
    for api in entities.iter().filter(|e| e["kind"] == "API") {
        let page = entity_page(api);
        let html = read(&site, &page);
        let file = download
            .captures(&html)
            .unwrap_or_else(|| panic!("{page}: no download link"))[1]
            .to_string();
        let raw = read(&site, &page.replace("index.html", &file));
        assert_eq!(
            raw,
            api["spec"]["definition"].as_str().unwrap(),
            "{page}: raw definition"
        );
    }
    let broken = broken_links(&site);
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let (code, _, stderr) = build(
            &root(),
            &[
                "example-repo",
                "--out",
                out.to_str().unwrap(),
                "--allow-errors",
            ],
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let (fa, fb) = (files(&a), files(&b));
    assert!(fa.len() > 50, "{} files", fa.len());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (rel, bytes) in &fa {
        assert!(bytes == &fb[rel], "{rel} differs between two builds");
    }
}

#[test]
fn entity_pages_do_not_depend_on_how_the_input_path_was_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let absolute = root().join("example-repo");
    for (dir, input, out) in [
        (root(), "example-repo".to_string(), &a),
        (
            tmp.path().to_path_buf(),
            absolute.to_string_lossy().into_owned(),
            &b,
        ),
    ] {
        let args = [
            input.as_str(),
            "--out",
            out.to_str().unwrap(),
            "--allow-errors",
        ];
        let (code, _, stderr) = build(&dir, &args);
        assert_eq!(code, 0, "{stderr}");
    }
    let (fa, fb) = (files(&a), files(&b));
    // Source locations on entity pages, and everything scorecards write, are the same bytes.
    // (Problem messages quoting a path still follow the input as typed, like the CLI's.)
    let locs = |bytes: &[u8]| -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        text.split("<code class=\"loc\">")
            .skip(1)
            .map(|s| s.split("</code>").next().unwrap().to_string())
            .collect()
    };
    let pages: Vec<_> = fa.keys().filter(|k| k.starts_with("catalog/")).collect();
    assert!(pages.len() > 10, "{pages:?}");
    for rel in pages {
        assert_eq!(locs(&fa[rel]), locs(&fb[rel]), "{rel}");
    }
    for rel in fa.keys().filter(|k| k.starts_with("scorecards/")) {
        assert_eq!(locs(&fa[rel]), locs(&fb[rel]), "{rel}");
    }
    let json = String::from_utf8_lossy(&fb["api/scorecards.json"]);
    let typed = format!("\"file\":\"{}", absolute.to_string_lossy());
    assert!(!json.contains(&typed), "{json}");
    assert!(json.contains("\"file\":\"scorecards/"), "{json}");
    let page = read(&a, "catalog/default/component/payments-api/index.html");
    assert!(page.contains("payments-api/catalog-info.yaml"), "{page}");
}

const MARKUP: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: markup
  title: Title <b>bold</b> & "q"
  description: 'Hello <script>window.pwned = 1</script> **world**'
  links:
    - url: javascript:alert(1)
      title: Evil
spec:
  type: service
  lifecycle: production
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  profile:
    email: "a<b>bold</b>@x<script>window.mail = 1</script>"
  children: []
"#;

#[test]
fn markup_in_entity_text_is_shown_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "repo/catalog-info.yaml", MARKUP);
    let (code, stdout, stderr) = build(tmp.path(), &["repo", "--out", "site"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let site = tmp.path().join("site");
    for page in [
        "catalog/default/component/markup/index.html",
        "catalog/index.html",
        "catalog/default/group/team-a/index.html",
    ] {
        let html = read(&site, page);
        assert!(
            !html.contains("<script>window"),
            "{page}: script tag survived"
        );
        assert!(!html.contains("<b>bold"), "{page}: <b> became an element");
        assert!(!html.contains("javascript:"), "{page}: javascript: link");
    }
    let html = read(&site, "catalog/default/component/markup/index.html");
    assert!(
        html.contains("Title &lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot;"),
        "title escaped"
    );
    assert!(
        html.contains("&lt;script&gt;window.pwned = 1&lt;/script&gt;"),
        "script shown as text"
    );
    assert!(html.contains("<strong>world</strong>"), "Markdown rendered");
    // An e-mail address may break after its @ (a <wbr> the template adds), its text escaped.
    let group = read(&site, "catalog/default/group/team-a/index.html");
    assert!(
        group.contains(
            ">a&lt;b&gt;bold&lt;/b&gt;@<wbr>x&lt;script&gt;window.mail = 1&lt;/script&gt;</a>"
        ),
        "{group}"
    );
}

#[test]
fn docs_index_lists_doc_sites_and_says_so_when_there_are_none() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "plain/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: plain\nspec:\n  type: service\n  lifecycle: production\n  owner: user:me\n",
    );
    let (code, stdout, stderr) = build(tmp.path(), &["plain", "--out", "site", "--allow-errors"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let index = read(&tmp.path().join("site"), "docs/index.html");
    assert!(index.contains("No entity has documentation yet"), "{index}");
    assert!(!index.contains("<table"));

    write(
        tmp.path(),
        "documented/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: documented\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: user:me\n",
    );
    write(
        tmp.path(),
        "documented/mkdocs.yml",
        "site_name: Documented handbook\n",
    );
    write(tmp.path(), "documented/docs/index.md", "# Hello\n");
    write(tmp.path(), "documented/docs/more.md", "# More\n");
    let (code, stdout, stderr) = build(
        tmp.path(),
        &["plain", "documented", "--out", "site2", "--allow-errors"],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let site = tmp.path().join("site2");
    let index = read(&site, "docs/index.html");
    assert_eq!(
        index.matches("<tr>").count(),
        2,
        "a header row and one site: {index}"
    );
    assert!(
        index.contains(
            r#"<a href="../docs/default/component/documented/index.html">Documented handbook</a>"#
        ),
        "{index}"
    );
    assert!(
        index.contains(r#"<td class="num">2</td>"#),
        "two pages: {index}"
    );
    assert!(read(&site, "index.html").contains(r#"href="docs/index.html""#));
}

#[test]
fn a_group_owning_hundreds_of_entities_counts_them_by_team_instead_of_listing_them() {
    // org -> team-a (201 components) and team-b (1 API): past 200 rows the org's page counts
    // each sub-team's share and links to where it is listed; team-a's lists nothing either,
    // team-b's lists its API.
    let tmp = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: org\nspec:\n  type: organization\n  children: [team-a, team-b]\n",
    );
    for team in ["team-a", "team-b"] {
        yaml.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {team}\nspec:\n  type: team\n  children: []\n"
        ));
    }
    for n in 0..201 {
        yaml.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{n:03}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        ));
    }
    yaml.push_str("---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-b\n  definition: openapi\n");
    write(tmp.path(), "org/catalog-info.yaml", &yaml);
    let (code, stdout, stderr) = build(tmp.path(), &["org", "--out", "site"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let site = tmp.path().join("site");

    let org = read(&site, "catalog/default/group/org/index.html");
    assert!(
        org.contains(r#"Owned <span class="count">202</span>"#),
        "{org}"
    );
    assert!(
        org.contains("1 API, 201 Components: too many to list here"),
        "{org}"
    );
    assert!(
        !org.contains("svc-000"),
        "the 202 entities are not listed one by one"
    );
    assert!(
        org.contains(r#"<a href="../../../../catalog/index.html#owner=group%3Adefault%2Fteam-a">201 entities</a>"#),
        "team-a has no sub-teams: its share is the catalog filtered to it: {org}"
    );
    assert!(
        org.contains(r#"<a href="../../../../catalog/index.html#owner=group%3Adefault%2Fteam-b">1 entity</a>"#),
        "{org}"
    );
    let team_a = read(&site, "catalog/default/group/team-a/index.html");
    assert!(team_a.contains("201 Components: too many to list here"));
    let team_b = read(&site, "catalog/default/group/team-b/index.html");
    assert!(
        team_b.contains(r#"href="../../../../catalog/default/api/orders/index.html""#),
        "under the limit every row is listed: {team_b}"
    );
    // The catalog offers the owner the links filter by.
    let catalog = read(&site, "catalog/index.html");
    assert!(
        catalog.contains(r#"<option value="group:default/team-a""#),
        "{catalog}"
    );
}

#[test]
fn past_200_doc_sites_the_docs_index_is_paged_with_links_to_each_letter() {
    // 401 sites, titled Alpha…Echo (81 Alpha, 80 of each other): pages of 200, 200 and 1.
    let tmp = tempfile::tempdir().unwrap();
    let words = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"];
    for n in 0..401 {
        let dir = format!("repos/site-{n:03}");
        write(
            tmp.path(),
            &format!("{dir}/catalog-info.yaml"),
            &format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: site-{n:03}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: user:me\n"),
        );
        write(
            tmp.path(),
            &format!("{dir}/mkdocs.yml"),
            &format!("site_name: {} {n:03}\n", words[n % 5]),
        );
        write(tmp.path(), &format!("{dir}/docs/index.md"), "# Home\n");
    }
    let (code, stdout, stderr) = build(tmp.path(), &["repos", "--out", "site", "--allow-errors"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let site = tmp.path().join("site");
    let pages: Vec<String> = ["index.html", "index-2.html", "index-3.html"]
        .iter()
        .map(|p| read(&site, &format!("docs/{p}")))
        .collect();
    assert!(!site.join("docs/index-4.html").exists());
    let rows: Vec<usize> = pages
        .iter()
        .map(|p| p.matches(r#"<td class="num">1</td>"#).count())
        .collect();
    assert_eq!(rows, vec![200, 200, 1], "sites per page");
    for (k, p) in pages.iter().enumerate() {
        assert!(
            p.contains("401 documentation sites with 401 pages"),
            "every page counts the whole: {p}"
        );
        assert!(p.contains(&format!("<span>Page {} of 3</span>", k + 1)));
    }
    // Previous and next, relative to docs/.
    assert!(pages[0].contains(r#"<a href="index-2.html" rel="next">Next</a>"#));
    assert!(pages[1].contains(r#"<a href="index.html" rel="prev">Previous</a>"#));
    assert!(pages[1].contains(r#"<a href="index-3.html" rel="next">Next</a>"#));
    // Alphabetical across pages; each letter links to the row where it starts.
    let letters = r##"<li><a href="index.html#letter-1">A</a></li><li><a href="index.html#letter-2">B</a></li><li><a href="index.html#letter-3">C</a></li><li><a href="index-2.html#letter-4">D</a></li><li><a href="index-2.html#letter-5">E</a></li>"##;
    for p in &pages {
        assert!(p.contains(letters), "{p}");
    }
    assert!(
        pages[0].contains(r#"<tr id="letter-3"><td><a href="../docs/default/component/site-002/index.html">Charlie 002</a>"#),
        "{}",
        pages[0]
    );
    assert!(pages[1].contains(r#"<tr id="letter-4"><td><a href="../docs/default/component/site-003/index.html">Delta 003</a>"#));
    assert!(
        pages[2].contains(">Echo 399</a>"),
        "the last site: {}",
        pages[2]
    );
}

#[test]
fn errors_fail_the_build_unless_allowed_and_the_site_shows_them() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "repo/catalog-info.yaml", MARKUP);
    // An invalid lifecycle type and a name Backstage rejects: errors, still shown.
    write(
        tmp.path(),
        "repo/bad/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: broken-one\nspec:\n  type: service\n  lifecycle: 7\n  owner: team-a\n",
    );
    let (code, stdout, _) = build(tmp.path(), &["repo", "--out", "site", "--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("the same JSON report as validate");
    assert!(report["summary"]["errors"].as_u64().unwrap() > 0);
    let site = tmp.path().join("site");
    assert!(
        site.join("index.html").is_file(),
        "the site is written despite errors"
    );
    let problems = read(&site, "problems/index.html");
    assert!(
        problems.contains("repo/bad/catalog-info.yaml"),
        "problems page lists the file"
    );

    let (code, _, _) = build(tmp.path(), &["repo", "--out", "site", "--allow-errors"]);
    assert_eq!(code, 0);
    // --strict makes warnings count: a dangling dependency is a warning.
    let strict = tempfile::tempdir().unwrap();
    write(
        strict.path(),
        "repo/catalog-info.yaml",
        &MARKUP.replace(
            "  owner: team-a\n---",
            "  owner: team-a\n  dependsOn: [component:nowhere]\n---",
        ),
    );
    assert_eq!(build(strict.path(), &["repo", "--out", "site"]).0, 0);
    assert_eq!(
        build(strict.path(), &["repo", "--out", "site", "--strict"]).0,
        1
    );
}

#[test]
fn past_200_rows_a_problems_section_lists_its_first_rows_and_the_rest_on_pages_of_its_own() {
    // 250 components, each owned by a group that does not exist and depending on a
    // component that does not exist: 500 dangling references (warnings), 250 missing
    // owners, and one invalid file (2 errors).
    let tmp = tempfile::tempdir().unwrap();
    for n in 0..250 {
        write(
            tmp.path(),
            &format!("repos/svc-{n:03}/catalog-info.yaml"),
            &format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{n:03}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:ghost-{n:03}\n  dependsOn: [component:missing-{n:03}]\n"),
        );
    }
    write(
        tmp.path(),
        "repos/bad/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bad\nspec:\n  type: service\n  lifecycle: 7\n",
    );
    let (code, stdout, stderr) = build(tmp.path(), &["repos", "--out", "site", "--allow-errors"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let site = tmp.path().join("site");
    let index = read(&site, "problems/index.html");
    // Every section counted in full; each long one lists its first 200 rows and links on.
    for count in [
        r#"Validation problems</a> <span class="count">502</span>"#,
        r#"Dangling references</a> <span class="count">500</span>"#,
        r#"Entities without an owner</a> <span class="count">1</span>"#,
        r#"Owners that do not exist</a> <span class="count">250</span>"#,
    ] {
        assert!(index.contains(count), "{count}");
    }
    assert_eq!(index.matches(r#"<li class="problem "#).count(), 200);
    assert!(index.contains(
        r#"Showing the first 200 of 502. <a href="validation.html">All 502 validation problems</a>"#
    ));
    assert!(index.contains(
        r#"Showing the first 200 of 500. <a href="dangling.html">All 500 dangling references</a>"#
    ));
    assert!(index.contains(r#"Showing the first 200 of 250. <a href="missing-owner.html">All 250 entities whose owner does not exist</a>"#));
    assert!(
        !index.contains("no-owner.html"),
        "a short section is listed whole"
    );
    // The rules of a long list of validation problems, most frequent first.
    let by_rule = &index[index.find("Problems by rule").expect("a summary by rule")..];
    let rows: Vec<&str> = by_rule
        .split("<tr><td><code>")
        .skip(1)
        .map(|r| &r[..r.find("</tr>").unwrap()])
        .collect();
    assert_eq!(
        rows,
        [
            r#"catalog/dangling-ref</code></td><td class="num">0</td><td class="num">500</td>"#,
            r#"schema/required</code></td><td class="num">1</td><td class="num">0</td>"#,
            r#"schema/type</code></td><td class="num">1</td><td class="num">0</td>"#,
        ]
    );

    // A section's own pages: that section alone, 200 rows a page, with a way back.
    let pages: Vec<String> = ["dangling.html", "dangling-2.html", "dangling-3.html"]
        .iter()
        .map(|p| read(&site, &format!("problems/{p}")))
        .collect();
    assert!(!site.join("problems/dangling-4.html").exists());
    let rows: Vec<usize> = pages
        .iter()
        .map(|p| p.matches("<tr><td>").count())
        .collect();
    assert_eq!(rows, [200, 200, 100]);
    for (k, p) in pages.iter().enumerate() {
        assert!(p.contains(&format!("<span>Page {} of 3</span>", k + 1)));
        assert!(p.contains(r#"<li><a href="index.html">Problems</a></li>"#));
        assert!(p.contains(r#"<h1 id="dangling-title">Dangling references</h1>"#));
        assert!(!p.contains("id=\"validation\"") && !p.contains("id=\"missing-owner\""));
        assert!(
            p.contains(r#"href="../catalog/default/component/svc-"#),
            "links from problems/"
        );
    }
    assert!(pages[1].contains("Rows 201–400 of 500."));
    assert!(pages[1].contains(r#"<a href="dangling.html" rel="prev">Previous</a>"#));
    assert!(pages[1].contains(r#"<a href="dangling-3.html" rel="next">Next</a>"#));
    // In the order of the full list: svc-100's two references start page 2.
    assert!(pages[1].contains("<code>component:default/missing-100</code>"));
    assert!(!pages[0].contains("missing-100<"));
    assert!(pages[2].contains("<code>group:default/ghost-249</code>"));
    let validation = read(&site, "problems/validation-3.html");
    assert_eq!(validation.matches(r#"<li class="problem "#).count(), 102);
    assert!(read(&site, "problems/missing-owner-2.html")
        .contains("<code>group:default/ghost-249</code>"));
}

#[test]
fn theme_directory_overrides_templates_and_bad_themes_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "repo/catalog-info.yaml", MARKUP);
    write(
        tmp.path(),
        "theme/home.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Our own home</h1>{% endblock %}",
    );
    write(
        tmp.path(),
        "theme/portico.css",
        "body { color: rebeccapurple; }",
    );
    let (code, _, stderr) = build(tmp.path(), &["repo", "--out", "site", "--theme", "theme"]);
    assert_eq!(code, 0, "{stderr}");
    let site = tmp.path().join("site");
    let home = read(&site, "index.html");
    assert!(home.contains("<h1>Our own home</h1>") && home.contains("id=\"search-input\""));
    assert_eq!(
        read(&site, "assets/portico.css"),
        "body { color: rebeccapurple; }"
    );
    // Entity pages still use the default templates.
    assert!(read(&site, "catalog/default/component/markup/index.html").contains("id=\"about\""));

    write(tmp.path(), "theme/home.html", "{% if %}");
    let (code, _, stderr) = build(tmp.path(), &["repo", "--out", "site2", "--theme", "theme"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("home.html"), "{stderr}");
    assert!(
        !tmp.path().join("site2").exists(),
        "nothing written on a usage error"
    );
}

#[test]
fn output_replaces_a_previous_site_but_never_another_directory() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "repo/catalog-info.yaml", MARKUP);
    assert_eq!(build(tmp.path(), &["repo", "--out", "site"]).0, 0);
    write(tmp.path(), "site/stale.html", "old");
    assert_eq!(build(tmp.path(), &["repo", "--out", "site"]).0, 0);
    assert!(
        !tmp.path().join("site/stale.html").exists(),
        "the old site is replaced as a whole"
    );
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".portico"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary directories left: {leftovers:?}"
    );

    write(tmp.path(), "precious/notes.txt", "keep me");
    let (code, _, stderr) = build(tmp.path(), &["repo", "--out", "precious"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("refusing"), "{stderr}");
    assert_eq!(read(tmp.path(), "precious/notes.txt"), "keep me");
}

#[test]
fn the_404_page_finds_the_site_root_in_the_address_or_starts_links_at_site_url() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "repo/catalog-info.yaml", MARKUP);
    let (code, stdout, stderr) = build(tmp.path(), &["repo", "--out", "site"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let site = tmp.path().join("site");
    let page = read(&site, "404.html");
    assert!(page.contains("<title>Page not found · "), "{page}");
    // No site.url: links relative to a <base> that the page's first script sets, found by
    // the site's top-level names, which must name everything the site writes at its root.
    let script = page
        .find("document.createElement('base')")
        .expect("base script");
    let css = page.find(r#"<link rel="stylesheet" href="assets/portico.css">"#);
    assert!(
        css.is_some_and(|c| script < c),
        "the base is set before any link"
    );
    // …and written by script: as plain tags the browser would fetch them ahead, relative to
    // the missing address.
    assert!(!page.contains(r#"<script src="assets/"#), "{page}");
    assert!(page.contains(r#"document.write('<link rel="stylesheet" href="assets/portico.css">"#));
    let list = page
        .split("var top = ")
        .nth(1)
        .and_then(|s| s.split(", parts").next())
        .expect("top-level list");
    let top: Vec<String> = serde_json::from_str(list).unwrap();
    for entry in fs::read_dir(&site).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            top.contains(&name),
            "{name} is not in the 404 page's list {top:?}"
        );
    }

    // site.url: every link starts at the site's path; no script guesses.
    write(
        tmp.path(),
        "repo/portico.yaml",
        "site:\n  url: https://acme.github.io/portal\n",
    );
    let (code, stdout, stderr) = build(tmp.path(), &["repo", "--out", "site"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let page = read(&site, "404.html");
    assert!(!page.contains("createElement('base')"), "{page}");
    for link in [
        r#"href="/portal/assets/portico.css""#,
        r#"href="/portal/index.html""#,
        r#"action="/portal/search.html""#,
        r#"<script src="/portal/assets/search.js" defer>"#,
    ] {
        assert!(page.contains(link), "{link} in {page}");
    }

    // A site.url that is not an http(s) address is an error at its value.
    write(
        tmp.path(),
        "repo/portico.yaml",
        "site:\n  url: acme.github.io/portal\n",
    );
    let (code, stdout, _) = build(tmp.path(), &["repo", "--out", "site", "--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let p = &report["problems"][0];
    assert_eq!(p["rule"], "config/invalid");
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(2), Some(8))
    );
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .starts_with("site.url: `acme.github.io/portal`"),
        "{p}"
    );
}

#[test]
fn with_site_url_scorecards_offer_readme_badge_markdown_with_absolute_links() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "repo/catalog-info.yaml", MARKUP);
    write(
        tmp.path(),
        "repo/cards/docs.yaml",
        "id: docs\ntitle: Docs [beta]\nlevels:\n  - name: Basic\nchecks:\n  - id: described\n    title: Has a description\n    level: Basic\n    rule:\n      field: metadata.description\n      minLength: 5\n",
    );
    let config = "scorecards: [cards/*.yaml]\n";
    write(tmp.path(), "repo/portico.yaml", config);
    let (code, stdout, stderr) = build(tmp.path(), &["repo", "--out", "site"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let page = "catalog/default/component/markup/index.html";
    let site = tmp.path().join("site");
    assert!(read(&site, page).contains("id=\"scorecard-docs\""));
    assert!(
        !read(&site, page).contains("In a README"),
        "no address, no snippet"
    );

    let url = "site:\n  url: https://acme.github.io/portal\n";
    write(tmp.path(), "repo/portico.yaml", &format!("{config}{url}"));
    let (code, stdout, stderr) = build(tmp.path(), &["repo", "--out", "site"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let base = "https://acme.github.io/portal/";
    let expected = format!(
        "In a README: <code>[![Docs beta]({base}badges/default/component/markup/docs.svg)]({base}catalog/default/component/markup/index.html#scorecard-docs)</code>"
    );
    assert!(read(&site, page).contains(&expected), "{expected}");
    assert!(site
        .join("badges/default/component/markup/docs.svg")
        .is_file());
}
