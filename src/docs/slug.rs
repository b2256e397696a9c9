//! Heading ids exactly as MkDocs' `toc` extension (Python-Markdown) makes them, so that
//! existing `page.md#section` links keep working.

use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

/// Python-Markdown's `toc.slugify`: NFKD, drop what is not ASCII, remove characters that
/// are not word characters, spaces or hyphens, strip, lower-case, then runs of spaces and
/// hyphens become one `-`.
pub fn slugify(text: &str) -> String {
    let ascii: String = text.nfkd().filter(char::is_ascii).collect();
    let kept: String = ascii
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || is_py_space(*c))
        .collect();
    let lower = kept.trim_matches(is_py_space).to_ascii_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut in_sep = false;
    for c in lower.chars() {
        if c == '-' || is_py_space(c) {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.push(c);
            in_sep = false;
        }
    }
    out
}

/// `\s` of Python's `re` on ASCII text (what is left after NFKD + ASCII).
fn is_py_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// The ids already used on one page; `unique` gives duplicates `_1`, `_2`, … like
/// Python-Markdown's `toc.unique`.
#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
}

impl Ids {
    pub fn unique(&mut self, id: String) -> String {
        let mut id = id;
        while id.is_empty() || self.used.contains(&id) {
            id = match split_counter(&id) {
                Some((base, n)) => format!("{base}_{}", n + 1),
                None => format!("{id}_1"),
            };
        }
        self.used.insert(id.clone());
        id
    }
    /// Marks an id taken (explicit `{#id}` attributes) without renaming it.
    pub fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_string());
    }
}

/// `^(.*)_([0-9]+)$`
fn split_counter(id: &str) -> Option<(&str, u64)> {
    let (base, digits) = id.rsplit_once('_')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((base, digits.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_mkdocs() {
        // Expected values produced by Python-Markdown 3.x `toc.slugify(value, '-')`.
        let cases = [
            ("Hello World!", "hello-world"),
            ("Getting Started", "getting-started"),
            ("  Trim me  ", "trim-me"),
            ("Café au lait", "cafe-au-lait"),
            ("What's new in v2.0?", "whats-new-in-v20"),
            ("snake_case_name", "snake_case_name"),
            ("a -- b", "a-b"),
            ("C++ & Rust", "c-rust"),
            ("`batch_size` option", "batch_size-option"),
            ("日本語", ""),
            ("ADR 0003: Event Sourcing", "adr-0003-event-sourcing"),
            ("Step 1 - Install", "step-1-install"),
            ("Ünïcödé", "unicode"),
        ];
        for (input, want) in cases {
            assert_eq!(slugify(input), want, "slugify({input:?})");
        }
    }

    #[test]
    fn duplicates_get_counters() {
        let mut ids = Ids::default();
        assert_eq!(ids.unique("usage".into()), "usage");
        assert_eq!(ids.unique("usage".into()), "usage_1");
        assert_eq!(ids.unique("usage".into()), "usage_2");
        assert_eq!(ids.unique(String::new()), "_1");
        assert_eq!(ids.unique(String::new()), "_2");
        // A heading literally named like a counter continues the count.
        assert_eq!(ids.unique("usage_1".into()), "usage_3");
    }
}
