//! One gate for the generic anchored rules that a keyword selects.
//!
//! Common keywords (`secret`, `token`, `password`) select several generic rules each, anchored
//! at the keyword: `generic-secret` and its quoted and keyed forms,
//! `generic-xml-attribute-password`, `generic-password-prose`. In text
//! dense with such names and no secrets (`token=true`, configuration dumps, minified code),
//! each rule's gate runs at every occurrence and rejects it a few bytes in; the work is the
//! per-rule set-up, repeated for every rule. A DFA for the alternation of their gates'
//! patterns answers for all of them in one walk: where it finds no match, none of the rules
//! can match there (each gate's pattern is one of the alternatives), so their searches are
//! skipped, and the results are the same. Where it finds one, each rule is searched as before.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use regex_automata::{Anchored, Input};

use crate::compile::{CompiledRule, LATE_AFTER_FULL};
use crate::engine::map_on_threads;
use crate::gate::{Gate, Limits};

/// Size caps of a shared gate. The default set's two large ones (the `secret` and `password`
/// families) take 3-4 ms each to build; an alternation that exceeds these fails in ~7 ms.
const SHARED_LIMITS: Limits = Limits {
    dfa: 512 << 10,
    determinize: 2 << 20,
};

/// The shared gates of an engine, by keyword (prefilter pattern).
pub(crate) struct SharedGates {
    /// Per keyword: its group, when it selects two or more generic rules with anchored gates.
    by_keyword: Vec<Option<u32>>,
    groups: Vec<Group>,
}

/// Rules selected together by one or more keywords.
struct Group {
    /// The rules with anchored gates, in rule order.
    rules: Vec<u32>,
    /// Longest match among them: the span a shared search covers.
    max_len: usize,
    /// Built at engine build, or in a lazy engine once its keywords have occurred
    /// [`LATE_AFTER_FULL`] times (building the members' gates then too).
    built: OnceLock<Option<Built>>,
    /// Occurrences of its keywords before it was built.
    uses: AtomicU32,
}

struct Built {
    gate: Gate,
    /// The members whose gates the shared one stands for (a member whose gate did not fit its
    /// limits has none, and is always searched).
    covered: Vec<u32>,
}

impl SharedGates {
    /// Groups the generic anchored gated rules of each keyword (`keyword_rules[k]`: the rules
    /// keyword `k` selects). Each group is a largest such set: a keyword whose set is part of
    /// another's uses that one's gate (`passphrase` selects three of the six rules `password`
    /// selects; the other three's patterns start with other keywords and fail at once there).
    /// Provider rules stay out: each has its own structure, few share a keyword, and one of
    /// them in the alternation could double its build time (Firebase's key next to the five
    /// `generic-secret` forms: 6 ms instead of 3.5).
    pub fn new(rules: &[CompiledRule], keyword_rules: &[Vec<u32>]) -> SharedGates {
        let sets: Vec<Vec<u32>> = keyword_rules
            .iter()
            .map(|selected| {
                selected
                    .iter()
                    .copied()
                    .filter(|&ri| {
                        let r = &rules[ri as usize];
                        r.info.generic && r.has_anchored_gate_kind()
                    })
                    .collect()
            })
            .collect();
        let contains = |big: &[u32], small: &[u32]| small.iter().all(|r| big.contains(r));
        let mut largest: Vec<&Vec<u32>> = Vec::new();
        for set in sets.iter().filter(|s| s.len() >= 2) {
            if largest.iter().any(|m| contains(m, set)) {
                continue;
            }
            largest.retain(|m| !contains(set, m));
            largest.push(set);
        }
        let groups: Vec<Group> = largest
            .iter()
            .map(|members| Group {
                rules: members.to_vec(),
                max_len: members
                    .iter()
                    .map(|&ri| rules[ri as usize].max_len)
                    .max()
                    .unwrap_or(0),
                built: OnceLock::new(),
                uses: AtomicU32::new(0),
            })
            .collect();
        let by_keyword = sets
            .iter()
            .map(|set| {
                if set.len() < 2 {
                    return None;
                }
                let (g, _) = groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| contains(&g.rules, set))
                    .min_by_key(|(_, g)| g.rules.len())?;
                Some(g as u32)
            })
            .collect();
        SharedGates { by_keyword, groups }
    }

    /// Builds every group's gate now, on up to `threads` threads (an eager engine: scanning
    /// then compiles nothing; the default set's two large groups take 3-4 ms each).
    pub fn build_all(&self, rules: &[CompiledRule], threads: usize) {
        map_on_threads(self.groups.iter().collect(), threads, |g| {
            g.built(rules);
        });
    }

    /// Number of groups whose shared gate has been built, without building any.
    #[cfg(test)]
    pub fn ready_count(&self) -> usize {
        self.groups
            .iter()
            .filter(|g| g.built.get().is_some_and(|b| b.is_some()))
            .count()
    }

    /// Number of groups whose shared gate was built (for tests and reports).
    #[cfg(test)]
    pub fn built_count(&self, rules: &[CompiledRule]) -> usize {
        self.groups
            .iter()
            .filter(|g| g.built(rules).is_some())
            .count()
    }

    /// The rules that need not be searched for the occurrence of keyword `pattern` starting at
    /// `start` in `hay` (searches end by `end`), in rule order: those the keyword's shared gate
    /// stands for, when it finds no match. Empty when it may match, or the keyword has no
    /// shared gate.
    pub fn rejected(
        &self,
        pattern: u32,
        rules: &[CompiledRule],
        hay: &[u8],
        start: usize,
        end: usize,
    ) -> &[u32] {
        let Some(Some(g)) = self.by_keyword.get(pattern as usize) else {
            return &[];
        };
        let group = &self.groups[*g as usize];
        if group.built.get().is_none()
            && group.uses.fetch_add(1, Ordering::Relaxed) + 1 < LATE_AFTER_FULL
        {
            return &[]; // a lazy engine: not worth building yet
        }
        let Some(built) = group.built(rules) else {
            return &[];
        };
        let input = Input::new(hay)
            .span(start..(start + group.max_len).min(end))
            .anchored(Anchored::Yes);
        if built.gate.may_match(&input) {
            &[]
        } else {
            &built.covered
        }
    }
}

