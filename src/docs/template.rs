//! The docs page template (`docs.html`, extending the theme's `base.html`), loaded once.

use super::markdown::Rendered;
use super::mkdocs::NavItem;
use super::{page_href, relative_href, PageSrc, SiteCtx};
use crate::config::Config;
use minijinja::{Environment, Value};
use serde::Serialize;

/// The docs page template, wrapping a site `Renderer` (its environment holds `docs.html`
/// and `base.html`, default or from the user's theme).
pub struct Templates<'r> {
    env: &'r Environment<'static>,
    /// The `site` context value, built once.
    site: Value,
}

#[derive(Serialize)]
struct SiteView {
    title: String,
    errors: usize,
    problems: usize,
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
    /// Whether the page has Mermaid diagrams: its template then loads Mermaid.
    diagrams: bool,
}

impl<'r> Templates<'r> {
    pub fn new(
        renderer: &'r crate::render::Renderer,
        config: &Config,
        catalog: &crate::model::Catalog,
    ) -> Result<Self, String> {
        renderer
            .env
            .get_template("docs.html")
            .map_err(|e| format!("{e:#}"))?;
        let errors = catalog
            .problems
            .iter()
            .filter(|p| p.severity == crate::diag::Severity::Error)
            .count();
        Ok(Templates {
            env: &renderer.env,
            site: Value::from_serialize(SiteView {
                title: config
                    .site
                    .title
                    .clone()
                    .unwrap_or_else(|| "Developer portal".to_string()),
                errors,
                problems: catalog.problems.len(),
            }),
        })
    }

    pub(super) fn render_page(
        &self,
        ctx: &SiteCtx,
        idx: usize,
        page: &PageSrc,
        title: &str,
        rendered: &mut Rendered,
        date: Option<&str>,
    ) -> String {
        let here = format!("{}{}", ctx.site_url, page.url);
        let root = relative_href(&here, "");
        let mut nav = nav_views(ctx, ctx.nav, idx, &page.url).0;
        open_first_section_if_nothing_else_shows(&mut nav);
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
        let (page_cfg, page_rel) = ctx.page_cfg(page);
        let doc = DocView {
            title,
            site_name: ctx.site_name,
            home: page_href(&page.url, ""),
            entity: EntityView {
                title: ctx.entity.title(),
                kind: ctx.entity.kind(),
                href: format!("{root}{}", ctx.entity_url),
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
            edit_url: page_cfg.edit_url(page_rel),
            repo_url: page_cfg.repo_url.as_deref(),
            last_updated: date,
            source_path: &page.rel,
            diagrams: rendered.diagrams > 0,
        };
        // The page body is moved into the context, not copied.
        let content = Value::from_safe_string(std::mem::take(&mut rendered.html));
        let result = self.env.get_template("docs.html").and_then(|t| {
            t.render(minijinja::context! {
                root => root,
                site => &self.site,
                nav => "docs",
                doc => Value::from_serialize(&doc),
                content => content.clone(),
            })
        });
        match result {
            Ok(s) => s,
            // A broken user template must not stop the build: show the error in the page.
            Err(e) => format!(
                "<!doctype html><meta charset=utf-8><title>{t}</title><p>template error: {e}</p>{c}",
                t = super::highlight::escape(title),
                e = super::highlight::escape(&format!("{e:#}")),
                c = content.as_str().unwrap_or_default()
            ),
        }
    }
}

/// A page outside every nav section (often the home page when the nav is all sections)
/// would otherwise show no link to another page: open the first section.
fn open_first_section_if_nothing_else_shows(nav: &mut [NavView]) {
    let shows_other = nav
        .iter()
        .any(|v| (v.href.is_some() && !v.active && !v.external) || v.open);
    if !shows_other {
        if let Some(first) = nav.iter_mut().find(|v| !v.children.is_empty()) {
            first.open = true;
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
