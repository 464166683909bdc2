//! The embedded default ruleset, as `build.rs` parsed and analysed it.

use crate::regex_facts::{ByteSet, Facts};
use crate::rule::{AllowTarget, AllowlistSyntax, Kind, RuleSyntax};

/// One embedded rule: the fields of [`RuleSyntax`] as statics, plus the facts of its regex.
pub(crate) struct StaticRule {
    pub id: &'static str,
    pub description: &'static str,
    pub provider: &'static str,
    pub regex: &'static str,
    pub secret_group: Option<u32>,
    pub keywords: &'static [&'static str],
    pub entropy: Option<f64>,
    pub validator: Option<&'static str>,
    pub kind: Kind,
    pub keep_prefix: u8,
    pub tags: &'static [&'static str],
    pub allow_regexes: &'static [&'static str],
    pub allow_target: AllowTarget,
    pub stopwords: &'static [&'static str],
    pub allow_placeholders: bool,
    pub examples: &'static [&'static str],
    pub negative_examples: &'static [&'static str],
    pub overlaps: &'static [&'static str],
    /// [`Facts::groups`].
    pub groups: usize,
    /// [`Facts::max_len`].
    pub max_len: Option<usize>,
    /// [`Facts::anchors`].
    pub anchors: Option<&'static [bool]>,
    /// [`Facts::follow`].
    pub follow: Option<&'static [ByteSet]>,
    /// [`Facts::guard`].
    pub guard: Option<ByteSet>,
}

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl StaticRule {
    /// The rule as written. `with_examples: false` leaves the examples out (a lazy engine
    /// never runs them).
    pub fn syntax(&self, with_examples: bool) -> RuleSyntax {
        let examples = |v: &[&str]| {
            if with_examples {
                strings(v)
            } else {
                Vec::new()
            }
        };
        RuleSyntax {
            id: self.id.into(),
            description: self.description.into(),
            provider: self.provider.into(),
            regex: self.regex.into(),
            secret_group: self.secret_group,
            keywords: strings(self.keywords),
            entropy: self.entropy,
            validator: self.validator.map(str::to_string),
            kind: self.kind,
            keep_prefix: self.keep_prefix,
            tags: strings(self.tags),
            allowlist: AllowlistSyntax {
                regexes: strings(self.allow_regexes),
                target: self.allow_target,
                stopwords: strings(self.stopwords),
            },
            allow_placeholders: self.allow_placeholders,
            examples: examples(self.examples),
            negative_examples: examples(self.negative_examples),
            overlaps: strings(self.overlaps),
        }
    }

    /// The facts `build.rs` computed for the regex.
    pub fn facts(&self) -> Facts {
        Facts {
            groups: self.groups,
            max_len: self.max_len,
            anchors: self.anchors.map(<[bool]>::to_vec),
            follow: self.follow.map(<[ByteSet]>::to_vec),
            guard: self.guard,
        }
    }
}

/// The default rule files, as embedded at compile time: `(file name, TOML text)`.
pub fn default_rule_files() -> &'static [(&'static str, &'static str)] {
    DEFAULT_RULE_FILES
}

/// The embedded default ruleset, as written (parsed at build time).
pub fn default_rules() -> Vec<RuleSyntax> {
    DEFAULT_RULES.iter().map(|r| r.syntax(true)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::parse_toml;

    /// The build-time parse is the run-time parse: same rules, same regex facts.
    #[test]
    fn build_time_table_matches_the_rule_files() {
        let parsed: Vec<RuleSyntax> = DEFAULT_RULE_FILES
            .iter()
            .flat_map(|(name, text)| parse_toml(text, name).unwrap())
            .collect();
        assert_eq!(parsed.len(), DEFAULT_RULES.len());
        assert!(parsed.len() > 100, "the default ruleset is embedded");
        for (p, s) in parsed.iter().zip(DEFAULT_RULES) {
            assert_eq!(p, &s.syntax(true), "rule {}", p.id);
            let keywords: Vec<String> = p.keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
            let hir = crate::regex_facts::parse(&p.regex).unwrap();
            assert_eq!(
                crate::regex_facts::facts(&hir, &keywords),
                s.facts(),
                "rule {}",
                p.id
            );
        }
    }
}