impl Group {
    fn built(&self, rules: &[CompiledRule]) -> Option<&Built> {
        self.built
            .get_or_init(|| {
                let mut covered = Vec::new();
                let mut gates = Vec::new();
                for &ri in &self.rules {
                    let m = rules[ri as usize].matcher();
                    if let Some(gate) = m.gate.build() {
                        covered.push(ri);
                        gates.push(gate);
                    }
                }
                if covered.len() < 2 {
                    return None;
                }
                Gate::union(&gates, SHARED_LIMITS).map(|gate| Built { gate, covered })
            })
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::tests::pieces_text;
    use crate::Engine;

    /// Generic keywords next to every kind of near-miss, and the generic rules' own examples.
    fn texts() -> Vec<String> {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        let mut texts: Vec<String> = (0..24).map(|_| pieces_text(&mut seed, 1500)).collect();
        for r in crate::builtin::default_rules() {
            if r.tags.iter().any(|t| t == "generic") {
                texts.extend(r.examples.iter().chain(&r.negative_examples).cloned());
            }
        }
        texts
    }

    #[test]
    fn a_shared_gate_rejects_only_where_each_of_its_rules_gates_does() {
        let engine = Engine::builder().build().unwrap();
        let (rules, shared) = (&engine.0.rules, &engine.0.shared_gates);
        assert!(
            shared.built_count(rules) >= 2,
            "the generic-secret and generic-password forms share gates"
        );
        // One keyword per group.
        let mut keywords: Vec<(u32, u32)> = Vec::new();
        for (k, g) in shared.by_keyword.iter().enumerate() {
            if let Some(g) = *g {
                if !keywords.iter().any(|&(_, h)| h == g) {
                    keywords.push((k as u32, g));
                }
            }
        }
        let (mut skipped, mut searched) = (0, 0);
        for text in texts() {
            let hay = text.as_bytes();
            for start in 0..hay.len() {
                for &(k, _) in &keywords {
                    let rejected = shared.rejected(k, rules, hay, start, hay.len());
                    if rejected.is_empty() {
                        searched += 1;
                    }
                    for &ri in rejected {
                        skipped += 1;
                        let rule = &rules[ri as usize];
                        let gate = rule
                            .matcher()
                            .gate
                            .build()
                            .expect("covered rules have gates");
                        let input = Input::new(hay)
                            .span(start..(start + rule.max_len).min(hay.len()))
                            .anchored(Anchored::Yes);
                        assert!(
                            !gate.may_match(&input),
                            "{}'s gate may match at {start} in {text:?}, its shared gate rejected",
                            rule.info.id
                        );
                    }
                }
            }
        }
        // Both answers occur, and rejecting is the common one (what saves the work).
        assert!(
            searched > 100,
            "the shared gates let {searched} positions through"
        );
        assert!(
            skipped > 10 * searched,
            "{skipped} searches skipped, {searched} done"
        );
    }

    #[test]
    fn a_lazy_engine_builds_shared_gates_once_their_keywords_recur() {
        let lazy = Engine::builder().lazy(true).build().unwrap();
        let eager = Engine::builder().build().unwrap();
        // Assignments that every `secret` rule looks at and none reports.
        let text = |n: usize| "const secret = process.env.SECRET || null;\n".repeat(n);
        assert!(lazy.scan(text(300).as_bytes()).is_empty());
        assert_eq!(
            lazy.0.shared_gates.ready_count(),
            0,
            "after 600 occurrences (LATE_AFTER_FULL: {LATE_AFTER_FULL})"
        );
        let many = text(300) + &texts().concat();
        assert_eq!(lazy.scan(many.as_bytes()), eager.scan(many.as_bytes()));
        assert!(
            lazy.0.shared_gates.ready_count() >= 1,
            "by the {LATE_AFTER_FULL}th occurrence"
        );
    }
}
