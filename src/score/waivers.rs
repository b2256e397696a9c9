//! `waivers.yaml`: exemptions of one entity from one check, with a reason and an expiry
//! date. A waiver counts until its `expires` day (inclusive); after that the check counts
//! again and the waiver is listed as expired.

use super::files::SchemaChecker;
use crate::diag::{Problem, Span};
use crate::model::EntityRef;
use crate::parse::{self, Node};
use chrono::NaiveDate;

pub const SCHEMA: &str = include_str!("../../schemas/waivers.schema.json");

#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    pub entity: EntityRef,
    pub scorecard: Option<String>,
    pub check: String,
    pub reason: String,
    pub expires: NaiveDate,
    pub approved_by: Option<String>,
    pub file: String,
    pub span: Span,
}

impl Waiver {
    /// Whether the waiver still counts on `today`.
    pub fn active(&self, today: NaiveDate) -> bool {
        today <= self.expires
    }
}

fn str_of<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::as_str)
}

/// Loads a waivers file. Problems (schema violations, bad dates, bad refs) are located.
pub fn load_str(text: &str, file: &str, checker: &SchemaChecker) -> (Vec<Waiver>, Vec<Problem>) {
    let (docs, mut problems) = parse::parse_str(text, file);
    let mut waivers = vec![];
    for doc in docs {
        let json = doc.root.to_json();
        let errors = checker.check(&json, &doc.root, file, "waivers file");
        if !errors.is_empty() {
            problems.extend(errors.into_iter().map(|p| p.in_document(doc.index)));
            continue;
        }
        for n in doc
            .root
            .get("waivers")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            let (Some(entity), Some(check), Some(reason), Some(expires)) = (
                n.get("entity"),
                str_of(n, "check"),
                str_of(n, "reason"),
                n.get("expires"),
            ) else {
                continue;
            };
            let entity_text = entity.as_str().unwrap_or_default();
            let Some(entity_ref) = EntityRef::parse(entity_text, Some("component"), "default")
            else {
                problems.push(
                    Problem::error(
                        "scorecard/waivers",
                        file,
                        entity.span,
                        format!("`{entity_text}` is not an entity reference"),
                    )
                    .in_document(doc.index),
                );
                continue;
            };
            let date_text = expires.as_str().unwrap_or_default();
            let Ok(date) = NaiveDate::parse_from_str(date_text, "%Y-%m-%d") else {
                problems.push(
                    Problem::error(
                        "scorecard/waivers",
                        file,
                        expires.span,
                        format!("`{date_text}` is not a date (YYYY-MM-DD)"),
                    )
                    .in_document(doc.index),
                );
                continue;
            };
            waivers.push(Waiver {
                entity: entity_ref,
                scorecard: str_of(n, "scorecard").map(str::to_string),
                check: check.to_string(),
                reason: reason.to_string(),
                expires: date,
                approved_by: str_of(n, "approvedBy").map(str::to_string),
                file: file.to_string(),
                span: n.span,
            });
        }
    }
    (waivers, problems)
}
