//! A rule's `where` condition: a [filter expression](crate::filter), the one
//! language for choosing records (`040$a = DLC`, `650$a ~ /jazz/i`, `not
//! 856`, `LDR/06 = a and count(650) > 2`), judged on a [`RecordRef`].

use super::parse::{Cursor, Parsed};
use crate::error::Result;
use crate::filter::Expr;
use crate::record::RecordRef;
use crate::text::TextDecoder;

/// A parsed condition.
#[derive(Debug, Clone)]
pub(crate) struct Condition(Expr);

/// Parses the condition that runs to the end of the rule; an error points
/// into the rule.
pub(crate) fn parse(c: &mut Cursor<'_>) -> Parsed<Condition> {
    if c.at_end() {
        return c.fail(c.pos(), "where what? where 040$a = DLC, where not 856");
    }
    let start = c.pos();
    let text = c.rest();
    match Expr::parse(text) {
        Ok(expr) => {
            c.advance(text.len());
            Ok(Condition(expr))
        }
        Err(e) => {
            // The expression's column (in characters) as a byte offset in the rule.
            let at = text
                .char_indices()
                .nth(e.column().saturating_sub(1))
                .map_or(text.len(), |(i, _)| i);
            c.fail(start + at, format!("expected {}", e.expected()))
        }
    }
}

impl Condition {
    /// Whether `record` meets the condition, its values decoded by `decoder`.
    pub(crate) fn holds(&self, record: &RecordRef<'_>, decoder: &TextDecoder) -> Result<bool> {
        self.0.matches(record, decoder)
    }
}
