//! The docs page template (`docs.html`, extending the theme's `base.html`), loaded once.

use super::markdown::Rendered;
use super::mkdocs::NavItem;
use super::{page_href, relative_href, PageSrc, SiteCtx};
use crate::config::Config;
use minijinja::{Environment, Value};
use serde::Serialize;
use std::path::Path;

pub const BASE_HTML: &str = include_str!("../../themes/default/base.html");
pub const DOCS_HTML: &str = include_str!("../../themes/default/docs.html");
pub const DOCS_CSS: &str = include_str!("../../themes/default/docs.css");

pub struct Templates {
    env: Environment<'static>,
    site_title: String,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
}

#[derive(Serialize)]
struct NavView {
    title: String,
    href: Option<String>,
    active: bool,
    /// A section containing the current page (open in the sidebar).
    open: bool,
    children: Vec<NavView>,
    external: bool,
}

#[derive(Serialize)]
struct TocView<'a> {
    level: u8,
    id: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct LinkView {
    title: String,
    href: String,
}

#[derive(Serialize)]
struct EntityView<'a> {
    title: &'a str,
    kind: &'a str,
    href: String,
}

#[derive(Serialize)]
struct DocView<'a> {
    title: &'a str,
    site_name: &'a str,
    home: String,
    entity: EntityView<'a>,
    nav: Vec<NavView>,
    toc: Vec<TocView<'a>>,
    prev: Option<LinkView>,
    next: Option<LinkView>,
    edit_url: Option<String>,
    repo_url: Option<&'a str>,
    last_updated: Option<&'a str>,
    source_path: &'a str,
}

fn load(theme_dir: Option<&Path>, name: &str, default: &str) -> std::io::Result<String> {
    if let Some(dir) = theme_dir {
        let p = dir.join(name);
        if p.is_file() {
            return std::fs::read_to_string(p);
        }
    }
    Ok(default.to_string())
}

/// An environment that escapes HTML like Jinja's `markupsafe` (`& < > " '`), not `/`:
/// URLs stay readable and pages smaller.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_formatter(|out, state, value| {
        if value.is_safe() || value.as_str().is_none() {
            return minijinja::escape_formatter(out, state, value);
        }
        let s = value.as_str().unwrap_or_default();
        out.write_str(&super::highlight::escape_attr(s))
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
    });
    env
}

impl Templates {
    pub fn new(theme_dir: Option<&Path>, config: &Config) -> Result<Self, String> {
        let mut env = environment();
        let base = load(theme_dir, "base.html", BASE_HTML).map_err(|e| e.to_string())?;
        let docs = load(theme_dir, "docs.html", DOCS_HTML).map_err(|e| e.to_string())?;
        env.add_template_owned("base.html", base)
            .map_err(|e| e.to_string())?;
        env.add_template_owned("docs.html", docs)
            .map_err(|e| e.to_string())?;
        Ok(Templates {
            env,
            site_title: config
                .site
                .title
                .clone()
                .unwrap_or_else(|| "Developer portal".to_string()),
        })
    }

    pub(super) fn render_page(
        &self,
        ctx: &SiteCtx,
        idx: usize,
        page: &PageSrc,
        title: &str,
        rendered: &Rendered,
        date: Option<&str>,
    ) -> String {
        let here = format!("{}{}", ctx.site_url, page.url);
        let root = relative_href(&here, "");
        let nav = nav_views(ctx, ctx.nav, idx, &page.url).0;
        let (prev, next) = match ctx.position.get(&idx) {
            Some(&k) => {
                let link = |j: usize| LinkView {
                    title: ctx.titles[j].clone(),
                    href: page_href(&page.url, &ctx.pages[j].url),
                };
                (
                    k.checked_sub(1).map(|k| link(ctx.order[k])),
                    ctx.order.get(k + 1).map(|&j| link(j)),
                )
            }
            None => (None, None),
        };
        let doc = DocView {
            title,
            site_name: ctx.site_name,
            home: page_href(&page.url, ""),
            entity: EntityView {
                title: ctx.entity.title(),
                kind: ctx.entity.kind(),
                href: format!("{root}{}index.html", ctx.entity_url),
            },
            nav,
            toc: rendered
                .headings
                .iter()
                .filter(|h| h.level >= 2)
                .map(|h| TocView {
                    level: h.level,
                    id: &h.id,
                    text: &h.text,
                })
                .collect(),
            prev,
            next,
            edit_url: ctx.cfg.edit_url(&page.rel),
            repo_url: ctx.cfg.repo_url.as_deref(),
            last_updated: date,
            source_path: &page.rel,
        };
        let result = self.env.get_template("docs.html").and_then(|t| {
            t.render(minijinja::context! {
                root => root,
                site => SiteView { title: &self.site_title },
                doc => Value::from_serialize(&doc),
                content => Value::from_safe_string(rendered.html.clone()),
            })
        });
        match result {
            Ok(s) => s,
            // A broken user template must not stop the build: show the error in the page.
            Err(e) => format!(
                "<!doctype html><meta charset=utf-8><title>{t}</title><p>template error: {e}</p>{c}",
                t = super::highlight::escape(title),
                e = super::highlight::escape(&format!("{e:#}")),
                c = rendered.html
            ),
        }
    }
}

/// The nav as seen from page `current`: hrefs relative to it, the current page and its
/// sections marked. Returns whether the current page is inside.
fn nav_views(ctx: &SiteCtx, items: &[NavItem], current: usize, from: &str) -> (Vec<NavView>, bool) {
    let mut out = Vec::with_capacity(items.len());
    let mut any = false;
    for item in items {
        match item {
            NavItem::Page { page, .. } => {
                let active = *page == current;
                any |= active;
                out.push(NavView {
                    title: ctx.titles[*page].clone(),
                    href: Some(page_href(from, &ctx.pages[*page].url)),
                    active,
                    open: false,
                    children: vec![],
                    external: false,
                });
            }
            NavItem::Link { title, url } => out.push(NavView {
                title: title.clone(),
                href: Some(url.clone()),
                active: false,
                open: false,
                children: vec![],
                external: true,
            }),
            NavItem::Section { title, children } => {
                let (children, open) = nav_views(ctx, children, current, from);
                any |= open;
                out.push(NavView {
                    title: title.clone(),
                    href: None,
                    active: false,
                    open,
                    children,
                    external: false,
                });
            }
        }
    }
    (out, any)
}
