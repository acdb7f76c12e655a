//! The lint findings of a profile, counted by rule: how many findings, and in
//! how many records. The findings themselves are not kept.

use crate::lint::{Finding, Linter, Rule};
use std::collections::BTreeMap;

/// One rule's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule.
    pub rule: Rule,
    /// Its findings.
    pub findings: u64,
    /// Records with at least one.
    pub records: u64,
}

/// What one thread counted, and its scratch space for a record's findings.
#[derive(Debug, Default)]
pub(crate) struct LintTally {
    by_rule: BTreeMap<Rule, (u64, u64)>,
    scratch: Vec<Finding>,
}

impl LintTally {
    /// Lints `record` and counts what was found.
    pub(crate) fn record(&mut self, linter: &Linter, record: &crate::RecordRef<'_>) {
        self.scratch.clear();
        linter.lint_into(record, &mut self.scratch);
        self.count();
    }

    /// Counts the finding for a record that does not parse, if the rule runs.
    pub(crate) fn invalid(
        &mut self,
        linter: &Linter,
        index: usize,
        offset: u64,
        error: &crate::Error,
    ) {
        self.scratch.clear();
        self.scratch
            .extend(linter.invalid_record(index as u64, offset, error));
        self.count();
    }

    fn count(&mut self) {
        let mut rules: Vec<Rule> = self.scratch.iter().map(|f| f.rule).collect();
        for &rule in &rules {
            self.by_rule.entry(rule).or_default().0 += 1;
        }
        rules.sort_unstable();
        rules.dedup();
        for rule in rules {
            self.by_rule.entry(rule).or_default().1 += 1;
        }
    }

    pub(crate) fn merge(&mut self, other: LintTally) {
        for (rule, (findings, records)) in other.by_rule {
            let mine = self.by_rule.entry(rule).or_default();
            mine.0 += findings;
            mine.1 += records;
        }
    }

    /// Every rule `linter` runs, with its counts (zero when nothing was
    /// found), most findings first, ties in the rules' documented order.
    pub(crate) fn finish(self, linter: &Linter) -> Vec<RuleCount> {
        let mut out: Vec<RuleCount> = Rule::ALL
            .iter()
            .copied()
            .filter(|&r| linter.rule_set().contains(r) || self.by_rule.contains_key(&r))
            .map(|rule| {
                let (findings, records) = self.by_rule.get(&rule).copied().unwrap_or_default();
                RuleCount {
                    rule,
                    findings,
                    records,
                }
            })
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse(c.findings));
        out
    }
}
