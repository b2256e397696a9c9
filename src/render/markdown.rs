//! Markdown in entity descriptions → sanitised HTML (pulldown-cmark, then ammonia), and the
//! plain text used in tables.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

/// Renders Markdown to HTML that is safe to embed. Raw HTML in an entity's text is shown as
/// text (a `<script>` reads as `<script>`, as the author typed it), and the result is
/// sanitised by ammonia as well, so links cannot run code.
pub fn to_html(text: &str) -> String {
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    let events = Parser::new_ext(text, options()).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        e => e,
    });
    html::push_html(&mut raw, events);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The text of a Markdown snippet without markup, whitespace collapsed: for table cells and
/// search. Raw HTML is kept as the text it is (it is never interpreted here).
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push(' '),
            Event::Start(Tag::Item) => {}
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_scripts_are_removed() {
        let html = to_html("Hello **world** <script>alert(1)</script> [x](javascript:alert(1))");
        assert!(html.contains("<strong>world</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("# Title\n\nSome *emph* and `code`.\n\n- a\n- b"),
            "Title Some emph and code. a b"
        );
        assert_eq!(plain_text("<script>x</script>"), "<script>x</script>");
    }
}
