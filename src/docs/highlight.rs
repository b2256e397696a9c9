//! Fenced code → classed HTML with syntect, at build time. The syntax set is loaded once per
//! process (it is the slow part); output uses CSS classes (`hl-…`), never inline styles, so
//! the theme's stylesheet decides the colours.

use std::fmt::Write;
use std::sync::OnceLock;
use syntect::html::{line_tokens_to_classed_spans, ClassStyle};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

pub fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Languages whose fences are diagrams or other content MkDocs plugins render; portico shows
/// them as code and says once that they were skipped.
pub fn is_unsupported_renderer(lang: &str) -> bool {
    let lang = lang.to_ascii_lowercase();
    matches!(
        lang.as_str(),
        "mermaid" | "plantuml" | "puml" | "graphviz" | "dot" | "d2" | "vega" | "vega-lite" | "math"
    ) || lang.starts_with("kroki")
}

/// Common fence names syntect's default set knows under another name.
fn alias(lang: &str) -> &str {
    match lang {
        "ts" | "typescript" | "tsx" | "jsx" | "javascript" | "js" | "mjs" | "cjs" => "js",
        "sh" | "shell" | "console" | "zsh" | "shell-session" | "bash" => "bash",
        "yml" | "yaml" => "yaml",
        "py" | "python3" | "python" => "py",
        "jsonc" | "json5" | "json" => "json",
        "golang" | "go" => "go",
        "rs" | "rust" => "rs",
        "kt" | "kotlin" => "java",
        "terraform" | "tf" | "hcl" => "",
        "dockerfile" | "docker" => "bash",
        "toml" | "ini" | "cfg" | "conf" => "ini",
        other => other,
    }
}

pub fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    if lang.is_empty() {
        return None;
    }
    let lower = lang.to_ascii_lowercase();
    let name = alias(&lower);
    if name.is_empty() {
        return None;
    }
    let set = syntax_set();
    set.find_syntax_by_token(name)
        .or_else(|| set.find_syntax_by_token(&lower))
}

/// Highlights `code` line by line; each line is balanced HTML so that highlighted lines
/// (`hl_lines`, 1-based) can be wrapped in `<span class="hll">`. Unknown languages are
/// escaped as plain text.
pub fn highlight(code: &str, lang: &str, hl_lines: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let syntax = find_syntax(lang);
    let mut state = syntax.map(ParseState::new);
    let mut stack = ScopeStack::new();
    for (i, line) in LinesWithEndings::from(code).enumerate() {
        let n = i + 1;
        let marked = hl_lines.iter().any(|&(a, b)| a <= n && n <= b);
        if marked {
            out.push_str("<span class=\"hll\">");
        }
        let mut done = false;
        if let Some(st) = state.as_mut() {
            if let Ok(ops) = st.parse_line(line, syntax_set()) {
                // Re-open the scopes still open from earlier lines, so each line is balanced.
                let before = stack.as_slice().len();
                for scope in stack.as_slice() {
                    out.push_str("<span class=\"");
                    push_scope_classes(&mut out, *scope);
                    out.push_str("\">");
                }
                if let Ok((html, delta)) =
                    line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut stack)
                {
                    out.push_str(&html);
                    let open = before as isize + delta;
                    for _ in 0..open.max(0) {
                        out.push_str("</span>");
                    }
                    done = true;
                } else {
                    for _ in 0..before {
                        out.push_str("</span>");
                    }
                }
            }
            if !done {
                // A grammar failure degrades to plain text for the rest of the block.
                state = None;
            }
        }
        if !done {
            escape_into(&mut out, line);
        }
        if marked {
            // Keep the newline inside the highlight so the whole line is marked.
            out.push_str("</span>");
        }
    }
    out
}

fn push_scope_classes(out: &mut String, scope: syntect::parsing::Scope) {
    let name = scope.build_string();
    for (i, atom) in name.split('.').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "hl-{atom}");
    }
}

pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// Escapes for HTML text and attribute values (also `'`).
pub fn escape_attr(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '&' => s.push_str("&amp;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            c => s.push(c),
        }
    }
    s
}

pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    escape_into(&mut s, text);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_with_classes_not_styles() {
        let html = highlight("fn main() {}\n", "rust", &[]);
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(html.contains("main"));
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        assert_eq!(highlight("a < b\n", "nosuchlang", &[]), "a &lt; b\n");
    }

    #[test]
    fn marked_lines_are_wrapped_and_balanced() {
        let code = "x = 1\n\"\"\"doc\nstring\"\"\"\ny = 2\n";
        let html = highlight(code, "python", &[(2, 3)]);
        assert_eq!(html.matches("<span class=\"hll\">").count(), 2, "{html}");
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count(),
            "{html}"
        );
    }
}
